/* check_mta.c -- the action machinery: Exim's per-id lines (captured from
 * Exim 4.96 in the sandbox), argv building, the token bucket, the plan
 * builder on a constructed spool, and the job driven against a stand-in
 * "exim" script (the real one is in tests/exim/test_actions.sh). */
#include "run/mta.h"
#include "model/select.h"
#include "exim/spool.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Exim's own words ---- */

static const struct {
	enum plan_act	 act;
	const char	*line;
	int		 ok;
	const char	*id;
	enum mta_result	 res;
} cases[] = {
	{ PLAN_FREEZE, "Message 1xX1D4-0004PA-32 is now frozen", 1,
	    "1xX1D4-0004PA-32", MTA_R_DONE },
	{ PLAN_FREEZE, "Message 1xX1D4-0004PA-32 is already frozen", 1,
	    "1xX1D4-0004PA-32", MTA_R_DONE },
	{ PLAN_THAW, "Message 1xX1D4-0004PA-32 is no longer frozen", 1,
	    "1xX1D4-0004PA-32", MTA_R_DONE },
	{ PLAN_THAW, "Message 1xX1D5-0004Ph-22 is not frozen", 1,
	    "1xX1D5-0004Ph-22", MTA_R_DONE },
	{ PLAN_FREEZE, "Spool data file for 1tAbcD-000123-Xy does not exist", 1,
	    "1tAbcD-000123-Xy", MTA_R_GONE },
	{ PLAN_DELETE, "Message 1xX1D5-0004Ph-22 has been removed", 1,
	    "1xX1D5-0004Ph-22", MTA_R_DONE },
	{ PLAN_DELETE, "Continuing, to ensure all files removed", 0, NULL, 0 },
	{ PLAN_DELETE, "Spool read error for 1tAbcD-000123-Xy-H: No such file "
	    "or directory", 1, "1tAbcD-000123-Xy", MTA_R_GONE },
	{ PLAN_DELETE, "Continuing to ensure all files removed", 0, NULL, 0 },
	{ PLAN_DELETE, "Message 1tAbcD-000123-Xy has been removed or did not "
	    "exist", 1, "1tAbcD-000123-Xy", MTA_R_GONE },
	{ PLAN_FREEZE, "Message 1xX1D5-0004PL-0Z is locked", 1,
	    "1xX1D5-0004PL-0Z", MTA_R_LOCKED },
	{ PLAN_DELETE, "Message 1xX1D5-0004PL-0Z is locked", 1,
	    "1xX1D5-0004PL-0Z", MTA_R_LOCKED },
	/* Not admin: the -D cannot be opened. */
	{ PLAN_FREEZE, "Couldn't open spool file for 1xX1D5-0004PL-0Z: "
	    "Permission denied", 1, "1xX1D5-0004PL-0Z", MTA_R_FAILED },
	{ PLAN_FREEZE, "2026-11-27 19:02:20 Spool error for /tmp/x/spool//"
	    "input//1xX1D5-0004PL-0Z-D: Permission denied", 0, NULL, 0 },
	{ PLAN_BOUNCE, "exim: permission denied", 0, NULL, 0 },
	{ PLAN_FLUSH, "exim: Permission denied", 0, NULL, 0 },
	{ PLAN_FREEZE, "exim: malformed message id x;rm after -Mf option", 0,
	    NULL, 0 },
	{ PLAN_FREEZE, "Message 1xX1D4-0004PA-32 could not be frozen: "
	    "Permission denied", 1, "1xX1D4-0004PA-32", MTA_R_FAILED },
	{ PLAN_THAW, "Message 1xX1D4-0004PA-32 could not be unfrozen: x", 1,
	    "1xX1D4-0004PA-32", MTA_R_FAILED },
	{ PLAN_FREEZE, "Spool format error for 1xX1D4-0004PA-32-H", 1,
	    "1xX1D4-0004PA-32", MTA_R_FAILED },
	/* An old-format id. */
	{ PLAN_FREEZE, "Message 1tSm9X-000W7E-84 is now frozen", 1,
	    "1tSm9X-000W7E-84", MTA_R_DONE },
	/* Not an id: never taken for one. */
	{ PLAN_FREEZE, "Message $(touch x) is now frozen", 0, NULL, 0 },
	{ PLAN_FREEZE, "", 0, NULL, 0 },
};

