#!/bin/bash
# rig: mem=1024 timeout=400
# A member that left before chunks were settled elsewhere must not come
# back through the bitmap.  B fails; a write lands in chunk X while the
# array is degraded (X needs sync); a fresh member C takes B's slot, the
# rebuild copies X, and the daemon settles X to clean on the whole array.
# Then C goes and the old B is offered back.  The bitmap no longer knows
# that B missed X, so md must not re-add B with a bitmap-based recovery
# (which would skip X, leaving B's old data in it): md refuses such a
# re-add when B's superblock events are below the bitmap's
# events_cleared, which md-llbitmap2 raises when it settles a chunk on a
# whole array and keeps on disk.  B then comes back as a new member with
# a full rebuild.  Finally the last other copy fails (RAID-1: A; RAID-5:
# A), so X can only come from B: it must read the data written while B
# was away.  Cases: RAID-1 and RAID-5, with and without a stop and
# assembly between the settle and the re-add (events_cleared read back
# from disk).  A control re-add of a member that missed nothing settled
# stays bitmap-based (tests/llbitmap/degraded.sh counts its writes).
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
modprobe raid1 || true

X_KB=2048	# chunk X: written while B is away

# one LEVEL N STOP: members LOOPS[0..N-1] (A = 0, B = 1), C = LOOPS[N].
one() {
	local level=$1 n=$2 stop=$3 a b c arr_kb out t=r$1s$3
	a=${LOOPS[0]} b=${LOOPS[1]} c=${LOOPS[$n]}
	log "RAID-$level over $n, stop before the re-add: $stop"
	must $MDADM --create /dev/md0 --run --quiet --level="$level" \
		--raid-devices="$n" --metadata=1.2 --bitmap=lockless \
		--assume-clean "${LOOPS[@]:0:$n}"
	fast_daemon md0
	arr_kb=$(($(dev_sectors /dev/md0) / 2))
	[ "$arr_kb" -gt $((X_KB + 64)) ] || fail "array too small: $arr_kb KiB"
	write_random /dev/md0 0 "$X_KB" "p1$t" 64
	wait_settled md0
	must $MDADM /dev/md0 --fail "$b"
	must $MDADM /dev/md0 --remove "$b"
	write_random /dev/md0 "$X_KB" 64 "p2$t"
	[ "$(bits md0 "need sync")" -ge 1 ] ||
		fail "no chunk needs sync after a degraded write: $(bits_line md0)"
	dd if=/dev/urandom of="$c" bs=1M count=4 oflag=direct status=none
	must $MDADM /dev/md0 --add "$c"
	md_wait_idle md0 240
	wait_settled md0
	log "settled on the whole array without B: $(bits_line md0)"
	if [ "$stop" = 1 ]; then
		must $MDADM --stop /dev/md0
		must $MDADM --assemble /dev/md0 "$a" "$c" "${LOOPS[@]:2:$((n - 2))}"
		md_wait_idle md0
	fi
	must $MDADM /dev/md0 --fail "$c"
	must $MDADM /dev/md0 --remove "$c"
	if out=$($MDADM /dev/md0 --re-add "$b" 2>&1); then
		log "re-add of B accepted: $out"
	else
		# mdadm will not turn a former member into a spare by itself
		log "re-add of B refused ($out): adding it as a new member"
		must $MDADM --zero-superblock "$b"
		must $MDADM /dev/md0 --add "$b"
	fi
	md_wait_idle md0 240
	grep -A1 '^md0 ' /proc/mdstat
	grep -A1 '^md0 ' /proc/mdstat | grep -q "\[$n/$n\]" || fail "B is not back in sync"
	# X only from B now
	must $MDADM /dev/md0 --fail "$a"
	drop_caches /dev/md0
	verify_random /dev/md0 "$X_KB" "p2$t"
	verify_random /dev/md0 0 "p1$t"
	must $MDADM --stop /dev/md0
	for d in "${LOOPS[@]}"; do
		$MDADM --zero-superblock "$d" >/dev/null 2>&1 || true
	done
}

mkloops 4 16
one 1 2 0
one 1 2 1
one 5 3 1
no_llb_errors
log "ok"
