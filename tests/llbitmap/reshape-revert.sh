#!/bin/bash
# rig: mem=1536 timeout=900
# A reshape that md undoes must not leave the lazy regions claiming
# valid parity.  A lockless RAID-5 (members full of garbage, most chunks
# never written) starts growing from 4 to 5 members; the array is
# stopped after a few MiB and assembled with --update=revert-reshape, so
# md reshapes back to 4 members and never touches the rest.  Entering
# the reshape made every chunk "written" (the reshape moves data into
# them); where the reverted reshape never went, that claim is false and
# parity is still the garbage it was.  Afterwards: no chunk may be Clean
# with invalid raw parity, and small writes into those regions (which
# raid5 may do by read-modify-write once the chunk is Clean) must read
# back exact without any one member.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

need_r5parity
llb_modules
mkloops 5 96
fill_garbage 96 "${LOOPS[@]}"
# Room before the data: the reshape moves the data offset (no backup
# file), which is what makes it revertible.
must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless --data-offset=8M "${LOOPS[@]:0:4}"
md_wait_idle md0
fast_daemon md0
write_big /dev/md0 0 4096 a
wait_settled md0 180
log "before the reshape: $(bits_line md0)"
[ "$(bits md0 unwritten)" -gt 0 ] || fail "no unwritten chunk before the reshape"

echo 500 >/sys/block/md0/md/sync_speed_max
must mdadm /dev/md0 --add "${LOOPS[4]}"
must mdadm --grow /dev/md0 --raid-devices=5
md_wait_action md0 reshape 30 || fail "no reshape started: $(cat /proc/mdstat)"
sleep 4
log "reshape stopped at $(md_sysfs md0 reshape_position): $(bits_line md0)"
must mdadm --stop /dev/md0

must mdadm --assemble /dev/md0 --update=revert-reshape "${LOOPS[@]}"
log "reverting from $(md_sysfs md0 reshape_position): $(bits_line md0)"
echo 200000 >/sys/block/md0/md/sync_speed_max
md_wait_idle md0 600
expect_eq "$(md_sysfs md0 raid_disks)" 4 "members after the revert"
expect_eq "$(md_sysfs md0 reshape_position)" none "reshape position after the revert"
fast_daemon md0
wait_settled md0 300
log "after the revert: $(bits_line md0)"
verify_big /dev/md0 0 a

# Small writes far beyond the few MiB the reshape went over, two in the
# same stripe: with garbage parity, read-modify-write keeps it garbage
# and the first block no longer rebuilds from the others.
offs="40000 40004 60000 60008 80000"
write_smalls s $offs
wait_settled md0 180
verify_smalls /dev/md0 s $offs
must mdadm --stop /dev/md0

# Every chunk that claims data must have valid parity: with no chunk
# left Unwritten, that is the whole member.
members=("${LOOPS[@]:0:4}")
parity_clean "${members[@]}"
verify_without() {
	verify_big "/dev/$1" 0 a
	verify_smalls "/dev/$1" s $offs
}
must mdadm --assemble --readonly --run /dev/md1 "${members[@]}"
log "states: $(bits_line md1)"
must mdadm --stop /dev/md1
reads_without_each 4 "after the revert" verify_without
log "ok"
