// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty tracking through the mock IOMMU (test build only; uapi.md §7.2-§7.4,
 * selftest-abi.md §4.2, §5.12): the capability, HWPT_ALLOC with
 * DIRTY_TRACKING and the attach rule, SET_DIRTY_TRACKING, every check of
 * GET_DIRTY_BITMAP in order, the bitmap against a model (page sizes, ranges
 * over gaps and windows, NO_CLEAR, bits only ever set, any alignment of the
 * bitmap, pointers that fault), huge IOPTEs reported at their size, and the
 * DIRTY test op. The reading tests run twice: with the mock's own walk, and
 * with mock_dirty_by_extent, the path of real IOMMU drivers. Pins, VmPin
 * and objects are back to zero afterwards.
 */
#include <stdint.h>

#include "utils.h"

#define NPAGES 16
#define APERTURE 0x1000000ull
#define BIG (8ull << 20)	/* four 2 MiB windows of the extent reader */

static long psz, G;
static char *buf;	/* NPAGES pages, shared, populated */
static char *big;	/* BIG bytes, shared, populated */

static int bit_is_set(const uint8_t *map, uint64_t n)
{
	return map[n / 8] >> (n % 8) & 1;
}

static void set_bit8(uint8_t *map, uint64_t n)
{
	map[n / 8] |= 1 << (n % 8);
}

static long vmpin(void)
{
	return proc_kb("/proc/self/status", "VmPin");
}

static void test_caps(void)
{
	uint32_t ioas, idev, idev_nd;
	int fd = open_iommufd();
	struct iommu_hw_info cmd = { .size = sizeof(cmd) };

	ioas_alloc(fd, &ioas);
	mock_domain(fd, ioas, NULL, NULL, &idev);
	mock_domain_flags(fd, ioas, MOCK_FLAGS_DEVICE_NO_DIRTY, NULL, NULL,
			  &idev_nd);
	cmd.dev_id = idev;
	ok(!ioctl_err(fd, IOMMU_GET_HW_INFO, &cmd) &&
		   cmd.out_capabilities == IOMMU_HW_CAP_DIRTY_TRACKING,
	   "GET_HW_INFO: a mock device can track dirty IOPTEs (0x%llx)",
	   (unsigned long long)cmd.out_capabilities);
	cmd.dev_id = idev_nd;
	cmd.data_len = 0;
	cmd.out_capabilities = 0x5a;
	ok(!ioctl_err(fd, IOMMU_GET_HW_INFO, &cmd) && !cmd.out_capabilities,
	   "GET_HW_INFO: a NO_DIRTY mock device cannot");
	close(fd);
}

