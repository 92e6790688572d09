#!/bin/bash
# rig: mem=1536 timeout=700
# Issue 16 item 2: a write into a chunk whose proactive parity build is
# running (syncing unwritten) turns it into syncing, a state that says
# "this chunk holds data"; that state must be on disk before the data is.
# The window is the time between two sync checkpoints (one per
# daemon_sleep): chunks the build went through since the last checkpoint
# are all syncing unwritten in memory and need sync unwritten on disk.
# daemon_sleep is raised to 600 s for the build, so that no checkpoint
# falls into the test (on the debug kernel one did, at the default 30 s,
# and turned the chosen chunks clean unwritten before the writes came):
# every chunk from 0 to the build's position stays syncing unwritten.
# Writes go into such chunks, the power is cut right after they are
# acknowledged,
# the array is assembled as at boot and the build completes; then member 0
# is failed and rebuilt onto a fresh device: every acknowledged write must
# read back exact (a chunk reloaded as unwritten is skipped by recovery).
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh
. /tests/llbitmap/lib-crash.sh

llb_modules
crash_members 4 64
for d in "${MEMBERS[@]}"; do
	dd if=/dev/urandom of="$d" bs=1M count=64 oflag=direct status=none ||
		fail "fill $d"
done
truncate -s 64M /tmp/spare.img
SPARE=$(losetup -f --show /tmp/spare.img) || fail "losetup spare"
dd if=/dev/urandom of="$SPARE" bs=1M count=64 oflag=direct status=none || fail "fill spare"

must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless "${MEMBERS[@]}"
md_wait_idle md0
ckb=$(chunk_kb md0)
[ $((ckb % 64)) = 0 ] || skip "bitmap chunk ${ckb}K is not a multiple of the raid chunk"
# one bitmap chunk covers ckb KiB of each member: 3 * ckb KiB of the array
rowkb=$((ckb * 3))
echo 1000 >/sys/block/md0/md/sync_speed_max
echo 600 >/sys/block/md0/md/llbitmap/daemon_sleep || fail "daemon_sleep 600"
echo 1 >/sys/block/md0/md/llbitmap/proactive_sync || fail "proactive_sync"
for i in $(seq 1 300); do
	[ "$(bits md0 'syncing unwritten')" -ge 24 ] && break
	sleep 0.2
done
syu=$(bits md0 'syncing unwritten')
[ "$syu" -ge 24 ] || fail "the build is not running: $(bits_line md0)"
# No checkpoint yet: the build began at chunk 0, so chunks 0 to syu - 1
# are syncing unwritten (the test fails below if one was not).
[ "$(bits md0 'clean unwritten')" = 0 ] ||
	fail "a sync checkpoint ran within daemon_sleep: $(bits_line md0)"
k0=4
sy0=$(bits md0 syncing)
offs=()
for j in 0 1 2 3; do
	offs+=($(( (k0 + j * 4) * rowkb )))
done
log "$syu chunks syncing unwritten, writing chunks $k0 to $((k0 + 12))"
for j in 0 1 2 3; do
	write_random /dev/md0 "${offs[$j]}" "$rowkb" "w$j" 64
done
log "after the writes: $(bits_line md0)"
[ "$(bits md0 syncing)" -ge $((sy0 + 4)) ] ||
	fail "the writes did not land in syncing unwritten chunks: $(bits_line md0)"
power_cut
power_back

assemble_plain
echo system >/sys/block/md0/md/sync_speed_max
# the header came back with 600 s; checkpoints as usual from here on
echo 5 >/sys/block/md0/md/llbitmap/daemon_sleep || fail "daemon_sleep 5"
log "after assembly: $(bits_line md0)"
wait_settled md0 300
log "settled: $(bits_line md0)"
for j in 0 1 2 3; do
	verify_random /dev/md0 "${offs[$j]}" "w$j"
done

# Rebuild member 0 onto a fresh device: the written chunks must be copied.
must mdadm /dev/md0 --fail "${MEMBERS[0]}"
must mdadm /dev/md0 --remove "${MEMBERS[0]}"
must mdadm /dev/md0 --add "$SPARE"
sleep 1
md_wait_idle md0 300
log "after the rebuild: $(bits_line md0)"
echo 3 >/proc/sys/vm/drop_caches
for j in 0 1 2 3; do
	verify_random /dev/md0 "${offs[$j]}" "w$j"
done
log "every acknowledged write reads back after the rebuild"
must mdadm --stop /dev/md0
losetup -d "$SPARE"
cleanup_members
no_llb_errors
log "ok"
