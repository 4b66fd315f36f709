/* check_history.c -- msglog parsing, whole and incremental. */
#include "exim/history.h"

#include "model/classify.h"

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Shapes from exim-spool.md section 6, including the glued "Process
 * failed" entry (no newline) and untimestamped lines. */
static const char ml1[] =
    "2025-01-01 00:00:01 Received from alice@sender.example H=mail.sender."
    "example [192.0.2.10] P=esmtps S=2969 id=abc@sender.example\n"
    "2025-01-01 00:00:01 no immediate delivery: queued by ACL\n"
    "2025-01-01 00:15:00 H=mx1.example.net [192.0.2.25] Connection "
    "refused\n"
    "2025-01-01 00:15:00 bob@example.net R=dnslookup T=remote_smtp defer "
    "(111): Connection refused\n"
    "2025-01-01 00:15:00 carol@example.net R=dnslookup T=remote_smtp "
    "defer (111): Connection refused\n"
    "2025-01-01 00:30:00 bob@example.net R=dnslookup T=remote_smtp defer "
    "(110): Connection timed out H=mx1.example.net [192.0.2.25]: SMTP "
    "timeout after EHLO relay.example\n"
    "2025-01-01 00:30:00 carol@example.net R=dnslookup T=remote_smtp "
    "defer (-54): retry time not reached for any host for 'example.net'\n"
    "2025-01-01 00:45:00 bob@example.net R=dnslookup T=remote_smtp defer "
    "(-44) H=mx1.example.net [192.0.2.25]: SMTP error from remote mail "
    "server after RCPT TO:<bob@example.net>: 450 4.1.1 <bob@example.net>: "
    "Recipient address rejected: User unknown\n"
    "2025-01-01 01:00:00 bob@example.net R=dnslookup T=remote_smtp H=mx1."
    "example.net [192.0.2.25] : SMTP error from remote mail server after "
    "RCPT TO:<bob@example.net>: 550 5.1.1 User unknown DT=1s\n"
    "2025-01-01 01:00:00 routing failed for dave@loop.example : Too many "
    "\"Received\" headers - suspected mail loop\n"
    "Process failed (1) when writing error message to alice@sender.example "
    "(frozen)"
    "*** Frozen (delivery error message)\n"
    "2025-01-01 02:00:00 carol@example.net: remote_smtp transport "
    "succeeded\n"
    "Delivery deferred by system filter\n"
    "2025-01-01 03:00:00 erin@example.net: retry timeout exceeded\n"
    "Process failed (1) when writing error message to x@y.example"
    "2025-01-01 03:00:01 H=mx2.example.net [192.0.2.26]: SMTP timeout "
    "after initial connection: Connection timed out\n"
    "2025-01-01 03:00:01 frank@example.net R=dnslookup T=remote_smtp "
    "defer (110): Connection timed out\n"
    "Process failed (1) when writing error message to z@y.example";

struct want {
	enum logline_kind	 kind;
	enum class_id		 cls;
	const char		*addr;
	const char		*host;
	time_t			 time;
};

static const struct want want1[] = {
	{ LL_RECEIVED, CLASS_NONE, NULL, NULL, 1735689601 },
	{ LL_NOTE, CLASS_NONE, NULL, NULL, 1735689601 },
	{ LL_HOSTERR, CLASS_OFFLINE, NULL, "mx1.example.net [192.0.2.25]",
	  1735690500 },
	{ LL_DEFER, CLASS_OFFLINE, "bob@example.net",
	  "mx1.example.net [192.0.2.25]", 1735690500 },
	{ LL_DEFER, CLASS_OFFLINE, "carol@example.net",
	  "mx1.example.net [192.0.2.25]", 1735690500 },
	{ LL_DEFER, CLASS_TARPIT, "bob@example.net",
	  "mx1.example.net [192.0.2.25]", 1735691400 },
	{ LL_SKIP, CLASS_NONE, "carol@example.net", NULL, 1735691400 },
	{ LL_DEFER, CLASS_SOFTREJECT, "bob@example.net",
	  "mx1.example.net [192.0.2.25]", 1735692300 },
	{ LL_FAIL, CLASS_HARDREJECT, "bob@example.net",
	  "mx1.example.net [192.0.2.25]", 1735693200 },
	{ LL_FAIL, CLASS_LOOP, "dave@loop.example", NULL, 1735693200 },
	{ LL_BOUNCEFAIL, CLASS_NONE, "alice@sender.example", NULL, 0 },
	{ LL_FROZEN, CLASS_NONE, NULL, NULL, 0 },
	{ LL_DELIVER, CLASS_NONE, "carol@example.net", NULL, 1735696800 },
	{ LL_NOTE, CLASS_NONE, NULL, NULL, 0 },
	{ LL_EXPIRED, CLASS_NONE, "erin@example.net", NULL, 1735700400 },
	{ LL_BOUNCEFAIL, CLASS_NONE, "x@y.example", NULL, 0 },
	{ LL_HOSTERR, CLASS_TARPIT, NULL, "mx2.example.net [192.0.2.26]",
	  1735700401 },
	{ LL_DEFER, CLASS_OFFLINE, "frank@example.net",
	  "mx2.example.net [192.0.2.26]", 1735700401 },
	{ LL_BOUNCEFAIL, CLASS_NONE, "z@y.example", NULL, 0 },
};

