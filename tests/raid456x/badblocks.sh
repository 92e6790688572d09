#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Bad blocks: errors in part of a member, behind device-mapper.
#  - A block that can be read from no member copy and not rewritten is
#    recorded in the member's bad-block log; the member stays in the
#    array and the block is rebuilt from the others, never read again.
#  - A write that records a new bad block completes only once the
#    superblocks (with the log) are written: unacknowledged, a crash
#    would bring the stale block back as current.
#  - A write that succeeds over a recorded bad block clears it.
#  - Two unreadable copies in one stripe: only those blocks give EIO;
#    a recovery onto a spare records them as bad there and completes,
#    check completes, and the log survives reassembly.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_fault_setup r5xb
[ -f "$m1/bad_blocks" ] || fail "member 1 has no bad_blocks file"
expect_eq "$(cat "$m1/bad_blocks")" "" "bad blocks of a new member"

# member_reads NAME: read requests completed by a dm device so far.
member_reads() {
	awk '{ print $1 }' "/sys/block/$(dm_kname "$1")/stat"
}

# Row 0 of a 4-member left-symmetric array with 64 KiB chunks: parity on
# member 3, array chunk N on member N.  So member 1's blocks at 32 KiB
# and 40 KiB hold array 96 KiB and 104 KiB.
bad1=$((doff + 64))
bad2=$((doff + 80))
write_random /dev/md0 0 1024 a 64
expect_eq "$(dd if="${LOOPS[1]}" bs=512 skip=$bad1 count=8 iflag=direct status=none |
	cksum | cut -d' ' -f1,2)" "$(ref_sum a 96 4)" "array 96 KiB on member 1 (layout)"

# restart: nothing in the stripe cache, so a read goes to the members (a
# failed aligned read is retried through stripes, and a cached stripe
# serves it without reading the member again, as in raid5)
restart() {
	must mdadm --stop /dev/md0
	must mdadm --assemble --quiet --run /dev/md0 "${DMS[@]}"
}

log "a read error that cannot be rewritten is recorded, and the member stays"
restart
dm_holes r5xb 1 $bad1 8
verify_random /dev/md0 0 a
wait_for 10 "the bad block on member 1" has_bad "$m1/bad_blocks" $bad1
grep -q '\[4/4\]' /proc/mdstat || fail "the bad block failed member 1"
dmesg_has "raid456x:md0: write error on .*: 8 sectors at 64 recorded as a bad block" ||
	fail "no bad-block message"
grep -q write_error "$m1/state" || fail "member 1 state: $(cat "$m1/state")"
reads=$(member_reads r5xb1)
expect_eq "$(sum_range /dev/md0 96 4)" "$(ref_sum a 96 4)" "array 96 KiB, rebuilt"
expect_eq "$(member_reads r5xb1)" "$reads" "member 1 reads of the bad block"

log "the write that records a bad block waits for the superblocks"
# Writes below the data offset (superblocks, bad-block logs) of the other
# members take 3 s.  The array is kept "active", so the write starts no
# superblock update of its own.  One 4 KiB direct write, no fsync: one
# stripe, whose completion is the write's completion.
echo 60 >/sys/block/md0/md/safe_mode_delay || fail "safe_mode_delay"
write_random /dev/md0 64 64 b 64
grep -q active /sys/block/md0/md/array_state || fail "array not active after a write"
for i in 0 2 3; do dm_slow_metadata r5xb $i "$doff"; done
dm_holes r5xb 1 $bad1 8 $bad2 8
mkref d 4
t0=$(date +%s%N)
must dd if=/tmp/ref/d of=/dev/md0 bs=4k seek=26 count=1 oflag=direct status=none
t1=$(date +%s%N)
unack=$(cat "$m1/unacknowledged_bad_blocks")
log "write took $(((t1 - t0) / 1000000)) ms; bad blocks: $(tr '\n' ' ' <"$m1/bad_blocks")"
expect_eq "$unack" "" "unacknowledged bad blocks when the write returned"
has_bad "$m1/bad_blocks" $bad2 || fail "the new bad block is not recorded"
[ $(((t1 - t0) / 1000000)) -ge 2500 ] || fail "the write returned before the superblocks were written"
for i in 0 2 3; do dm_holes r5xb $i; done
expect_eq "$(sum_range /dev/md0 104 4)" "$(sum_ref d)" "array 104 KiB"
expect_eq "$(sum_range /dev/md0 64 40)" "$(ref_sum b 0 40)" "array 64-104 KiB"
expect_eq "$(sum_range /dev/md0 108 20)" "$(ref_sum b 44 20)" "array 108-128 KiB"
grep -q '\[4/4\]' /proc/mdstat || fail "bad blocks failed member 1"

