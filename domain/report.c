/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The report for the physiotherapist: history and session logs to HTML, CSV or JSON. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "json-read.h"
#include "plan.h"
#include "progression.h"
#include "report.h"
#include "scaleback.h"
#include "util.h"

#define LINE_MAX_LEN 8192	/* session log lines are well under 1 KiB */
#define TEXT_MAX 96

/* ---- what the report holds ---- */

struct rpress {
	uint32_t at_ds;		/* session time, 0.1 s */
	enum symptom_kind kind;
	char phase[12];		/* the segment it came in, "" unknown */
	char pace[PLAN_PACE_NAME_MAX];
	int seg_index;		/* -1 unknown */
	uint16_t belt;		/* 0.01 km/h, 0 unknown */
	bool belt_measured;	/* from a sample, not the last command */
	uint16_t target;	/* the segment's speed */
};

struct rsession {
	int64_t when_s;		/* end, from the history */
	int64_t start_s;	/* from the log's first line, else when_s */
	long stage;		/* index in the programme, -1 another */
	char stage_id[PROGRAMME_STAGE_ID_MAX];
	char profile[TEXT_MAX];
	char outcome[16];
	bool completed;
	unsigned presses;	/* the history's count */
	enum checkin_yesno next_day;
	bool have_log;
	uint32_t planned_s, planned_jog_s;
	uint32_t length_ds;	/* session time reached */
	uint32_t jog_ds;	/* time in jog segments, 0.1 s */
	unsigned kinds[SYMPTOM_KIND_COUNT];
	size_t first_press, n_press;
};

struct rcheckin {
	int64_t when_s;
	struct checkin c;
	bool button;		/* the one-button check: "symptoms" */
};

struct report {
	const struct programme *prog;
	struct report_options opt;
	struct programme_decision today;
	struct rsession *s;
	size_t n_s, alloc_s;
	struct rpress *p;
	size_t n_p, alloc_p;
	struct rcheckin *c;
	size_t n_c, alloc_c;
	struct programme_event *e;
	size_t n_e, alloc_e;
	struct progression_history hist;
	unsigned bad;
};

#define GROW(v, n, alloc) do {						\
	if ((n) == (alloc)) {						\
		(alloc) = (alloc) ? (alloc) * 2 : 32;			\
		(v) = paced_realloc((v), (alloc) * sizeof(*(v)));	\
	}								\
} while (0)

size_t report_sessions(const struct report *rep)
{
	return rep->n_s;
}

unsigned report_bad_lines(const struct report *rep)
{
	return rep->bad;
}

void report_free(struct report *rep)
{
	if (!rep)
		return;
	free(rep->s);
	free(rep->p);
	free(rep->c);
	free(rep->e);
	progression_history_clear(&rep->hist);
	free(rep);
}

int report_format_from_name(const char *name, enum report_format *ret)
{
	if (!strcmp(name, "html"))
		*ret = REPORT_HTML;
	else if (!strcmp(name, "csv"))
		*ret = REPORT_CSV;
	else if (!strcmp(name, "json"))
		*ret = REPORT_JSON;
	else
		return -EINVAL;
	return 0;
}

/* ---- reading: the history ---- */

static void read_log(struct report *rep, struct rsession *s,
		     const char *path);

static int on_entry(const struct history_entry *e, void *user_data)
{
	struct report *rep = user_data;
	bool in = e->when_s >= rep->opt.since_s;
	struct rsession *s;

	/* The rules see the whole history; the report shows the period. */
	progression_history_add(&rep->hist, rep->prog, e);
	switch (e->type) {
	case SESSION_RUN:
		if (!in)
			break;
		GROW(rep->s, rep->n_s, rep->alloc_s);
		s = &rep->s[rep->n_s++];
		memset(s, 0, sizeof(*s));
		s->when_s = s->start_s = e->when_s;
		s->stage = progression_same_programme(&rep->hist, rep->prog,
						      e->programme) ?
			   programme_find_stage(rep->prog, e->stage) : -1;
		snprintf(s->stage_id, sizeof(s->stage_id), "%s",
			 e->stage[0] ? e->stage : "-");
		snprintf(s->profile, sizeof(s->profile), "%.*s",
			 (int) sizeof(s->profile) - 1, e->profile);
		snprintf(s->outcome, sizeof(s->outcome), "%s", e->outcome);
		s->completed = e->completed;
		s->presses = e->presses;
		/* Its log now, a line at a time: one log open at once, and
		 * no path kept for later. */
		read_log(rep, s, e->log);
		break;
	case SESSION_NEXT_DAY:
		for (size_t i = rep->n_s; i-- > 0;)
			if (rep->s[i].when_s == e->about_s) {
				rep->s[i].next_day = e->symptoms ? CHECKIN_YES :
						     CHECKIN_NO;
				break;
			}
		break;
	case SESSION_CHECKIN:
	case SESSION_PRECHECK:
		if (!in)
			break;
		GROW(rep->c, rep->n_c, rep->alloc_c);
		rep->c[rep->n_c].when_s = e->when_s;
		rep->c[rep->n_c].c = e->checkin;
		rep->c[rep->n_c].button = e->type == SESSION_PRECHECK;
		rep->n_c++;
		break;
	case SESSION_CLEARED:
		break;
	}
	return 0;
}

static void on_rule(const struct programme_event *ev, void *user_data)
{
	struct report *rep = user_data;

	if (ev->when_s < rep->opt.since_s)
		return;
	GROW(rep->e, rep->n_e, rep->alloc_e);
	rep->e[rep->n_e++] = *ev;
}

/* ---- reading: one session log, a line at a time ---- */

/* "2025-03-03T08:00:00.123Z" to seconds since the epoch. */
static bool parse_stamp(const char *t, int64_t *ret)
{
	struct tm tm;
	const char *end;

	if (!t)
		return false;
	memset(&tm, 0, sizeof(tm));
	end = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return false;
	*ret = (int64_t) timegm(&tm);
	return true;
}

static bool get_ds(const struct json_value *v, const char *key, uint32_t *ret)
{
	double d;

	if (!json_get_number(v, key, &d) || !(d >= 0) || d > 86400.0 * 2)
		return false;
	*ret = (uint32_t) (d * 10 + 0.5);
	return true;
}

static uint16_t get_kmh(const struct json_value *v, const char *key)
{
	double d;

	if (!json_get_number(v, key, &d) || !(d > 0) || d > 100)
		return 0;
	return (uint16_t) (d * 100 + 0.5);
}

