#!/bin/bash
# rig: mem=4096 timeout=3600 personality=both
# The benchmark run of scripts/bench: not a pass/fail scenario, and kept
# out of scripts/check.  It measures, in this one VM, every figure of
# BENCHMARKS.md and prints them as machine-readable lines:
#   BENCH section=S config=C metric=M run=N value=X unit=U
#   BENCHNA section=S config=C metric=M reason=free text to the end
#   BENCHINFO key free text to the end
# scripts/bench-report turns them into tables and plots.  A configuration
# that cannot be built (a module that does not load, an mdadm create that
# fails, a sync that never ends) is reported BENCHNA and the run goes on.
# Parameters come from /tests/bench/params.env, written by scripts/bench.
. /tests/lib.sh
set +e
P=/tests/bench/params.env
# shellcheck disable=SC1090
[ -f "$P" ] && . "$P"
: "${BENCH_MODE:=quick}" "${BENCH_RUNTIME:=2}" "${BENCH_RAMP:=0}"
: "${BENCH_REPEATS:=1}" "${BENCH_MEMBER_MB:=128}" "${BENCH_NDEV:=4}"
: "${BENCH_CHUNK_KB:=512}" "${BENCH_CURVE_MB:=64}" "${BENCH_CURVE_REPEATS:=1}"
: "${BENCH_CURVE_PCTS:=0 1 10 50 100}" "${BENCH_COST_SIZES:=64M 1G 1T}"
: "${BENCH_CLASSIC_READY_MAX_MB:=64}" "${BENCH_SYNC_LIMIT:=600}"
: "${BENCH_SECTIONS:=limits tput r6 lazy bound cost}"
# RAID-6 section (raid456x against raid456): members, configurations.
: "${BENCH_R6_NDEV:=6}" "${BENCH_R6_CONFIGS:=raid456-none raid456x-none}"
# Rebuild share on big members: member size (MiB), share written (%).
: "${BENCH_BIG_MB:=4096}" "${BENCH_BIG_PCT:=10}"
# Bitmap-bound workloads: sparse member size, fio runtime, classic's
# small chunk (KiB: mdadm keeps 128 KiB for an internal bitmap on members
# over 200 GiB, so 1 MiB chunks of a 1 TiB member do not fit, 2 MiB do),
# the daemon period every bitmap gets (s).
: "${BENCH_BOUND_SIZE:=1T}" "${BENCH_BOUND_RUNTIME:=8}" "${BENCH_BOUND_SMALL_KB:=2048}"
: "${BENCH_BOUND_DAEMON:=1}" "${BENCH_BOUND_SEQ_MB:=512}"
# Seconds a section may take before it stops repeating (0: no limit).
: "${BENCH_TPUT_BUDGET:=0}" "${BENCH_LAZY_BUDGET:=0}" "${BENCH_PROACTIVE_BUDGET:=0}"
: "${BENCH_R6_BUDGET:=0}" "${BENCH_BOUND_BUDGET:=0}"

emit() { echo "BENCH $*"; }
na() {
	local s=$1 c=$2 m=$3
	shift 3
	echo "BENCHNA section=$s config=$c metric=$m reason=$*"
}
info() { echo "BENCHINFO $*"; }
note() { echo "--- $(date +%H:%M:%S) $*"; }
now() { date +%s.%N; }
# fsub A B: A - B with 3 decimals
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

STUCK=
# bounded SECS CMD...: run CMD in its own session; after SECS kill it.
# A process stuck in the kernel cannot be killed: it is left behind
# (STUCK is set) and 124 returned, so the run goes on without it.
bounded() {
	local secs=$1 pid i
	shift
	setsid "$@" &
	pid=$!
	for ((i = 0; i < secs * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			return $?
		fi
		sleep 0.1
	done
	kill -9 -- -"$pid" "$pid" 2>/dev/null
	sleep 2
	if kill -0 "$pid" 2>/dev/null; then
		STUCK="$*"
		note "left behind a stuck process: $*"
	else
		wait "$pid"
	fi
	return 124
}

# ---------------------------------------------------------------- devices

mkdir -p /tmp/bench
MDN=10
LOOPS=()
# members N SIZE alloc|sparse: N loop devices over files in /tmp/bench;
# "alloc" fallocates (every page exists, as on a written disk), "sparse"
# only truncates.  Sets LOOPS.
members() {
	local n=$1 size=$2 how=$3 i f dev
	LOOPS=()
	for i in $(seq 0 $((n - 1))); do
		f=/tmp/bench/m$MDN-$i.img
		rm -f "$f"
		truncate -s "$size" "$f" || return 1
		if [ "$how" = alloc ]; then
			fallocate -l "$size" "$f" || return 1
		fi
		dev=$(losetup -f --show "$f") || return 1
		LOOPS+=("$dev")
	done
}

# drop_members: detach and delete the files of LOOPS.
drop_members() {
	local d f
	for d in "${LOOPS[@]}"; do
		f=$(losetup -n -O BACK-FILE "$d" 2>/dev/null | tr -d ' ')
		losetup -d "$d" 2>/dev/null
		[ -n "$f" ] && rm -f "$f"
	done
	LOOPS=()
}

# dstat DEV FIELD: /proc/diskstats field (6 sectors read, 10 sectors written)
dstat() {
	awk -v d="${1#/dev/}" -v f="$2" '$3 == d { print $f }' /proc/diskstats
}
# wbytes DEV...: bytes written to the devices so far
wbytes() {
	local d s=0
	for d in "$@"; do s=$((s + $(dstat "$d" 10) * 512)); done
	echo $s
}
rbytes() {
	local d s=0
	for d in "$@"; do s=$((s + $(dstat "$d" 6) * 512)); done
	echo $s
}

MD=
ERR=
# The RAID level of the arrays mkarray makes, and extra mdadm options
# (a classic bitmap's --bitmap-chunk) for the next mkarray only.
LEVEL=5
MKOPTS=()
# mkarray BITMAP clean|lazy|force DEV...: RAID-$LEVEL over DEV as /dev/$MD (a
# fresh md number each time, so a stuck array never blocks the next).
# clean = --assume-clean, lazy = as mdadm does by default (degraded +
# recovery of the last member), force = --force (a real resync).
mkarray() {
	local bm=$1 how=$2 opts
	shift 2
	MD=md$MDN
	MDN=$((MDN + 1))
	opts=(--create "/dev/$MD" --run --level="$LEVEL" --raid-devices=$# --metadata=1.2
		--chunk="$BENCH_CHUNK_KB" --bitmap="$bm" "${MKOPTS[@]}")
	MKOPTS=()
	case $how in
	clean) opts+=(--assume-clean) ;;
	force) opts+=(--force) ;;
	esac
	if ! bounded 120 mdadm "${opts[@]}" "$@" </dev/null >/tmp/mdadm.out 2>&1; then
		ERR="mdadm --create --bitmap=$bm failed: $(grep -v '^mdadm: Defaulting' /tmp/mdadm.out | tail -n 2 | tr '\n' ' ')"
		[ -e "/sys/block/$MD/md" ] && bounded 30 mdadm --stop "/dev/$MD" >/dev/null 2>&1
		return 1
	fi
	return 0
}

