/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An ATT bearer that can be opened again after a drop: unix:PATH here, others by their owners. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"
#include "util.h"

#define UNIX_PREFIX "unix:"

struct transport {
	struct loop *loop;		/* borrowed */
	const struct transport_ops *ops;
	void *impl;
	char *address;
	int fd;
	bool connecting;		/* a non-blocking connect in progress */
	/*
	 * A dup of the connecting socket, ours even after the fd has been
	 * stolen: the client may own (and epoll) the fd while we wait, and
	 * one epoll set cannot hold the same fd twice.
	 */
	int conn_fd;
	/* transport_wait_connected() */
	transport_connect_func_t wait_func;
	void *wait_data;
	int wait_fd_id;
	int wait_timer_id;
	int wait_idle_id;
};

const char *transport_error_str(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a unix:PATH address";
	case -ENAMETOOLONG:
		return "unix socket path too long";
	case -ENOENT:
		return "no ATT server socket at that path";
	case -ECONNREFUSED:
		return "nobody is listening on that socket";
	case -EAGAIN:
		return "the ATT server's backlog is full, try again";
	case -EPROTOTYPE:
		return "that socket is not SOCK_SEQPACKET";
	case -EACCES:
		return "permission denied on that socket";
	default:
		return strerror(-err);
	}
}

const char *transport_unix_path(const char *address, int *ret_err)
{
	struct sockaddr_un sun;
	const char *path;
	int err = 0;

	if (!address || strncmp(address, UNIX_PREFIX, strlen(UNIX_PREFIX)))
		return NULL;
	path = address + strlen(UNIX_PREFIX);
	if (!*path)
		err = -EINVAL;
	else if (strlen(path) >= sizeof(sun.sun_path))
		err = -ENAMETOOLONG;
	if (ret_err)
		*ret_err = err;
	return path;
}

static void end_connect(struct transport *t)
{
	if (t->conn_fd >= 0)
		(void) close(t->conn_fd);
	t->conn_fd = -1;
	t->connecting = false;
}

static int do_open(struct transport *t)
{
	bool connecting = false;
	int fd = -1, r;

	r = t->ops->open(t->impl, &fd, &connecting);
	if (r < 0)
		return r;
	t->fd = fd;
	if (connecting) {
		t->conn_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (t->conn_fd < 0) {
			r = -errno;
			(void) close(t->fd);
			t->fd = -1;
			return r;
		}
		t->connecting = true;
	}
	return 0;
}

int transport_new(struct loop *loop, const char *address,
		  const struct transport_ops *ops, void *impl,
		  struct transport **ret_transport)
{
	struct transport *t;
	int r;

	if (!loop || !ops || !ops->open || !ret_transport) {
		if (ops && ops->free)
			ops->free(impl);
		return -EINVAL;
	}
	t = paced_new0(struct transport, 1);
	t->loop = loop;
	t->ops = ops;
	t->impl = impl;
	t->fd = -1;
	t->conn_fd = -1;
	t->address = paced_strdup(address ? address : "");
	r = do_open(t);
	if (r < 0) {
		transport_free(t);
		return r;
	}
	*ret_transport = t;
	return 0;
}

