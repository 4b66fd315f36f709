/* mta.h -- the only place that starts processes: Exim's own commands.
 *
 * Every command is an argv array run with posix_spawnp(3), never through
 * a shell.  Message ids are checked with spool_id_valid() before they
 * reach an argv.
 *
 * Acting on messages has three parts, shared by `mxtop flush ...` and the
 * TUI:
 *   1. a plan (model/plan.h, plan_new()): which messages, and of each
 *      which recipients; pure, from a snapshot;
 *   2. a job (mta_job_new ... mta_job_free): runs Exim on the plan's items,
 *      paced, without ever blocking longer than the timeout given to
 *      mta_job_step(), so a curses loop can drive it;
 *   3. per-item results, read back from the spool and the msglog.
 * Nothing here prints, exits, or installs signal handlers. */
#ifndef MXTOP_MTA_H
#define MXTOP_MTA_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "model/plan.h"

struct mta {
	const char	*exim;		/* binary; NULL: "exim", then "exim4" */
	const char	*config;	/* passed as -C FILE when not NULL */
};

/* Runs argv (argv[0] searched in PATH) with stdin from /dev/null and
 * stderr discarded, and captures up to outlen - 1 bytes of its stdout
 * into out (NUL-terminated).  Returns the exit status (0-255), or -1
 * with errno if it could not be started or was killed. */
int	mta_capture(char *const argv[], char *out, size_t outlen);

/* Asks Exim for its spool directory (exim [-C cfg] -bP spool_directory).
 * Returns 0 and fills dir, or -1. */
int	mta_spool_dir(const struct mta *, char *dir, size_t len);
/* The value of one Exim option (exim [-C cfg] -bP name) into val.
 * Returns 0, or -1 when Exim cannot be run or does not answer. */
int	mta_option(const struct mta *, const char *name, char *val,
	    size_t len);
/* How Exim would route addr: the stdout of "exim [-C cfg] -bt addr"
 * (exim/route.h parses it) into out.  Returns Exim's exit status (0
 * routed, 1 cannot be resolved now, 2 undeliverable), or -1 when Exim
 * cannot be run or addr is not plan_addr_safe(). */
int	mta_route(const struct mta *, const char *addr, char *out,
	    size_t len);
/* The main log file from log_file_path ("%s" as "main"; an unset value
 * means <spool>/log/mainlog).  -1 for syslog-only or datestamped
 * (%D, %M) names, which mxtop does not follow. */
int	mta_main_log(const struct mta *, const char *spool, char *path,
	    size_t len);

/* Which of the domains doms[0..n) Exim relays for: is[i] gets 1 when
 * "match_domain{dom}{+relay_to_domains}" is true (exim [-C cfg] -be, in
 * batches; Exim's own list matching, lookups and all).  A name with
 * characters an expansion could misread is never a customer.  Returns
 * 0, or -1 when Exim cannot answer (no such list, no Exim). */
int	mta_customers(const struct mta *, const char *const *doms, size_t n,
	    uint8_t *is);

/* ---- Actions and results ---- */

/* Exim's option for the action: "-M", "-Mg", "-Mrm", "-Mf", "-Mt". */
const char	*mta_action_flag(enum plan_act);

enum mta_result {
	MTA_R_PENDING = 0,	/* not finished (yet) */
	MTA_R_DONE,		/* reached the asked state (flush: delivered,
				 * i.e. gone from the spool) */
	MTA_R_DEFERRED,		/* flush: still queued; cls says why */
	MTA_R_FAILED,		/* Exim refused or reported an error */
	MTA_R_GONE,		/* gone or changed (-H inode/mtime) before we
				 * acted: not touched */
	MTA_R_LOCKED,		/* being delivered by Exim right now: not
				 * touched */
	MTA_R_SKIPPED		/* not started: cancelled, stopped, bad id */
};

/* "pending", "done", "deferred", "failed", "gone", "locked", "skipped". */
const char	*mta_result_name(enum mta_result);

