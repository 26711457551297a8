// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFIO device cdev over our iommufd: Debian's VFIO, rebuilt with
 * iommufd support, on QEMU's edu devices bound to vfio-pci, driven through
 * /dev/vfio/devices/vfioN with 6.12's <linux/vfio.h>, as a VMM does.
 *
 * Usage: vfio_cdev BDF...   (six edu devices bound to vfio-pci: on the root
 *                           bus two alone in their IOMMU groups and two
 *                           functions of one slot sharing one; behind a PCIe
 *                           root port two functions of one slot, which can
 *                           be reset)
 *
 * Covers VFIO_DEVICE_BIND_IOMMUFD (bad fds, sizes and flags, twice, ioctls
 * before it, the DEVICE ID it returns), VFIO_DEVICE_ATTACH_IOMMUFD_PT and
 * _DETACH_IOMMUFD_PT (IOAS, manual HWPT, replace, errors, destroy while
 * attached), BAR and config space access through the region offsets (read,
 * write, mmap), DMA landing byte for byte and blocked (read-only mapping,
 * after unmap, after detach), closing the device fd before and after the
 * iommufd, the legacy group path against a bound cdev and the reverse, PCI
 * hot reset info and reset (the iommufd ownership rules, and the group
 * rules on the legacy path), MSI through an eventfd, two functions of one
 * IOMMU group, and in test builds fault injection through bind and attach.
 * After each part: no object alive (test builds), VmPin and the system's
 * pinned pages back where they started.
 */
#include <dirent.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/utsname.h>
#include <time.h>

#include "edu.h"
#include "utils.h"

#define PAGE 4096
#define XFER 1024
/* vfio-pci's region offsets in the device fd: the index in bits 40 and up */
#define REGION(i) ((uint64_t)(i) << 40)
#define CFG REGION(VFIO_PCI_CONFIG_REGION_INDEX)
#define PCI_CMD 0x04
#define PCI_CMD_MASTER 0x4
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

struct edu {
	const char *bdf;
	int group;
	char cdev[64];
	int fd;
	volatile uint8_t *bar;
	uint32_t devid;
	uint32_t pt_id;
};

/* Where a part started: VmPin and the system's FOLL_PIN pages */
struct start {
	long pin;
	long foll;
};

static long vm_pin(void)
{
	return proc_kb("/proc/self/status", "VmPin");
}

static void start(struct start *s)
{
	s->pin = vm_pin();
	s->foll = foll_pins();
}

/* The end of a part: nothing pinned, no object alive */
static void clean(const struct start *s, const char *part)
{
	long alive = objects_alive();

	ok(vm_pin() == s->pin && foll_pins() == s->foll,
	   "%s: VmPin (%ld kB) and the system's pinned pages (%ld) back to their start",
	   part, vm_pin(), foll_pins());
	if (alive < 0)
		ok(1, "%s: no object alive # SKIP production build", part);
	else
		ok(alive == 0, "%s: no object alive (%ld)", part, alive);
}

static int iommu_group_of(const char *bdf)
{
	char path[160], link[160];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = 0;
	return atoi(strrchr(link, '/') + 1);
}

/* "0000:00:03.0" is on the root bus */
static int on_root_bus(const char *bdf)
{
	return !strncmp(bdf + 5, "00:", 3);
}

/* /dev/vfio/devices/vfioN of a PCI device bound to vfio-pci */
static void find_cdev(struct edu *e)
{
	char path[160];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", e->bdf);
	dir = opendir(path);
	if (!dir)
		tap_bail("%s has no vfio-dev directory", e->bdf);
	e->cdev[0] = 0;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "vfio", 4))
			snprintf(e->cdev, sizeof(e->cdev), "/dev/vfio/devices/%.32s",
				 d->d_name);
	closedir(dir);
	if (!e->cdev[0])
		tap_bail("%s has no cdev", e->bdf);
}

static void dev_open(struct edu *e)
{
	e->fd = open(e->cdev, O_RDWR);
	if (e->fd < 0)
		tap_bail("open %s", e->cdev);
	e->bar = NULL;
	e->devid = 0;
	e->pt_id = 0;
}

static void dev_close(struct edu *e)
{
	if (e->bar)
		munmap((void *)e->bar, EDU_BAR_SIZE);
	e->bar = NULL;
	close(e->fd);
	e->fd = -1;
}

static int bind_fd(int dev, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	int rc = ioctl_err(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind);

	if (!rc && devid)
		*devid = bind.out_devid;
	return rc;
}

static int bind(struct edu *e, int iommufd)
{
	return bind_fd(e->fd, iommufd, &e->devid);
}

static int attach(struct edu *e, uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = pt_id,
	};
	int rc = ioctl_err(e->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);

	if (!rc)
		e->pt_id = cmd.pt_id;
	return rc;
}

static int detach(struct edu *e)
{
	struct vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };

	return ioctl_err(e->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd);
}

static int region_info(int fd, uint32_t index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl_err(fd, VFIO_DEVICE_GET_REGION_INFO, info);
}

/*
 * mmap BAR 0 at the offset VFIO reports. Without it (a step before
 * failed) register reads give all ones and writes go nowhere, so the
 * checks that need the device fail and the program goes on.
 */
static void map_bar(struct edu *e)
{
	struct vfio_region_info info;
	void *p = MAP_FAILED;

	if (!region_info(e->fd, VFIO_PCI_BAR0_REGION_INDEX, &info))
		p = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 e->fd, info.offset);
	if (p == MAP_FAILED)
		diag("cannot mmap BAR 0 of %s (errno %d)", e->bdf, errno);
	e->bar = p == MAP_FAILED ? NULL : p;
}

static uint32_t rd32(struct edu *e, unsigned int off)
{
	return e->bar ? *(volatile uint32_t *)(e->bar + off) : ~0U;
}

static void wr32(struct edu *e, unsigned int off, uint32_t val)
{
	if (e->bar)
		*(volatile uint32_t *)(e->bar + off) = val;
}

static void wr64(struct edu *e, unsigned int off, uint64_t val)
{
	if (e->bar)
		*(volatile uint64_t *)(e->bar + off) = val;
}

/* Config space through the device fd (vfio-pci's virtualized view) */
static int cfg_read(int fd, unsigned int off, void *val, size_t len)
{
	return pread(fd, val, len, CFG + off) == (ssize_t)len ? 0 : -1;
}

static int cfg_write(int fd, unsigned int off, const void *val, size_t len)
{
	return pwrite(fd, val, len, CFG + off) == (ssize_t)len ? 0 : -1;
}

/* Set Bus Master Enable through the device fd's config space */
static int bus_master_on(int fd)
{
	uint16_t cmd;

	if (cfg_read(fd, PCI_CMD, &cmd, 2))
		return -1;
	cmd |= PCI_CMD_MASTER;
	return cfg_write(fd, PCI_CMD, &cmd, 2);
}

/* The device's real config space, from sysfs (not through VFIO) */
static uint32_t sysfs_cfg(const char *bdf, unsigned int off, size_t len)
{
	char path[160];
	uint32_t val = 0;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, &val, len, off) != (ssize_t)len)
		tap_bail("read the config space of %s", bdf);
	close(fd);
	return val;
}

static int bus_master(const char *bdf)
{
	return !!(sysfs_cfg(bdf, PCI_CMD, 2) & PCI_CMD_MASTER);
}

/* MSI Enable in the device's MSI capability, as the hardware has it */
static int msi_enabled(const char *bdf)
{
	unsigned int off = sysfs_cfg(bdf, 0x34, 1) & 0xfc;

	while (off) {
		uint32_t hdr = sysfs_cfg(bdf, off, 4);

		if ((hdr & 0xff) == 0x05)
			return !!((hdr >> 16) & 0x1);
		off = (hdr >> 8) & 0xfc;
	}
	tap_bail("%s has no MSI capability", bdf);
}

