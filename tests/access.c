// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-kernel accesses through the test access (test build only,
 * selftest-abi.md §5.6-5.9 and §5.11, objects.md §8.1): creating and
 * attaching them, every errno of the test operations and of pinning and
 * copying, pin counts shared with domains (MD_CHECK_REFS), the unmap
 * callback, copies at every byte offset around page and area boundaries on
 * both paths, remote pins and copies after fork(), moving an access to
 * another IOAS, accounting, a race of pins against unmaps, contexts kept
 * alive by accesses, and every injected failure leaving nothing behind.
 */
#include <linux/userfaultfd.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "utils.h"

#define NPAGES 16
#define APERTURE 0x1000000ull
#define PIN MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES
#define SLOW MOCK_ACCESS_RW_SLOW_PATH
#define WRITE MOCK_ACCESS_RW_WRITE
#define MAX_LENGTH (16ull << 20)

static long psz;
static char *buf;	/* NPAGES pages, shared anonymous, populated */

static long vmpin(void)
{
	return proc_kb("/proc/self/status", "VmPin");
}

static long vmlck(void)
{
	return proc_kb("/proc/self/status", "VmLck");
}

/* Pin counts of pages [first, first + n) of buf */
static int refs(int fd, int first, int n, uint32_t count)
{
	return check_refs(fd, buf + first * psz, n * psz, count);
}

static int pin(int fd, int afd, uint64_t iova, uint64_t length,
	       const void *uptr, uint32_t *id)
{
	return access_pages(fd, afd, 0, iova, length, uptr, id);
}

static int hwpt_alloc_paging(int fd, uint32_t idev, uint32_t pt,
			     uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = idev,
		.pt_id = pt,
	};
	int rc = ioctl_err(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc)
		*out = cmd.out_hwpt_id;
	return rc;
}

static uint64_t alignment(int fd, uint32_t ioas)
{
	uint64_t align = 0;
	uint32_t num = 0;

	iova_ranges(fd, ioas, NULL, &num, &align);
	return align;
}

static void test_create(void)
{
	long alive = objects_alive();
	uint32_t ioas, ioas2, stdev, hwpt, idev, access_id;
	int fd = open_iommufd(), afd, afd2, flags;
	char link[64], path[64];
	ssize_t n;

	ioas_alloc(fd, &ioas);
	ioas_alloc(fd, &ioas2);
	mock_domain(fd, ioas2, &stdev, &hwpt, &idev);
	alive = objects_alive();
	ok_errno(create_access(fd, ioas, 1 << 1, &afd), EOPNOTSUPP,
		 "CREATE_ACCESS with an unknown flag: EOPNOTSUPP");
	ok_errno(create_access(fd, 999, 0, &afd), ENOENT,
		 "CREATE_ACCESS on an unknown ID: ENOENT");
	ok_errno(create_access(fd, hwpt, PIN, &afd), ENOENT,
		 "on a HW page table: ENOENT");
	ok_errno(create_access(fd, stdev, 0, &afd), ENOENT,
		 "on a SELFTEST object: ENOENT");
	ok(objects_alive() == alive, "the failures left no object (%ld)",
	   objects_alive());

	ok_errno(create_access(fd, ioas, 0, &afd), 0, "CREATE_ACCESS");
	flags = fcntl(afd, F_GETFD);
	ok(afd > 2 && flags >= 0 && (flags & FD_CLOEXEC),
	   "returns a new close-on-exec fd (%d)", afd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", afd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	ok(!strcmp(link, "anon_inode:[iommufd_test_staccess]"),
	   "an anonymous [iommufd_test_staccess] file (%s)", link);
	ok(objects_alive() == alive + 1, "one ACCESS object");
	/* IDs go lowest free first: the ACCESS object took the next one */
	access_id = idev > hwpt ? idev + 1 : hwpt + 1;
	if (stdev >= access_id)
		access_id = stdev + 1;
	ok_errno(destroy(fd, access_id), EBUSY,
		 "IOMMU_DESTROY of the ACCESS object: EBUSY");
	ok_errno(destroy(fd, ioas), EBUSY,
		 "IOMMU_DESTROY of its IOAS: EBUSY");
	ok(alignment(fd, ioas) == 1,
	   "an access that does not pin leaves the alignment at 1");
	ok_errno(create_access(fd, ioas, PIN, &afd2), 0,
		 "a second access, NEEDS_PIN_PAGES");
	ok(alignment(fd, ioas) == (uint64_t)psz,
	   "raises the alignment to PAGE_SIZE");
	ok_errno(ioas_map_fixed(fd, ioas, buf, psz / 2, 0x100000), EINVAL,
		 "then a MAP of half a page: EINVAL");
	ok_errno(ioas_map_fixed(fd, ioas, buf, psz, 0x100000 + psz / 2),
		 EINVAL, "a MAP at a half-page IOVA: EINVAL");
	ok_errno(ioas_map_fixed(fd, ioas, buf + psz / 2, psz, 0x100000),
		 EINVAL, "a MAP of memory at a half-page offset: EINVAL");
	close(afd2);
	ok(alignment(fd, ioas) == 1, "closing it brings the alignment back");
	close(afd);
	ok_errno(destroy(fd, access_id), ENOENT,
		 "the ACCESS object went with its fd");
	ok(objects_alive() == alive, "no object left behind");

	/* Alignment conflicts of a pinning access */
	ok_errno(ioas_map_fixed(fd, ioas, buf, psz / 2, 0x100000), 0,
		 "a half-page area");
	ok_errno(create_access(fd, ioas, PIN, &afd), EADDRINUSE,
		 "CREATE_ACCESS with NEEDS_PIN_PAGES: EADDRINUSE");
	ok(objects_alive() == alive && alignment(fd, ioas) == 1,
	   "which left no object and the alignment at 1");
	ok_errno(create_access(fd, ioas, 0, &afd), 0,
		 "an access that does not pin is fine");
	close(afd);
	ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL);
	ioas_map_fixed(fd, ioas, buf, psz, 0x100000 + psz / 2);
	ok_errno(create_access(fd, ioas, PIN, &afd), EADDRINUSE,
		 "a half-page IOVA: EADDRINUSE");
	ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL);
	ioas_map_fixed(fd, ioas, buf + 100, psz, 0x100000);
	ok_errno(create_access(fd, ioas, PIN, &afd), EADDRINUSE,
		 "memory at an in-page offset: EADDRINUSE");
	ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL);
	ioas_map_fixed(fd, ioas, buf, psz, 0x100000);
	ok_errno(create_access(fd, ioas, PIN, &afd), 0,
		 "a page-aligned area: fine");
	close(afd);
	ok(objects_alive() == alive, "nothing left (%ld)", objects_alive());
	ok_errno(destroy(fd, ioas), 0, "the IOAS can go");
	close(fd);
}

/* Every operation on something that is not a test access: EBADFD */
static void test_ebadfd(void)
{
	int fd = open_iommufd(), null = open("/dev/null", O_RDONLY);
	int bad[] = { 9999, null, fd, -1 };
	int i, got = 0;
	char c;

	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		got += destroy_access_pages(fd, bad[i], 0) == EBADFD;
		got += pin(fd, bad[i], APERTURE, psz, NULL, NULL) == EBADFD;
		got += access_rw(fd, bad[i], APERTURE, 1, &c, 0) == EBADFD;
		got += access_replace_ioas(fd, bad[i], 1) == EBADFD;
	}
	ok(got == 4 * (int)ARRAY_SIZE(bad),
	   "DESTROY_ACCESS_PAGES, ACCESS_PAGES, ACCESS_RW and "
	   "ACCESS_REPLACE_IOAS on a closed fd, /dev/null, the iommufd, -1: "
	   "EBADFD (%d of %d)", got, 4 * (int)ARRAY_SIZE(bad));
	close(null);
	close(fd);
}

