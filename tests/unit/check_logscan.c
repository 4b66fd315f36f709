/* check_logscan.c -- main-log lines, rotated .gz files, following. */
#include "exim/logscan.h"

#include "model/classify.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#ifndef DATADIR
#define DATADIR	"tests/data/logs"
#endif

struct row {
	const char		*line;
	int			 rc;
	enum logline_kind	 kind;
	enum class_id		 cls;
	time_t			 t;
	const char		*id, *addr, *domain, *host;
};

/* TZ is UTC.  1735689600 is 2025-01-01 00:00:00. */
static const struct row rows[] = {
	/* log_selector variants of one deferral (exim-spool.md 7.1, 7.9) */
	{ "2025-01-01 00:00:05 1tSm9Y-00000000W7E-132G == x@y R=all "
	  "T=remote_smtp defer (111): Connection refused", 1, LL_DEFER,
	  CLASS_OFFLINE, 1735689605, "1tSm9Y-00000000W7E-132G", "x@y", "y",
	  "" },
	{ "2025-01-01 00:00:05.123 1tSm9Y-00000000W7E-132G == x@y R=all "
	  "T=remote_smtp defer (111): Connection refused", 1, LL_DEFER,
	  CLASS_OFFLINE, 1735689605, "1tSm9Y-00000000W7E-132G", "x@y", "y",
	  "" },
	{ "2025-01-01 01:00:05 +0100 1tSm9Y-00000000W7E-132G == x@y R=all "
	  "T=remote_smtp defer (111): Connection refused", 1, LL_DEFER,
	  CLASS_OFFLINE, 1735689605, "1tSm9Y-00000000W7E-132G", "x@y", "y",
	  "" },
	{ "2024-12-31 19:00:05.999 -0500 [12345] 1tSm9Y-000W7E-84 == x@Y.Ex "
	  "R=all T=remote_smtp defer (111): Connection refused", 1,
	  LL_DEFER, CLASS_OFFLINE, 1735689605, "1tSm9Y-000W7E-84",
	  "x@Y.Ex", "y.ex", "" },
	{ "2025-01-01 00:00:05 [12345] == x@y R=all T=remote_smtp defer "
	  "(111): Connection refused", 1, LL_DEFER, CLASS_OFFLINE,
	  1735689605, "", "x@y", "y", "" },
	/* "==" shapes of 7.4 */
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == userx@domain1.com "
	  "R=all T=smtp defer (110): Connection timed out H=127.0.0.1 "
	  "[127.0.0.1]: SMTP timeout after EHLO myhost.test.ex", 1,
	  LL_DEFER, CLASS_TARPIT, 1735689600, "1tSm9Y-00000000W7E-132G",
	  "userx@domain1.com", "domain1.com", "127.0.0.1 [127.0.0.1]" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == x@y R=r1 T=smtp "
	  "defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail "
	  "server after RCPT TO:<x@y>: 451 Temporary error", 1, LL_DEFER,
	  CLASS_SOFTREJECT, 1735689600, "1tSm9Y-00000000W7E-132G", "x@y", "y",
	  "127.0.0.1 [127.0.0.1]" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == x@y R=r1 T=smtp "
	  "defer (-46) H=mx.y [192.0.2.1]:2525* DT=3m45s: SMTP error from "
	  "remote mail server after initial connection: 421 Too many "
	  "connections", 1, LL_DEFER, CLASS_RATELIMIT, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "x@y", "y", "mx.y [192.0.2.1]:2525" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == userx@simple R=all "
	  "T=smtp defer (-54): retry time not reached for any host for "
	  "'simple'", 1, LL_SKIP, CLASS_NONE, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "userx@simple", "simple", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == defer@test.ex "
	  "routing defer (-52): retry time not reached", 1, LL_SKIP,
	  CLASS_NONE, 1735689600, "1tSm9Y-00000000W7E-132G", "defer@test.ex",
	  "test.ex", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == d@test.ex R=smart "
	  "T=local_delivery defer (-53): Retry time not yet reached", 1,
	  LL_SKIP, CLASS_NONE, 1735689600, "1tSm9Y-00000000W7E-132G",
	  "d@test.ex", "test.ex", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == userx@not.test.ex "
	  "R=islocal defer (-1): remote host address is the local host", 1,
	  LL_DEFER, CLASS_DNS, 1735689600, "1tSm9Y-00000000W7E-132G",
	  "userx@not.test.ex", "not.test.ex", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == b@x R=dnslookup "
	  "defer (-1): host lookup did not complete", 1, LL_DEFER,
	  CLASS_DNS, 1735689600, "1tSm9Y-00000000W7E-132G", "b@x", "x", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == msg1@test.ex "
	  "R=drain_q T=send_to_server defer (-18) H=127.0.0.1 [127.0.0.1]: "
	  "Remote host closed connection in response to initial connection",
	  1, LL_DEFER, CLASS_RATELIMIT, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "msg1@test.ex", "test.ex",
	  "127.0.0.1 [127.0.0.1]" },
	/* "**" shapes of 7.5 */
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** c@test.ex R=client "
	  "T=send_to_server H=127.0.0.1 [127.0.0.1] : SMTP error from remote "
	  "mail server after RCPT TO:<c@test.ex>: 550 Perm error", 1,
	  LL_FAIL, CLASS_HARDREJECT, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "c@test.ex", "test.ex",
	  "127.0.0.1 [127.0.0.1]" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** a@test.ex : "
	  "Unrouteable address", 1, LL_FAIL, CLASS_DNS, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "a@test.ex", "test.ex", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** userx@test.ex R=r1 "
	  "T=t1 : all hosts for 'test.ex' have been failing for a long time "
	  "(and retry time not reached) DT=0s", 1, LL_FAIL, CLASS_OFFLINE,
	  1735689600, "1tSm9Y-00000000W7E-132G", "userx@test.ex", "test.ex",
	  "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** userx@myhost.test.ex "
	  ": Too many \"Received\" headers - suspected mail loop", 1,
	  LL_FAIL, CLASS_LOOP, 1735689600, "1tSm9Y-00000000W7E-132G",
	  "userx@myhost.test.ex", "myhost.test.ex", "" },
	/* Real Exim 4.96 lines from the sample spool's log: "]*: " after
	 * the host on a failure, and the short form of a loop failure. */
	{ "2025-11-06 10:00:04 1vGjfl-0004ML-1m ** junk745@wingtip.example "
	  "R=relay T=remote_smtp H=127.0.1.12 [127.0.1.12]*: SMTP error from "
	  "remote mail server after RCPT TO:<junk745@wingtip.example>: 550 "
	  "5.1.1 <junk745@wingtip.example>: Recipient address rejected: User "
	  "unknown in virtual mailbox table", 1, LL_FAIL,
	  CLASS_HARDREJECT, 1762423204, "1vGjfl-0004ML-1m",
	  "junk745@wingtip.example", "wingtip.example",
	  "127.0.1.12 [127.0.1.12]" },
	{ "2025-11-07 08:40:02 1vGbFB-0002iw-1h ** carol@litware.example "
	  "R=relay T=remote_smtp H=127.0.1.11 [127.0.1.11]: SMTP error from "
	  "remote mail server after RCPT TO:<carol@litware.example>: 550 5.7.1 "
	  "Service unavailable; client [127.0.0.1] blocked using "
	  "zen.spamhaus.example", 1, LL_FAIL, CLASS_BLOCKED, 1762504802,
	  "1vGbFB-0002iw-1h", "carol@litware.example", "litware.example",
	  "127.0.1.11 [127.0.1.11]" },
	{ "2025-11-06 10:00:05 1vGwmh-0005Wq-1Y ** dave@woodgrove.example: Too "
	  "many \"Received\" headers - suspected mail loop", 1, LL_FAIL,
	  CLASS_LOOP, 1762423205, "1vGwmh-0005Wq-1Y", "dave@woodgrove.example",
	  "woodgrove.example", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** b@known.ex: retry "
	  "timeout exceeded", 1, LL_EXPIRED, CLASS_NONE, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "b@known.ex", "known.ex", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** b@known.ex "
	  "<p@known.ex>: retry timeout exceeded", 1, LL_EXPIRED,
	  CLASS_NONE, 1735689600, "1tSm9Y-00000000W7E-132G", "b@known.ex",
	  "known.ex", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** a@x.example : all "
	  "relevant MX records point to non-existent hosts or (invalidly) to "
	  "IP addresses", 1, LL_FAIL, CLASS_DNS, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "a@x.example", "x.example", "" },
	/* successes (7.3) */
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G => bob@example.net "
	  "R=dnslookup T=remote_smtp H=mx1.example.net [192.0.2.25] "
	  "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 2.0.0 Ok: "
	  "queued as 4YQ2\" QT=2h31m DT=0.412s", 1, LL_DELIVER,
	  CLASS_NONE, 1735689600, "1tSm9Y-00000000W7E-132G", "bob@example.net",
	  "example.net", "mx1.example.net [192.0.2.25]" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G -> c@example.net "
	  "R=dnslookup T=remote_smtp H=mx1.example.net DS [192.0.2.25]* "
	  "C=\"250 ok\"", 1, LL_DELIVER, CLASS_NONE, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "c@example.net", "example.net",
	  "mx1.example.net" },
	/* per-host, frozen, completed, misconfiguration (7.4, 7.6, 7.8) */
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G H=mx1.example.net "
	  "[192.0.2.25] Connection refused", 1, LL_HOSTERR, CLASS_OFFLINE,
	  1735689600, "1tSm9Y-00000000W7E-132G", "", "",
	  "mx1.example.net [192.0.2.25]" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G H=127.0.0.1 "
	  "[127.0.0.1]:25: SMTP timeout after EHLO x: Connection timed out", 1,
	  LL_HOSTERR, CLASS_TARPIT, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "", "", "127.0.0.1 [127.0.0.1]:25" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G Frozen (delivery error "
	  "message)", 1, LL_FROZEN, CLASS_NONE, 1735689600,
	  "1tSm9Y-00000000W7E-132G", "", "", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G frozen by root", 1,
	  LL_FROZEN, CLASS_NONE, 1735689600, "1tSm9Y-00000000W7E-132G",
	  "", "", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G Completed QT=1h", 1,
	  LL_COMPLETED, CLASS_NONE, 1735689600, "1tSm9Y-00000000W7E-132G",
	  "", "", "" },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G lowest numbered MX "
	  "record points to local host: example.net", 1, LL_MISCONFIG,
	  CLASS_DNS, 1735689600, "1tSm9Y-00000000W7E-132G", "", "example.net",
	  "" },
	{ "2025-01-01 00:00:00 lowest numbered MX record points to local "
	  "host: Example.net (while verifying <a@example.net> from host "
	  "x [192.0.2.1])", 1, LL_MISCONFIG, CLASS_DNS, 1735689600, "", "",
	  "example.net", "" },
	/* callouts (7.7) */
	{ "2025-01-01 00:00:00 H=(test) [10.0.0.3] U=root "
	  "F=<uncheckable@localhost1> rejected RCPT <z@remote.domain>: "
	  "127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after "
	  "RCPT TO:<z@remote.domain>: 550 Recipient not liked", 1,
	  LL_CALLOUT_REJECT, CLASS_HARDREJECT, 1735689600, "",
	  "z@remote.domain", "remote.domain", "127.0.0.1 [127.0.0.1]" },
	{ "2025-01-01 00:00:00 U=CALLER F=<userg@ok.example> temporarily "
	  "rejected RCPT <userg@test.ex>: Could not complete recipient verify "
	  "callout: 127.0.0.1 [127.0.0.1] : SMTP error from remote mail server "
	  "after RCPT TO:<userg@test.ex>: 451 not right now", 1,
	  LL_CALLOUT_DEFER, CLASS_SOFTREJECT, 1735689600, "",
	  "userg@test.ex", "test.ex", "127.0.0.1 [127.0.0.1]" },
	{ "2025-01-01 00:00:00 U=CALLER F=<x11@two.test.ex> temporarily "
	  "rejected RCPT r11@two.test.ex: Could not complete recipient verify "
	  "callout: 127.0.0.1 [127.0.0.1] : SMTP timeout after initial "
	  "connection", 1, LL_CALLOUT_DEFER, CLASS_TARPIT, 1735689600, "",
	  "r11@two.test.ex", "two.test.ex", "127.0.0.1 [127.0.0.1]" },
	{ "2025-01-01 00:00:00 H=a.example [192.0.2.3] F=<s@a.example> "
	  "temporarily rejected RCPT <r@multi.example>: Could not complete "
	  "recipient verify callout", 1, LL_CALLOUT_DEFER, CLASS_OTHER,
	  1735689600, "", "r@multi.example", "multi.example", "" },
	{ "2025-01-01 00:00:00 U=CALLER F=<x9@test.ex> rejected RCPT "
	  "<r9@test.ex>: Previous (cached) callout verification failure", 1,
	  LL_CALLOUT_CACHED, CLASS_HARDREJECT, 1735689600, "",
	  "r9@test.ex", "test.ex", "" },
	{ "2025-01-01 00:00:00 DSH=a.example [192.0.2.3] F=<s@a.example> "
	  "rejected RCPT <r@x.example>: all relevant MX records point to "
	  "non-existent hosts", 1, LL_RCPT_REJECT, CLASS_DNS, 1735689600,
	  "", "r@x.example", "x.example", "" },
	{ "2025-01-01 00:00:00 H=a.example [192.0.2.3] F=<s@a.example> "
	  "temporarily rejected RCPT <r@x.example>: Could not complete sender "
	  "verify callout", 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "2025-01-01 00:00:00 H=(helo) [192.0.2.3] Warning: ACL \"warn\" "
	  "statement skipped: condition test deferred: Could not complete "
	  "recipient verify callout", 1, LL_CALLOUT_DEFER, CLASS_OTHER,
	  1735689600, "", "", "", "" },
	{ "2025-01-01 00:00:00 H=(helo) [192.0.2.3] Warning: ACL 'warn' "
	  "statement skipped (in acl_check_rcpt at line 12 of /etc/exim.conf):"
	  " condition test deferred: Could not complete recipient verify "
	  "callout: mx.t.example [192.0.2.9] : SMTP timeout after RCPT "
	  "TO:<q@t.example>", 1, LL_CALLOUT_DEFER, CLASS_TARPIT,
	  1735689600, "", "q@t.example", "t.example", "" },
	/* an arrival: names the message (is the log the spool's?) */
	{ "2025-01-01 00:00:01 1tSm9Y-00000000W7E-132G <= alice@sender.example "
	  "H=mail.sender.example [192.0.2.10] P=esmtps S=2969", 1, LL_RECEIVED,
	  CLASS_NONE, 1735689601, "1tSm9Y-00000000W7E-132G", "", "", "" },
	/* not events */
	{ "2025-01-01 00:00:01 Start queue run: pid=4242 -qff", 0, 0, 0, 0,
	  NULL, NULL, NULL, NULL },
	{ "2025-01-01 00:00:01 1tSm9Y-00000000W7E-132G H=a [1.2.3.4] "
	  "F=<> rejected after DATA: spam", 0, 0, 0, 0, NULL, NULL, NULL,
	  NULL },
	/* unparsable */
	{ "", -1, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "garbage", -1, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "2025-13-01 00:00:00 x", -1, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "2025-01-01 00:00:00", -1, 0, 0, 0, NULL, NULL, NULL, NULL },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == x@y no anchor", -1,
	  0, 0, 0, NULL, NULL, NULL, NULL },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == x@y defer (", -1,
	  0, 0, 0, NULL, NULL, NULL, NULL },
	{ "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** x@y no separator",
	  -1, 0, 0, 0, NULL, NULL, NULL, NULL },
};

