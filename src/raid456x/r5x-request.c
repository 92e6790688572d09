// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: the array request path.  Reads that fit in one chunk go
 * straight to the member that holds them; everything else is cut into
 * member blocks and queued on stripes for the md thread.
 */
/* first: it sets pr_fmt */
#include "r5x.h"
#include "md-bitmap.h"

/*
 * Writes queued under a submitter's plug keep their stripes until the plug
 * is flushed, so consecutive bios can fill whole stripes before the md
 * thread decides how to write them.  Sleeping flushes the plug, so a
 * submitter waiting for a free stripe never waits on its own.
 */
struct r5x_plug {
	struct blk_plug_cb	cb;
	struct list_head	stripes;
};

static void r5x_unplug(struct blk_plug_cb *cb, bool from_schedule)
{
	struct r5x_plug *plug = container_of(cb, struct r5x_plug, cb);
	struct r5x_stripe *sh, *tmp;

	list_for_each_entry_safe(sh, tmp, &plug->stripes, lru) {
		list_del_init(&sh->lru);
		clear_bit(R5X_S_PLUGGED, &sh->state);
		r5x_release_stripe(sh);
	}
	kfree(plug);
}

static struct r5x_plug *r5x_get_plug(struct r5x_conf *conf)
{
	struct blk_plug_cb *cb;
	struct r5x_plug *plug;

	cb = blk_check_plugged(r5x_unplug, conf, sizeof(*plug));
	if (!cb)
		return NULL;
	plug = container_of(cb, struct r5x_plug, cb);
	/* a new callback comes zeroed */
	if (!plug->stripes.next)
		INIT_LIST_HEAD(&plug->stripes);
	return plug;
}

/*
 * Queue every share of @bio that falls in stripe @off of chunk row @row.
 * All of them are attached before the stripe is released to the thread,
 * so a bio that covers a whole stripe is written without reads.
 */
static void r5x_queue_stripe(struct r5x_conf *conf, struct bio *bio, u64 row,
			     unsigned int off, unsigned int flags)
{
	sector_t start = bio->bi_iter.bi_sector;
	sector_t end = bio_end_sector(bio);
	sector_t msector = row * conf->chunk_sectors + off;
	struct r5x_stripe *sh = NULL;
	struct r5x_plug *plug;
	int pd = r5x_parity_disk(conf, msector);
	int d, dd;

	for (d = 0; d < conf->data_disks; d++) {
		sector_t lsector = r5x_array_sector(conf, row, d, off);

		if (lsector + R5X_BLK_SECTORS <= start || lsector >= end)
			continue;
		if (!sh)
			sh = r5x_get_stripe(conf, msector, flags);
		dd = r5x_data_member(conf, d, pd);
		r5x_attach_ref(conf, sh, bio, lsector, dd);
	}
	if (!sh)
		return;
	set_bit(R5X_S_HANDLE, &sh->state);
	/*
	 * Our reference moves to the plug; sh->lru is free while held.  The
	 * plug is looked up only now: any sleep above may have flushed (and
	 * freed) an earlier one.
	 */
	plug = op_is_write(bio->bi_opf) ? r5x_get_plug(conf) : NULL;
	if (plug && !test_and_set_bit(R5X_S_PLUGGED, &sh->state)) {
		list_add_tail(&sh->lru, &plug->stripes);
		return;
	}
	r5x_release_stripe(sh);
}

/* Queue a bio on the stripes it touches, in member order. */
static void r5x_queue_bio(struct r5x_conf *conf, struct bio *bio,
			  unsigned int flags)
{
	sector_t start = bio->bi_iter.bi_sector;
	sector_t end = bio_end_sector(bio);
	u64 chunk = conf->chunk_sectors;
	u64 row_len = r5x_row_sectors(conf);
	u64 row, last_row;

	if (end <= start)
		return;
	row = div64_u64(start, row_len);
	last_row = div64_u64(end - 1, row_len);
	for (; row <= last_row; row++) {
		u64 base = row * row_len;
		u64 lo = max_t(u64, start, base) - base;
		u64 hi = min_t(u64, end, base + row_len) - base;
		unsigned int off, off_lo = 0, off_hi = chunk;

		/* within one chunk only that chunk's offsets are touched */
		if ((lo ^ (hi - 1)) < chunk) {
			/* chunk sizes are powers of two */
			off_lo = lo & (chunk - 1) & ~R5X_BLK_MASK;
			off_hi = ((hi - 1) & (chunk - 1)) + 1;
		}
		for (off = off_lo; off < off_hi; off += R5X_BLK_SECTORS)
			r5x_queue_stripe(conf, bio, row, off, flags);
	}
}

