#!/bin/bash
# rig: mem=1536 timeout=900
# Grow a lockless RAID-5 from 5 to 6 members (in-tree raid456), with
# writes during the reshape and a stop and reassembly in the middle of
# it.  The members start full of garbage, so the never-written stripes
# have random parity.  In the middle, the small writes ahead of the
# reshape must read back exact without any one member: with 4 data
# members raid5 prefers read-modify-write, which would keep the garbage
# parity if the bitmap let it trust parity there.  Afterwards: the data
# is exact, every chunk is Clean (no chunk that may hold data claims to
# be unwritten), parity is valid everywhere (check and r5parity on the
# raw members), and reads are exact without any one member.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

need_r5parity
llb_modules
mkloops 6 128
fill_garbage 128 "${LOOPS[@]}"
# Room before the data: mdadm then moves the data offset instead of
# using a backup file for the critical section.
llb_create md0 5 5 --chunk=64 --data-offset=8M
fast_daemon md0
n=$(chunks md0)

# Before: a large write and small ones into never-written chunks, all in
# the first 128 MiB of the array (the first 512 chunks, one bitmap block:
# writes mark whole blocks), so that most chunks stay unwritten.
size_kb=$(( $(dev_sectors /dev/md0) / 2 ))
write_big /dev/md0 0 8192 a
offs="20004 50000 77000 80100 90000"
write_smalls s $offs
wait_settled md0 180
unw=$(bits md0 unwritten)
log "before the reshape: $(bits_line md0)"
[ "$unw" -gt 0 ] || fail "no unwritten chunk left before the reshape"

verify_all() {
	local md=$1
	verify_big "/dev/$md" 0 a
	verify_smalls "/dev/$md" s $offs
	verify_smalls "/dev/$md" d $during
	[ -z "$late" ] || verify_random "/dev/$md" "$late" late
	[ -z "$newoff" ] || verify_random "/dev/$md" "$newoff" new
}
during= late= newoff=

# Slow the reshape down so that it is still running for what follows.
echo system >/sys/block/md0/md/sync_speed_min
echo 2000 >/sys/block/md0/md/sync_speed_max
must mdadm /dev/md0 --add "${LOOPS[5]}"
must mdadm --grow /dev/md0 --raid-devices=6
md_wait_action md0 reshape 30 || fail "no reshape started: $(cat /proc/mdstat)"
dmesg_has "md-llbitmap2: md0: reshape: [0-9]+ chunks without data are now treated as written and get their parity built" ||
	fail "md-llbitmap2 did not enter reshape mode"
expect_eq "$(bits md0 unwritten)" 0 "unwritten chunks during the reshape"

# Writes while it runs, behind and ahead of the reshape position, into
# chunks that never had data.
during="9000 60000 200000 260004 320000 380000 440000"
write_smalls d $during
log "during the reshape: $(md_sysfs md0 reshape_position) $(bits_line md0)"

# Stop in the middle, read without each member, and assemble again:
# the reshape continues.
pos=$(md_sysfs md0 reshape_position)
[ "$pos" != none ] || fail "reshape already finished: slow it down more"
must mdadm --stop /dev/md0
reads_without_each 6 "in the middle of the reshape" verify_all
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
fast_daemon md0
log "assembled at reshape_position $(md_sysfs md0 reshape_position)"
expect_eq "$(bits md0 unwritten)" 0 "unwritten chunks after assembly mid-reshape"
late=250004
write_random /dev/md0 "$late" 4 late
verify_all md0

echo system >/sys/block/md0/md/sync_speed_max
echo system >/sys/block/md0/md/sync_speed_min
md_wait_idle md0 600
expect_eq "$(md_sysfs md0 raid_disks)" 6 "raid_disks after the reshape"
expect_eq "$(md_sysfs md0 reshape_position)" none "reshape_position after the reshape"
dmesg_has "md-llbitmap2: md0: reshape finished" || fail "reshape end not seen"
wait_settled md0 180
log "after the reshape: $(bits_line md0)"
expect_eq "$(chunks md0)" "$n" "bitmap chunks after the reshape"
expect_eq "$(bits md0 clean)" "$n" "clean chunks after the reshape"
[ $(( $(dev_sectors /dev/md0) / 2 )) -gt "$size_kb" ] || fail "the array did not grow"
verify_all md0
md_check md0

# New data after the reshape, in the new space, then parity on the raw
# members and reads without each member in turn.
write_random /dev/md0 $((size_kb + 1024)) 64 new
newoff=$((size_kb + 1024))
wait_settled md0
verify_all md0

# A discard of the unused end of the array makes its chunks unwritten
# again (the way back to lazy rebuilds after a reshape).
end_kb=$(( $(dev_sectors /dev/md0) / 2 ))
from_kb=$((newoff + 8192))
must blkdiscard -o $((from_kb * 1024)) -l $(((end_kb - from_kb) * 1024)) /dev/md0
freed=$(bits md0 unwritten)
log "after a discard of ${from_kb}k..${end_kb}k: $(bits_line md0)"
[ "$freed" -gt 0 ] || fail "the discard left no chunk unwritten"
verify_all md0
must mdadm --stop /dev/md0
parity_clean "${LOOPS[@]}"
reads_without_each 6 "after the reshape" verify_all

# RAID-10: its bitmap covers the array, whose size a reshape changes;
# refused with a message, and the array goes on working.
must modprobe raid10
for d in "${LOOPS[@]}"; do
	mdadm --zero-superblock "$d" >/dev/null 2>&1 || true
done
llb_create md2 10 4
must mdadm /dev/md2 --add "${LOOPS[4]}"
must_fail mdadm --grow /dev/md2 --raid-devices=5
dmesg_has "md-llbitmap2: md2: reshape of this RAID level is not supported with the lockless bitmap" ||
	fail "no message for the refused RAID-10 reshape"
expect_eq "$(md_sysfs md2 raid_disks)" 4 "RAID-10 members after the refused reshape"
write_random /dev/md2 4096 64 r10
verify_random /dev/md2 4096 r10
must mdadm --stop /dev/md2
no_llb_errors
log "ok"
