#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# raid456x has no reshape.  Every way an admin asks for one (more members,
# another layout, another chunk size; through mdadm and through sysfs) must
# be refused with an errno AND a kernel line naming the array, and leave
# the array exactly as it was: same geometry, no suspended range or sync
# limit left behind by mdadm's attempt, writes still go through, the data
# reads back and the parity is valid.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 5 48

# refused WHAT CMD...: CMD must fail, and md0 must have said why.
refused() {
	local what=$1 n
	shift
	dmesg -C
	if "$@" >/tmp/refused 2>&1; then
		fail "$what was accepted: $(tr '\n' ' ' </tmp/refused)"
	fi
	log "$what refused: $(tr '\n' ' ' </tmp/refused)"
	n=$(dmesg | grep -c 'md/raid456x:md0: .*reshape')
	[ "$n" -ge 1 ] || fail "$what: no kernel line naming md0: $(dmesg | tail -5 | tr '\n' '|')"
	log "kernel: $(dmesg | grep 'md/raid456x:md0: .*reshape' | tail -1)"
}

# unchanged LEVEL: geometry as created, nothing frozen, IO flows.
unchanged() {
	expect_eq "$(md_sysfs md0 raid_disks)" 4 "raid_disks"
	expect_eq "$(md_sysfs md0 chunk_size)" 65536 "chunk_size"
	expect_eq "$(md_sysfs md0 layout)" 2 "layout"
	expect_eq "$(md_sysfs md0 reshape_position)" none "reshape_position"
	expect_eq "$(md_sysfs md0 suspend_lo)" 0 "suspend_lo"
	expect_eq "$(md_sysfs md0 suspend_hi)" 0 "suspend_hi"
	expect_eq "$(md_sysfs md0 sync_max)" max "sync_max"
	timeout 60 dd if=/dev/urandom of=/dev/md0 bs=4k count=1 seek=9000 oflag=direct \
		status=none || fail "a write after the refusal did not go through"
	verify_random /dev/md0 0 a
}

for level in 5 6; do
	log "RAID-$level"
	must mdadm --create /dev/md0 --run --quiet --level=$level --raid-devices=4 \
		--chunk=64 --bitmap=none "${LOOPS[@]:0:4}"
	md_wait_idle md0
	write_random /dev/md0 0 8192 a 64
	must mdadm --add /dev/md0 "${LOOPS[4]}"
	rm -f /tmp/grow-backup
	refused "grow to 5 members" mdadm --grow /dev/md0 --raid-devices=5 \
		--backup-file=/tmp/grow-backup
	unchanged
	rm -f /tmp/grow-backup
	refused "layout change" mdadm --grow /dev/md0 --layout=right-asymmetric \
		--backup-file=/tmp/grow-backup
	unchanged
	rm -f /tmp/grow-backup
	refused "chunk change" mdadm --grow /dev/md0 --chunk=128 \
		--backup-file=/tmp/grow-backup
	unchanged
	refused "sysfs raid_disks" sh -c 'echo 5 >/sys/block/md0/md/raid_disks'
	refused "sysfs chunk_size" sh -c 'echo 131072 >/sys/block/md0/md/chunk_size'
	refused "sysfs layout" sh -c 'echo 0 >/sys/block/md0/md/layout'
	unchanged
	md_check md0
	must mdadm --stop /dev/md0
	r5x_members_parity "${LOOPS[@]:0:4}"
	must mdadm --zero-superblock "${LOOPS[@]}"
	rm -f /tmp/ref/a /tmp/grow-backup
done
r5x_dmesg_clean
r5x_unload_all
log "ok"
