// SPDX-License-Identifier: GPL-2.0-only
/*
 * HW page tables through the mock IOMMU (test build only): mock devices and
 * automatic HW page tables, loading mappings into domains, each page pinned
 * exactly once however many domains and copies use it (MD_CHECK_REFS reads
 * the pin count), the mappings themselves (MD_CHECK_MAP), the dependency
 * edges of objects.md §2, aperture and alignment conflicts, pin errors,
 * every injected failure of an attach or a MAP leaving nothing behind, and
 * the accounting of an unprivileged user with a small RLIMIT_MEMLOCK.
 */
#include <linux/vfio.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "utils.h"

#define NPAGES 16
#define APERTURE 0x1000000ull

static long psz;
static char *buf;	/* NPAGES pages, shared anonymous, populated */

static void test_mock_domain(void)
{
	struct iommu_iova_range r[2];
	uint32_t ioas, stdev, hwpt, idev, stdev2, hwpt2, idev2, stdev3;
	uint32_t num = 2;
	uint64_t align = 0, iova;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	ok_errno(mock_domain(fd, ioas + 100, &stdev, &hwpt, &idev), ENOENT,
		 "MOCK_DOMAIN on an unknown ID: ENOENT");
	ok_errno(mock_domain_flags(fd, ioas, 1 << 5, NULL, NULL, NULL), EINVAL,
		 "MOCK_DOMAIN_FLAGS with an unknown device flag: EINVAL");
	ok(table_empty(fd) == 0, "(the IOAS is there)");
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, &idev), 0,
		 "MOCK_DOMAIN on an IOAS");
	ok(stdev && hwpt && idev && stdev != hwpt && hwpt != idev &&
	   stdev != idev, "three new IDs: %u %u %u", stdev, hwpt, idev);
	ok_errno(iova_ranges(fd, ioas, r, &num, &align), 0, "IOVA_RANGES");
	ok(num == 1 && r[0].start == APERTURE && r[0].last == 0x7fffffff,
	   "the mock aperture [0x1000000, 0x7fffffff] is all that is left");
	ok(align == (uint64_t)psz / 2, "alignment is the mock granule (%llu)",
	   (unsigned long long)align);

	ok_errno(mock_domain(fd, ioas, &stdev2, &hwpt2, &idev2), 0,
		 "a second mock device on the same IOAS");
	ok(hwpt2 == hwpt, "shares the automatic HW page table");
	ok_errno(mock_domain(fd, hwpt, &stdev3, &hwpt2, NULL), 0,
		 "a third attached to the HW page table by its ID");
	ok(hwpt2 == hwpt, "same HW page table");
	ok_errno(mock_domain(fd, stdev, NULL, NULL, NULL), EINVAL,
		 "MOCK_DOMAIN on a SELFTEST object: EINVAL");

	ok_errno(destroy(fd, ioas), EBUSY, "destroy the IOAS: EBUSY");
	ok_errno(destroy(fd, hwpt), EBUSY, "destroy the HW page table: EBUSY");
	ok_errno(destroy(fd, idev), EBUSY, "destroy a DEVICE: EBUSY");
	ok_errno(destroy(fd, stdev), 0, "destroy a mock device");
	ok_errno(destroy(fd, idev), ENOENT, "its DEVICE went with it");
	ok_errno(destroy(fd, stdev2), 0, "destroy the second");
	ok_errno(destroy(fd, hwpt), EBUSY, "the third still holds the HWPT");
	ok_errno(destroy(fd, stdev3), 0, "destroy the third");
	ok_errno(destroy(fd, hwpt), ENOENT,
		 "the automatic HW page table went with its last device");
	num = 2;
	iova_ranges(fd, ioas, r, &num, &align);
	ok(num == 1 && r[0].start == 0 && r[0].last == UINT64_MAX && align == 1,
	   "the aperture reservation and the alignment went with it");
	iova = 0;
	ok_errno(ioas_map(fd, ioas, MAP_RW, buf, psz, &iova), 0,
		 "a MAP without domains");
	ok_errno(destroy(fd, ioas), 0, "the IOAS can be destroyed");
	ok(table_empty(fd), "nothing left in the table");
	close(fd);
}

static void test_pin_once(void)
{
	uint32_t ioas, ioas2, stdev, hwpt, stdev2, hwpt2;
	uint64_t iova = APERTURE, iova2 = APERTURE + 0x100000;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	ioas_alloc(fd, &ioas2);
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "no pins at first");
	ok_errno(ioas_map_fixed(fd, ioas, buf, NPAGES * psz, iova), 0,
		 "MAP without domains");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0,
		 "pins nothing (lazy)");
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), 0,
		 "attach a mock device");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0,
		 "every page is now pinned once");
	ok_errno(check_map(fd, hwpt, iova, NPAGES * psz, buf), 0,
		 "and mapped at its IOVA in the domain");
	ok_errno(check_map(fd, hwpt, iova, psz, buf + psz), EINVAL,
		 "MD_CHECK_MAP notices the wrong memory");
	ok_errno(check_map(fd, hwpt, iova + NPAGES * psz, psz, buf), EINVAL,
		 "and an IOVA with no mapping");

	ok_errno(ioas_copy(fd, MAP_FIXED_RW, ioas2, ioas, iova, NPAGES * psz,
			   &iova2),
		 0, "COPY into a second IOAS");
	ok_errno(mock_domain(fd, ioas2, &stdev2, &hwpt2, NULL), 0,
		 "with its own mock device");
	ok(hwpt2 != hwpt, "and its own HW page table");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0,
		 "two domains, two IOASes: still one pin per page");
	ok_errno(check_map(fd, hwpt2, iova2, NPAGES * psz, buf), 0,
		 "the copy maps the same memory");
	ok_errno(ioas_map_fixed(fd, ioas, buf, 4 * psz, APERTURE + 0x200000), 0,
		 "map the first 4 pages again in the first IOAS");
	ok_errno(check_refs(fd, buf, 4 * psz, 2), 0,
		 "a second MAP is a second pages object: its pages pin again");
	ok_errno(check_refs(fd, buf + 4 * psz, (NPAGES - 4) * psz, 1), 0,
		 "the others stay pinned once");

	ok_errno(ioas_unmap(fd, ioas, APERTURE + 0x200000, 4 * psz, NULL), 0,
		 "unmap that again");
	ok_errno(destroy(fd, stdev), 0, "the first device goes");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0,
		 "the copy's domain still holds the pages");
	ok_errno(ioas_unmap(fd, ioas2, 0, UINT64_MAX, NULL), 0,
		 "unmap everything from the second IOAS");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0,
		 "nothing holds the pages any more: unpinned");
	ok_errno(ioas_copy(fd, MAP_FIXED_RW, ioas2, ioas, iova, NPAGES * psz,
			   &iova2),
		 0, "COPY again into the IOAS with a domain");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0, "pinned again");
	close(fd);

	fd = open_iommufd();
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0,
		 "close() released every pin");
	close(fd);
}

