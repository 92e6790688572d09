#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test for tools/llbitmap2-inspect.c.
#
# An independent python3 generator writes synthetic md members (1.0, 1.1 and
# 1.2 superblocks) holding a version-6 lockless bitmap with known chunk
# states; the test checks the state counts (text, --json), the --map, the
# --png picture (decoded and sampled), and that every corrupted or truncated
# field gives a clear message and the documented exit status, never a crash.
#
# usage: tools/tests/inspect-selftest.sh [path-to-llbitmap2-inspect]
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
# shellcheck disable=SC2046
selftest_init inspect llbitmap2-inspect.c "$@" -- $(pkg-config --cflags --libs libpng)
LI=$BIN

# expect_msg DESC REGEX: the last run's stderr (or JSON) mentions REGEX
expect_msg() {
	if grep -Eq "$2" "$WORK/err" "$WORK/out"; then ok; else
		bad "$1: no message matching '$2'"; sed 's/^/    /' "$WORK/err" | head -5
	fi
}

# gen OUT [key=value ...]: write a member image; OUT.bits holds the expected
# "bits" lines, OUT.states the raw state bytes.
gen() {
	python3 "$HERE/mkllbimg.py" "$@"
}

bits_of() { sed -n '/^unwritten /,/^clean unwritten /p' "$1"; }

echo "llbitmap2-inspect selftest: $LI"

# ---- valid images: counts, json, map, png -------------------------------
for minor in 2 1 0; do
	img=$WORK/ok$minor.img
	gen "$img" minor=$minor || { bad "generator"; continue; }
	expect 0 "1.$minor valid" "$LI" "$img"
	bits_of "$WORK/out" >"$WORK/bits"
	cmp -s "$WORK/bits" "$img.bits" && ok || bad "1.$minor: counts differ: $(diff "$WORK/bits" "$img.bits" | head -4)"
	grep -q "^md superblock: version 1.$minor" "$WORK/out" && ok || bad "1.$minor: version line"
	grep -q '^  chunks: 8192$' "$WORK/out" && ok || bad "1.$minor: chunks line"
done

img=$WORK/ok2.img
expect 0 "json" "$LI" --json "$img"
python3 - "$WORK/out" "$img.bits" <<'EOF' && ok || bad "json content"
import json, sys
j = json.load(open(sys.argv[1]))
want = {l.rsplit(' ', 1)[0].replace(' ', '_'): int(l.rsplit(' ', 1)[1]) for l in open(sys.argv[2])}
st = j['states']
assert all(st[k] == v for k, v in want.items()), (st, want)
assert st['invalid'] == 0 and j['valid'] is True and j['errors'] == []
assert j['bitmap']['version'] == 6 and j['geometry']['chunks'] == 8192
assert j['md']['metadata'] == '1.2' and j['md']['bitmap_sector'] == 16
EOF

expect 0 "map" "$LI" --map --width 100 "$img"
python3 - "$WORK/out" "$img.states" <<'EOF' && ok || bad "map content"
import sys
lines = open(sys.argv[1]).read().split('\n')
i = lines.index(next(l for l in lines if l.startswith('legend:')))
rows = [l for l in lines[i + 1:] if l]
chars = ''.join(r.split(' ', 1)[1] if r[0] == ' ' or r[0].isdigit() else '' for r in
                (r.lstrip() for r in rows))
st = open(sys.argv[2], 'rb').read()
m = '.=DNSnsu'
assert len(rows) == (len(st) + 99) // 100, len(rows)
assert chars == ''.join(m[b] for b in st), 'map mismatch'
EOF

expect 0 "json+map" "$LI" --json --map "$img"
python3 -c "
import json,sys; j=json.load(open('$WORK/out')); st=open('$img.states','rb').read()
assert j['map']==''.join('.=DNSnsu'[b] for b in st)" && ok || bad "json map"

# PNG: decode with zlib and sample the first cells' colours
check_png() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
st = open(sys.argv[2], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat = 8, b''
while pos < len(data):
    n, t = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if t == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif t == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and ctype == 2
raw = zlib.decompress(idat)
stride = w * 3
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - 3] if i >= 3 else 0
        b = prev[i]
        c = prev[i - 3] if i >= 3 else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
px = lambda x, y: tuple(rows[y][x * 3:x * 3 + 3])
colours = [(0xd4,0xd4,0xd4), (0x2c,0xa0,0x2c), (0xd6,0x27,0x28), (0xff,0x7f,0x0e),
           (0x1f,0x77,0xb4), (0xe8,0xc5,0x00), (0x17,0xbe,0xcf), (0xa6,0xe0,0x9a)]
