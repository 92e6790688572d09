# SPDX-License-Identifier: GPL-2.0
# A rebuild onto a new device, interrupted and resumed (as at a reboot in
# the middle of a disk replacement), for every level md-llbitmap2 and
# raid456x serve; source after /tests/lib.sh and
# /tests/llbitmap/lib-llb.sh, then call rr_one or rr_cases.
#  - the whole array is written and every bitmap chunk settles clean;
#  - a member fails and leaves; a device full of random bytes is added
#    (or, "replace", copies a member that stays);
#  - once the rebuild has reached a third of the members (md's sync_max
#    holds it there), the array is stopped
#    ("stop") and assembled again, or the rebuild is interrupted through
#    sync_action ("idle", "frozen"), or both ("idle-stop");
#  - the resumed rebuild must write every block above the recovery
#    offset it resumed from: the bitmap's clean chunks say nothing about
#    a device that was not a member when they became clean.
# Then every block reads back exact with all members and with each one
# missing, raw P (and Q) are valid over the members (mirrors: md's check
# finds no mismatch).

MB=16

# rr_settle_bitmap BM: wait until no bitmap chunk is dirty, so that a skip
# by the bitmap during the rebuild would leave whole chunks behind.
rr_settle_bitmap() {
	case $1 in
	lockless)
		fast_daemon md0
		wait_settled md0 120
		expect_bits md0 clean "$(chunks md0)"
		;;
	internal)
		for _ in $(seq 1 300); do
			mdadm -X "${LOOPS[0]}" 2>/dev/null | grep -q ' 0 dirty' && return 0
			sleep 0.2
		done
		fail "classic bitmap never settled: $(mdadm -X "${LOOPS[0]}" | grep -i dirty)"
		;;
	esac
}

# rr_progress: sectors of the running sync that md has recorded
rr_progress() {
	md_sysfs md0 sync_completed | awk '{ print $1 + 0 }'
}

# rr_wait_progress MIN_SECTORS: the rebuild runs and has passed MIN_SECTORS
rr_wait_progress() {
	local p
	for _ in $(seq 1 600); do
		p=$(rr_progress)
		[ "$p" -ge "$1" ] 2>/dev/null && return 0
		sleep 0.2
	done
	fail "the rebuild never passed sector $1 ($(md_sysfs md0 sync_completed))"
}

# rr_verify_without_each MEMBER...: read-only as md1 without each member.
rr_verify_without_each() {
	local skip d devs
	for skip in "$@"; do
		devs=()
		for d in "$@"; do
			[ "$d" = "$skip" ] || devs+=("$d")
		done
		must mdadm --assemble --readonly --run /dev/md1 "${devs[@]}"
		verify_big /dev/md1 0 fill
		must mdadm --stop /dev/md1
	done
}

# rr_geometry SPEC: LEVEL (md level), N (members) and GEOM (mdadm
# options) for a case's level: 4, 5, 6, 1, 10, 10f2, 10o2.
rr_geometry() {
	LEVEL=${1%%[a-z]*}
	GEOM="--chunk=64"
	case $1 in
	4|5) N=4 ;;
	6) N=5 ;;
	1) N=2 GEOM="" ;;
	10) N=4 GEOM="--chunk=64 --layout=n2" ;;
	10f2|10o2) N=4 GEOM="--chunk=64 --layout=${1#10}" ;;
	*) fail "unknown level $1" ;;
	esac
}

