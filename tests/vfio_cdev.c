// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFIO device cdev over our iommufd: Debian's VFIO, rebuilt with
 * iommufd support, on QEMU's edu devices bound to vfio-pci.
 *
 * Usage: vfio_cdev BDF...
 */
#include <dirent.h>
#include <linux/vfio.h>
#include <stdint.h>

#include "utils.h"

/* /dev/vfio/devices/vfioN of a PCI device, opened */
static int open_cdev(const char *bdf)
{
	char path[128], dev[300];
	struct dirent *d;
	DIR *dir;
	int fd = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "vfio", 4))
			continue;
		snprintf(dev, sizeof(dev), "/dev/vfio/devices/%s", d->d_name);
		fd = open(dev, O_RDWR);
		break;
	}
	closedir(dir);
	return fd;
}

static int bind_iommufd(int dev, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	int rc = ioctl_err(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind);

	if (!rc)
		*devid = bind.out_devid;
	return rc;
}

static int attach_pt(int dev, uint32_t *pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = *pt_id,
	};
	int rc = ioctl_err(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);

	if (!rc)
		*pt_id = attach.pt_id;
	return rc;
}

static int detach_pt(int dev)
{
	struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };

	return ioctl_err(dev, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
}

int main(int argc, char **argv)
{
	uint32_t devid = 0, ioas, pt;
	int fd, dev;

	if (argc < 2)
		tap_bail("usage: vfio_cdev BDF...");
	fd = open_iommufd();
	dev = open_cdev(argv[1]);
	ok(dev >= 0, "open the cdev of %s", argv[1]);
	ok_errno(bind_iommufd(dev, fd, &devid), 0, "VFIO_DEVICE_BIND_IOMMUFD");
	ok(devid != 0, "a DEVICE object ID (%u)", devid);
	ok_errno(ioas_alloc(fd, &ioas), 0, "IOAS_ALLOC");
	pt = ioas;
	ok_errno(attach_pt(dev, &pt), 0, "VFIO_DEVICE_ATTACH_IOMMUFD_PT to the IOAS");
	ok(pt != ioas && pt != 0, "an automatic HWPT (%u)", pt);
	ok_errno(detach_pt(dev), 0, "VFIO_DEVICE_DETACH_IOMMUFD_PT");
	close(dev);
	close(fd);
	return tap_done();
}
