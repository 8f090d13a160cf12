/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket under abuse (malformed and oversized lines, abrupt disconnects, slow readers, connection floods, other users), late replies, and its path. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <check.h>

#include "identity.h"
#include "control.h"
#include "ctl-proto.h"
#include "mainloop.h"
#include "util.h"

static struct fake_clock fc;
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
	fake_clock_init(&fc, USEC_PER_SEC);
	loop = loop_new(&fc.clock);
	ctl = control_new(loop, path, (gid_t) -1, on_request, NULL, &err);
	ck_assert_msg(ctl != NULL, "control_new: %d", err);
}

static void teardown(void)
{
	char cmd[128];

	control_free(ctl);
	loop_free(loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
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
	bool eof;		/* the server closed the connection */
	int err;		/* the read error that ended it, if any */
};

static void drain(int fd, struct replies *r)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno != EAGAIN)) {
		if (n < 0) {
			r->err = errno;
			r->eof = true;
			break;
		}
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
	if (n == 0)
		r->eof = true;
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


/* ---- the socket's path ---- */

static int connect_path(const char *p)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(p), sizeof(sun.sun_path));
	memcpy(sun.sun_path, p, strlen(p));
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Run the loop (never sleeping) until r has more than lines lines, or
 * the server closed the connection. */
static void wait_past(int fd, struct replies *r, unsigned lines)
{
	for (int i = 0; i < 50 && r->lines <= lines && !r->eof; i++) {
		pump();
		drain(fd, r);
	}
}

/* Send a request and wait for one more line. */
static void request(int fd, const char *line, struct replies *r)
{
	unsigned before = r->lines;

	send_str(fd, line, strlen(line));
	wait_past(fd, r, before);
}

/* Wait until the server closes the connection. */
static void wait_eof(int fd, struct replies *r)
{
	wait_past(fd, r, UINT_MAX);
}

