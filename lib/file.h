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

/*
 * Replacing a file whole or not at all: file_replace_open() makes a
 * temporary file beside path (".NAME.XXXXXX", the mode a new file would
 * get: 0666 less the umask) and returns its fd, its name in tmp;
 * file_replace_commit() syncs and closes fd, renames tmp over path and
 * syncs the directory, so the rename is durable too. With err < 0 (the
 * writer failed) or on any failure of its own it closes fd, removes tmp
 * and leaves path as it was. Both return 0/fd or a negative errno; a
 * path that exists and is not a regular file is refused as
 * file_open_at() refuses it (-ELOOP, -EISDIR, -EBADFD): renaming over a
 * device node or a link would replace it.
 */
int file_replace_open(const char *path, char *tmp, size_t len);
int file_replace_commit(int fd, const char *tmp, const char *path, int err);
