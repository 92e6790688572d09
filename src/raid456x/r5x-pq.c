// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: RAID-6 P and Q of one stripe, through the kernel's raid6_pq
 * library.  Runs only in the md thread, on pages that are up to date and
 * have no member IO in flight (r5x-stripe.c); conf->pq_ptrs,
 * conf->scratch and conf->scratch_q are the md thread's.
 *
 * Q weighs every data block with a power of the field generator: block
 * k of the syndrome counts g^k.  Which block is k decides whether an
 * array made by md's raid456 reads back here, so it follows raid456:
 *  - the md layouts number the data blocks from the member after Q,
 *    wrapping around and skipping P and Q (from member 0 if Q is last);
 *  - the DDF layouts (ROTATING_*) use the member index itself, P's and
 *    Q's own indices counting as zero blocks.
 * The library takes "disks" pointers: the blocks 0..k-1, then P, then Q.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/highmem.h>
#include <linux/raid/pq.h>

/*
 * Fill conf->pq_ptrs for @sh with P at @p and Q at @q; store each data
 * member's syndrome index in @slot (if not NULL).  Returns the number of
 * pointers ("disks" for the library).
 */
static int r5x_pq_ptrs(struct r5x_stripe *sh, struct page *p, struct page *q,
		       int *slot)
{
	struct r5x_conf *conf = sh->conf;
	void **ptrs = conf->pq_ptrs;
	int n = conf->raid_disks;
	int i, k, d0, nblk;

	if (r5x_layout_ddf(conf)) {
		/* P's and Q's own indices hold zero blocks */
		nblk = n;
		for (i = 0; i < n; i++) {
			if (i == sh->pd_idx || i == sh->qd_idx) {
				ptrs[i] = page_address(ZERO_PAGE(0));
				continue;
			}
			ptrs[i] = page_address(sh->dev[i].page);
			if (slot)
				slot[i] = i;
		}
	} else {
		nblk = n - 2;
		d0 = sh->qd_idx == n - 1 ? 0 : sh->qd_idx + 1;
		for (k = 0, i = d0; k < nblk; i = (i + 1) % n) {
			if (i == sh->pd_idx || i == sh->qd_idx)
				continue;
			if (slot)
				slot[i] = k;
			ptrs[k++] = page_address(sh->dev[i].page);
		}
	}
	ptrs[nblk] = page_address(p);
	ptrs[nblk + 1] = page_address(q);
	return nblk + 2;
}

/*
 * Read-modify-write of P and Q: fold the data pages in @changed into P and
 * Q.  Called once with the old data (taking it out) and once with the new
 * (putting it in); the library walks only the syndrome indices from the
 * first to the last changed block, unchanged ones in between read as zero
 * blocks.  Needs raid6_can_xor_syndrome().
 */
void r5x_pq_rmw(struct r5x_stripe *sh, u64 changed)
{
	struct r5x_conf *conf = sh->conf;
	int slot[R5X_MAX_DISKS];
	int i, disks, start = INT_MAX, stop = -1;

	disks = r5x_pq_ptrs(sh, sh->dev[sh->pd_idx].page,
			    sh->dev[sh->qd_idx].page, slot);
	for (i = 0; i < conf->raid_disks; i++) {
		if (i == sh->pd_idx || i == sh->qd_idx)
			continue;
		if (!(changed & BIT_ULL(i))) {
			conf->pq_ptrs[slot[i]] = page_address(ZERO_PAGE(0));
			continue;
		}
		start = min(start, slot[i]);
		stop = max(stop, slot[i]);
	}
	if (stop >= 0)
		raid6_xor_syndrome(disks, start, stop, PAGE_SIZE,
				   conf->pq_ptrs);
}

/* P and Q of the stripe's data pages into @p and @q. */
void r5x_pq_gen(struct r5x_stripe *sh, struct page *p, struct page *q)
{
	int disks = r5x_pq_ptrs(sh, p, q, NULL);

	raid6_gen_syndrome(disks, PAGE_SIZE, sh->conf->pq_ptrs);
}

