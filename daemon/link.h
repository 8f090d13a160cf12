/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link to the treadmill: open, connect with a deadline, reconnect with backoff. */
#pragma once

#include <stdint.h>

#include "mainloop.h"
#include "runner.h"
#include "treadmill.h"

struct link;

/* Open a fresh, unconnected treadmill handle (first time and after every
 * drop); 0 and *ret_tm (the link's to free), or a negative errno. */
typedef int (*link_open_func_t)(void *user_data, struct treadmill **ret_tm);
/* Bring-up done: err 0 (connected, in control) or a negative errno
 * (-ETIMEDOUT when the treadmill did not answer in time). */
typedef void (*link_done_func_t)(struct link *l, int err, void *user_data);

/* Borrows loop; open is called with open_data. name is for log lines. */
struct link *link_new(struct loop *loop, const char *name,
		      link_open_func_t open, void *open_data);
/*
 * Open and connect; done runs once, from the loop (never from inside this
 * call). Returns 0, or open's error at once.
 */
int link_connect(struct link *l, uint64_t timeout_us, link_done_func_t done,
		 void *user_data);
struct treadmill *link_treadmill(const struct link *l);
/*
 * From now on reconnects hand their new treadmill to r (borrowed; call
 * link_set_runner(l, NULL) before freeing it).
 */
void link_set_runner(struct link *l, struct runner *r);	/* l NULL ok */
/* The runner saw the link go down: reopen after 0.5 s, doubling to 8 s
 * apart, until it is back or the link is freed. */
void link_lost(struct link *l);
/* Detach the runner first (runner_detach()). NULL ok. */
void link_free(struct link *l);
