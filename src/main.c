// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/iommu: contexts, the object table and ioctl dispatch.
 *
 * Each open() of /dev/iommu creates an independent struct iommufd_ctx with
 * its own object table: an allocating xarray mapping IDs 1..INT_MAX to
 * objects. IDs are reserved with XA_ZERO_ENTRY while an object is built, so a
 * half-built object can neither be looked up nor destroyed, and are published
 * with xa_store() once creation can no longer fail.
 *
 * Every ioctl goes through iommufd_fops_ioctl(), which validates the user's
 * struct centrally (size, trailing bytes, copy-in) using the table of
 * struct iommufd_ioctl_op, so handlers only see a kernel copy of a struct
 * they fully understand.
 *
 * The file is the context's reference count: in-kernel users
 * (iommufd_ctx_get()/iommufd_ctx_from_file()) hold the file, and the last
 * fput() destroys every remaining object, leaves first.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kmemleak.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/iommufd.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"
#include "version.h"

#ifdef IOMMUFD_TEST
#include <uapi/linux/iommufd_test.h>
#endif

static const struct iommufd_object_ops iommufd_object_ops[IOMMUFD_OBJ_MAX] = {
	[IOMMUFD_OBJ_IOAS] = {
		.destroy = iommufd_ioas_destroy,
	},
	[IOMMUFD_OBJ_HWPT_PAGING] = {
		.destroy = iommufd_hwpt_paging_destroy,
	},
	[IOMMUFD_OBJ_HWPT_NESTED] = {
		.destroy = iommufd_hwpt_nested_destroy,
	},
	[IOMMUFD_OBJ_DEVICE] = {
		.destroy = iommufd_device_destroy,
	},
	[IOMMUFD_OBJ_ACCESS] = {
		.destroy = iommufd_access_destroy_object,
	},
	[IOMMUFD_OBJ_FAULT] = {
		.destroy = iommufd_fault_destroy,
	},
#ifdef IOMMUFD_TEST
	[IOMMUFD_OBJ_SELFTEST] = {
		.destroy = iommufd_selftest_destroy,
	},
#endif
};

static void iommufd_object_free_mem(struct iommufd_object *obj)
{
	iommufd_test_object_count(-1);
	kfree(obj);
}

struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	int rc;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	obj = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	iommufd_test_object_count(1);
	obj->type = type;
	refcount_set(&obj->shortterm_users, 1);
	/* Test builds can make it one too many, as a leaked reference would */
	refcount_set(&obj->users, 1 + iommufd_test_extra_users());

	/*
	 * Reserve an ID without making the object visible: XA_ZERO_ENTRY
	 * reads back as NULL, so lookups fail until iommufd_object_finalize().
	 */
	if (iommufd_should_fail())
		rc = -ENOMEM;
	else
		rc = xa_alloc(&ictx->objects, &obj->id, XA_ZERO_ENTRY,
			      xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (rc) {
		iommufd_object_free_mem(obj);
		return ERR_PTR(rc);
	}
	return obj;
}

/**
 * iommufd_object_finalize() - make a fully built object visible
 * @ictx: context owning the object
 * @obj: object from _iommufd_object_alloc()
 *
 * After this the object can be looked up and destroyed by ID, so the caller
 * must not touch it again without holding a reference.
 */
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj)
{
	void *old;

	/* The slot exists already, so this cannot allocate or fail */
	old = xa_store(&ictx->objects, obj->id, obj, GFP_KERNEL);
	WARN_ON(old);
}

/**
 * iommufd_object_abort() - free an object that was never published
 * @ictx: context owning the object
 * @obj: object from _iommufd_object_alloc() holding no resources
 */
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	void *old;

	old = xa_erase(&ictx->objects, obj->id);
	WARN_ON(old);
	iommufd_object_free_mem(obj);
}

/**
 * iommufd_object_abort_and_destroy() - undo a partly built object
 * @ictx: context owning the object
 * @obj: unpublished object whose destroy op can undo whatever was set up
 */
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	iommufd_object_ops[obj->type].destroy(obj);
	iommufd_object_abort(ictx, obj);
}

