/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Thin wrappers around the iommufd ioctls for the test programs: each
 * returns 0 or the errno and copies the outputs back.
 */
#ifndef IOMMUFD_TESTS_UTILS_H
#define IOMMUFD_TESTS_UTILS_H

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <stdint.h>

#include "tap.h"

static inline int ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = ioctl_err(fd, IOMMU_IOAS_ALLOC, &cmd);

	*id = rc ? 0 : cmd.out_ioas_id;
	return rc;
}

static inline int destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl_err(fd, IOMMU_DESTROY, &cmd);
}

static inline int option(int fd, uint32_t option_id, uint16_t op,
			 uint32_t object, uint64_t *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object,
		.val64 = *val,
	};
	int rc = ioctl_err(fd, IOMMU_OPTION, &cmd);

	*val = cmd.val64;
	return rc;
}

static inline int huge_pages_set(int fd, uint32_t ioas, uint64_t val)
{
	return option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, ioas,
		      &val);
}

static inline int huge_pages_get(int fd, uint32_t ioas)
{
	uint64_t val = 0;

	return option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas,
		      &val);
}

/* The HUGE_PAGES option of @ioas (0 or 1), or -errno */
static inline int huge_pages_value(int fd, uint32_t ioas)
{
	uint64_t val = 0;
	int rc = option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas,
			&val);

	return rc ? -rc : (int)val;
}

static inline int vfio_ioas(int fd, uint16_t op, uint32_t *id)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.ioas_id = *id,
		.op = op,
	};
	int rc = ioctl_err(fd, IOMMU_VFIO_IOAS, &cmd);

	*id = cmd.ioas_id;
	return rc;
}

/*
 * Is the object table empty, reserved IDs included? RLIMIT_MODE can only
 * be set on an empty context: EBUSY otherwise. Needs CAP_SYS_RESOURCE.
 */
static inline int table_empty(int fd)
{
	uint64_t val = 0;

	return option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
		      &val) == 0;
}

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define MAP_FIXED_RW (IOMMU_IOAS_MAP_FIXED_IOVA | MAP_RW)

/* *iova: in for FIXED_IOVA, out always */
static inline int ioas_map(int fd, uint32_t ioas, uint32_t flags,
			   const void *va, uint64_t length, uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = length,
		.iova = *iova,
	};
	int rc = ioctl_err(fd, IOMMU_IOAS_MAP, &cmd);

	if (!rc)
		*iova = cmd.iova;
	return rc;
}

static inline int ioas_map_fixed(int fd, uint32_t ioas, const void *va,
				 uint64_t length, uint64_t iova)
{
	return ioas_map(fd, ioas, MAP_FIXED_RW, va, length, &iova);
}

static inline int ioas_unmap(int fd, uint32_t ioas, uint64_t iova,
			     uint64_t length, uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = length,
	};
	int rc = ioctl_err(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (unmapped)
		*unmapped = rc ? 0 : cmd.length;
	return rc;
}

static inline int ioas_copy(int fd, uint32_t flags, uint32_t dst,
			    uint32_t src, uint64_t src_iova, uint64_t length,
			    uint64_t *dst_iova)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = length,
		.dst_iova = *dst_iova,
		.src_iova = src_iova,
	};
	int rc = ioctl_err(fd, IOMMU_IOAS_COPY, &cmd);

	if (!rc)
		*dst_iova = cmd.dst_iova;
	return rc;
}

/* ranges may be NULL with *num 0; *num out = total */
static inline int iova_ranges(int fd, uint32_t ioas,
			      struct iommu_iova_range *ranges, uint32_t *num,
			      uint64_t *alignment)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = *num,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int rc = ioctl_err(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	if (!rc || rc == EMSGSIZE) {
		*num = cmd.num_iovas;
		if (alignment)
			*alignment = cmd.out_iova_alignment;
	}
	return rc;
}

