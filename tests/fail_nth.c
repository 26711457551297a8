// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel fault injection at every allocation (the debug kernel's
 * CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC and the stack filter):
 * for each command and kernel API path below, the N-th allocation of the
 * call fails, for N = 1, 2, ... until the call runs through without
 * reaching the N-th (it must then succeed). /proc/self/task/<tid>/fail-nth
 * counts the slab and page allocations of this thread that are made on
 * behalf of iommufd.ko: with a function of the module on the stack, so the
 * module's own, those of the kernel services it calls (xarrays, GUP, the
 * IOMMU core and driver) and the debugging bookkeeping around them
 * (kmemleak, KASAN), but not what the VFS, VFIO or iommufd_pci allocate
 * around our calls (see stack_filter()).
 *
 * Usage: fail_nth                 the /dev/iommu paths (mock devices)
 *        fail_nth consumer        the context API through the test consumer
 *                                 module (/dev/iommufd_test_consumer)
 *        fail_nth pci BDF...      the device API through iommufd_pci.ko
 *                                 (bind, attach, replace, detach, unbind,
 *                                 close) and the /dev/iommu commands on a
 *                                 real device, on the first edu alone in its
 *                                 IOMMU group
 *        fail_nth vfio BDF...     what VFIO calls differently: bind, detach
 *                                 and close through its device cdev, and its
 *                                 group path (vfio_paths[] says why no more)
 *
 * Each try starts from a known state: a fresh /dev/iommu fd with the
 * objects the path needs, built without injection. After a failed call
 * (any errno; allocation failures are usually ENOMEM) nothing may have
 * changed: objects alive (the test build's count), VmPin, VmLck, the
 * system's pinned pages and the lowest free fd are as before the call, the
 * path's own state check agrees, and the same call then succeeds. A call
 * may also succeed although an allocation failed (the kernel falls back,
 * as kmemleak does for its own metadata); it must then have done its work.
 * After each try everything is closed and the counts are back where the
 * path started. What leaks memory only is kmemleak's to find
 * (guest-run.sh checks it at the end).
 *
 * Needs a kernel with /proc/self/task/<tid>/fail-nth and the test build of
 * the module; elsewhere the program says so in a plan of 0 tests.
 */
#include <dirent.h>
#include <poll.h>
#include <linux/capability.h>
#include <linux/vfio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#include "consumer/consumer_uapi.h"
#include "edu.h"
#include "utils.h"
#include <linux/iommufd_pci.h>

#define PAGE 4096UL
/* IOVAs inside the mock aperture [16 MiB, 2 GiB) and below the MSI window */
#define I1 0x10000000UL
#define I2 0x20000000UL
#define IH 0x40000000UL
#define HUGE (2UL << 20)
/* A path whose call still fails at this N has a runaway loop */
#define MAX_NTH 5000

static int nth_fd = -1;
static const char *prefix = "";
static uint8_t *buf;		/* 16 pages, MAP_SHARED, populated */
static uint8_t *hbuf;		/* one 2 MiB hugetlb page, or NULL */

/* ------------------------------------------------------------------ */
/* fail-nth */

static void nth_write(unsigned int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%u", n);

	if (pwrite(nth_fd, s, len, 0) != len)
		tap_bail("write fail-nth");
}

/* Disarm; whether the armed allocation was reached (and failed) */
static int nth_disarm(unsigned int n)
{
	char s[16] = "";
	ssize_t len = pread(nth_fd, s, sizeof(s) - 1, 0);

	nth_write(0);
	if (len <= 0)
		tap_bail("read fail-nth");
	return n && strtoul(s, NULL, 10) == 0;
}

/* debugfs knobs, set for the run and restored at exit */
static const struct {
	const char *path;
	const char *val;
} knobs[] = {
	/* GFP_KERNEL allocations too, not only those that cannot sleep */
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/failslab/verbose", "0" },
	{ "/sys/kernel/debug/failslab/probability", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/probability", "0" },
};

static char knob_old[ARRAY_SIZE(knobs)][32];

static void knobs_restore(void)
{
	size_t i;

	for (i = 0; i != ARRAY_SIZE(knobs); i++)
		if (knob_old[i][0])
			write_file(knobs[i].path, knob_old[i]);
}

static void knobs_set(void)
{
	ssize_t len;
	size_t i;
	int fd;

	for (i = 0; i != ARRAY_SIZE(knobs); i++) {
		fd = open(knobs[i].path, O_RDONLY);
		len = fd < 0 ? -1 : read(fd, knob_old[i], sizeof(knob_old[i]) - 1);
		if (fd >= 0)
			close(fd);
		if (len <= 0)
			tap_bail("read %s", knobs[i].path);
		knob_old[i][len] = 0;
	}
	atexit(knobs_restore);
	for (i = 0; i != ARRAY_SIZE(knobs); i++)
		if (write_file(knobs[i].path, knobs[i].val))
			tap_bail("write %s", knobs[i].path);
}

/* ------------------------------------------------------------------ */
/* What must come back: objects, pins, file descriptors */

struct snap {
	long alive;
	long pin;
	long lck;
	long foll;
	int fd;
};

static long vm_pin(void)
{
	return proc_kb("/proc/self/status", "VmPin");
}

/* The lowest free file descriptor */
static int free_fd(void)
{
	int fd = dup(nth_fd);

	close(fd);
	return fd;
}

static void snap(struct snap *s)
{
	s->alive = objects_alive();
	s->pin = vm_pin();
	s->lck = proc_kb("/proc/self/status", "VmLck");
	s->foll = foll_pins();
	s->fd = free_fd();
}

/* "" if equal, else what differs */
static const char *snap_diff(const struct snap *a, const struct snap *b)
{
	static char why[200];

	if (a->alive == b->alive && a->pin == b->pin && a->lck == b->lck &&
	    a->foll == b->foll && a->fd == b->fd)
		return "";
	snprintf(why, sizeof(why),
		 "objects %ld -> %ld, VmPin %ld -> %ld kB, VmLck %ld -> %ld kB, pinned pages %ld -> %ld, free fd %d -> %d",
		 a->alive, b->alive, a->pin, b->pin, a->lck, b->lck, a->foll,
		 b->foll, a->fd, b->fd);
	return why;
}

/* ------------------------------------------------------------------ */
/* ioctl wrappers the shared ones lack */

static int hwpt_alloc(int fd, uint32_t dev, uint32_t pt, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = dev,
		.pt_id = pt,
	};
	int rc = ioctl_err(fd, IOMMU_HWPT_ALLOC, &cmd);

	*out = rc ? 0 : cmd.out_hwpt_id;
	return rc;
}

static int hw_info(int fd, uint32_t dev, void *data, uint32_t len,
		   uint32_t *type)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ioctl_err(fd, IOMMU_GET_HW_INFO, &cmd);

	*type = cmd.out_data_type;
	return rc;
}

static int map_dma(int fd, uint64_t iova, const void *va, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return ioctl_err(fd, VFIO_IOMMU_MAP_DMA, &map);
}

static int unmap_dma(int fd, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};

	return ioctl_err(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
}

static int set_iommu(int fd, unsigned long type)
{
	return ioctl(fd, VFIO_SET_IOMMU, type) ? errno : 0;
}

static long mock_large_ioptes(void)
{
	return module_param_read("mock_large_ioptes");
}

/* Does the mock domain of @hwpt map [iova, iova + len) to @va? */
static int mapped(int fd, uint32_t hwpt, uint64_t iova, uint64_t len,
		  const void *va)
{
	return !check_map(fd, hwpt, iova, len, va);
}

/* Bytes of the IOAS that UNMAP of [iova, iova + len) removes (or -errno) */
static long unmap_bytes(int fd, uint32_t ioas, uint64_t iova, uint64_t len)
{
	uint64_t done = 0;
	int rc = ioas_unmap(fd, ioas, iova, len, &done);

	return rc ? -rc : (long)done;
}

/* ------------------------------------------------------------------ */
/* The paths */

/* Everything a path may set up; closed after each try */
struct st {
	int fd;			/* /dev/iommu */
	int access_fd;		/* a test access */
	int dev_fd;		/* the VFIO device cdev */
	int cfd;		/* /dev/iommufd_test_consumer */
	int gfd;		/* /dev/vfio/<group> */
	int other_fd;		/* another test access */
	uint32_t ioas, ioas2;
	uint32_t stdev, hwpt, idev;	/* a mock device on ioas */
	uint32_t hwpt2;		/* a mock domain on ioas2 */
	uint32_t hwpt_m;	/* a manual HW page table */
	uint32_t item;		/* an access pin */
	uint32_t next_item;	/* the ID of the access's next pin */
	int kthread;		/* access_rw_kthread set */
	int sw_msi;		/* test_sw_msi set */
	int charged;		/* CAP_IPC_LOCK dropped, RLIMIT_MEMLOCK low */
	struct rlimit memlock;	/* the limit before */
	uint32_t out;		/* an ID the call returned */
	uint64_t iova;		/* an IOVA the call returned */
	uint32_t devid, pt_id;	/* the VFIO device */
	uint32_t parent;	/* a NEST_PARENT HW page table on ioas */
	uint32_t nested;	/* a nested one on it */
	uint32_t fault;		/* a fault queue */
	int ffd;		/* its fd */
	uint32_t stdev2, idev2;	/* a mock device on the nested one */
	long invalid;		/* mock_iopf_invalid after the set-up */
	long alive;		/* objects alive at a point of the set-up */
};

