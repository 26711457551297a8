// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the pin bookkeeping of src/pages.c, compiled unchanged (a
 * copy that finds shim/private/iommufd_private.h instead of the module's).
 *
 * A pretend process maps 64 user pages to PFNs (contiguous runs and
 * jumps, some pages unmapped, private or shared VMAs); struct page is a
 * pin count. Pages objects over that memory get areas, which go into mock
 * domains (a page table per domain) as iopt_map_pages(),
 * iopt_table_add_domain() and iopt_table_remove_domain() put them, and
 * access pins of page ranges come and go, from the mapping process or
 * another, with any batch size, page-sized or large IOPTEs, accounting to
 * the user, the mm or no one, and the n-th allocation, charge or map
 * failing. After every step each page must be pinned exactly once per
 * pages object that needs it (a loaded area or an access covers it), the
 * counts and charges must agree, the recorded PFNs must be those of the
 * access ranges, every domain must map every area's IOVA to the right
 * PFN and nothing else, and each access pin must have returned the right
 * pages, and copies (iopt_pages_rw()) must read and write the pages the
 * process maps. An operation that fails must be one that may (an injected
 * failure, an unmapped page, the memlock limit) and change nothing.
 */
#include "fuzz.h"

#include <linux/interval_tree.h>
#include <linux/iommu.h>
#include <linux/slab.h>

#include "iommufd_private.h"

#define NPFN 512
#define PFN_BASE 0x1000UL
#define NUPAGES 64
#define UBASE 0x10000000UL
#define NPAGES_OBJ 2
#define NAREAS 6
#define NDOMAINS 3
#define NPINS 16
#define SLOT_PAGES 128

/* The pretend world of fuzz_mm.h */
static struct page page_array[NPFN];
static unsigned long umap[NUPAGES];	/* user page -> PFN, 0: unmapped */
/*
 * Mapped, but missing until faulted in: a long-term pin of 6.1 (which
 * cannot wait for the fault) fails there until fixup_user_fault()
 */
static bool lazy[NUPAGES];
static struct vm_area_struct vmas[2];
static struct mm_struct mm_a, mm_b;
static struct task_struct task_a, task_b, task_kthread;
static struct user_struct user;
struct task_struct *fuzz_current;
struct user_struct *fuzz_current_user = &user;
bool fuzz_capable;
bool fuzz_ro_pin_breaks_cow;

struct page *pfn_to_page(unsigned long pfn)
{
	FUZZ_CHECK(pfn >= PFN_BASE && pfn < PFN_BASE + NPFN, "pfn %#lx", pfn);
	return &page_array[pfn - PFN_BASE];
}

unsigned long page_to_pfn(struct page *page)
{
	FUZZ_CHECK(page >= page_array && page < page_array + NPFN);
	return PFN_BASE + (page - page_array);
}

/* Page contents, made on first use: byte i of PFN n starts as n * 7 + i */
static unsigned char *page_data[NPFN];

void *fuzz_page_data(struct page *page)
{
	unsigned long pfn = page_to_pfn(page), i;
	unsigned char **data = &page_data[pfn - PFN_BASE];

	if (!*data) {
		*data = malloc(PAGE_SIZE);
		for (i = 0; i < PAGE_SIZE; i++)
			(*data)[i] = pfn * 7 + i;
	}
	return *data;
}

long fuzz_gup(struct mm_struct *mm, unsigned long start, unsigned long n,
	      unsigned int flags, struct page **pages)
{
	unsigned long i, u;

	FUZZ_CHECK(mm == &mm_a, "pinning from another mm");
	FUZZ_CHECK(start % PAGE_SIZE == 0 && n);
	for (i = 0; i < n; i++) {
		u = (start - UBASE) / PAGE_SIZE + i;
		if (start < UBASE || u >= NUPAGES || !umap[u])
			break;
		if (lazy[u] && (flags & FOLL_LONGTERM) &&
		    !IOMMUFD_LONGTERM_PIN_WAITS)
			break;
		lazy[u] = false;
		pages[i] = pfn_to_page(umap[u]);
		pages[i]->pins++;
	}
	return i ? (long)i : -EFAULT;
}

