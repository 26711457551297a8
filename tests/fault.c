// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault queues through the mock IOMMU (test build only; uapi.md §7.6,
 * selftest-abi.md §5.15): IOMMU_FAULT_QUEUE_ALLOC and its fd (O_CLOEXEC,
 * not seekable), HW page tables with a fault ID, TRIGGER_IOPF, read() of
 * whole groups with their cookies, write() of responses, poll(), and every
 * way a group is answered: by userspace, or INVALID when its device leaves
 * the HW page table, when the fd is closed (at every stage), or when there
 * is no queue. mock_iopf_success/_invalid count the answers the mock device
 * got. Objects, fds and pins are back where they were afterwards.
 */
#include <dirent.h>
#include <poll.h>
#include <stdint.h>

#include "utils.h"

#define NPAGES 16
#define APERTURE 0x1000000ull
#define REC sizeof(struct iommu_hwpt_pgfault)
#define RESP sizeof(struct iommu_hwpt_page_response)

static long psz;
static char *buf;

static long answered_ok(void)
{
	return module_param_read("mock_iopf_success");
}

static long answered_invalid(void)
{
	return module_param_read("mock_iopf_invalid");
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static short poll_events(int ffd)
{
	struct pollfd p = { .fd = ffd, .events = POLLIN | POLLOUT };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

/* read() of @count bytes: the byte count, or -errno */
static long rd(int ffd, void *to, size_t count)
{
	ssize_t n = read(ffd, to, count);

	return n < 0 ? -errno : n;
}

/* write() of responses: the byte count, or -errno */
static long wr(int ffd, const struct iommu_hwpt_page_response *r, size_t n)
{
	ssize_t got = write(ffd, r, n * RESP);

	return got < 0 ? -errno : got / (long)RESP;
}

static long answer(int ffd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	return wr(ffd, &r, 1);
}

/* A context with a mock device on a nested HWPT with a fault queue */
struct setup {
	int fd, ffd;
	uint32_t ioas, idev, stdev, parent, fault, hwpt;
	uint32_t idev2, stdev2;
};

static void setup(struct setup *s)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	s->fd = open_iommufd();
	ioas_alloc(s->fd, &s->ioas);
	ioas_map_fixed(s->fd, s->ioas, buf, NPAGES * psz, APERTURE);
	mock_domain(s->fd, s->ioas, NULL, NULL, &s->idev);
	hwpt_alloc_flags(s->fd, s->idev, s->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
			 &s->parent);
	if (fault_alloc(s->fd, &s->fault, &s->ffd) ||
	    hwpt_alloc_nested(s->fd, s->idev, s->parent,
			      IOMMU_HWPT_FAULT_ID_VALID,
			      IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data),
			      s->fault, &s->hwpt) ||
	    mock_domain(s->fd, s->hwpt, &s->stdev2, NULL, &s->idev2))
		tap_bail("fault queue set-up");
}

static void test_alloc(void)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd), .flags = 1 };
	struct iommu_fault_alloc *ro;
	uint32_t id, id2, ioas;
	char link[64], path[64];
	int fds = open_fds(), fd = open_iommufd(), ffd, ffd2;
	long alive = objects_alive();
	ssize_t n;

	ok_errno(ioctl_err(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd), EOPNOTSUPP,
		 "FAULT_QUEUE_ALLOC with flags: EOPNOTSUPP");
	ok(objects_alive() == alive && open_fds() == fds + 1,
	   "no object, no fd");
	ok_errno(fault_alloc(fd, &id, &ffd), 0, "FAULT_QUEUE_ALLOC");
	ok(id && ffd > 2 && objects_alive() == alive + 1,
	   "a FAULT object %u and fd %d", id, ffd);
	ok(fcntl(ffd, F_GETFD) == FD_CLOEXEC &&
		   (fcntl(ffd, F_GETFL) & O_ACCMODE) == O_RDWR,
	   "the fd is O_CLOEXEC and O_RDWR");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ffd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	ok(!strcmp(link, "anon_inode:[iommufd-pgfault]"), "named %s", link);
	ok(lseek(ffd, 0, SEEK_SET) < 0 && errno == ESPIPE,
	   "lseek: ESPIPE");
	ok(pread(ffd, link, REC, 0) < 0 && errno == ESPIPE, "pread: ESPIPE");
	ok(rd(ffd, link, REC) == 0, "read with nothing pending: 0");
	ok(rd(ffd, link, 0) == 0, "read of 0 bytes: 0");
	ok(rd(ffd, link, REC - 1) == -ESPIPE,
	   "read of a size that is not a multiple of 40: ESPIPE");
	ok(poll_events(ffd) == POLLOUT, "poll: writable, nothing to read");
	ok(answer(ffd, 1, IOMMUFD_PAGE_RESP_SUCCESS) == -EINVAL,
	   "a response to nothing: EINVAL");
	ok(write(ffd, link, RESP - 1) < 0 && errno == ESPIPE,
	   "write of a size that is not a multiple of 8: ESPIPE");
	ok_errno(destroy(fd, id), EBUSY, "destroy while the fd is open: EBUSY");
	ok_errno(ioas_alloc(fd, &ioas), 0, "(an IOAS)");
	ok_errno(hwpt_alloc_flags(fd, id, ioas, 0, &id2), ENOENT,
		 "a FAULT is no DEVICE: ENOENT");
	close(ffd);
	ok_errno(destroy(fd, id), 0, "destroy once the fd is closed");

	ro = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*ro = (struct iommu_fault_alloc){ .size = sizeof(*ro) };
	mprotect(ro, psz, PROT_READ);
	ok_errno(ioctl_err(fd, IOMMU_FAULT_QUEUE_ALLOC, ro), EFAULT,
		 "FAULT_QUEUE_ALLOC whose write-back faults: EFAULT");
	munmap(ro, psz);
	ok(open_fds() == fds + 1 && objects_alive() == alive + 1,
	   "it left no fd and no object");
	ok_errno(fault_alloc(fd, &id2, &ffd2), 0, "allocate again");
	ok(id2 == id, "the same ID: none was taken (%u)", id2);
	close(ffd2);
	close(fd);
	ok(objects_alive() == alive && open_fds() == fds,
	   "close: nothing left");
}

