/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The programme decision from a state directory: history in, today's stage out. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "json.h"
#include "progression.h"
#include "util.h"

bool progression_same_programme(struct progression_history *h,
				const struct programme *prog, const char *path)
{
	struct stat a, b;

	if (!strcmp(path, prog->path))
		return true;
	if (h->seen && !strcmp(path, h->seen))
		return h->seen_is_ours;
	free(h->seen);
	h->seen = paced_strdup(path);
	h->seen_is_ours = *path && stat(path, &a) == 0 &&
			  stat(prog->path, &b) == 0 &&
			  a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return h->seen_is_ours;
}

void progression_history_add(struct progression_history *h,
			     const struct programme *prog,
			     const struct history_entry *e)
{
	struct session_summary s;
	long st;

	memset(&s, 0, sizeof(s));
	s.type = e->type;
	s.when_s = e->when_s;
	switch (e->type) {
	case SESSION_RUN:
		st = progression_same_programme(h, prog, e->programme) ?
		     programme_find_stage(prog, e->stage) : -1;
		if (st < 0) {
			h->other++;
			return;
		}
		s.stage = (size_t) st;
		s.presses = e->presses;
		s.completed = e->completed;
		break;
	case SESSION_CHECKIN:
		s.checkin = e->checkin;
		break;
	case SESSION_NEXT_DAY:
		/* Carried on the run it is about, which is nearly always the
		 * last one: search from the end. An answer about a run of
		 * another programme finds nothing and is dropped. */
		for (size_t i = h->n; i-- > 0;)
			if (h->v[i].type == SESSION_RUN &&
			    h->v[i].when_s == e->about_s) {
				h->v[i].next_day = e->symptoms ? CHECKIN_YES :
						   CHECKIN_NO;
				break;
			}
		return;
	case SESSION_PRECHECK:
	case SESSION_CLEARED:
		break;
	}
	if (h->n == h->alloc) {
		h->alloc = h->alloc ? h->alloc * 2 : 64;
		h->v = paced_realloc(h->v, h->alloc * sizeof(*h->v));
	}
	h->v[h->n++] = s;
}

void progression_history_clear(struct progression_history *h)
{
	free(h->v);
	free(h->seen);
	memset(h, 0, sizeof(*h));
}

struct reader {
	struct progression_history *h;
	const struct programme *prog;
};

static int add_one(const struct history_entry *e, void *user_data)
{
	struct reader *rd = user_data;

	progression_history_add(rd->h, rd->prog, e);
	return 0;
}

int progression_history_read(struct progression_history *h,
			     const char *state_dir,
			     const struct programme *prog)
{
	struct reader rd = { .h = h, .prog = prog };
	unsigned bad = 0;
	long n;

	n = history_read(state_dir, add_one, &rd, &bad);
	if (n < 0)
		return (int) n;
	h->bad += bad;
	return 0;
}

int progression_decide(const char *state_dir, const struct programme *prog,
		       const struct programme_input *in,
		       struct programme_decision *ret, unsigned *ret_bad)
{
	struct progression_history h = { 0 };
	int r;

	if (!state_dir || !prog || !in || !ret)
		return -EINVAL;
	r = progression_history_read(&h, state_dir, prog);
	if (r == 0)
		r = programme_decide(prog, h.v, h.n, in, ret, NULL, NULL);
	if (r == 0 && ret_bad)
		*ret_bad = h.bad;
	progression_history_clear(&h);
	return r;
}

int32_t progression_utc_offset(int64_t t)
{
	time_t tt = (time_t) t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (int32_t) tm.tm_gmtoff;
}

const struct tm *progression_local_tm(int64_t t, struct tm *ret)
{
	time_t tt = (time_t) t;

	if (!localtime_r(&tt, ret))
		memset(ret, 0, sizeof(*ret));
	return ret;
}

struct pending {
	bool have;
	int64_t about_s;
	bool answered;
};

