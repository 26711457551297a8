// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real devices, real DMA: QEMU's edu devices bound to iommufd_pci.ko, behind
 * the kernel's Intel IOMMU driver.
 *
 * Usage: pci BDF...   (four edu devices bound to iommufd_pci: two alone in
 *                     their IOMMU groups, two functions of one slot)
 *
 * Covers the consumer driver's ABI and its errors, binding and attaching,
 * the reserved MSI window, DMA that must land (verified byte for byte) and
 * DMA that must be blocked (read-only mapping, after unmap: the IOTLB is
 * flushed), two devices sharing and not sharing an IOAS, two functions of
 * one IOMMU group (ownership and attachment per group), replace, manual
 * HW page tables, pin accounting with a real domain, teardown in every
 * order (iommufd first, device first, driver unbound or device removed
 * under an open fd), the VFIO compat answers with a real domain (cache
 * coherency enforced by the automatic domain, page sizes), the aperture
 * the IOMMU driver narrows at attach (6.1) after HWPT_ALLOC and replace,
 * and, in test builds, fault injection through bind and attach and a
 * software MSI window with its MSI cookie.
 *
 * The VM's IOMMU is QEMU's VT-d with 39 address bits and snoop control.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/iommufd.h>
#include <linux/iommufd_pci.h>
#include <linux/vfio.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"
#include "tap.h"
#include "utils.h"

#define PAGE 4096
#define XFER 1024
#define MSI_START 0xfee00000ULL
#define MSI_LAST 0xfeefffffULL
/* The last IOVA QEMU's VT-d translates: aw-bits=39 */
#define IOMMU_LAST ((1ULL << 39) - 1)

struct edu {
	const char *bdf;
	char path[128];
	int fd;
	volatile uint8_t *bar;
	uint32_t devid;
	uint32_t pt_id;
};

static void edu_open(struct edu *e)
{
	snprintf(e->path, sizeof(e->path), "/dev/iommufd-pci/%s", e->bdf);
	e->fd = open(e->path, O_RDWR);
	if (e->fd < 0)
		tap_bail("open %s", e->path);
	e->bar = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      e->fd, IOMMUFD_PCI_REGION_OFFSET(0));
	if (e->bar == MAP_FAILED)
		tap_bail("mmap BAR 0 of %s", e->path);
	e->devid = 0;
	e->pt_id = 0;
}

static void edu_close(struct edu *e)
{
	munmap((void *)e->bar, EDU_BAR_SIZE);
	close(e->fd);
	e->fd = -1;
}

static uint32_t rd32(struct edu *e, unsigned int off)
{
	return *(volatile uint32_t *)(e->bar + off);
}

static void wr64(struct edu *e, unsigned int off, uint64_t val)
{
	*(volatile uint64_t *)(e->bar + off) = val;
}

/* One DMA transfer of the edu engine; 0 once done, -1 on a timeout */
static int edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t len,
		   int to_ram)
{
	struct timespec t = { 0, 5 * 1000 * 1000 };
	int i;

	wr64(e, EDU_DMA_SRC, src);
	wr64(e, EDU_DMA_DST, dst);
	wr64(e, EDU_DMA_COUNT, len);
	wr64(e, EDU_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	for (i = 0; i < 1000; i++) {
		if (!(rd32(e, EDU_DMA_CMD) & EDU_DMA_RUN))
			return 0;
		nanosleep(&t, NULL);
	}
	return -1;
}

/* Device reads XFER bytes at @from into its buffer, writes them at @to */
static int edu_copy(struct edu *e, uint64_t from, uint64_t to)
{
	if (edu_dma(e, from, EDU_BUFFER, XFER, 0))
		return -1;
	return edu_dma(e, EDU_BUFFER, to, XFER, 1);
}

static int pci_bind(struct edu *e, int iommufd)
{
	struct iommufd_pci_bind_iommufd cmd = {
		.argsz = sizeof(cmd),
		.iommufd = iommufd,
	};
	int rc = ioctl_err(e->fd, IOMMUFD_PCI_BIND_IOMMUFD, &cmd);

	if (!rc)
		e->devid = cmd.out_devid;
	return rc;
}

static int pci_unbind(struct edu *e)
{
	struct iommufd_pci_unbind_iommufd cmd = { .argsz = sizeof(cmd) };

	return ioctl_err(e->fd, IOMMUFD_PCI_UNBIND_IOMMUFD, &cmd);
}

static int pci_attach(struct edu *e, uint32_t pt_id)
{
	struct iommufd_pci_attach_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = pt_id,
	};
	int rc = ioctl_err(e->fd, IOMMUFD_PCI_ATTACH_PT, &cmd);

	if (!rc)
		e->pt_id = cmd.pt_id;
	return rc;
}

static int pci_detach(struct edu *e)
{
	struct iommufd_pci_detach_pt cmd = { .argsz = sizeof(cmd) };

	return ioctl_err(e->fd, IOMMUFD_PCI_DETACH_PT, &cmd);
}

static int pci_info(struct edu *e, struct iommufd_pci_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl_err(e->fd, IOMMUFD_PCI_GET_INFO, info);
}

static void *buffer(size_t len, uint8_t fill)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap");
	memset(p, fill, len);
	return p;
}

static void pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + seed);
}

static long vm_pin(void)
{
	return proc_kb("/proc/self/status", "VmPin");
}

static int is_612(void)
{
	struct utsname u;

	uname(&u);
	return !strncmp(u.release, "6.12", 4);
}

/* The Bus Master Enable bit of the device's PCI command register */
static int bus_master(struct edu *e)
{
	char path[160];
	uint16_t cmd = 0;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", e->bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2)
		tap_bail("read the command register of %s", e->bdf);
	close(fd);
	return !!(cmd & 0x4);
}

