/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compat layer of both modules.
 *
 * md's private interface (md.h, md-bitmap.h) differs between the kernels
 * we build for: 7.3 (trixie-backports) has the bitmap's prepare_range and
 * reshape hooks and the personality's bitmap_sector_map,
 * bitmap_array_sectors and bitmap_sync_size; 7.2 (sid) has none of them.
 * scripts/md-headers.sh reads the target kernel's headers and writes
 * compat-gen.h, one MDX_* macro per feature found.  Module code reads
 * those macros here, not in function bodies:
 *  - an ops-slot macro fills an ops member where the kernel has it and
 *    expands to nothing where it does not;
 *  - an inline accessor stands for a member a kernel may lack.
 * (raid456x's R5X_BITMAP_*_OPS in r5x-main.c are slot macros of the same
 * kind, kept next to the personality they fill.)  scripts/lint fails on a
 * generated macro that no module code reads.
 *
 * Used directly, without a macro, because every kernel this package
 * builds for has them (dkms.conf: 6.18 and later): mddev->resync_offset
 * (formerly recovery_cp) and MD_RECOVERY_LAZY_RECOVER.
 */
#ifndef MDX_COMPAT_H
#define MDX_COMPAT_H

#include "compat-gen.h"
#include "md.h"
#include "md-bitmap.h"

/* bitmap_operations: array-to-member mapping done by the bitmap (7.3) */
#ifdef MDX_HAVE_PREPARE_RANGE
#define MDX_PREPARE_RANGE_OP(fn)	.prepare_range = (fn),
#else
#define MDX_PREPARE_RANGE_OP(fn)
#endif

/* bitmap_operations: raid5/raid10 tell the bitmap about a reshape (7.3) */
#ifdef MDX_HAVE_RESHAPE_OPS
#define MDX_RESHAPE_OPS(can_start, mark, finish)			\
	.reshape_can_start	= (can_start),				\
	.reshape_mark		= (mark),				\
	.reshape_finish		= (finish),
#else
#define MDX_RESHAPE_OPS(can_start, mark, finish)
#endif

/*
 * bitmap_operations.wait_behind_writes: void (*)(mddev) on both rig
 * kernels; md versions whose hook returns bool pass a nowait flag and
 * want to know whether the behind writes are done.  An ops table names
 * both variants; the one the kernel does not take expands to nothing.
 */
#ifdef MDX_WAIT_BEHIND_RETURNS_BOOL
#define MDX_WAIT_BEHIND_OP(fn)
#define MDX_WAIT_BEHIND_NOWAIT_OP(fn)	.wait_behind_writes = (fn),
#else
#define MDX_WAIT_BEHIND_OP(fn)		.wait_behind_writes = (fn),
#define MDX_WAIT_BEHIND_NOWAIT_OP(fn)
#endif

/*
 * bitmap_operations: a NULL-terminated array of sysfs groups, or a single
 * group on older md; as above, an ops table names both.
 */
#ifdef MDX_HAVE_GROUPS
#define MDX_SYSFS_GROUPS_OP(grp_array)	.groups = (grp_array),
#define MDX_SYSFS_GROUP_OP(grp)
#else
#define MDX_SYSFS_GROUPS_OP(grp_array)
#define MDX_SYSFS_GROUP_OP(grp)		.group = (grp),
#endif

/*
 * md_personality.bitmap_sector_map (7.3): map an array range to member
 * sectors in the geometry before (@previous) or after a reshape.  False
 * where the kernel or the personality has no such hook.
 */
#ifdef MDX_HAVE_BITMAP_SECTOR_MAP
static inline bool mdx_bitmap_sector_map(struct mddev *mddev,
					 sector_t *offset,
					 unsigned long *sectors, bool previous)
{
	if (!mddev->pers->bitmap_sector_map)
		return false;
	mddev->pers->bitmap_sector_map(mddev, offset, sectors, previous);
	return true;
}
#else
static inline bool mdx_bitmap_sector_map(struct mddev *mddev,
					 sector_t *offset,
					 unsigned long *sectors, bool previous)
{
	return false;
}
#endif

/*
 * md_personality.bitmap_array_sectors (7.3): the array size in the
 * geometry before (@previous) or after a reshape; @fallback where the
 * kernel or the personality does not say.
 */
#ifdef MDX_HAVE_BITMAP_ARRAY_SECTORS
static inline sector_t mdx_bitmap_array_sectors(struct mddev *mddev,
						bool previous,
						sector_t fallback)
{
	if (!mddev->pers->bitmap_array_sectors)
		return fallback;
	return mddev->pers->bitmap_array_sectors(mddev, previous);
}
#else
static inline sector_t mdx_bitmap_array_sectors(struct mddev *mddev,
						bool previous,
						sector_t fallback)
{
	return fallback;
}
#endif

#endif /* MDX_COMPAT_H */
