#!/bin/bash
# rig: mem=1536 timeout=900
# Issue 8: proactive_sync written the moment mdadm --create returns (while
# md still recovers or resyncs the new array, or reaps that run) is never
# lost: every shape reaches all chunks clean unwritten in bounded time.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 5 64
shapes=(
	"5 3 64"
	"5 4 64"
	"5 4 512"
	"5 5 128"
	"4 4 64"
	"6 4 64"
	"6 5 256"
	"5 4 64"
	"5 3 32"
)
k=0
for s in "${shapes[@]}"; do
	read -r level nd chunk <<<"$s"
	k=$((k + 1))
	must mdadm --create /dev/md0 --run --quiet --level="$level" \
		--raid-devices="$nd" --chunk="$chunk" --metadata=1.2 \
		--bitmap=lockless "${LOOPS[@]:0:$nd}"
	echo 1 >/sys/block/md0/md/llbitmap/proactive_sync ||
		fail "shape $k (raid$level x$nd, ${chunk}K): proactive_sync refused"
	n=$(chunks md0)
	wait_bits md0 "clean unwritten" "$n" 120
	md_wait_idle md0
	log "shape $k raid$level x$nd ${chunk}K: $n chunks clean unwritten"
	must mdadm --stop /dev/md0
	for l in "${LOOPS[@]}"; do mdadm --zero-superblock "$l" 2>/dev/null; done
done
no_llb_errors
log "ok"
