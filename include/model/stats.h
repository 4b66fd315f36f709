/* stats.h -- per-domain aggregation of a spool snapshot. */
#ifndef MXTOP_STATS_H
#define MXTOP_STATS_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/mem.h"

struct spool_snap;			/* spool.h; used by pointer only */
struct select;				/* select.h */

/* qshape's default age buckets, in minutes: a message of age a minutes
 * falls in the first bucket whose bound is greater than a; the last one
 * holds the rest ("1280+"). */
#define STATS_NBUCKETS	10
extern const int stats_bucket_min[STATS_NBUCKETS - 1];
/* Column names: "5", "10", ... "1280", "1280+". */
extern const char *const stats_bucket_name[STATS_NBUCKETS];

/* What the logs say about a domain over the window (stats_diagnose()).
 * All zero / NULL until then, or without evidence. */
struct stats_evidence {
	time_t		 time;
	int		 cls;		/* enum class_id */
	const char	*host;		/* may be NULL */
	const char	*text;		/* the log text, untrusted bytes */
	uint32_t	 count;		/* times seen; time is the last */
};

#define STATS_NEVIDENCE	8

struct stats_diag {
	int		 cls;		/* dominant recent class, CLASS_NONE if
					 * none: from recent[] */
	uint32_t	 classes[16];	/* attempts + callouts per class */
	uint32_t	 recent[16];	/* the same, but host-level classes
					 * (offline, tarpit, ratelimit) only
					 * since the last success: a primary
					 * that delivers again is not down */
	uint32_t	 samples;	/* their total */
	uint32_t	 attempts;	/* delivery attempts (no skips) */
	double		 tarpit;	/* share in tarpit or ratelimit, 0-1 */
	int		 suspected;	/* tarpit above threshold and sample */
	uint32_t	 callout_deferred, callout_rejected, callout_cached;
	time_t		 last_success;	/* 0: none in the window */
	struct stats_evidence last_error;	/* time 0: none */
	/* Distinct texts, newest first; repeats are counted. */
	struct stats_evidence evidence[STATS_NEVIDENCE];
	uint32_t	 nevidence;
};

struct stats_domain {
	const char	*name;		/* borrowed from the snapshot */
	uint32_t	 domain;	/* number in snap->domains */
	uint32_t	 messages;	/* with a pending recipient here */
	uint32_t	 recipients;	/* pending recipients here */
	uint32_t	 frozen;	/* frozen messages among them */
	uint32_t	 bad;
	uint32_t	 active;
	int64_t		 bytes;		/* sum of those messages' sizes */
	int64_t		 oldest;	/* arrival of the oldest, seconds */
	int64_t		 newest;
	uint32_t	 buckets[STATS_NBUCKETS];
	struct stats_diag diag;
};

struct stats {
	time_t		     now;
	struct stats_domain *domains;	/* one per domain, sorted */
	size_t		     ndomains;
	struct stats_domain  total;	/* every selected message once */
	/* Filled by stats_diagnose(). */
	time_t		     since;	/* start of the evidence window */
	uint64_t	     log_lines, log_unparsable;
	const char	    *log_error;	/* first log problem, or NULL */
	int		     from_msglogs;	/* no main log: msglogs only */
	/* Callout lines that name no recipient, to a primary address no
	 * delivery line (or several domains) shares: no domain's. */
	uint32_t	     lost_deferred, lost_rejected, lost_cached;
	/* private */
	struct arena	     strs;
	size_t		     cap;
};

struct stats_diag_opts {
	const char	*log;		/* main log file or directory, or NULL */
	time_t		 since;		/* evidence window start */
	time_t		 until;		/* and end (a pinned --now), 0: none */
	double		 threshold;	/* tarpit share that is suspect (0.5) */
	uint32_t	 min_samples;	/* and the sample it needs (10) */
	const char	*domain;	/* add this domain even if not queued */
};

/* Fills every domain's diag from the main log's events since o->since:
 * attempts (deferrals, failures, deliveries; never retry-time skips),
 * callouts, the last success, the last error and recent evidence.
 * Callout lines without a recipient (ACL "warn" skipped lines) are given
 * to the domain whose deliveries went to the same host address.  Without
 * a log (o->log NULL or unreadable) the queued messages' msglogs are read
 * instead.  Returns 0, or -1 with err when the log could not be read
 * (the diag then comes from the msglogs). */
int		 stats_diagnose(struct stats *, const struct spool_snap *,
		    const struct stats_diag_opts *, char *err, size_t errlen);
/* The same for a program that diagnoses again and again (the TUI): ls
 * keeps the sums and the log's read position, so each call reads only
 * what the log gained.  The window then starts at the first call's since
 * and grows; it starts afresh once it has grown by its own length, or
 * when o->log changes.  st borrows nothing from ls. */
struct stats_logstate;
struct stats_logstate *stats_logstate_new(void);
void		 stats_logstate_free(struct stats_logstate *);	/* NULL ok */
int		 stats_diagnose_more(struct stats *, const struct spool_snap *,
		    const struct stats_diag_opts *, struct stats_logstate *,
		    char *err, size_t errlen);

/* The tarpit score as text: "87%/46*" when suspected, else "87%/46 "
 * (the blank keeps columns aligned); "- " without samples. */
char		*stats_fmt_tarpit(char *buf, size_t len,
		    const struct stats_diag *);

/* Per message: its last delivery attempt, from its msglog. */
struct stats_msglog {
	int		 cls;		/* enum class_id; 0 if never tried */
	time_t		 time;
	const char	*host;		/* NULL if unknown */
	const char	*text;		/* NULL if never tried */
};
struct stats_msglogs;			/* opaque */
/* Reads the msglog of every message of snap and sets each message's cls
 * (spool.h) to the class of its last failed attempt.  The caller frees
 * the result, which borrows nothing from snap. */
struct stats_msglogs *stats_read_msglogs(struct spool_snap *);
/* The same, for a rescan: prev (may be NULL) was read for snapshot
 * psnap; a message found there has only the bytes its msglog gained
 * since read and parsed. */
struct stats_msglogs *stats_refresh_msglogs(struct spool_snap *,
		    const struct spool_snap *psnap,
		    const struct stats_msglogs *prev);
/* The record of message i of the snapshot. */
const struct stats_msglog *stats_msglog(const struct stats_msglogs *,
		    size_t i);
void		 stats_msglogs_free(struct stats_msglogs *);

enum stats_order { STATS_BY_MSGS, STATS_BY_AGE, STATS_BY_NAME,
	STATS_BY_RCPTS, STATS_BY_BYTES };

/* Aggregates the messages of snap that sel selects (sel may be NULL), as
 * of now.  A message counts for each domain it has a pending recipient
 * in that sel also selects.  Names point into snap, so snap must outlive
 * the result.  The result is sorted by STATS_BY_MSGS. */
struct stats	*stats_build(const struct spool_snap *snap,
		    const struct select *sel, time_t now);
void		 stats_free(struct stats *);	/* NULL is a no-op */
/* Sorts the domains; reverse flips the order. */
void		 stats_sort(struct stats *, enum stats_order, int reverse);
/* Parses "msgs", "age", "name", "rcpts", "bytes"; -1 if unknown. */
int		 stats_order_parse(const char *, enum stats_order *);
/* Index of the bucket for an age in seconds. */
int		 stats_bucket(int64_t age);

#endif
