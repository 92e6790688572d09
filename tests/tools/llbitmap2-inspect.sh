#!/bin/bash
# rig: mem=1536 timeout=600
# tools/llbitmap2-inspect against a real lockless bitmap: create a RAID-5
# with mdadm --bitmap=lockless on md-llbitmap2, write, stop, and check that
# the offline counts of every member equal the kernel's llbitmap/bits; the
# text map, JSON and PNG outputs; and that a corrupted state byte (exit 1)
# and a truncated image (exit 2) are reported.
. /tests/lib.sh

command -v llbitmap2-inspect >/dev/null || fail "llbitmap2-inspect is not in the guest"
must modprobe md-mod
must modprobe raid456
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"
mkloops 4 64
FILES=()
for l in "${LOOPS[@]}"; do FILES+=("$(loop_file "$l")"); done

must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless "${LOOPS[@]}"
md_wait_idle md0
BITS=/sys/block/md0/md/llbitmap/bits
[ -r $BITS ] || fail "no $BITS"
echo 1 >/sys/block/md0/md/llbitmap/daemon_sleep 2>/dev/null || true
echo 1 >/sys/block/md0/md/llbitmap/barrier_idle 2>/dev/null || true

# before any write: every member agrees with the kernel
cat $BITS >/tmp/bits.0
must mdadm --stop /dev/md0
for f in "${FILES[@]}"; do
	llbitmap2-inspect "$f" >/tmp/out || fail "inspect $f: exit $?"
	sed -n '/^unwritten /,/^clean unwritten /p' /tmp/out >/tmp/bits.off
	cmp -s /tmp/bits.0 /tmp/bits.off || {
		cat /tmp/out; fail "$f: offline bits differ from sysfs ($(tr '\n' , </tmp/bits.0))"; }
done
cat /tmp/out

must mdadm --assemble /dev/md0 "${LOOPS[@]}"
md_wait_idle md0
echo 1 >/sys/block/md0/md/llbitmap/daemon_sleep 2>/dev/null || true
echo 1 >/sys/block/md0/md/llbitmap/barrier_idle 2>/dev/null || true
write_random /dev/md0 0 4096 a
write_random /dev/md0 40000 2048 b
# let the daemon and any first-write sync settle
for _ in $(seq 1 100); do
	grep -Eq '^(dirty|need sync|syncing|need sync unwritten|syncing unwritten) [1-9]' $BITS || break
	sleep 0.5
done
md_wait_idle md0
sleep 3
cat $BITS >/tmp/bits.1
log "sysfs bits: $(tr '\n' , </tmp/bits.1)"
must mdadm --stop /dev/md0
for f in "${FILES[@]}"; do
	llbitmap2-inspect "$f" >/tmp/out || fail "inspect $f: exit $?"
	sed -n '/^unwritten /,/^clean unwritten /p' /tmp/out >/tmp/bits.off
	cmp -s /tmp/bits.1 /tmp/bits.off || {
		cat /tmp/out; fail "$f: offline bits differ from sysfs after writes"; }
done
grep -q '^clean 0$' /tmp/bits.1 && grep -q '^clean unwritten 0$' /tmp/bits.1 &&
	fail "no chunk became clean after the writes"
f=${FILES[1]}
n=$(sed -n 's/^  chunks: //p' /tmp/out)
[ "$n" -gt 0 ] || fail "no chunk count"

# map: n characters in total, 64 per line
llbitmap2-inspect --map "$f" >/tmp/map || fail "map exit $?"
chars=$(sed -n '/^legend:/,$p' /tmp/map | tail -n +2 | awk '{ s += length($2) } END { print s }')
expect_eq "$chars" "$n" "map characters"
sed -n '/^legend:/,$p' /tmp/map | head -5

# json
llbitmap2-inspect --json "$f" >/tmp/json || fail "json exit $?"
grep -q '"valid": true' /tmp/json || fail "json not valid: $(cat /tmp/json)"
grep -q "\"chunks\": $n," /tmp/json || fail "json chunks"

# png
llbitmap2-inspect --png /tmp/map.png "$f" >/dev/null || fail "png exit $?"
expect_eq "$(head -c 8 /tmp/map.png | od -An -tx1 | tr -d ' ')" 89504e470d0a1a0a "png signature"
log "png: $(stat -c %s /tmp/map.png) bytes"

# a corrupted state byte: chunk 3 gets 0x09
bm=$(sed -n 's/.*(bitmap at sector \([0-9]*\)).*/\1/p' /tmp/out)
[ -n "$bm" ] || fail "no bitmap sector in output"
cp "$f" /tmp/bad.img
printf '\x09' | dd of=/tmp/bad.img bs=1 seek=$((bm * 512 + 1024 + 3)) conv=notrunc status=none
llbitmap2-inspect /tmp/bad.img >/tmp/out 2>/tmp/err
expect_eq "$?" 1 "exit status with an invalid state byte"
grep -q '^invalid 1$' /tmp/out || fail "no 'invalid 1' line"
grep -q 'chunk=value 3=9' /tmp/err || fail "invalid byte not named: $(cat /tmp/err)"
# a truncated image
truncate -s $((bm * 512 + 600)) /tmp/bad.img
llbitmap2-inspect /tmp/bad.img >/tmp/out 2>/tmp/err
expect_eq "$?" 2 "exit status for a truncated image"
grep -q 'truncated' /tmp/err || fail "truncation not reported: $(cat /tmp/err)"
cat /tmp/err
rm -f /tmp/bad.img
log "ok"
