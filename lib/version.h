/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The version string. */
#pragma once

const char *paced_version(void);