static struct logscan_scratch	*sc;

static void
setup(void)
{
	sc = calloc(1, sizeof(*sc));
}

static void
teardown(void)
{
	free(sc);
}

START_TEST(t_lines)
{
	const struct row	*r = &rows[_i];
	struct logscan_event	 ev;
	int			 rc;

	rc = logscan_parse_line(r->line, strlen(r->line), &ev, sc);
	ck_assert_msg(rc == r->rc, "rc %d want %d: %s", rc, r->rc, r->line);
	if (rc != 1)
		return;
	ck_assert_msg(ev.kind == r->kind, "kind %s want %s: %s",
	    logline_kind_name(ev.kind), logline_kind_name(r->kind), r->line);
	ck_assert_msg(class_of_event(ev.kind, ev.text, strlen(ev.text)) == r->cls, "class %s want %s: %s",
	    class_name(class_of_event(ev.kind, ev.text, strlen(ev.text))), class_name(r->cls), r->line);
	ck_assert_msg(ev.t == r->t, "time %lld: %s", (long long)ev.t, r->line);
	ck_assert_str_eq(ev.id, r->id);
	ck_assert_str_eq(ev.addr, r->addr);
	ck_assert_str_eq(ev.domain, r->domain);
	ck_assert_str_eq(ev.host, r->host);
	ck_assert_ptr_eq(ev.line, r->line);
}
END_TEST

