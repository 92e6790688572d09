#!/bin/bash
# rig: mem=1024 timeout=600
# RAID-1 with a write-mostly member and --write-behind.  md acknowledges a
# behind write once the other members have it and ends the bitmap write
# right then (md_end_clone_io): only the bitmap's behind-write counter
# says the write-mostly member still lacks the data.  md-llbitmap2 (like
# upstream's llbitmap) never loads write_behind from its superblock, so md
# keeps max_write_behind at 0 and writes to write-mostly members stay
# synchronous: a chunk the daemon settles as Clean is on every member.
# This scenario holds that line: with the write-mostly member's writes
# delayed, a write under the lockless bitmap returns only once that member
# has it.  The same probe on a classic bitmap (which honours write-behind)
# must see the write still in flight, or the probe proves nothing.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
must modprobe raid1
must modprobe dm-mod
must modprobe dm-delay
mkloops 2 64
S1=$(dev_sectors "${LOOPS[1]}")
must dmsetup create wb0 --table "0 $(dev_sectors "${LOOPS[0]}") linear ${LOOPS[0]} 0"
must dmsetup create wb1 --table "0 $S1 delay ${LOOPS[1]} 0 0"
must dmsetup mknodes

# set_delay MS: delay of the write-mostly member's writes.
set_delay() {
	must dmsetup suspend wb1
	must dmsetup load wb1 --table "0 $S1 delay ${LOOPS[1]} 0 0 ${LOOPS[1]} 0 $1"
	must dmsetup resume wb1
}

# probe BITMAP: create the array, write 64 KiB with the write-mostly
# member slow, and set BEHIND to "yes" if that member's copy of the
# write was not yet on its disk when the write returned.
probe() {
	local bitmap=$1 doff t0 t1 got want
	must mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 \
		--bitmap="$bitmap" --write-behind=256 /dev/mapper/wb0 --write-mostly /dev/mapper/wb1
	md_wait_idle md0
	doff=$(mdadm --examine /dev/mapper/wb1 | awk '/Data Offset/ { print $4 }')
	[ -n "$doff" ] || fail "no data offset on wb1"
	# keep the array active: no superblock writes around the probe
	echo 30 >/sys/block/md0/md/safe_mode_delay
	write_random /dev/md0 0 64 "first-$bitmap" 64
	set_delay 4000
	mkref "probe-$bitmap" 64
	t0=$(date +%s%N)
	dd if="/tmp/ref/probe-$bitmap" of=/dev/md0 bs=64k seek=4 count=1 oflag=direct \
		status=none || fail "probe write under $bitmap"
	t1=$(date +%s%N)
	# the write-mostly member's disk, below the delay
	got=$(dd if="${LOOPS[1]}" bs=512 skip=$((doff + 512)) count=128 iflag=direct \
		status=none | cksum)
	want=$(cksum <"/tmp/ref/probe-$bitmap")
	BEHIND=no
	[ "$got" = "$want" ] || BEHIND=yes
	log "$bitmap: the write took $(( (t1 - t0) / 1000000 )) ms; on the write-mostly disk at the ack: $BEHIND"
	set_delay 0
	# every write is on both members now; both copies must agree
	md_check md0
	verify_random /dev/md0 256 "probe-$bitmap"
	verify_random /dev/md0 0 "first-$bitmap"
	must mdadm --stop /dev/md0
	must mdadm --zero-superblock /dev/mapper/wb0 /dev/mapper/wb1
}

probe internal
[ "$BEHIND" = yes ] || fail "control: the probe saw no behind write under the classic bitmap"
probe lockless
expect_eq "$BEHIND" no "lockless: write-mostly copy missing when the write returned"
no_llb_errors
echo PASS
