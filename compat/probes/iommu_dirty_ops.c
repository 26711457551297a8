// SPDX-License-Identifier: GPL-2.0-only
/* IOMMU domains track dirty IOPTEs (struct iommu_dirty_ops, 6.7+) */
#include <linux/iommu.h>

struct iommu_domain *probe(struct device *dev, struct iommu_domain *domain,
			   struct iommu_iotlb_gather *gather);
struct iommu_domain *probe(struct device *dev, struct iommu_domain *domain,
			   struct iommu_iotlb_gather *gather)
{
	struct iommu_dirty_bitmap dirty;

	if (!device_iommu_capable(dev, IOMMU_CAP_DIRTY_TRACKING))
		return NULL;
	iommu_dirty_bitmap_init(&dirty, NULL, gather);
	if (domain->dirty_ops->read_and_clear_dirty(domain, 0, 1,
						    IOMMU_DIRTY_NO_CLEAR,
						    &dirty))
		return NULL;
	return domain;
}
