/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TCX export: Training Center Database v2 XML, one Lap per segment. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "util.h"

/*
 * The element order is the schema's (TrainingCenterDatabasev2.xsd,
 * ActivityLap_t and Trackpoint_t are xsd:sequence): TotalTimeSeconds,
 * DistanceMeters, MaximumSpeed, Calories, heart rates, Intensity,
 * TriggerMethod, Track, Notes, Extensions. Speed has no element of its
 * own in the schema; Garmin's ActivityExtension v2 carries it (TPX/Speed
 * per point, LX/AvgSpeed per lap, in m/s), which Extensions_t admits
 * (xsd:any namespace="##other" processContents="lax"). Calories are
 * required and paced does not estimate them: 0.
 */
#define NS_TCX	"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
#define NS_AX	"http://www.garmin.com/xmlschemas/ActivityExtension/v2"
#define NS_XSI	"http://www.w3.org/2001/XMLSchema-instance"

/* Text for an element's content: the five XML escapes, and no C0
 * control characters (not allowed in XML 1.0 at all) but tab and LF. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\'')
			fputs("&apos;", f);
		else if (c >= 0x20 || c == '\t' || c == '\n')
			fputc(c, f);
	}
}

/* m/s from 0.01 km/h, with the millimetre the FIT file keeps. */
static void speed(FILE *f, uint32_t v)
{
	uint32_t mm = (v * 25 + 4) / 9;

	fprintf(f, "%u.%03u", mm / 1000, mm % 1000);
}

static void metres(FILE *f, uint32_t cm)
{
	fprintf(f, "%u.%02u", cm / 100, cm % 100);
}

static void when(FILE *f, const struct export_timeline *tl, uint32_t elapsed_ms)
{
	char t[32];

	export_utc(tl->start_unix_ms / 1000 * 1000 + elapsed_ms / 1000 * 1000,
		   t, sizeof(t));
	fputs(t, f);
}

static void trackpoint(FILE *f, const struct export_timeline *tl,
		       const struct export_second *s)
{
	fputs("     <Trackpoint><Time>", f);
	when(f, tl, s->elapsed_s * 1000);
	fputs("</Time><DistanceMeters>", f);
	metres(f, s->distance_cm);
	fputs("</DistanceMeters>", f);
	if (s->heart_rate)
		fprintf(f, "<HeartRateBpm><Value>%u</Value></HeartRateBpm>",
			s->heart_rate);
	fputs("<Extensions><ax:TPX><ax:Speed>", f);
	speed(f, s->belt_speed);
	fputs("</ax:Speed></ax:TPX></Extensions></Trackpoint>\n", f);
}

static bool resting(const struct export_timeline *tl,
		    const struct export_lap *lap)
{
	bool any_jog = false;

	if (!strcmp(lap->phase, "recovery"))
		return true;
	if (lap->jog || strcmp(lap->phase, "main"))
		return false;
	for (size_t i = 0; i < tl->n_laps; i++)
		any_jog |= tl->laps[i].jog;
	return any_jog;
}

static void notes(FILE *f, const struct export_timeline *tl, size_t i)
{
	const struct export_lap *lap = &tl->laps[i];
	char text[256];

	fputs("    <Notes>", f);
	snprintf(text, sizeof(text), "%s %s, %u.%02u km/h", lap->phase,
		 lap->pace, lap->speed / 100, lap->speed % 100);
	xml_text(f, text);
	for (size_t m = 0; m < tl->n_marks; m++) {
		const struct export_mark *mk = &tl->marks[m];
		bool inside = mk->plan_ms >= lap->start_plan_ms &&
			      (mk->plan_ms < lap->end_plan_ms ||
			       (i + 1 == tl->n_laps &&
				mk->plan_ms == lap->end_plan_ms));

		if (!inside)
			continue;
		export_mark_text(mk, text, sizeof(text));
		fputs("; ", f);
		xml_text(f, text);
	}
	fputs("</Notes>\n", f);
}

