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
 * Connections (control.c explains the policy): every one is accepted at
 * once; up to CONTROL_MAX_CLIENTS are served, at most CONTROL_MAX_PER_UID
 * of one user, and one that neither watches nor waits for a reply is
 * closed CONTROL_IDLE_S after its last reply (or its connect). One over
 * the limits replaces the oldest idle client, or else may send a single
 * request within CONTROL_WAITING_S, served only if it slows or stops the
 * belt (symptom, pause, stop): a press gets through whatever other
 * clients do.
 */
#define CONTROL_MAX_CLIENTS	32
#define CONTROL_MAX_PER_UID	8
#define CONTROL_MAX_WAITING	32
#define CONTROL_IDLE_S		5
#define CONTROL_WAITING_S	2

/*
 * Listen on path, mode 0660, group gid unless (gid_t) -1. Only a stale
 * socket (one nobody answers on) is replaced: a live socket is
 * -EADDRINUSE, a symbolic link -ELOOP, a directory -EISDIR, anything
 * else -EEXIST; "" is -EINVAL (it would be an abstract socket). Peers
 * are accepted when they are root, our own uid, or in gid as their
 * primary or a supplementary group; with gid (gid_t) -1, in the group
 * the socket file got. A refused peer gets one JSON error line saying
 * why, then the connection closes. Returns NULL with *ret_err on
 * failure; control_strerror() says it in words.
 */
struct control *control_new(struct loop *loop, const char *path, gid_t gid,
			    control_request_func_t func, void *user_data,
			    int *ret_err);
/* Closes every client and unlinks the socket if the path still names
 * the one we bound (never one another paced put there). NULL ok. */
void control_free(struct control *ctl);
/* control_new()'s errors in words ("exists and is not a socket; ..."),
 * strerror() for the others. */
const char *control_strerror(int err);

/*
 * What start-up would otherwise find out only when it opens the socket,
 * for paced --check-config and the service's start-up alike: group
 * (NULL or "" for none) exists, the socket's directory exists and this
 * process may create files in it and give them to the group (tried on a
 * file of its own, so group membership, CAP_CHOWN and a system call
 * filter all count), and nothing but a socket is at path.
 * A live socket there is left to control_new() (-EADDRINUSE): when the
 * configuration is checked before a reload it is the service's own.
 * Checks as the process runs now: under the unit, ExecStartPre= runs it
 * as the service's user.
 * Returns 0 with *ret_gid (the group's, or (gid_t) -1) to pass to
 * control_new(), or a negative errno with a sentence in why.
 */
int control_check_setup(const char *path, const char *group, gid_t *ret_gid,
			char *why, size_t len);

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
/* The client's user at connect(2) (SO_PEERCRED): who asks. */
uid_t control_client_uid(const struct control_client *client);
