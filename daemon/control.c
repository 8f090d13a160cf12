/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket: line requests in, one JSON object per reply. */
#include <assert.h>
#include <errno.h>
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
#define MAX_CLIENTS 16

struct control_client {
	struct control *ctl;
	int fd;
	int watch_id;
	struct ctl_linebuf in;
	char *out;
	size_t out_len;
	bool watching;
	bool dead;
	bool replied;
	/*
	 * A deferred reply (control_defer()) holds a reference: the client
	 * may hang up meanwhile, and is then closed and taken off the list
	 * ("gone") but freed only when the last reference goes.
	 */
	unsigned refs;
	bool deferred;
	bool gone;
	long uid;		/* the peer's (SO_PEERCRED) */
	struct control_client *next;
};

struct control {
	struct loop *loop;
	int fd;
	int watch_id;
	char *path;
	gid_t gid;
	control_request_func_t func;
	control_unknown_func_t unknown;
	void *user_data;
	struct control_client *clients;
	int reap_id;		/* idle callback freeing dead clients */
};

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

static void update_events(struct control_client *c)
{
	loop_modify_fd(c->ctl->loop, c->watch_id,
		       EPOLLIN | EPOLLRDHUP | (c->out_len ? EPOLLOUT : 0));
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
			c->dead = true;
			c->out_len = 0;
			return;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t) n);
		c->out_len -= (size_t) n;
	}
	update_events(c);
}

static void send_line(struct control_client *c, const char *json)
{
	size_t len = strlen(json);

	if (c->dead)
		return;
	if (c->out_len + len + 1 > CLIENT_OUT_MAX) {
		c->dead = true;
		return;
	}
	c->out = paced_realloc(c->out, c->out_len + len + 1);
	memcpy(c->out + c->out_len, json, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	flush_out(c);
}

void control_reply(struct control_client *client, const char *json)
{
	client->replied = true;
	client->deferred = false;
	/* A client gone while its reply was deferred: nobody to tell. */
	if (client->gone)
		return;
	send_line(client, json);
}

void control_reply_error(struct control_client *client, const char *error)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, false);
	json_key(j, "error");
	json_string(j, error);
	json_object_end(j);
	control_reply(client, json_buffer(j, NULL));
	json_free(j);
}

void control_watch(struct control_client *client)
{
	client->watching = true;
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

/*
 * Broadcasts may run from inside a client's own request handler, so a
 * client that turns out dead here is freed later, from an idle callback,
 * never under the feet of the code that is using it.
 */
void control_broadcast(struct control *ctl, const char *json)
{
	bool any_dead = false;

	for (struct control_client *c = ctl->clients; c; c = c->next) {
		if (c->watching)
			send_line(c, json);
		any_dead |= c->dead;
	}
	if (any_dead && !ctl->reap_id)
		ctl->reap_id = loop_add_idle(ctl->loop, reap_dead, ctl, NULL);
}

long control_client_uid(const struct control_client *client)
{
	return client->uid;
}

void control_set_unknown(struct control *ctl, control_unknown_func_t func)
{
	ctl->unknown = func;
}

unsigned control_client_count(const struct control *ctl)
{
	unsigned n = 0;

	for (struct control_client *c = ctl->clients; c; c = c->next)
		n++;
	return n;
}

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
		if (c->ctl->unknown && !strcmp(error, "unknown command")) {
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
	c->replied = false;
	c->ctl->func(c, &req, c->ctl->user_data);
	/* A handler that forgot to answer would hang the client. */
	if (!c->replied && !c->deferred)
		control_reply_error(c, "internal error: no reply");
}

static bool on_client(int fd, uint32_t events, void *user_data)
{
	struct control_client *c = user_data;
	char buf[1024];

	if (events & EPOLLOUT)
		flush_out(c);
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		const char *p = buf;
		size_t left;

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			c->dead = true;
		} else if (n > 0) {
			left = (size_t) n;
			while (left && !c->dead) {
				const char *line;
				size_t len;

				switch (ctl_linebuf_feed(&c->in, &p, &left,
							 &line, &len)) {
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
	}
	if (c->dead) {
		/* The loop drops the watch when we return false. */
		c->watch_id = 0;
		client_free(c);
		return false;
	}
	return true;
}

static bool peer_allowed(struct control *ctl, int fd, long *ret_uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	*ret_uid = (long) cred.uid;
	return cred.uid == 0 || cred.uid == geteuid() ||
	       (ctl->gid != (gid_t) -1 && cred.gid == ctl->gid);
}

static bool on_accept(int fd, uint32_t events, void *user_data)
{
	struct control *ctl = user_data;
	struct control_client *c;
	long uid = -1;
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return true;
	if (!peer_allowed(ctl, cfd, &uid) ||
	    control_client_count(ctl) >= MAX_CLIENTS) {
		close(cfd);
		return true;
	}
	c = paced_new0(struct control_client, 1);
	c->ctl = ctl;
	c->fd = cfd;
	c->uid = uid;
	c->watch_id = loop_add_fd(ctl->loop, cfd, EPOLLIN | EPOLLRDHUP,
				  on_client, c, NULL);
	if (c->watch_id < 0) {
		close(cfd);
		free(c);
		return true;
	}
	c->next = ctl->clients;
	ctl->clients = c;
	return true;
}

struct control *control_new(struct loop *loop, const char *path, gid_t gid,
			    control_request_func_t func, void *user_data,
			    int *ret_err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct control *ctl;
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		*ret_err = -ENAMETOOLONG;
		return NULL;
	}
	ctl = paced_new0(struct control, 1);
	ctl->loop = loop;
	ctl->gid = gid;
	ctl->func = func;
	ctl->user_data = user_data;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		goto fail_errno;
	memcpy(sun.sun_path, path, strlen(path));
	(void) unlink(path);
	/* OpenBSD control_init(): the mode is right from the first moment. */
	old = umask(0117);
	r = bind(ctl->fd, (struct sockaddr *) &sun, sizeof(sun));
	umask(old);
	if (r < 0)
		goto fail_errno;
	ctl->path = paced_strdup(path);
	if (gid != (gid_t) -1 && chown(path, (uid_t) -1, gid) < 0)
		goto fail_errno;
	if (listen(ctl->fd, 8) < 0)
		goto fail_errno;
	r = loop_add_fd(loop, ctl->fd, EPOLLIN, on_accept, ctl, NULL);
	if (r < 0) {
		*ret_err = r;
		control_free(ctl);
		return NULL;
	}
	ctl->watch_id = r;
	return ctl;

fail_errno:
	*ret_err = -errno;
	control_free(ctl);
	return NULL;
}

void control_free(struct control *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	if (ctl->reap_id > 0)
		loop_remove(ctl->loop, ctl->reap_id);
	if (ctl->watch_id > 0)
		loop_remove(ctl->loop, ctl->watch_id);
	if (ctl->fd >= 0)
		close(ctl->fd);
	if (ctl->path) {
		(void) unlink(ctl->path);
		free(ctl->path);
	}
	free(ctl);
}
