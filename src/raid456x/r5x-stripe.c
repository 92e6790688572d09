// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: the stripe state machine.
 *
 * r5x_handle_stripe() runs only in the md thread and never while member
 * IO of the stripe is in flight (every completion requeues the stripe).
 * Each call derives everything from the current flags:
 *
 *   1. finish what the last IO round did (read errors, written bios);
 *   2. work out which member pages are needed: by reads, by the write
 *      plan (read-modify-write or reconstruct-write, cheapest first), by a
 *      sync, and by blocks to rewrite after a read error;
 *   3. read the needed pages that a member can supply; if any read was
 *      issued, stop until it completes;
 *   4. rebuild the needed page(s) no member can supply (one; RAID-6 up
 *      to two) from the others, then serve reads from the cache;
 *   5. run the write (bitmap permitting) or the sync step and write the
 *      results.
 *
 * A member "can supply" block B if it has an rdev that is not Faulty, is
 * In_sync or recovered past B, has no read error or bad block at B, and
 * is not the member being rebuilt by a lazy (initial parity) recovery.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/raid/pq.h>

#include "md-bitmap.h"

struct r5x_scan {
	u64	all;		/* every member */
	u64	data;		/* data members */
	u64	parity;		/* the parity member (RAID-6: P and Q) */
	u64	avail;		/* members that can supply their block */
	u64	writable;	/* slots with a live rdev or replacement */
	u64	repl;		/* replacements this block has not reached */
	u64	uptodate;	/* pages holding current content */
	u64	toread;		/* pages with reads queued */
	u64	towrite;	/* pages with writes queued */
	u64	full;		/* pages completely overwritten by towrite */
	int	maxlost;	/* blocks parity can rebuild: conf->max_degraded */
};

static bool r5x_dev_avail(struct r5x_stripe *sh, int i, struct md_rdev *rdev)
{
	struct mddev *mddev = sh->conf->mddev;

	if (!rdev || test_bit(Faulty, &rdev->flags))
		return false;
	if (test_bit(R5X_D_READ_ERR, &sh->dev[i].flags))
		return false;
	if (rdev_has_badblock(rdev, sh->sector, R5X_BLK_SECTORS))
		return false;
	if (test_bit(In_sync, &rdev->flags))
		return true;
	if (sh->sector + R5X_BLK_SECTORS > READ_ONCE(rdev->recovery_offset))
		return false;
	/*
	 * A lazy recovery rebuilds a member that is not In_sync although
	 * its recovery_offset says otherwise: ordinary IO trusts it, the
	 * sync of this stripe must rebuild it from the others.
	 */
	if (test_bit(R5X_S_SYNCING, &sh->state) &&
	    test_bit(MD_RECOVERY_LAZY_RECOVER, &mddev->recovery))
		return false;
	return true;
}

static u8 r5x_ref_mask(struct r5x_ref *ref)
{
	unsigned int first = ref->pg_off >> SECTOR_SHIFT;
	unsigned int n = ref->len >> SECTOR_SHIFT;

	return GENMASK(first + n - 1, first);
}

static void r5x_scan(struct r5x_stripe *sh, struct r5x_scan *s)
{
	struct r5x_conf *conf = sh->conf;
	int i;

	memset(s, 0, sizeof(*s));
	s->all = GENMASK_ULL(conf->raid_disks - 1, 0);
	s->parity = BIT_ULL(sh->pd_idx);
	if (sh->qd_idx >= 0)
		s->parity |= BIT_ULL(sh->qd_idx);
	s->maxlost = conf->max_degraded;
	s->data = s->all & ~s->parity;

	rcu_read_lock();
	for (i = 0; i < conf->raid_disks; i++) {
		struct md_rdev *rdev = READ_ONCE(conf->disks[i].rdev);
		struct md_rdev *repl = READ_ONCE(conf->disks[i].replacement);

		if ((rdev && !test_bit(Faulty, &rdev->flags)) ||
		    (repl && !test_bit(Faulty, &repl->flags)))
			s->writable |= BIT_ULL(i);
		if (repl && !test_bit(Faulty, &repl->flags) &&
		    sh->sector + R5X_BLK_SECTORS >
		    READ_ONCE(repl->recovery_offset))
			s->repl |= BIT_ULL(i);
		if (r5x_dev_avail(sh, i, rdev))
			s->avail |= BIT_ULL(i);
	}
	rcu_read_unlock();

	spin_lock_irq(&sh->lock);
	for (i = 0; i < conf->raid_disks; i++) {
		struct r5x_dev *dev = &sh->dev[i];
		struct r5x_ref *ref;
		u8 cover = 0;

		if (test_bit(R5X_D_UPTODATE, &dev->flags))
			s->uptodate |= BIT_ULL(i);
		if (dev->toread)
			s->toread |= BIT_ULL(i);
		if (!dev->towrite)
			continue;
		s->towrite |= BIT_ULL(i);
		for (ref = dev->towrite; ref; ref = ref->next)
			cover |= r5x_ref_mask(ref);
		if (cover == GENMASK(R5X_BLK_SECTORS - 1, 0))
			s->full |= BIT_ULL(i);
	}
	spin_unlock_irq(&sh->lock);
}

