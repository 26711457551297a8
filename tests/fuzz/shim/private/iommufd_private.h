/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: what pages.c takes from the module's private header and
 * compat.h (src/iommufd_private.h, src/compat.h), and nothing else. The
 * pin target compiles a copy of src/pages.c that finds this file first.
 */
#ifndef SHIM_IOMMUFD_PRIVATE_H
#define SHIM_IOMMUFD_PRIVATE_H

#include <linux/err.h>
#include <linux/iommufd.h>
#include <fuzz_mm.h>

#include "io_pagetable.h"

enum iommufd_account_mode {
	IOMMUFD_ACCOUNT_NONE,
	IOMMUFD_ACCOUNT_USER,
	IOMMUFD_ACCOUNT_MM,
};

struct iommufd_ctx {
	enum iommufd_account_mode account_mode;
};

#define IOMMUFD_ACCESS_RW_SLOW_PATH BIT(2)

/* 6.1 (true) or later kernels: the input chooses */
extern bool fuzz_ro_pin_breaks_cow;
#define IOMMUFD_RO_PIN_BREAKS_COW fuzz_ro_pin_breaks_cow
/* Likewise: 6.1's long-term pins cannot wait for a page to be faulted in */
#define IOMMUFD_LONGTERM_PIN_WAITS (!fuzz_ro_pin_breaks_cow)

static inline long iommufd_pin_user_pages_remote(struct mm_struct *mm,
						 unsigned long start,
						 unsigned long nr_pages,
						 unsigned int gup_flags,
						 struct page **pages,
						 int *locked)
{
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     locked);
}

#endif
