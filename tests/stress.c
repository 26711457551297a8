// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency and scale: thousands of objects, release with many objects,
 * several threads creating and destroying in one context, two threads
 * destroying one ID, destroy racing with a user of the object, and close()
 * racing with ioctls on other threads. Afterwards (test build) the count of
 * live objects must be back where it started.
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

int main(void)
{
	alive_at_start = objects_alive();
	test_many();
	test_threads_one_context();
	test_destroy_same_id();
	test_destroy_while_used();
	test_close_racing_ioctls();
	test_many_contexts();
	return tap_done();
}
