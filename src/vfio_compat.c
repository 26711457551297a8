// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO compatibility: the context's compat IOAS (IOMMU_VFIO_IOAS) and the
 * VFIO type1 container ioctls that userspace may issue on /dev/iommu
 * (uapi.md §6), all operating on the compat IOAS.
 *
 * The compat IOAS is a plain pointer, not a reference: destroying that IOAS
 * clears it (iommufd_vfio_ioas_forget()) under compat_lock before its ID is
 * released. Users take a shortterm reference under compat_lock with
 * iommufd_lock_obj(), which fails once a destroy has begun; so the lock
 * order is compat_lock, then the objects xarray lock.
 */
#include <linux/iommu.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>
#include <uapi/linux/vfio.h>

#include "iommufd_private.h"

/* Called by the IOAS destroy op */
void iommufd_vfio_ioas_forget(struct iommufd_ioas *ioas)
{
	struct iommufd_ctx *ictx = ioas->ictx;

	mutex_lock(&ictx->compat_lock);
	if (ictx->vfio_ioas == ioas)
		ictx->vfio_ioas = NULL;
	mutex_unlock(&ictx->compat_lock);
}

/* The compat IOAS with a shortterm reference, or -ENODEV */
static struct iommufd_ioas *iommufd_get_compat_ioas(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas = ERR_PTR(-ENODEV);

	mutex_lock(&ictx->compat_lock);
	if (ictx->vfio_ioas && iommufd_lock_obj(ictx, &ictx->vfio_ioas->obj))
		ioas = ictx->vfio_ioas;
	mutex_unlock(&ictx->compat_lock);
	return ioas;
}

