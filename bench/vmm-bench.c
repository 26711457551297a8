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

#define ROUNDS	5
#define SLOT	5

static const char *bdf;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Seconds QMP device_add of the edu takes, or -1 */
static double hotplug_seconds(int mem_mb, int iommufd)
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

static void rows(int mem_mb)
{
	double ours[ROUNDS], type1[ROUNDS];
	char what[96];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		ours[i] = hotplug_seconds(mem_mb, 1);
		type1[i] = hotplug_seconds(mem_mb, 0);
		if (ours[i] < 0 || type1[i] < 0) {
			printf("| device_add with %d MiB of guest RAM: FAILED\n", mem_mb);
			return;
		}
	}
	qsort(ours, ROUNDS, sizeof(double), cmp_double);
	qsort(type1, ROUNDS, sizeof(double), cmp_double);
	snprintf(what, sizeof(what), "device_add (realize + map %d MiB of guest RAM), iommufd",
		 mem_mb);
	row(what, ours[ROUNDS / 2], "s");
	snprintf(what, sizeof(what), "device_add (realize + map %d MiB of guest RAM), type1",
		 mem_mb);
	row(what, type1[ROUNDS / 2], "s");
	row("  iommufd / type1", ours[ROUNDS / 2] / type1[ROUNDS / 2], "x");
}

int main(int argc, char **argv)
{
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
	rows(256);
	rows(1024);
	return 0;
}
