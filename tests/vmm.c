// SPDX-License-Identifier: GPL-2.0-only
/*
 * A real VMM through /dev/iommu: Debian 13's QEMU 10, unmodified, assigns
 * an edu device bound to the rebuilt vfio-pci, with its iommufd backend
 * (-object iommufd), as a VMM user would.
 *
 * Usage: vmm BDF [BDF2]   (edu devices bound to vfio-pci, each alone in its
 *                          IOMMU group)
 *
 * The nested guest never runs: QEMU's qtest protocol plays its part (PCI
 * config, BAR and memory accesses), QMP is the management side. Checked:
 * the device is realized through the cdev (host=, sysfsdev= and fd= passing
 * as libvirt does) and the guest's RAM is mapped (pinned) through
 * /dev/iommu; the device's DMA lands in guest RAM and nowhere else; its MSI
 * arrives through VFIO's eventfd; two assigned devices share one mapping;
 * device_del releases everything; SIGKILL leaves nothing pinned and the
 * device reusable; and the legacy type1 path (-device vfio-pci,host= without
 * iommufd) still works on the same rebuilt VFIO.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>

#include "edu.h"
#include "qemu_client.h"
#include "utils.h"

#define GUEST_MB	256
#define SLOT		5		/* the assigned device's PCI slot */
#define SLOT2		6
#define BAR0		0xe0000000ULL	/* in the PC's PCI hole */
#define BAR0_2		0xe0100000ULL
#define XFER		2048
#define GUARD		256	/* bytes checked untouched around a DMA target */
#define SRC_GPA		0x100000ULL	/* guest RAM */
#define DST_GPA		0x200000ULL
#define MSI_GPA		0x300000ULL
/* In the i440FX's PAM3 segments (0xd0000-0xd7fff), guard bytes included */
#define PAM_GPA		0xd1000ULL
#define I440FX_PAM3	0x5c
#define PAM_RAM_RW	0x33	/* both halves: reads and writes go to RAM */
#define MSI_DATA	0x4d53
#define UNMAPPED_GPA	0x40000000ULL	/* above guest RAM: no mapping */
#define ACPI_PCI_EJECT	0xae08		/* PIIX4 ACPI PCI hotplug: eject */

static const char *bdf, *bdf2;
static char cdev[64], cdev2[64], group[16];

/* /dev/vfio/devices/vfioN of a PCI device bound to vfio-pci */
static int find_cdev(const char *dev, char *out, size_t len)
{
	char path[300];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", dev);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "vfio", 4))
			snprintf(out, len, "/dev/vfio/devices/%.32s", d->d_name);
	closedir(dir);
	return out[0] ? 0 : -1;
}

static long vm_pin_of(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return proc_kb(path, "VmPin");
}

/* Whether process @pid has @file open */
static int has_open(pid_t pid, const char *file)
{
	char dir[64], link[384], target[PATH_MAX];
	struct dirent *d;
	int found = 0;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = opendir(dir);
	while (fds && (d = readdir(fds))) {
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%.255s", dir, d->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			found |= !strcmp(target, file);
		}
	}
	if (fds)
		closedir(fds);
	return found;
}

/*
 * The system's pinned pages once they settle at @want (up to 10 s): a QEMU
 * that exited may leave its io_uring rings pinned until the kernel's
 * asynchronous teardown of the ring runs, a moment after the process is gone
 */
static long pins_settle(long want)
{
	long now = foll_pins();
	int i;

	for (i = 0; i < 100 && now != want; i++) {
		usleep(100000);
		now = foll_pins();
	}
	return now;
}

/* The system's pinned pages once steady for a second (up to 10 s) */
static long pins_baseline(void)
{
	long now = foll_pins(), prev = -2;
	int i;

	for (i = 0; i < 10 && now != prev; i++) {
		prev = now;
		sleep(1);
		now = foll_pins();
	}
	return now;
}

/* Pinned pages back at @before, once settled */
#define ok_pins(before, what)                                                  \
	do {                                                                   \
		long _now = pins_settle(before);                               \
		ok(_now == (before), "%s (%ld -> %ld pages)", what, before, _now); \
	} while (0)

