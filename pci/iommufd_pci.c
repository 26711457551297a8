// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd_pci.ko: PCI devices for userspace drivers, their DMA managed
 * through /dev/iommu (the ABI is include/uapi/linux/iommufd_pci.h).
 *
 * The driver binds to no device by itself; the administrator hands it one:
 *
 *   echo iommufd_pci > /sys/bus/pci/devices/0000:00:03.0/driver_override
 *   echo 0000:00:03.0 > /sys/bus/pci/drivers_probe
 *
 * and /dev/iommufd-pci/0000:00:03.0 appears. It uses only the exported
 * in-kernel API of iommufd.ko (namespace IOMMUFD), as VFIO does upstream:
 * iommufd_ctx_from_fd(), iommufd_device_bind(), _attach(), _replace(),
 * _detach() and _unbind(). driver_managed_dma tells the driver core not to
 * put the device on the DMA API's domain, so iommufd can claim the group.
 *
 * Lifetime: struct ipci_dev lives as long as its char device's struct device
 * is referenced: by the driver from probe to remove and by the open file
 * (which BAR mappings hold). ipci->lock serialises the ioctls, open, release
 * and remove(); remove() marks the device removed, unbinds it from its
 * iommufd and revokes BAR mappings, and the open file then fails every call
 * with -ENODEV until it is closed.
 *
 * BARs are mapped one page per fault, under ipci->mem_lock, never under
 * ipci->lock: the mmap and fault paths run under the caller's mmap_lock,
 * which ioctls take inside ipci->lock (user copies, pinning on attach).
 * remove() sets bars_revoked under mem_lock and then zaps the mappings, so
 * no mapping can survive it, not even one being set up concurrently.
 *
 * DMA: bus mastering is off except while the device is bound to an iommufd
 * (whose domains then decide where DMA goes); INTx is disabled, since
 * nothing here handles it.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/iommufd.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/iommufd_pci.h>

#include "compat.h"
#include "version.h"

#define IPCI_NAME "iommufd_pci"
#define IPCI_MINORS 256
#define IPCI_REGION_SHIFT 40

struct ipci_dev {
	struct device dev;		/* of the char device */
	struct cdev cdev;
	struct pci_dev *pdev;
	/* Protects everything below */
	struct mutex lock;
	bool removed;
	bool open;
	/* Of the open file: BAR mappings are revoked through it */
	struct address_space *mapping;
	/* Protects bars_revoked; never held while taking mmap_lock */
	struct rw_semaphore mem_lock;
	bool bars_revoked;
	struct iommufd_device *idev;
	u32 devid;
	u32 pt_id;			/* 0 while not attached */
};

static dev_t ipci_devt;
static DEFINE_IDA(ipci_minors);
static struct class ipci_class = {
	.name = "iommufd-pci",
};

/* Detach (DMA blocked) and leave the iommufd; DMA mastering stops first */
static void ipci_unbind_locked(struct ipci_dev *ipci)
{
	lockdep_assert_held(&ipci->lock);

	if (!ipci->idev)
		return;
	pci_clear_master(ipci->pdev);
	if (ipci->pt_id)
		iommufd_device_detach(ipci->idev);
	ipci->pt_id = 0;
	iommufd_device_unbind(ipci->idev);
	ipci->idev = NULL;
	ipci->devid = 0;
}

/*
 * Read the argument of an ioctl: argsz at least @minsz (else -EINVAL), the
 * first @minsz bytes into @cmd, flags (the second __u32) zero unless
 * @out_flags (then they are an output and ignored on input).
 */
static int ipci_get_arg(void *cmd, size_t minsz, unsigned long arg,
			bool out_flags)
{
	u32 *words = cmd;

	if (copy_from_user(cmd, (void __user *)arg, minsz))
		return -EFAULT;
	if (words[0] < minsz)
		return -EINVAL;
	if (!out_flags && words[1])
		return -EINVAL;
	return 0;
}

/* Write back what both sides know: min(argsz, @size) bytes */
static int ipci_put_arg(unsigned long arg, void *cmd, size_t size)
{
	u32 argsz = *(u32 *)cmd;

	if (copy_to_user((void __user *)arg, cmd, min_t(size_t, argsz, size)))
		return -EFAULT;
	return 0;
}

