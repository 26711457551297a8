/* SPDX-License-Identifier: GPL-2.0-only */
/* The one place the version lives; dkms.conf must match (make style checks) */
#ifndef IOMMUFD_VERSION_H
#define IOMMUFD_VERSION_H

#define IOMMUFD_VERSION "0.1.0"

#endif
