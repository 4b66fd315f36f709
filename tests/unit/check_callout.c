/* check_callout.c -- the parsers and the judgement of probe, verify and
 * drain: "exim -bt" output (exim/route.h; the cases marked "sandbox"
 * are what Exim 4.96 printed in tests/exim/sandbox.sh, the others
 * follow verify.c's printf of the -bt branch), SMTP replies fed whole
 * and a byte at a time (run/smtp.h), the probe's verdict from steps
 * (model/probe.h), the verify results, their state file text and the
 * watch that stops a run (model/verify.h), and a verify job against a
 * scripted loopback server. */
#include "exim/route.h"
#include "run/smtp.h"
#include "run/callout.h"
#include "model/probe.h"
#include "model/verify.h"
#include "model/plan.h"
#include "model/select.h"
#include "exim/spool.h"

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- exim -bt ---- */

START_TEST(route_sandbox_ok)
{
	/* sandbox: exim -C relay.conf -bt user@a.example */
	static const char out[] = "user@a.example\n"
	    "  router = relay, transport = remote_smtp\n"
	    "  host 127.0.1.1 [127.0.1.1] port=26058\n";
	struct route r;

	ck_assert_int_eq(route_parse(out, strlen(out), &r), ROUTE_OK);
	ck_assert_str_eq(r.address, "user@a.example");
	ck_assert_str_eq(r.router, "relay");
	ck_assert_str_eq(r.transport, "remote_smtp");
	ck_assert_uint_eq(r.nhosts, 1);
	ck_assert_str_eq(r.hosts[0].name, "127.0.1.1");
	ck_assert_str_eq(r.hosts[0].addr, "127.0.1.1");
	ck_assert_int_eq(r.hosts[0].port, 26058);
	ck_assert_int_eq(r.hosts[0].mx, -1);
}
END_TEST

START_TEST(route_sandbox_fail_defer)
{
	/* sandbox: an unrouteable domain; one routed to the relay itself
	 * (stderr's LOG: lines included, as 2>&1 shows them). */
	static const char fail[] =
	    "user@nowhere.example is undeliverable: Unrouteable address\n";
	static const char defer[] = "LOG: MAIN\n  remote host address is "
	    "the local host: c.example (while routing <user@c.example>)\n"
	    "user@c.example cannot be resolved at this time: remote host "
	    "address is the local host\n";
	struct route r;

	ck_assert_int_eq(route_parse(fail, strlen(fail), &r), ROUTE_FAIL);
	ck_assert_str_eq(r.address, "user@nowhere.example");
	ck_assert_str_eq(r.error, "Unrouteable address");
	ck_assert_int_eq(route_parse(defer, strlen(defer), &r), ROUTE_DEFER);
	ck_assert_str_eq(r.address, "user@c.example");
	ck_assert_str_eq(r.error, "remote host address is the local host");
	ck_assert_uint_eq(r.nhosts, 0);
}
END_TEST

START_TEST(route_mx_padding)
{
	/* verify.c pads names and addresses to one width; MX=, port=,
	 * "** unusable **", [unknown], a redirect's parent line. */
	static const char out[] = "postmaster@b.example\n"
	    "    <-- alias@b.example\n"
	    "  router = dnslookup, transport = remote_smtp\n"
	    "  host mx1.b.example      [192.0.2.10]  MX=10\n"
	    "  host mx-backup.b.example [2001:db8::25] MX=20 port=2525\n"
	    "  host mx3.b.example      [unknown]     MX=30\n"
	    "  host mx4.b.example      [192.0.2.40]  MX=40 ** unusable **\n"
	    "other@b.example\n"
	    "  router = x, transport = y\n";
	struct route r;

	ck_assert_int_eq(route_parse(out, strlen(out), &r), ROUTE_OK);
	ck_assert_str_eq(r.router, "dnslookup");
	ck_assert_uint_eq(r.nhosts, 4);
	ck_assert_str_eq(r.hosts[0].addr, "192.0.2.10");
	ck_assert_int_eq(r.hosts[0].mx, 10);
	ck_assert_int_eq(r.hosts[0].port, 0);
	ck_assert_str_eq(r.hosts[1].name, "mx-backup.b.example");
	ck_assert_str_eq(r.hosts[1].addr, "2001:db8::25");
	ck_assert_int_eq(r.hosts[1].port, 2525);
	ck_assert_str_eq(r.hosts[2].addr, "");
	ck_assert_int_eq(r.hosts[3].unusable, 1);
}
END_TEST

