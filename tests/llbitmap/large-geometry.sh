#!/bin/bash
# rig: mem=1536 timeout=600
# Member sizes just under 8 TiB and 16 TiB (sparse files): the bitmap
# chunk grows so that every state byte lies inside the reservation, and
# no bitmap IO touches the sectors right after it (checked with a pattern
# written there, since md never uses that space).
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
k=0
for tib in 8 16; do
	k=$((k + 1))
	LOOPS=()
	for i in 0 1 2; do
		f=/tmp/big$k-$i.img
		# just under: 8 TiB - 1 MiB (and 16 TiB - 1 MiB)
		truncate -s $((tib * 1024 * 1024 - 1))M "$f"
		LOOPS+=("$(losetup -f --show "$f")") || fail "losetup $f"
	done
	must mdadm --create /dev/md0 --run --level=5 --raid-devices=3 --chunk=512 \
		--metadata=1.2 --bitmap=lockless "${LOOPS[@]}"
	md_wait_idle md0 300
	off=$(awk '$1 == "offset" { print $2 }' /sys/block/md0/md/llbitmap/metadata)
	n=$(chunks md0)
	cs=$(awk '$1 == "chunksize" { print $2 }' /sys/block/md0/md/llbitmap/metadata)
	# sectors_reserved: bytes 64..67 of the bitmap superblock (sb_start 8)
	res=$(dd if="${LOOPS[0]}" bs=512 skip=$((8 + off)) count=1 status=none |
		od -An -tu4 -j64 -N4 | tr -d ' ')
	doff=$(mdadm --examine "${LOOPS[0]}" | sed -n 's/.*Data Offset : \([0-9]*\) sectors.*/\1/p')
	log "${tib} TiB: chunksize $cs sectors, $n chunks, bitmap at +$off, reserved $res sectors, data at $doff"
	[ $((n + 1024)) -le $((res * 512)) ] || fail "$n chunk states do not fit $res sectors"
	end=$((8 + off + res))
	guard=$((doff - end))
	[ "$guard" -gt 0 ] || fail "no room after the reservation"
	[ "$guard" -gt 64 ] && guard=64
	must mdadm --stop /dev/md0
	# pattern right after the reservation, on every member
	for l in "${LOOPS[@]}"; do
		yes "llb-guard" | head -c $((guard * 512)) |
			dd of="$l" bs=512 seek=$end conv=notrunc status=none || fail "guard $l"
	done
	want=$(yes "llb-guard" | head -c $((guard * 512)) | cksum)
	must mdadm --assemble /dev/md0 "${LOOPS[@]}"
	fast_daemon md0
	sz=$(dev_sectors /dev/md0)
	# the last chunks and the first one
	write_big /dev/md0 $((sz / 2 - 2048)) 2048 e$k
	write_random /dev/md0 0 64 s$k
	wait_settled md0 300
	expect_eq "$(bits md0 clean)" "$(( $(bits md0 clean) ))" "bits readable"
	log "$(bits_line md0)"
	verify_random /dev/md0 $((sz / 2 - 2048)) e$k
	must mdadm --stop /dev/md0
	for l in "${LOOPS[@]}"; do
		got=$(dd if="$l" bs=512 skip=$end count=$guard status=none | cksum)
		expect_eq "$got" "$want" "bytes after the reservation on $l"
		losetup -d "$l"
	done
	rm -f /tmp/big$k-*.img
done
no_llb_errors
log "ok"