/* One DMA transfer of the edu engine; 0 once done, -1 on a timeout */
static int edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t len,
		   int to_ram)
{
	struct timespec t = { 0, 5 * 1000 * 1000 };
	int i;

	if (!e->bar)
		return -1;
	wr64(e, EDU_DMA_SRC, src);
	wr64(e, EDU_DMA_DST, dst);
	wr64(e, EDU_DMA_COUNT, len);
	wr64(e, EDU_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	for (i = 0; i < 1000; i++) {
		if (!(rd32(e, EDU_DMA_CMD) & EDU_DMA_RUN))
			return 0;
		nanosleep(&t, NULL);
	}
	return -1;
}

/* Device reads XFER bytes at @from into its buffer, writes them at @to */
static int edu_copy(struct edu *e, uint64_t from, uint64_t to)
{
	if (edu_dma(e, from, EDU_BUFFER, XFER, 0))
		return -1;
	return edu_dma(e, EDU_BUFFER, to, XFER, 1);
}

static void *buffer(size_t len, uint8_t fill)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap");
	memset(p, fill, len);
	return p;
}

static void pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + seed);
}

static int is_612(void)
{
	struct utsname u;

	uname(&u);
	return !strncmp(u.release, "6.12", 4);
}

static int hwpt_alloc(int iommufd, uint32_t devid, uint32_t pt_id,
		      uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = devid,
		.pt_id = pt_id,
	};
	int rc = ioctl_err(iommufd, IOMMU_HWPT_ALLOC, &cmd);

	*out = rc ? 0 : cmd.out_hwpt_id;
	return rc;
}

/* Before VFIO_DEVICE_BIND_IOMMUFD the cdev answers nothing else */
static void test_before_bind(struct edu *a)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info region;
	struct start s;
	char buf[4];
	void *p;

	start(&s);
	dev_open(a);
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_GET_INFO, &info), EINVAL,
		 "before bind: GET_INFO is EINVAL");
	ok_errno(region_info(a->fd, 0, &region), EINVAL,
		 "before bind: GET_REGION_INFO is EINVAL");
	ok_errno(attach(a, 1), EINVAL, "before bind: ATTACH_IOMMUFD_PT is EINVAL");
	ok_errno(detach(a), EINVAL, "before bind: DETACH_IOMMUFD_PT is EINVAL");
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_RESET, NULL), EINVAL,
		 "before bind: DEVICE_RESET is EINVAL");
	ok(pread(a->fd, buf, 4, CFG) < 0 && errno == EINVAL,
	   "before bind: read of config space is EINVAL");
	ok(pwrite(a->fd, buf, 4, CFG + 0x40) < 0 && errno == EINVAL,
	   "before bind: write is EINVAL");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a->fd, REGION(0));
	ok(p == MAP_FAILED && errno == EINVAL, "before bind: mmap is EINVAL");
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	dev_close(a);
	clean(&s, "before bind");
}

static void test_bind(struct edu *a)
{
	int iommufd = open_iommufd(), other = open_iommufd();
	int null = open("/dev/null", O_RDWR), pipefd[2], closed = 1000, dev2, rc;
	struct vfio_device_bind_iommufd cmd;
	struct vfio_device_info info;
	struct iommu_hw_info_vtd vtd;
	struct iommu_hw_info hw;
	uint32_t id2 = 0;
	struct start s;

	start(&s);
	if (pipe(pipefd) || null < 0)
		tap_bail("pipe, /dev/null");
	/* An fd number nothing has open */
	while (fcntl(closed, F_GETFD) != -1)
		closed++;
	dev_open(a);

	ok_errno(bind(a, -1), EINVAL,
		 "bind to iommufd -1: EINVAL (VFIO refuses a negative fd)");
	ok_errno(bind(a, closed), EBADF, "bind to fd %d, not open: EBADF", closed);
	ok_errno(bind(a, null), EBADFD, "bind to /dev/null: EBADFD");
	ok_errno(bind(a, pipefd[0]), EBADFD, "bind to a pipe: EBADFD");
	memset(&cmd, 0, sizeof(cmd));
	cmd.argsz = offsetofend(struct vfio_device_bind_iommufd, out_devid) - 1;
	cmd.iommufd = iommufd;
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_BIND_IOMMUFD, &cmd), EINVAL,
		 "bind with argsz one byte short: EINVAL");
	cmd.argsz = sizeof(cmd);
	cmd.flags = 1;
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_BIND_IOMMUFD, &cmd), EINVAL,
		 "bind with flags 1: EINVAL");
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_BIND_IOMMUFD, NULL), EFAULT,
		 "bind with a NULL argument: EFAULT");
	ok(table_empty(iommufd), "the failed binds left the iommufd empty");

	rc = bind(a, iommufd);
	ok(!rc && a->devid, "bind: DEVICE ID %u", a->devid);
	ok_errno(bind(a, iommufd), EINVAL, "bind again: EINVAL");
	ok_errno(bind(a, other), EINVAL, "bind again to another iommufd: EINVAL");
	ok(table_empty(other), "which left that iommufd empty");
	ok_errno(destroy(iommufd, a->devid), EBUSY,
		 "IOMMU_DESTROY of the DEVICE: EBUSY");

	dev2 = open(a->cdev, O_RDWR);
	ok(dev2 >= 0, "the cdev can be opened a second time");
	ok_errno(bind_fd(dev2, other, &id2), EINVAL,
		 "but that fd cannot bind while the first is bound: EINVAL");
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	ok_errno(ioctl_err(dev2, VFIO_DEVICE_GET_INFO, &info), EINVAL,
		 "and gets EINVAL for GET_INFO");
	close(dev2);
	ok(table_empty(other), "the second fd left nothing behind");

	memset(&vtd, 0xa5, sizeof(vtd));
	memset(&hw, 0, sizeof(hw));
	hw.size = sizeof(hw);
	hw.dev_id = a->devid;
	hw.data_len = sizeof(vtd);
	hw.data_uptr = (uintptr_t)&vtd;
	ok(!ioctl_err(iommufd, IOMMU_GET_HW_INFO, &hw),
	   "IOMMU_GET_HW_INFO with the DEVICE ID");
	if (is_612())
		ok(hw.out_data_type == IOMMU_HW_INFO_TYPE_INTEL_VTD &&
			   hw.data_len == sizeof(vtd) && vtd.cap_reg && vtd.ecap_reg,
		   "GET_HW_INFO: Intel VT-d registers (cap 0x%llx ecap 0x%llx)",
		   (unsigned long long)vtd.cap_reg,
		   (unsigned long long)vtd.ecap_reg);
	else
		ok(hw.out_data_type == IOMMU_HW_INFO_TYPE_NONE,
		   "GET_HW_INFO: type none");
	hw.dev_id = a->devid + 100;
	ok_errno(ioctl_err(iommufd, IOMMU_GET_HW_INFO, &hw), ENOENT,
		 "GET_HW_INFO with another ID: ENOENT");
	hw.dev_id = a->devid;
	ok_errno(ioctl_err(other, IOMMU_GET_HW_INFO, &hw), ENOENT,
		 "the DEVICE ID means nothing in another iommufd: ENOENT");

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	rc = ioctl_err(a->fd, VFIO_DEVICE_GET_INFO, &info);
	ok(!rc && (info.flags & VFIO_DEVICE_FLAGS_PCI) &&
		   info.num_regions == VFIO_PCI_NUM_REGIONS &&
		   info.num_irqs == VFIO_PCI_NUM_IRQS,
	   "bound: GET_INFO works (PCI, %u regions, %u irqs)", info.num_regions,
	   info.num_irqs);

	dev_close(a);
	ok_errno(destroy(iommufd, a->devid), ENOENT,
		 "closing the device fd destroys the DEVICE object");
	ok(table_empty(iommufd), "the iommufd is empty");
	dev_open(a);
	ok(!bind(a, other) && a->devid, "the device binds again, to another iommufd");
	dev_close(a);
	close(iommufd);
	close(other);
	close(null);
	close(pipefd[0]);
	close(pipefd[1]);
	clean(&s, "bind");
}

