// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency and scale: thousands of objects, release with many objects,
 * several threads creating and destroying in one context, two threads
 * destroying one ID, destroy racing with a user of the object, and close()
 * racing with ioctls on other threads; and (test build) several threads
 * mapping, copying, unmapping, attaching, moving and detaching mock devices
 * and destroying in one context for a bounded time, and doing so with
 * dirty tracking on while the "device" writes, bitmaps are read and
 * tracking is toggled; and two UNMAPs racing for one large area.
 * Afterwards the count of live objects, every page pin
 * and VmPin must be back where they started.
 */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "utils.h"

static long alive_at_start;

static void check_alive(const char *when)
{
	if (alive_at_start >= 0)
		ok(objects_alive() == alive_at_start,
		   "%s: no object left (%ld alive)", when, objects_alive());
}

#define MANY 10000

static void test_many(void)
{
	static uint32_t ids[MANY];
	int fd = open_iommufd();
	int i, errs = 0, dup = 0;
	uint32_t id;

	for (i = 0; i < MANY; i++)
		errs += ioas_alloc(fd, &ids[i]) != 0;
	ok(errs == 0, "%d IOAS_ALLOC calls in one context", MANY);
	for (i = 0; i < MANY; i++)
		dup += ids[i] != (uint32_t)i + 1;
	ok(dup == 0, "IDs are 1..%d in order", MANY);
	if (alive_at_start >= 0)
		ok(objects_alive() == alive_at_start + MANY, "%d objects alive",
		   MANY);

	for (errs = 0, i = 0; i < MANY; i += 2)
		errs += destroy(fd, ids[i]) != 0;
	ok(errs == 0, "destroy every other object");
	for (errs = 0, i = 0; i < MANY; i += 2) {
		errs += ioas_alloc(fd, &id) != 0;
		dup += id != ids[i];
	}
	ok(errs == 0 && dup == 0, "freed IDs are reused lowest first");
	close(fd);
	check_alive("close with 10000 objects");
}

#define THREADS 4
#define ROUNDS 2000

struct worker {
	pthread_t thread;
	int fd;
	int unexpected;
	int busy, gone;
};

static pthread_barrier_t barrier;

/* Create and destroy own objects; poke at everybody else's */
static void *churn(void *arg)
{
	struct worker *w = arg;
	uint32_t id, other;
	int i, rc;

	pthread_barrier_wait(&barrier);
	for (i = 0; i < ROUNDS; i++) {
		if (ioas_alloc(w->fd, &id)) {
			w->unexpected++;
			continue;
		}
		other = id ^ 1;
		rc = huge_pages_get(w->fd, other);
		w->unexpected += rc != 0 && rc != ENOENT;
		rc = destroy(w->fd, id);
		if (rc == EBUSY) {
			/* Another thread is looking at it right now */
			w->busy++;
			while ((rc = destroy(w->fd, id)) == EBUSY)
				;
		}
		w->unexpected += rc != 0;
	}
	return NULL;
}

