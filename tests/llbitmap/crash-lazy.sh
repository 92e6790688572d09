#!/bin/bash
# rig: mem=1536 timeout=600
# Issue 8: a power cut in the middle of the lazy parity build (every write
# after the cut lost, see lib-crash.sh).  A plain mdadm --assemble starts
# the array, the build resumes and completes, the raw parity is valid, and
# the data reads back exact with each member missing.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh
. /tests/llbitmap/lib-crash.sh

need_r5parity
llb_modules
crash_members 4 64
LEN=8192

for d in "${MEMBERS[@]}"; do
	dd if=/dev/urandom of="$d" bs=1M count=64 oflag=direct status=none ||
		fail "fill $d"
done
must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless "${MEMBERS[@]}"
md_wait_idle md0
n=$(chunks md0)
echo 1 >/sys/block/md0/md/llbitmap/daemon_sleep
echo frozen >/sys/block/md0/md/sync_action
# Both halves of the members: with infection, every chunk needs sync.
size_kb=$(( $(dev_sectors /dev/md0) / 2 ))
write_big /dev/md0 0 $LEN a
write_big /dev/md0 $((size_kb - LEN)) $LEN b
log "frozen: $(bits_line md0)"
expect_bits md0 "need sync" "$n"
echo 1000 >/sys/block/md0/md/sync_speed_max
echo idle >/sys/block/md0/md/sync_action
# Let it run past a few checkpoints (one per daemon_sleep second).
for i in $(seq 1 100); do
	[ "$(bits md0 dirty)" -gt 0 ] && [ "$(bits md0 syncing)" -gt 0 ] && break
	sleep 0.2
done
sleep 2
log "at the cut: $(bits_line md0) $(grep resync /proc/mdstat)"
[ "$(bits md0 'need sync')" -gt 0 ] || fail "build finished before the cut"
power_cut
sleep 2
power_back

assemble_plain
log "after assembly: $(bits_line md0)"
[ "$(bits md0 'need sync')" -gt 0 ] || fail "nothing left to sync after the crash"
fast_daemon md0
wait_settled md0 300
expect_bits md0 clean "$n"
verify_big /dev/md0 0 a
verify_big /dev/md0 $((size_kb - LEN)) b
md_check md0
must mdadm --stop /dev/md0
parity_clean "${MEMBERS[@]}"
degraded_reads_raw a 0 $LEN
degraded_reads_raw b $((size_kb - LEN)) $LEN
cleanup_members
no_llb_errors
log "ok"
