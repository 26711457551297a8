// SPDX-License-Identifier: GPL-2.0-only
/*
 * Automatic IOVA allocation against a model (test build): a plain first-fit
 * allocator written from objects.md §7.3 (candidate regions, holes of
 * reserved intervals and areas, the alignment rule) is run beside the
 * kernel over random sequences of automatic MAPs, UNMAPs, ADD_RESERVED,
 * ALLOW_IOVAS and mock-domain attach/detach (whose aperture reservations
 * come and go). Every IOVA and every errno must agree: this is what keeps
 * the allocator's search shortcut (alloc_hint) honest.
 */
#include "utils.h"

static long psz;
static char *buf;	/* 2 MiB aligned, 64 pages */

#define MAXI 4096
/* An interval [s, l]; owner 1: reserved by the mock domain */
struct iv {
	uint64_t s, l;
	int owner;
};

static struct iv areas[MAXI];
static int nareas;
static struct iv resv[MAXI];
static int nresv;
static struct iv allow[8];
static int nallow;
static int domain;
static uint32_t stdev;
static long st_map, st_enospc, st_dom, st_domfail, st_allowmaps;

static int isect(uint64_t s1, uint64_t l1, uint64_t s2, uint64_t l2)
{
	return s1 <= l2 && s2 <= l1;
}

