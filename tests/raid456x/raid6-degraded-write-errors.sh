#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# RAID-6 write errors on a degraded array.  Five members behind
# device-mapper, parity-last (data chunks on members 0-2, P on 3, Q on 4),
# 64 KiB chunks, so row r is array r*192 KiB and member sectors r*128
# after the data offset.  Each case writes 4 KiB into data chunk 1 (member
# 1), 8 KiB into the row; a write must fail (EIO) exactly when its data
# can be neither stored nor rebuilt, and a write that succeeded must read
# back, after a restart and after the failed members are recovered.
# One member (0) failed:
#  A1. member 1's write fails: the data rebuilds from P and Q: success;
#  B1. P's write fails: success, and member 0's block still rebuilds (Q);
#  C1. P is unreadable: member 0's block comes from Q: success.
#  After recovery onto member 0, which rewrites the recorded blocks from
#  the others, P and Q are right everywhere (r5parity).
# Two members (0 and 2) failed:
#  A2. member 1's write fails: no copy and no rebuild: EIO;
#  B2. P's write fails: the data is stored on member 1: success;
#  C2. P's block is unreadable: P and Q cannot be computed: EIO;
#  D2. Q's write fails: the data is stored: success.
#  Blocks of members 0 and 2 in those stripes (and A2's) then have no copy
#  left and give EIO, never other data; after both are recovered, still
#  EIO (the recovery records them bad there); everything else reads back
#  exact and P and Q of every other row are right.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
modprobe dm-flakey
mkloops 5 8
dm_members r6w
must mdadm --create /dev/md0 --run --quiet --level=6 --raid-devices=5 \
	--chunk=64 --layout=parity-last --bitmap=none --assume-clean "${DMS[@]}"
doff=$(md_data_offset "${DMS[1]}")
[ -n "$doff" ] || fail "no data offset"
ROW_KB=192
NROWS=32
write_random /dev/md0 0 $((NROWS * ROW_KB)) all 64
# the expected array content, updated by every acknowledged write
cp /tmp/ref/all /tmp/expect
problems=0
ACKED=" "
bad() {
	echo "BAD: $*"
	problems=$((problems + 1))
}
bb() { cat "/sys/block/md0/md/dev-$(dm_kname "r6w$1")/bad_blocks"; }
# s ROW: member sector of row ROW's blocks at 8 KiB into the chunk
s() { echo $((doff + $1 * 128 + 16)); }
# row_fault ROW KIND: one row's member range for dm_faults
row_fault() { echo "$((doff + $1 * 128)) 128 $2"; }

degrade() {
	local i
	for i in "$@"; do
		must mdadm /dev/md0 --fail "${DMS[$i]}"
		must mdadm /dev/md0 --remove "${DMS[$i]}"
	done
	restart
}
# restart: no stripe cache, every read goes to the members left
restart() {
	local i devs=()
	for i in "${!DMS[@]}"; do
		[ -n "${GONE[$i]:-}" ] || devs+=("${DMS[$i]}")
	done
	must mdadm --stop /dev/md0
	must mdadm --assemble --run /dev/md0 "${devs[@]}"
}

# put CASE ROW WANT(ok|eio|either): 4 KiB into member 1's chunk of ROW.
put() {
	local off=$((($2 * ROW_KB + 64 + 8)))
	mkref "$1" 4
	if dd if="/tmp/ref/$1" of=/dev/md0 bs=4k seek=$((off / 4)) count=1 \
		oflag=direct status=none 2>/dev/null; then
		[ "$3" != eio ] || bad "$1: the write succeeded, but its data is neither stored nor rebuildable"
		dd if="/tmp/ref/$1" of=/tmp/expect bs=4k seek=$((off / 4)) count=1 \
			conv=notrunc status=none
		ACKED+="$1 "
	else
		[ "$3" != ok ] || bad "$1: the write failed, but its data can be stored"
	fi
}

