// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IO page table side of accesses (objects.md §8.1; access.c holds the
 * objects and the exported API): the list of attached accesses, whose
 * pinning members keep the alignment at least PAGE_SIZE, and the walks of
 * an IOVA range over the areas for pinning, unpinning and copying.
 *
 * A walk holds iova_rwsem for read, checks that contiguous areas cover the
 * range with the needed permission and that none is being unmapped
 * (prevent_access), then goes area by area into pages.c, which pins under
 * pages->mutex; a failed pin undoes the areas before it.
 */
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/xarray.h>

#include "io_pagetable.h"
#include "iommufd_private.h"

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
		/* A gap, or an area a MAP is still loading: not mapped yet */
		if (iopt_area_iova(area) > next ||
		    area->busy == IOPT_AREA_LOADING)
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