static void test_pin_errors(void)
{
	const uint64_t x = APERTURE, ro = APERTURE + 0x100000,
		       wo = APERTURE + 0x200000, gap = APERTURE + 0x300000;
	uint32_t ioas, id, id2;
	int fd = open_iommufd(), afd, afd_np;
	long pinned;

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, x);
	create_access(fd, ioas, PIN, &afd);
	create_access(fd, ioas, 0, &afd_np);

	ok_errno(pin(fd, 9999, x, MAX_LENGTH + 1, NULL, &id), ENOMEM,
		 "ACCESS_PAGES over 16 MiB: ENOMEM, checked first");
	ok_errno(pin(fd, afd, x, MAX_LENGTH + 1, NULL, &id), ENOMEM,
		 "(on a good fd too)");
	ok_errno(access_pages(fd, 9999, 1 << 3, x, psz, NULL, &id), EOPNOTSUPP,
		 "an unknown flag: EOPNOTSUPP, before the fd");
	ok_errno(pin(fd, afd_np, x, psz, NULL, &id), EOPNOTSUPP,
		 "through an access without NEEDS_PIN_PAGES: EOPNOTSUPP");
	ok_errno(pin(fd, afd, x, 0, NULL, &id), EINVAL, "length 0: EINVAL");
	ok_errno(pin(fd, afd, UINT64_MAX - psz + 1, 2 * psz, NULL, &id),
		 EOVERFLOW, "a range that wraps: EOVERFLOW");
	ok_errno(pin(fd, afd, x - psz, psz, NULL, &id), ENOENT,
		 "unmapped IOVA: ENOENT");
	ok_errno(pin(fd, afd, x - psz, 2 * psz, NULL, &id), ENOENT,
		 "a range starting before the area: ENOENT");
	ok_errno(pin(fd, afd, x + (NPAGES - 1) * psz, 2 * psz, NULL, &id),
		 ENOENT, "a range running past the area: ENOENT");
	ioas_map_fixed(fd, ioas, buf, psz, gap);
	ioas_map_fixed(fd, ioas, buf + psz, psz, gap + 2 * psz);
	ok_errno(pin(fd, afd, gap, 3 * psz, NULL, &id), ENOENT,
		 "a range over a gap between areas: ENOENT");

	ioas_map(fd, ioas, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		 buf, 2 * psz, (uint64_t[]){ ro });
	ok_errno(access_pages(fd, afd, MOCK_FLAGS_ACCESS_WRITE, ro, psz, NULL,
			      &id),
		 EPERM, "pin for write in a read-only area: EPERM");
	ok_errno(pin(fd, afd, ro, psz, buf, &id), 0, "for read: fine");
	ok(id == 0, "the first item is 0 (%u)", id);
	destroy_access_pages(fd, afd, id);
	ioas_map(fd, ioas, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE,
		 buf, 2 * psz, (uint64_t[]){ wo });
	ok_errno(pin(fd, afd, wo, psz, NULL, &id), EPERM,
		 "pin for read in a write-only area: EPERM");
	ok_errno(access_pages(fd, afd, MOCK_FLAGS_ACCESS_WRITE, wo, psz, buf,
			      &id),
		 0, "for write: fine");
	ok(id == 1, "the next item 1 (%u)", id);
	destroy_access_pages(fd, afd, id);
	ok_errno(access_pages(fd, afd, MOCK_FLAGS_ACCESS_WRITE, ro - psz,
			      2 * psz, NULL, &id),
		 ENOENT, "a gap comes first in the walk: ENOENT");
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "no failure left a pin");

	ok_errno(pin(fd, afd, x, psz, buf + psz, &id), EBADE,
		 "ACCESS_PAGES with the wrong uptr: EBADE");
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "and unpinned again");
	pinned = vmpin();
	ok_errno(pin(fd, afd, x, psz, buf, &id), 0, "pin a page");
	ok(id == 2, "item 2 (%u)", id);
	ok_errno(refs(fd, 0, 1, 1), 0, "the page is pinned once");
	ok_errno(refs(fd, 1, NPAGES - 1, 0), 0, "its neighbours are not");
	ok(vmpin() == pinned + psz / 1024, "VmPin counts the page");
	ok_errno(pin(fd, afd, x, psz, buf, &id2), 0, "pin it again");
	ok(id2 == 3, "item 3");
	ok_errno(refs(fd, 0, 1, 1), 0, "still pinned once");
	ok(vmpin() == pinned + psz / 1024, "and counted once");
	ok_errno(destroy_access_pages(fd, afd, 2), 0, "unpin item 2");
	ok_errno(refs(fd, 0, 1, 1), 0, "item 3 keeps the page pinned");
	ok_errno(destroy_access_pages(fd, afd, 3), 0, "unpin item 3");
	ok_errno(refs(fd, 0, 1, 0), 0, "unpinned");
	ok(vmpin() == pinned, "VmPin back (%ld kB)", vmpin());
	ok_errno(destroy_access_pages(fd, afd, 3), ENOENT,
		 "unpin item 3 again: ENOENT");
	ok_errno(destroy_access_pages(fd, afd, 42), ENOENT,
		 "an item never made: ENOENT");
	ok_errno(destroy_access_pages(fd, afd_np, 0), ENOENT,
		 "item 0 of another access: ENOENT");
	ok_errno(pin(fd, afd, x + psz + 100, 200, buf + psz + 100, &id), 0,
		 "pin 200 bytes inside a page");
	ok(id == 4, "item IDs are not reused (%u)", id);
	ok_errno(refs(fd, 1, 1, 1), 0, "pins that page");
	ok_errno(refs(fd, 0, 1, 0) || refs(fd, 2, 1, 0), 0,
		 "and not its neighbours");
	ok_errno(pin(fd, afd, x + 3 * psz - 10, 20, buf + 3 * psz - 10, &id),
		 0, "20 bytes across a page boundary");
	ok_errno(refs(fd, 2, 2, 1), 0, "pin both pages");
	ok_errno(pin(fd, afd, x, NPAGES * psz, buf, &id), 0,
		 "the whole area, checked page by page");
	ok_errno(refs(fd, 0, NPAGES, 1), 0, "every page pinned once");

	/* Two areas back to back are one range for a pin */
	ok_errno(ioas_map_fixed(fd, ioas, buf, 4 * psz, x + 0x400000) ||
			 ioas_map_fixed(fd, ioas, buf + 4 * psz, 4 * psz,
					x + 0x400000 + 4 * psz),
		 0, "two MAPs back to back");
	ok_errno(pin(fd, afd, x + 0x400000 + 2 * psz, 4 * psz, buf + 2 * psz,
		     &id),
		 0, "a pin across both: the pages follow each other");
	ok_errno(pin(fd, afd, x + 0x400000 + 2 * psz, 4 * psz, buf, &id),
		 EBADE, "(the check does compare every page)");
	close(afd);
	close(afd_np);
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "closing the access unpinned all");
	close(fd);
}

/* Page counts with accesses and domains together: one pin per page */
static void test_refs(void)
{
	uint32_t ioas, stdev, hwpt, idev, hwpt2 = 0, id;
	const uint64_t x = APERTURE;
	int fd = open_iommufd(), afd, i, bad = 0;
	long pinned = vmpin();
	char out[6 * 4096];

	for (i = 0; i < NPAGES * psz; i++)
		buf[i] = i * 7 + 3;
	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, x);
	create_access(fd, ioas, PIN, &afd);
	ok_errno(pin(fd, afd, x, 4 * psz, buf, &id), 0, "pin pages 0-3");
	ok_errno(refs(fd, 0, 4, 1) || refs(fd, 4, NPAGES - 4, 0), 0,
		 "pinned once by the access alone; the rest not at all");
	ok(vmpin() == pinned + 4 * psz / 1024, "VmPin: 4 pages");
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, &idev), 0,
		 "attach a mock device");
	ok_errno(refs(fd, 0, NPAGES, 1), 0,
		 "access + domain: every page pinned once");
	ok_errno(check_map(fd, hwpt, x, NPAGES * psz, buf), 0,
		 "the domain maps the right memory, pinned pages included");
	ok(vmpin() == pinned + NPAGES * psz / 1024, "VmPin: all pages, once");
	ok_errno(hwpt_alloc_paging(fd, idev, ioas, &hwpt2), 0,
		 "a second domain");
	ok_errno(check_map(fd, hwpt2, x, NPAGES * psz, buf), 0, "loaded too");
	ok_errno(refs(fd, 0, NPAGES, 1), 0,
		 "access + two domains: still once");
	ok_errno(pin(fd, afd, x + 2 * psz, 4 * psz, buf + 2 * psz, &id), 0,
		 "pin pages 2-5, held by domains and the access");
	ok_errno(refs(fd, 0, NPAGES, 1), 0, "still once");
	ok(vmpin() == pinned + NPAGES * psz / 1024, "VmPin unchanged");
	ok_errno(destroy(fd, hwpt2), 0, "the second domain goes");
	ok_errno(destroy(fd, stdev), 0, "the mock device goes, and its domain");
	ok_errno(refs(fd, 0, 6, 1) || refs(fd, 6, NPAGES - 6, 0), 0,
		 "pages 0-5 stay pinned once by the access, the rest unpinned");
	ok(vmpin() == pinned + 6 * psz / 1024, "VmPin: 6 pages");
	ok_errno(pin(fd, afd, x, 4 * psz, buf, &id), 0,
		 "pin 0-3 again: the recorded pages are the buffer's");
	memset(out, 0, sizeof(out));
	ok_errno(access_rw(fd, afd, x, 6 * psz, out, SLOW), 0,
		 "read them through the pins");
	ok(!memcmp(out, buf, 6 * psz), "the right data");
	ok_errno(destroy_access_pages(fd, afd, 0) ||
			 destroy_access_pages(fd, afd, 2),
		 0, "drop both pins of 0-3");
	ok_errno(refs(fd, 0, 2, 0) || refs(fd, 2, 4, 1), 0,
		 "pages 0-1 unpinned, 2-5 pinned by the overlapping pin");
	ok_errno(destroy_access_pages(fd, afd, 1), 0, "drop it");
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "nothing pinned");
	ok(vmpin() == pinned, "VmPin back");

	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), 0,
		 "a domain first");
	ok_errno(pin(fd, afd, x, NPAGES * psz, buf, &id), 0,
		 "then an access pin of everything");
	ok_errno(refs(fd, 0, NPAGES, 1), 0, "once");
	ok_errno(destroy(fd, stdev), 0, "the domain goes");
	ok_errno(refs(fd, 0, NPAGES, 1), 0, "the access keeps the pins");
	for (i = 0; i < 8; i++) {
		bad += !!mock_domain(fd, ioas, &stdev, &hwpt, NULL);
		bad += !!check_map(fd, hwpt, x, NPAGES * psz, buf);
		bad += !!destroy(fd, stdev);
		bad += !!refs(fd, 0, NPAGES, 1);
	}
	ok(!bad, "domains coming and going load the access's pages and leave "
	   "them pinned once");
	close(afd);
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "closing the access unpinned");
	ok(vmpin() == pinned, "VmPin back");
	close(fd);
}

/*
 * Memory mapped by a process that exited: the access pins (remote, while
 * it lived) are all a domain added later can use.
 */