static void test_domain_rules(void)
{
	long alive = objects_alive();
	uint32_t ioas, stdev, hwpt;
	uint64_t iova;
	void *bogus = (void *)(1ul << 31);
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	ok_errno(ioas_map_fixed(fd, ioas, buf, psz, 0x1000), 0,
		 "an area below the mock aperture");
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), EADDRINUSE,
		 "attaching a domain whose aperture excludes it: EADDRINUSE");
	ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL);
	ok_errno(ioas_map_fixed(fd, ioas, buf, 1024, APERTURE), 0,
		 "a 1 KiB area");
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), EADDRINUSE,
		 "the mock granule would misalign it: EADDRINUSE");
	ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL);
	ok_errno(ioas_map_fixed(fd, ioas, bogus, psz, APERTURE), 0,
		 "MAP of unmapped memory without a domain succeeds");
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), EFAULT,
		 "but attaching a domain then fails to pin it: EFAULT");
	ok_errno(ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL), 0, "unmap it");
	ok(objects_alive() == alive + 1,
	   "the failed attaches left no object behind (%ld)", objects_alive());

	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), 0,
		 "attach a mock device");
	ok_errno(ioas_map_fixed(fd, ioas, buf, psz, 0x1000), EINVAL,
		 "MAP below the aperture (reserved): EINVAL");
	ok_errno(ioas_map_fixed(fd, ioas, buf, 1024, APERTURE), EINVAL,
		 "MAP of 1 KiB (below the granule): EINVAL");
	ok_errno(ioas_map_fixed(fd, ioas, buf, psz / 2, APERTURE), 0,
		 "MAP of one mock granule");
	ok_errno(check_map(fd, hwpt, APERTURE, psz / 2, buf), 0,
		 "mapped");
	ok_errno(ioas_map_fixed(fd, ioas, buf + psz / 2, psz / 2,
				APERTURE + psz / 2),
		 0, "the other half of the page, as its own MAP");
	ok_errno(check_map(fd, hwpt, APERTURE, psz, buf), 0,
		 "both halves map the one page");
	ok_errno(ioas_map_fixed(fd, ioas, bogus, psz, APERTURE + 0x10000),
		 EFAULT, "MAP of unmapped memory with a domain: EFAULT");
	ok_errno(ioas_map_fixed(fd, ioas, buf, psz, APERTURE + 0x10000), 0,
		 "which left that IOVA free");
	ok_errno(ioas_map_fixed(fd, ioas, page_before_hole(), 2 * psz,
				APERTURE + 0x20000),
		 EFAULT, "MAP whose second page is unmapped: EFAULT");
	ok_errno(ioas_unmap(fd, ioas, APERTURE + 0x20000, 2 * psz, NULL),
		 ENOENT, "and nothing of it stayed mapped");
	iova = 0;
	ok_errno(ioas_map(fd, ioas, MAP_RW, buf, 2 * psz, &iova), 0,
		 "automatic IOVA");
	ok(iova >= APERTURE && iova + 2 * psz - 1 <= 0x7fffffff,
	   "lands inside the aperture (0x%llx)", (unsigned long long)iova);
	ok_errno(huge_pages_set(fd, ioas, 0), EINVAL,
		 "disabling huge pages with a domain and areas: EINVAL");
	close(fd);
	fd = open_iommufd();
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "close unpinned all");
	close(fd);
}

