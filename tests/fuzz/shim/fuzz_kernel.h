/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: force-included into every file of the harness, as the kernel
 * force-includes its kconfig and compiler headers. The configuration is
 * Debian's amd64 one where it matters (4 KiB pages, transparent huge
 * pages); IOMMUFD_TEST makes iommufd_should_fail() the harness's, so that
 * the inputs choose which allocation fails.
 */
#ifndef SHIM_FUZZ_KERNEL_H
#define SHIM_FUZZ_KERNEL_H

#include <errno.h>
#include <linux/types.h>
#include <linux/compiler.h>

#define CONFIG_TRANSPARENT_HUGEPAGE 1
#define IS_ENABLED(option) (option + 0)

#define IOMMUFD_TEST 1

#define BIT(nr) (1UL << (nr))
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))

/* A WARN or BUG in the code under test is a failure of the run */
void fuzz_kernel_warn(const char *file, int line, const char *cond)
	__attribute__((noreturn));

#endif