START_TEST(route_cut_everywhere)
{
	static const char out[] = "user@a.example\n"
	    "  router = relay, transport = remote_smtp\n"
	    "  host 127.0.1.1 [127.0.1.1] port=26058\n";
	struct route r;
	size_t n;
	char *b;

	/* Any prefix parses without reading past it (ASan). */
	for (n = 0; n <= sizeof(out) - 1; n++) {
		b = malloc(n + 1);
		memcpy(b, out, n);
		(void)route_parse(b, n, &r);
		ck_assert_uint_le(r.nhosts, 1);
		free(b);
	}
	ck_assert_int_eq(route_parse(NULL, 0, &r), ROUTE_NONE);
	ck_assert_int_eq(route_parse("", 0, &r), ROUTE_NONE);
	ck_assert_str_eq(route_status_name(ROUTE_DEFER), "defer");
}
END_TEST

START_TEST(route_fuzz_nul_name)
{
	/* fuzz_route found: "host " and a NUL byte gave a host with an
	 * empty name. */
	static const char out[] = "u@a.example\n  host \0\0 [127.0.0.1] "
	    "port=25\n  router = r, transport = t\n";
	struct route r;

	(void)route_parse(out, sizeof(out) - 1, &r);
	ck_assert_uint_eq(r.nhosts, 0);
}
END_TEST

/* ---- SMTP replies ---- */

static enum smtp_rstate
feed_all(struct smtp_reply *r, const char *s, size_t n, size_t *used,
    int bytewise)
{
	enum smtp_rstate st = SMTP_R_MORE;
	size_t k = 0;

	smtp_reply_init(r);
	while (k < n && st == SMTP_R_MORE)
		k += smtp_reply_feed(r, s + k, bytewise ? 1 : n - k, &st);
	*used = k;
	return st;
}

START_TEST(reply_multiline)
{
	static const char in[] = "250-mx.primary.example\r\n250-PIPELINING\r\n"
	    "250-SIZE 52428800\r\n250 8BITMIME\r\n220 next";
	struct smtp_reply r;
	size_t used;
	int bw;

	for (bw = 0; bw < 2; bw++) {
		ck_assert_int_eq(feed_all(&r, in, sizeof(in) - 1, &used, bw),
		    SMTP_R_DONE);
		ck_assert_uint_eq(used, sizeof(in) - 1 - strlen("220 next"));
		ck_assert_int_eq(r.code, 250);
		ck_assert_uint_eq(r.nlines, 4);
		ck_assert_str_eq(r.text, "250 mx.primary.example PIPELINING "
		    "SIZE 52428800 8BITMIME");
	}
}
END_TEST

START_TEST(reply_enhanced_and_bare)
{
	struct smtp_reply r;
	size_t used;

	ck_assert_int_eq(feed_all(&r, "550 5.1.1 <x@y>: User unknown\n", 30,
	    &used, 0), SMTP_R_DONE);
	ck_assert_int_eq(r.code, 550);
	ck_assert_str_eq(r.enh, "5.1.1");
	ck_assert_int_eq(feed_all(&r, "421\r\n", 5, &used, 0), SMTP_R_DONE);
	ck_assert_int_eq(r.code, 421);
	ck_assert_str_eq(r.text, "421");
	ck_assert_int_eq(feed_all(&r, "250 5.1.1x no enh\n", 18, &used, 0),
	    SMTP_R_DONE);
	ck_assert_str_eq(r.enh, "");
}
END_TEST

