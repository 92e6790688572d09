#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Discards that cover only part of a row (a chunk-sized stripe: 3 data
# chunks of 64 KiB, 192 KiB of the array) must not mark the row Unwritten
# in md-llbitmap2: its other chunks hold live data, and a rebuild skips
# Unwritten rows.  On a lockless RAID-5 (R5X_LEVEL=6: RAID-6 of five
# members, see raid6-discard-partial-row.sh) with ten rows of data:
#  - discards of 4 KiB at 0, 3.5 KiB at 512 B, a row shifted by 4 KiB, a
#    row minus its last 4 KiB and a row across two rows change no chunk
#    state; 1.5 rows from a row start and exactly one row turn exactly
#    one chunk (row) Unwritten each;
#  - a member is replaced by a fresh one full of random bytes (RAID-6:
#    then two at once); after each recovery every row but the two
#    discarded ones reads back exact, through the array and with each
#    member (RAID-6: each pair) missing in turn, and the raw parity (P and
#    Q) of those rows is valid.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh

r5x_load
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"
need_r5parity
LEVEL=${R5X_LEVEL:-5}
NPAR=$((LEVEL - 4))
N=$((3 + NPAR))
mkloops $((N + NPAR)) 24
fresh=("${LOOPS[@]:N}")
members=("${LOOPS[@]:0:N}")

ROW_KB=192
NROWS=10
DISCARDED="4 8"
problems=0
bad() {
	echo "BAD: $*"
	problems=$((problems + 1))
}

must mdadm --create /dev/md0 --run --quiet --level=$LEVEL --raid-devices=$N \
	--metadata=1.2 --bitmap=lockless --chunk=64 "${members[@]}"
md_wait_idle md0
fast_daemon md0
expect_eq "$(chunk_kb md0)" 64 "bitmap chunk (one row per chunk)"

# ten rows of data, then let the bitmap settle (the spread makes every
# chunk of the bitmap block synced, so the states below are stable)
write_big /dev/md0 0 $((NROWS * ROW_KB)) rows
sleep 2
wait_settled md0 300

is_discarded() {
	case " $DISCARDED " in *" $1 "*) return 0 ;; esac
	return 1
}

# verify_rows MD: every row but the discarded ones holds what was written
# (partly discarded rows included: raid456x keeps their data); one read.
verify_rows() {
	local md=$1 b r seen=" "
	read_blocks "/dev/$md" $((NROWS * ROW_KB))
	for b in $(differing_blocks /tmp/ref/rows); do
		r=$((b * 4 / ROW_KB))
		is_discarded "$r" && continue
		case $seen in *" $r "*) continue ;; esac
		seen+="$r "
		bad "row $r on $md reads back wrong ($2)"
	done
}

verify_rows md0 "before any discard"

# disc OFFSET_BYTES LEN_BYTES WANT_NEW_UNWRITTEN
disc() {
	local before after u0 u1
	before=$(bits_line md0)
	u0=$(bits md0 unwritten)
	must blkdiscard -o "$1" -l "$2" /dev/md0
	after=$(bits_line md0)
	u1=$(bits md0 unwritten)
	log "discard -o $1 -l $2: $after"
	if [ "$3" = 0 ]; then
		[ "$after" = "$before" ] ||
			bad "discard -o $1 -l $2 (no whole row) changed states: $before -> $after"
	else
		[ "$u1" = $((u0 + $3)) ] ||
			bad "discard -o $1 -l $2: unwritten $u0 -> $u1, want +$3"
	fi
}

R=$((ROW_KB * 1024))
disc 0 4096 0                              # 4 KiB at the start of row 0
disc 512 3584 0                            # odd start and length in row 0
disc $((R + 4096)) $R 0                    # misaligned start: rows 1-2
disc $((3 * R)) $((R - 4096)) 0            # misaligned end: row 3
disc $((4 * R)) $((R + R / 2)) 1           # 1.5 rows: row 4 whole, half of 5
disc $((6 * R + R / 2)) $R 0               # halves of rows 6 and 7
disc $((8 * R)) $R 1                       # exactly row 8
verify_rows md0 "after the discards"

# replace MEMBER...: fail them at once, put fresh devices full of random
# bytes in their slots (the members replaced become the next fresh ones),
# wait for the recovery and check every row
replace() {
	local i k=0 old
	for i in "$@"; do
		must mdadm /dev/md0 --fail "${members[$i]}"
	done
	for i in "$@"; do
		must mdadm /dev/md0 --remove "${members[$i]}"
	done
	for i in "$@"; do
		old=${members[$i]}
		members[i]=${fresh[$k]}
		fresh[k]=$old
		fill_garbage 24 "${members[$i]}"
		must mdadm /dev/md0 --add "${members[$i]}"
		k=$((k + 1))
	done
	sleep 1
	md_wait_idle md0 300
	wait_settled md0 300
	grep -q "\[$N/$N\]" /proc/mdstat || fail "fresh member(s) for $* not in sync"
	log "after replacing $*: $(bits_line md0)"
	echo 3 >/proc/sys/vm/drop_caches
	verify_rows md0 "after replacing $*"
}

# member 1 holds data of row 0; RAID-6 then loses two at once
replace 1
[ "$LEVEL" = 6 ] && replace 0 2
must mdadm --stop /dev/md0

# raw parity of the live rows (member sectors: 128 per row)
drop_caches "${members[@]}"
for range in 0:512 640:384 1152:128; do
	out=$(r5parity --max-report 3 --range "$range" "${members[@]}" 2>&1) ||
		bad "r5parity --range $range: $out"
done

# reads without each member (RAID-6: each pair of members)
skips=()
for a in $(seq 0 $((N - 1))); do
	[ "$NPAR" = 1 ] && skips+=("$a")
	[ "$NPAR" = 2 ] && for b in $(seq $((a + 1)) $((N - 1))); do skips+=("$a $b"); done
done
for skip in "${skips[@]}"; do
	devs=()
	for i in $(seq 0 $((N - 1))); do
		case " $skip " in *" $i "*) ;; *) devs+=("${members[$i]}") ;; esac
	done
	must mdadm --assemble --readonly --run /dev/md1 "${devs[@]}"
	verify_rows md1 "without member(s) $skip"
	must mdadm --stop /dev/md1
	log "reads checked without member(s) $skip"
done

[ "$problems" = 0 ] || fail "$problems problems (see BAD lines)"
r5x_unload_all
no_llb_errors
log "ok"
