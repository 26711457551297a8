/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: the flags of iommufd_access_rw() (include/linux/iommufd.h) */
#ifndef SHIM_LINUX_IOMMUFD_H
#define SHIM_LINUX_IOMMUFD_H

enum {
	IOMMUFD_ACCESS_RW_READ = 0,
	IOMMUFD_ACCESS_RW_WRITE = 1 << 0,
	IOMMUFD_ACCESS_RW_KTHREAD = 1 << 1,
};

#endif
