// SPDX-License-Identifier: GPL-2.0-only
/*
 * struct iopt_pages: the user memory behind one IOMMU_IOAS_MAP.
 *
 * A pages object records the page-granular VA range of the mapping process,
 * whether it may be written, and whom to charge when its pages get pinned:
 * the process that called MAP (its mm, its user and its thread-group
 * leader, whose RLIMIT_MEMLOCK applies), never whoever causes the pin
 * later. Areas of one or several IOASes reference it (COPY shares it); it
 * is freed with the last area.
 *
 * Nothing is pinned while no HW page table or access needs the memory, so a
 * MAP into an IOAS without domains neither pins nor validates the range.
 *
 * Pin once: a page of a pages object is pinned exactly while some area using
 * it is loaded into a domain (pages->domains_itree holds the page-index
 * ranges of those areas) or an access has it pinned (pages->access_itree
 * holds one node per exact page-index range accesses pinned, counting
 * identical pins). Loading an area pins only the pages neither tree covers
 * yet; the others' PFNs are read back from pages->pinned_pfns, which records
 * the PFN of every page access_itree covers, or from the storage domain of
 * an area that holds them. That is also how a second domain gets filled
 * without touching the mm. Unloading the last domain of an area, or dropping
 * the last access pin of a range, unpins the pages neither tree covers any
 * more. All of it under pages->mutex.
 *
 * Accesses also read and write the memory without long-term pins: directly
 * in the mapping process's mm when they run in it, else page by page through
 * the pins above or a short-term pin.
 *
 * Memory: the only per-page state is in the domains themselves. Loading
 * pins in batches of at most iopt_batch_pages() pages (32 MiB), but maps
 * runs of physically contiguous pages, which cross batches: a mapping is
 * cut only where the memory is discontiguous, so huge pages become the
 * largest IOPTEs the domain has. Unloading reads the PFNs back and cuts
 * the same runs, so an unmap never splits a large IOPTE; it unpins and
 * dirties run by run (unpin_user_page_range_dirty_lock()).
 *
 * Accounting happens when pages get pinned, to the mode and the owners
 * recorded at MAP time (objects.md §4), and is undone at unpin: loading
 * an area charges once for every page it is going to pin, unloading it
 * uncharges once for every page it unpinned.
 *
 * The helpers are named by one set of verbs: pin and unpin take and drop
 * long-term pins with their charge (unpin_uncovered: what neither tree
 * covers any more, given by PFN or by page); record and forget keep the
 * PFNs of access pins in pinned_pfns; lookup finds what is pinned already
 * (a PFN, a page, an access pin) and never pins.
 */
#include <linux/capability.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/cred.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "io_pagetable.h"
#include "iommufd_private.h"

struct iopt_pages *iopt_alloc_pages(struct iommufd_ctx *ictx,
				    void __user *uptr, unsigned long length,
				    bool writable)
{
	unsigned long start = (unsigned long)uptr;
	unsigned long end, span;
	struct iopt_pages *pages;

	if (!length || length > SIZE_MAX - PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(start, length, &end))
		return ERR_PTR(-EOVERFLOW);

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	kref_init(&pages->kref);
	mutex_init(&pages->mutex);
	pages->domains_itree = RB_ROOT_CACHED;
	pages->access_itree = RB_ROOT_CACHED;
	xa_init(&pages->pinned_pfns);
	pages->uptr = (void __user *)ALIGN_DOWN(start, PAGE_SIZE);
	span = end - ALIGN_DOWN(start, PAGE_SIZE);
	pages->npages = span / PAGE_SIZE + !!(span % PAGE_SIZE);
	pages->writable = writable;

	if (capable(CAP_IPC_LOCK))
		pages->account_mode = IOPT_ACCOUNT_NONE;
	else if (READ_ONCE(ictx->account_mode) == IOMMUFD_ACCOUNT_MM)
		pages->account_mode = IOPT_ACCOUNT_MM;
	else
		pages->account_mode = IOPT_ACCOUNT_USER;

	pages->source_mm = current->mm;
	mmgrab(pages->source_mm);
	pages->source_task = current->group_leader;
	get_task_struct(pages->source_task);
	pages->source_user = get_uid(current_user());
	return pages;
}

void iopt_release_pages(struct kref *kref)
{
	struct iopt_pages *pages = container_of(kref, struct iopt_pages, kref);

	WARN_ON(pages->npinned);
	WARN_ON(!RB_EMPTY_ROOT(&pages->domains_itree.rb_root));
	WARN_ON(!RB_EMPTY_ROOT(&pages->access_itree.rb_root));
	WARN_ON(!xa_empty(&pages->pinned_pfns));
	xa_destroy(&pages->pinned_pfns);
	free_uid(pages->source_user);
	put_task_struct(pages->source_task);
	mmdrop(pages->source_mm);
	mutex_destroy(&pages->mutex);
	kfree(pages);
}

/* Bytes of temporary memory per batch; the test build can shrink it */
static unsigned int iopt_batch_bytes = 65536;

void iopt_set_batch_limit(unsigned int bytes)
{
	WRITE_ONCE(iopt_batch_bytes, bytes);
}

/*
 * Pages per batch: a page pointer each, at most 32 MiB worth, a power of two
 * so that batches end on multiples of it
 */
static unsigned long iopt_batch_pages(void)
{
	return rounddown_pow_of_two(clamp_t(unsigned long,
					    READ_ONCE(iopt_batch_bytes) /
						    sizeof(struct page *),
					    1, SZ_32M / PAGE_SIZE));
}

static unsigned long iopt_area_index(struct iopt_area *area)
{
	return area->pages_node.start;
}

static unsigned long iopt_area_last_index(struct iopt_area *area)
{
	return area->pages_node.last;
}

