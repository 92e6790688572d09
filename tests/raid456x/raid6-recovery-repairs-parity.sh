#!/bin/bash
# rig: personality=both mem=1024 timeout=900
# A raid456x RAID-6 recovery onto one member repairs the parity that
# remains: with md-llbitmap2 the recovery is also the sync of the NeedSync
# chunks it crosses, and a chunk it ends is Clean; stale parity left there
# is used the next time a member fails.
# Found by crash-points (raid6x+recovery, seed 2, point 29278 after m2,
# 2026-12-07): a crash during a recovery left P behind the data in the
# row of an in-flight write; after assembly the recovery rebuilt Q only,
# the bitmap called the chunk clean, and with a data member missing the
# block read back wrong.
# Here, deterministically, under raid456 and raid456x: a lockless RAID-6
# of 5 members (64 KiB chunks, left-symmetric; row 1 has P on slot 3, Q
# on slot 4, data chunks on slots 0, 1, 2) holds known data; slot 4
# fails and leaves; slot 3 silently drops its writes (dm-flakey
# drop_writes: a crash that kept the data and lost P) while a 4 KiB
# write lands in row 1, chunk 1 (slot 1; the degraded write makes its
# chunk NeedSync).  Then slot 3 works again and a blank spare is
# recovered into slot 4.  Expected under raid456x:
#  - every block reads back as acknowledged, with all members;
#  - r5parity: P and Q valid everywhere (the recovery fixed P);
#  - with slot 0 missing too (its block of that stripe is rebuilt from
#    P), every block still reads back.
# The in-tree raid456 (7.3) runs first and is only reported: its recovery
# rebuilt Q and left P stale (r5parity: 1 block, stripe 1, P; the block
# of slot 0 reads wrong with slot 0 missing), so raid456x does better
# than the in-tree personality here.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh

modprobe dm-flakey || skip "no dm-flakey"
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"
ROW_KB=192			# 3 data chunks of 64 KiB
WRITE_KB=$((ROW_KB + 64))	# row 1, data chunk 1: slot 1

# wait_synced: md idle, and no chunk of md0 waits for or is in a sync.
wait_synced() {
	local i
	md_wait_idle md0 600
	for i in $(seq 1 300); do
		[ "$(bits md0 "need sync")" = 0 ] && [ "$(bits md0 syncing)" = 0 ] && break
		sleep 0.2
	done
	md_wait_idle md0 300
}

# one PERS STRICT: the scenario under PERS; a finding fails it when
# STRICT is 1 and is only logged otherwise.
one() {
	local pers=$1 strict=$2 arr_kb bad i
	finding() {
		[ "$strict" = 1 ] && fail "$*"
		log "REPORTED (the in-tree personality does this): $*"
	}
	use_personality "$pers"
	modprobe md-llbitmap2
	log "$pers"
	LOOPS=()
	mkloops 6 16
	dm_members rp
	must mdadm --create /dev/md0 --run --quiet --level=6 --raid-devices=5 \
		--chunk=64 --metadata=1.2 --bitmap=lockless "${DMS[@]:0:5}"
	arr_kb=$(($(dev_sectors /dev/md0) / 2))
	write_random /dev/md0 0 "$arr_kb" fill 64
	wait_synced
	log "$pers: written and synced: $(bits_line md0)"
	must mdadm /dev/md0 --fail "${DMS[4]}" >/dev/null
	must mdadm /dev/md0 --remove "${DMS[4]}" >/dev/null
	# slot 3 (P of row 1) keeps what it has and drops every write now
	dm_load rp3 "0 $(dev_sectors "${LOOPS[3]}") flakey ${LOOPS[3]} 0 0 3600 1 drop_writes"
	write_random /dev/md0 "$WRITE_KB" 4 new
	verify_random /dev/md0 "$WRITE_KB" new
	dm_load rp3 "0 $(dev_sectors "${LOOPS[3]}") linear ${LOOPS[3]} 0"
	log "$pers: after the degraded write: $(bits_line md0)"
	# a blank spare comes in for slot 4
	dd if=/dev/zero of="${DMS[5]}" bs=1M count=1 oflag=direct status=none
	must mdadm /dev/md0 --add "${DMS[5]}" >/dev/null
	sleep 1
	wait_synced
	log "$pers: after the recovery: $(bits_line md0), degraded $(md_sysfs md0 degraded)"
	expect_eq "$(md_sysfs md0 degraded)" 0 "$pers: degraded after the recovery"

	# every block against what was acknowledged: the fill, then the write
	cp /tmp/ref/fill /tmp/expect.img
	dd if=/tmp/ref/new of=/tmp/expect.img bs=1k seek="$WRITE_KB" conv=notrunc \
		status=none || fail "expected image"
	drop_caches /dev/md0
	dd if=/dev/md0 of=/tmp/got.img bs=1M iflag=direct status=none || fail "read md0"
	cmp -s /tmp/got.img /tmp/expect.img || fail "$pers: data differs with all members"
	log "$pers: slots: $(for i in 0 1 2 3 5; do printf '%s=%s ' "$i" "$(cat /sys/block/md0/md/dev-$(dm_kname "rp$i")/slot 2>/dev/null)"; done)"
	must mdadm --stop /dev/md0
	drop_caches "${DMS[@]}"
	# the raw members, in slot order: P and Q of every row match the data
	if command -v r5parity >/dev/null; then
		r5parity --max-report 3 "${DMS[0]}" "${DMS[1]}" "${DMS[2]}" \
			"${DMS[3]}" "${DMS[5]}" >/tmp/r5p.out 2>&1 ||
			finding "$pers: stale parity after the recovery: $(tail -c 600 /tmp/r5p.out)"
	fi
	# slot 0 missing: its block of the stripe written is rebuilt from P
	must mdadm --assemble --readonly --run /dev/md0 "${DMS[1]}" "${DMS[2]}" \
		"${DMS[3]}" "${DMS[5]}" >/dev/null
	dd if=/dev/md0 of=/tmp/got.img bs=1M iflag=direct status=none || fail "read md0"
	mapfile -t bad < <(cmp -l /tmp/got.img /tmp/expect.img |
		awk '{ print int(($1 - 1) / 4096) * 4 }' | uniq)
	log "$pers: blocks that read wrong with slot 0 missing (KiB): ${bad[*]:-none}"
	[ -z "${bad[*]}" ] || finding "$pers: blocks wrong with slot 0 missing: ${bad[*]}"
	must mdadm --stop /dev/md0
	dm_members_remove rp
	rm -f /tmp/member*.img /tmp/ref/fill /tmp/ref/new /tmp/got.img /tmp/expect.img
}

one raid456 0
one raid456x 1
dmesg_has 'WARNING|BUG|Oops|KASAN|possible circular' && fail "kernel complained"
r5x_dmesg_clean
r5x_unload_all
log "ok"
