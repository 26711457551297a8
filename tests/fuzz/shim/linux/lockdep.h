/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: a lockdep map is a flag the harness can set, so that
 * lock_is_held() answers as lockdep would for the one thread.
 */
#ifndef FUZZ_LINUX_LOCKDEP_H
#define FUZZ_LINUX_LOCKDEP_H

struct lockdep_map {
	int held;
};

#define lock_is_held(map) ((map)->held)
#ifndef lockdep_is_held
#define lockdep_is_held(lock) ((lock)->held)
#define lockdep_assert(cond) WARN_ON(!(cond))
#endif

#endif