# find the grid: first frame pixel (0x80 grey) scanning down column 10
gy = next(y for y in range(h) if px(10, y) == (0x80, 0x80, 0x80))
gx = 10
cols = 32
while cols < 512 and len(st) // cols > cols // 2: cols *= 2
cell = min(16, max(2, 768 // cols))
for k in list(range(0, min(len(st), 200))) + [len(st) - 1]:
    x, y = gx + 1 + (k % cols) * cell, gy + 1 + (k // cols) * cell
    assert px(x, y) == colours[st[k]], (k, px(x, y), st[k])
print("png %dx%d cell %d ok" % (w, h, cell))
EOF
}
expect 0 "png" "$LI" --png "$WORK/map.png" "$img"
check_png "$WORK/map.png" "$img.states" >/dev/null && ok || bad "png content"
gen "$WORK/small.img" size=4096 chunksize=128
expect 0 "png small" "$LI" --png "$WORK/small.png" "$WORK/small.img"
check_png "$WORK/small.png" "$WORK/small.img.states" >/dev/null && ok || bad "png small content"
# a large bitmap: 131072 chunks in 128 KiB (exactly the reservation)
gen "$WORK/big.img" size=16777216 chunksize=128 reserved=256 data_offset=2048 pattern=1,1,1,3,0
expect 0 "png big" "$LI" --png "$WORK/big.png" "$WORK/big.img"
expect_msg "boundary warning" 'past the .* reserved'
check_png "$WORK/big.png" "$WORK/big.img.states" >/dev/null && ok || bad "png big content"
# more than 512 x 4096 chunks: a cell covers several chunks
gen "$WORK/huge.img" size=$((2200000 * 8)) chunksize=8 reserved=4400 data_offset=4500 \
	pattern=zero set.5=3
expect 0 "png huge" "$LI" --png "$WORK/huge.png" "$WORK/huge.img"
python3 - "$WORK/huge.png" <<'EOF2' && ok || bad "png huge content"
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
w, h = struct.unpack('>II', d[16:24])
pos, idat = 8, b''
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8])
    if t == b'IDAT': idat += d[pos + 8:pos + 8 + n]
    pos += 12 + n
assert len(zlib.decompress(idat)) == h * (w * 3 + 1) and w <= 1100 and h <= 9000, (w, h)
EOF2
expect 1 "png unwritable" "$LI" --png /nonexistent/dir/x.png "$img"
expect_msg "png unwritable" 'cannot create'

# FIRST_USE: geometry computed as llbitmap_init would
gen "$WORK/first.img" state=8 chunksize=0 sync_size=0 daemon_sleep=0 pattern=zero size=2097152
expect 0 "first use" "$LI" "$WORK/first.img"
grep -q '^geometry (computed, FIRST_USE):' "$WORK/out" && ok || bad "first use geometry"
grep -q '^  chunksize: 128 sectors' "$WORK/out" && grep -q '^  chunks: 16384$' "$WORK/out" &&
	ok || bad "first use chunks"
expect_msg "first use" FIRST_USE
# states would spill past the reservation at 64 KiB: md-llbitmap2 doubles
gen "$WORK/first2.img" state=8 chunksize=0 sync_size=0 pattern=zero size=448000 \
	reserved=8 data_offset=64 chunks=1750
expect 0 "first use, boundary" "$LI" "$WORK/first2.img"
grep -q '^  chunksize: 256 sectors' "$WORK/out" && ok || bad "first use boundary chunksize"
expect_msg "first use boundary" 'md-llbitmap2 picks chunksize 256 sectors \(upstream llbitmap 128\)'

# ---- wrong fields: exit 1, parse continues ---------------------------------
gen "$WORK/e.img" set.5=9 set.700=200
expect 1 "invalid state bytes" "$LI" "$WORK/e.img"
grep -q '^invalid 2$' "$WORK/out" && ok || bad "invalid count line"
expect_msg "invalid state bytes" '2 chunk state bytes >= 8 .*5=9 700=200'
gen "$WORK/e.img" buuid=00112233445566778899aabbccddeeff
expect 1 "uuid mismatch" "$LI" "$WORK/e.img"; expect_msg "uuid" 'uuid .* differs'
gen "$WORK/e.img" chunksize=64 size=1048576 reserved=8 data_offset=64
expect 1 "chunksize too small" "$LI" "$WORK/e.img"; expect_msg "chunksize small" 'too small'
gen "$WORK/e.img" daemon_sleep=0
expect 1 "daemon_sleep 0" "$LI" "$WORK/e.img"; expect_msg "daemon" daemon_sleep
gen "$WORK/e.img" csum_delta=1
expect 1 "md checksum" "$LI" "$WORK/e.img"; expect_msg "csum" checksum
gen "$WORK/e.img" bsync_size=2000000 sync_size=2000000 chunksize=256
expect 1 "sync_size too big" "$LI" "$WORK/e.img"; expect_msg "sync" 'exceeds the component'
gen "$WORK/e.img" state=$((1 << 15))
expect 1 "hostendian" "$LI" "$WORK/e.img"; expect_msg "hostendian" HOSTENDIAN
gen "$WORK/e.img" data_offset=100
expect 1 "overlaps data" "$LI" "$WORK/e.img"; expect_msg "overlap" 'data area'
gen "$WORK/e.img" bevents=5 events=9
expect 0 "stale events (warning only)" "$LI" "$WORK/e.img"; expect_msg "stale" stale

