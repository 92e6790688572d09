// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: lifecycle (create/load/destroy/flush/resize) and
 * registration with md; the write path is in llb-write.c.
 *
 * md calls create/load/destroy/flush/resize with reconfig_mutex held; we
 * take bitmap_info.mutex inside it wherever the bitmap pointer or the page
 * array changes, which is also what the sysfs handlers take.  The write
 * path (prepare_range, start/end_write) takes no lock at all.
 */
/* first: it sets pr_fmt */
#include "llb.h"

#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

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
		pr_err("%s: cannot use the lockless bitmap: %d\n",
		       mdname(mddev), err);
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
	if (b->hdr_size) {
		/*
		 * The chunks past the header's size (llb_parse_sb()),
		 * from the one holding its last sector on: NeedSync, on
		 * disk before any header can claim them (llb_update_sb()).
		 * A read-only array writes nothing: the header keeps its
		 * size, and the next assembly does this again.
		 */
		llb_set_range(b, (b->hdr_size - 1) >> b->chunkshift,
			      b->nchunks - 1, LLB_NEEDSYNC);
		if (md_is_rdwr(mddev)) {
			llb_write_everything(b);
			WRITE_ONCE(b->hdr_size, 0);
		}
	}
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

static int llb_get_stats(void *data, struct md_bitmap_stats *stats)
{
	struct llb *b = data;

	memset(stats, 0, sizeof(*stats));
	stats->pages = b->npages;
	stats->file_pages = b->npages;
	stats->sync_size = b->sync_size;
	/* md reads it to judge a re-add (reconfig_mutex), unlocked here */
	stats->events_cleared = READ_ONCE(b->events_cleared);
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
		pr_err("%s: reshape of this RAID level is not supported with the lockless bitmap; remove it first (mdadm --grow --bitmap=none)\n",
		       mdname(mddev));
		return -EOPNOTSUPP;
	}
	if (blocks != b->sync_size || (chunksize && chunksize != b->chunksize)) {
		pr_err("%s: a reshape that changes the member size is not supported with the lockless bitmap\n",
		       mdname(mddev));
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
		pr_err("%s: cannot change the size while a reshape is in progress\n",
		       mdname(mddev));
		return -EBUSY;
	}
	if ((chunksize && chunksize != b->chunksize) ||
	    llb_pick_chunksize(mddev, blocks, b->chunksize) != b->chunksize) {
		pr_err("%s: new size needs another bitmap chunk size; remove the bitmap first\n",
		       mdname(mddev));
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

/*
 * Asked by raid10 only, before its reshape; raid10's reshape changes the
 * array size the bitmap tracks for it, which we do not support.  These
 * three hooks exist only where md has them (MDX_RESHAPE_OPS), hence
 * __maybe_unused.
 */
static int __maybe_unused llb_reshape_can_start(struct mddev *mddev)
{
	if (!mddev->bitmap || raid_is_456(mddev))
		return 0;
	pr_err("%s: reshape of this RAID level is not supported with the lockless bitmap; remove it first (mdadm --grow --bitmap=none)\n",
	       mdname(mddev));
	return -EOPNOTSUPP;
}

/*
 * raid5 checkpoints its reshape: nothing moves, the states are
 * geometry-free while it runs; raid5 unplugs right after this.
 */
static void __maybe_unused llb_reshape_mark(struct mddev *mddev,
					    sector_t old_pos, sector_t new_pos)
{
}

static void __maybe_unused llb_reshape_finish(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	if (b)
		llb_reshape_leave(b);
}

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
	MDX_PREPARE_RANGE_OP(llb_prepare_range)
	MDX_RESHAPE_OPS(llb_reshape_can_start, llb_reshape_mark,
			llb_reshape_finish)
	.unplug			= llb_unplug,
	.start_behind_write	= llb_start_behind,
	.end_behind_write	= llb_end_behind,
	MDX_WAIT_BEHIND_OP(llb_wait_behind)
	MDX_WAIT_BEHIND_NOWAIT_OP(llb_try_wait_behind)
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
	MDX_SYSFS_GROUPS_OP(llb_groups)
	MDX_SYSFS_GROUP_OP(&llb_group)
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
		pr_err("bitmap id %d (llbitmap) is already registered: this kernel has CONFIG_MD_LLBITMAP=y or another llbitmap module is loaded\n",
		       ID_LLBITMAP);
	else if (ret)
		pr_err("registering with md failed: %d\n", ret);
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
