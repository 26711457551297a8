// SPDX-License-Identifier: GPL-2.0-only
/*
 * The object table: ID allocation and reuse, ENOENT and double destroy,
 * write-back failure leaving no object, isolation between contexts, the
 * options and the compat IOAS, and (test build) every injected allocation
 * failure leaving nothing behind.
 */
#include <stdint.h>
#include <sys/wait.h>

#include "utils.h"

static void test_ids(void)
{
	uint32_t a, b, c, d;
	int fd = open_iommufd();

	ok_errno(ioas_alloc(fd, &a), 0, "IOAS_ALLOC");
	ok(a != 0, "first ID is not 0 (%u)", a);
	ok_errno(ioas_alloc(fd, &b), 0, "second IOAS_ALLOC");
	ok_errno(ioas_alloc(fd, &c), 0, "third IOAS_ALLOC");
	ok(a != b && b != c && a != c && b && c, "IDs are distinct");
	ok_errno(destroy(fd, b), 0, "destroy the middle ID");
	ok_errno(destroy(fd, b), ENOENT, "destroying it twice: ENOENT");
	ok_errno(ioas_alloc(fd, &d), 0, "allocate again");
	ok(d == b, "the lowest free ID is reused (%u == %u)", d, b);

	ok_errno(destroy(fd, 0), ENOENT, "destroy ID 0: ENOENT");
	ok_errno(destroy(fd, 12345), ENOENT, "destroy an unknown ID: ENOENT");
	ok_errno(destroy(fd, 0x80000000u), ENOENT,
		 "destroy ID 2^31: ENOENT");
	ok_errno(destroy(fd, UINT32_MAX), ENOENT,
		 "destroy ID 2^32-1: ENOENT");

	{
		struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

		ok_errno(ioctl_err(fd, IOMMU_IOAS_ALLOC, &cmd), EOPNOTSUPP,
			 "IOAS_ALLOC with flags: EOPNOTSUPP");
		ok_errno(ioas_alloc(fd, &d), 0, "allocate after refused flags");
		ok(d == c + 1, "the refused call used no ID (%u)", d);
	}
	ok_errno(destroy(fd, a), 0, "destroy a");
	ok_errno(destroy(fd, c), 0, "destroy c");
	close(fd);
}

/* The struct sits in a read-only page: copy-in works, the write-back faults */
static void test_write_back_failure(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	long alive = objects_alive();
	struct iommu_ioas_alloc *cmd;
	uint32_t id, next;
	int fd = open_iommufd();

	cmd = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cmd == MAP_FAILED)
		tap_bail("mmap");
	cmd->size = sizeof(*cmd);
	if (mprotect(cmd, psz, PROT_READ))
		tap_bail("mprotect");

	ok_errno(ioas_alloc(fd, &id), 0, "IOAS_ALLOC before");
	ok_errno(ioctl_err(fd, IOMMU_IOAS_ALLOC, cmd), EFAULT,
		 "IOAS_ALLOC whose write-back faults: EFAULT");
	ok_errno(destroy(fd, id + 1), ENOENT,
		 "the would-be ID does not exist");
	ok_errno(ioas_alloc(fd, &next), 0, "IOAS_ALLOC after");
	ok(next == id + 1, "its ID is free again (%u)", next);
	if (alive >= 0)
		ok(objects_alive() == alive + 2,
		   "no object leaked (%ld alive, want %ld)", objects_alive(),
		   alive + 2);
	close(fd);
	if (alive >= 0)
		ok(objects_alive() == alive, "close freed both objects");
	munmap(cmd, psz);
}

static void test_isolation(void)
{
	int fd1 = open_iommufd(), fd2 = open_iommufd();
	uint32_t a, b, id;
	uint64_t val = 0;

	ok_errno(ioas_alloc(fd1, &a), 0, "ctx1: IOAS_ALLOC");
	ok_errno(destroy(fd2, a), ENOENT, "ctx2 cannot destroy ctx1's ID");
	ok_errno(option(fd2, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, a,
			&val),
		 ENOENT, "ctx2 cannot look up ctx1's ID");
	id = a;
	ok_errno(vfio_ioas(fd2, IOMMU_VFIO_IOAS_SET, &id), ENOENT,
		 "ctx2 cannot make ctx1's IOAS its compat IOAS");
	ok_errno(ioas_alloc(fd2, &b), 0, "ctx2: IOAS_ALLOC");
	ok(b == a, "each context has its own ID space (%u, %u)", a, b);
	ok_errno(destroy(fd2, b), 0, "ctx2 destroys its own object");
	ok_errno(option(fd1, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, a,
			&val),
		 0, "ctx1's object with the same ID is untouched");
	ok_errno(destroy(fd1, a), 0, "ctx1 destroys it");
	close(fd1);
	close(fd2);
}