/**
 * iommufd_get_object() - look up a published object for the current ioctl
 * @ictx: context
 * @id: user-supplied object ID
 * @type: required type, or IOMMUFD_OBJ_ANY
 *
 * Return: the object with a shortterm reference (drop it with
 * iommufd_put_object()), or ERR_PTR(-ENOENT) if @id names no published
 * object of @type or the object is being destroyed.
 */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOENT);

	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (!obj || (type != IOMMUFD_OBJ_ANY && obj->type != type) ||
	    !refcount_inc_not_zero(&obj->shortterm_users))
		obj = ERR_PTR(-ENOENT);
	xa_unlock(&ictx->objects);
	return obj;
}

/**
 * iommufd_lock_obj() - take a shortterm reference on an object in hand
 * @ictx: context
 * @obj: object the caller knows to be allocated (e.g. under a lock that
 *	its destroy op also takes)
 *
 * Return: false if the object is being destroyed.
 */
bool iommufd_lock_obj(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	bool ret;

	xa_lock(&ictx->objects);
	ret = refcount_inc_not_zero(&obj->shortterm_users);
	xa_unlock(&ictx->objects);
	return ret;
}

/**
 * iommufd_put_object() - drop the reference of iommufd_get_object()
 * @ictx: context
 * @obj: object
 */
void iommufd_put_object(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	/* The table's own reference keeps this from reaching zero */
	refcount_dec(&obj->shortterm_users);
	if (wq_has_sleeper(&ictx->destroy_wait))
		wake_up_all(&ictx->destroy_wait);
}

/*
 * Unpublish @id if nothing but the table uses it. Both counts drop from one
 * to zero under the xarray lock, which is also what every lookup takes, so
 * no new user can appear once this succeeded and exactly one of two racing
 * destroys wins.
 */
static struct iommufd_object *iommufd_object_remove(struct iommufd_ctx *ictx,
						    u32 id)
{
	struct iommufd_object *obj;
	XA_STATE(xas, &ictx->objects, id);

	xa_lock(&ictx->objects);
	obj = xas_load(&xas);
	if (xa_is_zero(obj) || !obj) {
		obj = ERR_PTR(-ENOENT);
		goto out_unlock;
	}
	if (!refcount_dec_if_one(&obj->shortterm_users)) {
		obj = ERR_PTR(-EBUSY);
		goto out_unlock;
	}
	if (!refcount_dec_if_one(&obj->users)) {
		/* Nobody can take a shortterm reference while we hold the lock */
		refcount_set(&obj->shortterm_users, 1);
		obj = ERR_PTR(-EBUSY);
		goto out_unlock;
	}
	/*
	 * Unpublish but keep the ID reserved until the teardown is over, so it
	 * cannot name a new object while the old one is still being taken
	 * apart (e.g. before the compat IOAS pointer is cleared).
	 */
	xas_store(&xas, XA_ZERO_ENTRY);
out_unlock:
	xa_unlock(&ictx->objects);
	return obj;
}

/*
 * Destroy an object nothing can look up any more and release its ID last,
 * so the ID cannot name a new object while the old one is taken apart.
 */
static void iommufd_object_free(struct iommufd_ctx *ictx,
				struct iommufd_object *obj)
{
	u32 id = obj->id;

	iommufd_object_ops[obj->type].destroy(obj);
	iommufd_object_free_mem(obj);
	xa_erase(&ictx->objects, id);
}

/**
 * iommufd_object_destroy_owned() - destroy an object the kernel owns
 * @ictx: context
 * @obj: a published object on which the caller holds one users reference
 *
 * For objects that go away when their owner says so (a device when its
 * driver unbinds, an automatic HW page table with its last device): the
 * caller's reference is dropped and, if nothing but the table is left, the
 * object is unpublished, the ioctls using it are waited for, and it is
 * destroyed. If anything else still depends on it, it stays.
 */
