/* diag.h -- why the mail is stuck: per domain and per recipient.
 *
 * Pure: events in, results out; the caller reads the files (app/).
 * Three parts:
 *   1. an accumulator (struct diag_acc) folds main-log events (logscan.h)
 *      into per-domain sums over a window: class mix, tarpit score,
 *      callouts, the last success and error, recent evidence; and it
 *      remembers which recipients of queued messages were delivered or
 *      failed for good ("=>", "**").  It lives as long as the program
 *      (the TUI feeds it what the log gained at each refresh);
 *   2. per-recipient records (struct diag_rcpts) from the msglogs of one
 *      snapshot: each recipient's last attempt (class, time, host, text)
 *      and outcome; built again for each snapshot, taking over what the
 *      last one read;
 *   3. the result (struct diag), immutable, beside one snapshot: every
 *      recipient's state and class, every domain's diagnosis and whether
 *      it is a customer.  Stats, selections, output and the TUI read it;
 *      nothing here is written into the snapshot.
 * Classes: model/classify.h.  Facts: exim-spool.md sections 6 and 7. */
#ifndef MXTOP_MODEL_DIAG_H
#define MXTOP_MODEL_DIAG_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct spool_snap;			/* exim/spool.h */
struct spool_msg;
struct logscan_event;			/* exim/logscan.h */
struct history;				/* exim/history.h */

/* ---- Per domain ---- */

struct diag_evidence {
	time_t		 time;
	int		 cls;		/* enum class_id */
	const char	*host;		/* may be NULL */
	const char	*text;		/* the log text, untrusted bytes */
	uint32_t	 count;		/* times seen; time is the last */
};

#define DIAG_NEVIDENCE	8

/* What the logs say about one domain over the window. */
struct diag_domain {
	int		 cls;		/* dominant recent class, CLASS_NONE if
					 * none: from recent[] */
	uint32_t	 classes[16];	/* attempts + callouts per class */
	uint32_t	 recent[16];	/* the same, but host-level classes
					 * (offline, tarpit, ratelimit) only
					 * since the last success: a primary
					 * that delivers again is not down */
	uint32_t	 samples;	/* their total */
	uint32_t	 attempts;	/* delivery attempts (no skips) */
	double		 tarpit;	/* share of stalls and timeouts after
					 * the connection (tarpit), 0-1 */
	double		 ratelimit;	/* share rate-limited (421, too
					 * many), 0-1 */
	int		 suspected;	/* tarpit above threshold and sample */
	uint32_t	 callout_deferred, callout_rejected, callout_cached;
	time_t		 last_success;	/* 0: none in the window */
	struct diag_evidence last_error;	/* time 0: none */
	/* Distinct texts, newest first; repeats are counted. */
	struct diag_evidence evidence[DIAG_NEVIDENCE];
	uint32_t	 nevidence;
};

struct diag_opts {
	time_t		 since;		/* evidence window start */
	time_t		 until;		/* and end (a pinned --now), 0: none */
	double		 threshold;	/* tarpit share that is suspect (0.5) */
	uint32_t	 min_samples;	/* and the sample it needs (10) */
};

/* ---- 1. The accumulator ---- */

struct diag_acc;			/* opaque */

struct diag_acc	*diag_acc_new(const struct diag_opts *);
void		 diag_acc_free(struct diag_acc *);	/* NULL is a no-op */
/* Whether the window asked for (o->since) still fits what was read:
 * the TUI starts afresh (a new accumulator) once it has grown by its
 * own length.  now: the current time. */
int		 diag_acc_fits(const struct diag_acc *,
		    const struct diag_opts *o, time_t now);
/* The window's start. */
time_t		 diag_acc_since(const struct diag_acc *);
/* Folds one main-log event in.  snap (may be NULL) is the snapshot the
 * log is read for: outcomes ("=>", "**") are kept only for its messages
 * (and for messages newer than it), so memory follows the queue. */
void		 diag_acc_event(struct diag_acc *, const struct logscan_event *,
		    const struct spool_snap *snap);
/* Without a main log: a queued message's msglog events (those in the
 * window) as evidence instead. */
void		 diag_acc_history(struct diag_acc *, const struct history *);
/* Bytes of evidence text the accumulator holds: a few per domain and
 * primary, however long the log. */
size_t		 diag_acc_bytes(const struct diag_acc *);
/* What reading the log said, for the diagnosis header. */
void		 diag_acc_logstats(struct diag_acc *, uint64_t lines,
		    uint64_t unparsable, const char *error, int no_log);

/* ---- 2. Per recipient, from msglogs ---- */

/* A recipient's own record, as diag_rcpt_last() fills it in (held
 * packed: 13 bytes a recipient).  Strings owned by its diag_rcpts. */
