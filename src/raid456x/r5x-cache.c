// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: the stripe cache.  A fixed pool of stripes, each owning one
 * page per member.  Idle stripes keep their identity (and their pages'
 * contents) on an LRU list until a lookup for another sector reuses them.
 * See r5x.h for the reference and list rules.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/shrinker.h>
#include <linux/slab.h>

static struct hlist_head *r5x_hash_head(struct r5x_conf *conf, sector_t sector)
{
	return &conf->hash[hash_64(sector >> PAGE_SECTORS_SHIFT,
				   R5X_HASH_SHIFT)];
}

static struct r5x_stripe *r5x_lookup(struct r5x_conf *conf, sector_t sector)
{
	struct r5x_stripe *sh;

	hlist_for_each_entry(sh, r5x_hash_head(conf, sector), hash)
		if (sh->sector == sector)
			return sh;
	return NULL;
}

/* Give an idle stripe a new identity; its cached pages become invalid. */
static void r5x_reinit_stripe(struct r5x_conf *conf, struct r5x_stripe *sh,
			      sector_t sector)
{
	int i;

	hlist_del_init(&sh->hash);
	sh->sector = sector;
	sh->pd_idx = r5x_parity_disk(conf, sector);
	sh->qd_idx = r5x_q_disk(conf, sh->pd_idx);
	sh->state = 0;
	sh->bm_seq = 0;
	for (i = 0; i < conf->raid_disks; i++)
		sh->dev[i].flags = 0;
	hlist_add_head(&sh->hash, r5x_hash_head(conf, sector));
}

/*
 * May a getter that slept for a free stripe take one now?  Once the cache
 * ran dry it must first drain to three quarters, as md's raid5 does; the
 * first getter through clears conf->starved and lets the rest in.
 * conf->lock held.
 */
static bool r5x_stripe_available(struct r5x_conf *conf)
{
	if (list_empty(&conf->idle))
		return false;
	return !conf->starved || conf->active < conf->total * 3 / 4;
}

/* conf->lock held. */
static bool r5x_may_grow(struct r5x_conf *conf)
{
	return conf->total < min(conf->min_stripes * R5X_GROW_FACTOR,
				 R5X_MAX_STRIPES);
}

/* Take a reference on @sh whose count may be 0; conf->lock held. */
static void r5x_grab(struct r5x_conf *conf, struct r5x_stripe *sh)
{
	if (atomic_inc_return(&sh->count) != 1)
		return;
	/* count was 0: the stripe sits on exactly one list */
	list_del_init(&sh->lru);
	if (test_and_clear_bit(R5X_S_IDLE, &sh->state))
		conf->active++;
}

/*
 * Find or make the stripe for member sector @sector and take a reference.
 * Sleeps while the array is quiesced (unless R5X_GET_NOQUIESCE) and while
 * no idle stripe can be reused (unless R5X_GET_NOBLOCK, then NULL).
 * Must not be called from the md thread without R5X_GET_NOBLOCK: only the
 * thread makes stripes idle again.
 */
struct r5x_stripe *r5x_get_stripe(struct r5x_conf *conf, sector_t sector,
				  unsigned int flags)
{
	struct r5x_stripe *sh;

	spin_lock_irq(&conf->lock);
	for (;;) {
		if (!(flags & R5X_GET_NOQUIESCE) && conf->quiesce) {
			if (flags & R5X_GET_NOBLOCK) {
				sh = NULL;
				break;
			}
			wait_event_lock_irq(conf->wait_stripe, !conf->quiesce,
					    conf->lock);
		}
		sh = r5x_lookup(conf, sector);
		if (sh) {
			r5x_grab(conf, sh);
			break;
		}
		/* newcomers queue behind a starved getter, too */
		if (r5x_stripe_available(conf)) {
			sh = list_first_entry(&conf->idle, struct r5x_stripe,
					      lru);
			r5x_grab(conf, sh);
			r5x_reinit_stripe(conf, sh, sector);
			break;
		}
		/* short of stripes: the md thread adds some if it may */
		if (!conf->want_more && r5x_may_grow(conf)) {
			conf->want_more = true;
			r5x_wake_thread(conf);
		}
		if (flags & R5X_GET_NOBLOCK)
			break;
		conf->starved = true;
		conf->stat_starved++;
		wait_event_lock_irq(conf->wait_stripe,
				    r5x_stripe_available(conf) ||
				    (!(flags & R5X_GET_NOQUIESCE) &&
				     conf->quiesce),
				    conf->lock);
		conf->starved = false;
	}
	spin_unlock_irq(&conf->lock);
	return sh;
}

