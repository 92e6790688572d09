#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the build root: assemble the guest's base file system.
#   mkbase.sh KVER STAGE
# The base holds the user space the scenarios use and the Debian modules
# they load (kept xz-compressed, as Debian ships them).  modules.dep is
# NOT in the base: the per-run image brings one that also lists our
# modules, and an entry there must not be overwritten by the base.
set -euo pipefail
kver=$1 stage=$2
ktree=/var/cache/rig/kernel-$kver/tree/usr/lib/modules/$kver
. "$(dirname "$0")/lib-stage.sh"

rm -rf "$stage"
mkdir -p "$stage"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,run,root,mnt,var/tmp,opt}
ln -s usr/bin "$stage/bin"
ln -s usr/sbin "$stage/sbin"
ln -s usr/lib "$stage/lib"
ln -s usr/lib64 "$stage/lib64"

bins="bash mdadm fio losetup blockdev blkdiscard fallocate truncate dd cksum
sha256sum cmp od head tail sort seq stat sync timeout dmsetup kmod dmesg
xxd hexdump wipefs nproc date tr cut wc uniq tee mktemp env sleep flock
lsblk findmnt pkill pgrep ps free"
for b in $bins; do
	p=$(command -v "$b" || true)
	[ -n "$p" ] && copy_bin "$p"
done
# bash is the shell scripts and /init use; keep it at /bin/bash.
[ -e "$stage/usr/bin/bash" ] || ln -s /bin/bash "$stage/usr/bin/bash"
for m in modprobe insmod rmmod lsmod depmod modinfo; do
	ln -sf /usr/bin/kmod "$stage/usr/sbin/$m"
done

# busybox fills in every other applet (sh, awk, sed, grep, ...), without
# shadowing the GNU/util-linux tools copied above.
cp /bin/busybox "$stage/usr/bin/busybox"
# /bin/sh is bash, as a real system's sh is a full shell: busybox's sh
# would run its own modprobe applet for system("modprobe ..."), which
# ignores modprobe.d softdeps (mdadm loads md that way).
ln -s bash "$stage/usr/bin/sh"
for a in $(/bin/busybox --list); do
	[ -e "$stage/usr/bin/$a" ] || [ -e "$stage/usr/sbin/$a" ] ||
		ln -s busybox "$stage/usr/bin/$a"
done

# trixie's mdadm 4.4, to prove older user space assembles our arrays.
if [ -x /opt/mdadm-4.4/usr/sbin/mdadm ]; then
	mkdir -p "$stage/opt/mdadm-4.4/usr/sbin"
	cp /opt/mdadm-4.4/usr/sbin/mdadm "$stage/opt/mdadm-4.4/usr/sbin/"
fi
# libpng for the inspector tool, if the project ships one.
for lib in /usr/lib/x86_64-linux-gnu/libpng16.so.16 /usr/lib/x86_64-linux-gnu/libz.so.1; do
	# Keep the soname link path: copy_bin follows it to the real file.
	[ -e "$lib" ] && copy_bin "$lib" && cp -L "$lib" "$stage$lib"
done

# Debian's own modules that scenarios load, with their dependencies.
want="md-mod raid456 raid1 raid0 raid10 linear loop dm-mod dm-flakey dm-delay
dm-log-writes dm-zero null_blk virtio_blk"
kroot=/var/cache/rig/kernel-$kver/tree
[ -e "$kroot/lib" ] || ln -s usr/lib "$kroot/lib"
depmod -b "$kroot" "$kver"
declare -A seen=()
add_mod() {
	local name=$1 path dep rel
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	path=$(modinfo -b "$kroot" -k "$kver" -n "$name" 2>/dev/null) || return 0
	case $path in
	/*) ;;
	*) return 0 ;;	# built in
	esac
	rel=${path#*/modules/"$kver"/}
	mkdir -p "$stage/usr/lib/modules/$kver/$(dirname "$rel")"
	cp "$path" "$stage/usr/lib/modules/$kver/$rel"
	for dep in $(modinfo -F depends "$path" | tr , ' '); do
		add_mod "$dep"
	done
	for dep in $(modinfo -F softdep "$path" | tr ' ' '\n' | grep -v ':' || true); do
		add_mod "$dep"
	done
}
for m in $want; do
	add_mod "$m"
done
cp "$ktree"/modules.builtin* "$ktree"/modules.order "$stage/usr/lib/modules/$kver/" 2>/dev/null || true

echo "root:x:0:0:root:/root:/bin/bash" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"
mkdir -p "$stage/etc/mdadm" "$stage/run/mdadm" "$stage/etc/modprobe.d"
echo "CREATE owner=root group=root mode=0660 auto=yes" >"$stage/etc/mdadm/mdadm.conf"
echo "HOMEHOST <none>" >>"$stage/etc/mdadm/mdadm.conf"
