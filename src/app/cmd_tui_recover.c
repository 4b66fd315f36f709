/* cmd_tui_recover.c -- the TUI's p (probe a domain's primary now) and R
 * (the Recover screen: mxtop drain on a screen).  Steps, driven from
 * the loop without blocking it: the probe in a thread (it blocks up to
 * its timeouts), the verify job, the plan and its confirmation, the
 * removal job, the paced adaptive flush job.  Cancel at any step leaves
 * everything consistent: a probe runs out, a verify QUITs its sessions
 * and saves what it learnt, a running Exim finishes and is logged. */
#include "app/cmd.h"
#include "app/load.h"
#include "cmd_tui_priv.h"
#include "cmd_callout_priv.h"
#include "model/select.h"
#include "model/verify.h"
#include "out/fmt_probe.h"
#include "run/audit.h"
#include "run/vstate.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum rphase { R_PROBE, R_VERIFY, R_PLAN, R_REMOVE, R_FLUSH, R_DONE };

#define RLINES	64

struct recover {
	const struct ctx	*c;		/* read by the probe thread */
	enum rphase		 ph;
	int			 probe_only, cancelled;
	char			 domain[256];
	struct co_doms		 doms;		/* the one domain */
	struct callout_cfg	 cfg;
	char			 helo[256];
	pthread_t		 th;
	atomic_int		 thdone;
	int			 thread;	/* started, not joined */
	struct verify_set	*vs, *ok;
	char			 path[4200];
	double			 saved;
	struct select		*sel;
	struct plan_drain	*pd;
	char			*plan[RLINES];	/* the plan's lines */
	size_t			 nplan;
	struct mta_job		*job;
	const char		*jobname;
	struct audit		*au;
	char			 l_probe[700], l_verify[512], l_remove[512],
				 l_flush[512], l_end[512];
};

static void
r_free(struct recover *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	mta_job_free(r->job);
	audit_close(r->au);
	plan_drain_free(r->pd);
	for (i = 0; i < r->nplan; i++)
		free(r->plan[i]);
	select_free(r->sel);
	co_doms_free(&r->doms);
	verify_set_free(r->ok);
	verify_set_free(r->vs);
	free(r);
}

static void *
probe_thread(void *arg)
{
	struct recover	*r = arg;
	struct co_dom	*dm = &r->doms.v[0];

	co_probe(r->c, &r->cfg, dm, 0);
	atomic_store(&r->thdone, 1);
	return NULL;
}

/* The screen, from the state. */
static void
show(struct tui *t)
{
	struct recover	*r = t->rec;
	char		 title[400];
	size_t		 i;

	if (r == NULL || r->probe_only)
		return;
	snprintf(title, sizeof(title), "Recover %s", r->domain);
	view_recover_clear(t->v, title);
	view_recover_line(t->v, VIEW_ST_SECTION, 2, r->l_probe);
	if (r->l_verify[0] != '\0')
		view_recover_line(t->v, VIEW_ST_NORMAL, 2, r->l_verify);
	for (i = 0; i < r->nplan; i++)
		view_recover_line(t->v, i == 0 ? VIEW_ST_SECTION :
		    VIEW_ST_NORMAL, 4, r->plan[i]);
	if (r->ph == R_PLAN)
		view_recover_line(t->v, VIEW_ST_PROMPT, 2, "y: remove what "
		    "the primary rejected and flush the rest, paced; q: back "
		    "(nothing is done)");
	if (r->l_remove[0] != '\0')
		view_recover_line(t->v, VIEW_ST_NORMAL, 2, r->l_remove);
	if (r->l_flush[0] != '\0')
		view_recover_line(t->v, VIEW_ST_NORMAL, 2, r->l_flush);
	if (r->l_end[0] != '\0')
		view_recover_line(t->v, VIEW_ST_SECTION, 2, r->l_end);
	view_recover_state(t->v, r->ph == R_PLAN, r->ph != R_DONE &&
	    r->ph != R_PLAN);
}

static void
plan_line(void *arg, int style, int indent, const char *text)
{
	struct recover	*r = arg;

	(void)style;
	(void)indent;
	if (r->nplan < RLINES)
		r->plan[r->nplan++] = xstrdup(text);
}

/* The end: the line pre and what, then a rescan. */
static void
done(struct tui *t, const char *pre, const char *what)
{
	snprintf(t->rec->l_end, sizeof(t->rec->l_end), "%s%.400s", pre, what);
	t->rec->ph = R_DONE;
	t->due = 0;		/* rescan: the queue may have changed */
}

