// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: the page barrier, the daemon that settles Dirty chunks,
 * and the kicker that makes md run the syncs the bitmap asks for.
 *
 * Page barrier: a write holds a percpu reference on every bitmap page its
 * chunks live on, from start_write to end_write.  Taking it is a per-cpu
 * increment, so writers never contend.  The daemon settles a page (Dirty
 * to Clean) only after barrier_idle seconds without a new writer, and
 * only with the reference killed and drained: no write can be in flight
 * on a chunk while it is declared Clean.  Writers that arrive meanwhile
 * wait on the page's waitqueue until the daemon resurrects the reference.
 */
#include "llb.h"

void llb_barrier_up(struct llb *b, unsigned int idx)
{
	struct llb_page *pg = b->pages[idx];

	while (!percpu_ref_tryget_live(&pg->users))
		wait_event(pg->waitq, !percpu_ref_is_dying(&pg->users));
	WRITE_ONCE(pg->idle_at, jiffies + b->barrier_idle * HZ);
	if (!test_bit(LLB_PG_TOUCHED, &pg->pflags))
		set_bit(LLB_PG_TOUCHED, &pg->pflags);
}

/* May run in bio completion (IRQ) context: a percpu put only. */
void llb_barrier_down(struct llb *b, unsigned int idx)
{
	percpu_ref_put(&b->pages[idx]->users);
}

/* Fence writers out of page @idx; gives up after daemon_sleep seconds. */
static bool llb_fence(struct llb *b, unsigned int idx)
{
	struct llb_page *pg = b->pages[idx];
	unsigned long wait = b->mddev->bitmap_info.daemon_sleep * HZ;

	percpu_ref_kill(&pg->users);
	if (wait_event_timeout(pg->waitq, percpu_ref_is_zero(&pg->users),
			       wait))
		return true;
	percpu_ref_resurrect(&pg->users);
	wake_up_all(&pg->waitq);
	return false;
}

static void llb_unfence(struct llb *b, unsigned int idx)
{
	struct llb_page *pg = b->pages[idx];

	percpu_ref_resurrect(&pg->users);
	wake_up_all(&pg->waitq);
}

/* Chunks whose state bytes live on page @idx. */
static void llb_page_chunks(struct llb *b, unsigned int idx,
			    unsigned long *first, unsigned long *last)
{
	unsigned long lo = (unsigned long)idx << PAGE_SHIFT;
	unsigned long hi = lo + PAGE_SIZE - 1;

	*first = lo > LLB_DATA_START ? lo - LLB_DATA_START : 0;
	*last = hi - LLB_DATA_START;
}

void llb_touch_all(struct llb *b, unsigned long when)
{
	unsigned int i;

	for (i = 0; i < b->npages; i++) {
		WRITE_ONCE(b->pages[i]->idle_at, when);
		set_bit(LLB_PG_TOUCHED, &b->pages[i]->pflags);
	}
}

void llb_timer_fn(struct timer_list *t)
{
	struct llb *b = timer_container_of(b, t, timer);

	if (test_bit(BITMAP_SHUTDOWN, &b->flags))
		return;
	/* a run still in progress restarts itself when it sees this */
	if (work_busy(&b->daemon_work))
		set_bit(BITMAP_DAEMON_BUSY, &b->flags);
	else
		queue_work(llb_wq, &b->daemon_work);
}

