// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: /sys/block/mdX/md/llbitmap/.
 *
 * md calls these through md_attr_show/md_attr_store, which hold a
 * reference on the mddev (and require CAP_SYS_ADMIN to store).  The bitmap
 * may be created or destroyed under us, so every handler looks at
 * mddev->bitmap only with bitmap_info.mutex held; create and destroy
 * change the pointer under that mutex.
 */
/* first: it sets pr_fmt */
#include "llb.h"

#include <linux/kernel.h>
#include <linux/sysfs.h>

static const char * const llb_state_names[LLB_NR_STATES] = {
	[LLB_UNWRITTEN]		= "unwritten",
	[LLB_CLEAN]		= "clean",
	[LLB_DIRTY]		= "dirty",
	[LLB_NEEDSYNC]		= "need sync",
	[LLB_SYNCING]		= "syncing",
	[LLB_NEEDSYNC_UNW]	= "need sync unwritten",
	[LLB_SYNCING_UNW]	= "syncing unwritten",
	[LLB_CLEAN_UNW]		= "clean unwritten",
};

static ssize_t llb_bits_show(struct mddev *mddev, char *page)
{
	unsigned long count[LLB_NR_STATES];
	struct llb *b;
	ssize_t len = 0;
	int i;

	mutex_lock(&mddev->bitmap_info.mutex);
	b = mddev->bitmap;
	if (!b || !b->npages) {
		mutex_unlock(&mddev->bitmap_info.mutex);
		return sysfs_emit(page, "no bitmap\n");
	}
	if (test_bit(BITMAP_WRITE_ERROR, &b->flags)) {
		mutex_unlock(&mddev->bitmap_info.mutex);
		return sysfs_emit(page, "bitmap io error\n");
	}
	llb_count_states(b, count);
	mutex_unlock(&mddev->bitmap_info.mutex);

	for (i = 0; i < LLB_NR_STATES; i++)
		len += sysfs_emit_at(page, len, "%s %lu\n", llb_state_names[i],
				     count[i]);
	return len;
}

static ssize_t llb_metadata_show(struct mddev *mddev, char *page)
{
	struct llb *b;
	ssize_t len;

	mutex_lock(&mddev->bitmap_info.mutex);
	b = mddev->bitmap;
	if (!b)
		len = sysfs_emit(page, "no bitmap\n");
	else
		len = sysfs_emit(page,
				 "chunksize %lu\nchunkshift %lu\nchunks %lu\noffset %lld\ndaemon_sleep %lu\n",
				 b->chunksize, b->chunkshift, b->nchunks,
				 (long long)mddev->bitmap_info.offset,
				 mddev->bitmap_info.daemon_sleep);
	mutex_unlock(&mddev->bitmap_info.mutex);
	return len;
}

/*
 * Parse a number of seconds in [1, LLB_MAX_SECONDS].  md's in-tree code
 * takes 0 for daemon_sleep, which its own superblock check then refuses
 * at the next assembly; every out-of-range value is -EINVAL here.
 */
static int llb_parse_seconds(const char *buf, unsigned long *val)
{
	unsigned int v;

	if (kstrtouint(buf, 10, &v) || v < 1 || v > LLB_MAX_SECONDS)
		return -EINVAL;
	*val = v;
	return 0;
}

static ssize_t llb_daemon_sleep_show(struct mddev *mddev, char *page)
{
	return sysfs_emit(page, "%lu\n", mddev->bitmap_info.daemon_sleep);
}

static ssize_t llb_daemon_sleep_store(struct mddev *mddev, const char *buf,
				      size_t len)
{
	unsigned long v;
	int err = llb_parse_seconds(buf, &v);

	if (err)
		return err;
	mutex_lock(&mddev->bitmap_info.mutex);
	if (!mddev->bitmap) {
		err = -ENODEV;
	} else {
		mddev->bitmap_info.daemon_sleep = v;
		/*
		 * Our header is md's to write: md_update_sb() calls
		 * llb_update_sb() under reconfig_mutex, with mddev->events
		 * already advanced.  Written from here it raced with that
		 * update (a header with the older events count could land
		 * last, and the next assembly would resync every written
		 * chunk).  Taking reconfig_mutex here is no better: md
		 * removes this attribute group with that mutex held and
		 * waits for us to leave.  So ask md for a superblock update,
		 * as its own bitmap/location store does; a read-only array
		 * gets it with its next update.
		 */
		if (md_is_rdwr(mddev)) {
			set_mask_bits(&mddev->sb_flags, 0,
				      BIT(MD_SB_CHANGE_DEVS) |
				      BIT(MD_SB_CHANGE_PENDING));
			md_wakeup_thread(mddev->thread);
		}
	}
	mutex_unlock(&mddev->bitmap_info.mutex);
	/*
	 * Return once it is written, as before.  Bounded, because a stop
	 * holding reconfig_mutex (so the md thread cannot update) first
	 * writes the superblock itself, then waits for this store to end.
	 */
	if (err)
		return err;
	wait_event_interruptible_timeout(mddev->sb_wait,
					 !test_bit(MD_SB_CHANGE_PENDING,
						   &mddev->sb_flags),
					 5 * HZ);
	return len;
}

