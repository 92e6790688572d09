#!/bin/bash
# rig: mem=1024 timeout=300
# The daemon must not settle a chunk whose write failed on a member while
# the daemon waited for that write.  RAID-1 over two dm members, no
# bad-block log (a failed member write fails the member, as md does
# without one).  Member 1 stops answering (dm suspend) and a write into
# chunk K starts: K turns dirty and the write waits for member 1.  The
# daemon comes (daemon_sleep 10 s), sees a whole array and waits for the
# write to drain from K's bitmap page.  Then member 1 fails every IO:
# md fails it (degraded) and the write ends on member 0 alone.  K must
# stay dirty, since member 1 lacks it: the bitmap is what brings it back.
# Then member 1 returns whole through --re-add (bitmap-based recovery)
# and member 0 fails: K must read the data written while member 1 was
# out.  Before the fix the daemon, which had looked at degraded before it
# waited, settled K to clean: the re-add copied nothing and K read old.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
modprobe raid1 || true
mkloops 2 16
dm_members sf
K_KB=512

must $MDADM --create /dev/md0 --run --quiet --level=1 --raid-devices=2 \
	--metadata=1.2 --bitmap=lockless --assume-clean "${DMS[@]}"
must $MDADM --stop /dev/md0
must $MDADM --assemble /dev/md0 --update=no-bbl "${DMS[@]}"
fast_daemon md0
# stay "active" from the fill on: md's superblock write when a clean
# array turns active would wait for the suspended member, and the test
# write would reach the bitmap only after member 1 had failed
echo 600 >/sys/block/md0/md/safe_mode_delay || fail "safe_mode_delay"
write_random /dev/md0 0 1024 p1 64
wait_settled md0
expect_eq "$(md_sysfs md0 array_state)" active "array state before the test write"
echo 10 >/sys/block/md0/md/llbitmap/daemon_sleep || fail "daemon_sleep"
log "settled: $(bits_line md0)"

sz=$(dev_sectors "${LOOPS[1]}")
must dmsetup suspend --noflush sf1
mkref p2 64
dd if=/tmp/ref/p2 of=/dev/md0 bs=64k seek=$((K_KB / 64)) count=1 \
	oflag=direct conv=notrunc status=none &
ddpid=$!
# the daemon's timer, armed when K turned dirty, fires after 10 s and
# then waits up to 10 s for the write; fail member 1 inside that wait
sleep 14
log "while the write waits: $(bits_line md0)"
expect_eq "$(bits md0 dirty)" 1 "chunks dirty while the write waits"
printf '0 %s error\n' "$sz" | dmsetup load sf1 || fail "load error table"
must dmsetup resume sf1
wait "$ddpid" || fail "the write failed although member 0 took it"
grep -A1 '^md0 ' /proc/mdstat | grep -q '\[2/1\]' || fail "member 1 was not failed"
sleep 3
log "degraded, after the daemon: $(bits_line md0)"
# judged at the end, after the data has shown what this costs
settled=0
[ "$(bits md0 dirty)$(bits md0 "need sync")" != 00 ] || settled=1

printf '0 %s linear %s 0\n' "$sz" "${LOOPS[1]}" | dmsetup load sf1 ||
	fail "load linear table"
must dmsetup resume sf1
must $MDADM /dev/md0 --remove "${DMS[1]}"
must $MDADM /dev/md0 --re-add "${DMS[1]}"
md_wait_idle md0
grep -A1 '^md0 ' /proc/mdstat | grep -q '\[2/2\]' || fail "member 1 is not back"
must $MDADM /dev/md0 --fail "${DMS[0]}"
drop_caches /dev/md0
verify_random /dev/md0 "$K_KB" p2
dd if=/dev/md0 bs=64k count=$((K_KB / 64)) iflag=direct status=none | cksum >/tmp/head.got
head -c $((K_KB * 1024)) /tmp/ref/p1 | cksum >/tmp/head.want
cmp -s /tmp/head.got /tmp/head.want || fail "data before K changed"
must $MDADM --stop /dev/md0
[ "$settled" = 0 ] || fail "chunk K settled clean on a degraded array: member 1 never got it"
log "ok"
