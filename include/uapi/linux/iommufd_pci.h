/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * iommufd_pci.ko: a PCI device as a userspace driver sees it, with its DMA
 * managed through /dev/iommu. It plays the role VFIO's device cdev plays
 * upstream, in the same shape, for kernels without VFIO's iommufd support.
 *
 * A PCI device bound to the iommufd_pci driver (through driver_override)
 * gets a character device /dev/iommufd-pci/<domain:bus:dev.fn>, opened by
 * one process at a time. On it:
 *
 *   IOMMUFD_PCI_BIND_IOMMUFD    hand over an iommufd; the device joins that
 *                               context as a DEVICE object (out_devid) and
 *                               its DMA is blocked until attached
 *   IOMMUFD_PCI_ATTACH_PT       attach (or, when attached, move) the device
 *                               to an IOAS or HW page table of the iommufd
 *   IOMMUFD_PCI_DETACH_PT       detach: DMA blocked again
 *   IOMMUFD_PCI_UNBIND_IOMMUFD  leave the context (closing the fd does it too)
 *   IOMMUFD_PCI_GET_INFO        IDs and number of regions
 *   IOMMUFD_PCI_GET_REGION_INFO size, flags and mmap offset of a BAR
 *   mmap()                      a BAR at its region's offset
 *
 * Every ioctl takes a struct whose first __u32 is argsz, the size userspace
 * knows, and whose second is flags: argsz below the struct's first version
 * is EINVAL, unknown flags are EINVAL, and a larger argsz is accepted (the
 * kernel reads and writes only what it knows), so the structs can grow at
 * the end as VFIO's do. Errors are negative errnos.
 *
 * Bus mastering is off unless the device is bound; detaching blocks DMA
 * through the IOMMU (once no other device of its IOMMU group is attached);
 * unbinding clears bus mastering, and closing resets the function when it
 * supports a reset. Removing the device or unbinding the
 * driver while it is open detaches and unbinds it, revokes BAR mappings
 * (later accesses get SIGBUS) and makes every further call fail with ENODEV.
 */
#ifndef _UAPI_IOMMUFD_PCI_H
#define _UAPI_IOMMUFD_PCI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOMMUFD_PCI_TYPE ';'
#define IOMMUFD_PCI_BASE 0xc0

/**
 * struct iommufd_pci_info - ioctl(IOMMUFD_PCI_GET_INFO)
 * @argsz: sizeof(struct iommufd_pci_info)
 * @flags: must be 0
 * @vendor: out: PCI vendor ID
 * @device: out: PCI device ID
 * @subsystem_vendor: out
 * @subsystem_device: out
 * @class: out: PCI class code (24 bits)
 * @num_regions: out: number of regions (the six BARs)
 * @out_devid: out: the DEVICE object ID while bound to an iommufd, else 0
 * @out_pt_id: out: the HW page table attached to while attached, else 0
 */
struct iommufd_pci_info {
	__u32 argsz;
	__u32 flags;
	__u16 vendor;
	__u16 device;
	__u16 subsystem_vendor;
	__u16 subsystem_device;
	__u32 class;
	__u32 num_regions;
	__u32 out_devid;
	__u32 out_pt_id;
};

#define IOMMUFD_PCI_GET_INFO _IO(IOMMUFD_PCI_TYPE, IOMMUFD_PCI_BASE + 0)

/**
 * struct iommufd_pci_region_info - ioctl(IOMMUFD_PCI_GET_REGION_INFO)
 * @argsz: sizeof(struct iommufd_pci_region_info)
 * @flags: out: IOMMUFD_PCI_REGION_*; 0 for a BAR the device does not have
 * @index: in: the BAR, 0..5
 * @__reserved: must be 0
 * @size: out: bytes
 * @offset: out: the mmap() offset of the region
 */
struct iommufd_pci_region_info {
	__u32 argsz;
	__u32 flags;
#define IOMMUFD_PCI_REGION_MMIO (1 << 0)	/* memory BAR */
#define IOMMUFD_PCI_REGION_MMAP (1 << 1)	/* can be mmap()ed */
	__u32 index;
	__u32 __reserved;
	__aligned_u64 size;
	__aligned_u64 offset;
};

#define IOMMUFD_PCI_GET_REGION_INFO _IO(IOMMUFD_PCI_TYPE, IOMMUFD_PCI_BASE + 1)

/**
 * struct iommufd_pci_bind_iommufd - ioctl(IOMMUFD_PCI_BIND_IOMMUFD)
 * @argsz: sizeof(struct iommufd_pci_bind_iommufd)
 * @flags: must be 0
 * @iommufd: in: an open /dev/iommu file descriptor
 * @out_devid: out: the DEVICE object ID in that context
 *
 * Errors: EBADF / EBADFD for a bad iommufd, EBUSY if already bound or if
 * the device's IOMMU group is used by a kernel driver or another context,
 * EPERM if its interrupts cannot be isolated, EINVAL without an IOMMU (or
 * one that cannot keep DMA cache coherent).
 */
struct iommufd_pci_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};

#define IOMMUFD_PCI_BIND_IOMMUFD _IO(IOMMUFD_PCI_TYPE, IOMMUFD_PCI_BASE + 2)

/**
 * struct iommufd_pci_unbind_iommufd - ioctl(IOMMUFD_PCI_UNBIND_IOMMUFD)
 * @argsz: sizeof(struct iommufd_pci_unbind_iommufd)
 * @flags: must be 0
 *
 * Detaches first if attached. Errors: EINVAL if not bound.
 */
struct iommufd_pci_unbind_iommufd {
	__u32 argsz;
	__u32 flags;
};

#define IOMMUFD_PCI_UNBIND_IOMMUFD _IO(IOMMUFD_PCI_TYPE, IOMMUFD_PCI_BASE + 3)

/**
 * struct iommufd_pci_attach_pt - ioctl(IOMMUFD_PCI_ATTACH_PT)
 * @argsz: sizeof(struct iommufd_pci_attach_pt)
 * @flags: must be 0
 * @pt_id: in: an IOAS or HW page table ID of the bound iommufd; out: the HW
 *	   page table the device is now attached to
 *
 * When already attached, the device moves (IOMMU_HWPT replace semantics).
 * Errors: EINVAL if not bound or for an unusable target, ENOENT for an
 * unknown ID, EADDRINUSE if the device's reserved IOVA (e.g. the MSI
 * window) is mapped in the IOAS.
 */
struct iommufd_pci_attach_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};

#define IOMMUFD_PCI_ATTACH_PT _IO(IOMMUFD_PCI_TYPE, IOMMUFD_PCI_BASE + 4)

/**
 * struct iommufd_pci_detach_pt - ioctl(IOMMUFD_PCI_DETACH_PT)
 * @argsz: sizeof(struct iommufd_pci_detach_pt)
 * @flags: must be 0
 *
 * Errors: EINVAL if not attached.
 */
struct iommufd_pci_detach_pt {
	__u32 argsz;
	__u32 flags;
};

#define IOMMUFD_PCI_DETACH_PT _IO(IOMMUFD_PCI_TYPE, IOMMUFD_PCI_BASE + 5)

/* mmap() offset of region (BAR) @index */
#define IOMMUFD_PCI_REGION_OFFSET(index) ((__u64)(index) << 40)

#endif