START_TEST(reply_bad)
{
	static const char *const bad[] = {
	    "HTTP/1.1 400 Bad Request\r\n", "25\r\n", "2500 x\r\n",
	    "650 no\r\n", "250_x\r\n", "\r\n", "SSH-2.0-OpenSSH_9.2\r\n",
	    "250-ok\r\n550x\r\n",
	};
	struct smtp_reply r;
	size_t i, used;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(feed_all(&r, bad[i], strlen(bad[i]), &used,
		    1), SMTP_R_BAD);
		ck_assert_int_eq(r.code, 0);
	}
}
END_TEST

START_TEST(reply_bounded)
{
	struct smtp_reply r;
	enum smtp_rstate st = SMTP_R_MORE;
	char *big = malloc(100000);
	size_t i, n = 0, used;

	/* 300 lines of 300 bytes, then the last: kept bounded. */
	for (i = 0; i < 300; i++) {
		n += (size_t)sprintf(big + n, "250-");
		memset(big + n, 'x', 290);
		n += 290;
		big[n++] = '\n';
	}
	n += (size_t)sprintf(big + n, "250 end\n");
	ck_assert_int_eq(feed_all(&r, big, n, &used, 0), SMTP_R_DONE);
	ck_assert_uint_eq(r.nlines, SMTP_REPLY_LINES);
	ck_assert_uint_eq(r.dropped, 301 - SMTP_REPLY_LINES);
	ck_assert_int_eq(r.cut, 1);
	ck_assert_uint_lt(r.len, SMTP_TEXT_MAX);
	ck_assert_uint_eq(strlen(r.text), r.len);
	/* One line longer than SMTP_LINE_MAX. */
	smtp_reply_init(&r);
	memset(big, 'y', 50000);
	memcpy(big, "550 ", 4);
	big[50000] = '\n';
	ck_assert_uint_eq(smtp_reply_feed(&r, big, 50001, &st), 50001);
	ck_assert_int_eq(st, SMTP_R_DONE);
	ck_assert_int_eq(r.code, 550);
	ck_assert_int_eq(r.cut, 1);
	free(big);
}
END_TEST

/* ---- the probe's verdict ---- */

struct pstep {
	enum probe_kind		 kind;
	enum probe_outcome	 out;
	int			 code;
	const char		*text;
	double			 latency;
};

