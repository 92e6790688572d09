#!/bin/bash
# rig: mem=1536 timeout=900
# Issue 16 item 5, resync side: RAID-10 (near and far layouts) and RAID-1
# take a power cut (lib-crash.sh) while writes run all over the array.  A
# plain assembly resyncs what the bitmap marked (array sectors for
# RAID-10, which md's resync walks), after which every copy agrees (check)
# and every acknowledged piece reads back exact with each member missing.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh
. /tests/llbitmap/lib-crash.sh

llb_modules
must modprobe raid1
must modprobe raid10
PIECE=256

# run_layout TAG LEVEL N [mdadm options]
run_layout() {
	local tag=$1 level=$2 n=$3 akb blk k o i wpid skip devs
	shift 3
	MEMBERS=()
	LOOPS=()
	crash_members "$n" 96
	must mdadm --create /dev/md0 --run --level="$level" --raid-devices="$n" \
		--metadata=1.2 --bitmap=lockless "$@" "${MEMBERS[@]}"
	md_wait_idle md0
	must blkdiscard /dev/md0
	fast_daemon md0
	akb=$(( $(dev_sectors /dev/md0) / 2 ))
	blk=$((512 * $(chunk_kb md0)))
	# acknowledged pieces in every other bitmap block (see mirror-recovery.sh)
	OFFS=""
	for k in $(seq 0 $(( (akb - 1) / blk ))); do
		[ $((k % 2)) = 0 ] || continue
		o=$((k * blk + 64 * (k % 3)))
		[ $((o + PIECE)) -le "$akb" ] && OFFS="$OFFS $o"
	done
	i=0
	for o in $OFFS; do
		write_big /dev/md0 "$o" "$PIECE" "$tag-$i"
		i=$((i + 1))
	done
	# unacknowledged writes everywhere (also in the never-written blocks)
	# while the power goes
	(
		while :; do
			for k in $(seq 1 2 $(( (akb - 1) / blk ))); do
				dd if=/dev/urandom of=/dev/md0 bs=64k count=4 \
					seek=$(( (k * blk + blk / 2) / 64 )) oflag=direct \
					status=none 2>/dev/null
			done
		done
	) &
	wpid=$!
	sleep 3
	log "$tag: at the cut: $(bits_line md0)"
	power_cut
	sleep 1
	kill "$wpid"
	wait "$wpid" 2>/dev/null
	power_back
	assemble_plain
	log "$tag: after assembly: $(bits_line md0) $(md_sysfs md0 sync_action)"
	fast_daemon md0
	wait_settled md0 300
	md_check md0
	i=0
	for o in $OFFS; do
		verify_big /dev/md0 "$o" "$tag-$i"
		i=$((i + 1))
	done
	must mdadm --stop /dev/md0
	for skip in $(seq 0 $((n - 1))); do
		devs=()
		for i in $(seq 0 $((n - 1))); do
			[ "$i" = "$skip" ] || devs+=("${MEMBERS[$i]}")
		done
		drop_caches "${devs[@]}"
		must mdadm --assemble --readonly --run /dev/md1 "${devs[@]}"
		i=0
		for o in $OFFS; do
			verify_big /dev/md1 "$o" "$tag-$i"
			i=$((i + 1))
		done
		must mdadm --stop /dev/md1
	done
	log "$tag: exact without each member"
	cleanup_members
	for i in "${LOOPS[@]}"; do
		o=$(loop_file "$i")
		losetup -d "$i"
		rm -f "$o"
	done
	rm -f /tmp/ref/"$tag"-*
}

run_layout r10n2x4 10 4 --layout=n2
run_layout r10f2x4 10 4 --layout=f2
run_layout r1x2 1 2
no_llb_errors
log "ok"
