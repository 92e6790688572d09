// SPDX-License-Identifier: GPL-2.0
/*
 * md-llbitmap2: module registration (skeleton until the engine lands).
 */
#include <linux/module.h>

#include "md.h"
#include "md-bitmap.h"

static bool llb_enabled(void *data, bool flush)
{
	return false;
}

static int llb_create(struct mddev *mddev)
{
	pr_err("md-llbitmap2: %s: lockless bitmap engine not built yet\n",
	       mdname(mddev));
	return -EOPNOTSUPP;
}

static struct bitmap_operations llb_ops = {
	.head = {
		.type	= MD_BITMAP,
		.id	= ID_LLBITMAP,
		.name	= "llbitmap",
		.owner	= THIS_MODULE,
	},
	.enabled	= llb_enabled,
	.create		= llb_create,
};

static int __init llb_module_init(void)
{
	int ret = register_md_submodule(&llb_ops.head);

	if (ret == -EBUSY)
		pr_err("md-llbitmap2: bitmap id %d (llbitmap) is already registered: this kernel has CONFIG_MD_LLBITMAP=y or another llbitmap module is loaded\n",
		       ID_LLBITMAP);
	else if (ret)
		pr_err("md-llbitmap2: registering with md failed: %d\n", ret);
	return ret;
}

static void __exit llb_module_exit(void)
{
	unregister_md_submodule(&llb_ops.head);
}

module_init(llb_module_init);
module_exit(llb_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lockless md bitmap (llbitmap, on-disk version 6), out of tree");
