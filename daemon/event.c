/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What happens around a session, as a value: one tagged union every part of the daemon speaks. */
#include <stdio.h>
#include <string.h>

#include "event.h"

static const char *session_event_name(enum session_event_kind kind)
{
	switch (kind) {
	case SESSION_EV_STATE:
		return "state";
	case SESSION_EV_SEGMENT:
		return "segment";
	case SESSION_EV_COMMAND:
		return "command";
	case SESSION_EV_RESULT:
		return "result";
	case SESSION_EV_SYMPTOM:
		return "symptom";
	case SESSION_EV_SCALEBACK:
		return "scaleback";
	case SESSION_EV_ALARM:
		return "alarm";
	case SESSION_EV_END:
		return "end";
	case SESSION_EV_ADVICE:
		return "advice";
	case SESSION_EV_REFUSED:
		return "refused";
	case SESSION_EV_CUE:
		return "cue";
	}
	return "unknown";
}

const char *event_name(const struct event *ev)
{
	switch (ev->kind) {
	case EVENT_SESSION:
		return session_event_name(ev->session.kind);
	case EVENT_LINK:
		return ev->link.up ? "link-up" : "link-down";
	case EVENT_DROPPED:
		return "dropped";
	case EVENT_DENIED:
		return "denied";
	case EVENT_CUE:
		return "cue";
	case EVENT_SESSION_START:
		return "session-start";
	case EVENT_SESSION_END:
		return "session-end";
	case EVENT_ERROR:
		return "error";
	case EVENT_LOG:
		return "log";
	case EVENT_EXPORT:
		return "export";
	}
	return "unknown";
}

static void speed_field(struct json *j, const char *key, int32_t v)
{
	json_key(j, key);
	json_fixed(j, v, 2);
}

void event_session_fields(struct json *j, const struct session_event *ev)
{
	json_key(j, "state");
	json_string(j, session_state_name(ev->state));
	json_key(j, "session_s");
	json_fixed(j, ev->profile_ms / 100, 1);

	switch (ev->kind) {
	case SESSION_EV_STATE:
		json_key(j, "reason");
		json_string(j, session_pause_reason_name(ev->reason));
		break;
	case SESSION_EV_SEGMENT:
		json_key(j, "index");
		json_uint(j, ev->seg_index);
		json_key(j, "phase");
		json_string(j, plan_phase_name(ev->seg.phase));
		json_key(j, "pace");
		json_string(j, ev->seg.pace_name);
		speed_field(j, "speed_kmh", ev->seg.speed);
		json_key(j, "incline_pct");
		json_fixed(j, ev->seg.incline, 1);
		json_key(j, "duration_s");
		json_fixed(j, ev->seg.duration_ms / 100, 1);
		json_key(j, "jog");
		json_bool(j, ev->seg.jog_like);
		break;
	case SESSION_EV_COMMAND:
	case SESSION_EV_RESULT:
	case SESSION_EV_ADVICE:
		json_key(j, "command");
		json_string(j, session_cmd_name(ev->cmd.kind));
		if (ev->cmd.kind == SESSION_CMD_SET_SPEED)
			speed_field(j, "value", ev->cmd.arg);
		else if (ev->cmd.kind == SESSION_CMD_SET_INCLINE) {
			json_key(j, "value");
			json_fixed(j, ev->cmd.arg, 1);
		}
		if (ev->kind == SESSION_EV_RESULT) {
			json_key(j, "ok");
			json_bool(j, ev->err == 0);
			json_key(j, "result");
			json_uint(j, ev->result);
			if (ev->err) {
				json_key(j, "error");
				json_string(j, strerror(-ev->err));
			}
		}
		break;
	case SESSION_EV_SYMPTOM:
	case SESSION_EV_SCALEBACK:
		json_key(j, "kind");
		json_string(j, symptom_kind_name(ev->symptom));
		json_key(j, "press");
		json_uint(j, ev->press_number);
		if (ev->kind == SESSION_EV_SYMPTOM) {
			json_key(j, "debounced");
			json_bool(j, ev->press_number == 0);
			break;
		}
		json_key(j, "jog_speed");
		json_fixed(j, ev->step.jog_speed, 3);
		json_key(j, "jog_time");
		json_fixed(j, ev->step.jog_time, 3);
		json_key(j, "no_jog");
		json_bool(j, ev->step.no_jog);
		json_key(j, "end");
		json_bool(j, ev->step.end);
		break;
	case SESSION_EV_ALARM:
		json_key(j, "alarm");
		json_string(j, session_alarm_name(ev->alarm));
		json_key(j, "active");
		json_bool(j, ev->active);
		if (ev->alarm == SESSION_ALARM_STALE_DATA) {
			json_key(j, "stale_ms");
			json_int(j, ev->value);
		} else if (ev->alarm == SESSION_ALARM_SPEED_MISMATCH) {
			speed_field(j, "speed_kmh", ev->value);
		} else {
			json_key(j, "command");
			json_string(j, session_cmd_name(ev->cmd.kind));
			json_key(j, "error");
			json_string(j, strerror(-ev->err));
		}
		break;
	case SESSION_EV_END:
		json_key(j, "outcome");
		json_string(j, session_state_name(ev->state));
		break;
	case SESSION_EV_CUE:
		/* The runner reports cues as EVENT_CUE, with their words. */
		break;
	case SESSION_EV_REFUSED: {
		char text[256];

		json_key(j, "reason");
		json_string(j, session_refusal_name(ev->refusal));
		session_refusal_text(ev->refusal, ev->value, ev->limit, text,
				     sizeof(text));
		json_key(j, "text");
		json_string(j, text);
		break;
	}
	}
}

void event_cue_fields(struct json *j, const struct event_cue *cue)
{
	json_key(j, "session_s");
	json_fixed(j, cue->profile_ms / 100, 1);
	json_key(j, "kind");
	json_string(j, cue->kind ? cue->kind : "");
	json_key(j, "text");
	json_string(j, cue->text ? cue->text : "");
	if (cue->speed)
		speed_field(j, "speed_kmh", cue->speed);
	if (cue->in_s >= 0) {
		json_key(j, "in_s");
		json_int(j, cue->in_s);
	}
	if (cue->follows) {
		json_key(j, "follows");
		json_bool(j, true);
	}
}

void event_json(struct json *j, const struct event *ev)
{
	json_object_begin(j);
	json_key(j, "event");
	json_string(j, event_name(ev));
	switch (ev->kind) {
	case EVENT_SESSION:
		event_session_fields(j, &ev->session);
		break;
	case EVENT_CUE:
		event_cue_fields(j, &ev->cue);
		break;
	case EVENT_SESSION_START:
	case EVENT_SESSION_END:
	case EVENT_ERROR:
	case EVENT_LOG:
		if (ev->service.detail) {
			json_key(j, "detail");
			json_string(j, ev->service.detail);
		}
		if (ev->service.log) {
			json_key(j, "log");
			json_string(j, ev->service.log);
		}
		break;
	case EVENT_EXPORT:
		json_key(j, "format");
		json_string(j, ev->export.format);
		if (ev->export.path) {
			json_key(j, "path");
			json_string(j, ev->export.path);
		}
		json_key(j, "log");
		json_string(j, ev->export.log);
		if (ev->export.error) {
			json_key(j, "error");
			json_string(j, ev->export.error);
		}
		break;
	case EVENT_LINK:
	case EVENT_DROPPED:
	case EVENT_DENIED:
		/* Watchers learn that it happened; the numbers are in the
		 * session log and in status. */
		break;
	}
	json_object_end(j);
}
