# SPDX-License-Identifier: GPL-2.0
# fio and /proc/diskstats helpers of the perf scenarios (raid456x-perf.sh,
# raid6-perf.sh): one fio job on /dev/md0 reported as a number, and the
# member request counters around it.  Source after /tests/lib.sh.

# run_fio NAME ARGS...: one job on /dev/md0; prints its bandwidth in
# KiB/s (read, or write for a write job) and leaves fio's terse line in
# /tmp/fio.min for the other fields.
run_fio() {
	local name=$1
	shift
	fio --name="$name" --filename=/dev/md0 --direct=1 --ioengine=libaio \
		--eta=never --minimal "$@" >/tmp/fio.min || { cat /tmp/fio.min; fail "fio $name"; }
	awk -F';' '{ print ($7 > 0 ? $7 : $48) }' /tmp/fio.min
}

# dstat_of DEV: its /proc/diskstats counters from "reads completed" on
# (1 reads, 3 sectors read, 5 writes, 7 sectors written).
dstat_of() {
	awk -v d="$(basename "$1")" '$3 == d { $1 = $2 = $3 = ""; print }' /proc/diskstats
}

# dstat_delta BEFORE AFTER N: the difference of the Nth counter.
dstat_delta() {
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { split(a, x); split(b, y); print y[n] - x[n] }'
}

# dstat_sum N DEV...: the Nth counter summed over the devices.
dstat_sum() {
	local n=$1 d t=0
	shift
	for d in "$@"; do
		t=$((t + $(dstat_of "$d" | awk -v n="$n" '{ split($0, x); print x[n] }')))
	done
	echo "$t"
}

# fill_md0 SIZE BS: write the first SIZE of /dev/md0 in blocks that carry
# their own crc32c, for check_md0 to verify later.
fill_md0() {
	fio --name=v --filename=/dev/md0 --direct=1 --rw=write --bs="$2" --size="$1" \
		--verify=crc32c --do_verify=0 --eta=never --output=/dev/null || fail "fill md0"
}

# check_md0 SIZE BS WHAT: read back and verify what fill_md0 SIZE BS wrote.
check_md0() {
	fio --name=v --filename=/dev/md0 --direct=1 --rw=write --bs="$2" --size="$1" \
		--verify=crc32c --verify_only --eta=never --output=/tmp/v.out ||
		{ cat /tmp/v.out; fail "verify: $3"; }
}

# stop_md0: stop the array and clear its members (LOOPS) for the next one.
stop_md0() {
	local d
	must mdadm --stop /dev/md0
	for d in "${LOOPS[@]}"; do mdadm --zero-superblock "$d" 2>/dev/null; done
}
