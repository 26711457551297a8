/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: one thread, so nothing ever waits; the type only has to exist
 * (struct io_pagetable has a queue of UNMAPs waiting for each other).
 */
#ifndef SHIM_LINUX_WAIT_H
#define SHIM_LINUX_WAIT_H

typedef struct {
	int waiters;
} wait_queue_head_t;

static inline void init_waitqueue_head(wait_queue_head_t *wq)
{
	wq->waiters = 0;
}

#endif