static void test_abi(struct edu *a)
{
	struct iommufd_pci_region_info region;
	struct iommufd_pci_info info;
	struct {
		struct iommufd_pci_info info;
		uint32_t future[2];
	} big;
	void *p;
	int fd;

	ok(!pci_info(a, &info), "GET_INFO");
	ok(info.vendor == 0x1234 && info.device == 0x11e8,
	   "GET_INFO: edu is 1234:11e8 (got %04x:%04x)", info.vendor,
	   info.device);
	ok(info.num_regions == 6 && !info.out_devid && !info.out_pt_id,
	   "GET_INFO: 6 regions, not bound, not attached");
	info.argsz = 8;
	ok_errno(ioctl_err(a->fd, IOMMUFD_PCI_GET_INFO, &info), EINVAL,
		 "GET_INFO with argsz 8: EINVAL");
	info.argsz = sizeof(info);
	info.flags = 1;
	ok_errno(ioctl_err(a->fd, IOMMUFD_PCI_GET_INFO, &info), EINVAL,
		 "GET_INFO with unknown flags: EINVAL");
	memset(&big, 0xa5, sizeof(big));
	big.info.argsz = sizeof(big);
	big.info.flags = 0;
	ok(!ioctl_err(a->fd, IOMMUFD_PCI_GET_INFO, &big) &&
		   big.info.vendor == 0x1234 && big.future[0] == 0xa5a5a5a5,
	   "GET_INFO with a larger argsz: works, the tail is not written");
	ok_errno(ioctl_err(a->fd, _IO(IOMMUFD_PCI_TYPE, 0xcf), &info), ENOTTY,
		 "unknown ioctl: ENOTTY");

	memset(&region, 0, sizeof(region));
	region.argsz = sizeof(region);
	ok(!ioctl_err(a->fd, IOMMUFD_PCI_GET_REGION_INFO, &region) &&
		   region.size == EDU_BAR_SIZE &&
		   region.flags == (IOMMUFD_PCI_REGION_MMIO |
				    IOMMUFD_PCI_REGION_MMAP) &&
		   region.offset == IOMMUFD_PCI_REGION_OFFSET(0),
	   "REGION_INFO BAR 0: 1 MiB MMIO, mmap-able at offset 0");
	region.index = 1;
	ok(!ioctl_err(a->fd, IOMMUFD_PCI_GET_REGION_INFO, &region) &&
		   !region.size && !region.flags,
	   "REGION_INFO BAR 1: absent (size 0, no flags)");
	region.index = 6;
	ok_errno(ioctl_err(a->fd, IOMMUFD_PCI_GET_REGION_INFO, &region), EINVAL,
		 "REGION_INFO index 6: EINVAL");
	region.index = 0;
	region.__reserved = 1;
	ok_errno(ioctl_err(a->fd, IOMMUFD_PCI_GET_REGION_INFO, &region), EINVAL,
		 "REGION_INFO with __reserved set: EINVAL");

	ok(rd32(a, EDU_IDENT) == 0x010000ed, "BAR 0 mmap reads edu's ident");
	*(volatile uint32_t *)(a->bar + EDU_LIVENESS) = 0x5a5a0f0f;
	ok(rd32(a, EDU_LIVENESS) == ~0x5a5a0f0fU,
	   "BAR 0 mmap writes reach the device (liveness register)");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a->fd,
		 IOMMUFD_PCI_REGION_OFFSET(0) + EDU_BAR_SIZE);
	ok(p == MAP_FAILED && errno == EINVAL, "mmap past BAR 0: EINVAL");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a->fd,
		 IOMMUFD_PCI_REGION_OFFSET(1));
	ok(p == MAP_FAILED && errno == EINVAL, "mmap of absent BAR 1: EINVAL");
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, a->fd,
		 IOMMUFD_PCI_REGION_OFFSET(0));
	ok(p == MAP_FAILED && errno == EINVAL, "private mmap of a BAR: EINVAL");

	fd = open(a->path, O_RDWR);
	ok(fd < 0 && errno == EBUSY, "second open of the device: EBUSY");
	if (fd >= 0)
		close(fd);
}

static void test_bind_errors(struct edu *a)
{
	struct iommufd_pci_bind_iommufd bind = { .argsz = sizeof(bind) };
	int iommufd = open_iommufd(), other = open("/dev/null", O_RDWR);
	uint32_t ioas;

	ioas_alloc(iommufd, &ioas);
	ok_errno(pci_attach(a, ioas), EINVAL, "attach before bind: EINVAL");
	ok_errno(pci_detach(a), EINVAL, "detach before attach: EINVAL");
	ok_errno(pci_unbind(a), EINVAL, "unbind before bind: EINVAL");
	ok_errno(pci_bind(a, -1), EBADF, "bind to fd -1: EBADF");
	ok_errno(pci_bind(a, other), EBADFD, "bind to /dev/null: EBADFD");
	bind.iommufd = iommufd;
	bind.flags = 1;
	ok_errno(ioctl_err(a->fd, IOMMUFD_PCI_BIND_IOMMUFD, &bind), EINVAL,
		 "bind with unknown flags: EINVAL");
	bind.flags = 0;
	bind.argsz = 8;
	ok_errno(ioctl_err(a->fd, IOMMUFD_PCI_BIND_IOMMUFD, &bind), EINVAL,
		 "bind with a short argsz: EINVAL");

	ok(!bus_master(a), "bus mastering is off while unbound");
	ok(!pci_bind(a, iommufd) && a->devid, "bind: DEVICE ID %u", a->devid);
	ok(bus_master(a), "bus mastering is on once bound");
	ok_errno(pci_bind(a, iommufd), EBUSY, "bind again: EBUSY");
	ok_errno(destroy(iommufd, a->devid), EBUSY,
		 "IOMMU_DESTROY of the DEVICE: EBUSY");
	ok_errno(pci_attach(a, 9999), ENOENT, "attach to an unknown ID: ENOENT");
	ok_errno(pci_attach(a, a->devid), EINVAL,
		 "attach to the DEVICE ID: EINVAL");
	ok(!pci_unbind(a), "unbind");
	ok(!bus_master(a), "bus mastering is off again after unbind");
	ok_errno(destroy(iommufd, a->devid), ENOENT,
		 "the DEVICE object is gone after unbind");
	ok(!destroy(iommufd, ioas) && table_empty(iommufd),
	   "the iommufd is left empty");
	close(other);
	close(iommufd);
}

static void test_hw_info(struct edu *a, int iommufd)
{
	struct iommu_hw_info_vtd vtd;
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = a->devid,
		.data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
	};

	memset(&vtd, 0xa5, sizeof(vtd));
	ok(!ioctl_err(iommufd, IOMMU_GET_HW_INFO, &cmd), "GET_HW_INFO");
	if (is_612())
		ok(cmd.out_data_type == IOMMU_HW_INFO_TYPE_INTEL_VTD &&
			   cmd.data_len == sizeof(vtd) && vtd.cap_reg &&
			   vtd.ecap_reg,
		   "GET_HW_INFO on 6.12: Intel VT-d registers (cap 0x%llx ecap 0x%llx)",
		   (unsigned long long)vtd.cap_reg,
		   (unsigned long long)vtd.ecap_reg);
	else
		ok(cmd.out_data_type == IOMMU_HW_INFO_TYPE_NONE &&
			   !cmd.data_len && !vtd.cap_reg && !vtd.ecap_reg,
		   "GET_HW_INFO on 6.1: type none, nothing to report, buffer zeroed");
}

/*
 * What QEMU's VT-d cannot do, refused: it does not advertise dirty tracking
 * (no SSADS) or nesting (no scalable mode), and 6.1 cannot allocate
 * domains for userspace at all, so there is no NEST_PARENT parent either
 */
