#!/bin/bash
# rig: mem=1024 timeout=400
# mdadm --grow --size on a lockless RAID-5 (the bitmap's resize path, which
# allocates its new pages while the array is quiesced, in a NOIO scope):
# the bitmap grows with the array, the new chunks start Unwritten, and old
# and new data read back exact, also after a stop and assembly.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 4 96
llb_create md0 5 4 --chunk=64 --size=32M
fast_daemon md0
n0=$(chunks md0)
size0=$(( $(dev_sectors /dev/md0) / 2 ))
write_big /dev/md0 0 2048 a
write_big /dev/md0 $((size0 - 1024)) 1024 b
wait_settled md0
log "before: $size0 KiB, $n0 chunks: $(bits_line md0)"
must mdadm --grow /dev/md0 --size=max
md_wait_idle md0
n1=$(chunks md0)
size1=$(( $(dev_sectors /dev/md0) / 2 ))
log "after: $size1 KiB, $n1 chunks: $(bits_line md0)"
[ "$size1" -gt "$size0" ] || fail "the array did not grow"
[ "$n1" -gt "$n0" ] || fail "the bitmap did not grow ($n0 -> $n1 chunks)"
after_grow "$size0" "$size1" "${LOOPS[@]}"
expect_eq "$(chunks md0)" "$n1" "chunks after assembly"
must mdadm --stop /dev/md0
no_llb_errors
log "ok"