int fixup_user_fault(struct mm_struct *mm, unsigned long address,
		     unsigned int fault_flags, bool *unlocked)
{
	unsigned long u = (address - UBASE) / PAGE_SIZE;

	FUZZ_CHECK(mm->lock_readers, "faulting in without mmap_lock");
	if (address < UBASE || u >= NUPAGES || !umap[u])
		return -EFAULT;
	lazy[u] = false;
	return 0;
}

void fuzz_unpin(struct page *page)
{
	FUZZ_CHECK(page->pins > 0, "unpin of pfn %#lx, not pinned",
		   page_to_pfn(page));
	page->pins--;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	int i;

	FUZZ_CHECK(mm->lock_readers || mm->lock_writer);
	for (i = 0; i < 2; i++)
		if (addr >= vmas[i].vm_start && addr < vmas[i].vm_end)
			return &vmas[i];
	return NULL;
}

/* copy_to_user() and copy_from_user() in the mapping process */
unsigned long fuzz_copy_user(unsigned long uptr, void *data, unsigned long n,
			     bool to_user)
{
	unsigned long u, off, step;
	unsigned char *va;

	FUZZ_CHECK(current->mm == &mm_a, "user copy outside the mapping mm");
	while (n) {
		u = (uptr - UBASE) / PAGE_SIZE;
		if (uptr < UBASE || u >= NUPAGES || !umap[u])
			return n;
		off = uptr % PAGE_SIZE;
		step = n < PAGE_SIZE - off ? n : PAGE_SIZE - off;
		va = fuzz_page_data(pfn_to_page(umap[u]));
		if (to_user)
			memcpy(va + off, data, step);
		else
			memcpy(data, va + off, step);
		uptr += step;
		data += step;
		n -= step;
	}
	return 0;
}

/* Mock domains: one page table of SLOT_PAGES per area slot */
struct mock_domain {
	struct iopt_domain domain;
	phys_addr_t pt[NAREAS][SLOT_PAGES];
	unsigned long mapped;
};

static unsigned long slot_iova(int slot)
{
	return (unsigned long)(slot + 1) << 30;
}

static phys_addr_t *mock_pte(struct iopt_domain *domain, unsigned long iova)
{
	struct mock_domain *mock = container_of(domain, struct mock_domain,
						domain);
	unsigned long slot = (iova >> 30) - 1, page = (iova >> PAGE_SHIFT) % (1UL << 18);

	FUZZ_CHECK(slot < NAREAS && page < SLOT_PAGES, "IOVA %#lx", iova);
	return &mock->pt[slot][page];
}

static int mock_map(struct iopt_domain *domain, unsigned long iova,
		    phys_addr_t paddr, size_t size, int prot)
{
	struct mock_domain *mock = container_of(domain, struct mock_domain,
						domain);
	unsigned long pos;
	phys_addr_t *pte;

	FUZZ_CHECK(size && iova % PAGE_SIZE == paddr % PAGE_SIZE);
	if (iommufd_should_fail())
		return -ENOMEM;
	for (pos = ALIGN_DOWN(iova, PAGE_SIZE); pos < iova + size;
	     pos += PAGE_SIZE) {
		pte = mock_pte(domain, pos);
		FUZZ_CHECK(!*pte, "IOVA %#lx mapped twice", pos);
		*pte = ALIGN_DOWN(paddr, PAGE_SIZE) + (pos - ALIGN_DOWN(iova, PAGE_SIZE));
		mock->mapped++;
	}
	return 0;
}

static size_t mock_unmap(struct iopt_domain *domain, unsigned long iova,
			 size_t size)
{
	struct mock_domain *mock = container_of(domain, struct mock_domain,
						domain);
	unsigned long pos;
	phys_addr_t *pte;

	for (pos = ALIGN_DOWN(iova, PAGE_SIZE); pos < iova + size;
	     pos += PAGE_SIZE) {
		pte = mock_pte(domain, pos);
		FUZZ_CHECK(*pte, "IOVA %#lx unmapped, not mapped", pos);
		*pte = 0;
		mock->mapped--;
	}
	return size;
}

static phys_addr_t mock_iova_to_phys(struct iopt_domain *domain,
				     unsigned long iova)
{
	phys_addr_t pte = *mock_pte(domain, iova);

	return pte ? pte + iova % PAGE_SIZE : 0;
}

static const struct iopt_domain_ops mock_ops = {
	.map = mock_map,
	.unmap = mock_unmap,
	.iova_to_phys = mock_iova_to_phys,
};