void
tui_recover_start(struct tui *t, int probe_only)
{
	const char	*d = view_probe_domain(t->v);
	char		*names[1], err[256];
	struct recover	*r;
	size_t		 nother;

	if (d == NULL || t->snap == NULL)
		return;
	if (t->rec != NULL && t->rec->ph != R_DONE) {
		if (!probe_only && strcmp(t->rec->domain, d) == 0)
			show(t);
		else
			view_status(t->v, 1, "busy with %s: x on its Recover "
			    "screen cancels", t->rec->domain);
		return;
	}
	r_free(t->rec);
	t->rec = r = xcalloc(1, sizeof(*r));
	r->probe_only = probe_only;
	r->c = t->c;
	snprintf(r->domain, sizeof(r->domain), "%s", d);
	r->sel = select_new();
	(void)select_add_exact(r->sel, "domain", r->domain, err, sizeof(err));
	names[0] = r->domain;
	co_collect(t->snap, t->diag, r->sel, t->now, names, 1, &r->doms,
	    &nother);
	co_route(t->c, t->diag, &r->doms.v[0]);
	co_cfg(t->c, &r->cfg, r->helo, sizeof(r->helo));
	/* Its default sample; the ctx is the thread's to read. */
	snprintf(r->l_probe, sizeof(r->l_probe), "probe: asking %s port %d",
	    r->doms.v[0].nhosts > 0 ? r->doms.v[0].hosts[0].addr : "?",
	    r->doms.v[0].nhosts > 0 ? r->doms.v[0].hosts[0].port : 0);
	r->ph = R_PROBE;
	if (pthread_create(&r->th, NULL, probe_thread, r) != 0) {
		done(t, "", "probe: cannot start a thread");
		show(t);
		return;
	}
	r->thread = 1;
	show(t);
}

/* The probe is in: its verdict, and the verify run when it is ok. */
static void
after_probe(struct tui *t)
{
	struct recover		*r = t->rec;
	struct co_dom		*dm = &r->doms.v[0];
	struct fmt_probe	 fp;
	struct callout_pace	 pace;
	const char		**ask;
	char			 v[600];
	size_t			 i, n = 0;
	enum verify_res		 res;

	pthread_join(r->th, NULL);
	r->thread = 0;
	co_fmt_probe(dm, &fp);
	fmt_probe_verdict(v, sizeof(v), &fp);
	if (dm->probed)
		view_set_probe(t->v, r->domain, probe_class_name(dm->cls),
		    time(NULL));
	snprintf(r->l_probe, sizeof(r->l_probe), "probe: %s", v);
	if (r->probe_only) {
		view_status(t->v, dm->cls != PROBE_OK, "probe %s: %s",
		    r->domain, v);
		r->ph = R_DONE;
		return;
	}
	if (r->cancelled || dm->cls != PROBE_OK) {
		done(t, "not drained: ", r->cancelled ? "cancelled" :
		    probe_advice(dm->cls));
		return;
	}
	if (co_state_load(t->c, 1, r->path, sizeof(r->path), &r->vs) < 0) {
		done(t, "", "verify: the state file cannot be read");
		return;
	}
	ask = xcalloc(dm->naddrs + 1, sizeof(*ask));
	for (i = 0; i < dm->naddrs; i++) {
		res = verify_set_result(r->vs, dm->addrs[i], t->now,
		    co_max_age(t->c));
		if (res == VERIFY_ACCEPTED || res == VERIFY_REJECTED)
			dm->fresh++;
		else
			ask[n++] = dm->addrs[i];
	}
	memset(&pace, 0, sizeof(pace));
	pace.rate = t->c->rate > 0 ? t->c->rate : 5;
	pace.parallel = t->c->parallel;
	pace.batch = t->c->batch > 0 ? (size_t)t->c->batch : 0;
	dm->job = callout_job_new(&r->cfg, dm->hosts, dm->nhosts, ask, n,
	    &pace);
	dm->verified = 1;
	free(ask);
	r->saved = units_mono();
	r->ph = R_VERIFY;
}

static void
save(struct tui *t)
{
	char	 err[512];

	if (vstate_save(t->rec->path, t->rec->vs, time(NULL) - 7 * 86400,
	    err, sizeof(err)) < 0)
		view_status(t->v, 1, "saving verify results: %s", err);
	t->rec->saved = units_mono();
}

