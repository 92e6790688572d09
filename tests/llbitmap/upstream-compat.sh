#!/bin/bash
# rig: mem=1536 timeout=900
# Issue 3: on-disk compatibility with upstream's llbitmap, both ways.
# Debian's md has no llbitmap, so the rig builds upstream's md-mod with
# md-llbitmap.c compiled in from the same linux-source
# (scripts/build-reference-md); this scenario swaps between that md-mod
# and Debian's md-mod plus md-llbitmap2 over the same members:
#   A: upstream creates and writes, we assemble, check and write, upstream
#      assembles again;
#   B: we create, write and run proactive sync, upstream assembles, checks
#      and writes, we assemble again;
#   C: --assume-clean made by us is all clean under upstream.
# Every hand-over checks the per-state counts, the data and mismatch_cnt.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

REF=/usr/lib/rig-ref/md-mod.ko
[ -f $REF ] || fail "no reference md-mod in the guest"

# unload MOD...: rmmod each loaded one; md_mod may stay busy for a moment
# after the last array stopped.
unload() {
	local m i
	for m in "$@"; do
		for i in $(seq 1 50); do
			[ -d "/sys/module/$m" ] || break
			rmmod "$m" 2>/dev/null && break
			sleep 0.1
		done
		[ -d "/sys/module/$m" ] && fail "cannot unload $m"
	done
	return 0
}

# use_upstream: upstream's md-mod with llbitmap; our module must refuse to
# load beside it with its message.
use_upstream() {
	stop_all
	unload md_llbitmap2 raid456 md_mod
	must insmod $REF
	must modprobe raid456
	must_fail modprobe md-llbitmap2 2>/dev/null
	dmesg_has 'md-llbitmap2: bitmap id [0-9]+ \(llbitmap\) is already registered' ||
		fail "md-llbitmap2 did not say why it refused to load"
	[ -d /sys/module/md_llbitmap2 ] && fail "md-llbitmap2 loaded beside upstream llbitmap"
	log "now on upstream llbitmap"
}

# use_ours: Debian's md-mod and md-llbitmap2.
use_ours() {
	stop_all
	unload raid456 md_mod
	llb_modules
	log "now on md-llbitmap2"
}

# served_by_us MD YES|NO: is md-llbitmap2 the bitmap of MD?
# In a CI rehearsal (2026-11-30) one read right after a stop and an
# assembly under the same name did not show [llbitmap], and the next read
# did (probably the array being torn down still answered).  So up to 5 s
# of retries, and the first answer is logged; a wrong bitmap type does
# not go away.
served_by_us() {
	local refs type= first= i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		type=$(md_sysfs "$1" bitmap_type 2>&1) || true
		[ "$i" = 1 ] && first=$type
		[[ "$type" == *"[llbitmap]"* ]] && break
		sleep 0.5
	done
	[[ "$type" == *"[llbitmap]"* ]] || fail "$1 bitmap_type: $type"
	[ "$i" = 1 ] || log "$1 bitmap_type: first read '$first', [llbitmap] at read $i"
	refs=$(cat /sys/module/md_llbitmap2/refcnt 2>/dev/null || echo none)
	case $2 in
	yes) [ "$refs" != none ] && [ "$refs" -gt 0 ] || fail "$1 is not served by md-llbitmap2 (refcnt $refs)" ;;
	no) expect_eq "$refs" none "md-llbitmap2 refcnt" ;;
	esac
}

# states MD: the counts of every state, one line, for comparisons.
states() {
	sort "/sys/block/$1/md/llbitmap/bits" | tr '\n' ';'
}

# geometry MD: chunk size and chunk count, which both sides must agree on.
geometry() {
	grep -E '^(chunksize|chunks|sync_size) ' "/sys/block/$1/md/llbitmap/metadata" | tr '\n' ';'
}

# disk_map DEV: the per-chunk states as stored on a member (our
# inspector's map rows), to prove positions and not just counts agree.
disk_map() {
	drop_caches "$1"
	llbitmap2-inspect --map "$1" | grep -E '^ *[0-9]+ [.=DNSnsu!]+$' ||
		fail "no map from $1"
}

assemble() {
	local md=$1
	shift
	must $MDADM --assemble "/dev/$md" --run "$@"
	md_wait_idle "$md"
}

# take_over MD WHO STATES GEOMETRY DEV...: the other side assembles MD (WHO:
# "ours" or "upstream" is the new side).  Loading and saving must leave
# the stored map as the previous side wrote it, and the per-state counts
# and the geometry must read the same.
take_over() {
	local md=$1 who=$2 want_states=$3 want_geom=$4 map
	shift 4
	map=$(disk_map "$1")
	assemble "$md" "$@"
	if [ "$who" = ours ]; then served_by_us "$md" yes; else served_by_us "$md" no; fi
	must mdadm --stop "/dev/$md"
	expect_eq "$(disk_map "$1")" "$map" "stored map of $md after $who loaded and saved it"
	assemble "$md" "$@"
	expect_eq "$(states "$md")" "$want_states" "$md states after the hand-over to $who"
	expect_eq "$(geometry "$md")" "$want_geom" "$md geometry after the hand-over to $who"
}

