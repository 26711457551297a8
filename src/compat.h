/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernels we build for lives here. Decisions
 * are made on HAVE_* macros that compat/probe.sh derives by compiling the
 * small programs in compat/probes/ against the target kernel's headers
 * (one HAVE_<NAME> per probes/<name>.c that compiles), never on version
 * numbers.
 */
#ifndef IOMMUFD_COMPAT_H
#define IOMMUFD_COMPAT_H

#include <linux/export.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "compat_probed.h"

/*
 * The symbol namespace of our exports, for EXPORT_SYMBOL_NS_GPL() and
 * MODULE_IMPORT_NS(): a bare token until 6.13, a string literal after.
 */
#ifdef HAVE_MODULE_NS_TOKEN
#define IOMMUFD_NS IOMMUFD
#else
#define IOMMUFD_NS "IOMMUFD"
#endif

/*
 * pin_user_pages_remote() lost its vmas argument in 6.5. The kernels with
 * it (6.1 among them) also refuse @locked with FOLL_LONGTERM (WARN and
 * -EINVAL): pass NULL, the lock is then never dropped, *locked stays 1 and
 * the caller unlocks as usual.
 */
static inline long iommufd_pin_user_pages_remote(struct mm_struct *mm,
						 unsigned long start,
						 unsigned long nr_pages,
						 unsigned int gup_flags,
						 struct page **pages,
						 int *locked)
{
#ifdef HAVE_PIN_USER_PAGES_REMOTE_NOVMAS
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     locked);
#else
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL, NULL);
#endif
}

#endif