START_TEST(t_fail_dt)
{
	static const char	 l[] = "2025-01-01 00:00:00 1tSm9Y-00000000W7E-"
	    "132G ** x@y R=r T=t H=h [1.2.3.4] : SMTP error from remote mail "
	    "server after end of data: 550 5.7.1 spam DT=3.2s";
	struct logscan_event	 ev;

	ck_assert_int_eq(logscan_parse_line(l, sizeof(l) - 1, &ev, sc), 1);
	ck_assert_str_eq(ev.text, "SMTP error from remote mail server after "
	    "end of data: 550 5.7.1 spam");
	ck_assert_int_eq(class_of_event(ev.kind, ev.text, strlen(ev.text)), CLASS_BLOCKED);
}
END_TEST

/* Random bytes and huge lines never crash the line parser. */
START_TEST(t_garbage)
{
	static char		 buf[LOGSCAN_LINE_MAX];
	static const char	*pfx[] = { "2025-01-01 00:00:00 ",
	    "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G == ",
	    "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G ** ",
	    "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G => ",
	    "2025-01-01 00:00:00 H=", "2025-01-01 00:00:00 rejected RCPT ",
	    "2025-01-01 00:00:00 1tSm9Y-00000000W7E-132G H=" };
	struct logscan_event	 ev;
	unsigned		 x = 7;
	size_t			 i, p, n;

	for (p = 0; p < sizeof(pfx) / sizeof(pfx[0]); p++) {
		for (n = 0; n < 2000; n++) {
			size_t len = (n * 37) % 400;

			memcpy(buf, pfx[p], strlen(pfx[p]));
			for (i = strlen(pfx[p]); i < len; i++) {
				x = x * 1103515245 + 12345;
				buf[i] = "ab@ :[]()-=<>0H\"'\\defr(\n"[(x >> 16) %
				    25];
			}
			logscan_parse_line(buf, len > strlen(pfx[p]) ? len :
			    strlen(pfx[p]), &ev, sc);
		}
		memset(buf, 'x', sizeof(buf));
		memcpy(buf, pfx[p], strlen(pfx[p]));
		memcpy(buf + 200, " defer (1): ", 12);
		memcpy(buf + 300, " : ", 3);
		logscan_parse_line(buf, sizeof(buf), &ev, sc);
	}
}
END_TEST

