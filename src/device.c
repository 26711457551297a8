// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device objects and the exported device API (objects.md §5, §10.2):
 * binding a device to a context, attaching it to an IOAS or a HW page table,
 * replacing and detaching that attachment, unbinding, and
 * IOMMU_GET_HW_INFO.
 *
 * A device is bound by its driver (iommufd_device_bind(), a real device
 * behind the kernel's IOMMU core, iommu_dev.c) or, in test builds, by the
 * mock's SELFTEST object. The binding holds a users reference, so
 * userspace can never destroy a device; it goes when its binder unbinds it.
 * What differs between IOMMUs (allocating a domain, attaching to it) sits
 * behind struct iommufd_device_ops; the code here is the same for both.
 *
 * Attaching a device to an IOAS picks an automatic HW page table of that
 * IOAS the device's IOMMU accepts, or makes a new one (objects.md §5.3). An
 * automatic one is destroyed with its last device. Each attached device
 * holds a users reference on its HW page table, and the attachment one on
 * the device. The device's reserved regions become reserved IOVA of the
 * IOAS it reaches while it is attached there.
 *
 * Locking: idev->lock serialises attach, replace and detach of one device;
 * ioas->mutex is taken inside it. A replace never holds two IOASes'
 * mutexes at once (docs/architecture.md, "Locking and lifetime rules").
 */
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev =
		container_of(obj, struct iommufd_device, obj);

	WARN_ON(idev->hwpt);
	mutex_destroy(&idev->lock);
}

/**
 * iommufd_device_alloc() - create a device object, not yet published
 * @ictx: context
 * @ops: the device's IOMMU operations
 * @priv: for @ops
 *
 * The caller publishes it with iommufd_object_finalize() once binding can no
 * longer fail.
 *
 * Return: the device with the binding's users reference, or an ERR_PTR.
 */
struct iommufd_device *iommufd_device_alloc(struct iommufd_ctx *ictx,
					    const struct iommufd_device_ops *ops,
					    void *priv)
{
	struct iommufd_device *idev;

	idev = iommufd_object_alloc(ictx, struct iommufd_device,
				    IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(idev))
		return idev;
	idev->ictx = ictx;
	mutex_init(&idev->lock);
	idev->ops = ops;
	idev->priv = priv;
	/* The binding's reference */
	refcount_inc(&idev->obj.users);
	return idev;
}

/* Undo iommufd_device_alloc() for a device that was never published */
void iommufd_device_unbind_unpublished(struct iommufd_device *idev)
{
	refcount_dec(&idev->obj.users);
	iommufd_object_abort_and_destroy(idev->ictx, &idev->obj);
}

/* Unbind a published, detached device: waits for ioctls using it */
void iommufd_device_unbind_published(struct iommufd_device *idev)
{
	iommufd_object_destroy_owned(idev->ictx, &idev->obj);
}

/**
 * iommufd_device_bind() - bind a device to an iommufd context
 * @ictx: the context
 * @dev: a device behind an IOMMU; its driver must not use the DMA API
 *	 (driver_managed_dma)
 * @id: out: the ID of the new DEVICE object
 *
 * Claims DMA ownership of the device's whole IOMMU group for the context
 * (objects.md §5.1) and takes a reference on the context until unbind.
 * DMA of the group is blocked until the device is attached.
 *
 * Return: the device, or ERR_PTR: -EINVAL if the IOMMU cannot keep DMA
 * cache coherent, -ENODEV without an IOMMU group, -EPERM if interrupts
 * cannot be isolated (unless allow_unsafe_interrupts), -EBUSY if a kernel
 * driver or another owner uses the group, -ENOMEM.
 */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct device *dev, u32 *id)
{
	struct iommufd_device *idev;
	struct iommufd_kdev *kdev;

	kdev = iommufd_kdev_alloc(ictx, dev);
	if (IS_ERR(kdev))
		return ERR_CAST(kdev);
	idev = iommufd_device_alloc(ictx, &iommufd_kdev_ops, kdev);
	if (IS_ERR(idev)) {
		iommufd_kdev_free(ictx, kdev);
		return idev;
	}
	iommufd_ctx_get(ictx);
	*id = idev->obj.id;
	iommufd_object_finalize(ictx, &idev->obj);
	return idev;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_bind, IOMMUFD_NS);

/**
 * iommufd_device_unbind() - undo iommufd_device_bind()
 * @idev: a bound device, detached
 *
 * Destroys the DEVICE object (waiting for ioctls using it), releases DMA
 * ownership of the group with its last bound device and drops the context
 * reference, which may tear the context down.
 */
void iommufd_device_unbind(struct iommufd_device *idev)
{
	struct iommufd_kdev *kdev = idev->priv;
	struct iommufd_ctx *ictx = idev->ictx;

	iommufd_device_unbind_published(idev);
	iommufd_kdev_free(ictx, kdev);
	iommufd_ctx_put(ictx);
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_unbind, IOMMUFD_NS);

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
 * domain and a failed load leaves it where it was; coherency is then asked
 * for before the attach, where the IOMMU can tell.
 */
static int iommufd_hwpt_alloc_auto(struct iommufd_device *idev,
				   struct iommufd_ioas *ioas, bool replace)
{
	struct iommufd_hwpt_paging *hwpt;
	struct iopt_domain *domain;
	int rc;

	lockdep_assert_held(&ioas->mutex);

	hwpt = iommufd_hwpt_paging_alloc(idev->ictx, ioas);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	hwpt->auto_domain = true;

	domain = idev->ops->domain_alloc_paging(idev);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto out_abort;
	}
	domain->owner = idev->ops;
	hwpt->common.domain = domain;
	if (replace) {
		/*
		 * Not attached yet, and empty: ask for coherency only where
		 * the device's IOMMU says it can keep it, or the attach would
		 * fail where it cannot
		 */
		if (domain->ops->enforce_cache_coherency &&
		    idev->ops->enforce_cc_capable &&
		    idev->ops->enforce_cc_capable(idev))
			domain->enforce_cache_coherency =
				domain->ops->enforce_cache_coherency(domain);
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
 * iommufd_device_to_ictx() - the context a device is bound to
 * @idev: a bound device
 *
 * Return: the context (no new reference).
 */
struct iommufd_ctx *iommufd_device_to_ictx(struct iommufd_device *idev)
{
	return idev->ictx;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_to_ictx, IOMMUFD_NS);

/**
 * iommufd_device_to_id() - the ID of a device's DEVICE object
 * @idev: a bound device
 *
 * Return: the ID.
 */
u32 iommufd_device_to_id(struct iommufd_device *idev)
{
	return idev->obj.id;
}
EXPORT_SYMBOL_NS_GPL(iommufd_device_to_id, IOMMUFD_NS);

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
