/* fuzz_select.c -- libFuzzer harness for the selection language:
 * select_parse_words(), select_add(), select_add_exact(), then
 * select_msg() and friends on a tiny snapshot.
 *
 *	make fuzz	(seeds: tests/fuzz/seeds-select/)
 *
 * The input's first line is TUI words; each further line is one term,
 * "key=value" (select_add()), "key" (no value) or "!key=value"
 * (select_add_exact()).  The snapshot is a spool of five messages made
 * once on tmpfs (frozen, a bounce, a bad -H, odd addresses, split), with
 * a diagnosis from a few log lines in which one domain is no customer.
 * Checked: a failed select_parse_words() leaves the selection as it was;
 * select_dup() gives the same options and the same matches; a message
 * matched with recipient terms has a pending recipient select_rcpt()
 * takes, and select_last() is one of those; select_to_args() stays in
 * its buffer.  Crashes become cases in tests/unit/check_fuzzfound.c. */
#include "model/select.h"
#include "model/diag.h"
#include "exim/logscan.h"
#include "exim/spool.h"

#include <sys/stat.h>

#include "fuzz.h"

#define NOW	1762505942	/* sample-spool/now */

static struct spool_snap *snap;
static struct diag *diag;
static uint8_t *is;		/* the customers, kept for the diagnosis */

static const char *const keys[] = { "domain", "sender", "rcpt", "older",
	"younger", "frozen", "id", "bad", "class", "customer", "match", "to",
	"from", "" };

static void
put_h(const char *spool, const char *id, const char *sub, const char *sender,
    long t, const char *opts, const char *tree, const char *rcpts, int n)
{
	char path[600], buf[4096];

	snprintf(buf, sizeof(buf), "%s-H\nDebian-exim 101 103\n<%s>\n%ld 0\n"
	    "%s%s%d\n%s\n027F From: alice@sender.example\n", id, sender, t,
	    opts, tree, n, rcpts);
	snprintf(path, sizeof(path), "%s/input/%s%s-H", spool, sub, id);
	fuzz_write(path, buf, strlen(buf));
	snprintf(path, sizeof(path), "%s/input/%s%s-D", spool, sub, id);
	snprintf(buf, sizeof(buf), "%s-D\nHello.\n", id);
	fuzz_write(path, buf, strlen(buf));
}

static void
setup(void)
{
	static const char *const lines[] = {
		"2025-11-07 08:00:00 1vG2HR-00067n-0o == bob@Contoso.example "
		"R=relay T=remote_smtp defer (110): Connection timed out "
		"H=mx.contoso.example [192.0.2.7]: SMTP timeout after EHLO",
		"2025-11-07 08:10:00 1vG2HR-00067n-0o == bob@Contoso.example "
		"R=relay T=remote_smtp defer (111): Connection refused",
		"2025-11-07 08:20:00 1vG2HS-0006Bp-24 ** x@fabrikam.example "
		"R=relay T=remote_smtp H=mx.fabrikam.example [192.0.2.9]: "
		"SMTP error from remote mail server after RCPT TO:"
		"<x@fabrikam.example>: 550 5.1.1 No such user",
		"2025-11-07 08:30:00 H=(helo) [192.0.2.1] F=<a@b.example> "
		"temporarily rejected RCPT <Info1@northwind.example>: Could "
		"not complete recipient verify callout",
	};
	struct logscan_scratch *sc = calloc(1, sizeof(*sc));
	struct logscan_event ev;
	struct diag_opts o = { .since = NOW - 86400, .threshold = 0.5,
	    .min_samples = 10 };
	struct diag_customers cust;
	struct diag_acc *acc;
	char path[600], err[256];
	const char *spool = fuzz_dir("select");
	size_t i;

	setenv("TZ", "UTC", 1);
	snprintf(path, sizeof(path), "%s/input", spool);
	FUZZ_CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/input/W", spool);
	FUZZ_CHECK(mkdir(path, 0755) == 0);
	put_h(spool, "1vG2HR-00067n-0o", "", "news@partners.example",
	    1762206001, "-received_time_usec .250072\n",
	    "NN carol@tailspin.example\n",
	    "bob@Contoso.example\ncarol@tailspin.example\n"
	    "dave@tailspin.example\n", 3);
	put_h(spool, "1vG2HS-0006Bp-24", "", "", 1762420000,
	    "-frozen 1762430000\n-localerror\n", "XX\n",
	    "x@fabrikam.example\n", 1);
	snprintf(path, sizeof(path), "%s/input/1vG2HT-00066p-0c-H", spool);
	fuzz_write(path, "garbage\n", 8);
	put_h(spool, "1tSm9Y-00000000W7E-132G", "W/", "Alice@Sender.example",
	    1762505000, "", "XX\n", "Info1@northwind.example\n"
	    "sales@[192.0.2.1]\n\"quoted local\"@proseware.example\n"
	    "noat\n@\n", 5);
	put_h(spool, "1vG2Ha-0006Bp-24", "", "MAILER-DAEMON@relay.test",
	    1762500000, "", "XX\n",
	    "postmaster@litware.example\n", 1);
	snap = spool_scan(spool, NULL, err, sizeof(err));
	FUZZ_CHECK(snap != NULL && snap->nmsgs == 5 && snap->nbad == 1);

	acc = diag_acc_new(&o);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (logscan_parse_line(lines[i], strlen(lines[i]), &ev,
		    sc) == 1)
			diag_acc_event(acc, &ev, snap);
	/* Every domain a customer but fabrikam.example. */
	cust.n = intern_count(snap->domains);
	is = calloc(cust.n + 1, 1);
	for (i = 0; i < cust.n; i++)
		is[i] = strcmp(intern_str(snap->domains, (uint32_t)i),
		    "fabrikam.example") != 0;
	cust.is = is;
	diag = diag_result(acc, snap, NULL, &cust);
	FUZZ_CHECK(diag != NULL);
	diag_acc_free(acc);
	free(sc);
}

