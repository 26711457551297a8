// SPDX-License-Identifier: GPL-2.0-only
/*
 * The free IOVA of an IO page table as a tree of holes, and the automatic
 * IOVA allocator that searches it (objects.md §7.3).
 *
 * Allocation is first fit. So that it does not walk the areas, the free
 * IOVA is kept as a tree of holes (struct iopt_hole): the maximal free
 * ranges of areas and reserved intervals, by start, each node knowing the
 * largest hole below it. A hole shorter than the length can never hold it,
 * so the search skips whole subtrees of them and checks the exact rule only
 * on holes long enough, in ascending order: the result is exactly that of a
 * full walk. Every change to the areas (io_pagetable.c) or reserved
 * intervals (iopt_reserved.c) updates the holes in the same iova_rwsem
 * critical section, through iopt_holes_take() and iopt_holes_give*();
 * nothing else here depends on the rest of the module.
 */
#include <linux/bug.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/rbtree_augmented.h>
#include <linux/slab.h>

#include "io_pagetable.h"

/*
 * The holes. An area lies in one hole (it intersects no area or reserved
 * interval); a reserved interval may cover several and the gaps between
 * them (other reserved intervals), and removing it frees only what no other
 * interval covers. A new hole needs a node when an area is added in the
 * middle of one, when an area goes between used IOVA on both sides, or
 * when a reserved interval goes. There are never more holes than
 * intervals plus one, so the table holds exactly that many nodes: each
 * area and reserved interval brings one, allocated before the interval is
 * added (which may fail) and freed after it is removed (which may not).
 * The "plus one" is the first hole, [0, ULONG_MAX], which a table gets
 * with its first interval.
 */
struct iopt_hole {
	union {
		struct rb_node node;
		/* While spare */
		struct iopt_hole *next_spare;
	};
	unsigned long start;
	unsigned long last;
	/* Largest last - start of the subtree */
	unsigned long subtree_max;
};

static unsigned long iopt_hole_span(struct iopt_hole *hole)
{
	return hole->last - hole->start;
}

RB_DECLARE_CALLBACKS_MAX(static, iopt_hole_cb, struct iopt_hole, node,
			 unsigned long, subtree_max, iopt_hole_span);

static struct iopt_hole *to_iopt_hole(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct iopt_hole, node) : NULL;
}

/* False while the table never had an area or reserved interval */
static bool iopt_holes_ready(struct io_pagetable *iopt)
{
	return !RB_EMPTY_ROOT(&iopt->holes) || iopt->spare_holes;
}

void iopt_hole_add_spare(struct io_pagetable *iopt, struct iopt_hole *hole)
{
	hole->next_spare = iopt->spare_holes;
	iopt->spare_holes = hole;
}

static struct iopt_hole *iopt_hole_take_spare(struct io_pagetable *iopt)
{
	struct iopt_hole *hole = iopt->spare_holes;

	/* Cannot happen: then the holes lose free IOVA, never gain used */
	if (WARN_ON_ONCE(!hole))
		return NULL;
	iopt->spare_holes = hole->next_spare;
	return hole;
}

/* A spare node becomes the hole [start, last] */
static void iopt_hole_insert(struct io_pagetable *iopt, unsigned long start,
			     unsigned long last)
{
	struct rb_node **link = &iopt->holes.rb_node, *parent = NULL;
	struct iopt_hole *hole = iopt_hole_take_spare(iopt), *cur;

	if (!hole)
		return;
	hole->start = start;
	hole->last = last;
	hole->subtree_max = last - start;
	while (*link) {
		parent = *link;
		cur = to_iopt_hole(parent);
		cur->subtree_max = max(cur->subtree_max, hole->subtree_max);
		link = start < cur->start ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&hole->node, parent, link);
	rb_insert_augmented(&hole->node, &iopt->holes, &iopt_hole_cb);
}

static void iopt_hole_erase(struct io_pagetable *iopt, struct iopt_hole *hole)
{
	rb_erase_augmented(&hole->node, &iopt->holes, &iopt_hole_cb);
	iopt_hole_add_spare(iopt, hole);
}

struct iopt_hole *iopt_hole_alloc(void)
{
	if (iommufd_should_fail())
		return NULL;
	return kzalloc(sizeof(struct iopt_hole), GFP_KERNEL_ACCOUNT);
}

