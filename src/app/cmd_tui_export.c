/* cmd_tui_export.c -- the TUI's e key: an export in a thread of its own,
 * whose counters the loop reads; it borrows the snapshot it was planned
 * on and frees it when a rescan replaced it meanwhile. */
#include "cmd_tui_priv.h"
#include "model/select.h"
#include "base/mem.h"
#include "base/intern.h"
#include "base/text.h"
#include "base/units.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
exp_progress(void *arg, size_t done, size_t total)
{
	struct exp *e = arg;

	(void)total;
	atomic_store(&e->done, e->left + done);
	if (atomic_load(&e->cancel)) {
		atomic_store(&e->killed, 1);
		return 1;
	}
	return 0;
}

static void
exp_report(void *arg, const char *id, enum export_state st, const char *why)
{
	struct exp *e = arg;

	(void)id;
	(void)why;
	if (st == EXPORT_GONE)
		atomic_fetch_add(&e->gone, 1);
	else
		atomic_fetch_add(&e->failed, 1);
}

/* The stats of the domains the exported messages are queued for, with
 * their diagnosis from the scan, for summary.txt. */
static struct stats *
exp_stats(const struct exp *e)
{
	struct select *sel;
	struct stats *st;
	uint8_t *seen;
	size_t nd, i, j;
	char err[256];
	int any = 0;

	nd = e->snap->domains != NULL ? intern_count(e->snap->domains) : 0;
	if (nd == 0)
		return NULL;
	seen = xcalloc(nd, 1);
	sel = select_new();
	for (i = 0; i < e->n; i++) {
		const struct spool_msg *m = &e->snap->msgs[e->idx[i]];

		for (j = 0; j < m->nrcpt; j++) {
			const struct spool_rcpt *r =
			    &e->snap->rcpts[m->rcpt0 + j];

			if (r->state != RCPT_PENDING || r->domain >= nd ||
			    seen[r->domain])
				continue;
			seen[r->domain] = 1;
			/* Exact names: "[192.0.2.1]" is no glob. */
			if (select_add_exact(sel, "domain", intern_str(
			    e->snap->domains, r->domain), err,
			    sizeof(err)) == 0)
				any = 1;
		}
	}
	free(seen);
	st = NULL;
	if (any) {
		st = stats_build(e->snap, sel, e->diag, e->o.now, NULL, 0);
	}
	select_free(sel);
	return st;
}

/* The index in e->snap of each planned id, in the plan's order.  The ids
 * were planned on the snapshot of the key press; a rescan since may have
 * seen some of them leave: those count as gone (e->left). */
static void
exp_find(struct exp *e)
{
	const struct spool_msg *m;
	size_t i;

	e->idx = xcalloc(e->nids ? e->nids : 1, sizeof(*e->idx));
	for (i = 0; i < e->nids; i++) {
		if ((m = spool_find(e->snap, e->ids[i])) != NULL)
			e->idx[e->n++] = (size_t)(m - e->snap->msgs);
		else
			e->left++;
	}
	atomic_store(&e->gone, e->left);
	atomic_store(&e->done, e->left);
}

static void *
exp_thread(void *arg)
{
	struct exp *e = arg;
	struct stats *st;

	exp_find(e);
	st = exp_stats(e);

	e->rc = export_write(e->fd, e->snap, e->diag, e->sel, e->idx, e->n,
	    st, &e->o, &e->res, e->err, sizeof(e->err));
	stats_free(st);
	atomic_store(&e->finished, 1);
	return NULL;
}

