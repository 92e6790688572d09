# SPDX-License-Identifier: GPL-2.0
# Power-cut scenarios: four members on virtio disks that outlive the VM
# (vda..vdd) and a fifth disk (vde) holding the reference data.

MEMBERS=(/dev/vda /dev/vdb /dev/vdc /dev/vdd)
REFDEV=/dev/vde

need_disks() {
	local d
	for d in "${MEMBERS[@]}" "$REFDEV"; do
		[ -b "$d" ] || fail "$d missing (rig header disks=5xMB)"
	done
}

# power_cut: stop the machine now, nothing else reaches the disks.
power_cut() {
	log "power cut (boot $RIG_BOOT)"
	echo o >/proc/sysrq-trigger
	sleep 30
	fail "still running after the power cut"
}

# save_ref NAME SLOT: keep /tmp/ref/NAME on the reference disk at SLOT MiB.
save_ref() {
	dd if="/tmp/ref/$1" of="$REFDEV" bs=1M seek="$2" oflag=direct conv=fsync,notrunc \
		status=none || fail "save $1"
}

# load_ref NAME SLOT LEN_KB: bring it back after the reboot.
load_ref() {
	mkdir -p /tmp/ref
	dd if="$REFDEV" of="/tmp/ref/$1" bs=1k skip=$(($2 * 1024)) count="$3" \
		iflag=direct status=none || fail "load $1"
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
	for s in 0 1 2 3; do
		got=$(r5parity --missing $s --read-array $((off * 2)) $((len * 2)) - \
			"${MEMBERS[@]}" | cksum | cut -d' ' -f1,2)
		expect_eq "$got" "$want" "$name read from raw members without slot $s"
	done
}
