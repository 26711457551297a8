/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the make bench programs share: the clock, the memory a large MAP is
 * made of, and rows of medians with the spread of their rounds.
 */
#ifndef IOMMUFD_BENCH_H
#define IOMMUFD_BENCH_H

#include <linux/mman.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define MIB (1024ul * 1024)
#define ROUNDS 5

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline void sorted(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

static inline void row(const char *what, double value, const char *unit)
{
	printf("| %-62s | %12.1f %-8s |\n", what, value, unit);
}

/* A median with the spread of its rounds; sorts @v */
static inline void row_spread(const char *what, double *v, int n,
			      const char *unit)
{
	char val[48];

	sorted(v, n);
	snprintf(val, sizeof(val), "%.1f %s (%.1f-%.1f)", v[n / 2], unit, v[0],
		 v[n - 1]);
	printf("| %-62s | %21s |\n", what, val);
}

/* Memory a large MAP is made of */
enum mem_kind {
	MEM_4K,		/* shared anonymous 4 KiB pages */
	MEM_THP,	/* private anonymous, transparent huge pages */
	MEM_HUGE_2M,	/* hugetlb 2 MiB pages */
	MEM_HUGE_1G,	/* hugetlb 1 GiB pages */
};

static const char *const mem_names[] = {
	[MEM_4K] = "4 KiB pages",
	[MEM_THP] = "THP",
	[MEM_HUGE_2M] = "hugetlb 2 MiB pages",
	[MEM_HUGE_1G] = "hugetlb 1 GiB pages",
};

/* @len bytes of @kind, populated, or NULL if the guest has none */
static inline char *alloc_kind(size_t len, enum mem_kind kind)
{
	int flags = MAP_ANONYMOUS | MAP_POPULATE, rc;
	char *p;

	switch (kind) {
	case MEM_4K:
		flags |= MAP_SHARED;
		break;
	case MEM_THP:
		/* Twice the length, to align the buffer to 2 MiB */
		p = mmap(NULL, len + 2 * MIB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		p = (char *)(((uintptr_t)p + 2 * MIB - 1) & ~(2 * MIB - 1));
		rc = madvise(p, len, MADV_HUGEPAGE);
		if (rc)
			return NULL;
		memset(p, 1, len);
		return p;
	case MEM_HUGE_2M:
		flags |= MAP_SHARED | MAP_HUGETLB | MAP_HUGE_2MB;
		break;
	case MEM_HUGE_1G:
		flags |= MAP_SHARED | MAP_HUGETLB | MAP_HUGE_1GB;
		break;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

#endif