/* What the log says as it goes. */
struct log_state {
	uint32_t seg_ds;	/* the current segment began */
	bool seg_jog;
	bool in_seg;
	int seg_index;
	char phase[12];
	char pace[PLAN_PACE_NAME_MAX];
	uint16_t seg_speed;
	uint32_t last_ds;	/* latest session time seen */
	uint32_t sample_ds;
	uint16_t sample_kmh;	/* 0: none yet */
	uint16_t commanded;	/* last set-speed the treadmill took */
};

/* Close the current segment at t: its jog time counts. */
static void seg_close(struct rsession *s, struct log_state *ls, uint32_t t)
{
	if (ls->in_seg && ls->seg_jog && t > ls->seg_ds)
		s->jog_ds += t - ls->seg_ds;
	ls->in_seg = false;
}

static void log_line(struct report *rep, struct rsession *s,
		     struct log_state *ls, const struct json_value *v)
{
	const char *ev = json_get_string(v, "event");
	uint32_t t = ls->last_ds;
	int64_t n;

	if (!ev)
		return;
	if (get_ds(v, "session_s", &t) && t > ls->last_ds)
		ls->last_ds = t;
	if (!strcmp(ev, "open")) {
		if (parse_stamp(json_get_string(v, "t"), &s->start_s) &&
		    s->start_s > s->when_s)
			s->start_s = s->when_s;
		if (json_get_int(v, "planned_s", &n) && n >= 0 && n < 86400)
			s->planned_s = (uint32_t) n;
		if (json_get_int(v, "planned_jog_s", &n) && n >= 0 && n < 86400)
			s->planned_jog_s = (uint32_t) n;
	} else if (!strcmp(ev, "segment")) {
		seg_close(s, ls, t);
		ls->in_seg = true;
		ls->seg_ds = t;
		ls->seg_jog = false;
		(void) json_get_bool(v, "jog", &ls->seg_jog);
		ls->seg_index = json_get_int(v, "index", &n) && n >= 0 &&
				n < PLAN_MAX_SEGMENTS ? (int) n : -1;
		if (!json_get_string_buf(v, "phase", ls->phase,
					 sizeof(ls->phase)))
			ls->phase[0] = '\0';
		if (!json_get_string_buf(v, "pace", ls->pace, sizeof(ls->pace)))
			ls->pace[0] = '\0';
		ls->seg_speed = get_kmh(v, "speed_kmh");
	} else if (!strcmp(ev, "sample")) {
		ls->sample_ds = t;
		ls->sample_kmh = get_kmh(v, "speed_kmh");
	} else if (!strcmp(ev, "result")) {
		const char *cmd = json_get_string(v, "command");
		bool ok = false;

		if (cmd && !strcmp(cmd, "set-speed") &&
		    json_get_bool(v, "ok", &ok) && ok)
			ls->commanded = get_kmh(v, "value");
	} else if (!strcmp(ev, "symptom")) {
		const char *kind = json_get_string(v, "kind");
		enum symptom_kind k = SYMPTOM_ANY;
		struct rpress *p;

		/* A debounced press (press 0) counted for nothing. */
		if (!json_get_int(v, "press", &n) || n <= 0)
			return;
		if (kind)
			(void) symptom_kind_from_name(kind, &k);
		s->kinds[k]++;
		GROW(rep->p, rep->n_p, rep->alloc_p);
		p = &rep->p[rep->n_p++];
		memset(p, 0, sizeof(*p));
		s->n_press++;
		p->at_ds = t;
		p->kind = k;
		p->seg_index = ls->in_seg ? ls->seg_index : -1;
		if (ls->in_seg) {
			snprintf(p->phase, sizeof(p->phase), "%s", ls->phase);
			snprintf(p->pace, sizeof(p->pace), "%s", ls->pace);
			p->target = ls->seg_speed;
		}
		/* The belt as the treadmill reported it, if a sample is
		 * recent (samples come every 5 s of real time); else the
		 * speed it last acknowledged. */
		if (ls->sample_kmh && t >= ls->sample_ds &&
		    t - ls->sample_ds <= 150) {
			p->belt = ls->sample_kmh;
			p->belt_measured = true;
		} else {
			p->belt = ls->commanded;
		}
	} else if (!strcmp(ev, "end")) {
		seg_close(s, ls, t);
	}
}

static void read_log(struct report *rep, struct rsession *s,
		     const char *path)
{
	char line[LINE_MAX_LEN];
	struct log_state ls;
	FILE *f;
	int fd;

	if (!path[0])
		return;
	/* A regular file or nothing: a FIFO named like a log must not hang
	 * the report (lib/file.h). */
	fd = file_open_read(path);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	memset(&ls, 0, sizeof(ls));
	ls.seg_index = -1;
	s->first_press = rep->n_p;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		struct json_value *v;

		if (len && line[len - 1] == '\n') {
			len--;
		} else if (!feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		/* A line a crash cut short does not parse: skipped. */
		v = json_parse(line, len, NULL);
		if (v)
			log_line(rep, s, &ls, v);
		json_value_free(v);
	}
	fclose(f);
	/* An interrupted session has no end line: its last time counts. */
	seg_close(s, &ls, ls.last_ds);
	s->length_ds = ls.last_ds;
	s->have_log = true;
}

int report_build(const char *state_dir, const struct programme *prog,
		 const struct report_options *opt, struct report **ret)
{
	struct programme_input in = { 0 };
	struct report *rep;
	long n;
	int r;

	if (!state_dir || !prog || !opt || !ret)
		return -EINVAL;
	rep = paced_new0(struct report, 1);
	rep->prog = prog;
	rep->opt = *opt;
	n = history_read(state_dir, on_entry, rep, &rep->bad);
	if (n < 0) {
		report_free(rep);
		return (int) n;
	}
	in.now_s = opt->now_s;
	in.utc_offset_s = progression_utc_offset(opt->now_s);
	r = programme_decide(prog, rep->hist.v, rep->hist.n, &in, &rep->today,
			     on_rule, rep);
	if (r < 0) {
		report_free(rep);
		return r;
	}
	/* The rules are read: only the sessions are needed from here. */
	progression_history_clear(&rep->hist);
	*ret = rep;
	return 0;
}

/* ---- shared by the renderings ---- */

static int64_t local_day(int64_t t)
{
	time_t tt = (time_t) t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return t / 86400;
	return (t + tm.tm_gmtoff) / 86400;
}

