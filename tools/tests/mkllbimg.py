#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a synthetic md member image holding a version-6 lockless bitmap.

usage: mkllbimg.py OUT [key=value ...]
Writes OUT (sparse), OUT.states (raw state bytes) and OUT.bits (the expected
lines of the kernel's "bits" file).  Keys (integers accept 0x..):
  minor=0|1|2 size= chunksize= sync_size= bsync_size= reserved= state=
  version= magic= daemon_sleep= bevents= events= feature= level= buuid=HEX
  bitmap_offset= data_offset= devsz= truncate=BYTES csum_delta= chunks=
  pattern=mix|zero|A,B,C  set.N=V (chunk N gets byte V)
Used by tools/tests/inspect-selftest.sh and tools/fuzz/mkseeds.py.
"""
import struct, sys
out = sys.argv[1]
kv = dict(a.split('=', 1) for a in sys.argv[2:])
g = lambda k, d: int(kv[k], 0) if k in kv else d
minor = g('minor', 2)
size = g('size', 1048576)            # component size, sectors
chunksize = g('chunksize', 128)
sync_size = g('sync_size', size)
reserved = g('reserved', 256)
state = g('state', 0)
version = g('version', 6)
magic = g('magic', 0x6d746962)
daemon = g('daemon_sleep', 5)
bevents = g('bevents', 10)
events = g('events', 10)
feature = g('feature', 1)
pattern = kv.get('pattern', 'mix')
uuid = bytes(range(0x10, 0x20))
buuid = bytes.fromhex(kv['buuid']) if 'buuid' in kv else uuid
nchunks = g('chunks', (sync_size + chunksize - 1) // chunksize if chunksize else 0)

if pattern == 'mix':
    st = [(i * 7 + i // 13) % 8 for i in range(nchunks)]
elif pattern == 'zero':
    st = [0] * nchunks
else:                                 # explicit comma list, repeated
    p = [int(x) for x in pattern.split(',')]
    st = [p[i % len(p)] for i in range(nchunks)]
for k, v in kv.items():               # set.N=V overrides one chunk
    if k.startswith('set.'):
        st[int(k[4:])] = int(v, 0)

if minor == 0:
    data_offset = 0
    bm_sectors = max(reserved, 8)
    devsz = size + bm_sectors + 64
    sb_start = (devsz - 16) & ~7
    bitmap_offset = g('bitmap_offset', -bm_sectors)
    data_size = sb_start - bm_sectors
else:
    sb_start = 0 if minor == 1 else 8
    bitmap_offset = g('bitmap_offset', 8)
    data_offset = g('data_offset', sb_start + 8 + reserved + 8)
    devsz = data_offset + size
    data_size = size
devsz = g('devsz', devsz)

sb = bytearray(4096)
struct.pack_into('<IIII', sb, 0, 0xa92b4efc, 1, feature, 0)
sb[16:32] = uuid
sb[32:41] = b'inspect:0'
struct.pack_into('<QIIQIIi', sb, 64, 0, g('level', 5), 2, size, 1024, 4, bitmap_offset)
struct.pack_into('<QQQQIi', sb, 128, data_offset, data_size, sb_start, 0, 1, 0)
struct.pack_into('<QQQ', sb, 192, 0, events, 0xffffffffffffffff)
struct.pack_into('<II', sb, 220, 4, 512)
for k in range(4):
    struct.pack_into('<H', sb, 256 + 2 * k, k)
csum = sum(struct.unpack_from('<66I', sb, 0))
csum = (csum & 0xffffffff) + (csum >> 32)
struct.pack_into('<I', sb, 216, (csum + g('csum_delta', 0)) & 0xffffffff)

bsb = bytearray(256)
struct.pack_into('<II', bsb, 0, magic, version)
bsb[8:24] = buuid
struct.pack_into('<QQQIIIIII', bsb, 24, bevents, 0, g('bsync_size', sync_size), state,
                 chunksize, daemon, 0, reserved, 0)

# sparse image: only the superblock and the bitmap area are written
with open(out, 'wb') as f:
    f.truncate(devsz * 512)
    f.seek(sb_start * 512); f.write(sb)
    bm = (sb_start + bitmap_offset) * 512
    if 0 <= bm < devsz * 512:
        f.seek(bm); f.write(bsb + bytes(768) + bytes(st))
    f.truncate(min(devsz * 512, g('truncate', devsz * 512)))
open(out + '.states', 'wb').write(bytes(st))
labels = ["unwritten", "clean", "dirty", "need sync", "syncing",
          "need sync unwritten", "syncing unwritten", "clean unwritten"]
with open(out + '.bits', 'w') as f:
    for i, l in enumerate(labels):
        f.write("%s %d\n" % (l, sum(1 for s in st if s == i)))
