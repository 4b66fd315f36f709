/* cmd_drain.c -- drain: probe the primary, verify what has no fresh
 * answer, remove what the primary rejected (5xx), flush the rest paced
 * and adaptive, report; through the one plan (model/plan.h), the mta
 * job and the audit log like the other actions. */
#include "app/cmd.h"
#include "app/load.h"
#include "cmd_callout_priv.h"
#include "model/diag.h"
#include "model/plan.h"
#include "model/select.h"
#include "model/verify.h"
#include "exim/spool.h"
#include "out/fmt_probe.h"
#include "run/audit.h"
#include "run/mta.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void
on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
print_line(void *arg, int style, int indent, const char *text)
{
	(void)style;
	(void)indent;
	fprintf(arg, "%s\n", text);
}

/* Keeps of vs what drain may act on: the answers for the domains whose
 * probe said ok; of a domain whose verify stopped early only the
 * rejections (5xx are final; flushing into trouble is not). */
static struct verify_set *
actionable(const struct co_doms *doms, const struct verify_set *vs)
{
	struct verify_set	*out = verify_set_new();
	const struct verify_rec	*r;
	const char		*dom;
	size_t			 i, k, dl;

	for (i = 0; i < verify_set_count(vs); i++) {
		r = verify_set_at(vs, i);
		dom = text_addr_domain(r->addr, strlen(r->addr), &dl);
		for (k = 0; k < doms->n; k++) {
			const struct co_dom *dm = &doms->v[k];

			if (strlen(dm->name) != dl ||
			    strncasecmp(dm->name, dom, dl) != 0)
				continue;
			if (dm->cls != PROBE_OK && dm->probed)
				break;
			if (dm->stopped && r->res != VERIFY_REJECTED)
				break;
			verify_set_put(out, r->addr, r->time, r->res, r->code,
			    r->reply);
			break;
		}
	}
	return out;
}

struct argvs {
	const struct ctx	*c;
	const struct plan	*p;
};

/* What a dry run prints for plan item i, as the job runs it (flush:
 * one message a command). */
static void
item_argv(void *arg, size_t i, char *buf, size_t len)
{
	const struct argvs *av = arg;

	mta_item_argv_str(&av->c->mta, av->p, i,
	    mta_batch_size(av->p->act, NULL), buf, len);
}

static void
dry_run(const struct ctx *c, const struct plan_drain *pd)
{
	struct argvs	 ra = { c, pd->remove }, fa = { c, pd->flush };
	char		 buf[16384];
	size_t		 i;

	if (c->fmt.kind == FMT_JSON) {
		fmt_drain_json(stdout, pd, item_argv, &ra, &fa);
		return;
	}
	printf("dry run: would run the removals first, then the flush (one "
	    "process per message, paced):\n");
	for (i = 0; i < pd->remove->n; i++) {
		item_argv(&ra, i, buf, sizeof(buf));
		if (buf[0] != '\0')
			printf("  %s\n", buf);
	}
	for (i = 0; i < pd->flush->n; i++) {
		item_argv(&fa, i, buf, sizeof(buf));
		if (buf[0] != '\0')
			printf("  %s\n", buf);
	}
}

/* The primary's replies to the item's recipients, for the audit log. */
static void
replies(const struct verify_set *vs, const struct mta_item *it,
    const struct plan *p, size_t pi, char *buf, size_t len)
{
	const struct plan_item	*pit = &p->items[pi];
	const struct verify_rec	*r;
	size_t			 k, o = 0;

	(void)it;
	buf[0] = '\0';
	for (k = 0; k < pit->nsel && o + 1 < len; k++) {
		r = verify_set_get(vs, p->addrs[pit->addr0 + k]);
		o += (size_t)snprintf(buf + o, len - o, "%s%s: %s", k ? "; " :
		    "", p->addrs[pit->addr0 + k], r != NULL ? r->reply : "?");
	}
}

