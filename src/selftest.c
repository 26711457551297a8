// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test build only (make TEST=1): what the in-VM tests need to reach paths
 * that correct userspace cannot, since Debian's kernels have neither KUnit
 * nor fault injection.
 *
 * fail_nth (module parameter, 0600): when set to N > 0, the N-th
 *   iommufd_should_fail() check from then on fails, and the count disarms.
 *   Allocation and lookup sites call it, so a test can walk N = 1, 2, ...
 *   until the call succeeds and prove each failure leaves nothing behind.
 * objects_alive (module parameter, 0400): number of objects allocated and
 *   not yet freed nor leaked, over all contexts; back to zero when no
 *   context is open.
 * extra_users (module parameter, 0600): when set, the next object allocated
 *   gets one users reference too many, as a leaked reference would; then
 *   it clears. Closing its context then finds the object still in use.
 * objects_leaked (module parameter, 0400): objects a context's release
 *   left alone because their users count said they were still in use.
 * access_rw_kthread (module parameter, 0600): ACCESS_RW copies from a kernel
 *   thread, with IOMMUFD_ACCESS_RW_KTHREAD.
 * access_ignore_unmap (module parameter, 0600): test accesses ignore unmap
 *   notifications (not detaches), as a misbehaving driver would: unmaps of
 *   their pins then give up with EDEADLOCK.
 * mock_dev_resv (module parameter, 0600): when non-zero, mock devices
 *   created from then on have a reserved region of MOCK_RESV_LENGTH bytes
 *   at that IOVA, as real devices have their MSI windows (the mock of the
 *   spec has none, which stays the default).
 * mock_iopf_success, mock_iopf_invalid (module parameters, 0400): how many
 *   I/O page fault groups of mock devices (TRIGGER_IOPF) were answered
 *   with IOMMUFD_PAGE_RESP_SUCCESS and _INVALID, over all contexts.
 * mock_dirty_by_extent (module parameter, 0600): mock domains report dirty
 *   IOPTEs the way Debian's kernels let real IOMMU drivers report them, as
 *   extents only, read through iopt_dirty_read_by_extent(): the path real
 *   domains take, which QEMU's IOMMU cannot exercise.
 * access_unmap_delay_ms (module parameter, 0600): test accesses sleep that
 *   long in each unmap notification, which holds the unmap in the window
 *   where it has dropped its locks, for tests to act in.
 * test_sw_msi (module parameter, 0600): when not 0, real devices report a
 *   software MSI window (IOMMU_RESV_SW_MSI) of 1 MiB at that IOVA besides
 *   their own reserved regions, as ARM's SMMUs do; x86 has none.
 * msi_cookies (module parameter, 0400): kernel domains with an MSI cookie.
 * mock_large_ioptes (module parameter, 0400): large IOPTEs (512 granules,
 *   MOCK_FLAGS_DEVICE_HUGE_IOVA) mapped in mock domains now, over all
 *   contexts: what shows that the core maps huge pages as large IOPTEs.
 * IOMMU_TEST_CMD: the test-only command of the 6.12 ABI (selftest-abi.md),
 *   with the mock IOMMU: mock devices, each in a SELFTEST object that owns
 *   it, bound as DEVICE objects, whose paging domains keep one entry per
 *   MOCK_IO_PAGE_SIZE granule in an xarray. The mock is independent of the
 *   kernel's IOMMU core: it plugs in through struct iommufd_device_ops and
 *   struct iopt_domain_ops, as the real IOMMU backend does.
 *   Programs of 6.2 to 6.6 pass a shorter struct (56 bytes); where 6.2 gave
 *   an operation other semantics, such a caller gets them (selftest-abi.md
 *   §6): MOCK_DOMAIN makes a SELFTEST object owning a mock domain in a HW
 *   page table of its own and no DEVICE, ADD_RESERVED and the MD_CHECK
 *   operations skip the range checks 6.2 did not have.
 *   Test accesses: an ACCESS object behind an anonymous file, pinning
 *   ranges ("items") and copying on userspace's request.
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/xarray.h>
/*
 * Before iommufd_test.h: its <linux/iommufd.h> is our kernel API header in
 * the module's build, not the uapi one that defines the fault records
 */
#include <uapi/linux/iommufd.h>
#include <uapi/linux/iommufd_test.h>

#include "iommufd_private.h"

static int fail_nth;
module_param(fail_nth, int, 0600);
MODULE_PARM_DESC(fail_nth, "Fail the N-th fault-injection point from now");

static atomic_t objects_alive = ATOMIC_INIT(0);
module_param_named(objects_alive, objects_alive.counter, int, 0400);
MODULE_PARM_DESC(objects_alive, "Objects allocated and not yet freed");

static bool access_rw_kthread;
module_param(access_rw_kthread, bool, 0600);
MODULE_PARM_DESC(access_rw_kthread, "ACCESS_RW copies from a kernel thread");

static bool access_ignore_unmap;
module_param(access_ignore_unmap, bool, 0600);
MODULE_PARM_DESC(access_ignore_unmap,
		 "Test accesses ignore unmap notifications (not detaches)");

static ulong mock_dev_resv;
module_param(mock_dev_resv, ulong, 0600);
MODULE_PARM_DESC(mock_dev_resv,
		 "IOVA of a reserved region of mock devices created from now on");

static atomic_t mock_iopf_success = ATOMIC_INIT(0);
module_param_named(mock_iopf_success, mock_iopf_success.counter, int, 0400);
MODULE_PARM_DESC(mock_iopf_success,
		 "Fault groups of mock devices answered with success");

static atomic_t mock_iopf_invalid = ATOMIC_INIT(0);
module_param_named(mock_iopf_invalid, mock_iopf_invalid.counter, int, 0400);
MODULE_PARM_DESC(mock_iopf_invalid,
		 "Fault groups of mock devices answered invalid");

static bool mock_dirty_by_extent;
module_param(mock_dirty_by_extent, bool, 0600);
MODULE_PARM_DESC(mock_dirty_by_extent,
		 "Mock domains report dirty IOPTEs as extents, like real ones");

static unsigned int access_unmap_delay_ms;
module_param(access_unmap_delay_ms, uint, 0600);
MODULE_PARM_DESC(access_unmap_delay_ms,
		 "Test accesses sleep this long in each unmap notification");

static int extra_users;
module_param(extra_users, int, 0600);
MODULE_PARM_DESC(extra_users,
		 "Give the next object a users reference too many (then 0)");

static atomic_t objects_leaked = ATOMIC_INIT(0);
module_param_named(objects_leaked, objects_leaked.counter, int, 0400);
MODULE_PARM_DESC(objects_leaked, "Objects left in use at a release");

int iommufd_test_extra_users(void)
{
	return xchg(&extra_users, 0) ? 1 : 0;
}

void iommufd_test_objects_leaked(unsigned long n)
{
	atomic_add(n, &objects_leaked);
	atomic_sub(n, &objects_alive);
}

static unsigned long test_sw_msi;
module_param(test_sw_msi, ulong, 0600);
MODULE_PARM_DESC(test_sw_msi,
		 "Real devices have a 1 MiB software MSI window at this IOVA");

static atomic_t msi_cookies = ATOMIC_INIT(0);
module_param_named(msi_cookies, msi_cookies.counter, int, 0400);
MODULE_PARM_DESC(msi_cookies, "Kernel domains with an MSI cookie");