static void test_refusals(struct edu *a)
{
	struct iommu_hw_info info = { .size = sizeof(info) };
	int iommufd = open_iommufd();
	uint8_t bitmap[8] = { 0 };
	struct iommu_hwpt_vtd_s1 vtd;
	uint32_t ioas, hwpt, id, n = 0;
	uint8_t *p = buffer(PAGE, 0);

	ioas_alloc(iommufd, &ioas);
	ok(!pci_bind(a, iommufd), "bind");
	info.dev_id = a->devid;
	info.out_capabilities = 0x5a;
	ok(!ioctl_err(iommufd, IOMMU_GET_HW_INFO, &info) &&
		   !info.out_capabilities,
	   "GET_HW_INFO: no capabilities (no dirty tracking)");
	ok_errno(hwpt_alloc_flags(iommufd, a->devid, ioas,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &id),
		 EOPNOTSUPP, "HWPT_ALLOC DIRTY_TRACKING: EOPNOTSUPP");
	ok_errno(hwpt_alloc_flags(iommufd, a->devid, ioas,
				  IOMMU_HWPT_ALLOC_NEST_PARENT, &id),
		 EOPNOTSUPP, "HWPT_ALLOC NEST_PARENT: EOPNOTSUPP");
	ok(!ioas_alloc(iommufd, &id) && id == a->devid + 1 &&
		   !destroy(iommufd, id),
	   "the refusals left no object, no ID taken (next %u)", id);

	ok(!hwpt_alloc_flags(iommufd, a->devid, ioas, 0, &hwpt),
	   "HWPT_ALLOC without flags");
	ok(!ioas_map_fixed(iommufd, ioas, p, PAGE, 0x100000),
	   "MAP a page into it");
	ok_errno(set_dirty_tracking(iommufd, hwpt, 1), EOPNOTSUPP,
		 "SET_DIRTY_TRACKING: EOPNOTSUPP");
	ok_errno(get_dirty_bitmap(iommufd, hwpt, 0x100000, PAGE, PAGE, bitmap,
				  0),
		 EOPNOTSUPP, "GET_DIRTY_BITMAP: EOPNOTSUPP");
	memset(&vtd, 0, sizeof(vtd));
	vtd.addr_width = 48;
	ok_errno(hwpt_alloc_nested(iommufd, a->devid, ioas, 0,
				   IOMMU_HWPT_DATA_VTD_S1, &vtd, sizeof(vtd), 0,
				   &id),
		 EOPNOTSUPP, "HWPT_ALLOC with VT-d stage-1 data on an IOAS: "
		 "EOPNOTSUPP");
	ok_errno(hwpt_alloc_nested(iommufd, a->devid, hwpt, 0,
				   IOMMU_HWPT_DATA_VTD_S1, &vtd, sizeof(vtd), 0,
				   &id),
		 EINVAL, "a VT-d stage 1 nested on a HWPT without NEST_PARENT: "
		 "EINVAL");
	ok_errno(hwpt_invalidate(iommufd, hwpt, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
				 NULL, 0, &n),
		 ENOENT, "INVALIDATE of a paging HWPT: ENOENT");
	ok(!destroy(iommufd, hwpt), "destroy the HWPT");
	ok(!pci_unbind(a) && !destroy(iommufd, ioas) && table_empty(iommufd),
	   "unbind; the iommufd is left empty");
	close(iommufd);
	munmap(p, PAGE);
}

/* Bind, attach, map, DMA through, blocked by read-only and by unmap */
static void test_dma(struct edu *a)
{
	uint8_t *src = buffer(PAGE, 0), *dst = buffer(PAGE, 0xee);
	uint8_t *ro = buffer(PAGE, 0x33), *keep = buffer(PAGE, 0);
	struct iommu_iova_range ranges[4];
	uint64_t src_iova = 0, dst_iova = 0x100000000ULL, iova, align;
	int iommufd = open_iommufd(), faults;
	uint32_t ioas, num = 4;
	long pin0 = vm_pin();

	ioas_alloc(iommufd, &ioas);
	ok(!pci_bind(a, iommufd), "bind");
	test_hw_info(a, iommufd);
	ok(!pci_attach(a, ioas) && a->pt_id && a->pt_id != ioas,
	   "attach to the IOAS: automatic HWPT %u", a->pt_id);

	ok(!iova_ranges(iommufd, ioas, ranges, &num, &align) && num >= 2 &&
		   align == PAGE && ranges[0].last == MSI_START - 1 &&
		   ranges[1].start == MSI_LAST + 1,
	   "IOVA_RANGES: the MSI window is reserved, alignment 4 KiB");
	iova = MSI_START;
	ok_errno(ioas_map(iommufd, ioas, MAP_FIXED_RW, dst, PAGE, &iova), EINVAL,
		 "MAP into the MSI window: EINVAL");
	/* The IOMMU's address width: 39 or 48 bits for QEMU's VT-d */
	iova = ranges[num - 1].last + 1;
	ok(num == 2 && (iova == 1ULL << 39 || iova == 1ULL << 48),
	   "IOVA_RANGES ends at the IOMMU's address width (0x%llx)",
	   (unsigned long long)iova);
	ok_errno(ioas_map(iommufd, ioas, MAP_FIXED_RW, dst, PAGE, &iova), EINVAL,
		 "MAP beyond the address width: EINVAL");
	ok_errno(destroy(iommufd, ioas), EBUSY, "destroy the IOAS: EBUSY");
	ok_errno(destroy(iommufd, a->pt_id), EBUSY, "destroy the HWPT: EBUSY");

	pattern(src, PAGE, 1);
	ok(!ioas_map(iommufd, ioas, IOMMU_IOAS_MAP_READABLE, src, PAGE,
		     &src_iova),
	   "MAP the source read-only at IOVA 0x%llx",
	   (unsigned long long)src_iova);
	ok(!ioas_map_fixed(iommufd, ioas, dst, PAGE, dst_iova),
	   "MAP the destination at 4 GiB");
	ok(vm_pin() == pin0 + 8, "VmPin: 2 pages pinned by the real domain");
	ok(!edu_copy(a, src_iova, dst_iova) && !memcmp(src, dst, XFER) &&
		   dst[XFER] == 0xee,
	   "DMA source -> device -> destination: exact, nothing beyond");

	faults = dmar_faults();
	iova = 0x200000000ULL;
	ok(!ioas_map(iommufd, ioas, IOMMU_IOAS_MAP_READABLE |
				     IOMMU_IOAS_MAP_FIXED_IOVA,
		     ro, PAGE, &iova),
	   "MAP another page read-only");
	ok(!edu_copy(a, src_iova, iova) && ro[0] == 0x33 &&
		   ro[XFER - 1] == 0x33,
	   "DMA write to the read-only mapping is blocked");
	ok(dmar_fault_since(faults), "the IOMMU reported a DMAR fault");

	ok(!ioas_unmap(iommufd, ioas, dst_iova, PAGE, NULL), "UNMAP destination");
	ok(vm_pin() == pin0 + 8, "VmPin: 2 pages (source, read-only page)");
	pattern(src, PAGE, 2);
	memcpy(keep, dst, PAGE);
	ok(!edu_copy(a, src_iova, dst_iova) && !memcmp(keep, dst, PAGE),
	   "DMA after UNMAP is blocked (the IOTLB was flushed)");

	pattern(keep, PAGE, 3);
	memset(dst, 0, PAGE);
	ok(!ioas_map_fixed(iommufd, ioas, keep, PAGE, dst_iova),
	   "MAP another buffer at the destination IOVA");
	ok(!edu_copy(a, src_iova, dst_iova) && !memcmp(src, keep, XFER) &&
		   !dst[0],
	   "DMA now lands in the new buffer, not the old one");

	ok(!pci_detach(a), "detach");
	ok_errno(pci_detach(a), EINVAL, "detach again: EINVAL");
	ok_errno(destroy(iommufd, a->pt_id), ENOENT,
		 "the automatic HWPT went with its device");
	ok(vm_pin() == pin0, "VmPin: nothing pinned without a domain");
	num = 4;
	ok(!iova_ranges(iommufd, ioas, ranges, &num, NULL) && num == 1,
	   "the MSI reservation left with the device");
	memset(keep, 0x77, PAGE);
	ok(!edu_copy(a, src_iova, dst_iova) && keep[0] == 0x77 &&
		   keep[XFER - 1] == 0x77,
	   "DMA of a detached device is blocked");
	ok(!pci_unbind(a), "unbind");
	ok(!destroy(iommufd, ioas), "destroy the IOAS");
	close(iommufd);
	munmap(src, PAGE);
	munmap(dst, PAGE);
	munmap(ro, PAGE);
	munmap(keep, PAGE);
}