static int ipci_bind(struct ipci_dev *ipci, unsigned long arg)
{
	struct iommufd_pci_bind_iommufd cmd;
	struct iommufd_device *idev;
	struct iommufd_ctx *ictx;
	u32 devid;
	int rc;

	rc = ipci_get_arg(&cmd, sizeof(cmd), arg, false);
	if (rc)
		return rc;
	if (ipci->idev)
		return -EBUSY;

	ictx = iommufd_ctx_from_fd(cmd.iommufd);
	if (IS_ERR(ictx))
		return PTR_ERR(ictx);
	/* The device holds the context while bound */
	idev = iommufd_device_bind(ictx, &ipci->pdev->dev, &devid);
	iommufd_ctx_put(ictx);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	ipci->idev = idev;
	ipci->devid = devid;

	cmd.out_devid = devid;
	rc = ipci_put_arg(arg, &cmd, sizeof(cmd));
	if (rc) {
		ipci_unbind_locked(ipci);
		return rc;
	}
	/* DMA now goes through the iommufd's domains, blocked until attach */
	pci_set_master(ipci->pdev);
	return 0;
}

static int ipci_unbind(struct ipci_dev *ipci, unsigned long arg)
{
	struct iommufd_pci_unbind_iommufd cmd;
	int rc;

	rc = ipci_get_arg(&cmd, sizeof(cmd), arg, false);
	if (rc)
		return rc;
	if (!ipci->idev)
		return -EINVAL;
	ipci_unbind_locked(ipci);
	return 0;
}

static int ipci_attach(struct ipci_dev *ipci, unsigned long arg)
{
	struct iommufd_pci_attach_pt cmd;
	u32 pt_id;
	int rc;

	rc = ipci_get_arg(&cmd, sizeof(cmd), arg, false);
	if (rc)
		return rc;
	if (!ipci->idev)
		return -EINVAL;

	pt_id = cmd.pt_id;
	if (ipci->pt_id)
		rc = iommufd_device_replace(ipci->idev, &pt_id);
	else
		rc = iommufd_device_attach(ipci->idev, &pt_id);
	if (rc)
		return rc;
	ipci->pt_id = pt_id;
	cmd.pt_id = pt_id;
	/* Attached all the same: userspace can read it with GET_INFO */
	return ipci_put_arg(arg, &cmd, sizeof(cmd));
}

static int ipci_detach(struct ipci_dev *ipci, unsigned long arg)
{
	struct iommufd_pci_detach_pt cmd;
	int rc;

	rc = ipci_get_arg(&cmd, sizeof(cmd), arg, false);
	if (rc)
		return rc;
	if (!ipci->pt_id)
		return -EINVAL;
	iommufd_device_detach(ipci->idev);
	ipci->pt_id = 0;
	return 0;
}

static int ipci_get_info(struct ipci_dev *ipci, unsigned long arg)
{
	struct iommufd_pci_info cmd;
	struct pci_dev *pdev = ipci->pdev;
	int rc;

	rc = ipci_get_arg(&cmd, sizeof(cmd), arg, false);
	if (rc)
		return rc;
	cmd.vendor = pdev->vendor;
	cmd.device = pdev->device;
	cmd.subsystem_vendor = pdev->subsystem_vendor;
	cmd.subsystem_device = pdev->subsystem_device;
	cmd.class = pdev->class;
	cmd.num_regions = PCI_STD_NUM_BARS;
	cmd.out_devid = ipci->devid;
	cmd.out_pt_id = ipci->pt_id;
	return ipci_put_arg(arg, &cmd, sizeof(cmd));
}

static int ipci_get_region_info(struct ipci_dev *ipci, unsigned long arg)
{
	struct iommufd_pci_region_info cmd;
	struct pci_dev *pdev = ipci->pdev;
	unsigned long res_flags;
	int rc;

	rc = ipci_get_arg(&cmd, sizeof(cmd), arg, true);
	if (rc)
		return rc;
	if (cmd.index >= PCI_STD_NUM_BARS || cmd.__reserved)
		return -EINVAL;

	res_flags = pci_resource_flags(pdev, cmd.index);
	cmd.flags = 0;
	cmd.size = pci_resource_len(pdev, cmd.index);
	cmd.offset = (u64)cmd.index << IPCI_REGION_SHIFT;
	if (res_flags & IORESOURCE_MEM) {
		cmd.flags |= IOMMUFD_PCI_REGION_MMIO;
		/* Only whole pages: a smaller BAR would expose its neighbours */
		if (PAGE_ALIGNED(pci_resource_start(pdev, cmd.index)) &&
		    PAGE_ALIGNED(cmd.size))
			cmd.flags |= IOMMUFD_PCI_REGION_MMAP;
	}
	return ipci_put_arg(arg, &cmd, sizeof(cmd));
}

