/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replays files (or every file in directories) through a fuzz target. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The same target source builds two ways: with -fsanitize=fuzzer for real
 * fuzzing ('make fuzz'), or linked with this driver so 'make check' replays
 * the seed corpus on any compiler, under the sanitizer build in CI too.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1 << 20)

static int run_file(const char *path)
{
	static uint8_t buf[FUZZ_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* Copy to an exact-size heap block so ASan sees any over-read. */
	{
		uint8_t *copy = malloc(n ? n : 1);

		if (!copy)
			return -1;
		memcpy(copy, buf, n);
		LLVMFuzzerTestOneInput(copy, n);
		free(copy);
	}
	return 0;
}

static int run_path(const char *path, int *count)
{
	struct stat st;
	struct dirent **names;
	int n, r = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char sub[4096];

		if (names[i]->d_name[0] != '.' && r == 0) {
			snprintf(sub, sizeof(sub), "%s/%s", path,
				 names[i]->d_name);
			r = run_path(sub, count);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	int count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			return 1;
	if (count == 0) {
		fprintf(stderr, "%s: no inputs found\n", argv[0]);
		return 1;
	}
	printf("%s: %d inputs replayed\n", argv[0], count);
	return 0;
}
