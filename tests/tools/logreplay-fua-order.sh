#!/bin/bash
# rig: mem=1024 timeout=300
# What logreplay --fua-last is for, shown on the kernel's dm-log-writes:
# a plain write of a block, then an O_DIRECT|O_DSYNC write of the same
# block (a REQ_FUA write, then the flush of the dsync).  The device ends
# with the second write.  dm-log-writes logs the FUA write when it
# completes and the plain one only when the flush completes, so the log
# holds them in the wrong order:
#   - the listing has the FUA entry before the plain one, both before the
#     flush (else the case did not happen and the scenario fails);
#   - replayed in log order, the block comes back as the older write;
#   - replayed with --fua-last, the block is the newer write, and the
#     whole replay equals the device.
# crash-points.sh met this on CI (a resync's parity write, then a user's
# O_SYNC write of the same stripe) and replays with --fua-last.
. /tests/lib.sh

command -v logreplay >/dev/null || fail "logreplay is not in the guest"
must modprobe dm-mod
must modprobe dm-log-writes
modprobe loop max_loop=16 2>/dev/null || true

T=/tmp/lfo
rm -rf "$T"
mkdir -p "$T"
dd if=/dev/urandom of="$T/initial.img" bs=1M count=16 status=none || fail "initial image"
cp "$T/initial.img" "$T/data.img"
truncate -s 64M "$T/log.img"
ld=$(losetup -f --show "$T/data.img") || fail "losetup data"
ll=$(losetup -f --show "$T/log.img") || fail "losetup log"
must dmsetup create lw --table "0 $(dev_sectors "$ld") log-writes $ld $ll"
dmsetup mknodes >/dev/null 2>&1
[ -b /dev/mapper/lw ] || fail "no /dev/mapper/lw"
log "write cache of the logged device: $(cat "/sys/block/dm-$(dmsetup info -c --noheadings -o minor lw | tr -d ' ')/queue/write_cache")"

head -c 4096 /dev/zero | tr '\0' W >"$T/w"
head -c 4096 /dev/zero | tr '\0' F >"$T/f"
must dmsetup message lw 0 mark start
# block 8 (sector 64): plain, then FUA; nothing flushes in between
must dd if="$T/w" of=/dev/mapper/lw bs=4k seek=8 count=1 oflag=direct status=none
must dd if="$T/f" of=/dev/mapper/lw bs=4k seek=8 count=1 oflag=direct,dsync status=none
must dmsetup message lw 0 mark end
must dmsetup remove lw
must losetup -d "$ld" "$ll"

logreplay --list "$T/log.img" >"$T/list" || fail "logreplay --list"
awk '/mark=start$/ { on = 1 } on' "$T/list" | head -8 | sed 's/^/  log| /'
fua=$(awk '/mark=start$/ { on = 1 } on && / sector=64 blocks=8 / && /FUA/ { print $1; exit }' "$T/list")
plain=$(awk '/mark=start$/ { on = 1 } on && / sector=64 blocks=8 flags=WRITE/ { print $1; exit }' "$T/list")
flush=$(awk -v p="${plain:-0}" '$1 > p && /FLUSH/ { print $1; exit }' "$T/list")
[ -n "$fua" ] || fail "no FUA entry for the dsync write (the logged device takes no FUA?)"
[ -n "$plain" ] || fail "no plain entry for the first write"
[ "$fua" -lt "$plain" ] ||
	fail "the log holds the plain write ($plain) before the FUA one ($fua): the case did not happen"
[ -n "$flush" ] || fail "no flush after the plain write's entry"
log "entries: FUA $fua, plain $plain, flush $flush"

# block8 IMG: the first byte of block 8
block8() {
	dd if="$1" bs=4k skip=8 count=1 status=none | head -c 1
}
[ "$(block8 "$T/data.img")" = F ] || fail "the device does not hold the newer write"

cp "$T/initial.img" "$T/r1.img"
must logreplay --replay "$T/r1.img" "$T/log.img"
[ "$(block8 "$T/r1.img")" = W ] ||
	fail "replayed in log order, block 8 is '$(block8 "$T/r1.img")', not the older write"
log "log order: block 8 comes back as the older write (what a disk never keeps)"

cp "$T/initial.img" "$T/r2.img"
must logreplay --replay "$T/r2.img" --fua-last "$T/log.img"
[ "$(block8 "$T/r2.img")" = F ] || fail "--fua-last: block 8 is '$(block8 "$T/r2.img")'"
cmp "$T/r2.img" "$T/data.img" || fail "--fua-last: the whole replay differs from the device"
grep -q "^$plain .* shadowed=8$" <(logreplay --list --fua-last "$T/log.img") ||
	fail "--fua-last --list does not name entry $plain as shadowed"
rm -rf "$T"
log "ok"