int iommufd_test_add_sw_msi(struct list_head *regions)
{
	unsigned long start = READ_ONCE(test_sw_msi);
	struct iommu_resv_region *region;

	if (!start)
		return 0;
	region = kzalloc(sizeof(*region), GFP_KERNEL);
	if (!region)
		return -ENOMEM;
	region->start = start;
	region->length = SZ_1M;
	region->prot = IOMMU_WRITE | IOMMU_MMIO;
	region->type = IOMMU_RESV_SW_MSI;
	list_add_tail(&region->list, regions);
	return 0;
}

void iommufd_test_msi_cookies(int delta)
{
	atomic_add(delta, &msi_cookies);
}

static atomic_t mock_large_ioptes = ATOMIC_INIT(0);
module_param_named(mock_large_ioptes, mock_large_ioptes.counter, int, 0400);
MODULE_PARM_DESC(mock_large_ioptes, "Large IOPTEs mapped in mock domains");

bool iommufd_should_fail(void)
{
	int old = READ_ONCE(fail_nth);

	do {
		if (old <= 0)
			return false;
	} while (!try_cmpxchg(&fail_nth, &old, old - 1));
	return old == 1;
}

void iommufd_test_object_count(int delta)
{
	atomic_add(delta, &objects_alive);
}

#define MOCK_IO_PAGE_SIZE (PAGE_SIZE / 2)
#define MOCK_HUGE_PAGE_SIZE (512 * MOCK_IO_PAGE_SIZE)
#define MOCK_HUGE_GRANULES (MOCK_HUGE_PAGE_SIZE / MOCK_IO_PAGE_SIZE)

/* Flags kept beside the PFN of each granule entry */
enum {
	MOCK_PFN_START = 1 << 0,	/* first granule of one map call */
	MOCK_PFN_LAST = 1 << 1,		/* last granule of one map call */
	MOCK_PFN_HUGE = 1 << 2,		/* mapped with a large page size */
	MOCK_PFN_DIRTY = 1 << 3,	/* written by the "device" (DIRTY) */
	MOCK_PFN_SHIFT = 4,
};

struct mock_domain {
	struct iopt_domain domain;
	/* granule index (iova / MOCK_IO_PAGE_SIZE) -> physical granule */
	struct xarray pfns;
	/* With dirty_ops: IOMMU_HWPT_SET_DIRTY_TRACKING's state */
	bool dirty_tracking;
};

/* Length of the reserved region of mock devices with mock_dev_resv set */
#define MOCK_RESV_LENGTH (64UL * 1024)

struct mock_dev {
	u32 flags;
	/* Start of its reserved region, or 0 for none */
	unsigned long resv_start;
	/* iopf_enable() calls not undone; protected by idev->lock */
	unsigned int iopf_enabled;
	/* The domain the device is attached to, to check detach against */
	struct iopt_domain *domain;
};

struct selftest_obj {
	struct iommufd_object obj;
	struct iommufd_device *idev;
	/* 6.2 semantics: the HW page table of its mock domain, no idev */
	struct iommufd_hwpt_paging *hwpt;
	struct mock_dev mdev;
};

/*
 * A caller that stops short of the 6.12 struct's last field (6.2 to 6.6
 * programs pass 56 bytes) gets the 6.2 semantics where they differ.
 */
static bool iommufd_test_v6_2(struct iommufd_ucmd *ucmd)
{
	return ucmd->user_size < offsetofend(struct iommu_test_cmd, last);
}

static struct mock_domain *to_mock_domain(struct iopt_domain *domain)
{
	return container_of(domain, struct mock_domain, domain);
}

static void mock_domain_erase(struct mock_domain *mock, unsigned long iova,
			      size_t size, bool check)
{
	unsigned long i, n = size / MOCK_IO_PAGE_SIZE, index, flags;
	void *entry;

	for (i = 0; i != n; i++) {
		index = iova / MOCK_IO_PAGE_SIZE + i;
		entry = xa_erase(&mock->pfns, index);
		if (WARN_ON(!entry))
			continue;
		flags = xa_to_value(entry);
		/* A large IOPTE is counted at its first granule */
		if (flags & MOCK_PFN_HUGE && !(index % MOCK_HUGE_GRANULES))
			atomic_dec(&mock_large_ioptes);
		if (!check)
			continue;
		/* The core unmaps exactly what it mapped, whole map calls */
		WARN_ON(i == 0 && !(flags & MOCK_PFN_START));
		WARN_ON(i == n - 1 && !(flags & MOCK_PFN_LAST));
	}
}

static size_t mock_domain_unmap(struct iopt_domain *domain,
				unsigned long iova, size_t size)
{
	mock_domain_erase(to_mock_domain(domain), iova, size, true);
	return size;
}

static int mock_domain_map(struct iopt_domain *domain, unsigned long iova,
			   phys_addr_t paddr, size_t size, int prot)
{
	struct mock_domain *mock = to_mock_domain(domain);
	unsigned long n = size / MOCK_IO_PAGE_SIZE, i, flags, pgsize;
	bool huge = false;
	void *old;

	if (WARN_ON(iova % MOCK_IO_PAGE_SIZE || paddr % MOCK_IO_PAGE_SIZE ||
		    size % MOCK_IO_PAGE_SIZE || !size))
		return -EINVAL;

	for (i = 0, pgsize = 0; i != n; i++, pgsize -= MOCK_IO_PAGE_SIZE) {
		/* Per chunk, as the IOMMU core would: the largest that fits */
		if (!pgsize) {
			unsigned long off = i * MOCK_IO_PAGE_SIZE;

			pgsize = MOCK_IO_PAGE_SIZE;
			if ((domain->pgsize_bitmap & MOCK_HUGE_PAGE_SIZE) &&
			    IS_ALIGNED(iova + off, MOCK_HUGE_PAGE_SIZE) &&
			    IS_ALIGNED(paddr + off, MOCK_HUGE_PAGE_SIZE) &&
			    size - off >= MOCK_HUGE_PAGE_SIZE)
				pgsize = MOCK_HUGE_PAGE_SIZE;
			huge = pgsize != MOCK_IO_PAGE_SIZE;
		}
		flags = huge ? MOCK_PFN_HUGE : 0;
		if (i == 0)
			flags |= MOCK_PFN_START;
		if (i == n - 1)
			flags |= MOCK_PFN_LAST;

		old = iommufd_should_fail() ?
			      XA_ERROR(-ENOMEM) :
			      xa_store(&mock->pfns,
				       iova / MOCK_IO_PAGE_SIZE + i,
				       xa_mk_value((paddr / MOCK_IO_PAGE_SIZE + i)
						   << MOCK_PFN_SHIFT | flags),
				       GFP_KERNEL);
		if (xa_is_err(old) || WARN_ON(old)) {
			/* Our own half-done call: no start/last to check */
			if (i)
				mock_domain_erase(mock, iova,
						  i * MOCK_IO_PAGE_SIZE, false);
			return xa_is_err(old) ? xa_err(old) : -EEXIST;
		}
		if (huge && !((iova / MOCK_IO_PAGE_SIZE + i) % MOCK_HUGE_GRANULES))
			atomic_inc(&mock_large_ioptes);
	}
	return 0;
}

static phys_addr_t mock_domain_iova_to_phys(struct iopt_domain *domain,
					    unsigned long iova)
{
	struct mock_domain *mock = to_mock_domain(domain);
	void *entry;

	entry = xa_load(&mock->pfns, iova / MOCK_IO_PAGE_SIZE);
	if (!entry)
		return 0;
	return (xa_to_value(entry) >> MOCK_PFN_SHIFT) * MOCK_IO_PAGE_SIZE +
	       iova % MOCK_IO_PAGE_SIZE;
}

