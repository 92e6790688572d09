#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=900
# Issue 15 item 5: a block that failed a read is rebuilt from the others,
# rewritten, and then read back; only a read-back that succeeds makes the
# error "corrected", as in md's raid5 (7.3: R5_ReWrite, then
# raid5_end_read_request).  Member 1 sits on a memory-backed null_blk
# device behind device-mapper.  For RAID-5 and RAID-6:
#  - sectors that fail one read and are fine once written (a disk that
#    remaps a pending sector; null_blk badblocks_once): "read error
#    corrected", the member's errors count grows by exactly the rewritten
#    sectors, no bad block is recorded, the member stays;
#  - sectors that take the write but still cannot be read (dm-flakey
#    error_reads over a range): "read error not corrected", each block is
#    in the member's bad-block log at once (not only after
#    stripe_cache_size errors in a row), nothing counts as corrected, the
#    member stays; written over later, the log forgets them;
#  - the same without a bad-block log: the member is failed.
# Every byte reads back exact at every step; check finds no mismatch.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
modprobe dm-flakey
modprobe null_blk nr_devices=0 || fail "load null_blk"
grep -q ' /sys/kernel/config ' /proc/mounts || mount -t configfs none /sys/kernel/config ||
	fail "mount configfs"
NB=/sys/kernel/config/nullb/r5xnb
mkdir "$NB" || fail "configfs nullb device"
echo 1 >"$NB/memory_backed" && echo 16 >"$NB/size" && echo 1 >"$NB/badblocks_once" &&
	echo 1 >"$NB/power" || fail "configure null_blk"
[ -b /dev/r5xnb ] || fail "no /dev/r5xnb"
# null_blk fails a whole request that touches a bad range: keep md's 4 KiB
# member IOs apart, so that an error is exactly the bad block's (a real
# disk's merged command fails whole too, but then the count is not exact)
echo 2 >/sys/block/r5xnb/queue/nomerges || fail "nomerges on r5xnb"
mkloops 5 16
LOOPS[1]=/dev/r5xnb
dm_members r5xrr
mdir() { echo "/sys/block/md0/md/dev-$(dm_kname "r5xrr$1")"; }
# new_dmesg_has RE: a kernel message since this level's array was made
new_dmesg_has() {
	dmesg | tail -n +$((since + 1)) | grep -Eq "$1"
}
restart() {
	must mdadm --stop /dev/md0
	must mdadm --assemble --quiet /dev/md0 "$@"
}

for level in 5 6; do
	n=$((level == 5 ? 4 : 5))
	devs=("${DMS[@]:0:$n}")
	log "RAID-$level on $n members"
	since=$(dmesg | wc -l)
	must mdadm --create /dev/md0 --run --quiet --level=$level --raid-devices=$n \
		--chunk=64 --bitmap=none --assume-clean "${devs[@]}"
	doff=$(md_data_offset "${DMS[0]}")
	[ -n "$doff" ] || fail "no data offset"
	# six whole rows: a later write of them rewrites every block
	write_random /dev/md0 0 1152 "a$level" 64
	restart "${devs[@]}"
	m1=$(mdir 1)
	c0=$(cat "$m1/errors")

	log "RAID-$level: sectors that read again once written: corrected"
	# 8 blocks, one in each of the first 8 chunks of member 1 (data or
	# parity), read first by check, through the stripes.  A plain read
	# would first try a chunk-aligned read past the stripe cache, whose
	# error is only retried through a stripe (as in raid5); the retry
	# then finds the block readable, and nothing was an error.
	for k in 0 1 2 3 4 5 6 7; do
		s=$((doff + k * 128 + 8))
		echo "+$s-$((s + 7))" >"$NB/badblocks" || fail "null_blk bad block $s"
	done
	md_check md0
	verify_random /dev/md0 0 "a$level"
	grep -q "\[$n/$n\]" /proc/mdstat || fail "a corrected read error failed member 1"
	new_dmesg_has 'raid456x:md0: read error corrected' || fail "no corrected read error"
	new_dmesg_has 'raid456x:md0: read error not corrected' &&
		fail "a block that reads again was called not corrected"
	expect_eq "$(cat "$m1/bad_blocks")" "" "bad blocks after corrected read errors"
	expect_eq "$(($(cat "$m1/errors") - c0))" 64 "sectors counted as corrected"

	log "RAID-$level: sectors that take the write but never read: recorded as bad"
	c1=$(cat "$m1/errors")
	bad=()
	faults=()
	for k in 1 3 5; do
		s=$((doff + k * 128 + 16))
		bad+=("$s")
		faults+=("$s" 8 rfail)
	done
	restart "${devs[@]}"
	dm_faults r5xrr 1 "${faults[@]}"
	verify_random /dev/md0 0 "a$level"
	md_check md0
	verify_random /dev/md0 0 "a$level"
	grep -q "\[$n/$n\]" /proc/mdstat || fail "member 1 failed although it has a bad-block log"
	new_dmesg_has 'raid456x:md0: read error not corrected: 8 sectors at [0-9]+ on dm-[0-9]+ do not read back' ||
		fail "no message for a rewrite that does not read back"
	for s in "${bad[@]}"; do
		has_bad "$m1/bad_blocks" "$s" ||
			fail "block at $s not recorded: $(tr '\n' ' ' <"$m1/bad_blocks")"
	done
	expect_eq "$(wc -l <"$m1/bad_blocks")" "${#bad[@]}" "bad blocks on member 1"
	expect_eq "$(cat "$m1/errors")" "$c1" "sectors counted as corrected"
	new_dmesg_has 'read errors in a row' && fail "the read error limit was reached"
	log "RAID-$level: written over, the bad blocks are forgotten"
	dm_load r5xrr1 "0 $(dev_sectors "${LOOPS[1]}") linear ${LOOPS[1]} 0"
	write_random /dev/md0 0 1152 "b$level" 64
	wait_for 10 "bad blocks cleared" test -z "$(cat "$m1/bad_blocks")"
	verify_random /dev/md0 0 "b$level"

	log "RAID-$level: the same without a bad-block log: member 1 is failed"
	must mdadm --stop /dev/md0
	must mdadm --assemble --quiet /dev/md0 --update=no-bbl "${devs[@]}"
	dm_faults r5xrr 1 "${faults[@]}"
	verify_random /dev/md0 0 "b$level"
	grep -q "\[$n/$((n - 1))\]" /proc/mdstat ||
		fail "member 1 without a bad-block log is still in the array: $(cat /proc/mdstat)"
	echo 3 >/proc/sys/vm/drop_caches
	verify_random /dev/md0 0 "b$level"
	dm_load r5xrr1 "0 $(dev_sectors "${LOOPS[1]}") linear ${LOOPS[1]} 0"
	must mdadm --stop /dev/md0
	for d in "${devs[@]}"; do mdadm --zero-superblock "$d" >/dev/null 2>&1; done
done

for i in "${!DMS[@]}"; do dmsetup remove "r5xrr$i" 2>/dev/null; done
echo 0 >"$NB/power"
rmdir "$NB"
r5x_unload_all
log "ok"
