/* cmd.h -- the subcommands, called by main() with the parsed options. */
#ifndef MXTOP_CMD_H
#define MXTOP_CMD_H
#include <time.h>

#include "fmt.h"
#include "mta.h"
#include "stats.h"

struct select;

/* Everything the command line said, shared by every command. */
struct ctx {
	const char	*spool;		/* resolved spool directory */
	const char	*log;		/* -l PATH, or NULL */
	struct mta	 mta;
	struct select	*sel;
	struct fmt_opts	 fmt;
	time_t		 now;
	enum stats_order order;
	int		 reverse;
	int		 threads;
};

/* Each returns the process exit status (0 ok, 1 partial, 2 error) and
 * reports errors on stderr as "mxtop: ...". */
int	cmd_summary(struct ctx *, int argc, char **argv);
int	cmd_list(struct ctx *, int argc, char **argv);
int	cmd_show(struct ctx *, int argc, char **argv);

#endif