/* --- files --- */

static char	 tmp[64];
static int	 kinds[LL__COUNT];
static int	 nev;

static void
cb(const struct logscan_event *ev, void *arg)
{
	(void)arg;
	ck_assert_int_lt(ev->kind, LL__COUNT);
	kinds[ev->kind]++;
	nev++;
}

static void
reset(void)
{
	memset(kinds, 0, sizeof(kinds));
	nev = 0;
}

static char *
slurp(const char *name, size_t *len)
{
	char	 path[PATH_MAX], *b;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s", DATADIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(b, 1, (size_t)n, f), n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
put_file(const char *name, const char *b, size_t n, int gz, time_t mtime)
{
	char		 path[PATH_MAX];
	struct timeval	 tv[2];

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	if (gz) {
		gzFile g = gzopen(path, "wb");

		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(gzwrite(g, b, (unsigned)n), (int)n);
		gzclose(g);
	} else {
		FILE *f = fopen(path, "wb");

		ck_assert_ptr_nonnull(f);
		fwrite(b, 1, n, f);
		fclose(f);
	}
	if (mtime != 0) {
		tv[0].tv_sec = tv[1].tv_sec = mtime;
		tv[0].tv_usec = tv[1].tv_usec = 0;
		ck_assert_int_eq(utimes(path, tv), 0);
	}
}

static void
append(const char *name, const char *s)
{
	char	 path[PATH_MAX];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	f = fopen(path, "ab");
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
}

static void
fsetup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/mxtop-logscan-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	reset();
}

