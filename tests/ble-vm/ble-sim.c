/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced-ble-sim: the simulated treadmill as a BLE FTMS peripheral on hciN. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mainloop.h"
#include "sim.h"
#include "ble-peripheral.h"
#include "ble-scan.h"
#include "l2cap.h"

struct app {
	struct loop *loop;
	struct sim *sim;
	size_t printed;			/* commands already printed */
};

/* Prints each control point write as it arrives: the VM test greps
 * these to prove the session's commands crossed the radio. */
static bool on_tick(void *user_data)
{
	struct app *app = user_data;

	for (; app->printed < sim_command_count(app->sim); app->printed++) {
		const struct sim_command *c = sim_command_get(app->sim,
							      app->printed);

		if (c->op == 0x02)
			printf("ble-sim: command op=0x%02x speed=%u.%02u "
			       "km/h result=%u\n", c->op, c->speed / 100,
			       c->speed % 100, c->result);
		else
			printf("ble-sim: command op=0x%02x result=%u\n",
			       c->op, c->result);
	}
	fflush(stdout);
	return true;
}

static void on_link(struct ble_peripheral *p, bool connected,
		    const char *peer, void *user_data)
{
	if (connected)
		printf("ble-sim: connected from %s\n", peer);
	else
		printf("ble-sim: disconnected, advertising again\n");
	fflush(stdout);
}

static void on_signal(int signo, void *user_data)
{
	struct app *app = user_data;

	loop_quit(app->loop, 0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "adapter", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "speedup", required_argument, NULL, 's' },
		{ "up", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct app app = { 0 };
	struct sim_config cfg;
	struct ble_peripheral *p;
	const char *adapter = "hci0", *name = "paced-sim";
	uint8_t unused[6];
	int c, err, dev_id;
	bool up_only = false;

	sim_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "a:n:s:u", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			adapter = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 's':
			cfg.speedup = (uint32_t) strtoul(optarg, NULL, 10);
			if (cfg.speedup < 1)
				cfg.speedup = 1;
			break;
		case 'u':
			up_only = true;
			break;
		default:
			fprintf(stderr, "Usage: paced-ble-sim [--adapter hciN] "
				"[--name NAME] [--speedup N]\n"
				"       paced-ble-sim --up --adapter hciN\n");
			return 2;
		}
	}
	if (l2cap_parse_adapter(adapter, &dev_id, unused) < 0 ||
	    dev_id < 0) {
		fprintf(stderr, "paced-ble-sim: --adapter: expected hciN\n");
		return 2;
	}
	if (up_only) {
		/* docs/ble-vm.md pitfall 4: nobody else powers it on in the VM. */
		err = ble_adapter_up(dev_id);
		if (err < 0) {
			fprintf(stderr, "paced-ble-sim: %s: %s\n", adapter,
				ble_scan_error_str(err));
			return 3;
		}
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	app.loop = loop_new(NULL);
	app.sim = sim_new(app.loop, &cfg);
	if (!app.sim) {
		fprintf(stderr, "paced-ble-sim: bad simulator config\n");
		return 2;
	}
	p = ble_peripheral_new(app.loop, dev_id, name, app.sim, &err);
	if (!p) {
		fprintf(stderr, "paced-ble-sim: %s: %s\n", adapter,
			ble_scan_error_str(err));
		sim_free(app.sim);
		loop_free(app.loop);
		return 3;
	}
	ble_peripheral_set_link_cb(p, on_link, &app);
	printf("ble-sim: advertising FTMS treadmill '%s' on %s (%s)\n", name,
	       adapter, ble_peripheral_address(p));
	fflush(stdout);
	(void) loop_add_timeout(app.loop, 50000, true, on_tick, &app, NULL);
	(void) loop_add_signal(app.loop, SIGINT, on_signal, &app, NULL);
	(void) loop_add_signal(app.loop, SIGTERM, on_signal, &app, NULL);
	(void) loop_run(app.loop);
	on_tick(&app);
	ble_peripheral_free(p);
	sim_free(app.sim);
	loop_free(app.loop);
	return 0;
}