static void test_fork_domain(void)
{
	uint32_t ioas, stdev, hwpt, id;
	const uint64_t x = APERTURE;
	int fd = open_iommufd(), afd, go[2], done[2], status;
	char c = 0, out[64];
	pid_t pid;

	ioas_alloc(fd, &ioas);
	create_access(fd, ioas, PIN, &afd);
	if (pipe(go) || pipe(done))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		c = ioas_map_fixed(fd, ioas, buf, 8 * psz, x) ||
		    ioas_map_fixed(fd, ioas, buf + 8 * psz, 8 * psz,
				   x + 8 * psz);
		if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ok(read(go[0], &c, 1) == 1 && c == 0, "a child maps the buffer");
	ok_errno(pin(fd, afd, x, 8 * psz, buf, &id), 0,
		 "the parent pins half of it: a remote pin");
	ok_errno(refs(fd, 0, 8, 1) || refs(fd, 8, 8, 0), 0, "pinned once");
	if (write(done[1], &c, 1) != 1)
		tap_bail("write");
	waitpid(pid, &status, 0);
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), EFAULT,
		 "the child exited: a domain cannot pin the other half: EFAULT");
	ok_errno(refs(fd, 0, 8, 1) || refs(fd, 8, 8, 0), 0,
		 "the failed attach changed no pin");
	ok_errno(pin(fd, afd, x + 8 * psz, psz, NULL, &id), EFAULT,
		 "nor can the access: EFAULT");
	ok_errno(access_rw(fd, afd, x + 8 * psz, 8, out, 0), EFAULT,
		 "a copy from unpinned memory of the gone process: EFAULT");
	ok_errno(access_rw(fd, afd, x + 4 * psz, sizeof(out), out, 0), 0,
		 "a copy from the pinned half works");
	ok(!memcmp(out, buf + 4 * psz, sizeof(out)), "with the right data");
	ok_errno(ioas_unmap(fd, ioas, x + 8 * psz, 8 * psz, NULL), 0,
		 "unmap the unpinned half");
	ok_errno(mock_domain(fd, ioas, &stdev, &hwpt, NULL), 0,
		 "now a domain can be added: the PFNs come from the access");
	ok_errno(check_map(fd, hwpt, x, 8 * psz, buf), 0, "and they are right");
	ok_errno(destroy_access_pages(fd, afd, 0), 0, "drop the access pin");
	ok_errno(refs(fd, 0, 8, 1), 0, "the domain keeps the pages pinned");
	ok_errno(destroy(fd, stdev), 0, "the domain goes");
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "nothing pinned");
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	close(afd);
	close(fd);
}

static void test_unmap_callback(void)
{
	const uint64_t x = APERTURE, c = APERTURE + 0x100000;
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	uint32_t ioas, ioas2, id;
	uint64_t unmapped, iova2 = x;
	int fd = open_iommufd(), afd, afd2;

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, 4 * psz, x);		/* A */
	ioas_map_fixed(fd, ioas, buf + 4 * psz, 4 * psz, x + 4 * psz); /* B */
	ioas_map_fixed(fd, ioas, buf + 8 * psz, 4 * psz, c);	/* C */
	create_access(fd, ioas, PIN, &afd);
	create_access(fd, ioas, PIN, &afd2);
	pin(fd, afd, x, 4 * psz, buf, &id);			/* 0: A */
	pin(fd, afd, x + 4 * psz, 4 * psz, buf + 4 * psz, &id); /* 1: B */
	pin(fd, afd2, x + psz, psz, buf + psz, &id);		/* 0: in A */
	pin(fd, afd, x + 3 * psz, 2 * psz, buf + 3 * psz, &id); /* 2: A and B */
	ok_errno(refs(fd, 0, 8, 1), 0, "A and B pinned by two accesses");
	ok_errno(ioas_unmap(fd, ioas, x, 4 * psz, &unmapped), 0,
		 "UNMAP of A with pins in it succeeds");
	ok(unmapped == 4 * (uint64_t)psz, "and unmapped A (%llu)",
	   (unsigned long long)unmapped);
	ok_errno(destroy_access_pages(fd, afd, 0), ENOENT,
		 "the callback dropped the pin of A: ENOENT");
	ok_errno(destroy_access_pages(fd, afd, 2), ENOENT,
		 "and the one reaching into B");
	ok_errno(destroy_access_pages(fd, afd2, 0), ENOENT,
		 "every access was told");
	ok_errno(refs(fd, 0, 4, 0) || refs(fd, 4, 4, 1), 0,
		 "A's pages unpinned, B's still pinned");
	ok_errno(destroy_access_pages(fd, afd, 1), 0,
		 "the pin of B alone survived");
	ok_errno(pin(fd, afd, x, psz, NULL, &id), ENOENT,
		 "pinning A's IOVA now: ENOENT");

	pin(fd, afd, x + 4 * psz, psz, NULL, &id);
	pin(fd, afd2, c, 4 * psz, NULL, &id);
	ok_errno(ioas_unmap(fd, ioas, 0, UINT64_MAX, &unmapped), 0,
		 "unmap everything with pins in B and C");
	ok(unmapped == 8 * (uint64_t)psz, "both went");
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "unpinned");
	ok_errno(destroy(fd, ioas), EBUSY,
		 "an IOAS with accesses attached: EBUSY");

	/* An area's pins are its own: a COPY elsewhere unmaps freely */
	ioas_map_fixed(fd, ioas, buf, 4 * psz, x);
	ok_errno(pin(fd, afd, x, 4 * psz, buf, &id), 0, "pin A again");
	ioas_alloc(fd, &ioas2);
	ok_errno(ioas_copy(fd, MAP_FIXED_RW, ioas2, ioas, x, 4 * psz, &iova2),
		 0, "COPY it to a second IOAS");
	ok_errno(ioas_unmap(fd, ioas2, x, 4 * psz, NULL), 0,
		 "unmap the copy");
	ok_errno(refs(fd, 0, 4, 1), 0, "the pins in the first IOAS stay");
	ok_errno(destroy_access_pages(fd, afd, id), 0, "and so does the item");

	/* VFIO type1 v1 cannot cut an area with access pins */
	vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &ioas);
	ok_errno(ioctl_err(fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1_IOMMU), 0,
		 "VFIO_SET_IOMMU(TYPE1)");
	ok_errno(pin(fd, afd, x, psz, buf, &id), 0, "pin A's first page");
	unmap.iova = x + 2 * psz;
	unmap.size = 2 * psz;
	ok_errno(ioctl_err(fd, VFIO_IOMMU_UNMAP_DMA, &unmap), EINVAL,
		 "UNMAP_DMA of part of A: EINVAL, A cannot be cut");
	ok_errno(refs(fd, 0, 1, 1), 0, "the pin stayed");
	ok_errno(destroy_access_pages(fd, afd, id), 0, "unpin");
	unmap.size = 2 * psz;
	ok_errno(ioctl_err(fd, VFIO_IOMMU_UNMAP_DMA, &unmap), 0,
		 "then the partial unmap works");
	close(afd);
	close(afd2);
	ok_errno(destroy(fd, ioas), 0, "the IOAS can go");
	close(fd);
}

struct uffd_blocker {
	int fd;
	int afd;
	uint64_t iova;
	void *uptr;
	int rc;
};

static void *uffd_pin_thread(void *arg)
{
	struct uffd_blocker *b = arg;

	b->rc = pin(b->fd, b->afd, b->iova, psz, b->uptr, NULL);
	return NULL;
}

static void *unmap_thread(void *arg)
{
	struct uffd_blocker *b = arg;

	b->rc = ioas_unmap(b->fd, (uint32_t)b->afd, b->iova, 4 * psz, NULL);
	return NULL;
}

/*
 * While an unmap waits for an access to let go of an area, the area can
 * neither be pinned nor copied (EINVAL). To hold it there, the first
 * access's ACCESS_PAGES stalls in its uptr check on a userfaultfd page while
 * holding the lock its unmap callback needs.
 */
/* A page whose first touch stalls until uffd_release(); -1 on failure */
static int uffd_trap(char **trap)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	*trap = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (uintptr_t)*trap;
	reg.range.len = psz;
	if (uffd < 0 || *trap == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg))
		return -1;
	return uffd;
}

/*
 * Wait up to 10 s for a thread to stall on the trap. The userfaultfd is
 * O_NONBLOCK: poll() of a blocking one answers POLLERR at once, and the
 * read would wait for a fault that may never come.
 */
static int uffd_stalled(int uffd)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	return poll(&pfd, 1, 10000) == 1 &&
	       read(uffd, &msg, sizeof(msg)) == sizeof(msg);
}

static void uffd_release(int uffd, char *trap)
{
	struct uffdio_zeropage zero = {
		.range = { .start = (uintptr_t)trap, .len = psz },
	};

	ioctl(uffd, UFFDIO_ZEROPAGE, &zero);
}

static void test_prevent(void)
{
	const uint64_t x = APERTURE;
	struct uffd_blocker pinner, unmapper;
	pthread_t t1, t2;
	uint32_t ioas, id;
	int fd = open_iommufd(), afd, afd2, afd3, uffd, rc = 0, i;
	char *trap, c;

	uffd = uffd_trap(&trap);
	if (!ok(uffd >= 0, "a userfaultfd page to stall on")) {
		close(fd);
		return;
	}

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, 4 * psz, x);
	create_access(fd, ioas, PIN, &afd);	/* first on the list */
	create_access(fd, ioas, PIN, &afd2);
	create_access(fd, ioas, 0, &afd3);
	pin(fd, afd, x, psz, buf, &id);

	pinner = (struct uffd_blocker){ fd, afd, x + psz, trap, -1 };
	pthread_create(&t1, NULL, uffd_pin_thread, &pinner);
	ok(uffd_stalled(uffd), "ACCESS_PAGES stalls in its uptr check");

	unmapper = (struct uffd_blocker){ fd, (int)ioas, x, NULL, -1 };
	pthread_create(&t2, NULL, unmap_thread, &unmapper);
	/* The unmap marks the area, then waits in the first callback */
	for (i = 0; i < 1000; i++) {
		rc = access_rw(fd, afd3, x + 10, 1, &c, 0);
		if (rc)
			break;
		usleep(10000);
	}
	ok_errno(rc, EINVAL, "ACCESS_RW of the area being unmapped: EINVAL");
	ok_errno(access_rw(fd, afd3, x + 10, 1, &c, WRITE | SLOW), EINVAL,
		 "(slow path, write too)");
	ok_errno(pin(fd, afd2, x + 2 * psz, psz, NULL, &id), EINVAL,
		 "ACCESS_PAGES of it through another access: EINVAL");
	ok(unmapper.rc == -1, "the unmap is still waiting");

	uffd_release(uffd, trap);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ok_errno(pinner.rc, EBADE,
		 "the stalled pin resumes (EBADE: not that page)");
	ok_errno(unmapper.rc, 0, "the unmap completes");
	ok_errno(refs(fd, 0, 4, 0), 0, "nothing is pinned");
	close(afd);
	close(afd2);
	close(afd3);
	close(uffd);
	munmap(trap, psz);
	close(fd);
}

