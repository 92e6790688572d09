/* SPDX-License-Identifier: GPL-2.0 */
/*
 * raid456x: shared definitions of the RAID-4/5/6 stripe engine.
 *
 * The engine works on "stripes": one PAGE_SIZE block at the same member
 * offset on every member.  A stripe caches the member pages, collects the
 * array bios that touch them, and is advanced by one function,
 * r5x_handle_stripe(), which only ever runs in the array's md thread.
 *
 * Locking and reference rules (the non-obvious ones):
 *  - conf->lock (irq-safe) protects the stripe hash, every stripe list
 *    (idle, handle, bitmap wait), conf->active, conf->total, conf->quiesce,
 *    conf->starved
 *    and the 0 <-> 1 transitions of a stripe's count.
 *  - A stripe with count == 0 is on exactly one list; a stripe with
 *    count > 0 is on none.  Whoever drops the count to 0 (under conf->lock)
 *    files it by its state bits.  Only a holder of a reference may raise
 *    the count without conf->lock.
 *  - sh->lru is free while count > 0; a submitter's plug uses it to hold
 *    stripes (R5X_S_PLUGGED) until the plug is flushed.
 *  - Every member bio in flight holds a stripe reference, so a stripe with
 *    IO in flight is never idle and never reused.
 *  - sh->lock protects the per-member request lists (toread/towrite);
 *    the "written" list and the page contents belong to the md thread.
 *  - Member pages, dev flags other than R5X_D_LOCKED and the per-conf
 *    scratch page/scribble are only touched by the md thread, or by an IO
 *    completion for a dev that the thread has marked LOCKED.
 */
#ifndef R5X_H
#define R5X_H

/*
 * Every message of the module starts "md/raid456x:"; one about an array
 * goes on with "<array>: " (as raid5's "md/raid:md0: "), a module-wide one
 * with " ".  printk.h keeps a pr_fmt defined before it, so r5x.h is the
 * first include of every file (one that is not gets a "pr_fmt redefined"
 * warning).
 */
#define pr_fmt(fmt)		"md/raid456x:" fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/cpuhotplug.h>
#include <linux/mempool.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "md.h"
#include "../compat.h"

/*
 * One stripe block is one page, and struct r5x_ref.len (unsigned short)
 * and the per-block sector masks (u8, r5x-stripe.c) fit 4 KiB pages: with
 * 64 KiB pages a full share wraps to 0 and nothing is copied.  dkms.conf
 * skips such kernels (CONFIG_PAGE_SIZE_4KB); this stops a direct build.
 */
#if PAGE_SIZE != 4096
#error "raid456x supports only 4 KiB pages (CONFIG_PAGE_SIZE_4KB)"
#endif

#define R5X_BLK_SECTORS		(PAGE_SIZE >> SECTOR_SHIFT)
#define R5X_BLK_MASK		((sector_t)R5X_BLK_SECTORS - 1)
/* Masks of members are u64 bitmaps. */
#define R5X_MAX_DISKS		64
#define R5X_DEF_STRIPES		256
#define R5X_MIN_STRIPES		16
#define R5X_MAX_STRIPES		32768
/* how far the cache may grow on demand beyond stripe_cache_size */
#define R5X_GROW_FACTOR		4
/* stripes the md thread adds per pass when getters ran short */
#define R5X_GROW_BATCH		16
#define R5X_HASH_SHIFT		10

/*
 * md's on-disk RAID-5/6 layout numbers (mdadm --layout).  The ROTATING_*
 * ones are RAID-6 only (DDF order of the Q syndrome); the *_6 ones are
 * what a RAID-5 to RAID-6 conversion leaves: the RAID-5 layout on all but
 * the last member, Q on the last.  PARITY_N_6 is PARITY_N.
 */
