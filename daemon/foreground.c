/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced run': one session in the foreground, a shell over the session controller. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "conf.h"
#include "control.h"
#include "controller.h"
#include "foreground.h"
#include "history.h"
#include "log.h"
#include "plan.h"
#include "plugin.h"
#include "util.h"

/* Exit statuses, documented in paced(8) and --help. */
enum {
	RUN_EXIT_FINISHED = 0,
	RUN_EXIT_FAILURE = 1,
	RUN_EXIT_USAGE = 2,
	RUN_EXIT_UNREACHABLE = 3,
	RUN_EXIT_ENDED_EARLY = 4,
};

#define PRECHECK_US (10 * USEC_PER_SEC)
#define MAX_QUIRKS 16

struct run {
	struct loop *loop;
	struct plugin_host *plugins;
	struct controller *ctl;
	struct control *control;
	struct paced_config *conf;	/* --config, or paced.conf if readable */
	bool tty_in, tty_out;
	struct termios saved_tio;
	bool tio_saved;
	bool started;			/* controller_start() succeeded */
	bool said_stop;
	bool link_lost;			/* said so; say when it is back */
	enum units units;		/* what the person reads: --units */
	int state_lock;			/* STATE/lock, held for life */
	int exit_status;
	size_t last_line_len;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: paced run [--treadmill ADDR] --profile FILE [OPTION]...\n"
"       paced run [--treadmill ADDR] --programme FILE [--precheck] [OPTION]...\n"
"Run one session in the foreground. A profile with belt = false (the\n"
"programme's preparation phase) runs with no treadmill, whatever ADDR.\n"
"\n"
"  -t, --treadmill ADDR   sim (built-in simulated treadmill), unix:PATH, a\n"
"                         Bluetooth LE address XX:XX:XX:XX:XX:XX[/random]\n"
"                         or name:NAME (scan for it, up to 10 s),\n"
"                         or usb-ant[:sim|:VVVV:PPPP|:BUS-PORT] for an ANT+\n"
"                         stick (advisory: paced cannot set the belt);\n"
"                         driver plugins may add forms of their own (an\n"
"                         address no driver takes lists them all);\n"
"                         none (the default): exercise sessions only\n"
"  -p, --profile FILE     the interval profile to run\n"
"      --programme FILE   run the stage the programme's rules pick from\n"
"                         the session history in the state directory\n"
"      --stage ID         with --programme: take the stage its decision\n"
"                         offers instead (\"or: P0\" in pacectl next), as\n"
"                         after a preparation phase done elsewhere\n"
"      --precheck         with --programme: first ask \"any symptoms since\n"
"                         last time?\"; a press (space) within 10 s means yes\n"
"  -s, --speedup N        run the profile's clock N times faster (1-1000)\n"
"  -c, --control PATH     open a control socket for pacectl --socket PATH\n"
"  -l, --log FILE         write the session log to FILE\n"
"      --config FILE      paced.conf: the driver plugin's settings (the\n"
"                         ANT+ network key), plugin_dir, units and cues\n"
"                         (default " CONFFILE ")\n"
"      --units metric|imperial  km/h or mph in what you read and hear\n"
"                         (default: paced.conf's units, else metric)\n"
"      --adapter hciN     Bluetooth adapter (name or address) to connect\n"
"                         with (default: the kernel picks)\n"
"      --state-dir DIR    session logs in DIR/sessions, history in\n"
"                         DIR/history.jsonl (default %s, else\n"
"                         ~/.local/state/paced)\n"
"      --speed-cap KMH    never command more than KMH (default %.1f)\n"
"      --sim-quirk NAME   (with a simulated treadmill: sim, usb-ant:sim)\n"
"                         imitate a real treadmill's quirk; see paced-sim\n"
"                         --help; repeatable\n"
"  -d, --debug[=MODULES]  debug log lines for MODULES (or all)\n"
"  -h, --help             show this help and exit\n"
"\n"
"Keys on a terminal: space = symptom button, l/h/x = symptom of kind\n"
"leak/heaviness/pain, e = end the session through cool-down (the long\n"
"press), p = pause, r = resume at walking pace, q = stop safely.\n"
"\n"
"A session a crash cut short in the state directory is taken over first,\n"
"on this treadmill: walking pace if its belt runs faster, then paused for\n"
"r (resume) or e/q (end); the profile asked for waits for the next run.\n"
"One paced per state directory.\n"
"\n"
"Exit status: 0 session finished (scaled back or not), 2 bad arguments or\n"
"profile, 3 treadmill unreachable, 4 ended early by the person or a\n"
"safety stop, 1 any other failure.\n"
"\n"
"paced is not a medical device; the symptom button is not an emergency\n"
"stop: the treadmill's safety key is.\n",
		STATEDIR, PROFILE_DEFAULT_SPEED_CAP / 100.0);
}

