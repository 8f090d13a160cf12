/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "cue-command" sink: runs a command (a speech synthesizer) for each cue, a tone first if asked. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <paced/plugin.h>

#include "json-read.h"

#define MAX_ARGS 16
/* Runs of one instant waiting their turn (a tone, then a change, last,
 * form, cooldown, halfway and countdown at most); more are dropped. */
#define MAX_QUEUE 8
/* Without a pidfd (kernels before 5.3) the child is polled this often. */
#define POLL_US 100000

/*
 * The cue kinds the daemon produces (domain/cue.c, cue_kind_name(), and
 * an exercise session's, domain/exercise.c, exercise_cue_kind_name();
 * tests/test-cue-command.c checks they agree). A plugin sees only the
 * ABI, so the list is repeated here: refusing a misspelt kind beats a
 * speaker that silently never talks.
 */
static const char *const kind_names[] = {
	"countdown", "change", "halfway", "last", "cooldown", "finish",
	"symptom", "form", "alarm", "complied", "instruction", "count",
};
#define N_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

/* A program and its arguments, as configured. */
struct cmd {
	char *path;			/* the resolved executable, owned */
	/*
	 * argv[0] is the command as configured, then args, then (speech
	 * only) the cue text, filled per run, then NULL; all owned except
	 * the text.
	 */
	char *argv[MAX_ARGS + 3];
	unsigned n_argv;		/* entries before the text */
};

/* One run waiting: the tone (text NULL) or the speech of a cue. */
struct run {
	char *text;			/* owned; NULL: the tone */
};

struct cue_command {
	struct paced_plugin *self;
	struct cmd speech;
	struct cmd tone;		/* path NULL: no tone */
	unsigned kinds;			/* bit per kind_names[] entry */
	unsigned tone_kinds;		/* cues the tone comes before */
	pid_t pid;			/* the child, 0 for none */
	const char *running;		/* its path, for messages */
	int pidfd;			/* -1 for none */
	int watch;			/* on pidfd, or the poll timer */
	bool killed;			/* by us: superseded */
	struct run queue[MAX_QUEUE];	/* runs waiting their turn */
	unsigned n_queue;
};

static struct cue_command state;

static void spawn(struct cue_command *c, struct cmd *cmd, const char *text);

