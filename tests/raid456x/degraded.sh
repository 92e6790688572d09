#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=800
# fio writes and verifies while a member fails in the middle of the run;
# the degraded array is then rebuilt onto a spare, verified again with
# fio's verify-only pass and md's check, and read once more with a
# different member missing (so the rebuilt member is read through parity).
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh

r5x_load
mkloops 5 40
spare=${LOOPS[4]}
must mdadm --create /dev/md0 --run --quiet --level=5 --raid-devices=4 \
	--chunk=32 --bitmap=none --assume-clean "${LOOPS[@]:0:4}"

fioargs=(--name=d --filename=/dev/md0 --direct=1 --ioengine=psync
	--rw=randwrite --bs=4k --size=12M --verify=crc32c --verify_fatal=1
	--eta=never --randrepeat=1)
fio "${fioargs[@]}" --bsrange=512-64k --output=/tmp/fio1.out &
fpid=$!
sleep 4
must mdadm /dev/md0 --fail "${LOOPS[1]}"
wait $fpid || { cat /tmp/fio1.out; fail "fio verify across the failure"; }
grep -q '\[4/3\]' /proc/mdstat || fail "array not degraded"
dmesg_has 'raid456x:md0: disk failure' || fail "no failure message"

# degraded writes, then rebuild onto the spare
write_random /dev/md0 20000 1500 deg
must mdadm /dev/md0 --remove "${LOOPS[1]}"
must mdadm /dev/md0 --add "$spare"
sleep 1
md_wait_idle md0
grep -q '\[4/4\]' /proc/mdstat || fail "spare not in sync"
fio "${fioargs[@]}" --bsrange=512-64k --verify_only --output=/tmp/fio2.out ||
	{ cat /tmp/fio2.out; fail "fio verify after recovery"; }
verify_random /dev/md0 20000 deg
md_check md0

# read everything with member 0 missing: the spare now carries data
must mdadm /dev/md0 --fail "${LOOPS[0]}"
echo 3 >/proc/sys/vm/drop_caches
fio "${fioargs[@]}" --bsrange=512-64k --verify_only --output=/tmp/fio3.out ||
	{ cat /tmp/fio3.out; fail "fio verify with member 0 missing"; }
verify_random /dev/md0 20000 deg
must mdadm --stop /dev/md0
r5x_unload_all
log "ok"