void
tui_exp_start(struct tui *t)
{
	const struct view_plan *vp = view_plan(t->v);
	struct exp *e = &t->ex;
	enum export_format fmt;

	if (e->running || t->job != NULL) {
		view_status(t->v, 1, "an action is running (x cancels it)");
		return;
	}
	if (t->snap == NULL || vp->file == NULL || vp->p == NULL ||
	    vp->p->n == 0)
		return;
	if (export_format_guess(vp->file, &fmt) < 0) {
		view_export_again(t->v, "mxtop writes .tar.gz, .tgz, .tar.xz, "
		    ".txz, .zip, .mbox or .mbox.gz");
		return;
	}
	e->fd = open(vp->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (e->fd < 0 && errno == EEXIST) {
		view_export_again(t->v, "that file exists");
		return;
	}
	if (e->fd < 0) {
		view_status(t->v, 1, "export: %s: %s", vp->file,
		    strerror(errno));
		return;
	}
	snprintf(e->path, sizeof(e->path), "%s", vp->file);
	e->snap = t->snap;
	e->diag = t->diag;
	e->own = 0;
	/* The plan's messages, found by the thread in the snapshot. */
	e->nids = vp->p->n;
	e->ids = xcalloc(e->nids, sizeof(*e->ids));
	for (size_t i = 0; i < e->nids; i++)
		memcpy(e->ids[i], vp->p->items[i].id, PLAN_ID_LEN);
	e->sel = select_dup(vp->sel);
	e->idx = NULL;
	e->n = e->left = 0;
	e->selection = xstrdup(vp->args != NULL ? vp->args : "");
	memset(&e->o, 0, sizeof(e->o));
	e->o.format = fmt;
	e->o.now = t->pinned ? t->now : time(NULL);
	e->o.spool = t->c->spool;
	e->o.selection = e->selection;
	e->o.cutoff = t->c->fmt.cutoff;
	e->o.progress = exp_progress;
	e->o.report = exp_report;
	e->o.arg = e;
	atomic_store(&e->finished, 0);
	atomic_store(&e->cancel, 0);
	atomic_store(&e->killed, 0);
	atomic_store(&e->done, 0);
	atomic_store(&e->gone, 0);
	atomic_store(&e->failed, 0);
	e->t0 = units_mono();
	memset(&t->prog, 0, sizeof(t->prog));
	t->prog.running = 1;
	t->prog.verb = "export";
	t->prog.total = e->nids;
	t->prog.eta = -1;
	view_set_progress(t->v, &t->prog);
	e->running = 1;
	if (pthread_create(&e->th, NULL, exp_thread, e) != 0) {
		/* No thread: export here, the screen waits. */
		e->running = 0;
		(void)exp_thread(e);
		e->running = 2;
	}
}

/* Reads the running export's counters; at its end, the result line. */
void
tui_exp_step(struct tui *t)
{
	struct exp *e = &t->ex;
	char unread[64];
	double el;

	if (!e->running)
		return;
	el = units_mono() - e->t0;
	t->prog.done = atomic_load(&e->done);
	t->prog.gone = atomic_load(&e->gone);
	t->prog.failed = atomic_load(&e->failed);
	t->prog.ok = t->prog.done - t->prog.gone - t->prog.failed;
	t->prog.rate = el > 0.5 ? t->prog.done / el : 0;
	t->prog.eta = t->prog.rate > 0 ? (t->prog.total - t->prog.done) /
	    t->prog.rate : -1;
	if (!atomic_load(&e->finished)) {
		view_set_progress(t->v, &t->prog);
		return;
	}
	if (e->running == 1)
		pthread_join(e->th, NULL);
	e->running = 0;
	if (close(e->fd) < 0 && e->rc >= 0 && !atomic_load(&e->killed)) {
		snprintf(e->err, sizeof(e->err), "%s", strerror(errno));
		e->rc = -1;
	}
	t->prog.running = 0;
	if (atomic_load(&e->killed)) {
		unlink(e->path);
		snprintf(t->prog.result, sizeof(t->prog.result), "export "
		    "cancelled after %zu of %zu messages; %.200s deleted",
		    t->prog.done, t->prog.total, e->path);
	} else if (e->rc < 0) {
		unlink(e->path);
		snprintf(t->prog.result, sizeof(t->prog.result), "export to "
		    "%.100s failed: %.100s; the partial file is deleted",
		    e->path, e->err);
	} else {
		unread[0] = '\0';
		if (e->res.failed > 0)
			snprintf(unread, sizeof(unread), ", %zu unreadable",
			    e->res.failed);
		snprintf(t->prog.result, sizeof(t->prog.result), "exported "
		    "%zu message%s to %.150s (%zu gone%.30s)", e->res.done,
		    e->res.done == 1 ? "" : "s", e->path,
		    e->res.gone + e->left, unread);
	}
	view_set_progress(t->v, &t->prog);
	/* The result replaces "cancelling the export". */
	view_status(t->v, 0, "%s", "");
	if (e->own) {
		diag_free(e->diag);
		spool_snap_free(e->snap);
	}
	e->snap = NULL;
	e->diag = NULL;
	select_free(e->sel);
	e->sel = NULL;
	free(e->idx);
	e->idx = NULL;
	free(e->ids);
	e->ids = NULL;
	free(e->selection);
	e->selection = NULL;
}

