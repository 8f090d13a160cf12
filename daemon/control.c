/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket: line requests in, one JSON object per reply. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control.h"
#include "json.h"
#include "util.h"

/*
 * A client that does not read its replies may hold at most this much
 * output; past it we drop the client rather than block or grow, so one
 * slow or vanished pacectl never stalls the daemon or the others.
 */
#define CLIENT_OUT_MAX (64 * 1024)
/* Connections accepted per wakeup: a flood cannot starve the loop. */
#define ACCEPT_BATCH 16
/* accept(2) out of descriptors: listen again after this long. */
#define ACCEPT_PAUSE_US (100 * USEC_PER_MSEC)

/*
 * Connections. Every connection is accepted at once (one left in the
 * listen backlog could be the symptom press). Up to CONTROL_MAX_CLIENTS
 * are admitted, at most CONTROL_MAX_PER_UID of one user; an admitted
 * client that is not watching and has no request outstanding is closed
 * CONTROL_IDLE_S after its last reply. A connection over the limits
 * first takes the place of the oldest such idle client (of its own user
 * when it is its user's limit that is reached); failing that it is let
 * in on sufferance: it may send one request within CONTROL_WAITING_S,
 * which is served when it slows or stops the belt (symptom, pause,
 * stop) and refused otherwise, then it is closed. At most
 * CONTROL_MAX_WAITING wait; a newer one closes the oldest. So whatever
 * other clients do, a press gets through: pacectl sends its line as it
 * connects, and what a connection has sent is read the moment it is
 * accepted, before any connection behind it could push it out.
 */
enum client_state {
	CLIENT_ADMITTED,
	CLIENT_WAITING,		/* over the limits: one urgent line */
	CLIENT_REFUSED,		/* told why, its input read and dropped */
};

struct control_client {
	struct control *ctl;
	int fd;
	int watch_id;
	int timer_id;		/* idle or waiting deadline, 0 none */
	uid_t uid;
	enum client_state state;
	uint64_t since_us;	/* accepted, or its last reply (loop clock) */
	struct ctl_linebuf in;
	char *out;
	size_t out_len;
	bool watching;
	bool dead;
	bool replied;
	bool closing;		/* close once the output is flushed */
	/*
	 * A deferred reply (control_defer()) holds a reference: the client
	 * may hang up meanwhile, and is then closed and taken off the list
	 * ("gone") but freed only when the last reference goes.
	 */
	unsigned refs;
	bool deferred;
	bool gone;
	struct control_client *next;
};

struct control {
	struct loop *loop;
	int fd;
	int watch_id;
	int pause_id;		/* accepting paused (EMFILE) */
	char *path;
	dev_t dev;		/* the socket file we bound, to unlink */
	ino_t ino;		/* only that one */
	gid_t gid;		/* peers in this group are let in */
	char group[64];		/* its name, for the refusal */
	control_request_func_t func;
	control_unknown_func_t unknown;
	void *user_data;
	struct control_client *clients;
	int reap_id;		/* idle callback freeing dead clients */
};

static void schedule_reap(struct control *ctl);

/* Close the connection; the struct lives on while a reference holds it. */
static void client_free(struct control_client *c)
{
	struct control_client **pc;

	for (pc = &c->ctl->clients; *pc; pc = &(*pc)->next) {
		if (*pc == c) {
			*pc = c->next;
			break;
		}
	}
	if (c->watch_id > 0)
		loop_remove(c->ctl->loop, c->watch_id);
	if (c->timer_id > 0)
		loop_remove(c->ctl->loop, c->timer_id);
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->out_len = 0;
	c->dead = true;
	c->gone = true;
	c->ctl = NULL;
	c->next = NULL;
	if (!c->refs)
		free(c);
}

struct control_client *control_defer(struct control_client *client)
{
	client->refs++;
	client->deferred = true;
	return client;
}