# stop_array: stop $MD and drop its members.
stop_array() {
	if [ -n "$MD" ] && [ -e "/sys/block/$MD/md" ]; then
		bounded 60 mdadm --stop "/dev/$MD" >/dev/null 2>&1 ||
			note "could not stop $MD"
	fi
	drop_members
	MD=
}

mdattr() { cat "/sys/block/$MD/md/$1" 2>/dev/null; }

# ready: no sync of any kind running or pending, no member missing.
ready() {
	local a
	a=$(mdattr sync_action) || return 0
	[ "$a" = idle ] || return 1
	[ "$(mdattr degraded)" = 0 ] || return 1
	a=$(mdattr resync_start)
	[ -z "$a" ] || [ "$a" = none ] || return 1
	! grep -A3 "^$MD " /proc/mdstat | grep -Eq 'recovery|resync|check|repair|PENDING|DELAYED'
}

# wait_ready SECS: 0 when ready, 1 on timeout (ERR says why).
wait_ready() {
	local limit=$1 i
	for ((i = 0; i < limit * 10; i++)); do
		ready && return 0
		sleep 0.1
	done
	ERR="not ready after ${limit}s: $(grep -A3 "^$MD " /proc/mdstat | tr -s ' \n' ' ')"
	return 1
}

# llb_bits NAME: count of chunks in that lockless state
llb_bits() {
	awk -v want="$1" '{ n = $NF; $NF = ""; sub(/ +$/, ""); if ($0 == want) print n }' \
		"/sys/block/$MD/md/llbitmap/bits" 2>/dev/null
}
llb_meta() {
	awk -v k="$1" '$1 == k { print $2 }' "/sys/block/$MD/md/llbitmap/metadata" 2>/dev/null
}

# llb_settled SECS [GRACE]: no chunk dirty or waiting for / in a sync.
# With GRACE (upstream llbitmap): dirty chunks may stay.  Upstream's
# daemon does not come back after an array started degraded (mdadm's
# create-time recovery; see tests/llbitmap/upstream-compat.sh), so its
# written chunks can stay Dirty for good: once nothing waits for or is in
# a sync, at most GRACE seconds more are given to Dirty, and what is left
# is said (LEFT_DIRTY).
LEFT_DIRTY=
llb_settled() {
	local limit=$1 grace=${2:-} i s ok t=0
	LEFT_DIRTY=
	for ((i = 0; i < limit * 10; i++)); do
		ok=1
		for s in dirty "need sync" syncing "need sync unwritten" "syncing unwritten"; do
			[ "$(llb_bits "$s")" = 0 ] && continue
			if [ "$s" = dirty ] && [ -n "$grace" ] && [ $t -ge $((grace * 10)) ]; then
				LEFT_DIRTY=$(llb_bits dirty)
				continue
			fi
			ok=
			break
		done
		[ -n "$ok" ] && ready && return 0
		# the grace runs only once nothing but Dirty is left
		[ -n "$grace" ] && [ "$s" = dirty ] && t=$((t + 1))
		sleep 0.1
	done
	ERR="lockless bitmap not settled after ${limit}s: $(tr '\n' ',' </sys/block/$MD/md/llbitmap/bits)"
	return 1
}

# kmem_kb: kernel memory not counted as page cache (KiB).
kmem_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^MemTotal:/ { t = $2 } /^MemFree:/ { f = $2 } /^Buffers:/ { b = $2 }
	     /^Cached:/ { c = $2 } END { print t - f - b - c }' /proc/meminfo
}

# ---------------------------------------------------------------- modules

LLB_OK=
LLB_WHY=
R5X_WHY=
PERS=
use_pers() {
	local want=$1 other
	[ "$PERS" = "$want" ] && return 0
	other=raid456x
	[ "$want" = raid456x ] && other=raid456
	[ "$want" = raid456x ] && [ -n "$R5X_WHY" ] && { ERR=$R5X_WHY; return 1; }
	if grep -q "^${other} " /proc/modules && ! rmmod "$other" 2>/tmp/rmmod.err; then
		ERR="rmmod $other failed: $(cat /tmp/rmmod.err)"
		return 1
	fi
	if ! modprobe "$want" 2>/tmp/modprobe.err; then
		ERR="modprobe $want failed: $(tail -n 1 /tmp/modprobe.err) $(dmesg | grep -i "$want" | tail -n 1)"
		[ "$want" = raid456x ] && R5X_WHY=$ERR
		modprobe "$other" 2>/dev/null && PERS=$other
		return 1
	fi
	PERS=$want
	return 0
}

# md-mod: "ours" is Debian's md-mod with md-llbitmap2 beside it, "ref"
# the reference md-mod with upstream's llbitmap built in
# (scripts/build-reference-md; the guest image carries it).  Both cannot
# be loaded at once (md-llbitmap2 refuses to register beside upstream's
# llbitmap), so a swap stops nothing itself: every array is stopped by
# then (stop_array), and md-llbitmap2, the personalities and md-mod are
# unloaded before the other md-mod is loaded, all inside this one VM.
REF=/usr/lib/rig-ref/md-mod.ko
REF_WHY=
[ -f $REF ] || REF_WHY="no reference md-mod in the guest image (scripts/build-reference-md)"
MDMOD=ours
# unload MOD...: rmmod each loaded one; md_mod may stay busy for a moment
# after the last array stopped.
unload() {
	local m i
	for m in "$@"; do
		for ((i = 0; i < 50; i++)); do
			[ -d "/sys/module/$m" ] || break
			rmmod "$m" 2>/tmp/rmmod.err && break
			sleep 0.1
		done
		[ -d "/sys/module/$m" ] && { ERR="cannot unload $m: $(cat /tmp/rmmod.err)"; return 1; }
	done
	return 0
}
# sync_limits: md-mod's sysctls start at their defaults on every load.
sync_limits() { echo 10000000 >/proc/sys/dev/raid/speed_limit_max; }
# use_md ours|ref: that md-mod, with raid456.
use_md() {
	local want=$1
	[ "$MDMOD" = "$want" ] && return 0
	[ "$want" = ref ] && [ -n "$REF_WHY" ] && { ERR=$REF_WHY; return 1; }
	if grep -Eq '^md[0-9]+ : active' /proc/mdstat; then
		ERR="an array still runs: $(grep -E '^md[0-9]+ :' /proc/mdstat | tr '\n' ' ')"
		return 1
	fi
	unload md_llbitmap2 raid456x raid456 md_mod || return 1
	PERS=
	MDMOD=none
	if [ "$want" = ref ]; then
		if ! insmod $REF 2>/tmp/insmod.err; then
			ERR="insmod of the reference md-mod failed: $(tail -n 1 /tmp/insmod.err)"
			REF_WHY=$ERR
			modprobe md-mod && MDMOD=ours
			[ -n "$LLB_OK" ] && modprobe md-llbitmap2
			sync_limits
			return 1
		fi
	else
		modprobe md-mod || { ERR="modprobe md-mod failed"; return 1; }
		if [ -n "$LLB_OK" ] && ! modprobe md-llbitmap2 2>/tmp/llb.err; then
			LLB_OK=
			LLB_WHY="modprobe md-llbitmap2 after the reference md-mod failed: $(tail -n 1 /tmp/llb.err)"
		fi
	fi
	MDMOD=$want
	sync_limits
	note "md-mod: now $want"
	use_pers raid456
}

