// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exported context API, through the test-only consumer module:
 * iommufd_ctx_from_file() accepts our fds only (EBADFD otherwise), and a
 * held context outlives the user's fd: its objects stay until the consumer
 * drops its references, then go. The module's reference count
 * (/sys/module/iommufd/refcnt counts open /dev/iommu files) shows when the
 * context's file is really released.
 */
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
