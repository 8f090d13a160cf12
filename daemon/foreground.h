/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced run': one session in the foreground. */
#pragma once

/* argv[0] is "run". Returns the process exit status (see --help). */
int run_main(int argc, char **argv);