log "a successful write over bad blocks clears them"
dm_holes r5xb 1
write_random /dev/md0 64 64 c 64
wait_for 10 "bad blocks cleared" test -z "$(cat "$m1/bad_blocks")"
verify_random /dev/md0 64 c
md_check md0

log "two unreadable copies in one stripe"
restart
dm_holes r5xb 1 $bad1 8
verify_random /dev/md0 64 c
wait_for 10 "the bad block on member 1 again" has_bad "$m1/bad_blocks" $bad1
must mdadm /dev/md0 --fail "${DMS[0]}"
must mdadm /dev/md0 --remove "${DMS[0]}"
# check_lost_stripe WHEN [cached]: member 0's and member 1's blocks at
# 32 KiB (array 32 and 96 KiB) are lost and give EIO; with "cached" the
# stripe cache may still hold them from before member 0 failed, and then
# they must read back exact.  Everything else reads back exact.
check_lost_stripe() {
	local kb ref
	for kb in 32 96; do
		ref=$(if [ $kb = 32 ]; then ref_sum a 32 4; else ref_sum c 32 4; fi)
		if dd if=/dev/md0 of=/tmp/lost bs=1k skip=$kb count=4 iflag=direct status=none 2>/dev/null; then
			[ "${2:-}" = cached ] ||
				fail "array ${kb} KiB read without error ($1): no copy of it exists"
			expect_eq "$(cksum </tmp/lost | cut -d' ' -f1,2)" "$ref" "array ${kb} KiB from the cache ($1)"
		fi
	done
	expect_eq "$(sum_range /dev/md0 0 32)" "$(ref_sum a 0 32)" "array 0-32 KiB ($1)"
	expect_eq "$(sum_range /dev/md0 36 28)" "$(ref_sum a 36 28)" "array 36-64 KiB ($1)"
	expect_eq "$(sum_range /dev/md0 64 32)" "$(ref_sum c 0 32)" "array 64-96 KiB ($1)"
	expect_eq "$(sum_range /dev/md0 100 28)" "$(ref_sum c 36 28)" "array 100-128 KiB ($1)"
	expect_eq "$(sum_range /dev/md0 128 896)" "$(ref_sum a 128 896)" "array 128-1024 KiB ($1)"
}
check_lost_stripe degraded cached

log "recovery onto a spare records the lost blocks there and completes"
must mdadm /dev/md0 --add "$SPARE"
sleep 1
md_wait_idle md0
grep -q '\[4/4\]' /proc/mdstat || fail "recovery did not complete: $(cat /proc/mdstat)"
ms=/sys/block/md0/md/dev-$(basename "$SPARE")
sdoff=$(md_data_offset "$SPARE")
has_bad "$ms/bad_blocks" $((sdoff + 64)) ||
	fail "the spare does not list the lost block: $(cat "$ms/bad_blocks")"
dmesg_has "raid456x:md0: sync: block at 64 is unreadable on two members" ||
	fail "no message about the lost block"
check_lost_stripe "after recovery"
md_check md0

log "the bad-block logs survive reassembly"
must mdadm --stop /dev/md0
dm_holes r5xb 1
must mdadm --assemble /dev/md0 "$SPARE" "${DMS[1]}" "${DMS[2]}" "${DMS[3]}"
grep -q '\[4/4\]' /proc/mdstat || fail "reassembly: $(cat /proc/mdstat)"
has_bad "$m1/bad_blocks" $bad1 || fail "member 1 forgot its bad block"
mdadm --examine-badblocks "${DMS[1]}" | grep -q "^ *$bad1 for 8 sectors" ||
	fail "mdadm --examine-badblocks: $(mdadm --examine-badblocks "${DMS[1]}" 2>&1)"
check_lost_stripe reassembled

r5x_dmesg_clean
must mdadm --stop /dev/md0
for i in 0 1 2 3; do dmsetup remove r5xb$i; done
r5x_unload_all
log "ok"