START_TEST(parse_lines)
{
	char id[32] = "";
	enum mta_result r = MTA_R_PENDING;
	int ok = mta_parse_line(cases[_i].act, cases[_i].line, id, &r);

	ck_assert_msg(ok == cases[_i].ok, "line %d: %s", _i, cases[_i].line);
	if (ok) {
		ck_assert_str_eq(id, cases[_i].id);
		ck_assert_int_eq(r, cases[_i].res);
	}
}
END_TEST

START_TEST(names)
{
	enum plan_act a;

	ck_assert_int_eq(plan_act_parse("delete", &a), 0);
	ck_assert_int_eq(a, PLAN_DELETE);
	ck_assert_str_eq(mta_action_flag(a), "-Mrm");
	ck_assert_int_eq(plan_act_parse("rm", &a), -1);
	ck_assert_str_eq(mta_result_name(MTA_R_LOCKED), "locked");
	ck_assert_str_eq(plan_act_name(PLAN_THAW), "thaw");
}
END_TEST

/* ---- argv ---- */

START_TEST(argv_build)
{
	struct mta m = { "/usr/sbin/exim4", "/etc/x y.conf" };
	const char *ids[] = { "1xX1D4-0004PA-32", "1tSm9X-000W7E-84" };
	const char *bad[] = { "1xX1D4-0004PA-32", "1tAbcD-$(id)-Xy" };
	char **v, buf[256];

	v = mta_argv(&m, PLAN_FLUSH, ids, 1);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v[0], "/usr/sbin/exim4");
	ck_assert_str_eq(v[1], "-C");
	ck_assert_str_eq(v[2], "/etc/x y.conf");
	ck_assert_str_eq(v[3], "-oB");
	ck_assert_str_eq(v[4], "1");
	ck_assert_str_eq(v[5], "-M");
	ck_assert_str_eq(v[6], ids[0]);
	ck_assert_ptr_null(v[7]);
	ck_assert_str_eq(mta_argv_str(v, buf, sizeof(buf)),
	    "/usr/sbin/exim4 -C '/etc/x y.conf' -oB 1 -M 1xX1D4-0004PA-32");
	free(v);
	m.config = NULL;
	v = mta_argv(&m, PLAN_FREEZE, ids, 2);
	ck_assert_str_eq(mta_argv_str(v, buf, sizeof(buf)),
	    "/usr/sbin/exim4 -Mf 1xX1D4-0004PA-32 1tSm9X-000W7E-84");
	free(v);
	ck_assert_ptr_null(mta_argv(&m, PLAN_DELETE, bad, 2));
	ck_assert_ptr_null(mta_argv(&m, PLAN_DELETE, ids, 0));
	ck_assert_uint_eq(mta_batch_size(PLAN_FLUSH, NULL), 1);
	ck_assert_uint_eq(mta_batch_size(PLAN_DELETE, NULL), MTA_BATCH);
}
END_TEST

START_TEST(argv_quote)
{
	char *v[] = { (char *)"a'b", (char *)"", (char *)"x;y", NULL };
	char buf[64];

	ck_assert_str_eq(mta_argv_str(v, buf, sizeof(buf)),
	    "'a'\\''b' '' 'x;y'");
	/* Cut to fit, still NUL-terminated. */
	ck_assert_uint_eq(strlen(mta_argv_str(v, buf, 5)), 4);
}
END_TEST

/* ---- Token bucket ---- */

