# SPDX-License-Identifier: GPL-2.0
# Shared by the host self-tests of tools/ (source it; do not run it).
#   selftest_init NAME SOURCE [BIN] [-- extra compiler arguments]
# makes $WORK (removed on exit) and sets $BIN: the given binary, or
# SOURCE (relative to tools/) compiled with -Werror into $WORK/NAME.
# Then: ok, bad MSG, expect RC DESC CMD..., and selftest_done.

selftest_init() {
	local name=$1 src=$2

	shift 2
	WORK=$(mktemp -d "/tmp/$name-selftest.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
	PASS=0 FAIL=0
	if [ $# -ge 1 ] && [ "$1" != -- ]; then
		BIN=$1
		return 0
	fi
	[ "${1:-}" = -- ] && shift
	BIN=$WORK/$name
	gcc -O2 -Wall -Wextra -Werror -o "$BIN" "$HERE/../$src" "$@" ||
		{ echo "FAIL: build"; exit 1; }
}

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# expect RC DESC CMD...: run CMD (stdout -> $WORK/out, stderr ->
# $WORK/err) and check its exit status.
expect() {
	local want=$1 desc=$2 rc
	shift 2
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok
	else
		bad "$desc: exit $rc, expected $want"
		sed 's/^/    /' "$WORK/out" "$WORK/err" | head -30
	fi
	return 0
}

# selftest_done NAME: the closing count; the status says whether all passed.
selftest_done() {
	echo "$1 selftest: $PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
}
