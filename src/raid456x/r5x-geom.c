// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: layout math (RAID-4, 5 and 6).  These functions decide where every byte lives on
 * the members, so they must agree with md's raid5 exactly: an array moves
 * between the two personalities without conversion.
 *
 * Array space is cut into chunks; data_disks consecutive chunks form one
 * "row" (a chunk-sized stripe).  Row r sits at member offset
 * r * chunk_sectors on every member and its parity member rotates with r
 * according to the layout.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/math64.h>

bool r5x_layout_valid(int level, int layout)
{
	/* md's raid4 always keeps parity on the last member, whatever layout */
	if (level == 4)
		return true;
	if (layout >= R5X_LEFT_ASYMMETRIC && layout <= R5X_PARITY_N)
		return true;
	if (level != 6)
		return false;
	return (layout >= R5X_ROTATING_ZERO_RESTART &&
		layout <= R5X_ROTATING_N_CONTINUE) ||
	       (layout >= R5X_LEFT_ASYMMETRIC_6 && layout <= R5X_PARITY_0_6);
}

/*
 * RAID-6 layouts whose Q syndrome weighs each data block by its member
 * index (DDF), not by its place in the row's data order.
 */
bool r5x_layout_ddf(const struct r5x_conf *conf)
{
	return conf->level == 6 &&
	       conf->algorithm >= R5X_ROTATING_ZERO_RESTART &&
	       conf->algorithm <= R5X_ROTATING_N_CONTINUE;
}

/* P member of RAID-6 chunk row @row (md's raid5_compute_sector, level 6). */
static int r5x_row_parity6(const struct r5x_conf *conf, u64 row)
{
	int n = conf->raid_disks;
	u32 rot, rot6;

	div_u64_rem(row, n, &rot);
	div_u64_rem(row, n - 1, &rot6);
	switch (conf->algorithm) {
	case R5X_LEFT_ASYMMETRIC:
	case R5X_LEFT_SYMMETRIC:
	case R5X_ROTATING_N_CONTINUE:
		return n - 1 - rot;
	case R5X_ROTATING_N_RESTART:
		/* left-asymmetric shifted by one row: D D D P Q first */
		div_u64_rem(row + 1, n, &rot);
		return n - 1 - rot;
	case R5X_RIGHT_ASYMMETRIC:
	case R5X_RIGHT_SYMMETRIC:
	case R5X_ROTATING_ZERO_RESTART:
		return rot;
	case R5X_PARITY_0:
	case R5X_PARITY_0_6:
		return 0;
	case R5X_PARITY_N:
		return conf->data_disks;
	/* RAID-5 rotation over all but the last member, which holds Q */
	case R5X_LEFT_ASYMMETRIC_6:
	case R5X_LEFT_SYMMETRIC_6:
		return conf->data_disks - rot6;
	default:	/* RIGHT_ASYMMETRIC_6, RIGHT_SYMMETRIC_6 */
		return rot6;
	}
}

/* Q member of a RAID-6 row whose P member is @pd; -1 for RAID-4/5. */
int r5x_q_disk(const struct r5x_conf *conf, int pd)
{
	int n = conf->raid_disks;

	if (conf->level != 6)
		return -1;
	switch (conf->algorithm) {
	case R5X_PARITY_0:
		return 1;
	case R5X_ROTATING_N_CONTINUE:
		/* Q just before P */
		return (pd + n - 1) % n;
	case R5X_LEFT_ASYMMETRIC_6:
	case R5X_RIGHT_ASYMMETRIC_6:
	case R5X_LEFT_SYMMETRIC_6:
	case R5X_RIGHT_SYMMETRIC_6:
	case R5X_PARITY_0_6:
		return n - 1;
	default:
		/* Q just after P (PARITY_N: the last member) */
		return (pd + 1) % n;
	}
}

/* Member that holds data chunk @d of a RAID-6 row whose P member is @pd. */
static int r5x_data_member6(const struct r5x_conf *conf, int d, int pd)
{
	int n = conf->raid_disks;

	switch (conf->algorithm) {
	case R5X_LEFT_ASYMMETRIC:
	case R5X_RIGHT_ASYMMETRIC:
	case R5X_ROTATING_ZERO_RESTART:
	case R5X_ROTATING_N_RESTART:
		/* data restarts at member 0, skipping P and Q (Q D D D P) */
		if (pd == n - 1)
			return d + 1;
		return d < pd ? d : d + 2;
	case R5X_LEFT_SYMMETRIC:
	case R5X_RIGHT_SYMMETRIC:
		/* data continues after P Q and wraps around */
		return (pd + 2 + d) % n;
	case R5X_ROTATING_N_CONTINUE:
		/* Q P, then the data, wrapping around */
		return (pd + 1 + d) % n;
	case R5X_PARITY_0:
		return d + 2;
	case R5X_PARITY_N:
		return d;
	case R5X_LEFT_ASYMMETRIC_6:
	case R5X_RIGHT_ASYMMETRIC_6:
		return d < pd ? d : d + 1;
	case R5X_LEFT_SYMMETRIC_6:
	case R5X_RIGHT_SYMMETRIC_6:
		return (pd + 1 + d) % (n - 1);
	default:	/* PARITY_0_6 */
		return d + 1;
	}
}

