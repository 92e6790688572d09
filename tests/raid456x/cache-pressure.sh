#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# The smallest stripe cache (16 stripes) under three writers at once,
# while a repair and then a recovery compete for the same stripes.  A
# request or the sync that runs out of stripes sleeps until a quarter of
# the cache is free again, and the md thread grows the cache (up to 4x);
# the shrinker gives the extra stripes back.  This must neither hang (the
# rig's timeout and hung-task check) nor lose data: fio verifies every
# block, md's check and the raw parity of the members must agree.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 5 48
spare=${LOOPS[4]}
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=16 --bitmap=none --assume-clean "${LOOPS[@]:0:4}"
echo 16 >/sys/block/md0/md/stripe_cache_size || fail "cache size 16"
expect_eq "$(md_sysfs md0 stripe_cache_size)" 16 "stripe_cache_size"

# three jobs, each on its own 32 MiB, sizes from 512 B to 1 MiB: whole
# stripes, partial ones, and bios that need more stripes than the cache
fioargs=(--filename=/dev/md0 --direct=1 --ioengine=libaio --iodepth=16
	--rw=randwrite --bsrange=512-1M --size=32M --numjobs=3
	--offset_increment=32M --verify=crc32c --verify_fatal=1
	--randrepeat=1 --eta=never)
fio --name=p "${fioargs[@]}" --output=/tmp/fio1.out &
fpid=$!
sleep 2
echo repair >/sys/block/md0/md/sync_action || fail "start repair"
wait $fpid || { cat /tmp/fio1.out; fail "fio verify under a 16-stripe cache and repair"; }
md_wait_idle md0 300
expect_eq "$(md_mismatches md0)" 0 "mismatch_cnt after repair beside the writers"
s1=$(r5x_stat starved)
[ "$s1" -gt 0 ] || fail "16 stripes and three writers never ran out: $(cat /sys/block/md0/md/r5x_stats)"
log "getters slept for a stripe $s1 times"
# Short of stripes, the cache grew (at most 4 x stripe_cache_size);
# memory pressure (drop_caches runs the shrinkers) gives it back.
st=$(r5x_stat stripes)
if [ "$st" -le 16 ] || [ "$st" -gt 64 ]; then
	fail "cache holds $st stripes after running short (17..64 expected)"
fi
expect_eq "$(md_sysfs md0 stripe_cache_size)" 16 "stripe_cache_size after growing"
echo 2 >/proc/sys/vm/drop_caches
expect_eq "$(r5x_stat stripes)" 16 "stripes after drop_caches (was $st)"

# a recovery onto the spare, with the writers verifying what they wrote
must mdadm /dev/md0 --fail "${LOOPS[2]}"
must mdadm /dev/md0 --remove "${LOOPS[2]}"
must mdadm /dev/md0 --add "$spare"
fio --name=p "${fioargs[@]}" --verify_only --output=/tmp/fio2.out &
fpid=$!
fio --name=w --filename=/dev/md0 --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=write --bs=1M --offset=96M --size=16M --verify=crc32c \
	--verify_fatal=1 --eta=never --output=/tmp/fio3.out ||
	{ cat /tmp/fio3.out; fail "fio write during the recovery"; }
wait $fpid || { cat /tmp/fio2.out; fail "fio verify during the recovery"; }
md_wait_idle md0 300
grep -q '\[4/4\]' /proc/mdstat || fail "spare not in sync: $(cat /proc/mdstat)"
[ "$(r5x_stat starved)" -gt "$s1" ] || log "no getter slept during the recovery"
expect_eq "$(md_sysfs md0 stripe_cache_active)" 0 "stripes in use once idle"
md_check md0
fio --name=p "${fioargs[@]}" --verify_only --output=/tmp/fio4.out ||
	{ cat /tmp/fio4.out; fail "fio verify after the recovery"; }
must mdadm --stop /dev/md0
r5x_members_parity "${LOOPS[0]}" "${LOOPS[1]}" "$spare" "${LOOPS[3]}"
r5x_unload_all
log "ok"