/*
 * @len of 4 KiB pages no two of which are physically adjacent, so that no
 * run of them can become a large IOPTE: every other page of twice as many
 * (a fresh VM's allocator hands out long physically contiguous runs)
 */
static uint8_t *scattered_pages(size_t len)
{
	uint8_t *src, *dst;
	size_t i;

	src = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		return MAP_FAILED;
	madvise(src, 2 * len, MADV_NOHUGEPAGE);
	memset(src, 0, 2 * len);
	for (i = 0; i < len / PAGE; i++)
		if (mremap(src + 2 * i * PAGE, PAGE, PAGE,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst + i * PAGE) == MAP_FAILED)
			return MAP_FAILED;
	munmap(src, 2 * len);
	return dst;
}

/*
 * Huge pages become large IOPTEs in the VT-d domain. What tells: the IOMMU
 * page-table pages the kernel counts (nr_iommu_pages, since 6.11). 32 MiB
 * of 2 MiB hugetlb pages in a new 1 GiB of IOVA need at most two more
 * directory pages with 2 MiB IOPTEs; 32 MiB of 4 KiB pages need 16 page
 * tables more; a 1 GiB hugetlb page needs none with a 1 GiB IOPTE.
 */
static void test_huge_ioptes(struct edu *a)
{
	const size_t len = 32ul << 20, off = (17ul << 20) + 256;
	const size_t off1g = (700ul << 20) + 4096 + 128;
	const uint64_t iova = 0x400000000ULL;	/* 16 GiB */
	const uint64_t iova1g = 0x1000000000ULL;	/* 64 GiB */
	long base, huge_pt, small_pt, giant_pt;
	uint8_t *h, *s, *g;
	uint32_t ioas;
	int iommufd;

	if (vmstat_read("nr_iommu_pages") < 0) {
		skip(7, "this kernel does not count IOMMU page tables");
		return;
	}
	h = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	s = scattered_pages(len);
	if (!ok(h != MAP_FAILED && s != MAP_FAILED,
		"32 MiB of 2 MiB hugetlb pages and of 4 KiB pages")) {
		skip(6, "no memory to map");
		return;
	}
	pattern(h + off, XFER, 7);
	iommufd = open_iommufd();
	ioas_alloc(iommufd, &ioas);
	if (pci_bind(a, iommufd) || pci_attach(a, ioas))
		tap_bail("bind and attach %s", a->bdf);

	base = vmstat_read("nr_iommu_pages");
	if (ioas_map_fixed(iommufd, ioas, h, len, iova))
		tap_bail("MAP of the hugetlb pages");
	huge_pt = vmstat_read("nr_iommu_pages") - base;
	ok(huge_pt >= 0 && huge_pt <= 2,
	   "32 MiB of 2 MiB pages: 2 MiB IOPTEs (%ld page-table pages more)",
	   huge_pt);
	ok(!edu_copy(a, iova + off, iova + len - XFER) &&
		   !memcmp(h + off, h + len - XFER, XFER),
	   "DMA through them reads and writes the right pages");
	base = vmstat_read("nr_iommu_pages");
	if (ioas_map_fixed(iommufd, ioas, s, len, iova + (1ul << 30)))
		tap_bail("MAP of the 4 KiB pages");
	small_pt = vmstat_read("nr_iommu_pages") - base;
	ok(small_pt >= 16,
	   "32 MiB of scattered 4 KiB pages: 4 KiB IOPTEs (%ld page-table pages more)",
	   small_pt);

	/*
	 * A 1 GiB hugetlb page (make check boots the VM with one) at a
	 * 1 GiB-aligned IOVA below 512 GiB, whose level-3 table the MAPs above
	 * made: a 1 GiB IOPTE takes no page-table page, 2 MiB ones would
	 * take a page directory
	 */
	g = mmap(NULL, 1ul << 30, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | (30 << MAP_HUGE_SHIFT) |
			 MAP_POPULATE, -1, 0);
	if (ok(g != MAP_FAILED, "a 1 GiB hugetlb page (the VM reserves one)")) {
		pattern(g + off1g, XFER, 9);
		base = vmstat_read("nr_iommu_pages");
		if (ioas_map_fixed(iommufd, ioas, g, 1ul << 30, iova1g))
			tap_bail("MAP of the 1 GiB page");
		giant_pt = vmstat_read("nr_iommu_pages") - base;
		ok(giant_pt == 0,
		   "1 GiB of a 1 GiB page: one 1 GiB IOPTE (%ld page-table pages more)",
		   giant_pt);
		ok(!edu_copy(a, iova1g + off1g, iova1g + (1ul << 30) - XFER) &&
			   !memcmp(g + off1g, g + (1ul << 30) - XFER, XFER),
		   "DMA through it reads and writes the right bytes");
	} else {
		skip(2, "no 1 GiB page to map");
	}

	pci_detach(a);
	pci_unbind(a);
	close(iommufd);
	munmap(h, len);
	munmap(s, len);
	if (g != MAP_FAILED)
		munmap(g, 1ul << 30);
}

/* Lazy pinning with a real device, and the MSI window against a mapping */
static void test_reserved_and_pins(struct edu *a)
{
	uint8_t *buf = buffer(16 * PAGE, 0);
	struct iommu_iova_range ranges[4];
	int iommufd = open_iommufd();
	struct iommufd_pci_info info;
	uint32_t ioas, num;
	long pin0 = vm_pin();

	ioas_alloc(iommufd, &ioas);
	ok(!pci_bind(a, iommufd), "bind");
	ok(!ioas_map_fixed(iommufd, ioas, buf, 2 * PAGE, MSI_START - PAGE),
	   "MAP across the MSI window start while no device is attached");
	ok(vm_pin() == pin0, "VmPin: nothing pinned without a domain (lazy)");
	ok_errno(pci_attach(a, ioas), EADDRINUSE,
		 "attach: the MSI window collides with the mapping: EADDRINUSE");
	num = 4;
	ok(!iova_ranges(iommufd, ioas, ranges, &num, NULL) && num == 1 &&
		   !pci_info(a, &info) && !info.out_pt_id,
	   "the failed attach left no reservation and no attachment");
	ok(!ioas_unmap(iommufd, ioas, MSI_START - PAGE, 2 * PAGE, NULL),
	   "UNMAP it");
	ok(!ioas_map_fixed(iommufd, ioas, buf, 16 * PAGE, 0x10000000),
	   "MAP 16 pages");
	ok(vm_pin() == pin0, "VmPin: still nothing");
	ok(!pci_attach(a, ioas), "attach");
	ok(vm_pin() == pin0 + 64, "VmPin: the 16 pages are pinned at attach");
	ok(!pci_detach(a) && vm_pin() == pin0,
	   "detach unpins them (VmPin back to %ld kB)", pin0);
	ok(!pci_unbind(a), "unbind");
	close(iommufd);
	munmap(buf, 16 * PAGE);
}

