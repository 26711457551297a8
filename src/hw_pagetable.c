// SPDX-License-Identifier: GPL-2.0-only
/*
 * HW page table objects: a domain (an IOMMU page table, real or mock) that
 * devices attach to. A paging one is loaded with the mappings of one IOAS;
 * a nested one has its stage 1 described by userspace (driver data) and
 * translates through its parent, a paging one allocated with NEST_PARENT:
 * for what its devices reach (reserved regions, locking) the parent's IOAS
 * is theirs.
 *
 * Attaching a device to an IOAS picks an automatic HW page table of that
 * IOAS the device's IOMMU accepts, or makes a new one (objects.md §5.3). An
 * automatic one is destroyed with its last device. A paging HW page table
 * holds a users reference on its IOAS, a nested one on its parent; each
 * attached device holds one on its HW page table.
 *
 * Locking: idev->lock serialises attach, replace and detach of one device;
 * ioas->mutex (inside it) protects ioas->hwpt_list and each HW page table's
 * device count; it is taken before the IO page table's locks. A replace
 * never holds two IOASes' mutexes at once.
 */
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

/* Most requests one IOMMU_HWPT_INVALIDATE may carry (6.12.y) */
#define IOMMUFD_MAX_INVALIDATE BIT(19)

/*
 * A HW page table object of @size bytes, of a struct that starts with its
 * struct iommufd_hw_pagetable
 */
static struct iommufd_hw_pagetable *
iommufd_hwpt_alloc_object(struct iommufd_ctx *ictx, size_t size,
			  enum iommufd_object_type type)
{
	struct iommufd_object *obj = _iommufd_object_alloc(ictx, size, type);

	static_assert(offsetof(struct iommufd_hwpt_paging, common) == 0);
	static_assert(offsetof(struct iommufd_hwpt_nested, common) == 0);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct iommufd_hw_pagetable, obj);
}

static struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc_object(struct iommufd_ctx *ictx)
{
	return to_hwpt_paging(iommufd_hwpt_alloc_object(ictx,
							sizeof(struct iommufd_hwpt_paging),
							IOMMUFD_OBJ_HWPT_PAGING));
}

/**
 * iommufd_hwpt_paging_remove_domain() - take the domain out of its IOAS
 * @hwpt: a paging HW page table
 *
 * Off the IOAS's list (attaching to it is -ENOENT from then on), and its
 * domain unloaded and removed from the IO page table. The domain itself
 * stays until the HW page table is destroyed.
 */
void iommufd_hwpt_paging_remove_domain(struct iommufd_hwpt_paging *hwpt)
{
	struct iommufd_ioas *ioas = hwpt->ioas;

	mutex_lock(&ioas->mutex);
	list_del_init(&hwpt->hwpt_item);
	mutex_unlock(&ioas->mutex);

	if (hwpt->domain_added)
		iopt_table_remove_domain(&ioas->iopt, hwpt->common.domain);
	hwpt->domain_added = false;
}

void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt =
		container_of(obj, struct iommufd_hwpt_paging, common.obj);

	iommufd_hwpt_paging_remove_domain(hwpt);
	if (hwpt->common.domain)
		hwpt->common.domain->ops->free(hwpt->common.domain);
	if (hwpt->common.fault)
		refcount_dec(&hwpt->common.fault->obj.users);
	refcount_dec(&hwpt->ioas->obj.users);
}

void iommufd_hwpt_nested_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_nested *hwpt =
		container_of(obj, struct iommufd_hwpt_nested, common.obj);

	if (hwpt->common.domain)
		hwpt->common.domain->ops->free(hwpt->common.domain);
	if (hwpt->common.fault)
		refcount_dec(&hwpt->common.fault->obj.users);
	refcount_dec(&hwpt->parent->common.obj.users);
}

static void iommufd_hwpt_add_device(struct iommufd_hw_pagetable *hwpt,
				    struct iommufd_device *idev)
{
	lockdep_assert_held(&iommufd_hwpt_ioas(hwpt)->mutex);

	refcount_inc(&hwpt->obj.users);
	if (hwpt_is_paging(hwpt))
		to_hwpt_paging(hwpt)->num_devices++;
	idev->hwpt = hwpt;
	/* The attachment holds the device: a driver cannot unbind first */
	refcount_inc(&idev->obj.users);
}