static int hwpt_alloc(int fd, uint32_t size, uint32_t flags, uint32_t dev,
		      uint32_t pt, uint32_t data_type, uint32_t data_len,
		      uint32_t *out)
{
	uint32_t data = IOMMU_TEST_IOTLB_DEFAULT;
	struct iommu_hwpt_alloc cmd = {
		.size = size,
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)&data,
	};
	int rc = ioctl_err(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

static void test_hwpt_alloc(void)
{
	struct iommu_hwpt_alloc *ro;
	uint32_t ioas, stdev, auto_hwpt, idev, hwpt, parent, stdev2, hwpt2;
	int fd = open_iommufd();
	const uint32_t sz = sizeof(struct iommu_hwpt_alloc);

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(fd, ioas, &stdev, &auto_hwpt, &idev);
	{
		struct iommu_hwpt_alloc cmd = { .size = sz, .dev_id = idev,
						.pt_id = ioas, .__reserved = 1 };

		ok_errno(ioctl_err(fd, IOMMU_HWPT_ALLOC, &cmd), EOPNOTSUPP,
			 "HWPT_ALLOC with __reserved: EOPNOTSUPP");
	}
	ok_errno(hwpt_alloc(fd, sz, 0, 999, 999, 0, 4, NULL), EINVAL,
		 "data_len without data_type: EINVAL first");
	ok_errno(hwpt_alloc(fd, sz, 0, 999, 999, IOMMU_HWPT_DATA_SELFTEST, 0,
			    NULL),
		 EINVAL, "data_type without data_len: EINVAL");
	ok_errno(hwpt_alloc(fd, sz, 0, ioas, ioas, 0, 0, NULL), ENOENT,
		 "dev_id not a DEVICE: ENOENT");
	ok_errno(hwpt_alloc(fd, sz, 0, idev, 999, 0, 0, NULL), EINVAL,
		 "unknown pt_id: EINVAL");
	ok_errno(hwpt_alloc(fd, sz, 0, idev, stdev, 0, 0, NULL), EINVAL,
		 "pt_id of another type: EINVAL");
	ok_errno(hwpt_alloc(fd, sz, IOMMU_HWPT_FAULT_ID_VALID, idev, ioas, 0, 0,
			    NULL),
		 EOPNOTSUPP, "FAULT_ID_VALID on a paging HWPT: EOPNOTSUPP");
	ok_errno(hwpt_alloc(fd, sz, 0, idev, ioas, IOMMU_HWPT_DATA_SELFTEST, 4,
			    NULL),
		 EOPNOTSUPP, "driver data on a paging HWPT: EOPNOTSUPP");

	ok_errno(hwpt_alloc(fd, 24, 0, idev, ioas, 0, 0, &hwpt), 0,
		 "HWPT_ALLOC with a 24-byte (6.6) struct");
	ok(hwpt != auto_hwpt, "a new HW page table, not the automatic one");
	ok_errno(check_map(fd, hwpt, APERTURE, NPAGES * psz, buf), 0,
		 "it received the IOAS's mappings at once");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0,
		 "still one pin per page");
	ok_errno(mock_domain(fd, hwpt, &stdev2, &hwpt2, NULL), 0,
		 "attach a mock device to it by ID");
	ok(hwpt2 == hwpt, "to that HW page table");
	ok_errno(destroy(fd, hwpt), EBUSY, "destroy it while used: EBUSY");
	ok_errno(destroy(fd, ioas), EBUSY, "its IOAS: EBUSY");
	ok_errno(destroy(fd, stdev2), 0, "the device goes");
	ok_errno(check_map(fd, hwpt, APERTURE, psz, buf), 0,
		 "a manual HW page table stays without devices");

	ok_errno(hwpt_alloc(fd, sz, 0, idev, hwpt, IOMMU_HWPT_DATA_SELFTEST, 4,
			    NULL),
		 EINVAL, "nesting on a parent without NEST_PARENT: EINVAL");
	ok_errno(hwpt_alloc(fd, sz, 0, idev, auto_hwpt,
			    IOMMU_HWPT_DATA_SELFTEST, 4, NULL),
		 EINVAL, "nesting on an automatic parent: EINVAL");
	ok_errno(hwpt_alloc(fd, sz, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0,
			    0, &parent),
		 0, "a NEST_PARENT HW page table");
	ok_errno(hwpt_alloc(fd, sz, 0, idev, parent, 0, 0, NULL), EOPNOTSUPP,
		 "nesting without data: EOPNOTSUPP");
	ok_errno(hwpt_alloc(fd, sz, 0, idev, parent, IOMMU_HWPT_DATA_SELFTEST, 4,
			    &hwpt2),
		 0, "a nested HW page table on it (more in nested.c)");
	ok_errno(destroy(fd, parent), EBUSY, "the parent is held");
	ok_errno(destroy(fd, hwpt2), 0, "destroy the nested one");
	ok_errno(destroy(fd, parent), 0, "destroy the parent");
	ok_errno(destroy(fd, hwpt), 0, "destroy the manual HW page table");
	ok_errno(check_map(fd, hwpt, APERTURE, psz, buf), ENOENT, "gone");

	ro = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*ro = (struct iommu_hwpt_alloc){ .size = sz, .dev_id = idev,
					 .pt_id = ioas };
	mprotect(ro, psz, PROT_READ);
	ok_errno(ioctl_err(fd, IOMMU_HWPT_ALLOC, ro), EFAULT,
		 "HWPT_ALLOC whose write-back faults: EFAULT");
	ok_errno(hwpt_alloc(fd, sz, 0, idev, ioas, 0, 0, &hwpt2), 0,
		 "allocate again");
	ok(hwpt2 == hwpt, "the failed one left no object and no ID (%u)",
	   hwpt2);
	munmap(ro, psz);
	close(fd);
}

static int hw_info(int fd, uint32_t size, uint32_t dev, void *data,
		   uint32_t *len, uint32_t *type, uint64_t *caps)
{
	struct iommu_hw_info cmd = {
		.size = size,
		.dev_id = dev,
		.data_len = *len,
		.data_uptr = (uintptr_t)data,
		.out_capabilities = 0x5a5a,
	};
	int rc = ioctl_err(fd, IOMMU_GET_HW_INFO, &cmd);

	*len = cmd.data_len;
	*type = cmd.out_data_type;
	if (caps)
		*caps = cmd.out_capabilities;
	return rc;
}

