#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the build root: stage perf for the guest (RIG_PERF=1).
#   mkperf.sh SERIES STAGE BASE
# STAGE gets perf and the shared libraries it needs that BASE, the base
# archive's staging tree, lacks.  The guest unpacks this archive after
# the base, and a later file replaces an earlier one: it must only add.
set -euo pipefail
series=$1 stage=$2 have=$3
. "$(dirname "$0")/lib-stage.sh"

rm -rf "$stage"
mkdir -p "$stage"/{usr/bin,usr/sbin,usr/lib,usr/lib64}
# The base's usr-merge links, so that a library ldd names by /lib lands
# in usr/; they stay out of the archive (see mkguest).
ln -s usr/bin "$stage/bin"
ln -s usr/sbin "$stage/sbin"
ln -s usr/lib "$stage/lib"
ln -s usr/lib64 "$stage/lib64"

# Older Debian releases made /usr/bin/perf a script that runs perf_X.Y
# for the running kernel's X.Y: the guest gets what it would run, under
# the plain name, with no script in between.
perf=/usr/bin/perf
if [ "$(head -c 2 "$perf")" = '#!' ]; then
	perf=/usr/bin/perf_$series
fi
copy_bin "$perf"
perf=$(readlink -f "$perf")
[ "$perf" = /usr/bin/perf ] || mv "$stage$perf" "$stage/usr/bin/perf"

# copy_bin left out the base's libraries; perf itself must be new too.
cd "$stage"
find usr ! -type d | while read -r f; do
	[ ! -e "$have/$f" ] || { echo "mkperf.sh: the base already has /$f" >&2; exit 1; }
done
