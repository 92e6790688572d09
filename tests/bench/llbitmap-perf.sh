#!/bin/bash
# rig: personality=raid456 mem=1536 timeout=900
# md-llbitmap2 against the classic bitmap on the in-tree raid456: 4 KiB
# and 64 KiB random writes (iodepth 16, 2 jobs, 15 s), the member write
# requests they caused, and where the threads were (lib-sampler.sh).
# 4 x 128 MiB members, 512 KiB chunks, as scripts/bench uses.
. /tests/lib.sh
. /tests/bench/lib-sampler.sh

must modprobe raid456
must modprobe md-llbitmap2
mkloops 4 128

# member_writes: write requests completed by all members so far.
member_writes() {
	local d sum=0 n
	for d in "${LOOPS[@]}"; do
		n=$(awk -v d="$(basename "$d")" '$3 == d { print $8 }' /proc/diskstats)
		sum=$((sum + n))
	done
	echo "$sum"
}

declare -A R
for bm in internal lockless; do
	for d in "${LOOPS[@]}"; do blkdiscard -f "$d" 2>/dev/null; done
	must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
		--chunk=512 --assume-clean --bitmap="$bm" "${LOOPS[@]}"
	for bs in 4k 64k; do
		w0=$(member_writes)
		sampler_start "$bm-$bs"
		fio --name=r --filename=/dev/md0 --direct=1 --ioengine=libaio \
			--rw=randwrite --bs=$bs --iodepth=16 --numjobs=2 --size=256M \
			--runtime=15 --time_based --group_reporting --eta=never \
			--minimal >/tmp/fio.min || { cat /tmp/fio.min; fail "fio $bm $bs"; }
		sampler_stop "$bm-$bs"
		R[$bm,$bs]=$(awk -F';' '{ print $49 }' /tmp/fio.min)
		R[$bm,$bs,wr]=$(($(member_writes) - w0))
	done
	[ "$bm" = lockless ] && log "bits: $(tr '\n' ' ' </sys/block/md0/md/llbitmap/bits)"
	must mdadm --stop /dev/md0
	for d in "${LOOPS[@]}"; do mdadm --zero-superblock "$d" 2>/dev/null; done
done
printf '%-24s %12s %12s\n' metric classic lockless
for bs in 4k 64k; do
	printf '%-24s %12s %12s\n' "randwrite $bs IOPS" "${R[internal,$bs]}" "${R[lockless,$bs]}"
	printf '%-24s %12s %12s\n' "member writes" "${R[internal,$bs,wr]}" "${R[lockless,$bs,wr]}"
done
log "ok"
