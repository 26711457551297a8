// SPDX-License-Identifier: GPL-2.0-only
/*
 * A userspace driver for QEMU's "edu" PCI device, written the way a user of
 * iommufd would write one: its DMA goes only where this program mapped its
 * own memory into an IO address space through /dev/iommu.
 *
 * Usage: driver-demo /dev/iommufd-pci/<BDF>
 *
 * The edu device has a 4 KiB buffer at offset 0x40000 of its BAR 0 and a
 * DMA engine that copies between that buffer and a bus address (for us an
 * IOVA) when its registers are written; each transfer takes about 100 ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/iommufd.h>
#include <linux/iommufd_pci.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EDU_IDENT	0x00
#define EDU_LIVENESS	0x04
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_RUN	0x1
#define EDU_DMA_TO_RAM	0x2	/* device buffer -> IOVA; else IOVA -> buffer */
#define EDU_BUFFER	0x40000

#define PAGE 4096
#define XFER 2048		/* each edu transfer stays under 4 KiB */
#define DST_IOVA 0x100000000ULL	/* 4 GiB: above edu's default 28-bit mask */

static volatile uint8_t *bar;

static void step(const char *what)
{
	printf("\n%s\n", what);
}

static void check(const char *what, int rc)
{
	if (rc) {
		printf("  %-56s -> FAILED: %s\n", what, strerror(errno));
		exit(1);
	}
	printf("  %-56s -> ok\n", what);
}

