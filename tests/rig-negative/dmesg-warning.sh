#!/bin/bash
# rig: mem=512 timeout=30
# Planted failure: exits 0 but the kernel log carries a WARNING.  The rig
# must judge it failed, or it would miss real kernel warnings.
echo "WARNING: CPU: 0 PID: 1 at planted by the rig self-test" >/dev/kmsg
exit 0
