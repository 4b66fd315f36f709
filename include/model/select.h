/* select.h -- the one filter language, for the command line and the TUI.
 *
 * A selection is a list of terms.  Terms of the same key are ORed, terms
 * of different keys ANDed.  Keys: domain, sender, rcpt (a glob, or a
 * POSIX extended regex after '~'; case-insensitive), older, younger (a
 * duration), frozen (yes/no), id (an exact message id), bad (yes/no),
 * class (a diagnosis class), customer (yes/no), match (a word found,
 * ignoring case, in a recipient address or the sender), verified
 * (rejected, accepted, deferred or unknown: what the primary answered
 * when mxtop verify asked, see select_bind_verify()).  domain, rcpt,
 * class, customer, match and verified are about recipients: a message
 * matches them through a
 * pending recipient that matches them all, and those are the recipients
 * an action on the selection touches.  Command line: --domain D,
 * --sender S, --rcpt R, --older-than T, --younger-than T, --frozen, --id
 * ID, --class C, --customer[=no], --verified R.  TUI words: "domain:D",
 * "sender:~re", "rcpt:R", "age>2h", "age<15m", "frozen", "id:ID",
 * "class:C", "customer:no", "verified:rejected", and a bare word for
 * match. */
#ifndef MXTOP_SELECT_H
#define MXTOP_SELECT_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct spool_snap;
struct spool_msg;
struct diag;
struct verify_set;			/* model/verify.h */
struct select;				/* opaque */

struct select	*select_new(void);
void		 select_free(struct select *);	/* NULL is a no-op */

/* Adds one term.  key is one of the keys above; value as the user typed
 * it.  Returns 0, or -1 with a one-line reason in err. */
int	select_add(struct select *, const char *key, const char *value,
	    char *err, size_t errlen);
/* Adds a term that matches value exactly (a domain such as
 * "[192.0.2.1]" or "~x.example" is not read as a pattern). */
int	select_add_exact(struct select *, const char *key, const char *value,
	    char *err, size_t errlen);
/* The verify results the verified terms read (borrowed: vs must
 * outlive s; NULL: every recipient is unknown), as of now, results
 * older than max_age seconds reading unknown (<= 0: no limit).
 * select_dup() copies the binding. */
void	select_bind_verify(struct select *, const struct verify_set *vs,
	    time_t now, int64_t max_age);
/* A copy of s (NULL: an empty selection); select_free() it. */
struct select	*select_dup(const struct select *s);
/* Parses TUI words ("domain:*.example age>2h frozen") into terms.
 * Returns 0, or -1 with err (the selection is then unchanged). */
int	select_parse_words(struct select *, const char *words, char *err,
	    size_t errlen);
/* Whether any term was given; whether a term of key was. */
int	select_empty(const struct select *);
int	select_has(const struct select *, const char *key);
/* Whether every term is of key (or there is none). */
int	select_only(const struct select *, const char *key);

/* Whether message m of snap matches at time now; d (may be NULL) is the
 * diagnosis beside snap, for the class and customer terms. */
int	select_msg(const struct select *, const struct spool_snap *,
	    const struct diag *d, const struct spool_msg *m, time_t now);
/* Whether a domain name passes the domain terms (true without any). */
int	select_domain(const struct select *, const char *domain);
/* Whether recipient r (an index into snap->rcpts) of message m passes
 * the recipient terms (domain, rcpt, class, customer, match): which of a
 * message's pending recipients a selection is about. */
int	select_rcpt(const struct select *, const struct spool_snap *,
	    const struct diag *d, const struct spool_msg *m, size_t r);
/* Of message m's pending recipients the selection is about, the one with
 * the newest classified attempt (an index into snap->rcpts), or SIZE_MAX:
 * where a message row's class and last error come from. */
size_t	select_last(const struct select *, const struct spool_snap *,
	    const struct diag *d, const struct spool_msg *m);
/* Whether the selection has recipient terms at all. */
int	select_by_rcpt(const struct select *);

/* Writes the equivalent command-line options ("--domain 'x' --frozen")
 * into buf, shell-quoted.  Returns buf. */
char	*select_to_args(const struct select *, char *buf, size_t len);

#endif
