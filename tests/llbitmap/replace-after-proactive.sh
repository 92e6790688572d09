#!/bin/bash
# rig: mem=1536 timeout=600
# Proactive sync, then writes far from chunk 0, then a member replaced by
# a garbage-filled disk.  md's in-tree llbitmap resets the "clean
# unwritten" claim only if recovery looks at chunk 0, which it skips here;
# afterwards no chunk may claim parity it does not have: small writes into
# those chunks followed by another member failure must read back exact.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

need_r5parity
llb_modules
mkloops 5 64
dd if=/dev/urandom of="${LOOPS[4]}" bs=1M count=64 oflag=direct status=none || fail "fill spare"
llb_create md0 5 4 --chunk=64
n=$(chunks md0)
fast_daemon md0
echo 1 >/sys/block/md0/md/llbitmap/proactive_sync || fail "proactive_sync"
wait_bits md0 "clean unwritten" "$n" 300
md_wait_idle md0
# Far from chunk 0: the last quarter of the array.
size_kb=$(( $(dev_sectors /dev/md0) / 2 ))
far=$((size_kb * 3 / 4 / 64 * 64))
write_big /dev/md0 "$far" 1024 a
wait_settled md0
log "before the replace: $(bits_line md0)"
[ "$(bits md0 'clean unwritten')" -gt 0 ] || fail "no clean unwritten chunk left"

must mdadm /dev/md0 --add "${LOOPS[4]}"
must mdadm /dev/md0 --replace "${LOOPS[1]}" --with "${LOOPS[4]}"
sleep 1
md_wait_idle md0
wait_settled md0
log "after the replace: $(bits_line md0)"
expect_bits md0 "clean unwritten" 0
dmesg_has 'md0: recovery onto a member' || fail "no reset message"
verify_random /dev/md0 "$far" a

# Small writes into chunks that were clean unwritten, near chunk 0 too.
i=0
for o in 4 300 6000 20000; do
	write_random /dev/md0 "$o" 4 s$i
	i=$((i + 1))
done
sleep 2
# Another member fails: every read comes through parity where needed.
must mdadm /dev/md0 --fail "${LOOPS[2]}"
i=0
for o in 4 300 6000 20000; do
	verify_random /dev/md0 "$o" s$i
	i=$((i + 1))
done
verify_random /dev/md0 "$far" a
must mdadm --stop /dev/md0
no_llb_errors
log "ok"