/* The nested guest's view: program the assigned edu at @slot, BAR at @bar */
static int guest_enable(struct qemu *q, int slot, uint64_t bar)
{
	if (qt_cfg_read32(q, slot, 0) != EDU_VENDOR_DEVICE)
		return -1;
	qt_cfg_write32(q, slot, 0x10, (uint32_t)bar);
	/* Memory space and bus mastering */
	qt_cfg_write16(q, slot, 0x04, 0x6);
	return qt_readl(q, bar + EDU_IDENT) == EDU_IDENT_VALUE ? 0 : -1;
}

/* One DMA of the edu engine, started by the guest; 0 once it is done */
static int guest_dma(struct qemu *q, uint64_t bar, uint64_t src, uint64_t dst,
		     int to_ram)
{
	double end = qemu_now() + 20;

	qt_writeq(q, bar + EDU_DMA_SRC, src);
	qt_writeq(q, bar + EDU_DMA_DST, dst);
	qt_writeq(q, bar + EDU_DMA_COUNT, XFER);
	qt_writeq(q, bar + EDU_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	while (qemu_now() < end) {
		if (!(qt_readl(q, bar + EDU_DMA_CMD) & EDU_DMA_RUN))
			return 0;
		usleep(10000);
	}
	return -1;
}

/* The device copies XFER bytes of guest memory from @from to @to */
static int guest_copy(struct qemu *q, uint64_t bar, uint64_t from, uint64_t to)
{
	if (guest_dma(q, bar, from, EDU_BUFFER, 0))
		return -1;
	return guest_dma(q, bar, EDU_BUFFER, to, 1);
}

/*
 * Write a pattern at SRC_GPA, have the device copy it to @dst, and compare
 * what the guest finds there; 1 if it landed exactly
 */
static int dma_lands(struct qemu *q, uint64_t bar, uint64_t dst, unsigned int seed)
{
	uint8_t src[XFER], got[GUARD + XFER + GUARD];
	unsigned int i;

	for (i = 0; i < XFER; i++)
		src[i] = (uint8_t)(i * 7 + seed);
	/* Guard bytes on both sides: the DMA writes nothing but its target */
	memset(got, 0xa5, sizeof(got));
	memset(got + GUARD, 0, XFER);
	if (qt_memwrite(q, SRC_GPA, src, XFER) ||
	    qt_memwrite(q, dst - GUARD, got, sizeof(got)) ||
	    guest_copy(q, bar, SRC_GPA, dst) ||
	    qt_memread(q, dst - GUARD, got, sizeof(got)))
		return 0;
	for (i = 0; i < GUARD; i++)
		if (got[i] != 0xa5 || got[GUARD + XFER + i] != 0xa5)
			return 0;
	return !memcmp(src, got + GUARD, XFER);
}

/* The MSI capability's offset in the assigned device's config space */
static int msi_cap(struct qemu *q, int slot)
{
	int off = qt_cfg_read32(q, slot, 0x34) & 0xfc;

	while (off) {
		uint32_t hdr = qt_cfg_read32(q, slot, off);

		if ((hdr & 0xff) == 0x05)
			return off;
		off = (hdr >> 8) & 0xfc;
	}
	return -1;
}

/*
 * The guest enables MSI with its message aimed at guest RAM (MSI_GPA) and
 * has the device raise its interrupt: the host's interrupt reaches QEMU
 * through VFIO's eventfd and QEMU delivers the message, which lands there
 */
static int msi_arrives(struct qemu *q, uint64_t bar, int slot, uint32_t seq)
{
	int cap = msi_cap(q, slot);
	uint32_t zero = 0, got = 0;
	double end;

	if (cap < 0)
		return 0;
	qt_memwrite(q, MSI_GPA, &zero, 4);
	qt_cfg_write32(q, slot, cap + 4, (uint32_t)MSI_GPA);
	qt_cfg_write32(q, slot, cap + 8, 0);
	qt_cfg_write16(q, slot, cap + 12, MSI_DATA + seq);
	qt_cfg_write16(q, slot, cap + 2, 0x1);
	qt_writel(q, bar + EDU_IRQ_RAISE, 0x1);
	for (end = qemu_now() + 10; qemu_now() < end; usleep(10000)) {
		qt_memread(q, MSI_GPA, &got, 4);
		if (got)
			break;
	}
	qt_writel(q, bar + EDU_IRQ_ACK, 0x1);
	return got == MSI_DATA + seq;
}

/* QEMU with one edu assigned through the iommufd backend, by host= */
static const char *const iommufd_args[] = {
	"-object", "iommufd,id=iommufd0",
	"-device", "vfio-pci,id=hostdev0,addr=5,iommufd=iommufd0,host=%s",
	NULL
};

/* Fills @out from @tmpl, replacing the one %s with @dev */
static void args_for(const char *const *tmpl, const char *dev, char bufs[][160],
		     const char **out)
{
	int i;

	for (i = 0; tmpl[i]; i++) {
		snprintf(bufs[i], 160, tmpl[i], dev);
		out[i] = bufs[i];
	}
	out[i] = NULL;
}

static void test_iommufd_host(void)
{
	long pins = pins_baseline(), alive = objects_alive(), faults;
	const char *args[8];
	char bufs[8][160];
	struct qemu q;

	diag("QEMU: -object iommufd -device vfio-pci,host=%s,iommufd=...", bdf);
	args_for(iommufd_args, bdf, bufs, args);
	if (!ok(!qemu_start(&q, GUEST_MB, args, NULL),
		"QEMU starts and realizes vfio-pci through the iommufd backend"))
		return;
	diag("QEMU up in %.2f s", q.start_secs);
	ok(has_open(q.pid, "/dev/iommu"), "QEMU has /dev/iommu open");
	ok(has_open(q.pid, cdev), "and the device cdev %s", cdev);
	ok(!has_open(q.pid, "/dev/vfio/vfio"), "and no legacy container");
	ok(vm_pin_of(q.pid) >= GUEST_MB * 1024L,
	   "the guest's %d MiB of RAM are pinned through iommufd (VmPin %ld kB)",
	   GUEST_MB, vm_pin_of(q.pid));
	ok(!guest_enable(&q, SLOT, BAR0),
	   "the guest sees the edu at slot %d and reads its ID through the BAR", SLOT);
	ok(dma_lands(&q, BAR0, DST_GPA, 1),
	   "device DMA reads and writes guest RAM, byte for byte, and nothing around it");
	faults = dmar_faults();
	ok(!guest_copy(&q, BAR0, SRC_GPA, UNMAPPED_GPA) && dmar_fault_since(faults),
	   "DMA to a guest address without RAM is blocked (DMAR fault)");
	faults = dmar_faults();
	ok(!guest_copy(&q, BAR0, SRC_GPA, BAR0) && dmar_fault_since(faults),
	   "DMA to the guest's own BAR (not mapped: no P2P) is blocked");
	ok(dma_lands(&q, BAR0, DST_GPA + 0x10000, 2),
	   "and the device still DMAs to guest RAM afterwards");
	/*
	 * The guest changes its memory map: the i440FX's PAM3 register
	 * (config 0x5c) shows RAM at 0xd0000-0xd7fff instead of the BIOS
	 * ROM area, and back. QEMU maps that RAM into the IOAS, and unmaps
	 * it again (the ROM that returns is read-only for DMA).
	 */
	faults = dmar_faults();
	ok(!guest_copy(&q, BAR0, SRC_GPA, PAM_GPA) && dmar_fault_since(faults),
	   "DMA to 0xd1000, the BIOS ROM area, is blocked (not writable)");
	ok(!qt_cfg_write8(&q, 0, I440FX_PAM3, PAM_RAM_RW) &&
		   dma_lands(&q, BAR0, PAM_GPA, 3),
	   "the guest maps RAM at 0xd0000 (PAM): QEMU maps it, DMA lands there");
	faults = dmar_faults();
	ok(!qt_cfg_write8(&q, 0, I440FX_PAM3, 0) &&
		   !guest_copy(&q, BAR0, SRC_GPA, PAM_GPA) && dmar_fault_since(faults),
	   "the guest unmaps it: QEMU unmaps it, DMA there is blocked (DMAR fault)");
	ok(msi_arrives(&q, BAR0, SLOT, 1),
	   "the device's MSI reaches the guest (VFIO_DEVICE_SET_IRQS eventfd)");
	ok(msi_arrives(&q, BAR0, SLOT, 2), "and a second one");

	/* Hot-unplug as a management layer does: QMP, then the guest ejects */
	ok(!qmp(&q, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"hostdev0\"}}"),
	   "QMP device_del");
	qt(&q, "outl 0x%x 0x%x", ACPI_PCI_EJECT, 1u << SLOT);
	ok(!qmp_wait_event(&q, "DEVICE_DELETED", 20000), "DEVICE_DELETED");
	ok(!has_open(q.pid, cdev), "QEMU closed the device cdev");
	ok(vm_pin_of(q.pid) == 0, "nothing pinned by QEMU any more (VmPin %ld kB)",
	   vm_pin_of(q.pid));
	if (alive >= 0)
		ok(objects_alive() == alive,
		   "QEMU, still running, destroyed its IOAS: no iommufd object left");
	ok(qemu_quit(&q) == 0, "QEMU quits cleanly");
	ok_pins(pins, "no page left pinned in the system");
	if (alive >= 0)
		ok(objects_alive() == alive, "no iommufd object left");
}

static void test_sysfsdev(void)
{
	static const char *const tmpl[] = {
		"-object", "iommufd,id=iommufd0",
		"-device",
		"vfio-pci,addr=5,iommufd=iommufd0,sysfsdev=/sys/bus/pci/devices/%s",
		NULL
	};
	long pins = pins_baseline();
	const char *args[8];
	char bufs[8][160];
	struct qemu q;

	args_for(tmpl, bdf, bufs, args);
	if (!ok(!qemu_start(&q, GUEST_MB, args, NULL),
		"QEMU realizes vfio-pci,sysfsdev=... (vfio-dev/ lookup) with iommufd"))
		return;
	ok(has_open(q.pid, cdev), "through the cdev");
	ok(!guest_enable(&q, SLOT, BAR0) && dma_lands(&q, BAR0, DST_GPA, 3),
	   "and its DMA reaches guest RAM");
	ok(qemu_quit(&q) == 0, "QEMU quits");
	ok_pins(pins, "no page left pinned");
}

/* fd= passing: the management layer opens both files, QEMU gets the fds */
static void test_fd_passing(void)
{
	long pins = pins_baseline();
	char obj[64], dev[96];
	const char *args[6];
	int iommufd, devfd, keep[3];
	struct qemu q;

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	devfd = open(cdev, O_RDWR | O_CLOEXEC);
	if (!ok(iommufd >= 0 && devfd >= 0, "open /dev/iommu and %s for QEMU", cdev))
		return;
	snprintf(obj, sizeof(obj), "iommufd,id=iommufd0,fd=%d", iommufd);
	snprintf(dev, sizeof(dev), "vfio-pci,addr=5,iommufd=iommufd0,fd=%d", devfd);
	args[0] = "-object";
	args[1] = obj;
	args[2] = "-device";
	args[3] = dev;
	args[4] = NULL;
	keep[0] = iommufd;
	keep[1] = devfd;
	keep[2] = -1;
	ok(!qemu_start(&q, GUEST_MB, args, keep),
	   "QEMU realizes vfio-pci,fd=N with -object iommufd,fd=M (libvirt style)");
	/* As libvirt does: only QEMU holds them now */
	close(iommufd);
	close(devfd);
	if (!q.pid)
		return;
	ok(vm_pin_of(q.pid) >= GUEST_MB * 1024L, "guest RAM pinned through the passed fd");
	ok(!guest_enable(&q, SLOT, BAR0) && dma_lands(&q, BAR0, DST_GPA, 4),
	   "and the device's DMA reaches guest RAM");
	ok(qemu_quit(&q) == 0, "QEMU quits");
	ok_pins(pins, "no page left pinned");
}

/* Two assigned devices: one IOAS, the guest's RAM pinned once */
static void test_two_devices(void)
{
	char d1[160], d2[160];
	const char *args[8] = { "-object", "iommufd,id=iommufd0" };
	long pins = pins_baseline();
	struct qemu q;

	if (!bdf2)
		return;
	snprintf(d1, sizeof(d1), "vfio-pci,addr=%d,iommufd=iommufd0,host=%s", SLOT, bdf);
	snprintf(d2, sizeof(d2), "vfio-pci,addr=%d,iommufd=iommufd0,host=%s", SLOT2, bdf2);
	args[2] = "-device";
	args[3] = d1;
	args[4] = "-device";
	args[5] = d2;
	if (!ok(!qemu_start(&q, GUEST_MB, args, NULL), "QEMU with two assigned edus"))
		return;
	ok(vm_pin_of(q.pid) >= GUEST_MB * 1024L &&
	   vm_pin_of(q.pid) < 2 * GUEST_MB * 1024L,
	   "guest RAM pinned once for both devices (VmPin %ld kB)", vm_pin_of(q.pid));
	ok(!guest_enable(&q, SLOT, BAR0) && !guest_enable(&q, SLOT2, BAR0_2),
	   "the guest sees both");
	ok(dma_lands(&q, BAR0, DST_GPA, 5) && dma_lands(&q, BAR0_2, DST_GPA + 0x10000, 6),
	   "both DMA into guest RAM");
	ok(qemu_quit(&q) == 0, "QEMU quits");
	ok_pins(pins, "no page left pinned");
}

/* SIGKILL mid-run: the kernel releases everything; the device is reusable */
static void test_sigkill(void)
{
	long pins = pins_baseline(), alive = objects_alive();
	const char *args[8];
	char bufs[8][160];
	struct qemu q;
	int status;

	args_for(iommufd_args, bdf, bufs, args);
	if (!ok(!qemu_start(&q, GUEST_MB, args, NULL), "QEMU with the edu assigned"))
		return;
	guest_enable(&q, SLOT, BAR0);
	ok(dma_lands(&q, BAR0, DST_GPA, 7), "DMA works");
	/* Mid-run: a DMA in flight */
	qt_writeq(&q, BAR0 + EDU_DMA_SRC, SRC_GPA);
	qt_writeq(&q, BAR0 + EDU_DMA_DST, EDU_BUFFER);
	qt_writeq(&q, BAR0 + EDU_DMA_COUNT, XFER);
	qt_writeq(&q, BAR0 + EDU_DMA_CMD, EDU_DMA_RUN);
	status = qemu_kill(&q);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "QEMU killed with SIGKILL");
	ok_pins(pins, "every page it had pinned is unpinned");
	if (alive >= 0)
		ok(objects_alive() == alive, "every iommufd object is gone");

	args_for(iommufd_args, bdf, bufs, args);
	if (!ok(!qemu_start(&q, GUEST_MB, args, NULL),
		"a new QEMU assigns the same device"))
		return;
	ok(!guest_enable(&q, SLOT, BAR0) && dma_lands(&q, BAR0, DST_GPA, 8),
	   "and its DMA works");
	ok(qemu_quit(&q) == 0, "QEMU quits");
	ok_pins(pins, "no page left pinned");
}

