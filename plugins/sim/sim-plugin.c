/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "sim" driver plugin: the built-in simulated treadmill and unix:PATH ATT peers. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <paced/plugin.h>

#include "ftms-client.h"
#include "sim-transport.h"
#include "transport.h"
#include "util.h"

/*
 * One link at a time: the transport is kept because for "sim" it owns the
 * simulator, whose belt must survive a reconnect the way a real treadmill's
 * does (docs/design.md rule 2). The FTMS client (and its treadmill) belongs
 * to the daemon once returned.
 */
struct sim_plugin {
	struct paced_plugin *self;
	struct sim_config cfg;
	struct transport *transport;
	char address[128];
};

static struct sim_plugin plugin_state;

static bool sim_match(const char *address)
{
	int err = 0;

	return !strcmp(address, "sim") ||
	       (transport_unix_path(address, &err) && err == 0);
}

static const struct paced_driver_info sim_info = {
	.usage = "sim | unix:PATH",
	.match = sim_match,
	.caps = PACED_DRIVER_CONTROL | PACED_DRIVER_SPEEDUP,
};

static int open_transport(struct sim_plugin *sp, const struct paced_open *req)
{
	struct loop *loop = (struct loop *) paced_plugin_loop(sp->self);

	if (strcmp(req->address, "sim"))
		return transport_open_unix(loop, req->address, &sp->transport);
	/* The simulator's belt runs on the session's clock. */
	sp->cfg.speedup = req->speedup ? req->speedup : 1;
	return sim_transport_open(loop, &sp->cfg, &sp->transport);
}

static int sim_open(const struct paced_open *req,
		    struct paced_treadmill **ret_tm, void *user_data)
{
	struct sim_plugin *sp = user_data;
	struct loop *loop = (struct loop *) paced_plugin_loop(sp->self);
	struct ftms_client *client;
	int r, fd;

	if (sp->transport && strcmp(sp->address, req->address)) {
		transport_free(sp->transport);
		sp->transport = NULL;
	}
	if (sp->transport) {
		r = transport_reopen(sp->transport);
	} else {
		r = open_transport(sp, req);
		if (r == 0)
			snprintf(sp->address, sizeof(sp->address), "%s",
				 req->address);
	}
	if (r < 0) {
		paced_log(sp->self, LOG_WARNING, "%s: %s", req->address,
			  r == -ENOMEM && !strcmp(req->address, "sim") ?
			  "invalid simulator configuration" :
			  transport_error_str(r));
		return r;
	}
	fd = transport_steal_fd(sp->transport);
	if (fd < 0)
		return fd;
	client = ftms_client_new(loop, fd, NULL);
	if (!client)
		return -ENOMEM;
	*ret_tm = (struct paced_treadmill *) ftms_client_get_treadmill(client);
	return 0;
}

static const struct paced_driver_ops sim_ops = {
	.name = "sim",
	.open = sim_open,
};

static int sim_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const keys[] = { "speedup", "quirks", NULL };
	struct sim_plugin *sp = &plugin_state;
	const char *quirk;
	long long v;

	memset(sp, 0, sizeof(*sp));
	sp->self = self;
	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	sim_config_init(&sp->cfg);
	/* speedup here is from before the session's own reached drivers:
	 * still accepted, never needed. */
	if (paced_cfg_get_int(cfg, "speedup", &v) == 0) {
		if (v < 1 || v > 1000) {
			paced_log(self, LOG_ERR, "%s:%u: speedup must be 1 to 1000",
				  paced_cfg_file(cfg),
				  paced_cfg_line(cfg, "speedup"));
			return -EINVAL;
		}
		paced_log(self, LOG_INFO, "%s:%u: speedup: the simulator follows the session's speedup; this setting is not needed",
			  paced_cfg_file(cfg), paced_cfg_line(cfg, "speedup"));
	}
	for (unsigned i = 0; paced_cfg_get_str_elem(cfg, "quirks", i,
						    &quirk) == 0; i++) {
		unsigned line = paced_cfg_line(cfg, "quirks");

		if (sim_config_add_quirk(&sp->cfg, quirk) == 0)
			continue;
		if (line)
			paced_log(self, LOG_ERR, "%s:%u: unknown simulator quirk '%s' (see paced-sim --help)",
				  paced_cfg_file(cfg), line, quirk);
		else
			paced_log(self, LOG_ERR, "unknown simulator quirk '%s' (see paced-sim --help)",
				  quirk);
		return -EINVAL;
	}
	return paced_driver_register(self, &sim_ops, sp);
}

static void sim_exit(struct paced_plugin *self)
{
	transport_free(plugin_state.transport);
	plugin_state.transport = NULL;
}

PACED_PLUGIN_DEFINE("sim", PACKAGE_VERSION, sim_init, sim_exit,
		    .driver = &sim_info);
