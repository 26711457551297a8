// SPDX-License-Identifier: GPL-2.0-only
/* iommu_paging_domain_alloc(dev) (6.11+) replaces iommu_domain_alloc(bus) */
#include <linux/iommu.h>

struct iommu_domain *probe(struct device *dev);
struct iommu_domain *probe(struct device *dev)
{
	return iommu_paging_domain_alloc(dev);
}