static void
same_str(const char *a, const char *b, size_t i, const char *what)
{
	if (a == NULL || b == NULL)
		ck_assert_msg(a == b, "event %zu %s: %s vs %s", i, what,
		    a ? a : "NULL", b ? b : "NULL");
	else
		ck_assert_msg(strcmp(a, b) == 0, "event %zu %s: %s vs %s", i,
		    what, a, b);
}

static void
check1(const struct history *h)
{
	size_t	 i, n = sizeof(want1) / sizeof(want1[0]);

	ck_assert_uint_eq(h->n, n);
	for (i = 0; i < n; i++) {
		const struct history_event	*e = &h->ev[i];
		const struct want		*w = &want1[i];

		ck_assert_msg(e->kind == w->kind, "event %zu kind %d want %d: "
		    "%s", i, e->kind, w->kind, e->line);
		ck_assert_msg(class_of_event(e->kind, e->text, strlen(e->text)) == w->cls, "event %zu class %s want %s: "
		    "%s", i, class_name(class_of_event(e->kind, e->text, strlen(e->text))), class_name(w->cls), e->line);
		same_str(e->addr, w->addr, i, "addr");
		same_str(e->host, w->host, i, "host");
		ck_assert_msg(e->time == w->time, "event %zu time %lld", i,
		    (long long)e->time);
		ck_assert_ptr_nonnull(e->text);
	}
	/* 4 deferrals, 2 failures, 1 delivery, 1 deferral after it. */
	ck_assert_uint_eq(h->attempts, 8);
	ck_assert_int_eq(h->frozen, 0);
}

START_TEST(t_whole)
{
	struct history	 h;

	history_parse(&h, ml1, sizeof(ml1) - 1);
	check1(&h);
	ck_assert_uint_eq(h.fed, sizeof(ml1) - 1);
	ck_assert_str_eq(h.ev[3].text, "Connection refused");
	ck_assert_str_eq(h.ev[8].text, "SMTP error from remote mail server "
	    "after RCPT TO:<bob@example.net>: 550 5.1.1 User unknown DT=1s");
	ck_assert_str_eq(h.ev[11].line, "*** Frozen (delivery error message)");
	history_done(&h);
}
END_TEST

/* Feeding in two pieces, split at every offset, gives the same result. */
START_TEST(t_split)
{
	struct history	 h;
	size_t		 cut, len = sizeof(ml1) - 1;

	for (cut = 0; cut <= len; cut++) {
		history_init(&h);
		history_feed(&h, ml1, cut);
		history_feed(&h, ml1 + cut, len - cut);
		check1(&h);
		history_done(&h);
	}
}
END_TEST

START_TEST(t_bytes)
{
	struct history	 h;
	size_t		 i, len = sizeof(ml1) - 1;

	history_init(&h);
	for (i = 0; i < len; i++)
		history_feed(&h, ml1 + i, 1);
	check1(&h);
	history_done(&h);
}
END_TEST

START_TEST(t_frozen)
{
	static const char	 ml[] =
	    "2025-01-01 00:00:01 bob@example.net R=dnslookup defer (-1): "
	    "lowest numbered MX record points to local host\n"
	    "*** Frozen\n";
	struct history		 h;

	history_parse(&h, ml, sizeof(ml) - 1);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_int_eq(h.ev[0].kind, LL_DEFER);
	ck_assert_int_eq(class_of_event(h.ev[0].kind, h.ev[0].text, strlen(h.ev[0].text)), CLASS_DNS);
	ck_assert_int_eq(h.ev[1].kind, LL_FROZEN);
	ck_assert_int_eq(h.frozen, 1);
	history_done(&h);
}
END_TEST

/* Real Exim 4.96 msglog lines (the sample spool): "H=host [ip]: text"
 * on a failure, and "routing failed for <addr>: text". */
START_TEST(t_exim496)
{
	static const char	 ml[] =
	    "2025-11-07 08:40:02 carol@litware.example R=relay T=remote_smtp "
	    "H=127.0.1.11 [127.0.1.11]*: SMTP error from remote mail server "
	    "after RCPT TO:<carol@litware.example>: 550 5.7.1 Service "
	    "unavailable; client [127.0.0.1] blocked using zen.spamhaus.example\n"
	    "2025-11-06 16:00:05 routing failed for postmaster@woodgrove.example"
	    ": Too many \"Received\" headers - suspected mail loop\n";
	struct history		 h;

	history_parse(&h, ml, sizeof(ml) - 1);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_int_eq(h.ev[0].kind, LL_FAIL);
	ck_assert_int_eq(class_of_event(h.ev[0].kind, h.ev[0].text, strlen(h.ev[0].text)), CLASS_BLOCKED);
	ck_assert_str_eq(h.ev[0].addr, "carol@litware.example");
	ck_assert_str_eq(h.ev[0].host, "127.0.1.11 [127.0.1.11]");
	ck_assert_int_eq(h.ev[1].kind, LL_FAIL);
	ck_assert_int_eq(class_of_event(h.ev[1].kind, h.ev[1].text, strlen(h.ev[1].text)), CLASS_LOOP);
	ck_assert_str_eq(h.ev[1].addr, "postmaster@woodgrove.example");
	ck_assert_uint_eq(h.attempts, 2);
	history_done(&h);
}
END_TEST