static void test_hwpt(void)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	uint32_t ioas, idev, parent, fault, hwpt, stdev;
	long alive = objects_alive();
	int fd = open_iommufd(), ffd;

	ioas_alloc(fd, &ioas);
	mock_domain(fd, ioas, NULL, NULL, &idev);
	hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, &parent);
	fault_alloc(fd, &fault, &ffd);
	ok_errno(hwpt_alloc_nested(fd, idev, parent, IOMMU_HWPT_FAULT_ID_VALID,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data), ioas, &hwpt),
		 ENOENT, "HWPT_ALLOC with a fault_id that is an IOAS: ENOENT");
	ok_errno(hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_FAULT_ID_VALID,
				  &hwpt),
		 EOPNOTSUPP, "a paging HWPT with a fault ID: EOPNOTSUPP");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, IOMMU_HWPT_FAULT_ID_VALID,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data), fault, &hwpt),
		 0, "a nested HWPT with the fault queue");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, 0,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data), fault, NULL),
		 0, "(fault_id is ignored without FAULT_ID_VALID)");
	close(ffd);
	ok_errno(destroy(fd, fault), EBUSY,
		 "the fd closed, the HWPT still holds the FAULT: EBUSY");
	ok_errno(mock_domain(fd, hwpt, &stdev, NULL, NULL), 0,
		 "a mock device attaches to it");
	ok_errno(destroy(fd, hwpt), EBUSY, "the HWPT in use: EBUSY");
	ok_errno(destroy(fd, stdev), 0, "the device goes");
	ok_errno(destroy(fd, hwpt), 0, "then the HWPT");
	ok_errno(destroy(fd, fault), 0, "then the FAULT");
	ok_errno(hwpt_alloc_nested(fd, idev, parent, IOMMU_HWPT_FAULT_ID_VALID,
				   IOMMU_HWPT_DATA_SELFTEST, &data,
				   sizeof(data), fault, &hwpt),
		 ENOENT, "its ID is gone: ENOENT");
	close(fd);
	ok(objects_alive() == alive, "close: nothing left");
}

