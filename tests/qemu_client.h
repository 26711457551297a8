/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Driving a real VMM: QEMU (Debian 13's, unmodified) started in the test VM
 * with a qtest socket and a QMP socket.
 *
 * QEMU's test protocol (qtest) reads and writes the nested guest's memory,
 * I/O ports and PCI config space directly, so no guest OS is needed: the
 * guest's CPUs never start (-S) while QEMU assigns the device, maps guest
 * RAM through /dev/iommu and forwards the device's interrupts, exactly as it
 * would for a running guest. QMP is QEMU's management protocol (hot-unplug,
 * quit), spoken here with plain strings.
 *
 * Used by tests/vmm.c and the VMM demo; C, static, no JSON library.
 */
#ifndef IOMMUFD_TESTS_QEMU_CLIENT_H
#define IOMMUFD_TESTS_QEMU_CLIENT_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define QEMU_BIN "qemu-system-x86_64"

struct qemu {
	pid_t pid;
	int qtest;		/* qtest socket, QEMU connected to us */
	int qmp;		/* QMP socket, we connected to QEMU */
	char dir[64];		/* sockets and QEMU's log */
	char qtbuf[8192];	/* qtest bytes read past the last line */
	size_t qtlen;
	char qmpbuf[65536];	/* QMP bytes read past the last line */
	size_t qmplen;
	char events[16384];	/* QMP events seen so far, one per line */
	double start_secs;	/* start() to QEMU ready (devices realized) */
};

static inline double qemu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The last lines of QEMU's stderr, for a failure message */
static inline void qemu_print_log(struct qemu *q)
{
	char path[96], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/log", q->dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("# qemu: %s", line);
	fclose(f);
	fflush(stdout);
}

/* One line from @fd into @out (without the newline); -1 on EOF/timeout */
static inline int qemu_read_line(int fd, char *buf, size_t size, size_t *len,
				 char *out, size_t outsz, int timeout_ms)
{
	double end = qemu_now() + timeout_ms / 1000.0;

	for (;;) {
		char *nl = memchr(buf, '\n', *len);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int left;

		if (nl) {
			size_t l = nl - buf;

			if (l >= outsz)
				l = outsz - 1;
			memcpy(out, buf, l);
			out[l] = 0;
			*len -= nl + 1 - buf;
			memmove(buf, nl + 1, *len);
			return 0;
		}
		left = (int)((end - qemu_now()) * 1000);
		if (left <= 0 || *len == size)
			return -1;
		if (poll(&p, 1, left) <= 0)
			return -1;
		n = read(fd, buf + *len, size - *len);
		if (n <= 0)
			return -1;
		*len += n;
	}
}

static inline int qemu_write_all(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);

		if (n <= 0)
			return -1;
		s += n;
		len -= n;
	}
	return 0;
}

/*
 * A qtest command; returns the reply after "OK" (static buffer, "" for a
 * bare OK) or NULL for FAIL/ERR/no reply. Asynchronous "IRQ" lines are
 * skipped.
 */
static inline const char *qt(struct qemu *q, const char *fmt, ...)
{
	static char reply[8192];
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	strcat(cmd, "\n");
	if (qemu_write_all(q->qtest, cmd))
		return NULL;
	for (;;) {
		if (qemu_read_line(q->qtest, q->qtbuf, sizeof(q->qtbuf), &q->qtlen,
				   reply, sizeof(reply), 30000))
			return NULL;
		if (!strncmp(reply, "IRQ", 3))
			continue;
		if (!strcmp(reply, "OK"))
			return "";
		if (!strncmp(reply, "OK ", 3))
			return reply + 3;
		return NULL;
	}
}

static inline uint64_t qt_u64(struct qemu *q, const char *fmt, ...)
{
	const char *r;
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = qt(q, "%s", cmd);
	return r ? strtoull(r, NULL, 0) : ~0ULL;
}

static inline uint32_t qt_readl(struct qemu *q, uint64_t addr)
{
	return (uint32_t)qt_u64(q, "readl 0x%" PRIx64, addr);
}

static inline int qt_writel(struct qemu *q, uint64_t addr, uint32_t val)
{
	return qt(q, "writel 0x%" PRIx64 " 0x%x", addr, val) ? 0 : -1;
}

static inline int qt_writeq(struct qemu *q, uint64_t addr, uint64_t val)
{
	return qt(q, "writeq 0x%" PRIx64 " 0x%" PRIx64, addr, val) ? 0 : -1;
}

