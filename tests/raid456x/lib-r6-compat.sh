# SPDX-License-Identifier: GPL-2.0
# The RAID-6 cross-compatibility sweep of raid6-cross-compat.sh and
# raid6-cross-compat-ddf.sh (source after lib-r5x.sh).

other() { [ "$1" = raid456 ] && echo raid456x || echo raid456; }

# assembled_by PERS: the last array start was served by PERS.
assembled_by() {
	if [ "$1" = raid456x ]; then
		dmesg | tail -20 | grep -q 'md/raid456x:md0: raid level 6 active' ||
			fail "not started by raid456x"
	else
		dmesg | tail -20 | grep -q 'md/raid:md0: raid level 6 active' ||
			fail "not started by raid456"
	fi
}

# r6_cross_compat CONFIG...: one array per "creator layout layout-number
# chunk-KiB members" string, as the scenarios' headers describe.
r6_cross_compat() {
	local configs=("$@")

	mkloops 16 16
	n=0
	for cfg in "${configs[@]}"; do
		read -r first layout lnum chunk members <<<"$cfg"
		second=$(other "$first")
		n=$((n + 1))
		case_wanted "$n" || continue
		devs=("${LOOPS[@]:0:$members}")
		log "config $n: raid6 layout=$layout ($lnum) chunk=${chunk}K members=$members, made by $first"
		# zeroed members: --assume-clean P and Q of zeros are zeros
		for d in "${devs[@]}"; do
			blkdiscard -f "$d" 2>/dev/null ||
				dd if=/dev/zero of="$d" bs=1M count=16 status=none oflag=direct
		done

		use_personality "$first"
		must mdadm --create /dev/md0 --run --quiet --metadata=1.2 --bitmap=none \
			--assume-clean --level=6 --layout="$layout" --chunk="$chunk" \
			--raid-devices="$members" "${devs[@]}"
		assembled_by "$first"
		expect_eq "$(md_sysfs md0 layout)" "$lnum" "layout number"
		size_kb=$(($(dev_sectors /dev/md0) / 2))
		write_random /dev/md0 0 300 "a$n"
		write_random /dev/md0 $((size_kb / 2 + 3)) 77 "b$n"
		write_random /dev/md0 $((size_kb - 64)) 64 "c$n"
		# big aligned writes: whole rows
		write_random /dev/md0 4096 4096 "f$n" 1024
		must mdadm --stop /dev/md0

		use_personality "$second"
		must mdadm --assemble /dev/md0 "${devs[@]}"
		assembled_by "$second"
		verify_random /dev/md0 0 "a$n"
		verify_random /dev/md0 $((size_kb / 2 + 3)) "b$n"
		verify_random /dev/md0 $((size_kb - 64)) "c$n"
		verify_random /dev/md0 4096 "f$n"
		md_check md0
		write_random /dev/md0 1500 222 "d$n"
		write_random /dev/md0 $((size_kb / 3 + 5)) 61 "e$n"
		write_random /dev/md0 8192 2048 "g$n" 1024
		[ "$second" = raid456x ] &&
			log "r5x_stats: $(tr '\n' ' ' </sys/block/md0/md/r5x_stats)"
		must mdadm --stop /dev/md0

		use_personality "$first"
		must mdadm --assemble /dev/md0 "${devs[@]}"
		assembled_by "$first"
		verify_random /dev/md0 0 "a$n"
		verify_random /dev/md0 $((size_kb / 2 + 3)) "b$n"
		verify_random /dev/md0 $((size_kb - 64)) "c$n"
		verify_random /dev/md0 4096 "f$n"
		verify_random /dev/md0 1500 "d$n"
		verify_random /dev/md0 $((size_kb / 3 + 5)) "e$n"
		verify_random /dev/md0 8192 "g$n"
		md_check md0
		must mdadm --stop /dev/md0
		# and our own checker of P and Q agrees with both sides
		r5x_members_parity "${devs[@]}"
		for d in "${devs[@]}"; do
			mdadm --zero-superblock "$d" || fail "zero superblock $d"
		done
	done
}
