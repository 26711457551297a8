// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nesting through the mock IOMMU (test build only; uapi.md §7.1, §7.5,
 * selftest-abi.md §4.3, §5.14): HWPT_ALLOC of nested HW page tables with
 * every check of step 6 in order, the mock's IOTLB, the references between
 * nested HWPT, parent and IOAS, devices attached to, moved between and
 * detached from nested HWPTs with their reserved regions in the parent's
 * IOAS, IOMMU_HWPT_INVALIDATE with its array protocol (entry_num written
 * back on every outcome), and every failure point of a nested allocation
 * leaving nothing behind.
 */
#include <stdint.h>

#include "utils.h"

#define NPAGES 16
#define APERTURE 0x1000000ull
#define RESV (APERTURE + 0x100000)
#define RESV_LEN 0x10000

static long psz;
static char *buf;

static uint32_t iotlb_default = IOMMU_TEST_IOTLB_DEFAULT;

/* All four IOTLB entries of @hwpt hold @v0..@v3 */
static int iotlb_is(int fd, uint32_t hwpt, uint32_t v0, uint32_t v1,
		    uint32_t v2, uint32_t v3)
{
	return !check_iotlb(fd, hwpt, 0, v0) && !check_iotlb(fd, hwpt, 1, v1) &&
	       !check_iotlb(fd, hwpt, 2, v2) && !check_iotlb(fd, hwpt, 3, v3);
}

