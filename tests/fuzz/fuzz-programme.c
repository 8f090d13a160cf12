/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: programme files through the loader and the progression rule. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "programme.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * programme_load() reads a file and resolves stage profiles against its
 * directory, so every input is written to one file in a private temporary
 * directory that also holds the profiles a programme may name: the
 * bundled ladder's file names (so the bundled programme, the main seed,
 * loads in full), a few short names for the fuzzer to find, one profile
 * that does not load and one that jogs far too long for any ladder. The
 * profiles are written here, not copied from profiles/, because libFuzzer
 * binaries run from anywhere.
 */
static const char *const ladder[] = {
	"rtr-p0.cfg", "rtr-p1.cfg", "rtr-p1b.cfg", "rtr-p1c.cfg",
	"rtr-p1d.cfg", "rtr-p1e.cfg", "rtr-p1f.cfg", "rtr-p2.cfg",
	"rtr-p3.cfg", "rtr-p4.cfg", "rtr-p4b.cfg", "rtr-p4c.cfg",
	"rtr-p5.cfg", "rtr-p6.cfg", "rtr-p7.cfg", "rtr-p8.cfg",
	"rtr-p9.cfg", "rtr-p10.cfg", "rtr-p11.cfg", "rtr-p12.cfg",
	"rtr-p13.cfg", "w.cfg", "a.cfg", "b.cfg", "c.cfg",
};
#define N_LADDER (sizeof(ladder) / sizeof(ladder[0]))

static char dir[64];
static char input[96];

static int write_file(const char *name, const char *text, size_t len)
{
	char path[160];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	n = fwrite(text, 1, len, f);
	if (fclose(f) != 0 || n != len)
		return -EIO;
	return 0;
}

static void cleanup(void)
{
	char path[160];

	for (size_t i = 0; i < N_LADDER; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ladder[i]);
		(void) unlink(path);
	}
	snprintf(path, sizeof(path), "%s/bad.cfg", dir);
	(void) unlink(path);
	snprintf(path, sizeof(path), "%s/huge.cfg", dir);
	(void) unlink(path);
	(void) unlink(input);
	(void) rmdir(dir);
}

static void init(void)
{
	static const char bad[] = "name = \"bad\";\nmain = ( { jog = \"x:y\"; } );\n";
	static const char huge[] = "name = \"huge\";\n"
		"main = ( { jog = \"1:00:00\"; } );\n";
	const char *tmp = getenv("TMPDIR");
	char text[256];
	unsigned jog_s = 60;	/* the first jog stage: 1 minute */
	int n;

	snprintf(dir, sizeof(dir), "%s/fuzz-programme.XXXXXX",
		 tmp && tmp[0] == '/' && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(input, sizeof(input), "%s/fuzz.programme", dir);
	/* Stage 0 walks; each next one jogs 25 % longer (the rule allows
	 * at most 30 %), so the whole bundled ladder is valid; w, a, b, c
	 * start a short ladder of their own. */
	for (size_t i = 0; i < N_LADDER; i++) {
		if (!strcmp(ladder[i], "a.cfg"))
			jog_s = 60;
		if (i == 0 || !strcmp(ladder[i], "w.cfg")) {
			n = snprintf(text, sizeof(text), "name = \"%s\";\n"
				     "main = ( { walk = \"20:00\"; } );\n",
				     ladder[i]);
		} else {
			n = snprintf(text, sizeof(text), "name = \"%s\";\n"
				     "warmup = ( { walk = \"5:00\"; } );\n"
				     "main = ( { jog = \"%u\"; } );\n"
				     "cooldown = ( { walk = \"5:00\"; } );\n",
				     ladder[i], jog_s);
			jog_s = jog_s * 5 / 4;
		}
		if (write_file(ladder[i], text, (size_t) n) < 0)
			abort();
	}
	if (write_file("bad.cfg", bad, sizeof(bad) - 1) < 0 ||
	    write_file("huge.cfg", huge, sizeof(huge) - 1) < 0)
		abort();
}

/* The rule must always name a stage of the programme, whatever the
 * history; the history is made from the input's bytes. */
static void check_next(const struct programme *prog, const uint8_t *data,
		       size_t size)
{
	struct session_summary hist[24];
	struct programme_decision d;
	size_t n = 0;

	if (programme_next(prog, NULL, 0, &d) < 0 || d.stage >= prog->n_stages ||
	    d.programme_stage >= prog->n_stages)
		abort();
	for (size_t i = 0; i < sizeof(hist) / sizeof(hist[0]); i++) {
		uint8_t b = size ? data[i % size] : 0;

		hist[n].type = b % 7 == 0 ? SESSION_PRECHECK :
			       b % 11 == 0 ? SESSION_CLEARED : SESSION_RUN;
		hist[n].when_s = 1700000000 + (int64_t) i * 2 * 86400;
		hist[n].stage = d.stage;
		hist[n].presses = (b >> 4) % 4;
		hist[n].completed = b & 1;
		n++;
		if (programme_next(prog, hist, n, &d) < 0 ||
		    d.stage >= prog->n_stages ||
		    d.programme_stage >= prog->n_stages)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile_error err;
	struct programme *prog;

	if (!dir[0])
		init();
	if (size > 64 * 1024)
		return 0;
	if (write_file("fuzz.programme", (const char *) data, size) < 0)
		abort();
	prog = programme_load(input, NULL, &err);
	if (!prog) {
		/* Every refusal names a file: the programme's, or the stage
		 * profile's own "file:line: message" (all absolute paths:
		 * the directory is, and so is any path a stage names). */
		if (!strchr(err.text, ':') || err.text[0] != '/')
			abort();
		return 0;
	}
	if (!prog->n_stages || prog->n_stages > PROGRAMME_MAX_STAGES ||
	    prog->rules.walk_stage >= prog->n_stages)
		abort();
	for (size_t i = 0; i < prog->n_stages; i++) {
		if (!prog->stages[i].profile ||
		    programme_find_stage(prog, prog->stages[i].id) < 0)
			abort();
	}
	check_next(prog, data, size);
	programme_free(prog);
	return 0;
}
