#!/bin/bash
# rig: mem=1536 timeout=600
# The guided demo (make demo), also run by make check: a lockless RAID-5
# on the in-tree raid456 with md-llbitmap2.  Create (no initial resync),
# write, fail a member and rebuild only what was written, then proactive
# sync.  Each step prints the bitmap states and checks them and the data.
. /tests/lib.sh

say() { printf '\n### %s\n' "$*"; }
bits() { sed 's/^/    /' /sys/block/md0/md/llbitmap/bits; }
count() { awk -v s="$1" '{ n = $NF; $NF = ""; sub(/ +$/, "") } $0 == s { print n }' /sys/block/md0/md/llbitmap/bits; }
sync_io() { awk '{ print $1 + 0 }' /sys/block/md0/md/sync_completed 2>/dev/null; }

say "modules: $(modinfo -F filename md-llbitmap2) (installed by dkms)"
must modprobe md-llbitmap2
must modprobe raid456
mkloops 5 128
say "mdadm $(mdadm --version 2>&1 | awk '{print $3}'): create a 4-member lockless RAID-5"
must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--bitmap=lockless "${LOOPS[@]:0:4}"
echo "    bitmap_type: $(md_sysfs md0 bitmap_type)"
sed -n '/^md0/,/^$/p' /proc/mdstat | sed 's/^/    /'
md_wait_idle md0
echo "    no initial resync: the bitmap says no chunk holds data yet"
bits
total=$(awk '{ s += $NF } END { print s }' /sys/block/md0/md/llbitmap/bits)
expect_eq "$(count unwritten)" "$total" "unwritten chunks after create"

say "write 24 MiB at 64 MiB: parity of those chunks is built on first write"
write_random /dev/md0 65536 24576 demo
md_wait_idle md0
bits
[ "$(count unwritten)" -lt "$total" ] || fail "no chunk left unwritten state"
verify_random /dev/md0 65536 demo

say "fail member 1 and replace it with a blank disk"
must mdadm /dev/md0 --fail "${LOOPS[1]}"
must mdadm /dev/md0 --remove "${LOOPS[1]}"
must mdadm /dev/md0 --add "${LOOPS[4]}"
md_wait_idle md0
sed -n '/^md0/,/^$/p' /proc/mdstat | sed 's/^/    /'
bits
verify_random /dev/md0 65536 demo
echo "    data verified after the rebuild"

# picture NAME: what the bitmap on member 0 says, read offline from the
# disk by llbitmap2-inspect: a text map here, and a PNG that scripts/demo
# copies out of the VM (base64 between RIG-FILE markers).
picture() {
	must mdadm --stop /dev/md0
	llbitmap2-inspect --map --width 64 "${LOOPS[0]}" | sed 's/^/    /' ||
		fail "llbitmap2-inspect on ${LOOPS[0]}"
	must llbitmap2-inspect --png "/tmp/$1.png" "${LOOPS[0]}" >/dev/null
	echo "RIG-FILE $1.png"
	base64 "/tmp/$1.png"
	echo "RIG-FILE-END"
	must mdadm --assemble /dev/md0 "${LOOPS[@]:0:1}" "${LOOPS[@]:2:3}"
	md_wait_idle md0
}

say "stop the array and read its bitmap offline (llbitmap2-inspect)"
picture before-proactive-sync
echo "    reassembled: the states survived the stop"
bits

say "proactive sync: build parity everywhere now, ahead of writes"
echo 1 >/sys/block/md0/md/llbitmap/proactive_sync || fail "proactive_sync"
md_wait_idle md0
bits
expect_eq "$(count unwritten)" 0 "unwritten chunks after proactive sync"
md_check md0
verify_random /dev/md0 65536 demo
say "done: check found mismatch_cnt $(md_mismatches md0)"
say "the bitmap after proactive sync, read offline"
picture after-proactive-sync
expect_eq "$(llbitmap2-inspect "${LOOPS[0]}" | awk '$1 == "unwritten" { print $2 }')" 0 \
	"unwritten chunks on disk after proactive sync"
must mdadm --stop /dev/md0
