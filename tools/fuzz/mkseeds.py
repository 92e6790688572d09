#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seed corpus for the llbitmap2-inspect fuzzer: small valid images."""
import os, subprocess, sys
here = os.path.dirname(os.path.abspath(__file__))
gen = os.path.join(here, '..', 'tests', 'mkllbimg.py')
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
seeds = {
    # 1.2: bitmap at sector 16, 512 chunks; image cut after the states
    'v12': ['minor=2', 'size=65536', 'chunksize=128', 'reserved=16', 'data_offset=64',
            'truncate=%d' % (16 * 512 + 1024 + 512)],
    'v12-first-use': ['minor=2', 'size=65536', 'state=8', 'chunksize=0', 'sync_size=0',
                      'reserved=16', 'data_offset=64', 'pattern=zero',
                      'truncate=%d' % (16 * 512 + 1024 + 512)],
    'v12-invalid': ['minor=2', 'size=16384', 'chunksize=128', 'reserved=8', 'data_offset=64',
                    'set.3=9', 'truncate=%d' % (16 * 512 + 1024 + 128)],
    'v11': ['minor=1', 'size=32768', 'chunksize=256', 'reserved=8', 'data_offset=32',
            'truncate=%d' % (8 * 512 + 1024 + 128)],
    'v10': ['minor=0', 'size=16', 'chunksize=8', 'reserved=8'],
}
for name, args in seeds.items():
    p = os.path.join(out, name)
    subprocess.check_call([sys.executable, gen, p] + args)
    for ext in ('.states', '.bits'):
        os.unlink(p + ext)
print("seeds:", ', '.join('%s (%d bytes)' % (n, os.path.getsize(os.path.join(out, n)))
                          for n in seeds))
