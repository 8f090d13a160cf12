/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One control request being answered, whoever sent it: a socket client or a plugin. */
#pragma once

#include <stdbool.h>

#include <paced/plugin.h>

#include "control.h"
#include "mainloop.h"

/*
 * Every request, from pacectl on the control socket or from a front end
 * plugin (paced_request()), is answered through a struct paced_call: the
 * code that handles "symptom" or "status" does not care where it came
 * from, and answers exactly once with paced_call_reply(), now or later.
 * The call then frees itself.
 *
 * Who asked matters for two rules: only a deliberate act starts or
 * resumes the belt (may_start), and only root may start a profile outside
 * the profile directory (uid).
 */

/*
 * A call answered on a control client (borrowed: the call holds its own
 * reference until it is answered). uid is the peer's, or -1.
 */
struct paced_call *call_new_client(struct control_client *client, long uid);
/*
 * The calls a plugin made whose answer has not reached it yet. The
 * answer may come long after the question (a start waits for the
 * treadmill): when the plugin is unloaded first, call_list_forget()
 * makes that answer reach nobody instead of code that is gone.
 */
struct call_list {
	struct paced_call *first;
};

/*
 * A call from a plugin, kept on list until its answer is delivered:
 * reply runs with the JSON from an idle callback (never inside
 * paced_request()), exactly once; reply may be NULL.
 */
struct paced_call *call_new_plugin(struct loop *loop, struct call_list *list,
				   const char *source, bool may_start,
				   paced_reply_func_t reply, void *reply_data);
/* The plugin is going away: its calls are still answered, to nobody. */
void call_list_forget(struct call_list *list);

/* A control client that asked to watch gets every event from now on (a
 * plugin's call: nothing; plugins register a sink). */
void call_watch(struct paced_call *call);
/* Answer {"ok":false,"error":error}. */
void call_reply_error(struct paced_call *call, const char *error);
bool call_may_start(const struct paced_call *call);
/* "pacectl (uid 1000)", "web" ...: for log lines. */
const char *call_source(const struct paced_call *call);
