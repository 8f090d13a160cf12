/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced scan': list nearby FTMS treadmills over Bluetooth LE. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "mainloop.h"
#include "plugin.h"
#include "scan.h"
#include "scan-list.h"
#include "util.h"

#define SCAN_DEFAULT_S 5
#define SCAN_MAX_S 300
struct scan_app {
	struct loop *loop;
	struct plugin_scanner *scanner;
	const char *find;		/* --name: stop when this one shows */
	int found;			/* index in seen[], or -1 */
	int err;			/* the scan's own error */
	struct scan_list list;
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

static void on_result(const struct paced_scan_result *res, void *cb_data)
{
	struct scan_app *app = cb_data;
	const struct scan_seen *d = scan_list_add(&app->list, res);

	if (d && app->find && app->found < 0 && d->treadmill &&
	    !strcmp(d->name, app->find)) {
		app->found = (int) (d - app->list.seen);
		plugin_scanner_cancel(app->scanner);
		loop_quit(app->loop, 0);
	}
}

static void on_done(int err, void *cb_data)
{
	struct scan_app *app = cb_data;

	app->err = err;
	loop_quit(app->loop, 0);
}

static void on_signal(int signo, void *user_data)
{
	struct scan_app *app = user_data;

	plugin_scanner_cancel(app->scanner);
	loop_quit(app->loop, 0);
}

/* Scanning goes through an HCI socket, which takes the adapter's index:
 * "hciN" only. */
static bool hci_name(const char *s)
{
	if (strncmp(s, "hci", 3) || !s[3])
		return false;
	for (s += 3; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* "XX:..:XX/random" into its address and type, for the table. */
static const char *split_type(const struct scan_seen *d, char *addr,
			      size_t len)
{
	const char *slash = strchr(d->address, '/');
	size_t n = slash ? (size_t) (slash - d->address) : strlen(d->address);

	snprintf(addr, len, "%.*s", (int) n, d->address);
	return slash ? slash + 1 : "public";
}

int scan_collect(const char *who, const char *adapter, long seconds,
		 const char *find, bool announce, struct scan_list *list,
		 int *ret_found)
{
	struct scan_app app = { .find = find, .found = -1 };
	struct plugin_host *host;
	char name[64];
	int err, rc;

	app.loop = loop_new(NULL);
	if (!app.loop)
		return SCAN_EXIT_NOBT;
	/* The scanner is the ftms-ble plugin's: libbluetooth is loaded only
	 * by the commands that talk Bluetooth. */
	host = plugin_host_new(app.loop, NULL, NULL);
	plugin_host_set_quiet(host, true);
	err = plugin_scanner_plugin(host, PLUGINDIR, name, sizeof(name));
	if (err == 0)
		err = plugin_host_load(host, PLUGINDIR, name, NULL);
	app.scanner = err < 0 ? NULL : plugin_host_find_scanner(host);
	if (!app.scanner) {
		fprintf(stderr, "%s: no scanner plugin (the Bluetooth plugin ftms-ble) is installed in %s\n",
			who, PLUGINDIR);
		rc = SCAN_EXIT_NOBT;
		goto out;
	}
	err = plugin_scanner_start(app.scanner, adapter,
				   (uint64_t) seconds * USEC_PER_SEC,
				   on_result, on_done, &app);
	if (err < 0) {
		fprintf(stderr, "%s: %s: %s\n", who,
			adapter ? adapter : "default adapter",
			plugin_scanner_strerror(app.scanner, err));
		rc = SCAN_EXIT_NOBT;
		goto out;
	}
	(void) loop_add_signal(app.loop, SIGINT, on_signal, &app, NULL);
	(void) loop_add_signal(app.loop, SIGTERM, on_signal, &app, NULL);
	if (announce)
		fprintf(stderr, "Scanning on %s for %ld s...\n",
			adapter ? adapter : "the first adapter up", seconds);
	(void) loop_run(app.loop);
	if (app.err < 0) {
		fprintf(stderr, "%s: %s\n", who,
			plugin_scanner_strerror(app.scanner, app.err));
		rc = SCAN_EXIT_NOBT;
		goto out;
	}
	*list = app.list;
	*ret_found = app.found;
	rc = 0;
out:
	plugin_host_free(host);
	loop_free(app.loop);
	return rc;
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
	struct scan_list list;
	const char *adapter = NULL, *find = NULL;
	bool all = false, json = false;
	long seconds = SCAN_DEFAULT_S;
	int c, shown = 0, found, rc;
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
			find = optarg;
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
	if (adapter && !hci_name(adapter)) {
		fprintf(stderr, "paced scan: --adapter: expected hciN, got "
			"'%s'\n", adapter);
		return 2;
	}

	log_init("paced", LOG_TARGET_STDERR, NULL);
	rc = scan_collect("paced scan", adapter, seconds, find, !find && !json,
			  &list, &found);
	if (rc)
		return rc;
	if (find) {
		if (found >= 0)
			printf("%s\n", list.seen[found].address);
		else
			fprintf(stderr, "paced scan: no treadmill called '%s' "
				"seen in %ld s\n", find, seconds);
		return found >= 0 ? 0 : SCAN_EXIT_NONE;
	}

	if (!json)
		printf("%-17s  %-6s  %4s  %-13s  %s\n", "ADDRESS", "TYPE",
		       "RSSI", "MACHINE", "NAME");
	for (size_t i = 0; i < list.n; i++) {
		const struct scan_seen *d = &list.seen[i];
		char rssi[8] = "-", addr[32];
		const char *type;

		if (!all && !d->ftms)
			continue;
		shown++;
		if (json) {
			struct json *j = json_new_file(stdout);

			scan_seen_json(j, d);
			(void) json_free(j);
			putchar('\n');
			continue;
		}
		type = split_type(d, addr, sizeof(addr));
		if (d->rssi != 127)
			snprintf(rssi, sizeof(rssi), "%d", d->rssi);
		printf("%-17s  %-6s  %4s  %-13s  %s\n", addr, type, rssi,
		       d->kind, d->name[0] ? d->name : "-");
	}
	if (!json && !shown)
		fprintf(stderr, "No %s found. Is the treadmill on and not "
			"connected to another app?\n",
			all ? "advertisers" : "FTMS machines");
	return shown ? 0 : SCAN_EXIT_NONE;
}