static void test_read_write(void)
{
	struct iommu_hwpt_pgfault rec[4];
	struct iommu_hwpt_page_response r[2];
	struct setup s;
	long ok0 = answered_ok(), inv0 = answered_invalid();
	void *volatile bad = (void *)8;
	char *edge;

	setup(&s);
	ok_errno(trigger_iopf(s.fd, 999, 0, 0, 0, 0), ENOENT,
		 "TRIGGER_IOPF of an unknown device: ENOENT");
	ok_errno(trigger_iopf(s.fd, s.ioas, 0, 0, 0, 0), ENOENT,
		 "of an IOAS: ENOENT");
	ok(answered_invalid() == inv0, "(nothing raised)");
	ok_errno(trigger_iopf(s.fd, s.idev, 0, 1, IOMMU_PGFAULT_PERM_READ,
			      0x1000),
		 0, "TRIGGER_IOPF of a device on a HWPT without fault queue");
	ok(answered_invalid() == inv0 + 1, "is answered INVALID at once");

	ok_errno(trigger_iopf(s.fd, s.idev2, 0, 7,
			      IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE,
			      0xdeadb000),
		 0, "TRIGGER_IOPF of the device on the queue's HWPT");
	ok(poll_events(s.ffd) == (POLLIN | POLLOUT),
	   "poll: readable (0x%x)", poll_events(s.ffd));
	ok(rd(s.ffd, rec, 0) == -EINVAL,
	   "read of 0 bytes, a group pending: EINVAL (it does not fit)");
	ok(rd(s.ffd, bad, REC) == -EFAULT, "read to a bad buffer: EFAULT");
	memset(rec, 0xa5, sizeof(rec));
	ok(rd(s.ffd, rec, 2 * REC) == REC, "read: one record");
	ok(rec[0].flags == IOMMU_PGFAULT_FLAGS_LAST_PAGE &&
		   rec[0].dev_id == s.idev2 && rec[0].pasid == 0 &&
		   rec[0].grpid == 7 &&
		   rec[0].perm == (IOMMU_PGFAULT_PERM_READ |
				   IOMMU_PGFAULT_PERM_WRITE) &&
		   !rec[0].__reserved && rec[0].addr == 0xdeadb000 &&
		   rec[0].length == 0 && rec[0].cookie == 1,
	   "the record: LAST_PAGE, the DEVICE's ID, grpid, perm, addr, "
	   "length 0, cookie 1");
	ok(*(uint32_t *)&rec[1] == 0xa5a5a5a5, "nothing beyond it");
	ok(poll_events(s.ffd) == POLLOUT, "poll: nothing left to read");
	ok(rd(s.ffd, rec, REC) == 0, "read again: 0");

	trigger_iopf(s.fd, s.idev2, 5, 8, IOMMU_PGFAULT_PERM_EXEC, 0x2000);
	ok(rd(s.ffd, rec, REC) == REC &&
		   rec[0].flags == (IOMMU_PGFAULT_FLAGS_LAST_PAGE |
				    IOMMU_PGFAULT_FLAGS_PASID_VALID) &&
		   rec[0].pasid == 5 && rec[0].cookie == 2,
	   "with a PASID: PASID_VALID, cookie 2 (1 awaits its answer)");
	ok(answer(s.ffd, 1, 2) == -EINVAL, "a response with code 2: EINVAL");
	ok(answer(s.ffd, 3, IOMMUFD_PAGE_RESP_SUCCESS) == -EINVAL,
	   "to a cookie not awaiting one: EINVAL");
	ok(write(s.ffd, bad, RESP) < 0 && errno == EFAULT,
	   "from a bad buffer: EFAULT");
	ok(answered_ok() == ok0, "(nothing answered)");
	ok(answer(s.ffd, 1, IOMMUFD_PAGE_RESP_SUCCESS) == 1,
	   "answer cookie 1: SUCCESS");
	ok(answered_ok() == ok0 + 1, "the device got it");
	ok(answer(s.ffd, 1, IOMMUFD_PAGE_RESP_SUCCESS) == -EINVAL,
	   "answer it again: EINVAL");
	trigger_iopf(s.fd, s.idev2, 0, 9, 0, 0x3000);
	ok(rd(s.ffd, rec, REC) == REC && rec[0].cookie == 1,
	   "a new group gets the free cookie 1");
	r[0] = (struct iommu_hwpt_page_response){ 2, IOMMUFD_PAGE_RESP_INVALID };
	r[1] = (struct iommu_hwpt_page_response){ 7, IOMMUFD_PAGE_RESP_SUCCESS };
	ok(wr(s.ffd, r, 2) == 1, "two responses, the second bad: one taken");
	ok(answered_invalid() == inv0 + 2, "cookie 2 was answered INVALID");
	r[1].cookie = 1;
	ok(wr(s.ffd, &r[1], 1) == 1 && answered_ok() == ok0 + 2,
	   "cookie 1: SUCCESS");

	/* Several groups; a buffer whose second record faults */
	trigger_iopf(s.fd, s.idev2, 0, 10, 0, 0x4000);
	trigger_iopf(s.fd, s.idev2, 0, 11, 0, 0x5000);
	trigger_iopf(s.fd, s.idev2, 0, 12, 0, 0x6000);
	edge = page_before_hole();
	ok(rd(s.ffd, edge + psz - REC, 2 * REC) == REC,
	   "read of two into a buffer whose second half faults: one");
	ok(rd(s.ffd, rec, 4 * REC) == 2 * REC && rec[0].grpid == 11 &&
		   rec[1].grpid == 12 && rec[0].cookie == 2 &&
		   rec[1].cookie == 3,
	   "then the other two, in order, cookies 2 and 3");
	munmap(edge, psz);
	r[0] = (struct iommu_hwpt_page_response){ 1, IOMMUFD_PAGE_RESP_SUCCESS };
	r[1] = (struct iommu_hwpt_page_response){ 3, IOMMUFD_PAGE_RESP_SUCCESS };
	ok(wr(s.ffd, r, 2) == 2 && answered_ok() == ok0 + 4,
	   "two answers in one write");

	/* The device leaves: what it had pending is answered INVALID */
	inv0 = answered_invalid();
	trigger_iopf(s.fd, s.idev2, 0, 13, 0, 0x7000);
	ok_errno(destroy(s.fd, s.stdev2), 0,
		 "the device goes: one group read, one not");
	ok(answered_invalid() == inv0 + 2, "both answered INVALID");
	ok(rd(s.ffd, rec, REC) == 0, "nothing left to read");
	ok(answer(s.ffd, 2, IOMMUFD_PAGE_RESP_SUCCESS) == -EINVAL,
	   "nor to answer");
	close(s.ffd);
	close(s.fd);
}

