/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl report: the report for the physiotherapist, as HTML, CSV or JSON. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "pacectl.h"
#include "programme.h"
#include "progression.h"
#include "report.h"

static const char usage[] =
"Usage: pacectl report [OPTION]...\n"
"Write the report for a pelvic-health physiotherapist: the programme and\n"
"current stage, the stage over time, sessions per week, jog time per\n"
"session, every symptom press with when it came (minute, segment, belt\n"
"speed), the check-in answers, and each step-back, walk-only day and lock\n"
"with the rule that caused it. HTML is one self-contained page that\n"
"prints on A4 and Letter; CSV and JSON hold the same data.\n"
"\n"
"Options:\n"
"  -s, --state-dir DIR     the history and session logs (default: as paced)\n"
"  -c, --config FILE       paced.conf: its state_dir, programme, paces, cap\n"
"  -p, --programme FILE    the programme (default: paced.conf's, else the\n"
"                          bundled return-to-running programme)\n"
"  -w, --weeks N           the last N weeks only\n"
"      --since DATE        from DATE (YYYY-MM-DD, local time) on\n"
"  -f, --format FORMAT     html (default), csv or json\n"
"  -o, --output FILE       write to FILE (default: standard output)\n"
"  -h, --help              show this help\n"
"\n"
"See pacectl(1).\n";

/* Local midnight of YYYY-MM-DD. */
static int parse_date(const char *s, int64_t *ret)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return -EINVAL;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t) -1)
		return -EINVAL;
	*ret = (int64_t) t;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option lopts[] = {
		PACECTL_WHERE_OPTIONS,
		{ "weeks", required_argument, NULL, 'w' },
		{ "since", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pacectl_where where = { 0 };
	const char *output = NULL;
	struct report_options opt = { .now_s = time(NULL) };
	enum report_format format = REPORT_HTML;
	struct pacectl_setup st;
	struct programme *prog;
	struct report *rep;
	char tmp[PATH_MAX];
	bool weeks = false, since = false;
	FILE *f = stdout;
	int c, fd, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:c:p:w:f:o:h", lopts, NULL)) != -1) {
		char *end;
		long n;

		if (pacectl_where_option(&where, c, optarg))
			continue;
		switch (c) {
		case 'w':
			n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 1 || n > 520) {
				fprintf(stderr, "pacectl report: --weeks %s: a number of weeks from 1 to 520\n",
					optarg);
				return PACECTL_EXIT_USAGE;
			}
			opt.since_s = opt.now_s - (int64_t) n * 7 * 86400;
			weeks = true;
			break;
		case 'S':
			if (parse_date(optarg, &opt.since_s) < 0) {
				fprintf(stderr, "pacectl report: --since %s: not a date (YYYY-MM-DD)\n",
					optarg);
				return PACECTL_EXIT_USAGE;
			}
			since = true;
			break;
		case 'f':
			if (report_format_from_name(optarg, &format) < 0) {
				fprintf(stderr, "pacectl report: --format %s: html, csv or json\n",
					optarg);
				return PACECTL_EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return PACECTL_EXIT_OK;
		default:
			fputs(usage, stderr);
			return PACECTL_EXIT_USAGE;
		}
	}
	if (optind < argc || (weeks && since)) {
		fprintf(stderr, "pacectl report: %s\n", optind < argc ?
			"unexpected argument" : "--weeks or --since, not both");
		return PACECTL_EXIT_USAGE;
	}
	if (pacectl_setup(&st, &where) < 0)
		return PACECTL_EXIT_FAIL;
	prog = pacectl_load_programme(&st);
	if (!prog)
		return PACECTL_EXIT_FAIL;
	r = report_build(st.state_dir, prog, &opt, &rep);
	if (r < 0) {
		fprintf(stderr, "pacectl report: %s/history.jsonl: %s\n",
			st.state_dir, strerror(-r));
		programme_free(prog);
		return PACECTL_EXIT_FAIL;
	}
	if (report_bad_lines(rep))
		fprintf(stderr, "pacectl report: %s/history.jsonl: %u unreadable lines skipped\n",
			st.state_dir, report_bad_lines(rep));
	/* A whole file or none: written beside it, synced, renamed over it
	 * (lib/file.h). */
	if (output) {
		fd = file_replace_open(output, tmp, sizeof(tmp));
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!f) {
			r = fd < 0 ? fd : -errno;
			if (fd >= 0)
				(void) file_replace_commit(fd, tmp, output, r);
			goto out;
		}
	}
	r = report_write(rep, format, f);
	if (output) {
		/* The stream's buffer out, then the file through its fd. */
		if (fflush(f) != 0 && r == 0)
			r = -EIO;
		r = file_replace_commit(dup(fileno(f)), tmp, output, r);
		fclose(f);
	} else if (fflush(stdout) != 0) {
		r = -EIO;
	}
out:
	if (r < 0)
		fprintf(stderr, "pacectl report: %s: %s\n",
			output ? output : "standard output", file_strerror(r));
	report_free(rep);
	programme_free(prog);
	return r < 0 ? PACECTL_EXIT_FAIL : PACECTL_EXIT_OK;
}
