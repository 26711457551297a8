/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim */
#ifndef SHIM_LINUX_SIZES_H
#define SHIM_LINUX_SIZES_H

#define SZ_4K 0x00001000
#define SZ_64K 0x00010000
#define SZ_2M 0x00200000
#define SZ_32M 0x02000000
#define SZ_1G 0x40000000

#endif
