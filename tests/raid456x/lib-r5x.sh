# SPDX-License-Identifier: GPL-2.0
# raid456x-only helpers; source after /tests/lib.sh.

# r5x_load: md-mod and raid456x, and make sure it is raid456x that serves
# levels 4 and 5.
r5x_load() {
	must modprobe md-mod
	if grep -q '^raid456 ' /proc/modules; then
		must rmmod raid456
	fi
	grep -q '^raid456x ' /proc/modules || must modprobe raid456x
}

# r5x_unload_all: stop arrays and unload both personalities.
r5x_unload_all() {
	stop_all
	grep -q '^raid456x ' /proc/modules && must rmmod raid456x
	grep -q '^raid456 ' /proc/modules && must rmmod raid456
	return 0
}

# use_personality raid456|raid456x: unload the other one, load this one.
use_personality() {
	case $1 in
	raid456x)
		grep -q '^raid456 ' /proc/modules && must rmmod raid456
		grep -q '^raid456x ' /proc/modules || must modprobe raid456x
		;;
	raid456)
		grep -q '^raid456x ' /proc/modules && must rmmod raid456x
		grep -q '^raid456 ' /proc/modules || must modprobe raid456
		;;
	esac
	return 0
}

# r5x_stat NAME: one counter of /sys/block/md0/md/r5x_stats.
r5x_stat() {
	awk -v k="$1" '$1 == k { print $2 }' /sys/block/md0/md/r5x_stats
}

# r5x_members_parity: r5parity over the raw member files (array stopped).
r5x_members_parity() {
	local f files=()
	command -v r5parity >/dev/null || { log "no r5parity: skipped raw check"; return 0; }
	for f in "$@"; do files+=("$(loop_file "$f")"); done
	r5parity "${files[@]}" || fail "r5parity found parity mismatches"
}

# fio_verify DEV SIZE [extra fio args...]: write then verify with crc32c.
fio_verify() {
	local dev=$1 size=$2
	shift 2
	fio --name=v --filename="$dev" --direct=1 --ioengine=psync \
		--size="$size" --verify=crc32c --do_verify=1 \
		--verify_fatal=1 --eta=never --output=/tmp/fio.out "$@" ||
		{ cat /tmp/fio.out; fail "fio verify on $dev $*"; }
}

# check_dmesg_r5x: no raid456x error lines beyond the expected.
r5x_dmesg_clean() {
	if dmesg | grep -E 'raid456x.*(BUG|corrupt)'; then
		fail "raid456x complained"
	fi
}

# dm_members PREFIX: put every device of LOOPS behind a dm-linear device
# /dev/mapper/PREFIX<i>, so that faults can be swapped in; sets DMS.
dm_members() {
	local i sz
	modprobe dm-mod
	DMS=()
	for i in "${!LOOPS[@]}"; do
		sz=$(dev_sectors "${LOOPS[$i]}")
		must dmsetup create "$1$i" --table "0 $sz linear ${LOOPS[$i]} 0"
		dmsetup mknodes "$1$i" >/dev/null 2>&1 || true
		[ -b "/dev/mapper/$1$i" ] || fail "no /dev/mapper/$1$i"
		DMS+=("/dev/mapper/$1$i")
	done
}

# dm_members_remove PREFIX: undo dm_members PREFIX (the array stopped):
# remove its dm devices and detach the loop devices under them.
dm_members_remove() {
	local i
	for i in "${!DMS[@]}"; do
		must dmsetup remove "$1$i"
	done
	for i in "${LOOPS[@]}"; do
		losetup -d "$i"
	done
}

# dm_kname NAME: the kernel's name (dm-N) of dm device NAME; md's sysfs
# and /sys/block use it.  /dev/mapper/NAME may be a node, not a link.
dm_kname() {
	echo "dm-$(dmsetup info -c --noheadings -o minor "$1" | tr -d ' ')"
}

# dm_load NAME TABLE: swap a dm device's table (lines "start len target
# args"), without flushing what is queued.
dm_load() {
	must dmsetup suspend --noflush "$1"
	printf '%s\n' "$2" | dmsetup load "$1" || fail "load table of $1: $2"
	must dmsetup resume "$1"
}

