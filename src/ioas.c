// SPDX-License-Identifier: GPL-2.0-only
/*
 * IO address space (IOAS) objects and their ioctls.
 *
 * An IOAS is the userspace-visible map from IOVA to user memory that HW page
 * tables and in-kernel accesses attach to. The ioctls here check and decode
 * the user's arguments in the order of uapi.md §5 and leave the work to the
 * IO page table (io_pagetable.c and its mechanisms, iopt_*.c).
 */
#include <linux/interval_tree.h>
#include <linux/iommu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	/* Destroying the compat IOAS just clears the setting */
	iommufd_vfio_ioas_forget(ioas);
	iopt_destroy_table(&ioas->iopt);
	WARN_ON(!list_empty(&ioas->hwpt_list));
	mutex_destroy(&ioas->mutex);
}

/* A new, empty IOAS with its ID reserved; the caller publishes or aborts */
struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_object_alloc(ictx, struct iommufd_ioas, IOMMUFD_OBJ_IOAS);
	if (IS_ERR(ioas))
		return ioas;
	ioas->ictx = ictx;
	iopt_init_table(&ioas->iopt);
	mutex_init(&ioas->mutex);
	INIT_LIST_HEAD(&ioas->hwpt_list);
	return ioas;
}

int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	ioas = iommufd_ioas_alloc(ucmd->ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

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

struct iommufd_ranges_fill {
	struct iommu_iova_range __user *ranges;
	u32 capacity;
	u32 count;
};

static int iommufd_ioas_report_range(void *data, unsigned long start,
				     unsigned long last)
{
	struct iommufd_ranges_fill *fill = data;
	struct iommu_iova_range range = { .start = start, .last = last };

	/* Past the caller's capacity only count, never write */
	if (fill->count < fill->capacity &&
	    copy_to_user(&fill->ranges[fill->count], &range, sizeof(range)))
		return -EFAULT;
	fill->count++;
	return 0;
}

int iommufd_ioas_iova_ranges_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommufd_ranges_fill fill;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	fill.ranges = u64_to_user_ptr(cmd->allowed_iovas);
	fill.capacity = cmd->num_iovas;
	fill.count = 0;
	rc = iopt_walk_usable_ranges(&ioas->iopt, iommufd_ioas_report_range,
				     &fill);
	if (rc)
		goto out_put;

	cmd->num_iovas = fill.count;
	cmd->out_iova_alignment = iopt_get_iova_alignment(&ioas->iopt);
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc && fill.count > fill.capacity)
		rc = -EMSGSIZE;
out_put:
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int iommufd_ioas_allow_iovas_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct iommu_iova_range __user *ranges;
	struct rb_root_cached allowed = RB_ROOT_CACHED;
	struct iommu_iova_range range;
	struct iopt_allowed *elm;
	struct iommufd_ioas *ioas;
	u32 i;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	ranges = u64_to_user_ptr(cmd->allowed_iovas);
	for (i = 0; i != cmd->num_iovas; i++) {
		if (copy_from_user(&range, &ranges[i], sizeof(range))) {
			rc = -EFAULT;
			goto out_free;
		}
		if (range.start >= range.last ||
		    interval_tree_iter_first(&allowed, range.start,
					     range.last)) {
			rc = -EINVAL;
			goto out_free;
		}
		elm = iommufd_should_fail() ?
			      NULL :
			      kzalloc(sizeof(*elm), GFP_KERNEL_ACCOUNT);
		if (!elm) {
			rc = -ENOMEM;
			goto out_free;
		}
		elm->node.start = range.start;
		elm->node.last = range.last;
		interval_tree_insert(&elm->node, &allowed);
		cond_resched();
	}
	rc = iopt_set_allow_iova(&ioas->iopt, &allowed);
	goto out_put;

out_free:
	iopt_free_iova_tree(&allowed);
out_put:
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

static int iommufd_map_prot(u32 flags)
{
	int prot = 0;

	if (flags & IOMMU_IOAS_MAP_READABLE)
		prot |= IOMMU_READ;
	if (flags & IOMMU_IOAS_MAP_WRITEABLE)
		prot |= IOMMU_WRITE;
	return prot;
}