/* Monday-based weeks: 1970-01-01 was a Thursday. */
static int64_t week_of(int64_t t)
{
	int64_t d = local_day(t) + 3;

	return d >= 0 ? d / 7 : -((-d + 6) / 7);
}

/* The Monday of week w, as a local noon (so DST cannot move its day). */
static int64_t week_start(int64_t w)
{
	int64_t noon = (w * 7 - 3) * 86400 + 12 * 3600;
	time_t tt = (time_t) noon;
	struct tm tm;

	if (localtime_r(&tt, &tm))
		noon -= tm.tm_gmtoff;
	return noon;
}

static const char *stage_name(const struct report *rep, long stage)
{
	return stage >= 0 ? rep->prog->stages[stage].id : "-";
}

/* Rules a physiotherapist reads first: what went backwards or stopped. */
static bool rule_matters(enum programme_reason r)
{
	switch (r) {
	case PROGRAMME_STEP_BACK_PRESSES:
	case PROGRAMME_STEP_BACK_STREAK:
	case PROGRAMME_WALK_PRECHECK:
	case PROGRAMME_WALK_RED_FLAG:
	case PROGRAMME_SUSPENDED:
	case PROGRAMME_LOCKED:
	case PROGRAMME_REST_DAY:
		return true;
	case PROGRAMME_START:
	case PROGRAMME_ADVANCE:
	case PROGRAMME_NEED_CLEAN:
	case PROGRAMME_REPEAT_SYMPTOM:
	case PROGRAMME_REPEAT_INCOMPLETE:
	case PROGRAMME_OFF_PLAN:
	case PROGRAMME_FINISHED:
	case PROGRAMME_RESUMED:
	case PROGRAMME_NEED_TIME:
	case PROGRAMME_LEFT_PREP:
	case PROGRAMME_REPEAT_CHECKIN:
	case PROGRAMME_OFFER_PREVIOUS:
	case PROGRAMME_PREVIOUS:
		break;
	}
	return false;
}

/* What a rule did, in words for the table. */
static const char *rule_text(enum programme_reason r)
{
	switch (r) {
	case PROGRAMME_ADVANCE:
		return "moved on: enough clean sessions";
	case PROGRAMME_REPEAT_SYMPTOM:
		return "repeat: a symptom in the session (or the day after)";
	case PROGRAMME_REPEAT_CHECKIN:
		return "repeat: symptoms since the last session (check-in)";
	case PROGRAMME_STEP_BACK_PRESSES:
		return "step back: presses in one session";
	case PROGRAMME_STEP_BACK_STREAK:
		return "step back: symptoms in sessions in a row";
	case PROGRAMME_WALK_PRECHECK:
		return "walk only: symptoms reported before the session";
	case PROGRAMME_WALK_RED_FLAG:
		return "walk only: red flag at check-in (bleeding, heaviness or pain)";
	case PROGRAMME_SUSPENDED:
		return "running suspended: repeated symptoms before sessions";
	case PROGRAMME_LOCKED:
		return "locked at walking: repeated step-backs";
	case PROGRAMME_REST_DAY:
		return "walk only: rest day after a run";
	case PROGRAMME_OFFER_PREVIOUS:
	case PROGRAMME_PREVIOUS:
		return "stage before: short sleep or low energy";
	case PROGRAMME_RESUMED:
		return "cleared to run again";
	case PROGRAMME_LEFT_PREP:
		return "on from the preparation phase";
	case PROGRAMME_START:
	case PROGRAMME_NEED_CLEAN:
	case PROGRAMME_REPEAT_INCOMPLETE:
	case PROGRAMME_OFF_PLAN:
	case PROGRAMME_FINISHED:
	case PROGRAMME_NEED_TIME:
		break;
	}
	return programme_reason_name(r);
}

/* Sessions and jog time per week, over the period. */
struct week {
	int64_t week;
	unsigned sessions, presses;
	uint32_t jog_ds;
};

static size_t weeks(const struct report *rep, struct week **ret)
{
	int64_t first, last;
	struct week *w;
	size_t n;

	*ret = NULL;
	if (!rep->n_s)
		return 0;
	first = week_of(rep->opt.since_s ? rep->opt.since_s : rep->s[0].start_s);
	last = week_of(MAX(rep->opt.now_s, rep->s[rep->n_s - 1].start_s));
	/* At most ten years of weeks: a bad clock must not cost memory. */
	if (last < first)
		last = first;
	if (last - first > 520)
		first = last - 520;
	n = (size_t) (last - first + 1);
	w = paced_new0(struct week, n);
	for (size_t i = 0; i < n; i++)
		w[i].week = first + (int64_t) i;
	for (size_t i = 0; i < rep->n_s; i++) {
		int64_t k = week_of(rep->s[i].start_s) - first;

		if (k < 0 || k >= (int64_t) n)
			continue;
		w[k].sessions++;
		w[k].presses += rep->s[i].presses;
		w[k].jog_ds += rep->s[i].jog_ds;
	}
	*ret = w;
	return n;
}

static const char *kind_label(enum symptom_kind k)
{
	switch (k) {
	case SYMPTOM_LEAK:
		return "leak";
	case SYMPTOM_PRESSURE:
		return "heaviness";
	case SYMPTOM_PAIN:
		return "pain";
	case SYMPTOM_LONG_PRESS:
		return "long press";
	case SYMPTOM_ANY:
	case SYMPTOM_KIND_COUNT:
		break;
	}
	return "press";
}

/* ---- HTML ---- */

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const char css[] =
"@page{margin:14mm 12mm}\n"
"*{box-sizing:border-box}\n"
"body{font:10pt/1.35 'DejaVu Sans',Helvetica,Arial,sans-serif;color:#111;"
"margin:0 auto;max-width:180mm;padding:6mm 0;"
"-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
"h1{font-size:16pt;margin:0 0 2mm}h2{font-size:12pt;margin:6mm 0 2mm;"
"border-bottom:1px solid #999;break-after:avoid}\n"
"p{margin:1mm 0}.small{font-size:8.5pt;color:#444}\n"
"table{border-collapse:collapse;width:100%;font-size:8.5pt}\n"
"th,td{border-bottom:1px solid #ccc;padding:1mm 1.5mm;text-align:left;"
"vertical-align:top}th{background:#eee}thead{display:table-header-group}\n"
"tr,figure,.box{break-inside:avoid}td.n{text-align:right}\n"
".flag{font-weight:bold;color:#a00}.box{border:1px solid #999;"
"padding:2mm 3mm;margin:2mm 0}\n"
"figure{margin:2mm 0}figcaption{font-size:8.5pt;color:#444}\n"
"svg{width:100%;height:auto;display:block}\n"
"svg text{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif}\n";

