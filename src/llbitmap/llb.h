/* SPDX-License-Identifier: GPL-2.0 */
/*
 * md-llbitmap2: shared definitions of the lockless bitmap.
 *
 * On-disk layout (compatible with md's llbitmap, bitmap version 6): at
 * rdev->sb_start + bitmap_info.offset every member holds a 256-byte
 * bitmap_super_t, padding up to byte 1024, then one byte per chunk that
 * stores an enum llb_state value.  In memory the area is cached as 4 KiB
 * pages; page i holds bytes [4096 * i, 4096 * i + 4095] of the area, so
 * page 0 carries the superblock and chunks 0..3071.
 */
#ifndef LLB_H
#define LLB_H

#define LLB_NAME		"md-llbitmap2"
/*
 * Every message of the module starts "md-llbitmap2: ".  printk.h keeps a
 * pr_fmt defined before it, so llb.h is the first include of every file
 * (one that is not gets a "pr_fmt redefined" warning).
 */
#define pr_fmt(fmt)		LLB_NAME ": " fmt

#include <linux/bitmap.h>
#include <linux/percpu-refcount.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "../compat.h"

/* Byte offset of the chunk states inside the bitmap area. */
#define LLB_DATA_START		1024
/* Smallest chunk, in sectors (64 KiB, the largest raid1/10 sync IO). */
#define LLB_MIN_CHUNK		128
#define LLB_DEF_DAEMON_SLEEP	30
#define LLB_DEF_BARRIER_IDLE	5
/* Upper bound accepted from sysfs for both timers, in seconds. */
#define LLB_MAX_SECONDS		86400
/* How often the sync kicker looks again while work is outstanding. */
#define LLB_KICK_PERIOD		(HZ / 2)

/* Values of the per-chunk byte; these numbers are the on-disk format. */
enum llb_state {
	LLB_UNWRITTEN = 0,	/* never written: no data, parity unknown */
	LLB_CLEAN,		/* data and redundancy consistent */
	LLB_DIRTY,		/* writes in flight or recently done */
	LLB_NEEDSYNC,		/* redundancy must be rebuilt */
	LLB_SYNCING,		/* being rebuilt */
	LLB_NEEDSYNC_UNW,	/* proactive parity build wanted, no data */
	LLB_SYNCING_UNW,	/* proactive parity build running */
	LLB_CLEAN_UNW,		/* no data, but parity already valid */
	LLB_NR_STATES,
	LLB_KEEP = 0xff,	/* table entry: the action leaves it alone */
};

enum llb_action {
	LLB_ACT_WRITE = 0,	/* a write starts (the only fast-path action) */
	LLB_ACT_SYNC_BEGIN,	/* the sync thread reaches the chunk */
	LLB_ACT_SYNC_DONE,	/* the sync thread finished the chunk */
	LLB_ACT_SYNC_ABORT,	/* the sync thread gave up */
	LLB_ACT_RELOAD,		/* the array is assembled again */
	LLB_ACT_DAEMON,		/* idle timeout: settle dirty chunks */
	LLB_ACT_DISCARD,	/* data deleted */
	LLB_ACT_STALE,		/* bitmap older than the array */
	LLB_ACT_PROACTIVE,	/* user asked for parity of unwritten chunks */
	LLB_ACT_FORGET_UNW,	/* recovery onto a member: unwritten parity lost */
	LLB_NR_ACTIONS,
};

/* llb_page.pflags */
enum {
	LLB_PG_FLUSH,		/* daemon must settle this page now */
	LLB_PG_DIRTY,		/* some block of the page awaits writing */
	LLB_PG_TOUCHED,		/* may hold Dirty chunks the daemon must settle */
};

/* llb.priv: state of this module only, never written to disk. */
enum {
	LLB_SYNC_WANTED,	/* chunks wait for a sync run */
	LLB_PROACTIVE_PENDING,	/* a proactive request waits to be applied */
	LLB_UNW_FORGOTTEN,	/* this recovery run already reset *_UNW */
	LLB_PINNED,		/* holds a module reference */
	LLB_RESHAPING,		/* md reshapes: write path marks both geometries */
	LLB_RESHAPE_READY,	/* ... and the states are geometry-free on disk */
};

#define LLB_MAX_BLOCKS	(PAGE_SIZE / SECTOR_SIZE)

/* First and last chunk of a range, and the pages their bytes live on. */
struct llb_span {
	unsigned long first, last;
	unsigned int pg_first, pg_last;
};

