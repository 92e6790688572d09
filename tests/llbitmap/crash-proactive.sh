#!/bin/bash
# rig: mem=1536 timeout=600
# Issue 8: a power cut in the middle of a proactive parity build (every
# write after the cut lost, see lib-crash.sh).  A plain mdadm --assemble
# starts the array, the build resumes by itself and ends with every chunk
# clean unwritten, and the raw parity is valid everywhere.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh
. /tests/llbitmap/lib-crash.sh

need_r5parity
llb_modules
crash_members 4 64

for d in "${MEMBERS[@]}"; do
	dd if=/dev/urandom of="$d" bs=1M count=64 oflag=direct status=none ||
		fail "fill $d"
done
must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless "${MEMBERS[@]}"
md_wait_idle md0
echo 1 >/sys/block/md0/md/llbitmap/daemon_sleep
echo 1000 >/sys/block/md0/md/sync_speed_max
echo 1 >/sys/block/md0/md/llbitmap/proactive_sync || fail "proactive_sync"
for i in $(seq 1 100); do
	[ "$(bits md0 'clean unwritten')" -gt 0 ] && break
	sleep 0.2
done
sleep 2
log "at the cut: $(bits_line md0) $(grep resync /proc/mdstat)"
[ "$(bits md0 'need sync unwritten')" -gt 0 ] || fail "build finished before the cut"
power_cut
sleep 2
power_back

assemble_plain
log "after assembly: $(bits_line md0)"
n=$(chunks md0)
wait_bits md0 "clean unwritten" "$n" 300
md_wait_idle md0
must mdadm --stop /dev/md0
parity_clean "${MEMBERS[@]}"
cleanup_members
no_llb_errors
log "ok"