/* Colours a photocopy keeps apart, and the marker shapes that do it in
 * grey: circle, square, triangle, diamond. */
static const char *const kind_colour[SYMPTOM_KIND_COUNT] = {
	[SYMPTOM_ANY] = "#555", [SYMPTOM_LEAK] = "#1f77b4",
	[SYMPTOM_PRESSURE] = "#d62728", [SYMPTOM_PAIN] = "#ff7f0e",
	[SYMPTOM_LONG_PRESS] = "#7f3fbf",
};

static void marker(FILE *f, enum symptom_kind k, double x, double y)
{
	const char *c = kind_colour[k];

	switch (k) {
	case SYMPTOM_LEAK:
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\"/>",
			x - 3.5, y - 3.5, c);
		break;
	case SYMPTOM_PRESSURE:
		fprintf(f, "<path d=\"M%.1f %.1fl4 7h-8z\" fill=\"%s\"/>",
			x, y - 4, c);
		break;
	case SYMPTOM_PAIN:
		fprintf(f, "<path d=\"M%.1f %.1fl4 4l-4 4l-4 -4z\" fill=\"%s\"/>",
			x, y - 4, c);
		break;
	case SYMPTOM_ANY:
	case SYMPTOM_LONG_PRESS:
	case SYMPTOM_KIND_COUNT:
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>",
			x, y, c);
		break;
	}
}

/* The chart area of every figure: 680 x h user units, a left margin for
 * labels, time or session index along the bottom. */
#define CW 680.0
#define CL 46.0
#define CR 8.0

static void svg_open(FILE *f, double h, const char *label)
{
	fprintf(f, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"",
		CW, h);
	html_text(f, label);
	fprintf(f, "\" font-size=\"10\">");
}

/* x of session i of n, spread evenly (sessions, not days: a gap of a
 * week would otherwise squeeze the busy weeks). */
static double sx(size_t i, size_t n)
{
	double w = CW - CL - CR;

	return CL + (n > 1 ? w * (double) i / (double) (n - 1) : w / 2);
}

/* Dates under the session axis: about six of them. */
static void date_ticks(FILE *f, const struct report *rep, double y)
{
	size_t step = MAX((size_t) 1, rep->n_s / 6);
	char d[16];

	for (size_t i = 0; i < rep->n_s; i += step) {
		double x = sx(i, rep->n_s);

		PROGRESSION_TIME(rep->s[i].start_s, "%d %b", d);
		/* The last label ends at the edge rather than past it. */
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
			x, y, x > CW - CR - 24 ? "end" : "middle", d);
	}
}

static void chart_stages(FILE *f, const struct report *rep)
{
	const struct programme *prog = rep->prog;
	size_t lo = rep->today.programme_stage, hi = lo, ns;
	double top = 8, row = 11, h, prev_x = 0, prev_y = 0;
	bool have_prev = false;

	/* The stages she was on, a step either side: not the whole ladder
	 * for a report of its first weeks. */
	for (size_t i = 0; i < rep->n_s; i++)
		if (rep->s[i].stage >= 0) {
			lo = MIN(lo, (size_t) rep->s[i].stage);
			hi = MAX(hi, (size_t) rep->s[i].stage);
		}
	lo = lo ? lo - 1 : 0;
	hi = MIN(hi + 1, prog->n_stages - 1);
	ns = hi - lo + 1;
	h = top + row * (double) ns + 24;
	svg_open(f, h, "Stage of each session over time");
	for (size_t i = lo; i <= hi; i++) {
		double y = top + row * (double) (hi - i) + row / 2;

		fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>",
			CL, CW - CR, y, y);
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">",
			CL - 4, y + 3.5);
		html_text(f, prog->stages[i].id);
		fputs("</text>", f);
	}
	for (size_t i = 0; i < rep->n_s; i++) {
		const struct rsession *s = &rep->s[i];
		double x = sx(i, rep->n_s), y;
		const char *fill = s->presses || s->next_day == CHECKIN_YES ?
				   "#d62728" : s->completed ? "#2ca02c" : "#999";

		if (s->stage < 0)
			continue;
		y = top + row * (double) (hi - (size_t) s->stage) + row / 2;
		if (have_prev)
			fprintf(f, "<path d=\"M%.1f %.1fH%.1fV%.1f\" fill=\"none\" stroke=\"#888\"/>",
				prev_x, prev_y, x, y);
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>",
			x, y, fill);
		prev_x = x;
		prev_y = y;
		have_prev = true;
	}
	date_ticks(f, rep, h - 8);
	fputs("</svg>", f);
}

static void chart_weeks(FILE *f, const struct week *w, size_t n)
{
	double h = 120, base = 96, bw;
	unsigned max = 3;

	for (size_t i = 0; i < n; i++)
		max = MAX(max, w[i].sessions);
	bw = (CW - CL - CR) / (double) MAX(n, (size_t) 1);
	svg_open(f, h, "Sessions per week");
	for (unsigned k = 0; k <= max; k++) {
		double y = base - 84.0 * k / max;

		fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
			"<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%u</text>",
			CL, CW - CR, y, y, CL - 4, y + 3, k);
	}
	for (size_t i = 0; i < n; i++) {
		double bh = 84.0 * w[i].sessions / max;
		double x = CL + bw * (double) i;
		char d[16];

		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4c72b0\"/>",
			x + bw * 0.15, base - bh, bw * 0.7, bh);
		if (n <= 12 || i % ((n + 11) / 12) == 0) {
			PROGRESSION_TIME(week_start(w[i].week), "%d %b", d);
			fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>",
				x + bw / 2, base + 14, d);
		}
	}
	fputs("</svg>", f);
}

