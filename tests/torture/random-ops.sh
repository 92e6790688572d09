#!/bin/bash
# rig: personality=both mem=1536 timeout=1500
# Seeded random operation sequences against a model.  From a seed, a
# driver draws operations on a lockless (md-llbitmap2) array whose members
# start full of random data (so parity never built is wrong, not zero):
# writes of random size and alignment (O_DIRECT + fsync, O_DIRECT|O_SYNC,
# buffered + fsync), discards, flushes, a member failed and removed, a fresh
# member (random content) added and rebuilt, re-add of the removed one,
# sync_action idle/frozen/check/repair, proactive_sync, stop and assemble.
# The model holds the acknowledged data (lib-torture.sh), the member set
# and whether an accepted proactive_sync is still owed.  After every op,
# every acknowledged block must read back exactly.  At the end of a
# sequence the array is brought back to full strength and left to settle:
#   - a proactive_sync that was accepted (and no discard since) has built
#     every chunk (no chunk left unwritten) and raw parity is valid
#     everywhere (RAID-5);
#   - raw parity is valid in every row that holds acknowledged data (RAID-5);
#   - with each member missing in turn (read-only assembly), every
#     acknowledged block reads back exactly.
# A failing sequence prints its seed and its op log, as
# "TORTURE-RESULT FAIL stack=S seed=N"; a passing one "TORTURE-RESULT PASS".
# Seeds: TT_SEEDS (default: a fixed short set per stack); with TORTURE_S
# (make torture) seeds SEED, SEED+1, ... run until the time budget is spent;
# SEED alone replays that one seed.  Stacks: TT_STACKS.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh
. /tests/torture/lib-torture.sh

STACKS=${TT_STACKS:-raid456x raid456 raid10}
STACKS=${STACKS//,/ }
OPS=${TT_OPS:-24}
N=4
MB=16
SPEED=4000	# KiB/s: builds and rebuilds last a few seconds, so ops land in them

need_r5parity
must modprobe md-mod
modprobe md-llbitmap2 || fail "md-llbitmap2 does not load"
must modprobe raid10
mkloops $((N + 1)) $MB
# LOOPS[0..N-1] start as members, LOOPS[N] as the spare

OPLOG=
SEQ_BAD=0

# bad MSG: the sequence failed here.
bad() {
	echo "FINDING: stack=$STACK seed=$SEED op=$OPN: $*"
	SEQ_BAD=1
}

# op MSG: one line of the op log.
op() {
	echo "$OPN: $*" >>"$OPLOG"
}

# level_opts STACK
level_opts() {
	case $1 in
	raid10) echo "--level=10 --layout=n2" ;;
	*) echo "--level=5" ;;
	esac
}

member_list() {
	local i out=()
	for i in "${!IN[@]}"; do
		out+=("${IN[$i]}")
	done
	echo "${out[@]}"
}

