/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: nothing is exported from a program */
#ifndef SHIM_LINUX_EXPORT_H
#define SHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)

#endif
