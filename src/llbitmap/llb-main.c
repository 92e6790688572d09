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
#include <linux/sched/mm.h>
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
	mutex_init(&b->reshape_mutex);
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
	/* assembled in the middle of a reshape (after a stop or a crash) */
	llb_reshape_track(b);
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

/* The chunk spans of a cookie: none, one range, or a reshape's two. */
static unsigned int llb_spans(struct llb *b, sector_t offset,
			      unsigned long sectors, bool discard,
			      struct llb_span *sp)
{
	if (llb_cookie_is_dual(offset)) {
		llb_cookie_spans(offset, sectors, &sp[0], &sp[1]);
		return 2;
	}
	return llb_span_of(b, offset, sectors, discard, &sp[0]) ? 1 : 0;
}

/* Take (@up) or drop the page barrier of every page of @n spans. */
static void llb_barriers(struct llb *b, const struct llb_span *sp,
			 unsigned int n, bool up)
{
	unsigned int i, pg;

	for (i = 0; i < n; i++) {
		for (pg = sp[i].pg_first; pg <= sp[i].pg_last; pg++) {
			if (up)
				llb_barrier_up(b, pg);
			else
				llb_barrier_down(b, pg);
		}
	}
}

/*
 * Raise the barrier of every page first, then change states: the daemon
 * fences one page at a time, so holding some pages while waiting for
 * another cannot deadlock with it.
 */
static void llb_begin(struct mddev *mddev, sector_t offset,
		      unsigned long sectors, bool discard)
{
	struct llb *b = mddev->bitmap;
	struct llb_span sp[2];
	unsigned int i, n;

	n = llb_spans(b, offset, sectors, discard, sp);
	llb_barriers(b, sp, n, true);
	/*
	 * During a reshape a discard keeps the states (llb-reshape.c).
	 * The barriers above are taken anyway: llb_end() drops them, and
	 * the reshape may end between the two calls.
	 */
	if (discard && llb_reshaping(b))
		return;
	for (i = 0; i < n; i++)
		llb_run(b, sp[i].first, sp[i].last,
			discard ? LLB_ACT_DISCARD : LLB_ACT_WRITE);
}

/* Bio completion context: must mirror llb_begin() exactly. */
static void llb_end(struct mddev *mddev, sector_t offset,
		    unsigned long sectors, bool discard)
{
	struct llb *b = mddev->bitmap;
	struct llb_span sp[2];

	llb_barriers(b, sp, llb_spans(b, offset, sectors, discard, sp), false);
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
			       unsigned long *sectors, bool previous)
{
	struct md_personality *pers = mddev->pers;

#ifdef MDX_HAVE_BITMAP_SECTOR_MAP
	if (pers->bitmap_sector_map) {
		pers->bitmap_sector_map(mddev, offset, sectors, previous);
		return;
	}
#endif
	if (pers->bitmap_sector)
		pers->bitmap_sector(mddev, offset, sectors);
}

/*
 * The member range the bitmap tracks for an array range, in the geometry
 * before (@previous) or after a reshape; without a reshape both are the
 * current one.  Then a write is widened to whole chunks and a discard
 * narrowed to whole chunks.  Returns false if the bitmap tracks none of
 * it.
 */
static bool llb_member_range(struct llb *b, sector_t *offset,
			     unsigned long *sectors, bool previous,
			     bool discard)
{
	struct mddev *mddev = b->mddev;
	struct md_personality *pers = mddev->pers;
	sector_t limit = b->sync_size;
	sector_t lo, hi;

#ifdef MDX_HAVE_BITMAP_ARRAY_SECTORS
	if (pers->bitmap_array_sectors)
		limit = pers->bitmap_array_sectors(mddev, previous);
#endif
	if (*offset >= limit || !*sectors)
		return false;
	*sectors = min_t(sector_t, *sectors, limit - *offset);

	llb_map_to_members(mddev, offset, sectors, previous);

	lo = *offset;
	if (lo >= b->sync_size || !*sectors)
		return false;
	hi = min_t(sector_t, lo + *sectors, b->sync_size);
	if (discard) {
		lo = round_up(lo, b->chunksize);
		hi = round_down(hi, b->chunksize);
	} else {
		lo = round_down(lo, b->chunksize);
		hi = round_up(hi, b->chunksize);
	}
	if (hi <= lo)
		return false;
	*offset = lo;
	*sectors = hi - lo;
	return true;
}

/*
 * A write during a reshape: raid5 may put its data in either geometry,
 * so it marks its chunks in both (see llb-reshape.c).  A discard marks
 * nothing then.
 */
