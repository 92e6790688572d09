#!/bin/bash
# rig: mem=1536 timeout=400
# Writes while degraded become need sync (no infection), and a re-add
# resyncs only those chunks.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 4 256
llb_create md0 5 4 --chunk=64
fast_daemon md0
write_big /dev/md0 0 2048 a
wait_settled md0
base_clean=$(bits md0 clean)
log "settled: $(bits_line md0)"

must mdadm /dev/md0 --fail "${LOOPS[2]}"
must mdadm /dev/md0 --remove "${LOOPS[2]}"
grep -q '\[4/3\]' /proc/mdstat || fail "not degraded"
# Three single-chunk writes far apart, while degraded.
write_random /dev/md0 300000 4 d1
write_random /dev/md0 400000 4 d2
write_random /dev/md0 500000 4 d3
write_random /dev/md0 3000 4 d4
sleep 3
log "degraded after writes: $(bits_line md0)"
ns=$(bits md0 "need sync")
[ "$ns" -ge 3 ] && [ "$ns" -le 4 ] || fail "need sync $ns, want 3..4 (no infection while degraded)"
expect_eq "$(bits md0 dirty)" 0 "dirty while degraded"

before=$(member_write_kb "${LOOPS[2]}")
must mdadm /dev/md0 --re-add "${LOOPS[2]}"
md_wait_idle md0
grep -q '\[4/4\]' /proc/mdstat || fail "member not back"
after=$(member_write_kb "${LOOPS[2]}")
kb=$(( ${after%.*} - ${before%.*} ))
ck=$(chunk_kb md0)
log "re-add wrote $kb KiB to the member (chunk $ck KiB)"
[ "$kb" -le $(( (ns + 2) * ck + 512 )) ] || fail "re-add wrote $kb KiB, more than the $ns need-sync chunks"
wait_settled md0
verify_big /dev/md0 0 a
verify_random /dev/md0 300000 d1
verify_random /dev/md0 400000 d2
verify_random /dev/md0 500000 d3
verify_random /dev/md0 3000 d4
md_check md0
# The member that came back holds the right data: fail another one.
must mdadm /dev/md0 --fail "${LOOPS[0]}"
verify_random /dev/md0 300000 d1
verify_random /dev/md0 500000 d3
verify_random /dev/md0 3000 d4
must mdadm --stop /dev/md0
no_llb_errors
log "ok"
