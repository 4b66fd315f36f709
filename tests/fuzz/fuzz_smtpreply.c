/* fuzz_smtpreply.c -- libFuzzer harness for the SMTP reply parser, fed
 * as a hostile primary would send: the same bytes whole and in pieces
 * cut where the input says must give the same replies, each with a code
 * of 200-599 (0 only for a bad one), a NUL-terminated text of the length
 * it claims, bounded by SMTP_TEXT_MAX, and never more lines kept than
 * SMTP_REPLY_LINES.
 *
 *	make fuzz FUZZ_NAMES=smtpreply	(seeds: tests/fuzz/seeds-smtpreply/)
 *
 * Crashes become cases in tests/unit/check_fuzzfound.c. */
#include "run/smtp.h"

#include "fuzz.h"

#define MAXREPLIES 64

struct got {
	int		 code[MAXREPLIES];
	size_t		 len[MAXREPLIES];
	unsigned	 lines[MAXREPLIES];
	size_t		 n;
	int		 bad;
};

static void
check(const struct smtp_reply *r, enum smtp_rstate st)
{
	FUZZ_CHECK(r->len < SMTP_TEXT_MAX);
	FUZZ_CHECK(strlen(r->text) <= r->len);
	FUZZ_CHECK(r->nlines <= SMTP_REPLY_LINES);
	FUZZ_CHECK(r->llen <= SMTP_LINE_MAX);
	if (st == SMTP_R_DONE)
		FUZZ_CHECK(r->code >= 200 && r->code <= 599);
	if (st == SMTP_R_BAD)
		FUZZ_CHECK(r->code == 0);
}

/* Feeds s[0..n) in pieces of step bytes (0: whole), into g. */
static void
run(const char *s, size_t n, size_t step, struct got *g)
{
	struct smtp_reply *r = malloc(sizeof(*r));
	enum smtp_rstate st;
	size_t k = 0, want, used;

	memset(g, 0, sizeof(*g));
	smtp_reply_init(r);
	while (k < n && g->n < MAXREPLIES && !g->bad) {
		want = step == 0 || n - k < step ? n - k : step;
		used = smtp_reply_feed(r, s + k, want, &st);
		FUZZ_CHECK(used <= want);
		check(r, st);
		k += used;
		if (st == SMTP_R_MORE) {
			FUZZ_CHECK(used == want);
			continue;
		}
		g->code[g->n] = r->code;
		g->len[g->n] = r->len;
		g->lines[g->n] = r->nlines;
		g->n++;
		g->bad = st == SMTP_R_BAD;
		smtp_reply_init(r);
	}
	free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	struct got a, b;
	size_t i, step;

	memcpy(s, data, size);
	run(s, size, 0, &a);
	step = size > 0 ? (size_t)data[size - 1] % 17 + 1 : 1;
	run(s, size, step, &b);
	FUZZ_CHECK(a.n == b.n && a.bad == b.bad);
	for (i = 0; i < a.n; i++) {
		FUZZ_CHECK(a.code[i] == b.code[i]);
		FUZZ_CHECK(a.len[i] == b.len[i]);
		FUZZ_CHECK(a.lines[i] == b.lines[i]);
	}
	free(s);
	return 0;
}
