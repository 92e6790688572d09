#!/bin/bash
# rig: personality=both mem=1536 timeout=1200 long=1
# RAID-6 arrays move between the in-tree raid456 and raid456x with
# identical data and valid P and Q, in both directions: the three DDF
# rotations (Q weighs data by member index) and the *-6 layouts a RAID-5
# to RAID-6 conversion leaves (raid6-cross-compat.sh has md's own), over
# 4 to 16 members and chunks of 4 KiB to 1 MiB.  Each array is created
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
	"raid456 ddf-zero-restart 8 64 6"
	"raid456x ddf-N-restart 9 8 7"
	"raid456 ddf-N-continue 10 1024 5"
	"raid456x left-asymmetric-6 16 64 5"
	"raid456 right-asymmetric-6 17 256 6"
	"raid456x left-symmetric-6 18 4 4"
	"raid456 right-symmetric-6 19 32 8"
	"raid456x parity-first-6 20 64 5"
	"raid456 ddf-N-continue 10 16 16"
	"raid456x ddf-zero-restart 8 128 13"
)

r6_cross_compat "${configs[@]}"
r5x_unload_all
log "ok"