static void r5x_aligned_put(struct r5x_conf *conf)
{
	if (atomic_dec_and_test(&conf->aligned_reads))
		wake_up(&conf->wait_quiet);
}

static void r5x_aligned_endio(struct bio *clone)
{
	struct r5x_aligned *ar = container_of(clone, struct r5x_aligned,
					      clone);
	struct bio *orig = ar->orig;
	struct md_rdev *rdev = ar->rdev;
	struct mddev *mddev = rdev->mddev;
	struct r5x_conf *conf = mddev->private;
	blk_status_t status = clone->bi_status;
	unsigned long flags;

	bio_put(clone);
	/*
	 * A failure is not counted against the member (as in raid5): the
	 * retry re-reads its blocks through stripes, where it counts.
	 */
	rdev_dec_pending(rdev, mddev);
	if (!status) {
		bio_endio(orig);
		r5x_aligned_put(conf);
		return;
	}
	/*
	 * Retry through the stripes.  The clone failed as a whole, which
	 * says nothing about any one block of it: each block is read again
	 * on its own there, and only one whose own read fails is a read
	 * error (rebuilt and rewritten, or recorded as bad), as raid5's
	 * retry_aligned_read() does with R5_ReadNoMerge.
	 */
	spin_lock_irqsave(&conf->retry_lock, flags);
	bio_list_add(&conf->retry, orig);
	spin_unlock_irqrestore(&conf->retry_lock, flags);
	queue_work(system_dfl_wq, &conf->retry_work);
}

/*
 * Aligned reads that failed.  The aligned_reads count taken for them is
 * dropped only after they are queued, so quiesce waits for the retry;
 * that is why the stripes are taken with R5X_GET_NOQUIESCE.
 */
void r5x_retry_work(struct work_struct *work)
{
	struct r5x_conf *conf = container_of(work, struct r5x_conf,
					     retry_work);
	struct bio *bio;

	for (;;) {
		spin_lock_irq(&conf->retry_lock);
		bio = bio_list_pop(&conf->retry);
		spin_unlock_irq(&conf->retry_lock);
		if (!bio)
			break;
		r5x_queue_bio(conf, bio, R5X_GET_NOQUIESCE);
		bio_endio(bio);
		r5x_aligned_put(conf);
	}
}

/* Try to send a read that lies within one chunk to its member. */
static bool r5x_aligned_read(struct r5x_conf *conf, struct bio *bio)
{
	sector_t start = bio->bi_iter.bi_sector;
	unsigned int sectors = bio_sectors(bio);
	struct r5x_aligned *ar;
	struct md_rdev *rdev;
	struct bio *clone;
	sector_t msector;
	int dd, pd;

	if (!sectors ||
	    (start & (conf->chunk_sectors - 1)) + sectors > conf->chunk_sectors)
		return false;
	msector = r5x_map_sector(conf, start, &dd, &pd);

	rcu_read_lock();
	rdev = READ_ONCE(conf->disks[dd].rdev);
	if (!rdev || test_bit(Faulty, &rdev->flags) ||
	    (!test_bit(In_sync, &rdev->flags) &&
	     msector + sectors > READ_ONCE(rdev->recovery_offset)) ||
	    rdev_has_badblock(rdev, msector, sectors)) {
		rcu_read_unlock();
		return false;
	}
	atomic_inc(&rdev->nr_pending);
	rcu_read_unlock();

	spin_lock_irq(&conf->lock);
	if (conf->quiesce) {
		spin_unlock_irq(&conf->lock);
		rdev_dec_pending(rdev, conf->mddev);
		return false;
	}
	atomic_inc(&conf->aligned_reads);
	spin_unlock_irq(&conf->lock);

	clone = bio_alloc_clone(rdev->bdev, bio, GFP_NOIO, &conf->read_bs);
	ar = container_of(clone, struct r5x_aligned, clone);
	ar->orig = bio;
	ar->rdev = rdev;
	clone->bi_end_io = r5x_aligned_endio;
	clone->bi_iter.bi_sector = msector + rdev->data_offset;
	submit_bio_noacct(clone);
	return true;
}