/* Parity member of chunk row @row. */
static int r5x_row_parity(const struct r5x_conf *conf, u64 row)
{
	u32 rot;

	if (conf->level == 4)
		return conf->data_disks;
	if (conf->level == 6)
		return r5x_row_parity6(conf, row);

	div_u64_rem(row, conf->raid_disks, &rot);
	switch (conf->algorithm) {
	case R5X_LEFT_ASYMMETRIC:
	case R5X_LEFT_SYMMETRIC:
		return conf->data_disks - rot;
	case R5X_RIGHT_ASYMMETRIC:
	case R5X_RIGHT_SYMMETRIC:
		return rot;
	case R5X_PARITY_0:
		return 0;
	default:
		return conf->data_disks;
	}
}

/* Member that holds data chunk @d (0-based) of a row whose parity is @pd. */
int r5x_data_member(const struct r5x_conf *conf, int d, int pd)
{
	if (conf->level == 4)
		return d;
	if (conf->level == 6)
		return r5x_data_member6(conf, d, pd);

	switch (conf->algorithm) {
	case R5X_LEFT_ASYMMETRIC:
	case R5X_RIGHT_ASYMMETRIC:
		/* data restarts at member 0 and skips the parity member */
		return d < pd ? d : d + 1;
	case R5X_LEFT_SYMMETRIC:
	case R5X_RIGHT_SYMMETRIC:
		/* data continues after parity and wraps around */
		return (pd + 1 + d) % conf->raid_disks;
	case R5X_PARITY_0:
		return d + 1;
	default:
		return d;
	}
}

/*
 * Map array sector @lsector to a member sector; the member is returned in
 * @dd_idx and the row's parity member in @pd_idx.
 */
sector_t r5x_map_sector(const struct r5x_conf *conf, sector_t lsector,
			int *dd_idx, int *pd_idx)
{
	u32 in_chunk, d;
	u64 chunk, row;

	chunk = div_u64_rem(lsector, conf->chunk_sectors, &in_chunk);
	row = div_u64_rem(chunk, conf->data_disks, &d);
	*pd_idx = r5x_row_parity(conf, row);
	*dd_idx = r5x_data_member(conf, d, *pd_idx);
	return row * conf->chunk_sectors + in_chunk;
}

/* Array sectors in one row: one chunk on every data member. */
u64 r5x_row_sectors(const struct r5x_conf *conf)
{
	return (u64)conf->chunk_sectors * conf->data_disks;
}

/*
 * The inverse of r5x_map_sector(): the array sector at offset @off of the
 * @d-th data chunk of row @row.
 */
sector_t r5x_array_sector(const struct r5x_conf *conf, u64 row, int d,
			  unsigned int off)
{
	return (row * conf->data_disks + d) * conf->chunk_sectors + off;
}

int r5x_parity_disk(const struct r5x_conf *conf, sector_t msector)
{
	return r5x_row_parity(conf, div_u64(msector, conf->chunk_sectors));
}

/* The personality's ->size: usable array sectors for a member size. */
sector_t r5x_array_size(struct mddev *mddev, sector_t sectors, int raid_disks)
{
	struct r5x_conf *conf = mddev->private;

	if (!sectors)
		sectors = mddev->dev_sectors;
	if (!raid_disks)
		raid_disks = conf->raid_disks;
	sectors &= ~((sector_t)mddev->chunk_sectors - 1);
	/* RAID-6 gives two members of every row to P and Q */
	return sectors * (raid_disks - (mddev->level == 6 ? 2 : 1));
}

/*
 * Bitmaps track member space.  An array range touches whole rows on every
 * member (parity), so widen it to whole rows and convert to member sectors.
 */
void r5x_bitmap_sector(struct mddev *mddev, sector_t *offset,
		       unsigned long *sectors)
{
	struct r5x_conf *conf = mddev->private;
	u64 row_sectors = r5x_row_sectors(conf);
	u64 first = div64_u64(*offset, row_sectors);
	u64 last = div64_u64(*offset + *sectors + row_sectors - 1, row_sectors);

	*offset = first * conf->chunk_sectors;
	*sectors = (last - first) * conf->chunk_sectors;
}