/* IOVA of byte @off of the pages object, which the area must contain */
static unsigned long iopt_area_off_to_iova(struct iopt_area *area,
					   unsigned long off)
{
	return iopt_area_iova(area) + (off - area->pages_offset);
}

/* The area's bytes within pages [index, last]: [*start, *end) */
static void iopt_area_byte_range(struct iopt_area *area, unsigned long index,
				 unsigned long last, unsigned long *start,
				 unsigned long *end)
{
	*start = max(index * PAGE_SIZE, area->pages_offset);
	*end = min((last + 1) * PAGE_SIZE,
		   area->pages_offset + iopt_area_length(area));
}

static int iopt_pages_charge(struct iopt_pages *pages, unsigned long npages)
{
	struct user_struct *user = pages->source_user;
	unsigned long limit, cur;
	int rc;

	if (iommufd_should_fail())
		return -ENOMEM;

	switch (pages->account_mode) {
	case IOPT_ACCOUNT_NONE:
		break;
	case IOPT_ACCOUNT_USER:
		limit = task_rlimit(pages->source_task, RLIMIT_MEMLOCK) >>
			PAGE_SHIFT;
		cur = atomic_long_read(&user->locked_vm);
		do {
			if (cur + npages > limit || cur + npages < cur)
				return -ENOMEM;
		} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur,
						  cur + npages));
		break;
	case IOPT_ACCOUNT_MM:
		/* We only hold the mm_struct: its users may be gone */
		if (!mmget_not_zero(pages->source_mm))
			return -EFAULT;
		mmap_write_lock(pages->source_mm);
		rc = __account_locked_vm(pages->source_mm, npages, true,
					 pages->source_task, false);
		mmap_write_unlock(pages->source_mm);
		/* Under our locks: if this was the last user, not here */
		mmput_async(pages->source_mm);
		if (rc)
			return rc;
		break;
	}
	atomic64_add(npages, &pages->source_mm->pinned_vm);
	pages->npinned += npages;
	return 0;
}

static void iopt_pages_uncharge(struct iopt_pages *pages, unsigned long npages)
{
	switch (pages->account_mode) {
	case IOPT_ACCOUNT_NONE:
		break;
	case IOPT_ACCOUNT_USER:
		atomic_long_sub(npages, &pages->source_user->locked_vm);
		break;
	case IOPT_ACCOUNT_MM:
		/* An mm that exited has no locked_vm left to uncharge */
		if (!mmget_not_zero(pages->source_mm))
			break;
		mmap_write_lock(pages->source_mm);
		__account_locked_vm(pages->source_mm, npages, false,
				    pages->source_task, false);
		mmap_write_unlock(pages->source_mm);
		mmput_async(pages->source_mm);
		break;
	}
	atomic64_sub(npages, &pages->source_mm->pinned_vm);
	pages->npinned -= npages;
}

/*
 * A read-only long-term pin where GUP does not break COW of what it pins in
 * private mappings (compat.h: IOMMUFD_RO_PIN_BREAKS_COW): pages of such
 * mappings are pinned as a debugger writes them (FOLL_WRITE | FOLL_FORCE),
 * which replaces a shared page (page cache, zero page, a page shared since
 * fork()) by the process's own copy first, exactly what the process's next
 * write would do; the device still only reads. VMA by VMA, under the
 * mmap_lock of @mm, which the caller keeps alive. Returns the pages pinned,
 * or an error if none.
 */
static long iopt_pages_pin_cow(struct mm_struct *mm, unsigned long uptr,
			       unsigned long npages, struct page **out)
{
	struct vm_area_struct *vma;
	unsigned int flags;
	unsigned long n;
	long rc;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, uptr);
	if (!vma) {
		rc = -EFAULT;
		goto out_unlock;
	}
	n = min(npages, (vma->vm_end - uptr) / PAGE_SIZE);
	flags = FOLL_LONGTERM;
	if (is_cow_mapping(vma->vm_flags))
		flags |= FOLL_WRITE | FOLL_FORCE;
	/* Without @locked the lock is never dropped */
	rc = iommufd_pin_user_pages_remote(mm, uptr, n, flags, out, NULL);
out_unlock:
	mmap_read_unlock(mm);
	return rc;
}

/*
 * Fault in the page at @uptr of @mm as an access of the process would (a
 * write for a writable MAP, as GUP's own fault would be), waiting for its
 * userfaultfd handler if it has one (compat.h: IOMMUFD_LONGTERM_PIN_WAITS).
 * 0 if the page is there now. @mm is alive.
 */
static int iopt_pages_fault_in(struct mm_struct *mm, unsigned long uptr,
			       bool write)
{
	bool unlocked = false;
	int rc;

	mmap_read_lock(mm);
	rc = fixup_user_fault(mm, uptr, write ? FAULT_FLAG_WRITE : 0,
			      &unlocked);
	mmap_read_unlock(mm);
	return rc;
}

/*
 * Pin pages [index, index + npages) of the mapping process: long-term
 * FOLL_PIN, for write if the MAP was writable. From another process (a
 * device attached after fork(), say) the pin is remote, and fails with
 * -EFAULT once the mapping process's mm is gone. A missing page that a
 * userfaultfd handler provides is waited for, on every kernel: where GUP
 * cannot wait, the page is faulted in once and pinned again.
 */