# ---- unparseable: exit 2 ------------------------------------------------------
gen "$WORK/e.img" magic=0x12345678
expect 2 "bad magic" "$LI" "$WORK/e.img"; expect_msg "magic" 'no bitmap at sector 16'
gen "$WORK/e.img" version=4
expect 2 "classic bitmap" "$LI" "$WORK/e.img"; expect_msg "classic" classic
gen "$WORK/e.img" version=7
expect 2 "unknown version" "$LI" "$WORK/e.img"; expect_msg "version" 'unknown bitmap version 7'
gen "$WORK/e.img" chunksize=100
expect 2 "chunksize not pow2" "$LI" "$WORK/e.img"; expect_msg "pow2" 'power of 2'
gen "$WORK/e.img" chunksize=0
expect 2 "chunksize 0" "$LI" "$WORK/e.img"
gen "$WORK/e.img" feature=0
expect 2 "no bitmap feature" "$LI" "$WORK/e.img"; expect_msg "feature" 'no internal bitmap'
gen "$WORK/e.img" feature=1025
expect 2 "ppl" "$LI" "$WORK/e.img"; expect_msg "ppl" 'partial parity'
gen "$WORK/e.img" bitmap_offset=2000000000
expect 2 "bitmap offset beyond end" "$LI" "$WORK/e.img"; expect_msg "beyond" 'beyond the end'
gen "$WORK/e.img" bitmap_offset=-100
expect 2 "bitmap offset before start" "$LI" "$WORK/e.img"; expect_msg "before" 'before the start'
gen "$WORK/e.img" truncate=$((16 * 512 + 1024 + 3000))
expect 2 "truncated states" "$LI" "$WORK/e.img"; expect_msg "truncated" truncated
gen "$WORK/e.img" truncate=$((16 * 512 + 100))
expect 2 "truncated bitmap sb" "$LI" "$WORK/e.img"; expect_msg "truncated sb" truncated
expect 2 "truncated bitmap sb json" "$LI" --json "$WORK/e.img"
python3 -c "import json; j=json.load(open('$WORK/out')); assert not j['valid'] and j['errors']" &&
	ok || bad "json on fatal error"
expect 2 "no args" "$LI"
expect 2 "two devices" "$LI" "$img" "$img"
expect 2 "unknown option" "$LI" --frob "$img"
expect 2 "bad width" "$LI" --map --width 0 "$img"
expect 2 "missing file" "$LI" /nonexistent
expect 2 "directory" "$LI" /
: >"$WORK/empty"
expect 2 "empty file" "$LI" "$WORK/empty"
head -c 300000 /dev/urandom >"$WORK/garbage"
expect 2 "garbage" "$LI" "$WORK/garbage"; expect_msg "garbage" 'no md 1.x superblock'
expect 2 "wrong --metadata" "$LI" --metadata 1.1 "$img"

# ---- random corruption of the interesting bytes: never a crash ------------------
gen "$WORK/fz0.img" size=65536 chunksize=128 reserved=16 data_offset=64
crash=0
for i in $(seq 1 400); do
	cp "$WORK/fz0.img" "$WORK/fz.img"
	case $((i % 3)) in
	0) off=$((4096 + RANDOM % 260)) ;;      # md superblock
	1) off=$((8192 + RANDOM % 128)) ;;      # bitmap superblock
	2) off=$((8192 + 1024 + RANDOM % 600)) ;;  # states
	esac
	head -c $((1 + RANDOM % 8)) /dev/urandom |
		dd of="$WORK/fz.img" bs=1 seek=$off conv=notrunc 2>/dev/null
	[ $((i % 7)) = 0 ] && truncate -s $((RANDOM * 2)) "$WORK/fz.img"
	timeout 10 "$LI" --json --map --png "$WORK/fz.png" "$WORK/fz.img" >/dev/null 2>&1
	rc=$?
	if [ $rc -gt 2 ]; then
		bad "corruption run $i: exit $rc"; cp "$WORK/fz.img" /tmp/inspect-crash-$i.img
		crash=1
	fi
done
[ $crash = 0 ] && ok

selftest_done llbitmap2-inspect
