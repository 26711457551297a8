// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-time ABI layout test for include/uapi/linux/iommufd.h and
 * include/uapi/linux/iommufd_test.h.
 *
 * Every number below is copied literally from the specification tables
 * (spec/uapi.md and spec/selftest-abi.md), never computed from the headers.
 * Any mismatch is a compile error. The program itself only prints how many
 * checks were compiled in.
 *
 * Build from the repository root with
 *   gcc -std=gnu11 -Wall -Wextra -Werror -I include/uapi
 * and run the result. Built with -DIOMMUFD_TEST_ABI_6_2, it checks the 6.2
 * layout of struct iommu_test_cmd instead of 6.12's.
 */
#include <stddef.h>
#include <stdio.h>

/* First: the test header must bring <linux/iommufd.h> by itself */
#include <linux/iommufd_test.h>
#include <linux/iommufd.h>

/*
 * Every checked condition is joined with one use of __COUNTER__ (whose
 * value is always non-zero after the base below), so the number of checked
 * conditions is the final __COUNTER__ minus the base. __COUNTER__ must not
 * be used anywhere else in this file.
 */
enum { ABI_CHECK_BASE = __COUNTER__ };

#define COUNTED(cond) ((cond) && __COUNTER__)

/* One check: a static assertion of one counted condition. */
#define CHECK(expr, msg) _Static_assert(COUNTED(expr), msg)

#define FIELD_SIZE(s, f) sizeof(((struct s *)0)->f)

