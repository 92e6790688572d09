#!/bin/bash
# rig: mem=512 timeout=30
# Planted failure: the checksum helpers must catch one changed byte.
. /tests/lib.sh
mkloops 1 8
write_random "${LOOPS[0]}" 0 1024 ref
verify_random "${LOOPS[0]}" 0 ref
printf 'X' | dd of="${LOOPS[0]}" bs=1 seek=4096 conv=notrunc status=none
sync
echo 3 >/proc/sys/vm/drop_caches
verify_random "${LOOPS[0]}" 0 ref
exit 0
