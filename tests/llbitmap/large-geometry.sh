#!/bin/bash
# rig: mem=1536 timeout=600
# Member sizes just under 8 TiB and 16 TiB: the bitmap chunk grows so that
# every state byte lies inside the reservation (md's in-tree code would
# put the last ones up to 1 KiB past it), and no bitmap IO touches the
# sectors right after it (a pattern written there must survive).
# Each member is 512 MiB of loop device (metadata, bitmap) followed by
# dm-zero (or dm-error) up to the full size.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
must modprobe dm-mod
# The tail of each member is dm "zero" where the guest has it, else dm
# "error": nothing but the bitmap is written there (bitmap_set_bits marks
# the last chunks without data IO).
modprobe dm-zero 2>/dev/null
tail=error
dmsetup targets | grep -q '^zero' && tail=zero
HEAD=$((512 * 2048))
mkloops 3 512
k=0
for tib in 8 16; do
	k=$((k + 1))
	DMS=()
	total=$((tib * 1024 * 1024 * 2048 - 2048))	# 1 MiB under
	for i in 0 1 2; do
		printf '0 %s linear %s 0\n%s %s zero\n' "$HEAD" "${LOOPS[$i]}" \
			"$HEAD" $((total - HEAD)) | sed "s/ zero$/ $tail/" | dmsetup create "llbg$k$i" ||
			fail "dm member $k$i"
		DMS+=("/dev/mapper/llbg$k$i")
	done
	must dmsetup mknodes
	must mdadm --create /dev/md0 --run --level=5 --raid-devices=3 --chunk=512 \
		--metadata=1.2 --bitmap=lockless "${DMS[@]}"
	md_wait_idle md0 300
	off=$(awk '$1 == "offset" { print $2 }' /sys/block/md0/md/llbitmap/metadata)
	n=$(chunks md0)
	cs=$(awk '$1 == "chunksize" { print $2 }' /sys/block/md0/md/llbitmap/metadata)
	drop_caches "${DMS[0]}"
	# sectors_reserved: bytes 64..67 of the bitmap superblock (sb_start 8)
	res=$(dd if="${DMS[0]}" bs=512 skip=$((8 + off)) count=1 status=none |
		od -An -tu4 -j64 -N4 | tr -d ' ')
	# data offset in sectors (the same on every member of a new array)
	doff=$(cat /sys/block/md0/md/dev-*/offset | sort -n | head -n 1)
	msz=$(md_sysfs md0 component_size)
	log "${tib} TiB: member data $msz KiB, chunksize $cs sectors, $n chunks, bitmap at +$off, reserved $res sectors, data at $doff"
	[ $((n + 1024)) -le $((res * 512)) ] || fail "$n chunk states do not fit $res sectors"
	# md's in-tree rule (chunks <= reserved bytes) would have taken half
	# this chunk size here; make sure the test is at that edge.
	half=$(( (msz * 2 + cs / 2 - 1) / (cs / 2) ))
	[ "$half" -le $((res * 512)) ] && [ "$half" -gt $((res * 512 - 1024)) ] ||
		log "note: not at the in-tree overflow edge ($half chunks of $((cs / 2)))"
	end=$((8 + off + res))
	guard=$((doff - end))
	[ "$guard" -gt 0 ] || fail "no room after the reservation"
	[ "$guard" -gt 64 ] && guard=64
	[ $((end + guard)) -le "$HEAD" ] || fail "guard beyond the loop part"
	must mdadm --stop /dev/md0
	drop_caches "${DMS[@]}"
	# (yes dies of SIGPIPE: keep it out of pipefail's sight)
	{ yes "llb-guard" || true; } | head -c $((guard * 512)) >/tmp/guard
	for d in "${DMS[@]}"; do
		dd if=/tmp/guard of="$d" bs=512 seek=$end conv=notrunc oflag=direct status=none ||
			fail "guard $d"
	done
	want=$(cksum </tmp/guard)
	# mdadm --assemble probes the end of each member for old superblock
	# formats and gives up on the dm-error tail: assemble through sysfs.
	echo md0 >/sys/module/md_mod/parameters/new_array || fail "new md0"
	echo 1.2 >/sys/block/md0/md/metadata_version || fail "metadata_version"
	for d in "${DMS[@]}"; do
		dmsetup info -c --noheadings -o major,minor "$(basename "$d")" |
			tr -d ' ' >/sys/block/md0/md/new_dev || fail "new_dev $d"
	done
	echo active >/sys/block/md0/md/array_state || fail "start md0"
	# No sync (it would read TiBs of zeroes): only the bitmap matters.
	echo frozen >/sys/block/md0/md/sync_action
	# the last chunks marked the way md's bitmap_set_bits does
	echo "$((n - 3))-$((n - 1))" >/sys/block/md0/md/bitmap_set_bits ||
		fail "bitmap_set_bits"
	dd if=/dev/urandom of=/dev/md0 bs=4k count=1 oflag=direct status=none || fail "write block 0"
	log "$(bits_line md0)"
	[ "$(bits md0 'need sync')" -gt 0 ] || fail "no chunk marked"
	must mdadm --stop /dev/md0
	drop_caches "${DMS[@]}"
	for d in "${DMS[@]}"; do
		got=$(dd if="$d" bs=512 skip=$end count=$guard status=none | cksum)
		expect_eq "$got" "$want" "sectors after the reservation on $d"
		# the last chunk's state byte, at the end of the used area
		last=$(dd if="$d" bs=1 skip=$(( (8 + off) * 512 + 1024 + n - 1 )) count=1 \
			status=none | od -An -tu1 | tr -d ' ')
		expect_eq "$last" 3 "state of the last chunk on $d (need sync)"
	done
	for i in 0 1 2; do dmsetup remove "llbg$k$i"; done
	for l in "${LOOPS[@]}"; do
		dd if=/dev/zero of="$l" bs=1M count=1 oflag=direct status=none
	done
done
no_llb_errors
log "ok"
