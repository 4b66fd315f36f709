/* logline.h -- the one grammar of Exim's log lines.
 *
 * A msglog entry is a main-log line without its flag ("==", "**", ...)
 * and without the message id (exim-spool.md sections 6 and 7), so both
 * readers (logscan.h for the main log, history.h for msglogs) parse with
 * the functions here: the same shapes ("addr R=r T=t defer (N): text",
 * "H=host [ip] text", "addr ... : text", ...) are recognised in one
 * place.  Pure: no allocation, no I/O, never reads outside the line.
 * What a line means for a diagnosis (its class) is the model's business
 * (model/classify.h); only Exim's own "retry time not reached" skips are
 * told apart here, because they are not attempts at all. */
#ifndef MXTOP_EXIM_LOGLINE_H
#define MXTOP_EXIM_LOGLINE_H
#include <stddef.h>
#include <time.h>

/* What a line says. */
enum logline_kind {
	LL_NONE,		/* well-formed, but not an event (queue runs,
				 * arrivals in the main log, ...) */
	LL_RECEIVED,		/* msglog "Received from ..." */
	LL_DEFER,		/* "==": an attempt that deferred */
	LL_SKIP,		/* "==" retry time not reached: no attempt */
	LL_FAIL,		/* "**", msglog "routing failed for": an
				 * attempt that failed for good */
	LL_EXPIRED,		/* "addr: retry timeout exceeded": the end of
				 * the "==" attempt just before; not counted */
	LL_DELIVER,		/* "=>", "->", ">>", msglog "addr: T transport
				 * succeeded": delivered */
	LL_HOSTERR,		/* "H=host [ip] error": per-host detail of an
				 * attempt; not an attempt itself */
	LL_CALLOUT_DEFER,	/* "Could not complete recipient verify
				 * callout", or an ACL "warn" statement skipped
				 * because its condition deferred */
	LL_CALLOUT_REJECT,	/* rejected RCPT: the primary answered 5xx to
				 * the callout */
	LL_CALLOUT_CACHED,	/* rejected RCPT from the callout cache */
	LL_RCPT_REJECT,		/* any other (temporarily) rejected RCPT */
	LL_MISCONFIG,		/* "lowest numbered MX record points to local
				 * host: dom"; the "==" that follows counts */
	LL_FROZEN,		/* "Frozen...", "frozen by ...", "*** Frozen" */
	LL_COMPLETED,		/* "Completed": the message left the queue */
	LL_BOUNCEFAIL,		/* msglog "Process failed (n) when writing
				 * error message to addr" */
	LL_NOTE,		/* msglog: any other entry */
	LL__COUNT
};

/* A byte range of the parsed line (not NUL-terminated); n 0: absent. */
struct logline_span {
	const char	*p;
	size_t		 n;
};

/* One parsed line.  Spans point into the line given. */
struct logline {
	enum logline_kind	 kind;
	struct logline_span	 id;	/* message id; main log only */
	struct logline_span	 addr;	/* recipient, without <> */
	struct logline_span	 host;	/* "name [ip]" (maybe ":port") */
	struct logline_span	 text;	/* the error text, callout detail,
					 * or what follows the flag */
	struct logline_span	 domain;	/* MISCONFIG: the domain */
};

/* Parses an Exim timestamp "YYYY-MM-DD HH:MM:SS[.mmm][ +hhmm]" at the
 * start of s[0..len) into *t: with a zone as given, else in the
 * process's time zone (TZ).  tc (zero it to start; may be NULL) caches
 * the hour, so mktime() runs once per hour of log.  Returns the number
 * of bytes used, 0 if s does not start with a timestamp. */
struct logline_tcache {
	char	 key[14];
	time_t	 base;
};
size_t	logline_stamp(const char *s, size_t len, time_t *t,
	    struct logline_tcache *tc);

/* Parses what follows the timestamp and its blank on a main-log line,
 * s[0..n): an optional "[pid]", an optional message id, then the flag
 * and its fields.  Returns 1 with ll filled for an event, 0 for a
 * well-formed line that is not one, -1 for a broken "=="/"**" line. */
int	logline_main(const char *s, size_t n, struct logline *ll);

/* Parses one msglog entry s[0..n) (after its timestamp, if it had one;
 * no newline, no glued successor).  Always gives a kind (LL_NOTE for
 * anything unknown); stamped tells whether the entry had a timestamp
 * (failure lines always have one). */
void	logline_msglog(const char *s, size_t n, int stamped,
	    struct logline *ll);

/* Where an entry glued after an unterminated "Process failed" msglog
 * entry starts in s[0..n), or NULL (exim-spool.md section 6). */
const char *logline_glued(const char *s, size_t n);
/* Whether s[0..n) starts a "Process failed (" msglog entry. */
int	logline_is_pfail(const char *s, size_t n);

/* Whether an error text is one of Exim's "retry time not reached"
 * skips, which are not delivery attempts. */
int	logline_is_skip(const char *text, size_t len);

/* A short name of a kind ("defer", "callout_defer", ...). */
const char *logline_kind_name(enum logline_kind);
#endif
