/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Service mode: config, plugins, the control socket, one session at a time. */
#pragma once

#include "conf.h"
#include "mainloop.h"

struct service;

/*
 * What paced.conf's syntax cannot show: whether a driver plugin takes the
 * treadmill address (or a scanner can find it by name). Returns 0, or a
 * negative errno with "file:line: message" in *ret_err. Loads nothing for
 * good.
 */
int service_check_config(const struct paced_config *cfg,
			 struct paced_config_error *ret_err);

/*
 * Bring the service up on loop: recover interrupted logs, load the
 * plugins, open the control socket (refusing when another paced already
 * answers on it). Borrows loop and cfg. Returns NULL after logging why.
 */
struct service *service_new(struct loop *loop, const struct paced_config *cfg);
/* A human STATUS= line for systemd ("idle", "session running: ..."). */
const char *service_status(const struct service *s);
/*
 * SIGHUP with a good configuration: takes ownership of cfg and applies
 * it from the next session on (treadmill and adapter, paces and cap,
 * scale-back policy, profile, programme, directories, speedup); a running
 * session keeps the one it started with. Settings read only at start-up
 * (control socket and group, plugins) are logged as needing a restart.
 * A driver plugin the new treadmill needs is loaded as at start-up.
 */
void service_reload(struct service *s, struct paced_config *cfg);
/*
 * Shutdown asked (SIGTERM): a running session is stopped safely (walk
 * pace, then stop) and the loop quits when it is done or after 5 s.
 */
void service_shutdown(struct service *s);
void service_free(struct service *s);