/* HWPT_ALLOC with DIRTY_TRACKING, and who may attach to the result */
static void test_alloc_attach(void)
{
	uint32_t ioas, stdev, auto_hwpt, idev, stdev_nd, auto_nd, idev_nd;
	uint32_t hwpt, id, pt, stdev2, stdev3;
	long alive;
	int fd = open_iommufd();
	uint8_t map[8] = {};

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(fd, ioas, &stdev, &auto_hwpt, &idev);
	mock_domain_flags(fd, ioas, MOCK_FLAGS_DEVICE_NO_DIRTY, &stdev_nd,
			  &auto_nd, &idev_nd);
	ok(auto_nd == auto_hwpt,
	   "a NO_DIRTY device shares the automatic HWPT (no dirty tracking)");
	alive = objects_alive();

	ok_errno(hwpt_alloc_flags(fd, idev_nd, ioas,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &id),
		 EOPNOTSUPP, "HWPT_ALLOC DIRTY_TRACKING for a NO_DIRTY device: "
		 "EOPNOTSUPP");
	ok_errno(hwpt_alloc_flags(fd, idev, ioas,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
					  IOMMU_HWPT_FAULT_ID_VALID,
				  &id),
		 EOPNOTSUPP, "with FAULT_ID_VALID on a paging HWPT: EOPNOTSUPP");
	ok(objects_alive() == alive, "the refusals left no object");
	ok_errno(hwpt_alloc_flags(fd, idev, ioas,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
					  IOMMU_HWPT_ALLOC_NEST_PARENT,
				  &id),
		 0, "DIRTY_TRACKING with NEST_PARENT");
	ok_errno(destroy(fd, id), 0, "(destroyed)");
	ok_errno(hwpt_alloc_flags(fd, idev, ioas,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt),
		 0, "HWPT_ALLOC DIRTY_TRACKING for a mock device");
	ok_errno(check_map(fd, hwpt, APERTURE, NPAGES * psz, buf), 0,
		 "it received the IOAS's mappings");
	ok_errno(check_refs(fd, buf, NPAGES * psz, 1), 0, "one pin per page");

	ok_errno(mock_domain_flags(fd, hwpt, MOCK_FLAGS_DEVICE_NO_DIRTY, NULL,
				   NULL, NULL),
		 EINVAL, "a NO_DIRTY device cannot attach to it: EINVAL");
	ok(objects_alive() == alive + 1,
	   "the failed attach left no object (%ld)", objects_alive() - alive);
	pt = hwpt;
	ok_errno(mock_domain_replace(fd, stdev_nd, &pt), EINVAL,
		 "nor be moved there: EINVAL");
	ok_errno(destroy(fd, auto_hwpt), EBUSY, "it stayed where it was");
	ok_errno(mock_domain(fd, hwpt, &stdev2, &pt, NULL), 0,
		 "a device with dirty tracking attaches");
	ok(pt == hwpt, "to that HWPT");
	pt = hwpt;
	ok_errno(mock_domain_replace(fd, stdev, &pt), 0,
		 "another one moves there");
	ok_errno(mock_domain(fd, ioas, &stdev3, &pt, NULL), 0,
		 "a device attached to the IOAS");
	ok(pt == auto_hwpt, "gets the automatic HWPT, never the manual one");

	ok_errno(set_dirty_tracking(fd, auto_hwpt, 1), EOPNOTSUPP,
		 "SET_DIRTY_TRACKING of an automatic HWPT: EOPNOTSUPP");
	ok_errno(get_dirty_bitmap(fd, auto_hwpt, APERTURE, psz, G, map, 0),
		 EOPNOTSUPP, "GET_DIRTY_BITMAP of it: EOPNOTSUPP");
	ok_errno(mock_dirty(fd, auto_hwpt, APERTURE, 8 * G, G, map, NULL),
		 EINVAL, "DIRTY on a HWPT that cannot track: EINVAL");

	ok_errno(destroy(fd, hwpt), EBUSY, "the dirty HWPT in use: EBUSY");
	destroy(fd, stdev);
	destroy(fd, stdev2);
	ok_errno(destroy(fd, hwpt), 0, "destroyed once its devices left");
	close(fd);
	fd = open_iommufd();
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "close unpinned all");
	close(fd);
}

static void test_set_dirty_tracking(void)
{
	struct iommu_hwpt_set_dirty_tracking cmd = { .size = sizeof(cmd) };
	uint32_t ioas, idev, hwpt, stdev;
	uint8_t map[8] = { 0xff };
	uint64_t nr;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(fd, ioas, &stdev, NULL, &idev);
	hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			 &hwpt);

	cmd.hwpt_id = 999;
	cmd.flags = 2;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd), EOPNOTSUPP,
		 "SET_DIRTY_TRACKING with an unknown flag: EOPNOTSUPP first");
	cmd.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd), ENOENT,
		 "an unknown hwpt_id: ENOENT");
	cmd.hwpt_id = ioas;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd), ENOENT,
		 "an IOAS: ENOENT");
	cmd.hwpt_id = idev;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd), ENOENT,
		 "a DEVICE: ENOENT");

	ok_errno(mock_dirty(fd, hwpt, APERTURE, 8 * G, G, map, NULL), EINVAL,
		 "DIRTY while tracking is off: EINVAL");
	cmd.hwpt_id = hwpt;
	cmd.__reserved = 0x77;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd), 0,
		 "enable (__reserved is not checked, as upstream)");
	ok_errno(set_dirty_tracking(fd, hwpt, 1), 0, "enable twice");
	ok_errno(mock_dirty(fd, hwpt, APERTURE, 8 * G, G, map, &nr), 0,
		 "DIRTY marks 8 granules");
	ok(nr == 8, "out_nr_dirty %llu", (unsigned long long)nr);
	ok_errno(set_dirty_tracking(fd, hwpt, 0), 0, "disable");
	ok_errno(set_dirty_tracking(fd, hwpt, 0), 0, "disable twice");
	memset(map, 0, sizeof(map));
	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, 8 * G, G, map, 0), 0,
		 "GET_DIRTY_BITMAP while off: 0 (the mock's refusal is not "
		 "reported)");
	ok(!map[0], "and no bits");
	ok_errno(set_dirty_tracking(fd, hwpt, 1), 0, "enable again");
	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, 8 * G, G, map, 0), 0,
		 "GET_DIRTY_BITMAP");
	ok(!map[0], "enabling cleaned what was dirty before");
	ok_errno(destroy(fd, hwpt), 0, "destroy a HWPT tracking dirty IOPTEs");
	destroy(fd, stdev);
	close(fd);
}

