// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFIO type1 container ioctls on /dev/iommu (uapi.md §6), operating on
 * the compat IOAS: versions and extensions, SET_IOMMU and type1 (v1)
 * partial unmaps, MAP_DMA/UNMAP_DMA errnos and copy-back, and GET_INFO's
 * capability chain, which must never write at or past argsz.
 */
#include <linux/vfio.h>

#include "utils.h"

static long psz;
static char *buf;

static int map_dma(int fd, uint32_t flags, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)buf,
		.iova = iova,
		.size = size,
	};

	return ioctl_err(fd, VFIO_IOMMU_MAP_DMA, &map);
}

static int unmap_dma(int fd, uint32_t flags, uint64_t iova, uint64_t size,
		     uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int rc = ioctl_err(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	if (unmapped)
		*unmapped = unmap.size;
	return rc;
}

static int compat_fd(uint32_t *ioas)
{
	int fd = open_iommufd();

	ioas_alloc(fd, ioas);
	vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, ioas);
	return fd;
}

static void test_no_compat_ioas(void)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	int fd = open_iommufd();

	ok(ioctl(fd, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
	   "VFIO_GET_API_VERSION is 0");
	ok(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 1 &&
		   ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1 &&
		   ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) == 1,
	   "CHECK_EXTENSION: TYPE1, TYPE1v2, UNMAP_ALL");
	ok(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU) == 0 &&
		   ioctl(fd, VFIO_CHECK_EXTENSION, 6) == 0 &&
		   ioctl(fd, VFIO_CHECK_EXTENSION, 10) == 0 &&
		   ioctl(fd, VFIO_CHECK_EXTENSION, 12345) == 0,
	   "CHECK_EXTENSION: no-iommu, nesting, update-vaddr, unknown: 0");
	ok_errno(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) ? errno : 0,
		 ENODEV, "CHECK_EXTENSION(DMA_CC_IOMMU) without compat IOAS: "
		 "ENODEV");
	ok_errno(ioctl(fd, VFIO_SET_IOMMU, 2) ? errno : 0, EINVAL,
		 "SET_IOMMU(2): EINVAL first");
	ok_errno(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) ? errno : 0,
		 ENODEV, "SET_IOMMU without compat IOAS: ENODEV");
	ok_errno(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, 0x10000, psz), ENODEV,
		 "MAP_DMA without compat IOAS: ENODEV");
	ok_errno(unmap_dma(fd, 0, 0x10000, psz, NULL), ENODEV,
		 "UNMAP_DMA without compat IOAS: ENODEV");
	ok_errno(ioctl_err(fd, VFIO_IOMMU_GET_INFO, &info), ENODEV,
		 "GET_INFO without compat IOAS: ENODEV");
	ok_errno(ioctl_err(fd, VFIO_IOMMU_DIRTY_PAGES, &info), ENOTTY,
		 "VFIO_IOMMU_DIRTY_PAGES: ENOTTY");
	close(fd);
}