/* The legacy path on the same rebuilt VFIO: container, group, type1 */
static void test_legacy(void)
{
	char dev[96], grp[32];
	const char *args[3] = { "-device" };
	long pins = pins_baseline();
	struct qemu q;

	snprintf(dev, sizeof(dev), "vfio-pci,addr=5,host=%s", bdf);
	args[1] = dev;
	snprintf(grp, sizeof(grp), "/dev/vfio/%s", group);
	if (!ok(!qemu_start(&q, GUEST_MB, args, NULL),
		"QEMU realizes -device vfio-pci,host= the legacy way (type1)"))
		return;
	ok(has_open(q.pid, "/dev/vfio/vfio") && has_open(q.pid, grp),
	   "through the container and group %s", grp);
	ok(!has_open(q.pid, "/dev/iommu"), "without /dev/iommu");
	/* type1 charges locked_vm, not VmPin: count the pins themselves */
	ok(foll_pins() - pins >= GUEST_MB * 256L,
	   "type1 pinned the guest's RAM (%ld pages)", foll_pins() - pins);
	ok(!guest_enable(&q, SLOT, BAR0) && dma_lands(&q, BAR0, DST_GPA, 9),
	   "and the device's DMA reaches guest RAM");
	ok(qemu_quit(&q) == 0, "QEMU quits");
	ok_pins(pins, "no page left pinned");
}

int main(int argc, char **argv)
{
	char link[PATH_MAX], path[128];
	ssize_t n;

	if (argc < 2)
		tap_bail("usage: vmm BDF [BDF2]");
	bdf = argv[1];
	/* A second device alone in its group, if given */
	bdf2 = argc > 2 ? argv[2] : NULL;
	if (find_cdev(bdf, cdev, sizeof(cdev)))
		tap_bail("%s is not bound to vfio-pci with a cdev", bdf);
	if (bdf2 && find_cdev(bdf2, cdev2, sizeof(cdev2)))
		bdf2 = NULL;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		tap_bail("no IOMMU group for %s", bdf);
	link[n] = 0;
	snprintf(group, sizeof(group), "%s", strrchr(link, '/') + 1);

	test_iommufd_host();
	test_sysfsdev();
	test_fd_passing();
	test_two_devices();
	test_sigkill();
	test_legacy();
	return tap_done();
}
