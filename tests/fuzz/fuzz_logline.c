/* fuzz_logline.c -- libFuzzer harness for the one log-line grammar.
 *
 *	make fuzz	(corpus: lines of sample-spool/log/mainlog, the
 *			 msglogs of sample-spool/msglog/, tests/data/logs/)
 *
 * Each line of the input, in a heap buffer of its own length (no NUL, so
 * ASan sees a read past its end), goes through logline_stamp(),
 * logline_main() and logline_msglog() (every span they return must lie
 * inside the line), logline_glued(), logline_is_skip() and
 * logscan_parse_line() (its strings NUL-terminated, the domain lower
 * case).  The whole input is also a msglog: history_parse() of all of it
 * must give the same events as history_feed() of it in three pieces cut
 * where the input says (history.h promises that).  TZ has summer time, so
 * mktime() takes both paths.  Crashes become cases in
 * tests/unit/check_fuzzfound.c. */
#include "exim/logline.h"
#include "exim/history.h"
#include "exim/logscan.h"
#include "exim/spool.h"

#include <time.h>

#include "fuzz.h"

static struct logscan_scratch *sc;

static void
span_in(struct logline_span sp, const char *s, size_t n)
{
	FUZZ_CHECK(fuzz_inside(sp.p, sp.n, s, n));
}

static void
ll_in(const struct logline *ll, const char *s, size_t n)
{
	FUZZ_CHECK((unsigned)ll->kind < LL__COUNT);
	FUZZ_CHECK(logline_kind_name(ll->kind) != NULL);
	span_in(ll->id, s, n);
	span_in(ll->addr, s, n);
	span_in(ll->host, s, n);
	span_in(ll->text, s, n);
	span_in(ll->domain, s, n);
	FUZZ_CHECK(ll->id.n == 0 || spool_id_valid(ll->id.p, ll->id.n));
}

static void
one_line(const char *data, size_t n)
{
	struct logscan_event ev;
	struct logline ll;
	const char *g, *p;
	char *s = malloc(n ? n : 1);
	size_t k, rn;
	time_t t;
	int rc;

	memcpy(s, data, n);
	k = logline_stamp(s, n, &t, &sc->tc);
	FUZZ_CHECK(k <= n);
	(void)logline_stamp(s, n, &t, NULL);
	p = s + k;
	rn = n - k;
	if (k > 0 && rn > 0 && *p == ' ')
		p++, rn--;
	rc = logline_main(p, rn, &ll);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	ll_in(&ll, p, rn);
	logline_msglog(p, rn, k > 0, &ll);
	ll_in(&ll, p, rn);
	FUZZ_CHECK(ll.kind != LL_NONE);
	logline_msglog(s, n, 0, &ll);
	ll_in(&ll, s, n);
	if ((g = logline_glued(s, n)) != NULL)
		FUZZ_CHECK(g > s && g <= s + n);
	(void)logline_is_pfail(s, n);
	(void)logline_is_skip(s, n);
	if (n <= LOGSCAN_LINE_MAX) {
		rc = logscan_parse_line(s, n, &ev, sc);
		FUZZ_CHECK(rc >= -1 && rc <= 1);
		FUZZ_CHECK(ev.line == s && ev.linelen == n);
		if (rc == 1) {
			FUZZ_CHECK((unsigned)ev.kind < LL__COUNT);
			FUZZ_CHECK(strlen(ev.id) <= SPOOL_ID_MAX);
			FUZZ_CHECK(ev.id[0] == '\0' ||
			    spool_id_valid(ev.id, strlen(ev.id)));
			FUZZ_CHECK(strlen(ev.addr) <= n && strlen(ev.host) <= n &&
			    strlen(ev.text) <= n && strlen(ev.domain) <= n);
			for (p = ev.domain; *p != '\0'; p++)
				FUZZ_CHECK(*p < 'A' || *p > 'Z');
		}
	}
	free(s);
}

static int
streq_null(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
same_history(const struct history *a, const struct history *b)
{
	size_t i;

	FUZZ_CHECK(a->n == b->n);
	FUZZ_CHECK(a->fed == b->fed);
	FUZZ_CHECK(a->attempts == b->attempts);
	FUZZ_CHECK(a->frozen == b->frozen);
	for (i = 0; i < a->n; i++) {
		const struct history_event *x = &a->ev[i], *y = &b->ev[i];

		FUZZ_CHECK(x->time == y->time && x->kind == y->kind);
		FUZZ_CHECK(streq_null(x->addr, y->addr));
		FUZZ_CHECK(streq_null(x->host, y->host));
		FUZZ_CHECK(strcmp(x->line, y->line) == 0);
		FUZZ_CHECK(x->text - x->line == y->text - y->line);
	}
}

static void
check_history(const struct history *h)
{
	size_t i;
	uint32_t attempts = 0;

	for (i = 0; i < h->n; i++) {
		const struct history_event *e = &h->ev[i];

		FUZZ_CHECK(e->line != NULL && e->text != NULL);
		FUZZ_CHECK(e->text >= e->line &&
		    e->text <= e->line + strlen(e->line));
		FUZZ_CHECK(history_kind_name(e->kind) != NULL);
		attempts += history_is_attempt(e) ? 1 : 0;
	}
	FUZZ_CHECK(attempts == h->attempts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *e = s + size, *nl, *p;
	struct history whole, parts;
	size_t a, b;

	if (sc == NULL) {
		/* Central Europe, written out: no tzdata needed. */
		setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
		tzset();
		sc = calloc(1, sizeof(*sc));
	}
	for (p = s; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		one_line(p, (size_t)(nl - p));
	}

	history_parse(&whole, s, size);
	check_history(&whole);
	a = size > 0 ? (size_t)data[0] * 131 % (size + 1) : 0;
	b = size > 0 ? (size_t)data[size - 1] * 257 % (size + 1) : 0;
	if (a > b) {
		size_t t = a;

		a = b;
		b = t;
	}
	history_init(&parts);
	history_feed(&parts, s, a);
	check_history(&parts);
	history_feed(&parts, s + a, b - a);
	history_feed(&parts, s + b, 0);
	history_feed(&parts, s + b, size - b);
	check_history(&parts);
	same_history(&whole, &parts);
	history_done(&whole);
	history_done(&parts);
	return 0;
}