static void
one_term(struct select *s, char *line)
{
	char err[256], *v;
	int exact = line[0] == '!';

	if (exact)
		line++;
	if ((v = strchr(line, '=')) != NULL)
		*v++ = '\0';
	err[0] = '\0';
	if (exact && v != NULL)
		(void)select_add_exact(s, line, v, err, sizeof(err));
	else
		(void)select_add(s, line, v, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
}

/* select_msg() and the recipient functions agree, for one message. */
static int
check_msg(const struct select *s, const struct spool_msg *m,
    const struct diag *d)
{
	size_t i, r, last;
	int ok, any = 0;

	ok = select_msg(s, snap, d, m, NOW);
	FUZZ_CHECK(ok == 0 || ok == 1);
	for (i = 0; i < m->nrcpt; i++) {
		r = m->rcpt0 + i;
		if (select_rcpt(s, snap, d, m, r) &&
		    snap->rcpts[r].state == RCPT_PENDING)
			any = 1;
	}
	if (ok && select_by_rcpt(s))
		FUZZ_CHECK(any);
	last = select_last(s, snap, d, m);
	if (last != SIZE_MAX) {
		FUZZ_CHECK(last >= m->rcpt0 && last < m->rcpt0 + m->nrcpt);
		FUZZ_CHECK(snap->rcpts[last].state == RCPT_PENDING);
		FUZZ_CHECK(select_rcpt(s, snap, d, m, last));
	}
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 1, 2, 9, 40, 4096 };
	char *text, *line, *save = NULL, *first;
	char before[4096], after[4096], err[256], small[40];
	struct select *s, *dup;
	size_t i, k;
	int rc;

	if (size > 2048)	/* regcomp() is not what is tested */
		return 0;
	if (snap == NULL)
		setup();
	text = fuzz_strndup(data, size);
	first = text;
	if ((line = strchr(text, '\n')) != NULL)
		*line++ = '\0';
	s = select_new();
	for (line = line ? strtok_r(line, "\n", &save) : NULL; line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		one_term(s, line);

	select_to_args(s, before, sizeof(before));
	err[0] = '\0';
	rc = select_parse_words(s, first, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	select_to_args(s, after, sizeof(after));
	if (rc < 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(strcmp(before, after) == 0);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(small, 'x', sizeof(small));
		k = lens[i] < sizeof(small) ? lens[i] : sizeof(small);
		select_to_args(s, small, k);
		FUZZ_CHECK(memchr(small, '\0', k) != NULL);
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		(void)select_has(s, keys[i]);
		(void)select_only(s, keys[i]);
	}
	FUZZ_CHECK(select_empty(s) == (after[0] == '\0'));

	dup = select_dup(s);
	select_to_args(dup, before, sizeof(before));
	FUZZ_CHECK(strcmp(before, after) == 0);
	for (i = 0; i < snap->nmsgs; i++) {
		const struct spool_msg *m = &snap->msgs[i];

		FUZZ_CHECK(check_msg(s, m, NULL) == check_msg(dup, m, NULL));
		FUZZ_CHECK(check_msg(s, m, diag) == check_msg(dup, m, diag));
	}
	for (i = 0; i < intern_count(snap->domains); i++)
		(void)select_domain(s, intern_str(snap->domains,
		    (uint32_t)i));
	(void)select_domain(s, first);
	select_free(dup);
	select_free(s);
	free(text);
	return 0;
}
