// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: the bitmap superblock, the chunk geometry, and the first
 * use of a new bitmap (its initial states, zeroing the members for them).
 *
 * Units differ from md's classic bitmap: sb->chunksize is in 512-byte
 * sectors and sb->daemon_sleep in seconds.  sync_size is the range the
 * bitmap covers, md's resync_max_sectors (the member size for RAID-4/5/6).
 */
/* first: it sets pr_fmt */
#include "llb.h"

#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/log2.h>

/* Refuse every setup this bitmap cannot serve, naming the array. */
int llb_check_support(struct mddev *mddev)
{
	const char *why = NULL;
	int err = -EOPNOTSUPP;

	if (mddev_is_dm(mddev))
		why = "dm-raid arrays are not supported";
	else if (test_bit(MD_HAS_JOURNAL, &mddev->flags))
		why = "arrays with a journal cannot have a bitmap", err = -EBUSY;
	else if (mddev->bitmap_info.file)
		why = "bitmap files are not supported";
	else if (mddev->bitmap_info.external)
		why = "external metadata is not supported";
	else if (!mddev->persistent)
		why = "the array has no persistent superblock";
	else if (mddev_is_clustered(mddev) || mddev->bitmap_info.nodes > 1)
		why = "clustered arrays are not supported";
	else if (!mddev->bitmap_info.offset)
		why = "the array has no bitmap location", err = -EINVAL;
	else if (!mddev->bitmap_info.space && !mddev->bitmap_info.default_space)
		why = "no space is reserved for a bitmap", err = -ENOSPC;

	if (why) {
		pr_err("%s: %s\n", mdname(mddev), why);
		return err;
	}
	return 0;
}

/*
 * Smallest power-of-two chunk, at least @start sectors, whose states fit
 * in the reservation after the 1 KiB header.  md's in-tree code only
 * keeps the chunk count below the whole reservation, which lets the last
 * states spill past it for member sizes just under 8/16/... TiB; a larger
 * chunk is accepted by every reader, so we take that instead.
 */
unsigned long llb_pick_chunksize(struct mddev *mddev, sector_t blocks,
				 unsigned long start)
{
	u64 room = llb_space_bytes(mddev);
	unsigned long cs = start;

	room = room > LLB_DATA_START ? room - LLB_DATA_START : 0;
	while (DIV_ROUND_UP_SECTOR_T(blocks, cs) > room && cs < (1UL << 30))
		cs <<= 1;
	return cs;
}

static void llb_set_geometry(struct llb *b, unsigned long chunksize,
			     sector_t sync_size)
{
	b->chunksize = chunksize;
	b->chunkshift = ilog2(chunksize);
	b->sync_size = sync_size;
	b->nchunks = DIV_ROUND_UP_SECTOR_T(sync_size, chunksize);
	b->mddev->bitmap_info.chunksize = chunksize;
}

static bool llb_members_zero_cheaply(struct mddev *mddev)
{
	struct md_rdev *rdev;

	rdev_for_each(rdev, mddev) {
		if (rdev->raid_disk < 0 || test_bit(Faulty, &rdev->flags))
			continue;
		if (!bdev_write_zeroes_unmap_sectors(rdev->bdev))
			return false;
	}
	return true;
}

static bool llb_zero_members(struct mddev *mddev)
{
	struct md_rdev *rdev;
	int err;

	rdev_for_each(rdev, mddev) {
		if (rdev->raid_disk < 0 || test_bit(Faulty, &rdev->flags))
			continue;
		err = blkdev_issue_zeroout(rdev->bdev, rdev->data_offset,
					   mddev->dev_sectors, GFP_KERNEL, 0);
		if (err) {
			pr_warn("%s: zeroing %pg failed (%d), starting unwritten\n",
				mdname(mddev), rdev->bdev, err);
			return false;
		}
	}
	return true;
}

/*
 * First use of a new bitmap: every chunk starts Clean with --assume-clean,
 * CleanUnwritten on RAID-4/5/6 whose members all zero by unmapping (zeroes
 * everywhere have valid parity), and Unwritten otherwise.  The caller
 * writes every page afterwards.
 */
