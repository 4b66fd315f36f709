/* cmd_tui.c -- the TUI (placeholder: prints the summary). */
#include "cmd.h"

int
cmd_tui(struct ctx *c, int argc, char **argv)
{
	(void)argc;
	return cmd_summary(c, 1, argv);
}
