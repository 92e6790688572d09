#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# RAID-6 bad blocks and read errors.  Five members behind device-mapper,
# parity-last (data chunks on members 0-2, P on 3, Q on 4), 64 KiB chunks:
# the block 32 KiB into row 0's chunks is array 32, 96 and 160 KiB.
#  - That block unreadable on member 1, then on members 1 and 0: rebuilt
#    from P and Q, read back exact, recorded in each member's bad-block
#    log; the members stay.
#  - Unreadable on P too (three in one stripe): the two lost data blocks
#    give EIO, never other data; P's block is logged with a message naming
#    md0; the rest of the row reads back exact.  A recovery onto a spare
#    records the lost block there ("three or more members"), check
#    completes, and the logs survive reassembly.  A whole-row write there
#    fails (EIO, as raid456: more members lost than parity covers; each
#    other block then holds its old or its new data) or reads back exact.
#  - Members failing every read but taking writes (dm-flakey): one, then
#    two at once.  Up to stripe_cache_size read errors in a row (raid5's
#    limit) every block is rebuilt, rewritten and read back; the read-back
#    fails too, so the block is recorded as bad ("read error not
#    corrected", as md's raid5); past the limit the blocks are recorded
#    without the rewrite.  Both members stay either way, and every byte
#    reads back; re-added, check is clean and r5parity agrees with P and
#    Q.  (A read error that the rewrite cures: read-error-reread.sh.)
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
modprobe dm-flakey
mkloops 6 8
SPARE=${LOOPS[5]}
unset 'LOOPS[5]'
dm_members r6e
must mdadm --create /dev/md0 --run --quiet --level=6 --raid-devices=5 \
	--chunk=64 --layout=parity-last --bitmap=none --assume-clean "${DMS[@]}"
doff=$(md_data_offset "${DMS[1]}")
[ -n "$doff" ] || fail "no data offset"
mdir() { echo "/sys/block/md0/md/dev-$1"; }
m() { mdir "$(dm_kname "r6e$1")"; }
expect_eq "$(cat "$(m 1)/bad_blocks")" "" "bad blocks of a new member"
bb=$((doff + 64))
write_random /dev/md0 0 1152 a 64
expect_eq "$(dd if="${LOOPS[1]}" bs=512 skip=$bb count=8 iflag=direct status=none |
	cksum | cut -d' ' -f1,2)" "$(ref_sum a 96 4)" "array 96 KiB on member 1 (layout)"
# restart: nothing of the stripe in the cache, every read goes to members
restart() {
	must mdadm --stop /dev/md0
	must mdadm --assemble --run /dev/md0 "$@"
}

log "one member: rebuilt, recorded, the member stays"
restart "${DMS[@]}"
dm_holes r6e 1 $bb 8
verify_random /dev/md0 0 a
wait_for 10 "the bad block on member 1" has_bad "$(m 1)/bad_blocks" $bb
grep -q '\[5/5\]' /proc/mdstat || fail "the bad block failed member 1"
dmesg_has "raid456x:md0: write error on .*: 8 sectors at 64 recorded as a bad block" ||
	fail "no bad-block message"

log "two members of one stripe: still rebuilt from P and Q"
restart "${DMS[@]}"
dm_holes r6e 0 $bb 8
verify_random /dev/md0 0 a
wait_for 10 "the bad block on member 0" has_bad "$(m 0)/bad_blocks" $bb
has_bad "$(m 1)/bad_blocks" $bb || fail "member 1 forgot its bad block"
grep -q '\[5/5\]' /proc/mdstat || fail "two bad blocks failed a member"

# check_lost WHEN [nodata]: array 32 and 96 KiB have no copy left (EIO);
# the rest of the data, array 160 KiB included, reads back exact.
check_lost() {
	local kb
	for kb in 32 96; do
		unreadable /dev/md0 $kb 4 ||
			fail "array $kb KiB read without error ($1): no copy of it exists"
	done
	[ "${2:-}" = nodata ] && return 0
	expect_eq "$(sum_range /dev/md0 0 32)" "$(ref_sum a 0 32)" "array 0-32 KiB ($1)"
	expect_eq "$(sum_range /dev/md0 36 60)" "$(ref_sum a 36 60)" "array 36-96 KiB ($1)"
	expect_eq "$(sum_range /dev/md0 100 1052)" "$(ref_sum a 100 1052)" \
		"array 100-1152 KiB ($1)"
}

log "three members of one stripe: EIO, never other data"
restart "${DMS[@]}"
dm_holes r6e 3 $bb 8
check_lost "P unreadable"
wait_for 10 "the bad block on member 3" has_bad "$(m 3)/bad_blocks" $bb
dmesg_has "raid456x:md0: read error on .* not correctable: 8 sectors at 64 recorded as a bad block" ||
	fail "no message about the uncorrectable block"
grep -q '\[5/5\]' /proc/mdstat || fail "three bad blocks failed a member"

log "recovery of Q onto a spare records the lost block there"
must mdadm /dev/md0 --fail "${DMS[4]}"
must mdadm /dev/md0 --remove "${DMS[4]}"
check_lost "Q missing"
must mdadm /dev/md0 --add "$SPARE"
sleep 1
md_wait_idle md0
grep -q '\[5/5\]' /proc/mdstat || fail "recovery did not complete: $(cat /proc/mdstat)"
sdoff=$(md_data_offset "$SPARE")
has_bad "$(mdir "$(basename "$SPARE")")/bad_blocks" $((sdoff + 64)) ||
	fail "the spare does not list the lost block"
dmesg_has "raid456x:md0: sync: block at 64 is unreadable on three or more members" ||
	fail "no message about the lost block"