# ---------------------------------------------------------------- fio

FIO_COMMON="--direct=1 --ioengine=libaio --time_based --runtime=$BENCH_RUNTIME --ramp_time=$BENCH_RAMP --group_reporting --randrepeat=0 --norandommap --eta=never --output-format=terse --terse-version=3"
# workload NAME [JOBS]: fio arguments of a workload
workload() {
	case $1 in
	seqwrite) echo "--rw=write --bs=1M --iodepth=16 --numjobs=1" ;;
	randwrite4k) echo "--rw=randwrite --bs=4k --iodepth=16 --numjobs=${2:-2}" ;;
	randwrite64k) echo "--rw=randwrite --bs=64k --iodepth=16 --numjobs=${2:-2}" ;;
	seqread|degread) echo "--rw=read --bs=1M --iodepth=16 --numjobs=1" ;;
	esac
}
WORKLOADS="seqwrite randwrite4k randwrite64k seqread"

FIO_BW='' FIO_IOPS=''
# fio_run DEV NAME [JOBS]: FIO_BW (MiB/s) and FIO_IOPS of one timed run.
fio_run() {
	local dev=$1 name=$2 jobs=${3:-} line rc
	# shellcheck disable=SC2046,SC2086
	bounded $((BENCH_RUNTIME + BENCH_RAMP + 90)) fio --name="$name" --filename="$dev" \
		$FIO_COMMON $(workload "$name" "$jobs") --output=/tmp/fio.out 2>/tmp/fio.err
	rc=$?
	line=$(grep -m1 '^3;' /tmp/fio.out 2>/dev/null)
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		ERR="fio $name exit $rc: $(tail -n 2 /tmp/fio.err /tmp/fio.out 2>/dev/null | tr '\n' ' ' | cut -c1-200)"
		return 1
	fi
	case $name in
	seqread|degread) FIO_BW=$(echo "$line" | awk -F';' '{ printf "%.2f", $7 / 1024 }')
		FIO_IOPS=$(echo "$line" | awk -F';' '{ printf "%.1f", $8 }') ;;
	*) FIO_BW=$(echo "$line" | awk -F';' '{ printf "%.2f", $48 / 1024 }')
		FIO_IOPS=$(echo "$line" | awk -F';' '{ printf "%.1f", $49 }') ;;
	esac
	return 0
}

# fio_multi SECTION CONFIG RUN DEV SPEC...: several timed jobs in ONE fio
# process, one after the other (--stonewall), to pay fio's start-up once
# (seconds under emulation).  SPEC is METRIC:WORKLOAD[:JOBS].  A metric
# that the combined run did not give is retried alone.
fio_multi() {
	local s=$1 c=$2 r=$3 dev=$4 spec m w j args=() line rc name bw iops
	shift 4
	for spec in "$@"; do
		IFS=: read -r m w j <<<"$spec"
		# shellcheck disable=SC2046,SC2207
		args+=(--name="$m" $(workload "$w" "$j") --stonewall)
	done
	local w0 w1 fw
	w0=$(wbytes "${LOOPS[@]}")
	# shellcheck disable=SC2086
	bounded $(((BENCH_RUNTIME + BENCH_RAMP + 30) * $# + 60)) fio --filename="$dev" \
		$FIO_COMMON "${args[@]}" --output=/tmp/fio.out 2>/tmp/fio.err
	rc=$?
	# Counting: bytes written to the members per byte fio wrote (parity
	# read-modify-write and bitmap writes included; ramp time included).
	w1=$(wbytes "${LOOPS[@]}")
	fw=$(awk -F';' '$1 == 3 { s += $47 } END { printf "%.0f", s * 1024 }' /tmp/fio.out 2>/dev/null)
	if [ $rc -eq 0 ] && [ "${fw:-0}" -gt 0 ]; then
		emit "section=amp config=$c metric=$s run=$r value=$(awk -v a=$((w1 - w0)) -v b="$fw" 'BEGIN { printf "%.3f", a / b }') unit=x"
	fi
	for spec in "$@"; do
		IFS=: read -r m w j <<<"$spec"
		line=$(awk -F';' -v n="$m" '$1 == 3 && $3 == n' /tmp/fio.out 2>/dev/null | head -n 1)
		if [ $rc -ne 0 ] || [ -z "$line" ]; then
			measure "$s" "$c" "$r" "$dev" "$w" "$j" "$m"
			continue
		fi
		case $w in
		seqread|degread) bw=$(echo "$line" | awk -F';' '{ printf "%.2f", $7 / 1024 }')
			iops=$(echo "$line" | awk -F';' '{ printf "%.1f", $8 }') ;;
		*) bw=$(echo "$line" | awk -F';' '{ printf "%.2f", $48 / 1024 }')
			iops=$(echo "$line" | awk -F';' '{ printf "%.1f", $49 }') ;;
		esac
		emit "section=$s config=$c metric=$m.bw run=$r value=$bw unit=MiB/s"
		emit "section=$s config=$c metric=$m.iops run=$r value=$iops unit=IOPS"
	done
}

# measure SECTION CONFIG RUN DEV NAME [JOBS] [METRIC]
measure() {
	local s=$1 c=$2 r=$3 dev=$4 name=$5 jobs=${6:-} m=${7:-$5}
	if fio_run "$dev" "$name" "$jobs"; then
		emit "section=$s config=$c metric=$m.bw run=$r value=$FIO_BW unit=MiB/s"
		emit "section=$s config=$c metric=$m.iops run=$r value=$FIO_IOPS unit=IOPS"
	else
		na "$s" "$c" "$m" "$ERR"
	fi
}

# ---------------------------------------------------------------- start

note "benchmark: mode $BENCH_MODE, $BENCH_REPEATS repeat(s), fio runtime ${BENCH_RUNTIME}s"
info kernel "$(uname -r)"
info mdadm "$(mdadm --version 2>&1 | head -n 1)"
info fio "$(fio --version)"
info cpus "$(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
info memory "$(awk '/MemTotal/ { print $2 " KiB" }' /proc/meminfo)"
info fio_common "$FIO_COMMON"
for w in $WORKLOADS; do info "fio_$w" "$(workload "$w")"; done
info params "mode=$BENCH_MODE repeats=$BENCH_REPEATS runtime=$BENCH_RUNTIME ramp=$BENCH_RAMP members=$BENCH_NDEV member_mb=$BENCH_MEMBER_MB chunk_kb=$BENCH_CHUNK_KB curve_mb=$BENCH_CURVE_MB curve_repeats=$BENCH_CURVE_REPEATS curve_pcts=$BENCH_CURVE_PCTS cost_sizes=$BENCH_COST_SIZES classic_ready_max_mb=$BENCH_CLASSIC_READY_MAX_MB budgets=$BENCH_TPUT_BUDGET/$BENCH_LAZY_BUDGET/$BENCH_PROACTIVE_BUDGET/$BENCH_R6_BUDGET/$BENCH_BOUND_BUDGET r6_members=$BENCH_R6_NDEV r6_configs=$BENCH_R6_CONFIGS big_mb=$BENCH_BIG_MB big_pct=$BENCH_BIG_PCT bound_size=$BENCH_BOUND_SIZE bound_runtime=$BENCH_BOUND_RUNTIME bound_small_kb=$BENCH_BOUND_SMALL_KB bound_daemon=$BENCH_BOUND_DAEMON bound_seq_mb=$BENCH_BOUND_SEQ_MB"