/* Bars of minutes per session: planned jog (outline) and jogged (fill). */
static void chart_jog(FILE *f, const struct report *rep)
{
	double h = 140, base = 112, top = 8, bw, max = 5;

	for (size_t i = 0; i < rep->n_s; i++)
		max = MAX(max, MAX(rep->s[i].planned_jog_s / 60.0,
				   rep->s[i].jog_ds / 600.0));
	max = (double) ((int) (max / 5) + 1) * 5;
	bw = (CW - CL - CR) / (double) MAX(rep->n_s, (size_t) 1);
	svg_open(f, h, "Jog minutes per session, planned and done");
	for (int k = 0; k <= (int) max; k += 5) {
		double y = base - (base - top) * k / max;

		fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
			"<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%d</text>",
			CL, CW - CR, y, y, CL - 4, y + 3, k);
	}
	for (size_t i = 0; i < rep->n_s; i++) {
		const struct rsession *s = &rep->s[i];
		double x = CL + bw * (double) i;
		double ph = (base - top) * (s->planned_jog_s / 60.0) / max;
		double jh = (base - top) * (s->jog_ds / 600.0) / max;

		if (s->planned_jog_s)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.8\"/>",
				x + bw * 0.1, base - ph, bw * 0.8, ph);
		if (jh > 0)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2ca02c\"/>",
				x + bw * 0.2, base - jh, bw * 0.6, jh);
	}
	for (size_t i = 0; i < rep->n_s; i += MAX((size_t) 1, rep->n_s / 6)) {
		char d[16];

		PROGRESSION_TIME(rep->s[i].start_s, "%d %b", d);
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>",
			CL + bw * ((double) i + 0.5), base + 14, d);
	}
	fputs("</svg>", f);
}

/* When each press came (markers at its minute into the session, above)
 * and presses by kind per session (stacked bars, below). */
static void chart_presses(FILE *f, const struct report *rep)
{
	double h = 220, top = 8, mid = 120, bar_top = 136, base = 176;
	double max_min = 30;
	unsigned max_n = 2;

	for (size_t i = 0; i < rep->n_s; i++) {
		max_n = MAX(max_n, rep->s[i].n_press);
		max_min = MAX(max_min, rep->s[i].length_ds / 600.0);
	}
	max_min = (double) ((int) (max_min / 10) + 1) * 10;
	svg_open(f, h, "Symptom presses: minute into the session, and count per session by kind");
	for (int m = 0; m <= (int) max_min; m += 10) {
		double y = mid - (mid - top) * m / max_min;

		fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
			"<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%d min</text>",
			CL, CW - CR, y, y, CL - 4, y + 3, m);
	}
	fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>"
		"<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%u</text>"
		"<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">presses</text>",
		CL, CW - CR, base, base, CL - 4, bar_top + 3, max_n, CL - 4,
		base);
	for (size_t i = 0; i < rep->n_s; i++) {
		const struct rsession *s = &rep->s[i];
		double x = sx(i, rep->n_s), y = base;

		for (size_t k = 0; k < s->n_press; k++) {
			const struct rpress *p = &rep->p[s->first_press + k];

			marker(f, p->kind, x, mid - (mid - top) *
			       (p->at_ds / 600.0) / max_min);
		}
		for (int k = 0; k < SYMPTOM_KIND_COUNT; k++) {
			double bh = (base - bar_top) * s->kinds[k] / max_n;

			if (!s->kinds[k])
				continue;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"5\" height=\"%.1f\" fill=\"%s\"/>",
				x - 2.5, y - bh, bh, kind_colour[k]);
			y -= bh;
		}
	}
	date_ticks(f, rep, base + 14);
	/* The legend, shapes and colours. */
	for (int k = SYMPTOM_LEAK, i = 0; k < SYMPTOM_KIND_COUNT; k++, i++) {
		marker(f, (enum symptom_kind) k, CL + 10 + 110.0 * i, h - 12);
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">%s</text>",
			CL + 18 + 110.0 * i, h - 9, kind_label((enum symptom_kind) k));
	}
	fputs("</svg>", f);
}

static void td_answer(FILE *f, const char *v, bool flag)
{
	fprintf(f, "<td%s>%s%s</td>", flag ? " class=\"flag\"" : "",
		v ? v : "&ndash;", flag ? " !" : "");
}

static void html_checkins(FILE *f, const struct report *rep)
{
	const struct programme_rules *r = &rep->prog->rules;

	if (!rep->n_c) {
		fputs("<p>No check-ins in this period.</p>", f);
		return;
	}
	fputs("<table><thead><tr><th>when</th><th>leak</th><th>heaviness</th>"
	      "<th>pain</th><th>bleeding</th><th>sleep</th><th>breast-feeding</th>"
	      "<th>energy</th></tr></thead><tbody>", f);
	for (size_t i = 0; i < rep->n_c; i++) {
		const struct checkin *c = &rep->c[i].c;
		char when[32], pain[8];

		PROGRESSION_TIME(rep->c[i].when_s, "%a %d %b %H:%M", when);
		fprintf(f, "<tr><td>%s</td>", when);
		if (rep->c[i].button) {
			fputs("<td colspan=\"7\" class=\"flag\">symptoms since the last session (one-button check) !</td></tr>", f);
			continue;
		}
		td_answer(f, checkin_yesno_name(c->leak), c->leak == CHECKIN_YES);
		td_answer(f, checkin_yesno_name(c->heaviness),
			  c->heaviness == CHECKIN_YES);
		snprintf(pain, sizeof(pain), "%d", c->pain);
		td_answer(f, c->pain >= 0 ? pain : NULL,
			  c->pain >= (int) r->pain_walk_only);
		td_answer(f, checkin_yesno_name(c->bleeding),
			  c->bleeding == CHECKIN_YES);
		td_answer(f, checkin_sleep_name(c->sleep), false);
		td_answer(f, checkin_yesno_name(c->breastfeeding), false);
		td_answer(f, checkin_energy_name(c->energy), false);
		fputs("</tr>", f);
	}
	fputs("</tbody></table>", f);
}

static void html_sessions(FILE *f, const struct report *rep)
{
	fputs("<table><thead><tr><th>date</th><th>stage</th><th>profile</th>"
	      "<th>min</th><th>jog planned</th><th>jogged</th><th>presses</th>"
	      "<th>next day</th><th>outcome</th></tr></thead><tbody>", f);
	for (size_t i = 0; i < rep->n_s; i++) {
		const struct rsession *s = &rep->s[i];
		char when[32];

		PROGRESSION_TIME(s->start_s, "%a %d %b", when);
		fprintf(f, "<tr><td>%s</td><td>", when);
		html_text(f, s->stage_id);
		fputs("</td><td>", f);
		html_text(f, s->profile);
		if (s->have_log)
			fprintf(f, "</td><td class=\"n\">%.0f</td><td class=\"n\">%.1f</td><td class=\"n\">%.1f</td>",
				s->length_ds / 600.0, s->planned_jog_s / 60.0,
				s->jog_ds / 600.0);
		else
			fputs("</td><td colspan=\"3\">no log</td>", f);
		fprintf(f, "<td class=\"n%s\">%u</td>", s->presses ? " flag" : "",
			s->presses);
		td_answer(f, checkin_yesno_name(s->next_day),
			  s->next_day == CHECKIN_YES);
		fputs("<td>", f);
		html_text(f, s->outcome);
		fputs("</td></tr>", f);
	}
	fputs("</tbody></table>", f);
}

