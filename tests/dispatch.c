// SPDX-License-Identifier: GPL-2.0-only
/*
 * The central ioctl validation of uapi.md §3, for every command slot:
 * EFAULT before anything else, ENOTTY for unknown numbers and wrong
 * type/direction bits, EINVAL below the minimum size, E2BIG for non-zero
 * bytes past the kernel's struct, zero tails accepted, and the write-back
 * rule. Sizes are the spec's literal numbers (§4), not the header's.
 *
 * Runs against the production and the test build of the module.
 */
#include <linux/iommufd.h>
#include <linux/iommufd_test.h>
#include <stdint.h>

#include "tap.h"

struct cmd {
	const char *name;
	unsigned long num;
	unsigned int size;	/* sizeof in 6.12 */
	unsigned int min;	/* end of the last required field */
	/* Result with an all-zero struct (but size) on a fresh context */
	int zero_result;
	int test_only;
};

/*
 * zero_result: DESTROY of ID 0 is ENOENT; IOAS_ALLOC and FAULT_QUEUE_ALLOC
 * with flags 0 succeed; OPTION zero is RLIMIT_MODE SET 0 (we run as root)
 * and succeeds; VFIO_IOAS zero is GET without a compat IOAS, ENODEV;
 * TEST_CMD op 0 is unknown, EOPNOTSUPP; ALLOW_IOVAS, IOVA_RANGES and UNMAP
 * name IOAS 0, ENOENT; MAP and COPY without READABLE or WRITEABLE are
 * EINVAL (but the test build lets COPY through, as 6.2 did, to ENOENT for
 * IOAS 0); HWPT_ALLOC and GET_HW_INFO name device 0, SET_DIRTY_TRACKING,
 * GET_DIRTY_BITMAP and INVALIDATE HW page table 0, ENOENT.
 */
