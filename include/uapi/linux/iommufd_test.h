/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * IOMMUFD test-only ABI (IOMMU_TEST_CMD), binary compatible with the
 * selftest interface of every Linux release from 6.2 to 6.12.
 *
 * Written from the project specification (spec/selftest-abi.md). This
 * interface only exists when the module is built with its test support
 * enabled. It creates mock devices behind a mock IOMMU and offers probes
 * into kernel state for the iommufd selftests.
 *
 * Like the header it stands in for, it includes <linux/iommufd.h> and
 * carries the names programs of all those releases use. Their binaries
 * differ in the size of struct iommu_test_cmd: 56 bytes until 6.6, 72
 * since 6.7, and the kernel accepts both. Where 6.2 and 6.12 gave an
 * operation different semantics, a command of 56 bytes gets 6.2's (which
 * 6.4 to 6.6 programs, sending 56 bytes too, do not expect). A program
 * written for 6.2 that is built against this header gets 6.2's 56-byte
 * layout, and so 6.2's semantics, by defining IOMMUFD_TEST_ABI_6_2 before
 * including it; without it, the layout is 6.12's.
 */
#ifndef _UAPI_IOMMUFD_TEST_H
#define _UAPI_IOMMUFD_TEST_H

#include <linux/types.h>
#include <linux/iommufd.h>

#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/**
 * enum iommu_test_op - operations of IOMMU_TEST_CMD, selected by op
 * @IOMMU_TEST_OP_ADD_RESERVED: add a reserved IOVA range to the IOAS id
 * @IOMMU_TEST_OP_MOCK_DOMAIN: create a mock device and attach it to id
 * @IOMMU_TEST_OP_MD_CHECK_MAP: check that a mock domain maps an IOVA range
 *                              to the memory behind a user range
 * @IOMMU_TEST_OP_MD_CHECK_REFS: check the pin count of user pages
 * @IOMMU_TEST_OP_CREATE_ACCESS: create an in-kernel access on the IOAS id,
 *                               returned as a file descriptor
 * @IOMMU_TEST_OP_DESTROY_ACCESS_PAGES: unpin one item pinned by an access
 * @IOMMU_TEST_OP_ACCESS_PAGES: pin IOAS memory through an access
 * @IOMMU_TEST_OP_ACCESS_RW: read or write IOAS memory through an access
 * @IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT: set the temporary memory limit used
 *                                       while batching page pins
 * @IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: move a mock device to another IOAS or
 *                                     HW page table
 * @IOMMU_TEST_OP_ACCESS_REPLACE_IOAS: move an access to another IOAS
 * @IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: IOMMU_TEST_OP_MOCK_DOMAIN with device
 *                                   flags
 * @IOMMU_TEST_OP_DIRTY: mark mock page table entries dirty
 * @IOMMU_TEST_OP_MD_CHECK_IOTLB: check one IOTLB entry of a mock nested
 *                                domain
 * @IOMMU_TEST_OP_TRIGGER_IOPF: inject an I/O page fault for a mock device
 * @IOMMU_TEST_OP_OOT_FLOOR: ours, not upstream's (far above its numbers):
 *                           pin user memory and map it into a mock domain
 *                           of its own without any IO page table, then
 *                           unmap and unpin it, and report both times: the
 *                           floor make bench compares MAP and UNMAP with
 *
 * An unknown op gives EOPNOTSUPP.
 */
enum iommu_test_op {
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	IOMMU_TEST_OP_MOCK_DOMAIN = 2,
	IOMMU_TEST_OP_MD_CHECK_MAP = 3,
	IOMMU_TEST_OP_MD_CHECK_REFS = 4,
	IOMMU_TEST_OP_CREATE_ACCESS = 5,
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES = 6,
	IOMMU_TEST_OP_ACCESS_PAGES = 7,
	IOMMU_TEST_OP_ACCESS_RW = 8,
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT = 9,
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE = 10,
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS = 11,
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS = 12,
	IOMMU_TEST_OP_DIRTY = 13,
	IOMMU_TEST_OP_MD_CHECK_IOTLB = 14,
	IOMMU_TEST_OP_TRIGGER_IOPF = 15,
	IOMMU_TEST_OP_OOT_FLOOR = 0x10000,
};

/**
 * enum iommu_test_mock_aperture - IOVA aperture of a mock paging domain
 * @MOCK_APERTURE_START: first IOVA of the aperture
 * @MOCK_APERTURE_LAST: last IOVA of the aperture, inclusive
 */
enum iommu_test_mock_aperture {
	MOCK_APERTURE_START = 1 << 24,
	MOCK_APERTURE_LAST = 0x7fffffff,
};

