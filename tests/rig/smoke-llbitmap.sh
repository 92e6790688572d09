#!/bin/bash
# rig: mem=1024 timeout=120
# md-llbitmap2 loads, registers "llbitmap" with md, and unloads.
. /tests/lib.sh

must modprobe md-mod
mkloops 1 16
must modprobe md-llbitmap2
grep -q '^md_llbitmap2 ' /proc/modules || fail "md_llbitmap2 not in /proc/modules"
modinfo md-llbitmap2 | grep -q '^filename:.*/updates/dkms/' ||
	fail "md-llbitmap2 was not loaded from updates/dkms"

# bitmap_type of an array lists every registered bitmap backend.
mdadm --create /dev/md9 --run --level=1 --raid-devices=1 --force \
	--bitmap=none --metadata=1.2 "${LOOPS[0]}" >/dev/null 2>&1 ||
	fail "create a probe array"
types=$(md_sysfs md9 bitmap_type)
log "bitmap_type: $types"
echo "$types" | grep -qw llbitmap || fail "llbitmap missing from bitmap_type: $types"
mdadm --stop /dev/md9 >/dev/null

must rmmod md_llbitmap2
grep -q '^md_llbitmap2 ' /proc/modules && fail "still loaded after rmmod"
# A second load proves unregistering left md's table clean.
must modprobe md-llbitmap2
must rmmod md_llbitmap2
log "ok"
