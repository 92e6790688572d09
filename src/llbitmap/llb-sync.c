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
 *
 * Offsets: chunks index what md calls resync_max_sectors, i.e. member
 * sectors on RAID-4/5/6 and RAID-1 (where member and array sectors are
 * the same) and array sectors on RAID-10.  Every hook gets offsets in
 * that space (raid10 maps member to array sectors before start_sync(),
 * end_sync() and cond_end_sync(); its recovery never calls the latter),
 * except skip_sync_blocks() during a RAID-10 recovery, which md calls with
 * the member offset it walks: see llb_r10_recovery_skip().
 */
/* first: it sets pr_fmt */
#include "llb.h"

#include <linux/log2.h>
#include <linux/math64.h>

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
		llb_proactive_request(b);
	if (!llb_has_state(b, BIT(LLB_NEEDSYNC_UNW) | BIT(LLB_SYNCING_UNW) |
			   BIT(LLB_CLEAN_UNW)))
		return;
	pr_info("%s: recovery onto a member: chunks with parity but no data lose their parity claim\n",
		mdname(b->mddev));
	llb_run(b, 0, b->nchunks - 1, LLB_ACT_FORGET_UNW);
	llb_write_everything(b);
}

/* Sectors from @offset to the end of its chunk. */
static sector_t llb_rest_of_chunk(struct llb *b, sector_t offset)
{
	return b->chunksize - (offset & (b->chunksize - 1));
}

/*
 * RAID-10 recovery: md_do_sync() walks member offsets (up to dev_sectors)
 * while our chunks index array sectors (resync_max_sectors), and raid10
 * maps each member sector to the array sector it holds on each device
 * being rebuilt before it calls start_sync().  Looking @offset up as an
 * array sector read the state of unrelated chunks and skipped member
 * regions holding data.
 *
 * We skip only when every array sector that any device may hold in the
 * raid10 chunk around @offset is in a chunk without data, and then only
 * to the end of that raid10 chunk (inside it member and array offsets
 * advance together).  Taking all devices rather than the ones being
 * rebuilt keeps this independent of raid10's far-set rotation: member
 * chunk c of a near/far/offset layout holds, on device d, the array
 * chunk (c' * raid_disks + d) / near_copies, where c' is c reduced into
 * the first far copy, i.e. c modulo the far stride (far) or c divided by
 * far_copies (offset).  Anything we do not recognise is not skipped:
 * raid10 then asks start_sync() with array sectors, which decides.
 */
static sector_t llb_r10_recovery_skip(struct llb *b, sector_t offset)
{
	struct mddev *mddev = b->mddev;
	int layout = mddev->layout;
	unsigned int nc = layout & 255, fc = (layout >> 8) & 255;
	unsigned int disks = mddev->raid_disks, cshift;
	sector_t csize = mddev->chunk_sectors, c, stride, lo, hi;
	unsigned long first, last, i;
	u8 st;

	if (!nc || !fc || (layout >> 19) || !disks ||
	    !is_power_of_2(csize) ||
	    mddev->reshape_position != MaxSector)
		return 0;
	cshift = ilog2(csize);
	c = offset >> cshift;
	if (layout & (1 << 16)) {
		c = div_u64(c, fc);
	} else {
		stride = div_u64(mddev->dev_sectors >> cshift, fc);
		if (!stride)
			return 0;
		div64_u64_rem(c, stride, &c);
	}
	lo = div_u64(c * disks, nc) << cshift;
	hi = (div_u64(c * disks + disks - 1, nc) + 1) << cshift;
	first = lo >> b->chunkshift;
	last = (hi - 1) >> b->chunkshift;
	if (first >= b->nchunks)
		return 0;
	last = min(last, b->nchunks - 1);
	for (i = first; i <= last; i++) {
		st = llb_get(b, i);
		if (st != LLB_UNWRITTEN && st != LLB_CLEAN_UNW)
			return 0;
	}
	return csize - (offset & (csize - 1));
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
	if (mddev->level == 10 &&
	    !test_bit(MD_RECOVERY_SYNC, &mddev->recovery))
		return llb_r10_recovery_skip(b, offset);
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
	/* a parity build done here gives CleanUnwritten */
	if (!READ_ONCE(mddev->degraded))
		llb_raise_events_cleared(b);
	llb_run(b, 0, b->nchunks - 1, LLB_ACT_SYNC_DONE);
	/*
	 * A member this run rebuilt (re-added, or a new disk) holds a copy
	 * of the bitmap that nothing has rewritten since it joined but the
	 * blocks that changed: the rest still says what it said when it
	 * left, or is whatever the disk held.  md counts the member In_sync
	 * only after this call, and from then on assembly may read the
	 * states from it (llb_read_area()), so every member gets the whole
	 * bitmap now.
	 */
	llb_write_everything(b);
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
		if (!READ_ONCE(mddev->degraded))
			llb_raise_events_cleared(b);
		llb_run(b, 0, (done >> b->chunkshift) - 1, LLB_ACT_SYNC_DONE);
	}
	llb_write_everything(b);
	b->last_cond_end = jiffies;
	sysfs_notify_dirent_safe(mddev->sysfs_completed);
}