/*
 * The device's reserved regions go into the IOAS it attaches to, and leave
 * with it; a replace within one IOAS keeps them (idev->hwpt is the current
 * attachment, if any).
 */
static bool iommufd_device_reserves(struct iommufd_device *idev,
				    struct iommufd_ioas *ioas)
{
	return idev->ops->add_reserved &&
	       !(idev->hwpt && iommufd_hwpt_ioas(idev->hwpt) == ioas);
}

static int iommufd_device_reserve(struct iommufd_device *idev,
				  struct iommufd_ioas *ioas)
{
	lockdep_assert_held(&ioas->mutex);

	if (!iommufd_device_reserves(idev, ioas))
		return 0;
	return idev->ops->add_reserved(idev, &ioas->iopt);
}

static void iommufd_device_unreserve(struct iommufd_device *idev,
				     struct iommufd_ioas *ioas)
{
	if (iommufd_device_reserves(idev, ioas))
		iopt_remove_reserved_iova(&ioas->iopt, idev);
}

/*
 * A new automatic HW page table for the device, loaded with the IOAS.
 * Attach, then load (objects.md §5.3); but when the device is moving from
 * another domain (@replace), load first, so that it never sits on an empty
 * domain and a failed load leaves it where it was.
 */
static int iommufd_hwpt_alloc_auto(struct iommufd_device *idev,
				   struct iommufd_ioas *ioas, bool replace)
{
	struct iommufd_hwpt_paging *hwpt;
	struct iopt_domain *domain;
	int rc;

	lockdep_assert_held(&ioas->mutex);

	hwpt = iommufd_hwpt_paging_alloc_object(idev->ictx);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	hwpt->ioas = ioas;
	refcount_inc(&ioas->obj.users);
	hwpt->auto_domain = true;

	domain = idev->ops->domain_alloc_paging(idev);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto out_abort;
	}
	domain->owner = idev->ops;
	hwpt->common.domain = domain;
	if (replace) {
		rc = iopt_table_add_domain(&ioas->iopt, domain);
		if (rc)
			goto out_free_domain;
		rc = idev->ops->attach(idev, domain);
		if (rc)
			goto out_remove_domain;
	} else {
		rc = idev->ops->attach(idev, domain);
		if (rc)
			goto out_free_domain;
		/*
		 * Attached and still empty: the IOMMU can judge whether it
		 * can keep the domain's DMA coherent (objects.md §5.3)
		 */
		if (domain->ops->enforce_cache_coherency)
			domain->enforce_cache_coherency =
				domain->ops->enforce_cache_coherency(domain);
		rc = iopt_table_add_domain(&ioas->iopt, domain);
		if (rc)
			goto out_detach;
	}
	hwpt->domain_added = true;

	list_add_tail(&hwpt->hwpt_item, &ioas->hwpt_list);
	iommufd_hwpt_add_device(&hwpt->common, idev);
	iommufd_object_finalize(idev->ictx, &hwpt->common.obj);
	return 0;

	/* Undone by hand: the destroy op takes ioas->mutex, which we hold */
out_remove_domain:
	iopt_table_remove_domain(&ioas->iopt, domain);
	goto out_free_domain;
out_detach:
	idev->ops->detach(idev, domain);
out_free_domain:
	domain->ops->free(domain);
out_abort:
	refcount_dec(&ioas->obj.users);
	iommufd_object_abort(idev->ictx, &hwpt->common.obj);
	return rc;
}

/* Attach to an IOAS: reuse an automatic HW page table or make one */
static int iommufd_hwpt_attach_ioas(struct iommufd_device *idev,
				    struct iommufd_ioas *ioas, bool replace)
{
	struct iommufd_hwpt_paging *hwpt;
	int rc;

	mutex_lock(&ioas->mutex);
	rc = iommufd_device_reserve(idev, ioas);
	if (rc)
		goto out_unlock;
	list_for_each_entry(hwpt, &ioas->hwpt_list, hwpt_item) {
		if (!hwpt->auto_domain)
			continue;
		rc = idev->ops->attach(idev, hwpt->common.domain);
		if (rc == -EINVAL)
			continue;
		if (!rc)
			iommufd_hwpt_add_device(&hwpt->common, idev);
		goto out_unreserve;
	}
	rc = iommufd_hwpt_alloc_auto(idev, ioas, replace);
out_unreserve:
	if (rc)
		iommufd_device_unreserve(idev, ioas);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return rc;
}

