// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMM story: Debian 13's QEMU, unmodified, assigns an edu PCI device to
 * a guest through /dev/iommu (iommufd.ko) and Debian's own VFIO, rebuilt
 * with iommufd support, and this program shows what happens.
 *
 * Usage: vmm-demo BDF   (an edu device bound to vfio-pci)
 *
 * The guest's CPUs never start: this program plays the guest through
 * QEMU's test protocol (PCI config, BAR and memory accesses) and the
 * management layer through QMP. Everything the device does is real: its
 * DMA goes through the (emulated) Intel IOMMU into the pages QEMU mapped
 * with IOMMU_IOAS_MAP.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>

#include "edu.h"
#include "qemu_client.h"

#define GUEST_MB	256
#define SLOT		5
#define BAR0		0xe0000000ULL
#define XFER		2048
#define SRC_GPA		0x100000ULL
#define DST_GPA		0x200000ULL
#define MSI_GPA		0x300000ULL
#define MSI_DATA	0x4d53
#define UNMAPPED_GPA	0x40000000ULL
#define ACPI_PCI_EJECT	0xae08
/* The i440FX's PAM3 register: 0xd0000-0xd7fff is BIOS ROM area or RAM */
#define I440FX_PAM3	0x5c
#define PAM_RAM_RW	0x33
#define PAM_GPA		0xd1000ULL

static const char message[] = "Hello from the nested guest, through /dev/iommu!";
static int failed;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void expect(int cond, const char *what)
{
	say("   -> %s: %s", what, cond ? "yes" : "NO");
	if (!cond)
		failed = 1;
}

static long proc_field(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

/* The files QEMU has open that this demo is about */
static void show_open_files(pid_t pid)
{
	char dir[64], link[384], target[PATH_MAX];
	struct dirent *d;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = opendir(dir);
	while (fds && (d = readdir(fds))) {
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%.255s", dir, d->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (!strcmp(target, "/dev/iommu") || !strncmp(target, "/dev/vfio", 9))
			say("      fd %-3s %s", d->d_name, target);
	}
	if (fds)
		closedir(fds);
}

/* Kernel log lines about DMA faults that appeared after the first @skip */
static int show_dmar_faults(int skip)
{
	char line[512];
	int n = 0;
	FILE *f = popen("dmesg", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "DMAR") || !strstr(line, "fault addr"))
			continue;
		if (n++ >= skip) {
			char *msg = strchr(line, ']');

			printf("      kernel: %s", msg ? msg + 2 : line);
		}
	}
	if (f)
		pclose(f);
	fflush(stdout);
	return n;
}

