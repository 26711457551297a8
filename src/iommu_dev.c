// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel-IOMMU backend: real devices behind the kernel's IOMMU core
 * (struct iommufd_kdev: the checks of binding, IOMMU groups and their DMA
 * ownership, iommufd_ctx_has_group()) and their domains (struct
 * iommufd_kdomain: a paging or nested domain of the device's IOMMU driver,
 * filled with iommu_map()/iommu_unmap()). The exported device API that
 * binds and attaches them is device.c's, shared with the mock.
 *
 * Both plug into the generic code the way the test build's mock does:
 * struct iommufd_device_ops for the device (iommufd_kdev_ops), struct
 * iopt_domain_ops for its domains. What only real devices have lives here:
 *
 * Groups. The IOMMU core attaches domains to, and hands DMA ownership of,
 * whole IOMMU groups. A context tracks each group it has devices of in a
 * struct iommufd_group: DMA ownership is claimed with the group's first
 * bound device and released with its last unbind (per group on every
 * kernel: 6.1 has no per-device claim), and the group is attached to a
 * domain with its first attached device and detached with its last. All
 * attached devices of a group share that domain; attaching one elsewhere is
 * -EINVAL, and so is replacing the domain of one device while others of its
 * group are attached.
 *
 * Replace is a detach and an attach of the group. 6.1 has no atomic replace;
 * 6.12 has iommu_group_replace_domain(), but only for the in-tree iommufd
 * (namespace IOMMUFD_INTERNAL, declared in a private header), which we do
 * not borrow. Between the two steps the group sits on the core's blocking
 * domain, so DMA is blocked, never let through; a replace that fails moves
 * the group back, so its DMA may fault meanwhile even though nothing changed.
 *
 * Reserved regions. Each device's reserved regions (the x86 MSI window,
 * firmware regions) become reserved IOVA of the IOAS it attaches to, owned
 * by the device, and leave with it (the generic code calls add_reserved).
 * An IOMMU that remaps MSI writes through the domain itself (a software MSI
 * window, IOMMU_RESV_SW_MSI: ARM's SMMUs; never x86's) needs an MSI cookie
 * on the domain, which tells the DMA layer where in the window to map the
 * MSI doorbells: the first attach of a group with such a window gives the
 * domain one, at the window's start.
 *
 * Geometry. IOMMU drivers may narrow a domain's aperture, or add page
 * sizes, when a device first attaches (Intel's: to the IOMMU's address
 * width; the domain was allocated without knowing the IOMMU). The geometry
 * is read again after every attach that can change it and handed to
 * iopt_domain_set_geometry(), which updates the IOAS the domain is in under
 * its locks (or fails the attach, if mappings or allowed ranges lie outside
 * the new aperture).
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include <linux/iommufd.h>
#include "iommufd_private.h"