static long ipci_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct ipci_dev *ipci = filp->private_data;
	long rc;

	mutex_lock(&ipci->lock);
	if (ipci->removed) {
		rc = -ENODEV;
		goto out_unlock;
	}
	switch (cmd) {
	case IOMMUFD_PCI_GET_INFO:
		rc = ipci_get_info(ipci, arg);
		break;
	case IOMMUFD_PCI_GET_REGION_INFO:
		rc = ipci_get_region_info(ipci, arg);
		break;
	case IOMMUFD_PCI_BIND_IOMMUFD:
		rc = ipci_bind(ipci, arg);
		break;
	case IOMMUFD_PCI_UNBIND_IOMMUFD:
		rc = ipci_unbind(ipci, arg);
		break;
	case IOMMUFD_PCI_ATTACH_PT:
		rc = ipci_attach(ipci, arg);
		break;
	case IOMMUFD_PCI_DETACH_PT:
		rc = ipci_detach(ipci, arg);
		break;
	default:
		rc = -ENOTTY;
		break;
	}
out_unlock:
	mutex_unlock(&ipci->lock);
	return rc;
}

static unsigned long ipci_vma_bar(struct vm_area_struct *vma)
{
	return vma->vm_pgoff >> (IPCI_REGION_SHIFT - PAGE_SHIFT);
}

/* Page offset of the VMA's start in its BAR */
static unsigned long ipci_vma_pgoff(struct vm_area_struct *vma)
{
	return vma->vm_pgoff &
	       ((1UL << (IPCI_REGION_SHIFT - PAGE_SHIFT)) - 1);
}

/* One page of a BAR, unless remove() revoked them */
static vm_fault_t ipci_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct ipci_dev *ipci = vma->vm_private_data;
	unsigned long pfn;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	pfn = (pci_resource_start(ipci->pdev, ipci_vma_bar(vma)) >>
	       PAGE_SHIFT) + ipci_vma_pgoff(vma) +
	      ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	down_read(&ipci->mem_lock);
	if (!ipci->bars_revoked)
		ret = vmf_insert_pfn(vma, vmf->address, pfn);
	up_read(&ipci->mem_lock);
	return ret;
}

static const struct vm_operations_struct ipci_vm_ops = {
	.fault = ipci_fault,
};

/* A BAR, uncached, filled in by faults; remove() revokes it */
static int ipci_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct ipci_dev *ipci = filp->private_data;
	unsigned long index = ipci_vma_bar(vma);
	unsigned long pgoff = ipci_vma_pgoff(vma), bar_pages;
	struct pci_dev *pdev = ipci->pdev;
	int rc = 0;

	/* The caller holds mmap_lock: not ipci->lock here (see the top) */
	down_read(&ipci->mem_lock);
	if (ipci->bars_revoked) {
		rc = -ENODEV;
		goto out_unlock;
	}
	if (index >= PCI_STD_NUM_BARS ||
	    !(pci_resource_flags(pdev, index) & IORESOURCE_MEM) ||
	    !PAGE_ALIGNED(pci_resource_start(pdev, index)) ||
	    !PAGE_ALIGNED(pci_resource_len(pdev, index)) ||
	    !(vma->vm_flags & VM_MAYSHARE)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	bar_pages = pci_resource_len(pdev, index) >> PAGE_SHIFT;
	if (pgoff >= bar_pages || vma_pages(vma) > bar_pages - pgoff) {
		rc = -EINVAL;
		goto out_unlock;
	}

	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	iommufd_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				  VM_DONTDUMP);
	vma->vm_private_data = ipci;
	vma->vm_ops = &ipci_vm_ops;
out_unlock:
	up_read(&ipci->mem_lock);
	return rc;
}

static int ipci_open(struct inode *inode, struct file *filp)
{
	struct ipci_dev *ipci = container_of(inode->i_cdev, struct ipci_dev,
					     cdev);
	int rc = 0;

	mutex_lock(&ipci->lock);
	if (ipci->removed)
		rc = -ENODEV;
	else if (ipci->open)
		rc = -EBUSY;
	if (!rc) {
		ipci->open = true;
		ipci->mapping = filp->f_mapping;
		get_device(&ipci->dev);
		filp->private_data = ipci;
	}
	mutex_unlock(&ipci->lock);
	return rc;
}

static int ipci_release(struct inode *inode, struct file *filp)
{
	struct ipci_dev *ipci = filp->private_data;

	mutex_lock(&ipci->lock);
	ipci_unbind_locked(ipci);
	ipci->open = false;
	ipci->mapping = NULL;
	/* The next user gets a device without this one's state, if it can */
	if (!ipci->removed)
		pci_try_reset_function(ipci->pdev);
	mutex_unlock(&ipci->lock);
	put_device(&ipci->dev);
	return 0;
}