static void test_alloc(void)
{
	uint32_t ioas, stdev, auto_hwpt, idev, hwpt, parent, nested, id;
	const uint32_t D = IOMMU_TEST_IOTLB_DEFAULT;
	uint8_t data[8] = { 0 };
	long alive;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(fd, ioas, &stdev, &auto_hwpt, &idev);
	hwpt_alloc_flags(fd, idev, ioas, 0, &hwpt);
	ok_errno(hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				  &parent),
		 0, "a NEST_PARENT paging HWPT");
	alive = objects_alive();

	ok_errno(hwpt_alloc_nested(fd, idev, parent, IOMMU_HWPT_ALLOC_NEST_PARENT,
				   IOMMU_HWPT_DATA_SELFTEST, &iotlb_default, 4,
				   0, &id),
		 EOPNOTSUPP, "nested with NEST_PARENT: EOPNOTSUPP");
	ok_errno(hwpt_alloc_nested(fd, idev, parent,
				   IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				   IOMMU_HWPT_DATA_SELFTEST, &iotlb_default, 4,
				   0, &id),
		 EOPNOTSUPP, "nested with DIRTY_TRACKING: EOPNOTSUPP");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, 0, IOMMU_HWPT_DATA_NONE,
				   NULL, 0, 0, &id),
		 EOPNOTSUPP, "nested without driver data: EOPNOTSUPP");
	/* Before the parent's checks: the core's own, not the mock's */
	ok_errno(hwpt_alloc_nested(fd, idev, hwpt, 0, IOMMU_HWPT_DATA_NONE,
				   NULL, 0, 0, &id),
		 EOPNOTSUPP,
		 "without driver data, on a parent without NEST_PARENT: EOPNOTSUPP");
	ok_errno(hwpt_alloc_nested(fd, idev, auto_hwpt, 0, IOMMU_HWPT_DATA_NONE,
				   NULL, 0, 0, &id),
		 EOPNOTSUPP,
		 "without driver data, on an automatic parent: EOPNOTSUPP");
	ok_errno(hwpt_alloc_nested(fd, idev, hwpt, 0, IOMMU_HWPT_DATA_SELFTEST,
				   &iotlb_default, 4, 0, &id),
		 EINVAL, "on a parent without NEST_PARENT: EINVAL");
	ok_errno(hwpt_alloc_nested(fd, idev, auto_hwpt, 0,
				   IOMMU_HWPT_DATA_SELFTEST, &iotlb_default, 4,
				   0, &id),
		 EINVAL, "on an automatic parent: EINVAL");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, 0, IOMMU_HWPT_DATA_VTD_S1,
				   data, 4, 0, &id),
		 EOPNOTSUPP, "another driver's data type: EOPNOTSUPP");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, 0, IOMMU_HWPT_DATA_SELFTEST,
				   data, 3, 0, &id),
		 EINVAL, "data shorter than the driver's minimum: EINVAL");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, 0, IOMMU_HWPT_DATA_SELFTEST,
				   data, 5, 0, &id),
		 EINVAL, "data longer than the driver's struct: EINVAL");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, 0, IOMMU_HWPT_DATA_SELFTEST,
				   (void *)8, 4, 0, &id),
		 EFAULT, "unreadable data: EFAULT");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, IOMMU_HWPT_FAULT_ID_VALID,
				   IOMMU_HWPT_DATA_SELFTEST, &iotlb_default, 4,
				   ioas, &id),
		 ENOENT, "a fault_id that is not a FAULT: ENOENT");
	ok(objects_alive() == alive, "the refusals left no object");

	ok_errno(hwpt_alloc_mock_nested(fd, idev, parent, &nested), 0,
		 "a nested HWPT on the NEST_PARENT one");
	ok(iotlb_is(fd, nested, D, D, D, D),
	   "its IOTLB holds the data's value in all four entries");
	ok_errno(check_iotlb(fd, nested, 0, 0), EINVAL,
		 "MD_CHECK_IOTLB of another value: EINVAL");
	ok_errno(check_iotlb(fd, nested, 4, D), EINVAL,
		 "MD_CHECK_IOTLB of entry 4: EINVAL");
	ok_errno(check_iotlb(fd, parent, 0, D), ENOENT,
		 "MD_CHECK_IOTLB of a paging HWPT: ENOENT");
	ok_errno(check_map(fd, nested, APERTURE, psz, buf), ENOENT,
		 "MD_CHECK_MAP of a nested HWPT: ENOENT");
	ok_errno(hwpt_alloc_nested(fd, idev, nested, 0, IOMMU_HWPT_DATA_SELFTEST,
				   &iotlb_default, 4, 0, &id),
		 EINVAL, "a nested HWPT as parent: EINVAL");
	ok_errno(hwpt_alloc_nested(fd, idev, idev, 0, IOMMU_HWPT_DATA_SELFTEST,
				   &iotlb_default, 4, 0, &id),
		 EINVAL, "a DEVICE as parent: EINVAL");
	data[0] = 0x5a;
	ok_errno(hwpt_alloc_nested(fd, idev, parent, 0, IOMMU_HWPT_DATA_SELFTEST,
				   data, 4, 0, &id),
		 0, "another nested HWPT");
	ok(iotlb_is(fd, id, 0x5a, 0x5a, 0x5a, 0x5a), "with its own IOTLB");
	ok_errno(set_dirty_tracking(fd, nested, 1), ENOENT,
		 "SET_DIRTY_TRACKING of a nested HWPT: ENOENT");

	{
		struct iommu_hwpt_alloc *ro;
		int ffd;
		uint32_t fault;

		fault_alloc(fd, &fault, &ffd);
		ro = mmap(NULL, psz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		*ro = (struct iommu_hwpt_alloc){
			.size = sizeof(*ro),
			.flags = IOMMU_HWPT_FAULT_ID_VALID,
			.dev_id = idev,
			.pt_id = parent,
			.data_type = IOMMU_HWPT_DATA_SELFTEST,
			.data_len = sizeof(iotlb_default),
			.data_uptr = (uintptr_t)&iotlb_default,
			.fault_id = fault,
		};
		mprotect(ro, psz, PROT_READ);
		alive = objects_alive();
		ok_errno(ioctl_err(fd, IOMMU_HWPT_ALLOC, ro), EFAULT,
			 "a nested HWPT_ALLOC whose write-back faults: EFAULT");
		ok(objects_alive() == alive, "it left no object");
		close(ffd);
		ok_errno(destroy(fd, fault), 0,
			 "nor a reference on the fault queue");
		munmap(ro, psz);
		ro = mmap(NULL, psz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		*ro = (struct iommu_hwpt_alloc){ .size = 24, .dev_id = idev,
						 .pt_id = parent };
		ok_errno(ioctl_err(fd, IOMMU_HWPT_ALLOC, ro), EOPNOTSUPP,
			 "a 24-byte (6.6) HWPT_ALLOC on a paging parent: no "
			 "data, EOPNOTSUPP");
		munmap(ro, psz);
	}
	ok_errno(destroy(fd, parent), EBUSY,
		 "destroy the parent of nested HWPTs: EBUSY");
	ok_errno(destroy(fd, nested), 0, "destroy a nested HWPT");
	ok_errno(destroy(fd, parent), EBUSY, "the other still holds the parent");
	ok_errno(destroy(fd, id), 0, "destroy the other");
	ok_errno(destroy(fd, parent), 0, "then the parent goes");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0,
		 "the IOAS's pages stay pinned once");
	close(fd);
	fd = open_iommufd();
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "close unpinned all");
	close(fd);
}

