#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Write errors on a degraded array (member 0 failed and removed; four
# members, 64 KiB chunks, left-symmetric: rows 4, 8 and 12 have parity on
# member 3 and data chunks 0, 1, 2 on members 0, 1, 2), as md's raid5:
#  A. the write of a block on member 1 fails: its data can be neither
#     stored nor rebuilt (member 0 is gone), so the write fails (EIO);
#     the block is recorded bad on member 1, which stays;
#  B. the parity write fails and the data block's own write succeeds:
#     the write succeeds and reads back exact; the parity block is
#     recorded bad on member 3, which stays; member 0's block of that
#     stripe has no copy left and reads give EIO, not wrong data;
#  C. the parity cannot be read (dm-error: reads and writes fail), so a
#     small write cannot update it: EIO, as raid5; the unreadable block
#     is recorded bad on member 3, which stays.
# Every other row reads back exact.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
modprobe dm-flakey
mkloops 4 16
dm_members r5xw
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=64 --layout=left-symmetric --bitmap=none --assume-clean "${DMS[@]}"
doff=$(md_data_offset "${DMS[1]}")
[ -n "$doff" ] || fail "no data offset"
ROW_KB=192
write_random /dev/md0 0 $((16 * ROW_KB)) all 64
must mdadm /dev/md0 --fail "${DMS[0]}"
must mdadm /dev/md0 --remove "${DMS[0]}"
grep -q '\[4/3\]' /proc/mdstat || fail "array not degraded"
# start again without a stripe cache, so the writes below read the members
must mdadm --stop /dev/md0
must mdadm --assemble --run /dev/md0 "${DMS[@]:1}"
grep -q '\[4/3\]' /proc/mdstat || fail "array not degraded after assembly"
bb() { cat "/sys/block/md0/md/dev-$(dm_kname "r5xw$1")/bad_blocks"; }
expect_eq "$(bb 1)$(bb 3)" "" "bad blocks before the faults"

# faults: member 1 fails writes to its chunk of row 4; member 3 fails
# writes to its chunk of row 8 and every IO to its chunk of row 12
# (member sectors: 128 per row, after the data offset)
sz=$(dev_sectors "${LOOPS[1]}")
s4=$((doff + 4 * 128)) s8=$((doff + 8 * 128)) s12=$((doff + 12 * 128))
dm_load r5xw1 "0 $s4 linear ${LOOPS[1]} 0
$s4 128 flakey ${LOOPS[1]} $s4 0 3600 1 error_writes
$((s4 + 128)) $((sz - s4 - 128)) linear ${LOOPS[1]} $((s4 + 128))"
dm_load r5xw3 "0 $s8 linear ${LOOPS[3]} 0
$s8 128 flakey ${LOOPS[3]} $s8 0 3600 1 error_writes
$((s8 + 128)) $((s12 - s8 - 128)) linear ${LOOPS[3]} $((s8 + 128))
$s12 128 error
$((s12 + 128)) $((sz - s12 - 128)) linear ${LOOPS[3]} $((s12 + 128))"
echo 3 >/proc/sys/vm/drop_caches
problems=0
bad() {
	echo "BAD: $*"
	problems=$((problems + 1))
}

log "A: the data block's write fails"
mkref a 4
if dd if=/tmp/ref/a of=/dev/md0 bs=4k seek=$(((4 * ROW_KB + 64 + 8) / 4)) count=1 \
	oflag=direct status=none 2>/dev/null; then
	bad "A: the write succeeded, but its block is neither stored nor rebuildable"
fi
grep -qx "$((s4 + 16)) 8" <(bb 1) || bad "A: no bad block at $((s4 + 16)) on member 1: $(bb 1)"

log "B: the parity write fails, the data is stored"
mkref b 4
dd if=/tmp/ref/b of=/dev/md0 bs=4k seek=$(((8 * ROW_KB + 128 + 8) / 4)) count=1 \
	oflag=direct status=none || bad "B: the write failed, but its data was stored"
grep -qx "$((s8 + 16)) 8" <(bb 3) || bad "B: no bad block at $((s8 + 16)) on member 3: $(bb 3)"
got=$(sum_range /dev/md0 $((8 * ROW_KB + 128 + 8)) 4) || true
[ "$got" = "$(sum_ref b)" ] || bad "B: the acknowledged write reads back wrong"
echo 3 >/proc/sys/vm/drop_caches
if out=$(dd if=/dev/md0 bs=1k skip=$((8 * ROW_KB + 8)) count=4 iflag=direct status=none | cksum); then
	want=$(dd if=/tmp/ref/all bs=1k skip=$((8 * ROW_KB + 8)) count=4 status=none | cksum)
	# the stripe cache may still hold it from before the fault
	[ "$out" = "$want" ] || bad "B: member 0's block of the stripe reads back wrong data"
fi

log "C: the parity cannot be read"
mkref c 4
if dd if=/tmp/ref/c of=/dev/md0 bs=4k seek=$(((12 * ROW_KB + 64 + 8) / 4)) count=1 \
	oflag=direct status=none 2>/dev/null; then
	bad "C: the write succeeded without a parity to update"
fi
grep -qx "$((s12 + 16)) 8" <(bb 3) || bad "C: no bad block at $((s12 + 16)) on member 3: $(bb 3)"

grep -q '\[4/3\]' /proc/mdstat || bad "a member was failed: $(grep -A2 md0 /proc/mdstat)"
# every row without a fault reads back exact
for r in $(seq 0 15); do
	case $r in 4 | 8 | 12) continue ;; esac
	got=$(sum_range /dev/md0 $((r * ROW_KB)) $ROW_KB)
	want=$(dd if=/tmp/ref/all bs=1k skip=$((r * ROW_KB)) count=$ROW_KB status=none |
		cksum | cut -d' ' -f1,2)
	[ "$got" = "$want" ] || bad "row $r reads back wrong"
done
[ "$problems" = 0 ] || fail "$problems problems (see BAD lines)"
stop_all
for i in 0 1 2 3; do dmsetup remove "r5xw$i" 2>/dev/null; done
r5x_unload_all
log "ok"
