// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IO page table of an IOAS: areas, reserved intervals, allowed ranges,
 * the IOVA alignment and the automatic IOVA allocator (objects.md §6, §7).
 *
 * Locking: domains_rwsem, then iova_rwsem. Every change to the trees or to
 * the alignment holds iova_rwsem for write; readers of the trees hold it for
 * read. The alignment is only changed with both held for write.
 *
 * Allocation is first fit (objects.md §7.3). So that it does not walk the
 * areas, the free IOVA is kept as a tree of holes (struct iopt_hole): the
 * maximal free ranges of areas and reserved intervals, by start, each node
 * knowing the largest hole below it. A hole shorter than the length can
 * never hold it, so the search skips whole subtrees of them and checks the
 * exact rule only on holes long enough, in ascending order: the result
 * is exactly that of a full walk. Every change to the areas or reserved
 * intervals updates the holes in the same critical section.
 *
 * Span iteration: the kernel's interval_tree_span_iter is not exported, so
 * iopt_span_first()/iopt_span_next() walk a range of one or two interval
 * trees as maximal alternating used and free spans. A used span merges
 * intervals that overlap or touch; its end is found by repeatedly asking
 * which intervals contain the byte after the current end.
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/rbtree_augmented.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "iommufd_private.h"

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

static void iopt_hole_add_spare(struct io_pagetable *iopt,
				struct iopt_hole *hole)
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

static struct iopt_hole *iopt_hole_alloc(void)
{
	if (iommufd_should_fail())
		return NULL;
	return kzalloc(sizeof(struct iopt_hole), GFP_KERNEL_ACCOUNT);
}

/* The nodes of @n intervals about to be added; nothing changes on failure */
static int iopt_holes_prepare(struct io_pagetable *iopt, unsigned int n)
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
static void iopt_holes_put_node(struct io_pagetable *iopt)
{
	kfree(iopt_hole_take_spare(iopt));
}

static void iopt_holes_destroy(struct io_pagetable *iopt)
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
static void iopt_holes_take(struct io_pagetable *iopt, unsigned long start,
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
static void iopt_holes_give(struct io_pagetable *iopt, unsigned long start,
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
static void iopt_holes_give_uncovered(struct io_pagetable *iopt,
				      unsigned long start, unsigned long last)
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

void iopt_init_table(struct io_pagetable *iopt)
{
	init_rwsem(&iopt->domains_rwsem);
	init_rwsem(&iopt->iova_rwsem);
	iopt->area_itree = RB_ROOT_CACHED;
	iopt->allowed_itree = RB_ROOT_CACHED;
	iopt->reserved_itree = RB_ROOT_CACHED;
	iopt->iova_alignment = 1;
	iopt->holes = RB_ROOT;
	iopt->spare_holes = NULL;
	INIT_LIST_HEAD(&iopt->domains);
	xa_init_flags(&iopt->access_list, XA_FLAGS_ALLOC);
}

/* Drop every node of a tree of struct iopt_allowed or iopt_reserved */
void iopt_free_iova_tree(struct rb_root_cached *root)
{
	struct interval_tree_node *node;

	/* Both node types embed the interval_tree_node first */
	while ((node = interval_tree_iter_first(root, 0, ULONG_MAX))) {
		interval_tree_remove(node, root);
		kfree(node);
	}
}

void iopt_destroy_table(struct io_pagetable *iopt)
{
	unsigned long unmapped;

	/* Domains and accesses leave first: they hold the IOAS */
	WARN_ON(!list_empty(&iopt->domains));
	WARN_ON(!xa_empty(&iopt->access_list));
	/* Fails only if access pins were leaked */
	WARN_ON(iopt_unmap_all(iopt, &unmapped));
	iopt_free_iova_tree(&iopt->reserved_itree);
	iopt_free_iova_tree(&iopt->allowed_itree);
	iopt_holes_destroy(iopt);
	xa_destroy(&iopt->access_list);
}

static struct iopt_area *iopt_area_iter_first(struct io_pagetable *iopt,
					      unsigned long start,
					      unsigned long last)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&iopt->area_itree, start, last);
	return node ? container_of(node, struct iopt_area, node) : NULL;
}

static struct iopt_area *iopt_area_iter_next(struct iopt_area *area,
					     unsigned long start,
					     unsigned long last)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_next(&area->node, start, last);
	return node ? container_of(node, struct iopt_area, node) : NULL;
}

static bool iopt_tree_intersects(struct rb_root_cached *root,
				 unsigned long start, unsigned long last)
{
	return interval_tree_iter_first(root, start, last);
}

/* What the alignment must be now, objects.md §6 */
static unsigned long iopt_calculate_iova_alignment(struct io_pagetable *iopt)
{
	unsigned long alignment = iopt->disable_large_pages ? PAGE_SIZE : 1;
	struct iopt_domain *domain;

	lockdep_assert_held(&iopt->domains_rwsem);

	list_for_each_entry(domain, &iopt->domains, iopt_item)
		alignment = max(alignment, 1UL << __ffs(domain->pgsize_bitmap));
	if (iopt->num_pin_accesses)
		alignment = max(alignment, PAGE_SIZE);
	return alignment;
}

/* Every area must keep its IOVA, length and in-page offset aligned */
static int iopt_check_iova_alignment(struct io_pagetable *iopt,
				     unsigned long alignment)
{
	struct iopt_area *area;

	lockdep_assert_held(&iopt->iova_rwsem);

	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		if (iopt_area_iova(area) % alignment ||
		    iopt_area_length(area) % alignment ||
		    (area->pages_offset % PAGE_SIZE) % alignment)
			return -EADDRINUSE;
	}
	return 0;
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

static int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
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

