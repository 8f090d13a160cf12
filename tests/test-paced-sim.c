/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced-sim as a process: a client on unix:PATH in control within 100 ms. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "ftms-client.h"
#include "mainloop.h"
#include "transport.h"
#include "treadmill.h"
#include "util.h"

/* The figure: connect to "belt running at the set speed". */
#define LATENCY_LIMIT_US	(100 * USEC_PER_MSEC)
#define SET_SPEED		300	/* 3.00 km/h */

static char dir[] = "/tmp/paced-sim-test-XXXXXX";
static char sock_path[64];
static pid_t pid = -1;
static int to_sim = -1;		/* paced-sim's stdin: its console */
static int from_sim = -1;	/* paced-sim's stdout */

/* Read one line from fd within timeout_ms; false on timeout/EOF. */
static bool read_line(int fd, char *buf, size_t len, int timeout_ms)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, timeout_ms) <= 0)
			return false;
		if (read(fd, buf + n, 1) != 1)
			return false;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return true;
}

static void spawn(const char *const *extra)
{
	const char *top = getenv("top_builddir");
	char prog[4096], line[256];
	const char *argv[16];
	int in[2], out[2], i = 0;

	snprintf(prog, sizeof(prog), "%s/tools/paced-sim", top ? top : ".");
	argv[i++] = prog;
	argv[i++] = "--listen";
	argv[i++] = sock_path;
	for (; *extra && i < 15; extra++)
		argv[i++] = *extra;
	argv[i] = NULL;

	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[1]);
		close(out[0]);
		execv(prog, (char *const *) argv);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	to_sim = in[1];
	from_sim = out[0];
	/* It prints this once the socket is listening. */
	ck_assert_msg(read_line(from_sim, line, sizeof(line), 5000),
		      "paced-sim did not start (%s)", prog);
	ck_assert_ptr_nonnull(strstr(line, "listening on"));
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	/* mkdtemp() fills the template in: restore it, since with
	 * CK_FORK=no (make check-valgrind) every test runs in this process. */
	strcpy(dir + sizeof(dir) - 7, "XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/t.sock", dir);
}

static void teardown(void)
{
	int status;

	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		/* A clean exit removes the socket. */
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert_int_ne(access(sock_path, F_OK), 0);
	}
	pid = -1;
	if (to_sim >= 0)
		close(to_sim);
	if (from_sim >= 0)
		close(from_sim);
	to_sim = from_sim = -1;
	(void) unlink(sock_path);
	(void) rmdir(dir);
}

struct run {
	struct loop *loop;
	struct treadmill *tm;
	uint64_t t0;
	uint64_t done_us;		/* when the target speed was seen */
	bool speed_set;
	int err;
	uint8_t result;
};

static void on_speed(struct treadmill *tm, enum treadmill_op op, int err,
		     uint8_t result, void *user_data)
{
	struct run *r = user_data;

	r->err = err;
	r->result = result;
	if (err)
		loop_quit(r->loop, 1);
	else
		r->speed_set = true;
}

static void on_start(struct treadmill *tm, enum treadmill_op op, int err,
		     uint8_t result, void *user_data)
{
	struct run *r = user_data;

	r->err = err;
	r->result = result;
	if (err || treadmill_set_speed(tm, SET_SPEED, on_speed, r) < 0)
		loop_quit(r->loop, 1);
}

static void on_connect(struct treadmill *tm, enum treadmill_op op, int err,
		       uint8_t result, void *user_data)
{
	struct run *r = user_data;

	r->err = err;
	r->result = result;
	if (err || !treadmill_in_control(tm) ||
	    treadmill_start(tm, on_start, r) < 0)
		loop_quit(r->loop, 1);
}

static void on_data(struct treadmill *tm, const struct treadmill_data *d,
		    void *user_data)
{
	struct run *r = user_data;

	if (r->speed_set && (d->present & TREADMILL_DATA_SPEED) &&
	    d->speed == SET_SPEED && !r->done_us) {
		r->done_us = loop_now(r->loop) - r->t0;
		loop_quit(r->loop, 0);
	}
}

static bool on_timeout(void *user_data)
{
	struct run *r = user_data;

	loop_quit(r->loop, 2);
	return false;
}

