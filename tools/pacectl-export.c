/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl export: a session log as a FIT, TCX or CSV file. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "export.h"
#include "history.h"
#include "pacectl.h"

static const char usage[] =
"Usage: pacectl export LOG|latest|SESSION-ID --format fit|tcx|csv\n"
"                      [-o FILE] [--state-dir DIR]\n"
"Write a session as a file Garmin Connect, Strava or intervals.icu can\n"
"load (FIT, TCX), or a spreadsheet can (CSV), laid out on the session's\n"
"plan clock: a sped-up session exports as long as its plan.\n"
"\n"
"  LOG          a session log (a .jsonl file)\n"
"  latest       the newest log in DIR/sessions\n"
"  SESSION-ID   DIR/sessions/SESSION-ID.jsonl (the log's name)\n"
"  -f, --format FMT    fit, tcx or csv (required)\n"
"  -o, --output FILE   write FILE (\"-\": standard output); default the\n"
"                      log's name with the format's extension, here\n"
"  -s, --state-dir DIR paced's state directory (default as paced's)\n"
"  -q, --quiet         say nothing on success\n"
"\n"
"The file is written whole or not at all (a temporary file, renamed).\n";

/* The newest log by name: names start with the UTC start time. */
static int latest(const char *dir, char *buf, size_t len)
{
	char best[NAME_MAX + 1] = "";
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		size_t n = strlen(d->d_name);

		if (n > 6 && d->d_name[0] != '.' &&
		    !strcmp(d->d_name + n - 6, ".jsonl") &&
		    strcmp(d->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", d->d_name);
	}
	closedir(dp);
	if (!best[0])
		return -ENOENT;
	if (snprintf(buf, len, "%s/%s", dir, best) >= (int) len)
		return -ENAMETOOLONG;
	return 0;
}

/* LOG, latest or SESSION-ID to a path. */
static int resolve(const char *arg, const char *state_dir, char *buf,
		   size_t len)
{
	char dir[PATH_MAX];
	struct stat st;
	int r;

	if (snprintf(dir, sizeof(dir), "%s/sessions", state_dir) >=
	    (int) sizeof(dir))
		return -ENAMETOOLONG;
	if (!strcmp(arg, "latest")) {
		r = latest(dir, buf, len);
		if (r < 0)
			fprintf(stderr, "pacectl: no session logs in %s%s%s\n",
				dir, r == -ENOENT ? "" : ": ",
				r == -ENOENT ? "" : strerror(-r));
		return r;
	}
	if (stat(arg, &st) == 0 || strchr(arg, '/')) {
		if (snprintf(buf, len, "%s", arg) >= (int) len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (snprintf(buf, len, "%s/%s.jsonl", dir, arg) >= (int) len ||
	    stat(buf, &st) < 0) {
		r = -errno;
		fprintf(stderr, "pacectl: %s is neither a file nor a session in %s\n",
			arg, dir);
		return r;
	}
	return 0;
}

/* The log's name, its .jsonl replaced by the format's extension. */
static void default_output(const char *log, enum export_format format,
			   char *buf, size_t len)
{
	const char *base = strrchr(log, '/');
	size_t n;

	base = base ? base + 1 : log;
	n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".jsonl"))
		n -= 6;
	snprintf(buf, len, "%.*s.%s", (int) n, base, export_format_name(format));
}

static void clock_text(uint32_t s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%u:%02u", s / 60, s % 60);
}

int cmd_export(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char state_buf[PATH_MAX], log[PATH_MAX], out_buf[PATH_MAX];
	const char *state_dir = NULL, *out = NULL, *fmt = NULL;
	enum export_format format;
	struct export_error err;
	struct export_info info;
	bool quiet = false;
	char timer[16];
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:s:qh", lopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return PACECTL_EXIT_OK;
		default:
			fputs(usage, stderr);
			return PACECTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "pacectl: export needs one LOG, latest or SESSION-ID\n");
		fputs(usage, stderr);
		return PACECTL_EXIT_USAGE;
	}
	if (!fmt) {
		fprintf(stderr, "pacectl: export needs --format fit, tcx or csv\n");
		return PACECTL_EXIT_USAGE;
	}
	if (export_format_from_name(fmt, &format) < 0) {
		fprintf(stderr, "pacectl: unknown format '%s' (fit, tcx or csv)\n",
			fmt);
		return PACECTL_EXIT_USAGE;
	}
	if (!state_dir)
		state_dir = history_default_state_dir(state_buf, sizeof(state_buf));
	if (resolve(argv[optind], state_dir, log, sizeof(log)) < 0)
		return PACECTL_EXIT_FAIL;
	if (!out) {
		default_output(log, format, out_buf, sizeof(out_buf));
		out = out_buf;
	}

	r = export_log(log, format, out, &info, &err);
	if (r < 0) {
		fprintf(stderr, "pacectl: %s\n", err.text);
		return PACECTL_EXIT_FAIL;
	}
	if (info.torn_line)
		fprintf(stderr, "pacectl: %s:%u: line cut short by a crash, skipped\n",
			log, info.torn_line);
	if (info.treadmill_distance && !info.distance_agree)
		fprintf(stderr, "pacectl: note: the treadmill counted %u m, its "
			"speed adds up to %u m; the file has the treadmill's\n",
			info.distance_cm / 100, info.integral_cm / 100);
	if (quiet)
		return PACECTL_EXIT_OK;
	clock_text(info.plan_s, timer, sizeof(timer));
	fprintf(stderr, "%s: %s, %u.%02u km, %zu lap%s, %zu symptom press%s "
		"(%zu bytes)\n", strcmp(out, "-") ? out : "standard output",
		timer, info.distance_cm / 100000, info.distance_cm / 1000 % 100,
		info.laps, info.laps == 1 ? "" : "s", info.presses,
		info.presses == 1 ? "" : "es", info.bytes);
	return PACECTL_EXIT_OK;
}
