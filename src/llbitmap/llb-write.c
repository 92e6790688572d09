// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: the write path.
 *
 * prepare_range() maps an array range to the member chunks the bitmap
 * tracks (two spans during a reshape, packed into a dual cookie that md
 * hands back unchanged); start_write()/start_discard() raise the page
 * barrier of every page those chunks live on and change their states;
 * end_write()/end_discard() drop the barriers again, in bio completion
 * context.  None of it takes a lock.  The behind-write counters for
 * write-mostly members (RAID-1) live here too.
 */
#include "llb.h"

/*
 * Dual write cookie.  md passes prepare_range()'s (offset, sectors) back
 * to start_write() and end_write() unchanged, so during a reshape they
 * carry two chunk spans instead of one range: bit 63 of both words marks
 * the cookie, then first and last chunk of each span, 31 bits each.  A
 * normal cookie is a member sector range far below bit 63.
 */
#define LLB_DUAL	BIT_ULL(63)
#define LLB_IDX_MASK	(BIT_ULL(31) - 1)

static bool llb_cookie_is_dual(sector_t offset)
{
	return BITS_PER_LONG == 64 && (offset & LLB_DUAL);
}

static void llb_unpack(u64 word, struct llb_span *sp)
{
	sp->first = (word >> 32) & LLB_IDX_MASK;
	sp->last = word & LLB_IDX_MASK;
	sp->pg_first = (sp->first + LLB_DATA_START) >> PAGE_SHIFT;
	sp->pg_last = (sp->last + LLB_DATA_START) >> PAGE_SHIFT;
}

static void llb_cookie_spans(sector_t offset, unsigned long sectors,
			     struct llb_span *a, struct llb_span *b)
{
	llb_unpack(offset, a);
	llb_unpack(sectors, b);
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

void llb_start_write(struct mddev *mddev, sector_t offset,
		     unsigned long sectors)
{
	llb_begin(mddev, offset, sectors, false);
}

void llb_end_write(struct mddev *mddev, sector_t offset,
		   unsigned long sectors)
{
	llb_end(mddev, offset, sectors, false);
}

void llb_start_discard(struct mddev *mddev, sector_t offset,
		       unsigned long sectors)
{
	llb_begin(mddev, offset, sectors, true);
}

void llb_end_discard(struct mddev *mddev, sector_t offset,
		     unsigned long sectors)
{
	llb_end(mddev, offset, sectors, true);
}

/*
 * The personality's array-to-member mapping, newest interface first.
 * prepare_range and what it uses exist on kernels that have the hook
 * (MDX_PREPARE_RANGE_OP); elsewhere md maps through bitmap_sector itself.
 */
static void llb_map_to_members(struct mddev *mddev, sector_t *offset,
			       unsigned long *sectors, bool previous)
{
	struct md_personality *pers = mddev->pers;

	if (mdx_bitmap_sector_map(mddev, offset, sectors, previous))
		return;
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
	sector_t limit = mdx_bitmap_array_sectors(mddev, previous,
						  b->sync_size);
	sector_t lo, hi;

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

static u64 llb_pack(unsigned long first, unsigned long last)
{
	return LLB_DUAL | ((u64)first << 32) | last;
}

/*
 * Build the cookie for a write whose chunks are @old in the geometry
 * before the reshape and @new after it.  Returns false if the spans do
 * not fit (32-bit longs, or a bitmap of 2^31 chunks or more).
 */
static bool llb_cookie_make(struct llb *b, const struct llb_span *old,
			    const struct llb_span *new, sector_t *offset,
			    unsigned long *sectors)
{
	if (BITS_PER_LONG < 64 || b->nchunks > LLB_IDX_MASK)
		return false;
	*offset = llb_pack(old->first, old->last);
	*sectors = llb_pack(new->first, new->last);
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
void llb_prepare_range(struct mddev *mddev, sector_t *offset,
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

void llb_start_behind(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	atomic_inc(&b->behind_writes);
}

void llb_end_behind(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	if (atomic_dec_and_test(&b->behind_writes))
		wake_up_all(&b->behind_wait);
}

/* Are the behind writes done?  Waits for them unless @nowait. */
bool llb_try_wait_behind(struct mddev *mddev, bool nowait)
{
	struct llb *b = mddev->bitmap;

	if (!b || !atomic_read(&b->behind_writes))
		return true;
	if (nowait)
		return false;
	wait_event(b->behind_wait, !atomic_read(&b->behind_writes));
	return true;
}

void llb_wait_behind(struct mddev *mddev)
{
	llb_try_wait_behind(mddev, false);
}
