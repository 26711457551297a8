// SPDX-License-Identifier: GPL-2.0-only
/*
 * The plain driver of a fuzz target, without libFuzzer: runs the inputs
 * named on the command line (files, or directories of them, such as the
 * seed corpus or a crash libFuzzer saved), then -r N random inputs from
 * seed -s S. An input that fails, or runs longer than 10 s (a loop that
 * never ends), is written to ./fuzz-failed-input (and named) before the
 * program dies, so it can be replayed alone.
 *
 *   replay [-r N] [-s SEED] [-l MAXLEN] [FILE|DIR]...
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sanitizer/common_interface_defs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *cur_data;
static size_t cur_size;
static const char *cur_name;

static void save_input(void)
{
	FILE *f;

	if (!cur_data)
		return;
	fprintf(stderr, "replay: input %s failed, saved as fuzz-failed-input\n",
		cur_name);
	f = fopen("fuzz-failed-input", "w");
	if (f) {
		fwrite(cur_data, 1, cur_size, f);
		fclose(f);
	}
	cur_data = NULL;
}

static void on_signal(int sig)
{
	if (sig == SIGALRM)
		fprintf(stderr, "replay: input %s ran for 10 s\n", cur_name);
	save_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run(const uint8_t *data, size_t size, const char *name)
{
	cur_data = data;
	cur_size = size;
	cur_name = name;
	alarm(10);
	LLVMFuzzerTestOneInput(data, size);
	alarm(0);
	cur_data = NULL;
}

static long run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	run(buf, n, path);
	return 1;
}

static long run_path(const char *path)
{
	char sub[4096];
	struct dirent *de;
	long n = 0;
	DIR *d = opendir(path);

	if (!d)
		return run_file(path);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		n += run_path(sub);
	}
	closedir(d);
	return n;
}

static uint64_t rng;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	static uint8_t buf[65536];
	long rounds = 0, files = 0, i;
	size_t maxlen = 2048, len, j;
	uint64_t seed = 1;
	char name[64];
	int opt;

	while ((opt = getopt(argc, argv, "r:s:l:")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atol(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			maxlen = strtoul(optarg, NULL, 0);
			if (!maxlen || maxlen > sizeof(buf))
				maxlen = sizeof(buf);
			break;
		default:
			fprintf(stderr, "usage: %s [-r N] [-s SEED] [-l MAXLEN] [FILE|DIR]...\n",
				argv[0]);
			return 2;
		}
	}
	signal(SIGABRT, on_signal);
	signal(SIGALRM, on_signal);
	__sanitizer_set_death_callback(save_input);

	for (; optind < argc; optind++)
		files += run_path(argv[optind]);

	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (i = 0; i < rounds; i++) {
		len = 1 + next_random() % maxlen;
		for (j = 0; j < len; j++)
			buf[j] = next_random();
		snprintf(name, sizeof(name), "random #%ld of seed %llu", i,
			 (unsigned long long)seed);
		run(buf, len, name);
	}
	printf("%s: %ld inputs replayed, %ld random inputs: all passed\n",
	       argv[0], files, rounds);
	return 0;
}
