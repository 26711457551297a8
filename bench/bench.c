// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench: measurements of the test build in the VM, printed as a table.
 * Nothing here asserts a speed; the figures are for people to compare.
 *
 *  - IOAS_ALLOC + DESTROY pairs per second
 *  - 4 KiB MAP + UNMAP pairs per second with a mock domain attached
 *  - map and unmap of 256 MiB with a domain, 4 KiB pages and 2 MiB pages
 *  - MAP + UNMAP cost with 100 and with 100,000 areas present (fixed IOVA;
 *    the ratio shows whether the hot path scans), and the same with
 *    automatic IOVA allocation: over areas packed from the bottom, over
 *    areas above a 1-page hole that a 2-page MAP cannot use, and with an
 *    allowed list starting at 1 GiB where the areas are packed
 *  - kernel memory (Slab) used to track 1 GiB: the IO page table alone,
 *    and with a domain holding it
 */
#include <linux/iommufd.h>
#include <time.h>

#include "utils.h"

#define APERTURE 0x1000000ull
#define MIB (1024ul * 1024)

static long psz;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long slab_kb(void)
{
	/* Let RCU-freed slab objects go first */
	sync();
	return proc_kb("/proc/meminfo", "Slab");
}

static void row(const char *what, double value, const char *unit)
{
	printf("| %-62s | %12.1f %-8s |\n", what, value, unit);
}

static void *alloc_buf(size_t len, int huge)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE |
			       (huge ? MAP_HUGETLB : 0),
		       -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap %zu MiB%s", len / MIB, huge ? " hugetlb" : "");
	return p;
}

static void bench_alloc_destroy(void)
{
	int fd = open_iommufd(), i, n = 20000;
	double t = now();
	uint32_t id;

	for (i = 0; i < n; i++) {
		ioas_alloc(fd, &id);
		destroy(fd, id);
	}
	row("IOAS_ALLOC + DESTROY pairs", n / (now() - t), "per s");
	close(fd);
}

/* One IOAS with a mock domain, the buffer mapped around it */
static int domain_ioas(uint32_t *ioas)
{
	int fd = open_iommufd();

	ioas_alloc(fd, ioas);
	if (mock_domain(fd, *ioas, NULL, NULL, NULL))
		tap_bail("mock domain");
	return fd;
}

static void bench_map_unmap_4k(char *buf)
{
	uint32_t ioas;
	int fd = domain_ioas(&ioas), i, n = 20000;
	double t = now();

	for (i = 0; i < n; i++) {
		ioas_map_fixed(fd, ioas, buf, psz, APERTURE);
		ioas_unmap(fd, ioas, APERTURE, psz, NULL);
	}
	row("4 KiB MAP + UNMAP pairs, mock domain attached", n / (now() - t),
	    "per s");
	close(fd);
}

static void bench_256m(char *buf, int huge)
{
	uint32_t ioas;
	int fd = domain_ioas(&ioas);
	double t = now(), t2;

	if (ioas_map_fixed(fd, ioas, buf, 256 * MIB, APERTURE))
		tap_bail("map 256 MiB");
	t2 = now();
	ioas_unmap(fd, ioas, APERTURE, 256 * MIB, NULL);
	row(huge ? "map 256 MiB of 2 MiB pages, domain attached" :
		   "map 256 MiB of 4 KiB pages, domain attached",
	    (t2 - t) * 1000, "ms");
	row(huge ? "unmap 256 MiB of 2 MiB pages" :
		   "unmap 256 MiB of 4 KiB pages",
	    (now() - t2) * 1000, "ms");
	close(fd);
}