/* Detach a request list of member @i under sh->lock. */
static struct r5x_ref *r5x_take(struct r5x_stripe *sh, struct r5x_ref **list)
{
	struct r5x_ref *ref;

	spin_lock_irq(&sh->lock);
	ref = *list;
	*list = NULL;
	spin_unlock_irq(&sh->lock);
	return ref;
}

static void r5x_end_list(struct r5x_conf *conf, struct r5x_ref *ref,
			 bool error)
{
	struct r5x_ref *next;

	for (; ref; ref = next) {
		next = ref->next;
		r5x_end_ref(conf, ref, error);
	}
}

/* Serve queued reads of every up-to-date page in @mask. */
static void r5x_serve_reads(struct r5x_stripe *sh, u64 mask)
{
	struct r5x_conf *conf = sh->conf;
	struct r5x_ref *ref, *next;
	int i;

	for (i = 0; i < conf->raid_disks; i++) {
		struct r5x_dev *dev = &sh->dev[i];

		if (!(mask & BIT_ULL(i)) ||
		    !test_bit(R5X_D_UPTODATE, &dev->flags))
			continue;
		for (ref = r5x_take(sh, &dev->toread); ref; ref = next) {
			next = ref->next;
			r5x_copy_ref(ref, dev->page, false);
			r5x_end_ref(conf, ref, false);
		}
	}
}

/*
 * A sync step found this block lost on more members than parity covers.  Stopping the sync
 * would not help: md would start it again at the same place.  A resync
 * or check has nothing to fix and moves on.  A recovery records the
 * block as bad on every device it is rebuilding, so that it is never
 * read from there; a device that cannot record it is failed by md
 * (rdev_set_badblocks), which ends the recovery onto it.
 */
static void r5x_sync_lost(struct r5x_stripe *sh)
{
	struct r5x_conf *conf = sh->conf;
	struct mddev *mddev = conf->mddev;
	int i;

	/* RAID-5 keeps the message it always had: admins grep for it */
	pr_warn_ratelimited("%s: sync: block at %llu is unreadable on %s members\n",
			    mdname(mddev), (unsigned long long)sh->sector,
			    conf->max_degraded == 1 ? "two" : "three or more");
	if (!test_bit(MD_RECOVERY_RECOVER, &mddev->recovery))
		return;
	/* md does not remove members while a recovery runs */
	for (i = 0; i < conf->raid_disks; i++) {
		struct md_rdev *devs[] = { conf->disks[i].rdev,
					   conf->disks[i].replacement };
		int j;

		for (j = 0; j < ARRAY_SIZE(devs); j++)
			if (devs[j] && !test_bit(Faulty, &devs[j]->flags) &&
			    !test_bit(In_sync, &devs[j]->flags))
				rdev_set_badblocks(devs[j], sh->sector,
						   R5X_BLK_SECTORS, 0);
	}
}

/* The member's bad-block log already covers the block at @s. */
static bool r5x_bad_recorded(struct md_rdev *rdev, sector_t s)
{
	sector_t first, len;

	return is_badblock(rdev, s, R5X_BLK_SECTORS, &first, &len) &&
	       first <= s && first + len >= s + R5X_BLK_SECTORS;
}

