/* load.h -- the wiring between Exim's files and the model, for every
 * command and the TUI's scan thread alike: the spool snapshot, the main
 * log (or the msglogs) into the diagnosis accumulator, each message's
 * msglog into per-recipient records, the customers; then the result.
 * Errors go back as text (err); nothing here prints. */
#ifndef MXTOP_APP_LOAD_H
#define MXTOP_APP_LOAD_H
#include <stdatomic.h>
#include <stddef.h>

#include "model/diag.h"

struct ctx;
struct logscan;
struct spool_snap;
struct spool_scan_opts;

/* Finds the spool when -s did not name one: $MXTOP_SPOOL, what Exim
 * says (exim -bP spool_directory), /var/spool/exim4, /var/spool/exim;
 * sets c->spool (buf may hold it).  Returns 0, or -1 after one error line
 * on stderr. */
int		 load_find_spool(struct ctx *c, char *buf, size_t len);

/* The main log: -l; else what Exim's log_file_path names (asked only
 * when the spool was not given with -s or MXTOP_SPOOL, or with
 * --exim-config); else the spool's own log/ (Exim's default place);
 * else Debian's /var/log/exim4/mainlog.  buf may hold the answer.  NULL
 * when there is none: the diagnosis then reads the msglogs. */
const char	*load_log_path(const struct ctx *c, char *buf, size_t len);

/* The diagnosis options of the command line. */
void		 load_diag_opts(const struct ctx *c, struct diag_opts *o);

/* Scans c's spool (so may be NULL); NULL with err when it cannot be
 * read. */
struct spool_snap *load_spool(const struct ctx *c,
		    const struct spool_scan_opts *so, char *err, size_t errlen);

/* Reads what the main log gained since ls last stopped into acc, for
 * snapshot snap; with ls NULL (no log), the window's events of snap's
 * msglogs instead.  Returns 0, or -1 with err when the log could not be
 * read (then the msglogs were used too). */
int		 load_log(struct diag_acc *acc, struct logscan *ls,
		    const struct spool_snap *snap, char *err, size_t errlen);

/* Reads every message's msglog into records for snap, each from where
 * the previous snapshot's (psnap, with result prev; both may be NULL)
 * stopped. */
struct diag_rcpts *load_msglogs(const struct spool_snap *snap,
		    const struct spool_snap *psnap, const struct diag *prev);

/* Which of snap's domains are customers: --customers, else Exim's own
 * relay_to_domains (asked only when Exim may be asked, as for the log).
 * Fills out (out->is allocated, caller frees) and returns 0; -1 when
 * nobody can say (out->is NULL): every domain then counts as one. */
int		 load_customers(const struct ctx *c,
		    const struct spool_snap *snap, struct diag_customers *out);

/* Before an action: the Exim that will act must own the spool shown
 * (exim [-C cfg] -bP spool_directory names the same directory).
 * Returns 0, or -1 with a one-line reason and fix in err. */
int		 load_check_spool(const struct ctx *c, char *err,
		    size_t errlen);

/* The customer domains by name, into set: --customers (plain names of
 * the list or file), else Exim's relay_to_domains (its plain names and
 * the keys of its lsearch files; other lookups cannot be listed).
 * Returns 0, or -1 with err. */
struct intern;
int		 load_customer_names(const struct ctx *c, struct intern *set,
		    char *err, size_t errlen);

/* For a one-shot command: the diagnosis of snap (the main log over the
 * window, the msglogs when msglogs is set or there is no log, the
 * customers).  A problem reading the log is one warning on stderr.
 * Never NULL. */
struct diag	*load_diag(const struct ctx *c, const struct spool_snap *snap,
		    int msglogs);

/* What could not be read, or looks wrong, for snap's diagnosis d read
 * from log (NULL: none found): the msglog directory, the main log (its
 * first problem), no main log at all, a log with no line in the window,
 * a log that names none of the queued messages (probably another
 * relay's).  Each as one sentence; they are joined with "; " into buf
 * (len bytes, "" when all is well).  Returns how many. */
int		 load_problems(const struct spool_snap *snap,
		    const struct diag *d, const char *log, char *buf,
		    size_t len);

/* ---- The TUI's scans, one after another ---- */

/* What the TUI keeps from one scan to the next: the spool's watch, the
 * main log's sums and where it was read up to.  log: the main log (NULL:
 * none, the msglogs only).  Owned by the thread that scans. */
struct load_live;
struct load_live *load_live_new(const char *log);
void		 load_live_free(struct load_live *);	/* NULL: no-op */
/* fn(arg, snap) is called by a full scan (prev NULL) with the whole
 * snapshot as soon as the spool is read, before the logs: the snapshot
 * *snap will be, which the caller may read (not free) from then on. */
void		 load_live_on_spool(struct load_live *,
		    void (*fn)(void *arg, const struct spool_snap *snap),
		    void *arg);

/* One look at the spool and the logs: a full scan when prev is NULL,
 * else a refresh from prev (prevd its diagnosis; both untouched, must
 * outlive the call).  o: the diagnosis window as of now; so: scan
 * options.  Sets *snap to the new snapshot (NULL: prev still stands)
 * and *diag to the new diagnosis (NULL: nothing changed at all, prevd
 * still stands).  Only the msglogs of new or rewritten messages and of
 * messages the main log named since are read.  Returns 0 (a log problem
 * in warn), or -1 with err when the spool cannot be read, or when
 * so->cancel turned nonzero (spool_scan() and the msglogs stop early;
 * err "cancelled", *diag NULL, and *snap may hold the new snapshot, the
 * caller's to free). */
int		 load_live_scan(struct load_live *, const struct ctx *c,
		    const struct diag_opts *o, time_t now,
		    const struct spool_snap *prev, const struct diag *prevd,
		    const struct spool_scan_opts *so, struct spool_snap **snap,
		    struct diag **diag, char *err, size_t errlen, char *warn,
		    size_t warnlen);

/* load_msglogs(), but with ids (may be NULL: all) only the msglogs of
 * messages new since psnap, rewritten since, or named in ids; stops
 * early once cancel (may be NULL) turns nonzero. */
struct diag_rcpts *load_msglogs_since(const struct spool_snap *snap,
		    const struct spool_snap *psnap, const struct diag *prev,
		    const struct intern *ids, const atomic_int *cancel);
#endif