modprobe md-mod
modprobe loop max_loop=64 2>/dev/null
# Unthrottled syncs: the figures are the speed md reaches, not its cap.
echo 10000000 >/proc/sys/dev/raid/speed_limit_max
info sync_speed "speed_limit_min=$(cat /proc/sys/dev/raid/speed_limit_min) speed_limit_max=$(cat /proc/sys/dev/raid/speed_limit_max) KB/s"
use_pers raid456 || { na limits raid456 load "$ERR"; exit 0; }
if modprobe md-llbitmap2 2>/tmp/llb.err; then
	LLB_OK=1
	info llbitmap_module "$(modinfo -F version md-llbitmap2 2>/dev/null) depends=$(modinfo -F depends md-llbitmap2 2>/dev/null)"
else
	LLB_WHY="modprobe md-llbitmap2 failed: $(tail -n 1 /tmp/llb.err)"
fi
info raid456x_module "$(modinfo -F version raid456x 2>/dev/null) depends=$(modinfo -F depends raid456x 2>/dev/null)"
want() { [[ " $BENCH_SECTIONS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- limits
# XOR (and RAID-6 syndrome) speeds the kernel measured when raid456's
# dependencies loaded.
dmesg | grep -E '(xor|raid6):|MB/s' | grep -Ev 'RIG-' | sed 's/^\[[ 0-9.]*\] //' >/tmp/xor.txt
while IFS= read -r l; do info dmesg_xor "$l"; done </tmp/xor.txt
nxor=0
while read -r algo speed; do
	emit "section=limits config=xor metric=$algo run=1 value=$speed unit=MB/s"
	nxor=$((nxor + 1))
done < <(awk '/xor:/ { x = 1 } x && /MB\/sec/ { s = $0; sub(/.*xor: */, "", s); sub(/^ +/, "", s)
	n = split(s, a, /[ :]+/); for (i = 1; i < n; i++) if (a[i + 1] == "MB/sec") print a[1], a[i] }' /tmp/xor.txt)
[ $nxor = 0 ] && na limits xor speed "the kernel printed no xor speed (it picks $(grep -o 'using[^:]*function *[a-z0-9_-]*' /tmp/xor.txt | awk '{ print $NF }' | head -n 1) without measuring when the CPU has AVX); see the raid6 line instead"
while read -r algo kind speed; do
	emit "section=limits config=raid6 metric=$algo.$kind run=1 value=$speed unit=MB/s"
done < <(sed -n 's/^raid6: \([a-z0-9_]*\) *\(gen\|xor\|recov\)() *\([0-9]*\) MB\/s.*/\1 \2 \3/p' /tmp/xor.txt)
# "raid6: .... xor() N MB/s": the chosen RAID-6 routine's XOR (read-modify-write)
sed -n 's/^raid6: \.\.\.\. xor() *\([0-9]*\) MB\/s.*/\1/p' /tmp/xor.txt | head -n 1 | while read -r speed; do
	emit "section=limits config=raid6 metric=chosen.xor run=1 value=$speed unit=MB/s"
done

# ---------------------------------------------------------------- throughput
# raid456-upstream: upstream's llbitmap (the reference md-mod) on the
# in-tree raid456, the peer md-llbitmap2 is measured against.  It is last
# in the list so that, with the order reversed on even repeats, md-mod is
# swapped once per pair of repeats.
CONFIGS="raid456-none raid456-classic raid456-llbitmap raid456x-none raid456x-llbitmap raid456-upstream"
bmname() {
	case ${1#*-} in
	none) echo none ;; classic) echo internal ;; llbitmap|upstream) echo lockless ;;
	esac
}
# mdflavour CONFIG: the md-mod a configuration runs on
mdflavour() { if [ "${1#*-}" = upstream ]; then echo ref; else echo ours; fi; }
declare -A CFG_NA

# Section names of the configurations measured by tput_config: "tput"
# (RAID-5, BENCH_NDEV members) or "r6" (RAID-6, BENCH_R6_NDEV members).
# The resync/recovery figures go to section "sync", config PERS (RAID-5)
# or r6-PERS.
TSEC="tput"
TNDEV=$BENCH_NDEV
tput_config() {
	local cfg=$1 r=$2 pers=${1%-*} bm how t0 t1 b0 rb w sp fails key
	bm=$(bmname "$cfg")
	key=$TSEC/$cfg
	sp=$pers
	[ "$TSEC" = r6 ] && sp=r6-$pers
	[ -n "${CFG_NA[$key]:-}" ] && return
	if ! use_md "$(mdflavour "$cfg")"; then
		CFG_NA[$key]=$ERR
		return
	fi
	if [ "$bm" = lockless ] && [ "$MDMOD" = ours ] && [ -z "$LLB_OK" ]; then
		CFG_NA[$key]=$LLB_WHY
		return
	fi
	if ! use_pers "$pers"; then
		CFG_NA[$key]=$ERR
		return
	fi
	members "$TNDEV" "${BENCH_MEMBER_MB}M" alloc || { CFG_NA[$key]="no loop devices"; return; }
	# No bitmap: a real resync (--force) measures the resync speed on the
	# way.  With a bitmap: --assume-clean, nothing to sync.
	how=clean
	[ "$bm" = none ] && how=force
	b0=$(rbytes "${LOOPS[@]}")
	t0=$(now)
	if ! mkarray "$bm" "$how" "${LOOPS[@]}"; then
		CFG_NA[$key]=$ERR
		drop_members
		return
	fi
	if ! wait_ready "$BENCH_SYNC_LIMIT"; then
		CFG_NA[$key]=$ERR
		stop_array
		return
	fi
	t1=$(now)
	if [ "$how" = force ]; then
		rb=$(( $(rbytes "${LOOPS[@]}") - b0 ))
		emit "section=sync config=$sp metric=resync_time run=$r value=$(fsub "$t1" "$t0") unit=s"
		emit "section=sync config=$sp metric=resync_member_bytes run=$r value=$(( $(mdattr component_size) * 1024 )) unit=B"
		emit "section=sync config=$sp metric=resync_read_bytes run=$r value=$rb unit=B"
	fi
	if [ "$r" = 1 ]; then
		case $bm in
		internal) info "bitmap_$cfg" "classic chunksize $(mdattr bitmap/chunksize) bytes" ;;
		lockless) info "bitmap_$cfg" "$(tr '\n' ' ' </sys/block/$MD/md/llbitmap/metadata)" ;;
		esac
		info "array_${TSEC}_$cfg" "$(grep -A2 "^$MD " /proc/mdstat | tr -s ' \n' ' ')"
	fi
	note "$TSEC $cfg run $r: fio"
	fio_multi "$TSEC" "$cfg" "$r" "/dev/$MD" seqwrite:seqwrite randwrite4k:randwrite4k \
		randwrite64k:randwrite64k seqread:seqread
	if [ "$TSEC" = tput ] && [ "$pers" = raid456 ] && [ "$bm" != none ]; then
		fio_multi jobs "$cfg" "$r" "/dev/$MD" randwrite4k.j1:randwrite4k:1 \
			randwrite4k.j4:randwrite4k:4
	fi
	# Degraded read: the last member failed; on RAID-6 also the one
	# before it (two members missing).
	fails=("${LOOPS[-1]}")
	if bounded 30 mdadm "/dev/$MD" --fail "${LOOPS[-1]}" >/dev/null 2>&1; then
		measure "$TSEC" "$cfg" "$r" "/dev/$MD" degread
		if [ "$LEVEL" = 6 ]; then
			if bounded 30 mdadm "/dev/$MD" --fail "${LOOPS[-2]}" >/dev/null 2>&1; then
				fails+=("${LOOPS[-2]}")
				measure "$TSEC" "$cfg" "$r" "/dev/$MD" degread "" degread2
			else
				na "$TSEC" "$cfg" degread2 "mdadm --fail of a second member did not work"
			fi
		fi
	else
		na "$TSEC" "$cfg" degread "mdadm --fail did not work"
	fi
	# Recovery onto blank members (no bitmap: all of it); on RAID-6 the
	# two failed members at once.
	if [ "$bm" = none ]; then
		for w in "${fails[@]}"; do
			bounded 30 mdadm "/dev/$MD" --remove "$w" >/dev/null 2>&1
			mdadm --zero-superblock "$w" >/dev/null 2>&1
		done
		b0=$(wbytes "${fails[@]}")
		t0=$(now)
		if bounded 30 mdadm "/dev/$MD" --add "${fails[@]}" >/dev/null 2>&1 &&
			sleep 0.2 &&
			# a member md did not take into this recovery shows (S):
			# it waits for the next one (the time doubles)
			info "recovery_start_${TSEC}_${cfg}_$r" "$(grep "^$MD " /proc/mdstat)" &&
			wait_ready "$BENCH_SYNC_LIMIT"; then
			t1=$(now)
			emit "section=sync config=$sp metric=recovery_time run=$r value=$(fsub "$t1" "$t0") unit=s"
			emit "section=sync config=$sp metric=recovery_bytes run=$r value=$(( $(wbytes "${fails[@]}") - b0 )) unit=B"
			emit "section=sync config=$sp metric=recovery_member_bytes run=$r value=$(( $(mdattr component_size) * 1024 )) unit=B"
		else
			na sync "$sp" recovery "$ERR"
		fi
	fi
	stop_array
}