/*
 * Record the block of member @i, whose read failed, in its bad-block log
 * (the member stays; the block is rebuilt from the others or gives EIO
 * from now on): raid5's answer to a read error it cannot, or no longer
 * may, correct.  A member that cannot record it is failed by md.  Only an
 * In_sync member, unless @reread (the block was rewritten and still does
 * not read): a recovering one gets the block rebuilt and rewritten by its
 * recovery, but rewriting a block that never reads back would go on for
 * ever.  Returns true if the block is recorded now (or the member failed
 * instead).  md thread.
 */
static bool r5x_record_read_error(struct r5x_stripe *sh, int i, bool reread)
{
	struct r5x_conf *conf = sh->conf;
	struct md_rdev *rdev;

	rcu_read_lock();
	rdev = READ_ONCE(conf->disks[i].rdev);
	if (rdev && ((!reread && !test_bit(In_sync, &rdev->flags)) ||
		     test_bit(Faulty, &rdev->flags)))
		rdev = NULL;
	/* nr_pending keeps md from removing it once we leave RCU */
	if (rdev)
		atomic_inc(&rdev->nr_pending);
	rcu_read_unlock();
	if (!rdev)
		return false;
	if (!r5x_bad_recorded(rdev, sh->sector) &&
	    rdev_set_badblocks(rdev, sh->sector, R5X_BLK_SECTORS, 0))
		pr_warn_ratelimited("%s: read error on %pg not correctable: %lu sectors at %llu recorded as a bad block\n",
				    mdname(conf->mddev), rdev->bdev,
				    R5X_BLK_SECTORS,
				    (unsigned long long)sh->sector);
	rdev_dec_pending(rdev, conf->mddev);
	return true;
}

/*
 * More members than parity covers (one, RAID-6 two) cannot supply their
 * block: queued writes and reads of lost blocks fail, reads of blocks
 * that can still be read go on.
 */
static void r5x_fail_stripe(struct r5x_stripe *sh, struct r5x_scan *s)
{
	struct r5x_conf *conf = sh->conf;
	int i;

	for (i = 0; i < conf->raid_disks; i++) {
		struct r5x_dev *dev = &sh->dev[i];

		/*
		 * A block that failed to read and cannot be rebuilt is not
		 * retried on every access: as raid5 does, it goes into the
		 * member's bad-block log (the member stays).
		 */
		if (test_and_clear_bit(R5X_D_READ_ERR, &dev->flags))
			r5x_record_read_error(sh, i, false);

		r5x_end_list(conf, r5x_take(sh, &dev->towrite), true);
		r5x_end_list(conf, dev->written, true);
		dev->written = NULL;
		if (!(s->avail & BIT_ULL(i)) &&
		    !test_bit(R5X_D_UPTODATE, &dev->flags))
			r5x_end_list(conf, r5x_take(sh, &dev->toread), true);
	}
	if (test_and_clear_bit(R5X_S_SYNC_REQ, &sh->state)) {
		clear_bit(R5X_S_SYNCING, &sh->state);
		clear_bit(R5X_S_SYNC_WRITE, &sh->state);
		r5x_sync_lost(sh);
		md_done_sync(conf->mddev, R5X_BLK_SECTORS);
	}
}

/*
 * Extend @need so that it can be satisfied: a needed block that no
 * member can supply is rebuilt from all the others (with every other
 * block that is lost too, up to s->maxlost of them).  Returns the number
 * of member reads this costs, or INT_MAX if it cannot be satisfied.
 */
static int r5x_cost(struct r5x_scan *s, u64 *need)
{
	u64 lost = *need & ~s->uptodate & ~s->avail;

	if (lost) {
		*need |= s->all;
		lost = *need & ~s->uptodate & ~s->avail;
		if (hweight64(lost) > s->maxlost)
			return INT_MAX;
	}
	return hweight64(*need & ~s->uptodate);
}

enum r5x_wmode { R5X_RMW, R5X_RCW, R5X_RCW_FORCED };

