// SPDX-License-Identifier: GPL-2.0-only
/* iommu_map() takes a gfp_t (6.3+) */
#include <linux/iommu.h>

static int __maybe_unused probe(struct iommu_domain *domain)
{
	return iommu_map(domain, 0, 0, 0, 0, GFP_KERNEL);
}