/* A caller-chosen IOVA range for MAP/COPY, uapi.md §5.5 step 7 */
static int iopt_check_iova(struct io_pagetable *iopt, unsigned long iova,
			   unsigned long length)
{
	unsigned long last;

	lockdep_assert_held(&iopt->iova_rwsem);

	if (iova % iopt->iova_alignment)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (iopt_tree_intersects(&iopt->reserved_itree, iova, last))
		return -EINVAL;
	if (iopt_tree_intersects(&iopt->area_itree, iova, last))
		return -EEXIST;
	return 0;
}

void iopt_free_pages_list(struct list_head *pages_list)
{
	struct iopt_pages_list *elm, *tmp;

	list_for_each_entry_safe(elm, tmp, pages_list, next) {
		list_del(&elm->next);
		if (elm->pages)
			iopt_put_pages(elm->pages);
		kfree(elm->area);
		kfree(elm);
	}
}

static void iopt_area_set_range(struct iopt_area *area, unsigned long iova,
				unsigned long pages_offset,
				unsigned long length)
{
	area->node.start = iova;
	area->node.last = iova + length - 1;
	area->pages_offset = pages_offset;
	area->pages_node.start = pages_offset / PAGE_SIZE;
	area->pages_node.last = (pages_offset + length - 1) / PAGE_SIZE;
}

static void iopt_remove_area(struct io_pagetable *iopt, struct iopt_area *area);

/**
 * iopt_map_pages() - map pieces of user memory at one IOVA range
 * @iopt: the IO page table
 * @pages_list: list of struct iopt_pages_list, mapped back to back
 * @length: total length of the pieces
 * @dst_iova: in: the IOVA unless @flags has IOPT_ALLOC_IOVA; out: the IOVA
 * @iommu_prot: IOMMU_READ / IOMMU_WRITE of the new areas
 * @flags: IOPT_ALLOC_IOVA
 *
 * Creates one area per piece and loads them into the IOAS's domains,
 * pinning what needs pinning. Either all are created or none.
 *
 * Return: 0 or the errno of uapi.md §5.5 steps 6 to 9.
 */
int iopt_map_pages(struct io_pagetable *iopt, struct list_head *pages_list,
		   unsigned long length, unsigned long *dst_iova,
		   int iommu_prot, unsigned int flags)
{
	struct iopt_pages_list *elm;
	unsigned int num_areas;
	struct iopt_area *area;
	unsigned long iova;
	int rc = 0;

	/* Allocate every area first: past the checks nothing may fail */
	list_for_each_entry(elm, pages_list, next) {
		if (iommufd_should_fail())
			return -ENOMEM;
		elm->area = kzalloc(sizeof(*elm->area), GFP_KERNEL_ACCOUNT);
		if (!elm->area)
			return -ENOMEM;
	}

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (length % iopt->iova_alignment) {
		rc = -EINVAL;
		goto out_unlock;
	}
	elm = list_first_entry(pages_list, struct iopt_pages_list, next);
	if (flags & IOPT_ALLOC_IOVA)
		rc = iopt_alloc_iova(iopt, dst_iova,
				     (unsigned long)elm->pages->uptr +
					     elm->pages_offset,
				     length);
	else
		rc = iopt_check_iova(iopt, *dst_iova, length);
	if (rc)
		goto out_unlock;

	list_for_each_entry(elm, pages_list, next) {
		if ((elm->pages_offset % PAGE_SIZE) % iopt->iova_alignment) {
			rc = -EINVAL;
			goto out_unlock;
		}
		/* COPY cannot grant write access the MAP did not have */
		if ((iommu_prot & IOMMU_WRITE) && !elm->pages->writable) {
			rc = -EPERM;
			goto out_unlock;
		}
	}

	/* A hole node per area: after this, putting them in cannot fail */
	num_areas = 0;
	list_for_each_entry(elm, pages_list, next)
		num_areas++;
	rc = iopt_holes_prepare(iopt, num_areas);
	if (rc)
		goto out_unlock;

	iova = *dst_iova;
	list_for_each_entry(elm, pages_list, next) {
		area = elm->area;
		elm->area = NULL;
		area->iopt = iopt;
		area->pages = elm->pages;
		kref_get(&area->pages->kref);
		iopt_area_set_range(area, iova, elm->pages_offset, elm->length);
		area->iommu_prot = iommu_prot;
		area->seq = ++iopt->area_seq;
		interval_tree_insert(&area->node, &iopt->area_itree);
		iova += elm->length;
	}
	iopt_holes_take(iopt, *dst_iova, iova - 1);

	/* Load them into the domains; on failure take them all out again */
	for (area = iopt_area_iter_first(iopt, *dst_iova, iova - 1); area;
	     area = iopt_area_iter_next(area, *dst_iova, iova - 1)) {
		rc = iopt_area_fill_domains(area, iopt);
		if (rc)
			break;
	}
	if (rc) {
		struct iopt_area *next;

		for (area = iopt_area_iter_first(iopt, *dst_iova, iova - 1);
		     area; area = next) {
			next = iopt_area_iter_next(area, *dst_iova, iova - 1);
			iopt_area_unfill_domains(area, iopt);
			iopt_remove_area(iopt, area);
		}
	}
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	return rc;
}

/**
 * iopt_map_user_pages() - map user memory of the calling process
 * @ictx: context, for the accounting mode
 * @iopt: the IO page table
 * @iova: in: the IOVA unless @flags has IOPT_ALLOC_IOVA; out: the IOVA
 * @uptr: user VA of the first byte
 * @length: bytes
 * @iommu_prot: IOMMU_READ / IOMMU_WRITE
 * @flags: IOPT_ALLOC_IOVA
 *
 * Return: 0 or the errno of uapi.md §5.5 steps 5 to 8.
 */