static int find_pending(const struct history_entry *e, void *user_data)
{
	struct pending *p = user_data;

	if (e->type == SESSION_RUN) {
		p->have = true;
		p->about_s = e->when_s;
		p->answered = false;
	} else if (e->type == SESSION_NEXT_DAY && p->have &&
		   e->about_s == p->about_s) {
		p->answered = true;
	}
	return 0;
}

int progression_pending_next_day(const char *state_dir, int64_t *ret_about_s)
{
	struct pending p = { 0 };
	long n = history_read(state_dir, find_pending, &p, NULL);

	if (n < 0)
		return (int) n;
	if (!p.have || p.answered)
		return -ENOENT;
	*ret_about_s = p.about_s;
	return 0;
}

int progression_record_checkin(const char *state_dir, const struct checkin *c,
			       int64_t now_s)
{
	struct history_entry e;
	int64_t about = 0;
	int r;

	if (!c || checkin_empty(c))
		return -EINVAL;
	if (c->next_day != CHECKIN_UNANSWERED) {
		r = progression_pending_next_day(state_dir, &about);
		if (r < 0)
			return r;
	}
	history_entry_init(&e, SESSION_CHECKIN, now_s);
	e.checkin = *c;
	e.checkin.next_day = CHECKIN_UNANSWERED;
	/* A check-in of the next-day answer alone is not a check-in. */
	if (!checkin_empty(&e.checkin)) {
		r = history_append(state_dir, &e);
		if (r < 0)
			return r;
	}
	if (c->next_day == CHECKIN_UNANSWERED)
		return 0;
	history_entry_init(&e, SESSION_NEXT_DAY, now_s);
	e.about_s = about;
	e.symptoms = c->next_day == CHECKIN_YES;
	return history_append(state_dir, &e);
}

static void stage_json(struct json *j, const struct programme *prog, size_t i)
{
	json_key(j, "stage");
	json_string(j, prog->stages[i].id);
	json_key(j, "name");
	json_string(j, prog->stages[i].profile->name);
	json_key(j, "profile");
	json_string(j, prog->stages[i].profile_path);
	json_key(j, "belt");
	json_bool(j, programme_stage_has_belt(prog, i));
}

void progression_decision_json(struct json *j, const struct programme *prog,
			       const struct programme_decision *d)
{
	char due[32] = "";

	if (d->due_s)
		PROGRESSION_TIME(d->due_s, "%Y-%m-%d", due);
	stage_json(j, prog, d->stage);
	json_key(j, "reason");
	json_string(j, programme_reason_name(d->reason));
	json_key(j, "progress");
	json_string(j, programme_reason_name(d->progress));
	json_key(j, "programme_stage");
	json_string(j, prog->stages[d->programme_stage].id);
	json_key(j, "alternative");
	if (d->has_alternative) {
		json_object_begin(j);
		stage_json(j, prog, d->alternative);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "walk_only");
	json_bool(j, d->walk_only);
	json_key(j, "locked");
	json_bool(j, d->locked);
	json_key(j, "refer");
	json_bool(j, d->refer);
	json_key(j, "clean");
	json_uint(j, d->clean);
	json_key(j, "running_due");
	if (due[0])
		json_string(j, due);
	else
		json_null(j);
	json_key(j, "running_due_s");
	json_int(j, d->due_s);
	json_key(j, "checked_in");
	json_bool(j, d->checked_in);
	json_key(j, "next_day_pending");
	json_bool(j, d->next_day_pending);
	json_key(j, "next_day_about_s");
	json_int(j, d->next_day_pending ? d->next_day_about_s : 0);
	json_key(j, "message");
	json_string(j, d->message);
	json_key(j, "programme");
	json_string(j, prog->path);
	json_key(j, "programme_name");
	json_string(j, prog->name);
	/* The whole ladder, for a front end that draws where she is. */
	json_key(j, "ladder");
	json_array_begin(j);
	for (size_t i = 0; i < prog->n_stages; i++) {
		json_object_begin(j);
		stage_json(j, prog, i);
		json_object_end(j);
	}
	json_array_end(j);
}