static void html_presses(FILE *f, const struct report *rep)
{
	if (!rep->n_p) {
		fputs("<p>No symptom presses in this period.</p>", f);
		return;
	}
	fputs("<table><thead><tr><th>date</th><th>stage</th><th>kind</th>"
	      "<th>minute</th><th>segment</th><th>belt km/h</th></tr></thead><tbody>",
	      f);
	for (size_t i = 0; i < rep->n_s; i++) {
		const struct rsession *s = &rep->s[i];

		for (size_t k = 0; k < s->n_press; k++) {
			const struct rpress *p = &rep->p[s->first_press + k];
			char when[32];

			PROGRESSION_TIME(s->start_s, "%a %d %b", when);
			fprintf(f, "<tr><td>%s</td><td>", when);
			html_text(f, s->stage_id);
			fprintf(f, "</td><td>%s</td><td class=\"n\">%u:%02u</td><td>",
				kind_label(p->kind), p->at_ds / 600,
				p->at_ds / 10 % 60);
			if (p->seg_index >= 0) {
				html_text(f, p->phase);
				fprintf(f, " #%d, ", p->seg_index + 1);
				html_text(f, p->pace);
			} else {
				fputs("&ndash;", f);
			}
			if (p->belt)
				fprintf(f, "</td><td class=\"n\">%u.%02u%s</td></tr>",
					p->belt / 100, p->belt % 100,
					p->belt_measured ? "" : " (set)");
			else
				fputs("</td><td>&ndash;</td></tr>", f);
		}
	}
	fputs("</tbody></table><p class=\"small\">Belt speed as the treadmill reported it at the press; \"(set)\" where no recent reading existed and the speed last set is shown.</p>",
	      f);
}

static void html_rules(FILE *f, const struct report *rep)
{
	bool any = false;

	for (size_t i = 0; i < rep->n_e; i++) {
		const struct programme_event *e = &rep->e[i];
		char when[32];

		if (!rule_matters(e->reason) && e->reason != PROGRAMME_ADVANCE &&
		    e->reason != PROGRAMME_RESUMED &&
		    e->reason != PROGRAMME_REPEAT_SYMPTOM &&
		    e->reason != PROGRAMME_REPEAT_CHECKIN &&
		    e->reason != PROGRAMME_OFFER_PREVIOUS &&
		    e->reason != PROGRAMME_LEFT_PREP)
			continue;
		if (!any)
			fputs("<table><thead><tr><th>date</th><th>what</th>"
			      "<th>rule</th><th>stage</th></tr></thead><tbody>", f);
		any = true;
		PROGRESSION_TIME(e->when_s, "%a %d %b %H:%M", when);
		fprintf(f, "<tr><td>%s</td><td%s>%s</td><td>%s</td><td>", when,
			rule_matters(e->reason) ? " class=\"flag\"" : "",
			rule_text(e->reason), programme_reason_name(e->reason));
		html_text(f, stage_name(rep, (long) e->from));
		if (e->to != e->from) {
			fputs(" &rarr; ", f);
			html_text(f, stage_name(rep, (long) e->to));
		}
		fputs("</td></tr>", f);
	}
	if (any)
		fputs("</tbody></table>", f);
	else
		fputs("<p>The programme applied no rule in this period.</p>", f);
}

static void write_html(const struct report *rep, FILE *f)
{
	const struct programme *prog = rep->prog;
	const struct programme_decision *d = &rep->today;
	const struct programme_stage *cur = &prog->stages[d->programme_stage];
	unsigned kinds[SYMPTOM_KIND_COUNT] = { 0 }, clean = 0, red = 0;
	struct week *w;
	size_t nw = weeks(rep, &w);
	char now[40], from[32] = "the start";

	PROGRESSION_TIME(rep->opt.now_s, "%a %d %b %Y %H:%M", now);
	if (rep->opt.since_s)
		PROGRESSION_TIME(rep->opt.since_s, "%a %d %b %Y", from);
	for (size_t i = 0; i < rep->n_s; i++) {
		for (int k = 0; k < SYMPTOM_KIND_COUNT; k++)
			kinds[k] += rep->s[i].kinds[k];
		clean += !rep->s[i].presses && rep->s[i].completed &&
			 rep->s[i].next_day != CHECKIN_YES;
	}
	for (size_t i = 0; i < rep->n_e; i++)
		red += rule_matters(rep->e[i].reason);

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\">"
	      "<title>Return-to-running report</title><style>", f);
	fputs(css, f);
	fputs("</style></head><body>\n<h1>Return-to-running report</h1>\n<p>", f);
	html_text(f, prog->name);
	fprintf(f, "<br><span class=\"small\">From %s to %s. Written by paced from the session history and logs. paced is not a medical device: this report is for a pelvic-health physiotherapist to read with the person.</span></p>\n",
		from, now);

	fputs("<div class=\"box\"><p><b>Current stage:</b> ", f);
	html_text(f, cur->profile->name);
	fprintf(f, "%s</p><p><b>Today:</b> ", d->locked ? " (locked: walking only)" : "");
	html_text(f, prog->stages[d->stage].id);
	fputs(". ", f);
	html_text(f, d->message);
	fprintf(f, "</p><p><b>In this period:</b> %zu session%s, %u clean; presses: %u leak, %u heaviness, %u pain, %u other; %zu check-in%s; %u step-back%s, walk-only day%s or lock%s (below).</p></div>\n",
		rep->n_s, rep->n_s == 1 ? "" : "s", clean, kinds[SYMPTOM_LEAK],
		kinds[SYMPTOM_PRESSURE], kinds[SYMPTOM_PAIN],
		kinds[SYMPTOM_ANY] + kinds[SYMPTOM_LONG_PRESS], rep->n_c,
		rep->n_c == 1 ? "" : "s", red, red == 1 ? "" : "s",
		red == 1 ? "" : "s", red == 1 ? "" : "s");

	if (rep->n_s) {
		fputs("<h2>Stage over time</h2><figure>", f);
		chart_stages(f, rep);
		fputs("<figcaption>The stage of each session, oldest on the left: green clean, red with a symptom press, grey stopped early.</figcaption></figure>\n", f);
		fputs("<h2>Sessions per week</h2><figure>", f);
		chart_weeks(f, w, nw);
		fputs("<figcaption>Sessions in each week (weeks start on Monday).</figcaption></figure>\n", f);
		fputs("<h2>Jog time per session</h2><figure>", f);
		chart_jog(f, rep);
		fputs("<figcaption>Minutes of jogging: outline as planned, green as done (a press turns the rest of a jog into walking).</figcaption></figure>\n", f);
		fputs("<h2>Symptom presses</h2><figure>", f);
		chart_presses(f, rep);
		fputs("<figcaption>Above: when each press came, in minutes into the session. Below: presses per session, by kind.</figcaption></figure>\n", f);
		html_presses(f, rep);
	} else {
		fputs("<p>No sessions in this period.</p>", f);
	}
	fputs("<h2>Check-ins</h2>", f);
	html_checkins(f, rep);
	fputs("<p class=\"small\">Marked ! : a red flag (bleeding, heaviness or dragging, pain at or above the programme's threshold) or leakage since the last session.</p>\n", f);
	fputs("<h2>Step-backs, walk-only days and locks</h2>", f);
	html_rules(f, rep);
	fputs("<h2>Sessions</h2>", f);
	html_sessions(f, rep);
	fputs("\n<p class=\"small\">paced keeps the full session logs (every command, press and sample) in its state directory; this report is made from them with <code>pacectl report</code>.</p>\n</body></html>\n",
	      f);
	free(w);
}

