#!/bin/bash
# rig: personality=raid456x mem=1536 timeout=600
# raid456x with md-llbitmap2 on members full of random data, so parity
# that was never built is wrong, not zero:
#  - seed 003: small writes into never-synced chunks with sync frozen
#    must use reconstruct-write (rmw would keep the garbage parity); with a
#    member failed the writes read back exact;
#  - lazy: the same writes unfrozen trigger the lazy recovery, which
#    rebuilds the written chunks (here all of them: llbitmap promotes every
#    chunk of a bitmap block) through the lazy-recover member; check = 0;
#  - proactive_sync on a fresh array builds parity everywhere: r5parity
#    finds the raw members consistent; a member fails, data reads back.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh


r5x_load
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"
mkloops 6 32

randomize() {
	local d
	for d in "${LOOPS[@]}"; do
		dd if=/dev/urandom of="$d" bs=1M count=32 oflag=direct status=none ||
			fail "fill $d"
	done
}

create() {
	must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=6 \
		--metadata=1.2 --bitmap=lockless --chunk=64 "${LOOPS[@]}"
	md_wait_idle md0
	expect_eq "$(md_sysfs md0 bitmap_type | xargs)" "none bitmap [llbitmap]" "bitmap_type"
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

log "seed 003: writes into unsynced chunks, sync frozen"
randomize
create
echo frozen >/sys/block/md0/md/sync_action || fail "freeze"
small_writes a
log "after writes: $(bits_line md0)"
[ "$(r5x_stat rmw)" = 0 ] || fail "rmw used where parity was never built: $(cat /sys/block/md0/md/r5x_stats)"
[ "$(r5x_stat forced_rcw)" -ge 12 ] || fail "no forced rcw: $(cat /sys/block/md0/md/r5x_stats)"
must mdadm /dev/md0 --fail "${LOOPS[0]}"
echo 3 >/proc/sys/vm/drop_caches
verify_small a
must mdadm --stop /dev/md0
for d in "${LOOPS[@]}"; do mdadm --zero-superblock "$d" 2>/dev/null; done

log "lazy recovery of the written chunks"
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

must mdadm --stop /dev/md0
for d in "${LOOPS[@]}"; do mdadm --zero-superblock "$d" 2>/dev/null; done

log "proactive sync of a fresh array: parity built everywhere"
randomize
create
fast_daemon md0
echo 1 >/sys/block/md0/md/llbitmap/proactive_sync || fail "proactive_sync"
sleep 2
md_wait_idle md0 400
wait_settled md0 300
log "bits: $(bits_line md0)"
[ "$(bits md0 unwritten)" = 0 ] || fail "unwritten chunks left: $(bits_line md0)"
must mdadm --stop /dev/md0
r5x_members_parity "${LOOPS[@]}"
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
small_writes c
must mdadm /dev/md0 --fail "${LOOPS[5]}"
echo 3 >/proc/sys/vm/drop_caches
verify_small c
must mdadm --stop /dev/md0
r5x_unload_all
rmmod md_llbitmap2 || true
log "ok"
