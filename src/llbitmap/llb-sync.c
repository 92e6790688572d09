// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: the hooks md_do_sync() and raid5 call while syncing.
 *
 * md_do_sync() asks skip_sync_blocks() before every step; raid5 then asks
 * start_sync() up to twice per stripe and, unless the sync was requested
 * or the member is new (conf->fullsync), skips the rest of the chunk when
 * the answer is false.  All of these run in the sync thread, so the sync
 * actions of the state machine are never concurrent with each other.
 *
 * The three kinds of run are told apart by md's recovery flags:
 *   check (SYNC|REQUESTED|CHECK): reads only, so no chunk may change
 *	state: a chunk with unbuilt parity stays marked as such;
 *   recovery onto a member (RECOVER): before any IO, chunks that claim
 *	parity without data (the *Unwritten states) lose that claim,
 *	because the new member holds garbage there;
 *   replacement (RECOVER while the array is not degraded): the data is
 *	copied, not rebuilt, so NeedSync chunks must stay NeedSync;
 *   everything else (resync, repair, degraded recovery) follows the table.
 */
#include "llb.h"

static bool llb_checking(struct mddev *mddev)
{
	return test_bit(MD_RECOVERY_CHECK, &mddev->recovery);
}

static bool llb_recovering(struct mddev *mddev)
{
	return test_bit(MD_RECOVERY_RECOVER, &mddev->recovery) &&
	       !test_bit(MD_RECOVERY_LAZY_RECOVER, &mddev->recovery);
}

/*
 * md's in-tree llbitmap resets the *Unwritten states only when start_sync
 * sees offset 0, which never happens when chunk 0 is skipped (Unwritten
 * or CleanUnwritten) or when recovery resumes at a checkpoint.  We reset
 * them at the first hook call of every recovery run, whatever its offset,
 * and make the reset durable before the run does any IO: otherwise a
 * crash after the new member became In_sync could bring the old claim
 * back from disk.  A pending proactive request is remembered and redone
 * once the array is whole again.
 */
static void llb_forget_unwritten(struct llb *b)
{
	if (!llb_recovering(b->mddev) ||
	    test_and_set_bit(LLB_UNW_FORGOTTEN, &b->priv))
		return;
	if (llb_has_state(b, BIT(LLB_NEEDSYNC_UNW) | BIT(LLB_SYNCING_UNW)))
		set_bit(LLB_PROACTIVE_PENDING, &b->priv);
	if (!llb_has_state(b, BIT(LLB_NEEDSYNC_UNW) | BIT(LLB_SYNCING_UNW) |
			   BIT(LLB_CLEAN_UNW)))
		return;
	pr_info("%s: %s: recovery onto a member: chunks with parity but no data lose their parity claim\n",
		LLB_NAME, mdname(b->mddev));
	llb_run(b, 0, b->nchunks - 1, LLB_ACT_FORGET_UNW);
	llb_write_everything(b);
}

/* Sectors from @offset to the end of its chunk. */
static sector_t llb_rest_of_chunk(struct llb *b, sector_t offset)
{
	return b->chunksize - (offset & (b->chunksize - 1));
}

sector_t llb_skip_sync_blocks(struct mddev *mddev, sector_t offset)
{
	struct llb *b = mddev->bitmap;
	unsigned long chunk;
	u8 st;

	if (!b)
		return 0;
	chunk = offset >> b->chunkshift;
	/*
	 * Reshape progress is tracked by md, never by chunk states.  The
	 * sync thread gets here before its first reshape IO: on kernels
	 * whose raid5 does not call resize() at reshape start, this is
	 * where the states become geometry-free.
	 */
	llb_reshape_track(b);
	if (test_bit(MD_RECOVERY_RESHAPE, &mddev->recovery))
		return 0;
	llb_forget_unwritten(b);
	if (chunk >= b->nchunks)
		return 0;

	st = llb_get(b, chunk);
	/* nothing written: nothing to rebuild, nothing to check */
	if (st == LLB_UNWRITTEN || st == LLB_CLEAN_UNW)
		return llb_rest_of_chunk(b, offset);
	if (mddev->degraded)
		return 0;
	/* a resync only visits chunks whose parity is not known good */
	if ((st == LLB_CLEAN || st == LLB_DIRTY) &&
	    test_bit(MD_RECOVERY_SYNC, &mddev->recovery) &&
	    !test_bit(MD_RECOVERY_REQUESTED, &mddev->recovery))
		return llb_rest_of_chunk(b, offset);
	return 0;
}