static bool r5x_parity_built(struct r5x_stripe *sh, struct r5x_scan *s)
{
	struct mddev *mddev = sh->conf->mddev;

	/*
	 * At and beyond resync_offset (no bitmap or a classic one: an
	 * unclean shutdown, an interrupted initial resync, --grow --size)
	 * parity may be garbage until the resync gets there.  Then, as
	 * raid5 does, a write with every member present rebuilds parity
	 * from the data, so that its stripe is consistent at once and a
	 * member lost later is rebuilt right.  Degraded, parity is what
	 * holds the missing block: keep the cheaper update.  Read without
	 * a lock, as raid5 does: md moves it forward as the resync
	 * completes, and a stale value only forces a reconstruct-write
	 * that was not needed.
	 */
	if (s->avail == s->all &&
	    sh->sector >= READ_ONCE(mddev->resync_offset))
		return false;
	/*
	 * Where the bitmap says parity was never built, the old parity is
	 * garbage and read-modify-write would keep it so.
	 */
	if (!md_bitmap_enabled(mddev, false) ||
	    !mddev->bitmap_ops->blocks_synced)
		return true;
	return mddev->bitmap_ops->blocks_synced(mddev, sh->sector);
}

/* Choose how to update parity for the queued writes; sets @need. */
static int r5x_plan_write(struct r5x_stripe *sh, struct r5x_scan *s,
			  u64 *need)
{
	u64 rmw = s->towrite | s->parity;
	u64 rcw = s->data & ~s->full;
	int rmw_cost = r5x_cost(s, &rmw);
	int rcw_cost = r5x_cost(s, &rcw);

	*need = rcw;
	if (!r5x_parity_built(sh, s))
		return R5X_RCW_FORCED;
	/* RAID-6 read-modify-write needs the library's xor_syndrome */
	if (sh->qd_idx >= 0 && !raid6_can_xor_syndrome())
		return R5X_RCW;
	if (rmw_cost < rcw_cost) {
		*need = rmw;
		return R5X_RMW;
	}
	return R5X_RCW;
}

/* Rebuild the page(s) in @lostmask from all the other pages. */
static void r5x_rebuild(struct r5x_stripe *sh, u64 lostmask)
{
	struct r5x_conf *conf = sh->conf;
	struct page **srcs = conf->srcs + 1;
	int lost = __ffs64(lostmask);
	int i, n = 0;

	if (sh->qd_idx >= 0) {
		r5x_pq_rebuild(sh, lostmask);
		return;
	}
	for (i = 0; i < conf->raid_disks; i++)
		if (i != lost)
			srcs[n++] = sh->dev[i].page;
	/* conf->srcs[0] stays free for r5x_xor_into(); here we set dest */
	r5x_xor_set(conf, sh->dev[lost].page, srcs, n);
	set_bit(R5X_D_UPTODATE, &sh->dev[lost].flags);
}

static void r5x_write_members(struct r5x_stripe *sh, struct r5x_scan *s,
			      u64 mask)
{
	blk_opf_t opf = REQ_OP_WRITE;
	int i;

	if (test_and_clear_bit(R5X_S_FUA, &sh->state))
		opf |= REQ_FUA;
	for (i = 0; i < sh->conf->raid_disks; i++)
		if (mask & s->writable & BIT_ULL(i))
			r5x_submit_dev(sh, i, opf);
}

/* Apply the queued writes to the pages, update parity, write it all. */
static void r5x_run_write(struct r5x_stripe *sh, struct r5x_scan *s, int mode)
{
	struct r5x_conf *conf = sh->conf;
	struct page *pages[R5X_MAX_DISKS];
	struct r5x_dev *pdev = &sh->dev[sh->pd_idx];
	u64 changed = 0;
	int i, n = 0;

	if (mode == R5X_RMW)
		conf->stat_rmw++;
	else if (mode == R5X_RCW_FORCED)
		conf->stat_forced_rcw++;
	else if (!(s->data & ~s->full))
		conf->stat_full++;
	else
		conf->stat_rcw++;

	/* only what was queued when planned: later arrivals wait a round */
	for (i = 0; i < conf->raid_disks; i++) {
		if (!(s->towrite & BIT_ULL(i)))
			continue;
		sh->dev[i].written = r5x_take(sh, &sh->dev[i].towrite);
		if (sh->dev[i].written)
			changed |= BIT_ULL(i);
	}

	if (mode == R5X_RMW && sh->qd_idx >= 0) {
		/* P and Q lose the old data of the blocks about to change */
		r5x_pq_rmw(sh, changed);
	} else if (mode == R5X_RMW) {
		/* parity ^= old data of the blocks about to change */
		for (i = 0; i < conf->raid_disks; i++)
			if (changed & BIT_ULL(i))
				pages[n++] = sh->dev[i].page;
		r5x_xor_into(conf, pdev->page, pages, n);
	}

	for (i = 0; i < conf->raid_disks; i++) {
		struct r5x_ref *ref;

		if (!(changed & BIT_ULL(i)))
			continue;
		for (ref = sh->dev[i].written; ref; ref = ref->next) {
			if (ref->bio->bi_opf & REQ_FUA)
				set_bit(R5X_S_FUA, &sh->state);
			r5x_copy_ref(ref, sh->dev[i].page, true);
		}
		set_bit(R5X_D_UPTODATE, &sh->dev[i].flags);
	}

	if (mode == R5X_RMW && sh->qd_idx >= 0) {
		/* ... and gain the new */
		r5x_pq_rmw(sh, changed);
		set_bit(R5X_D_UPTODATE, &sh->dev[sh->qd_idx].flags);
	} else if (mode == R5X_RMW) {
		/* parity ^= new data */
		r5x_xor_into(conf, pdev->page, pages, n);
	} else if (sh->qd_idx >= 0) {
		r5x_pq_gen(sh, pdev->page, sh->dev[sh->qd_idx].page);
		set_bit(R5X_D_UPTODATE, &sh->dev[sh->qd_idx].flags);
	} else {
		n = 0;
		for (i = 0; i < conf->raid_disks; i++)
			if (s->data & BIT_ULL(i))
				pages[n++] = sh->dev[i].page;
		r5x_xor_set(conf, pdev->page, pages, n);
	}
	set_bit(R5X_D_UPTODATE, &pdev->flags);
	r5x_write_members(sh, s, changed | s->parity);
}

