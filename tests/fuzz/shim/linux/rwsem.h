/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: one thread, so a semaphore only records how it is held, and
 * lockdep's assertions check that (a WARN, so the run aborts).
 */
#ifndef SHIM_LINUX_RWSEM_H
#define SHIM_LINUX_RWSEM_H

#include <linux/bug.h>

struct rw_semaphore {
	int held;	/* first, as in struct mutex: lockdep_assert_held() */
	bool writer;
};

static inline void init_rwsem(struct rw_semaphore *sem)
{
	sem->held = 0;
	sem->writer = false;
}

static inline void down_write(struct rw_semaphore *sem)
{
	WARN_ON(sem->held);
	sem->held = 1;
	sem->writer = true;
}

static inline void up_write(struct rw_semaphore *sem)
{
	WARN_ON(!sem->writer);
	sem->held = 0;
	sem->writer = false;
}

static inline void down_read(struct rw_semaphore *sem)
{
	WARN_ON(sem->writer);
	sem->held++;
}

static inline void up_read(struct rw_semaphore *sem)
{
	WARN_ON(sem->writer || !sem->held);
	sem->held--;
}

#define lockdep_assert_held_write(sem) WARN_ON(!(sem)->writer)
#ifndef lockdep_is_held
#define lockdep_is_held(lock) ((lock)->held)
#define lockdep_assert(cond) WARN_ON(!(cond))
#endif
#ifndef lockdep_assert_held
#define lockdep_assert_held(lock) WARN_ON(!(lock)->held)
#endif

#endif