/* Reserved region of the mock devices the test makes, in the parent's IOAS */
static int resv_in(int fd, uint32_t ioas)
{
	struct iommu_iova_range r[4];
	uint32_t num = 4, i;

	if (iova_ranges(fd, ioas, r, &num, NULL))
		return -1;
	for (i = 0; i < num; i++)
		if (r[i].last == RESV - 1 && i + 1 < num &&
		    r[i + 1].start == RESV + RESV_LEN)
			return 1;
	return 0;
}

static void test_attach(void)
{
	uint32_t a, b, stdev, idev, stdev2, pa, pb, na, na2, nb, pt;
	long alive = objects_alive(), alive2;
	int fd = open_iommufd();

	ioas_alloc(fd, &a);
	ioas_alloc(fd, &b);
	ioas_map_fixed(fd, a, buf, NPAGES * psz, APERTURE);
	ioas_map_fixed(fd, b, buf, 4 * psz, APERTURE);
	mock_domain(fd, a, &stdev, NULL, &idev);
	hwpt_alloc_flags(fd, idev, a, IOMMU_HWPT_ALLOC_NEST_PARENT, &pa);
	hwpt_alloc_flags(fd, idev, b, IOMMU_HWPT_ALLOC_NEST_PARENT, &pb);
	hwpt_alloc_mock_nested(fd, idev, pa, &na);
	hwpt_alloc_mock_nested(fd, idev, pa, &na2);
	hwpt_alloc_mock_nested(fd, idev, pb, &nb);

	if (!ok(!module_param_write("mock_dev_resv", RESV),
		"mock devices get a reserved region from now on"))
		return;
	ok_errno(mock_domain(fd, na, &stdev2, &pt, NULL), 0,
		 "a mock device attaches to a nested HWPT");
	ok(pt == na, "reported attached to it");
	ok(resv_in(fd, a) == 1, "its reserved region is in the parent's IOAS");
	ok_errno(ioas_map_fixed(fd, a, buf, psz, RESV), EINVAL,
		 "MAP into it: EINVAL");
	ok_errno(destroy(fd, na), EBUSY, "the nested HWPT in use: EBUSY");
	ok_errno(destroy(fd, pa), EBUSY, "its parent: EBUSY");

	pt = na2;
	ok_errno(mock_domain_replace(fd, stdev2, &pt), 0,
		 "REPLACE to another nested HWPT on the same parent");
	ok(resv_in(fd, a) == 1, "the reserved region stays");
	pt = pa;
	ok_errno(mock_domain_replace(fd, stdev2, &pt), 0,
		 "REPLACE to the parent itself");
	ok(resv_in(fd, a) == 1 && pt == pa, "still there");
	pt = nb;
	ok_errno(mock_domain_replace(fd, stdev2, &pt), 0,
		 "REPLACE to a nested HWPT of another IOAS");
	ok(resv_in(fd, a) == 0 && resv_in(fd, b) == 1,
	   "the reserved region moved to that parent's IOAS");
	pt = a;
	ok_errno(mock_domain_replace(fd, stdev2, &pt), 0,
		 "REPLACE to an IOAS: an automatic HWPT");
	ok(resv_in(fd, a) == 1 && resv_in(fd, b) == 0, "moved back");
	pt = na;
	ok_errno(mock_domain_replace(fd, stdev2, &pt), 0,
		 "REPLACE to the nested HWPT again");
	ok(!check_refs(fd, buf, 4 * psz, 2) &&
		   !check_refs(fd, buf + 4 * psz, (NPAGES - 4) * psz, 1),
	   "one pin per page and MAP throughout (A's and B's)");

	ok_errno(ioas_map_fixed(fd, b, buf, psz, RESV), 0,
		 "MAP over the region in IOAS B");
	alive2 = objects_alive();
	pt = nb;
	ok_errno(mock_domain_replace(fd, stdev2, &pt), EADDRINUSE,
		 "REPLACE to B's nested HWPT now: EADDRINUSE");
	ok_errno(destroy(fd, na), EBUSY, "the device stayed on A's");
	ok_errno(mock_domain(fd, nb, NULL, NULL, NULL), EADDRINUSE,
		 "a new device onto B's nested HWPT: EADDRINUSE");
	ok(objects_alive() == alive2,
	   "the failed attach left no object (%ld)", objects_alive() - alive2);

	ok_errno(destroy(fd, stdev2), 0, "the device goes");
	ok(resv_in(fd, a) == 0, "and its reserved region with it");
	ok_errno(destroy(fd, na), 0, "the nested HWPT can go now");
	module_param_write("mock_dev_resv", 0);
	close(fd);
	ok(objects_alive() == alive, "close left no object");
}

