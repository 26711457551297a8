// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test program of the 6.2 generation (test build only), written the way
 * the 6.2 selftests are organised: fixtures with variants (no domain, one
 * mock domain, two mock domains on one IOAS), each test run in every
 * variant, and a teardown that closes the fd, reopens /dev/iommu and checks
 * that no page of the buffer is still pinned.
 *
 * It is built against our header with IOMMUFD_TEST_ABI_6_2, so struct
 * iommu_test_cmd has the 56-byte 6.2 layout and the 6.2 names
 * (mock_domain.out_device_id), and the module answers with the 6.2
 * semantics of selftest-abi.md §6: a MOCK_DOMAIN makes a HW page table of
 * its own that outlives the mock device until destroyed, there is no
 * DEVICE object, ADD_RESERVED and the MD_CHECK operations do not check
 * their ranges, and COPY with FIXED_IOVA alone works. Where it matters, the
 * same call with the 72-byte struct of 6.7+ shows the 6.12 semantics.
 */
#include <stddef.h>

#include "utils.h"

#define NPAGES 16
#define APERTURE ((uint64_t)MOCK_APERTURE_START)

_Static_assert(sizeof(struct iommu_test_cmd) == 56, "the 6.2 layout");

static long psz;
static char *buf;	/* NPAGES pages, shared anonymous, populated */

/* ---- the 6.2 helpers: one call each, 56-byte commands ---- */

static int test_cmd_mock_domain(int fd, uint32_t ioas_id, uint32_t *device_id,
				uint32_t *hwpt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas_id,
	};
	int rc = ioctl_err(fd, IOMMU_TEST_CMD, &cmd);

	if (!rc) {
		if (device_id)
			*device_id = cmd.mock_domain.out_device_id;
		if (hwpt_id)
			*hwpt_id = cmd.mock_domain.out_hwpt_id;
	}
	return rc;
}

static int test_cmd_add_reserved(int fd, uint32_t ioas_id, uint64_t start,
				 uint64_t length)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = ioas_id,
		.add_reserved = { .start = start, .length = length },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

static int test_cmd_check_map(int fd, uint32_t hwpt_id, uint64_t iova,
			      uint64_t length, const void *uptr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt_id,
		.check_map = { .iova = iova, .length = length,
			       .uptr = (uintptr_t)uptr },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

static int test_cmd_check_refs(int fd, const void *uptr, uint64_t length,
			       uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = length, .uptr = (uintptr_t)uptr,
				.refs = refs },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

static int test_cmd_create_access(int fd, uint32_t ioas_id, int *access_fd)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas_id,
		.create_access = {
			.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES },
	};
	int rc = ioctl_err(fd, IOMMU_TEST_CMD, &cmd);

	*access_fd = rc ? -1 : (int)cmd.create_access.out_access_fd;
	return rc;
}

static int test_cmd_access_pages(int fd, int access_fd, uint64_t iova,
				 uint64_t length, const void *uptr,
				 uint32_t *id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = access_fd,
		.access_pages = { .iova = iova, .length = length,
				  .uptr = (uintptr_t)uptr },
	};
	int rc = ioctl_err(fd, IOMMU_TEST_CMD, &cmd);

	if (!rc)
		*id = cmd.access_pages.out_access_pages_id;
	return rc;
}

/*
 * The same command as a 6.7+ program sends it: 72 bytes, the 16 bytes
 * after our struct zero. Returns the errno; *cmd gets the write-back.
 */
static int test_cmd_612(int fd, struct iommu_test_cmd *cmd)
{
	struct {
		struct iommu_test_cmd cmd;
		uint8_t tail[16];
	} big = { .cmd = *cmd };
	int rc;

	big.cmd.size = sizeof(big);
	rc = ioctl_err(fd, IOMMU_TEST_CMD, &big);
	*cmd = big.cmd;
	return rc;
}

/* ---- the fixture: an IOAS with 0, 1 or 2 mock domains ---- */

struct variant {
	const char *name;
	int mock_domains;
};

static const struct variant variants[] = {
	{ "no_domain", 0 },
	{ "mock_domain", 1 },
	{ "two_mock_domain", 2 },
};

