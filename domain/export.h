/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session exports: a log in, a FIT, TCX or CSV file out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "export-timeline.h"

/*
 * What pacectl export, the service's automatic export and an upload plugin
 * all call. export_log() is the whole job in one call: read the session
 * log (session-read.h), lay it out on its plan clock (export-timeline.h),
 * write the format, and replace the output file atomically (a temporary
 * file in the same directory, synced, then renamed), so a failure at any
 * point leaves either the old file or none, never half of one.
 * export_log_buffer() stops before the file, for a caller that sends the
 * bytes somewhere (an HTTP upload). Neither blocks on anything but the
 * local file system; a 45-minute log takes milliseconds (bench/README.md).
 *
 * The formats:
 *  FIT  Garmin's binary activity file (docs/fit.md: messages, fields, and
 *       how presses and pauses are written), for Garmin Connect, Strava,
 *       intervals.icu and watches.
 *  TCX  Training Center Database v2 XML: one Lap per segment with its
 *       Trackpoints (time, distance, heart rate, speed as an
 *       ActivityExtension v2 TPX element); a pause splits a lap's Track;
 *       presses are in the lap's Notes.
 *  CSV  RFC 4180 (CRLF, quoted where needed), one row per second, for a
 *       spreadsheet or a physiotherapist: the columns are listed in
 *       pacectl(1).
 */

enum export_format {
	EXPORT_FIT,
	EXPORT_TCX,
	EXPORT_CSV,
};

struct export_error {
	unsigned line;			/* the log's line, 0 if none */
	char text[512];			/* "FILE:LINE: message" */
};

/* What an export found worth telling the person (NULL ok everywhere). */
struct export_info {
	unsigned torn_line;		/* a torn last line skipped, 0 none */
	unsigned skipped;		/* lines of events not known here */
	bool treadmill_distance;	/* the distance is the treadmill's */
	bool distance_agree;		/* ... and the belt's integral agrees */
	uint32_t distance_cm, integral_cm;
	uint32_t plan_s, elapsed_s;	/* timer time, with pauses */
	size_t laps, seconds, presses;
	size_t bytes;			/* the file's size */
};

/* "fit", "tcx", "csv" (also the file name extensions). */
const char *export_format_name(enum export_format format);
/* -EINVAL for a name that is none of them. */
int export_format_from_name(const char *name, enum export_format *ret_format);

/*
 * Export the log at log_path as format to out_path ("-": standard
 * output). Returns 0, or a negative errno with *ret_err saying what and
 * where ("FILE:LINE: message" for a bad log, "OUT: message" for the
 * output): -EBADMSG for a log that cannot be exported, the errno of a
 * file that cannot be read or written.
 */
int export_log(const char *log_path, enum export_format format,
	       const char *out_path, struct export_info *ret_info,
	       struct export_error *ret_err);

/* The same into memory: *ret_buf (malloc'd, the caller frees it). */
int export_log_buffer(const char *log_path, enum export_format format,
		      uint8_t **ret_buf, size_t *ret_len,
		      struct export_info *ret_info,
		      struct export_error *ret_err);

/*
 * The writers, from a timeline in memory (tests, the fuzz target).
 * Each returns 0 and a malloc'd buffer, or -ENOMEM/-EFBIG. tz_offset_s is
 * the local time's offset from UTC at the start (FIT's local_timestamp).
 */
int export_write(const struct export_timeline *tl, enum export_format format,
		 long tz_offset_s, uint8_t **ret_buf, size_t *ret_len);
int export_write_fit(const struct export_timeline *tl, long tz_offset_s,
		     uint8_t **ret_buf, size_t *ret_len);
int export_write_tcx(const struct export_timeline *tl, uint8_t **ret_buf,
		     size_t *ret_len);
int export_write_csv(const struct export_timeline *tl, uint8_t **ret_buf,
		     size_t *ret_len);

/* Shared by the writers: close an open_memstream(&buf, &len) stream and
 * hand its text over (0), or free it (-ENOMEM). */
int export_memstream_finish(FILE *f, char **buf, size_t *len,
			    uint8_t **ret_buf, size_t *ret_len);
/* "2026-12-02T22:02:20Z" for UTC ms. */
void export_utc(int64_t unix_ms, char *buf, size_t len);
/* A mark in words: "symptom press 1 (leak): jogs 50 % as long ...". */
void export_mark_text(const struct export_mark *m, char *buf, size_t len);
