#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# Discards that cover only part of a row (a chunk-sized stripe: 3 data
# chunks of 64 KiB, 192 KiB of the array) must not mark the row Unwritten
# in md-llbitmap2: its other chunks hold live data, and a rebuild skips
# Unwritten rows.  On a lockless RAID-5 with ten rows of data:
#  - discards of 4 KiB at 0, 3.5 KiB at 512 B, a row shifted by 4 KiB, a
#    row minus its last 4 KiB and a row across two rows change no chunk
#    state; 1.5 rows from a row start and exactly one row turn exactly
#    one chunk (row) Unwritten each;
#  - a member is replaced by a fresh one full of random bytes; after the
#    recovery every row but the two discarded ones reads back exact,
#    through the array, with each member missing in turn, and the raw
#    parity of those rows is valid.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh

r5x_load
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"
need_r5parity
mkloops 5 24
fresh=${LOOPS[4]}
members=("${LOOPS[@]:0:4}")

ROW_KB=192
NROWS=10
DISCARDED="4 8"
problems=0
bad() {
	echo "BAD: $*"
	problems=$((problems + 1))
}

must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
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
# (partly discarded rows included: raid456x keeps their data).
verify_rows() {
	local md=$1 r got want
	for r in $(seq 0 $((NROWS - 1))); do
		is_discarded "$r" && continue
		got=$(sum_range "/dev/$md" $((r * ROW_KB)) $ROW_KB)
		want=$(dd if=/tmp/ref/rows bs=1k skip=$((r * ROW_KB)) count=$ROW_KB \
			status=none | cksum | cut -d' ' -f1,2)
		[ "$got" = "$want" ] || bad "row $r on $md reads back wrong ($2)"
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

# replace member 1 (data of row 0) with a member full of random bytes
fill_garbage 24 "$fresh"
must mdadm /dev/md0 --fail "${members[1]}"
must mdadm /dev/md0 --remove "${members[1]}"
must mdadm /dev/md0 --add "$fresh"
sleep 1
md_wait_idle md0 300
wait_settled md0 300
grep -q '\[4/4\]' /proc/mdstat || fail "fresh member not in sync"
log "after the recovery: $(bits_line md0)"
echo 3 >/proc/sys/vm/drop_caches
verify_rows md0 "after the recovery"
members=("${members[0]}" "$fresh" "${members[2]}" "${members[3]}")
must mdadm --stop /dev/md0

# raw parity of the live rows (member sectors: 128 per row)
drop_caches "${members[@]}"
for range in 0:512 640:384 1152:128; do
	out=$(r5parity --max-report 3 --range "$range" "${members[@]}" 2>&1) ||
		bad "r5parity --range $range: $out"
done

for skip in 0 1 2 3; do
	devs=()
	for i in 0 1 2 3; do
		[ "$i" = "$skip" ] || devs+=("${members[$i]}")
	done
	must mdadm --assemble --readonly --run /dev/md1 "${devs[@]}"
	verify_rows md1 "without member $skip"
	must mdadm --stop /dev/md1
	log "reads checked without member $skip"
done

[ "$problems" = 0 ] || fail "$problems problems (see BAD lines)"
r5x_unload_all
no_llb_errors
log "ok"