/* File a stripe whose count just reached 0; conf->lock held. */
static void r5x_file_stripe(struct r5x_conf *conf, struct r5x_stripe *sh)
{
	if (test_bit(R5X_S_BM_WAIT, &sh->state)) {
		list_add_tail(&sh->lru, &conf->bm_wait);
		r5x_wake_thread(conf);
	} else if (test_bit(R5X_S_HANDLE, &sh->state)) {
		list_add_tail(&sh->lru, &conf->handle);
		r5x_wake_thread(conf);
	} else {
		list_add_tail(&sh->lru, &conf->idle);
		set_bit(R5X_S_IDLE, &sh->state);
		conf->active--;
		/* a starved getter need not be woken for every stripe */
		if (r5x_stripe_available(conf))
			wake_up(&conf->wait_stripe);
		if (!conf->active)
			wake_up(&conf->wait_quiet);
	}
}

/* Drop a reference; callable from any context, including bio completion. */
void r5x_release_stripe(struct r5x_stripe *sh)
{
	struct r5x_conf *conf = sh->conf;
	unsigned long flags;

	/* fast path: not the last reference, no list to touch */
	if (atomic_add_unless(&sh->count, -1, 1))
		return;
	spin_lock_irqsave(&conf->lock, flags);
	if (atomic_dec_and_test(&sh->count))
		r5x_file_stripe(conf, sh);
	spin_unlock_irqrestore(&conf->lock, flags);
}

static void r5x_free_stripe(struct r5x_conf *conf, struct r5x_stripe *sh)
{
	int i;

	for (i = 0; i < conf->raid_disks; i++)
		if (sh->dev[i].page)
			put_page(sh->dev[i].page);
	kmem_cache_free(conf->slab, sh);
}

static struct r5x_stripe *r5x_alloc_stripe(struct r5x_conf *conf, gfp_t gfp)
{
	struct r5x_stripe *sh;
	int i;

	sh = kmem_cache_zalloc(conf->slab, gfp);
	if (!sh)
		return NULL;
	sh->conf = conf;
	spin_lock_init(&sh->lock);
	INIT_HLIST_NODE(&sh->hash);
	INIT_LIST_HEAD(&sh->lru);
	sh->sector = MaxSector;
	for (i = 0; i < conf->raid_disks; i++) {
		sh->dev[i].page = alloc_page(gfp);
		if (!sh->dev[i].page) {
			r5x_free_stripe(conf, sh);
			return NULL;
		}
	}
	return sh;
}

/* A new stripe joins the idle list, unhashed so that it is reused first. */
static void r5x_add_idle(struct r5x_conf *conf, struct r5x_stripe *sh)
{
	list_add(&sh->lru, &conf->idle);
	set_bit(R5X_S_IDLE, &sh->state);
	conf->total++;
	if (r5x_stripe_available(conf))
		wake_up(&conf->wait_stripe);
}

/*
 * Unlink the least recently used idle stripe for freeing, if the cache
 * holds more than @floor stripes.  Idle stripes have no IO and no queued
 * request, so only their cached pages go.
 */
static struct r5x_stripe *r5x_take_idle(struct r5x_conf *conf, int floor)
{
	struct r5x_stripe *sh = NULL;

	spin_lock_irq(&conf->lock);
	if (conf->total > floor && !list_empty(&conf->idle)) {
		sh = list_first_entry(&conf->idle, struct r5x_stripe, lru);
		list_del_init(&sh->lru);
		hlist_del_init(&sh->hash);
		conf->total--;
	}
	spin_unlock_irq(&conf->lock);
	return sh;
}

/*
 * Set stripe_cache_size to @nr and move the pool towards it.  Shrinking
 * frees only idle stripes, so it may stop short; the shrinker takes the
 * rest back later.  Serialised by reconfig_mutex (sysfs) or run().
 */
int r5x_cache_resize(struct r5x_conf *conf, int nr)
{
	struct r5x_stripe *sh;

	if (nr < R5X_MIN_STRIPES || nr > R5X_MAX_STRIPES)
		return -EINVAL;

	spin_lock_irq(&conf->lock);
	/* the shrinker and sysfs read it without the lock */
	WRITE_ONCE(conf->min_stripes, nr);
	spin_unlock_irq(&conf->lock);

	while (READ_ONCE(conf->total) < nr) {
		sh = r5x_alloc_stripe(conf, GFP_KERNEL);
		if (!sh)
			return -ENOMEM;
		spin_lock_irq(&conf->lock);
		r5x_add_idle(conf, sh);
		spin_unlock_irq(&conf->lock);
	}

	while ((sh = r5x_take_idle(conf, nr)))
		r5x_free_stripe(conf, sh);
	return 0;
}