static void llb_init_states(struct llb *b)
{
	struct mddev *mddev = b->mddev;
	u8 st = LLB_UNWRITTEN;

	if (test_and_clear_bit(BITMAP_CLEAN, &b->flags))
		st = LLB_CLEAN;
	else if (raid_is_456(mddev) && llb_members_zero_cheaply(mddev) &&
		 llb_zero_members(mddev))
		st = LLB_CLEAN_UNW;

	llb_set_range(b, 0, b->nchunks - 1, st);
}

/* A brand-new bitmap (BITMAP_FIRST_USE, set by mdadm at create). */
static int llb_first_use(struct llb *b)
{
	struct mddev *mddev = b->mddev;
	sector_t blocks = mddev->resync_max_sectors;
	int err;

	/*
	 * mdadm marks a bitmap FIRST_USE when it creates the array, and md
	 * loads it before the personality runs.  On a running array the
	 * members hold data: first-use states (and the zeroing of members
	 * that may come with them) would claim otherwise.
	 */
	if (mddev->pers) {
		pr_err("%s: refusing a new (first-use) bitmap on a running array\n",
		       mdname(mddev));
		return -EBUSY;
	}
	llb_set_geometry(b, llb_pick_chunksize(mddev, blocks, LLB_MIN_CHUNK),
			 blocks);
	mddev->bitmap_info.daemon_sleep = LLB_DEF_DAEMON_SLEEP;
	err = llb_alloc_pages(b, llb_pages_for(b->nchunks));
	if (err)
		return err;
	llb_init_states(b);
	/* a new array has no former member to keep out */
	b->events_cleared = mddev->events;
	/*
	 * The superblock on disk still says FIRST_USE until md's first
	 * superblock update calls llb_update_sb(); md does that before it
	 * lets any write through, so a crash in between only repeats this.
	 */
	llb_write_everything(b);
	return 0;
}