static int iopt_pages_pin(struct iopt_pages *pages, unsigned long index,
			  unsigned long npages, struct page **out)
{
	unsigned long uptr = (unsigned long)pages->uptr + index * PAGE_SIZE;
	bool cow = IOMMUFD_RO_PIN_BREAKS_COW && !pages->writable;
	unsigned int flags = FOLL_LONGTERM;
	struct mm_struct *mm = pages->source_mm;
	bool remote = current->mm != mm;
	unsigned long done = 0;
	bool faulted = false;
	int locked, err;
	long rc = 0;

	if (pages->writable)
		flags |= FOLL_WRITE;
	if (iommufd_should_fail())
		return -EFAULT;
	if (remote && !mmget_not_zero(mm))
		return -EFAULT;

	while (done != npages) {
		if (cow) {
			rc = iopt_pages_pin_cow(mm, uptr + done * PAGE_SIZE,
						npages - done, out + done);
		} else if (remote) {
			locked = 1;
			mmap_read_lock(mm);
			rc = iommufd_pin_user_pages_remote(mm,
							   uptr + done * PAGE_SIZE,
							   npages - done, flags,
							   out + done, &locked);
			if (locked)
				mmap_read_unlock(mm);
		} else {
			rc = pin_user_pages_fast(uptr + done * PAGE_SIZE,
						 npages - done, flags,
						 out + done);
		}
		if (rc <= 0) {
			rc = rc ?: -EFAULT;
			if (!IOMMUFD_LONGTERM_PIN_WAITS && rc == -EFAULT &&
			    !faulted) {
				/* A read-only pin faults as a read, even COW */
				err = iopt_pages_fault_in(mm,
							  uptr + done * PAGE_SIZE,
							  pages->writable);
				faulted = true;
				if (!err)
					continue;
				/* A fatal signal, no memory: say so */
				if (err != -EFAULT)
					rc = err;
			}
			break;
		}
		done += rc;
		faulted = false;
		rc = 0;
	}
	if (remote)
		mmput(mm);
	if (rc)
		unpin_user_pages(out, done);
	return rc;
}

/*
 * Unpin and uncharge the pages of [index, last] that neither a loaded area
 * nor an access covers, which are the contiguous PFNs from @first_pfn on:
 * one call per free span.
 */
static void iopt_pages_unpin_uncovered_run(struct iopt_pages *pages,
					   unsigned long index,
					   unsigned long last,
					   unsigned long first_pfn)
{
	struct rb_root_cached *trees[] = { &pages->domains_itree,
					   &pages->access_itree };
	struct iopt_span_iter span;
	unsigned long n;

	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used)
			continue;
		n = span.last - span.start + 1;
		unpin_user_page_range_dirty_lock(pfn_to_page(first_pfn +
							     span.start - index),
						 n, pages->writable);
		iopt_pages_uncharge(pages, n);
	}
}

/* Pages of [index, last] that neither a loaded area nor an access covers */
static unsigned long iopt_pages_count_uncovered(struct iopt_pages *pages,
						unsigned long index,
						unsigned long last)
{
	struct rb_root_cached *trees[] = { &pages->domains_itree,
					   &pages->access_itree };
	struct iopt_span_iter span;
	unsigned long n = 0;

	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	     !span.done; iopt_span_next(&span))
		if (!span.is_used)
			n += span.last - span.start + 1;
	return n;
}

/*
 * Runs of at least this many pages are recorded (area->runs): one record
 * per 256 KiB at most, and none for memory of scattered small pages
 */
#ifndef IOPT_RUN_RECORD_MIN
#define IOPT_RUN_RECORD_MIN 64
#endif

/*
 * Record that the first fill of @area mapped pages [index, index + npages)
 * at PFNs from @pfn. A record only saves reading them back: without memory
 * for it there is none.
 */
static void iopt_area_record_run(struct iopt_area *area, unsigned long index,
				 unsigned long npages, unsigned long pfn)
{
	struct iopt_pfn_run *runs;
	unsigned int max;

	if (npages < IOPT_RUN_RECORD_MIN || area->storage_domain)
		return;
	if (area->nr_runs == area->max_runs) {
		if (area->max_runs > UINT_MAX / 2)
			return;
		max = area->max_runs ? 2 * area->max_runs : 8;
		runs = krealloc_array(area->runs, max, sizeof(*runs),
				      GFP_KERNEL_ACCOUNT | __GFP_NORETRY |
					      __GFP_NOWARN);
		if (!runs)
			return;
		area->runs = runs;
		area->max_runs = max;
	}
	area->runs[area->nr_runs++] = (struct iopt_pfn_run){
		.index = index, .npages = npages, .pfn = pfn,
	};
}

/**
 * iopt_area_forget_runs() - drop the PFN runs recorded for an area
 * @area: the area, unloaded or about to have its pages ranges change
 *
 * The caller holds pages->mutex or is the area's only user.
 */
void iopt_area_forget_runs(struct iopt_area *area)
{
	kfree(area->runs);
	area->runs = NULL;
	area->nr_runs = 0;
	area->max_runs = 0;
}

/* The recorded run holding page @index of a loaded area, or NULL */
static struct iopt_pfn_run *iopt_area_find_run(struct iopt_area *area,
					       unsigned long index)
{
	unsigned int lo = 0, hi = area->nr_runs, mid;
	struct iopt_pfn_run *run;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		run = &area->runs[mid];
		if (index < run->index)
			hi = mid;
		else if (index >= run->index + run->npages)
			lo = mid + 1;
		else
			return run;
	}
	return NULL;
}

/*
 * The PFN of page @index of a loaded area, recorded or read back from
 * @domain, which holds the area. *@next is set past the pages known to
 * follow it contiguously, up to @last.
 */
