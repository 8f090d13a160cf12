/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tiny plugins for the tests: a good one, a wrong ABI, a short descriptor, a scanner, a sink, a requester. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <paced/plugin.h>

#ifdef TEST_PLUGIN_GOOD
static bool never(void *user_data)
{
	return false;
}

static bool match(const char *address)
{
	return !strcmp(address, "test:good");
}

static const struct paced_driver_info good_info = {
	.usage = "test:good", .match = match, .caps = PACED_DRIVER_CONTROL,
};

static int open_tm(const struct paced_open *req,
		   struct paced_treadmill **ret_tm, void *user_data)
{
	return -ENODEV;
}

static const struct paced_driver_ops ops = {
	.name = "good", .open = open_tm,
};

static int good_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const keys[] = { "mode", "answer", NULL };
	long long v = 0;
	const char *mode = "";
	int r;

	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	(void) paced_cfg_get_str(cfg, "mode", &mode);
	if (!strcmp(mode, "fail"))
		return -EINVAL;
	r = paced_cfg_get_int(cfg, "answer", &v);
	if (r == 0 && v != 42)
		return -ERANGE;
	/* A timer far away: the host must drop it when we are unloaded. */
	if (paced_add_timeout(self, 3600000000ULL, false, never, NULL, NULL) < 0)
		return -EIO;
	paced_log(self, 6, "good plugin up");
	return paced_driver_register(self, &ops, NULL);
}

PACED_PLUGIN_DEFINE("good", "1", good_init, NULL, .driver = &good_info);
#endif

#ifdef TEST_PLUGIN_BAD_ABI
static int bad_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	return 0;
}

__attribute__((visibility("default")))
const struct paced_plugin_desc paced_plugin_desc = {
	.abi = PACED_PLUGIN_ABI + 1,
	.size = sizeof(struct paced_plugin_desc),
	.name = "bad-abi", .version = "1", .init = bad_init,
};
#endif

#ifdef TEST_PLUGIN_SHORT
static int short_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	return 0;
}

/* A descriptor claiming fewer bytes than the ABI's fields up to exit. */
__attribute__((visibility("default")))
const struct paced_plugin_desc paced_plugin_desc = {
	.abi = PACED_PLUGIN_ABI,
	.size = offsetof(struct paced_plugin_desc, init),
	.name = "short", .version = "1", .init = short_init,
};
#endif

#ifdef TEST_PLUGIN_SCANNER
/*
 * A scanner without a radio (the fake sits at the lowest layer, where the
 * hardware is missing): 100 ms after start it reports fixed advertisers,
 * one of them twice with newer information, then ends after the duration
 * asked for or "duration_ms" from its group, whichever is shorter. The
 * treadmill "Sim T1" advertises the address "find_address" (default
 * "sim"), so a session can find it by name and run on the simulator.
 */
struct fake_scan {
	struct paced_plugin *self;
	char find_address[64];
	long long max_ms;
	paced_scan_result_func_t result;
	paced_scan_done_func_t done;
	void *cb_data;
	int report_id, done_id;
	unsigned scans;
};

static struct fake_scan fs;

static bool on_report(void *user_data)
{
	struct fake_scan *f = user_data;
	struct paced_scan_result r = {
		.address = "AA:BB:CC:DD:EE:01/public", .name = "Old name",
		.rssi = -80, .ftms = true, .treadmill = true,
		.service_data = true, .available = true, .machine_type = 1,
		.kind = "treadmill",
	};

	f->report_id = 0;
	f->result(&r, f->cb_data);
	/* The same machine again, nearer and with its full name. */
	r.name = "Horizon T101";
	r.rssi = -58;
	f->result(&r, f->cb_data);
	/* Not FTMS at all: a phone. */
	r = (struct paced_scan_result) {
		.address = "11:22:33:44:55:66/random", .name = "",
		.rssi = 127, .kind = "-",
	};
	f->result(&r, f->cb_data);
	r = (struct paced_scan_result) {
		.address = f->find_address, .name = "Sim T1", .rssi = -40,
		.ftms = true, .treadmill = true, .service_data = true,
		.available = true, .machine_type = 1, .kind = "treadmill",
	};
	f->result(&r, f->cb_data);
	return false;
}

static bool on_scan_end(void *user_data)
{
	struct fake_scan *f = user_data;

	f->done_id = 0;
	if (f->report_id > 0)
		paced_remove(f->self, f->report_id);
	f->report_id = 0;
	f->done(0, f->cb_data);
	return false;
}

