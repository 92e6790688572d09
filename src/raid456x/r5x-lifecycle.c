// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: array lifecycle: run and free, status, size changes and
 * quiesce.  Member failure, spares and hot add/remove: r5x-members.c.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/async_tx.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "md-bitmap.h"

/* md holds a geometry other than the one the array has now. */
static bool r5x_geometry_changes(struct mddev *mddev)
{
	return mddev->new_level != mddev->level ||
	       mddev->new_layout != mddev->layout ||
	       mddev->new_chunk_sectors != mddev->chunk_sectors ||
	       mddev->delta_disks;
}

static int r5x_check_geometry(struct mddev *mddev)
{
	const char *name = mdname(mddev);

	if (mddev_is_dm(mddev)) {
		pr_err("%s: dm-raid arrays are not supported; they need the in-tree raid456\n",
		       name);
		return -EINVAL;
	}
	if (mddev->reshape_position != MaxSector ||
	    r5x_geometry_changes(mddev)) {
		pr_err("%s: reshape is not supported; finish or revert it with the in-tree raid456\n",
		       name);
		return -EINVAL;
	}
	if (test_bit(MD_HAS_JOURNAL, &mddev->flags)) {
		pr_err("%s: write journal is not supported\n",
		       name);
		return -EINVAL;
	}
	if (test_bit(MD_HAS_PPL, &mddev->flags)) {
		pr_err("%s: partial parity log (PPL) is not supported\n",
		       name);
		return -EINVAL;
	}
	if (mddev->level != 4 && mddev->level != 5 && mddev->level != 6) {
		pr_err("%s: raid level %d is not supported\n",
		       name, mddev->level);
		return -EINVAL;
	}
	if (!r5x_layout_valid(mddev->level, mddev->layout)) {
		pr_err("%s: layout %d is not supported\n",
		       name, mddev->layout);
		return -EINVAL;
	}
	if (!mddev->chunk_sectors || !is_power_of_2(mddev->chunk_sectors) ||
	    mddev->chunk_sectors < R5X_BLK_SECTORS) {
		pr_err("%s: chunk size %d KiB is not supported\n",
		       name, mddev->chunk_sectors >> 1);
		return -EINVAL;
	}
	if (mddev->raid_disks < (mddev->level == 6 ? 4 : 2) ||
	    mddev->raid_disks > R5X_MAX_DISKS) {
		pr_err("%s: %d members are not supported for raid%d (%d..%d)\n",
		       name, mddev->raid_disks, mddev->level,
		       mddev->level == 6 ? 4 : 2, R5X_MAX_DISKS);
		return -EINVAL;
	}
	return 0;
}

static void r5x_conf_free(struct r5x_conf *conf)
{
	cancel_work_sync(&conf->retry_work);
	/* the data is on the members; nothing is left to wait for */
	r5x_release_held(conf, true);
	r5x_cache_free(conf);
	bioset_exit(&conf->read_bs);
	mempool_exit(&conf->ref_pool);
	if (conf->scratch)
		put_page(conf->scratch);
	if (conf->scratch_q)
		put_page(conf->scratch_q);
	kfree(conf->pq_ptrs);
	kfree(conf->scribble);
	kfree(conf->srcs);
	kfree(conf->disks);
	kfree(conf);
}

static struct r5x_conf *r5x_conf_alloc(struct mddev *mddev)
{
	struct r5x_conf *conf;
	struct md_rdev *rdev;
	int n = mddev->raid_disks;
	int ret = -ENOMEM;

	conf = kzalloc_obj(*conf);
	if (!conf)
		return ERR_PTR(-ENOMEM);
	conf->mddev = mddev;
	conf->level = mddev->level;
	conf->algorithm = mddev->layout;
	conf->raid_disks = n;
	conf->max_degraded = mddev->level == 6 ? 2 : 1;
	conf->data_disks = n - conf->max_degraded;
	conf->chunk_sectors = mddev->chunk_sectors;
	spin_lock_init(&conf->lock);
	spin_lock_init(&conf->retry_lock);
	INIT_LIST_HEAD(&conf->idle);
	INIT_LIST_HEAD(&conf->handle);
	INIT_LIST_HEAD(&conf->bm_wait);
	init_waitqueue_head(&conf->wait_stripe);
	init_waitqueue_head(&conf->wait_quiet);
	atomic_set(&conf->aligned_reads, 0);
	bio_list_init(&conf->retry);
	INIT_WORK(&conf->retry_work, r5x_retry_work);
	conf->bm_seq_next = 1;

	conf->disks = kcalloc(n, sizeof(*conf->disks), GFP_KERNEL);
	/* room for a destination plus every member as a source */
	conf->srcs = kcalloc(n + 2, sizeof(*conf->srcs), GFP_KERNEL);
	conf->scribble = kcalloc(n + 2, sizeof(addr_conv_t), GFP_KERNEL);
	conf->scratch = alloc_page(GFP_KERNEL);
	if (!conf->disks || !conf->srcs || !conf->scribble || !conf->scratch)
		goto fail;
	if (conf->level == 6) {
		/* every member as a syndrome block, then P and Q */
		conf->pq_ptrs = kcalloc(n + 2, sizeof(*conf->pq_ptrs),
					GFP_KERNEL);
		conf->scratch_q = alloc_page(GFP_KERNEL);
		if (!conf->pq_ptrs || !conf->scratch_q)
			goto fail;
	}