/* One sync step once every needed page is up to date. */
static void r5x_run_sync(struct r5x_stripe *sh, struct r5x_scan *s, u64 lost)
{
	struct r5x_conf *conf = sh->conf;
	struct mddev *mddev = conf->mddev;
	struct page *pages[R5X_MAX_DISKS];
	u64 write = 0;
	int i, n = 0;

	/* recovery: the rebuild already happened, store it */
	write = lost;
	if (sh->qd_idx >= 0 && (test_bit(MD_RECOVERY_SYNC, &mddev->recovery) ||
				hweight64(lost) < 2)) {
		/*
		 * RAID-6 checks what it can even with a block rebuilt (a
		 * member missing or unreadable): P, Q or both.  A stripe
		 * counts once, as in raid456.
		 *
		 * A recovery onto one member checks too (md's raid456 of
		 * 7.3 does not, and leaves the parity stale): for
		 * md-llbitmap2 the recovery is also the sync of the
		 * NeedSync chunks it crosses (a write while degraded, a
		 * crash during the recovery), which are Clean afterwards.
		 * The parity that is not rebuilt must match the data there,
		 * or the next failed member is rebuilt from stale parity.
		 */
		u64 bad = r5x_pq_check(sh, lost, !test_bit(MD_RECOVERY_CHECK,
							   &mddev->recovery));

		if (bad) {
			atomic64_add(R5X_BLK_SECTORS, &mddev->resync_mismatches);
			if (!test_bit(MD_RECOVERY_CHECK, &mddev->recovery))
				write |= bad;
		}
	} else if (!lost && test_bit(MD_RECOVERY_SYNC, &mddev->recovery)) {
		for (i = 0; i < conf->raid_disks; i++)
			if (s->data & BIT_ULL(i))
				pages[n++] = sh->dev[i].page;
		r5x_xor_set(conf, conf->scratch, pages, n);
		if (memcmp(page_address(conf->scratch),
			   page_address(sh->dev[sh->pd_idx].page), PAGE_SIZE)) {
			atomic64_add(R5X_BLK_SECTORS, &mddev->resync_mismatches);
			if (!test_bit(MD_RECOVERY_CHECK, &mddev->recovery)) {
				copy_highpage(sh->dev[sh->pd_idx].page,
					      conf->scratch);
				write = s->parity;
			}
		}
	}
	/* want_replacement: copy the slot (writes go to both devices) */
	write |= s->repl;
	write &= s->writable;
	if (write) {
		set_bit(R5X_S_SYNC_WRITE, &sh->state);
		r5x_write_members(sh, s, write);
		return;
	}
	clear_bit(R5X_S_SYNC_REQ, &sh->state);
	clear_bit(R5X_S_SYNCING, &sh->state);
	md_done_sync(mddev, R5X_BLK_SECTORS);
}

