/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One control request being answered, whoever sent it: a socket client or a plugin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "json.h"
#include "util.h"

#define PACED_EXPORT __attribute__((visibility("default")))

struct paced_call {
	struct control_client *client;	/* referenced (control_defer()) */
	struct loop *loop;		/* plugin calls */
	paced_reply_func_t reply;
	void *reply_data;
	char *pending;			/* the answer, until the idle runs */
	struct call_list *list;		/* plugin calls, until delivered */
	struct paced_call *next, **pprev;
	long uid;
	bool may_start;
	bool answered;
	char source[64];
};

struct paced_call *call_new_client(struct control_client *client, long uid)
{
	struct paced_call *call = paced_new0(struct paced_call, 1);

	call->client = control_defer(client);
	call->uid = uid;
	/* The control socket is the person at the box (or ssh'd into it):
	 * its start and resume are deliberate acts. */
	call->may_start = true;
	if (uid >= 0)
		snprintf(call->source, sizeof(call->source), "control socket (uid %ld)",
			 uid);
	else
		snprintf(call->source, sizeof(call->source), "control socket");
	return call;
}

struct paced_call *call_new_plugin(struct loop *loop, struct call_list *list,
				   const char *source, bool may_start,
				   paced_reply_func_t reply, void *reply_data)
{
	struct paced_call *call = paced_new0(struct paced_call, 1);

	call->list = list;
	call->next = list->first;
	call->pprev = &list->first;
	if (list->first)
		list->first->pprev = &call->next;
	list->first = call;
	call->loop = loop;
	call->reply = reply;
	call->reply_data = reply_data;
	call->uid = -1;
	call->may_start = may_start;
	snprintf(call->source, sizeof(call->source), "%s", source);
	return call;
}

static void unlink_call(struct paced_call *call)
{
	if (!call->list)
		return;
	if (call->next)
		call->next->pprev = call->pprev;
	*call->pprev = call->next;
	call->list = NULL;
}

void call_list_forget(struct call_list *list)
{
	while (list->first) {
		list->first->reply = NULL;
		unlink_call(list->first);
	}
}

static bool on_deliver(void *user_data)
{
	struct paced_call *call = user_data;

	unlink_call(call);
	if (call->reply)
		call->reply(call->pending, call->reply_data);
	free(call->pending);
	free(call);
	return false;
}

PACED_EXPORT void paced_call_reply(struct paced_call *call, const char *json)
{
	if (!call || call->answered)
		return;
	call->answered = true;
	if (call->client) {
		control_reply(call->client, json);
		control_client_unref(call->client);
		free(call);
		return;
	}
	/* A plugin hears back from the loop, never inside its own
	 * paced_request(): it may not be ready for re-entrancy. */
	call->pending = paced_strdup(json);
	if (loop_add_idle(call->loop, on_deliver, call, NULL) < 0)
		on_deliver(call);
}

PACED_EXPORT long paced_call_uid(const struct paced_call *call)
{
	return call->uid;
}

void call_watch(struct paced_call *call)
{
	if (call->client)
		control_watch(call->client);
}

void call_reply_error(struct paced_call *call, const char *error)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, false);
	json_key(j, "error");
	json_string(j, error);
	json_object_end(j);
	paced_call_reply(call, json_buffer(j, NULL));
	json_free(j);
}

bool call_may_start(const struct paced_call *call)
{
	return call->may_start;
}

const char *call_source(const struct paced_call *call)
{
	return call->source;
}