/* Regions: BAR and config space through the device fd */
static void test_regions(struct edu *a)
{
	struct vfio_region_info info;
	int iommufd = open_iommufd();
	uint32_t val, ident = 0;
	struct start s;
	uint16_t cmd;
	void *p;
	int rc;

	start(&s);
	dev_open(a);
	ok(!bind(a, iommufd), "bind");
	rc = region_info(a->fd, VFIO_PCI_BAR0_REGION_INDEX, &info);
	ok(!rc && info.size == EDU_BAR_SIZE && info.offset == REGION(0) &&
		   info.flags == (VFIO_REGION_INFO_FLAG_READ |
				  VFIO_REGION_INFO_FLAG_WRITE |
				  VFIO_REGION_INFO_FLAG_MMAP),
	   "REGION_INFO BAR 0: 1 MiB, read/write/mmap, at offset 0 (flags 0x%x)",
	   info.flags);
	ok(!region_info(a->fd, VFIO_PCI_BAR1_REGION_INDEX, &info) &&
		   !info.size && !info.flags && info.offset == REGION(1),
	   "REGION_INFO BAR 1: absent (size 0, no flags)");
	ok(!region_info(a->fd, VFIO_PCI_CONFIG_REGION_INDEX, &info) &&
		   info.size == 256 && info.offset == CFG &&
		   info.flags == (VFIO_REGION_INFO_FLAG_READ |
				  VFIO_REGION_INFO_FLAG_WRITE),
	   "REGION_INFO config: 256 bytes, read/write, at index 7's offset");
	ok_errno(region_info(a->fd, VFIO_PCI_NUM_REGIONS, &info), EINVAL,
		 "REGION_INFO index %d: EINVAL", VFIO_PCI_NUM_REGIONS);
	info.argsz = 8;
	info.index = 0;
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_GET_REGION_INFO, &info), EINVAL,
		 "REGION_INFO with argsz 8: EINVAL");

	rc = cfg_read(a->fd, 0, &val, 4);
	ok(!rc && val == EDU_VENDOR_DEVICE,
	   "config read through the device fd: edu's IDs (0x%08x)", val);
	rc = pread(a->fd, &ident, 4, REGION(0) + EDU_IDENT) != 4;
	ok(!rc && ident == EDU_IDENT_VALUE,
	   "pread of BAR 0: edu's ident register (0x%08x)", ident);
	val = 0x1234abcd;
	ok(pwrite(a->fd, &val, 4, REGION(0) + EDU_LIVENESS) == 4 &&
		   pread(a->fd, &val, 4, REGION(0) + EDU_LIVENESS) == 4 &&
		   val == ~0x1234abcdU,
	   "pwrite of BAR 0 reaches the device (liveness reads back inverted)");
	ok(pread(a->fd, &val, 4, REGION(0) + EDU_BAR_SIZE) < 0 && errno == EINVAL,
	   "pread past BAR 0: EINVAL");
	ok(pread(a->fd, &val, 4, REGION(1)) < 0 && errno == EINVAL,
	   "pread of absent BAR 1: EINVAL");

	map_bar(a);
	ok(rd32(a, EDU_IDENT) == EDU_IDENT_VALUE, "BAR 0 mmap reads edu's ident");
	wr32(a, EDU_LIVENESS, 0x5a5a0f0f);
	ok(rd32(a, EDU_LIVENESS) == ~0x5a5a0f0fU,
	   "BAR 0 mmap writes reach the device");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a->fd, REGION(0) + EDU_BAR_SIZE);
	ok(p == MAP_FAILED && errno == EINVAL, "mmap past BAR 0: EINVAL");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a->fd, REGION(1));
	ok(p == MAP_FAILED && errno == EINVAL, "mmap of absent BAR 1: EINVAL");
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, a->fd, CFG);
	ok(p == MAP_FAILED && errno == EINVAL, "mmap of config space: EINVAL");
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, a->fd, REGION(0));
	ok(p == MAP_FAILED && errno == EINVAL, "private mmap of BAR 0: EINVAL");

	ok(!bus_master(a->bdf), "bus mastering is off after bind");
	ok(!bus_master_on(a->fd) && bus_master(a->bdf),
	   "a config write through the device fd turns it on");
	cmd = 0;
	ok(!cfg_read(a->fd, PCI_CMD, &cmd, 2) && (cmd & PCI_CMD_MASTER),
	   "and the device fd's config space shows it");
	dev_close(a);
	ok(!bus_master(a->bdf), "closing the device fd turns it off again");
	close(iommufd);
	clean(&s, "regions");
}

/* Attach, replace, detach, and their errors */
static void test_attach(struct edu *a)
{
	struct vfio_device_attach_iommufd_pt cmd;
	struct vfio_device_detach_iommufd_pt dcmd;
	int iommufd = open_iommufd();
	uint32_t ioas1, ioas2, auto1, manual = 0;
	struct start s;
	int rc;

	start(&s);
	ioas_alloc(iommufd, &ioas1);
	ioas_alloc(iommufd, &ioas2);
	dev_open(a);
	ok(!bind(a, iommufd), "bind");

	ok_errno(attach(a, 9999), ENOENT, "attach to an unknown ID: ENOENT");
	ok_errno(attach(a, a->devid), EINVAL, "attach to the DEVICE ID: EINVAL");
	ok_errno(attach(a, 0), ENOENT, "attach to ID 0: ENOENT");
	memset(&cmd, 0, sizeof(cmd));
	cmd.argsz = offsetofend(struct vfio_device_attach_iommufd_pt, pt_id) - 1;
	cmd.pt_id = ioas1;
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd), EINVAL,
		 "attach with argsz one byte short: EINVAL");
	cmd.argsz = sizeof(cmd);
	cmd.flags = 1;
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd), EINVAL,
		 "attach with flags 1: EINVAL");
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, NULL), EFAULT,
		 "attach with a NULL argument: EFAULT");
	memset(&dcmd, 0, sizeof(dcmd));
	dcmd.argsz = 4;
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dcmd), EINVAL,
		 "detach with argsz 4: EINVAL");
	dcmd.argsz = sizeof(dcmd);
	dcmd.flags = 1;
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dcmd), EINVAL,
		 "detach with flags 1: EINVAL");
	ok_errno(detach(a), 0, "detach while not attached: 0 (VFIO ignores it)");
	ok(!destroy(iommufd, ioas1) && !ioas_alloc(iommufd, &ioas1),
	   "the failed attaches left the IOAS free (destroyed, allocated again)");

	rc = attach(a, ioas1);
	ok(!rc && a->pt_id && a->pt_id != ioas1 && a->pt_id != a->devid,
	   "attach to IOAS %u: automatic HWPT %u", ioas1, a->pt_id);
	auto1 = a->pt_id;
	ok(!attach(a, ioas1) && a->pt_id == auto1,
	   "attach to the same IOAS again: the same HWPT");
	ok_errno(destroy(iommufd, auto1), EBUSY,
		 "IOMMU_DESTROY of the attached HWPT: EBUSY");
	ok_errno(destroy(iommufd, ioas1), EBUSY, "IOMMU_DESTROY of its IOAS: EBUSY");
	ok_errno(attach(a, 9999), ENOENT,
		 "replace with an unknown ID: ENOENT");
	ok_errno(destroy(iommufd, auto1), EBUSY, "and the device stays on its HWPT");

	rc = hwpt_alloc(iommufd, a->devid, ioas2, &manual);
	ok(!rc && manual, "IOMMU_HWPT_ALLOC with the DEVICE ID: manual HWPT %u on IOAS %u",
	   manual, ioas2);
	ok(!attach(a, manual) && a->pt_id == manual,
	   "replace: the device moves to the manual HWPT");
	ok_errno(destroy(iommufd, auto1), ENOENT,
		 "its automatic HWPT went with it");
	ok_errno(destroy(iommufd, manual), EBUSY,
		 "IOMMU_DESTROY of the attached manual HWPT: EBUSY");
	ok_errno(destroy(iommufd, ioas2), EBUSY, "and of its IOAS: EBUSY");
	rc = attach(a, ioas1);
	ok(!rc && a->pt_id != manual && a->pt_id != ioas1,
	   "replace: back to IOAS %u, a new automatic HWPT %u", ioas1, a->pt_id);
	ok(!destroy(iommufd, manual), "the manual HWPT is free to destroy now");
	rc = attach(a, ioas2);
	ok(!rc && a->pt_id != ioas2,
	   "replace: IOAS %u to IOAS %u (HWPT %u)", ioas1, ioas2, a->pt_id);
	ok(!destroy(iommufd, ioas1), "the IOAS left behind can be destroyed");

	ok_errno(detach(a), 0, "detach");
	ok_errno(destroy(iommufd, a->pt_id), ENOENT,
		 "the automatic HWPT went with the detach");
	ok_errno(detach(a), 0, "detach again: 0");
	ok(!hwpt_alloc(iommufd, a->devid, ioas2, &manual) && !attach(a, manual),
	   "attach to a manual HWPT directly");
	ok(!detach(a) && !destroy(iommufd, manual) && !destroy(iommufd, ioas2),
	   "detach; the HWPT and the IOAS can be destroyed");
	ok(table_empty(iommufd) == 0,
	   "only the DEVICE is left (the table is not empty)");
	dev_close(a);
	ok(table_empty(iommufd), "closing the device empties the iommufd");
	close(iommufd);
	clean(&s, "attach");
}

