/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Service mode: paced.conf, plugins and the control socket, a shell over the session controller. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "address.h"
#include "call.h"
#include "control.h"
#include "controller.h"
#include "history.h"
#include "progression.h"
#include "json.h"
#include "log.h"
#include "notify.h"
#include "plan.h"
#include "plugin.h"
#include "profile.h"
#include "scaleback.h"
#include "programme.h"
#include "scan-list.h"
#include "service.h"
#include "util.h"

/* 'scan [SECONDS]': how long by default and at most. */
#define SCAN_DEFAULT_S 5
#define SCAN_MAX_S 60
/* 'profiles' lists at most this many: the reply is one line, and a
 * client holds at most 64 KiB (control.c). */
#define PROFILES_MAX 60
/* 'history' sends at most this many of the newest entries. */
#define HISTORY_MAX 100

struct service {
	struct loop *loop;
	/* The configuration the next session uses (SIGHUP replaces it);
	 * cfg_owned when we free it (the first one is main's). */
	const struct paced_config *cfg;
	struct paced_config *cfg_owned;
	/* The configuration the running session started with, kept until
	 * it is over when SIGHUP replaced it meanwhile. */
	const struct paced_config *session_cfg;
	struct paced_config *session_cfg_owned;
	struct plugin_host *plugins;
	struct controller *ctl;
	struct control *control;
	/* A client's scan (scanner plugins: ftms-ble). */
	struct plugin_scanner *scanner;
	struct paced_call *scan_call;
	unsigned scan_seconds;
	struct scan_list *seen;
	bool shutting_down;
	char status[160];
	struct controller_error start_err;	/* the last start's */
	int state_lock;			/* STATE/lock, held for life */
	struct profiles_job *profiles_jobs;	/* 'profiles' under way */
};

static void set_status(struct service *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_status(struct service *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->status, sizeof(s->status), fmt, ap);
	va_end(ap);
	notify_sendf("STATUS=%s", s->status);
}

const char *service_status(const struct service *s)
{
	return s->status;
}

/* ---- what the controller says ---- */

static void on_event(const struct event *ev, void *user_data)
{
	/* The journal gets the cues: the person may be told by a speaker
	 * the journal cannot see. */
	if (ev->kind == EVENT_CUE)
		log_notice("%s", ev->cue.text);
}

static void on_phase(enum controller_phase phase, void *user_data)
{
	struct service *s = user_data;
	const struct controller_info *info = controller_info(s->ctl);

	switch (phase) {
	case CONTROLLER_IDLE:
		/* A configuration replaced during the session goes with it. */
		paced_config_free(s->session_cfg_owned);
		s->session_cfg_owned = NULL;
		s->session_cfg = NULL;
		set_status(s, "idle");
		if (s->shutting_down)
			loop_quit(s->loop, 0);
		break;
	case CONTROLLER_FINDING:
		set_status(s, "looking for treadmill '%s' for %s",
			   treadmill_address_name(info->treadmill),
			   info->profile_name);
		break;
	case CONTROLLER_CONNECTING:
		set_status(s, "connecting to %s for %s", info->address,
			   info->profile_name);
		break;
	case CONTROLLER_RUNNING:
		set_status(s, "session running: %s", info->profile_name);
		break;
	case CONTROLLER_STOPPING:
		set_status(s, "stopping the session");
		break;
	}
}

/* ---- scanning ---- */

static void scan_end(struct service *s)
{
	free(s->seen);
	s->seen = NULL;
	s->scanner = NULL;
}

static void scan_cancel(struct service *s, const char *why)
{
	if (!s->scanner)
		return;
	plugin_scanner_cancel(s->scanner);
	scan_end(s);
	call_reply_error(s->scan_call, why);
	s->scan_call = NULL;
}

static void on_scan_result(const struct paced_scan_result *res, void *cb_data)
{
	struct service *s = cb_data;

	/* A scanner reporting the rest of a batch after a cancel. */
	if (s->seen)
		(void) scan_list_add(s->seen, res);
}

static void on_scan_done(int err, void *cb_data)
{
	struct service *s = cb_data;
	struct json *j;

	if (!s->scanner)
		return;
	if (err < 0) {
		call_reply_error(s->scan_call,
				 plugin_scanner_strerror(s->scanner, err));
		s->scan_call = NULL;
		scan_end(s);
		return;
	}
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	json_key(j, "seconds");
	json_uint(j, s->scan_seconds);
	json_key(j, "machines");
	json_array_begin(j);
	for (size_t i = 0; i < s->seen->n; i++)
		scan_seen_json(j, &s->seen->seen[i]);
	json_array_end(j);
	json_object_end(j);
	paced_call_reply(s->scan_call, json_buffer(j, NULL));
	s->scan_call = NULL;
	json_free(j);
	scan_end(s);
}

/*
 * A loaded scanner, or the scanner plugin loaded now when it is the one
 * the configured treadmill needs anyway (a Bluetooth address, or a name):
 * an idle service with another treadmill maps no Bluetooth library.
 */
static struct plugin_scanner *find_scanner(struct service *s)
{
	struct plugin_scanner *sc = plugin_host_find_scanner(s->plugins);
	char name[64], driver[64];

