#!/bin/bash
# rig: mem=512 timeout=10
# Planted failure: outlives its timeout.  The rig must stop it and fail it.
sleep 600
