/* cmd.h -- the subcommands, called by main() with the parsed options. */
#ifndef MXTOP_CMD_H
#define MXTOP_CMD_H
#include <time.h>

#include "out/fmt.h"
#include "run/mta.h"
#include "model/stats.h"

struct select;

/* Everything the command line said, shared by every command. */
struct ctx {
	const char	*spool;		/* -s, then the resolved spool directory */
	int		 spool_given;	/* by -s or MXTOP_SPOOL */
	const char	*log;		/* -l PATH, or NULL */
	struct mta	 mta;
	struct select	*sel;
	struct fmt_opts	 fmt;
	time_t		 now;
	int		 now_set;	/* --now was given: time is pinned */
	enum stats_order order;
	int		 reverse;
	int		 threads;
	time_t		 since;		/* logs: read events from here on */
	int		 since_set;	/* --since was given */
	double		 threshold;	/* --tarpit-threshold (0.5) */
	unsigned	 min_samples;	/* --tarpit-min (10) */
	/* Actions (flush, bounce, delete, freeze, thaw). */
	int		 yes;		/* --yes: no confirmation */
	int		 dry_run;	/* --dry-run: print argv, run nothing */
	double		 rate;		/* --rate: messages per second, 0 none */
	int		 parallel;	/* --parallel: Exim processes, 0 default */
	long		 max;		/* --max: at most this many, 0 all */
	int		 adaptive;	/* --adaptive (flush) */
	const char	*audit;		/* --audit FILE, or NULL: default */
	const char	*ids_from;	/* --ids-from FILE ("-": stdin) */
	/* TUI. */
	double		 delay;		/* -d: seconds between rescans */
	int		 once;		/* --once: print one screen, exit */
	int		 no_color;	/* --no-color or NO_COLOR */
	int		 width_set;	/* --width was given */
	/* check. */
	int64_t		 max_age;	/* --max-age, seconds; 0: none */
	long		 max_depth;	/* --max-depth, messages; 0: none */
	/* Export. */
	const char	*output;	/* -o FILE ("-": stdout) */
	const char	*as;		/* --as tar.gz|tar.xz|zip|mbox */
	int		 force;		/* --force: overwrite -o FILE */
	int		 headers_only, manifest_only;
};

struct spool_snap;

/* The main log: -l; else what Exim's log_file_path names (asked only
 * when the spool was not given with -s or MXTOP_SPOOL, or with
 * --exim-config); else the spool's own log/ (Exim's default place);
 * else Debian's /var/log/exim4/mainlog.  buf may hold the answer.  NULL
 * when there is none: the diagnosis then reads the msglogs. */
const char	*cmd_find_log(const struct ctx *c, char *buf, size_t len);

/* The stats of c's selection over snapshot s, each domain diagnosed from
 * the main log (-l, else <spool>/log, else Debian's; else the msglogs),
 * sorted as asked.  domain, unless NULL, gets a row even with nothing
 * queued.  For a --class selection, read the msglogs first
 * (stats_read_msglogs()).  The caller frees with stats_free(). */
struct stats	*cmd_stats(struct ctx *c, struct spool_snap *s,
		    const char *domain);

/* Each returns the process exit status (0 ok, 1 partial, 2 error) and
 * reports errors on stderr as "mxtop: ...". */
int	cmd_summary(struct ctx *, int argc, char **argv);
int	cmd_list(struct ctx *, int argc, char **argv);
int	cmd_show(struct ctx *, int argc, char **argv);
int	cmd_diagnose(struct ctx *, int argc, char **argv);
/* Monitoring: one line, exit 0 (within limits), 1 (over), 2 (error). */
int	cmd_check(struct ctx *, int argc, char **argv);
/* flush, bounce, delete, freeze, thaw: argv[0] names the action. */
int	cmd_action(struct ctx *, int argc, char **argv);
/* Writes the selected messages to an archive (-o, --as). */
int	cmd_export(struct ctx *, int argc, char **argv);
/* The curses TUI, or with c->once one screen as text. */
int	cmd_tui(struct ctx *, int argc, char **argv);

#endif