void iommufd_object_destroy_owned(struct iommufd_ctx *ictx,
				  struct iommufd_object *obj)
{
	xa_lock(&ictx->objects);
	/* Owners drop their last dependents' references before this */
	if (WARN_ON(xa_load(&ictx->objects, obj->id) != obj) ||
	    WARN_ON(refcount_read(&obj->users) != 2)) {
		refcount_dec(&obj->users);
		xa_unlock(&ictx->objects);
		return;
	}
	/* Unpublished: no new lookups; the ID stays reserved until freed */
	__xa_store(&ictx->objects, obj->id, XA_ZERO_ENTRY, GFP_ATOMIC);
	xa_unlock(&ictx->objects);

	wait_event(ictx->destroy_wait,
		   refcount_read(&obj->shortterm_users) == 1);
	iommufd_object_free(ictx, obj);
}

static int iommufd_destroy_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	obj = iommufd_object_remove(ucmd->ictx, cmd->id);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	iommufd_object_free(ucmd->ictx, obj);
	return 0;
}

static int iommufd_option_rlimit_mode(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	int rc = 0;

	if (cmd->object_id)
		return -EOPNOTSUPP;

	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = READ_ONCE(ictx->account_mode) == IOMMUFD_ACCOUNT_MM;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;

	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;

	/*
	 * Every object, even one still being built, occupies a slot, and slots
	 * are only reserved under this lock: no object can miss the change.
	 */
	xa_lock(&ictx->objects);
	if (!xa_empty(&ictx->objects))
		rc = -EBUSY;
	else if (cmd->val64 == 0)
		WRITE_ONCE(ictx->account_mode, IOMMUFD_ACCOUNT_USER);
	else if (cmd->val64 == 1)
		WRITE_ONCE(ictx->account_mode, IOMMUFD_ACCOUNT_MM);
	else
		rc = -EINVAL;
	xa_unlock(&ictx->objects);
	return rc;
}

static int iommufd_option_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = iommufd_option_rlimit_mode(ucmd);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = iommufd_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;

	/* Only val64 is written back, for SET as well as GET */
	if (copy_to_user(ucmd->ubuffer + offsetof(struct iommu_option, val64),
			 &cmd->val64, sizeof(cmd->val64)))
		return -EFAULT;
	return 0;
}

/* Big enough for every command's struct; checked by IOCTL_OP() */
union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_fault_alloc fault;
	struct iommu_hw_info info;
	struct iommu_hwpt_alloc hwpt;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate cache;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_ioas_alloc alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
#ifdef IOMMUFD_TEST
	struct iommu_test_cmd test;
#endif
};

struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	int (*execute)(struct iommufd_ucmd *ucmd);
};

/*
 * One slot per command number. Every iommufd command is _IO(';', nr), so the
 * number alone names the slot and the full value is checked against that.
 * An empty slot (a number between two commands) answers ENOTTY, as numbers
 * outside the ABI do. min_size is the end of the last field every caller
 * must supply; fields after it were added later and read as zero when
 * absent.
 */
#define IOCTL_OP(_ioctl, _fn, _struct, _last)                                  \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                               \
		.size = sizeof(_struct) +                                      \
			BUILD_BUG_ON_ZERO(sizeof(union ucmd_buffer) <          \
					  sizeof(_struct)),                    \
		.min_size = offsetofend(_struct, _last),                       \
		.execute = _fn,                                                \
	}
/* The same with the minimum size given as a number */
#define IOCTL_OP_MIN(_ioctl, _fn, _struct, _min_size)                         \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                               \
		.size = sizeof(_struct) +                                      \
			BUILD_BUG_ON_ZERO(sizeof(union ucmd_buffer) <          \
					  sizeof(_struct)),                    \
		.min_size = _min_size,                                         \
		.execute = _fn,                                                \
	}
