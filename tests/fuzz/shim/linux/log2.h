/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: the powers of two the kernel's log2.h and bitops give */
#ifndef SHIM_LINUX_LOG2_H
#define SHIM_LINUX_LOG2_H

#include <linux/bug.h>
#include <linux/types.h>

static inline unsigned long __ffs(unsigned long word)
{
	return __builtin_ctzl(word);
}

static inline unsigned long __fls(unsigned long word)
{
	return 63 - __builtin_clzl(word);
}

/* Like the kernel's: undefined for 0 and above 2^63, so it aborts */
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	BUG_ON(!n || n > (1UL << 63));
	return n == 1 ? 1 : 1UL << (__fls(n - 1) + 1);
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	BUG_ON(!n);
	return 1UL << __fls(n);
}

#endif
