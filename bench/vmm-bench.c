// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench, the VMM rows: Debian 13's QEMU hot-plugging an edu device
 * (QMP device_add: realize, which maps all of the guest's RAM for DMA)
 * through our iommufd and the rebuilt VFIO's cdev, against the same QEMU
 * through the legacy container and type1, in the same VM. Rounds
 * alternate between the two; each row is the median. Nothing here asserts
 * a speed.
 *
 * Usage: vmm-bench BDF   (an edu bound to vfio-pci)
 */
#include <stdint.h>

#include "qemu_client.h"

/* Rounds per row: with 5, a row swung by 1.4x from one run to the next */
#define ROUNDS	15
#define SLOT	5
/* The guest RAM of the realize row */
#define SMALL_MB 32

static const char *bdf;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Seconds QMP device_add of the edu takes, or -1 */
static double hotplug_secs(int mem_mb, int iommufd)
{
	const char *args[3] = { "-object", "iommufd,id=iommufd0" };
	char cmd[256];
	struct qemu q;
	double t;
	int rc;

	if (qemu_start(&q, mem_mb, iommufd ? args : args + 2, NULL))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"vfio-pci\", "
		 "\"host\": \"%s\", \"id\": \"hostdev0\", \"addr\": \"%d\"%s}}",
		 bdf, SLOT, iommufd ? ", \"iommufd\": \"iommufd0\"" : "");
	t = qemu_now();
	rc = qmp(&q, cmd);
	t = qemu_now() - t;
	/* Unplug before quitting: the teardown is not what is measured */
	qmp(&q, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"hostdev0\"}}");
	qt(&q, "outl 0xae08 0x%x", 1u << SLOT);
	qmp_wait_event(&q, "DEVICE_DELETED", 30000);
	if (qemu_quit(&q) || rc)
		return -1;
	return t;
}

static void row(const char *what, double value, const char *unit)
{
	printf("| %-62s | %12.3f %-8s |\n", what, value, unit);
}

/*
 * The device_add rows for @mem_mb of guest RAM; @ours and @type1 get the
 * medians. Returns -1 if a round failed.
 */
static int rows(int mem_mb, double *ours_med, double *type1_med)
{
	double ours[ROUNDS], type1[ROUNDS];
	char what[96];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		ours[i] = hotplug_secs(mem_mb, 1);
		type1[i] = hotplug_secs(mem_mb, 0);
		if (ours[i] < 0 || type1[i] < 0) {
			printf("| device_add with %d MiB of guest RAM: FAILED\n", mem_mb);
			return -1;
		}
	}
	qsort(ours, ROUNDS, sizeof(double), cmp_double);
	qsort(type1, ROUNDS, sizeof(double), cmp_double);
	*ours_med = ours[ROUNDS / 2];
	*type1_med = type1[ROUNDS / 2];
	snprintf(what, sizeof(what), "device_add (realize + map %d MiB of guest RAM), iommufd",
		 mem_mb);
	row(what, *ours_med, "s");
	snprintf(what, sizeof(what), "device_add (realize + map %d MiB of guest RAM), type1",
		 mem_mb);
	row(what, *type1_med, "s");
	row("  iommufd / type1", *ours_med / *type1_med, "x");
	return 0;
}

int main(int argc, char **argv)
{
	double small_ours, small_type1, big_ours, big_type1, ours, type1;
	char what[96];

	if (argc != 2) {
		fprintf(stderr, "usage: vmm-bench BDF\n");
		return 2;
	}
	bdf = argv[1];
	printf("\nQEMU 10 assigning an edu: our iommufd vs Debian's type1 (median of %d)\n\n",
	       ROUNDS);
	printf("| %-62s | %21s |\n", "measurement", "result");
	printf("|%s|%s|\n", "----------------------------------------------------------------",
	       "-----------------------");
	/* With little RAM to map, device_add is mostly the realize */
	if (rows(SMALL_MB, &small_ours, &small_type1))
		return 1;
	if (rows(256, &ours, &type1) || rows(1024, &big_ours, &big_type1))
		return 1;
	/* What 1 GiB more of guest RAM adds: its mapping */
	ours = big_ours - small_ours;
	type1 = big_type1 - small_type1;
	snprintf(what, sizeof(what), "mapping %d MiB more guest RAM (row difference), iommufd",
		 1024 - SMALL_MB);
	row(what, ours, "s");
	snprintf(what, sizeof(what), "mapping %d MiB more guest RAM (row difference), type1",
		 1024 - SMALL_MB);
	row(what, type1, "s");
	row("  iommufd / type1", ours / type1, "x");
	return 0;
}