	rdev_for_each(rdev, mddev) {
		if (test_bit(Journal, &rdev->flags)) {
			pr_err("%s: write journal is not supported\n",
			       mdname(mddev));
			ret = -EINVAL;
			goto fail;
		}
		if (rdev->raid_disk < 0 || rdev->raid_disk >= n)
			continue;
		/*
		 * A member still being rebuilt that md did not record as a
		 * returning one (saved_raid_disk is -1 unless its superblock
		 * has MD_FEATURE_RECOVERY_BITMAP) was not in the array when
		 * the bitmap last called chunks clean: the bitmap cannot say
		 * what it lacks, so the recovery resumed from its
		 * recovery_offset must rebuild every block above it.
		 */
		if (!test_bit(In_sync, &rdev->flags) &&
		    rdev->saved_raid_disk != rdev->raid_disk)
			conf->fullsync = true;
		if (test_bit(Replacement, &rdev->flags)) {
			if (conf->disks[rdev->raid_disk].replacement)
				goto dup;
			conf->disks[rdev->raid_disk].replacement = rdev;
			continue;
		}
		if (conf->disks[rdev->raid_disk].rdev)
			goto dup;
		conf->disks[rdev->raid_disk].rdev = rdev;
	}

	ret = mempool_init_kmalloc_pool(&conf->ref_pool, R5X_DEF_STRIPES,
					sizeof(struct r5x_ref));
	if (ret)
		goto fail;
	ret = bioset_init(&conf->read_bs, BIO_POOL_SIZE,
			  offsetof(struct r5x_aligned, clone), 0);
	if (ret)
		goto fail;
	ret = r5x_cache_init(conf, R5X_DEF_STRIPES);
	if (ret)
		goto fail;
	return conf;

dup:
	pr_err("%s: two devices claim slot %d\n",
	       mdname(mddev), rdev->raid_disk);
	ret = -EINVAL;
fail:
	r5x_conf_free(conf);
	return ERR_PTR(ret);
}

static int r5x_set_limits(struct mddev *mddev, struct r5x_conf *conf)
{
	struct queue_limits lim;

	md_init_stacking_limits(&lim);
	lim.logical_block_size = mddev->logical_block_size;
	lim.io_min = mddev->chunk_sectors << SECTOR_SHIFT;
	lim.io_opt = lim.io_min * conf->data_disks;
	lim.features |= BLK_FEAT_RAID_PARTIAL_STRIPES_EXPENSIVE;
	lim.max_write_zeroes_sectors = 0;
	mddev_stack_rdev_limits(mddev, &lim, 0);
	if (mddev->bitmap_id == ID_LLBITMAP) {
		/* discard only marks the bitmap: see r5x_discard() */
		lim.max_hw_discard_sectors = UINT_MAX;
		lim.discard_granularity =
			roundup_pow_of_two(lim.io_opt) ?: PAGE_SIZE;
	} else {
		lim.max_hw_discard_sectors = 0;
		lim.max_user_discard_sectors = 0;
	}
	lim.max_hw_sectors = max_t(unsigned int, 2048,
				   lim.io_opt >> SECTOR_SHIFT);
	lim.max_segments = USHRT_MAX;
	return queue_limits_set(mddev->gendisk->queue, &lim);
}

int r5x_run(struct mddev *mddev)
{
	struct r5x_conf *conf;
	struct md_thread *thread;
	int ret;

	ret = r5x_check_geometry(mddev);
	if (ret)
		return ret;
	if (mddev->private) {
		pr_err("%s: takeover is not supported\n",
		       mdname(mddev));
		return -EINVAL;
	}

	conf = r5x_conf_alloc(mddev);
	if (IS_ERR(conf))
		return PTR_ERR(conf);
	mddev->private = conf;

	mddev->degraded = r5x_calc_degraded(conf);
	if (mddev->degraded > conf->max_degraded) {
		pr_crit("%s: not enough operational devices (%d/%d failed)\n",
			mdname(mddev), mddev->degraded, conf->raid_disks);
		ret = -EIO;
		goto fail;
	}
	if (mddev->degraded && mddev->resync_offset != MaxSector) {
		if (!mddev->ok_start_degraded) {
			pr_crit("%s: cannot start dirty degraded array\n",
				mdname(mddev));
			ret = -EIO;
			goto fail;
		}
		pr_crit("%s: starting dirty degraded array - data corruption possible\n",
			mdname(mddev));
	}
	if (mddev->resync_offset != MaxSector)
		pr_notice("%s: not clean -- starting background reconstruction\n",
			  mdname(mddev));

	/* members hold whole chunks only */
	mddev->dev_sectors &= ~((sector_t)mddev->chunk_sectors - 1);
	mddev->resync_max_sectors = mddev->dev_sectors;

	thread = md_register_thread(r5x_daemon, mddev, "raid5x");
	if (!thread) {
		ret = -ENOMEM;
		goto fail;
	}
	rcu_assign_pointer(mddev->thread, thread);

	ret = r5x_set_limits(mddev, conf);
	if (ret)
		goto fail_thread;

	if (mddev->to_remove == &r5x_attr_group)
		mddev->to_remove = NULL;
	else if (mddev->kobj.sd &&
		 sysfs_create_group(&mddev->kobj, &r5x_attr_group))
		pr_warn("%s: cannot create sysfs attributes\n",
			mdname(mddev));

	md_set_array_sectors(mddev, r5x_array_size(mddev, 0, 0));
	pr_info("%s: raid level %d active with %d out of %d devices, algorithm %d\n",
		mdname(mddev), mddev->level,
		mddev->raid_disks - mddev->degraded, mddev->raid_disks,
		mddev->layout);
	return 0;

fail_thread:
	md_unregister_thread(mddev, &mddev->thread);
fail:
	mddev->private = NULL;
	r5x_conf_free(conf);
	return ret;
}

