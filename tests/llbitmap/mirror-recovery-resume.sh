#!/bin/bash
# rig: mem=1536 timeout=1500
# A rebuild onto a new device of a RAID-1 or RAID-10 (near, far and offset
# layouts), interrupted and resumed, under md-llbitmap2 and the classic
# bitmap: tests/lib-resume.sh says what each case does and checks.  The
# mirror personalities take the whole rebuild again after an assembly
# (raid1 and raid10 set fullsync for such a member); what this holds is
# that md-llbitmap2 lets a resumed RAID-10 rebuild, which walks member
# offsets while the bitmap indexes array sectors, skip nothing that holds
# data, and that the new member is read alone (its mirror missing).
. /tests/lib.sh
. /tests/llbitmap/lib-llb.sh
. /tests/lib-resume.sh

must modprobe md-mod
must modprobe raid1
must modprobe raid10
modprobe md-llbitmap2 || skip "md-llbitmap2 does not load"

# RR_CASES="LEVEL:BITMAP:HOW ..." runs only those
CASES=${RR_CASES:-1:lockless:stop 1:internal:stop 10:lockless:stop 10f2:lockless:stop 10o2:lockless:stop 10:internal:stop 10:lockless:idle-stop 10f2:lockless:replace 1:lockless:replace}
rr_cases "$CASES"

dmesg_has 'WARNING|BUG|Oops|KASAN|possible circular' && fail "kernel complained"
no_llb_errors
stop_all
log "ok"
