#!/bin/bash
# rig: mem=1536 timeout=300
# Chunks that a recovery leaves Dirty must settle to Clean once the array
# is whole again.  The daemon does nothing while the array is degraded,
# and a recovery ends Dirty chunks while md still counts the array as
# degraded: without a re-armed daemon they stayed Dirty until the next
# write (and were resynced again after any crash).
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 5 128
llb_create md0 5 4 --chunk=64 --assume-clean
fast_daemon md0
expect_eq "$(bits md0 unwritten)" 0 "unwritten chunks with --assume-clean"

must mdadm /dev/md0 --fail "${LOOPS[3]}"
must mdadm /dev/md0 --remove "${LOOPS[3]}"
# Writes while degraded: need sync, to be rebuilt onto the new member.
write_random /dev/md0 0 8192 deg
write_random /dev/md0 100000 4096 deg2
sleep 3
[ "$(bits md0 "need sync")" -gt 0 ] || fail "no need-sync chunk after degraded writes: $(bits_line md0)"

must mdadm /dev/md0 --add "${LOOPS[4]}"
md_wait_idle md0
grep -q '\[4/4\]' /proc/mdstat || fail "array not whole after recovery"
log "after recovery: $(bits_line md0)"
# daemon_sleep is 1 s: 30 s is far beyond what settling needs.
wait_settled md0 30
log "settled: $(bits_line md0)"
verify_random /dev/md0 0 deg
verify_random /dev/md0 100000 deg2
md_check md0
must mdadm --stop /dev/md0
no_llb_errors
log "ok"
