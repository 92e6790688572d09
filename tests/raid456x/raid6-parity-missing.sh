#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=900
# RAID-6 with a parity member missing.  Eight members, parity-last (data
# chunks on members 0-5, P on 6, Q on 7), 64 KiB chunks: a small write is
# cheapest as read-modify-write when P and Q are there, but with P (or Q)
# missing it cannot be: it must reconstruct-write, or compute right.
#  - P missing, Q missing, data+P missing, data+Q missing: small and
#    partial-block writes all over the array (restarted first, so nothing
#    is cached; no read-modify-write may run), read back after another
#    restart, the members re-added and recovered; every byte of the array
#    as written, check clean, and r5parity finds P and Q right.
#  - Check and repair with data member 0 missing and Q of a stripe
#    corrupt, and with Q missing and P corrupt: counted, repaired, the
#    data unchanged, P and Q right after the re-add.
#  - Resync of an array created with a member "missing" (data, P or Q) over
#    members full of random bytes (dirty and degraded: started as a dirty
#    degraded assemble is, with md_mod's start_dirty_degraded): the array reads the same before and after
#    the resync, and writes during it stick; after the member is added and
#    recovered it still does, check is clean and P and Q are right raw.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 8 4
N=8
ROW_KB=384
NROWS=20
problems=0
bad() {
	echo "BAD: $*"
	problems=$((problems + 1))
}

# put OFF_KB LEN_KB: new random data at the array and in /tmp/expect
put() {
	head -c $(($2 * 1024)) /dev/urandom >/tmp/put
	dd if=/tmp/put of=/dev/md0 bs=1k seek="$1" count="$2" oflag=direct \
		conv=notrunc status=none || bad "write of ${2}k at ${1}k failed"
	dd if=/tmp/put of=/tmp/expect bs=1k seek="$1" count="$2" conv=notrunc status=none
}
# same WHEN: the array's first NROWS rows hold /tmp/expect
same() {
	local got want
	got=$(dd if=/dev/md0 bs=64k count=$((NROWS * ROW_KB / 64)) iflag=direct \
		status=none | cksum) || true
	want=$(head -c $((NROWS * ROW_KB * 1024)) /tmp/expect | cksum)
	[ "$got" = "$want" ] || bad "the array reads back wrong ($1)"
}
# without I...: assemble without members I..., nothing cached
without() {
	local i devs=()
	for i in "${!LOOPS[@]}"; do
		case " $* " in *" $i "*) ;; *) devs+=("${LOOPS[$i]}") ;; esac
	done
	must mdadm --assemble --run /dev/md0 "${devs[@]}"
}
# readd I...: members I... wiped and added; waits for the recovery
readd() {
	local i
	for i in "$@"; do
		must mdadm --zero-superblock "${LOOPS[$i]}"
		must mdadm /dev/md0 --add "${LOOPS[$i]}"
	done
	sleep 1
	md_wait_idle md0
	grep -q "\[$N/$N\]" /proc/mdstat || fail "not recovered: $(cat /proc/mdstat)"
}
# raw_ok WHEN: stop, r5parity over every member, start again
raw_ok() {
	local out
	must mdadm --stop /dev/md0
	drop_caches "${LOOPS[@]}"
	out=$(r5parity --max-report 5 "${LOOPS[@]}" 2>&1) || bad "r5parity ($1): $out"
	must mdadm --assemble /dev/md0 "${LOOPS[@]}"
}

fill_garbage 4 "${LOOPS[@]}"
must mdadm --create /dev/md0 --run --quiet --level=6 --raid-devices=$N \
	--chunk=64 --layout=parity-last --bitmap=none "${LOOPS[@]}"
md_wait_idle md0
dd if=/dev/md0 of=/tmp/expect bs=64k count=$((NROWS * ROW_KB / 64)) iflag=direct status=none ||
	fail "read the array"