/* Real DMA through an attached device: landing and blocked */
static void test_dma(struct edu *a)
{
	uint8_t *src = buffer(PAGE, 0), *dst = buffer(PAGE, 0xee);
	uint8_t *ro = buffer(PAGE, 0x33), *keep = buffer(PAGE, 0);
	uint64_t src_iova = 0, dst_iova = 0x100000000ULL, ro_iova = 0x200000000ULL;
	int iommufd = open_iommufd(), faults, rc;
	struct start s;
	uint32_t ioas;

	start(&s);
	ioas_alloc(iommufd, &ioas);
	dev_open(a);
	ok(!bind(a, iommufd) && !attach(a, ioas), "bind, attach");
	map_bar(a);
	ok(!bus_master_on(a->fd), "bus mastering on through config space");

	pattern(src, PAGE, 1);
	rc = ioas_map(iommufd, ioas, IOMMU_IOAS_MAP_READABLE, src, PAGE,
		      &src_iova);
	ok(!rc, "MAP the source read-only at IOVA 0x%llx",
	   (unsigned long long)src_iova);
	ok(!ioas_map_fixed(iommufd, ioas, dst, PAGE, dst_iova),
	   "MAP the destination at 4 GiB");
	ok(vm_pin() == s.pin + 8 && foll_pins() == s.foll + 2,
	   "2 pages pinned (VmPin +8 kB, system pins +2)");
	ok(!edu_copy(a, src_iova, dst_iova) && !memcmp(src, dst, XFER) &&
		   dst[XFER] == 0xee,
	   "DMA source -> device -> destination: byte for byte, nothing beyond");

	faults = dmar_faults();
	ok(!ioas_map(iommufd, ioas, IOMMU_IOAS_MAP_READABLE |
				     IOMMU_IOAS_MAP_FIXED_IOVA,
		     ro, PAGE, &ro_iova),
	   "MAP another page read-only");
	ok(!edu_copy(a, src_iova, ro_iova) && ro[0] == 0x33 &&
		   ro[XFER - 1] == 0x33,
	   "DMA write to the read-only mapping is blocked");
	ok(dmar_fault_since(faults), "the IOMMU reported a DMAR fault");

	ok(!ioas_unmap(iommufd, ioas, dst_iova, PAGE, NULL), "UNMAP the destination");
	ok(vm_pin() == s.pin + 8, "VmPin: 2 pages (source, read-only page)");
	pattern(src, PAGE, 2);
	memcpy(keep, dst, PAGE);
	faults = dmar_faults();
	ok(!edu_copy(a, src_iova, dst_iova) && !memcmp(keep, dst, PAGE),
	   "DMA after UNMAP is blocked: the old memory is unchanged");
	ok(dmar_fault_since(faults), "with a DMAR fault");

	pattern(keep, PAGE, 3);
	memset(dst, 0, PAGE);
	ok(!ioas_map_fixed(iommufd, ioas, keep, PAGE, dst_iova) &&
		   !edu_copy(a, src_iova, dst_iova) && !memcmp(src, keep, XFER) &&
		   !dst[0],
	   "MAP another buffer there: DMA lands in it, not in the old one");

	ok(!detach(a), "detach");
	ok(vm_pin() == s.pin && foll_pins() == s.foll,
	   "nothing pinned without a domain");
	memset(keep, 0x77, PAGE);
	faults = dmar_faults();
	ok(!edu_copy(a, src_iova, dst_iova) && keep[0] == 0x77 &&
		   keep[XFER - 1] == 0x77,
	   "DMA of the detached device is blocked");
	ok(dmar_fault_since(faults), "with a DMAR fault");
	ok(!attach(a, ioas) && !edu_copy(a, src_iova, dst_iova) &&
		   !memcmp(src, keep, XFER),
	   "attached again: DMA lands again");
	dev_close(a);
	ok(!destroy(iommufd, ioas) && table_empty(iommufd),
	   "device closed: the IOAS can be destroyed, the iommufd is empty");
	close(iommufd);
	munmap(src, PAGE);
	munmap(dst, PAGE);
	munmap(ro, PAGE);
	munmap(keep, PAGE);
	clean(&s, "DMA");
}

/* Two devices of two groups: one IOAS shares one automatic HWPT */
static void test_two_devices(struct edu *a, struct edu *b)
{
	uint8_t *src = buffer(PAGE, 0), *d1 = buffer(PAGE, 0);
	int iommufd = open_iommufd(), other = open_iommufd();
	uint32_t ioas, ioas_other;
	struct start s;
	int rc;

	start(&s);
	ioas_alloc(iommufd, &ioas);
	/* An ID that exists only in the other iommufd */
	do
		ioas_alloc(other, &ioas_other);
	while (ioas_other && ioas_other < 20);
	dev_open(a);
	dev_open(b);
	rc = bind(a, iommufd) || bind(b, iommufd);
	ok(!rc && a->devid != b->devid,
	   "two devices of two groups bind to one iommufd (IDs %u, %u)",
	   a->devid, b->devid);
	rc = attach(a, ioas) || attach(b, ioas);
	ok(!rc && a->pt_id == b->pt_id,
	   "both attach to one IOAS and share its automatic HWPT %u", a->pt_id);
	map_bar(b);
	pattern(src, PAGE, 5);
	ok(!ioas_map_fixed(iommufd, ioas, src, PAGE, 0x1000) &&
		   !ioas_map_fixed(iommufd, ioas, d1, PAGE, 0x2000) &&
		   !bus_master_on(b->fd) && !edu_copy(b, 0x1000, 0x2000) &&
		   !memcmp(src, d1, XFER),
	   "the second device DMAs through the shared HWPT");
	ok_errno(attach(b, ioas_other), ENOENT,
		 "IOAS ID %u of another iommufd is unknown here: ENOENT",
		 ioas_other);
	dev_close(a);
	ok_errno(destroy(iommufd, b->pt_id), EBUSY,
		 "the first device closed: the HWPT stays for the second");
	dev_close(b);
	ok(!destroy(iommufd, ioas) && table_empty(iommufd),
	   "both closed: the iommufd is emptied");
	close(iommufd);
	close(other);
	munmap(src, PAGE);
	munmap(d1, PAGE);
	clean(&s, "two devices");
}

