// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: the md thread.  It alone runs the stripe state machine, and it
 * is the one place that unplugs the bitmap for queued writes.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/blkdev.h>

#include "md-bitmap.h"

/*
 * Make the bitmap bits of every write attached so far durable, then let
 * the stripes that waited for them go.  conf->lock held on entry and exit.
 */
static void r5x_bitmap_flush(struct r5x_conf *conf)
{
	struct mddev *mddev = conf->mddev;
	struct r5x_stripe *sh, *tmp;
	u64 seq = conf->bm_seq_next++;

	spin_unlock_irq(&conf->lock);
	if (md_bitmap_enabled(mddev, true))
		mddev->bitmap_ops->unplug(mddev, true);
	spin_lock_irq(&conf->lock);
	conf->bm_seq_done = seq;

	list_for_each_entry_safe(sh, tmp, &conf->bm_wait, lru) {
		if (sh->bm_seq > seq)
			continue;
		clear_bit(R5X_S_BM_WAIT, &sh->state);
		set_bit(R5X_S_HANDLE, &sh->state);
		list_move_tail(&sh->lru, &conf->handle);
	}
}

void r5x_daemon(struct md_thread *thread)
{
	struct mddev *mddev = thread->mddev;
	struct r5x_conf *conf = mddev->private;
	struct r5x_stripe *sh;
	struct blk_plug plug;

	md_check_recovery(mddev);

	blk_start_plug(&plug);
	spin_lock_irq(&conf->lock);
	for (;;) {
		if (!list_empty(&conf->bm_wait))
			r5x_bitmap_flush(conf);
		if (list_empty(&conf->handle))
			break;
		sh = list_first_entry(&conf->handle, struct r5x_stripe, lru);
		/* count is 0 here: take it off the list as a new user would */
		list_del_init(&sh->lru);
		atomic_inc(&sh->count);
		clear_bit(R5X_S_HANDLE, &sh->state);
		spin_unlock_irq(&conf->lock);

		r5x_handle_stripe(sh);
		r5x_release_stripe(sh);

		/* superblock updates (failed members) must not starve */
		if (mddev->sb_flags & ~BIT(MD_SB_CHANGE_PENDING))
			md_check_recovery(mddev);
		cond_resched();
		spin_lock_irq(&conf->lock);
	}
	spin_unlock_irq(&conf->lock);
	blk_finish_plug(&plug);

	r5x_cache_grow(conf);

	/* md_check_recovery() above may have written the superblock */
	r5x_release_held(conf, false);
}
