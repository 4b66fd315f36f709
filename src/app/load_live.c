/* load_live.c -- the TUI's scans, one after another (load.h): each
 * refresh reads only what changed in the spool, the main log from where
 * the last one stopped, and the msglogs the log or the spool says
 * changed. */
#include "app/load.h"
#include "load_priv.h"
#include "app/ctx.h"
#include "exim/logscan.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/intern.h"
#include "base/units.h"
#include "model/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct load_live {
	struct spool_watch	*watch;
	struct diag_acc		*acc;	/* the main log's sums */
	struct logscan		*ls;	/* and where it was read up to */
	const char		*log;
	void			(*on_spool)(void *, const struct spool_snap *);
	void			*on_spool_arg;
	/* Without a main log: when every msglog was last read (monotonic
	 * seconds) and what that took. */
	double			 ml_at, ml_cost;
};

/* Without a main log the classes come from every msglog: read again
 * only once ML_PACE times what the last pass took has gone by, so that
 * a big queue's passes take a tenth of the time at most; in between,
 * only new and rewritten messages' msglogs are read. */
#define ML_PACE	10

void
load_live_on_spool(struct load_live *lv,
    void (*fn)(void *arg, const struct spool_snap *snap), void *arg)
{
	lv->on_spool = fn;
	lv->on_spool_arg = arg;
}

struct load_live *
load_live_new(const char *log)
{
	struct load_live *lv = xcalloc(1, sizeof(*lv));

	lv->watch = spool_watch_new();
	lv->log = log;
	return lv;
}

void
load_live_free(struct load_live *lv)
{
	if (lv == NULL)
		return;
	spool_watch_free(lv->watch);
	diag_acc_free(lv->acc);
	logscan_free(lv->ls);
	free(lv);
}

struct idfeed {
	struct diag_acc		*acc;
	const struct spool_snap	*snap;
	struct intern		*ids;
	size_t			 n;
};

static void
on_event_id(const struct logscan_event *ev, void *arg)
{
	struct idfeed *f = arg;

	diag_acc_event(f->acc, ev, f->snap);
	if (ev->id != NULL && ev->id[0] != '\0')
		(void)intern_add(f->ids, ev->id, strlen(ev->id));
	f->n++;
}

/* load_log(), also collecting the ids the new lines name; returns the
 * number of events read, -1 with err, -2 when cancelled (lv->ls is
 * then spent). */
static long
log_ids(struct load_live *lv, const struct spool_snap *snap,
    struct intern *ids, const atomic_int *cancel, char *err, size_t errlen)
{
	const struct logscan_counts *cnt;
	struct idfeed f = { lv->acc, snap, ids, 0 };
	int rc = 0;

	if (logscan_run(lv->ls, diag_acc_since(lv->acc), on_event_id,
	    &f) < 0) {
		if (errno == ECANCELED)
			return -2;
		snprintf(err, errlen, "cannot read log: %s",
		    logscan_error(lv->ls) ? logscan_error(lv->ls) :
		    strerror(errno));
		rc = -1;
	}
	cnt = logscan_counts(lv->ls);
	diag_acc_logstats(lv->acc, cnt->lines, cnt->unparsable,
	    logscan_error(lv->ls), rc < 0);
	if (rc < 0)
		load_from_msglogs(lv->acc, snap, cancel);
	return rc < 0 ? -1 : (long)f.n;
}

/* A scan stopped by its cancel flag: the sums may be part-fed, so the
 * next scan starts afresh.  Returns -1. */
static int
cancelled(struct load_live *lv, char *err, size_t errlen)
{
	diag_acc_free(lv->acc);
	lv->acc = NULL;
	logscan_free(lv->ls);
	lv->ls = NULL;
	snprintf(err, errlen, "cancelled");
	return -1;
}

/* Whether snapshots a and b number the same domains the same way. */
static int
same_domains(const struct spool_snap *a, const struct spool_snap *b)
{
	uint32_t n = intern_count(a->domains), k;

	if (n != intern_count(b->domains))
		return 0;
	for (k = 0; k < n; k++)
		if (strcmp(intern_str(a->domains, k),
		    intern_str(b->domains, k)) != 0)
			return 0;
	return 1;
}

