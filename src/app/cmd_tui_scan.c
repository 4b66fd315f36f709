/* cmd_tui_scan.c -- the TUI's scans, off the UI thread: the first one
 * hands over a partial snapshot of a big spool, then the whole one
 * before its logs are read; each finished scan is taken over here,
 * and the snapshot it replaces freed or left to an export reading it. */
#include "cmd_tui_priv.h"
#include "app/load.h"
#include "base/mem.h"
#include "exim/spool.h"
#include "model/diag.h"
#include "model/stats.h"
#include "model/select.h"
#include "tui/view.h"
#include "base/units.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* In the scan thread: the oldest messages of a big spool, read first,
 * go to the loop at once for a first (partial) screen. */
static void
on_partial(void *arg, struct spool_snap *part)
{
	struct scan *sc = arg;
	ssize_t n;

	sc->psnap = part;
	sc->pdiag = diag_result(NULL, part, NULL, NULL);
	do
		n = write(sc->fd[1], "p", 1);
	while (n < 0 && errno == EINTR);
}

#define PARTIAL_N	10000	/* messages in a first, partial screen */

/* In the scan thread: the first scan's whole snapshot, read, goes to the
 * loop (its totals; the classes come with the logs). */
static void
on_spool(void *arg, const struct spool_snap *snap)
{
	struct scan *sc = arg;
	ssize_t n;

	/* The first scan's, on its thread, of a spool big enough for its
	 * logs to take a while. */
	if (!sc->want_partial || snap->nmsgs <= PARTIAL_N)
		return;
	sc->fsnap = snap;
	sc->fdiag = diag_result(NULL, snap, NULL, NULL);
	do
		n = write(sc->fd[1], "f", 1);
	while (n < 0 && errno == EINTR);
}

/* In the scan thread: the first scan reads the whole spool (handing the
 * first directories' messages over first), every later one refreshes
 * the last snapshot, reading only what changed (load_live_scan()). */
void
tui_scan_do(struct scan *sc)
{
	struct spool_scan_opts so = { .threads = sc->c->threads,
	    .done = &sc->done, .total = &sc->total,
	    .partial = sc->want_partial ? on_partial : NULL,
	    .partial_n = PARTIAL_N, .arg = sc, .cancel = &sc->quit };
	double t0 = units_mono();
	char warn[512];

	sc->err[0] = '\0';
	sc->snap = NULL;
	sc->diag = NULL;
	sc->failed = 0;
	if (sc->live == NULL) {
		sc->live = load_live_new(sc->log);
		load_live_on_spool(sc->live, on_spool, sc);
	}
	if (load_live_scan(sc->live, sc->c, &sc->o, sc->now, sc->prev_snap,
	    sc->prev_diag, &so, &sc->snap, &sc->diag, sc->err,
	    sizeof(sc->err), warn, sizeof(warn)) < 0)
		sc->failed = 1;
	else if (warn[0] != '\0')
		snprintf(sc->err, sizeof(sc->err), "%.500s", warn);
	sc->secs = units_mono() - t0;
}

static void *
scan_thread(void *arg)
{
	struct scan *sc = arg;
	ssize_t n;

	tui_scan_do(sc);
	do
		n = write(sc->fd[1], "", 1);
	while (n < 0 && errno == EINTR);
	return NULL;
}

void
tui_scan_prepare(struct tui *t)
{
	struct scan *sc = &t->sc;

	if (!t->pinned)
		t->now = time(NULL);
	sc->c = t->c;
	sc->now = t->now;
	load_diag_opts(t->c, &sc->o);
	/* The window moves with the clock: keep its length. */
	sc->o.since = t->now - (t->c->now - t->c->since);
	sc->o.until = t->pinned ? t->now : 0;
	/* Neither is freed before this scan is done. */
	sc->prev_snap = t->snap;
	sc->prev_diag = t->diag;
}

void
tui_scan_start(struct tui *t)
{
	if (t->sc.busy) {
		t->again = 1;
		return;
	}
	tui_scan_prepare(t);
	atomic_store(&t->sc.done, 0);
	atomic_store(&t->sc.total, 0);
	t->sc.busy = 1;
	t->info.scanning = 1;
	t->info.scan_done = t->info.scan_total = 0;
	view_set_info(t->v, &t->info);
	/* Only the first scan shows a partial screen. */
	t->sc.want_partial = t->snap == NULL;
	if (pthread_create(&t->sc.th, NULL, scan_thread, &t->sc) != 0) {
		/* No thread: scan here, the screen waits. */
		t->sc.busy = 0;
		t->sc.want_partial = 0;
		tui_scan_do(&t->sc);
		t->sc.busy = 2;
	}
}

/* Stats of the current filter from the current snapshot, to the view:
 * the same diagnosis, whatever the filter. */
void
tui_rebuild(struct tui *t)
{
	struct stats *old = t->st;

	t->st = NULL;
	if (t->snap != NULL)
		t->st = stats_build(t->snap, view_select(t->v), t->diag,
		    t->now, NULL, select_only(view_select(t->v), "domain"));
	view_set_data(t->v, t->snap, t->st, t->now);
	stats_free(old);
}

/* Shows the partial snapshot of a first scan until the whole one is in;
 * a later one (or one that comes too late) is dropped. */
