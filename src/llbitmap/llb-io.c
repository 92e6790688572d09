// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: reading and writing the bitmap area of the members.
 *
 * md's own metadata writer (md_write_metadata/md_super_wait) is not
 * exported, so blocks are written with bios of our own: one bio per
 * (member, io block), REQ_PREFLUSH|REQ_FUA so that a block is on stable
 * media, together with everything written before it, when its bio ends.
 * Reads go through md's exported sync_page_io().
 *
 * Nothing is ever read or written past the reservation the superblock
 * declares (sectors_reserved): IO is clipped to whole io blocks inside it,
 * and the geometry code never places a chunk byte beyond it.
 */
/* first: it sets pr_fmt */
#include "llb.h"

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/slab.h>

/* One in-flight block write; the bio is the last member (front_pad). */
struct llb_wbio {
	struct llb	*b;
	struct md_rdev	*rdev;
	struct bio	bio;
};

static struct bio_set llb_bioset;

int llb_bioset_init(void)
{
	return bioset_init(&llb_bioset, 16, offsetof(struct llb_wbio, bio),
			   BIOSET_NEED_BVECS);
}

void llb_bioset_exit(void)
{
	bioset_exit(&llb_bioset);
}

u64 llb_space_bytes(struct mddev *mddev)
{
	return (u64)mddev->bitmap_info.space << SECTOR_SHIFT;
}

unsigned int llb_pages_for(unsigned long nchunks)
{
	return DIV_ROUND_UP(nchunks + LLB_DATA_START, PAGE_SIZE);
}

/* Bytes of page @idx that lie inside the reservation, in whole blocks. */
static unsigned int llb_page_io_bytes(struct llb *b, unsigned int idx)
{
	u64 space = llb_space_bytes(b->mddev);
	u64 start = (u64)idx << PAGE_SHIFT;
	u64 len;

	if (start >= space)
		return 0;
	len = min_t(u64, PAGE_SIZE, space - start);
	return round_down(len, b->blksz);
}

/*
 * Read page @idx of the area into @page from the first member that holds
 * valid data.  A member that fails the read is failed (md_error) and the
 * next one is tried, as md does for its superblock.
 */
int llb_read_area(struct llb *b, unsigned int idx, struct page *page)
{
	struct mddev *mddev = b->mddev;
	unsigned int len = llb_page_io_bytes(b, idx);
	struct md_rdev *rdev;

	if (!len)
		return 0;
	rdev_for_each(rdev, mddev) {
		sector_t sector;

		if (rdev->raid_disk < 0 || test_bit(Faulty, &rdev->flags) ||
		    !test_bit(In_sync, &rdev->flags))
			continue;
		sector = mddev->bitmap_info.offset +
			 ((sector_t)idx << (PAGE_SHIFT - SECTOR_SHIFT));
		if (sync_page_io(rdev, sector, len, page, REQ_OP_READ, true))
			return 0;
		pr_err("%s: reading bitmap from %pg failed\n", mdname(mddev),
		       rdev->bdev);
		md_error(mddev, rdev);
	}
	return -EIO;
}

static void llb_free_one(struct llb_page *pg)
{
	if (!pg)
		return;
	percpu_ref_exit(&pg->users);
	if (pg->page)
		__free_page(pg->page);
	kfree(pg);
}

static void llb_users_gone(struct percpu_ref *ref)
{
	struct llb_page *pg = container_of(ref, struct llb_page, users);

	wake_up_all(&pg->waitq);
}

static struct llb_page *llb_alloc_one(struct llb *b, unsigned int idx)
{
	struct llb_page *pg;
	int err = -ENOMEM;

	pg = kzalloc_obj(*pg, GFP_KERNEL);
	if (!pg)
		return ERR_PTR(-ENOMEM);
	init_waitqueue_head(&pg->waitq);
	pg->idle_at = jiffies;
	if (percpu_ref_init(&pg->users, llb_users_gone,
			    PERCPU_REF_ALLOW_REINIT, GFP_KERNEL)) {
		kfree(pg);
		return ERR_PTR(-ENOMEM);
	}
	pg->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!pg->page)
		goto fail;
	pg->bytes = page_address(pg->page);
	err = llb_read_area(b, idx, pg->page);
	if (err)
		goto fail;
	return pg;
fail:
	llb_free_one(pg);
	return ERR_PTR(err);
}

/*
 * Grow the page cache to @npages pages, reading the new ones from disk.
 * Called with bitmap_info.mutex held and no IO on the array (create, load,
 * resize under quiesce), so the array pointer may be replaced.
 */