/* The device fd closed first, then the iommufd first; reusable after */
static void test_close_orders(struct edu *a)
{
	uint8_t *src = buffer(PAGE, 0), *dst = buffer(PAGE, 0);
	int iommufd = open_iommufd();
	uint32_t ioas, hwpt, devid;
	struct start s;

	start(&s);
	ioas_alloc(iommufd, &ioas);
	dev_open(a);
	ok(!bind(a, iommufd) && !attach(a, ioas) &&
		   !ioas_map_fixed(iommufd, ioas, src, PAGE, 0x1000) &&
		   vm_pin() == s.pin + 4,
	   "bind, attach, map a page (pinned)");
	hwpt = a->pt_id;
	devid = a->devid;
	dev_close(a);
	ok_errno(destroy(iommufd, hwpt), ENOENT,
		 "device fd closed first: its automatic HWPT is gone");
	ok_errno(destroy(iommufd, devid), ENOENT, "and its DEVICE object");
	ok(vm_pin() == s.pin && foll_pins() == s.foll, "and the page is unpinned");
	ok(!ioas_unmap(iommufd, ioas, 0x1000, PAGE, NULL) &&
		   !destroy(iommufd, ioas) && table_empty(iommufd),
	   "the iommufd is still usable and can be emptied");
	close(iommufd);
	clean(&s, "device closed first");

	start(&s);
	iommufd = open_iommufd();
	ioas_alloc(iommufd, &ioas);
	dev_open(a);
	pattern(src, PAGE, 9);
	ok(!bind(a, iommufd) && !attach(a, ioas) &&
		   !ioas_map_fixed(iommufd, ioas, src, PAGE, 0x1000) &&
		   !ioas_map_fixed(iommufd, ioas, dst, PAGE, 0x2000),
	   "bind, attach, map two pages");
	close(iommufd);
	map_bar(a);
	ok(!bus_master_on(a->fd) && !edu_copy(a, 0x1000, 0x2000) &&
		   !memcmp(src, dst, XFER),
	   "iommufd closed first: the device keeps the context, DMA lands");
	ok(vm_pin() == s.pin + 8, "the pages stay pinned");
	if (objects_alive() >= 0)
		ok(objects_alive() > 0, "its objects stay alive");
	dev_close(a);
	clean(&s, "iommufd closed first");

	start(&s);
	iommufd = open_iommufd();
	ioas_alloc(iommufd, &ioas);
	dev_open(a);
	memset(dst, 0, PAGE);
	ok(!bind(a, iommufd) && !attach(a, ioas) &&
		   !ioas_map_fixed(iommufd, ioas, src, PAGE, 0x1000) &&
		   !ioas_map_fixed(iommufd, ioas, dst, PAGE, 0x2000),
	   "the device is reusable: bind, attach, map again");
	map_bar(a);
	ok(!bus_master_on(a->fd) && !edu_copy(a, 0x1000, 0x2000) &&
		   !memcmp(src, dst, XFER),
	   "and DMA lands");
	dev_close(a);
	close(iommufd);
	munmap(src, PAGE);
	munmap(dst, PAGE);
	clean(&s, "device reused");
}

static int group_open(int group)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	return open(path, O_RDWR);
}

/* VFIO_GROUP_GET_STATUS: the flags, or -1 */
static long group_flags(int gfd)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	return ioctl_err(gfd, VFIO_GROUP_GET_STATUS, &st) ? -1L : (long)st.flags;
}

static int set_container(int gfd, int container)
{
	return ioctl_err(gfd, VFIO_GROUP_SET_CONTAINER, &container);
}

/* A type1 container with the group in it: the container fd, or -1 */
static int type1_container(int gfd)
{
	int container = open("/dev/vfio/vfio", O_RDWR);

	if (container < 0)
		return -1;
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1 ||
	    set_container(gfd, container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		close(container);
		return -1;
	}
	return container;
}

static int type1_map(int container, void *va, uint64_t iova, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = PAGE,
	};

	return ioctl_err(container, VFIO_IOMMU_MAP_DMA, &map);
}

/* The device fd from the group, with its BAR mapped into @e */
static int group_device(int gfd, struct edu *e)
{
	int fd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, e->bdf);

	e->fd = fd;
	e->bar = NULL;
	if (fd < 0)
		return -errno;
	map_bar(e);
	return 0;
}

/*
 * The legacy group path against the cdev, both ways: a bound cdev keeps
 * /dev/vfio/<group> closed (EBUSY at open), an open group file keeps the
 * cdev from binding (EBUSY at VFIO_DEVICE_BIND_IOMMUFD), with a type1
 * container and with an iommufd as the container (the VFIO compat IOAS).
 */
static void test_legacy_group(struct edu *a, struct edu *c, struct edu *d)
{
	uint8_t *src = buffer(PAGE, 0), *dst = buffer(PAGE, 0);
	int iommufd = open_iommufd(), gfd, container, cdev, rc;
	struct edu g = *a;
	uint32_t ioas;
	long flags;
	struct start s;

	start(&s);
	dev_open(a);
	gfd = group_open(a->group);
	ok(gfd >= 0, "cdev open but not bound: /dev/vfio/%d opens", a->group);
	flags = group_flags(gfd);
	ok(flags == VFIO_GROUP_FLAGS_VIABLE,
	   "GET_STATUS: viable, no container (flags 0x%lx)", flags);
	ok_errno(bind(a, iommufd), EBUSY,
		 "while the group file is open the cdev cannot bind: EBUSY");
	ok(table_empty(iommufd), "and left nothing in the iommufd");
	close(gfd);
	ok(!bind(a, iommufd), "group file closed: the cdev binds");
	gfd = group_open(a->group);
	ok(gfd < 0 && errno == EBUSY,
	   "cdev bound: opening /dev/vfio/%d is EBUSY", a->group);
	if (gfd >= 0)
		close(gfd);

	dev_open(c);
	ok(!bind(c, iommufd), "bind one function of the shared group (%s)",
	   c->bdf);
	gfd = group_open(c->group);
	ok(gfd < 0 && errno == EBUSY,
	   "its group /dev/vfio/%d is EBUSY, though %s is not bound", c->group,
	   d->bdf);
	if (gfd >= 0)
		close(gfd);
	dev_close(c);
	dev_close(a);
	ok(table_empty(iommufd), "cdevs closed: the iommufd is empty");

	/* The group path holds the device, with type1 */
	gfd = group_open(a->group);
	ok(gfd >= 0, "cdev closed: /dev/vfio/%d opens again", a->group);
	container = type1_container(gfd);
	ok(container >= 0, "type1 container: SET_CONTAINER, SET_IOMMU(TYPE1v2)");
	flags = group_flags(gfd);
	ok(flags == (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET),
	   "GET_STATUS: viable, container set (flags 0x%lx)", flags);
	ok(!group_device(gfd, &g), "GET_DEVICE_FD");
	pattern(src, PAGE, 11);
	memset(dst, 0, PAGE);
	ok(!type1_map(container, src, 0x1000, VFIO_DMA_MAP_FLAG_READ) &&
		   !type1_map(container, dst, 0x2000,
			      VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE) &&
		   !bus_master_on(g.fd) && !edu_copy(&g, 0x1000, 0x2000) &&
		   !memcmp(src, dst, XFER),
	   "type1 DMA through the group's device fd lands");
	cdev = open(a->cdev, O_RDWR);
	ok(cdev >= 0, "the cdev opens while the group path holds the device");
	ok_errno(bind_fd(cdev, iommufd, NULL), EBUSY, "but it cannot bind: EBUSY");
	close(gfd);
	ok_errno(bind_fd(cdev, iommufd, NULL), EBUSY,
		 "group fd closed, its device fd still open: still EBUSY");
	dev_close(&g);
	close(container);
	ok(!bind_fd(cdev, iommufd, NULL), "device fd closed too: the cdev binds");
	close(cdev);

	/* The group path with an iommufd as its container */
	ioas = 0;
	ok_errno(vfio_ioas(iommufd, IOMMU_VFIO_IOAS_GET, &ioas), ENODEV,
		 "no compat IOAS yet: ENODEV");
	gfd = group_open(a->group);
	ok(gfd >= 0 && !set_container(gfd, iommufd),
	   "SET_CONTAINER with the iommufd");
	rc = vfio_ioas(iommufd, IOMMU_VFIO_IOAS_GET, &ioas);
	ok(!rc && ioas, "which created the compat IOAS %u", ioas);
	ok(group_flags(gfd) == (VFIO_GROUP_FLAGS_VIABLE |
				VFIO_GROUP_FLAGS_CONTAINER_SET),
	   "GET_STATUS: viable, container set");
	g = *a;
	ok(!group_device(gfd, &g), "GET_DEVICE_FD: bound and attached to it");
	ok_errno(destroy(iommufd, ioas), EBUSY, "the compat IOAS is in use: EBUSY");
	pattern(src, PAGE, 12);
	memset(dst, 0, PAGE);
	ok(!ioas_map(iommufd, ioas, IOMMU_IOAS_MAP_READABLE |
				     IOMMU_IOAS_MAP_FIXED_IOVA,
		     src, PAGE, &(uint64_t){ 0x1000 }) &&
		   !ioas_map_fixed(iommufd, ioas, dst, PAGE, 0x2000) &&
		   !bus_master_on(g.fd) && !edu_copy(&g, 0x1000, 0x2000) &&
		   !memcmp(src, dst, XFER),
	   "DMA through the compat IOAS lands");
	cdev = open(a->cdev, O_RDWR);
	ok_errno(bind_fd(cdev, iommufd, NULL), EBUSY,
		 "the cdev cannot bind: EBUSY");
	/* Without a container the device fd does not hold the group file */
	close(gfd);
	ok_errno(bind_fd(cdev, iommufd, NULL), EINVAL,
		 "group fd closed, its device fd open: EINVAL (the device is open)");
	memset(dst, 0, PAGE);
	ok(!edu_copy(&g, 0x1000, 0x2000) && !memcmp(src, dst, XFER),
	   "and that device fd still DMAs through the compat IOAS");
	dev_close(&g);
	ok(!ioas_unmap(iommufd, ioas, 0, UINT64_MAX, NULL) &&
		   !destroy(iommufd, ioas) && table_empty(iommufd),
	   "device closed: the compat IOAS can be destroyed, the iommufd is empty");
	ok(!bind_fd(cdev, iommufd, NULL), "and the cdev binds");
	close(cdev);

	gfd = group_open(a->group);
	ok(gfd >= 0 && !set_container(gfd, iommufd) &&
		   !vfio_ioas(iommufd, IOMMU_VFIO_IOAS_GET, &ioas) &&
		   !destroy(iommufd, ioas),
	   "SET_CONTAINER with the iommufd, then destroy the compat IOAS");
	g = *a;
	ok_errno(-group_device(gfd, &g), ENODEV,
		 "GET_DEVICE_FD without a compat IOAS: ENODEV");
	ok(table_empty(iommufd), "which left nothing in the iommufd");
	close(gfd);

	/* The other function of a shared group, held by the group path */
	gfd = group_open(c->group);
	container = gfd >= 0 ? type1_container(gfd) : -1;
	g = *c;
	ok(container >= 0 && !group_device(gfd, &g),
	   "the shared group through the group path: %s's device fd", c->bdf);
	dev_open(d);
	ok_errno(bind(d, iommufd), EBUSY,
		 "the group's other function %s cannot bind its cdev: EBUSY",
		 d->bdf);
	dev_close(d);
	dev_close(&g);
	close(gfd);
	close(container);
	close(iommufd);
	munmap(src, PAGE);
	munmap(dst, PAGE);
	clean(&s, "legacy group path");
}

