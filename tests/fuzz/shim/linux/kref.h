/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: single-threaded reference counts */
#ifndef SHIM_LINUX_KREF_H
#define SHIM_LINUX_KREF_H

#include <linux/bug.h>

struct kref {
	unsigned int refcount;
};

static inline void kref_init(struct kref *kref)
{
	kref->refcount = 1;
}

static inline void kref_get(struct kref *kref)
{
	WARN_ON(!kref->refcount++);
}

static inline int kref_put(struct kref *kref, void (*release)(struct kref *))
{
	WARN_ON(!kref->refcount);
	if (--kref->refcount)
		return 0;
	release(kref);
	return 1;
}

#endif
