#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rig: mem=512 timeout=30 boot_deadline=60 plant=boot-hang
# The rig's boot deadline: the first boot is made to hang before the
# scenario (the guest's init never gets here), so the host must kill it
# after boot_deadline seconds and boot again.  This runs only in a boot
# that the rig retried; without the retry, the scenario never begins and
# fails at the host's limit.
. /tests/lib.sh

try=$(sed -n 's/.*rig\.try=\([0-9]*\).*/\1/p' /proc/cmdline)
log "this is try ${try:-?} of boot $RIG_BOOT"
[ -n "$try" ] || fail "the rig passed no rig.try= on the command line"
[ "$try" -ge 2 ] || fail "the planted hang did not happen: this is the first try"
grep -q 'rig.plant=' /proc/cmdline && fail "the retry carried the planted hang again"
exit 0
