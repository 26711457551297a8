// SPDX-License-Identifier: GPL-2.0-only
/* IOMMU drivers report hardware information (struct iommu_ops::hw_info, 6.6+) */
#include <linux/device.h>
#include <linux/iommu.h>

void *probe(struct device *dev, u32 *length, u32 *type);
void *probe(struct device *dev, u32 *length, u32 *type)
{
	const struct iommu_ops *ops = dev->iommu->iommu_dev->ops;

	return ops->hw_info ? ops->hw_info(dev, length, type) : NULL;
}