/* Two devices: one IOAS (one automatic HWPT) or two; replace; manual HWPT */
static void test_two_devices(struct edu *a, struct edu *b)
{
	uint8_t *src = buffer(PAGE, 0), *d1 = buffer(PAGE, 0);
	uint8_t *d2 = buffer(PAGE, 0);
	int iommufd = open_iommufd();
	uint64_t s = 0x1000, t1 = 0x2000, t2 = 0x3000;
	uint32_t ioas1, ioas2, old, hwpt;

	ioas_alloc(iommufd, &ioas1);
	ioas_alloc(iommufd, &ioas2);
	ok(!pci_bind(a, iommufd) && !pci_bind(b, iommufd) &&
		   a->devid != b->devid,
	   "bind both devices to one iommufd");
	ok(!pci_attach(a, ioas1) && !pci_attach(b, ioas1) &&
		   a->pt_id == b->pt_id,
	   "both attach to IOAS 1 and share its automatic HWPT %u", a->pt_id);

	pattern(src, PAGE, 5);
	ok(!ioas_map(iommufd, ioas1, IOMMU_IOAS_MAP_READABLE |
				      IOMMU_IOAS_MAP_FIXED_IOVA,
		     src, PAGE, &s) &&
		   !ioas_map_fixed(iommufd, ioas1, d1, PAGE, t1),
	   "MAP source and destination in IOAS 1");
	ok(!ioas_map_fixed(iommufd, ioas2, src, PAGE, s) &&
		   !ioas_map_fixed(iommufd, ioas2, d2, PAGE, t2),
	   "MAP source and another destination in IOAS 2");
	ok(!edu_copy(b, s, t1) && !memcmp(src, d1, XFER),
	   "device B DMAs through the shared IOAS");

	ok(!pci_attach(b, ioas2) && b->pt_id != a->pt_id,
	   "replace: device B moves to IOAS 2 (HWPT %u)", b->pt_id);
	memset(d1, 0, PAGE);
	ok(!edu_copy(b, s, t1) && !d1[0],
	   "device B can no longer reach IOAS 1's destination");
	ok(!edu_copy(b, s, t2) && !memcmp(src, d2, XFER),
	   "device B reaches IOAS 2's destination");
	memset(d2, 0, PAGE);
	ok(!edu_copy(a, s, t2) && !d2[0],
	   "device A cannot reach IOAS 2's destination");

	old = b->pt_id;
	{
		struct iommu_hwpt_alloc cmd = {
			.size = sizeof(cmd),
			.dev_id = b->devid,
			.pt_id = ioas2,
		};

		ok(!ioctl_err(iommufd, IOMMU_HWPT_ALLOC, &cmd),
		   "HWPT_ALLOC: a manual HWPT on IOAS 2 for device B");
		hwpt = cmd.out_hwpt_id;
	}
	ok(!pci_attach(b, hwpt) && b->pt_id == hwpt,
	   "replace: device B moves to the manual HWPT");
	ok_errno(destroy(iommufd, old), ENOENT,
		 "its old automatic HWPT is gone");
	memset(d2, 0, PAGE);
	ok(!edu_copy(b, s, t2) && !memcmp(src, d2, XFER),
	   "DMA through the manual HWPT");
	ok_errno(destroy(iommufd, hwpt), EBUSY,
		 "destroy the manual HWPT while attached: EBUSY");
	ok(!pci_detach(b) && !destroy(iommufd, hwpt),
	   "detach, then the manual HWPT can be destroyed");

	ok(!pci_unbind(a) && !pci_unbind(b), "unbind both (A while attached)");
	ok(!destroy(iommufd, ioas1) && !destroy(iommufd, ioas2) &&
		   table_empty(iommufd),
	   "both IOASes destroyed, the iommufd is empty");
	close(iommufd);
	munmap(src, PAGE);
	munmap(d1, PAGE);
	munmap(d2, PAGE);
}

static int hwpt_alloc(int iommufd, struct edu *e, uint32_t pt_id,
		      uint32_t *hwpt)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = e->devid,
		.pt_id = pt_id,
	};
	int rc = ioctl_err(iommufd, IOMMU_HWPT_ALLOC, &cmd);

	*hwpt = rc ? 0 : cmd.out_hwpt_id;
	return rc;
}

/* The last IOVA IOVA_RANGES reports for @ioas; 0 if none */
static uint64_t last_usable(int iommufd, uint32_t ioas)
{
	struct iommu_iova_range ranges[8];
	uint32_t num = 8;

	if (iova_ranges(iommufd, ioas, ranges, &num, NULL) || !num || num > 8)
		return 0;
	return ranges[num - 1].last;
}

