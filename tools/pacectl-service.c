/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl scan and pacectl profiles: questions only the running service answers. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "pacectl.h"
#include "profile.h"

#define SCAN_DEFAULT_S 5
#define SCAN_MAX_S 60
/* The service answers when the scan ends: its length and some slack. */
#define SCAN_SLACK_MS 10000
#define PROFILES_TIMEOUT_MS 10000

/*
 * The next {...} of the array at *p (just after '[' or a previous
 * object) into buf, NUL-terminated; false at the array's end. Strings
 * may hold braces, so quotes and escapes are followed. The reply is
 * paced's own JSON; anything odd just ends the walk.
 */
static bool next_object(const char **p, char *buf, size_t len)
{
	const char *s = *p, *start;
	unsigned depth = 0;
	bool in_str = false;

	while (*s == ',' || *s == ' ')
		s++;
	if (*s != '{')
		return false;
	start = s;
	for (; *s; s++) {
		if (in_str) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				in_str = false;
			continue;
		}
		if (*s == '"')
			in_str = true;
		else if (*s == '{')
			depth++;
		else if (*s == '}' && --depth == 0)
			break;
	}
	if (!*s || (size_t) (s - start) + 2 > len)
		return false;
	memcpy(buf, start, (size_t) (s - start) + 1);
	buf[s - start + 1] = '\0';
	*p = s + 1;
	return true;
}

/* The array after "key":[ in reply, or NULL. */
static const char *array_of(const char *reply, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":[", key);
	p = strstr(reply, pat);
	return p ? p + strlen(pat) : NULL;
}

/* A reply with "ok":false: its error on stderr. */
static bool reply_ok(const char *reply)
{
	char err[512];

	if (!strncmp(reply, "{\"ok\":true", 10))
		return true;
	if (json_line_string(reply, "error", err, sizeof(err)))
		fprintf(stderr, "pacectl: %s\n", err);
	else
		fprintf(stderr, "pacectl: %s\n", reply);
	return false;
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
	const char *machines;
	char req[32], obj[1024];
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
	if (!reply_ok(reply)) {
		free(reply);
		return PACECTL_EXIT_FAIL;
	}
	if (json) {
		puts(reply);
		free(reply);
		return PACECTL_EXIT_OK;
	}
	machines = array_of(reply, "machines");
	printf("%-17s  %-6s  %4s  %-13s  %s\n", "ADDRESS", "TYPE", "RSSI",
	       "MACHINE", "NAME");
	while (machines && next_object(&machines, obj, sizeof(obj))) {
		char addr[64], name[256], kind[32], rssi[8] = "-";
		const char *type = "public";
		bool ftms = false;
		int64_t v;
		char *slash;

		json_line_bool(obj, "ftms", &ftms);
		if (!all && !ftms)
			continue;
		if (!json_line_string(obj, "address", addr, sizeof(addr)))
			continue;
		if (!json_line_string(obj, "name", name, sizeof(name)) ||
		    !name[0])
			snprintf(name, sizeof(name), "-");
		if (!json_line_string(obj, "kind", kind, sizeof(kind)))
			snprintf(kind, sizeof(kind), "-");
		if (json_line_int(obj, "rssi", &v))
			snprintf(rssi, sizeof(rssi), "%d", (int) v);
		slash = strchr(addr, '/');
		if (slash) {
			*slash = '\0';
			type = slash + 1;
		}
		printf("%-17s  %-6s  %4s  %-13s  %s\n", addr, type, rssi, kind,
		       name);
		shown++;
	}
	free(reply);
	if (!shown)
		fprintf(stderr, "No %s found. Is the treadmill on and not connected to another app?\n",
			all ? "advertisers" : "FTMS machines");
	return shown ? PACECTL_EXIT_OK : PACECTL_EXIT_FAIL;
}

int cmd_profiles(int argc, char **argv)
{
	const char *list;
	char obj[2048], def[256] = "";
	char *reply = NULL;
	bool json = false;
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
	if (!reply_ok(reply)) {
		free(reply);
		return PACECTL_EXIT_FAIL;
	}
	if (json) {
		puts(reply);
		free(reply);
		return PACECTL_EXIT_OK;
	}
	json_line_string(reply, "default", def, sizeof(def));
	list = array_of(reply, "profiles");
	printf("  %-28s  %-30s  %8s  %s\n", "FILE", "NAME", "TIME", "STATUS");
	while (list && next_object(&list, obj, sizeof(obj))) {
		char file[256], name[128] = "-", time[16] = "-", err[600];
		bool valid = false, mark;
		int64_t total;

		if (!json_line_string(obj, "file", file, sizeof(file)))
			continue;
		json_line_bool(obj, "valid", &valid);
		/* "demo" and "demo.cfg" both name demo.cfg. */
		mark = def[0] && (!strcmp(def, file) ||
				  (!strncmp(def, file, strlen(def)) &&
				   !strcmp(file + strlen(def), ".cfg")));
		if (valid) {
			json_line_string(obj, "name", name, sizeof(name));
			if (json_line_int(obj, "total_s", &total) && total >= 0)
				profile_format_duration((uint32_t) total * 1000,
							time, sizeof(time));
			printf("%c %-28s  %-30s  %8s  ok\n", mark ? '*' : ' ',
			       file, name, time);
		} else {
			if (!json_line_string(obj, "error", err, sizeof(err)))
				snprintf(err, sizeof(err), "invalid");
			printf("%c %-28s  %-30s  %8s  %s\n", mark ? '*' : ' ',
			       file, "-", "-", err);
		}
		n++;
	}
	if (!n)
		printf("(no .cfg profiles in the profile directory)\n");
	else if (def[0])
		printf("\n* the default profile (paced.conf)\n");
	if (strstr(reply, "\"truncated\":true"))
		printf("(more profiles than paced lists at once)\n");
	free(reply);
	return PACECTL_EXIT_OK;
}
