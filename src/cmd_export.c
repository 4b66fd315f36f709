/* cmd_export.c -- export (placeholder). */
#include "cmd.h"

#include <stdio.h>

int
cmd_export(struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	fprintf(stderr, "mxtop: export is not available yet\n");
	return 2;
}