/* The checks of GET_DIRTY_BITMAP, each before the next (uapi.md §7.4) */
static void test_bitmap_checks(void)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = { .size = sizeof(cmd) };
	uint32_t ioas, idev, hwpt, stdev;
	uint8_t map[64];
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(fd, ioas, &stdev, NULL, &idev);
	hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			 &hwpt);
	set_dirty_tracking(fd, hwpt, 1);

	cmd.data = (uintptr_t)map;
	cmd.hwpt_id = 999;
	cmd.flags = 2;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EOPNOTSUPP,
		 "GET_DIRTY_BITMAP with an unknown flag: EOPNOTSUPP first");
	cmd.flags = 0;
	cmd.__reserved = 1;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EOPNOTSUPP,
		 "__reserved set: EOPNOTSUPP");
	cmd.__reserved = 0;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), ENOENT,
		 "an unknown hwpt_id (and length 0): ENOENT");
	cmd.hwpt_id = ioas;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), ENOENT,
		 "an IOAS: ENOENT");
	cmd.hwpt_id = hwpt;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EINVAL,
		 "length 0: EINVAL");
	cmd.iova = UINT64_MAX - G + 1;
	cmd.length = 2 * G;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EOVERFLOW,
		 "iova + length wraps (page_size 0): EOVERFLOW first");
	cmd.iova = APERTURE + G / 2;
	cmd.length = 2 * G;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EINVAL,
		 "iova not a multiple of the IOAS alignment: EINVAL");
	cmd.iova = APERTURE;
	cmd.length = G + G / 2;
	cmd.page_size = G / 2;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EINVAL,
		 "iova + length not a multiple of it: EINVAL");
	cmd.length = 4 * G;
	cmd.page_size = 0;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EINVAL,
		 "page_size 0: EINVAL");
	cmd.page_size = 3 * G;
	cmd.length = 6 * G;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EINVAL,
		 "page_size not a power of two: EINVAL");
	cmd.page_size = 4 * G;
	cmd.iova = APERTURE + 2 * G;
	cmd.length = 4 * G;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EINVAL,
		 "iova not a multiple of page_size: EINVAL");
	cmd.iova = APERTURE;
	cmd.length = 6 * G;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), EINVAL,
		 "iova + length not a multiple of page_size: EINVAL");
	cmd.length = 8 * G;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), 0,
		 "then it works");
	cmd.iova = 0;
	cmd.length = UINT64_MAX - G + 1;
	cmd.page_size = G;
	cmd.data = 0;
	ok_errno(ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd), 0,
		 "the whole address space with a NULL bitmap: 0");
	destroy(fd, hwpt);
	destroy(fd, stdev);
	close(fd);
}

/*
 * A model of the bitmap: bit n of [iova, iova + length) at page_size is set
 * iff one of the dirty granules of the BIG bytes at APERTURE is in its
 * range
 */