static int rw_sweep(int fd, int afd, uint64_t iova, char *mem,
		    long boundary, uint32_t flags);

static void *replace_thread(void *arg)
{
	struct uffd_blocker *b = arg;

	b->rc = access_replace_ioas(b->fd, b->afd, (uint32_t)b->iova);
	return NULL;
}

/*
 * While an access moves, its unmap callback runs with the access attached
 * nowhere: copies and pins fail with ENOENT, though both IOASes map the
 * IOVA, and unpins still reach the old IOAS. The callback is held up as in
 * test_prevent().
 */
static void test_unattached(void)
{
	const uint64_t x = APERTURE;
	struct uffd_blocker pinner, replacer;
	pthread_t t1, t2;
	uint32_t a, b, id;
	int fd = open_iommufd(), afd, uffd, rc = 0, i;
	char *trap, c;

	uffd = uffd_trap(&trap);
	if (!ok(uffd >= 0, "a userfaultfd page to stall on")) {
		close(fd);
		return;
	}
	ioas_alloc(fd, &a);
	ioas_alloc(fd, &b);
	ioas_map_fixed(fd, a, buf, 4 * psz, x);
	ioas_map_fixed(fd, b, buf + 4 * psz, 4 * psz, x);
	create_access(fd, a, PIN, &afd);
	pin(fd, afd, x, psz, buf, &id);

	pinner = (struct uffd_blocker){ fd, afd, x + psz, trap, -1 };
	pthread_create(&t1, NULL, uffd_pin_thread, &pinner);
	ok(uffd_stalled(uffd), "ACCESS_PAGES stalls in its uptr check");
	replacer = (struct uffd_blocker){ fd, afd, b, NULL, -1 };
	pthread_create(&t2, NULL, replace_thread, &replacer);
	for (i = 0; i < 1000; i++) {
		rc = access_rw(fd, afd, x, 1, &c, 0);
		if (rc)
			break;
		usleep(10000);
	}
	ok_errno(rc, ENOENT,
		 "ACCESS_RW while the access moves to another IOAS: ENOENT");
	ok_errno(access_rw(fd, afd, x, 1, &c, WRITE | SLOW), ENOENT,
		 "(write, slow path too)");
	ok(replacer.rc == -1, "the move is waiting for the unmap callback");
	ok_errno(refs(fd, 0, 2, 1), 0, "which has not dropped the pins yet");
	uffd_release(uffd, trap);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ok_errno(pinner.rc, EBADE,
		 "the stalled pin resumes and unpins from the old IOAS (EBADE)");
	ok_errno(replacer.rc, 0, "the move completes");
	ok_errno(refs(fd, 0, 8, 0), 0, "nothing pinned in either IOAS");
	ok_errno(destroy(fd, a), 0, "the old IOAS is free");
	ok_errno(access_rw(fd, afd, x + 3, 1, &c, 0), 0, "copies work again");
	ok(c == buf[4 * psz + 3], "on the new IOAS");
	close(afd);
	close(uffd);
	munmap(trap, psz);
	close(fd);
}

/* ACCESS_RW through a kernel thread: IOMMUFD_ACCESS_RW_KTHREAD */
static void test_kthread(void)
{
	const uint64_t x = APERTURE;
	int fd = open_iommufd(), afd, bad, go[2], status;
	uint32_t ioas, ioas2;
	char out[32], c = 0;
	pid_t pid;

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, 2 * psz, x);
	ioas_map_fixed(fd, ioas, buf + 2 * psz, 2 * psz, x + 2 * psz);
	create_access(fd, ioas, 0, &afd);
	if (!ok(module_param_write("access_rw_kthread", 1) == 0,
		"ACCESS_RW from a kernel thread from now")) {
		close(fd);
		return;
	}
	bad = rw_sweep(fd, afd, x, buf, 2 * psz, 0);
	ok(!bad, "fast path (the thread borrows the mm): lengths 1-63 around "
	   "an area boundary (%d wrong)", bad);
	bad = rw_sweep(fd, afd, x, buf, psz, SLOW);
	ok(!bad, "slow path (remote pins from the thread) (%d wrong)", bad);
	ok_errno(access_rw(fd, afd, x - 1, 2, out, 0), ENOENT,
		 "errors come back from the thread: ENOENT");

	/* Memory of a process that exited */
	ioas_alloc(fd, &ioas2);
	if (pipe(go))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		c = ioas_map_fixed(fd, ioas2, buf, psz, x) ? 1 : 0;
		_exit(write(go[1], &c, 1) == 1 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(read(go[0], &c, 1) == 1 && c == 0, "a child mapped and exited");
	close(afd);
	create_access(fd, ioas2, 0, &afd);
	ok_errno(access_rw(fd, afd, x, sizeof(out), out, 0), EFAULT,
		 "a kernel thread cannot borrow a gone mm: EFAULT");
	module_param_write("access_rw_kthread", 0);
	close(go[0]);
	close(go[1]);
	close(afd);
	close(fd);
}

/*
 * An access whose callback does not unpin (access_ignore_unmap): the
 * unmap gives up with EDEADLOCK and leaves the area usable.
 */
static void test_edeadlock(void)
{
	const uint64_t x = APERTURE;
	uint32_t ioas, id, id2;
	uint64_t unmapped;
	int fd = open_iommufd(), afd;
	char c;

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, psz, x);
	ioas_map_fixed(fd, ioas, buf + psz, 2 * psz, x + psz);
	create_access(fd, ioas, PIN, &afd);
	pin(fd, afd, x + 2 * psz, psz, buf + 2 * psz, &id);
	if (!ok(module_param_write("access_ignore_unmap", 1) == 0,
		"the test access ignores unmap notifications from now")) {
		close(fd);
		return;
	}
	ok_errno(ioas_unmap(fd, ioas, x, 3 * psz, &unmapped), EDEADLOCK,
		 "UNMAP of areas whose pins stay: EDEADLOCK");
	ok_errno(ioas_unmap(fd, ioas, x, psz, NULL), ENOENT,
		 "the area before it was unmapped");
	ok_errno(refs(fd, 2, 1, 1), 0, "the pin stayed");
	ok_errno(access_rw(fd, afd, x + 2 * psz, 1, &c, 0), 0,
		 "the area can be read again");
	ok_errno(pin(fd, afd, x + psz, psz, buf + psz, &id2), 0,
		 "and pinned again");
	module_param_write("access_ignore_unmap", 0);
	ok_errno(ioas_unmap(fd, ioas, x + psz, 2 * psz, &unmapped), 0,
		 "with a well-behaved callback the unmap works");
	ok_errno(destroy_access_pages(fd, afd, id), ENOENT, "the pins went");
	ok_errno(refs(fd, 0, 3, 0), 0, "unpinned");
	close(afd);
	close(fd);
}

struct unmapper {
	int fd;
	uint32_t ioas;
	uint64_t iova, length;
	int rc;
};

static void *unmapper_thread(void *arg)
{
	struct unmapper *u = arg;

	u->rc = ioas_unmap(u->fd, u->ioas, u->iova, u->length, NULL);
	return NULL;
}

/* Wait up to 5 s for an unmap to keep [iova, iova + 1) from accesses */
static int kept_from_accesses(int fd, int probe, uint64_t iova)
{
	char c;
	int i;

	for (i = 0; i < 500; i++) {
		if (access_rw(fd, probe, iova, 1, &c, 0) == EINVAL)
			return 1;
		usleep(10000);
	}
	return 0;
}

/*
 * An unmap that waits for an area's pins keeps only that area from
 * accesses. When a new area pinned below it appears in its range, the
 * unmap waits for that one instead and the first is usable again; when it
 * gives up, neither stays marked. (Each callback sleeps 20 ms, two
 * accesses are told each round, so the unmap spends about 4 s in its 100
 * rounds, with its locks dropped.)
 */
