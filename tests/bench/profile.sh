#!/bin/bash
# rig: personality=both mem=1536 timeout=1200
# Where the time goes in the figures where raid456x or md-llbitmap2 fall
# short (BENCHMARKS.md): each fio job of the benchmark, 8 s, under perf
# (RIG_PERF=1 make check T=tests/bench/profile.sh; without perf only the
# figures are printed).  Same arrays as scripts/bench: 4 members of
# 128 MiB, 512 KiB chunks, --assume-clean.  For each job: the figure, the
# CPU time by task (swapper is idle time), the hottest symbols, and the
# inclusive share of the functions that own them.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/bench/lib-perf.sh

must modprobe md-mod
mkloops 4 128
for d in "${LOOPS[@]}"; do fallocate -l 128M "$(loop_file "$d")"; done

RUNTIME=8
FIO=(--filename=/dev/md0 --direct=1 --ioengine=libaio --time_based --runtime="$RUNTIME"
	--ramp_time=1 --group_reporting --randrepeat=0 --norandommap --eta=never --minimal)

# profile_job TAG NAME FIO-ARGS...: run one job under perf and report.
profile_job() {
	local tag=$1 name=$2
	shift 2
	perf_start "$tag-$name"
	fio --name="$name" "${FIO[@]}" "$@" >/tmp/fio.min || { cat /tmp/fio.min; fail "fio $name"; }
	perf_stop "$tag-$name" >/tmp/report.txt
	# read KiB/s + write KiB/s, IOPS; CPU time per IO below
	awk -F';' -v t="$tag" -v n="$name" '{ printf "FIGURE %-22s %-12s %10d KiB/s %8d IOPS\n", t, n, $7 + $48, $8 + $49 }' /tmp/fio.min
	command -v perf >/dev/null || return 0
	sed -n '1,25p' /tmp/report.txt
	perf_by_task "$tag-$name" "$(awk -F';' -v t="$RUNTIME" '{ print ($8 + $49) * t }' /tmp/fio.min)"
}

for cfg in raid456-none raid456x-none raid456-internal raid456-lockless; do
	p=${cfg%-*} bm=${cfg#*-}
	use_personality "$p"
	[ "$bm" = lockless ] && must modprobe md-llbitmap2
	must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
		--chunk=512 --bitmap="$bm" --assume-clean "${LOOPS[@]}"
	case $bm in
	none)
		profile_job "$cfg" seqwrite --rw=write --bs=1M --iodepth=16
		profile_job "$cfg" seqread --rw=read --bs=1M --iodepth=16
		profile_job "$cfg" randwrite64k --rw=randwrite --bs=64k --iodepth=16 --numjobs=2
		profile_job "$cfg" randwrite4k --rw=randwrite --bs=4k --iodepth=16 --numjobs=2
		;;
	*)
		profile_job "$cfg" seqwrite --rw=write --bs=1M --iodepth=16
		profile_job "$cfg" randwrite4k.j1 --rw=randwrite --bs=4k --iodepth=16 --numjobs=1
		profile_job "$cfg" randwrite64k --rw=randwrite --bs=64k --iodepth=16 --numjobs=2
		;;
	esac
	must mdadm --stop /dev/md0
	for d in "${LOOPS[@]}"; do mdadm --zero-superblock "$d" 2>/dev/null; done
done
r5x_unload_all
log "ok"
