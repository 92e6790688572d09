#!/bin/bash
# rig: mem=1536 timeout=900
# Every level md lets md-llbitmap2 serve (RAID-1, RAID-10, RAID-4, RAID-5,
# RAID-6 under md's own personalities), each the same way: a lazy array
# over members full of garbage, data written across the whole array
# (start, middle, the last chunk), discards of odd sizes and alignments
# right next to that data (sharing its bitmap chunk, its RAID chunk or
# its row), then a member replaced by a fresh garbage-filled device.  Every
# acknowledged block outside the discards must read back exactly after
# the rebuild, and with each member missing in turn, and the bitmap must
# never call a chunk that holds data unwritten.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

MB=48

# data_offsets SIZE_KB: where the data goes (KiB, 64 KiB aligned): the
# start, a spot a bit past each quarter, and the last 64 KiB.
data_offsets() {
	local size=$1 q
	q=$((size / 4 / 64 * 64))
	echo 0 $((q + 128)) $((2 * q + 192)) $((3 * q + 320)) $((size - 64))
}

# discard_next_to DEV OFF_KB: discards that touch OFF's neighbourhood but
# not the 64 KiB at OFF: the 4 KiB before it, 20 KiB from 68 KiB after its
# start, a 1 MiB range ending 4 KiB before it (odd start), and a 3 MiB
# range starting right after it.  Ranges outside the device are dropped.
discard_next_to() {
	local dev=$1 off=$2 size=$3 o l
	for r in "$((off - 4)):4" "$((off + 68)):20" "$((off - 1028)):1024" \
		"$((off + 64)):3072"; do
		o=${r%%:*} l=${r#*:}
		[ "$o" -ge 0 ] || continue
		[ $((o + l)) -le "$size" ] || l=$((size - o))
		[ "$l" -gt 0 ] || continue
		must blkdiscard -o $((o * 1024)) -l $((l * 1024)) "$dev"
	done
}

verify_data() {
	local i=0 o
	for o in $offs; do
		verify_random "/dev/$1" "$o" "d$i"
		i=$((i + 1))
	done
}

# one LEVEL N [mdadm options]: the whole story on one array.
one() {
	local level=$1 n=$2 size i o spare victim
	shift 2
	log "=== level $level on $n members $*"
	LOOPS=()
	mkloops $((n + 1)) $MB
	fill_garbage $MB "${LOOPS[@]}"
	spare=${LOOPS[$n]}
	llb_create md0 "$level" "$n" "$@"
	fast_daemon md0
	size=$(( $(dev_sectors /dev/md0) / 2 ))
	offs=$(data_offsets "$size")
	i=0
	for o in $offs; do
		write_random /dev/md0 "$o" 64 "d$i" 4
		i=$((i + 1))
	done
	for o in $offs; do
		discard_next_to /dev/md0 "$o" "$size"
	done
	wait_settled md0 180
	log "after writes and discards: $(bits_line md0)"
	verify_data md0

	# Replace a member in the middle of the set (RAID-10: the second
	# copy of the first pair; RAID-5/6: a data/parity member).
	victim=${LOOPS[1]}
	must mdadm /dev/md0 --fail "$victim"
	must mdadm /dev/md0 --remove "$victim"
	must mdadm /dev/md0 --add "$spare"
	md_wait_idle md0
	wait_settled md0 180
	log "after the rebuild: $(bits_line md0)"
	verify_data md0
	must mdadm --stop /dev/md0
	LOOPS[1]=$spare
	reads_without_each "$n" "level $level after the rebuild" verify_data
	stop_all
	losetup -D
	rm -f /tmp/member*.img
}

llb_modules
modprobe raid1
modprobe raid10
one 1 2
one 1 3
one 10 4 --layout=n2 --chunk=64
one 10 4 --layout=f2 --chunk=64
one 10 3 --layout=n2 --chunk=64
one 5 4 --chunk=64
one 4 4 --chunk=64
one 6 5 --chunk=64
no_llb_errors
log ok