struct path {
	const char *name;
	void (*setup)(struct st *s);
	/* One system call: its errno, or 0 */
	int (*op)(struct st *s);
	/*
	 * After the call: 0 if the state is what @done says (the call took
	 * effect, or nothing changed). Runs last with @done: may change it.
	 */
	int (*check)(struct st *s, int done);
};

static void st_init(struct st *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->access_fd = -1;
	s->dev_fd = -1;
	s->cfd = -1;
	s->gfd = -1;
	s->other_fd = -1;
	s->ffd = -1;
}

static void uncharged(struct st *s)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		tap_bail("capget");
	data[CAP_IPC_LOCK / 32].effective |= 1U << (CAP_IPC_LOCK % 32);
	if (syscall(SYS_capset, &hdr, data) ||
	    setrlimit(RLIMIT_MEMLOCK, &s->memlock))
		tap_bail("restore CAP_IPC_LOCK and RLIMIT_MEMLOCK");
}

static void st_close(struct st *s)
{
	if (s->kthread)
		module_param_write("access_rw_kthread", 0);
	if (s->sw_msi)
		module_param_write("test_sw_msi", 0);
	if (s->charged)
		uncharged(s);
	if (s->access_fd >= 0)
		close(s->access_fd);
	if (s->dev_fd >= 0)
		close(s->dev_fd);
	if (s->gfd >= 0)
		close(s->gfd);
	if (s->other_fd >= 0)
		close(s->other_fd);
	if (s->ffd >= 0)
		close(s->ffd);
	if (s->cfd >= 0)
		close(s->cfd);
	if (s->fd >= 0)
		close(s->fd);
	st_init(s);
}

