/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced run': one session in the foreground, with keys and a progress line. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <libconfig.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "advisory.h"
#include "control.h"
#include "history.h"
#include "link.h"
#include "log.h"
#include "plan.h"
#include "profile.h"
#include "programme.h"
#include "run.h"
#include "runner.h"
#include "session.h"
#include "session-log.h"
#include "plugin.h"
#include "sim/sim.h"
#include "transport.h"
#include "conf.h"
#include "util.h"

/* Exit statuses, documented in paced(8) and --help. */
enum {
	RUN_EXIT_FINISHED = 0,
	RUN_EXIT_FAILURE = 1,
	RUN_EXIT_USAGE = 2,
	RUN_EXIT_UNREACHABLE = 3,
	RUN_EXIT_ENDED_EARLY = 4,
};

/* Real time, whatever --speedup says. */
#define CONNECT_TIMEOUT_US (10 * USEC_PER_SEC)
#define STOP_TIMEOUT_US (5 * USEC_PER_SEC)

struct run {
	struct loop *loop;
	const char *address;		/* as given */
	const char *adapter;		/* --adapter, NULL: the kernel picks */
	struct plugin_host *plugins;	/* the one driver plugin */
	struct plugin_driver *driver;
	struct plugin_scanner *scanner;	/* finding name:NAME */
	char found[64];			/* ... at this address */
	bool self_healing;		/* the driver reconnects by itself */
	struct link *link;
	struct plugin_cue cue;		/* the cue behind the next "cue" event */
	char cue_text[128];
	struct runner *runner;
	struct session_log *log;
	struct control *control;
	bool tty_in, tty_out;
	struct termios saved_tio;
	bool tio_saved;
	int stop_timer;
	bool link_was_up;
	bool connected;
	bool stopping;
	int exit_status;
	size_t last_line_len;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: paced run --treadmill ADDR --profile FILE [OPTION]...\n"
"       paced run --treadmill ADDR --programme FILE [--precheck] [OPTION]...\n"
"Run one session in the foreground.\n"
"\n"
"  -t, --treadmill ADDR   sim (built-in simulated treadmill), unix:PATH, a\n"
"                         Bluetooth LE address XX:XX:XX:XX:XX:XX[/random]\n"
"                         or name:NAME (scan for it, up to 10 s),\n"
"                         or usb-ant[:sim|:VVVV:PPPP|:BUS-PORT] for an ANT+\n"
"                         stick (advisory: paced cannot set the belt)\n"
"  -p, --profile FILE     the interval profile to run\n"
"      --programme FILE   run the stage the programme's rules pick from\n"
"                         the session history in the state directory\n"
"      --precheck         with --programme: first ask \"any symptoms since\n"
"                         last time?\"; a press (space) within 10 s means yes\n"
"  -s, --speedup N        run the profile's clock N times faster (1-1000)\n"
"  -c, --control PATH     open a control socket for pacectl --socket PATH\n"
"  -l, --log FILE         write the session log to FILE\n""      --config FILE      paced.conf: the driver plugin's settings (the\n"
"                         ANT+ network key) and plugin_dir (default\n"
"                         " CONFFILE ")\n"
"      --adapter hciN     Bluetooth adapter (name or address) to connect\n"
"                         with (default: the kernel picks)\n"
"      --state-dir DIR    session logs in DIR/sessions, history in\n"
"                         DIR/history.jsonl (default %s, else\n"
"                         ~/.local/state/paced)\n"
"      --speed-cap KMH    never command more than KMH (default %.1f)\n"
"      --sim-quirk NAME   (with --treadmill sim) imitate a real treadmill's\n"
"                         quirk; see paced-sim --help; repeatable\n"
"  -d, --debug[=MODULES]  debug log lines for MODULES (or all)\n"
"  -h, --help             show this help and exit\n"
"\n"
"Keys on a terminal: space = symptom button, l/h/x = symptom of kind\n"
"leak/heaviness/pain, e = end the session through cool-down (the long\n"
"press), p = pause, r = resume at walking pace, q = stop safely.\n"
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

static void progress(struct run *run)
{
	const struct session *s = runner_session(run->runner);
	const struct plan_segment *seg = session_segment(s);
	const struct treadmill_data *d = runner_last_data(run->runner);
	uint32_t p = session_profile_ms(s, loop_now(run->loop));
	uint32_t end = plan_end_ms(session_plan(s));
	char seg_left[16] = "-", left[16], line[160], actual[16] = "-";
	int n;

	if (!run->tty_out)
		return;
	if (seg)
		fmt_time(seg_left, sizeof(seg_left),
			 seg->start_ms + seg->duration_ms - MIN(p, seg->start_ms +
							   seg->duration_ms));
	fmt_time(left, sizeof(left), end > p ? end - p : 0);
	if (d && (d->present & TREADMILL_DATA_SPEED))
		snprintf(actual, sizeof(actual), "%.1f", d->speed / 100.0);
	n = snprintf(line, sizeof(line),
		     "%-9s %-5s %6s left | session %7s left | target %4.1f km/h, belt %4s | presses %u",
		     session_state_name(session_state(s)),
		     seg ? seg->pace_name : "", seg_left, left,
		     session_target_speed(s) / 100.0, actual,
		     session_presses(s));
	fputs("\r\033[K", stdout);
	fputs(line, stdout);
	fflush(stdout);
	run->last_line_len = n > 0 ? (size_t) n : 0;
}

/* ---- session end ---- */

static void finish_run(struct run *run)
{
	const struct session *s = runner_session(run->runner);

	if (session_state(s) == SESSION_FINISHED)
		run->exit_status = RUN_EXIT_FINISHED;
	else
		run->exit_status = RUN_EXIT_ENDED_EARLY;
	loop_quit(run->loop, run->exit_status);
}

static bool on_stop_timeout(void *user_data)
{
	struct run *run = user_data;

	run->stop_timer = 0;
	log_warn("the treadmill did not confirm the stop in time; exiting");
	finish_run(run);
	return false;
}

static void request_stop(struct run *run)
{
	if (run->stopping)
		return;
	run->stopping = true;
	if (!run->runner) {
		loop_quit(run->loop, RUN_EXIT_ENDED_EARLY);
		return;
	}
	(void) runner_stop(run->runner);
	if (!runner_done(run->runner) && !run->stop_timer)
		run->stop_timer = loop_add_timeout(run->loop, STOP_TIMEOUT_US,
						   false, on_stop_timeout, run,
						   NULL);
}

/* The link is back after a drop (daemon/link.c reopened it). */
static void on_link_back(struct link *l, void *user_data)
{
	say(user_data, "link back; the session resumes at walking pace if "
	    "the belt is still moving, else press r to resume");
}

static void on_update(struct runner *r, void *user_data)
{
	struct run *run = user_data;
	bool up = runner_link_up(r);

	if (runner_done(r)) {
		finish_run(run);
		return;
	}
	if (run->link_was_up && !up && run->connected && !run->self_healing &&
	    !run->stopping) {
		say(run, "link to the treadmill lost; session paused, reconnecting");
		link_lost(run->link);
	}
	run->link_was_up = up;
	progress(run);
}

static void on_event(struct runner *r, const char *json, void *user_data)
{
	struct run *run = user_data;

	if (run->control)
		control_broadcast(run->control, json);
	plugin_host_emit_runner(run->plugins, json,
				run->cue.text ? &run->cue : NULL);
	run->cue.text = NULL;
	if (!run->tty_out) {
		/* Not a terminal: one plain line per event, for logs. */
		fputs(json, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	}
}

/* ---- inputs ---- */

static const char *press_result(int n)
{
	static char buf[64];

	if (n < 0)
		snprintf(buf, sizeof(buf), "no session running");
	else if (n == 0)
		snprintf(buf, sizeof(buf), "press counted once (debounce)");
	else
		snprintf(buf, sizeof(buf), "press %d: walking pace", n);
	return buf;
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
	if (!run->runner || !run->connected)
		return true;
	switch (c) {
	case ' ':
		say(run, "symptom: %s", press_result(runner_symptom(run->runner,
							       SYMPTOM_ANY)));
		break;
	case 'l':
		say(run, "leak: %s", press_result(runner_symptom(run->runner,
							   SYMPTOM_LEAK)));
		break;
	case 'h':
		say(run, "heaviness: %s",
		    press_result(runner_symptom(run->runner, SYMPTOM_PRESSURE)));
		break;
	case 'x':
		say(run, "pain: %s", press_result(runner_symptom(run->runner,
							   SYMPTOM_PAIN)));
		break;
	case 'e':
		say(run, "ending: cool-down, then stop");
		(void) runner_symptom(run->runner, SYMPTOM_LONG_PRESS);
		break;
	case 'p':
		if (runner_pause(run->runner) == 0)
			say(run, "paused");
		break;
	case 'r':
		if (runner_resume(run->runner) == 0)
			say(run, "resumed at walking pace");
		else
			say(run, "cannot resume now");
		break;
	case 'q':
		say(run, "stopping: walking pace, then stop");
		request_stop(run);
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
	const char *error = NULL;
	struct json *j;
	int press = -1;

	if (!run->runner) {
		control_reply_error(client, "treadmill not connected yet");
		return;
	}
	switch (req->cmd) {
	case CTL_CMD_STATUS:
	case CTL_CMD_WATCH:
		break;
	case CTL_CMD_SYMPTOM:
	case CTL_CMD_PAUSE:
	case CTL_CMD_RESUME:
		if (runner_request(run->runner, req, &press, &error) < 0) {
			control_reply_error(client, error);
			return;
		}
		break;
	case CTL_CMD_STOP:
		request_stop(run);
		break;
	case CTL_CMD_START:
		control_reply_error(client, "a session is already running");
		return;
	case CTL_CMD_SCAN:
	case CTL_CMD_PROFILES:
		control_reply_error(client, "only the paced service answers this");
		return;
	}
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	if (press >= 0) {
		json_key(j, "press");
		json_int(j, press);
	}
	runner_status_json(run->runner, j);
	json_object_end(j);
	control_reply(client, json_buffer(j, NULL));
	json_free(j);
	if (req->cmd == CTL_CMD_WATCH)
		control_watch(client);
}

static void on_signal(int signo, void *user_data)
{
	struct run *run = user_data;

	if (run->stopping) {
		/* Second signal: the person insists. */
		loop_quit(run->loop, RUN_EXIT_ENDED_EARLY);
		return;
	}
	if (run->runner)
		say(run, "%s: walking pace, then stop", strsignal(signo));
	request_stop(run);
}

/* ---- bring-up ---- */

static void on_link_done(struct link *l, int err, void *user_data)
{
	struct run *run = user_data;

	if (err == -ETIMEDOUT) {
		log_err("treadmill %s: no answer within %llu s", run->address,
			(unsigned long long) (CONNECT_TIMEOUT_US /
					      USEC_PER_SEC));
		run->exit_status = RUN_EXIT_UNREACHABLE;
		loop_quit(run->loop, RUN_EXIT_UNREACHABLE);
		return;
	}
	if (err < 0) {
		log_errno(err, "treadmill %s: bring-up failed",
			  run->address);
		run->exit_status = RUN_EXIT_UNREACHABLE;
		loop_quit(run->loop, RUN_EXIT_UNREACHABLE);
		return;
	}
	run->connected = true;
	if (run->stopping) {
		loop_quit(run->loop, RUN_EXIT_ENDED_EARLY);
		return;
	}
	/* 'paced run' is itself the person's explicit start. */
	say(run, "connected to %s; starting in a moment (space = symptom, q = stop)",
	    run->address);
	err = runner_start(run->runner);
	if (err < 0) {
		log_errno(err, "cannot start the session");
		loop_quit(run->loop, RUN_EXIT_FAILURE);
	}
}

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

/* ---- programme, pre-session check, history ---- */

#define PRECHECK_US (10 * USEC_PER_SEC)

struct precheck {
	struct loop *loop;
	int answer;		/* 1 yes, 0 no or no answer */
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
 * DOMAIN.md 2.2 and 3.5: "press within 10 s if you had symptoms since
 * your last session". No answer means no. Returns 1 for yes, 0 for no,
 * -EINTR when a signal asked us to stop meanwhile.
 */
static int ask_precheck(struct run *run)
{
	struct precheck pc = { .loop = run->loop };
	int key, timer;

	say(run, "Any leakage, heaviness or pain since your last session? "
	    "Press space (or y) within 10 s if so; n or Enter if not.");
	tty_raw(run);
	key = loop_add_fd(run->loop, STDIN_FILENO, EPOLLIN, on_precheck_key,
			  &pc, NULL);
	timer = loop_add_timeout(run->loop, PRECHECK_US, false,
				 on_precheck_timeout, &pc, NULL);
	loop_run(run->loop);
	if (key > 0)
		loop_remove(run->loop, key);
	loop_remove(run->loop, timer);
	tty_restore(run);
	if (run->stopping)
		return -EINTR;
	say(run, pc.answer ? "Noted: symptoms since last time." :
	    "Noted: no symptoms since last time.");
	return pc.answer;
}

static int pick_stage(struct run *run, const char *path, const char *state_dir,
		      const struct profile_limits *limits, bool precheck,
		      struct programme **ret_prog, size_t *ret_stage)
{
	struct programme_decision d;
	struct session_summary *sum;
	struct history_entry *hist = NULL;
	struct profile_error perr;
	struct programme *prog;
	unsigned bad = 0;
	long n;
	size_t k;
	int r;

	prog = programme_load(path, limits, &perr);
	if (!prog) {
		fprintf(stderr, "%s\n", perr.text);
		return -EINVAL;
	}
	if (precheck) {
		r = ask_precheck(run);
		if (r < 0) {
			programme_free(prog);
			return r;
		}
		if (r > 0) {
			struct history_entry e = { .type = SESSION_PRECHECK,
						   .when_s = time(NULL) };

			snprintf(e.programme, sizeof(e.programme), "%s",
				 prog->path);
			r = history_append(state_dir, &e);
			if (r < 0)
				log_warn_errno(r, "cannot record the answer in %s",
					       state_dir);
		}
	}
	n = history_load(state_dir, &hist, &bad);
	if (n < 0) {
		log_errno((int) n, "cannot read the history in %s", state_dir);
		programme_free(prog);
		return (int) n;
	}
	if (bad)
		log_warn("%s/history.jsonl: %u unreadable lines, ignoring",
			 state_dir, bad);
	sum = paced_new0(struct session_summary, (size_t) n + 1);
	k = history_summaries(hist, (size_t) n, prog, sum, (size_t) n);
	r = programme_next(prog, sum, k, &d);
	free(sum);
	free(hist);
	if (r < 0) {
		log_errno(r, "%s: cannot decide the next stage", path);
		programme_free(prog);
		return r;
	}
	say(run, "%s: stage %s (%s). %s", prog->name, prog->stages[d.stage].id,
	    programme_reason_name(d.reason), d.message);
	*ret_prog = prog;
	*ret_stage = d.stage;
	return 0;
}

/* The session's line in the history, which the programme's rules read. */
static void record_history(struct run *run, const char *state_dir,
			   const struct programme *prog, const char *stage,
			   const char *profile_name)
{
	const struct session *s;
	struct history_entry e = { .type = SESSION_RUN };
	int r;

	if (!run->runner)
		return;
	s = runner_session(run->runner);
	if (session_state(s) == SESSION_IDLE)
		return;
	e.when_s = time(NULL);
	snprintf(e.programme, sizeof(e.programme), "%s", prog ? prog->path : "");
	snprintf(e.stage, sizeof(e.stage), "%s", stage);
	snprintf(e.profile, sizeof(e.profile), "%s", profile_name);
	e.presses = session_presses(s);
	e.completed = session_completed(s);
	snprintf(e.outcome, sizeof(e.outcome), "%s",
		 session_state_name(session_state(s)));
	snprintf(e.log, sizeof(e.log), "%s", session_log_path(run->log));
	r = history_append(state_dir, &e);
	if (r < 0)
		log_warn_errno(r, "cannot record the session in %s/history.jsonl",
			       state_dir);
}

/* ---- the treadmill driver ---- */

static int find_by_name(struct run *run);

/*
 * Load the one driver plugin the address needs. Its settings are its
 * group in paced.conf (--config, else the default file if readable: the
 * ANT+ network key lives only there, never on a command line), with
 * --speedup and --sim-quirk on top for the simulators.
 */
static int load_driver(struct run *run, const char *config_path,
		       uint32_t speedup, const char *const *quirks,
		       size_t n_quirks)
{
	const char *name = plugin_driver_for_address(run->address);
	const char *path = config_path ? config_path : CONFFILE;
	const char *plugin_dir = PLUGINDIR;
	struct paced_config *pc = NULL;
	struct config_error cerr;
	config_setting_t *group = NULL, *list;
	bool own_cfg = false;
	config_t cfg;
	int err;

	if (!name) {
		fprintf(stderr, "paced run: %s: not a treadmill address (sim, unix:PATH, XX:XX:XX:XX:XX:XX[/random], name:NAME or usb-ant[:...]; see paced run --help)\n",
			run->address);
		return -EINVAL;
	}
	if (config_path || access(path, R_OK) == 0) {
		pc = config_load(path, &cerr);
		if (!pc) {
			fprintf(stderr, "%s\n", cerr.text);
			return -EINVAL;
		}
		plugin_dir = pc->plugin_dir;
	}
	/* The plugin's own group keeps its lines for file:line errors; the
	 * options go on top of it (or of an empty group). */
	for (unsigned i = 0; pc && i < pc->n_plugins && !group; i++)
		if (!strcmp(pc->plugins[i].name, name))
			group = (config_setting_t *) pc->plugins[i].group;
	if (!group) {
		config_init(&cfg);
		own_cfg = true;
		group = config_setting_add(config_root_setting(&cfg), name,
					   CONFIG_TYPE_GROUP);
	}
	if (strcmp(name, "ftms-ble")) {
		config_setting_remove(group, "speedup");
		config_setting_set_int(config_setting_add(group, "speedup",
							  CONFIG_TYPE_INT),
				       (int) speedup);
		list = config_setting_get_member(group, "quirks");
		if (!list && n_quirks)
			list = config_setting_add(group, "quirks",
						  CONFIG_TYPE_LIST);
		for (size_t i = 0; i < n_quirks; i++)
			config_setting_set_string_elem(list, -1, quirks[i]);
	}
	run->plugins = plugin_host_new(run->loop, NULL, NULL);
	plugin_host_set_quiet(run->plugins, true);
	err = plugin_host_load(run->plugins, plugin_dir, name, group,
			       pc ? pc->file : "the command line");
	if (own_cfg)
		config_destroy(&cfg);
	config_free(pc);
	if (err < 0)
		return err;
	if (treadmill_address_name(run->address)) {
		err = find_by_name(run);
		if (err < 0)
			return err;
	}
	run->driver = plugin_host_find_driver(run->plugins, run->address);
	if (!run->driver) {
		log_err("plugin %s does not drive '%s'", name, run->address);
		return -ENODEV;
	}
	/* ANT+ follows re-plugs and search timeouts inside the driver. */
	run->self_healing = !strcmp(plugin_driver_name(run->driver),
				    "usb-ant");
	return 0;
}

static void on_find_result(const struct paced_scan_result *res,
			   void *cb_data)
{
	struct run *run = cb_data;

	if (run->found[0] || !res->treadmill ||
	    strcmp(res->name, treadmill_address_name(run->address)))
		return;
	snprintf(run->found, sizeof(run->found), "%s", res->address);
	plugin_scanner_cancel(run->scanner);
	loop_quit(run->loop, 0);
}

static void on_find_done(int err, void *cb_data)
{
	struct run *run = cb_data;

	if (err < 0)
		fprintf(stderr, "paced run: %s\n",
			plugin_scanner_strerror(run->scanner, err));
	loop_quit(run->loop, 0);
}

/*
 * name:NAME: scan until an FTMS treadmill advertising exactly NAME shows
 * up, then run on its address. Some treadmills take a new random address
 * at each power-on; their name stays.
 */
static int find_by_name(struct run *run)
{
	const char *name = treadmill_address_name(run->address);
	int err;

	/* An empty name was refused with the other bad addresses. */
	run->scanner = plugin_host_find_scanner(run->plugins);
	if (!run->scanner) {
		fprintf(stderr, "paced run: %s: no Bluetooth scanner (plugin ftms-ble)\n",
			run->address);
		return -EINVAL;
	}
	say(run, "looking for treadmill '%s' (up to %llu s)", name,
	    (unsigned long long) (TREADMILL_FIND_TIMEOUT_US / USEC_PER_SEC));
	err = plugin_scanner_start(run->scanner, run->adapter,
				   TREADMILL_FIND_TIMEOUT_US, on_find_result,
				   on_find_done, run);
	if (err < 0) {
		fprintf(stderr, "paced run: %s\n",
			plugin_scanner_strerror(run->scanner, err));
		return -EHOSTUNREACH;
	}
	(void) loop_run(run->loop);
	/* Stopped by a signal, or ended without it: nothing to wait for. */
	plugin_scanner_cancel(run->scanner);
	if (run->stopping)
		return -EINTR;
	if (!run->found[0]) {
		fprintf(stderr, "paced run: no treadmill called '%s' seen in %llu s (is it on, and free of other apps?)\n",
			name, (unsigned long long) (TREADMILL_FIND_TIMEOUT_US /
						    USEC_PER_SEC));
		return -EHOSTUNREACH;
	}
	say(run, "found '%s' at %s", name, run->found);
	run->address = run->found;
	return 0;
}

static int open_treadmill(void *user_data, struct treadmill **ret_tm)
{
	struct run *run = user_data;

	return plugin_driver_open(run->driver, run->address, run->adapter,
				  ret_tm);
}

/* Advisory cues: shown to the person, and kept for the "cue" event that
 * follows at once, which the sinks get (the simulated stick's person
 * hears them there). */
static void on_cue(struct runner *r, enum advisory_cue_kind kind,
		   uint16_t speed, const char *text, void *user_data)
{
	struct run *run = user_data;

	say(run, "%s", text);
	snprintf(run->cue_text, sizeof(run->cue_text), "%s", text);
	run->cue.kind = advisory_cue_kind_name(kind);
	run->cue.text = run->cue_text;
	run->cue.speed = speed;
}

int run_main(int argc, char **argv)
{
	enum { OPT_STATE_DIR = 256, OPT_SPEED_CAP, OPT_SIM_QUIRK, OPT_PROGRAMME,
	       OPT_PRECHECK, OPT_CONFIG, OPT_ADAPTER };
	static const struct option opts[] = {
		{ "treadmill", required_argument, NULL, 't' },
		{ "profile", required_argument, NULL, 'p' },
		{ "programme", required_argument, NULL, OPT_PROGRAMME },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "precheck", no_argument, NULL, OPT_PRECHECK },
		{ "speedup", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "adapter", required_argument, NULL, OPT_ADAPTER },
		{ "speed-cap", required_argument, NULL, OPT_SPEED_CAP },
		{ "sim-quirk", required_argument, NULL, OPT_SIM_QUIRK },
		{ "debug", optional_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *address = NULL, *profile_path = NULL, *control_path = NULL;
	const char *log_path = NULL, *state_dir = NULL, *debug = NULL;
	const char *config_path = NULL;
	const char *quirks[16];
	size_t n_quirks = 0;
	char state_buf[PATH_MAX];
	struct profile_limits limits;
	struct profile_error perr;
	struct profile *profile = NULL;
	const struct profile *chosen = NULL;
	struct programme *programme = NULL;
	const char *programme_path = NULL;
	size_t stage = 0;
	bool precheck = false;
	struct plan plan = { 0 };
	struct session *session = NULL;
	struct session_config scfg = { .speedup = 1, .countdown_ms = 3000 };
	struct sim_config sim_cfg;
	struct runner_info info = { 0 };
	struct run run = { .exit_status = RUN_EXIT_FAILURE };
	unsigned long v;
	int c, err;

	profile_limits_default(&limits);
	sim_config_init(&sim_cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:p:s:c:l:d::h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			address = optarg;
			break;
		case 'p':
			profile_path = optarg;
			break;
		case 's':
			if (parse_uint(optarg, 1, 1000, &v) < 0) {
				fprintf(stderr, "paced run: --speedup must be a whole number from 1 to 1000\n");
				return RUN_EXIT_USAGE;
			}
			scfg.speedup = (uint32_t) v;
			break;
		case 'c':
			control_path = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case OPT_STATE_DIR:
			state_dir = optarg;
			break;
		case OPT_ADAPTER:
			run.adapter = optarg;
			break;
		case OPT_PROGRAMME:
			programme_path = optarg;
			break;
		case OPT_PRECHECK:
			precheck = true;
			break;
		case OPT_SPEED_CAP: {
			char *end;
			double kmh = strtod(optarg, &end);

			if (*end || end == optarg || kmh < 1.0 || kmh > 25.0) {
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
			/* Checked once the address says which simulator. */
			if (n_quirks == ARRAY_SIZE(quirks)) {
				fprintf(stderr, "paced run: at most %zu --sim-quirk\n",
					ARRAY_SIZE(quirks));
				return RUN_EXIT_USAGE;
			}
			quirks[n_quirks++] = optarg;
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
	if (!address || !profile_path == !programme_path) {
		fprintf(stderr, "paced run: --treadmill and one of --profile or --programme are required (try paced run --help)\n");
		return RUN_EXIT_USAGE;
	}
	/* The FTMS simulator's quirks are known here; usb-ant:sim's are its
	 * plugin's to check. */
	for (size_t i = 0; i < n_quirks; i++) {
		const char *drv = plugin_driver_for_address(address);

		if (drv && !strcmp(drv, "sim") &&
		    sim_config_add_quirk(&sim_cfg, quirks[i]) < 0) {
			fprintf(stderr, "paced run: unknown simulator quirk '%s' (see paced-sim --help)\n",
				quirks[i]);
			return RUN_EXIT_USAGE;
		}
	}
	log_init("paced", log_target_auto(), debug);
	run.tty_in = isatty(STDIN_FILENO);
	run.tty_out = isatty(STDOUT_FILENO);

	if (!state_dir)
		state_dir = history_default_state_dir(state_buf, sizeof(state_buf));
	/* A session cut short by a crash or SIGKILL is closed in its log
	 * before anything else; nothing here touches a treadmill. */
	err = history_recover(state_dir);
	if (err > 0)
		say(&run, "closed %d interrupted session log%s in %s", err,
		    err == 1 ? "" : "s", state_dir);

	run.loop = loop_new(NULL);
	if (!run.loop) {
		log_err("cannot create the event loop");
		return RUN_EXIT_FAILURE;
	}
	loop_add_signal(run.loop, SIGINT, on_signal, &run, NULL);
	loop_add_signal(run.loop, SIGTERM, on_signal, &run, NULL);
	/* A vanished control client must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	if (programme_path) {
		err = pick_stage(&run, programme_path, state_dir, &limits,
				 precheck, &programme, &stage);
		if (err < 0) {
			run.exit_status = err == -EINTR ? RUN_EXIT_ENDED_EARLY :
				  RUN_EXIT_USAGE;
			goto out;
		}
		chosen = programme->stages[stage].profile;
		profile_path = programme->stages[stage].profile_path;
	} else {
		profile = profile_load(profile_path, &limits, &perr);
		if (!profile) {
			fprintf(stderr, "%s\n", perr.text);
			run.exit_status = RUN_EXIT_USAGE;
			goto out;
		}
		chosen = profile;
	}
	err = plan_expand(chosen, &plan);
	if (err < 0) {
		fprintf(stderr, "%s: cannot expand the profile: %s\n",
			profile_path, strerror(-err));
		run.exit_status = RUN_EXIT_USAGE;
		goto out;
	}
	scfg.speed_cap = limits.speed_cap;
	session = session_new(&plan, &chosen->policy, &scfg);
	plan_clear(&plan);
	if (!session) {
		fprintf(stderr, "%s: the profile has nothing to run\n", profile_path);
		run.exit_status = RUN_EXIT_USAGE;
		goto out;
	}
	run.address = address;
	err = load_driver(&run, config_path, scfg.speedup, quirks, n_quirks);
	if (err < 0) {
		/* A bad setting or quirk is the caller's; a missing or
		 * broken plugin is the installation's. */
		run.exit_status = err == -EINVAL ?
				  RUN_EXIT_USAGE : err == -EHOSTUNREACH ?
				  RUN_EXIT_UNREACHABLE : err == -EINTR ?
				  RUN_EXIT_ENDED_EARLY : RUN_EXIT_FAILURE;
		goto out;
	}
	run.link = link_new(run.loop, run.address, open_treadmill, &run);
	link_set_back_func(run.link, on_link_back, &run);
	err = link_connect(run.link, CONNECT_TIMEOUT_US, on_link_done, &run);
	if (err < 0) {
		/* The driver said why. */
		run.exit_status = err == -EINVAL || err == -ENAMETOOLONG ||
				  err == -ENOKEY ? RUN_EXIT_USAGE :
				  RUN_EXIT_UNREACHABLE;
		goto out;
	}

	/* Only a session that can start gets a log. */
	run.log = session_log_open(state_dir, log_path, &err);
	if (!run.log) {
		log_errno(err, "cannot create the session log in %s",
			  log_path ? log_path : state_dir);
		goto out;
	}

	info.profile_name = chosen->name;
	info.profile_path = profile_path;
	info.programme = programme ? programme->path : NULL;
	info.stage = programme ? programme->stages[stage].id : NULL;
	info.treadmill = run.address;
	info.speedup = scfg.speedup;
	run.runner = runner_new(run.loop, link_treadmill(run.link), session,
				run.log, &info);
	session = NULL;		/* the runner owns it now */
	link_set_runner(run.link, run.runner);

	if (control_path) {
		run.control = control_new(run.loop, control_path, (gid_t) -1,
					  on_request, &run, &err);
		if (!run.control) {
			log_errno(err, "cannot open the control socket %s",
				  control_path);
			goto out;
		}
	}

	if (run.tty_in) {
		tty_raw(&run);
		loop_add_fd(run.loop, STDIN_FILENO, EPOLLIN, on_key, &run, NULL);
	}
	runner_set_callbacks(run.runner, on_update, on_event, &run);
	runner_set_cue_func(run.runner, on_cue, &run);

	say(&run, "%s: %s (log: %s)", profile_path, chosen->name,
	    session_log_path(run.log));
	run.exit_status = loop_run(run.loop);
	record_history(&run, state_dir, programme, programme ?
		       programme->stages[stage].id : "", chosen->name);
	if (run.tty_out && runner_done(run.runner))
		say(&run, "session %s; log: %s",
		    session_state_name(session_state(runner_session(run.runner))),
		    session_log_path(run.log));

out:
	session_free(session);
	tty_restore(&run);
	control_free(run.control);
	runner_detach(run.runner);
	link_set_runner(run.link, NULL);
	link_free(run.link);
	runner_free(run.runner);
	/* After the link: a driver's treadmill runs its plugin's code. */
	plugin_host_free(run.plugins);
	loop_free(run.loop);
	session_log_close(run.log);
	profile_free(profile);
	programme_free(programme);
	return run.exit_status;
}
