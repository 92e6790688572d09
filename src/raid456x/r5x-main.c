// SPDX-License-Identifier: GPL-2.0
/*
 * raid456x: md RAID-4/5/6 personality registration.  The personalities take
 * md's level ids 4, 5 and 6 (md copies the id into the superblock level), so
 * the module cannot load while the in-tree raid456 holds them.
 */
/* first: it sets pr_fmt */
#include "r5x.h"

#include <linux/module.h>
#include <linux/cpuhotplug.h>
#include <linux/seq_file.h>

/*
 * The in-tree raid456 owns CPUHP_MD_RAID5_PREPARE; a dynamic state keeps
 * the two modules from fighting over one slot.
 */
enum cpuhp_state r5x_cpuhp_state;

#ifdef MDX_HAVE_BITMAP_SYNC_SIZE
static sector_t r5x_bitmap_sync_size(struct mddev *mddev, bool previous)
{
	return mddev->dev_sectors;
}

#define R5X_BITMAP_SYNC_OPS	.bitmap_sync_size = r5x_bitmap_sync_size,
#else
#define R5X_BITMAP_SYNC_OPS
#endif

#ifdef MDX_HAVE_BITMAP_ARRAY_SECTORS
/*
 * Without this llbitmap clamps array ranges to one member's size and
 * drops writes beyond it.  No reshape: "previous" is the current geometry.
 */
static sector_t r5x_bitmap_array_sectors(struct mddev *mddev, bool previous)
{
	return r5x_array_size(mddev, mddev->dev_sectors, mddev->raid_disks);
}

#define R5X_BITMAP_ARRAY_OPS	.bitmap_array_sectors = r5x_bitmap_array_sectors,
#else
#define R5X_BITMAP_ARRAY_OPS
#endif

#define R5X_PERSONALITY(lvl, nm) {					\
	.head = {							\
		.type	= MD_PERSONALITY,				\
		.id	= lvl,						\
		.name	= nm,						\
		.owner	= THIS_MODULE,					\
	},								\
	.make_request	= r5x_make_request,				\
	.run		= r5x_run,					\
	.free		= r5x_free,					\
	.status		= r5x_status,					\
	.error_handler	= r5x_error_handler,				\
	.hot_add_disk	= r5x_hot_add_disk,				\
	.hot_remove_disk = r5x_hot_remove_disk,				\
	.spare_active	= r5x_spare_active,				\
	.sync_request	= r5x_sync_request,				\
	.resize		= r5x_resize,					\
	.check_reshape	= r5x_check_reshape,				\
	.size		= r5x_array_size,				\
	.quiesce	= r5x_quiesce,					\
	.bitmap_sector	= r5x_bitmap_sector,				\
	R5X_BITMAP_SYNC_OPS						\
	R5X_BITMAP_ARRAY_OPS						\
}

static struct md_personality r5x_raid5 = R5X_PERSONALITY(ID_RAID5, "raid5");
static struct md_personality r5x_raid4 = R5X_PERSONALITY(ID_RAID4, "raid4");
static struct md_personality r5x_raid6 = R5X_PERSONALITY(ID_RAID6, "raid6");

static int r5x_register(struct md_personality *pers)
{
	int ret = register_md_submodule(&pers->head);

	if (ret == -EBUSY)
		pr_err(" RAID level %d is already provided by another personality (is the in-tree raid456 loaded?); unload it first, or keep it out with 'install raid456 /bin/false' in modprobe.d\n",
		       pers->head.id);
	else if (ret)
		pr_err(" registering level %d failed: %d\n",
		       pers->head.id, ret);
	return ret;
}

static int __init r5x_module_init(void)
{
	int ret;

	ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "md/raid456x:prepare",
				      NULL, NULL);
	if (ret < 0)
		return ret;
	r5x_cpuhp_state = ret;

	ret = r5x_register(&r5x_raid5);
	if (ret)
		goto out_cpuhp;
	ret = r5x_register(&r5x_raid4);
	if (ret)
		goto out_raid5;
	ret = r5x_register(&r5x_raid6);
	if (ret)
		goto out_raid4;
	return 0;

out_raid4:
	unregister_md_submodule(&r5x_raid4.head);
out_raid5:
	unregister_md_submodule(&r5x_raid5.head);
out_cpuhp:
	cpuhp_remove_multi_state(r5x_cpuhp_state);
	return ret;
}

static void __exit r5x_module_exit(void)
{
	unregister_md_submodule(&r5x_raid6.head);
	unregister_md_submodule(&r5x_raid4.head);
	unregister_md_submodule(&r5x_raid5.head);
	cpuhp_remove_multi_state(r5x_cpuhp_state);
}

module_init(r5x_module_init);
module_exit(r5x_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("md RAID-4/5/6 personality with its own stripe engine, out of tree");
