/* check_diag.c -- the diagnosis beside a snapshot (model/diag.h), per
 * recipient and per domain, refreshed incrementally; the stats and the
 * plan built on it (model/stats.h, model/plan.h).  Small spools written
 * in a temporary directory, read with the same loaders as the commands
 * (app/load.h). */
#include "model/diag.h"
#include "model/classify.h"
#include "model/plan.h"
#include "model/select.h"
#include "model/stats.h"
#include "app/load.h"
#include "exim/logscan.h"
#include "exim/spool.h"
#include "base/intern.h"

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

#define ID1	"1tSm9Y-000W7E-84"
#define ID2	"1tSm9Z-000W7F-84"

static void
put(const char *rel, const char *data, int append)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, append ? "a" : "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
}

/* Message 1: pending at one.example (offline) and two.example; message
 * 2: a bounce to a non-customer, with one recipient that failed for good
 * (in the tree; the main log says **). */
static void
setup(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/mxtop-diag-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/input", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/msglog", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/log", dir);
	mkdir(path, 0755);
	put("input/" ID1 "-H", ID1 "-H\nroot 0 0\n<a@b>\n"
	    "1735689600 0\nXX\n2\nx@one.example\ny@two.example\n\n", 0);
	put("input/" ID1 "-D", ID1 "-D\nbody\n", 0);
	put("msglog/" ID1, "2025-01-01 00:00:00 Received from "
	    "a@b H=(h) [192.0.2.1] P=esmtp S=10\n"
	    "2025-01-01 00:00:05 x@one.example R=r T=t defer (111): "
	    "Connection refused\n", 0);
	put("input/" ID2 "-H", ID2 "-H\nDebian-exim 0 0\n<>\n"
	    "1735689601 0\n-frozen 1735689700\nNN gone@junk.invalid\n2\n"
	    "gone@junk.invalid\nvictim@junk.invalid\n\n", 0);
	put("input/" ID2 "-D", ID2 "-D\nbody\n", 0);
	put("log/mainlog", "2025-01-01 00:00:05 " ID1 " == "
	    "x@one.example R=r T=t defer (111): Connection refused\n"
	    "2025-01-01 00:10:05 " ID1 " == x@one.example R=r T=t "
	    "defer (111): Connection refused\n"
	    "2025-01-01 00:10:06 " ID2 " ** gone@junk.invalid: retry "
	    "timeout exceeded\n", 0);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct spool_snap *
scan(void)
{
	char err[128];
	struct spool_snap *s = spool_scan(dir, NULL, err, sizeof(err));

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_uint_eq(s->nmsgs, 2);
	return s;
}

/* The index of recipient addr of message id in snap->rcpts. */
static size_t
rcpt(const struct spool_snap *s, const char *id, const char *addr)
{
	const struct spool_msg *m = spool_find(s, id);
	char ab[SPOOL_ADDR_BUF];
	size_t j;

	ck_assert_ptr_nonnull(m);
	for (j = 0; j < m->nrcpt; j++)
		if (strcmp(spool_rcpt_addr(s, &s->rcpts[m->rcpt0 + j], ab),
		    addr) == 0)
			return m->rcpt0 + j;
	ck_abort_msg("no recipient %s", addr);
	return SIZE_MAX;
}

static struct diag *
diagnose(const struct spool_snap *s, struct diag_acc **accp,
    struct logscan **lsp, const struct spool_snap *ps, const struct diag *pd,
    const uint8_t *cust)
{
	struct diag_opts o;
	struct diag_customers cu = { cust, cust != NULL ? 3 : 0 };
	char err[128], path[128];

	memset(&o, 0, sizeof(o));
	o.since = 1735600000;
	o.threshold = 0.5;
	o.min_samples = 1;
	if (*accp == NULL) {
		*accp = diag_acc_new(&o);
		snprintf(path, sizeof(path), "%s/log", dir);
		*lsp = logscan_new(path);
	}
	ck_assert_int_eq(load_log(*accp, *lsp, s, err, sizeof(err)), 0);
	return diag_result(*accp, s, load_msglogs(s, ps, pd),
	    cust != NULL ? &cu : NULL);
}

/* Each recipient its own state and class: one domain's failures never
 * colour another's recipients; a recipient the main log says failed is
 * "failed", not "delivered". */
START_TEST(per_recipient)
{
	struct spool_snap *s = scan();
	struct diag_acc *acc = NULL;
	struct logscan *ls = NULL;
	struct diag *d = diagnose(s, &acc, &ls, NULL, NULL, NULL);
	struct diag_rcpt last;
	size_t x = rcpt(s, ID1, "x@one.example"),
	    y = rcpt(s, ID1, "y@two.example"),
	    g = rcpt(s, ID2, "gone@junk.invalid");

	ck_assert_int_eq(diag_rcpt_state(d, x), DIAG_PENDING);
	ck_assert_int_eq(diag_rcpt_class(d, x), CLASS_OFFLINE);
	ck_assert_str_eq(diag_rcpt_last(d, x, &last)->text,
	    "Connection refused");
	ck_assert_int_eq(diag_rcpt_last(d, x, &last)->cls, CLASS_OFFLINE);
	ck_assert_int_eq(diag_rcpt_class(d, y), CLASS_NONE);
	ck_assert_ptr_null(diag_rcpt_last(d, y, &last));
	ck_assert_int_eq(diag_rcpt_state(d, g), DIAG_FAILED);
	ck_assert_uint_eq(diag_domain(d, "one.example")->classes[CLASS_OFFLINE],
	    2);
	ck_assert_ptr_null(diag_domain(d, "two.example"));
	diag_free(d);
	diag_acc_free(acc);
	logscan_free(ls);
	spool_snap_free(s);
}
END_TEST

/* A rescan reads only what a msglog and the main log gained: neither
 * loses nor double-counts, and a line caught half written is read whole
 * later. */
START_TEST(refresh)
{
	struct spool_snap *s1 = scan(), *s2, *s3;
	struct diag_acc *acc = NULL;
	struct logscan *ls = NULL;
	struct diag *d1, *d2, *d3;
	const struct diag_domain *dd;

	d1 = diagnose(s1, &acc, &ls, NULL, NULL, NULL);
	put("msglog/" ID1, "2025-01-01 01:00:00 x@one.example "
	    "R=r T=t defer (110): Connection timed out H=h [192.0.2.9]: SMTP "
	    "timeout after initial connection\n2025-01-01 01:00:01 y@two", 1);
	put("log/mainlog", "2025-01-01 01:00:00 " ID1 " == "
	    "x@one.example R=r T=t defer (110): Connection timed out H=h "
	    "[192.0.2.9]: SMTP timeout after initial connection\n", 1);
	s2 = scan();
	d2 = diagnose(s2, &acc, &ls, s1, d1, NULL);
	ck_assert_int_eq(diag_rcpt_class(d2, rcpt(s2, ID1, "x@one.example")),
	    CLASS_TARPIT);
	ck_assert_int_eq(diag_rcpt_class(d2, rcpt(s2, ID1, "y@two.example")),
	    CLASS_NONE);
	dd = diag_domain(d2, "one.example");
	ck_assert_uint_eq(dd->classes[CLASS_OFFLINE], 2);
	ck_assert_uint_eq(dd->classes[CLASS_TARPIT], 1);
	ck_assert_int_eq(dd->cls, CLASS_TARPIT);	/* the primary answered */
	ck_assert_uint_eq(diag_info(d2)->log_lines, 4);
	diag_free(d1);
	spool_snap_free(s1);

	put("msglog/" ID1, ".example R=r T=t defer (-44) "
	    "H=h [192.0.2.9]: SMTP error from remote mail server after RCPT "
	    "TO:<y@two.example>: 450 4.1.1 mailbox unavailable\n", 1);
	s3 = scan();
	d3 = diagnose(s3, &acc, &ls, s2, d2, NULL);
	ck_assert_int_eq(diag_rcpt_class(d3, rcpt(s3, ID1, "y@two.example")),
	    CLASS_SOFTREJECT);
	/* Carried over, not read again. */
	ck_assert_int_eq(diag_rcpt_class(d3, rcpt(s3, ID1, "x@one.example")),
	    CLASS_TARPIT);
	diag_free(d2);
	diag_free(d3);
	spool_snap_free(s2);
	spool_snap_free(s3);
	diag_acc_free(acc);
	logscan_free(ls);
}
END_TEST

/* A long log of ever new wordings and hosts: the evidence kept stays a
 * few per domain, and so does its memory; the newest is what is shown. */
START_TEST(evidence_bounded)
{
	struct diag_opts o = { .since = 0 };
	struct spool_snap *s = scan();
	struct diag_acc *acc = diag_acc_new(&o);
	struct logscan_event ev;
	const struct diag_domain *dd;
	struct diag *d;
	char host[64], text[128];
	size_t most = 0;
	unsigned i;

	memset(&ev, 0, sizeof(ev));
	ev.kind = LL_DEFER;
	ev.id = ID1;
	ev.addr = "x@one.example";
	ev.domain = "one.example";
	ev.line = "";
	for (i = 0; i < 300000; i++) {
		ev.t = 1735689600 + (time_t)i;
		snprintf(host, sizeof(host), "mx%u.one.example [192.0.2.%u]",
		    i, i % 250);
		snprintf(text, sizeof(text), "Connection refused (attempt "
		    "%u of a long night)", i);
		ev.host = host;
		ev.text = text;
		diag_acc_event(acc, &ev, s);
		if (diag_acc_bytes(acc) > most)
			most = diag_acc_bytes(acc);
	}
	/* 300,000 texts and hosts of ~50 bytes each: 30 MB if all kept. */
	ck_assert_msg(most < (3u << 20), "%zu bytes", most);
	d = diag_result(acc, s, NULL, NULL);
	dd = diag_domain(d, "one.example");
	ck_assert_ptr_nonnull(dd);
	ck_assert_uint_eq(dd->classes[CLASS_OFFLINE], 300000);
	ck_assert_uint_eq(dd->nevidence, DIAG_NEVIDENCE);
	ck_assert_str_eq(dd->evidence[0].text, text);
	ck_assert_str_eq(dd->evidence[0].host, host);
	ck_assert_str_eq(dd->last_error.text, text);
	ck_assert_str_eq(dd->evidence[1].text, "Connection refused (attempt "
	    "299998 of a long night)");
	diag_free(d);
	diag_acc_free(acc);
	spool_snap_free(s);
}
END_TEST

/* Customers known: a frozen bounce to a domain nobody relays for is
 * backscatter, and customers sort first. */
START_TEST(backscatter)
{
	struct spool_snap *s = scan();
	struct diag_acc *acc = NULL;
	struct logscan *ls = NULL;
	uint8_t cust[3];
	uint32_t k;
	struct diag *d;
	struct stats *st;

	for (k = 0; k < intern_count(s->domains); k++)
		cust[k] = strcmp(intern_str(s->domains, k), "junk.invalid") != 0;
	d = diagnose(s, &acc, &ls, NULL, NULL, cust);
	ck_assert_int_eq(diag_rcpt_class(d, rcpt(s, ID2, "victim@junk.invalid")),
	    CLASS_BACKSCATTER);
	st = stats_build(s, NULL, d, 1735700000, NULL, 0);
	ck_assert_uint_eq(st->ndomains, 3);
	ck_assert_str_eq(st->domains[st->ndomains - 1].name, "junk.invalid");
	ck_assert_int_eq(st->domains[st->ndomains - 1].cls, CLASS_BACKSCATTER);
	ck_assert_int_eq(st->domains[st->ndomains - 1].customer, 0);
	ck_assert_uint_eq(st->customers.messages, 1);
	stats_free(st);
	diag_free(d);
	diag_acc_free(acc);
	logscan_free(ls);
	spool_snap_free(s);
}
END_TEST

/* The plan touches only the selection: a shared message is deleted
 * recipient by recipient, skipped by bounce unless whole messages are
 * asked for, and flushed whole with the other domain named. */
START_TEST(plan_shared)
{
	struct spool_snap *s = scan();
	struct select *sel = select_new();
	struct plan *p;
	char err[128];

	ck_assert_int_eq(select_add_exact(sel, "domain", "one.example", err,
	    sizeof(err)), 0);
	p = plan_new(s, NULL, sel, 1735700000, PLAN_DELETE, NULL, 0, 0, 0);
	ck_assert_uint_eq(p->n, 1);
	ck_assert_int_eq(p->items[0].how, PLAN_RCPTS);
	ck_assert_uint_eq(p->items[0].nsel, 1);
	ck_assert_str_eq(p->addrs[p->items[0].addr0], "x@one.example");
	ck_assert_str_eq(p->addrs[p->items[0].other0], "y@two.example");
	ck_assert_uint_eq(p->nothers, 0);	/* nothing else is deleted */
	plan_free(p);
	p = plan_new(s, NULL, sel, 1735700000, PLAN_BOUNCE, NULL, 0, 0, 0);
	ck_assert_int_eq(p->items[0].how, PLAN_SKIP);
	ck_assert_uint_eq(plan_nacted(p), 0);
	plan_free(p);
	p = plan_new(s, NULL, sel, 1735700000, PLAN_BOUNCE, NULL, 0, 0, 1);
	ck_assert_int_eq(p->items[0].how, PLAN_WHOLE);
	ck_assert_uint_eq(p->nothers, 1);
	ck_assert_str_eq(p->others[0].name, "two.example");
	plan_free(p);
	p = plan_new(s, NULL, sel, 1735700000, PLAN_FLUSH, NULL, 0, 0, 0);
	ck_assert_int_eq(p->items[0].how, PLAN_WHOLE);
	ck_assert_uint_eq(p->nother_rcpts, 1);
	plan_free(p);
	select_free(sel);
	spool_snap_free(s);
}
END_TEST

/* Exact domain terms: an address literal or a name starting with '~'
 * is no pattern. */
START_TEST(exact_domain)
{
	struct select *sel = select_new();
	char err[128], args[256];

	ck_assert_int_eq(select_add_exact(sel, "domain", "[192.0.2.1]", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(select_add_exact(sel, "domain", "~x.example", err,
	    sizeof(err)), 0);
	ck_assert(select_domain(sel, "[192.0.2.1]"));
	ck_assert(!select_domain(sel, "1"));
	ck_assert(select_domain(sel, "~x.example"));
	ck_assert(!select_domain(sel, "x.example"));
	select_to_args(sel, args, sizeof(args));
	ck_assert_str_eq(args, "--domain '\\[192.0.2.1\\]' --domain "
	    "'\\~x.example'");
	select_free(sel);
}
END_TEST

static Suite *
diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("spool");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, per_recipient);
	tcase_add_test(tc, refresh);
	tcase_add_test(tc, evidence_bounded);
	tcase_add_test(tc, backscatter);
	tcase_add_test(tc, plan_shared);
	suite_add_tcase(s, tc);
	tc = tcase_create("select");
	tcase_add_test(tc, exact_domain);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(diag_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
