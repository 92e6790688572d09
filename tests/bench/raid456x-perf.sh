#!/bin/bash
# rig: personality=both mem=1536 timeout=900
# raid456x against the in-tree raid456 in one VM: sequential read/write,
# 4 KiB and 64 KiB random writes, degraded read, resync and recovery time.
# Prints a table (TCG numbers: compare the two columns, not absolutes);
# data is verified so a fast wrong answer cannot pass.  512 KiB chunks,
# as scripts/bench uses.  During the recovery, the sequential read and the 64 KiB random write the
# stack sampler (lib-sampler.sh) shows where the threads spend their time.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/bench/lib-sampler.sh
. /tests/bench/lib-fio.sh

must modprobe md-mod
mkloops 5 128
CHUNK=512

declare -A R
for p in raid456 raid456x; do
	use_personality "$p"
	for d in "${LOOPS[@]}"; do blkdiscard -f "$d" 2>/dev/null; done
	t0=$(date +%s.%N)
	must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
		--chunk=$CHUNK --bitmap=none "${LOOPS[@]:0:4}"
	echo resync >/sys/block/md0/md/sync_action 2>/dev/null
	md_wait_idle md0 600
	R[$p,resync_s]=$(awk -v a="$(date +%s.%N)" -v b="$t0" "BEGIN { printf \"%.1f\", a - b }")
	R[$p,seqwrite]=$(run_fio sw --rw=write --bs=1M --iodepth=8 --size=64M)
	sampler_start "$p-seqread"
	R[$p,seqread]=$(run_fio sr --rw=read --bs=1M --iodepth=8 --size=64M)
	sampler_stop "$p-seqread"
	R[$p,rand4k]=$(run_fio r4 --rw=randwrite --bs=4k --iodepth=16 --size=64M --runtime=15 --time_based)
	sampler_start "$p-rand64k"
	R[$p,rand64k]=$(run_fio r64 --rw=randwrite --bs=64k --iodepth=8 --size=64M --runtime=15 --time_based)
	sampler_stop "$p-rand64k"
	fill_md0 32M 64k
	must mdadm /dev/md0 --fail "${LOOPS[1]}"
	R[$p,degread]=$(run_fio dr --rw=read --bs=1M --iodepth=8 --size=64M)
	check_md0 32M 64k "degraded, under $p"
	must mdadm /dev/md0 --remove "${LOOPS[1]}"
	# Member requests of the recovery: how many, and how big once the
	# block layer merged them (a 4 KiB stripe page is 8 sectors).
	r0=$(dstat_of "${LOOPS[0]}") w0=$(dstat_of "${LOOPS[4]}")
	mdadm --zero-superblock "${LOOPS[4]}" 2>/dev/null
	sampler_start "$p-recovery"
	t0=$(date +%s.%N)
	must mdadm /dev/md0 --add "${LOOPS[4]}"
	sleep 0.5
	md_wait_idle md0 600
	R[$p,recover_s]=$(awk -v a="$(date +%s.%N)" -v b="$t0" "BEGIN { printf \"%.1f\", a - b }")
	sampler_stop "$p-recovery"
	r1=$(dstat_of "${LOOPS[0]}") w1=$(dstat_of "${LOOPS[4]}")
	R[$p,rec_rd_req]=$(dstat_delta "$r0" "$r1" 1)
	R[$p,rec_rd_sect]=$(dstat_delta "$r0" "$r1" 3)
	R[$p,rec_wr_req]=$(dstat_delta "$w0" "$w1" 5)
	R[$p,rec_wr_sect]=$(dstat_delta "$w0" "$w1" 7)
	check_md0 32M 64k "after the recovery under $p"
	stop_md0
done
r5x_unload_all
printf '%-12s %12s %12s\n' metric raid456 raid456x
for m in seqwrite seqread rand4k rand64k degread resync_s recover_s \
	rec_rd_req rec_rd_sect rec_wr_req rec_wr_sect; do
	printf '%-12s %12s %12s\n' "$m" "${R[raid456,$m]}" "${R[raid456x,$m]}"
done
log "ok (bandwidths in KiB/s, times in s)"
