/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: see fuzz_mm.h */
#ifndef SHIM_LINUX_CAPABILITY_H
#define SHIM_LINUX_CAPABILITY_H

#include <fuzz_mm.h>

#endif