static unsigned long iopt_area_read_pfn(struct iopt_area *area,
					struct iopt_domain *domain,
					unsigned long index, unsigned long last,
					unsigned long *next)
{
	struct iopt_pfn_run *run = iopt_area_find_run(area, index);
	unsigned long off;

	if (run) {
		*next = min(last, run->index + run->npages - 1) + 1;
		return run->pfn + (index - run->index);
	}
	*next = index + 1;
	off = max(index * PAGE_SIZE, area->pages_offset);
	return PHYS_PFN(domain->ops->iova_to_phys(domain,
						   iopt_area_off_to_iova(area,
									 off)));
}

/*
 * The PFN of page @index, which domains_itree covers: recorded for an area
 * holding it, or from that area's storage domain. *@next is set past the
 * pages known to follow it contiguously, up to @last.
 */
static unsigned long iopt_pages_lookup_domain_pfn(struct iopt_pages *pages,
						  unsigned long index,
						  unsigned long last,
						  unsigned long *next)
{
	struct interval_tree_node *node;
	struct iopt_area *area;

	node = interval_tree_iter_first(&pages->domains_itree, index, index);
	area = container_of(node, struct iopt_area, pages_node);
	return iopt_area_read_pfn(area, area->storage_domain, index, last,
				  next);
}

/*
 * The PFN of page @index, which one of the trees covers: recorded if an
 * access pins it, else from a loaded area (iopt_pages_lookup_domain_pfn()).
 * *@next is set past the pages known to follow it contiguously, up to @last.
 */
static unsigned long iopt_pages_lookup_pfn(struct iopt_pages *pages,
					   unsigned long index,
					   unsigned long last,
					   unsigned long *next)
{
	void *entry = xa_load(&pages->pinned_pfns, index);

	if (entry) {
		*next = index + 1;
		return xa_to_value(entry);
	}
	return iopt_pages_lookup_domain_pfn(pages, index, last, next);
}

/* Map [iova, iova + length) to paddr; with @large off, in PAGE_SIZE pieces */
static int iopt_domain_map_run(struct iopt_domain *domain, unsigned long iova,
			       phys_addr_t paddr, unsigned long length,
			       int prot, bool large)
{
	unsigned long done = 0, step;
	int rc;

	while (done != length) {
		step = length - done;
		if (!large)
			step = min(step, PAGE_SIZE - ((iova + done) % PAGE_SIZE));
		rc = domain->ops->map(domain, iova + done, paddr + done, step,
				      prot);
		if (rc) {
			if (done)
				domain->ops->unmap(domain, iova, done);
			return rc;
		}
		done += step;
	}
	return 0;
}

/*
 * Loading an area into a domain: the pages arrive in page-index order as
 * runs of contiguous PFNs; a run is mapped only once the next one does not
 * continue it, so a mapping crosses batches and covers whole huge pages
 * (a 1 GiB hugetlb page becomes a 1 GiB IOPTE where the domain has them).
 */
struct iopt_fill {
	struct iopt_area *area;
	struct iopt_domain *domain;
	/* The pending run: pages [index, index + npages), PFNs from pfn */
	unsigned long index;
	unsigned long npages;
	unsigned long pfn;
	/* The first page not mapped yet: [start of the area, mapped) are */
	unsigned long mapped;
	/* Charged at the start of the fill and not pinned (yet) */
	unsigned long charged;
};

/* Map the pending run; on failure it stays pending, nothing mapped */
static int iopt_fill_flush(struct iopt_fill *fill)
{
	struct iopt_area *area = fill->area;
	unsigned long off, end;
	int rc;

	if (!fill->npages)
		return 0;
	iopt_area_byte_range(area, fill->index, fill->index + fill->npages - 1,
			     &off, &end);
	rc = iopt_domain_map_run(fill->domain, iopt_area_off_to_iova(area, off),
				 PFN_PHYS(fill->pfn) + off -
					 fill->index * PAGE_SIZE,
				 end - off, area->iommu_prot | IOMMU_CACHE,
				 !area->iopt->disable_large_pages);
	if (!rc) {
		iopt_area_record_run(area, fill->index, fill->npages,
				     fill->pfn);
		fill->mapped = fill->index + fill->npages;
		fill->npages = 0;
	}
	return rc;
}

/*
 * Add pages [index, index + n), PFNs from @pfn, to the pending run, or map
 * the pending run and start a new one. On failure the new pages are left to
 * the caller and the pending run stays.
 */
static int iopt_fill_add(struct iopt_fill *fill, unsigned long index,
			 unsigned long pfn, unsigned long n)
{
	int rc;

	if (fill->npages && fill->pfn + fill->npages == pfn) {
		fill->npages += n;
		return 0;
	}
	rc = iopt_fill_flush(fill);
	if (rc)
		return rc;
	fill->index = index;
	fill->pfn = pfn;
	fill->npages = n;
	return 0;
}

/* Add pin[0, n), pinned for pages from @index, run by run */
static int iopt_fill_add_pinned(struct iopt_fill *fill, unsigned long index,
				struct page **pin, unsigned long n)
{
	unsigned long i, run;
	int rc;

	for (i = 0; i != n; i += run) {
		run = 1;
		while (i + run != n &&
		       page_to_pfn(pin[i + run]) == page_to_pfn(pin[i]) + run)
			run++;
		rc = iopt_fill_add(fill, index + i, page_to_pfn(pin[i]), run);
		if (rc) {
			/* Ours alone: no tree covers them */
			unpin_user_pages(pin + i, n - i);
			fill->charged += n - i;
			return rc;
		}
	}
	return 0;
}

/*
 * Add pages [index, last] of the area: looked up where a loaded area or an
 * access pins the page, pinned otherwise (the charge was taken already)
 */
