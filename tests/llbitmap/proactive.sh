#!/bin/bash
# rig: mem=1536 timeout=500
# proactive_sync turns every unwritten chunk into clean unwritten through
# a resync visible in /proc/mdstat; the raw parity is then valid
# everywhere (checked with r5parity, itself proven on a flipped byte); the
# states survive stop/assemble; a write to clean unwritten goes to dirty
# with no resync.  On a degraded array the request fails, changing nothing.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

need_r5parity
llb_modules
mkloops 4 64
# Garbage in every member: parity must really be built, not inherited.
fill_garbage 64 "${LOOPS[@]}"
llb_create md0 5 4 --chunk=64
n=$(chunks md0)
fast_daemon md0
write_random /dev/md0 0 512 a
wait_settled md0
cl=$(bits md0 clean)
unw=$(bits md0 unwritten)
log "before: $(bits_line md0)"

echo 3000 >/sys/block/md0/md/sync_speed_max
echo 1 >/sys/block/md0/md/llbitmap/proactive_sync || fail "proactive_sync refused"
log "requested: $(bits_line md0)"
seen=0
for i in $(seq 1 100); do
	grep -Eq 'resync *=' /proc/mdstat && { seen=1; break; }
	sleep 0.1
done
[ $seen = 1 ] || fail "no progress in /proc/mdstat"
grep -A3 '^md0' /proc/mdstat | sed 's/^/    /'
echo system >/sys/block/md0/md/sync_speed_max
wait_bits md0 "clean unwritten" "$unw" 300
expect_bits md0 unwritten 0
expect_bits md0 clean "$cl"
md_wait_idle md0
must mdadm --stop /dev/md0

# Parity of the raw members is valid everywhere.
parity_clean "${LOOPS[@]}"
log "raw parity valid on all $(geom_get member_sectors "${LOOPS[@]}") member sectors"
# The checker sees a single flipped byte in a member's data area.
doff=$(r5parity --print-geometry "${LOOPS[@]}" | sed -n 's/^slot 1: .* data_offset=\([0-9]*\).*/\1/p')
msect=$(geom_get member_sectors "${LOOPS[@]}")
[ -n "$doff" ] && [ -n "$msect" ] || fail "no geometry"
off=$(( (doff + msect / 2) * 512 + 77 ))
flip_byte "${LOOPS[1]}" "$off"
rc=0
drop_caches "${LOOPS[@]}"
r5parity --quiet "${LOOPS[@]}" >/dev/null 2>&1 || rc=$?
expect_eq "$rc" 1 "r5parity after a flipped byte"
flip_byte "${LOOPS[1]}" "$off"
parity_clean "${LOOPS[@]}"

# The new states survive reassembly.
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
md_wait_idle md0
expect_bits md0 "clean unwritten" "$unw"
expect_bits md0 clean "$cl"
fast_daemon md0
# A write to clean unwritten: dirty, no need sync, no resync.
resyncs=$(dmesg | grep -c 'md: resync of RAID array md0')
bo=$(( $(dev_sectors /dev/md0) / 2 - 4096 ))
write_random /dev/md0 "$bo" 4 b
log "after a write to clean unwritten: $(bits_line md0)"
[ "$(bits md0 dirty)" -gt 0 ] || fail "no dirty chunk"
expect_bits md0 "need sync" 0
wait_bits md0 dirty 0 30
sleep 1
expect_eq "$(dmesg | grep -c 'md: resync of RAID array md0')" "$resyncs" "resyncs after the write"
verify_random /dev/md0 0 a
verify_random /dev/md0 "$bo" b

# Degraded: refused with a clear error, nothing changes.
must mdadm /dev/md0 --fail "${LOOPS[3]}"
snap=$(cat /sys/block/md0/md/llbitmap/bits)
if err=$(echo 1 2>&1 >/sys/block/md0/md/llbitmap/proactive_sync); then
	fail "proactive_sync accepted on a degraded array"
fi
log "degraded: $err"
dmesg_has 'md0: proactive_sync refused: the array is degraded' || fail "no clear message"
sleep 1
expect_eq "$(cat /sys/block/md0/md/llbitmap/bits)" "$snap" "states after a refused request"
must mdadm --stop /dev/md0
parity_clean --missing 3 --range 0:$((msect / 2)) "${LOOPS[@]}" 2>/dev/null || true
no_llb_errors
log "ok"
