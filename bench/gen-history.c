/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A simulated history for benchmarks and report tests: sessions, their logs, check-ins. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "history.h"
#include "json.h"
#include "plan.h"
#include "programme.h"
#include "util.h"

/*
 * paced-gen-history DIR SESSIONS [SEED [PROGRAMME]]
 *
 * Writes DIR/history.jsonl and a log a session in DIR/sessions/, as a
 * year of use would leave them: from Monday 1 January 2024, a session
 * every two or three days, each preceded by a check-in, the stage chosen by the
 * bundled programme's own rules (programme_decide(), as paced run does),
 * each session 45 minutes long (the stage's plan, its cool-down walk
 * stretched to 45 minutes) with what the runner logs: segment, command
 * and result lines, a sample line every 5 s, symptom presses and their
 * scale-back. Presses, next-day answers and short nights come from a
 * seeded generator, so a run is repeatable. No clock is read.
 */
#define SESSION_S (45 * 60)
#define SAMPLE_S 5
#define START 1704096000	/* Mon 1 Jan 2024 08:00 UTC */

static uint64_t rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	/* xorshift64: small, seeded, and the same everywhere. */
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned) (rng % n);
}

struct log {
	FILE *f;
	struct json *j;
	int64_t start;		/* wall clock of session time 0 */
	uint64_t mono;
};

/* A log line at session time ds (0.1 s): "t", "mono_us", "event". */
static struct json *line(struct log *l, uint32_t ds, const char *event)
{
	time_t t = (time_t) (l->start + ds / 10);
	struct tm tm;
	char stamp[40];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp),
		 ".%03uZ", ds % 10 * 100);
	json_buffer_reset(l->j);
	json_object_begin(l->j);
	json_key(l->j, "t");
	json_string(l->j, stamp);
	json_key(l->j, "mono_us");
	json_uint(l->j, l->mono + (uint64_t) ds * 100000);
	json_key(l->j, "event");
	json_string(l->j, event);
	return l->j;
}

static void end_line(struct log *l)
{
	json_object_end(l->j);
	fputs(json_buffer(l->j, NULL), l->f);
	fputc('\n', l->f);
}

static void at(struct json *j, const char *state, uint32_t ds)
{
	json_key(j, "state");
	json_string(j, state);
	json_key(j, "session_s");
	json_fixed(j, ds, 1);
}

static void speed_cmd(struct log *l, uint32_t ds, const char *state,
		      uint16_t speed)
{
	static const char *const events[] = { "command", "result" };

	for (int i = 0; i < 2; i++) {
		struct json *j = line(l, ds, events[i]);

		at(j, state, ds);
		json_key(j, "command");
		json_string(j, "set-speed");
		json_key(j, "value");
		json_fixed(j, speed, 2);
		if (i) {
			json_key(j, "ok");
			json_bool(j, true);
			json_key(j, "result");
			json_uint(j, 1);
		}
		end_line(l);
	}
}

static void segment(struct log *l, uint32_t ds, const char *state,
		    size_t index, const char *phase, const char *pace,
		    uint16_t speed, uint32_t dur_ds, bool jog)
{
	struct json *j = line(l, ds, "segment");

	at(j, state, ds);
	json_key(j, "index");
	json_uint(j, index);
	json_key(j, "phase");
	json_string(j, phase);
	json_key(j, "pace");
	json_string(j, pace);
	json_key(j, "speed_kmh");
	json_fixed(j, speed, 2);
	json_key(j, "incline_pct");
	json_fixed(j, 0, 1);
	json_key(j, "duration_s");
	json_fixed(j, dur_ds, 1);
	json_key(j, "jog");
	json_bool(j, jog);
	end_line(l);
	speed_cmd(l, ds, state, speed);
}

static void simple(struct log *l, uint32_t ds, const char *event,
		   const char *state)
{
	struct json *j = line(l, ds, event);

	at(j, state, ds);
	if (!strcmp(event, "state")) {
		json_key(j, "reason");
		json_string(j, "none");
	}
	end_line(l);
}

