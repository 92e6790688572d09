// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: lifecycle, write path and registration with md.
 *
 * md calls create/load/destroy/flush/resize with reconfig_mutex held; we
 * take bitmap_info.mutex inside it wherever the bitmap pointer or the page
 * array changes, which is also what the sysfs handlers take.  The write
 * path (prepare_range, start/end_write) takes no lock at all.
 */
#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "llb.h"

struct workqueue_struct *llb_wq;
struct workqueue_struct *llb_unplug_wq;

static bool llb_enabled(void *data, bool flush)
{
	struct llb *b = data;

	return b && !test_bit(BITMAP_WRITE_ERROR, &b->flags);
}

static int llb_create(struct mddev *mddev)
{
	struct llb *b;
	int err;

	err = llb_check_support(mddev);
	if (err)
		return err;

	/*
	 * md takes no reference on a bitmap module: without this one,
	 * rmmod would free the code that mddev->bitmap_ops points into.
	 * Dropped as the very last thing llb_destroy() does.
	 */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;

	b = kzalloc_obj(*b, GFP_KERNEL);
	if (!b) {
		module_put(THIS_MODULE);
		return -ENOMEM;
	}
	b->mddev = mddev;
	b->blksz = bdev_logical_block_size(mddev->gendisk->part0);
	b->blks_per_page = PAGE_SIZE / b->blksz;
	b->barrier_idle = LLB_DEF_BARRIER_IDLE;
	mutex_init(&b->io_mutex);
	init_waitqueue_head(&b->io_wait);
	init_waitqueue_head(&b->behind_wait);
	timer_setup(&b->timer, llb_timer_fn, 0);
	INIT_WORK(&b->daemon_work, llb_daemon_fn);
	INIT_DELAYED_WORK(&b->kick_work, llb_kick_fn);

	mutex_lock(&mddev->bitmap_info.mutex);
	mddev->bitmap = b;
	err = llb_read_sb(b);
	if (err)
		mddev->bitmap = NULL;
	mutex_unlock(&mddev->bitmap_info.mutex);
	if (err) {
		pr_err("%s: %s: cannot use the lockless bitmap: %d\n",
		       LLB_NAME, mdname(mddev), err);
		llb_free_pages(b);
		kfree(b);
		module_put(THIS_MODULE);
		return err;
	}
	set_bit(LLB_PINNED, &b->priv);
	return 0;
}

static int llb_load(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;
	enum llb_action act = LLB_ACT_RELOAD;

	if (!b)
		return 0;
	if (test_and_clear_bit(BITMAP_STALE, &b->flags))
		act = LLB_ACT_STALE;
	mutex_lock(&mddev->bitmap_info.mutex);
	llb_run(b, 0, b->nchunks - 1, act);
	if (llb_has_state(b, BIT(LLB_NEEDSYNC) | BIT(LLB_NEEDSYNC_UNW)))
		llb_want_sync(b);
	mutex_unlock(&mddev->bitmap_info.mutex);
	return 0;
}

static void llb_destroy(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;
	bool pinned;

	if (!b)
		return;

	/*
	 * Stop every asynchronous actor before taking the mutex: the kicker
	 * takes bitmap_info.mutex itself.  They all test BITMAP_SHUTDOWN
	 * before re-arming.
	 */
	set_bit(BITMAP_SHUTDOWN, &b->flags);
	timer_shutdown_sync(&b->timer);
	cancel_work_sync(&b->daemon_work);
	cancel_delayed_work_sync(&b->kick_work);
	flush_workqueue(llb_unplug_wq);

	mutex_lock(&mddev->bitmap_info.mutex);
	mddev->bitmap = NULL;
	mutex_unlock(&mddev->bitmap_info.mutex);

	wait_event(b->io_wait, !atomic_read(&b->io_inflight));
	pinned = test_bit(LLB_PINNED, &b->priv);
	llb_free_pages(b);
	kfree(b);
	/*
	 * Last statement: after this put rmmod may proceed, and only the
	 * return into md is left of our code.
	 */
	if (pinned)
		module_put(THIS_MODULE);
}

/* Stop or switch to read-only: settle what can be settled, write all. */
static void llb_flush(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	if (!b)
		return;
	llb_settle_now(b);
	llb_write_everything(b);
}

