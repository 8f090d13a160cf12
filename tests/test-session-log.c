/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State files: session logs on a full disk (a small tmpfs); logs, recovery and history never through links or FIFOs. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include "history.h"
#include "json-read.h"
#include "session-log.h"
#include "util.h"

static char dir[64];
static char filler[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/paced-test-slog.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/*
 * A tmpfs of size_k KiB on dir, in a mount namespace of this test's own
 * (CK_FORK runs each test in a child): it goes away with the test, even
 * one that fails half way.
 */
static bool small_disk(const char *where, unsigned size_k)
{
	char opts[32];

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return false;
	snprintf(opts, sizeof(opts), "size=%uk", size_k);
	return mount("tmpfs", where, "tmpfs", 0, opts) == 0;
}

static void tmpfs_setup(void)
{
	setup();
	ck_assert_msg(small_disk(dir, SESSION_LOG_RESERVE / 1024 + 256),
		      "mount tmpfs: %s", strerror(errno));
	snprintf(filler, sizeof(filler), "%s/filler", dir);
}

static void tmpfs_teardown(void)
{
	(void) umount2(dir, MNT_DETACH);
	teardown();
}

/* Take every free byte of the file system with one file. */
static void fill_disk(void)
{
	static char block[4096];
	int fd = open(filler, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	do
		n = write(fd, block, sizeof(block));
	while (n > 0);
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
}

static unsigned long long free_bytes(void)
{
	struct statvfs sv;

	ck_assert_int_eq(statvfs(dir, &sv), 0);
	return (unsigned long long) sv.f_bavail * sv.f_frsize;
}

/* One line of about 1 KiB: event, its number n, padding. */
static void add_line(struct session_log *log, const char *event, unsigned n)
{
	static char pad[901];
	struct json *j;

	memset(pad, 'x', sizeof(pad) - 1);
	j = session_log_begin(log, event, n);
	json_key(j, "n");
	json_uint(j, n);
	json_key(j, "pad");
	json_string(j, pad);
	ck_assert_int_eq(session_log_write(log), 0);
}

/*
 * Every line of the file is one whole JSON object; count those of event
 * and check that the numbers n of all lines are distinct (no line twice).
 */
static unsigned count_lines(const char *path, const char *event,
			    unsigned *ret_total)
{
	static unsigned char seen[65536];
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned count = 0, total = 0;
	FILE *f = fopen(path, "re");

	ck_assert_ptr_nonnull(f);
	memset(seen, 0, sizeof(seen));
	while ((len = getline(&line, &cap, f)) > 0) {
		struct json_read_error err;
		struct json_value *v;
		int64_t n;

		ck_assert_msg(line[len - 1] == '\n', "torn last line");
		v = json_parse(line, (size_t) len - 1, &err);
		ck_assert_msg(v, "line %u: %s", total + 1, err.text);
		ck_assert(json_get_int(v, "n", &n));
		ck_assert_msg(n >= 0 && n < 65536 && !seen[n],
			      "line n=%lld written twice", (long long) n);
		seen[n] = 1;
		if (!strcmp(json_get_string(v, "event"), event))
			count++;
		total++;
		json_value_free(v);
	}
	free(line);
	fclose(f);
	if (ret_total)
		*ret_total = total;
	return count;
}

static bool dir_empty(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", path);
	return system(cmd) == 0;
}

/* ---- a full disk ---- */

START_TEST(log_refused_without_room)
{
	char sessions[128];
	int err = 0;

	fill_disk();
	ck_assert_ptr_null(session_log_open(dir, NULL, &err));
	ck_assert_int_eq(err, -ENOSPC);
	/* Nothing left behind: no empty log of a session that never ran. */
	snprintf(sessions, sizeof(sessions), "%s/sessions", dir);
	ck_assert(dir_empty(sessions));
}
END_TEST

START_TEST(log_reserves_room_and_gives_it_back)
{
	unsigned long long before = free_bytes();
	struct session_log *log;
	int err = 0;

	log = session_log_open(dir, NULL, &err);
	ck_assert_msg(log, "open: %s", strerror(-err));
	ck_assert_uint_le(free_bytes(), before - SESSION_LOG_RESERVE);
	/* The reservation is room, not content: the file stays empty. */
	add_line(log, "open", 0);
	ck_assert_int_eq(session_log_commit(log), 0);
	session_log_close(log);
	ck_assert_uint_ge(free_bytes(), before - 8192);
}
END_TEST

START_TEST(press_logged_once_space_returns)
{
	struct session_log_state st;
	struct session_log *log;
	unsigned n = 0, total;
	char path[256];
	int err = 0;

	log = session_log_open(dir, NULL, &err);
	ck_assert_msg(log, "open: %s", strerror(-err));
	snprintf(path, sizeof(path), "%s", session_log_path(log));
	fill_disk();
	/* The reservation carries the session a long way... */
	for (; n < SESSION_LOG_RESERVE / 1024 - 16; n++) {
		add_line(log, "sample", n);
		ck_assert_int_eq(session_log_commit(log), 0);
	}
	/* ...until it too is used up. */
	while (session_log_commit(log) == 0) {
		add_line(log, "sample", n++);
		ck_assert_uint_lt(n, 4 * SESSION_LOG_RESERVE / 1024);
	}
	session_log_get_state(log, &st);
	ck_assert_int_eq(st.error, -ENOSPC);
	ck_assert_uint_gt(st.failing_since_us, 0);
	ck_assert_uint_ge(st.lines_pending, 1);

	/* The press: kept, not lost, while the disk is full. */
	add_line(log, "symptom", n++);
	ck_assert_int_eq(session_log_commit(log), -ENOSPC);
	session_log_get_state(log, &st);
	ck_assert_uint_ge(st.lines_pending, 2);
	ck_assert_uint_eq(st.lines_lost, 0);
	ck_assert_uint_eq(count_lines(path, "symptom", NULL), 0);

	/* Space returns: the next commit writes each kept line once. */
	ck_assert_int_eq(unlink(filler), 0);
	add_line(log, "sample", n++);
	ck_assert_int_eq(session_log_commit(log), 0);
	session_log_get_state(log, &st);
	ck_assert_int_eq(st.error, 0);
	ck_assert_uint_eq(st.failing_since_us, 0);
	ck_assert_uint_eq(st.lines_pending, 0);
	ck_assert_uint_eq(count_lines(path, "symptom", &total), 1);
	ck_assert_uint_eq(total, n);
	session_log_close(log);
	ck_assert_uint_eq(count_lines(path, "symptom", &total), 1);
	ck_assert_uint_eq(total, n);
}
END_TEST

START_TEST(kept_lines_bounded_presses_last_lost)
{
	struct session_log_state st;
	struct session_log *log;
	unsigned n = 0, presses = 0, total;
	char path[256];
	int err = 0;

	log = session_log_open(dir, NULL, &err);
	ck_assert_msg(log, "open: %s", strerror(-err));
	snprintf(path, sizeof(path), "%s", session_log_path(log));
	fill_disk();
	while (session_log_commit(log) == 0)
		add_line(log, "sample", n++);
	/* Twice the bound of samples, a press every 64 lines. */
	for (unsigned i = 0; i < 2 * SESSION_LOG_PENDING_MAX / 1024; i++) {
		if (i % 64 == 0) {
			add_line(log, "symptom", n++);
			presses++;
		} else {
			add_line(log, "sample", n++);
		}
		ck_assert_int_eq(session_log_commit(log), -ENOSPC);
		session_log_get_state(log, &st);
		ck_assert_uint_le(st.bytes_pending, SESSION_LOG_PENDING_MAX);
	}
	session_log_get_state(log, &st);
	ck_assert_uint_gt(st.lines_lost, 0);
	ck_assert_uint_gt(st.bytes_lost, st.lines_lost * 900);

	ck_assert_int_eq(unlink(filler), 0);
	ck_assert_int_eq(session_log_commit(log), 0);
	session_log_close(log);
	/* Samples were given up; every press is in the file, once. */
	ck_assert_uint_eq(count_lines(path, "symptom", &total), presses);
	ck_assert_uint_eq(total + st.lines_lost, n);
}
END_TEST

/* ---- never through links, never a FIFO ---- */

START_TEST(log_never_follows_symlinks)
{
	char target[128], link[128], sessions[128], other[128];
	struct stat st;
	int err = 0;

	/* --log PATH where PATH is someone's symbolic link. */
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link.jsonl", dir);
	ck_assert_int_eq(close(open(target, O_WRONLY | O_CREAT, 0600)), 0);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_ptr_null(session_log_open(NULL, link, &err));
	ck_assert_int_eq(err, -ELOOP);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 0);

	/* sessions/ itself a link to another directory. */
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(sessions, sizeof(sessions), "%s/sessions", dir);
	ck_assert_int_eq(mkdir(other, 0700), 0);
	ck_assert_int_eq(symlink(other, sessions), 0);
	ck_assert_ptr_null(session_log_open(dir, NULL, &err));
	ck_assert_int_eq(err, -ENOTDIR);
	ck_assert(dir_empty(other));
}
END_TEST

START_TEST(log_never_opens_fifo)
{
	char fifo[128];
	int err = 0;

	/* No reader: open(2) would fail; with one it would block or feed
	 * it. Either way, not a log. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_ptr_null(session_log_open(NULL, fifo, &err));
	ck_assert_int_eq(err, -EBADFD);
}
END_TEST

START_TEST(log_never_shares_a_file)
{
	struct session_log *a, *b;
	int err = 0;

	/* Two sessions started within one second: two files. */
	a = session_log_open(dir, NULL, &err);
	ck_assert_msg(a, "open: %s", strerror(-err));
	b = session_log_open(dir, NULL, &err);
	ck_assert_msg(b, "open: %s", strerror(-err));
	ck_assert_str_ne(session_log_path(a), session_log_path(b));
	ck_assert_int_eq(access(session_log_path(b), F_OK), 0);
	session_log_close(a);
	session_log_close(b);
}
END_TEST

START_TEST(log_appends_to_regular_file)
{
	char path[128];
	struct session_log *log;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/given.jsonl", dir);
	f = fopen(path, "w");
	fputs("{\"event\":\"before\",\"n\":7}\n", f);
	fclose(f);
	log = session_log_open(NULL, path, &err);
	ck_assert_msg(log, "open: %s", strerror(-err));
	add_line(log, "open", 0);
	session_log_close(log);
	ck_assert_uint_eq(count_lines(path, "before", NULL), 1);
	ck_assert_uint_eq(count_lines(path, "open", NULL), 1);
}
END_TEST


/* ---- crash recovery and history: state files only ---- */

static const char interrupted[] =
	"{\"t\":\"x\",\"mono_us\":1,\"event\":\"open\",\"profile\":\"P3\"}\n"
	"{\"t\":\"x\",\"mono_us\":2,\"event\":\"symptom\",\"press\":1}\n";

static void write_at(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static off_t size_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

START_TEST(recover_never_follows_symlinks)
{
	char sessions[128], target[128], link[128], history[128];

	/* A link in sessions/ to a file elsewhere that looks like an
	 * interrupted log: recovery must not append its end line there. */
	snprintf(sessions, sizeof(sessions), "%s/sessions", dir);
	snprintf(target, sizeof(target), "%s/elsewhere.jsonl", dir);
	snprintf(link, sizeof(link), "%s/sessions/evil.jsonl", dir);
	snprintf(history, sizeof(history), "%s/history.jsonl", dir);
	ck_assert_int_eq(mkdir(sessions, 0750), 0);
	write_at(target, interrupted);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(history_recover(dir), 0);
	ck_assert_int_eq(size_of(target), (off_t) strlen(interrupted));
	ck_assert_int_eq(access(history, F_OK), -1);
}
END_TEST

START_TEST(recover_never_follows_a_linked_sessions_dir)
{
	char other[128], sessions[128], log[128];

	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(sessions, sizeof(sessions), "%s/sessions", dir);
	snprintf(log, sizeof(log), "%s/other/a.jsonl", dir);
	ck_assert_int_eq(mkdir(other, 0700), 0);
	write_at(log, interrupted);
	ck_assert_int_eq(symlink(other, sessions), 0);
	ck_assert_int_eq(history_recover(dir), -ENOTDIR);
	ck_assert_int_eq(size_of(log), (off_t) strlen(interrupted));
}
END_TEST

/* A FIFO named like a log hung start-up in open(2); the test's timeout
 * catches a regression. */
START_TEST(recover_never_opens_fifo)
{
	char sessions[128], fifo[128], log[128];

	snprintf(sessions, sizeof(sessions), "%s/sessions", dir);
	snprintf(fifo, sizeof(fifo), "%s/sessions/a.jsonl", dir);
	snprintf(log, sizeof(log), "%s/sessions/b.jsonl", dir);
	ck_assert_int_eq(mkdir(sessions, 0750), 0);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	write_at(log, interrupted);
	/* The FIFO is passed over, the real log still closed. */
	ck_assert_int_eq(history_recover(dir), 1);
	ck_assert_int_gt(size_of(log), (off_t) strlen(interrupted));
}
END_TEST

START_TEST(history_never_follows_symlink)
{
	struct history_entry e = { .type = SESSION_RUN, .when_s = 1 };
	char target[128], link[128];

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/history.jsonl", dir);
	write_at(target, "");
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(history_append(dir, &e), -ELOOP);
	ck_assert_int_eq(size_of(target), 0);
}
END_TEST

/* Can this process mount a tmpfs in a namespace of its own? */
static bool can_mount(void)
{
	char where[64];
	pid_t pid;
	int status;

	snprintf(where, sizeof(where), "/tmp/paced-test-slog.XXXXXX");
	if (geteuid() != 0 || !mkdtemp(where))
		return false;
	pid = fork();
	if (pid == 0)
		_exit(small_disk(where, 64) ? 0 : 1);
	status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	(void) rmdir(where);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
	Suite *s = suite_create("session-log");
	bool full_disk = can_mount();
	SRunner *sr;
	TCase *tc;
	int failed;

	tc = tcase_create("paths");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, log_never_follows_symlinks);
	tcase_add_test(tc, log_never_opens_fifo);
	tcase_add_test(tc, log_appends_to_regular_file);
	tcase_add_test(tc, log_never_shares_a_file);
	tcase_add_test(tc, recover_never_follows_symlinks);
	tcase_add_test(tc, recover_never_follows_a_linked_sessions_dir);
	tcase_add_test(tc, recover_never_opens_fifo);
	tcase_add_test(tc, history_never_follows_symlink);
	suite_add_tcase(s, tc);

	if (full_disk) {
		tc = tcase_create("full-disk");
		tcase_add_checked_fixture(tc, tmpfs_setup, tmpfs_teardown);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, log_refused_without_room);
		tcase_add_test(tc, log_reserves_room_and_gives_it_back);
		tcase_add_test(tc, press_logged_once_space_returns);
		tcase_add_test(tc, kept_lines_bounded_presses_last_lost);
		suite_add_tcase(s, tc);
	}

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	if (!full_disk) {
		printf("SKIP: the full-disk cases need root and a tmpfs mount in a namespace of their own\n");
		return 77;
	}
	return EXIT_SUCCESS;
}