# settle_sync [SECONDS]: md idle, no chunk waiting for or in a sync.
settle_sync() {
	local i limit=$((${1:-120} * 5)) s
	for i in $(seq 1 "$limit"); do
		s=$(md_sysfs md0 sync_action 2>/dev/null) || return 0
		if [ "$s" = idle ] &&
			! grep -A3 '^md0 ' /proc/mdstat | grep -Eq 'recovery|resync|check|repair' &&
			[ "$(bits md0 "need sync")" = 0 ] && [ "$(bits md0 syncing)" = 0 ] &&
			[ "$(bits md0 "need sync unwritten")" = 0 ] &&
			[ "$(bits md0 "syncing unwritten")" = 0 ]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

start_array() {
	local opts
	opts=$(level_opts "$STACK")
	# shellcheck disable=SC2086
	must mdadm --create /dev/md0 --run --quiet $opts --chunk=64 --raid-devices=$N \
		--metadata=1.2 --bitmap=lockless "${LOOPS[@]:0:N}"
	md_wait_idle md0
	tune
}

tune() {
	fast_daemon md0
	echo $SPEED >/sys/block/md0/md/sync_speed_max
}

# pick_off LEN_KB: sets OFF (KiB, 4 KiB aligned) for an op of LEN_KB;
# three in four land in the first 2 MiB, so that ops meet each other (a
# discard next to written data, a rebuild of rows just written).  Not
# called as $(...): a subshell's RANDOM draws would not advance ours.
pick_off() {
	if [ $((RANDOM % 4)) != 0 ]; then
		OFF=$((4 * (RANDOM % (512 - $1 / 4))))
	else
		OFF=$((4 * (RANDOM % (ABLOCKS - $1 / 4))))
	fi
}

# do_write: a random write, acknowledged once it returns.
do_write() {
	local off len ref mode
	len=$((4 * (1 + RANDOM % 64)))
	pick_off "$len"
	off=$OFF
	# one name per stack, seed and op: mkref keeps an existing file
	ref=$STACK-s$SEED-$OPN
	mkref "$ref" "$len"
	case $((RANDOM % 3)) in
	0) mode="oflag=direct conv=notrunc,fsync" ;;
	1) mode="oflag=direct,sync conv=notrunc" ;;
	2) mode="conv=notrunc,fsync" ;;
	esac
	op "write ${off}k+${len}k ($mode)"
	# shellcheck disable=SC2086
	if dd if="/tmp/ref/$ref" of=/dev/md0 bs=4k seek=$((off / 4)) count=$((len / 4)) \
		$mode status=none 2>"$TT/err"; then
		tt_model_write "$off" "$len" "$ref"
	elif [ "$DEGRADED" -lt 2 ]; then
		bad "write ${off}k+${len}k failed: $(cat "$TT/err")"
	fi
}

do_discard() {
	local off len
	len=$((4 * (1 + RANDOM % 96)))
	pick_off "$len"
	off=$OFF
	# TT_NO_DISCARD=1: the same draws, no discard sent (a discard makes
	# chunks unwritten, which hides a proactive build that was dropped)
	if [ -n "${TT_NO_DISCARD:-}" ]; then
		op "discard ${off}k+${len}k (skipped)"
	elif blkdiscard -o $((off * 1024)) -l $((len * 1024)) /dev/md0 2>/dev/null; then
		op "discard ${off}k+${len}k"
		tt_model_discard "$off" "$len"
		OWED=0
	else
		op "discard ${off}k+${len}k (refused)"
	fi
}

do_fail() {
	local i
	[ "$DEGRADED" = 0 ] || return 1
	i=$((RANDOM % N))
	op "fail and remove member $i (${IN[$i]})"
	must mdadm --fail /dev/md0 "${IN[$i]}" >/dev/null 2>&1
	for _ in $(seq 1 50); do
		mdadm --remove /dev/md0 "${IN[$i]}" >/dev/null 2>&1 && break
		sleep 0.2
	done
	OUT=${IN[$i]}
	OUTSLOT=$i
	unset "IN[$i]"
	DEGRADED=1
}

# do_add: a fresh member (random content, no superblock) rebuilt.
do_add() {
	local dev
	[ "$DEGRADED" = 1 ] || return 1
	dev=$SPARE
	op "add fresh member $dev in slot $OUTSLOT, rebuild"
	dd if=/dev/urandom of="$dev" bs=1M count=$MB oflag=direct status=none
	must mdadm --zero-superblock --force "$dev"
	must mdadm --add /dev/md0 "$dev" >/dev/null
	SPARE=$OUT
	IN[$OUTSLOT]=$dev
	DEGRADED=0
	# frozen would hold the rebuild back; the model wants it done
	[ "$(md_sysfs md0 sync_action)" = frozen ] && echo idle >/sys/block/md0/md/sync_action
	settle_sync 300 || bad "rebuild never ended: $(bits_line md0)"
	grep -q '\[UUUU\]' /proc/mdstat || bad "not whole after the rebuild: $(grep -A2 ^md0 /proc/mdstat)"
}