static int cmpiv(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

static int fits(uint64_t s, uint64_t l, uint64_t al, uint64_t len, uint64_t *c)
{
	uint64_t v;

	if (__builtin_add_overflow(s, al - 1, &v))
		return 0;
	v &= ~(al - 1);
	if (v >= l || l - v < len - 1)
		return 0;
	*c = v;
	return 1;
}

static int model_alloc_region(uint64_t rs, uint64_t rl, uint64_t al,
			      uint64_t len, uint64_t *out)
{
	static struct iv u[2 * MAXI];
	int n = 0, i;
	uint64_t pos = rs;

	if (!fits(rs, rl, al, len, out))
		return 0;
	for (i = 0; i < nareas; i++)
		if (isect(areas[i].s, areas[i].l, rs, rl))
			u[n++] = areas[i];
	for (i = 0; i < nresv; i++)
		if (isect(resv[i].s, resv[i].l, rs, rl))
			u[n++] = resv[i];
	qsort(u, n, sizeof(u[0]), cmpiv);
	for (i = 0; i < n; i++) {
		if (u[i].s > pos && fits(pos, u[i].s - 1, al, len, out))
			return 1;
		if (u[i].l >= rl)
			return 0;
		if (u[i].l + 1 > pos)
			pos = u[i].l + 1;
	}
	return fits(pos, rl, al, len, out);
}

static int model_alloc(uint64_t va, uint64_t len, uint64_t *out)
{
	uint64_t al = 1, first = psz, last = UINT64_MAX - psz;
	int i;

	while (al < len)
		al <<= 1;
	if (va && (va & -va) < al)
		al = va & -va;
	if (al >= 2 << 20)
		al = 2 << 20;
	if (!nallow)
		return model_alloc_region(first, last, al, len, out) ? 0 : ENOSPC;
	for (i = 0; i < nallow; i++) {
		uint64_t rs = allow[i].s > first ? allow[i].s : first;
		uint64_t rl = allow[i].l < last ? allow[i].l : last;

		if (rs > rl)
			continue;
		if (model_alloc_region(rs, rl, al, len, out))
			return 0;
	}
	return ENOSPC;
}

static int any_isect(struct iv *t, int n, uint64_t s, uint64_t l)
{
	for (int i = 0; i < n; i++)
		if (isect(t[i].s, t[i].l, s, l))
			return 1;
	return 0;
}

static uint64_t rnd(uint64_t n)
{
	return (uint64_t)random() % n;
}

static uint64_t rand_base(void)
{
	return rnd(2) ? 0 : 0x1000000;
}

static int run_seed(unsigned int seed, int nops)
{
	int fd = open_iommufd(), bad = 0, op, i;
	uint32_t ioas;

	srandom(seed);
	nareas = 0;
	nresv = 0;
	nallow = 0;
	domain = 0;
	ioas_alloc(fd, &ioas);
	for (op = 0; op < nops && !bad; op++) {
		int what = rnd(100);

		if (what < 50) {
			uint64_t len = (1 + rnd(rnd(4) ? 3 : 9)) * psz, got = 0, want = 0;
			char *va = buf + rnd(32) * psz;
			int rc = ioas_map(fd, ioas, MAP_RW, va, len, &got);
			int wrc = model_alloc((uintptr_t)va, len, &want);

			if (rc != wrc || (!rc && got != want)) {
				diag("seed %u op %d MAP len 0x%llx va off 0x%llx: "
				     "got rc %d iova 0x%llx, want rc %d iova 0x%llx",
				     seed, op, (unsigned long long)len,
				     (unsigned long long)(va - buf), rc,
				     (unsigned long long)got, wrc,
				     (unsigned long long)want);
				bad++;
			}
			st_map++;
			st_enospc += rc == ENOSPC;
			st_allowmaps += nallow != 0;
			if (!rc && nareas < MAXI)
				areas[nareas++] = (struct iv){ got, got + len - 1, 0 };
		} else if (what < 85 && nareas) {
			i = rnd(nareas);
			if (ioas_unmap(fd, ioas, areas[i].s,
				       areas[i].l - areas[i].s + 1, NULL)) {
				diag("unmap failed");
				bad++;
			}
			areas[i] = areas[--nareas];
		} else if (what < 88) {
			uint64_t s = rand_base() + rnd(256) * psz, l = s + (1 + rnd(3)) * psz - 1;
			int want = any_isect(areas, nareas, s, l) ||
				   any_isect(allow, nallow, s, l) ? EADDRINUSE : 0;
			int rc = add_reserved(fd, ioas, s, l - s + 1);

			if (rc != want) {
				diag("seed %u op %d ADD_RESERVED rc %d want %d",
				     seed, op, rc, want);
				bad++;
			}
			if (!rc)
				resv[nresv++] = (struct iv){ s, l, 0 };
		} else if (what < 93) {
			struct iommu_iova_range r[3];
			int n = rnd(4), want = 0;
			uint64_t base = rand_base(), p = base + rnd(8) * psz;

			for (i = 0; i < n; i++) {
				r[i].start = p + rnd(16) * psz;
				r[i].last = r[i].start + (1 + rnd(64)) * psz - 1;
				p = r[i].last + 1;
				if (any_isect(resv, nresv, r[i].start, r[i].last))
					want = EADDRINUSE;
			}
			int rc = allow_iovas(fd, ioas, r, n);

			if (rc != want) {
				diag("seed %u op %d ALLOW rc %d want %d", seed, op, rc, want);
				bad++;
			}
			if (!rc) {
				nallow = n;
				for (i = 0; i < n; i++)
					allow[i] = (struct iv){ r[i].start, r[i].last, 0 };
			}
		} else if (!domain) {
			int want = any_isect(areas, nareas, 0, 0xffffff) ||
				   any_isect(areas, nareas, 0x80000000ULL, UINT64_MAX) ||
				   any_isect(allow, nallow, 0, 0xffffff) ||
				   any_isect(allow, nallow, 0x80000000ULL, UINT64_MAX) ?
				   EADDRINUSE : 0;
			int rc = mock_domain(fd, ioas, &stdev, NULL, NULL);

			if (rc != want) {
				diag("seed %u op %d MOCK_DOMAIN rc %d want %d", seed, op, rc, want);
				bad++;
			}
			st_dom += !rc;
			st_domfail += rc == EADDRINUSE;
			if (!rc) {
				domain = 1;
				resv[nresv++] = (struct iv){ 0, 0xffffff, 1 };
				resv[nresv++] = (struct iv){ 0x80000000ULL, UINT64_MAX, 1 };
			}
		} else {
			if (destroy(fd, stdev)) {
				diag("destroy stdev failed");
				bad++;
			}
			domain = 0;
			for (i = 0; i < nresv; )
				if (resv[i].owner)
					resv[i] = resv[--nresv];
				else
					i++;
		}
	}
	close(fd);
	return bad;
}

int main(void)
{
	unsigned int seed;
	int bad;

	if (!is_test_build()) {
		printf("1..0 # SKIP needs the test build\n");
		return 0;
	}
	psz = sysconf(_SC_PAGESIZE);
	buf = mmap(NULL, 4ul << 20, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		tap_bail("mmap");
	buf = (char *)(((uintptr_t)buf + (2ul << 20) - 1) & ~((2ul << 20) - 1));

	for (seed = 1; seed <= 12; seed++) {
		bad = run_seed(seed, 2500);
		ok(!bad, "seed %u: 2500 random operations agree with the model",
		   seed);
	}
	diag("%ld automatic MAPs (%ld ENOSPC, %ld with an allowed list), "
	     "%ld domain attaches (%ld refused)", st_map, st_enospc,
	     st_allowmaps, st_dom, st_domfail);
	ok(st_map > 10000 && st_enospc && st_allowmaps && st_dom && st_domfail,
	   "every kind of situation was reached");
	return tap_done();
}
