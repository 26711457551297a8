/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: one thread, so a mutex only records whether it is held */
#ifndef SHIM_LINUX_MUTEX_H
#define SHIM_LINUX_MUTEX_H

#include <linux/bug.h>

struct mutex {
	bool locked;
};

static inline void mutex_init(struct mutex *lock)
{
	lock->locked = false;
}

static inline void mutex_lock(struct mutex *lock)
{
	WARN_ON(lock->locked);
	lock->locked = true;
}

static inline void mutex_unlock(struct mutex *lock)
{
	WARN_ON(!lock->locked);
	lock->locked = false;
}

#endif
