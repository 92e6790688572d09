#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# want_replacement: mdadm --replace copies a member onto a new device while
# the array stays fully redundant and writable; the old member is retired,
# the new one takes its slot, data and parity verify, and the new device
# is then read through parity with another member failed.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 5 32
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=64 --bitmap=none --assume-clean "${LOOPS[@]:0:4}"
write_random /dev/md0 0 3000 a
must mdadm /dev/md0 --add "${LOOPS[4]}"
must mdadm /dev/md0 --replace "${LOOPS[1]}" --with "${LOOPS[4]}"
# writes during the copy go to both devices
write_random /dev/md0 50000 1000 during
sleep 1
md_wait_idle md0 400
sleep 1
md_wait_idle md0 60
grep -q '\[4/4\]' /proc/mdstat || fail "not fully redundant after the replace"
slot=$(cat /sys/block/md0/md/dev-$(basename "${LOOPS[4]}")/slot)
expect_eq "$slot" 1 "slot of the new device"
state=$(cat /sys/block/md0/md/dev-$(basename "${LOOPS[1]}")/state 2>/dev/null || echo removed)
case $state in *faulty*|removed) ;; *) fail "old member still active: $state" ;; esac
verify_random /dev/md0 0 a
verify_random /dev/md0 50000 during
md_check md0
must mdadm /dev/md0 --fail "${LOOPS[0]}"
echo 3 >/proc/sys/vm/drop_caches
verify_random /dev/md0 0 a
verify_random /dev/md0 50000 during
must mdadm --stop /dev/md0
r5x_unload_all
log "ok"
