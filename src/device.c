// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device objects: a device bound to a context by its driver (or, in test
 * builds, a mock device). The binding holds a users reference, so userspace
 * can never destroy a device; it goes when its driver unbinds it.
 *
 * What differs between IOMMUs (allocating a paging domain, attaching to
 * it) sits behind struct iommufd_device_ops.
 */
#include <linux/slab.h>

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
