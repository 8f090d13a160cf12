/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sd_notify(3) without libsystemd. */
#pragma once

#include <stdint.h>

/*
 * Send a state string ("READY=1", "STATUS=waiting for treadmill", ...) to
 * $NOTIFY_SOCKET. Returns 1 if sent, 0 when not run by systemd (variable
 * unset), or a negative errno.
 */
int notify_send(const char *state);
int notify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The watchdog period systemd asked for ($WATCHDOG_USEC, for our pid when
 * $WATCHDOG_PID is set), or 0 when none. */
uint64_t notify_watchdog_usec(void);
