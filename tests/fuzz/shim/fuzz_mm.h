/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz shim: the memory management, task and GUP calls pages.c makes, on
 * a pretend world the pin target (pin.c) provides: struct page is one
 * slot of its page array with a pin count, an mm maps user pages to PFNs,
 * VMAs and rlimits are its to set, and current is whichever task it
 * chooses. Locks only record how they are held.
 */
#ifndef SHIM_FUZZ_MM_H
#define SHIM_FUZZ_MM_H

#include <string.h>
#include <linux/bug.h>
#include <linux/mm.h>
#include <linux/types.h>

struct page {
	int pins;
};

struct mm_struct {
	int users;
	int grabs;
	int lock_readers;
	bool lock_writer;
	unsigned long locked_vm;
	atomic64_t pinned_vm;
};

struct user_struct {
	int refs;
	atomic_long_t locked_vm;
};

struct task_struct {
	int refs;
	unsigned int flags;
	struct mm_struct *mm;
	struct task_struct *group_leader;
	unsigned long rlimit_memlock;
};

struct vm_area_struct {
	unsigned long vm_start, vm_end, vm_flags;
};

#define PF_KTHREAD 0x00200000
#define FOLL_WRITE 0x01
#define FOLL_FORCE 0x10
#define FOLL_LONGTERM 0x100
#define FAULT_FLAG_WRITE 0x1
#define VM_SHARED 0x08
#define VM_MAYWRITE 0x20
#define RLIMIT_MEMLOCK 8
#define CAP_IPC_LOCK 14

#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)

/* What the pin target provides */
extern struct task_struct *fuzz_current;
extern struct user_struct *fuzz_current_user;
extern bool fuzz_capable;
struct page *pfn_to_page(unsigned long pfn);
unsigned long page_to_pfn(struct page *page);
void *fuzz_page_data(struct page *page);
long fuzz_gup(struct mm_struct *mm, unsigned long start, unsigned long n,
	      unsigned int flags, struct page **pages);
void fuzz_unpin(struct page *page);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
int fixup_user_fault(struct mm_struct *mm, unsigned long address,
		     unsigned int fault_flags, bool *unlocked);
unsigned long fuzz_copy_user(unsigned long uptr, void *data, unsigned long n,
			     bool to_user);

#define current fuzz_current

static inline bool capable(int cap)
{
	return fuzz_capable;
}

static inline struct user_struct *current_user(void)
{
	return fuzz_current_user;
}

static inline struct user_struct *get_uid(struct user_struct *u)
{
	u->refs++;
	return u;
}

static inline void free_uid(struct user_struct *u)
{
	WARN_ON(u->refs-- <= 0);
}

static inline void get_task_struct(struct task_struct *t)
{
	t->refs++;
}

static inline void put_task_struct(struct task_struct *t)
{
	WARN_ON(t->refs-- <= 0);
}

static inline unsigned long task_rlimit(struct task_struct *t, int limit)
{
	return t->rlimit_memlock;
}

static inline void mmgrab(struct mm_struct *mm)
{
	mm->grabs++;
}

static inline void mmdrop(struct mm_struct *mm)
{
	WARN_ON(mm->grabs-- <= 0);
}

static inline bool mmget_not_zero(struct mm_struct *mm)
{
	if (!mm->users)
		return false;
	mm->users++;
	return true;
}

static inline void mmput(struct mm_struct *mm)
{
	WARN_ON(mm->users-- <= 1);
}

#define mmput_async mmput

static inline void mmap_read_lock(struct mm_struct *mm)
{
	WARN_ON(mm->lock_writer);
	mm->lock_readers++;
}

static inline void mmap_read_unlock(struct mm_struct *mm)
{
	WARN_ON(mm->lock_readers-- <= 0);
}

static inline void mmap_write_lock(struct mm_struct *mm)
{
	WARN_ON(mm->lock_writer || mm->lock_readers);
	mm->lock_writer = true;
}

static inline void mmap_write_unlock(struct mm_struct *mm)
{
	WARN_ON(!mm->lock_writer);
	mm->lock_writer = false;
}

static inline int __account_locked_vm(struct mm_struct *mm,
				      unsigned long pages, bool inc,
				      struct task_struct *task, bool bypass)
{
	WARN_ON(!mm->lock_writer);
	if (!inc) {
		WARN_ON(pages > mm->locked_vm);
		mm->locked_vm -= pages;
		return 0;
	}
	if (mm->locked_vm + pages > task->rlimit_memlock >> PAGE_SHIFT)
		return -ENOMEM;
	mm->locked_vm += pages;
	return 0;
}

static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

static inline long pin_user_pages_fast(unsigned long start, int n,
				       unsigned int flags, struct page **pages)
{
	return fuzz_gup(current->mm, start, n, flags, pages);
}

static inline long pin_user_pages_remote(struct mm_struct *mm,
					 unsigned long start, unsigned long n,
					 unsigned int flags,
					 struct page **pages, int *locked)
{
	WARN_ON(!mm->lock_readers);
	return fuzz_gup(mm, start, n, flags, pages);
}

static inline void unpin_user_pages(struct page **pages, unsigned long n)
{
	while (n--)
		fuzz_unpin(*pages++);
}

static inline void unpin_user_pages_dirty_lock(struct page **pages,
					       unsigned long n, bool dirty)
{
	unpin_user_pages(pages, n);
}

static inline void unpin_user_page_range_dirty_lock(struct page *page,
						    unsigned long n, bool dirty)
{
	while (n--)
		fuzz_unpin(page++);
}

#define nth_page(page, n) ((page) + (n))

static inline void *kmap_local_page(struct page *page)
{
	return fuzz_page_data(page);
}

static inline void kunmap_local(void *va)
{
}

static inline unsigned long copy_to_user(void __user *to, const void *from,
					 unsigned long n)
{
	return fuzz_copy_user((unsigned long)to, (void *)from, n, true);
}

static inline unsigned long copy_from_user(void *to, const void __user *from,
					   unsigned long n)
{
	return fuzz_copy_user((unsigned long)from, to, n, false);
}

static inline void kthread_use_mm(struct mm_struct *mm)
{
	WARN_ON(current->mm);
	current->mm = mm;
}

static inline void kthread_unuse_mm(struct mm_struct *mm)
{
	WARN_ON(current->mm != mm);
	current->mm = NULL;
}

static inline void cond_resched(void)
{
}

static inline void atomic64_add(s64 i, atomic64_t *v)
{
	v->counter += i;
}

static inline void atomic64_sub(s64 i, atomic64_t *v)
{
	v->counter -= i;
}

static inline long atomic_long_read(atomic_long_t *v)
{
	return v->counter;
}

static inline void atomic_long_sub(long i, atomic_long_t *v)
{
	v->counter -= i;
}

static inline bool atomic_long_try_cmpxchg(atomic_long_t *v, long *old,
					   long new)
{
	if (v->counter != *old) {
		*old = v->counter;
		return false;
	}
	v->counter = new;
	return true;
}

#endif
