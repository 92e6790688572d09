#!/bin/bash
# rig: mem=1024 timeout=300
# Every llbitmap sysfs file refuses garbage, empty, huge and negative
# values with a clean error; proactive_sync on RAID-1 is -EINVAL; the
# array still assembles afterwards and keeps the last good values.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 4 64
llb_create md0 5 4 --chunk=64
d=/sys/block/md0/md/llbitmap

# refuse FILE VALUE: writing VALUE and a newline must fail with EINVAL
# (an empty value is the newline alone).
refuse() {
	local f=$1 v=$2 err
	if err=$(echo "$v" 2>&1 >"$d/$f"); then
		fail "$f accepted '$v'"
	fi
	echo "$err" | grep -q 'Invalid argument' || fail "$f '$v': $err"
}
for f in daemon_sleep barrier_idle; do
	for v in "" " " abc 0 -1 -5 1.5 5x 0x10 99999999999999999999 4294967296 86401 "1 2"; do
		refuse "$f" "$v"
	done
	echo 7 >"$d/$f" || fail "$f refused 7"
	expect_eq "$(cat "$d/$f")" 7 "$f after refusals"
done
for f in bits metadata; do
	if echo 1 2>/dev/null >"$d/$f"; then fail "$f is writable"; fi
done
if cat "$d/proactive_sync" >/dev/null 2>&1; then fail "proactive_sync is readable"; fi
expect_eq "$(cat "$d/bits" | wc -l)" 8 "lines of bits"
grep -q '^chunksize 128$' "$d/metadata" || fail "metadata: $(cat "$d/metadata")"
grep -q '^daemon_sleep 7$' "$d/metadata" || fail "metadata daemon_sleep"

must mdadm --stop /dev/md0
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
md_wait_idle md0
expect_eq "$(cat "$d/daemon_sleep")" 7 "daemon_sleep after reassembly"
expect_eq "$(cat "$d/barrier_idle")" 5 "barrier_idle (memory only) after reassembly"
must mdadm --stop /dev/md0

# RAID-1 with the lockless bitmap: proactive_sync is for parity only.
for l in "${LOOPS[@]}"; do mdadm --zero-superblock "$l"; done
must modprobe raid1
llb_create md1 1 2
if err=$(echo 1 2>&1 >/sys/block/md1/md/llbitmap/proactive_sync); then
	fail "proactive_sync accepted on RAID-1"
fi
echo "$err" | grep -q 'Invalid argument' || fail "RAID-1 proactive_sync: $err"
write_random /dev/md1 0 512 r1
verify_random /dev/md1 0 r1
must mdadm --stop /dev/md1
must mdadm --assemble /dev/md1 "${LOOPS[@]:0:2}"
verify_random /dev/md1 0 r1
must mdadm --stop /dev/md1
no_llb_errors
log "ok"
