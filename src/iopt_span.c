// SPDX-License-Identifier: GPL-2.0-only
/*
 * Span iteration: a walk of one IOVA (or page index) range over one or two
 * interval trees as maximal alternating used and free spans. The kernel's
 * interval_tree_span_iter is not exported, so iopt_span_first() and
 * iopt_span_next() do it with the exported interval tree calls. A used
 * span merges intervals that overlap or touch; its end is found by
 * repeatedly asking which intervals contain the byte after the current
 * end. A free span ends before the lowest interval starting in the rest of
 * the range.
 *
 * Callers: IOVA_RANGES and the automatic allocator (free spans of the
 * reserved tree, used spans of the allowed tree), the hole tree (what a
 * removed reservation frees) and pages.c (which pages domains and accesses
 * hold). Nothing here depends on the rest of the module.
 */
#include <linux/interval_tree.h>
#include <linux/minmax.h>

#include "io_pagetable.h"

/* Largest end of the intervals of all trees that contain @pos */
static bool iopt_span_covered(struct iopt_span_iter *span, unsigned long pos,
			      unsigned long *last)
{
	struct interval_tree_node *node;
	bool found = false;
	unsigned int i;

	for (i = 0; i != span->num_trees; i++) {
		for (node = interval_tree_iter_first(span->trees[i], pos, pos);
		     node; node = interval_tree_iter_next(node, pos, pos)) {
			if (!found || node->last > *last)
				*last = node->last;
			found = true;
		}
	}
	return found;
}

static void iopt_span_fill(struct iopt_span_iter *span, unsigned long pos)
{
	struct interval_tree_node *node;
	unsigned long last, next;
	unsigned int i;

	span->start = pos;
	if (iopt_span_covered(span, pos, &last)) {
		span->is_used = true;
		while (last < span->last_iova &&
		       iopt_span_covered(span, last + 1, &next))
			last = next;
		span->last = min(last, span->last_iova);
		return;
	}

	/* Free up to the lowest interval starting in the rest of the range */
	span->is_used = false;
	span->last = span->last_iova;
	for (i = 0; i != span->num_trees; i++) {
		node = interval_tree_iter_first(span->trees[i], pos,
						span->last_iova);
		if (node && node->start - 1 < span->last)
			span->last = node->start - 1;
	}
}

void iopt_span_first(struct iopt_span_iter *span, struct rb_root_cached **trees,
		     unsigned int num_trees, unsigned long start,
		     unsigned long last)
{
	unsigned int i;

	span->num_trees = num_trees;
	for (i = 0; i != num_trees; i++)
		span->trees[i] = trees[i];
	span->last_iova = last;
	span->done = start > last;
	if (!span->done)
		iopt_span_fill(span, start);
}

void iopt_span_next(struct iopt_span_iter *span)
{
	if (span->last >= span->last_iova) {
		span->done = true;
		return;
	}
	iopt_span_fill(span, span->last + 1);
}
