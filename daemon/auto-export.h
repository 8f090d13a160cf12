/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Automatic export: a finished session's files in STATE/exports/, as paced.conf asks. */
#pragma once

#include "export.h"

/* The formats paced.conf's export asks for: 1u << enum export_format. */
#define AUTO_EXPORT_BIT(format)	(1u << (format))

/*
 * One file written, or not: path is NULL and error says why (a sentence,
 * "FILE:LINE: message" for a log that cannot be exported).
 */
typedef void (*auto_export_func_t)(enum export_format format,
				   const char *path, const char *error,
				   void *user_data);

/*
 * Write the log at log_path (a closed session log) as every format in
 * formats into STATE/exports/, named after the log
 * ("sessions/2026-12-03T05-07-19.jsonl" -> "exports/2026-12-03T05-07-19.fit"),
 * each replaced whole or not at all (export_log()). Reads the log and
 * nothing else of the session: a failure is logged, reported through done,
 * and changes neither the log nor the history. done runs once per format,
 * in enum order, before this returns. Returns how many failed.
 */
unsigned auto_export(const char *state_dir, const char *log_path,
		     unsigned formats, auto_export_func_t done,
		     void *user_data);
