/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private definitions shared by the files of iommufd.ko.
 *
 * Every object userspace can name (IOAS, HW page tables, devices, accesses,
 * fault queues, and the test build's SELFTEST objects) embeds a struct
 * iommufd_object as its first member.
 * The object lives in the per-context xarray under its ID.
 *
 * Life of an object:
 *   iommufd_object_alloc()     ID reserved, slot holds XA_ZERO_ENTRY: lookups
 *                              and IOMMU_DESTROY see nothing
 *   ...fill in, may fail...    failure -> iommufd_object_abort[_and_destroy]()
 *   iommufd_ucmd_respond()     write-back to userspace, may fail -> abort
 *   iommufd_object_finalize()  publish: the slot now holds the object
 *
 * Two counts guard a published object:
 *   @users           one for the object table, plus one per long-lived
 *                    dependency (e.g. a HW page table on its IOAS). While it
 *                    is above one, IOMMU_DESTROY fails with EBUSY.
 *   @shortterm_users one for the object table, plus one per ioctl currently
 *                    using the object (iommufd_get_object()). Taken only under
 *                    the xarray lock and only while non-zero, so dropping it
 *                    from one to zero under that lock makes the object
 *                    unreachable atomically. Also EBUSY for IOMMU_DESTROY;
 *                    in-kernel destroys wait for it instead.
 */
#ifndef IOMMUFD_PRIVATE_H
#define IOMMUFD_PRIVATE_H

#include <linux/iommufd.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "compat.h"
#include "io_pagetable.h"

struct iommufd_ioas;

enum iommufd_account_mode {
	IOMMUFD_ACCOUNT_USER,	/* per-user locked_vm (the default) */
	IOMMUFD_ACCOUNT_MM,	/* mm->locked_vm, like VFIO type1 */
};

struct iommufd_ctx {
	struct file *file;
	struct xarray objects;
	/* Woken whenever a shortterm_users count drops */
	wait_queue_head_t destroy_wait;
	/* Protected by the objects xarray lock, see iommufd_option_rlimit_mode() */
	enum iommufd_account_mode account_mode;

	/* Protects vfio_ioas and no_iommu */
	struct mutex compat_lock;
	/* The IOAS the VFIO type1 ioctls operate on; not a reference */
	struct iommufd_ioas *vfio_ioas;
	/* VFIO uses the context for no-iommu devices: no compat IOAS then */
	bool no_iommu;

	/* Protects groups: IOMMU groups with devices bound (iommu_dev.c) */
	struct mutex groups_lock;
	struct list_head groups;
};

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_ACCESS,
	IOMMUFD_OBJ_FAULT,
#ifdef IOMMUFD_TEST
	IOMMUFD_OBJ_SELFTEST,
#endif
	IOMMUFD_OBJ_MAX,
};

struct iommufd_object {
	refcount_t shortterm_users;
	refcount_t users;
	enum iommufd_object_type type;
	u32 id;
};

/* Per-type operations, indexed by enum iommufd_object_type */
struct iommufd_object_ops {
	/* Release everything the object holds; must not fail */
	void (*destroy)(struct iommufd_object *obj);
};

/* One ioctl call, as handed to every handler by the dispatcher */
struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/**
 * iommufd_ucmd_respond() - copy the command struct back to userspace
 * @ucmd: the call
 * @cmd_len: size of the kernel's struct for this command
 *
 * Writes min(user size, @cmd_len) bytes from offset 0: an older, shorter
 * struct gets the part it knows, a newer, longer one keeps its tail.
 *
 * Return: 0, or -EFAULT if the user memory cannot be written.
 */
static inline int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd,
				       size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type);
