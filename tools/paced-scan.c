/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced-scan: 'paced scan' as its own program, until paced dispatches it. */
#include "scan.h"

int main(int argc, char **argv)
{
	return scan_main(argc, argv);
}