static struct io_pagetable iopt;
static struct iommufd_ctx ictx;
static struct iopt_pages *pages_objs[NPAGES_OBJ];
static struct iopt_area *areas[NAREAS];	/* by slot */
static struct mock_domain *domains[NDOMAINS];
static struct {
	struct iopt_area *area;
	unsigned long index, last;
} pins[NPINS];
static int npins;

static unsigned long upage(struct iopt_pages *pages, unsigned long index)
{
	return ((unsigned long)pages->uptr - UBASE) / PAGE_SIZE + index;
}

/* The model: does a loaded area or an access pin cover page @index? */
static bool covered(struct iopt_pages *pages, unsigned long index)
{
	int i;

	for (i = 0; i < NAREAS; i++)
		if (areas[i] && areas[i]->pages == pages && iopt.num_domains &&
		    index >= areas[i]->pages_node.start &&
		    index <= areas[i]->pages_node.last)
			return true;
	for (i = 0; i < npins; i++)
		if (pins[i].area->pages == pages && index >= pins[i].index &&
		    index <= pins[i].last)
			return true;
	return false;
}

static bool access_covered(struct iopt_pages *pages, unsigned long index)
{
	int i;

	for (i = 0; i < npins; i++)
		if (pins[i].area->pages == pages && index >= pins[i].index &&
		    index <= pins[i].last)
			return true;
	return false;
}

/*
 * Whether pinning [index, last] of @pages may fail: an injected failure,
 * an unmapped page not yet pinned, or the charge over the limit
 */
static bool may_fail(struct iopt_pages *pages, unsigned long index,
		     unsigned long last, bool extra)
{
	unsigned long i, n = 0, u;

	if (fuzz_failed || extra)
		return true;
	for (i = index; i <= last; i++) {
		if (covered(pages, i))
			continue;
		u = upage(pages, i);
		if (u >= NUPAGES || !umap[u])
			return true;
		n++;
	}
	if (pages->account_mode == IOPT_ACCOUNT_USER)
		return user.locked_vm.counter + n >
		       task_a.rlimit_memlock >> PAGE_SHIFT;
	if (pages->account_mode == IOPT_ACCOUNT_MM)
		return mm_a.locked_vm + n > task_a.rlimit_memlock >> PAGE_SHIFT;
	return false;
}

static void check_state(void)
{
	int expect[NPFN] = { 0 }, p, i, d;
	unsigned long idx, npinned, user_vm = 0, mm_vm = 0, all = 0, mapped = 0;
	unsigned long iova, off, nrecorded;
	struct iopt_pages *pages;
	struct iopt_area *area;
	phys_addr_t phys, want;
	void *entry;

	for (p = 0; p < NPAGES_OBJ; p++) {
		pages = pages_objs[p];
		if (!pages)
			continue;
		npinned = 0;
		nrecorded = 0;
		for (idx = 0; idx < pages->npages; idx++) {
			entry = xa_load(&pages->pinned_pfns, idx);
			if (access_covered(pages, idx)) {
				FUZZ_CHECK(entry && xa_to_value(entry) ==
						    umap[upage(pages, idx)],
					   "pages %d index %lu: PFN not recorded",
					   p, idx);
				nrecorded++;
			}
			if (!covered(pages, idx))
				continue;
			npinned++;
			expect[umap[upage(pages, idx)] - PFN_BASE]++;
		}
		FUZZ_CHECK(pages->pinned_pfns.n == nrecorded,
			   "pages %d: %u PFNs recorded, model %lu", p,
			   pages->pinned_pfns.n, nrecorded);
		FUZZ_CHECK(pages->npinned == npinned,
			   "pages %d: npinned %lu, model %lu", p,
			   pages->npinned, npinned);
		all += npinned;
		if (pages->account_mode == IOPT_ACCOUNT_USER)
			user_vm += npinned;
		if (pages->account_mode == IOPT_ACCOUNT_MM)
			mm_vm += npinned;
	}
	for (i = 0; i < NPFN; i++)
		FUZZ_CHECK(page_array[i].pins == expect[i],
			   "pfn %#lx pinned %d times, model %d", PFN_BASE + i,
			   page_array[i].pins, expect[i]);
	FUZZ_CHECK(user.locked_vm.counter == (long)user_vm &&
		   mm_a.locked_vm == mm_vm && mm_a.pinned_vm.counter == (s64)all,
		   "charges: user %ld mm %lu pinned_vm %lld, model %lu %lu %lu",
		   user.locked_vm.counter, mm_a.locked_vm,
		   (long long)mm_a.pinned_vm.counter, user_vm, mm_vm, all);

	for (i = 0; i < NAREAS; i++) {
		area = areas[i];
		if (!area)
			continue;
		FUZZ_CHECK(!area->storage_domain == !iopt.num_domains);
		if (!iopt.num_domains)
			continue;
		mapped += (area->node.last / PAGE_SIZE) -
			  (area->node.start / PAGE_SIZE) + 1;
		for (d = 0; d < NDOMAINS; d++) {
			if (!domains[d] || !domains[d]->domain.iopt)
				continue;
			for (iova = area->node.start; iova <= area->node.last;
			     iova = ALIGN_DOWN(iova, PAGE_SIZE) + PAGE_SIZE) {
				off = area->pages_offset + iova - area->node.start;
				want = PFN_PHYS(umap[upage(area->pages,
							   off / PAGE_SIZE)]) +
				       off % PAGE_SIZE;
				phys = mock_iova_to_phys(&domains[d]->domain, iova);
				FUZZ_CHECK(phys == want,
					   "domain %d IOVA %#lx: phys %#llx", d,
					   iova, (unsigned long long)phys);
			}
		}
	}
	for (d = 0; d < NDOMAINS; d++)
		if (domains[d] && domains[d]->domain.iopt)
			FUZZ_CHECK(domains[d]->mapped == mapped,
				   "domain %d maps %lu pages, model %lu", d,
				   domains[d]->mapped, mapped);
}

