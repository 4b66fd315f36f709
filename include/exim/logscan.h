/* logscan.h -- Exim main log (and rotated .gz files) into delivery events. */
#ifndef MXTOP_LOGSCAN_H
#define MXTOP_LOGSCAN_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "exim/logline.h"

/* Longer lines are cut there and counted as unparsable. */
#define LOGSCAN_LINE_MAX	65536

/* One event.  Every string is NUL-terminated, never NULL ("" when absent)
 * and borrowed: valid only during the callback (copy what you keep).
 * Lines without a message id (RCPT time) have id "". */
struct logscan_event {
	time_t			 t;	/* line time (local time unless the line
					 * carries a +hhmm zone) */
	enum logline_kind	 kind;
	const char		*id;
	const char		*addr;	/* recipient, without <> */
	const char		*domain;	/* of addr, lower case */
	const char		*host;	/* "name [ip]" (maybe ":port") */
	const char		*text;	/* error text / callout detail */
	const char		*line;	/* the whole line, linelen bytes */
	size_t			 linelen;
};

/* Working memory of logscan_parse_line(); big, allocate it. */
struct logscan_scratch {
	struct logline_tcache	 tc;
	char			 id[24];
	char			 buf[4 * LOGSCAN_LINE_MAX + 64];
};

/* Parses one main-log line s[0..len) (no newline; need not be
 * NUL-terminated; len <= LOGSCAN_LINE_MAX) with logline_main().  Returns
 * 1 and fills ev (its strings point into sc or s, valid until the next
 * call with sc), 0 for a well-formed line that is not an event (arrivals,
 * queue runs, ...), or -1 for a line that cannot be parsed (no
 * timestamp, broken "=="/"**"). */
int	logscan_parse_line(const char *s, size_t len, struct logscan_event *ev,
	    struct logscan_scratch *sc);

/* What a scan saw so far (summed over every logscan_run()). */
struct logscan_counts {
	uint64_t	 bytes;		/* bytes read (uncompressed) */
	uint64_t	 lines;
	uint64_t	 events;	/* callbacks made */
	uint64_t	 old;		/* lines before the since time */
	uint64_t	 unparsable;	/* includes the too long ones */
	uint64_t	 toolong;	/* lines cut at LOGSCAN_LINE_MAX */
	uint32_t	 files;		/* files opened */
	uint32_t	 gzerrors;	/* corrupt or truncated compressed files */
	uint32_t	 rotations;	/* live log rotations or truncations seen */
};

struct logscan;		/* opaque: files, live offset, counters */

/* A scanner for path: a log file (its rotated siblings "<name>.N",
 * "<name>.N.gz", "<name>-DATE[.gz]" in the same directory are read too) or
 * a directory holding "mainlog" and its rotations.  Opens nothing yet. */
struct logscan	*logscan_new(const char *path);
void		 logscan_free(struct logscan *);	/* NULL is a no-op */

/* Calls cb for every event of lines timed at or after since.  The first
 * run reads the rotated files oldest first (skipping those last written
 * before since; .gz through zlib), then the live log to its end.  Later
 * runs read only what was appended to the live log since, notice a
 * rotation (new inode: the rest of the old file is read first) or a
 * truncation (read from the start).  A partial last line waits for the
 * next run.  A corrupt or truncated .gz keeps the lines read before the
 * damage, is counted in gzerrors and named by logscan_error(); the other
 * files are still read.  Returns 0, or -1 with errno when the path cannot
 * be read at all (then logscan_error() says why). */
int	logscan_run(struct logscan *, time_t since,
	    void (*cb)(const struct logscan_event *, void *), void *arg);

/* Makes every later logscan_run() stop within one buffer (256 KiB) once
 * *cancel is non-zero: it returns -1 with errno ECANCELED, and so does
 * every run after it (the scanner has lost its place: free it).  NULL
 * (the default) never stops. */
void	logscan_set_cancel(struct logscan *, const atomic_int *cancel);

const struct logscan_counts *logscan_counts(const struct logscan *);
/* The first error seen ("mainlog.2.gz: unexpected end of file"), or NULL.
 * Valid until logscan_free(). */
const char	*logscan_error(const struct logscan *);
#endif
