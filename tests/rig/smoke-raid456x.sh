#!/bin/bash
# rig: mem=1024 timeout=120 personality=both
# raid456x loads, registers levels 4 and 5, refuses to load beside raid456,
# and unloads cleanly.
. /tests/lib.sh

must modprobe md-mod
must modprobe raid456x
grep -q '^raid456x ' /proc/modules || fail "raid456x not loaded"
grep -q 'raid5' /proc/mdstat || fail "raid5 personality not listed: $(head -1 /proc/mdstat)"
# raid456 must now fail, as levels 4 and 5 are taken.
if modprobe raid456 2>/dev/null; then
	fail "raid456 loaded beside raid456x"
fi
must rmmod raid456x

# The other way round: raid456 holds level 5, raid456x must refuse clearly.
must modprobe raid456
must_fail modprobe raid456x
dmesg_has 'raid456x: RAID level 5 is already provided' ||
	fail "no clear conflict message: $(dmesg | tail -3)"
grep -q '^raid456x ' /proc/modules && fail "raid456x loaded beside raid456"
must rmmod raid456
must modprobe raid456x
must rmmod raid456x
log "ok"
