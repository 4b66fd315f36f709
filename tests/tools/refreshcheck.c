/* refreshcheck.c -- the TUI's refresh, step by step, against a fresh
 * full scan (the oracle), and its cost.  Test tooling.
 *
 *	refreshcheck [-l LOG] [-t THREADS] [-n NOW] SPOOL < commands
 *
 * Keeps what the TUI keeps (a snapshot, its diagnosis, the watch, the
 * main log's sums) and reads commands from stdin, one a line:
 *   step     refresh (load_live_scan(), as the TUI's scan thread does),
 *            then scan afresh (spool_scan(), the main log from its start,
 *            every msglog) and compare every field of every message and
 *            recipient, every recipient's diagnosis and every per-domain
 *            figure; prints "ok MSGS read READ" or "DIFF what"
 *   time N   N refreshes; prints the CPU seconds of each (user + system,
 *            this process and its threads) and the RSS after the last
 *   rss      prints "rss KIB snapshot BYTES msgs N"
 *   quit
 * The exit status is 1 when any step differed. */
#include "app/ctx.h"
#include "app/load.h"
#include "exim/logscan.h"
#include "exim/spool.h"
#include "model/diag.h"
#include "model/stats.h"
#include "base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long
rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = atol(line + 6);
	fclose(f);
	return kib;
}

static int
sq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

/* The per-domain figures and each recipient's diagnosis of (a, da) and
 * (b, db); 0 when they agree. */
static int
diag_diff(const struct spool_snap *a, const struct diag *da,
    const struct spool_snap *b, const struct diag *db, time_t now,
    char *why, size_t len)
{
	struct stats *x = stats_build(a, NULL, da, now, NULL, 1);
	struct stats *y = stats_build(b, NULL, db, now, NULL, 1);
	size_t i, k;
	int rc = 0;

	stats_sort(x, STATS_BY_NAME, 0);
	stats_sort(y, STATS_BY_NAME, 0);
	if (x->ndomains != y->ndomains) {
		snprintf(why, len, "%zu domains vs %zu", x->ndomains,
		    y->ndomains);
		rc = -1;
	}
	for (i = 0; rc == 0 && i < x->ndomains; i++) {
		const struct stats_domain *p = &x->domains[i], *q =
		    &y->domains[i];
		const struct diag_domain *e = p->diag, *f = q->diag;

		if (strcmp(p->name, q->name) != 0 || p->messages !=
		    q->messages || p->recipients != q->recipients ||
		    p->frozen != q->frozen || p->bad != q->bad || p->active !=
		    q->active || p->bytes != q->bytes || p->oldest !=
		    q->oldest || p->newest != q->newest || p->customer !=
		    q->customer || p->cls != q->cls || memcmp(p->buckets,
		    q->buckets, sizeof(p->buckets)) != 0 || (e == NULL) !=
		    (f == NULL)) {
			snprintf(why, len, "domain %s: %u msgs %u rcpts %lld "
			    "bytes class %d vs %s: %u %u %lld %d", p->name,
			    p->messages, p->recipients, (long long)p->bytes,
			    p->cls, q->name, q->messages, q->recipients,
			    (long long)q->bytes, q->cls);
			rc = -1;
		} else if (e != NULL && (e->cls != f->cls || e->samples !=
		    f->samples || e->attempts != f->attempts ||
		    e->callout_deferred != f->callout_deferred ||
		    e->callout_rejected != f->callout_rejected ||
		    e->callout_cached != f->callout_cached ||
		    e->last_success != f->last_success ||
		    e->last_error.time != f->last_error.time ||
		    !sq(e->last_error.text, f->last_error.text) ||
		    e->nevidence != f->nevidence ||
		    memcmp(e->classes, f->classes, sizeof(e->classes)) != 0)) {
			snprintf(why, len, "domain %s: diagnosis differs "
			    "(class %d/%d, %u/%u samples, %u/%u attempts)",
			    p->name, e->cls, f->cls, e->samples, f->samples,
			    e->attempts, f->attempts);
			rc = -1;
		}
	}
	if (rc == 0 && (x->total.messages != y->total.messages ||
	    x->total.recipients != y->total.recipients ||
	    x->total.bytes != y->total.bytes)) {
		snprintf(why, len, "totals differ");
		rc = -1;
	}
	for (k = 0; rc == 0 && k < a->nrcpts; k++) {
		struct diag_rcpt pb, qb;
		char ab[SPOOL_ADDR_BUF];
		const struct diag_rcpt *p = diag_rcpt_last(da, k, &pb),
		    *q = diag_rcpt_last(db, k, &qb);

		if (diag_rcpt_state(da, k) != diag_rcpt_state(db, k) ||
		    diag_rcpt_class(da, k) != diag_rcpt_class(db, k) ||
		    (p == NULL) != (q == NULL) || (p != NULL &&
		    (p->outcome != q->outcome || p->time != q->time ||
		    p->cls != q->cls || p->skipped != q->skipped ||
		    !sq(p->text, q->text) || !sq(p->host, q->host)))) {
			snprintf(why, len, "recipient %s: state %d/%d class "
			    "%d/%d", spool_rcpt_addr(a, &a->rcpts[k], ab),
			    diag_rcpt_state(da, k),
			    diag_rcpt_state(db, k), diag_rcpt_class(da, k),
			    diag_rcpt_class(db, k));
			rc = -1;
		}
	}
	stats_free(x);
	stats_free(y);
	return rc;
}