/* Set-up steps, none of which may fail (no injection there) */
#define must(x)                                                                \
	do {                                                                   \
		if (x)                                                         \
			tap_bail("set-up: %s", #x);                            \
	} while (0)

static void s_fd(struct st *s)
{
	s->fd = open_iommufd();
}

static void s_ioas(struct st *s)
{
	s_fd(s);
	must(ioas_alloc(s->fd, &s->ioas));
}

static void s_ioas_map(struct st *s)
{
	s_ioas(s);
	must(ioas_map_fixed(s->fd, s->ioas, buf, 4 * PAGE, I1));
}

static void s_mock(struct st *s)
{
	s_ioas(s);
	must(mock_domain(s->fd, s->ioas, &s->stdev, &s->hwpt, &s->idev));
}

static void s_mock_map(struct st *s)
{
	s_ioas_map(s);
	must(mock_domain(s->fd, s->ioas, &s->stdev, &s->hwpt, &s->idev));
}

static void s_mock_huge(struct st *s)
{
	s_ioas(s);
	must(mock_domain_flags(s->fd, s->ioas, MOCK_FLAGS_DEVICE_HUGE_IOVA,
			       &s->stdev, &s->hwpt, &s->idev));
}

/* A second IOAS with a mapping at I2 */
static void s_ioas2_map(struct st *s)
{
	must(ioas_alloc(s->fd, &s->ioas2));
	must(ioas_map_fixed(s->fd, s->ioas2, buf + 8 * PAGE, 4 * PAGE, I2));
}

static void s_access(struct st *s, uint32_t flags)
{
	must(create_access(s->fd, s->ioas, flags, &s->access_fd));
}

/*
 * Pinning charged to RLIMIT_MEMLOCK, as for a process without
 * CAP_IPC_LOCK: the capability leaves our effective set and the limit is
 * exactly four pages, so a charge a failure left behind makes the next
 * pin fail. @mm: the context charges the mm (VmLck), else the user.
 */
static void s_charged(struct st *s, int mm)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	struct rlimit lim = { 4 * PAGE, 4 * PAGE };
	uint64_t val = mm;

	s_fd(s);
	must(option(s->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
		    &val));
	must(ioas_alloc(s->fd, &s->ioas));
	must(mock_domain(s->fd, s->ioas, &s->stdev, &s->hwpt, &s->idev));
	must(getrlimit(RLIMIT_MEMLOCK, &s->memlock));
	must(setrlimit(RLIMIT_MEMLOCK, &lim));
	must(syscall(SYS_capget, &hdr, data));
	data[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	must(syscall(SYS_capset, &hdr, data));
	s->charged = 1;
}

static void s_charged_user(struct st *s)
{
	s_charged(s, 0);
}

static void s_charged_mm(struct st *s)
{
	s_charged(s, 1);
}

/* The same for an access's pins, no domain */
static void s_charged_access(struct st *s)
{
	s_charged(s, 0);
	must(destroy(s->fd, s->stdev));
	must(ioas_map_fixed(s->fd, s->ioas, buf, 4 * PAGE, I1));
	s_access(s, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
}

/* --- open and IOAS_ALLOC --- */

static int op_open(struct st *s)
{
	s->fd = open("/dev/iommu", O_RDWR);
	return s->fd < 0 ? errno : 0;
}

static int ck_open(struct st *s, int done)
{
	return done ? s->fd < 0 || ioas_alloc(s->fd, &s->ioas) : 0;
}

static int op_ioas_alloc(struct st *s)
{
	return ioas_alloc(s->fd, &s->out);
}

static int ck_ioas_alloc(struct st *s, int done)
{
	return done ? destroy(s->fd, s->out) : 0;
}

/* --- MAP --- */

static int op_map_fixed(struct st *s)
{
	return ioas_map_fixed(s->fd, s->ioas, buf, 4 * PAGE, I1 + 4 * PAGE);
}

static int ck_map_fixed(struct st *s, int done)
{
	if (s->hwpt && mapped(s->fd, s->hwpt, I1 + 4 * PAGE, 4 * PAGE,
				  buf) != done)
		return 1;
	return unmap_bytes(s->fd, s->ioas, I1 + 4 * PAGE, 4 * PAGE) !=
	       (done ? (long)(4 * PAGE) : -ENOENT);
}

static int op_map_auto(struct st *s)
{
	return ioas_map(s->fd, s->ioas, MAP_RW, buf, 4 * PAGE, &s->iova);
}

static int ck_map_auto(struct st *s, int done)
{
	if (done && s->hwpt && check_map(s->fd, s->hwpt, s->iova, 4 * PAGE, buf))
		return 1;
	/* The IOAS held no other mapping */
	return unmap_bytes(s->fd, s->ioas, 0, UINT64_MAX) !=
	       (done ? (long)(4 * PAGE) : 0);
}

static int op_map_huge(struct st *s)
{
	return hbuf ? ioas_map_fixed(s->fd, s->ioas, hbuf, HUGE, IH) : ENOMEM;
}

static int ck_map_huge(struct st *s, int done)
{
	/* 2 MiB of one huge page: two large IOPTEs of the mock */
	if (mock_large_ioptes() != (done ? 2 : 0))
		return 1;
	if (mapped(s->fd, s->hwpt, IH, HUGE, hbuf) != done)
		return 1;
	return unmap_bytes(s->fd, s->ioas, IH, HUGE) !=
	       (done ? (long)HUGE : -ENOENT);
}

/* --- COPY --- */

/* Source: ioas (mapping at I1); destination: ioas2 with a mock domain */
static void s_copy(struct st *s)
{
	s_ioas_map(s);
	must(ioas_alloc(s->fd, &s->ioas2));
	must(mock_domain(s->fd, s->ioas2, NULL, &s->hwpt2, NULL));
}

/* The same, the source's pages pinned by its own mock domain */
static void s_copy_pinned(struct st *s)
{
	s_copy(s);
	must(mock_domain(s->fd, s->ioas, &s->stdev, &s->hwpt, &s->idev));
}

/* Two source mappings back to back: one area each */
static void s_copy_two(struct st *s)
{
	s_copy(s);
	must(ioas_map_fixed(s->fd, s->ioas, buf + 8 * PAGE, 4 * PAGE,
			    I1 + 4 * PAGE));
}

static int op_copy_two(struct st *s)
{
	uint64_t dst = I2;

	return ioas_copy(s->fd, MAP_FIXED_RW, s->ioas2, s->ioas, I1, 8 * PAGE,
			 &dst);
}

static int ck_copy_two(struct st *s, int done)
{
	if (mapped(s->fd, s->hwpt2, I2, 4 * PAGE, buf) != done ||
	    mapped(s->fd, s->hwpt2, I2 + 4 * PAGE, 4 * PAGE, buf + 8 * PAGE) !=
		    done)
		return 1;
	return unmap_bytes(s->fd, s->ioas2, I2, 8 * PAGE) !=
	       (done ? (long)(8 * PAGE) : -ENOENT);
}

static int op_copy(struct st *s)
{
	uint64_t dst = I2;

	return ioas_copy(s->fd, MAP_FIXED_RW, s->ioas2, s->ioas, I1, 4 * PAGE,
			 &dst);
}

static int ck_copy(struct st *s, int done)
{
	if (mapped(s->fd, s->hwpt2, I2, 4 * PAGE, buf) != done)
		return 1;
	return unmap_bytes(s->fd, s->ioas2, I2, 4 * PAGE) !=
	       (done ? (long)(4 * PAGE) : -ENOENT);
}

/* --- UNMAP, with a mock domain and an access's pins in the range --- */

static void s_unmap(struct st *s)
{
	s_mock_map(s);
	s_access(s, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	must(access_pages(s->fd, s->access_fd, MOCK_FLAGS_ACCESS_WRITE, I1,
			  2 * PAGE, buf, &s->item));
}

static int op_unmap(struct st *s)
{
	return ioas_unmap(s->fd, s->ioas, I1, 4 * PAGE, NULL);
}

static int ck_unmap(struct st *s, int done)
{
	if (mapped(s->fd, s->hwpt, I1, 4 * PAGE, buf) == done)
		return 1;
	/* The access's unmap callback dropped its pin */
	return destroy_access_pages(s->fd, s->access_fd, s->item) !=
	       (done ? ENOENT : 0);
}

/* --- ALLOW_IOVAS, IOVA_RANGES, OPTION, ADD_RESERVED --- */

/* Inside the mock aperture */
static const struct iommu_iova_range allowed[] = {
	{ .start = 0x40000000, .last = 0x47ffffff },
	{ .start = 0x50000000, .last = 0x57ffffff },
	{ .start = 0x60000000, .last = 0x67ffffff },
};

static int op_allow(struct st *s)
{
	return allow_iovas(s->fd, s->ioas, allowed, ARRAY_SIZE(allowed));
}

static int ck_allow(struct st *s, int done)
{
	uint64_t iova = 0;

	/* Automatic IOVA goes to the first allowed range, or lowest first */
	if (ioas_map(s->fd, s->ioas, MAP_RW, buf, PAGE, &iova))
		return 1;
	return (iova >= allowed[0].start && iova <= allowed[0].last) != done;
}

static void s_ranges(struct st *s)
{
	s_mock(s);
	must(add_reserved(s->fd, s->ioas, I2, PAGE));
}

static int op_ranges(struct st *s)
{
	struct iommu_iova_range r[8];
	uint32_t num = ARRAY_SIZE(r);

	return iova_ranges(s->fd, s->ioas, r, &num, &s->iova) ?:
	       (num == 2 ? 0 : EDOM);
}

static int op_huge_off(struct st *s)
{
	return huge_pages_set(s->fd, s->ioas, 0);
}

static int ck_huge_off(struct st *s, int done)
{
	return huge_pages_value(s->fd, s->ioas) != !done;
}

static int op_rlimit(struct st *s)
{
	uint64_t val = 1;

	return option(s->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0,
		      &val);
}

static int ck_rlimit(struct st *s, int done)
{
	uint64_t val = 7;

	return option(s->fd, IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0,
		      &val) || val != (uint64_t)done;
}

static int op_reserve(struct st *s)
{
	return add_reserved(s->fd, s->ioas, I2, 16 * PAGE);
}

static int ck_reserve(struct st *s, int done)
{
	int rc = ioas_map_fixed(s->fd, s->ioas, buf, PAGE, I2);

	if (!rc)
		ioas_unmap(s->fd, s->ioas, I2, PAGE, NULL);
	return rc != (done ? EINVAL : 0);
}

/* --- HW page tables and mock devices --- */

static int op_hwpt_alloc(struct st *s)
{
	return hwpt_alloc(s->fd, s->idev, s->ioas, &s->out);
}

static int ck_hwpt_alloc(struct st *s, int done)
{
	if (!done)
		return 0;
	return check_map(s->fd, s->out, I1, 4 * PAGE, buf) ||
	       destroy(s->fd, s->out);
}

static int op_hw_info(struct st *s)
{
	struct iommu_test_hw_info info = { 0 };
	uint32_t type = 0;
	int rc = hw_info(s->fd, s->idev, &info, sizeof(info), &type);

	if (!rc && (type != IOMMU_HW_INFO_TYPE_SELFTEST ||
		    info.test_reg != IOMMU_HW_INFO_SELFTEST_REGVAL))
		rc = EDOM;
	return rc;
}

/* An access pins the mapping: the new domain takes its pages from there */
static void s_mock_domain_pinned(struct st *s)
{
	s_ioas_map(s);
	s_access(s, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	must(access_pages(s->fd, s->access_fd, 0, I1 + PAGE, 2 * PAGE, NULL,
			  &s->item));
}

static int op_mock_domain(struct st *s)
{
	return mock_domain(s->fd, s->ioas, &s->out, &s->hwpt2, NULL);
}

static int ck_mock_domain(struct st *s, int done)
{
	struct iommu_iova_range r[4];
	uint32_t num = ARRAY_SIZE(r);
	uint64_t align = 0;

	/*
	 * No aperture reserved, no mock alignment left behind: 1, or
	 * PAGE_SIZE while an access pins
	 */
	if (!done)
		return iova_ranges(s->fd, s->ioas, r, &num, &align) ||
		       num != 1 || align != (s->access_fd >= 0 ? PAGE : 1);
	return check_map(s->fd, s->hwpt2, I1, 4 * PAGE, buf) ||
	       destroy(s->fd, s->out);
}

/* A second mock device on the IOAS joins the first one's HW page table */
static int ck_mock_join(struct st *s, int done)
{
	return done && (s->hwpt2 != s->hwpt || destroy(s->fd, s->out));
}

static void s_replace(struct st *s)
{
	s_mock_map(s);
	s_ioas2_map(s);
}

static void s_replace_manual(struct st *s)
{
	s_replace(s);
	must(hwpt_alloc(s->fd, s->idev, s->ioas2, &s->hwpt_m));
}

static int op_replace_ioas(struct st *s)
{
	s->out = s->ioas2;
	return mock_domain_replace(s->fd, s->stdev, &s->out);
}

static int op_replace_manual(struct st *s)
{
	s->out = s->hwpt_m;
	return mock_domain_replace(s->fd, s->stdev, &s->out);
}

static int ck_replace(struct st *s, int done)
{
	uint32_t pt = s->hwpt;

	if (!done)
		/* Still attached there: replacing by the same is no move */
		return mock_domain_replace(s->fd, s->stdev, &pt) ||
		       pt != s->hwpt ||
		       check_map(s->fd, s->hwpt, I1, 4 * PAGE, buf);
	/* The old automatic HW page table went with its last device */
	return s->out == s->hwpt ||
	       check_map(s->fd, s->out, I2, 4 * PAGE, buf + 8 * PAGE) ||
	       destroy(s->fd, s->hwpt) != ENOENT;
}

static void s_destroy_mock(struct st *s)
{
	s_mock_map(s);
	s->alive = objects_alive();
}

static int op_destroy_mock(struct st *s)
{
	return destroy(s->fd, s->stdev);
}

/* The SELFTEST object, its DEVICE and the automatic HW page table */
static int ck_destroy_mock(struct st *s, int done)
{
	return objects_alive() != s->alive - (done ? 3 : 0);
}

static void s_destroy_hwpt(struct st *s)
{
	s_mock_map(s);
	must(hwpt_alloc(s->fd, s->idev, s->ioas, &s->hwpt_m));
}

static int op_destroy_hwpt(struct st *s)
{
	return destroy(s->fd, s->hwpt_m);
}

static int ck_destroy_hwpt(struct st *s, int done)
{
	return mapped(s->fd, s->hwpt_m, I1, PAGE, buf) == done;
}

/* Everything at once, for the context's release */
static void s_release(struct st *s)
{
	s_mock_map(s);
	s_ioas2_map(s);
	must(mock_domain(s->fd, s->ioas2, NULL, &s->hwpt2, NULL));
	must(hwpt_alloc(s->fd, s->idev, s->ioas, &s->hwpt_m));
	must(ioas_copy(s->fd, MAP_FIXED_RW, s->ioas2, s->ioas, I1, 4 * PAGE,
		       &(uint64_t){ I1 }));
	must(allow_iovas(s->fd, s->ioas, allowed, ARRAY_SIZE(allowed)));
}

static int op_close(struct st *s)
{
	int rc = close(s->fd) ? errno : 0;

	s->fd = -1;
	return rc;
}

/* --- test accesses --- */

static void s_create_access_busy(struct st *s)
{
	s_ioas_map(s);
	must(create_access(s->fd, s->ioas, 0, &s->other_fd));
}

static int op_create_access(struct st *s)
{
	return create_access(s->fd, s->ioas,
			     MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
			     &s->access_fd);
}

static int ck_create_access(struct st *s, int done)
{
	uint8_t b[16];

	return done && access_rw(s->fd, s->access_fd, I1, sizeof(b), b, 0);
}

static void s_access_pages(struct st *s)
{
	s_ioas_map(s);
	s_access(s, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
}

static void s_access_pages_mock(struct st *s)
{
	s_mock_map(s);
	s_access(s, MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
}

static void s_access_pages_again(struct st *s)
{
	s_access_pages(s);
	must(access_pages(s->fd, s->access_fd, 0, I1, 4 * PAGE, NULL,
			  &s->item));
	s->next_item = s->item + 1;
}

static int op_access_pages(struct st *s)
{
	return access_pages(s->fd, s->access_fd, MOCK_FLAGS_ACCESS_WRITE,
			    I1 + 100, 3 * PAGE, buf + 100, &s->out);
}

static int op_access_pages_again(struct st *s)
{
	return access_pages(s->fd, s->access_fd, 0, I1, 4 * PAGE, buf,
			    &s->out);
}

static int ck_access_pages(struct st *s, int done)
{
	/* A failed pin recorded nothing: the next ID is still free */
	if (!done)
		return destroy_access_pages(s->fd, s->access_fd,
					    s->next_item) != ENOENT;
	return s->out != s->next_item ||
	       destroy_access_pages(s->fd, s->access_fd, s->out);
}

static void s_access_rw(struct st *s)
{
	s_ioas_map(s);
	s_access(s, 0);
}

static void s_access_write(struct st *s)
{
	s_access_rw(s);
	memset(buf + PAGE - 32, 0, 64);
}

static void s_access_write_kthread(struct st *s)
{
	s_access_write(s);
	must(module_param_write("access_rw_kthread", 1));
	s->kthread = 1;
}

/* 64 bytes across the boundary of the mapping's first two pages */
static int op_access_read(struct st *s)
{
	uint8_t b[64];
	int rc = access_rw(s->fd, s->access_fd, I1 + PAGE - 32, sizeof(b), b,
			   0);

	if (rc)
		return rc;
	return memcmp(b, buf + PAGE - 32, sizeof(b)) ? EDOM : 0;
}

static int op_access_rw(struct st *s, uint32_t flags)
{
	uint8_t b[64];

	memset(b, 0x5a, sizeof(b));
	return access_rw(s->fd, s->access_fd, I1 + PAGE - 32, sizeof(b), b,
			 MOCK_ACCESS_RW_WRITE | flags);
}

static int op_access_write_slow(struct st *s)
{
	return op_access_rw(s, MOCK_ACCESS_RW_SLOW_PATH);
}

static int op_access_write(struct st *s)
{
	return op_access_rw(s, 0);
}

static int ck_access_write(struct st *s, int done)
{
	(void)s;
	return (buf[PAGE - 32] == 0x5a && buf[PAGE + 31] == 0x5a) != done;
}

static void s_access_replace(struct st *s)
{
	s_access_pages(s);
	must(access_pages(s->fd, s->access_fd, 0, I1, PAGE, NULL, &s->item));
	s_ioas2_map(s);
}

/* Another access on ioas2 first: the access list needs a node */
static void s_access_replace_busy(struct st *s)
{
	s_access_replace(s);
	must(create_access(s->fd, s->ioas2, 0, &s->other_fd));
}

static int op_access_replace(struct st *s)
{
	return access_replace_ioas(s->fd, s->access_fd, s->ioas2);
}

static int ck_access_replace(struct st *s, int done)
{
	uint8_t b[8];

	if (access_rw(s->fd, s->access_fd, done ? I2 : I1, sizeof(b), b, 0) ||
	    access_rw(s->fd, s->access_fd, done ? I1 : I2, sizeof(b), b, 0) !=
		    ENOENT)
		return 1;
	/* A move drops the pins; a failed one keeps them */
	return destroy_access_pages(s->fd, s->access_fd, s->item) !=
	       (done ? ENOENT : 0);
}

static int op_access_unpin(struct st *s)
{
	return destroy_access_pages(s->fd, s->access_fd, s->item);
}

static int op_close_access(struct st *s)
{
	int rc = close(s->access_fd) ? errno : 0;

	s->access_fd = -1;
	return rc;
}

/* --- dirty tracking --- */

#define GRAN (PAGE / 2)		/* the mock's IOPTE granule */
#define DIRTY_BITS 0x55		/* granules 0, 2, 4 and 6 of I1 */

static int op_hwpt_alloc_dirty(struct st *s)
{
	return hwpt_alloc_flags(s->fd, s->idev, s->ioas,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &s->out);
}

/* A manual HW page table that tracks dirty IOPTEs, the device on it */
static void s_dirty(struct st *s)
{
	uint32_t pt;

	s_mock_map(s);
	must(hwpt_alloc_flags(s->fd, s->idev, s->ioas,
			      IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &s->hwpt_m));
	pt = s->hwpt_m;
	must(mock_domain_replace(s->fd, s->stdev, &pt));
}

static int op_set_dirty(struct st *s)
{
	return set_dirty_tracking(s->fd, s->hwpt_m, 1);
}

/* Tracking is on exactly when the mock may mark entries dirty */
static int ck_set_dirty(struct st *s, int done)
{
	uint8_t map = 1;
	int rc = mock_dirty(s->fd, s->hwpt_m, I1, 8 * GRAN, GRAN, &map, NULL);

	return rc != (done ? 0 : EINVAL);
}

static void s_dirty_marked(struct st *s)
{
	uint8_t map = DIRTY_BITS;
	uint64_t nr = 0;

	s_dirty(s);
	must(set_dirty_tracking(s->fd, s->hwpt_m, 1));
	must(mock_dirty(s->fd, s->hwpt_m, I1, 8 * GRAN, GRAN, &map, &nr));
	must(nr != 4);
}

static int op_get_dirty(struct st *s)
{
	uint64_t map = 0;
	int rc = get_dirty_bitmap(s->fd, s->hwpt_m, I1, 8 * GRAN, GRAN, &map,
				  0);

	return rc ?: (map == DIRTY_BITS ? 0 : EDOM);
}

/* Done: read and cleared; else: all still dirty */
static int ck_get_dirty(struct st *s, int done)
{
	uint64_t map = 0;

	return get_dirty_bitmap(s->fd, s->hwpt_m, I1, 8 * GRAN, GRAN, &map,
				IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	       map != (done ? 0 : DIRTY_BITS);
}

/* --- nesting --- */

static void s_parent(struct st *s)
{
	s_mock_map(s);
	must(hwpt_alloc_flags(s->fd, s->idev, s->ioas,
			      IOMMU_HWPT_ALLOC_NEST_PARENT, &s->parent));
}

static int op_nested_alloc(struct st *s)
{
	return hwpt_alloc_mock_nested(s->fd, s->idev, s->parent, &s->out);
}

static int ck_nested_alloc(struct st *s, int done)
{
	return done && (check_iotlb(s->fd, s->out, 0,
				    IOMMU_TEST_IOTLB_DEFAULT) ||
			destroy(s->fd, s->out));
}

static void s_nested(struct st *s)
{
	s_parent(s);
	must(hwpt_alloc_mock_nested(s->fd, s->idev, s->parent, &s->nested));
}

static int op_invalidate(struct st *s)
{
	struct iommu_hwpt_invalidate_selftest inv[2] = {
		{ .iotlb_id = 0 }, { .iotlb_id = 1 },
	};
	uint32_t num = ARRAY_SIZE(inv);
	int rc = hwpt_invalidate(s->fd, s->nested,
				 IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, inv,
				 sizeof(inv[0]), &num);

	return rc ?: (num == ARRAY_SIZE(inv) ? 0 : EDOM);
}

static int ck_invalidate(struct st *s, int done)
{
	uint32_t v = done ? 0 : IOMMU_TEST_IOTLB_DEFAULT;

	return check_iotlb(s->fd, s->nested, 0, v) ||
	       check_iotlb(s->fd, s->nested, 1, v);
}

static int op_attach_nested(struct st *s)
{
	return mock_domain(s->fd, s->nested, &s->out, NULL, NULL);
}

static int ck_attach_nested(struct st *s, int done)
{
	return done && (destroy(s->fd, s->nested) != EBUSY ||
			destroy(s->fd, s->out));
}

/* --- fault queues --- */

static int op_fault_alloc(struct st *s)
{
	return fault_alloc(s->fd, &s->fault, &s->ffd);
}

static int ck_fault_alloc(struct st *s, int done)
{
	return done && (s->ffd < 0 || destroy(s->fd, s->fault) != EBUSY);
}

static void s_fault(struct st *s)
{
	s_parent(s);
	must(fault_alloc(s->fd, &s->fault, &s->ffd));
}

static int op_nested_fault(struct st *s)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	return hwpt_alloc_nested(s->fd, s->idev, s->parent,
				 IOMMU_HWPT_FAULT_ID_VALID,
				 IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
				 s->fault, &s->out);
}

static int ck_nested_fault(struct st *s, int done)
{
	return done && destroy(s->fd, s->out);
}

/* A mock device on a nested HW page table with the fault queue */
static void s_fault_dev(struct st *s)
{
	s_fault(s);
	must(op_nested_fault(s));
	s->nested = s->out;
	must(mock_domain(s->fd, s->nested, &s->stdev2, NULL, &s->idev2));
	s->invalid = module_param_read("mock_iopf_invalid");
}

static int pending(int ffd)
{
	struct pollfd p = { .fd = ffd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && p.revents & POLLIN;
}

static int op_trigger_iopf(struct st *s)
{
	return trigger_iopf(s->fd, s->idev2, 0, 7, IOMMU_PGFAULT_PERM_READ,
			    I1);
}

static int ck_trigger_iopf(struct st *s, int done)
{
	struct iommu_hwpt_pgfault rec;
	struct iommu_hwpt_page_response r = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};

	if (!done)
		return pending(s->ffd);
	/* A group the kernel cannot queue is answered INVALID at once */
	if (!pending(s->ffd))
		return module_param_read("mock_iopf_invalid") != s->invalid + 1;
	if (read(s->ffd, &rec, sizeof(rec)) != sizeof(rec) || rec.grpid != 7)
		return 1;
	r.cookie = rec.cookie;
	return write(s->ffd, &r, sizeof(r)) != sizeof(r);
}

static void s_iopf(struct st *s)
{
	s_fault_dev(s);
	must(op_trigger_iopf(s));
}

static int op_read_fault(struct st *s)
{
	struct iommu_hwpt_pgfault rec[2];
	ssize_t n = read(s->ffd, rec, sizeof(rec));

	if (n < 0)
		return errno;
	s->out = rec[0].cookie;
	return n == sizeof(rec[0]) && rec[0].grpid == 7 ? 0 : EDOM;
}

/* Read: awaiting its answer; else: still to read */
static int ck_read_fault(struct st *s, int done)
{
	struct iommu_hwpt_page_response r = {
		.cookie = s->out,
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};

	if (pending(s->ffd) == done)
		return 1;
	return done && write(s->ffd, &r, sizeof(r)) != sizeof(r);
}

static void s_iopf_read(struct st *s)
{
	s_iopf(s);
	must(op_read_fault(s));
}

static int op_respond(struct st *s)
{
	struct iommu_hwpt_page_response r = {
		.cookie = s->out,
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};

	return write(s->ffd, &r, sizeof(r)) == sizeof(r) ? 0 : errno ?: EDOM;
}

/* Groups read and unread when the fault fd goes */
static void s_iopf_close(struct st *s)
{
	s_iopf_read(s);
	must(trigger_iopf(s->fd, s->idev2, 0, 8, 0, I1 + PAGE));
}

static int op_close_fault(struct st *s)
{
	int rc = close(s->ffd) ? errno : 0;

	s->ffd = -1;
	return rc;
}

/* --- the VFIO type1 ioctls on /dev/iommu --- */

static void s_compat(struct st *s)
{
	s_mock(s);
	must(vfio_ioas(s->fd, IOMMU_VFIO_IOAS_SET, &s->ioas));
}

static void s_type1v2(struct st *s)
{
	s_compat(s);
	must(set_iommu(s->fd, VFIO_TYPE1v2_IOMMU));
}

static void s_type1_split(struct st *s)
{
	s_compat(s);
	must(set_iommu(s->fd, VFIO_TYPE1_IOMMU));
	must(map_dma(s->fd, I1, buf, 8 * PAGE));
}

static void s_get_info(struct st *s)
{
	int i;

	s_compat(s);
	/* Eight usable ranges: the list grows twice */
	for (i = 1; i != 8; i++)
		must(add_reserved(s->fd, s->ioas, I1 * i, PAGE));
}

static int op_vfio_ioas_set(struct st *s)
{
	return vfio_ioas(s->fd, IOMMU_VFIO_IOAS_SET, &s->ioas);
}

static int ck_vfio_ioas_set(struct st *s, int done)
{
	uint32_t id = 0;
	int rc = vfio_ioas(s->fd, IOMMU_VFIO_IOAS_GET, &id);

	return done ? rc || id != s->ioas : rc != ENODEV;
}

static int op_set_iommu(struct st *s)
{
	return set_iommu(s->fd, VFIO_TYPE1_IOMMU);
}

static int ck_set_iommu(struct st *s, int done)
{
	/* Type1 (v1) turns huge pages off */
	return huge_pages_value(s->fd, s->ioas) != !done;
}

static int op_check_ext(struct st *s)
{
	int rc = ioctl(s->fd, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU);

	return rc < 0 ? errno : 0;
}

static int op_map_dma(struct st *s)
{
	return map_dma(s->fd, I1, buf, 4 * PAGE);
}

static int ck_map_dma(struct st *s, int done)
{
	return mapped(s->fd, s->hwpt, I1, 4 * PAGE, buf) != done;
}

static int op_unmap_split(struct st *s)
{
	return unmap_dma(s->fd, I1 + 2 * PAGE, 4 * PAGE);
}

static int ck_unmap_split(struct st *s, int done)
{
	if (!done)
		return check_map(s->fd, s->hwpt, I1, 8 * PAGE, buf);
	return check_map(s->fd, s->hwpt, I1, 2 * PAGE, buf) ||
	       check_map(s->fd, s->hwpt, I1 + 6 * PAGE, 2 * PAGE,
			 buf + 6 * PAGE) ||
	       mapped(s->fd, s->hwpt, I1 + 2 * PAGE, PAGE, buf + 2 * PAGE);
}

static int op_get_info(struct st *s)
{
	uint64_t b[512] = { 0 };
	struct vfio_iommu_type1_info *info = (void *)b;
	int rc;

	info->argsz = sizeof(b);
	rc = ioctl_err(s->fd, VFIO_IOMMU_GET_INFO, info);
	if (!rc && !(info->flags & VFIO_IOMMU_INFO_CAPS && info->cap_offset))
		rc = EDOM;
	return rc;
}

static const struct path core_paths[] = {
	{ "open /dev/iommu", NULL, op_open, ck_open },
	{ "IOMMU_IOAS_ALLOC", s_fd, op_ioas_alloc, ck_ioas_alloc },
	{ "IOMMU_IOAS_MAP, fixed IOVA, no domain", s_ioas_map, op_map_fixed,
	  ck_map_fixed },
	{ "IOMMU_IOAS_MAP, automatic IOVA, no domain", s_ioas, op_map_auto,
	  ck_map_auto },
	{ "IOMMU_IOAS_MAP, fixed IOVA, a mock domain", s_mock_map, op_map_fixed,
	  ck_map_fixed },
	{ "IOMMU_IOAS_MAP, automatic IOVA, a mock domain", s_mock, op_map_auto,
	  ck_map_auto },
	{ "IOMMU_IOAS_MAP of a hugetlb page, a mock domain with large IOPTEs",
	  s_mock_huge, op_map_huge, ck_map_huge },
	{ "IOMMU_IOAS_MAP, a mock domain, pins charged to the user",
	  s_charged_user, op_map_fixed, ck_map_fixed },
	{ "IOMMU_IOAS_MAP, a mock domain, pins charged to the mm (VmLck)",
	  s_charged_mm, op_map_fixed, ck_map_fixed },
	{ "IOMMU_IOAS_COPY into an IOAS with a mock domain", s_copy, op_copy,
	  ck_copy },
	{ "IOMMU_IOAS_COPY of pages a mock domain holds", s_copy_pinned,
	  op_copy, ck_copy },
	{ "IOMMU_IOAS_COPY of two mappings", s_copy_two, op_copy_two,
	  ck_copy_two },
	{ "IOMMU_IOAS_UNMAP with a mock domain and access pins", s_unmap,
	  op_unmap, ck_unmap },
	{ "IOMMU_IOAS_ALLOW_IOVAS, three ranges", s_ioas, op_allow, ck_allow },
	{ "IOMMU_IOAS_IOVA_RANGES", s_ranges, op_ranges, NULL },
	{ "IOMMU_OPTION HUGE_PAGES off", s_ioas_map, op_huge_off, ck_huge_off },
	{ "IOMMU_OPTION RLIMIT_MODE", s_fd, op_rlimit, ck_rlimit },
	{ "IOMMU_TEST_OP_ADD_RESERVED", s_ioas, op_reserve, ck_reserve },
	{ "IOMMU_HWPT_ALLOC for a mock device, mappings to load", s_mock_map,
	  op_hwpt_alloc, ck_hwpt_alloc },
	{ "IOMMU_GET_HW_INFO of a mock device", s_mock, op_hw_info, NULL },
	{ "IOMMU_TEST_OP_MOCK_DOMAIN on an IOAS with mappings", s_ioas_map,
	  op_mock_domain, ck_mock_domain },
	{ "IOMMU_TEST_OP_MOCK_DOMAIN on mappings an access pins",
	  s_mock_domain_pinned, op_mock_domain, ck_mock_domain },
	{ "IOMMU_TEST_OP_MOCK_DOMAIN joining an automatic HW page table",
	  s_mock_map, op_mock_domain, ck_mock_join },
	{ "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE to another IOAS", s_replace,
	  op_replace_ioas, ck_replace },
	{ "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE to a manual HW page table",
	  s_replace_manual, op_replace_manual, ck_replace },
	{ "IOMMU_DESTROY of a mock device", s_destroy_mock, op_destroy_mock,
	  ck_destroy_mock },
	{ "IOMMU_DESTROY of a manual HW page table", s_destroy_hwpt,
	  op_destroy_hwpt, ck_destroy_hwpt },
	{ "close() of /dev/iommu with devices, HW page tables and mappings",
	  s_release, op_close, NULL },
	{ "IOMMU_TEST_OP_CREATE_ACCESS", s_ioas_map, op_create_access,
	  ck_create_access },
	{ "IOMMU_TEST_OP_CREATE_ACCESS beside another access",
	  s_create_access_busy, op_create_access, ck_create_access },
	{ "IOMMU_TEST_OP_ACCESS_PAGES, no domain", s_access_pages,
	  op_access_pages, ck_access_pages },
	{ "IOMMU_TEST_OP_ACCESS_PAGES of pages a mock domain holds",
	  s_access_pages_mock, op_access_pages, ck_access_pages },
	{ "IOMMU_TEST_OP_ACCESS_PAGES of a range pinned already",
	  s_access_pages_again, op_access_pages_again, ck_access_pages },
	{ "IOMMU_TEST_OP_ACCESS_PAGES, pins charged to the user",
	  s_charged_access, op_access_pages, ck_access_pages },
	{ "IOMMU_TEST_OP_DESTROY_ACCESS_PAGES", s_access_replace,
	  op_access_unpin, NULL },
	{ "IOMMU_TEST_OP_ACCESS_RW read", s_access_rw, op_access_read, NULL },
	{ "IOMMU_TEST_OP_ACCESS_RW write", s_access_write, op_access_write,
	  ck_access_write },
	{ "IOMMU_TEST_OP_ACCESS_RW write, page by page", s_access_write,
	  op_access_write_slow, ck_access_write },
	{ "IOMMU_TEST_OP_ACCESS_RW write from a kernel thread",
	  s_access_write_kthread, op_access_write, ck_access_write },
	{ "IOMMU_TEST_OP_ACCESS_REPLACE_IOAS", s_access_replace,
	  op_access_replace, ck_access_replace },
	{ "IOMMU_TEST_OP_ACCESS_REPLACE_IOAS to an IOAS with another access",
	  s_access_replace_busy, op_access_replace, ck_access_replace },
	{ "close() of a test access with pins", s_access_replace,
	  op_close_access, NULL },
	{ "IOMMU_HWPT_ALLOC DIRTY_TRACKING", s_mock_map, op_hwpt_alloc_dirty,
	  ck_hwpt_alloc },
	{ "IOMMU_HWPT_SET_DIRTY_TRACKING", s_dirty, op_set_dirty,
	  ck_set_dirty },
	{ "IOMMU_HWPT_GET_DIRTY_BITMAP", s_dirty_marked, op_get_dirty,
	  ck_get_dirty },
	{ "IOMMU_HWPT_ALLOC of a nested HW page table", s_parent,
	  op_nested_alloc, ck_nested_alloc },
	{ "IOMMU_HWPT_INVALIDATE, two entries", s_nested, op_invalidate,
	  ck_invalidate },
	{ "IOMMU_TEST_OP_MOCK_DOMAIN on a nested HW page table", s_nested,
	  op_attach_nested, ck_attach_nested },
	{ "IOMMU_FAULT_QUEUE_ALLOC", s_fd, op_fault_alloc, ck_fault_alloc },
	{ "IOMMU_HWPT_ALLOC of a nested HW page table with a fault queue",
	  s_fault, op_nested_fault, ck_nested_fault },
	{ "IOMMU_TEST_OP_TRIGGER_IOPF", s_fault_dev, op_trigger_iopf,
	  ck_trigger_iopf },
	{ "read() of the fault fd", s_iopf, op_read_fault, ck_read_fault },
	{ "write() of a page response", s_iopf_read, op_respond, NULL },
	{ "close() of the fault fd, one group read, one not", s_iopf_close,
	  op_close_fault, NULL },
	{ "IOMMU_VFIO_IOAS SET", s_ioas, op_vfio_ioas_set, ck_vfio_ioas_set },
	{ "VFIO_SET_IOMMU(VFIO_TYPE1_IOMMU)", s_compat, op_set_iommu,
	  ck_set_iommu },
	{ "VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU)", s_compat, op_check_ext,
	  NULL },
	{ "VFIO_IOMMU_MAP_DMA, a mock domain", s_type1v2, op_map_dma,
	  ck_map_dma },
	{ "VFIO_IOMMU_UNMAP_DMA splitting a mapping (type1 v1)",
	  s_type1_split, op_unmap_split, ck_unmap_split },
	{ "VFIO_IOMMU_GET_INFO with eight IOVA ranges", s_get_info, op_get_info,
	  NULL },
};

/* ------------------------------------------------------------------ */
/* The test consumer module: the context API and the VFIO compat helpers */

static void s_consumer(struct st *s)
{
	s_fd(s);
	s->cfd = open("/dev/iommufd_test_consumer", O_RDWR);
	if (s->cfd < 0)
		tap_bail("open /dev/iommufd_test_consumer");
}

static int compat(struct st *s, uint32_t op)
{
	struct consumer_vfio_compat cmd = { .fd = s->fd, .op = op };
	int rc = ioctl_err(s->cfd, CONSUMER_VFIO_COMPAT, &cmd);

	s->out = cmd.out_ioas_id;
	return rc;
}

static void s_consumer_compat(struct st *s)
{
	s_consumer(s);
	must(compat(s, CONSUMER_COMPAT_CREATE));
}

static int op_check_fd(struct st *s)
{
	return ioctl_err(s->cfd, CONSUMER_CHECK_FD, &s->fd);
}

static int op_hold(struct st *s)
{
	return ioctl_err(s->cfd, CONSUMER_HOLD_FD, &s->fd);
}

static int ck_hold(struct st *s, int done)
{
	return ioctl_err(s->cfd, CONSUMER_DROP, NULL) != (done ? 0 : ENOENT);
}

static int op_compat_create(struct st *s)
{
	return compat(s, CONSUMER_COMPAT_CREATE);
}

static int ck_compat_create(struct st *s, int done)
{
	return compat(s, CONSUMER_COMPAT_GET_ID) != (done ? 0 : ENODEV);
}

static int op_compat_get_id(struct st *s)
{
	return compat(s, CONSUMER_COMPAT_GET_ID);
}

static int op_no_iommu(struct st *s)
{
	return compat(s, CONSUMER_COMPAT_SET_NO_IOMMU);
}

/* Only after success: creating a compat IOAS would undo a failure */
static int ck_no_iommu(struct st *s, int done)
{
	return done && compat(s, CONSUMER_COMPAT_CREATE) != EINVAL;
}

static const struct path consumer_paths[] = {
	{ "iommufd_ctx_from_fd() and iommufd_ctx_put()", s_consumer,
	  op_check_fd, NULL },
	{ "iommufd_ctx_from_file() and iommufd_ctx_get()", s_consumer, op_hold,
	  ck_hold },
	{ "iommufd_vfio_compat_ioas_create()", s_consumer, op_compat_create,
	  ck_compat_create },
	{ "iommufd_vfio_compat_ioas_get_id()", s_consumer_compat,
	  op_compat_get_id, NULL },
	{ "iommufd_vfio_compat_set_no_iommu()", s_consumer, op_no_iommu,
	  ck_no_iommu },
};

/* ------------------------------------------------------------------ */
/*
 * The device API on a real device: through VFIO's device cdev (and its
 * legacy group path), or through iommufd_pci.ko. Their bind, attach and
 * detach structs have the same layout.
 */

static int pci_mode;
static char bdf[32], cdev[64];
static int group = -1;

static int bind_dev(struct st *s)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = s->fd,
	};
	int rc = ioctl_err(s->dev_fd, pci_mode ? IOMMUFD_PCI_BIND_IOMMUFD :
				      VFIO_DEVICE_BIND_IOMMUFD, &bind);

	if (!rc)
		s->devid = bind.out_devid;
	return rc;
}

static int attach_dev(struct st *s, uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = pt_id,
	};
	int rc = ioctl_err(s->dev_fd, pci_mode ? IOMMUFD_PCI_ATTACH_PT :
				      VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);

	if (!rc)
		s->out = cmd.pt_id;
	return rc;
}

static void s_dev(struct st *s)
{
	s_ioas_map(s);
	s->alive = objects_alive();
	s->dev_fd = open(cdev, O_RDWR);
	if (s->dev_fd < 0)
		tap_bail("open %s", cdev);
}

static void s_bound(struct st *s)
{
	s_dev(s);
	must(bind_dev(s));
}

static void s_attached(struct st *s)
{
	s_bound(s);
	must(attach_dev(s, s->ioas));
	s->pt_id = s->out;
}

static void s_bound_manual(struct st *s)
{
	s_bound(s);
	must(hwpt_alloc(s->fd, s->devid, s->ioas, &s->hwpt_m));
}

static void s_attached_ioas2(struct st *s)
{
	s_attached(s);
	s_ioas2_map(s);
}

static void s_attached_manual(struct st *s)
{
	s_attached_ioas2(s);
	must(hwpt_alloc(s->fd, s->devid, s->ioas2, &s->hwpt_m));
}

/* A software MSI window (test_sw_msi), as ARM's SMMUs have: an MSI cookie */
static void s_bound_sw_msi(struct st *s)
{
	s_bound(s);
	must(module_param_write("test_sw_msi", 0x8000000));
	s->sw_msi = 1;
}

static int op_bind(struct st *s)
{
	return bind_dev(s);
}

static int ck_bind(struct st *s, int done)
{
	return done && (!s->devid || objects_alive() != s->alive + 1);
}

static int op_attach_ioas(struct st *s)
{
	return attach_dev(s, s->ioas);
}

static int op_attach_manual(struct st *s)
{
	return attach_dev(s, s->hwpt_m);
}

/* Attached: the HW page table is in use */
static int ck_attach(struct st *s, int done)
{
	return done && (!s->out || destroy(s->fd, s->out) != EBUSY);
}

static int ck_attach_sw_msi(struct st *s, int done)
{
	long cookies = module_param_read("msi_cookies");

	return cookies != done || ck_attach(s, done);
}

static int op_replace_dev_ioas(struct st *s)
{
	return attach_dev(s, s->ioas2);
}

static int op_replace_dev_manual(struct st *s)
{
	return attach_dev(s, s->hwpt_m);
}

/* The old automatic HW page table stays while the device is on it */
static int ck_replace_dev(struct st *s, int done)
{
	if (!done)
		return destroy(s->fd, s->pt_id) != EBUSY;
	return s->out == s->pt_id || destroy(s->fd, s->out) != EBUSY ||
	       destroy(s->fd, s->pt_id) != ENOENT;
}

static int op_detach_dev(struct st *s)
{
	struct vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };

	return ioctl_err(s->dev_fd, pci_mode ? IOMMUFD_PCI_DETACH_PT :
				    VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd);
}

static int ck_detach_dev(struct st *s, int done)
{
	return destroy(s->fd, s->pt_id) != (done ? ENOENT : EBUSY);
}

static int op_unbind_dev(struct st *s)
{
	struct iommufd_pci_unbind_iommufd cmd = { .argsz = sizeof(cmd) };

	return ioctl_err(s->dev_fd, IOMMUFD_PCI_UNBIND_IOMMUFD, &cmd);
}

/* Unbound: the DEVICE and its automatic HW page table are gone */
static int ck_unbound(struct st *s, int done)
{
	return done && objects_alive() != s->alive;
}

static int op_hwpt_alloc_dev(struct st *s)
{
	return hwpt_alloc(s->fd, s->devid, s->ioas, &s->out);
}

static int ck_hwpt_alloc_dev(struct st *s, int done)
{
	return done && destroy(s->fd, s->out);
}

static int op_hw_info_dev(struct st *s)
{
	uint64_t data[16];
	uint32_t type = 0;
	int rc = hw_info(s->fd, s->devid, data, sizeof(data), &type);

	return rc ?: (type == IOMMU_HW_INFO_TYPE_INTEL_VTD ? 0 : EDOM);
}

static int op_map_dev(struct st *s)
{
	return ioas_map_fixed(s->fd, s->ioas, buf + 8 * PAGE, 8 * PAGE, I2);
}

static int ck_map_dev(struct st *s, int done)
{
	return unmap_bytes(s->fd, s->ioas, I2, 8 * PAGE) !=
	       (done ? (long)(8 * PAGE) : -ENOENT);
}

static int op_unmap_dev(struct st *s)
{
	return ioas_unmap(s->fd, s->ioas, I1, 4 * PAGE, NULL);
}

/* Only after success: a second unmap would undo a failure */
static int ck_unmap_dev(struct st *s, int done)
{
	return done && unmap_bytes(s->fd, s->ioas, I1, 4 * PAGE) != -ENOENT;
}

static int op_copy_dev(struct st *s)
{
	uint64_t dst = I2 + 16 * PAGE;

	return ioas_copy(s->fd, MAP_FIXED_RW, s->ioas, s->ioas2, I2, 4 * PAGE,
			 &dst);
}

static int ck_copy_dev(struct st *s, int done)
{
	return unmap_bytes(s->fd, s->ioas, I2 + 16 * PAGE, 4 * PAGE) !=
	       (done ? (long)(4 * PAGE) : -ENOENT);
}

static int op_close_dev(struct st *s)
{
	int rc = close(s->dev_fd) ? errno : 0;

	s->dev_fd = -1;
	return rc;
}

static const struct path dev_paths[] = {
	{ "bind", s_dev, op_bind, ck_bind },
	{ "attach to an IOAS with mappings", s_bound, op_attach_ioas,
	  ck_attach },
	{ "attach to a manual HW page table", s_bound_manual, op_attach_manual,
	  ck_attach },
	{ "attach with a software MSI window: an MSI cookie", s_bound_sw_msi,
	  op_attach_ioas, ck_attach_sw_msi },
	{ "replace: to another IOAS", s_attached_ioas2, op_replace_dev_ioas,
	  ck_replace_dev },
	{ "replace: to a manual HW page table", s_attached_manual,
	  op_replace_dev_manual, ck_replace_dev },
	{ "detach", s_attached, op_detach_dev, ck_detach_dev },
	{ "IOMMU_HWPT_ALLOC for the device", s_bound, op_hwpt_alloc_dev,
	  ck_hwpt_alloc_dev },
	{ "IOMMU_GET_HW_INFO of the device", s_bound, op_hw_info_dev, NULL },
	{ "IOMMU_IOAS_MAP into its IOAS", s_attached, op_map_dev, ck_map_dev },
	{ "IOMMU_IOAS_UNMAP from its IOAS", s_attached, op_unmap_dev,
	  ck_unmap_dev },
	{ "IOMMU_IOAS_COPY into its IOAS", s_attached_ioas2, op_copy_dev,
	  ck_copy_dev },
	{ "close() of the bound and attached device", s_attached, op_close_dev,
	  ck_unbound },
};

/*
 * Through VFIO only what VFIO itself calls differently: every try there
 * opens the device and VFIO resets it (3.5 s a try on TCG), and attach,
 * replace and the /dev/iommu commands make the same calls into
 * iommufd.ko through iommufd_pci, whose run fails each of their
 * allocations (the stack filter counts no allocation of VFIO's or
 * iommufd_pci's own). VFIO's reaction to a failed attach is tested
 * through the group path's attach.
 */
static const struct path vfio_paths[] = {
	{ "bind", s_dev, op_bind, ck_bind },
	{ "detach", s_attached, op_detach_dev, ck_detach_dev },
	{ "close() of the bound and attached device", s_attached, op_close_dev,
	  ck_unbound },
};

static const struct path pci_paths[] = {
	{ "IOMMUFD_PCI_UNBIND_IOMMUFD of the attached device", s_attached,
	  op_unbind_dev, ck_unbound },
};

/* VFIO's legacy group path with the iommufd as container */

static void s_group(struct st *s)
{
	char path[32];

	s_fd(s);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	s->gfd = open(path, O_RDWR);
	if (s->gfd < 0)
		tap_bail("open %s", path);
}

static int op_set_container(struct st *s)
{
	return ioctl_err(s->gfd, VFIO_GROUP_SET_CONTAINER, &s->fd);
}

/* The group asked for the compat IOAS */
static int ck_set_container(struct st *s, int done)
{
	uint32_t id = 0;

	return vfio_ioas(s->fd, IOMMU_VFIO_IOAS_GET, &id) != (done ? 0 : ENODEV);
}

static void s_group_set(struct st *s)
{
	s_group(s);
	must(op_set_container(s));
	must(vfio_ioas(s->fd, IOMMU_VFIO_IOAS_GET, &s->ioas));
	/*
	 * No mapping: loading mappings into the new domain is failed through
	 * iommufd_pci's attach, at less than a reset a try
	 */
	s->alive = objects_alive();
}

static int op_group_device(struct st *s)
{
	s->dev_fd = ioctl(s->gfd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	return s->dev_fd < 0 ? errno : 0;
}

/* Bound and attached to the compat IOAS: a DEVICE, a HW page table */
static int ck_group_device(struct st *s, int done)
{
	return objects_alive() != s->alive + (done ? 2 : 0);
}

static void s_group_device(struct st *s)
{
	s_group_set(s);
	must(op_group_device(s));
}

static const struct path group_paths[] = {
	{ "VFIO_GROUP_SET_CONTAINER with the iommufd", s_group,
	  op_set_container, ck_set_container },
	{ "VFIO_GROUP_GET_DEVICE_FD: bind and attach to the compat IOAS",
	  s_group_set, op_group_device, ck_group_device },
	{ "close() of the group path's device fd", s_group_device,
	  op_close_dev, ck_unbound },
};

/* /dev/vfio/devices/vfioN or /dev/iommufd-pci/BDF of @dev; 0, or -1 */
static int find_cdev(const char *dev)
{
	char path[160];
	struct dirent *d;
	DIR *dir;

	if (pci_mode) {
		snprintf(cdev, sizeof(cdev), "/dev/iommufd-pci/%.32s", dev);
		return access(cdev, F_OK);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", dev);
	dir = opendir(path);
	if (!dir)
		return -1;
	cdev[0] = 0;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "vfio", 4))
			snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/%.32s",
				 d->d_name);
	closedir(dir);
	return cdev[0] ? 0 : -1;
}

/* The IOMMU group of @dev if the device is alone in it, else -1 */
static int lone_group(const char *dev)
{
	char path[160], link[160];
	struct dirent *d;
	DIR *dir;
	ssize_t len;
	int n = 0;

	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/iommu_group/devices", dev);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 dev);
	len = readlink(path, link, sizeof(link) - 1);
	if (n != 1 || len <= 0)
		return -1;
	link[len] = 0;
	return atoi(strrchr(link, '/') + 1);
}

/* BAR 0 of the device, mmap()ed */
static volatile uint8_t *map_bar(int dev_fd)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	void *p;

	if (pci_mode)
		info.offset = IOMMUFD_PCI_REGION_OFFSET(0);
	else if (ioctl(dev_fd, VFIO_DEVICE_GET_REGION_INFO, &info))
		return NULL;
	p = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dev_fd, info.offset);
	return p == MAP_FAILED ? NULL : p;
}