# dm_faults PREFIX I [START LEN KIND]...: member I of dm_members maps its
# loop device linearly again, except the given sector ranges (ascending):
# KIND "error" fails every read and write there, "wfail" only writes,
# "rfail" only reads (dm-flakey, which must be loaded).
dm_faults() {
	local name=$1$2 dev=${LOOPS[$2]} sz pos=0 t=
	shift 2
	sz=$(dev_sectors "$dev")
	while [ $# -gt 0 ]; do
		[ "$1" -gt "$pos" ] && t+="$pos $(($1 - pos)) linear $dev $pos"$'\n'
		case $3 in
		error) t+="$1 $2 error"$'\n' ;;
		wfail) t+="$1 $2 flakey $dev $1 0 3600 1 error_writes"$'\n' ;;
		rfail) t+="$1 $2 flakey $dev $1 0 3600 1 error_reads"$'\n' ;;
		*) fail "dm_faults: no fault kind $3" ;;
		esac
		pos=$(($1 + $2))
		shift 3
	done
	[ "$pos" -lt "$sz" ] && t+="$pos $((sz - pos)) linear $dev $pos"
	dm_load "$name" "$t"
}

# dm_holes PREFIX I [START LEN]...: dm_faults with every range "error".
dm_holes() {
	local pfx=$1 i=$2 a=()
	shift 2
	while [ $# -gt 0 ]; do
		a+=("$1" "$2" error)
		shift 2
	done
	dm_faults "$pfx" "$i" "${a[@]}"
}

# ref_sum NAME OFFSET_KB LEN_KB: cksum of part of reference data NAME.
ref_sum() {
	dd if="/tmp/ref/$1" bs=1k skip="$2" count="$3" status=none | cksum | cut -d' ' -f1,2
}

# wait_for SECONDS WHAT CMD...: poll until CMD succeeds.
wait_for() {
	local n=$(($1 * 5)) what=$2
	shift 2
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || fail "timed out waiting for $what"
		sleep 0.2
	done
}

# has_bad FILE SECTOR: FILE (a member's bad_blocks) lists the 8-sector
# bad block at SECTOR.
has_bad() {
	grep -qx "$2 8" "$1"
}

# unreadable DEV OFFSET_KB LEN_KB: a direct read there fails.
unreadable() {
	! dd if="$1" of=/dev/null bs=1k skip="$2" count="$3" iflag=direct status=none 2>/dev/null
}

# dm_slow_metadata PREFIX I DOFF: writes below the data offset DOFF of
# member I (its superblock and bad-block log) take 3 s; data IO does not.
dm_slow_metadata() {
	local dev=${LOOPS[$2]} sz
	modprobe dm-delay
	sz=$(dev_sectors "$dev")
	dm_load "$1$2" "0 $3 delay $dev 0 0 $dev 0 3000
$3 $((sz - $3)) linear $dev $3"
}

# md_data_offset MEMBER: its data offset in sectors (mdadm --examine).
md_data_offset() {
	mdadm --examine "$1" | sed -n 's/^ *Data Offset : \([0-9]*\) sectors.*/\1/p'
}

# read_blocks DEV LEN_KB: the first LEN_KB of DEV into /tmp/blocks.img in
# one pass (a process per block is slow under TCG), unreadable 4 KiB
# blocks as zeros.
read_blocks() {
	dd if="$1" of=/tmp/blocks.img bs=4k count=$(($2 / 4)) iflag=direct \
		conv=noerror,sync status=none 2>/dev/null
	return 0
}

# differing_blocks FILE [SKIP_KB]: the numbers (one a line, ascending) of
# the 4 KiB blocks where /tmp/blocks.img differs from FILE (from SKIP_KB).
differing_blocks() {
	local n
	n=$(command stat -c %s /tmp/blocks.img) || fail "no /tmp/blocks.img"
	{ cmp -l /tmp/blocks.img <(dd if="$1" bs=1k skip="${2:-0}" count=$((n / 1024)) \
		status=none) 2>/dev/null || true; } | awk '{ print int(($1 - 1) / 4096) }' | uniq
}

# r5x_fault_setup PREFIX: raid456x loaded; a 4-member RAID-5 (64 KiB
# chunks, left-symmetric, no bitmap, assumed clean) over dm members
# /dev/mapper/PREFIX0..3 (dm_members), for scenarios that swap faults in;
# a fifth loop device is kept aside as SPARE.  Sets DMS, SPARE, doff
# (member 1's data offset, sectors) and m1 (md's sysfs directory of
# member 1).
r5x_fault_setup() {
	r5x_load
	mkloops 5 16
	SPARE=${LOOPS[4]}
	unset 'LOOPS[4]'
	dm_members "$1"
	must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
		--chunk=64 --layout=left-symmetric --bitmap=none --assume-clean "${DMS[@]}"
	doff=$(md_data_offset "${DMS[1]}")
	[ -n "$doff" ] || fail "no data offset"
	m1=/sys/block/md0/md/dev-$(dm_kname "${1}1")
}