# small writes: 4 KiB and odd partial blocks in data chunks 0 and 3 of
# every other row, and across the chunk 1/2 border
for missing in "6:P" "7:Q" "0 6:data+P" "1 7:data+Q"; do
	what=${missing#*:}
	read -r -a gone <<<"${missing%:*}"
	log "missing ${gone[*]} ($what)"
	for i in "${gone[@]}"; do must mdadm /dev/md0 --fail "${LOOPS[$i]}"; done
	must mdadm --stop /dev/md0
	without "${gone[@]}"
	rmw0=$(r5x_stat rmw)
	rcw0=$(r5x_stat rcw)
	for r in $(seq 1 2 $((NROWS - 1))); do
		put $((r * ROW_KB + 4)) 4
		put $((r * ROW_KB + 192 + 9)) 3
		put $((r * ROW_KB + 128 - 2)) 5
	done
	log "r5x_stats: rmw +$(($(r5x_stat rmw) - rmw0)) rcw +$(($(r5x_stat rcw) - rcw0))"
	[ "$(r5x_stat rmw)" = "$rmw0" ] ||
		bad "read-modify-write ran with $what missing"
	same "$what missing, cached"
	must mdadm --stop /dev/md0
	without "${gone[@]}"
	same "$what missing, restarted"
	md_check md0
	readd "${gone[@]}"
	same "$what re-added"
	md_check md0
	raw_ok "$what re-added"
done

# check and repair on a degraded RAID-6: with data member 0 missing (its
# blocks rebuilt from P) Q of one stripe is overwritten, with Q missing P
# is: check counts that stripe and writes nothing, repair rewrites it,
# the data never changes, and after the re-add P and Q are right raw
doff=$(md_data_offset "${LOOPS[0]}")
[ -n "$doff" ] || fail "no data offset"
for c in "0 7" "7 6"; do
	read -r gone hit <<<"$c"
	log "check and repair with member $gone missing, member $hit corrupt"
	must mdadm /dev/md0 --fail "${LOOPS[$gone]}"
	must mdadm --stop /dev/md0
	head -c 4096 /dev/urandom | dd of="$(loop_file "${LOOPS[$hit]}")" bs=512 \
		seek=$((doff + 2 * 128 + 16)) conv=notrunc status=none || fail "corrupt member $hit"
	without "$gone"
	for action in check check repair; do
		echo $action >/sys/block/md0/md/sync_action || fail "start $action"
		sleep 0.5
		md_wait_idle md0
		expect_eq "$(md_mismatches md0)" 8 "mismatch_cnt of $action"
	done
	md_check md0
	same "after a degraded repair of member $hit"
	readd "$gone"
	same "member $gone re-added after the repair"
	raw_ok "member $gone re-added after the repair"
done
must mdadm --stop /dev/md0

# resync with a member missing: created degraded over random bytes
for slot in 2 6 7; do
	log "resync with member $slot missing"
	for d in "${LOOPS[@]}"; do mdadm --zero-superblock "$d" >/dev/null 2>&1; done
	fill_garbage 4 "${LOOPS[@]}"
	devs=("${LOOPS[@]}")
	devs[slot]=missing
	echo 2000 >/proc/sys/dev/raid/speed_limit_max
	resyncs=$(dmesg | grep -c 'md: resync of RAID array md0')
	# --force: a real resync of the degraded array, not mdadm's shortcut
	# of making the last member a spare and recovering it.  Such an array
	# is dirty and degraded, which md (as raid456) starts only when told:
	# the state a dirty degraded assemble with start_dirty_degraded is in.
	echo 1 >/sys/module/md_mod/parameters/start_dirty_degraded ||
		fail "set start_dirty_degraded"
	must mdadm --create /dev/md0 --run --quiet --force --level=6 --raid-devices=$N \
		--chunk=64 --layout=parity-last --bitmap=none "${devs[@]}"
	# what the array holds before the resync (rebuilt from P where a data
	# member is missing): the resync must keep it
	dd if=/dev/md0 of=/tmp/expect bs=64k count=$((NROWS * ROW_KB / 64)) iflag=direct \
		status=none || fail "read the array"
	put $((3 * ROW_KB + 4)) 4
	put $((15 * ROW_KB + 200)) 3
	echo 0 >/sys/module/md_mod/parameters/start_dirty_degraded
	dmesg_has 'md/raid456x:md0: starting dirty degraded array' ||
		fail "no message about the dirty degraded start"
	grep -q resync /proc/mdstat || log "(the resync already ended)"
	echo 200000 >/proc/sys/dev/raid/speed_limit_max
	md_wait_idle md0
	[ "$(dmesg | grep -c 'md: resync of RAID array md0')" -gt "$resyncs" ] ||
		fail "no resync ran without member $slot"
	same "resynced without member $slot"
	md_check md0
	must mdadm --stop /dev/md0
	drop_caches "${LOOPS[@]}"
	out=$(r5parity --max-report 5 --missing $slot "${LOOPS[@]:0:slot}" \
		"${LOOPS[@]:slot+1}" 2>&1) || bad "r5parity without member $slot: $out"
	without "$slot"
	same "resynced without member $slot, restarted"
	readd "$slot"
	same "member $slot recovered"
	md_check md0
	raw_ok "member $slot recovered"
	must mdadm --stop /dev/md0
done

[ "$problems" = 0 ] || fail "$problems problems (see BAD lines)"
r5x_unload_all
log "ok"
