# SPDX-License-Identifier: GPL-2.0
# Helpers for the packaging scenarios; source after /tests/lib.sh.
#
# These scenarios test what md-llbitmap2-dkms installs, so they need its
# modprobe.d file in the guest at the path the package uses.
# scripts/test-package puts it there (taken out of the .deb it just built,
# with the modules that package's DKMS run built).  A plain
# "scripts/check tests/packaging/..." boots a guest without it: the
# scenario then skips, rather than test a copy of the line.

PKG_SOFTDEP=/usr/lib/modprobe.d/md-llbitmap2.conf

# pkg_need_conf: skip unless the package's modprobe.d file is in the guest.
pkg_need_conf() {
	[ -f "$PKG_SOFTDEP" ] ||
		skip "no $PKG_SOFTDEP in this guest: run scripts/test-package"
	log "$PKG_SOFTDEP:"
	grep -v '^[[:space:]]*#' "$PKG_SOFTDEP" | sed '/^[[:space:]]*$/d; s/^/    /'
}

# pkg_loaded MOD: is MOD (underscore form) in /proc/modules?
pkg_loaded() {
	grep -q "^$1 " /proc/modules
}

# pkg_unload_md: unload md and everything that sits on it.
pkg_unload_md() {
	local m
	stop_all
	for m in raid456 raid456x raid1 raid0 raid10 linear md_llbitmap2 md_mod; do
		pkg_loaded "$m" && { rmmod "$m" || fail "rmmod $m"; }
	done
	return 0
}
