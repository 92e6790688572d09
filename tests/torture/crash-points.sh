#!/bin/bash
# rig: personality=both mem=2048 timeout=1500
# Crash points: every member of a lockless RAID-5 is a slice (dm-linear) of
# ONE device under dm-log-writes, so all member writes are recorded in one
# order, in the order they became durable (a write at the flush after it,
# a FUA write when it completes).  The workload marks the log each time a
# write of its own has returned after fsync (or as O_DIRECT|O_SYNC), and
# keeps a ledger of what was acknowledged by each mark.
# Then for crash points (every flush/FUA entry after the create, the marks,
# and the last write before each flush; TT_POINTS of them, evenly spread,
# "all" for every one, or as many as TORTURE_S seconds allow) the log is
# replayed onto a copy of the image as it was before logging began
# (members full of random data), and:
#   - a plain mdadm --assemble (no --force) starts the array;
#   - once its resync is over, every acknowledged block reads back exactly;
#   - the raw parity (r5parity) is valid in every row the workload wrote,
#     and in every chunk the on-disk bitmap (llbitmap2-inspect, after the
#     resync) calls clean, dirty or clean unwritten;
#   - with each member missing in turn (read-only, --run), every
#     acknowledged block reads back exactly.
# Stacks: in-tree raid456 + md-llbitmap2, raid456x + md-llbitmap2 (lazy
# create, then writes and discards) in the normal suite; under TT_STACKS
# or a TORTURE_S budget also raid456x-bitmap (classic internal bitmap),
# raid456x-nobm (no bitmap), raid1 and raid10 (near=2) with md-llbitmap2
# (their creates are full syncs, recorded before the first mark; no raw
# parity check on the mirrors), and raid6 and raid6x: RAID-6 of 5
# members under raid456 and raid456x with md-llbitmap2 (raw P and Q
# checked; the degraded reads also with pairs of members missing, two
# pairs a point, all pairs over five points).
# A stack named S+proactive runs the
# workload during a proactive parity build (proactive_sync right after the
# create, slowed down so that the writes meet it; after assembly the
# build must resume and end), e.g. raid456x+proactive; the TORTURE_S
# default adds it for raid456 and raid456x.  Every problem is printed as a
# FINDING line with the stack, the crash point and the last mark, and
# the scenario fails at its end.  TT_SEED picks the workload.
# Replays use logreplay --fua-last: dm-log-writes logs a FUA write when it
# completes and a plain write only at the next flush, so a plain write of
# a stripe (a resync's parity) that completed before a FUA write of the
# same stripe (a user's O_SYNC write) lands after it in the log, and a
# replay in log order shows a stale parity that no disk would keep (CI
# of 2026-12-07, raid456 point 5932: "member 2 missing: acknowledged data
# differs").  The whole-log check below verifies that reading against the
# device.  TT_LOG_ORDER=1 replays in the log's own order.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh
. /tests/torture/lib-torture.sh

SEED=${TT_SEED:-${SEED:-1}}
LR_ORDER=--fua-last
[ -n "${TT_LOG_ORDER:-}" ] && LR_ORDER=
POINTS=${TT_POINTS:-4}
# a time budget (make torture TORTURE_S=...): about 15 s a point on an idle
# machine, shared by the stacks
OPS=${TT_OPS:-14}
N=4		# members (stack_setup: 5 for RAID-6)
MS_MB=16	# member size
CHUNK=64	# KiB
if [ -n "${TORTURE_S:-}" ]; then
	STACKS=${TT_STACKS:-raid456 raid456x raid456+proactive raid456x+proactive raid456x-bitmap raid456x-nobm raid1 raid10 raid6 raid6x raid6+proactive raid6x+proactive raid456+recovery raid456x+recovery raid456x-bitmap+recovery raid456x-nobm+recovery raid1+recovery raid10+recovery raid6+recovery raid6x+recovery}
else
	STACKS=${TT_STACKS:-raid456 raid456x}