/*
 * With llbitmap a discard only tells the bitmap the range holds nothing
 * (its chunks become Unwritten: never scrubbed, rebuilt or trusted for
 * read-modify-write).  Without llbitmap discard is not advertised.
 *
 * Only whole rows inside the discard may reach the bitmap: the bitmap
 * tracks member space, where a row is one unit (its parity covers every
 * data chunk of it), so r5x_bitmap_sector() widens any array range to
 * whole rows.  A partial row still holds live data in its other chunks,
 * and a chunk marked Unwritten is skipped by the next rebuild, so the
 * range is cut inward to row boundaries here first, as raid5 does; a
 * discard with no whole row inside changes nothing and succeeds.
 *
 * Nothing is sent to the members.  A member need not return the same
 * bytes twice from a discarded range (zeroes, old data, anything), and
 * parity computed from one read of it is wrong for the next: a later
 * reconstruct-write into the row, or a rebuild of another member, would
 * then compute garbage for live data.  raid5 passes discards down only
 * when the admin vouches for the members (devices_handle_discard_safely);
 * raid456x keeps the data instead, so parity and the stripe cache stay
 * consistent and no member IO is needed.  The cost: the space is not
 * returned to thin-provisioned or flash members.
 */
static void r5x_discard(struct mddev *mddev, struct bio *bi)
{
	struct r5x_conf *conf = mddev->private;
	u64 row_sectors = r5x_row_sectors(conf);
	struct bvec_iter whole = bi->bi_iter;
	struct bio *orig = bi;
	sector_t first, last;

	if (mddev->bitmap_id != ID_LLBITMAP) {
		bi->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bi);
		return;
	}
	/* whole rows strictly inside [start, end) */
	first = div64_u64(whole.bi_sector + row_sectors - 1, row_sectors) *
		row_sectors;
	last = div64_u64(bio_end_sector(bi), row_sectors) * row_sectors;
	if (last <= first) {
		bio_endio(bi);
		return;
	}
	md_write_start(mddev, bi);
	/*
	 * md core takes the bitmap range from the bio when it clones it
	 * (and calls the bitmap's start_discard on whole chunks inside), so
	 * the bio shows only the whole rows then; as raid5 does, both get
	 * their full range back afterwards (a discard carries no data).
	 */
	bi->bi_iter.bi_sector = first;
	bi->bi_iter.bi_size = (last - first) << SECTOR_SHIFT;
	md_account_bio(mddev, &bi);
	orig->bi_iter = whole;
	bi->bi_iter = whole;
	bio_endio(bi);
	md_write_end(mddev);
}

bool r5x_make_request(struct mddev *mddev, struct bio *bi)
{
	struct r5x_conf *conf = mddev->private;
	bool write = op_is_write(bi->bi_opf);

	if (unlikely(bi->bi_opf & REQ_PREFLUSH) && md_flush_request(mddev, bi))
		return true;

	if (bio_op(bi) == REQ_OP_DISCARD) {
		r5x_discard(mddev, bi);
		return true;
	}
	if (unlikely(bio_op(bi) != REQ_OP_READ && bio_op(bi) != REQ_OP_WRITE)) {
		/* write-zeroes is not advertised */
		bio_io_error(bi);
		return true;
	}

	if (!write && bio_sectors(bi)) {
		sector_t in_chunk = bi->bi_iter.bi_sector &
				    (conf->chunk_sectors - 1);

		/* reads go chunk by chunk, so most can bypass the cache */
		if (in_chunk + bio_sectors(bi) > conf->chunk_sectors) {
			bi = bio_submit_split_bioset(bi, conf->chunk_sectors -
						     in_chunk, &mddev->bio_set);
			if (!bi)
				return true;
		}
	}

	if (write)
		md_write_start(mddev, bi);
	/* accounting, and for writes the bitmap's start_write */
	md_account_bio(mddev, &bi);

	if (!write && r5x_aligned_read(conf, bi))
		return true;

	r5x_queue_bio(conf, bi, 0);
	if (write)
		md_write_end(mddev);
	/* drop make_request's own reference; the shares hold the bio */
	bio_endio(bi);
	return true;
}