do_readd() {
	[ "$DEGRADED" = 1 ] || return 1
	op "re-add member $OUT in slot $OUTSLOT"
	if mdadm --re-add /dev/md0 "$OUT" >/dev/null 2>&1 ||
		mdadm --add /dev/md0 "$OUT" >/dev/null 2>&1; then
		IN[$OUTSLOT]=$OUT
		DEGRADED=0
		[ "$(md_sysfs md0 sync_action)" = frozen ] && echo idle >/sys/block/md0/md/sync_action
		settle_sync 300 || bad "re-add rebuild never ended: $(bits_line md0)"
	else
		op "  re-add refused"
	fi
}

do_action() {
	local a
	case $((RANDOM % 4)) in
	0) a=idle ;; 1) a=frozen ;; 2) a=check ;; 3) a=repair ;;
	esac
	op "sync_action $a"
	echo $a 2>/dev/null >/sys/block/md0/md/sync_action || op "  refused"
}

do_proactive() {
	[ "$STACK" = raid10 ] && return 1
	if echo 1 2>/dev/null >/sys/block/md0/md/llbitmap/proactive_sync; then
		op "proactive_sync (accepted)"
		OWED=1
	else
		op "proactive_sync (refused)"
	fi
}

do_restart() {
	op "stop and assemble"
	must mdadm --stop /dev/md0
	# shellcheck disable=SC2046
	if ! mdadm --assemble /dev/md0 $([ "$DEGRADED" = 1 ] && echo --run) \
		$(member_list) >"$TT/asm" 2>&1; then
		bad "assemble refused: $(tr '\n' ' ' <"$TT/asm")"
		return
	fi
	tune
}

# check_data: after each op.
check_data() {
	tt_verify /dev/md0 "stack=$STACK seed=$SEED op=$OPN" || SEQ_BAD=1
}

# finish: full strength, settled, then the end-of-sequence checks.
finish() {
	local i devs rows row_kb=$((3 * 64)) k first cnt unw
	OPN=end
	[ "$(md_sysfs md0 sync_action)" = frozen ] && { op "sync_action idle (end)"; echo idle >/sys/block/md0/md/sync_action; }
	[ "$DEGRADED" = 1 ] && do_add
	settle_sync 300 || bad "never settled: $(bits_line md0)"
	check_data
	op "settled: $(bits_line md0)"
	if [ "$STACK" != raid10 ] && [ "$OWED" = 1 ]; then
		unw=$(bits md0 unwritten)
		[ "$unw" = 0 ] || bad "accepted proactive_sync never finished: $unw chunks still unwritten ($(bits_line md0))"
	fi
	must mdadm --stop /dev/md0
	drop_caches "${LOOPS[@]}"
	if [ "$STACK" != raid10 ]; then
		if [ "$OWED" = 1 ]; then
			# shellcheck disable=SC2046
			out=$(r5parity --max-report 2 $(member_list) 2>&1 | tail -n 3 | tr '\n' ' ') ||
				bad "raw parity wrong after proactive_sync: $out"
		fi
		while read -r first cnt; do
			k=$((first * 4))
			# shellcheck disable=SC2046
			out=$(r5parity --max-report 2 --range \
				"$((k / row_kb * 128)):$((((k + cnt * 4 - 1) / row_kb - k / row_kb + 1) * 128))" \
				$(member_list) 2>&1 | tail -n 3 | tr '\n' ' ') ||
				{ bad "raw parity wrong where data was acknowledged: $out"; break; }
		done < <(tt_runs)
	fi
	for i in $(seq 0 $((N - 1))); do
		devs=()
		for k in $(seq 0 $((N - 1))); do
			[ "$k" = "$i" ] || devs+=("${IN[$k]}")
		done
		if ! mdadm --assemble --readonly --run /dev/md0 "${devs[@]}" >"$TT/asm" 2>&1; then
			bad "read-only assemble without slot $i refused: $(tr '\n' ' ' <"$TT/asm")"
			continue
		fi
		OPN="end, slot $i missing"
		check_data
		must mdadm --stop /dev/md0
	done
}