/*
 * Attach to a given HW page table, paging or nested; the reserved regions
 * go into the IOAS its devices reach
 */
static int iommufd_hwpt_attach(struct iommufd_device *idev,
			       struct iommufd_hw_pagetable *hwpt)
{
	struct iommufd_ioas *ioas = iommufd_hwpt_ioas(hwpt);
	int rc;

	mutex_lock(&ioas->mutex);
	/* Off the list: its last device just left and it is going away */
	if (hwpt_is_paging(hwpt) &&
	    list_empty(&to_hwpt_paging(hwpt)->hwpt_item)) {
		rc = -ENOENT;
		goto out_unlock;
	}
	rc = iommufd_device_reserve(idev, ioas);
	if (rc)
		goto out_unlock;
	/* Its faults go to the HW page table's queue (objects.md §5.2) */
	if (hwpt->fault) {
		rc = idev->ops->iopf_enable ? idev->ops->iopf_enable(idev) :
					      -EOPNOTSUPP;
		if (rc)
			goto out_unreserve;
	}
	rc = idev->ops->attach(idev, hwpt->domain);
	if (!rc) {
		iommufd_hwpt_add_device(hwpt, idev);
		goto out_unlock;
	}
	if (hwpt->fault)
		idev->ops->iopf_disable(idev);
out_unreserve:
	iommufd_device_unreserve(idev, ioas);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return rc;
}