/*
 * Rebuild the pages in @lost (one or two members) from all the others,
 * which are up to date.  One data block is rebuilt from P when P is
 * there (as raid456 does: a degraded check then still tests Q), else
 * from Q; two data blocks, or a data block and P, need Q.
 */
void r5x_pq_rebuild(struct r5x_stripe *sh, u64 lost)
{
	struct r5x_conf *conf = sh->conf;
	u64 pbit = BIT_ULL(sh->pd_idx), qbit = BIT_ULL(sh->qd_idx);
	u64 ldata = lost & ~pbit & ~qbit;
	struct page *p = sh->dev[sh->pd_idx].page;
	struct page *q = sh->dev[sh->qd_idx].page;
	int slot[R5X_MAX_DISKS];
	int i, a, b, disks;

	a = ldata ? __ffs64(ldata) : -1;
	b = hweight64(ldata) > 1 ? fls64(ldata) - 1 : -1;

	if (a >= 0 && !(lost & pbit) && b < 0) {
		struct page *pages[R5X_MAX_DISKS];
		int n = 0;

		/* D = P ^ the other data blocks */
		for (i = 0; i < conf->raid_disks; i++)
			if (i != a && i != sh->qd_idx)
				pages[n++] = sh->dev[i].page;
		r5x_xor_set(conf, sh->dev[a].page, pages, n);
		a = -1;
	}
	if (a < 0) {
		/*
		 * No data block left to rebuild: generate what is lost of
		 * P and Q, the one that is not lost into scratch.
		 */
		if (lost & (pbit | qbit))
			r5x_pq_gen(sh, lost & pbit ? p : conf->scratch,
				   lost & qbit ? q : conf->scratch_q);
	} else {
		disks = r5x_pq_ptrs(sh, p, q, slot);
		if (b >= 0) {
			/* two data blocks: P and Q are both present */
			raid6_recov_2data(disks, PAGE_SIZE, min(slot[a], slot[b]),
					  max(slot[a], slot[b]), conf->pq_ptrs);
		} else {
			/* a data block and P, from Q */
			raid6_recov_datap(disks, PAGE_SIZE, slot[a],
					  conf->pq_ptrs);
		}
	}
	for (i = 0; i < conf->raid_disks; i++)
		if (lost & BIT_ULL(i))
			set_bit(R5X_D_UPTODATE, &sh->dev[i].flags);
}

/*
 * Check (or repair) a stripe whose pages are all up to date; @lost are
 * members rebuilt from the others for it, whose parity proves nothing.
 * Returns the P and Q members that do not match the data.  With @fix
 * their pages get the right parity, for repair to write; check leaves
 * the cache as the members are.
 */
u64 r5x_pq_check(struct r5x_stripe *sh, u64 lost, bool fix)
{
	struct r5x_conf *conf = sh->conf;
	u64 bad = 0;

	r5x_pq_gen(sh, conf->scratch, conf->scratch_q);
	if (!(lost & BIT_ULL(sh->pd_idx)) &&
	    memcmp(page_address(conf->scratch),
		   page_address(sh->dev[sh->pd_idx].page), PAGE_SIZE)) {
		if (fix)
			copy_highpage(sh->dev[sh->pd_idx].page, conf->scratch);
		bad |= BIT_ULL(sh->pd_idx);
	}
	if (!(lost & BIT_ULL(sh->qd_idx)) &&
	    memcmp(page_address(conf->scratch_q),
		   page_address(sh->dev[sh->qd_idx].page), PAGE_SIZE)) {
		if (fix)
			copy_highpage(sh->dev[sh->qd_idx].page,
				      conf->scratch_q);
		bad |= BIT_ULL(sh->qd_idx);
	}
	return bad;
}
