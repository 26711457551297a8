// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench, the type1 rows: Debian's VFIO type1 against our iommufd, both
 * with a real domain of the VM's Intel IOMMU, on one edu device. The same
 * buffers (256 MiB of 4 KiB pages, of THP and of hugetlb 2 MiB pages; 1 GiB
 * of hugetlb 1 GiB pages; 2 GiB of THP, the RAM of a 2 GiB guest) are
 * mapped and unmapped at the same IOVA on both sides (IOVA_OF(set)):
 *
 *  - type1: the kernel's own vfio-pci and vfio_iommu_type1 (Debian's
 *    in-tree modules, loaded by the guest script), the group's container
 *    set to VFIO_TYPE1v2_IOMMU, VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA;
 *  - ours: iommufd_pci.ko, the device bound to an iommufd and attached to
 *    an IOAS (an automatic VT-d domain), IOMMU_IOAS_MAP and
 *    IOMMU_IOAS_UNMAP.
 *
 * The device moves between the two drivers every round (driver_override),
 * and which side goes first alternates; each row is the median of the
 * rounds with their spread, and each ratio is ours over type1: below 1,
 * ours is faster. Only one side holds the memory pinned at a time, and
 * between the timed calls the program checks that the side pinned every
 * page once and released them all. Nothing here asserts a speed.
 *
 * Usage: type1-bench BDF   (an edu alone in its IOMMU group)
 */
#include <linux/iommufd.h>
#include <linux/iommufd_pci.h>
#include <linux/vfio.h>
#include <limits.h>

#include "bench.h"
#include "utils.h"

/*
 * 1 GiB-aligned, so that a 1 GiB page can be one IOPTE, and 4 GiB apart,
 * so that each set's mapping builds page tables of its own (from 1 GiB:
 * below and above the MSI window, never in it)
 */
#define IOVA_OF(i) (0x40000000ull + (i) * (4ull << 30))

static const char *bdf;
static long psz;

static const struct {
	size_t len;
	enum mem_kind kind;
} sets[] = {
	{ 256 * MIB, MEM_4K },
	{ 256 * MIB, MEM_THP },
	{ 256 * MIB, MEM_HUGE_2M },
	{ 1024 * MIB, MEM_HUGE_1G },
	/*
	 * Guest-RAM-sized: what a VMM maps for a 2 GiB guest (the mock
	 * domain's aperture is smaller, so there is no such mock row)
	 */
	{ 2048 * MIB, MEM_THP },
};

#define NR_SETS ARRAY_SIZE(sets)

enum side { TYPE1, OURS };

static char *bufs[NR_SETS];
/* Milliseconds per side, set and round */
static double map_ms[2][NR_SETS][ROUNDS], unmap_ms[2][NR_SETS][ROUNDS];
/*
 * IOMMU page-table pages a mapping added (nr_iommu_pages, 6.11+; -1 where
 * not counted), last round: what tells the IOPTE sizes the domain got
 */
static long pt_pages[2][NR_SETS];

/* Hand the device to @driver: unbind, driver_override, probe */
static void move_to(const char *driver)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 bdf);
	write_file(path, bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	if (write_file(path, driver) ||
	    write_file("/sys/bus/pci/drivers_probe", bdf))
		tap_bail("bind %s to %s", bdf, driver);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		tap_bail("%s has no driver after probing %s", bdf, driver);
	link[n] = 0;
	if (strcmp(strrchr(link, '/') + 1, driver))
		tap_bail("%s is bound to %s, not %s", bdf, link, driver);
}

/*
 * Pages pinned system-wide beyond @base must be @len's: each side pins
 * every page once while mapped, and none after unmapping. Checked outside
 * the timed calls.
 */
static void check_pins(long base, size_t len, enum side side, size_t i)
{
	long pinned = foll_pins() - base;

	if (pinned != (long)(len / psz))
		tap_bail("%s, %s: %ld pages pinned, not %zu",
			 side == TYPE1 ? "type1" : "ours",
			 mem_names[sets[i].kind], pinned, len / psz);
}

/* The device's VFIO group: the open group fd */
static int open_group(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		tap_bail("no IOMMU group for %s", bdf);
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	fd = open(path, O_RDWR);
	if (fd < 0)
		tap_bail("open %s", path);
	return fd;
}

/* One type1 round: a container with the device's group, every set */
static void type1_round(int r)
{
	int group = open_group(), container = open("/dev/vfio/vfio", O_RDWR);
	struct vfio_group_status st = { .argsz = sizeof(st) };
	double t;
	size_t i;

	if (container < 0 ||
	    ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		tap_bail("no type1v2 container");
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		tap_bail("the group of %s is not viable", bdf);
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		tap_bail("type1 container for %s", bdf);
	for (i = 0; i < NR_SETS; i++) {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)bufs[i],
			.iova = IOVA_OF(i),
			.size = sets[i].len,
		};
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap),
			.iova = IOVA_OF(i),
			.size = sets[i].len,
		};

		long base = foll_pins(), pt = vmstat_read("nr_iommu_pages");

		if (!bufs[i])
			continue;
		t = now();
		if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
			tap_bail("type1 map of %s", mem_names[sets[i].kind]);
		map_ms[TYPE1][i][r] = (now() - t) * 1000;
		check_pins(base, sets[i].len, TYPE1, i);
		pt_pages[TYPE1][i] = pt < 0 ? -1 : vmstat_read("nr_iommu_pages") - pt;
		t = now();
		if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) ||
		    unmap.size != sets[i].len)
			tap_bail("type1 unmap of %s", mem_names[sets[i].kind]);
		unmap_ms[TYPE1][i][r] = (now() - t) * 1000;
		check_pins(base, 0, TYPE1, i);
	}
	close(group);
	close(container);
}

