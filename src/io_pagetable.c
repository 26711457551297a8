// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IO page table of an IOAS (objects.md §6, §7): its life, its areas
 * (MAP, the pieces COPY copies, UNMAP, and the cut of the VFIO type1 v1
 * emulation) and its IOVA alignment. The table's other mechanisms have
 * files of their own, their shared internals in io_pagetable.h:
 * iopt_span.c (span iteration), iopt_holes.c (the free IOVA and the
 * automatic allocator), iopt_reserved.c (reserved and allowed IOVA),
 * iopt_domains.c (adding and removing domains), iopt_access.c (the table's
 * side of accesses); pages.c loads areas into domains and pins.
 *
 * The alignment is the largest of 1, PAGE_SIZE with huge pages disabled,
 * the smallest page size of each domain, and PAGE_SIZE while an access
 * that pins pages is attached; whatever raises it first checks every
 * area's IOVA, length and in-page offset.
 *
 * MAP preallocates its areas and their hole nodes, so that past its checks
 * nothing fails; an area is then loaded into every domain. UNMAP removes
 * whole areas, waiting for accesses to drop their pins (see
 * iopt_unmap_iova_range()).
 *
 * Locking: domains_rwsem, then iova_rwsem. Every change to the trees or to
 * the alignment holds iova_rwsem for write; readers of the trees hold it for
 * read. The alignment is only changed with both held for write. The whole
 * order: docs/architecture.md, "Locking and lifetime rules".
 */
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "iommufd_private.h"

void iopt_init_table(struct io_pagetable *iopt)
{
	static struct lock_class_key loaders_key;

	init_rwsem(&iopt->domains_rwsem);
	init_rwsem(&iopt->iova_rwsem);
	iopt->area_itree = RB_ROOT_CACHED;
	iopt->allowed_itree = RB_ROOT_CACHED;
	iopt->reserved_itree = RB_ROOT_CACHED;
	iopt->iova_alignment = 1;
	iopt->holes = RB_ROOT;
	iopt->spare_holes = NULL;
	INIT_LIST_HEAD(&iopt->domains);
	init_waitqueue_head(&iopt->unload_wq);
	lockdep_init_map(&iopt->loaders_map, "iopt_loaders", &loaders_key, 0);
	xa_init_flags(&iopt->access_list, XA_FLAGS_ALLOC);
}

void iopt_destroy_table(struct io_pagetable *iopt)
{
	unsigned long unmapped;

	/* Domains, accesses and loaders leave first: they hold the IOAS */
	WARN_ON(READ_ONCE(iopt->loaders));
	WARN_ON(!list_empty(&iopt->domains));
	WARN_ON(!xa_empty(&iopt->access_list));
	/* Fails only if access pins were leaked */
	WARN_ON(iopt_unmap_all(iopt, &unmapped));
	iopt_free_iova_tree(&iopt->reserved_itree);
	iopt_free_iova_tree(&iopt->allowed_itree);
	iopt_holes_destroy(iopt);
	xa_destroy(&iopt->access_list);
}

/**
 * iopt_write_lock() - take both rwsems for write, to change the domains
 * @iopt: the IO page table
 *
 * Waits first, holding neither, until no MAP or UNMAP is loading or
 * unloading areas: those hold neither rwsem meanwhile, so that a MAP
 * stalled while pinning stalls nobody else, and the domains must not
 * change under them. Waiting in down_write() instead would queue every
 * later MAP behind this call, so behind the stalled one. A stream of MAPs
 * that never leaves a gap keeps the caller waiting.
 */
void iopt_write_lock(struct io_pagetable *iopt)
{
	/* For lockdep: what we hold now, loaders must never wait for */
	lock_map_acquire(&iopt->loaders_map);
	lock_map_release(&iopt->loaders_map);
	for (;;) {
		down_write(&iopt->domains_rwsem);
		if (!iopt->loaders)
			break;
		up_write(&iopt->domains_rwsem);
		wait_event(iopt->unload_wq, !READ_ONCE(iopt->loaders));
	}
	down_write(&iopt->iova_rwsem);
}

void iopt_write_unlock(struct io_pagetable *iopt)
{
	up_write(&iopt->iova_rwsem);
	up_write(&iopt->domains_rwsem);
}

/*
 * Become a loader (struct io_pagetable::loaders): drop both rwsems for a
 * long load or unload of busy areas, the domains kept as they are
 */
static void iopt_loader_enter(struct io_pagetable *iopt)
{
	lockdep_assert_held(&iopt->domains_rwsem);
	lockdep_assert_held_write(&iopt->iova_rwsem);

	WRITE_ONCE(iopt->loaders, iopt->loaders + 1);
	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	lock_map_acquire_read(&iopt->loaders_map);
}

static void iopt_loader_exit(struct io_pagetable *iopt)
{
	lock_map_release(&iopt->loaders_map);
	down_read(&iopt->domains_rwsem);
	down_write(&iopt->iova_rwsem);
	WRITE_ONCE(iopt->loaders, iopt->loaders - 1);
	if (!iopt->loaders)
		wake_up_all(&iopt->unload_wq);
}