fi
STACKS=${STACKS//,/ }
NSTACKS=$(echo "$STACKS" | wc -w)
# a budget sets the number of points unless TT_POINTS names it
[ -n "${TORTURE_S:-}" ] && [ -z "${TT_POINTS:-}" ] &&
	POINTS=$((TORTURE_S / 15 / NSTACKS > 10 ? TORTURE_S / 15 / NSTACKS : 10))

# stack_setup STACK: PERS (raid5 personality or empty), LEVEL (mdadm
# options), BM (--bitmap=), LLB (1 with md-llbitmap2), R5 (1: RAID-4/5/6,
# raw parity checked), NPAR (parity members of a row: 1, RAID-6 2), N
# (members) and NS (slices: N, and a spare for the recovery workload).
stack_setup() {
	PERS='' BM=lockless LLB=1 R5=0 WORKLOAD=writes N=4 NPAR=1
	case ${1%+*} in
	raid456|raid456x) PERS=$1 LEVEL="--level=5 --chunk=$CHUNK" R5=1 ;;
	raid456x-bitmap) PERS=raid456x LEVEL="--level=5 --chunk=$CHUNK" R5=1 BM=internal LLB=0 ;;
	raid456x-nobm) PERS=raid456x LEVEL="--level=5 --chunk=$CHUNK" R5=1 BM=none LLB=0 ;;
	raid1) LEVEL="--level=1" ;;
	raid10) LEVEL="--level=10 --layout=n2 --chunk=$CHUNK" ;;
	raid6) PERS=raid456 LEVEL="--level=6 --chunk=$CHUNK" R5=1 N=5 NPAR=2 ;;
	raid6x) PERS=raid456x LEVEL="--level=6 --chunk=$CHUNK" R5=1 N=5 NPAR=2 ;;
	*) fail "unknown stack $1" ;;
	esac
	NS=$N
	case $1 in
	*+proactive) WORKLOAD=proactive ;;
	*+recovery) WORKLOAD=recovery NS=$((N + 1)) ;;
	esac
}

need_r5parity
command -v logreplay >/dev/null || fail "logreplay is not in the guest"
must modprobe md-mod
must modprobe dm-mod
must modprobe dm-log-writes
modprobe md-llbitmap2 || fail "md-llbitmap2 does not load"
must modprobe raid1
must modprobe raid10
modprobe loop max_loop=64 2>/dev/null || true
MS=$((MS_MB * 2048))	# member sectors

# teardown: nothing of the previous stack or point is left.
teardown() {
	local d
	stop_all
	for d in $(dmsetup ls 2>/dev/null | awk '{ print $1 }'); do
		case $d in tm*|cw*) dmsetup remove "$d" ;; esac
	done
	dmsetup remove lw 2>/dev/null
	losetup -D
	return 0
}

# slices PREFIX DEV: NS dm-linear members /dev/mapper/PREFIX<i> cut from
# DEV (N members, and a spare for the recovery workload).
slices() {
	local i
	DEVS=()
	for i in $(seq 0 $((NS - 1))); do
		must dmsetup create "$1$i" --table "0 $MS linear $2 $((i * MS))"
		DEVS+=("/dev/mapper/$1$i")
	done
	dmsetup mknodes >/dev/null 2>&1
	for i in "${DEVS[@]}"; do
		[ -b "$i" ] || fail "no $i"
	done
}

mark() {
	must dmsetup message lw 0 mark "$1"
}

# recovery_start STACK: op 1 of the recovery workload.  The whole array
# is written (acknowledged, mark m1: with md-llbitmap2 a recovery only
# copies written chunks, and an empty array would recover at once); then
# a member fails and leaves, the spare (random content) comes in and a
# recovery of about 5 s runs while the next ops write.
recovery_start() {
	local ref=cp-$1-$SEED-1 m=$((SEED % N))
	mkref "$ref" "$ARR_KB"
	dd if="/tmp/ref/$ref" of=/dev/md0 bs=1M oflag=direct conv=notrunc,fsync \
		status=none || fail "fill the array"
	tt_model_write 0 "$ARR_KB" "$ref"
	mark m1
	echo "1 write 0 $ARR_KB $ref direct" >>"$OPLOG"
	must mdadm --fail /dev/md0 "${DEVS[m]}" >/dev/null 2>&1
	for _ in $(seq 1 50); do
		mdadm --remove /dev/md0 "${DEVS[m]}" >/dev/null 2>&1 && break
		sleep 0.2
	done
	echo 3000 >/sys/block/md0/md/sync_speed_max
	must mdadm --add /dev/md0 "${DEVS[N]}" >/dev/null
	grep -A2 '^md0' /proc/mdstat | grep -q recovery ||
		log "$1: no recovery seen right after the add: $(grep -A2 ^md0 /proc/mdstat | tr '\n' ' ')"
}

