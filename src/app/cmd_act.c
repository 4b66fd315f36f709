/* cmd_act.c -- flush, bounce, delete, freeze, thaw: plan, confirm, run
 * the mta job with a progress line, report per message, audit. */
#include "app/cmd.h"
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONFIRM_COUNT	20	/* bigger plans: type the count */

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
	else if ((f = fopen(file, "r")) == NULL) {
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
print_plan(FILE *f, const struct ctx *c, const char *act,
    const struct mta_plan *p)
{
	char age1[16], age2[16], t[24];
	size_t i;

	fprintf(f, "%s: %zu message%s, %zu pending recipient%s", act, p->n,
	    p->n == 1 ? "" : "s", p->nrcpts, p->nrcpts == 1 ? "" : "s");
	if (p->nfrozen > 0)
		fprintf(f, ", %zu frozen", p->nfrozen);
	if (p->nactive > 0)
		fprintf(f, ", %zu being delivered now", p->nactive);
	fputc('\n', f);
	if (p->n > 0) {
		units_fmt_age(age1, sizeof(age1), (int64_t)c->now - p->oldest);
		units_fmt_age(age2, sizeof(age2), (int64_t)c->now - p->newest);
		fprintf(f, "  oldest %s (%s UTC), newest %s\n", age1,
		    units_fmt_time(t, sizeof(t), (time_t)p->oldest), age2);
	}
	for (i = 0; i < p->ndomains && i < 10; i++) {
		char d[256];

		text_sanitize(d, sizeof(d), p->domains[i].name,
		    strlen(p->domains[i].name));
		fprintf(f, "  %-40s %6zu msgs %6zu rcpts\n", d,
		    p->domains[i].msgs, p->domains[i].rcpts);
	}
	if (p->ndomains > 10)
		fprintf(f, "  ... and %zu more domains\n", p->ndomains - 10);
	if (p->n > 0) {
		fprintf(f, "  sample:");
		for (i = 0; i < p->n && i < MTA_PLAN_SAMPLE; i++)
			fprintf(f, " %s", p->items[i].id);
		fprintf(f, "%s\n", p->n > MTA_PLAN_SAMPLE ? " ..." : "");
	}
	if (p->nmissing > 0)
		fprintf(f, "  %zu id%s not in the queue (already gone)\n",
		    p->nmissing, p->nmissing == 1 ? "" : "s");
	if (p->ncut > 0)
		fprintf(f, "  %zu more selected, left out by --max\n", p->ncut);
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

static int
dry_run(FILE *f, const struct ctx *c, enum mta_action a,
    const struct mta_plan *p, const struct mta_pace *pace)
{
	const char **ids;
	char **argv, buf[8192];
	size_t bs = mta_batch_size(a, pace), i, k;
	struct mta m = c->mta;

	if (m.exim == NULL)
		m.exim = "exim";
	fprintf(f, "dry run: would run %s%s:\n", a == MTA_FLUSH ?
	    "one process per message" : "these commands",
	    c->rate > 0 ? ", paced" : "");
	ids = xcalloc(bs, sizeof(*ids));
	for (i = 0; i < p->n; i += bs) {
		for (k = 0; k < bs && i + k < p->n; k++)
			ids[k] = p->items[i + k].id;
		if ((argv = mta_argv(&m, a, ids, k)) == NULL) {
			fprintf(stderr, "mxtop: bad id in plan\n");
			free(ids);
			return 2;
		}
		fprintf(f, "  %s\n", mta_argv_str(argv, buf, sizeof(buf)));
		free(argv);
	}
	free(ids);
	return 0;
}

int
cmd_action(struct ctx *c, int argc, char **argv)
{
	struct spool_scan_opts so = { .threads = c->threads };
	struct sigaction sa, old_int, old_term;
	struct spool_snap *snap;
	struct mta_plan *plan;
	struct mta_pace pace;
	struct mta_job *job;
	struct audit *au = NULL;
	struct mta_progress pr;
	const struct mta_item *it, *items;
	const struct mta_rate_point *rp;
	enum mta_action a;
	FILE *out = stdout, *info;
	char err[512], sel[4096], **ids = NULL;
	long nids = 0;
	size_t i, n, nrp, bad = 0;
	int rc, tty_err, told = 0, step;
	time_t t;

	if (mta_action_parse(argv[0], &a) < 0) {
		fprintf(stderr, "mxtop: unknown action %s\n", argv[0]);
		return 2;
	}
	if (argc > 1) {
		fprintf(stderr, "mxtop: %s takes no arguments; choose messages "
		    "with --id, --domain, ... or --ids-from\n", argv[0]);
		return 2;
	}
	if (c->adaptive && a != MTA_FLUSH) {
		fprintf(stderr, "mxtop: --adaptive is for flush only\n");
		return 2;
	}
	if (c->fmt.kind != FMT_TEXT && c->fmt.kind != FMT_JSON) {
		fprintf(stderr, "mxtop: %s prints text or json\n", argv[0]);
		return 2;
	}
	/* Plan and summary go where they do not mix with JSON results. */
	info = c->fmt.kind == FMT_JSON ? stderr : stdout;
	if (c->ids_from != NULL && (nids = read_ids(c->ids_from, &ids)) < 0)
		return 2;
	if (c->ids_from == NULL && select_empty(c->sel)) {
		fprintf(stderr, "mxtop: %s needs a selection (--domain, "
		    "--sender, --rcpt, --older-than, --id, ... or "
		    "--ids-from); to act on the whole queue say "
		    "--older-than 0s\n", argv[0]);
		return 2;
	}
	select_to_args(c->sel, sel, sizeof(sel));
	if (c->ids_from != NULL) {
		size_t l = strlen(sel);

		snprintf(sel + l, sizeof(sel) - l, "%s--ids-from %s",
		    l > 0 ? " " : "", c->ids_from);
	}
	if ((snap = spool_scan(c->spool, &so, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		rc = 2;
		goto out;
	}
	plan = mta_plan_new(snap, c->sel, c->now, (const char *const *)ids,
	    c->ids_from != NULL ? (size_t)nids : 0, c->max);
	spool_snap_free(snap);
	memset(&pace, 0, sizeof(pace));
	pace.rate = c->rate;
	pace.parallel = c->parallel;
	pace.adaptive = c->adaptive;
	print_plan(info, c, argv[0], plan);
	if (plan->n == 0) {
		fprintf(info, "nothing to do\n");
		rc = 0;
		goto plan_out;
	}
	if (c->dry_run) {
		rc = dry_run(info, c, a, plan, &pace);
		goto plan_out;
	}
	if (!c->yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "mxtop: not confirmed: standard input "
			    "is not a terminal; add --yes to %s these %zu "
			    "messages\n", argv[0], plan->n);
			rc = 1;
			goto plan_out;
		}
		if (!confirm(argv[0], plan->n)) {
			fprintf(stderr, "mxtop: not confirmed; nothing done\n");
			rc = 1;
			goto plan_out;
		}
	}
	if ((au = audit_open(c->audit, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		rc = 2;
		goto plan_out;
	}
	fflush(info);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	interrupted = 0;
	tty_err = isatty(STDERR_FILENO);
	job = mta_job_new(&c->mta, c->spool, a, plan->items, plan->n, &pace);
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
			report(out, c, argv[0], it);
			fflush(out);
			t = time(NULL);
			if (audit_write(au, t, argv[0], it, sel) < 0 &&
			    !bad++)
				fprintf(stderr, "mxtop: writing %s: %s\n",
				    audit_path(au), strerror(errno));
		}
		if (tty_err && step != 0)
			progress(argv[0], job);
	} while (step != 0);
	if (tty_err)
		fputs("\r\033[K", stderr);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	/* The closing summary. */
	mta_job_progress(job, &pr);
	items = mta_job_items(job, &n);
	rc = 0;
	for (i = 0; i < n; i++)
		if (!reached(c, &items[i]))
			rc = 1;
	fprintf(info, "%s: %zu message%s in %.1fs: %zu done, %zu deferred, "
	    "%zu failed, %zu gone, %zu locked, %zu skipped\n", argv[0],
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
	if (bad > 0)
		rc = 2;
	mta_job_free(job);
	audit_close(au);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mxtop: write error on standard output\n");
		rc = 2;
	}
plan_out:
	mta_plan_free(plan);
out:
	for (i = 0; i < (size_t)(nids > 0 ? nids : 0); i++)
		free(ids[i]);
	free(ids);
	return rc;
}
