/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IO page table of an IOAS: which IOVA ranges map which user memory
 * (areas), which IOVA may never be mapped (reserved intervals) and where
 * automatic allocation may look (the allowed list).
 *
 * Three interval trees, all protected by iova_rwsem:
 *   area_itree      struct iopt_area, disjoint, one per MAP / COPY piece
 *   reserved_itree  struct iopt_reserved, may overlap, each with an owner
 *   allowed_itree   struct iopt_allowed, disjoint
 * and the free IOVA between areas and reserved intervals, a tree of holes
 * for the automatic allocator (iopt_holes.c).
 *
 * An area maps the bytes [iova, iova_last] to bytes of a struct iopt_pages,
 * the record of one MAP's user memory; COPY makes more areas on the same
 * pages object, so both see the same pages.
 *
 * Domains (HW page tables) sit behind struct iopt_domain_ops, so the
 * kernel's IOMMU domains and the test build's mock are two implementations
 * of one interface. When an IOAS has domains, every area is loaded into all
 * of them, and its pages are pinned once, however many domains, areas and
 * accesses use them (see pages.c). Attached accesses (access.c) are listed
 * here so that an unmap can ask them to drop their pins.
 *
 * The declarations below are grouped by the file that implements them:
 * io_pagetable.c (the table, its areas, the alignment), iopt_span.c,
 * iopt_holes.c, iopt_reserved.c, iopt_domains.c, iopt_access.c, dirty.c
 * and pages.c. The locks and their order: docs/architecture.md, "Locking
 * and lifetime rules".
 */
#ifndef IOMMUFD_IO_PAGETABLE_H
#define IOMMUFD_IO_PAGETABLE_H

#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct iommufd_access;
struct iommufd_ctx;
struct iommufd_user_data_array;
struct iopt_dirty_bitmap;
struct iopt_domain;
struct iopt_hole;
struct page;

/*
 * Test builds can make allocation points fail on demand (selftest.c;
 * Debian's kernels have no fault injection); production builds compile the
 * checks away. Declared here, so that the mechanisms of the IO page table
 * need nothing else of the module.
 */
#ifdef IOMMUFD_TEST
bool iommufd_should_fail(void);
#else
static inline bool iommufd_should_fail(void)
{
	return false;
}
#endif

/*
 * What a domain does. Paging domains map; nested ones (their stage 1 in
 * userspace's hands) only have free and cache_invalidate_user.
 */
struct iopt_domain_ops {
	/* Map [iova, iova + size) to paddr; both aligned to a page size */
	int (*map)(struct iopt_domain *domain, unsigned long iova,
		   phys_addr_t paddr, size_t size, int prot);
	/* Returns the bytes unmapped, which may exceed size (large IOPTEs) */
	size_t (*unmap)(struct iopt_domain *domain, unsigned long iova,
			size_t size);
	/* 0 if nothing is mapped there */
	phys_addr_t (*iova_to_phys)(struct iopt_domain *domain,
				    unsigned long iova);
	void (*free)(struct iopt_domain *domain);
	/*
	 * Nested domains: handle array->entry_num cache invalidation requests
	 * in order up to the first failure; array->entry_num becomes the
	 * number handled
	 */
	int (*cache_invalidate_user)(struct iopt_domain *domain,
				     struct iommufd_user_data_array *array);
	/*
	 * Optional: make the IOMMU keep every DMA of the domain cache
	 * coherent (snoop), even DMA the device marks no-snoop. Only for a
	 * domain without mappings whose first device is attached (the IOMMU
	 * judges by its devices). Returns whether it does.
	 */
	bool (*enforce_cache_coherency)(struct iopt_domain *domain);
};

/* Driver specific data from userspace: IOMMU_HWPT_ALLOC's data_* fields */
struct iommufd_user_data {
	u32 type;
	void __user *uptr;
	u32 len;
};

/* An array of driver specific requests: IOMMU_HWPT_INVALIDATE's */
struct iommufd_user_data_array {
	u32 type;
	void __user *uptr;
	u32 entry_len;
	u32 entry_num;
};

/* iopt_dirty_ops::read_and_clear_dirty: report, but keep, the dirty state */
#define IOPT_DIRTY_NO_CLEAR BIT(0)