/* VFIO_DEVICE_GET_PCI_HOT_RESET_INFO into @info (room for 4 devices) */
struct reset_info {
	struct vfio_pci_hot_reset_info hdr;
	struct vfio_pci_dependent_device dev[4];
};

static int reset_info(int fd, struct reset_info *info, uint32_t argsz)
{
	memset(info, 0xa5, sizeof(*info));
	info->hdr.argsz = argsz;
	info->hdr.flags = 0;
	info->hdr.count = 0;
	return ioctl_err(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info);
}

static int hot_reset(int fd, uint32_t flags, uint32_t count, const int *fds)
{
	struct {
		struct vfio_pci_hot_reset hdr;
		int32_t fds[2];
	} cmd = { .hdr = { .argsz = sizeof(cmd), .flags = flags, .count = count } };

	if (count)
		memcpy(cmd.fds, fds, count * sizeof(*fds));
	return ioctl_err(fd, VFIO_DEVICE_PCI_HOT_RESET, &cmd);
}

/* Does @d name the PCI function @bdf ("0000:01:00.1")? */
static int names(const struct vfio_pci_dependent_device *d, const char *bdf)
{
	unsigned int seg, bus, slot, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &slot, &fn) != 4)
		return 0;
	return d->segment == seg && d->bus == bus &&
	       d->devfn == ((slot << 3) | fn);
}

static int bind_driver(const char *bdf, int on)
{
	if (on)
		return write_file("/sys/bus/pci/drivers_probe", bdf);
	return write_file("/sys/bus/pci/drivers/vfio-pci/unbind", bdf);
}

/*
 * Hot reset. Root bus devices have neither a slot nor a bus reset: ENODEV.
 * Behind the root port the two functions of one slot reset together: with
 * the cdev, the info names them by DEVICE ID (or "owned" through the IOMMU
 * group) and a zero-length group array resets them when the iommufd owns
 * both; through the group path, group IDs and the group fd.
 */
static void test_hot_reset(struct edu *a, struct edu *e, struct edu *f)
{
	uint8_t *src = buffer(PAGE, 0), *dst = buffer(PAGE, 0);
	int iommufd = open_iommufd(), gfd, container, wrong, rc;
	uint32_t ioas, minsz = offsetofend(struct vfio_pci_hot_reset_info, count);
	struct vfio_device_info dinfo;
	struct reset_info info;
	struct edu g = *e;
	struct start s;

	start(&s);
	ioas_alloc(iommufd, &ioas);
	dev_open(a);
	ok(!bind(a, iommufd), "bind %s (root bus)", a->bdf);
	ok_errno(reset_info(a->fd, &info, sizeof(info)), ENODEV,
		 "root bus: HOT_RESET_INFO is ENODEV (no slot or bus reset)");
	ok_errno(hot_reset(a->fd, 0, 0, NULL), ENODEV,
		 "root bus: HOT_RESET with no group fds is ENODEV");
	ok_errno(hot_reset(a->fd, 0, 1, &iommufd), EINVAL,
		 "HOT_RESET of a cdev with group fds: EINVAL");
	ok_errno(hot_reset(a->fd, 1, 0, NULL), EINVAL,
		 "HOT_RESET with flags 1: EINVAL");
	memset(&dinfo, 0, sizeof(dinfo));
	dinfo.argsz = sizeof(dinfo);
	rc = ioctl_err(a->fd, VFIO_DEVICE_GET_INFO, &dinfo);
	ok(!rc && !(dinfo.flags & VFIO_DEVICE_FLAGS_RESET),
	   "GET_INFO: no function reset on the root bus (flags 0x%x)",
	   dinfo.flags);
	dev_close(a);

	ok(e->group == f->group && e->group != a->group,
	   "%s and %s, behind the root port, share IOMMU group %d", e->bdf,
	   f->bdf, e->group);
	dev_open(e);
	ok(!bind(e, iommufd), "bind %s", e->bdf);
	ok_errno(reset_info(e->fd, &info, minsz - 1), EINVAL,
		 "HOT_RESET_INFO with argsz one byte short: EINVAL");
	ok_errno(reset_info(e->fd, &info, minsz), ENOSPC,
		 "HOT_RESET_INFO without room for devices: ENOSPC");
	ok(info.hdr.count == 2, "and the count it needs: 2 (%u)", info.hdr.count);
	rc = reset_info(e->fd, &info, sizeof(info));
	ok(!rc && info.hdr.count == 2 &&
		   info.hdr.flags == (VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
				      VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED),
	   "HOT_RESET_INFO: 2 devices, by DEVICE ID, all owned (flags 0x%x)",
	   info.hdr.flags);
	ok(names(&info.dev[0], e->bdf) && names(&info.dev[1], f->bdf),
	   "the two functions of the slot, in order");
	ok(info.dev[0].devid == e->devid && info.dev[1].devid == VFIO_PCI_DEVID_OWNED,
	   "%s: its DEVICE ID %u; %s (not bound): owned through the group (%u)",
	   e->bdf, info.dev[0].devid, f->bdf, info.dev[1].devid);

	dev_open(f);
	ok(!bind(f, iommufd), "bind %s to the same iommufd", f->bdf);
	rc = reset_info(e->fd, &info, sizeof(info));
	ok(!rc && info.dev[0].devid == e->devid && info.dev[1].devid == f->devid,
	   "HOT_RESET_INFO names both by DEVICE ID (%u, %u)", info.dev[0].devid,
	   info.dev[1].devid);

	ok(!attach(e, ioas) && !attach(f, ioas), "attach both");
	map_bar(e);
	pattern(src, PAGE, 21);
	ok(!ioas_map_fixed(iommufd, ioas, src, PAGE, 0x1000) &&
		   !ioas_map_fixed(iommufd, ioas, dst, PAGE, 0x2000) &&
		   !bus_master_on(e->fd) && !edu_copy(e, 0x1000, 0x2000) &&
		   !memcmp(src, dst, XFER),
	   "DMA of %s lands", e->bdf);
	ok_errno(hot_reset(e->fd, 0, 0, NULL), 0,
		 "HOT_RESET with a zero-length group array: done");
	memset(dst, 0, PAGE);
	ok(rd32(e, EDU_IDENT) == EDU_IDENT_VALUE && !bus_master_on(e->fd) &&
		   !edu_copy(e, 0x1000, 0x2000) && !memcmp(src, dst, XFER),
	   "after the reset the BAR mapping works again and DMA lands");
	dev_close(f);
	ok(!reset_info(e->fd, &info, sizeof(info)) &&
		   info.dev[1].devid == VFIO_PCI_DEVID_OWNED,
	   "%s closed: owned through the group again", f->bdf);
	ok_errno(hot_reset(e->fd, 0, 0, NULL), 0, "and the reset is allowed");

	ok(!bind_driver(f->bdf, 0), "unbind %s from vfio-pci", f->bdf);
	rc = reset_info(e->fd, &info, sizeof(info));
	ok(!rc && info.hdr.flags == VFIO_PCI_HOT_RESET_FLAG_DEV_ID &&
		   info.dev[1].devid == (uint32_t)VFIO_PCI_DEVID_NOT_OWNED,
	   "HOT_RESET_INFO: %s is not owned, the owned flag is gone (flags 0x%x)",
	   f->bdf, info.hdr.flags);
	ok_errno(hot_reset(e->fd, 0, 0, NULL), EINVAL,
		 "HOT_RESET with a function outside VFIO: EINVAL");
	ok(!bind_driver(f->bdf, 1), "%s back on vfio-pci", f->bdf);
	find_cdev(f);
	ok(!reset_info(e->fd, &info, sizeof(info)) &&
		   info.hdr.flags == (VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
				      VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED) &&
		   info.dev[1].devid == VFIO_PCI_DEVID_OWNED,
	   "and owned through the group again");
	dev_close(e);
	ok(!ioas_unmap(iommufd, ioas, 0, UINT64_MAX, NULL) &&
		   !destroy(iommufd, ioas) && table_empty(iommufd),
	   "the iommufd is emptied");

	/* The group path: group IDs, and the group fd as proof */
	gfd = group_open(e->group);
	container = gfd >= 0 ? type1_container(gfd) : -1;
	ok(container >= 0 && !group_device(gfd, &g),
	   "%s through the group path (type1)", e->bdf);
	rc = reset_info(g.fd, &info, sizeof(info));
	ok(!rc && !info.hdr.flags && info.hdr.count == 2 &&
		   info.dev[0].group_id == (uint32_t)e->group &&
		   info.dev[1].group_id == (uint32_t)e->group,
	   "HOT_RESET_INFO on the group path: group IDs (%u), no flags",
	   info.dev[0].group_id);
	ok_errno(hot_reset(g.fd, 0, 0, NULL), EINVAL,
		 "group path: a zero-length group array is EINVAL");
	wrong = -1;
	ok_errno(hot_reset(g.fd, 0, 1, &wrong), EBADF, "group fd -1: EBADF");
	ok_errno(hot_reset(g.fd, 0, 1, &container), EINVAL,
		 "a container fd instead of the group fd: EINVAL");
	ok_errno(hot_reset(g.fd, 0, 1, &gfd), 0, "the group fd: reset done");
	dev_close(&g);
	close(gfd);
	close(container);
	close(iommufd);
	munmap(src, PAGE);
	munmap(dst, PAGE);
	clean(&s, "hot reset");
}

