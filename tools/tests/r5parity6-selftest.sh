#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side unit test of tools/r5parity.c's RAID-6 support.
#
#  1. r5parity6-gf.c (r5parity.c compiled in): GF(2^8) field properties
#     (exhaustive), products and Q syndromes worked out by hand, and the row
#     solver restoring every one and two absent blocks for every layout.
#  2. Synthetic RAID-6 members from an independent python3 generator (its own
#     GF arithmetic by polynomial long division, its own transcription of
#     md's level-6 layouts and Q order) for every layout md accepts for
#     level 6, 4..9 members: clean -> exit 0; a planted byte in P, in Q and in
#     a data block -> exit 1 with syndrome=P / Q / both at that stripe and
#     byte; degraded sets verify what is left (and find the planted byte
#     through the remaining syndrome); two missing -> "nothing can be
#     verified"; --read-array and --reconstruct with one and two missing;
#     --layout-map (also from explicit geometry) agrees with the generator.
#
# usage: tools/tests/r5parity6-selftest.sh [path-to-r5parity]
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
selftest_init r5parity6 r5parity.c "$@"
R5=$BIN

gcc -O2 -Wall -Wextra -Werror -o "$WORK/gf" "$HERE/r5parity6-gf.c" ||
	{ echo "FAIL: build r5parity6-gf.c"; exit 1; }
expect 0 "GF(2^8) arithmetic and row solver" "$WORK/gf"
cat "$WORK/out"

