/* check_stats.c -- per-domain figures and each message's last attempt,
 * on small spools built in a temporary directory. */
#include "model/stats.h"
#include "model/classify.h"
#include "exim/spool.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

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

static void
setup(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/mxtop-stats-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/input", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/msglog", dir);
	mkdir(path, 0755);
	put("input/1tSm9Y-000W7E-84-H", "1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n"
	    "1735689600 0\nXX\n2\nx@one.example\ny@two.example\n\n", 0);
	put("input/1tSm9Y-000W7E-84-D", "1tSm9Y-000W7E-84-D\nbody\n", 0);
	put("msglog/1tSm9Y-000W7E-84", "2025-01-01 00:00:00 Received from "
	    "a@b H=(h) [192.0.2.1] P=esmtp S=10\n"
	    "2025-01-01 00:00:05 x@one.example R=r T=t defer (111): "
	    "Connection refused\n", 0);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A rescan reads only what a msglog gained, and keeps the last failed
 * attempt when nothing new failed. */
START_TEST(msglog_refresh)
{
	char err[128];
	struct spool_snap *s1, *s2, *s3;
	struct stats_msglogs *m1, *m2, *m3;

	s1 = spool_scan(dir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s1);
	m1 = stats_read_msglogs(s1);
	ck_assert_int_eq(stats_msglog(m1, 0)->cls, CLASS_OFFLINE);
	ck_assert_int_eq(s1->msgs[0].cls, CLASS_OFFLINE);

	/* Nothing new: the record is carried over. */
	s2 = spool_scan(dir, NULL, err, sizeof(err));
	m2 = stats_refresh_msglogs(s2, s1, m1);
	ck_assert_int_eq(stats_msglog(m2, 0)->cls, CLASS_OFFLINE);
	ck_assert_str_eq(stats_msglog(m2, 0)->text, "Connection refused");

	/* A new deferral, and half a line still being written. */
	put("msglog/1tSm9Y-000W7E-84", "2025-01-01 01:00:00 x@one.example "
	    "R=r T=t defer (110): Connection timed out H=h [192.0.2.9]: SMTP "
	    "timeout after initial connection\n2025-01-01 01:00:01 y@two", 1);
	s3 = spool_scan(dir, NULL, err, sizeof(err));
	m3 = stats_refresh_msglogs(s3, s2, m2);
	ck_assert_int_eq(stats_msglog(m3, 0)->cls, CLASS_TARPIT);
	ck_assert_int_eq(s3->msgs[0].cls, CLASS_TARPIT);
	stats_msglogs_free(m1);
	stats_msglogs_free(m2);
	spool_snap_free(s1);
	spool_snap_free(s2);

	/* The rest of the half line arrives: it is read whole. */
	put("msglog/1tSm9Y-000W7E-84", "@two.example R=r T=t defer (-44) "
	    "H=h [192.0.2.9]: SMTP error from remote mail server after RCPT "
	    "TO:<y@two.example>: 450 4.1.1 mailbox unavailable\n", 1);
	s1 = spool_scan(dir, NULL, err, sizeof(err));
	m1 = stats_refresh_msglogs(s1, s3, m3);
	ck_assert_int_eq(stats_msglog(m1, 0)->cls, CLASS_SOFTREJECT);
	stats_msglogs_free(m1);
	stats_msglogs_free(m3);
	spool_snap_free(s1);
	spool_snap_free(s3);
}
END_TEST

/* Diagnosing again reads only what the main log gained, and neither
 * loses nor double-counts what was read before. */
START_TEST(log_more)
{
	struct stats_diag_opts o;
	struct stats_logstate *ls = stats_logstate_new();
	struct spool_snap *sn;
	struct stats *st;
	char err[128], path[128];
	const struct stats_diag *d;

	snprintf(path, sizeof(path), "%s/log", dir);
	mkdir(path, 0755);
	put("log/mainlog", "2025-01-01 00:00:05 1tSm9Y-000W7E-84 == "
	    "x@one.example R=r T=t defer (111): Connection refused\n"
	    "2025-01-01 00:10:05 1tSm9Y-000W7E-84 == x@one.example R=r T=t "
	    "defer (111): Connection refused\n", 0);
	sn = spool_scan(dir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(sn);
	memset(&o, 0, sizeof(o));
	o.log = path;
	o.since = 1735600000;
	o.threshold = 0.5;
	o.min_samples = 1;

	st = stats_build(sn, NULL, 1735700000);
	ck_assert_int_eq(stats_diagnose_more(st, sn, &o, ls, err,
	    sizeof(err)), 0);
	d = &st->domains[0].diag;
	ck_assert_str_eq(st->domains[0].name, "one.example");
	ck_assert_uint_eq(d->classes[CLASS_OFFLINE], 2);
	ck_assert_uint_eq(st->log_lines, 2);
	stats_free(st);

	put("log/mainlog", "2025-01-01 01:00:00 1tSm9Y-000W7E-84 == "
	    "x@one.example R=r T=t defer (110): Connection timed out H=h "
	    "[192.0.2.9]: SMTP timeout after initial connection\n", 1);
	st = stats_build(sn, NULL, 1735700000);
	ck_assert_int_eq(stats_diagnose_more(st, sn, &o, ls, err,
	    sizeof(err)), 0);
	d = &st->domains[0].diag;
	ck_assert_uint_eq(d->classes[CLASS_OFFLINE], 2);
	ck_assert_uint_eq(d->classes[CLASS_TARPIT], 1);
	ck_assert_uint_eq(d->samples, 3);
	ck_assert_int_eq(d->cls, CLASS_TARPIT);	/* the primary answered */
	ck_assert_uint_eq(st->log_lines, 3);
	ck_assert_str_eq(d->evidence[0].text, "Connection timed out "
	    "H=h [192.0.2.9]: SMTP timeout after initial connection");
	stats_logstate_free(ls);
	/* The evidence was copied into st: still readable. */
	ck_assert_int_eq(d->evidence[1].cls, CLASS_OFFLINE);
	ck_assert_str_eq(d->evidence[1].text, "Connection refused");
	stats_free(st);
	spool_snap_free(sn);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("msglogs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, msglog_refresh);
	tcase_add_test(tc, log_more);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(stats_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
