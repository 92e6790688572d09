#!/bin/bash
# rig: personality=both mem=1536 timeout=1500 long=1
# RAID-6 with one and with two members missing, every pair of roles:
# data+data, data+P, data+Q, P+Q (parity-last keeps P and Q on the last two
# members, so each pair is exactly that), and pairs of a rotating, an
# asymmetric and a DDF layout (where the Q order of the data differs).
# Every time: data written whole is read back by checksum with the members
# missing (array restarted degraded, so nothing comes from the stripe
# cache), writes go to the degraded array, then both members are recovered
# at once onto blank devices; the data and md's check must agree under
# raid456x and again under the in-tree raid456.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

must modprobe md-mod
use_personality raid456x

# layout chunk-KiB members failed-members what
cases=(
	"parity-last 64 6 0,1 data+data"
	"parity-last 64 6 1,4 data+P"
	"parity-last 64 6 2,5 data+Q"
	"parity-last 64 6 4,5 P+Q"
	"parity-last 64 6 3 data"
	"parity-last 64 6 5 Q"
	"left-symmetric 32 5 0,2 rotating"
	"left-asymmetric 16 7 1,5 rotating"
	"ddf-N-continue 64 6 2,3 ddf"
	"left-symmetric-6 32 6 0,5 converted"
)

mkloops 7 10
n=0
for c in "${cases[@]}"; do
	read -r layout chunk members failed what <<<"$c"
	n=$((n + 1))
	case_wanted "$n" || continue
	devs=("${LOOPS[@]:0:$members}")
	IFS=, read -r -a fl <<<"$failed"
	log "case $n: $layout chunk=${chunk}K members=$members, missing ${fl[*]} ($what)"
	use_personality raid456x
	for d in "${devs[@]}"; do
		mdadm --zero-superblock "$d" >/dev/null 2>&1
		blkdiscard -f "$d" 2>/dev/null ||
			dd if=/dev/zero of="$d" bs=1M count=10 status=none oflag=direct
	done
	must mdadm --create /dev/md0 --run --quiet --metadata=1.2 --bitmap=none \
		--assume-clean --level=6 --layout="$layout" --chunk="$chunk" \
		--raid-devices="$members" "${devs[@]}"
	size_kb=$(($(dev_sectors /dev/md0) / 2))
	d_off=$(((size_kb / 2 + 2240) / 64 * 64))
	# chunk-sized writes over half the array: whole rows and partial
	# ones, on every member (P and Q rotate)
	write_random /dev/md0 0 $((size_kb / 2 / 64 * 64)) "a$n" 64
	write_random /dev/md0 $((size_kb / 2 + 3)) 333 "b$n"
	must mdadm --stop /dev/md0

	# restart with the members missing: every read of theirs rebuilt
	keep=()
	for i in "${!devs[@]}"; do
		case ",$failed," in *",$i,"*) ;; *) keep+=("${devs[$i]}") ;; esac
	done
	must mdadm --assemble --run /dev/md0 "${keep[@]}"
	grep -q "\[$members/$((members - ${#fl[@]}))\]" /proc/mdstat ||
		fail "not degraded by ${#fl[@]}"
	verify_random /dev/md0 0 "a$n"
	verify_random /dev/md0 $((size_kb / 2 + 3)) "b$n"
	# degraded writes: partial blocks, partial rows and whole rows
	write_random /dev/md0 $((size_kb / 2 + 1000)) 1111 "c$n"
	write_random /dev/md0 "$d_off" 4096 "d$n" 64
	write_random /dev/md0 $((size_kb - 37)) 37 "e$n"
	verify_random /dev/md0 $((size_kb / 2 + 1000)) "c$n"
	verify_random /dev/md0 "$d_off" "d$n"
	must mdadm --stop /dev/md0
	must mdadm --assemble --run /dev/md0 "${keep[@]}"
	verify_random /dev/md0 0 "a$n"
	verify_random /dev/md0 $((size_kb / 2 + 1000)) "c$n"
	verify_random /dev/md0 "$d_off" "d$n"
	verify_random /dev/md0 $((size_kb - 37)) "e$n"
	# one member missing: check still compares the other parity
	[ "${#fl[@]}" = 1 ] && md_check md0

	# blank devices in place of the missing ones: recovered together
	for i in "${fl[@]}"; do
		dd if=/dev/urandom of="${devs[$i]}" bs=1M count=10 status=none oflag=direct
		mdadm --zero-superblock "${devs[$i]}" >/dev/null 2>&1
	done
	for i in "${fl[@]}"; do
		must mdadm /dev/md0 --add "${devs[$i]}"
	done
	sleep 1
	md_wait_idle md0
	grep -q "\[$members/$members\]" /proc/mdstat || fail "not recovered"
	md_check md0
	verify_random /dev/md0 0 "a$n"
	verify_random /dev/md0 $((size_kb / 2 + 3)) "b$n"
	verify_random /dev/md0 $((size_kb / 2 + 1000)) "c$n"
	verify_random /dev/md0 "$d_off" "d$n"
	must mdadm --stop /dev/md0

	# the in-tree raid456 agrees: data and P/Q of the recovered members
	use_personality raid456
	must mdadm --assemble /dev/md0 "${devs[@]}"
	dmesg | tail -20 | grep -q 'md/raid:md0: raid level 6 active' ||
		fail "not started by raid456"
	verify_random /dev/md0 $((size_kb / 2 + 3)) "b$n"
	verify_random /dev/md0 $((size_kb / 2 + 1000)) "c$n"
	verify_random /dev/md0 "$d_off" "d$n"
	verify_random /dev/md0 $((size_kb - 37)) "e$n"
	md_check md0
	must mdadm --stop /dev/md0
done
r5x_unload_all
log "ok"
