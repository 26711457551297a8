// SPDX-License-Identifier: GPL-2.0-only
/*
 * HW page table objects: a domain (an IOMMU page table, real or mock) that
 * devices attach to, and the ioctls that make and use them
 * (IOMMU_HWPT_ALLOC, IOMMU_HWPT_INVALIDATE). A paging one is loaded with
 * the mappings of one IOAS; a nested one has its stage 1 described by
 * userspace (driver data) and translates through its parent, a paging one
 * allocated with NEST_PARENT: for what its devices reach (reserved regions,
 * locking) the parent's IOAS is theirs.
 *
 * A paging HW page table holds a users reference on its IOAS, a nested one
 * on its parent. Automatic ones are made and destroyed by attach and detach
 * (device.c); manual ones by IOMMU_HWPT_ALLOC and IOMMU_DESTROY. Locking:
 * ioas->mutex protects ioas->hwpt_list and each HW page table's device
 * count (docs/architecture.md, "Locking and lifetime rules").
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

/**
 * iommufd_hwpt_paging_alloc() - a paging HW page table object for an IOAS
 * @ictx: context
 * @ioas: the IOAS its domain is to be loaded with
 *
 * Unpublished, without a domain, off the IOAS's list, and holding a users
 * reference on @ioas, which the destroy op drops (or the caller, before
 * iommufd_object_abort()).
 *
 * Return: the HW page table, or an ERR_PTR.
 */
struct iommufd_hwpt_paging *iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx,
						      struct iommufd_ioas *ioas)
{
	struct iommufd_hwpt_paging *hwpt;

	hwpt = to_hwpt_paging(iommufd_hwpt_alloc_object(ictx,
							sizeof(struct iommufd_hwpt_paging),
							IOMMUFD_OBJ_HWPT_PAGING));
	if (IS_ERR(hwpt))
		return hwpt;
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	hwpt->ioas = ioas;
	refcount_inc(&ioas->obj.users);
	return hwpt;
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

	hwpt = iommufd_hwpt_paging_alloc(ictx, ioas);
	if (IS_ERR(hwpt)) {
		domain->ops->free(domain);
		return hwpt;
	}
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
						   cmd->flags,
						   cmd->data_len ? &data : NULL);
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