/* VFIO leaves bus mastering to userspace; iommufd_pci sets it at bind */
static int bus_master_on(int dev_fd)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint16_t cmd;

	if (pci_mode)
		return 0;
	if (ioctl(dev_fd, VFIO_DEVICE_GET_REGION_INFO, &info) ||
	    pread(dev_fd, &cmd, 2, info.offset + 4) != 2)
		return -1;
	cmd |= 0x4;
	return pwrite(dev_fd, &cmd, 2, info.offset + 4) == 2 ? 0 : -1;
}

static int edu_dma(volatile uint8_t *bar, uint64_t src, uint64_t dst,
		   uint32_t len, int to_ram)
{
	struct timespec t = { 0, 5 * 1000 * 1000 };
	int i;

	*(volatile uint64_t *)(bar + EDU_DMA_SRC) = src;
	*(volatile uint64_t *)(bar + EDU_DMA_DST) = dst;
	*(volatile uint64_t *)(bar + EDU_DMA_COUNT) = len;
	*(volatile uint64_t *)(bar + EDU_DMA_CMD) =
		EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0);
	for (i = 0; i < 1000; i++) {
		if (!(*(volatile uint32_t *)(bar + EDU_DMA_CMD) & EDU_DMA_RUN))
			return 0;
		nanosleep(&t, NULL);
	}
	return -1;
}

