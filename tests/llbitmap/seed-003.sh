#!/bin/bash
# rig: mem=1536 timeout=400
# Small writes into never-written chunks of members full of garbage, then
# every data member fails in turn: each read must be exact, right after
# the writes (before the lazy build ran) and after it.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 4 48
# Garbage everywhere: never-written stripes have random "parity".
for d in "${LOOPS[@]}"; do
	dd if=/dev/urandom of="$d" bs=1M count=48 oflag=direct status=none || fail "fill $d"
done
llb_create md0 5 4 --chunk=64
n=$(chunks md0)
expect_bits md0 unwritten "$n"
echo frozen >/sys/block/md0/md/sync_action

# 4 KiB writes spread over the array, each into a never-written chunk.
offs="4 1000 5000 20004 40000 77000 100100 130000"
i=0
for o in $offs; do
	write_random /dev/md0 "$o" 4 w$i
	i=$((i + 1))
done
log "frozen: $(bits_line md0)"
expect_eq "$(bits md0 clean)" 0 "clean chunks before the build"

verify_all() {
	local md=$1 i=0 o
	for o in $offs; do
		verify_random "/dev/$md" "$o" w$i
		i=$((i + 1))
	done
}

# degraded_reads WHEN: assemble read-only without each member in turn.
degraded_reads() {
	local skip i devs
	for skip in 0 1 2 3; do
		devs=()
		for i in 0 1 2 3; do
			[ $i = $skip ] || devs+=("${LOOPS[$i]}")
		done
		must mdadm --assemble --readonly --run /dev/md1 "${devs[@]}"
		verify_all md1
		must mdadm --stop /dev/md1
		log "$1: reads exact without member $skip"
	done
}

must mdadm --stop /dev/md0
degraded_reads "before the build"

# Full assembly: the lazy build runs now.
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
fast_daemon md0
wait_settled md0 180
log "settled: $(bits_line md0)"
verify_all md0
must mdadm --stop /dev/md0
degraded_reads "after the build"
no_llb_errors
log "ok"
