/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket under abuse (malformed and oversized lines, abrupt disconnects, slow readers) and late replies. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>

#include "control.h"
#include "ctl-proto.h"
#include "mainloop.h"

static struct loop *loop;
static struct control *ctl;
static char dir[64], path[128];
#define LAST_CMD CTL_CMD_PROFILES
static unsigned handled[LAST_CMD + 1];
/* The client whose 'scan' is answered late. */
static struct control_client *held;

static void on_request(struct control_client *client,
		       const struct ctl_request *req, void *user_data)
{
	char buf[64];

	handled[req->cmd]++;
	if (req->cmd == CTL_CMD_SCAN) {
		ck_assert_ptr_null(held);
		held = control_defer(client);
		return;
	}
	snprintf(buf, sizeof(buf), "{\"ok\":true,\"n\":%u}", handled[req->cmd]);
	control_reply(client, buf);
	if (req->cmd == CTL_CMD_WATCH)
		control_watch(client);
}

static void setup(void)
{
	int err = 0;

	memset(handled, 0, sizeof(handled));
	held = NULL;
	snprintf(dir, sizeof(dir), "/tmp/test-control-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl", dir);
	loop = loop_new(NULL);
	ctl = control_new(loop, path, (gid_t) -1, on_request, NULL, &err);
	ck_assert_msg(ctl != NULL, "control_new: %d", err);
}

static void teardown(void)
{
	control_free(ctl);
	loop_free(loop);
	(void) rmdir(dir);
}

static int client(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *) &sun, sizeof(sun)), 0);
	return fd;
}

static void pump(void)
{
	for (int i = 0; i < 20; i++)
		loop_iterate(loop, 0);
}

/* Count reply lines received so far, and those that say "ok":false. */
struct replies {
	unsigned lines, errors, oks;
	char last[512];
	size_t len;
};

static void drain(int fd, struct replies *r)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (r->len < sizeof(r->last) - 1)
					r->last[r->len++] = buf[i];
				continue;
			}
			r->last[r->len] = '\0';
			r->len = 0;
			r->lines++;
			if (!strncmp(r->last, "{\"ok\":false,\"error\":", 20))
				r->errors++;
			else if (!strncmp(r->last, "{\"ok\":true", 10))
				r->oks++;
		}
	}
}

static void send_str(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			pump();
			continue;
		}
		s += n;
		len -= (size_t) n;
	}
}

/* The i-th malformed line: never a valid request. */
static size_t bad_line(unsigned i, char *buf, size_t len)
{
	switch (i % 8) {
	case 0: return (size_t) snprintf(buf, len, "frobnicate %u\n", i);
	case 1: return (size_t) snprintf(buf, len, "status now %u\n", i);
	case 2: return (size_t) snprintf(buf, len, "symptom leak extra\n");
	case 3: return (size_t) snprintf(buf, len, "pause\001%u\n", i);
	case 4: return (size_t) snprintf(buf, len, "stop stop\n");
	case 5: {
		/* Oversized: past CTL_LINE_MAX, then a newline. */
		size_t n = CTL_LINE_MAX + 1 + i % 3000;

		ck_assert_uint_lt(n + 1, len);
		memset(buf, 's', n);
		buf[n] = '\n';
		return n + 1;
	}
	case 6: return (size_t) snprintf(buf, len, "\x7f\xff\xfe garbage\n");
	default: return (size_t) snprintf(buf, len, "resume %0200u\n", i);
	}
}

START_TEST(test_malformed_lines)
{
	struct replies r = { 0 };
	char buf[4096];
	int fd = client();

	for (unsigned i = 0; i < 1000; i++) {
		size_t n = bad_line(i, buf, sizeof(buf));

		send_str(fd, buf, n);
		pump();
		drain(fd, &r);
	}
	send_str(fd, "status\n", 7);
	for (int i = 0; i < 50 && r.lines < 1001; i++) {
		pump();
		drain(fd, &r);
	}
	/* One error reply per bad line, and nothing reached the handler. */
	ck_assert_uint_eq(r.errors, 1000);
	ck_assert_uint_eq(r.oks, 1);
	ck_assert_uint_eq(r.lines, 1001);
	for (unsigned c = 0; c <= LAST_CMD; c++)
		ck_assert_uint_eq(handled[c], c == CTL_CMD_STATUS ? 1 : 0);
	close(fd);
}
END_TEST

