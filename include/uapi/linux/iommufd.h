/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * IOMMUFD user ABI (/dev/iommu), binary compatible with Linux 6.12.
 *
 * Written from the project specification (spec/uapi.md). Every structure
 * below starts with a __u32 size field and is passed by pointer to an ioctl
 * encoded with _IO(IOMMUFD_TYPE, nr), i.e. without direction or size bits.
 * Structures are extensible: the kernel accepts a shorter structure as long
 * as it covers the last required field (missing fields read as zero) and a
 * longer one as long as every byte it does not understand is zero (E2BIG
 * otherwise).
 *
 * Generic errno conventions used by all commands:
 *  ENOTTY     - command number not implemented
 *  E2BIG      - non-zero bytes beyond the structure the kernel understands
 *  EOPNOTSUPP - a flags, op, type or __reserved field holds an unsupported
 *               value (reserved fields must be zero)
 *  EINVAL     - a value is understood but not acceptable
 *  ENOENT     - an object ID or IOVA range does not exist
 *  ENOMEM     - out of memory, or the pinned memory limit was exceeded
 *  EOVERFLOW  - arithmetic overflow in the arguments
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOMMUFD_TYPE (';')

/**
 * DOC: IOMMUFD command numbers
 *
 * The command numbers start at IOMMUFD_CMD_BASE (0x80) and are assigned
 * consecutively. Numbers below the base, and numbers beyond the last
 * implemented command, are handled as VFIO type1 container ioctls. The
 * values 0x8f to 0x94 belong to commands of later releases and are not
 * part of this ABI.
 */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
};

/**
 * struct iommu_destroy - ioctl(IOMMU_DESTROY)
 * @size: sizeof(struct iommu_destroy)
 * @id: ID of the object to destroy; any object type is accepted
 *
 * Removes and frees one object of the calling context. Fails with ENOENT
 * if no visible object has that ID (0 is never an ID) and with EBUSY if
 * anything else still holds a reference on the object, e.g. a device
 * attached to a HW page table or a HW page table built on an IOAS; the
 * object is then left intact. Nothing is written back.
 */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};