/* One message to act on, and (filled in by the job) what came of it. */
struct mta_item {
	char		 id[24];	/* a valid Exim id (SPOOL_ID_MAX + 1) */
	int		 byrcpt;	/* only addrs: exim -Mmd ID ADDR... */
	char		**addrs;	/* the recipients selected (owned by
					 * the job) */
	size_t		 naddrs;
	uint32_t	 h_ino;		/* -H as planned (spool_ino()); 0: no
					 * identity check */
	int64_t		 h_mtime_ns;
	int64_t		 arrival;	/* seconds, 0 unknown */
	uint32_t	 nrcpt;		/* selected pending recipients */
	uint32_t	 nother;	/* the other pending recipients */
	char		 domains[128];	/* selected recipients' domains,
					 * "a.example,b.example", cut with
					 * "..." when long */
	/* Results. */
	enum mta_result	 result;
	int		 cls;		/* enum class_id of a deferral (or of
					 * a failure), 0 none */
	char		 detail[256];	/* Exim's words, or ours; "" none */
	double		 t_start, t_end;	/* units_mono() seconds, 0 unset */
};

/* ---- Building and showing argv ---- */

/* Ids per Exim process for the action under pace (NULL: defaults): 1 for
 * flush (and for each -Mmd), else pace->batch (default MTA_BATCH). */
#define MTA_BATCH	50
struct mta_pace;
size_t	 mta_batch_size(enum plan_act, const struct mta_pace *);

/* The argv that runs the action on ids[0..nids): "exim [-C cfg] -Mf id
 * ...", for flush "exim [-C cfg] -oB 1 -M id" (-oB 1: one message per
 * SMTP connection, so Exim does not pass a working connection on to the
 * rest of the backlog behind the pacing's back).  Returns a
 * NULL-terminated array in one allocation (caller free()s it), or NULL
 * with errno EINVAL if nids is 0 or an id is not a valid Exim id.
 * m->exim NULL gives "exim" (see mta_job_new()). */
char	**mta_argv(const struct mta *, enum plan_act, const char *const *ids,
	    size_t nids);
/* The argv that marks recipients addrs[0..naddrs) of message id done:
 * "exim [-C cfg] -Mmd id addr...".  NULL with errno EINVAL when the id
 * is not valid or an address is not plan_addr_safe(). */
char	**mta_argv_mmd(const struct mta *, const char *id,
	    const char *const *addrs, size_t naddrs);
/* Writes argv as a shell would need it typed (words with anything but
 * [A-Za-z0-9_./:=@%+,-] single-quoted) into buf.  Returns buf. */
char	*mta_argv_str(char *const argv[], char *buf, size_t len);
/* The command line (as mta_argv_str() writes it) of the process a job
 * of batch size bs (mta_batch_size()) starts for plan item i: -Mmd for
 * its recipients, or the batch of whole-message items it begins; ""
 * when item i is inside another item's batch, or skipped.  m->exim NULL
 * gives "exim".  For the plan's dry run and its JSON. */
void	 mta_item_argv_str(const struct mta *m, const struct plan *p,
	    size_t i, size_t bs, char *buf, size_t len);

/* Parses one line an -Mf/-Mt/-Mrm/-Mg process wrote ("Message <id> is now
 * frozen", "Message <id> is locked", ...).  Returns 1 and fills id (at
 * least 24 bytes) and *res when the line reports on one message, else 0
 * ("Continuing, to ensure all files removed", blank lines). */
int	 mta_parse_line(enum plan_act, const char *line, char *id,
	    enum mta_result *res);

/* ---- Pacing: a token bucket ---- */

struct mta_bucket {
	double	 rate;		/* tokens per second; <= 0: unlimited */
	double	 burst;		/* most tokens held, >= 1 */
	double	 tokens;
	double	 last;		/* time of the last refill */
};

/* Starts full (burst tokens) at time now (seconds, any monotonic clock).
 * burst < 1 means 1. */
void	 mta_bucket_init(struct mta_bucket *, double rate, double burst,
	    double now);
/* Takes up to want whole tokens at time now; returns how many (0 to
 * want).  Unlimited buckets always give want. */
int	 mta_bucket_take(struct mta_bucket *, int want, double now);
/* Seconds from now until one token is available (0 if one is). */
double	 mta_bucket_wait(const struct mta_bucket *, double now);
/* Changes the rate at time now, keeping the tokens earned so far. */
void	 mta_bucket_set_rate(struct mta_bucket *, double rate, double now);