#define CHECK_SIZE(s, n) \
	CHECK(sizeof(struct s) == (n), "sizeof(struct " #s ")")
#define CHECK_ALIGN(s, n) \
	CHECK(_Alignof(struct s) == (n), "_Alignof(struct " #s ")")
/* offset and size of one field: two counted conditions, one assertion */
#define CHECK_FIELD(s, f, off, n) \
	_Static_assert(COUNTED(offsetof(struct s, f) == (off)) && \
		       COUNTED(FIELD_SIZE(s, f) == (n)), \
		       #s "." #f " offset or size")
/* minimum accepted size of a command: end of its last required field */
#define CHECK_MIN(s, f, end) \
	CHECK(offsetof(struct s, f) + FIELD_SIZE(s, f) == (end), \
	      #s " minimum size (end of " #f ")")
#define CHECK_VAL(name, v) \
	CHECK((unsigned long long)(name) == (v##ULL), #name " value")

/* ---- ioctl encoding (uapi.md sections 2 and 4) ---- */

CHECK_VAL(IOMMUFD_TYPE, 0x3b);
CHECK_VAL(IOMMUFD_CMD_BASE, 0x80);
CHECK_VAL(IOMMUFD_CMD_DESTROY, 0x80);
CHECK_VAL(IOMMUFD_CMD_IOAS_ALLOC, 0x81);
CHECK_VAL(IOMMUFD_CMD_IOAS_ALLOW_IOVAS, 0x82);
CHECK_VAL(IOMMUFD_CMD_IOAS_COPY, 0x83);
CHECK_VAL(IOMMUFD_CMD_IOAS_IOVA_RANGES, 0x84);
CHECK_VAL(IOMMUFD_CMD_IOAS_MAP, 0x85);
CHECK_VAL(IOMMUFD_CMD_IOAS_UNMAP, 0x86);
CHECK_VAL(IOMMUFD_CMD_OPTION, 0x87);
CHECK_VAL(IOMMUFD_CMD_VFIO_IOAS, 0x88);
CHECK_VAL(IOMMUFD_CMD_HWPT_ALLOC, 0x89);
CHECK_VAL(IOMMUFD_CMD_GET_HW_INFO, 0x8a);
CHECK_VAL(IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING, 0x8b);
CHECK_VAL(IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP, 0x8c);
CHECK_VAL(IOMMUFD_CMD_HWPT_INVALIDATE, 0x8d);
CHECK_VAL(IOMMUFD_CMD_FAULT_QUEUE_ALLOC, 0x8e);

CHECK_VAL(IOMMU_DESTROY, 0x3b80);
CHECK_VAL(IOMMU_IOAS_ALLOC, 0x3b81);
CHECK_VAL(IOMMU_IOAS_ALLOW_IOVAS, 0x3b82);
CHECK_VAL(IOMMU_IOAS_COPY, 0x3b83);
CHECK_VAL(IOMMU_IOAS_IOVA_RANGES, 0x3b84);
CHECK_VAL(IOMMU_IOAS_MAP, 0x3b85);
CHECK_VAL(IOMMU_IOAS_UNMAP, 0x3b86);
CHECK_VAL(IOMMU_OPTION, 0x3b87);
CHECK_VAL(IOMMU_VFIO_IOAS, 0x3b88);
CHECK_VAL(IOMMU_HWPT_ALLOC, 0x3b89);
CHECK_VAL(IOMMU_GET_HW_INFO, 0x3b8a);
CHECK_VAL(IOMMU_HWPT_SET_DIRTY_TRACKING, 0x3b8b);
CHECK_VAL(IOMMU_HWPT_GET_DIRTY_BITMAP, 0x3b8c);
CHECK_VAL(IOMMU_HWPT_INVALIDATE, 0x3b8d);
CHECK_VAL(IOMMU_FAULT_QUEUE_ALLOC, 0x3b8e);

/* ---- struct iommu_destroy (5.1) ---- */
CHECK_SIZE(iommu_destroy, 8);
CHECK_ALIGN(iommu_destroy, 4);
CHECK_FIELD(iommu_destroy, size, 0, 4);
CHECK_FIELD(iommu_destroy, id, 4, 4);
CHECK_MIN(iommu_destroy, id, 8);

/* ---- struct iommu_ioas_alloc (5.2) ---- */
CHECK_SIZE(iommu_ioas_alloc, 12);
CHECK_ALIGN(iommu_ioas_alloc, 4);
CHECK_FIELD(iommu_ioas_alloc, size, 0, 4);
CHECK_FIELD(iommu_ioas_alloc, flags, 4, 4);
CHECK_FIELD(iommu_ioas_alloc, out_ioas_id, 8, 4);
CHECK_MIN(iommu_ioas_alloc, out_ioas_id, 12);

/* ---- struct iommu_iova_range (5.3) ---- */
CHECK_SIZE(iommu_iova_range, 16);
CHECK_ALIGN(iommu_iova_range, 8);
CHECK_FIELD(iommu_iova_range, start, 0, 8);
CHECK_FIELD(iommu_iova_range, last, 8, 8);

/* ---- struct iommu_ioas_iova_ranges (5.3) ---- */
CHECK_SIZE(iommu_ioas_iova_ranges, 32);
CHECK_ALIGN(iommu_ioas_iova_ranges, 8);
CHECK_FIELD(iommu_ioas_iova_ranges, size, 0, 4);
CHECK_FIELD(iommu_ioas_iova_ranges, ioas_id, 4, 4);
CHECK_FIELD(iommu_ioas_iova_ranges, num_iovas, 8, 4);
CHECK_FIELD(iommu_ioas_iova_ranges, __reserved, 12, 4);
CHECK_FIELD(iommu_ioas_iova_ranges, allowed_iovas, 16, 8);
CHECK_FIELD(iommu_ioas_iova_ranges, out_iova_alignment, 24, 8);
CHECK_MIN(iommu_ioas_iova_ranges, out_iova_alignment, 32);

/* ---- struct iommu_ioas_allow_iovas (5.4) ---- */
CHECK_SIZE(iommu_ioas_allow_iovas, 24);
CHECK_ALIGN(iommu_ioas_allow_iovas, 8);
CHECK_FIELD(iommu_ioas_allow_iovas, size, 0, 4);
CHECK_FIELD(iommu_ioas_allow_iovas, ioas_id, 4, 4);
CHECK_FIELD(iommu_ioas_allow_iovas, num_iovas, 8, 4);
CHECK_FIELD(iommu_ioas_allow_iovas, __reserved, 12, 4);
CHECK_FIELD(iommu_ioas_allow_iovas, allowed_iovas, 16, 8);
CHECK_MIN(iommu_ioas_allow_iovas, allowed_iovas, 24);

/* ---- enum iommufd_ioas_map_flags and struct iommu_ioas_map (5.5) ---- */
CHECK_VAL(IOMMU_IOAS_MAP_FIXED_IOVA, 0x1);
CHECK_VAL(IOMMU_IOAS_MAP_WRITEABLE, 0x2);
CHECK_VAL(IOMMU_IOAS_MAP_READABLE, 0x4);

CHECK_SIZE(iommu_ioas_map, 40);
CHECK_ALIGN(iommu_ioas_map, 8);
CHECK_FIELD(iommu_ioas_map, size, 0, 4);
CHECK_FIELD(iommu_ioas_map, flags, 4, 4);
CHECK_FIELD(iommu_ioas_map, ioas_id, 8, 4);
CHECK_FIELD(iommu_ioas_map, __reserved, 12, 4);
CHECK_FIELD(iommu_ioas_map, user_va, 16, 8);
CHECK_FIELD(iommu_ioas_map, length, 24, 8);
CHECK_FIELD(iommu_ioas_map, iova, 32, 8);
CHECK_MIN(iommu_ioas_map, iova, 40);

/* ---- struct iommu_ioas_copy (5.6) ---- */
CHECK_SIZE(iommu_ioas_copy, 40);
CHECK_ALIGN(iommu_ioas_copy, 8);
CHECK_FIELD(iommu_ioas_copy, size, 0, 4);
CHECK_FIELD(iommu_ioas_copy, flags, 4, 4);
CHECK_FIELD(iommu_ioas_copy, dst_ioas_id, 8, 4);
CHECK_FIELD(iommu_ioas_copy, src_ioas_id, 12, 4);
CHECK_FIELD(iommu_ioas_copy, length, 16, 8);
CHECK_FIELD(iommu_ioas_copy, dst_iova, 24, 8);
CHECK_FIELD(iommu_ioas_copy, src_iova, 32, 8);
CHECK_MIN(iommu_ioas_copy, src_iova, 40);

/* ---- struct iommu_ioas_unmap (5.7) ---- */
CHECK_SIZE(iommu_ioas_unmap, 24);
CHECK_ALIGN(iommu_ioas_unmap, 8);
CHECK_FIELD(iommu_ioas_unmap, size, 0, 4);
CHECK_FIELD(iommu_ioas_unmap, ioas_id, 4, 4);
CHECK_FIELD(iommu_ioas_unmap, iova, 8, 8);
CHECK_FIELD(iommu_ioas_unmap, length, 16, 8);
CHECK_MIN(iommu_ioas_unmap, length, 24);

/* ---- IOMMU_OPTION (5.8) ---- */
CHECK_VAL(IOMMU_OPTION_RLIMIT_MODE, 0);
CHECK_VAL(IOMMU_OPTION_HUGE_PAGES, 1);
CHECK_VAL(IOMMU_OPTION_OP_SET, 0);
CHECK_VAL(IOMMU_OPTION_OP_GET, 1);

CHECK_SIZE(iommu_option, 24);
CHECK_ALIGN(iommu_option, 8);
CHECK_FIELD(iommu_option, size, 0, 4);
CHECK_FIELD(iommu_option, option_id, 4, 4);
CHECK_FIELD(iommu_option, op, 8, 2);
CHECK_FIELD(iommu_option, __reserved, 10, 2);
CHECK_FIELD(iommu_option, object_id, 12, 4);
CHECK_FIELD(iommu_option, val64, 16, 8);
CHECK_MIN(iommu_option, val64, 24);

/* ---- IOMMU_VFIO_IOAS (5.9) ---- */
CHECK_VAL(IOMMU_VFIO_IOAS_GET, 0);
CHECK_VAL(IOMMU_VFIO_IOAS_SET, 1);
CHECK_VAL(IOMMU_VFIO_IOAS_CLEAR, 2);

CHECK_SIZE(iommu_vfio_ioas, 12);
CHECK_ALIGN(iommu_vfio_ioas, 4);
CHECK_FIELD(iommu_vfio_ioas, size, 0, 4);
CHECK_FIELD(iommu_vfio_ioas, ioas_id, 4, 4);
CHECK_FIELD(iommu_vfio_ioas, op, 8, 2);
CHECK_FIELD(iommu_vfio_ioas, __reserved, 10, 2);
CHECK_MIN(iommu_vfio_ioas, __reserved, 12);

/* ---- IOMMU_HWPT_ALLOC (7.1) ---- */
CHECK_VAL(IOMMU_HWPT_ALLOC_NEST_PARENT, 0x1);
CHECK_VAL(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 0x2);
CHECK_VAL(IOMMU_HWPT_FAULT_ID_VALID, 0x4);
CHECK_VAL(IOMMU_HWPT_DATA_NONE, 0);
CHECK_VAL(IOMMU_HWPT_DATA_VTD_S1, 1);

CHECK_SIZE(iommu_hwpt_alloc, 48);
CHECK_ALIGN(iommu_hwpt_alloc, 8);
CHECK_FIELD(iommu_hwpt_alloc, size, 0, 4);
CHECK_FIELD(iommu_hwpt_alloc, flags, 4, 4);
CHECK_FIELD(iommu_hwpt_alloc, dev_id, 8, 4);
CHECK_FIELD(iommu_hwpt_alloc, pt_id, 12, 4);
CHECK_FIELD(iommu_hwpt_alloc, out_hwpt_id, 16, 4);
CHECK_FIELD(iommu_hwpt_alloc, __reserved, 20, 4);
CHECK_FIELD(iommu_hwpt_alloc, data_type, 24, 4);
CHECK_FIELD(iommu_hwpt_alloc, data_len, 28, 4);
CHECK_FIELD(iommu_hwpt_alloc, data_uptr, 32, 8);
CHECK_FIELD(iommu_hwpt_alloc, fault_id, 40, 4);
CHECK_FIELD(iommu_hwpt_alloc, __reserved2, 44, 4);
CHECK_MIN(iommu_hwpt_alloc, __reserved, 24);

CHECK_VAL(IOMMU_VTD_S1_SRE, 0x1);
CHECK_VAL(IOMMU_VTD_S1_EAFE, 0x2);
CHECK_VAL(IOMMU_VTD_S1_WPE, 0x4);

CHECK_SIZE(iommu_hwpt_vtd_s1, 24);
CHECK_FIELD(iommu_hwpt_vtd_s1, flags, 0, 8);
CHECK_FIELD(iommu_hwpt_vtd_s1, pgtbl_addr, 8, 8);
CHECK_FIELD(iommu_hwpt_vtd_s1, addr_width, 16, 4);
CHECK_FIELD(iommu_hwpt_vtd_s1, __reserved, 20, 4);

/* ---- IOMMU_GET_HW_INFO (7.2), 6.12.y layout ---- */
CHECK_VAL(IOMMU_HW_INFO_TYPE_NONE, 0);
CHECK_VAL(IOMMU_HW_INFO_TYPE_INTEL_VTD, 1);
CHECK_VAL(IOMMU_HW_CAP_DIRTY_TRACKING, 0x1);
CHECK_VAL(IOMMU_HW_CAP_PCI_PASID_EXEC, 0x2);
CHECK_VAL(IOMMU_HW_CAP_PCI_PASID_PRIV, 0x4);

/* Upstream's VT-d hw_info data (not in the spec's tables) */
CHECK_SIZE(iommu_hw_info_vtd, 24);
CHECK_FIELD(iommu_hw_info_vtd, cap_reg, 8, 8);
CHECK_FIELD(iommu_hw_info_vtd, ecap_reg, 16, 8);
CHECK_SIZE(iommu_hw_info, 40);
CHECK_ALIGN(iommu_hw_info, 8);
CHECK_FIELD(iommu_hw_info, size, 0, 4);
CHECK_FIELD(iommu_hw_info, flags, 4, 4);
CHECK_FIELD(iommu_hw_info, dev_id, 8, 4);
CHECK_FIELD(iommu_hw_info, data_len, 12, 4);
CHECK_FIELD(iommu_hw_info, data_uptr, 16, 8);
CHECK_FIELD(iommu_hw_info, out_data_type, 24, 4);
CHECK_FIELD(iommu_hw_info, out_max_pasid_log2, 28, 1);
CHECK_FIELD(iommu_hw_info, __reserved, 29, 3);
CHECK_FIELD(iommu_hw_info, out_capabilities, 32, 8);
CHECK_MIN(iommu_hw_info, __reserved, 32);

/* ---- IOMMU_HWPT_SET_DIRTY_TRACKING (7.3) ---- */
CHECK_VAL(IOMMU_HWPT_DIRTY_TRACKING_ENABLE, 1);

CHECK_SIZE(iommu_hwpt_set_dirty_tracking, 16);
CHECK_ALIGN(iommu_hwpt_set_dirty_tracking, 4);
CHECK_FIELD(iommu_hwpt_set_dirty_tracking, size, 0, 4);
CHECK_FIELD(iommu_hwpt_set_dirty_tracking, flags, 4, 4);
CHECK_FIELD(iommu_hwpt_set_dirty_tracking, hwpt_id, 8, 4);
CHECK_FIELD(iommu_hwpt_set_dirty_tracking, __reserved, 12, 4);
CHECK_MIN(iommu_hwpt_set_dirty_tracking, __reserved, 16);

/* ---- IOMMU_HWPT_GET_DIRTY_BITMAP (7.4) ---- */
CHECK_VAL(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 1);

CHECK_SIZE(iommu_hwpt_get_dirty_bitmap, 48);
CHECK_ALIGN(iommu_hwpt_get_dirty_bitmap, 8);
CHECK_FIELD(iommu_hwpt_get_dirty_bitmap, size, 0, 4);
CHECK_FIELD(iommu_hwpt_get_dirty_bitmap, hwpt_id, 4, 4);
CHECK_FIELD(iommu_hwpt_get_dirty_bitmap, flags, 8, 4);
CHECK_FIELD(iommu_hwpt_get_dirty_bitmap, __reserved, 12, 4);
CHECK_FIELD(iommu_hwpt_get_dirty_bitmap, iova, 16, 8);
CHECK_FIELD(iommu_hwpt_get_dirty_bitmap, length, 24, 8);
CHECK_FIELD(iommu_hwpt_get_dirty_bitmap, page_size, 32, 8);
CHECK_FIELD(iommu_hwpt_get_dirty_bitmap, data, 40, 8);
CHECK_MIN(iommu_hwpt_get_dirty_bitmap, data, 48);

/* ---- IOMMU_HWPT_INVALIDATE (7.5) ---- */
CHECK_VAL(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, 0);
CHECK_VAL(IOMMU_VTD_INV_FLAGS_LEAF, 0x1);

CHECK_SIZE(iommu_hwpt_invalidate, 32);
CHECK_ALIGN(iommu_hwpt_invalidate, 8);
CHECK_FIELD(iommu_hwpt_invalidate, size, 0, 4);
CHECK_FIELD(iommu_hwpt_invalidate, hwpt_id, 4, 4);
CHECK_FIELD(iommu_hwpt_invalidate, data_uptr, 8, 8);
CHECK_FIELD(iommu_hwpt_invalidate, data_type, 16, 4);
CHECK_FIELD(iommu_hwpt_invalidate, entry_len, 20, 4);
CHECK_FIELD(iommu_hwpt_invalidate, entry_num, 24, 4);
CHECK_FIELD(iommu_hwpt_invalidate, __reserved, 28, 4);
CHECK_MIN(iommu_hwpt_invalidate, __reserved, 32);

CHECK_SIZE(iommu_hwpt_vtd_s1_invalidate, 24);
CHECK_FIELD(iommu_hwpt_vtd_s1_invalidate, addr, 0, 8);
CHECK_FIELD(iommu_hwpt_vtd_s1_invalidate, npages, 8, 8);
CHECK_FIELD(iommu_hwpt_vtd_s1_invalidate, flags, 16, 4);
CHECK_FIELD(iommu_hwpt_vtd_s1_invalidate, __reserved, 20, 4);

/* ---- IOMMU_FAULT_QUEUE_ALLOC (7.6) ---- */
CHECK_SIZE(iommu_fault_alloc, 16);
CHECK_ALIGN(iommu_fault_alloc, 4);
CHECK_FIELD(iommu_fault_alloc, size, 0, 4);
CHECK_FIELD(iommu_fault_alloc, flags, 4, 4);
CHECK_FIELD(iommu_fault_alloc, out_fault_id, 8, 4);
CHECK_FIELD(iommu_fault_alloc, out_fault_fd, 12, 4);
CHECK_MIN(iommu_fault_alloc, out_fault_fd, 16);

CHECK_VAL(IOMMU_PGFAULT_FLAGS_PASID_VALID, 0x1);
CHECK_VAL(IOMMU_PGFAULT_FLAGS_LAST_PAGE, 0x2);
CHECK_VAL(IOMMU_PGFAULT_PERM_READ, 0x1);
CHECK_VAL(IOMMU_PGFAULT_PERM_WRITE, 0x2);
CHECK_VAL(IOMMU_PGFAULT_PERM_EXEC, 0x4);
CHECK_VAL(IOMMU_PGFAULT_PERM_PRIV, 0x8);

CHECK_SIZE(iommu_hwpt_pgfault, 40);
CHECK_ALIGN(iommu_hwpt_pgfault, 8);
CHECK_FIELD(iommu_hwpt_pgfault, flags, 0, 4);
CHECK_FIELD(iommu_hwpt_pgfault, dev_id, 4, 4);
CHECK_FIELD(iommu_hwpt_pgfault, pasid, 8, 4);
CHECK_FIELD(iommu_hwpt_pgfault, grpid, 12, 4);
CHECK_FIELD(iommu_hwpt_pgfault, perm, 16, 4);
CHECK_FIELD(iommu_hwpt_pgfault, __reserved, 20, 4);
CHECK_FIELD(iommu_hwpt_pgfault, addr, 24, 8);
CHECK_FIELD(iommu_hwpt_pgfault, length, 32, 4);
CHECK_FIELD(iommu_hwpt_pgfault, cookie, 36, 4);

CHECK_VAL(IOMMUFD_PAGE_RESP_SUCCESS, 0);
CHECK_VAL(IOMMUFD_PAGE_RESP_INVALID, 1);

CHECK_SIZE(iommu_hwpt_page_response, 8);
CHECK_FIELD(iommu_hwpt_page_response, cookie, 0, 4);
CHECK_FIELD(iommu_hwpt_page_response, code, 4, 4);

/* ---- IOMMU_TEST_CMD (selftest-abi.md 2 and 3) ---- */
CHECK_VAL(IOMMU_TEST_CMD, 0x3ba0);
CHECK_VAL(_IOC_NR(IOMMU_TEST_CMD) - IOMMUFD_CMD_BASE, 32);

CHECK_VAL(IOMMU_TEST_OP_ADD_RESERVED, 1);
CHECK_VAL(IOMMU_TEST_OP_MOCK_DOMAIN, 2);
CHECK_VAL(IOMMU_TEST_OP_MD_CHECK_MAP, 3);
CHECK_VAL(IOMMU_TEST_OP_MD_CHECK_REFS, 4);
CHECK_VAL(IOMMU_TEST_OP_CREATE_ACCESS, 5);
CHECK_VAL(IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, 6);
CHECK_VAL(IOMMU_TEST_OP_ACCESS_PAGES, 7);
CHECK_VAL(IOMMU_TEST_OP_ACCESS_RW, 8);
CHECK_VAL(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 9);
CHECK_VAL(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, 10);
CHECK_VAL(IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, 11);
CHECK_VAL(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, 12);
CHECK_VAL(IOMMU_TEST_OP_DIRTY, 13);
CHECK_VAL(IOMMU_TEST_OP_MD_CHECK_IOTLB, 14);
CHECK_VAL(IOMMU_TEST_OP_TRIGGER_IOPF, 15);

CHECK_VAL(MOCK_APERTURE_START, 0x1000000);
CHECK_VAL(MOCK_APERTURE_LAST, 0x7fffffff);
CHECK_VAL(MOCK_FLAGS_ACCESS_WRITE, 0x1);
CHECK_VAL(MOCK_FLAGS_ACCESS_SYZ, 0x10000);
CHECK_VAL(MOCK_ACCESS_RW_WRITE, 0x1);
CHECK_VAL(MOCK_ACCESS_RW_SLOW_PATH, 0x4);
CHECK_VAL(MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, 0x1);
CHECK_VAL(MOCK_FLAGS_DEVICE_NO_DIRTY, 0x1);
CHECK_VAL(MOCK_FLAGS_DEVICE_HUGE_IOVA, 0x2);
CHECK_VAL(MOCK_NESTED_DOMAIN_IOTLB_ID_MAX, 3);
CHECK_VAL(MOCK_NESTED_DOMAIN_IOTLB_NUM, 4);
CHECK_VAL(IOMMU_HW_INFO_TYPE_SELFTEST, 0xfeedbeef);
CHECK_VAL(IOMMU_HW_INFO_SELFTEST_REGVAL, 0xdeadbeef);
CHECK_VAL(IOMMU_HWPT_DATA_SELFTEST, 0xdead);
CHECK_VAL(IOMMU_TEST_IOTLB_DEFAULT, 0xbadbeef);
CHECK_VAL(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 0xdeadbeef);
CHECK_VAL(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID, 0xdadbeef);
CHECK_VAL(IOMMU_TEST_INVALIDATE_FLAG_ALL, 0x1);

#ifdef IOMMUFD_TEST_ABI_6_2
/* The 6.2 layout (selftest-abi.md 2.2) */
CHECK_SIZE(iommu_test_cmd, 56);
CHECK_FIELD(iommu_test_cmd, last, 48, 4);
CHECK_MIN(iommu_test_cmd, last, 52);
#else
CHECK_SIZE(iommu_test_cmd, 72);
CHECK_FIELD(iommu_test_cmd, last, 64, 4);
CHECK_MIN(iommu_test_cmd, last, 68);
#endif
CHECK_ALIGN(iommu_test_cmd, 8);
CHECK_FIELD(iommu_test_cmd, size, 0, 4);
CHECK_FIELD(iommu_test_cmd, op, 4, 4);
CHECK_FIELD(iommu_test_cmd, id, 8, 4);
CHECK_FIELD(iommu_test_cmd, __reserved, 12, 4);

CHECK_FIELD(iommu_test_cmd, add_reserved.start, 16, 8);
CHECK_FIELD(iommu_test_cmd, add_reserved.length, 24, 8);
CHECK_FIELD(iommu_test_cmd, mock_domain.out_stdev_id, 16, 4);
CHECK_FIELD(iommu_test_cmd, mock_domain.out_device_id, 16, 4);
CHECK_FIELD(iommu_test_cmd, mock_domain.out_hwpt_id, 20, 4);
CHECK_FIELD(iommu_test_cmd, mock_domain.out_idev_id, 24, 4);
CHECK_FIELD(iommu_test_cmd, mock_domain_flags.out_stdev_id, 16, 4);
CHECK_FIELD(iommu_test_cmd, mock_domain_flags.out_hwpt_id, 20, 4);
CHECK_FIELD(iommu_test_cmd, mock_domain_flags.out_idev_id, 24, 4);
CHECK_FIELD(iommu_test_cmd, mock_domain_flags.dev_flags, 28, 4);
CHECK_FIELD(iommu_test_cmd, mock_domain_replace.pt_id, 16, 4);
CHECK_FIELD(iommu_test_cmd, check_map.iova, 16, 8);
CHECK_FIELD(iommu_test_cmd, check_map.length, 24, 8);
CHECK_FIELD(iommu_test_cmd, check_map.uptr, 32, 8);
CHECK_FIELD(iommu_test_cmd, check_refs.length, 16, 8);
CHECK_FIELD(iommu_test_cmd, check_refs.uptr, 24, 8);
CHECK_FIELD(iommu_test_cmd, check_refs.refs, 32, 4);
CHECK_FIELD(iommu_test_cmd, create_access.out_access_fd, 16, 4);
CHECK_FIELD(iommu_test_cmd, create_access.flags, 20, 4);
CHECK_FIELD(iommu_test_cmd, destroy_access_pages.access_pages_id, 16, 4);
CHECK_FIELD(iommu_test_cmd, access_pages.flags, 16, 4);
CHECK_FIELD(iommu_test_cmd, access_pages.out_access_pages_id, 20, 4);
CHECK_FIELD(iommu_test_cmd, access_pages.iova, 24, 8);
CHECK_FIELD(iommu_test_cmd, access_pages.length, 32, 8);
CHECK_FIELD(iommu_test_cmd, access_pages.uptr, 40, 8);
CHECK_FIELD(iommu_test_cmd, access_rw.iova, 16, 8);
CHECK_FIELD(iommu_test_cmd, access_rw.length, 24, 8);
CHECK_FIELD(iommu_test_cmd, access_rw.uptr, 32, 8);
CHECK_FIELD(iommu_test_cmd, access_rw.flags, 40, 4);
CHECK_FIELD(iommu_test_cmd, memory_limit.limit, 16, 4);
CHECK_FIELD(iommu_test_cmd, access_replace_ioas.ioas_id, 16, 4);
#ifndef IOMMUFD_TEST_ABI_6_2
CHECK_FIELD(iommu_test_cmd, dirty.flags, 16, 4);
CHECK_FIELD(iommu_test_cmd, dirty.iova, 24, 8);
CHECK_FIELD(iommu_test_cmd, dirty.length, 32, 8);
CHECK_FIELD(iommu_test_cmd, dirty.page_size, 40, 8);
CHECK_FIELD(iommu_test_cmd, dirty.uptr, 48, 8);
CHECK_FIELD(iommu_test_cmd, dirty.out_nr_dirty, 56, 8);
#endif
CHECK_FIELD(iommu_test_cmd, check_iotlb.id, 16, 4);
CHECK_FIELD(iommu_test_cmd, check_iotlb.iotlb, 20, 4);
CHECK_FIELD(iommu_test_cmd, trigger_iopf.dev_id, 16, 4);
CHECK_FIELD(iommu_test_cmd, trigger_iopf.pasid, 20, 4);
CHECK_FIELD(iommu_test_cmd, trigger_iopf.grpid, 24, 4);
CHECK_FIELD(iommu_test_cmd, trigger_iopf.perm, 28, 4);
CHECK_FIELD(iommu_test_cmd, trigger_iopf.addr, 32, 8);

CHECK_SIZE(iommu_test_hw_info, 8);
CHECK_FIELD(iommu_test_hw_info, flags, 0, 4);
CHECK_FIELD(iommu_test_hw_info, test_reg, 4, 4);

CHECK_SIZE(iommu_hwpt_selftest, 4);
CHECK_FIELD(iommu_hwpt_selftest, iotlb, 0, 4);

CHECK_SIZE(iommu_hwpt_invalidate_selftest, 8);
CHECK_FIELD(iommu_hwpt_invalidate_selftest, flags, 0, 4);
CHECK_FIELD(iommu_hwpt_invalidate_selftest, iotlb_id, 4, 4);

/* Number of counted conditions above. */
#define ABI_NUM_CHECKS (__COUNTER__ - ABI_CHECK_BASE - 1)

int main(void)
{
	printf("abi layout: %d checks passed\n", (int)ABI_NUM_CHECKS);
	return 0;
}
