#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side unit test for tools/r5parity.c.
#
# Builds synthetic RAID-4/5 member images (md 1.0/1.1/1.2 superblocks written
# by an independent python3 generator, with known random data and parity laid
# out per md's raid5_compute_sector), then checks:
#   clean set -> exit 0; one flipped byte -> exit 1 naming the right offset;
#   --read-array == the known array data for every layout, also degraded;
#   --reconstruct == the missing member's data area; --layout-map agrees with
#   the generator; garbage / truncated / inconsistent input -> exit 2, no crash.
#
# usage: tools/tests/r5parity-selftest.sh [path-to-r5parity]
# (without an argument it compiles tools/r5parity.c with -Werror first)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
selftest_init r5parity r5parity.c "$@"
R5=$BIN

# gen DIR NDISKS LEVEL LAYOUT CHUNK_SECTORS SIZE_SECTORS MINOR SEED
gen() {
	python3 - "$@" <<'EOF'
import os, random, struct, sys

d, nd, level, layout, chunk, size, minor, seed = sys.argv[1], *map(int, sys.argv[2:])
rnd = random.Random(seed)
os.makedirs(d, exist_ok=True)
dd = nd - 1

def parity(stripe):                  # straight from raid5_compute_sector
    if level == 4: return dd
    return {0: dd - stripe % nd, 1: stripe % nd, 2: dd - stripe % nd,
            3: stripe % nd, 4: 0, 5: dd}[layout]

def dslot(stripe, i):
    pd = parity(stripe)
    if level == 4 or layout == 5: return i
    if layout in (0, 1): return i + 1 if i >= pd else i
    if layout in (2, 3): return (pd + 1 + i) % nd
    return i + 1                     # parity-first

# slot order differs from dev_number order, and one extra spare
perm = list(range(nd)); rnd.shuffle(perm)
uuid = bytes(rnd.getrandbits(8) for _ in range(16))
cb = chunk * 512
nstripes = size // chunk
data = [bytearray(size * 512) for _ in range(nd)]
arr = bytearray()
for st in range(nstripes):
    par = 0
    for i in range(dd):
        blk = rnd.randbytes(cb)
        arr += blk
        s = dslot(st, i)
        data[s][st * cb:(st + 1) * cb] = blk
        par ^= int.from_bytes(blk, 'little')
    p = parity(st)
    data[p][st * cb:(st + 1) * cb] = par.to_bytes(cb, 'little')
open(os.path.join(d, 'array.bin'), 'wb').write(arr)

# the mapping of a few sectors, for --layout-map comparison
with open(os.path.join(d, 'map.txt'), 'w') as f:
    for s in sorted({0, 1, chunk - 1, chunk, 3 * chunk + 5, len(arr) // 512 - 1,
                     rnd.randrange(len(arr) // 512), rnd.randrange(len(arr) // 512)}):
        cn, off = divmod(s, chunk)
        st, i = divmod(cn, dd)
        f.write("%d %d %d %d\n" % (s, dslot(st, i), st * chunk + off, parity(st)))

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
    sb[32:32 + 10] = b'selftest:0'
    struct.pack_into('<QIIQII', sb, 64, 0x5f000000, level, layout, size + 3, chunk, nd)
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

# flip DIR SLOT BYTE: xor one byte of SLOT's data area; prints nothing
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

run_set() {
	local nd=$1 level=$2 layout=$3 chunk=$4 size=$5 minor=$6 seed=$7
	local d=$WORK/set-$nd-$level-$layout-$minor-$chunk tag slot s dslot msec pslot line
	tag="n=$nd level=$level layout=$layout chunk=$chunk 1.$minor"
	gen "$d" "$nd" "$level" "$layout" "$chunk" "$size" "$minor" "$seed" ||
		{ bad "$tag: generator"; return; }
	# shellcheck disable=SC2046
	set -- $(imgs "$d")

	expect 0 "$tag: clean check" "$R5" "$@"
	grep -q ' 0 mismatched' "$WORK/out" || bad "$tag: clean summary"
	expect 0 "$tag: geometry" "$R5" --print-geometry "$@" "$d/spare.img"
	grep -q "^layout: $layout" "$WORK/out" || [ "$level" = 4 ] || bad "$tag: layout line"
	grep -q "^raid_disks: $nd" "$WORK/out" || bad "$tag: raid_disks line"

	expect 0 "$tag: read-array full" "$R5" --read-array 0 0 "$d/out.bin" "$@"
	cmp -s "$d/out.bin" "$d/array.bin" || bad "$tag: read-array differs from known data"
	local plen=$((size * (nd - 1) / 3))
	expect 0 "$tag: read-array part" "$R5" --read-array 77 $plen "$d/part.bin" "$@"
	cmp -s "$d/part.bin" <(tail -c +$((77 * 512 + 1)) "$d/array.bin" | head -c $((plen * 512))) ||
		bad "$tag: read-array 77+$plen differs"

	for slot in $(seq 0 $((nd - 1))); do
		expect 0 "$tag: read-array missing $slot" "$R5" --missing "$slot" \
			--read-array 0 0 "$d/deg.bin" "$@"
		cmp -s "$d/deg.bin" "$d/array.bin" || bad "$tag: degraded read-array (slot $slot) differs"
		expect 0 "$tag: reconstruct $slot" "$R5" --missing "$slot" --reconstruct \
			"$d/rec.bin" "$@"
		cmp -s "$d/rec.bin" "$d/slot$slot.data" || bad "$tag: reconstructed slot $slot differs"
	done
	# a genuinely absent member
	expect 2 "$tag: absent member without --missing" "$R5" "${@:2}"
	grep -q 'use --missing' "$WORK/err" || bad "$tag: absent member message"

	while read -r s dslot msec pslot; do
		expect 0 "$tag: layout-map $s" "$R5" --layout-map "$s" "$@"
		line=$(cat "$WORK/out")
		case "$line" in
		*" data_slot=$dslot member_sector=$msec parity_slot=$pslot"*) ok ;;
		*) bad "$tag: layout-map $s: got '$line', want slot $dslot sector $msec parity $pslot" ;;
		esac
		# same answer from explicit geometry without devices
		expect 0 "$tag: layout-map explicit" "$R5" --layout-map "$s" --level "$level" \
			--layout "$layout" --chunk-sectors "$chunk" --raid-disks "$nd"
		grep -q " data_slot=$dslot member_sector=$msec parity_slot=$pslot" "$WORK/out" ||
			bad "$tag: explicit layout-map $s"
	done <"$d/map.txt"

	# one flipped byte in a data area -> exit 1 at that offset
	local byte=$(( (size / 2 + 13) * 512 + 77 ))
	flip "$d" $((nd - 1)) "$byte"
	expect 1 "$tag: flipped byte" "$R5" "$@"
	grep -q "byte=$byte " "$WORK/out" || bad "$tag: mismatch offset (want byte=$byte): $(head -1 "$WORK/out")"
	grep -q ' 1 mismatched 4 KiB block$' "$WORK/out" || bad "$tag: mismatch count"
	expect 1 "$tag: flipped byte quiet" "$R5" --quiet "$@"
	[ -s "$WORK/out" ] && bad "$tag: --quiet printed output"
	expect 0 "$tag: range excluding flip" "$R5" --range 0:$((size / 2)) "$@"
	expect 1 "$tag: range including flip" "$R5" --range $((size / 2)):0 "$@"
	rm -rf "$d"
}

echo "r5parity selftest: $R5"
seed=1
for nd in 3 4; do
	for layout in 0 1 2 3 4 5; do
		run_set $nd 5 $layout 128 2048 2 $seed
		seed=$((seed + 1))
	done
	run_set $nd 4 5 128 2048 2 $seed
	seed=$((seed + 1))
done
run_set 5 5 2 64 1024 0 100     # 1.0 metadata (superblock at the end)
run_set 4 5 0 256 2048 1 101    # 1.1 metadata
run_set 2 5 2 8 256 2 102       # smallest: 2 disks, 4 KiB chunk

# ---- error handling: never crash, always exit 2 with a message -------------
d=$WORK/errset
gen "$d" 3 5 2 128 1024 2 7 >/dev/null
set -- "$d/disk0.img" "$d/disk1.img" "$d/disk2.img"
expect 2 "no args" "$R5"
expect 2 "unknown option" "$R5" --bogus "$@"
expect 2 "bad range" "$R5" --range 5 "$@"
expect 2 "range beyond end" "$R5" --range 0:999999 "$@"
expect 2 "read-array beyond end" "$R5" --read-array 2040 100 "$d/x" "$@"
expect 2 "nonexistent file" "$R5" /nonexistent/foo
expect 2 "directory" "$R5" /
head -c 1000000 /dev/urandom >"$d/garbage"
expect 2 "garbage file" "$R5" "$d/garbage"
grep -q 'no md 1.x superblock' "$WORK/err" || bad "garbage message"
: >"$d/empty"
expect 2 "empty file" "$R5" "$d/empty"
cp "$d/disk1.img" "$d/trunc.img" && truncate -s 600K "$d/trunc.img"
expect 2 "truncated member" "$R5" "$d/disk0.img" "$d/trunc.img" "$d/disk2.img"
grep -q 'truncated' "$WORK/err" || bad "truncated message"
cp "$d/disk1.img" "$d/csum.img"
printf '\x07' | dd of="$d/csum.img" bs=1 seek=$((4096 + 76)) conv=notrunc 2>/dev/null
expect 2 "bad checksum" "$R5" "$d/disk0.img" "$d/csum.img" "$d/disk2.img"
grep -q 'checksum' "$WORK/err" || bad "checksum message"
gen "$d/other" 3 5 2 128 1024 2 8 >/dev/null
expect 2 "mixed arrays" "$R5" "$d/disk0.img" "$d/other/disk1.img" "$d/disk2.img"
grep -q 'uuid' "$WORK/err" || bad "uuid message"
expect 2 "duplicate member" "$R5" "$d/disk0.img" "$d/disk0.img" "$d/disk2.img"
expect 2 "two missing" "$R5" --missing 0 "$d/disk0.img"
# random corruption of the superblock area must never crash
for i in $(seq 1 300); do
	cp "$d/disk0.img" "$d/fz.img"
	head -c 16 /dev/urandom | dd of="$d/fz.img" bs=1 seek=$((4096 + RANDOM % 300)) \
		conv=notrunc 2>/dev/null
	"$R5" --quiet "$d/fz.img" "$d/disk1.img" "$d/disk2.img" >/dev/null 2>&1
	rc=$?
	if [ $rc -gt 2 ]; then bad "corrupted superblock run $i: exit $rc"; break; fi
done
ok

selftest_done r5parity