static void
fteardown(void)
{
	char	 cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		return;
}

/* live.log: 20 lines, 17 events, 2 unparsable; rotated.log: 7 lines,
 * 6 events. */
START_TEST(t_dir)
{
	struct logscan			*ls;
	const struct logscan_counts	*c;
	size_t				 rn, ln;
	char				*rot = slurp("rotated.log", &rn);
	char				*live = slurp("live.log", &ln);

	put_file("mainlog.2.gz", rot, rn, 1, 1735690000);
	put_file("mainlog.1", rot, rn, 0, 1735690100);
	put_file("mainlog", live, ln, 0, 0);
	put_file("rejectlog", live, ln, 0, 0);
	put_file("mainlog.bak", live, ln, 0, 0);
	ls = logscan_new(tmp);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	c = logscan_counts(ls);
	ck_assert_uint_eq(c->files, 3);
	ck_assert_uint_eq(c->lines, 7 + 7 + 20);
	ck_assert_uint_eq(c->events, 7 + 7 + 17);
	ck_assert_uint_eq(c->unparsable, 2);
	ck_assert_uint_eq(c->gzerrors, 0);
	ck_assert_ptr_null(logscan_error(ls));
	ck_assert_int_eq(nev, 31);
	ck_assert_int_eq(kinds[LL_CALLOUT_DEFER], 3);
	ck_assert_int_eq(kinds[LL_CALLOUT_REJECT], 1);
	ck_assert_int_eq(kinds[LL_CALLOUT_CACHED], 1);
	ck_assert_int_eq(kinds[LL_EXPIRED], 1);
	ck_assert_int_eq(kinds[LL_SKIP], 2);
	ck_assert_int_eq(kinds[LL_DEFER], 4 + 4);
	ck_assert_int_eq(kinds[LL_DELIVER], 3);
	/* Nothing new: nothing read. */
	reset();
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	ck_assert_int_eq(nev, 0);
	logscan_free(ls);
	free(rot);
	free(live);
}
END_TEST