	if (sc || plugin_scanner_plugin(s->plugins, s->cfg->plugin_dir, name,
					sizeof(name)) < 0)
		return sc;
	if (!treadmill_address_name(s->cfg->treadmill) &&
	    (plugin_driver_for_address(s->plugins, s->cfg->plugin_dir,
				       s->cfg->treadmill, driver,
				       sizeof(driver)) < 0 ||
	     strcmp(driver, name)))
		return NULL;
	if (plugin_host_load(s->plugins, s->cfg->plugin_dir, name, NULL) == 0)
		sc = plugin_host_find_scanner(s->plugins);
	return sc;
}

/* 'scan [SECONDS]': answered when the scan ends. */
static void request_scan(struct service *s, struct paced_call *call,
			 const char *arg)
{
	unsigned long seconds = SCAN_DEFAULT_S;
	char *end;
	int err;

	if (arg[0]) {
		errno = 0;
		seconds = strtoul(arg, &end, 10);
		if (errno || *end || arg[0] < '0' || arg[0] > '9' ||
		    seconds < 1 || seconds > SCAN_MAX_S) {
			call_reply_error(call, "scan takes a number of seconds from 1 to 60");
			return;
		}
	}
	if (controller_active(s->ctl)) {
		call_reply_error(call, "a session is running: scanning would compete with the treadmill's link");
		return;
	}
	if (s->scanner) {
		call_reply_error(call, "a scan is already running");
		return;
	}
	s->scanner = find_scanner(s);
	if (!s->scanner) {
		call_reply_error(call, "no Bluetooth driver loaded (plugin ftms-ble)");
		return;
	}
	s->seen = paced_new0(struct scan_list, 1);
	s->scan_seconds = (unsigned) seconds;
	err = plugin_scanner_start(s->scanner, s->cfg->adapter,
				   (uint64_t) seconds * USEC_PER_SEC,
				   on_scan_result, on_scan_done, s);
	if (err < 0) {
		call_reply_error(call, plugin_scanner_strerror(s->scanner, err));
		scan_end(s);
		return;
	}
	s->scan_call = call;
	log_info("scanning for %lu s for a control client", seconds);
}

/* ---- starting a session ---- */

/* NAME in profile_dir (".cfg" optional), or an absolute path. */
static int profile_path(const struct service *s, const char *name, char *buf,
			size_t len)
{
	int n;

	if (name[0] == '/') {
		n = snprintf(buf, len, "%s", name);
	} else {
		if (strstr(name, "..") || strchr(name, '/'))
			return -EINVAL;
		n = snprintf(buf, len, "%s/%s", s->cfg->profile_dir, name);
		if (n > 0 && (size_t) n < len && access(buf, R_OK) < 0)
			n = snprintf(buf, len, "%s/%s.cfg", s->cfg->profile_dir,
				     name);
	}
	return n > 0 && (size_t) n < len ? 0 : -ENAMETOOLONG;
}

/* Plugins listed in paced.conf were loaded at start-up with their groups;
 * one the session loads on demand gets its group too. */
static const void *plugin_group(const char *name, const void *data)
{
	const struct paced_config *cfg = data;

	for (unsigned i = 0; i < cfg->n_plugins; i++)
		if (!strcmp(cfg->plugins[i].name, name))
			return cfg->plugins[i].group;
	return NULL;
}

/* What every session of this service runs with, from paced.conf. */
static void session_request(const struct service *s,
			    struct controller_request *req)
{
	*req = (struct controller_request) {
		.treadmill = s->cfg->treadmill,
		.adapter = s->cfg->adapter,
		.limits = &s->cfg->limits,
		.speedup = s->cfg->speedup,
		.state_dir = s->cfg->state_dir,
		.plugin_dir = s->cfg->plugin_dir,
		.plugin_group = plugin_group,
		.plugin_group_data = s->cfg,
		.plugin_file = s->cfg->file,
		.cues = &s->cfg->cues,
		.units = s->cfg->units,
		.export_formats = s->cfg->export_formats,
	};
}

/*
 * A profile a client names by path: inside the profile directory, or
 * the client is root. paced reads it with its own rights, so anyone else
 * could make it read (and report on) any file it can (docs/safety.md
 * "The control socket and the state directory"). A profile directory
 * entry that links out of it counts as outside (realpath(3)).
 */
static bool profile_allowed(const struct service *s, const char *path,
			    long uid)
{
	char dir[PATH_MAX], file[PATH_MAX];
	size_t n;

	if (uid == 0)
		return true;
	if (!realpath(s->cfg->profile_dir, dir) || !realpath(path, file))
		return false;
	n = strlen(dir);
	return !strncmp(file, dir, n) && file[n] == '/' &&
	       !strchr(file + n + 1, '/');
}

/*
 * Start a session: arg "" is the configured default (the programme if
 * there is one, else the profile), "--programme" the programme, anything
 * else a profile. Returns 0 or a negative errno with *ret_error. With a
 * treadmill named in paced.conf ("name:..."), 0 means it is being looked
 * for; the session starts when it is seen.
 */