static const struct iommufd_ioctl_op iommufd_ioctl_ops[] = {
	IOCTL_OP(IOMMU_DESTROY, iommufd_destroy_ioctl, struct iommu_destroy, id),
	IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, iommufd_fault_alloc_ioctl,
		 struct iommu_fault_alloc, out_fault_fd),
	IOCTL_OP(IOMMU_GET_HW_INFO, iommufd_get_hw_info_ioctl,
		 struct iommu_hw_info, __reserved),
	IOCTL_OP(IOMMU_HWPT_ALLOC, iommufd_hwpt_alloc_ioctl,
		 struct iommu_hwpt_alloc, __reserved),
	IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP,
		 iommufd_hwpt_get_dirty_bitmap_ioctl,
		 struct iommu_hwpt_get_dirty_bitmap, data),
	IOCTL_OP(IOMMU_HWPT_INVALIDATE, iommufd_hwpt_invalidate_ioctl,
		 struct iommu_hwpt_invalidate, __reserved),
	IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING,
		 iommufd_hwpt_set_dirty_tracking_ioctl,
		 struct iommu_hwpt_set_dirty_tracking, __reserved),
	IOCTL_OP(IOMMU_IOAS_ALLOC, iommufd_ioas_alloc_ioctl,
		 struct iommu_ioas_alloc, out_ioas_id),
	IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, iommufd_ioas_allow_iovas_ioctl,
		 struct iommu_ioas_allow_iovas, allowed_iovas),
	IOCTL_OP(IOMMU_IOAS_COPY, iommufd_ioas_copy_ioctl, struct iommu_ioas_copy,
		 src_iova),
	IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges_ioctl,
		 struct iommu_ioas_iova_ranges, out_iova_alignment),
	IOCTL_OP(IOMMU_IOAS_MAP, iommufd_ioas_map_ioctl, struct iommu_ioas_map, iova),
	IOCTL_OP(IOMMU_IOAS_UNMAP, iommufd_ioas_unmap_ioctl, struct iommu_ioas_unmap,
		 length),
	IOCTL_OP(IOMMU_OPTION, iommufd_option_ioctl, struct iommu_option, val64),
	IOCTL_OP(IOMMU_VFIO_IOAS, iommufd_vfio_ioas_ioctl, struct iommu_vfio_ioas,
		 __reserved),
#ifdef IOMMUFD_TEST
	/* Every generation of test programs: see iommufd_test_ioctl() */
	IOCTL_OP_MIN(IOMMU_TEST_CMD, iommufd_test_ioctl, struct iommu_test_cmd,
		     IOMMUFD_TEST_CMD_MIN_SIZE),
#endif
};

static long iommufd_fops_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	struct iommufd_ctx *ictx = filp->private_data;
	const struct iommufd_ioctl_op *op;
	struct iommufd_ucmd ucmd = {};
	union ucmd_buffer buf;
	unsigned int nr;
	int rc;

	/* Numbers outside the table belong to the VFIO type1 compat layer */
	nr = _IOC_NR(cmd);
	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= ARRAY_SIZE(iommufd_ioctl_ops))
		return iommufd_vfio_ioctl(ictx, cmd, arg);

	/* The size is read before the command is checked: bad pointers fault */
	ucmd.ictx = ictx;
	ucmd.ubuffer = (void __user *)arg;
	rc = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (rc)
		return rc;

	op = &iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	if (cmd != _IO(IOMMUFD_TYPE, nr) || !op->execute)
		return -ENOTTY;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	rc = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				   ucmd.user_size);
	if (rc)
		return rc;
	return op->execute(&ucmd);
}

