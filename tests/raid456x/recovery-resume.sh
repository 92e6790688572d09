#!/bin/bash
# rig: personality=raid456x mem=1536 timeout=1500
# A rebuild onto a new device, interrupted and resumed, under raid456x
# (RAID-5 and RAID-6 x md-llbitmap2, the classic bitmap and no bitmap;
# RAID-4 with md-llbitmap2):
# tests/lib-resume.sh says what each case does and checks.
# Found by the torture harness (crash-points, raid456x+recovery): raid456x
# rebuilt only the bitmap's dirty chunks after an assembly, and the new
# member kept its random bytes under every clean chunk.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/llbitmap/lib-llb.sh

. /tests/lib-resume.sh

r5x_load
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"
need_r5parity

# RR_CASES="LEVEL:BITMAP:HOW ..." runs only those; RR_PERS=raid456 runs
# them under the in-tree personality (the control)
[ -z "${RR_PERS:-}" ] || use_personality "$RR_PERS"
CASES=${RR_CASES:-5:lockless:stop 5:internal:stop 5:none:stop 6:lockless:stop 6:internal:stop 6:none:stop 5:lockless:idle 6:lockless:frozen 5:internal:replace 6:lockless:replace 5:lockless:idle-stop 6:internal:idle-stop 4:lockless:stop}
rr_cases "$CASES"

dmesg_has 'WARNING|BUG|Oops|KASAN|possible circular' && fail "kernel complained"
r5x_dmesg_clean
no_llb_errors
r5x_unload_all
log "ok"
