/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QEMU's edu device (PCI 1234:11e8), the DMA-capable device of the VM tests:
 * its BAR 0 registers. The DMA engine copies between an IOVA and its own
 * 4 KiB buffer at EDU_BUFFER, 100 ms after the command is written; each
 * transfer must stay inside that buffer (QEMU aborts otherwise).
 */
#ifndef IOMMUFD_TESTS_EDU_H
#define IOMMUFD_TESTS_EDU_H

#define EDU_VENDOR_DEVICE	0x11e81234	/* config dword 0 */
#define EDU_IDENT		0x00	/* 0x010000ed */
#define EDU_IDENT_VALUE		0x010000ed
#define EDU_LIVENESS		0x04	/* reads back inverted */
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_DMA_IRQ		0x4
#define EDU_BUFFER		0x40000
#define EDU_BAR_SIZE		0x100000

#endif