static int
confirm(size_t n)
{
	char	 line[64], want[32];

	snprintf(want, sizeof(want), "%zu", n);
	if (n > PLAN_CONFIRM_FEW)
		fprintf(stderr, "Type %s to drain %zu messages, anything else "
		    "to stop: ", want, n);
	else
		fprintf(stderr, "drain %zu message%s? [y/N] ", n, n == 1 ? "" :
		    "s");
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	if (n <= PLAN_CONFIRM_FEW)
		return strcmp(line, "y") == 0 || strcmp(line, "yes") == 0;
	return strcmp(line, want) == 0;
}

static void
report(const struct ctx *c, const char *act, const struct mta_item *it,
    double t0)
{
	char	 d[300];

	if (c->fmt.kind == FMT_JSON) {
		fputs("{\"id\":", stdout);
		fmt_json_str(stdout, it->id, strlen(it->id));
		printf(",\"action\":\"%s\",\"result\":\"%s\",\"detail\":", act,
		    mta_result_name(it->result));
		fmt_json_str(stdout, it->detail, strlen(it->detail));
		/* When its Exim started, on the job's clock (pacing). */
		printf(",\"started\":%.4f}\n", it->t_start > 0 ?
		    it->t_start - t0 : 0);
		return;
	}
	text_sanitize(d, sizeof(d), it->detail, strlen(it->detail));
	printf("%-23s %-12s %-8s %s\n", it->id, act,
	    mta_result_name(it->result), d);
}

/* Runs plan p as action act ("drain-delete", ...), reporting and
 * auditing each message.  Returns the number not done. */
static size_t
run(const struct ctx *c, const struct plan *p, const char *act,
    const struct mta_pace *pace, struct audit *au, const char *sel,
    const struct verify_set *vs, FILE *info)
{
	struct mta_job		*job = mta_job_new(&c->mta, c->spool, p, pace);
	const struct mta_item	*it, *items;
	double			 t0 = units_mono();
	struct mta_progress	 pr;
	char			 rep[2048];
	size_t			 i, n, notdone = 0;
	int			 step, told = 0;

	do {
		step = mta_job_step(job, 200);
		if (interrupted && !told) {
			mta_job_cancel(job, "interrupted");
			told = 1;
		}
		while ((it = mta_job_reap(job)) != NULL) {
			report(c, act, it, t0);
			items = mta_job_items(job, &n);
			replies(vs, it, p, (size_t)(it - items), rep,
			    sizeof(rep));
			if (audit_write_kv(au, time(NULL), act, it, sel,
			    vs != NULL ? "reply" : NULL, rep) < 0)
				fprintf(stderr, "mxtop: writing %s: %s\n",
				    audit_path(au), strerror(errno));
		}
	} while (step != 0);
	mta_job_progress(job, &pr);
	items = mta_job_items(job, &n);
	for (i = 0; i < n; i++)
		notdone += items[i].result != MTA_R_DONE;
	fprintf(info, "%s: %zu message%s in %.1fs: %zu done, %zu deferred, "
	    "%zu failed, %zu gone, %zu locked, %zu skipped\n", act, pr.total,
	    pr.total == 1 ? "" : "s", pr.elapsed, pr.n[MTA_R_DONE],
	    pr.n[MTA_R_DEFERRED], pr.n[MTA_R_FAILED], pr.n[MTA_R_GONE],
	    pr.n[MTA_R_LOCKED], pr.n[MTA_R_SKIPPED]);
	if (pr.stop_reason != NULL)
		fprintf(info, "stopped early: %s\n", pr.stop_reason);
	mta_job_free(job);
	return notdone;
}

/* Probe, then verify, each domain; says how each went on info.
 * Returns 1 when something stopped a domain. */