/* The file form of -l: the live file plus its siblings. */
START_TEST(t_file)
{
	struct logscan	*ls;
	size_t		 rn;
	char		*rot = slurp("rotated.log", &rn), path[PATH_MAX];

	put_file("x.log", rot, rn, 0, 0);
	put_file("x.log.1.gz", rot, rn, 1, 1735690000);
	snprintf(path, sizeof(path), "%s/x.log", tmp);
	ls = logscan_new(path);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	ck_assert_int_eq(nev, 14);
	logscan_free(ls);
	/* A compressed file given as the path: read once through zlib. */
	reset();
	ls = logscan_new(DATADIR "/rotated.log.gz");
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	ck_assert_int_eq(nev, 7);
	ck_assert_uint_eq(logscan_counts(ls)->gzerrors, 0);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	ck_assert_int_eq(nev, 7);
	logscan_free(ls);
	/* A missing path fails. */
	snprintf(path, sizeof(path), "%s/nope/mainlog", tmp);
	ls = logscan_new(path);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), -1);
	ck_assert_ptr_nonnull(logscan_error(ls));
	logscan_free(ls);
	free(rot);
}
END_TEST

/* since skips rotated files written before it and older lines. */
START_TEST(t_since)
{
	struct logscan			*ls;
	const struct logscan_counts	*c;
	size_t				 rn, ln;
	char				*rot = slurp("rotated.log", &rn);
	char				*live = slurp("live.log", &ln);

	put_file("mainlog.3.gz", rot, rn, 1, 1735000000);
	put_file("mainlog.2.gz", rot, rn, 1, 1735691000);
	put_file("mainlog", live, ln, 0, 0);
	ls = logscan_new(tmp);
	/* 00:20:00: of rotated.log only its last 3 lines are in. */
	ck_assert_int_eq(logscan_run(ls, 1735690800, cb, NULL), 0);
	c = logscan_counts(ls);
	ck_assert_uint_eq(c->files, 2);
	/* x@block.example (00:00:11 UTC by its zone) is old too. */
	ck_assert_uint_eq(c->old, 4 + 1);
	ck_assert_int_eq(nev, 3 + 16);
	logscan_free(ls);
	free(rot);
	free(live);
}
END_TEST