static const struct {
	const char	*name;
	struct pstep	 s[8];
	enum probe_class want;
} verdicts[] = {
	{ "refused", { { PROBE_S_CONNECT, PROBE_O_REFUSED, 0,
	    "Connection refused", 0 } }, PROBE_OFFLINE },
	{ "no banner", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_TIMEOUT, 0, "no reply in time", 15 } },
	    PROBE_TARPIT },
	{ "421 banner", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 421, "421 4.7.0 Too many "
	    "connections from your host, try again later", 0 } },
	    PROBE_RATELIMIT },
	{ "554 banner", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 554, "554 go away", 0 } },
	    PROBE_BLOCKED },
	{ "ok", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 220, "220 hi", 0 },
	    { PROBE_S_EHLO, PROBE_O_REPLY, 250, "250 hi", 0 },
	    { PROBE_S_MAIL, PROBE_O_REPLY, 250, "250 ok", 0 },
	    { PROBE_S_RCPT_RANDOM, PROBE_O_REPLY, 550, "550 5.1.1 User "
	    "unknown", 0 },
	    { PROBE_S_RCPT, PROBE_O_REPLY, 250, "250 ok", 0 },
	    { PROBE_S_RSET, PROBE_O_REPLY, 250, "250 ok", 0 } }, PROBE_OK },
	{ "accepts all", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 220, "220 hi", 0 },
	    { PROBE_S_MAIL, PROBE_O_REPLY, 250, "250 ok", 0 },
	    { PROBE_S_RCPT_RANDOM, PROBE_O_REPLY, 250, "250 2.1.5 Ok", 0 } },
	    PROBE_ACCEPTS_ALL },
	{ "softreject", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 220, "220 hi", 0 },
	    { PROBE_S_MAIL, PROBE_O_REPLY, 250, "250 ok", 0 },
	    { PROBE_S_RCPT_RANDOM, PROBE_O_REPLY, 450, "450 4.1.1 <x>: "
	    "Recipient address rejected: unverified address", 0 } },
	    PROBE_SOFTREJECT },
	{ "452 too many", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 220, "220 hi", 0 },
	    { PROBE_S_MAIL, PROBE_O_REPLY, 250, "250 ok", 0 },
	    { PROBE_S_RCPT_RANDOM, PROBE_O_REPLY, 452, "452 4.5.3 Too many "
	    "recipients", 0 } }, PROBE_RATELIMIT },
	{ "rbl", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 220, "220 hi", 0 },
	    { PROBE_S_MAIL, PROBE_O_REPLY, 250, "250 ok", 0 },
	    { PROBE_S_RCPT_RANDOM, PROBE_O_REPLY, 550, "550 5.7.1 Service "
	    "unavailable; client [127.0.0.1] blocked using "
	    "zen.spamhaus.example", 0 } }, PROBE_BLOCKED },
	{ "530", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 220, "220 hi", 0 },
	    { PROBE_S_EHLO, PROBE_O_REPLY, 250, "250 STARTTLS", 0 },
	    { PROBE_S_MAIL, PROBE_O_REPLY, 530, "530 5.7.0 Must issue a "
	    "STARTTLS command first", 0 } }, PROBE_TLS_REQUIRED },
	{ "slow", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 220, "220 hi", 9.5 },
	    { PROBE_S_MAIL, PROBE_O_REPLY, 250, "250 ok", 0 },
	    { PROBE_S_RCPT_RANDOM, PROBE_O_REPLY, 550, "550 no", 0 } },
	    PROBE_TARPIT },
	{ "rcpt stalls", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "", 0 },
	    { PROBE_S_BANNER, PROBE_O_REPLY, 220, "220 hi", 0 },
	    { PROBE_S_MAIL, PROBE_O_REPLY, 250, "250 ok", 0 },
	    { PROBE_S_RCPT_RANDOM, PROBE_O_REPLY, 550, "550 no", 0 },
	    { PROBE_S_RCPT, PROBE_O_TIMEOUT, 0, "no reply in time", 15 } },
	    PROBE_TARPIT },
	{ "closed at banner", { { PROBE_S_CONNECT, PROBE_O_CONNECTED, 0, "",
	    0 }, { PROBE_S_BANNER, PROBE_O_CLOSED, 0, "closed", 0 } },
	    PROBE_RATELIMIT },
	{ "nothing", { { 0, 0, 0, NULL, 0 } }, PROBE_NONE },
};

START_TEST(probe_verdicts)
{
	struct probe p;
	struct probe_step *s;
	char why[512];
	size_t k;

	memset(&p, 0, sizeof(p));
	p.slow = 5;
	for (k = 0; k < 8 && verdicts[_i].s[k].text != NULL; k++) {
		s = probe_add(&p, verdicts[_i].s[k].kind, "RCPT TO:<x@y>");
		s->out = verdicts[_i].s[k].out;
		s->code = verdicts[_i].s[k].code;
		snprintf(s->text, sizeof(s->text), "%s", verdicts[_i].s[k].text);
		s->latency = verdicts[_i].s[k].latency;
	}
	ck_assert_msg(probe_classify(&p, why, sizeof(why)) ==
	    verdicts[_i].want, "%s: got %s (%s)", verdicts[_i].name,
	    probe_class_name(probe_classify(&p, why, sizeof(why))), why);
	ck_assert(why[0] != '\0');
}
END_TEST

START_TEST(probe_names)
{
	ck_assert_str_eq(probe_class_name(PROBE_ACCEPTS_ALL), "accepts-all");
	ck_assert_str_eq(probe_class_name(PROBE_TLS_REQUIRED), "tls-required");
	ck_assert_str_eq(probe_class_name((enum probe_class)99), "none");
	ck_assert_str_eq(probe_kind_name(PROBE_S_RCPT_RANDOM), "rcpt-random");
	ck_assert(probe_advice(PROBE_OK)[0] != '\0');
}
END_TEST

/* ---- verify results ---- */

