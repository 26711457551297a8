// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty tracking (uapi.md §7.3, §7.4): IOMMU_HWPT_SET_DIRTY_TRACKING and
 * IOMMU_HWPT_GET_DIRTY_BITMAP on a paging HW page table whose domain has
 * struct iopt_dirty_ops (allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING).
 *
 * Reading walks the areas of the IOAS that intersect the range, under
 * iova_rwsem, and asks the domain for the dirty IOPTEs of each piece (but
 * not of busy areas, which a MAP or UNMAP is loading or unloading); the
 * domain reports them with iopt_dirty_record(), which sets the bits in the
 * user's bitmap. That bitmap is written through its pinned pages, one page
 * at a time, pinned when the first bit lands in it: the domain is read
 * before the bits are written, so a bitmap page that cannot be pinned
 * loses its bits, and like upstream the call still succeeds.
 *
 * Debian's kernels are built without CONFIG_IOMMUFD_DRIVER, so an IOMMU
 * driver's read_and_clear_dirty() records dirty IOPTEs only into the IOTLB
 * gather it is given: the smallest range covering them, not which they
 * were. iopt_dirty_read_by_extent() reads such a driver exactly: it looks
 * at the range a window at a time without clearing, and where a window
 * holds dirty IOPTEs reads (and clears) them one IOPTE at a time, each
 * read's extent being that one IOPTE.
 */
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

/* The user's bitmap of one IOMMU_HWPT_GET_DIRTY_BITMAP */
struct iopt_dirty_bitmap {
	/* IOVA of bit 0 and the last IOVA it reports on */
	unsigned long iova;
	unsigned long last;
	unsigned int pgshift;
	unsigned long data;
	/* The user page at page_uaddr: pinned, or NULL if that failed */
	unsigned long page_uaddr;
	struct page *page;
	bool have_page;
};

static void iopt_dirty_put_page(struct iopt_dirty_bitmap *bitmap)
{
	if (bitmap->page)
		unpin_user_pages_dirty_lock(&bitmap->page, 1, true);
	bitmap->page = NULL;
	bitmap->have_page = false;
}

/* The pinned page of the bitmap holding user address @uaddr, or NULL */
static struct page *iopt_dirty_get_page(struct iopt_dirty_bitmap *bitmap,
					unsigned long uaddr)
{
	unsigned long base = uaddr & PAGE_MASK;

	if (bitmap->have_page && bitmap->page_uaddr == base)
		return bitmap->page;
	iopt_dirty_put_page(bitmap);
	bitmap->have_page = true;
	bitmap->page_uaddr = base;
	if (iommufd_should_fail() ||
	    pin_user_pages_fast(base, 1, FOLL_WRITE, &bitmap->page) != 1)
		bitmap->page = NULL;
	return bitmap->page;
}

/* Set bits [first, last] of the bitmap, byte by byte: any alignment */
static void iopt_dirty_set_bits(struct iopt_dirty_bitmap *bitmap,
				unsigned long first, unsigned long last)
{
	while (first <= last) {
		unsigned long uaddr = bitmap->data + first / 8;
		unsigned long page_last_bit =
			((uaddr | ~PAGE_MASK) - bitmap->data) * 8 + 7;
		unsigned long end = min(last, page_last_bit);
		struct page *page = iopt_dirty_get_page(bitmap, uaddr);
		u8 *kaddr;

		if (page) {
			kaddr = kmap_local_page(page);
			for (; first <= end; first++)
				kaddr[(bitmap->data + first / 8) & ~PAGE_MASK] |=
					1 << (first % 8);
			kunmap_local(kaddr);
		}
		if (end == ULONG_MAX)
			break;
		first = end + 1;
	}
}

