// SPDX-License-Identifier: GPL-2.0-only
/* iommu_group_has_isolated_msi() (6.3+) */
#include <linux/iommu.h>

bool probe(struct iommu_group *group);
bool probe(struct iommu_group *group)
{
	return iommu_group_has_isolated_msi(group);
}