#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/**
 * struct iommu_ioas_alloc - ioctl(IOMMU_IOAS_ALLOC)
 * @size: sizeof(struct iommu_ioas_alloc)
 * @flags: must be 0
 * @out_ioas_id: output, ID of the new IOAS object
 *
 * Creates an empty I/O address space: no mappings, no reserved regions, no
 * allowed ranges. Non-zero @flags give EOPNOTSUPP.
 */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/**
 * struct iommu_iova_range - one range of IOVA
 * @start: first IOVA of the range
 * @last: last IOVA of the range, inclusive
 *
 * Array element used by IOMMU_IOAS_IOVA_RANGES and IOMMU_IOAS_ALLOW_IOVAS.
 */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/**
 * struct iommu_ioas_iova_ranges - ioctl(IOMMU_IOAS_IOVA_RANGES)
 * @size: sizeof(struct iommu_ioas_iova_ranges)
 * @ioas_id: IOAS to query
 * @num_iovas: input, number of entries the @allowed_iovas array can hold;
 *             output, total number of usable ranges
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 * @out_iova_alignment: output, required alignment of IOVA and length for
 *                      IOMMU_IOAS_MAP and IOMMU_IOAS_COPY
 *
 * Reports the IOVA ranges that may be used for mapping, in ascending order:
 * everything that is not a reserved region of the IOAS. An IOAS without
 * reserved regions reports the single range [0, U64_MAX]. At most
 * @num_iovas entries are written. If more ranges exist than fit, the
 * structure is still written back with the required count and the ioctl
 * fails with EMSGSIZE.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};

#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/**
 * struct iommu_ioas_allow_iovas - ioctl(IOMMU_IOAS_ALLOW_IOVAS)
 * @size: sizeof(struct iommu_ioas_allow_iovas)
 * @ioas_id: IOAS to modify
 * @num_iovas: number of entries in @allowed_iovas; 0 clears the list
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 *
 * Replaces the allowed list of the IOAS. When the list is not empty,
 * automatically chosen IOVAs are taken only from inside these ranges, and
 * no reserved region may be created that intersects one of them (so a
 * device attach can fail). Fixed-IOVA mappings are not restricted.
 *
 * A range with start >= last, or one that intersects an earlier entry of
 * the same array, gives EINVAL; a range that intersects an existing
 * reserved region gives EADDRINUSE and the previous list stays in force.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};

#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/**
 * enum iommufd_ioas_map_flags - flags for IOMMU_IOAS_MAP and IOMMU_IOAS_COPY
 * @IOMMU_IOAS_MAP_FIXED_IOVA: map at the IOVA given by the caller instead
 *                             of letting the kernel choose one
 * @IOMMU_IOAS_MAP_WRITEABLE: the device may write to the memory
 * @IOMMU_IOAS_MAP_READABLE: the device may read from the memory
 *
 * At least one of READABLE and WRITEABLE must be given (EINVAL otherwise).
 */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/**
 * struct iommu_ioas_map - ioctl(IOMMU_IOAS_MAP)
 * @size: sizeof(struct iommu_ioas_map)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @ioas_id: IOAS to map into
 * @__reserved: must be 0
 * @user_va: start of the user memory to map
 * @length: number of bytes to map
 * @iova: input, IOVA to use with IOMMU_IOAS_MAP_FIXED_IOVA; output, the
 *        IOVA actually used
 *
 * Maps [@user_va, @user_va + @length) of the calling process at
 * [@iova, @iova + @length - 1] of the IOAS. IOVA, length and the offset of
 * @user_va within its page must respect the IOAS alignment (EINVAL). A
 * fixed range that intersects a reserved region gives EINVAL, one that
 * intersects an existing mapping gives EEXIST; ENOSPC if no free IOVA can
 * be found. When the IOAS already has HW page tables the memory is pinned
 * immediately and bad user memory gives EFAULT.
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/**
 * struct iommu_ioas_copy - ioctl(IOMMU_IOAS_COPY)
 * @size: sizeof(struct iommu_ioas_copy)
 * @flags: combination of enum iommufd_ioas_map_flags
 * @dst_ioas_id: IOAS to create the new mapping in
 * @src_ioas_id: IOAS holding the existing mapping
 * @length: number of bytes to copy
 * @dst_iova: input, IOVA to use with IOMMU_IOAS_MAP_FIXED_IOVA; output, the
 *            IOVA actually used
 * @src_iova: first IOVA of the source range
 *
 * Maps the memory that backs [@src_iova, @src_iova + @length - 1] of the
 * source IOAS into the destination IOAS as well, sharing the existing page
 * pins and accounting. The source range must be completely covered by
 * contiguous mappings (ENOENT otherwise). Source and destination may be
 * the same IOAS. Asking for WRITEABLE when the source was mapped read-only
 * gives EPERM. Placement rules and errors are those of IOMMU_IOAS_MAP.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};

#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/**
 * struct iommu_ioas_unmap - ioctl(IOMMU_IOAS_UNMAP)
 * @size: sizeof(struct iommu_ioas_unmap)
 * @ioas_id: IOAS to unmap from
 * @iova: first IOVA of the range
 * @length: input, number of bytes in the range; output, number of bytes
 *          actually unmapped
 *
 * Removes every mapping lying completely inside the range. Mappings are
 * only removed whole: one that is only partly covered makes the call fail
 * with ENOENT, as does a range without any mapping. @iova 0 with @length
 * U64_MAX removes everything and always succeeds.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};

#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/**
 * enum iommufd_option - option identifiers for IOMMU_OPTION
 * @IOMMU_OPTION_RLIMIT_MODE: context wide; 0 charges pinned memory to the
 *                            user, 1 to the process (mm). Changing it needs
 *                            CAP_SYS_RESOURCE and a context without objects.
 * @IOMMU_OPTION_HUGE_PAGES: per IOAS; 1 (default) allows large IOMMU pages,
 *                           0 restricts mappings to PAGE_SIZE pages
 */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,
	IOMMU_OPTION_HUGE_PAGES = 1,
};

/**
 * enum iommufd_option_ops - operations for IOMMU_OPTION
 * @IOMMU_OPTION_OP_SET: set the option to val64
 * @IOMMU_OPTION_OP_GET: return the current value in val64
 */
enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/**
 * struct iommu_option - ioctl(IOMMU_OPTION)
 * @size: sizeof(struct iommu_option)
 * @option_id: one of enum iommufd_option
 * @op: one of enum iommufd_option_ops
 * @__reserved: must be 0
 * @object_id: object the option applies to; 0 for context wide options
 * @val64: input for IOMMU_OPTION_OP_SET, output for IOMMU_OPTION_OP_GET
 *
 * Reads or changes an option. Unknown options or operations give
 * EOPNOTSUPP, unacceptable values EINVAL. Only @val64 is written back.
 */
struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};

#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/**
 * enum iommufd_vfio_ioas_op - operations for IOMMU_VFIO_IOAS
 * @IOMMU_VFIO_IOAS_GET: return the compatibility IOAS in ioas_id
 * @IOMMU_VFIO_IOAS_SET: make ioas_id the compatibility IOAS
 * @IOMMU_VFIO_IOAS_CLEAR: unset the compatibility IOAS
 */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/**
 * struct iommu_vfio_ioas - ioctl(IOMMU_VFIO_IOAS)
 * @size: sizeof(struct iommu_vfio_ioas)
 * @ioas_id: input for IOMMU_VFIO_IOAS_SET, output for IOMMU_VFIO_IOAS_GET
 * @op: one of enum iommufd_vfio_ioas_op
 * @__reserved: must be 0
 *
 * Manages the IOAS that the VFIO type1 compatibility ioctls operate on.
 * GET without a compatibility IOAS gives ENODEV. SET does not take a
 * reference: destroying that IOAS simply clears the setting.
 */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};

#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/**
 * enum iommufd_hwpt_alloc_flags - flags for IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_ALLOC_NEST_PARENT: the HW page table may later be the parent
 *                                of nested HW page tables
 * @IOMMU_HWPT_ALLOC_DIRTY_TRACKING: the HW page table supports dirty
 *                                   tracking
 * @IOMMU_HWPT_FAULT_ID_VALID: fault_id is valid; I/O page faults are
 *                             delivered to that fault queue
 */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
};

/**
 * enum iommu_hwpt_vtd_s1_flags - flags of struct iommu_hwpt_vtd_s1
 * @IOMMU_VTD_S1_SRE: supervisor requests allowed
 * @IOMMU_VTD_S1_EAFE: extended access flag enabled
 * @IOMMU_VTD_S1_WPE: write protect enabled
 */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE = 1 << 2,
};

/**
 * struct iommu_hwpt_vtd_s1 - Intel VT-d stage-1 page table description
 *                            (IOMMU_HWPT_DATA_VTD_S1)
 * @flags: combination of enum iommu_hwpt_vtd_s1_flags
 * @pgtbl_addr: guest physical address of the stage-1 page table
 * @addr_width: input address width of the stage-1 page table
 * @__reserved: must be 0
 */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/**
 * enum iommu_hwpt_data_type - driver specific data for IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_DATA_NONE: no data; allocates a paging HW page table
 * @IOMMU_HWPT_DATA_VTD_S1: struct iommu_hwpt_vtd_s1
 */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
};

/**
 * struct iommu_hwpt_alloc - ioctl(IOMMU_HWPT_ALLOC)
 * @size: sizeof(struct iommu_hwpt_alloc)
 * @flags: combination of enum iommufd_hwpt_alloc_flags
 * @dev_id: DEVICE object whose IOMMU driver allocates the page table; the
 *          device is not attached
 * @pt_id: IOAS (creates a paging HW page table that follows the IOAS
 *         mappings) or paging HW page table (creates a nested HW page table
 *         with it as parent)
 * @out_hwpt_id: output, ID of the new HW page table
 * @__reserved: must be 0
 * @data_type: one of enum iommu_hwpt_data_type
 * @data_len: length of the driver data at @data_uptr
 * @data_uptr: user pointer to the driver specific data
 * @fault_id: FAULT object, used when IOMMU_HWPT_FAULT_ID_VALID is set
 * @__reserved2: padding; pass 0
 *
 * Creates a HW page table that is never reused by automatic domain
 * selection and never destroyed automatically. The minimum size is 24
 * (up to @__reserved); later fields then read as zero.
 *
 * A @data_len that does not match @data_type (non-zero with NONE or zero
 * otherwise) gives EINVAL, an unknown @pt_id also EINVAL, an unknown
 * @dev_id or @fault_id ENOENT. Unsupported flags or data give EOPNOTSUPP.
 * The new object keeps its IOAS or parent busy (EBUSY on destroy).
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};

#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/**
 * enum iommu_hw_info_vtd_flags - flags of struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: the IOMMU has the erratum that
 *	makes a stage-2 read-only mapping unusable for nested translation
 */
