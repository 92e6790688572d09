# SPDX-License-Identifier: GPL-2.0
# A system-wide profile of one phase of a scenario, taken by perf when
# the image has it (RIG_PERF=1 make check T=...).  TCG has no PMU, so
# the samples come from cpu-clock, a software timer event.  Without perf
# a profile prints one line instead: scenarios call the helpers
# unconditionally.  Source after /tests/lib.sh.

# Samples per second and CPU.  Each sample unwinds a kernel stack in
# emulated instructions: beside other VMs on the host, 1000 Hz slowed a
# fixed raid456 write load by 40 % (and TCG's timer delivered only half
# of the samples); 250 Hz stayed within the noise.
PERF_HZ=${PERF_HZ:-250}

# perf_start NAME: record every CPU, with call graphs, until perf_stop
# NAME.  perf starts with its events disabled and is told to enable them
# once it is set up (that takes seconds under TCG): the phase that
# follows is profiled from its first moment.
perf_start() {
	local d=/tmp/perf-$1 ack
	command -v perf >/dev/null || return 0
	# Kernel symbols and system-wide events, for this profile only.
	PERF_SYSCTL="$(cat /proc/sys/kernel/kptr_restrict) $(cat /proc/sys/kernel/perf_event_paranoid)"
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	rm -f "$d.ctl" "$d.ack"
	mkfifo "$d.ctl" "$d.ack"
	perf record -e cpu-clock -F "$PERF_HZ" -a -g -D -1 \
		--control "fifo:$d.ctl,$d.ack" -o "$d.data" >"$d.log" 2>&1 &
	PERF_PID=$!
	# A perf that died early would leave the fifos without a reader.
	if ! ack=$(timeout 120 bash -c 'echo enable >"$1" && read -r a <"$2" && echo "$a"' \
		_ "$d.ctl" "$d.ack") || [ "$ack" != ack ]; then
		cat "$d.log"
		fail "perf record did not start"
	fi
}

# perf_stop NAME: stop the recording and print where the CPUs were,
# by symbol ([k] kernel, [.] user space), above 1.5 % of the samples.
# A timer sample cannot interrupt code that has interrupts off: it lands
# where they come on again (_raw_spin_unlock_irqrestore and the like).
# The call graphs in /tmp/perf-NAME.data say whose time that was:
#   perf report -i /tmp/perf-NAME.data --stdio --no-children -S SYMBOL -G
perf_stop() {
	local d=/tmp/perf-$1 kptr paranoid
	if ! command -v perf >/dev/null; then
		echo "perf: not in this image (RIG_PERF=1 adds it)"
		return 0
	fi
	kill -INT "$PERF_PID"
	# perf is a child of the scenario's shell, not of a pipe's or a $()'s
	# subshell, where wait cannot reap it: there, wait for its zombie.
	wait "$PERF_PID" 2>/dev/null
	while [ -d "/proc/$PERF_PID" ] && ! grep -qs '^State:.*zombie' "/proc/$PERF_PID/status"; do
		sleep 0.2
	done
	read -r kptr paranoid <<<"$PERF_SYSCTL"
	echo "$kptr" >/proc/sys/kernel/kptr_restrict
	echo "$paranoid" >/proc/sys/kernel/perf_event_paranoid
	echo "--- perf profile ($1)"
	# The header's column is as wide as the longest symbol of all, even
	# of those below the limit: keep only the counts and the entries.
	perf report -i "$d.data" --stdio --no-children --sort sym \
		--percent-limit 1.5 -g none 2>"$d.log" |
		sed -En 's/ +$//; s/^# (Samples|Total Lost)/\1/p; /^ /p' | head -n 40
}

# perf_by_task NAME UNITS: after perf_stop NAME, the CPU time by task
# (swapper is idle time) per unit of work (UNITS: IOs, stripes) in ms,
# and the inclusive share of md's and the personalities' functions;
# then the recording is deleted.  Nothing without perf.
perf_by_task() {
	local d=/tmp/perf-$1
	command -v perf >/dev/null || return 0
	echo "--- by task ($1): share of both CPUs, samples, CPU ms per unit ($2 units)"
	perf report -i "$d.data" --stdio --no-children --sort comm -n -g none \
		--percent-limit 1 2>/dev/null |
		awk -v n="$2" -v hz="$PERF_HZ" '/^ +[0-9]/ && n > 0 {
			printf "%9s %7d %8.4f  %s\n", $1, $2, $2 * 1000 / hz / n, $3 }' |
		head -8
	echo "--- inclusive, kernel functions of md and the personality ($1)"
	perf report -i "$d.data" --stdio --children --sort sym -g none \
		--percent-limit 2 2>/dev/null |
		grep -E '\] (r5x_|raid5|raid6|handle_stripe|ops_|md_|llb|bitmap|__bitmap|write_page|async_|xor_|memcpy|copy_|submit_bio|blk_|bio_|__blkdev|loop|lo_|shmem|raid_run|analyse|schedule$|__schedule$)' |
		head -30
	rm -f "$d.data"
}