raw_loop() {
	local r=$1 w
	members 1 "${BENCH_MEMBER_MB}M" alloc || { na raw loop all "no loop device"; return; }
	fio_multi raw loop "$r" "${LOOPS[0]}" seqwrite:seqwrite randwrite4k:randwrite4k \
		randwrite64k:randwrite64k seqread:seqread randwrite4k.j1:randwrite4k:1
	drop_members
}

# fits START BUDGET R: another repeat after R done ones fits the budget
# (the issue: "3 runs, or as many as fit").
fits() {
	local start=$1 budget=$2 r=$3 spent
	spent=$(( $(date +%s) - start ))
	[ "$budget" -le 0 ] && return 0
	[ $((spent + spent / r)) -le "$budget" ]
}
section_time() { emit "section=time config=all metric=$1 run=1 value=$(( $(date +%s) - $2 )) unit=s"; }

# ordered R WORD...: the words, reversed on even repeats (a side of a
# ratio that always ran first, on a fresh tmpfs or a quieter host, would
# be favoured).
ordered() {
	local r=$1 out=() w
	shift
	for w in "$@"; do
		if [ $((r % 2)) -eq 0 ]; then out=("$w" "${out[@]}"); else out+=("$w"); fi
	done
	echo "${out[@]}"
}

# tput_section SEC LEVEL NDEV BUDGET CONFIG...: every repeat, the raw
# loop device (RAID-5 only) and then each configuration once.
tput_section() {
	local sec=$1 lvl=$2 nd=$3 budget=$4 r cfg t0
	shift 4
	TSEC=$sec LEVEL=$lvl TNDEV=$nd
	t0=$(date +%s)
	for r in $(seq 1 "$BENCH_REPEATS"); do
		note "$sec repeat $r"
		[ "$sec" = tput ] && raw_loop "$r"
		for cfg in $(ordered "$r" "$@"); do
			tput_config "$cfg" "$r"
		done
		if [ "$r" -lt "$BENCH_REPEATS" ] && ! fits "$t0" "$budget" "$r"; then
			info repeats_cut "$sec: $r of $BENCH_REPEATS repeats fit the budget of ${budget}s"
			break
		fi
	done
	section_time "$sec" "$t0"
	for cfg in "$@"; do
		[ -n "${CFG_NA[$sec/$cfg]:-}" ] && na "$sec" "$cfg" all "${CFG_NA[$sec/$cfg]}"
	done
	LEVEL=5
}

if want tput; then
	# shellcheck disable=SC2086
	tput_section tput 5 "$BENCH_NDEV" "$BENCH_TPUT_BUDGET" $CONFIGS
fi
if want r6; then
	use_md ours
	# shellcheck disable=SC2086
	tput_section r6 6 "$BENCH_R6_NDEV" "$BENCH_R6_BUDGET" $BENCH_R6_CONFIGS
fi
use_md ours || { na lazy all all "cannot go back to Debian's md-mod: $ERR"; exit 0; }
use_pers raid456 || { na lazy all all "cannot go back to raid456: $ERR"; exit 0; }