/* Of the answers, what drain may act on (cmd_drain.c's rule, for one
 * domain): all of them, or after an early stop only the rejections. */
static void
make_plan(struct tui *t)
{
	struct recover		*r = t->rec;
	struct co_dom		*dm = &r->doms.v[0];
	const struct verify_rec	*v;
	size_t			 i;

	r->ok = verify_set_new();
	for (i = 0; i < verify_set_count(r->vs); i++) {
		v = verify_set_at(r->vs, i);
		if (dm->stopped && v->res != VERIFY_REJECTED)
			continue;
		verify_set_put(r->ok, v->addr, v->time, v->res, v->code,
		    v->reply);
	}
	select_bind_verify(r->sel, r->ok, t->now, co_max_age(t->c));
	r->pd = plan_drain_new(t->snap, t->diag, r->sel, t->now,
	    t->c->bounce_rejected, t->c->max);
	fmt_drain_lines(r->pd, t->now, t->c->bounce_rejected, plan_line, r);
	if (plan_nacted(r->pd->remove) + plan_nacted(r->pd->flush) == 0) {
		done(t, "", "nothing to remove or flush");
		return;
	}
	r->ph = R_PLAN;
}

static void
verify_step(struct tui *t)
{
	struct recover			*r = t->rec;
	struct co_dom			*dm = &r->doms.v[0];
	const struct callout_result	*x;
	struct callout_progress		 pr;
	int				 rc;

	/* A little wait: the loop wakes every 0.1s, replies come faster. */
	rc = callout_job_step(dm->job, 30);
	while ((x = callout_job_reap(dm->job)) != NULL)
		verify_set_put(r->vs, x->addr, x->time, x->res, x->code,
		    x->reply);
	callout_job_progress(dm->job, &pr);
	fmt_verify_progress(r->l_verify, sizeof(r->l_verify), r->domain, &pr);
	if (units_mono() - r->saved >= 5)
		save(t);
	if (rc != 0)
		return;
	save(t);
	dm->stopped = pr.stop_reason != NULL;
	if (pr.stop_reason != NULL) {
		size_t l = strlen(r->l_verify);

		snprintf(r->l_verify + l, sizeof(r->l_verify) - l,
		    "; stopped: %s", pr.stop_reason);
	}
	if (r->cancelled) {
		done(t, "", "cancelled: the answers so far are kept; "
		    "nothing removed or flushed");
		return;
	}
	make_plan(t);
}

void
tui_recover_go(struct tui *t)
{
	struct recover	*r = t->rec;
	struct mta_pace	 pace;
	char		 err[512];

	if (r == NULL || r->ph != R_PLAN)
		return;
	if (t->c->dry_run) {
		done(t, "", "dry run: nothing removed or flushed (--dry-run)");
		show(t);
		return;
	}
	if (load_check_spool(t->c, err, sizeof(err)) < 0) {
		done(t, "not started: ", err);
		show(t);
		return;
	}
	if ((r->au = audit_open(t->c->audit, err, sizeof(err))) == NULL) {
		done(t, "not started: ", err);
		show(t);
		return;
	}
	memset(&pace, 0, sizeof(pace));
	pace.parallel = t->c->parallel;
	r->jobname = t->c->bounce_rejected ? "drain-bounce" : "drain-delete";
	r->job = mta_job_new(&t->c->mta, t->c->spool, r->pd->remove, &pace);
	r->ph = R_REMOVE;
	show(t);
}