static void
take_partial(struct tui *t)
{
	struct scan *sc = &t->sc;

	if (sc->psnap == NULL)
		return;
	if (t->snap == NULL) {
		t->snap = sc->psnap;
		t->diag = sc->pdiag;
		t->info.partial = 1;
		tui_rebuild(t);
		view_set_info(t->v, &t->info);
	} else {
		diag_free(sc->pdiag);
		spool_snap_free(sc->psnap);
	}
	sc->psnap = NULL;
	sc->pdiag = NULL;
}

/* Frees a diagnosis a running export may still read: later, once it
 * no longer does. */
static void
retire_diag(struct tui *t, struct diag *d)
{
	if (d == NULL)
		return;
	if (t->ex.running && t->ex.diag == d && !t->ex.own) {
		diag_free(t->sc.retired);	/* an older one, not in use */
		t->sc.retired = d;
	} else
		diag_free(d);
}

/* The snapshot and diagnosis shown until now, replaced by others: freed,
 * or handed to a running export that reads them. */
static void
drop_shown(struct tui *t, struct spool_snap *osnap, struct diag *odiag)
{
	struct scan *sc = &t->sc;

	if (t->ex.running && t->ex.snap == osnap && !t->ex.own) {
		/* The export frees them, with the diagnosis it reads. */
		t->ex.own = 1;
		if (sc->retired == t->ex.diag)
			sc->retired = NULL;
		if (odiag != t->ex.diag)
			diag_free(odiag);
	} else {
		diag_free(odiag);
		spool_snap_free(osnap);
	}
}

/* The first scan's whole snapshot, before its logs are read: its totals
 * shown at once (no classes yet); it replaces the partial one. */
static void
take_full(struct tui *t)
{
	struct scan *sc = &t->sc;
	struct spool_snap *osnap = t->snap;
	struct diag *odiag = t->diag;

	if (sc->fsnap == NULL)
		return;
	if (t->snap == NULL || t->info.partial) {
		t->snap = (struct spool_snap *)sc->fsnap;
		t->diag = sc->fdiag;
		t->info.partial = 0;
		t->info.undiagnosed = 1;
		tui_rebuild(t);
		view_set_info(t->v, &t->info);
		if (osnap != NULL)
			drop_shown(t, osnap, odiag);
	} else
		diag_free(sc->fdiag);
	sc->fsnap = NULL;
	sc->fdiag = NULL;
}

/* Takes the finished scan over: a new snapshot with its diagnosis, a new
 * diagnosis of the same snapshot (also the first scan's, whose snapshot
 * take_full() showed), or nothing new (the clock moved). */
void
tui_scan_done(struct tui *t)
{
	struct scan *sc = &t->sc;
	struct spool_snap *osnap = t->snap;
	struct diag *odiag = t->diag;

	if (sc->busy == 1)
		pthread_join(sc->th, NULL);
	sc->busy = 0;
	t->info.scanning = 0;
	if (sc->retired != NULL && !(t->ex.running &&
	    t->ex.diag == sc->retired)) {
		diag_free(sc->retired);
		sc->retired = NULL;
	}
	if (sc->failed) {
		view_status(t->v, 1, "scan failed: %s", sc->err);
		/* Cancelled after the spool was read: unless shown. */
		if (sc->snap != NULL && sc->snap != t->snap)
			spool_snap_free(sc->snap);
	} else {
		t->info.partial = 0;
		t->info.undiagnosed = 0;
		if (sc->snap != NULL) {
			t->snap = sc->snap;
			t->diag = sc->diag;
		} else if (sc->diag != NULL)
			t->diag = sc->diag;
		t->now = sc->now;
		t->info.scan_time = t->pinned ? t->now : time(NULL);
		t->info.scan_secs = sc->secs;
		tui_rebuild(t);
		if (sc->snap != NULL && sc->snap != osnap)
			drop_shown(t, osnap, odiag);
		else if (sc->diag != NULL)
			retire_diag(t, odiag);
		if (sc->err[0] != '\0')
			view_status(t->v, 1, "%s", sc->err);
		/* What could not be read, marked in the header. */
		if (t->snap != NULL && t->diag != NULL)
			(void)load_problems(t->snap, t->diag, sc->log,
			    t->warnbuf, sizeof(t->warnbuf));
		t->info.warn = t->warnbuf;
	}
	sc->snap = NULL;
	sc->diag = NULL;
	view_set_info(t->v, &t->info);
	t->due = units_mono() + (t->c->delay > 0 ? t->c->delay : 5);
	if (t->again) {
		t->again = 0;
		tui_scan_start(t);
	}
}

void
tui_scan_report(struct tui *t, char b)
{
	if (b == 'p')
		take_partial(t);
	else if (b == 'f')
		take_full(t);
	else
		tui_scan_done(t);
}

void
tui_scan_stop(struct tui *t)
{
	/* A scan still reading stops within a few hundred messages. */
	atomic_store(&t->sc.quit, 1);
	if (t->sc.busy == 1)
		pthread_join(t->sc.th, NULL);
	/* A scan that ended after the last look: nobody takes it now. */
	if (t->sc.busy != 0) {
		if (t->sc.pdiag != t->sc.diag)
			diag_free(t->sc.pdiag);
		if (t->sc.psnap != t->sc.snap)
			spool_snap_free(t->sc.psnap);
		diag_free(t->sc.diag);
		diag_free(t->sc.fdiag);
		/* Unless take_full() showed it already. */
		if (t->sc.snap != t->snap)
			spool_snap_free(t->sc.snap);
		t->sc.snap = t->sc.psnap = NULL;
		t->sc.diag = t->sc.pdiag = t->sc.fdiag = NULL;
		t->sc.fsnap = NULL;
		t->sc.busy = 0;
	}
}
