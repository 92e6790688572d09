# SPDX-License-Identifier: GPL-2.0
# Helpers for the md-llbitmap2 scenarios; source after /tests/lib.sh.

MDADM=mdadm
MDADM44=/opt/mdadm-4.4/usr/sbin/mdadm

# llb_modules: md, raid456 and our bitmap.
llb_modules() {
	must modprobe md-mod
	must modprobe raid456
	must modprobe md-llbitmap2
}

# llb_create MD LEVEL N [mdadm options...]: array over LOOPS[0..N-1] with
# the lockless bitmap; waits for the create-time recovery.
llb_create() {
	local md=$1 level=$2 n=$3
	shift 3
	must $MDADM --create "/dev/$md" --run --level="$level" --raid-devices="$n" \
		--metadata=1.2 --bitmap=lockless "$@" "${LOOPS[@]:0:$n}"
	md_wait_idle "$md"
}

# bits MD NAME: the count of chunks in state NAME ("need sync", ...).
bits() {
	awk -v want="$2" '{ n = $NF; $NF = ""; sub(/ +$/, ""); if ($0 == want) print n }' \
		"/sys/block/$1/md/llbitmap/bits"
}

# bits_line MD: all counts on one line, for logs and messages.
bits_line() {
	tr '\n' ',' <"/sys/block/$1/md/llbitmap/bits"
}

# chunks MD: number of chunks of the bitmap.
chunks() {
	awk '$1 == "chunks" { print $2 }' "/sys/block/$1/md/llbitmap/metadata"
}

# chunk_kb MD: bitmap chunk size in KiB.
chunk_kb() {
	awk '$1 == "chunksize" { print $2 / 2 }' "/sys/block/$1/md/llbitmap/metadata"
}

# expect_bits MD NAME COUNT
expect_bits() {
	expect_eq "$(bits "$1" "$2")" "$3" "$1 chunks '$2' ($(bits_line "$1"))"
}

# wait_bits MD NAME COUNT [SECONDS]: until that many chunks are in NAME.
wait_bits() {
	local md=$1 name=$2 want=$3 limit=${4:-120} i
	for i in $(seq 1 $((limit * 5))); do
		[ "$(bits "$md" "$name")" = "$want" ] && return 0
		sleep 0.2
	done
	fail "$md: '$name' never reached $want: $(bits_line "$md")"
}

# wait_settled MD [SECONDS]: no chunk waits for or is in a sync, none dirty.
wait_settled() {
	local md=$1 limit=${2:-120} i
	for i in $(seq 1 $((limit * 5))); do
		if [ "$(bits "$md" "need sync")" = 0 ] &&
			[ "$(bits "$md" syncing)" = 0 ] &&
			[ "$(bits "$md" "need sync unwritten")" = 0 ] &&
			[ "$(bits "$md" "syncing unwritten")" = 0 ] &&
			[ "$(bits "$md" dirty)" = 0 ]; then
			md_wait_idle "$md"
			return 0
		fi
		sleep 0.2
	done
	fail "$md never settled: $(bits_line "$md")"
}

# fast_daemon MD: settle dirty chunks after 1 s instead of 30 s.
fast_daemon() {
	echo 1 >"/sys/block/$1/md/llbitmap/daemon_sleep" || fail "set daemon_sleep"
	echo 1 >"/sys/block/$1/md/llbitmap/barrier_idle" || fail "set barrier_idle"
}

# member_write_kb DEV: KiB written to DEV so far (/proc/diskstats).
member_write_kb() {
	awk -v d="$(basename "$1")" '$3 == d { print $10 / 2 }' /proc/diskstats
}

# no_llb_errors: our module logged nothing alarming.
no_llb_errors() {
	if dmesg | grep -E 'md-llbitmap2: .*(failed|invalid|overruns)'; then
		fail "md-llbitmap2 reported errors"
	fi
}

# write_big DEV OFFSET_KB LEN_KB NAME: write_random in 64 KiB direct IOs
# (OFFSET and LEN multiples of 64), for the larger amounts.
write_big() {
	local dev=$1 off=$2 len=$3 name=$4
	mkref "$name" "$len"
	dd if="/tmp/ref/$name" of="$dev" bs=64k seek=$((off / 64)) count=$((len / 64)) \
		iflag=fullblock oflag=direct conv=notrunc,fsync status=none ||
		fail "write $name to $dev at ${off}k"
}

# verify_big DEV OFFSET_KB NAME: verify_random in 64 KiB direct reads.
verify_big() {
	local dev=$1 off=$2 name=$3 len got
	len=$(ref_kb "$name") || fail "no reference data $name"
	got=$(dd if="$dev" bs=64k skip=$((off / 64)) count=$((len / 64)) iflag=direct \
		status=none | cksum | cut -d' ' -f1,2)
	expect_eq "$got" "$(sum_ref "$name")" "data $name on $dev at ${off}k"
}

# need_r5parity: the parity checker must be in the guest.
need_r5parity() {
	command -v r5parity >/dev/null || fail "r5parity is not in the guest"
}

# parity_clean [r5parity options] DEV...: raw parity must be valid.
parity_clean() {
	local out rc=0
	drop_caches "$@"
	out=$(r5parity --max-report 5 "$@" 2>&1) || rc=$?
	[ $rc = 0 ] || fail "r5parity $*: exit $rc: $out"
}

# geom_get KEY DEV...: one line of r5parity --print-geometry.
geom_get() {
	local key=$1
	shift
	r5parity --print-geometry "$@" | sed -n "s/^$key: //p"
}

# write_smalls PREFIX OFFSETS_KB...: 4 KiB of new data at each offset, as
# references PREFIX0, PREFIX1, ... (in the order given).
write_smalls() {
	local prefix=$1 i=0 o
	shift
	for o in "$@"; do
		write_random /dev/md0 "$o" 4 "$prefix$i"
		i=$((i + 1))
	done
}

# verify_smalls DEV PREFIX OFFSETS_KB...: what write_smalls wrote.
verify_smalls() {
	local dev=$1 prefix=$2 i=0 o
	shift 2
	for o in "$@"; do
		verify_random "$dev" "$o" "$prefix$i"
		i=$((i + 1))
	done
}

# reads_without_each N WHEN VERIFY: assemble LOOPS[0..N-1] read-only as
# md1 without each member in turn and run "VERIFY md1" each time.
reads_without_each() {
	local n=$1 when=$2 verify=$3 skip i devs
	for skip in $(seq 0 $((n - 1))); do
		devs=()
		for i in $(seq 0 $((n - 1))); do
			[ "$i" = "$skip" ] || devs+=("${LOOPS[$i]}")
		done
		must mdadm --assemble --readonly --run /dev/md1 "${devs[@]}"
		"$verify" md1
		must mdadm --stop /dev/md1
		log "$when: reads exact without member $skip"
	done
}

# after_grow SIZE0_KB SIZE1_KB MEMBER...: md0 grew from SIZE0 to SIZE1 KiB
# with "a" written at 0 and "b" ending at SIZE0: "c" written at the new
# end, all three read back, check is clean, and they read back again
# after a stop and an assembly from MEMBER...
after_grow() {
	local size0=$1 size1=$2
	shift 2
	write_big /dev/md0 $((size1 - 1024)) 1024 c
	wait_settled md0
	verify_big /dev/md0 0 a
	verify_big /dev/md0 $((size0 - 1024)) b
	verify_big /dev/md0 $((size1 - 1024)) c
	md_check md0
	must mdadm --stop /dev/md0
	must mdadm --assemble /dev/md0 "$@"
	verify_big /dev/md0 0 a
	verify_big /dev/md0 $((size0 - 1024)) b
	verify_big /dev/md0 $((size1 - 1024)) c
}