int iommufd_vfio_ioas_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;

	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = iommufd_get_compat_ioas(ictx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		iommufd_put_object(ictx, &ioas->obj);
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

/**
 * iommufd_vfio_compat_ioas_get_id() - the ID of the context's compat IOAS
 * @ictx: context
 * @out_ioas_id: set to the ID
 *
 * VFIO's group path attaches devices to the compat IOAS.
 *
 * Return: 0, or -ENODEV if the context has no compat IOAS.
 */
int iommufd_vfio_compat_ioas_get_id(struct iommufd_ctx *ictx, u32 *out_ioas_id)
{
	struct iommufd_ioas *ioas;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	*out_ioas_id = ioas->obj.id;
	iommufd_put_object(ictx, &ioas->obj);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_ioas_get_id, IOMMUFD_VFIO_NS);

/**
 * iommufd_vfio_compat_ioas_create() - make sure the context has a compat IOAS
 * @ictx: context
 *
 * Called when a VFIO group is given the iommufd as its container. The IOAS
 * created here is an ordinary one: userspace sees and may destroy it.
 *
 * Return: 0 if the compat IOAS exists or was created, -EINVAL in no-iommu
 * mode, or an allocation error.
 */
int iommufd_vfio_compat_ioas_create(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;
	int rc = 0;

	mutex_lock(&ictx->compat_lock);
	if (ictx->no_iommu) {
		rc = -EINVAL;
		goto out_unlock;
	}
	/* One whose destroy has begun is as good as gone: replace it */
	if (ictx->vfio_ioas && iommufd_lock_obj(ictx, &ictx->vfio_ioas->obj)) {
		iommufd_put_object(ictx, &ictx->vfio_ioas->obj);
		goto out_unlock;
	}
	ioas = iommufd_ioas_alloc(ictx);
	if (IS_ERR(ioas)) {
		rc = PTR_ERR(ioas);
		goto out_unlock;
	}
	/* Its destroy clears the pointer under compat_lock, after this */
	ictx->vfio_ioas = ioas;
	iommufd_object_finalize(ictx, &ioas->obj);
out_unlock:
	mutex_unlock(&ictx->compat_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_ioas_create, IOMMUFD_VFIO_NS);

/**
 * iommufd_vfio_compat_set_no_iommu() - VFIO uses the context without an IOMMU
 * @ictx: context
 *
 * VFIO's no-iommu groups get no DMA isolation, so the context then has no
 * compat IOAS and refuses the type1 ioctls.
 *
 * Return: 0, or -EINVAL if the context already has a compat IOAS.
 */
int iommufd_vfio_compat_set_no_iommu(struct iommufd_ctx *ictx)
{
	int rc = 0;

	mutex_lock(&ictx->compat_lock);
	if (ictx->vfio_ioas)
		rc = -EINVAL;
	else
		ictx->no_iommu = true;
	mutex_unlock(&ictx->compat_lock);
	return rc;
}
EXPORT_SYMBOL_NS_GPL(iommufd_vfio_compat_set_no_iommu, IOMMUFD_VFIO_NS);

static bool iommufd_vfio_no_iommu(struct iommufd_ctx *ictx)
{
	bool no_iommu;

	mutex_lock(&ictx->compat_lock);
	no_iommu = ictx->no_iommu;
	mutex_unlock(&ictx->compat_lock);
	return no_iommu;
}

static int iommufd_vfio_check_extension(struct iommufd_ctx *ictx,
					unsigned long type)
{
	struct iommufd_ioas *ioas;
	int rc;

	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return !iommufd_vfio_no_iommu(ictx);
	case VFIO_DMA_CC_IOMMU:
		/* 1 if every HW page table of the compat IOAS enforces it */
		ioas = iommufd_get_compat_ioas(ictx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		rc = iopt_domains_enforce_cache_coherency(&ioas->iopt);
		iommufd_put_object(ictx, &ioas->obj);
		return rc;
	default:
		/* VFIO_NOIOMMU_IOMMU among them: no-iommu mode is not built */
		return 0;
	}
}

static int iommufd_vfio_set_iommu(struct iommufd_ctx *ictx, unsigned long type)
{
	struct iommufd_ioas *ioas;
	int rc = 0;

	if ((type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU) ||
	    iommufd_vfio_no_iommu(ictx))
		return -EINVAL;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* Type1 (v1) can unmap part of a mapping: no huge IOPTEs then */
	if (type == VFIO_TYPE1_IOMMU)
		rc = iopt_set_large_pages(&ioas->iopt, false);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

static int iommufd_vfio_map_dma(struct iommufd_ctx *ictx,
				void __user *arg)
{
	u32 supported_flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct vfio_iommu_type1_dma_map map;
	unsigned long iova;
	struct iommufd_ioas *ioas;
	int iommu_prot = 0;
	int rc;

	if (copy_from_user(&map, arg, offsetofend(typeof(map), size)))
		return -EFAULT;
	if (map.argsz < offsetofend(typeof(map), size) ||
	    map.flags & ~supported_flags)
		return -EINVAL;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		iommu_prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		iommu_prot |= IOMMU_WRITE;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	/* Exactly IOMMU_IOAS_MAP with FIXED_IOVA, flags 0 allowed */
	iova = map.iova;
	if (map.iova >= ULONG_MAX || map.size >= ULONG_MAX)
		rc = -EOVERFLOW;
	else
		rc = iopt_map_user_pages(ictx, &ioas->iopt, &iova,
					 u64_to_user_ptr(map.vaddr), map.size,
					 iommu_prot, 0);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/*
 * VFIO_IOMMU_UNMAP_DMA of a range. In type1 (v1) mode (huge pages off)
 * mappings are first split at the range's ends, so part of one can go.
 */
static int iommufd_vfio_unmap_range(struct iommufd_ioas *ioas, u64 iova,
				    u64 size, unsigned long *unmapped)
{
	struct io_pagetable *iopt = &ioas->iopt;
	unsigned long cuts[2];
	u64 end;
	int rc;

	*unmapped = 0;
	if (size && !check_add_overflow(iova, size, &end) &&
	    !iopt_large_pages_enabled(iopt)) {
		cuts[0] = iova;
		cuts[1] = end;
		rc = iopt_cut_iova(iopt, cuts, ARRAY_SIZE(cuts));
		if (rc)
			return rc;
	}
	rc = iopt_unmap_iova(iopt, iova, size, unmapped);
	/* As VFIO type1 (and 6.12.y): a range with no mapping is no error */
	if (rc == -ENOENT && !*unmapped &&
	    !iopt_area_intersects(iopt, iova, size))
		return 0;
	return rc;
}

static int iommufd_vfio_unmap_dma(struct iommufd_ctx *ictx,
				  void __user *arg)
{
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	int rc;

	if (copy_from_user(&unmap, arg, offsetofend(typeof(unmap), size)))
		return -EFAULT;
	if (unmap.argsz < offsetofend(typeof(unmap), size) ||
	    unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size)
			rc = -EINVAL;
		else
			rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		rc = iommufd_vfio_unmap_range(ioas, unmap.iova, unmap.size,
					      &unmapped);
	}
	iommufd_put_object(ictx, &ioas->obj);

	/* The unmapped size goes back even when the unmap failed */
	unmap.size = unmapped;
	if (copy_to_user(arg, &unmap, offsetofend(typeof(unmap), size)))
		rc = -EFAULT;
	return rc;
}

/* The IOVA-range capability's entries, grown as the ranges are walked */
struct iommufd_vfio_ranges {
	struct vfio_iova_range *ranges;
	u32 num;
	u32 capacity;
};

static int iommufd_vfio_collect_range(void *data, unsigned long start,
				      unsigned long last)
{
	struct iommufd_vfio_ranges *r = data;
	struct vfio_iova_range *grown;

	if (r->num == r->capacity) {
		if (iommufd_should_fail())
			return -ENOMEM;
		grown = krealloc_array(r->ranges, r->capacity * 2 + 4,
				       sizeof(*grown), GFP_KERNEL_ACCOUNT);
		if (!grown)
			return -ENOMEM;
		r->ranges = grown;
		r->capacity = r->capacity * 2 + 4;
	}
	r->ranges[r->num].start = start;
	r->ranges[r->num].end = last;
	r->num++;
	return 0;
}

/*
 * VFIO_IOMMU_GET_INFO: the header, then a DMA-avail and an IOVA-range
 * capability, each aligned to 8 bytes. Nothing is ever written at or past
 * the caller's argsz: a capability is written only if it fits whole, and a
 * capability's next link only if argsz reaches the one it points to.
 */
static int iommufd_vfio_iommu_get_info(struct iommufd_ctx *ictx,
				       void __user *arg)
{
	struct vfio_iommu_type1_info_dma_avail avail = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			    .version = 1 },
		.avail = U32_MAX,
	};
	struct vfio_iommu_type1_info_cap_iova_range cap_ranges = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			    .version = 1 },
	};
	struct iommufd_vfio_ranges r = {};
	struct vfio_iommu_type1_info info;
	size_t avail_off, ranges_off, total;
	u32 argsz;
	struct iommufd_ioas *ioas;
	unsigned long pgsizes;
	int rc;

	if (copy_from_user(&info, arg, offsetofend(typeof(info), iova_pgsizes)))
		return -EFAULT;
	if (info.argsz < offsetofend(typeof(info), iova_pgsizes))
		return -EINVAL;

	ioas = iommufd_get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = iopt_walk_usable_ranges(&ioas->iopt, iommufd_vfio_collect_range,
				     &r);
	/* What every domain supports, folded as uapi.md §6 says */
	pgsizes = iopt_domains_pgsize_bitmap(&ioas->iopt);
	if (pgsizes & (PAGE_SIZE - 1))
		pgsizes = (pgsizes & ~(PAGE_SIZE - 1)) | PAGE_SIZE;
	pgsizes = max(pgsizes, iopt_get_iova_alignment(&ioas->iopt));
	iommufd_put_object(ictx, &ioas->obj);
	if (rc)
		goto out_free;

	cap_ranges.nr_iovas = r.num;
	avail_off = sizeof(info);
	ranges_off = avail_off + ALIGN(sizeof(avail), sizeof(u64));
	total = ranges_off + sizeof(cap_ranges) +
		r.num * sizeof(struct vfio_iova_range);

	if (info.argsz >= ranges_off)
		avail.header.next = ranges_off;
	if (info.argsz >= avail_off + sizeof(avail) &&
	    copy_to_user(arg + avail_off, &avail, sizeof(avail))) {
		rc = -EFAULT;
		goto out_free;
	}
	if (info.argsz >= total &&
	    (copy_to_user(arg + ranges_off, &cap_ranges, sizeof(cap_ranges)) ||
	     copy_to_user(arg + ranges_off + sizeof(cap_ranges), r.ranges,
			  r.num * sizeof(struct vfio_iova_range)))) {
		rc = -EFAULT;
		goto out_free;
	}

	argsz = info.argsz;
	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = pgsizes;
	info.cap_offset = argsz >= total ? avail_off : 0;
	info.argsz = total;
	if (copy_to_user(arg, &info, min_t(size_t, argsz, sizeof(info))))
		rc = -EFAULT;
out_free:
	kfree(r.ranges);
	return rc;
}

/**
 * iommufd_vfio_ioctl() - the VFIO type1 container ioctls on /dev/iommu
 * @ictx: context
 * @cmd: ioctl number outside the iommufd table
 * @arg: its argument
 *
 * Return: the VFIO result, or -ENOTTY for anything else.
 */
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_SET_IOMMU:
		return iommufd_vfio_set_iommu(ictx, arg);
	case VFIO_CHECK_EXTENSION:
		return iommufd_vfio_check_extension(ictx, arg);
	case VFIO_IOMMU_GET_INFO:
		return iommufd_vfio_iommu_get_info(ictx, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return iommufd_vfio_map_dma(ictx, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return iommufd_vfio_unmap_dma(ictx, uarg);
	default:
		return -ENOTTY;
	}
}