# ---------------------------------------------------------------- lazy
# For each share of the array written: create lazily (no --assume-clean),
# count the create-time sync, write that share, let it settle, replace
# member 1 with a blank spare and count what is written to the spare.
# curve_point BITMAP CONFIG PCT R [SECTION MEMBER_MB]: SECTION "curve"
# (BENCH_CURVE_MB members, the create-time figures too) or "big" (the
# rebuild share on big members).  CONFIG "upstream" is upstream's
# llbitmap, on the reference md-mod (the caller loads it).
curve_point() {
	local bm=$1 cfg=$2 pct=$3 r=$4 csec=${5:-curve} cmb=${6:-$BENCH_CURVE_MB} t0 t1 b0 size mb spare old i st grace=
	[ "$cfg" = upstream ] && grace=5
	members $((BENCH_NDEV + 1)) "${cmb}M" sparse || { na "$csec" "$cfg" "p$pct" "no loop devices"; return; }
	spare=${LOOPS[-1]}
	old=${LOOPS[1]}
	local mem=("${LOOPS[@]:0:$BENCH_NDEV}") how=lazy
	# A classic bitmap rebuilds a new member in full whatever was written,
	# and its create-time sync is a full recovery: measured at the first
	# point of a repeat; the other points skip it with --assume-clean.
	[ "$bm" = internal ] && [ "$pct" != "${BENCH_CURVE_PCTS%% *}" ] && how=clean
	b0=$(wbytes "${mem[@]}")
	t0=$(now)
	if ! mkarray "$bm" "$how" "${mem[@]}"; then
		na "$csec" "$cfg" "p$pct" "$ERR"
		drop_members
		return 1
	fi
	if ! wait_ready "$BENCH_SYNC_LIMIT"; then
		na "$csec" "$cfg" "p$pct" "create: $ERR"
		stop_array
		return 1
	fi
	t1=$(now)
	if [ "$how" = lazy ] && [ "$csec" = curve ]; then
		emit "section=create config=$cfg metric=sync_time run=$r.$pct value=$(fsub "$t1" "$t0") unit=s"
		emit "section=create config=$cfg metric=sync_bytes run=$r.$pct value=$(( $(wbytes "${mem[@]}") - b0 )) unit=B"
		emit "section=create config=$cfg metric=member_bytes run=$r.$pct value=$(( $(mdattr component_size) * 1024 )) unit=B"
	fi
	if [ "$bm" = lockless ]; then
		echo 1 >"/sys/block/$MD/md/llbitmap/daemon_sleep"
		echo 1 >"/sys/block/$MD/md/llbitmap/barrier_idle"
	fi
	size=$(( $(blockdev --getsize64 "/dev/$MD") ))
	mb=$(( size * pct / 100 / 1048576 ))
	if [ "$mb" -gt 0 ]; then
		t0=$(now)
		# Big members: writes of 8 full stripes (several GiB to write;
		# 1 MiB writes are partial stripes and take minutes under TCG).
		local bs=1
		[ "$csec" = big ] && bs=$((BENCH_CHUNK_KB * (BENCH_NDEV - 1) * 8 / 1024))
		bounded "$BENCH_SYNC_LIMIT" dd if=/dev/zero of="/dev/$MD" bs="${bs}M" count="$((mb / bs))" \
			oflag=direct status=none ||
			{ na "$csec" "$cfg" "p$pct" "fill write failed"; stop_array; return 1; }
		t1=$(now)
		emit "section=$csec config=$cfg metric=fill_time.p$pct run=$r value=$(fsub "$t1" "$t0") unit=s"
	fi
	# Let the bitmap settle (lockless: the lazy parity build of what was
	# written, then Dirty to Clean).
	t0=$(now)
	if [ "$bm" = lockless ]; then
		llb_settled "$BENCH_SYNC_LIMIT" $grace || { na "$csec" "$cfg" "p$pct" "$ERR"; stop_array; return 1; }
		[ -n "$LEFT_DIRTY" ] && emit "section=$csec config=$cfg metric=left_dirty.p$pct run=$r value=$LEFT_DIRTY unit=chunks"
		[ "$r" = 1 ] && info "bits_${csec}_${cfg}_p$pct" "$(tr '\n' ',' </sys/block/$MD/md/llbitmap/bits)"
		[ "$r" = 1 ] && info "meta_${csec}_${cfg}_p$pct" "$(tr '\n' ' ' </sys/block/$MD/md/llbitmap/metadata)"
	else
		wait_ready "$BENCH_SYNC_LIMIT" || { na "$csec" "$cfg" "p$pct" "$ERR"; stop_array; return 1; }
	fi
	t1=$(now)
	emit "section=$csec config=$cfg metric=settle_time.p$pct run=$r value=$(fsub "$t1" "$t0") unit=s"
	bounded 30 mdadm "/dev/$MD" --add "$spare" >/dev/null 2>&1 || { na "$csec" "$cfg" "p$pct" "mdadm --add spare failed"; stop_array; return 1; }
	b0=$(wbytes "$spare")
	t0=$(now)
	if ! bounded 30 mdadm "/dev/$MD" --replace "$old" --with "$spare" >/tmp/mdadm.out 2>&1; then
		na "$csec" "$cfg" "p$pct" "mdadm --replace failed: $(tail -n 1 /tmp/mdadm.out)"
		stop_array
		return 1
	fi
	# Done when the spare is an in_sync member and nothing runs.
	for ((i = 0; i < BENCH_SYNC_LIMIT * 10; i++)); do
		st=$(cat "/sys/block/$MD/md/dev-${spare#/dev/}/state" 2>/dev/null)
		if [[ $st == *in_sync* ]] && [[ $st != *replacement* ]] && ready; then
			break
		fi
		sleep 0.1
	done
	t1=$(now)
	if [ $i -ge $((BENCH_SYNC_LIMIT * 10)) ]; then
		na "$csec" "$cfg" "p$pct" "replace did not finish in ${BENCH_SYNC_LIMIT}s (spare state $st)"
		stop_array
		return 1
	fi
	emit "section=$csec config=$cfg metric=rebuild_bytes.p$pct run=$r value=$(( $(wbytes "$spare") - b0 )) unit=B"
	emit "section=$csec config=$cfg metric=rebuild_time.p$pct run=$r value=$(fsub "$t1" "$t0") unit=s"
	emit "section=$csec config=$cfg metric=member_bytes.p$pct run=$r value=$(( $(mdattr component_size) * 1024 )) unit=B"
	stop_array
	return 0
}

# proactive_run R [CONFIG]: a lazy lockless array, all Unwritten;
# proactive_sync builds every chunk's parity.  Time and member bytes.
# CONFIG: lockless (md-llbitmap2) or upstream (on the reference md-mod).
proactive_run() {
	local r=$1 c=${2:-lockless} t0 t1 rb wb s i ok
	members "$BENCH_NDEV" "${BENCH_CURVE_MB}M" sparse || return
	mkarray lockless lazy "${LOOPS[@]}" || { na proactive "$c" sync "$ERR"; drop_members; return; }
	wait_ready "$BENCH_SYNC_LIMIT" || { na proactive "$c" sync "create: $ERR"; stop_array; return; }
	rb=$(rbytes "${LOOPS[@]}")
	wb=$(wbytes "${LOOPS[@]}")
	t0=$(now)
	if ! echo 1 2>/tmp/pro.err >"/sys/block/$MD/md/llbitmap/proactive_sync"; then
		na proactive "$c" sync "proactive_sync refused: $(cat /tmp/pro.err)"
		stop_array
		return
	fi
	sleep 0.2
	for ((i = 0; i < BENCH_SYNC_LIMIT * 10; i++)); do
		ok=1
		for s in unwritten "need sync unwritten" "syncing unwritten"; do
			[ "$(llb_bits "$s")" = 0 ] || { ok=; break; }
		done
		[ -n "$ok" ] && ready && break
		sleep 0.1
	done
	t1=$(now)
	if [ -z "$ok" ]; then
		na proactive "$c" sync "not done after ${BENCH_SYNC_LIMIT}s: $(tr '\n' ',' </sys/block/$MD/md/llbitmap/bits)"
	else
		emit "section=proactive config=$c metric=time run=$r value=$(fsub "$t1" "$t0") unit=s"
		emit "section=proactive config=$c metric=member_bytes run=$r value=$(( $(mdattr component_size) * 1024 )) unit=B"
		emit "section=proactive config=$c metric=read_bytes run=$r value=$(( $(rbytes "${LOOPS[@]}") - rb )) unit=B"
		emit "section=proactive config=$c metric=write_bytes run=$r value=$(( $(wbytes "${LOOPS[@]}") - wb )) unit=B"
		[ "$r" = 1 ] && info "proactive_bits_$c" "$(tr '\n' ',' </sys/block/$MD/md/llbitmap/bits)"
	fi
	stop_array
}

