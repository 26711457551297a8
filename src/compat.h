/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernels we build for lives here. Decisions
 * are made on HAVE_* macros that compat/probe.sh derives by compiling the
 * small programs in compat/probes/ against the target kernel's headers
 * (one HAVE_<NAME> per probes/<name>.c that compiles), never on version
 * numbers.
 */
#ifndef IOMMUFD_COMPAT_H
#define IOMMUFD_COMPAT_H

#include <linux/device.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/irqdomain.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "compat_probed.h"

/*
 * The symbol namespaces of our exports (IOMMUFD; IOMMUFD_VFIO for the VFIO
 * compat helpers), for EXPORT_SYMBOL_NS_GPL() and
 * MODULE_IMPORT_NS(): a bare token until 6.13, a string literal after.
 */
#ifdef HAVE_MODULE_NS_TOKEN
#define IOMMUFD_NS IOMMUFD
#define IOMMUFD_VFIO_NS IOMMUFD_VFIO
#else
#define IOMMUFD_NS "IOMMUFD"
#define IOMMUFD_VFIO_NS "IOMMUFD_VFIO"
#endif

/*
 * pin_user_pages_remote() lost its vmas argument in 6.5. The kernels with
 * it (6.1 among them) also refuse @locked with FOLL_LONGTERM (WARN and
 * -EINVAL): pass NULL, the lock is then never dropped, *locked stays 1 and
 * the caller unlocks as usual.
 */
static inline long iommufd_pin_user_pages_remote(struct mm_struct *mm,
						 unsigned long start,
						 unsigned long nr_pages,
						 unsigned int gup_flags,
						 struct page **pages,
						 int *locked)
{
#ifdef HAVE_PIN_USER_PAGES_REMOTE_NOVMAS
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     locked);
#else
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL, NULL);
#endif
}

/*
 * With @locked, a long-term pin can drop the mmap_lock to wait for a fault
 * handler (userfaultfd) to provide a missing page. The kernels that refuse
 * @locked with FOLL_LONGTERM (above; pin_user_pages_fast() too, in its slow
 * path) fail the pin with -EFAULT instead: the caller faults the page in
 * first (fixup_user_fault(), which may wait) and pins again.
 */
#ifdef HAVE_PIN_USER_PAGES_REMOTE_NOVMAS
#define IOMMUFD_LONGTERM_PIN_WAITS true
#else
#define IOMMUFD_LONGTERM_PIN_WAITS false
#endif

/*
 * A read-only long-term pin must leave device and CPU on the same page even
 * when the process writes it later. Since 6.2 GUP sees to it by breaking
 * COW of whatever it pins in a private ("COW") mapping first. Before, its
 * unshare decision knew no VMA (gup_must_unshare(flags, page)) and covered
 * anonymous pages only: pinned page cache pages and the zero page were
 * replaced in the process by the write's COW. There pages.c breaks COW
 * itself when pinning.
 */
#ifdef HAVE_GUP_MUST_UNSHARE_NOVMA
#define IOMMUFD_RO_PIN_BREAKS_COW true
#else
#define IOMMUFD_RO_PIN_BREAKS_COW false
#endif

/* iommu_map() gained a gfp_t in 6.3; the older one allocates GFP_KERNEL */
static inline int iommufd_iommu_map(struct iommu_domain *domain,
				    unsigned long iova, phys_addr_t paddr,
				    size_t size, int prot)
{
#ifdef HAVE_IOMMU_MAP_GFP
	return iommu_map(domain, iova, paddr, size, prot, GFP_KERNEL_ACCOUNT);
#else
	return iommu_map(domain, iova, paddr, size, prot);
#endif
}

/*
 * A paging domain for @dev: iommu_paging_domain_alloc() (6.11+, ERR_PTR on
 * failure) or, before, iommu_domain_alloc() of its bus (NULL on failure).
 */
static inline struct iommu_domain *
iommufd_iommu_paging_domain_alloc(struct device *dev)
{
#ifdef HAVE_IOMMU_PAGING_DOMAIN_ALLOC
	return iommu_paging_domain_alloc(dev);
#else
	return iommu_domain_alloc(dev->bus) ?: ERR_PTR(-ENOMEM);
#endif
}

#ifndef HAVE_IOMMU_GROUP_HAS_ISOLATED_MSI
static inline int iommufd_dev_intr_remap(struct device *dev, void *data)
{
	return !device_iommu_capable(dev, IOMMU_CAP_INTR_REMAP);
}
#endif

/*
 * Can the devices of @group be kept from raising interrupts they do not
 * own (MSI remapping)? Before 6.3: every MSI irq domain remaps, or the
 * IOMMU of every device of the group remaps interrupts.
 */
static inline bool iommufd_group_has_isolated_msi(struct iommu_group *group)
{
#ifdef HAVE_IOMMU_GROUP_HAS_ISOLATED_MSI
	return iommu_group_has_isolated_msi(group);
#else
	return irq_domain_check_msi_remap() ||
	       !iommu_group_for_each_dev(group, NULL, iommufd_dev_intr_remap);
#endif
}

/*
 * The IOMMU driver's description of itself for IOMMU_GET_HW_INFO (6.6+:
 * struct iommu_ops::hw_info): kmalloc'ed data, NULL if it offers none.
 */
static inline void *iommufd_iommu_hw_info(struct device *dev, u32 *length,
					  u32 *type)
{
#ifdef HAVE_IOMMU_OPS_HW_INFO
	/* dev_iommu_ops() is private to the IOMMU core since 6.8 */
	const struct iommu_ops *ops = dev->iommu->iommu_dev->ops;

	if (ops->hw_info)
		return ops->hw_info(dev, length, type);
#endif
	return NULL;
}