void llb_daemon_fn(struct work_struct *work)
{
	struct llb *b = container_of(work, struct llb, daemon_work);
	bool raised = false;
	unsigned int idx;
	bool later;

	if (test_bit(BITMAP_SHUTDOWN, &b->flags))
		return;
	/*
	 * A degraded array keeps every Dirty chunk: they are exactly what a
	 * returning member must resync.  Look again later rather than give
	 * up: once recovery has made the array whole, nothing else would
	 * re-arm the timer, and the chunks would stay Dirty (and resync after
	 * a crash) until the next write to their page.
	 */
	if (READ_ONCE(b->mddev->degraded)) {
		llb_arm_timer(b);
		return;
	}
again:
	clear_bit(BITMAP_DAEMON_BUSY, &b->flags);
	later = false;
	for (idx = 0; idx < b->npages; idx++) {
		struct llb_page *pg = b->pages[idx];
		bool forced = test_and_clear_bit(LLB_PG_FLUSH, &pg->pflags);
		unsigned long first, last;

		if (!forced && !test_bit(LLB_PG_TOUCHED, &pg->pflags))
			continue;
		if (!forced && time_before(jiffies, READ_ONCE(pg->idle_at))) {
			later = true;
			continue;
		}
		clear_bit(LLB_PG_TOUCHED, &pg->pflags);
		/* on disk before any chunk of this pass may read Clean */
		if (!raised) {
			llb_raise_events_cleared(b);
			raised = true;
		}
		if (!llb_fence(b, idx)) {
			pr_warn("%s: writes on bitmap page %u did not drain, retrying later\n",
				mdname(b->mddev), idx);
			set_bit(LLB_PG_TOUCHED, &pg->pflags);
			later = true;
			continue;
		}
		/*
		 * A write that failed on a member while we waited for the
		 * drain made md fail that member (degraded++) before the
		 * write ended and dropped its page reference.  The read of
		 * degraded in llb_run() must see that (the put is fully
		 * ordered; this pairs with it): a chunk the member missed
		 * must stay Dirty for the member's return (llb_next()).
		 */
		smp_rmb();
		llb_page_chunks(b, idx, &first, &last);
		llb_run(b, first, last, LLB_ACT_DAEMON);
		llb_unfence(b, idx);
	}
	if (test_bit(BITMAP_DAEMON_BUSY, &b->flags))
		goto again;
	if (later)
		llb_arm_timer(b);
}

/* Settle every page now (stop, switch to read-only). */
void llb_settle_now(struct llb *b)
{
	unsigned int i;

	for (i = 0; i < b->npages; i++)
		set_bit(LLB_PG_FLUSH, &b->pages[i]->pflags);
	timer_delete_sync(&b->timer);
	queue_work(llb_wq, &b->daemon_work);
	flush_work(&b->daemon_work);
}

/*
 * Will the array have all its members once md has used its spares?  Right
 * after mdadm --create, RAID-5 is degraded until md has recovered the
 * last member; requests made then must not be refused.
 */
bool llb_can_heal(struct mddev *mddev)
{
	struct md_rdev *rdev;
	int usable = 0;

	if (!READ_ONCE(mddev->degraded))
		return true;
	rcu_read_lock();
	rdev_for_each_rcu(rdev, mddev)
		if (!test_bit(Faulty, &rdev->flags) &&
		    !test_bit(Journal, &rdev->flags))
			usable++;
	rcu_read_unlock();
	return usable >= mddev->raid_disks;
}

/*
 * Proactive parity build of every Unwritten chunk of a RAID-4/5/6 array
 * (sysfs proactive_sync), in two steps.  The request is a bit of ours,
 * kept until the build can run: right after create md is still
 * recovering a member the array has, and a recovery onto a member resets
 * the *Unwritten states (llb-sync.c) and asks again.  The kicker below
 * applies it once md may run a sync; the sysfs store applies it at once
 * when it can.
 */
void llb_proactive_request(struct llb *b)
{
	set_bit(LLB_PROACTIVE_PENDING, &b->priv);
	llb_want_sync(b);
}

/*
 * Apply a recorded request: Unwritten chunks become NeedSyncUnwritten,
 * on disk before we return, so that an accepted request survives a crash.
 * Called with bitmap_info.mutex held, which makes it apply once.
 */
void llb_proactive_apply(struct llb *b)
{
	lockdep_assert_held(&b->mddev->bitmap_info.mutex);
	if (!test_and_clear_bit(LLB_PROACTIVE_PENDING, &b->priv))
		return;
	llb_run(b, 0, b->nchunks - 1, LLB_ACT_PROACTIVE);
	llb_write_dirty(b);
}

#define LLB_UNSYNCED	(BIT(LLB_NEEDSYNC) | BIT(LLB_SYNCING) | \
			 BIT(LLB_NEEDSYNC_UNW) | BIT(LLB_SYNCING_UNW))