enum r5x_layout {
	R5X_LEFT_ASYMMETRIC	= 0,
	R5X_RIGHT_ASYMMETRIC	= 1,
	R5X_LEFT_SYMMETRIC	= 2,
	R5X_RIGHT_SYMMETRIC	= 3,
	R5X_PARITY_0		= 4,
	R5X_PARITY_N		= 5,
	R5X_ROTATING_ZERO_RESTART = 8,
	R5X_ROTATING_N_RESTART	= 9,
	R5X_ROTATING_N_CONTINUE	= 10,
	R5X_LEFT_ASYMMETRIC_6	= 16,
	R5X_RIGHT_ASYMMETRIC_6	= 17,
	R5X_LEFT_SYMMETRIC_6	= 18,
	R5X_RIGHT_SYMMETRIC_6	= 19,
	R5X_PARITY_0_6		= 20,
};

/* A chunk-aligned read sent straight to its member. */
struct r5x_aligned {
	struct bio		*orig;
	struct md_rdev		*rdev;
	struct bio		clone;	/* last: the bioset's front_pad ends here */
};

/* One array bio's share of one member block. */
struct r5x_ref {
	struct r5x_ref		*next;
	struct bio		*bio;
	unsigned int		bio_off;	/* bytes from the bio's start */
	unsigned short		pg_off;		/* bytes into the page */
	unsigned short		len;		/* bytes */
};

enum r5x_dev_flags {
	R5X_D_UPTODATE,		/* page holds the block's current content */
	R5X_D_LOCKED,		/* member IO in flight on this page */
	R5X_D_READ_ERR,		/* member read failed: rebuild, then rewrite */
	R5X_D_READ_BAD,		/* ... past the read error limit: record it */
	R5X_D_REREAD,		/* rewritten after a read error: read back */
	R5X_D_WRITE_ERR,	/* member write failed: record a bad block */
	R5X_D_MADE_GOOD,	/* written over a recorded bad block: clear it */
};

struct r5x_dev {
	struct page		*page;
	struct r5x_ref		*toread;	/* sh->lock */
	struct r5x_ref		*towrite;	/* sh->lock */
	struct r5x_ref		*written;	/* md thread only */
	unsigned long		flags;
	struct md_rdev		*io_rdev;	/* rdev of the IO in flight */
	struct md_rdev		*io_repl;	/* replacement being written */
	/*
	 * The member whose bad-block list the last write changes
	 * (R5X_D_WRITE_ERR or R5X_D_MADE_GOOD).  Set by the write's
	 * completion, which leaves its nr_pending reference for the md
	 * thread to drop once the list is updated.
	 */
	struct md_rdev		*bb_rdev;
	/*
	 * The member whose rewrite of a read error succeeded (with
	 * R5X_D_REREAD): the read-back must go to it and no other, since
	 * the slot may have changed hands since.  Compared, never
	 * dereferenced: the completion dropped its reference.
	 */
	struct md_rdev		*reread_rdev;
	struct bio		req;
	struct bio_vec		vec;
	struct bio		repl_req;	/* the same write, to the replacement */
	struct bio_vec		repl_vec;
};

enum r5x_stripe_state {
	R5X_S_HANDLE,		/* queue for the thread when count drops to 0 */
	R5X_S_IDLE,		/* on conf->idle (count == 0, nothing to do) */
	R5X_S_BM_WAIT,		/* writes wait for a bitmap unplug */
	R5X_S_SYNC_REQ,		/* sync_request asked for this stripe */
	R5X_S_SYNCING,		/* sync has started: members re-read */
	R5X_S_SYNC_WRITE,	/* sync writes in flight; md_done_sync after */
	R5X_S_FUA,		/* the pending write batch carries FUA */
	R5X_S_PLUGGED,		/* a submitter's plug holds a reference */
};

struct r5x_stripe {
	struct hlist_node	hash;
	struct list_head	lru;
	struct r5x_conf		*conf;
	sector_t		sector;		/* member sector, block aligned */
	int			pd_idx;
	int			qd_idx;		/* RAID-6 Q member, else -1 */
	atomic_t		count;
	atomic_t		io_pending;
	unsigned long		state;
	/* bitmap unplug sequence the queued writes need; sh->lock */
	u64			bm_seq;
	spinlock_t		lock;		/* toread/towrite lists */
	struct r5x_dev		dev[];
};