/* A domain that can track which of its IOPTEs the device wrote through */
struct iopt_dirty_ops {
	int (*set_dirty_tracking)(struct iopt_domain *domain, bool enable);
	/*
	 * Report each dirty IOPTE of [iova, iova + length) with
	 * iopt_dirty_record() and, without IOPT_DIRTY_NO_CLEAR, make it clean
	 * (and flush the IOTLB for it). @bitmap NULL: only clean.
	 */
	int (*read_and_clear_dirty)(struct iopt_domain *domain,
				    unsigned long iova, unsigned long length,
				    unsigned long flags,
				    struct iopt_dirty_bitmap *bitmap);
};

/*
 * The page sizes and the aperture are read by the IO page table under its
 * locks once the domain is added; only iopt_domain_set_geometry() changes
 * them then.
 */
struct iopt_domain {
	const struct iopt_domain_ops *ops;
	/* NULL: the domain cannot track dirty IOPTEs */
	const struct iopt_dirty_ops *dirty_ops;
	/* The device ops that allocated it: its IOMMU driver */
	const void *owner;
	unsigned long pgsize_bitmap;
	unsigned long aperture_start;
	unsigned long aperture_last;
	/* ops->enforce_cache_coherency() said yes */
	bool enforce_cache_coherency;
	/*
	 * The table it is added to, or NULL: set and cleared with both rwsems
	 * held for write, by whoever holds the domain (its HW page table),
	 * which may read it without
	 */
	struct io_pagetable *iopt;
	/* In io_pagetable.domains while the domain belongs to an IOAS */
	struct list_head iopt_item;
};

struct io_pagetable {
	/* Taken before iova_rwsem; protects the alignment inputs */
	struct rw_semaphore domains_rwsem;
	struct rw_semaphore iova_rwsem;
	struct rb_root_cached area_itree;
	struct rb_root_cached allowed_itree;
	struct rb_root_cached reserved_itree;
	/* IOMMU_OPTION_HUGE_PAGES off: the alignment is at least PAGE_SIZE */
	bool disable_large_pages;
	unsigned long iova_alignment;
	/*
	 * The free IOVA, for automatic allocation: struct iopt_hole
	 * (iopt_holes.c), one per maximal hole of the areas and reserved
	 * intervals, with the largest hole of each subtree. Hole nodes, in
	 * the tree or spare: one per area and reserved interval, plus one
	 * (none yet in a table that never had either), so that removing an
	 * interval never allocates
	 */
	struct rb_root holes;
	struct iopt_hole *spare_holes;
	/* struct iopt_domain, protected by domains_rwsem */
	struct list_head domains;
	unsigned int num_domains;
	/*
	 * Attached accesses (struct iommufd_access), changed with both rwsems
	 * held for write; num_pin_accesses of them pin pages, which makes
	 * the alignment at least PAGE_SIZE
	 */
	struct xarray access_list;
	unsigned int num_pin_accesses;
	/* The last struct iopt_area::seq given; under iova_rwsem (write) */
	u64 area_seq;
	/*
	 * Areas removed by UNMAP, under iova_rwsem (write): an UNMAP meeting
	 * an area another one is unloading waits on unload_wq for it to go
	 */
	unsigned long unloads;
	wait_queue_head_t unload_wq;
	/*
	 * MAPs and UNMAPs loading or unloading areas with both rwsems
	 * dropped (iopt_map_load(), iopt_unmap_remove()); changed under
	 * iova_rwsem (write) inside domains_rwsem (read). The domains do not
	 * change while it is not zero: iopt_write_lock() waits on unload_wq
	 */
	unsigned int loaders;
	/*
	 * What lockdep sees of that wait: loaders hold it (read) while they
	 * load, iopt_write_lock() takes it before waiting
	 */
	struct lockdep_map loaders_map;
};

/* The domains stay as they are: domains_rwsem is held, or we are a loader */
static inline void iopt_assert_domains_stable(struct io_pagetable *iopt)
{
	lockdep_assert(lockdep_is_held(&iopt->domains_rwsem) ||
		       lock_is_held(&iopt->loaders_map));
}

struct iopt_reserved {
	struct interval_tree_node node;
	/* Removed together by iopt_remove_reserved_iova(); NULL: until destroy */
	void *owner;
};