static inline int allow_iovas(int fd, uint32_t ioas,
			      const struct iommu_iova_range *ranges,
			      uint32_t num)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = num,
		.allowed_iovas = (uintptr_t)ranges,
	};

	return ioctl_err(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

/* Test build only */
static inline int add_reserved(int fd, uint32_t ioas, uint64_t start,
			       uint64_t length)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ADD_RESERVED,
		.id = ioas,
		.add_reserved = { .start = start, .length = length },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

static inline int mock_domain_flags(int fd, uint32_t pt_id, uint32_t flags,
				    uint32_t *stdev, uint32_t *hwpt,
				    uint32_t *idev)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = flags ? IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS :
			      IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = pt_id,
		.mock_domain_flags = { .dev_flags = flags },
	};
	int rc = ioctl_err(fd, IOMMU_TEST_CMD, &cmd);

	if (!rc) {
		if (stdev)
			*stdev = cmd.mock_domain.out_stdev_id;
		if (hwpt)
			*hwpt = cmd.mock_domain.out_hwpt_id;
		if (idev)
			*idev = cmd.mock_domain.out_idev_id;
	}
	return rc;
}

static inline int mock_domain(int fd, uint32_t pt_id, uint32_t *stdev,
			      uint32_t *hwpt, uint32_t *idev)
{
	return mock_domain_flags(fd, pt_id, 0, stdev, hwpt, idev);
}

static inline int mock_domain_replace(int fd, uint32_t stdev, uint32_t *pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev,
		.mock_domain_replace = { .pt_id = *pt_id },
	};
	int rc = ioctl_err(fd, IOMMU_TEST_CMD, &cmd);

	if (!rc)
		*pt_id = cmd.mock_domain_replace.pt_id;
	return rc;
}

static inline int check_map(int fd, uint32_t hwpt, uint64_t iova,
			    uint64_t length, const void *uptr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt,
		.check_map = { .iova = iova, .length = length,
			       .uptr = (uintptr_t)uptr },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

/* MD_CHECK_REFS as it is: compound pages pass whatever @refs says */
static inline int md_check_refs(int fd, const void *uptr, uint64_t length,
				uint32_t refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .length = length, .uptr = (uintptr_t)uptr,
				.refs = refs },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

/*
 * MD_CHECK_REFS where it means something: every page of the range has
 * @refs pins. The operation skips compound pages (selftest-abi.md §5.5), so
 * a range holding one is a failure here (EDOM), not a silent pass; so is a
 * range root cannot classify. Unprivileged callers cannot read PFNs: they
 * rely on the check of the buffer at set-up (test_build_buffer()).
 */
static inline int check_refs(int fd, const void *uptr, uint64_t length,
			     uint32_t refs)
{
	int rc = md_check_refs(fd, uptr, length, refs);
	/* After the call, which faulted the pages in */
	long n = compound_pages(uptr, length);

	if (!rc && (n > 0 || (n < 0 && !geteuid()))) {
		diag("MD_CHECK_REFS over %s checks nothing there",
		     n > 0 ? "compound pages" : "pages of unknown kind");
		return EDOM;
	}
	return rc;
}

/* A test access on @ioas; *access_fd its file descriptor */
static inline int create_access(int fd, uint32_t ioas, uint32_t flags,
				int *access_fd)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = ioas,
		.create_access = { .flags = flags },
	};
	int rc = ioctl_err(fd, IOMMU_TEST_CMD, &cmd);

	*access_fd = rc ? -1 : (int)cmd.create_access.out_access_fd;
	return rc;
}

/* Pin through a test access; uptr NULL skips the page check */
static inline int access_pages(int fd, int access_fd, uint32_t flags,
			       uint64_t iova, uint64_t length,
			       const void *uptr, uint32_t *id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_PAGES,
		.id = access_fd,
		.access_pages = { .flags = flags, .iova = iova,
				  .length = length, .uptr = (uintptr_t)uptr },
	};
	int rc = ioctl_err(fd, IOMMU_TEST_CMD, &cmd);

	if (!rc && id)
		*id = cmd.access_pages.out_access_pages_id;
	return rc;
}