/* ---- terminal ---- */

static void tty_restore(struct run *run)
{
	if (run->tio_saved) {
		(void) tcsetattr(STDIN_FILENO, TCSANOW, &run->saved_tio);
		run->tio_saved = false;
	}
	if (run->tty_out && run->last_line_len) {
		fputc('\n', stdout);
		run->last_line_len = 0;
	}
}

static void tty_raw(struct run *run)
{
	struct termios t;

	if (!run->tty_in || tcgetattr(STDIN_FILENO, &run->saved_tio) < 0)
		return;
	run->tio_saved = true;
	t = run->saved_tio;
	/* Keys act at once, without Enter or echo; signals keep working. */
	t.c_lflag &= ~(tcflag_t) (ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	(void) tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void say(struct run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct run *run, const char *fmt, ...)
{
	va_list ap;

	if (run->tty_out && run->last_line_len) {
		fputs("\r\033[K", stdout);
		run->last_line_len = 0;
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void fmt_time(char *buf, size_t len, uint32_t ms)
{
	uint32_t s = ms / 1000;

	if (s >= 3600)
		snprintf(buf, len, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%u:%02u", s / 60, s % 60);
}

/* A bar of width cells for done of total. */
static void fmt_bar(char *buf, size_t width, uint32_t done, uint32_t total)
{
	size_t full = total ? (size_t) ((uint64_t) MIN(done, total) * width /
					total) : 0;

	for (size_t i = 0; i < width; i++)
		buf[i] = i < full ? '#' : '-';
	buf[width] = '\0';
}

/*
 * An exercise session's line: the step and its time left, what to do,
 * the session's progress and time left, presses.
 */
static void exercise_progress(struct run *run, const struct exercise_session *x)
{
	uint64_t now = loop_now(run->loop);
	const struct exercise_step *st;
	char st_left[16] = "-", left[16], bar[11], line[200];
	uint32_t ms = 0, done = exercise_session_ms(x, now);
	uint32_t rest = exercise_session_left_ms(x, now);
	size_t index = 0;
	int n;

	st = exercise_session_step(x, now, &index, &ms);
	if (st)
		fmt_time(st_left, sizeof(st_left), ms);
	fmt_time(left, sizeof(left), rest);
	fmt_bar(bar, sizeof(bar) - 1, done, done + rest);
	/* About 80 columns: a wrapped line would not redraw in place. */
	n = snprintf(line, sizeof(line), "%-8s %-4s %5s | [%s] %s | %.40s%s",
		     exercise_state_name(exercise_session_state(x)),
		     st ? (st->kind == PROFILE_ITEM_HOLD ? "hold" : "rest") : "",
		     st_left, bar, left, st && st->say ? st->say : "",
		     exercise_session_presses(x) ? " | 1 press" : "");
	fputs("\r\033[K", stdout);
	fputs(line, stdout);
	fflush(stdout);
	run->last_line_len = n > 0 ? (size_t) n : 0;
}

/*
 * One line, redrawn: state, pace and its time left, the next change and
 * when ("jog in 0:10 at 7.5"), the session's progress and time left,
 * target and belt speed in the person's units, presses.
 */
static void progress(struct run *run)
{
	const struct session *s = controller_session(run->ctl);
	const struct plan_segment *seg;
	const struct treadmill_data *d = controller_last_data(run->ctl);
	char seg_left[16] = "-", left[16], line[200], next[48] = "";
	char bar[11], target[16], actual[16] = "-", presses[16] = "";
	uint32_t p, end, t;
	uint64_t at_us;
	uint16_t speed;
	int n;

	if (run->tty_out && !s && controller_exercise(run->ctl))
		exercise_progress(run, controller_exercise(run->ctl));
	if (!run->tty_out || !s)
		return;
	seg = session_segment(s);
	p = session_profile_ms(s, loop_now(run->loop));
	end = plan_end_ms(session_plan(s));
	if (seg)
		fmt_time(seg_left, sizeof(seg_left),
			 seg->start_ms + seg->duration_ms - MIN(p, seg->start_ms +
							   seg->duration_ms));
	if (seg && session_next_change(s, &at_us, &speed) && speed) {
		t = units_speed_tenths(run->units, speed);
		snprintf(next, sizeof(next), " | %s in %s at %u.%u",
			 speed > session_walk_speed(s) ? "jog" : "walk",
			 seg_left, t / 10, t % 10);
	}
	fmt_time(left, sizeof(left), end > p ? end - p : 0);
	fmt_bar(bar, sizeof(bar) - 1, p, end);
	t = units_speed_tenths(run->units, session_target_speed(s));
	snprintf(target, sizeof(target), "%u.%u", t / 10, t % 10);
	if (d && (d->present & TREADMILL_DATA_SPEED)) {
		t = units_speed_tenths(run->units, d->speed);
		snprintf(actual, sizeof(actual), "%u.%u", t / 10, t % 10);
	}
	if (session_presses(s))
		snprintf(presses, sizeof(presses), " | %u press%s",
			 session_presses(s), session_presses(s) == 1 ? "" : "es");
	/* About 80 columns: a wrapped line would not redraw in place. */
	n = snprintf(line, sizeof(line), "%-8s %-5s %5s%s | [%s] %s | %s/%s %s%s",
		     session_state_name(session_state(s)),
		     seg ? seg->pace_name : "", seg_left, next, bar, left,
		     target, actual, units_speed_unit(run->units), presses);
	fputs("\r\033[K", stdout);
	fputs(line, stdout);
	fflush(stdout);
	run->last_line_len = n > 0 ? (size_t) n : 0;
}

/* ---- what the controller says ---- */

static void on_event(const struct event *ev, void *user_data)
{
	struct run *run = user_data;
	const struct controller_info *info = controller_info(run->ctl);

	switch (ev->kind) {
	case EVENT_CUE:
		say(run, "%s", ev->cue.text);
		break;
	case EVENT_LINK:
		/* A driver that finds the treadmill again by itself (ANT+)
		 * says so in its own log lines. */
		if (info->reconnects)
			break;
		if (!ev->link.up && controller_phase(run->ctl) ==
				    CONTROLLER_RUNNING) {
			say(run, "link to the treadmill lost; session paused, reconnecting");
			run->link_lost = true;
		} else if (ev->link.up && run->link_lost) {
			say(run, "link back; the session resumes at walking pace if "
			    "the belt is still moving, else press r to resume");
			run->link_lost = false;
		}
		break;
	case EVENT_SESSION:
	case EVENT_DROPPED:
	case EVENT_DENIED:
	case EVENT_SESSION_START:
	case EVENT_SESSION_END:
	case EVENT_ERROR:
	case EVENT_LOG:
	case EVENT_EXPORT:
		break;
	}
	if (!run->tty_out && ev->kind != EVENT_SESSION_START &&
	    ev->kind != EVENT_SESSION_END) {
		/* Not a terminal: one plain line per event, for logs. */
		struct json *j = json_new_buffer();

		event_json(j, ev);
		fputs(json_buffer(j, NULL), stdout);
		fputc('\n', stdout);
		fflush(stdout);
		json_free(j);
	}
}

static void on_update(void *user_data)
{
	progress(user_data);
}

static int exit_status_of(enum controller_outcome outcome)
{
	switch (outcome) {
	case CONTROLLER_OUTCOME_FINISHED:
		return RUN_EXIT_FINISHED;
	case CONTROLLER_OUTCOME_ENDED_EARLY:
		return RUN_EXIT_ENDED_EARLY;
	case CONTROLLER_OUTCOME_UNREACHABLE:
		return RUN_EXIT_UNREACHABLE;
	case CONTROLLER_OUTCOME_NONE:
	case CONTROLLER_OUTCOME_FAILED:
		break;
	}
	return RUN_EXIT_FAILURE;
}

static void on_phase(enum controller_phase phase, void *user_data)
{
	struct run *run = user_data;
	const struct controller_info *info = controller_info(run->ctl);

	switch (phase) {
	case CONTROLLER_FINDING:
		say(run, "looking for treadmill '%s' (up to %llu s)",
		    treadmill_address_name(info->treadmill),
		    (unsigned long long) (TREADMILL_FIND_TIMEOUT_US /
					  USEC_PER_SEC));
		break;
	case CONTROLLER_CONNECTING:
		if (strcmp(info->address, info->treadmill))
			say(run, "found '%s' at %s",
			    treadmill_address_name(info->treadmill),
			    info->address);
		break;
	case CONTROLLER_RUNNING:
		if (!info->address)
			say(run, "no treadmill: exercises, spoken (space = symptom, p = pause, q = stop)");
		else
			say(run, "connected to %s; starting in a moment (space = symptom, q = stop)",
			    info->address);
		break;
	case CONTROLLER_STOPPING:
		break;
	case CONTROLLER_IDLE:
		/* The one session is over and torn down. */
		if (run->started)
			loop_quit(run->loop,
				  exit_status_of(controller_outcome(run->ctl)));
		break;
	}
}

/* ---- inputs ---- */

static void say_press(struct run *run, const char *what, int n)
{
	if (n < 0)
		say(run, "%s: no session running", what);
	else if (n == 0)
		say(run, "%s: press counted once (debounce)", what);
	else
		say(run, "%s: press %d: walking pace", what, n);
}

static bool on_key(int fd, uint32_t events, void *user_data)
{
	struct run *run = user_data;
	char c;
	ssize_t n = read(fd, &c, 1);

	if (n <= 0) {
		/* stdin closed: keys are gone, the session goes on. */
		return false;
	}
	if (controller_phase(run->ctl) != CONTROLLER_RUNNING &&
	    c != 'q')
		return true;
	switch (c) {
	case ' ':
		say_press(run, "symptom", controller_symptom(run->ctl, SYMPTOM_ANY));
		break;
	case 'l':
		say_press(run, "leak", controller_symptom(run->ctl, SYMPTOM_LEAK));
		break;
	case 'h':
		say_press(run, "heaviness",
			  controller_symptom(run->ctl, SYMPTOM_PRESSURE));
		break;
	case 'x':
		say_press(run, "pain", controller_symptom(run->ctl, SYMPTOM_PAIN));
		break;
	case 'e':
		say(run, "ending: cool-down, then stop");
		(void) controller_end(run->ctl);
		break;
	case 'p':
		if (controller_pause(run->ctl) == 0)
			say(run, "paused");
		break;
	case 'r':
		if (controller_resume(run->ctl) == 0)
			say(run, "resumed at walking pace");
		else
			say(run, "cannot resume now");
		break;
	case 'q':
		say(run, "stopping: walking pace, then stop");
		(void) controller_stop(run->ctl);
		break;
	default:
		break;
	}
	return true;
}

static void on_request(struct control_client *client,
		       const struct ctl_request *req, void *user_data)
{
	struct run *run = user_data;
	struct paced_call *call = call_new_client(client,
						  control_client_uid(client));

	switch (req->cmd) {
	case CTL_CMD_START:
		call_reply_error(call, "a session is already running");
		return;
	case CTL_CMD_SCAN:
	case CTL_CMD_PROFILES:
	case CTL_CMD_HISTORY:
	case CTL_CMD_NEXT:
	case CTL_CMD_PROFILE:
	case CTL_CMD_CHECKIN:
		call_reply_error(call, "only the paced service answers this");
		return;
	case CTL_CMD_STATUS:
	case CTL_CMD_WATCH:
	case CTL_CMD_SYMPTOM:
	case CTL_CMD_PAUSE:
	case CTL_CMD_RESUME:
	case CTL_CMD_END:
	case CTL_CMD_STOP:
		break;
	}
	controller_request(run->ctl, call, req, NULL, NULL);
}

static void on_signal(int signo, void *user_data)
{
	struct run *run = user_data;

	if (!controller_active(run->ctl)) {
		loop_quit(run->loop, RUN_EXIT_ENDED_EARLY);
		return;
	}
	if (!run->said_stop)
		say(run, "%s: walking pace, then stop", strsignal(signo));
	run->said_stop = true;
	if (controller_signal(run->ctl))
		loop_quit(run->loop, RUN_EXIT_ENDED_EARLY);
}

/* ---- the pre-session check ---- */

struct precheck {
	struct loop *loop;
	int answer;		/* 1 yes, 0 no or no answer, -EINTR */
};

static bool on_precheck_key(int fd, uint32_t events, void *user_data)
{
	struct precheck *pc = user_data;
	char c;

	if (read(fd, &c, 1) != 1) {
		loop_quit(pc->loop, 0);
		return false;
	}
	if (c == ' ' || c == 'y' || c == 'Y' || c == 'n' || c == 'N' ||
	    c == '\n') {
		pc->answer = c == ' ' || c == 'y' || c == 'Y';
		loop_quit(pc->loop, 0);
		return false;
	}
	return true;
}

static bool on_precheck_timeout(void *user_data)
{
	struct precheck *pc = user_data;

	loop_quit(pc->loop, 0);
	return false;
}

/*
 * docs/domain.md 2.2 and 3.5: "press within 10 s if you had symptoms
 * since your last session". No answer means no. Returns 1 for yes, 0 for
 * no, -EINTR when a signal asked us to stop meanwhile.
 */
static int ask_precheck(struct run *run)
{
	struct precheck pc = { .loop = run->loop };
	int key, timer, r;

	say(run, "Any leakage, heaviness or pain since your last session? "
	    "Press space (or y) within 10 s if so; n or Enter if not.");
	tty_raw(run);
	key = loop_add_fd(run->loop, STDIN_FILENO, EPOLLIN, on_precheck_key,
			  &pc, NULL);
	timer = loop_add_timeout(run->loop, PRECHECK_US, false,
				 on_precheck_timeout, &pc, NULL);
	r = loop_run(run->loop);
	if (key > 0)
		loop_remove(run->loop, key);
	loop_remove(run->loop, timer);
	tty_restore(run);
	if (r == RUN_EXIT_ENDED_EARLY)
		return -EINTR;
	say(run, pc.answer ? "Noted: symptoms since last time." :
	    "Noted: no symptoms since last time.");
	return pc.answer;
}

/* ---- options ---- */

static int parse_uint(const char *s, unsigned long lo, unsigned long hi,
		      unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* A plugin's group in paced.conf, for the driver the session loads. */
static const void *plugin_group(const char *name, const void *data)
{
	const struct paced_config *pc = data;

	for (unsigned i = 0; pc && i < pc->n_plugins; i++)
		if (!strcmp(pc->plugins[i].name, name))
			return pc->plugins[i].group;
	return NULL;
}

static int exit_for_error(const struct controller_error *err)
{
	switch (err->kind) {
	case CONTROLLER_ERR_USAGE:
		return RUN_EXIT_USAGE;
	case CONTROLLER_ERR_UNREACHABLE:
		return RUN_EXIT_UNREACHABLE;
	case CONTROLLER_ERR_BUSY:
	case CONTROLLER_ERR_FAILURE:
		break;
	}
	return RUN_EXIT_FAILURE;
}

int run_main(int argc, char **argv)
{
	enum { OPT_STATE_DIR = 256, OPT_SPEED_CAP, OPT_SIM_QUIRK, OPT_PROGRAMME,
	       OPT_PRECHECK, OPT_CONFIG, OPT_ADAPTER, OPT_UNITS, OPT_STAGE };
	static const struct option opts[] = {
		{ "treadmill", required_argument, NULL, 't' },
		{ "profile", required_argument, NULL, 'p' },
		{ "programme", required_argument, NULL, OPT_PROGRAMME },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "precheck", no_argument, NULL, OPT_PRECHECK },
		{ "stage", required_argument, NULL, OPT_STAGE },
		{ "speedup", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "adapter", required_argument, NULL, OPT_ADAPTER },
		{ "units", required_argument, NULL, OPT_UNITS },
		{ "speed-cap", required_argument, NULL, OPT_SPEED_CAP },
		{ "sim-quirk", required_argument, NULL, OPT_SIM_QUIRK },
		{ "debug", optional_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct controller_request req = { .speedup = 1 };
	const char *control_path = NULL, *debug = NULL, *config_path = NULL;
	/* "quirks=NAME" settings for the driver plugin, NULL-terminated. */
	char quirk_buf[MAX_QUIRKS][80];
	const char *extra[MAX_QUIRKS + 1] = { NULL };
	size_t n_quirks = 0;
	char state_buf[PATH_MAX];
	struct profile_limits limits;
	struct controller_error cerr;
	struct run run = { .exit_status = RUN_EXIT_FAILURE, .state_lock = -1 };
	char why[512], interrupted[PATH_MAX + 256];
	const struct controller_info *info;
	bool precheck = false, units_given = false;
	unsigned long v;
	int c, err;

	profile_limits_default(&limits);
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:p:s:c:l:d::h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			req.treadmill = optarg;
			break;
		case 'p':
			req.profile_path = optarg;
			break;
		case 's':
			if (parse_uint(optarg, 1, 1000, &v) < 0) {
				fprintf(stderr, "paced run: --speedup must be a whole number from 1 to 1000\n");
				return RUN_EXIT_USAGE;
			}
			req.speedup = (uint32_t) v;
			break;
		case 'c':
			control_path = optarg;
			break;
		case 'l':
			req.log_path = optarg;
			break;
		case OPT_STATE_DIR:
			req.state_dir = optarg;
			break;
		case OPT_ADAPTER:
			req.adapter = optarg;
			break;
		case OPT_UNITS:
			if (units_from_name(optarg, &req.units) < 0) {
				fprintf(stderr, "paced run: --units must be metric or imperial\n");
				return RUN_EXIT_USAGE;
			}
			units_given = true;
			break;
		case OPT_PROGRAMME:
			req.programme_path = optarg;
			break;
		case OPT_STAGE:
			req.stage = optarg;
			break;
		case OPT_PRECHECK:
			precheck = true;
			break;
		case OPT_SPEED_CAP: {
			char *end;
			double kmh = strtod(optarg, &end);

			if (*end || end == optarg || !isfinite(kmh)) {
				fprintf(stderr, "paced run: --speed-cap '%s' is not a number of km/h\n",
					optarg);
				return RUN_EXIT_USAGE;
			}
			if (kmh < 1.0 || kmh > 25.0) {
				fprintf(stderr, "paced run: --speed-cap must be in km/h, 1 to 25\n");
				return RUN_EXIT_USAGE;
			}
			limits.speed_cap = (uint16_t) (kmh * 100 + 0.5);
			break;
		}
		case OPT_CONFIG:
			config_path = optarg;
			break;
		case OPT_SIM_QUIRK:
			/* The simulator's plugin checks the name. */
			if (n_quirks == MAX_QUIRKS ||
			    snprintf(quirk_buf[n_quirks], sizeof(quirk_buf[0]),
				     "quirks=%s", optarg) >= (int) sizeof(quirk_buf[0])) {
				fprintf(stderr, "paced run: at most %d --sim-quirk, each under 64 characters\n",
					MAX_QUIRKS);
				return RUN_EXIT_USAGE;
			}
			extra[n_quirks] = quirk_buf[n_quirks];
			n_quirks++;
			break;
		case 'd':
			debug = optarg ? optarg : "all";
			break;
		case 'h':
			usage(stdout);
			return RUN_EXIT_FINISHED;
		default:
			usage(stderr);
			return RUN_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "paced run: unexpected argument '%s'\n", argv[optind]);
		return RUN_EXIT_USAGE;
	}
	if (!req.profile_path == !req.programme_path) {
		fprintf(stderr, "paced run: one of --profile or --programme is required (try paced run --help)\n");
		return RUN_EXIT_USAGE;
	}
	if (req.stage && !req.programme_path) {
		fprintf(stderr, "paced run: --stage needs --programme\n");
		return RUN_EXIT_USAGE;
	}
	if (control_path && !*control_path) {
		fprintf(stderr, "paced run: --control needs a path\n");
		return RUN_EXIT_USAGE;
	}
	log_init("paced", log_target_auto(), debug);
	run.tty_in = isatty(STDIN_FILENO);
	run.tty_out = isatty(STDOUT_FILENO);

	/* The driver plugin's settings live in paced.conf (the ANT+ network
	 * key never goes on a command line, where ps shows it). */
	if (config_path || access(CONFFILE, R_OK) == 0) {
		struct paced_config_error e;

		run.conf = paced_config_load(config_path ? config_path : CONFFILE, &e);
		if (!run.conf) {
			fprintf(stderr, "%s\n", e.text);
			return RUN_EXIT_USAGE;
		}
	}
	if (!req.state_dir)
		req.state_dir = history_default_state_dir(state_buf,
							  sizeof(state_buf));
	/* One paced per state directory (docs/design.md "Safety rules", crash recovery):
	 * another one's live log is not one a crash left open. */
	run.state_lock = controller_lock_state(req.state_dir, "paced run", why,
					       sizeof(why));
	if (run.state_lock < 0) {
		fprintf(stderr, "paced run: %s\n", why);
		paced_config_free(run.conf);
		return RUN_EXIT_FAILURE;
	}
	/* A session cut short by a crash or SIGKILL is closed in its log
	 * before anything else, and taken over below. */
	err = history_recover_newest(req.state_dir, interrupted,
				     sizeof(interrupted));
	if (err > 0)
		say(&run, "closed %d interrupted session log%s in %s", err,
		    err == 1 ? "" : "s", req.state_dir);
	if (err <= 0)
		interrupted[0] = '\0';

	run.loop = loop_new(NULL);
	if (!run.loop) {
		log_err("cannot create the event loop");
		paced_config_free(run.conf);
		return RUN_EXIT_FAILURE;
	}
	loop_add_signal(run.loop, SIGINT, on_signal, &run, NULL);
	loop_add_signal(run.loop, SIGTERM, on_signal, &run, NULL);
	/* A vanished control client must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	run.plugins = plugin_host_new(run.loop, NULL, NULL);
	plugin_host_set_quiet(run.plugins, true);
	run.ctl = controller_new(run.loop, run.plugins);
	controller_set_listener(run.ctl, &(struct controller_listener) {
		.event = on_event, .update = on_update, .phase = on_phase,
	}, &run);

	if (req.programme_path && precheck) {
		err = ask_precheck(&run);
		if (err < 0) {
			run.exit_status = RUN_EXIT_ENDED_EARLY;
			goto out;
		}
		req.precheck_symptoms = err > 0;
	}
	/* The control socket before the session: one that cannot open (a
	 * file in the way, another paced run on it) leaves no log behind. */
	if (control_path) {
		run.control = control_new(run.loop, control_path, (gid_t) -1,
					  on_request, &run, &err);
		if (!run.control) {
			fprintf(stderr, "paced run: --control %s: %s\n",
				control_path, control_strerror(err));
			run.exit_status = err == -EINVAL ? RUN_EXIT_USAGE :
					  RUN_EXIT_FAILURE;
			goto out;
		}
		controller_set_control(run.ctl, run.control);
	}
	req.limits = &limits;
	req.plugin_dir = run.conf ? run.conf->plugin_dir : PLUGINDIR;
	req.plugin_group = plugin_group;
	req.plugin_group_data = run.conf;
	req.plugin_file = run.conf ? run.conf->file : NULL;
	req.plugin_extra = extra;
	/* What the person hears comes from the same file. */
	req.cues = run.conf ? &run.conf->cues : NULL;
	/* ... and which files each session leaves in STATE/exports/. */
	req.export_formats = run.conf ? run.conf->export_formats : 0;
	if (run.conf && !units_given)
		req.units = run.conf->units;
	run.units = req.units;
	/*
	 * The belt may still be moving under the session that died: that
	 * session is taken over on this treadmill, paused, before anything
	 * new starts (paced(8) "Safety rules"). The profile asked for waits
	 * for the next paced run.
	 */
	controller_set_default(run.ctl, &req);
	if (interrupted[0]) {
		if (controller_recover(run.ctl, &req, interrupted, &cerr) == 0) {
			say(&run, "taking over the interrupted session %s: walking pace if the belt runs faster, then paused (r resumes, e or q ends it); %s is not started",
			    interrupted, req.profile_path ? req.profile_path :
			    req.programme_path);
		} else {
			fprintf(stderr, "paced run: cannot take over the interrupted session %s: %s\n",
				interrupted, cerr.text);
			run.exit_status = RUN_EXIT_FAILURE;
			goto out;
		}
	} else if (controller_start(run.ctl, &req, &cerr) < 0) {
		fprintf(stderr, "%s%s\n", cerr.kind == CONTROLLER_ERR_USAGE &&
			!strstr(cerr.text, ": ") ? "paced run: " : "", cerr.text);
		run.exit_status = exit_for_error(&cerr);
		goto out;
	}
	run.started = true;
	info = controller_info(run.ctl);
	if (info->stage)
		say(&run, "%s: stage %s (%s). %s", info->programme_name,
		    info->stage, info->reason, info->decision);

	if (run.tty_in) {
		tty_raw(&run);
		loop_add_fd(run.loop, STDIN_FILENO, EPOLLIN, on_key, &run, NULL);
	}
	if (info->log_path)
		say(&run, "%s: %s (log: %s)", info->profile_path,
		    info->profile_name, info->log_path);
	run.exit_status = loop_run(run.loop);
	if (run.tty_out)
		say(&run, "session over; log in %s/sessions", req.state_dir);

out:
	tty_restore(&run);
	/* The controller first: its teardown frees the treadmill, whose code
	 * lives in a plugin; then the plugins. */
	controller_free(run.ctl);
	control_free(run.control);
	plugin_host_free(run.plugins);
	loop_free(run.loop);
	paced_config_free(run.conf);
	if (run.state_lock >= 0)
		close(run.state_lock);
	return run.exit_status;
}