static void test_map_unmap(void)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = 31 };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = 23 };
	uint64_t unmapped;
	uint32_t ioas;
	int fd = compat_fd(&ioas);

	ok(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 1,
	   "CHECK_EXTENSION(DMA_CC_IOMMU) with no HW page table: 1");
	ok_errno(ioctl_err(fd, VFIO_IOMMU_MAP_DMA, &map), EINVAL,
		 "MAP_DMA argsz 31: EINVAL");
	ok_errno(map_dma(fd, 4, 0x10000, psz), EINVAL,
		 "MAP_DMA flag VADDR: EINVAL");
	ok_errno(ioctl_err(fd, VFIO_IOMMU_MAP_DMA, NULL), EFAULT,
		 "MAP_DMA from NULL: EFAULT");
	ok_errno(map_dma(fd, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			 0x10000, 4 * psz),
		 0, "MAP_DMA");
	ok_errno(map_dma(fd, VFIO_DMA_MAP_FLAG_READ, 0x11000, psz), EEXIST,
		 "MAP_DMA over it: EEXIST");
	ok_errno(map_dma(fd, 0, 0x20000, psz), 0, "MAP_DMA with flags 0");
	ok_errno(ioas_map_fixed(fd, ioas, buf, psz, 0x20000), EEXIST,
		 "it is a mapping of the compat IOAS");

	ok_errno(ioctl_err(fd, VFIO_IOMMU_UNMAP_DMA, &unmap), EINVAL,
		 "UNMAP_DMA argsz 23: EINVAL");
	ok_errno(unmap_dma(fd, 1, 0x10000, psz, NULL), EINVAL,
		 "UNMAP_DMA GET_DIRTY_BITMAP: EINVAL");
	ok_errno(unmap_dma(fd, VFIO_DMA_UNMAP_FLAG_ALL, 0x10000, 0, NULL),
		 EINVAL, "UNMAP_DMA ALL with an iova: EINVAL");
	ok_errno(unmap_dma(fd, 0, 0x10000, 0, NULL), EINVAL,
		 "UNMAP_DMA size 0: EINVAL");
	ok_errno(unmap_dma(fd, 0, 0x10000, psz, &unmapped), ENOENT,
		 "UNMAP_DMA of part of a mapping (v2): ENOENT");
	ok(unmapped == 0, "size copied back as 0 even on failure");
	ok_errno(unmap_dma(fd, 0, 0x80000, psz, &unmapped), 0,
		 "UNMAP_DMA of a range with no mapping succeeds");
	ok(unmapped == 0, "with size 0");
	ok_errno(unmap_dma(fd, 0, 0x10000, 4 * psz, &unmapped), 0,
		 "UNMAP_DMA of the whole mapping");
	ok(unmapped == 4 * (uint64_t)psz, "size = bytes unmapped");
	map_dma(fd, VFIO_DMA_MAP_FLAG_READ, 0x40000, psz);
	ok_errno(unmap_dma(fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &unmapped), 0,
		 "UNMAP_DMA ALL");
	ok(unmapped == 2 * (uint64_t)psz, "unmapped both remaining (0x%llx)",
	   (unsigned long long)unmapped);
	close(fd);
}

static void test_type1_v1(void)
{
	uint64_t unmapped;
	uint32_t ioas;
	int fd = compat_fd(&ioas), i, bad = 0;

	ok_errno(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) ? errno : 0, 0,
		 "SET_IOMMU(TYPE1v2)");
	{
		uint64_t val = 0;

		option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas,
		       &val);
		ok(val == 1, "HUGE_PAGES reads 1 after TYPE1v2");
		ok_errno(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) ? errno : 0,
			 0, "SET_IOMMU(TYPE1)");
		option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas,
		       &val);
		ok(val == 0, "HUGE_PAGES reads 0 after TYPE1");
	}

	map_dma(fd, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, 0x100000,
		16 * psz);
	ok_errno(unmap_dma(fd, 0, 0x100800, psz, NULL), EINVAL,
		 "v1 partial unmap at a sub-page offset: EINVAL");
	for (i = 15; i >= 0; i -= 2) {
		bad += !!unmap_dma(fd, 0, 0x100000 + i * psz, psz, &unmapped);
		bad += unmapped != (uint64_t)psz;
	}
	ok(!bad, "v1: unmap every other page of a 16-page mapping");
	ok_errno(unmap_dma(fd, 0, 0x100000, 16 * psz, &unmapped), 0,
		 "then the rest at once");
	ok(unmapped == 8 * (uint64_t)psz, "8 pages (0x%llx)",
	   (unsigned long long)unmapped);
	close(fd);
}

