#!/bin/bash
# rig: personality=both mem=1024 timeout=900
# RAID-6 read-modify-write: small writes to a wide RAID-6 update P and Q
# with the library's xor_syndrome (r5x_stats rmw > 0), also with a data
# member missing (its block is not needed for the update), and on a DDF
# layout (Q weighs data by member index).  The data reads back, md's check
# is clean under raid456x and, as the independent check, under the
# in-tree raid456 with the data read there too.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

must modprobe md-mod
mkloops 8 24

fioargs=(--name=r --filename=/dev/md0 --direct=1 --ioengine=psync
	--rw=randwrite --bs=4k --size=24M --verify=crc32c --verify_fatal=1
	--eta=never --randrepeat=1)

n=0
for layout in left-symmetric ddf-N-continue; do
	n=$((n + 1))
	log "layout $layout"
	use_personality raid456x
	for d in "${LOOPS[@]}"; do
		mdadm --zero-superblock "$d" >/dev/null 2>&1
		blkdiscard -f "$d" 2>/dev/null ||
			dd if=/dev/zero of="$d" bs=1M count=24 status=none oflag=direct
	done
	must mdadm --create /dev/md0 --run --quiet --metadata=1.2 --bitmap=none \
		--assume-clean --level=6 --layout="$layout" --chunk=64 \
		--raid-devices=8 "${LOOPS[@]}"
	write_random /dev/md0 0 6144 "base$n" 384
	fio "${fioargs[@]}" --bsrange=512-8k --output=/tmp/fio1.out ||
		{ cat /tmp/fio1.out; fail "fio verify"; }
	log "r5x_stats: $(tr '\n' ' ' </sys/block/md0/md/r5x_stats)"
	[ "$(r5x_stat rmw)" -gt 0 ] || fail "no read-modify-write"
	md_check md0

	# a data member missing: small writes elsewhere still rmw.  At 30720K
	# (chunk row 80, its first data chunk) both layouts keep P and Q off
	# member 2 and the written chunk on another member.
	must mdadm /dev/md0 --fail "${LOOPS[2]}"
	rmw0=$(r5x_stat rmw)
	write_random /dev/md0 30720 97 "deg$n"
	write_random /dev/md0 70001 33 "deg2$n"
	[ "$(r5x_stat rmw)" -gt "$rmw0" ] || fail "no degraded read-modify-write"
	must mdadm --stop /dev/md0
	must mdadm --assemble --run /dev/md0 "${LOOPS[@]:0:2}" "${LOOPS[@]:3}"
	verify_random /dev/md0 30720 "deg$n"
	verify_random /dev/md0 70001 "deg2$n"
	fio "${fioargs[@]}" --bsrange=512-8k --verify_only --output=/tmp/fio2.out ||
		{ cat /tmp/fio2.out; fail "fio verify degraded"; }
	must mdadm /dev/md0 --add "${LOOPS[2]}"
	sleep 1
	md_wait_idle md0
	md_check md0
	must mdadm --stop /dev/md0

	use_personality raid456
	must mdadm --assemble /dev/md0 "${LOOPS[@]}"
	dmesg | tail -20 | grep -q 'md/raid:md0: raid level 6 active' ||
		fail "not started by raid456"
	md_check md0
	verify_random /dev/md0 30720 "deg$n"
	verify_random /dev/md0 70001 "deg2$n"
	fio "${fioargs[@]}" --bsrange=512-8k --verify_only --output=/tmp/fio3.out ||
		{ cat /tmp/fio3.out; fail "fio verify under raid456"; }
	must mdadm --stop /dev/md0
done
r5x_unload_all
log "ok"
