/* cmd_act.c -- flush, bounce, delete, freeze, thaw: plan, confirm, run
 * the mta job with a progress line, report per message, audit. */
#include "app/cmd.h"
#include "app/load.h"
#include "model/diag.h"
#include "model/plan.h"
#include "run/audit.h"
#include "model/classify.h"
#include "run/mta.h"
#include "model/select.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIRM_COUNT	PLAN_CONFIRM_FEW	/* bigger: type the count */

static volatile sig_atomic_t interrupted;

static void
on_int(int sig)
{
	(void)sig;
	interrupted++;
}

/* Reads ids, one per line ("#" comments and blank lines skipped; a
 * trailing "-H", as some exim -bpi print, is dropped).  Returns the
 * count, or -1 after reporting the first bad line. */
static long
read_ids(const char *file, char ***ids)
{
	FILE *f;
	char *line = NULL, *p, shown[80];
	size_t cap = 0, n = 0, alloc = 0, l;
	long lineno = 0;
	ssize_t len;
	int nul;

	*ids = NULL;
	if (strcmp(file, "-") == 0)
		f = stdin;
	else if ((f = fopen(file, "re")) == NULL) {
		fprintf(stderr, "mxtop: %s: %s\n", file, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		nul = strlen(line) != (size_t)len;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		l = strlen(p);
		while (l > 0 && (p[l - 1] == '\n' || p[l - 1] == '\r' ||
		    p[l - 1] == ' ' || p[l - 1] == '\t'))
			p[--l] = '\0';
		if (l == 0 || *p == '#')
			continue;
		if (l == 18 && strcmp(p + 16, "-H") == 0)
			p[l -= 2] = '\0';
		if (nul || !spool_id_valid(p, l)) {
			text_sanitize(shown, sizeof(shown), p, l);
			fprintf(stderr, "mxtop: %s, line %ld: not a message id: "
			    "%s\n", file, lineno, shown);
			goto bad;
		}
		xgrow(ids, &alloc, n + 1, sizeof(**ids));
		(*ids)[n++] = xstrdup(p);
	}
	if (ferror(f)) {
		fprintf(stderr, "mxtop: %s: read error\n", file);
		goto bad;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return (long)n;
bad:
	free(line);
	if (f != stdin)
		fclose(f);
	while (n > 0)
		free((*ids)[--n]);
	free(*ids);
	*ids = NULL;
	return -1;
}

static void
print_line(void *arg, int style, int indent, const char *text)
{
	(void)style;
	(void)indent;
	fprintf(arg, "%s\n", text);
}

/* Asks on the terminal; returns 1 when the operator agreed. */
static int
confirm(const char *act, size_t n)
{
	char line[64], want[32];
	size_t l;

	if (n > CONFIRM_COUNT) {
		snprintf(want, sizeof(want), "%zu", n);
		fprintf(stderr, "Type %s to %s %zu messages, anything else "
		    "to stop: ", want, act, n);
	} else {
		snprintf(want, sizeof(want), "y");
		fprintf(stderr, "%s %zu message%s? [y/N] ", act, n,
		    n == 1 ? "" : "s");
	}
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	l = strcspn(line, "\r\n");
	line[l] = '\0';
	if (n <= CONFIRM_COUNT)
		return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 ||
		    strcmp(line, "yes") == 0;
	return strcmp(line, want) == 0;
}

static void
progress(const char *act, const struct mta_job *j)
{
	struct mta_progress p;
	char eta[16], rate[32];

	mta_job_progress(j, &p);
	if (p.eta >= 0)
		units_fmt_age(eta, sizeof(eta), (int64_t)(p.eta + 0.5));
	else
		snprintf(eta, sizeof(eta), "?");
	if (p.rate > 0)
		snprintf(rate, sizeof(rate), "%.2f/s (max %.2f/s)",
		    p.throughput, p.rate);
	else
		snprintf(rate, sizeof(rate), "%.2f/s", p.throughput);
	fprintf(stderr, "\r\033[K%s %zu/%zu  done %zu  deferred %zu  failed "
	    "%zu  gone %zu  %s  ETA %s%s", act, p.finished, p.total,
	    p.n[MTA_R_DONE], p.n[MTA_R_DEFERRED],
	    p.n[MTA_R_FAILED] + p.n[MTA_R_LOCKED], p.n[MTA_R_GONE], rate, eta,
	    p.stopping ? "  (stopping)" : "");
	fflush(stderr);
}

static void
report(FILE *f, const struct ctx *c, const char *act,
    const struct mta_item *it)
{
	char d[300];

	if (c->fmt.kind == FMT_JSON) {
		fputs("{\"id\":", f);
		fmt_json_str(f, it->id, strlen(it->id));
		fputs(",\"action\":", f);
		fmt_json_str(f, act, strlen(act));
		fprintf(f, ",\"result\":\"%s\",\"detail\":",
		    mta_result_name(it->result));
		fmt_json_str(f, it->detail, strlen(it->detail));
		if (it->result == MTA_R_DEFERRED) {
			const char *cn = it->cls != 0 ?
			    class_name((enum class_id)it->cls) : NULL;

			fputs(",\"class\":", f);
			if (cn != NULL)
				fmt_json_str(f, cn, strlen(cn));
			else
				fputs("null", f);
		}
		fputs("}\n", f);
		return;
	}
	text_sanitize(d, sizeof(d), it->detail, strlen(it->detail));
	if (it->result == MTA_R_DEFERRED && it->cls != 0)
		fprintf(f, "%-23s %-8s %s: %s\n", it->id,
		    mta_result_name(it->result),
		    class_name((enum class_id)it->cls), d);
	else
		fprintf(f, "%-23s %-8s %s\n", it->id,
		    mta_result_name(it->result), d);
}

/* Whether item reached what was asked: done, or gone from the spool. */
static int
reached(const struct ctx *c, const struct mta_item *it)
{
	char path[4096];

	if (it->result == MTA_R_DONE)
		return 1;
	return it->result == MTA_R_GONE &&
	    spool_path(c->spool, "input", it->id, "-H", path,
	    sizeof(path)) < 0;
}

/* What a dry run prints for plan item i (mta_item_argv_str()). */
struct argvs {
	const struct ctx	*c;
	const struct plan	*p;
	size_t			 bs;
};

static void
item_argv(void *arg, size_t i, char *buf, size_t len)
{
	const struct argvs *av = arg;

	mta_item_argv_str(&av->c->mta, av->p, i, av->bs, buf, len);
}

static int
dry_run(FILE *f, const struct ctx *c, const struct plan *p,
    const struct mta_pace *pace)
{
	struct argvs av = { c, p, mta_batch_size(p->act, pace) };
	char buf[8192];
	size_t i;

	if (av.bs > MTA_BATCH)
		av.bs = MTA_BATCH;
	if (c->fmt.kind == FMT_JSON) {
		fmt_plan_json(stdout, p, item_argv, &av);
		return 0;
	}
	fprintf(f, "dry run: would run %s%s:\n", p->act == PLAN_FLUSH ?
	    "one process per message" : "these commands",
	    c->rate > 0 ? ", paced" : "");
	for (i = 0; i < p->n; i++) {
		item_argv(&av, i, buf, sizeof(buf));
		if (buf[0] != '\0')
			fprintf(f, "  %s\n", buf);
	}
	return 0;
}

/* The action's own checks of the command line; 0, or 2 after saying
 * what is wrong. */
static int
check_args(const struct ctx *c, enum plan_act a, const char *act, int argc)
{
	if (argc > 1) {
		fprintf(stderr, "mxtop: %s takes no arguments; choose messages "
		    "with --id, --domain, ... or --ids-from\n", act);
		return 2;
	}
	if (c->adaptive && a != PLAN_FLUSH) {
		fprintf(stderr, "mxtop: --adaptive is for flush only\n");
		return 2;
	}
	if (c->fmt.kind != FMT_TEXT && c->fmt.kind != FMT_JSON) {
		fprintf(stderr, "mxtop: %s prints text or json\n", act);
		return 2;
	}
	if (c->ids_from == NULL && select_empty(c->sel)) {
		fprintf(stderr, "mxtop: %s needs a selection (--domain, "
		    "--sender, --rcpt, --older-than, --id, ... or "
		    "--ids-from); to act on the whole queue say "
		    "--older-than 0s\n", act);
		return 2;
	}
	if (c->whole && a != PLAN_BOUNCE) {
		fprintf(stderr, "mxtop: --whole-messages is for bounce (the "
		    "other actions act on whole messages, or delete only the "
		    "selected recipients)\n");
		return 2;
	}
	return 0;
}

/* Asks before acting: --yes, or y (the count typed) on a terminal.
 * Returns 1 to go on. */
static int
approved(const struct ctx *c, const char *act, size_t n)
{
	if (c->yes)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "mxtop: not confirmed: standard input is not "
		    "a terminal; add --yes to %s these %zu messages\n", act,
		    n);
		return 0;
	}
	if (!confirm(act, n)) {
		fprintf(stderr, "mxtop: not confirmed; nothing done\n");
		return 0;
	}
	return 1;
}

