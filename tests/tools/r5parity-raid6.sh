#!/bin/bash
# rig: mem=1536 timeout=1800 long=1
# tools/r5parity against the kernel's own RAID-6 (in-tree raid456 and its
# raid6 library, the oracle the tool's own GF(2^8) code must agree with): for
# every layout mdadm accepts for level 6, 4..8 members and several chunk
# sizes, create the array, let the initial resync build P and Q, write data,
# stop it and check the raw members:
#   - r5parity finds no P and no Q mismatch (exit 0), reports the geometry,
#     and --read-array returns what /dev/md0 returned, also with one and with
#     two members treated as missing (data rebuilt from P, from Q, or from
#     both);
#   - one flipped byte in P, in Q and in a data block (planted with dd where
#     --layout-map says the row's P, Q and data live) gives exit 1 with
#     syndrome=P only, syndrome=Q only, or both, at that stripe and byte;
#     with a member missing the remaining syndrome still finds it, with two
#     missing the tool says nothing can be verified;
#   - on two configurations md's own "check" agrees (mismatch_cnt > 0) and
#     "repair" makes r5parity clean again;
#   - an array that runs degraded (a member failed and removed, data written
#     afterwards) checks clean with --missing and is read back exactly.
. /tests/lib.sh

command -v r5parity >/dev/null || fail "r5parity is not in the guest"
must modprobe raid456
mkloops 8 6

# layout-name layout-number members chunk-KiB [md-check: P|Q]
configs=(
	"left-asymmetric 0 4 64 P"
	"right-asymmetric 1 5 128"
	"left-symmetric 2 6 512"
	"right-symmetric 3 7 64"
	"parity-first 4 8 32"
	"parity-last 5 4 256"
	"ddf-zero-restart 8 5 64"
	"ddf-N-restart 9 6 32"
	"ddf-N-continue 10 7 128 Q"
	"left-asymmetric-6 16 4 64"
	"right-asymmetric-6 17 5 64"
	"left-symmetric-6 18 6 128"
	"right-symmetric-6 19 7 32"
	"parity-first-6 20 8 64"
)

# r6 WANT_RC DESC ARGS...: run r5parity on the members, output in /tmp/out
r6() {
	local want=$1 desc=$2 rc
	shift 2
	r5parity "$@" "${FILES[@]}" >/tmp/out 2>/tmp/err
	rc=$?
	if [ "$rc" != "$want" ]; then
		sed 's/^/  out| /' /tmp/out | head -20
		sed 's/^/  err| /' /tmp/err | head -20
		fail "$desc: r5parity exit $rc, want $want"
	fi
}

# only_lines DESC SUFFIX...: the mismatch lines of /tmp/out, in order, end
# with these (the planted byte, its row, and which syndrome)
only_lines() {
	local desc=$1 got want
	shift
	got=$(grep '^mismatch:' /tmp/out | sed 's/.* byte=/byte=/')
	want=$(printf '%s\n' "$@")
	[ "$got" = "$want" ] || { cat /tmp/out; fail "$desc: got '$got', want '$want'"; }
}

md_check_action() {
	echo "$2" >/sys/block/md0/md/sync_action || fail "start $2"
	sleep 0.5
	md_wait_idle md0 600
}

