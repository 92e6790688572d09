// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: reshape of a RAID-4/5/6 array (member count, layout,
 * chunk size or level 5 <-> 6) under the bitmap.
 *
 * The bitmap tracks member sectors.  A reshape moves the array's data to
 * other member sectors, stripe by stripe, while md checkpoints its
 * progress in its own superblock at moments we do not control.  Moving
 * chunk states along with the data cannot be made crash safe in place:
 * after a power cut between our write-out and md's superblock update, a
 * repeated move would read states it already overwrote.
 *
 * So during a reshape the chunk states are made geometry-free instead:
 *   - on entry every chunk that claims "no data here" (Unwritten and the
 *     *Unwritten states) is claimed as data: NeedSync where its parity was
 *     never built, Clean where a proactive sync built it (CleanUnwritten).
 *     cmpxchg keeps a racing write's Dirty/NeedSync, and all of it is
 *     written before the reshape moves a single stripe;
 *   - while it runs, blocks_synced() says no everywhere, so raid5 uses
 *     reconstruct-write and never trusts parity the lazy build has not
 *     built yet (those regions are Clean now, but only the reshape itself
 *     will make their parity true);
 *   - a write marks its chunks in both the old and the new geometry
 *     (the dual cookie of llb-write.c): wherever raid5 finally puts the
 *     data, its chunk is Dirty until the daemon settles it, and a crash
 *     turns it into NeedSync on reload;
 *   - discards leave the states alone, and proactive_sync is refused.
 * Why NeedSync and not Clean: "Clean" would promise valid parity, which
 * only the reshape's own rewrite of a stripe makes true, and a reshape
 * need not go everywhere.  The conversion is on disk before md's
 * superblock records the reshape (raid5 calls resize() first), so a crash
 * in between assembles an array with no reshape at all; and mdadm
 * --update=revert-reshape sends md back from wherever it stopped, so the
 * stripes it never reached keep the old geometry and their never-built
 * parity.  NeedSync is true in every case: the resync after the reshape
 * (or after the assembly that finds none) builds that parity, and until
 * then blocks_synced() says no there.  The cost: the lazy regions are
 * gone and are resynced once after the reshape; a later rebuild covers
 * the whole member until discards (fstrim) mark regions Unwritten again.
 * The bitmap geometry itself (chunk size and count) cannot change: for
 * RAID-4/5/6 it follows the member size, which a reshape keeps.
 */
#include "llb.h"

static bool llb_md_reshaping(struct mddev *mddev)
{
	return READ_ONCE(mddev->reshape_position) != MaxSector;
}

/*
 * What each "no data here" state claims once a reshape may move data into
 * its chunk: only a built parity (CleanUnwritten) may become Clean.
 */
static const struct {
	u8 from, to;
} llb_reshape_claim[] = {
	{ LLB_UNWRITTEN,	LLB_NEEDSYNC },
	{ LLB_NEEDSYNC_UNW,	LLB_NEEDSYNC },
	{ LLB_SYNCING_UNW,	LLB_NEEDSYNC },
	{ LLB_CLEAN_UNW,	LLB_CLEAN },
};

/*
 * Claim every chunk as data, never over a state a writer just stored
 * (cmpxchg).  Returns how many chunks now wait for their parity.
 */
static unsigned long llb_claim_data(struct llb *b)
{
	unsigned long c, unsynced = 0;
	unsigned int i;

	for (c = 0; c < b->nchunks; c++) {
		unsigned long pos = c + LLB_DATA_START;
		u8 *p = &b->pages[pos >> PAGE_SHIFT]->bytes[offset_in_page(pos)];

		for (i = 0; i < ARRAY_SIZE(llb_reshape_claim); i++) {
			u8 from = llb_reshape_claim[i].from;
			u8 to = llb_reshape_claim[i].to;

			if (cmpxchg(p, from, to) == from) {
				unsynced += to == LLB_NEEDSYNC;
				break;
			}
		}
	}
	return unsynced;
}

/*
 * Enter reshape mode.  Callers: resize() when raid5 starts a reshape
 * (7.3), load() of an array assembled mid-reshape, and the first sync
 * hook or superblock update that sees md's reshape_position set (kernels
 * whose raid5 does not tell the bitmap).  The first caller converts; the
 * conversion is written as soon as the array is writable (a read-only
 * array is not written: a later caller does it, at the latest the sync
 * thread before its first reshape IO).  Later callers wait on the mutex,
 * so none returns before the conversion is on disk.  LLB_RESHAPING is
 * set before the conversion so that every write from then on is
 * dual-marked and sees blocks_synced() false.
 */
void llb_reshape_enter(struct llb *b)
{
	struct mddev *mddev = b->mddev;

	mutex_lock(&b->reshape_mutex);
	if (!test_bit(LLB_RESHAPING, &b->priv)) {
		set_bit(LLB_RESHAPING, &b->priv);
		/*
		 * Orders our own bit before our own state reads below.  The
		 * write path reads the bit with no barrier, and need not: a
		 * write that misses it marks only the old geometry, which
		 * is then still the one raid5 uses.  On 7.3 resize() sets
		 * the bit before raid5 switches geometry, and raid5
		 * quiesces after the switch; on 7.2 md maps writes through
		 * bitmap_sector, which spans both geometries ahead of the
		 * reshape.  The conversion uses cmpxchg, so such a write's
		 * Dirty or NeedSync is kept.
		 */
		smp_mb__after_atomic();
		clear_bit(LLB_PROACTIVE_PENDING, &b->priv);
		pr_info("%s: reshape: %lu chunks without data are now treated as written and get their parity built after the reshape; fstrim after it makes unused regions lazy again\n",
			mdname(mddev), llb_claim_data(b));
	}
	if (!test_bit(LLB_RESHAPE_READY, &b->priv) && md_is_rdwr(mddev)) {
		llb_write_everything(b);
		set_bit(LLB_RESHAPE_READY, &b->priv);
	}
	mutex_unlock(&b->reshape_mutex);
}

void llb_reshape_leave(struct llb *b)
{
	mutex_lock(&b->reshape_mutex);
	if (test_bit(LLB_RESHAPING, &b->priv)) {
		clear_bit(LLB_RESHAPING, &b->priv);
		clear_bit(LLB_RESHAPE_READY, &b->priv);
		if (md_is_rdwr(b->mddev))
			llb_write_everything(b);
		pr_info("%s: reshape finished\n", mdname(b->mddev));
		/*
		 * The chunks entry claimed, and those a crash left NeedSync
		 * during the reshape, are synced now.
		 */
		if (llb_has_state(b, BIT(LLB_NEEDSYNC)))
			llb_want_sync(b);
	}
	mutex_unlock(&b->reshape_mutex);
}

/*
 * Follow md: enter when it reshapes (until the conversion is on disk),
 * leave when it no longer does.
 */
void llb_reshape_track(struct llb *b)
{
	if (llb_md_reshaping(b->mddev)) {
		if (!test_bit(LLB_RESHAPE_READY, &b->priv))
			llb_reshape_enter(b);
	} else if (test_bit(LLB_RESHAPING, &b->priv)) {
		llb_reshape_leave(b);
	}
}