void control_client_unref(struct control_client *client)
{
	if (!client)
		return;
	assert(client->refs > 0);
	if (--client->refs == 0 && client->gone)
		free(client);
}

bool control_client_connected(const struct control_client *client)
{
	return !client->gone && !client->dead;
}

uid_t control_client_uid(const struct control_client *client)
{
	return client->uid;
}

static void update_events(struct control_client *c)
{
	loop_modify_fd(c->ctl->loop, c->watch_id,
		       EPOLLIN | EPOLLRDHUP | (c->out_len ? EPOLLOUT : 0));
}

/* A client found dead outside its own callback is freed from an idle
 * callback, never under the feet of code that is using it. */
static void mark_dead(struct control_client *c)
{
	c->dead = true;
	c->out_len = 0;
	schedule_reap(c->ctl);
}

static void flush_out(struct control_client *c)
{
	while (c->out_len) {
		ssize_t n = send(c->fd, c->out, c->out_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			mark_dead(c);
			return;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t) n);
		c->out_len -= (size_t) n;
	}
	if (c->closing && !c->out_len) {
		mark_dead(c);
		return;
	}
	update_events(c);
}

static void send_line(struct control_client *c, const char *json)
{
	size_t len = strlen(json);

	if (c->dead)
		return;
	if (c->out_len + len + 1 > CLIENT_OUT_MAX) {
		mark_dead(c);
		return;
	}
	c->out = paced_realloc(c->out, c->out_len + len + 1);
	memcpy(c->out + c->out_len, json, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	flush_out(c);
}

static char *error_json(const char *error)
{
	struct json *j = json_new_buffer();
	char *s;

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, false);
	json_key(j, "error");
	json_string(j, error);
	json_object_end(j);
	s = paced_strdup(json_buffer(j, NULL));
	json_free(j);
	return s;
}

static void arm_timer(struct control_client *c, uint64_t delay_us);

void control_reply(struct control_client *client, const char *json)
{
	client->replied = true;
	client->deferred = false;
	/* A client gone while its reply was deferred: nobody to tell. */
	if (client->gone)
		return;
	/* One request is all a waiting client gets. */
	if (client->state == CLIENT_WAITING)
		client->closing = true;
	else if (!client->watching)
		arm_timer(client, CONTROL_IDLE_S * USEC_PER_SEC);
	send_line(client, json);
}

void control_reply_error(struct control_client *client, const char *error)
{
	char *json = error_json(error);

	control_reply(client, json);
	free(json);
}

/* Tell the client why, then close it (after the line is sent). */
static void close_with(struct control_client *c, const char *error)
{
	char *json = error_json(error);

	c->closing = true;
	send_line(c, json);
	free(json);
	/* Not read in time either: it is closed now. */
	if (!c->dead && c->out_len)
		mark_dead(c);
}

void control_watch(struct control_client *client)
{
	client->watching = true;
	/* A watcher stays as long as it reads. */
	if (client->timer_id > 0)
		loop_remove(client->ctl->loop, client->timer_id);
	client->timer_id = 0;
}

static bool reap_dead(void *user_data)
{
	struct control *ctl = user_data;
	struct control_client *c, *next;

	for (c = ctl->clients; c; c = next) {
		next = c->next;
		if (c->dead)
			client_free(c);
	}
	ctl->reap_id = 0;
	return false;
}

static void schedule_reap(struct control *ctl)
{
	if (ctl && !ctl->reap_id)
		ctl->reap_id = loop_add_idle(ctl->loop, reap_dead, ctl, NULL);
}

void control_broadcast(struct control *ctl, const char *json)
{
	for (struct control_client *c = ctl->clients; c; c = c->next)
		if (c->watching)
			send_line(c, json);
}

void control_set_unknown(struct control *ctl, control_unknown_func_t func)
{
	ctl->unknown = func;
}