/* The VFIO type1 compat ioctls with a real domain in the compat IOAS */
static void test_vfio_compat(struct edu *a)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	const uint64_t sizes = PAGE | (2ULL << 20) | (1ULL << 30);
	int iommufd = open_iommufd();
	uint32_t ioas, hwpt, other;

	ioas_alloc(iommufd, &ioas);
	vfio_ioas(iommufd, IOMMU_VFIO_IOAS_SET, &ioas);
	ok(!pci_bind(a, iommufd) && !pci_attach(a, ioas),
	   "bind, attach to the compat IOAS");
	ok(ioctl(iommufd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 1,
	   "CHECK_EXTENSION(DMA_CC_IOMMU): 1, the automatic domain enforces "
	   "cache coherency (the IOMMU has snoop control)");
	if (ioctl_err(iommufd, VFIO_IOMMU_GET_INFO, &info))
		info.iova_pgsizes = 0;
	ok((info.iova_pgsizes & PAGE) && !(info.iova_pgsizes & ~sizes),
	   "GET_INFO: the domain's page sizes, 4 KiB and maybe 2 MiB, 1 GiB "
	   "(0x%llx)", (unsigned long long)info.iova_pgsizes);
	ok(!hwpt_alloc(iommufd, a, ioas, &hwpt),
	   "HWPT_ALLOC: a manual HWPT on the compat IOAS");
	ok(ioctl(iommufd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 0,
	   "CHECK_EXTENSION(DMA_CC_IOMMU): 0, the manual one does not");
	ok(!destroy(iommufd, hwpt) &&
		   ioctl(iommufd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 1,
	   "without it: 1 again");
	/* A replace makes its automatic domain loaded before it attaches */
	ioas_alloc(iommufd, &other);
	ok(!pci_attach(a, other) && !pci_attach(a, ioas),
	   "replace into another IOAS and back into the compat one");
	ok(ioctl(iommufd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == is_612(),
	   "CHECK_EXTENSION(DMA_CC_IOMMU): %d, the domain the replace made %s",
	   is_612(), is_612() ? "enforces it too (the IOMMU said it can)" :
				"does not (6.1's IOMMUs cannot say)");
	ok(!pci_detach(a) &&
		   ioctl(iommufd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 1,
	   "without any HWPT: 1");
	ok(!pci_unbind(a), "unbind");
	close(iommufd);
}

/*
 * The aperture the IOMMU driver narrows when a device first attaches (the
 * Intel driver of both kernels allocates paging domains for 57 address
 * bits): IOVA_RANGES and MAP follow after HWPT_ALLOC and after a replace
 * into a new automatic HWPT, and allowed IOVA outside it refuses the
 * attach.
 */
static void test_aperture(struct edu *a)
{
	struct iommu_iova_range high = { 1ULL << 40, (1ULL << 40) + 0xfffff };
	uint8_t *src = buffer(PAGE, 0), *dst = buffer(PAGE, 0);
	uint64_t s = 0x1000, t = 0x2000;
	int iommufd = open_iommufd();
	uint32_t ioas1, ioas2, ioas3, hwpt;

	ioas_alloc(iommufd, &ioas1);
	ioas_alloc(iommufd, &ioas2);
	ioas_alloc(iommufd, &ioas3);
	ok(!pci_bind(a, iommufd), "bind");
	ok(!hwpt_alloc(iommufd, a, ioas1, &hwpt), "HWPT_ALLOC on IOAS 1");
	ok(!pci_attach(a, hwpt), "attach to it");
	ok(last_usable(iommufd, ioas1) == IOMMU_LAST,
	   "IOVA_RANGES ends where the IOMMU's 39 bits do (0x%llx)",
	   (unsigned long long)last_usable(iommufd, ioas1));
	ok_errno(ioas_map_fixed(iommufd, ioas1, src, PAGE, IOMMU_LAST + 1),
		 EINVAL, "MAP above it: EINVAL, reserved");
	ok(!pci_detach(a) && !destroy(iommufd, hwpt), "detach, destroy it");

	ok(!pci_attach(a, ioas1), "attach to IOAS 1");
	ok(!pci_attach(a, ioas2), "replace into IOAS 2: a new automatic HWPT");
	ok(last_usable(iommufd, ioas2) == IOMMU_LAST,
	   "IOAS 2's IOVA_RANGES ends where the IOMMU's do (0x%llx)",
	   (unsigned long long)last_usable(iommufd, ioas2));
	ok_errno(ioas_map_fixed(iommufd, ioas2, src, PAGE, IOMMU_LAST + 1),
		 EINVAL, "MAP above it: EINVAL");

	ok(!allow_iovas(iommufd, ioas3, &high, 1),
	   "allow IOVA at 1 TiB in IOAS 3");
	ok_errno(pci_attach(a, ioas3), EADDRINUSE,
		 "replace into IOAS 3: EADDRINUSE, the IOMMU cannot reach it");
	ok(!ioas_map(iommufd, ioas2, IOMMU_IOAS_MAP_READABLE |
				      IOMMU_IOAS_MAP_FIXED_IOVA, src, PAGE, &s) &&
		   !ioas_map_fixed(iommufd, ioas2, dst, PAGE, t),
	   "MAP in IOAS 2");
	pattern(src, PAGE, 9);
	ok(!edu_copy(a, s, t) && !memcmp(src, dst, XFER),
	   "the device stayed in IOAS 2: DMA works");
	/* Debian's Intel drivers narrow at the first attach, not before */
	ok(!hwpt_alloc(iommufd, a, ioas3, &hwpt),
	   "HWPT_ALLOC on IOAS 3: the new domain does not know its IOMMU yet");
	ok_errno(pci_attach(a, hwpt), EADDRINUSE,
		 "attach to it: EADDRINUSE, the narrowed aperture excludes the "
		 "allowed IOVA");
	ok(!edu_copy(a, s, t) && !memcmp(src, dst, XFER),
	   "the device stayed in IOAS 2: DMA works");
	ok(!destroy(iommufd, hwpt), "destroy it");
	ok(!pci_detach(a) && !pci_unbind(a), "detach, unbind");
	close(iommufd);
	munmap(src, PAGE);
	munmap(dst, PAGE);
}

static long msi_cookies(void)
{
	return module_param_read("msi_cookies");
}

/*
 * A software MSI window (test_sw_msi: what ARM's SMMUs report; x86 has
 * none): reserved in the IOAS with the device, and an MSI cookie on the
 * domain, once however many groups attach; fault injection at every step.
 */
static void test_sw_msi(struct edu *a, struct edu *b)
{
	const uint64_t window = 0x8000000;
	uint8_t *src = buffer(PAGE, 0), *dst = buffer(PAGE, 0);
	uint64_t s = 0x1000, t = 0x2000;
	int iommufd = open_iommufd(), n, rc = -1, clean = 1;
	struct iommu_iova_range ranges[8];
	uint32_t ioas, num = 8;

	ioas_alloc(iommufd, &ioas);
	ok(!pci_bind(a, iommufd) && !pci_bind(b, iommufd), "bind two devices");
	ok(!pci_attach(a, ioas) && msi_cookies() == 0,
	   "without a software MSI window: no MSI cookie");
	ok(!pci_detach(a), "detach");
	if (!ok(!module_param_write("test_sw_msi", window),
		"the devices report a software MSI window at 128 MiB"))
		goto out;
	ok(!pci_attach(a, ioas), "attach one");
	ok(msi_cookies() == 1, "its domain got an MSI cookie");
	ok(!iova_ranges(iommufd, ioas, ranges, &num, NULL) && num == 3 &&
		   ranges[0].last == window - 1 &&
		   ranges[1].start == window + 0x100000,
	   "the window is reserved IOVA");
	ok_errno(ioas_map_fixed(iommufd, ioas, src, PAGE, window), EINVAL,
		 "MAP into it: EINVAL");
	ok(!pci_attach(b, ioas) && b->pt_id == a->pt_id && msi_cookies() == 1,
	   "the other joins the same domain: still one cookie");
	pattern(src, PAGE, 3);
	ok(!ioas_map(iommufd, ioas, IOMMU_IOAS_MAP_READABLE |
				     IOMMU_IOAS_MAP_FIXED_IOVA, src, PAGE, &s) &&
		   !ioas_map_fixed(iommufd, ioas, dst, PAGE, t) &&
		   !edu_copy(b, s, t) && !memcmp(src, dst, XFER),
	   "DMA works");
	ok(!pci_detach(a) && !pci_detach(b) && msi_cookies() == 0,
	   "the cookie goes with the domain");

	for (n = 1; n < 100 && rc; n++) {
		module_param_write("fail_nth", n);
		rc = pci_attach(a, ioas);
		module_param_write("fail_nth", 0);
		num = 8;
		if (rc && (msi_cookies() != 0 ||
			   iova_ranges(iommufd, ioas, ranges, &num, NULL) ||
			   num != 1))
			clean = 0;
	}
	ok(!rc && clean, "fault injection: the attach fails at %d points, "
	   "each leaving no cookie and no reservation", n - 2);
	ok(msi_cookies() == 1 && !pci_detach(a), "then works");
out:
	module_param_write("test_sw_msi", 0);
	ok(!pci_unbind(a) && !pci_unbind(b), "unbind both");
	close(iommufd);
	munmap(src, PAGE);
	munmap(dst, PAGE);
}

/* Close the iommufd first: the bound device keeps the context alive */
static void test_close_iommufd_first(struct edu *a)
{
	uint8_t *src = buffer(PAGE, 0), *dst = buffer(PAGE, 0);
	int iommufd = open_iommufd();
	struct iommufd_pci_info info;
	long pin0 = vm_pin();
	uint32_t ioas;

	ioas_alloc(iommufd, &ioas);
	pattern(src, PAGE, 9);
	ok(!pci_bind(a, iommufd) && !pci_attach(a, ioas) &&
		   !ioas_map_fixed(iommufd, ioas, src, PAGE, 0x1000) &&
		   !ioas_map_fixed(iommufd, ioas, dst, PAGE, 0x2000),
	   "bind, attach, map");
	close(iommufd);
	ok(!pci_info(a, &info) && info.out_devid == a->devid &&
		   info.out_pt_id == a->pt_id,
	   "iommufd closed: the device is still bound and attached");
	ok(!edu_copy(a, 0x1000, 0x2000) && !memcmp(src, dst, XFER),
	   "and its DMA still works (the context lives on)");
	ok(vm_pin() == pin0 + 8, "VmPin: still pinned");
	edu_close(a);
	ok(vm_pin() == pin0,
	   "closing the device unbinds it: the context goes, pins are released");
	edu_open(a);
	munmap(src, PAGE);
	munmap(dst, PAGE);
}

/* Close the device first: the iommufd stays usable and can be emptied */
static void test_close_device_first(struct edu *a)
{
	uint8_t *buf = buffer(PAGE, 0);
	int iommufd = open_iommufd();
	long pin0 = vm_pin();
	uint32_t ioas, hwpt;

	ioas_alloc(iommufd, &ioas);
	ok(!pci_bind(a, iommufd) && !pci_attach(a, ioas) &&
		   !ioas_map_fixed(iommufd, ioas, buf, PAGE, 0x1000),
	   "bind, attach, map");
	hwpt = a->pt_id;
	edu_close(a);
	ok_errno(destroy(iommufd, hwpt), ENOENT,
		 "device closed: its automatic HWPT is gone");
	ok(vm_pin() == pin0, "VmPin: nothing pinned any more");
	ok(!destroy(iommufd, ioas) && table_empty(iommufd),
	   "the IOAS can be destroyed, the iommufd is empty");
	close(iommufd);
	edu_open(a);
	munmap(buf, PAGE);
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(sigbus_jmp, 1);
}

/* Unbind the driver while the device is open, bound, attached, mmapped */
static void test_driver_unbind(struct edu *a)
{
	uint8_t *buf = buffer(PAGE, 0);
	int iommufd = open_iommufd(), sigbus;
	struct iommufd_pci_info info;
	long pin0 = vm_pin();
	char path[160];
	uint32_t ioas, hwpt;

	ioas_alloc(iommufd, &ioas);
	ok(!pci_bind(a, iommufd) && !pci_attach(a, ioas) &&
		   !ioas_map_fixed(iommufd, ioas, buf, PAGE, 0x1000),
	   "bind, attach, map");
	hwpt = a->pt_id;
	ok(!write_file("/sys/bus/pci/drivers/iommufd_pci/unbind", a->bdf),
	   "unbind the driver from the device while it is in use");
	ok_errno(pci_info(a, &info), ENODEV, "the open fd now gets ENODEV");
	ok(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a->fd,
		IOMMUFD_PCI_REGION_OFFSET(0)) == MAP_FAILED && errno == ENODEV,
	   "and mmap of a BAR gets ENODEV");
	ok_errno(destroy(iommufd, a->devid), ENOENT, "the DEVICE object is gone");
	ok_errno(destroy(iommufd, hwpt), ENOENT, "its automatic HWPT is gone");
	ok(vm_pin() == pin0, "VmPin: nothing pinned any more");

	signal(SIGBUS, on_sigbus);
	sigbus = sigsetjmp(sigbus_jmp, 1);
	if (!sigbus)
		(void)rd32(a, EDU_IDENT);
	signal(SIGBUS, SIG_DFL);
	ok(sigbus, "the BAR mapping is revoked (SIGBUS)");

	ok(!destroy(iommufd, ioas) && table_empty(iommufd),
	   "the iommufd can be emptied");
	close(iommufd);
	munmap((void *)a->bar, EDU_BAR_SIZE);
	close(a->fd);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 a->bdf);
	ok(!write_file(path, "iommufd_pci") &&
		   !write_file("/sys/bus/pci/drivers_probe", a->bdf) &&
		   !access(a->path, F_OK),
	   "the device can be bound to iommufd_pci again");
	edu_open(a);
	munmap(buf, PAGE);
}

/* Remove the PCI device while it is open, bound and attached; rescan */
static void test_hot_remove(struct edu *e)
{
	uint8_t *buf = buffer(PAGE, 0);
	int iommufd = open_iommufd();
	struct iommufd_pci_info info;
	long pin0 = vm_pin();
	char path[160];
	uint32_t ioas;

	ioas_alloc(iommufd, &ioas);
	ok(!pci_bind(e, iommufd) && !pci_attach(e, ioas) &&
		   !ioas_map_fixed(iommufd, ioas, buf, PAGE, 0x1000) &&
		   vm_pin() == pin0 + 4,
	   "bind, attach, map (1 page pinned)");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", e->bdf);
	ok(!write_file(path, "1"), "remove the PCI device %s", e->bdf);
	ok_errno(pci_info(e, &info), ENODEV, "the open fd now gets ENODEV");
	ok_errno(destroy(iommufd, e->devid), ENOENT, "the DEVICE object is gone");
	ok(vm_pin() == pin0, "VmPin: the page is unpinned");
	ok(!destroy(iommufd, ioas) && table_empty(iommufd),
	   "the iommufd can be emptied");
	close(iommufd);
	munmap((void *)e->bar, EDU_BAR_SIZE);
	close(e->fd);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 e->bdf);
	ok(!write_file("/sys/bus/pci/rescan", "1") && !access(path, F_OK) &&
		   !write_file(path, "iommufd_pci") &&
		   !write_file("/sys/bus/pci/drivers_probe", e->bdf) &&
		   !access(e->path, F_OK),
	   "after a rescan the device is back and can be handed over again");
	edu_open(e);
	munmap(buf, PAGE);
}

/* Test builds: every failure point of bind + attach leaves nothing behind */
static void test_fail_nth(struct edu *a)
{
	uint8_t *buf = buffer(4 * PAGE, 0);
	int iommufd, n, rc = 0, clean = 1;
	long pin0 = vm_pin();
	uint32_t ioas;

	for (n = 1; n < 200; n++) {
		iommufd = open_iommufd();
		ioas_alloc(iommufd, &ioas);
		ioas_map_fixed(iommufd, ioas, buf, 4 * PAGE, 0x10000);
		module_param_write("fail_nth", n);
		rc = pci_bind(a, iommufd);
		if (!rc) {
			rc = pci_attach(a, ioas);
			if (rc)
				pci_unbind(a);
		}
		module_param_write("fail_nth", 0);
		if (!rc)
			pci_unbind(a);
		if (vm_pin() != pin0) {
			diag("fail_nth %d: VmPin %ld kB", n, vm_pin());
			clean = 0;
		}
		ioas_unmap(iommufd, ioas, 0x10000, 4 * PAGE, NULL);
		destroy(iommufd, ioas);
		if (!table_empty(iommufd)) {
			diag("fail_nth %d: objects left", n);
			clean = 0;
		}
		close(iommufd);
		if (!rc)
			break;
	}
	ok(!rc && n > 3, "fault injection: bind + attach succeed at the %dth point",
	   n);
	ok(clean, "every earlier failure left no pins and no objects");
	ok(objects_alive() == 0, "no object alive");
	munmap(buf, 4 * PAGE);
}

/*
 * Test build: a real device and the mock's fault queues. Real devices
 * cannot deliver I/O page faults to us: attaching one to a HW page table
 * with a fault queue is EOPNOTSUPP, and TRIGGER_IOPF is for mock devices.
 */
static void test_faults_refused(struct edu *a)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	uint32_t ioas, mock_idev = 0, parent = 0, fault = 0, nested = 0, num = 4;
	struct iommu_iova_range ranges[4];
	int iommufd = open_iommufd(), ffd;

	ioas_alloc(iommufd, &ioas);
	mock_domain(iommufd, ioas, NULL, NULL, &mock_idev);
	hwpt_alloc_flags(iommufd, mock_idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
			 &parent);
	fault_alloc(iommufd, &fault, &ffd);
	ok(!hwpt_alloc_nested(iommufd, mock_idev, parent,
			      IOMMU_HWPT_FAULT_ID_VALID, IOMMU_HWPT_DATA_SELFTEST,
			      &data, sizeof(data), fault, &nested),
	   "a mock nested HWPT with a fault queue");
	ok(!pci_bind(a, iommufd), "bind the edu device");
	ok_errno(pci_attach(a, nested), EOPNOTSUPP,
		 "attach it to the HWPT with a fault queue: EOPNOTSUPP");
	ok(!iova_ranges(iommufd, ioas, ranges, &num, NULL) && num == 1,
	   "its MSI window did not stay in the IOAS");
	ok_errno(trigger_iopf(iommufd, a->devid, 0, 0, 0, 0), EINVAL,
		 "TRIGGER_IOPF of a real device: EINVAL");
	ok(!pci_unbind(a), "unbind");
	close(ffd);
	close(iommufd);
	ok(objects_alive() == 0, "no object alive");
}

