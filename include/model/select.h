/* select.h -- the one filter language, for the command line and the TUI.
 *
 * A selection is a list of terms.  Terms of the same key are ORed, terms
 * of different keys ANDed.  Keys: domain, sender, rcpt (a glob, or a
 * POSIX extended regex after '~'; case-insensitive), older, younger (a
 * duration), frozen (yes/no), id (an exact message id), bad (yes/no).
 * Command line: --domain D, --sender S, --rcpt R, --older-than T,
 * --younger-than T, --frozen, --id ID.  TUI words: "domain:D",
 * "sender:~re", "rcpt:R", "age>2h", "age<15m", "frozen", "id:ID". */
#ifndef MXTOP_SELECT_H
#define MXTOP_SELECT_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct spool_snap;
struct spool_msg;
struct select;				/* opaque */

struct select	*select_new(void);
void		 select_free(struct select *);	/* NULL is a no-op */

/* Adds one term.  key is one of the keys above; value as the user typed
 * it.  Returns 0, or -1 with a one-line reason in err. */
int	select_add(struct select *, const char *key, const char *value,
	    char *err, size_t errlen);
/* Parses TUI words ("domain:*.example age>2h frozen") into terms.
 * Returns 0, or -1 with err (the selection is then unchanged). */
int	select_parse_words(struct select *, const char *words, char *err,
	    size_t errlen);
/* Whether any term was given; whether a term of key was. */
int	select_empty(const struct select *);
int	select_has(const struct select *, const char *key);

/* Whether message m of snap matches at time now.  A message matches the
 * domain and rcpt terms through its pending recipients. */
int	select_msg(const struct select *, const struct spool_snap *,
	    const struct spool_msg *m, time_t now);
/* Whether a domain name passes the domain terms (true without any). */
int	select_domain(const struct select *, const char *domain);
/* Whether pending recipient address addr in domain passes the domain and
 * rcpt terms: which of a message's recipients a selection is about. */
int	select_rcpt(const struct select *, const char *addr,
	    const char *domain);

/* Writes the equivalent command-line options ("--domain 'x' --frozen")
 * into buf, shell-quoted.  Returns buf. */
char	*select_to_args(const struct select *, char *buf, size_t len);

#endif