/**
 * enum iommu_test_access_pages_flags - flags of access_pages.flags
 * @MOCK_FLAGS_ACCESS_WRITE: pin the pages for write
 * @MOCK_FLAGS_ACCESS_SYZ: the IOVA field encodes an area number and an
 *                         offset (fuzzer use only); also valid in
 *                         access_rw.flags
 */
enum iommu_test_access_pages_flags {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/**
 * enum iommu_test_access_rw_flags - flags of access_rw.flags
 * @MOCK_ACCESS_RW_WRITE: copy from the user buffer into IOAS memory;
 *                        without it, copy from IOAS memory to the buffer
 * @MOCK_ACCESS_RW_SLOW_PATH: force the copy through the page tracking layer
 */
enum iommu_test_access_rw_flags {
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/**
 * enum iommu_test_create_access_flags - flags of create_access.flags
 * @MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES: the access may pin pages
 */
enum iommu_test_create_access_flags {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/**
 * enum iommu_test_device_flags - flags of mock_domain_flags.dev_flags
 * @MOCK_FLAGS_DEVICE_NO_DIRTY: the mock device has no dirty tracking
 * @MOCK_FLAGS_DEVICE_HUGE_IOVA: mock domains of the device also support
 *                               page table entries of 512 granules
 */
enum iommu_test_device_flags {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	MOCK_FLAGS_DEVICE_HUGE_IOVA = 1 << 1,
};

/**
 * enum iommu_test_nested_iotlb - IOTLB of a mock nested domain
 * @MOCK_NESTED_DOMAIN_IOTLB_ID_MAX: highest valid IOTLB index
 * @MOCK_NESTED_DOMAIN_IOTLB_NUM: number of IOTLB entries
 */
enum iommu_test_nested_iotlb {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/**
 * struct iommu_test_cmd - ioctl(IOMMU_TEST_CMD)
 * @size: sizeof(struct iommu_test_cmd)
 * @op: one of enum iommu_test_op
 * @id: object or file descriptor the operation acts on; meaning per @op
 * @__reserved: pass 0 (not checked)
 * @add_reserved: IOMMU_TEST_OP_ADD_RESERVED
 * @add_reserved.start: first IOVA to reserve
 * @add_reserved.length: number of bytes to reserve
 * @mock_domain: IOMMU_TEST_OP_MOCK_DOMAIN
 * @mock_domain.out_stdev_id: output, SELFTEST object of the mock device
 * @mock_domain.out_device_id: the 6.2 name of @mock_domain.out_stdev_id
 * @mock_domain.out_hwpt_id: output, HW page table the device is attached to
 * @mock_domain.out_idev_id: output, DEVICE object of the mock device (none
 *                           with the 6.2 semantics)
 * @mock_domain_flags: IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS
 * @mock_domain_flags.out_stdev_id: output, SELFTEST object
 * @mock_domain_flags.out_hwpt_id: output, attached HW page table
 * @mock_domain_flags.out_idev_id: output, DEVICE object
 * @mock_domain_flags.dev_flags: enum iommu_test_device_flags
 * @mock_domain_replace: IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE
 * @mock_domain_replace.pt_id: input, IOAS or HW page table to attach to;
 *                             output, HW page table now attached
 * @check_map: IOMMU_TEST_OP_MD_CHECK_MAP
 * @check_map.iova: first IOVA to check
 * @check_map.length: number of bytes to check
 * @check_map.uptr: user memory expected behind @check_map.iova
 * @check_refs: IOMMU_TEST_OP_MD_CHECK_REFS
 * @check_refs.length: number of bytes to check
 * @check_refs.uptr: page aligned user memory to check
 * @check_refs.refs: expected number of long term pins per page
 * @create_access: IOMMU_TEST_OP_CREATE_ACCESS
 * @create_access.out_access_fd: output, file descriptor of the access
 * @create_access.flags: enum iommu_test_create_access_flags
 * @destroy_access_pages: IOMMU_TEST_OP_DESTROY_ACCESS_PAGES
 * @destroy_access_pages.access_pages_id: item returned by ACCESS_PAGES
 * @access_pages: IOMMU_TEST_OP_ACCESS_PAGES
 * @access_pages.flags: enum iommu_test_access_pages_flags
 * @access_pages.out_access_pages_id: output, ID of the pinned item
 * @access_pages.iova: first IOVA to pin
 * @access_pages.length: number of bytes to pin
 * @access_pages.uptr: user memory expected behind the pages, or 0
 * @access_rw: IOMMU_TEST_OP_ACCESS_RW
 * @access_rw.iova: first IOVA to access
 * @access_rw.length: number of bytes to copy
 * @access_rw.uptr: user buffer
 * @access_rw.flags: enum iommu_test_access_rw_flags
 * @memory_limit: IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT
 * @memory_limit.limit: new limit in bytes, at least 12
 * @access_replace_ioas: IOMMU_TEST_OP_ACCESS_REPLACE_IOAS
 * @access_replace_ioas.ioas_id: IOAS to move the access to
 * @dirty: IOMMU_TEST_OP_DIRTY (not in the 6.2 layout)
 * @dirty.flags: ignored
 * @dirty.iova: IOVA represented by bit 0 of the bitmap
 * @dirty.length: number of bytes of IOVA covered by the bitmap
 * @dirty.page_size: IOVA bytes per bitmap bit
 * @dirty.uptr: user pointer to the bitmap of entries to mark dirty
 * @dirty.out_nr_dirty: output, number of entries marked dirty
 * @check_iotlb: IOMMU_TEST_OP_MD_CHECK_IOTLB
 * @check_iotlb.id: IOTLB index, 0 to MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
 * @check_iotlb.iotlb: expected value of that entry
 * @trigger_iopf: IOMMU_TEST_OP_TRIGGER_IOPF
 * @trigger_iopf.dev_id: DEVICE object of the mock device
 * @trigger_iopf.pasid: PASID of the request; 0 means none
 * @trigger_iopf.grpid: page request group index
 * @trigger_iopf.perm: enum iommu_hwpt_pgfault_perm
 * @trigger_iopf.addr: faulting address
 * @floor: IOMMU_TEST_OP_OOT_FLOOR (not in the 6.2 layout)
 * @floor.uptr: user memory to pin and map, page aligned
 * @floor.length: number of bytes, a multiple of the page size
 * @floor.dev_flags: enum iommu_test_device_flags of the mock domain
 * @floor.out_map_ns: output, nanoseconds to pin and map
 * @floor.out_unmap_ns: output, nanoseconds to unmap and unpin
 * @last: unused; marks the end of the structure as each release knew it
 *
 * 72 bytes, @last at 64; with IOMMUFD_TEST_ABI_6_2, 56 bytes, @last at 48.
 * The kernel accepts any size from 52 (the end of the 6.2 @last); below 68
 * (the end of the 6.12 @last) MOCK_DOMAIN, ADD_RESERVED, MD_CHECK_MAP and
 * MD_CHECK_REFS behave as in 6.2. Whether the structure is written back
 * depends on @op.
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			union {
				__u32 out_stdev_id;
				__u32 out_device_id;
			};
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
#ifndef IOMMUFD_TEST_ABI_6_2
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
#endif
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__u64 addr;
		} trigger_iopf;
#ifndef IOMMUFD_TEST_ABI_6_2
		struct {
			__aligned_u64 uptr;
			__aligned_u64 length;
			__u32 dev_flags;
			__u32 __reserved;
			__aligned_u64 out_map_ns;
			__aligned_u64 out_unmap_ns;
		} floor;
#endif
	};
	__u32 last;
};

/* out_data_type of IOMMU_GET_HW_INFO for a mock device */
#define IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeef
/* test_reg value of struct iommu_test_hw_info */
#define IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeef

/**
 * struct iommu_test_hw_info - IOMMU_GET_HW_INFO data of a mock device
 *                             (IOMMU_HW_INFO_TYPE_SELFTEST)
 * @flags: always 0
 * @test_reg: always IOMMU_HW_INFO_SELFTEST_REGVAL
 */
struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/* IOMMU_HWPT_ALLOC data_type of a mock nested HW page table */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
/* initial IOTLB value used by the selftests */
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef

/**
 * struct iommu_hwpt_selftest - IOMMU_HWPT_ALLOC data of a mock nested HW
 *                              page table (IOMMU_HWPT_DATA_SELFTEST)
 * @iotlb: initial value of every IOTLB entry of the nested domain
 */
struct iommu_hwpt_selftest {
	__u32 iotlb;
};

/* IOMMU_HWPT_INVALIDATE data_type accepted by a mock nested HW page table */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
/* an IOMMU_HWPT_INVALIDATE data_type the mock rejects */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/**
 * enum iommu_hwpt_invalidate_selftest_flags - flags of a mock invalidation
 *                                             request
 * @IOMMU_TEST_INVALIDATE_FLAG_ALL: invalidate every IOTLB entry
 */
enum iommu_hwpt_invalidate_selftest_flags {
	IOMMU_TEST_INVALIDATE_FLAG_ALL = 1 << 0,
};

/**
 * struct iommu_hwpt_invalidate_selftest - IOMMU_HWPT_INVALIDATE request of
 *                                         a mock nested HW page table
 * @flags: enum iommu_hwpt_invalidate_selftest_flags
 * @iotlb_id: IOTLB index to clear, 0 to MOCK_NESTED_DOMAIN_IOTLB_ID_MAX;
 *            checked even with IOMMU_TEST_INVALIDATE_FLAG_ALL
 */
struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id;
};

#endif
