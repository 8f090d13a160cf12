/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "sim" transport: the simulated treadmill in this process, on one end of a socketpair. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim-transport.h"
#include "util.h"

struct sim_link {
	struct sim *sim;
	int sim_fd;		/* the simulator's end; ours to close */
};

static int sim_link_open(void *impl, int *ret_fd, bool *ret_connecting)
{
	struct sim_link *sl = impl;
	int sv[2], r;

	/* A reopen: the old pair goes, the simulator (and its belt) stays. */
	if (sl->sim_fd >= 0) {
		sim_detach(sl->sim);
		(void) close(sl->sim_fd);
		sl->sim_fd = -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0)
		return -errno;
	r = sim_attach(sl->sim, sv[1], false);
	if (r < 0) {
		(void) close(sv[0]);
		(void) close(sv[1]);
		return r;
	}
	sl->sim_fd = sv[1];
	*ret_fd = sv[0];
	return 0;
}

static void sim_link_free(void *impl)
{
	struct sim_link *sl = impl;

	sim_free(sl->sim);
	if (sl->sim_fd >= 0)
		(void) close(sl->sim_fd);
	free(sl);
}

static const struct transport_ops sim_link_ops = {
	.name = "sim",
	.open = sim_link_open,
	.free = sim_link_free,
};

int sim_transport_open(struct loop *loop, const struct sim_config *cfg,
		       struct transport **ret_transport)
{
	struct sim_config def;
	struct sim_link *sl;

	if (!cfg) {
		sim_config_init(&def);
		cfg = &def;
	}
	sl = paced_new0(struct sim_link, 1);
	sl->sim_fd = -1;
	sl->sim = sim_new(loop, cfg);
	if (!sl->sim) {
		free(sl);
		return -ENOMEM;
	}
	return transport_new(loop, "sim", &sim_link_ops, sl, ret_transport);
}

struct sim *sim_transport_sim(const struct transport *t)
{
	if (!t || transport_get_ops(t) != &sim_link_ops)
		return NULL;
	return ((struct sim_link *) transport_impl(t))->sim;
}