/* Spares were added: they need the whole bitmap at the next write-out. */
static void llb_write_all(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	if (b)
		llb_mark_all_dirty(b);
}

/* sysfs bitmap_set_bits: chunks s..e are to be resynced. */
static void llb_dirty_bits(struct mddev *mddev, unsigned long s,
			   unsigned long e)
{
	struct llb *b = mddev->bitmap;

	if (b)
		llb_run(b, s, e, LLB_ACT_WRITE);
}

/* First and last chunk of a range, and the pages their bytes live on. */
struct llb_span {
	unsigned long first, last;
	unsigned int pg_first, pg_last;
};

static bool llb_span_of(struct llb *b, sector_t offset, unsigned long sectors,
			bool inward, struct llb_span *sp)
{
	sector_t end = offset + sectors;

	if (!sectors)
		return false;
	if (inward) {
		/* a discard frees only chunks it covers entirely */
		sp->first = DIV_ROUND_UP_SECTOR_T(offset, b->chunksize);
		if ((end >> b->chunkshift) <= sp->first)
			return false;
		sp->last = (end >> b->chunkshift) - 1;
	} else {
		sp->first = offset >> b->chunkshift;
		sp->last = (end - 1) >> b->chunkshift;
	}
	if (sp->first >= b->nchunks)
		return false;
	sp->last = min(sp->last, b->nchunks - 1);
	sp->pg_first = (sp->first + LLB_DATA_START) >> PAGE_SHIFT;
	sp->pg_last = (sp->last + LLB_DATA_START) >> PAGE_SHIFT;
	return true;
}

static void llb_begin(struct mddev *mddev, sector_t offset,
		      unsigned long sectors, bool discard)
{
	struct llb *b = mddev->bitmap;
	struct llb_span sp;
	unsigned int i;

	if (!llb_span_of(b, offset, sectors, discard, &sp))
		return;
	for (i = sp.pg_first; i <= sp.pg_last; i++)
		llb_barrier_up(b, i);
	llb_run(b, sp.first, sp.last,
		discard ? LLB_ACT_DISCARD : LLB_ACT_WRITE);
}

/* Bio completion context: must mirror llb_begin() exactly. */
static void llb_end(struct mddev *mddev, sector_t offset,
		    unsigned long sectors, bool discard)
{
	struct llb *b = mddev->bitmap;
	struct llb_span sp;
	unsigned int i;

	if (!llb_span_of(b, offset, sectors, discard, &sp))
		return;
	for (i = sp.pg_first; i <= sp.pg_last; i++)
		llb_barrier_down(b, i);
}

static void llb_start_write(struct mddev *mddev, sector_t offset,
			    unsigned long sectors)
{
	llb_begin(mddev, offset, sectors, false);
}

static void llb_end_write(struct mddev *mddev, sector_t offset,
			  unsigned long sectors)
{
	llb_end(mddev, offset, sectors, false);
}

static void llb_start_discard(struct mddev *mddev, sector_t offset,
			      unsigned long sectors)
{
	llb_begin(mddev, offset, sectors, true);
}

static void llb_end_discard(struct mddev *mddev, sector_t offset,
			    unsigned long sectors)
{
	llb_end(mddev, offset, sectors, true);
}

#ifdef MDX_HAVE_PREPARE_RANGE
/* The personality's array-to-member mapping, newest interface first. */
static void llb_map_to_members(struct mddev *mddev, sector_t *offset,
			       unsigned long *sectors)
{
	struct md_personality *pers = mddev->pers;

#ifdef MDX_HAVE_BITMAP_SECTOR_MAP
	if (pers->bitmap_sector_map) {
		pers->bitmap_sector_map(mddev, offset, sectors, false);
		return;
	}
#endif
	if (pers->bitmap_sector)
		pers->bitmap_sector(mddev, offset, sectors);
}

/*
 * Map an array range to the member range the bitmap tracks (for RAID-5
 * the per-member stripe range), then widen a write to whole chunks or
 * narrow a discard to whole chunks.  sectors = 0 tells md to skip the
 * bitmap for this bio.  Reshape is refused (llb_resize), so only the
 * current geometry is ever mapped.
 */
