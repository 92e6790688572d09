#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# A member that keeps failing reads, as md's raid5 (7.3) treats it: each
# failed stripe read counts, a successful one resets the count, and while
# the count is at most the stripe cache size (raid5's max_nr_stripes) the
# block is rebuilt from the others, rewritten and read back (here the
# read-back fails too, so the block is recorded as bad: "read error not
# corrected").  Past it the block is recorded in the member's bad-block
# log without the rewrite (the member stays, the block is rebuilt from the
# others from then on); a member without a log cannot record it and is
# failed.  md/max_read_errors is raid1/raid10's knob and means nothing
# here, as under raid5.  Member 1 fails every read (dm-flakey
# error_reads), writes work; every byte always reads back exact.  A read
# error that the rewrite cures: read-error-reread.sh.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
modprobe dm-flakey
mkloops 4 16
dm_members r5xr
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=64 --layout=left-symmetric --bitmap=none --assume-clean "${DMS[@]}"
m1=/sys/block/md0/md/dev-$(dm_kname r5xr1)
write_random /dev/md0 0 2048 a 64
# an empty stripe cache: a retried read is served from a cached stripe
# without reading the member again (as in raid5)
must mdadm --stop /dev/md0
must mdadm --assemble --quiet /dev/md0 "${DMS[@]}"
set_table() {
	dm_load "r5xr$1" "0 $(dev_sectors "${LOOPS[$1]}") $2"
}

log "below the limit: rewritten, read back, recorded; member 1 stays"
expect_eq "$(md_sysfs md0 stripe_cache_size)" 256 "default stripe_cache_size"
set_table 1 "flakey ${LOOPS[1]} 0 0 3600 1 error_reads"
# 256 KiB: fewer than 256 member reads, even with every 1 KiB read retried
expect_eq "$(sum_range /dev/md0 0 256)" "$(ref_sum a 0 256)" "first 256 KiB"
grep -q '\[4/4\]' /proc/mdstat || fail "member 1 failed below the limit"
dmesg_has 'raid456x:md0: read error not corrected' ||
	fail "read errors were not rewritten and read back"
dmesg_has 'raid456x:md0: .*read errors in a row' && fail "the limit was reached below it"
[ -n "$(cat "$m1/bad_blocks")" ] || fail "no bad blocks recorded below the limit"

log "past the limit: unreadable blocks are recorded as bad, member 1 stays"
echo 16 >/sys/block/md0/md/stripe_cache_size || fail "set stripe_cache_size"
echo 3 >/proc/sys/vm/drop_caches
verify_random /dev/md0 0 a
grep -q '\[4/4\]' /proc/mdstat || fail "member 1 failed although it can record bad blocks"
dmesg_has 'raid456x:md0: .*read errors in a row > 16 stripes' ||
	fail "no message about the read error limit"
[ -n "$(cat "$m1/bad_blocks")" ] || fail "no bad blocks recorded past the limit"
verify_random /dev/md0 0 a

log "without a bad-block log, past the limit member 1 is failed"
set_table 1 "linear ${LOOPS[1]} 0"
# writes over the bad blocks clear them, so that the log can go
write_random /dev/md0 0 2048 a 64
wait_for 10 "bad blocks cleared" test -z "$(cat "$m1/bad_blocks")"
must mdadm --stop /dev/md0
must mdadm --assemble --quiet /dev/md0 --update=no-bbl "${DMS[@]}"
echo 16 >/sys/block/md0/md/stripe_cache_size || fail "set stripe_cache_size"
set_table 1 "flakey ${LOOPS[1]} 0 0 3600 1 error_reads"
verify_random /dev/md0 0 a
if ! grep -q '\[4/3\]' /proc/mdstat; then
	fail "member 1 without a bad-block log is still in the array"
fi
echo 3 >/proc/sys/vm/drop_caches
verify_random /dev/md0 0 a
set_table 1 "linear ${LOOPS[1]} 0"
stop_all
for i in 0 1 2 3; do dmsetup remove "r5xr$i" 2>/dev/null; done
r5x_unload_all
log "ok"