unsigned control_client_count(const struct control *ctl)
{
	unsigned n = 0;

	for (struct control_client *c = ctl->clients; c; c = c->next)
		if (!c->dead)
			n++;
	return n;
}

/* ---- limits ---- */

static bool on_deadline(void *user_data)
{
	struct control_client *c = user_data;
	char why[64];

	c->timer_id = 0;
	/* A request outstanding or a watch: not idle after all. */
	if (c->dead || c->deferred || c->watching)
		return false;
	/* Refused, or served and not reading its reply: just close. */
	if (c->state == CLIENT_REFUSED || c->closing) {
		mark_dead(c);
		return false;
	}
	if (c->state == CLIENT_WAITING)
		snprintf(why, sizeof(why), "too many connections: closed without a request");
	else
		snprintf(why, sizeof(why), "idle: closed %d s after the last reply",
			 CONTROL_IDLE_S);
	close_with(c, why);
	return false;
}

static void arm_timer(struct control_client *c, uint64_t delay_us)
{
	uint64_t at = loop_now(c->ctl->loop) + delay_us;

	c->since_us = loop_now(c->ctl->loop);
	if (c->timer_id > 0 &&
	    loop_timer_reschedule(c->ctl->loop, c->timer_id, at) == 0)
		return;
	c->timer_id = loop_add_timer(c->ctl->loop, at, 0, on_deadline, c,
				     NULL);
	if (c->timer_id < 0)
		c->timer_id = 0;
}

static bool is_idle(const struct control_client *c)
{
	return c->state == CLIENT_ADMITTED && !c->dead && !c->closing &&
	       !c->watching && !c->deferred;
}

/*
 * Count the live clients in state (of uid, unless uid is (uid_t) -1),
 * and find the oldest idle one among them.
 */
static unsigned count(const struct control *ctl, enum client_state state,
		      uid_t uid, struct control_client **ret_oldest_idle)
{
	struct control_client *oldest = NULL;
	unsigned n = 0;

	for (struct control_client *c = ctl->clients; c; c = c->next) {
		if (c->dead || c->state != state ||
		    (uid != (uid_t) -1 && c->uid != uid))
			continue;
		n++;
		if ((state != CLIENT_ADMITTED || is_idle(c)) &&
		    (!oldest || c->since_us <= oldest->since_us))
			oldest = c;
	}
	if (ret_oldest_idle)
		*ret_oldest_idle = oldest;
	return n;
}

/* Where a new connection from uid goes (see the comment at the top). */
static enum client_state place(struct control *ctl, uid_t uid)
{
	struct control_client *mine, *any, *waiting;

	if (count(ctl, CLIENT_ADMITTED, uid, &mine) >= CONTROL_MAX_PER_UID) {
		if (!mine)
			goto wait;
		close_with(mine, "too many connections of your user: closed the oldest idle one");
		return CLIENT_ADMITTED;
	}
	if (count(ctl, CLIENT_ADMITTED, (uid_t) -1, &any) >= CONTROL_MAX_CLIENTS) {
		if (!any)
			goto wait;
		close_with(any, "too many connections: closed the oldest idle one");
	}
	return CLIENT_ADMITTED;
wait:
	if (count(ctl, CLIENT_WAITING, (uid_t) -1, &waiting) >=
	    CONTROL_MAX_WAITING && waiting)
		close_with(waiting, "too many connections: closed without a request");
	return CLIENT_WAITING;
}

/* A refused connection: at most CONTROL_MAX_WAITING linger. */
static enum client_state refused(struct control *ctl)
{
	struct control_client *oldest;

	if (count(ctl, CLIENT_REFUSED, (uid_t) -1, &oldest) >=
	    CONTROL_MAX_WAITING && oldest)
		mark_dead(oldest);
	return CLIENT_REFUSED;
}

/* What a client over the limits may still ask: anything that slows or
 * stops the belt (docs/design.md: anything may slow or stop it at once,
 * from any front end). */