/* The closing summary of a finished job on info. */
static void
summary(FILE *info, const struct ctx *c, const char *act,
    const struct mta_job *job, const struct audit *au)
{
	const struct mta_rate_point *rp;
	struct mta_progress pr;
	size_t i, nrp;

	mta_job_progress(job, &pr);
	fprintf(info, "%s: %zu message%s in %.1fs: %zu done, %zu deferred, "
	    "%zu failed, %zu gone, %zu locked, %zu skipped\n", act,
	    pr.total, pr.total == 1 ? "" : "s", pr.elapsed, pr.n[MTA_R_DONE],
	    pr.n[MTA_R_DEFERRED], pr.n[MTA_R_FAILED], pr.n[MTA_R_GONE],
	    pr.n[MTA_R_LOCKED], pr.n[MTA_R_SKIPPED]);
	if (pr.stop_reason != NULL)
		fprintf(info, "stopped early: %s\n", pr.stop_reason);
	rp = mta_job_rates(job, &nrp);
	if (c->adaptive && nrp > 0) {
		fprintf(info, "rate over time:");
		for (i = 0; i < nrp; i++)
			fprintf(info, " %.1fs:%.2f/s", rp[i].t, rp[i].rate);
		fputc('\n', info);
	}
	fprintf(info, "audit log: %s\n", audit_path(au));
}

