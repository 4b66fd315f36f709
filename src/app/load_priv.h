/* load_priv.h -- what load.c and load_live.c share; not for callers. */
#ifndef MXTOP_LOAD_PRIV_H
#define MXTOP_LOAD_PRIV_H
#include <stdatomic.h>

struct diag;
struct diag_acc;
struct diag_rcpts;
struct intern;
struct spool_snap;

/* The window's evidence from the queued messages' msglogs into acc (all
 * of them unless *cancel, which may be NULL, turns nonzero). */
void	load_from_msglogs(struct diag_acc *acc, const struct spool_snap *snap,
	    const atomic_int *cancel);

/* load_msglogs_since(); with acc (then psnap and prev are NULL: every
 * msglog is read whole) the window's events of each message with a
 * pending recipient go into acc too, from the same read. */
struct diag_rcpts *load_msglogs_pass(const struct spool_snap *snap,
	    const struct spool_snap *psnap, const struct diag *prev,
	    const struct intern *ids, const atomic_int *cancel,
	    struct diag_acc *acc);
#endif