static void test_threads_one_context(void)
{
	struct worker w[THREADS] = {};
	int fd = open_iommufd();
	int i, unexpected = 0, busy = 0;

	pthread_barrier_init(&barrier, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		w[i].fd = fd;
		pthread_create(&w[i].thread, NULL, churn, &w[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		unexpected += w[i].unexpected;
		busy += w[i].busy;
	}
	pthread_barrier_destroy(&barrier);
	ok(unexpected == 0, "%d threads x %d create/look up/destroy: no "
	   "unexpected errno (%d EBUSY retried)", THREADS, ROUNDS, busy);
	ok(table_empty(fd), "every object was destroyed, no ID left reserved");
	close(fd);
	check_alive("threads in one context");
}

struct duel {
	int fd;
	uint32_t id;
	int rc[2];
};

static struct duel duel;

static void *duelist(void *arg)
{
	long me = (long)arg;

	pthread_barrier_wait(&barrier);
	duel.rc[me] = destroy(duel.fd, duel.id);
	return NULL;
}

static void test_destroy_same_id(void)
{
	int i, bad = 0, firsts = 0;
	pthread_t t;

	duel.fd = open_iommufd();
	pthread_barrier_init(&barrier, NULL, 2);
	for (i = 0; i < 1000; i++) {
		bad += ioas_alloc(duel.fd, &duel.id) != 0;
		pthread_create(&t, NULL, duelist, (void *)1L);
		duelist((void *)0L);
		pthread_join(t, NULL);
		bad += !((duel.rc[0] == 0 && duel.rc[1] == ENOENT) ||
			 (duel.rc[1] == 0 && duel.rc[0] == ENOENT));
		firsts += duel.rc[0] == 0;
	}
	pthread_barrier_destroy(&barrier);
	ok(bad == 0, "two threads destroy one ID 1000 times: exactly one wins "
	   "each time (main thread won %d)", firsts);
	ok(table_empty(duel.fd), "and the table is empty");
	close(duel.fd);
	check_alive("destroy duel");
}

struct user {
	int fd;
	uint32_t id;
	volatile int stop;
	int unexpected;
	volatile long calls;
};

static void *use_object(void *arg)
{
	struct user *u = arg;
	int rc;

	while (!u->stop) {
		rc = huge_pages_get(u->fd, u->id);
		u->unexpected += rc != 0 && rc != ENOENT;
		u->calls++;
	}
	return NULL;
}

/* Destroy while another thread keeps using the object: 0 or EBUSY, never a mess */
static void test_destroy_while_used(void)
{
	struct user u = { .fd = open_iommufd() };
	int i, rc, busy = 0, bad = 0;
	pthread_t t;

	for (i = 0; i < 200; i++) {
		ioas_alloc(u.fd, &u.id);
		u.stop = 0;
		pthread_create(&t, NULL, use_object, &u);
		while (u.calls == 0)
			;
		while ((rc = destroy(u.fd, u.id)) == EBUSY)
			busy++;
		bad += rc != 0;
		u.stop = 1;
		pthread_join(t, NULL);
		bad += huge_pages_get(u.fd, u.id) != ENOENT;
		u.calls = 0;
	}
	ok(bad == 0 && u.unexpected == 0,
	   "destroy racing a user of the object: 0 or EBUSY, then gone "
	   "(%d EBUSY seen)", busy);
	ok(table_empty(u.fd), "and the table is empty");
	close(u.fd);
	check_alive("destroy while used");
}

struct closer {
	int fd;
	volatile int stop;
	volatile int started;
	int unexpected;
};

static void *hammer(void *arg)
{
	struct closer *c = arg;
	uint32_t id;
	int rc;

	while (!c->stop) {
		rc = ioas_alloc(c->fd, &id);
		if (rc == EBADF)
			continue;
		c->unexpected += rc != 0;
		c->started = 1;
		/* Other threads destroy IDs at random: ENOENT is fine */
		rc = huge_pages_get(c->fd, id);
		c->unexpected += rc != 0 && rc != ENOENT && rc != EBADF;
		rc = destroy(c->fd, id / 2 + 1);
		c->unexpected += rc != 0 && rc != ENOENT && rc != EBUSY &&
				 rc != EBADF;
	}
	return NULL;
}

static void test_close_racing_ioctls(void)
{
	struct closer c[3] = {};
	pthread_t t[3];
	int round, i, unexpected = 0;
	struct timespec ts = { .tv_nsec = 200000 };

	for (round = 0; round < 200; round++) {
		int fd = open_iommufd();

		for (i = 0; i < 3; i++) {
			c[i] = (struct closer){ .fd = fd };
			pthread_create(&t[i], NULL, hammer, &c[i]);
		}
		/* Close only once every thread is issuing ioctls */
		for (i = 0; i < 3; i++)
			while (!c[i].started)
				;
		nanosleep(&ts, NULL);
		close(fd);
		nanosleep(&ts, NULL);
		for (i = 0; i < 3; i++) {
			c[i].stop = 1;
			pthread_join(t[i], NULL);
			unexpected += c[i].unexpected;
		}
	}
	ok(unexpected == 0,
	   "close() racing ioctls on 3 threads, 200 times: no unexpected errno");
	check_alive("close racing ioctls");
}

struct ctx_worker {
	pthread_t thread;
	int bad;
};

static void *own_context(void *arg)
{
	struct ctx_worker *w = arg;
	uint32_t ids[64];
	int round, i;

	for (round = 0; round < 100; round++) {
		int fd = open_iommufd();

		for (i = 0; i < 64; i++)
			w->bad += ioas_alloc(fd, &ids[i]) || ids[i] != (uint32_t)i + 1;
		for (i = 0; i < 64; i += 3)
			w->bad += destroy(fd, ids[i]) != 0;
		close(fd);
	}
	return NULL;
}

static void test_many_contexts(void)
{
	struct ctx_worker w[THREADS] = {};
	int i, bad = 0;

	for (i = 0; i < THREADS; i++)
		pthread_create(&w[i].thread, NULL, own_context, &w[i]);
	for (i = 0; i < THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		bad += w[i].bad;
	}
	ok(bad == 0, "%d threads, each opening and closing 100 contexts of 64 "
	   "objects: IDs independent per context", THREADS);
	check_alive("many contexts");
}

/* Mapping, copying, attaching and destroying at once, for a bounded time */
#define DOM_PAGES 64
#define APERTURE 0x1000000ull

struct churner {
	pthread_t thread;
	int fd;
	uint32_t ioas[2];
	char *buf;
	unsigned int seed;
	int role;
	volatile int *stop;
	long ops;
	int unexpected;
	int last_bad_rc;
};

static void note(struct churner *c, int rc, int ok1, int ok2, int ok3)
{
	c->ops++;
	if (rc && rc != ok1 && rc != ok2 && rc != ok3) {
		c->unexpected++;
		c->last_bad_rc = rc;
	}
}

static void *churn_domains(void *arg)
{
	struct churner *c = arg;
	long psz = sysconf(_SC_PAGESIZE);
	uint32_t stdev, id;
	uint64_t iova, len;
	int rc, slot;

	while (!*c->stop) {
		slot = rand_r(&c->seed) % 16;
		iova = APERTURE + slot * 0x10000ull;
		len = (1 + rand_r(&c->seed) % 8) * psz;
		switch (c->role) {
		case 0:	/* map and unmap in either IOAS */
			rc = ioas_map_fixed(c->fd, c->ioas[slot & 1],
					    c->buf + (slot % 8) * psz, len, iova);
			note(c, rc, EEXIST, 0, 0);
			rc = ioas_unmap(c->fd, c->ioas[rand_r(&c->seed) & 1],
					APERTURE + (rand_r(&c->seed) % 16) *
							   0x10000ull,
					0x10000, NULL);
			note(c, rc, ENOENT, 0, 0);
			break;
		case 1:	/* copy between them, automatic and fixed */
			iova = APERTURE + 0x200000 + slot * 0x10000ull;
			rc = ioas_copy(c->fd, MAP_FIXED_RW, c->ioas[1],
				       c->ioas[0], APERTURE + slot * 0x10000ull,
				       psz, &iova);
			note(c, rc, ENOENT, EEXIST, 0);
			rc = ioas_unmap(c->fd, c->ioas[1], iova, psz, NULL);
			note(c, rc, ENOENT, 0, 0);
			break;
		case 2:	/* attach, move and detach mock devices */
			rc = mock_domain(c->fd, c->ioas[slot & 1], &stdev, NULL,
					 NULL);
			note(c, rc, 0, 0, 0);
			if (!rc && slot & 2) {
				uint32_t pt = c->ioas[!(slot & 1)];

				/* Gone already if the poker destroyed it */
				rc = mock_domain_replace(c->fd, stdev, &pt);
				note(c, rc, ENOENT, 0, 0);
				rc = 0;
			}
			if (!rc) {
				/*
				 * The poker may have destroyed it already, and
				 * its ID may name a new, busy HWPT or DEVICE
				 */
				rc = destroy(c->fd, stdev);
				note(c, rc, ENOENT, EBUSY, 0);
			}
			break;
		default: /* poke at IDs: options, destroy */
			id = 1 + rand_r(&c->seed) % 12;
			rc = huge_pages_get(c->fd, id);
			note(c, rc, ENOENT, 0, 0);
			/*
			 * Spare the two IOASes; of the rest only mock devices
			 * can go, HW page tables and devices are busy.
			 */
			if (id == c->ioas[0] || id == c->ioas[1])
				break;
			rc = destroy(c->fd, id);
			note(c, rc, EBUSY, ENOENT, 0);
			break;
		}
	}
	return NULL;
}

static void test_domains_churn(void)
{
	struct churner c[5] = {};
	long psz = sysconf(_SC_PAGESIZE), ops = 0, pinned;
	volatile int stop = 0;
	int fd = open_iommufd(), i, unexpected = 0, bad_rc = 0;
	uint64_t unmapped[2];
	uint32_t ioas[2];
	char *buf;

	buf = mmap(NULL, DOM_PAGES * psz, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		tap_bail("mmap");
	ioas_alloc(fd, &ioas[0]);
	ioas_alloc(fd, &ioas[1]);
	for (i = 0; i < 5; i++) {
		c[i] = (struct churner){ .fd = fd, .ioas = { ioas[0], ioas[1] },
					 .buf = buf, .seed = i + 1,
					 .role = i < 4 ? i : 2, .stop = &stop };
		pthread_create(&c[i].thread, NULL, churn_domains, &c[i]);
	}
	sleep(4);
	stop = 1;
	for (i = 0; i < 5; i++) {
		pthread_join(c[i].thread, NULL);
		ops += c[i].ops;
		unexpected += c[i].unexpected;
		if (c[i].unexpected)
			bad_rc = c[i].last_bad_rc;
	}
	ok(!unexpected, "5 threads mapping, copying, unmapping, attaching, moving and "
	   "destroying for 4 s: %ld ioctls, no unexpected errno (last %d)",
	   ops, bad_rc);
	/* Each thread destroys the mock devices it makes (or the poker did) */
	pinned = proc_kb("/proc/self/status", "VmPin");
	ok(pinned == 0 && check_refs(fd, buf, DOM_PAGES * psz, 0) == 0,
	   "no mock device is left: nothing is pinned, though areas stay "
	   "mapped (VmPin %ld kB)", pinned);
	ok(objects_alive() == alive_at_start + 2,
	   "no HW page table or device either: the two IOASes alone (%ld)",
	   objects_alive() - alive_at_start);
	ok_errno(ioas_unmap(fd, ioas[0], 0, UINT64_MAX, &unmapped[0]), 0,
		 "unmap all");
	ok_errno(ioas_unmap(fd, ioas[1], 0, UINT64_MAX, &unmapped[1]), 0,
		 "unmap all in the other");
	ok(unmapped[0] && unmapped[1], "(both had areas: %llu and %llu bytes)",
	   (unsigned long long)unmapped[0], (unsigned long long)unmapped[1]);
	ok_errno(check_refs(fd, buf, DOM_PAGES * psz, 0), 0,
		 "no page left pinned");
	pinned = proc_kb("/proc/self/status", "VmPin");
	ok(pinned == 0, "VmPin back to 0 (%ld kB)", pinned);
	ok_errno(destroy(fd, ioas[0]), 0, "the IOASes are not held by anything");
	ok_errno(destroy(fd, ioas[1]), 0, "both");
	ok(table_empty(fd), "the table is empty");
	close(fd);
	check_alive("domain churn");
	munmap(buf, DOM_PAGES * psz);
}

/* Dirty tracking on while mapping, unmapping, attaching and toggling */
struct dirtier {
	pthread_t thread;
	int fd;
	uint32_t ioas, hwpt;
	char *buf;
	unsigned int seed;
	int role;
	volatile int *stop;
	long ops;
	int unexpected;
	int last_bad_rc;
};

static void dnote(struct dirtier *d, int rc, int ok1)
{
	d->ops++;
	if (rc && rc != ok1) {
		d->unexpected++;
		d->last_bad_rc = rc;
	}
}

static void *churn_dirty(void *arg)
{
	struct dirtier *d = arg;
	long psz = sysconf(_SC_PAGESIZE);
	uint8_t bits[DOM_PAGES * 2 / 8], map[DOM_PAGES * 2 / 8 + 8];
	uint32_t stdev;
	uint64_t iova;
	int rc, slot;
	unsigned int i;

	while (!*d->stop) {
		slot = rand_r(&d->seed) % 16;
		iova = APERTURE + slot * 4 * psz;
		switch (d->role) {
		case 0:	/* map and unmap */
			rc = ioas_map_fixed(d->fd, d->ioas,
					    d->buf + slot * 4 * psz,
					    (1 + rand_r(&d->seed) % 4) * psz,
					    iova);
			dnote(d, rc, EEXIST);
			rc = ioas_unmap(d->fd, d->ioas,
					APERTURE + (rand_r(&d->seed) % 16) * 4 *
							   psz,
					4 * psz, NULL);
			dnote(d, rc, ENOENT);
			break;
		case 1:	/* the device writes; EINVAL while tracking is off */
			for (i = 0; i < sizeof(bits); i++)
				bits[i] = rand_r(&d->seed);
			rc = mock_dirty(d->fd, d->hwpt, APERTURE,
					DOM_PAGES * psz, psz / 2, bits, NULL);
			dnote(d, rc, EINVAL);
			break;
		case 2:	/* read, with and without clearing */
			rc = get_dirty_bitmap(d->fd, d->hwpt, APERTURE,
					      DOM_PAGES * psz, psz / 2, map + 1,
					      slot & 1 ?
						      IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR :
						      0);
			dnote(d, rc, 0);
			break;
		case 3:	/* toggle tracking */
			rc = set_dirty_tracking(d->fd, d->hwpt, slot & 1);
			dnote(d, rc, 0);
			break;
		default: /* attach and detach a device */
			rc = mock_domain(d->fd, d->hwpt, &stdev, NULL, NULL);
			dnote(d, rc, 0);
			if (!rc)
				dnote(d, destroy(d->fd, stdev), 0);
			break;
		}
	}
	return NULL;
}

static void test_dirty_churn(int by_extent)
{
	struct dirtier d[5] = {};
	long psz = sysconf(_SC_PAGESIZE), ops = 0;
	volatile int stop = 0;
	int fd = open_iommufd(), i, unexpected = 0, bad_rc = 0;
	uint8_t bits[DOM_PAGES * 2 / 8], map[DOM_PAGES * 2 / 8];
	uint32_t ioas, stdev = 0, idev = 0, hwpt;
	char *buf;

	module_param_write("mock_dirty_by_extent", by_extent);
	buf = mmap(NULL, DOM_PAGES * psz, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		tap_bail("mmap");
	ioas_alloc(fd, &ioas);
	mock_domain(fd, ioas, &stdev, NULL, &idev);
	if (hwpt_alloc_flags(fd, idev, ioas, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			     &hwpt))
		tap_bail("HWPT_ALLOC DIRTY_TRACKING");
	set_dirty_tracking(fd, hwpt, 1);
	for (i = 0; i < 5; i++) {
		d[i] = (struct dirtier){ .fd = fd, .ioas = ioas, .hwpt = hwpt,
					 .buf = buf, .seed = i + 11, .role = i,
					 .stop = &stop };
		pthread_create(&d[i].thread, NULL, churn_dirty, &d[i]);
	}
	sleep(3);
	stop = 1;
	for (i = 0; i < 5; i++) {
		pthread_join(d[i].thread, NULL);
		ops += d[i].ops;
		unexpected += d[i].unexpected;
		if (d[i].unexpected)
			bad_rc = d[i].last_bad_rc;
	}
	ok(!unexpected, "%s: 5 threads mapping, unmapping, dirtying, reading, "
	   "toggling tracking and attaching for 3 s: %ld ioctls, no "
	   "unexpected errno (last %d)", by_extent ? "extents" : "mock walk",
	   ops, bad_rc);

	/* Still exact afterwards */
	ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL);
	ioas_map_fixed(fd, ioas, buf, DOM_PAGES * psz, APERTURE);
	set_dirty_tracking(fd, hwpt, 1);
	for (i = 0; i < (int)sizeof(bits); i++)
		bits[i] = 0x5a ^ i;
	mock_dirty(fd, hwpt, APERTURE, DOM_PAGES * psz, psz / 2, bits, NULL);
	memset(map, 0, sizeof(map));
	ok(!get_dirty_bitmap(fd, hwpt, APERTURE, DOM_PAGES * psz, psz / 2, map,
			     0) &&
		   !memcmp(map, bits, sizeof(map)),
	   "then dirtying and reading are exact");
	ok_errno(ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL), 0, "unmap all");
	ok_errno(check_refs(fd, buf, DOM_PAGES * psz, 0), 0,
		 "no page left pinned");
	ok(proc_kb("/proc/self/status", "VmPin") == 0, "VmPin back to 0");
	ok(!destroy(fd, hwpt) && !destroy(fd, stdev) && !destroy(fd, ioas) &&
		   table_empty(fd),
	   "the table empties");
	close(fd);
	check_alive("dirty churn");
	munmap(buf, DOM_PAGES * psz);
	module_param_write("mock_dirty_by_extent", 0);
}

/* Two UNMAPs of one large area at once (test build) */
#define RACE_LEN (32ul << 20)
#define RACE_ROUNDS 20

struct racer {
	int fd;
	uint32_t ioas;
	int rc;
	uint64_t unmapped;
};

static void *unmap_racer(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(&barrier);
	r->rc = ioas_unmap(r->fd, r->ioas, MOCK_APERTURE_START, RACE_LEN,
			   &r->unmapped);
	return NULL;
}

/*
 * An UNMAP unloads an area without the IOVA lock; another UNMAP of it
 * meanwhile waits for it to go and then finds nothing (ENOENT), never
 * EBUSY, and the first one reports the whole area.
 */
static void test_unmap_race(void)
{
	struct racer r[2];
	int fd = open_iommufd(), i, round, unexpected = 0;
	uint32_t ioas;
	pthread_t t[2];
	char *mem;

	/* 4 KiB pages, so that unloading takes a while and refs can tell */
	mem = mmap(NULL, RACE_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ok(mem != MAP_FAILED && !madvise(mem, RACE_LEN, MADV_NOHUGEPAGE),
		"32 MiB to map")) {
		close(fd);
		return;
	}
	memset(mem, 1, RACE_LEN);
	ioas_alloc(fd, &ioas);
	mock_domain(fd, ioas, NULL, NULL, NULL);
	pthread_barrier_init(&barrier, NULL, 2);
	for (round = 0; round < RACE_ROUNDS; round++) {
		if (ioas_map_fixed(fd, ioas, mem, RACE_LEN,
				   MOCK_APERTURE_START)) {
			unexpected++;
			break;
		}
		for (i = 0; i < 2; i++) {
			r[i] = (struct racer){ fd, ioas, -1, 0 };
			pthread_create(&t[i], NULL, unmap_racer, &r[i]);
		}
		for (i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		/* One removes it all, the other finds nothing */
		if (!((r[0].rc == 0 && r[0].unmapped == RACE_LEN &&
		       r[1].rc == ENOENT) ||
		      (r[1].rc == 0 && r[1].unmapped == RACE_LEN &&
		       r[0].rc == ENOENT))) {
			diag("round %d: %d (%llu bytes), %d (%llu bytes)",
			     round, r[0].rc, (unsigned long long)r[0].unmapped,
			     r[1].rc, (unsigned long long)r[1].unmapped);
			unexpected++;
		}
	}
	pthread_barrier_destroy(&barrier);
	ok(!unexpected, "%d rounds of two UNMAPs of one 32 MiB area: one "
	   "removes it, the other gets ENOENT", RACE_ROUNDS);
	ok_errno(check_refs(fd, mem, RACE_LEN, 0), 0, "nothing stays pinned");
	close(fd);
	munmap(mem, RACE_LEN);
	check_alive("unmap race");
}

int main(void)
{
	alive_at_start = objects_alive();
	test_many();
	test_threads_one_context();
	test_destroy_same_id();
	test_destroy_while_used();
	test_close_racing_ioctls();
	test_many_contexts();
	if (is_test_build()) {
		test_domains_churn();
		test_dirty_churn(0);
		test_dirty_churn(1);
		test_unmap_race();
	}
	return tap_done();
}
