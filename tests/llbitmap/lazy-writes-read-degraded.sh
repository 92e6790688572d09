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
fill_garbage 48 "${LOOPS[@]}"
llb_create md0 5 4 --chunk=64
n=$(chunks md0)
expect_bits md0 unwritten "$n"
echo frozen >/sys/block/md0/md/sync_action

# 4 KiB writes spread over the array, each into a never-written chunk.
offs="4 1000 5000 20004 40000 77000 100100 130000"
write_smalls w $offs
log "frozen: $(bits_line md0)"
expect_eq "$(bits md0 clean)" 0 "clean chunks before the build"

verify_all() {
	verify_smalls "/dev/$1" w $offs
}

must mdadm --stop /dev/md0
reads_without_each 4 "before the build" verify_all

# Full assembly: the lazy build runs now.
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
fast_daemon md0
wait_settled md0 180
log "settled: $(bits_line md0)"
verify_all md0
must mdadm --stop /dev/md0
reads_without_each 4 "after the build" verify_all
no_llb_errors
log "ok"