/* One round of ours: the device bound and attached to an IOAS, every set */
static void ours_round(int r)
{
	int fd = open_iommufd(), dev;
	struct iommufd_pci_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = fd,
	};
	struct iommufd_pci_attach_pt attach = { .argsz = sizeof(attach) };
	char path[PATH_MAX];
	uint64_t unmapped;
	double t;
	uint32_t ioas;
	size_t i;

	snprintf(path, sizeof(path), "/dev/iommufd-pci/%s", bdf);
	dev = open(path, O_RDWR);
	if (dev < 0)
		tap_bail("open %s", path);
	if (ioas_alloc(fd, &ioas))
		tap_bail("IOAS_ALLOC");
	attach.pt_id = ioas;
	if (ioctl(dev, IOMMUFD_PCI_BIND_IOMMUFD, &bind) ||
	    ioctl(dev, IOMMUFD_PCI_ATTACH_PT, &attach))
		tap_bail("bind and attach %s", bdf);
	for (i = 0; i < NR_SETS; i++) {
		long base = foll_pins(), pt = vmstat_read("nr_iommu_pages");

		if (!bufs[i])
			continue;
		t = now();
		if (ioas_map_fixed(fd, ioas, bufs[i], sets[i].len,
				   IOVA_OF(i)))
			tap_bail("IOAS_MAP of %s", mem_names[sets[i].kind]);
		map_ms[OURS][i][r] = (now() - t) * 1000;
		check_pins(base, sets[i].len, OURS, i);
		pt_pages[OURS][i] = pt < 0 ? -1 : vmstat_read("nr_iommu_pages") - pt;
		t = now();
		if (ioas_unmap(fd, ioas, IOVA_OF(i), sets[i].len,
				&unmapped) ||
		    unmapped != sets[i].len)
			tap_bail("IOAS_UNMAP of %s", mem_names[sets[i].kind]);
		unmap_ms[OURS][i][r] = (now() - t) * 1000;
		check_pins(base, 0, OURS, i);
	}
	close(dev);
	close(fd);
}

static void run_side(enum side side, int r)
{
	if (side == TYPE1) {
		move_to("vfio-pci");
		type1_round(r);
	} else {
		move_to("iommufd_pci");
		ours_round(r);
	}
}

/* Type1's, ours and ours over type1 for one set and one operation */
static void rows(size_t i, const char *op, double v[2][NR_SETS][ROUNDS])
{
	double ratio;
	char name[96];

	snprintf(name, sizeof(name), "%s %zu MiB of %s, Intel domain, type1", op,
		 sets[i].len / MIB, mem_names[sets[i].kind]);
	row_spread(name, v[TYPE1][i], ROUNDS, "ms");
	row_spread("  ours (iommufd_pci, IOAS)", v[OURS][i], ROUNDS, "ms");
	ratio = v[OURS][i][ROUNDS / 2] / v[TYPE1][i][ROUNDS / 2];
	snprintf(name, sizeof(name), "  ours / type1, %s (< 1: ours faster)", op);
	printf("| %-62s | %12.2f %-8s |\n", name, ratio, "x");
}

int main(int argc, char **argv)
{
	size_t i;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: type1-bench BDF\n");
		return 2;
	}
	bdf = argv[1];
	psz = sysconf(_SC_PAGESIZE);
	for (i = 0; i < NR_SETS; i++)
		bufs[i] = alloc_kind(sets[i].len, sets[i].kind);
	for (r = 0; r < ROUNDS; r++) {
		/* Which side goes first alternates */
		run_side(r % 2 ? OURS : TYPE1, r);
		run_side(r % 2 ? TYPE1 : OURS, r);
	}
	printf("\nDebian's VFIO type1 against ours on one edu, real VT-d domain (median of %d)\n\n",
	       ROUNDS);
	printf("| %-62s | %21s |\n", "measurement", "result");
	printf("|%.64s|%.23s|\n", "-----------------------------------------"
	       "------------------------------", "-----------------------");
	for (i = 0; i < NR_SETS; i++) {
		if (!bufs[i]) {
			printf("| %-62s | %21s |\n", mem_names[sets[i].kind],
			       "no such memory");
			continue;
		}
		rows(i, "map", map_ms);
		rows(i, "unmap", unmap_ms);
		printf("| %-62s | %9ld / %-9ld |\n",
		       "  IOMMU page-table pages it added, type1 / ours",
		       pt_pages[TYPE1][i], pt_pages[OURS][i]);
	}
	printf("ok - type1 comparison completed\n1..1\n");
	return 0;
}