static void mock_domain_free(struct iopt_domain *domain)
{
	struct mock_domain *mock = to_mock_domain(domain);

	WARN_ON(!xa_empty(&mock->pfns));
	xa_destroy(&mock->pfns);
	kfree(mock);
}

static const struct iopt_domain_ops mock_domain_ops = {
	.map = mock_domain_map,
	.unmap = mock_domain_unmap,
	.iova_to_phys = mock_domain_iova_to_phys,
	.free = mock_domain_free,
};

/*
 * Set and clear flags of the entry of granule @index, if there is one. A
 * compare and exchange: an entry unmapped meanwhile is never brought back.
 */
static bool mock_entry_update(struct mock_domain *mock, unsigned long index,
			      unsigned long set, unsigned long clear)
{
	void *old = xa_load(&mock->pfns, index), *cur;
	unsigned long val;

	while (old) {
		val = (xa_to_value(old) | set) & ~clear;
		if (val == xa_to_value(old))
			return true;
		/* Replacing an entry allocates nothing */
		cur = xa_cmpxchg(&mock->pfns, index, old, xa_mk_value(val),
				 GFP_ATOMIC);
		if (cur == old)
			return true;
		old = cur;
	}
	return false;
}

static bool mock_entry_dirty(struct mock_domain *mock, unsigned long index)
{
	void *entry = xa_load(&mock->pfns, index);

	return entry && xa_to_value(entry) & MOCK_PFN_DIRTY;
}

/*
 * The dirty walk of selftest-abi.md §4.2 over [iova, iova + length): each
 * mapped IOPTE (a granule, or 512 of them when mapped huge) met at @iova,
 * then one IOPTE size further, is reported to @record as [iova, iova +
 * size) if any granule of its aligned IOPTE is dirty, and cleaned unless
 * @flags has IOPT_DIRTY_NO_CLEAR.
 */
static void mock_dirty_walk(struct mock_domain *mock, unsigned long iova,
			    unsigned long length, unsigned long flags,
			    void (*record)(void *arg, unsigned long iova,
					   unsigned long last),
			    void *arg)
{
	unsigned long last = iova + length - 1, size, head, i;
	bool dirty;
	void *entry;

	for (;;) {
		entry = xa_load(&mock->pfns, iova / MOCK_IO_PAGE_SIZE);
		size = entry && xa_to_value(entry) & MOCK_PFN_HUGE ?
			       MOCK_HUGE_PAGE_SIZE : MOCK_IO_PAGE_SIZE;
		if (entry) {
			head = ALIGN_DOWN(iova, size) / MOCK_IO_PAGE_SIZE;
			dirty = false;
			for (i = 0; i != size / MOCK_IO_PAGE_SIZE; i++)
				dirty |= mock_entry_dirty(mock, head + i);
			if (dirty && !(flags & IOPT_DIRTY_NO_CLEAR))
				for (i = 0; i != size / MOCK_IO_PAGE_SIZE; i++)
					mock_entry_update(mock, head + i, 0,
							  MOCK_PFN_DIRTY);
			if (dirty)
				record(arg, iova, iova + size - 1);
		}
		if (last - iova < size)
			return;
		iova += size;
	}
}

static void mock_dirty_to_bitmap(void *arg, unsigned long iova,
				 unsigned long last)
{
	iopt_dirty_record(arg, iova, last);
}

struct mock_dirty_extent {
	unsigned long first;
	unsigned long last;
};

static void mock_dirty_to_extent(void *arg, unsigned long iova,
				 unsigned long last)
{
	struct mock_dirty_extent *extent = arg;

	extent->first = min(extent->first, iova);
	extent->last = max(extent->last, last);
}

/* What a kernel IOMMU driver tells us: an IOTLB gather of the dirty IOPTEs */
static int mock_dirty_read_extent(void *priv, unsigned long iova,
				  unsigned long length, unsigned long flags,
				  unsigned long *first, unsigned long *last)
{
	struct mock_dirty_extent extent = { .first = ULONG_MAX };

	mock_dirty_walk(priv, iova, length, flags, mock_dirty_to_extent,
			&extent);
	*first = extent.first;
	*last = extent.last;
	return 0;
}

static int mock_set_dirty_tracking(struct iopt_domain *domain, bool enable)
{
	WRITE_ONCE(to_mock_domain(domain)->dirty_tracking, enable);
	return 0;
}

static int mock_read_and_clear_dirty(struct iopt_domain *domain,
				     unsigned long iova, unsigned long length,
				     unsigned long flags,
				     struct iopt_dirty_bitmap *bitmap)
{
	struct mock_domain *mock = to_mock_domain(domain);

	/* Reading needs tracking on; cleaning (no bitmap) does not */
	if (bitmap && !READ_ONCE(mock->dirty_tracking))
		return -EINVAL;
	if (READ_ONCE(mock_dirty_by_extent))
		return iopt_dirty_read_by_extent(mock_dirty_read_extent, mock,
						 MOCK_IO_PAGE_SIZE, iova,
						 length, flags, bitmap);
	mock_dirty_walk(mock, iova, length, flags, mock_dirty_to_bitmap,
			bitmap);
	return 0;
}

static const struct iopt_dirty_ops mock_dirty_ops = {
	.set_dirty_tracking = mock_set_dirty_tracking,
	.read_and_clear_dirty = mock_read_and_clear_dirty,
};

static struct iopt_domain *mock_domain_alloc(u32 dev_flags)
{
	struct mock_domain *mock;

	if (iommufd_should_fail())
		return ERR_PTR(-ENOMEM);
	mock = kzalloc(sizeof(*mock), GFP_KERNEL_ACCOUNT);
	if (!mock)
		return ERR_PTR(-ENOMEM);
	xa_init(&mock->pfns);
	mock->domain.ops = &mock_domain_ops;
	mock->domain.pgsize_bitmap = MOCK_IO_PAGE_SIZE;
	if (dev_flags & MOCK_FLAGS_DEVICE_HUGE_IOVA)
		mock->domain.pgsize_bitmap |= MOCK_HUGE_PAGE_SIZE;
	mock->domain.aperture_start = MOCK_APERTURE_START;
	mock->domain.aperture_last = MOCK_APERTURE_LAST;
	return &mock->domain;
}

static struct iopt_domain *mock_domain_alloc_paging(struct iommufd_device *idev)
{
	struct mock_dev *mdev = idev->priv;

	return mock_domain_alloc(mdev->flags);
}

/*
 * A nested domain: its "stage 1" is nothing but an IOTLB of
 * MOCK_NESTED_DOMAIN_IOTLB_NUM values that userspace sets at allocation
 * and clears with IOMMU_HWPT_INVALIDATE
 */
struct mock_nested {
	struct iopt_domain domain;
	u32 iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
};

static struct mock_nested *to_mock_nested(struct iopt_domain *domain)
{
	return container_of(domain, struct mock_nested, domain);
}

static void mock_nested_free(struct iopt_domain *domain)
{
	kfree(to_mock_nested(domain));
}

static int mock_nested_cache_invalidate(struct iopt_domain *domain,
					struct iommufd_user_data_array *array)
{
	struct mock_nested *nested = to_mock_nested(domain);
	struct iommu_hwpt_invalidate_selftest inv;
	u32 i, n = array->entry_num;
	int rc = 0;

