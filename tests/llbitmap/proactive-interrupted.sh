#!/bin/bash
# rig: mem=1536 timeout=900
# Issue 16 item 4: a proactive parity build that was accepted survives
# every clean interruption md knows: "idle" in sync_action, "frozen" (the
# build stays stopped while frozen and resumes once unfrozen), mdadm
# --stop and a plain assemble, and read-only/read-write (md stops writes
# as at shutdown).  After each, the build resumes by itself and ends with
# no unwritten chunk left; data written while it was interrupted reads
# back exact and the raw parity is valid everywhere.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

need_r5parity
llb_modules
mkloops 4 64

# build_started: a fresh lazy array over garbage, the build requested and
# slowed down, and some (not all) chunks already built.
build_started() {
	stop_all
	fill_garbage 64 "${LOOPS[@]}"
	llb_create md0 5 4 --chunk=64
	fast_daemon md0
	expect_eq "$(bits md0 unwritten)" "$(chunks md0)" "unwritten chunks after create"
	echo 1500 >/sys/block/md0/md/sync_speed_max
	echo 1 >/sys/block/md0/md/llbitmap/proactive_sync || fail "proactive_sync refused"
	for i in $(seq 1 300); do
		[ "$(bits md0 'clean unwritten')" -gt 0 ] && break
		sleep 0.2
	done
	[ "$(bits md0 'clean unwritten')" -gt 0 ] || fail "the build never started: $(bits_line md0)"
	[ "$(bits md0 'need sync unwritten')" -gt 0 ] || fail "the build ended too early: $(bits_line md0)"
}

# write_meanwhile TAG: data at the start (built) and near the end (still
# waiting) of the array.
write_meanwhile() {
	local end
	end=$(( $(dev_sectors /dev/md0) / 2 ))
	HI=$(( end - 1024 ))
	write_random /dev/md0 8 16 "$1-lo" 4
	write_random /dev/md0 "$HI" 16 "$1-hi" 4
}

# build_completes TAG: no unwritten chunk left, data and parity exact.
build_completes() {
	local tag=$1 i
	echo system >/sys/block/md0/md/sync_speed_max
	for i in $(seq 1 600); do
		[ "$(bits md0 unwritten)" = 0 ] && break
		sleep 0.2
	done
	log "$tag: $(bits_line md0) action $(md_sysfs md0 sync_action)"
	expect_bits md0 unwritten 0
	wait_settled md0 120
	expect_bits md0 unwritten 0
	verify_random /dev/md0 8 "$tag-lo"
	verify_random /dev/md0 "$HI" "$tag-hi"
	must mdadm --stop /dev/md0
	parity_clean "${LOOPS[@]}"
	log "$tag: build resumed and completed, data and raw parity exact"
}

# 1. idle
build_started
echo idle >/sys/block/md0/md/sync_action || fail "idle"
log "idle: $(bits_line md0)"
write_meanwhile idle
build_completes idle

# 2. frozen: nothing may run while frozen; unfreezing resumes the build
build_started
echo frozen >/sys/block/md0/md/sync_action || fail "frozen"
md_wait_action md0 frozen 30 || fail "not frozen: $(md_sysfs md0 sync_action)"
write_meanwhile frozen
sleep 3
log "frozen: $(bits_line md0)"
expect_eq "$(md_sysfs md0 sync_action)" frozen "sync_action while frozen"
grep -A3 '^md0' /proc/mdstat | grep -Eq 'resync *= *[0-9]' && fail "a resync runs while frozen"
cu=$(bits md0 'clean unwritten')
sleep 2
expect_eq "$(bits md0 'clean unwritten')" "$cu" "clean unwritten chunks while frozen"
echo idle >/sys/block/md0/md/sync_action || fail "unfreeze"
build_completes frozen

# 3. mdadm --stop, then a plain assemble
build_started
must mdadm --stop /dev/md0
must mdadm --assemble /dev/md0 "${LOOPS[@]}"
fast_daemon md0
log "assembled: $(bits_line md0)"
write_meanwhile stop
build_completes stop

# 4. read-only (md stops writes as at shutdown), then read-write
build_started
must mdadm --readonly /dev/md0
log "read-only: $(bits_line md0)"
must mdadm --readwrite /dev/md0
write_meanwhile ro
build_completes ro

no_llb_errors
log "ok"
