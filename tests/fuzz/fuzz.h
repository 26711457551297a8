/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every fuzz target shares: reading the input as a sequence of
 * operations, the check that aborts with the step that went wrong, and the
 * shim's WARN. A target defines LLVMFuzzerTestOneInput(); libFuzzer or the
 * plain driver (replay.c) calls it. Each input starts from a fresh state
 * and must leave nothing allocated (LeakSanitizer checks).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fuzz_input {
	const uint8_t *p;
	size_t left;
	/* The operation being run, for the failure message */
	unsigned int step;
	const char *op;
};

/* An exhausted input reads as zeros: the run stops at the next step */
static inline unsigned int fuzz_u8(struct fuzz_input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline unsigned int fuzz_u16(struct fuzz_input *in)
{
	return fuzz_u8(in) | fuzz_u8(in) << 8;
}

static struct fuzz_input *fuzz_cur;

__attribute__((noreturn, format(printf, 4, 5)))
static void fuzz_fail(const char *file, int line, const char *cond,
		      const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FUZZ FAILURE at %s:%d", file, line);
	if (fuzz_cur)
		fprintf(stderr, ", step %u (%s)", fuzz_cur->step,
			fuzz_cur->op ?: "?");
	fprintf(stderr, ": !(%s) ", cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond, "" __VA_ARGS__);	\
} while (0)

void fuzz_kernel_warn(const char *file, int line, const char *cond)
{
	fuzz_fail(file, line, cond, "WARN_ON() in the code under test");
}

/*
 * iommufd_should_fail() of the test build: the input names the n-th
 * allocation point of an operation to fail (0: none).
 */
static unsigned int fuzz_fail_nth;
static bool fuzz_failed;

bool iommufd_should_fail(void)
{
	if (!fuzz_fail_nth || --fuzz_fail_nth)
		return false;
	fuzz_failed = true;
	return true;
}

static inline void fuzz_arm_failure(unsigned int nth)
{
	fuzz_fail_nth = nth;
	fuzz_failed = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
