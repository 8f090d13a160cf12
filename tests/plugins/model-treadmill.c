/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A treadmill driver written against the installed plugin ABI alone: model:NAME, a belt model in this plugin. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <paced/plugin.h>

/*
 * This file includes nothing of paced's but <paced/plugin.h>, and the
 * build compiles it with only include/ on the include path: it is what
 * someone writing a driver out of tree would write. Its address scheme,
 * model:NAME, is its own; no table in the daemon knows it. The belt is a
 * model: it moves towards the speed asked for at 2 km/h per second of
 * session time, and reports a record every 200 ms of real time.
 *
 * Settings (plugins = { model-treadmill = { ... }; }):
 *   min_speed   the lowest speed it reports it can run, km/h (0.5)
 */

#define RECORD_US	200000		/* real time between records */
#define ACCEL		200		/* 0.01 km/h per second of session */

struct model {
	struct paced_plugin *self;
	struct paced_treadmill *tm;
	uint32_t speedup;
	int tick_id;			/* the record timer, 0 none */
	int done_id;			/* the pending completion, 0 none */
	enum paced_op done_op;
	bool running;
	uint16_t target;		/* 0.01 km/h */
	uint16_t speed;
	double distance_m;
	uint32_t elapsed_us;		/* session time since the start */
};

static struct {
	struct paced_plugin *self;
	uint16_t min_speed;
} plugin = { .min_speed = 50 };

static bool model_match(const char *address)
{
	return !strncmp(address, "model:", 6) && address[6];
}

static const struct paced_driver_info model_info = {
	.usage = "model:NAME (a belt model, for tests)",
	.match = model_match,
	.caps = PACED_DRIVER_CONTROL | PACED_DRIVER_SPEEDUP,
};

static bool on_tick(void *user_data)
{
	struct model *m = user_data;
	uint64_t dt_us = (uint64_t) RECORD_US * m->speedup;
	int32_t step = (int32_t) ((uint64_t) ACCEL * dt_us / 1000000);
	struct paced_data d = {
		.present = PACED_DATA_SPEED | PACED_DATA_DISTANCE |
			   PACED_DATA_ELAPSED,
	};

	if (m->running) {
		int32_t diff = (int32_t) m->target - (int32_t) m->speed;

		if (diff > step)
			diff = step;
		if (diff < -step)
			diff = -step;
		m->speed = (uint16_t) (m->speed + diff);
		m->elapsed_us += (uint32_t) dt_us;
	} else {
		m->speed = 0;
	}
	m->distance_m += m->speed / 100.0 / 3.6 * dt_us / 1000000.0;
	d.speed = m->speed;
	d.distance = (uint32_t) m->distance_m;
	d.elapsed = (uint16_t) (m->elapsed_us / 1000000);
	paced_treadmill_data(m->tm, &d);
	return true;
}

/* Completions come from the loop, never from inside command(). */
static bool on_done(void *user_data)
{
	struct model *m = user_data;
	enum paced_op op = m->done_op;

	m->done_id = 0;
	if (op == PACED_OP_CONNECT) {
		struct paced_caps caps = {
			.can_control = true, .has_speed_range = true,
			.speed_min = plugin.min_speed, .speed_max = 2000,
			.speed_inc = 10,
		};

		paced_treadmill_caps(m->tm, &caps);
		paced_treadmill_link(m->tm, true, 0);
		m->tick_id = paced_add_timeout(m->self, RECORD_US, true,
					       on_tick, m, NULL);
	}
	paced_treadmill_done(m->tm, op, 0, PACED_RESULT_SUCCESS);
	return false;
}

static int model_command(void *impl, enum paced_op op, int32_t arg)
{
	struct model *m = impl;

	if (m->done_id)
		return -EBUSY;
	switch (op) {
	case PACED_OP_CONNECT:
	case PACED_OP_REQUEST_CONTROL:
		break;
	case PACED_OP_START:
		m->running = true;
		if (m->target < plugin.min_speed)
			m->target = plugin.min_speed;
		break;
	case PACED_OP_STOP:
	case PACED_OP_PAUSE:
		m->running = false;
		m->target = 0;
		break;
	case PACED_OP_SET_SPEED:
		if (arg < plugin.min_speed || arg > 2000)
			return -EINVAL;
		m->target = (uint16_t) arg;
		break;
	case PACED_OP_SET_INCLINE:
		break;
	default:
		return -EOPNOTSUPP;
	}
	m->done_op = op;
	m->done_id = paced_add_timeout(m->self, 1000, false, on_done, m, NULL);
	return m->done_id < 0 ? m->done_id : 0;
}

static void model_close(void *impl)
{
	struct model *m = impl;

	if (m->tick_id > 0)
		paced_remove(m->self, m->tick_id);
	if (m->done_id > 0)
		paced_remove(m->self, m->done_id);
	free(m);
}

static const struct paced_treadmill_ops model_ops = {
	.command = model_command,
	.close = model_close,
};

static int model_open(const struct paced_open *req,
		      struct paced_treadmill **ret_tm, void *user_data)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->self = plugin.self;
	m->speedup = req->speedup ? req->speedup : 1;
	m->tm = paced_treadmill_new(plugin.self, &model_ops, m);
	if (!m->tm) {
		free(m);
		return -ENOMEM;
	}
	*ret_tm = m->tm;
	return 0;
}

static const struct paced_driver_ops model_driver = {
	.name = "model-treadmill",
	.open = model_open,
};

static int model_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const keys[] = { "min_speed", NULL };
	double kmh;

	plugin.self = self;
	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	if (paced_cfg_get_float(cfg, "min_speed", &kmh) == 0) {
		if (!(kmh >= 0.1 && kmh <= 20.0)) {
			paced_log(self, 3, "%s:%u: min_speed must be 0.1 to 20 km/h",
				  paced_cfg_file(cfg),
				  paced_cfg_line(cfg, "min_speed"));
			return -EINVAL;
		}
		plugin.min_speed = (uint16_t) (kmh * 100 + 0.5);
	}
	return paced_driver_register(self, &model_driver, NULL);
}

PACED_PLUGIN_DEFINE("model-treadmill", "1", model_init, NULL,
		    .driver = &model_info);