int
load_live_scan(struct load_live *lv, const struct ctx *c,
    const struct diag_opts *o, time_t now, const struct spool_snap *prev,
    const struct diag *prevd, const struct spool_scan_opts *so,
    struct spool_snap **snap, struct diag **diag, char *err, size_t errlen,
    char *warn, size_t warnlen)
{
	struct spool_scan_opts sopt = *so;
	const struct spool_snap *cur;
	struct diag_customers cu;
	struct diag_rcpts *dr;
	struct intern *ids;
	uint8_t *is = NULL;
	int changed, fresh = 0, rc;
	long gained = 0;
	double t0;
	uint32_t k, n;

	*snap = NULL;
	*diag = NULL;
	warn[0] = '\0';
	sopt.watch = lv->watch;
	if (prev == NULL) {
		if ((*snap = load_spool(c, &sopt, err, errlen)) == NULL)
			return -1;
		if (lv->on_spool != NULL)
			lv->on_spool(lv->on_spool_arg, *snap);
		changed = 1;
	} else if ((rc = spool_refresh(prev, &sopt, snap, err, errlen)) < 0)
		return -1;
	else
		changed = rc;
	cur = *snap != NULL ? *snap : prev;
	/* The main log, from where the last scan stopped; afresh once the
	 * window has slid by its own length. */
	/* Without a main log every msglog is read again, afresh, at the
	 * pace of ML_PACE. */
	t0 = units_mono();
	if (lv->acc != NULL && (!diag_acc_fits(lv->acc, o, now) ||
	    (lv->log == NULL && t0 - lv->ml_at >= ML_PACE * lv->ml_cost))) {
		diag_acc_free(lv->acc);
		lv->acc = NULL;
		logscan_free(lv->ls);
		lv->ls = NULL;
	}
	if (lv->acc == NULL) {
		lv->acc = diag_acc_new(o);
		lv->ls = lv->log != NULL ? logscan_new(lv->log) : NULL;
		fresh = 1;
	}
	ids = intern_new();
	if (lv->ls != NULL) {
		logscan_set_cancel(lv->ls, so->cancel);
		gained = log_ids(lv, cur, ids, so->cancel, warn, warnlen);
		if (gained == -1)
			snprintf(warn + strlen(warn), warnlen - strlen(warn),
			    " (diagnosis from the msglogs)");
	} else if (fresh) {
		/* No log: every msglog, read once below for both. */
		diag_acc_logstats(lv->acc, 0, 0, NULL, 1);
		gained = -1;
	}			/* else only the new and rewritten ones */
	if (so->cancel != NULL && atomic_load(so->cancel)) {
		intern_free(ids);
		return cancelled(lv, err, errlen);
	}
	if (!changed && !fresh && gained == 0 && prevd != NULL) {
		intern_free(ids);
		return 0;		/* nothing at all changed */
	}
	/* Each recipient's last attempt: the msglogs of new and rewritten
	 * messages and of those the log named, each from where the last
	 * scan stopped. */
	if (lv->ls == NULL && fresh) {
		dr = load_msglogs_pass(cur, NULL, NULL, NULL, so->cancel, lv->acc);
		lv->ml_at = units_mono();
		lv->ml_cost = lv->ml_at - t0;
	} else
		dr = load_msglogs_since(cur, prevd != NULL ? prev : NULL,
		    prevd, gained >= 0 && prevd != NULL ? ids : NULL,
		    so->cancel);
	intern_free(ids);
	if (so->cancel != NULL && atomic_load(so->cancel)) {
		/* Some msglogs unread: no diagnosis from them. */
		diag_rcpts_free(dr);
		return cancelled(lv, err, errlen);
	}
	/* The customers, asked again only when the domains changed. */
	if (prevd != NULL && (cur == prev || same_domains(cur, prev))) {
		n = intern_count(cur->domains);
		if (diag_customers_known(prevd)) {
			is = xcalloc(n + 1, 1);
			for (k = 0; k < n; k++)
				is[k] = (uint8_t)diag_customer(prevd, k);
		}
		cu.is = is;
		cu.n = n;
	} else
		(void)load_customers(c, cur, &cu);
	*diag = diag_result(lv->acc, cur, dr, cu.is != NULL ? &cu : NULL);
	free((void *)cu.is);
	return 0;
}