static int
prepare(const struct ctx *c, const struct callout_cfg *cfg,
    struct co_doms *doms, const struct diag *d, struct verify_set *vs,
    const char *path, FILE *info)
{
	struct fmt_probe	 fp;
	struct fmt_verify	 fv;
	struct fmt_opts		 o = c->fmt;
	char			 v[700], n[300];
	size_t			 i, k;
	int			 rc = 0;
	enum verify_res		 r;

	o.kind = FMT_TEXT;
	for (i = 0; i < doms->n && !interrupted; i++) {
		struct co_dom *dm = &doms->v[i];

		co_route(c, d, dm);
		co_probe(c, cfg, dm, c->dry_run);
		text_sanitize(n, sizeof(n), dm->name, strlen(dm->name));
		if (dm->nhosts == 0) {
			dm->probed = 1;
			dm->cls = PROBE_NONE;
			fprintf(info, "%s: no route: %s; not drained\n", n,
			    dm->error);
			rc = 1;
			continue;
		}
		co_fmt_probe(dm, &fp);
		if (c->dry_run) {
			for (k = 0; k < dm->naddrs; k++) {
				r = verify_set_result(vs, dm->addrs[k], c->now,
				    co_max_age(c));
				dm->fresh += r == VERIFY_ACCEPTED ||
				    r == VERIFY_REJECTED;
			}
			fprintf(info, "%s: would probe %s port %d, then verify "
			    "%zu of %zu recipients (the others have a fresh "
			    "answer); the plan below is from the answers "
			    "kept so far\n", n, dm->hosts[0].addr,
			    dm->hosts[0].port, dm->naddrs - dm->fresh,
			    dm->naddrs);
			continue;
		}
		fprintf(info, "%s: probe: %s\n", n, fmt_probe_verdict(v,
		    sizeof(v), &fp));
		if (dm->cls != PROBE_OK) {
			fprintf(info, "%s: not drained: %s\n", n,
			    probe_advice(dm->cls));
			rc = 1;
			continue;
		}
		(void)co_verify(c, cfg, dm, vs, path, &interrupted);
		co_fmt_verify(dm, &fv);
		fmt_verify(info, &o, &fv, 1, NULL);
		if (dm->stopped) {
			fprintf(info, "%s: verify stopped early: only what the "
			    "primary rejected is removed; no flush\n", n);
			rc = 1;
		}
	}
	return rc;
}

/* Reads the spool and its diagnosis again (after a verify or the
 * removals, Exim may have moved on). */
