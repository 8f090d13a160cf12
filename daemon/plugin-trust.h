/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether a plugin file may be loaded: nobody but root or paced could have put it there. */
#pragma once

#include <stddef.h>

/*
 * A plugin runs as paced (as root, if paced is), so it may be loaded
 * only when nobody else could have written it or could swap it: the
 * file, every directory from / down to it, and every directory holding
 * a symbolic link followed on the way must be owned by root or by
 * paced's own user (euid), and none may be writable by its group or by
 * others. One exception: a directory above the plugin's own that has the
 * sticky bit (/tmp) may be writable by others, since they cannot rename
 * or remove what is in it; the plugin's own directory may not, for a
 * stranger could add a plugin there. Permissions only: ACLs are not
 * read.
 *
 * Because nothing on the way can change but by root or paced, the check
 * stays true until dlopen(path) (no race between the two).
 *
 * Returns 0 if path may be loaded. Otherwise -EPERM (untrusted) or the
 * errno of what could not be looked at (-ENOENT, -ELOOP, ...), with a
 * sentence in why naming the file or directory and what is wrong with
 * it ("/opt/paced is writable by others (mode 0777)").
 */
int plugin_trust_check(const char *path, char *why, size_t len);
