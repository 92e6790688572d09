#!/bin/bash
# rig: personality=both mem=1536 timeout=1200
# raid456x against the in-tree raid456 on the two RAID-6 figures of
# BENCHMARKS.md section 3b where raid456x falls short: the sequential
# read and the recovery of two members at once.  The arrays of
# scripts/bench (6 members of 128 MiB, fallocated, 512 KiB chunks).
# For each personality it prints the queue limits md set (they decide
# how the block layer splits a 1 MiB read), fio's submission and
# completion latency (at queue depth 16 and 1), the member requests and
# their merged size, where the threads were (lib-sampler.sh) and, with
# RIG_PERF=1, where the CPUs were and the CPU time per request
# (lib-perf.sh: under load the figures swing, CPU time per request much
# less).  For the recovery it traces what each new member had written
# every 0.5 s and whether md left one of them waiting, "(S)" in mdstat,
# for a later recovery (that would double the time).  TCG figures:
# compare the two columns.  Data is verified after the recovery so that
# a fast wrong answer cannot pass.
# RIG_PERF=1 make check T=tests/bench/raid6-perf.sh
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/bench/lib-sampler.sh
. /tests/bench/lib-fio.sh
. /tests/bench/lib-perf.sh

must modprobe md-mod
mkloops 6 128
for d in "${LOOPS[@]}"; do fallocate -l 128M "$(loop_file "$d")"; done

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }

declare -A R
for p in raid456 raid456x; do
	use_personality "$p"
	must mdadm --create /dev/md0 --run --quiet --level=6 --raid-devices=6 \
		--chunk=512 --bitmap=none --assume-clean "${LOOPS[@]}"
	q=/sys/block/md0/queue
	log "$p queue limits: max_sectors_kb $(cat $q/max_sectors_kb) max_hw_sectors_kb $(cat $q/max_hw_sectors_kb) chunk_sectors $(cat $q/chunk_sectors) optimal_io_size $(cat $q/optimal_io_size) minimum_io_size $(cat $q/minimum_io_size) read_ahead_kb $(cat $q/read_ahead_kb) max_segments $(cat $q/max_segments) nr_requests $(cat $q/nr_requests 2>/dev/null)"
	fill_md0 496M 1M

	# Sequential read, as in section 3b (1 MiB, iodepth 16, 8 s).
	r0=$(dstat_sum 1 "${LOOPS[@]}") s0=$(dstat_sum 3 "${LOOPS[@]}")
	sampler_start "$p-seqread"
	perf_start "$p-seqread"
	R[$p,seqread]=$(run_fio sr --rw=read --bs=1M --iodepth=16 --time_based --runtime=8)
	perf_stop "$p-seqread"
	sampler_stop "$p-seqread"
	perf_by_task "$p-seqread" "$(awk -F';' '{ print $8 * 8 }' /tmp/fio.min)"
	# submission and completion latency (µs): where a request waits
	R[$p,sr_slat]=$(awk -F';' '{ printf "%d", $12 }' /tmp/fio.min)
	R[$p,sr_clat]=$(awk -F';' '{ printf "%d", $16 }' /tmp/fio.min)
	R[$p,sr_req]=$(( $(dstat_sum 1 "${LOOPS[@]}") - r0 ))
	R[$p,sr_kb_req]=$(( ($(dstat_sum 3 "${LOOPS[@]}") - s0) / 2 / (R[$p,sr_req] > 0 ? R[$p,sr_req] : 1) ))

	# one request at a time: the latency of the path alone
	R[$p,seqread_qd1]=$(run_fio s1 --rw=read --bs=1M --iodepth=1 --time_based --runtime=5)
	R[$p,qd1_slat]=$(awk -F';' '{ printf "%d", $12 }' /tmp/fio.min)
	R[$p,qd1_clat]=$(awk -F';' '{ printf "%d", $16 }' /tmp/fio.min)

	# Two members out, back in together: the recovery of both.
	must mdadm /dev/md0 --fail "${LOOPS[5]}"
	must mdadm /dev/md0 --fail "${LOOPS[4]}"
	must mdadm /dev/md0 --remove "${LOOPS[5]}" "${LOOPS[4]}"
	mdadm --zero-superblock "${LOOPS[4]}" "${LOOPS[5]}" 2>/dev/null
	r0=$(dstat_sum 1 "${LOOPS[@]:0:4}") s0=$(dstat_sum 3 "${LOOPS[@]:0:4}")
	w0=$(dstat_sum 5 "${LOOPS[4]}" "${LOOPS[5]}")
	: >/tmp/rec-trace
	sampler_start "$p-recovery"
	perf_start "$p-recovery"
	t0=$(now)
	must mdadm /dev/md0 --add "${LOOPS[4]}" "${LOOPS[5]}"
	# every 0.5 s: the sectors each new member has had written
	while :; do
		a=$(dstat_of "${LOOPS[4]}" | awk '{ print $7 }')
		b=$(dstat_of "${LOOPS[5]}" | awk '{ print $7 }')
		# a new member that waits for the next recovery shows (S)
		echo "$(since "$t0") $a $b $(grep -o 'recovery = *[0-9.]*%' /proc/mdstat) waiting=$(grep '^md0 ' /proc/mdstat | grep -o '(S)' | wc -l)" >>/tmp/rec-trace
		grep -Eq 'recovery|resync|PENDING|DELAYED' /proc/mdstat || break
		sleep 0.5
	done
	R[$p,recover_s]=$(since "$t0")
	perf_stop "$p-recovery"
	sampler_stop "$p-recovery"
	perf_by_task "$p-recovery" "$(( 128 * 1024 / 4 ))"
	log "$p recovery trace (s, sectors written to ${LOOPS[4]} and ${LOOPS[5]}, mdstat):"
	awk 'NR % 4 == 1' /tmp/rec-trace
	tail -n 1 /tmp/rec-trace
	R[$p,rec_rd_req]=$(( $(dstat_sum 1 "${LOOPS[@]:0:4}") - r0 ))
	R[$p,rec_rd_kb_req]=$(( ($(dstat_sum 3 "${LOOPS[@]:0:4}") - s0) / 2 / (R[$p,rec_rd_req] > 0 ? R[$p,rec_rd_req] : 1) ))
	R[$p,rec_wr_req]=$(( $(dstat_sum 5 "${LOOPS[4]}" "${LOOPS[5]}") - w0 ))
	# md starts one recovery for the spares it has when it starts; a
	# member added after that waits (S) for the next one
	R[$p,max_waiting]=$(grep -o 'waiting=[0-9]*' /tmp/rec-trace | cut -d= -f2 | sort -n | tail -n 1)
	expect_eq "$(cat /sys/block/md0/md/degraded)" 0 "degraded after the recovery ($p)"
	check_md0 496M 1M "after the recovery under $p"
	stop_md0
done
r5x_unload_all
printf '%-14s %12s %12s\n' metric raid456 raid456x
for m in seqread sr_slat sr_clat seqread_qd1 qd1_slat qd1_clat sr_req sr_kb_req recover_s max_waiting rec_rd_req rec_rd_kb_req rec_wr_req; do
	printf '%-14s %12s %12s\n' "$m" "${R[raid456,$m]}" "${R[raid456x,$m]}"
done
log "ok (seqread in KiB/s, latencies in µs, times in s, request sizes in KiB)"
