// SPDX-License-Identifier: GPL-2.0-only
/*
 * HW page table objects: one domain (an IOMMU page table, real or mock)
 * loaded with the mappings of one IOAS.
 *
 * Attaching a device to an IOAS picks an automatic HW page table of that
 * IOAS the device's IOMMU accepts, or makes a new one (objects.md §5.3). An
 * automatic one is destroyed with its last device. A HW page table holds a
 * users reference on its IOAS; each attached device holds one on it.
 *
 * Locking: ioas->mutex serialises attach and detach and protects
 * ioas->hwpt_list and each HW page table's device count; it is taken before
 * the IO page table's locks.
 */
#include <linux/slab.h>

#include "iommufd_private.h"

void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt_paging *hwpt =
		container_of(obj, struct iommufd_hwpt_paging, obj);
	struct iommufd_ioas *ioas = hwpt->ioas;

	mutex_lock(&ioas->mutex);
	list_del_init(&hwpt->hwpt_item);
	mutex_unlock(&ioas->mutex);

	if (hwpt->domain_added)
		iopt_table_remove_domain(&ioas->iopt, hwpt->domain);
	if (hwpt->domain)
		hwpt->domain->ops->free(hwpt->domain);
	refcount_dec(&ioas->obj.users);
}

static void iommufd_hwpt_add_device(struct iommufd_hwpt_paging *hwpt,
				    struct iommufd_device *idev)
{
	lockdep_assert_held(&hwpt->ioas->mutex);

	refcount_inc(&hwpt->obj.users);
	hwpt->num_devices++;
	idev->hwpt = hwpt;
	/* The attachment holds the device: a driver cannot unbind first */
	refcount_inc(&idev->obj.users);
}

/* A new automatic HW page table for the device, loaded with the IOAS */
static int iommufd_hwpt_alloc_auto(struct iommufd_device *idev,
				   struct iommufd_ioas *ioas)
{
	struct iommufd_hwpt_paging *hwpt;
	int rc;

	lockdep_assert_held(&ioas->mutex);

	hwpt = iommufd_object_alloc(idev->ictx, struct iommufd_hwpt_paging,
				    IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	INIT_LIST_HEAD(&hwpt->hwpt_item);
	hwpt->ioas = ioas;
	refcount_inc(&ioas->obj.users);
	hwpt->auto_domain = true;

	hwpt->domain = idev->ops->domain_alloc_paging(idev);
	if (IS_ERR(hwpt->domain)) {
		rc = PTR_ERR(hwpt->domain);
		goto out_abort;
	}
	rc = idev->ops->attach(idev, hwpt->domain);
	if (rc)
		goto out_free_domain;
	rc = iopt_table_add_domain(&ioas->iopt, hwpt->domain);
	if (rc)
		goto out_detach;
	hwpt->domain_added = true;

	list_add_tail(&hwpt->hwpt_item, &ioas->hwpt_list);
	iommufd_hwpt_add_device(hwpt, idev);
	iommufd_object_finalize(idev->ictx, &hwpt->obj);
	return 0;

	/* Undone by hand: the destroy op takes ioas->mutex, which we hold */
out_detach:
	idev->ops->detach(idev, hwpt->domain);
out_free_domain:
	hwpt->domain->ops->free(hwpt->domain);
out_abort:
	refcount_dec(&ioas->obj.users);
	iommufd_object_abort(idev->ictx, &hwpt->obj);
	return rc;
}

/* Attach to an IOAS: reuse an automatic HW page table or make one */
static int iommufd_hwpt_attach_ioas(struct iommufd_device *idev,
				    struct iommufd_ioas *ioas)
{
	struct iommufd_hwpt_paging *hwpt;
	int rc;

	mutex_lock(&ioas->mutex);
	list_for_each_entry(hwpt, &ioas->hwpt_list, hwpt_item) {
		if (!hwpt->auto_domain)
			continue;
		rc = idev->ops->attach(idev, hwpt->domain);
		if (rc == -EINVAL)
			continue;
		if (!rc)
			iommufd_hwpt_add_device(hwpt, idev);
		goto out_unlock;
	}
	rc = iommufd_hwpt_alloc_auto(idev, ioas);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return rc;
}

/* Attach to a given HW page table */
static int iommufd_hwpt_attach(struct iommufd_device *idev,
			       struct iommufd_hwpt_paging *hwpt)
{
	struct iommufd_ioas *ioas = hwpt->ioas;
	int rc;

	mutex_lock(&ioas->mutex);
	/* Off the list: its last device just left and it is going away */
	if (list_empty(&hwpt->hwpt_item)) {
		rc = -ENOENT;
		goto out_unlock;
	}
	rc = idev->ops->attach(idev, hwpt->domain);
	if (!rc)
		iommufd_hwpt_add_device(hwpt, idev);
out_unlock:
	mutex_unlock(&ioas->mutex);
	return rc;
}

/**
 * iommufd_device_attach_pt() - attach a device to an IOAS or HW page table
 * @idev: a device that is not attached
 * @pt_id: in: IOAS or HW page table ID; out: the HW page table's ID
 *
 * Return: 0; -ENOENT for an unknown ID; -EINVAL for an ID of another type,
 * a device already attached, or a HW page table its IOMMU cannot use;
 * errors of adding a new domain to the IOAS (objects.md §5.3).
 */
int iommufd_device_attach_pt(struct iommufd_device *idev, u32 *pt_id)
{
	struct iommufd_object *obj;
	int rc;

	if (idev->hwpt)
		return -EINVAL;

	obj = iommufd_get_object(idev->ictx, *pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	switch (obj->type) {
	case IOMMUFD_OBJ_IOAS:
		rc = iommufd_hwpt_attach_ioas(idev,
					      container_of(obj,
							   struct iommufd_ioas,
							   obj));
		break;
	case IOMMUFD_OBJ_HWPT_PAGING:
		rc = iommufd_hwpt_attach(idev,
					 container_of(obj,
						      struct iommufd_hwpt_paging,
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
 * iommufd_device_detach_pt() - detach a device from its HW page table
 * @idev: an attached device
 *
 * An automatic HW page table left without devices is destroyed.
 */
void iommufd_device_detach_pt(struct iommufd_device *idev)
{
	struct iommufd_hwpt_paging *hwpt = idev->hwpt;
	struct iommufd_ioas *ioas = hwpt->ioas;
	bool last;

	mutex_lock(&ioas->mutex);
	idev->ops->detach(idev, hwpt->domain);
	idev->hwpt = NULL;
	hwpt->num_devices--;
	last = hwpt->auto_domain && !hwpt->num_devices;
	if (last)
		list_del_init(&hwpt->hwpt_item);
	mutex_unlock(&ioas->mutex);

	if (last)
		iommufd_object_destroy_owned(idev->ictx, &hwpt->obj);
	else
		refcount_dec(&hwpt->obj.users);
	refcount_dec(&idev->obj.users);
}