if want lazy; then
	T0=$(date +%s)
	for r in $(seq 1 "$BENCH_CURVE_REPEATS"); do
		# Debian's md-mod first (classic, md-llbitmap2), then the
		# reference md-mod (upstream's llbitmap): one swap each way per
		# repeat, the ratios still taken within the repeat.
		use_md ours
		for pct in $BENCH_CURVE_PCTS; do
			note "rebuild curve repeat $r at $pct %"
			curve_point internal classic "$pct" "$r"
			if [ -n "$LLB_OK" ]; then
				curve_point lockless lockless "$pct" "$r"
			fi
		done
		[ -n "$LLB_OK" ] && curve_point lockless lockless "$BENCH_BIG_PCT" "$r" big "$BENCH_BIG_MB"
		if use_md ref; then
			for pct in $BENCH_CURVE_PCTS; do
				note "rebuild curve repeat $r at $pct %, upstream llbitmap"
				curve_point lockless upstream "$pct" "$r"
			done
			curve_point lockless upstream "$BENCH_BIG_PCT" "$r" big "$BENCH_BIG_MB"
		else
			na curve upstream all "$ERR"
			na big upstream all "$ERR"
		fi
		if [ "$r" -lt "$BENCH_CURVE_REPEATS" ] && ! fits "$T0" "$BENCH_LAZY_BUDGET" "$r"; then
			info repeats_cut "rebuild curve: $r of $BENCH_CURVE_REPEATS repeats fit the budget of ${BENCH_LAZY_BUDGET}s"
			break
		fi
	done
	[ -z "$LLB_OK" ] && na curve lockless all "$LLB_WHY"
	section_time curve "$T0"
	T0=$(date +%s)
	for r in $(seq 1 "$BENCH_REPEATS"); do
		for c in $(ordered "$r" upstream lockless); do
			note "proactive sync repeat $r, $c"
			if [ "$c" = upstream ]; then
				use_md ref || { na proactive upstream sync "$ERR"; continue; }
			else
				use_md ours
				[ -z "$LLB_OK" ] && { na proactive lockless sync "$LLB_WHY"; continue; }
			fi
			proactive_run "$r" "$c"
		done
		if [ "$r" -lt "$BENCH_REPEATS" ] && ! fits "$T0" "$BENCH_PROACTIVE_BUDGET" "$r"; then
			info repeats_cut "proactive: $r of $BENCH_REPEATS repeats fit the budget of ${BENCH_PROACTIVE_BUDGET}s"
			break
		fi
	done
	section_time proactive "$T0"
	use_md ours
fi

# ---------------------------------------------------------------- bound
# Bitmap-bound workloads (issue 20): members so large (sparse) that the
# bitmap has many chunks, every array --assume-clean (all chunks Clean),
# and every bitmap's daemon at BENCH_BOUND_DAEMON seconds (classic
# daemon_sleep; llbitmap daemon_sleep and barrier_idle), so a chunk a
# write dirtied is cleaned again within seconds and the next write into
# it pays a bitmap write again, inside a short run.  Random writes over
# 3 TiB land almost always on a Clean chunk: each is a first visit or a
# revisit after a cleaning, both of which cost the same bitmap update.
BOUND_CONFIGS="none classic classic-small llbitmap upstream"
bound_bm() {
	case $1 in none) echo none ;; classic*) echo internal ;; *) echo lockless ;; esac
}
# mwrites DEV...: write requests completed by the devices so far
mwrites() {
	local d s=0
	for d in "$@"; do s=$((s + $(dstat "$d" 8))); done
	echo $s
}

# bound_job CONFIG R METRIC BS_KIB FIO-ARGS...: one fio process on $MD,
# no ramp (the member counters see every request); its IOPS and MiB/s,
# and member write requests (and bytes) per fio write request (byte).
bound_job() {
	local c=$1 r=$2 m=$3 bs=$4 n0 b0 n1 b1 line rc fkib
	shift 4
	n0=$(mwrites "${LOOPS[@]}")
	b0=$(wbytes "${LOOPS[@]}")
	bounded $((BENCH_BOUND_RUNTIME * 3 + 120)) fio --name="$m" --filename="/dev/$MD" \
		--direct=1 --ioengine=libaio --group_reporting --randrepeat=0 --norandommap \
		--eta=never --output-format=terse --terse-version=3 "$@" \
		--output=/tmp/fio.out 2>/tmp/fio.err
	rc=$?
	n1=$(mwrites "${LOOPS[@]}")
	b1=$(wbytes "${LOOPS[@]}")
	line=$(grep -m1 '^3;' /tmp/fio.out 2>/dev/null)
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		na bound "$c" "$m" "fio exit $rc: $(tail -n 2 /tmp/fio.err /tmp/fio.out 2>/dev/null | tr '\n' ' ' | cut -c1-200)"
		return 1
	fi
	fkib=$(echo "$line" | awk -F';' '{ print $47 }')
	emit "section=bound config=$c metric=$m.iops run=$r value=$(echo "$line" | awk -F';' '{ printf "%.1f", $49 }') unit=IOPS"
	emit "section=bound config=$c metric=$m.bw run=$r value=$(echo "$line" | awk -F';' '{ printf "%.2f", $48 / 1024 }') unit=MiB/s"
	if [ "${fkib:-0}" -gt 0 ]; then
		emit "section=bound config=$c metric=$m.mw run=$r value=$(awk -v a=$((n1 - n0)) -v k="$fkib" -v bs="$bs" 'BEGIN { printf "%.4f", a / (k / bs) }') unit=x"
		emit "section=bound config=$c metric=$m.mb run=$r value=$(awk -v a=$((b1 - b0)) -v k="$fkib" 'BEGIN { printf "%.4f", a / (k * 1024) }') unit=x"
		emit "section=bound config=$c metric=$m.n run=$r value=$(awk -v k="$fkib" -v bs="$bs" 'BEGIN { printf "%.0f", k / bs }') unit=writes"
	fi
	return 0
}