enum iommu_hw_info_vtd_flags {
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/**
 * struct iommu_hw_info_vtd - Intel VT-d data of IOMMU_GET_HW_INFO
 *			      (IOMMU_HW_INFO_TYPE_INTEL_VTD)
 * @flags: enum iommu_hw_info_vtd_flags
 * @__reserved: 0
 * @cap_reg: the IOMMU's Capability Register
 * @ecap_reg: the IOMMU's Extended Capability Register
 */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

/**
 * enum iommu_hw_info_type - type of the data returned by IOMMU_GET_HW_INFO
 * @IOMMU_HW_INFO_TYPE_NONE: the IOMMU driver reports no data
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: Intel VT-d register information
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
};

/**
 * enum iommufd_hw_capabilities - generic IOMMU capabilities of a device
 * @IOMMU_HW_CAP_DIRTY_TRACKING: the IOMMU can track DMA writes (dirty bits)
 * @IOMMU_HW_CAP_PCI_PASID_EXEC: the device's PASID support allows execute
 *                               permission requests
 * @IOMMU_HW_CAP_PCI_PASID_PRIV: the device's PASID support allows
 *                               privileged mode requests
 */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

/**
 * struct iommu_hw_info - ioctl(IOMMU_GET_HW_INFO)
 * @size: sizeof(struct iommu_hw_info)
 * @flags: must be 0
 * @dev_id: DEVICE object to query
 * @data_len: input, length of the user buffer at @data_uptr; output,
 *            length of the data the IOMMU driver provides
 * @data_uptr: user buffer receiving the driver specific data
 * @out_data_type: output, one of enum iommu_hw_info_type
 * @out_max_pasid_log2: output, log2 of the number of PASIDs the device
 *                      supports; 0 means no PASID support
 * @__reserved: must be 0
 * @out_capabilities: output, combination of enum iommufd_hw_capabilities
 *
 * Reports information about the IOMMU behind a device. At most @data_len
 * bytes are written to @data_uptr; if the buffer is larger than the data
 * the remainder of the buffer is cleared. A @data_len of 0 is valid with
 * any pointer. The minimum size is 32 (up to @__reserved).
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 out_data_type;
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};

#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/**
 * enum iommufd_hwpt_set_dirty_tracking_flags - flags for
 *                                              IOMMU_HWPT_SET_DIRTY_TRACKING
 * @IOMMU_HWPT_DIRTY_TRACKING_ENABLE: enable dirty tracking; without it,
 *                                    tracking is disabled
 */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

/**
 * struct iommu_hwpt_set_dirty_tracking - ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING)
 * @size: sizeof(struct iommu_hwpt_set_dirty_tracking)
 * @flags: combination of enum iommufd_hwpt_set_dirty_tracking_flags
 * @hwpt_id: paging HW page table
 * @__reserved: pass 0
 *
 * Enables or disables dirty tracking. Enabling first clears the dirty
 * state of every mapped IOVA. A HW page table without dirty tracking
 * support gives EOPNOTSUPP.
 */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};

#define IOMMU_HWPT_SET_DIRTY_TRACKING \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/**
 * enum iommufd_hwpt_get_dirty_bitmap_flags - flags for
 *                                            IOMMU_HWPT_GET_DIRTY_BITMAP
 * @IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR: report the dirty state without
 *                                        clearing it
 */
enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/**
 * struct iommu_hwpt_get_dirty_bitmap - ioctl(IOMMU_HWPT_GET_DIRTY_BITMAP)
 * @size: sizeof(struct iommu_hwpt_get_dirty_bitmap)
 * @hwpt_id: paging HW page table
 * @flags: combination of enum iommufd_hwpt_get_dirty_bitmap_flags
 * @__reserved: must be 0
 * @iova: first IOVA of the range, represented by bit 0
 * @length: number of bytes of IOVA to report
 * @page_size: IOVA bytes represented by one bit, a power of two
 * @data: user pointer to the bitmap
 *
 * Reads, and unless NO_CLEAR also clears, the dirty state of the range.
 * Bit n stands for [@iova + n * @page_size, @iova + (n + 1) * @page_size)
 * and is bit n % 64 of the little endian 64 bit word n / 64. The kernel
 * only sets bits, so the caller clears the bitmap first. A zero @length or
 * @page_size, or a range not aligned to @page_size or to the IOAS
 * alignment, gives EINVAL.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};

#define IOMMU_HWPT_GET_DIRTY_BITMAP \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/**
 * enum iommu_hwpt_invalidate_data_type - request types for
 *                                        IOMMU_HWPT_INVALIDATE
 * @IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: struct iommu_hwpt_vtd_s1_invalidate
 */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
};