# run_seq STACK SEED
run_seq() {
	local r t0
	STACK=$1 SEED=$2
	t0=$(date +%s)
	OPLOG=$TT/oplog-$STACK-$SEED
	: >"$OPLOG"
	# a long run must not fill the tmpfs with old references
	rm -f /tmp/ref/*-s*-*
	SEQ_BAD=0 OWED=0 DEGRADED=0 OPN=0
	RANDOM=$SEED
	stop_all
	case $STACK in
	raid456x|raid456) use_personality "$STACK" ;;
	esac
	for r in "${LOOPS[@]}"; do
		mdadm --zero-superblock --force "$r" >/dev/null 2>&1
		dd if=/dev/urandom of="$r" bs=1M count=$MB oflag=direct status=none ||
			fail "fill $r"
	done
	IN=()
	for r in $(seq 0 $((N - 1))); do
		IN[$r]=${LOOPS[$r]}
	done
	SPARE=${LOOPS[N]}
	op "create $STACK ($(level_opts "$STACK")) on ${LOOPS[*]:0:N}"
	start_array
	ABLOCKS=$(($(dev_sectors /dev/md0) / 8))
	tt_init $((ABLOCKS * 4))
	for OPN in $(seq 1 "$OPS"); do
		r=$((RANDOM % 100))
		if [ $r -lt 36 ]; then do_write
		elif [ $r -lt 48 ]; then do_discard
		elif [ $r -lt 52 ]; then op "flush"; must blockdev --flushbufs /dev/md0
		elif [ $r -lt 62 ]; then do_fail || do_write
		elif [ $r -lt 72 ]; then do_add || do_write
		elif [ $r -lt 75 ]; then do_readd || do_write
		elif [ $r -lt 85 ]; then do_action
		elif [ $r -lt 92 ]; then do_proactive || do_write
		else do_restart
		fi
		[ "$SEQ_BAD" = 0 ] || break
		check_data
		[ "$SEQ_BAD" = 0 ] || break
	done
	[ "$SEQ_BAD" = 0 ] && finish
	stop_all
	if [ "$SEQ_BAD" = 0 ]; then
		echo "TORTURE-RESULT PASS stack=$STACK seed=$SEED ops=$OPS ($(($(date +%s) - t0)) s)"
		PASSED=$((PASSED + 1))
	else
		echo "TORTURE-RESULT FAIL stack=$STACK seed=$SEED ops=$OPS ($(($(date +%s) - t0)) s); op log:"
		sed 's/^/    /' "$OPLOG"
		FAILED=$((FAILED + 1))
	fi
}

PASSED=0 FAILED=0
mkdir -p "$TT"
if [ -n "${TORTURE_S:-}" ]; then
	# a time budget: seeds from SEED on, every stack per seed
	s=${SEED:-1}
	end=$(($(date +%s) + TORTURE_S))
	while [ "$(date +%s)" -lt "$end" ]; do
		for st in $STACKS; do
			run_seq "$st" "$s"
		done
		s=$((s + 1))
	done
elif [ -n "${SEED:-}" ]; then
	for st in $STACKS; do
		run_seq "$st" "$SEED"
	done
else
	# the normal suite's fixed slice, one seed per stack; raid456x's
	# seed 12 found, on 1a81ace, a discard of part of a row that made a
	# later rebuild skip the row's live data (issue 15, item 1)
	for st in $STACKS; do
		case $st in
		raid456x) seeds=${TT_SEEDS:-12} ;;
		raid10) seeds=${TT_SEEDS:-10} ;;
		*) seeds=${TT_SEEDS:-1} ;;
		esac
		for s in $seeds; do
			run_seq "$st" "$s"
		done
	done
fi
log "random-ops: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ] || fail "$FAILED sequences failed"
log "ok"