/* Validate the superblock in @sb and set up the geometry from it. */
static int llb_parse_sb(struct llb *b, bitmap_super_t *sb)
{
	struct mddev *mddev = b->mddev;
	const char *name = mdname(mddev);
	unsigned long chunksize, sleep;
	sector_t sync_size;
	u64 room;

	if (le32_to_cpu(sb->magic) != BITMAP_MAGIC) {
		pr_err("%s: bad bitmap magic\n", name);
		return -EINVAL;
	}
	if (le32_to_cpu(sb->version) != BITMAP_MAJOR_LOCKLESS) {
		pr_err("%s: bitmap version %u is not lockless (6)\n",
		       name, le32_to_cpu(sb->version));
		return -EINVAL;
	}
	if (memcmp(sb->uuid, mddev->uuid, 16)) {
		pr_err("%s: bitmap UUID does not match the array\n",
		       name);
		return -EINVAL;
	}
	if (!mddev->bitmap_info.space)
		mddev->bitmap_info.space = le32_to_cpu(sb->sectors_reserved) ?:
					   mddev->bitmap_info.default_space;

	b->flags = le32_to_cpu(sb->state) & ~BIT(BITMAP_SHUTDOWN);
	if (test_and_clear_bit(BITMAP_FIRST_USE, &b->flags))
		return 1;

	sync_size = le64_to_cpu(sb->sync_size) ?: mddev->resync_max_sectors;
	if (sync_size != mddev->resync_max_sectors &&
	    mddev->reshape_position != MaxSector) {
		/* a reshape changes sizes on its own terms: not ours to guess */
		pr_err("%s: bitmap covers %llu sectors, the array %llu, in the middle of a reshape\n",
		       name, (unsigned long long)sync_size,
		       (unsigned long long)mddev->resync_max_sectors);
		return -EINVAL;
	}
	if (sync_size > mddev->resync_max_sectors) {
		/*
		 * --grow --size writes the bitmap for the new size (our
		 * resize, called from the personality's) before md writes
		 * its superblocks: a crash between the two leaves a header
		 * larger than the array, which must still assemble.  The
		 * chunks past the array cover nothing md knows of, and the
		 * states of the others are what they were; growing again
		 * starts the new chunks Unwritten (llb_resize()).
		 */
		pr_warn("%s: bitmap covers %llu sectors, more than the array's %llu (an interrupted --grow --size?): using the array's size\n",
			name, (unsigned long long)sync_size,
			(unsigned long long)mddev->resync_max_sectors);
		sync_size = mddev->resync_max_sectors;
	} else if (sync_size < mddev->resync_max_sectors) {
		/*
		 * A shrink writes the smaller header first, and marks the
		 * chunks it drops Unwritten: cut short, md comes back at
		 * its old size with data there that no state covers.  The
		 * whole array is covered from now on, and llb_load() makes
		 * the rest NeedSync, durably, before the header may grow.
		 */
		pr_warn("%s: bitmap covers %llu sectors, fewer than the array's %llu (an interrupted --grow --size?): resyncing the rest\n",
			name, (unsigned long long)sync_size,
			(unsigned long long)mddev->resync_max_sectors);
		b->hdr_size = sync_size;
		sync_size = mddev->resync_max_sectors;
	}
	chunksize = le32_to_cpu(sb->chunksize);
	room = llb_space_bytes(mddev);
	if (!is_power_of_2(chunksize) || chunksize < 8 ||
	    DIV_ROUND_UP_SECTOR_T(sync_size, chunksize) > room) {
		pr_err("%s: invalid bitmap chunk size %lu sectors\n",
		       name, chunksize);
		return -EINVAL;
	}
	sleep = le32_to_cpu(sb->daemon_sleep);
	if (sleep < 1 || sleep > MAX_SCHEDULE_TIMEOUT / HZ) {
		pr_err("%s: invalid daemon_sleep %lu in bitmap\n",
		       name, sleep);
		return -EINVAL;
	}
	/*
	 * A member older than events_cleared missed writes to chunks that
	 * are settled now (llb_raise_events_cleared()).  md's in-tree
	 * llbitmap leaves it 0, which keeps md's old behaviour.  A stale
	 * bitmap cannot say what any older member missed: none may return
	 * through it.
	 */
	b->events_cleared = min_t(u64, le64_to_cpu(sb->events_cleared),
				  mddev->events);
	if (le64_to_cpu(sb->events) < mddev->events) {
		pr_warn("%s: bitmap is older than the array (events %llu < %llu), resyncing all written chunks\n",
			name, le64_to_cpu(sb->events),
			(unsigned long long)mddev->events);
		set_bit(BITMAP_STALE, &b->flags);
		b->events_cleared = mddev->events;
	}
	/*
	 * md's in-tree llbitmap may have put the last states up to 1 KiB past
	 * the reservation (members just under 8/16/... TiB).  We neither read
	 * nor write outside it: reading them once would not do, since their
	 * later changes could not be made durable, and taking them as
	 * Unwritten would let a rebuild skip chunks holding data.  So such a
	 * bitmap is refused.
	 */
	if (DIV_ROUND_UP_SECTOR_T(sync_size, chunksize) + LLB_DATA_START > room) {
		pr_err("%s: the states of the last %llu chunks lie past the bitmap's reservation of %llu bytes (written by md's in-tree llbitmap?); refusing to load it (error %d); assemble this array with md's own llbitmap\n",
		       name,
		       (unsigned long long)(DIV_ROUND_UP_SECTOR_T(sync_size,
								  chunksize) +
					    LLB_DATA_START - room),
		       (unsigned long long)room, -ENOSPC);
		return -ENOSPC;
	}
	mddev->bitmap_info.daemon_sleep = sleep;
	llb_set_geometry(b, chunksize, sync_size);
	return 0;
}