bool iommufd_lock_obj(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_put_object(struct iommufd_ctx *ictx, struct iommufd_object *obj);

struct iommufd_object *_iommufd_object_alloc(struct iommufd_ctx *ictx,
					     size_t size,
					     enum iommufd_object_type type);
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_destroy_owned(struct iommufd_ctx *ictx,
				  struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj);

/*
 * Allocate a @type (e.g. struct iommufd_ioas) whose embedded struct
 * iommufd_object must come first, so an ERR_PTR passes through container_of().
 */
#define iommufd_object_alloc(ictx, type, obj_type)                             \
	container_of(_iommufd_object_alloc(ictx,                               \
					   sizeof(type) +                      \
						   BUILD_BUG_ON_ZERO(          \
							   offsetof(type, obj)), \
					   obj_type),                          \
		     type, obj)

/*
 * Test builds count and inspect what production builds cannot show (and
 * fail allocation points on demand: iommufd_should_fail(), io_pagetable.h);
 * production builds compile it all away.
 */
#ifdef IOMMUFD_TEST
void iommufd_test_object_count(int delta);
int iommufd_test_add_sw_msi(struct list_head *regions);
void iommufd_test_msi_cookies(int delta);
int iommufd_test_extra_users(void);
void iommufd_test_objects_leaked(unsigned long n);
#else
static inline void iommufd_test_object_count(int delta)
{
}

/* Test builds can give real devices a software MSI window */
static inline int iommufd_test_add_sw_msi(struct list_head *regions)
{
	return 0;
}

static inline void iommufd_test_msi_cookies(int delta)
{
}

/* Test builds can give an object a users reference too many */
static inline int iommufd_test_extra_users(void)
{
	return 0;
}

static inline void iommufd_test_objects_leaked(unsigned long n)
{
}
#endif

/*
 * IOMMU_IOAS_COPY with neither READABLE nor WRITEABLE: EINVAL since 6.11,
 * but the 6.2 selftests copy with FIXED_IOVA alone and expect success, so
 * test builds accept it as 6.2 did
 */
static inline bool iommufd_test_copy_no_prot(void)
{
#ifdef IOMMUFD_TEST
	return true;
#else
	return false;
#endif
}

/* ioas.c */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct io_pagetable iopt;
	/* Protects hwpt_list and the devices attached to those HWPTs */
	struct mutex mutex;
	struct list_head hwpt_list;
};

static inline struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx,
						    u32 id)
{
	return container_of(iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS),
			    struct iommufd_ioas, obj);
}

struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx);
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_ioas_destroy(struct iommufd_object *obj);
int iommufd_ioas_iova_ranges_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_option(struct iommufd_ucmd *ucmd);

/*
 * hw_pagetable.c: HW page tables, what devices attach to: a domain (an
 * IOMMU page table) of one of two kinds
 */
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	struct iopt_domain *domain;
	/* Where its devices' I/O page faults go, or NULL; a users reference */
	struct iommufd_fault *fault;
};

/* A domain loaded with the mappings of an IOAS */
struct iommufd_hwpt_paging {
	struct iommufd_hw_pagetable common;
	struct iommufd_ioas *ioas;
	/* Created by attaching to an IOAS; freed with its last device */
	bool auto_domain;
	bool domain_added;
	/* IOMMU_HWPT_ALLOC_NEST_PARENT */
	bool nest_parent;
	/* Protected by ioas->mutex; on ioas->hwpt_list while usable */
	unsigned int num_devices;
	struct list_head hwpt_item;
};

/*
 * A domain whose stage 1 userspace manages (driver data from
 * IOMMU_HWPT_ALLOC), translating through its parent's: the IOAS of the
 * parent is what its devices reach
 */
struct iommufd_hwpt_nested {
	struct iommufd_hw_pagetable common;
	struct iommufd_hwpt_paging *parent;
};

static inline bool hwpt_is_paging(struct iommufd_hw_pagetable *hwpt)
{
	return hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING;
}

static inline struct iommufd_hwpt_paging *
to_hwpt_paging(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_paging, common);
}

static inline struct iommufd_hwpt_nested *
to_hwpt_nested(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_nested, common);
}

/* The IOAS whose mappings a HW page table's devices reach */
static inline struct iommufd_ioas *
iommufd_hwpt_ioas(struct iommufd_hw_pagetable *hwpt)
{
	if (hwpt_is_paging(hwpt))
		return to_hwpt_paging(hwpt)->ioas;
	return to_hwpt_nested(hwpt)->parent->ioas;
}

static inline struct iommufd_hwpt_paging *
iommufd_get_hwpt_paging(struct iommufd_ctx *ictx, u32 id)
{
	return container_of(iommufd_get_object(ictx, id,
					       IOMMUFD_OBJ_HWPT_PAGING),
			    struct iommufd_hwpt_paging, common.obj);
}

