/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP producer and helpers shared by the in-VM test programs.
 *
 * Each program prints "ok N - ..." / "not ok N - ..." lines and a trailing
 * plan, and exits non-zero if any check failed, so the guest runner also
 * notices a program that died half way.
 */
#ifndef IOMMUFD_TESTS_TAP_H
#define IOMMUFD_TESTS_TAP_H

#include <errno.h>
#include <fcntl.h>
#include <linux/kernel-page-flags.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int tap_count;
static int tap_failures;

static inline void tap_vresult(int pass, const char *file, int line,
			       const char *fmt, va_list ap)
{
	__atomic_fetch_add(&tap_count, 1, __ATOMIC_RELAXED);
	flockfile(stdout);
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	if (!pass)
		printf(" # at %s:%d", file, line);
	printf("\n");
	funlockfile(stdout);
	fflush(stdout);
	if (!pass)
		__atomic_fetch_add(&tap_failures, 1, __ATOMIC_RELAXED);
}

static inline int tap_result(int pass, const char *file, int line,
			     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

#define ok(cond, ...) tap_result(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* @n checks that cannot run here, counted as skipped, with the reason */
static inline void skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d - # SKIP %s\n",
		       __atomic_add_fetch(&tap_count, 1, __ATOMIC_RELAXED), why);
	fflush(stdout);
}

/* Print the plan and exit with the overall status */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failures ? 1 : 0;
}

/* Stop the program: for set-up failures after which no check makes sense */
#define tap_bail(...)                                                          \
	do {                                                                   \
		printf("Bail out! ");                                          \
		printf(__VA_ARGS__);                                           \
		printf(" (%s:%d, errno %d)\n", __FILE__, __LINE__, errno);     \
		fflush(stdout);                                                \
		exit(2);                                                       \
	} while (0)

/* ioctl() returning 0 or the errno, never -1 */
static inline int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

#define ok_errno(got, want, ...)                                               \
	({                                                                     \
		int __got = (got), __want = (want);                            \
		if (!ok(__got == __want, __VA_ARGS__))                         \
			diag("  got %d (%s), want %d (%s)", __got,             \
			     strerror(__got), __want, strerror(__want));       \
		__got == __want;                                               \
	})

static inline int open_iommufd(void)
{
	int fd = open("/dev/iommu", O_RDWR);

	if (fd < 0)
		tap_bail("open /dev/iommu");
	return fd;
}

/* Test builds of the module have these parameters; -1 if absent */
static inline long module_param_read(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/iommufd/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 0);
}

/* Write @val to the file at @path (sysfs): 0, or -1 */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), rc;

	if (fd < 0)
		return -1;
	rc = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return rc;
}

static inline int module_param_write(const char *name, long val)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/iommufd/parameters/%s", name);
	snprintf(buf, sizeof(buf), "%ld\n", val);
	return write_file(path, buf);
}

