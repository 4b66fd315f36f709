/* main.c -- options, default spool discovery, command dispatch. */
#include "app/cmd.h"
#include "app/cli.h"
#include "app/load.h"
#include "model/select.h"
#include "model/verify.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/units.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Freed at exit, whichever of main's many error returns is taken. */
static struct select *the_sel;
static struct verify_set *the_verified;	/* read by the_sel */

static void
free_sel(void)
{
	select_free(the_sel);
	the_sel = NULL;
	verify_set_free(the_verified);
	the_verified = NULL;
}

int
main(int argc, char **argv)
{
	struct ctx		 c;
	const struct cli_cmd	*cmd;
	const char		*name, *env = getenv("MXTOP_SPOOL");
	char			 spoolbuf[4096];
	int			 n;

	/* Without TZ glibc stats /etc/localtime at every mktime(): once per
	 * msglog line.  Naming the file makes it read once. */
	if (getenv("TZ") == NULL)
		setenv("TZ", ":/etc/localtime", 0);
	mem_tune();
	memset(&c, 0, sizeof(c));
	c.sel = the_sel = select_new();
	atexit(free_sel);
	c.fmt.kind = FMT_TEXT;
	c.fmt.width = 80;
	c.now = time(NULL);
	c.order = STATS_BY_MSGS;
	c.fmt.cutoff = 4 * 86400;	/* Exim's default retry rule */
	c.threshold = 0.5;
	c.min_samples = 10;
	c.sample = -1;			/* probe: its default */
	if ((n = cli_parse(&c, argc, argv)) < 0)
		return n == -2 ? 0 : cli_usage_rc(argc, argv);
	argc -= n;
	argv += n;
	if (getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0')
		c.no_color = 1;
	if (!c.since_set)
		c.since = c.now - 24 * 3600;
	/* No command: the TUI on a terminal, else the summary. */
	if (argc > 0)
		name = argv[0];
	else
		name = isatty(STDOUT_FILENO) || c.once ? "tui" : "summary";
	if ((cmd = cli_find(name)) == NULL) {
		fprintf(stderr, "mxtop: unknown command %s (mxtop --help lists "
		    "them)\n", name);
		return 2;
	}
	if (cli_check_format(cmd, c.fmt.kind) < 0)
		return cmd->fail;
	/* Text fills the terminal: COLUMNS, else its size; 80 otherwise. */
	if (!c.width_set && isatty(STDOUT_FILENO)) {
		struct winsize ws;
		long w;

		if (units_parse_long(getenv("COLUMNS"), 40, 1000, &w) == 0)
			c.fmt.width = (int)w;
		else if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
		    ws.ws_col >= 40)
			c.fmt.width = ws.ws_col;
	}
	c.fmt.now = c.now;
	c.spool_given = c.spool != NULL || (env != NULL && *env != '\0');
	/* Commands that read the queue need the spool; mx-check finds it
	 * itself when it does. */
	if (cmd->spool && load_find_spool(&c, spoolbuf, sizeof(spoolbuf)) < 0)
		return cmd->fail;
	/* verified:... reads what mxtop verify kept for this spool. */
	if (cmd->spool && select_has(c.sel, "verified") &&
	    (the_verified = cmd_verified_load(&c)) == NULL)
		return cmd->fail;
	if (argc == 0) {
		static char cname[16];
		static char *def[] = { cname, NULL };

		snprintf(cname, sizeof(cname), "%s", name);
		argc = 1;
		argv = def;
	}
	return cmd->fn(&c, argc, argv);
}
