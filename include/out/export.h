/* export.h -- selected messages as files a customer can open: an archive
 * (tar.gz, tar.xz, zip) of messages/<id>.eml, manifest.csv,
 * manifest.json and summary.txt, or one mboxrd file (gzip optional).
 *
 * Read-only, like the rest of mxtop: no lock is taken and nothing in the
 * spool is written.  The output is streamed: memory does not grow with
 * the number or the size of the messages (the manifest goes through a
 * temporary file).  Member names are built only from validated ids and
 * fixed names; their mtimes are the messages' arrival times, their mode
 * 0644.  Only export.c includes <archive.h>. */
#ifndef MXTOP_EXPORT_H
#define MXTOP_EXPORT_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "exim/spool.h"
#include "exim/message.h"

struct stats;
struct diag;
struct select;

enum export_format {
	EXPORT_TGZ,		/* tar, gzip (the default) */
	EXPORT_TXZ,		/* tar, xz */
	EXPORT_ZIP,
	EXPORT_MBOX,		/* mboxrd, the messages only */
	EXPORT_MBOXGZ		/* the same through gzip */
};

/* Parses an --as value: "tar.gz" (or "tgz"), "tar.xz" ("txz"), "zip",
 * "mbox", "mbox.gz".  Returns 0, or -1 if unknown. */
int	export_format_parse(const char *, enum export_format *);
/* The format a file name asks for by its ending (.tar.gz, .tgz,
 * .tar.xz, .txz, .zip, .mbox, .mbox.gz); -1 if it names none. */
int	export_format_guess(const char *path, enum export_format *);
/* "tar.gz", "tar.xz", "zip", "mbox", "mbox.gz". */
const char *export_format_name(enum export_format);
/* The file name the TUI offers: "mxtop-<domain>-<YYYYMMDD>.tar.gz",
 * with "queue" for a NULL domain and any byte outside [A-Za-z0-9.-]
 * of the domain replaced by '_'.  Returns buf. */
char	*export_default_name(char *buf, size_t len, const char *domain,
	    time_t now);

/* ---- The whole export ---- */

/* What happened to one message (the manifest's "state"). */
enum export_state { EXPORT_DONE, EXPORT_GONE, EXPORT_FAILED };

struct export_opts {
	enum export_format format;
	int		 headers_only;	/* .eml files without their bodies */
	int		 manifest_only;	/* manifest and summary only; not for
					 * the mbox formats */
	time_t		 now;		/* export time: ages, summary.txt */
	const char	*spool;		/* the spool directory */
	const char	*selection;	/* the selection as command-line
					 * options (select_to_args()) */
	int64_t		 cutoff;	/* retry cutoff for the diagnosis
					 * text, seconds; 0: Exim's 4 days */
	/* Called after each message, with the count done; may be NULL.
	 * A non-zero return stops the export: export_write() then
	 * returns -1 with errno ECANCELED (err "cancelled"). */
	int		(*progress)(void *arg, size_t done, size_t total);
	/* Called for each message that was not exported (state GONE or
	 * FAILED, why a borrowed one-line reason); may be NULL. */
	void		(*report)(void *arg, const char *id,
			    enum export_state, const char *why);
	void		*arg;
};

struct export_result {
	size_t		 done, gone, failed;
	int64_t		 bytes;		/* of .eml data written */
};

/* Writes the messages snap->msgs[idx[0..n)] to fd (left open) in
 * o->format.  d (the diagnosis beside snap) gives each recipient's state,
 * class and last error; sel is the selection that chose them: when it
 * names recipients (a domain, say), each manifest row lists only those
 * recipients, with a count of the others, so a customer's ticket holds
 * no other customer's addresses.  Rows also carry Subject, Message-ID,
 * From and Date from the live headers, and ISO-8601 UTC times.  st (may
 * be NULL) holds the diagnosis of the domains involved, printed in
 * summary.txt with fmt_diagnose().  A message that left the queue
 * meanwhile is "gone" in the manifest, not an error.  Returns 0 when
 * every message was exported or gone, 1 when some could not be read
 * (each reported), or -1 with err when the output could not be written
 * (the output is then incomplete). */
int	export_write(int fd, const struct spool_snap *snap,
	    const struct diag *d, const struct select *sel, const size_t *idx,
	    size_t n, const struct stats *st, const struct export_opts *o,
	    struct export_result *res, char *err, size_t errlen);

#endif