int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, void __user *uptr,
			unsigned long length, int iommu_prot,
			unsigned int flags)
{
	struct iopt_pages_list elm = {};
	LIST_HEAD(pages_list);
	int rc;

	elm.pages = iopt_alloc_pages(ictx, uptr, length,
				     iommu_prot & IOMMU_WRITE);
	if (IS_ERR(elm.pages))
		return PTR_ERR(elm.pages);
	elm.pages_offset = (unsigned long)uptr % PAGE_SIZE;
	elm.length = length;
	list_add(&elm.next, &pages_list);

	rc = iopt_map_pages(iopt, &pages_list, length, iova, iommu_prot, flags);
	kfree(elm.area);
	iopt_put_pages(elm.pages);
	return rc;
}

/**
 * iopt_get_pages() - describe the user memory behind an IOVA range
 * @iopt: the IO page table
 * @iova: first IOVA
 * @length: bytes
 * @pages_list: out: one struct iopt_pages_list per area touched, each with
 *	a reference on its pages; free with iopt_free_pages_list()
 *
 * Return: 0, -EINVAL for length 0, -EOVERFLOW, -ENOENT unless contiguous
 * areas cover the whole range, -ENOMEM.
 */
int iopt_get_pages(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long length, struct list_head *pages_list)
{
	unsigned long last, next = iova;
	struct iopt_pages_list *elm;
	struct iopt_area *area;
	int rc = -ENOENT;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	down_read(&iopt->iova_rwsem);
	for (area = iopt_area_iter_first(iopt, iova, last); area;
	     area = iopt_area_iter_next(area, iova, last)) {
		if (iopt_area_iova(area) > next)
			break;
		if (iommufd_should_fail()) {
			rc = -ENOMEM;
			break;
		}
		elm = kzalloc(sizeof(*elm), GFP_KERNEL_ACCOUNT);
		if (!elm) {
			rc = -ENOMEM;
			break;
		}
		elm->pages = area->pages;
		kref_get(&elm->pages->kref);
		elm->pages_offset = area->pages_offset +
				    (next - iopt_area_iova(area));
		elm->length = min(iopt_area_last_iova(area), last) - next + 1;
		list_add_tail(&elm->next, pages_list);
		if (iopt_area_last_iova(area) >= last) {
			rc = 0;
			break;
		}
		next = iopt_area_last_iova(area) + 1;
	}
	up_read(&iopt->iova_rwsem);
	if (rc)
		iopt_free_pages_list(pages_list);
	return rc;
}

/* Does any area intersect [iova, iova + length - 1]? */
bool iopt_area_intersects(struct io_pagetable *iopt, unsigned long iova,
			  unsigned long length)
{
	unsigned long last;
	bool ret;

	if (!length || check_add_overflow(iova, length - 1, &last))
		return false;
	down_read(&iopt->iova_rwsem);
	ret = iopt_tree_intersects(&iopt->area_itree, iova, last);
	up_read(&iopt->iova_rwsem);
	return ret;
}

static void iopt_remove_area(struct io_pagetable *iopt, struct iopt_area *area)
{
	lockdep_assert_held_write(&iopt->iova_rwsem);
	WARN_ON(area->storage_domain);

	interval_tree_remove(&area->node, &iopt->area_itree);
	iopt_holes_give(iopt, iopt_area_iova(area), iopt_area_last_iova(area));
	iopt_holes_put_node(iopt);
	iopt_put_pages(area->pages);
	kfree(area);
}

/* Rounds of unmap callbacks an area's access pins get to go away */
#define IOPT_UNMAP_ACCESS_TRIES 100

/*
 * The area an unmapper marked, if it is still there: it may have been
 * removed (by another unmapper) while the locks were dropped, and another
 * area created at its IOVA, even in its memory. Marked areas are never
 * split, so the one we marked still starts at @iova.
 */
static struct iopt_area *iopt_area_marked(struct io_pagetable *iopt,
					  unsigned long iova, u64 seq)
{
	struct iopt_area *area;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (!seq)
		return NULL;
	area = iopt_area_iter_first(iopt, iova, iova);
	return area && area->seq == seq ? area : NULL;
}

/* Give up our mark on the area numbered @seq at @iova, if it still exists */
static void iopt_area_unmark(struct io_pagetable *iopt, unsigned long iova,
			     u64 seq)
{
	struct iopt_area *area = iopt_area_marked(iopt, iova, seq);

	if (area && !WARN_ON(!area->prevent_access))
		area->prevent_access--;
}

/*
 * Remove the areas inside [start, last]; an area sticking out stops it.
 * An area accesses have pinned is marked so that they cannot pin or read
 * it any more, the accesses are told to unpin it (without our locks: their
 * callbacks unpin, which takes them), and the walk starts over. Pins that
 * stay through IOPT_UNMAP_ACCESS_TRIES rounds fail the unmap (objects.md
 * §8.1). This call marks one area at a time, and knows it by IOVA and
 * sequence number, never by pointer: the locks are dropped in between.
 */
static int iopt_unmap_iova_range(struct io_pagetable *iopt, unsigned long start,
				 unsigned long last, unsigned long *unmapped)
{
	unsigned long unmapped_bytes = 0, iova, length, marked_iova = 0;
	struct iopt_area *area, *next;
	unsigned int tries = 0;
	/* The area this call keeps from accesses until it removes it; 0: none */
	u64 marked_seq = 0;
	int rc = 0;

again:
	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	for (area = iopt_area_iter_first(iopt, start, last); area; area = next) {
		next = iopt_area_iter_next(area, start, last);
		if (iopt_area_iova(area) < start ||
		    iopt_area_last_iova(area) > last) {
			rc = -ENOENT;
			break;
		}
		if (area->num_accesses) {
			if (tries++ == IOPT_UNMAP_ACCESS_TRIES) {
				rc = -EDEADLOCK;
				break;
			}
			if (area->seq != marked_seq) {
				/* We now wait for this one: the other may go on */
				iopt_area_unmark(iopt, marked_iova, marked_seq);
				area->prevent_access++;
				marked_seq = area->seq;
				marked_iova = iopt_area_iova(area);
			}
			iova = iopt_area_iova(area);
			length = iopt_area_length(area);
			up_write(&iopt->iova_rwsem);
			up_read(&iopt->domains_rwsem);
			iommufd_access_notify_unmap(iopt, iova, length);
			goto again;
		}
		tries = 0;
		/* Our mark goes with the area */
		if (area->seq == marked_seq)
			marked_seq = 0;
		unmapped_bytes += iopt_area_length(area);
		iopt_area_unfill_domains(area, iopt);
		iopt_remove_area(iopt, area);
	}
	/* What stays mapped is usable again, unless another unmapper keeps it */
	iopt_area_unmark(iopt, marked_iova, marked_seq);
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);

	if (!rc && !unmapped_bytes && !(start == 0 && last == ULONG_MAX))
		rc = -ENOENT;
	*unmapped = unmapped_bytes;
	return rc;
}

