#!/bin/bash
# rig: mem=1024 timeout=600
# Issue 16 item 11: daemon_sleep written over and over while md updates its
# superblock all the time (writes with a tiny safe_mode_delay flip the array
# between clean and active, and a check runs): the bitmap header is md's to
# write, under reconfig_mutex, so nothing breaks, the bitmap is never older
# than the array at the next assembly, the last value written is the one
# assembled, and the data is exact.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 4 64
llb_create md0 5 4 --chunk=64
fast_daemon md0
echo 0.01 >/sys/block/md0/md/safe_mode_delay || fail "safe_mode_delay"
size_kb=$(( $(dev_sectors /dev/md0) / 2 ))
write_big /dev/md0 0 4096 a
# the parity build of what was written, first
wait_settled md0
echo check >/sys/block/md0/md/sync_action || fail "start check"
events0=$(mdadm --examine "${LOOPS[0]}" | awk '/Events :/ { print $3 }')

# writer: small writes with pauses longer than safe_mode_delay, each one a
# clean -> active superblock update
(
	for i in $(seq 1 150); do
		dd if=/dev/urandom of=/dev/md0 bs=4k count=1 seek=$(( (size_kb / 4 - 1) - i * 7 )) \
			oflag=direct status=none || exit 1
		sleep 0.03
	done
) &
wpid=$!
last=0
for i in $(seq 1 300); do
	v=$((i % 37 + 1))
	echo "$v" >/sys/block/md0/md/llbitmap/daemon_sleep || fail "daemon_sleep store $i"
	last=$v
done
wait "$wpid" || fail "writer failed"
md_wait_idle md0
events1=$(mdadm --examine "${LOOPS[0]}" | awk '/Events :/ { print $3 }')
log "events $events0 -> $events1, daemon_sleep $last: $(md_sysfs md0 llbitmap/metadata | tr '\n' ' ')"
[ "$events1" -gt "$events0" ] || fail "md never updated its superblock meanwhile"
expect_eq "$(md_sysfs md0 llbitmap/daemon_sleep)" "$last" "daemon_sleep"
verify_big /dev/md0 0 a
md_check md0

must mdadm --stop /dev/md0
dmesg -C
must mdadm --assemble /dev/md0 "${LOOPS[@]:0:4}"
expect_eq "$(md_sysfs md0 llbitmap/daemon_sleep)" "$last" "daemon_sleep after assembly"
dmesg_has 'older than the array' && fail "bitmap header older than the array after assembly"
verify_big /dev/md0 0 a
must mdadm --stop /dev/md0
no_llb_errors
log "ok"