static void op_new_pages(struct fuzz_input *in)
{
	int p = fuzz_u8(in) % NPAGES_OBJ;
	unsigned int flags = fuzz_u8(in);
	unsigned long off = fuzz_u16(in) % ((NUPAGES + 2) * PAGE_SIZE);
	unsigned long len = 1 + fuzz_u16(in) % (16 * PAGE_SIZE);
	struct iopt_pages *pages;
	struct task_struct *saved = fuzz_current;
	int i;

	for (i = 0; i < NAREAS; i++)
		if (areas[i] && areas[i]->pages == pages_objs[p])
			return;
	if (flags & 0x80)
		len = 1 + (len % 64) * PAGE_SIZE / 16;
	fuzz_capable = flags & 1;
	ictx.account_mode = flags & 2 ? IOMMUFD_ACCOUNT_MM : IOMMUFD_ACCOUNT_USER;
	fuzz_current = &task_a;
	pages = iopt_alloc_pages(&ictx, (void *)(UBASE + off), len, flags & 4);
	fuzz_current = saved;
	FUZZ_CHECK(!IS_ERR(pages) || fuzz_failed);
	if (IS_ERR(pages))
		return;
	if (pages_objs[p])
		iopt_put_pages(pages_objs[p]);
	pages_objs[p] = pages;
}

static void op_new_area(struct fuzz_input *in)
{
	struct iopt_pages *pages = pages_objs[fuzz_u8(in) % NPAGES_OBJ];
	unsigned long size, off = fuzz_u16(in), len = fuzz_u16(in);
	struct iopt_area *area;
	int slot, rc;

	for (slot = 0; slot < NAREAS && areas[slot]; slot++)
		;
	if (!pages || slot == NAREAS)
		return;
	size = pages->npages * PAGE_SIZE;
	off %= size;
	len = 1 + len % (size - off);
	area = kzalloc(sizeof(*area), GFP_KERNEL);
	area->iopt = &iopt;
	area->pages = pages;
	kref_get(&pages->kref);
	area->node.start = slot_iova(slot) + off % PAGE_SIZE;
	area->node.last = area->node.start + len - 1;
	area->pages_offset = off;
	area->pages_node.start = off / PAGE_SIZE;
	area->pages_node.last = (off + len - 1) / PAGE_SIZE;
	area->iommu_prot = IOMMU_READ;

	down_read(&iopt.domains_rwsem);
	down_write(&iopt.iova_rwsem);
	interval_tree_insert(&area->node, &iopt.area_itree);
	areas[slot] = area;
	rc = iopt_area_fill_domains(area, &iopt);
	if (rc) {
		areas[slot] = NULL;
		FUZZ_CHECK(may_fail(pages, area->pages_node.start,
				    area->pages_node.last, false),
			   "rc %d", rc);
		interval_tree_remove(&area->node, &iopt.area_itree);
		iopt_put_pages(pages);
		kfree(area);
	}
	up_write(&iopt.iova_rwsem);
	up_read(&iopt.domains_rwsem);
}