/* Run fn in a child that has dropped every capability; returns its errno */
static int unprivileged(int fd, uint64_t val)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(255);
		_exit(option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET,
			     0, &val));
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 254;
}

static void test_rlimit_mode(void)
{
	int fd = open_iommufd();
	uint64_t val = 99;
	uint32_t id;

	ok_errno(option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0,
			&val),
		 0, "RLIMIT_MODE get");
	ok(val == 0, "a new context is in user mode (%llu)",
	   (unsigned long long)val);
	val = 1;
	ok_errno(option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
			&val),
		 0, "RLIMIT_MODE set 1");
	val = 0;
	option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, &val);
	ok(val == 1, "reads back as 1");
	val = 2;
	ok_errno(option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
			&val),
		 EINVAL, "RLIMIT_MODE set 2: EINVAL");
	val = 0;
	ok_errno(option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 1,
			&val),
		 EOPNOTSUPP, "RLIMIT_MODE with an object ID: EOPNOTSUPP");
	ok_errno(option(fd, IOMMU_OPTION_RLIMIT_MODE, 2, 0, &val), EOPNOTSUPP,
		 "RLIMIT_MODE with op 2: EOPNOTSUPP");
	ok_errno(unprivileged(fd, 0), EPERM,
		 "RLIMIT_MODE set without CAP_SYS_RESOURCE: EPERM");

	ok_errno(ioas_alloc(fd, &id), 0, "IOAS_ALLOC");
	val = 0;
	ok_errno(option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
			&val),
		 EBUSY, "RLIMIT_MODE set while an object exists: EBUSY");
	option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, &val);
	ok(val == 1, "the mode did not change");
	ok_errno(destroy(fd, id), 0, "destroy it");
	val = 0;
	ok_errno(option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
			&val),
		 0, "RLIMIT_MODE set once empty again");
	close(fd);

	fd = open_iommufd();
	option(fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, &val);
	ok(val == 0, "the mode is per context");
	close(fd);
}

static void test_option_errors(void)
{
	struct iommu_option cmd = { .size = sizeof(cmd) };
	int fd = open_iommufd();
	uint64_t val = 0;
	uint32_t id;

	cmd.__reserved = 1;
	ok_errno(ioctl_err(fd, IOMMU_OPTION, &cmd), EOPNOTSUPP,
		 "OPTION with __reserved: EOPNOTSUPP");
	ok_errno(option(fd, 2, IOMMU_OPTION_OP_GET, 0, &val), EOPNOTSUPP,
		 "OPTION id 2: EOPNOTSUPP");
	ok_errno(option(fd, ~0u, IOMMU_OPTION_OP_GET, 0, &val), EOPNOTSUPP,
		 "OPTION id ~0: EOPNOTSUPP");

	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, 0,
			&val),
		 ENOENT, "HUGE_PAGES get of object 0: ENOENT");
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, 0,
			&val),
		 ENOENT, "HUGE_PAGES set of object 0: ENOENT");
	ok_errno(ioas_alloc(fd, &id), 0, "IOAS_ALLOC");
	val = 7;
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, id,
			&val),
		 0, "HUGE_PAGES get");
	ok(val == 1, "huge pages are on by default");
	val = 0;
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, id,
			&val),
		 0, "HUGE_PAGES set 0");
	option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, id, &val);
	ok(val == 0, "reads back 0");
	val = 2;
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, id,
			&val),
		 EINVAL, "HUGE_PAGES set 2: EINVAL");
	option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, id, &val);
	ok(val == 0, "a refused set changes nothing");
	val = 1;
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_SET, id,
			&val),
		 0, "HUGE_PAGES set 1");
	option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, id, &val);
	ok(val == 1, "reads back 1");
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, 2, id, &val), EOPNOTSUPP,
		 "HUGE_PAGES op 2: EOPNOTSUPP");
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET,
			id + 1, &val),
		 ENOENT, "HUGE_PAGES on an unknown ID: ENOENT");
	close(fd);
}