static int iommufd_device_do_attach(struct iommufd_device *idev, u32 *pt_id)
{
	struct iommufd_object *obj;
	int rc;

	lockdep_assert_held(&idev->lock);

	obj = iommufd_get_object(idev->ictx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	switch (obj->type) {
	case IOMMUFD_OBJ_IOAS:
		rc = iommufd_hwpt_attach_ioas(idev,
					      container_of(obj,
							   struct iommufd_ioas,
							   obj),
					      idev->hwpt);
		break;
	case IOMMUFD_OBJ_HWPT_PAGING:
	case IOMMUFD_OBJ_HWPT_NESTED:
		rc = iommufd_hwpt_attach(idev,
					 container_of(obj,
						      struct iommufd_hw_pagetable,
						      obj));
		break;
	default:
		rc = -EINVAL;
		break;
	}
	iommufd_put_object(idev->ictx, obj);
	if (!rc)
		*pt_id = idev->hwpt->obj.id;
	return rc;
}

/**
 * iommufd_device_attach() - attach a device to an IOAS or HW page table
 * @idev: a bound device that is not attached
 * @pt_id: in: IOAS ID (automatic HW page table) or HW page table ID; out:
 *	   the HW page table's ID
 *
 * Return: 0; -ENOENT for an unknown ID; -EINVAL for an ID of another type,
 * a device already attached, or a HW page table the device's group or
 * IOMMU cannot use; -EADDRINUSE if the device's reserved regions collide
 * with mappings; errors of adding a new domain to the IOAS (objects.md
 * §5.3).
 */
int iommufd_device_attach(struct iommufd_device *idev, u32 *pt_id)
{
	int rc = -EINVAL;

	mutex_lock(&idev->lock);
	if (!idev->hwpt)
		rc = iommufd_device_do_attach(idev, pt_id);
	mutex_unlock(&idev->lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_attach, IOMMUFD_NS);

/*
 * Drop the device's attachment to @hwpt (its domain detached already, or
 * replaced); an automatic HW page table left without devices is destroyed.
 */
static void iommufd_hwpt_drop_device(struct iommufd_device *idev,
				     struct iommufd_hw_pagetable *hwpt,
				     bool detach)
{
	struct iommufd_ioas *ioas = iommufd_hwpt_ioas(hwpt);
	struct iommufd_hwpt_paging *paging = NULL;
	bool last = false;

	mutex_lock(&ioas->mutex);
	if (detach)
		idev->ops->detach(idev, hwpt->domain);
	/* Detached: idev->hwpt is NULL; replaced: it is the new one */
	iommufd_device_unreserve(idev, ioas);
	/* No fault of it can reach this queue any more: answer the pending */
	if (hwpt->fault) {
		iommufd_fault_respond_device(hwpt->fault, idev);
		idev->ops->iopf_disable(idev);
	}
	if (hwpt_is_paging(hwpt)) {
		paging = to_hwpt_paging(hwpt);
		paging->num_devices--;
		last = paging->auto_domain && !paging->num_devices;
	}
	/*
	 * Under the mutex, so a concurrent last detach sees only its own
	 * reference and the table's and can destroy the HWPT
	 */
	if (last)
		list_del_init(&paging->hwpt_item);
	else
		refcount_dec(&hwpt->obj.users);
	mutex_unlock(&ioas->mutex);

	if (last)
		iommufd_object_destroy_owned(idev->ictx, &hwpt->obj);
	refcount_dec(&idev->obj.users);
}

/**
 * iommufd_device_detach() - detach a device from its HW page table
 * @idev: an attached device
 *
 * Its DMA is blocked afterwards (once no other device of its group is
 * attached). An automatic HW page table left without devices is destroyed.
 */
void iommufd_device_detach(struct iommufd_device *idev)
{
	struct iommufd_hw_pagetable *hwpt;

	mutex_lock(&idev->lock);
	hwpt = idev->hwpt;
	idev->hwpt = NULL;
	if (hwpt)
		iommufd_hwpt_drop_device(idev, hwpt, true);
	mutex_unlock(&idev->lock);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_detach, IOMMUFD_NS);

/**
 * iommufd_device_replace() - move an attached device to another target
 * @idev: an attached device
 * @pt_id: in: IOAS or HW page table ID; out: the HW page table's ID
 *
 * The device is attached to the new target first, then its old attachment
 * is dropped, destroying an automatic HW page table left without devices.
 * The same HW page table (or the IOAS of the current automatic one) is no
 * change.
 *
 * Return: 0, -EINVAL if not attached, or the errors of attach; on failure
 * the device stays where it was.
 */
int iommufd_device_replace(struct iommufd_device *idev, u32 *pt_id)
{
	struct iommufd_hw_pagetable *old;
	int rc = 0;

	mutex_lock(&idev->lock);
	old = idev->hwpt;
	if (!old) {
		rc = -EINVAL;
		goto out_unlock;
	}

	/* Already there: nothing moves. Both IDs are held by the attachment */
	if (*pt_id == old->obj.id ||
	    (hwpt_is_paging(old) && to_hwpt_paging(old)->auto_domain &&
	     *pt_id == to_hwpt_paging(old)->ioas->obj.id)) {
		*pt_id = old->obj.id;
		goto out_unlock;
	}

	rc = iommufd_device_do_attach(idev, pt_id);
	if (rc) {
		idev->hwpt = old;
		goto out_unlock;
	}
	iommufd_hwpt_drop_device(idev, old, false);
out_unlock:
	mutex_unlock(&idev->lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_replace, IOMMUFD_NS);

/**
 * iommufd_hwpt_paging_create() - a manual paging HW page table for a domain
 * @ictx: context
 * @ioas: IOAS to load the domain with
 * @domain: a new domain, which the HW page table owns (also on failure)
 *
 * Return: the HW page table, unpublished, with its domain added to @ioas
 * and on its list; or an ERR_PTR (errors of iopt_table_add_domain()).
 */
struct iommufd_hwpt_paging *
iommufd_hwpt_paging_create(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			   struct iopt_domain *domain)
{
	struct iommufd_hwpt_paging *hwpt;
	int rc;

	hwpt = iommufd_hwpt_paging_alloc_object(ictx);
	if (IS_ERR(hwpt)) {
		domain->ops->free(domain);
		return hwpt;
	}
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	hwpt->ioas = ioas;
	refcount_inc(&ioas->obj.users);
	hwpt->common.domain = domain;

	rc = iopt_table_add_domain(&ioas->iopt, domain);
	if (rc)
		goto out_abort;
	hwpt->domain_added = true;

	mutex_lock(&ioas->mutex);
	list_add_tail(&hwpt->hwpt_item, &ioas->hwpt_list);
	mutex_unlock(&ioas->mutex);
	return hwpt;

out_abort:
	iommufd_object_abort_and_destroy(ictx, &hwpt->common.obj);
	return ERR_PTR(rc);
}

/*
 * A manual paging HW page table on @ioas for devices like @idev, with
 * IOMMU_HWPT_ALLOC @flags and driver @data (or NULL)
 */
static struct iommufd_hwpt_paging *
iommufd_hwpt_alloc_paging(struct iommufd_device *idev,
			  struct iommufd_ioas *ioas, u32 flags,
			  const struct iommufd_user_data *data)
{
	struct iommufd_hwpt_paging *hwpt;
	struct iopt_domain *domain;

	if (flags || data)
		domain = idev->ops->domain_alloc_user(idev, flags, data);
	else
		domain = idev->ops->domain_alloc_paging(idev);
	if (IS_ERR(domain))
		return ERR_CAST(domain);
	domain->owner = idev->ops;
	hwpt = iommufd_hwpt_paging_create(idev->ictx, ioas, domain);
	if (!IS_ERR(hwpt))
		hwpt->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	return hwpt;
}

/*
 * A nested HW page table on @parent for devices like @idev, its stage 1
 * from driver @data (uapi.md §7.1 step 6)
 */
static struct iommufd_hwpt_nested *
iommufd_hwpt_alloc_nested(struct iommufd_device *idev,
			  struct iommufd_hwpt_paging *parent, u32 flags,
			  const struct iommufd_user_data *data)
{
	struct iommufd_hwpt_nested *hwpt;
	struct iopt_domain *domain;
	int rc;

	if (flags & ~IOMMU_HWPT_FAULT_ID_VALID || !data ||
	    !idev->ops->domain_alloc_nested)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->auto_domain || !parent->nest_parent ||
	    parent->common.domain->owner != idev->ops)
		return ERR_PTR(-EINVAL);

	hwpt = to_hwpt_nested(iommufd_hwpt_alloc_object(idev->ictx,
							sizeof(*hwpt),
							IOMMUFD_OBJ_HWPT_NESTED));
	if (IS_ERR(hwpt))
		return hwpt;
	hwpt->parent = parent;
	refcount_inc(&parent->common.obj.users);

	/* The fault queue is the core's business, not the driver's */
	domain = idev->ops->domain_alloc_nested(idev, parent->common.domain,
						flags & ~IOMMU_HWPT_FAULT_ID_VALID,
						data);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto out_abort;
	}
	domain->owner = idev->ops;
	hwpt->common.domain = domain;
	return hwpt;

out_abort:
	iommufd_object_abort_and_destroy(idev->ictx, &hwpt->common.obj);
	return ERR_PTR(rc);
}

/**
 * iommufd_user_data_copy() - copy driver data from userspace
 * @dst: the driver's struct
 * @size: its size
 * @min_size: the least userspace must give (its first version's size)
 * @data: what userspace gave
 *
 * Shorter data than @size is zero-extended.
 *
 * Return: 0; -EINVAL if @data's length is below @min_size or above @size;
 * -EFAULT.
 */
int iommufd_user_data_copy(void *dst, size_t size, size_t min_size,
			   const struct iommufd_user_data *data)
{
	if (data->len < min_size || data->len > size)
		return -EINVAL;
	memset(dst, 0, size);
	if (copy_from_user(dst, data->uptr, data->len))
		return -EFAULT;
	return 0;
}

/**
 * iommufd_user_array_copy() - copy one request of a driver data array
 * @dst: the driver's struct
 * @size: its size
 * @min_size: the least an entry must be (its first version's size)
 * @array: the array userspace gave
 * @index: which entry
 *
 * Return: as iommufd_user_data_copy(), for the entry.
 */
int iommufd_user_array_copy(void *dst, size_t size, size_t min_size,
			    const struct iommufd_user_data_array *array,
			    u32 index)
{
	const struct iommufd_user_data data = {
		.type = array->type,
		.uptr = array->uptr + (size_t)index * array->entry_len,
		.len = array->entry_len,
	};

	return iommufd_user_data_copy(dst, size, min_size, &data);
}

/**
 * iommufd_hwpt_alloc_ioctl() - IOMMU_HWPT_ALLOC (uapi.md §7.1)
 * @ucmd: the call
 *
 * Return: 0, or the errno of the first failing check.
 */
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	const struct iommufd_user_data data = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommufd_hwpt_paging *paging;
	struct iommufd_hwpt_nested *nested;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_device *idev;
	struct iommufd_object *pt, *obj;
	struct iommufd_fault *fault;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;

	obj = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	idev = container_of(obj, struct iommufd_device, obj);

	pt = iommufd_get_object(ucmd->ictx, cmd->pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt)) {
		rc = -EINVAL;
		goto out_put_idev;
	}

	switch (pt->type) {
	case IOMMUFD_OBJ_IOAS:
		/* FAULT_ID_VALID is for nested HW page tables only */
		if ((!idev->ops->domain_alloc_user &&
		     (cmd->flags || cmd->data_len)) ||
		    cmd->flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
				   IOMMU_HWPT_ALLOC_DIRTY_TRACKING) ||
		    (cmd->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING &&
		     !iommufd_device_dirty_tracking(idev))) {
			hwpt = ERR_PTR(-EOPNOTSUPP);
			break;
		}
		paging = iommufd_hwpt_alloc_paging(idev,
						   container_of(pt,
								struct iommufd_ioas,
								obj),
						   cmd->flags,
						   cmd->data_len ? &data : NULL);
		hwpt = IS_ERR(paging) ? ERR_CAST(paging) : &paging->common;
		break;
	case IOMMUFD_OBJ_HWPT_PAGING:
		nested = iommufd_hwpt_alloc_nested(idev,
						   container_of(pt,
								struct iommufd_hwpt_paging,
								common.obj),
						   cmd->flags, &data);
		hwpt = IS_ERR(nested) ? ERR_CAST(nested) : &nested->common;
		break;
	default:
		hwpt = ERR_PTR(-EINVAL);
		break;
	}
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_put_pt;
	}

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		fault = iommufd_get_fault(ucmd->ictx, cmd->fault_id);
		if (IS_ERR(fault)) {
			rc = PTR_ERR(fault);
			goto out_abort;
		}
		/* Held for the HW page table's life */
		refcount_inc(&fault->obj.users);
		hwpt->fault = fault;
		iommufd_put_object(ucmd->ictx, &fault->obj);
	}
	cmd->out_hwpt_id = hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &hwpt->obj);
	goto out_put_pt;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