/**
 * iopt_dirty_record() - report dirty IOVA to a bitmap being filled
 * @bitmap: the bitmap, or NULL (the domain is only being cleaned)
 * @iova: first dirty IOVA
 * @last: last dirty IOVA
 *
 * Sets every bit whose IOVA range intersects [@iova, @last], so a dirty
 * IOPTE larger than a bit sets all the bits it covers; what lies outside
 * the bitmap's range is ignored.
 */
void iopt_dirty_record(struct iopt_dirty_bitmap *bitmap, unsigned long iova,
		       unsigned long last)
{
	if (!bitmap || last < bitmap->iova || iova > bitmap->last)
		return;
	iova = max(iova, bitmap->iova);
	last = min(last, bitmap->last);
	iopt_dirty_set_bits(bitmap, (iova - bitmap->iova) >> bitmap->pgshift,
			    (last - bitmap->iova) >> bitmap->pgshift);
}

/* Reads of one IOMMU_HWPT_GET_DIRTY_BITMAP look at this much IOVA at once */
#define IOPT_DIRTY_WINDOW SZ_2M

/**
 * iopt_dirty_read_by_extent() - read a domain that reports only extents
 * @fn: one read of the domain
 * @priv: for @fn
 * @granule: the domain's smallest page size
 * @iova: first IOVA to read
 * @length: bytes to read
 * @flags: IOPT_DIRTY_NO_CLEAR or 0
 * @bitmap: where to report, or NULL
 *
 * For each window of IOPT_DIRTY_WINDOW bytes, one read without clearing
 * tells where its dirty IOPTEs start and end; between the two, each IOPTE
 * is read (and cleared unless @flags says not to) on its own, its extent
 * being exactly its dirty range (or nothing, then the next granule is
 * next). So every IOPTE is reported as the domain would report it in one
 * walk, and every read is of a window or of one IOPTE: linear in @length.
 *
 * Return: 0, or the first error of @fn.
 */
int iopt_dirty_read_by_extent(iopt_dirty_extent_fn fn, void *priv,
			      unsigned long granule, unsigned long iova,
			      unsigned long length, unsigned long flags,
			      struct iopt_dirty_bitmap *bitmap)
{
	unsigned long last = iova + length - 1, pos = iova, wlast, p, next;
	unsigned long first, dlast, start, end;
	int rc;

	for (;;) {
		wlast = min(last, ALIGN_DOWN(pos, IOPT_DIRTY_WINDOW) +
					  IOPT_DIRTY_WINDOW - 1);
		rc = fn(priv, pos, wlast - pos + 1, flags | IOPT_DIRTY_NO_CLEAR,
			&first, &dlast);
		if (rc)
			return rc;
		p = pos;
		if (first <= dlast) {
			dlast = min(dlast, wlast);
			for (p = max(first, pos); p <= dlast; p = next) {
				rc = fn(priv, p, 1, flags, &start, &end);
				if (rc)
					return rc;
				if (start <= end) {
					iopt_dirty_record(bitmap, start, end);
					next = end + 1;
				} else {
					next = ALIGN_DOWN(p, granule) + granule;
				}
				/* Past the last IOVA there is */
				if (next <= p)
					return 0;
			}
		}
		if (wlast == last)
			return 0;
		/* A large IOPTE may have taken the walk past the window */
		pos = max(p, wlast + 1);
		if (pos > last)
			return 0;
	}
}

/* Clean every mapped IOPTE (before enabling), then enable or disable */
static int iopt_set_dirty_tracking(struct io_pagetable *iopt,
				   struct iopt_domain *domain, bool enable)
{
	const struct iopt_dirty_ops *ops = domain->dirty_ops;
	struct iopt_area *area;
	int rc = 0;

	down_read(&iopt->iova_rwsem);
	for (area = iopt_area_iter_first(iopt, 0, ULONG_MAX);
	     enable && area && !rc;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX))
		if (!area->busy)
			rc = ops->read_and_clear_dirty(domain,
						       iopt_area_iova(area),
						       iopt_area_length(area),
						       0, NULL);
	if (!rc)
		rc = ops->set_dirty_tracking(domain, enable);
	up_read(&iopt->iova_rwsem);
	return rc;
}

