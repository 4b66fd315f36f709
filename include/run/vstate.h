/* vstate.h -- the verify state file: what the primaries answered about
 * each queued recipient, kept between runs of mxtop verify and drain.
 *
 * One file per spool, in mxtop's state directory (the audit log's:
 * /var/log/mxtop, else $XDG_STATE_HOME/mxtop or ~/.local/state/mxtop,
 * or the directory of --audit FILE), named verify-<16 hex digits of the
 * SHA-256 of the spool's real path>.tsv.  It is mxtop's own file, never
 * in the spool.  Written whole to a temporary file and renamed over the
 * old one, under a lock (flock of <file>.lock), merging what another
 * mxtop wrote meanwhile (the newer answer wins).  The format is
 * model/verify.h's. */
#ifndef MXTOP_RUN_VSTATE_H
#define MXTOP_RUN_VSTATE_H
#include <stddef.h>
#include <time.h>

struct verify_set;

/* The state file of spool, with the audit log at audit (NULL: the
 * default), into path; create: make the default directory (to write).
 * Returns 0, or -1 with err. */
int	vstate_path(const char *audit, const char *spool, int create,
	    char *path, size_t len, char *err, size_t errlen);
/* Adds the file's records to vs; a missing file is none.  *bad gets
 * the lines that could not be read (may be NULL).  Returns 0, or -1
 * with err when the file exists but cannot be read. */
int	vstate_load(const char *path, struct verify_set *vs, size_t *bad,
	    char *err, size_t errlen);
/* Writes vs (merged with the file's current records) to path, keeping
 * records from keep_since on.  Returns 0, or -1 with err (the old file
 * is then unchanged). */
int	vstate_save(const char *path, const struct verify_set *vs,
	    time_t keep_since, char *err, size_t errlen);
#endif