struct fixture {
	int fd;
	uint32_t ioas_id;
	uint32_t device_ids[2];
	uint32_t hwpt_ids[2];
	const struct variant *variant;
};

static void setup(struct fixture *self, const struct variant *variant)
{
	int i;

	memset(self, 0, sizeof(*self));
	self->variant = variant;
	self->fd = open_iommufd();
	if (ioas_alloc(self->fd, &self->ioas_id))
		tap_bail("IOAS_ALLOC");
	for (i = 0; i != variant->mock_domains; i++)
		if (test_cmd_mock_domain(self->fd, self->ioas_id,
					 &self->device_ids[i],
					 &self->hwpt_ids[i]))
			tap_bail("MOCK_DOMAIN");
}

/* Close; nothing of the buffer may stay pinned once the fd is gone */
static void fixture_close(struct fixture *self, const char *test)
{
	int fd;

	close(self->fd);
	fd = open_iommufd();
	ok_errno(test_cmd_check_refs(fd, buf, NPAGES * psz, 0), 0,
		 "%s/%s: after close, no page of the buffer is pinned", test,
		 self->variant->name);
	close(fd);
}

/* The IOVA where the variant's tests map: inside the mock aperture */
static uint64_t base_iova(void)
{
	return APERTURE;
}

/* ---- tests run in every variant ---- */

static void ioas_area_and_domains(struct fixture *self)
{
	const char *v = self->variant->name;
	struct iommu_iova_range r[2];
	uint64_t iova = base_iova(), align;
	uint32_t num = 2;
	int i;

	ok_errno(ioas_map_fixed(self->fd, self->ioas_id, buf, NPAGES * psz,
				iova),
		 0, "area/%s: MAP", v);
	for (i = 0; i != self->variant->mock_domains; i++)
		ok_errno(test_cmd_check_map(self->fd, self->hwpt_ids[i], iova,
					    NPAGES * psz, buf),
			 0, "area/%s: domain %d maps the buffer", v, i);
	ok_errno(test_cmd_check_refs(self->fd, buf, NPAGES * psz,
				     self->variant->mock_domains ? 1 : 0),
		 0, "area/%s: each page pinned %s", v,
		 self->variant->mock_domains ? "once" : "never (no domain)");
	ok_errno(iova_ranges(self->fd, self->ioas_id, r, &num, &align), 0,
		 "area/%s: IOVA_RANGES", v);
	if (self->variant->mock_domains)
		ok(num == 1 && r[0].start == APERTURE &&
		   r[0].last == MOCK_APERTURE_LAST && align == (uint64_t)psz / 2,
		   "area/%s: the mock aperture, alignment PAGE_SIZE / 2", v);
	else
		ok(num == 1 && r[0].start == 0 && r[0].last == UINT64_MAX &&
		   align == 1, "area/%s: everything, alignment 1", v);
	ok_errno(ioas_unmap(self->fd, self->ioas_id, iova, NPAGES * psz, NULL),
		 0, "area/%s: UNMAP", v);
	ok_errno(test_cmd_check_refs(self->fd, buf, NPAGES * psz, 0), 0,
		 "area/%s: unpinned", v);
}