static void test_invalidate(void)
{
	struct iommu_hwpt_invalidate_selftest inv[4];
	struct iommu_hwpt_invalidate cmd = { .size = sizeof(cmd) };
	struct iommu_hwpt_invalidate *ro;
	const uint32_t D = IOMMU_TEST_IOTLB_DEFAULT;
	uint32_t ioas, idev, parent, nested, n;
	char *edge;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	mock_domain(fd, ioas, NULL, NULL, &idev);
	hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent);
	hwpt_alloc_mock_nested(fd, idev, parent, &nested);
	memset(inv, 0, sizeof(inv));

	cmd.hwpt_id = nested;
	cmd.__reserved = 1;
	cmd.entry_num = 5;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_INVALIDATE, &cmd), EOPNOTSUPP,
		 "INVALIDATE with __reserved: EOPNOTSUPP");
	ok(cmd.entry_num == 0, "entry_num written back as 0");
	cmd.__reserved = 0;
	cmd.entry_num = 1;
	cmd.entry_len = sizeof(inv[0]);
	cmd.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_INVALIDATE, &cmd), EINVAL,
		 "entries without data_uptr: EINVAL");
	ok(cmd.entry_num == 0, "entry_num 0");
	cmd.entry_num = 1;
	cmd.data_uptr = (uintptr_t)inv;
	cmd.entry_len = 0;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_INVALIDATE, &cmd), EINVAL,
		 "entry_len 0: EINVAL");
	cmd.entry_num = 1;
	cmd.entry_len = psz + 1;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_INVALIDATE, &cmd), EINVAL,
		 "entry_len beyond a page: EINVAL");
	cmd.entry_len = sizeof(inv[0]);
	cmd.entry_num = (1u << 19) + 1;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_INVALIDATE, &cmd), EINVAL,
		 "more than 2^19 entries: EINVAL");
	cmd.entry_num = 1;
	cmd.hwpt_id = parent;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_INVALIDATE, &cmd), ENOENT,
		 "a paging HWPT: ENOENT");
	cmd.hwpt_id = 999;
	cmd.entry_num = 1;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_INVALIDATE, &cmd), ENOENT,
		 "an unknown one: ENOENT");

	n = 0;
	ok_errno(hwpt_invalidate(fd, nested,
				 IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
				 NULL, 0, &n),
		 EINVAL, "no entries, a type the mock rejects: EINVAL");
	n = 0;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 NULL, 0, &n),
		 0, "no entries, its type: 0");
	n = 2;
	ok_errno(hwpt_invalidate(fd, nested,
				 IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID,
				 inv, sizeof(inv[0]), &n),
		 EINVAL, "entries of a rejected type: EINVAL");
	ok(n == 0 && iotlb_is(fd, nested, D, D, D, D),
	   "none handled, nothing invalidated");
	n = 1;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 inv, sizeof(inv[0]) - 1, &n),
		 EINVAL, "entry_len below the driver's struct: EINVAL");
	ok(n == 0, "none handled");
	n = 1;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 inv, sizeof(inv[0]) + 1, &n),
		 EINVAL, "entry_len above it: EINVAL");

	inv[0].iotlb_id = 0;
	inv[1].iotlb_id = 1;
	inv[2].flags = 1 << 1;
	inv[2].iotlb_id = 2;
	inv[3].iotlb_id = 3;
	n = 4;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 inv, sizeof(inv[0]), &n),
		 EOPNOTSUPP, "four entries, the third with an unknown flag: "
		 "EOPNOTSUPP");
	ok(n == 2 && iotlb_is(fd, nested, 0, 0, D, D),
	   "two handled: entries 0 and 1 invalidated, 2 and 3 not (%u)", n);
	inv[2].flags = 0;
	inv[2].iotlb_id = 4;
	n = 4;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 inv, sizeof(inv[0]), &n),
		 EINVAL, "the third with iotlb_id 4: EINVAL");
	ok(n == 2, "two handled");
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	inv[0].iotlb_id = 4;
	n = 1;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 inv, sizeof(inv[0]), &n),
		 EINVAL, "FLAG_ALL with iotlb_id 4: EINVAL all the same");
	inv[2].iotlb_id = 2;
	n = 2;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 &inv[2], sizeof(inv[0]), &n),
		 0, "entries for 2 and 3");
	ok(n == 2 && iotlb_is(fd, nested, 0, 0, 0, 0), "both handled");

	/* A fresh one: FLAG_ALL; then an array running into unmapped memory */
	destroy(fd, nested);
	hwpt_alloc_mock_nested(fd, idev, parent, &nested);
	inv[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
	inv[0].iotlb_id = 0;
	n = 1;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 inv, sizeof(inv[0]), &n),
		 0, "FLAG_ALL");
	ok(n == 1 && iotlb_is(fd, nested, 0, 0, 0, 0), "clears all four");
	destroy(fd, nested);
	hwpt_alloc_mock_nested(fd, idev, parent, &nested);
	edge = page_before_hole();
	memset(edge + psz - 2 * sizeof(inv[0]), 0, 2 * sizeof(inv[0]));
	((struct iommu_hwpt_invalidate_selftest *)(edge + psz))[-1].iotlb_id = 3;
	n = 3;
	ok_errno(hwpt_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
				 edge + psz - 2 * sizeof(inv[0]),
				 sizeof(inv[0]), &n),
		 EFAULT, "three entries, the third unmapped: EFAULT");
	ok(n == 2 && iotlb_is(fd, nested, 0, D, D, 0), "two handled (%u)", n);
	munmap(edge, psz);

	ro = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*ro = (struct iommu_hwpt_invalidate){
		.size = sizeof(*ro),
		.hwpt_id = nested,
		.data_uptr = (uintptr_t)&inv[1],
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = sizeof(inv[0]),
		.entry_num = 1,
	};
	inv[1].flags = 0;
	inv[1].iotlb_id = 1;
	mprotect(ro, psz, PROT_READ);
	ok_errno(ioctl_err(fd, IOMMU_HWPT_INVALIDATE, ro), EFAULT,
		 "the write-back faults: EFAULT");
	ok(iotlb_is(fd, nested, 0, 0, D, 0),
	   "(the request itself was carried out)");
	munmap(ro, psz);
	close(fd);
}