enum layout {
	FIXED,		/* fixed IOVA, above the areas */
	PACKED,		/* automatic, areas packed from the aperture start */
	HOLE,		/* automatic 2 pages, a 1-page hole below the areas */
	ALLOWED,	/* automatic, allowed list from 1 GiB, areas packed there */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * MAP + UNMAP cost with @present areas already there, in microseconds: the
 * median of up to 125 batches of 16 pairs (fewer if they take more than 10
 * seconds), so that the other load of a shared host counts less
 */
static double cost_with_areas(char *buf, int present, enum layout layout)
{
	struct iommu_iova_range allowed = { 1ull << 30, (2ull << 30) - 1 };
	uint64_t base = APERTURE, iova, probe, len = psz;
	double batch[125], start, t;
	uint32_t ioas;
	int fd = domain_ioas(&ioas), i, n;

	if (layout == HOLE) {
		base += psz;
		len = 2 * psz;
	}
	if (layout == ALLOWED) {
		if (allow_iovas(fd, ioas, &allowed, 1))
			tap_bail("allow_iovas");
		base = allowed.start;
	}
	probe = base + (uint64_t)present * psz + 0x100000;
	for (i = 0; i < present; i++)
		if (ioas_map_fixed(fd, ioas, buf, psz, base + i * psz))
			tap_bail("map area %d", i);
	start = now();
	for (n = 0; n < 125 && (n < 3 || now() - start < 10); n++) {
		t = now();
		for (i = 0; i < 16; i++) {
			iova = probe;
			if (ioas_map(fd, ioas,
				     layout == FIXED ? MAP_FIXED_RW : MAP_RW,
				     buf, len, &iova))
				tap_bail("map");
			ioas_unmap(fd, ioas, iova, len, NULL);
		}
		batch[n] = (now() - t) / 16 * 1e6;
	}
	close(fd);
	qsort(batch, n, sizeof(batch[0]), cmp_double);
	return batch[n / 2];
}

static void scaling_rows(char *buf, enum layout layout, const char *what)
{
	double few = cost_with_areas(buf, 100, layout);
	double many = cost_with_areas(buf, 100000, layout);
	char name[80];

	snprintf(name, sizeof(name), "MAP + UNMAP (%s), 100 areas", what);
	row(name, few, "us");
	snprintf(name, sizeof(name), "MAP + UNMAP (%s), 100,000 areas", what);
	row(name, many, "us");
	row(layout == FIXED ? "  ratio (must stay under 2)" : "  ratio",
	    many / few, "x");
}

static void bench_scaling(char *buf)
{
	scaling_rows(buf, FIXED, "fixed IOVA");
	scaling_rows(buf, PACKED, "automatic IOVA, packed");
	scaling_rows(buf, HOLE, "automatic, 1-page hole below");
	scaling_rows(buf, ALLOWED, "automatic, allowed from 1 GiB");
}

static void bench_memory(void)
{
	char *big = alloc_buf(1024 * MIB, 0);
	uint32_t ioas;
	long before, after;
	int fd = open_iommufd();

	ioas_alloc(fd, &ioas);
	before = slab_kb();
	ioas_map_fixed(fd, ioas, big, 1024 * MIB, APERTURE);
	after = slab_kb();
	row("kernel memory for a 1 GiB MAP, no domain (Slab delta)",
	    after - before, "kB");
	before = after;
	if (mock_domain(fd, ioas, NULL, NULL, NULL))
		tap_bail("mock domain over 1 GiB");
	after = slab_kb();
	row("  plus a mock domain holding it (its own PFN table)",
	    after - before, "kB");
	close(fd);
	munmap(big, 1024 * MIB);
}

int main(void)
{
	char *buf, *hbuf;

	psz = sysconf(_SC_PAGESIZE);
	buf = alloc_buf(256 * MIB, 0);
	hbuf = alloc_buf(256 * MIB, 1);

	printf("| %-62s | %21s |\n", "iommufd.ko benchmark (test build, TCG)",
	       "");
	printf("|%.64s|%.23s|\n", "-----------------------------------------"
	       "------------------------------", "-----------------------");
	bench_alloc_destroy();
	bench_map_unmap_4k(buf);
	bench_256m(buf, 0);
	bench_256m(hbuf, 1);
	bench_scaling(buf);
	munmap(buf, 256 * MIB);
	munmap(hbuf, 256 * MIB);
	bench_memory();
	printf("ok - benchmark completed\n1..1\n");
	return 0;
}