/* The nodes of @n intervals about to be added; nothing changes on failure */
int iopt_holes_prepare(struct io_pagetable *iopt, unsigned int n)
{
	struct iopt_hole *list = NULL, *hole;
	bool first = !iopt_holes_ready(iopt);
	unsigned int i;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	for (i = 0; i != n + first; i++) {
		hole = iopt_hole_alloc();
		if (!hole)
			goto out_free;
		hole->next_spare = list;
		list = hole;
	}
	if (first) {
		hole = list;
		list = hole->next_spare;
		iopt_hole_add_spare(iopt, hole);
		iopt_hole_insert(iopt, 0, ULONG_MAX);
	}
	while ((hole = list)) {
		list = hole->next_spare;
		iopt_hole_add_spare(iopt, hole);
	}
	return 0;

out_free:
	while ((hole = list)) {
		list = hole->next_spare;
		kfree(hole);
	}
	return -ENOMEM;
}

/* An interval was removed: one node less */
void iopt_holes_put_node(struct io_pagetable *iopt)
{
	kfree(iopt_hole_take_spare(iopt));
}

void iopt_holes_destroy(struct io_pagetable *iopt)
{
	struct iopt_hole *hole, *next;

	rbtree_postorder_for_each_entry_safe(hole, next, &iopt->holes, node)
		kfree(hole);
	iopt->holes = RB_ROOT;
	while ((hole = iopt->spare_holes)) {
		iopt->spare_holes = hole->next_spare;
		kfree(hole);
	}
}

/* After changing start or last in place, keeping the order */
static void iopt_hole_changed(struct iopt_hole *hole)
{
	iopt_hole_cb_propagate(&hole->node, NULL);
}

/* The lowest hole ending at or after @pos */
static struct iopt_hole *iopt_hole_lookup(struct io_pagetable *iopt,
					  unsigned long pos)
{
	struct rb_node *rb = iopt->holes.rb_node;
	struct iopt_hole *found = NULL, *hole;

	while (rb) {
		hole = to_iopt_hole(rb);
		if (hole->last < pos) {
			rb = rb->rb_right;
		} else {
			found = hole;
			rb = rb->rb_left;
		}
	}
	return found;
}

/* The lowest hole of the subtree @rb with last - start >= @span */
static struct iopt_hole *iopt_hole_leftmost(struct rb_node *rb,
					    unsigned long span)
{
	struct iopt_hole *hole;

	while (rb && to_iopt_hole(rb)->subtree_max >= span) {
		if (rb->rb_left && to_iopt_hole(rb->rb_left)->subtree_max >= span) {
			rb = rb->rb_left;
			continue;
		}
		hole = to_iopt_hole(rb);
		if (iopt_hole_span(hole) >= span)
			return hole;
		rb = rb->rb_right;
	}
	return NULL;
}

/* The next hole after @hole with last - start >= @span, O(log n) */
static struct iopt_hole *iopt_hole_next(struct iopt_hole *hole,
					unsigned long span)
{
	struct rb_node *rb = &hole->node, *parent;

	if (rb->rb_right && to_iopt_hole(rb->rb_right)->subtree_max >= span)
		return iopt_hole_leftmost(rb->rb_right, span);
	/* Up: each ancestor reached from its left comes next, then its right */
	for (; (parent = rb_parent(rb)); rb = parent) {
		if (rb != parent->rb_left)
			continue;
		hole = to_iopt_hole(parent);
		if (iopt_hole_span(hole) >= span)
			return hole;
		if (parent->rb_right &&
		    to_iopt_hole(parent->rb_right)->subtree_max >= span)
			return iopt_hole_leftmost(parent->rb_right, span);
	}
	return NULL;
}

/* The lowest hole ending at or after @pos with last - start >= @span */
static struct iopt_hole *iopt_hole_first(struct io_pagetable *iopt,
					 unsigned long pos, unsigned long span)
{
	struct iopt_hole *hole = iopt_hole_lookup(iopt, pos);

	if (hole && iopt_hole_span(hole) < span)
		hole = iopt_hole_next(hole, span);
	return hole;
}

/* [start, last] is now used: by a new area or reserved interval */
void iopt_holes_take(struct io_pagetable *iopt, unsigned long start,
		     unsigned long last)
{
	struct iopt_hole *hole = iopt_hole_lookup(iopt, start), *next;
	unsigned long hole_last;

	for (; hole && hole->start <= last; hole = next) {
		next = to_iopt_hole(rb_next(&hole->node));
		if (hole->start < start && hole->last > last) {
			/* Split in two */
			hole_last = hole->last;
			hole->last = start - 1;
			iopt_hole_changed(hole);
			iopt_hole_insert(iopt, last + 1, hole_last);
			return;
		}
		if (hole->start < start) {
			hole->last = start - 1;
			iopt_hole_changed(hole);
		} else if (hole->last > last) {
			hole->start = last + 1;
			iopt_hole_changed(hole);
		} else {
			iopt_hole_erase(iopt, hole);
		}
	}
}