/* The IOMMU group number of a device, from sysfs; -1 if none */
static int iommu_group_of(const char *bdf)
{
	char path[160], link[160];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	return atoi(strrchr(link, '/') + 1);
}

/* Two functions of one slot: one IOMMU group, owned and attached as one */
static void test_one_group(struct edu *c, struct edu *d)
{
	uint8_t *src = buffer(PAGE, 0), *d1 = buffer(PAGE, 0);
	uint8_t *d2 = buffer(PAGE, 0);
	int ctx1 = open_iommufd(), ctx2 = open_iommufd();
	uint64_t s = 0x1000, t1 = 0x2000, t2 = 0x3000;
	uint32_t ioas1, ioas2, other;

	ok(iommu_group_of(c->bdf) == iommu_group_of(d->bdf),
	   "%s and %s share IOMMU group %d", c->bdf, d->bdf,
	   iommu_group_of(c->bdf));
	ioas_alloc(ctx1, &ioas1);
	ioas_alloc(ctx1, &ioas2);
	ioas_alloc(ctx2, &other);
	pattern(src, PAGE, 7);
	ioas_map_fixed(ctx1, ioas1, src, PAGE, s);
	ioas_map_fixed(ctx1, ioas1, d1, PAGE, t1);
	ioas_map_fixed(ctx1, ioas2, src, PAGE, s);
	ioas_map_fixed(ctx1, ioas2, d2, PAGE, t2);

	ok(!pci_bind(c, ctx1), "bind the first function to context 1");
	ok_errno(pci_bind(d, ctx2), EBUSY,
		 "bind the second to context 2: EBUSY, context 1 owns the group");
	ok(!pci_bind(d, ctx1), "bind the second to context 1");

	ok(!pci_attach(c, ioas1), "attach the first function to IOAS 1");
	ok_errno(pci_attach(d, ioas2), EINVAL,
		 "attach the second to IOAS 2: EINVAL, the group is on IOAS 1");
	ok(!pci_attach(d, ioas1) && d->pt_id == c->pt_id,
	   "attach the second to IOAS 1: it joins the same HWPT");
	ok_errno(pci_attach(c, ioas2), EINVAL,
		 "move the first alone to IOAS 2: EINVAL");
	ok(!edu_copy(d, s, t1) && !memcmp(src, d1, XFER),
	   "DMA of the second function through IOAS 1");

	ok(!pci_detach(c), "detach the first function");
	memset(d1, 0, PAGE);
	ok(!edu_copy(d, s, t1) && !memcmp(src, d1, XFER),
	   "the second still DMAs: the group stays attached");
	ok(!pci_attach(d, ioas2) && !pci_attach(c, ioas2) &&
		   c->pt_id == d->pt_id,
	   "the second moves the group to IOAS 2, the first follows");
	ok(!edu_copy(c, s, t2) && !memcmp(src, d2, XFER),
	   "DMA of the first function through IOAS 2");
	memset(d1, 0, PAGE);
	ok(!edu_copy(c, s, t1) && !d1[0],
	   "IOAS 1's destination is out of reach");

	ok(!pci_unbind(c), "unbind the first function");
	ok_errno(pci_bind(c, ctx2), EBUSY,
		 "context 1 still owns the group through the second");
	ok(!pci_unbind(d), "unbind the second");
	ok(!pci_bind(c, ctx2) && !pci_attach(c, other),
	   "now context 2 can bind and attach the first");
	ok(!pci_unbind(c), "unbind it");
	close(ctx1);
	close(ctx2);
	munmap(src, PAGE);
	munmap(d1, PAGE);
	munmap(d2, PAGE);
}