# record STACK: lazy create and the workload on the recorded device.
# Sets OPLOG (one line per op, "k write|discard off len ref|-").
record() {
	local stack=$1 ld ll k off len ref kind ablocks arr_kb flags='' shadowed
	log "$stack: record (seed $SEED, $OPS ops)"
	rm -f "$TT"/*.img
	mkdir -p "$TT"
	truncate -s $((NS * MS_MB))M "$TT/data.img"
	dd if=/dev/urandom of="$TT/data.img" bs=1M count=$((NS * MS_MB)) \
		conv=notrunc status=none || fail "fill the image"
	cp "$TT/data.img" "$TT/initial.img"
	truncate -s 768M "$TT/log.img"
	ld=$(losetup -f --show "$TT/data.img") || fail "losetup data"
	ll=$(losetup -f --show "$TT/log.img") || fail "losetup log"
	must dmsetup create lw --table "0 $(dev_sectors "$ld") log-writes $ld $ll"
	# no udev in the guest: the table names lw by its device number
	slices tm "$(dmsetup info -c --noheadings -o major,minor lw | tr -d ' ')"
	[ -z "$PERS" ] || use_personality "$PERS"
	# shellcheck disable=SC2086
	must mdadm --create /dev/md0 --run --quiet $LEVEL --raid-devices=$N \
		--metadata=1.2 --bitmap=$BM "${DEVS[@]:0:N}"
	md_wait_idle md0
	[ "$LLB" = 0 ] || fast_daemon md0
	arr_kb=$(($(dev_sectors /dev/md0) / 2))
	ARR_KB=$arr_kb
	ablocks=$((arr_kb / 4))
	tt_init "$arr_kb"
	mark created
	if [ "$WORKLOAD" = proactive ]; then
		# a build of about 5 s, which the writes meet
		echo 3000 >/sys/block/md0/md/sync_speed_max
		echo 1 >/sys/block/md0/md/llbitmap/proactive_sync ||
			fail "$stack: proactive_sync refused"
		mark proactive
	fi
	OPLOG=$TT/oplog
	: >"$OPLOG"
	for k in $(seq 1 "$OPS"); do
		if [ "$WORKLOAD" = recovery ] && [ "$k" = 1 ]; then
			recovery_start "$stack"
			continue
		fi
		len=$((4 * (1 + RANDOM % 48)))
		# half of the ops near the start, the rest anywhere
		if [ $((RANDOM % 2)) = 0 ]; then
			off=$((4 * (RANDOM % 256)))
		else
			off=$((4 * (RANDOM % (ablocks - len / 4))))
		fi
		if [ $((RANDOM % 6)) = 0 ]; then
			kind=discard
			# a discard the array does not support is not acknowledged
			# TT_NO_DISCARD=1: the same draws, without the discards
			# (to tell whether a finding needs them)
			if [ -n "${TT_NO_DISCARD:-}" ]; then
				kind=discard-skipped
			elif blkdiscard -o $((off * 1024)) -l $((len * 1024)) /dev/md0 2>/dev/null; then
				tt_model_discard "$off" "$len"
				must sync
			else
				kind=discard-refused
			fi
			ref=-
		else
			kind=write
			# one name per stack and op: mkref keeps an existing file
			ref=cp-$stack-$SEED-$k
			mkref "$ref" "$len"
			flags=direct
			[ $((RANDOM % 3)) = 0 ] && flags=direct,sync
			# returns once the data is durable: fsync, or O_SYNC
			if [ "$flags" = direct ]; then
				dd if="/tmp/ref/$ref" of=/dev/md0 bs=4k seek=$((off / 4)) \
					count=$((len / 4)) oflag=direct conv=notrunc,fsync \
					status=none || fail "write $k"
			else
				dd if="/tmp/ref/$ref" of=/dev/md0 bs=4k seek=$((off / 4)) \
					count=$((len / 4)) oflag=$flags conv=notrunc \
					status=none || fail "write $k"
			fi
			tt_model_write "$off" "$len" "$ref"
		fi
		mark "m$k"
		echo "$k $kind $off $len $ref${flags:+ $flags}" >>"$OPLOG"
		flags=
	done
	# what the running array returns must already be right
	tt_verify /dev/md0 "$stack while recording"
	# a quiet tail: the bitmap settles (dirty chunks back to clean)
	[ "$WORKLOAD" = recovery ] && md_wait_idle md0 300
	sleep 3
	mark settled
	must mdadm --stop /dev/md0
	for k in $(seq 0 $((NS - 1))); do
		must dmsetup remove "tm$k"
	done
	# removing the target writes the last entries and the super block
	must dmsetup remove lw
	must losetup -d "$ld" "$ll"
	dmesg_has 'log-writes.*(Ran out of space|Error)' && fail "dm-log-writes lost entries"
	cat "$OPLOG"
	# The harness's own check: the whole log replayed gives the device as
	# it ended, else a write reached it without any flush after it (or
	# the log is not faithful) and no crash point can be trusted.
	cp "$TT/initial.img" "$TT/full.img"
	# shellcheck disable=SC2086
	logreplay --replay "$TT/full.img" $LR_ORDER "$TT/log.img" || fail "replay the whole log"
	if ! cmp "$TT/full.img" "$TT/data.img" >"$TT/cmp" 2>&1; then
		tt_finding "$stack: the whole log replayed differs from the device:" \
			"$(head -c 300 "$TT/cmp"); $(cmp -l "$TT/full.img" "$TT/data.img" | wc -l) bytes"
		cmp -l "$TT/full.img" "$TT/data.img" |
			awk '{ s = int(($1 - 1) / 512); if (s != p) { print "  differs in log-device sector " s; p = s; n++ } if (n >= 8) exit }'
	fi
	# whether the order --fua-last corrects mattered in this log: which
	# entries it shadowed, and the whole log in its own order against
	# the device
	shadowed=$(logreplay --list --fua-last "$TT/log.img" | grep shadowed=)
	if [ -n "$LR_ORDER" ] && [ -n "$shadowed" ]; then
		log "$(echo "$shadowed" | wc -l) batched writes replayed under a FUA write of their flush interval (--fua-last): $(echo "$shadowed" | head -3 | tr '\n' ';')"
		cp "$TT/initial.img" "$TT/full.img"
		logreplay --replay "$TT/full.img" "$TT/log.img" || fail "replay the whole log in log order"
		cmp -s "$TT/full.img" "$TT/data.img" ||
			log "$stack: in the log's own order the whole replay would differ from the device in $(cmp -l "$TT/full.img" "$TT/data.img" | wc -l) bytes"
	fi
	rm -f "$TT/full.img"
	if [ -n "${TT_DEBUG:-}" ]; then
		logreplay --list "$TT/log.img" | awk '/mark=created$/ { on = 1 } on && !/META/ { print "  log| " $0 } / mark=m1$/ { exit }'
	fi
}

# pick_points: the crash points to replay (log entry indices, ascending).
pick_points() {
	local created all n
	# shellcheck disable=SC2086
	logreplay --list $LR_ORDER "$TT/log.img" >"$TT/list" || fail "logreplay --list"
	created=$(awk '/ mark=created$/ { print $1; exit }' "$TT/list")
	[ -n "$created" ] || fail "no mark 'created' in the log"
	# flush/FUA entries and marks after the create, and the last plain
	# write before each flush (a crash that keeps only part of a batch)
	awk -v c="$created" '$1 > c && /FLUSH|FUA|MARK/ { print $1 }
		$1 > c && !/FLUSH|FUA|MARK|DISCARD/ { w = $1 }
		$1 > c && /FLUSH/ && w != "" { print w; w = "" }' "$TT/list" |
		sort -n -u >"$TT/cands"
	all=$(wc -l <"$TT/cands")
	if [ "$POINTS" = all ] || [ "$POINTS" -ge "$all" ]; then
		cp "$TT/cands" "$TT/points"
	else
		# evenly spread, starting at a seeded offset, plus the last one
		n=$POINTS
		awk -v n="$n" -v all="$all" -v s="$SEED" 'BEGIN { srand(s); o = rand() }
			{ p[NR] = $1 } END {
			for (i = 0; i < n - 1; i++) print p[int((i + o) * all / n) + 1]
			print p[all] }' "$TT/cands" | sort -n -u >"$TT/points"
	fi
	log "$(grep -c . "$TT/list") log entries, $all crash-point candidates," \
		"replaying $(grep -c . "$TT/points")"
}

# model_upto K: the model holds ops 1..K (ops only move forward).
MODEL_K=0
model_upto() {
	local k kind off len ref fl
	while read -r k kind off len ref fl; do
		[ "$k" -gt "$MODEL_K" ] && [ "$k" -le "$1" ] || continue
		case $kind in
		write) tt_model_write "$off" "$len" "$ref" ;;
		discard) tt_model_discard "$off" "$len" ;;
		esac
	done <"$OPLOG"
	MODEL_K=$1
}

# rows_touched: r5parity --range arguments of every row an op touched.
rows_touched() {
	local k kind off len ref fl row_kb=$(((N - NPAR) * CHUNK))
	while read -r k kind off len ref fl; do
		[ "$kind" = write ] || continue
		[ "$k" -le "$MODEL_K" ] || continue
		echo "$((off / row_kb * CHUNK * 2)):$((((off + len - 1) / row_kb - off / row_kb + 1) * CHUNK * 2))"
	done <"$OPLOG"
}

# hide_inflight K / restore_inflight: at a crash point between mark K and
# mark K+1, op K+1 was in flight: each of its blocks may hold the old or
# the new data (a FUA write or a flush of it may already be in the log),
# so for this point its blocks are left out of the data checks; the points
# after mark K+1 check them.  (Without this, a sync write over earlier
# data made a false finding: raid456x point 5163 of seed 1, 2026-12-06.)
INFLIGHT=()
hide_inflight() {
	local k kind off len b
	INFLIGHT=()
	read -r k kind off len _ < <(awk -v k=$(($1 + 1)) '$1 == k' "$OPLOG")
	[ -n "${kind:-}" ] || return 0
	for ((b = off / 4; b < (off + len + 3) / 4; b++)); do
		if [ -n "${ACK[b]+x}" ]; then
			INFLIGHT+=("$b")
			unset "ACK[b]"
		fi
	done
}
# hide_write_hole K: a point where mdadm wanted --force (degraded, with a
# write in flight) is the write hole, which md documents and which
# --force accepts: in a row that the in-flight op K+1 was writing, the
# block of the slot being rebuilt, in a stripe (the same offset in every
# chunk of the row) the op wrote, is computed from data and parity of
# which the crash may have kept only one, so it may come back wrong.
# Exactly those blocks join the hidden ones (left-symmetric, md's default:
# P on slot N-1-row%N, on RAID-6 Q after it, data chunk i on slot
# (P+NPAR+i)%N; the rebuilt slot is the one that failed, SEED % N);
# every other block must still read back exactly.  RAID-6 with one member
# missing has the same hole: md rebuilds the block from the data and P
# and does not ask Q which of the two the crash left stale.
hide_write_hole() {
	local k kind off len row_kb=$(((N - NPAR) * CHUNK)) m=$((SEED % N)) b a r pd i x hit n=0
	[ "$R5" = 1 ] || return 0
	read -r k kind off len _ < <(awk -v k=$(($1 + 1)) '$1 == k' "$OPLOG")
	[ "${kind:-}" = write ] || return 0
	for ((b = off / row_kb * row_kb / 4; b < (off + len + row_kb - 1) / row_kb * row_kb / 4; b++)); do
		a=$((b * 4))
		r=$((a / row_kb))
		pd=$((N - 1 - r % N))
		[ $(((pd + NPAR + (a % row_kb) / CHUNK) % N)) = "$m" ] || continue
		# only the stripes (same offset in every chunk) the op wrote
		hit=0
		for ((i = 0; i < N - NPAR; i++)); do
			x=$((r * row_kb + i * CHUNK + a % CHUNK))
			[ "$x" -ge "$off" ] && [ "$x" -lt $((off + len)) ] && hit=1
		done
		[ "$hit" = 1 ] || continue
		if [ -n "${ACK[b]+x}" ]; then
			INFLIGHT+=("$b")
			unset "ACK[b]"
			n=$((n + 1))
		fi
	done
	[ "$n" = 0 ] || log "write hole: $n acknowledged blocks of slot $m in the rows of in-flight op $(($1 + 1)) ($off+$len KiB) are not checked at this point"
}

restore_inflight() {
	local b
	for b in "${INFLIGHT[@]}"; do
		ACK[b]=1
	done
	INFLIGHT=()
}

# ondisk_ranges DEV: r5parity --range arguments (member data sectors) of
# the runs of chunks that DEV's on-disk lockless bitmap calls clean (=),
# dirty (D) or clean unwritten (u): chunks md will not sync again, whose
# parity it trusts.
ondisk_ranges() {
	local want='=Du'
	llbitmap2-inspect --map --width 100000 "$1" >"$TT/map" 2>&1 || return 1
	awk -v want="$want" '
		/^geometry/ { g = 1 }
		g && $1 == "chunksize:" { cs = $2 }
		g && $1 == "sync_size:" { ss = $2 }
		m && NF == 2 && $1 ~ /^[0-9]+$/ {
			n = length($2)
			for (i = 1; i <= n + 1; i++) {
				c = i <= n ? substr($2, i, 1) : "x"
				if (i <= n && index(want, c)) {
					if (st < 0) st = $1 + i - 1
				} else if (st >= 0) {
					a = st * cs; e = ($1 + i - 1) * cs
					if (e > ss) e = ss
					print a ":" e - a
					st = -1
				}
			}
		}
		/^legend:/ { m = 1; st = -1 }' "$TT/map"
}

# plant_ondisk: TT_PLANT=ondisk flips a byte of member 0 in the last
# sectors of the last run the on-disk bitmap calls consistent (on these
# small arrays a chunk no op wrote: the row checks above do not see it),
# to show that the on-disk check fails.
plant_ondisk() {
	local r doff
	r=$(tail -n 1 "$TT/ranges")
	[ -n "$r" ] || return 0
	doff=$(mdadm --examine "${SDEVS[0]}" | sed -n 's/^ *Data Offset : \([0-9]*\) sectors.*/\1/p')
	log "PLANT: flip a byte of ${SDEVS[0]} at data sector $((${r%:*} + ${r#*:} - 8))"
	flip_byte "${SDEVS[0]}" $(((doff + ${r%:*} + ${r#*:} - 8) * 512 + 100))
	sync
	drop_caches "${DEVS[@]}"
}

# degraded_add WHAT: a point of the recovery workload can come up
# degraded with nothing to rebuild onto (the crash came after the
# failure was recorded and before the spare had a superblock).  Chunks
# that need a sync then wait for a member, so do what an admin does: add
# a device that is not in the array (its bytes are whatever the replay
# left) and let the rebuild run; the checks that follow then cover the
# rebuilt array.
degraded_add() {
	local i
	[ "$(md_sysfs md0 degraded 2>/dev/null)" = 0 ] && return 0
	grep -A2 '^md0 ' /proc/mdstat | grep -Eq 'recovery|resync' && return 0
	for i in "${DEVS[@]}"; do
		[ -e "/sys/block/md0/md/dev-$(dm_kname "${i#/dev/mapper/}")" ] && continue
		mdadm --zero-superblock --force "$i" >/dev/null 2>&1
		if mdadm --add /dev/md0 "$i" >"$TT/add" 2>&1; then
			log "$1: degraded after assembly: $i added and rebuilt"
		else
			tt_finding "$1: degraded after assembly, adding $i refused: $(tr '\n' ' ' <"$TT/add")"
		fi
		return 0
	done
}

# every pair of slots of a RAID-6 stack, "i:j"; check_point takes the
# next two at each point
PAIRS=() PAIR_NEXT=0

# degraded_verify WHAT SLOT...: assemble without the members of these
# slots (read-only, --run) and check every acknowledged block.
degraded_verify() {
	local what=$1 i devs=()
	shift
	for i in "${!SDEVS[@]}"; do
		[[ " $* " == *" $i "* ]] || devs+=("${SDEVS[i]}")
	done
	if ! mdadm --assemble --readonly --run /dev/md0 "${devs[@]}" >"$TT/asm" 2>&1; then
		tt_finding "$what: degraded assemble without member(s) $* refused: $(tr '\n' ' ' <"$TT/asm")"
		return
	fi
	tt_verify /dev/md0 "$what, member(s) $* missing"
	must mdadm --stop /dev/md0
}

# check_point STACK P: replay up to entry P (the base image already holds
# everything before PREV+1) and check what a reboot there would find.
check_point() {
	local stack=$1 p=$2 lastmark k wl i what out sl
	# shellcheck disable=SC2086
	logreplay --replay "$TT/base.img" $LR_ORDER --start $((PREV + 1)) --end "$p" "$TT/log.img" ||
		fail "replay to $p"
	PREV=$p
	lastmark=$(awk -v p="$p" '$1 <= p && / mark=m[0-9]+$/ { m = $NF } END { print m }' "$TT/list")
	lastmark=${lastmark#mark=}
	k=${lastmark#m}
	[ -n "$k" ] || k=0
	model_upto "$k"
	hide_inflight "$k"
	what="$stack point $p ($(awk -v p="$p" '$1 == p { print $4 }' "$TT/list"), after ${lastmark:-created})"

	cp "$TT/base.img" "$TT/work.img"
	wl=$(losetup -f --show "$TT/work.img") || fail "losetup work"
	slices cw "$wl"
	# the spare has no superblock until its add is recorded
	ADEVS=()
	for i in "${DEVS[@]}"; do
		mdadm --examine "$i" >/dev/null 2>&1 && ADEVS+=("$i")
	done
	if ! mdadm --assemble /dev/md0 "${ADEVS[@]}" >"$TT/asm" 2>&1; then
		# A crash while degraded with writes in flight (the recovery
		# workload) is the write hole: mdadm refuses a degraded
		# array that is not clean unless forced, by design.  Then
		# --force, and every acknowledged block must still be there,
		# except what the write hole itself may take (hide_write_hole).
		if [ "$WORKLOAD" = recovery ] && grep -q 'not clean - consider --force' "$TT/asm" &&
			mdadm --assemble --force /dev/md0 "${ADEVS[@]}" >"$TT/asm" 2>&1; then
			log "$what: degraded and not clean: assembled with --force (mdadm's rule)"
			hide_write_hole "$k"
		else
			tt_finding "$what: plain assemble refused: $(tr '\n' ' ' <"$TT/asm")"
			restore_inflight
			teardown
			return
		fi
	fi
	[ "$WORKLOAD" = recovery ] && degraded_add "$what"
	md_wait_idle md0 300
	if [ "$LLB" = 1 ]; then
		for i in $(seq 1 600); do
			[ "$(bits md0 "need sync")" = 0 ] && [ "$(bits md0 syncing)" = 0 ] &&
				[ "$(bits md0 "need sync unwritten")" = 0 ] &&
				[ "$(bits md0 "syncing unwritten")" = 0 ] && break
			sleep 0.2
		done
		[ "$i" = 600 ] && tt_finding "$what: resync never ended: $(bits_line md0)"
		md_wait_idle md0 300
	fi
	tt_verify /dev/md0 "$what, all members"
	# the members in slot order (the spare may hold the failed one's slot)
	if [ "$WORKLOAD" = recovery ]; then
		SDEVS=()
		for i in "${DEVS[@]}"; do
			sl=$(cat "/sys/block/md0/md/dev-$(dm_kname "${i#/dev/mapper/}")/slot" 2>/dev/null) || continue
			[[ $sl =~ ^[0-9]+$ ]] && SDEVS[sl]=$i
		done
	else
		SDEVS=("${DEVS[@]}")
	fi
	must mdadm --stop /dev/md0
	drop_caches "${DEVS[@]}"
	if [ "${#SDEVS[@]}" != "$N" ]; then
		# a point before the spare was recorded as a member: the array
		# runs degraded (its data was checked above); nothing more
		log "$what: degraded after assembly (slots ${!SDEVS[*]}): data checked only"
		restore_inflight
		teardown
		return
	fi
	# rows the workload wrote hold valid parity once the resync is over
	while read -r i; do
		if ! out=$(r5parity --quiet --max-report 3 --range "$i" "${SDEVS[@]}" 2>&1); then
			tt_finding "$what: raw parity wrong in member range $i: $out"
			break
		fi
	done < <([ "$R5" = 1 ] && rows_touched | sort -u)
	# the on-disk bitmap after the resync (array stopped): every chunk it
	# calls consistent holds valid parity
	if [ "$R5" = 1 ] && [ "$LLB" = 1 ]; then
		if ! ondisk_ranges "${SDEVS[0]}" >"$TT/ranges"; then
			tt_finding "$what: llbitmap2-inspect: $(head -c 300 "$TT/map")"
		fi
		[ "${TT_PLANT:-}" = ondisk ] && plant_ondisk
		while read -r i; do
			if ! out=$(r5parity --quiet --max-report 3 --range "$i" "${SDEVS[@]}" 2>&1); then
				tt_finding "$what: raw parity wrong in a chunk the on-disk bitmap calls" \
					"consistent, member range $i: $out ($(grep -A8 '^states:' "$TT/map" | tr -s ' \n' ' '))"
				break
			fi
		done <"$TT/ranges"
		[ -n "${TT_DEBUG:-}${TT_PLANT:-}" ] &&
			log "$what: on-disk bitmap: $(grep -A9 '^states:' "$TT/map" | tr -s ' \n' ' '), $(grep -c . "$TT/ranges") runs checked: $(head -c 200 "$TT/ranges" | tr '\n' ' ')"
	fi
	# every member missing in turn; RAID-6 also two pairs, the next two
	# of all pairs at each point (with rotating parity every pair is
	# data+data, data+P, data+Q and P+Q in one row or another)
	for i in $(seq 0 $((N - 1))); do
		degraded_verify "$what" "$i"
	done
	if [ "$NPAR" = 2 ]; then
		for _ in 1 2; do
			i=${PAIRS[PAIR_NEXT % ${#PAIRS[@]}]}
			PAIR_NEXT=$((PAIR_NEXT + 1))
			degraded_verify "$what" ${i/:/ }
		done
	fi
	restore_inflight
	teardown
}

RANDOM=$SEED
t0=$(date +%s)
for stack in $STACKS; do
	teardown
	stack_setup "$stack"
	PAIRS=() PAIR_NEXT=0
	for ((i = 0; i < N; i++)); do
		for ((j = i + 1; j < N; j++)); do
			PAIRS+=("$i:$j")
		done
	done
	record "$stack"
	pick_points
	cp "$TT/initial.img" "$TT/base.img"
	PREV=-1
	MODEL_K=0
	# the model restarts from nothing: marks replay in order
	tt_init "$ARR_KB"
	before=$TT_PROBLEMS
	np=0
	while read -r p; do
		check_point "$stack" "$p"
		np=$((np + 1))
	done <"$TT/points"
	log "$stack: $np crash points replayed, $((TT_PROBLEMS - before)) findings" \
		"($(($(date +%s) - t0)) s so far)"
	if [ "$TT_PROBLEMS" = "$before" ]; then
		echo "TORTURE-RESULT PASS stack=$stack seed=$SEED crash-points=$np"
	else
		echo "TORTURE-RESULT FAIL stack=$stack seed=$SEED crash-points=$np" \
			"findings=$((TT_PROBLEMS - before))"
	fi
	teardown
done
[ "$TT_PROBLEMS" = 0 ] || fail "$TT_PROBLEMS findings (seed $SEED)"
log "ok"
