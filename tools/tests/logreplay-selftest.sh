#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side unit test for tools/logreplay.c.
#
# A python3 generator (its own reading of the dm-log-writes format, block
# sizes 512 and 4096) writes a synthetic log of a workload: writes of
# random size, discards, flushes, FUA writes, writes that complete after a
# flush (logged only at the next one), and a mark after each "fsync".  It
# keeps a ledger of what was acknowledged at each mark.  Then:
#   - --list / --points show every entry with the right flags and marks;
#   - replaying up to each mark gives the device the ledger expects (the
#     checker reads every acknowledged block back), for --end-mark,
#     --end N and --end-flush K, and an incremental --start replay equals a
#     replay from the beginning;
#   - a planted loss is detected: the same workload with one acknowledged
#     write dropped from the log, and one whose model claims a write before
#     the flush that made it durable: the checker fails at the right mark;
#   - garbage, truncated and foreign logs give exit 2, a missing end point 1.
#
# The log writer is tools/tests/lwlog.py.
# usage: tools/tests/logreplay-selftest.sh [path-to-logreplay]
# (without an argument it compiles tools/logreplay.c with -Werror first)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
selftest_init logreplay logreplay.c "$@"
LR=$BIN

# gen DIR BLOCKSIZE SEED PLANT: writes DIR/log, DIR/initial (the device
# before logging), DIR/ledger (per mark: the blocks acknowledged by then and
# their contents' hashes) and DIR/expect-list (what --list must print).
# PLANT: none | drop (one acknowledged write is missing from the log) |
# early (the model acknowledges a write one mark before its flush).
gen() {
	PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$HERE python3 - "$@" <<'EOF'
import hashlib, json, os, random, sys
import lwlog

d, bs, seed, plant = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rnd = random.Random(seed)
os.makedirs(d, exist_ok=True)
NBLK = 256                      # device blocks
from lwlog import FLUSH, FUA, DISCARD, MARK

initial = bytearray(rnd.randbytes(NBLK * bs))
dev = bytearray(initial)        # what the device holds once all is durable
entries = []                    # (sector, nr, flags, payload)
ledger = []                     # [(mark, {block: sha})]
acked = {}                      # block -> sha of what was acknowledged
pending = []                    # completed, not yet flushed: (sector, data)
lines = []

def log(sector, nr, flags, payload=b""):
    entries.append((sector, nr, flags, payload))

def h(b):
    return hashlib.sha1(b).hexdigest()

dropped = None
early = None
for step in range(24):
    # a few writes complete; they reach the log at the next flush only
    batch = []
    for _ in range(rnd.randint(1, 4)):
        nr = rnd.randint(1, 9)
        s = rnd.randrange(0, NBLK - nr)
        data = rnd.randbytes(nr * bs)
        batch.append((s, data, nr))
    if rnd.random() < 0.3:
        nr = rnd.randint(1, 6)
        s = rnd.randrange(0, NBLK - nr)
        batch.append((s, None, nr))      # a discard
    late = None
    if rnd.random() < 0.3:
        # completes after the flush was issued: logged after it, durable
        # only at the next flush, so not acknowledged by this step's mark
        nr = rnd.randint(1, 3)
        late = (rnd.randrange(0, NBLK - nr), rnd.randbytes(nr * bs), nr)
    for s, data, nr in pending + batch:
        if data is None:
            log(s, nr, DISCARD)
        else:
            if plant == "drop" and step == 9 and dropped is None:
                dropped = s
            else:
                log(s, len(data) // bs, 0, data)
    log(0, 0, FLUSH)
    for s, data, nr in pending + batch:
        if data is None:
            # the device may now read zeros there; nothing acknowledged
            for b in range(s, s + nr):
                dev[b * bs:(b + 1) * bs] = bytes(bs)
                acked[b] = h(bytes(bs))
        else:
            dev[s * bs:s * bs + len(data)] = data
            for i in range(len(data) // bs):
                acked[s + i] = h(data[i * bs:(i + 1) * bs])
    pending = []
    if rnd.random() < 0.4:
        # a FUA write: durable (and acknowledged) once it completes
        nr = rnd.randint(1, 4)
        s = rnd.randrange(0, NBLK - nr)
        data = rnd.randbytes(nr * bs)
        log(s, nr, FUA, data)
        dev[s * bs:s * bs + len(data)] = data
        for i in range(nr):
            acked[s + i] = h(data[i * bs:(i + 1) * bs])
    if late:
        s, data, nr = late
        pending.append(late)
        if plant == "early" and early is None and step >= 5:
            # the model wrongly counts it as durable at this mark
            early = s
            for i in range(len(data) // bs):
                acked[s + i] = h(data[i * bs:(i + 1) * bs])
    name = "ack-%d" % step
    log(0, 0, MARK, name.encode())
    ledger.append((name, dict(acked)))
# the kernel closes every log with this mark
log(0, 0, MARK, b"dm-log-writes-end")

out = lwlog.encode(entries, bs)
for i, (s, nr, fl, p) in enumerate(entries):
    names = [n for n, b in (("FLUSH", 1), ("FUA", 2), ("DISCARD", 4), ("MARK", 8)) if fl & b]
    line = "%d sector=%d blocks=%d flags=%s" % (i, s, nr, "|".join(names) or "WRITE")
    if fl & MARK:
        line += " mark=" + p.decode()
    lines.append(line)
open(os.path.join(d, "log"), "wb").write(out)
open(os.path.join(d, "initial"), "wb").write(initial)
open(os.path.join(d, "final"), "wb").write(dev)
json.dump({"bs": bs, "ledger": ledger}, open(os.path.join(d, "ledger"), "w"))
open(os.path.join(d, "expect-list"), "w").write("\n".join(lines) + "\n")
EOF
}

# check DIR IMAGE MARK: every block acknowledged at MARK reads back from
# IMAGE as the ledger says; prints the first wrong block.
check() {
	python3 - "$@" <<'EOF'
import hashlib, json, sys

d, img, mark = sys.argv[1:]
led = json.load(open(d + "/ledger"))
bs = led["bs"]
data = open(img, "rb").read()
for name, blocks in led["ledger"]:
    if name != mark:
        continue
    for b, want in sorted(blocks.items(), key=lambda kv: int(kv[0])):
        b = int(b)
        if hashlib.sha1(data[b * bs:(b + 1) * bs]).hexdigest() != want:
            print("lost: block %s acknowledged at %s reads back different" % (b, mark))
            sys.exit(1)
    sys.exit(0)
print("no mark " + mark)
sys.exit(2)
EOF
}

# replay DIR IMG ARGS...: a fresh copy of the initial image, replayed
replay() {
	local dir=$1 img=$2
	shift 2
	cp "$dir/initial" "$img"
	"$LR" --replay "$img" "$@" "$dir/log"
}

for bs in 512 4096; do
	for seed in 1 2 3; do
		g=$WORK/g$bs-$seed
		gen "$g" "$bs" "$seed" none || { bad "generator $bs/$seed"; continue; }

		# listing, with the flags the generator wrote
		expect 0 "list bs=$bs seed=$seed" "$LR" --list "$g/log"
		sed 's/ flush=[0-9]*$//' "$WORK/out" >"$WORK/list"
		if cmp -s "$WORK/list" "$g/expect-list"; then ok; else
			bad "list bs=$bs seed=$seed differs"
			diff "$WORK/list" "$g/expect-list" | head -5
		fi
		expect 0 "points" "$LR" --points "$g/log"
		want=$(grep -cE 'FLUSH|FUA|MARK' "$g/expect-list")
		[ "$(wc -l <"$WORK/out")" = "$want" ] && ok ||
			bad "points: $(wc -l <"$WORK/out") lines, want $want"

		# every mark: replayed up to it, every acknowledged block is there
		marks=$(sed -n 's/.* mark=\(ack-[0-9]*\)$/\1/p' "$g/expect-list")
		for m in $marks; do
			replay "$g" "$WORK/img" --end-mark "$m" >/dev/null 2>&1 ||
				{ bad "replay to $m"; continue; }
			if check "$g" "$WORK/img" "$m" >"$WORK/out"; then ok; else
				bad "bs=$bs seed=$seed $m: $(cat "$WORK/out")"
			fi
		done
		# the whole log gives the final device
		replay "$g" "$WORK/img" || bad "full replay"
		cmp -s "$WORK/img" "$g/final" && ok || bad "full replay differs from the device"

		# --end N at a mark's index equals --end-mark
		m=$(echo "$marks" | sed -n 7p)
		idx=$(grep " mark=$m\$" "$g/expect-list" | cut -d' ' -f1)
		replay "$g" "$WORK/a" --end-mark "$m" || bad "end-mark $m"
		replay "$g" "$WORK/b" --end "$idx" || bad "end $idx"
		cmp -s "$WORK/a" "$WORK/b" && ok || bad "--end $idx differs from --end-mark $m"

		# --end-flush K stops at the K-th flush/FUA entry
		k=5
		idx=$(grep -E 'FLUSH|FUA' "$g/expect-list" | sed -n "${k}p" | cut -d' ' -f1)
		replay "$g" "$WORK/a" --end-flush "$k" || bad "end-flush $k"
		replay "$g" "$WORK/b" --end "$idx" || bad "end $idx"
		cmp -s "$WORK/a" "$WORK/b" && ok || bad "--end-flush $k differs from --end $idx"

		# incremental: replay to A, then A+1..B, equals a replay to B
		replay "$g" "$WORK/a" --end 10 >/dev/null || bad "end 10"
		"$LR" --replay "$WORK/a" --start 11 --end 40 "$g/log" || bad "start 11"
		replay "$g" "$WORK/b" --end 40 || bad "end 40"
		cmp -s "$WORK/a" "$WORK/b" && ok || bad "incremental replay differs"

		# discards replayed as zeros, or skipped on request
		d=$(grep -m1 DISCARD "$g/expect-list") && {
			idx=${d%% *}
			sec=$(echo "$d" | sed 's/.*sector=\([0-9]*\).*/\1/')
			nr=$(echo "$d" | sed 's/.*blocks=\([0-9]*\).*/\1/')
			replay "$g" "$WORK/a" --end "$idx" || bad "end $idx"
			z=$(dd if="$WORK/a" bs="$bs" skip="$sec" count="$nr" status=none | tr -d '\0' | wc -c)
			[ "$z" = 0 ] && ok || bad "discard at $sec+$nr not zero"
			replay "$g" "$WORK/b" --end "$idx" --discard skip || bad "discard skip"
			cmp -s <(dd if="$WORK/b" bs="$bs" skip="$sec" count="$nr" status=none) \
				<(dd if="$WORK/a" bs="$bs" skip="$sec" count="$nr" status=none) &&
				bad "--discard skip zeroed the range" || ok
		}
		# a replay onto a block-device-sized file that is too small is
		# fine for a file (it grows); missing end points are exit 1
		expect 1 "missing mark" replay "$g" "$WORK/a" --end-mark nosuch
		expect 1 "end past the log" replay "$g" "$WORK/a" --end 100000
		expect 1 "end-flush past the log" replay "$g" "$WORK/a" --end-flush 100000
	done

	# planted losses must be detected
	for plant in drop early; do
		g=$WORK/p$bs-$plant
		gen "$g" "$bs" 7 "$plant" || { bad "generator $plant"; continue; }
		found=
		for m in $(sed -n 's/.* mark=\(ack-[0-9]*\)$/\1/p' "$g/expect-list"); do
			replay "$g" "$WORK/img" --end-mark "$m" >/dev/null 2>&1 || bad "replay $m"
			if ! check "$g" "$WORK/img" "$m" >"$WORK/out"; then
				found="$m: $(cat "$WORK/out")"
				break
			fi
		done
		if [ -n "$found" ]; then
			ok
			echo "planted loss ($plant, bs=$bs) detected at $found"
		else
			bad "planted loss ($plant, bs=$bs) not detected"
		fi
	done
done

# --fua-last: dm-log-writes logs a FUA write when it completes and a plain
# write at the next flush, so a plain write W that completed before a FUA
# write F of the same blocks comes after F in the log.  Log (512-byte
# blocks, 32 of them, all 'i' at first):
#   0 F  blocks 10-11 'F' (FUA)       1 mark a
#   2 W  blocks 8-13  'W' (plain)     3 D  blocks 12-15 (discard)
#   4 FLUSH                           5 mark b
#   6 W2 blocks 10-11 '2' (plain; the previous FUA is an interval earlier)
#   7 FLUSH                           8 mark c
# In log order W overwrites F; with --fua-last it leaves 10-11 alone (the
# listing says shadowed=2 for W; D does not touch F and is applied whole),
# and W2, logged after a flush that followed F, overwrites F in both modes.
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$HERE python3 - "$WORK/fua" <<'EOF2'
import os, sys
import lwlog
from lwlog import FLUSH, FUA, DISCARD, MARK
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
bs = 512
ents = [(10, 2, FUA, b"F" * 2 * bs), (0, 0, MARK, b"a"),
        (8, 6, 0, b"W" * 6 * bs), (12, 4, DISCARD, b""), (0, 0, FLUSH, b""),
        (0, 0, MARK, b"b"), (10, 2, 0, b"2" * 2 * bs), (0, 0, FLUSH, b""),
        (0, 0, MARK, b"c")]
open(d + "/log", "wb").write(lwlog.encode(ents, bs))
open(d + "/initial", "wb").write(b"i" * 32 * bs)
EOF2
# blocks IMG: the 32 blocks as one character each (0 for zeros)
blocks() {
	python3 -c 'import sys; b = open(sys.argv[1], "rb").read()
print("".join(chr(b[i * 512]) if b[i * 512] else "0" for i in range(32)))' "$1"
}
fua_case() {
	local mode=$1 mark=$2 want=$3 got
	cp "$WORK/fua/initial" "$WORK/img"
	# shellcheck disable=SC2086
	"$LR" --replay "$WORK/img" $mode --end-mark "$mark" "$WORK/fua/log" ||
		{ bad "fua replay ${mode:-log order} to $mark"; return; }
	got=$(blocks "$WORK/img")
	[ "$got" = "$want" ] && ok || bad "${mode:-log order} at $mark: got $got, want $want"
}
fua_case "" a iiiiiiiiiiFFiiiiiiiiiiiiiiiiiiii
fua_case "" b iiiiiiiiWWWW0000iiiiiiiiiiiiiiii
fua_case --fua-last b iiiiiiiiWWFF0000iiiiiiiiiiiiiiii
fua_case --fua-last c iiiiiiiiWW220000iiiiiiiiiiiiiiii
# the listing names the shadowed entry, and only it
expect 0 "fua-last list" "$LR" --list --fua-last "$WORK/fua/log"
grep -q '^2 sector=8 blocks=6 flags=WRITE shadowed=2$' "$WORK/out" && ok ||
	bad "fua-last list: $(tr '\n' ';' <"$WORK/out")"
grep -c shadowed "$WORK/out" | grep -qx 1 && ok || bad "fua-last: more than one entry shadowed"
# an incremental replay (F before --start) follows the same rule
cp "$WORK/fua/initial" "$WORK/img"
"$LR" --replay "$WORK/img" --end 1 "$WORK/fua/log" &&
	"$LR" --replay "$WORK/img" --fua-last --start 2 --end-mark b "$WORK/fua/log" ||
	bad "incremental fua-last replay"
[ "$(blocks "$WORK/img")" = iiiiiiiiWWFF0000iiiiiiiiiiiiiiii ] && ok ||
	bad "incremental fua-last: $(blocks "$WORK/img")"

# bad input: exit 2, never a crash
g=$WORK/g512-1
expect 2 "no arguments" "$LR"
expect 2 "no action" "$LR" "$g/log"
expect 2 "no such log" "$LR" --list "$WORK/nosuch"
expect 2 "bad number" "$LR" --replay "$WORK/a" --end 12x "$g/log"
expect 2 "end-flush 0" "$LR" --replay "$WORK/a" --end-flush 0 "$g/log"
head -c 4096 /dev/urandom >"$WORK/garbage"
expect 2 "garbage log" "$LR" --list "$WORK/garbage"
head -c 20 "$g/log" >"$WORK/short"
expect 2 "log shorter than its super block" "$LR" --list "$WORK/short"
head -c $(( $(stat -c %s "$g/log") / 2 )) "$g/log" >"$WORK/trunc"
expect 2 "truncated log" "$LR" --list "$WORK/trunc"
# a version it does not know, and an impossible block size
python3 - "$g/log" "$WORK/v2" "$WORK/bs3" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
v = bytearray(b); v[8:16] = struct.pack("<Q", 2); open(sys.argv[2], "wb").write(v)
s = bytearray(b); s[24:28] = struct.pack("<I", 3000); open(sys.argv[3], "wb").write(s)
EOF
expect 2 "log version 2" "$LR" --list "$WORK/v2"
expect 2 "block size 3000" "$LR" --list "$WORK/bs3"
# an entry claiming more data than the log holds
python3 - "$g/log" "$WORK/huge" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[512 + 8:512 + 16] = struct.pack("<Q", 1 << 40)
open(sys.argv[2], "wb").write(b)
EOF
expect 2 "entry past the end" "$LR" --list "$WORK/huge"

selftest_done logreplay
