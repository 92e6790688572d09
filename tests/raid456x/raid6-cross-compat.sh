#!/bin/bash
# rig: personality=both mem=1536 timeout=1200
# RAID-6 arrays move between the in-tree raid456 and raid456x with
# identical data and valid P and Q, in both directions: md's RAID-6 layouts
# (the four rotations, parity-first/last; raid6-cross-compat-ddf.sh has the
# DDF and *-6 ones) over 4 to 16 members and chunks of 4 KiB to 1 MiB.  Each array is created
# and written under one personality, assembled under the other, read back
# by checksum and checked there (mismatch_cnt 0: the other side's P and Q
# match the data), written there, and read and checked again under the
# first.  md's raid456 is the independent parity check.
. /tests/lib.sh
. /tests/raid456x/lib-r5x.sh
. /tests/raid456x/lib-r6-compat.sh

must modprobe md-mod

# creator layout layout-number chunk-KiB members
configs=(
	"raid456 left-asymmetric 0 64 4"
	"raid456x right-asymmetric 1 4 5"
	"raid456 left-symmetric 2 512 6"
	"raid456x right-symmetric 3 16 7"
	"raid456 parity-first 4 128 4"
	"raid456x parity-last 5 32 5"
	"raid456x left-symmetric 2 64 16"
	"raid456 left-asymmetric 0 4 11"
	"raid456x right-asymmetric 1 1024 9"
)

r6_cross_compat "${configs[@]}"
r5x_unload_all
log "ok"