START_TEST(verify_results_and_age)
{
	struct verify_set *v = verify_set_new();

	ck_assert_int_eq(verify_res_of_code(250), VERIFY_ACCEPTED);
	ck_assert_int_eq(verify_res_of_code(550), VERIFY_REJECTED);
	ck_assert_int_eq(verify_res_of_code(451), VERIFY_DEFERRED);
	ck_assert_int_eq(verify_res_of_code(0), VERIFY_UNKNOWN);
	verify_set_put(v, "a@x", 1000, VERIFY_REJECTED, 550, "550 no");
	verify_set_put(v, "a@x", 900, VERIFY_ACCEPTED, 250, "older");
	ck_assert_int_eq(verify_set_get(v, "a@x")->res, VERIFY_REJECTED);
	ck_assert_int_eq(verify_set_result(v, "a@x", 1500, 3600),
	    VERIFY_REJECTED);
	ck_assert_int_eq(verify_set_result(v, "a@x", 5000, 3600),
	    VERIFY_UNKNOWN);
	ck_assert_int_eq(verify_set_result(v, "b@x", 1000, 3600),
	    VERIFY_UNKNOWN);
	ck_assert_int_eq(verify_res_parse("deferred"), VERIFY_DEFERRED);
	ck_assert_int_eq(verify_res_parse("maybe"), -1);
	verify_set_free(v);
}
END_TEST

START_TEST(verify_text_roundtrip)
{
	struct verify_set *v = verify_set_new(), *w = verify_set_new();
	char *text;
	size_t len, i;

	verify_set_put(v, "a@x", 1000, VERIFY_REJECTED, 550,
	    "550 5.1.1 tab\there \\ nl\n esc\x1b[31m");
	verify_set_put(v, "b\\c@x", 1001, VERIFY_ACCEPTED, 250, "");
	verify_set_put(v, "old@x", 10, VERIFY_ACCEPTED, 250, "250 ok");
	verify_set_format(v, 100, &text, &len);
	ck_assert_ptr_null(memchr(text, '\x1b', len));
	ck_assert_uint_eq(verify_set_parse(w, text, len), 0);
	ck_assert_uint_eq(verify_set_count(w), 2);
	for (i = 0; i < 2; i++) {
		const struct verify_rec *a = verify_set_at(v, i),
		    *b = verify_set_get(w, a->addr);

		ck_assert_ptr_nonnull(b);
		ck_assert_str_eq(a->reply, b->reply);
		ck_assert_int_eq(a->res, b->res);
		ck_assert_int_eq(a->code, b->code);
		ck_assert_int_eq((long)a->time, (long)b->time);
	}
	ck_assert_ptr_null(verify_set_get(w, "old@x"));
	free(text);
	verify_set_free(v);
	verify_set_free(w);
}
END_TEST

START_TEST(verify_text_hostile)
{
	static const char in[] =
	    "# comment\n"
	    "1000\trejected\t550\ta@x\t550 no\n"
	    "x1000\trejected\t550\tb@x\tbad time\n"
	    "1000\tmaybe\t550\tc@x\tbad result\n"
	    "1000\taccepted\t999\td@x\tbad code\n"
	    "1000\taccepted\t250\te@x\n"
	    "1000\taccepted\t250\t\\x00@x\tNUL escape\n"
	    "1000\taccepted\t250\tf@x\t\\x4\n"
	    "1000\taccepted\t250\tg@x\tok\\x41\n"
	    "99999999999999\taccepted\t250\th@x\ttoo long a time\n"
	    "\n";
	struct verify_set *v = verify_set_new();

	ck_assert_uint_eq(verify_set_parse(v, in, sizeof(in) - 1), 7);
	ck_assert_uint_eq(verify_set_count(v), 2);
	ck_assert_str_eq(verify_set_get(v, "g@x")->reply, "okA");
	verify_set_free(v);
}
END_TEST