START_TEST(bucket_rate)
{
	struct mta_bucket b;
	double t;
	int got = 0;

	mta_bucket_init(&b, 2.0, 0, 100.0);
	ck_assert_int_eq(mta_bucket_take(&b, 1, 100.0), 1);	/* burst 1 */
	ck_assert_int_eq(mta_bucket_take(&b, 1, 100.0), 0);
	ck_assert(mta_bucket_wait(&b, 100.0) > 0.49 &&
	    mta_bucket_wait(&b, 100.0) < 0.51);
	ck_assert_int_eq(mta_bucket_take(&b, 1, 100.49), 0);
	ck_assert_int_eq(mta_bucket_take(&b, 1, 100.5), 1);
	/* 10 tokens at 2/s from a fresh bucket: the 10th at 4.5 s. */
	mta_bucket_init(&b, 2.0, 1, 0.0);
	for (t = 0; got < 10; t += 0.01)
		got += mta_bucket_take(&b, 1, t);
	ck_assert(t - 0.01 >= 4.49 && t - 0.01 < 4.52);
	/* Idle time does not pile up beyond the burst. */
	ck_assert_int_eq(mta_bucket_take(&b, 5, 1000.0), 1);
}
END_TEST

START_TEST(bucket_burst_unlimited)
{
	struct mta_bucket b;

	mta_bucket_init(&b, 1.0, 5, 0.0);
	ck_assert_int_eq(mta_bucket_take(&b, 10, 0.0), 5);
	ck_assert_int_eq(mta_bucket_take(&b, 10, 2.0), 2);
	mta_bucket_init(&b, 0, 0, 0.0);
	ck_assert_int_eq(mta_bucket_take(&b, 50, 0.0), 50);
	ck_assert(mta_bucket_wait(&b, 0.0) == 0);
	/* Halving keeps what was earned so far. */
	mta_bucket_init(&b, 4.0, 1, 0.0);
	ck_assert_int_eq(mta_bucket_take(&b, 1, 0.0), 1);
	mta_bucket_set_rate(&b, 2.0, 0.125);	/* 0.5 token earned */
	ck_assert_int_eq(mta_bucket_take(&b, 1, 0.3), 0);
	ck_assert_int_eq(mta_bucket_take(&b, 1, 0.375), 1);
}
END_TEST

/* ---- A constructed spool ---- */

static char tmpdir[256];
static char err[512];

static void
put(const char *rel, const char *data)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

/* A message: id, arrival, flags lines, tree line, recipients. */
static void
msg(const char *id, long t, const char *opts, const char *tree,
    const char *rcpts, int n)
{
	char name[64], buf[1024];

	snprintf(buf, sizeof(buf), "%s-H\nroot 0 0\n<s@x.example>\n%ld 0\n"
	    "%s%s\n%d\n%s\n007  X-A: 1\n", id, t, opts, tree, n, rcpts);
	snprintf(name, sizeof(name), "input/%s-H", id);
	put(name, buf);
	snprintf(name, sizeof(name), "input/%s-D", id);
	snprintf(buf, sizeof(buf), "%s-D\nbody\n", id);
	put(name, buf);
}

static void
setup(void)
{
	char path[512];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxtop-check-mta-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/input", tmpdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/msglog", tmpdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	msg("1tSm9A-000W7E-01", 1735689000, "", "XX",
	    "u1@a.example\nv1@b.example\n", 2);
	msg("1tSm9B-000W7E-02", 1735689100, "-frozen 1735689700\n", "XX",
	    "u2@b.example\n", 1);
	msg("1tSm9C-000W7E-03", 1735689200, "", "NN done@a.example",
	    "done@a.example\nu3@A.Example\n", 2);
	msg("1tSm9D-000W7E-04", 1735689300, "", "XX", "u4@c.example\n", 1);
}