static bool slows_or_stops(enum ctl_cmd cmd)
{
	switch (cmd) {
	case CTL_CMD_SYMPTOM:
	case CTL_CMD_PAUSE:
	case CTL_CMD_STOP:
	case CTL_CMD_END:
		return true;
	case CTL_CMD_STATUS:
	case CTL_CMD_RESUME:
	case CTL_CMD_START:
	case CTL_CMD_WATCH:
	case CTL_CMD_SCAN:
	case CTL_CMD_PROFILES:
	case CTL_CMD_HISTORY:
	case CTL_CMD_NEXT:
	case CTL_CMD_PROFILE:
	case CTL_CMD_CHECKIN:
		return false;
	}
	return false;
}

/* ---- requests ---- */

static void handle_line(struct control_client *c, const char *line,
			size_t len)
{
	struct ctl_request req;
	const char *error;

	/* Replies keep the order of requests: one at a time. */
	if (c->deferred) {
		control_reply_error(c, "busy: the previous request has not been answered yet");
		return;
	}
	if (ctl_parse_request(line, len, &req, &error) < 0) {
		/* A plugin's command never slows the belt: not for a client
		 * let in past the limits. */
		if (c->ctl->unknown && !strcmp(error, "unknown command") &&
		    c->state != CLIENT_WAITING) {
			char text[CTL_LINE_MAX + 1];

			memcpy(text, line, len);
			text[len] = '\0';
			c->replied = false;
			c->ctl->unknown(c, text, c->ctl->user_data);
			if (!c->replied && !c->deferred)
				control_reply_error(c, "internal error: no reply");
			return;
		}
		control_reply_error(c, error);
		return;
	}
	if (c->state == CLIENT_WAITING && !slows_or_stops(req.cmd)) {
		control_reply_error(c, "too many connections: only symptom, pause, end and stop are taken now; try again in a few seconds");
		return;
	}
	c->replied = false;
	c->ctl->func(c, &req, c->ctl->user_data);
	/* A handler that forgot to answer would hang the client. */
	if (!c->replied && !c->deferred)
		control_reply_error(c, "internal error: no reply");
}

/* One read of what the client sent, and every complete line in it. */
static void read_input(struct control_client *c)
{
	char buf[1024];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	const char *p = buf;
	size_t left;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		c->dead = true;
		return;
	}
	if (c->state == CLIENT_REFUSED)
		return;
	left = n > 0 ? (size_t) n : 0;
	/* A closing client's further lines are not read. */
	while (left && !c->dead && !c->closing) {
		const char *line;
		size_t len;

		switch (ctl_linebuf_feed(&c->in, &p, &left, &line, &len)) {
		case CTL_LINE_OK:
			handle_line(c, line, len);
			break;
		case CTL_LINE_TOO_LONG:
			control_reply_error(c, "request too long");
			break;
		case CTL_LINE_NONE:
			break;
		}
	}
}

static bool on_client(int fd, uint32_t events, void *user_data)
{
	struct control_client *c = user_data;

	if (events & EPOLLOUT)
		flush_out(c);
	if (!c->dead && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		read_input(c);
	if (c->dead) {
		/* The loop drops the watch when we return false. */
		c->watch_id = 0;
		client_free(c);
		return false;
	}
	return true;
}

/* ---- who may connect ---- */

/*
 * Is the peer in gid, as its primary or a supplementary group? Groups
 * are those of the peer at connect(2), as its uid and gid are.
 * SO_PEERGROUPS (Linux 4.13) says exactly that; older kernels fall back
 * to /proc/PID/status, read now, not at connect(2): the peer may have
 * changed its groups or exited since (and its pid been reused), which
 * is why it is only the fallback.
 */
static bool peer_in_group(int fd, const struct ucred *cred, gid_t gid)
{
	char path[64], line[4096];
	bool found = false;
	FILE *f;

	if (cred->gid == gid)
		return true;
#ifdef SO_PEERGROUPS
	{
		gid_t small[64], *groups = small;
		socklen_t len = sizeof(small);
		int r;

		r = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len);
		if (r < 0 && errno == ERANGE) {
			/* More than 64 groups: len says how many bytes. */
			groups = paced_malloc(len);
			r = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups,
				       &len);
		}
		for (size_t i = 0; r == 0 && i < len / sizeof(gid_t); i++)
			found |= groups[i] == gid;
		if (groups != small)
			free(groups);
		if (r == 0)
			return found;
	}