static int unix_open(void *impl, int *ret_fd, bool *ret_connecting)
{
	const char *path = impl;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, r;

	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * Non-blocking: an AF_UNIX connect completes at once or fails with
	 * EAGAIN (backlog full); it never returns EINPROGRESS (unix(7)).
	 */
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
		r = -errno;
		(void) close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

static const struct transport_ops unix_ops = {
	.name = "unix",
	.open = unix_open,
	.free = free,
};

int transport_open_unix(struct loop *loop, const char *address,
			struct transport **ret_transport)
{
	int err = -EINVAL;
	const char *path = transport_unix_path(address, &err);

	if (!path || err < 0)
		return path ? err : -EINVAL;
	return transport_new(loop, address, &unix_ops, paced_strdup(path),
			     ret_transport);
}

static void wait_cancel(struct transport *t)
{
	if (t->wait_fd_id > 0)
		loop_remove(t->loop, t->wait_fd_id);
	if (t->wait_timer_id > 0)
		loop_remove(t->loop, t->wait_timer_id);
	if (t->wait_idle_id > 0)
		loop_remove(t->loop, t->wait_idle_id);
	t->wait_fd_id = 0;
	t->wait_timer_id = 0;
	t->wait_idle_id = 0;
	t->wait_func = NULL;
}

int transport_reopen(struct transport *t)
{
	wait_cancel(t);
	end_connect(t);
	if (t->fd >= 0) {
		(void) close(t->fd);
		t->fd = -1;
	}
	return do_open(t);
}

bool transport_connecting(const struct transport *t)
{
	return t->connecting;
}

int transport_finish_connect(struct transport *t)
{
	struct sockaddr_storage peer;
	int err = 0;
	socklen_t len = sizeof(err);

	if (!t->connecting)
		return 0;
	if (getsockopt(t->conn_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0) {
		/* Writable with no error yet not connected should not happen
		 * for L2CAP; check rather than send into ENOTCONN. */
		len = sizeof(peer);
		if (getpeername(t->conn_fd, (struct sockaddr *) &peer,
				&len) < 0)
			return errno == ENOTCONN ? -EINPROGRESS : -errno;
		end_connect(t);
		return 0;
	}
	/* Failed: close our copies; a thief closes its own. */
	end_connect(t);
	if (t->fd >= 0) {
		(void) close(t->fd);
		t->fd = -1;
	}
	return -err;
}

static void wait_done(struct transport *t, int err)
{
	transport_connect_func_t func = t->wait_func;
	void *data = t->wait_data;

	wait_cancel(t);
	if (func)
		func(t, err, data);
}

static bool on_wait_fd(int fd, uint32_t events, void *user_data)
{
	struct transport *t = user_data;
	int r;

	/*
	 * Unregister while the fd is still open: finishing may close it, and
	 * a later epoll DEL by number could hit whatever reuses it. Returning
	 * true below keeps the loop from removing the dead watch twice.
	 */
	loop_remove(t->loop, t->wait_fd_id);
	t->wait_fd_id = 0;
	r = transport_finish_connect(t);
	if (r == -EINPROGRESS) {
		r = loop_add_fd(t->loop, t->conn_fd, EPOLLOUT, on_wait_fd, t,
				NULL);
		if (r > 0) {
			t->wait_fd_id = r;
			return true;
		}
	}
	wait_done(t, r);
	return true;
}

static bool on_wait_timeout(void *user_data)
{
	struct transport *t = user_data;

	t->wait_timer_id = 0;
	if (t->connecting) {
		/*
		 * shutdown() reaches the socket however many fds share it:
		 * the kernel cancels its LE Create Connection, so a late
		 * link does not linger, and a thief of the fd sees it fail.
		 */
		if (t->wait_fd_id > 0)
			loop_remove(t->loop, t->wait_fd_id);
		t->wait_fd_id = 0;
		(void) shutdown(t->conn_fd, SHUT_RDWR);
		end_connect(t);
		if (t->fd >= 0) {
			(void) close(t->fd);
			t->fd = -1;
		}
	}
	wait_done(t, -ETIMEDOUT);
	return false;
}

static bool on_wait_idle(void *user_data)
{
	struct transport *t = user_data;

	t->wait_idle_id = 0;
	wait_done(t, 0);
	return false;
}

int transport_wait_connected(struct transport *t, uint64_t timeout_us,
			     transport_connect_func_t func, void *user_data)
{
	int id;

	wait_cancel(t);
	t->wait_func = func;
	t->wait_data = user_data;
	if (!t->connecting) {
		id = loop_add_idle(t->loop, on_wait_idle, t, NULL);
		if (id < 0) {
			t->wait_func = NULL;
			return id;
		}
		t->wait_idle_id = id;
		return 0;
	}
	id = loop_add_fd(t->loop, t->conn_fd, EPOLLOUT, on_wait_fd, t, NULL);
	if (id < 0) {
		t->wait_func = NULL;
		return id;
	}
	t->wait_fd_id = id;
	if (timeout_us) {
		id = loop_add_timeout(t->loop, timeout_us, false,
				      on_wait_timeout, t, NULL);
		if (id < 0) {
			wait_cancel(t);
			return id;
		}
		t->wait_timer_id = id;
	}
	return 0;
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	wait_cancel(t);
	end_connect(t);
	/* The kind's state first: a simulator detaches from its end of a
	 * socketpair before our end closes. */
	if (t->ops->free)
		t->ops->free(t->impl);
	if (t->fd >= 0)
		(void) close(t->fd);
	free(t->address);
	free(t);
}

int transport_fd(const struct transport *t)
{
	return t->fd;
}

int transport_steal_fd(struct transport *t)
{
	int fd = t->fd;

	if (fd < 0)
		return -EBADF;
	t->fd = -1;
	return fd;
}

const char *transport_address(const struct transport *t)
{
	return t->address;
}

void *transport_impl(const struct transport *t)
{
	return t->impl;
}

const struct transport_ops *transport_get_ops(const struct transport *t)
{
	return t->ops;
}

uint64_t transport_backoff_next(uint64_t prev_us, uint64_t first_us,
				uint64_t max_us)
{
	if (!prev_us)
		return first_us < max_us ? first_us : max_us;
	/* No overflow: prev_us <= max_us / 2 before doubling. */
	return prev_us > max_us / 2 ? max_us : prev_us * 2;
}
