#!/bin/bash
# rig: personality=both mem=1024 timeout=900
# RAID-6 resync, check and repair under raid456x.  The initial resync over
# random member contents builds P and Q (check: mismatch_cnt 0).  Then one
# block of Q, one of P and both P and Q of a third stripe are overwritten
# on the raw members: check counts exactly those three stripes (24 sectors,
# as raid456 counts) and writes nothing (a second check counts the same),
# repair rewrites them, a check finds nothing, the data never changed, and
# the in-tree raid456 then checks the members as clean too.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

must modprobe md-mod
use_personality raid456x
mkloops 5 24
fill_garbage 24 "${LOOPS[@]}"
must mdadm --create /dev/md0 --run --quiet --level=6 --layout=left-symmetric \
	--raid-devices=5 --chunk=64 --bitmap=none "${LOOPS[@]}"
dmesg | tail -20 | grep -q 'md/raid456x:md0: raid level 6 active' ||
	fail "not started by raid456x"
sleep 1
md_wait_idle md0
md_check md0
write_random /dev/md0 0 6000 a
md_check md0

off=$(md_data_offset "${LOOPS[0]}")
[ -n "$off" ] || fail "no data offset"
# plant BLOCK MEMBER ROW: random bytes over one 4 KiB block of a member, 16
# sectors into chunk row ROW (64 KiB chunks: 128 sectors a row)
plant() {
	head -c 4096 /dev/urandom |
		dd of="$(loop_file "${LOOPS[$1]}")" bs=512 \
			seek=$((off + $2 * 128 + 16)) conv=notrunc status=none ||
		fail "corrupt member $1 row $2"
}
# left-symmetric, 5 members: row r has P on 4 - r % 5 and Q just after it
plant 0 0	# row 0: Q
plant 3 1	# row 1: P
plant 2 2	# row 2: P
plant 3 2	# row 2: Q
sync
echo 3 >/proc/sys/vm/drop_caches

echo check >/sys/block/md0/md/sync_action
sleep 0.5
md_wait_idle md0
expect_eq "$(md_mismatches md0)" 24 "mismatch_cnt of check (3 stripes)"
echo check >/sys/block/md0/md/sync_action
sleep 0.5
md_wait_idle md0
expect_eq "$(md_mismatches md0)" 24 "second check (check must not write)"

echo repair >/sys/block/md0/md/sync_action
sleep 0.5
md_wait_idle md0
expect_eq "$(md_mismatches md0)" 24 "mismatch_cnt of repair"
md_check md0
verify_random /dev/md0 0 a
must mdadm --stop /dev/md0

use_personality raid456
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
dmesg | tail -20 | grep -q 'md/raid:md0: raid level 6 active' ||
	fail "not started by raid456"
md_check md0
verify_random /dev/md0 0 a
must mdadm --stop /dev/md0
r5x_unload_all
log "ok"
