// SPDX-License-Identifier: GPL-2.0-only
/* IOMMUs say whether they can enforce cache coherency (6.2+) */
#include <linux/iommu.h>

bool probe(struct device *dev);
bool probe(struct device *dev)
{
	return device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
}