/*
 * A slot's member and, during want_replacement, the device taking over
 * from it.  The replacement receives every write of the slot and, from the
 * recovery, everything below its recovery_offset; it is never read until
 * spare_active() makes it the member.  Both pointers are read under RCU
 * and changed by md's add/remove/spare_active paths.
 */
struct r5x_disk {
	struct md_rdev		*rdev;
	struct md_rdev		*replacement;
};

struct r5x_conf {
	struct mddev		*mddev;
	int			level;
	int			algorithm;
	int			raid_disks;
	int			data_disks;
	/* members a stripe can lose and still be served: 1, RAID-6 2 */
	int			max_degraded;
	int			chunk_sectors;
	struct r5x_disk		*disks;

	spinlock_t		lock;		/* see the rules at the top */
	struct hlist_head	*hash;
	struct list_head	idle;		/* LRU: oldest first */
	struct list_head	handle;
	struct list_head	bm_wait;
	int			total;		/* stripes allocated */
	/*
	 * stripe_cache_size: the cache never shrinks below it.  A getter
	 * that finds no free stripe asks the md thread for more (want_more),
	 * up to R5X_GROW_FACTOR times min_stripes; the shrinker gives the
	 * extra ones back under memory pressure.  conf->lock.
	 */
	int			min_stripes;
	bool			want_more;
	struct shrinker		*shrinker;
	int			active;		/* stripes not on idle */
	int			quiesce;
	/*
	 * Set when a getter had to sleep for a free stripe; until the first
	 * sleeper gets one, getters wait for a quarter of the cache to be
	 * free, so the md thread keeps a full batch in flight instead of
	 * handing stripes out one at a time.  conf->lock.
	 */
	bool			starved;
	wait_queue_head_t	wait_stripe;	/* idle stripe or !quiesce */
	wait_queue_head_t	wait_quiet;	/* active == 0 */
	atomic_t		aligned_reads;

	/*
	 * Bitmap ordering: a write attached while bm_seq_next == N may reach
	 * the members only after an unplug started with sequence >= N has
	 * finished (bm_seq_done >= N).  Both under conf->lock.
	 */
	u64			bm_seq_next;
	u64			bm_seq_done;

	/*
	 * Array writes that reached the members while md had a superblock
	 * update pending (a failed member, a new bad block, the array
	 * turning active): they complete only once it is written.  Chained
	 * through ref->next; conf->lock.  Only the md thread adds to it.
	 */
	struct r5x_ref		*held;

	/*
	 * A member is being rebuilt that the bitmap knows nothing about:
	 * set at hot_add of a disk that was not in this slot before and at
	 * assembly of such a member whose recovery was interrupted; the
	 * sync thread clears it when a recovery runs to its end.
	 */
	bool			fullsync;

	struct kmem_cache	*slab;
	char			slab_name[DISK_NAME_LEN + 8];
	mempool_t		ref_pool;
	struct bio_set		read_bs;

	/* aligned reads that failed on the member: retried via the cache */
	spinlock_t		retry_lock;	/* retry */
	struct bio_list		retry;
	struct work_struct	retry_work;

	/* write-path statistics (sysfs r5x_stats); md thread only writes */
	u64			stat_rmw;
	u64			stat_rcw;
	u64			stat_full;	/* rcw that read nothing */
	u64			stat_forced_rcw; /* parity never built */
	u64			stat_starved;	/* getter slept: conf->lock */

	/* md thread only */
	struct page		*scratch;
	struct page		*scratch_q;	/* RAID-6: Q of a check */
	void			*scribble;
	struct page		**srcs;
	void			**pq_ptrs;	/* RAID-6: raid_disks + 2 */
};

/* r5x-geom.c */
sector_t r5x_map_sector(const struct r5x_conf *conf, sector_t lsector,
			int *dd_idx, int *pd_idx);
u64 r5x_row_sectors(const struct r5x_conf *conf);
sector_t r5x_array_sector(const struct r5x_conf *conf, u64 row, int d,
			  unsigned int off);