static void unpin(int i)
{
	iopt_area_remove_access(pins[i].area, pins[i].index, pins[i].last);
	pins[i] = pins[--npins];
}

static void remove_area(int slot)
{
	struct iopt_area *area = areas[slot];
	int i;

	/* An unmap has the accesses drop their pins first */
	for (i = npins - 1; i >= 0; i--)
		if (pins[i].area == area)
			unpin(i);
	FUZZ_CHECK(!area->num_accesses);
	down_read(&iopt.domains_rwsem);
	down_write(&iopt.iova_rwsem);
	iopt_area_unfill_domains(area, &iopt);
	interval_tree_remove(&area->node, &iopt.area_itree);
	areas[slot] = NULL;
	up_write(&iopt.iova_rwsem);
	up_read(&iopt.domains_rwsem);
	iopt_put_pages(area->pages);
	kfree(area);
}

/* iopt_table_add_domain(), without the alignment and reservations */
static void add_domain(int d)
{
	struct mock_domain *mock = calloc(1, sizeof(*mock));
	struct iopt_domain *domain = &mock->domain;
	struct iopt_area *area, *done;
	bool extra = false;
	int rc = 0;

	domain->ops = &mock_ops;
	down_write(&iopt.domains_rwsem);
	down_write(&iopt.iova_rwsem);
	for (area = iopt_area_iter_first(&iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		if (!iopt.num_domains)
			extra |= may_fail(area->pages, area->pages_node.start,
					  area->pages_node.last, false);
		mutex_lock(&area->pages->mutex);
		rc = iopt_area_fill_domain(area, domain);
		mutex_unlock(&area->pages->mutex);
		if (rc)
			break;
	}
	if (rc) {
		FUZZ_CHECK(fuzz_failed || extra, "rc %d", rc);
		for (done = iopt_area_iter_first(&iopt, 0, ULONG_MAX);
		     done != area;
		     done = iopt_area_iter_next(done, 0, ULONG_MAX)) {
			mutex_lock(&done->pages->mutex);
			iopt_area_unfill_domain(done, domain, !iopt.num_domains);
			mutex_unlock(&done->pages->mutex);
		}
		FUZZ_CHECK(!mock->mapped);
		free(mock);
	} else {
		list_add_tail(&domain->iopt_item, &iopt.domains);
		iopt.num_domains++;
		domain->iopt = &iopt;
		domains[d] = mock;
	}
	up_write(&iopt.iova_rwsem);
	up_write(&iopt.domains_rwsem);
}

/* iopt_table_remove_domain() */
static void remove_domain(int d)
{
	struct iopt_domain *domain = &domains[d]->domain;
	struct iopt_area *area;

	down_write(&iopt.domains_rwsem);
	down_write(&iopt.iova_rwsem);
	list_del(&domain->iopt_item);
	iopt.num_domains--;
	domain->iopt = NULL;
	for (area = iopt_area_iter_first(&iopt, 0, ULONG_MAX); area;
	     area = iopt_area_iter_next(area, 0, ULONG_MAX)) {
		mutex_lock(&area->pages->mutex);
		if (area->storage_domain == domain && iopt.num_domains)
			area->storage_domain =
				list_first_entry(&iopt.domains,
						 struct iopt_domain, iopt_item);
		iopt_area_unfill_domain(area, domain, !iopt.num_domains);
		mutex_unlock(&area->pages->mutex);
	}
	up_write(&iopt.iova_rwsem);
	up_write(&iopt.domains_rwsem);
	FUZZ_CHECK(!domains[d]->mapped, "domain left with %lu pages mapped",
		   domains[d]->mapped);
	free(domains[d]);
	domains[d] = NULL;
}

static void op_pin(struct fuzz_input *in)
{
	struct iopt_area *area = areas[fuzz_u8(in) % NAREAS];
	unsigned long index, last, n, i, a = fuzz_u8(in), b = fuzz_u8(in);
	struct page **out;
	int rc;

	if (!area || npins == NPINS)
		return;
	n = area->pages_node.last - area->pages_node.start + 1;
	index = area->pages_node.start + a % n;
	last = index + b % (area->pages_node.last - index + 1);
	out = calloc(last - index + 1, sizeof(*out));
	down_read(&iopt.iova_rwsem);
	rc = iopt_area_add_access(area, index, last, out);
	up_read(&iopt.iova_rwsem);
	if (rc) {
		FUZZ_CHECK(may_fail(area->pages, index, last, false),
			   "[%lu, %lu]: rc %d", index, last, rc);
	} else {
		for (i = index; i <= last; i++)
			FUZZ_CHECK(out[i - index] ==
					   pfn_to_page(umap[upage(area->pages, i)]),
				   "index %lu: wrong page", i);
		pins[npins].area = area;
		pins[npins].index = index;
		pins[npins].last = last;
		npins++;
	}
	free(out);
}

/*
 * iopt_pages_rw(): in the mapping process, another one or a kernel thread,
 * directly or page by page. It reads and writes the pages the user
 * addresses map, and fails only where one is not mapped (or a short-term
 * pin is made to fail); the pin counts show any pin it leaves behind.
 */
static void op_rw(struct fuzz_input *in)
{
	struct iopt_pages *pages = pages_objs[fuzz_u8(in) % NPAGES_OBJ];
	unsigned int flags = fuzz_u8(in), rw_flags = 0;
	unsigned long off = fuzz_u16(in), len = 1 + fuzz_u16(in) % (3 * PAGE_SIZE);
	unsigned long i, u, bad = 0;
	unsigned char buf[3 * PAGE_SIZE], *va;
	struct task_struct *saved = fuzz_current;
	int rc;

	if (!pages)
		return;
	off %= pages->npages * PAGE_SIZE;
	if (len > pages->npages * PAGE_SIZE - off)
		len = pages->npages * PAGE_SIZE - off;
	if (flags & 1)
		rw_flags |= IOMMUFD_ACCESS_RW_WRITE;
	if (flags & 2)
		rw_flags |= IOMMUFD_ACCESS_RW_KTHREAD;
	if (flags & 4)
		rw_flags |= IOMMUFD_ACCESS_RW_SLOW_PATH;
	if (flags & 8)
		fuzz_current = &task_kthread;
	for (i = 0; i < len; i++)
		buf[i] = flags + i * 3;
	for (i = off / PAGE_SIZE; i <= (off + len - 1) / PAGE_SIZE; i++) {
		u = upage(pages, i);
		bad |= u >= NUPAGES || !umap[u];
	}
	rc = iopt_pages_rw(pages, off, buf, len, rw_flags);
	fuzz_current = saved;
	if (rc) {
		FUZZ_CHECK(rc == -EFAULT && (bad || fuzz_failed), "rc %d", rc);
		return;
	}
	FUZZ_CHECK(!bad, "copied through a page that is not mapped");
	for (i = 0; i < len; i++) {
		u = upage(pages, (off + i) / PAGE_SIZE);
		va = fuzz_page_data(pfn_to_page(umap[u]));
		FUZZ_CHECK(va[(off + i) % PAGE_SIZE] ==
				   (flags & 1 ? (unsigned char)(flags + i * 3) : buf[i]),
			   "byte %lu of the copy at offset %#lx", i, off);
	}
}

static void world(struct fuzz_input *in)
{
	unsigned int flags = fuzz_u8(in), split = fuzz_u8(in) % (NUPAGES + 1);
	unsigned long pfn = PFN_BASE + fuzz_u8(in);
	unsigned int i, b = 0;

	/* Runs of contiguous PFNs, jumps, holes */
	for (i = 0; i < NUPAGES; i++) {
		if (i % 8 == 0)
			b = fuzz_u8(in);
		if (b & 1)
			pfn = PFN_BASE + (pfn * 37 + i) % (NPFN - 1);
		umap[i] = (flags & 1) && (b & 2) && i % 5 == 0 ? 0 : pfn;
		lazy[i] = pfn % 7 == 0;
		pfn = PFN_BASE + (pfn + 1 - PFN_BASE) % NPFN;
		b >>= 1;
	}
	vmas[0] = (struct vm_area_struct){
		UBASE, UBASE + split * PAGE_SIZE,
		flags & 2 ? VM_SHARED | VM_MAYWRITE : VM_MAYWRITE
	};
	vmas[1] = (struct vm_area_struct){
		UBASE + split * PAGE_SIZE, UBASE + NUPAGES * PAGE_SIZE,
		flags & 4 ? VM_SHARED | VM_MAYWRITE : VM_MAYWRITE
	};
	fuzz_ro_pin_breaks_cow = flags & 8;
	task_a.rlimit_memlock = flags & 16 ? (unsigned long)fuzz_u8(in) << PAGE_SHIFT :
					     ULONG_MAX;
}

static void reset(void)
{
	int i;

	for (i = 0; i < NPFN; i++) {
		free(page_data[i]);
		page_data[i] = NULL;
	}
	memset(page_array, 0, sizeof(page_array));
	memset(&mm_a, 0, sizeof(mm_a));
	memset(&mm_b, 0, sizeof(mm_b));
	mm_a.users = 1;
	mm_b.users = 1;
	memset(&user, 0, sizeof(user));
	task_a = (struct task_struct){ .refs = 1, .mm = &mm_a, .group_leader = &task_a };
	task_b = (struct task_struct){ .refs = 1, .mm = &mm_b, .group_leader = &task_b };
	task_kthread = (struct task_struct){
		.refs = 1, .flags = PF_KTHREAD, .group_leader = &task_kthread
	};
	fuzz_current = &task_a;
	memset(&iopt, 0, sizeof(iopt));
	init_rwsem(&iopt.domains_rwsem);
	init_rwsem(&iopt.iova_rwsem);
	iopt.area_itree = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&iopt.domains);
	memset(pages_objs, 0, sizeof(pages_objs));
	memset(areas, 0, sizeof(areas));
	memset(domains, 0, sizeof(domains));
	npins = 0;
	iopt_set_batch_limit(65536);
}

