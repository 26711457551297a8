// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the free IOVA of an IO page table and the automatic
 * allocator (src/iopt_holes.c, included here so that the checks can read
 * its private tree of holes), with the reserved and allowed bookkeeping
 * (src/iopt_reserved.c) and span iteration (src/iopt_span.c) they use.
 *
 * The harness plays io_pagetable.c and iopt_domains.c: it adds and removes
 * areas (fixed, automatic, several back to back as COPY does, cut in two
 * as the type1 v1 unmap does), reserves and frees IOVA by owner, replaces
 * a domain's aperture reservations, sets the allowed list and the
 * alignment, with the same calls in the same order, and may make the n-th
 * allocation of an operation fail. A model keeps plain arrays of the areas,
 * reserved intervals and allowed ranges. After every operation each errno
 * and each automatic IOVA must be the model's (objects.md §7.3 computed
 * from its arrays), and the trees must hold exactly the model's intervals;
 * the holes must be exactly the maximal free ranges of areas and reserved
 * intervals, each node's subtree maximum right, and the nodes exactly one
 * per interval plus one.
 */
#include "fuzz.h"

#include "../../src/iopt_holes.c"

#define MAXN 48
#define OWNERS 6	/* 0: none (until destroy), 1-3: users, 4-5: domains */

struct ival {
	unsigned long s, l;
	int owner;
};

static struct io_pagetable iopt;
static char owner_tags[OWNERS];

static struct ival m_areas[MAXN], m_resv[MAXN], m_allow[4];
static int m_nareas, m_nresv, m_nallow;
/* The table had an interval: its holes exist */
static bool m_ready;

static void *owner_ptr(int owner)
{
	return owner ? &owner_tags[owner] : NULL;
}

static bool isect(unsigned long s1, unsigned long l1, unsigned long s2,
		  unsigned long l2)
{
	return s1 <= l2 && s2 <= l1;
}

static bool m_any(const struct ival *t, int n, unsigned long s,
		  unsigned long l)
{
	int i;

	for (i = 0; i < n; i++)
		if (isect(t[i].s, t[i].l, s, l))
			return true;
	return false;
}

static int cmp_ival(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->l < y->l ? -1 : x->l > y->l;
}

/* The maximal ranges of [0, ULONG_MAX] outside every interval of @t */
static int m_free_of(const struct ival *t, int n, struct ival *out)
{
	struct ival u[2 * MAXN];
	unsigned long pos = 0;
	int i, nout = 0;

	memcpy(u, t, n * sizeof(*t));
	qsort(u, n, sizeof(*u), cmp_ival);
	for (i = 0; i < n; i++) {
		if (u[i].s > pos)
			out[nout++] = (struct ival){ pos, u[i].s - 1, 0 };
		if (u[i].l == ULONG_MAX)
			return nout;
		if (u[i].l + 1 > pos)
			pos = u[i].l + 1;
	}
	out[nout++] = (struct ival){ pos, ULONG_MAX, 0 };
	return nout;
}

/* The holes: free ranges of areas and reserved intervals */
static int m_holes(struct ival *out)
{
	struct ival u[2 * MAXN];

	memcpy(u, m_areas, m_nareas * sizeof(*u));
	memcpy(u + m_nareas, m_resv, m_nresv * sizeof(*u));
	return m_free_of(u, m_nareas + m_nresv, out);
}

/* objects.md §7.3 fits(s, l) */
static bool m_fits(unsigned long s, unsigned long l, unsigned long al,
		   unsigned long off, unsigned long len, unsigned long *c)
{
	unsigned long v;

	if (__builtin_add_overflow(s, al - 1, &v))
		return false;
	v = (v & ~(al - 1)) | off;
	if (v >= l || l - v < len - 1)
		return false;
	*c = v;
	return true;
}

static bool m_alloc_region(unsigned long rs, unsigned long rl,
			   unsigned long al, unsigned long off,
			   unsigned long len, unsigned long *out)
{
	struct ival holes[2 * MAXN + 1];
	int i, n = m_holes(holes);

	if (!m_fits(rs, rl, al, off, len, out))
		return false;
	for (i = 0; i < n; i++) {
		if (!isect(holes[i].s, holes[i].l, rs, rl))
			continue;
		if (m_fits(holes[i].s > rs ? holes[i].s : rs,
			   holes[i].l < rl ? holes[i].l : rl, al, off, len, out))
			return true;
	}
	return false;
}

