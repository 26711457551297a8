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
 */
#include <linux/capability.h>
#include <linux/iommu.h>
#include <linux/cred.h>
#include <linux/mm.h>
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

	free_uid(pages->source_user);
	put_task_struct(pages->source_task);
	mmdrop(pages->source_mm);
	mutex_destroy(&pages->mutex);
	kfree(pages);
}
