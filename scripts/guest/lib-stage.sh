# SPDX-License-Identifier: GPL-2.0
# Helpers for the scripts that fill a guest staging tree inside the build
# root (mkbase.sh, mkperf.sh).  Source it; do not run it.  $stage is the
# tree being filled; $have, if set, is a tree the guest unpacks before it,
# whose files this one must not carry again.

# copy_bin PATH...: copy executables with every shared library they need
# that neither $stage nor $have holds yet.
copy_bin() {
	local f lib
	for f in "$@"; do
		f=$(readlink -f "$f")
		mkdir -p "$stage$(dirname "$f")"
		cp -n "$f" "$stage$f"
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$stage$lib" ] && continue
			[ -n "${have:-}" ] && [ -e "$have$lib" ] && continue
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
	done
}