static int
rescan(struct ctx *c, struct spool_snap **snap, struct diag **d)
{
	char	 err[512];

	diag_free(*d);
	spool_snap_free(*snap);
	*d = NULL;
	if ((*snap = load_spool(c, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		return -1;
	}
	*d = load_diag(c, *snap, select_has(c->sel, "class"));
	return 0;
}

/* Confirmation and the audit log, as the other actions. */
static int
go_ahead(const struct ctx *c, size_t n, struct audit **au)
{
	char	 err[512];

	if (!c->yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "mxtop: not confirmed: standard input "
			    "is not a terminal; add --yes to drain these %zu "
			    "messages\n", n);
			return 1;
		}
		if (!confirm(n)) {
			fprintf(stderr, "mxtop: not confirmed; nothing done\n");
			return 1;
		}
	}
	if ((*au = audit_open(c->audit, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		return 2;
	}
	return 0;
}

/* Removal, then (on a new snapshot) the flush.  Returns the exit
 * status. */
static int
act(struct ctx *c, struct spool_snap **snap, struct diag **d,
    const struct plan_drain *pd, const struct verify_set *vs, FILE *info)
{
	struct mta_pace	 rp, fpace;
	struct audit	*au = NULL;
	struct plan	*fp;
	char		 sel[4096], err[512];
	size_t		 bad = 0;
	int		 rc;

	if (load_check_spool(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxtop: %s\n", err);
		return 2;
	}
	if ((rc = go_ahead(c, plan_nacted(pd->remove) +
	    plan_nacted(pd->flush), &au)) != 0)
		return rc;
	select_to_args(c->sel, sel, sizeof(sel));
	fflush(info);
	memset(&rp, 0, sizeof(rp));
	rp.parallel = c->parallel;
	if (plan_nacted(pd->remove) > 0)
		bad += run(c, pd->remove, c->bounce_rejected ? "drain-bounce" :
		    "drain-delete", &rp, au, sel, vs, info);
	if (plan_nacted(pd->flush) > 0 && !interrupted) {
		if (rescan(c, snap, d) < 0) {
			audit_close(au);
			return 2;
		}
		fp = plan_drain_flush(*snap, *d, c->sel, c->now, c->max);
		memset(&fpace, 0, sizeof(fpace));
		fpace.rate = c->rate;
		fpace.parallel = c->parallel;
		fpace.adaptive = 1;
		if (plan_nacted(fp) > 0)
			bad += run(c, fp, "drain-flush", &fpace, au, sel, NULL,
			    info);
		plan_free(fp);
	}
	fprintf(info, "audit log: %s\n", audit_path(au));
	audit_close(au);
	return bad > 0 || pd->nleft_msgs > 0 || interrupted ? 1 : 0;
}

int
cmd_drain(struct ctx *c, int argc, char **argv)
{
	struct sigaction	 sa, old_int, old_term;
	struct spool_snap	*snap = NULL;
	struct diag		*d = NULL;
	struct co_doms		 doms;
	struct callout_cfg	 cfg;
	struct verify_set	*vs = NULL, *ok = NULL;
	struct plan_drain	*pd = NULL;
	FILE			*info = c->fmt.kind == FMT_JSON ? stderr : stdout;
	char			 helo[256], path[4200];
	size_t			 nother;
	int			 rc = 0, stopped;

	(void)argv;
	memset(&doms, 0, sizeof(doms));
	if (argc > 1 || select_empty(c->sel)) {
		fprintf(stderr, "mxtop: drain takes a selection (--domain, "
		    "--rcpt, ...), no arguments\n");
		return 2;
	}
	if (co_state_load(c, !c->dry_run, path, sizeof(path), &vs) < 0)
		return 2;
	select_bind_verify(c->sel, vs, c->now, co_max_age(c));
	if (rescan(c, &snap, &d) < 0) {
		rc = 2;
		goto out;
	}
	co_collect(snap, d, c->sel, c->now, NULL, 0, &doms, &nother);
	if (doms.n == 0) {
		fprintf(stderr, "mxtop: the selection has no pending recipient "
		    "at a customer domain\n");
		rc = 1;
		goto out;
	}
	co_cfg(c, &cfg, helo, sizeof(helo));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	stopped = prepare(c, &cfg, &doms, d, vs, path, info);
	if (interrupted || (!c->dry_run && rescan(c, &snap, &d) < 0)) {
		rc = interrupted ? 1 : 2;
		goto sig;
	}
	/* Only what drain may act on; the rest reads unknown: left. */
	ok = actionable(&doms, vs);
	select_bind_verify(c->sel, ok, c->now, co_max_age(c));
	pd = plan_drain_new(snap, d, c->sel, c->now, c->bounce_rejected,
	    c->max);
	if (!(c->dry_run && c->fmt.kind == FMT_JSON))
		fmt_drain_lines(pd, c->now, c->bounce_rejected, print_line,
		    info);
	if (c->dry_run) {
		dry_run(c, pd);
		goto sig;
	}
	if (plan_nacted(pd->remove) + plan_nacted(pd->flush) == 0) {
		fprintf(info, "drain: nothing to remove or flush\n");
		rc = pd->nleft_msgs > 0 || stopped ? 1 : 0;
		goto sig;
	}
	rc = act(c, &snap, &d, pd, vs, info);
	if (rc == 0 && stopped)
		rc = 1;
sig:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	select_bind_verify(c->sel, NULL, 0, 0);
	plan_drain_free(pd);
	co_doms_free(&doms);
	verify_set_free(ok);
	verify_set_free(vs);
	diag_free(d);
	spool_snap_free(snap);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mxtop: write error on standard output\n");
		rc = 2;
	}
	return rc;
}