static uint32_t rd32(unsigned int off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void wr32(unsigned int off, uint32_t val)
{
	*(volatile uint32_t *)(bar + off) = val;
}

static void wr64(unsigned int off, uint64_t val)
{
	*(volatile uint64_t *)(bar + off) = val;
}

/* One transfer by the device's DMA engine; returns once it is done */
static void edu_dma(uint64_t src, uint64_t dst, uint32_t len, int to_ram)
{
	struct timespec t = { 0, 10 * 1000 * 1000 };

	wr64(EDU_DMA_SRC, src);
	wr64(EDU_DMA_DST, dst);
	wr64(EDU_DMA_COUNT, len);
	wr64(EDU_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	while (rd32(EDU_DMA_CMD) & EDU_DMA_RUN)
		nanosleep(&t, NULL);
}

static void show_ranges(int fd, uint32_t ioas)
{
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = 8,
		.allowed_iovas = (uintptr_t)ranges,
	};
	unsigned int i;

	check("IOMMU_IOAS_IOVA_RANGES", ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	for (i = 0; i < cmd.num_iovas && i < 8; i++)
		printf("     usable IOVA [0x%llx, 0x%llx]\n",
		       (unsigned long long)ranges[i].start,
		       (unsigned long long)ranges[i].last);
	printf("     alignment %llu bytes\n",
	       (unsigned long long)cmd.out_iova_alignment);
}

static int map(int fd, uint32_t ioas, void *buf, uint64_t *iova, int fixed,
	       int writeable)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE |
			 (writeable ? IOMMU_IOAS_MAP_WRITEABLE : 0) |
			 (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = ioas,
		.user_va = (uintptr_t)buf,
		.length = PAGE,
		.iova = *iova,
	};
	int rc = ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	*iova = cmd.iova;
	return rc;
}

int main(int argc, char **argv)
{
	struct iommufd_pci_region_info region = {
		.argsz = sizeof(region), .index = 0,
	};
	struct iommufd_pci_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommufd_pci_attach_pt attach = { .argsz = sizeof(attach) };
	struct iommufd_pci_info info = { .argsz = sizeof(info) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	uint64_t src_iova = 0, dst_iova = DST_IOVA, msi_iova = 0xfee00000;
	uint8_t *src, *dst, before[XFER];
	int iommufd, devfd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /dev/iommufd-pci/<BDF>\n", argv[0]);
		return 2;
	}

	step("1. Open the device and look at it (no iommufd needed for that).");
	devfd = open(argv[1], O_RDWR);
	check(argv[1], devfd < 0);
	check("IOMMUFD_PCI_GET_INFO", ioctl(devfd, IOMMUFD_PCI_GET_INFO, &info));
	printf("     PCI %04x:%04x, class %06x, %u regions\n", info.vendor,
	       info.device, info.class, info.num_regions);
	check("IOMMUFD_PCI_GET_REGION_INFO BAR 0",
	      ioctl(devfd, IOMMUFD_PCI_GET_REGION_INFO, &region));
	printf("     BAR 0: %llu KiB of MMIO, mmap offset 0x%llx\n",
	       (unsigned long long)region.size / 1024,
	       (unsigned long long)region.offset);
	bar = mmap(NULL, region.size, PROT_READ | PROT_WRITE, MAP_SHARED, devfd,
		   region.offset);
	check("mmap BAR 0", bar == MAP_FAILED);
	wr32(EDU_LIVENESS, 0x12345678);
	printf("     edu ident 0x%08x; liveness: wrote 0x12345678, read 0x%08x\n",
	       rd32(EDU_IDENT), rd32(EDU_LIVENESS));

	step("2. Open /dev/iommu, create an IO address space, bind the device.");
	iommufd = open("/dev/iommu", O_RDWR);
	check("open /dev/iommu", iommufd < 0);
	check("IOMMU_IOAS_ALLOC", ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc));
	printf("     IOAS ID %u\n", alloc.out_ioas_id);
	bind.iommufd = iommufd;
	check("IOMMUFD_PCI_BIND_IOMMUFD",
	      ioctl(devfd, IOMMUFD_PCI_BIND_IOMMUFD, &bind));
	printf("     the device is DEVICE object %u of this iommufd; its DMA\n"
	       "     is blocked until it is attached\n", bind.out_devid);

	step("3. Attach the device to the IOAS: the kernel's Intel IOMMU driver\n"
	     "   gives it a page table; the MSI window becomes reserved IOVA.");
	attach.pt_id = alloc.out_ioas_id;
	check("IOMMUFD_PCI_ATTACH_PT", ioctl(devfd, IOMMUFD_PCI_ATTACH_PT, &attach));
	printf("     attached to HW page table %u\n", attach.pt_id);
	show_ranges(iommufd, alloc.out_ioas_id);

	step("4. Map two pages of our memory: source (IOVA chosen by the\n"
	     "   kernel) and destination (at a fixed IOVA of 4 GiB).");
	src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < PAGE; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	memset(dst, 0xee, PAGE);
	check("IOMMU_IOAS_MAP source", map(iommufd, alloc.out_ioas_id, src,
					   &src_iova, 0, 0));
	printf("     source at IOVA 0x%llx (read-only for the device)\n",
	       (unsigned long long)src_iova);
	check("IOMMU_IOAS_MAP destination",
	      map(iommufd, alloc.out_ioas_id, dst, &dst_iova, 1, 1));
	printf("     destination at IOVA 0x%llx\n", (unsigned long long)dst_iova);
	printf("  %-56s -> %s\n", "IOMMU_IOAS_MAP into the MSI window 0xfee00000",
	       map(iommufd, alloc.out_ioas_id, dst, &msi_iova, 1, 1) ?
		       strerror(errno) : "mapped?!");

	step("5. DMA: the device copies source -> its buffer -> destination.");
	edu_dma(src_iova, EDU_BUFFER, XFER, 0);
	printf("  device read %d bytes at IOVA 0x%llx\n", XFER,
	       (unsigned long long)src_iova);
	edu_dma(EDU_BUFFER, dst_iova, XFER, 1);
	printf("  device wrote %d bytes at IOVA 0x%llx\n", XFER,
	       (unsigned long long)dst_iova);
	if (memcmp(src, dst, XFER)) {
		printf("  destination differs from source: FAILED\n");
		return 1;
	}
	printf("  destination == source, byte for byte (%d bytes): ok\n", XFER);

	step("6. Unmap the destination, then let the device try again.");
	unmap.ioas_id = alloc.out_ioas_id;
	unmap.iova = dst_iova;
	unmap.length = PAGE;
	check("IOMMU_IOAS_UNMAP destination",
	      ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap));
	for (i = 0; i < PAGE; i++)
		src[i] = (uint8_t)~src[i];
	memcpy(before, dst, XFER);
	edu_dma(src_iova, EDU_BUFFER, XFER, 0);
	edu_dma(EDU_BUFFER, dst_iova, XFER, 1);
	if (memcmp(before, dst, XFER)) {
		printf("  the device wrote to unmapped memory: FAILED\n");
		return 1;
	}
	printf("  device wrote new data to IOVA 0x%llx: blocked by the IOMMU,\n"
	       "  our memory is unchanged (the kernel logs a DMAR fault)\n",
	       (unsigned long long)dst_iova);

	step("7. Tear down: close the device (detach, unbind), then /dev/iommu.");
	munmap((void *)bar, region.size);
	check("close device", close(devfd));
	check("close /dev/iommu (unpins, frees the page table)",
	      close(iommufd));
	printf("\nDone: the device did DMA only where this program mapped it.\n\n");
	return 0;
}
