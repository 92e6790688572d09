#!/bin/bash
# rig: mem=1024 timeout=180
# Boot-time auto-load: with md-llbitmap2-dkms's modprobe.d file in place,
# loading md_mod loads md_llbitmap2 on its own (softdep), and a lockless
# array assembles without anyone loading md-llbitmap2 by hand, also when
# md is loaded by mdadm on its own.  A control run
# without the modprobe configuration must NOT load it, so a wrong or
# missing softdep line fails this scenario.
. /tests/lib.sh
. /tests/packaging/lib-pkg.sh

pkg_need_conf
pkg_unload_md
pkg_loaded md_mod && fail "md_mod loaded before the test"

# Control: the same modprobe without any configuration file.
must modprobe -C /dev/null md_mod
pkg_loaded md_mod || fail "modprobe -C /dev/null md_mod did not load md_mod"
if pkg_loaded md_llbitmap2; then
	fail "md_llbitmap2 loaded without the modprobe configuration: the control is broken"
fi
log "control: md_mod without configuration leaves md_llbitmap2 out"
must rmmod md_mod

# The real thing.
must modprobe md_mod
pkg_loaded md_llbitmap2 || fail "modprobe md_mod did not load md_llbitmap2 (softdep)"
modinfo -F filename md_llbitmap2 | grep -q '/updates/dkms/' ||
	fail "md_llbitmap2 did not come from updates/dkms: $(modinfo -F filename md_llbitmap2)"
log "modprobe md_mod loaded md_llbitmap2"
log "modprobe -D md_mod:"
modprobe -D md_mod | sed 's/^/    /'

# A lockless RAID-5, then a cold start: nothing md-related loaded, and
# the array assembled by mdadm alone.
mkloops 3 32
must modprobe raid456
must mdadm --create /dev/md0 --run --level=5 --raid-devices=3 --metadata=1.2 \
	--bitmap=lockless --assume-clean "${LOOPS[@]}"
write_random /dev/md0 0 512 a
pkg_unload_md
pkg_loaded md_llbitmap2 && fail "md_llbitmap2 still loaded"

# mdadm loads md itself: system("modprobe md_mod").  On Debian /bin/sh
# is dash, which runs kmod's modprobe from PATH.  The guest's /bin/sh is
# busybox-static, whose sh runs its own modprobe applet instead, and that
# one knows no softdep: make /bin/sh a PATH-searching shell, as on a host.
# (The initramfs does not rely on this: its hook force-loads md-llbitmap2.)
ln -sf bash /usr/bin/sh || fail "replace /bin/sh"
sh -c 'type modprobe' | grep -q '/sbin/modprobe' || fail "sh still runs a builtin modprobe: $(sh -c 'type modprobe')"
dmesg -C
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
if dmesg_has "can't find bitmap id"; then
	fail "md could not find the lockless bitmap: $(dmesg | grep "can't find bitmap")"
fi
pkg_loaded md_llbitmap2 || fail "md_llbitmap2 not loaded after assemble"
grep -q '\[llbitmap\]' /sys/block/md0/md/bitmap_type ||
	fail "md0 bitmap_type: $(cat /sys/block/md0/md/bitmap_type)"
verify_random /dev/md0 0 a
log "bits after assemble: $(tr '\n' ',' </sys/block/md0/md/llbitmap/bits)"
must mdadm --stop /dev/md0
log "ok"
