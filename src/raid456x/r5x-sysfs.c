// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: personality files under /sys/block/mdX/md/.  md wraps show
 * and store (md_attr_show/md_attr_store) and holds an mddev reference;
 * store also needs CAP_SYS_ADMIN.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/kstrtox.h>
#include <linux/sysfs.h>

static ssize_t r5x_cache_size_show(struct mddev *mddev, char *page)
{
	struct r5x_conf *conf;
	int ret = 0;

	/* mddev->lock keeps ->private from being freed under us */
	spin_lock(&mddev->lock);
	conf = mddev->private;
	if (conf)
		ret = sysfs_emit(page, "%d\n", READ_ONCE(conf->min_stripes));
	spin_unlock(&mddev->lock);
	return ret;
}

static ssize_t r5x_cache_size_store(struct mddev *mddev, const char *page,
				    size_t len)
{
	struct r5x_conf *conf;
	unsigned int n;
	int ret;

	ret = kstrtouint(page, 10, &n);
	if (ret)
		return ret;
	/* reconfig_mutex keeps the array (and conf) from being stopped */
	ret = mddev_lock(mddev);
	if (ret)
		return ret;
	conf = mddev->private;
	if (!conf)
		ret = -ENODEV;
	else
		ret = r5x_cache_resize(conf, n);
	mddev_unlock(mddev);
	return ret ?: len;
}

static struct md_sysfs_entry r5x_cache_size =
	__ATTR(stripe_cache_size, 0644, r5x_cache_size_show,
	       r5x_cache_size_store);

static ssize_t r5x_cache_active_show(struct mddev *mddev, char *page)
{
	struct r5x_conf *conf;
	int ret = 0;

	spin_lock(&mddev->lock);
	conf = mddev->private;
	if (conf)
		ret = sysfs_emit(page, "%d\n", READ_ONCE(conf->active));
	spin_unlock(&mddev->lock);
	return ret;
}

static struct md_sysfs_entry r5x_cache_active =
	__ATTR(stripe_cache_active, 0444, r5x_cache_active_show, NULL);

/*
 * How writes updated parity, and how often a request or the sync had to
 * sleep for a free stripe; lets tests prove which path ran.
 */
static ssize_t r5x_stats_show(struct mddev *mddev, char *page)
{
	struct r5x_conf *conf;
	int ret = 0;

	spin_lock(&mddev->lock);
	conf = mddev->private;
	if (conf)
		ret = sysfs_emit(page,
				 "rmw %llu\nrcw %llu\nfull %llu\nforced_rcw %llu\nstarved %llu\nstripes %d\n",
				 READ_ONCE(conf->stat_rmw),
				 READ_ONCE(conf->stat_rcw),
				 READ_ONCE(conf->stat_full),
				 READ_ONCE(conf->stat_forced_rcw),
				 READ_ONCE(conf->stat_starved),
				 READ_ONCE(conf->total));
	spin_unlock(&mddev->lock);
	return ret;
}

static struct md_sysfs_entry r5x_stats = __ATTR(r5x_stats, 0444,
						r5x_stats_show, NULL);

static struct attribute *r5x_attrs[] = {
	&r5x_cache_size.attr,
	&r5x_cache_active.attr,
	&r5x_stats.attr,
	NULL,
};

const struct attribute_group r5x_attr_group = {
	.name = NULL,
	.attrs = r5x_attrs,
};
