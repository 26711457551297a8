/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: x86_64's PMD size */
#ifndef SHIM_LINUX_HUGE_MM_H
#define SHIM_LINUX_HUGE_MM_H

#include <linux/mm.h>

#define HPAGE_PMD_SIZE (1UL << 21)

#endif