/**
 * iopt_unmap_iova() - remove the areas that lie inside an IOVA range
 * @iopt: the IO page table
 * @iova: first IOVA
 * @length: bytes
 * @unmapped: out: bytes removed, also when an error stopped the walk
 *
 * Return: 0, -EOVERFLOW or -EINVAL for a bad range, -ENOENT if an area
 * sticks out of the range (areas before it stay removed) or none is inside.
 */
int iopt_unmap_iova(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long length, unsigned long *unmapped)
{
	unsigned long last;

	*unmapped = 0;
	if (iova == ULONG_MAX || length == ULONG_MAX)
		return -EOVERFLOW;
	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return iopt_unmap_iova_range(iopt, iova, last, unmapped);
}

/**
 * iopt_unmap_all() - remove every area
 * @iopt: the IO page table
 * @unmapped: out: bytes removed
 *
 * Return: 0.
 */
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped)
{
	return iopt_unmap_iova_range(iopt, 0, ULONG_MAX, unmapped);
}

/* Split the area holding both @iova - 1 and @iova so @iova starts one */
static int iopt_cut_one(struct io_pagetable *iopt, unsigned long iova,
			struct iopt_area *right)
{
	struct iopt_area *area;

	struct iopt_pages *pages;
	unsigned long offset;

	area = iopt_area_iter_first(iopt, iova, iova);
	if (!area || iopt_area_iova(area) == iova)
		return 0;
	/* Large IOPTEs cannot be cut in two; access pins are per area */
	if (iova % iopt->iova_alignment || area->large_loaded ||
	    area->num_accesses)
		return -EINVAL;
	/* Another unmap is waiting for its access pins to go */
	if (area->prevent_access)
		return -EBUSY;

	pages = area->pages;
	offset = area->pages_offset + (iova - iopt_area_iova(area));
	right->iopt = iopt;
	right->pages = pages;
	kref_get(&pages->kref);
	right->iommu_prot = area->iommu_prot;
	right->seq = ++iopt->area_seq;
	iopt_area_set_range(right, iova, offset,
			    iopt_area_last_iova(area) - iova + 1);

	/* The IOPTEs stay: only the bookkeeping of the halves changes */
	mutex_lock(&pages->mutex);
	if (area->storage_domain)
		interval_tree_remove(&area->pages_node, &pages->domains_itree);
	interval_tree_remove(&area->node, &iopt->area_itree);
	iopt_area_set_range(area, iopt_area_iova(area), area->pages_offset,
			    iova - iopt_area_iova(area));
	interval_tree_insert(&area->node, &iopt->area_itree);
	interval_tree_insert(&right->node, &iopt->area_itree);
	if (area->storage_domain) {
		right->storage_domain = area->storage_domain;
		interval_tree_insert(&area->pages_node, &pages->domains_itree);
		interval_tree_insert(&right->pages_node, &pages->domains_itree);
	}
	mutex_unlock(&pages->mutex);
	return 1;
}

/**
 * iopt_cut_iova() - split areas so that each IOVA starts an area
 * @iopt: the IO page table
 * @iovas: IOVAs at which areas must begin (0 is skipped)
 * @num_iovas: number of entries
 *
 * Used by the VFIO type1 v1 emulation to unmap part of a mapping.
 *
 * Return: 0, -EINVAL for an IOVA that is not aligned or inside an area
 * loaded with large IOPTEs or pinned by an access, -EBUSY inside an area
 * another unmap is removing, -ENOMEM.
 */
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  size_t num_iovas)
{
	struct iopt_area *right = NULL;
	struct iopt_hole *hole = NULL;
	int rc = 0;
	size_t i;

	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	for (i = 0; i != num_iovas; i++) {
		if (!iovas[i])
			continue;
		if (!right) {
			right = kzalloc(sizeof(*right), GFP_KERNEL_ACCOUNT);
			if (!right) {
				rc = -ENOMEM;
				break;
			}
		}
		/* The new area brings its hole node too */
		if (!hole) {
			hole = iopt_hole_alloc();
			if (!hole) {
				rc = -ENOMEM;
				break;
			}
		}
		rc = iopt_cut_one(iopt, iovas[i], right);
		if (rc < 0)
			break;
		if (rc) {
			right = NULL;
			iopt_hole_add_spare(iopt, hole);
			hole = NULL;
		}
		rc = 0;
	}
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	kfree(right);
	kfree(hole);
	return rc;
}

/* Neither an area nor an allowed range may lie in what gets reserved */
static int iopt_check_reserve(struct io_pagetable *iopt, unsigned long start,
			      unsigned long last)
{
	if (iopt_tree_intersects(&iopt->area_itree, start, last) ||
	    iopt_tree_intersects(&iopt->allowed_itree, start, last))
		return -EADDRINUSE;
	return 0;
}