/* Every failure point of a nested allocation and of an attach to one */
static void test_fail_nth(void)
{
	uint32_t ioas, idev, parent, nested = 0, stdev = 0;
	int fd = open_iommufd(), n, rc = 0, bad = 0;
	long alive;

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(fd, ioas, NULL, NULL, &idev);
	hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent);
	alive = objects_alive();
	for (n = 1; n < 100; n++) {
		module_param_write("fail_nth", n);
		rc = hwpt_alloc_mock_nested(fd, idev, parent, &nested);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += objects_alive() != alive;
	}
	ok(!rc && !bad, "a nested HWPT_ALLOC fails cleanly at each of its %d "
	   "failure points", n - 1);
	alive = objects_alive();
	for (n = 1; n < 100; n++) {
		module_param_write("fail_nth", n);
		rc = mock_domain(fd, nested, &stdev, NULL, NULL);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += objects_alive() != alive;
		bad += destroy(fd, nested) != 0 ||
		       hwpt_alloc_mock_nested(fd, idev, parent, &nested) != 0;
	}
	ok(!rc && !bad, "a mock device onto it fails cleanly at each of its %d "
	   "failure points", n - 1);
	ok_errno(destroy(fd, nested), EBUSY, "then it is attached");
	ok(!destroy(fd, stdev) && !destroy(fd, nested) && !destroy(fd, parent),
	   "detached, the nested HWPT and its parent go: no reference leaked");
	close(fd);
	fd = open_iommufd();
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "close unpinned all");
	close(fd);
}

int main(void)
{
	long alive;

	buf = test_build_buffer(NPAGES, &psz);
	alive = objects_alive();

	test_alloc();
	test_attach();
	test_invalidate();
	test_fail_nth();
	ok(objects_alive() == alive, "no object left (%ld)", objects_alive());
	return tap_done();
}