/* raid5 forces reconstruct-write where this is false (no trusted parity). */
bool llb_blocks_synced(struct mddev *mddev, sector_t offset)
{
	struct llb *b = mddev->bitmap;
	unsigned long chunk;
	u8 st;

	/* during a reshape no chunk's parity is trusted (llb-reshape.c) */
	if (!b || llb_reshaping(b))
		return false;
	chunk = offset >> b->chunkshift;
	if (chunk >= b->nchunks)
		return false;
	st = llb_get(b, chunk);
	return st == LLB_CLEAN || st == LLB_DIRTY || st == LLB_CLEAN_UNW;
}

bool llb_start_sync(struct mddev *mddev, sector_t offset, sector_t *blocks,
		    bool degraded)
{
	struct llb *b = mddev->bitmap;
	unsigned long chunk = offset >> b->chunkshift;
	u8 st;

	llb_forget_unwritten(b);
	*blocks = llb_rest_of_chunk(b, offset);
	if (chunk >= b->nchunks)
		return false;

	st = llb_get(b, chunk);
	if (llb_checking(mddev) ||
	    (llb_recovering(mddev) && !READ_ONCE(mddev->degraded)))
		return st != LLB_UNWRITTEN && st != LLB_CLEAN_UNW;

	st = llb_run(b, chunk, chunk, LLB_ACT_SYNC_BEGIN);
	return st == LLB_SYNCING || st == LLB_SYNCING_UNW;
}

/* The run stopped early at @offset: what it had not reached is undone. */
void llb_end_sync(struct mddev *mddev, sector_t offset, sector_t *blocks)
{
	struct llb *b = mddev->bitmap;

	*blocks = llb_rest_of_chunk(b, offset);
	llb_touch_all(b, jiffies);
	llb_run(b, offset >> b->chunkshift, b->nchunks - 1,
		LLB_ACT_SYNC_ABORT);
	clear_bit(LLB_UNW_FORGOTTEN, &b->priv);
	if (llb_has_state(b, BIT(LLB_NEEDSYNC) | BIT(LLB_NEEDSYNC_UNW)))
		llb_want_sync(b);
}

/* The run reached its end. */
void llb_close_sync(struct mddev *mddev)
{
	struct llb *b = mddev->bitmap;

	/* let the daemon settle the freshly synced chunks right away */
	llb_touch_all(b, jiffies);
	llb_run(b, 0, b->nchunks - 1, LLB_ACT_SYNC_DONE);
	clear_bit(LLB_UNW_FORGOTTEN, &b->priv);
	/* chunks the run could not finish (check, replacement) go on */
	if (llb_has_state(b, BIT(LLB_NEEDSYNC) | BIT(LLB_NEEDSYNC_UNW)) ||
	    test_bit(LLB_PROACTIVE_PENDING, &b->priv))
		llb_want_sync(b);
}

/*
 * Checkpoint every daemon_sleep seconds: everything below @sector is
 * synced, so finish those chunks and write the whole bitmap, letting a
 * run interrupted by a crash restart without redoing them.  The waits for
 * recovery_active make sure the sync IO below @sector has completed
 * before the chunks are declared done; the PREFLUSH of the bitmap writes
 * then makes that IO durable before the new states are.
 */
void llb_cond_end_sync(struct mddev *mddev, sector_t sector, bool force)
{
	struct llb *b = mddev->bitmap;
	sector_t done;

	if (!sector) {
		b->last_cond_end = jiffies;
		return;
	}
	if (!force && time_before(jiffies, b->last_cond_end +
				  mddev->bitmap_info.daemon_sleep * HZ))
		return;

	wait_event(mddev->recovery_wait,
		   !atomic_read(&mddev->recovery_active));
	mddev->curr_resync_completed = sector;
	set_bit(MD_SB_CHANGE_CLEAN, &mddev->sb_flags);
	done = round_down(sector, b->chunksize);
	if (done) {
		/* the daemon only visits touched pages: show it these */
		llb_touch_all(b, jiffies);
		llb_run(b, 0, (done >> b->chunkshift) - 1, LLB_ACT_SYNC_DONE);
	}
	llb_write_everything(b);
	b->last_cond_end = jiffies;
	sysfs_notify_dirent_safe(mddev->sysfs_completed);
}
