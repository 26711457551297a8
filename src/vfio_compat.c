// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO compatibility: the context's compat IOAS (IOMMU_VFIO_IOAS) and the
 * VFIO type1 container ioctls that userspace may issue on /dev/iommu.
 *
 * The compat IOAS is a plain pointer, not a reference: destroying that IOAS
 * clears it (iommufd_vfio_ioas_forget()). Both run under compat_lock, so a
 * reader holding the lock sees either a live IOAS or NULL.
 */
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

/* Called by the IOAS destroy op */
void iommufd_vfio_ioas_forget(struct iommufd_ioas *ioas)
{
	struct iommufd_ctx *ictx = ioas->ictx;

	/* An IOAS aborted before it was set up has no context yet */
	if (!ictx)
		return;
	mutex_lock(&ictx->compat_lock);
	if (ictx->vfio_ioas == ioas)
		ictx->vfio_ioas = NULL;
	mutex_unlock(&ictx->compat_lock);
}

int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_ioas *ioas;
	u32 id;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		mutex_lock(&ictx->compat_lock);
		id = ictx->vfio_ioas ? ictx->vfio_ioas->obj.id : 0;
		mutex_unlock(&ictx->compat_lock);
		if (!id)
			return -ENODEV;
		cmd->ioas_id = id;
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));

	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		/* Our shortterm reference keeps a destroy from racing this */
		mutex_lock(&ictx->compat_lock);
		ictx->vfio_ioas = ioas;
		mutex_unlock(&ictx->compat_lock);
		iommufd_put_object(ictx, &ioas->obj);
		return 0;

	case IOMMU_VFIO_IOAS_CLEAR:
		mutex_lock(&ictx->compat_lock);
		ictx->vfio_ioas = NULL;
		mutex_unlock(&ictx->compat_lock);
		return 0;

	default:
		return -EOPNOTSUPP;
	}
}

/*
 * The VFIO type1 container ioctls (VFIO_GET_API_VERSION, VFIO_IOMMU_MAP_DMA,
 * ...) operate on the compat IOAS's IO page table, which arrives with
 * IOMMU_IOAS_MAP. Until then every number outside the iommufd table is
 * unknown.
 */
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg)
{
	return -ENOTTY;
}
