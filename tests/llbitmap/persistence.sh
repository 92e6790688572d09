#!/bin/bash
# rig: mem=1536 timeout=400
# A clean stop and reassembly keeps every state.  After an unclean stop
# (every write of the stop dropped by dm-flakey), dirty chunks come back as
# need sync and only they are resynced.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
must modprobe dm-mod
must modprobe dm-flakey
mkloops 4 256
DMS=()
for i in 0 1 2 3; do
	sz=$(dev_sectors "${LOOPS[$i]}")
	must dmsetup create "llbp$i" --table "0 $sz linear ${LOOPS[$i]} 0"
	DMS+=("/dev/mapper/llbp$i")
done
# no udev in the guest: make the /dev/mapper nodes ourselves
must dmsetup mknodes
for i in 0 1 2 3; do
	[ -b "${DMS[$i]}" ] || fail "no ${DMS[$i]}"
done
must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless "${DMS[@]}"
md_wait_idle md0
n=$(chunks md0)
fast_daemon md0
# 1 MiB into three different 512-chunk bitmap blocks.
write_big /dev/md0 0 1024 a0
write_big /dev/md0 102400 1024 a1
write_big /dev/md0 204800 1024 a2
wait_settled md0
before=$(cat /sys/block/md0/md/llbitmap/bits)
cl=$(bits md0 clean)
log "settled: $(bits_line md0)"
[ "$cl" -gt 0 ] || fail "no clean chunk"

must mdadm --stop /dev/md0
must mdadm --assemble /dev/md0 "${DMS[@]}"
md_wait_idle md0
expect_eq "$(cat /sys/block/md0/md/llbitmap/bits)" "$before" "states after reassembly"
expect_eq "$(md_sysfs md0 llbitmap/daemon_sleep)" 1 "daemon_sleep persisted"

# Slow daemon, so that three small writes leave three dirty chunks on disk.
echo 30 >/sys/block/md0/md/llbitmap/daemon_sleep
echo 30 >/sys/block/md0/md/llbitmap/barrier_idle
write_random /dev/md0 2048 4 c0
write_random /dev/md0 104448 4 c1
write_random /dev/md0 206848 4 c2
expect_bits md0 dirty 3
# Power cut: nothing the stop writes reaches the members.
for i in 0 1 2 3; do
	sz=$(dev_sectors "${LOOPS[$i]}")
	must dmsetup suspend --noflush "llbp$i"
	must dmsetup load "llbp$i" --table "0 $sz flakey ${LOOPS[$i]} 0 0 3600 1 drop_writes"
	must dmsetup resume "llbp$i"
done
must mdadm --stop /dev/md0
for i in 0 1 2 3; do
	sz=$(dev_sectors "${LOOPS[$i]}")
	must dmsetup suspend "llbp$i"
	must dmsetup load "llbp$i" --table "0 $sz linear ${LOOPS[$i]} 0"
	must dmsetup resume "llbp$i"
	blockdev --flushbufs "/dev/mapper/llbp$i"
done

# Read-only first, so the resync waits and the states can be read.
must mdadm --assemble --readonly /dev/md0 "${DMS[@]}"
log "after the unclean stop: $(bits_line md0)"
expect_bits md0 "need sync" 3
expect_bits md0 dirty 0
expect_bits md0 clean $((cl - 3))
expect_bits md0 unwritten $((n - cl))
must mdadm --readwrite /dev/md0
md_wait_action md0 resync 20 || true
wait_settled md0
expect_bits md0 clean "$cl"
for x in a0:0 a1:102400 a2:204800 c0:2048 c1:104448 c2:206848; do
	verify_random /dev/md0 "${x#*:}" "${x%%:*}"
done
md_check md0
must mdadm --stop /dev/md0
for i in 0 1 2 3; do dmsetup remove "llbp$i"; done
no_llb_errors
log "ok"
