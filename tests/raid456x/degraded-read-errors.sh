#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Read errors on a member the array cannot lose (RAID-5 missing one), as
# md's raid5 handles them: the unreadable block goes into the member's
# bad-block log and gives EIO, only that block; the member is never
# failed for read errors it cannot be spared for.
#  - A recovery onto a spare that meets 25 unreadable blocks on another
#    member (more than max_read_errors, 20) completes with the array up:
#    each block is recorded bad on that member and on the spare, and
#    every other block reads back exact.
#  - A chunk-aligned read (sent straight to one member) that fails is
#    retried block by block: only the block whose own read fails is
#    recorded bad and gives EIO; the rest of the chunk reads fine.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_fault_setup r5xd
array_kb=$(($(dev_sectors /dev/md0) / 2))
write_random /dev/md0 0 "$array_kb" a 192

# bb_sectors FILE LO HI: bad-block sectors listed in FILE within [LO, HI).
bb_sectors() {
	awk -v lo="$2" -v hi="$3" '$1 >= lo && $1 < hi { n += $2 } END { print n + 0 }' "$1"
}

# lost_kb REL: the array KiB offset of the data block at member sector
# REL (from the data offset) of member 0 and of member 1, where it holds
# data.  Left-symmetric, 4 members, 64 KiB chunks: row r has parity on
# member 3 - r % 4, data chunk d on member (parity + 1 + d) % 4.
lost_kb() {
	local rel=$1 r pd m d
	r=$((rel / 128))
	pd=$((3 - r % 4))
	for m in 0 1; do
		[ "$m" = "$pd" ] && continue
		d=$(((m - pd - 1 + 4) % 4))
		echo $(((r * 3 * 128 + d * 128 + rel % 128) / 2))
	done
}

log "recovery past 25 unreadable blocks of the member the array cannot lose"
must mdadm /dev/md0 --fail "${DMS[0]}"
must mdadm /dev/md0 --remove "${DMS[0]}"
faults=() expect=()
for k in $(seq 1 25); do
	# one block in each of rows 8..33, at varying offsets in the chunk
	rel=$((1024 + k * 128 + 8 * (k % 15)))
	faults+=($((doff + rel)) 8 error)
	mapfile -t -O "${#expect[@]}" expect < <(lost_kb "$rel")
done
# the rows with faults lie in the first 7 MiB of the array
[ $((rel / 128)) -lt $((7168 / 192 - 1)) ] || fail "faults beyond 7 MiB"
dm_faults r5xd 1 "${faults[@]}"
must mdadm /dev/md0 --add "$SPARE"
md_wait_idle md0 120
ms=/sys/block/md0/md/dev-$(basename "$SPARE")
grep -q '\[4/4\]' /proc/mdstat ||
	fail "recovery did not complete with member 1 in the array: $(grep -A2 ^md0 /proc/mdstat | tr '\n' ' ')"
expect_eq "$(bb_sectors "$m1/bad_blocks" 0 99999999)" 200 "bad sectors on member 1"
expect_eq "$(wc -l <"$ms/bad_blocks")" 25 "bad-block ranges on the spare"
expect_eq "$(bb_sectors "$ms/bad_blocks" 0 99999999)" 200 "bad sectors on the spare"
dm_load r5xd1 "0 $(dev_sectors "${LOOPS[1]}") linear ${LOOPS[1]} 0"
# block by block where the faults are (slow under TCG), 1 MiB at a time after
read_blocks /dev/md0 7168
got=$(differing_blocks /tmp/ref/a | tr '\n' ' ')
want=$(for kb in "${expect[@]}"; do echo $((kb / 4)); done | sort -n | uniq | tr '\n' ' ')
expect_eq "$got" "$want" "blocks that read back wrong (lost on two members)"
cmp <(dd if=/dev/md0 bs=1M skip=7 iflag=direct status=none) \
	<(dd if=/tmp/ref/a bs=1M skip=7 status=none) || fail "the array after 7 MiB"

log "a failed aligned read is retried block by block"
must mdadm /dev/md0 --fail "$SPARE"
must mdadm /dev/md0 --remove "$SPARE"
# row 0: parity on member 3, array chunk 1 (64 KiB) on member 1; its
# third 4 KiB block (member sector 16) fails
dm_faults r5xd 1 $((doff + 16)) 8 error
if dd if=/dev/md0 of=/dev/null bs=64k skip=1 count=1 iflag=direct status=none 2>/dev/null; then
	fail "the aligned read over the unreadable block succeeded"
fi
dm_load r5xd1 "0 $(dev_sectors "${LOOPS[1]}") linear ${LOOPS[1]} 0"
for b in $(seq 0 15); do
	kb=$((64 + b * 4))
	if [ "$b" = 2 ]; then
		unreadable /dev/md0 "$kb" 4 || fail "array ${kb} KiB (bad on member 1) read"
		continue
	fi
	expect_eq "$(sum_range /dev/md0 "$kb" 4)" "$(ref_sum a "$kb" 4)" "array ${kb} KiB after the aligned read error"
done
expect_eq "$(bb_sectors "$m1/bad_blocks" "$doff" $((doff + 128)))" 8 "bad sectors of member 1 in chunk 1"
has_bad "$m1/bad_blocks" $((doff + 16)) || fail "member 1 bad blocks: $(cat "$m1/bad_blocks")"
# a block that read fine stays writable
write_random /dev/md0 68 4 b 4
verify_random /dev/md0 68 b
grep -q '\[4/3\]' /proc/mdstat || fail "array state: $(grep -A2 ^md0 /proc/mdstat | tr '\n' ' ')"
stop_all
for i in 0 1 2 3; do dmsetup remove "r5xd$i" 2>/dev/null; done
r5x_unload_all
log "ok"