static void test_unmap_mark_moves(void)
{
	const uint64_t x = APERTURE;
	struct unmapper u = { .iova = x, .length = 2 * psz };
	uint32_t ioas, id;
	int afd, probe;
	pthread_t t;

	u.fd = open_iommufd();
	ioas_alloc(u.fd, &ioas);
	u.ioas = ioas;
	ioas_map_fixed(u.fd, ioas, buf + psz, psz, x + psz);
	create_access(u.fd, ioas, PIN, &afd);
	create_access(u.fd, ioas, 0, &probe);
	pin(u.fd, afd, x + psz, psz, buf + psz, &id);
	if (!ok(module_param_write("access_ignore_unmap", 1) == 0 &&
		module_param_write("access_unmap_delay_ms", 20) == 0,
		"test accesses ignore unmap notifications, after 20 ms each")) {
		close(probe);
		close(afd);
		close(u.fd);
		return;
	}
	pthread_create(&t, NULL, unmapper_thread, &u);
	ok(kept_from_accesses(u.fd, probe, x + psz),
	   "an unmap waits for the pinned area B: B cannot be read");
	ok_errno(pin(u.fd, afd, x + psz, psz, buf + psz, &id), EINVAL,
		 "nor pinned");
	ok_errno(ioas_map_fixed(u.fd, ioas, buf, psz, x), 0,
		 "meanwhile a MAP puts area A below B, in the unmap's range");
	ok_errno(pin(u.fd, afd, x, psz, buf, &id), 0, "and A gets pinned");
	ok(kept_from_accesses(u.fd, probe, x),
	   "the unmap waits for A now: A cannot be read");
	ok_errno(pin(u.fd, afd, x, psz, buf, &id), EINVAL, "nor pinned");
	ok_errno(pin(u.fd, afd, x + psz, psz, buf + psz, &id), 0,
		 "B can again: the unmap no longer keeps it");
	pthread_join(t, NULL);
	ok_errno(u.rc, EDEADLOCK, "the unmap gives up: EDEADLOCK");
	ok_errno(pin(u.fd, afd, x, psz, buf, &id), 0,
		 "and keeps neither: A can be pinned");
	ok_errno(pin(u.fd, afd, x + psz, psz, buf + psz, &id), 0,
		 "B too");
	module_param_write("access_unmap_delay_ms", 0);
	module_param_write("access_ignore_unmap", 0);
	ok_errno(ioas_unmap(u.fd, ioas, x, 2 * psz, NULL), 0,
		 "with a well-behaved callback both unmap");
	ok_errno(refs(u.fd, 0, 2, 0), 0, "unpinned");
	close(probe);
	close(afd);
	close(u.fd);
}

struct stalled_map {
	int fd;
	uint32_t ioas, ioas2;
	uint64_t iova;
	void *uptr;
	int afd, afd2;
	int rc[8];
	uint64_t unmapped;
	uint32_t idev, hwpt;
	pid_t tid;
};

static void *stalled_map_thread(void *arg)
{
	struct stalled_map *m = arg;

	m->rc[0] = ioas_map_fixed(m->fd, m->ioas, m->uptr, psz, m->iova);
	return NULL;
}

/* A new domain for the IOAS: it needs every area, the stalled one too */
static void *hwpt_alloc_thread(void *arg)
{
	struct stalled_map *m = arg;

	__atomic_store_n(&m->tid, gettid(), __ATOMIC_RELEASE);
	m->rc[0] = hwpt_alloc_flags(m->fd, m->idev, m->ioas, 0, &m->hwpt);
	return NULL;
}

static void *map_unmap_thread(void *arg)
{
	struct stalled_map *m = arg;

	m->rc[0] = ioas_map_fixed(m->fd, m->ioas, buf, psz, m->iova);
	m->rc[1] = ioas_unmap(m->fd, m->ioas, m->iova, psz, NULL);
	return NULL;
}

/* Whether thread @tid of ours sleeps uninterruptibly, within 20 s */
static int thread_blocked(pid_t tid)
{
	char path[64], line[256], *state;
	int i, fd, n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	for (i = 0; i < 2000; i++) {
		fd = open(path, O_RDONLY);
		n = fd < 0 ? -1 : read(fd, line, sizeof(line) - 1);
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			line[n] = 0;
			state = strrchr(line, ')');
			if (state && state[1] && state[2] == 'D')
				return 1;
		}
		usleep(10000);
	}
	return 0;
}

/* What the tests below ask of the IOAS while the MAP is stalled */
static void *meanwhile_thread(void *arg)
{
	struct stalled_map *m = arg;
	const uint64_t other = m->iova + 16 * psz;
	uint64_t dst = m->iova;
	uint32_t id;
	char c;

	m->rc[0] = ioas_map_fixed(m->fd, m->ioas, buf, psz, other);
	m->rc[1] = ioas_unmap(m->fd, m->ioas, other, psz, NULL);
	m->rc[2] = ioas_map_fixed(m->fd, m->ioas, buf, psz, m->iova);
	m->rc[3] = ioas_unmap(m->fd, m->ioas, m->iova, psz, NULL);
	m->rc[4] = ioas_unmap(m->fd, m->ioas, 0, UINT64_MAX, &m->unmapped);
	m->rc[5] = ioas_copy(m->fd, MAP_FIXED_RW, m->ioas2, m->ioas, m->iova,
			     psz, &dst);
	m->rc[6] = pin(m->fd, m->afd, m->iova, psz, NULL, &id);
	m->rc[7] = access_rw(m->fd, m->afd2, m->iova, 1, &c, 0);
	return NULL;
}

/*
 * A MAP pins and maps without holding the IOAS's IOVA lock: while one
 * stalls on a userfaultfd page, the rest of the IOAS works, and its own
 * area, being built, can be neither unmapped (EBUSY; unmap-all leaves it to
 * the MAP), copied, pinned nor read by an access (ENOENT: not mapped yet).
 * The calls run in a thread of their own, so that one waiting for the MAP
 * fails the test instead of hanging it.
 */
static void test_map_stalled(void)
{
	const uint64_t x = APERTURE;
	struct stalled_map stalled, m, a, m2;
	struct timespec deadline;
	uint32_t ioas, ioas2, hwpt, idev;
	int fd = open_iommufd(), afd, afd2, uffd, done;
	uint64_t dst = x;
	pthread_t t, t2, t3;
	char *trap, c;

	uffd = uffd_trap(&trap);
	if (!ok(uffd >= 0, "a userfaultfd page to stall on")) {
		close(fd);
		return;
	}
	ioas_alloc(fd, &ioas);
	ioas_alloc(fd, &ioas2);
	mock_domain(fd, ioas, NULL, &hwpt, &idev);
	create_access(fd, ioas, PIN, &afd);
	create_access(fd, ioas, 0, &afd2);

	stalled = (struct stalled_map){ .fd = fd, .ioas = ioas, .iova = x,
					.uptr = trap, .rc = { -1 } };
	pthread_create(&t, NULL, stalled_map_thread, &stalled);
	ok(uffd_stalled(uffd), "a MAP stalls pinning a userfaultfd page");

	m = (struct stalled_map){ .fd = fd, .ioas = ioas, .ioas2 = ioas2,
				  .iova = x, .afd = afd, .afd2 = afd2,
				  .rc = { -1, -1, -1, -1, -1, -1, -1, -1 } };
	pthread_create(&t2, NULL, meanwhile_thread, &m);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	done = pthread_timedjoin_np(t2, NULL, &deadline) == 0;
	ok(done, "meanwhile the IOAS answers every call");
	ok(stalled.rc[0] == -1, "while the MAP is still stalled");
	if (!done) {
		uffd_release(uffd, trap);
		pthread_join(t2, NULL);
	}
	ok_errno(m.rc[0], 0, "another MAP on the IOAS goes through");
	ok_errno(m.rc[1], 0, "and its UNMAP");
	ok_errno(m.rc[2], EEXIST, "the stalled MAP's IOVA is taken: EEXIST");
	ok_errno(m.rc[3], EBUSY, "UNMAP of its area: EBUSY");
	ok_errno(m.rc[4], 0, "unmap-all succeeds, as always");
	ok(m.unmapped == 0, "leaving the area being built to its MAP (%llu)",
	   (unsigned long long)m.unmapped);
	ok_errno(m.rc[5], ENOENT, "COPY from it: ENOENT");
	ok_errno(m.rc[6], ENOENT, "ACCESS_PAGES of it: ENOENT");
	ok_errno(m.rc[7], ENOENT, "ACCESS_RW of it: ENOENT");

	/*
	 * A new domain waits for the stalled MAP, whose area it must load;
	 * MAPs after it must not queue behind it, so behind the stall
	 */
	a = (struct stalled_map){ .fd = fd, .ioas = ioas, .idev = idev,
				  .rc = { -1 } };
	pthread_create(&t3, NULL, hwpt_alloc_thread, &a);
	while (!__atomic_load_n(&a.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	ok(thread_blocked(a.tid), "HWPT_ALLOC of a new domain waits");
	m2 = (struct stalled_map){ .fd = fd, .ioas = ioas, .iova = x + 32 * psz,
				   .rc = { -1, -1 } };
	pthread_create(&t2, NULL, map_unmap_thread, &m2);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	done = pthread_timedjoin_np(t2, NULL, &deadline) == 0;
	ok(done && !m2.rc[0] && !m2.rc[1],
	   "a MAP and UNMAP after it still go through");
	ok(a.rc[0] == -1 && stalled.rc[0] == -1,
	   "while the HWPT_ALLOC waits, and the MAP stalls");

	uffd_release(uffd, trap);
	pthread_join(t, NULL);
	if (!done)
		pthread_join(t2, NULL);
	pthread_join(t3, NULL);
	ok_errno(stalled.rc[0], 0, "released, the MAP completes");
	ok_errno(check_map(fd, hwpt, x, psz, trap), 0,
		 "its page is in the domain");
	ok_errno(a.rc[0], 0, "and the HWPT_ALLOC after it");
	ok_errno(check_map(fd, a.hwpt, x, psz, trap), 0,
		 "the new domain has the page too");
	ok_errno(destroy(fd, a.hwpt), 0, "(destroyed)");
	ok_errno(ioas_copy(fd, MAP_FIXED_RW, ioas2, ioas, x, psz, &dst), 0,
		 "now COPY works");
	ok_errno(access_rw(fd, afd2, x, 1, &c, 0), 0, "and ACCESS_RW");
	ok_errno(ioas_unmap(fd, ioas, x, psz, NULL), 0, "and UNMAP");
	ok_errno(ioas_unmap(fd, ioas2, x, psz, NULL), 0,
		 "(and of the copy)");
	ok_errno(check_refs(fd, trap, psz, 0), 0, "nothing stays pinned");
	close(afd);
	close(afd2);
	close(uffd);
	munmap(trap, psz);
	close(fd);
}

struct churn {
	int fd;
	uint32_t ioas, idev;
	uint64_t iova;
	int stop, rc;
	long rounds;
	double secs;
};

/* MAP and UNMAP one page, over and over, until told to stop */
static void *churn_thread(void *arg)
{
	struct churn *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		c->rc = ioas_map_fixed(c->fd, c->ioas, buf, psz, c->iova);
		if (!c->rc)
			c->rc = ioas_unmap(c->fd, c->ioas, c->iova, psz, NULL);
		if (c->rc)
			break;
		c->rounds++;
	}
	return NULL;
}

/* New domains for the IOAS, one after the other, timed */
static void *alloc_loop_thread(void *arg)
{
	struct churn *c = arg;
	struct timespec t0, t1;
	uint32_t id;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 5 && !c->rc; i++) {
		c->rc = hwpt_alloc_flags(c->fd, c->idev, c->ioas, 0, &id);
		if (!c->rc)
			c->rc = destroy(c->fd, id);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return NULL;
}

/*
 * Changing the domains waits until no MAP or UNMAP is loading: with
 * threads mapping and unmapping back to back, that moment must still
 * come (loaders give a waiting change their turn)
 */
static void test_domains_under_churn(void)
{
	struct churn c[3], a;
	struct timespec deadline;
	uint32_t ioas, hwpt, idev;
	int fd = open_iommufd(), i, done, bad = 0;
	pthread_t t[3], ta;
	long rounds = 0;

	ioas_alloc(fd, &ioas);
	mock_domain(fd, ioas, NULL, &hwpt, &idev);
	for (i = 0; i < 3; i++) {
		c[i] = (struct churn){ .fd = fd, .ioas = ioas,
				       .iova = APERTURE + i * 0x100000 };
		pthread_create(&t[i], NULL, churn_thread, &c[i]);
	}
	usleep(200000);
	a = (struct churn){ .fd = fd, .ioas = ioas, .idev = idev };
	pthread_create(&ta, NULL, alloc_loop_thread, &a);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 30;
	done = pthread_timedjoin_np(ta, NULL, &deadline) == 0;
	for (i = 0; i < 3; i++)
		__atomic_store_n(&c[i].stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		bad += !!c[i].rc;
		rounds += c[i].rounds;
	}
	if (!done)
		pthread_join(ta, NULL);
	ok(done && !a.rc,
	   "5 HWPT_ALLOC + DESTROY while 3 threads MAP and UNMAP back to back: done in %.1f s",
	   a.secs);
	ok(!bad && rounds > 0, "and every MAP and UNMAP of theirs succeeded (%ld rounds)",
	   rounds);
	close(fd);
}

/* MOCK_FLAGS_ACCESS_SYZ: the IOVA is {u32 area number, u32 offset} */
static void test_syz(void)
{
	const uint64_t x = APERTURE;
	int fd = open_iommufd(), afd;
	uint32_t ioas, id;
	char c = 0;

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, psz, x);
	ioas_map_fixed(fd, ioas, buf + 2 * psz, 2 * psz, x + 0x10000);
	create_access(fd, ioas, PIN, &afd);
	ok_errno(access_rw(fd, afd, 1 | (uint64_t)(psz + 7) << 32, 1, &c,
			   MOCK_FLAGS_ACCESS_SYZ),
		 0, "ACCESS_RW of area 1, offset PAGE_SIZE + 7");
	ok(c == buf[3 * psz + 7], "reads that byte");
	ok_errno(access_pages(fd, afd, MOCK_FLAGS_ACCESS_SYZ,
			      1 | (uint64_t)psz << 32, psz, buf + 3 * psz,
			      &id),
		 0, "ACCESS_PAGES of area 1, offset PAGE_SIZE: that page");
	ok_errno(destroy_access_pages(fd, afd, id), 0,
		 "the item has the converted IOVA");
	ok_errno(access_rw(fd, afd, 2, 1, &c, MOCK_FLAGS_ACCESS_SYZ), ENOENT,
		 "area 2 does not exist: IOVA 0, ENOENT");
	close(afd);
	close(fd);
}

