#!/bin/bash
# rig: mem=1024 timeout=300
# A member that comes back (re-add) or joins (a new disk) holds the
# bitmap too, and its copy must be current once md counts it In_sync:
# at assembly md-llbitmap2 reads the states from the first In_sync member
# md lists, which may be that one.  A lazy RAID-5 (every chunk
# Unwritten); member 2 fails, writes land in chunks it never saw written
# (they become NeedSync on the other members' copies); member 2 returns
# with --re-add and is rebuilt.  Before the fix nothing rewrote member 2's
# copy of those states once the rebuild ended: it still called them
# Unwritten (no data), and after a power cut an assembly that read it
# would let the next rebuild skip them.  Checked on the raw members
# (llbitmap2-inspect): no chunk that member 0's copy says holds data may
# read as holding none on member 2's.  Then the same for a new disk
# (zeros: every state byte reads Unwritten) rebuilt into the slot.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

command -v llbitmap2-inspect >/dev/null || fail "llbitmap2-inspect is not in the guest"
llb_modules
mkloops 4 48

# ondisk_map DEV: the on-disk states of DEV's bitmap copy, one character
# a chunk (llbitmap2-inspect --map: . unwritten, = clean, D dirty, N need
# sync, S syncing, n/s/u the unwritten build states).
ondisk_map() {
	llbitmap2-inspect --map --width 100000 "$1" >/tmp/map 2>&1 ||
		fail "llbitmap2-inspect $1: $(head -n 3 /tmp/map)"
	awk '/^legend:/ { m = 1; next } m && NF == 2 && $1 ~ /^[0-9]+$/ { printf "%s", $2 }' /tmp/map
}

# same_claims WHAT: every chunk member 0's copy says holds data (= D N S)
# does not read as holding none (. n u) on member 2's copy.
same_claims() {
	local m0 m2 bad
	drop_caches "${LOOPS[@]}"
	m0=$(ondisk_map "${LOOPS[0]}")
	m2=$(ondisk_map "${LOOPS[2]}")
	[ -n "$m0" ] || fail "$1: no map of member 0"
	[ "${#m0}" = "${#m2}" ] ||
		fail "$1: maps of member 0 (${#m0}) and member 2 (${#m2}) differ in size"
	bad=$(awk -v a="$m0" -v b="$m2" 'BEGIN {
		for (i = 1; i <= length(a); i++) {
			x = substr(a, i, 1); y = substr(b, i, 1)
			if (index("=DNS", x) && index(".nu", y)) {
				n++; if (!f) f = i - 1 ": " x " vs " y
			}
		}
		if (n) print n " chunks, first " f }')
	log "$1: member 0 ${m0:0:64}...${m0:500:40}"
	log "$1: member 2 ${m2:0:64}...${m2:500:40}"
	[ -z "$bad" ] || fail "$1: member 2's bitmap copy says no data where member 0's says data: $bad"
}

# md's default daemon_sleep (30 s): no sync checkpoint in these short
# rebuilds rewrites the whole bitmap by chance.  Chunks start Unwritten
# (or CleanUnwritten); a write marks every chunk of its bitmap block
# (512 chunks of 64 KiB here), so b and c lie blocks away from a.
llb_create md0 5 3 --chunk=64
write_random /dev/md0 0 256 a 64

must $MDADM /dev/md0 --fail "${LOOPS[2]}"
must $MDADM /dev/md0 --remove "${LOOPS[2]}"
write_random /dev/md0 65536 512 b 64
must $MDADM /dev/md0 --re-add "${LOOPS[2]}"
md_wait_idle md0
same_claims "re-added member"

must $MDADM /dev/md0 --fail "${LOOPS[2]}"
must $MDADM /dev/md0 --remove "${LOOPS[2]}"
write_random /dev/md0 81920 512 c 64
dd if=/dev/zero of="${LOOPS[3]}" bs=1M count=48 oflag=direct status=none
must $MDADM --zero-superblock "${LOOPS[2]}"
LOOPS[2]=${LOOPS[3]}
must $MDADM /dev/md0 --add "${LOOPS[2]}"
md_wait_idle md0
same_claims "new member"

verify_random /dev/md0 0 a
verify_random /dev/md0 65536 b
verify_random /dev/md0 81920 c
must $MDADM --stop /dev/md0
no_llb_errors
log "ok"