static int start_session(struct service *s, const char *arg, long uid,
			 const char **ret_error)
{
	struct controller_error *cerr = &s->start_err;
	struct controller_request req;
	char path[PATH_MAX];
	int err;

	session_request(s, &req);
	if (s->shutting_down) {
		*ret_error = "paced is shutting down";
		return -ESHUTDOWN;
	}
	if (controller_active(s->ctl)) {
		*ret_error = "a session is already running";
		return -EBUSY;
	}
	if (!strcmp(arg, "--programme") || (!arg[0] && s->cfg->programme[0])) {
		if (!s->cfg->programme[0]) {
			*ret_error = "no programme in paced.conf";
			return -ENOENT;
		}
		req.programme_path = s->cfg->programme;
	} else {
		const char *name = arg[0] ? arg : s->cfg->profile;

		if (!name[0]) {
			*ret_error = "no profile given and none in paced.conf";
			return -ENOENT;
		}
		if (profile_path(s, name, path, sizeof(path)) < 0) {
			*ret_error = "bad profile name (a file in the profile directory, or an absolute path)";
			return -EINVAL;
		}
		/* What the client named; paced.conf's own profile is the
		 * administrator's. */
		if (arg[0] && !profile_allowed(s, path, uid)) {
			log_warn("start %s refused: outside the profile directory %s, and the client (uid %ld) is not root",
				 path, s->cfg->profile_dir, uid);
			snprintf(s->start_err.text, sizeof(s->start_err.text),
				 "%.200s is not in the profile directory %.200s: only root may start a profile from elsewhere (copy it there)",
				 path, s->cfg->profile_dir);
			*ret_error = s->start_err.text;
			return -EPERM;
		}
		req.profile_path = path;
	}
	/* A client's scan would compete with the treadmill's link (or with
	 * the scan that finds it): the session wins. */
	scan_cancel(s, "scan cancelled: a session is starting");
	err = controller_start(s->ctl, &req, cerr);
	if (err < 0) {
		log_err("cannot start the session: %s", cerr->text);
		switch (cerr->kind) {
		case CONTROLLER_ERR_USAGE:
			*ret_error = req.profile_path ?
				     "the profile does not load (see pacectl profile check)" :
				     "the programme does not load (see the log)";
			if (strstr(cerr->text, "not a treadmill address") ||
			    strstr(cerr->text, "plugin"))
				*ret_error = "no loaded driver plugin handles the treadmill address";
			break;
		case CONTROLLER_ERR_UNREACHABLE:
			*ret_error = "cannot open the treadmill link";
			break;
		case CONTROLLER_ERR_BUSY:
		case CONTROLLER_ERR_FAILURE:
			*ret_error = cerr->text;
			break;
		}
		return err;
	}
	/* The session keeps this configuration, whatever SIGHUP brings. */
	s->session_cfg = s->cfg;
	return 0;
}

/* ---- the control socket ---- */

/* What the service adds to status: itself, and what the next session
 * will use (SIGHUP changes it). */
static void status_extra(struct json *j, void *data)
{
	struct service *s = data;

	json_key(j, "service");
	json_string(j, s->status);
	json_key(j, "next");
	json_object_begin(j);
	json_key(j, "treadmill");
	json_string(j, s->cfg->treadmill);
	json_key(j, "adapter");
	json_string(j, s->cfg->adapter);
	json_key(j, "walk_kmh");
	json_fixed(j, s->cfg->limits.walk_speed, 2);
	json_key(j, "jog_kmh");
	json_fixed(j, s->cfg->limits.jog_speed, 2);
	json_key(j, "speed_cap_kmh");
	json_fixed(j, s->cfg->limits.speed_cap, 2);
	json_key(j, "profile");
	json_string(j, s->cfg->profile);
	json_key(j, "programme");
	json_string(j, s->cfg->programme);
	json_key(j, "units");
	json_string(j, units_name(s->cfg->units));
	json_object_end(j);
}

static void reply_status(struct service *s, struct paced_call *call,
			 const char *id)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	controller_status_json(s->ctl, j);
	status_extra(j, s);
	json_object_end(j);
	controller_remember(s->ctl, id, json_buffer(j, NULL));
	paced_call_reply(call, json_buffer(j, NULL));
	json_free(j);
}

/*
 * 'profiles': what 'start NAME' can run, each loaded as it would be. A
 * listing never holds the loop: a symptom press must not wait behind it
 * (docs/design.md "Safety rules": walk pace at once). It runs as a job
 * in idle steps, the loop serving every client and timer between two
 * steps: first the
 * directory, PROFILES_SCAN entries a step, keeping the PROFILES_MAX
 * first names in order (a directory of any size costs no more memory);
 * then one profile loaded a step. The answer goes out when it is done.
 */
#define PROFILES_SCAN 256

struct profiles_job {
	struct service *s;
	struct paced_call *call;
	DIR *dir;			/* while reading the directory */
	char names[PROFILES_MAX][NAME_MAX + 1];	/* sorted */
	unsigned n_names;
	unsigned long total;		/* .cfg files seen */
	unsigned next;			/* the next name to load */
	struct json *j;
	int idle;
	struct profiles_job *next_job;
};

static bool is_cfg(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && !strcmp(name + n - 4, ".cfg");
}

/* Keep name if it is among the PROFILES_MAX first (alphasort's order in
 * the C locale paced runs in). */
static void profiles_keep(struct profiles_job *job, const char *name)
{
	unsigned i = job->n_names;

	job->total++;
	if (i == PROFILES_MAX &&
	    strcmp(name, job->names[PROFILES_MAX - 1]) >= 0)
		return;
	if (i == PROFILES_MAX)
		i--;
	for (; i > 0 && strcmp(name, job->names[i - 1]) < 0; i--)
		memcpy(job->names[i], job->names[i - 1], sizeof(job->names[0]));
	snprintf(job->names[i], sizeof(job->names[0]), "%s", name);
	if (job->n_names < PROFILES_MAX)
		job->n_names++;
}