struct iopt_allowed {
	struct interval_tree_node node;
};

enum iopt_account_mode {
	IOPT_ACCOUNT_NONE,	/* CAP_IPC_LOCK: not limited */
	IOPT_ACCOUNT_USER,	/* the user's locked_vm */
	IOPT_ACCOUNT_MM,	/* mm->locked_vm */
};

/*
 * The user memory of one MAP: the PAGE_SIZE pages of [uptr, uptr + npages *
 * PAGE_SIZE) of the mapping process, recorded for pinning and charging,
 * which happen only when something needs the pages. A page is pinned
 * exactly once while domains_itree or access_itree covers it.
 */
struct iopt_pages {
	struct kref kref;
	/*
	 * Protects both trees, pinned_pfns and the pins: nests inside
	 * iova_rwsem, or is taken by a loader holding neither rwsem while
	 * its area is busy
	 */
	struct mutex mutex;
	/* Page-index ranges of the areas loaded into domains */
	struct rb_root_cached domains_itree;
	/* Page-index ranges pinned by accesses (pages.c) */
	struct rb_root_cached access_itree;
	/* index -> xa_mk_value(PFN) of every page access_itree covers */
	struct xarray pinned_pfns;
	/* Pages currently pinned, for the accounting */
	unsigned long npinned;
	void __user *uptr;
	unsigned long npages;
	bool writable;
	enum iopt_account_mode account_mode;
	struct task_struct *source_task;
	struct mm_struct *source_mm;
	struct user_struct *source_user;
};

/* What the owner of a busy area is doing with it (struct iopt_area::busy) */
enum iopt_area_busy {
	IOPT_AREA_READY = 0,
	IOPT_AREA_LOADING,
	IOPT_AREA_UNLOADING,
};

/* Pages [index, index + npages) of a loaded area are at PFNs from pfn on */
struct iopt_pfn_run {
	unsigned long index;
	unsigned long npages;
	unsigned long pfn;
};

struct iopt_area {
	struct interval_tree_node node;		/* IOVA, bytes */
	/* Indexes of the pages it uses, in pages->domains_itree when loaded */
	struct interval_tree_node pages_node;
	struct io_pagetable *iopt;
	struct iopt_pages *pages;
	/* Byte offset in pages of the area's first IOVA */
	unsigned long pages_offset;
	int iommu_prot;
	/* One of the domains holding the area, to read its PFNs back from */
	struct iopt_domain *storage_domain;
	/* Loaded with large IOPTEs: cannot be split */
	bool large_loaded;
	/*
	 * The long runs of contiguous PFNs its first fill mapped, in index
	 * order, while it is loaded: read back from here instead of page by
	 * page from the storage domain. Not all of them if memory was short.
	 * Protected by pages->mutex.
	 */
	struct iopt_pfn_run *runs;
	unsigned int nr_runs;
	unsigned int max_runs;
	/*
	 * Unmappers waiting for its access pins to go: while non-zero,
	 * accesses may not pin or read it (iova_rwsem for write to change,
	 * for read to test)
	 */
	unsigned int prevent_access;
	/*
	 * A MAP or COPY is loading it, or an UNMAP unloading it, holding
	 * neither rwsem (a loader): no one else may use, cut or remove it, and
	 * accesses may not pin or read it (iova_rwsem for write to change,
	 * for read to test)
	 */
	enum iopt_area_busy busy;
	/*
	 * Unique in its table, never 0: an unmapper that marked the area
	 * (prevent_access) knows it again by IOVA and number after dropping
	 * the locks, when the area may be gone and its memory reused
	 */
	u64 seq;
	/* Pins taken through accesses; protected by pages->mutex */
	unsigned int num_accesses;
};

static inline unsigned long iopt_area_iova(struct iopt_area *area)
{
	return area->node.start;
}

static inline unsigned long iopt_area_last_iova(struct iopt_area *area)
{
	return area->node.last;
}

static inline unsigned long iopt_area_length(struct iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* Areas intersecting [start, last], ascending; under iova_rwsem */
static inline struct iopt_area *iopt_area_iter_first(struct io_pagetable *iopt,
						     unsigned long start,
						     unsigned long last)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&iopt->area_itree, start, last);
	return node ? container_of(node, struct iopt_area, node) : NULL;
}