/* objects.md §7.3, with the alignment A of the table */
static int m_alloc(unsigned long va, unsigned long len, unsigned long *out)
{
	const unsigned long first = PAGE_SIZE, last = ULONG_MAX - PAGE_SIZE;
	unsigned long al = 1, rs, rl;
	int i, j;

	if (!len || len >= ULONG_MAX / 2)
		return -EOVERFLOW;
	while (al < len)
		al <<= 1;
	if (va && (va & -va) < al)
		al = va & -va;
	if (al >= HPAGE_PMD_SIZE)
		al = HPAGE_PMD_SIZE;
	if (al < iopt.iova_alignment)
		return -EINVAL;
	if (!m_nallow)
		return m_alloc_region(first, last, al, va % PAGE_SIZE, len,
				      out) ? 0 : -ENOSPC;
	/* Ascending; ranges that touch are one region */
	for (i = 0; i < m_nallow; i = j) {
		rl = m_allow[i].l;
		for (j = i + 1; j < m_nallow && m_allow[j].s == rl + 1; j++)
			rl = m_allow[j].l;
		rs = m_allow[i].s > first ? m_allow[i].s : first;
		rl = rl < last ? rl : last;
		if (rs > rl)
			continue;
		if (m_alloc_region(rs, rl, al, va % PAGE_SIZE, len, out))
			return 0;
	}
	return -ENOSPC;
}

/* Coordinates that collide often: 64 slots of 256 KiB near 0, 2^32, 2^47, the top */
static unsigned long dec_addr(struct fuzz_input *in)
{
	static const unsigned long base[] = {
		0, 1UL << 32, 1UL << 47, 0UL - (64UL << 18)
	};
	unsigned int a = fuzz_u8(in), b = fuzz_u8(in);
	unsigned long v = base[a >> 6] + (unsigned long)(a & 63) * (1UL << 18);

	switch (b >> 6) {
	case 1:
		return v + (b & 63) * PAGE_SIZE;
	case 2:
		return v + (b & 63);
	case 3:
		return v - (b & 63) * PAGE_SIZE - 1;
	}
	return v;
}

static unsigned long dec_len(struct fuzz_input *in)
{
	unsigned int a = fuzz_u8(in), b = fuzz_u8(in);
	unsigned long len;

	if (a == 255)
		return ULONG_MAX / 2 - 1 + (b & 3);
	switch (a >> 6) {
	case 0:
		len = ((a & 63) + 1) * PAGE_SIZE;
		break;
	case 1:
		len = ((a & 63) + 1) * (1UL << 18);
		break;
	case 2:
		len = ((a & 63) + 1) * HPAGE_PMD_SIZE;
		break;
	default:
		len = (a & 63) * 256 + b;
		b = 0;
	}
	switch (b >> 6) {
	case 1:
		return len + 1;
	case 2:
		return len - 1;
	case 3:
		return len + (b & 63) * PAGE_SIZE;
	}
	return len;
}

/* A range [*s, *l]: false if empty; clipped at the top of the IOVA space */
static bool dec_range(struct fuzz_input *in, unsigned long *s, unsigned long *l)
{
	unsigned int flags = fuzz_u8(in);
	unsigned long len;

	*s = flags & 1 ? 0 : dec_addr(in);
	len = dec_len(in);
	if (!len)
		return false;
	if (flags & 2 || __builtin_add_overflow(*s, len - 1, l))
		*l = ULONG_MAX;
	return true;
}

static struct iopt_area *k_find_area(unsigned long s, unsigned long l)
{
	struct iopt_area *area = iopt_area_iter_first(&iopt, s, s);

	FUZZ_CHECK(area && area->node.start == s && area->node.last == l,
		   "area [%#lx, %#lx] not in the tree", s, l);
	return area;
}