static void model(const uint8_t *granules, uint64_t iova, uint64_t length,
		  uint64_t page_size, uint8_t *out)
{
	uint64_t g, at;

	for (g = 0; g < BIG / G; g++) {
		at = APERTURE + g * G;
		if (bit_is_set(granules, g) && at >= iova && at - iova < length)
			set_bit8(out, (at - iova) / page_size);
	}
}

/* Mark the granules of @granules dirty in the BIG bytes at APERTURE */
static int mark(int fd, uint32_t hwpt, const uint8_t *granules)
{
	uint64_t nr = 0;
	int rc = mock_dirty(fd, hwpt, APERTURE, BIG, G, granules, &nr);

	return rc ? -rc : (int)nr;
}

static int count_bits(const uint8_t *map, uint64_t n)
{
	int c = 0;

	for (uint64_t i = 0; i < n; i++)
		c += bit_is_set(map, i);
	return c;
}

/* The bitmap against the model, over windows, at every alignment */
static void test_read(const char *mode)
{
	const uint64_t ngran = BIG / G, mapbytes = ngran / 8;
	uint8_t *granules = calloc(1, mapbytes), *want = malloc(mapbytes);
	uint8_t *region, *map, *prefill = malloc(mapbytes);
	const long offsets[] = { 0, 1, psz / 2, 0xff1 };
	/* Sub-ranges and page sizes, across windows, area ends and gaps */
	const struct {
		uint64_t iova, len, ps;
	} ranges[] = {
		{ APERTURE, BIG, 2 * G },
		{ APERTURE, BIG, 64 << 10 },
		{ APERTURE, BIG, 2 << 20 },
		{ APERTURE + (2 << 20) - 16 * G, 32 * G, G },
		{ APERTURE + 1000 * G, 40 * G, 8 * G },
		{ APERTURE + 1001 * G, 37 * G, G },
		{ APERTURE - (1 << 20), BIG + (2 << 20), 1 << 20 },
		{ 0, APERTURE + BIG + (1 << 20), 1 << 20 },
		{ APERTURE + BIG - 64 * G, 128 * G, G },
	};
	uint32_t ioas, idev, hwpt, stdev;
	uint64_t g, nbits;
	int fd = open_iommufd(), bad, i, marked;
	unsigned int seed = 7;

	region = mmap(NULL, 3 * psz, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || !granules || !want || !prefill)
		tap_bail("memory");
	ioas_alloc(fd, &ioas);
	mock_domain(fd, ioas, &stdev, NULL, &idev);
	hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			 &hwpt);
	ok_errno(ioas_map_fixed(fd, ioas, big, BIG, APERTURE), 0,
		 "%s: MAP 8 MiB into a dirty tracking HWPT", mode);
	set_dirty_tracking(fd, hwpt, 1);

	/* Runs, singles, both ends, around the 2 MiB windows */
	for (g = 0; g < ngran; g++)
		if (rand_r(&seed) % 23 == 0)
			set_bit8(granules, g);
	for (g = 0; g < 40; g++)
		set_bit8(granules, 1000 + g);
	set_bit8(granules, 0);
	set_bit8(granules, ngran - 1);
	set_bit8(granules, (2 << 20) / G - 1);
	set_bit8(granules, (2 << 20) / G);
	set_bit8(granules, (6 << 20) / G);
	marked = count_bits(granules, ngran);
	ok(mark(fd, hwpt, granules) == marked,
	   "%s: DIRTY marks %d granules, counted in out_nr_dirty", mode,
	   marked);

	/* NO_CLEAR at every bitmap alignment, then a clearing read */
	for (i = 0; i < (int)ARRAY_SIZE(offsets); i++) {
		map = region + offsets[i];
		memset(region, 0, 3 * psz);
		ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, BIG, G, map,
					  IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
			 0, "%s: GET_DIRTY_BITMAP NO_CLEAR, bitmap at page "
			 "offset 0x%lx", mode, offsets[i]);
		ok(!memcmp(map, granules, mapbytes) &&
			   (!offsets[i] || !map[-1]) && !map[mapbytes],
		   "%s: exactly the dirty granules, nothing outside the bitmap",
		   mode);
	}
	memset(region, 0, 3 * psz);
	map = region + 0xff1;
	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, BIG, G, map, 0), 0,
		 "%s: GET_DIRTY_BITMAP clearing, bitmap across a page boundary",
		 mode);
	ok(!memcmp(map, granules, mapbytes), "%s: still all there", mode);
	memset(region, 0, 3 * psz);
	get_dirty_bitmap(fd, hwpt, APERTURE, BIG, G, region, 0);
	ok(!count_bits(region, ngran), "%s: and then gone", mode);

	/* Bits are only ever set */
	for (g = 0; g < mapbytes; g++)
		prefill[g] = rand_r(&seed);
	mark(fd, hwpt, granules);
	memcpy(region, prefill, mapbytes);
	get_dirty_bitmap(fd, hwpt, APERTURE, BIG, G, region, 0);
	for (bad = 0, g = 0; g < mapbytes; g++)
		bad += region[g] != (prefill[g] | granules[g]);
	ok(!bad, "%s: the kernel only sets bits (%d bytes differ)", mode, bad);

	for (i = 0; i < (int)ARRAY_SIZE(ranges); i++) {
		nbits = ranges[i].len / ranges[i].ps;
		mark(fd, hwpt, granules);
		memset(region, 0, 3 * psz);
		memset(want, 0, mapbytes);
		model(granules, ranges[i].iova, ranges[i].len, ranges[i].ps,
		      want);
		ok_errno(get_dirty_bitmap(fd, hwpt, ranges[i].iova,
					  ranges[i].len, ranges[i].ps, region,
					  0),
			 0, "%s: GET [0x%llx, +0x%llx) page_size 0x%llx", mode,
			 (unsigned long long)ranges[i].iova,
			 (unsigned long long)ranges[i].len,
			 (unsigned long long)ranges[i].ps);
		ok(!memcmp(region, want, (nbits + 7) / 8) &&
			   !region[(nbits + 7) / 8],
		   "%s: the bits of that range (%d of %llu set)", mode,
		   count_bits(region, nbits), (unsigned long long)nbits);
		/* Clean what lies outside that range for the next one */
		get_dirty_bitmap(fd, hwpt, APERTURE, BIG, G, region, 0);
	}

	/* A gap: unmapped IOVA gives no bits, and a remapped area is clean */
	mark(fd, hwpt, granules);
	ok_errno(ioas_unmap(fd, ioas, APERTURE, BIG, NULL), 0, "%s: unmap", mode);
	memset(region, 0, 3 * psz);
	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, BIG, G, region, 0), 0,
		 "%s: GET over nothing mapped: 0", mode);
	ok(!count_bits(region, ngran), "%s: no bits", mode);
	ok_errno(mark(fd, hwpt, granules), 0,
		 "%s: DIRTY of unmapped IOVA counts nothing", mode);
	ioas_map_fixed(fd, ioas, big, BIG, APERTURE);
	get_dirty_bitmap(fd, hwpt, APERTURE, BIG, G, region, 0);
	ok(!count_bits(region, ngran), "%s: a new mapping starts clean", mode);

	ok_errno(destroy(fd, hwpt), 0, "%s: destroy the HWPT", mode);
	destroy(fd, stdev);
	close(fd);
	fd = open_iommufd();
	ok_errno(check_refs(fd, big, BIG, 0), 0, "%s: nothing left pinned",
		 mode);
	close(fd);
	munmap(region, 3 * psz);
	free(granules);
	free(want);
	free(prefill);
}

