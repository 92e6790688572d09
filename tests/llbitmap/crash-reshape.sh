#!/bin/bash
# rig: mem=1536 timeout=900
# A power cut in the middle of a reshape (4 to 5 members) while writes
# run (every write after the cut lost, see lib-crash.sh).  A plain
# mdadm --assemble starts the array, the reshape continues and ends, the
# chunks the crash left marked are synced after it, and the data written
# before the cut reads back exact, with valid raw parity and with each
# member missing.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh
. /tests/llbitmap/lib-crash.sh

need_r5parity
llb_modules
crash_members 5 96
LEN=8192

fill_garbage 96 "${MEMBERS[@]}"
# Room before the data: the reshape moves the data offset, no backup file.
must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless --data-offset=8M "${MEMBERS[@]:0:4}"
md_wait_idle md0
n=$(chunks md0)
size_kb=$(( $(dev_sectors /dev/md0) / 2 ))
write_big /dev/md0 0 $LEN a
write_smalls s 20004 100000 200000
fast_daemon md0
wait_settled md0 180
log "before the reshape: $(bits_line md0)"
[ "$(bits md0 unwritten)" -gt 0 ] || fail "no unwritten chunk before the reshape"
# From here on Dirty stays Dirty for a while: the cut must catch some.
echo 30 >/sys/block/md0/md/llbitmap/daemon_sleep
echo 30 >/sys/block/md0/md/llbitmap/barrier_idle

echo 1000 >/sys/block/md0/md/sync_speed_max
must mdadm /dev/md0 --add "${MEMBERS[4]}"
must mdadm --grow /dev/md0 --raid-devices=5
md_wait_action md0 reshape 30 || fail "no reshape started: $(cat /proc/mdstat)"
expect_eq "$(bits md0 unwritten)" 0 "unwritten chunks during the reshape"
# Acknowledged (fsync'd) writes before the cut, behind and ahead of the
# reshape; then writes that are in flight when the power goes.
write_smalls d 9000 150000 240000
dd if=/dev/urandom of=/dev/md0 bs=64k seek=1000 count=400 oflag=direct \
	status=none &
sleep 1
log "at the cut: reshape_position $(md_sysfs md0 reshape_position) $(bits_line md0)"
[ "$(md_sysfs md0 reshape_position)" != none ] || fail "reshape ended before the cut"
[ "$(bits md0 dirty)" -gt 0 ] || fail "no dirty chunk at the cut"
power_cut
wait
sleep 1
power_back

assemble_plain
log "after assembly: reshape_position $(md_sysfs md0 reshape_position) $(bits_line md0)"
expect_eq "$(bits md0 unwritten)" 0 "unwritten chunks after assembly mid-reshape"
[ "$(bits md0 'need sync')" -gt 0 ] || fail "the crash left no chunk to sync"
md_wait_idle md0 600
expect_eq "$(md_sysfs md0 raid_disks)" 5 "members after the reshape"
fast_daemon md0
wait_settled md0 300
log "after the reshape: $(bits_line md0)"
expect_bits md0 clean "$n"
verify_big /dev/md0 0 a
verify_smalls /dev/md0 s 20004 100000 200000
verify_smalls /dev/md0 d 9000 150000 240000
md_check md0
must mdadm --stop /dev/md0
parity_clean "${MEMBERS[@]}"
degraded_reads_raw a 0 $LEN
cleanup_members
no_llb_errors
log "ok"