static const struct cmd cmds[] = {
	{ "IOMMU_DESTROY", IOMMU_DESTROY, 8, 8, ENOENT },
	{ "IOMMU_IOAS_ALLOC", IOMMU_IOAS_ALLOC, 12, 12, 0 },
	{ "IOMMU_IOAS_ALLOW_IOVAS", IOMMU_IOAS_ALLOW_IOVAS, 24, 24, ENOENT },
	{ "IOMMU_IOAS_COPY", IOMMU_IOAS_COPY, 40, 40, EINVAL },
	{ "IOMMU_IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES, 32, 32, ENOENT },
	{ "IOMMU_IOAS_MAP", IOMMU_IOAS_MAP, 40, 40, EINVAL },
	{ "IOMMU_IOAS_UNMAP", IOMMU_IOAS_UNMAP, 24, 24, ENOENT },
	{ "IOMMU_OPTION", IOMMU_OPTION, 24, 24, 0 },
	{ "IOMMU_VFIO_IOAS", IOMMU_VFIO_IOAS, 12, 12, ENODEV },
	{ "IOMMU_HWPT_ALLOC", IOMMU_HWPT_ALLOC, 48, 24, ENOENT },
	{ "IOMMU_GET_HW_INFO", IOMMU_GET_HW_INFO, 40, 32, ENOENT },
	{ "IOMMU_HWPT_SET_DIRTY_TRACKING", IOMMU_HWPT_SET_DIRTY_TRACKING, 16,
	  16, ENOENT },
	{ "IOMMU_HWPT_GET_DIRTY_BITMAP", IOMMU_HWPT_GET_DIRTY_BITMAP, 48, 48,
	  ENOENT },
	{ "IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, 32, 32, ENOENT },
	{ "IOMMU_FAULT_QUEUE_ALLOC", IOMMU_FAULT_QUEUE_ALLOC, 16, 16, 0 },
	/* 52: the end of the 6.2 struct's last field (6.7+: 68) */
	{ "IOMMU_TEST_CMD", IOMMU_TEST_CMD, 72, 52, EOPNOTSUPP, 1 },
};

static long psz;
static int test_build;

/* Issue cmd on a fresh context with a buffer of user_size at buf */
static int call(const struct cmd *c, void *buf)
{
	int fd = open_iommufd();
	int rc = ioctl_err(fd, c->num, buf);

	/* A new fault queue's fd holds the context: close it too */
	if (!rc && c->num == IOMMU_FAULT_QUEUE_ALLOC)
		close(((struct iommu_fault_alloc *)buf)->out_fault_fd);
	close(fd);
	return rc;
}

/* A zeroed buffer of len bytes whose first __u32 is size, at the end of a page */
static void *zero_buf(char *page, unsigned int len, uint32_t size)
{
	char *p = page + psz - len;

	memset(page, 0, psz);
	memcpy(p, &size, sizeof(size));
	return p;
}

static void check_cmd(const struct cmd *c, char *page)
{
	int absent = c->test_only && !test_build;
	/* What every well-formed call returns, and the size-check outcomes */
	int expect = absent ? ENOTTY :
		     test_build && c->num == IOMMU_IOAS_COPY ? ENOENT :
		     c->zero_result;
	int expect_short = expect == ENOTTY ? ENOTTY : EINVAL;
	int expect_big = expect == ENOTTY ? ENOTTY : E2BIG;
	char *buf;

	/* In the production build, TEST_CMD's number is outside the table */
	ok_errno(call(c, NULL), absent ? ENOTTY : EFAULT, "%s: NULL argument",
		 c->name);
	ok_errno(call(c, page + psz), absent ? ENOTTY : EFAULT,
		 "%s: unmapped argument", c->name);
	/* Only 2 bytes mapped: the size itself cannot be read */
	ok_errno(call(c, page + psz - 2), absent ? ENOTTY : EFAULT,
		 "%s: size field straddles unmapped page", c->name);

	ok_errno(call(c, zero_buf(page, 4, 0)), expect_short, "%s: size 0",
		 c->name);
	ok_errno(call(c, zero_buf(page, c->min, c->min - 1)), expect_short,
		 "%s: size min-1 (%u)", c->name, c->min - 1);
	ok_errno(call(c, zero_buf(page, c->min, c->min)), expect,
		 "%s: size min (%u)", c->name, c->min);
	if (c->min != c->size)
		ok_errno(call(c, zero_buf(page, c->size, c->size)), expect,
			 "%s: size sizeof (%u)", c->name, c->size);
	ok_errno(call(c, zero_buf(page, c->size + 8, c->size + 8)), expect,
		 "%s: larger with zero tail", c->name);
	ok_errno(call(c, zero_buf(page, psz, psz)), expect,
		 "%s: a page-sized struct with zero tail", c->name);

	buf = zero_buf(page, c->size + 1, c->size + 1);
	buf[c->size] = 1;
	ok_errno(call(c, buf), expect_big, "%s: non-zero byte right after",
		 c->name);
	buf = zero_buf(page, c->size + 64, c->size + 64);
	buf[c->size + 63] = 0x80;
	ok_errno(call(c, buf), expect_big, "%s: non-zero last tail byte",
		 c->name);

	/* The tail runs into the unmapped page: the zero check faults */
	buf = zero_buf(page, c->size, c->size + 16);
	ok_errno(call(c, buf), expect == ENOTTY ? ENOTTY : EFAULT,
		 "%s: tail crosses into unmapped page", c->name);
	/* The struct itself runs into the unmapped page */
	buf = zero_buf(page, c->min - 4, c->min);
	ok_errno(call(c, buf), expect == ENOTTY ? ENOTTY : EFAULT,
		 "%s: struct crosses into unmapped page", c->name);

	/* The number must match exactly: type byte and direction/size bits */
	buf = zero_buf(page, c->size, c->size);
	ok_errno(call(&(struct cmd){ .num = _IO('x', _IOC_NR(c->num)) }, buf),
		 ENOTTY, "%s: other type byte", c->name);
	ok_errno(call(&(struct cmd){ .num = _IOWR(';', _IOC_NR(c->num), __u64) },
		      buf),
		 ENOTTY, "%s: _IOWR direction and size bits", c->name);
	ok_errno(call(&(struct cmd){ .num = _IOR(';', _IOC_NR(c->num), __u32) },
		      buf),
		 ENOTTY, "%s: _IOR direction and size bits", c->name);
}

static void check_unknown_numbers(char *page)
{
	static const unsigned int nrs[] = { 0x00, 0x3f, 0x63, 0x7f, 0x8f,
					    0x90, 0x94, 0x9f, 0xa1, 0xff };
	unsigned int i;

	for (i = 0; i != ARRAY_SIZE(nrs); i++) {
		struct cmd c = { .num = _IO(';', nrs[i]) };
		/* Inside the table's range the size is read first */
		int in_table = test_build && nrs[i] >= 0x80 && nrs[i] < 0xa0;

		ok_errno(call(&c, zero_buf(page, 64, 64)), ENOTTY,
			 "unknown number 0x%x", nrs[i]);
		ok_errno(call(&c, NULL), in_table ? EFAULT : ENOTTY,
			 "unknown number 0x%x, NULL argument", nrs[i]);
	}
}

/* Write-back: min(user size, kernel size) bytes, nothing for no-reply commands */
static void check_write_back(char *page)
{
	struct iommu_ioas_alloc *alloc;
	unsigned char *tail;
	int fd = open_iommufd();
	int i, clean;

	alloc = zero_buf(page, 12 + 16, 12);
	tail = (unsigned char *)alloc + 12;
	memset(tail, 0xa5, 16);
	ok_errno(ioctl_err(fd, IOMMU_IOAS_ALLOC, alloc), 0,
		 "write-back: IOAS_ALLOC with canary after the struct");
	ok(alloc->out_ioas_id != 0 && alloc->size == 12 && alloc->flags == 0,
	   "write-back: out_ioas_id written (%u), inputs unchanged",
	   alloc->out_ioas_id);
	for (clean = 1, i = 0; i < 16; i++)
		clean &= tail[i] == 0xa5;
	ok(clean, "write-back: nothing written past the user's size");

	/* A longer struct from a newer program gets the out field */
	alloc = zero_buf(page, 12 + 8, 12 + 8);
	ok_errno(ioctl_err(fd, IOMMU_IOAS_ALLOC, alloc), 0,
		 "write-back: IOAS_ALLOC size 20");
	ok(alloc->size == 20 && alloc->out_ioas_id != 0,
	   "write-back: longer struct gets its out field (%u)",
	   alloc->out_ioas_id);

	close(fd);
}

/* A struct in a read-only page: copy-in works, any write-back faults */
static void *read_only(const void *cmd, size_t len)
{
	char *p = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap");
	memcpy(p, cmd, len);
	if (mprotect(p, psz, PROT_READ))
		tap_bail("mprotect");
	return p;
}

/* Failing commands and commands without a reply must not write at all */
static void check_no_write_back(void)
{
	struct iommu_vfio_ioas vfio = { .size = sizeof(vfio) };
	struct iommu_destroy destroy = { .size = sizeof(destroy), .id = 99 };
	struct iommu_option opt = {
		.size = sizeof(opt),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.object_id = 99,
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_option *split;
	int fd = open_iommufd();
	char *p;

	ok_errno(ioctl_err(fd, IOMMU_VFIO_IOAS, read_only(&vfio, sizeof(vfio))),
		 ENODEV, "read-only struct: failing VFIO_IOAS GET is ENODEV");
	ok_errno(ioctl_err(fd, IOMMU_DESTROY, read_only(&destroy,
							sizeof(destroy))),
		 ENOENT, "read-only struct: failing DESTROY is ENOENT");
	ok_errno(ioctl_err(fd, IOMMU_OPTION, read_only(&opt, sizeof(opt))),
		 ENOENT, "read-only struct: failing OPTION is ENOENT");

	ioctl(fd, IOMMU_IOAS_ALLOC, &alloc);
	vfio.op = IOMMU_VFIO_IOAS_SET;
	vfio.ioas_id = alloc.out_ioas_id;
	ok_errno(ioctl_err(fd, IOMMU_VFIO_IOAS, read_only(&vfio, sizeof(vfio))),
		 0, "read-only struct: VFIO_IOAS SET writes nothing");
	vfio.op = IOMMU_VFIO_IOAS_CLEAR;
	ok_errno(ioctl_err(fd, IOMMU_VFIO_IOAS, read_only(&vfio, sizeof(vfio))),
		 0, "read-only struct: VFIO_IOAS CLEAR writes nothing");

	/* OPTION writes back val64 only: the rest of the struct is read-only */
	p = read_only(&opt, 0);
	split = (struct iommu_option *)(p + psz - 16);
	if (mprotect(p, psz, PROT_READ | PROT_WRITE))
		tap_bail("mprotect");
	*split = opt;
	split->object_id = alloc.out_ioas_id;
	split->op = IOMMU_OPTION_OP_GET;
	if (mprotect(p, psz, PROT_READ))
		tap_bail("mprotect");
	ok_errno(ioctl_err(fd, IOMMU_OPTION, split), 0,
		 "OPTION GET writes back nothing but val64");
	ok(split->val64 == 1, "val64 written (%llu)",
	   (unsigned long long)split->val64);
	split->val64 = 0;
	ok_errno(ioctl_err(fd, IOMMU_OPTION, split), 0,
		 "OPTION SET writes back nothing but val64");

	destroy.id = alloc.out_ioas_id;
	ok_errno(ioctl_err(fd, IOMMU_DESTROY, read_only(&destroy,
							sizeof(destroy))),
		 0, "read-only struct: DESTROY writes nothing");
	close(fd);
}

int main(void)
{
	char *page;
	unsigned int i;

	psz = sysconf(_SC_PAGESIZE);
	page = page_before_hole();
	test_build = is_test_build();
	diag("dispatch rules, %s build", test_build ? "test" : "production");

	for (i = 0; i != ARRAY_SIZE(cmds); i++)
		check_cmd(&cmds[i], page);
	check_unknown_numbers(page);
	check_write_back(page);
	check_no_write_back();
	return tap_done();
}