/* Called from create with bitmap_info.mutex held. */
int llb_read_sb(struct llb *b)
{
	struct mddev *mddev = b->mddev;
	bool provisional = !mddev->bitmap_info.space;
	struct page *page;
	bitmap_super_t *sb;
	int ret;

	/* Until the reservation is known, read only the header blocks. */
	if (provisional)
		mddev->bitmap_info.space =
			max_t(unsigned int, LLB_DATA_START, b->blksz) >>
			SECTOR_SHIFT;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	ret = llb_read_area(b, 0, page);
	if (ret) {
		pr_err("%s: cannot read the bitmap superblock\n",
		       mdname(mddev));
		if (provisional)
			mddev->bitmap_info.space = 0;
		goto out;
	}
	/* forget the provisional size: the superblock says the real one */
	if (provisional)
		mddev->bitmap_info.space = 0;
	sb = kmap_local_page(page);
	ret = llb_parse_sb(b, sb);
	kunmap_local(sb);
	if (ret < 0)
		goto out;
	if (ret == 1) {
		ret = llb_first_use(b);
		goto out;
	}
	ret = llb_alloc_pages(b, llb_pages_for(b->nchunks));
	if (!ret && !b->hdr_size) {
		/* record md's size in the cached header, as md's llbitmap does */
		sb = kmap_local_page(b->pages[0]->page);
		sb->sync_size = cpu_to_le64(mddev->resync_max_sectors);
		kunmap_local(sb);
	}
out:
	__free_page(page);
	return ret;
}

/*
 * md_update_sb() calls this before writing the member superblocks, with
 * mddev->events already advanced, so the bitmap is never older than them.
 */
void llb_update_sb(void *data)
{
	struct llb *b = data;
	struct mddev *mddev = b->mddev;
	bitmap_super_t *sb;

	if (test_bit(BITMAP_WRITE_ERROR, &b->flags) || !b->npages)
		return;
	mutex_lock(&b->io_mutex);
	/* md stepped its count back (clean again, nothing else changed) */
	if (mddev->events < b->events_cleared)
		WRITE_ONCE(b->events_cleared, mddev->events);

	sb = kmap_local_page(b->pages[0]->page);
	sb->events = cpu_to_le64(mddev->events);
	sb->events_cleared = cpu_to_le64(b->events_cleared);
	sb->state = cpu_to_le32(b->flags & ~(BIT(BITMAP_SHUTDOWN) |
					     BIT(BITMAP_DAEMON_BUSY)));
	sb->chunksize = cpu_to_le32(b->chunksize);
	/* see hdr_size in llb.h */
	sb->sync_size = cpu_to_le64(READ_ONCE(b->hdr_size) ?: b->sync_size);
	sb->sectors_reserved = cpu_to_le32(mddev->bitmap_info.space);
	sb->daemon_sleep = cpu_to_le32(mddev->bitmap_info.daemon_sleep);
	kunmap_local(sb);
	llb_write_header(b);
	mutex_unlock(&b->io_mutex);
}

/*
 * md lets a former member back in with a bitmap-based recovery only if
 * its superblock events are not below events_cleared (super_1_validate
 * in md.c); otherwise it must come back as a new member, rebuilt whole.
 * A chunk settled on a whole array (Clean, CleanUnwritten) no longer
 * says that a member which left before missed its writes.  So before
 * such a state may exist in memory, from where any write of its block
 * can take it to disk, events_cleared must be on disk at md's current
 * count, which is past the count of every member that left before.
 *
 * Called by the daemon and the sync thread (they may sleep), never for a
 * degraded array: that settles nothing, which is what lets its missing
 * member return through the bitmap.  io_mutex orders this header write
 * against llb_update_sb()'s.
 */
void llb_raise_events_cleared(struct llb *b)
{
	u64 ev = READ_ONCE(b->mddev->events);
	bitmap_super_t *sb;

	if (!b->npages)
		return;
	/* events_cleared is read and written under io_mutex only */
	mutex_lock(&b->io_mutex);
	if (ev > b->events_cleared) {
		WRITE_ONCE(b->events_cleared, ev);
		sb = kmap_local_page(b->pages[0]->page);
		sb->events_cleared = cpu_to_le64(ev);
		kunmap_local(sb);
		llb_write_header(b);
	}
	mutex_unlock(&b->io_mutex);
}