static inline struct iommufd_hwpt_nested *
iommufd_get_hwpt_nested(struct iommufd_ctx *ictx, u32 id)
{
	return container_of(iommufd_get_object(ictx, id,
					       IOMMUFD_OBJ_HWPT_NESTED),
			    struct iommufd_hwpt_nested, common.obj);
}

void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);
struct iommufd_hwpt_paging *iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx,
						      struct iommufd_ioas *ioas);
struct iommufd_hwpt_paging *
iommufd_hwpt_paging_create(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			   struct iopt_domain *domain);
void iommufd_hwpt_paging_remove_domain(struct iommufd_hwpt_paging *hwpt);
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_user_data_copy(void *dst, size_t size, size_t min_size,
			   const struct iommufd_user_data *data);
int iommufd_user_array_copy(void *dst, size_t size, size_t min_size,
			    const struct iommufd_user_data_array *array,
			    u32 index);

/* dirty.c */
int iommufd_hwpt_set_dirty_tracking_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap_ioctl(struct iommufd_ucmd *ucmd);

/* device.c: device objects; what the IOMMU behind a device provides */
struct iommufd_device;
struct iommufd_device_ops {
	struct iopt_domain *(*domain_alloc_paging)(struct iommufd_device *idev);
	/*
	 * Optional: a paging domain for IOMMU_HWPT_ALLOC with @flags
	 * (IOMMU_HWPT_ALLOC_NEST_PARENT, _DIRTY_TRACKING) or driver @data;
	 * without it such allocations are EOPNOTSUPP
	 */
	struct iopt_domain *(*domain_alloc_user)(struct iommufd_device *idev,
						 u32 flags,
						 const struct iommufd_user_data *data);
	/*
	 * Optional: a nested domain on @parent (a paging domain these ops
	 * allocated with IOMMU_HWPT_ALLOC_NEST_PARENT) from driver @data
	 */
	struct iopt_domain *(*domain_alloc_nested)(struct iommufd_device *idev,
						   struct iopt_domain *parent,
						   u32 flags,
						   const struct iommufd_user_data *data);
	/* Optional: the IOMMU can track dirty IOPTEs for the device */
	bool (*dirty_tracking)(struct iommufd_device *idev);
	/*
	 * Optional: the IOMMU can enforce cache coherency for the device's
	 * domains, so that a domain not yet attached may ask for it
	 */
	bool (*enforce_cc_capable)(struct iommufd_device *idev);
	/*
	 * Optional: deliver the device's I/O page faults (through
	 * iommufd_device_report_fault()), enabled while it is attached to a
	 * HW page table with a fault queue; without them, such attaches are
	 * EOPNOTSUPP
	 */
	int (*iopf_enable)(struct iommufd_device *idev);
	void (*iopf_disable)(struct iommufd_device *idev);
	/*
	 * -EINVAL: this domain cannot serve the device. Called while attached
	 * to another domain for a replace, which must then move the device.
	 */
	int (*attach)(struct iommufd_device *idev, struct iopt_domain *domain);
	void (*detach)(struct iommufd_device *idev, struct iopt_domain *domain);
	/*
	 * Optional: reserve the device's reserved regions in @iopt with the
	 * device as owner (iopt_reserve_iova()); on failure nothing stays
	 */
	int (*add_reserved)(struct iommufd_device *idev,
			    struct io_pagetable *iopt);
	/* IOMMU_GET_HW_INFO data (kfree'd by the caller), or NULL for none */
	void *(*hw_info)(struct iommufd_device *idev, u32 *length, u32 *type);
};

struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	const struct iommufd_device_ops *ops;
	void *priv;
	/* Serialises attach, replace and detach; taken before ioas->mutex */
	struct mutex lock;
	/* The HW page table it is attached to; protected by lock */
	struct iommufd_hw_pagetable *hwpt;
};

static inline bool iommufd_device_dirty_tracking(struct iommufd_device *idev)
{
	return idev->ops->dirty_tracking && idev->ops->dirty_tracking(idev);
}

struct iommufd_device *iommufd_device_alloc(struct iommufd_ctx *ictx,
					    const struct iommufd_device_ops *ops,
					    void *priv);
