#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# A corrupted parity block: check counts it (mismatch_cnt > 0, nothing
# written), repair rewrites it, a second check finds nothing, the data
# never changed, and the raw members are consistent (r5parity).
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 4 32
must mdadm --create /dev/md0 --run --quiet --level=5 --layout=left-symmetric \
	--raid-devices=4 --chunk=64 --bitmap=none "${LOOPS[@]}"
md_wait_idle md0
write_random /dev/md0 0 4096 a
md_check md0

# left-symmetric, 4 members: row 0's parity is on member 3, row 1's on 2
off=$(mdadm --examine "${LOOPS[3]}" | awk '/Data Offset/ { print $4 }')
[ -n "$off" ] || fail "no data offset"
f3=$(loop_file "${LOOPS[3]}")
head -c 4096 /dev/urandom |
	dd of="$f3" bs=512 seek=$((off + 16)) conv=notrunc status=none ||
	fail "corrupt parity"
sync
echo check >/sys/block/md0/md/sync_action
sleep 0.5
md_wait_idle md0
mm=$(md_mismatches md0)
[ "$mm" -gt 0 ] || fail "check missed the corrupted parity (mismatch_cnt $mm)"
log "check: mismatch_cnt $mm"
# check must not have written: still wrong
echo check >/sys/block/md0/md/sync_action
sleep 0.5
md_wait_idle md0
expect_eq "$(md_mismatches md0)" "$mm" "second check"

echo repair >/sys/block/md0/md/sync_action
sleep 0.5
md_wait_idle md0
md_check md0
verify_random /dev/md0 0 a
must mdadm --stop /dev/md0
r5x_members_parity "${LOOPS[@]}"
r5x_unload_all
log "ok"