static void test_hw_info(void)
{
	struct iommu_test_hw_info *info;
	struct iommu_hw_info cmd = { .size = sizeof(cmd) };
	uint32_t ioas, idev, len, type;
	unsigned char data[32];
	uint64_t caps;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	mock_domain(fd, ioas, NULL, NULL, &idev);
	cmd.dev_id = idev;
	cmd.flags = 1;
	ok_errno(ioctl_err(fd, IOMMU_GET_HW_INFO, &cmd), EOPNOTSUPP,
		 "GET_HW_INFO with flags: EOPNOTSUPP");
	cmd.flags = 0;
	cmd.__reserved[1] = 1;
	ok_errno(ioctl_err(fd, IOMMU_GET_HW_INFO, &cmd), EOPNOTSUPP,
		 "with a reserved byte set: EOPNOTSUPP");
	len = 0;
	ok_errno(hw_info(fd, sizeof(cmd), ioas, NULL, &len, &type, NULL),
		 ENOENT, "dev_id not a DEVICE: ENOENT");
	len = 0;
	ok_errno(hw_info(fd, sizeof(cmd), idev, NULL, &len, &type, &caps), 0,
		 "data_len 0 with a NULL pointer");
	ok(len == sizeof(*info) && type == IOMMU_HW_INFO_TYPE_SELFTEST &&
		   caps == IOMMU_HW_CAP_DIRTY_TRACKING,
	   "reports the mock's type and data length (%u, 0x%x)", len, type);

	memset(data, 0xa5, sizeof(data));
	len = sizeof(*info);
	ok_errno(hw_info(fd, sizeof(cmd), idev, data, &len, &type, NULL), 0,
		 "exactly the data's length");
	info = (void *)data;
	ok(info->flags == 0 && info->test_reg == IOMMU_HW_INFO_SELFTEST_REGVAL &&
		   data[8] == 0xa5,
	   "the mock's data, nothing past it");
	memset(data, 0xa5, sizeof(data));
	len = 16;
	hw_info(fd, sizeof(cmd), idev, data, &len, &type, NULL);
	ok(info->test_reg == IOMMU_HW_INFO_SELFTEST_REGVAL && data[8] == 0 &&
		   data[15] == 0 && data[16] == 0xa5 && len == 8,
	   "a larger buffer: the rest of it zeroed, no further");
	memset(data, 0xa5, sizeof(data));
	len = 4;
	hw_info(fd, sizeof(cmd), idev, data, &len, &type, NULL);
	ok(info->flags == 0 && data[4] == 0xa5 && len == 8,
	   "a smaller buffer: only what fits");
	len = 8;
	ok_errno(hw_info(fd, sizeof(cmd), idev, (void *)8, &len, &type, NULL),
		 EFAULT, "an unmapped buffer: EFAULT");
	len = 0;
	ok_errno(hw_info(fd, 32, idev, NULL, &len, &type, &caps), 0,
		 "a 32-byte (6.6) struct");
	ok(caps == 0x5a5a && len == 8,
	   "gets data_len, and nothing past its size");
	close(fd);
}

/* MOCK_DOMAIN_REPLACE: objects.md §5.2 replace */
static void test_replace(void)
{
	uint32_t a, b, stdev, hwpt_a, hwpt_b, manual, idev, pt;
	int fd = open_iommufd();

	ioas_alloc(fd, &a);
	ioas_alloc(fd, &b);
	ioas_map_fixed(fd, a, buf, NPAGES * psz, APERTURE);
	ioas_map_fixed(fd, b, buf, 4 * psz, APERTURE);
	mock_domain(fd, a, &stdev, &hwpt_a, &idev);
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0, "attached to A");

	pt = 999;
	ok_errno(mock_domain_replace(fd, stdev, &pt), ENOENT,
		 "REPLACE to an unknown ID: ENOENT");
	pt = idev;
	ok_errno(mock_domain_replace(fd, stdev, &pt), EINVAL,
		 "REPLACE to a DEVICE: EINVAL");
	pt = b;
	ok_errno(mock_domain_replace(fd, idev, &pt), ENOENT,
		 "REPLACE of something not a mock device: ENOENT");
	pt = a;
	ok_errno(mock_domain_replace(fd, stdev, &pt), 0,
		 "REPLACE to the IOAS it is on");
	ok(pt == hwpt_a, "no change: same HW page table");
	pt = hwpt_a;
	ok_errno(mock_domain_replace(fd, stdev, &pt), 0,
		 "REPLACE to its own HW page table");
	ok(pt == hwpt_a, "no change");

	pt = b;
	ok_errno(mock_domain_replace(fd, stdev, &pt), 0, "REPLACE to IOAS B");
	hwpt_b = pt;
	ok_errno(check_map(fd, hwpt_b, APERTURE, 4 * psz, buf), 0,
		 "onto a new automatic HW page table loaded with B");
	ok_errno(destroy(fd, hwpt_a), ENOENT,
		 "A's automatic HW page table went with its last device");
	ok_errno(check_refs(fd, buf, 4 * psz, 1), 0, "B's pages pinned once");
	ok_errno(check_refs(fd, buf + 4 * psz, (NPAGES - 4) * psz, 0), 0,
		 "A's other pages unpinned");
	ok_errno(destroy(fd, a), 0, "A is free to go");
	ok_errno(hwpt_alloc(fd, sizeof(struct iommu_hwpt_alloc), 0, idev, b, 0,
			    0, &manual),
		 0, "a manual HW page table on B");
	pt = manual;
	ok_errno(mock_domain_replace(fd, stdev, &pt), 0,
		 "REPLACE to the manual one");
	ok_errno(destroy(fd, hwpt_b), ENOENT,
		 "the automatic one on B went");
	ok_errno(destroy(fd, manual), EBUSY, "the manual one is in use");
	ok_errno(destroy(fd, stdev), 0, "the device goes");
	ok_errno(destroy(fd, manual), 0, "then the manual one can");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "nothing pinned");

	/* A replace that cannot load the new IOAS leaves the device put */
	ioas_alloc(fd, &a);
	ioas_map_fixed(fd, a, buf, 4 * psz, APERTURE);
	ioas_map_fixed(fd, b, buf, 4 * psz, psz);	/* below the aperture */
	mock_domain(fd, a, &stdev, &hwpt_a, &idev);
	pt = b;
	ok_errno(mock_domain_replace(fd, stdev, &pt), EADDRINUSE,
		 "REPLACE to an IOAS with areas outside the aperture: "
		 "EADDRINUSE");
	ok_errno(destroy(fd, hwpt_a), EBUSY, "the device stayed on A");
	ok_errno(check_map(fd, hwpt_a, APERTURE, 4 * psz, buf), 0,
		 "A's mapping intact");
	ok_errno(destroy(fd, b), 0, "B has no HW page table left");
	ok_errno(destroy(fd, stdev), 0, "the device goes (detach agrees)");
	ok_errno(destroy(fd, hwpt_a), ENOENT, "and A's HW page table with it");
	close(fd);
}

