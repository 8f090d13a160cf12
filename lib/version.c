/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The version string, in one place for paced, pacectl and the logs. */
#include "config.h"
#include "version.h"

const char *paced_version(void)
{
	return PACKAGE_VERSION;
}
