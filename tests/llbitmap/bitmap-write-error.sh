#!/bin/bash
# rig: mem=1536 timeout=400
# Issue 16 item 10: a bitmap write that fails is reported, naming the
# array and the member, and handled as md handles a failed superblock
# write: md_error on that member.  The array goes on degraded, every
# acknowledged write reads back, and the member's chunks are marked for
# its return.  When the bitmap can be written on no member at all, the
# kernel says so ("bitmap io error", in dmesg and in md/llbitmap/bits)
# and no write is acknowledged without its state on disk.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh
. /tests/llbitmap/lib-crash.sh

command -v llbitmap2-inspect >/dev/null || fail "llbitmap2-inspect is not in the guest"
llb_modules
crash_members 4 64
must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless --assume-clean "${MEMBERS[@]}"
md_wait_idle md0
fast_daemon md0
write_big /dev/md0 0 1024 a
wait_settled md0

# bm_error I: member I returns EIO for writes (and reads) of its bitmap area.
bm_error() {
	local i=$1 d=${MEMBERS[$1]} bm res sz
	bm=$(llbitmap2-inspect "${LOOPS[$i]}" | sed -n 's/.*(bitmap at sector \([0-9]*\)).*/\1/p')
	res=$(llbitmap2-inspect "${LOOPS[$i]}" | sed -n 's/^  sectors_reserved: //p')
	[ -n "$bm" ] && [ -n "$res" ] || fail "no bitmap position on ${LOOPS[$i]}"
	sz=$(dev_sectors "${LOOPS[$i]}")
	must dmsetup suspend "llbc$i"
	printf '%s\n' "0 $bm linear ${LOOPS[$i]} 0" \
		"$bm $res error" \
		"$((bm + res)) $((sz - bm - res)) linear ${LOOPS[$i]} $((bm + res))" |
		dmsetup load "llbc$i" || fail "load error table on llbc$i"
	must dmsetup resume "llbc$i"
	log "member $i: bitmap area (sector $bm, $res sectors) fails"
}

# 1. one member
drop_caches "${LOOPS[@]}"
bm_error 1
dm1="dm-$(dmsetup info -c --noheadings -o minor llbc1 | tr -d " ")"
write_random /dev/md0 40000 64 b 4
dmesg_has "md-llbitmap2: md0: bitmap write to $dm1 failed" ||
	fail "no message naming md0 and $dm1"
mdadm --detail /dev/md0 | grep -Eq 'faulty +/dev/(mapper/llbc1|'"$dm1"')' ||
	{ mdadm --detail /dev/md0; fail "member 1 not failed"; }
expect_eq "$(md_sysfs md0 degraded)" 1 "degraded members"
write_random /dev/md0 60000 64 c 4
log "degraded: $(bits_line md0)"
[ "$(bits md0 'need sync')" -gt 0 ] || fail "no chunk marked for the member's return"
verify_big /dev/md0 0 a
verify_random /dev/md0 40000 b
verify_random /dev/md0 60000 c
log "one member: reported, failed, data exact"

# 2. every remaining member: the state cannot be made durable anywhere
for i in 0 2 3; do bm_error "$i"; done
rc=0
timeout 120 dd if=/dev/urandom of=/dev/md0 bs=4k seek=30000 count=1 oflag=direct \
	conv=fsync status=none 2>/tmp/dd.err || rc=$?
log "write with no writable bitmap: dd exit $rc ($(tr '\n' ' ' </tmp/dd.err))"
[ "$rc" = 124 ] && fail "the write hung"
[ "$rc" != 0 ] || fail "a write was acknowledged with its state on no disk"
dmesg_has 'md-llbitmap2: md0: bitmap io error' || fail "no 'bitmap io error' message"
grep -q 'bitmap io error' /sys/block/md0/md/llbitmap/bits ||
	fail "bits: $(cat /sys/block/md0/md/llbitmap/bits)"
mdadm --stop /dev/md0 >/dev/null 2>&1 || true
cleanup_members
log "ok"