/* Bitmap pointers that fault are not reported, as upstream */
static void test_bitmap_faults(const char *mode)
{
	uint32_t ioas, idev, hwpt, stdev;
	uint8_t granules[NPAGES * 2 / 8];
	uint8_t *ro, *hole;
	int fd = open_iommufd();

	memset(granules, 0xff, sizeof(granules));
	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(fd, ioas, &stdev, NULL, &idev);
	hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			 &hwpt);
	set_dirty_tracking(fd, hwpt, 1);

	mock_dirty(fd, hwpt, APERTURE, NPAGES * psz, G, granules, NULL);
	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, NPAGES * psz, G, NULL,
				  0),
		 0, "%s: GET_DIRTY_BITMAP into NULL: 0", mode);
	ro = mmap(NULL, psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mock_dirty(fd, hwpt, APERTURE, NPAGES * psz, G, granules, NULL);
	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, NPAGES * psz, G, ro, 0),
		 0, "%s: into read-only memory: 0", mode);
	ok(!ro[0] && !ro[3], "%s: which stays untouched", mode);
	munmap(ro, psz);

	/* 4 bytes of bitmap: 2 before the unmapped page, 2 in it */
	hole = (uint8_t *)page_before_hole();
	mock_dirty(fd, hwpt, APERTURE, NPAGES * psz, G, granules, NULL);
	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, NPAGES * psz, G,
				  hole + psz - 2, 0),
		 0, "%s: a bitmap running into an unmapped page: 0", mode);
	ok(hole[psz - 2] == 0xff && hole[psz - 1] == 0xff,
	   "%s: the bits in the mapped page are set", mode);
	munmap(hole, psz);

	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, NPAGES * psz, G,
				  (void *)(UINTPTR_MAX - 1), 0),
		 0, "%s: a bitmap wrapping around the address space: 0", mode);
	destroy(fd, hwpt);
	destroy(fd, stdev);
	close(fd);
}

