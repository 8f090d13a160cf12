/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Service mode: config, plugins, the control socket, one session at a time. */
#pragma once

#include "conf.h"
#include "mainloop.h"

struct service;

/*
 * Bring the service up on loop: recover interrupted logs, load the
 * plugins, open the control socket (refusing when another paced already
 * answers on it). Borrows loop and cfg. Returns NULL after logging why.
 */
struct service *service_new(struct loop *loop, const struct paced_config *cfg);
/* A human STATUS= line for systemd ("idle", "session running: ..."). */
const char *service_status(const struct service *s);
/*
 * Shutdown asked (SIGTERM): a running session is stopped safely (walk
 * pace, then stop) and the loop quits when it is done or after 5 s.
 */
void service_shutdown(struct service *s);
void service_free(struct service *s);
