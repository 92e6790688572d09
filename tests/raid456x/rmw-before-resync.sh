#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Beyond resync_offset parity may be garbage (no bitmap or a classic one:
# an interrupted initial resync, an unclean shutdown, --grow --size).  As
# md's raid5 does, a write there on a non-degraded array must be a
# reconstruct-write, so that its stripe is consistent at once: members
# full of random bytes, an initial resync frozen at its start, then small
# writes far beyond it (where rmw would be cheaper).  No rmw may run; the
# written stripes' raw parity is valid, and each write reads back from the
# raw members with every member missing in turn.  Once with no bitmap,
# once with a classic one.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh

r5x_load
need_r5parity
mkloops 6 16
# 6 members, 64 KiB chunks: a row holds 5 data chunks = 320 KiB
ROW_KB=320

old_min=$(cat /proc/sys/dev/raid/speed_limit_min)
old_max=$(cat /proc/sys/dev/raid/speed_limit_max)
restore_speed() {
	echo "$old_min" >/proc/sys/dev/raid/speed_limit_min
	echo "$old_max" >/proc/sys/dev/raid/speed_limit_max
}
trap restore_speed EXIT

# offsets (KiB) of the small writes: rows 20 and up, various members
OFFS=()
for i in $(seq 0 11); do
	OFFS+=($(((20 + i * 7) * ROW_KB + (i * 68) % ROW_KB)))
done

run() {
	local tag=$1 d off row s got r0 out
	shift
	fill_garbage 16 "${LOOPS[@]}"
	# the initial resync crawls and is frozen before it gets anywhere
	echo 1 >/proc/sys/dev/raid/speed_limit_min
	echo 1 >/proc/sys/dev/raid/speed_limit_max
	# --force: all members in sync and a resync (not a spare recovery)
	must mdadm --create /dev/md0 --run --quiet --force --level=5 \
		--raid-devices=6 --chunk=64 "$@" "${LOOPS[@]}"
	echo frozen >/sys/block/md0/md/sync_action || fail "freeze"
	for d in $(seq 1 100); do
		grep -Eq 'resync|recovery' /proc/mdstat || break
		sleep 0.2
	done
	restore_speed
	log "$tag: resync_start $(md_sysfs md0 resync_start) after freezing"
	[ "$(md_sysfs md0 resync_start)" -lt $((20 * 128)) ] ||
		fail "$tag: the resync got past row 20: $(md_sysfs md0 resync_start)"

	r0=$(r5x_stat rmw)
	write_smalls_counted "$tag" "${OFFS[@]}"
	log "$tag: $(tr '\n' ' ' </sys/block/md0/md/r5x_stats)"
	verify_smalls /dev/md0 "$tag" "${OFFS[@]}"
	must mdadm --stop /dev/md0

	# raw members: parity of every written stripe, then the data with each
	# member missing
	drop_caches "${LOOPS[@]}"
	problems=0
	for off in "${OFFS[@]}"; do
		# the written 4 KiB stripe: member sector row * 128 + in-chunk
		row=$((off / ROW_KB))
		out=$(r5parity --max-report 2 --range $((row * 128 + off % 64 * 2)):8 \
			"${LOOPS[@]}" 2>&1) ||
			{ echo "BAD: $tag: row $row: $(grep -m2 ^mismatch <<<"$out")"; problems=$((problems + 1)); }
	done
	i=0
	for off in "${OFFS[@]}"; do
		for s in 0 1 2 3 4 5; do
			got=$(r5parity --missing "$s" --read-array $((off * 2)) 8 - \
				"${LOOPS[@]}" 2>/dev/null | cksum | cut -d' ' -f1,2)
			if [ "$got" != "$(sum_ref "$tag$i")" ]; then
				echo "BAD: $tag: write $i at ${off}k reads back wrong without slot $s"
				problems=$((problems + 1))
			fi
		done
		i=$((i + 1))
	done
	[ "$(($(r5x_stat_saved rmw) - r0))" = 0 ] ||
		{ echo "BAD: $tag: rmw ran beyond resync_offset"; problems=$((problems + 1)); }
	[ "$problems" = 0 ] || fail "$tag: $problems problems (see BAD lines)"
	for d in "${LOOPS[@]}"; do mdadm --zero-superblock "$d" 2>/dev/null; done
	log "$tag: ok"
}

# the array is stopped when the counters are judged: keep the last read
r5x_stat_saved() {
	awk -v k="$1" '$1 == k { print $2 }' /tmp/r5x_stats.last
}
# write_smalls_counted: lib-llb's write_smalls, then the counters it caused
write_smalls_counted() {
	write_smalls "$@"
	cat /sys/block/md0/md/r5x_stats >/tmp/r5x_stats.last
}

run none --bitmap=none
run classic --bitmap=internal --bitmap-chunk=1M
r5x_unload_all
log "ok"