/* Huge IOPTEs are reported at their size (selftest-abi.md §4.2) */
static void test_huge(const char *mode)
{
	const uint64_t len = 4ull << 20, huge = 1ull << 20;
	const uint64_t nbits = len / G;
	uint32_t ioas, idev, hwpt, stdev;
	uint8_t granules[4096 / 8], map[4096 / 8];
	uint64_t n, nr;
	char *hbuf;
	int fd = open_iommufd(), bad = 0;

	hbuf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		    -1, 0);
	if (!ok(hbuf != MAP_FAILED, "%s: 4 MiB of 2 MiB hugetlb pages", mode)) {
		close(fd);
		return;
	}
	ioas_alloc(fd, &ioas);
	mock_domain_flags(fd, ioas, MOCK_FLAGS_DEVICE_HUGE_IOVA, &stdev, NULL,
			  &idev);
	ok_errno(hwpt_alloc_flags(fd, idev, ioas,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt),
		 0, "%s: a dirty tracking HWPT with 1 MiB IOPTEs", mode);
	ioas_map_fixed(fd, ioas, hbuf, len, APERTURE);
	set_dirty_tracking(fd, hwpt, 1);

	/* One granule in the second MiB */
	memset(granules, 0, sizeof(granules));
	set_bit8(granules, huge / G + 7);
	ok_errno(mock_dirty(fd, hwpt, APERTURE, len, G, granules, &nr), 0,
		 "%s: DIRTY marks one granule", mode);
	memset(map, 0, sizeof(map));
	ok_errno(get_dirty_bitmap(fd, hwpt, APERTURE, len, G, map,
				  IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
		 0, "%s: GET_DIRTY_BITMAP NO_CLEAR", mode);
	for (n = 0; n < nbits; n++)
		bad += bit_is_set(map, n) != (n >= huge / G && n < 2 * huge / G);
	ok(!bad, "%s: the whole 1 MiB IOPTE is dirty: %d bits", mode,
	   count_bits(map, nbits));
	memset(map, 0, sizeof(map));
	get_dirty_bitmap(fd, hwpt, APERTURE, len, huge, map,
			 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	ok(map[0] == 0x2, "%s: at a 1 MiB page_size, its one bit", mode);

	/* Read from the middle of the IOPTE: reported from there, 1 MiB */
	memset(map, 0, sizeof(map));
	get_dirty_bitmap(fd, hwpt, APERTURE + huge + huge / 2, huge, G, map,
			 0);
	ok(count_bits(map, huge / G) == (int)(huge / G),
	   "%s: a read starting half way in reports its whole range", mode);
	memset(map, 0, sizeof(map));
	get_dirty_bitmap(fd, hwpt, APERTURE, len, G, map, 0);
	ok(!count_bits(map, nbits), "%s: and it cleaned the IOPTE", mode);

	memset(granules, 0, sizeof(granules));
	set_bit8(granules, 0);
	set_bit8(granules, 3 * huge / G + 511);
	mock_dirty(fd, hwpt, APERTURE, len, G, granules, NULL);
	memset(map, 0, sizeof(map));
	get_dirty_bitmap(fd, hwpt, APERTURE, len, 2 * huge, map, 0);
	ok(map[0] == 0x3, "%s: at 2 MiB, the first and last IOPTE", mode);
	ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL);
	destroy(fd, hwpt);
	destroy(fd, stdev);
	close(fd);
	munmap(hbuf, len);
}