static int irq_info(int fd, uint32_t index, struct vfio_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl_err(fd, VFIO_DEVICE_GET_IRQ_INFO, info);
}

/* SET_IRQS on MSI: @efd >= 0 an eventfd, -1 trigger (DATA_NONE), -2 off */
static int set_msi(int fd, int efd)
{
	struct {
		struct vfio_irq_set hdr;
		int32_t fd;
	} cmd = { .hdr = { .argsz = sizeof(cmd), .index = VFIO_PCI_MSI_IRQ_INDEX,
			   .start = 0 } };

	cmd.hdr.flags = VFIO_IRQ_SET_ACTION_TRIGGER;
	if (efd >= 0) {
		cmd.hdr.flags |= VFIO_IRQ_SET_DATA_EVENTFD;
		cmd.hdr.count = 1;
		cmd.fd = efd;
	} else {
		cmd.hdr.flags |= VFIO_IRQ_SET_DATA_NONE;
		cmd.hdr.count = efd == -1;
		cmd.hdr.argsz = sizeof(cmd.hdr);
	}
	return ioctl_err(fd, VFIO_DEVICE_SET_IRQS, &cmd);
}

/* The eventfd's count once it is readable (up to @ms), else 0 */
static uint64_t event(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) != 1 || read(efd, &n, 8) != 8)
		return 0;
	return n;
}

/* Is there a vfio-msi line for @bdf in /proc/interrupts? */
static int msi_irq_listed(const char *bdf)
{
	char line[512], want[64];
	FILE *f = fopen("/proc/interrupts", "r");
	int found = 0;

	snprintf(want, sizeof(want), "vfio-msi[0](%s)", bdf);
	while (f && fgets(line, sizeof(line), f))
		found |= !!strstr(line, want);
	if (f)
		fclose(f);
	return found;
}

/* MSI through an eventfd: the edu raises its interrupt, the eventfd fires */
static void test_msi(struct edu *a)
{
	int iommufd = open_iommufd(), efd = eventfd(0, EFD_NONBLOCK), rc;
	struct vfio_irq_info info;
	struct start s;
	uint32_t ioas;

	start(&s);
	ioas_alloc(iommufd, &ioas);
	dev_open(a);
	ok(!bind(a, iommufd) && !attach(a, ioas), "bind, attach");
	map_bar(a);
	rc = irq_info(a->fd, VFIO_PCI_MSI_IRQ_INDEX, &info);
	ok(!rc && info.count == 1 &&
		   info.flags == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE),
	   "IRQ_INFO MSI: 1 vector, eventfd, not resizable (flags 0x%x)",
	   info.flags);
	ok(!irq_info(a->fd, VFIO_PCI_INTX_IRQ_INDEX, &info) && info.count == 1 &&
		   info.flags == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
				  VFIO_IRQ_INFO_AUTOMASKED),
	   "IRQ_INFO INTx: 1, eventfd, maskable, automasked");
	ok(!irq_info(a->fd, VFIO_PCI_MSIX_IRQ_INDEX, &info) && info.count == 0,
	   "IRQ_INFO MSI-X: none");
	ok_errno(irq_info(a->fd, VFIO_PCI_ERR_IRQ_INDEX, &info), EINVAL,
		 "IRQ_INFO ERR on a conventional PCI device: EINVAL");
	ok_errno(irq_info(a->fd, VFIO_PCI_NUM_IRQS, &info), EINVAL,
		 "IRQ_INFO index %d: EINVAL", VFIO_PCI_NUM_IRQS);
	info.argsz = 8;
	ok_errno(ioctl_err(a->fd, VFIO_DEVICE_GET_IRQ_INFO, &info), EINVAL,
		 "IRQ_INFO with argsz 8: EINVAL");

	ok(!bus_master_on(a->fd) && !msi_enabled(a->bdf) &&
		   !msi_irq_listed(a->bdf),
	   "bus mastering on; MSI still off");
	ok(!set_msi(a->fd, efd), "SET_IRQS: MSI vector 0 signals an eventfd");
	ok(msi_enabled(a->bdf) && msi_irq_listed(a->bdf),
	   "MSI is enabled in the device, the host has a vfio-msi interrupt");
	ok(!event(efd, 200), "no interrupt yet");
	wr32(a, EDU_IRQ_RAISE, 0x1);
	ok(event(efd, 2000) == 1, "the edu raises its interrupt: the eventfd fires once");
	ok(rd32(a, EDU_IRQ_STATUS) == 0x1, "interrupt status 1");
	wr32(a, EDU_IRQ_ACK, 0x1);
	ok(rd32(a, EDU_IRQ_STATUS) == 0, "acknowledged: status 0");
	wr32(a, EDU_IRQ_RAISE, 0x2);
	ok(event(efd, 2000) == 1, "raised again: it fires again");
	wr32(a, EDU_IRQ_ACK, 0x2);
	ok(!set_msi(a->fd, -1) && event(efd, 2000) == 1,
	   "SET_IRQS DATA_NONE: a software trigger fires it too");
	ok(!set_msi(a->fd, -2), "SET_IRQS with count 0: MSI off");
	ok(!msi_enabled(a->bdf) && !msi_irq_listed(a->bdf),
	   "MSI is disabled in the device, the host interrupt is gone");
	ok_errno(set_msi(a->fd, -1), EINVAL,
		 "a software trigger of disabled MSI: EINVAL");
	ok(!set_msi(a->fd, efd) && msi_enabled(a->bdf), "MSI on again");
	dev_close(a);
	ok(!msi_enabled(a->bdf) && !msi_irq_listed(a->bdf),
	   "closing the device fd turns MSI off and frees the interrupt");
	close(efd);
	close(iommufd);
	clean(&s, "MSI");
}