int llb_alloc_pages(struct llb *b, unsigned int npages)
{
	struct llb_page **arr;
	unsigned int i;

	if (npages <= b->npages)
		return 0;
	arr = kcalloc(npages, sizeof(*arr), GFP_KERNEL);
	if (!arr)
		return -ENOMEM;
	if (b->pages)
		memcpy(arr, b->pages, b->npages * sizeof(*arr));
	for (i = b->npages; i < npages; i++) {
		arr[i] = llb_alloc_one(b, i);
		if (IS_ERR(arr[i])) {
			int err = PTR_ERR(arr[i]);

			while (i-- > b->npages)
				llb_free_one(arr[i]);
			kfree(arr);
			return err;
		}
	}
	kfree(b->pages);
	b->pages = arr;
	b->npages = npages;
	return 0;
}

void llb_free_pages(struct llb *b)
{
	unsigned int i;

	for (i = 0; i < b->npages; i++)
		llb_free_one(b->pages[i]);
	kfree(b->pages);
	b->pages = NULL;
	b->npages = 0;
}

static void llb_wbio_done(struct bio *bio)
{
	struct llb_wbio *w = container_of(bio, struct llb_wbio, bio);
	struct llb *b = w->b;
	struct md_rdev *rdev = w->rdev;
	struct mddev *mddev = b->mddev;

	if (bio->bi_status) {
		pr_err("%s: bitmap write to %pg failed: %d\n", mdname(mddev),
		       rdev->bdev,
		       blk_status_to_errno(bio->bi_status));
		md_error(mddev, rdev);
		atomic_inc(&b->io_failed);
	} else {
		atomic_inc(&b->io_ok);
	}
	bio_put(bio);
	/* pairs with the increment in llb_submit_block() */
	rdev_dec_pending(rdev, mddev);
	if (atomic_dec_and_test(&b->io_inflight))
		wake_up_all(&b->io_wait);
}

/*
 * Write block @blk of page @idx to every active member.  rdev->nr_pending
 * keeps the member from being removed while the bio is in flight.  The
 * caller holds io_mutex and waits with llb_wait_io().
 */
static void llb_submit_block(struct llb *b, unsigned int idx, unsigned int blk)
{
	struct mddev *mddev = b->mddev;
	struct page *page = b->pages[idx]->page;
	unsigned int off = blk * b->blksz;
	struct md_rdev *rdev;

	if (off + b->blksz > llb_page_io_bytes(b, idx))
		return;

	rdev_for_each(rdev, mddev) {
		struct llb_wbio *w;
		struct bio *bio;

		if (rdev->raid_disk < 0 || test_bit(Faulty, &rdev->flags))
			continue;
		bio = bio_alloc_bioset(rdev->meta_bdev ?: rdev->bdev, 1,
				       REQ_OP_WRITE | REQ_SYNC | REQ_IDLE |
				       REQ_META | REQ_PREFLUSH | REQ_FUA,
				       GFP_NOIO, &llb_bioset);
		w = container_of(bio, struct llb_wbio, bio);
		w->b = b;
		w->rdev = rdev;
		bio->bi_iter.bi_sector = rdev->sb_start +
			mddev->bitmap_info.offset +
			((sector_t)idx << (PAGE_SHIFT - SECTOR_SHIFT)) +
			(off >> SECTOR_SHIFT);
		__bio_add_page(bio, page, b->blksz, off);
		bio->bi_end_io = llb_wbio_done;
		atomic_inc(&rdev->nr_pending);
		atomic_inc(&b->io_inflight);
		submit_bio(bio);
	}
}

/*
 * Wait for the block writes submitted under io_mutex, then judge them.  A
 * member whose write failed was failed by md_error() in llb_wbio_done(),
 * as md does when a superblock write fails.  If no write of the batch
 * reached any member, or no member is left to hold the bitmap, no state
 * change can be made durable any more: say so once, and mark the bitmap
 * (BITMAP_WRITE_ERROR: states no longer change, md/llbitmap/bits shows
 * "bitmap io error", md sees the bitmap disabled).  md has then failed
 * the members under the array, so its data writes fail too and none is
 * acknowledged with its state on no disk.
 */
static void llb_wait_io(struct llb *b)
{
	struct md_rdev *rdev;
	bool left = false;
	int ok;

	wait_event(b->io_wait, !atomic_read(&b->io_inflight));
	ok = atomic_xchg(&b->io_ok, 0);
	if (!atomic_xchg(&b->io_failed, 0))
		return;
	rcu_read_lock();
	rdev_for_each_rcu(rdev, b->mddev)
		if (rdev->raid_disk >= 0 && !test_bit(Faulty, &rdev->flags))
			left = true;
	rcu_read_unlock();
	if ((!ok || !left) &&
	    !test_and_set_bit(BITMAP_WRITE_ERROR, &b->flags))
		pr_err("%s: bitmap io error: the bitmap could be written on no member, state changes stop\n",
		       mdname(b->mddev));
}

