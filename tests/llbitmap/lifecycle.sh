#!/bin/bash
# rig: mem=1024 timeout=400
# The module is pinned while an array uses it: rmmod fails, and works
# after stop.  100 load/unload cycles.  Creating and assembling with the
# module absent fail with mdadm's message and no crash.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 4 64
llb_create md0 5 4 --chunk=64
if rmmod md_llbitmap2 2>/tmp/err; then fail "rmmod succeeded while md0 runs"; fi
log "rmmod in use: $(cat /tmp/err)"
grep -q "in use" /tmp/err || fail "rmmod did not say the module is in use"
expect_eq "$(awk '$1 == "md_llbitmap2" { print $3 }' /proc/modules)" 1 "module refcount"
write_random /dev/md0 0 256 a
must mdadm --stop /dev/md0
expect_eq "$(awk '$1 == "md_llbitmap2" { print $3 }' /proc/modules)" 0 "refcount after stop"
must rmmod md_llbitmap2

for i in $(seq 1 100); do
	modprobe md-llbitmap2 || fail "load $i"
	rmmod md_llbitmap2 || fail "unload $i"
done

# Assembling an llbitmap array without the module: refused, no crash.
if mdadm --assemble /dev/md0 "${LOOPS[@]}" >/tmp/err 2>&1; then
	fail "assembled without the module"
fi
log "assemble without module: $(tr '\n' ' ' </tmp/err)"
[ -e /sys/block/md0/md ] && mdadm --stop /dev/md0 >/dev/null 2>&1
# Create without the module: mdadm's message.
for l in "${LOOPS[@]}"; do mdadm --zero-superblock "$l"; done
if mdadm --create /dev/md1 --run --level=5 --raid-devices=4 --metadata=1.2 \
	--bitmap=lockless "${LOOPS[@]}" >/tmp/err 2>&1; then
	fail "created without the module"
fi
log "create without module: $(tr '\n' ' ' </tmp/err)"
[ -e /sys/block/md1/md ] && mdadm --stop /dev/md1 >/dev/null 2>&1

# And everything works again once it is back.
must modprobe md-llbitmap2
for l in "${LOOPS[@]}"; do mdadm --zero-superblock "$l"; done
llb_create md2 5 4 --chunk=64
write_random /dev/md2 0 256 b
verify_random /dev/md2 0 b
must mdadm --stop /dev/md2
must rmmod md_llbitmap2
no_llb_errors
log "ok"