int
main(int argc, char **argv)
{
	struct ctx c;
	struct diag_opts o;
	struct load_live *lv;
	struct spool_snap *snap = NULL, *ns, *fs;
	struct diag *dg = NULL, *nd, *fd;
	struct spool_scan_opts so;
	char line[256], err[512], warn[512], why[1024];
	const char *log = NULL;
	time_t now = 0;
	int ch, bad = 0, n, i;

	mem_tune();		/* as mxtop does */
	memset(&c, 0, sizeof(c));
	while ((ch = getopt(argc, argv, "l:t:n:")) != -1)
		switch (ch) {
		case 'l': log = optarg; break;
		case 't': c.threads = atoi(optarg); break;
		case 'n': now = (time_t)atoll(optarg); break;
		default: return 2;
		}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: refreshcheck [-l LOG] [-t N] [-n NOW] "
		    "SPOOL\n");
		return 2;
	}
	c.spool = argv[optind];
	c.spool_given = 1;
	c.log = log;
	memset(&o, 0, sizeof(o));
	o.threshold = 0.5;
	o.min_samples = 10;
	memset(&so, 0, sizeof(so));
	so.threads = c.threads;
	lv = load_live_new(log);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		time_t t = now ? now : time(NULL);

		if (strncmp(line, "quit", 4) == 0)
			break;
		if (strncmp(line, "rss", 3) == 0) {
			printf("rss %ld snapshot %zu msgs %zu\n", rss_kib(),
			    spool_snap_bytes(snap), snap ? snap->nmsgs : 0);
			continue;
		}
		n = strncmp(line, "time", 4) == 0 ? atoi(line + 4) : 1;
		for (i = 0; i < n; i++) {
			double c0 = cpu_now();
			struct stats *st;

			if (load_live_scan(lv, &c, &o, t, snap, dg, &so, &ns,
			    &nd, err, sizeof(err), warn, sizeof(warn)) < 0) {
				printf("FAIL %s\n", err);
				return 1;
			}
			if (ns != NULL) {
				spool_snap_free(snap);
				snap = ns;
			}
			if (nd != NULL) {
				diag_free(dg);
				dg = nd;
			}
			/* What the UI thread does with it. */
			st = stats_build(snap, NULL, dg, t, NULL, 0);
			stats_free(st);
			if (strncmp(line, "time", 4) == 0)
				printf("refresh %d cpu %.3f %s dirs %zu\n", i,
				    cpu_now() - c0, ns != NULL ? "new" :
				    nd != NULL ? "diag" : "same", ns != NULL ?
				    ns->ndirs : 0);
		}
		if (strncmp(line, "time", 4) == 0) {
			printf("rss %ld snapshot %zu msgs %zu\n", rss_kib(),
			    spool_snap_bytes(snap), snap->nmsgs);
			continue;
		}
		/* The oracle: everything afresh. */
		memset(&so, 0, sizeof(so));
		so.threads = c.threads;
		if ((fs = spool_scan(c.spool, &so, err, sizeof(err))) == NULL) {
			printf("FAIL %s\n", err);
			return 1;
		}
		{
			struct diag_acc *acc = diag_acc_new(&o);
			struct logscan *ls = log ? logscan_new(log) : NULL;

			(void)load_log(acc, ls, fs, err, sizeof(err));
			fd = diag_result(acc, fs, load_msglogs(fs, NULL, NULL),
			    NULL);
			logscan_free(ls);
			diag_acc_free(acc);
		}
		if (spool_snap_diff(snap, fs, why, sizeof(why)) < 0 ||
		    diag_diff(snap, dg, fs, fd, t, why, sizeof(why)) < 0) {
			printf("DIFF %s\n", why);
			bad = 1;
		} else
			printf("ok %zu read %zu dirs %zu\n", snap->nmsgs,
			    ns != NULL ? snap->nread : 0, ns != NULL ?
			    snap->ndirs : 0);
		diag_free(fd);
		spool_snap_free(fs);
	}
	diag_free(dg);
	spool_snap_free(snap);
	load_live_free(lv);
	return bad;
}
