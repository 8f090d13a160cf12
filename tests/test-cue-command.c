/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cue-command sink through the plugin host: a script stands in for the speech synthesizer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <check.h>
#include <libconfig.h>

#include "cue.h"
#include "exercise.h"
#include "log.h"
#include "mainloop.h"
#include "plugin.h"

static char tmp[512], out_path[600], log_path[600], say_path[600];
static char tone_path[600];
static char so[PATH_MAX];
static struct loop *loop;
static struct plugin_host *host;
static config_t cfg;

/*
 * The speaker: one line per run with its argument count, each argument
 * in brackets, what its stdin is and its blocked and ignored signals.
 * "linger" cues keep talking, through a child of their own as a wrapper
 * around a synthesizer would; "pause" cues take a moment and say when
 * they finish; "fail" cues exit 3. OVERLAP means a run started while a
 * lingering or pausing one still lived.
 */
static const char say_script[] =
	"#!/bin/sh\n"
	"t=%s\n"
	"for f in $t/slow.pid $t/pause.pid $t/tone.pid; do\n"
	"	if [ -f $f ] && kill -0 \"$(cat $f)\" 2>/dev/null; then\n"
	"		echo OVERLAP >> $t/out\n"
	"	fi\n"
	"done\n"
	"sig=$(grep -E '^Sig(Blk|Ign)' /proc/$$/status | tr -d ' \\t\\n')\n"
	"{ printf '%%s|' \"$#\"; printf '[%%s]' \"$@\";\n"
	"  printf '|%%s|%%s\\n' \"$(readlink /proc/self/fd/0)\" \"$sig\"; } >> $t/out\n"
	"case \"$*\" in\n"
	"*linger*)	sleep 30 & echo $! > $t/sleep.tmp; echo $$ > $t/slow.tmp\n"
	"	mv $t/sleep.tmp $t/sleep.pid; mv $t/slow.tmp $t/slow.pid\n"
	"	wait; echo \"finished $*\" >> $t/out;;\n"
	"*pause*)	echo $$ > $t/pause.pid; sleep 0.3\n"
	"	echo \"finished $*\" >> $t/out;;\n"
	"*fail*)	exit 3;;\n"
	"esac\n";

/*
 * The tone player: one line "TONE args" per run; a "slow" tone plays on,
 * through a child of its own, until killed.
 */
static const char tone_script[] =
	"#!/bin/sh\n"
	"t=%s\n"
	"echo \"TONE $*\" >> $t/out\n"
	"case \"$*\" in\n"
	"*slow*)	sleep 30 & echo $! > $t/tsleep.tmp; echo $$ > $t/tone.tmp\n"
	"	mv $t/tsleep.tmp $t/tsleep.pid; mv $t/tone.tmp $t/tone.pid\n"
	"	wait; echo \"finished TONE\" >> $t/out;;\n"
	"esac\n";

static void setup(void)
{
	const char *b = getenv("top_builddir");
	sigset_t mask;
	int fd, in[2];
	FILE *f;

	snprintf(so, sizeof(so), "%s/plugins/.libs/cue-command.so", b ? b : ".");
	snprintf(tmp, sizeof(tmp), "%s/test-cue.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(out_path, sizeof(out_path), "%s/out", tmp);
	snprintf(log_path, sizeof(log_path), "%s/log", tmp);
	snprintf(say_path, sizeof(say_path), "%s/say", tmp);
	f = fopen(say_path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, say_script, tmp);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(say_path, 0700), 0);
	snprintf(tone_path, sizeof(tone_path), "%s/tone", tmp);
	f = fopen(tone_path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, tone_script, tmp);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(tone_path, 0700), 0);
	/* The plugin's log lines (debug too: one per command run). */
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	log_init("test-cue-command", LOG_TARGET_STDERR, "all");
	/* As in paced: signals blocked for the signalfd, SIGPIPE ignored,
	 * and a stdin the child must not get. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &mask, NULL), 0);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(dup2(in[0], STDIN_FILENO), STDIN_FILENO);
	loop = loop_new(NULL);
	host = plugin_host_new(loop, NULL, NULL);
	config_init(&cfg);
}

static void teardown(void)
{
	char cmd[600];

	plugin_host_free(host);
	loop_free(loop);
	config_destroy(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *slurp(const char *path)
{
	static char buf[16384];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static bool has(const char *path, const char *needle)
{
	return strstr(slurp(path), needle) != NULL;
}

/*
 * The speaker's line that starts with args: its stdin was /dev/null and
 * none of the signals paced blocks or ignores reached it that way. (glibc
 * leaves its internal signals 32 and 33 ignored across posix_spawn.)
 */