/* iopt_map_pages(): @n areas back to back at [iova, iova + len) */
static void k_map(unsigned long iova, unsigned long len, unsigned int n)
{
	struct iopt_area *areas[3];
	unsigned long pos = iova, piece;
	unsigned int i;
	int rc;

	if (len < n)
		n = 1;
	if (m_nareas + n > MAXN)
		return;
	for (i = 0; i != n; i++)
		areas[i] = kzalloc(sizeof(*areas[i]), GFP_KERNEL);
	down_write(&iopt.iova_rwsem);
	rc = iopt_holes_prepare(&iopt, n);
	FUZZ_CHECK(rc == 0 || (rc == -ENOMEM && fuzz_failed), "rc %d", rc);
	if (!rc) {
		for (i = 0; i != n; i++) {
			piece = i == n - 1 ? iova + len - pos : len / n;
			areas[i]->node.start = pos;
			areas[i]->node.last = pos + piece - 1;
			interval_tree_insert(&areas[i]->node, &iopt.area_itree);
			m_areas[m_nareas++] = (struct ival){ pos, pos + piece - 1, 0 };
			pos += piece;
		}
		iopt_holes_take(&iopt, iova, iova + len - 1);
		m_ready = true;
	}
	up_write(&iopt.iova_rwsem);
	if (rc)
		for (i = 0; i != n; i++)
			kfree(areas[i]);
}

/* iopt_remove_area() of model area @i */
static void k_unmap(int i)
{
	struct iopt_area *area = k_find_area(m_areas[i].s, m_areas[i].l);

	down_write(&iopt.iova_rwsem);
	interval_tree_remove(&area->node, &iopt.area_itree);
	iopt_holes_give(&iopt, m_areas[i].s, m_areas[i].l);
	iopt_holes_put_node(&iopt);
	up_write(&iopt.iova_rwsem);
	kfree(area);
	m_areas[i] = m_areas[--m_nareas];
}

/* iopt_cut_iova(): area @i becomes two, the second with its hole node */
static void k_cut(int i, unsigned long off)
{
	struct iopt_area *area = k_find_area(m_areas[i].s, m_areas[i].l);
	struct iopt_area *right;
	struct iopt_hole *hole;

	if (m_nareas == MAXN)
		return;
	hole = iopt_hole_alloc();
	FUZZ_CHECK(hole || fuzz_failed);
	if (!hole)
		return;
	right = kzalloc(sizeof(*right), GFP_KERNEL);
	down_write(&iopt.iova_rwsem);
	interval_tree_remove(&area->node, &iopt.area_itree);
	right->node.start = m_areas[i].s + off;
	right->node.last = m_areas[i].l;
	area->node.last = m_areas[i].s + off - 1;
	interval_tree_insert(&area->node, &iopt.area_itree);
	interval_tree_insert(&right->node, &iopt.area_itree);
	iopt_hole_add_spare(&iopt, hole);
	up_write(&iopt.iova_rwsem);
	m_areas[m_nareas++] = (struct ival){ m_areas[i].s + off, m_areas[i].l, 0 };
	m_areas[i].l = m_areas[i].s + off - 1;
}

static void m_remove_owner(int owner)
{
	int i;

	for (i = 0; i < m_nresv;) {
		if (m_resv[i].owner == owner)
			m_resv[i] = m_resv[--m_nresv];
		else
			i++;
	}
}

static int m_count_owner(int owner)
{
	int i, n = 0;

	for (i = 0; i < m_nresv; i++)
		n += m_resv[i].owner == owner;
	return n;
}

/* iopt_domain_set_geometry(): a domain's aperture [as, al] */
static void k_geometry(int owner, unsigned long as, unsigned long al)
{
	struct iopt_reserved *below = NULL, *above = NULL;
	int rc = 0, expect = 0;

	if (m_nresv - m_count_owner(owner) + 2 > MAXN)
		return;
	if ((as && (m_any(m_areas, m_nareas, 0, as - 1) ||
		    m_any(m_allow, m_nallow, 0, as - 1))) ||
	    (al != ULONG_MAX && (m_any(m_areas, m_nareas, al + 1, ULONG_MAX) ||
				 m_any(m_allow, m_nallow, al + 1, ULONG_MAX))))
		expect = -EADDRINUSE;

	down_write(&iopt.iova_rwsem);
	if (as)
		rc = iopt_check_reserve(&iopt, 0, as - 1);
	if (!rc && al != ULONG_MAX)
		rc = iopt_check_reserve(&iopt, al + 1, ULONG_MAX);
	if (rc)
		goto out;
	rc = -ENOMEM;
	if (as) {
		below = iopt_reserved_alloc(0, as - 1, owner_ptr(owner));
		if (!below)
			goto out;
	}
	if (al != ULONG_MAX) {
		above = iopt_reserved_alloc(al + 1, ULONG_MAX, owner_ptr(owner));
		if (!above)
			goto out;
	}
	if (iopt_holes_prepare(&iopt, !!below + !!above))
		goto out;
	rc = 0;
	iopt_remove_reserved_locked(&iopt, owner_ptr(owner));
	if (below)
		iopt_reserved_insert(&iopt, below);
	if (above)
		iopt_reserved_insert(&iopt, above);
	below = NULL;
	above = NULL;
out:
	up_write(&iopt.iova_rwsem);
	kfree(below);
	kfree(above);
	if (!expect && fuzz_failed)
		expect = -ENOMEM;
	FUZZ_CHECK(rc == expect, "rc %d, model %d", rc, expect);
	if (rc)
		return;
	m_ready = true;
	m_remove_owner(owner);
	if (as)
		m_resv[m_nresv++] = (struct ival){ 0, as - 1, owner };
	if (al != ULONG_MAX)
		m_resv[m_nresv++] = (struct ival){ al + 1, ULONG_MAX, owner };
}