static inline struct iopt_area *iopt_area_iter_next(struct iopt_area *area,
						    unsigned long start,
						    unsigned long last)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_next(&area->node, start, last);
	return node ? container_of(node, struct iopt_area, node) : NULL;
}

static inline bool iopt_tree_intersects(struct rb_root_cached *root,
					unsigned long start, unsigned long last)
{
	return interval_tree_iter_first(root, start, last);
}

/* One piece of user memory for iopt_map_pages(): what COPY copies */
struct iopt_pages_list {
	struct list_head next;
	struct iopt_pages *pages;
	unsigned long pages_offset;	/* bytes into pages */
	unsigned long length;
	/* Preallocated by iopt_map_pages() so that inserting cannot fail */
	struct iopt_area *area;
};

/* iopt_span.c: walks of one IOVA range as alternating used and free spans */
struct iopt_span_iter {
	unsigned long start;
	unsigned long last;
	bool is_used;
	/* private */
	bool done;
	unsigned long last_iova;
	unsigned int num_trees;
	struct rb_root_cached *trees[2];
};

void iopt_span_first(struct iopt_span_iter *span, struct rb_root_cached **trees,
		     unsigned int num_trees, unsigned long start,
		     unsigned long last);
void iopt_span_next(struct iopt_span_iter *span);

/*
 * iopt_holes.c: the free IOVA as a tree of holes, and the automatic
 * allocator. Every area and reserved interval owns a hole node: prepared
 * (iopt_holes_prepare(), or iopt_hole_alloc() and iopt_hole_add_spare())
 * before it is inserted, put (iopt_holes_put_node()) after it is removed.
 * All under iova_rwsem held for write.
 */
struct iopt_hole *iopt_hole_alloc(void);
void iopt_hole_add_spare(struct io_pagetable *iopt, struct iopt_hole *hole);
int iopt_holes_prepare(struct io_pagetable *iopt, unsigned int n);
void iopt_holes_put_node(struct io_pagetable *iopt);
void iopt_holes_destroy(struct io_pagetable *iopt);
void iopt_holes_take(struct io_pagetable *iopt, unsigned long start,
		     unsigned long last);
void iopt_holes_give(struct io_pagetable *iopt, unsigned long start,
		     unsigned long last);
void iopt_holes_give_uncovered(struct io_pagetable *iopt, unsigned long start,
			       unsigned long last);
int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
		    unsigned long va, unsigned long length);

/* io_pagetable.c: the table's life, its areas and its alignment */

/* Automatic IOVA allocation in MAP and COPY */
#define IOPT_ALLOC_IOVA BIT(0)

void iopt_init_table(struct io_pagetable *iopt);
void iopt_destroy_table(struct io_pagetable *iopt);
unsigned long iopt_calculate_iova_alignment(struct io_pagetable *iopt);
int iopt_check_iova_alignment(struct io_pagetable *iopt,
			      unsigned long alignment);

int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			unsigned long *iova, void __user *uptr,
			unsigned long length, int iommu_prot,
			unsigned int flags);
int iopt_get_pages(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long length, struct list_head *pages_list);
void iopt_free_pages_list(struct list_head *pages_list);
int iopt_map_pages(struct io_pagetable *iopt, struct list_head *pages_list,
		   unsigned long length, unsigned long *dst_iova,
		   int iommu_prot, unsigned int flags);
int iopt_unmap_iova(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long length, unsigned long *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped);
bool iopt_area_intersects(struct io_pagetable *iopt, unsigned long iova,
			  unsigned long length);
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  size_t num_iovas);
int iopt_set_large_pages(struct io_pagetable *iopt, bool enable);
void iopt_write_lock(struct io_pagetable *iopt);
void iopt_write_unlock(struct io_pagetable *iopt);
bool iopt_large_pages_enabled(struct io_pagetable *iopt);
unsigned long iopt_get_iova_alignment(struct io_pagetable *iopt);
#ifdef IOMMUFD_TEST
unsigned long iopt_test_nth_area_iova(struct io_pagetable *iopt, u32 nth,
				      u32 offset);
#endif

/* iopt_reserved.c: reserved and allowed IOVA */
int iopt_reserve_iova(struct io_pagetable *iopt, unsigned long start,
		      unsigned long last, void *owner);