# gen DIR NDISKS LAYOUT CHUNK_SECTORS SIZE_SECTORS MINOR SEED
gen() {
	python3 - "$@" <<'EOF'
import os, random, struct, sys

d, nd, layout, chunk, size, minor, seed = sys.argv[1], *map(int, sys.argv[2:])
rnd = random.Random(seed)
os.makedirs(d, exist_ok=True)
dd = nd - 2

def gmul(a, b):
    # carry-less product, then reduce by x^8+x^4+x^3+x^2+1 by long division
    p = 0
    for i in range(8):
        if b >> i & 1:
            p ^= a << i
    for bit in range(14, 7, -1):
        if p >> bit & 1:
            p ^= 0x11d << (bit - 8)
    return p

def g_pow(k):
    v = 1
    for _ in range(k):
        v = gmul(v, 2)
    return v

def row(st):
    """(P slot, Q slot, data slots in data order, ddf) as md's
    raid5_compute_sector places level 6"""
    n = nd
    if layout in (0, 1, 8, 9):
        if layout == 0: pd = n - 1 - st % n
        elif layout == 9: pd = n - 1 - (st + 1) % n
        else: pd = st % n
        if pd == n - 1:
            qd, ds = 0, [i + 1 for i in range(dd)]
        else:
            qd, ds = pd + 1, [i + 2 if i >= pd else i for i in range(dd)]
        return pd, qd, ds, layout >= 8
    if layout in (2, 3):
        pd = n - 1 - st % n if layout == 2 else st % n
        return pd, (pd + 1) % n, [(pd + 2 + i) % n for i in range(dd)], False
    if layout == 4:
        return 0, 1, [i + 2 for i in range(dd)], False
    if layout == 5:
        return n - 2, n - 1, list(range(dd)), False
    if layout == 10:
        pd = n - 1 - st % n
        return pd, (pd - 1) % n, [(pd + 1 + i) % n for i in range(dd)], True
    # 16..20: the RAID-5 layout (0..4) on the first n-1 slots, Q on the last
    r5 = layout - 16
    m = n - 1
    pd = {0: m - 1 - st % m, 1: st % m, 2: m - 1 - st % m, 3: st % m, 4: 0}[r5]
    if r5 in (0, 1): ds = [i + 1 if i >= pd else i for i in range(dd)]
    elif r5 in (2, 3): ds = [(pd + 1 + i) % m for i in range(dd)]
    else: ds = [i + 1 for i in range(dd)]
    return pd, n - 1, ds, False

def qexp(st):
    """slot -> exponent of {02} in Q: md's raid6_d0 / raid6_idx_to_slot"""
    pd, qd, ds, ddf = row(st)
    if ddf:
        return {s: s for s in ds}
    start = 0 if qd == nd - 1 else qd + 1
    e, k = {}, 0
    for j in range(nd):
        s = (start + j) % nd
        if s in (pd, qd): continue
        e[s] = k; k += 1
    return e

tables = {}
def mulblk(blk, c):
    if c not in tables:
        tables[c] = bytes(gmul(v, c) for v in range(256))
    return blk.translate(tables[c])

perm = list(range(nd)); rnd.shuffle(perm)
uuid = bytes(rnd.getrandbits(8) for _ in range(16))
cb = chunk * 512
nstripes = size // chunk
data = [bytearray(size * 512) for _ in range(nd)]
arr = bytearray()
with open(os.path.join(d, 'rows.txt'), 'w') as rf:
    for st in range(nstripes):
        pd, qd, ds, ddf = row(st)
        ex = qexp(st)
        assert sorted(ex) == sorted(ds)
        p = q = 0
        for i in range(dd):
            blk = rnd.randbytes(cb)
            arr += blk
            data[ds[i]][st * cb:(st + 1) * cb] = blk
            p ^= int.from_bytes(blk, 'little')
            q ^= int.from_bytes(mulblk(blk, g_pow(ex[ds[i]])), 'little')
        data[pd][st * cb:(st + 1) * cb] = p.to_bytes(cb, 'little')
        data[qd][st * cb:(st + 1) * cb] = q.to_bytes(cb, 'little')
        rf.write("%d %d %d %s\n" % (st, pd, qd, ' '.join(map(str, ds))))
open(os.path.join(d, 'array.bin'), 'wb').write(arr)

with open(os.path.join(d, 'map.txt'), 'w') as f:
    for s in sorted({0, 1, chunk - 1, chunk, 3 * chunk + 5, len(arr) // 512 - 1,
                     rnd.randrange(len(arr) // 512), rnd.randrange(len(arr) // 512)}):
        cn, off = divmod(s, chunk)
        st, i = divmod(cn, dd)
        pd, qd, ds, _ = row(st)
        f.write("%d %d %d %d %d\n" % (s, ds[i], st * chunk + off, pd, qd))

max_dev = nd + 1
for dev in range(max_dev):
    role = perm[dev] if dev < nd else 0xffff
    if minor == 0:
        data_offset = 0
        devsz = size + 64 + 16
        sb_start = (devsz - 16) & ~7
        data_size = sb_start
    else:
        sb_start = 0 if minor == 1 else 8
        data_offset = 2048
        devsz = data_offset + size + 24
        data_size = devsz - data_offset
    sb = bytearray(4096)
    struct.pack_into('<IIII', sb, 0, 0xa92b4efc, 1, 0, 0)
    sb[16:32] = uuid
    sb[32:32 + 10] = b'selftest:6'
    struct.pack_into('<QIIQII', sb, 64, 0x5f000000, 6, layout, size + 3, chunk, nd)
    struct.pack_into('<QQQQIi', sb, 128, data_offset, data_size, sb_start, 0, dev, 0)
    struct.pack_into('<QQQ', sb, 192, 0x5f000000, 42, 0xffffffffffffffff)
    struct.pack_into('<II', sb, 220, max_dev, 512)
    for k in range(max_dev):
        struct.pack_into('<H', sb, 256 + 2 * k, perm[k] if k < nd else 0xffff)
    sz = 256 + max_dev * 2
    csum = sum(struct.unpack_from('<%dI' % (sz // 4), sb, 0))
    if sz % 4: csum += struct.unpack_from('<H', sb, sz - 2)[0]
    csum = (csum & 0xffffffff) + (csum >> 32)
    struct.pack_into('<I', sb, 216, csum & 0xffffffff)
    img = bytearray(devsz * 512)
    img[sb_start * 512:sb_start * 512 + 4096] = sb
    if dev < nd:
        img[data_offset * 512:(data_offset + size) * 512] = data[role]
        open(os.path.join(d, 'slot%d.data' % role), 'wb').write(data[role])
        name = 'disk%d.img' % dev
    else:
        name = 'spare.img'
    open(os.path.join(d, name), 'wb').write(img)
    with open(os.path.join(d, 'roles.txt'), 'a') as f:
        f.write("%s %d %d\n" % (name, role, data_offset))
EOF
}

# flip DIR SLOT BYTE: xor one byte of SLOT's data area with 0x5a
flip() {
	local d=$1 slot=$2 byte=$3 img off
	read -r img _ off < <(awk -v s="$slot" '$2 == s' "$d/roles.txt")
	python3 - "$d/$img" $((off * 512 + byte)) <<'EOF'
import sys
f = open(sys.argv[1], 'r+b'); o = int(sys.argv[2]); f.seek(o)
b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0x5a]))
EOF
}

imgs() { ls "$1"/disk*.img | sort -r; }   # reversed: any order must work

# want_lines DESC PATTERN...: $WORK/out has exactly these mismatch lines, in order
want_lines() {
	local desc=$1 got want
	shift
	got=$(grep '^mismatch:' "$WORK/out" | sed 's/^mismatch: //')
	want=$(printf '%s\n' "$@")
	[ "$got" = "$want" ] && { ok; return; }
	bad "$desc: mismatch lines"
	echo "    got:  ${got//$'\n'/$'\n'          }"
	echo "    want: ${want//$'\n'/$'\n'          }"
}

run_set() {
	local nd=$1 layout=$2 chunk=$3 size=$4 minor=$5 seed=$6 pairs=$7
	local d=$WORK/set6-$nd-$layout-$minor-$chunk tag slot s dslot msec pslot qslot line
	local st pd qd ds x y byte rel sum
	tag="raid6 n=$nd layout=$layout chunk=$chunk 1.$minor"
	gen "$d" "$nd" "$layout" "$chunk" "$size" "$minor" "$seed" ||
		{ bad "$tag: generator"; return; }
	# shellcheck disable=SC2046
	set -- $(imgs "$d")

	expect 0 "$tag: clean check" "$R5" "$@"
	grep -q ' 0 mismatched 4 KiB blocks (P: 0, Q: 0)$' "$WORK/out" || bad "$tag: clean summary"
	expect 0 "$tag: geometry" "$R5" --print-geometry "$@" "$d/spare.img"
	grep -q "^level: 6$" "$WORK/out" || bad "$tag: level line"
	grep -q "^layout: $layout (" "$WORK/out" || bad "$tag: layout line"
	grep -q "^data_disks: $((nd - 2))$" "$WORK/out" || bad "$tag: data_disks line"
	grep -q "^array_sectors: $((size / chunk * chunk * (nd - 2)))$" "$WORK/out" ||
		bad "$tag: array_sectors line"

	expect 0 "$tag: read-array full" "$R5" --read-array 0 0 "$d/out.bin" "$@"
	cmp -s "$d/out.bin" "$d/array.bin" || bad "$tag: read-array differs from known data"

	# one missing: still clean, data and the member rebuilt
	for slot in $(seq 0 $((nd - 1))); do
		expect 0 "$tag: check missing $slot" "$R5" --missing "$slot" "$@"
		grep -q "^slot $slot missing: one syndrome left" "$WORK/out" &&
			grep -q ' 0 mismatched' "$WORK/out" || bad "$tag: missing $slot output"
		expect 0 "$tag: read-array missing $slot" "$R5" --missing "$slot" \
			--read-array 0 0 "$d/deg.bin" "$@"
		cmp -s "$d/deg.bin" "$d/array.bin" || bad "$tag: degraded read-array (slot $slot) differs"
		expect 0 "$tag: reconstruct $slot" "$R5" --missing "$slot" --reconstruct \
			"$d/rec.bin" "$@"
		cmp -s "$d/rec.bin" "$d/slot$slot.data" || bad "$tag: reconstructed slot $slot differs"
	done
	# two missing: every pair (or a sample), whatever the pair holds per row
	for x in $(seq 0 $((nd - 1))); do
		for y in $(seq $((x + 1)) $((nd - 1))); do
			[ "$pairs" = all ] || [ $(((x * 7 + y * 3 + seed) % 3)) = 0 ] || continue
			expect 0 "$tag: read-array missing $x+$y" "$R5" --missing "$y" \
				--missing "$x" --read-array 0 0 "$d/deg.bin" "$@"
			cmp -s "$d/deg.bin" "$d/array.bin" ||
				bad "$tag: read-array with slots $x and $y missing differs"
			expect 0 "$tag: reconstruct $y of $x+$y" "$R5" --missing "$y" \
				--missing "$x" --reconstruct "$d/rec.bin" "$@"
			cmp -s "$d/rec.bin" "$d/slot$y.data" ||
				bad "$tag: reconstructed slot $y (with $x missing) differs"
		done
	done
	expect 0 "$tag: check two missing" "$R5" --missing 0 --missing $((nd - 1)) "$@"
	grep -q "^slots 0 and $((nd - 1)) missing: no redundancy left, nothing can be verified$" \
		"$WORK/out" || bad "$tag: two-missing message"
	grep -q 'mismatched' "$WORK/out" && bad "$tag: two missing claims a checked result"
	expect 2 "$tag: three missing" "$R5" "${@:4}"
	grep -q 'RAID-6 cannot survive three missing members' "$WORK/err" ||
		bad "$tag: three missing message: $(cat "$WORK/err")"
	expect 2 "$tag: absent member without --missing" "$R5" "${@:2}"
	grep -q 'use --missing' "$WORK/err" || bad "$tag: absent member message"

	while read -r s dslot msec pslot qslot; do
		expect 0 "$tag: layout-map $s" "$R5" --layout-map "$s" "$@"
		line=$(cat "$WORK/out")
		case "$line" in
		*" data_slot=$dslot member_sector=$msec parity_slot=$pslot q_slot=$qslot "*) ok ;;
		*) bad "$tag: layout-map $s: got '$line', want $dslot $msec P $pslot Q $qslot" ;;
		esac
		expect 0 "$tag: layout-map explicit" "$R5" --layout-map "$s" --level 6 \
			--layout "$layout" --chunk-sectors "$chunk" --raid-disks "$nd"
		grep -q " data_slot=$dslot member_sector=$msec parity_slot=$pslot q_slot=$qslot$" \
			"$WORK/out" || bad "$tag: explicit layout-map $s: $(cat "$WORK/out")"
	done <"$d/map.txt"

	# planted bytes in one row: P, then Q, then a data block
	st=$(( (size / chunk) / 2 + seed % 3 ))
	read -r _ pd qd ds < <(awk -v s="$st" '$1 == s' "$d/rows.txt")
	read -r -a ds <<<"$ds"
	x=${ds[$(( ${#ds[@]} / 2 ))]}		# the data slot to corrupt
	y=${ds[0]}; [ "$y" = "$x" ] && y=${ds[1]}	# another data slot
	rel=$((st * chunk + chunk / 2))		# member sector of the flip
	byte=$((rel * 512 + 77))
	sum="member_sector=$rel block_sector=$((rel / 8 * 8)) byte=$byte stripe=$st parity_slot=$pd q_slot=$qd"

	flip "$d" "$pd" "$byte"
	expect 1 "$tag: flipped P" "$R5" "$@"
	want_lines "$tag: flipped P" "$sum syndrome=P"
	grep -q ' 1 mismatched 4 KiB block (P: 1, Q: 0)$' "$WORK/out" || bad "$tag: P summary"
	expect 0 "$tag: flipped P, P missing" "$R5" --missing "$pd" "$@"
	expect 1 "$tag: flipped P, Q missing" "$R5" --missing "$qd" "$@"
	want_lines "$tag: flipped P, Q missing" "$sum syndrome=P"
	expect 1 "$tag: flipped P, data missing" "$R5" --missing "$x" "$@"
	want_lines "$tag: flipped P, data missing" "$sum syndrome=Q"
	flip "$d" "$pd" "$byte"

	flip "$d" "$qd" "$byte"
	expect 1 "$tag: flipped Q" "$R5" "$@"
	want_lines "$tag: flipped Q" "$sum syndrome=Q"
	grep -q ' 1 mismatched 4 KiB block (P: 0, Q: 1)$' "$WORK/out" || bad "$tag: Q summary"
	expect 1 "$tag: flipped Q, P missing" "$R5" --missing "$pd" "$@"
	want_lines "$tag: flipped Q, P missing" "$sum syndrome=Q"
	expect 0 "$tag: flipped Q, Q missing" "$R5" --missing "$qd" "$@"
	flip "$d" "$qd" "$byte"

	flip "$d" "$x" "$byte"
	expect 1 "$tag: flipped data" "$R5" "$@"
	want_lines "$tag: flipped data" "$sum syndrome=P" "$sum syndrome=Q"
	grep -q ' 1 mismatched 4 KiB block (P: 1, Q: 1)$' "$WORK/out" || bad "$tag: data summary"
	expect 1 "$tag: flipped data quiet" "$R5" --quiet "$@"
	[ -s "$WORK/out" ] && bad "$tag: --quiet printed output"
	expect 0 "$tag: range before flip" "$R5" --range 0:"$rel" "$@"
	expect 1 "$tag: range from flip" "$R5" --range "$rel":0 "$@"
	expect 1 "$tag: flipped data, other data missing" "$R5" --missing "$y" "$@"
	want_lines "$tag: flipped data, other data missing" "$sum syndrome=Q"
	expect 1 "$tag: flipped data, P missing" "$R5" --missing "$pd" "$@"
	want_lines "$tag: flipped data, P missing" "$sum syndrome=Q"
	expect 1 "$tag: flipped data, Q missing" "$R5" --missing "$qd" "$@"
	want_lines "$tag: flipped data, Q missing" "$sum syndrome=P"
	expect 0 "$tag: flipped data, that slot missing" "$R5" --missing "$x" "$@"
	expect 0 "$tag: flipped data, two missing" "$R5" --missing "$pd" --missing "$qd" "$@"
	grep -q 'nothing can be verified' "$WORK/out" || bad "$tag: two missing after flip"
	flip "$d" "$x" "$byte"
	expect 0 "$tag: flipped back" "$R5" "$@"
	rm -rf "$d"
}

echo "r5parity RAID-6 selftest: $R5"
seed=1
for layout in 0 1 2 3 4 5 8 9 10 16 17 18 19 20; do
	nd=$((4 + seed % 5))			# 4..8 members
	chunk=$((8 << (seed % 3)))		# 4, 8, 16 KiB
	run_set $nd $layout $chunk $((chunk * (2 * nd + 3))) 2 $seed sample
	seed=$((seed + 1))
done
# every pair of missing members on a few, other member counts and metadata
run_set 4 2 8 $((8 * 11)) 2 100 all
run_set 6 10 16 $((16 * 13)) 0 101 all
run_set 9 9 8 $((8 * 20)) 1 102 all
run_set 5 18 8 $((8 * 12)) 2 103 all

# layouts md does not accept for level 6, and RAID-6 option errors
expect 2 "explicit layout 6" "$R5" --layout-map 0 --level 6 --layout 6 --raid-disks 5
expect 2 "explicit RAID-6 with 3 disks" "$R5" --layout-map 0 --level 6 --raid-disks 3
expect 2 "ddf layout for RAID-5" "$R5" --layout-map 0 --level 5 --layout ddf-N-restart \
	--raid-disks 5
expect 0 "layout name for RAID-6" "$R5" --layout-map 0 --level 6 --layout ddf-N-continue \
	--raid-disks 5
grep -q ' data_slot=0 member_sector=0 parity_slot=4 q_slot=3$' "$WORK/out" ||
	bad "ddf-N-continue row 0: $(cat "$WORK/out")"
expect 0 "layout-table RAID-6" "$R5" --layout-table 2 --level 6 --layout left-asymmetric \
	--raid-disks 5
[ "$(sed -n 2p "$WORK/out" | xargs)" = "0 Q D0 D1 D2 P" ] ||
	bad "layout-table row 0: $(sed -n 2p "$WORK/out")"
d=$WORK/bad6
gen "$d" 5 2 8 80 2 9 >/dev/null
cp "$d/disk0.img" "$d/l7.img"
python3 - "$d/l7.img" <<'EOF'
import struct, sys
f = open(sys.argv[1], 'r+b'); f.seek(4096); sb = bytearray(f.read(4096))
struct.pack_into('<I', sb, 76, 7)                  # layout 7: not valid for level 6
md = struct.unpack_from('<I', sb, 220)[0]; sz = 256 + md * 2
struct.pack_into('<I', sb, 216, 0)
c = sum(struct.unpack_from('<%dI' % (sz // 4), sb, 0))
if sz % 4: c += struct.unpack_from('<H', sb, sz - 2)[0]
struct.pack_into('<I', sb, 216, ((c & 0xffffffff) + (c >> 32)) & 0xffffffff)
f.seek(4096); f.write(sb)
EOF
expect 2 "invalid RAID-6 layout in the superblock" "$R5" "$d/l7.img"
grep -q 'invalid RAID-6 layout 7' "$WORK/err" || bad "invalid layout message: $(cat "$WORK/err")"

selftest_done "r5parity RAID-6"