static void profiles_entry(struct profiles_job *job, const char *file)
{
	const struct paced_config *cfg = job->s->cfg;
	struct json *j = job->j;
	char path[PATH_MAX];
	struct profile_error perr;
	struct profile *p = NULL;

	if (snprintf(path, sizeof(path), "%s/%s", cfg->profile_dir, file) <
	    (int) sizeof(path))
		p = profile_load(path, &cfg->limits, &perr);
	else
		snprintf(perr.text, sizeof(perr.text), "%s: path too long",
			 file);
	json_object_begin(j);
	json_key(j, "file");
	json_string(j, file);
	json_key(j, "valid");
	json_bool(j, p != NULL);
	if (p) {
		json_key(j, "name");
		json_string(j, p->name);
		json_key(j, "total_s");
		json_uint(j, p->total_ms / 1000);
		json_key(j, "own_policy");
		json_bool(j, p->own_policy);
	} else {
		json_key(j, "error");
		json_string(j, perr.text);
	}
	json_object_end(j);
	profile_free(p);
}

static void profiles_job_free(struct profiles_job *job)
{
	struct profiles_job **pp = &job->s->profiles_jobs;

	while (*pp && *pp != job)
		pp = &(*pp)->next_job;
	if (*pp)
		*pp = job->next_job;
	if (job->idle > 0)
		loop_remove(job->s->loop, job->idle);
	if (job->dir)
		closedir(job->dir);
	json_free(job->j);
	free(job);
}

static bool on_profiles_step(void *user_data)
{
	struct profiles_job *job = user_data;
	const struct paced_config *cfg = job->s->cfg;
	struct json *j;

	if (job->dir) {
		struct dirent *d;

		for (unsigned k = 0; k < PROFILES_SCAN; k++) {
			errno = 0;
			d = readdir(job->dir);
			if (!d)
				break;
			if (is_cfg(d->d_name))
				profiles_keep(job, d->d_name);
		}
		if (d)
			return true;	/* more next round */
		closedir(job->dir);
		job->dir = NULL;
		j = job->j = json_new_buffer();
		json_object_begin(j);
		json_key(j, "ok");
		json_bool(j, true);
		json_key(j, "dir");
		json_string(j, cfg->profile_dir);
		json_key(j, "default");
		json_string(j, cfg->profile);
		json_key(j, "profiles");
		json_array_begin(j);
		return true;
	}
	if (job->next < job->n_names) {
		profiles_entry(job, job->names[job->next++]);
		return true;
	}
	j = job->j;
	json_array_end(j);
	json_key(j, "truncated");
	json_bool(j, job->total > PROFILES_MAX);
	json_object_end(j);
	paced_call_reply(job->call, json_buffer(j, NULL));
	job->idle = 0;		/* returning false removes it */
	profiles_job_free(job);
	return false;
}

static void request_profiles(struct service *s, struct paced_call *call)
{
	struct profiles_job *job;
	DIR *dir = opendir(s->cfg->profile_dir);

	if (!dir) {
		log_warn_errno(-errno, "profile directory %s", s->cfg->profile_dir);
		call_reply_error(call, "cannot read the profile directory");
		return;
	}
	job = paced_new0(struct profiles_job, 1);
	job->s = s;
	job->call = call;
	job->dir = dir;
	job->idle = loop_add_idle(s->loop, on_profiles_step, job, NULL);
	job->next_job = s->profiles_jobs;
	s->profiles_jobs = job;
}

/* Listings still running when paced stops are answered, not dropped. */
static void profiles_cancel_all(struct service *s)
{
	while (s->profiles_jobs) {
		struct profiles_job *job = s->profiles_jobs;

		call_reply_error(job->call, "paced is shutting down");
		profiles_job_free(job);
	}
}

/*
 * 'history [N]': the service's own history (STATE/history.jsonl), which
 * a user who is not root cannot read directly: the N newest entries.
 */
static void request_history(struct service *s, struct paced_call *call,
			    const char *arg)
{
	struct history_entry *hist = NULL;
	unsigned long want = HISTORY_MAX;
	unsigned bad = 0;
	struct json *j;
	char *end;
	long n;

	if (arg[0]) {
		errno = 0;
		want = strtoul(arg, &end, 10);
		if (errno || *end || arg[0] < '0' || arg[0] > '9' || !want ||
		    want > HISTORY_MAX) {
			call_reply_error(call, "history takes a number of entries from 1 to 100");
			return;
		}
	}
	n = history_load(s->cfg->state_dir, &hist, &bad);
	if (n < 0) {
		call_reply_error(call, "cannot read the session history");
		return;
	}
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	json_key(j, "state_dir");
	json_string(j, s->cfg->state_dir);
	json_key(j, "unreadable");
	json_uint(j, bad);
	json_key(j, "total");
	json_uint(j, (uint64_t) n);
	json_key(j, "entries");
	json_array_begin(j);
	for (long i = n > (long) want ? n - (long) want : 0; i < n; i++)
		history_format(j, &hist[i]);
	json_array_end(j);
	json_object_end(j);
	paced_call_reply(call, json_buffer(j, NULL));
	json_free(j);
	free(hist);
}

/*
 * The programme's decision for now, as 'next' and 'checkin' reply it:
 * the keys pacectl next --json prints (progression_decision_json()),
 * with the limits and history this service uses. checkin (NULL: none)
 * is a check-in just recorded, named in the reply.
 */
