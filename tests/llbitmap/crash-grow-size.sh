#!/bin/bash
# rig: mem=1024 timeout=1200 personality=both
# A power cut during mdadm --grow --size on a lockless array.  md has the
# bitmap resized (its header then says the new size) before it writes its
# own superblocks with the new size.  The cut is placed exactly there: the
# members drop every write to md's superblock (sectors 8-15 of each, in
# front of the bitmap) from before the grow on, then everything.  The
# array must assemble as at boot with its old size (md-llbitmap2 before
# 2026-12-07 refused the bitmap: "bitmap covers N sectors, more than the
# array's M", and the array did not start), every acknowledged byte must
# read back, and growing again must work.  Then the same cut in a shrink:
# md comes back at the larger size, and the bitmap must cover all of it.
# RAID-5 under raid456 and raid456x (whose resize calls the bitmap's the
# same way), RAID-1 and RAID-10 (near=2, whose bitmap covers array sectors).
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh
. /tests/llbitmap/lib-crash.sh
. /tests/raid456x/lib-r5x.sh

# new_dmesg_has RE: a kernel message since this personality's case began
new_dmesg_has() {
	dmesg | tail -n +$((since + 1)) | grep -Eq "$1"
}

# drop_md_superblocks: from now on md's superblock writes are lost (the
# bitmap behind them, at $boff sectors from the superblock, is written)
drop_md_superblocks() {
	local i sz dl
	log "md's superblock writes are lost from here on"
	for i in "${!MEMBERS[@]}"; do
		sz=$(dev_sectors "${LOOPS[$i]}")
		dl="${LOOPS[$i]}"
		must dmsetup suspend "llbc$i"
		printf '%s\n' "0 8 linear $dl 0" "8 8 flakey $dl 8 0 3600 1 drop_writes" \
			"16 $((sz - 16)) linear $dl 16" | dmsetup load "llbc$i" ||
			fail "load the superblock-dropping table of llbc$i"
		must dmsetup resume "llbc$i"
	done
}

# grow_case N MDADM-OPTIONS...: the whole sequence on N fresh members
grow_case() {
	local n=$1 n0 n1 size0 size1 boff l
	shift
	since=$(dmesg | wc -l)
	crash_members "$n" 64
	must mdadm --create /dev/md0 --run "$@" --raid-devices="$n" \
		--metadata=1.2 --bitmap=lockless --size=16M "${MEMBERS[@]}"
	md_wait_idle md0
	fast_daemon md0
	boff=$(awk '$1 == "offset" { print $2 }' /sys/block/md0/md/llbitmap/metadata)
	[ -n "$boff" ] && [ "$boff" -ge 8 ] ||
		fail "bitmap offset '$boff' sectors from the superblock: it would share the dropped range"
	n0=$(chunks md0)
	size0=$(( $(dev_sectors /dev/md0) / 2 ))
	write_big /dev/md0 0 2048 a
	write_big /dev/md0 $((size0 - 1024)) 1024 b
	wait_settled md0

	drop_md_superblocks
	must mdadm --grow /dev/md0 --size=max
	md_wait_idle md0
	size1=$(( $(dev_sectors /dev/md0) / 2 ))
	[ "$size1" -gt "$size0" ] || fail "the array did not grow"
	log "grown to $size1 KiB, $(chunks md0) chunks; cut"
	power_cut
	power_back

	assemble_plain
	new_dmesg_has 'md0: bitmap covers [0-9]+ sectors, more than the array' ||
		fail "the cut did not fall between the bitmap's resize and md's superblock"
	expect_eq "$(( $(dev_sectors /dev/md0) / 2 ))" "$size0" "array KiB after the cut"
	expect_eq "$(chunks md0)" "$n0" "bitmap chunks after the cut"
	fast_daemon md0
	verify_big /dev/md0 0 a
	verify_big /dev/md0 $((size0 - 1024)) b
	wait_settled md0

	log "grow again"
	must mdadm --grow /dev/md0 --size=max
	md_wait_idle md0
	expect_eq "$(( $(dev_sectors /dev/md0) / 2 ))" "$size1" "array KiB after growing again"
	after_grow "$size0" "$size1" "${MEMBERS[@]}"
	n1=$(chunks md0)

	log "a shrink back to 16 MiB per member, cut short the same way"
	write_big /dev/md0 $((size1 - 8192)) 4096 d
	wait_settled md0
	drop_md_superblocks
	# mdadm shrinks the array's exported size first, then the members
	must mdadm --grow /dev/md0 --array-size=$((size0))K
	must mdadm --grow /dev/md0 --size=16M
	log "shrunk to $(( $(dev_sectors /dev/md0) / 2 )) KiB, $(chunks md0) chunks; cut"
	[ "$(chunks md0)" -lt "$n1" ] || fail "the bitmap did not shrink"
	power_cut
	power_back
	assemble_plain
	expect_eq "$(( $(dev_sectors /dev/md0) / 2 ))" "$size1" "array KiB after the cut"
	# the whole array is covered again; the part the header did not cover is
	# resynced (md-llbitmap2 before 2026-12-07 covered only the header's
	# size: writes past it were tracked by no state, so a crash during one
	# left parity that nothing would ever resync)
	expect_eq "$(chunks md0)" "$n1" "bitmap chunks after the cut"
	new_dmesg_has 'md0: bitmap covers [0-9]+ sectors, fewer than the array' ||
		fail "the cut did not fall between the bitmap's resize and md's superblock"
	fast_daemon md0
	wait_settled md0
	verify_big /dev/md0 $((size1 - 8192)) d
	verify_big /dev/md0 $((size1 - 1024)) c
	write_big /dev/md0 $((size1 - 2048)) 64 e
	wait_settled md0
	verify_big /dev/md0 0 a
	md_check md0
	must mdadm --stop /dev/md0
	since=$(dmesg | wc -l)
	must mdadm --assemble /dev/md0 "${MEMBERS[@]}"
	expect_eq "$(chunks md0)" "$n1" "bitmap chunks after a clean restart"
	new_dmesg_has 'md0: bitmap covers' &&
		fail "the header did not get the array's size: $(dmesg | grep 'bitmap covers' | tail -1)"
	verify_big /dev/md0 $((size1 - 2048)) e
	must mdadm --stop /dev/md0
	cleanup_members
	for l in "${LOOPS[@]}"; do losetup -d "$l"; done
	rm -f /tmp/member*.img
	MEMBERS=()
	LOOPS=()
}

must modprobe md-mod
must modprobe md-llbitmap2
for pers in raid456 raid456x; do
	log "RAID-5 under $pers"
	use_personality "$pers"
	grow_case 4 --level=5 --chunk=64
done
log "RAID-1"
grow_case 2 --level=1
log "RAID-10 near=2"
grow_case 4 --level=10 --layout=n2 --chunk=64
r5x_unload_all
no_llb_errors
log "ok"
