#!/bin/bash
# rig: personality=both mem=1536 timeout=900 long=1
# RAID-6 under raid456x with md-llbitmap2 on members full of random data,
# so P and Q that were never built are wrong, not zero:
#  - writes into never-synced chunks with sync frozen compute P and Q by
#    reconstruct-write (forced_rcw); with two members failed they read
#    back exact;
#  - the same writes unfrozen get their chunks synced (P and Q rebuilt by
#    the resync that md-llbitmap2 asks for); check = 0; two members fail,
#    the data reads back;
#  - proactive_sync on a fresh array builds P and Q everywhere: with two
#    members missing the whole array reads back the same, under raid456x
#    and under the in-tree raid456 (check would skip the chunks never
#    written, so this is the proof that P and Q are right there).
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh

must modprobe md-mod
use_personality raid456x
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"
mkloops 6 32

randomize() {
	local d
	for d in "${LOOPS[@]}"; do
		mdadm --zero-superblock "$d" >/dev/null 2>&1
		dd if=/dev/urandom of="$d" bs=1M count=32 oflag=direct status=none ||
			fail "fill $d"
	done
}

create() {
	must mdadm --create /dev/md0 --run --quiet --level=6 --raid-devices=6 \
		--metadata=1.2 --bitmap=lockless --chunk=64 "${LOOPS[@]}"
	dmesg | tail -20 | grep -q 'md/raid456x:md0: raid level 6 active' ||
		fail "not started by raid456x"
	md_wait_idle md0
	log "after create: $(bits_line md0)"
	[ "$(bits md0 clean)" = 0 ] || fail "chunks clean right after create: $(bits_line md0)"
}

# small_writes TAG: a 4 KiB block in each of 12 chunks, on various members
small_writes() {
	local i
	for i in $(seq 0 11); do
		mkref "$1$i" 4
		dd if="/tmp/ref/$1$i" of=/dev/md0 bs=4k seek=$((i * 173 + 2)) \
			count=1 oflag=direct status=none || fail "write $1$i"
	done
}

verify_small() {
	local i
	for i in $(seq 0 11); do
		verify_random /dev/md0 $(((i * 173 + 2) * 4)) "$1$i"
	done
}

# fail_two A B, then read everything written back through P and Q
fail_two() {
	must mdadm /dev/md0 --fail "${LOOPS[$1]}"
	must mdadm /dev/md0 --fail "${LOOPS[$2]}"
	grep -q '\[6/4\]' /proc/mdstat || fail "not degraded by two"
	echo 3 >/proc/sys/vm/drop_caches
}

log "writes into unsynced chunks, sync frozen"
randomize
create
echo frozen >/sys/block/md0/md/sync_action || fail "freeze"
small_writes a
log "after writes: $(bits_line md0) $(tr '\n' ' ' </sys/block/md0/md/r5x_stats)"
[ "$(r5x_stat rmw)" = 0 ] || fail "rmw used: $(cat /sys/block/md0/md/r5x_stats)"
[ "$(r5x_stat forced_rcw)" -ge 12 ] || fail "no forced rcw: $(cat /sys/block/md0/md/r5x_stats)"
# stop and assemble degraded: nothing comes from the stripe cache
must mdadm --stop /dev/md0
must mdadm --assemble --run /dev/md0 "${LOOPS[@]:2}"
echo frozen >/sys/block/md0/md/sync_action || fail "freeze"
grep -q '\[6/4\]' /proc/mdstat || fail "not degraded by two"
verify_small a
must mdadm --stop /dev/md0

log "the written chunks get synced"
randomize
create
fast_daemon md0
small_writes b
sleep 2
md_wait_idle md0 300
wait_settled md0 300
log "bits: $(bits_line md0)"
[ "$(bits md0 'need sync')" = 0 ] || fail "chunks still need sync: $(bits_line md0)"
md_check md0
verify_small b
fail_two 1 4
verify_small b
must mdadm --stop /dev/md0

log "proactive sync of a fresh array: P and Q built everywhere"
randomize
create
fast_daemon md0
echo 1 >/sys/block/md0/md/llbitmap/proactive_sync || fail "proactive_sync"
sleep 2
md_wait_idle md0 400
wait_settled md0 300
log "bits: $(bits_line md0)"
[ "$(bits md0 unwritten)" = 0 ] || fail "unwritten chunks left: $(bits_line md0)"
small_writes c
size_kb=$(($(dev_sectors /dev/md0) / 2))
all=$(sum_range /dev/md0 0 "$size_kb")
must mdadm --stop /dev/md0
# check skips chunks that were never written, so the proof is reading the
# whole array with two members missing: every row then needs P, Q or both
must mdadm --assemble --run /dev/md0 "${LOOPS[@]:1:4}"
grep -q '\[6/4\]' /proc/mdstat || fail "not degraded by two"
verify_small c
expect_eq "$(sum_range /dev/md0 0 "$size_kb")" "$all" "whole array, two missing"
must mdadm --stop /dev/md0
# and the in-tree raid456 rebuilds the same from raid456x's P and Q
use_personality raid456
must mdadm --assemble --run /dev/md0 "${LOOPS[@]:1:4}"
dmesg | tail -20 | grep -q 'md/raid:md0: raid level 6 active' ||
	fail "not started by raid456"
verify_small c
expect_eq "$(sum_range /dev/md0 0 "$size_kb")" "$all" "whole array under raid456, two missing"
must mdadm --stop /dev/md0
r5x_unload_all
rmmod md_llbitmap2 || true
log "ok"