int r5x_parity_disk(const struct r5x_conf *conf, sector_t msector);
int r5x_q_disk(const struct r5x_conf *conf, int pd);
bool r5x_layout_ddf(const struct r5x_conf *conf);
int r5x_data_member(const struct r5x_conf *conf, int d, int pd);
bool r5x_layout_valid(int level, int layout);
sector_t r5x_array_size(struct mddev *mddev, sector_t sectors, int raid_disks);
void r5x_bitmap_sector(struct mddev *mddev, sector_t *offset,
		       unsigned long *sectors);

/* r5x-cache.c */
#define R5X_GET_NOBLOCK		BIT(0)
#define R5X_GET_NOQUIESCE	BIT(1)
struct r5x_stripe *r5x_get_stripe(struct r5x_conf *conf, sector_t sector,
				  unsigned int flags);
void r5x_release_stripe(struct r5x_stripe *sh);
int r5x_cache_init(struct r5x_conf *conf, int nr);
void r5x_cache_free(struct r5x_conf *conf);
int r5x_cache_resize(struct r5x_conf *conf, int nr);
void r5x_cache_grow(struct r5x_conf *conf);

/* r5x-stripe.c */
void r5x_handle_stripe(struct r5x_stripe *sh);
void r5x_update_badblocks(struct r5x_stripe *sh);
void r5x_release_held(struct r5x_conf *conf, bool force);

/* r5x-pq.c */
void r5x_pq_gen(struct r5x_stripe *sh, struct page *p, struct page *q);
void r5x_pq_rmw(struct r5x_stripe *sh, u64 changed);
void r5x_pq_rebuild(struct r5x_stripe *sh, u64 lost);
u64 r5x_pq_check(struct r5x_stripe *sh, u64 lost, bool fix);

/* r5x-io.c */
bool r5x_submit_dev(struct r5x_stripe *sh, int i, blk_opf_t opf);
bool r5x_submit_dev_to(struct r5x_stripe *sh, int i, blk_opf_t opf,
		       struct md_rdev *want);
void r5x_xor_into(struct r5x_conf *conf, struct page *dest,
		  struct page **srcs, int cnt);
void r5x_xor_set(struct r5x_conf *conf, struct page *dest,
		 struct page **srcs, int cnt);

/* r5x-share.c */
void r5x_attach_ref(struct r5x_conf *conf, struct r5x_stripe *sh,
		    struct bio *bio, sector_t lsector, int dd);
void r5x_copy_ref(struct r5x_ref *ref, struct page *page, bool to_page);
void r5x_end_ref(struct r5x_conf *conf, struct r5x_ref *ref, bool error);

/* r5x-request.c */
bool r5x_make_request(struct mddev *mddev, struct bio *bi);
void r5x_retry_work(struct work_struct *work);

/* r5x-sync.c */
sector_t r5x_sync_request(struct mddev *mddev, sector_t sector_nr,
			  sector_t max_sector, int *skipped);

/* r5x-lifecycle.c */
int r5x_run(struct mddev *mddev);
void r5x_free(struct mddev *mddev, void *priv);
void r5x_status(struct seq_file *seq, struct mddev *mddev);
int r5x_resize(struct mddev *mddev, sector_t sectors);
int r5x_check_reshape(struct mddev *mddev);
void r5x_quiesce(struct mddev *mddev, int quiesce);

/* r5x-members.c */
int r5x_calc_degraded(struct r5x_conf *conf);
void r5x_error_handler(struct mddev *mddev, struct md_rdev *rdev);
int r5x_hot_add_disk(struct mddev *mddev, struct md_rdev *rdev);
int r5x_hot_remove_disk(struct mddev *mddev, struct md_rdev *rdev);
int r5x_spare_active(struct mddev *mddev);

/* r5x-daemon.c */
void r5x_daemon(struct md_thread *thread);

/* r5x-sysfs.c */
extern const struct attribute_group r5x_attr_group;

/* r5x-main.c */
extern enum cpuhp_state r5x_cpuhp_state;

static inline void r5x_wake_thread(struct r5x_conf *conf)
{
	md_wakeup_thread(conf->mddev->thread);
}

#endif
