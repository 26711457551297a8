// SPDX-License-Identifier: GPL-2.0-only
/*
 * The domains of an IO page table (objects.md §5.3): adding one (its
 * aperture reserved, the alignment raised to its smallest page, every area
 * loaded into it) and removing it, a geometry change of a domain already
 * added, and what the IOAS's domains support together (page sizes, cache
 * coherency: what VFIO's compat ioctls report).
 *
 * A domain's page sizes and aperture are read under the table's locks once
 * it is added; only iopt_domain_set_geometry() changes them then, in the
 * same critical section as the aperture reservations and the alignment.
 * Changes take domains_rwsem and iova_rwsem for write, once no MAP or UNMAP
 * is loading areas (iopt_write_lock()); pages->mutex of each area nests
 * inside while it is loaded or unloaded (pages.c).
 */
#include <linux/bitops.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "iommufd_private.h"

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

	iopt_write_lock(iopt);
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
	iopt_write_unlock(iopt);
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

	iopt_write_lock(iopt);
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
	iopt_write_unlock(iopt);
}

/* Whether @domain has this geometry already */
static bool iopt_domain_geometry_is(struct iopt_domain *domain,
				    unsigned long pgsize_bitmap,
				    unsigned long aperture_start,
				    unsigned long aperture_last)
{
	return pgsize_bitmap == domain->pgsize_bitmap &&
	       aperture_start == domain->aperture_start &&
	       aperture_last == domain->aperture_last;
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
	unsigned long old_pgsizes, alignment;
	struct iopt_reserved *below = NULL, *above = NULL;
	bool unchanged;
	int rc = 0;

	if (!iopt) {
		domain->pgsize_bitmap = pgsize_bitmap;
		domain->aperture_start = aperture_start;
		domain->aperture_last = aperture_last;
		return 0;
	}

	/*
	 * Most attaches change nothing: say so without waiting for loaders
	 * (a MAP stalled on a page fault would hold up the attach)
	 */
	down_read(&iopt->domains_rwsem);
	unchanged = iopt_domain_geometry_is(domain, pgsize_bitmap,
					    aperture_start, aperture_last);
	up_read(&iopt->domains_rwsem);
	if (unchanged)
		return 0;

	iopt_write_lock(iopt);
	old_pgsizes = domain->pgsize_bitmap;
	if (iopt_domain_geometry_is(domain, pgsize_bitmap, aperture_start,
				    aperture_last))
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
	iopt_write_unlock(iopt);
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
