/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: an xarray as a plain array of (index, entry) pairs, enough
 * for value entries in small index spaces. xa_store() may fail when the
 * harness says so, like the kernel's under memory pressure.
 */
#ifndef SHIM_LINUX_XARRAY_H
#define SHIM_LINUX_XARRAY_H

#include <stdlib.h>
#include <linux/bug.h>
#include <linux/types.h>

struct xa_slot {
	unsigned long index;
	void *entry;
};

struct xarray {
	struct xa_slot *slots;
	unsigned int n, size;
};

#define XA_FLAGS_ALLOC 0

static inline void xa_init(struct xarray *xa)
{
	xa->slots = NULL;
	xa->n = 0;
	xa->size = 0;
}

#define xa_init_flags(xa, flags) xa_init(xa)

static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}

static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}

#define XA_ERROR(errno) ((void *)(((unsigned long)(errno) << 2) | 2UL))

static inline bool xa_is_err(const void *entry)
{
	return ((unsigned long)entry & 3) == 2 &&
	       (unsigned long)entry > (unsigned long)-4096 << 2;
}

static inline int xa_err(void *entry)
{
	return xa_is_err(entry) ? (long)entry >> 2 : 0;
}

static inline struct xa_slot *xa_find_slot(struct xarray *xa,
					   unsigned long index)
{
	unsigned int i;

	for (i = 0; i < xa->n; i++)
		if (xa->slots[i].index == index)
			return &xa->slots[i];
	return NULL;
}

static inline void *xa_load(struct xarray *xa, unsigned long index)
{
	struct xa_slot *slot = xa_find_slot(xa, index);

	return slot ? slot->entry : NULL;
}

static inline void *xa_erase(struct xarray *xa, unsigned long index)
{
	struct xa_slot *slot = xa_find_slot(xa, index);
	void *old;

	if (!slot)
		return NULL;
	old = slot->entry;
	*slot = xa->slots[--xa->n];
	return old;
}

static inline void *xa_store(struct xarray *xa, unsigned long index,
			     void *entry, gfp_t gfp)
{
	struct xa_slot *slot = xa_find_slot(xa, index);
	void *old;

	if (!entry)
		return xa_erase(xa, index);
	if (slot) {
		old = slot->entry;
		slot->entry = entry;
		return old;
	}
	if (xa->n == xa->size) {
		xa->size = xa->size ? 2 * xa->size : 8;
		xa->slots = reallocarray(xa->slots, xa->size, sizeof(*slot));
	}
	xa->slots[xa->n++] = (struct xa_slot){ index, entry };
	return NULL;
}

static inline bool xa_empty(const struct xarray *xa)
{
	return !xa->n;
}

static inline void xa_destroy(struct xarray *xa)
{
	free(xa->slots);
	xa_init(xa);
}

#endif