/* Two functions of one IOMMU group: owned, attached and moved as one */
static void test_one_group(struct edu *c, struct edu *d)
{
	uint8_t *src = buffer(PAGE, 0), *d1 = buffer(PAGE, 0);
	uint8_t *d2 = buffer(PAGE, 0);
	int ctx1 = open_iommufd(), ctx2 = open_iommufd();
	uint64_t sv = 0x1000, t1 = 0x2000, t2 = 0x3000;
	uint32_t ioas1, ioas2, other;
	struct start s;

	start(&s);
	ok(c->group == d->group, "%s and %s share IOMMU group %d", c->bdf,
	   d->bdf, c->group);
	ioas_alloc(ctx1, &ioas1);
	ioas_alloc(ctx1, &ioas2);
	pattern(src, PAGE, 7);
	ioas_map_fixed(ctx1, ioas1, src, PAGE, sv);
	ioas_map_fixed(ctx1, ioas1, d1, PAGE, t1);
	ioas_map_fixed(ctx1, ioas2, src, PAGE, sv);
	ioas_map_fixed(ctx1, ioas2, d2, PAGE, t2);
	dev_open(c);
	dev_open(d);

	ok(!bind(c, ctx1), "bind the first function to iommufd 1");
	ok_errno(bind(d, ctx2), EBUSY,
		 "bind the second to iommufd 2: EBUSY, iommufd 1 owns the group");
	ok(table_empty(ctx2), "which left nothing in iommufd 2");
	ioas_alloc(ctx2, &other);
	ok(!bind(d, ctx1) && d->devid != c->devid,
	   "the same fd binds the second to iommufd 1");

	ok(!attach(c, ioas1), "attach the first function to IOAS 1");
	ok_errno(attach(d, ioas2), EINVAL,
		 "attach the second to IOAS 2: EINVAL, the group is on IOAS 1");
	ok(!attach(d, ioas1) && d->pt_id == c->pt_id,
	   "attach the second to IOAS 1: it joins HWPT %u", c->pt_id);
	ok_errno(attach(c, ioas2), EINVAL,
		 "move the first alone to IOAS 2: EINVAL");
	ok_errno(destroy(ctx1, c->pt_id), EBUSY, "and it stays on its HWPT");
	map_bar(c);
	map_bar(d);
	ok(!bus_master_on(d->fd) && !edu_copy(d, sv, t1) && !memcmp(src, d1, XFER),
	   "DMA of the second function through IOAS 1");

	ok(!detach(c), "detach the first function");
	memset(d1, 0, PAGE);
	ok(!edu_copy(d, sv, t1) && !memcmp(src, d1, XFER),
	   "the second still DMAs: the group stays attached");
	ok(!attach(d, ioas2) && !attach(c, ioas2) && c->pt_id == d->pt_id,
	   "the second moves the group to IOAS 2, the first follows");
	ok(!bus_master_on(c->fd) && !edu_copy(c, sv, t2) && !memcmp(src, d2, XFER),
	   "DMA of the first function through IOAS 2");
	memset(d1, 0, PAGE);
	ok(!edu_copy(c, sv, t1) && !d1[0], "IOAS 1's destination is out of reach");

	dev_close(c);
	dev_open(c);
	ok_errno(bind(c, ctx2), EBUSY,
		 "first closed: iommufd 1 still owns the group through the second");
	dev_close(d);
	ok(!bind(c, ctx2) && !attach(c, other),
	   "both released: iommufd 2 binds and attaches the first");
	dev_close(c);
	close(ctx1);
	close(ctx2);
	munmap(src, PAGE);
	munmap(d1, PAGE);
	munmap(d2, PAGE);
	clean(&s, "one group");
}

/* Test builds: each failure point of bind + attach through VFIO */
static void test_fail_nth(struct edu *a)
{
	uint8_t *buf = buffer(4 * PAGE, 0);
	int iommufd, n, brc = 0, arc = 0, retry = 1, tidy = 1, again;
	struct start s;
	uint32_t ioas;

	start(&s);
	for (n = 1; n < 200; n++) {
		iommufd = open_iommufd();
		ioas_alloc(iommufd, &ioas);
		ioas_map_fixed(iommufd, ioas, buf, 4 * PAGE, 0x10000);
		dev_open(a);
		module_param_write("fail_nth", n);
		brc = bind(a, iommufd);
		arc = brc ? -1 : attach(a, ioas);
		module_param_write("fail_nth", 0);
		/* A failure changed nothing: the same step works now */
		again = 0;
		if (brc)
			again = bind(a, iommufd) || attach(a, ioas);
		else if (arc)
			again = attach(a, ioas);
		if (again) {
			diag("fail_nth %d: bind %d attach %d, the retry failed", n,
			     brc, arc);
			retry = 0;
		}
		dev_close(a);
		ioas_unmap(iommufd, ioas, 0x10000, 4 * PAGE, NULL);
		destroy(iommufd, ioas);
		if (!table_empty(iommufd) || vm_pin() != s.pin ||
		    foll_pins() != s.foll) {
			diag("fail_nth %d: objects or pins left", n);
			tidy = 0;
		}
		close(iommufd);
		if (!brc && !arc)
			break;
	}
	ok(!brc && !arc && n > 3,
	   "fault injection: bind + attach through VFIO succeed at point %d", n);
	ok(retry, "after each failure the same bind or attach works");
	ok(tidy, "and no failure left objects or pins");
	munmap(buf, 4 * PAGE);
	clean(&s, "fault injection");
}

int main(int argc, char **argv)
{
	struct edu dev[6] = { 0 }, *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	struct edu *e = NULL, *f = NULL;
	int i, j;

	if (argc != 7)
		tap_bail("usage: vfio_cdev BDF... (six edu devices on vfio-pci)");
	for (i = 0; i < 6; i++) {
		int shared = 0;

		dev[i].bdf = argv[i + 1];
		dev[i].group = iommu_group_of(dev[i].bdf);
		dev[i].fd = -1;
		find_cdev(&dev[i]);
		for (j = 0; j < 6; j++)
			shared |= j != i && iommu_group_of(argv[j + 1]) == dev[i].group;
		if (!on_root_bus(dev[i].bdf))
			*(e ? &f : &e) = &dev[i];
		else if (shared)
			*(c ? &d : &c) = &dev[i];
		else
			*(a ? &b : &a) = &dev[i];
	}
	if (!a || !b || !c || !d || !e || !f)
		tap_bail("not the six edu devices of the usage");
	diag("root bus: %s (group %d), %s (group %d), %s and %s (group %d)",
	     a->bdf, a->group, b->bdf, b->group, c->bdf, d->bdf, c->group);
	diag("behind a root port: %s and %s (group %d)", e->bdf, f->bdf, e->group);

	test_before_bind(a);
	test_bind(a);
	test_regions(a);
	test_attach(a);
	test_dma(a);
	test_two_devices(a, b);
	test_close_orders(a);
	test_legacy_group(a, c, d);
	test_hot_reset(a, e, f);
	test_msi(a);
	test_one_group(c, d);
	if (is_test_build())
		test_fail_nth(a);
	return tap_done();
}