START_TEST(verify_watch_stops)
{
	struct verify_watch w;
	int i;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < VERIFY_STOP_4XX - 1; i++)
		ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_REPLY, 450,
		    "450 4.1.1 unverified"), 0);
	ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_REPLY, 250, "ok"), 0);
	ck_assert_uint_eq(w.n4xx, 0);
	for (i = 0; i < VERIFY_STOP_4XX; i++)
		(void)verify_watch_feed(&w, VERIFY_EV_REPLY, 450, "450 x");
	ck_assert_int_eq(w.stopped, 1);
	ck_assert_ptr_nonnull(strstr(w.why, "4xx"));
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_REPLY, 421,
	    "421 4.7.0 bye"), 1);
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_REPLY, 451,
	    "451 4.7.1 rate limit exceeded, try later"), 1);
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_STALL, 0, "t"), 0);
	ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_REPLY, 550, "no"), 0);
	ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_STALL, 0, "t"), 0);
	ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_STALL, 0, "t"), 1);
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(verify_watch_feed(&w, VERIFY_EV_REFUSED, 554,
	    "554 \x1b[2J"), 1);
	ck_assert_ptr_null(strchr(w.why, '\x1b'));
}
END_TEST

/* ---- a verify job against a scripted server ---- */

/* A one-process SMTP server on 127.0.0.1: 550 for addresses starting
 * with "j", 250 otherwise; counts RCPTs into *rcpts via a pipe. */
static pid_t
server(int *port, int wfd)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	pid_t pid;

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(ls, 16), 0);
	getsockname(ls, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin_port);
	if ((pid = fork()) != 0) {
		close(ls);
		return pid;
	}
	/* Not Check's handler, which would take the test along. */
	signal(SIGTERM, SIG_DFL);
	alarm(20);
	for (;;) {
		int c = accept(ls, NULL, NULL);
		FILE *in, *out;
		char line[512];

		if (c < 0)
			_exit(0);
		in = fdopen(c, "r");
		out = fdopen(dup(c), "w");
		fputs("220 test\r\n", out);
		fflush(out);
		while (fgets(line, sizeof(line), in) != NULL) {
			if (strncmp(line, "RCPT TO:<", 9) == 0) {
				(void)!write(wfd, "r", 1);
				fputs(line[9] == 'j' ? "550 5.1.1 no\r\n" :
				    "250 ok\r\n", out);
			} else if (strncmp(line, "QUIT", 4) == 0) {
				fputs("221 bye\r\n", out);
				fflush(out);
				break;
			} else if (strncmp(line, "DATA", 4) == 0)
				_exit(3);
			else
				fputs("250-x\r\n250 ok\r\n", out);
			fflush(out);
		}
		fclose(in);
		fclose(out);
	}
}

