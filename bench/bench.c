// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench: measurements of the test build in the VM, printed as a table.
 * Nothing here asserts a speed; the figures are for people to compare.
 *
 *  - IOAS_ALLOC + DESTROY pairs per second
 *  - 4 KiB MAP + UNMAP pairs per second with a mock domain attached
 *  - map and unmap of 256 MiB with a domain (4 KiB pages, THP, hugetlb
 *    2 MiB pages) and of 1 GiB (hugetlb 1 GiB pages), each beside its
 *    floor: the same memory pinned and mapped into a mock domain without
 *    any IO page table (IOMMU_TEST_OP_OOT_FLOOR), in alternating rounds
 *  - 4 KiB MAP + UNMAP latency (p50, p99) on one IOAS, alone and while
 *    another thread maps and unmaps 1 GiB on the same IOAS
 *  - MAP + UNMAP cost with 100 and with 100,000 areas present (fixed IOVA;
 *    the ratio shows whether the hot path scans), and the same with
 *    automatic IOVA allocation: over areas packed from the bottom, over
 *    areas above a 1-page hole that a 2-page MAP cannot use, and with an
 *    allowed list starting at 1 GiB where the areas are packed
 *  - kernel memory (Slab) used to track 1 GiB: the IO page table alone,
 *    and with a domain holding it
 */
#include <linux/iommufd.h>
#include <pthread.h>

#include "bench.h"
#include "utils.h"

#define APERTURE 0x1000000ull

static long psz;

static long slab_kb(void)
{
	/* Let RCU-freed slab objects go first */
	sync();
	return proc_kb("/proc/meminfo", "Slab");
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

/* The floor of selftest.c: pin and map @len bytes, unmap and unpin, in ms */
static int floor_once(int fd, char *buf, size_t len, double *map,
		      double *unmap)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_OOT_FLOOR,
		.floor = { .uptr = (uintptr_t)buf, .length = len },
	};

	if (ioctl(fd, IOMMU_TEST_CMD, &cmd))
		return -1;
	*map = cmd.floor.out_map_ns / 1e6;
	*unmap = cmd.floor.out_unmap_ns / 1e6;
	return 0;
}

/*
 * MAP and UNMAP of @len bytes of @kind into an IOAS with a mock domain,
 * and the floor of the same memory, in alternating rounds; medians, their
 * spread, and ours over the floor
 */
static void bench_large(size_t len, enum mem_kind kind)
{
	double map[ROUNDS], unmap[ROUNDS], fmap[ROUNDS], funmap[ROUNDS];
	double t, t2, rmap, runmap;
	char *buf = alloc_kind(len, kind), name[80];
	uint32_t ioas;
	int fd, r;

	if (!buf) {
		printf("| %-62s | %21s |\n", mem_names[kind], "no such memory");
		return;
	}
	for (r = 0; r < ROUNDS; r++) {
		fd = domain_ioas(&ioas);
		/* Which goes first alternates too */
		if (r % 2 && floor_once(fd, buf, len, &fmap[r], &funmap[r]))
			tap_bail("floor of %s", mem_names[kind]);
		t = now();
		if (ioas_map_fixed(fd, ioas, buf, len, APERTURE))
			tap_bail("map %zu MiB of %s", len / MIB, mem_names[kind]);
		t2 = now();
		ioas_unmap(fd, ioas, APERTURE, len, NULL);
		map[r] = (t2 - t) * 1000;
		unmap[r] = (now() - t2) * 1000;
		if (!(r % 2) && floor_once(fd, buf, len, &fmap[r], &funmap[r]))
			tap_bail("floor of %s", mem_names[kind]);
		close(fd);
	}
	sorted(map, ROUNDS);
	sorted(unmap, ROUNDS);
	sorted(fmap, ROUNDS);
	sorted(funmap, ROUNDS);
	rmap = map[ROUNDS / 2] / fmap[ROUNDS / 2];
	runmap = unmap[ROUNDS / 2] / funmap[ROUNDS / 2];
	snprintf(name, sizeof(name), "map %zu MiB of %s, domain attached",
		 len / MIB, mem_names[kind]);
	row_spread(name, map, ROUNDS, "ms");
	snprintf(name, sizeof(name), "unmap %zu MiB of %s", len / MIB,
		 mem_names[kind]);
	row_spread(name, unmap, ROUNDS, "ms");
	row_spread("  floor: pin + map, no IO page table", fmap, ROUNDS, "ms");
	row_spread("  floor: unmap + unpin", funmap, ROUNDS, "ms");
	row("  map / floor", rmap, "x");
	row("  unmap / floor", runmap, "x");
	/* A THP buffer's unaligned head and tail stay mapped: harmless */
	munmap(buf, len);
}

