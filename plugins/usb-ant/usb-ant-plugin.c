/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "usb-ant" plugin: ANT+ treadmills through a USB stick (advisory), and their cues. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <paced/plugin.h>

#include "usb-ant.h"
#include "util.h"

#define KEY_HEX_MAX 64

struct ant_plugin {
	struct paced_plugin *self;
	char key[KEY_HEX_MAX];		/* network_key as written, "" none */
	struct ant_sim_config sim_cfg;	/* usb-ant:sim */
	struct usb_ant *ua;		/* the open stick, NULL once freed */
};

static struct ant_plugin plugin_state;

static bool ant_match(const char *address)
{
	return !strncmp(address, "usb-ant", 7) &&
	       (address[7] == '\0' || address[7] == ':' || address[7] == '@');
}

/*
 * ANT+ FE cannot set the belt (docs/ant.md 1.1): every session is
 * advisory. The stick re-searches for the treadmill by itself after a
 * drop, and usb-ant:sim runs on the session's clock.
 */
static const struct paced_driver_info ant_info = {
	.usage = "usb-ant[:VVVV:PPPP|:BUS-PORT|:sim][@N] (ANT+ stick, advisory)",
	.match = ant_match,
	.caps = PACED_DRIVER_RECONNECTS | PACED_DRIVER_SPEEDUP,
};

static void on_stick_freed(struct usb_ant *ua, void *user_data)
{
	struct ant_plugin *ap = user_data;

	if (ap->ua == ua)
		ap->ua = NULL;
}

/* The adapter is a Bluetooth notion; the address picks the stick. */
static int ant_open(const struct paced_open *req,
		    struct paced_treadmill **ret_tm, void *user_data)
{
	struct ant_plugin *ap = user_data;
	struct loop *loop = (struct loop *) paced_plugin_loop(ap->self);
	struct usb_ant_config cfg;
	struct usb_ant *ua;
	int r;

	r = usb_ant_config_parse(req->address, ap->key[0] ? ap->key : NULL,
				 &cfg);
	if (r == 0) {
		/* The simulated stick's person runs on the session's clock. */
		ap->sim_cfg.speedup = req->speedup ? req->speedup : 1;
		cfg.sim_cfg = &ap->sim_cfg;
		cfg.freed = on_stick_freed;
		cfg.freed_data = ap;
		r = usb_ant_new(loop, &cfg, &ua);
	}
	if (r < 0) {
		paced_log(ap->self, LOG_ERR, "%s: %s", req->address,
			  usb_ant_strerror(r));
		return r;
	}
	ap->ua = ua;
	*ret_tm = (struct paced_treadmill *) usb_ant_get_treadmill(ua);
	return 0;
}

static const struct paced_driver_ops ant_driver = {
	.name = "usb-ant",
	.open = ant_open,
};

/*
 * ANT+ cannot set the belt, so the person is told (cues) and sets it
 * herself. The simulated stick has a simulated person at the console:
 * she hears the cues that ask for a speed, as a real one would.
 */
static void ant_event(const struct paced_event *ev, void *user_data)
{
	struct ant_plugin *ap = user_data;
	struct ant_sim *sim = ap->ua ? usb_ant_get_sim(ap->ua) : NULL;

	if (!sim || !ev->cue_kind)
		return;
	if (!strcmp(ev->cue_kind, "change") ||
	    !strcmp(ev->cue_kind, "symptom") || !strcmp(ev->cue_kind, "alarm"))
		ant_sim_cue(sim, (uint16_t) MIN(ev->speed, 0xffffu));
}

static const struct paced_sink_ops ant_sink = {
	.name = "usb-ant",
	.event = ant_event,
};

/* A setting without a line came from 'paced run' options, not a file. */
static int cfg_error(const struct paced_cfg *cfg, const char *key,
		     const char *what)
{
	unsigned line = paced_cfg_line(cfg, key);

	if (line)
		paced_log(plugin_state.self, LOG_ERR, "%s:%u: %s: %s",
			  paced_cfg_file(cfg), line, key, what);
	else
		paced_log(plugin_state.self, LOG_ERR, "%s: %s", key, what);
	return -EINVAL;
}

static int ant_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const keys[] = {
		"network_key", "speedup", "quirks", NULL,
	};
	struct ant_plugin *ap = &plugin_state;
	struct usb_ant_config unused;
	const char *s;
	long long v;
	int r;

	memset(ap, 0, sizeof(*ap));
	ap->self = self;
	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	ant_sim_config_init(&ap->sim_cfg);
	/*
	 * The ANT+ network key is licensed: it lives only here, in
	 * paced.conf (never on a command line, where ps shows it).
	 */
	if (paced_cfg_get_str(cfg, "network_key", &s) == 0) {
		if (strlen(s) >= sizeof(ap->key) ||
		    usb_ant_config_parse("usb-ant", s, &unused) < 0)
			return cfg_error(cfg, "network_key",
					 "expected 8 bytes of hex");
		snprintf(ap->key, sizeof(ap->key), "%s", s);
	}
	/* speedup here is from before the session's own reached drivers:
	 * still accepted, never needed. Quirks drive usb-ant:sim. */
	if (paced_cfg_get_int(cfg, "speedup", &v) == 0 && (v < 1 || v > 1000))
		return cfg_error(cfg, "speedup", "must be 1 to 1000");
	for (unsigned i = 0; paced_cfg_get_str_elem(cfg, "quirks", i, &s) == 0;
	     i++) {
		char what[96];

		if (ant_sim_config_add_quirk(&ap->sim_cfg, s) == 0)
			continue;
		snprintf(what, sizeof(what),
			 "unknown simulated-stick quirk '%.40s'", s);
		return cfg_error(cfg, "quirks", what);
	}
	r = paced_driver_register(self, &ant_driver, ap);
	if (r == 0)
		r = paced_sink_register(self, &ant_sink, ap);
	return r;
}

PACED_PLUGIN_DEFINE("usb-ant", PACKAGE_VERSION, ant_init, NULL,
		    .driver = &ant_info);