/* Replace: the old HWPT's pending faults of the device are answered */
static void test_replace(void)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_pgfault rec[2];
	uint32_t fault2, hwpt2, pt;
	long inv0 = answered_invalid();
	struct setup s;
	int ffd2;

	setup(&s);
	fault_alloc(s.fd, &fault2, &ffd2);
	hwpt_alloc_nested(s.fd, s.idev, s.parent, IOMMU_HWPT_FAULT_ID_VALID,
			  IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data), fault2,
			  &hwpt2);
	trigger_iopf(s.fd, s.idev2, 0, 1, 0, 0x1000);
	trigger_iopf(s.fd, s.idev2, 0, 2, 0, 0x2000);
	rd(s.ffd, rec, REC);
	pt = hwpt2;
	ok_errno(mock_domain_replace(s.fd, s.stdev2, &pt), 0,
		 "REPLACE to a HWPT with another fault queue");
	ok(answered_invalid() == inv0 + 2,
	   "the two pending on the old queue were answered INVALID");
	trigger_iopf(s.fd, s.idev2, 0, 3, 0, 0x3000);
	ok(rd(s.ffd, rec, REC) == 0 && rd(ffd2, rec, REC) == REC &&
		   rec[0].grpid == 3,
	   "new faults go to the new queue");
	pt = s.parent;
	ok_errno(mock_domain_replace(s.fd, s.stdev2, &pt), 0,
		 "REPLACE to the parent, no fault queue");
	ok(answered_invalid() == inv0 + 3, "the read one answered INVALID");
	trigger_iopf(s.fd, s.idev2, 0, 4, 0, 0x4000);
	ok(answered_invalid() == inv0 + 4 && rd(ffd2, rec, REC) == 0,
	   "a new fault goes nowhere: INVALID at once");
	pt = s.hwpt;
	ok_errno(mock_domain_replace(s.fd, s.stdev2, &pt), 0,
		 "REPLACE back to the first queue's HWPT");
	trigger_iopf(s.fd, s.idev2, 0, 5, 0, 0x5000);
	ok(rd(s.ffd, rec, REC) == REC && rec[0].grpid == 5,
	   "faults reach the first queue again");
	ok(answer(s.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS) == 1,
	   "answered");
	close(ffd2);
	close(s.ffd);
	close(s.fd);
}

