#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# raid456x with md's classic internal bitmap: fail a member, write while
# degraded, re-add it: only the dirty region is rebuilt; data and parity
# verify; then the same member is read through parity.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 4 48
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=64 --bitmap=internal --bitmap-chunk=1M --assume-clean "${LOOPS[@]}"
grep -q bitmap /proc/mdstat || fail "no bitmap"
write_random /dev/md0 0 4096 before
must mdadm /dev/md0 --fail "${LOOPS[2]}"
must mdadm /dev/md0 --remove "${LOOPS[2]}"
write_random /dev/md0 20000 2000 degraded
must mdadm /dev/md0 --re-add "${LOOPS[2]}"
sleep 1
md_wait_idle md0
grep -q '\[4/4\]' /proc/mdstat || fail "not back in sync"
verify_random /dev/md0 0 before
verify_random /dev/md0 20000 degraded
md_check md0
must mdadm /dev/md0 --fail "${LOOPS[1]}"
verify_random /dev/md0 0 before
verify_random /dev/md0 20000 degraded
must mdadm --stop /dev/md0
r5x_unload_all
log "ok"