START_TEST(t_garbage)
{
	char		 buf[4096];
	struct history	 h;
	size_t		 i;
	unsigned	 x = 1;

	for (i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (char)(x >> 16);
		if (i % 97 == 0)
			memcpy(buf + i, "Process failed (", i + 16 <
			    sizeof(buf) ? 16 : 0);
	}
	history_parse(&h, buf, sizeof(buf));
	history_feed(&h, "\n2025-01-01 00:00:00 ", 21);
	history_feed(&h, "a defer (", 9);
	history_feed(&h, ")\n H=[ \n", 8);
	history_done(&h);
}
END_TEST

START_TEST(t_read)
{
	char		 dir[] = "/tmp/mxtop-hist-XXXXXX", path[256], real[256];
	const char	*id = "1tSm9Y-00000000W7E-132G";
	struct history	 h;
	FILE		*f;
	long		 r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/msglog", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	history_init(&h);
	errno = 0;
	ck_assert_int_eq(history_read(&h, dir, id), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(history_read(&h, dir, "../../etc/passwd"), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* Split spool: msglog/<id[5]>/<id>. */
	snprintf(path, sizeof(path), "%s/msglog/Y", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/msglog/Y/%s", dir, id);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(ml1, 1, 300, f);
	fflush(f);
	r = history_read(&h, dir, id);
	ck_assert_int_eq(r, 300);
	ck_assert_int_eq(history_read(&h, dir, id), 0);
	fwrite(ml1 + 300, 1, sizeof(ml1) - 1 - 300, f);
	fclose(f);
	r = history_read(&h, dir, id);
	ck_assert_int_eq(r, (long)(sizeof(ml1) - 1 - 300));
	check1(&h);
	history_done(&h);
	/* Told where the -H is, that layout first, the other after. */
	history_init(&h);
	ck_assert_int_eq(history_read_in(&h, dir, id, 'Y'),
	    (long)(sizeof(ml1) - 1));
	check1(&h);
	history_done(&h);
	snprintf(real, sizeof(real), "%s/msglog/%s", dir, id);
	ck_assert_int_eq(rename(path, real), 0);
	history_init(&h);
	ck_assert_int_eq(history_read_in(&h, dir, id, 'Y'),
	    (long)(sizeof(ml1) - 1));
	check1(&h);
	history_done(&h);
	ck_assert_int_eq(rename(real, path), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/msglog/Y", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/msglog", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

/* What is not a regular file in msglog/ is never read: a symlink (to a
 * file that reads as a msglog, or to any file root can read), a FIFO
 * (must not block), a directory. */
START_TEST(t_not_a_file)
{
	char		 dir[] = "/tmp/mxtop-hist-XXXXXX", path[256], real[256];
	const char	*id = "1tSm9Y-00000000W7E-132G";
	struct history	 h;
	FILE		*f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/msglog", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(real, sizeof(real), "%s/elsewhere", dir);
	f = fopen(real, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(ml1, 1, sizeof(ml1) - 1, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/msglog/%s", dir, id);
	ck_assert_int_eq(symlink(real, path), 0);
	history_init(&h);
	errno = 0;
	ck_assert_int_eq(history_read(&h, dir, id), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_uint_eq(h.n, 0);
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(history_read(&h, dir, id), -1);
	ck_assert_int_eq(errno, EINVAL);
	unlink(path);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(history_read(&h, dir, id), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(h.n, 0);
	rmdir(path);
	/* The same file, itself in place: read. */
	ck_assert_int_eq(rename(real, path), 0);
	ck_assert_int_eq(history_read(&h, dir, id), (long)(sizeof(ml1) - 1));
	check1(&h);
	history_done(&h);
	unlink(path);
	snprintf(path, sizeof(path), "%s/msglog", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("history");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, t_whole);
	tcase_add_test(tc, t_frozen);
	tcase_add_test(tc, t_garbage);
	tcase_add_test(tc, t_exim496);
	suite_add_tcase(s, tc);
	tc = tcase_create("incremental");
	tcase_add_test(tc, t_split);
	tcase_add_test(tc, t_bytes);
	tcase_add_test(tc, t_read);
	tcase_add_test(tc, t_not_a_file);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 nf;

	setenv("TZ", "UTC", 1);
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