static struct iopt_reserved *iopt_reserved_alloc(unsigned long start,
						 unsigned long last,
						 void *owner)
{
	struct iopt_reserved *reserved;

	if (iommufd_should_fail())
		return NULL;
	reserved = kzalloc(sizeof(*reserved), GFP_KERNEL_ACCOUNT);
	if (reserved) {
		reserved->node.start = start;
		reserved->node.last = last;
		reserved->owner = owner;
	}
	return reserved;
}

/* Its hole node prepared with iopt_holes_prepare(): cannot fail */
static void iopt_reserved_insert(struct io_pagetable *iopt,
				 struct iopt_reserved *reserved)
{
	interval_tree_insert(&reserved->node, &iopt->reserved_itree);
	iopt_holes_take(iopt, reserved->node.start, reserved->node.last);
}

static int iopt_reserve_iova_locked(struct io_pagetable *iopt,
				    unsigned long start, unsigned long last,
				    void *owner)
{
	struct iopt_reserved *reserved;
	int rc;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	rc = iopt_check_reserve(iopt, start, last);
	if (rc)
		return rc;
	reserved = iopt_reserved_alloc(start, last, owner);
	if (!reserved)
		return -ENOMEM;
	if (iopt_holes_prepare(iopt, 1)) {
		kfree(reserved);
		return -ENOMEM;
	}
	iopt_reserved_insert(iopt, reserved);
	return 0;
}

/**
 * iopt_reserve_iova() - forbid mapping an IOVA range
 * @iopt: the IO page table
 * @start: first IOVA
 * @last: last IOVA, inclusive
 * @owner: tag for removing it again, or NULL to keep it until destroy
 *
 * Return: 0, -EADDRINUSE if an area or an allowed range intersects it,
 * -ENOMEM.
 */
int iopt_reserve_iova(struct io_pagetable *iopt, unsigned long start,
		      unsigned long last, void *owner)
{
	int rc;

	down_write(&iopt->iova_rwsem);
	rc = iopt_reserve_iova_locked(iopt, start, last, owner);
	up_write(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_set_allow_iova() - replace the allowed list
 * @iopt: the IO page table
 * @allowed_iova: tree of struct iopt_allowed, taken over on success
 *
 * The nodes of @allowed_iova are taken over, or freed on failure.
 *
 * Return: 0, or -EADDRINUSE if a new range intersects a reserved interval;
 * then the old list stays in force.
 */
int iopt_set_allow_iova(struct io_pagetable *iopt,
			struct rb_root_cached *allowed_iova)
{
	struct interval_tree_node *node;
	struct rb_root_cached old;
	int rc = 0;

	down_write(&iopt->iova_rwsem);
	for (node = interval_tree_iter_first(allowed_iova, 0, ULONG_MAX); node;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		if (iopt_tree_intersects(&iopt->reserved_itree, node->start,
					 node->last)) {
			rc = -EADDRINUSE;
			break;
		}
	}
	if (!rc) {
		old = iopt->allowed_itree;
		iopt->allowed_itree = *allowed_iova;
		*allowed_iova = old;
	}
	up_write(&iopt->iova_rwsem);

	iopt_free_iova_tree(allowed_iova);
	return rc;
}

unsigned long iopt_get_iova_alignment(struct io_pagetable *iopt)
{
	unsigned long alignment;

	down_read(&iopt->iova_rwsem);
	alignment = iopt->iova_alignment;
	up_read(&iopt->iova_rwsem);
	return alignment;
}

bool iopt_large_pages_enabled(struct io_pagetable *iopt)
{
	bool enabled;

	down_read(&iopt->iova_rwsem);
	enabled = !iopt->disable_large_pages;
	up_read(&iopt->iova_rwsem);
	return enabled;
}

/**
 * iopt_set_large_pages() - IOMMU_OPTION_HUGE_PAGES
 * @iopt: the IO page table
 * @enable: false to map with PAGE_SIZE IOPTEs only
 *
 * Disabling raises the alignment to at least PAGE_SIZE.
 *
 * Return: 0, or -EADDRINUSE if an area is not aligned for that.
 */
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable)
{
	unsigned long alignment;
	int rc = 0;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (iopt->disable_large_pages == !enable)
		goto out_unlock;
	/* Areas loaded with large IOPTEs would stay so: refuse */
	if (!enable && iopt->num_domains &&
	    !RB_EMPTY_ROOT(&iopt->area_itree.rb_root)) {
		rc = -EINVAL;
		goto out_unlock;
	}

	iopt->disable_large_pages = !enable;
	alignment = iopt_calculate_iova_alignment(iopt);
	if (alignment > iopt->iova_alignment) {
		rc = iopt_check_iova_alignment(iopt, alignment);
		if (rc) {
			iopt->disable_large_pages = false;
			goto out_unlock;
		}
	}
	iopt->iova_alignment = alignment;
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}

/**
 * iopt_walk_usable_ranges() - report the IOVA ranges that can be mapped
 * @iopt: the IO page table
 * @fn: called for each maximal range outside every reserved interval
 * @data: passed to @fn
 *
 * @fn runs with iova_rwsem held for read and may fault on user memory.
 *
 * Return: 0 or the first error of @fn.
 */
int iopt_walk_usable_ranges(struct io_pagetable *iopt, iopt_range_fn fn,
			    void *data)
{
	struct rb_root_cached *trees[] = { &iopt->reserved_itree };
	struct iopt_span_iter span;
	int rc = 0;

	down_read(&iopt->iova_rwsem);
	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), 0, ULONG_MAX);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used)
			continue;
		rc = fn(data, span.start, span.last);
		if (rc)
			break;
	}
	up_read(&iopt->iova_rwsem);
	return rc;
}