/* Steps the removal or the flush job; returns 1 when it ended. */
static int
job_step(struct tui *t, char *line, size_t len)
{
	struct recover		*r = t->rec;
	const struct plan	*p = r->ph == R_REMOVE ? r->pd->remove :
				    r->pd->flush;
	const struct mta_item	*it, *items;
	const struct verify_rec	*v;
	struct mta_progress	 pr;
	char			 rep[1024], sel[1100];
	size_t			 n, k, o;
	int			 rc;

	rc = mta_job_step(r->job, 0);
	snprintf(sel, sizeof(sel), "tui recover --domain %s", r->domain);
	while ((it = mta_job_reap(r->job)) != NULL) {
		items = mta_job_items(r->job, &n);
		rep[0] = '\0';
		for (k = o = 0; r->ph == R_REMOVE && k < p->items[it -
		    items].nsel && o + 1 < sizeof(rep); k++) {
			const char *a = p->addrs[p->items[it - items].addr0 + k];

			v = verify_set_get(r->vs, a);
			o += (size_t)snprintf(rep + o, sizeof(rep) - o, "%s%s: %s",
			    k ? "; " : "", a, v != NULL ? v->reply : "?");
		}
		(void)audit_write_kv(r->au, time(NULL), r->jobname, it, sel,
		    r->ph == R_REMOVE ? "reply" : NULL, rep);
	}
	mta_job_progress(r->job, &pr);
	snprintf(line, len, "%s: %zu/%zu  done %zu  deferred %zu  failed %zu  "
	    "gone %zu  %.2f/s%s%s", r->jobname, pr.finished, pr.total,
	    pr.n[MTA_R_DONE], pr.n[MTA_R_DEFERRED], pr.n[MTA_R_FAILED],
	    pr.n[MTA_R_GONE] + pr.n[MTA_R_LOCKED], pr.throughput,
	    pr.stop_reason != NULL ? "; stopped: " : "",
	    pr.stop_reason != NULL ? pr.stop_reason : "");
	return rc == 0;
}

/* After the removal: the flush of the same plan.  A message whose
 * rejected recipients -Mmd marked done has a new -H (our change, not
 * Exim's): it is flushed without the identity check. */
static void
start_flush(struct tui *t)
{
	struct recover		*r = t->rec;
	struct plan		*fl = r->pd->flush;
	const struct plan	*rm = r->pd->remove;
	struct mta_pace		 pace;
	size_t			 i, k;

	for (i = 0; i < fl->n; i++)
		for (k = 0; k < rm->n; k++)
			if (rm->items[k].how == PLAN_RCPTS &&
			    strcmp(rm->items[k].id, fl->items[i].id) == 0) {
				fl->items[i].h_ino = 0;
				fl->items[i].h_mtime_ns = 0;
			}
	memset(&pace, 0, sizeof(pace));
	pace.rate = t->c->rate;
	pace.parallel = t->c->parallel;
	pace.adaptive = 1;
	r->jobname = "drain-flush";
	r->job = mta_job_new(&t->c->mta, t->c->spool, fl, &pace);
	r->ph = R_FLUSH;
}

void
tui_recover_step(struct tui *t)
{
	struct recover	*r = t->rec;

	if (r == NULL || r->ph == R_DONE || r->ph == R_PLAN)
		return;
	switch (r->ph) {
	case R_PROBE:
		if (!atomic_load(&r->thdone))
			return;
		after_probe(t);
		break;
	case R_VERIFY:
		verify_step(t);
		break;
	case R_REMOVE:
		if (!job_step(t, r->l_remove, sizeof(r->l_remove)))
			break;
		mta_job_free(r->job);
		r->job = NULL;
		if (r->cancelled || plan_nacted(r->pd->flush) == 0)
			done(t, "", r->cancelled ? "cancelled after the "
			    "removals that ran; no flush" : "done");
		else
			start_flush(t);
		break;
	case R_FLUSH:
		if (!job_step(t, r->l_flush, sizeof(r->l_flush)))
			break;
		mta_job_free(r->job);
		r->job = NULL;
		done(t, "", r->cancelled ? "cancelled: the flush stopped; "
		    "what was not started stays queued" : "done");
		break;
	default:
		break;
	}
	show(t);
}

int
tui_recover_busy(const struct tui *t)
{
	return t->rec != NULL && t->rec->ph != R_DONE && t->rec->ph != R_PLAN;
}

void
tui_recover_cancel(struct tui *t)
{
	struct recover	*r = t->rec;

	if (r == NULL || r->ph == R_DONE)
		return;
	r->cancelled = 1;
	if (r->ph == R_PLAN)
		done(t, "", "cancelled: nothing removed or flushed");
	else if (r->ph == R_VERIFY)
		callout_job_cancel(r->doms.v[0].job, "cancelled from the TUI");
	else if (r->job != NULL)
		mta_job_cancel(r->job, "cancelled from the TUI");
	view_status(t->v, 0, "cancelling the recovery of %s", r->domain);
	show(t);
}

void
tui_recover_stop(struct tui *t)
{
	if (t->rec == NULL)
		return;
	tui_recover_cancel(t);
	while (tui_recover_busy(t)) {
		struct timespec ts = { 0, 20000000 };

		tui_recover_step(t);
		nanosleep(&ts, NULL);
	}
	if (t->rec->thread)
		pthread_join(t->rec->th, NULL);
	r_free(t->rec);
	t->rec = NULL;
}
