/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl scan and pacectl profiles: questions only the running service answers. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-read.h"
#include "pacectl.h"
#include "profile.h"

#define SCAN_DEFAULT_S 5
#define SCAN_MAX_S 60
/* The service answers when the scan ends: its length and some slack. */
#define SCAN_SLACK_MS 10000
#define PROFILES_TIMEOUT_MS 10000

/*
 * paced's reply, parsed, when it says "ok": true; otherwise its error on
 * stderr and NULL.
 */
static struct json_value *reply_ok(const char *reply)
{
	struct json_value *v = json_parse(reply, strlen(reply), NULL);
	const char *err = json_get_string(v, "error");
	bool ok = false;

	if (json_get_bool(v, "ok", &ok) && ok)
		return v;
	fprintf(stderr, "pacectl: %s\n", err ? err : reply);
	json_value_free(v);
	return NULL;
}

static void scan_usage(FILE *f)
{
	fprintf(f,
"Usage: pacectl [--socket PATH] scan [--seconds N] [--all] [--json]\n"
"Ask paced to list nearby Bluetooth LE fitness machines (it needs the\n"
"ftms-ble plugin, and no session running).\n"
"\n"
"  -s, --seconds N  how long to listen, 1 to %d (default %d)\n"
"      --all        list every advertiser, not only FTMS machines\n"
"  -j, --json       print paced's reply: one JSON object with the list\n"
"\n"
"Put the ADDRESS/TYPE of your treadmill in paced.conf (treadmill =\n"
"{ address = \"...\"; };), or its name as \"name:NAME\".\n",
		SCAN_MAX_S, SCAN_DEFAULT_S);
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct json_value *m;
	struct json_value *v;
	char req[32];
	bool all = false, json = false;
	long seconds = SCAN_DEFAULT_S;
	char *reply = NULL, *end;
	int c, shown = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = strtol(optarg, &end, 10);
			if (*end || end == optarg || seconds < 1 ||
			    seconds > SCAN_MAX_S) {
				fprintf(stderr, "pacectl scan: --seconds: expected 1 to %d, got '%s'\n",
					SCAN_MAX_S, optarg);
				return PACECTL_EXIT_USAGE;
			}
			break;
		case 'A':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			scan_usage(stdout);
			return PACECTL_EXIT_OK;
		default:
			scan_usage(stderr);
			return PACECTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pacectl scan: unexpected argument '%s'\n",
			argv[optind]);
		return PACECTL_EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "scan %ld", seconds);
	if (!json)
		fprintf(stderr, "Scanning for %ld s...\n", seconds);
	if (pacectl_request(req, (int) seconds * 1000 + SCAN_SLACK_MS,
			    &reply) < 0)
		return PACECTL_EXIT_FAIL;
	v = reply_ok(reply);
	if (v && json)
		puts(reply);
	free(reply);
	if (!v || json) {
		json_value_free(v);
		return v ? PACECTL_EXIT_OK : PACECTL_EXIT_FAIL;
	}
	printf("%-17s  %-6s  %4s  %-13s  %s\n", "ADDRESS", "TYPE", "RSSI",
	       "MACHINE", "NAME");
	for (m = json_first(json_get(v, "machines")); m; m = json_next(m)) {
		const char *name = json_get_string(m, "name");
		const char *kind = json_get_string(m, "kind");
		char addr[64], rssi[8] = "-";
		const char *type = "public";
		bool ftms = false;
		int64_t n;
		char *slash;

		(void) json_get_bool(m, "ftms", &ftms);
		if (!all && !ftms)
			continue;
		if (!json_get_string_buf(m, "address", addr, sizeof(addr)))
			continue;
		if (json_get_int(m, "rssi", &n))
			snprintf(rssi, sizeof(rssi), "%d", (int) n);
		slash = strchr(addr, '/');
		if (slash) {
			*slash = '\0';
			type = slash + 1;
		}
		printf("%-17s  %-6s  %4s  %-13s  %s\n", addr, type, rssi,
		       kind ? kind : "-", name && *name ? name : "-");
		shown++;
	}
	json_value_free(v);
	if (!shown)
		fprintf(stderr, "No %s found. Is the treadmill on and not connected to another app?\n",
			all ? "advertisers" : "FTMS machines");
	return shown ? PACECTL_EXIT_OK : PACECTL_EXIT_FAIL;
}

int cmd_profiles(int argc, char **argv)
{
	const struct json_value *p;
	struct json_value *v;
	const char *def;
	char *reply = NULL;
	bool json = false, truncated = false;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: pacectl [--socket PATH] profiles [--json]\n"
			       "List the profiles the running paced can start (its profile\n"
			       "directory), each checked as 'start' would load it.\n");
			return PACECTL_EXIT_OK;
		} else {
			fprintf(stderr, "pacectl profiles: unexpected argument '%s'\n",
				argv[i]);
			return PACECTL_EXIT_USAGE;
		}
	}
	if (pacectl_request("profiles", PROFILES_TIMEOUT_MS, &reply) < 0)
		return PACECTL_EXIT_FAIL;
	v = reply_ok(reply);
	if (v && json)
		puts(reply);
	free(reply);
	if (!v || json) {
		json_value_free(v);
		return v ? PACECTL_EXIT_OK : PACECTL_EXIT_FAIL;
	}
	def = json_get_string(v, "default");
	if (!def)
		def = "";
	printf("  %-28s  %-30s  %8s  %s\n", "FILE", "NAME", "TIME", "STATUS");
	for (p = json_first(json_get(v, "profiles")); p; p = json_next(p)) {
		const char *file = json_get_string(p, "file");
		const char *name = json_get_string(p, "name");
		const char *err = json_get_string(p, "error");
		char time[16] = "-";
		bool valid = false, mark;
		int64_t total;

		if (!file)
			continue;
		(void) json_get_bool(p, "valid", &valid);
		/* "demo" and "demo.cfg" both name demo.cfg. */
		mark = def[0] && (!strcmp(def, file) ||
				  (!strncmp(def, file, strlen(def)) &&
				   !strcmp(file + strlen(def), ".cfg")));
		if (valid) {
			if (json_get_int(p, "total_s", &total) && total >= 0)
				profile_format_duration((uint32_t) total * 1000,
							time, sizeof(time));
			printf("%c %-28s  %-30s  %8s  ok\n", mark ? '*' : ' ',
			       file, name ? name : "-", time);
		} else {
			printf("%c %-28s  %-30s  %8s  %s\n", mark ? '*' : ' ',
			       file, "-", "-", err ? err : "invalid");
		}
		n++;
	}
	if (!n)
		printf("(no .cfg profiles in the profile directory)\n");
	else if (def[0])
		printf("\n* the default profile (paced.conf)\n");
	if (json_get_bool(v, "truncated", &truncated) && truncated)
		printf("(more profiles than paced lists at once)\n");
	json_value_free(v);
	return PACECTL_EXIT_OK;
}