void iopt_remove_reserved_iova(struct io_pagetable *iopt, void *owner);
int iopt_set_allow_iova(struct io_pagetable *iopt,
			struct rb_root_cached *allowed_iova);
void iopt_free_iova_tree(struct rb_root_cached *root);
/* The same under iova_rwsem held for write, and their parts */
int iopt_check_reserve(struct io_pagetable *iopt, unsigned long start,
		       unsigned long last);
struct iopt_reserved *iopt_reserved_alloc(unsigned long start,
					  unsigned long last, void *owner);
void iopt_reserved_insert(struct io_pagetable *iopt,
			  struct iopt_reserved *reserved);
int iopt_reserve_iova_locked(struct io_pagetable *iopt, unsigned long start,
			     unsigned long last, void *owner);
void iopt_remove_reserved_locked(struct io_pagetable *iopt, void *owner);

typedef int (*iopt_range_fn)(void *data, unsigned long start,
			     unsigned long last);

/* Calls fn for each IOVA range usable for mapping, ascending */
int iopt_walk_usable_ranges(struct io_pagetable *iopt, iopt_range_fn fn,
			    void *data);

/* iopt_domains.c: the domains of a table */
int iopt_table_add_domain(struct io_pagetable *iopt, struct iopt_domain *domain);
void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct iopt_domain *domain);
int iopt_domain_set_geometry(struct iopt_domain *domain,
			     unsigned long pgsize_bitmap,
			     unsigned long aperture_start,
			     unsigned long aperture_last);
unsigned long iopt_domains_pgsize_bitmap(struct io_pagetable *iopt);
bool iopt_domains_enforce_cache_coherency(struct io_pagetable *iopt);

/*
 * iopt_access.c: accesses (access.c holds the objects, this is their IO
 * page table side)
 */
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access,
		    bool needs_pin, u32 *id);
void iopt_remove_access(struct io_pagetable *iopt, u32 id, bool needs_pin);
int iopt_access_pin_pages(struct io_pagetable *iopt, unsigned long iova,
			  unsigned long last, struct page **out, bool write);
void iopt_access_unpin_pages(struct io_pagetable *iopt, unsigned long iova,
			     unsigned long last);
int iopt_access_rw(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long last, void *data, unsigned int flags);

/* dirty.c: dirty tracking of domains */
void iopt_dirty_record(struct iopt_dirty_bitmap *bitmap, unsigned long iova,
		       unsigned long last);

/*
 * One read of the dirty IOPTEs of [iova, iova + length), reporting only the
 * first and last dirty IOVA (*first > *last: none)
 */
typedef int (*iopt_dirty_extent_fn)(void *priv, unsigned long iova,
				    unsigned long length, unsigned long flags,
				    unsigned long *first, unsigned long *last);
int iopt_dirty_read_by_extent(iopt_dirty_extent_fn fn, void *priv,
			      unsigned long granule, unsigned long iova,
			      unsigned long length, unsigned long flags,
			      struct iopt_dirty_bitmap *bitmap);

/* pages.c: loading areas into domains, pinning and accounting */
int iopt_area_fill_domain(struct iopt_area *area, struct iopt_domain *domain);
void iopt_area_forget_runs(struct iopt_area *area);
int iopt_area_fill_domains(struct iopt_area *area, struct io_pagetable *iopt);
void iopt_area_unfill_domain(struct iopt_area *area,
			     struct iopt_domain *domain, bool last);
void iopt_area_unfill_domains(struct iopt_area *area,
			      struct io_pagetable *iopt);
void iopt_set_batch_limit(unsigned int bytes);
int iopt_area_add_access(struct iopt_area *area, unsigned long index,
			 unsigned long last, struct page **out);
void iopt_area_remove_access(struct iopt_area *area, unsigned long index,
			     unsigned long last);
int iopt_pages_rw(struct iopt_pages *pages, unsigned long offset, void *data,
		  unsigned long length, unsigned int flags);

struct iopt_pages *iopt_alloc_pages(struct iommufd_ctx *ictx,
				    void __user *uptr, unsigned long length,
				    bool writable);
void iopt_release_pages(struct kref *kref);

static inline void iopt_put_pages(struct iopt_pages *pages)
{
	kref_put(&pages->kref, iopt_release_pages);
}

#endif