static void op_alloc(struct fuzz_input *in)
{
	unsigned int kind = fuzz_u8(in), pieces = fuzz_u8(in);
	unsigned long va = 0, len = dec_len(in), iova = 0, m_iova = 0;
	int rc, expect;

	switch (kind & 3) {
	case 1:
		va = (unsigned long)fuzz_u16(in) << PAGE_SHIFT |
		     (kind >> 2 & 7) << 9;
		break;
	case 2:
		va = 1UL << (fuzz_u8(in) % 64);
		break;
	case 3:
		va = dec_addr(in);
		break;
	}
	expect = m_alloc(va, len, &m_iova);
	down_write(&iopt.iova_rwsem);
	rc = iopt_alloc_iova(&iopt, &iova, va, len);
	up_write(&iopt.iova_rwsem);
	FUZZ_CHECK(rc == expect, "va %#lx length %#lx: rc %d, model %d", va,
		   len, rc, expect);
	if (rc)
		return;
	FUZZ_CHECK(iova == m_iova, "va %#lx length %#lx: IOVA %#lx, model %#lx",
		   va, len, iova, m_iova);
	if (kind & 0x80)
		k_map(iova, len, 1 + pieces % 3);
}

static void op_map_fixed(struct fuzz_input *in)
{
	unsigned int pieces = fuzz_u8(in);
	unsigned long s, l;
	bool used;

	if (!dec_range(in, &s, &l))
		return;
	used = m_any(m_areas, m_nareas, s, l) || m_any(m_resv, m_nresv, s, l);
	FUZZ_CHECK(used == (iopt_tree_intersects(&iopt.area_itree, s, l) ||
			    iopt_tree_intersects(&iopt.reserved_itree, s, l)));
	if (!used)
		k_map(s, l - s + 1, 1 + pieces % 3);
}

static void op_unmap_range(struct fuzz_input *in)
{
	unsigned long s, l;
	int i;

	if (!dec_range(in, &s, &l))
		return;
	for (i = 0; i < m_nareas;) {
		if (isect(m_areas[i].s, m_areas[i].l, s, l))
			k_unmap(i);
		else
			i++;
	}
}

static void op_reserve(struct fuzz_input *in)
{
	int owner = fuzz_u8(in) % 4, rc, expect = 0;
	unsigned long s, l;

	if (!dec_range(in, &s, &l) || m_nresv == MAXN)
		return;
	if (m_any(m_areas, m_nareas, s, l) || m_any(m_allow, m_nallow, s, l))
		expect = -EADDRINUSE;
	rc = iopt_reserve_iova(&iopt, s, l, owner_ptr(owner));
	if (!expect && fuzz_failed)
		expect = -ENOMEM;
	FUZZ_CHECK(rc == expect, "[%#lx, %#lx]: rc %d, model %d", s, l, rc,
		   expect);
	if (!rc) {
		m_resv[m_nresv++] = (struct ival){ s, l, owner };
		m_ready = true;
	}
}