/* Every failure point of HWPT_ALLOC and of a REPLACE onto a new IOAS */
static void test_fail_nth_hwpt(void)
{
	uint32_t a, b, stdev, hwpt_a, idev, manual = 0, pt;
	int fd = open_iommufd(), n, rc = 0, bad = 0;
	long alive;

	set_temp_memory_limit(fd, 48);
	ioas_alloc(fd, &a);
	ioas_alloc(fd, &b);
	ioas_map_fixed(fd, a, buf, 8 * psz, APERTURE);
	ioas_map_fixed(fd, b, buf + 8 * psz, 8 * psz, APERTURE);
	mock_domain(fd, a, &stdev, &hwpt_a, &idev);
	alive = objects_alive();
	for (n = 1; n < 300; n++) {
		module_param_write("fail_nth", n);
		rc = hwpt_alloc(fd, sizeof(struct iommu_hwpt_alloc), 0, idev, b,
				0, 0, &manual);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += check_refs(fd, buf + 8 * psz, 8 * psz, 0) != 0;
		bad += objects_alive() != alive;
	}
	ok(!rc && !bad, "HWPT_ALLOC fails cleanly at each of its %d failure "
	   "points", n - 1);
	ok_errno(check_refs(fd, buf + 8 * psz, 8 * psz, 1), 0, "then pins B");
	destroy(fd, manual);
	for (n = 1; n < 300; n++) {
		pt = b;
		module_param_write("fail_nth", n);
		rc = mock_domain_replace(fd, stdev, &pt);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += check_refs(fd, buf + 8 * psz, 8 * psz, 0) != 0;
		bad += check_map(fd, hwpt_a, APERTURE, 8 * psz, buf) != 0;
		bad += objects_alive() != alive;
	}
	ok(!rc && !bad, "REPLACE fails cleanly at each of its %d failure "
	   "points: the device stays on A", n - 1);
	ok(n > 10, "(the walk reached the allocation and pinning points)");
	ok_errno(check_refs(fd, buf, 8 * psz, 0), 0, "then A is unpinned");
	ok_errno(check_refs(fd, buf + 8 * psz, 8 * psz, 1), 0, "and B pinned");
	set_temp_memory_limit(fd, 65536);
	close(fd);
}

static void test_batches(void)
{
	uint32_t ioas, stdev, hwpt;
	int fd = open_iommufd();

	ok_errno(set_temp_memory_limit(fd, 11), EINVAL,
		 "SET_TEMP_MEMORY_LIMIT below 12: EINVAL");
	ok_errno(set_temp_memory_limit(fd, 16), 0,
		 "a 16-byte limit: one page per batch");
	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), 0,
		 "attach with tiny batches");
	ok_errno(check_map(fd, hwpt, APERTURE, NPAGES * psz, buf), 0,
		 "maps everything");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0, "pinned once");
	ok_errno(set_temp_memory_limit(fd, 65536), 0, "restore the limit");
	close(fd);
}

static long vmpin(void);

/*
 * Every failure point of an attach, and of a MAP into a domain. With
 * @batch_limit small, loading takes several batches and half of the pages
 * are already held by a COPY in another IOAS with a domain, so the
 * rollbacks meet partial fills and mixed pinned/unpinned spans.
 */
static void test_fail_nth(uint32_t batch_limit)
{
	uint32_t ioas, ioas2, stdev, hwpt;
	uint64_t iova2 = APERTURE;
	long alive, pinned;
	int fd = open_iommufd(), n, rc = 0, bad = 0;

	set_temp_memory_limit(fd, batch_limit);
	ioas_alloc(fd, &ioas);
	ioas_alloc(fd, &ioas2);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	/* Every other page held by a domain of another IOAS */
	for (n = 0; n < NPAGES; n += 2) {
		iova2 = APERTURE + n * psz;
		ioas_copy(fd, MAP_FIXED_RW, ioas2, ioas, APERTURE + n * psz,
			  psz, &iova2);
	}
	mock_domain(fd, ioas2, NULL, NULL, NULL);
	alive = objects_alive();
	pinned = vmpin();
	for (n = 1; n < 200; n++) {
		module_param_write("fail_nth", n);
		rc = mock_domain(fd, ioas, &stdev, &hwpt, NULL);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		/* The COPY's domain still holds the even pages, only them */
		for (int j = 0; j < NPAGES; j++)
			bad += check_refs(fd, buf + j * psz, psz, !(j % 2)) != 0;
		bad += objects_alive() != alive;
		bad += vmpin() != pinned;
	}
	ok(!rc && !bad, "MOCK_DOMAIN fails cleanly at each of its %d failure "
	   "points (batch limit %u): pins, VmPin and objects unchanged",
	   n - 1, batch_limit);
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0, "then it works");

	pinned = vmpin();
	for (n = 1; n < 200; n++) {
		module_param_write("fail_nth", n);
		rc = ioas_map_fixed(fd, ioas, buf, NPAGES * psz,
				    APERTURE + 0x100000);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += ioas_unmap(fd, ioas, APERTURE + 0x100000, NPAGES * psz,
				  NULL) != ENOENT;
		bad += check_refs(fd, buf, NPAGES * psz, 1) != 0;
		bad += vmpin() != pinned;
	}
	ok(!rc && !bad, "MAP into a domain fails cleanly at each of its %d "
	   "failure points (batch limit %u)", n - 1, batch_limit);
	set_temp_memory_limit(fd, 65536);
	close(fd);
}