void iommufd_device_unbind_unpublished(struct iommufd_device *idev);
void iommufd_device_unbind_published(struct iommufd_device *idev);
void iommufd_device_destroy(struct iommufd_object *obj);
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd);

/* iommu_dev.c: real devices behind the kernel's IOMMU core */
struct iommufd_kdev;
extern const struct iommufd_device_ops iommufd_kdev_ops;
struct iommufd_kdev *iommufd_kdev_alloc(struct iommufd_ctx *ictx,
					struct device *dev);
void iommufd_kdev_free(struct iommufd_ctx *ictx, struct iommufd_kdev *kdev);

/*
 * access.c: an in-kernel user of an IOAS (objects.md §8.1). Never call
 * ops->unmap with ioas_lock held: the callback unpins, which takes it (the
 * lock order: docs/architecture.md, "Locking and lifetime rules").
 */
struct iommufd_access {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	const struct iommufd_access_ops *ops;
	void *data;
	/* Serialises attach, replace, detach and destroy */
	struct mutex attach_lock;
	/* Protects ioas and ioas_unpin; held through each pin, unpin and rw */
	struct mutex ioas_lock;
	/* Where new pins and rw go; NULL while detaching or moving */
	struct iommufd_ioas *ioas;
	/* Where the pins are, for unpinning; the attached IOAS */
	struct iommufd_ioas *ioas_unpin;
	/* Index in ioas_unpin's access_list */
	u32 iopt_access_list_id;
};

/*
 * Internal iommufd_access_rw() flag: skip the direct copy and go page by
 * page. Only the test build's MOCK_ACCESS_RW_SLOW_PATH sets it; it is not
 * part of the exported API.
 */
#define IOMMUFD_ACCESS_RW_SLOW_PATH BIT(2)

void iommufd_access_destroy_object(struct iommufd_object *obj);
void iommufd_access_notify_unmap(struct io_pagetable *iopt, unsigned long iova,
				 unsigned long length);
#ifdef IOMMUFD_TEST
u64 iommufd_access_test_syz_iova(struct iommufd_access *access, u64 syz);
#endif

/*
 * fault.c: fault queues (uapi.md §7.6). An open fault fd holds a users
 * reference on its FAULT object and a reference on the context.
 */
struct iommufd_fault {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	/*
	 * Protects deliver, response and released. Fault groups are answered
	 * under it, so a group's device is attached until it is answered.
	 * Taken inside idev->lock.
	 */
	struct mutex mutex;
	/* Groups not read yet, oldest first */
	struct list_head deliver;
	/* Groups read and awaiting a response, by cookie */
	struct xarray response;
	/* The fd is closed: nobody reads or answers any more */
	bool released;
	wait_queue_head_t wait_queue;
};

struct iommu_hwpt_pgfault;

/*
 * How the source of a fault group learns its answer
 * (IOMMUFD_PAGE_RESP_SUCCESS or _INVALID). Called under the fault queue's
 * mutex, maybe under idev->lock: it may take neither.
 */
typedef void (*iommufd_fault_respond_fn)(struct iommufd_device *idev,
					 u32 grpid, u32 code);

int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_fault_destroy(struct iommufd_object *obj);
struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, u32 id);
void iommufd_device_report_fault(struct iommufd_device *idev,
				 const struct iommu_hwpt_pgfault *records,
				 unsigned int nrecords,
				 iommufd_fault_respond_fn respond);
void iommufd_fault_respond_device(struct iommufd_fault *fault,
				  struct iommufd_device *idev);

/* vfio_compat.c */
int iommufd_vfio_ioas_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_vfio_ioas_forget(struct iommufd_ioas *ioas);
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg);

/* selftest.c, test builds only */
#ifdef IOMMUFD_TEST
/*
 * The least IOMMU_TEST_CMD size: programs of 6.2 to 6.6 pass 56 bytes, whose
 * last field ends at 52 (6.7 and later: 72 and 68)
 */
#define IOMMUFD_TEST_CMD_MIN_SIZE 52
int iommufd_test_ioctl(struct iommufd_ucmd *ucmd);
void iommufd_selftest_destroy(struct iommufd_object *obj);
#endif

#endif