static void op_set_allowed(struct fuzz_input *in)
{
	struct rb_root_cached allowed = RB_ROOT_CACHED;
	struct ival want[4];
	struct iopt_allowed *elm;
	int n = fuzz_u8(in) % 5, i, nwant = 0, rc, expect = 0;
	unsigned long s, l;

	for (i = 0; i < n; i++) {
		if (!dec_range(in, &s, &l) || m_any(want, nwant, s, l))
			continue;
		want[nwant++] = (struct ival){ s, l, 0 };
		if (m_any(m_resv, m_nresv, s, l))
			expect = -EADDRINUSE;
		elm = kzalloc(sizeof(*elm), GFP_KERNEL);
		elm->node.start = s;
		elm->node.last = l;
		interval_tree_insert(&elm->node, &allowed);
	}
	rc = iopt_set_allow_iova(&iopt, &allowed);
	FUZZ_CHECK(rc == expect, "rc %d, model %d", rc, expect);
	FUZZ_CHECK(RB_EMPTY_ROOT(&allowed.rb_root));
	if (rc)
		return;
	qsort(want, nwant, sizeof(*want), cmp_ival);
	memcpy(m_allow, want, sizeof(want));
	m_nallow = nwant;
}

struct usable {
	struct ival r[2 * MAXN + 1];
	int n, stop_at;
};

static int usable_fn(void *data, unsigned long start, unsigned long last)
{
	struct usable *u = data;

	if (u->n == u->stop_at)
		return -EINTR;
	u->r[u->n++] = (struct ival){ start, last, 0 };
	return 0;
}

/* IOVA_RANGES: the free spans of the reserved tree */
static void op_walk_usable(struct fuzz_input *in)
{
	struct ival want[2 * MAXN + 1];
	struct usable u = { .stop_at = (int)(fuzz_u8(in) % 8) - 1 };
	int n = m_free_of(m_resv, m_nresv, want), i, rc;

	rc = iopt_walk_usable_ranges(&iopt, usable_fn, &u);
	FUZZ_CHECK(rc == (u.stop_at >= 0 && u.stop_at < n ? -EINTR : 0),
		   "rc %d", rc);
	FUZZ_CHECK(u.n == (rc ? u.stop_at : n), "%d ranges, model %d", u.n, n);
	for (i = 0; i < u.n; i++)
		FUZZ_CHECK(u.r[i].s == want[i].s && u.r[i].l == want[i].l,
			   "range %d [%#lx, %#lx], model [%#lx, %#lx]", i,
			   u.r[i].s, u.r[i].l, want[i].s, want[i].l);
}

/* The trees hold the model's intervals, the holes are the free IOVA */
static void check_state(void)
{
	struct ival holes[2 * MAXN + 1];
	struct interval_tree_node *node;
	bool matched[MAXN] = { false };
	unsigned long want;
	struct iopt_hole *hole, *child;
	struct rb_node *rb;
	int i, n = 0, nholes, nspare = 0;

	for (node = interval_tree_iter_first(&iopt.area_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX), n++)
		FUZZ_CHECK(m_any(m_areas, m_nareas, node->start, node->last));
	FUZZ_CHECK(n == m_nareas, "%d areas, model %d", n, m_nareas);

	n = 0;
	for (node = interval_tree_iter_first(&iopt.reserved_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX), n++) {
		struct iopt_reserved *r = container_of(node, struct iopt_reserved, node);

		for (i = 0; i < m_nresv; i++)
			if (!matched[i] && m_resv[i].s == node->start &&
			    m_resv[i].l == node->last &&
			    owner_ptr(m_resv[i].owner) == r->owner)
				break;
		FUZZ_CHECK(i < m_nresv, "reserved [%#lx, %#lx] not in the model",
			   node->start, node->last);
		matched[i] = true;
	}
	FUZZ_CHECK(n == m_nresv, "%d reserved, model %d", n, m_nresv);

	n = 0;
	for (node = interval_tree_iter_first(&iopt.allowed_itree, 0, ULONG_MAX);
	     node; node = interval_tree_iter_next(node, 0, ULONG_MAX), n++)
		FUZZ_CHECK(n < m_nallow && node->start == m_allow[n].s &&
			   node->last == m_allow[n].l);
	FUZZ_CHECK(n == m_nallow);

	for (hole = iopt.spare_holes; hole; hole = hole->next_spare)
		nspare++;
	if (!m_ready) {
		FUZZ_CHECK(RB_EMPTY_ROOT(&iopt.holes) && !nspare);
		return;
	}
	nholes = m_holes(holes);
	n = 0;
	for (rb = rb_first(&iopt.holes); rb; rb = rb_next(rb), n++) {
		hole = to_iopt_hole(rb);
		FUZZ_CHECK(n < nholes && hole->start == holes[n].s &&
			   hole->last == holes[n].l,
			   "hole %d [%#lx, %#lx], model [%#lx, %#lx]", n,
			   hole->start, hole->last, holes[n].s, holes[n].l);
		want = hole->last - hole->start;
		child = to_iopt_hole(rb->rb_left);
		if (child && child->subtree_max > want)
			want = child->subtree_max;
		child = to_iopt_hole(rb->rb_right);
		if (child && child->subtree_max > want)
			want = child->subtree_max;
		FUZZ_CHECK(hole->subtree_max == want,
			   "hole [%#lx, %#lx] subtree_max %#lx, want %#lx",
			   hole->start, hole->last, hole->subtree_max, want);
	}
	FUZZ_CHECK(n == nholes, "%d holes, model %d", n, nholes);
	FUZZ_CHECK(n + nspare == m_nareas + m_nresv + 1,
		   "%d hole nodes for %d intervals", n + nspare,
		   m_nareas + m_nresv);
}