/* A truncated .gz: its first lines count, the error is reported once, the
 * other files are read. */
START_TEST(t_truncated)
{
	struct logscan			*ls;
	const struct logscan_counts	*c;
	char				 path[PATH_MAX], *big, *p;
	size_t				 rn, ln, i;
	char				*rot = slurp("rotated.log", &rn);
	char				*live = slurp("live.log", &ln);
	struct stat			 st;

	/* Big enough that the cut falls well inside the data. */
	big = malloc(rn * 200);
	for (i = 0, p = big; i < 200; i++, p += rn)
		memcpy(p, rot, rn);
	put_file("mainlog.2.gz", big, rn * 200, 1, 0);
	snprintf(path, sizeof(path), "%s/mainlog.2.gz", tmp);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(truncate(path, st.st_size / 2), 0);
	put_file("mainlog", live, ln, 0, 0);
	ls = logscan_new(tmp);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	c = logscan_counts(ls);
	ck_assert_uint_eq(c->gzerrors, 1);
	ck_assert_ptr_nonnull(logscan_error(ls));
	ck_assert_ptr_nonnull(strstr(logscan_error(ls), "mainlog.2.gz"));
	ck_assert_int_gt(nev, 17 + 10);
	ck_assert_int_lt(nev, 17 + 6 * 200);
	ck_assert_int_eq(kinds[LL_CALLOUT_CACHED], 1);	/* live read */
	logscan_free(ls);
	/* The committed fixture: a truncated copy of rotated.log. */
	reset();
	snprintf(path, sizeof(path), "%s/truncated.gz", DATADIR);
	ls = logscan_new(path);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	ck_assert_uint_eq(logscan_counts(ls)->gzerrors, 1);
	ck_assert_int_gt(nev, 0);
	ck_assert_int_lt(nev, 6 * 8);
	logscan_free(ls);
	free(big);
	free(rot);
	free(live);
}
END_TEST

/* Following the live log: appended lines, partial lines, rotation by
 * rename, truncation. */
START_TEST(t_follow)
{
	struct logscan			*ls;
	const struct logscan_counts	*c;
	char				 a[PATH_MAX], b[PATH_MAX];
	static const char		 l1[] = "2025-01-01 02:00:00 "
	    "1tSm9Y-00000000W7E-132G == x@y R=a T=b defer (111): Connection "
	    "refused\n";

	put_file("mainlog", l1, sizeof(l1) - 1, 0, 0);
	ls = logscan_new(tmp);
	c = logscan_counts(ls);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	ck_assert_int_eq(nev, 1);
	append("mainlog", l1);
	append("mainlog", "2025-01-01 02:00:01 1tSm9Y-00000000W7E-132G Compl");
	reset();
	logscan_run(ls, 0, cb, NULL);
	ck_assert_int_eq(nev, 1);		/* the partial line waits */
	append("mainlog", "eted\n");
	reset();
	logscan_run(ls, 0, cb, NULL);
	ck_assert_int_eq(nev, 1);
	ck_assert_int_eq(kinds[LL_COMPLETED], 1);
	/* exicyclog: rename, then Exim writes one more line to the old file
	 * before it notices, then the new file. */
	snprintf(a, sizeof(a), "%s/mainlog", tmp);
	snprintf(b, sizeof(b), "%s/mainlog.1", tmp);
	ck_assert_int_eq(rename(a, b), 0);
	append("mainlog.1", l1);
	append("mainlog", l1);
	append("mainlog", l1);
	reset();
	logscan_run(ls, 0, cb, NULL);
	ck_assert_int_eq(nev, 3);
	ck_assert_uint_eq(c->rotations, 1);
	/* Truncation in place. */
	ck_assert_int_eq(truncate(a, 0), 0);
	append("mainlog", l1);
	reset();
	logscan_run(ls, 0, cb, NULL);
	ck_assert_int_eq(nev, 1);
	ck_assert_uint_eq(c->rotations, 2);
	logscan_free(ls);
}
END_TEST