/* Drop the reserved intervals of @owner */
static void iopt_remove_reserved_locked(struct io_pagetable *iopt, void *owner)
{
	struct interval_tree_node *node, *next;
	struct iopt_reserved *reserved;

	lockdep_assert_held_write(&iopt->iova_rwsem);

	for (node = interval_tree_iter_first(&iopt->reserved_itree, 0,
					     ULONG_MAX);
	     node; node = next) {
		next = interval_tree_iter_next(node, 0, ULONG_MAX);
		reserved = container_of(node, struct iopt_reserved, node);
		if (reserved->owner != owner)
			continue;
		interval_tree_remove(node, &iopt->reserved_itree);
		iopt_holes_give_uncovered(iopt, node->start, node->last);
		iopt_holes_put_node(iopt);
		kfree(reserved);
	}
}

/**
 * iopt_remove_reserved_iova() - drop every reserved interval of an owner
 * @iopt: the IO page table
 * @owner: the owner given to iopt_reserve_iova(), not NULL
 */
void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner)
{
	down_write(&iopt->iova_rwsem);
	iopt_remove_reserved_locked(iopt, owner);
	up_write(&iopt->iova_rwsem);
}

/**
 * iopt_table_add_domain() - add a domain to an IOAS and load every area
 * @iopt: the IO page table
 * @domain: a domain of no other IOAS
 *
 * Reserves the IOVA outside the domain's aperture, raises the alignment to
 * the domain's smallest page size and loads every area into it (objects.md
 * §5.3 "Adding a domain").
 *
 * Return: 0; -EINVAL if the domain's smallest page exceeds PAGE_SIZE;
 * -EADDRINUSE if an area or allowed range conflicts with the alignment or
 * the aperture; a pinning error. Nothing changes on failure.
 */
int iopt_table_add_domain(struct io_pagetable *iopt, struct iopt_domain *domain)
{
	unsigned long granule = 1UL << __ffs(domain->pgsize_bitmap);
	struct iopt_area *area, *done;
	unsigned long alignment;
	int rc = 0;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (granule > PAGE_SIZE) {
		rc = -EINVAL;
		goto out_unlock;
	}
	alignment = max(iopt->iova_alignment, granule);
	rc = iopt_check_iova_alignment(iopt, alignment);
	if (rc)
		goto out_unlock;

	if (domain->aperture_start)
		rc = iopt_reserve_iova_locked(iopt, 0,
					      domain->aperture_start - 1,
					      domain);
	if (!rc && domain->aperture_last != ULONG_MAX)
		rc = iopt_reserve_iova_locked(iopt, domain->aperture_last + 1,
					      ULONG_MAX, domain);
	if (rc)
		goto out_reserved;

	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		mutex_lock(&area->pages->mutex);
		rc = iopt_area_fill_domain(area, domain);
		mutex_unlock(&area->pages->mutex);
		if (rc)
			goto out_unfill;
	}

	list_add_tail(&domain->iopt_item, &iopt->domains);
	iopt->num_domains++;
	iopt->iova_alignment = alignment;
	domain->iopt = iopt;
	goto out_unlock;

out_unfill:
	for (done = iopt_area_iter_first(iopt, 0, ULONG_MAX); done != area;
	     done = iopt_area_iter_next(done, 0, ULONG_MAX)) {
		mutex_lock(&done->pages->mutex);
		iopt_area_unfill_domain(done, domain, !iopt->num_domains);
		mutex_unlock(&done->pages->mutex);
	}
out_reserved:
	iopt_remove_reserved_locked(iopt, domain);
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}

/**
 * iopt_table_remove_domain() - take a domain out of its IOAS
 * @iopt: the IO page table
 * @domain: a domain added with iopt_table_add_domain()
 *
 * Unmaps every area from it (unpinning what no other domain needs), drops
 * its aperture reservations and recomputes the alignment.
 */
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iopt_domain *domain)
{
	struct iopt_area *area;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	list_del(&domain->iopt_item);
	iopt->num_domains--;
	domain->iopt = NULL;

	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		mutex_lock(&area->pages->mutex);
		if (area->storage_domain == domain && iopt->num_domains)
			area->storage_domain =
				list_first_entry(&iopt->domains,
						 struct iopt_domain, iopt_item);
		iopt_area_unfill_domain(area, domain, !iopt->num_domains);
		mutex_unlock(&area->pages->mutex);
		cond_resched();
	}

	iopt_remove_reserved_locked(iopt, domain);
	iopt->iova_alignment = iopt_calculate_iova_alignment(iopt);
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
}

/**
 * iopt_domain_set_geometry() - the IOMMU driver changed a domain's geometry
 * @domain: a domain, in an IO page table or not
 * @pgsize_bitmap: its page sizes now
 * @aperture_start: the first IOVA it translates now
 * @aperture_last: the last IOVA it translates now
 *
 * IOMMU drivers may narrow a domain's aperture, or add page sizes, when a
 * device first attaches (Intel's does). A domain in no table just takes
 * the values (its owner is its only user then). A domain in a table is
 * changed under the table's locks, which its readers take: its aperture
 * reservations are replaced and the alignment is recomputed.
 *
 * Return: 0; -EINVAL if the smallest page exceeds PAGE_SIZE; -EADDRINUSE if
 * an area or an allowed range lies outside the new aperture or is not
 * aligned for the new alignment; -ENOMEM. Nothing changes on failure.
 */
