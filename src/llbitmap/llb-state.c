// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: the chunk state table and the one function that applies
 * it.  Every state change of a chunk goes through llb_run(), except the
 * whole-bitmap initialisation of a new array (llb-sb.c) and resize
 * bookkeeping.
 *
 * The state bytes are changed without a lock, but never with a plain
 * store: every change is a compare-and-swap from the state the new one was
 * computed from, retried from what is there on failure (see the rule in
 * llb.h).  Writers on the fast path race each other and the sync thread,
 * the kicker and the daemon; without it, a sync action that read
 * SyncingUnwritten could store CleanUnwritten over the Syncing a write
 * had just stored, and a chunk holding data would be skipped by recovery.
 * The daemon, which is the only actor that relaxes Dirty to Clean, also
 * fences writers out with the page barrier first (llb-daemon.c): no write
 * may be in flight on a chunk declared Clean, which no byte can show.
 */
#include "llb.h"

#define K	LLB_KEEP
#define UNW	LLB_UNWRITTEN
#define CLN	LLB_CLEAN
#define DRT	LLB_DIRTY
#define NS	LLB_NEEDSYNC
#define SY	LLB_SYNCING
#define NSU	LLB_NEEDSYNC_UNW
#define SYU	LLB_SYNCING_UNW
#define CU	LLB_CLEAN_UNW

/*
 * new state = llb_table[old state][action].  Columns, in enum order:
 *
 *   write  sbegin sdone  sabort reload daemon discrd stale  proact forget
 *
 * Rules on top of the table live in llb_next(): on a degraded array a
 * write that would give Dirty gives NeedSync (the member that comes back
 * must get exactly these chunks), a sync of a Dirty chunk gives Syncing
 * and the daemon settles nothing; on RAID-4/5/6 a write into an Unwritten
 * chunk gives NeedSync, which is the lazy initial parity build.
 *
 * Syncing + sbegin and SyncingUnwritten + sbegin stay where they are:
 * raid5 asks twice per stripe and skips the rest of the chunk when the
 * answer is "nothing to do".
 *
 * Differences from md's in-tree llbitmap, so that a proactive parity build
 * that was accepted is never dropped (see the kicker in llb-daemon.c):
 * reload and abort keep NeedSyncUnwritten, and turn SyncingUnwritten back
 * into NeedSyncUnwritten.  Reload covers a power cut; abort covers every
 * clean interruption md knows ("idle" or "frozen" in sync_action, stop,
 * read-only, shutdown, an IO error), after which the kicker asks md for
 * the rest of the build once md may run it again (never while frozen).
 * Neither state claims valid parity, so keeping them is always safe; a
 * recovery onto a member resets them anyway (forget) and remembers the
 * request (llb-sync.c).
 */
/*
 * One row: the new state for every action, in the column order above.  A
 * missing cell would be 0, i.e. Unwritten, so each row names all of its
 * columns: a row with a cell too few or too many does not compile, and a
 * new action fails the assertion below until it has a column here.
 */
#define ROW(write, sbegin, sdone, sabort, reload, daemon, discard, stale, \
	    proact, forget) {						\
	[LLB_ACT_WRITE]		= write,				\
	[LLB_ACT_SYNC_BEGIN]	= sbegin,				\
	[LLB_ACT_SYNC_DONE]	= sdone,				\
	[LLB_ACT_SYNC_ABORT]	= sabort,				\
	[LLB_ACT_RELOAD]	= reload,				\
	[LLB_ACT_DAEMON]	= daemon,				\
	[LLB_ACT_DISCARD]	= discard,				\
	[LLB_ACT_STALE]		= stale,				\
	[LLB_ACT_PROACTIVE]	= proact,				\
	[LLB_ACT_FORGET_UNW]	= forget,				\
}

static_assert(LLB_ACT_FORGET_UNW + 1 == LLB_NR_ACTIONS,
	      "every action needs a column in ROW() and in llb_table");

static const u8 llb_table[LLB_NR_STATES][LLB_NR_ACTIONS] = {
	/*                     write sbegin sdone sabort reload daemon discrd stale proact forget */
	[LLB_UNWRITTEN]    = ROW(DRT, K,   K,   K,   K,   K,   K,   K,   NSU, K),
	[LLB_CLEAN]        = ROW(DRT, K,   K,   K,   K,   K,   UNW, NS,  K,   K),
	[LLB_DIRTY]        = ROW(K,   K,   K,   K,   NS,  CLN, UNW, NS,  K,   K),
	[LLB_NEEDSYNC]     = ROW(K,   SY,  K,   K,   K,   K,   UNW, K,   K,   K),
	[LLB_SYNCING]      = ROW(K,   SY,  DRT, NS,  NS,  K,   UNW, NS,  K,   K),
	[LLB_NEEDSYNC_UNW] = ROW(NS,  SYU, K,   K,   K,   K,   UNW, UNW, K,   UNW),
	[LLB_SYNCING_UNW]  = ROW(SY,  SYU, CU,  NSU, NSU, K,   UNW, UNW, K,   UNW),
	[LLB_CLEAN_UNW]    = ROW(DRT, K,   K,   K,   K,   K,   UNW, UNW, K,   UNW),
};