static void test_vfio_ioas(void)
{
	struct iommu_vfio_ioas cmd = { .size = sizeof(cmd) };
	int fd = open_iommufd();
	uint32_t a, b, id;

	id = 0;
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id), ENODEV,
		 "VFIO_IOAS get without compat IOAS: ENODEV");
	ok_errno(ioas_alloc(fd, &a), 0, "IOAS_ALLOC a");
	ok_errno(ioas_alloc(fd, &b), 0, "IOAS_ALLOC b");
	id = 999;
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), ENOENT,
		 "VFIO_IOAS set of an unknown ID: ENOENT");
	id = a;
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), 0, "VFIO_IOAS set a");
	id = 0;
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id), 0, "VFIO_IOAS get");
	ok(id == a, "returns a (%u)", id);
	ok_errno(destroy(fd, a), 0,
		 "the compat IOAS holds no reference: destroy works");
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id), ENODEV,
		 "destroying it cleared the setting");
	id = b;
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_SET, &id), 0, "VFIO_IOAS set b");
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR, &id), 0,
		 "VFIO_IOAS clear");
	ok_errno(vfio_ioas(fd, IOMMU_VFIO_IOAS_GET, &id), ENODEV,
		 "cleared: ENODEV");
	ok_errno(destroy(fd, b), 0, "clear did not destroy b");
	ok_errno(vfio_ioas(fd, 3, &id), EOPNOTSUPP,
		 "VFIO_IOAS op 3: EOPNOTSUPP");
	cmd.__reserved = 1;
	ok_errno(ioctl_err(fd, IOMMU_VFIO_IOAS, &cmd), EOPNOTSUPP,
		 "VFIO_IOAS with __reserved: EOPNOTSUPP");
	close(fd);
}

/* Test build: every failure point of a call leaves the table unchanged */
static void test_fail_nth(void)
{
	int fd = open_iommufd();
	long alive = objects_alive();
	uint64_t val;
	uint32_t id, base;
	int n, rc = 0;

	ok_errno(ioas_alloc(fd, &base), 0, "IOAS_ALLOC before injection");
	for (n = 1; n < 20; n++) {
		module_param_write("fail_nth", n);
		rc = ioas_alloc(fd, &id);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		ok_errno(rc, ENOMEM, "IOAS_ALLOC, failure point %d: ENOMEM", n);
		ok(objects_alive() == alive + 1,
		   "failure point %d: nothing left allocated", n);
		ok_errno(destroy(fd, base + 1), ENOENT,
			 "failure point %d: no ID left behind", n);
	}
	ok(rc == 0 && n == 3, "IOAS_ALLOC has two failure points (%d)", n - 1);
	ok(id == base + 1, "the successful call got the next ID (%u)", id);

	module_param_write("fail_nth", 1);
	val = 0;
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, id,
			&val),
		 ENOENT, "failed object lookup: ENOENT");
	module_param_write("fail_nth", 0);
	ok_errno(option(fd, IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, id,
			&val),
		 0, "lookup works again");
	close(fd);
	ok(objects_alive() == alive, "close freed everything (%ld)",
	   objects_alive());
}

/* Write a line into the kernel log */
static void log_line(const char *line)
{
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		diag("cannot write to /dev/kmsg");
	if (fd >= 0)
		close(fd);
}

/* Lines of the kernel log containing @text */
static int dmesg_count(const char *text)
{
	char line[512];
	int n = 0;
	FILE *f = popen("dmesg", "r");

	while (f && fgets(line, sizeof(line), f))
		n += !!strstr(line, text);
	if (f)
		pclose(f);
	return n;
}

/*
 * An object whose users count is wrong when its context is closed: the
 * release frees what it can, warns about the rest and leaks it, rather
 * than free what its extra users may still touch. The VM harness takes
 * the kernel warning between the expect-warning markers as intended.
 */
static void test_release_leak(void)
{
	const char *warning = "objects left with users at release";
	long alive = objects_alive(), leaked = module_param_read("objects_leaked");
	int fd = open_iommufd(), warnings = dmesg_count(warning);
	uint32_t a, b, c;

	ioas_alloc(fd, &a);
	if (!ok(module_param_write("extra_users", 1) == 0,
		"the next object gets a users reference too many")) {
		close(fd);
		return;
	}
	ioas_alloc(fd, &b);
	ioas_alloc(fd, &c);
	ok_errno(destroy(fd, b), EBUSY, "it cannot be destroyed: EBUSY");
	ok_errno(destroy(fd, c), 0, "the next one can");
	log_line("<4>IOMMUFD-VM: expect-warning begin\n");
	close(fd);
	log_line("<4>IOMMUFD-VM: expect-warning end\n");
	ok(dmesg_count(warning) == warnings + 1,
	   "closing the context warns about it");
	ok(module_param_read("objects_leaked") == leaked + 1,
	   "and leaks it (objects_leaked %ld, was %ld)",
	   module_param_read("objects_leaked"), leaked);
	ok(objects_alive() == alive, "the other object was freed (%ld alive)",
	   objects_alive());
}

int main(void)
{
	test_ids();
	test_write_back_failure();
	test_isolation();
	test_rlimit_mode();
	test_option_errors();
	test_vfio_ioas();
	if (is_test_build()) {
		test_fail_nth();
		test_release_leak();
	} else {
		diag("production build: fault injection tests skipped");
	}
	return tap_done();
}
