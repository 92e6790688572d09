#!/bin/bash
# rig: personality=raid456x mem=1024 timeout=600
# discard-partial-row.sh on a RAID-6 of five members (three data chunks
# per row, as the RAID-5 of four there): a discard smaller than a row
# changes no md-llbitmap2 state; after replacing one member and then two
# at once, every live row reads back exact, also with every pair of
# members missing, and P and Q of those rows are right (r5parity).
R5X_LEVEL=6
. /tests/raid456x/discard-partial-row.sh