/*
 * The memory of a process that has since exited cannot be pinned any
 * more (EFAULT); that of one still alive is pinned remotely.
 */
static void test_fork(void)
{
	int fd = open_iommufd(), go[2], done[2], status;
	uint32_t ioas, stdev;
	char c = 0;
	pid_t pid;

	ioas_alloc(fd, &ioas);
	if (pipe(go) || pipe(done))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		/* The child maps and waits until told to exit */
		c = ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE) ? 1 : 0;
		if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ok(read(go[0], &c, 1) == 1 && c == 0, "a child process maps the buffer");
	ok_errno(mock_domain(fd, ioas, &stdev, NULL, NULL), 0,
		 "the parent attaches a device: a remote pin of the child's mm");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0, "pinned once");
	ok_errno(destroy(fd, stdev), 0, "detach");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "unpinned");
	if (write(done[1], &c, 1) != 1)
		tap_bail("write");
	waitpid(pid, &status, 0);
	ok_errno(mock_domain(fd, ioas, &stdev, NULL, NULL), EFAULT,
		 "after the child exited, its memory cannot be pinned: EFAULT");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "nothing pinned");
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	close(fd);
}

static void read_vm(long *vmpin, long *vmlck);

/* Large IOPTEs in mock domains now (selftest.c counts them) */
static long large_ioptes(void)
{
	return module_param_read("mock_large_ioptes");
}

/*
 * 2 MiB hugetlb pages: large IOPTEs, mapped and unmapped as runs. The
 * mock maps 1 MiB IOPTEs where a run allows (MOCK_FLAGS_DEVICE_HUGE_IOVA)
 * and counts them. MD_CHECK_REFS skips compound pages (selftest-abi.md
 * §5.5), so the pins of these are counted system-wide instead: every page
 * of a hugetlb page pinned adds one to nr_foll_pin_acquired.
 */