/* A "Field:   N kB" line of a /proc file, in kB; -1 if absent */
static inline long proc_kb(const char *file, const char *field)
{
	size_t len = strlen(field);
	char line[256];
	long kb = -1;
	FILE *f = fopen(file, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

static inline int is_test_build(void)
{
	return access("/sys/module/iommufd/parameters/fail_nth", F_OK) == 0;
}

static inline long objects_alive(void)
{
	return module_param_read("objects_alive");
}

/*
 * DMA faults the Intel IOMMU reported so far: its fault interrupts
 * ("dmarN" in /proc/interrupts, one per fault the test provokes). The kernel
 * log is no measure: it rate-limits the fault messages.
 */
static inline int dmar_faults(void)
{
	char line[512], *tok, *last, *end;
	FILE *f = fopen("/proc/interrupts", "r");
	int n = 0, sum;

	while (f && fgets(line, sizeof(line), f)) {
		/* "N:", the count on each CPU, then chip, type and name */
		strtok(line, "\n ");
		for (last = NULL, sum = 0; (tok = strtok(NULL, "\n "));) {
			int v = (int)strtol(tok, &end, 10);

			if (!last && !*end)
				sum += v;
			else
				last = tok;
		}
		if (last && !strncmp(last, "dmar", 4) && !strchr(last, '-'))
			n += sum;
	}
	if (f)
		fclose(f);
	return n;
}

/*
 * Whether the IOMMU reports a fault beyond the @before of dmar_faults() within
 * 2 s: the fault interrupt may still be on its way when the device's DMA
 * has finished.
 */
static inline int dmar_fault_since(int before)
{
	int i;

	for (i = 0; i < 200 && dmar_faults() <= before; i++)
		usleep(10000);
	return dmar_faults() > before;
}

/*
 * Pages FOLL_PIN-pinned in the whole system now (acquired - released).
 * The two counters are folded from per-CPU deltas about once a second;
 * /proc/sys/vm/stat_refresh folds them now (root only), so the difference
 * is exact.
 */
static inline long foll_pins(void)
{
	char name[64];
	long val, acq = -1, rel = -1;
	FILE *f;

	write_file("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %ld", name, &val) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = val;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = val;
	}
	if (f)
		fclose(f);
	return acq < 0 || rel < 0 ? -1 : acq - rel;
}

/* A counter of /proc/vmstat, folded first (root only); -1 if absent */
static inline long vmstat_read(const char *field)
{
	char name[64];
	long val, found = -1;
	FILE *f;

	write_file("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");
	while (f && fscanf(f, "%63s %ld", name, &val) == 2)
		if (!strcmp(name, field))
			found = val;
	if (f)
		fclose(f);
	return found;
}

/*
 * Pages of [p, p + len) that belong to a compound page (THP, hugetlb), from
 * /proc/self/pagemap and /proc/kpageflags (root only); -1 if that cannot be
 * read. Pages not present count as not compound.
 */
static inline long compound_pages(const void *p, size_t len)
{
	const uint64_t compound = 1ull << KPF_COMPOUND_HEAD |
				  1ull << KPF_COMPOUND_TAIL;
	long psz = sysconf(_SC_PAGESIZE), n = 0;
	int pm = open("/proc/self/pagemap", O_RDONLY);
	int kf = open("/proc/kpageflags", O_RDONLY);
	uintptr_t va = (uintptr_t)p & ~(psz - 1), end = (uintptr_t)p + len;
	uint64_t entry, flags, pfn;

	if (pm < 0 || kf < 0)
		n = -1;
	for (; n >= 0 && va < end; va += psz) {
		if (pread(pm, &entry, 8, va / psz * 8) != 8) {
			n = -1;
			break;
		}
		if (!(entry >> 63))	/* not present */
			continue;
		pfn = entry & ((1ull << 55) - 1);
		if (!pfn || pread(kf, &flags, 8, pfn * 8) != 8) {
			n = -1;		/* PFNs hidden (not root) */
			break;
		}
		n += !!(flags & compound);
	}
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	return n;
}

/*
 * fn(fd, arg) in a forked child (which may drop privileges): its exit
 * status, or -1 if it did not exit normally
 */
static inline int in_child(int (*fn)(int fd, int arg), int fd, int arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		tap_bail("fork");
	if (pid == 0)
		_exit(fn(fd, arg));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Programs that need the test build: skip (exit 0 with a TAP skip plan)
 * without it; else the shared, populated buffer of @npages pages the mock
 * tests pin and check, and the page size.
 */
static inline char *test_build_buffer(size_t npages, long *psz)
{
	char *p;

	if (!is_test_build()) {
		printf("1..0 # SKIP needs the test build\n");
		exit(0);
	}
	*psz = sysconf(_SC_PAGESIZE);
	p = mmap(NULL, npages * *psz, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap");
	/* MD_CHECK_REFS would not check compound pages */
	if (compound_pages(p, npages * *psz))
		tap_bail("the test buffer is not all small pages");
	return p;
}

/* Two pages: the first read-write, the second unmapped */
static inline char *page_before_hole(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap");
	munmap(p + psz, psz);
	memset(p, 0, psz);
	return p;
}

#endif
