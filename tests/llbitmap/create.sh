#!/bin/bash
# rig: mem=1536 timeout=300
# mdadm 4.6 --bitmap=lockless: llbitmap selected, all chunks unwritten and
# no resync IO; --assume-clean gives all clean; mdadm 4.4 (no bitmap_type)
# assembles through md's version-6 fallback.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 4 256

llb_create md0 5 4 --chunk=64
expect_eq "$(md_sysfs md0 bitmap_type | xargs)" "none bitmap [llbitmap]" "bitmap_type"
n=$(chunks md0)
[ "$n" -gt 0 ] || fail "no chunks"
log "metadata: $(tr '\n' ' ' </sys/block/md0/md/llbitmap/metadata)"
log "bits: $(bits_line md0)"
# write-zeroes with unmap on every member makes upstream start clean
# unwritten; loop devices on tmpfs do not offer it.
wz=$(cat /sys/block/$(basename "${LOOPS[0]}")/queue/write_zeroes_unmap_max_bytes 2>/dev/null || echo 0)
if [ "$wz" = 0 ]; then
	expect_bits md0 unwritten "$n"
else
	expect_bits md0 "clean unwritten" "$n"
fi
# The create-time recovery skipped everything: almost no member writes.
for d in "${LOOPS[@]}"; do
	kb=$(member_write_kb "$d")
	[ "${kb%.*}" -lt 2048 ] || fail "$d: ${kb} KiB written at create"
done
grep -q "bitmap" /proc/mdstat || fail "no bitmap line in mdstat"
must mdadm --stop /dev/md0

# What any md user space that does not know bitmap_type does: assemble by
# hand through sysfs, leaving bitmap_type at md's default ("bitmap"); md
# must find version 6 on disk and switch to us.
echo md5 >/sys/module/md_mod/parameters/new_array || fail "new md5"
echo 1.2 >/sys/block/md5/md/metadata_version || fail "metadata_version"
expect_eq "$(md_sysfs md5 bitmap_type | xargs)" "none [bitmap] llbitmap" "default bitmap_type"
for d in "${LOOPS[@]:0:4}"; do
	cat "/sys/block/$(basename "$d")/dev" >/sys/block/md5/md/new_dev ||
		fail "new_dev $d: $(dmesg | tail -n 3)"
done
echo active >/sys/block/md5/md/array_state || fail "start md5 by hand"
expect_eq "$(md_sysfs md5 bitmap_type | xargs)" "none bitmap [llbitmap]" "bitmap_type after the fallback"
dmesg_has "md5: bitmap version mismatch, switching from 12 to 13" || fail "no version-6 fallback message"
expect_bits md5 unwritten "$n"
write_random /dev/md5 0 1024 a
verify_random /dev/md5 0 a
unw5=$(bits md5 unwritten)
[ "$unw5" -lt "$n" ] || fail "the write left every chunk unwritten: $(bits_line md5)"
must mdadm --stop /dev/md5

# Reassemble with trixie's mdadm 4.4, which knows nothing of bitmap_type:
# the kernel must fall back to id 13 from the version-6 superblock.  4.4
# assembles the way a booting trixie system does, through --incremental
# (udev's rule): 4.4's --assemble cannot start any array on 7.x, because it
# sends STOP_ARRAY to the device it just made and the kernel deletes it
# ("Unable to initialize sysfs").
for d in "${LOOPS[@]:0:4}"; do
	must env MDADM_NO_UDEV=1 $MDADM44 --incremental "$d"
done
md=$(sed -n 's/^\(md[0-9]*\) : active .*/\1/p' /proc/mdstat | head -n 1)
[ -n "$md" ] || fail "mdadm 4.4 --incremental started no array"
grep -A1 "^$md :" /proc/mdstat | grep -q '\[4/4\]' || fail "$md is not whole after 4.4"
md_wait_idle "$md"
expect_eq "$(md_sysfs "$md" bitmap_type | xargs)" "none bitmap [llbitmap]" "bitmap_type after 4.4 assemble"
dmesg_has "$md: bitmap version mismatch, switching" || fail "no version-6 fallback message"
expect_bits "$md" unwritten "$unw5"
verify_random "/dev/$md" 0 a
write_random "/dev/$md" 2048 1024 b
verify_random "/dev/$md" 2048 b
must env MDADM_NO_UDEV=1 $MDADM44 --stop "/dev/$md"

# --assume-clean: every chunk starts clean.
for d in "${LOOPS[@]:0:4}"; do mdadm --zero-superblock "$d"; done
must $MDADM --create /dev/md1 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless --assume-clean "${LOOPS[@]:0:4}"
md_wait_idle md1
n=$(chunks md1)
expect_bits md1 clean "$n"
must mdadm --stop /dev/md1

# Creating without the module fails cleanly.
must rmmod md_llbitmap2
for d in "${LOOPS[@]:0:4}"; do mdadm --zero-superblock "$d"; done
if $MDADM --create /dev/md2 --run --level=5 --raid-devices=4 --metadata=1.2 \
	--bitmap=lockless "${LOOPS[@]:0:4}" >/tmp/err 2>&1; then
	fail "create without the module succeeded"
fi
log "mdadm without module: $(tr '\n' ' ' </tmp/err)"
[ -e /dev/md2 ] && mdadm --stop /dev/md2 >/dev/null 2>&1
no_llb_errors
log "ok"