/* ---- The job: runs a plan's items, paced, non-blocking ---- */

struct mta_pace {
	double		 rate;		/* messages per second; 0: unlimited */
	double		 burst;		/* token bucket depth; 0: 1 */
	int		 parallel;	/* Exim processes at once; 0: 1 */
	size_t		 batch;		/* ids per -Mf/-Mt/-Mrm/-Mg; 0:
					 * MTA_BATCH */
	int		 adaptive;	/* flush: follow the primary's health
					 * (halve the rate on tarpit, ratelimit
					 * or offline deferrals, recover by
					 * 1/8 per success up to the starting
					 * rate, stop after MTA_ADAPT_STOP
					 * such deferrals in a row); without
					 * a rate it starts at MTA_ADAPT_RATE */
	double		 min_rate;	/* adaptive floor; 0: MTA_ADAPT_MIN */
};

#define MTA_ADAPT_RATE	5.0		/* messages per second */
#define MTA_ADAPT_MIN	0.1
#define MTA_ADAPT_STOP	4

struct mta_progress {
	size_t		 total;		/* items in the job */
	size_t		 finished;	/* items with a result */
	size_t		 running;	/* Exim processes running */
	size_t		 n[MTA_R_SKIPPED + 1];	/* items per result */
	double		 elapsed;	/* seconds since mta_job_new() */
	double		 rate;		/* current pace limit (0: none) */
	double		 throughput;	/* items finished per second so far */
	double		 eta;		/* seconds left, -1 unknown */
	int		 stopping;	/* cancelled or stopped: no new starts */
	const char	*stop_reason;	/* NULL, or why the job stopped early
					 * (valid until mta_job_free()) */
};

/* A change of pace (adaptive), for the closing summary. */
struct mta_rate_point {
	double		 t;		/* seconds since the job started */
	double		 rate;		/* messages per second from then on */
	size_t		 finished;	/* items finished at that time */
};

struct mta_job;				/* opaque */

/* A job carrying out plan p (copied: p may be freed): its items in plan
 * order; those the plan skips are results at once (skipped, with the
 * plan's reason).  spool is the spool directory, used to check each
 * message right before acting (-H still there, same inode and mtime,
 * -D not locked; else gone/locked) and to read results.  pace may be
 * NULL (unlimited, one process).  Ids that are not valid Exim ids end up
 * skipped, never in an argv.  With m->exim NULL, "exim" is used if found
 * in PATH, else "exim4".  Nothing runs until mta_job_step().  Never
 * NULL. */
struct mta_job	*mta_job_new(const struct mta *, const char *spool,
		    const struct plan *p, const struct mta_pace *pace);

/* Starts what the pace allows, reads the children's output, reaps those
 * that finished and records their results; waits at most timeout_ms
 * (0: just poll) for something to happen.  Children run in their own
 * process group (a terminal's Ctrl-C does not reach them) with stdin
 * from /dev/null.  Returns 1 while the job is running, 0 when every item
 * has a result, -1 with errno on a system error (the job can still be
 * cancelled and stepped to its end). */
int	 mta_job_step(struct mta_job *, int timeout_ms);

/* Stops starting new processes; running ones finish normally and items
 * never started become skipped ("cancelled").  Keep calling
 * mta_job_step() until it returns 0.  reason may be NULL. */
void	 mta_job_cancel(struct mta_job *, const char *reason);

void	 mta_job_progress(const struct mta_job *, struct mta_progress *);

/* The next item that got its result since the last call, in the order
 * results came in, or NULL.  Valid until mta_job_free(). */
const struct mta_item *mta_job_reap(struct mta_job *);

/* All items (results so far), in plan order; *n gets the count.  Valid
 * until mta_job_free(). */
const struct mta_item *mta_job_items(const struct mta_job *, size_t *n);

/* The pace over time: points[0] is the starting rate.  Valid until the
 * next mta_job_step(). */
const struct mta_rate_point *mta_job_rates(const struct mta_job *,
		    size_t *n);

/* Kills nothing: call it after mta_job_step() returned 0 (running
 * children would be waited for here).  NULL is a no-op. */
void	 mta_job_free(struct mta_job *);

#endif