static void llb_prepare_range(struct mddev *mddev, sector_t *offset,
			      unsigned long *sectors, bool discard)
{
	struct llb *b = mddev->bitmap;
	struct md_personality *pers = mddev->pers;
	sector_t limit = b ? b->sync_size : 0;
	sector_t lo, hi;

	if (!b || !pers)
		return;
#ifdef MDX_HAVE_BITMAP_ARRAY_SECTORS
	if (pers->bitmap_array_sectors)
		limit = pers->bitmap_array_sectors(mddev, false);
#endif
	if (*offset >= limit) {
		*sectors = 0;
		return;
	}
	*sectors = min_t(sector_t, *sectors, limit - *offset);

	llb_map_to_members(mddev, offset, sectors);

	lo = *offset;
	if (lo >= b->sync_size || !*sectors) {
		*sectors = 0;
		return;
	}
	hi = min_t(sector_t, lo + *sectors, b->sync_size);
	if (discard) {
		lo = round_up(lo, b->chunksize);
		hi = round_down(hi, b->chunksize);
	} else {
		lo = round_down(lo, b->chunksize);
		hi = round_up(hi, b->chunksize);
	}
	if (hi <= lo) {
		*sectors = 0;
		return;
	}
	*offset = lo;
	*sectors = hi - lo;
}
#endif

static void llb_start_behind(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	atomic_inc(&b->behind_writes);
}

static void llb_end_behind(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	if (atomic_dec_and_test(&b->behind_writes))
		wake_up_all(&b->behind_wait);
}

#ifdef MDX_WAIT_BEHIND_RETURNS_BOOL
static bool llb_wait_behind(struct mddev *mddev, bool nowait)
{
	struct llb *b = mddev->bitmap;

	if (!b || !atomic_read(&b->behind_writes))
		return true;
	if (nowait)
		return false;
	wait_event(b->behind_wait, !atomic_read(&b->behind_writes));
	return true;
}
#else
static void llb_wait_behind(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	if (b)
		wait_event(b->behind_wait, !atomic_read(&b->behind_writes));
}
#endif

static int llb_get_stats(void *data, struct md_bitmap_stats *stats)
{
	struct llb *b = data;

	memset(stats, 0, sizeof(*stats));
	stats->pages = b->npages;
	stats->file_pages = b->npages;
	stats->sync_size = b->sync_size;
	stats->events_cleared = b->events_cleared;
	stats->behind_writes = atomic_read(&b->behind_writes);
	stats->behind_wait = wq_has_sleeper(&b->behind_wait);
	return 0;
}

/*
 * The array changes size (mdadm --grow --size).  Growth keeps the chunk
 * size when the new chunks still fit the reservation; new chunks start
 * Unwritten.  Reshapes (level, layout, member count or chunk changes) are
 * refused: raid5 asks us first and gives up on an error.
 */
static int llb_resize(struct mddev *mddev, sector_t blocks, int chunksize)
{
	struct llb *b = mddev->bitmap;
	unsigned long old_chunks, new_chunks;
	int err = 0;

	if (!b)
		return 0;
	if (mddev->delta_disks || mddev->new_level != mddev->level ||
	    mddev->new_layout != mddev->layout ||
	    mddev->new_chunk_sectors != mddev->chunk_sectors) {
		pr_err("%s: %s: reshape is not supported with this bitmap; remove it first (mdadm --grow --bitmap=none)\n",
		       LLB_NAME, mdname(mddev));
		return -EOPNOTSUPP;
	}
	if ((chunksize && chunksize != b->chunksize) ||
	    llb_pick_chunksize(mddev, blocks, b->chunksize) != b->chunksize) {
		pr_err("%s: %s: new size needs another bitmap chunk size; remove the bitmap first\n",
		       LLB_NAME, mdname(mddev));
		return -EOPNOTSUPP;
	}
	if (blocks == b->sync_size)
		return 0;

	mddev->pers->quiesce(mddev, 1);
	mutex_lock(&mddev->bitmap_info.mutex);
	llb_settle_now(b);
	/* nothing may walk the page array while it is replaced */
	timer_delete_sync(&b->timer);
	cancel_work_sync(&b->daemon_work);
	cancel_delayed_work_sync(&b->kick_work);
	old_chunks = b->nchunks;
	new_chunks = DIV_ROUND_UP_SECTOR_T(blocks, b->chunksize);
	err = llb_alloc_pages(b, llb_pages_for(new_chunks));
	if (err)
		goto out;
	if (new_chunks > old_chunks) {
		b->nchunks = new_chunks;
		llb_set_range(b, old_chunks, new_chunks - 1, LLB_UNWRITTEN);
	} else {
		llb_set_range(b, new_chunks, old_chunks - 1, LLB_UNWRITTEN);
		b->nchunks = new_chunks;
	}
	b->sync_size = blocks;
	llb_update_sb(b);
	llb_write_everything(b);
out:
	mutex_unlock(&mddev->bitmap_info.mutex);
	mddev->pers->quiesce(mddev, 0);
	llb_want_sync(b);
	return err;
}