static const char *at(const char *name)
{
	static char p[2][128];
	static int i;

	i = !i;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static struct control *second(const char *p, int *ret_err)
{
	*ret_err = 0;
	return control_new(loop, p, (gid_t) -1, on_request, NULL, ret_err);
}

START_TEST(control_path_never_deletes_a_file)
{
	struct stat st;
	int err;
	FILE *f;

	f = fopen(at("file"), "w");
	fputs("precious", f);
	fclose(f);
	ck_assert_ptr_null(second(at("file"), &err));
	ck_assert_int_eq(err, -EEXIST);
	ck_assert_int_eq(stat(at("file"), &st), 0);
	ck_assert_int_eq(st.st_size, 8);
	ck_assert_str_eq(control_strerror(err), "exists and is not a socket; paced replaces only a socket nobody answers on");

	ck_assert_int_eq(mkdir(at("dir"), 0700), 0);
	ck_assert_ptr_null(second(at("dir"), &err));
	ck_assert_int_eq(err, -EISDIR);

	/* A link, even to a stale socket, is not ours to replace. */
	ck_assert_int_eq(symlink(at("file"), at("link")), 0);
	ck_assert_ptr_null(second(at("link"), &err));
	ck_assert_int_eq(err, -ELOOP);
	ck_assert_int_eq(lstat(at("link"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
}
END_TEST

START_TEST(control_path_never_takes_a_live_socket)
{
	struct replies r = { 0 };
	int err, fd;

	/* A second paced on the same path: refused, and the first one's
	 * socket still there and answering. */
	ck_assert_ptr_null(second(path, &err));
	ck_assert_int_eq(err, -EADDRINUSE);
	fd = client();
	request(fd, "status\n", &r);
	ck_assert_uint_eq(r.oks, 1);
	close(fd);
}
END_TEST

START_TEST(control_path_replaces_a_stale_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *c2;
	int err, s;

	/* What a crashed paced leaves: a socket file nobody listens on. */
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sun.sun_path, at("stale"), strlen(at("stale")));
	ck_assert_int_eq(bind(s, (struct sockaddr *) &sun, sizeof(sun)), 0);
	close(s);
	c2 = second(at("stale"), &err);
	ck_assert_msg(c2, "control_new: %s", control_strerror(err));
	s = connect_path(at("stale"));
	ck_assert_int_ge(s, 0);
	close(s);
	control_free(c2);
	ck_assert_int_eq(access(at("stale"), F_OK), -1);
}
END_TEST

START_TEST(control_path_unlinks_only_its_own)
{
	struct control *newer;
	int err, fd;

	/* Someone removes our socket and another paced binds the path:
	 * when we go, its socket stays. */
	ck_assert_int_eq(unlink(path), 0);
	newer = second(path, &err);
	ck_assert_msg(newer, "control_new: %s", control_strerror(err));
	control_free(ctl);
	ctl = NULL;
	fd = connect_path(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	control_free(newer);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(control_path_never_abstract)
{
	int err;

	ck_assert_ptr_null(second("", &err));
	ck_assert_int_eq(err, -EINVAL);
}
END_TEST

/* ---- connection floods ---- */

/* n idle connections; each client fd goes in fds. */
static void open_idle(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		fds[i] = client();
		if (i % 8 == 7)
			pump();
	}
	pump();
}

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

/*
 * A press through a connection opened after the others, answered before
 * any idle timeout could help (the fake clock does not move) and within
 * 100 ms of wall time.
 */
static void press_gets_through(void)
{
	struct replies r = { 0 };
	uint64_t t0 = wall_us();
	int fd = client();

	request(fd, "symptom\n", &r);
	ck_assert_uint_eq(r.oks, 1);
	ck_assert_uint_eq(handled[CTL_CMD_SYMPTOM], 1);
	ck_assert_uint_lt(wall_us() - t0, 100 * USEC_PER_MSEC);
	close(fd);
	/* Bounded: the flood never holds more than the limits allow. */
	ck_assert_uint_le(control_client_count(ctl),
			  CONTROL_MAX_CLIENTS + CONTROL_MAX_WAITING);
}

START_TEST(symptom_gets_through_100_idle_connections)
{
	int fds[100];

	open_idle(fds, 100);
	press_gets_through();
	for (unsigned i = 0; i < 100; i++)
		close(fds[i]);
}
END_TEST

START_TEST(symptom_gets_through_a_flood_in_progress)
{
	struct replies r = { 0 };
	int fds[200], fd = -1;

	/* The press arrives in the middle of the flood, its line sent as
	 * it connects (as pacectl does), before paced has accepted any. */
	for (unsigned i = 0; i < 200; i++) {
		fds[i] = client();
		if (i == 50) {
			fd = client();
			send_str(fd, "symptom\n", 8);
		}
	}
	wait_past(fd, &r, 0);
	ck_assert_uint_eq(r.oks, 1);
	ck_assert_uint_eq(handled[CTL_CMD_SYMPTOM], 1);
	close(fd);
	for (unsigned i = 0; i < 200; i++)
		close(fds[i]);
}
END_TEST

START_TEST(symptom_gets_through_busy_watchers)
{
	struct replies r = { 0 }, w[CONTROL_MAX_PER_UID];
	int fds[CONTROL_MAX_PER_UID], fd;

	/* Watchers are never idle: this user's every place is taken. */
	memset(w, 0, sizeof(w));
	for (unsigned i = 0; i < CONTROL_MAX_PER_UID; i++) {
		fds[i] = client();
		request(fds[i], "watch\n", &w[i]);
		ck_assert_uint_eq(w[i].oks, 1);
	}
	/* Anything else is refused, politely... */
	fd = client();
	request(fd, "status\n", &r);
	ck_assert_uint_eq(r.errors, 1);
	ck_assert_ptr_nonnull(strstr(r.last, "too many connections"));
	ck_assert_uint_eq(handled[CTL_CMD_STATUS], 0);
	close(fd);
	/* ...but a press, a pause and a stop get through. */
	press_gets_through();
	memset(&r, 0, sizeof(r));
	fd = client();
	request(fd, "stop\n", &r);
	ck_assert_uint_eq(r.oks, 1);
	/* And it was one request: the connection is closed after it. */
	wait_eof(fd, &r);
	ck_assert(r.eof);
	close(fd);
	for (unsigned i = 0; i < CONTROL_MAX_PER_UID; i++)
		close(fds[i]);
}
END_TEST

START_TEST(idle_clients_closed_watchers_kept)
{
	struct replies idle = { 0 }, watcher = { 0 }, scanner = { 0 };
	int a = client(), b = client(), c = client();

	request(a, "status\n", &idle);
	request(b, "watch\n", &watcher);
	send_str(c, "scan 5\n", 7);
	pump();
	ck_assert_ptr_nonnull(held);
	ck_assert_uint_eq(control_client_count(ctl), 3);
	fake_clock_advance(&fc, (CONTROL_IDLE_S - 1) * USEC_PER_SEC);
	pump();
	ck_assert_uint_eq(control_client_count(ctl), 3);
	fake_clock_advance(&fc, 2 * USEC_PER_SEC);
	pump();
	drain(a, &idle);
	/* The idle one was told and closed; the watcher and the one
	 * waiting for its scan stay. */
	ck_assert(idle.eof);
	ck_assert_ptr_nonnull(strstr(idle.last, "idle"));
	ck_assert_uint_eq(control_client_count(ctl), 2);
	control_reply(held, "{\"ok\":true}");
	control_client_unref(held);
	held = NULL;
	pump();
	drain(c, &scanner);
	ck_assert_uint_eq(scanner.oks, 1);
	/* Now idle too, from its reply on. */
	fake_clock_advance(&fc, (CONTROL_IDLE_S + 1) * USEC_PER_SEC);
	pump();
	ck_assert_uint_eq(control_client_count(ctl), 1);
	drain(b, &watcher);
	ck_assert(!watcher.eof);
	close(a);
	close(b);
	close(c);
}
END_TEST

START_TEST(oldest_idle_client_makes_room)
{
	struct replies first = { 0 }, last = { 0 };
	int fds[CONTROL_MAX_PER_UID], fd;

	open_idle(fds, CONTROL_MAX_PER_UID);
	fake_clock_advance(&fc, USEC_PER_SEC);
	/* One more of the same user: served, the oldest idle one closed. */
	fd = client();
	request(fd, "status\n", &last);
	ck_assert_uint_eq(last.oks, 1);
	drain(fds[0], &first);
	ck_assert(first.eof);
	ck_assert_ptr_nonnull(strstr(first.last, "too many connections"));
	ck_assert_uint_eq(control_client_count(ctl), CONTROL_MAX_PER_UID);
	close(fd);
	for (unsigned i = 0; i < CONTROL_MAX_PER_UID; i++)
		close(fds[i]);
}
END_TEST

/* ---- other users (root only: the test takes their uids and groups) ---- */

#define GROUP ((gid_t) 54321)	/* the control group: numbers suffice */

static void peers_setup(void)
{
	int err = 0;

	setup();
	control_free(ctl);
	ctl = control_new(loop, path, GROUP, on_request, NULL, &err);
	ck_assert_msg(ctl != NULL, "control_new: %d", err);
	/* Others may reach the socket; the socket itself is 0660. */
	ck_assert_int_eq(chmod(dir, 0711), 0);
}

/* Connect as uid with primary group gid and supplementary groups. The
 * kernel records the credentials at connect(2) (SO_PEERCRED,
 * SO_PEERGROUPS); we are root again right after. */
static int client_as(uid_t uid, gid_t gid, const gid_t *groups, size_t n)
{
	int fd;

	ck_assert_int_eq(setgroups(n, groups), 0);
	ck_assert_int_eq(setegid(gid), 0);
	ck_assert_int_eq(seteuid(uid), 0);
	fd = connect_path(path);
	ck_assert_int_eq(seteuid(0), 0);
	ck_assert_int_eq(setegid(0), 0);
	ck_assert_int_eq(setgroups(0, NULL), 0);
	return fd;
}

START_TEST(peer_in_supplementary_group_accepted)
{
	const gid_t groups[] = { 100, GROUP };
	struct replies r = { 0 };
	int fd = client_as(54320, 54320, groups, 2);

	ck_assert_int_ge(fd, 0);
	request(fd, "status\n", &r);
	ck_assert_uint_eq(r.oks, 1);
	close(fd);
}
END_TEST

START_TEST(peer_not_in_group_refused_with_reason)
{
	const gid_t groups[] = { 100 };
	struct replies r = { 0 };
	int fd;

	/* The file's mode keeps such a user out first (EACCES): open it
	 * up, as a careless chmod would, to reach paced's own check. */
	ck_assert_int_eq(chmod(path, 0666), 0);
	fd = client_as(54322, 54322, groups, 1);
	ck_assert_int_ge(fd, 0);
	/* The request goes out before paced has even accepted. */
	send_str(fd, "status\n", 7);
	wait_eof(fd, &r);
	ck_assert(r.eof);
	ck_assert_int_eq(r.err, 0);	/* a line and a close, not a reset */
	ck_assert_uint_eq(r.errors, 1);
	ck_assert_str_eq(r.last, "{\"ok\":false,\"error\":\"permission denied: uid 54322 is not in group 54321, whose members may use paced (sudo usermod -aG 54321 USER, then log in again)\"}");
	ck_assert_uint_eq(handled[CTL_CMD_STATUS], 0);
	close(fd);
}
END_TEST

START_TEST(symptom_gets_through_100_idle_from_several_uids)
{
	const gid_t groups[] = { GROUP };
	struct replies r = { 0 };
	int fds[100], fd;

	/* Four users, 25 idle connections each: more than the limits. */
	for (unsigned i = 0; i < 100; i++) {
		fds[i] = client_as(54330 + i % 4, 54330 + i % 4, groups, 1);
		ck_assert_int_ge(fds[i], 0);
		if (i % 8 == 7)
			pump();
	}
	pump();
	ck_assert_uint_le(control_client_count(ctl),
			  CONTROL_MAX_CLIENTS + CONTROL_MAX_WAITING);
	/* A fifth user, and one of the four. */
	fd = client_as(54340, 54340, groups, 1);
	request(fd, "symptom\n", &r);
	ck_assert_uint_eq(r.oks, 1);
	close(fd);
	fd = client_as(54330, 54330, groups, 1);
	request(fd, "symptom\n", &r);
	ck_assert_uint_eq(r.oks, 2);
	ck_assert_uint_eq(handled[CTL_CMD_SYMPTOM], 2);
	close(fd);
	for (unsigned i = 0; i < 100; i++)
		close(fds[i]);
}
END_TEST

START_TEST(symptom_gets_through_busy_watchers_of_several_uids)
{
	const gid_t groups[] = { GROUP };
	struct replies w[CONTROL_MAX_CLIENTS], r = { 0 };
	int fds[CONTROL_MAX_CLIENTS], fd;

	/* Every place taken by watchers, who are never idle. */
	memset(w, 0, sizeof(w));
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		uid_t uid = 54350 + i / CONTROL_MAX_PER_UID;

		fds[i] = client_as(uid, uid, groups, 1);
		request(fds[i], "watch\n", &w[i]);
		ck_assert_uint_eq(w[i].oks, 1);
	}
	fd = client_as(54360, 54360, groups, 1);
	request(fd, "status\n", &r);
	ck_assert_ptr_nonnull(strstr(r.last, "too many connections"));
	close(fd);
	memset(&r, 0, sizeof(r));
	fd = client_as(54360, 54360, groups, 1);
	request(fd, "symptom\n", &r);
	ck_assert_uint_eq(r.oks, 1);
	close(fd);
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control");
	bool root = test_may_take_other_ids();
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

	tc = tcase_create("path");
	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, control_path_never_deletes_a_file);
	tcase_add_test(tc, control_path_never_takes_a_live_socket);
	tcase_add_test(tc, control_path_replaces_a_stale_socket);
	tcase_add_test(tc, control_path_unlinks_only_its_own);
	tcase_add_test(tc, control_path_never_abstract);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, symptom_gets_through_100_idle_connections);
	tcase_add_test(tc, symptom_gets_through_a_flood_in_progress);
	tcase_add_test(tc, symptom_gets_through_busy_watchers);
	tcase_add_test(tc, idle_clients_closed_watchers_kept);
	tcase_add_test(tc, oldest_idle_client_makes_room);
	suite_add_tcase(s, tc);

	if (root) {
		tc = tcase_create("peers");
		tcase_set_timeout(tc, 20);
		tcase_add_checked_fixture(tc, peers_setup, teardown);
		tcase_add_test(tc, peer_in_supplementary_group_accepted);
		tcase_add_test(tc, peer_not_in_group_refused_with_reason);
		tcase_add_test(tc, symptom_gets_through_100_idle_from_several_uids);
		tcase_add_test(tc, symptom_gets_through_busy_watchers_of_several_uids);
		suite_add_tcase(s, tc);
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	if (!root) {
		printf("SKIP: the other-users cases (peers) need root of the whole machine to take other uids and groups\n");
		return 77;
	}
	return EXIT_SUCCESS;
}