struct diag_rcpt {
	uint8_t		 outcome;	/* DIAG_PENDING (none seen),
					 * DIAG_DELIVERED or DIAG_FAILED */
	uint8_t		 cls;		/* enum class_id of its last attempt
					 * that did not deliver, CLASS_NONE */
	uint8_t		 skipped;	/* Exim skipped it: its domain's hosts
					 * were past their retry time */
	time_t		 time;		/* of that attempt */
	const char	*host, *text;	/* of that attempt, or NULL */
};

struct diag_rcpts;			/* opaque */

/* Records for every recipient of snap.  With prev (read for psnap; both
 * may be NULL), a message found there by id starts from its old records,
 * and diag_rcpts_offset() says where its msglog was read up to. */
struct diag_rcpts *diag_rcpts_new(const struct spool_snap *snap,
		    const struct spool_snap *psnap,
		    const struct diag_rcpts *prev);
void		 diag_rcpts_free(struct diag_rcpts *);	/* NULL is a no-op */
/* Where to start reading message i's msglog (0 for a new message). */
uint64_t	 diag_rcpts_offset(const struct diag_rcpts *, size_t i);
/* Folds message i's msglog events h (read from diag_rcpts_offset() on)
 * into its recipients' records; upto: where the next read starts. */
void		 diag_rcpts_feed(struct diag_rcpts *, size_t i,
		    const struct history *h, uint64_t upto);

/* ---- 3. The result ---- */

/* A recipient's state (DESIGN.md, "Customers, recipients"). */
enum diag_state {
	DIAG_PENDING,		/* still to be delivered */
	DIAG_DELIVERED,		/* a "=>" line (or msglog "succeeded") */
	DIAG_FAILED,		/* a "**" line: bounced or given up */
	DIAG_DONE		/* Exim marked it done; no log says how */
};

struct diag;				/* opaque, immutable */

/* Which domains are customers: the caller's answer for each domain of
 * snap (dom: its number in snap->domains), or NULL when unknown (then
 * every domain counts as a customer and nothing is backscatter). */
struct diag_customers {
	const uint8_t	*is;		/* is[dom]: 1 customer, 0 not */
	size_t		 n;
};

/* The result for snap: the accumulator's per-domain figures (copied),
 * the recipients' records from rcpts (may be NULL: no msglogs read;
 * taken over: diag_free() frees it) and the outcomes the accumulator
 * kept.  A pending recipient Exim only skipped (retry time not reached
 * for its domain) takes its domain's class.  A pending recipient at a
 * non-customer domain of a bounce (sender <>) that is frozen or has
 * failed attempts gets class backscatter.  Borrows nothing but snap,
 * which must outlive it.  acc may be NULL (no diagnosis). */
struct diag	*diag_result(const struct diag_acc *acc,
		    const struct spool_snap *snap,
		    const struct diag_rcpts *rcpts,
		    const struct diag_customers *cust);
void		 diag_free(struct diag *);	/* NULL is a no-op */
/* The recipients' records the result holds (for the next snapshot's
 * diag_rcpts_new()), or NULL. */
const struct diag_rcpts *diag_rcpts_of(const struct diag *);

/* Recipient r (an index into snap->rcpts): its state, its class
 * (CLASS_NONE unknown) and its last error: buf filled in, or NULL for
 * none. */
enum diag_state	 diag_rcpt_state(const struct diag *, size_t r);
int		 diag_rcpt_class(const struct diag *, size_t r);
const struct diag_rcpt *diag_rcpt_last(const struct diag *, size_t r,
		    struct diag_rcpt *buf);
/* Domain name's diagnosis, or NULL when the window holds no evidence
 * for it.  Valid until diag_free(). */
const struct diag_domain *diag_domain(const struct diag *, const char *name);
/* Whether domain number dom of the snapshot is a customer (1 when the
 * customers are unknown). */
int		 diag_customer(const struct diag *, uint32_t dom);
/* Whether customers are known at all (a list was given or asked). */
int		 diag_customers_known(const struct diag *);
/* Domains with evidence in the window: n names (for domains that have
 * callouts but nothing queued).  Valid until diag_free(). */
const char	*diag_domain_name(const struct diag *, size_t i);
size_t		 diag_ndomains(const struct diag *);

/* What the logs were, for headers. */
struct diag_info {
	time_t		 since;		/* start of the evidence window */
	uint64_t	 log_lines, log_unparsable;
	const char	*log_error;	/* first log problem, or NULL */
	int		 from_msglogs;	/* no main log: msglogs only */
	uint64_t	 log_events;	/* its lines in the window */
	int		 log_names_queued;	/* one of them names a message
					 * that is queued */
	/* Callout lines that name no recipient, to a primary address no
	 * delivery line (or several domains) shares: no domain's. */
	uint32_t	 lost_deferred, lost_rejected, lost_cached;
};
const struct diag_info *diag_info(const struct diag *);

/* The tarpit score as text: "87%/46!" when suspected, else "87%/46 "
 * (the blank keeps columns aligned); "- " without samples. */
char		*diag_fmt_tarpit(char *buf, size_t len,
		    const struct diag_domain *);
#endif