static_assert(LLB_CLEAN_UNW + 1 == LLB_NR_STATES,
	      "every state needs a row in llb_table");

static bool llb_needs_sync(u8 st)
{
	return st == LLB_NEEDSYNC || st == LLB_NEEDSYNC_UNW;
}

/*
 * A whole io block of states is written at once.  When a second chunk of
 * an already queued block turns Dirty or NeedSync, promote every chunk of
 * the block ("infect"), so that later writes in the block find their chunk
 * already marked and need no bitmap IO at all.  The price is that up to
 * blksz chunks get synced (RAID-4/5/6: Unwritten becomes NeedSync) or
 * settled together.  Returns true if it created NeedSync chunks.
 */
static bool llb_spread(struct llb *b, struct llb_page *pg, unsigned int blk)
{
	bool r456 = raid_is_456(b->mddev);
	unsigned int off = blk * b->blksz;
	unsigned int end = off + b->blksz;
	bool made_ns = false;
	bool made_dirty = false;

	for (; off < end; off++) {
		u8 old = READ_ONCE(pg->bytes[off]);
		u8 new;

		/* compare-and-swap, as every state change (llb.h) */
		do {
			switch (old) {
			case LLB_UNWRITTEN:
				new = r456 ? LLB_NEEDSYNC : LLB_DIRTY;
				break;
			case LLB_CLEAN:
			case LLB_CLEAN_UNW:
				new = LLB_DIRTY;
				break;
			default:
				new = LLB_KEEP;
				break;
			}
		} while (new != LLB_KEEP &&
			 !try_cmpxchg(&pg->bytes[off], &old, new));
		if (new == LLB_NEEDSYNC)
			made_ns = true;
		else if (new == LLB_DIRTY)
			made_dirty = true;
	}
	if (made_dirty)
		llb_arm_timer(b);
	return made_ns;
}

static bool llb_block_has_pending(struct llb *b, struct llb_page *pg,
				  unsigned int blk, unsigned int skip)
{
	unsigned int off = blk * b->blksz;
	unsigned int end = off + b->blksz;

	for (; off < end; off++) {
		u8 st = READ_ONCE(pg->bytes[off]);

		if (off != skip && (st == LLB_DIRTY || st == LLB_NEEDSYNC))
			return true;
	}
	return false;
}

/*
 * Queue the block holding byte @off of @pg for the next unplug.  The block
 * bit is set before the page flag: the unplug worker clears the page flag
 * first and then the block bits, so whichever order the two race in, a set
 * block bit is never left behind a clear page flag.
 */
static bool llb_queue_block(struct llb *b, struct llb_page *pg,
			    unsigned int off, bool may_spread)
{
	unsigned int blk = off / b->blksz;
	bool made_ns = false;

	/*
	 * A degraded array never settles its chunks, and everything marked
	 * will be resynced when a member returns: do not widen that set.
	 */
	if (!may_spread || b->mddev->degraded)
		set_bit(blk, pg->blk_dirty);
	else if (test_and_set_bit(blk, pg->blk_dirty) ||
		 llb_block_has_pending(b, pg, blk, off))
		made_ns = llb_spread(b, pg, blk);

	/* order the block bit before the page flag (see above) */
	smp_mb__before_atomic();
	set_bit(LLB_PG_DIRTY, &pg->pflags);
	return made_ns;
}

/*
 * Queue the state just stored at byte @off of @pg for writing as it needs;
 * returns true if infection created NeedSync chunks.
 *
 * Durability rule: every state a write moves a chunk into says "this
 * chunk holds data" (Dirty, NeedSync, and Syncing when the write lands in
 * a chunk whose proactive build runs), and it must be on disk before the
 * data is: so every store made by the write action is queued, and the
 * personality unplugs (llb_unplug) before it issues the data.  Left in
 * memory, a SyncingUnwritten chunk turned Syncing would reload as
 * NeedSyncUnwritten after a power cut, be built to CleanUnwritten while
 * holding data, and be skipped by the next recovery.
 */
static bool llb_store(struct llb *b, struct llb_page *pg, unsigned int off,
		      u8 st, enum llb_action act)
{
	/*
	 * Beyond the write action, only states that must survive a crash
	 * are queued for writing: the rest reach disk with the next full
	 * flush (sync checkpoints, stop), and losing them only costs an
	 * extra sync.
	 */
	if (st == LLB_DIRTY || st == LLB_NEEDSYNC)
		return llb_queue_block(b, pg, off, true);
	if (st == LLB_NEEDSYNC_UNW || act == LLB_ACT_WRITE)
		llb_queue_block(b, pg, off, false);
	return false;
}

