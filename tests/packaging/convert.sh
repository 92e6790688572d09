#!/bin/bash
# rig: mem=1024 timeout=900
# Converting an existing RAID-5 to the lockless bitmap, as docs/README
# describes it:
#  - mdadm 4.6 "--grow --bitmap=lockless" adds a CLASSIC bitmap (so the
#    docs must keep saying it does not convert);
#  - the in-place path: re-create over the same members with the same
#    geometry, data offset and UUID, --assume-clean --bitmap=lockless.
#    The data survives, every chunk starts Clean, parity checks clean,
#    and a member can be failed and rebuilt.
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh

llb_modules
mkloops 5 64
must mdadm --create /dev/md0 --run --level=5 --raid-devices=4 --metadata=1.2 \
	--bitmap=internal --chunk=64 "${LOOPS[@]:0:4}"
md_wait_idle md0
size_kb=$(( $(dev_sectors /dev/md0) / 2 ))
boff=$(( size_kb * 8 / 10 ))
log "array: ${size_kb} KiB"
write_random /dev/md0 0 8192 a
write_random /dev/md0 "$boff" 4096 b
md_check md0

# 1. mdadm 4.6 cannot grow to lockless.
must mdadm --grow /dev/md0 --bitmap=none
mdadm --grow /dev/md0 --bitmap=lockless >/tmp/grow.out 2>&1
log "mdadm --grow --bitmap=lockless: rc=$? $(tr '\n' ' ' </tmp/grow.out)"
bt=$(md_sysfs md0 bitmap_type)
log "bitmap_type after grow: $bt"
case $bt in
*"[llbitmap]"*) fail "this mdadm grew a lockless bitmap: update docs/README-sections.md (convert)" ;;
esac
must mdadm --grow /dev/md0 --bitmap=none

# 2. Re-create in place.  Everything that defines the layout is read back
# from the running array and its members.
level=$(md_sysfs md0 level)
ndev=$(md_sysfs md0 raid_disks)
chunk_kb=$(( $(md_sysfs md0 chunk_size) / 1024 ))
layout=$(mdadm --detail /dev/md0 | awk -F' : ' '/^ *Layout :/ { print $2 }')
uuid=$(mdadm --detail /dev/md0 | awk -F' : ' '/^ *UUID :/ { print $2 }' | tr -d ' ')
doff=$(mdadm --examine "${LOOPS[0]}" | awk '/Data Offset :/ { print $4 }')
size_kib=$(md_sysfs md0 component_size)
order=()
for i in $(seq 0 $((ndev - 1))); do
	for d in "${LOOPS[@]:0:4}"; do
		role=$(mdadm --examine "$d" | awk '/Device Role :/ { print $NF }')
		[ "$role" = "$i" ] && order+=("$d")
	done
done
expect_eq "${#order[@]}" "$ndev" "members found in role order"
log "geometry: $level n=$ndev chunk=${chunk_kb}K layout=$layout data_offset=${doff}s size=${size_kib}K uuid=$uuid order=${order[*]}"
before=$(sum_range /dev/md0 0 8192)
must mdadm --stop /dev/md0

must mdadm --create /dev/md0 --run --assume-clean --level="$level" \
	--raid-devices="$ndev" --metadata=1.2 --chunk="$chunk_kb" --layout="$layout" \
	--size="$size_kib" --data-offset=$((doff / 2))K --uuid="$uuid" --bitmap=lockless "${order[@]}"
grep -q '\[llbitmap\]' /sys/block/md0/md/bitmap_type || fail "not lockless: $(md_sysfs md0 bitmap_type)"
expect_eq "$(mdadm --examine "${order[0]}" | awk '/Data Offset :/ { print $4 }')" "$doff" "data offset after re-create"
expect_eq "$(sum_range /dev/md0 0 8192)" "$before" "data after re-create"
verify_random /dev/md0 0 a
verify_random /dev/md0 "$boff" b
log "after re-create: $(bits_line md0)"
expect_eq "$(bits md0 clean)" "$(chunks md0)" "every chunk Clean after --assume-clean"
md_check md0

# 3. It behaves as a lockless array: lose a member, rebuild onto a spare.
fast_daemon md0
write_random /dev/md0 40960 2048 c
must mdadm /dev/md0 --fail "${order[1]}"
verify_random /dev/md0 0 a
verify_random /dev/md0 "$boff" b
verify_random /dev/md0 40960 c
must mdadm /dev/md0 --remove "${order[1]}"
must mdadm /dev/md0 --add "${LOOPS[4]}"
sleep 1
md_wait_idle md0
# Not wait_settled: chunks that were dirty when the member failed can stay
# dirty after the rebuild until the next write (reported separately).
grep -q "${LOOPS[4]#/dev/}\[" /proc/mdstat || fail "new member not active: $(cat /proc/mdstat)"
log "after rebuild: $(bits_line md0)"
must mdadm /dev/md0 --fail "${order[0]}"
verify_random /dev/md0 0 a
verify_random /dev/md0 "$boff" b
verify_random /dev/md0 40960 c
must mdadm --stop /dev/md0
no_llb_errors
log "ok"