/* Account for a finished sync write round. */
static void r5x_finish_io(struct r5x_stripe *sh)
{
	if (test_and_clear_bit(R5X_S_SYNC_WRITE, &sh->state)) {
		clear_bit(R5X_S_SYNC_REQ, &sh->state);
		clear_bit(R5X_S_SYNCING, &sh->state);
		md_done_sync(sh->conf->mddev, R5X_BLK_SECTORS);
	}
}

/*
 * md has a superblock update pending: a member failed, a bad block was
 * recorded, or the array turned active.  Until it is on disk the members'
 * metadata may still call a stale block current, so a write acknowledged
 * now could come back from a crash as the old data.  The write round's
 * bios wait for the update; the md thread ends them (r5x_release_held).
 */
static void r5x_hold_written(struct r5x_stripe *sh)
{
	struct r5x_conf *conf = sh->conf;
	struct r5x_ref *ref, *next;
	int i;

	spin_lock_irq(&conf->lock);
	for (i = 0; i < conf->raid_disks; i++) {
		for (ref = sh->dev[i].written; ref; ref = next) {
			next = ref->next;
			ref->next = conf->held;
			conf->held = ref;
		}
		sh->dev[i].written = NULL;
	}
	spin_unlock_irq(&conf->lock);
	md_wakeup_thread(conf->mddev->thread);
}

/*
 * End the held writes once md has no superblock update pending, or
 * unconditionally (@force) when the array is torn down.  Only the md
 * thread holds writes, and it calls this at the end of every run, so a
 * write held by the run cannot be missed: an update that md completes
 * elsewhere ends with mddev_unlock(), which wakes the thread.
 */
void r5x_release_held(struct r5x_conf *conf, bool force)
{
	struct r5x_ref *ref;

	if (!READ_ONCE(conf->held))
		return;
	if (!force && test_bit(MD_SB_CHANGE_PENDING, &conf->mddev->sb_flags))
		return;
	spin_lock_irq(&conf->lock);
	ref = conf->held;
	conf->held = NULL;
	spin_unlock_irq(&conf->lock);
	r5x_end_list(conf, ref, false);
}

/*
 * Apply what the last writes' completions found: record a block whose
 * write failed as bad (the member stays; reads of the block are rebuilt
 * from the others), or forget a bad block that a write has made good.
 * If the list is full, rdev_set_badblocks() fails the member instead.
 */
void r5x_update_badblocks(struct r5x_stripe *sh)
{
	struct r5x_conf *conf = sh->conf;
	struct mddev *mddev = conf->mddev;
	int i;

	for (i = 0; i < conf->raid_disks; i++) {
		struct r5x_dev *dev = &sh->dev[i];
		struct md_rdev *rdev = dev->bb_rdev;

		if (!rdev)
			continue;
		dev->bb_rdev = NULL;
		if (test_and_clear_bit(R5X_D_WRITE_ERR, &dev->flags)) {
			/* the block is not rewritten again: it is bad now */
			clear_bit(R5X_D_READ_ERR, &dev->flags);
			/* a block known already needs no superblock update */
			if (!r5x_bad_recorded(rdev, sh->sector) &&
			    rdev_set_badblocks(rdev, sh->sector,
					       R5X_BLK_SECTORS, 0)) {
				pr_warn_ratelimited("%s: write error on %pg: %lu sectors at %llu recorded as a bad block\n",
						    mdname(mddev), rdev->bdev,
						    R5X_BLK_SECTORS,
						    (unsigned long long)sh->sector);
				/* a spare, if any, takes over from it */
				if (!test_and_set_bit(WantReplacement,
						      &rdev->flags))
					set_bit(MD_RECOVERY_NEEDED,
						&mddev->recovery);
			}
		} else if (test_and_clear_bit(R5X_D_MADE_GOOD, &dev->flags)) {
			rdev_clear_badblocks(rdev, sh->sector,
					     R5X_BLK_SECTORS, 0);
		}
		rdev_dec_pending(rdev, mddev);
	}
}

/*
 * Complete the bios of the write round that has reached the members.
 * Called after r5x_update_badblocks(), so a member whose write failed
 * this round now has the block recorded as bad (or is Faulty) and is not
 * in s.avail.  A share whose block is lost together with more blocks of
 * the stripe than parity covers can be neither read nor rebuilt: it
 * fails.  A share stored on a member that can supply it succeeds, even if
 * parity could not be written (its block is recorded bad, as raid5 does).
 * With more members gone than parity covers (two; RAID-6 three) the
 * array has failed and every write fails, as before.
 */
