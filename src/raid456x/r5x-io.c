// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: member IO of stripe pages and XOR through async_tx.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/async_tx.h>
#include <linux/highmem.h>

static void r5x_io_done(struct r5x_stripe *sh)
{
	/* flags before io_pending; pairs with smp_rmb() in handle_stripe */
	smp_mb__before_atomic();
	atomic_dec(&sh->io_pending);
	set_bit(R5X_S_HANDLE, &sh->state);
	r5x_release_stripe(sh);
}

/*
 * Count a failed stripe read of @rdev, as raid5 counts them: the count
 * (rdev->read_errors) goes back to 0 on every successful stripe read, so
 * only errors in a row add up, and aligned reads do not count (their
 * blocks are re-read through stripes, which do).  Returns true once the
 * count is past the stripe cache size (raid5's max_nr_stripes): the
 * block is then recorded as bad instead of being rebuilt and rewritten.
 * Neither this nor anything else in the read path fails a member: md's
 * raid5 does not either; only rdev_set_badblocks() does, for a member
 * without a bad-block log or with a full one.  Called from the read's
 * completion: read_errors is atomic, and a racing resize of the cache
 * only moves the limit by that much.
 */
static bool r5x_read_error(struct r5x_conf *conf, struct md_rdev *rdev)
{
	int max = READ_ONCE(conf->min_stripes);
	int n = atomic_inc_return(&rdev->read_errors);

	if (n <= max)
		return false;
	/* every time, as raid5: the limit may have been lowered past n */
	pr_warn_ratelimited("%s: %pg: %d read errors in a row > %d stripes: the block is recorded as bad\n",
			    mdname(conf->mddev), rdev->bdev, n, max);
	return true;
}

static void r5x_end_member_io(struct bio *bio)
{
	struct r5x_stripe *sh = bio->bi_private;
	struct r5x_conf *conf = sh->conf;
	struct r5x_dev *dev = container_of(bio, struct r5x_dev, req);
	struct md_rdev *rdev = dev->io_rdev;
	int bb_flag = -1;

	if (!op_is_write(bio->bi_opf)) {
		/*
		 * A failed read is rebuilt from the others and rewritten,
		 * then read back (R5X_D_REREAD); past the limit, or when the
		 * rewritten block does not read back, the md thread records
		 * it as bad instead (the flag stays set to tell it which).
		 */
		if (bio->bi_status) {
			bool limit = r5x_read_error(conf, rdev);
			bool reread = test_bit(R5X_D_REREAD, &dev->flags);

			set_bit(R5X_D_READ_ERR, &dev->flags);
			if (reread)
				pr_warn_ratelimited("%s: read error not corrected: %lu sectors at %llu on %pg do not read back after the rewrite\n",
						    mdname(conf->mddev),
						    R5X_BLK_SECTORS,
						    (unsigned long long)sh->sector,
						    rdev->bdev);
			if (limit || reread)
				set_bit(R5X_D_READ_BAD, &dev->flags);
		} else {
			if (test_and_clear_bit(R5X_D_REREAD, &dev->flags)) {
				atomic_add(R5X_BLK_SECTORS,
					   &rdev->corrected_errors);
				pr_info_ratelimited("%s: read error corrected (%lu sectors at %llu on %pg)\n",
						    mdname(conf->mddev),
						    R5X_BLK_SECTORS,
						    (unsigned long long)sh->sector,
						    rdev->bdev);
			}
			set_bit(R5X_D_UPTODATE, &dev->flags);
			if (atomic_read(&rdev->read_errors))
				atomic_set(&rdev->read_errors, 0);
		}
	} else if (bio->bi_status) {
		/*
		 * The block is still served from the other members.  With
		 * a bad-block log the member stays and the md thread
		 * records the block; without one md_error() (irq-safe)
		 * fails the member.
		 */
		if (rdev->badblocks.shift < 0) {
			md_error(conf->mddev, rdev);
		} else {
			set_bit(WriteErrorSeen, &rdev->flags);
			bb_flag = R5X_D_WRITE_ERR;
		}
	} else {
		/*
		 * The rewrite (or any write) of a block that failed a read
		 * is only a repair once the block reads back, as in raid5:
		 * a disk can take a write to a sector it cannot read.
		 */
		if (test_and_clear_bit(R5X_D_READ_ERR, &dev->flags)) {
			dev->reread_rdev = rdev;
			set_bit(R5X_D_REREAD, &dev->flags);
		}
		/* the whole block now holds current data */
		if (rdev_has_badblock(rdev, sh->sector, R5X_BLK_SECTORS))
			bb_flag = R5X_D_MADE_GOOD;
	}
	dev->io_rdev = NULL;
	if (bb_flag >= 0) {
		/* the md thread updates the list and drops nr_pending */
		dev->bb_rdev = rdev;
		set_bit(bb_flag, &dev->flags);
	} else {
		rdev_dec_pending(rdev, conf->mddev);
	}
	clear_bit(R5X_D_LOCKED, &dev->flags);
	r5x_io_done(sh);
}

static void r5x_end_repl_io(struct bio *bio)
{
	struct r5x_stripe *sh = bio->bi_private;
	struct r5x_conf *conf = sh->conf;
	struct r5x_dev *dev = container_of(bio, struct r5x_dev, repl_req);
	struct md_rdev *rdev = dev->io_repl;

	/* a replacement that cannot be written is simply given up */
	if (bio->bi_status)
		md_error(conf->mddev, rdev);
	dev->io_repl = NULL;
	rdev_dec_pending(rdev, conf->mddev);
	r5x_io_done(sh);
}