static void teardown(void)
{
	int i;

	while (npins)
		unpin(npins - 1);
	for (i = 0; i < NAREAS; i++)
		if (areas[i])
			remove_area(i);
	for (i = 0; i < NDOMAINS; i++)
		if (domains[i])
			remove_domain(i);
	check_state();
	for (i = 0; i < NPAGES_OBJ; i++)
		if (pages_objs[i])
			iopt_put_pages(pages_objs[i]);
	for (i = 0; i < NPFN; i++)
		FUZZ_CHECK(!page_array[i].pins);
	FUZZ_CHECK(mm_a.users == 1 && !mm_a.grabs && !user.refs &&
		   task_a.refs == 1 && !user.locked_vm.counter &&
		   !mm_a.locked_vm && !mm_a.pinned_vm.counter);
}

static const char *const op_names[] = {
	"new pages", "new area", "new area", "remove area", "add domain",
	"remove domain", "pin", "pin", "unpin", "batch size", "large pages",
	"current", "rw",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int batch_bytes[] = { 16, 32, 64, 256, 65536 };
	struct fuzz_input in = { .p = data, .left = size };
	unsigned int op, arg;

	reset();
	fuzz_cur = &in;
	in.op = "world";
	world(&in);
	while (in.left) {
		op = fuzz_u8(&in);
		in.step++;
		in.op = op_names[op % ARRAY_SIZE(op_names)];
		fuzz_arm_failure(op & 0x80 ? 1 + fuzz_u8(&in) % 4 : 0);
		arg = fuzz_u8(&in);
		switch (op % ARRAY_SIZE(op_names)) {
		case 0:
			op_new_pages(&in);
			break;
		case 1:
		case 2:
			op_new_area(&in);
			break;
		case 3:
			if (areas[arg % NAREAS])
				remove_area(arg % NAREAS);
			break;
		case 4:
			if (!domains[arg % NDOMAINS])
				add_domain(arg % NDOMAINS);
			break;
		case 5:
			if (domains[arg % NDOMAINS])
				remove_domain(arg % NDOMAINS);
			break;
		case 6:
		case 7:
			op_pin(&in);
			break;
		case 8:
			if (npins)
				unpin(arg % npins);
			break;
		case 9:
			iopt_set_batch_limit(batch_bytes[arg % 5]);
			break;
		case 10:
			if (!iopt.num_domains)
				iopt.disable_large_pages = arg & 1;
			break;
		case 11:
			fuzz_current = arg & 1 ? &task_b : &task_a;
			break;
		case 12:
			op_rw(&in);
			break;
		}
		fuzz_arm_failure(0);
		check_state();
	}
	in.op = "teardown";
	teardown();
	fuzz_cur = NULL;
	return 0;
}