/* 6.2's copy_area: COPY with FIXED_IOVA alone, no READABLE or WRITEABLE */
static void ioas_copy_area(struct fixture *self)
{
	const char *v = self->variant->name;
	uint64_t src = base_iova(), dst = base_iova() + 0x100000;
	uint32_t ioas2, device2, hwpt2;

	ok_errno(ioas_map_fixed(self->fd, self->ioas_id, buf, NPAGES * psz,
				src),
		 0, "copy_area/%s: MAP", v);
	ok_errno(ioas_copy(self->fd, IOMMU_IOAS_MAP_FIXED_IOVA, self->ioas_id,
			   self->ioas_id, src, NPAGES * psz, &dst),
		 0, "copy_area/%s: COPY with FIXED_IOVA alone works", v);
	ok(dst == base_iova() + 0x100000, "copy_area/%s: at the given IOVA", v);
	for (int i = 0; i != self->variant->mock_domains; i++)
		ok_errno(test_cmd_check_map(self->fd, self->hwpt_ids[i], dst,
					    NPAGES * psz, buf),
			 0, "copy_area/%s: the copy is in domain %d", v, i);

	/* Into another IOAS, whose new mock domain loads both */
	ioas_alloc(self->fd, &ioas2);
	dst = base_iova();
	ok_errno(ioas_copy(self->fd, IOMMU_IOAS_MAP_FIXED_IOVA, ioas2,
			   self->ioas_id, src, NPAGES * psz, &dst),
		 0, "copy_area/%s: COPY into a second IOAS", v);
	ok_errno(test_cmd_mock_domain(self->fd, ioas2, &device2, &hwpt2), 0,
		 "copy_area/%s: a mock domain on it", v);
	ok_errno(test_cmd_check_map(self->fd, hwpt2, dst, NPAGES * psz, buf),
		 0, "copy_area/%s: the copy maps the same pages", v);
	ok_errno(test_cmd_check_refs(self->fd, buf, NPAGES * psz, 1), 0,
		 "copy_area/%s: still pinned once", v);
	ok_errno(destroy(self->fd, device2), 0, "copy_area/%s: destroy device",
		 v);
	ok_errno(destroy(self->fd, hwpt2), 0, "copy_area/%s: then its HWPT",
		 v);
	ok_errno(destroy(self->fd, ioas2), 0, "copy_area/%s: then the IOAS",
		 v);
}

/* 6.2's access_pin: pin through an access, destroy device then HWPT */
static void ioas_access_pin(struct fixture *self)
{
	const char *v = self->variant->name;
	uint32_t device_id, hwpt_id, item;
	uint64_t iova = base_iova();
	int access_fd;

	ok_errno(ioas_map_fixed(self->fd, self->ioas_id, buf, NPAGES * psz,
				iova),
		 0, "access_pin/%s: MAP", v);
	ok_errno(test_cmd_create_access(self->fd, self->ioas_id, &access_fd), 0,
		 "access_pin/%s: CREATE_ACCESS attaches it to the IOAS", v);
	ok_errno(test_cmd_access_pages(self->fd, access_fd, iova, NPAGES * psz,
				       buf, &item),
		 0, "access_pin/%s: ACCESS_PAGES", v);
	ok_errno(test_cmd_check_refs(self->fd, buf, NPAGES * psz, 1), 0,
		 "access_pin/%s: pinned once", v);
	ok_errno(test_cmd_mock_domain(self->fd, self->ioas_id, &device_id,
				      &hwpt_id),
		 0, "access_pin/%s: one more mock domain loads the pinned pages",
		 v);
	ok_errno(test_cmd_check_map(self->fd, hwpt_id, iova, NPAGES * psz, buf),
		 0, "access_pin/%s: and maps them", v);
	ok_errno(test_cmd_check_refs(self->fd, buf, NPAGES * psz, 1), 0,
		 "access_pin/%s: still pinned once", v);
	ok_errno(destroy(self->fd, device_id), 0,
		 "access_pin/%s: destroy the device", v);
	ok_errno(destroy(self->fd, hwpt_id), 0,
		 "access_pin/%s: then its HW page table", v);
	close(access_fd);
	ok_errno(test_cmd_check_refs(self->fd, buf, NPAGES * psz,
				     self->variant->mock_domains ? 1 : 0),
		 0, "access_pin/%s: the access gone, the fixture's domains hold it",
		 v);
}