static ssize_t llb_barrier_idle_show(struct mddev *mddev, char *page)
{
	struct llb *b;
	ssize_t len;

	mutex_lock(&mddev->bitmap_info.mutex);
	b = mddev->bitmap;
	len = b ? sysfs_emit(page, "%lu\n", b->barrier_idle) :
		  sysfs_emit(page, "no bitmap\n");
	mutex_unlock(&mddev->bitmap_info.mutex);
	return len;
}

static ssize_t llb_barrier_idle_store(struct mddev *mddev, const char *buf,
				      size_t len)
{
	unsigned long v;
	struct llb *b;
	int err = llb_parse_seconds(buf, &v);

	if (err)
		return err;
	mutex_lock(&mddev->bitmap_info.mutex);
	b = mddev->bitmap;
	if (!b)
		err = -ENODEV;
	else
		WRITE_ONCE(b->barrier_idle, v);
	mutex_unlock(&mddev->bitmap_info.mutex);
	return err ?: len;
}

/*
 * Build parity for every Unwritten chunk of a RAID-4/5/6 array.  The
 * request is recorded before we return; if the array is only waiting for
 * md to recover a member it already has (right after create), it is
 * applied when the array is whole, by the kicker.  An array that cannot
 * become whole gets -EBUSY and no state changes.
 */
static ssize_t llb_proactive_store(struct mddev *mddev, const char *buf,
				   size_t len)
{
	struct llb *b;
	int err = 0;

	if (!raid_is_456(mddev))
		return -EINVAL;

	mutex_lock(&mddev->bitmap_info.mutex);
	b = mddev->bitmap;
	if (!b || !b->npages) {
		err = -ENODEV;
	} else if (!md_is_rdwr(mddev) && mddev->ro != MD_AUTO_READ) {
		pr_warn("%s: proactive_sync refused: the array is read-only\n",
			mdname(mddev));
		err = -EROFS;
	} else if (llb_reshaping(b) || mddev->reshape_position != MaxSector) {
		pr_warn("%s: proactive_sync refused: a reshape is in progress; every chunk is treated as written until it ends\n",
			mdname(mddev));
		err = -EBUSY;
	} else if (!llb_can_heal(mddev)) {
		pr_warn("%s: proactive_sync refused: the array is degraded, parity cannot be built until a member is added\n",
			mdname(mddev));
		err = -EBUSY;
	} else {
		llb_proactive_request(b);
		/* durable before we say yes, unless md must heal the array first */
		if (!READ_ONCE(mddev->degraded) && md_is_rdwr(mddev))
			llb_proactive_apply(b);
		pr_info("%s: proactive parity build requested\n", mdname(mddev));
	}
	mutex_unlock(&mddev->bitmap_info.mutex);
	return err ?: len;
}

static struct md_sysfs_entry llb_attr_bits =
	__ATTR(bits, 0444, llb_bits_show, NULL);
static struct md_sysfs_entry llb_attr_metadata =
	__ATTR(metadata, 0444, llb_metadata_show, NULL);
static struct md_sysfs_entry llb_attr_daemon_sleep =
	__ATTR(daemon_sleep, 0644, llb_daemon_sleep_show,
	       llb_daemon_sleep_store);
static struct md_sysfs_entry llb_attr_barrier_idle =
	__ATTR(barrier_idle, 0644, llb_barrier_idle_show,
	       llb_barrier_idle_store);
static struct md_sysfs_entry llb_attr_proactive =
	__ATTR(proactive_sync, 0200, NULL, llb_proactive_store);

static struct attribute *llb_attrs[] = {
	&llb_attr_bits.attr,
	&llb_attr_metadata.attr,
	&llb_attr_daemon_sleep.attr,
	&llb_attr_barrier_idle.attr,
	&llb_attr_proactive.attr,
	NULL,
};

/* md takes the array or, on older md, the single group (compat.h) */
struct attribute_group llb_group = {
	.name	= "llbitmap",
	.attrs	= llb_attrs,
};

const struct attribute_group *llb_groups[] = {
	&llb_group,
	NULL,
};
