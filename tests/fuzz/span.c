// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: span iteration (src/iopt_span.c), which IOVA_RANGES, the
 * allocator's regions, the hole tree and pages.c's pin bookkeeping (which
 * pages neither the domains' nor the accesses' ranges cover) all rely on.
 *
 * Two interval trees get intervals that overlap, nest, touch and reach
 * either end of the index space; walks of one or both trees over a range
 * must give exactly the model's spans: the intervals clipped to the range,
 * sorted, merged where they overlap or touch (used), and the gaps between
 * them (free), alternating, covering the range.
 */
#include "fuzz.h"

#include <linux/interval_tree.h>

#include "../../src/io_pagetable.h"

#define MAXN 64

struct span {
	unsigned long s, l;
	bool used;
};

static struct rb_root_cached trees[2];
static struct interval_tree_node *nodes[2][MAXN];
static int nnodes[2];

/* Dense near 0, near 2^32 and at the top, so that intervals meet */
static unsigned long dec_index(struct fuzz_input *in)
{
	unsigned int a = fuzz_u8(in);

	switch (a >> 6) {
	case 0:
	case 1:
		return a & 127;
	case 2:
		return (1UL << 32) + (a & 63);
	}
	return ULONG_MAX - (a & 63);
}

static void dec_range(struct fuzz_input *in, unsigned long *s,
		      unsigned long *l)
{
	unsigned long a = dec_index(in), b = dec_index(in);

	*s = a < b ? a : b;
	*l = a < b ? b : a;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

/* The spans of [s, l] over the trees in @mask */
static int model_spans(unsigned int mask, unsigned long s, unsigned long l,
		       struct span *out)
{
	struct span u[2 * MAXN];
	unsigned long pos = s;
	int t, i, n = 0, nout = 0;

	for (t = 0; t < 2; t++) {
		if (!(mask & (1 << t)))
			continue;
		for (i = 0; i < nnodes[t]; i++) {
			if (nodes[t][i]->start > l || nodes[t][i]->last < s)
				continue;
			u[n].s = nodes[t][i]->start > s ? nodes[t][i]->start : s;
			u[n].l = nodes[t][i]->last < l ? nodes[t][i]->last : l;
			n++;
		}
	}
	qsort(u, n, sizeof(*u), cmp_span);
	for (i = 0; i < n; i++) {
		if (u[i].s > pos) {
			out[nout++] = (struct span){ pos, u[i].s - 1, false };
		} else if (nout && out[nout - 1].used) {
			/* Overlapping or touching the used span before */
			if (u[i].l > out[nout - 1].l)
				out[nout - 1].l = u[i].l;
			goto next;
		}
		out[nout++] = (struct span){ u[i].s, u[i].l, true };
next:
		if (out[nout - 1].l == l)
			return nout;
		pos = out[nout - 1].l + 1;
	}
	out[nout++] = (struct span){ pos, l, false };
	return nout;
}

static void check_walk(unsigned int mask, unsigned long s, unsigned long l)
{
	struct rb_root_cached *walk[2];
	struct span want[2 * MAXN + 1];
	struct iopt_span_iter span;
	unsigned int num = 0;
	int n, i = 0;

	if (mask & 1)
		walk[num++] = &trees[0];
	if (mask & 2)
		walk[num++] = &trees[1];
	n = model_spans(mask, s, l, want);
	for (iopt_span_first(&span, walk, num, s, l); !span.done;
	     iopt_span_next(&span), i++)
		FUZZ_CHECK(i < n && span.start == want[i].s &&
			   span.last == want[i].l && span.is_used == want[i].used,
			   "walk %#x of [%#lx, %#lx]: span %d [%#lx, %#lx] %s, model [%#lx, %#lx] %s",
			   mask, s, l, i, span.start, span.last,
			   span.is_used ? "used" : "free", want[i].s, want[i].l,
			   want[i].used ? "used" : "free");
	FUZZ_CHECK(i == n, "walk %#x of [%#lx, %#lx]: %d spans, model %d", mask,
		   s, l, i, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { .p = data, .left = size };
	struct interval_tree_node *node;
	unsigned int op, t, i;
	unsigned long s, l;

	trees[0] = RB_ROOT_CACHED;
	trees[1] = RB_ROOT_CACHED;
	nnodes[0] = 0;
	nnodes[1] = 0;
	fuzz_cur = &in;
	while (in.left) {
		op = fuzz_u8(&in);
		t = op >> 7;
		in.step++;
		switch (op % 4) {
		case 0:
		case 1:
			in.op = "insert";
			if (nnodes[t] == MAXN)
				break;
			node = calloc(1, sizeof(*node));
			dec_range(&in, &node->start, &node->last);
			interval_tree_insert(node, &trees[t]);
			nodes[t][nnodes[t]++] = node;
			break;
		case 2:
			in.op = "remove";
			if (!nnodes[t])
				break;
			i = fuzz_u8(&in) % nnodes[t];
			interval_tree_remove(nodes[t][i], &trees[t]);
			free(nodes[t][i]);
			nodes[t][i] = nodes[t][--nnodes[t]];
			break;
		case 3:
			in.op = "walk";
			dec_range(&in, &s, &l);
			/* One tree, the other, or both */
			check_walk(1 + (op >> 2) % 3, s, l);
			break;
		}
	}
	for (t = 0; t < 2; t++)
		for (i = 0; i < nnodes[t]; i++) {
			interval_tree_remove(nodes[t][i], &trees[t]);
			free(nodes[t][i]);
		}
	fuzz_cur = NULL;
	return 0;
}