# check_rows WHEN [ROW:CHUNKS]...: every row reads back as expected, except
# that the 4 KiB blocks at 8 KiB into the data chunks CHUNKS (as "0,2") of
# the rows given have no copy left and must give EIO (CHUNKS "-": the row
# is not checked).  One read of the array, one compare.
check_rows() {
	local when=$1 spec r k b want=() skip=" " got=()
	for spec in "${@:2}"; do
		r=${spec%%:*}
		if [ "${spec#*:}" = - ]; then
			skip+="$r "
			continue
		fi
		for k in $(tr , ' ' <<<"${spec#*:}"); do
			want+=($(((r * ROW_KB + k * 64 + 8) / 4)))
		done
	done
	read_blocks /dev/md0 $((NROWS * ROW_KB))
	for b in $(differing_blocks /tmp/expect); do
		case $skip in *" $((b * 4 / ROW_KB)) "*) continue ;; esac
		got+=("$b")
	done
	[ "$(printf '%s\n' "${got[@]}" | sort -n)" = "$(printf '%s\n' "${want[@]}" | sort -n)" ] ||
		bad "4 KiB blocks that differ ($when): ${got[*]:-none}, want ${want[*]:-none}"
	for b in "${want[@]}"; do
		unreadable /dev/md0 $((b * 4)) 4 ||
			bad "array $((b * 4)) KiB read without error ($when): no copy exists"
	done
}
# expect_eq2 OFF_KB LEN_KB WHAT: the array there holds /tmp/expect's bytes.
expect_eq2() {
	local got want
	got=$(sum_range /dev/md0 "$1" "$2") || true
	want=$(dd if=/tmp/expect bs=1k skip="$1" count="$2" status=none | cksum | cut -d' ' -f1,2)
	[ "$got" = "$want" ] || bad "$3 reads back wrong"
}

# recover I...: faults gone, members I... wiped and added back.
recover() {
	local i
	for i in 0 1 2 3 4; do dm_holes r6w $i; done
	for i in "$@"; do
		must mdadm --zero-superblock "${DMS[$i]}"
		must mdadm /dev/md0 --add "${DMS[$i]}"
		unset "GONE[$i]"
	done
	sleep 1
	md_wait_idle md0
	grep -q '\[5/5\]' /proc/mdstat || fail "not recovered: $(cat /proc/mdstat)"
}

# raw_parity [ROW...]: r5parity over the members (array stopped), rows
# given left out
raw_parity() {
	local r ranges=() from=0 out
	for r in "$@" $NROWS; do
		[ "$r" -gt "$from" ] && ranges+=("$((from * 128)):$(((r - from) * 128))")
		from=$((r + 1))
	done
	must mdadm --stop /dev/md0
	drop_caches "${LOOPS[@]}"
	for r in "${ranges[@]}"; do
		out=$(r5parity --max-report 3 --range "$r" "${LOOPS[@]}" 2>&1) ||
			bad "r5parity --range $r: $out"
	done
	must mdadm --assemble /dev/md0 "${DMS[@]}"
}

declare -A GONE=([0]=1)
degrade 0
grep -q '\[5/4\]' /proc/mdstat || fail "array not degraded"
expect_eq "$(bb 1)$(bb 3)$(bb 4)" "" "bad blocks before the faults"
dm_faults r6w 1 $(row_fault 4 wfail)
dm_faults r6w 3 $(row_fault 8 wfail) $(row_fault 12 error)

log "one member failed: A1, B1, C1 succeed"
put A1 4 ok
grep -qx "$(s 4) 8" <(bb 1) || bad "A1: no bad block at $(s 4) on member 1: $(bb 1)"
put B1 8 ok
grep -qx "$(s 8) 8" <(bb 3) || bad "B1: no bad block at $(s 8) on member 3: $(bb 3)"
put C1 12 ok
grep -qx "$(s 12) 8" <(bb 3) || bad "C1: no bad block at $(s 12) on member 3: $(bb 3)"
grep -q '\[5/4\]' /proc/mdstat || bad "a member was failed: $(grep -A2 md0 /proc/mdstat)"
check_rows "one failed, cached"
restart
check_rows "one failed, restarted"

log "member 0 recovered"
recover 0
check_rows "member 0 recovered"
log "bad blocks after the recovery: member 1: $(bb 1 | tr '\n' ' ') member 3: $(bb 3 | tr '\n' ' ')"
md_check md0
raw_parity

