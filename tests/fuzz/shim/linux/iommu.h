/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: the IOMMU protection bits */
#ifndef SHIM_LINUX_IOMMU_H
#define SHIM_LINUX_IOMMU_H

#define IOMMU_READ (1 << 0)
#define IOMMU_WRITE (1 << 1)
#define IOMMU_CACHE (1 << 2)

#endif