static void
teardown(void)
{
	char cmd[600];

	/* Test scaffolding only. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct spool_snap *
snap(void)
{
	struct spool_snap *s = spool_scan(tmpdir, NULL, err, sizeof(err));

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_uint_eq(s->nmsgs, 4);
	return s;
}

START_TEST(plan_by_selection)
{
	struct spool_snap *s = snap();
	struct select *sel = select_new();
	struct plan *p;

	ck_assert_int_eq(select_add(sel, "domain", "a.example", err,
	    sizeof(err)), 0);
	p = plan_new(s, NULL, sel, 1735700000, PLAN_FLUSH, NULL, 0, 0, 0);
	ck_assert_uint_eq(p->n, 2);
	ck_assert_str_eq(p->items[0].id, "1tSm9A-000W7E-01");
	ck_assert_str_eq(p->items[1].id, "1tSm9C-000W7E-03");
	/* The selected recipients only; done@ is delivered. */
	ck_assert_uint_eq(p->nrcpts, 2);
	ck_assert_int_eq(p->oldest, 1735689000);
	ck_assert_int_eq(p->newest, 1735689200);
	ck_assert_uint_eq(p->ndomains, 1);
	ck_assert_str_eq(p->domains[0].name, "a.example");
	ck_assert_uint_eq(p->domains[0].msgs, 2);
	ck_assert_uint_eq(p->domains[0].rcpts, 2);
	ck_assert_uint_eq(p->domains[0].shared, 1);
	/* The selected recipients' domains; b.example is touched too. */
	ck_assert_str_eq(p->items[0].domains, "a.example");
	ck_assert_uint_eq(p->items[0].nsel, 1);
	ck_assert_uint_eq(p->items[0].nother, 1);
	ck_assert_uint_eq(p->nothers, 1);
	ck_assert_str_eq(p->others[0].name, "b.example");
	ck_assert_uint_ne(p->items[0].h_ino, 0);
	ck_assert_uint_eq(p->nfrozen, 0);
	plan_free(p);
	/* --max */
	p = plan_new(s, NULL, sel, 1735700000, PLAN_FLUSH, NULL, 0, 1, 0);
	ck_assert_uint_eq(p->n, 1);
	ck_assert_uint_eq(p->ncut, 1);
	plan_free(p);
	/* Everything. */
	p = plan_new(s, NULL, NULL, 1735700000, PLAN_FLUSH, NULL, 0, 0, 0);
	ck_assert_uint_eq(p->n, 4);
	ck_assert_uint_eq(p->nfrozen, 1);
	ck_assert_uint_eq(p->ndomains, 3);
	plan_free(p);
	select_free(sel);
	spool_snap_free(s);
}
END_TEST

START_TEST(plan_by_ids)
{
	struct spool_snap *s = snap();
	const char *ids[] = { "1tSm9D-000W7E-04", "1tSm9B-000W7E-02",
	    "1tSm9Z-000W7E-99", "1tSm9D-000W7E-04" };
	struct select *sel = select_new();
	struct plan *p;

	p = plan_new(s, NULL, NULL, 1735700000, PLAN_FLUSH, ids, 4, 0, 0);
	ck_assert_uint_eq(p->n, 2);		/* in the order given */
	ck_assert_str_eq(p->items[0].id, "1tSm9D-000W7E-04");
	ck_assert_str_eq(p->items[1].id, "1tSm9B-000W7E-02");
	ck_assert_uint_eq(p->nmissing, 1);
	ck_assert_uint_eq(p->nfrozen, 1);
	plan_free(p);
	/* The selection still applies. */
	ck_assert_int_eq(select_add(sel, "frozen", NULL, err, sizeof(err)),
	    0);
	p = plan_new(s, NULL, sel, 1735700000, PLAN_FLUSH, ids, 4, 0, 0);
	ck_assert_uint_eq(p->n, 1);
	ck_assert_str_eq(p->items[0].id, "1tSm9B-000W7E-02");
	plan_free(p);
	select_free(sel);
	/* An empty snapshot plans nothing. */
	p = plan_new(NULL, NULL, NULL, 0, PLAN_FLUSH, NULL, 0, 0, 0);
	ck_assert_uint_eq(p->n, 0);
	plan_free(p);
	spool_snap_free(s);
}
END_TEST