/* 6.2's ADD_RESERVED checks no range */
static void ioas_reserved(struct fixture *self)
{
	const char *v = self->variant->name;
	struct iommu_iova_range r[4];
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = self->ioas_id,
	};
	uint64_t iova = 0;
	uint32_t num = 4, num2 = 4;

	iova_ranges(self->fd, self->ioas_id, r, &num, NULL);
	ok_errno(test_cmd_add_reserved(self->fd, self->ioas_id, 2 * APERTURE,
				       0),
		 0, "reserved/%s: length 0 is accepted", v);
	ok_errno(test_cmd_add_reserved(self->fd, self->ioas_id, 2 * APERTURE,
				       UINT64_MAX),
		 0, "reserved/%s: a wrapping length too", v);
	iova_ranges(self->fd, self->ioas_id, r, &num2, NULL);
	ok(num2 == num, "reserved/%s: neither reserved anything", v);

	cmd.add_reserved.start = 2 * APERTURE;
	ok_errno(test_cmd_612(self->fd, &cmd), EINVAL,
		 "reserved/%s: the 72-byte command says EINVAL to length 0", v);
	cmd.add_reserved.length = UINT64_MAX;
	ok_errno(test_cmd_612(self->fd, &cmd), EOVERFLOW,
		 "reserved/%s: and EOVERFLOW to a wrapping one", v);

	ok_errno(test_cmd_add_reserved(self->fd, self->ioas_id, 0, 0), 0,
		 "reserved/%s: length 0 from 0 ends at 0 - 1", v);
	num = 4;
	ok_errno(iova_ranges(self->fd, self->ioas_id, r, &num, NULL), 0,
		 "reserved/%s: IOVA_RANGES", v);
	ok(num == 0, "reserved/%s: that reserved everything (%u ranges left)",
	   v, num);
	ok_errno(ioas_map(self->fd, self->ioas_id, MAP_RW, buf, psz, &iova),
		 ENOSPC, "reserved/%s: no IOVA for an automatic MAP", v);
	ok_errno(ioas_map_fixed(self->fd, self->ioas_id, buf, psz, APERTURE),
		 EINVAL, "reserved/%s: none for a fixed one", v);
}

/* 6.2's MD_CHECK_REFS and MD_CHECK_MAP do not check for wrapping */
static void ioas_check_wrap(struct fixture *self)
{
	const char *v = self->variant->name;
	char *page = page_before_hole();
	uint64_t wrap = -(uint64_t)(uintptr_t)page + psz;
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = wrap, .uptr = (uintptr_t)page },
	};

	/* page + wrap is page again, past the end of the address space */
	ok_errno(test_cmd_check_refs(self->fd, page, wrap, 0), EFAULT,
		 "check_wrap/%s: MD_CHECK_REFS checks the page, then its lookup "
		 "of the hole after it fails", v);
	ok_errno(test_cmd_612(self->fd, &cmd), EINVAL,
		 "check_wrap/%s: the 72-byte command refuses the range", v);
	if (self->variant->mock_domains) {
		ok_errno(ioas_map_fixed(self->fd, self->ioas_id, page, psz,
					APERTURE),
			 0, "check_wrap/%s: MAP the page", v);
		ok_errno(test_cmd_check_map(self->fd, self->hwpt_ids[0],
					    APERTURE, wrap, page),
			 EFAULT, "check_wrap/%s: MD_CHECK_MAP matches the page, "
			 "then its lookup of the hole fails", v);
		cmd = (struct iommu_test_cmd){
			.op = IOMMU_TEST_OP_MD_CHECK_MAP,
			.id = self->hwpt_ids[0],
			.check_map = { .iova = APERTURE, .length = wrap,
				       .uptr = (uintptr_t)page },
		};
		ok_errno(test_cmd_612(self->fd, &cmd), EINVAL,
			 "check_wrap/%s: the 72-byte command refuses the range",
			 v);
		ioas_unmap(self->fd, self->ioas_id, APERTURE, psz, NULL);
	}
	munmap(page, psz);
}

static void (*const tests[])(struct fixture *) = {
	ioas_area_and_domains,
	ioas_copy_area,
	ioas_access_pin,
	ioas_reserved,
	ioas_check_wrap,
};

static const char *const test_names[] = {
	"area", "copy_area", "access_pin", "reserved", "check_wrap",
};

/* ---- the mock domain of 6.2 itself ---- */

