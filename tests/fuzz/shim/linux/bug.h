/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: every WARN and BUG aborts the program, with where it fired */
#ifndef SHIM_LINUX_BUG_H
#define SHIM_LINUX_BUG_H

#define WARN_ON(cond) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		fuzz_kernel_warn(__FILE__, __LINE__, #cond);		\
	__c;								\
})
#define WARN_ON_ONCE(cond) WARN_ON(cond)
#define BUG_ON(cond) ((void)WARN_ON(cond))

#endif