/* After all the failures: the device still DMAs through a new context */
static void dma_works(void)
{
	volatile uint8_t *bar;
	struct st s;
	int rc;

	st_init(&s);
	s_attached(&s);
	memset(buf, 0, 16 * PAGE);
	memset(buf, 0xa5, PAGE);
	bar = map_bar(s.dev_fd);
	rc = !bar || bus_master_on(s.dev_fd) ||
	     edu_dma(bar, I1, EDU_BUFFER, 1024, 0) ||
	     edu_dma(bar, EDU_BUFFER, I1 + PAGE, 1024, 1) ||
	     memcmp(buf, buf + PAGE, 1024);
	if (bar)
		munmap((void *)bar, EDU_BAR_SIZE);
	st_close(&s);
	ok(!rc, "%sthen the device DMAs through a new context", prefix);
	memset(buf, 0, 16 * PAGE);
}

/* ------------------------------------------------------------------ */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int total_points, total_tries, total_paths;

/* A problem of one try: counted, the first few explained */
#define problem(fmt, ...)                                                      \
	do {                                                                   \
		if (bad++ < 3)                                                 \
			diag("  N=%d: " fmt, n, ##__VA_ARGS__);                \
	} while (0)

static void run_path(const struct path *p)
{
	int n, rc, fired, failures = 0, silent = 0, bad = 0, ran = 0;
	struct snap base, before, after;
	const char *why;
	double t0 = now();
	char errs[64] = "";
	struct st s;

	snap(&base);
	/* N = 0: no injection, and every page the call touches faulted in */
	for (n = 0; n <= MAX_NTH; n++) {
		st_init(&s);
		if (p->setup)
			p->setup(&s);
		snap(&before);
		nth_write(n);
		rc = p->op(&s);
		fired = nth_disarm(n);
		total_tries++;
		if (rc && !fired) {
			problem("fails (%s) where no allocation failed",
				strerror(rc));
		} else if (rc) {
			failures++;
			if (!strstr(errs, strerror(rc)) &&
			    strlen(errs) + strlen(strerror(rc)) < sizeof(errs) - 3)
				snprintf(errs + strlen(errs),
					 sizeof(errs) - strlen(errs), "%s%s",
					 errs[0] ? ", " : "", strerror(rc));
			snap(&after);
			why = snap_diff(&before, &after);
			if (*why)
				problem("a failure (%s) changed %s",
					strerror(rc), why);
			else if (p->check && p->check(&s, 0))
				problem("a failure (%s) changed the state",
					strerror(rc));
			rc = p->op(&s);
			if (rc)
				problem("after a failure the call fails again (%s)",
					strerror(rc));
			else if (p->check && p->check(&s, 1))
				problem("after a failure the call works, wrongly");
		} else {
			silent += fired;
			if (p->check && p->check(&s, 1))
				problem("the call %ssucceeded, wrongly",
					fired ? "had an allocation fail and " : "");
		}
		st_close(&s);
		snap(&after);
		why = snap_diff(&base, &after);
		if (*why)
			problem("after the try and close(): %s", why);
		if (n && !fired) {
			ran = 1;
			break;
		}
		/* Stop on a broken path, but not before seeing it twice */
		if (bad > 2)
			break;
	}
	total_paths++;
	if (!ran) {
		ok(0, "%s%s: still failing at N=%d", prefix, p->name, n);
		return;
	}
	total_points += n - 1;
	if (n == 1)
		ok(!bad, "%s%s: no allocation", prefix, p->name);
	else
		ok(!bad, "%s%s: fails cleanly at each of its %d allocations (%s)",
		   prefix, p->name, n - 1, errs[0] ? errs : "the call survives each");
	if (silent)
		diag("  %d of them it survives (the kernel falls back)", silent);
	diag("  %.1f s", now() - t0);
}

static void run_paths(const struct path *paths, size_t num)
{
	size_t i;

	for (i = 0; i != num; i++)
		run_path(&paths[i]);
}

/* ------------------------------------------------------------------ */
/* Which allocations may fail: those made on behalf of iommufd.ko */

/*
 * The stack filter of failslab and fail_page_alloc: only allocations with
 * a function of iommufd.ko on the stack count towards fail-nth (not the
 * VFS's, nor what VFIO's or iommufd_pci's own code allocates around our
 * calls), except those under iommu_group_release_dma_owner(): the IOMMU
 * core puts the group back on its default domain there and must not fail
 * (it WARNs if it does); that is its contract, no path of ours.
 */
struct sym_range {
	const char *name;	/* a function, or NULL for iommufd.ko's text */
	unsigned long start, end;
};

/* Fill the ranges from /proc/kallsyms: each ends at the next function */
static void kallsyms_ranges(struct sym_range *r, size_t num)
{
	unsigned long addr, mod_last = 0;
	char line[512], type, name[256], mod[64];
	FILE *f = fopen("/proc/kallsyms", "r");
	size_t i;
	int pass;

	if (!f)
		tap_bail("open /proc/kallsyms");
	/* First the starts and the module's last function, then the ends */
	for (pass = 0; pass != 2; pass++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			mod[0] = 0;
			if (sscanf(line, "%lx %c %255s [%63[^]]]", &addr, &type,
				   name, mod) < 3 ||
			    (type != 't' && type != 'T') || !addr)
				continue;
			for (i = 0; i != num; i++) {
				int ours = r[i].name ? !strcmp(name, r[i].name) :
						       !strcmp(mod, "iommufd");

				if (pass == 0 && ours) {
					if (!r[i].start || addr < r[i].start)
						r[i].start = addr;
					if (!r[i].name && addr > mod_last)
						mod_last = addr;
					continue;
				}
				if (pass == 0 || ours)
					continue;
				/* A function of someone else after ours */
				if (addr > (r[i].name ? r[i].start : mod_last) &&
				    (!r[i].end || addr < r[i].end))
					r[i].end = addr;
				/* ... or inside the module's text */
				if (!r[i].name && addr > r[i].start &&
				    addr < mod_last)
					tap_bail("iommufd.ko's text is not contiguous (%s)",
						 name);
			}
		}
	}
	fclose(f);
	for (i = 0; i != num; i++) {
		/* Nothing after the module: its last function is its end */
		if (!r[i].name && !r[i].end)
			r[i].end = mod_last + (1UL << 20);
		if (!r[i].start || !r[i].end)
			tap_bail("no %s in /proc/kallsyms",
				 r[i].name ?: "iommufd.ko");
	}
}

