// SPDX-License-Identifier: GPL-2.0-only
/*
 * A narrated tour of /dev/iommu as a program built against upstream's
 * <linux/iommufd.h> sees it: open a context, create IO address spaces, look
 * at their options, destroy them, and watch IDs stay private to a context.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/iommufd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void say(const char *what, int rc)
{
	if (rc)
		printf("  %-58s -> %s (errno %d)\n", what, strerror(errno), errno);
	else
		printf("  %-58s -> ok\n", what);
}

static unsigned int ioas_alloc(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	say("IOMMU_IOAS_ALLOC", ioctl(fd, IOMMU_IOAS_ALLOC, &cmd));
	printf("     the kernel named the new IO address space: ID %u\n",
	       cmd.out_ioas_id);
	return cmd.out_ioas_id;
}

static void destroy(int fd, unsigned int id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };
	char what[64];

	snprintf(what, sizeof(what), "IOMMU_DESTROY id %u", id);
	say(what, ioctl(fd, IOMMU_DESTROY, &cmd));
}

int main(void)
{
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_GET,
	};
	struct iommu_vfio_ioas vfio = { .size = sizeof(vfio) };
	unsigned int a, b, c;
	int fd, fd2;

	printf("\n1. Open /dev/iommu: every open() is a new, private context.\n");
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0) {
		perror("open /dev/iommu");
		return 1;
	}
	printf("  open(\"/dev/iommu\")                                         -> fd %d\n", fd);

	printf("\n2. Create IO address spaces (IOAS): objects named by IDs.\n");
	a = ioas_alloc(fd);
	b = ioas_alloc(fd);

	printf("\n3. Ask about an object: IOMMU_OPTION reads per-IOAS settings.\n");
	opt.object_id = a;
	say("IOMMU_OPTION HUGE_PAGES get", ioctl(fd, IOMMU_OPTION, &opt));
	printf("     huge pages for IOAS %u: %s\n", a,
	       opt.val64 ? "enabled (the default)" : "disabled");

	printf("\n4. Make IOAS %u the one VFIO-style ioctls would use.\n", b);
	vfio.op = IOMMU_VFIO_IOAS_SET;
	vfio.ioas_id = b;
	say("IOMMU_VFIO_IOAS set", ioctl(fd, IOMMU_VFIO_IOAS, &vfio));

	printf("\n5. A second open() is a separate world: our IDs mean nothing there.\n");
	fd2 = open("/dev/iommu", O_RDWR);
	opt.object_id = a;
	say("other context: IOMMU_OPTION on our ID", ioctl(fd2, IOMMU_OPTION, &opt));
	c = ioas_alloc(fd2);
	printf("     (it counts its own IDs from 1: got %u)\n", c);
	close(fd2);

	printf("\n6. Extensible structs: old and new programs keep working.\n");
	{
		struct {
			struct iommu_destroy cmd;
			unsigned int future;
		} bigger = { { sizeof(bigger), 9999 }, 0 };

		say("IOMMU_DESTROY, struct from a 'newer' program, zero tail",
		    ioctl(fd, IOMMU_DESTROY, &bigger));
		bigger.future = 1;
		say("the same with a field this kernel does not know set",
		    ioctl(fd, IOMMU_DESTROY, &bigger));
	}

	printf("\n7. Destroy is deterministic; a gone ID is gone.\n");
	destroy(fd, a);
	destroy(fd, a);
	vfio.op = IOMMU_VFIO_IOAS_GET;
	destroy(fd, b);
	say("IOMMU_VFIO_IOAS get (its IOAS was destroyed)",
	    ioctl(fd, IOMMU_VFIO_IOAS, &vfio));

	printf("\n8. Close: everything still in the context is torn down.\n");
	ioas_alloc(fd);
	say("close(fd) with one IOAS left in it", close(fd));
	printf("\nDone: /dev/iommu worked as upstream Linux 6.12 specifies.\n\n");
	return 0;
}