/* Write the queued blocks of page @idx (io_mutex held). */
static void llb_write_page_blocks(struct llb *b, unsigned int idx)
{
	struct llb_page *pg = b->pages[idx];
	unsigned int blk;

	for (blk = 0; blk < b->blks_per_page; blk++)
		if (test_and_clear_bit(blk, pg->blk_dirty))
			llb_submit_block(b, idx, blk);
}

/* Write every queued block and wait until all of them are durable. */
void llb_write_dirty(struct llb *b)
{
	struct blk_plug plug;
	unsigned int i;

	mutex_lock(&b->io_mutex);
	blk_start_plug(&plug);
	for (i = 0; i < b->npages; i++)
		if (test_and_clear_bit(LLB_PG_DIRTY, &b->pages[i]->pflags))
			llb_write_page_blocks(b, i);
	blk_finish_plug(&plug);
	llb_wait_io(b);
	mutex_unlock(&b->io_mutex);
}

void llb_mark_all_dirty(struct llb *b)
{
	unsigned int i;

	for (i = 0; i < b->npages; i++) {
		bitmap_fill(b->pages[i]->blk_dirty, b->blks_per_page);
		/* block bits before the page flag, see llb_queue_block() */
		smp_mb__before_atomic();
		set_bit(LLB_PG_DIRTY, &b->pages[i]->pflags);
	}
}

/* Full write of the cached area, as at stop and at sync checkpoints. */
void llb_write_everything(struct llb *b)
{
	llb_mark_all_dirty(b);
	llb_write_dirty(b);
}

/*
 * Write the blocks holding the superblock (bytes 0..1023) and wait.  The
 * caller holds io_mutex from before it stores into the cached header, so
 * that two header writers (md's superblock update, the events_cleared
 * raise) cannot send each other's older field values to disk last.
 */
void llb_write_header(struct llb *b)
{
	unsigned int nblk = DIV_ROUND_UP(LLB_DATA_START, b->blksz);
	unsigned int blk;

	lockdep_assert_held(&b->io_mutex);
	for (blk = 0; blk < nblk; blk++)
		llb_submit_block(b, 0, blk);
	llb_wait_io(b);
}

bool llb_any_dirty(struct llb *b)
{
	unsigned int i;

	for (i = 0; i < b->npages; i++)
		if (test_bit(LLB_PG_DIRTY, &b->pages[i]->pflags))
			return true;
	return false;
}

struct llb_unplug_req {
	struct work_struct	work;
	struct llb		*b;
	struct completion	done;
};

static void llb_unplug_work(struct work_struct *work)
{
	struct llb_unplug_req *req =
		container_of(work, struct llb_unplug_req, work);

	llb_write_dirty(req->b);
	complete(&req->done);
}

/*
 * Make every queued block durable before the personality writes the data
 * it covers.  raid5d and the raid1/10 plug callbacks call this with
 * current->bio_list active, where a bio we submitted would only be queued
 * behind the caller, so the writing is done by a worker and we wait for
 * it.  @sync is ignored: callers always get the blocks on disk.
 *
 * "Nothing is dirty" is not "everything is on disk": another flusher (the
 * unplug worker of another caller, the kicker, a sync checkpoint) may have
 * taken our blocks (cleared their bits) and still have their FUA writes in
 * flight.  Every flusher holds io_mutex from before it clears a bit until
 * its writes have ended (llb_write_dirty()), so such a flusher is seen as
 * a held io_mutex, and taking the mutex once waits for it.  Ordering: the
 * flusher takes the mutex before its fully ordered test_and_clear_bit() of
 * the page flag; if we read the cleared flag, the smp_rmb() makes us see
 * the mutex owner it stored before (or a later release, after its wait).
 * A block queued after the flusher took the page sets the flag again and
 * goes through the worker below, which also queues behind the mutex.
 */
void llb_unplug(struct mddev *mddev, bool sync)
{
	struct llb *b = mddev->bitmap;
	struct llb_unplug_req req;

	if (!b)
		return;
	if (!llb_any_dirty(b)) {
		/* pairs with test_and_clear_bit() in llb_write_dirty() */
		smp_rmb();
		if (mutex_is_locked(&b->io_mutex)) {
			mutex_lock(&b->io_mutex);
			mutex_unlock(&b->io_mutex);
		}
		return;
	}

	req.b = b;
	init_completion(&req.done);
	INIT_WORK_ONSTACK(&req.work, llb_unplug_work);
	queue_work(llb_unplug_wq, &req.work);
	wait_for_completion(&req.done);
	destroy_work_on_stack(&req.work);
}
