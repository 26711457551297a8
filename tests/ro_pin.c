// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read-only pins keep the device and the CPU on the same page (objects.md
 * §8; test build only). A MAP without WRITEABLE pins pages for reading;
 * when the process writes such a page afterwards, the page its page table
 * then maps must still be the one the domain maps (MD_CHECK_MAP), whatever
 * the page was at pin time: the shared zero page of untouched anonymous
 * memory, a page shared with a child since fork(), a page cache page of a
 * private file mapping (also one mapped PROT_READ and made writable later),
 * or a shared mapping's page (no COW at all). Pinned locally, or remotely
 * by another process; and each page stays pinned exactly once.
 *
 * 6.2 and later kernels break COW when they pin such a page long-term for
 * reading; on 6.1 the module does it itself (compat.h).
 */
#include <sys/wait.h>

#include "utils.h"

#define NPAGES 4
#define APERTURE 0x1000000ull

static long psz;
/* Shared with the children: the HW page table a child attached to */
static uint32_t *child_hwpt;

enum kind {
	ANON_ZERO,	/* private anonymous, never touched: the zero page */
	ANON_FORKED,	/* private anonymous, written, then shared by fork() */
	FILE_PRIVATE,	/* private mapping of a file, never written */
	FILE_PRIVATE_RO, /* the same, PROT_READ, made writable after the pin */
	FILE_SHARED,	/* shared mapping of a file: writes go to the page */
};

static const char *const kind_names[] = {
	"private anonymous memory never touched (zero page)",
	"private anonymous memory shared with a child since fork()",
	"a private file mapping never written (page cache)",
	"a PROT_READ private file mapping, made writable afterwards",
	"a shared file mapping",
};

/* NPAGES pages of @kind; *child the forked child to reap, or 0 */
static char *make_memory(enum kind kind, pid_t *child)
{
	int prot = PROT_READ | PROT_WRITE, fd = -1, flags = MAP_PRIVATE;
	char *p, data[64];
	int i;

	*child = 0;
	if (kind >= FILE_PRIVATE) {
		fd = memfd_create("ro_pin", 0);
		if (fd < 0 || ftruncate(fd, NPAGES * psz))
			tap_bail("memfd");
		for (i = 0; i != NPAGES; i++) {
			memset(data, 'a' + i, sizeof(data));
			if (pwrite(fd, data, sizeof(data), i * psz) !=
			    sizeof(data))
				tap_bail("pwrite");
		}
		if (kind == FILE_PRIVATE_RO)
			prot = PROT_READ;
		if (kind == FILE_SHARED)
			flags = MAP_SHARED;
	} else {
		flags |= MAP_ANONYMOUS;
	}
	p = mmap(NULL, NPAGES * psz, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap");
	if (fd >= 0)
		close(fd);
	if (kind == ANON_FORKED) {
		memset(p, 'x', NPAGES * psz);
		*child = fork();
		if (*child < 0)
			tap_bail("fork");
		if (*child == 0) {
			/* Keeps the pages shared until killed */
			pause();
			_exit(0);
		}
	}
	return p;
}

/* The process writes every page of @p */
static void cpu_write(char *p, enum kind kind)
{
	int i;

	if (kind == FILE_PRIVATE_RO &&
	    mprotect(p, NPAGES * psz, PROT_READ | PROT_WRITE))
		tap_bail("mprotect");
	for (i = 0; i != NPAGES; i++)
		p[i * psz + 1] = 'W';
}

static void reap(pid_t child)
{
	if (!child)
		return;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* Local pins: the mapping process attaches and pins */
static void test_local(enum kind kind)
{
	const char *what = kind_names[kind];
	uint32_t ioas, stdev = 0, hwpt = 0;
	pid_t child;
	char *p = make_memory(kind, &child);
	int fd = open_iommufd();

	if (ioas_alloc(fd, &ioas) || mock_domain(fd, ioas, &stdev, &hwpt, NULL))
		tap_bail("mock domain");
	ok_errno(ioas_map(fd, ioas,
			  IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
			  p, NPAGES * psz, &(uint64_t){ APERTURE }),
		 0, "%s: a read-only MAP", what);
	ok_errno(check_map(fd, hwpt, APERTURE, NPAGES * psz, p), 0,
		 "%s: the domain maps the process's pages", what);
	cpu_write(p, kind);
	ok_errno(check_map(fd, hwpt, APERTURE, NPAGES * psz, p), 0,
		 "%s: the process wrote them; the domain still maps the "
		 "process's pages", what);
	ok(p[1] == 'W' && p[psz + 1] == 'W', "%s: which hold the writes", what);
	ok_errno(check_refs(fd, p, NPAGES * psz, 1), 0, "%s: pinned once",
		 what);
	ok_errno(destroy(fd, stdev), 0, "%s: detach", what);
	ok_errno(check_refs(fd, p, NPAGES * psz, 0), 0, "%s: unpinned", what);
	close(fd);
	reap(child);
	munmap(p, NPAGES * psz);
}

/*
 * A remote pin: the MAP is the parent's, a child attaches the device, so
 * the child pins the parent's pages; then the parent writes.
 */
static int child_attach(int fd, int ioas)
{
	return mock_domain(fd, ioas, NULL, child_hwpt, NULL);
}

static void test_remote(enum kind kind)
{
	const char *what = kind_names[kind];
	uint32_t ioas;
	pid_t child;
	char *p = make_memory(kind, &child);
	int fd = open_iommufd(), status;

	ioas_alloc(fd, &ioas);
	ok_errno(ioas_map(fd, ioas,
			  IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
			  p, NPAGES * psz, &(uint64_t){ APERTURE }),
		 0, "%s, remote: a read-only MAP without domains", what);
	status = in_child(child_attach, fd, ioas);
	ok(status == 0, "%s, remote: another process attaches a mock device, "
	   "pinning the pages remotely (status %d)", what, status);
	cpu_write(p, kind);
	ok_errno(check_map(fd, *child_hwpt, APERTURE, NPAGES * psz, p), 0,
		 "%s, remote: after the mapper's writes the domain maps its "
		 "pages", what);
	close(fd);
	fd = open_iommufd();
	ok_errno(check_refs(fd, p, NPAGES * psz, 0), 0,
		 "%s, remote: close unpinned them", what);
	close(fd);
	reap(child);
	munmap(p, NPAGES * psz);
}

int main(void)
{
	long alive;
	enum kind k;

	if (!is_test_build()) {
		printf("1..0 # SKIP needs the test build\n");
		return 0;
	}
	psz = sysconf(_SC_PAGESIZE);
	child_hwpt = mmap(NULL, psz, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (child_hwpt == MAP_FAILED)
		tap_bail("mmap");
	alive = objects_alive();
	for (k = ANON_ZERO; k <= FILE_SHARED; k++)
		test_local(k);
	test_remote(ANON_ZERO);
	test_remote(FILE_PRIVATE);
	ok(objects_alive() == alive, "no object left (%ld)", objects_alive());
	return tap_done();
}