static void r5x_end_written(struct r5x_stripe *sh)
{
	struct r5x_conf *conf = sh->conf;
	struct r5x_scan s;
	u64 lost, fail = 0;
	bool ok = false;
	int i;

	for (i = 0; i < conf->raid_disks; i++)
		if (sh->dev[i].written)
			break;
	if (i == conf->raid_disks)
		return;
	r5x_scan(sh, &s);
	lost = s.all & ~s.avail;
	if (hweight64(s.all & ~s.writable) > s.maxlost)
		fail = s.all;
	else if (hweight64(lost) > s.maxlost)
		fail = lost;
	for (i = 0; i < conf->raid_disks; i++) {
		if (!sh->dev[i].written)
			continue;
		if (fail & BIT_ULL(i)) {
			r5x_end_list(conf, sh->dev[i].written, true);
			sh->dev[i].written = NULL;
		} else {
			ok = true;
		}
	}
	if (!ok)
		return;
	/* what is left succeeds: once the superblocks say so */
	if (test_bit(MD_SB_CHANGE_PENDING, &conf->mddev->sb_flags)) {
		r5x_hold_written(sh);
		return;
	}
	for (i = 0; i < conf->raid_disks; i++) {
		r5x_end_list(conf, sh->dev[i].written, false);
		sh->dev[i].written = NULL;
	}
}

/*
 * Read back the blocks rewritten after a read error (R5X_D_REREAD), as
 * raid5 does, before this stripe does anything else: the page keeps what
 * was written, and only a read that succeeds calls the error corrected;
 * one that fails has the block recorded as bad (r5x_end_member_io()).
 * Returns true if reads went out; their completion queues the stripe.
 */
static bool r5x_read_back(struct r5x_stripe *sh)
{
	struct r5x_conf *conf = sh->conf;
	bool sent = false;
	int i;

	for (i = 0; i < conf->raid_disks; i++) {
		struct r5x_dev *dev = &sh->dev[i];
		struct md_rdev *rdev;
		bool same;

		if (!test_bit(R5X_D_REREAD, &dev->flags))
			continue;
		/*
		 * Only the member that took the rewrite: once its write
		 * completed it could fail and be removed, and a spare added
		 * in its slot holds no copy of the block yet.  A new rdev
		 * at the same address is no In_sync member either.
		 */
		rcu_read_lock();
		rdev = READ_ONCE(conf->disks[i].rdev);
		same = rdev == dev->reread_rdev && r5x_dev_avail(sh, i, rdev);
		rcu_read_unlock();
		/* the read lands in the page: until then it is not current */
		clear_bit(R5X_D_UPTODATE, &dev->flags);
		/* @want again: the slot may change between here and there */
		if (same && r5x_submit_dev_to(sh, i, REQ_OP_READ,
					      dev->reread_rdev)) {
			sent = true;
			continue;
		}
		/* nothing left to confirm; the page still holds the block */
		clear_bit(R5X_D_REREAD, &dev->flags);
		set_bit(R5X_D_UPTODATE, &dev->flags);
	}
	return sent;
}

static bool r5x_bitmap_ready(struct r5x_stripe *sh)
{
	struct r5x_conf *conf = sh->conf;
	bool ready;

	if (!md_bitmap_enabled(conf->mddev, false))
		return true;
	spin_lock_irq(&conf->lock);
	ready = sh->bm_seq <= conf->bm_seq_done;
	if (!ready)
		set_bit(R5X_S_BM_WAIT, &sh->state);
	spin_unlock_irq(&conf->lock);
	return ready;
}

