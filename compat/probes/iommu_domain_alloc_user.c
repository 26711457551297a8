// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU drivers allocate domains for userspace with flags, a nesting
 * parent and driver data (struct iommu_ops::domain_alloc_user, 6.7+)
 */
#include <linux/iommu.h>

struct iommu_domain *probe(struct device *dev, struct iommu_domain *parent,
			   const struct iommu_user_data *data);
struct iommu_domain *probe(struct device *dev, struct iommu_domain *parent,
			   const struct iommu_user_data *data)
{
	const struct iommu_ops *ops = dev->iommu->iommu_dev->ops;

	return ops->domain_alloc_user(dev, 0, parent, data);
}