/* One session's log; returns its counted presses. */
static unsigned write_log(const char *path, const struct programme *prog,
			  size_t stage, int64_t start)
{
	const struct profile *p = prog->stages[stage].profile;
	struct log l = { .start = start, .mono = 1000000 };
	unsigned presses = 0, want = rnd(100) < 12 ? 1 + (rnd(4) == 0) : 0;
	uint32_t next_sample = 0, press_at[2] = { 0, 0 };
	double distance = 0;
	struct plan plan;
	struct json *j;

	if (plan_expand(p, &plan) < 0)
		abort();
	/* Presses somewhere in the main set, the second after the first. */
	for (unsigned k = 0; k < want; k++)
		press_at[k] = 3000 + rnd(15000) + k * 6000;
	l.f = fopen(path, "w");
	if (!l.f) {
		fprintf(stderr, "paced-gen-history: %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
	l.j = json_new_buffer();
	j = line(&l, 0, "open");
	json_key(j, "profile");
	json_string(j, p->name);
	json_key(j, "profile_path");
	json_string(j, prog->stages[stage].profile_path);
	json_key(j, "programme");
	json_string(j, prog->path);
	json_key(j, "stage");
	json_string(j, prog->stages[stage].id);
	json_key(j, "treadmill");
	json_string(j, "sim");
	json_key(j, "speedup");
	json_uint(j, 1);
	json_key(j, "planned_s");
	json_uint(j, SESSION_S);
	json_key(j, "planned_jog_s");
	json_uint(j, p->jog_ms / 1000);
	end_line(&l);
	simple(&l, 0, "state", "countdown");
	simple(&l, 0, "state", "running");
	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_segment *s = &plan.seg[i];
		uint32_t from = s->start_ms / 100;
		uint32_t to = i + 1 == plan.n ? SESSION_S * 10 :
			      (s->start_ms + s->duration_ms) / 100;
		const char *state = s->phase == PLAN_PHASE_COOLDOWN ?
				    "cooldown" : "running";

		if (s->phase == PLAN_PHASE_COOLDOWN &&
		    (i == 0 || plan.seg[i - 1].phase != PLAN_PHASE_COOLDOWN))
			simple(&l, from, "state", "cooldown");
		segment(&l, from, state, i, plan_phase_name(s->phase),
			s->pace_name, s->speed, to - from, s->jog_like);
		for (uint32_t t = from; t < to; t += 10) {
			distance += s->speed / 100.0 / 3.6;
			if (presses < want && t >= press_at[presses]) {
				presses++;
				j = line(&l, t, "symptom");
				at(j, state, t);
				json_key(j, "kind");
				json_string(j, presses == 1 ? "leak" : "pressure");
				json_key(j, "press");
				json_uint(j, presses);
				json_key(j, "debounced");
				json_bool(j, false);
				end_line(&l);
				speed_cmd(&l, t, "recovery", plan.walk_speed);
			}
			if (t < next_sample)
				continue;
			next_sample = t + SAMPLE_S * 10;
			j = line(&l, t, "sample");
			json_key(j, "session_s");
			json_fixed(j, t, 1);
			json_key(j, "speed_kmh");
			json_fixed(j, s->speed, 2);
			json_key(j, "incline_pct");
			json_fixed(j, 0, 1);
			json_key(j, "distance_m");
			json_uint(j, (uint64_t) distance);
			json_key(j, "elapsed_s");
			json_uint(j, t / 10);
			end_line(&l);
		}
	}
	simple(&l, SESSION_S * 10, "state", "finished");
	j = line(&l, SESSION_S * 10, "end");
	at(j, "finished", SESSION_S * 10);
	json_key(j, "outcome");
	json_string(j, "finished");
	json_key(j, "presses");
	json_uint(j, presses);
	json_key(j, "completed");
	json_bool(j, true);
	end_line(&l);
	json_free(l.j);
	plan_clear(&plan);
	if (fclose(l.f) != 0)
		exit(1);
	return presses;
}

int main(int argc, char **argv)
{
	struct programme_input in = { .belt_only = true };
	struct session_summary *sum;
	struct profile_error err;
	struct programme *prog;
	const char *dir, *path;
	char buf[4400];
	size_t n = 0;
	long count;
	int64_t day = START;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: paced-gen-history DIR SESSIONS [SEED [PROGRAMME]]\n");
		return 2;
	}
	dir = argv[1];
	count = strtol(argv[2], NULL, 10);
	if (argc > 3)
		rng ^= strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ULL;
	path = argc > 4 ? argv[4] : PROFILEDIR "/return-to-running.programme";
	if (count < 1 || count > 100000)
		return 2;
	prog = programme_load(path, NULL, &err);
	if (!prog) {
		fprintf(stderr, "%s\n", err.text);
		return 1;
	}
	snprintf(buf, sizeof(buf), "%s/sessions", dir);
	if ((mkdir(dir, 0750) < 0 && errno != EEXIST) ||
	    (mkdir(buf, 0750) < 0 && errno != EEXIST)) {
		fprintf(stderr, "paced-gen-history: %s: %s\n", buf,
			strerror(errno));
		return 1;
	}
	sum = paced_new0(struct session_summary, (size_t) count * 4);
	for (long i = 0; i < count; i++) {
		struct programme_decision d;
		struct history_entry e;
		struct tm tm;
		time_t t;

		/* The check-in: mostly clean; a short night now and then,
		 * a rare red flag; the next-day answer about the last run. */
		history_entry_init(&e, SESSION_CHECKIN, day - 600);
		e.checkin.leak = rnd(30) ? CHECKIN_NO : CHECKIN_YES;
		e.checkin.heaviness = rnd(80) ? CHECKIN_NO : CHECKIN_YES;
		e.checkin.pain = rnd(15) ? 0 : (int8_t) (1 + rnd(4));
		e.checkin.bleeding = CHECKIN_NO;
		e.checkin.sleep = rnd(10) ? CHECKIN_SLEEP_ENOUGH :
			CHECKIN_SLEEP_SHORT;
		e.checkin.breastfeeding = i < count / 2 ? CHECKIN_YES :
			CHECKIN_NO;
		e.checkin.energy = rnd(12) ? CHECKIN_ENERGY_NORMAL :
			CHECKIN_ENERGY_LOW;
		if (history_append(dir, &e) < 0)
			return 1;
		sum[n].type = SESSION_CHECKIN;
		sum[n].when_s = e.when_s;
		sum[n++].checkin = e.checkin;
		if (i > 0) {
			bool yes = rnd(20) == 0;

			history_entry_init(&e, SESSION_NEXT_DAY, day - 590);
			e.about_s = sum[n - 2].when_s;
			e.symptoms = yes;
			if (history_append(dir, &e) < 0)
				return 1;
			sum[n - 2].next_day = yes ? CHECKIN_YES : CHECKIN_NO;
		}
		in.now_s = day;
		if (programme_decide(prog, sum, n, &in, &d, NULL, NULL) < 0)
			return 1;

		history_entry_init(&e, SESSION_RUN, day + SESSION_S);
		t = (time_t) day;
		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
		if (snprintf(e.log, sizeof(e.log), "%.200s/sessions/%.20s-%ld.jsonl",
			     dir, buf, i) >= (int) sizeof(e.log))
			return 2;
		snprintf(e.programme, sizeof(e.programme), "%s", prog->path);
		snprintf(e.stage, sizeof(e.stage), "%s", prog->stages[d.stage].id);
		snprintf(e.profile, sizeof(e.profile), "%s",
			 prog->stages[d.stage].profile->name);
		e.presses = write_log(e.log, prog, d.stage, day);
		e.completed = true;
		snprintf(e.outcome, sizeof(e.outcome), "finished");
		if (history_append(dir, &e) < 0)
			return 1;
		sum[n].type = SESSION_RUN;
		sum[n].when_s = e.when_s;
		sum[n].stage = d.stage;
		sum[n].presses = e.presses;
		sum[n++].completed = true;
		/* A lock sends her to the physiotherapist, who clears her
		 * before the next session. */
		if (d.locked) {
			history_entry_init(&e, SESSION_CLEARED, day + 86400);
			if (history_append(dir, &e) < 0)
				return 1;
			sum[n].type = SESSION_CLEARED;
			sum[n++].when_s = e.when_s;
		}
		/* Every other or every third day, at eight. */
		day += (i % 2 ? 3 : 2) * 86400;
	}
	printf("%ld sessions in %s (%s to ", count, dir, "2024-01-01");
	{
		time_t t = (time_t) (day - 2 * 86400);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	}
	printf("%s)\n", buf);
	free(sum);
	programme_free(prog);
	return 0;
}
