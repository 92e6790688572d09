#!/bin/bash
# rig: personality=both mem=1024 timeout=600
# RAID-5's write hole on a degraded array, made deterministic, under both
# personalities: what a power cut between a write's data and its parity
# can take, and nothing more.  A degraded RAID-5 (slot 1 gone) holds
# known data; the parity member of row 3 silently drops its writes (dm
# flakey drop_writes: a power cut that kept the data and lost the parity),
# a 4 KiB write lands in row 3, chunk 1; then stop and assemble --force.
# Expected under raid456 and raid456x alike:
#  - the acknowledged write reads back (its data is on its own member);
#  - slot 1's block of that stripe, rebuilt from new data and old parity,
#    reads wrong: the hole, which mdadm's --force accepts;
#  - every other block reads exactly as written.
# The crash-point replays exclude exactly that block at a --force point
# (tests/torture/crash-points.sh, hide_write_hole); this scenario shows
# the exclusion is md's limit and not raid456x's.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

modprobe dm-flakey || skip "no dm-flakey"
# row 3 of a 4-member left-symmetric RAID-5 with 64 KiB chunks: parity
# on slot 3 - 3 % 4 = 0, data chunk i on slot (1 + i) % 4
ROW_KB=192
HOLE_KB=$((3 * ROW_KB))		# chunk 0 of row 3: slot 1 (missing)
WRITE_KB=$((3 * ROW_KB + 64))	# chunk 1 of row 3: slot 2

one() {
	local pers=$1 arr_kb bad
	use_personality "$pers"
	log "$pers"
	LOOPS=()
	mkloops 4 16
	dm_members wh
	must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
		--chunk=64 --metadata=1.2 --bitmap=none --assume-clean "${DMS[@]}"
	arr_kb=$(($(dev_sectors /dev/md0) / 2))
	write_random /dev/md0 0 "$arr_kb" fill 64
	must mdadm /dev/md0 --fail "${DMS[1]}" >/dev/null
	must mdadm /dev/md0 --remove "${DMS[1]}" >/dev/null
	# slot 0 keeps the data it has and drops every write from now on
	dm_load wh0 "0 $(dev_sectors "${LOOPS[0]}") flakey ${LOOPS[0]} 0 0 3600 1 drop_writes"
	write_random /dev/md0 "$WRITE_KB" 4 new
	verify_random /dev/md0 "$WRITE_KB" new
	must mdadm --stop /dev/md0
	dm_load wh0 "0 $(dev_sectors "${LOOPS[0]}") linear ${LOOPS[0]} 0"
	drop_caches "${DMS[@]}"
	mdadm --assemble --run --force /dev/md0 "${DMS[0]}" "${DMS[2]}" "${DMS[3]}" \
		>/tmp/asm 2>&1 || fail "$pers: assemble --force: $(cat /tmp/asm)"
	verify_random /dev/md0 "$WRITE_KB" new
	# every block against what was acknowledged: the fill, then the write
	cp /tmp/ref/fill /tmp/expect.img
	dd if=/tmp/ref/new of=/tmp/expect.img bs=1k seek="$WRITE_KB" conv=notrunc \
		status=none || fail "expected image"
	dd if=/dev/md0 of=/tmp/got.img bs=1M iflag=direct status=none || fail "read md0"
	mapfile -t bad < <(cmp -l /tmp/got.img /tmp/expect.img |
		awk '{ print int(($1 - 1) / 4096) * 4 }' | uniq)
	log "$pers: blocks that read wrong (KiB): ${bad[*]:-none}"
	expect_eq "${bad[*]:-none}" "$HOLE_KB" "$pers: blocks lost to the hole"
	must mdadm --stop /dev/md0
	dm_members_remove wh
	rm -f /tmp/member*.img /tmp/ref/fill /tmp/ref/new /tmp/got.img /tmp/expect.img
}

one raid456
one raid456x
dmesg_has 'WARNING|BUG|Oops|KASAN|possible circular' && fail "kernel complained"
r5x_dmesg_clean
r5x_unload_all
log "ok"