/* Guest memory, as hex over the protocol */
static inline int qt_memwrite(struct qemu *q, uint64_t addr, const void *data,
			      size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = data;
	char cmd[8192];
	size_t i, o;

	if (len * 2 + 64 > sizeof(cmd))
		return -1;
	o = snprintf(cmd, sizeof(cmd), "write 0x%" PRIx64 " 0x%zx 0x", addr, len);
	for (i = 0; i < len; i++) {
		cmd[o++] = hex[p[i] >> 4];
		cmd[o++] = hex[p[i] & 15];
	}
	cmd[o] = 0;
	return qt(q, "%s", cmd) ? 0 : -1;
}

static inline int qt_memread(struct qemu *q, uint64_t addr, void *data,
			     size_t len)
{
	const char *r = qt(q, "read 0x%" PRIx64 " 0x%zx", addr, len);
	uint8_t *p = data;
	size_t i;

	if (!r || strncmp(r, "0x", 2) || strlen(r) != 2 + 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		char b[3] = { r[2 + 2 * i], r[3 + 2 * i], 0 };

		p[i] = (uint8_t)strtoul(b, NULL, 16);
	}
	return 0;
}

/* PCI config space of bus 0 through the PC's 0xcf8/0xcfc mechanism */
static inline uint32_t qt_cfg_addr(int slot, int off)
{
	return 0x80000000u | (uint32_t)slot << 11 | (off & 0xfc);
}

static inline uint32_t qt_cfg_read32(struct qemu *q, int slot, int off)
{
	qt(q, "outl 0xcf8 0x%x", qt_cfg_addr(slot, off));
	return (uint32_t)qt_u64(q, "inl 0xcfc");
}

static inline int qt_cfg_write32(struct qemu *q, int slot, int off, uint32_t v)
{
	qt(q, "outl 0xcf8 0x%x", qt_cfg_addr(slot, off));
	return qt(q, "outl 0xcfc 0x%x", v) ? 0 : -1;
}

static inline int qt_cfg_write16(struct qemu *q, int slot, int off, uint16_t v)
{
	qt(q, "outl 0xcf8 0x%x", qt_cfg_addr(slot, off));
	return qt(q, "outw 0x%x 0x%x", 0xcfc + (off & 2), v) ? 0 : -1;
}

static inline int qt_cfg_write8(struct qemu *q, int slot, int off, uint8_t v)
{
	qt(q, "outl 0xcf8 0x%x", qt_cfg_addr(slot, off));
	return qt(q, "outb 0x%x 0x%x", 0xcfc + (off & 3), v) ? 0 : -1;
}

/*
 * A QMP command (JSON text); 0 if QEMU answered "return", -1 for "error"
 * or no answer. Events read meanwhile are kept in q->events.
 */
static inline int qmp(struct qemu *q, const char *json)
{
	char line[65536];

	if (qemu_write_all(q->qmp, json) || qemu_write_all(q->qmp, "\n"))
		return -1;
	for (;;) {
		if (qemu_read_line(q->qmp, q->qmpbuf, sizeof(q->qmpbuf), &q->qmplen,
				   line, sizeof(line), 30000))
			return -1;
		if (strstr(line, "\"event\"")) {
			size_t l = strlen(q->events);

			snprintf(q->events + l, sizeof(q->events) - l, "%s\n", line);
			continue;
		}
		if (strstr(line, "\"return\""))
			return 0;
		if (strstr(line, "\"error\"")) {
			printf("# QMP error: %s\n", line);
			return -1;
		}
	}
}

/* Waits up to @timeout_ms for an event line containing @what */
static inline int qmp_wait_event(struct qemu *q, const char *what,
				 int timeout_ms)
{
	double end = qemu_now() + timeout_ms / 1000.0;
	char line[65536];

	while (!strstr(q->events, what)) {
		int left = (int)((end - qemu_now()) * 1000);

		if (left <= 0 ||
		    qemu_read_line(q->qmp, q->qmpbuf, sizeof(q->qmpbuf),
				   &q->qmplen, line, sizeof(line), left))
			return -1;
		if (strstr(line, "\"event\"")) {
			size_t l = strlen(q->events);

			snprintf(q->events + l, sizeof(q->events) - l, "%s\n", line);
		}
	}
	return 0;
}

static inline void qemu_close(struct qemu *q)
{
	char path[96];

	if (q->qtest >= 0)
		close(q->qtest);
	if (q->qmp >= 0)
		close(q->qmp);
	q->qtest = -1;
	q->qmp = -1;
	snprintf(path, sizeof(path), "%s/qtest", q->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/qmp", q->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/log", q->dir);
	unlink(path);
	rmdir(q->dir);
}