/* ---- The job, against a stand-in exim that answers like -Mf ---- */

static struct mta
fake_exim(const char *script)
{
	static char path[600];
	struct mta m = { path, NULL };
	char rel[64];

	snprintf(rel, sizeof(rel), "fake-exim");
	put(rel, script);
	snprintf(path, sizeof(path), "%s/fake-exim", tmpdir);
	ck_assert_int_eq(chmod(path, 0755), 0);
	return m;
}

static void
run(struct mta_job *j)
{
	int i;

	for (i = 0; i < 1000 && mta_job_step(j, 100) != 0; i++)
		;
	ck_assert_int_lt(i, 1000);
}

START_TEST(job_freeze_batches)
{
	struct mta m = fake_exim("#!/bin/sh\n"
	    "echo \"$@\" >> \"$(dirname \"$0\")/calls\"\n"
	    "shift\nfor i; do echo \"Message $i is now frozen\"; done\n");
	struct spool_snap *s = snap();
	struct plan *p = plan_new(s, NULL, NULL, 1735700000, PLAN_FLUSH, NULL, 0, 0, 0);
	struct mta_pace pace = { 0 };
	struct mta_job *j;
	const struct mta_item *it;
	struct mta_progress pr;
	size_t n, seen = 0;
	char path[600], calls[512];
	FILE *f;
	int lines = 0;

	/* One vanished since the plan, one changed since the plan. */
	snprintf(path, sizeof(path), "%s/input/1tSm9A-000W7E-01-H", tmpdir);
	ck_assert_int_eq(unlink(path), 0);
	p->items[1].h_mtime_ns++;
	pace.batch = 1;
	pace.parallel = 2;
	j = mta_job_new(&m, tmpdir, (p->act = PLAN_FREEZE, p), &pace);
	run(j);
	while ((it = mta_job_reap(j)) != NULL)
		seen++;
	ck_assert_uint_eq(seen, 4);
	it = mta_job_items(j, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(it[0].result, MTA_R_GONE);
	ck_assert_int_eq(it[1].result, MTA_R_GONE);
	ck_assert_ptr_nonnull(strstr(it[1].detail, "changed"));
	ck_assert_int_eq(it[2].result, MTA_R_DONE);
	ck_assert_str_eq(it[2].detail, "Message 1tSm9C-000W7E-03 is now "
	    "frozen");
	ck_assert_int_eq(it[3].result, MTA_R_DONE);
	mta_job_progress(j, &pr);
	ck_assert_uint_eq(pr.finished, 4);
	ck_assert_uint_eq(pr.n[MTA_R_DONE], 2);
	ck_assert_uint_eq(pr.running, 0);
	mta_job_free(j);
	/* batch 1: two processes, each with one id. */
	snprintf(path, sizeof(path), "%s/calls", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(calls, sizeof(calls), f) != NULL) {
		ck_assert_ptr_nonnull(strstr(calls, "-Mf 1tSm9"));
		lines++;
	}
	fclose(f);
	ck_assert_int_eq(lines, 2);
	plan_free(p);
	spool_snap_free(s);
}
END_TEST

START_TEST(job_silent_failure_and_cancel)
{
	struct mta m = fake_exim("#!/bin/sh\necho 'exim: permission denied' "
	    ">&2\nsleep 0.3\nexit 1\n");
	struct spool_snap *s = snap();
	struct plan *p = plan_new(s, NULL, NULL, 1735700000, PLAN_FLUSH, NULL, 0, 0, 0);
	struct mta_pace pace = { 0 };
	struct mta_job *j;
	const struct mta_item *it;
	struct mta_progress pr;
	size_t n;

	pace.rate = 1;		/* one a second: the first starts at once */
	pace.batch = 1;
	j = mta_job_new(&m, tmpdir, (p->act = PLAN_THAW, p), &pace);
	ck_assert_int_eq(mta_job_step(j, 0), 1);
	mta_job_progress(j, &pr);
	ck_assert_uint_eq(pr.running, 1);
	mta_job_cancel(j, "interrupted");
	run(j);
	it = mta_job_items(j, &n);
	ck_assert_int_eq(it[0].result, MTA_R_FAILED);
	ck_assert_str_eq(it[0].detail, "exim: permission denied");
	ck_assert_int_eq(it[1].result, MTA_R_SKIPPED);
	ck_assert_str_eq(it[3].detail, "interrupted");
	mta_job_progress(j, &pr);
	ck_assert_int_eq(pr.stopping, 1);
	ck_assert_str_eq(pr.stop_reason, "interrupted");
	mta_job_free(j);
	plan_free(p);
	spool_snap_free(s);
}
END_TEST

START_TEST(job_flush_results)
{
	/* Delivers the first (removes its files, as Exim would), defers
	 * the others with a tarpit line in their msglog. */
	struct mta m = fake_exim("#!/bin/sh\n"
	    "d=$(dirname \"$0\"); id=$4\n"
	    "case $id in *-01) rm -f \"$d/input/$id-H\" \"$d/input/$id-D\";;\n"
	    "*) echo \"2025-01-01 00:00:00 u@a.example R=relay "
	    "T=remote_smtp defer (110): Connection timed out H=p.a.example "
	    "[192.0.2.1]: SMTP timeout after initial connection\" >> "
	    "\"$d/msglog/$id\";;\nesac\n");
	struct spool_snap *s = snap();
	struct plan *p = plan_new(s, NULL, NULL, 1735700000, PLAN_FLUSH, NULL, 0, 0, 0);
	struct mta_pace pace = { 0 };
	struct mta_job *j;
	const struct mta_item *it;
	const struct mta_rate_point *rp;
	size_t n, nrp;

	pace.adaptive = 1;
	pace.rate = 100;
	pace.parallel = 1;
	j = mta_job_new(&m, tmpdir, (p->act = PLAN_FLUSH, p), &pace);
	run(j);
	it = mta_job_items(j, &n);
	ck_assert_int_eq(it[0].result, MTA_R_DONE);
	ck_assert_int_eq(it[1].result, MTA_R_DEFERRED);
	ck_assert_int_eq(it[1].cls, 2);	/* CLASS_TARPIT */
	ck_assert_ptr_nonnull(strstr(it[1].detail, "SMTP timeout"));
	ck_assert_int_eq(it[3].result, MTA_R_DEFERRED);
	/* 100/s, then halved for each of three tarpit deferrals. */
	rp = mta_job_rates(j, &nrp);
	ck_assert_uint_eq(nrp, 4);
	ck_assert(rp[0].rate == 100 && rp[3].rate == 12.5);
	mta_job_free(j);
	plan_free(p);
	spool_snap_free(s);
}
END_TEST

static Suite *
mta_suite(void)
{
	Suite *s = suite_create("mta");
	TCase *tc;

	tc = tcase_create("words");
	tcase_add_loop_test(tc, parse_lines, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, names);
	tcase_add_test(tc, argv_build);
	tcase_add_test(tc, argv_quote);
	suite_add_tcase(s, tc);

	tc = tcase_create("bucket");
	tcase_add_test(tc, bucket_rate);
	tcase_add_test(tc, bucket_burst_unlimited);
	suite_add_tcase(s, tc);

	tc = tcase_create("plan");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plan_by_selection);
	tcase_add_test(tc, plan_by_ids);
	suite_add_tcase(s, tc);

	tc = tcase_create("job");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, job_freeze_batches);
	tcase_add_test(tc, job_silent_failure_and_cancel);
	tcase_add_test(tc, job_flush_results);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mta_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