int
cmd_act_run(const struct ctx *c, const char *act, const struct plan *plan,
    const struct mta_pace *pace, const char *sel, FILE *info)
{
	struct sigaction sa, old_int, old_term;
	struct mta_job *job;
	struct audit *au;
	struct mta_progress pr;
	const struct mta_item *it, *items;
	char err[512];
	size_t i, n, bad = 0;
	int rc, tty_err, told = 0, step;

	if ((au = audit_open(c->audit, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		return 2;
	}
	fflush(info);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	interrupted = 0;
	tty_err = isatty(STDERR_FILENO);
	job = mta_job_new(&c->mta, c->spool, plan, pace);
	do {
		step = mta_job_step(job, 200);
		if (interrupted && !told) {
			mta_job_cancel(job, "interrupted");
			mta_job_progress(job, &pr);
			if (tty_err)
				fputc('\n', stderr);
			fprintf(stderr, "mxtop: interrupted; waiting for %zu "
			    "running exim process%s\n", pr.running,
			    pr.running == 1 ? "" : "es");
			told = 1;
		}
		while ((it = mta_job_reap(job)) != NULL) {
			if (tty_err)
				fputs("\r\033[K", stderr);
			report(stdout, c, act, it);
			fflush(stdout);
			if (audit_write(au, time(NULL), act, it, sel) < 0 &&
			    !bad++)
				fprintf(stderr, "mxtop: writing %s: %s\n",
				    audit_path(au), strerror(errno));
		}
		if (tty_err && step != 0)
			progress(act, job);
	} while (step != 0);
	if (tty_err)
		fputs("\r\033[K", stderr);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	items = mta_job_items(job, &n);
	rc = 0;
	for (i = 0; i < n; i++)
		if (!reached(c, &items[i]))
			rc = 1;
	summary(info, c, act, job, au);
	if (bad > 0)
		rc = 2;
	mta_job_free(job);
	audit_close(au);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mxtop: write error on standard output\n");
		rc = 2;
	}
	return rc;
}

int
cmd_action(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *snap;
	struct diag *dg;
	struct plan *plan;
	struct mta_pace pace;
	enum plan_act a;
	FILE *info;
	char err[512], sel[4096], **ids = NULL;
	long nids = 0;
	size_t i;
	int rc;

	if (plan_act_parse(argv[0], &a) < 0) {
		fprintf(stderr, "mxtop: unknown action %s\n", argv[0]);
		return 2;
	}
	if ((rc = check_args(c, a, argv[0], argc)) != 0)
		return rc;
	/* Plan and summary go where they do not mix with JSON results. */
	info = c->fmt.kind == FMT_JSON ? stderr : stdout;
	if (c->ids_from != NULL && (nids = read_ids(c->ids_from, &ids)) < 0)
		return 2;
	select_to_args(c->sel, sel, sizeof(sel));
	if (c->ids_from != NULL) {
		size_t l = strlen(sel);

		snprintf(sel + l, sizeof(sel) - l, "%s--ids-from %s",
		    l > 0 ? " " : "", c->ids_from);
	}
	if ((snap = load_spool(c, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		rc = 2;
		goto out;
	}
	/* Classes and customers for the selection; msglogs only when a
	 * class term needs them. */
	dg = load_diag(c, snap, select_has(c->sel, "class"));
	plan = plan_new(snap, dg, c->sel, c->now, a, (const char *const *)ids,
	    c->ids_from != NULL ? (size_t)nids : 0, c->max, c->whole);
	diag_free(dg);
	spool_snap_free(snap);
	memset(&pace, 0, sizeof(pace));
	pace.rate = c->rate;
	pace.parallel = c->parallel;
	pace.adaptive = c->adaptive;
	if (!(c->dry_run && c->fmt.kind == FMT_JSON))
		fmt_plan_lines(plan, c->now, print_line, info);
	if (plan->n == 0) {
		fprintf(stderr, "mxtop: the selection matches no message\n");
		if (c->dry_run && c->fmt.kind == FMT_JSON)
			fmt_plan_json(stdout, plan, NULL, NULL);
		rc = 1;
	} else if (c->dry_run)
		rc = dry_run(info, c, plan, &pace);
	else if (plan_nacted(plan) > 0 && load_check_spool(c, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "mxtop: %s\n", err);
		rc = 2;
	} else if (!approved(c, argv[0], plan_nacted(plan)))
		rc = 1;
	else
		rc = cmd_act_run(c, argv[0], plan, &pace, sel, info);
	plan_free(plan);
out:
	for (i = 0; i < (size_t)(nids > 0 ? nids : 0); i++)
		free(ids[i]);
	free(ids);
	return rc;
}