static int iopt_fill_batch(struct iopt_fill *fill, unsigned long index,
			   unsigned long last, struct page **pin)
{
	struct iopt_pages *pages = fill->area->pages;
	struct rb_root_cached *trees[] = { &pages->domains_itree,
					   &pages->access_itree };
	struct iopt_span_iter span;
	unsigned long i, n, pfn, next;
	int rc;

	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used) {
			for (i = span.start; i <= span.last; i = next) {
				pfn = iopt_pages_lookup_pfn(pages, i, span.last,
							    &next);
				rc = iopt_fill_add(fill, i, pfn, next - i);
				if (rc)
					return rc;
			}
			continue;
		}
		n = span.last - span.start + 1;
		if (WARN_ON(n > fill->charged))
			return -EINVAL;
		rc = iopt_pages_pin(pages, span.start, n, pin);
		if (rc)
			return rc;
		fill->charged -= n;
		rc = iopt_fill_add_pinned(fill, span.start, pin, n);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Unpin the pages of [index, last], the contiguous PFNs from @first_pfn on,
 * that are in the free spans of @span, a walk of both trees over a range
 * starting at or before @index that the caller advances run by run, in
 * order. Returns how many it unpinned, for the caller to uncharge at once.
 */
static unsigned long iopt_pages_unpin_spans(struct iopt_pages *pages,
					    struct iopt_span_iter *span,
					    unsigned long index,
					    unsigned long last,
					    unsigned long first_pfn)
{
	unsigned long start, end, n = 0;

	for (; !span->done; iopt_span_next(span)) {
		start = max(span->start, index);
		end = min(span->last, last);
		if (!span->is_used && start <= end) {
			unpin_user_page_range_dirty_lock(pfn_to_page(first_pfn +
								     start -
								     index),
							 end - start + 1,
							 pages->writable);
			n += end - start + 1;
		}
		/* The span goes on into the next run */
		if (span->last > last)
			break;
	}
	return n;
}

/*
 * Unmap the area's bytes in pages [index, last] from @domain. With @unpin,
 * first read the PFNs back, then unpin the pages no loaded area covers
 * (the caller has taken this area out of domains_itree already).
 */
static void iopt_area_unmap_range(struct iopt_area *area,
				  struct iopt_domain *domain,
				  unsigned long index, unsigned long last,
				  bool unpin)
{
	struct rb_root_cached *trees[] = { &area->pages->domains_itree,
					   &area->pages->access_itree };
	unsigned long start, end, run_index, run_pfn = 0, pfn = 0, i, next;
	unsigned long iova, unpinned = 0;
	struct iopt_span_iter span;

	iopt_area_byte_range(area, index, last, &start, &end);
	if (!unpin) {
		iova = iopt_area_off_to_iova(area, start);
		domain->ops->unmap(domain, iova, end - start);
		return;
	}

	/*
	 * One run of contiguous pages at a time: cutting only where the
	 * memory is discontiguous never splits a large IOPTE. The free spans
	 * of the trees are walked once beside the runs.
	 */
	iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	run_index = index;
	for (i = index; i <= last + 1; i = next) {
		next = i + 1;
		if (i <= last) {
			pfn = iopt_area_read_pfn(area, domain, i, last, &next);
			if (i == index)
				run_pfn = pfn;
			if (i == index || pfn == run_pfn + (i - run_index))
				continue;
		}
		iopt_area_byte_range(area, run_index, i - 1, &start, &end);
		domain->ops->unmap(domain, iopt_area_off_to_iova(area, start),
				   end - start);
		unpinned += iopt_pages_unpin_spans(area->pages, &span, run_index,
						   i - 1, run_pfn);
		run_index = i;
		run_pfn = pfn;
		cond_resched();
	}
	if (unpinned)
		iopt_pages_uncharge(area->pages, unpinned);
}

/**
 * iopt_area_fill_domain() - load an area into one domain
 * @area: the area
 * @domain: the domain
 *
 * Pages no loaded area holds are pinned and charged; the others are read
 * back from a domain holding them. After its first successful fill the area
 * is loaded: in domains_itree, with @domain as its storage domain. The
 * caller holds pages->mutex.
 *
 * Return: 0, or the pinning/charging/mapping error with nothing changed.
 */
int iopt_area_fill_domain(struct iopt_area *area, struct iopt_domain *domain)
{
	struct iopt_pages *pages = area->pages;
	unsigned long batch = iopt_batch_pages();
	unsigned long index, last, first = iopt_area_index(area);
	struct iopt_fill fill = { .area = area, .domain = domain,
				  .mapped = first };
	struct page **pin;
	int rc;

	lockdep_assert_held(&pages->mutex);

	if (iommufd_should_fail())
		return -ENOMEM;
	/* A small area needs no more than its own pages' worth */
	pin = kvmalloc_array(min(batch, iopt_area_last_index(area) - first + 1),
			     sizeof(*pin), GFP_KERNEL);
	if (!pin)
		return -ENOMEM;

	/* One charge for every page this fill pins */
	fill.charged = iopt_pages_count_uncovered(pages, first,
						  iopt_area_last_index(area));
	if (fill.charged) {
		rc = iopt_pages_charge(pages, fill.charged);
		if (rc)
			goto out_free;
	}

	for (index = first; index <= iopt_area_last_index(area);
	     index = last + 1) {
		/* Batches end on multiples of the batch size */
		last = min(iopt_area_last_index(area),
			   ALIGN_DOWN(index, batch) + batch - 1);
		rc = iopt_fill_batch(&fill, index, last, pin);
		if (rc)
			break;
		cond_resched();
	}
	if (!rc)
		rc = iopt_fill_flush(&fill);
	if (rc) {
		/* Pinned, not mapped: the pending run */
		if (fill.npages)
			iopt_pages_unpin_uncovered_run(pages, fill.index,
						       fill.index +
							       fill.npages - 1,
						       fill.pfn);
		if (fill.mapped != first)
			iopt_area_unmap_range(area, domain, first,
					      fill.mapped - 1, true);
		if (!area->storage_domain)
			iopt_area_forget_runs(area);
	}
	if (fill.charged)
		iopt_pages_uncharge(pages, fill.charged);
	if (!rc && !area->storage_domain) {
		/* Later domains copy the PFNs from this one */
		area->storage_domain = domain;
		area->large_loaded = !area->iopt->disable_large_pages;
		interval_tree_insert(&area->pages_node, &pages->domains_itree);
	}
out_free:
	kvfree(pin);
	return rc;
}