n=0
for cfg in "${configs[@]}"; do
	read -r lname lnum nd chunk mdcheck <<<"$cfg"
	n=$((n + 1))
	LD=("${LOOPS[@]:0:$nd}")
	FILES=()
	for l in "${LD[@]}"; do FILES+=("$(loop_file "$l")"); done
	log "config $n: raid6 layout=$lname members=$nd chunk=${chunk}K"
	must mdadm --create /dev/md0 --run --quiet --metadata=1.2 --level=6 \
		--raid-devices="$nd" --layout="$lname" --chunk="$chunk" "${LD[@]}"
	expect_eq "$(md_sysfs md0 layout)" "$lnum" "md's layout number for $lname"
	md_wait_idle md0 600
	sectors=$(dev_sectors /dev/md0)
	kb=$((sectors / 2))
	write_random /dev/md0 0 1024 "a$n"
	write_random /dev/md0 $((kb / 2 - 256)) 768 "b$n"
	write_random /dev/md0 $((kb - 512)) 512 "c$n"
	must sync
	md_sum=$(dd if=/dev/md0 bs=1M iflag=direct status=none | cksum)
	must mdadm --stop /dev/md0

	r6 0 "print-geometry" --print-geometry
	cp /tmp/out /tmp/geom
	expect_eq "$(sed -n 's/^level: //p' /tmp/geom)" 6 "geometry level"
	expect_eq "$(sed -n 's/^layout: \([0-9]*\).*/\1/p' /tmp/geom)" "$lnum" "geometry layout"
	expect_eq "$(sed -n 's/^chunk_kib: //p' /tmp/geom)" "$chunk" "geometry chunk"
	expect_eq "$(sed -n 's/^array_sectors: //p' /tmp/geom)" "$sectors" "geometry array size"
	msect=$(sed -n 's/^member_sectors: //p' /tmp/geom)

	r6 0 "clean array"
	grep -q ' 0 mismatched 4 KiB blocks (P: 0, Q: 0)$' /tmp/out ||
		fail "clean summary: $(cat /tmp/out)"
	got=$(r5parity --read-array 0 0 - "${FILES[@]}" 2>/dev/null | cksum)
	expect_eq "$got" "$md_sum" "read-array vs /dev/md0"
	x=$((n % nd)) y=$(((n + 2) % nd))
	got=$(r5parity --missing "$x" --read-array 0 0 - "${FILES[@]}" 2>/dev/null | cksum)
	expect_eq "$got" "$md_sum" "read-array with slot $x missing vs /dev/md0"
	got=$(r5parity --missing "$x" --missing "$y" --read-array 0 0 - "${FILES[@]}" \
		2>/dev/null | cksum)
	expect_eq "$got" "$md_sum" "read-array with slots $x and $y missing vs /dev/md0"
	r6 0 "clean, slot $x missing" --missing "$x"
	grep -q ' 0 mismatched' /tmp/out || fail "degraded clean summary: $(cat /tmp/out)"

	# where the row of array sector S keeps its data, P and Q
	s=$((sectors / 2 + 8 * n + 3))
	r6 0 "layout-map $s" --layout-map "$s"
	line=$(cat /tmp/out)
	field() { echo "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
	stripe=$(field stripe) dslot=$(field data_slot) pslot=$(field parity_slot)
	qslot=$(field q_slot) msec=$(field member_sector)
	ddev=$(field data_dev) pdev=$(field parity_dev) qdev=$(field q_dev)
	[ -n "$qslot" ] && [ -n "$ddev" ] && [ -n "$pdev" ] && [ -n "$qdev" ] ||
		fail "layout-map output: $line"
	# the data slot holds array sector S as read through the layout
	a=$(r5parity --read-array "$s" 1 - "${FILES[@]}" 2>/dev/null | cksum)
	b=$(dd if="$ddev" bs=512 skip="$(field data_dev_sector)" count=1 status=none | cksum)
	expect_eq "$b" "$a" "data of array sector $s at $ddev"
	for o in $(seq 1 $((nd - 1))); do
		other=$(( (dslot + o) % nd ))
		[ "$other" != "$pslot" ] && [ "$other" != "$qslot" ] && break
	done
	rel=$((msec * 512 + 300))
	at="byte=$rel stripe=$stripe parity_slot=$pslot q_slot=$qslot"
	off_of() { echo $(( $1 * 512 + 300 )); }

	# P: only syndrome=P; gone when P is missing; Q finds it when data is
	flip_byte "$pdev" "$(off_of "$(field parity_dev_sector)")"
	r6 1 "flipped P" --max-report 5
	only_lines "flipped P" "$at syndrome=P"
	grep -q ' 1 mismatched 4 KiB block (P: 1, Q: 0)$' /tmp/out || fail "P summary"
	r6 0 "flipped P, P missing" --missing "$pslot"
	r6 1 "flipped P, data missing" --missing "$dslot"
	only_lines "flipped P, data missing" "$at syndrome=Q"
	if [ "$mdcheck" = P ]; then
		must mdadm --assemble /dev/md0 "${LD[@]}"
		md_wait_idle md0
		md_check_action md0 check
		mm=$(md_mismatches md0)
		log "md check after flipping P: mismatch_cnt=$mm"
		[ "$mm" -gt 0 ] || fail "md check found no mismatch after the P flip"
		md_check_action md0 repair
		must mdadm --stop /dev/md0
		r6 0 "after md repair"
	else
		flip_byte "$pdev" "$(off_of "$(field parity_dev_sector)")"
		r6 0 "P flipped back"
	fi

	# Q: only syndrome=Q; P still checks it when Q is missing (none)
	flip_byte "$qdev" "$(off_of "$(field q_dev_sector)")"
	r6 1 "flipped Q"
	only_lines "flipped Q" "$at syndrome=Q"
	grep -q ' 1 mismatched 4 KiB block (P: 0, Q: 1)$' /tmp/out || fail "Q summary"
	r6 0 "flipped Q, Q missing" --missing "$qslot"
	r6 1 "flipped Q, P missing" --missing "$pslot"
	only_lines "flipped Q, P missing" "$at syndrome=Q"
	if [ "$mdcheck" = Q ]; then
		must mdadm --assemble /dev/md0 "${LD[@]}"
		md_wait_idle md0
		md_check_action md0 check
		mm=$(md_mismatches md0)
		log "md check after flipping Q: mismatch_cnt=$mm"
		[ "$mm" -gt 0 ] || fail "md check found no mismatch after the Q flip"
		md_check_action md0 repair
		must mdadm --stop /dev/md0
		r6 0 "after md repair"
	else
		flip_byte "$qdev" "$(off_of "$(field q_dev_sector)")"
		r6 0 "Q flipped back"
	fi

	# data: both syndromes; each single missing member leaves one to find it
	flip_byte "$ddev" "$(off_of "$(field data_dev_sector)")"
	r6 1 "flipped data"
	only_lines "flipped data" "$at syndrome=P" "$at syndrome=Q"
	grep -q ' 1 mismatched 4 KiB block (P: 1, Q: 1)$' /tmp/out || fail "data summary"
	r6 1 "flipped data, slot $other missing" --missing "$other"
	only_lines "flipped data, slot $other missing" "$at syndrome=Q"
	r6 1 "flipped data, P missing" --missing "$pslot"
	only_lines "flipped data, P missing" "$at syndrome=Q"
	r6 1 "flipped data, Q missing" --missing "$qslot"
	only_lines "flipped data, Q missing" "$at syndrome=P"
	r6 0 "flipped data, its slot missing" --missing "$dslot"
	r6 0 "flipped data, P and Q missing" --missing "$pslot" --missing "$qslot"
	grep -q "nothing can be verified" /tmp/out || fail "two missing: $(cat /tmp/out)"
	grep -q "mismatched" /tmp/out && fail "two missing claims a result: $(cat /tmp/out)"
	r5parity --quiet --range 0:"$msec" "${FILES[@]}" || fail "range before the flip: exit $?"
	flip_byte "$ddev" "$(off_of "$(field data_dev_sector)")"
	r6 0 "data flipped back"
	[ "$msect" -gt 0 ] || fail "member_sectors"

	must mdadm --zero-superblock "${LD[@]}"
done

# A degraded array: P and Q of the rows written after the failure were made
# by md without the missing member.
log "degraded: raid6 left-symmetric, 6 members, one failed and removed"
LD=("${LOOPS[@]:0:6}")
FILES=()
for l in "${LD[@]}"; do FILES+=("$(loop_file "$l")"); done
must mdadm --create /dev/md0 --run --quiet --metadata=1.2 --level=6 --raid-devices=6 \
	--chunk=64 "${LD[@]}"
md_wait_idle md0 600
must mdadm /dev/md0 --fail "${LD[3]}"
must mdadm /dev/md0 --remove "${LD[3]}"
sectors=$(dev_sectors /dev/md0)
write_random /dev/md0 0 2048 deg1
write_random /dev/md0 $((sectors / 4)) 1024 deg2
must sync
md_sum=$(dd if=/dev/md0 bs=1M iflag=direct status=none | cksum)
must mdadm --stop /dev/md0
slot=$(r5parity --print-geometry "${FILES[@]}" 2>/dev/null |
	sed -n "s|^slot \([0-9]*\): ${FILES[3]} .*|\1|p")
[ -n "$slot" ] || fail "no slot for the failed member"
unset 'FILES[3]'
FILES=("${FILES[@]}")
r6 2 "degraded set without --missing"
r6 0 "degraded set" --missing "$slot"
grep -q "^slot $slot missing: one syndrome left" /tmp/out &&
	grep -q ' 0 mismatched' /tmp/out || fail "degraded output: $(cat /tmp/out)"
got=$(r5parity --missing "$slot" --read-array 0 0 - "${FILES[@]}" 2>/dev/null | cksum)
expect_eq "$got" "$md_sum" "degraded read-array vs /dev/md0"
# a flipped byte in the written data of a remaining member is still found
r6 0 "layout-map" --missing "$slot" --layout-map 100
line=$(cat /tmp/out)
ddev=$(echo "$line" | sed -n 's/.* data_dev=\([^ ]*\) .*/\1/p')
dsec=$(echo "$line" | sed -n 's/.* data_dev_sector=\([0-9]*\).*/\1/p')
[ -n "$ddev" ] && [ -n "$dsec" ] || fail "degraded layout-map: $line"
flip_byte "$ddev" $((dsec * 512 + 5))
r6 1 "degraded set, flipped data" --missing "$slot"
grep -q "^mismatch: .* syndrome=[PQ]$" /tmp/out || fail "degraded flip: $(cat /tmp/out)"
flip_byte "$ddev" $((dsec * 512 + 5))
r6 0 "degraded set, flipped back" --missing "$slot"
must mdadm --zero-superblock "${LD[@]}"
log "ok"