/*
 * ACCESS_RW of lengths 1..63 at every start that touches the byte at
 * mem[boundary] or its neighbour, written and read back against memory.
 * Returns the number of wrong results.
 */
static int rw_sweep(int fd, int afd, uint64_t iova, char *mem,
		    long boundary, uint32_t flags)
{
	char data[80], out[80];
	int bad = 0, len, i;
	long start;

	for (len = 1; len < 64; len++) {
		for (start = boundary - len - 1; start <= boundary + 1;
		     start++) {
			memset(mem + boundary - 80, 0x5a, 160);
			for (i = 0; i < len; i++)
				data[i] = len * 31 + i + 1;
			bad += !!access_rw(fd, afd, iova + start, len, data,
					   flags | WRITE);
			bad += !!memcmp(mem + start, data, len);
			bad += mem[start - 1] != 0x5a ||
			       mem[start + len] != 0x5a;

			for (i = -80; i < 80; i++)
				mem[boundary + i] = i * 13 + len;
			memset(out, 0xee, sizeof(out));
			bad += !!access_rw(fd, afd, iova + start, len, out,
					   flags);
			bad += !!memcmp(out, mem + start, len);
			bad += (unsigned char)out[len] != 0xee;
		}
	}
	return bad;
}

static void test_rw(void)
{
	const uint64_t x = APERTURE + 0x100000, y = APERTURE + 0x200000;
	uint32_t ioas, stdev, id;
	int fd = open_iommufd(), afd, pafd, bad;
	void *bogus = (void *)(1ul << 31);
	char c[8] = {};
	static const char *const path[] = { "fast", "slow" };
	uint32_t paths[] = { 0, SLOW };
	int p;

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, 2 * psz, x);			/* A */
	ioas_map_fixed(fd, ioas, buf + 2 * psz, 2 * psz, x + 2 * psz); /* B */
	/* IOVA half a page off the memory */
	ioas_map_fixed(fd, ioas, buf + 4 * psz, 4 * psz, y + psz / 2);
	create_access(fd, ioas, 0, &afd);

	ok_errno(access_rw(fd, 9999, x, MAX_LENGTH + 1, c, 0), ENOMEM,
		 "ACCESS_RW over 16 MiB: ENOMEM, checked first");
	ok_errno(access_rw(fd, 9999, x, 1, c, 1 << 1), EOPNOTSUPP,
		 "an unknown flag: EOPNOTSUPP, before the fd");
	ok_errno(access_rw(fd, afd, x, 0, c, 0), EINVAL, "length 0: EINVAL");
	ok_errno(access_rw(fd, afd, UINT64_MAX - 3, 8, c, 0), EOVERFLOW,
		 "a range that wraps: EOVERFLOW");
	ok_errno(access_rw(fd, afd, x - 1, 2, c, 0), ENOENT,
		 "a range starting before the area: ENOENT");
	ok_errno(access_rw(fd, afd, y + psz / 2 - 1, 1, c, WRITE), ENOENT,
		 "unmapped IOVA: ENOENT");
	ok_errno(access_rw(fd, afd, x + 4 * psz - 1, 2, c, SLOW), ENOENT,
		 "a range running past the areas: ENOENT");
	ok_errno(access_rw(fd, afd, x, 1, NULL, 0), EFAULT,
		 "reading into a bad user buffer: EFAULT");
	ok_errno(access_rw(fd, afd, x, 1, NULL, WRITE), EFAULT,
		 "writing from a bad user buffer: EFAULT");

	ioas_map(fd, ioas, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		 buf, psz, (uint64_t[]){ APERTURE + 0x300000 });
	ok_errno(access_rw(fd, afd, APERTURE + 0x300000, 1, c, WRITE), EPERM,
		 "writing a read-only area: EPERM");
	ok_errno(access_rw(fd, afd, APERTURE + 0x300000, 1, c, 0), 0,
		 "reading it: fine");
	ioas_map(fd, ioas, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE,
		 buf, psz, (uint64_t[]){ APERTURE + 0x400000 });
	ok_errno(access_rw(fd, afd, APERTURE + 0x400000, 1, c, SLOW), EPERM,
		 "reading a write-only area: EPERM");
	ok_errno(access_rw(fd, afd, APERTURE + 0x400000, 1, c, WRITE), 0,
		 "writing it: fine");
	ok_errno(ioas_map_fixed(fd, ioas, bogus, psz, APERTURE + 0x500000), 0,
		 "an area of memory that is not there (no domain: lazy)");
	ok_errno(access_rw(fd, afd, APERTURE + 0x500000, 1, c, 0), EFAULT,
		 "reading unmapped memory: EFAULT");
	ok_errno(access_rw(fd, afd, APERTURE + 0x500000, 1, c, SLOW), EFAULT,
		 "(slow path) EFAULT");
	ok_errno(access_rw(fd, afd, APERTURE + 0x500000, 1, c, WRITE | SLOW),
		 EFAULT, "(slow path, write) EFAULT");

	for (p = 0; p < 2; p++) {
		bad = rw_sweep(fd, afd, x, buf, psz, paths[p]);
		ok(!bad, "%s path: lengths 1-63 at every offset around a page "
		   "boundary (%d wrong)", path[p], bad);
		bad = rw_sweep(fd, afd, x, buf, 2 * psz, paths[p]);
		ok(!bad, "%s path: the same across two areas (%d wrong)",
		   path[p], bad);
		bad = rw_sweep(fd, afd, y + psz / 2, buf + 4 * psz, psz,
			       paths[p]);
		ok(!bad, "%s path: IOVA half a page off the memory, around a "
		   "memory page boundary (%d wrong)", path[p], bad);
		bad = rw_sweep(fd, afd, y + psz / 2, buf + 4 * psz, psz / 2,
			       paths[p]);
		ok(!bad, "%s path: and around an IOVA page boundary (%d wrong)",
		   path[p], bad);
	}

	ioas_unmap(fd, ioas, APERTURE + 0x500000, psz, NULL);
	ok_errno(mock_domain(fd, ioas, &stdev, NULL, NULL), 0,
		 "a domain holds the pages now");
	bad = rw_sweep(fd, afd, x, buf, 2 * psz, SLOW);
	bad += rw_sweep(fd, afd, y + psz / 2, buf + 4 * psz, psz, SLOW);
	ok(!bad, "slow path through the domain's pins (%d wrong)", bad);
	destroy(fd, stdev);
	close(afd);
	close(fd);

	/* The same through an access's own pins */
	fd = open_iommufd();
	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, 2 * psz, x);
	ioas_map_fixed(fd, ioas, buf + 2 * psz, 2 * psz, x + 2 * psz);
	create_access(fd, ioas, PIN, &pafd);
	ok_errno(pin(fd, pafd, x, 4 * psz, buf, &id), 0, "an access pin");
	bad = rw_sweep(fd, pafd, x, buf, 2 * psz, SLOW);
	bad += rw_sweep(fd, pafd, x, buf, psz, SLOW);
	ok(!bad, "slow path through the access's pins, by that access "
	   "(%d wrong)", bad);
	close(pafd);
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "nothing pinned");
	close(fd);
}