static void test_get_info(void)
{
	struct vfio_iommu_type1_info *info;
	struct vfio_iommu_type1_info_cap_iova_range *ranges;
	struct vfio_iommu_type1_info_dma_avail *avail;
	unsigned char *page = (unsigned char *)buf;
	uint32_t ioas, total, argsz;
	int fd = compat_fd(&ioas), bad = 0;
	unsigned int i;

	info = (void *)page;
	memset(page, 0, psz);
	info->argsz = 15;
	ok_errno(ioctl_err(fd, VFIO_IOMMU_GET_INFO, info), EINVAL,
		 "GET_INFO argsz 15: EINVAL");

	if (is_test_build())
		add_reserved(fd, ioas, 0x1000, 0x1000);
	info->argsz = psz;
	ok_errno(ioctl_err(fd, VFIO_IOMMU_GET_INFO, info), 0, "GET_INFO");
	total = info->argsz;
	ok(info->flags == (VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS),
	   "flags PGSIZES|CAPS");
	ok(info->iova_pgsizes == ~(uint64_t)(psz - 1),
	   "iova_pgsizes: every size from PAGE_SIZE (0x%llx)",
	   (unsigned long long)info->iova_pgsizes);
	ok(info->cap_offset == 24, "cap_offset 24");
	avail = (void *)(page + 24);
	ok(avail->header.id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL &&
		   avail->header.version == 1 && avail->avail == UINT32_MAX &&
		   avail->header.next == 40,
	   "first capability: DMA avail, next at 40 (8-byte padded)");
	ranges = (void *)(page + 40);
	ok(ranges->header.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE &&
		   ranges->header.version == 1 && ranges->header.next == 0,
	   "second capability: IOVA ranges, last in the chain");
	if (is_test_build())
		ok(ranges->nr_iovas == 2 && ranges->iova_ranges[0].end == 0xfff &&
			   ranges->iova_ranges[1].start == 0x2000 &&
			   ranges->iova_ranges[1].end == UINT64_MAX,
		   "the IOVA ranges of IOVA_RANGES");
	else
		ok(ranges->nr_iovas == 1 && ranges->iova_ranges[0].start == 0 &&
			   ranges->iova_ranges[0].end == UINT64_MAX,
		   "one IOVA range [0, 2^64-1]");
	ok(total == 40 + 16 + 16 * ranges->nr_iovas, "argsz = total size (%u)",
	   total);

	/* Every argsz up to the total: nothing at or past argsz is touched */
	for (argsz = 16; argsz <= total + 8; argsz++) {
		memset(page, 0xa5, psz);
		memset(page, 0, 16);
		info->argsz = argsz;
		if (ioctl(fd, VFIO_IOMMU_GET_INFO, info)) {
			bad++;
			continue;
		}
		for (i = argsz; i < total + 16; i++)
			bad += page[i] != 0xa5;
		bad += info->argsz != total;
		if (argsz >= 24)
			bad += info->cap_offset != (argsz >= total ? 24 : 0);
	}
	ok(!bad, "GET_INFO for argsz 16..%u never writes past argsz", total + 8);
	close(fd);
}

static uint64_t pgsizes(int fd)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };

	return ioctl_err(fd, VFIO_IOMMU_GET_INFO, &info) ? 0 :
	       info.iova_pgsizes;
}

/*
 * With mock domains in the compat IOAS (test build): CHECK_EXTENSION
 * (DMA_CC_IOMMU) says whether they all enforce cache coherency (the mock
 * never does), GET_INFO's iova_pgsizes what they all support, folded to
 * PAGE_SIZE and up (the mock: PAGE_SIZE / 2, and 512 times that with
 * HUGE_IOVA).
 */
static void test_domains(void)
{
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	const uint64_t huge = 256 * psz;
	uint32_t ioas, stdev = 0, stdev2, idev2 = 0;
	int fd = compat_fd(&ioas);

	ok_errno(mock_domain(fd, ioas, &stdev, NULL, NULL), 0,
		 "a mock device on the compat IOAS");
	ok(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 0,
	   "CHECK_EXTENSION(DMA_CC_IOMMU): 0, the mock domain does not "
	   "enforce cache coherency");
	ok(pgsizes(fd) == (uint64_t)psz,
	   "GET_INFO: iova_pgsizes PAGE_SIZE, the mock granule folded "
	   "(0x%llx)", (unsigned long long)pgsizes(fd));
	ok_errno(destroy(fd, stdev), 0, "detach it");
	ok(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 1 &&
		   pgsizes(fd) == ~(uint64_t)(psz - 1),
	   "without domains: 1, and every size from PAGE_SIZE");
	ok_errno(mock_domain_flags(fd, ioas, MOCK_FLAGS_DEVICE_HUGE_IOVA,
				   &stdev, NULL, NULL),
		 0, "a mock device with huge IOPTEs");
	ok(pgsizes(fd) == ((uint64_t)psz | huge),
	   "iova_pgsizes PAGE_SIZE and 1 MiB (0x%llx)",
	   (unsigned long long)pgsizes(fd));
	ok_errno(mock_domain(fd, ioas, &stdev2, NULL, &idev2), 0,
		 "and a plain one");
	hwpt.dev_id = idev2;
	hwpt.pt_id = ioas;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_ALLOC, &hwpt), 0,
		 "HWPT_ALLOC: a domain of the plain one in the compat IOAS");
	ok(pgsizes(fd) == (uint64_t)psz,
	   "iova_pgsizes: what both domains support, PAGE_SIZE (0x%llx)",
	   (unsigned long long)pgsizes(fd));
	close(fd);
}

int main(void)
{
	psz = sysconf(_SC_PAGESIZE);
	buf = mmap(NULL, 16 * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		tap_bail("mmap");
	test_no_compat_ioas();
	test_map_unmap();
	test_type1_v1();
	test_get_info();
	if (is_test_build())
		test_domains();
	return tap_done();
}