#ifdef MDX_HAVE_RESHAPE_OPS
/* Reshape is refused in llb_resize(); these only keep md's calls safe. */
static int llb_reshape_can_start(struct mddev *mddev)
{
	return mddev->bitmap ? -EOPNOTSUPP : 0;
}

static void llb_reshape_mark(struct mddev *mddev, sector_t old_pos,
			     sector_t new_pos)
{
}

static void llb_reshape_finish(struct mddev *mddev)
{
}
#endif

static struct bitmap_operations llb_ops = {
	.head = {
		.type	= MD_BITMAP,
		.id	= ID_LLBITMAP,
		.name	= "llbitmap",
		.owner	= THIS_MODULE,
	},
	.enabled		= llb_enabled,
	.create			= llb_create,
	.resize			= llb_resize,
	.load			= llb_load,
	.destroy		= llb_destroy,
	.flush			= llb_flush,
	.write_all		= llb_write_all,
	.dirty_bits		= llb_dirty_bits,
#ifdef MDX_HAVE_PREPARE_RANGE
	.prepare_range		= llb_prepare_range,
#endif
#ifdef MDX_HAVE_RESHAPE_OPS
	.reshape_finish		= llb_reshape_finish,
	.reshape_can_start	= llb_reshape_can_start,
	.reshape_mark		= llb_reshape_mark,
#endif
	.unplug			= llb_unplug,
	.start_behind_write	= llb_start_behind,
	.end_behind_write	= llb_end_behind,
	.wait_behind_writes	= llb_wait_behind,
	.start_write		= llb_start_write,
	.end_write		= llb_end_write,
	.start_discard		= llb_start_discard,
	.end_discard		= llb_end_discard,
	.skip_sync_blocks	= llb_skip_sync_blocks,
	.blocks_synced		= llb_blocks_synced,
	.start_sync		= llb_start_sync,
	.end_sync		= llb_end_sync,
	.cond_end_sync		= llb_cond_end_sync,
	.close_sync		= llb_close_sync,
	.update_sb		= llb_update_sb,
	.get_stats		= llb_get_stats,
#ifdef MDX_HAVE_GROUPS
	.groups			= llb_groups,
#else
	.group			= &llb_group,
#endif
};

static void llb_free_wqs(void)
{
	if (llb_wq)
		destroy_workqueue(llb_wq);
	if (llb_unplug_wq)
		destroy_workqueue(llb_unplug_wq);
	llb_wq = NULL;
	llb_unplug_wq = NULL;
}

static int __init llb_module_init(void)
{
	int ret;

	/* WQ_MEM_RECLAIM: both sit in the array's write-out path */
	llb_wq = alloc_workqueue("md_llbitmap2", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	llb_unplug_wq = alloc_workqueue("md_llbitmap2_unplug",
					WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!llb_wq || !llb_unplug_wq) {
		llb_free_wqs();
		return -ENOMEM;
	}
	ret = llb_bioset_init();
	if (ret) {
		llb_free_wqs();
		return ret;
	}

	ret = register_md_submodule(&llb_ops.head);
	if (ret == -EBUSY)
		pr_err("md-llbitmap2: bitmap id %d (llbitmap) is already registered: this kernel has CONFIG_MD_LLBITMAP=y or another llbitmap module is loaded\n",
		       ID_LLBITMAP);
	else if (ret)
		pr_err("md-llbitmap2: registering with md failed: %d\n", ret);
	if (ret) {
		llb_bioset_exit();
		llb_free_wqs();
	}
	return ret;
}

static void __exit llb_module_exit(void)
{
	unregister_md_submodule(&llb_ops.head);
	llb_bioset_exit();
	llb_free_wqs();
}

module_init(llb_module_init);
module_exit(llb_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lockless md bitmap (llbitmap, on-disk version 6), out of tree");