log "two members failed: A2 and C2 fail, B2 and D2 succeed"
GONE=([0]=1 [2]=1)
degrade 0 2
grep -q '\[5/3\]' /proc/mdstat || fail "array not degraded by two"
dm_faults r6w 1 $(row_fault 16 wfail)
# C2: only the written block's P is unreadable (with members 0 and 2
# gone, an unreadable P takes their blocks beside it along)
dm_faults r6w 3 $(row_fault 20 wfail) "$(s 24)" 8 error
dm_faults r6w 4 $(row_fault 28 wfail)
put A2 16 eio
grep -qx "$(s 16) 8" <(bb 1) || bad "A2: no bad block at $(s 16) on member 1: $(bb 1)"
put B2 20 ok
grep -qx "$(s 20) 8" <(bb 3) || bad "B2: no bad block at $(s 20) on member 3: $(bb 3)"
put C2 24 eio
grep -qx "$(s 24) 8" <(bb 3) || bad "C2: no bad block at $(s 24) on member 3: $(bb 3)"
put D2 28 ok
grep -qx "$(s 28) 8" <(bb 4) || bad "D2: no bad block at $(s 28) on member 4: $(bb 4)"
grep -q '\[5/3\]' /proc/mdstat || bad "a member was failed: $(grep -A2 md0 /proc/mdstat)"
# B2's and D2's own blocks are stored on member 1: exact
expect_eq2 $((20 * ROW_KB + 72)) 4 "B2"
expect_eq2 $((28 * ROW_KB + 72)) 4 "D2"
restart
# the blocks of members 0 and 2 in those stripes have no copy left: EIO;
# so has A2's block on member 1 (recorded bad, its write failed); C2 wrote
# nothing, member 1 still holds the old data there
LOST="16:0,1,2 20:0,2 24:0,2 28:0,2"
check_rows "two failed, restarted" $LOST
expect_eq2 $((20 * ROW_KB + 72)) 4 "B2 (restarted)"
expect_eq2 $((28 * ROW_KB + 72)) 4 "D2 (restarted)"

log "members 0 and 2 recovered"
recover 0 2
check_rows "both recovered" $LOST
expect_eq2 $((20 * ROW_KB + 72)) 4 "B2 (recovered)"
expect_eq2 $((28 * ROW_KB + 72)) 4 "D2 (recovered)"
dmesg_has "raid456x:md0: sync: block at $((16 * 128 + 16)) is unreadable on three or more members" ||
	bad "no message about the lost blocks"
md_check md0
raw_parity 16 20 24 28

log "a write error while members 0 and 2 are recovered at once"
# recovery held near the start; E3 (row 30) fails on member 1, F3 (row 29)
# has no fault.  E3's data can be stored nowhere the array will trust
# (members 0 and 2 are not recovered there yet): EIO or, if it succeeds,
# it reads back.  F3 succeeds.  After the recovery every block of rows 29
# and 30 is its old or its acknowledged new data, or EIO, never other data.
GONE=([0]=1 [2]=1)
degrade 0 2
echo 1 >/proc/sys/dev/raid/speed_limit_min
echo 1 >/proc/sys/dev/raid/speed_limit_max
for i in 0 2; do
	must mdadm --zero-superblock "${DMS[$i]}"
	must mdadm /dev/md0 --add "${DMS[$i]}"
done
GONE=()
dm_faults r6w 1 $(row_fault 30 wfail)
sleep 1
grep -q recovery /proc/mdstat || bad "no recovery running: $(cat /proc/mdstat)"
cp /tmp/expect /tmp/expect.old
put F3 29 ok
put E3 30 either
echo 1000 >/proc/sys/dev/raid/speed_limit_min
echo 200000 >/proc/sys/dev/raid/speed_limit_max
md_wait_idle md0
dm_holes r6w 1
grep -q '\[5/5\]' /proc/mdstat || fail "not recovered: $(cat /proc/mdstat)"
# rows 29 and 30: a block that is neither old nor new must give EIO
read_blocks /dev/md0 $((NROWS * ROW_KB))
for b in $(grep -Fx -f <(differing_blocks /tmp/expect) <(differing_blocks /tmp/expect.old)); do
	[ $((b * 4 / ROW_KB)) = 29 ] || [ $((b * 4 / ROW_KB)) = 30 ] || continue
	unreadable /dev/md0 $((b * 4)) 4 && continue
	[ $((b * 4)) = $((30 * ROW_KB + 72)) ] &&
		[ "$(sum_range /dev/md0 $((b * 4)) 4)" = "$(sum_ref E3)" ] && continue
	bad "array $((b * 4)) KiB is neither its old nor its new data"
done
expect_eq2 $((29 * ROW_KB + 72)) 4 "F3 (recovered)"
# E3, if it was acknowledged, must read back too
case " $ACKED " in
*" E3 "*) log "E3 succeeded"; expect_eq2 $((30 * ROW_KB + 72)) 4 "E3 (recovered)" ;;
*) log "E3 failed (EIO)" ;;
esac
check_rows "recovered under a write error" $LOST 29:- 30:-
log "bad blocks: member 0: $(bb 0 | tr '\n' ' ') member 1: $(bb 1 | tr '\n' ' ') member 2: $(bb 2 | tr '\n' ' ')"

[ "$problems" = 0 ] || fail "$problems problems (see BAD lines)"
stop_all
for i in 0 1 2 3 4; do dmsetup remove "r6w$i" 2>/dev/null; done
r5x_unload_all
log "ok"