START_TEST(test_abrupt_disconnects)
{
	struct replies r = { 0 };
	int fd;

	for (unsigned i = 0; i < 200; i++) {
		char buf[4096];
		size_t n = bad_line(i, buf, sizeof(buf));

		fd = client();
		pump();
		/* Half a request, or a bad one, then gone without reading. */
		if (i % 2)
			send_str(fd, "symptom le", 10);
		else
			send_str(fd, buf, n);
		if (i % 3 == 0) {
			/* RST rather than FIN. */
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			(void) setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		close(fd);
		pump();
	}
	pump();
	ck_assert_uint_eq(control_client_count(ctl), 0);
	for (unsigned c = 0; c <= LAST_CMD; c++)
		ck_assert_uint_eq(handled[c], 0);
	fd = client();
	send_str(fd, "status\n", 7);
	for (int i = 0; i < 50 && !r.lines; i++) {
		pump();
		drain(fd, &r);
	}
	ck_assert_uint_eq(r.oks, 1);
	close(fd);
}
END_TEST

START_TEST(test_slow_reader)
{
	struct replies r = { 0 };
	char event[300];
	int slow = client(), fast;
	int sz = 4096;

	/* A small receive buffer so the slow reader backs up quickly. */
	(void) setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	send_str(slow, "watch\n", 6);
	pump();
	ck_assert_uint_eq(handled[CTL_CMD_WATCH], 1);
	memset(event, 'x', sizeof(event));
	memcpy(event, "{\"event\":\"", 10);
	memcpy(event + sizeof(event) - 3, "\"}", 3);
	/* 300 KiB of events the watcher never reads. */
	for (int i = 0; i < 1000; i++) {
		control_broadcast(ctl, event);
		loop_iterate(loop, 0);
	}
	fast = client();
	send_str(fast, "status\n", 7);
	for (int i = 0; i < 50 && !r.lines; i++) {
		pump();
		drain(fast, &r);
	}
	/* The other client is served, and the slow one was dropped rather
	 * than buffered without bound. */
	ck_assert_uint_eq(r.oks, 1);
	ck_assert_uint_eq(control_client_count(ctl), 1);
	close(slow);
	close(fast);
}
END_TEST

START_TEST(test_deferred_reply)
{
	struct replies r = { 0 };
	int fd = client();

	send_str(fd, "scan 5\n", 7);
	pump();
	ck_assert_ptr_nonnull(held);
	drain(fd, &r);
	ck_assert_uint_eq(r.lines, 0);
	/* Replies keep the order of requests: a second one waits its turn,
	 * refused, and reaches no handler. */
	send_str(fd, "status\n", 7);
	pump();
	drain(fd, &r);
	ck_assert_uint_eq(r.errors, 1);
	ck_assert_ptr_nonnull(strstr(r.last, "busy"));
	ck_assert_uint_eq(handled[CTL_CMD_STATUS], 0);
	ck_assert(control_client_connected(held));
	control_reply(held, "{\"ok\":true,\"late\":1}");
	control_client_unref(held);
	held = NULL;
	pump();
	drain(fd, &r);
	ck_assert_uint_eq(r.oks, 1);
	ck_assert_str_eq(r.last, "{\"ok\":true,\"late\":1}");
	/* And the client is back to one request, one reply. */
	send_str(fd, "status\n", 7);
	for (int i = 0; i < 50 && r.oks < 2; i++) {
		pump();
		drain(fd, &r);
	}
	ck_assert_uint_eq(r.oks, 2);
	close(fd);
}
END_TEST

/* The client hangs up before its late reply: the reference stays valid
 * (ASan and valgrind runs check there is no use after free). */
START_TEST(test_deferred_reply_client_gone)
{
	int fd = client();

	send_str(fd, "scan\n", 5);
	pump();
	ck_assert_ptr_nonnull(held);
	close(fd);
	pump();
	ck_assert_uint_eq(control_client_count(ctl), 0);
	ck_assert(!control_client_connected(held));
	control_reply(held, "{\"ok\":true}");
	control_reply_error(held, "nobody listens");
	control_client_unref(held);
	held = NULL;
	pump();
	ck_assert_uint_eq(control_client_count(ctl), 0);
}
END_TEST

/* The server goes first (paced shutting down mid-scan). */
START_TEST(test_deferred_reply_server_gone)
{
	int fd = client();

	send_str(fd, "scan\n", 5);
	pump();
	ck_assert_ptr_nonnull(held);
	control_free(ctl);
	ctl = NULL;
	ck_assert(!control_client_connected(held));
	control_reply_error(held, "paced is shutting down");
	control_client_unref(held);
	held = NULL;
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("robustness");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_malformed_lines);
	tcase_add_test(tc, test_abrupt_disconnects);
	tcase_add_test(tc, test_slow_reader);
	tcase_add_test(tc, test_deferred_reply);
	tcase_add_test(tc, test_deferred_reply_client_gone);
	tcase_add_test(tc, test_deferred_reply_server_gone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
