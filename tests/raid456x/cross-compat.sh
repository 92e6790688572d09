#!/bin/bash
# rig: personality=both mem=1536 timeout=900
# Arrays move between the in-tree raid456 and raid456x with identical data:
# for every RAID-5 layout, RAID-4, several chunk sizes and member counts,
# create and write under raid456, assemble under raid456x, verify data and
# parity (check: mismatch_cnt 0), write under raid456x, go back to raid456
# and verify both writes and parity again.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

must modprobe md-mod

# level layout chunk-KiB members
configs=(
	"5 left-symmetric 64 4"
	"5 left-asymmetric 128 3"
	"5 right-symmetric 4 5"
	"5 right-asymmetric 512 4"
	"5 parity-first 32 3"
	"5 parity-last 1024 4"
	"4 - 64 4"
	"4 - 8 3"
	"5 left-symmetric 16 8"
	"5 right-asymmetric 64 16"
)

mkloops 16 24
n=0
for cfg in "${configs[@]}"; do
	read -r level layout chunk members <<<"$cfg"
	n=$((n + 1))
	case_wanted "$n" || continue
	devs=("${LOOPS[@]:0:$members}")
	log "config $n: raid$level layout=$layout chunk=${chunk}K members=$members"
	# zeroed members: --assume-clean parity of zeros is zeros
	for d in "${devs[@]}"; do
		blkdiscard -f "$d" 2>/dev/null ||
			dd if=/dev/zero of="$d" bs=1M count=24 status=none oflag=direct
	done
	opts=(--level="$level" --chunk="$chunk")
	[ "$layout" != - ] && opts+=(--layout="$layout")

	use_personality raid456
	must mdadm --create /dev/md0 --run --quiet --metadata=1.2 --bitmap=none \
		--assume-clean --raid-devices="$members" "${opts[@]}" "${devs[@]}"
	size_kb=$(($(dev_sectors /dev/md0) / 2))
	write_random /dev/md0 0 300 "a$n"
	write_random /dev/md0 $((size_kb / 2 + 3)) 77 "b$n"
	write_random /dev/md0 $((size_kb - 64)) 64 "c$n"
	must mdadm --stop /dev/md0

	use_personality raid456x
	must mdadm --assemble /dev/md0 "${devs[@]}"
	dmesg | tail -5 | grep -q 'raid456x' || fail "not assembled by raid456x"
	verify_random /dev/md0 0 "a$n"
	verify_random /dev/md0 $((size_kb / 2 + 3)) "b$n"
	verify_random /dev/md0 $((size_kb - 64)) "c$n"
	md_check md0
	write_random /dev/md0 1500 222 "d$n"
	write_random /dev/md0 $((size_kb / 3 + 5)) 61 "e$n"
	# big aligned writes: full stripes under raid456x
	dd if=/dev/urandom of=/tmp/ref/f$n bs=1M count=4 status=none
	dd if=/tmp/ref/f$n of=/dev/md0 bs=1M seek=8 oflag=direct status=none ||
		fail "big write"
	verify_random /dev/md0 8192 "f$n"
	must mdadm --stop /dev/md0
	r5x_members_parity "${devs[@]}"

	use_personality raid456
	must mdadm --assemble /dev/md0 "${devs[@]}"
	verify_random /dev/md0 0 "a$n"
	verify_random /dev/md0 $((size_kb / 2 + 3)) "b$n"
	verify_random /dev/md0 $((size_kb - 64)) "c$n"
	verify_random /dev/md0 1500 "d$n"
	verify_random /dev/md0 $((size_kb / 3 + 5)) "e$n"
	verify_random /dev/md0 8192 "f$n"
	md_check md0
	must mdadm --stop /dev/md0
	for d in "${devs[@]}"; do
		mdadm --zero-superblock "$d" || fail "zero superblock $d"
	done
done
r5x_unload_all
log "ok"
