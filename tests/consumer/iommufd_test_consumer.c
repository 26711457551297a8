// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only consumer of the iommufd in-kernel context API.
 *
 * Each open of /dev/iommufd_test_consumer can hold one iommufd context,
 * taken from a user-supplied fd, for as long as the test wants; closing the
 * consumer's fd drops it. Built only with make TEST=1.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommufd.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "compat.h"
#include "consumer_uapi.h"

struct consumer {
	/* Protects held */
	struct mutex lock;
	struct iommufd_ctx *held;
};

static struct iommufd_ctx *consumer_ctx_from_fd(int fd)
{
	struct iommufd_ctx *ictx;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	ictx = iommufd_ctx_from_file(file);
	fput(file);
	return ictx;
}

static long consumer_hold(struct consumer *c, int fd)
{
	struct iommufd_ctx *ictx;
	long rc = 0;

	ictx = consumer_ctx_from_fd(fd);
	if (IS_ERR(ictx))
		return PTR_ERR(ictx);

	mutex_lock(&c->lock);
	if (c->held) {
		rc = -EBUSY;
	} else {
		/* A second reference, to exercise get/put pairing */
		iommufd_ctx_get(ictx);
		c->held = ictx;
		ictx = NULL;
	}
	mutex_unlock(&c->lock);
	if (ictx)
		iommufd_ctx_put(ictx);
	return rc;
}

static void consumer_drop(struct iommufd_ctx *ictx)
{
	iommufd_ctx_put(ictx);
	iommufd_ctx_put(ictx);
}

static long consumer_vfio_compat(void __user *uarg)
{
	struct consumer_vfio_compat cmd;
	struct iommufd_ctx *ictx;
	long rc;

	if (copy_from_user(&cmd, uarg, sizeof(cmd)))
		return -EFAULT;
	ictx = iommufd_ctx_from_fd(cmd.fd);
	if (IS_ERR(ictx))
		return PTR_ERR(ictx);
	switch (cmd.op) {
	case CONSUMER_COMPAT_GET_ID:
		rc = iommufd_vfio_compat_ioas_get_id(ictx, &cmd.out_ioas_id);
		if (!rc && copy_to_user(uarg, &cmd, sizeof(cmd)))
			rc = -EFAULT;
		break;
	case CONSUMER_COMPAT_CREATE:
		rc = iommufd_vfio_compat_ioas_create(ictx);
		break;
	case CONSUMER_COMPAT_SET_NO_IOMMU:
		rc = iommufd_vfio_compat_set_no_iommu(ictx);
		break;
	default:
		rc = -EOPNOTSUPP;
	}
	iommufd_ctx_put(ictx);
	return rc;
}

static long consumer_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	struct consumer *c = filp->private_data;
	struct iommufd_ctx *ictx;
	int fd;

	switch (cmd) {
	case CONSUMER_CHECK_FD:
		if (get_user(fd, (int __user *)arg))
			return -EFAULT;
		ictx = iommufd_ctx_from_fd(fd);
		if (IS_ERR(ictx))
			return PTR_ERR(ictx);
		iommufd_ctx_put(ictx);
		return 0;
	case CONSUMER_HOLD_FD:
		if (get_user(fd, (int __user *)arg))
			return -EFAULT;
		return consumer_hold(c, fd);
	case CONSUMER_VFIO_COMPAT:
		return consumer_vfio_compat((void __user *)arg);
	case CONSUMER_DROP:
		mutex_lock(&c->lock);
		ictx = c->held;
		c->held = NULL;
		mutex_unlock(&c->lock);
		if (!ictx)
			return -ENOENT;
		consumer_drop(ictx);
		return 0;
	default:
		return -ENOTTY;
	}
}

static int consumer_open(struct inode *inode, struct file *filp)
{
	struct consumer *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	mutex_init(&c->lock);
	filp->private_data = c;
	return 0;
}

static int consumer_release(struct inode *inode, struct file *filp)
{
	struct consumer *c = filp->private_data;

	if (c->held)
		consumer_drop(c->held);
	mutex_destroy(&c->lock);
	kfree(c);
	return 0;
}

static const struct file_operations consumer_fops = {
	.owner = THIS_MODULE,
	.open = consumer_open,
	.release = consumer_release,
	.unlocked_ioctl = consumer_ioctl,
};

static struct miscdevice consumer_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iommufd_test_consumer",
	.fops = &consumer_fops,
	.mode = 0600,
};
module_misc_device(consumer_misc);

MODULE_DESCRIPTION("iommufd test-only consumer of the context API");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(IOMMUFD_NS);
MODULE_IMPORT_NS(IOMMUFD_VFIO_NS);