static void test_huge_pages(void)
{
	const uint64_t huge = 2ul << 20, len = 4ul << 20;
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	const long npages = len / psz;
	uint32_t ioas, ioas2, hwpt, hwpt2, hwpt3, stdev, stdev2, idev;
	long vmpin, vmlck, pins0, large0;
	uint64_t dst;
	int fd = open_iommufd(), i, bad = 0;
	char *hbuf;

	hbuf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		    -1, 0);
	if (!ok(hbuf != MAP_FAILED, "4 MiB of 2 MiB hugetlb pages")) {
		close(fd);
		return;
	}
	ok(compound_pages(hbuf, len) == npages,
	   "all of them compound pages (%ld of %ld)",
	   compound_pages(hbuf, len), npages);
	pins0 = foll_pins();
	large0 = large_ioptes();
	ioas_alloc(fd, &ioas);
	ok_errno(mock_domain_flags(fd, ioas, MOCK_FLAGS_DEVICE_HUGE_IOVA,
				   &stdev, &hwpt, &idev),
		 0, "a mock device with huge IOPTEs");
	ok_errno(ioas_map_fixed(fd, ioas, hbuf, len, APERTURE), 0,
		 "MAP of the huge pages");
	ok_errno(check_map(fd, hwpt, APERTURE, len, hbuf), 0, "mapped");
	ok(large_ioptes() - large0 == 4, "as four 1 MiB IOPTEs (%ld)",
	   large_ioptes() - large0);
	ok(foll_pins() - pins0 == npages,
	   "each of the %ld pages pinned once (%ld pins)", npages,
	   foll_pins() - pins0);
	read_vm(&vmpin, &vmlck);
	ok(vmpin == (long)(len >> 10), "VmPin %ld kB", vmpin);
	ok_errno(md_check_refs(fd, hbuf, len, 7), 0,
		 "(MD_CHECK_REFS does not look at compound pages: any count "
		 "passes)");
	ok_errno(hwpt_alloc(fd, sizeof(struct iommu_hwpt_alloc), 0, idev, ioas,
			    0, 0, &hwpt2),
		 0, "a second domain of the IOAS");
	ok_errno(check_map(fd, hwpt2, APERTURE, len, hbuf), 0,
		 "loaded with the same pages");
	ok(large_ioptes() - large0 == 8, "as four 1 MiB IOPTEs too (%ld)",
	   large_ioptes() - large0);
	ok(foll_pins() - pins0 == npages,
	   "without pinning any page again (%ld pins)",
	   foll_pins() - pins0);
	ok_errno(destroy(fd, hwpt2), 0, "destroy it");
	ok(foll_pins() - pins0 == npages && large_ioptes() - large0 == 4,
	   "its IOPTEs went, the pins stayed");

	/* A COPY reads the PFNs from the runs the first fill recorded */
	ioas_alloc(fd, &ioas2);
	ok_errno(mock_domain_flags(fd, ioas2, MOCK_FLAGS_DEVICE_HUGE_IOVA,
				   &stdev2, &hwpt3, NULL),
		 0, "another IOAS with a mock device with huge IOPTEs");
	dst = APERTURE + len;
	ok_errno(ioas_copy(fd, MAP_FIXED_RW, ioas2, ioas, APERTURE, len, &dst),
		 0, "COPY of it to another IOAS with a domain");
	ok_errno(check_map(fd, hwpt3, APERTURE + len, len, hbuf), 0,
		 "the copy maps the same pages");
	ok(large_ioptes() - large0 == 8 && foll_pins() - pins0 == npages,
	   "as four 1 MiB IOPTEs, pinning nothing again (%ld, %ld pins)",
	   large_ioptes() - large0, foll_pins() - pins0);
	ok_errno(ioas_unmap(fd, ioas, APERTURE, len, NULL), 0,
		 "unmap the original");
	ok(foll_pins() - pins0 == npages, "the copy keeps every pin (%ld)",
	   foll_pins() - pins0);
	ok_errno(ioas_map_fixed(fd, ioas, hbuf, len, APERTURE), 0,
		 "map it again: its pages come from the copy's runs");
	ok_errno(check_map(fd, hwpt, APERTURE, len, hbuf), 0, "mapped");
	ok_errno(destroy(fd, stdev2), 0, "destroy the copy's device");
	ok_errno(ioas_unmap(fd, ioas2, APERTURE + len, len, NULL), 0,
		 "unmap the copy");
	ok_errno(destroy(fd, ioas2), 0, "and its IOAS");
	ok(foll_pins() - pins0 == npages && large_ioptes() - large0 == 4,
	   "the original keeps every pin (%ld) and its IOPTEs",
	   foll_pins() - pins0);
	ok_errno(ioas_unmap(fd, ioas, APERTURE, huge, NULL), ENOENT,
		 "half of the area: ENOENT");
	ok_errno(ioas_unmap(fd, ioas, APERTURE, len, NULL), 0, "unmap it all");
	ok(large_ioptes() == large0, "no large IOPTE left");
	ok(foll_pins() == pins0, "every page unpinned (%ld pins)",
	   foll_pins() - pins0);
	read_vm(&vmpin, &vmlck);
	ok(vmpin == 0, "unpinned: VmPin %ld kB", vmpin);

	/* A mapping is not cut where a batch of pinned pages ends */
	ok_errno(set_temp_memory_limit(fd, 16), 0, "batches of two pages");
	ok_errno(ioas_map_fixed(fd, ioas, hbuf, len, APERTURE), 0,
		 "MAP of the huge pages again");
	ok(large_ioptes() - large0 == 4,
	   "still as four 1 MiB IOPTEs, across batches (%ld)",
	   large_ioptes() - large0);
	ok_errno(check_map(fd, hwpt, APERTURE, len, hbuf), 0, "mapped");
	ok(foll_pins() - pins0 == npages, "each page pinned once (%ld pins)",
	   foll_pins() - pins0);
	ok_errno(ioas_unmap(fd, ioas, APERTURE, len, NULL), 0, "unmap it");
	ok(foll_pins() == pins0 && large_ioptes() == large0,
	   "no pin and no large IOPTE left");
	set_temp_memory_limit(fd, 65536);
	ok_errno(destroy(fd, stdev), 0, "destroy the device");

	/* VFIO type1 v1 splits a huge-page mapping loaded with small IOPTEs */
	vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &ioas);
	ok_errno(ioctl(fd, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) ? errno : 0, 0,
		 "VFIO_SET_IOMMU(TYPE1): huge IOPTEs off");
	mock_domain_flags(fd, ioas, MOCK_FLAGS_DEVICE_HUGE_IOVA, &stdev, &hwpt,
			  NULL);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)hbuf;
	map.iova = APERTURE;
	map.size = len;
	ok_errno(ioctl_err(fd, VFIO_IOMMU_MAP_DMA, &map), 0, "MAP_DMA 4 MiB");
	ok_errno(check_map(fd, hwpt, APERTURE, len, hbuf), 0, "mapped");
	ok(large_ioptes() == large0,
	   "with no large IOPTE, though the domain has them");
	ok(foll_pins() - pins0 == npages, "%ld pages pinned once",
	   npages);
	for (i = 0; i < 16; i++) {
		unmap.iova = APERTURE + i * (len / 16);
		unmap.size = len / 16;
		bad += !!ioctl_err(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
		bad += unmap.size != len / 16;
		bad += foll_pins() - pins0 != npages / 16 * (15 - i);
	}
	ok(!bad, "UNMAP_DMA of it in 16 pieces of 256 KiB, each unpinning "
	   "its pages");
	read_vm(&vmpin, &vmlck);
	ok(vmpin == 0, "unpinned: VmPin %ld kB", vmpin);
	close(fd);
	munmap(hbuf, len);
}

static long vmpin(void)
{
	long pin, lck;

	read_vm(&pin, &lck);
	return pin;
}

/* VmPin and VmLck of /proc/self/status, in kB */
static void read_vm(long *vmpin, long *vmlck)
{
	*vmpin = proc_kb("/proc/self/status", "VmPin");
	*vmlck = proc_kb("/proc/self/status", "VmLck");
}

/* Pin accounting of an unprivileged user: RLIMIT_MEMLOCK in pages */
static int child_accounting(int fd, int mm_mode)
{
	struct rlimit rl = { 4 * psz, 4 * psz };
	uint32_t ioas, stdev;
	long vmpin, vmlck;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 100;
	if (ioas_alloc(fd, &ioas) ||
	    ioas_map_fixed(fd, ioas, buf, 8 * psz, APERTURE))
		return 101;
	if (mock_domain(fd, ioas, &stdev, NULL, NULL) != ENOMEM)
		return 102;	/* 8 pages over a 4-page limit */
	if (ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL) ||
	    ioas_map_fixed(fd, ioas, buf, 4 * psz, APERTURE) ||
	    mock_domain(fd, ioas, &stdev, NULL, NULL))
		return 103;	/* 4 pages fit */
	if (ioas_map_fixed(fd, ioas, buf + 4 * psz, psz, APERTURE + 0x10000) !=
	    ENOMEM)
		return 104;	/* the fifth does not */
	read_vm(&vmpin, &vmlck);
	if (vmpin != 4 * psz / 1024)
		return 105;
	if (mm_mode && vmlck != 4 * psz / 1024)
		return 106;
	if (!mm_mode && vmlck != 0)
		return 107;
	if (destroy(fd, stdev))
		return 108;
	read_vm(&vmpin, &vmlck);
	if (vmpin != 0 || vmlck != 0)
		return 109;
	/* Everything was uncharged: the 4 pages fit again */
	if (mock_domain(fd, ioas, &stdev, NULL, NULL) || destroy(fd, stdev))
		return 110;
	return 0;
}

