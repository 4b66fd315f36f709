/* cli.h -- the command line as data: one table of options (with their
 * bounds) and one of commands, from which parsing and --help are made. */
#ifndef MXTOP_APP_CLI_H
#define MXTOP_APP_CLI_H
#include <stdio.h>

struct ctx;

/* A command: its name, what it does, and the function that runs it
 * (argv[0] is the command's name). */
struct cli_cmd {
	const char	*name;
	const char	*args;		/* synopsis after the name */
	const char	*help;
	int		(*fn)(struct ctx *, int argc, char **argv);
	int		 spool;		/* reads the queue: find the spool */
	int		 fail;		/* exit status of a usage error (2;
					 * check: 3, a monitoring plugin's
					 * UNKNOWN) */
	unsigned	 formats;	/* 1 << FMT_TEXT | ...: --format taken */
};

/* Parses the options of argv into c (defaults already set), each value
 * checked against its bounds.  Returns the index of the first operand
 * (the command), or -1 after one error line on stderr ("mxtop: ...");
 * -2 when --help or --version was answered (exit 0). */
int	 cli_parse(struct ctx *c, int argc, char **argv);
/* The exit status of a usage error for the command argv names (check:
 * 3), as cli_parse() leaves nothing to go by. */
int	 cli_usage_rc(int argc, char **argv);
/* Whether cmd prints format kind (enum fmt_kind); -1 after one error
 * line when it does not. */
int	 cli_check_format(const struct cli_cmd *cmd, int kind);
/* The command named name, or NULL. */
const struct cli_cmd *cli_find(const char *name);
/* The usage text, made from the tables. */
void	 cli_usage(FILE *);
#endif