# settle_upstream MD DEV...: the reference's syncs are over and its dirty
# chunks are clean.  Upstream's daemon does not come back after an array
# started degraded (the create-time recovery, here): its dirty chunks can
# stay dirty for good, which md-llbitmap2's daemon does not allow.  So the
# check must not wait for it: once no chunk waits for or is in a sync, a
# stop (upstream's flush turns dirty into clean) and an assembly bring the
# state every later step compares against, with no timing involved.
settle_upstream() {
	local md=$1 i
	shift
	for i in $(seq 1 600); do
		if [ "$(bits "$md" "need sync")" = 0 ] &&
			[ "$(bits "$md" syncing)" = 0 ] &&
			[ "$(bits "$md" "need sync unwritten")" = 0 ] &&
			[ "$(bits "$md" "syncing unwritten")" = 0 ]; then
			break
		fi
		sleep 0.2
	done
	md_wait_idle "$md"
	if [ "$(bits "$md" dirty)" != 0 ]; then
		log "$md: upstream left $(bits "$md" dirty) chunks dirty; stop and assemble to flush them"
		must mdadm --stop "/dev/$md"
		assemble "$md" "$@"
	fi
	wait_settled "$md" 10
}

mkloops 7 96

# --- A: upstream creates ------------------------------------------------
use_upstream
A=("${LOOPS[@]:0:4}")
must $MDADM --create /dev/md0 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless "${A[@]}"
md_wait_idle md0
served_by_us md0 no
n=$(chunks md0)
expect_bits md0 unwritten "$n"
fast_daemon md0
size_kb=$(( $(dev_sectors /dev/md0) / 2 ))
write_big /dev/md0 0 1024 a1
write_big /dev/md0 $((size_kb / 2)) 2048 a2
settle_upstream md0 "${A[@]}"
[ "$(bits md0 clean)" -gt 0 ] || fail "upstream settled nothing to clean: $(bits_line md0)"
s_up=$(states md0) g_up=$(geometry md0)
log "upstream wrote: $s_up $g_up"

use_ours
take_over md0 ours "$s_up" "$g_up" "${A[@]}"
verify_big /dev/md0 0 a1
verify_big /dev/md0 $((size_kb / 2)) a2
md_check md0
fast_daemon md0
write_big /dev/md0 $((size_kb - 1024)) 1024 a3
wait_settled md0
s_ours=$(states md0)
[ "$s_ours" != "$s_up" ] || fail "our write changed no state: $s_ours"
log "md-llbitmap2 wrote: $s_ours"

use_upstream
take_over md0 upstream "$s_ours" "$g_up" "${A[@]}"
verify_big /dev/md0 0 a1
verify_big /dev/md0 $((size_kb / 2)) a2
verify_big /dev/md0 $((size_kb - 1024)) a3
md_check md0

# --- B: we create, with proactive sync ------------------------------------
use_ours
B=("${LOOPS[@]:4:3}")
must $MDADM --create /dev/md1 --run --level=5 --raid-devices=3 --chunk=128 \
	--metadata=1.2 --bitmap=lockless "${B[@]}"
md_wait_idle md1
served_by_us md1 yes
n=$(chunks md1)
fast_daemon md1
size_kb=$(( $(dev_sectors /dev/md1) / 2 ))
write_big /dev/md1 1024 1024 b1
wait_settled md1
nclean=$(bits md1 clean)
[ "$nclean" -gt 0 ] || fail "nothing clean after our write: $(bits_line md1)"
echo 1 >/sys/block/md1/md/llbitmap/proactive_sync || fail "proactive_sync"
wait_bits md1 "clean unwritten" $((n - nclean)) 300
wait_settled md1
s_ours=$(states md1) g_ours=$(geometry md1)
log "md-llbitmap2 after proactive sync: $s_ours $g_ours"

use_upstream
take_over md1 upstream "$s_ours" "$g_ours" "${B[@]}"
verify_big /dev/md1 1024 b1
md_check md1
fast_daemon md1
# Into clean-unwritten chunks: upstream must take them (and the io block
# around them) to clean with no resync, because our proactive sync built
# their parity: nothing may pass through need sync.
resyncs=$(dmesg | grep -c 'resync of RAID array md1')
write_big /dev/md1 $((size_kb - 2048)) 1024 b2
settle_upstream md1 "${B[@]}"
[ "$(bits md1 "clean unwritten")" -lt $((n - nclean)) ] ||
	fail "upstream's write left every clean-unwritten chunk: $(bits_line md1)"
expect_eq $(( $(bits md1 clean) + $(bits md1 "clean unwritten") )) "$n" \
	"clean + clean unwritten after upstream's write ($(bits_line md1))"
[ "$(dmesg | grep -c 'resync of RAID array md1')" = "$resyncs" ] ||
	fail "upstream resynced after writing into clean-unwritten chunks"
s_up=$(states md1)

use_ours
take_over md1 ours "$s_up" "$g_ours" "${B[@]}"
verify_big /dev/md1 1024 b1
verify_big /dev/md1 $((size_kb - 2048)) b2
md_check md1
stop_all
drop_caches "${B[@]}"
parity_clean "${B[@]}"

# --- C: --assume-clean by us, assembled by upstream ----------------------
for d in "${A[@]}"; do
	must mdadm --zero-superblock "$d"
done
must $MDADM --create /dev/md2 --run --level=5 --raid-devices=4 --chunk=64 \
	--metadata=1.2 --bitmap=lockless --assume-clean "${A[@]}"
served_by_us md2 yes
n=$(chunks md2)
expect_bits md2 clean "$n"
use_upstream
assemble md2 "${A[@]}"
served_by_us md2 no
expect_bits md2 clean "$n"
stop_all
unload raid456 md_mod
no_llb_errors
