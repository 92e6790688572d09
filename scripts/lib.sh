# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the rig scripts.  Source it; do not run it.
#
# Every cache lives under $RIG_CACHE (outside the clone) and is named by a
# hash of its inputs, so a changed input builds a new cache entry and an
# unchanged one is reused.

set -euo pipefail

RIG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RIG_CACHE=${RIG_CACHE:-/var/cache/md-llbitmap2}
RIG_MIRROR=${RIG_MIRROR:-http://deb.debian.org/debian}
RIG_SECURITY=${RIG_SECURITY:-http://deb.debian.org/debian-security}

die() { echo "rig: $*" >&2; exit 1; }
log() { echo "rig: $*" >&2; }

# Packages every build root holds: the kernel's compiler and kbuild needs,
# DKMS, lint tools, and the user space copied into the guest.
RIG_ROOT_PACKAGES="build-essential make kmod dkms sparse perl xz-utils cpio \
busybox-static fio util-linux dmsetup bash coreutils procps e2fsprogs \
debhelper dh-dkms initramfs-tools openssl libpng-dev pkgconf mount"

# Bump when setup-buildroot changes what a root contains.
RIG_ROOT_REV=2

# kernel_line NAME: print the matrix line for kernel NAME ("default" or "sid").
kernel_line() {
	local line
	line=$(grep -v '^[[:space:]]*#' "$RIG_TOP/scripts/kernels.conf" |
		awk -v n="$1" '$1 == n')
	[ -n "$line" ] || die "no kernel '$1' in scripts/kernels.conf"
	echo "$line"
}

# kernel_names [--all]: the Debian kernels of the matrix, in file order;
# with --all also the flavours we build ourselves (debug).
kernel_names() {
	local all=0
	[ "${1:-}" = --all ] && all=1
	grep -v '^[[:space:]]*#' "$RIG_TOP/scripts/kernels.conf" |
		awk -v all=$all 'NF && (all || $4 !~ /^@/) { print $1 }'
}

# load_kernel NAME: set KNAME KVER KPKGVER KSUITES KSERIES for that kernel.
load_kernel() {
	local line
	line=$(kernel_line "$1")
	# shellcheck disable=SC2086
	set -- $line
	KNAME=$1 KVER=$2 KPKGVER=$3 KSUITES=$4
	KSERIES=$(echo "$KVER" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	KBASE=$KNAME
	case $KSUITES in
	@*)
		# A kernel we build ourselves lives in another kernel's root.
		KBASE=${KSUITES#@}
		set -- $(kernel_line "$KBASE")
		KBASE_KVER=$2 KSUITES=$4
		;;
	esac
}

# prepare_kernel NAME: load_kernel NAME, and make what its modules build in:
# the Debian build root, or for a flavour we build ourselves (debug) that
# kernel, inside its base kernel's root.
prepare_kernel() {
	load_kernel "$1"
	if [ "$KBASE" = "$KNAME" ]; then
		"$RIG_TOP/scripts/setup-buildroot" "$1"
	else
		"$RIG_TOP/scripts/build-debug-kernel"
	fi
}

# The build root for the loaded kernel; its name hashes every input.
buildroot_dir() {
	local key kver=$KVER
	[ "$KBASE" = "$KNAME" ] || kver=$KBASE_KVER
	key=$(printf '%s\n' "$kver" "$KPKGVER" "$KSUITES" "$RIG_ROOT_PACKAGES" \
		"$RIG_ROOT_REV" | sha256sum | cut -c1-12)
	echo "$RIG_CACHE/root-$KBASE-$key"
}

# in_root CMD...: run a command inside the build root (chroot with /proc,
# /dev and /sys bound, unbound again however the command ends).
in_root() {
	local root
	root=$(buildroot_dir)
	[ -d "$root" ] || die "no build root at $root: run 'make setup' first"
	mount_root_fs "$root"
	local rc=0
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	return $rc
}

# Bind mounts stay for the life of the machine: they are idempotent and
# cheap, and unmounting under a concurrent rig run would pull /dev from it.
mount_root_fs() {
	local root=$1 d
	for d in proc sys dev; do
		mountpoint -q "$root/$d" || mount --rbind "/$d" "$root/$d"
		mount --make-rslave "$root/$d" 2>/dev/null || true
	done
}

# The guest kernel image and modules unpacked from Debian's packages.
kernel_files_dir() {
	echo "$(buildroot_dir)/var/cache/rig/kernel-$KVER"
}
