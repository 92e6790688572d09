#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Writes update parity by read-modify-write, reconstruct-write or a full
# stripe write, chosen by cost (r5x_stats proves each ran); the raw
# members are then checked independently with r5parity, and the data
# reads back after reassembly.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh


r5x_load
mkloops 6 32
# 6 members, 64 KiB chunks: a row holds 5 data chunks = 320 KiB
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=6 \
	--chunk=64 --bitmap=none "${LOOPS[@]}"
md_wait_idle md0
md_check md0

# one 4 KiB block per stripe: rmw reads 2 blocks, rcw would read 4
r0=$(r5x_stat rmw)
for i in 0 1 2 3 4 5 6 7; do
	mkref "s$i" 4
	dd if="/tmp/ref/s$i" of=/dev/md0 bs=4k seek=$((i * 83 + 5)) count=1 \
		oflag=direct status=none || fail "small write $i"
done
r1=$(r5x_stat rmw)
[ "$r1" -ge $((r0 + 8)) ] || fail "small writes did not use rmw: $(cat /sys/block/md0/md/r5x_stats)"

# 4 of 5 chunks of row 10: rcw reads 1 block per stripe, rmw would read 5
c0=$(r5x_stat rcw)
mkref big4 256
dd if=/tmp/ref/big4 of=/dev/md0 bs=256k seek=$((10 * 320 * 1024)) count=1 \
	iflag=fullblock oflag=direct,seek_bytes status=none || fail "rcw write"
c1=$(r5x_stat rcw)
[ "$c1" -gt "$c0" ] || fail "4-of-5 chunk write did not use rcw: $(cat /sys/block/md0/md/r5x_stats)"

# whole rows 20 and 21 (16 stripes each) in one bio each: no reads at all
f0=$(r5x_stat full)
mkref full 640
dd if=/tmp/ref/full of=/dev/md0 bs=320k seek=20 count=2 iflag=fullblock \
	oflag=direct status=none || fail "full-stripe write"
f1=$(r5x_stat full)
[ "$f1" -ge $((f0 + 32)) ] || fail "row writes were not full-stripe writes: $(cat /sys/block/md0/md/r5x_stats)"
log "stats: $(tr '\n' ' ' </sys/block/md0/md/r5x_stats)"

# buffered sequential writes: writeback plugs many 64 KiB-chunk bios, the
# plug holds the stripes until it is flushed, so rows fill completely
f0=$(r5x_stat full)
r0=$(r5x_stat rmw)
mkref seq 8000
dd if=/tmp/ref/seq of=/dev/md0 bs=1000k seek=$((30 * 320 * 1024)) count=8 \
	oflag=seek_bytes conv=fsync status=none || fail "buffered write"
f1=$(r5x_stat full)
log "buffered 8000 KiB: full $((f1 - f0)) rmw $(($(r5x_stat rmw) - r0)) ($(tr '\n' ' ' </sys/block/md0/md/r5x_stats))"
[ $((f1 - f0)) -ge 200 ] || fail "buffered sequential writes did not become full-stripe writes"

# unaligned partial writes mixing all three (after rows 20-21, before the
# sequential part)
write_random /dev/md0 7101 1333 mix

must mdadm --stop /dev/md0
r5x_members_parity "${LOOPS[@]}"
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
for i in 0 1 2 3 4 5 6 7; do
	verify_random /dev/md0 $(((i * 83 + 5) * 4)) "s$i"
done
verify_random /dev/md0 $((10 * 320)) big4
verify_random /dev/md0 $((20 * 320)) full
verify_random /dev/md0 7101 mix
verify_random /dev/md0 $((30 * 320)) seq
md_check md0
must mdadm --stop /dev/md0
r5x_unload_all
log "ok"
