#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Members behind device-mapper.  Read errors (dm-flakey error_reads) are
# answered from the other members and rewritten, and the member stays in
# the array; write errors (dm-error) fail the member and the data stays
# readable; a second failure fails the array cleanly: EIO, no hang.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
modprobe dm-mod; modprobe dm-flakey
mkloops 4 32
DMS=()
for i in 0 1 2 3; do
	sz=$(dev_sectors "${LOOPS[$i]}")
	must dmsetup create r5xf$i --table "0 $sz linear ${LOOPS[$i]} 0"
	dmsetup mknodes r5xf$i >/dev/null 2>&1 || true
	[ -b /dev/mapper/r5xf$i ] || fail "no /dev/mapper/r5xf$i"
	DMS+=("/dev/mapper/r5xf$i")
done
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=64 --bitmap=none --assume-clean "${DMS[@]}"
write_random /dev/md0 0 2048 a
verify_random /dev/md0 0 a

# set_table I TABLE-TAIL: swap member I's mapping
set_table() {
	local sz
	sz=$(dev_sectors "${LOOPS[$1]}")
	must dmsetup suspend --noflush r5xf$1
	must dmsetup load r5xf$1 --table "0 $sz $2"
	must dmsetup resume r5xf$1
}

log "read errors on member 1"
sz1=$(dev_sectors "${LOOPS[1]}")
set_table 1 "flakey ${LOOPS[1]} 0 0 3600 1 error_reads"
echo 3 >/proc/sys/vm/drop_caches
verify_random /dev/md0 0 a
grep -q '\[4/4\]' /proc/mdstat || fail "a read error failed the member"
dmesg_has 'raid456x:md0: read error corrected' || fail "read errors were not rewritten"
fixed=$(cat /sys/block/md0/md/dev-dm-1/errors 2>/dev/null || echo 0)
[ "$fixed" -gt 0 ] || fail "no corrected errors counted on member 1"
set_table 1 "linear ${LOOPS[1]} 0"
md_check md0

log "write errors on member 2"
set_table 2 "error"
write_random /dev/md0 10000 2048 b
grep -q '\[4/3\]' /proc/mdstat || fail "write error did not fail the member"
verify_random /dev/md0 0 a
verify_random /dev/md0 10000 b

log "second failure: member 0"
set_table 0 "error"
if dd if=/tmp/ref/a of=/dev/md0 bs=64k count=16 oflag=direct status=none 2>/dev/null &&
	dd if=/dev/md0 of=/dev/null bs=64k count=256 iflag=direct status=none 2>/dev/null; then
	fail "IO succeeded with two members failed"
fi
grep -q '\[4/2\]\|\[4/3\]' /proc/mdstat || fail "unexpected array state"
must mdadm --stop /dev/md0
for i in 0 1 2 3; do dmsetup remove r5xf$i; done
dmesg_has 'raid456x:md0: cannot continue operation' || fail "no clean array failure message"
r5x_unload_all
log "ok"