/* [start, last], used until now and in no hole, is free */
void iopt_holes_give(struct io_pagetable *iopt, unsigned long start,
		     unsigned long last)
{
	struct iopt_hole *prev, *next = NULL;
	unsigned long next_last;

	if (last != ULONG_MAX)
		next = iopt_hole_lookup(iopt, last + 1);
	prev = to_iopt_hole(next ? rb_prev(&next->node) : rb_last(&iopt->holes));
	/* Merge with the holes that touch it */
	if (prev && prev->last != start - 1)
		prev = NULL;
	if (next && next->start != last + 1)
		next = NULL;

	if (prev && next) {
		next_last = next->last;
		iopt_hole_erase(iopt, next);
		prev->last = next_last;
		iopt_hole_changed(prev);
	} else if (prev) {
		prev->last = last;
		iopt_hole_changed(prev);
	} else if (next) {
		next->start = start;
		iopt_hole_changed(next);
	} else {
		iopt_hole_insert(iopt, start, last);
	}
}

/* The reserved interval [start, last] went: free what nothing else uses */
void iopt_holes_give_uncovered(struct io_pagetable *iopt, unsigned long start,
			       unsigned long last)
{
	struct rb_root_cached *trees[] = { &iopt->reserved_itree,
					   &iopt->area_itree };
	struct iopt_span_iter span;

	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), start, last);
	     !span.done; iopt_span_next(&span)) {
		if (!span.is_used)
			iopt_holes_give(iopt, span.start, span.last);
	}
}

/* Largest automatic alignment: the THP size, objects.md §7.3 step 2 */
static unsigned long iopt_max_alloc_alignment(void)
{
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		return HPAGE_PMD_SIZE;
	return PAGE_SIZE;
}

struct iopt_alloc {
	unsigned long length;
	unsigned long align;
	unsigned long offset;
	unsigned long iova;
};

/* Place the allocation in [start, last] if it fits, objects.md §7.3 */
static bool iopt_alloc_fits(struct iopt_alloc *alloc, unsigned long start,
			    unsigned long last)
{
	unsigned long iova;

	if (check_add_overflow(start, alloc->align - 1, &iova))
		return false;
	iova = ALIGN_DOWN(iova, alloc->align) | alloc->offset;
	if (iova >= last || last - iova < alloc->length - 1)
		return false;
	alloc->iova = iova;
	return true;
}

/* First fit among the holes inside [start, last] */
static bool iopt_alloc_in_range(struct io_pagetable *iopt,
				struct iopt_alloc *alloc, unsigned long start,
				unsigned long last)
{
	/* What fits starts and ends in the hole: shorter ones never do */
	unsigned long span = alloc->length - 1;
	struct iopt_hole *hole;

	if (!iopt_alloc_fits(alloc, start, last))
		return false;
	/* Nothing was ever mapped or reserved: the range is one hole */
	if (!iopt_holes_ready(iopt))
		return true;
	for (hole = iopt_hole_first(iopt, start, span);
	     hole && hole->start <= last; hole = iopt_hole_next(hole, span)) {
		if (iopt_alloc_fits(alloc, max(hole->start, start),
				    min(hole->last, last)))
			return true;
	}
	return false;
}

int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
		    unsigned long va, unsigned long length)
{
	const unsigned long first = PAGE_SIZE, last = ULONG_MAX - PAGE_SIZE;
	struct rb_root_cached *trees[] = { &iopt->allowed_itree };
	struct iopt_alloc alloc = { .length = length };
	struct iopt_span_iter span;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (!length || length >= ULONG_MAX / 2)
		return -EOVERFLOW;
	alloc.align = roundup_pow_of_two(length);
	if (va)
		alloc.align = min(alloc.align, 1UL << __ffs(va));
	alloc.align = min(alloc.align, iopt_max_alloc_alignment());
	if (alloc.align < iopt->iova_alignment)
		return -EINVAL;
	alloc.offset = va % PAGE_SIZE;

	if (RB_EMPTY_ROOT(&iopt->allowed_itree.rb_root)) {
		if (iopt_alloc_in_range(iopt, &alloc, first, last))
			goto found;
		return -ENOSPC;
	}
	/* Allowed ranges that touch are one region: a MAP may span them */
	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), first, last);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used &&
		    iopt_alloc_in_range(iopt, &alloc, span.start, span.last))
			goto found;
	}
	return -ENOSPC;
found:
	/* The holes are wrong if this is used: better no IOVA than a clash */
	if (WARN_ON_ONCE(iopt_tree_intersects(&iopt->reserved_itree, alloc.iova,
					      alloc.iova + length - 1) ||
			 iopt_tree_intersects(&iopt->area_itree, alloc.iova,
					      alloc.iova + length - 1)))
		return -ENOSPC;
	*iova = alloc.iova;
	return 0;
}