/**
 * iopt_area_fill_domains() - load a new area into every domain of its IOAS
 * @area: the area, not loaded yet
 * @iopt: its IO page table, its domains stable (iopt_assert_domains_stable())
 *
 * Return: 0, or the error of the first fill, with nothing loaded.
 */
int iopt_area_fill_domains(struct iopt_area *area, struct io_pagetable *iopt)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_domain *domain, *failed;
	int rc = 0;

	iopt_assert_domains_stable(iopt);
	if (!iopt->num_domains)
		return 0;

	mutex_lock(&pages->mutex);
	list_for_each_entry(domain, &iopt->domains, iopt_item) {
		rc = iopt_area_fill_domain(area, domain);
		if (rc)
			break;
	}
	if (rc && area->storage_domain) {
		failed = domain;
		list_for_each_entry(domain, &iopt->domains, iopt_item) {
			if (domain == failed)
				break;
			if (domain != area->storage_domain)
				iopt_area_unfill_domain(area, domain, false);
		}
		iopt_area_unfill_domain(area, area->storage_domain, true);
	}
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_area_unfill_domain() - unload an area from one domain
 * @area: a loaded area
 * @domain: one of its domains
 * @last: true if it is the area's last domain: unpin what nothing else holds
 *
 * With @last false and @domain the storage domain, the caller must have
 * moved area->storage_domain to another domain first. The caller holds
 * pages->mutex.
 */
void iopt_area_unfill_domain(struct iopt_area *area,
			     struct iopt_domain *domain, bool last)
{
	struct iopt_pages *pages = area->pages;

	lockdep_assert_held(&pages->mutex);

	if (last) {
		interval_tree_remove(&area->pages_node, &pages->domains_itree);
		area->storage_domain = NULL;
		area->large_loaded = false;
	}
	iopt_area_unmap_range(area, domain, iopt_area_index(area),
			      iopt_area_last_index(area), last);
	if (last)
		iopt_area_forget_runs(area);
}

/**
 * iopt_area_unfill_domains() - unload an area from every domain of its IOAS
 * @area: the area
 * @iopt: its IO page table, its domains stable (iopt_assert_domains_stable())
 */
void iopt_area_unfill_domains(struct iopt_area *area,
			      struct io_pagetable *iopt)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_domain *domain;

	iopt_assert_domains_stable(iopt);
	if (!area->storage_domain)
		return;

	mutex_lock(&pages->mutex);
	list_for_each_entry(domain, &iopt->domains, iopt_item)
		if (domain != area->storage_domain)
			iopt_area_unfill_domain(area, domain, false);
	iopt_area_unfill_domain(area, area->storage_domain, true);
	mutex_unlock(&pages->mutex);
}

/* One exact page-index range pinned by accesses, in pages->access_itree */
struct iopt_pages_access {
	struct interval_tree_node node;
	/* Pins of exactly this range not yet dropped */
	unsigned int users;
};

/* The page @index, which access_itree covers: its PFN is recorded */
static struct page *
iopt_pages_lookup_recorded_page(struct iopt_pages *pages, unsigned long index)
{
	return pfn_to_page(xa_to_value(xa_load(&pages->pinned_pfns, index)));
}

/* The access pin of exactly [index, last], or NULL */
static struct iopt_pages_access *
iopt_pages_lookup_access(struct iopt_pages *pages, unsigned long index,
			 unsigned long last)
{
	struct interval_tree_node *node;

	for (node = interval_tree_iter_first(&pages->access_itree, index, last);
	     node; node = interval_tree_iter_next(node, index, last))
		if (node->start == index && node->last == last)
			return container_of(node, struct iopt_pages_access,
					    node);
	return NULL;
}

/*
 * Unpin and uncharge the pages of [index, last] that neither a loaded area
 * nor an access covers, given by page: out[] holds them from @first on.
 * What iopt_pages_pin_access() pinned there itself, before its node is in
 * access_itree.
 */
static void iopt_pages_unpin_uncovered_pages(struct iopt_pages *pages,
					     unsigned long first,
					     unsigned long index,
					     unsigned long last,
					     struct page **out)
{
	struct rb_root_cached *trees[] = { &pages->domains_itree,
					   &pages->access_itree };
	struct iopt_span_iter span;
	unsigned long n;

	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used)
			continue;
		n = span.last - span.start + 1;
		unpin_user_pages_dirty_lock(out + span.start - first, n,
					    pages->writable);
		iopt_pages_uncharge(pages, n);
	}
}

/* Forget the recorded PFNs of the pages of [index, last] no access covers */
static void iopt_pages_forget_pfns(struct iopt_pages *pages,
				   unsigned long index, unsigned long last)
{
	struct rb_root_cached *trees[] = { &pages->access_itree };
	struct iopt_span_iter span;
	unsigned long i;

	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used)
			continue;
		for (i = span.start; i <= span.last; i++)
			xa_erase(&pages->pinned_pfns, i);
	}
}

/*
 * Record the PFNs of the pages of [index, last] no access covered yet;
 * out[] holds the pages from @index on. All or nothing.
 */
