/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: the C library's allocator, which ASan watches */
#ifndef SHIM_LINUX_SLAB_H
#define SHIM_LINUX_SLAB_H

#include <stdlib.h>
#include <linux/types.h>

#define GFP_KERNEL 0u
#define GFP_KERNEL_ACCOUNT 0u
#define __GFP_NOWARN 0u
#define __GFP_NORETRY 0u

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return calloc(1, size);
}

static inline void *kmalloc(size_t size, gfp_t gfp)
{
	return malloc(size);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return reallocarray(NULL, n, size);
}

static inline void *krealloc_array(void *p, size_t n, size_t size, gfp_t gfp)
{
	return reallocarray(p, n, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

#define kvmalloc_array kmalloc_array
#define kvfree kfree

#endif