void r5x_handle_stripe(struct r5x_stripe *sh)
{
	struct r5x_conf *conf = sh->conf;
	struct r5x_scan s;
	u64 need, lost, reads, readerr = 0;
	bool sync, want_write;
	int mode = R5X_RCW;
	int i;

	if (atomic_read(&sh->io_pending))
		return;
	smp_rmb();	/* pairs with the barrier in r5x_end_member_io() */

	/*
	 * Bad blocks first: recording one sets MD_SB_CHANGE_PENDING, which
	 * r5x_end_written() must see to hold this round's writes.  A write
	 * error without a log reached md_error() in the completion, before
	 * r5x_io_done() queued us (the smp_rmb() above pairs with it).
	 */
	r5x_update_badblocks(sh);
	/*
	 * Read errors past the member's limit are recorded, not rewritten:
	 * before the scan, so that the block counts as lost from now on.
	 */
	for (i = 0; i < conf->raid_disks; i++) {
		bool reread;

		if (!test_and_clear_bit(R5X_D_READ_BAD, &sh->dev[i].flags))
			continue;
		reread = test_and_clear_bit(R5X_D_REREAD, &sh->dev[i].flags);
		/* a recovering member keeps it for its rewrite */
		if (r5x_record_read_error(sh, i, reread))
			clear_bit(R5X_D_READ_ERR, &sh->dev[i].flags);
	}
	r5x_finish_io(sh);
	r5x_end_written(sh);
	if (r5x_read_back(sh))
		return;

again:
	r5x_scan(sh, &s);
	/*
	 * Writes go first; a sync of this stripe starts when none is queued
	 * and re-reads every member, so that check sees the disks and not
	 * the cache.
	 */
	if (test_bit(R5X_S_SYNC_REQ, &sh->state) && !s.towrite &&
	    !test_and_set_bit(R5X_S_SYNCING, &sh->state)) {
		for (i = 0; i < conf->raid_disks; i++)
			clear_bit(R5X_D_UPTODATE, &sh->dev[i].flags);
		r5x_scan(sh, &s);
	}
	sync = test_bit(R5X_S_SYNCING, &sh->state);

	if (hweight64(s.all & ~s.avail & ~s.uptodate) > s.maxlost ||
	    (sync && hweight64(s.all & ~s.avail) > s.maxlost)) {
		r5x_fail_stripe(sh, &s);
		reads = s.toread & s.avail & ~s.uptodate;
		for (i = 0; i < conf->raid_disks; i++)
			if (reads & BIT_ULL(i))
				r5x_submit_dev(sh, i, REQ_OP_READ);
		r5x_serve_reads(sh, s.toread);
		return;
	}

	for (i = 0; i < conf->raid_disks; i++)
		if (test_bit(R5X_D_READ_ERR, &sh->dev[i].flags))
			readerr |= BIT_ULL(i);
	need = s.toread | readerr;

	want_write = s.towrite && !sync;
	if (want_write) {
		u64 wneed;

		mode = r5x_plan_write(sh, &s, &wneed);
		need |= wneed;
	}
	/* a sync rebuilds the member(s) that cannot supply, reads the rest */
	if (sync)
		need |= s.all;
	r5x_cost(&s, &need);

	reads = need & ~s.uptodate & s.avail;
	if (reads) {
		for (i = 0; i < conf->raid_disks; i++)
			if (reads & BIT_ULL(i))
				r5x_submit_dev(sh, i, REQ_OP_READ);
		/* a member that vanished under us: r5x_submit_dev() requeues */
		r5x_serve_reads(sh, s.toread);
		return;
	}

	lost = need & ~s.uptodate;
	if (lost) {
		/* every other page is up to date now: rebuild the lost ones */
		r5x_rebuild(sh, lost);
		goto again;
	}
	r5x_serve_reads(sh, s.toread);

	if (want_write) {
		if (!r5x_bitmap_ready(sh))
			return;
		r5x_run_write(sh, &s, mode);
		/* rewrite read-error blocks in the same round */
		r5x_write_members(sh, &s, readerr & ~(s.towrite | s.parity));
		return;
	}
	if (sync) {
		r5x_run_sync(sh, &s, s.all & ~s.avail);
		/*
		 * Sync writes went out: their completion queues us again.
		 * Not "while IO is pending": a member that fails at once
		 * (dm-error, a device gone) completes inside submit_bio,
		 * and the read-error rewrite below would write the same
		 * block again before the first write's bad-block result
		 * (dev->bb_rdev) was applied at the top of the next round.
		 */
		if (test_bit(R5X_S_SYNC_WRITE, &sh->state))
			return;
	}
	if (readerr)
		r5x_write_members(sh, &s, readerr);
	/* writes held back by the sync that just ended: come back for them */
	if (s.towrite && !atomic_read(&sh->io_pending))
		set_bit(R5X_S_HANDLE, &sh->state);
}