static inline int destroy_access_pages(int fd, int access_fd, uint32_t id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
		.id = access_fd,
		.destroy_access_pages = { .access_pages_id = id },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

/* MOCK_ACCESS_RW_WRITE in flags: from uptr into IOAS memory */
static inline int access_rw(int fd, int access_fd, uint64_t iova,
			    uint64_t length, void *uptr, uint32_t flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = access_fd,
		.access_rw = { .iova = iova, .length = length,
			       .uptr = (uintptr_t)uptr, .flags = flags },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

static inline int access_replace_ioas(int fd, int access_fd, uint32_t ioas)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
		.id = access_fd,
		.access_replace_ioas = { .ioas_id = ioas },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

/* IOMMU_HWPT_ALLOC of a paging HW page table with @flags on IOAS @ioas */
static inline int hwpt_alloc_flags(int fd, uint32_t dev, uint32_t ioas,
				   uint32_t flags, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev,
		.pt_id = ioas,
	};
	int rc = ioctl_err(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

static inline int set_dirty_tracking(int fd, uint32_t hwpt, int enable)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt,
	};

	return ioctl_err(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static inline int get_dirty_bitmap(int fd, uint32_t hwpt, uint64_t iova,
				   uint64_t length, uint64_t page_size,
				   void *data, uint32_t flags)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = length,
		.page_size = page_size,
		.data = (uintptr_t)data,
	};

	return ioctl_err(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

#ifndef IOMMUFD_TEST_ABI_6_2	/* no DIRTY in 6.2's test command */
/* Test build: the mock "device" writes the entries of the set bits */
static inline int mock_dirty(int fd, uint32_t hwpt, uint64_t iova,
			     uint64_t length, uint64_t page_size,
			     const void *bitmap, uint64_t *nr_dirty)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = hwpt,
		.dirty = { .iova = iova, .length = length,
			   .page_size = page_size,
			   .uptr = (uintptr_t)bitmap },
	};
	int rc = ioctl_err(fd, IOMMU_TEST_CMD, &cmd);

	if (nr_dirty)
		*nr_dirty = rc ? 0 : cmd.dirty.out_nr_dirty;
	return rc;
}
#endif

/* IOMMU_HWPT_ALLOC of a nested HW page table on @parent */
static inline int hwpt_alloc_nested(int fd, uint32_t dev, uint32_t parent,
				    uint32_t flags, uint32_t data_type,
				    const void *data, uint32_t data_len,
				    uint32_t fault_id, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev,
		.pt_id = parent,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	int rc = ioctl_err(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!rc && out)
		*out = cmd.out_hwpt_id;
	return rc;
}

/* A mock nested HW page table whose IOTLB starts as IOMMU_TEST_IOTLB_DEFAULT */
static inline int hwpt_alloc_mock_nested(int fd, uint32_t dev,
					 uint32_t parent, uint32_t *out)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	return hwpt_alloc_nested(fd, dev, parent, 0, IOMMU_HWPT_DATA_SELFTEST,
				 &data, sizeof(data), 0, out);
}

/* *entry_num: in, the requests; out, those handled */
static inline int hwpt_invalidate(int fd, uint32_t hwpt, uint32_t data_type,
				  const void *data, uint32_t entry_len,
				  uint32_t *entry_num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.data_uptr = (uintptr_t)data,
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = *entry_num,
	};
	int rc = ioctl_err(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*entry_num = cmd.entry_num;
	return rc;
}

static inline int check_iotlb(int fd, uint32_t hwpt, uint32_t id,
			      uint32_t value)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_IOTLB,
		.id = hwpt,
		.check_iotlb = { .id = id, .iotlb = value },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

/* IOMMU_FAULT_QUEUE_ALLOC: *id the FAULT object, *fault_fd its fd */
static inline int fault_alloc(int fd, uint32_t *id, int *fault_fd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	int rc = ioctl_err(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	*id = rc ? 0 : cmd.out_fault_id;
	*fault_fd = rc ? -1 : (int)cmd.out_fault_fd;
	return rc;
}

/* Test build: a mock device raises a page fault group of one request */
static inline int trigger_iopf(int fd, uint32_t dev, uint32_t pasid,
			       uint32_t grpid, uint32_t perm, uint64_t addr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = dev, .pasid = pasid,
				  .grpid = grpid, .perm = perm, .addr = addr },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

static inline int set_temp_memory_limit(int fd, uint32_t limit)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = limit },
	};

	return ioctl_err(fd, IOMMU_TEST_CMD, &cmd);
}

#endif