out_put_pt:
	iommufd_put_object(ucmd->ictx, pt);
out_put_idev:
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/**
 * iommufd_hwpt_invalidate_ioctl() - IOMMU_HWPT_INVALIDATE (uapi.md §7.5)
 * @ucmd: the call
 *
 * Whatever happens, entry_num is written back: the number of requests the
 * driver handled before the first that failed.
 *
 * Return: 0, the errno of the first failing check, or -EFAULT if the
 * write-back faults.
 */
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct iommufd_user_data_array array = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
	};
	struct iommufd_hwpt_nested *hwpt;
	struct iopt_domain *domain;
	u32 done = 0;
	int rc;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	if ((cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) ||
	    cmd->entry_len > PAGE_SIZE || cmd->entry_num > IOMMUFD_MAX_INVALIDATE) {
		rc = -EINVAL;
		goto out;
	}
	hwpt = iommufd_get_hwpt_nested(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out;
	}
	domain = hwpt->common.domain;
	if (domain->ops->cache_invalidate_user) {
		rc = domain->ops->cache_invalidate_user(domain, &array);
		done = min(array.entry_num, cmd->entry_num);
	} else {
		rc = -EOPNOTSUPP;
	}
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
out:
	cmd->entry_num = done;
	if (iommufd_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}

