# SPDX-License-Identifier: GPL-2.0
# A poor man's profiler for the guest, which has perf only with RIG_PERF=1
# (lib-perf.sh, and perf sees where CPUs run, not where threads wait):
# every 20 ms it reads the kernel stacks of the array's threads (md0_*)
# and of fio, and counts where they were.  "R" means on a CPU (a running
# task's stack cannot be read); otherwise the innermost three frames it
# slept in.
# Source after /tests/lib.sh.

# sampler_start NAME: sample the stacks of md0_* kernel threads and of
# fio into /tmp/stacks.NAME until sampler_stop.  Shell builtins only, so
# that the sampler itself costs little CPU.
sampler_start() {
	: >"/tmp/stacks.$1"
	touch /tmp/sampling
	(
		local i=0 d comm stat out n f pids=() st
		while [ -e /tmp/sampling ]; do
			# the thread list, again every 25 rounds (0.5 s and more)
			if [ $((i % 25)) = 0 ]; then
				pids=()
				for d in /proc/[0-9]*; do
					{ read -r comm <"$d/comm"; } 2>/dev/null || continue
					case $comm in md0_*|fio) pids+=("$d") ;; esac
				done
			fi
			i=$((i + 1))
			for d in "${pids[@]}"; do
				{ read -r comm <"$d/comm" && read -r stat <"$d/stat"; } 2>/dev/null || continue
				stat=${stat##*) }
				if [ "${stat%% *}" = R ]; then
					echo "$comm R"
					continue
				fi
				{ mapfile -t st <"$d/stack"; } 2>/dev/null
				out= n=0
				for f in "${st[@]}"; do
					f=${f#* }
					f=${f%%+*}
					case $f in __schedule|schedule|schedule_timeout) continue ;; esac
					out+=${out:+<}$f
					n=$((n + 1))
					[ $n = 3 ] && break
				done
				echo "$comm ${out:-?}"
			done
			sleep 0.02
		done >>"/tmp/stacks.$1"
	) &
	SAMPLER=$!
}

# sampler_stop NAME: stop, and print the 8 most frequent samples.
sampler_stop() {
	rm -f /tmp/sampling
	wait "$SAMPLER" 2>/dev/null
	log "where the threads were ($1, $(wc -l <"/tmp/stacks.$1") samples):"
	sort "/tmp/stacks.$1" | uniq -c | sort -rn | head -n 8
}