static int fail_cfg(struct cue_command *c, const struct paced_cfg *cfg,
		    const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_cfg(struct cue_command *c, const struct paced_cfg *cfg,
		    const char *key, const char *fmt, ...)
{
	char msg[PATH_MAX + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	paced_log(c->self, LOG_ERR, "%s:%u: %s", paced_cfg_file(cfg),
		  paced_cfg_line(cfg, key), msg);
	return -EINVAL;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();	/* docs/style.md: abort on OOM */
	return d;
}

static bool is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/*
 * Find the command now, at init, so a missing synthesizer is an error
 * when paced starts, not a silence in the middle of a session. A name
 * without a slash is looked up in $PATH as execvp() would.
 */
static char *resolve(const char *cmd)
{
	const char *p = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(cmd, '/'))
		return is_executable(cmd) ? xstrdup(cmd) : NULL;
	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	while (*p) {
		size_t n = strcspn(p, ":");
		int len = snprintf(buf, sizeof(buf), "%.*s/%s", (int) n,
				   n ? p : ".", cmd);

		if (len > 0 && (size_t) len < sizeof(buf) && is_executable(buf))
			return xstrdup(buf);
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

static void end_watch(struct cue_command *c)
{
	if (c->watch > 0)
		paced_remove(c->self, c->watch);
	c->watch = 0;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
}

static void clear_queue(struct cue_command *c)
{
	for (unsigned i = 0; i < c->n_queue; i++)
		free(c->queue[i].text);
	c->n_queue = 0;
}

/* Run what waits next, if anything (nothing is running). */
static void run_next(struct cue_command *c)
{
	struct run next;

	if (!c->n_queue)
		return;
	next = c->queue[0];
	memmove(c->queue, c->queue + 1, --c->n_queue * sizeof(c->queue[0]));
	if (next.text)
		spawn(c, &c->speech, next.text);
	else
		spawn(c, &c->tone, NULL);
	free(next.text);
}

/* Queue a run (text NULL: the tone); false when the queue is full. */
static bool enqueue(struct cue_command *c, const char *text)
{
	if (c->n_queue == MAX_QUEUE)
		return false;
	c->queue[c->n_queue++].text = text ? xstrdup(text) : NULL;
	return true;
}

/*
 * The child is gone (or was never ours to wait for): report, then run
 * the cue that was waiting for it, if any.
 */
static void reaped(struct cue_command *c, int status)
{
	if (!c->killed && WIFEXITED(status) && WEXITSTATUS(status))
		paced_log(c->self, LOG_WARNING, "%s exited with status %d",
			  c->running, WEXITSTATUS(status));
	else if (!c->killed && WIFSIGNALED(status))
		paced_log(c->self, LOG_WARNING, "%s killed by signal %d",
			  c->running, WTERMSIG(status));
	c->pid = 0;
	c->killed = false;
	end_watch(c);
	run_next(c);
}

/* Reap without blocking; true when the child has gone. */
static bool try_reap(struct cue_command *c)
{
	int status = 0;
	pid_t r = waitpid(c->pid, &status, WNOHANG);

	if (r == 0 || (r < 0 && errno == EINTR))
		return false;
	/* ECHILD: someone set SIGCHLD to SIG_IGN and the kernel reaped it. */
	reaped(c, r == c->pid ? status : 0);
	return true;
}

static bool on_pidfd(int fd, uint32_t events, void *user_data)
{
	struct cue_command *c = user_data;

	/*
	 * Keep the watch until the child is reaped; once it is, reaped()
	 * has removed it already, and returning false would make the loop
	 * remove it a second time by fd number, which the next child's
	 * pidfd may have just reused.
	 */
	(void) try_reap(c);
	return true;
}

static bool on_poll(void *user_data)
{
	struct cue_command *c = user_data;

	return !try_reap(c);
}

static void watch_child(struct cue_command *c)
{
	int fd = -1;

#ifdef SYS_pidfd_open
	fd = (int) syscall(SYS_pidfd_open, c->pid, 0);	/* always O_CLOEXEC */
#endif
	if (fd >= 0) {
		c->pidfd = fd;
		c->watch = paced_add_fd(c->self, fd, EPOLLIN, on_pidfd, c, NULL);
		if (c->watch > 0)
			return;
		close(fd);
		c->pidfd = -1;
	}
	/*
	 * No pidfd (old kernel, seccomp): poll, still without blocking
	 * and without a SIGCHLD handler, which belongs to the daemon.
	 */
	c->watch = paced_add_timeout(c->self, POLL_US, true, on_poll, c,
				     NULL);
	if (c->watch < 0)
		paced_log(c->self, LOG_WARNING, "cannot watch %s (pid %d): %s",
			  c->running, (int) c->pid, strerror(-c->watch));
}

/* Run cmd, with text as its last argument (NULL: none). */
static void spawn(struct cue_command *c, struct cmd *cmd, const char *text)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	pid_t pid;
	int r;

	cmd->argv[cmd->n_argv] = (char *) text;
	cmd->argv[cmd->n_argv + (text ? 1 : 0)] = NULL;
	posix_spawn_file_actions_init(&fa);
	/*
	 * Nothing to read; stdout is the synthesizer's chatter. stderr
	 * stays: its complaints belong in paced's log (the journal).
	 */
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					 O_WRONLY, 0);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
	/*
	 * A child holding paced's sockets (the treadmill link, the control
	 * socket) would keep them open after paced lets go.
	 */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	posix_spawnattr_init(&attr);
	/*
	 * paced blocks SIGTERM, SIGINT and SIGHUP for its signalfd, and a
	 * blocked mask and ignored signals survive exec: give the child a
	 * clean slate. Its own process group lets a supersede kill a
	 * wrapper script's children too (espeak-ng | aplay).
	 */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	r = posix_spawn(&pid, cmd->path, &fa, &attr, cmd->argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	cmd->argv[cmd->n_argv] = NULL;
	if (r) {
		paced_log(c->self, LOG_WARNING, "cannot run %s: %s", cmd->path,
			  strerror(r));
		/* What waits does not wait for a run that never came. */
		run_next(c);
		return;
	}
	if (text)
		paced_log(c->self, LOG_DEBUG, "saying \"%s\" (pid %d)", text,
			  (int) pid);
	else
		paced_log(c->self, LOG_DEBUG, "tone (pid %d)", (int) pid);
	c->running = cmd->path;
	c->pid = pid;
	c->killed = false;
	watch_child(c);
}

/*
 * The child and its process group, now. Safe while it is unreaped: its
 * pid (and so its group id) cannot have been reused.
 */
static void kill_child(struct cue_command *c)
{
	if (!c->pid || c->killed)
		return;
	(void) kill(-c->pid, SIGKILL);
	(void) kill(c->pid, SIGKILL);
	c->killed = true;
}

static bool kind_bit(const char *kind, unsigned *ret_bit)
{
	for (unsigned i = 0; i < N_KINDS; i++)
		if (!strcmp(kind_names[i], kind)) {
			*ret_bit = 1u << i;
			return true;
		}
	return false;
}

/*
 * The cue completes the one before it, said at the same instant ("last
 * jog: 1 minute" after "jog now: 7.5 km/h, 1 minute"): the event's
 * "follows" (docs/design.md, cues). Anything unreadable is a new cue.
 */
static bool follows(const struct paced_event *ev)
{
	struct json_value *v;
	bool f = false;

	if (!ev->json)
		return false;
	v = json_parse(ev->json, strlen(ev->json), NULL);
	if (!json_get_bool(v, "follows", &f))
		f = false;
	json_value_free(v);
	return f;
}

static void on_event(const struct paced_event *ev, void *user_data)
{
	struct cue_command *c = user_data;
	unsigned bit;

	if (!ev->name || strcmp(ev->name, "cue") || !ev->cue_kind ||
	    !ev->text || !*ev->text)
		return;
	if (!kind_bit(ev->cue_kind, &bit) || !(c->kinds & bit))
		return;
	if (follows(ev)) {
		/* Part of the announcement under way: its turn comes,
		 * without a tone of its own. */
		if (!enqueue(c, ev->text)) {
			paced_log(c->self, LOG_WARNING, "too many cues at once, dropping \"%s\"",
				  ev->text);
			return;
		}
		if (!c->pid)
			run_next(c);
		return;
	}
	/*
	 * One voice at a time, and the newest cue wins: a "walk now" must
	 * not wait behind a stale "jog in 10 seconds", and two voices at
	 * once help nobody. The speaking child is killed (SIGKILL: a
	 * sentence cut short has nothing to clean up) and this cue runs as
	 * soon as it is reaped, a few milliseconds later; cues still
	 * waiting are dropped for this newer one. A tone playing or
	 * waiting is a part of the older cue like any other.
	 */
	clear_queue(c);
	if (c->tone.path && (c->tone_kinds & bit))
		(void) enqueue(c, NULL);
	(void) enqueue(c, ev->text);
	if (!c->pid) {
		run_next(c);
		return;
	}
	paced_log(c->self, LOG_DEBUG, "superseding pid %d with \"%s\"",
		  (int) c->pid, ev->text);
	kill_child(c);
}

static const struct paced_sink_ops sink_ops = {
	.name = "cue-command",
	.event = on_event,
};

static void cmd_free(struct cmd *cmd)
{
	for (unsigned i = 0; i < cmd->n_argv; i++)
		free(cmd->argv[i]);
	free(cmd->path);
	memset(cmd, 0, sizeof(*cmd));
}

static void cue_command_free(struct cue_command *c)
{
	if (c->pid) {
		kill_child(c);
		/*
		 * SIGKILLed: this wait is a matter of milliseconds, and
		 * leaves no zombie behind a reload.
		 */
		(void) waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
	end_watch(c);
	cmd_free(&c->speech);
	cmd_free(&c->tone);
	clear_queue(c);
	memset(c, 0, sizeof(*c));
	c->pidfd = -1;
}

/*
 * A command key and its args key ("command"/"args", "tone_command"/
 * "tone_args") into cmd. The program is found now, at init, so a missing
 * one is an error when paced starts, not a silence mid-session.
 */
static int parse_cmd(struct cue_command *c, const struct paced_cfg *cfg,
		     const char *key, const char *args_key, struct cmd *cmd)
{
	const char *s;
	int r;

	r = paced_cfg_get_str(cfg, key, &s);
	if (r < 0 || !*s)
		return fail_cfg(c, cfg, key, "%s must be a program name or an absolute path",
				key);
	if (strchr(s, '/') && s[0] != '/')
		return fail_cfg(c, cfg, key, "%s %s: give an absolute path (paced runs from /)",
				key, s);
	cmd->path = resolve(s);
	if (!cmd->path)
		return fail_cfg(c, cfg, key, strchr(s, '/') ?
				"%s %s: no such executable file" :
				"%s %s: not found in $PATH (install it or give an absolute path)",
				key, s);
	cmd->argv[cmd->n_argv++] = xstrdup(s);

	r = paced_cfg_get_str(cfg, args_key, &s);
	if (r == 0)
		return fail_cfg(c, cfg, args_key, "%s must be a list of strings: [ \"-v\", \"en\" ]",
				args_key);
	for (unsigned i = 0; (r = paced_cfg_get_str_elem(cfg, args_key, i, &s)) == 0; i++) {
		if (cmd->n_argv == MAX_ARGS + 1)
			return fail_cfg(c, cfg, args_key, "more than 16 %s", args_key);
		cmd->argv[cmd->n_argv++] = xstrdup(s);
	}
	if (r == -EINVAL)
		return fail_cfg(c, cfg, args_key, "%s must be a list of strings",
				args_key);
	return 0;
}

/* A kinds list into *ret (every kind when the key is absent). */
static int parse_kinds(struct cue_command *c, const struct paced_cfg *cfg,
		       const char *key, unsigned *ret)
{
	const char *s;
	int r;

	r = paced_cfg_get_str(cfg, key, &s);
	if (r == -ENOENT) {
		*ret = (1u << N_KINDS) - 1;
		return 0;
	}
	if (r == 0)
		return fail_cfg(c, cfg, key, "%s must be a list of strings: [ \"change\", \"symptom\" ]",
				key);
	*ret = 0;
	for (unsigned i = 0; (r = paced_cfg_get_str_elem(cfg, key, i, &s)) == 0; i++) {
		unsigned bit;

		if (!kind_bit(s, &bit))
			return fail_cfg(c, cfg, key, "unknown cue kind %s (kinds: "
					"countdown, change, halfway, last, cooldown, "
					"finish, symptom, form, alarm, complied, "
					"instruction, count)", s);
		*ret |= bit;
	}
	if (r == -EINVAL)
		return fail_cfg(c, cfg, key, "%s must be a list of strings", key);
	if (!*ret)
		return fail_cfg(c, cfg, key, "%s is empty: %s", key,
				strcmp(key, "kinds") ?
				"leave tone_kinds out, or tone_command out for no tone" :
				"no cue would ever run the command");
	return 0;
}

static int parse(struct cue_command *c, const struct paced_cfg *cfg)
{
	const char *s;
	int r;

	if (paced_cfg_get_str(cfg, "command", &s) == -ENOENT)
		return fail_cfg(c, cfg, NULL, "command is required: the program "
				"to run for each cue (espeak-ng, a script)");
	r = parse_cmd(c, cfg, "command", "args", &c->speech);
	if (r == 0)
		r = parse_kinds(c, cfg, "kinds", &c->kinds);
	if (r < 0)
		return r;
	/* The tone: a chime before the words, for earphones. */
	if (paced_cfg_get_str(cfg, "tone_command", &s) == -ENOENT) {
		if (paced_cfg_get_str(cfg, "tone_args", &s) != -ENOENT ||
		    paced_cfg_get_str(cfg, "tone_kinds", &s) != -ENOENT)
			return fail_cfg(c, cfg, paced_cfg_get_str(cfg, "tone_args", &s) != -ENOENT ?
					"tone_args" : "tone_kinds",
					"tone_args and tone_kinds need tone_command");
		return 0;
	}
	r = parse_cmd(c, cfg, "tone_command", "tone_args", &c->tone);
	if (r == 0)
		r = parse_kinds(c, cfg, "tone_kinds", &c->tone_kinds);
	return r;
}

static int cue_command_init(struct paced_plugin *self,
			    const struct paced_cfg *cfg)
{
	static const char *const keys[] = {
		"command", "args", "kinds", "tone_command", "tone_args",
		"tone_kinds", NULL
	};
	struct cue_command *c = &state;
	int r;

	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->self = self;
	c->pidfd = -1;
	r = parse(c, cfg);
	if (r == 0)
		r = paced_sink_register(self, &sink_ops, c);
	if (r < 0) {
		/* exit() is not called after a failed init. */
		cue_command_free(c);
		return r;
	}
	if (c->tone.path)
		paced_log(self, LOG_INFO, "cues run %s after %s", c->speech.path,
			  c->tone.path);
	else
		paced_log(self, LOG_INFO, "cues run %s", c->speech.path);
	return 0;
}

static void cue_command_exit(struct paced_plugin *self)
{
	cue_command_free(&state);
}

PACED_PLUGIN_DEFINE("cue-command", PACKAGE_VERSION, cue_command_init,
		    cue_command_exit);
