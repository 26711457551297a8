// SPDX-License-Identifier: GPL-2.0-only
/*
 * IO address space (IOAS) objects.
 *
 * An IOAS is the userspace-visible map from IOVA to user memory that devices
 * and in-kernel accesses are attached to. This file owns the object itself:
 * allocation, destruction and its options. The IO page table behind it (areas,
 * pinned pages, domains) is added with IOMMU_IOAS_MAP.
 */
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	/* Destroying the compat IOAS just clears the setting */
	iommufd_vfio_ioas_forget(ioas);
}

int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	ioas = iommufd_object_alloc(ucmd->ictx, struct iommufd_ioas,
				    IOMMUFD_OBJ_IOAS);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	ioas->ictx = ucmd->ictx;

	cmd->out_ioas_id = ioas->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &ioas->obj);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
	return rc;
}

/* IOMMU_OPTION_HUGE_PAGES, per IOAS */
int iommufd_ioas_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc = 0;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->object_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !READ_ONCE(ioas->disable_large_pages);
	} else if (cmd->op == IOMMU_OPTION_OP_SET) {
		/*
		 * Without areas or domains (nothing can be mapped yet) neither
		 * direction can conflict with existing mappings.
		 */
		if (cmd->val64 == 0)
			WRITE_ONCE(ioas->disable_large_pages, true);
		else if (cmd->val64 == 1)
			WRITE_ONCE(ioas->disable_large_pages, false);
		else
			rc = -EINVAL;
	} else {
		rc = -EOPNOTSUPP;
	}

	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}