static int iopt_pages_record_pfns(struct iopt_pages *pages, unsigned long index,
				  unsigned long last, struct page **out)
{
	struct rb_root_cached *trees[] = { &pages->access_itree };
	struct iopt_span_iter span;
	unsigned long i;
	void *old;

	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used)
			continue;
		for (i = span.start; i <= span.last; i++) {
			old = iommufd_should_fail() ?
				      XA_ERROR(-ENOMEM) :
				      xa_store(&pages->pinned_pfns, i,
					       xa_mk_value(page_to_pfn(out[i - index])),
					       GFP_KERNEL_ACCOUNT);
			if (xa_is_err(old)) {
				if (i != index)
					iopt_pages_forget_pfns(pages, index,
							       i - 1);
				return xa_err(old);
			}
			WARN_ON(old);
		}
	}
	return 0;
}

/*
 * Pin pages [index, last] for an access, out[] gets them. A second pin of
 * the same range only counts; otherwise the pages a domain or an access
 * holds already are looked up and the rest pinned and charged. On failure
 * nothing changed.
 */
static int iopt_pages_pin_access(struct iopt_pages *pages, unsigned long index,
				 unsigned long last, struct page **out)
{
	struct rb_root_cached *trees[] = { &pages->domains_itree,
					   &pages->access_itree };
	struct iopt_pages_access *acc;
	struct iopt_span_iter span;
	unsigned long i, n, pfn, next;
	int rc = 0;

	lockdep_assert_held(&pages->mutex);

	acc = iopt_pages_lookup_access(pages, index, last);
	if (acc) {
		for (i = index; i <= last; i++)
			out[i - index] = iopt_pages_lookup_recorded_page(pages, i);
		acc->users++;
		return 0;
	}

	if (iommufd_should_fail())
		return -ENOMEM;
	acc = kzalloc(sizeof(*acc), GFP_KERNEL_ACCOUNT);
	if (!acc)
		return -ENOMEM;

	/* The caller's out[] is the pin buffer: no batches needed */
	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used) {
			for (i = span.start; i <= span.last; i = next) {
				pfn = iopt_pages_lookup_pfn(pages, i, span.last,
							    &next);
				for (; i != next; i++, pfn++)
					out[i - index] = pfn_to_page(pfn);
			}
			continue;
		}
		n = span.last - span.start + 1;
		rc = iopt_pages_pin(pages, span.start, n,
				    out + span.start - index);
		if (!rc) {
			rc = iopt_pages_charge(pages, n);
			if (rc)
				unpin_user_pages(out + span.start - index, n);
		}
		if (rc) {
			if (span.start != index)
				iopt_pages_unpin_uncovered_pages(pages, index,
								 index,
								 span.start - 1,
								 out);
			goto out_free;
		}
	}

	rc = iopt_pages_record_pfns(pages, index, last, out);
	if (rc) {
		iopt_pages_unpin_uncovered_pages(pages, index, index, last, out);
		goto out_free;
	}
	acc->node.start = index;
	acc->node.last = last;
	acc->users = 1;
	interval_tree_insert(&acc->node, &pages->access_itree);
	return 0;

out_free:
	kfree(acc);
	return rc;
}

/*
 * Drop one access pin of exactly [index, last]; the last one unpins and
 * uncharges the pages neither tree covers any more. False if there was no
 * such pin.
 */
static bool iopt_pages_unpin_access(struct iopt_pages *pages,
				    unsigned long index, unsigned long last)
{
	struct rb_root_cached *trees[] = { &pages->domains_itree,
					   &pages->access_itree };
	struct iopt_pages_access *acc;
	struct iopt_span_iter span;
	struct page *page;
	unsigned long i, n;

	lockdep_assert_held(&pages->mutex);

	acc = iopt_pages_lookup_access(pages, index, last);
	if (WARN_ON(!acc))
		return false;
	if (--acc->users)
		return true;
	interval_tree_remove(&acc->node, &pages->access_itree);
	kfree(acc);

	for (iopt_span_first(&span, trees, ARRAY_SIZE(trees), index, last);
	     !span.done; iopt_span_next(&span)) {
		if (span.is_used)
			continue;
		/* By runs of contiguous pages: one call per run */
		for (i = span.start; i <= span.last; i += n) {
			page = iopt_pages_lookup_recorded_page(pages, i);
			n = 1;
			while (i + n <= span.last &&
			       iopt_pages_lookup_recorded_page(pages, i + n) ==
				       nth_page(page, n))
				n++;
			unpin_user_page_range_dirty_lock(page, n,
							 pages->writable);
		}
		iopt_pages_uncharge(pages, span.last - span.start + 1);
	}
	iopt_pages_forget_pfns(pages, index, last);
	return true;
}

/**
 * iopt_area_add_access() - pin pages of an area for an access
 * @area: the area, which is not being unmapped
 * @index: first page index (in the area's pages object)
 * @last: last page index
 * @out: gets one page per index
 *
 * The caller holds its IO page table's iova_rwsem.
 *
 * Return: 0, or a pinning, charging or memory error with nothing changed.
 */
int iopt_area_add_access(struct iopt_area *area, unsigned long index,
			 unsigned long last, struct page **out)
{
	struct iopt_pages *pages = area->pages;
	int rc;

	mutex_lock(&pages->mutex);
	rc = iopt_pages_pin_access(pages, index, last, out);
	if (!rc)
		area->num_accesses++;
	mutex_unlock(&pages->mutex);
	return rc;
}

/**
 * iopt_area_remove_access() - undo iopt_area_add_access()
 * @area: the area
 * @index: first page index, as pinned
 * @last: last page index, as pinned
 */
