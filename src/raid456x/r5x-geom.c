// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: layout math.  These functions decide where every byte lives on
 * the members, so they must agree with md's raid5 exactly: an array moves
 * between the two personalities without conversion.
 *
 * Array space is cut into chunks; data_disks consecutive chunks form one
 * "row" (a chunk-sized stripe).  Row r sits at member offset
 * r * chunk_sectors on every member and its parity member rotates with r
 * according to the layout.
 */
#include <linux/math64.h>

#include "r5x.h"

bool r5x_layout_valid(int level, int layout)
{
	/* md's raid4 always keeps parity on the last member, whatever layout */
	if (level == 4)
		return true;
	return layout >= R5X_LEFT_ASYMMETRIC && layout <= R5X_PARITY_N;
}

/* Parity member of chunk row @row. */
static int r5x_row_parity(const struct r5x_conf *conf, u64 row)
{
	u32 rot;

	if (conf->level == 4)
		return conf->data_disks;

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
	return sectors * (raid_disks - 1);
}

/*
 * Bitmaps track member space.  An array range touches whole rows on every
 * member (parity), so widen it to whole rows and convert to member sectors.
 */
void r5x_bitmap_sector(struct mddev *mddev, sector_t *offset,
		       unsigned long *sectors)
{
	struct r5x_conf *conf = mddev->private;
	u64 row_sectors = (u64)conf->chunk_sectors * conf->data_disks;
	u64 first = div64_u64(*offset, row_sectors);
	u64 last = div64_u64(*offset + *sectors + row_sectors - 1, row_sectors);

	*offset = first * conf->chunk_sectors;
	*sectors = (last - first) * conf->chunk_sectors;
}
