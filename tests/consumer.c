// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exported context API, through the test-only consumer module:
 * iommufd_ctx_from_file() accepts our fds only (EBADFD otherwise), and a
 * held context outlives the user's fd: its objects stay until the consumer
 * drops its references, then go. The VFIO compat helpers behave as
 * objects.md §10.4 says. The module's reference count
 * (/sys/module/iommufd/refcnt counts open /dev/iommu files) shows when the
 * context's file is really released.
 */
#include <linux/vfio.h>
#include <stdint.h>

#include "consumer/consumer_uapi.h"
#include "utils.h"

static long module_refcount(void)
{
	char buf[32] = "";
	int fd = open("/sys/module/iommufd/refcnt", O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		tap_bail("read /sys/module/iommufd/refcnt");
	close(fd);
	return strtol(buf, NULL, 10);
}

static int check_fd(int cfd, int fd)
{
	return ioctl_err(cfd, CONSUMER_CHECK_FD, &fd);
}

/* One of the VFIO compat helpers on the context of @fd */
static int compat(int cfd, int fd, uint32_t op, uint32_t *ioas_id)
{
	struct consumer_vfio_compat cmd = { .fd = fd, .op = op };
	int rc = ioctl_err(cfd, CONSUMER_VFIO_COMPAT, &cmd);

	if (ioas_id)
		*ioas_id = cmd.out_ioas_id;
	return rc;
}

/*
 * iommufd_vfio_compat_ioas_get_id/_create/_set_no_iommu (objects.md §10.4),
 * which VFIO's group path calls when given the iommufd as its container
 */
static void test_vfio_compat(int cfd)
{
	long alive = objects_alive();
	uint32_t id = 0, id2 = 0, got = 0, none = 0;
	int fd = open_iommufd();

	ok_errno(compat(cfd, -1, CONSUMER_COMPAT_CREATE, NULL), EBADF,
		 "compat helpers: fd -1 is EBADF");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_GET_ID, &id), ENODEV,
		 "compat_ioas_get_id without a compat IOAS: ENODEV");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_CREATE, NULL), 0,
		 "compat_ioas_create makes one");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_GET_ID, &id), 0,
		 "compat_ioas_get_id finds it");
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &got), 0,
		 "IOMMU_VFIO_IOAS GET sees it");
	ok(got == id && id != 0, "as the same ID (%u, %u)", got, id);
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_CREATE, NULL), 0,
		 "compat_ioas_create again: 0");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_GET_ID, &id2), 0,
		 "compat_ioas_get_id again");
	ok(id2 == id, "the existing compat IOAS was kept");
	if (alive >= 0)
		ok(objects_alive() == alive + 1, "one IOAS exists");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_SET_NO_IOMMU, NULL), EINVAL,
		 "set_no_iommu with a compat IOAS: EINVAL");
	ok_errno(destroy(fd, id), 0, "the compat IOAS is an ordinary IOAS: DESTROY");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_GET_ID, &id2), ENODEV,
		 "destroying it cleared the compat setting");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_CREATE, NULL), 0,
		 "compat_ioas_create makes a new one");
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR, &none), 0,
		 "IOMMU_VFIO_IOAS CLEAR");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_SET_NO_IOMMU, NULL), 0,
		 "set_no_iommu without a compat IOAS");
	ok_errno(compat(cfd, fd, CONSUMER_COMPAT_CREATE, NULL), EINVAL,
		 "compat_ioas_create in no-iommu mode: EINVAL");
	ok(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 0,
	   "no-iommu: CHECK_EXTENSION(TYPE1v2) is 0");
	ok(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 0,
	   "no-iommu: CHECK_EXTENSION(TYPE1) is 0");
	ok(ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) == 0,
	   "no-iommu: CHECK_EXTENSION(UNMAP_ALL) is 0");
	ok_errno(ioctl_err(fd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU), EINVAL,
		 "no-iommu: SET_IOMMU(TYPE1v2) is EINVAL");
	close(fd);
	if (alive >= 0)
		ok(objects_alive() == alive, "close destroyed the compat IOAS");
}

int main(void)
{
	int cfd = open("/dev/iommufd_test_consumer", O_RDWR);
	long base, alive;
	int fd, other, pipefd[2];
	uint32_t id;

	if (cfd < 0)
		tap_bail("open /dev/iommufd_test_consumer");
	base = module_refcount();
	alive = objects_alive();

	fd = open_iommufd();
	ok(module_refcount() == base + 1, "an open /dev/iommu holds the module");
	ok_errno(check_fd(cfd, fd), 0, "iommufd_ctx_from_file() on /dev/iommu");

	other = open("/dev/null", O_RDONLY);
	ok_errno(check_fd(cfd, other), EBADFD,
		 "iommufd_ctx_from_file() on /dev/null: EBADFD");
	close(other);
	if (pipe(pipefd))
		tap_bail("pipe");
	ok_errno(check_fd(cfd, pipefd[0]), EBADFD, "on a pipe: EBADFD");
	close(pipefd[0]);
	close(pipefd[1]);
	ok_errno(check_fd(cfd, cfd), EBADFD,
		 "on the consumer's own fd: EBADFD");
	ok_errno(check_fd(cfd, -1), EBADF, "on fd -1: EBADF");

	ok_errno(ioas_alloc(fd, &id), 0, "IOAS_ALLOC");
	ok_errno(ioas_alloc(fd, &id), 0, "IOAS_ALLOC");
	ok_errno(ioctl_err(cfd, CONSUMER_HOLD_FD, &fd), 0,
		 "consumer holds the context (from_file + get)");
	ok_errno(ioctl_err(cfd, CONSUMER_HOLD_FD, &fd), EBUSY,
		 "a second hold is refused by the consumer");
	close(fd);
	ok(module_refcount() == base + 1,
	   "after close() the held context is still alive");
	if (alive >= 0)
		ok(objects_alive() == alive + 2, "and so are its objects");
	ok_errno(ioctl_err(cfd, CONSUMER_DROP, NULL), 0,
		 "consumer drops both references");
	ok(module_refcount() == base, "the last put released the context");
	if (alive >= 0)
		ok(objects_alive() == alive, "and destroyed its objects");
	ok_errno(ioctl_err(cfd, CONSUMER_DROP, NULL), ENOENT,
		 "nothing left to drop");

	test_vfio_compat(cfd);

	/* Closing the consumer with a context held drops it too */
	fd = open_iommufd();
	ok_errno(ioas_alloc(fd, &id), 0, "IOAS_ALLOC in a new context");
	ok_errno(ioctl_err(cfd, CONSUMER_HOLD_FD, &fd), 0, "hold it");
	close(fd);
	close(cfd);
	ok(module_refcount() == base, "closing the consumer released the context");
	if (alive >= 0)
		ok(objects_alive() == alive, "and its objects");
	return tap_done();
}