static const struct file_operations ipci_fops = {
	.owner = THIS_MODULE,
	.open = ipci_open,
	.release = ipci_release,
	.unlocked_ioctl = ipci_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = ipci_mmap,
};

static void ipci_dev_release(struct device *dev)
{
	struct ipci_dev *ipci = container_of(dev, struct ipci_dev, dev);

	ida_free(&ipci_minors, MINOR(dev->devt));
	mutex_destroy(&ipci->lock);
	pci_dev_put(ipci->pdev);
	kfree(ipci);
}

static int ipci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ipci_dev *ipci;
	int minor, rc;

	/* Endpoints only: a bridge's DMA would be its children's */
	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return -EINVAL;
	rc = pci_enable_device(pdev);
	if (rc)
		return rc;
	/* No DMA until an iommufd is in charge, no INTx nobody handles */
	pci_clear_master(pdev);
	pci_intx(pdev, 0);
	rc = pci_request_regions(pdev, IPCI_NAME);
	if (rc)
		goto out_disable;

	minor = ida_alloc_max(&ipci_minors, IPCI_MINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		rc = minor;
		goto out_release;
	}
	ipci = kzalloc(sizeof(*ipci), GFP_KERNEL);
	if (!ipci) {
		ida_free(&ipci_minors, minor);
		rc = -ENOMEM;
		goto out_release;
	}
	mutex_init(&ipci->lock);
	init_rwsem(&ipci->mem_lock);
	ipci->pdev = pci_dev_get(pdev);

	device_initialize(&ipci->dev);
	ipci->dev.class = &ipci_class;
	ipci->dev.parent = &pdev->dev;
	ipci->dev.devt = MKDEV(MAJOR(ipci_devt), minor);
	ipci->dev.release = ipci_dev_release;
	/* '!' becomes '/': the node is /dev/iommufd-pci/<BDF> */
	rc = dev_set_name(&ipci->dev, "iommufd-pci!%s", pci_name(pdev));
	if (rc)
		goto out_put;
	cdev_init(&ipci->cdev, &ipci_fops);
	ipci->cdev.owner = THIS_MODULE;
	rc = cdev_device_add(&ipci->cdev, &ipci->dev);
	if (rc)
		goto out_put;
	pci_set_drvdata(pdev, ipci);
	return 0;

out_put:
	/* Frees ipci and its minor */
	put_device(&ipci->dev);
out_release:
	pci_release_regions(pdev);
out_disable:
	pci_disable_device(pdev);
	return rc;
}

static void ipci_remove(struct pci_dev *pdev)
{
	struct ipci_dev *ipci = pci_get_drvdata(pdev);

	cdev_device_del(&ipci->cdev, &ipci->dev);

	mutex_lock(&ipci->lock);
	ipci->removed = true;
	ipci_unbind_locked(ipci);
	/* Userspace loses the BARs: later accesses fault (SIGBUS) */
	down_write(&ipci->mem_lock);
	ipci->bars_revoked = true;
	if (ipci->mapping)
		unmap_mapping_range(ipci->mapping, 0, 0, true);
	up_write(&ipci->mem_lock);
	mutex_unlock(&ipci->lock);

	pci_release_regions(pdev);
	pci_disable_device(pdev);
	put_device(&ipci->dev);
}

static struct pci_driver ipci_driver = {
	.name = IPCI_NAME,
	/* No ID table: devices come through driver_override only */
	.probe = ipci_probe,
	.remove = ipci_remove,
	/* DMA is iommufd's, not the DMA API's */
	.driver_managed_dma = true,
};

static int __init ipci_init(void)
{
	int rc;

	rc = alloc_chrdev_region(&ipci_devt, 0, IPCI_MINORS, IPCI_NAME);
	if (rc)
		return rc;
	rc = class_register(&ipci_class);
	if (rc)
		goto out_chrdev;
	rc = pci_register_driver(&ipci_driver);
	if (rc)
		goto out_class;
	return 0;

out_class:
	class_unregister(&ipci_class);
out_chrdev:
	unregister_chrdev_region(ipci_devt, IPCI_MINORS);
	return rc;
}

static void __exit ipci_exit(void)
{
	pci_unregister_driver(&ipci_driver);
	class_unregister(&ipci_class);
	unregister_chrdev_region(ipci_devt, IPCI_MINORS);
}

module_init(ipci_init);
module_exit(ipci_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PCI devices for userspace drivers, DMA through /dev/iommu");
MODULE_VERSION(IOMMUFD_VERSION);
MODULE_IMPORT_NS(IOMMUFD_NS);
