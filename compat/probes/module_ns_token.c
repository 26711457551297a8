// SPDX-License-Identifier: GPL-2.0-only
/* Symbol namespaces are bare tokens (until 6.13, string literals after) */
#include <linux/module.h>
MODULE_IMPORT_NS(IOMMUFD_PROBE);
MODULE_LICENSE("GPL");