/* Close the fault fd at every stage */
static void test_close(void)
{
	struct iommu_hwpt_pgfault rec[2];
	long inv0, alive = objects_alive();
	struct setup s;

	/* Undelivered and awaiting groups at close */
	setup(&s);
	trigger_iopf(s.fd, s.idev2, 0, 1, 0, 0x1000);
	trigger_iopf(s.fd, s.idev2, 0, 2, 0, 0x2000);
	trigger_iopf(s.fd, s.idev2, 0, 3, 0, 0x3000);
	rd(s.ffd, rec, REC);
	inv0 = answered_invalid();
	close(s.ffd);
	ok(answered_invalid() == inv0 + 3,
	   "closing the fd answers its three groups INVALID, read or not");
	trigger_iopf(s.fd, s.idev2, 0, 4, 0, 0x4000);
	ok(answered_invalid() == inv0 + 4,
	   "later faults are answered INVALID at once");
	ok_errno(destroy(s.fd, s.fault), EBUSY,
		 "the FAULT, used by the HWPT: EBUSY");
	ok_errno(destroy(s.fd, s.stdev2), 0, "the device goes");
	ok(answered_invalid() == inv0 + 4, "with nothing left to answer");
	ok_errno(destroy(s.fd, s.hwpt), 0, "the HWPT goes");
	ok_errno(destroy(s.fd, s.fault), 0, "then the FAULT");
	close(s.fd);
	ok(objects_alive() == alive, "nothing left");

	/* The iommufd first: the fault fd keeps the context */
	setup(&s);
	trigger_iopf(s.fd, s.idev2, 0, 5, 0, 0x5000);
	trigger_iopf(s.fd, s.idev2, 0, 6, 0, 0x6000);
	close(s.fd);
	ok(objects_alive() > alive,
	   "the iommufd closed, the fault fd keeps the context (%ld objects)",
	   objects_alive() - alive);
	ok(poll_events(s.ffd) == (POLLIN | POLLOUT) &&
		   rd(s.ffd, rec, REC) == REC,
	   "its queue can still be read");
	inv0 = answered_invalid();
	ok(answer(s.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_INVALID) == 1 &&
		   answered_invalid() == inv0 + 1,
	   "and answered");
	close(s.ffd);
	ok(answered_invalid() == inv0 + 2, "closing it answers the other");
	ok(objects_alive() == alive, "and tears the context down");

	/* Closed before any HWPT used the queue */
	setup(&s);
	destroy(s.fd, s.stdev2);
	destroy(s.fd, s.hwpt);
	close(s.ffd);
	{
		struct iommu_hwpt_selftest data = {
			.iotlb = IOMMU_TEST_IOTLB_DEFAULT,
		};

		ok_errno(hwpt_alloc_nested(s.fd, s.idev, s.parent,
					   IOMMU_HWPT_FAULT_ID_VALID,
					   IOMMU_HWPT_DATA_SELFTEST, &data,
					   sizeof(data), s.fault, &s.hwpt),
			 0, "a HWPT takes a queue whose fd is closed");
	}
	mock_domain(s.fd, s.hwpt, &s.stdev2, NULL, &s.idev2);
	inv0 = answered_invalid();
	trigger_iopf(s.fd, s.idev2, 0, 7, 0, 0x7000);
	ok(answered_invalid() == inv0 + 1, "its faults: INVALID at once");
	close(s.fd);
	ok(objects_alive() == alive, "close: nothing left");
}

/* Every failure point of FAULT_QUEUE_ALLOC and of a fault report */
static void test_fail_nth(void)
{
	int fds = open_fds(), fd = open_iommufd(), n, rc = 0, bad = 0, ffd;
	long alive = objects_alive(), inv0;
	struct iommu_hwpt_pgfault rec;
	struct setup s;
	uint32_t id;

	for (n = 1; n < 50; n++) {
		module_param_write("fail_nth", n);
		rc = fault_alloc(fd, &id, &ffd);
		module_param_write("fail_nth", 0);
		if (!rc)
			break;
		bad += objects_alive() != alive || open_fds() != fds + 1;
	}
	ok(!rc && !bad, "FAULT_QUEUE_ALLOC fails cleanly at each of its %d "
	   "failure points: no object, no fd", n - 1);
	close(ffd);
	close(fd);

	setup(&s);
	for (n = 1; n < 50; n++) {
		inv0 = answered_invalid();
		module_param_write("fail_nth", n);
		rc = trigger_iopf(s.fd, s.idev2, 0, 1, 0, 0x1000);
		module_param_write("fail_nth", 0);
		if (rd(s.ffd, &rec, REC) == REC)
			break;
		/* Not queued: answered INVALID, and never lost */
		bad += rc ? 0 : answered_invalid() != inv0 + 1;
	}
	ok(!bad, "a fault that cannot be queued is answered INVALID (%d "
	   "failure points)", n - 1);
	close(s.ffd);
	close(s.fd);
	ok(objects_alive() == alive && open_fds() == fds, "nothing left");
}

int main(void)
{
	long alive;
	int fd;

	buf = test_build_buffer(NPAGES, &psz);
	alive = objects_alive();

	test_alloc();
	test_hwpt();
	test_read_write();
	test_replace();
	test_close();
	test_fail_nth();

	fd = open_iommufd();
	ok_errno(check_refs(fd, buf, NPAGES * psz, 0), 0, "no page pinned");
	close(fd);
	ok(proc_kb("/proc/self/status", "VmPin") == 0, "VmPin 0");
	ok(objects_alive() == alive, "no object left (%ld)", objects_alive());
	return tap_done();
}