/* Waits for QEMU's exit; its status, or -1 after @timeout_ms (then killed) */
static inline int qemu_wait(struct qemu *q, int timeout_ms)
{
	double end = qemu_now() + timeout_ms / 1000.0;
	int status;

	while (waitpid(q->pid, &status, WNOHANG) == 0) {
		if (qemu_now() > end) {
			kill(q->pid, SIGKILL);
			waitpid(q->pid, &status, 0);
			qemu_close(q);
			return -1;
		}
		usleep(20000);
	}
	qemu_close(q);
	return status;
}

/* QMP "quit"; QEMU's exit status (0 for a clean exit) */
static inline int qemu_quit(struct qemu *q)
{
	qmp(q, "{\"execute\": \"quit\"}");
	return qemu_wait(q, 30000);
}

/* SIGKILL, as a crash or the OOM killer would */
static inline int qemu_kill(struct qemu *q)
{
	kill(q->pid, SIGKILL);
	return qemu_wait(q, 30000);
}

/*
 * Starts QEMU for a PC guest of @mem_mb MiB that never runs (-S), plus the
 * NULL-terminated @args (the -object/-device lines under test). Fds listed
 * in @keep_fds (-1 terminated, may be NULL) stay open in QEMU (fd= passing,
 * as libvirt does). Returns 0 once both sockets are up; on failure QEMU's
 * log is printed and -1 returned.
 */
static inline int qemu_start(struct qemu *q, int mem_mb,
			     const char *const *args, const int *keep_fds)
{
	struct sockaddr_un qt_addr = { .sun_family = AF_UNIX };
	struct sockaddr_un qmp_addr = { .sun_family = AF_UNIX };
	char qtest_arg[128], qmp_arg[160], mem[16], log[96];
	const char *argv[64];
	double t0 = qemu_now();
	int lsock, n = 0, i;

	memset(q, 0, sizeof(*q));
	q->qtest = -1;
	q->qmp = -1;
	snprintf(q->dir, sizeof(q->dir), "/tmp/vmm.XXXXXX");
	if (!mkdtemp(q->dir))
		return -1;
	snprintf(qt_addr.sun_path, sizeof(qt_addr.sun_path), "%s/qtest", q->dir);
	snprintf(qmp_addr.sun_path, sizeof(qmp_addr.sun_path), "%s/qmp", q->dir);
	snprintf(log, sizeof(log), "%s/log", q->dir);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0 ||
	    bind(lsock, (struct sockaddr *)&qt_addr, sizeof(qt_addr)) ||
	    listen(lsock, 1))
		return -1;

	snprintf(qtest_arg, sizeof(qtest_arg), "unix:%s", qt_addr.sun_path);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s,server=on,wait=off",
		 qmp_addr.sun_path);
	snprintf(mem, sizeof(mem), "%d", mem_mb);
	argv[n++] = QEMU_BIN;
	argv[n++] = "-M";
	argv[n++] = "pc";
	argv[n++] = "-S";
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-accel";
	argv[n++] = "tcg,tb-size=32";
	argv[n++] = "-qtest";
	argv[n++] = qtest_arg;
	argv[n++] = "-qmp";
	argv[n++] = qmp_arg;
	for (i = 0; args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	q->pid = fork();
	if (q->pid < 0)
		return -1;
	if (!q->pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		for (i = 0; keep_fds && keep_fds[i] >= 0; i++)
			fcntl(keep_fds[i], F_SETFD, 0);
		execvp(QEMU_BIN, (char **)argv);
		_exit(127);
	}

	/* QEMU connects to the qtest socket once it is set up */
	for (;;) {
		struct pollfd p = { .fd = lsock, .events = POLLIN };
		int status;

		if (poll(&p, 1, 100) > 0) {
			q->qtest = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			break;
		}
		if (waitpid(q->pid, &status, WNOHANG) == q->pid ||
		    qemu_now() - t0 > 120) {
			if (qemu_now() - t0 > 120)
				kill(q->pid, SIGKILL);
			close(lsock);
			qemu_print_log(q);
			q->pid = 0;
			qemu_close(q);
			return -1;
		}
	}
	close(lsock);
	for (i = 0; i < 600 && q->qmp < 0; i++) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (!connect(s, (struct sockaddr *)&qmp_addr, sizeof(qmp_addr))) {
			q->qmp = s;
			break;
		}
		close(s);
		usleep(50000);
	}
	/* The greeting, then capabilities; a QMP answer means QEMU is up */
	if (q->qtest < 0 || q->qmp < 0 ||
	    qmp(q, "{\"execute\": \"qmp_capabilities\"}") ||
	    qmp(q, "{\"execute\": \"query-status\"}")) {
		qemu_print_log(q);
		qemu_kill(q);
		return -1;
	}
	q->start_secs = qemu_now() - t0;
	return 0;
}

#endif