/* IOMMU_TEST_OP_DIRTY itself (selftest-abi.md §5.12) */
static void test_dirty_op(void)
{
	uint32_t ioas, idev, hwpt, stdev;
	uint8_t bits[8];
	uint64_t nr;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(fd, ioas, &stdev, NULL, &idev);
	hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			 &hwpt);
	set_dirty_tracking(fd, hwpt, 1);
	memset(bits, 0x55, sizeof(bits));

	ok_errno(mock_dirty(fd, 999, APERTURE, 8 * G, 0, bits, NULL), EINVAL,
		 "DIRTY page_size 0: EINVAL first");
	ok_errno(mock_dirty(fd, 999, APERTURE, 0, G, bits, NULL), EINVAL,
		 "length 0: EINVAL");
	ok_errno(mock_dirty(fd, 999, APERTURE + 1, 8 * G, G, bits, NULL),
		 EINVAL, "iova not a multiple of page_size: EINVAL");
	ok_errno(mock_dirty(fd, 999, APERTURE, 8 * G + 1, G, bits, NULL),
		 EINVAL, "length not a multiple: EINVAL");
	ok_errno(mock_dirty(fd, 999, APERTURE, 8 * G, G, NULL, NULL), EINVAL,
		 "NULL bitmap: EINVAL");
	ok_errno(mock_dirty(fd, 999, 0, (128ull << 20) * G + G, G, bits,
			    NULL),
		 EOVERFLOW, "more than 16 MiB of bitmap: EOVERFLOW");
	ok_errno(mock_dirty(fd, 999, APERTURE, 8 * G, G, bits, NULL), ENOENT,
		 "an unknown HWPT: ENOENT");
	ok_errno(mock_dirty(fd, ioas, APERTURE, 8 * G, G, bits, NULL), ENOENT,
		 "an IOAS: ENOENT");
	ok_errno(mock_dirty(fd, hwpt, APERTURE, 64 * G, G, (void *)8, NULL),
		 EFAULT, "an unreadable bitmap: EFAULT");
	ok_errno(mock_dirty(fd, hwpt, APERTURE + NPAGES * psz - 4 * G, 64 * G,
			    G, bits, &nr),
		 0, "DIRTY half over the mapping's end");
	ok(nr == 2, "counts only the mapped entries it marked (%llu)",
	   (unsigned long long)nr);
	destroy(fd, hwpt);
	destroy(fd, stdev);
	close(fd);
}

static void test_modes(const char *mode)
{
	test_read(mode);
	test_bitmap_faults(mode);
	test_huge(mode);
}

int main(void)
{
	long alive, pin0;
	int fd;

	buf = test_build_buffer(NPAGES, &psz);
	G = psz / 2;
	big = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (big == MAP_FAILED)
		tap_bail("mmap");
	alive = objects_alive();
	pin0 = vmpin();

	test_caps();
	test_alloc_attach();
	test_set_dirty_tracking();
	test_bitmap_checks();
	test_dirty_op();
	test_modes("mock walk");
	if (!ok(!module_param_write("mock_dirty_by_extent", 1),
		"mock domains now report extents, as real IOMMU drivers do"))
		return tap_done();
	test_modes("extents");
	module_param_write("mock_dirty_by_extent", 0);

	fd = open_iommufd();
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "no page pinned");
	close(fd);
	ok(vmpin() == pin0, "VmPin back to %ld kB", pin0);
	ok(objects_alive() == alive, "no object left (%ld)", objects_alive());
	return tap_done();
}
