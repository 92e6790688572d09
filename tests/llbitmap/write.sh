#!/bin/bash
# rig: mem=1536 timeout=300
# Written chunks go need sync -> syncing -> dirty -> clean (the lazy parity
# build), untouched chunks stay unwritten, and "check" finds no mismatch.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 4 256
llb_create md0 5 4 --chunk=64
n=$(chunks md0)
expect_bits md0 unwritten "$n"
fast_daemon md0

# Hold the sync back to see the first state.
echo frozen >/sys/block/md0/md/sync_action
write_random /dev/md0 0 1024 a
ns=$(bits md0 "need sync")
log "after the write, sync frozen: $(bits_line md0)"
[ "$ns" -gt 0 ] || fail "no chunk in need sync"
# One 512-byte bitmap block holds 512 chunks; upstream marks the whole
# block at once ("infect"), so at most 512 chunks may follow one write.
[ "$ns" -le 512 ] || fail "$ns chunks need sync after a 1 MiB write"
expect_eq "$(bits md0 unwritten)" $((n - ns)) "unwritten after the write"
verify_random /dev/md0 0 a

# Let the lazy build run slowly enough to catch it syncing.
echo 2000 >/sys/block/md0/md/sync_speed_max
echo idle >/sys/block/md0/md/sync_action
seen=0
for i in $(seq 1 100); do
	if [ "$(bits md0 syncing)" -gt 0 ]; then seen=1; break; fi
	sleep 0.1
done
[ $seen = 1 ] || fail "never saw a syncing chunk: $(bits_line md0)"
grep -q resync /proc/mdstat || fail "resync not shown in /proc/mdstat"
echo system >/sys/block/md0/md/sync_speed_max
wait_bits md0 clean "$ns" 120
expect_eq "$(bits md0 unwritten)" $((n - ns)) "unwritten after the build"
dmesg_has "md: resync of RAID array md0" || fail "no resync in dmesg"

# A second write into settled chunks: dirty, then clean, no new sync.
write_random /dev/md0 4096 64 b
d=$(bits md0 dirty)
log "after a write to clean chunks: $(bits_line md0)"
[ "$d" -gt 0 ] || fail "no dirty chunk after writing clean chunks"
expect_eq "$(bits md0 "need sync")" 0 "need sync after writing clean chunks"
wait_bits md0 dirty 0 30
verify_random /dev/md0 0 a
md_check md0
verify_random /dev/md0 4096 b
expect_eq "$(bits md0 unwritten)" $((n - ns)) "unwritten at the end"
must mdadm --stop /dev/md0
no_llb_errors
log "ok"
