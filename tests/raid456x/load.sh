#!/bin/bash
# rig: personality=both mem=512 timeout=120
# raid456x loads and unloads with no arrays, twice; it refuses to load
# beside raid456 with a clear message, and raid456 cannot load beside it.
# It exports no symbols and carries none of raid456's aliases.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

must modprobe md-mod
for i in 1 2; do
	must modprobe raid456x
	grep -q 'raid5' /proc/mdstat || fail "raid5 not registered"
	grep -q 'raid4' /proc/mdstat || fail "raid4 not registered"
	must rmmod raid456x
done
must modprobe raid456x
must_fail modprobe raid456
must rmmod raid456x
must modprobe raid456
must_fail modprobe raid456x
dmesg_has 'raid456x: RAID level [45] is already provided' ||
	fail "no clear conflict message"
must rmmod raid456
ko=$(modinfo -n raid456x) || fail "modinfo"
if modinfo -F alias raid456x | grep -Eq 'md-(level-|raid)[456]|^raid[456]$'; then
	fail "raid456x carries raid456 aliases: $(modinfo -F alias raid456x)"
fi
if grep -q '\[raid456x\]' /proc/kallsyms && grep -E ' (raid5_|r5c_|r5l_)' /proc/kallsyms | grep -q '\[raid456x\]'; then
	fail "raid456x symbol names clash with raid456"
fi
log "module $ko ok"
