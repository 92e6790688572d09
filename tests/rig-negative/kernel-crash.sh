#!/bin/bash
# rig: mem=512 timeout=30
# Planted failure: the kernel crashes mid-scenario.  The rig must notice
# the guest died and fail the scenario instead of waiting or passing it.
echo c >/proc/sysrq-trigger
sleep 30