bound_config() {
	local c=$1 r=$2 bm f=ours rt=$BENCH_BOUND_RUNTIME d=$BENCH_BOUND_DAEMON dev
	bm=$(bound_bm "$c")
	[ "$c" = upstream ] && f=ref
	use_md $f || { na bound "$c" all "$ERR"; return; }
	[ "$c" = llbitmap ] && [ -z "$LLB_OK" ] && { na bound "$c" all "$LLB_WHY"; return; }
	members "$BENCH_NDEV" "$BENCH_BOUND_SIZE" sparse || { na bound "$c" all "no loop devices"; drop_members; return; }
	# No merging in the members' queues: each request md sends is counted
	# once, so data, parity and bitmap writes are whole numbers per fio
	# write even for the sequential writer (merges would hide them).
	for dev in "${LOOPS[@]}"; do
		echo 2 >"/sys/block/${dev#/dev/}/queue/nomerges"
	done
	[ "$c" = classic-small ] && MKOPTS=(--bitmap-chunk="${BENCH_BOUND_SMALL_KB}K")
	if ! mkarray "$bm" clean "${LOOPS[@]}"; then
		na bound "$c" all "$ERR"
		drop_members
		return
	fi
	wait_ready 60 || { na bound "$c" all "$ERR"; stop_array; return; }
	case $bm in
	internal)
		echo "$d" >"/sys/block/$MD/md/bitmap/time_base"
		[ "$r" = 1 ] && info "bound_bitmap_$c" "chunksize $(mdattr bitmap/chunksize) chunks $(( ($(mdattr component_size) * 1024 + $(mdattr bitmap/chunksize) - 1) / $(mdattr bitmap/chunksize) )) daemon_sleep $(mdattr bitmap/time_base)"
		;;
	lockless)
		echo "$d" >"/sys/block/$MD/md/llbitmap/daemon_sleep"
		echo "$d" >"/sys/block/$MD/md/llbitmap/barrier_idle"
		[ "$r" = 1 ] && info "bound_bitmap_$c" "$(tr '\n' ' ' </sys/block/$MD/md/llbitmap/metadata)"
		;;
	esac
	[ "$r" = 1 ] && info "bound_array_$c" "$(grep -A2 "^$MD " /proc/mdstat | tr -s ' \n' ' ')"
	note "bound $c run $r"
	bound_job "$c" "$r" rand 4 --rw=randwrite --bs=4k --iodepth=16 --numjobs=2 \
		--time_based --runtime="$rt"
	# Idle gaps: 1 s of writes, then 3 s of nothing (longer than a
	# daemon pass plus the idle time llbitmap waits before cleaning).
	bound_job "$c" "$r" idle 4 --rw=randwrite --bs=4k --iodepth=16 --numjobs=1 \
		--time_based --runtime=$((rt + 2)) --thinktime=3s --thinktime_iotime=1s
	[ "$r" = 1 ] && [ "$bm" = lockless ] && info "bound_bits_$c" "$(tr '\n' ',' </sys/block/$MD/md/llbitmap/bits)"
	# A sequential writer from the start of the array, crossing chunk
	# boundaries, once what the random writers dirtied is clean again
	# (BENCH_BOUND_SEQ_MB, or what it wrote in the runtime on a slow host).
	sleep $((3 * d))
	bound_job "$c" "$r" seq 1024 --rw=write --bs=1M --iodepth=16 --numjobs=1 \
		--size="${BENCH_BOUND_SEQ_MB}M" --runtime="$rt"
	stop_array
}

if want bound; then
	T0=$(date +%s)
	for r in $(seq 1 "$BENCH_REPEATS"); do
		note "bitmap-bound repeat $r"
		# shellcheck disable=SC2086
		for c in $(ordered "$r" $BOUND_CONFIGS); do
			bound_config "$c" "$r"
		done
		if [ "$r" -lt "$BENCH_REPEATS" ] && ! fits "$T0" "$BENCH_BOUND_BUDGET" "$r"; then
			info repeats_cut "bitmap-bound: $r of $BENCH_REPEATS repeats fit the budget of ${BENCH_BOUND_BUDGET}s"
			break
		fi
	done
	section_time bound "$T0"
	use_md ours
fi

# ---------------------------------------------------------------- cost
# to_mb 64M|1G|4T
to_mb() {
	local v=${1%[MGT]}
	case $1 in
	*M) echo "$v" ;; *G) echo $((v * 1024)) ;; *T) echo $((v * 1024 * 1024)) ;;
	esac
}

cost_one() {
	local size=$1 bm=$2 cfg=$3 how=$4 m0 m1 t0 t1 cs n mb bml
	mb=$(to_mb "$size")
	members "$BENCH_NDEV" "$size" sparse || { na cost "$cfg" "s$size" "no loop devices"; return; }
	m0=$(kmem_kb)
	t0=$(now)
	if ! mkarray "$bm" "$how" "${LOOPS[@]}"; then
		na cost "$cfg" "s$size" "$ERR"
		drop_members
		return
	fi
	if ! wait_ready "$BENCH_SYNC_LIMIT"; then
		na cost "$cfg" "ready.s$size" "$ERR"
		stop_array
		return
	fi
	t1=$(now)
	[ "$how" != clean ] && emit "section=cost config=$cfg metric=ready.s$size run=1 value=$(fsub "$t1" "$t0") unit=s"
	m1=$(kmem_kb)
	emit "section=cost config=$cfg metric=kmem.s$size run=1 value=$((m1 - m0)) unit=KiB"
	# md's own account: "bitmap: USED/TOTAL pages [KB], CHUNK chunk"
	bml=$(grep -A3 "^$MD " /proc/mdstat | grep -o 'bitmap: [0-9]*/[0-9]* pages')
	if [ -n "$bml" ]; then
		bml=${bml#bitmap: }
		emit "section=cost config=$cfg metric=bmpages.s$size run=1 value=${bml%%/*} unit=pages"
		bml=${bml#*/}
		emit "section=cost config=$cfg metric=bmpages_max.s$size run=1 value=${bml%% *} unit=pages"
	fi
	emit "section=cost config=$cfg metric=member.s$size run=1 value=$(( $(mdattr component_size) * 1024 )) unit=B"
	case $bm in
	lockless)
		cs=$(llb_meta chunksize)
		n=$(llb_meta chunks)
		emit "section=cost config=$cfg metric=chunk.s$size run=1 value=$((cs * 512)) unit=B"
		emit "section=cost config=$cfg metric=chunks.s$size run=1 value=$n unit=chunks"
		# 1 KiB header, then one byte per chunk, in 512-byte blocks
		emit "section=cost config=$cfg metric=ondisk.s$size run=1 value=$(( (1024 + n + 511) / 512 * 512 )) unit=B"
		;;
	internal)
		cs=$(mdattr bitmap/chunksize)
		n=$(( ($(mdattr component_size) * 1024 + cs - 1) / cs ))
		emit "section=cost config=$cfg metric=chunk.s$size run=1 value=$cs unit=B"
		emit "section=cost config=$cfg metric=chunks.s$size run=1 value=$n unit=chunks"
		# 256-byte superblock, then one bit per chunk
		emit "section=cost config=$cfg metric=ondisk.s$size run=1 value=$(( (256 + (n + 7) / 8 + 511) / 512 * 512 )) unit=B"
		[ "$size" = "${BENCH_COST_SIZES%% *}" ] && info "mdadm_X_$size" "$(mdadm -X "${LOOPS[0]}" 2>&1 | grep -E 'Chunksize|Bitmap :' | tr -s ' \n' ' ')"
		;;
	esac
	stop_array
}

if want cost; then
	T0=$(date +%s)
	use_md ours
	use_pers raid456
	for size in $BENCH_COST_SIZES; do
		note "cost at members of $size"
		cost_one "$size" none none clean
		if [ "$(to_mb "$size")" -le "$BENCH_CLASSIC_READY_MAX_MB" ]; then
			cost_one "$size" internal classic lazy
		else
			cost_one "$size" internal classic clean
			na cost classic "ready.s$size" "a full initial sync of $size members is not run here (estimated from the measured create sync speed)"
		fi
		if [ -n "$LLB_OK" ]; then
			cost_one "$size" lockless lockless lazy
		else
			na cost lockless "s$size" "$LLB_WHY"
		fi
	done
fi

want cost && section_time cost "$T0"
[ -n "$STUCK" ] && info stuck "$STUCK"
note "benchmark done"
echo "BENCHDONE"
exit 0
