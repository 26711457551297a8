/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: min and max evaluate each argument once; their type checks
 * are the kernel builds' business
 */
#ifndef SHIM_LINUX_MINMAX_H
#define SHIM_LINUX_MINMAX_H

#include <linux/compiler.h>

#define __shim_cmp(x, y, op) ({						\
	__typeof__(x) __x = (x);					\
	__typeof__(y) __y = (y);					\
	__x op __y ? __x : __y;						\
})
#define min(x, y) __shim_cmp(x, y, <)
#define max(x, y) __shim_cmp(x, y, >)
#define min_t(type, x, y) min((type)(x), (type)(y))
#define max_t(type, x, y) max((type)(x), (type)(y))
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)

#endif
