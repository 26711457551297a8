/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: one thread, so a mutex only records whether it is held */
#ifndef SHIM_LINUX_MUTEX_H
#define SHIM_LINUX_MUTEX_H

#include <linux/bug.h>

struct mutex {
	int held;
};

static inline void mutex_init(struct mutex *lock)
{
	lock->held = 0;
}

static inline void mutex_destroy(struct mutex *lock)
{
	WARN_ON(lock->held);
}

static inline void mutex_lock(struct mutex *lock)
{
	WARN_ON(lock->held);
	lock->held = 1;
}

static inline void mutex_unlock(struct mutex *lock)
{
	WARN_ON(!lock->held);
	lock->held = 0;
}

#ifndef lockdep_assert_held
#define lockdep_assert_held(lock) WARN_ON(!(lock)->held)
#endif

#endif