/* A child copies through an access: remote pins of the parent's memory */
static void test_rw_fork(void)
{
	const uint64_t x = APERTURE;
	int fd = open_iommufd(), afd, go[2], status, i;
	uint32_t ioas;
	char *pbuf, c = 0, out[100], w[100];
	pid_t pid;

	pbuf = mmap(NULL, 4 * psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(pbuf, 'P', 4 * psz);
	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, pbuf, 4 * psz, x);
	create_access(fd, ioas, 0, &afd);
	if (pipe(go))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		/* Private memory: after the parent writes, copies differ */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (i = 0; i < 2; i++) {
			memset(out, 0, sizeof(out));
			if (access_rw(fd, afd, x + psz - 50, sizeof(out), out,
				      i ? SLOW : 0))
				_exit(10 + i);
			if (memchr(out, 'P', sizeof(out)) ||
			    out[0] != 'Q' || out[99] != 'Q')
				_exit(20 + i);
			memset(w, i ? 'V' : 'W', sizeof(w));
			if (access_rw(fd, afd, x + 2 * psz - 50 + i * 100,
				      sizeof(w), w, WRITE | (i ? SLOW : 0)))
				_exit(30 + i);
		}
		if (pbuf[psz] != 'P' || pbuf[2 * psz] != 'P')
			_exit(40);
		_exit(0);
	}
	memset(pbuf, 'Q', 4 * psz);
	if (write(go[1], &c, 1) != 1)
		tap_bail("write");
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a child reads and writes the parent's private memory through the "
	   "access, fast and slow path (status %d)", WEXITSTATUS(status));
	ok(pbuf[2 * psz - 51] == 'Q' && pbuf[2 * psz - 50] == 'W' &&
	   pbuf[2 * psz + 49] == 'W' && pbuf[2 * psz + 50] == 'V' &&
	   pbuf[2 * psz + 149] == 'V' && pbuf[2 * psz + 150] == 'Q',
	   "the parent sees exactly the child's writes");
	close(afd);
	close(fd);
	close(go[0]);
	close(go[1]);
	munmap(pbuf, 4 * psz);
}

static void test_replace(void)
{
	const uint64_t x = APERTURE;
	uint32_t a, b, cc, d, hwpt, stdev, id;
	int fd = open_iommufd(), afd;

	ioas_alloc(fd, &a);
	ioas_alloc(fd, &b);
	ioas_alloc(fd, &cc);
	ioas_alloc(fd, &d);
	ioas_map_fixed(fd, a, buf, 8 * psz, x);
	ioas_map_fixed(fd, b, buf + 8 * psz, 8 * psz, x);
	ioas_map_fixed(fd, cc, buf, psz / 2, x);	/* not page aligned */
	mock_domain(fd, d, &stdev, &hwpt, NULL);
	create_access(fd, a, PIN, &afd);
	pin(fd, afd, x, 2 * psz, buf, &id);

	ok_errno(access_replace_ioas(fd, afd, 999), ENOENT,
		 "ACCESS_REPLACE_IOAS to an unknown ID: ENOENT");
	ok_errno(access_replace_ioas(fd, afd, hwpt), ENOENT,
		 "to a HW page table: ENOENT");
	ok_errno(access_replace_ioas(fd, afd, a), 0, "to its own IOAS: 0");
	ok_errno(refs(fd, 0, 2, 1), 0, "which kept its pins");
	ok_errno(access_replace_ioas(fd, afd, cc), EADDRINUSE,
		 "to an IOAS with a half-page area: EADDRINUSE");
	ok(alignment(fd, cc) == 1, "which kept its alignment");
	ok_errno(refs(fd, 0, 2, 1), 0, "the access kept its pins");
	ok_errno(destroy(fd, cc), 0, "and did not stay on that IOAS");
	ok_errno(destroy(fd, a), EBUSY, "the access holds A");
	ok_errno(access_replace_ioas(fd, afd, b), 0, "move to B");
	ok_errno(refs(fd, 0, 8, 0), 0, "the pins in A were dropped");
	ok_errno(destroy_access_pages(fd, afd, id), ENOENT,
		 "and the item forgotten");
	ok_errno(destroy(fd, a), 0, "A is free");
	ok_errno(destroy(fd, b), EBUSY, "B is held");
	ok(alignment(fd, b) == (uint64_t)psz, "with the alignment raised");
	ok_errno(pin(fd, afd, x, 2 * psz, buf + 8 * psz, &id), 0,
		 "pins now go to B's memory");
	ok_errno(refs(fd, 8, 2, 1), 0, "pinned");
	close(afd);
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "closing unpinned");
	ok_errno(destroy(fd, b), 0, "B is free");
	ok_errno(access_replace_ioas(fd, afd, d), EBADFD,
		 "the closed fd: EBADFD");
	close(fd);
}

/* The access holds its context: the iommufd may be closed first */
static void test_close_order(void)
{
	long alive = objects_alive();
	const uint64_t x = APERTURE;
	int fd = open_iommufd(), fd2, afd;
	uint32_t ioas, id;
	char out[16];

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, x);
	create_access(fd, ioas, PIN, &afd);
	pin(fd, afd, x, NPAGES * psz, buf, &id);
	close(fd);
	ok(objects_alive() == alive + 2,
	   "closing the iommufd first: its IOAS and access live on");
	fd2 = open_iommufd();
	ok_errno(refs(fd2, 0, NPAGES, 1), 0, "the pins stay");
	ok_errno(pin(fd2, afd, x, psz, buf, &id), 0,
		 "ACCESS_PAGES through another iommufd on the access fd");
	ok(id == 1, "(item 1)");
	ok_errno(access_rw(fd2, afd, x + 5, sizeof(out), out, SLOW), 0,
		 "ACCESS_RW too");
	ok(!memcmp(out, buf + 5, sizeof(out)), "right data");
	close(afd);
	ok_errno(refs(fd2, 0, NPAGES, 0), 0,
		 "closing the access fd unpinned everything");
	ok(objects_alive() == alive,
	   "and released the context with its objects (%ld)",
	   objects_alive());
	close(fd2);
}

/* Pin accounting of an unprivileged user with accesses */
static int child_accounting(int fd, int mm_mode)
{
	struct rlimit rl = { 4 * psz, 4 * psz };
	const uint64_t x = APERTURE;
	uint32_t ioas, id, stdev;
	int afd;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return 100;
	if (ioas_alloc(fd, &ioas) ||
	    ioas_map_fixed(fd, ioas, buf, 8 * psz, x) ||
	    create_access(fd, ioas, PIN, &afd))
		return 101;
	if (pin(fd, afd, x, 8 * psz, NULL, &id) != ENOMEM)
		return 102;	/* 8 pages over a 4-page limit */
	if (vmpin() != 0 || refs(fd, 0, 8, 0))
		return 103;
	if (pin(fd, afd, x, 4 * psz, NULL, &id))
		return 104;	/* 4 fit */
	if (pin(fd, afd, x + 4 * psz, psz, NULL, &id) != ENOMEM)
		return 105;	/* a fifth does not */
	if (pin(fd, afd, x, 4 * psz, NULL, &id) ||
	    pin(fd, afd, x + psz, 2 * psz, NULL, &id))
		return 106;	/* pinned pages are charged once */
	if (vmpin() != 4 * psz / 1024)
		return 107;
	if (mm_mode ? vmlck() != 4 * psz / 1024 : vmlck() != 0)
		return 108;
	if (mock_domain(fd, ioas, &stdev, NULL, NULL) != ENOMEM)
		return 109;	/* the domain needs pages 4-7 charged too */
	if (vmpin() != 4 * psz / 1024)
		return 110;
	if (ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL))
		return 111;	/* the callback unpins */
	if (vmpin() != 0 || vmlck() != 0)
		return 112;
	if (ioas_map_fixed(fd, ioas, buf, 4 * psz, x) ||
	    pin(fd, afd, x, 4 * psz, NULL, &id))
		return 113;	/* everything was uncharged */
	close(afd);
	if (vmpin() != 0)
		return 114;
	return 0;
}

