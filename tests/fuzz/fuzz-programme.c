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
	"rtr-prep-1.cfg", "rtr-prep-2.cfg", "rtr-p0.cfg", "rtr-p1.cfg", "rtr-p1b.cfg", "rtr-p1c.cfg",
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
	/* The preparation profiles have no belt; p0 walks; each next one
	 * jogs 25 % longer (the rule allows at most 30 %), so the whole
	 * bundled ladder is valid; w, a, b, c start a short ladder of their
	 * own. */
	for (size_t i = 0; i < N_LADDER; i++) {
		if (!strcmp(ladder[i], "a.cfg"))
			jog_s = 60;
		if (!strncmp(ladder[i], "rtr-prep", 8)) {
			n = snprintf(text, sizeof(text), "name = \"%s\";\n"
				     "belt = false;\n"
				     "main = ( { hold = 5; say = \"Squeeze\"; count = true; },\n"
				     "  { rest = 10; } );\n", ladder[i]);
		} else if (!strcmp(ladder[i], "rtr-p0.cfg") ||
			   !strcmp(ladder[i], "w.cfg")) {
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

/* The rules must always name a stage of the programme, whatever the
 * history; the history, the check-ins and the clock are made from the
 * input's bytes. */
static void check_next(const struct programme *prog, const uint8_t *data,
		       size_t size)
{
	struct session_summary hist[24];
	struct programme_input in = { .now_s = 1700000000 };
	struct programme_decision d;
	size_t n = 0;

	if (programme_decide(prog, NULL, 0, &in, &d, NULL, NULL) < 0 ||
	    d.stage >= prog->n_stages || d.programme_stage >= prog->n_stages)
		abort();
	for (size_t i = 0; i < sizeof(hist) / sizeof(hist[0]); i++) {
		uint8_t b = size ? data[i % size] : 0;
		uint8_t c = size ? data[(i + 7) % size] : 0;

		memset(&hist[n], 0, sizeof(hist[n]));
		checkin_init(&hist[n].checkin);
		hist[n].type = b % 7 == 0 ? SESSION_PRECHECK :
			       b % 11 == 0 ? SESSION_CLEARED :
			       b % 5 == 0 ? SESSION_CHECKIN : SESSION_RUN;
		hist[n].when_s = in.now_s;
		hist[n].stage = c & 0x80 ? d.stage :
				(size_t) c % prog->n_stages;
		hist[n].presses = (b >> 4) % 4;
		hist[n].completed = b & 1;
		hist[n].next_day = (enum checkin_yesno) (c % 3);
		hist[n].checkin.leak = (enum checkin_yesno) (b % 3);
		hist[n].checkin.heaviness = (enum checkin_yesno) ((c >> 2) % 3);
		hist[n].checkin.pain = (int8_t) ((c % 12) - 1);
		hist[n].checkin.sleep = (enum checkin_sleep) ((b >> 2) % 3);
		hist[n].checkin.energy = (enum checkin_energy) ((c >> 4) % 4);
		n++;
		/* Hours to days apart, so rest days and stale check-ins
		 * both happen. */
		in.now_s += 3600 * (1 + c % 40);
		in.utc_offset_s = (int32_t) (b % 29) * 1800 - 12 * 3600;
		in.belt_only = c & 1;
		if (programme_decide(prog, hist, n, &in, &d, NULL, NULL) < 0 ||
		    d.stage >= prog->n_stages ||
		    d.programme_stage >= prog->n_stages ||
		    (d.has_alternative && d.alternative >= prog->n_stages) ||
		    !memchr(d.message, '\0', sizeof(d.message)))
			abort();
		/* A belt-only caller never gets an exercise session while
		 * the programme has a treadmill stage after it. */
		if (in.belt_only && !programme_stage_has_belt(prog, d.stage) &&
		    programme_stage_has_belt(prog, prog->n_stages - 1))
			abort();
		/* Safety: a red flag, a lock or a rest day never gives a
		 * running stage. */
		if ((d.locked || d.reason == PROGRAMME_WALK_RED_FLAG ||
		     d.reason == PROGRAMME_REST_DAY) &&
		    (programme_stage_runs(prog, d.stage) || d.has_alternative))
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
