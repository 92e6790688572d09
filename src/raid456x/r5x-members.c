// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: the array's members: the degraded count, member failure
 * (md's error_handler), hot add and remove of members and replacements,
 * and spares becoming active.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

/* Members that cannot serve the whole array: missing, failed, rebuilding. */
int r5x_calc_degraded(struct r5x_conf *conf)
{
	int i, degraded = 0;

	rcu_read_lock();
	for (i = 0; i < conf->raid_disks; i++) {
		struct md_rdev *rdev = READ_ONCE(conf->disks[i].rdev);
		struct md_rdev *repl = READ_ONCE(conf->disks[i].replacement);

		/* a replacement that finished covers for a failed member */
		if ((!rdev || test_bit(Faulty, &rdev->flags)) && repl &&
		    !test_bit(Faulty, &repl->flags) &&
		    test_bit(In_sync, &repl->flags))
			continue;
		if (!rdev || test_bit(Faulty, &rdev->flags) ||
		    !test_bit(In_sync, &rdev->flags))
			degraded++;
	}
	rcu_read_unlock();
	return degraded;
}

/* May run in bio completion: irq-safe, no sleeping. */
void r5x_error_handler(struct mddev *mddev, struct md_rdev *rdev)
{
	struct r5x_conf *conf = mddev->private;
	unsigned long flags;

	pr_crit("%s: disk failure on %pg, disabling device\n",
		mdname(mddev), rdev->bdev);

	spin_lock_irqsave(&conf->lock, flags);
	set_bit(Faulty, &rdev->flags);
	clear_bit(In_sync, &rdev->flags);
	mddev->degraded = r5x_calc_degraded(conf);
	spin_unlock_irqrestore(&conf->lock, flags);

	if (mddev->degraded > conf->max_degraded) {
		set_bit(MD_BROKEN, &mddev->flags);
		pr_crit("%s: cannot continue operation (%d/%d failed)\n",
			mdname(mddev), mddev->degraded, conf->raid_disks);
	} else {
		pr_crit("%s: operation continuing on %d devices\n",
			mdname(mddev), conf->raid_disks - mddev->degraded);
	}
	set_bit(MD_RECOVERY_INTR, &mddev->recovery);
	/* md clears Blocked once the superblock records the failure */
	set_bit(Blocked, &rdev->flags);
	set_mask_bits(&mddev->sb_flags, 0,
		      BIT(MD_SB_CHANGE_DEVS) | BIT(MD_SB_CHANGE_PENDING));
}

int r5x_hot_add_disk(struct mddev *mddev, struct md_rdev *rdev)
{
	struct r5x_conf *conf = mddev->private;
	int first = 0, last = conf->raid_disks - 1;
	int disk;

	if (test_bit(Journal, &rdev->flags))
		return -EINVAL;
	if (rdev->saved_raid_disk < 0 && mddev->degraded > conf->max_degraded)
		return -EINVAL;	/* nothing left to rebuild from */
	if (rdev->raid_disk >= 0) {
		first = rdev->raid_disk;
		last = first;
	}
	/* a returning member goes back to its slot: the bitmap knows it */
	if (rdev->saved_raid_disk >= first && rdev->saved_raid_disk <= last &&
	    !conf->disks[rdev->saved_raid_disk].rdev)
		first = rdev->saved_raid_disk;

	for (disk = first; disk <= last; disk++) {
		if (conf->disks[disk].rdev)
			continue;
		clear_bit(In_sync, &rdev->flags);
		rdev->raid_disk = disk;
		if (rdev->saved_raid_disk != disk)
			conf->fullsync = true;
		WRITE_ONCE(conf->disks[disk].rdev, rdev);
		return 0;
	}
	/* no free slot: take over from a member that wants replacing */
	for (disk = first; disk <= last; disk++) {
		struct md_rdev *cur = conf->disks[disk].rdev;

		if (!cur || !test_bit(WantReplacement, &cur->flags) ||
		    conf->disks[disk].replacement)
			continue;
		clear_bit(In_sync, &rdev->flags);
		set_bit(Replacement, &rdev->flags);
		rdev->raid_disk = disk;
		conf->fullsync = true;
		WRITE_ONCE(conf->disks[disk].replacement, rdev);
		return 0;
	}
	return -EEXIST;
}

int r5x_hot_remove_disk(struct mddev *mddev, struct md_rdev *rdev)
{
	struct r5x_conf *conf = mddev->private;
	int number = rdev->raid_disk;
	struct r5x_disk *p;
	struct md_rdev **slot;

	if (number < 0 || number >= conf->raid_disks)
		return 0;
	p = &conf->disks[number];
	if (p->rdev == rdev)
		slot = &p->rdev;
	else if (p->replacement == rdev)
		slot = &p->replacement;
	else
		return 0;
	if (test_bit(In_sync, &rdev->flags) ||
	    atomic_read(&rdev->nr_pending))
		return -EBUSY;
	/*
	 * A member that is not Faulty stays while recovery can use it,
	 * unless its replacement is taking over.
	 */
	if (!test_bit(Faulty, &rdev->flags) &&
	    mddev->degraded <= conf->max_degraded &&
	    (!p->replacement || p->replacement == rdev))
		return -EBUSY;
	WRITE_ONCE(*slot, NULL);
	/* IO paths read the slot under RCU: let them finish with it */
	synchronize_rcu();
	if (atomic_read(&rdev->nr_pending)) {
		WRITE_ONCE(*slot, rdev);
		return -EBUSY;
	}
	if (slot == &p->rdev && p->replacement) {
		/* the replacement becomes the member */
		WRITE_ONCE(p->rdev, p->replacement);
		clear_bit(Replacement, &p->replacement->flags);
		WRITE_ONCE(p->replacement, NULL);
	}
	clear_bit(WantReplacement, &rdev->flags);
	return 0;
}

int r5x_spare_active(struct mddev *mddev)
{
	struct r5x_conf *conf = mddev->private;
	unsigned long flags;
	int i, count = 0;

	for (i = 0; i < conf->raid_disks; i++) {
		struct md_rdev *rdev = conf->disks[i].rdev;
		struct md_rdev *repl = conf->disks[i].replacement;

		if (repl && READ_ONCE(repl->recovery_offset) == MaxSector &&
		    !test_bit(Faulty, &repl->flags) &&
		    !test_and_set_bit(In_sync, &repl->flags)) {
			/* the replacement is complete: retire the old member */
			if (!rdev || !test_and_clear_bit(In_sync, &rdev->flags))
				count++;
			if (rdev) {
				/* not broken, but it must never come back */
				set_bit(Faulty, &rdev->flags);
				sysfs_notify_dirent_safe(rdev->sysfs_state);
			}
			sysfs_notify_dirent_safe(repl->sysfs_state);
			continue;
		}
		if (rdev && READ_ONCE(rdev->recovery_offset) == MaxSector &&
		    !test_bit(Faulty, &rdev->flags) &&
		    !test_and_set_bit(In_sync, &rdev->flags)) {
			count++;
			sysfs_notify_dirent_safe(rdev->sysfs_state);
		}
	}
	spin_lock_irqsave(&conf->lock, flags);
	mddev->degraded = r5x_calc_degraded(conf);
	spin_unlock_irqrestore(&conf->lock, flags);
	return count;
}
