# SPDX-License-Identifier: GPL-2.0
# Helpers for scenarios; each scenario sources it first.  Scenarios run as
# root in the guest, in /tmp (a tmpfs sized by the "mem" header), and are
# judged by exit status (0 pass, 77 skip, anything else fail) and by the
# dmesg of their run (see scripts/guest/init).

set -u
set -o pipefail

LOOPS=()

log() { echo "--- $*"; }
fail() {
	echo "FAIL: $*"
	[ -r /proc/mdstat ] && sed 's/^/  mdstat| /' /proc/mdstat
	exit 1
}
skip() { echo "SKIP: $*"; exit 77; }

# expect_eq GOT WANT WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# must CMD...: run a command that has to succeed, and say which one did not.
must() {
	"$@" || fail "command failed ($?): $*"
}

# must_fail CMD...: run a command that has to fail.
must_fail() {
	if "$@"; then
		fail "command succeeded but should have failed: $*"
	fi
}

# case_wanted N: whether case N (counted from 1) of a many-case scenario
# runs: every case, unless RIG_CASES lists some (RIG_GUEST_ENV="RIG_CASES=2,5"
# make check T=...), to run a few of a long sweep, e.g. on the debug
# kernel, or to repeat one.  A case left out says so in the log.
case_wanted() {
	[ -z "${RIG_CASES:-}" ] && return 0
	[[ ",${RIG_CASES// /,}," == *",$1,"* ]] && return 0
	log "case $1: not in RIG_CASES=$RIG_CASES, not run"
	return 1
}

# mkloops N SIZE_MB: N loop devices over sparse files in /tmp; sets LOOPS.
mkloops() {
	local n=$1 size=$2 i f dev
	modprobe loop max_loop=64 2>/dev/null || true
	for i in $(seq 0 $((n - 1))); do
		f=/tmp/member$i.img
		truncate -s "${size}M" "$f"
		dev=$(losetup -f --show "$f") || fail "losetup $f"
		LOOPS+=("$dev")
	done
}

# fill_garbage SIZE_MB DEV...: random bytes over the first SIZE_MB of
# each device, so that never-written stripes have random "parity".
fill_garbage() {
	local mb=$1 d
	shift
	for d in "$@"; do
		dd if=/dev/urandom of="$d" bs=1M count="$mb" oflag=direct status=none ||
			fail "fill $d with garbage"
	done
}

# loop_file DEV: the backing file of a loop device.
loop_file() {
	losetup -n -O BACK-FILE "$1" | tr -d ' '
}

# md_sysfs MD ATTR: read /sys/block/MD/md/ATTR.
md_sysfs() {
	cat "/sys/block/$1/md/$2"
}

# md_wait_idle MD [SECONDS]: wait for resync/recovery to finish.
md_wait_idle() {
	local md=$1 limit=${2:-240} i action
	for i in $(seq 1 $((limit * 5))); do
		action=$(md_sysfs "$md" sync_action 2>/dev/null) || return 0
		if [ "$action" = idle ] &&
			! grep -A3 "^$md " /proc/mdstat | grep -Eq 'recovery|resync|check|repair'; then
			return 0
		fi
		sleep 0.2
	done
	fail "$md still busy ($action) after ${limit}s"
}

# md_wait_action MD ACTION [SECONDS]: wait until sync_action shows ACTION
# (returns early if the action already ran to its end).
md_wait_action() {
	local md=$1 want=$2 limit=${3:-30} i
	for i in $(seq 1 $((limit * 10))); do
		[ "$(md_sysfs "$md" sync_action)" = "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# md_mismatches MD: mismatch_cnt of the last check or repair.
md_mismatches() {
	md_sysfs "$1" mismatch_cnt
}

# md_check MD: run "check" and require mismatch_cnt 0.
md_check() {
	local md=$1
	echo check >"/sys/block/$md/md/sync_action" || fail "start check on $md"
	sleep 0.5
	md_wait_idle "$md"
	expect_eq "$(md_mismatches "$md")" 0 "$md mismatch_cnt after check"
}

# write_random DEV OFFSET_KB LEN_KB NAME [BS_KB]: write LEN_KB of random data kept
# as /tmp/ref/NAME (made on first use), so it can be checked later.
# An optional 5th argument is the IO size in KiB (default 1: the smallest
# writes); OFFSET and LEN must be multiples of it.
write_random() {
	local dev=$1 off=$2 len=$3 name=$4 bs=${5:-1}
	mkref "$name" "$len"
	[ $((off % bs)) = 0 ] && [ $((len % bs)) = 0 ] ||
		fail "write_random: ${off}k+${len}k is not in ${bs}k blocks"
	dd if="/tmp/ref/$name" of="$dev" bs="${bs}k" seek=$((off / bs)) \
		count=$((len / bs)) iflag=fullblock conv=notrunc,fsync oflag=direct \
		status=none || fail "write $name to $dev at ${off}k"
}

# mkref NAME LEN_KB: reference data from the kernel's random source.
mkref() {
	mkdir -p /tmp/ref
	[ -f "/tmp/ref/$1" ] ||
		head -c $(($2 * 1024)) /dev/urandom >"/tmp/ref/$1" || fail "mkref $1"
}

# ref_kb NAME: size of reference data NAME in KiB.  "command" keeps a
# scenario's own function of the same name from answering (a stat()
# helper once made every verification here silently do nothing).
ref_kb() {
	local sz
	sz=$(command stat -c %s "/tmp/ref/$1") && [ -n "$sz" ] || fail "no reference data $1"
	echo $((sz / 1024))
}

# sum_range DEV OFFSET_KB LEN_KB: cksum of a range of a device.
sum_range() {
	dd if="$1" bs=1k skip="$2" count="$3" iflag=direct status=none | cksum | cut -d' ' -f1,2
}

# sum_ref NAME: what sum_range must give after write_random of NAME.
sum_ref() {
	cksum <"/tmp/ref/$1" | cut -d' ' -f1,2
}

# verify_random DEV OFFSET_KB NAME: the data written by write_random.
verify_random() {
	local dev=$1 off=$2 name=$3 len
	len=$(ref_kb "$name") || fail "no reference data $name"
	expect_eq "$(sum_range "$dev" "$off" "$len")" "$(sum_ref "$name")" \
		"data $name on $dev at ${off}k"
}

# dev_sectors DEV
dev_sectors() {
	blockdev --getsz "$1"
}

# dmesg_has PATTERN: did the kernel log it (extended regex)?  Not
# "dmesg | grep -q": grep quits at the first match, dmesg then dies of
# SIGPIPE once the log outgrows the pipe buffer, and pipefail turns the
# match into a failure.  Here dmesg's status is not part of the answer.
dmesg_has() {
	grep -Eq "$1" <(dmesg)
}

# stop_all: stop every md array.
stop_all() {
	mdadm --stop --scan >/dev/null 2>&1 || true
}

# flip_byte FILE OFFSET: xor one byte of a file or device with 0xff.
flip_byte() {
	local f=$1 off=$2 v
	v=$(dd if="$f" bs=1 skip="$off" count=1 status=none | od -An -tu1 | tr -d ' ')
	[ -n "$v" ] || fail "read byte $off of $f"
	printf "\\x$(printf %02x $((v ^ 255)))" |
		dd of="$f" bs=1 seek="$off" count=1 conv=notrunc status=none || fail "flip $f"
}

# drop_caches DEV...: md writes members with bios, under their page
# cache; a reader through the cache (dd, r5parity) would see stale data.
drop_caches() {
	local a
	for a in "$@"; do
		[ -b "$a" ] && blockdev --flushbufs "$a"
	done
	return 0
}