static void reply_decision(struct service *s, struct paced_call *call,
			   const struct checkin *checkin)
{
	struct programme_input in = { 0 };
	struct programme_decision d;
	struct profile_error perr;
	struct programme *prog;
	char answers[CHECKIN_ARG_MAX + 1];
	unsigned bad = 0;
	struct json *j;
	int r;

	if (!s->cfg->programme[0]) {
		call_reply_error(call, "no programme in paced.conf");
		return;
	}
	prog = programme_load(s->cfg->programme, &s->cfg->limits, &perr);
	if (!prog) {
		log_err("%s", perr.text);
		call_reply_error(call, "the programme does not load (see the log)");
		return;
	}
	/* The decision the controller and pacectl next make: the service
	 * runs no-belt stages too. */
	in.now_s = time(NULL);
	in.utc_offset_s = progression_utc_offset(in.now_s);
	in.belt_only = false;
	r = progression_decide(s->cfg->state_dir, prog, &in, &d, &bad);
	if (r < 0) {
		programme_free(prog);
		call_reply_error(call, "cannot read the session history");
		return;
	}
	if (bad)
		log_warn("%s/history.jsonl: %u unreadable lines skipped",
			 s->cfg->state_dir, bad);
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	if (checkin) {
		checkin_format_arg(checkin, answers, sizeof(answers));
		json_key(j, "checkin");
		json_string(j, answers);
	}
	progression_decision_json(j, prog, &d);
	json_key(j, "state_dir");
	json_string(j, s->cfg->state_dir);
	json_object_end(j);
	paced_call_reply(call, json_buffer(j, NULL));
	json_free(j);
	programme_free(prog);
}

/*
 * 'checkin ANSWERS' (domain/checkin.h): the pre-session check-in from a
 * client that cannot write the service's history (a front end, a user
 * who is not root), recorded as pacectl checkin records it, then today's
 * decision with it.
 */
static void request_checkin(struct service *s, struct paced_call *call,
			    const char *arg)
{
	char why[160], msg[200];
	struct checkin c;
	int r;

	if (checkin_parse_arg(arg, &c, why, sizeof(why)) < 0) {
		snprintf(msg, sizeof(msg), "checkin: %s", why);
		call_reply_error(call, msg);
		return;
	}
	r = progression_record_checkin(s->cfg->state_dir, &c, time(NULL));
	if (r == -ENOENT) {
		call_reply_error(call, "checkin: no session is waiting for a next-day answer");
		return;
	}
	if (r == -EINVAL) {
		call_reply_error(call, "checkin: nothing answered");
		return;
	}
	if (r < 0) {
		log_err("%s/history.jsonl: check-in not recorded: %s",
			s->cfg->state_dir, strerror(-r));
		call_reply_error(call, "checkin: cannot write the session history");
		return;
	}
	log_info("%s: check-in recorded (%s)", call_source(call), arg);
	reply_decision(s, call, &c);
}

/*
 * 'profile NAME': one profile of the profile directory as start NAME would
 * run it, with the user's paces and cap: its timeline and what a press
 * does (what pacectl profile show prints, for front ends that draw it).
 */
static void request_profile(struct service *s, struct paced_call *call,
			    const char *name)
{
	struct profile_error perr;
	struct plan plan = { 0 };
	char path[PATH_MAX], step[128];
	struct profile *p;
	struct json *j;

	if (!name[0] || strchr(name, '/') || strstr(name, "..") ||
	    profile_path(s, name, path, sizeof(path)) < 0) {
		call_reply_error(call, "profile takes the name of a profile in the profile directory");
		return;
	}
	p = profile_load(path, &s->cfg->limits, &perr);
	if (!p) {
		call_reply_error(call, perr.text);
		return;
	}
	if (plan_expand(p, &plan) < 0) {
		profile_free(p);
		call_reply_error(call, "cannot expand the profile");
		return;
	}
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	json_key(j, "file");
	json_string(j, name);
	json_key(j, "name");
	json_string(j, p->name);
	json_key(j, "description");
	json_string(j, p->description);
	json_key(j, "walk_kmh");
	json_fixed(j, plan.walk_speed, 2);
	json_key(j, "speed_cap_kmh");
	json_fixed(j, s->cfg->limits.speed_cap, 2);
	json_key(j, "total_s");
	json_uint(j, p->total_ms / 1000);
	json_key(j, "jog_s");
	json_uint(j, p->jog_ms / 1000);
	json_key(j, "segments");
	json_array_begin(j);
	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_segment *seg = &plan.seg[i];

		json_object_begin(j);
		json_key(j, "start_s");
		json_fixed(j, seg->start_ms / 100, 1);
		json_key(j, "duration_s");
		json_fixed(j, seg->duration_ms / 100, 1);
		json_key(j, "phase");
		json_string(j, plan_phase_name(seg->phase));
		json_key(j, "pace");
		json_string(j, seg->pace_name);
		json_key(j, "speed_kmh");
		json_fixed(j, seg->speed, 2);
		json_key(j, "incline_pct");
		json_fixed(j, seg->incline, 1);
		json_key(j, "jog");
		json_bool(j, seg->jog_like);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "own_policy");
	json_bool(j, p->own_policy);
	json_key(j, "presses");
	json_array_begin(j);
	for (size_t i = 0; i < p->policy.n_steps; i++) {
		scaleback_step_describe(&p->policy.steps[i], step, sizeof(step));
		json_string(j, step);
	}
	json_array_end(j);
	json_object_end(j);
	paced_call_reply(call, json_buffer(j, NULL));
	json_free(j);
	plan_clear(&plan);
	profile_free(p);
}