int iopt_domain_set_geometry(struct iopt_domain *domain,
			     unsigned long pgsize_bitmap,
			     unsigned long aperture_start,
			     unsigned long aperture_last)
{
	struct io_pagetable *iopt = domain->iopt;
	unsigned long old_pgsizes = domain->pgsize_bitmap, alignment;
	struct iopt_reserved *below = NULL, *above = NULL;
	int rc = 0;

	if (!iopt) {
		domain->pgsize_bitmap = pgsize_bitmap;
		domain->aperture_start = aperture_start;
		domain->aperture_last = aperture_last;
		return 0;
	}

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (pgsize_bitmap == old_pgsizes &&
	    aperture_start == domain->aperture_start &&
	    aperture_last == domain->aperture_last)
		goto out_unlock;
	if (!pgsize_bitmap || 1UL << __ffs(pgsize_bitmap) > PAGE_SIZE) {
		rc = -EINVAL;
		goto out_unlock;
	}

	domain->pgsize_bitmap = pgsize_bitmap;
	alignment = iopt_calculate_iova_alignment(iopt);
	if (alignment > iopt->iova_alignment)
		rc = iopt_check_iova_alignment(iopt, alignment);
	if (!rc && aperture_start)
		rc = iopt_check_reserve(iopt, 0, aperture_start - 1);
	if (!rc && aperture_last != ULONG_MAX)
		rc = iopt_check_reserve(iopt, aperture_last + 1, ULONG_MAX);
	if (rc)
		goto out_restore;

	/* Everything first, so that the swap below cannot fail */
	rc = -ENOMEM;
	if (aperture_start) {
		below = iopt_reserved_alloc(0, aperture_start - 1, domain);
		if (!below)
			goto out_restore;
	}
	if (aperture_last != ULONG_MAX) {
		above = iopt_reserved_alloc(aperture_last + 1, ULONG_MAX,
					    domain);
		if (!above)
			goto out_restore;
	}
	if (iopt_holes_prepare(iopt, !!below + !!above))
		goto out_restore;
	rc = 0;

	iopt_remove_reserved_locked(iopt, domain);
	if (below)
		iopt_reserved_insert(iopt, below);
	if (above)
		iopt_reserved_insert(iopt, above);
	domain->aperture_start = aperture_start;
	domain->aperture_last = aperture_last;
	iopt->iova_alignment = alignment;
	goto out_unlock;

out_restore:
	kfree(below);
	kfree(above);
	domain->pgsize_bitmap = old_pgsizes;
out_unlock:
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}

/**
 * iopt_domains_pgsize_bitmap() - page sizes all domains of a table support
 * @iopt: the IO page table
 *
 * Return: the AND of their page-size bitmaps; ULONG_MAX without domains.
 */
unsigned long iopt_domains_pgsize_bitmap(struct io_pagetable *iopt)
{
	unsigned long pgsizes = ULONG_MAX;
	struct iopt_domain *domain;

	down_read(&iopt->domains_rwsem);
	list_for_each_entry(domain, &iopt->domains, iopt_item)
		pgsizes &= domain->pgsize_bitmap;
	up_read(&iopt->domains_rwsem);
	return pgsizes;
}

/**
 * iopt_domains_enforce_cache_coherency() - do all domains keep DMA coherent?
 * @iopt: the IO page table
 *
 * Return: true if every domain of the table enforces cache coherency (also
 * with none), false otherwise.
 */
bool iopt_domains_enforce_cache_coherency(struct io_pagetable *iopt)
{
	struct iopt_domain *domain;
	bool enforced = true;

	down_read(&iopt->domains_rwsem);
	list_for_each_entry(domain, &iopt->domains, iopt_item)
		enforced &= domain->enforce_cache_coherency;
	up_read(&iopt->domains_rwsem);
	return enforced;
}

/**
 * iopt_add_access() - attach an access to an IO page table
 * @iopt: the IO page table
 * @access: the access, for unmap notifications
 * @needs_pin: the access pins pages: the alignment becomes PAGE_SIZE
 * @id: out: its index in access_list, for iopt_remove_access()
 *
 * An access may be on two lists at once while it moves (replace).
 *
 * Return: 0, -EADDRINUSE if an area is not aligned for the new alignment,
 * -ENOMEM.
 */
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access,
		    bool needs_pin, u32 *id)
{
	int rc = 0;

	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	if (needs_pin && iopt->iova_alignment < PAGE_SIZE)
		rc = iopt_check_iova_alignment(iopt, PAGE_SIZE);
	if (!rc && iommufd_should_fail())
		rc = -ENOMEM;
	if (!rc)
		rc = xa_alloc(&iopt->access_list, id, access, xa_limit_32b,
			      GFP_KERNEL_ACCOUNT);
	if (!rc && needs_pin) {
		iopt->num_pin_accesses++;
		iopt->iova_alignment = max(iopt->iova_alignment, PAGE_SIZE);
	}
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
	return rc;
}

/**
 * iopt_remove_access() - undo iopt_add_access()
 * @iopt: the IO page table
 * @id: the access's index in access_list
 * @needs_pin: as added
 *
 * The alignment is recomputed and may drop.
 */
