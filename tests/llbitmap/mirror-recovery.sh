#!/bin/bash
# rig: mem=1536 timeout=900
# Issue 16 item 5: recovery of RAID-1 and RAID-10 onto a fresh member, for
# every layout md-llbitmap2 accepts.  After a discard of the whole array,
# data is written in pieces spread over it (never-written gaps in between
# stay Unwritten, so the bitmap lets the recovery skip them), a member is failed, removed and
# replaced by a fresh device, and after the recovery:
#  - every piece reads back exact;
#  - the array, stopped and assembled read-only without each other member
#    in turn, still returns every piece (reads of what the lost member
#    mirrored come from the new member), and RAID-1 returns them from the
#    new member alone;
#  - a check of the whole array finds no mismatch.
# RAID-10 recovery walks member offsets while the bitmap indexes array
# sectors: a lookup at the member offset skipped regions holding data.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
must modprobe raid1
must modprobe raid10
modprobe loop max_loop=64 2>/dev/null || true
MB=96
PIECE=256

# new_loop: a fresh sparse loop device (never written), printed.
new_loop() {
	local f
	f=$(mktemp /tmp/mirror.XXXXXX) || fail "mktemp"
	truncate -s "${MB}M" "$f"
	losetup -f --show "$f" || fail "losetup $f"
}

# piece_offsets ARRAY_KB BLOCK_KB: PIECE-KiB pieces in every other block
# of 512 bitmap chunks (one write there makes the whole block Dirty, so
# the odd blocks are the never-written gaps), and one at the very end.
piece_offsets() {
	local a=$1 blk=$2 k o
	for k in $(seq 0 $(( (a - 1) / blk ))); do
		[ $((k % 2)) = 0 ] || continue
		for o in $((k * blk + 64 * (k % 3))) $((k * blk + blk / 2 + 192)); do
			[ $((o + PIECE)) -le "$a" ] && echo "$o"
		done
	done
	echo $(( a / 64 * 64 - PIECE ))
}

# verify_pieces MD TAG
verify_pieces() {
	local i=0 o
	for o in $OFFS; do
		verify_big "/dev/$1" "$o" "$2-$i"
		i=$((i + 1))
	done
}

# run_layout TAG LEVEL N [mdadm options]: the whole test on one geometry.
run_layout() {
	local tag=$1 level=$2 n=$3 i k devs fresh old akb o slot f before got
	shift 3
	DEVS=()
	for i in $(seq 0 $((n - 1))); do
		DEVS+=("$(new_loop)")
	done
	must mdadm --create /dev/md0 --run --level="$level" --raid-devices="$n" \
		--metadata=1.2 --bitmap=lockless "$@" "${DEVS[@]}"
	md_wait_idle md0
	fast_daemon md0
	akb=$(( $(dev_sectors /dev/md0) / 2 ))
	# mdadm creates RAID-1/10 bitmaps all Clean: a discard of the whole
	# array makes every chunk Unwritten, as a fresh filesystem's would.
	must blkdiscard /dev/md0
	expect_bits md0 unwritten "$(chunks md0)"
	OFFS=$(piece_offsets "$akb" $((512 * $(chunk_kb md0))))
	i=0
	for o in $OFFS; do
		write_big /dev/md0 "$o" "$PIECE" "$tag-$i"
		i=$((i + 1))
	done
	wait_settled md0
	log "$tag: array ${akb} KiB, chunk $(chunk_kb md0) KiB: $(bits_line md0)"
	[ "$(bits md0 unwritten)" -gt 0 ] || fail "$tag: no unwritten gaps left"

	# Member 1 replaced by a fresh device.
	slot=1
	old=${DEVS[$slot]}
	fresh=$(new_loop)
	must mdadm /dev/md0 --fail "$old"
	must mdadm /dev/md0 --remove "$old"
	before=$(member_write_kb "$fresh")
	must mdadm /dev/md0 --add "$fresh"
	DEVS[$slot]=$fresh
	for i in $(seq 1 1500); do
		[ "$(md_sysfs md0 degraded)" = 0 ] && break
		sleep 0.2
	done
	expect_eq "$(md_sysfs md0 degraded)" 0 "$tag: degraded after the recovery"
	md_wait_idle md0
	wait_settled md0
	got=$(member_write_kb "$fresh")
	got=$(( ${got%.*} - ${before%.*} ))
	log "$tag: recovered: the new member got $got of $((MB * 1024)) KiB: $(bits_line md0)"
	# the never-written half of the array is skipped (not only correct)
	[ "$got" -lt $((MB * 1024 * 9 / 10)) ] || fail "$tag: recovery skipped nothing"
	verify_pieces md0 "$tag"
	must mdadm --stop /dev/md0

	# Each other member missing in turn.
	for k in $(seq 0 $((n - 1))); do
		[ "$k" = "$slot" ] && continue
		devs=()
		for i in $(seq 0 $((n - 1))); do
			[ "$i" = "$k" ] || devs+=("${DEVS[$i]}")
		done
		drop_caches "${devs[@]}"
		must mdadm --assemble --readonly --run /dev/md1 "${devs[@]}"
		verify_pieces md1 "$tag"
		must mdadm --stop /dev/md1
		log "$tag: exact without member $k"
	done
	if [ "$level" = 1 ]; then
		drop_caches "$fresh"
		must mdadm --assemble --readonly --run /dev/md1 "$fresh"
		verify_pieces md1 "$tag"
		must mdadm --stop /dev/md1
		log "$tag: exact from the new member alone"
	fi
	# and every copy agrees
	must mdadm --assemble /dev/md0 "${DEVS[@]}"
	md_check md0
	must mdadm --stop /dev/md0
	for i in "${DEVS[@]}" "$old"; do
		mdadm --zero-superblock "$i" >/dev/null 2>&1
		f=$(loop_file "$i")
		losetup -d "$i"
		rm -f "$f"
	done
	rm -f /tmp/ref/"$tag"-*
}

run_layout r10n2x4 10 4 --layout=n2
run_layout r10n2x3 10 3 --layout=n2
run_layout r10f2x4 10 4 --layout=f2
run_layout r10o2x4 10 4 --layout=o2
run_layout r1x2 1 2
run_layout r1x3 1 3
no_llb_errors
log "ok"