/**
 * iommufd_hwpt_set_dirty_tracking_ioctl() - IOMMU_HWPT_SET_DIRTY_TRACKING
 * @ucmd: the call
 *
 * Return: 0, or the errno of the first failing check (uapi.md §7.3).
 */
int iommufd_hwpt_set_dirty_tracking_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt;
	int rc = -EOPNOTSUPP;

	/* __reserved is not checked, as upstream */
	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	if (hwpt->common.domain->dirty_ops)
		rc = iopt_set_dirty_tracking(&hwpt->ioas->iopt,
					     hwpt->common.domain,
					     cmd->flags &
						     IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}

/* The range rules of uapi.md §7.4, in order; *last: the last IOVA */
static int iommufd_check_dirty_range(struct io_pagetable *iopt,
				     struct iommu_hwpt_get_dirty_bitmap *cmd,
				     u64 *last)
{
	u64 alignment;

	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->iova, cmd->length - 1, last))
		return -EOVERFLOW;
	/* *last + 1 is 0 for a range ending at the top: aligned */
	alignment = iopt_get_iova_alignment(iopt);
	if (cmd->iova % alignment || (*last + 1) % alignment)
		return -EINVAL;
	if (!cmd->page_size || !is_power_of_2(cmd->page_size) ||
	    cmd->iova % cmd->page_size || (*last + 1) % cmd->page_size)
		return -EINVAL;
	return 0;
}

/*
 * Read the dirty state of every mapped IOVA in [iova, last] of @domain into
 * @bitmap. Errors of the domain and of the user's bitmap are not reported,
 * as upstream: what cannot be read or written gives no bits.
 */
static void iopt_read_dirty(struct io_pagetable *iopt,
			    struct iopt_domain *domain, unsigned long iova,
			    unsigned long last, unsigned long flags,
			    struct iopt_dirty_bitmap *bitmap)
{
	struct iopt_area *area;
	unsigned long start, end;

	down_read(&iopt->iova_rwsem);
	for (area = iopt_area_iter_first(iopt, iova, last); area;
	     area = iopt_area_iter_next(area, iova, last)) {
		if (area->busy)
			continue;
		start = max(iopt_area_iova(area), iova);
		end = min(iopt_area_last_iova(area), last);
		domain->dirty_ops->read_and_clear_dirty(domain, start,
							end - start + 1, flags,
							bitmap);
		cond_resched();
	}
	up_read(&iopt->iova_rwsem);
	iopt_dirty_put_page(bitmap);
}

/**
 * iommufd_hwpt_get_dirty_bitmap_ioctl() - IOMMU_HWPT_GET_DIRTY_BITMAP
 * @ucmd: the call
 *
 * Return: 0, or the errno of the first failing check (uapi.md §7.4).
 */
int iommufd_hwpt_get_dirty_bitmap_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct iopt_dirty_bitmap bitmap = {};
	struct iommufd_hwpt_paging *hwpt;
	u64 last, last_byte;
	int rc;

	if (cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	rc = iommufd_check_dirty_range(&hwpt->ioas->iopt, cmd, &last);
	if (!rc && !hwpt->common.domain->dirty_ops)
		rc = -EOPNOTSUPP;
	if (rc)
		goto out_put;

	bitmap.iova = cmd->iova;
	bitmap.last = last;
	bitmap.pgshift = ilog2(cmd->page_size);
	bitmap.data = cmd->data;
	/* A bitmap wrapping around the address space is not written at all */
	last_byte = ((last - cmd->iova) >> bitmap.pgshift) / 8;
	if (!check_add_overflow(cmd->data, last_byte, &last_byte))
		iopt_read_dirty(&hwpt->ioas->iopt, hwpt->common.domain,
				cmd->iova, last,
				cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ?
					IOPT_DIRTY_NO_CLEAR : 0,
				&bitmap);
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}
