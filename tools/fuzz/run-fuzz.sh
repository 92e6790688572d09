#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzz llbitmap2-inspect with libFuzzer (clang, ASan + UBSan) for SECONDS
# (default 600).  Seeds: valid 1.0/1.1/1.2 images from the selftest
# generator.  usage: tools/fuzz/run-fuzz.sh [SECONDS] [WORKDIR]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
secs=${1:-600}
work=${2:-/tmp/llb-fuzz}
CC=${CC:-$(command -v clang-14 || command -v clang)}
mkdir -p "$work/corpus" "$work/artifacts"
# shellcheck disable=SC2046
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-o "$work/inspect-fuzz" "$HERE/inspect-fuzz.c" $(pkg-config --cflags --libs libpng)
python3 "$HERE/mkseeds.py" "$work/corpus"
cd "$work"
exec ./inspect-fuzz -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus"