/* The state @act moves a chunk in state @old to, or LLB_KEEP. */
static u8 llb_next(struct llb *b, unsigned long c, u8 old,
		   enum llb_action act, bool degraded, bool r456)
{
	u8 new;

	if (old >= LLB_NR_STATES) {
		pr_err_ratelimited("%s: chunk %lu has invalid state %u, resyncing it\n",
				   mdname(b->mddev), c, old);
		return LLB_NEEDSYNC;
	}
	/*
	 * The daemon looked at degraded before it fenced the page; a member
	 * failed by a write it then waited for shows here (llb-daemon.c).
	 */
	if (act == LLB_ACT_DAEMON && degraded)
		return LLB_KEEP;
	new = llb_table[old][act];
	if (act == LLB_ACT_WRITE && new == LLB_DIRTY &&
	    (degraded || (r456 && old == LLB_UNWRITTEN)))
		new = LLB_NEEDSYNC;
	else if (degraded && act == LLB_ACT_SYNC_BEGIN && old == LLB_DIRTY)
		new = LLB_SYNCING;
	return new;
}

/*
 * Apply @act to chunks @first..@last (clamped to the bitmap).  Returns the
 * state the last chunk ended in, or LLB_KEEP if the action left it alone;
 * callers that care (start_sync) pass a single chunk.
 */
u8 llb_run(struct llb *b, unsigned long first, unsigned long last,
	   enum llb_action act)
{
	struct mddev *mddev = b->mddev;
	bool degraded = READ_ONCE(mddev->degraded);
	bool r456 = raid_is_456(mddev);
	bool want_sync = false;
	u8 ret = LLB_KEEP;
	unsigned long c;

	if (test_bit(BITMAP_WRITE_ERROR, &b->flags) || first >= b->nchunks)
		return LLB_KEEP;
	if (last >= b->nchunks)
		last = b->nchunks - 1;

	for (c = first; c <= last; c++) {
		unsigned long pos = c + LLB_DATA_START;
		struct llb_page *pg = b->pages[pos >> PAGE_SHIFT];
		unsigned int off = offset_in_page(pos);
		u8 old = READ_ONCE(pg->bytes[off]);
		u8 new;

		/*
		 * Compare-and-swap (rule in llb.h): if another actor changed
		 * the byte since we read it, decide again from its state.
		 */
		do {
			new = llb_next(b, c, old, act, degraded, r456);
		} while (new != LLB_KEEP &&
			 !try_cmpxchg(&pg->bytes[off], &old, new));
		if (old < LLB_NR_STATES && llb_needs_sync(old))
			want_sync = true;

		ret = new;
		if (new == LLB_KEEP)
			continue;
		if (llb_store(b, pg, off, new, act))
			want_sync = true;
		if (llb_needs_sync(new))
			want_sync = true;
		else if (new == LLB_DIRTY)
			llb_arm_timer(b);
	}

	if (want_sync && !degraded)
		llb_want_sync(b);
	return ret;
}

/* Plain stores with no side effect, for initialisation and resize. */
void llb_set_range(struct llb *b, unsigned long first, unsigned long last,
		   u8 state)
{
	unsigned long c;

	for (c = first; c <= last && c < b->nchunks; c++) {
		unsigned long pos = c + LLB_DATA_START;

		WRITE_ONCE(b->pages[pos >> PAGE_SHIFT]->bytes[offset_in_page(pos)],
			   state);
	}
}

/* @count has LLB_NR_STATES slots; invalid bytes are not counted. */
void llb_count_states(struct llb *b, unsigned long *count)
{
	unsigned long c;

	memset(count, 0, LLB_NR_STATES * sizeof(*count));
	for (c = 0; c < b->nchunks; c++) {
		u8 st = llb_get(b, c);

		if (st < LLB_NR_STATES)
			count[st]++;
	}
}

/*
 * First chunk in one of the states set in @mask, or nchunks if none.  A
 * byte that is no valid state counts as NeedSync, as llb_run() treats it:
 * masking it into range would alias it to a valid state (32 reads as
 * Unwritten).  Assembly turns every such byte into NeedSync before any
 * caller looks, so this only matters if one ever reaches memory otherwise.
 */
unsigned long llb_find_state(struct llb *b, unsigned long mask)
{
	unsigned long c;

	for (c = 0; c < b->nchunks; c++) {
		u8 st = llb_get(b, c);

		if (st >= LLB_NR_STATES)
			st = LLB_NEEDSYNC;
		if (mask & BIT(st))
			break;
	}
	return c;
}

bool llb_has_state(struct llb *b, unsigned long mask)
{
	return llb_find_state(b, mask) < b->nchunks;
}
