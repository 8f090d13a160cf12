/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl checkin: the pre-session check-in, from flags or questions on a terminal. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "checkin.h"
#include "json-read.h"
#include "pacectl.h"
#include "programme.h"
#include "progression.h"

static const char usage[] =
"Usage: pacectl checkin [OPTION]... [--ANSWER VALUE]...\n"
"Record the pre-session check-in in the history and say what today's\n"
"session is. Answers missing from the command line are asked on a\n"
"terminal; a script must give at least the four symptom answers.\n"
"\n"
"Since the last session:\n"
"  --leak yes|no           any leakage (urine, wind or stool)\n"
"  --heaviness yes|no      heaviness, pressure, bulging or dragging\n"
"  --pain 0-10             pain (pelvis, low back, anywhere it worries you)\n"
"  --bleeding yes|no       vaginal bleeding that is not a period\n"
"Today:\n"
"  --sleep enough|short    last night's sleep\n"
"  --breastfeeding yes|no\n"
"  --energy low|normal|good\n"
"  --next-day yes|no       symptoms in the 24 hours after the last session\n"
"                          (asked until it is answered)\n"
"  --answers LINE          the same as one line: leak=no,pain=0,...\n"
"\n"
"Options:\n"
"      --service           send it to the running paced service, which\n"
"                          records it in its own history and answers with\n"
"                          its programme (what a user who is not root does\n"
"                          on the box; see -S in pacectl --help)\n"
"  -s, --state-dir DIR     the history to add to (default: as paced)\n"
"  -c, --config FILE       paced.conf: its state_dir, programme, paces, cap\n"
"  -p, --programme FILE    the programme to decide with\n"
"  -j, --json              print the decision as JSON\n"
"  -h, --help              show this help\n"
"\n"
"Bleeding, heaviness or dragging, or pain of 3/10 or more (the programme's\n"
"rules can change these) make today walk only: see a pelvic-health\n"
"physiotherapist. paced is not a medical device. See pacectl(1).\n";

/* The question a terminal asks for each answer. */
static const char *question(enum checkin_key key)
{
	switch (key) {
	case CHECKIN_KEY_LEAK:
		return "Since your last session, any leakage (urine, wind or stool)? [yes/no]";
	case CHECKIN_KEY_HEAVINESS:
		return "Since your last session, any heaviness, bulging or dragging? [yes/no]";
	case CHECKIN_KEY_PAIN:
		return "Since your last session, any pain? 0 (none) to 10";
	case CHECKIN_KEY_BLEEDING:
		return "Since your last session, any bleeding that is not your period? [yes/no]";
	case CHECKIN_KEY_SLEEP:
		return "Last night's sleep: enough or short? (Enter to skip)";
	case CHECKIN_KEY_BREASTFEEDING:
		return "Are you breastfeeding? [yes/no] (Enter to skip)";
	case CHECKIN_KEY_ENERGY:
		return "Your energy today: low, normal or good? (Enter to skip)";
	case CHECKIN_KEY_NEXT_DAY:
	case CHECKIN_KEY_COUNT:
		break;
	}
	return "";
}

/* A terminal's short answers: y, n, e, s, l, g stand for their words. */
struct letter {
	const char *letter, *word;
};

static const char *expand(enum checkin_key key, const char *a)
{
	static const struct letter yn[] = {
		{ "y", "yes" }, { "n", "no" }, { NULL, NULL } };
	static const struct letter sleep[] = {
		{ "e", "enough" }, { "s", "short" }, { NULL, NULL } };
	static const struct letter energy[] = {
		{ "l", "low" }, { "n", "normal" }, { "g", "good" },
		{ NULL, NULL } };
	const struct letter *t = key == CHECKIN_KEY_SLEEP ? sleep :
				 key == CHECKIN_KEY_ENERGY ? energy : yn;

	for (; key != CHECKIN_KEY_PAIN && t->letter; t++)
		if (!strcasecmp(a, t->letter))
			return t->word;
	return a;
}

/* Ask on the terminal until the answer parses; an empty answer skips an
 * optional question. Returns 0, or -EIO at end of input. */
static int ask(struct checkin *c, enum checkin_key key, const char *text,
	       bool required)
{
	char *line = NULL;
	size_t cap = 0;
	int r = -EIO;

	for (;;) {
		const char *why, *a;
		ssize_t n;

		printf("%s ", text);
		fflush(stdout);
		n = getline(&line, &cap, stdin);
		if (n < 0)
			break;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
				 line[n - 1] == ' '))
			line[--n] = '\0';
		if (!n && !required) {
			r = 0;
			break;
		}
		a = expand(key, line);
		if (checkin_set(c, key, a, strlen(a), &why) == 0) {
			r = 0;
			break;
		}
		printf("  %s\n", why);
	}
	free(line);
	return r;
}

static bool symptom_question(enum checkin_key key)
{
	return key == CHECKIN_KEY_LEAK || key == CHECKIN_KEY_HEAVINESS ||
	       key == CHECKIN_KEY_PAIN || key == CHECKIN_KEY_BLEEDING;
}

