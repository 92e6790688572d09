#!/bin/bash
# rig: mem=1536 timeout=600
# Issue 16 item 6: a bitmap written by md's in-tree llbitmap whose last
# chunk states lie past the reservation (members just under 8 TiB: the
# in-tree rule keeps the chunk count below the reservation, not below the
# reservation minus the 1 KiB header).  Such a bitmap is forged here from
# one of ours (half our chunk size, states written past the reservation
# the way the in-tree code writes them), then the array is started.
# md-llbitmap2 must either load the states that are on disk (the marked
# chunks show up as "need sync") or refuse the bitmap with a message naming
# the array; it must never show them as Unwritten.
# Members: 512 MiB of loop device followed by dm-zero/dm-error up to the
# full size (see large-geometry.sh).
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
must modprobe dm-mod
modprobe dm-zero 2>/dev/null
tail=error
dmsetup targets | grep -q '^zero' && tail=zero
HEAD=$((512 * 2048))
mkloops 3 512
DMS=()
total=$((8 * 1024 * 1024 * 2048 - 2048))	# 1 MiB under 8 TiB
for i in 0 1 2; do
	printf '0 %s linear %s 0\n%s %s %s\n' "$HEAD" "${LOOPS[$i]}" \
		"$HEAD" $((total - HEAD)) "$tail" | dmsetup create "llbo$i" ||
		fail "dm member $i"
	DMS+=("/dev/mapper/llbo$i")
done
must dmsetup mknodes
must mdadm --create /dev/md0 --run --level=5 --raid-devices=3 --chunk=512 \
	--metadata=1.2 --bitmap=lockless "${DMS[@]}"
md_wait_idle md0 300
off=$(awk '$1 == "offset" { print $2 }' /sys/block/md0/md/llbitmap/metadata)
cs=$(awk '$1 == "chunksize" { print $2 }' /sys/block/md0/md/llbitmap/metadata)
msz=$(md_sysfs md0 component_size)
must mdadm --stop /dev/md0
drop_caches "${DMS[@]}"
sb=$(( (8 + off) * 512 ))	# byte offset of the bitmap superblock
res=$(dd if="${DMS[0]}" bs=512 skip=$((8 + off)) count=1 status=none |
	od -An -tu4 -j64 -N4 | tr -d ' ')
room=$((res * 512))
# What the in-tree code picks: half our chunk, as many chunks as fit in
# the whole reservation.
half=$((cs / 2))
n=$(( (msz * 2 + half - 1) / half ))
over=$((1024 + n - room))
log "member $msz KiB, our chunk $cs, forged chunk $half: $n chunks, reservation $room bytes, $over state bytes past it"
[ "$n" -le "$room" ] || fail "not an in-tree geometry ($n chunks > $room)"
[ "$over" -gt 0 ] || fail "forged bitmap does not overrun the reservation"
# The last chunks (inside and past the reservation) marked need sync (3),
# everything else Clean (1).
marked=$((over + 8))
le32() {
	printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))\\x$(printf %02x $((($1 >> 16) & 255)))\\x$(printf %02x $((($1 >> 24) & 255)))"
}
for d in "${DMS[@]}"; do
	le32 "$half" | dd of="$d" bs=1 seek=$((sb + 52)) conv=notrunc status=none ||
		fail "chunksize on $d"
	{ head -c $((n - marked)) /dev/zero | tr '\0' '\1'
	  head -c "$marked" /dev/zero | tr '\0' '\3'; } >/tmp/states
	dd if=/tmp/states of="$d" bs=1M seek=$((sb + 1024)) oflag=seek_bytes \
		conv=notrunc,fsync status=none || fail "states on $d"
done
drop_caches "${DMS[@]}"

# mdadm --assemble probes the end of each member and gives up on the
# dm-error tail: assemble through sysfs (as large-geometry.sh does).
echo md0 >/sys/module/md_mod/parameters/new_array || fail "new md0"
echo 1.2 >/sys/block/md0/md/metadata_version || fail "metadata_version"
for d in "${DMS[@]}"; do
	dmsetup info -c --noheadings -o major,minor "$(basename "$d")" |
		tr -d ' ' >/sys/block/md0/md/new_dev || fail "new_dev $d"
done
if echo active >/sys/block/md0/md/array_state 2>/tmp/err; then
	# loaded: the states on disk must be what it shows
	echo frozen >/sys/block/md0/md/sync_action
	log "loaded: $(bits_line md0)"
	expect_eq "$(chunks md0)" "$n" "chunks of the loaded bitmap"
	expect_bits md0 "need sync" "$marked"
	expect_bits md0 unwritten 0
	echo clear >/sys/block/md0/md/array_state
else
	log "start refused: $(cat /tmp/err)"
	dmesg | grep md-llbitmap2 | tail -3
	dmesg_has "md-llbitmap2: md0: .*reservation.*(errno|error) -?[0-9]+" ||
		fail "refused without a message naming md0 and the error"
	echo clear >/sys/block/md0/md/array_state
fi
mdadm --stop /dev/md0 >/dev/null 2>&1
for i in 0 1 2; do dmsetup remove "llbo$i"; done
log "ok"
