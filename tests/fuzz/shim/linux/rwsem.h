/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: one thread, so a semaphore only records how it is held, and
 * lockdep's assertions check that (a WARN, so the run aborts).
 */
#ifndef SHIM_LINUX_RWSEM_H
#define SHIM_LINUX_RWSEM_H

#include <linux/bug.h>

struct rw_semaphore {
	int readers;
	bool writer;
};

static inline void init_rwsem(struct rw_semaphore *sem)
{
	sem->readers = 0;
	sem->writer = false;
}

static inline void down_write(struct rw_semaphore *sem)
{
	WARN_ON(sem->writer || sem->readers);
	sem->writer = true;
}

static inline void up_write(struct rw_semaphore *sem)
{
	WARN_ON(!sem->writer);
	sem->writer = false;
}

static inline void down_read(struct rw_semaphore *sem)
{
	WARN_ON(sem->writer);
	sem->readers++;
}

static inline void up_read(struct rw_semaphore *sem)
{
	WARN_ON(!sem->readers);
	sem->readers--;
}

#define lockdep_assert_held_write(sem) WARN_ON(!(sem)->writer)
#define lockdep_assert_held(sem) WARN_ON(!(sem)->writer && !(sem)->readers)

#endif