static void test_accounting(int mm_mode)
{
	int fd = open_iommufd(), status;
	uint64_t val = mm_mode;

	option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &val);
	status = in_child(child_accounting, fd, mm_mode);
	ok(status == 0,
	   "%s mode: access pins of an unprivileged user are held to "
	   "RLIMIT_MEMLOCK and charged once (child status %d)",
	   mm_mode ? "mm" : "user", status);
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "nothing left pinned");
	close(fd);
}

struct race {
	int fd;
	int afd;
	uint32_t ioas;
	volatile int stop;
	int bad;
	int pins;
	int deadlocks;
	unsigned int seed;
};

static void *race_pinner(void *arg)
{
	struct race *r = arg;
	uint32_t id;
	int rc, i, n;

	while (!r->stop) {
		i = rand_r(&r->seed) % NPAGES;
		n = 1 + rand_r(&r->seed) % (NPAGES - i);
		rc = pin(r->fd, r->afd, APERTURE + i * psz, n * psz,
			 buf + i * psz, &id);
		if (rc && rc != ENOENT && rc != EINVAL)
			__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
		if (rc)
			continue;
		__atomic_fetch_add(&r->pins, 1, __ATOMIC_RELAXED);
		rc = destroy_access_pages(r->fd, r->afd, id);
		if (rc && rc != ENOENT)
			__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *race_reader(void *arg)
{
	struct race *r = arg;
	char out[64];
	int rc;

	while (!r->stop) {
		rc = access_rw(r->fd, r->afd,
			       APERTURE + rand_r(&r->seed) % (NPAGES * psz - 64),
			       sizeof(out), out, rand_r(&r->seed) % 2 ? SLOW : 0);
		if (rc && rc != ENOENT && rc != EINVAL)
			__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Pins, unpins and copies through three accesses while the area is
 * unmapped and mapped again, whole or in two pieces: unmaps always
 * succeed (the test access records its pins under the lock its callback
 * takes, so a callback never misses one and EDEADLOCK cannot happen) and
 * nothing stays pinned.
 */
static void test_race(void)
{
	struct race r[3];
	pthread_t t[3];
	uint32_t ioas;
	int fd = open_iommufd(), i, bad = 0, unmaps = 0, pins = 0;
	uint64_t unmapped;

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, APERTURE);
	for (i = 0; i < 3; i++) {
		r[i] = (struct race){ .fd = fd, .ioas = ioas, .seed = i + 1 };
		create_access(fd, ioas, i < 2 ? PIN : 0, &r[i].afd);
		pthread_create(&t[i], NULL, i < 2 ? race_pinner : race_reader,
			       &r[i]);
	}
	for (i = 0; i < 300; i++) {
		int rc = ioas_unmap(fd, ioas, APERTURE, NPAGES * psz,
				    &unmapped);

		if (rc == EDEADLOCK)
			r[0].deadlocks++;
		bad += rc || unmapped != (uint64_t)NPAGES * psz;
		unmaps++;
		if (i % 2)
			rc = ioas_map_fixed(fd, ioas, buf, NPAGES * psz,
					    APERTURE);
		else
			rc = ioas_map_fixed(fd, ioas, buf, 4 * psz,
					    APERTURE) ||
			     ioas_map_fixed(fd, ioas, buf + 4 * psz,
					    (NPAGES - 4) * psz,
					    APERTURE + 4 * psz);
		bad += !!rc;
		usleep(i % 10 ? 0 : 1000);
	}
	for (i = 0; i < 3; i++)
		r[i].stop = 1;
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		bad += r[i].bad;
		pins += r[i].pins;
	}
	ok(!bad && !r[0].deadlocks,
	   "%d unmaps raced %d pins and many copies: no unexpected result "
	   "(%d bad, %d EDEADLOCK)", unmaps, pins, bad, r[0].deadlocks);
	ok(pins > 0, "(pins did succeed in between)");
	for (i = 0; i < 3; i++)
		close(r[i].afd);
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "nothing stays pinned");
	close(fd);
}

static void test_fail_nth(void)
{
	uint32_t ioas, ioas2, b, id = 0;
	const uint64_t x = APERTURE;
	int fd = open_iommufd(), afd = -1, n, rc = 0, bad = 0, j, probe;
	uint64_t iova2;
	long alive, pinned;
	char data[3 * 4096 + 20], out[sizeof(data)];

	ioas_alloc(fd, &ioas);
	ioas_map_fixed(fd, ioas, buf, NPAGES * psz, x);
	alive = objects_alive();
	probe = open("/dev/null", O_RDONLY);
	close(probe);
	for (n = 1; n < 100; n++) {
		module_param_write("fail_nth", n);
		rc = create_access(fd, ioas, PIN, &afd);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += objects_alive() != alive;
		bad += alignment(fd, ioas) != 1;
		j = open("/dev/null", O_RDONLY);
		bad += j != probe;	/* no fd was left open */
		close(j);
	}
	ok(!rc && !bad && n > 5, "CREATE_ACCESS fails cleanly at each of its "
	   "%d failure points", n - 1);

	/* Pins without domains, over a range an access pins partly */
	pin(fd, afd, x, 4 * psz, NULL, &id);
	pinned = vmpin();
	for (n = 1; n < 200; n++) {
		module_param_write("fail_nth", n);
		rc = pin(fd, afd, x + 2 * psz, 8 * psz, buf + 2 * psz, &id);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += refs(fd, 0, 4, 1) != 0 || refs(fd, 4, 12, 0) != 0;
		bad += vmpin() != pinned || objects_alive() != alive + 1;
	}
	ok(!rc && !bad && n > 5, "ACCESS_PAGES fails cleanly at each of its %d "
	   "failure points: pins, VmPin, objects unchanged", n - 1);
	ok_errno(refs(fd, 0, 10, 1), 0, "then it pins");

	/*
	 * With domains: every other page is held by a domain of a second
	 * IOAS (a COPY shares the pages), the first four by the access
	 */
	ioas_alloc(fd, &ioas2);
	for (j = 0; j < NPAGES; j += 2) {
		iova2 = x + j * psz;
		ioas_copy(fd, MAP_FIXED_RW, ioas2, ioas, x + j * psz, psz,
			  &iova2);
	}
	mock_domain(fd, ioas2, NULL, NULL, NULL);
	destroy_access_pages(fd, afd, id);
	pinned = vmpin();
	alive = objects_alive();
	for (n = 1; n < 300; n++) {
		module_param_write("fail_nth", n);
		rc = pin(fd, afd, x + psz, 12 * psz, buf + psz, &id);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		for (j = 0; j < NPAGES; j++)
			bad += refs(fd, j, 1, j < 4 || !(j % 2)) != 0;
		bad += vmpin() != pinned || objects_alive() != alive;
	}
	ok(!rc && !bad && n > 5, "ACCESS_PAGES over domain-held, access-held "
	   "and free pages fails cleanly at each of its %d failure points",
	   n - 1);
	ok_errno(refs(fd, 0, 13, 1) || refs(fd, 14, 1, 1) ||
			 refs(fd, 13, 1, 0) || refs(fd, 15, 1, 0),
		 0, "then it pins");

	/* Copies on the slow path: short-term pins and the buffer */
	for (j = 0; j < (int)sizeof(data); j++)
		data[j] = j * 3 + 1;
	pinned = vmpin();
	for (n = 1; n < 100; n++) {
		memset(out, 0, sizeof(out));
		module_param_write("fail_nth", n);
		rc = access_rw(fd, afd, x + 12 * psz - 10, sizeof(data), data,
			       WRITE | SLOW);
		if (!rc)
			rc = access_rw(fd, afd, x + 12 * psz - 10, sizeof(out),
				       out, SLOW);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += vmpin() != pinned || objects_alive() != alive;
		bad += refs(fd, 13, 1, 0) != 0 || refs(fd, 15, 1, 0) != 0;
	}
	ok(!rc && !bad && n > 3, "ACCESS_RW (slow path) fails cleanly at each "
	   "of its %d failure points", n - 1);
	ok(!memcmp(out, data, sizeof(data)), "then copies right");

	/* A failed move leaves the access where it was, pins and all */
	ioas_alloc(fd, &b);
	ioas_map_fixed(fd, b, buf, psz, x);
	alive = objects_alive();
	for (n = 1; n < 100; n++) {
		module_param_write("fail_nth", n);
		rc = access_replace_ioas(fd, afd, b);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += refs(fd, 0, 13, 1) != 0 || objects_alive() != alive;
		bad += alignment(fd, b) != 1;
	}
	ok(!rc && !bad && n > 2, "ACCESS_REPLACE_IOAS fails cleanly at each "
	   "of its %d failure points", n - 1);
	ok_errno(refs(fd, 1, 1, 0) || refs(fd, 3, 1, 0) || refs(fd, 0, 1, 1), 0,
		 "then it moves, dropping the pins (the domain keeps its own)");
	close(afd);
	close(fd);
	fd = open_iommufd();
	ok_errno(refs(fd, 0, NPAGES, 0), 0, "all unpinned at the end");
	close(fd);
}

int main(void)
{
	long alive;

	buf = test_build_buffer(NPAGES, &psz);
	alive = objects_alive();

	test_create();
	test_ebadfd();
	test_pin_errors();
	test_refs();
	test_fork_domain();
	test_unmap_callback();
	test_prevent();
	test_unattached();
	test_rw();
	test_kthread();
	test_edeadlock();
	test_unmap_mark_moves();
	test_map_stalled();
	test_domains_under_churn();
	test_syz();
	test_rw_fork();
	test_replace();
	test_close_order();
	test_accounting(0);
	test_accounting(1);
	test_race();
	test_fail_nth();
	ok(objects_alive() == alive, "no object left (%ld)", objects_alive());
	return tap_done();
}
