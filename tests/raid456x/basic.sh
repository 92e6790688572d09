#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# raid456x alone: create a RAID-5, let it resync, write random data,
# verify it through the cache and the aligned read path, check parity
# (md check and the raw r5parity), stop and reassemble, fio verify.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 4 64
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=64 --bitmap=none "${LOOPS[@]}"
grep -q 'raid456x' /proc/modules || fail "raid456x not loaded"
md_wait_idle md0
expect_eq "$(md_sysfs md0 level)" raid5 "level"
[ -r /sys/block/md0/md/stripe_cache_size ] || fail "no stripe_cache_size"
expect_eq "$(md_sysfs md0 stripe_cache_size)" 256 "stripe_cache_size"

# unaligned (through the cache) and large writes
write_random /dev/md0 0 4096 a
write_random /dev/md0 30004 12 b
write_random /dev/md0 40960 3 c
verify_random /dev/md0 0 a
verify_random /dev/md0 30004 b
verify_random /dev/md0 40960 c
md_check md0

echo 64 >/sys/block/md0/md/stripe_cache_size || fail "resize cache"
expect_eq "$(md_sysfs md0 stripe_cache_size)" 64 "stripe_cache_size after resize"
fio_verify /dev/md0 2M --rw=randwrite --bs=4k --offset=100M
fio_verify /dev/md0 16M --rw=write --bs=256k --offset=140M
md_check md0

must mdadm --stop /dev/md0
r5x_members_parity "${LOOPS[@]}"
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
md_wait_idle md0
verify_random /dev/md0 0 a
verify_random /dev/md0 30004 b
verify_random /dev/md0 40960 c
must mdadm --stop /dev/md0
r5x_unload_all
log "ok"