struct llb_page {
	u8			*bytes;		/* page_address(page) */
	struct page		*page;
	/* jiffies after which the daemon may settle the page */
	unsigned long		idle_at;
	unsigned long		pflags;
	/* woken when the barrier drops or is lifted */
	wait_queue_head_t	waitq;
	/*
	 * Writers in flight on chunks of this page.  The daemon kills the
	 * ref to fence writers out while it turns Dirty into Clean, so a
	 * chunk is never settled under a write that is still running.
	 */
	struct percpu_ref	users;
	/* io_size blocks of this page that must be written */
	DECLARE_BITMAP(blk_dirty, LLB_MAX_BLOCKS);
};

struct llb {
	struct mddev		*mddev;
	struct llb_page		**pages;
	unsigned int		npages;
	unsigned int		blksz;		/* bytes per bitmap IO block */
	unsigned int		blks_per_page;

	unsigned long		chunksize;	/* sectors, power of two */
	unsigned long		chunkshift;
	unsigned long		nchunks;
	sector_t		sync_size;	/* sectors covered */
	/*
	 * Nonzero from llb_read_sb() to llb_load() when the header covered
	 * less than the array (a --grow --size shrink cut short): the
	 * sectors the header spoke for.  Until llb_load() has the rest on
	 * disk as NeedSync, the header keeps saying this size.
	 */
	sector_t		hdr_size;

	unsigned long		barrier_idle;	/* seconds */
	unsigned long		last_cond_end;	/* jiffies */

	/* BITMAP_* bits; the persistent ones go to sb->state */
	unsigned long		flags;
	/* LLB_* bits above */
	unsigned long		priv;
	/*
	 * md's event count when chunks were last settled on a whole array
	 * (llb_raise_events_cleared()); io_mutex once the array runs.
	 */
	u64			events_cleared;

	struct timer_list	timer;		/* arms the daemon */
	struct work_struct	daemon_work;
	struct delayed_work	kick_work;	/* asks md for sync runs */

	/*
	 * Serialises writers of bitmap blocks from clearing a dirty bit to
	 * the end of the wait, so that no caller of unplug can return while
	 * another caller still holds blocks it has taken but not written.
	 */
	struct mutex		io_mutex;
	atomic_t		io_inflight;
	wait_queue_head_t	io_wait;
	/* outcome of the block writes since the last llb_wait_io() */
	atomic_t		io_ok;
	atomic_t		io_failed;

	atomic_t		behind_writes;
	wait_queue_head_t	behind_wait;

	/*
	 * Serialises entering and leaving reshape mode (llb-reshape.c),
	 * which md may trigger from its thread, the sync thread and
	 * assembly.  Taken inside reconfig_mutex and bitmap_info.mutex,
	 * outside io_mutex.
	 */
	struct mutex		reshape_mutex;
};

extern struct workqueue_struct *llb_wq;
extern struct workqueue_struct *llb_unplug_wq;

/*
 * Who may write a state byte (issue 16): nobody with a plain store while
 * the array can do IO.
 *  - llb_run() (every action: writes, the sync hooks, the kicker's
 *    proactive request, forget, the daemon, load) and its infection
 *    (llb_spread()) change a byte only by compare-and-swap from the state
 *    they computed from, and decide again from the new value when it
 *    fails: a concurrent actor's store is never overwritten by an answer
 *    computed from an older state.
 *  - The daemon's Dirty to Clean is, in addition, fenced by the page
 *    barrier: no write may be in flight on a chunk declared Clean.
 *  - The reshape conversion (llb-reshape.c) uses compare-and-swap too.
 *  - llb_set_range() stores plainly, only where no IO can run: first use
 *    of a new bitmap, and resize while md has the array quiesced.
 *
 * Durability: every state a write moves a chunk into (Dirty, NeedSync,
 * Syncing) is queued, and llb_unplug() returns only once it is on disk,
 * including when another flusher took the block; the personality issues
 * the data after that.  NeedSyncUnwritten (an accepted proactive request)
 * is queued too; the other sync states reach disk at sync checkpoints and
 * at stop, and losing them costs only an extra sync.
 */

/*
 * The two ways the state machine (llb-state.c) asks for work: both only
 * arm an asynchronous actor of llb-daemon.c, so they are inlines here and
 * the state machine does not call into the daemon's code.
 */

/* A chunk turned Dirty: the daemon settles it after daemon_sleep. */
static inline void llb_arm_timer(struct llb *b)
{
	if (test_bit(BITMAP_SHUTDOWN, &b->flags) || timer_pending(&b->timer))
		return;
	mod_timer(&b->timer,
		  jiffies + b->mddev->bitmap_info.daemon_sleep * HZ);
}

