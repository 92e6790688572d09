// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: sync_request, driven by md_do_sync() one block at a time.
 * The stripe does the work (r5x_handle_stripe) and reports each block
 * with md_done_sync().  Resync, check and repair compare parity; recovery
 * (onto a spare, or the lazy initial parity build) rebuilds the member
 * that cannot supply its block.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/delay.h>

#include "md-bitmap.h"

sector_t r5x_sync_request(struct mddev *mddev, sector_t sector_nr,
			  sector_t max_sector, int *skipped)
{
	struct r5x_conf *conf = mddev->private;
	struct r5x_stripe *sh;
	sector_t blocks;
	bool degraded = false;
	int i;

	if (sector_nr >= max_sector) {
		/* the end, or an abort: settle the bitmap */
		if (mddev->curr_resync < max_sector)
			md_bitmap_end_sync(mddev, mddev->curr_resync, &blocks);
		else
			conf->fullsync = false;
		if (md_bitmap_enabled(mddev, false))
			mddev->bitmap_ops->close_sync(mddev);
		return 0;
	}

	if (unlikely(sector_nr & R5X_BLK_MASK)) {
		/* stripes are whole blocks; md starts on block boundaries */
		*skipped = 1;
		return R5X_BLK_SECTORS - (sector_nr & R5X_BLK_MASK);
	}

	/*
	 * Resync needs a redundant member: with none left (RAID-6 may lose
	 * one and still compare the other parity) there is nothing to do.
	 */
	if (mddev->degraded >= conf->max_degraded &&
	    test_bit(MD_RECOVERY_SYNC, &mddev->recovery)) {
		*skipped = 1;
		return mddev->dev_sectors - sector_nr;
	}

	if (!test_bit(MD_RECOVERY_REQUESTED, &mddev->recovery) &&
	    !conf->fullsync &&
	    !md_bitmap_start_sync(mddev, sector_nr, &blocks, true) &&
	    blocks >= R5X_BLK_SECTORS) {
		/* the bitmap says this range is in sync; keep whole blocks */
		*skipped = 1;
		return blocks & ~R5X_BLK_MASK;
	}

	if (md_bitmap_enabled(mddev, false))
		mddev->bitmap_ops->cond_end_sync(mddev, sector_nr, false);

	sh = r5x_get_stripe(conf, sector_nr, R5X_GET_NOBLOCK);
	if (!sh) {
		/* returns once a quarter of the cache is free again */
		sh = r5x_get_stripe(conf, sector_nr, 0);
		/*
		 * If array users wait for stripes too, step back for a
		 * tick so that they get some of that quarter.
		 */
		if (wq_has_sleeper(&conf->wait_stripe))
			schedule_timeout_uninterruptible(1);
	}

	rcu_read_lock();
	for (i = 0; i < conf->raid_disks; i++) {
		struct md_rdev *rdev = READ_ONCE(conf->disks[i].rdev);

		if (!rdev || test_bit(Faulty, &rdev->flags))
			degraded = true;
	}
	rcu_read_unlock();
	md_bitmap_start_sync(mddev, sector_nr, &blocks, degraded);

	set_bit(R5X_S_SYNC_REQ, &sh->state);
	set_bit(R5X_S_HANDLE, &sh->state);
	r5x_release_stripe(sh);
	return R5X_BLK_SECTORS;
}