static bool allow_unsafe_interrupts;
module_param(allow_unsafe_interrupts, bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Bind devices whose interrupts cannot be isolated (MSI remapping)");

/* A group some devices of a context belong to */
struct iommufd_group {
	struct list_head item;		/* in ictx->groups */
	/* Bound devices; protected by ictx->groups_lock */
	unsigned int num_bound;
	struct iommu_group *group;
	/* Protects domain and num_attached */
	struct mutex lock;
	struct iommufd_kdomain *domain;
	unsigned int num_attached;
};

/* What a real device object knows of its device */
struct iommufd_kdev {
	struct device *dev;
	struct iommufd_group *igroup;
	/* Attached to igroup->domain; protected by igroup->lock */
	bool attached;
};

/* A paging domain of the kernel's IOMMU core */
struct iommufd_kdomain {
	struct iopt_domain domain;
	struct iommu_domain *kdom;
	/* With dirty_ops: IOMMU_HWPT_SET_DIRTY_TRACKING's state */
	bool dirty_tracking;
	/*
	 * It has an MSI cookie; protected by the mutex of its IOAS, which
	 * every attach holds
	 */
	bool msi_cookie;
	/*
	 * A nested domain's parent, which outlives it (the nested HW page
	 * table holds a reference on the parent's)
	 */
	struct iommufd_kdomain *parent;
};

static struct iommufd_kdomain *to_kdomain(struct iopt_domain *domain)
{
	return container_of(domain, struct iommufd_kdomain, domain);
}

static int iommufd_kdomain_map(struct iopt_domain *domain, unsigned long iova,
			       phys_addr_t paddr, size_t size, int prot)
{
	if (iommufd_should_fail())
		return -ENOMEM;
	return iommufd_iommu_map(to_kdomain(domain)->kdom, iova, paddr, size,
				 prot);
}

/* The core unmaps, then flushes the IOTLB before returning */
static size_t iommufd_kdomain_unmap(struct iopt_domain *domain,
				    unsigned long iova, size_t size)
{
	return iommu_unmap(to_kdomain(domain)->kdom, iova, size);
}

static phys_addr_t iommufd_kdomain_iova_to_phys(struct iopt_domain *domain,
						unsigned long iova)
{
	return iommu_iova_to_phys(to_kdomain(domain)->kdom, iova);
}

static void iommufd_kdomain_free(struct iopt_domain *domain)
{
	struct iommufd_kdomain *kdomain = to_kdomain(domain);

	/* This puts the MSI cookie too */
	iommu_domain_free(kdomain->kdom);
	iommufd_test_msi_cookies(-kdomain->msi_cookie);
	kfree(kdomain);
}

static bool iommufd_kdomain_enforce_cache_coherency(struct iopt_domain *domain)
{
	struct iommu_domain *kdom = to_kdomain(domain)->kdom;

	return kdom->ops->enforce_cache_coherency &&
	       kdom->ops->enforce_cache_coherency(kdom);
}

static const struct iopt_domain_ops iommufd_kdomain_ops = {
	.map = iommufd_kdomain_map,
	.unmap = iommufd_kdomain_unmap,
	.iova_to_phys = iommufd_kdomain_iova_to_phys,
	.free = iommufd_kdomain_free,
	.enforce_cache_coherency = iommufd_kdomain_enforce_cache_coherency,
};

static int iommufd_kdomain_set_dirty_tracking(struct iopt_domain *domain,
					      bool enable)
{
	struct iommufd_kdomain *kdomain = to_kdomain(domain);
	int rc;

	rc = iommufd_iommu_set_dirty_tracking(kdomain->kdom, enable);
	if (!rc)
		WRITE_ONCE(kdomain->dirty_tracking, enable);
	return rc;
}

/* One reading of a domain's dirty state, and the IOVA it made clean */
struct iommufd_kdomain_dirty_read {
	struct iommu_domain *kdom;
	unsigned long flush_first;
	unsigned long flush_last;
};

static int iommufd_kdomain_dirty_extent(void *priv, unsigned long iova,
					unsigned long length,
					unsigned long flags,
					unsigned long *first,
					unsigned long *last)
{
	struct iommufd_kdomain_dirty_read *read = priv;
	bool no_clear = flags & IOPT_DIRTY_NO_CLEAR;
	int rc;

	rc = iommufd_iommu_read_dirty_extent(read->kdom, iova, length,
					     no_clear, first, last);
	if (!rc && !no_clear && *first <= *last) {
		read->flush_first = min(read->flush_first, *first);
		read->flush_last = max(read->flush_last, *last);
	}
	return rc;
}

/*
 * The driver reports extents only (see iommufd_iommu_read_dirty_extent()):
 * read exactly through iopt_dirty_read_by_extent(); only cleaning needs one
 * call. The IOPTEs made clean are flushed from the IOTLB, or the IOMMU
 * would not set their dirty bits again.
 */
static int iommufd_kdomain_read_and_clear_dirty(struct iopt_domain *domain,
						unsigned long iova,
						unsigned long length,
						unsigned long flags,
						struct iopt_dirty_bitmap *bitmap)
{
	struct iommufd_kdomain *kdomain = to_kdomain(domain);
	struct iommufd_kdomain_dirty_read read = {
		.kdom = kdomain->kdom,
		.flush_first = ULONG_MAX,
	};
	unsigned long first, last;
	int rc;

	/* As the drivers have it: reading needs tracking on, cleaning not */
	if (bitmap && !READ_ONCE(kdomain->dirty_tracking))
		return -EINVAL;
	if (bitmap)
		rc = iopt_dirty_read_by_extent(iommufd_kdomain_dirty_extent,
					       &read,
					       1UL << __ffs(domain->pgsize_bitmap),
					       iova, length, flags, bitmap);
	else
		rc = iommufd_kdomain_dirty_extent(&read, iova, length, flags,
						  &first, &last);
	if (read.flush_first <= read.flush_last)
		iommufd_iommu_flush_range(kdomain->kdom, read.flush_first,
					  read.flush_last);
	return rc;
}

static const struct iopt_dirty_ops iommufd_kdomain_dirty_ops = {
	.set_dirty_tracking = iommufd_kdomain_set_dirty_tracking,
	.read_and_clear_dirty = iommufd_kdomain_read_and_clear_dirty,
};

static int iommufd_knested_cache_invalidate(struct iopt_domain *domain,
					    struct iommufd_user_data_array *array)
{
	return iommufd_iommu_cache_invalidate_user(to_kdomain(domain)->kdom,
						   array->type, array->uptr,
						   array->entry_len,
						   &array->entry_num);
}

/* A nested domain of the kernel's IOMMU core: no mapping of its own */
static const struct iopt_domain_ops iommufd_knested_ops = {
	.free = iommufd_kdomain_free,
	.cache_invalidate_user = iommufd_knested_cache_invalidate,
};

/*
 * What the IOMMU driver says of the domain now: at allocation, and after an
 * attach, which may have narrowed the aperture or added page sizes; the
 * IOAS the domain is in follows (iopt_domain_set_geometry()).
 */
static int iommufd_kdomain_read_geometry(struct iommufd_kdomain *kdomain)
{
	struct iommu_domain *kdom = kdomain->kdom;

	if (!kdom->geometry.force_aperture)
		return iopt_domain_set_geometry(&kdomain->domain,
						kdom->pgsize_bitmap, 0,
						ULONG_MAX);
	return iopt_domain_set_geometry(&kdomain->domain, kdom->pgsize_bitmap,
					kdom->geometry.aperture_start,
					kdom->geometry.aperture_end);
}

/*
 * The group's reserved regions (free them with iommufd_free_resv_regions());
 * test builds may add a software MSI window
 */
static int iommufd_group_resv_regions(struct iommu_group *group,
				      struct list_head *regions)
{
	int rc = iommu_get_group_resv_regions(group, regions);

	if (!rc)
		rc = iommufd_test_add_sw_msi(regions);
	return rc;
}

static void iommufd_free_resv_regions(struct list_head *regions)
{
	struct iommu_resv_region *region, *next;

	list_for_each_entry_safe(region, next, regions, list)
		kfree(region);
}

/*
 * Give the domain an MSI cookie at the group's software MSI window, if the
 * group has one and the domain no cookie yet (objects.md §5.2)
 */
static int iommufd_kdomain_msi_cookie(struct iommufd_kdomain *kdomain,
				      struct iommu_group *group)
{
	struct iommu_resv_region *region;
	phys_addr_t sw_msi = PHYS_ADDR_MAX;
	LIST_HEAD(regions);
	int rc;

	if (kdomain->msi_cookie)
		return 0;
	rc = iommufd_group_resv_regions(group, &regions);
	list_for_each_entry(region, &regions, list) {
		if (region->type == IOMMU_RESV_SW_MSI)
			sw_msi = region->start;
	}
	iommufd_free_resv_regions(&regions);
	if (rc || sw_msi == PHYS_ADDR_MAX)
		return rc;

	rc = iommufd_should_fail() ? -ENOMEM :
	     iommu_get_msi_cookie(kdomain->kdom, sw_msi);
	/* -ENODEV: no DMA layer (CONFIG_IOMMU_DMA) to map doorbells anyway */
	if (rc == -ENODEV)
		return 0;
	if (rc)
		return rc;
	kdomain->msi_cookie = true;
	iommufd_test_msi_cookies(1);
	return 0;
}

static struct iopt_domain *iommufd_kdev_domain_alloc(struct iommufd_device *idev)
{
	struct iommufd_kdev *kdev = idev->priv;
	struct iommufd_kdomain *kdomain;
	struct iommu_domain *kdom;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	kdomain = kzalloc(sizeof(*kdomain), GFP_KERNEL_ACCOUNT);
	if (!kdomain)
		return ERR_PTR(-ENOMEM);
	kdom = iommufd_iommu_paging_domain_alloc(kdev->dev);
	if (IS_ERR(kdom)) {
		kfree(kdomain);
		return ERR_CAST(kdom);
	}
	kdomain->kdom = kdom;
	kdomain->domain.ops = &iommufd_kdomain_ops;
	/* In no IOAS yet: cannot fail */
	iommufd_kdomain_read_geometry(kdomain);
	return &kdomain->domain;
}

/*
 * IOMMU_HWPT_ALLOC of a paging domain with @flags or driver @data: the
 * IOMMU driver's own allocation for userspace, on kernels that have it.
 * Dirty tracking comes with the driver's dirty operations.
 */
static struct iopt_domain *
iommufd_kdev_domain_alloc_user(struct iommufd_device *idev, u32 flags,
			       const struct iommufd_user_data *data)
{
	struct iommufd_kdev *kdev = idev->priv;
	struct iommufd_kdomain *kdomain;
	struct iommu_domain *kdom;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	kdomain = kzalloc(sizeof(*kdomain), GFP_KERNEL_ACCOUNT);
	if (!kdomain)
		return ERR_PTR(-ENOMEM);
	kdom = iommufd_iommu_domain_alloc_user(kdev->dev, flags, NULL,
					       data ? data->type : 0,
					       data ? data->uptr : NULL,
					       data ? data->len : 0);
	if (IS_ERR(kdom)) {
		kfree(kdomain);
		return ERR_CAST(kdom);
	}
	kdomain->kdom = kdom;
	kdomain->domain.ops = &iommufd_kdomain_ops;
	if (iommufd_iommu_domain_dirty(kdom))
		kdomain->domain.dirty_ops = &iommufd_kdomain_dirty_ops;
	/* In no IOAS yet: cannot fail */
	iommufd_kdomain_read_geometry(kdomain);
	return &kdomain->domain;
}

/*
 * IOMMU_HWPT_ALLOC of a nested domain on @parent, from driver @data: the
 * IOMMU driver's own allocation (Intel's VT-d stage 1, IOMMU_HWPT_DATA_VTD_S1,
 * where the IOMMU can nest)
 */
static struct iopt_domain *
iommufd_kdev_domain_alloc_nested(struct iommufd_device *idev,
				 struct iopt_domain *parent, u32 flags,
				 const struct iommufd_user_data *data)
{
	struct iommufd_kdev *kdev = idev->priv;
	struct iommufd_kdomain *kdomain;
	struct iommu_domain *kdom;

	if (parent->ops != &iommufd_kdomain_ops)
		return ERR_PTR(-EINVAL);
	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	kdomain = kzalloc(sizeof(*kdomain), GFP_KERNEL_ACCOUNT);
	if (!kdomain)
		return ERR_PTR(-ENOMEM);
	kdom = iommufd_iommu_domain_alloc_user(kdev->dev, flags,
					       to_kdomain(parent)->kdom,
					       data->type, data->uptr,
					       data->len);
	if (IS_ERR(kdom)) {
		kfree(kdomain);
		return ERR_CAST(kdom);
	}
	kdomain->kdom = kdom;
	kdomain->domain.ops = &iommufd_knested_ops;
	kdomain->parent = to_kdomain(parent);
	return &kdomain->domain;
}

/*
 * Attach the device's group to @domain, or join it there; while attached
 * elsewhere (a replace), move the group if the device is its only attached
 * one.
 */
static int iommufd_kdev_attach(struct iommufd_device *idev,
			       struct iopt_domain *domain)
{
	struct iommufd_kdev *kdev = idev->priv;
	struct iommufd_group *igroup = kdev->igroup;
	bool nested = domain->ops == &iommufd_knested_ops;
	struct iommufd_kdomain *kdomain, *old;
	int rc = 0;

	/* Another IOMMU's domain, or the test build's mock */
	if (domain->ops != &iommufd_kdomain_ops && !nested)
		return -EINVAL;
	kdomain = to_kdomain(domain);

	mutex_lock(&igroup->lock);
	old = igroup->domain;
	if (old == kdomain) {
		if (WARN_ON(kdev->attached)) {
			rc = -EINVAL;
			goto out_unlock;
		}
		igroup->num_attached++;
		goto out_attached;
	}
	if (old && !(kdev->attached && igroup->num_attached == 1)) {
		/* The group's other devices are attached elsewhere */
		rc = -EINVAL;
		goto out_unlock;
	}

	/*
	 * A nested domain maps nothing itself: no MSI cookie (the core gives
	 * only paging domains one), and no geometry of its own; attaching to
	 * it pairs its parent with the IOMMU, which may narrow the parent's
	 * as an attach to the parent would (Intel's does)
	 */
	if (!nested) {
		rc = iommufd_kdomain_msi_cookie(kdomain, igroup->group);
		if (rc)
			goto out_unlock;
	}
	if (old)
		iommu_detach_group(old->kdom, igroup->group);
	rc = iommu_attach_group(kdomain->kdom, igroup->group);
	if (!rc) {
		rc = iommufd_kdomain_read_geometry(nested ? kdomain->parent :
							    kdomain);
		if (rc)
			iommu_detach_group(kdomain->kdom, igroup->group);
	}
	if (rc) {
		/* It was attached there a moment ago */
		if (old)
			WARN_ON(iommu_attach_group(old->kdom, igroup->group));
		goto out_unlock;
	}
	igroup->num_attached = 1;
out_attached:
	igroup->domain = kdomain;
	kdev->attached = true;
out_unlock:
	mutex_unlock(&igroup->lock);
	return rc;
}

static void iommufd_kdev_detach(struct iommufd_device *idev,
				struct iopt_domain *domain)
{
	struct iommufd_kdev *kdev = idev->priv;
	struct iommufd_group *igroup = kdev->igroup;

	mutex_lock(&igroup->lock);
	if (WARN_ON(!kdev->attached || &igroup->domain->domain != domain))
		goto out_unlock;
	kdev->attached = false;
	if (--igroup->num_attached)
		goto out_unlock;
	/* DMA ownership is ours: the group falls back to blocking DMA */
	iommu_detach_group(igroup->domain->kdom, igroup->group);
	igroup->domain = NULL;
out_unlock:
	mutex_unlock(&igroup->lock);
}

/* The device's reserved regions become IOVA of @iopt reserved for it */
static int iommufd_kdev_add_reserved(struct iommufd_device *idev,
				     struct io_pagetable *iopt)
{
	struct iommufd_kdev *kdev = idev->priv;
	struct iommu_resv_region *region;
	LIST_HEAD(regions);
	int rc = 0;

	if (iommufd_should_fail())
		return -ENOMEM;
	rc = iommufd_group_resv_regions(kdev->igroup->group, &regions);
	list_for_each_entry(region, &regions, list) {
		/* May be mapped over once the device leaves the default domain */
		if (rc || region->type == IOMMU_RESV_DIRECT_RELAXABLE ||
		    !region->length)
			continue;
		rc = iopt_reserve_iova(iopt, region->start,
				       region->start + region->length - 1,
				       idev);
	}
	iommufd_free_resv_regions(&regions);
	if (rc)
		iopt_remove_reserved_iova(iopt, idev);
	return rc;
}

static void *iommufd_kdev_hw_info(struct iommufd_device *idev, u32 *length,
				  u32 *type)
{
	struct iommufd_kdev *kdev = idev->priv;

	return iommufd_iommu_hw_info(kdev->dev, length, type);
}

static bool iommufd_kdev_dirty_tracking(struct iommufd_device *idev)
{
	struct iommufd_kdev *kdev = idev->priv;

	return iommufd_iommu_dirty_capable(kdev->dev);
}

static bool iommufd_kdev_enforce_cc_capable(struct iommufd_device *idev)
{
	struct iommufd_kdev *kdev = idev->priv;

	return iommufd_iommu_enforce_cc_capable(kdev->dev);
}

const struct iommufd_device_ops iommufd_kdev_ops = {
	.domain_alloc_paging = iommufd_kdev_domain_alloc,
	.domain_alloc_user = iommufd_kdev_domain_alloc_user,
	.domain_alloc_nested = iommufd_kdev_domain_alloc_nested,
	.dirty_tracking = iommufd_kdev_dirty_tracking,
	.enforce_cc_capable = iommufd_kdev_enforce_cc_capable,
	.attach = iommufd_kdev_attach,
	.detach = iommufd_kdev_detach,
	.add_reserved = iommufd_kdev_add_reserved,
	.hw_info = iommufd_kdev_hw_info,
};

/*
 * The context's record of @group with one more bound device; the first
 * claims DMA ownership of the group for the context.
 */
static struct iommufd_group *iommufd_group_get(struct iommufd_ctx *ictx,
					       struct iommu_group *group)
{
	struct iommufd_group *igroup;
	int rc;

	mutex_lock(&ictx->groups_lock);
	list_for_each_entry(igroup, &ictx->groups, item) {
		if (igroup->group == group) {
			igroup->num_bound++;
			goto out_unlock;
		}
	}

	igroup = iommufd_should_fail() ? NULL :
		 kzalloc(sizeof(*igroup), GFP_KERNEL_ACCOUNT);
	if (!igroup) {
		igroup = ERR_PTR(-ENOMEM);
		goto out_unlock;
	}
	/* 6.1 says -EPERM when someone else owns the group */
	rc = iommu_group_claim_dma_owner(group, ictx);
	if (rc) {
		kfree(igroup);
		igroup = ERR_PTR(rc == -EPERM ? -EBUSY : rc);
		goto out_unlock;
	}
	iommu_group_ref_get(group);
	igroup->group = group;
	igroup->num_bound = 1;
	mutex_init(&igroup->lock);
	list_add_tail(&igroup->item, &ictx->groups);
out_unlock:
	mutex_unlock(&ictx->groups_lock);
	return igroup;
}

static void iommufd_group_put(struct iommufd_ctx *ictx,
			      struct iommufd_group *igroup)
{
	mutex_lock(&ictx->groups_lock);
	if (--igroup->num_bound) {
		mutex_unlock(&ictx->groups_lock);
		return;
	}
	list_del(&igroup->item);
	WARN_ON(igroup->domain);
	/* Under the lock: a sibling's bind must not find the group owned */
	iommu_group_release_dma_owner(igroup->group);
	mutex_unlock(&ictx->groups_lock);

	iommu_group_put(igroup->group);
	mutex_destroy(&igroup->lock);
	kfree(igroup);
}

/**
 * iommufd_kdev_alloc() - what a DEVICE object of a real device needs
 * @ictx: the context to bind to
 * @dev: a device behind an IOMMU
 *
 * The checks of binding, in the spec's order (objects.md §5.1), then the
 * context's record of the device's IOMMU group, whose first bound device
 * claims DMA ownership of the whole group for the context. The result is
 * the private data of a device with iommufd_kdev_ops.
 *
 * Return: the device's record, or ERR_PTR: -EINVAL if the IOMMU cannot keep
 * DMA cache coherent, -ENODEV without an IOMMU group, -EPERM if interrupts
 * cannot be isolated (unless allow_unsafe_interrupts), -EBUSY if a kernel
 * driver or another owner uses the group, -ENOMEM.
 */
struct iommufd_kdev *iommufd_kdev_alloc(struct iommufd_ctx *ictx,
					struct device *dev)
{
	struct iommufd_group *igroup;
	struct iommu_group *group;
	struct iommufd_kdev *kdev;
	int rc;

	if (!device_iommu_capable(dev, IOMMU_CAP_CACHE_COHERENCY))
		return ERR_PTR(-EINVAL);
	group = iommu_group_get(dev);
	if (!group)
		return ERR_PTR(-ENODEV);
	if (!allow_unsafe_interrupts &&
	    !iommufd_group_has_isolated_msi(group)) {
		rc = -EPERM;
		goto out_put_group;
	}

	igroup = iommufd_group_get(ictx, group);
	if (IS_ERR(igroup)) {
		rc = PTR_ERR(igroup);
		goto out_put_group;
	}
	kdev = iommufd_should_fail() ? NULL :
	       kzalloc(sizeof(*kdev), GFP_KERNEL_ACCOUNT);
	if (!kdev) {
		rc = -ENOMEM;
		goto out_put_igroup;
	}
	kdev->dev = get_device(dev);
	kdev->igroup = igroup;
	/* The group record holds its own reference */
	iommu_group_put(group);
	return kdev;

out_put_igroup:
	iommufd_group_put(ictx, igroup);
out_put_group:
	iommu_group_put(group);
	return ERR_PTR(rc);
}

/**
 * iommufd_kdev_free() - undo iommufd_kdev_alloc()
 * @ictx: the context it was allocated for
 * @kdev: the device's record, of no DEVICE object any more
 *
 * Releases DMA ownership of the group with its last bound device.
 */
void iommufd_kdev_free(struct iommufd_ctx *ictx, struct iommufd_kdev *kdev)
{
	iommufd_group_put(ictx, kdev->igroup);
	put_device(kdev->dev);
	kfree(kdev);
}

/**
 * iommufd_ctx_has_group() - does a context have a device of a group bound?
 * @ictx: a context, or NULL
 * @group: an IOMMU group, or NULL
 *
 * Return: true iff some bound device of @ictx is in @group.
 */
bool iommufd_ctx_has_group(struct iommufd_ctx *ictx, struct iommu_group *group)
{
	struct iommufd_group *igroup;
	bool found = false;

	if (!ictx || !group)
		return false;
	mutex_lock(&ictx->groups_lock);
	list_for_each_entry(igroup, &ictx->groups, item) {
		if (igroup->group == group) {
			found = true;
			break;
		}
	}
	mutex_unlock(&ictx->groups_lock);
	return found;
}
EXPORT_SYMBOL_NS_GPL(iommufd_ctx_has_group, IOMMUFD_NS);
