/* cmd_callout_priv.h -- what probe, verify and drain (cmd_probe.c,
 * cmd_drain.c) share: the domains of a selection with their queued
 * recipients, each domain's route to its primary, the probe and the
 * verify run.  Private to the app module. */
#ifndef MXTOP_CMD_CALLOUT_PRIV_H
#define MXTOP_CMD_CALLOUT_PRIV_H
#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "app/ctx.h"
#include "exim/route.h"
#include "model/probe.h"
#include "out/fmt_probe.h"
#include "run/callout.h"

struct spool_snap;
struct diag;
struct select;
struct verify_set;

/* One domain's work. */
struct co_dom {
	char		 name[256];
	size_t		 msgs, rcpts;	/* queued: messages, recipients */
	char		**addrs;	/* distinct pending recipients */
	size_t		 naddrs, cap;
	/* The route. */
	struct route	 route;
	int		 have_route;	/* exim -bt answered */
	struct callout_host hosts[ROUTE_HOSTS_MAX];
	size_t		 nhosts;
	const char	*source;	/* "exim -bt", "logs", "--host", NULL */
	char		 error[300];
	/* The probe. */
	struct probe	 probe;
	int		 probed;
	enum probe_class cls;
	char		 why[512];
	time_t		 ptime;
	char		 random[300];
	const char	*samples[100];
	size_t		 nsamples;
	/* The verify run. */
	struct callout_job *job;
	size_t		 fresh;		/* addresses not asked again */
	int		 verified;	/* a run was made */
	int		 stopped;	/* it stopped early */
};

struct co_doms {
	struct co_dom	*v;
	size_t		 n;
};

/* Whether Exim may be asked (exim -bt, -bP): as load.c decides, not
 * when -s named a spool on its own unless --exim-config is given. */
int	co_may_ask_exim(const struct ctx *c);
/* The domains to work on: the named ones (names[0..nnames)), or those
 * of the pending recipients sel selects (customers only when the
 * customers are known; *nother gets the other domains skipped).  Each
 * with its queued recipients that sel selects. */
void	co_collect(const struct spool_snap *snap, const struct diag *d,
	    const struct select *sel, time_t now, char **names,
	    size_t nnames, struct co_doms *out, size_t *nother);
void	co_doms_free(struct co_doms *);
/* The domain's route: --host, else exim -bt (when Exim may be asked),
 * else the hosts of the domain's log lines (port 25). */
void	co_route(const struct ctx *c, const struct diag *d, struct co_dom *dm);
/* How to talk: the EHLO name (--helo, else Exim's primary_hostname,
 * else this machine's name) into helo, the sender, the timeout. */
void	co_cfg(const struct ctx *c, struct callout_cfg *cfg, char *helo,
	    size_t len);
/* Probes dm (dry: only picks the random address and the samples). */
void	co_probe(const struct ctx *c, const struct callout_cfg *cfg,
	    struct co_dom *dm, int dry);
/* dm as fmt_probe.h reports it. */
void	co_fmt_probe(const struct co_dom *dm, struct fmt_probe *p);
void	co_fmt_verify(const struct co_dom *dm, struct fmt_verify *v);
/* --max-verify-age in seconds (default 1h). */
int64_t	co_max_age(const struct ctx *c);
/* The verify state file: its path into path and its records into a new
 * set (*vs); create: the directory is made (to save into it).  Returns
 * 0, or -1 after a message on stderr. */
int	co_state_load(const struct ctx *c, int create, char *path, size_t len,
	    struct verify_set **vs);
/* Verifies dm's addresses without a fresh accepted or rejected answer
 * in vs: paced, with a progress line on a terminal's stderr; results
 * into vs, saved to path now and then and at the end.  *intr set (by a
 * signal) cancels.  Returns 0, or 1 when it stopped early. */
int	co_verify(const struct ctx *c, const struct callout_cfg *cfg,
	    struct co_dom *dm, struct verify_set *vs, const char *path,
	    volatile sig_atomic_t *intr);
#endif