void iopt_area_remove_access(struct iopt_area *area, unsigned long index,
			     unsigned long last)
{
	struct iopt_pages *pages = area->pages;

	mutex_lock(&pages->mutex);
	if (iopt_pages_unpin_access(pages, index, last) &&
	    !WARN_ON(!area->num_accesses))
		area->num_accesses--;
	mutex_unlock(&pages->mutex);
}

/* The page @index if one of the trees covers it (it is pinned), else NULL */
static struct page *iopt_pages_lookup_page(struct iopt_pages *pages,
					   unsigned long index)
{
	unsigned long next;
	void *entry;

	lockdep_assert_held(&pages->mutex);

	entry = xa_load(&pages->pinned_pfns, index);
	if (entry)
		return pfn_to_page(xa_to_value(entry));
	if (interval_tree_iter_first(&pages->domains_itree, index, index))
		return pfn_to_page(iopt_pages_lookup_domain_pfn(pages, index,
								index, &next));
	return NULL;
}

/*
 * A short-term pin of page @index of the mapping process (remote when we
 * run elsewhere); -EFAULT when that mm is gone or nothing is mapped there.
 */
static int iopt_pages_pin_one(struct iopt_pages *pages, unsigned long index,
			      bool write, struct page **page)
{
	unsigned long uptr = (unsigned long)pages->uptr + index * PAGE_SIZE;
	unsigned int flags = write ? FOLL_WRITE : 0;
	struct mm_struct *mm = pages->source_mm;
	int locked = 1;
	long rc;

	if (iommufd_should_fail())
		return -EFAULT;
	if (current->mm == mm) {
		rc = pin_user_pages_fast(uptr, 1, flags, page);
	} else {
		if (!mmget_not_zero(mm))
			return -EFAULT;
		mmap_read_lock(mm);
		rc = iommufd_pin_user_pages_remote(mm, uptr, 1, flags, page,
						   &locked);
		if (locked)
			mmap_read_unlock(mm);
		mmput(mm);
	}
	if (rc == 1)
		return 0;
	return rc < 0 ? rc : -EFAULT;
}

static void iopt_page_copy(struct page *page, unsigned long offset,
			   void *data, unsigned long length, bool write)
{
	void *va = kmap_local_page(page);

	if (write)
		memcpy(va + offset, data, length);
	else
		memcpy(data, va + offset, length);
	kunmap_local(va);
}

/*
 * Copy page by page: through the pin a domain or an access holds, else
 * through a short-term pin of the mapping process's page.
 */
static int iopt_pages_rw_slow(struct iopt_pages *pages, unsigned long offset,
			      void *data, unsigned long length, bool write)
{
	unsigned long index, in_page, n;
	struct page *page;
	int rc;

	while (length) {
		index = offset / PAGE_SIZE;
		in_page = offset % PAGE_SIZE;
		n = min(length, PAGE_SIZE - in_page);

		/* A held page stays pinned while we hold the mutex */
		mutex_lock(&pages->mutex);
		page = iopt_pages_lookup_page(pages, index);
		if (page)
			iopt_page_copy(page, in_page, data, n, write);
		mutex_unlock(&pages->mutex);
		if (!page) {
			rc = iopt_pages_pin_one(pages, index, write, &page);
			if (rc)
				return rc;
			iopt_page_copy(page, in_page, data, n, write);
			unpin_user_pages_dirty_lock(&page, 1, write);
		}
		offset += n;
		data += n;
		length -= n;
		cond_resched();
	}
	return 0;
}

/* Copy at the user address in the current mm, which maps the pages */
static int iopt_pages_rw_user(struct iopt_pages *pages, unsigned long offset,
			      void *data, unsigned long length, bool write)
{
	void __user *uptr = pages->uptr + offset;
	unsigned long left;

	if (write)
		left = copy_to_user(uptr, data, length);
	else
		left = copy_from_user(data, uptr, length);
	return left ? -EFAULT : 0;
}

/**
 * iopt_pages_rw() - copy between a kernel buffer and a pages object
 * @pages: the pages object
 * @offset: byte offset in @pages
 * @data: kernel buffer
 * @length: bytes
 * @flags: IOMMUFD_ACCESS_RW_WRITE (into @pages), IOMMUFD_ACCESS_RW_KTHREAD,
 *	IOMMUFD_ACCESS_RW_SLOW_PATH (test builds: never the direct copy)
 *
 * No long-term pin is taken. In the mapping process (or in a kernel thread
 * with IOMMUFD_ACCESS_RW_KTHREAD, which borrows its mm) the copy goes
 * straight to the user address; elsewhere page by page.
 *
 * Return: 0, or -EFAULT when the memory cannot be reached.
 */
int iopt_pages_rw(struct iopt_pages *pages, unsigned long offset, void *data,
		  unsigned long length, unsigned int flags)
{
	bool write = flags & IOMMUFD_ACCESS_RW_WRITE;
	struct mm_struct *mm = pages->source_mm;
	int rc;

	if (flags & IOMMUFD_ACCESS_RW_SLOW_PATH)
		return iopt_pages_rw_slow(pages, offset, data, length, write);
	if (current->mm == mm)
		return iopt_pages_rw_user(pages, offset, data, length, write);
	/* Only a kernel thread may adopt an mm, not a task past exit_mm() */
	if (!current->mm && (current->flags & PF_KTHREAD) &&
	    (flags & IOMMUFD_ACCESS_RW_KTHREAD)) {
		if (!mmget_not_zero(mm))
			return -EFAULT;
		kthread_use_mm(mm);
		rc = iopt_pages_rw_user(pages, offset, data, length, write);
		kthread_unuse_mm(mm);
		mmput(mm);
		return rc;
	}
	return iopt_pages_rw_slow(pages, offset, data, length, write);
}