static void llb_prepare_reshape_range(struct llb *b, sector_t *offset,
				      unsigned long *sectors, bool discard)
{
	sector_t old_off = *offset;
	unsigned long old_len = *sectors;
	struct llb_span old, new;
	bool has_old, has_new;
	sector_t lo, hi;

	if (discard) {
		*sectors = 0;
		return;
	}
	has_new = llb_member_range(b, offset, sectors, false, false) &&
		  llb_span_of(b, *offset, *sectors, false, &new);
	has_old = llb_member_range(b, &old_off, &old_len, true, false) &&
		  llb_span_of(b, old_off, old_len, false, &old);
	if (!has_old) {
		if (!has_new)
			*sectors = 0;
		return;
	}
	if (!has_new) {
		*offset = old_off;
		*sectors = old_len;
		return;
	}
	if (old.first == new.first && old.last == new.last)
		return;
	if (llb_cookie_make(b, &old, &new, offset, sectors))
		return;
	/* no room for two spans: cover everything between them */
	lo = min_t(sector_t, *offset, old_off);
	hi = max_t(sector_t, *offset + *sectors, old_off + old_len);
	*offset = lo;
	*sectors = hi - lo;
}

/*
 * Map an array range to the member range the bitmap tracks (for RAID-5
 * the per-member stripe range).  sectors = 0 tells md to skip the bitmap
 * for this bio.
 */
static void llb_prepare_range(struct mddev *mddev, sector_t *offset,
			      unsigned long *sectors, bool discard)
{
	struct llb *b = mddev->bitmap;

	if (!b || !mddev->pers)
		return;
	if (llb_reshaping(b)) {
		llb_prepare_reshape_range(b, offset, sectors, discard);
		return;
	}
	if (!llb_member_range(b, offset, sectors, false, discard))
		*sectors = 0;
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
 * Reshape of RAID-4/5/6 (raid5_start_reshape() calls us first): the
 * member size, and so the bitmap geometry, stays; the states become
 * geometry-free for the duration (llb-reshape.c).  Anything that would
 * change the bitmap geometry during a reshape is refused.
 */
static int llb_resize_for_reshape(struct llb *b, sector_t blocks,
				  int chunksize)
{
	struct mddev *mddev = b->mddev;

	if (!raid_is_456(mddev)) {
		pr_err("%s: %s: reshape of this RAID level is not supported with the lockless bitmap; remove it first (mdadm --grow --bitmap=none)\n",
		       LLB_NAME, mdname(mddev));
		return -EOPNOTSUPP;
	}
	if (blocks != b->sync_size || (chunksize && chunksize != b->chunksize)) {
		pr_err("%s: %s: a reshape that changes the member size is not supported with the lockless bitmap\n",
		       LLB_NAME, mdname(mddev));
		return -EOPNOTSUPP;
	}
	llb_reshape_enter(b);
	return 0;
}

/*
 * The array changes size (mdadm --grow --size), or raid5 starts a
 * reshape.  Growth keeps the chunk size when the new chunks still fit the
 * reservation; new chunks start Unwritten.
 */
static int llb_resize(struct mddev *mddev, sector_t blocks, int chunksize)
{
	struct llb *b = mddev->bitmap;
	unsigned long old_chunks, new_chunks;
	unsigned int noio;
	int err = 0;

	if (!b)
		return 0;
	if (mddev->delta_disks || mddev->new_level != mddev->level ||
	    mddev->new_layout != mddev->layout ||
	    mddev->new_chunk_sectors != mddev->chunk_sectors)
		return llb_resize_for_reshape(b, blocks, chunksize);
	if (llb_reshaping(b) ||
	    READ_ONCE(mddev->reshape_position) != MaxSector) {
		pr_err("%s: %s: cannot change the size while a reshape is in progress\n",
		       LLB_NAME, mdname(mddev));
		return -EBUSY;
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
	/*
	 * The array is quiesced: IO to it waits until we are done.  Reclaim
	 * entered from these allocations could write dirty pages back to
	 * this very array (a filesystem on it, or swap) and wait for that IO
	 * forever, so no allocation below may start IO.
	 */
	noio = memalloc_noio_save();
	err = llb_alloc_pages(b, llb_pages_for(new_chunks));
	memalloc_noio_restore(noio);
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
/*
 * Asked by raid10 only, before its reshape; raid10's reshape changes the
 * array size the bitmap tracks for it, which we do not support.
 */
static int llb_reshape_can_start(struct mddev *mddev)
{
	if (!mddev->bitmap || raid_is_456(mddev))
		return 0;
	pr_err("%s: %s: reshape of this RAID level is not supported with the lockless bitmap; remove it first (mdadm --grow --bitmap=none)\n",
	       LLB_NAME, mdname(mddev));
	return -EOPNOTSUPP;
}

/*
 * raid5 checkpoints its reshape: nothing moves, the states are
 * geometry-free while it runs; raid5 unplugs right after this.
 */
static void llb_reshape_mark(struct mddev *mddev, sector_t old_pos,
			     sector_t new_pos)
{
}

static void llb_reshape_finish(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	if (b)
		llb_reshape_leave(b);
}
#endif

/* md writes its superblocks: the moment a reshape start becomes durable. */
static void llb_md_update_sb(void *data)
{
	struct llb *b = data;

	llb_reshape_track(b);
	llb_update_sb(b);
}

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
	.update_sb		= llb_md_update_sb,
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