check_lost "after recovery"
md_check md0

log "the logs survive reassembly"
must mdadm --stop /dev/md0
for i in 0 1 3; do dm_holes r6e $i; done
must mdadm --assemble /dev/md0 "${DMS[@]:0:4}" "$SPARE"
grep -q '\[5/5\]' /proc/mdstat || fail "reassembly: $(cat /proc/mdstat)"
for i in 0 1 3; do
	has_bad "$(m $i)/bad_blocks" $bb || fail "member $i forgot its bad block"
done
mdadm --examine-badblocks "${DMS[3]}" | grep -q "^ *$bb for 8 sectors" ||
	fail "mdadm --examine-badblocks: $(mdadm --examine-badblocks "${DMS[3]}" 2>&1)"
check_lost reassembled
mkref row0 192
if dd if=/tmp/ref/row0 of=/dev/md0 bs=192k count=1 oflag=direct status=none 2>/dev/null; then
	log "the whole-row write succeeded"
	verify_random /dev/md0 0 row0
	expect_eq "$(sum_range /dev/md0 192 960)" "$(ref_sum a 192 960)" "array 192-1152 KiB"
else
	# a failed write leaves each block of its range old or new (the
	# other stripes took their shares), never anything else: only the
	# two lost blocks (8 and 24) are neither
	read_blocks /dev/md0 192
	neither=$(grep -Fx -f <(differing_blocks /tmp/ref/a) <(differing_blocks /tmp/ref/row0) |
		tr '\n' ' ')
	expect_eq "$neither" "8 24 " "4 KiB blocks of row 0 neither old nor new after a failed write"
	check_lost "after a failed whole-row write" nodata
	expect_eq "$(sum_range /dev/md0 192 960)" "$(ref_sum a 192 960)" "array 192-1152 KiB"
fi
md_check md0
must mdadm --stop /dev/md0
for d in "${DMS[@]}"; do must mdadm --zero-superblock "$d"; done
must mdadm --create /dev/md0 --run --quiet --level=6 --raid-devices=5 \
	--chunk=64 --layout=parity-last --bitmap=none --assume-clean "${DMS[@]}"

log "read errors on one member, below the limit: rewritten, read back, recorded"
write_random /dev/md0 0 2048 r 64
restart "${DMS[@]}"
# the limit: more than the ~170 blocks of a member read here
echo 1024 >/sys/block/md0/md/stripe_cache_size || fail "set stripe_cache_size"
# data_rfail I: member I fails every read of its data area (its superblock
# stays readable, so that the array can be restarted)
data_rfail() {
	dm_faults r6e "$1" "$doff" $(($(dev_sectors "${LOOPS[$1]}") - doff)) rfail
}
c1=$(cat "$(m 1)/errors")
data_rfail 1
verify_random /dev/md0 0 r
grep -q '\[5/5\]' /proc/mdstat || fail "member 1 failed below the limit"
dmesg_has 'raid456x:md0: read error not corrected' ||
	fail "read errors were not rewritten and read back"
[ -n "$(cat "$(m 1)/bad_blocks")" ] || fail "no bad blocks on member 1"
expect_eq "$(cat "$(m 1)/errors")" "$c1" "sectors of member 1 counted as corrected"

log "read errors on two members at once: rebuilt from P and Q"
restart "${DMS[@]}"
echo 1024 >/sys/block/md0/md/stripe_cache_size || fail "set stripe_cache_size"
data_rfail 2
verify_random /dev/md0 0 r
grep -q '\[5/5\]' /proc/mdstat || fail "a member failed below the limit"
for i in 1 2; do
	[ -n "$(cat "$(m $i)/bad_blocks")" ] || fail "no bad blocks on member $i"
done

log "past the limit: recorded as bad blocks, both stay, the data is all there"
# readable again and written over: the logs forget every block (the
# rebuilds read all of row 10, of which 2048-2112 KiB lie past "r")
dm_holes r6e 1
dm_holes r6e 2
write_random /dev/md0 0 2048 r 64
write_random /dev/md0 2048 64 rtail 64
for i in 1 2; do
	wait_for 10 "member $i's bad blocks cleared" test -z "$(cat "$(m $i)/bad_blocks")"
done
restart "${DMS[@]}"
echo 16 >/sys/block/md0/md/stripe_cache_size || fail "set stripe_cache_size"
data_rfail 1
data_rfail 2
verify_random /dev/md0 0 r
grep -q '\[5/5\]' /proc/mdstat || fail "a member failed past the limit"
dmesg_has 'raid456x:md0: .*read errors in a row > 16 stripes' ||
	fail "no message about the read error limit"
for i in 1 2; do
	[ -n "$(cat "$(m $i)/bad_blocks")" ] || fail "no bad blocks on member $i"
done
restart "${DMS[0]}" "${DMS[3]}" "${DMS[4]}"
verify_random /dev/md0 0 r

log "re-added: recovered, check clean, raw P and Q right"
for i in 1 2; do
	dm_holes r6e $i
	must mdadm --zero-superblock "${DMS[$i]}"
	must mdadm /dev/md0 --add "${DMS[$i]}"
done
sleep 1
md_wait_idle md0
grep -q '\[5/5\]' /proc/mdstat || fail "not recovered: $(cat /proc/mdstat)"
md_check md0
verify_random /dev/md0 0 r
must mdadm --stop /dev/md0
drop_caches "${LOOPS[@]}"
out=$(r5parity --max-report 5 "${LOOPS[@]}" 2>&1) ||
	fail "r5parity: $out"
r5x_dmesg_clean
for i in 0 1 2 3 4; do dmsetup remove "r6e$i"; done
r5x_unload_all
log "ok"
