/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening files others can name: regular files only, never blocking. */
#pragma once

#include <sys/types.h>

/*
 * Opens name, relative to dirfd (AT_FDCWD for the working directory), as
 * a regular file and nothing else. O_NOFOLLOW, O_NONBLOCK, O_NOCTTY and
 * O_CLOEXEC are added to flags: a symbolic link in the last component is
 * refused (another user's link cannot redirect a write), and a FIFO
 * neither blocks the caller in open(2) nor is read. For state files:
 * open their directory once and pass its fd. Returns the fd (O_NONBLOCK
 * does nothing on a regular file, so it stays set), or -ELOOP (a symbolic
 * link), -EISDIR, -EBADFD (a FIFO, socket or device) or open(2)'s error.
 */
int file_open_at(int dirfd, const char *name, int flags, mode_t mode);

/*
 * Opens path read-only, following symbolic links, but never opens
 * anything but a regular file: the path is resolved to an O_PATH
 * descriptor first (which neither opens a device nor waits for a FIFO's
 * writer), checked with fstat(2), and only that very file is then
 * reopened for reading, so no rename or symlink swap in between can
 * change what is read. For files a user names (profiles, programmes).
 * Returns the fd or a negative errno as file_open_at().
 */
int file_open_read(const char *path);

/* The errors above in words ("is not a regular file (a FIFO, socket or
 * device)"), strerror() for the others. */
const char *file_strerror(int err);
