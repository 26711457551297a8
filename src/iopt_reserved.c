// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reserved and allowed IOVA of an IO page table (objects.md §7.1, §7.2).
 *
 * Reserved intervals (reserved_itree, struct iopt_reserved) are IOVA that
 * may never be mapped: a device's reserved regions, the IOVA outside a
 * domain's aperture, test ADD_RESERVED. They may overlap; each has an
 * owner, with which it is removed (NULL: it stays until the table is
 * destroyed). Allowed ranges (allowed_itree, struct iopt_allowed) are where
 * the automatic allocator may look when the list is not empty; they are
 * replaced as a whole. Neither may intersect the other, and a reservation
 * may not cover an area. IOVA_RANGES reports the free spans of the
 * reserved tree (iopt_walk_usable_ranges()).
 *
 * Every reserved interval brings a node of the hole tree (iopt_holes.c),
 * taken before it is inserted, so inserting cannot fail, and given back
 * when it is removed. Everything under iova_rwsem; nothing else here
 * depends on the rest of the module.
 */
#include <linux/bug.h>
#include <linux/interval_tree.h>
#include <linux/slab.h>

#include "io_pagetable.h"

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

/* Neither an area nor an allowed range may lie in what gets reserved */
int iopt_check_reserve(struct io_pagetable *iopt, unsigned long start,
		       unsigned long last)
{
	if (iopt_tree_intersects(&iopt->area_itree, start, last) ||
	    iopt_tree_intersects(&iopt->allowed_itree, start, last))
		return -EADDRINUSE;
	return 0;
}

struct iopt_reserved *iopt_reserved_alloc(unsigned long start,
					  unsigned long last, void *owner)
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
void iopt_reserved_insert(struct io_pagetable *iopt,
			  struct iopt_reserved *reserved)
{
	interval_tree_insert(&reserved->node, &iopt->reserved_itree);
	iopt_holes_take(iopt, reserved->node.start, reserved->node.last);
}

int iopt_reserve_iova_locked(struct io_pagetable *iopt, unsigned long start,
			     unsigned long last, void *owner)
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

/* Drop the reserved intervals of @owner */
void iopt_remove_reserved_locked(struct io_pagetable *iopt, void *owner)
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