static void stack_filter(void)
{
	struct sym_range r[] = {
		{ NULL },
		{ "iommu_group_release_dma_owner" },
	};
	static const char *const attrs[] = { "failslab", "fail_page_alloc" };
	char path[96], val[32];
	size_t i;

	kallsyms_ranges(r, ARRAY_SIZE(r));
	diag("fail-nth counts allocations under iommufd.ko [%#lx, %#lx), not under %s [%#lx, %#lx)",
	     r[0].start, r[0].end, r[1].name, r[1].start, r[1].end);
	for (i = 0; i != ARRAY_SIZE(attrs); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/stacktrace-depth",
			 attrs[i]);
		if (write_file(path, "32"))
			tap_bail("write %s (no CONFIG_FAULT_INJECTION_STACKTRACE_FILTER?)",
				 path);
#define KNOB(name, v)                                                          \
	do {                                                                   \
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/" name,     \
			 attrs[i]);                                            \
		snprintf(val, sizeof(val), "%#lx", v);                         \
		if (write_file(path, val))                                     \
			tap_bail("write %s", path);                            \
	} while (0)
		KNOB("require-start", r[0].start);
		KNOB("require-end", r[0].end);
		KNOB("reject-start", r[1].start);
		KNOB("reject-end", r[1].end);
#undef KNOB
	}
}

