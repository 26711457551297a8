// SPDX-License-Identifier: GPL-2.0-only
/*
 * Automatic IOVA allocation against a model (test build): a plain first-fit
 * allocator written from objects.md §7.3 (candidate regions, holes of
 * reserved intervals and areas, the alignment rule) is run beside the
 * kernel over random sequences of automatic MAPs, UNMAPs, ADD_RESERVED,
 * ALLOW_IOVAS and mock-domain attach/detach (whose aperture reservations
 * come and go). Every IOVA and every errno must agree: this is what keeps
 * the allocator's search structure (the tree of holes) honest.
 *
 * A second, harsher generator adds what makes holes hard: fixed MAPs and
 * combs of them at random byte or page offsets, UNMAPs of ranges holding
 * several areas, automatic COPY of one or two adjacent areas, user VAs and
 * lengths that are not page multiples (the in-page offset of §7.3),
 * reservations covering, overlapping and straddling each other and the
 * mock aperture, and allowed ranges with byte boundaries.
 */
#include "utils.h"

static long psz;
static char *buf;	/* 2 MiB aligned, 64 pages */

#define MAXI 4096
/* An interval [s, l]; owner 1: reserved by the mock domain; va: of an area */
struct iv {
	uint64_t s, l;
	int owner;
	uint64_t va;
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
static long st_fixed, st_comb, st_multi, st_copy, st_copy2, st_offset;
static long st_bytes, st_resv;
/* Automatic MAPs across the boundary of two allowed ranges that touch */
static long st_straddle;

static int isect(uint64_t s1, uint64_t l1, uint64_t s2, uint64_t l2)
{
	return s1 <= l2 && s2 <= l1;
}

static int cmpiv(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

/* objects.md §7.3 fits(s, l) */
static int fits(uint64_t s, uint64_t l, uint64_t al, uint64_t off,
		uint64_t len, uint64_t *c)
{
	uint64_t v;

	if (__builtin_add_overflow(s, al - 1, &v))
		return 0;
	v = (v & ~(al - 1)) | off;
	if (v >= l || l - v < len - 1)
		return 0;
	*c = v;
	return 1;
}

static int model_alloc_region(uint64_t rs, uint64_t rl, uint64_t al,
			      uint64_t off, uint64_t len, uint64_t *out)
{
	static struct iv u[2 * MAXI];
	int n = 0, i;
	uint64_t pos = rs;

	if (!fits(rs, rl, al, off, len, out))
		return 0;
	for (i = 0; i < nareas; i++)
		if (isect(areas[i].s, areas[i].l, rs, rl))
			u[n++] = areas[i];
	for (i = 0; i < nresv; i++)
		if (isect(resv[i].s, resv[i].l, rs, rl))
			u[n++] = resv[i];
	qsort(u, n, sizeof(u[0]), cmpiv);
	for (i = 0; i < n; i++) {
		if (u[i].s > pos && fits(pos, u[i].s - 1, al, off, len, out))
			return 1;
		if (u[i].l >= rl)
			return 0;
		if (u[i].l + 1 > pos)
			pos = u[i].l + 1;
	}
	return fits(pos, rl, al, off, len, out);
}

static int model_alloc(uint64_t va, uint64_t len, uint64_t *out)
{
	uint64_t al = 1, first = psz, last = UINT64_MAX - psz, rs, rl;
	int i, j;

	while (al < len)
		al <<= 1;
	if (va && (va & -va) < al)
		al = va & -va;
	if (al >= 2 << 20)
		al = 2 << 20;
	if (al < (domain ? (uint64_t)psz / 2 : 1))
		return EINVAL;
	if (!nallow)
		return model_alloc_region(first, last, al, va % psz, len, out) ?
		       0 : ENOSPC;
	/* Ascending; ranges that touch are one region */
	for (i = 0; i < nallow; i = j) {
		rl = allow[i].l;
		for (j = i + 1; j < nallow && allow[j].s == rl + 1; j++)
			rl = allow[j].l;
		rs = allow[i].s > first ? allow[i].s : first;
		rl = rl < last ? rl : last;
		if (rs > rl)
			continue;
		if (model_alloc_region(rs, rl, al, va % psz, len, out)) {
			st_straddle += !(*out >= allow[i].s &&
					 *out + len - 1 <= allow[i].l);
			return 0;
		}
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

/* Attaching a mock domain: alignment of every area, then the aperture */
static int model_attach(void)
{
	uint64_t a = psz / 2;
	int i;

	for (i = 0; i < nareas; i++)
		if (areas[i].s % a || (areas[i].l - areas[i].s + 1) % a ||
		    (areas[i].va % psz) % a)
			return EADDRINUSE;
	return any_isect(areas, nareas, 0, 0xffffff) ||
	       any_isect(areas, nareas, 0x80000000ULL, UINT64_MAX) ||
	       any_isect(allow, nallow, 0, 0xffffff) ||
	       any_isect(allow, nallow, 0x80000000ULL, UINT64_MAX) ?
	       EADDRINUSE : 0;
}

/* The mock domain is attached: its aperture reservations enter the model */
static void model_domain_attached(void)
{
	domain = 1;
	resv[nresv++] = (struct iv){ 0, 0xffffff, 1 };
	resv[nresv++] = (struct iv){ 0x80000000ULL, UINT64_MAX, 1 };
}

/* Destroy the mock device: the domain's reservations leave the model */
static int model_domain_detach(int fd)
{
	int i, bad = 0;

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
	return bad;
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
				areas[nareas++] = (struct iv){ got, got + len - 1, 0,
							       (uintptr_t)va };
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
			int want = model_attach();
			int rc = mock_domain(fd, ioas, &stdev, NULL, NULL);

			if (rc != want) {
				diag("seed %u op %d MOCK_DOMAIN rc %d want %d", seed, op, rc, want);
				bad++;
			}
			st_dom += !rc;
			st_domfail += rc == EADDRINUSE;
			if (!rc)
				model_domain_attached();
		} else {
			bad += model_domain_detach(fd);
		}
	}
	close(fd);
	return bad;
}

/* The IOAS alignment: the mock domain's granule while it is attached */
static uint64_t align_now(void)
{
	return domain ? psz / 2 : 1;
}

static void add_area(uint64_t s, uint64_t len, uint64_t va)
{
	if (nareas == MAXI)
		tap_bail("model: too many areas");
	areas[nareas++] = (struct iv){ s, s + len - 1, 0, va };
}

/* IOMMU_IOAS_UNMAP of [s, l]: whole areas, ascending, stop at one outside */
static int model_unmap(uint64_t s, uint64_t l)
{
	int i, lowest, removed = 0;

	for (;;) {
		lowest = -1;
		for (i = 0; i < nareas; i++)
			if (isect(areas[i].s, areas[i].l, s, l) &&
			    (lowest < 0 || areas[i].s < areas[lowest].s))
				lowest = i;
		if (lowest < 0)
			return removed ? 0 : ENOENT;
		if (areas[lowest].s < s || areas[lowest].l > l)
			return ENOENT;
		areas[lowest] = areas[--nareas];
		removed++;
	}
}

/* A length that is a multiple of the alignment, often not of pages */
static uint64_t pick_len(void)
{
	uint64_t a = align_now();

	if (rnd(3))
		return (1 + rnd(rnd(4) ? 3 : 9)) * psz;
	st_bytes++;
	if (a > 1)
		return (1 + rnd(6)) * a;
	return 1 + rnd(3 * psz);
}

/* A VA in the buffer whose in-page offset is a multiple of the alignment */
static char *pick_va(void)
{
	uint64_t a = align_now(), off = 0;

	switch (rnd(4)) {
	case 0:
		off = rnd(psz) & ~(a - 1);
		break;
	case 1:
		off = (1 + rnd(15)) * 0x100 & ~(a - 1);
		break;
	}
	st_offset += off != 0;
	return buf + rnd(32) * psz + off;
}

/* Near the bottom, around the mock aperture's ends, or at 1 GiB */
static uint64_t pick_iova(int odd)
{
	static const uint64_t bases[] = { 0, 0x1000000 - 32 * 4096, 0x1000000,
					  0x40000000, 0x80000000 - 64 * 4096 };
	uint64_t iova = bases[rnd(ARRAY_SIZE(bases))] + rnd(256) * psz;

	if (odd && !rnd(3))
		iova += rnd(psz);
	return iova;
}

static int check_rc(const char *what, unsigned int seed, int op, int rc,
		    int want, uint64_t got, uint64_t want_iova)
{
	if (rc == want && (rc || got == want_iova))
		return 0;
	diag("seed %u op %d %s: got rc %d iova 0x%llx, want rc %d iova 0x%llx",
	     seed, op, what, rc, (unsigned long long)got, want,
	     (unsigned long long)want_iova);
	return 1;
}

static int fixed_map(int fd, uint32_t ioas, unsigned int seed, int op,
		     uint64_t iova, uint64_t len, char *va)
{
	uint64_t got = iova;
	int want = 0, rc;

	if (iova % align_now() || len % align_now() ||
	    any_isect(resv, nresv, iova, iova + len - 1))
		want = EINVAL;
	else if (any_isect(areas, nareas, iova, iova + len - 1))
		want = EEXIST;
	rc = ioas_map(fd, ioas, MAP_FIXED_RW, va, len, &got);
	if (!rc)
		add_area(iova, len, (uintptr_t)va);
	st_fixed += !rc;
	return check_rc("fixed MAP", seed, op, rc, want, got, iova);
}

static int run_seed_holes(unsigned int seed, int nops)
{
	int fd = open_iommufd(), bad = 0, op, i, j, k;
	uint64_t s, l, len, got, want;
	uint32_t ioas;
	char *va;
	int rc, wrc;

	srandom(seed);
	nareas = 0;
	nresv = 0;
	nallow = 0;
	domain = 0;
	ioas_alloc(fd, &ioas);
	for (op = 0; op < nops && !bad; op++) {
		int what = rnd(100);

		/* Room for a comb or a COPY in the model */
		if (nareas > MAXI - 128)
			what = 50;
		if (what < 35) {
			len = pick_len();
			va = pick_va();
			got = 0;
			want = 0;
			rc = ioas_map(fd, ioas, MAP_RW, va, len, &got);
			wrc = model_alloc((uintptr_t)va, len, &want);
			bad += check_rc("automatic MAP", seed, op, rc, wrc, got,
					want);
			if (!rc)
				add_area(got, len, (uintptr_t)va);
			st_map++;
			st_enospc += rc == ENOSPC;
			st_allowmaps += nallow != 0;
		} else if (what < 43) {
			bad += fixed_map(fd, ioas, seed, op,
					 pick_iova(1) & ~(align_now() - 1),
					 pick_len(), pick_va());
		} else if (what < 45) {
			/* A comb of small areas: many small holes */
			uint64_t stride = (2 + rnd(2)) * psz;

			s = pick_iova(0);
			len = rnd(2) ? psz : psz / 2;
			k = 1 + rnd(48);
			for (i = 0; i < k && !bad; i++)
				bad += fixed_map(fd, ioas, seed, op,
						 s + i * stride, len,
						 buf + rnd(32) * psz);
			st_comb++;
		} else if (what < 68) {
			if (!nareas)
				continue;
			i = rnd(nareas);
			rc = ioas_unmap(fd, ioas, areas[i].s,
					areas[i].l - areas[i].s + 1, NULL);
			wrc = model_unmap(areas[i].s, areas[i].l);
			bad += check_rc("UNMAP", seed, op, rc, wrc, 0, 0);
		} else if (what < 73) {
			/* A range that may hold several areas */
			if (!nareas)
				continue;
			i = rnd(nareas);
			s = areas[i].s;
			l = areas[i].l + rnd(8) * psz + (rnd(2) ? 0 : rnd(psz));
			rc = ioas_unmap(fd, ioas, s, l - s + 1, NULL);
			wrc = model_unmap(s, l);
			bad += check_rc("UNMAP range", seed, op, rc, wrc, 0, 0);
			st_multi++;
		} else if (what < 78) {
			/* Automatic COPY of one area, or of two adjacent ones */
			if (!nareas)
				continue;
			i = rnd(nareas);
			for (j = 0; j < nareas; j++)
				if (areas[j].s == areas[i].l + 1)
					break;
			len = areas[i].l - areas[i].s + 1;
			if (j < nareas && rnd(2))
				len += areas[j].l - areas[j].s + 1;
			else
				j = -1;
			got = 0;
			want = 0;
			rc = ioas_copy(fd, MAP_RW, ioas, ioas, areas[i].s, len,
				       &got);
			wrc = model_alloc(areas[i].va, len, &want);
			bad += check_rc("automatic COPY", seed, op, rc, wrc, got,
					want);
			if (!rc) {
				add_area(got, areas[i].l - areas[i].s + 1,
					 areas[i].va);
				if (j >= 0)
					add_area(got + areas[i].l - areas[i].s + 1,
						 areas[j].l - areas[j].s + 1,
						 areas[j].va);
			}
			st_copy += !rc;
			st_copy2 += !rc && j >= 0;
		} else if (what < 84) {
			/* Small, or large enough to cover others */
			s = pick_iova(1);
			len = rnd(3) ? (1 + rnd(3)) * psz : (1 + rnd(64)) * psz;
			if (!rnd(3))
				len += rnd(psz);
			wrc = any_isect(areas, nareas, s, s + len - 1) ||
			      any_isect(allow, nallow, s, s + len - 1) ?
			      EADDRINUSE : 0;
			rc = add_reserved(fd, ioas, s, len);
			bad += check_rc("ADD_RESERVED", seed, op, rc, wrc, 0, 0);
			if (!rc) {
				if (nresv == MAXI)
					tap_bail("model: too many reserved");
				resv[nresv++] = (struct iv){ s, s + len - 1, 0 };
			}
			st_resv += !rc;
		} else if (what < 90) {
			struct iommu_iova_range r[3];
			int n = rnd(4);
			uint64_t p = pick_iova(0);

			wrc = 0;
			for (i = 0; i < n; i++) {
				r[i].start = p + rnd(16) * psz +
					     (rnd(3) ? 0 : rnd(psz));
				r[i].last = r[i].start + (1 + rnd(64)) * psz - 1 -
					    (rnd(3) ? 0 : rnd(psz / 2));
				p = r[i].last + 1;
				if (any_isect(resv, nresv, r[i].start,
					      r[i].last))
					wrc = EADDRINUSE;
			}
			rc = allow_iovas(fd, ioas, r, n);
			bad += check_rc("ALLOW_IOVAS", seed, op, rc, wrc, 0, 0);
			if (!rc) {
				nallow = n;
				for (i = 0; i < n; i++)
					allow[i] = (struct iv){ r[i].start,
								r[i].last, 0 };
			}
		} else if (!domain) {
			wrc = model_attach();
			/* Often make room first: attaches are what free IOVA */
			k = wrc && rnd(3);
			for (i = 0; k && i < nareas; ) {
				uint64_t a = psz / 2;

				if (areas[i].s < 0x1000000 ||
				    areas[i].l > 0x7fffffff || areas[i].s % a ||
				    (areas[i].l - areas[i].s + 1) % a ||
				    (areas[i].va % psz) % a) {
					s = areas[i].s;
					l = areas[i].l;
					bad += check_rc("UNMAP", seed, op,
							ioas_unmap(fd, ioas, s,
								   l - s + 1,
								   NULL),
							model_unmap(s, l), 0, 0);
					continue;
				}
				i++;
			}
			if (wrc && model_attach() && nallow && !rnd(2)) {
				bad += check_rc("ALLOW_IOVAS", seed, op,
						allow_iovas(fd, ioas, NULL, 0),
						0, 0, 0);
				nallow = 0;
			}
			wrc = model_attach();
			rc = mock_domain(fd, ioas, &stdev, NULL, NULL);
			bad += check_rc("MOCK_DOMAIN", seed, op, rc, wrc, 0, 0);
			st_dom += !rc;
			st_domfail += rc == EADDRINUSE;
			if (!rc)
				model_domain_attached();
		} else {
			bad += model_domain_detach(fd);
		}
	}
	close(fd);
	return bad;
}

/*
 * Fixed shapes: a 1-page hole under packed areas that 2-page MAPs cannot
 * use, and an allowed range starting above them: each MAP skips it.
 */
static void test_shapes(void)
{
	struct iommu_iova_range r = { 0x40000000, 0x7fffffff };
	int fd = open_iommufd(), i, bad = 0;
	uint64_t got, want;
	uint32_t ioas;

	nareas = 0;
	nresv = 0;
	nallow = 0;
	domain = 0;
	ioas_alloc(fd, &ioas);
	for (i = 0; i < 1000; i++)
		bad += fixed_map(fd, ioas, 0, i, 2 * psz + i * psz, psz, buf);
	for (i = 0; i < 50; i++) {
		got = 0;
		want = 0;
		bad += check_rc("2-page MAP over a 1-page hole", 0, i,
				ioas_map(fd, ioas, MAP_RW, buf, 2 * psz, &got),
				model_alloc((uintptr_t)buf, 2 * psz, &want),
				got, want);
		add_area(got, 2 * psz, (uintptr_t)buf);
	}
	ok(!bad && areas[nareas - 1].s == 1100 * (uint64_t)psz,
	   "2-page MAPs skip the 1-page hole and pack above the areas");
	got = 0;
	want = 0;
	ok(!ioas_map(fd, ioas, MAP_RW, buf, psz, &got) && got == (uint64_t)psz,
	   "a 1-page MAP still takes the hole");
	add_area(got, psz, (uintptr_t)buf);

	ok_errno(allow_iovas(fd, ioas, &r, 1), 0, "allow [1 GiB, 2 GiB)");
	nallow = 1;
	allow[0] = (struct iv){ r.start, r.last, 0 };
	bad = 0;
	for (i = 0; i < 500; i++)
		bad += fixed_map(fd, ioas, 1, i, r.start + i * psz, psz, buf);
	for (i = 0; i < 50; i++) {
		got = 0;
		want = 0;
		bad += check_rc("MAP above an allowed start", 1, i,
				ioas_map(fd, ioas, MAP_RW, buf + psz, psz, &got),
				model_alloc((uintptr_t)buf + psz, psz, &want),
				got, want);
		add_area(got, psz, (uintptr_t)buf + psz);
	}
	ok(!bad && areas[nareas - 1].s == r.start + 549 * psz,
	   "MAPs start at the allowed range, above its areas");
	close(fd);
}

/* Allowed ranges that touch are one region for automatic IOVA */
static void test_touching_allowed(void)
{
	const uint64_t mb = 1 << 20;
	struct iommu_iova_range r[3] = {
		{ 2 * mb, 3 * mb - 1 }, { 3 * mb, 4 * mb - 1 },
		{ 6 * mb, 8 * mb - 1 },
	};
	int fd = open_iommufd();
	uint64_t iova = 0;
	uint32_t ioas;

	ioas_alloc(fd, &ioas);
	ok_errno(allow_iovas(fd, ioas, r, 3), 0,
		 "allow [2 MiB, 3 MiB), [3 MiB, 4 MiB) and [6 MiB, 8 MiB)");
	ok_errno(ioas_map(fd, ioas, MAP_RW, buf, 2 * mb, &iova), 0,
		 "an automatic 2 MiB MAP of 2 MiB aligned memory");
	ok(iova == 2 * mb, "fits across the two that touch (0x%llx)",
	   (unsigned long long)iova);
	iova = 0;
	ok_errno(ioas_map(fd, ioas, MAP_RW, buf, 2 * mb, &iova), 0,
		 "a second one");
	ok(iova == 6 * mb, "takes the third range (0x%llx)",
	   (unsigned long long)iova);
	ok_errno(ioas_map(fd, ioas, MAP_RW, buf, 2 * mb, &iova), ENOSPC,
		 "a third one finds no room: ENOSPC");
	close(fd);
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

	st_map = 0;
	st_enospc = 0;
	st_allowmaps = 0;
	st_dom = 0;
	st_domfail = 0;
	for (seed = 101; seed <= 112; seed++) {
		bad = run_seed_holes(seed, 2500);
		ok(!bad, "seed %u: 2500 random operations with holes, offsets "
		   "and overlapping reservations agree with the model", seed);
	}
	diag("%ld automatic MAPs (%ld ENOSPC, %ld with an allowed list, %ld "
	     "with an in-page offset, %ld byte lengths), %ld fixed MAPs in "
	     "%ld combs and alone, %ld range UNMAPs, %ld COPYs (%ld of two "
	     "areas), %ld reservations, %ld domain attaches (%ld refused)",
	     st_map, st_enospc, st_allowmaps, st_offset, st_bytes, st_fixed,
	     st_comb, st_multi, st_copy, st_copy2, st_resv, st_dom,
	     st_domfail);
	ok(st_map > 5000 && st_enospc && st_allowmaps && st_offset &&
	   st_bytes && st_comb && st_multi && st_copy2 && st_resv && st_dom &&
	   st_domfail, "every kind of situation was reached");

	diag("%ld automatic MAPs across touching allowed ranges",
	     st_straddle);

	test_shapes();
	test_touching_allowed();
	return tap_done();
}
