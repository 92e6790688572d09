#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# RAID-6 want_replacement: mdadm --replace copies a member onto a new
# device while the array stays writable; the new device takes the slot,
# data and P/Q check clean, and the new device is then read through P and
# Q with two other members failed.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 6 32
must mdadm --create /dev/md0 --run --quiet --level=6 --raid-devices=5 \
	--chunk=64 --bitmap=none --assume-clean "${LOOPS[@]:0:5}"
dmesg | tail -20 | grep -q 'md/raid456x:md0: raid level 6 active' ||
	fail "not started by raid456x"
write_random /dev/md0 0 3000 a
must mdadm /dev/md0 --add "${LOOPS[5]}"
must mdadm /dev/md0 --replace "${LOOPS[1]}" --with "${LOOPS[5]}"
# writes during the copy go to both devices
write_random /dev/md0 50000 1000 during
sleep 1
md_wait_idle md0 400
sleep 1
md_wait_idle md0 60
grep -q '\[5/5\]' /proc/mdstat || fail "not fully redundant after the replace"
slot=$(cat /sys/block/md0/md/dev-$(basename "${LOOPS[5]}")/slot)
expect_eq "$slot" 1 "slot of the new device"
state=$(cat /sys/block/md0/md/dev-$(basename "${LOOPS[1]}")/state 2>/dev/null || echo removed)
case $state in *faulty*|removed) ;; *) fail "old member still active: $state" ;; esac
verify_random /dev/md0 0 a
verify_random /dev/md0 50000 during
md_check md0
must mdadm /dev/md0 --fail "${LOOPS[0]}"
must mdadm /dev/md0 --fail "${LOOPS[3]}"
grep -q '\[5/3\]' /proc/mdstat || fail "not degraded by two"
echo 3 >/proc/sys/vm/drop_caches
must mdadm --stop /dev/md0
must mdadm --assemble --run /dev/md0 "${LOOPS[2]}" "${LOOPS[4]}" "${LOOPS[5]}"
verify_random /dev/md0 0 a
verify_random /dev/md0 50000 during
must mdadm --stop /dev/md0
r5x_unload_all
log "ok"