static void check_run(const char *args)
{
	const char *all = slurp(out_path), *line = all;
	unsigned long long blk, ign, bad;
	char in[64];

	while (line && strncmp(line, args, strlen(args))) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	ck_assert_msg(line, "no run with %s in:\n%s", args, all);
	ck_assert_int_eq(sscanf(line + strlen(args), "|%63[^|]|SigBlk:%llxSigIgn:%llx",
				in, &blk, &ign), 3);
	ck_assert_str_eq(in, "/dev/null");
	bad = 1ULL << (SIGHUP - 1) | 1ULL << (SIGINT - 1) |
	      1ULL << (SIGTERM - 1) | 1ULL << (SIGPIPE - 1);
	ck_assert_msg(!(blk & bad), "blocked %llx", blk);
	ck_assert_msg(!(ign & bad), "ignored %llx", ign);
}

/* Run the loop until needle shows up in path; about 5 s at most. */
static bool pump_until(const char *path, const char *needle)
{
	for (int i = 0; i < 100 && !has(path, needle); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	return has(path, needle);
}

static int load(const char *group)
{
	char text[2048];

	snprintf(text, sizeof(text), "cue-command = {\n%s\n};", group);
	ck_assert_msg(config_read_string(&cfg, text), "%s", config_error_text(&cfg));
	return plugin_host_load_path(host, so, "cue-command",
				     &(struct plugin_settings) {
					.group = config_lookup(&cfg, "cue-command"),
					.file = "t.conf",
				     });
}

static int load_say(const char *more)
{
	char group[2048];

	snprintf(group, sizeof(group), "command = \"%s\"; %s", say_path, more);
	return load(group);
}

/*
 * A "cue" event with its kind and text, or a session event ("state",
 * "symptom"): the host hands sinks the cue's parts with cue events only,
 * whatever else is passed here.
 */
static void emit(const char *name, const char *kind, const char *text)
{
	struct event ev = { .kind = EVENT_CUE };

	if (!strcmp(name, "cue")) {
		ev.cue = (struct event_cue) {
			.kind = kind, .text = text, .speed = 500, .in_s = -1,
		};
	} else {
		ev.kind = EVENT_SESSION;
		ev.session.kind = !strcmp(name, "state") ? SESSION_EV_STATE :
				  SESSION_EV_SYMPTOM;
	}
	plugin_host_emit(host, &ev);
}

/* A cue that completes the one before it, at the same instant. */
static void emit_follows(const char *kind, const char *text)
{
	struct event ev = {
		.kind = EVENT_CUE,
		.cue = { .kind = kind, .text = text, .speed = 500, .in_s = -1,
			 .follows = true, .profile_ms = 60000 },
	};

	plugin_host_emit(host, &ev);
}

static int read_pid(const char *base)
{
	char p[700];

	snprintf(p, sizeof(p), "%s/%s", tmp, base);
	return atoi(slurp(p));
}

/* Gone: reaped, or at least dead (a zombie whose reaper is not us). */
static bool dead(int pid)
{
	char p[64];
	const char *stat, *paren;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	stat = slurp(p);
	if (!*stat)
		return true;
	paren = strrchr(stat, ')');
	return paren && paren[1] == ' ' && paren[2] == 'Z';
}

START_TEST(test_runs_with_text)
{
	ck_assert_int_eq(load_say("args = [ \"-v\", \"en\" ];"), 0);
	ck_assert_uint_eq(plugin_host_sink_count(host), 1);
	emit("cue", "change", "walk now: 5.0 km/h");
	ck_assert(pump_until(out_path, "\n"));
	/* The text is one last argument; stdin is /dev/null. */
	check_run("3|[-v][en][walk now: 5.0 km/h]");
	ck_assert_ptr_eq(strchr(slurp(out_path), '\n'), strrchr(slurp(out_path), '\n'));
	/* Never through a shell. */
	emit("cue", "symptom", "x; touch pwned $(touch pwned2)");
	/* The last printf of a run is one write: the line is whole. */
	ck_assert(pump_until(out_path, "pwned2)]|/dev/null|"));
	check_run("3|[-v][en][x; touch pwned $(touch pwned2)]");
	ck_assert_int_eq(chdir(tmp), 0);
	ck_assert_int_ne(access("pwned", F_OK), 0);
	ck_assert_int_ne(access("pwned2", F_OK), 0);
	/* A failing speaker is logged, and the next cue still runs. */
	emit("cue", "alarm", "fail now");
	ck_assert(pump_until(log_path, "exited with status 3"));
	emit("cue", "alarm", "after");
	ck_assert(pump_until(out_path, "[after]"));
}
END_TEST

START_TEST(test_filters)
{
	ck_assert_int_eq(load_say("kinds = [ \"change\", \"alarm\" ];"), 0);
	/* Not cues, cues without text, unlisted and unknown kinds. */
	emit("state", NULL, NULL);
	emit("symptom", NULL, NULL);
	emit("cue", "change", NULL);
	emit("cue", "change", "");
	emit("cue", "countdown", "jog in 10 s: 8.0 km/h");
	emit("cue", "complied", "thank you");
	emit("cue", "bogus", "bogus kind");
	emit("symptom", "change", "not a cue event");
	/* Spawning is synchronous in emit: the log shows every run. */
	ck_assert(!has(log_path, "saying"));
	emit("cue", "alarm", "slow down to 5.0 km/h");
	ck_assert(has(log_path, "saying \"slow down to 5.0 km/h\""));
	ck_assert(pump_until(out_path, "\n"));
	check_run("1|[slow down to 5.0 km/h]");
	/* That one run only. */
	ck_assert_ptr_eq(strchr(slurp(out_path), '\n'), strrchr(slurp(out_path), '\n'));
}
END_TEST

START_TEST(test_newest_supersedes)
{
	int sh, sl;

	ck_assert_int_eq(load_say(""), 0);
	emit("cue", "countdown", "linger: jog in 10 s");
	ck_assert(pump_until(out_path, "[linger: jog in 10 s]"));
	for (int i = 0; i < 100 && !read_pid("slow.pid"); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	sh = read_pid("slow.pid");
	sl = read_pid("sleep.pid");
	ck_assert_int_gt(sh, 0);
	ck_assert_int_gt(sl, 0);
	ck_assert(!dead(sh));
	/* Two newer cues while it speaks: the newest wins, B never runs. */
	emit("cue", "change", "B");
	emit("symptom", NULL, NULL);
	emit("cue", "symptom", "walk now: 5.0 km/h");
	ck_assert(pump_until(out_path, "[walk now: 5.0 km/h]"));
	ck_assert(!has(out_path, "[B]"));
	/* The old one and its own child were killed, and reaped first:
	 * never two voices at once. */
	ck_assert(!has(out_path, "OVERLAP"));
	ck_assert(!has(out_path, "finished"));
	ck_assert(dead(sh));
	for (int i = 0; i < 100 && !dead(sl); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	ck_assert(dead(sl));
}
END_TEST

/* Cues of one instant are one announcement: said in turn, none cut. */
START_TEST(test_same_instant_in_turn)
{
	const char *out, *a, *b, *c;
	int sh, sl;

	ck_assert_int_eq(load_say(""), 0);
	emit("cue", "change", "pause: jog now");
	emit_follows("last", "last jog");
	emit_follows("form", "Land softly.");
	ck_assert(pump_until(out_path, "[Land softly.]"));
	out = slurp(out_path);
	a = strstr(out, "finished pause: jog now");
	b = strstr(out, "[last jog]");
	c = strstr(out, "[Land softly.]");
	ck_assert_msg(a && b && c && a < b && b < c, "%s", out);
	ck_assert(!has(out_path, "OVERLAP"));

	/* A new instant still cuts everything short, what waits too. */
	emit("cue", "countdown", "linger: jog in 10 seconds");
	emit_follows("halfway", "halfway");
	for (int i = 0; i < 100 && !read_pid("slow.pid"); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	sh = read_pid("slow.pid");
	sl = read_pid("sleep.pid");
	emit("cue", "symptom", "walking now");
	ck_assert(pump_until(out_path, "[walking now]"));
	ck_assert(!has(out_path, "[halfway]"));
	ck_assert(!has(out_path, "finished linger"));
	ck_assert(dead(sh));
	for (int i = 0; i < 100 && !dead(sl); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	/* A follows that finds nothing under way is said at once. */
	emit_follows("last", "alone");
	ck_assert(pump_until(out_path, "[alone]"));
}
END_TEST

/* A chime, then the words; a newer cue cuts the chime short too. */
START_TEST(test_tone_before_speech)
{
	char more[1024];
	const char *out, *t, *w;
	int tp, ts;

	snprintf(more, sizeof(more),
		 "tone_command = \"%s\"; tone_args = [ \"-q\", \"chime.wav\" ];\n"
		 "tone_kinds = [ \"change\", \"symptom\" ];", tone_path);
	ck_assert_int_eq(load_say(more), 0);
	ck_assert(has(log_path, "after"));
	emit("cue", "change", "jog now");
	emit_follows("last", "last jog");
	ck_assert(pump_until(out_path, "[last jog]"));
	out = slurp(out_path);
	t = strstr(out, "TONE -q chime.wav");
	w = strstr(out, "[jog now]");
	ck_assert_msg(t && w && t < w, "%s", out);
	/* One tone for the instant: none before what follows. */
	ck_assert_ptr_null(strstr(t + 1, "TONE"));
	/* Not a tone kind: the words alone. */
	emit("cue", "countdown", "jog in 10 seconds");
	ck_assert(pump_until(out_path, "[jog in 10 seconds]"));
	ck_assert_ptr_null(strstr(strstr(slurp(out_path), "[last jog]"), "TONE"));

	/* A chime still playing when a newer cue comes: killed, and its
	 * cue's words never said. */
	plugin_host_free(host);
	host = plugin_host_new(loop, NULL, NULL);
	config_destroy(&cfg);
	config_init(&cfg);
	snprintf(more, sizeof(more),
		 "tone_command = \"%s\"; tone_args = [ \"slow\" ];\n"
		 "tone_kinds = [ \"change\" ];", tone_path);
	ck_assert_int_eq(load_say(more), 0);
	emit("cue", "change", "stale words");
	for (int i = 0; i < 100 && !read_pid("tone.pid"); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	tp = read_pid("tone.pid");
	ts = read_pid("tsleep.pid");
	ck_assert_int_gt(tp, 0);
	emit("cue", "symptom", "walking now");
	ck_assert(pump_until(out_path, "[walking now]"));
	ck_assert(dead(tp));
	for (int i = 0; i < 100 && !dead(ts); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	ck_assert(dead(ts));
	ck_assert(!has(out_path, "[stale words]"));
	ck_assert(!has(out_path, "finished TONE"));
}
END_TEST

START_TEST(test_exit_kills)
{
	int sh, sl;

	ck_assert_int_eq(load_say(""), 0);
	emit("cue", "countdown", "linger: jog in 10 s");
	for (int i = 0; i < 100 && !read_pid("slow.pid"); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	sh = read_pid("slow.pid");
	sl = read_pid("sleep.pid");
	ck_assert_int_gt(sh, 0);
	/* Unloading (stop, reload) leaves no speaker and no zombie. */
	plugin_host_free(host);
	host = plugin_host_new(loop, NULL, NULL);
	ck_assert(dead(sh));
	for (int i = 0; i < 100 && !dead(sl); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	ck_assert(dead(sl));
	ck_assert(!has(out_path, "finished"));
}
END_TEST

START_TEST(test_config_errors)
{
	ck_assert_int_eq(load("args = [ \"-v\" ];"), -EINVAL);
	ck_assert(has(log_path, "t.conf:1: command is required"));
	ck_assert_int_eq(load("args = [];\ncommand = \"/nonexistent/say\";"), -EINVAL);
	ck_assert(has(log_path, "t.conf:3: command /nonexistent/say: no such executable file"));
	ck_assert_int_eq(load("command = \"no-such-speaker-paced\";"), -EINVAL);
	ck_assert(has(log_path, "t.conf:2: command no-such-speaker-paced: not found in $PATH"));
	ck_assert_int_eq(load("command = \"bin/say\";"), -EINVAL);
	ck_assert(has(log_path, "command bin/say: give an absolute path"));
	ck_assert_int_eq(load_say("\nkinds = [ \"chnage\" ];"), -EINVAL);
	ck_assert(has(log_path, "t.conf:3: unknown cue kind chnage"));
	ck_assert_int_eq(load_say("kinds = [ ];"), -EINVAL);
	ck_assert(has(log_path, "kinds is empty"));
	ck_assert_int_eq(load_say("args = \"-v en\";"), -EINVAL);
	ck_assert(has(log_path, "args must be a list of strings"));
	ck_assert_int_eq(load_say("args = [ 1 ];"), -EINVAL);
	ck_assert_int_eq(load_say("\ntone_args = [ \"-q\" ];"), -EINVAL);
	ck_assert(has(log_path, "t.conf:3: tone_args and tone_kinds need tone_command"));
	ck_assert_int_eq(load_say("tone_command = \"/nonexistent/aplay\";"), -EINVAL);
	ck_assert(has(log_path, "tone_command /nonexistent/aplay: no such executable file"));
	ck_assert_int_eq(load_say("tone_command = \"true\"; tone_kinds = [ ];"), -EINVAL);
	ck_assert(has(log_path, "tone_kinds is empty"));
	ck_assert_int_eq(load_say("tone_command = \"true\"; tone_args = \"-q\";"), -EINVAL);
	ck_assert(has(log_path, "tone_args must be a list of strings"));
	ck_assert_uint_eq(plugin_host_count(host), 0);
	ck_assert_uint_eq(plugin_host_sink_count(host), 0);
	/* A name found in $PATH is fine. */
	ck_assert_int_eq(load("command = \"true\";"), 0);
	ck_assert_uint_eq(plugin_host_sink_count(host), 1);
}
END_TEST

/* -Wswitch-enum fails the build here when the daemon gains a cue kind:
 * add it to the plugin's list too. */
static void known_kind(enum cue_kind k)
{
	switch (k) {
	case CUE_COUNTDOWN:
	case CUE_CHANGE:
	case CUE_HALFWAY:
	case CUE_LAST:
	case CUE_COOLDOWN:
	case CUE_FINISH:
	case CUE_SYMPTOM:
	case CUE_FORM:
	case CUE_ALARM:
	case CUE_COMPLIED:
		break;
	}
}

START_TEST(test_kinds_match_daemon)
{
	char group[512] = "kinds = [ ";

	for (int i = 0; i < CUE_KIND_COUNT; i++) {
		known_kind((enum cue_kind) i);
		snprintf(group + strlen(group), sizeof(group) - strlen(group),
			 "%s\"%s\"", i ? ", " : "",
			 cue_kind_name((enum cue_kind) i));
	}
	/* An exercise session's: its steps' instructions and counts. */
	for (int i = EXERCISE_CUE_SAY; i <= EXERCISE_CUE_SYMPTOM; i++)
		snprintf(group + strlen(group), sizeof(group) - strlen(group),
			 ", \"%s\"",
			 exercise_cue_kind_name((enum exercise_cue_kind) i));
	strcat(group, " ];");
	/* Every name the daemon sends is a kind the plugin accepts. */
	ck_assert_int_eq(load_say(group), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cue-command");
	TCase *tc = tcase_create("sink");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_runs_with_text);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_newest_supersedes);
	tcase_add_test(tc, test_same_instant_in_turn);
	tcase_add_test(tc, test_tone_before_speech);
	tcase_add_test(tc, test_exit_kills);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_kinds_match_daemon);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