/*
 * The kicker.  md's in-tree llbitmap asks for a sync by setting recovery
 * flags once, from the write path; md_reap_sync_thread() clears those
 * flags when the sync it is reaping ends, so a request made at that moment
 * (for instance proactive_sync right after create) is lost.  Here the wish
 * is our own bit, and this work keeps asking md, every LLB_KICK_PERIOD,
 * until no chunk waits for a sync any more.
 *
 * On RAID-4/5/6 a sync is requested as a plain resync, never as md's lazy
 * recovery (MD_RECOVERY_LAZY_RECOVER).  Lazy recovery picks an in-sync
 * member, clears its In_sync bit and rebuilds it; md's superblock then
 * records that member as "rebuilding", and after a power cut mdadm
 * refuses to assemble the dirty array with a rebuilding member without
 * --force.  A resync reads every member and rewrites parity where it does
 * not match, which builds the same parity while every member stays
 * In_sync on disk: after a crash the array assembles like any array that
 * was being written, and the chunks still marked on disk are synced again.
 *
 * raid5 only rebuilds parity in a resync for stripes at or above
 * mddev->resync_offset (below it the array is known clean and a "resync"
 * stripe is just read), so the offset is lowered to the first chunk that
 * waits.  That is md's own "this array needs a resync from here" mark: md
 * then starts the resync itself (md_choose_sync_action), moves the offset
 * forward at its checkpoints and sets it back to MaxSector when done;
 * while it is below MaxSector raid5 also writes those stripes with
 * reconstruct-write, which is what unbuilt parity needs anyway.  We change
 * it only under reconfig_mutex and while no sync thread runs, as md's
 * resync_start sysfs file does; trylock, because destroy cancels this work
 * with the mutex held.
 */
void llb_kick_fn(struct work_struct *work)
{
	struct llb *b = container_of(to_delayed_work(work), struct llb,
				     kick_work);
	struct mddev *mddev = b->mddev;
	unsigned long first;

	if (test_bit(BITMAP_SHUTDOWN, &b->flags))
		return;
	if (!test_bit(LLB_SYNC_WANTED, &b->priv) &&
	    !test_bit(LLB_PROACTIVE_PENDING, &b->priv))
		return;

	/*
	 * md can start nothing now: look again later.  A pending reshape
	 * comes first, and raid5 refuses to start one while resync_offset
	 * is below MaxSector, so it is not touched then.
	 */
	if (!mddev->pers || !md_is_rdwr(mddev) || READ_ONCE(mddev->degraded) ||
	    READ_ONCE(mddev->reshape_position) != MaxSector ||
	    test_bit(MD_RECOVERY_RUNNING, &mddev->recovery) ||
	    test_bit(MD_RECOVERY_FROZEN, &mddev->recovery))
		goto later;
	if (!mddev_trylock(mddev))
		goto later;
	/* rechecked under the mutex: md starts sync threads holding it */
	if (test_bit(MD_RECOVERY_RUNNING, &mddev->recovery) ||
	    mddev->reshape_position != MaxSector ||
	    !md_is_rdwr(mddev) || mddev->degraded || !mddev->pers ||
	    test_bit(BITMAP_SHUTDOWN, &b->flags) || mddev->bitmap != b) {
		mddev_unlock(mddev);
		goto later;
	}

	if (test_bit(LLB_PROACTIVE_PENDING, &b->priv)) {
		mutex_lock(&mddev->bitmap_info.mutex);
		llb_proactive_apply(b);
		mutex_unlock(&mddev->bitmap_info.mutex);
	}

	/*
	 * Clear the wish before looking, so that a chunk marked while we
	 * scan re-raises it (llb_want_sync() sets the bit after storing).
	 */
	clear_bit(LLB_SYNC_WANTED, &b->priv);
	/* clear the wish before reading states; pairs with llb_want_sync() */
	smp_mb__after_atomic();
	first = llb_find_state(b, LLB_UNSYNCED);
	if (first >= b->nchunks) {
		mddev_unlock(mddev);
		return;
	}
	set_bit(LLB_SYNC_WANTED, &b->priv);

	if (raid_is_456(mddev)) {
		sector_t from = (sector_t)first << b->chunkshift;

		if (from < mddev->resync_offset)
			mddev->resync_offset = from;
	}
	set_bit(MD_RECOVERY_SYNC, &mddev->recovery);
	set_bit(MD_RECOVERY_NEEDED, &mddev->recovery);
	mddev_unlock(mddev);
	md_wakeup_thread(mddev->thread);
later:
	if (!test_bit(BITMAP_SHUTDOWN, &b->flags))
		queue_delayed_work(llb_wq, &b->kick_work, LLB_KICK_PERIOD);
}
