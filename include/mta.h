/* mta.h -- the only place that starts processes: Exim's own commands.
 *
 * Every command is an argv array run with posix_spawnp(3), never through
 * a shell.  Message ids are checked with spool_id_valid() before they
 * reach an argv. */
#ifndef MXTOP_MTA_H
#define MXTOP_MTA_H
#include <stddef.h>

struct mta {
	const char	*exim;		/* binary; NULL: "exim", then "exim4" */
	const char	*config;	/* passed as -C FILE when not NULL */
};

/* Runs argv (argv[0] searched in PATH) with stdin from /dev/null and
 * stderr discarded, and captures up to outlen - 1 bytes of its stdout
 * into out (NUL-terminated).  Returns the exit status (0-255), or -1
 * with errno if it could not be started or was killed. */
int	mta_capture(char *const argv[], char *out, size_t outlen);

/* Asks Exim for its spool directory (exim [-C cfg] -bP spool_directory).
 * Returns 0 and fills dir, or -1. */
int	mta_spool_dir(const struct mta *, char *dir, size_t len);

#endif
