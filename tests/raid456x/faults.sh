#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Members behind device-mapper.  Read errors (dm-flakey error_reads) are
# answered from the other members, rewritten and read back; the read-back
# fails too, so each block is recorded as bad, and the member stays in the
# array; write errors everywhere (dm-error, superblock included) fail
# the member and the data stays readable; a second failure fails the
# array cleanly: EIO, no hang.  Bad blocks (errors in part of a member):
# tests/raid456x/badblocks.sh.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
modprobe dm-flakey
mkloops 4 32
dm_members r5xf
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=64 --layout=left-symmetric --bitmap=none --assume-clean "${DMS[@]}"
write_random /dev/md0 0 2048 a
verify_random /dev/md0 0 a

# set_table I TABLE-TAIL: member I's whole range through TABLE-TAIL
set_table() {
	dm_load r5xf$1 "0 $(dev_sectors "${LOOPS[$1]}") $2"
}

log "read errors on member 1"
# every block of member 1 fails a read here (~170), more errors in a row
# than raid5's limit (stripe_cache_size, default 256) may be: past it the
# blocks would be recorded as bad (read-errors-limit.sh tests that).  The
# restart empties the stripe cache, which would serve the retried reads.
must mdadm --stop /dev/md0
must mdadm --assemble --quiet /dev/md0 "${DMS[@]}"
echo 1024 >/sys/block/md0/md/stripe_cache_size || fail "stripe_cache_size"
set_table 1 "flakey ${LOOPS[1]} 0 0 3600 1 error_reads"
echo 3 >/proc/sys/vm/drop_caches
verify_random /dev/md0 0 a
grep -q '\[4/4\]' /proc/mdstat || fail "a read error failed the member"
dmesg_has 'raid456x:md0: read error not corrected' ||
	fail "read errors were not rewritten and read back"
[ -n "$(cat /sys/block/md0/md/dev-dm-1/bad_blocks)" ] ||
	fail "no bad blocks recorded on member 1"
set_table 1 "linear ${LOOPS[1]} 0"
# the same data over it: every recorded block is good again
write_random /dev/md0 0 2048 a
wait_for 10 "member 1's bad blocks cleared" test -z "$(cat /sys/block/md0/md/dev-dm-1/bad_blocks)"
md_check md0

log "write errors on member 2: acknowledged only once the superblocks say so"
# Writes to the metadata area of the other members (superblock, below the
# data offset) wait 3 s in dm-delay; data writes do not.  The write that
# fails member 2 must not complete before md has recorded the failure, so
# it takes those 3 s and the superblocks read right after it show member 2
# gone.  Were it acknowledged at once, a crash in those 3 s would bring
# member 2 back as in sync with a stale block.
# Keep the array "active" on disk, so the stripe write below starts no
# superblock update of its own (md would then find the failure first).
echo 60 >/sys/block/md0/md/safe_mode_delay || fail "safe_mode_delay"
write_random /dev/md0 4000 64 w
grep -q 'active' /sys/block/md0/md/array_state || fail "array not active after a write"
doff=$(md_data_offset "${DMS[0]}")
[ -n "$doff" ] || fail "no data offset"
for i in 0 1 3; do dm_slow_metadata r5xf $i "$doff"; done
set_table 2 "error"
t0=$(date +%s%N)
# One 4 KiB block on member 2 (row 40 of the left-symmetric layout: parity
# on member 3, chunk 2 on member 2), direct and without fsync: one stripe,
# whose completion is the write's completion.
mkref s 4
must dd if=/tmp/ref/s of=/dev/md0 bs=4k seek=$(((40 * 192 + 128) / 4)) count=1 oflag=direct status=none
t1=$(date +%s%N)
drop_caches "${DMS[0]}"
state=$(mdadm --examine "${DMS[0]}" | sed -n 's/^ *Array State : \([^ ]*\).*/\1/p')
log "stripe write took $(( (t1 - t0) / 1000000 )) ms; superblock array state: $state; $(tr '\n' ' ' </sys/block/md0/md/r5x_stats)"
expect_eq "$state" "AA.A" "array state on disk when the failing write returned"
[ $(( (t1 - t0) / 1000000 )) -ge 2500 ] || fail "the failing write returned before the superblocks were written"
for i in 0 1 3; do set_table $i "linear ${LOOPS[$i]} 0"; done
verify_random /dev/md0 $((40 * 192 + 128)) s
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
