#!/bin/bash
# rig: personality=raid456x mem=1536 timeout=1500
# A rebuild onto a new device, interrupted and resumed, as at a reboot in
# the middle of a disk replacement.  For RAID-5 and RAID-6, under
# md-llbitmap2, the classic bitmap and no bitmap:
#  - the whole array is written and every bitmap chunk settles clean;
#  - a member fails and leaves; a device full of random bytes is added
#    (or, "replace", copies a member that stays);
#  - once the rebuild has recorded progress, the array is stopped
#    ("stop") and assembled again, or the rebuild is interrupted through
#    sync_action ("idle", "frozen");
#  - the resumed rebuild must write every block above the recovery
#    offset it resumed from: the bitmap's clean chunks say nothing about
#    a device that was not a member when they became clean.
# Then every block reads back exact with all members and with each one
# missing, raw P (and Q) are valid over the members, and dmesg is clean.
# Found by the torture harness (crash-points, raid456x+recovery): raid456x
# rebuilt only the bitmap's dirty chunks after an assembly, and the new
# member kept its random bytes under every clean chunk.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh

MB=16
r5x_load
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"
need_r5parity

# settle_bitmap BM: wait until no bitmap chunk is dirty, so that a skip
# by the bitmap during the rebuild would leave whole chunks behind.
settle_bitmap() {
	local i
	case $1 in
	lockless)
		fast_daemon md0
		wait_settled md0 120
		expect_bits md0 clean "$(chunks md0)"
		;;
	internal)
		for i in $(seq 1 300); do
			mdadm -X "${LOOPS[0]}" 2>/dev/null | grep -q ' 0 dirty' && return 0
			sleep 0.2
		done
		fail "classic bitmap never settled: $(mdadm -X "${LOOPS[0]}" | grep -i dirty)"
		;;
	esac
}

# progress: sectors of the running sync that md has recorded
progress() {
	md_sysfs md0 sync_completed | awk '{ print $1 + 0 }'
}

# wait_progress MIN_SECTORS: the rebuild runs and has passed MIN_SECTORS
wait_progress() {
	local i p
	for i in $(seq 1 600); do
		p=$(progress)
		[ "$p" -ge "$1" ] 2>/dev/null && return 0
		sleep 0.2
	done
	fail "the rebuild never passed sector $1 ($(md_sysfs md0 sync_completed))"
}

# verify_without_each MEMBER...: read-only as md1 without each member.
verify_without_each() {
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

# one LEVEL N BM HOW
one() {
	local level=$1 n=$2 bm=$3 how=$4 what="RAID-$1 $3 $4" slots new arr_kb
	local mode=fail half off
	[ "$how" = replace ] && mode=replace
	log "$what"
	LOOPS=()
	mkloops $((n + 1)) "$MB"
	new=${LOOPS[n]}
	if [ "$bm" = lockless ]; then
		must mdadm --create /dev/md0 --run --quiet --level="$level" \
			--raid-devices="$n" --chunk=64 --metadata=1.2 \
			--bitmap=lockless "${LOOPS[@]:0:n}"
	else
		# zeroed members: P and Q of zeros are zeros
		must mdadm --create /dev/md0 --run --quiet --level="$level" \
			--raid-devices="$n" --chunk=64 --metadata=1.2 \
			--bitmap="$bm" --assume-clean "${LOOPS[@]:0:n}"
	fi
	[ "$bm" = internal ] && echo 1 >/sys/block/md0/md/bitmap/time_base
	md_wait_idle md0
	arr_kb=$(($(dev_sectors /dev/md0) / 2))
	write_big /dev/md0 0 $((arr_kb / 64 * 64)) fill
	settle_bitmap "$bm"
	dd if=/dev/urandom of="$new" bs=1M count="$MB" oflag=direct status=none ||
		fail "fill the new device"

	echo 2000 >/sys/block/md0/md/sync_speed_max
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
	half=$(($(dev_sectors "${LOOPS[0]}") / 3))
	wait_progress "$half"
	if [ "$how" = idle-stop ]; then
		# md takes a spare whose rebuild was interrupted out of its slot
		# and adds it back (remove_and_add_spares): from then on it
		# looks like a returning member, recovery offset 0
		echo idle >/sys/block/md0/md/sync_action
		sleep 1
		wait_progress "$half"
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
	echo system >/sys/block/md0/md/sync_speed_max
	md_wait_idle md0 600
	grep -A1 '^md0 ' /proc/mdstat | grep -q "\[$n/$n\]" ||
		fail "$what: not whole after the rebuild: $(grep -A2 '^md0 ' /proc/mdstat | tr '\n' ' ')"
	expect_eq "$(cat "/sys/block/md0/md/dev-$(basename "$new")/slot")" 1 \
		"$what: slot of the new device"
	verify_big /dev/md0 0 fill
	must mdadm --stop /dev/md0
	drop_caches "${slots[@]}"
	r5parity --quiet --max-report 3 "${slots[@]}" ||
		fail "$what: raw parity wrong after the resumed rebuild"
	verify_without_each "${slots[@]}"
	log "$what: every block exact, with each member missing; parity valid"
	for d in "${LOOPS[@]}"; do
		losetup -d "$d"
	done
	rm -f /tmp/member*.img /tmp/ref/fill
}

# RR_CASES="LEVEL:BITMAP:HOW ..." runs only those; RR_PERS=raid456 runs
# them under the in-tree personality (the control)
[ -z "${RR_PERS:-}" ] || use_personality "$RR_PERS"
CASES=${RR_CASES:-5:lockless:stop 5:internal:stop 5:none:stop 6:lockless:stop 6:internal:stop 6:none:stop 5:lockless:idle 6:lockless:frozen 5:internal:replace 6:lockless:replace 5:lockless:idle-stop 6:internal:idle-stop}
for c in ${CASES//,/ }; do
	IFS=: read -r level bm how <<<"$c"
	one "$level" $((level - 1)) "$bm" "$how"
done

dmesg_has 'WARNING|BUG|Oops|KASAN|possible circular' && fail "kernel complained"
r5x_dmesg_clean
no_llb_errors
r5x_unload_all
log "ok"