static int iommufd_fops_open(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx;

	ictx = kzalloc(sizeof(*ictx), GFP_KERNEL_ACCOUNT);
	if (!ictx)
		return -ENOMEM;

	xa_init_flags(&ictx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	init_waitqueue_head(&ictx->destroy_wait);
	mutex_init(&ictx->compat_lock);
	mutex_init(&ictx->groups_lock);
	INIT_LIST_HEAD(&ictx->groups);
	ictx->account_mode = IOMMUFD_ACCOUNT_USER;
	ictx->file = filp;
	filp->private_data = ictx;
	return 0;
}

/*
 * Destroy every object that nothing else depends on, and repeat until the
 * table is empty. The dependency graph is acyclic, so each pass makes
 * progress unless a users count is wrong. Returns false if objects are left.
 */
static bool iommufd_destroy_all(struct iommufd_ctx *ictx)
{
	struct iommufd_object *obj;
	unsigned long index, left = 0;
	bool progress;

	do {
		progress = false;
		xa_for_each(&ictx->objects, index, obj) {
			if (!refcount_dec_if_one(&obj->users))
				continue;
			progress = true;
			iommufd_object_free(ictx, obj);
			cond_resched();
		}
	} while (progress);

	if (xa_empty(&ictx->objects))
		return true;

	/*
	 * A users count is wrong: whatever holds the extra references may
	 * still use these objects. Report it and leak them, and the context
	 * they point to, rather than free what may be in use.
	 */
	xa_for_each(&ictx->objects, index, obj)
		left++;
	WARN(1, "iommufd: %lu objects left with users at release, leaked\n",
	     left);
	iommufd_test_objects_leaked(left);
	/* Reported above; kmemleak need not report the context and its table */
	kmemleak_not_leak(ictx);
	return false;
}

static int iommufd_fops_release(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx = filp->private_data;

	if (!iommufd_destroy_all(ictx))
		return 0;
	xa_destroy(&ictx->objects);
	mutex_destroy(&ictx->compat_lock);
	/* Bound devices hold the context: none can be left */
	WARN_ON(!list_empty(&ictx->groups));
	mutex_destroy(&ictx->groups_lock);
	kfree(ictx);
	return 0;
}

static const struct file_operations iommufd_fops = {
	.owner = THIS_MODULE,
	.open = iommufd_fops_open,
	.release = iommufd_fops_release,
	.unlocked_ioctl = iommufd_fops_ioctl,
};

/**
 * iommufd_ctx_get() - take a reference on an iommufd context
 * @ictx: context the caller already holds a reference on
 *
 * The context, and every object in it, stays alive until the matching
 * iommufd_ctx_put(), even if userspace closes all its file descriptors.
 */
void iommufd_ctx_get(struct iommufd_ctx *ictx)
{
	get_file(ictx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_get, IOMMUFD_NS);

/**
 * iommufd_ctx_from_file() - get the iommufd context behind a file
 * @file: a file the caller holds a reference on, e.g. from fget()
 *
 * The caller keeps its own reference on @file; the returned context carries
 * a new reference that must be dropped with iommufd_ctx_put().
 *
 * Return: the context, or ERR_PTR(-EBADFD) if @file is not /dev/iommu.
 */
struct iommufd_ctx *iommufd_ctx_from_file(struct file *file)
{
	struct iommufd_ctx *ictx;

	if (file->f_op != &iommufd_fops)
		return ERR_PTR(-EBADFD);
	ictx = file->private_data;
	iommufd_ctx_get(ictx);
	return ictx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_file, IOMMUFD_NS);

/**
 * iommufd_ctx_from_fd() - get the iommufd context behind a file descriptor
 * @fd: a file descriptor of the calling process
 *
 * Return: the context with a new reference (drop it with iommufd_ctx_put()),
 * ERR_PTR(-EBADF) if @fd is not open, or ERR_PTR(-EBADFD) if it is not
 * /dev/iommu.
 */
struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &iommufd_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	/* Our file reference becomes the context reference */
	return file->private_data;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_from_fd, IOMMUFD_NS);

/**
 * iommufd_ctx_put() - drop a reference on an iommufd context
 * @ictx: context from iommufd_ctx_get() or iommufd_ctx_from_file()
 *
 * Dropping the last reference destroys every object of the context.
 */
void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
	fput(ictx->file);
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_put, IOMMUFD_NS);

static struct miscdevice iommufd_misc_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iommu",
	.fops = &iommufd_fops,
	.nodename = "iommu",
	.mode = 0660,
};

static int __init iommufd_init(void)
{
	return misc_register(&iommufd_misc_dev);
}

static void __exit iommufd_exit(void)
{
	misc_deregister(&iommufd_misc_dev);
}

module_init(iommufd_init);
module_exit(iommufd_exit);

MODULE_DESCRIPTION("IOMMUFD: userspace control of IOMMU IO page tables");
MODULE_LICENSE("GPL");
MODULE_VERSION(IOMMUFD_VERSION);