struct big_loop {
	int fd;
	uint32_t ioas;
	char *buf;
	size_t len;
	volatile int stop;
	volatile int rounds;
};

static void *big_loop_fn(void *arg)
{
	struct big_loop *b = arg;
	uint64_t iova = APERTURE;

	while (!b->stop) {
		if (ioas_map_fixed(b->fd, b->ioas, b->buf, b->len, iova))
			tap_bail("concurrent map of %zu MiB", b->len / MIB);
		ioas_unmap(b->fd, b->ioas, iova, b->len, NULL);
		b->rounds++;
	}
	return NULL;
}

/*
 * 4 KiB MAP + UNMAP latencies in us, sorted: @n of them, and more, up to
 * @max, until @b (if looping) has done BIG_ROUNDS rounds meanwhile, so the
 * samples span several large MAPs and UNMAPs. Returns how many.
 */
enum { BIG_ROUNDS = 5 };
static int small_latencies(int fd, uint32_t ioas, char *small, double *lat,
			   int n, int max, struct big_loop *b)
{
	uint64_t iova = 3ull << 29;	/* above a 1 GiB MAP at APERTURE */
	double t;
	int i;

	for (i = 0; i < max && (i < n || (b && b->rounds < BIG_ROUNDS));
	     i++) {
		t = now();
		if (ioas_map_fixed(fd, ioas, small, psz, iova))
			tap_bail("small map");
		ioas_unmap(fd, ioas, iova, psz, NULL);
		lat[i] = (now() - t) * 1e6;
	}
	sorted(lat, i);
	return i;
}

/*
 * 4 KiB MAP + UNMAP latency on one IOAS, alone and while another thread
 * maps and unmaps 1 GiB on the same IOAS
 */
static void bench_concurrent(char *small)
{
	struct big_loop b = { .len = 1024 * MIB };
	enum { N = 2000, MAX = 200000 };
	static double lat[MAX];
	double idle99;
	pthread_t th;
	int n;

	b.buf = alloc_kind(b.len, MEM_HUGE_1G);
	if (!b.buf)
		b.buf = alloc_kind(b.len, MEM_4K);
	b.fd = domain_ioas(&b.ioas);
	n = small_latencies(b.fd, b.ioas, small, lat, N, N, NULL);
	idle99 = lat[n * 99 / 100];
	row("4 KiB MAP + UNMAP latency, p50, IOAS otherwise idle",
	    lat[n / 2], "us");
	row("4 KiB MAP + UNMAP latency, p99, IOAS otherwise idle", idle99,
	    "us");
	row("4 KiB MAP + UNMAP latency, max, IOAS otherwise idle", lat[n - 1],
	    "us");
	if (pthread_create(&th, NULL, big_loop_fn, &b))
		tap_bail("pthread_create");
	n = small_latencies(b.fd, b.ioas, small, lat, N, MAX, &b);
	b.stop = 1;
	pthread_join(th, NULL);
	row("4 KiB MAP + UNMAP latency, p50, 1 GiB MAP/UNMAP looping",
	    lat[n / 2], "us");
	row("4 KiB MAP + UNMAP latency, p99, 1 GiB MAP/UNMAP looping",
	    lat[n * 99 / 100], "us");
	row("4 KiB MAP + UNMAP latency, max, 1 GiB MAP/UNMAP looping",
	    lat[n - 1], "us");
	row("  p99 looping / p99 idle", lat[n * 99 / 100] / idle99, "x");
	row("  samples taken while it looped", n, "");
	row("  1 GiB MAP + UNMAP rounds meanwhile", b.rounds, "");
	close(b.fd);
	munmap(b.buf, b.len);
}

enum layout {
	FIXED,		/* fixed IOVA, above the areas */
	PACKED,		/* automatic, areas packed from the aperture start */
	HOLE,		/* automatic 2 pages, a 1-page hole below the areas */
	ALLOWED,	/* automatic, allowed list from 1 GiB, areas packed there */
};

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
	char *buf;

	psz = sysconf(_SC_PAGESIZE);
	buf = alloc_buf(256 * MIB, 0);

	printf("| %-62s | %21s |\n", "iommufd.ko benchmark (test build, TCG)",
	       "");
	printf("|%.64s|%.23s|\n", "-----------------------------------------"
	       "------------------------------", "-----------------------");
	bench_alloc_destroy();
	bench_map_unmap_4k(buf);
	bench_large(256 * MIB, MEM_4K);
	bench_large(256 * MIB, MEM_THP);
	bench_large(256 * MIB, MEM_HUGE_2M);
	bench_large(1024 * MIB, MEM_HUGE_1G);
	bench_concurrent(buf);
	bench_scaling(buf);
	munmap(buf, 256 * MIB);
	bench_memory();
	printf("ok - benchmark completed\n1..1\n");
	return 0;
}