START_TEST(verify_job_batches)
{
	const char *addrs[] = { "a@x", "j1@x", "b@x", "j2@x", "a@x", "c@x",
	    "j3@x", "bad addr@x" };
	struct callout_cfg cfg = { "relay.test", NULL, 5 };
	struct callout_pace pace = { 0, 2, 2 };
	struct callout_host h;
	struct callout_progress pr;
	const struct callout_result *r;
	struct callout_job *j;
	size_t n, i;
	int port, p[2], status;
	char buf[64];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = server(&port, p[1]);
	close(p[1]);
	memset(&h, 0, sizeof(h));
	snprintf(h.addr, sizeof(h.addr), "127.0.0.1");
	h.port = port;
	j = callout_job_new(&cfg, &h, 1, addrs, 8, &pace);
	while (callout_job_step(j, 500) != 0)
		;
	callout_job_progress(j, &pr);
	ck_assert_uint_eq(pr.total, 7);		/* a@x once */
	ck_assert_uint_eq(pr.done, 7);
	ck_assert_uint_eq(pr.n[VERIFY_ACCEPTED], 3);
	ck_assert_uint_eq(pr.n[VERIFY_REJECTED], 3);
	ck_assert_uint_eq(pr.n[VERIFY_UNKNOWN], 1);	/* not asked */
	ck_assert_ptr_null(pr.stop_reason);
	r = callout_job_results(j, &n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(r[i].res, r[i].addr[0] == 'j' ?
		    VERIFY_REJECTED : r[i].addr[0] == 'b' &&
		    strchr(r[i].addr, ' ') ? VERIFY_UNKNOWN : VERIFY_ACCEPTED);
	callout_job_free(j);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	ck_assert_int_eq((int)read(p[0], buf, sizeof(buf)), 6);
	close(p[0]);
	ck_assert(callout_addr_ok("a@b"));
	ck_assert(!callout_addr_ok("a>b@c"));
	ck_assert(!callout_addr_ok("ab"));
}
END_TEST

START_TEST(verify_job_refused)
{
	const char *addrs[] = { "a@x", "b@x" };
	struct callout_cfg cfg = { "relay.test", "", 2 };
	struct callout_host h;
	struct callout_progress pr;
	struct callout_job *j;

	memset(&h, 0, sizeof(h));
	snprintf(h.addr, sizeof(h.addr), "127.0.0.1");
	h.port = 1;	/* nothing listens */
	j = callout_job_new(&cfg, &h, 1, addrs, 2, NULL);
	while (callout_job_step(j, 500) != 0)
		;
	callout_job_progress(j, &pr);
	ck_assert_ptr_nonnull(pr.stop_reason);
	ck_assert_ptr_nonnull(strstr(pr.stop_reason, "drops"));
	ck_assert_uint_eq(pr.n[VERIFY_ACCEPTED] + pr.n[VERIFY_REJECTED], 0);
	callout_job_free(j);
}
END_TEST

/* ---- drain's plan ---- */

static void
put_msg(const char *dir, const char *id, const char *rcpts, int n)
{
	char path[600], buf[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/input/%s-H", dir, id);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "%s-H\nroot 0 0\n<s@x.example>\n1735689000 0\nXX\n%d\n%s"
	    "\n007  X-A: 1\n", id, n, rcpts);
	fclose(f);
	snprintf(path, sizeof(path), "%s/input/%s-D", dir, id);
	snprintf(buf, sizeof(buf), "%s-D\nbody\n", id);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(buf, f);
	fclose(f);
}

START_TEST(drain_plan)
{
	char dir[] = "/tmp/mxtop-check-drain-XXXXXX", path[600], err[256];
	struct verify_set *vs = verify_set_new();
	struct select *sel = select_new();
	struct spool_snap *snap;
	struct plan_drain *pd;
	struct plan *fl;
	time_t now = 1735700000;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/input", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/msglog", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	put_msg(dir, "1tSm9A-000W7E-01", "j1@d.example\nj2@d.example\n", 2);
	put_msg(dir, "1tSm9B-000W7E-02", "u1@d.example\nj3@d.example\n", 2);
	put_msg(dir, "1tSm9C-000W7E-03", "j4@d.example\np@o.example\n", 2);
	put_msg(dir, "1tSm9D-000W7E-04", "u2@d.example\n", 1);
	put_msg(dir, "1tSm9E-000W7E-05", "n1@d.example\nj5@d.example\n", 2);
	put_msg(dir, "1tSm9F-000W7E-06", "late@d.example\n", 1);
	ck_assert_ptr_nonnull(snap = spool_scan(dir, NULL, err, sizeof(err)));
	/* j*: 5xx; u*: 2xx; n1: 4xx (deferred); late: a 5xx too old. */
	verify_set_put(vs, "j1@d.example", now - 60, VERIFY_REJECTED, 550, "");
	verify_set_put(vs, "j2@d.example", now - 60, VERIFY_REJECTED, 550, "");
	verify_set_put(vs, "j3@d.example", now - 60, VERIFY_REJECTED, 550, "");
	verify_set_put(vs, "j4@d.example", now - 60, VERIFY_REJECTED, 550, "");
	verify_set_put(vs, "j5@d.example", now - 60, VERIFY_REJECTED, 550, "");
	verify_set_put(vs, "u1@d.example", now - 60, VERIFY_ACCEPTED, 250, "");
	verify_set_put(vs, "u2@d.example", now - 60, VERIFY_ACCEPTED, 250, "");
	verify_set_put(vs, "n1@d.example", now - 60, VERIFY_DEFERRED, 450, "");
	verify_set_put(vs, "late@d.example", now - 7200, VERIFY_REJECTED, 550,
	    "");
	ck_assert_int_eq(select_add(sel, "domain", "d.example", err,
	    sizeof(err)), 0);
	select_bind_verify(sel, vs, now, 3600);
	pd = plan_drain_new(snap, NULL, sel, now, 0, 0);
	/* Remove: 01 whole; the rejected of 02, 03 (o.example stays) and
	 * 05 by -Mmd; never the deferred n1 or the stale late@. */
	ck_assert_int_eq(pd->remove->act, PLAN_DELETE);
	ck_assert_uint_eq(pd->remove->n, 4);
	ck_assert_str_eq(pd->remove->items[0].id, "1tSm9A-000W7E-01");
	ck_assert_int_eq(pd->remove->items[0].how, PLAN_WHOLE);
	ck_assert_int_eq(pd->remove->items[1].how, PLAN_RCPTS);
	ck_assert_str_eq(pd->remove->addrs[pd->remove->items[1].addr0],
	    "j3@d.example");
	ck_assert_int_eq(pd->remove->items[2].how, PLAN_RCPTS);
	ck_assert_int_eq(pd->remove->items[3].how, PLAN_RCPTS);
	ck_assert_str_eq(pd->remove->items[3].id, "1tSm9E-000W7E-05");
	/* Flush: the messages with an accepted recipient. */
	ck_assert_uint_eq(pd->flush->n, 2);
	ck_assert_str_eq(pd->flush->items[0].id, "1tSm9B-000W7E-02");
	ck_assert_str_eq(pd->flush->items[1].id, "1tSm9D-000W7E-04");
	/* Left: n1 and late@; 05 and 06 stay untouched otherwise. */
	ck_assert_uint_eq(pd->nleft_rcpts, 2);
	ck_assert_uint_eq(pd->nleft_msgs, 2);
	plan_drain_free(pd);
	/* --bounce-rejected: -Mg for 01 only; the others are skipped. */
	pd = plan_drain_new(snap, NULL, sel, now, 1, 0);
	ck_assert_int_eq(pd->remove->act, PLAN_BOUNCE);
	ck_assert_uint_eq(plan_nacted(pd->remove), 1);
	ck_assert_uint_eq(pd->remove->nskipped, 3);
	plan_drain_free(pd);
	fl = plan_drain_flush(snap, NULL, sel, now, 1);
	ck_assert_uint_eq(fl->n, 1);
	ck_assert_uint_eq(fl->ncut, 1);
	plan_free(fl);
	/* Without answers nothing at all is removed or flushed. */
	select_bind_verify(sel, NULL, now, 3600);
	pd = plan_drain_new(snap, NULL, sel, now, 0, 0);
	ck_assert_uint_eq(pd->remove->n + pd->flush->n, 0);
	ck_assert_uint_eq(pd->nleft_msgs, 6);
	plan_drain_free(pd);
	select_free(sel);
	verify_set_free(vs);
	spool_snap_free(snap);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

static Suite *
callout_suite(void)
{
	Suite *s = suite_create("callout");
	TCase *tc;

	tc = tcase_create("route");
	tcase_add_test(tc, route_sandbox_ok);
	tcase_add_test(tc, route_sandbox_fail_defer);
	tcase_add_test(tc, route_mx_padding);
	tcase_add_test(tc, route_cut_everywhere);
	tcase_add_test(tc, route_fuzz_nul_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("reply");
	tcase_add_test(tc, reply_multiline);
	tcase_add_test(tc, reply_enhanced_and_bare);
	tcase_add_test(tc, reply_bad);
	tcase_add_test(tc, reply_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("probe");
	tcase_add_loop_test(tc, probe_verdicts, 0,
	    sizeof(verdicts) / sizeof(verdicts[0]));
	tcase_add_test(tc, probe_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("verify");
	tcase_add_test(tc, verify_results_and_age);
	tcase_add_test(tc, verify_text_roundtrip);
	tcase_add_test(tc, verify_text_hostile);
	tcase_add_test(tc, verify_watch_stops);
	suite_add_tcase(s, tc);

	tc = tcase_create("drain");
	tcase_add_test(tc, drain_plan);
	suite_add_tcase(s, tc);

	tc = tcase_create("job");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, verify_job_batches);
	tcase_add_test(tc, verify_job_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(callout_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
