/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket: line requests in, one JSON object per reply. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "ctl-proto.h"
#include "mainloop.h"

struct control;
struct control_client;

/*
 * Called for each well-formed request. The handler must answer with
 * exactly one control_reply() (or control_reply_error()) before it
 * returns, or defer the answer with control_defer(); for CTL_CMD_WATCH it
 * may also control_watch() the client.
 */
typedef void (*control_request_func_t)(struct control_client *client,
				       const struct ctl_request *req,
				       void *user_data);

/*
 * A line whose command word ctl_parse_request() does not know (NUL-
 * terminated, at most CTL_LINE_MAX): answered like a request, for
 * commands plugins add.
 */
typedef void (*control_unknown_func_t)(struct control_client *client,
				       const char *line, void *user_data);

/*
 * Listen on path (an existing socket file there is replaced), mode 0660,
 * group gid unless (gid_t) -1. Peers are accepted when they are root, our
 * own uid, or in gid (SO_PEERCRED). Returns NULL with *ret_err on failure.
 */
struct control *control_new(struct loop *loop, const char *path, gid_t gid,
			    control_request_func_t func, void *user_data,
			    int *ret_err);
/* Closes every client and unlinks the socket. NULL ok. */
void control_free(struct control *ctl);

/* json is one complete JSON object without newline. */
void control_reply(struct control_client *client, const char *json);
void control_reply_error(struct control_client *client, const char *error);
/* Subscribe the client to control_broadcast() lines. */
void control_watch(struct control_client *client);
/* One JSON object line to every watching client. */
void control_broadcast(struct control *ctl, const char *json);

unsigned control_client_count(const struct control *ctl);
/* Lines with an unknown command go to func (default: an error reply). */
void control_set_unknown(struct control *ctl, control_unknown_func_t func);
/* The peer's uid, from SO_PEERCRED. */
long control_client_uid(const struct control_client *client);

/*
 * Answer later (a scan that takes seconds): returns a reference to the
 * client, which stays valid until control_client_unref() even if the
 * client hangs up or the server is freed meanwhile; control_reply() on a
 * client that went away does nothing. Lines the client sends before the
 * reply get an error reply ("busy"), so replies keep the request order.
 * Callable from the request handler only.
 */
struct control_client *control_defer(struct control_client *client);
/* Drop the reference control_defer() returned. NULL ok. */
void control_client_unref(struct control_client *client);
/* false once the client hung up (or was dropped as too slow). */
bool control_client_connected(const struct control_client *client);