/*
 * md thread: add stripes when getters ran short, as md's raid5 does.
 * The allocation must not reclaim: reclaim may be waiting for writes
 * that only this thread can finish.
 */
void r5x_cache_grow(struct r5x_conf *conf)
{
	struct r5x_stripe *sh;
	int i;

	/* a peek without the lock: a request missed now wakes us again */
	if (!READ_ONCE(conf->want_more))
		return;
	/*
	 * Taken before allocating: a getter that runs short meanwhile asks
	 * for the next batch instead of being lost.
	 */
	spin_lock_irq(&conf->lock);
	conf->want_more = false;
	spin_unlock_irq(&conf->lock);

	for (i = 0; i < R5X_GROW_BATCH; i++) {
		sh = r5x_alloc_stripe(conf, GFP_NOWAIT | __GFP_NOWARN);
		if (!sh)
			break;
		spin_lock_irq(&conf->lock);
		if (!r5x_may_grow(conf)) {
			spin_unlock_irq(&conf->lock);
			r5x_free_stripe(conf, sh);
			break;
		}
		r5x_add_idle(conf, sh);
		spin_unlock_irq(&conf->lock);
	}
}

/* Memory pressure: the stripes above stripe_cache_size can go. */
static unsigned long r5x_shrink_count(struct shrinker *shrinker,
				      struct shrink_control *sc)
{
	struct r5x_conf *conf = shrinker->private_data;
	int extra = READ_ONCE(conf->total) - READ_ONCE(conf->min_stripes);

	return extra > 0 ? extra : 0;
}

static unsigned long r5x_shrink_scan(struct shrinker *shrinker,
				     struct shrink_control *sc)
{
	struct r5x_conf *conf = shrinker->private_data;
	unsigned long freed = 0;
	struct r5x_stripe *sh;

	while (freed < sc->nr_to_scan &&
	       (sh = r5x_take_idle(conf, READ_ONCE(conf->min_stripes)))) {
		r5x_free_stripe(conf, sh);
		freed++;
	}
	return freed ?: SHRINK_STOP;
}

int r5x_cache_init(struct r5x_conf *conf, int nr)
{
	int i, ret;

	conf->hash = kcalloc(1U << R5X_HASH_SHIFT, sizeof(*conf->hash),
			     GFP_KERNEL);
	if (!conf->hash)
		return -ENOMEM;
	for (i = 0; i < (1 << R5X_HASH_SHIFT); i++)
		INIT_HLIST_HEAD(&conf->hash[i]);

	snprintf(conf->slab_name, sizeof(conf->slab_name), "r5x-%s",
		 mdname(conf->mddev));
	conf->slab = kmem_cache_create(conf->slab_name,
				       struct_size_t(struct r5x_stripe, dev,
						     conf->raid_disks),
				       0, 0, NULL);
	if (!conf->slab)
		return -ENOMEM;
	ret = r5x_cache_resize(conf, nr);
	if (ret)
		return ret;

	conf->shrinker = shrinker_alloc(0, "md-raid456x:%s",
					mdname(conf->mddev));
	if (!conf->shrinker)
		return -ENOMEM;
	conf->shrinker->count_objects = r5x_shrink_count;
	conf->shrinker->scan_objects = r5x_shrink_scan;
	conf->shrinker->private_data = conf;
	shrinker_register(conf->shrinker);
	return 0;
}

/* All stripes are idle here: the thread is gone and IO has drained. */
void r5x_cache_free(struct r5x_conf *conf)
{
	struct r5x_stripe *sh, *tmp;

	/* waits for a scan in progress; none can start after it */
	if (conf->shrinker) {
		shrinker_free(conf->shrinker);
		conf->shrinker = NULL;
	}
	if (conf->slab) {
		list_for_each_entry_safe(sh, tmp, &conf->idle, lru) {
			list_del(&sh->lru);
			r5x_free_stripe(conf, sh);
		}
		WARN_ON(!list_empty(&conf->handle) ||
			!list_empty(&conf->bm_wait));
		kmem_cache_destroy(conf->slab);
		conf->slab = NULL;
	}
	kfree(conf->hash);
	conf->hash = NULL;
}