	/* Checked even with no entries: how userspace probes the type */
	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		array->entry_num = 0;
		return -EINVAL;
	}
	for (i = 0; i != n; i++) {
		rc = iommufd_user_array_copy(&inv, sizeof(inv), sizeof(inv),
					     array, i);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL)
			memset32(nested->iotlb, 0, ARRAY_SIZE(nested->iotlb));
		else
			WRITE_ONCE(nested->iotlb[inv.iotlb_id], 0);
	}
	array->entry_num = i;
	return rc;
}

static const struct iopt_domain_ops mock_nested_ops = {
	.free = mock_nested_free,
	.cache_invalidate_user = mock_nested_cache_invalidate,
};

static struct iopt_domain *
mock_domain_alloc_nested(struct iommufd_device *idev,
			 struct iopt_domain *parent, u32 flags,
			 const struct iommufd_user_data *data)
{
	struct iommu_hwpt_selftest user;
	struct mock_nested *nested;
	int rc, i;

	if (data->type != IOMMU_HWPT_DATA_SELFTEST || flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->ops != &mock_domain_ops)
		return ERR_PTR(-EINVAL);
	rc = iommufd_user_data_copy(&user, sizeof(user), sizeof(user), data);
	if (rc)
		return ERR_PTR(rc);
	nested = iommufd_should_fail() ? NULL :
		 kzalloc(sizeof(*nested), GFP_KERNEL_ACCOUNT);
	if (!nested)
		return ERR_PTR(-ENOMEM);
	nested->domain.ops = &mock_nested_ops;
	for (i = 0; i != MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		nested->iotlb[i] = user.iotlb;
	return &nested->domain;
}

/* IOMMU_HWPT_ALLOC of a paging domain: NEST_PARENT, DIRTY_TRACKING */
static struct iopt_domain *
mock_domain_alloc_user(struct iommufd_device *idev, u32 flags,
		       const struct iommufd_user_data *data)
{
	struct mock_dev *mdev = idev->priv;
	struct iopt_domain *domain;

	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
		      IOMMU_HWPT_ALLOC_DIRTY_TRACKING) ||
	    data ||
	    (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING &&
	     mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return ERR_PTR(-EOPNOTSUPP);
	domain = mock_domain_alloc_paging(idev);
	if (!IS_ERR(domain) && flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		domain->dirty_ops = &mock_dirty_ops;
	return domain;
}

static int mock_dev_attach(struct iommufd_device *idev,
			   struct iopt_domain *domain)
{
	struct mock_dev *mdev = idev->priv;

	if (domain->ops != &mock_domain_ops && domain->ops != &mock_nested_ops)
		return -EINVAL;
	/* A device without dirty tracking cannot use a domain with it */
	if (domain->dirty_ops && mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY)
		return -EINVAL;
	/* Attached already: this is a replace, the device moves */
	mdev->domain = domain;
	return 0;
}

static void mock_dev_detach(struct iommufd_device *idev,
			    struct iopt_domain *domain)
{
	struct mock_dev *mdev = idev->priv;

	WARN_ON(mdev->domain != domain);
	mdev->domain = NULL;
}

static void *mock_dev_hw_info(struct iommufd_device *idev, u32 *length,
			      u32 *type)
{
	struct iommu_test_hw_info *info;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	info->test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL;
	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return info;
}

static int mock_dev_iopf_enable(struct iommufd_device *idev)
{
	struct mock_dev *mdev = idev->priv;

	lockdep_assert_held(&idev->lock);
	mdev->iopf_enabled++;
	return 0;
}

static void mock_dev_iopf_disable(struct iommufd_device *idev)
{
	struct mock_dev *mdev = idev->priv;

	lockdep_assert_held(&idev->lock);
	if (!WARN_ON(!mdev->iopf_enabled))
		mdev->iopf_enabled--;
}

static int mock_dev_add_reserved(struct iommufd_device *idev,
				 struct io_pagetable *iopt)
{
	struct mock_dev *mdev = idev->priv;

	if (!mdev->resv_start)
		return 0;
	if (mdev->resv_start > ULONG_MAX - MOCK_RESV_LENGTH + 1)
		return -EINVAL;
	return iopt_reserve_iova(iopt, mdev->resv_start,
				 mdev->resv_start + MOCK_RESV_LENGTH - 1, idev);
}

static bool mock_dev_dirty_tracking(struct iommufd_device *idev)
{
	struct mock_dev *mdev = idev->priv;

	return !(mdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY);
}

static const struct iommufd_device_ops mock_dev_ops = {
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_user = mock_domain_alloc_user,
	.domain_alloc_nested = mock_domain_alloc_nested,
	.dirty_tracking = mock_dev_dirty_tracking,
	.attach = mock_dev_attach,
	.detach = mock_dev_detach,
	.add_reserved = mock_dev_add_reserved,
	.iopf_enable = mock_dev_iopf_enable,
	.iopf_disable = mock_dev_iopf_disable,
	.hw_info = mock_dev_hw_info,
};

/*
 * IOMMU_DESTROY of a SELFTEST object: detach, unbind, free the mock. One of
 * 6.2 takes its domain out of the IOAS and lets go of the HW page table,
 * which stays until destroyed.
 */
void iommufd_selftest_destroy(struct iommufd_object *obj)
{
	struct selftest_obj *sobj = container_of(obj, struct selftest_obj, obj);

	if (sobj->hwpt) {
		iommufd_hwpt_paging_remove_domain(sobj->hwpt);
		refcount_dec(&sobj->hwpt->common.obj.users);
		return;
	}
	if (!sobj->idev)
		return;
	iommufd_device_detach(sobj->idev);
	/* Whatever enabled its faults was undone at detach */
	WARN_ON(sobj->mdev.iopf_enabled);
	iommufd_device_unbind_published(sobj->idev);
}

/*
 * MOCK_DOMAIN as 6.2 had it: @cmd->id must be an IOAS; a SELFTEST object
 * (its ID first) owns a new mock domain in a manual HW page table of its
 * own (never shared, never picked automatically), loaded with the IOAS.
 * There is no DEVICE object.
 */
static int iommufd_test_mock_domain_v6_2(struct iommufd_ucmd *ucmd,
					 struct iommu_test_cmd *cmd)
{
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_hwpt_paging *hwpt;
	struct iopt_domain *domain;
	struct selftest_obj *sobj;
	struct iommufd_ioas *ioas;
	int rc;

	ioas = iommufd_get_ioas(ictx, cmd->id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	sobj = iommufd_object_alloc(ictx, struct selftest_obj,
				    IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(sobj)) {
		rc = PTR_ERR(sobj);
		goto out_put;
	}
	domain = mock_domain_alloc(0);
	if (IS_ERR(domain)) {
		rc = PTR_ERR(domain);
		goto out_abort;
	}
	domain->owner = &mock_dev_ops;
	hwpt = iommufd_hwpt_paging_create(ictx, ioas, domain);
	if (IS_ERR(hwpt)) {
		rc = PTR_ERR(hwpt);
		goto out_abort;
	}
	/* The SELFTEST object's reference, until it is destroyed */
	refcount_inc(&hwpt->common.obj.users);

	cmd->mock_domain.out_device_id = sobj->obj.id;
	cmd->mock_domain.out_hwpt_id = hwpt->common.obj.id;
	cmd->mock_domain.out_idev_id = 0;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_destroy_hwpt;

	sobj->hwpt = hwpt;
	iommufd_object_finalize(ictx, &hwpt->common.obj);
	iommufd_object_finalize(ictx, &sobj->obj);
	iommufd_put_object(ictx, &ioas->obj);
	return 0;

out_destroy_hwpt:
	refcount_dec(&hwpt->common.obj.users);
	iommufd_object_abort_and_destroy(ictx, &hwpt->common.obj);
out_abort:
	iommufd_object_abort(ictx, &sobj->obj);
out_put:
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* MOCK_DOMAIN and MOCK_DOMAIN_FLAGS: a mock device attached to cmd->id */
static int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd,
				    struct iommu_test_cmd *cmd)
{
	u32 dev_flags = 0, pt_id = cmd->id;
	struct iommufd_device *idev;
	struct selftest_obj *sobj;
	int rc;

	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		dev_flags = cmd->mock_domain_flags.dev_flags;

	sobj = iommufd_object_alloc(ucmd->ictx, struct selftest_obj,
				    IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(sobj))
		return PTR_ERR(sobj);
	if (dev_flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY |
			  MOCK_FLAGS_DEVICE_HUGE_IOVA)) {
		rc = -EINVAL;
		goto out_abort;
	}
	sobj->mdev.flags = dev_flags;
	sobj->mdev.resv_start = READ_ONCE(mock_dev_resv);

	idev = iommufd_device_alloc(ucmd->ictx, &mock_dev_ops, &sobj->mdev);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_abort;
	}
	rc = iommufd_device_attach(idev, &pt_id);
	if (rc)
		goto out_unbind;

	cmd->mock_domain.out_stdev_id = sobj->obj.id;
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_idev_id = idev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_detach;

	sobj->idev = idev;
	iommufd_object_finalize(ucmd->ictx, &idev->obj);
	iommufd_object_finalize(ucmd->ictx, &sobj->obj);
	return 0;

out_detach:
	iommufd_device_detach(idev);
out_unbind:
	iommufd_device_unbind_unpublished(idev);
out_abort:
	iommufd_object_abort(ucmd->ictx, &sobj->obj);
	return rc;
}

/* MOCK_DOMAIN_REPLACE: move a mock device to another IOAS or HWPT */
static int iommufd_test_mock_domain_replace(struct iommufd_ucmd *ucmd,
					    struct iommu_test_cmd *cmd)
{
	struct iommufd_object *obj;
	struct selftest_obj *sobj;
	u32 pt_id = cmd->mock_domain_replace.pt_id;
	int rc;

	obj = iommufd_get_object(ucmd->ictx, cmd->id, IOMMUFD_OBJ_SELFTEST);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	sobj = container_of(obj, struct selftest_obj, obj);
	/* One of 6.2 has no device: nothing is attached */
	rc = sobj->idev ? iommufd_device_replace(sobj->idev, &pt_id) : -EINVAL;
	if (!rc) {
		cmd->mock_domain_replace.pt_id = pt_id;
		rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	}
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/* The mock domain of a paging HW page table, with a shortterm reference */
static struct iommufd_hwpt_paging *
iommufd_test_get_mock_hwpt(struct iommufd_ucmd *ucmd, u32 id)
{
	struct iommufd_object *obj;
	struct iommufd_hwpt_paging *hwpt;

	obj = iommufd_get_object(ucmd->ictx, id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	hwpt = container_of(obj, struct iommufd_hwpt_paging, common.obj);
	if (hwpt->common.domain->ops != &mock_domain_ops) {
		iommufd_put_object(ucmd->ictx, obj);
		return ERR_PTR(-EINVAL);
	}
	return hwpt;
}

/* The page backing a user address of the caller: a reference, not a pin */
static int iommufd_test_user_page(unsigned long uptr, struct page **page)
{
	int rc;

	rc = get_user_pages_fast(ALIGN_DOWN(uptr, PAGE_SIZE), 1, 0, page);
	if (rc == 1)
		return 0;
	return rc < 0 ? rc : -EFAULT;
}

/* MD_CHECK_MAP: the mock maps the IOVA range to the user range's memory */
static int iommufd_test_md_check_map(struct iommufd_ucmd *ucmd, u32 id,
				     u64 iova, u64 length, u64 uptr)
{
	struct iommufd_hwpt_paging *hwpt;
	struct iopt_domain *domain;
	unsigned long i, end;
	struct page *page;
	phys_addr_t phys;
	int rc = 0;

	/* 6.2 did not check for a wrapping range: the lookup fails there */
	if (iova % MOCK_IO_PAGE_SIZE || length % MOCK_IO_PAGE_SIZE ||
	    uptr % MOCK_IO_PAGE_SIZE ||
	    (check_add_overflow(uptr, length, &end) &&
	     !iommufd_test_v6_2(ucmd)))
		return -EINVAL;

	hwpt = iommufd_test_get_mock_hwpt(ucmd, id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	domain = hwpt->common.domain;

	for (i = 0; i != length / MOCK_IO_PAGE_SIZE; i++) {
		unsigned long addr = uptr + i * MOCK_IO_PAGE_SIZE;

		rc = iommufd_test_user_page(addr, &page);
		if (rc)
			break;
		phys = page_to_phys(page) + addr % PAGE_SIZE;
		put_page(page);
		if (domain->ops->iova_to_phys(domain,
					      iova + i * MOCK_IO_PAGE_SIZE) !=
		    phys) {
			rc = -EINVAL;
			break;
		}
	}
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}

/* Most bits one DIRTY call may set: 16 MiB of bitmap */
#define SELFTEST_DIRTY_MAX_BITS (16UL * 1024 * 1024 * 8)

/*
 * DIRTY: the "device" writes, marking the entries of the bits set in the
 * user's bitmap dirty. As upstream, bit i names the entry of index
 * (iova + i * page_size) / page_size: callers pass the mock granule.
 */
static int iommufd_test_dirty(struct iommufd_ucmd *ucmd, u32 id, u64 iova,
			      u64 length, u64 page_size, u64 uptr)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt;
	struct mock_domain *mock;
	unsigned long n, i, count = 0;
	u8 *bits = NULL;
	int rc;

	if (!page_size || !length || iova % page_size || length % page_size ||
	    !uptr)
		return -EINVAL;
	n = length / page_size;
	if (n > SELFTEST_DIRTY_MAX_BITS)
		return -EOVERFLOW;

	hwpt = iommufd_test_get_mock_hwpt(ucmd, id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	mock = to_mock_domain(hwpt->common.domain);
	rc = -EINVAL;
	if (!READ_ONCE(mock->dirty_tracking))
		goto out_put;
	rc = -ENOMEM;
	if (!iommufd_should_fail())
		bits = kvzalloc(DIV_ROUND_UP(n, 8), GFP_KERNEL_ACCOUNT);
	if (!bits)
		goto out_put;
	rc = -EFAULT;
	if (copy_from_user(bits, u64_to_user_ptr(uptr), DIV_ROUND_UP(n, 8)))
		goto out_free;

	/* Bit i is bit i % 8 of byte i / 8 (of little endian u64 words) */
	for (i = 0; i < n; i++) {
		if (!bits[i / 8]) {
			i |= 7;
			continue;
		}
		if (bits[i / 8] & (1 << (i % 8)) &&
		    mock_entry_update(mock, iova / page_size + i,
				      MOCK_PFN_DIRTY, 0))
			count++;
	}
	cmd->dirty.out_nr_dirty = count;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kvfree(bits);
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}

/* MD_CHECK_IOTLB: entry @index of a mock nested domain's IOTLB is @value */
static int iommufd_test_md_check_iotlb(struct iommufd_ucmd *ucmd, u32 id,
				       u32 index, u32 value)
{
	struct iommufd_hwpt_nested *hwpt;
	struct iopt_domain *domain;
	int rc = 0;

	hwpt = iommufd_get_hwpt_nested(ucmd->ictx, id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	domain = hwpt->common.domain;
	if (domain->ops != &mock_nested_ops ||
	    index > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX ||
	    READ_ONCE(to_mock_nested(domain)->iotlb[index]) != value)
		rc = -EINVAL;
	iommufd_put_object(ucmd->ictx, &hwpt->common.obj);
	return rc;
}

/* The answer to a mock device's fault group: counted, nothing more */
static void iommufd_test_iopf_respond(struct iommufd_device *idev, u32 grpid,
				      u32 code)
{
	atomic_inc(code == IOMMUFD_PAGE_RESP_SUCCESS ? &mock_iopf_success :
						       &mock_iopf_invalid);
}

/* TRIGGER_IOPF: a mock device raises a one-request page fault group */
static int iommufd_test_trigger_iopf(struct iommufd_ucmd *ucmd,
				     struct iommu_test_cmd *cmd)
{
	struct iommu_hwpt_pgfault record = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		.pasid = cmd->trigger_iopf.pasid,
		.grpid = cmd->trigger_iopf.grpid,
		.perm = cmd->trigger_iopf.perm,
		.addr = cmd->trigger_iopf.addr,
	};
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	int rc = 0;

	obj = iommufd_get_object(ucmd->ictx, cmd->trigger_iopf.dev_id,
				 IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	idev = container_of(obj, struct iommufd_device, obj);
	if (idev->ops != &mock_dev_ops) {
		rc = -EINVAL;
		goto out_put;
	}
	if (record.pasid)
		record.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	/* Where it goes, or that it goes nowhere, is not reported */
	iommufd_device_report_fault(idev, &record, 1,
				    iommufd_test_iopf_respond);
out_put:
	iommufd_put_object(ucmd->ictx, obj);
	return rc;
}

/* MD_CHECK_REFS: every non-compound page of the range has @refs pins */
static int iommufd_test_md_check_refs(struct iommufd_ucmd *ucmd, u64 uptr,
				      u64 length, u32 refs)
{
	struct page *page;
	unsigned long i, end;
	int rc;

	if (length % PAGE_SIZE || uptr % PAGE_SIZE ||
	    (check_add_overflow(uptr, length, &end) &&
	     !iommufd_test_v6_2(ucmd)))
		return -EINVAL;

	for (i = 0; i != length / PAGE_SIZE; i++) {
		rc = iommufd_test_user_page(uptr + i * PAGE_SIZE, &page);
		if (rc)
			return rc;
		if (!PageCompound(page) &&
		    page_ref_count(page) / GUP_PIN_COUNTING_BIAS != refs)
			rc = -EIO;
		put_page(page);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Reserve IOVA with no owner: it stays until the IOAS is destroyed. 6.2 did
 * not check the range: last = start + length - 1 wrapped as it would, so
 * length 0 from start 0 reserves everything; a range whose last ends up
 * below its start (6.2 stored that as is) reserves nothing here.
 */
static int iommufd_test_add_reserved(struct iommufd_ucmd *ucmd,
				     unsigned int ioas_id, u64 start,
				     u64 length)
{
	struct iommufd_ioas *ioas;
	u64 last;
	int rc = 0;

	if (iommufd_test_v6_2(ucmd)) {
		last = start + length - 1;
	} else {
		if (!length)
			return -EINVAL;
		if (check_add_overflow(start, length - 1, &last))
			return -EOVERFLOW;
	}

	ioas = iommufd_get_ioas(ucmd->ictx, ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (last >= start)
		rc = iopt_reserve_iova(&ioas->iopt, start, last, NULL);
	iommufd_put_object(ucmd->ictx, &ioas->obj);
	return rc;
}

/*
 * A test access: an access driven by IOMMU_TEST_CMD through the fd of an
 * anonymous file, which owns it. Its unmap callback unpins and forgets the
 * items in the range; closing the fd destroys the access.
 */
struct selftest_access {
	struct iommufd_access *access;
	/* Protects items and next_id; held across a pin and its recording */
	struct mutex lock;
	struct list_head items;
	unsigned int next_id;
};

/* One ACCESS_PAGES pin */
struct selftest_access_item {
	struct list_head items_elm;
	unsigned long iova;
	unsigned long length;
	unsigned int id;
};

/* Largest ACCESS_PAGES / ACCESS_RW length */
#define SELFTEST_ACCESS_MAX_LENGTH (16UL * 1024 * 1024)

static void iommufd_test_access_unmap(void *data, unsigned long iova,
				      unsigned long length)
{
	struct selftest_access *staccess = data;
	struct selftest_access_item *item, *tmp;
	unsigned long last;

	/* (0, ULONG_MAX) means everything: a detach, never ignored */
	if (length == ULONG_MAX || check_add_overflow(iova, length - 1, &last)) {
		last = ULONG_MAX;
	} else {
		unsigned int delay = READ_ONCE(access_unmap_delay_ms);

		if (delay)
			msleep(delay);
		if (READ_ONCE(access_ignore_unmap))
			return;
	}

	mutex_lock(&staccess->lock);
	list_for_each_entry_safe(item, tmp, &staccess->items, items_elm) {
		if (item->iova > last || item->iova + item->length - 1 < iova)
			continue;
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		list_del(&item->items_elm);
		kfree(item);
	}
	mutex_unlock(&staccess->lock);
}

static const struct iommufd_access_ops selftest_access_ops_pin = {
	.needs_pin_pages = 1,
	.unmap = iommufd_test_access_unmap,
};

static const struct iommufd_access_ops selftest_access_ops = {
	.unmap = iommufd_test_access_unmap,
};

static int iommufd_test_staccess_release(struct inode *inode,
					 struct file *filp)
{
	struct selftest_access *staccess = filp->private_data;

	/* Detaching unpins every item through the unmap callback */
	if (staccess->access)
		iommufd_access_destroy(staccess->access);
	WARN_ON(!list_empty(&staccess->items));
	mutex_destroy(&staccess->lock);
	kfree(staccess);
	return 0;
}

static const struct file_operations iommufd_test_staccess_fops = {
	/* An open test access keeps the module */
	.owner = THIS_MODULE,
	.release = iommufd_test_staccess_release,
};

/* The test access behind fd @fd, with a file reference: fput(*file) */
static struct selftest_access *iommufd_test_staccess_get(u32 fd,
							 struct file **file)
{
	*file = fget(fd);
	if (!*file)
		return ERR_PTR(-EBADFD);
	if ((*file)->f_op != &iommufd_test_staccess_fops) {
		fput(*file);
		return ERR_PTR(-EBADFD);
	}
	return (*file)->private_data;
}

/* CREATE_ACCESS: a test access on IOAS @ioas_id, returned as an fd */
static int iommufd_test_create_access(struct iommufd_ucmd *ucmd, u32 ioas_id,
				      u32 flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access *staccess;
	struct iommufd_access *access;
	struct file *file;
	u32 access_id;
	int fdno, rc;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;

	staccess = iommufd_should_fail() ? NULL :
		   kzalloc(sizeof(*staccess), GFP_KERNEL_ACCOUNT);
	if (!staccess)
		return -ENOMEM;
	mutex_init(&staccess->lock);
	INIT_LIST_HEAD(&staccess->items);
	file = iommufd_should_fail() ? ERR_PTR(-ENOMEM) :
	       anon_inode_getfile("[iommufd_test_staccess]",
				  &iommufd_test_staccess_fops, staccess,
				  O_RDWR);
	if (IS_ERR(file)) {
		mutex_destroy(&staccess->lock);
		kfree(staccess);
		return PTR_ERR(file);
	}
	/* From here on the file owns staccess: fput() frees it */
	fdno = iommufd_should_fail() ? -EMFILE : get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		rc = -ENOMEM;
		goto out_fput;
	}

	access = iommufd_access_create(ucmd->ictx,
				       flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES ?
					       &selftest_access_ops_pin :
					       &selftest_access_ops,
				       staccess, &access_id);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto out_put_fd;
	}
	rc = iommufd_access_attach(access, ioas_id);
	if (rc)
		goto out_destroy;

	cmd->create_access.out_access_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_destroy;
	staccess->access = access;
	fd_install(fdno, file);
	return 0;

out_destroy:
	iommufd_access_destroy(access);
out_put_fd:
	put_unused_fd(fdno);
out_fput:
	fput(file);
	return rc;
}

/* DESTROY_ACCESS_PAGES: unpin one item */
static int iommufd_test_access_item_destroy(u32 access_fd, u32 item_id)
{
	struct selftest_access_item *item;
	struct selftest_access *staccess;
	struct file *file;
	int rc = -ENOENT;

	staccess = iommufd_test_staccess_get(access_fd, &file);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	mutex_lock(&staccess->lock);
	list_for_each_entry(item, &staccess->items, items_elm) {
		if (item->id != item_id)
			continue;
		iommufd_access_unpin_pages(staccess->access, item->iova,
					   item->length);
		list_del(&item->items_elm);
		kfree(item);
		rc = 0;
		break;
	}
	mutex_unlock(&staccess->lock);
	fput(file);
	return rc;
}

/*
 * ACCESS_PAGES uptr check: page i of @pages must be the one the caller
 * maps at @uptr - (@iova % PAGE_SIZE) + i * PAGE_SIZE.
 */
static int iommufd_test_check_pages(struct page **pages, unsigned long npages,
				    u64 iova, u64 uptr)
{
	unsigned long base = uptr - iova % PAGE_SIZE, i;
	struct page *page;
	int rc;

	for (i = 0; i != npages; i++) {
		rc = iommufd_test_user_page(base + i * PAGE_SIZE, &page);
		if (rc)
			return rc;
		put_page(page);
		if (page != pages[i])
			return -EBADE;
	}
	return 0;
}

/* ACCESS_PAGES: pin a range through a test access and record it */
static int iommufd_test_access_pages(struct iommufd_ucmd *ucmd, u32 access_fd,
				     u64 iova, u64 length, u64 uptr, u32 flags)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct selftest_access_item *item;
	struct selftest_access *staccess;
	unsigned long npages = 0, last;
	struct page **pages = NULL;
	struct file *file;
	int rc;

	if (length > SELFTEST_ACCESS_MAX_LENGTH)
		return -ENOMEM;
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	staccess = iommufd_test_staccess_get(access_fd, &file);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	if (!staccess->access->ops->needs_pin_pages) {
		rc = -EOPNOTSUPP;
		goto out_fput;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = iommufd_access_test_syz_iova(staccess->access, iova);

	/* A bad range is the pin's to report; it needs no array */
	if (length && !check_add_overflow(iova, length - 1, &last))
		npages = last / PAGE_SIZE - iova / PAGE_SIZE + 1;
	rc = -ENOMEM;
	if (npages && !iommufd_should_fail())
		pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (npages && !pages)
		goto out_fput;
	item = iommufd_should_fail() ? NULL :
	       kzalloc(sizeof(*item), GFP_KERNEL_ACCOUNT);
	if (!item)
		goto out_free_pages;

	/* Held across the pin and its recording: the callback sees every pin */
	mutex_lock(&staccess->lock);
	rc = iommufd_access_pin_pages(staccess->access, iova, length, pages,
				      flags & MOCK_FLAGS_ACCESS_WRITE ?
					      IOMMUFD_ACCESS_RW_WRITE : 0);
	if (rc)
		goto out_unlock;
	if (uptr) {
		rc = iommufd_test_check_pages(pages, npages, iova, uptr);
		if (rc)
			goto out_unpin;
	}
	item->iova = iova;
	item->length = length;
	item->id = staccess->next_id++;
	cmd->access_pages.out_access_pages_id = item->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_unpin;
	list_add_tail(&item->items_elm, &staccess->items);
	item = NULL;
	goto out_unlock;

out_unpin:
	iommufd_access_unpin_pages(staccess->access, iova, length);
out_unlock:
	mutex_unlock(&staccess->lock);
	kfree(item);
out_free_pages:
	kvfree(pages);
out_fput:
	fput(file);
	return rc;
}

/* One iommufd_access_rw() in a kernel thread (access_rw_kthread) */
struct selftest_rw_work {
	struct iommufd_access *access;
	unsigned long iova;
	void *data;
	size_t length;
	unsigned int flags;
	int rc;
	struct completion done;
};

static int iommufd_test_rw_thread(void *arg)
{
	struct selftest_rw_work *work = arg;

	work->rc = iommufd_access_rw(work->access, work->iova, work->data,
				     work->length,
				     work->flags | IOMMUFD_ACCESS_RW_KTHREAD);
	/* Nothing of this module runs after the completion */
	kthread_complete_and_exit(&work->done, 0);
}

static int iommufd_test_rw_kthread(struct iommufd_access *access,
				   unsigned long iova, void *data,
				   size_t length, unsigned int flags)
{
	struct selftest_rw_work work = {
		.access = access,
		.iova = iova,
		.data = data,
		.length = length,
		.flags = flags,
	};
	struct task_struct *task;

	init_completion(&work.done);
	task = kthread_run(iommufd_test_rw_thread, &work, "iommufd_test_rw");
	if (IS_ERR(task))
		return PTR_ERR(task);
	wait_for_completion(&work.done);
	return work.rc;
}

/* ACCESS_RW: copy between a user buffer and IOAS memory */
static int iommufd_test_access_rw(u32 access_fd, u64 iova, u64 length,
				  u64 uptr, u32 flags)
{
	void __user *ubuf = u64_to_user_ptr(uptr);
	struct selftest_access *staccess;
	unsigned int rw_flags = 0;
	struct file *file;
	void *data;
	int rc;

	if (length > SELFTEST_ACCESS_MAX_LENGTH)
		return -ENOMEM;
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH |
		      MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	staccess = iommufd_test_staccess_get(access_fd, &file);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);

	data = iommufd_should_fail() ? NULL :
	       kvzalloc(max_t(u64, length, 1), GFP_KERNEL_ACCOUNT);
	if (!data) {
		rc = -ENOMEM;
		goto out_fput;
	}
	if (flags & MOCK_ACCESS_RW_WRITE) {
		rw_flags |= IOMMUFD_ACCESS_RW_WRITE;
		if (copy_from_user(data, ubuf, length)) {
			rc = -EFAULT;
			goto out_free;
		}
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = iommufd_access_test_syz_iova(staccess->access, iova);
	if (flags & MOCK_ACCESS_RW_SLOW_PATH)
		rw_flags |= IOMMUFD_ACCESS_RW_SLOW_PATH;
	if (READ_ONCE(access_rw_kthread))
		rc = iommufd_test_rw_kthread(staccess->access, iova, data,
					     length, rw_flags);
	else
		rc = iommufd_access_rw(staccess->access, iova, data, length,
				       rw_flags);
	if (!rc && !(flags & MOCK_ACCESS_RW_WRITE) &&
	    copy_to_user(ubuf, data, length))
		rc = -EFAULT;
out_free:
	kvfree(data);
out_fput:
	fput(file);
	return rc;
}

/* ACCESS_REPLACE_IOAS: move a test access, dropping its items */
static int iommufd_test_access_replace_ioas(u32 access_fd, u32 ioas_id)
{
	struct selftest_access *staccess;
	struct file *file;
	int rc;

	staccess = iommufd_test_staccess_get(access_fd, &file);
	if (IS_ERR(staccess))
		return PTR_ERR(staccess);
	rc = iommufd_access_replace(staccess->access, ioas_id);
	fput(file);
	return rc;
}

/* Pages from pages[i] on, below @n, with PFNs contiguous to pages[i]'s */
static unsigned long iommufd_test_floor_run(struct page **pages,
					    unsigned long i, unsigned long n)
{
	unsigned long run = 1;

	while (i + run < n &&
	       page_to_pfn(pages[i + run]) == page_to_pfn(pages[i]) + run)
		run++;
	return run;
}

/*
 * Undo iommufd_test_floor()'s first @n pages: unmap and unpin them run by
 * run of physically contiguous pages, as they were mapped
 */
static void iommufd_test_floor_undo(struct iopt_domain *domain,
				    struct page **pages, unsigned long n)
{
	unsigned long i, run;

	for (i = 0; i < n; i += run) {
		run = iommufd_test_floor_run(pages, i, n);
		domain->ops->unmap(domain, MOCK_APERTURE_START + i * PAGE_SIZE,
				   run * PAGE_SIZE);
		unpin_user_page_range_dirty_lock(pages[i], run, true);
	}
}

/*
 * OOT_FLOOR: what a MAP and an UNMAP of @length bytes at @uptr cannot do
 * without: pin the memory (long-term, for write, as large calls as GUP
 * takes), map each run of physically contiguous pages with one call into
 * a mock domain, then unmap and unpin it run by run. No IO page table, no
 * accounting, no fault injection; make bench divides by these times.
 */
static int iommufd_test_floor(struct iommufd_ucmd *ucmd,
			      struct iommu_test_cmd *cmd)
{
	unsigned long uptr = cmd->floor.uptr, length = cmd->floor.length;
	unsigned long npages = length / PAGE_SIZE, done = 0, i, run = 0;
	int prot = IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE;
	struct iopt_domain *domain;
	struct page **pages;
	u64 t0, t1;
	long pinned;
	int rc = 0;

	if (iommufd_test_v6_2(ucmd) || !length || length % PAGE_SIZE ||
	    uptr % PAGE_SIZE ||
	    length > MOCK_APERTURE_LAST - MOCK_APERTURE_START + 1 ||
	    cmd->floor.dev_flags & ~MOCK_FLAGS_DEVICE_HUGE_IOVA)
		return -EINVAL;
	domain = mock_domain_alloc(cmd->floor.dev_flags);
	if (IS_ERR(domain))
		return PTR_ERR(domain);
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		rc = -ENOMEM;
		goto out_free;
	}

	t0 = ktime_get_ns();
	while (done != npages) {
		pinned = pin_user_pages_fast(uptr + done * PAGE_SIZE,
					     npages - done,
					     FOLL_WRITE | FOLL_LONGTERM,
					     pages + done);
		if (pinned <= 0) {
			rc = pinned ?: -EFAULT;
			break;
		}
		done += pinned;
	}
	for (i = 0; !rc && i < done; i += run) {
		run = iommufd_test_floor_run(pages, i, done);
		rc = domain->ops->map(domain, MOCK_APERTURE_START +
					      i * PAGE_SIZE,
				      page_to_phys(pages[i]), run * PAGE_SIZE,
				      prot);
	}
	if (rc) {
		/* Runs [0, i - run) are mapped; unpin the rest by hand */
		if (done) {
			i = i ? i - run : 0;
			iommufd_test_floor_undo(domain, pages, i);
			unpin_user_pages(pages + i, done - i);
		}
		goto out_pages;
	}
	t1 = ktime_get_ns();
	iommufd_test_floor_undo(domain, pages, npages);
	cmd->floor.out_map_ns = t1 - t0;
	cmd->floor.out_unmap_ns = ktime_get_ns() - t1;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_pages:
	kvfree(pages);
out_free:
	domain->ops->free(domain);
	return rc;
}

/*
 * IOMMU_TEST_CMD. Callers pass at least IOMMUFD_TEST_CMD_MIN_SIZE bytes:
 * 56 for programs of 6.2 to 6.6, 72 since 6.7. The operations of 6.2 have
 * the same fields at the same offsets in both; see iommufd_test_v6_2() for
 * where their semantics differ.
 */
int iommufd_test_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return iommufd_test_add_reserved(ucmd, cmd->id,
						 cmd->add_reserved.start,
						 cmd->add_reserved.length);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
		if (iommufd_test_v6_2(ucmd))
			return iommufd_test_mock_domain_v6_2(ucmd, cmd);
		fallthrough;
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return iommufd_test_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return iommufd_test_mock_domain_replace(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return iommufd_test_md_check_map(ucmd, cmd->id,
						 cmd->check_map.iova,
						 cmd->check_map.length,
						 cmd->check_map.uptr);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return iommufd_test_md_check_refs(ucmd, cmd->check_refs.uptr,
						  cmd->check_refs.length,
						  cmd->check_refs.refs);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return iommufd_test_create_access(ucmd, cmd->id,
						  cmd->create_access.flags);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return iommufd_test_access_item_destroy(cmd->id,
							cmd->destroy_access_pages.access_pages_id);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return iommufd_test_access_pages(ucmd, cmd->id,
						 cmd->access_pages.iova,
						 cmd->access_pages.length,
						 cmd->access_pages.uptr,
						 cmd->access_pages.flags);
	case IOMMU_TEST_OP_ACCESS_RW:
		return iommufd_test_access_rw(cmd->id, cmd->access_rw.iova,
					      cmd->access_rw.length,
					      cmd->access_rw.uptr,
					      cmd->access_rw.flags);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return iommufd_test_access_replace_ioas(cmd->id,
							cmd->access_replace_ioas.ioas_id);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return iommufd_test_md_check_iotlb(ucmd, cmd->id,
						   cmd->check_iotlb.id,
						   cmd->check_iotlb.iotlb);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return iommufd_test_trigger_iopf(ucmd, cmd);
	case IOMMU_TEST_OP_OOT_FLOOR:
		return iommufd_test_floor(ucmd, cmd);
	case IOMMU_TEST_OP_DIRTY:
		return iommufd_test_dirty(ucmd, cmd->id, cmd->dirty.iova,
					  cmd->dirty.length,
					  cmd->dirty.page_size,
					  cmd->dirty.uptr);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* At least a PFN and a page pointer's worth */
		if (cmd->memory_limit.limit <
		    sizeof(unsigned long) + sizeof(u32))
			return -EINVAL;
		iopt_set_batch_limit(cmd->memory_limit.limit);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
