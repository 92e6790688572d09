#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# A member that keeps failing reads does not stay forever: as md's
# raid1/raid10 do with md/max_read_errors (max_corr_read_errors, default
# 20), each member read error counts (the count halves for every hour
# without one), and the error that takes the count past the limit fails
# the member.  Member 1 fails every read (dm-flakey error_reads), writes
# work: below the limit its errors are corrected and it stays; with the
# limit lowered it is failed, and every byte still reads back exact.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
modprobe dm-flakey
mkloops 4 16
dm_members r5xr
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=64 --layout=left-symmetric --bitmap=none --assume-clean "${DMS[@]}"
expect_eq "$(md_sysfs md0 max_read_errors)" 20 "default max_read_errors"
write_random /dev/md0 0 2048 a 64
set_table() {
	dm_load r5xr$1 "0 $(dev_sectors "${LOOPS[$1]}") $2"
}

log "below the limit: errors corrected, member 1 stays"
echo 100000 >/sys/block/md0/md/max_read_errors || fail "set max_read_errors"
set_table 1 "flakey ${LOOPS[1]} 0 0 3600 1 error_reads"
verify_random /dev/md0 0 a
grep -q '\[4/4\]' /proc/mdstat || fail "member 1 failed below the limit"
dmesg_has 'raid456x:md0: read error corrected' || fail "read errors were not rewritten"

log "past the limit: member 1 is failed"
echo 5 >/sys/block/md0/md/max_read_errors || fail "set max_read_errors"
echo 3 >/proc/sys/vm/drop_caches
verify_random /dev/md0 0 a
if ! grep -q '\[4/3\]' /proc/mdstat; then
	fail "member 1 failed every read and is still in the array"
fi
dmesg_has 'raid456x:md0: .*read errors? .*exceeded|raid456x:md0: .*Failing' ||
	fail "no message about the read error limit"
echo 3 >/proc/sys/vm/drop_caches
verify_random /dev/md0 0 a
set_table 1 "linear ${LOOPS[1]} 0"
stop_all
for i in 0 1 2 3; do dmsetup remove "r5xr$i" 2>/dev/null; done
r5x_unload_all
log "ok"