START_TEST(in_control_at_set_speed_within_100ms)
{
	/* Belt time 1000x: the 1 km/h/s ramp to 3 km/h takes 3 ms of wall
	 * time; 500 Hz data so a record follows within 2 ms. */
	static const char *const args[] = { "--speedup", "1000", "--rate",
					    "500", NULL };
	static const struct treadmill_events ev = { .data = on_data };
	char addr[80], line[256];
	struct transport *t = NULL;
	struct ftms_client *c;
	struct run r = { 0 };
	int status, fd;

	spawn(args);
	r.loop = loop_new(NULL);
	ck_assert_ptr_nonnull(r.loop);
	snprintf(addr, sizeof(addr), "unix:%s", sock_path);

	r.t0 = loop_now(r.loop);
	ck_assert_int_eq(transport_open_unix(r.loop, addr, &t), 0);
	fd = transport_steal_fd(t);
	c = ftms_client_new(r.loop, fd, NULL);
	ck_assert_ptr_nonnull(c);
	r.tm = ftms_client_get_treadmill(c);
	treadmill_set_events(r.tm, &ev, &r);
	ck_assert_int_eq(treadmill_connect(r.tm, on_connect, &r), 0);
	ck_assert_int_gt(loop_add_timeout(r.loop, 5 * USEC_PER_SEC, false,
					  on_timeout, &r, NULL), 0);
	status = loop_run(r.loop);
	ck_assert_msg(status == 0, "run ended with %d (err %d, result 0x%02x)",
		      status, r.err, r.result);
	ck_assert(treadmill_in_control(r.tm));
	printf("connect to in control at %u.%02u km/h: %llu us\n",
	       SET_SPEED / 100, SET_SPEED % 100,
	       (unsigned long long) r.done_us);
	/* Under valgrind (LOG_COMPILER in CI) this process runs ~50x
	 * slower than the figure means; the protocol part still must pass. */
	if (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload"))
		printf("under valgrind: latency not asserted\n");
	else
		ck_assert_msg(r.done_us <= LATENCY_LIMIT_US, "took %llu us",
			      (unsigned long long) r.done_us);

	/* The treadmill agrees: ask its console. */
	ck_assert_int_eq(write(to_sim, "status\n", 7), 7);
	ck_assert(read_line(from_sim, line, sizeof(line), 5000));
	ck_assert_msg(strstr(line, "belt running, speed 3.00 km/h") &&
		      strstr(line, "client in control"), "status: %s", line);

	ftms_client_free(c);
	transport_free(t);
	loop_free(r.loop);
}
END_TEST

START_TEST(one_client_at_a_time_and_reconnect)
{
	static const char *const args[] = { NULL };
	struct transport *a = NULL, *b = NULL;
	struct loop *loop = loop_new(NULL);
	char addr[80], buf[8];
	struct pollfd p;

	spawn(args);
	snprintf(addr, sizeof(addr), "unix:%s", sock_path);
	ck_assert_int_eq(transport_open_unix(loop, addr, &a), 0);
	/* The first client is served... */
	ck_assert_int_eq(send(transport_fd(a), "\x02\x17\x00", 3, 0), 3);
	p = (struct pollfd) { .fd = transport_fd(a), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert_int_eq(recv(transport_fd(a), buf, sizeof(buf), 0), 3);
	ck_assert_uint_eq((uint8_t) buf[0], 0x03);
	/* ... a second one is turned away with EOF. */
	ck_assert_int_eq(transport_open_unix(loop, addr, &b), 0);
	p = (struct pollfd) { .fd = transport_fd(b), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert_int_eq(recv(transport_fd(b), buf, sizeof(buf), 0), 0);
	transport_free(b);
	/* After the first leaves, the next is served. */
	transport_free(a);
	b = NULL;
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(transport_open_unix(loop, addr, &b), 0);
		ck_assert_int_eq(send(transport_fd(b), "\x02\x17\x00", 3, 0),
				 3);
		p = (struct pollfd) { .fd = transport_fd(b), .events = POLLIN };
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		if (recv(transport_fd(b), buf, sizeof(buf), 0) == 3)
			break;
		/* Raced the server noticing the hang-up: try again. */
		transport_free(b);
		b = NULL;
	}
	ck_assert_ptr_nonnull(b);
	transport_free(b);
	loop_free(loop);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
	static const char *const cases[][4] = {
		{ "--quirk", "warp-drive", NULL },
		{ "--quirk", "drop-link=soon", NULL },
		{ "--rate", "0", NULL },
		{ "--speedup", "x", NULL },
		{ "stray", NULL },
	};
	const char *top = getenv("top_builddir");
	char prog[4096];

	snprintf(prog, sizeof(prog), "%s/tools/paced-sim", top ? top : ".");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *argv[8] = { prog, "--listen", sock_path };
		int status, k = 3;
		pid_t p;

		for (int j = 0; cases[i][j]; j++)
			argv[k++] = cases[i][j];
		p = fork();
		ck_assert_int_ge(p, 0);
		if (p == 0) {
			int devnull = open("/dev/null", O_WRONLY);

			dup2(devnull, STDERR_FILENO);
			execv(prog, (char *const *) argv);
			_exit(127);
		}
		waitpid(p, &status, 0);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2,
			      "case %zu: status %d", i, status);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("paced-sim");
	TCase *tc = tcase_create("process");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, in_control_at_set_speed_within_100ms);
	tcase_add_test(tc, one_client_at_a_time_and_reconnect);
	tcase_add_test(tc, bad_arguments_are_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
