# SPDX-License-Identifier: GPL-2.0
# Power cuts without a reboot: the members are dm devices over loop
# devices; the cut swaps every one of them to dm-flakey drop_writes, so
# nothing md writes after that moment reaches the disks (md itself keeps
# running and believes its writes succeed).  Then the array is stopped (its
# last writes dropped too), the members are switched back, and the array is
# assembled the way boot does.

MEMBERS=()

# crash_members N SIZE_MB: N members /dev/mapper/llbcI over loop devices.
crash_members() {
	local n=$1 i sz
	must modprobe dm-mod
	must modprobe dm-flakey
	mkloops "$n" "$2"
	for i in $(seq 0 $((n - 1))); do
		sz=$(dev_sectors "${LOOPS[$i]}")
		must dmsetup create "llbc$i" --table "0 $sz linear ${LOOPS[$i]} 0"
		MEMBERS+=("/dev/mapper/llbc$i")
	done
	# no udev in the guest
	must dmsetup mknodes
}

# power_cut: from now on every write to every member is lost.
power_cut() {
	local i sz
	log "power cut"
	# Freeze all first, so the cut is one moment for all members.
	for i in "${!MEMBERS[@]}"; do
		must dmsetup suspend --noflush --nolockfs "llbc$i"
	done
	for i in "${!MEMBERS[@]}"; do
		sz=$(dev_sectors "${LOOPS[$i]}")
		must dmsetup load "llbc$i" --table "0 $sz flakey ${LOOPS[$i]} 0 0 3600 1 drop_writes"
	done
	for i in "${!MEMBERS[@]}"; do
		must dmsetup resume "llbc$i"
	done
}

# power_back: stop what is left of the array and restore the members.
power_back() {
	local i sz
	mdadm --stop /dev/md0 >/dev/null 2>&1 || fail "stop after the cut"
	for i in "${!MEMBERS[@]}"; do
		sz=$(dev_sectors "${LOOPS[$i]}")
		must dmsetup suspend "llbc$i"
		must dmsetup load "llbc$i" --table "0 $sz linear ${LOOPS[$i]} 0"
		must dmsetup resume "llbc$i"
	done
	drop_caches "${MEMBERS[@]}" "${LOOPS[@]}"
	log "power back"
}

# assemble_plain: what boot does; no --force, no --run.
assemble_plain() {
	mdadm --assemble /dev/md0 "${MEMBERS[@]}" >/tmp/asm 2>&1 ||
		fail "plain assemble refused: $(tr '\n' ' ' </tmp/asm)"
	log "assemble: $(tr '\n' ' ' </tmp/asm)"
	grep -q '^md0 : active' /proc/mdstat || fail "md0 not active: $(cat /proc/mdstat)"
	if mdadm --detail /dev/md0 | grep -Eq 'rebuilding|spare'; then
		mdadm --detail /dev/md0
		fail "a member is rebuilding after the crash"
	fi
}

# degraded_reads_raw NAME ARRAY_KB LEN_KB: the data, read from the raw
# members with each one missing in turn (array stopped).
degraded_reads_raw() {
	local name=$1 off=$2 len=$3 s got want
	want=$(sum_ref "$name")
	drop_caches "${MEMBERS[@]}"
	for s in "${!MEMBERS[@]}"; do
		got=$(r5parity --missing "$s" --read-array $((off * 2)) $((len * 2)) - \
			"${MEMBERS[@]}" | cksum | cut -d' ' -f1,2)
		expect_eq "$got" "$want" "$name read from raw members without slot $s"
	done
}

cleanup_members() {
	local i
	for i in "${!MEMBERS[@]}"; do dmsetup remove "llbc$i" 2>/dev/null; done
}