#define IOMMUFD_MAP_FLAGS                                                      \
	(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |                \
	 IOMMU_IOAS_MAP_READABLE)

static unsigned int iommufd_map_iopt_flags(u32 flags)
{
	return flags & IOMMU_IOAS_MAP_FIXED_IOVA ? 0 : IOPT_ALLOC_IOVA;
}

/*
 * Write back the IOVA a MAP or COPY used (*out is in the command struct);
 * the caller never learns of a mapping whose write-back faults, so it is
 * taken back.
 */
static int iommufd_ioas_respond_iova(struct iommufd_ucmd *ucmd,
				     struct iommufd_ioas *ioas, u64 *out,
				     unsigned long iova, unsigned long length,
				     size_t cmd_len)
{
	unsigned long unmapped;
	int rc;

	*out = iova;
	rc = iommufd_ucmd_respond(ucmd, cmd_len);
	if (rc)
		iopt_unmap_iova(&ioas->iopt, iova, length, &unmapped);
	return rc;
}

int iommufd_ioas_map_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	unsigned long iova = cmd->iova;
	struct iommufd_ioas *ioas;
	int rc;

	if ((cmd->flags & ~IOMMUFD_MAP_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)))
		return -EINVAL;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	rc = iopt_map_user_pages(ucmd->ictx, &ioas->iopt, &iova,
				 u64_to_user_ptr(cmd->user_va), cmd->length,
				 iommufd_map_prot(cmd->flags),
				 iommufd_map_iopt_flags(cmd->flags));
	if (!rc)
		rc = iommufd_ioas_respond_iova(ucmd, ioas, &cmd->iova, iova,
					       cmd->length, sizeof(*cmd));
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

int iommufd_ioas_copy_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	unsigned long iova = cmd->dst_iova;
	struct iommufd_ioas *src, *dst;
	LIST_HEAD(pages_list);
	int rc;

	if (cmd->flags & ~IOMMUFD_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= ULONG_MAX || cmd->src_iova >= ULONG_MAX ||
	    cmd->dst_iova >= ULONG_MAX)
		return -EOVERFLOW;
	if (!iommufd_test_copy_no_prot() &&
	    !(cmd->flags &
	      (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)))
		return -EINVAL;

	src = iommufd_get_ioas(ucmd->ictx, cmd->src_ioas_id);
	if (IS_ERR(src))
		return PTR_ERR(src);
	rc = iopt_get_pages(&src->iopt, cmd->src_iova, cmd->length,
			    &pages_list);
	iommufd_put_object(ucmd->ictx, &src->obj);
	if (rc)
		return rc;

	dst = iommufd_get_ioas(ucmd->ictx, cmd->dst_ioas_id);
	if (IS_ERR(dst)) {
		rc = PTR_ERR(dst);
		goto out_pages;
	}
	rc = iopt_map_pages(&dst->iopt, &pages_list, cmd->length, &iova,
			    iommufd_map_prot(cmd->flags),
			    iommufd_map_iopt_flags(cmd->flags));
	if (!rc)
		rc = iommufd_ioas_respond_iova(ucmd, dst, &cmd->dst_iova, iova,
					       cmd->length, sizeof(*cmd));
	iommufd_put_object(ucmd->ictx, &dst->obj);
out_pages:
	iopt_free_pages_list(&pages_list);
	return rc;
}

int iommufd_ioas_unmap_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	unsigned long unmapped;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->iova == 0 && cmd->length == U64_MAX)
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	else
		rc = iopt_unmap_iova(&ioas->iopt, cmd->iova, cmd->length,
				     &unmapped);
	if (rc)
		goto out_put;

	cmd->length = unmapped;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_put:
	iommufd_put_object(ucmd->ictx, &ioas->obj);
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
		cmd->val64 = iopt_large_pages_enabled(&ioas->iopt);
	} else if (cmd->op == IOMMU_OPTION_OP_SET) {
		if (cmd->val64 == 0 || cmd->val64 == 1)
			rc = iopt_set_large_pages(&ioas->iopt, cmd->val64);
		else
			rc = -EINVAL;
	} else {
		rc = -EOPNOTSUPP;
	}

	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}