/**
 * enum iommu_hwpt_vtd_s1_invalidate_flags - flags of
 *                                           struct iommu_hwpt_vtd_s1_invalidate
 * @IOMMU_VTD_INV_FLAGS_LEAF: only leaf entries need to be invalidated
 */
enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

/**
 * struct iommu_hwpt_vtd_s1_invalidate - Intel VT-d stage-1 cache
 *                                       invalidation request
 * @addr: first address to invalidate, 4 KiB aligned
 * @npages: number of 4 KiB pages; @addr 0 with @npages U64_MAX means all
 * @flags: combination of enum iommu_hwpt_vtd_s1_invalidate_flags
 * @__reserved: must be 0
 */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct iommu_hwpt_invalidate - ioctl(IOMMU_HWPT_INVALIDATE)
 * @size: sizeof(struct iommu_hwpt_invalidate)
 * @hwpt_id: nested HW page table
 * @data_uptr: user pointer to an array of driver specific requests
 * @data_type: one of enum iommu_hwpt_invalidate_data_type
 * @entry_len: size in bytes of one array entry
 * @entry_num: input, number of entries; output, number of entries handled
 * @__reserved: must be 0
 *
 * Hands cache invalidation requests to the IOMMU driver of a nested HW
 * page table. Entries are processed in order up to the first failure. The
 * structure is always written back so that @entry_num tells how many
 * entries completed. Entries without a buffer, or an @entry_len the driver
 * does not accept, give EINVAL; a HW page table that is not nested gives
 * ENOENT. @entry_num 0 may be used to probe @data_type.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};

#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/**
 * enum iommu_hwpt_pgfault_flags - flags of struct iommu_hwpt_pgfault
 * @IOMMU_PGFAULT_FLAGS_PASID_VALID: the pasid field is valid
 * @IOMMU_PGFAULT_FLAGS_LAST_PAGE: last fault record of its group
 */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0,
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = 1 << 1,
};

/**
 * enum iommu_hwpt_pgfault_perm - access requested by a faulting device
 * @IOMMU_PGFAULT_PERM_READ: read access
 * @IOMMU_PGFAULT_PERM_WRITE: write access
 * @IOMMU_PGFAULT_PERM_EXEC: execute access
 * @IOMMU_PGFAULT_PERM_PRIV: privileged mode access
 */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = 1 << 0,
	IOMMU_PGFAULT_PERM_WRITE = 1 << 1,
	IOMMU_PGFAULT_PERM_EXEC = 1 << 2,
	IOMMU_PGFAULT_PERM_PRIV = 1 << 3,
};

/**
 * struct iommu_hwpt_pgfault - I/O page fault record read from a fault fd
 * @flags: combination of enum iommu_hwpt_pgfault_flags
 * @dev_id: DEVICE object that raised the fault
 * @pasid: PASID of the request, valid with IOMMU_PGFAULT_FLAGS_PASID_VALID
 * @grpid: page request group index
 * @perm: combination of enum iommu_hwpt_pgfault_perm
 * @__reserved: always 0
 * @addr: faulting address
 * @length: size hint of the access; currently always 0
 * @cookie: identifies the group; echoed in struct iommu_hwpt_page_response
 *
 * read() on the fault fd returns whole groups of these records; all records
 * of one group share a cookie and the last one has
 * IOMMU_PGFAULT_FLAGS_LAST_PAGE set.
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

/**
 * enum iommufd_page_response_code - result codes of a page response
 * @IOMMUFD_PAGE_RESP_SUCCESS: the fault was handled; the device may retry
 * @IOMMUFD_PAGE_RESP_INVALID: the fault could not be handled
 */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/**
 * struct iommu_hwpt_page_response - response written to a fault fd
 * @cookie: cookie of the fault group being completed
 * @code: one of enum iommufd_page_response_code
 *
 * A write() of an unknown code or a cookie that is not awaiting a response
 * fails with EINVAL.
 */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/**
 * struct iommu_fault_alloc - ioctl(IOMMU_FAULT_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_fault_alloc)
 * @flags: must be 0
 * @out_fault_id: output, ID of the new FAULT object
 * @out_fault_fd: output, file descriptor (O_CLOEXEC) of the fault queue
 *
 * Creates a fault queue that can be attached to HW page tables through
 * IOMMU_HWPT_ALLOC with IOMMU_HWPT_FAULT_ID_VALID. Faults are read from
 * the fd as struct iommu_hwpt_pgfault and answered by writing struct
 * iommu_hwpt_page_response. While the fd is open the FAULT object cannot
 * be destroyed (EBUSY).
 */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};

#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

#endif
