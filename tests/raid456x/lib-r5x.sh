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