static int dma(struct qemu *q, uint64_t src, uint64_t dst, int to_ram)
{
	double end = qemu_now() + 20;

	qt_writeq(q, BAR0 + EDU_DMA_SRC, src);
	qt_writeq(q, BAR0 + EDU_DMA_DST, dst);
	qt_writeq(q, BAR0 + EDU_DMA_COUNT, XFER);
	qt_writeq(q, BAR0 + EDU_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	while (qemu_now() < end) {
		if (!(qt_readl(q, BAR0 + EDU_DMA_CMD) & EDU_DMA_RUN))
			return 0;
		usleep(10000);
	}
	return -1;
}

int main(int argc, char **argv)
{
	char dev[160], cdev[64] = "", path[300], got[XFER], buf[XFER];
	const char *args[5] = { "-object", "iommufd,id=iommufd0", "-device", dev };
	uint32_t msi = 0, zero = 0;
	struct dirent *d;
	struct qemu q;
	int cap, faults;
	double end;
	DIR *dir;

	if (argc != 2) {
		fprintf(stderr, "usage: vmm-demo BDF\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", argv[1]);
	dir = opendir(path);
	while (dir && (d = readdir(dir)))
		if (!strncmp(d->d_name, "vfio", 4))
			snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/%.32s", d->d_name);
	if (dir)
		closedir(dir);

	say("\n== Start QEMU (Debian 13's, unmodified) as a VMM would, with the iommufd backend:");
	snprintf(dev, sizeof(dev), "vfio-pci,host=%s,iommufd=iommufd0,id=edu0,addr=%d",
		 argv[1], SLOT);
	say("   qemu-system-x86_64 -M pc -m %d -object iommufd,id=iommufd0 \\", GUEST_MB);
	say("       -device %s", dev);
	say("   (plus -S -qtest ...: the guest's CPUs never start, this program plays");
	say("   the guest through QEMU's test protocol)");
	if (qemu_start(&q, GUEST_MB, args, NULL)) {
		say("   -> QEMU failed to start");
		return 1;
	}
	say("   -> QEMU realized the device in %.1f s. Its open files:", q.start_secs);
	show_open_files(q.pid);
	say("      (VFIO_DEVICE_BIND_IOMMUFD on %s, IOMMU_IOAS_ALLOC,", cdev);
	say("      VFIO_DEVICE_ATTACH_IOMMUFD_PT, then IOMMU_IOAS_MAP of the guest's RAM)");
	say("   -> guest RAM pinned for DMA: QEMU's VmPin is %ld kB (%d MiB of RAM + BIOS)",
	    proc_field(q.pid, "VmPin"), GUEST_MB);
	expect(proc_field(q.pid, "VmPin") >= GUEST_MB * 1024L, "all guest RAM mapped");

	say("\n== The guest finds the device and programs it");
	say("   config space of 00:%02x.0: vendor:device %08x", SLOT,
	    qt_cfg_read32(&q, SLOT, 0));
	qt_cfg_write32(&q, SLOT, 0x10, (uint32_t)BAR0);
	qt_cfg_write16(&q, SLOT, 0x04, 0x6);
	say("   BAR 0 at 0x%llx, memory and bus mastering on; the ID register reads 0x%08x",
	    BAR0, qt_readl(&q, BAR0 + EDU_IDENT));
	expect(qt_readl(&q, BAR0 + EDU_IDENT) == EDU_IDENT_VALUE,
	       "the guest talks to the real device through its BAR");

	say("\n== DMA into the guest's memory (IOVA = guest-physical address)");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, message, sizeof(message));
	qt_memwrite(&q, SRC_GPA, buf, XFER);
	memset(got, 0, sizeof(got));
	qt_memwrite(&q, DST_GPA, got, XFER);
	say("   guest writes \"%s\" at 0x%llx", message, SRC_GPA);
	say("   the device copies %d bytes from there into its buffer, then to 0x%llx",
	    XFER, DST_GPA);
	dma(&q, SRC_GPA, EDU_BUFFER, 0);
	dma(&q, EDU_BUFFER, DST_GPA, 1);
	qt_memread(&q, DST_GPA, got, XFER);
	say("   guest reads at 0x%llx: \"%.60s\"", DST_GPA, got);
	expect(!memcmp(buf, got, XFER), "landed, byte for byte");

	say("\n== An interrupt");
	cap = qt_cfg_read32(&q, SLOT, 0x34) & 0xfc;
	while (cap && (qt_cfg_read32(&q, SLOT, cap) & 0xff) != 0x05)
		cap = (qt_cfg_read32(&q, SLOT, cap) >> 8) & 0xfc;
	qt_memwrite(&q, MSI_GPA, &zero, 4);
	qt_cfg_write32(&q, SLOT, cap + 4, (uint32_t)MSI_GPA);
	qt_cfg_write32(&q, SLOT, cap + 8, 0);
	qt_cfg_write16(&q, SLOT, cap + 12, MSI_DATA);
	qt_cfg_write16(&q, SLOT, cap + 2, 0x1);
	say("   guest enables MSI (message 0x%x); QEMU gives VFIO an eventfd for it", MSI_DATA);
	say("   (VFIO_DEVICE_SET_IRQS); the device raises its interrupt");
	qt_writel(&q, BAR0 + EDU_IRQ_RAISE, 0x1);
	for (end = qemu_now() + 10; qemu_now() < end && !msi; usleep(10000))
		qt_memread(&q, MSI_GPA, &msi, 4);
	qt_writel(&q, BAR0 + EDU_IRQ_ACK, 0x1);
	say("   the guest receives message 0x%x", msi);
	expect(msi == MSI_DATA, "the interrupt reached the guest");

	say("\n== DMA where the guest has no memory");
	say("   the device writes to guest-physical 0x%llx, beyond the guest's %d MiB:",
	    UNMAPPED_GPA, GUEST_MB);
	say("   QEMU never mapped it, so the IOMMU must stop it");
	faults = show_dmar_faults(INT_MAX);
	dma(&q, UNMAPPED_GPA, EDU_BUFFER, 0);
	dma(&q, EDU_BUFFER, UNMAPPED_GPA, 1);
	expect(show_dmar_faults(faults) > faults, "blocked by the IOMMU");

	say("\n== The guest maps memory, then unmaps it");
	say("   the guest sets its chipset's PAM3 register: 0xd0000-0xd7fff, the BIOS");
	say("   ROM area, becomes RAM; QEMU maps that RAM into the IOAS (IOMMU_IOAS_MAP)");
	qt_cfg_write8(&q, 0, I440FX_PAM3, PAM_RAM_RW);
	memset(got, 0, sizeof(got));
	qt_memwrite(&q, PAM_GPA, got, XFER);
	dma(&q, SRC_GPA, EDU_BUFFER, 0);
	dma(&q, EDU_BUFFER, PAM_GPA, 1);
	qt_memread(&q, PAM_GPA, got, XFER);
	say("   the device copies the message there again; the guest reads \"%.60s\"",
	    got);
	expect(!memcmp(buf, got, XFER), "landed");
	say("   the guest sets PAM3 back: QEMU unmaps the RAM (IOMMU_IOAS_UNMAP) and maps");
	say("   the ROM in its place, read-only; the device writes there again:");
	qt_cfg_write8(&q, 0, I440FX_PAM3, 0);
	faults = show_dmar_faults(INT_MAX);
	dma(&q, EDU_BUFFER, PAM_GPA, 1);
	expect(show_dmar_faults(faults) > faults, "blocked by the IOMMU");

	say("\n== Unplug: QMP device_del, and the guest ejects the slot");
	qmp(&q, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"edu0\"}}");
	qt(&q, "outl 0x%x 0x%x", ACPI_PCI_EJECT, 1u << SLOT);
	expect(!qmp_wait_event(&q, "DEVICE_DELETED", 20000), "DEVICE_DELETED");
	say("   QEMU's VmPin is now %ld kB: the IOAS and its pins are gone",
	    proc_field(q.pid, "VmPin"));
	expect(proc_field(q.pid, "VmPin") == 0, "nothing left pinned");

	say("\n== QEMU quits");
	expect(qemu_quit(&q) == 0, "clean exit");
	return failed;
}
