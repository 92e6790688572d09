#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# A repair meets a region of a member where every read and every write
# fails at once (dm-error completes the IO inside its submission, as a
# device that is gone does): each block there is rebuilt from the others,
# its rewrite fails and it is recorded bad; the data reads back exact.
# Then the member is failed and must be removable: no stripe may keep a
# reference to it.  raid456x before the fix wrote such a block twice in
# one round (the sync write, then the read-error rewrite) and lost the
# first write's nr_pending reference, one per stripe: "mdadm --remove"
# answered EBUSY for ever (found by random-ops raid456x seed 12).
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_fault_setup r5xs
array_kb=$(($(dev_sectors /dev/md0) / 2))
write_random /dev/md0 0 "$array_kb" a 192

# 256 KiB of member 1, rows 2 to 5
lo=$((doff + 256)) len=512
dm_faults r5xs 1 "$lo" "$len" error
log "repair over the failing region of member 1"
echo repair >/sys/block/md0/md/sync_action
md_wait_idle md0 300
grep -q '\[4/4\]' /proc/mdstat ||
	fail "member 1 left the array in the repair: $(grep -A2 ^md0 /proc/mdstat | tr '\n' ' ')"
bad=$(awk -v lo="$lo" -v hi=$((lo + len)) \
	'$1 >= lo && $1 < hi { n += $2 } END { print n + 0 }' "$m1/bad_blocks")
expect_eq "$bad" "$len" "bad sectors of member 1 in the failing region"
drop_caches /dev/md0
cmp <(dd if=/dev/md0 bs=1M iflag=direct status=none) \
	<(dd if=/tmp/ref/a bs=1M status=none) ||
	fail "the array after the repair differs from what was written"

log "member 1 failed and removed"
dm_load r5xs1 "0 $(dev_sectors "${LOOPS[1]}") linear ${LOOPS[1]} 0"
must mdadm /dev/md0 --fail "${DMS[1]}"
removed=
for _ in $(seq 1 50); do
	if mdadm /dev/md0 --remove "${DMS[1]}" >/dev/null 2>&1; then
		removed=1
		break
	fi
	sleep 0.2
done
[ -n "$removed" ] ||
	fail "member 1 cannot be removed: $(cat "$m1/state"); sync_action $(md_sysfs md0 sync_action)"

log "a spare rebuilds it"
must mdadm --zero-superblock --force "$SPARE"
must mdadm /dev/md0 --add "$SPARE"
md_wait_idle md0 300
grep -q '\[4/4\]' /proc/mdstat ||
	fail "not whole after the rebuild: $(grep -A2 ^md0 /proc/mdstat | tr '\n' ' ')"
drop_caches /dev/md0
cmp <(dd if=/dev/md0 bs=1M iflag=direct status=none) \
	<(dd if=/tmp/ref/a bs=1M status=none) ||
	fail "the array after the rebuild differs from what was written"
md_check md0
stop_all
for i in 0 1 2 3; do dmsetup remove "r5xs$i" 2>/dev/null; done
r5x_unload_all
log "ok"