/*
 * Ask on a terminal what c lacks (the next-day question only when a run
 * about_s is waiting for it); off a terminal, list the symptom answers
 * a script must give in missing, " --leak --pain". Returns 0, or -1 when
 * a question got no answer.
 */
static int ask_missing(struct checkin *c, bool tty, bool pending,
		       int64_t about, char *missing, size_t len)
{
	char when[32], text[200];
	int r;

	for (int k = 0; k < CHECKIN_KEY_COUNT; k++) {
		enum checkin_key key = (enum checkin_key) k;

		if (checkin_answered(c, key))
			continue;
		if (key == CHECKIN_KEY_NEXT_DAY) {
			if (!pending || !tty)
				continue;
			if (about) {
				PROGRESSION_TIME(about, " (%a %-d %b %H:%M)", when);
			} else {
				when[0] = '\0';
			}
			snprintf(text, sizeof(text), "In the 24 hours after your last session%s, any leakage, heaviness, dragging or pain? [yes/no]",
				 when);
			r = ask(c, key, text, true);
		} else if (tty) {
			r = ask(c, key, question(key), symptom_question(key));
		} else {
			r = 0;
			if (symptom_question(key))
				snprintf(missing + strlen(missing),
					 len - strlen(missing),
					 " --%s", checkin_key_name(key));
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/* A reply to the check-in goes to disk first: a slow SD card. */
#define SERVICE_TIMEOUT_MS 10000

/* A request to the service, its reply parsed; NULL (said why) if none. */
static struct json_value *service_request(const char *req, char **ret_text)
{
	struct json_read_error err;
	struct json_value *v;
	char *reply = NULL;
	const char *why;

	if (pacectl_request(req, SERVICE_TIMEOUT_MS, &reply) < 0)
		return NULL;
	v = json_parse(reply, strlen(reply), &err);
	if (ret_text && v)
		*ret_text = reply;
	else
		free(reply);
	if (!v || json_value_type(v) != JSON_OBJECT) {
		fprintf(stderr, "pacectl checkin: paced sent something that is not a JSON object\n");
		json_value_free(v);
		if (ret_text && v) {
			free(*ret_text);
			*ret_text = NULL;
		}
		return NULL;
	}
	if (!json_get_bool(v, "ok", &(bool){ false }) &&
	    (why = json_get_string(v, "error"))) {
		fprintf(stderr, "pacectl checkin: paced: %s\n", why);
		json_value_free(v);
		if (ret_text) {
			free(*ret_text);
			*ret_text = NULL;
		}
		return NULL;
	}
	return v;
}

/*
 * --service: the service records the check-in in its history (which a
 * user who is not root cannot write) and decides with its programme. The
 * questions are the same; whether yesterday's next-day answer is still
 * open is the service's to say.
 */
static int checkin_service(struct checkin *c, bool tty, bool json)
{
	char arg[CHECKIN_ARG_MAX + 1], req[CHECKIN_ARG_MAX + 16];
	char missing[160] = "";
	struct json_value *v;
	bool pending = false;
	int64_t about = 0;
	char *text = NULL;
	const char *s;

	v = service_request("next", NULL);
	if (!v)
		return PACECTL_EXIT_FAIL;
	(void) json_get_bool(v, "next_day_pending", &pending);
	(void) json_get_int(v, "next_day_about_s", &about);
	json_value_free(v);
	if (c->next_day != CHECKIN_UNANSWERED && !pending) {
		fprintf(stderr, "pacectl checkin: --next-day: no session is waiting for that answer\n");
		return PACECTL_EXIT_USAGE;
	}
	if (ask_missing(c, tty, pending, about, missing, sizeof(missing)) < 0) {
		fprintf(stderr, "pacectl checkin: no answer: nothing recorded\n");
		return PACECTL_EXIT_FAIL;
	}
	if (missing[0]) {
		fprintf(stderr, "pacectl checkin: missing answers:%s (or run it on a terminal to be asked)\n",
			missing);
		return PACECTL_EXIT_USAGE;
	}
	checkin_format_arg(c, arg, sizeof(arg));
	snprintf(req, sizeof(req), "checkin %s", arg);
	v = service_request(req, &text);
	if (!v)
		return PACECTL_EXIT_FAIL;
	if (json) {
		/* The service's reply as it is: the keys of next --json. */
		fputs(text, stdout);
	} else {
		const char *stage = json_get_string(v, "stage");
		const char *name = json_get_string(v, "name");

		printf("Recorded: %s\n", arg);
		printf("Next: %s (%s)\n", stage ? stage : "?", name ? name : "?");
		if ((s = json_get_string(v, "message")))
			printf("  why: %s\n", s);
		if ((s = json_get_string(v, "running_due")))
			printf("  next running session: %s\n", s);
	}
	json_value_free(v);
	free(text);
	return PACECTL_EXIT_OK;
}

int cmd_checkin(int argc, char **argv)
{
	enum { OPT_ANSWERS = 256, OPT_SERVICE, OPT_KEY = 300 };
	static const struct option lopts[] = {
		{ "leak", required_argument, NULL, OPT_KEY + CHECKIN_KEY_LEAK },
		{ "heaviness", required_argument, NULL, OPT_KEY + CHECKIN_KEY_HEAVINESS },
		{ "pain", required_argument, NULL, OPT_KEY + CHECKIN_KEY_PAIN },
		{ "bleeding", required_argument, NULL, OPT_KEY + CHECKIN_KEY_BLEEDING },
		{ "sleep", required_argument, NULL, OPT_KEY + CHECKIN_KEY_SLEEP },
		{ "breastfeeding", required_argument, NULL, OPT_KEY + CHECKIN_KEY_BREASTFEEDING },
		{ "energy", required_argument, NULL, OPT_KEY + CHECKIN_KEY_ENERGY },
		{ "next-day", required_argument, NULL, OPT_KEY + CHECKIN_KEY_NEXT_DAY },
		{ "answers", required_argument, NULL, OPT_ANSWERS },
		{ "service", no_argument, NULL, OPT_SERVICE },
		PACECTL_WHERE_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct pacectl_where where = { 0 };
	bool json = false, service = false, tty = isatty(STDIN_FILENO);
	struct pacectl_setup st;
	struct programme_decision d;
	struct programme *prog;
	struct checkin c;
	char missing[160] = "", text[200];
	int64_t now = time(NULL), about = 0;
	int opt, r;
	bool pending;

	checkin_init(&c);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "s:c:p:jh", lopts, NULL)) != -1) {
		char err[200];
		const char *why;

		if (pacectl_where_option(&where, opt, optarg))
			continue;
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return PACECTL_EXIT_OK;
		case OPT_SERVICE:
			service = true;
			break;
		case OPT_ANSWERS: {
			struct checkin line;

			if (checkin_parse_arg(optarg, &line, err, sizeof(err)) < 0) {
				fprintf(stderr, "pacectl checkin: --answers: %s\n", err);
				return PACECTL_EXIT_USAGE;
			}
			/* Flags given before or after it win over it. */
			for (int k = 0; k < CHECKIN_KEY_COUNT; k++) {
				char num[4];
				const char *v = checkin_get(&line, (enum checkin_key) k,
							    num, sizeof(num));

				if (v && !checkin_answered(&c, (enum checkin_key) k))
					(void) checkin_set(&c, (enum checkin_key) k,
							   v, strlen(v), &why);
			}
			break;
		}
		default:
			if (opt >= OPT_KEY && opt < OPT_KEY + CHECKIN_KEY_COUNT) {
				enum checkin_key key = (enum checkin_key) (opt - OPT_KEY);

				if (checkin_set(&c, key, optarg, strlen(optarg),
						&why) < 0) {
					fprintf(stderr, "pacectl checkin: --%s %s: %s\n",
						checkin_key_name(key), optarg, why);
					return PACECTL_EXIT_USAGE;
				}
				break;
			}
			fputs(usage, stderr);
			return PACECTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pacectl checkin: unexpected argument '%s'\n",
			argv[optind]);
		return PACECTL_EXIT_USAGE;
	}
	if (service)
		return checkin_service(&c, tty, json);
	if (pacectl_setup(&st, &where) < 0)
		return PACECTL_EXIT_FAIL;
	prog = pacectl_load_programme(&st);
	if (!prog)
		return PACECTL_EXIT_FAIL;

	r = progression_pending_next_day(st.state_dir, &about);
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, "pacectl checkin: %s/history.jsonl: %s\n",
			st.state_dir, strerror(-r));
		goto fail;
	}
	pending = r == 0;
	if (c.next_day != CHECKIN_UNANSWERED && !pending) {
		fprintf(stderr, "pacectl checkin: --next-day: no session is waiting for that answer\n");
		programme_free(prog);
		return PACECTL_EXIT_USAGE;
	}
	if (ask_missing(&c, tty, pending, about, missing, sizeof(missing)) < 0) {
		fprintf(stderr, "pacectl checkin: no answer: nothing recorded\n");
		goto fail;
	}
	if (missing[0]) {
		fprintf(stderr, "pacectl checkin: missing answers:%s (or run it on a terminal to be asked)\n",
			missing);
		programme_free(prog);
		return PACECTL_EXIT_USAGE;
	}
	/* The state directory may be new (a first check-in before any
	 * session); its parent must exist. */
	if (mkdir(st.state_dir, 0750) < 0 && errno != EEXIST) {
		fprintf(stderr, "pacectl checkin: %s: %s\n", st.state_dir,
			strerror(errno));
		goto fail;
	}
	r = progression_record_checkin(st.state_dir, &c, now);
	if (r < 0) {
		fprintf(stderr, "pacectl checkin: cannot record it in %s/history.jsonl: %s\n",
			st.state_dir, strerror(-r));
		goto fail;
	}
	if (pacectl_decide(&st, prog, now, &d) < 0)
		goto fail;
	if (!json) {
		checkin_format_arg(&c, text, sizeof(text));
		printf("Recorded: %s\n", text);
	}
	pacectl_print_decision(&st, prog, &d, now, json);
	programme_free(prog);
	return PACECTL_EXIT_OK;
fail:
	programme_free(prog);
	return PACECTL_EXIT_FAIL;
}