static void lap(FILE *f, const struct export_timeline *tl, size_t i)
{
	const struct export_lap *l = &tl->laps[i];
	const char *trigger = i + 1 < tl->n_laps && tl->laps[i + 1].press ?
			      "Manual" : "Time";
	uint32_t timer_ms = l->end_plan_ms - l->start_plan_ms;

	fputs("   <Lap StartTime=\"", f);
	when(f, tl, l->start_elapsed_ms);
	fprintf(f, "\">\n    <TotalTimeSeconds>%u.%03u</TotalTimeSeconds>\n",
		timer_ms / 1000, timer_ms % 1000);
	fputs("    <DistanceMeters>", f);
	metres(f, l->distance_cm);
	fputs("</DistanceMeters>\n    <MaximumSpeed>", f);
	speed(f, l->max_speed);
	fputs("</MaximumSpeed>\n    <Calories>0</Calories>\n", f);
	if (l->avg_hr)
		fprintf(f, "    <AverageHeartRateBpm><Value>%u</Value></AverageHeartRateBpm>\n"
			"    <MaximumHeartRateBpm><Value>%u</Value></MaximumHeartRateBpm>\n",
			l->avg_hr, l->max_hr);
	fprintf(f, "    <Intensity>%s</Intensity>\n"
		"    <TriggerMethod>%s</TriggerMethod>\n",
		resting(tl, l) ? "Resting" : "Active", trigger);
	/* A pause splits the lap's track: one Track per stretch of the
	 * timer running, as Garmin Training Center writes them. */
	for (uint32_t k = l->first; k < l->first + l->count; k++) {
		const struct export_second *s = &tl->sec[k];

		if (k == l->first || s->elapsed_s != tl->sec[k - 1].elapsed_s + 1) {
			if (k != l->first)
				fputs("    </Track>\n", f);
			fputs("    <Track>\n", f);
		}
		trackpoint(f, tl, s);
	}
	if (l->count)
		fputs("    </Track>\n", f);
	notes(f, tl, i);
	fputs("    <Extensions><ax:LX><ax:AvgSpeed>", f);
	speed(f, l->avg_speed);
	fputs("</ax:AvgSpeed></ax:LX></Extensions>\n   </Lap>\n", f);
}

int export_write_tcx(const struct export_timeline *tl, uint8_t **ret_buf,
		     size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned major = 0, minor = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -errno;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<TrainingCenterDatabase xmlns=\"" NS_TCX "\"\n"
	      " xmlns:ax=\"" NS_AX "\" xmlns:xsi=\"" NS_XSI "\">\n"
	      " <Activities>\n"
	      "  <Activity Sport=\"Running\">\n"
	      "   <Id>", f);
	when(f, tl, 0);
	fputs("</Id>\n", f);
	for (size_t i = 0; i < tl->n_laps; i++)
		lap(f, tl, i);
	fputs("   <Notes>", f);
	xml_text(f, tl->open->profile);
	if (tl->open->stage[0]) {
		fputs(" (stage ", f);
		xml_text(f, tl->open->stage);
		fputs(")", f);
	}
	fprintf(f, ", treadmill, %s, %u symptom press%s</Notes>\n",
		tl->outcome, tl->presses, tl->presses == 1 ? "" : "es");
	(void) sscanf(PACKAGE_VERSION, "%u.%u", &major, &minor);
	fprintf(f, "   <Creator xsi:type=\"Device_t\"><Name>paced</Name>"
		"<UnitId>0</UnitId><ProductID>1</ProductID><Version>"
		"<VersionMajor>%u</VersionMajor><VersionMinor>%u</VersionMinor>"
		"</Version></Creator>\n"
		"  </Activity>\n"
		" </Activities>\n"
		"</TrainingCenterDatabase>\n", major, minor);
	return export_memstream_finish(f, &buf, &len, ret_buf, ret_len);
}