int main(int argc, char **argv)
{
	struct edu a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	struct edu *slot[4] = { &a, &b, &c, &d };
	int i, n = 0;

	if (argc != 5)
		tap_bail("usage: pci BDF... (four edu devices, two in one group)");
	/* a, b: two groups of their own; c, d: the two of one group */
	for (i = 1; i < argc; i++) {
		int shared = 0, j;

		for (j = 1; j < argc; j++)
			shared |= j != i &&
				  iommu_group_of(argv[j]) == iommu_group_of(argv[i]);
		if (shared && c.bdf)
			d.bdf = argv[i];
		else if (shared)
			c.bdf = argv[i];
		else if (n < 2)
			slot[n++]->bdf = argv[i];
	}
	if (!a.bdf || !b.bdf || !c.bdf || !d.bdf)
		tap_bail("need two edu devices alone in their groups and two sharing one");
	diag("devices %s (group %d), %s (group %d), %s and %s (group %d)",
	     a.bdf, iommu_group_of(a.bdf), b.bdf, iommu_group_of(b.bdf), c.bdf, d.bdf,
	     iommu_group_of(c.bdf));
	edu_open(&a);
	edu_open(&b);

	test_abi(&a);
	test_bind_errors(&a);
	test_dma(&a);
	test_refusals(&a);
	test_huge_ioptes(&a);
	test_reserved_and_pins(&a);
	test_two_devices(&a, &b);
	test_vfio_compat(&a);
	test_aperture(&a);
	if (is_test_build())
		test_sw_msi(&a, &b);
	test_close_iommufd_first(&a);
	test_close_device_first(&a);
	test_driver_unbind(&a);
	test_hot_remove(&b);
	edu_open(&c);
	edu_open(&d);
	test_one_group(&c, &d);
	if (is_test_build()) {
		test_fail_nth(&a);
		test_faults_refused(&a);
	}

	edu_close(&a);
	edu_close(&b);
	edu_close(&c);
	edu_close(&d);
	return tap_done();
}