/**
 * iommufd_get_hw_info_ioctl() - IOMMU_GET_HW_INFO (uapi.md §7.2)
 * @ucmd: the call
 *
 * Return: 0, or the errno of the first failing check.
 */
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	void __user *user_ptr = u64_to_user_ptr(cmd->data_uptr);
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	u32 length = 0, type = IOMMU_HW_INFO_TYPE_NONE;
	void *data = NULL;
	int rc = 0;

	if (cmd->flags || cmd->__reserved[0] || cmd->__reserved[1] ||
	    cmd->__reserved[2])
		return -EOPNOTSUPP;

	obj = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	idev = container_of(obj, struct iommufd_device, obj);

	if (idev->ops->hw_info) {
		data = idev->ops->hw_info(idev, &length, &type);
		if (IS_ERR(data)) {
			rc = PTR_ERR(data);
			data = NULL;
			goto out_put;
		}
	}

	/* What fits, then zeroes up to the caller's length */
	if (copy_to_user(user_ptr, data, min(cmd->data_len, length)) ||
	    (cmd->data_len > length &&
	     clear_user(user_ptr + length, cmd->data_len - length))) {
		rc = -EFAULT;
		goto out_put;
	}

	cmd->data_len = length;
	cmd->out_data_type = type;
	cmd->out_capabilities = 0;
	if (iommufd_device_dirty_tracking(idev))
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	/* No PASID support to report */
	cmd->out_max_pasid_log2 = 0;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	kfree(data);
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}
