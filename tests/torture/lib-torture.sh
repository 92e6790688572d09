# SPDX-License-Identifier: GPL-2.0
# Helpers of the torture scenarios; source after /tests/lib.sh.
#
# The model of acknowledged data: an array-sized file /tmp/tt/expect.img
# holds what every acknowledged write put there, and ACK[b] (4 KiB blocks
# of the array) says whether block b holds acknowledged data.  A discard
# takes its blocks out of the ledger (their content is undefined after
# it).  tt_verify compares every acknowledged block with what a device
# returns.

TT=/tmp/tt
ACK=()
TT_PROBLEMS=0

# tt_init ARRAY_KB: an empty model.
tt_init() {
	mkdir -p "$TT"
	rm -f "$TT/expect.img"
	truncate -s "$(($1 * 1024))" "$TT/expect.img"
	ACK=()
}

# tt_model_write OFF_KB LEN_KB REF: the model takes a write of /tmp/ref/REF.
# REF must be exactly LEN_KB long: mkref keeps an existing file, so a name
# used twice with two lengths would make the write and the model disagree
# (a short ref file writes less than the model counts).
tt_model_write() {
	local b
	[ "$(ref_kb "$3")" = "$2" ] || fail "harness: reference $3 is $(ref_kb "$3") KiB, not $2"
	dd if="/tmp/ref/$3" of="$TT/expect.img" bs=4k seek=$(($1 / 4)) \
		count=$(($2 / 4)) conv=notrunc status=none || fail "model write"
	for ((b = $1 / 4; b < ($1 + $2) / 4; b++)); do
		ACK[b]=1
	done
}

# tt_model_discard OFF_KB LEN_KB: those blocks hold nothing known any more.
tt_model_discard() {
	local b
	for ((b = $1 / 4; b < ($1 + $2) / 4; b++)); do
		unset "ACK[b]"
	done
}

# tt_runs: the acknowledged blocks as "first count" runs, one a line.
tt_runs() {
	local b start=-1 prev=-2
	for b in "${!ACK[@]}"; do
		if [ "$b" != $((prev + 1)) ]; then
			[ "$start" -ge 0 ] && echo "$start $((prev - start + 1))"
			start=$b
		fi
		prev=$b
	done
	[ "$start" -ge 0 ] && echo "$start $((prev - start + 1))"
	return 0
}

# tt_verify DEV WHAT: every acknowledged block reads back from DEV exactly.
# Counts a finding for the first wrong run and returns 1 (does not exit:
# callers collect every finding).
tt_verify() {
	local dev=$1 what=$2 first cnt bad=0
	dd if="$dev" of="$TT/got.img" bs=1M iflag=direct status=none ||
		{ tt_finding "$what: read of $dev failed"; return 1; }
	while read -r first cnt; do
		if ! cmp -s -i $((first * 4096)):$((first * 4096)) -n $((cnt * 4096)) \
			"$TT/got.img" "$TT/expect.img"; then
			tt_finding "$what: acknowledged data differs in array KiB" \
				"$((first * 4))+$((cnt * 4)) ($(cmp -i $((first * 4096)):$((first * 4096)) \
				-n $((cnt * 4096)) "$TT/got.img" "$TT/expect.img" 2>&1 | head -1);" \
				"$(cmp -l -i $((first * 4096)):$((first * 4096)) -n $((cnt * 4096)) \
				"$TT/got.img" "$TT/expect.img" 2>/dev/null | wc -l) bytes differ," \
				"$(cmp -l -i $((first * 4096)):$((first * 4096)) -n $((cnt * 4096)) \
				"$TT/got.img" "$TT/expect.img" 2>/dev/null |
				awk '{ b = int(($1 - 1) / 4096); if (!(b in s)) { s[b] = 1; n++ } } END { print n + 0 }') 4 KiB blocks)"
			bad=1
			break
		fi
	done < <(tt_runs)
	rm -f "$TT/got.img"
	return $bad
}

# tt_finding MSG: count a finding (the scenario fails at its end).
tt_finding() {
	echo "FINDING: $*"
	TT_PROBLEMS=$((TT_PROBLEMS + 1))
}