/*
 * A domain for userspace from the IOMMU driver of @dev (6.7+:
 * iommu_ops::domain_alloc_user): IOMMU_HWPT_ALLOC @flags, a nesting @parent
 * and driver data (@len bytes at @uptr, of @type; @len 0: none). The driver
 * fills the domain in but for its owner, which the IOMMU core checks at
 * attach.
 */
static inline struct iommu_domain *
iommufd_iommu_domain_alloc_user(struct device *dev, u32 flags,
				struct iommu_domain *parent, u32 type,
				void __user *uptr, u32 len)
{
#ifdef HAVE_IOMMU_DOMAIN_ALLOC_USER
	const struct iommu_ops *ops = dev->iommu->iommu_dev->ops;
	struct iommu_user_data data = { .type = type, .uptr = uptr, .len = len };
	struct iommu_domain *kdom;

	if (!ops->domain_alloc_user)
		return ERR_PTR(-EOPNOTSUPP);
	kdom = ops->domain_alloc_user(dev, flags, parent, len ? &data : NULL);
	if (IS_ERR(kdom))
		return kdom;
	if (!kdom)
		return ERR_PTR(-ENOMEM);
	if (!kdom->owner)
		kdom->owner = ops;
	return kdom;
#else
	return ERR_PTR(-EOPNOTSUPP);
#endif
}

/*
 * Cache invalidation requests for a nested domain (6.8+:
 * iommu_domain_ops::cache_invalidate_user): *@entry_num of @entry_len bytes
 * at @uptr, of @type; *@entry_num becomes the number handled.
 */
static inline int iommufd_iommu_cache_invalidate_user(struct iommu_domain *kdom,
						      u32 type,
						      void __user *uptr,
						      u32 entry_len,
						      u32 *entry_num)
{
#ifdef HAVE_IOMMU_CACHE_INVALIDATE_USER
	struct iommu_user_data_array array = {
		.type = type,
		.uptr = uptr,
		.entry_len = entry_len,
		.entry_num = *entry_num,
	};
	int rc = -EOPNOTSUPP;

	if (kdom->ops->cache_invalidate_user)
		rc = kdom->ops->cache_invalidate_user(kdom, &array);
	*entry_num = kdom->ops->cache_invalidate_user ? array.entry_num : 0;
	return rc;
#else
	*entry_num = 0;
	return -EOPNOTSUPP;
#endif
}

/*
 * The device's IOMMU can keep a domain's DMA coherent whatever the device
 * asks (6.2+); before, only an attached domain can tell
 */
static inline bool iommufd_iommu_enforce_cc_capable(struct device *dev)
{
#ifdef HAVE_IOMMU_CAP_ENFORCE_CC
	return device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
#else
	return false;
#endif
}

/* Dirty tracking of domains (6.7+: struct iommu_dirty_ops) */
static inline bool iommufd_iommu_dirty_capable(struct device *dev)
{
#ifdef HAVE_IOMMU_DIRTY_OPS
	return device_iommu_capable(dev, IOMMU_CAP_DIRTY_TRACKING);
#else
	return false;
#endif
}

static inline bool iommufd_iommu_domain_dirty(struct iommu_domain *kdom)
{
#ifdef HAVE_IOMMU_DIRTY_OPS
	return kdom->dirty_ops;
#else
	return false;
#endif
}

static inline int iommufd_iommu_set_dirty_tracking(struct iommu_domain *kdom,
						   bool enable)
{
#ifdef HAVE_IOMMU_DIRTY_OPS
	return kdom->dirty_ops->set_dirty_tracking(kdom, enable);
#else
	return -EOPNOTSUPP;
#endif
}

/*
 * One read_and_clear_dirty() of the driver over [@iova, @iova + @length),
 * clearing unless @no_clear. Debian's kernels lack CONFIG_IOMMUFD_DRIVER,
 * so the driver cannot fill a struct iova_bitmap (iova_bitmap_set() is an
 * empty stub there); what it does record is the IOTLB gather of the dirty
 * IOPTEs: their extent, [*first, *last] (*first > *last: none).
 */
static inline int iommufd_iommu_read_dirty_extent(struct iommu_domain *kdom,
						  unsigned long iova,
						  unsigned long length,
						  bool no_clear,
						  unsigned long *first,
						  unsigned long *last)
{
#ifdef HAVE_IOMMU_DIRTY_OPS
	struct iommu_iotlb_gather gather;
	struct iommu_dirty_bitmap dirty;
	int rc;

	iommu_dirty_bitmap_init(&dirty, NULL, &gather);
	rc = kdom->dirty_ops->read_and_clear_dirty(kdom, iova, length,
						   no_clear ?
							   IOMMU_DIRTY_NO_CLEAR :
							   0,
						   &dirty);
	*first = gather.start;
	*last = gather.end;
	return rc;
#else
	return -EOPNOTSUPP;
#endif
}

/* Flush the IOTLB of [@first, @last], e.g. of IOPTEs made clean */
static inline void iommufd_iommu_flush_range(struct iommu_domain *kdom,
					     unsigned long first,
					     unsigned long last)
{
	struct iommu_iotlb_gather gather;

	iommu_iotlb_gather_init(&gather);
	iommu_iotlb_gather_add_range(&gather, first, last - first + 1);
	iommu_iotlb_sync(kdom, &gather);
}

/* Set flags of a VMA being set up: vm_flags_set() since 6.3 */
static inline void iommufd_vm_flags_set(struct vm_area_struct *vma,
					vm_flags_t flags)
{
#ifdef HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif
