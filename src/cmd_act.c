/* cmd_act.c -- flush, bounce, delete, freeze, thaw (placeholder). */
#include "cmd.h"

#include <stdio.h>

int
cmd_action(struct ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	fprintf(stderr, "mxtop: %s is not available yet\n", argv[0]);
	return 2;
}
