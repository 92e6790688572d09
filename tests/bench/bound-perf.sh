#!/bin/bash
# rig: personality=raid456 mem=2048 timeout=1200
# Where the time goes in BENCHMARKS.md's bitmap-bound section (issue 20):
# 4 sparse members of 1 TiB, RAID-5, 512 KiB chunks, --assume-clean,
# every bitmap's daemon at 1 s, 4 KiB random writes over the whole array
# (iodepth 16, 2 jobs, 8 s), for the classic bitmap (mdadm's chunk and
# 2 MiB, the smallest mdadm's 128 KiB bitmap space takes at 1 TiB),
# md-llbitmap2 and upstream's llbitmap (the reference md-mod,
# swapped in as tests/llbitmap/upstream-compat.sh does).  For each: IOPS,
# member write requests per fio write, the chunk states after, and a
# profile: perf with RIG_PERF=1 (CPU), else the stack sampler (where the
# threads wait; lib-sampler.sh, which reads md0_* threads).
# Not a pass/fail scenario: kept out of scripts/check like the rest of
# tests/bench.
. /tests/lib.sh
. /tests/bench/lib-sampler.sh
. /tests/bench/lib-perf.sh

REF=/usr/lib/rig-ref/md-mod.ko
RUNTIME=8

# unload MOD...: as upstream-compat.sh (md_mod may be busy for a moment).
unload() {
	local m
	for m in "$@"; do
		for _ in $(seq 1 50); do
			[ -d "/sys/module/$m" ] || break
			rmmod "$m" 2>/dev/null && break
			sleep 0.1
		done
		[ -d "/sys/module/$m" ] && fail "cannot unload $m"
	done
	return 0
}

member_writes() {
	local d sum=0
	for d in "${LOOPS[@]}"; do
		sum=$((sum + $(awk -v d="$(basename "$d")" '$3 == d { print $8 }' /proc/diskstats)))
	done
	echo "$sum"
}

must modprobe md-mod
must modprobe raid456
must modprobe md-llbitmap2
LOOPS=()
mkloops 4 $((1024 * 1024))

declare -A R
for cfg in classic classic-small llbitmap upstream; do
	if [ "$cfg" = upstream ]; then
		[ -f $REF ] || { log "no reference md-mod: upstream skipped"; continue; }
		unload md_llbitmap2 raid456 md_mod
		must insmod $REF
		must modprobe raid456
	fi
	opts=()
	case $cfg in
	classic) opts=(--bitmap=internal) ;;
	classic-small) opts=(--bitmap=internal --bitmap-chunk=2M) ;;
	*) opts=(--bitmap=lockless) ;;
	esac
	for d in "${LOOPS[@]}"; do mdadm --zero-superblock "$d" 2>/dev/null; done
	must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
		--chunk=512 --assume-clean "${opts[@]}" "${LOOPS[@]}"
	if [ -e /sys/block/md0/md/llbitmap ]; then
		echo 1 >/sys/block/md0/md/llbitmap/daemon_sleep
		echo 1 >/sys/block/md0/md/llbitmap/barrier_idle
		log "$cfg: $(tr '\n' ' ' </sys/block/md0/md/llbitmap/metadata)"
	else
		echo 1 >/sys/block/md0/md/bitmap/time_base
		log "$cfg: classic chunk $(cat /sys/block/md0/md/bitmap/chunksize)"
	fi
	w0=$(member_writes)
	if command -v perf >/dev/null; then
		perf_start "$cfg"
	else
		sampler_start "$cfg"
	fi
	fio --name=r --filename=/dev/md0 --direct=1 --ioengine=libaio --rw=randwrite \
		--bs=4k --iodepth=16 --numjobs=2 --runtime=$RUNTIME --time_based \
		--randrepeat=0 --norandommap --group_reporting --eta=never --minimal \
		>/tmp/fio.min || { cat /tmp/fio.min; fail "fio $cfg"; }
	if command -v perf >/dev/null; then
		perf_stop "$cfg"
		perf_by_task "$cfg" "$(awk -F';' -v t="$RUNTIME" '{ print ($8 + $49) * t }' /tmp/fio.min)"
	else
		sampler_stop "$cfg"
	fi
	R[$cfg]=$(awk -F';' '{ print $49 }' /tmp/fio.min)
	R[$cfg,ios]=$(awk -F';' '{ print $47 / 4 }' /tmp/fio.min)
	R[$cfg,wr]=$(($(member_writes) - w0))
	[ -e /sys/block/md0/md/llbitmap ] && log "$cfg bits: $(tr '\n' ' ' </sys/block/md0/md/llbitmap/bits)"
	must mdadm --stop /dev/md0
	if [ "$cfg" = upstream ]; then
		unload raid456 md_mod
	fi
done
printf '%-14s %10s %14s\n' bitmap IOPS "writes/fio-w"
for cfg in classic classic-small llbitmap upstream; do
	[ -n "${R[$cfg]:-}" ] || continue
	printf '%-14s %10s %14s\n' "$cfg" "${R[$cfg]}" \
		"$(awk -v a="${R[$cfg,wr]}" -v b="${R[$cfg,ios]}" 'BEGIN { printf "%.3f", a / b }')"
done
log "ok"