static void reset(void)
{
	memset(&iopt, 0, sizeof(iopt));
	init_rwsem(&iopt.iova_rwsem);
	iopt.area_itree = RB_ROOT_CACHED;
	iopt.allowed_itree = RB_ROOT_CACHED;
	iopt.reserved_itree = RB_ROOT_CACHED;
	iopt.iova_alignment = 1;
	iopt.holes = RB_ROOT;
	m_nareas = 0;
	m_nresv = 0;
	m_nallow = 0;
	m_ready = false;
}

/* iopt_destroy_table() */
static void teardown(void)
{
	while (m_nareas)
		k_unmap(m_nareas - 1);
	check_state();
	iopt_free_iova_tree(&iopt.reserved_itree);
	iopt_free_iova_tree(&iopt.allowed_itree);
	iopt_holes_destroy(&iopt);
}

static const char *const op_names[] = {
	"map fixed", "alloc", "alloc", "unmap area", "unmap range", "cut",
	"reserve", "remove owner", "geometry", "set allowed", "alignment",
	"check reserve", "usable ranges",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned long alignments[] = {
		1, PAGE_SIZE, 2 * PAGE_SIZE, HPAGE_PMD_SIZE
	};
	struct fuzz_input in = { .p = data, .left = size };
	unsigned long s, l;
	unsigned int op, arg;
	int rc, expect;

	reset();
	fuzz_cur = &in;
	while (in.left) {
		op = fuzz_u8(&in);
		in.step++;
		in.op = op_names[op % ARRAY_SIZE(op_names)];
		fuzz_arm_failure(op & 0x80 ? 1 + fuzz_u8(&in) % 3 : 0);
		switch (op % ARRAY_SIZE(op_names)) {
		case 0:
			op_map_fixed(&in);
			break;
		case 1:
		case 2:
			op_alloc(&in);
			break;
		case 3:
			if (m_nareas)
				k_unmap(fuzz_u8(&in) % m_nareas);
			break;
		case 4:
			op_unmap_range(&in);
			break;
		case 5:
			arg = fuzz_u8(&in);
			s = dec_len(&in);
			if (m_nareas && s && s <= m_areas[arg % m_nareas].l -
						  m_areas[arg % m_nareas].s)
				k_cut(arg % m_nareas, s);
			break;
		case 6:
			op_reserve(&in);
			break;
		case 7:
			arg = 1 + fuzz_u8(&in) % (OWNERS - 1);
			iopt_remove_reserved_iova(&iopt, owner_ptr(arg));
			m_remove_owner(arg);
			break;
		case 8:
			arg = 4 + fuzz_u8(&in) % 2;
			if (dec_range(&in, &s, &l))
				k_geometry(arg, s, l);
			break;
		case 9:
			op_set_allowed(&in);
			break;
		case 10:
			iopt.iova_alignment = alignments[fuzz_u8(&in) % 4];
			break;
		case 11:
			if (!dec_range(&in, &s, &l))
				break;
			expect = m_any(m_areas, m_nareas, s, l) ||
				 m_any(m_allow, m_nallow, s, l) ? -EADDRINUSE : 0;
			rc = iopt_check_reserve(&iopt, s, l);
			FUZZ_CHECK(rc == expect, "rc %d, model %d", rc, expect);
			break;
		case 12:
			op_walk_usable(&in);
			break;
		}
		check_state();
	}
	in.op = "teardown";
	teardown();
	fuzz_cur = NULL;
	return 0;
}
