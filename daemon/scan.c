/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced scan': list nearby FTMS treadmills over Bluetooth LE. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mainloop.h"
#include "transport.h"
#include "ble-scan.h"
#include "scan.h"

#define SCAN_DEFAULT_S 5
#define SCAN_MAX_S 300

struct scan_app {
	struct loop *loop;
	struct ble_scan *scan;
	const char *find;		/* --name: stop when this one shows */
	bool found;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: paced scan [--adapter hciN] [--seconds N] [--all] [--json]\n"
"       paced scan --name NAME [--adapter hciN] [--seconds N]\n"
"List nearby Bluetooth LE fitness machines (FTMS, service 0x1826).\n"
"\n"
"  -a, --adapter hciN   the adapter to scan with (default: the first up)\n"
"  -s, --seconds N      how long to listen (default %d)\n"
"      --all            list every advertiser, not only FTMS machines\n"
"  -j, --json           one JSON object per machine\n"
"  -n, --name NAME      stop as soon as a treadmill called NAME is seen\n"
"                       and print only its address (for paced.conf);\n"
"                       exit 1 if it was not seen\n"
"  -h, --help           show this help\n"
"\n"
"Scanning needs CAP_NET_RAW and CAP_NET_ADMIN (root, or the paced service).\n"
"Put the address it prints, with its /public or /random suffix, in\n"
"paced.conf or pass it to 'paced run --treadmill'.\n", SCAN_DEFAULT_S);
}

static bool on_poll(void *user_data)
{
	struct scan_app *app = user_data;

	if (app->find && ble_scan_find(app->scan, app->find)) {
		app->found = true;
		loop_quit(app->loop, 0);
		return false;
	}
	return true;
}

static bool on_done(void *user_data)
{
	struct scan_app *app = user_data;

	loop_quit(app->loop, 0);
	return false;
}

static void on_signal(int signo, void *user_data)
{
	struct scan_app *app = user_data;

	loop_quit(app->loop, 0);
}

static const char *kind(const struct ble_scan_device *d)
{
	bool certain;

	if (!ble_adv_is_ftms(&d->adv))
		return "-";
	if (d->adv.ftms_data)
		return ble_adv_machine_name(d->adv.machine_type);
	return ble_adv_is_treadmill(&d->adv, &certain) ? "ftms" : "-";
}

static void print_json(const struct ble_scan_device *d)
{
	struct json *j = json_new_file(stdout);

	json_object_begin(j);
	json_key(j, "address");
	json_string(j, d->address);
	json_key(j, "address_type");
	json_string(j, d->random ? "random" : "public");
	json_key(j, "name");
	json_string(j, d->adv.name);
	json_key(j, "rssi");
	if (d->has_rssi)
		json_int(j, d->rssi);
	else
		json_null(j);
	json_key(j, "ftms");
	json_bool(j, ble_adv_is_ftms(&d->adv));
	json_key(j, "service_data");
	json_bool(j, d->adv.ftms_data);
	if (d->adv.ftms_data) {
		json_key(j, "machine_type");
		json_uint(j, d->adv.machine_type);
		json_key(j, "available");
		json_bool(j, d->adv.ftms_flags & BLE_FTMS_FLAG_AVAILABLE);
	}
	json_key(j, "treadmill");
	json_bool(j, ble_adv_is_treadmill(&d->adv, NULL));
	json_object_end(j);
	(void) json_free(j);
	putchar('\n');
}

int scan_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "adapter", required_argument, NULL, 'a' },
		{ "seconds", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_app app = { 0 };
	const char *adapter = NULL;
	bool all = false, json = false;
	long seconds = SCAN_DEFAULT_S;
	int c, err, dev_id = -1, shown = 0;
	uint8_t unused[6];
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "a:s:jn:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			adapter = optarg;
			break;
		case 's':
			errno = 0;
			seconds = strtol(optarg, &end, 10);
			if (errno || *end || seconds < 1 ||
			    seconds > SCAN_MAX_S) {
				fprintf(stderr, "paced scan: --seconds: expected "
					"1 to %d, got '%s'\n", SCAN_MAX_S,
					optarg);
				return 2;
			}
			break;
		case 'A':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			app.find = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "paced scan: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (adapter && (transport_parse_adapter(adapter, &dev_id, unused) < 0 ||
			dev_id < 0)) {
		fprintf(stderr, "paced scan: --adapter: expected hciN, got "
			"'%s'\n", adapter);
		return 2;
	}

	app.loop = loop_new(NULL);
	app.scan = ble_scan_new(app.loop, dev_id, &err);
	if (!app.scan) {
		fprintf(stderr, "paced scan: %s: %s\n",
			adapter ? adapter : "default adapter",
			ble_scan_error_str(err));
		loop_free(app.loop);
		return SCAN_EXIT_NOBT;
	}
	(void) loop_add_signal(app.loop, SIGINT, on_signal, &app, NULL);
	(void) loop_add_signal(app.loop, SIGTERM, on_signal, &app, NULL);
	(void) loop_add_timeout(app.loop, (uint64_t) seconds * 1000000u, false,
				on_done, &app, NULL);
	if (app.find)
		(void) loop_add_timeout(app.loop, 100000, true, on_poll, &app,
					NULL);
	if (!app.find && !json)
		fprintf(stderr, "Scanning on %s for %ld s...\n",
			ble_scan_adapter(app.scan), seconds);
	(void) loop_run(app.loop);

	if (app.find) {
		const struct ble_scan_device *d = ble_scan_find(app.scan,
								app.find);

		if (d)
			printf("%s/%s\n", d->address,
			       d->random ? "random" : "public");
		else
			fprintf(stderr, "paced scan: no treadmill called '%s' "
				"seen on %s in %ld s\n", app.find,
				ble_scan_adapter(app.scan), seconds);
		ble_scan_free(app.scan);
		loop_free(app.loop);
		return d ? 0 : SCAN_EXIT_NONE;
	}

	if (!json)
		printf("%-17s  %-6s  %4s  %-13s  %s\n", "ADDRESS", "TYPE",
		       "RSSI", "MACHINE", "NAME");
	for (size_t i = 0; i < ble_scan_count(app.scan); i++) {
		const struct ble_scan_device *d = ble_scan_get(app.scan, i);
		char rssi[8] = "-";

		if (!all && !ble_adv_is_ftms(&d->adv))
			continue;
		shown++;
		if (json) {
			print_json(d);
			continue;
		}
		if (d->has_rssi)
			snprintf(rssi, sizeof(rssi), "%d", d->rssi);
		printf("%-17s  %-6s  %4s  %-13s  %s\n", d->address,
		       d->random ? "random" : "public", rssi, kind(d),
		       d->adv.name[0] ? d->adv.name : "-");
	}
	if (!json && !shown)
		fprintf(stderr, "No %s found. Is the treadmill on and not "
			"connected to another app?\n",
			all ? "advertisers" : "FTMS machines");
	ble_scan_free(app.scan);
	loop_free(app.loop);
	return shown ? 0 : SCAN_EXIT_NONE;
}