/* One request, from the control socket or a plugin: the same answers. */
static void handle(struct service *s, struct paced_call *call,
		   const struct ctl_request *req)
{
	const char *error = NULL;
	const char *again = controller_recall(s->ctl, req->id);

	switch (req->cmd) {
	case CTL_CMD_START:
		if (again) {
			paced_call_reply(call, again);
			return;
		}
		if (!call_may_start(call)) {
			log_warn("%s: start refused: it may not start the belt",
				 call_source(call));
			call_reply_error(call, controller_strerror(-EPERM));
			return;
		}
		if (start_session(s, req->arg, paced_call_uid(call),
				  &error) < 0) {
			struct json *j = json_new_buffer();

			json_object_begin(j);
			json_key(j, "ok");
			json_bool(j, false);
			json_key(j, "error");
			json_string(j, error);
			json_object_end(j);
			controller_remember(s->ctl, req->id, json_buffer(j, NULL));
			paced_call_reply(call, json_buffer(j, NULL));
			json_free(j);
			return;
		}
		reply_status(s, call, req->id);
		return;
	case CTL_CMD_SCAN:
		request_scan(s, call, req->arg);
		return;
	case CTL_CMD_PROFILES:
		request_profiles(s, call);
		return;
	case CTL_CMD_HISTORY:
		request_history(s, call, req->arg);
		return;
	case CTL_CMD_NEXT:
		reply_decision(s, call, NULL);
		return;
	case CTL_CMD_CHECKIN:
		request_checkin(s, call, req->arg);
		return;
	case CTL_CMD_PROFILE:
		request_profile(s, call, req->arg);
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
	controller_request(s->ctl, call, req, status_extra, s);
}

static void on_request(struct control_client *client,
		       const struct ctl_request *req, void *user_data)
{
	handle(user_data, call_new_client(client, control_client_uid(client)),
	       req);
}

/* A line whose command is not the daemon's: maybe a plugin's. */
static bool plugin_line(struct service *s, struct paced_call *call,
			const char *line)
{
	char word[32], rest[CTL_LINE_MAX], id[CTL_ID_MAX];

	if (ctl_split_request(line, strlen(line), word, sizeof(word), rest,
			      sizeof(rest), id, sizeof(id)) < 0)
		return false;
	return plugin_host_command(s->plugins, word, call, rest);
}

static void on_unknown(struct control_client *client, const char *line,
		       void *user_data)
{
	struct service *s = user_data;
	struct paced_call *call = call_new_client(client,
						  control_client_uid(client));

	if (!plugin_line(s, call, line))
		call_reply_error(call, "unknown command");
}

/* ---- plugins: buttons and front ends ---- */

static void on_plugin_request(const struct plugin_origin *from,
			      struct paced_call *call, const char *line,
			      void *user_data)
{
	struct service *s = user_data;
	struct ctl_request req;
	const char *error;

	if (ctl_parse_request(line, strlen(line), &req, &error) < 0) {
		if (!strcmp(error, "unknown command") &&
		    plugin_line(s, call, line))
			return;
		call_reply_error(call, error);
		return;
	}
	if (req.cmd == CTL_CMD_WATCH) {
		call_reply_error(call, "watch is for control clients: a plugin registers a sink");
		return;
	}
	handle(s, call, &req);
}

static int on_action(const struct plugin_origin *from,
		     enum paced_action action, int arg, void *user_data)
{
	static const enum symptom_kind kinds[] = {
		[PACED_SYMPTOM_ANY] = SYMPTOM_ANY,
		[PACED_SYMPTOM_LEAK] = SYMPTOM_LEAK,
		[PACED_SYMPTOM_PRESSURE] = SYMPTOM_PRESSURE,
		[PACED_SYMPTOM_PAIN] = SYMPTOM_PAIN,
	};
	struct service *s = user_data;
	const char *error = NULL;
	int r;

	switch (action) {
	case PACED_ACTION_SYMPTOM:
		if (arg < 0 || (size_t) arg >= ARRAY_SIZE(kinds))
			return -EINVAL;
		r = controller_symptom(s->ctl, kinds[arg]);
		break;
	case PACED_ACTION_END:
		r = controller_end(s->ctl);
		break;
	case PACED_ACTION_PAUSE:
		r = controller_pause(s->ctl);
		break;
	case PACED_ACTION_RESUME:
		r = from->may_start ? controller_resume(s->ctl) : -EPERM;
		break;
	case PACED_ACTION_STOP:
		r = controller_stop(s->ctl);
		break;
	case PACED_ACTION_START:
		if (!from->may_start) {
			log_warn("%s (%s): start refused: it may not start the belt",
				 from->source, from->plugin);
			return -EPERM;
		}
		r = start_session(s, "", -1, &error);
		if (r < 0)
			log_warn("%s (%s): start: %s", from->source,
				 from->plugin, error);
		return r;
	default:
		return -EINVAL;
	}
	if (r == -ESRCH)
		log_info("%s (%s): no session running, ignoring the press",
			 from->source, from->plugin);
	else if (r < 0)
		log_info("%s (%s): %s", from->source, from->plugin,
			 controller_strerror(r));
	return r < 0 && r != -EINPROGRESS ? r : 0;
}

static const char *state_dir(void *user_data)
{
	struct service *s = user_data;

	return s->cfg->state_dir;
}

/* ---- bring-up ---- */

/*
 * At start-up and on reload: is there a driver for the treadmill? A
 * driver plugin is loaded only when a session (or a scan) needs it: an
 * idle service maps no Bluetooth or USB library it is not using
 * (bench/README.md, idle RSS).
 */
static void check_driver(struct service *s, const struct paced_config *cfg)
{
	char name[64];

	if (treadmill_address_name(cfg->treadmill)) {
		if (plugin_host_find_scanner(s->plugins) ||
		    plugin_scanner_plugin(s->plugins, cfg->plugin_dir, name,
					  sizeof(name)) == 0)
			return;
		log_warn("treadmill '%s': no plugin can scan for it; sessions cannot start",
			 cfg->treadmill);
		return;
	}
	if (plugin_driver_for_address(s->plugins, cfg->plugin_dir,
				      cfg->treadmill, name, sizeof(name)) == 0) {
		char path[PATH_MAX];

		if (!plugin_host_find_driver(s->plugins, cfg->treadmill) &&
		    plugin_find(cfg->plugin_dir, name, path, sizeof(path)) == 0)
			log_info("treadmill '%s': plugin %s (%s) is loaded when a session needs it",
				 cfg->treadmill, name, path);
		return;
	}
	log_warn("no plugin drives treadmill '%s'; sessions cannot start",
		 cfg->treadmill);
}

/* A press with no session reaches the configured treadmill. */
static void set_default(struct service *s)
{
	struct controller_request req;

	session_request(s, &req);
	controller_set_default(s->ctl, &req);
}

/*
 * A session was running when paced died (a crash, an OOM kill, SIGKILL,
 * a watchdog abort): the belt may still be moving with nobody in
 * control. Take it over on the configured treadmill: walking pace if
 * the belt is faster, and paused until the person resumes or ends it
 * (docs/design.md "Safety rules", crash recovery; paced(8)). The request is the start
 * of the service's own configuration, so the session keeps it.
 */
static void take_over(struct service *s, const char *log_path)
{
	struct controller_request req;

	session_request(s, &req);
	if (controller_recover(s->ctl, &req, log_path, &s->start_err) < 0) {
		log_err("cannot take over the interrupted session %s: %s",
			log_path, s->start_err.text);
		return;
	}
	log_notice("taking over the interrupted session %s on %s: paused until resumed or ended",
		   log_path, s->cfg->treadmill);
	s->session_cfg = s->cfg;
}

static void config_error_set(struct paced_config_error *err, unsigned line,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void config_error_set(struct paced_config_error *err, unsigned line,
			     const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

int service_check_config(const struct paced_config *cfg,
			 struct paced_config_error *ret_err)
{
	struct plugin_host *host = plugin_host_new(NULL, NULL, NULL);
	char name[64], forms[512];
	const char *found;
	int r = 0;

	if (treadmill_address_name(cfg->treadmill)) {
		if (plugin_scanner_plugin(host, cfg->plugin_dir, name,
					  sizeof(name)) < 0) {
			config_error_set(ret_err, cfg->treadmill_line,
					 "%s:%u: treadmill '%s' is found by name, but no plugin in %s can scan (the ftms-ble plugin)",
					 cfg->file, cfg->treadmill_line,
					 cfg->treadmill, cfg->plugin_dir);
			r = -ENOENT;
		}
	} else if (plugin_driver_for_address(host, cfg->plugin_dir,
					     cfg->treadmill, name,
					     sizeof(name)) < 0) {
		plugin_driver_usage(host, cfg->plugin_dir, forms, sizeof(forms));
		found = forms[0] ? forms : "none: no driver plugin found";
		config_error_set(ret_err, cfg->treadmill_line,
				 "%s:%u: address '%s' is not a treadmill address (the installed drivers take: %s; or name:NAME)",
				 cfg->file, cfg->treadmill_line, cfg->treadmill,
				 found);
		r = -EINVAL;
	}
	plugin_host_free(host);
	return r;
}

struct service *service_new(struct loop *loop, const struct paced_config *cfg)
{
	static const struct plugin_host_ops host_ops = {
		.action = on_action,
		.request = on_plugin_request,
		.state_dir = state_dir,
	};
	struct service *s = paced_new0(struct service, 1);
	gid_t gid = (gid_t) -1;
	char why[512], interrupted[4096 + 256];
	int err;

	s->loop = loop;
	s->state_lock = -1;
	s->cfg = cfg;
	snprintf(s->status, sizeof(s->status), "starting");

	/* What paced --check-config checks, the same way. */
	if (control_check_setup(cfg->control_socket, cfg->control_group, &gid,
				why, sizeof(why)) < 0) {
		log_err("%s: %s", cfg->file, why);
		goto fail;
	}
	/* A second paced on the same socket refuses (-EADDRINUSE): only a
	 * socket nobody answers on is replaced. First of all: a second paced
	 * must not touch the first one's session log below. */
	s->control = control_new(loop, cfg->control_socket, gid, on_request, s,
				 &err);
	if (!s->control) {
		if (err == -EADDRINUSE)
			log_err("another paced is already running on %s; refusing to start",
				cfg->control_socket);
		else
			log_err("cannot open the control socket %s: %s",
				cfg->control_socket, control_strerror(err));
		goto fail;
	}
	/* One paced per state directory, before any log in it is taken
	 * for one a crash left open (docs/design.md "Safety rules", crash recovery). */
	s->state_lock = controller_lock_state(cfg->state_dir, "the service",
					      why, sizeof(why));
	if (s->state_lock < 0) {
		log_err("%s; refusing to start", why);
		goto fail;
	}
	/* Interrupted session logs are closed before anything else. */
	err = history_recover_newest(cfg->state_dir, interrupted,
				     sizeof(interrupted));
	if (err > 0)
		log_notice("closed %d interrupted session log%s in %s", err,
			   err == 1 ? "" : "s", cfg->state_dir);

	s->plugins = plugin_host_new(loop, &host_ops, s);
	for (unsigned i = 0; i < cfg->n_plugins; i++) {
		struct plugin_settings set = {
			.group = cfg->plugins[i].group, .file = cfg->file,
		};

		err = plugin_host_load(s->plugins, cfg->plugin_dir,
				       cfg->plugins[i].name, &set);
		if (err < 0)
			log_warn("%s:%u: plugin %s not loaded, ignoring",
				 cfg->file, cfg->plugins[i].line,
				 cfg->plugins[i].name);
	}
	s->ctl = controller_new(loop, s->plugins);
	controller_set_listener(s->ctl, &(struct controller_listener) {
		.event = on_event, .phase = on_phase,
	}, s);
	set_default(s);
	check_driver(s, cfg);

	control_set_unknown(s->control, on_unknown);
	controller_set_control(s->ctl, s->control);
	log_notice("control socket %s%s%s", cfg->control_socket,
		   cfg->control_group[0] ? ", group " : "", cfg->control_group);
	set_status(s, "idle");
	if (err > 0 && interrupted[0])
		take_over(s, interrupted);
	return s;
fail:
	service_free(s);
	return NULL;
}

/* Settings that a running service cannot change: say so, keep the old. */
static void needs_restart(const struct paced_config *old,
			  struct paced_config *cfg)
{
	bool plugins = old->n_plugins != cfg->n_plugins;

	/* The state directory is locked at start-up (one paced per
	 * directory): a new one would be unlocked. Keep the old. */
	if (strcmp(old->state_dir, cfg->state_dir)) {
		log_warn("%s: state_dir is set at start-up; restart paced to apply the change (keeping %s)",
			 cfg->file, old->state_dir);
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s",
			 old->state_dir);
	}
	if (strcmp(old->control_socket, cfg->control_socket) ||
	    strcmp(old->control_group, cfg->control_group))
		log_warn("%s: the control socket and its group are set at start-up; restart paced to apply the change",
			 cfg->file);
	for (unsigned i = 0; !plugins && i < cfg->n_plugins; i++)
		plugins = strcmp(old->plugins[i].name, cfg->plugins[i].name);
	if (plugins || strcmp(old->plugin_dir, cfg->plugin_dir))
		log_warn("%s: plugins are loaded at start-up; restart paced to apply the new plugin list or directory",
			 cfg->file);
}

#define LOG_CHANGE_STR(field, what)					\
	do {								\
		if (strcmp(old->field, cfg->field))			\
			log_notice("SIGHUP: %s: \"%s\" -> \"%s\"", what,	\
				   old->field, cfg->field);		\
	} while (0)
#define LOG_CHANGE_KMH(field, what)					\
	do {								\
		if (old->limits.field != cfg->limits.field)		\
			log_notice("SIGHUP: %s: %.2f -> %.2f km/h", what,	\
				   old->limits.field / 100.0,		\
				   cfg->limits.field / 100.0);		\
	} while (0)

void service_reload(struct service *s, struct paced_config *cfg)
{
	const struct paced_config *old = s->cfg;

	needs_restart(old, cfg);
	LOG_CHANGE_STR(treadmill, "treadmill");
	LOG_CHANGE_STR(adapter, "adapter");
	LOG_CHANGE_KMH(walk_speed, "walk");
	LOG_CHANGE_KMH(jog_speed, "jog");
	LOG_CHANGE_KMH(speed_cap, "speed_cap");
	LOG_CHANGE_KMH(walk_max, "walk_max");
	LOG_CHANGE_STR(profile, "profile");
	LOG_CHANGE_STR(programme, "programme");
	LOG_CHANGE_STR(profile_dir, "profile_dir");
	/* A running session keeps the configuration it started with: its
	 * treadmill, cap and policy never change under it. */
	if (s->session_cfg && s->session_cfg == s->cfg)
		s->session_cfg_owned = s->cfg_owned;
	else
		paced_config_free(s->cfg_owned);
	s->cfg = cfg;
	s->cfg_owned = cfg;
	set_default(s);
	check_driver(s, cfg);
	log_notice("SIGHUP: %s applied%s", cfg->file,
		   controller_active(s->ctl) ? " from the next session on (the running one keeps its settings)" :
		   "");
}

void service_shutdown(struct service *s)
{
	s->shutting_down = true;
	if (controller_signal(s->ctl))
		loop_quit(s->loop, 0);
}

void service_free(struct service *s)
{
	if (!s)
		return;
	s->shutting_down = false;
	/* The controller first: its teardown frees the treadmill, whose code
	 * lives in a plugin. */
	controller_free(s->ctl);
	scan_cancel(s, "paced is shutting down");
	profiles_cancel_all(s);
	control_free(s->control);
	plugin_host_free(s->plugins);
	paced_config_free(s->session_cfg_owned);
	paced_config_free(s->cfg_owned);
	if (s->state_lock >= 0)
		close(s->state_lock);
	free(s);
}
