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

# dm_holes PREFIX I [START LEN]...: member I of dm_members maps its loop
# device linearly again, except the given sector ranges (ascending),
# where every read and write fails (dm "error").
dm_holes() {
	local name=$1$2 dev=${LOOPS[$2]} sz pos=0 t=
	shift 2
	sz=$(dev_sectors "$dev")
	while [ $# -gt 0 ]; do
		[ "$1" -gt "$pos" ] && t+="$pos $(($1 - pos)) linear $dev $pos"$'\n'
		t+="$1 $2 error"$'\n'
		pos=$(($1 + $2))
		shift 2
	done
	dm_load "$name" "$t$pos $((sz - pos)) linear $dev $pos"
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
