// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: a bio's share of one member block (struct r5x_ref), from
 * attach to end.  The share is the unit that holds an array bio open:
 * attaching takes a bio_inc_remaining() reference (and for writes an
 * md_write_inc() one), ending drops both, so the pairs live in one file.
 * Between the two, the md thread copies the share's data to or from the
 * stripe page.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/highmem.h>

/*
 * Queue @bio's share of the data block at array sector @lsector (block
 * aligned), which lives on member @dd of @sh.  The share holds a
 * bio_inc_remaining() reference and, for writes, an md_write_inc() one.
 */
void r5x_attach_ref(struct r5x_conf *conf, struct r5x_stripe *sh,
		    struct bio *bio, sector_t lsector, int dd)
{
	sector_t start = bio->bi_iter.bi_sector;
	sector_t first = max(start, lsector);
	sector_t last = min(bio_end_sector(bio), lsector + R5X_BLK_SECTORS);
	bool write = op_is_write(bio->bi_opf);
	struct r5x_ref *ref, **tail;

	ref = mempool_alloc(&conf->ref_pool, GFP_NOIO);
	ref->next = NULL;
	ref->bio = bio;
	ref->bio_off = (first - start) << SECTOR_SHIFT;
	ref->pg_off = (first - lsector) << SECTOR_SHIFT;
	ref->len = (last - first) << SECTOR_SHIFT;

	bio_inc_remaining(bio);
	if (write)
		md_write_inc(conf->mddev, bio);

	spin_lock_irq(&sh->lock);
	/* append: overlapping writes reach the page in arrival order */
	tail = write ? &sh->dev[dd].towrite : &sh->dev[dd].toread;
	while (*tail)
		tail = &(*tail)->next;
	*tail = ref;
	if (write) {
		/* the bitmap bits were set before this read of bm_seq_next */
		spin_lock(&conf->lock);
		sh->bm_seq = conf->bm_seq_next;
		spin_unlock(&conf->lock);
	}
	spin_unlock_irq(&sh->lock);
}

/* Copy one bio's share of a block into (@to_page) or out of the page. */
void r5x_copy_ref(struct r5x_ref *ref, struct page *page, bool to_page)
{
	struct bio *bio = ref->bio;
	struct bvec_iter iter = bio->bi_iter;
	unsigned int len = ref->len;
	char *buf = page_address(page) + ref->pg_off;

	bio_advance_iter(bio, &iter, ref->bio_off);
	while (len) {
		struct bio_vec bv = bio_iter_iovec(bio, iter);

		bv.bv_len = min(bv.bv_len, len);
		if (to_page)
			memcpy_from_bvec(buf, &bv);
		else
			memcpy_to_bvec(&bv, buf);
		buf += bv.bv_len;
		len -= bv.bv_len;
		bio_advance_iter_single(bio, &iter, bv.bv_len);
	}
}

/*
 * Finish one bio's share.  The bio itself completes when its last share
 * (and make_request's own reference) has ended; writes also drop the
 * md_write_inc() taken when the share was attached.
 */
void r5x_end_ref(struct r5x_conf *conf, struct r5x_ref *ref, bool error)
{
	struct bio *bio = ref->bio;

	if (error)
		bio->bi_status = BLK_STS_IOERR;
	if (op_is_write(bio->bi_opf))
		md_write_end(conf->mddev);
	bio_endio(bio);
	mempool_free(ref, &conf->ref_pool);
}