/* Very long lines are cut and counted; the next line still parses. */
START_TEST(t_long)
{
	struct logscan			*ls;
	const struct logscan_counts	*c;
	static const char		 l1[] = "2025-01-01 02:00:00 "
	    "1tSm9Y-00000000W7E-132G == x@y R=a T=b defer (111): Connection "
	    "refused\n";
	size_t				 n = 3 * LOGSCAN_LINE_MAX + 17;
	char				*big = malloc(n + sizeof(l1));

	memset(big, 'A', n);
	memcpy(big, l1, 40);
	big[n - 1] = '\n';
	memcpy(big + n, l1, sizeof(l1));
	put_file("mainlog", big, n + sizeof(l1) - 1, 0, 0);
	put_file("mainlog.1.gz", big, n + sizeof(l1) - 1, 1, 0);
	ls = logscan_new(tmp);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	c = logscan_counts(ls);
	ck_assert_uint_eq(c->toolong, 2);
	ck_assert_uint_eq(c->unparsable, 2);
	ck_assert_int_eq(nev, 2);
	/* A long line arriving in pieces on the live log. */
	append("mainlog", big + n / 2);
	reset();
	logscan_run(ls, 0, cb, NULL);
	ck_assert_uint_eq(c->toolong, 3);
	ck_assert_int_eq(nev, 1);
	logscan_free(ls);
	free(big);
}
END_TEST

/* A cancel flag stops a run within a buffer, in a rotated file and in
 * the live log alike, and every run after it. */
static atomic_int	 stop;

static void
cb_stop(const struct logscan_event *ev, void *arg)
{
	cb(ev, arg);
	atomic_store(&stop, 1);
}

START_TEST(t_cancel)
{
	struct logscan	*ls;
	size_t		 rn, n, i;
	char		*rot = slurp("rotated.log", &rn), *big;
	int		 gz = _i;

	/* About 4 MiB: sixteen buffers. */
	n = (4u << 20) / rn + 1;
	big = malloc(n * rn);
	for (i = 0; i < n; i++)
		memcpy(big + i * rn, rot, rn);
	if (gz) {
		put_file("mainlog.1.gz", big, n * rn, 1, 0);
		put_file("mainlog", rot, rn, 0, 0);
	} else
		put_file("mainlog", big, n * rn, 0, 0);
	ls = logscan_new(tmp);
	atomic_store(&stop, 0);
	logscan_set_cancel(ls, &stop);
	errno = 0;
	ck_assert_int_eq(logscan_run(ls, 0, cb_stop, NULL), -1);
	ck_assert_int_eq(errno, ECANCELED);
	/* One buffer's events at most (7 of 7 lines an event here). */
	ck_assert_int_gt(nev, 0);
	ck_assert_int_lt(nev, (int)(7 * n / 8));
	ck_assert_uint_lt(logscan_counts(ls)->bytes, n * rn / 8);
	ck_assert_uint_eq(logscan_counts(ls)->gzerrors, 0);
	ck_assert_ptr_null(logscan_error(ls));
	/* Spent for good, even with the flag down again. */
	atomic_store(&stop, 0);
	reset();
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), -1);
	ck_assert_int_eq(errno, ECANCELED);
	ck_assert_int_eq(nev, 0);
	logscan_free(ls);
	/* A flag that stays down reads everything. */
	reset();
	ls = logscan_new(tmp);
	logscan_set_cancel(ls, &stop);
	ck_assert_int_eq(logscan_run(ls, 0, cb, NULL), 0);
	ck_assert_int_eq(nev, (int)(7 * n + (gz ? 7 : 0)));
	logscan_free(ls);
	free(big);
	free(rot);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("logscan");
	TCase	*tc;

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, t_lines, 0, sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, t_fail_dt);
	tcase_add_test(tc, t_garbage);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, fsetup, fteardown);
	tcase_add_test(tc, t_dir);
	tcase_add_test(tc, t_file);
	tcase_add_test(tc, t_since);
	tcase_add_test(tc, t_truncated);
	tcase_add_test(tc, t_follow);
	tcase_add_test(tc, t_long);
	tcase_add_loop_test(tc, t_cancel, 0, 2);
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
	tzset();
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