int main(int argc, char **argv)
{
	double t0 = now();
	char path[64];
	long psz;
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	nth_fd = open(path, O_RDWR);
	if (nth_fd < 0) {
		printf("1..0 # SKIP not applicable: this kernel has no fault injection (%s)\n",
		       path);
		return 0;
	}
	if (!is_test_build()) {
		printf("1..0 # SKIP not applicable: needs the test build\n");
		return 0;
	}
	knobs_set();
	stack_filter();
	buf = (uint8_t *)test_build_buffer(16, &psz);
	if (psz != (long)PAGE)
		tap_bail("page size %ld", psz);
	memset(buf, 0, 16 * PAGE);
	hbuf = mmap(NULL, HUGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1,
		    0);
	if (hbuf == MAP_FAILED) {
		diag("no 2 MiB hugetlb page (errno %d)", errno);
		hbuf = NULL;
	}

	if (argc == 1) {
		run_paths(core_paths, ARRAY_SIZE(core_paths));
	} else if (!strcmp(argv[1], "consumer")) {
		run_paths(consumer_paths, ARRAY_SIZE(consumer_paths));
	} else if ((!strcmp(argv[1], "vfio") || !strcmp(argv[1], "pci")) &&
		   argc > 2) {
		pci_mode = !strcmp(argv[1], "pci");
		for (i = 2; i < argc; i++) {
			group = find_cdev(argv[i]) ? -1 : lone_group(argv[i]);
			if (group >= 0)
				break;
		}
		if (i == argc)
			tap_bail("no edu alone in its IOMMU group on %s",
				 pci_mode ? "iommufd_pci" : "vfio-pci");
		snprintf(bdf, sizeof(bdf), "%s", argv[i]);
		prefix = pci_mode ? "iommufd_pci: " : "VFIO cdev: ";
		diag("%s (%s, IOMMU group %d)", bdf, cdev, group);
		if (pci_mode) {
			run_paths(dev_paths, ARRAY_SIZE(dev_paths));
			run_paths(pci_paths, ARRAY_SIZE(pci_paths));
		} else {
			run_paths(vfio_paths, ARRAY_SIZE(vfio_paths));
			prefix = "VFIO group: ";
			run_paths(group_paths, ARRAY_SIZE(group_paths));
		}
		dma_works();
	} else {
		tap_bail("usage: fail_nth [consumer | vfio BDF... | pci BDF...]");
	}
	diag("%d paths, %d allocations failed one by one, %d tries, %.0f s",
	     total_paths, total_points, total_tries, now() - t0);
	return tap_done();
}