/* What the alignment must be now, objects.md §6 */
unsigned long iopt_calculate_iova_alignment(struct io_pagetable *iopt)
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
int iopt_check_iova_alignment(struct io_pagetable *iopt,
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

	iopt_write_lock(iopt);
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
	iopt_write_unlock(iopt);
	return rc;
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

static void iopt_remove_area(struct io_pagetable *iopt, struct iopt_area *area)
{
	lockdep_assert_held_write(&iopt->iova_rwsem);
	if (WARN_ON(area->storage_domain || area->runs))
		iopt_area_forget_runs(area);

	interval_tree_remove(&area->node, &iopt->area_itree);
	iopt_holes_give(iopt, iopt_area_iova(area), iopt_area_last_iova(area));
	iopt_holes_put_node(iopt);
	iopt_put_pages(area->pages);
	kfree(area);
}

/* Take the areas of a MAP out again, after iopt_map_load() failed */
static void iopt_map_unload(struct io_pagetable *iopt,
			    struct list_head *pages_list,
			    struct iopt_pages_list *failed)
{
	struct iopt_pages_list *elm;

	list_for_each_entry(elm, pages_list, next) {
		if (elm == failed)
			break;
		iopt_area_unfill_domains(elm->area, iopt);
	}
}

/*
 * Load the areas of a MAP into the domains: pinning, accounting and
 * iommu_map() happen here. With areas to fill, they are busy and both
 * rwsems are dropped meanwhile, so that the rest of the IOAS stays usable
 * however long this takes (a large MAP, a page fault stalled by
 * userfaultfd); as a loader, this call keeps the domains as they are.
 */
static int iopt_map_load(struct io_pagetable *iopt,
			 struct list_head *pages_list)
{
	struct iopt_pages_list *elm;
	int rc = 0;

	lockdep_assert_held(&iopt->domains_rwsem);
	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (!iopt->num_domains)
		return 0;

	list_for_each_entry(elm, pages_list, next) {
		elm->area->busy = IOPT_AREA_LOADING;
		elm->area->prevent_access++;
	}
	iopt_loader_enter(iopt);

	list_for_each_entry(elm, pages_list, next) {
		rc = iopt_area_fill_domains(elm->area, iopt);
		if (rc) {
			iopt_map_unload(iopt, pages_list, elm);
			break;
		}
	}

	iopt_loader_exit(iopt);
	list_for_each_entry(elm, pages_list, next) {
		elm->area->busy = IOPT_AREA_READY;
		elm->area->prevent_access--;
	}
	return rc;
}

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
 * pinning what needs pinning. Either all are created or none. The areas
 * take their IOVA range first and are busy while they load
 * (iopt_map_load()).
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

	/* The table owns the areas now; on failure they all go again */
	rc = iopt_map_load(iopt, pages_list);
	list_for_each_entry(elm, pages_list, next) {
		if (rc)
			iopt_remove_area(iopt, elm->area);
		elm->area = NULL;
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
 * areas, none of them busy, cover the whole range, -ENOMEM.
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
		/* A gap, or an area being created or destroyed: ENOENT */
		if (iopt_area_iova(area) > next || area->busy)
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
 * Unload an area from the domains and remove it, with both rwsems dropped
 * while it unloads, as iopt_map_load() does: it is busy until then. An
 * UNMAP that met it meanwhile waits for it to go.
 */
static void iopt_unmap_remove(struct io_pagetable *iopt,
			      struct iopt_area *area)
{
	lockdep_assert_held(&iopt->domains_rwsem);
	lockdep_assert_held_write(&iopt->iova_rwsem);

	if (area->storage_domain) {
		area->busy = IOPT_AREA_UNLOADING;
		area->prevent_access++;
		iopt_loader_enter(iopt);
		iopt_area_unfill_domains(area, iopt);
		iopt_loader_exit(iopt);
		area->prevent_access--;
	}
	iopt_remove_area(iopt, area);
	WRITE_ONCE(iopt->unloads, iopt->unloads + 1);
	wake_up_all(&iopt->unload_wq);
}

/* Wait, without locks, until an UNMAP removed an area it was unloading */
static void iopt_unmap_wait(struct io_pagetable *iopt)
{
	unsigned long unloads = iopt->unloads;

	lockdep_assert_held(&iopt->domains_rwsem);
	lockdep_assert_held_write(&iopt->iova_rwsem);

	up_write(&iopt->iova_rwsem);
	up_read(&iopt->domains_rwsem);
	wait_event(iopt->unload_wq, READ_ONCE(iopt->unloads) != unloads);
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
		/*
		 * A MAP or COPY is loading it: EBUSY, but unmap-all always
		 * succeeds (uapi.md §5.7): that MAP comes after it. Another
		 * UNMAP is unloading it: that one comes first; wait for it.
		 */
		if (area->busy == IOPT_AREA_UNLOADING) {
			iopt_unmap_wait(iopt);
			goto again;
		}
		if (area->busy == IOPT_AREA_LOADING) {
			if (start == 0 && last == ULONG_MAX)
				continue;
			rc = -EBUSY;
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
		iova = iopt_area_last_iova(area);
		unmapped_bytes += iopt_area_length(area);
		iopt_unmap_remove(iopt, area);
		/* The tree may have changed meanwhile: look again after it */
		if (iova == last)
			break;
		next = iopt_area_iter_first(iopt, iova + 1, last);
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
 * sticks out of the range (areas before it stay removed) or none is inside,
 * -EBUSY if a concurrent MAP or COPY is still loading one (areas another
 * UNMAP is unloading are waited for), -EDEADLOCK if access pins stay.
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
 * Areas a concurrent MAP or COPY is still loading are left to it.
 *
 * Return: 0, or -EDEADLOCK as iopt_unmap_iova().
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
	/* Another call is loading or unloading it */
	if (area->busy)
		return -EBUSY;
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
	iopt_area_forget_runs(area);
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
 * another unmap is removing or a MAP loading, -ENOMEM.
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