/* ---- CSV ---- */

/* RFC 4180 quoting; a leading = + - @ is quoted with a ' so a
 * spreadsheet never runs a profile name as a formula. */
static void csv_text(FILE *f, const char *s)
{
	fputc('"', f);
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char csv_header[] =
	"record,date,time,stage,profile,outcome,completed,minutes,"
	"jog_planned_min,jog_min,presses,leak,heaviness,pain,bleeding,sleep,"
	"breastfeeding,energy,next_day,minute,phase,segment,pace,belt_kmh,"
	"belt_source,kind,rule,to_stage,sessions\r\n";

/* The first three columns of every row. */
static void csv_start(FILE *f, const char *record, int64_t t)
{
	char d[16], hm[8];

	PROGRESSION_TIME(t, "%Y-%m-%d", d);
	PROGRESSION_TIME(t, "%H:%M", hm);
	fprintf(f, "%s,%s,%s", record, d, hm);
}

static void write_csv(const struct report *rep, FILE *f)
{
	struct week *w;
	size_t nw = weeks(rep, &w);

	fputs(csv_header, f);
	csv_start(f, "programme", rep->opt.now_s);
	fputc(',', f);
	csv_text(f, rep->prog->stages[rep->today.programme_stage].id);
	fputc(',', f);
	csv_text(f, rep->prog->name);
	fprintf(f, ",,,,,,,,,,,,,,,,,,,,,,%s,%s,\r\n",
		programme_reason_name(rep->today.reason),
		rep->prog->stages[rep->today.stage].id);
	for (size_t i = 0; i < rep->n_s; i++) {
		const struct rsession *s = &rep->s[i];
		const char *nd = checkin_yesno_name(s->next_day);

		csv_start(f, "session", s->start_s);
		fputc(',', f);
		csv_text(f, s->stage_id);
		fputc(',', f);
		csv_text(f, s->profile);
		fprintf(f, ",%s,%s,", s->outcome, s->completed ? "yes" : "no");
		if (s->have_log)
			fprintf(f, "%.1f,%.1f,%.1f", s->length_ds / 600.0,
				s->planned_jog_s / 60.0, s->jog_ds / 600.0);
		else
			fputs(",,", f);
		fprintf(f, ",%u,,,,,,,,%s,,,,,,,,,,\r\n", s->presses,
			nd ? nd : "");
		for (size_t k = 0; k < s->n_press; k++) {
			const struct rpress *p = &rep->p[s->first_press + k];

			csv_start(f, "press", s->start_s);
			fputc(',', f);
			csv_text(f, s->stage_id);
			/* Minutes to a tenth, cut as in the JSON. */
			fprintf(f, ",,,,,,,,,,,,,,,,%u.%u,%s,", p->at_ds / 600,
				p->at_ds / 60 % 10, p->phase);
			if (p->seg_index >= 0)
				fprintf(f, "%d", p->seg_index + 1);
			fprintf(f, ",%s,", p->pace);
			if (p->belt)
				fprintf(f, "%u.%02u,%s", p->belt / 100,
					p->belt % 100,
					p->belt_measured ? "measured" : "set");
			else
				fputc(',', f);
			fprintf(f, ",%s,,,\r\n", symptom_kind_name(p->kind));
		}
	}
	for (size_t i = 0; i < rep->n_c; i++) {
		const struct checkin *c = &rep->c[i].c;
		char pain[8] = "";
		const char *v[6] = {
			checkin_yesno_name(c->leak),
			checkin_yesno_name(c->heaviness),
			checkin_yesno_name(c->bleeding),
			checkin_sleep_name(c->sleep),
			checkin_yesno_name(c->breastfeeding),
			checkin_energy_name(c->energy) };

		if (c->pain >= 0)
			snprintf(pain, sizeof(pain), "%d", c->pain);
		csv_start(f, rep->c[i].button ? "button-check" : "checkin",
			  rep->c[i].when_s);
		fprintf(f, ",,,,,,,,,%s,%s,%s,%s,%s,%s,%s,,,,,,,,,,,\r\n",
			v[0] ? v[0] : "", v[1] ? v[1] : "", pain,
			v[2] ? v[2] : "", v[3] ? v[3] : "", v[4] ? v[4] : "",
			v[5] ? v[5] : "");
	}
	for (size_t i = 0; i < rep->n_e; i++) {
		const struct programme_event *e = &rep->e[i];

		csv_start(f, "rule", e->when_s);
		fprintf(f, ",%s,,,,,,,,,,,,,,,,,,,,,,,%s,%s,\r\n",
			stage_name(rep, (long) e->from),
			programme_reason_name(e->reason),
			stage_name(rep, (long) e->to));
	}
	for (size_t i = 0; i < nw; i++) {
		csv_start(f, "week", week_start(w[i].week));
		fprintf(f, ",,,,,,,%.1f,%u,,,,,,,,,,,,,,,,,,%u\r\n",
			w[i].jog_ds / 600.0, w[i].presses, w[i].sessions);
	}
	free(w);
}

/* ---- JSON ---- */

static void json_time(struct json *j, const char *key, int64_t t)
{
	char buf[32];

	PROGRESSION_TIME(t, "%Y-%m-%dT%H:%M:%S%z", buf);
	json_key(j, key);
	json_string(j, buf);
}

static void json_answer(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	if (v)
		json_string(j, v);
	else
		json_null(j);
}

static void json_sessions(struct json *j, const struct report *rep)
{
	json_key(j, "sessions");
	json_array_begin(j);
	for (size_t i = 0; i < rep->n_s; i++) {
		const struct rsession *s = &rep->s[i];

		json_object_begin(j);
		json_time(j, "start", s->start_s);
		json_time(j, "end", s->when_s);
		json_key(j, "stage");
		json_string(j, s->stage_id);
		json_key(j, "profile");
		json_string(j, s->profile);
		json_key(j, "outcome");
		json_string(j, s->outcome);
		json_key(j, "completed");
		json_bool(j, s->completed);
		json_key(j, "log");
		json_bool(j, s->have_log);
		json_key(j, "planned_s");
		json_uint(j, s->planned_s);
		json_key(j, "planned_jog_s");
		json_uint(j, s->planned_jog_s);
		json_key(j, "session_s");
		json_fixed(j, s->length_ds, 1);
		json_key(j, "jog_s");
		json_fixed(j, s->jog_ds, 1);
		json_key(j, "presses");
		json_uint(j, s->presses);
		json_key(j, "by_kind");
		json_object_begin(j);
		for (int k = 0; k < SYMPTOM_KIND_COUNT; k++) {
			json_key(j, symptom_kind_name((enum symptom_kind) k));
			json_uint(j, s->kinds[k]);
		}
		json_object_end(j);
		json_answer(j, "next_day", checkin_yesno_name(s->next_day));
		json_key(j, "press_list");
		json_array_begin(j);
		for (size_t k = 0; k < s->n_press; k++) {
			const struct rpress *p = &rep->p[s->first_press + k];

			json_object_begin(j);
			json_key(j, "kind");
			json_string(j, symptom_kind_name(p->kind));
			json_key(j, "session_s");
			json_fixed(j, p->at_ds, 1);
			json_key(j, "minute");
			json_fixed(j, p->at_ds / 60, 1);
			json_answer(j, "phase", p->seg_index >= 0 ? p->phase : NULL);
			json_key(j, "segment");
			if (p->seg_index >= 0)
				json_int(j, p->seg_index + 1);
			else
				json_null(j);
			json_answer(j, "pace", p->seg_index >= 0 ? p->pace : NULL);
			json_key(j, "belt_kmh");
			if (p->belt)
				json_fixed(j, p->belt, 2);
			else
				json_null(j);
			json_answer(j, "belt_source", !p->belt ? NULL :
				    p->belt_measured ? "measured" : "set");
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

static void write_json(const struct report *rep, struct json *j)
{
	const struct programme *prog = rep->prog;
	const struct programme_decision *d = &rep->today;
	struct week *w;
	size_t nw = weeks(rep, &w);

	json_object_begin(j);
	json_key(j, "programme");
	json_object_begin(j);
	json_key(j, "name");
	json_string(j, prog->name);
	json_key(j, "path");
	json_string(j, prog->path);
	json_key(j, "stage");
	json_string(j, prog->stages[d->programme_stage].id);
	json_key(j, "stage_name");
	json_string(j, prog->stages[d->programme_stage].profile->name);
	json_key(j, "today");
	json_object_begin(j);
	json_key(j, "stage");
	json_string(j, prog->stages[d->stage].id);
	json_key(j, "reason");
	json_string(j, programme_reason_name(d->reason));
	json_key(j, "locked");
	json_bool(j, d->locked);
	json_key(j, "message");
	json_string(j, d->message);
	json_object_end(j);
	json_object_end(j);
	json_key(j, "period");
	json_object_begin(j);
	if (rep->opt.since_s) {
		json_time(j, "from", rep->opt.since_s);
	} else {
		json_key(j, "from");
		json_null(j);
	}
	json_time(j, "to", rep->opt.now_s);
	json_object_end(j);
	json_sessions(j, rep);
	json_key(j, "weeks");
	json_array_begin(j);
	for (size_t i = 0; i < nw; i++) {
		json_object_begin(j);
		json_time(j, "week", week_start(w[i].week));
		json_key(j, "sessions");
		json_uint(j, w[i].sessions);
		json_key(j, "presses");
		json_uint(j, w[i].presses);
		json_key(j, "jog_s");
		json_fixed(j, w[i].jog_ds, 1);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "checkins");
	json_array_begin(j);
	for (size_t i = 0; i < rep->n_c; i++) {
		const struct checkin *c = &rep->c[i].c;

		json_object_begin(j);
		json_time(j, "when", rep->c[i].when_s);
		json_key(j, "form");
		json_string(j, rep->c[i].button ? "button" : "checkin");
		json_answer(j, "leak", checkin_yesno_name(c->leak));
		json_answer(j, "heaviness", checkin_yesno_name(c->heaviness));
		json_key(j, "pain");
		if (c->pain >= 0)
			json_int(j, c->pain);
		else
			json_null(j);
		json_answer(j, "bleeding", checkin_yesno_name(c->bleeding));
		json_answer(j, "sleep", checkin_sleep_name(c->sleep));
		json_answer(j, "breastfeeding",
			    checkin_yesno_name(c->breastfeeding));
		json_answer(j, "energy", checkin_energy_name(c->energy));
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "rules");
	json_array_begin(j);
	for (size_t i = 0; i < rep->n_e; i++) {
		json_object_begin(j);
		json_time(j, "when", rep->e[i].when_s);
		json_key(j, "rule");
		json_string(j, programme_reason_name(rep->e[i].reason));
		json_key(j, "from");
		json_string(j, stage_name(rep, (long) rep->e[i].from));
		json_key(j, "to");
		json_string(j, stage_name(rep, (long) rep->e[i].to));
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	free(w);
}

int report_write(const struct report *rep, enum report_format format,
		 FILE *f)
{
	struct json *j;
	int r;

	switch (format) {
	case REPORT_HTML:
		write_html(rep, f);
		break;
	case REPORT_CSV:
		write_csv(rep, f);
		break;
	case REPORT_JSON:
		j = json_new_file(f);
		write_json(rep, j);
		r = json_free(j);
		if (r < 0)
			return r;
		fputc('\n', f);
		break;
	}
	return ferror(f) ? -EIO : 0;
}
