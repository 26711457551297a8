/* SPDX-License-Identifier: GPL-2.0-only */
/* Fuzz shim: the xarray type the IO page table embeds, unused here */
#ifndef SHIM_LINUX_XARRAY_H
#define SHIM_LINUX_XARRAY_H

struct xarray {
	void *head;
};

#endif
