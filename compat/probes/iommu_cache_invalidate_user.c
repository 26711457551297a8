// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested domains take cache invalidation requests from userspace
 * (struct iommu_domain_ops::cache_invalidate_user, 6.8+)
 */
#include <linux/iommu.h>

struct iommu_domain *probe(struct iommu_domain *domain,
			   struct iommu_user_data_array *array);
struct iommu_domain *probe(struct iommu_domain *domain,
			   struct iommu_user_data_array *array)
{
	if (domain->ops->cache_invalidate_user(domain, array))
		return NULL;
	return domain;
}
