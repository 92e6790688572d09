#!/bin/bash
# rig: mem=1536 timeout=500
# About 10 % of the array written, then a member replaced: the recovery
# writes only a small fraction of the member, and the data is exact.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 5 512
llb_create md0 5 4 --chunk=64
fast_daemon md0
size_kb=$(( $(dev_sectors /dev/md0) / 2 ))
ten=$((size_kb / 10 / 64 * 64))
write_big /dev/md0 0 "$ten" a
wait_settled md0
log "settled: $(bits_line md0)"

msize_kb=$(( $(md_sysfs md0 component_size) ))
before=$(member_write_kb "${LOOPS[4]}")
must mdadm /dev/md0 --add "${LOOPS[4]}"
must mdadm /dev/md0 --replace "${LOOPS[1]}" --with "${LOOPS[4]}"
sleep 1
md_wait_idle md0
wait_settled md0
after=$(member_write_kb "${LOOPS[4]}")
kb=$(( ${after%.*} - ${before%.*} ))
log "replacement got $kb KiB of a $msize_kb KiB member"
[ "$kb" -lt $((msize_kb / 4)) ] || fail "replacement wrote $kb KiB (member $msize_kb KiB)"
[ "$kb" -gt $((ten / 3 / 2)) ] || fail "replacement wrote only $kb KiB"
mdadm --detail /dev/md0 | grep -Eq "^ +[0-9]+ +[0-9]+ +[0-9]+ +1 +active sync +${LOOPS[4]}\$" ||
	fail "replacement not active in slot 1: $(mdadm --detail /dev/md0 | tail -6)"
verify_big /dev/md0 0 a
md_check md0
# The new member holds correct data: lose another one.
must mdadm /dev/md0 --fail "${LOOPS[0]}"
verify_big /dev/md0 0 a
must mdadm --stop /dev/md0
no_llb_errors
log "ok"
