/* history.h -- a message's msglog/<id> as a list of delivery events,
 * parsed with the one grammar of logline.h. */
#ifndef MXTOP_HISTORY_H
#define MXTOP_HISTORY_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "exim/logline.h"
#include "base/mem.h"

/* One msglog entry.  Strings are NUL-terminated, owned by the history and
 * valid until history_done(); the pointers stay valid when more events are
 * added. */
struct history_event {
	time_t			 time;	/* 0: the entry had no timestamp */
	enum logline_kind	 kind;	/* LL_RECEIVED, LL_DEFER, LL_SKIP,
					 * LL_FAIL, LL_EXPIRED, LL_DELIVER,
					 * LL_HOSTERR, LL_FROZEN,
					 * LL_BOUNCEFAIL or LL_NOTE */
	const char		*addr;	/* recipient, or NULL */
	const char		*host;	/* "name [ip]" (own or taken from a
					 * neighbouring per-host line), or
					 * NULL */
	const char		*text;	/* the error text / message part (a
					 * suffix of line), never NULL */
	const char		*line;	/* the whole entry minus timestamp */
};

/* The parsed msglog of one message, grown by history_feed(). */
struct history {
	struct history_event	*ev;	/* ev[0..n) in file order */
	size_t			 n, cap;
	uint64_t		 fed;	/* bytes of the file consumed so far */
	uint32_t		 attempts;	/* DEFER + FAIL + DELIVERED */
	int			 frozen;	/* last freeze not followed by a
						 * later attempt */
	int			 read_err;	/* errno of the last
						 * history_read() that failed,
						 * else 0 */
	/* Private to history.c. */
	struct arena		 strings;
	char			*tail;	/* bytes after the last newline */
	size_t			 tlen, tcap;
	size_t			 ncommit;	/* events from complete lines */
	uint32_t		 acommit;
	int			 fcommit;
};

void	history_init(struct history *);
void	history_done(struct history *);	/* frees everything; re-init to reuse */

/* Appends the next len bytes of the msglog (those after h->fed) and parses
 * every complete entry.  A trailing entry without newline (Exim writes the
 * "Process failed" line without one, and a file may be caught mid-write) is
 * parsed provisionally: it is in ev[] now and is re-parsed when more bytes
 * come, so feeding a file in any number of pieces gives the same events as
 * feeding it whole.  Never fails. */
void	history_feed(struct history *, const char *buf, size_t len);

/* Parses a whole msglog buffer: history_init() plus history_feed(). */
void	history_parse(struct history *, const char *buf, size_t len);

/* The name of a msglog event's kind as show and the TUI print it (and
 * show --format json writes it: a contract): "received", "defer",
 * "fail", "delivered", "skip", "timeout", "host", "frozen",
 * "bouncefail", "note". */
const char	*history_kind_name(enum logline_kind);

/* True when e counts as a delivery attempt (DEFER, FAIL, DELIVERED). */
int	history_is_attempt(const struct history_event *e);

/* Reads new bytes of <spool>/msglog/<id> (or msglog/<id[5]>/<id> in a
 * split spool) from h->fed on, without locks, and feeds them.  A file that
 * shrank is re-read from the start.  Returns the number of new bytes, 0 if
 * none, or -1 with errno (ENOENT is normal: the message completed or
 * message_logs is off; EINVAL: bad id, or not a regular file; ELOOP: a
 * symlink, which is never followed). */
long	history_read(struct history *, const char *spool, const char *id);
/* The same for a message whose -H is in input/<sub>/ (sub '\0': in
 * input/): that layout is tried first. */
long	history_read_in(struct history *, const char *spool, const char *id,
	    char sub);
#endif