#endif
	snprintf(path, sizeof(path), "/proc/%ld/status", (long) cred->pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = line + 7, *end;

		if (strncmp(line, "Groups:", 7))
			continue;
		for (;;) {
			unsigned long g = strtoul(p, &end, 10);

			if (end == p)
				break;
			found |= (gid_t) g == gid;
			p = end;
		}
		break;
	}
	if (f)
		fclose(f);
	return found;
}

/* Root, our own user, or a member of the socket's group. */
static bool peer_allowed(const struct control *ctl, int fd,
			 const struct ucred *cred, char *why, size_t len)
{
	if (cred->uid == 0 || cred->uid == geteuid() ||
	    (ctl->gid != (gid_t) -1 && peer_in_group(fd, cred, ctl->gid)))
		return true;
	snprintf(why, len, "permission denied: uid %u is not in group %s, whose members may use paced (sudo usermod -aG %s USER, then log in again)",
		 (unsigned) cred->uid, ctl->group, ctl->group);
	return false;
}

static void accept_one(struct control *ctl, int cfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct control_client *c;
	char why[256];

	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		close(cfd);
		return;
	}
	c = paced_new0(struct control_client, 1);
	c->ctl = ctl;
	c->fd = cfd;
	c->uid = cred.uid;
	if (!peer_allowed(ctl, cfd, &cred, why, sizeof(why)))
		c->state = refused(ctl);
	else
		c->state = place(ctl, cred.uid);
	c->watch_id = loop_add_fd(ctl->loop, cfd, EPOLLIN | EPOLLRDHUP,
				  on_client, c, NULL);
	if (c->watch_id < 0) {
		close(cfd);
		free(c);
		return;
	}
	c->next = ctl->clients;
	ctl->clients = c;
	arm_timer(c, c->state == CLIENT_ADMITTED ?
		  CONTROL_IDLE_S * USEC_PER_SEC :
		  CONTROL_WAITING_S * USEC_PER_SEC);
	if (c->state == CLIENT_REFUSED) {
		/*
		 * Say why, and read what it sends until it hangs up (or
		 * CONTROL_WAITING_S): closing at once would fail the
		 * request it is about to send (EPIPE) or reset it (Unix
		 * sockets closed with unread data do), and "Broken pipe"
		 * or "Connection reset by peer" tell the person nothing.
		 */
		char *json = error_json(why);

		send_line(c, json);
		free(json);
		(void) shutdown(cfd, SHUT_WR);
	}
	/*
	 * pacectl sends its line as it connects, so it is usually here
	 * already: serve it now, before the connections behind it in the
	 * backlog are accepted and could push it out.
	 */
	read_input(c);
	if (c->dead)
		client_free(c);
}

static bool resume_accepting(void *user_data)
{
	struct control *ctl = user_data;

	ctl->pause_id = 0;
	loop_modify_fd(ctl->loop, ctl->watch_id, EPOLLIN);
	return false;
}

static bool on_accept(int fd, uint32_t events, void *user_data)
{
	struct control *ctl = user_data;

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			accept_one(ctl, cfd);
			continue;
		}
		if ((errno == EMFILE || errno == ENFILE) && !ctl->pause_id) {
			/* Out of descriptors (not ours: the client limits
			 * keep us far below them): the listening socket
			 * stays readable, so stop polling it for a moment
			 * rather than spin. */
			loop_modify_fd(ctl->loop, ctl->watch_id, 0);
			ctl->pause_id = loop_add_timeout(ctl->loop,
							 ACCEPT_PAUSE_US, false,
							 resume_accepting, ctl,
							 NULL);
		}
		break;
	}
	return true;
}

