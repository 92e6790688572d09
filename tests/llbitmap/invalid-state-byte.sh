#!/bin/bash
# rig: mem=1024 timeout=300
# Issue 16 item 9: a state byte that is no valid state (bit rot, a foreign
# writer) is treated as need sync, whatever low bits it has: on a stopped
# array, chunks whose parity was broken on purpose get invalid state bytes
# on every member (values whose low 5 bits alias unwritten, clean unwritten,
# need sync and none); after assembly the kernel names them, no chunk is
# left uncounted, each of them is resynced and the raw parity is valid.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

need_r5parity
command -v llbitmap2-inspect >/dev/null || fail "llbitmap2-inspect is not in the guest"
llb_modules
mkloops 4 64
# zeroed members and --assume-clean: the parity is valid everywhere
llb_create md0 5 4 --chunk=64 --assume-clean
fast_daemon md0
ckb=$(chunk_kb md0)
[ "$ckb" = 64 ] || skip "bitmap chunk ${ckb}K, the scenario assumes 64K"
n=$(chunks md0)
write_big /dev/md0 0 $((8 * 192)) d
wait_settled md0
log "before: $(bits_line md0)"
must mdadm --stop /dev/md0

vals=(8 32 39 35 128 255)
doff=$(r5parity --print-geometry "${LOOPS[@]}" | sed -n 's/^slot 1: .* data_offset=\([0-9]*\).*/\1/p')
[ -n "$doff" ] || fail "no data offset"
for k in 1 2 3 4 5 6; do
	# break the parity block of row k (left-symmetric: slot 3 - k % 4)
	flip_byte "${LOOPS[$((3 - k % 4))]}" $(( doff * 512 + k * 65536 + 100 ))
done
drop_caches "${LOOPS[@]}"
r5parity --quiet "${LOOPS[@]}" >/dev/null 2>&1 && fail "parity still valid after the flips"
for d in "${LOOPS[@]}"; do
	bm=$(llbitmap2-inspect "$d" | sed -n 's/.*(bitmap at sector \([0-9]*\)).*/\1/p')
	[ -n "$bm" ] || fail "no bitmap position on $d"
	for i in "${!vals[@]}"; do
		k=$((i + 1))
		printf "\\x$(printf %02x "${vals[$i]}")" |
			dd of="$d" bs=1 seek=$(( bm * 512 + 1024 + k )) conv=notrunc status=none ||
			fail "poke $d"
	done
done
drop_caches "${LOOPS[@]}"
llbitmap2-inspect "${LOOPS[0]}" | grep -i invalid | head -3

must mdadm --assemble /dev/md0 "${LOOPS[@]}"
log "assembled: $(bits_line md0)"
dmesg_has 'md0: chunk 1 has invalid state 8' || fail "the invalid byte was not reported"
total=$(awk '{ s += $NF } END { print s }' /sys/block/md0/md/llbitmap/bits)
expect_eq "$total" "$n" "chunks counted in bits"
wait_settled md0 120
log "settled: $(bits_line md0)"
verify_big /dev/md0 0 d
must mdadm --stop /dev/md0
parity_clean "${LOOPS[@]}"
log "every chunk with an invalid state byte was resynced"
log "ok"