static int scan_start(const char *adapter, uint64_t duration_us,
		      paced_scan_result_func_t result,
		      paced_scan_done_func_t done, void *cb_data,
		      void *user_data)
{
	struct fake_scan *f = user_data;

	if (f->done_id > 0)
		return -EBUSY;
	if (adapter && !strcmp(adapter, "hci9"))
		return -ENODEV;
	if (f->max_ms > 0 && duration_us > (uint64_t) f->max_ms * 1000)
		duration_us = (uint64_t) f->max_ms * 1000;
	f->result = result;
	f->done = done;
	f->cb_data = cb_data;
	f->report_id = paced_add_timeout(f->self, 100000, false, on_report, f,
					 NULL);
	f->done_id = paced_add_timeout(f->self, duration_us, false,
				       on_scan_end, f, NULL);
	f->scans++;
	paced_log(f->self, 6, "scan %u started for %llu ms", f->scans,
		  (unsigned long long) (duration_us / 1000));
	return f->report_id < 0 ? f->report_id :
	       f->done_id < 0 ? f->done_id : 0;
}

static void scan_cancel(void *user_data)
{
	struct fake_scan *f = user_data;

	if (f->report_id > 0)
		paced_remove(f->self, f->report_id);
	if (f->done_id > 0)
		paced_remove(f->self, f->done_id);
	f->report_id = f->done_id = 0;
	paced_log(f->self, 6, "scan %u cancelled", f->scans);
}

static const char *scan_strerror(int err, void *user_data)
{
	return err == -ENODEV ? "no such adapter (test scanner)" : NULL;
}

static const struct paced_scanner_ops scan_ops = {
	.name = "test-scanner", .start = scan_start, .cancel = scan_cancel,
	.strerror = scan_strerror,
};

static int scanner_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	const char *addr = "sim";

	memset(&fs, 0, sizeof(fs));
	fs.self = self;
	(void) paced_cfg_get_str(cfg, "find_address", &addr);
	snprintf(fs.find_address, sizeof(fs.find_address), "%s", addr);
	(void) paced_cfg_get_int(cfg, "duration_ms", &fs.max_ms);
	return paced_scanner_register(self, &scan_ops, &fs);
}

PACED_PLUGIN_DEFINE("test-scanner", "1", scanner_init, NULL,
		    .flags = PACED_PLUGIN_SCANNER);
#endif

#ifdef TEST_PLUGIN_SINK
/*
 * A sink that appends each event it gets to "file" as one line:
 * NAME<TAB>CUE_KIND<TAB>TEXT<TAB>SPEED<TAB>LOG<TAB>PATH<TAB>FORMAT, "-"
 * for what the event lacks.
 */
static char sink_path[4096];

static void sink_event(const struct paced_event *ev, void *user_data)
{
	char line[1024];
	int n, fd;

	n = snprintf(line, sizeof(line), "%s\t%s\t%s\t%u\t%s\t%s\t%s\n",
		     ev->name ? ev->name : "-",
		     ev->cue_kind ? ev->cue_kind : "-",
		     ev->text ? ev->text : "-", (unsigned) ev->speed,
		     ev->log ? ev->log : "-", ev->path ? ev->path : "-",
		     ev->format ? ev->format : "-");
	if (n < 0 || (size_t) n >= sizeof(line))
		return;
	fd = open(sink_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	(void) !write(fd, line, (size_t) n);
	close(fd);
}

static const struct paced_sink_ops sink_ops = {
	.name = "test-sink", .event = sink_event,
};

static int sink_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	const char *file;

	if (paced_cfg_get_str(cfg, "file", &file) < 0 || file[0] != '/')
		return -EINVAL;
	snprintf(sink_path, sizeof(sink_path), "%s", file);
	return paced_sink_register(self, &sink_ops, NULL);
}

PACED_PLUGIN_DEFINE("test-sink", "1", sink_init, NULL);
#endif

#ifdef TEST_PLUGIN_REQUESTER
/* Asks "status" three times at once, a moment after loading, and
 * appends each answer it hears to "file", a line each. */
static char answers_path[4096];

static void on_answer(const char *json, void *user_data)
{
	int fd = open(answers_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		      0600);

	if (fd < 0)
		return;
	(void) !write(fd, json, strlen(json));
	(void) !write(fd, "\n", 1);
	close(fd);
}

static bool ask(void *user_data)
{
	struct paced_plugin *self = user_data;

	for (int i = 0; i < 3; i++)
		(void) paced_request(self, "status", on_answer, NULL);
	return false;
}

static int requester_init(struct paced_plugin *self,
			  const struct paced_cfg *cfg)
{
	const char *file;

	if (paced_cfg_get_str(cfg, "file", &file) < 0 || file[0] != '/')
		return -EINVAL;
	snprintf(answers_path, sizeof(answers_path), "%s", file);
	return paced_add_timeout(self, 1000, false, ask, self, NULL) < 0 ?
	       -EIO : 0;
}

PACED_PLUGIN_DEFINE("test-requester", "1", requester_init, NULL);
#endif