/* Mirror a write of member @i to the slot's replacement, if there is one. */
static void r5x_submit_repl(struct r5x_stripe *sh, int i, blk_opf_t opf)
{
	struct r5x_conf *conf = sh->conf;
	struct r5x_dev *dev = &sh->dev[i];
	struct md_rdev *rdev;

	rcu_read_lock();
	rdev = READ_ONCE(conf->disks[i].replacement);
	if (!rdev || test_bit(Faulty, &rdev->flags)) {
		rcu_read_unlock();
		return;
	}
	atomic_inc(&rdev->nr_pending);
	rcu_read_unlock();

	dev->io_repl = rdev;
	atomic_inc(&sh->count);
	atomic_inc(&sh->io_pending);
	bio_init(&dev->repl_req, rdev->bdev, &dev->repl_vec, 1, opf);
	dev->repl_req.bi_iter.bi_sector = sh->sector + rdev->data_offset;
	dev->repl_req.bi_end_io = r5x_end_repl_io;
	dev->repl_req.bi_private = sh;
	__bio_add_page(&dev->repl_req, dev->page, PAGE_SIZE, 0);
	submit_bio_noacct(&dev->repl_req);
}

/*
 * Start a one-page read or write of member @i of @sh.  Returns false if
 * the member has no usable device.  The bio holds a stripe reference and
 * an rdev nr_pending reference until it completes.  Caller holds a stripe
 * reference and runs in the md thread (which cleared R5X_S_HANDLE before
 * handling the stripe, so a HANDLE set here is seen at its release).
 */
bool r5x_submit_dev(struct r5x_stripe *sh, int i, blk_opf_t opf)
{
	return r5x_submit_dev_to(sh, i, opf, NULL);
}

/* ... only to @want, if not NULL: another member there counts as gone */
bool r5x_submit_dev_to(struct r5x_stripe *sh, int i, blk_opf_t opf,
		       struct md_rdev *want)
{
	struct r5x_conf *conf = sh->conf;
	struct r5x_dev *dev = &sh->dev[i];
	struct md_rdev *rdev;

	/*
	 * The last write's bad-block result must be applied before this IO:
	 * its completion would overwrite dev->bb_rdev and the nr_pending
	 * reference held with it would never be dropped (the member could
	 * never be removed).  r5x_handle_stripe() applies it first thing.
	 */
	if (WARN_ON_ONCE(dev->bb_rdev))
		r5x_update_badblocks(sh);
	if (op_is_write(opf))
		r5x_submit_repl(sh, i, opf);

	rcu_read_lock();
	rdev = READ_ONCE(conf->disks[i].rdev);
	if (!rdev || test_bit(Faulty, &rdev->flags) || (want && rdev != want)) {
		rcu_read_unlock();
		/*
		 * The member failed or went since r5x_scan(): what the
		 * caller started (a read, a write round, a sync write) may
		 * now wait on no IO at all, and then no completion queues
		 * the stripe again; a sync would never be accounted
		 * (md_done_sync) and the rebuild would hang.  Look at the
		 * stripe once more, without the member, as raid5's
		 * ops_run_io() does.
		 */
		set_bit(R5X_S_HANDLE, &sh->state);
		return false;
	}
	/* the rdev cannot be hot-removed while nr_pending is raised */
	atomic_inc(&rdev->nr_pending);
	rcu_read_unlock();

	dev->io_rdev = rdev;
	set_bit(R5X_D_LOCKED, &dev->flags);
	atomic_inc(&sh->count);
	atomic_inc(&sh->io_pending);

	bio_init(&dev->req, rdev->bdev, &dev->vec, 1, opf);
	dev->req.bi_iter.bi_sector = sh->sector + rdev->data_offset;
	dev->req.bi_end_io = r5x_end_member_io;
	dev->req.bi_private = sh;
	__bio_add_page(&dev->req, dev->page, PAGE_SIZE, 0);
	submit_bio_noacct(&dev->req);
	return true;
}

/*
 * async_xor() wants at least two sources and, without a channel, runs
 * synchronously; with a DMA channel we wait for the descriptor, so both
 * helpers return with the result in @dest.  conf->srcs and conf->scribble
 * are the md thread's.
 */
void r5x_xor_into(struct r5x_conf *conf, struct page *dest,
		  struct page **srcs, int cnt)
{
	struct async_submit_ctl submit;
	struct dma_async_tx_descriptor *tx;
	int i;

	if (!cnt)
		return;
	/* dest is an implied first source: dest ^= srcs[] */
	conf->srcs[0] = dest;
	for (i = 0; i < cnt; i++)
		conf->srcs[i + 1] = srcs[i];
	init_async_submit(&submit, ASYNC_TX_XOR_DROP_DST, NULL, NULL, NULL,
			  conf->scribble);
	tx = async_xor(dest, conf->srcs, 0, cnt + 1, PAGE_SIZE, &submit);
	async_tx_quiesce(&tx);
}

void r5x_xor_set(struct r5x_conf *conf, struct page *dest,
		 struct page **srcs, int cnt)
{
	struct async_submit_ctl submit;
	struct dma_async_tx_descriptor *tx;

	if (cnt == 1) {
		/* a two-member array: parity is a copy */
		copy_highpage(dest, srcs[0]);
		return;
	}
	init_async_submit(&submit, ASYNC_TX_XOR_ZERO_DST, NULL, NULL, NULL,
			  conf->scribble);
	tx = async_xor(dest, srcs, 0, cnt, PAGE_SIZE, &submit);
	async_tx_quiesce(&tx);
}