# rr_one SPEC BM HOW: one case (SPEC as rr_geometry, BM lockless, internal
# or none, HOW stop, idle, frozen, replace or idle-stop).
rr_one() {
	local spec=$1 bm=$2 how=$3 what="RAID-$1 $2 $3" slots new arr_kb n
	local mode=fail half off cs LEVEL N GEOM
	[ "$how" = replace ] && mode=replace
	rr_geometry "$spec"
	n=$N
	log "$what"
	LOOPS=()
	mkloops $((n + 1)) "$MB"
	new=${LOOPS[n]}
	if [ "$bm" = lockless ]; then
		# shellcheck disable=SC2086
		must mdadm --create /dev/md0 --run --quiet --level="$LEVEL" \
			--raid-devices="$n" $GEOM --metadata=1.2 \
			--bitmap=lockless "${LOOPS[@]:0:n}"
	else
		# zeroed members: mirrors, P and Q of zeros agree
		# shellcheck disable=SC2086
		must mdadm --create /dev/md0 --run --quiet --level="$LEVEL" \
			--raid-devices="$n" $GEOM --metadata=1.2 \
			--bitmap="$bm" --assume-clean "${LOOPS[@]:0:n}"
	fi
	[ "$bm" = internal ] && echo 1 >/sys/block/md0/md/bitmap/time_base
	md_wait_idle md0
	arr_kb=$(($(dev_sectors /dev/md0) / 2))
	write_big /dev/md0 0 $((arr_kb / 64 * 64)) fill
	rr_settle_bitmap "$bm"
	dd if=/dev/urandom of="$new" bs=1M count="$MB" oflag=direct status=none ||
		fail "fill the new device"

	# The rebuild pauses at a third of the members (md's sync_max, a
	# multiple of the chunk), so the interruption below always meets it
	# running, however slow the guest: a speed limit was not enough on
	# the debug kernel (2026-12-07, RAID-10f2 lockless stop: the poll
	# saw a third done, the rebuild ended before mdadm --stop came).
	cs=$(($(md_sysfs md0 chunk_size) / 512))
	[ "$cs" -gt 0 ] || cs=8
	half=$(($(dev_sectors "${LOOPS[0]}") / 3 / cs * cs))
	echo "$half" >/sys/block/md0/md/sync_max || fail "$what: sync_max $half refused"
	slots=("${LOOPS[@]:0:n}")
	if [ "$mode" = replace ]; then
		must mdadm /dev/md0 --add "$new" >/dev/null
		must mdadm /dev/md0 --replace "${LOOPS[1]}" --with "$new" >/dev/null
	else
		must mdadm /dev/md0 --fail "${LOOPS[1]}" >/dev/null
		must mdadm /dev/md0 --remove "${LOOPS[1]}" >/dev/null
		must mdadm /dev/md0 --add "$new" >/dev/null
	fi
	slots[1]=$new
	rr_wait_progress "$half"
	if [ "$how" = idle-stop ]; then
		# md offers every spare to the personality again before the
		# next run (remove_and_add_spares); the rebuild resumes from
		# where idle left it and pauses again at two thirds, where it
		# is stopped below.  (sync_max survives an interrupted run.)
		echo idle >/sys/block/md0/md/sync_action
		sleep 1
		echo $((half * 2)) >/sys/block/md0/md/sync_max ||
			fail "$what: sync_max $((half * 2)) refused"
		rr_wait_progress $((half * 2))
		log "$what: interrupted by idle, the rebuild restarted and reached $(md_sysfs md0 sync_completed)"
	fi
	case $how in
	stop|replace|idle-stop)
		must mdadm --stop /dev/md0
		off=$(mdadm --examine "$new" | sed -n 's/^ *Recovery Offset : \([0-9]*\).*/\1/p')
		[ -n "$off" ] && [ "$off" -gt 0 ] ||
			fail "$what: no recovery offset recorded on the new device: $(mdadm --examine "$new" | tr -s ' \n' ' ')"
		log "$what: stopped with the new device at recovery offset $off"
		if [ "$mode" = replace ]; then
			must mdadm --assemble /dev/md0 "${LOOPS[@]:0:n}" "$new" >/dev/null
		else
			must mdadm --assemble /dev/md0 "${slots[@]}" >/dev/null
		fi
		;;
	idle|frozen)
		echo "$how" >/sys/block/md0/md/sync_action
		sleep 2
		[ "$how" = frozen ] && echo idle >/sys/block/md0/md/sync_action
		log "$what: interrupted at $(md_sysfs md0 sync_completed)"
		;;
	esac
	# the rest of the rebuild (an assembly starts with no limit anyway)
	echo max >/sys/block/md0/md/sync_max
	md_wait_idle md0 600
	grep -A1 '^md0 ' /proc/mdstat | grep -q "\[$n/$n\]" ||
		fail "$what: not whole after the rebuild: $(grep -A2 '^md0 ' /proc/mdstat | tr '\n' ' ')"
	expect_eq "$(cat "/sys/block/md0/md/dev-$(basename "$new")/slot")" 1 \
		"$what: slot of the new device"
	verify_big /dev/md0 0 fill
	case $LEVEL in
	1|10)
		# the mirrors must agree: md's own check
		md_check md0
		must mdadm --stop /dev/md0
		;;
	*)
		must mdadm --stop /dev/md0
		drop_caches "${slots[@]}"
		r5parity --quiet --max-report 3 "${slots[@]}" ||
			fail "$what: raw parity wrong after the resumed rebuild"
		;;
	esac
	rr_verify_without_each "${slots[@]}"
	log "$what: every block exact, with each member missing; parity valid"
	for d in "${LOOPS[@]}"; do
		losetup -d "$d"
	done
	rm -f /tmp/member*.img /tmp/ref/fill
}


# rr_cases "LEVEL:BITMAP:HOW ...": rr_one for each (commas work too).
rr_cases() {
	local c level bm how
	for c in ${1//,/ }; do
		IFS=: read -r level bm how <<<"$c"
		rr_one "$level" "$bm" "$how"
	done
}