/*
 * Some chunks need a sync run.  The state machine calls this from any
 * context where it runs (including the write path), so it only records
 * the wish and lets the kicker talk to md.
 */
static inline void llb_want_sync(struct llb *b)
{
	/*
	 * Order the state store of our caller before the test: either the
	 * kicker's scan sees the new state, or we see the bit it cleared
	 * before scanning and set it again.
	 */
	smp_mb();
	if (!test_bit(LLB_SYNC_WANTED, &b->priv))
		set_bit(LLB_SYNC_WANTED, &b->priv);
	if (!test_bit(BITMAP_SHUTDOWN, &b->flags))
		queue_delayed_work(llb_wq, &b->kick_work, 0);
}

/* llb-state.c */
static inline u8 llb_get(struct llb *b, unsigned long chunk)
{
	unsigned long pos = chunk + LLB_DATA_START;

	return READ_ONCE(b->pages[pos >> PAGE_SHIFT]->bytes[offset_in_page(pos)]);
}

u8 llb_run(struct llb *b, unsigned long first, unsigned long last,
	   enum llb_action act);
void llb_count_states(struct llb *b, unsigned long *count);
bool llb_has_state(struct llb *b, unsigned long mask);
unsigned long llb_find_state(struct llb *b, unsigned long mask);
void llb_set_range(struct llb *b, unsigned long first, unsigned long last,
		   u8 state);

/* llb-io.c */
int llb_bioset_init(void);
void llb_bioset_exit(void);
int llb_alloc_pages(struct llb *b, unsigned int npages);
void llb_free_pages(struct llb *b);
unsigned int llb_pages_for(unsigned long nchunks);
void llb_write_dirty(struct llb *b);
void llb_write_everything(struct llb *b);
void llb_write_header(struct llb *b);
void llb_mark_all_dirty(struct llb *b);
bool llb_any_dirty(struct llb *b);
void llb_unplug(struct mddev *mddev, bool sync);
int llb_read_area(struct llb *b, unsigned int idx, struct page *page);
u64 llb_space_bytes(struct mddev *mddev);

/* llb-sb.c */
int llb_check_support(struct mddev *mddev);
int llb_read_sb(struct llb *b);
void llb_update_sb(void *data);
void llb_raise_events_cleared(struct llb *b);
unsigned long llb_pick_chunksize(struct mddev *mddev, sector_t blocks,
				 unsigned long start);

/* llb-daemon.c */
void llb_barrier_up(struct llb *b, unsigned int idx);
void llb_barrier_down(struct llb *b, unsigned int idx);
void llb_timer_fn(struct timer_list *t);
void llb_daemon_fn(struct work_struct *work);
void llb_kick_fn(struct work_struct *work);
void llb_settle_now(struct llb *b);
void llb_proactive_request(struct llb *b);
void llb_proactive_apply(struct llb *b);
void llb_touch_all(struct llb *b, unsigned long when);
bool llb_can_heal(struct mddev *mddev);

/* llb-sync.c */
sector_t llb_skip_sync_blocks(struct mddev *mddev, sector_t offset);
bool llb_blocks_synced(struct mddev *mddev, sector_t offset);
bool llb_start_sync(struct mddev *mddev, sector_t offset, sector_t *blocks,
		    bool degraded);
void llb_end_sync(struct mddev *mddev, sector_t offset, sector_t *blocks);
void llb_close_sync(struct mddev *mddev);
void llb_cond_end_sync(struct mddev *mddev, sector_t sector, bool force);

/* llb-reshape.c */
static inline bool llb_reshaping(struct llb *b)
{
	return test_bit(LLB_RESHAPING, &b->priv);
}

void llb_reshape_enter(struct llb *b);
void llb_reshape_leave(struct llb *b);
void llb_reshape_track(struct llb *b);

/* llb-write.c */
void llb_start_write(struct mddev *mddev, sector_t offset,
		     unsigned long sectors);
void llb_end_write(struct mddev *mddev, sector_t offset,
		   unsigned long sectors);
void llb_start_discard(struct mddev *mddev, sector_t offset,
		       unsigned long sectors);
void llb_end_discard(struct mddev *mddev, sector_t offset,
		     unsigned long sectors);
void llb_prepare_range(struct mddev *mddev, sector_t *offset,
		       unsigned long *sectors, bool discard);
void llb_start_behind(struct mddev *mddev);
void llb_end_behind(struct mddev *mddev);
void llb_wait_behind(struct mddev *mddev);
bool llb_try_wait_behind(struct mddev *mddev, bool nowait);

/* llb-sysfs.c */
extern struct attribute_group llb_group;
extern const struct attribute_group *llb_groups[];

#endif /* LLB_H */
