# SPDX-License-Identifier: GPL-2.0
"""A dm-log-writes log, written from our own reading of the format (the
header of tools/logreplay.c), for the host self-test of logreplay."""
import struct

FLUSH, FUA, DISCARD, MARK = 1, 2, 4, 8
MAGIC = 0x6a736677736872


def encode(entries, bs):
    """entries: (sector, blocks, flags, payload), payload the mark's name
    or the written data; returns the log as bytes."""
    out = bytearray(struct.pack("<QQQI", MAGIC, 1, len(entries), bs))
    out += bytes(bs - len(out))
    for s, nr, fl, p in entries:
        hdr = struct.pack("<QQQQ", s, nr, fl, len(p) if fl & MARK else 0)
        if fl & MARK:
            hdr += p
        out += hdr + bytes(bs - len(hdr))
        if not fl & (MARK | DISCARD):
            out += p
    return bytes(out)
