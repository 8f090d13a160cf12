/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Treadmill addresses ("sim", "unix:PATH") to a connected ATT socket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim/sim.h"
#include "transport.h"
#include "util.h"

#define UNIX_PREFIX "unix:"

struct transport {
	enum transport_kind kind;
	char *address;
	int fd;
	int sim_fd;			/* the simulator's end, sim only */
	struct sim *sim;
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* XX:XX:XX:XX:XX:XX, optionally followed by "/public" or "/random". */
static bool is_bdaddr(const char *s)
{
	for (int i = 0; i < 6; i++) {
		if (!is_hex(s[0]) || !is_hex(s[1]))
			return false;
		s += 2;
		if (i < 5 && *s++ != ':')
			return false;
	}
	return *s == '\0' || !strcmp(s, "/public") || !strcmp(s, "/random");
}

int transport_parse(const char *address, enum transport_kind *ret_kind)
{
	struct sockaddr_un sun;
	enum transport_kind kind;

	if (!address)
		return -EINVAL;
	if (!strcmp(address, "sim")) {
		kind = TRANSPORT_KIND_SIM;
	} else if (!strncmp(address, UNIX_PREFIX, strlen(UNIX_PREFIX))) {
		const char *path = address + strlen(UNIX_PREFIX);

		if (!*path)
			return -EINVAL;
		if (strlen(path) >= sizeof(sun.sun_path))
			return -ENAMETOOLONG;
		kind = TRANSPORT_KIND_UNIX;
	} else if (is_bdaddr(address)) {
		kind = TRANSPORT_KIND_BLUETOOTH;
	} else {
		return -EINVAL;
	}
	*ret_kind = kind;
	return 0;
}

const char *transport_error_str(int err)
{
	switch (err) {
	case -EINVAL:
		return "unknown treadmill address (expected 'sim', "
		       "'unix:PATH' or a Bluetooth address XX:XX:XX:XX:XX:XX)";
	case -ENAMETOOLONG:
		return "unix socket path too long";
	case -EOPNOTSUPP:
		return "Bluetooth addresses are not supported yet";
	case -ENOENT:
		return "no ATT server socket at that path";
	case -ECONNREFUSED:
		return "nobody is listening on that socket";
	case -EAGAIN:
		return "the ATT server's backlog is full, try again";
	case -EPROTOTYPE:
		return "that socket is not SOCK_SEQPACKET";
	case -ENOMEM:
		return "invalid simulator configuration";
	default:
		return strerror(-err);
	}
}

static int open_sim(struct transport *t, struct loop *loop,
		    const struct sim_config *sim_cfg)
{
	struct sim_config def;
	int sv[2], r;

	if (!sim_cfg) {
		sim_config_init(&def);
		sim_cfg = &def;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0)
		return -errno;
	t->fd = sv[0];
	t->sim_fd = sv[1];
	t->sim = sim_new(loop, sim_cfg);
	if (!t->sim)
		return -ENOMEM;
	/* The simulator end stays ours, so transport_free() closes it
	 * after the simulator is gone. */
	r = sim_attach(t->sim, t->sim_fd, false);
	return r;
}

static int open_unix(struct transport *t, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	t->fd = fd;
	/*
	 * Non-blocking: an AF_UNIX connect completes at once or fails with
	 * EAGAIN (backlog full); it never returns EINPROGRESS (unix(7)).
	 */
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0)
		return -errno;
	return 0;
}

int transport_open(struct loop *loop, const char *address,
		   const struct sim_config *sim_cfg,
		   struct transport **ret_transport)
{
	enum transport_kind kind;
	struct transport *t;
	int r;

	if (!loop || !ret_transport)
		return -EINVAL;
	r = transport_parse(address, &kind);
	if (r < 0)
		return r;

	t = paced_new0(struct transport, 1);
	t->kind = kind;
	t->fd = -1;
	t->sim_fd = -1;
	t->address = paced_strdup(address);
	switch (kind) {
	case TRANSPORT_KIND_SIM:
		r = open_sim(t, loop, sim_cfg);
		break;
	case TRANSPORT_KIND_UNIX:
		r = open_unix(t, address + strlen(UNIX_PREFIX));
		break;
	case TRANSPORT_KIND_BLUETOOTH:
		/* Hook: an L2CAP LE SEQPACKET socket on the ATT CID. */
		r = -EOPNOTSUPP;
		break;
	default:
		r = -EINVAL;
		break;
	}
	if (r < 0) {
		transport_free(t);
		return r;
	}
	*ret_transport = t;
	return 0;
}

int transport_reopen(struct transport *t)
{
	int sv[2], r;

	if (t->fd >= 0) {
		(void) close(t->fd);
		t->fd = -1;
	}
	switch (t->kind) {
	case TRANSPORT_KIND_SIM:
		sim_detach(t->sim);
		if (t->sim_fd >= 0)
			(void) close(t->sim_fd);
		t->sim_fd = -1;
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0, sv) < 0)
			return -errno;
		t->fd = sv[0];
		t->sim_fd = sv[1];
		r = sim_attach(t->sim, t->sim_fd, false);
		break;
	case TRANSPORT_KIND_UNIX:
		r = open_unix(t, t->address + strlen(UNIX_PREFIX));
		break;
	case TRANSPORT_KIND_BLUETOOTH:
	default:
		r = -EOPNOTSUPP;
		break;
	}
	if (r < 0 && t->fd >= 0) {
		(void) close(t->fd);
		t->fd = -1;
	}
	return r;
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	sim_free(t->sim);
	if (t->sim_fd >= 0)
		(void) close(t->sim_fd);
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

enum transport_kind transport_get_kind(const struct transport *t)
{
	return t->kind;
}

struct sim *transport_sim(const struct transport *t)
{
	return t->sim;
}

const char *transport_address(const struct transport *t)
{
	return t->address;
}