/* ---- the socket file ---- */

/*
 * Someone answers on path: 1; a stale socket nobody listens on: 0; else
 * a negative errno (-EACCES: we cannot tell).
 */
static int socket_answers(const struct sockaddr_un *sun)
{
	int fd, r;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *) sun, sizeof(*sun));
	r = r == 0 ? 1 : errno == ECONNREFUSED ? 0 : -errno;
	close(fd);
	return r;
}

/*
 * What is at path may be replaced only when it is a socket nobody
 * answers on: a regular file, a directory, a symbolic link or a live
 * socket (another paced, or anything else) is left alone and refused.
 * Returns 0 when path is free now.
 */
static int clear_path(const struct sockaddr_un *sun)
{
	struct stat st;
	int r;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	r = socket_answers(sun);
	if (r > 0)
		return -EADDRINUSE;
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	/* Between the lstat and here another paced could have bound a new
	 * one in its place; then its own connect test did not see ours, and
	 * two starting in the same instant is the one race left. */
	if (unlink(sun->sun_path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static void group_name(gid_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		snprintf(buf, len, "%s", gr->gr_name);
	else
		snprintf(buf, len, "%u", (unsigned) gid);
}

struct control *control_new(struct loop *loop, const char *path, gid_t gid,
			    control_request_func_t func, void *user_data,
			    int *ret_err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *ctl;
	struct stat st;
	mode_t old;
	int r;

	/* "" would bind an abstract socket: no file, no permissions. */
	if (!path || !path[0]) {
		*ret_err = -EINVAL;
		return NULL;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		*ret_err = -ENAMETOOLONG;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path));
	ctl = paced_new0(struct control, 1);
	ctl->loop = loop;
	ctl->gid = gid;
	ctl->func = func;
	ctl->user_data = user_data;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		goto fail_errno;
	r = clear_path(&sun);
	if (r < 0)
		goto fail;
	/* OpenBSD control_init(): the mode is right from the first moment. */
	old = umask(0117);
	r = bind(ctl->fd, (struct sockaddr *) &sun, sizeof(sun));
	umask(old);
	if (r < 0)
		goto fail_errno;
	if (lstat(path, &st) < 0) {
		(void) unlink(path);
		goto fail_errno;
	}
	/* From here on the file is ours, and only ours is unlinked. */
	ctl->path = paced_strdup(path);
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	/* Only when needed: the unit's system call filter has no chown. */
	if (gid != (gid_t) -1 && st.st_gid != gid &&
	    chown(path, (uid_t) -1, gid) < 0)
		goto fail_errno;
	/* No group given: the one the socket got (ours, or the directory's
	 * when it is set-group-ID), whose members the file lets in. */
	if (gid == (gid_t) -1)
		ctl->gid = st.st_gid;
	group_name(ctl->gid, ctl->group, sizeof(ctl->group));
	if (listen(ctl->fd, SOMAXCONN) < 0)
		goto fail_errno;
	r = loop_add_fd(loop, ctl->fd, EPOLLIN, on_accept, ctl, NULL);
	if (r < 0)
		goto fail;
	ctl->watch_id = r;
	return ctl;

fail_errno:
	r = -errno;
fail:
	*ret_err = r;
	control_free(ctl);
	return NULL;
}

void control_free(struct control *ctl)
{
	struct stat st;

	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	if (ctl->reap_id > 0)
		loop_remove(ctl->loop, ctl->reap_id);
	if (ctl->pause_id > 0)
		loop_remove(ctl->loop, ctl->pause_id);
	if (ctl->watch_id > 0)
		loop_remove(ctl->loop, ctl->watch_id);
	if (ctl->fd >= 0)
		close(ctl->fd);
	/* Only if the path still names the socket we bound: one a second
	 * paced put in its place, or anything else, is not ours. */
	if (ctl->path && lstat(ctl->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		(void) unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

const char *control_strerror(int err)
{
	switch (-err) {
	case EINVAL:
		return "no socket path given";
	case EEXIST:
		return "exists and is not a socket; paced replaces only a socket nobody answers on";
	case EISDIR:
		return "is a directory";
	case ELOOP:
		return "is a symbolic link; paced replaces only a socket nobody answers on";
	case EADDRINUSE:
		return "another program answers on it (another paced?)";
	case ENAMETOOLONG:
		return "the path is longer than a Unix socket path may be (107 bytes)";
	default:
		return strerror(-err);
	}
}

/* ---- start-up checks ---- */

/*
 * Can a file made here by this process be given to gid, as control_new()
 * gives the socket? Found out by doing it, on a file of our own: that
 * takes in everything that decides (membership of the group, CAP_CHOWN,
 * a set-group-ID directory, a system call filter).
 */
static int try_chown(const char *dir, gid_t gid)
{
	char tmp[PATH_MAX];
	struct stat st;
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "%s/.paced-check-XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (st.st_gid != gid && fchown(fd, (uid_t) -1, gid) < 0)
		r = -errno;
	(void) unlink(tmp);
	close(fd);
	return r;
}

int control_check_setup(const char *path, const char *group, gid_t *ret_gid,
			char *why, size_t len)
{
	char dir[sizeof(((struct sockaddr_un *) 0)->sun_path)];
	gid_t gid = (gid_t) -1;
	const char *slash;
	struct stat st;
	int r;

	if (!path || !path[0]) {
		snprintf(why, len, "control socket: %s", control_strerror(-EINVAL));
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(dir)) {
		snprintf(why, len, "control socket %s: %s", path,
			 control_strerror(-ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if (group && group[0]) {
		struct group *gr = getgrnam(group);

		if (!gr) {
			snprintf(why, len, "control group '%s' does not exist (create it: systemd-sysusers, or groupadd --system %s)",
				 group, group);
			return -ENOENT;
		}
		gid = gr->gr_gid;
	}

	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int) (slash - path), path);
	r = stat(dir, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	/* The unit's RuntimeDirectory= makes /run/paced as the service
	 * starts: not there yet before the first start is no fault. */
	if (r == -ENOENT && !strcmp(dir, RUNDIR)) {
		*ret_gid = gid;
		return 0;
	}
	if (r < 0) {
		snprintf(why, len, "control socket %s: its directory %s %s",
			 path, dir, r == -ENOENT ? "does not exist (under systemd, RuntimeDirectory= creates it)" :
			 r == -ENOTDIR ? "is not a directory" : strerror(-r));
		return r;
	}
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0) {
		r = -errno;
		snprintf(why, len, "control socket %s: uid %u cannot create files in %s (%s)",
			 path, (unsigned) geteuid(), dir, strerror(-r));
		return r;
	}
	r = gid != (gid_t) -1 ? try_chown(dir, gid) : 0;
	if (r < 0) {
		snprintf(why, len, "control group '%s': uid %u cannot give the socket to it (%s); paced must be a member of the group (or use its own group)",
			 group, (unsigned) geteuid(), strerror(-r));
		return r;
	}

	/*
	 * What control_new() would refuse to replace. A live socket is
	 * left to control_new(): here it is most likely the running
	 * service's, checked before a reload.
	 */
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		r = S_ISLNK(st.st_mode) ? -ELOOP : S_ISDIR(st.st_mode) ?
		    -EISDIR : -EEXIST;
		snprintf(why, len, "control socket %s: %s", path,
			 control_strerror(r));
		return r;
	}
	*ret_gid = gid;
	return 0;
}