void iopt_remove_access(struct io_pagetable *iopt, u32 id, bool needs_pin)
{
	down_write(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	WARN_ON(!xa_erase(&iopt->access_list, id));
	if (needs_pin) {
		iopt->num_pin_accesses--;
		iopt->iova_alignment = iopt_calculate_iova_alignment(iopt);
	}
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
}

/*
 * Can an access use [iova, last]? Contiguous areas must cover it (-ENOENT),
 * none of them being unmapped (-EINVAL), with the permission (-EPERM); to
 * pin, every piece must start at the same offset in its page of memory as
 * in its IOVA page, and all but the last end at a page end (-EINVAL), so
 * that the pieces' pages follow each other in the caller's array.
 */
static int iopt_access_check(struct io_pagetable *iopt, unsigned long iova,
			     unsigned long last, bool write, bool pin)
{
	unsigned long next = iova, offset;
	struct iopt_area *area;

	lockdep_assert_held(&iopt->iova_rwsem);

	for (area = iopt_area_iter_first(iopt, iova, last); area;
	     area = iopt_area_iter_next(area, iova, last)) {
		if (iopt_area_iova(area) > next)
			return -ENOENT;
		if (area->prevent_access)
			return -EINVAL;
		offset = area->pages_offset + (next - iopt_area_iova(area));
		if (pin && (next % PAGE_SIZE != offset % PAGE_SIZE ||
			    (iopt_area_last_iova(area) < last &&
			     (iopt_area_last_iova(area) + 1) % PAGE_SIZE)))
			return -EINVAL;
		if (write && (!(area->iommu_prot & IOMMU_WRITE) ||
			      !area->pages->writable))
			return -EPERM;
		if (!write && !(area->iommu_prot & IOMMU_READ))
			return -EPERM;
		if (iopt_area_last_iova(area) >= last)
			return 0;
		next = iopt_area_last_iova(area) + 1;
	}
	return -ENOENT;
}

/* The part of [iova, last] in @area: bytes [*start, *end] of its pages */
static void iopt_area_access_bytes(struct iopt_area *area, unsigned long iova,
				   unsigned long last, unsigned long *start,
				   unsigned long *end)
{
	*start = area->pages_offset +
		 (max(iova, iopt_area_iova(area)) - iopt_area_iova(area));
	*end = area->pages_offset +
	       (min(last, iopt_area_last_iova(area)) - iopt_area_iova(area));
}

/**
 * iopt_access_pin_pages() - pin the pages behind an IOVA range for an access
 * @iopt: the IO page table
 * @iova: first IOVA
 * @last: last IOVA
 * @out: one page per PAGE_SIZE page from ALIGN_DOWN(@iova, PAGE_SIZE)
 * @write: the access will write: the areas must be writable
 *
 * Return: 0, the errors of iopt_access_check(), or a pinning error; nothing
 * stays pinned on failure.
 */
int iopt_access_pin_pages(struct io_pagetable *iopt, unsigned long iova,
			  unsigned long last, struct page **out, bool write)
{
	struct iopt_area *area, *done;
	unsigned long start, end;
	int rc;

	down_read(&iopt->iova_rwsem);
	rc = iopt_access_check(iopt, iova, last, write, true);
	if (rc)
		goto out_unlock;
	for (area = iopt_area_iter_first(iopt, iova, last); area;
	     area = iopt_area_iter_next(area, iova, last)) {
		iopt_area_access_bytes(area, iova, last, &start, &end);
		rc = iopt_area_add_access(area, start / PAGE_SIZE,
					  end / PAGE_SIZE, out);
		if (rc)
			break;
		out += end / PAGE_SIZE - start / PAGE_SIZE + 1;
	}
	if (rc) {
		for (done = iopt_area_iter_first(iopt, iova, last);
		     done != area; done = iopt_area_iter_next(done, iova, last)) {
			iopt_area_access_bytes(done, iova, last, &start, &end);
			iopt_area_remove_access(done, start / PAGE_SIZE,
						end / PAGE_SIZE);
		}
	}
out_unlock:
	up_read(&iopt->iova_rwsem);
	return rc;
}

/**
 * iopt_access_unpin_pages() - undo iopt_access_pin_pages()
 * @iopt: the IO page table
 * @iova: first IOVA, as pinned
 * @last: last IOVA, as pinned
 *
 * Works while the areas are being unmapped: that is when it is needed.
 */
void iopt_access_unpin_pages(struct io_pagetable *iopt, unsigned long iova,
			     unsigned long last)
{
	unsigned long next = iova, start, end;
	struct iopt_area *area;
	bool done = false;

	down_read(&iopt->iova_rwsem);
	for (area = iopt_area_iter_first(iopt, iova, last); area;
	     area = iopt_area_iter_next(area, iova, last)) {
		/* Pinned areas cannot go away: a gap is the caller's bug */
		if (WARN_ON(iopt_area_iova(area) > next))
			break;
		iopt_area_access_bytes(area, iova, last, &start, &end);
		iopt_area_remove_access(area, start / PAGE_SIZE,
					end / PAGE_SIZE);
		if (iopt_area_last_iova(area) >= last) {
			done = true;
			break;
		}
		next = iopt_area_last_iova(area) + 1;
	}
	WARN_ON(!done);
	up_read(&iopt->iova_rwsem);
}

/**
 * iopt_access_rw() - copy between a kernel buffer and an IOVA range
 * @iopt: the IO page table
 * @iova: first IOVA
 * @last: last IOVA
 * @data: kernel buffer of @last - @iova + 1 bytes
 * @flags: IOMMUFD_ACCESS_RW_* (and the test build's slow path flag)
 *
 * Return: 0, the errors of iopt_access_check(), or -EFAULT.
 */
int iopt_access_rw(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long last, void *data, unsigned int flags)
{
	struct iopt_area *area;
	unsigned long start, end;
	int rc;

	down_read(&iopt->iova_rwsem);
	rc = iopt_access_check(iopt, iova, last,
			       flags & IOMMUFD_ACCESS_RW_WRITE, false);
	for (area = rc ? NULL : iopt_area_iter_first(iopt, iova, last); area;
	     area = iopt_area_iter_next(area, iova, last)) {
		iopt_area_access_bytes(area, iova, last, &start, &end);
		rc = iopt_pages_rw(area->pages, start, data, end - start + 1,
				   flags);
		if (rc)
			break;
		data += end - start + 1;
	}
	up_read(&iopt->iova_rwsem);
	return rc;
}

#ifdef IOMMUFD_TEST
/**
 * iopt_test_nth_area_iova() - the fuzzer's IOVA encoding (selftest-abi §5.13)
 * @iopt: the IO page table
 * @nth: area number, ascending from 0
 * @offset: bytes into it
 *
 * Return: the IOVA of area @nth plus @offset, or 0 if there is no such area.
 */
unsigned long iopt_test_nth_area_iova(struct io_pagetable *iopt, u32 nth,
				      u32 offset)
{
	struct iopt_area *area;
	unsigned long iova = 0;

	down_read(&iopt->iova_rwsem);
	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		if (nth--)
			continue;
		iova = iopt_area_iova(area) + offset;
		break;
	}
	up_read(&iopt->iova_rwsem);
	return iova;
}
#endif