static void test_mock_domain_objects(void)
{
	struct iommu_iova_range r[2];
	uint32_t ioas, device, hwpt, device2, hwpt2, hwpt3 = 0, stdev3 = 0;
	struct iommu_test_cmd cmd = { .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_hw_info info = { .size = sizeof(info) };
	uint64_t align;
	uint32_t num;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	ok_errno(test_cmd_mock_domain(fd, ioas + 1, &device, &hwpt), ENOENT,
		 "MOCK_DOMAIN on an unknown ID: ENOENT");
	ok_errno(test_cmd_mock_domain(fd, ioas, &device, &hwpt), 0,
		 "MOCK_DOMAIN on an IOAS");
	ok(device == ioas + 1 && hwpt == ioas + 2,
	   "the mock device's ID comes first, then its HW page table's "
	   "(%u, %u)", device, hwpt);
	ok_errno(destroy(fd, hwpt + 1), ENOENT, "and no third object");
	info.dev_id = device;
	ok_errno(ioctl_err(fd, IOMMU_GET_HW_INFO, &info), ENOENT,
		 "out_device_id is no DEVICE object");
	ok_errno(test_cmd_mock_domain(fd, hwpt, &device2, &hwpt2), ENOENT,
		 "MOCK_DOMAIN on a HW page table: ENOENT (IOASes only)");

	ok_errno(test_cmd_mock_domain(fd, ioas, &device2, &hwpt2), 0,
		 "a second mock domain on the IOAS");
	ok(hwpt2 != hwpt, "gets a HW page table of its own");
	cmd.id = ioas;
	ok_errno(test_cmd_612(fd, &cmd), 0,
		 "a 72-byte MOCK_DOMAIN on the IOAS");
	stdev3 = cmd.mock_domain.out_stdev_id;
	hwpt3 = cmd.mock_domain.out_hwpt_id;
	ok(hwpt3 != hwpt && hwpt3 != hwpt2 && cmd.mock_domain.out_idev_id,
	   "makes an automatic one and a DEVICE: 6.2 domains are never "
	   "picked automatically");
	cmd = (struct iommu_test_cmd){ .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
				       .id = device,
				       .mock_domain_replace.pt_id = ioas };
	ok_errno(test_cmd_612(fd, &cmd), EINVAL,
		 "MOCK_DOMAIN_REPLACE of a 6.2 mock device: EINVAL, nothing "
		 "attached to move");
	ok_errno(destroy(fd, stdev3), 0, "destroy the 72-byte mock device");
	ok_errno(destroy(fd, hwpt3), ENOENT,
		 "its automatic HW page table went with it");

	ok_errno(destroy(fd, hwpt), EBUSY,
		 "destroy a HW page table its mock device holds: EBUSY");
	ok_errno(destroy(fd, ioas), EBUSY, "destroy the IOAS: EBUSY");
	ok_errno(ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE), 0,
		 "MAP");
	ok_errno(destroy(fd, device), 0, "destroy the first mock device");
	ok_errno(test_cmd_check_map(fd, hwpt, APERTURE, psz, buf), EINVAL,
		 "its domain left the IOAS: it maps nothing");
	ok_errno(test_cmd_check_map(fd, hwpt2, APERTURE, NPAGES * psz, buf), 0,
		 "the second still maps the buffer");
	ok_errno(test_cmd_check_refs(fd, buf, NPAGES * psz, 1), 0,
		 "pinned once");
	cmd = (struct iommu_test_cmd){ .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	cmd.id = hwpt;
	ok_errno(test_cmd_612(fd, &cmd), ENOENT,
		 "a 72-byte mock device cannot attach to the emptied HWPT");
	ok_errno(destroy(fd, device2), 0, "destroy the second mock device");
	num = 2;
	iova_ranges(fd, ioas, r, &num, &align);
	ok(num == 1 && r[0].start == 0 && r[0].last == UINT64_MAX &&
	   align == 1, "the apertures and the alignment left with the domains");
	ok_errno(test_cmd_check_refs(fd, buf, NPAGES * psz, 0), 0,
		 "nothing pinned: the mapping stays, without domains");
	ok_errno(destroy(fd, ioas), EBUSY,
		 "the HW page tables still hold the IOAS");
	ok_errno(destroy(fd, hwpt), 0, "destroy the first HW page table");
	ok_errno(destroy(fd, hwpt2), 0, "and the second");
	ok_errno(destroy(fd, ioas), 0, "then the IOAS");
	ok(table_empty(fd), "the table is empty");

	/* Closing with all of it alive: the SELFTEST, the HWPT, the IOAS */
	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	ok_errno(test_cmd_mock_domain(fd, ioas, &device, &hwpt), 0,
		 "a mock domain again");
	close(fd);
	fd = open_iommufd();
	ok_errno(test_cmd_check_refs(fd, buf, NPAGES * psz, 0), 0,
		 "closed with it: nothing pinned");
	close(fd);
}

/* Every command size from the 6.2 minimum on */
static void test_sizes(void)
{
	struct {
		struct iommu_test_cmd cmd;
		uint8_t tail[24];
	} big;
	uint32_t ioas;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	memset(&big, 0, sizeof(big));
	big.cmd.op = IOMMU_TEST_OP_ADD_RESERVED;
	big.cmd.id = ioas;
	big.cmd.add_reserved.start = 0x10000;
	big.cmd.add_reserved.length = 0x1000;
	big.cmd.size = offsetof(struct iommu_test_cmd, last) + 3;
	ok_errno(ioctl_err(fd, IOMMU_TEST_CMD, &big), EINVAL,
		 "51 bytes, short of the 6.2 last: EINVAL");
	big.cmd.size = offsetof(struct iommu_test_cmd, last) + 4;
	ok_errno(ioctl_err(fd, IOMMU_TEST_CMD, &big), 0,
		 "52 bytes: the 6.2 minimum");
	for (big.cmd.size = 53; big.cmd.size <= 80; big.cmd.size++)
		if (ioctl_err(fd, IOMMU_TEST_CMD, &big))
			break;
	ok(big.cmd.size == 81, "every size from 53 to 80 with a zero tail");
	big.cmd.size = 73;
	big.tail[16] = 1;
	ok_errno(ioctl_err(fd, IOMMU_TEST_CMD, &big), E2BIG,
		 "a non-zero byte past the 72 the kernel knows: E2BIG");
	big.cmd.size = 72;
	ok_errno(ioctl_err(fd, IOMMU_TEST_CMD, &big), 0,
		 "the same byte as part of 72 is not looked at");
	close(fd);
}

/* A 6.2 MOCK_DOMAIN failing at every point leaves nothing behind */
static void test_fail_nth(void)
{
	uint32_t ioas, device = 0, hwpt = 0;
	long alive;
	int fd = open_iommufd(), rc = -1, n;

	if (module_param_read("fail_nth") < 0) {
		ok(0, "fail_nth parameter missing");
		close(fd);
		return;
	}
	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	alive = objects_alive();
	for (n = 1; n < 200 && rc; n++) {
		module_param_write("fail_nth", n);
		rc = test_cmd_mock_domain(fd, ioas, &device, &hwpt);
		module_param_write("fail_nth", 0);
		if (rc && (objects_alive() != alive ||
			   test_cmd_check_refs(fd, buf, NPAGES * psz, 0)))
			break;
	}
	ok(!rc, "MOCK_DOMAIN failed at each of its %d failure points, "
	   "leaving no object or pin behind", n - 2);
	ok(device == ioas + 1 && hwpt == ioas + 2,
	   "then succeeded with the first free IDs: none leaked");
	ok_errno(test_cmd_check_map(fd, hwpt, APERTURE, NPAGES * psz, buf), 0,
		 "and a loaded domain");
	close(fd);
}

int main(void)
{
	struct fixture self;
	long alive;
	size_t t, v;

	buf = test_build_buffer(NPAGES, &psz);
	alive = objects_alive();

	for (t = 0; t != ARRAY_SIZE(tests); t++) {
		for (v = 0; v != ARRAY_SIZE(variants); v++) {
			setup(&self, &variants[v]);
			tests[t](&self);
			fixture_close(&self, test_names[t]);
		}
	}
	test_mock_domain_objects();
	test_sizes();
	test_fail_nth();
	ok(objects_alive() == alive, "no object left (%ld)", objects_alive());
	return tap_done();
}