/* The thread is stopped and every stripe is idle (mddev_detach). */
void r5x_free(struct mddev *mddev, void *priv)
{
	r5x_conf_free(priv);
	/* sysfs files cannot go under reconfig_mutex; md removes them later */
	mddev->to_remove = &r5x_attr_group;
}

void r5x_status(struct seq_file *seq, struct mddev *mddev)
{
	struct r5x_conf *conf = mddev->private;
	int i;

	seq_printf(seq, " level %d, %dk chunk, algorithm %d", mddev->level,
		   conf->chunk_sectors / 2, mddev->layout);
	seq_printf(seq, " [%d/%d] [", conf->raid_disks,
		   conf->raid_disks - mddev->degraded);
	rcu_read_lock();
	for (i = 0; i < conf->raid_disks; i++) {
		struct md_rdev *rdev = READ_ONCE(conf->disks[i].rdev);

		seq_puts(seq, rdev && test_bit(In_sync, &rdev->flags) ?
			 "U" : "_");
	}
	rcu_read_unlock();
	seq_puts(seq, "]");
}

/* Grow (or shrink) the used part of every member. */
int r5x_resize(struct mddev *mddev, sector_t sectors)
{
	sector_t newsize;
	int ret;

	sectors &= ~((sector_t)mddev->chunk_sectors - 1);
	newsize = r5x_array_size(mddev, sectors, mddev->raid_disks);
	if (mddev->external_size && mddev->array_sectors > newsize)
		return -EINVAL;
	if (md_bitmap_enabled(mddev, false)) {
		ret = mddev->bitmap_ops->resize(mddev, sectors, 0);
		if (ret)
			return ret;
	}
	md_set_array_sectors(mddev, newsize);
	if (sectors > mddev->dev_sectors &&
	    mddev->resync_offset > mddev->dev_sectors) {
		/* the new space has never been synced */
		mddev->resync_offset = mddev->dev_sectors;
		set_bit(MD_RECOVERY_NEEDED, &mddev->recovery);
	}
	mddev->dev_sectors = sectors;
	mddev->resync_max_sectors = sectors;
	return 0;
}

/*
 * md asks before every geometry change (more or fewer members, another
 * layout or chunk size; through mdadm or sysfs) and undoes its own fields
 * when we say no.  Without this hook md refuses with EINVAL and no word
 * in the log; an admin gets the reason and the way out instead.  A
 * request that changes nothing is not a reshape.  md calls this with
 * reconfig_mutex held, so the geometry fields cannot move under us.
 */
int r5x_check_reshape(struct mddev *mddev)
{
	if (!r5x_geometry_changes(mddev))
		return 0;
	pr_warn("%s: reshape is not supported (raid disks %d -> %d, layout %d -> %d, chunk %u -> %u KiB); assemble the array under the in-tree raid456 to reshape it\n",
		mdname(mddev), mddev->raid_disks,
		mddev->raid_disks + mddev->delta_disks, mddev->layout,
		mddev->new_layout, mddev->chunk_sectors / 2,
		mddev->new_chunk_sectors / 2);
	return -EOPNOTSUPP;
}

/*
 * quiesce(1): no new stripe work starts and every stripe and aligned read
 * has finished when this returns; quiesce(0) lets work start again.
 */
void r5x_quiesce(struct mddev *mddev, int quiesce)
{
	struct r5x_conf *conf = mddev->private;

	spin_lock_irq(&conf->lock);
	if (quiesce) {
		conf->quiesce = 1;
		wait_event_lock_irq(conf->wait_quiet,
				    !conf->active &&
				    !atomic_read(&conf->aligned_reads),
				    conf->lock);
	} else {
		conf->quiesce = 0;
		wake_up(&conf->wait_stripe);
	}
	spin_unlock_irq(&conf->lock);
}