static void test_accounting(int mm_mode)
{
	int fd = open_iommufd(), status;
	uint64_t val = mm_mode;

	option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &val);
	status = in_child(child_accounting, fd, mm_mode);
	ok(status == 0,
	   "%s mode: an unprivileged user is held to RLIMIT_MEMLOCK, VmPin%s "
	   "follow the pins (child status %d)", mm_mode ? "mm" : "user",
	   mm_mode ? " and VmLck" : "", status);
	close(fd);
}

/* mm mode: the child maps and attaches, then exits with its pins charged */
static int child_mm_exit(int fd, int arg)
{
	uint32_t ioas, stdev;
	long vmpin, vmlck;

	(void)arg;
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 100;
	if (ioas_alloc(fd, &ioas) ||
	    ioas_map_fixed(fd, ioas, buf, 4 * psz, APERTURE) ||
	    mock_domain(fd, ioas, &stdev, NULL, NULL))
		return 101;
	read_vm(&vmpin, &vmlck);
	if (vmlck != 4 * psz / 1024)
		return 102;
	return 0;
}

/*
 * Pins charged to an mm (RLIMIT_MODE 1) that exited before they were
 * unpinned: uncharging finds no mm to lock and leaves it be.
 */
static void test_accounting_after_exit(void)
{
	int fd = open_iommufd(), status;
	uint64_t val = 1;
	long vmpin, vmlck, vmpin2, vmlck2;

	option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &val);
	read_vm(&vmpin, &vmlck);
	status = in_child(child_mm_exit, fd, 0);
	ok(status == 0, "mm mode: a child's pins are charged to its mm, then "
	   "it exits (status %d)", status);
	ok_errno(check_refs(fd, buf, 4 * psz, 1), 0, "its pins stay");
	/* The child's objects: IOAS 1, SELFTEST 2 */
	ok_errno(destroy(fd, 2), 0, "the parent detaches the child's device");
	ok_errno(check_refs(fd, buf, 4 * psz, 0), 0, "unpinned");
	read_vm(&vmpin2, &vmlck2);
	ok(vmpin2 == vmpin && vmlck2 == vmlck,
	   "the parent was never charged (VmPin %ld, VmLck %ld kB)", vmpin2,
	   vmlck2);
	close(fd);
}

/* Our IOMMU_TEST_OP_OOT_FLOOR, make bench's floor: timed, leaves nothing */
static int floor_op(int fd, const void *uptr, uint64_t length,
		    uint32_t dev_flags, struct iommu_test_cmd *cmd)
{
	*cmd = (struct iommu_test_cmd){
		.size = sizeof(*cmd),
		.op = IOMMU_TEST_OP_OOT_FLOOR,
		.floor = { .uptr = (uintptr_t)uptr, .length = length,
			   .dev_flags = dev_flags },
	};
	return ioctl_err(fd, IOMMU_TEST_CMD, cmd);
}

static void test_floor(void)
{
	struct iommu_test_cmd cmd;
	int fd = open_iommufd();
	long pins0 = foll_pins(), large0 = large_ioptes();
	char *hole;

	ok_errno(floor_op(fd, buf, NPAGES * psz, 0, &cmd), 0,
		 "OOT_FLOOR of the buffer");
	ok(cmd.floor.out_map_ns && cmd.floor.out_unmap_ns,
	   "reports both times (%llu, %llu ns)",
	   (unsigned long long)cmd.floor.out_map_ns,
	   (unsigned long long)cmd.floor.out_unmap_ns);
	ok_errno(floor_op(fd, buf, NPAGES * psz, MOCK_FLAGS_DEVICE_HUGE_IOVA,
			  &cmd), 0, "with huge IOPTEs");
	ok_errno(floor_op(fd, buf + 1, psz, 0, &cmd), EINVAL, "unaligned: EINVAL");
	ok_errno(floor_op(fd, buf, psz + 1, 0, &cmd), EINVAL,
		 "partial page: EINVAL");
	ok_errno(floor_op(fd, buf, 0, 0, &cmd), EINVAL, "empty: EINVAL");
	ok_errno(floor_op(fd, buf, psz, 1u << 31, &cmd), EINVAL,
		 "unknown device flag: EINVAL");
	ok_errno(floor_op(fd, buf, 1ull << 40, 0, &cmd), EINVAL,
		 "beyond the mock aperture: EINVAL");
	/* Two pages, the second unmapped: the pin fails half way */
	hole = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	munmap(hole + psz, psz);
	ok_errno(floor_op(fd, hole, 2 * psz, 0, &cmd), EFAULT,
		 "memory that is not there: EFAULT");
	munmap(hole, psz);
	ok(foll_pins() == pins0 && large_ioptes() == large0,
	   "no pin and no IOPTE left");
	close(fd);
}

int main(void)
{
	long alive;

	buf = test_build_buffer(NPAGES, &psz);
	alive = objects_alive();

	test_mock_domain();
	test_pin_once();
	test_domain_rules();
	test_hwpt_alloc();
	test_hw_info();
	test_replace();
	test_huge_pages();
	test_batches();
	test_fail_nth(65536);
	test_fail_nth(48);
	test_fail_nth_hwpt();
	test_fork();
	test_accounting(0);
	test_accounting(1);
	test_accounting_after_exit();
	test_floor();
	ok(objects_alive() == alive, "no object left (%ld)", objects_alive());
	return tap_done();
}
