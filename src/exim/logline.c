/* logline.c -- the grammar of Exim's main-log lines and msglog entries
 * (logline.h).  Every field is found by fixed text; nothing is copied. */
#include "exim/logline.h"
#include "exim/spool.h"
#include "base/text.h"
#include "base/units.h"

#include <string.h>

#define FIND(s, n, lit)	text_memmem((s), (n), (lit), sizeof(lit) - 1)
#define PFX(s, n, lit)	((n) >= sizeof(lit) - 1 && \
			    memcmp((s), (lit), sizeof(lit) - 1) == 0)

static const char *const kind_names[LL__COUNT] = {
	"none", "received", "defer", "skip", "fail", "expired", "deliver",
	"hosterr", "callout_defer", "callout_reject", "callout_cached",
	"rcpt_reject", "misconfig", "frozen", "completed", "bouncefail", "note"
};

static const char pfail[] = "Process failed (";

const char *
logline_kind_name(enum logline_kind k)
{
	if ((unsigned)k >= LL__COUNT)
		return "?";
	return kind_names[k];
}

static int
dig(char c)
{
	return c >= '0' && c <= '9';
}

static int
num(const char *s, size_t n)
{
	int	 v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

size_t
logline_stamp(const char *s, size_t len, time_t *t, struct logline_tcache *tc)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	struct tm	 tm;
	size_t		 i, n = 19;
	int		 y, mo, d, h, mi, se, off;
	time_t		 base;

	if (len < 19)
		return 0;
	for (i = 0; i < 19; i++)
		if (shape[i] == 'd' ? !dig(s[i]) : s[i] != shape[i])
			return 0;
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	h = num(s + 11, 2);
	mi = num(s + 14, 2);
	se = num(s + 17, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return 0;
	if (n + 4 <= len && s[n] == '.' && dig(s[n + 1]) && dig(s[n + 2]) &&
	    dig(s[n + 3]))
		n += 4;
	if (n + 6 <= len && s[n] == ' ' && (s[n + 1] == '+' ||
	    s[n + 1] == '-') && dig(s[n + 2]) && dig(s[n + 3]) &&
	    dig(s[n + 4]) && dig(s[n + 5]) &&
	    (n + 6 == len || s[n + 6] == ' ')) {
		off = num(s + n + 2, 2) * 3600 + num(s + n + 4, 2) * 60;
		if (s[n + 1] == '-')
			off = -off;
		*t = (time_t)(units_days_from_civil(y, mo, d) * 86400 +
		    h * 3600 + mi * 60 + se - off);
		return n + 6;
	}
	if (tc != NULL && memcmp(tc->key, s, 13) == 0 && tc->key[13] == 1) {
		*t = tc->base + mi * 60 + se;
		return n;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_isdst = -1;
	base = mktime(&tm);
	if (base == (time_t)-1)
		base = (time_t)(units_days_from_civil(y, mo, d) * 86400 +
		    h * 3600);
	if (tc != NULL) {
		memcpy(tc->key, s, 13);
		tc->key[13] = 1;
		tc->base = base;
	}
	*t = base + mi * 60 + se;
	return n;
}

int
logline_is_skip(const char *text, size_t len)
{
	char	 buf[512];
	size_t	 i, n;

	n = len < sizeof(buf) ? len : sizeof(buf);
	for (i = 0; i < n; i++)
		buf[i] = (char)((text[i] >= 'A' && text[i] <= 'Z') ?
		    text[i] + 32 : text[i]);
	/* Both of these mention the retry time, but are real outcomes. */
	if (FIND(buf, n, "have been failing for a long time") != NULL ||
	    FIND(buf, n, "host address lookups failed") != NULL)
		return 0;
	return FIND(buf, n, "retry time not reached") != NULL ||
	    FIND(buf, n, "retry time not yet reached") != NULL;
}

static struct logline_span
span(const char *p, size_t n)
{
	struct logline_span s = { p, n };

	return s;
}

/* Length of an address token at s: up to a space (a quoted local part
 * may hold spaces). */
static size_t
addrlen(const char *s, size_t n)
{
	size_t	 i = 0;

	if (n > 0 && s[0] == '"') {
		for (i = 1; i < n && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
	}
	while (i < n && s[i] != ' ')
		i++;
	return i > n ? n : i;
}

/* Length of the host value at s ("name [ip]", then ":port"). */
static size_t
hostlen(const char *s, size_t n)
{
	const char	*rb, *sp;
	size_t		 i;

	rb = memchr(s, ']', n);
	sp = memchr(s, ' ', n);
	if (rb == NULL || (sp != NULL && sp + 1 < s + n && sp[1] != '[' &&
	    sp < rb))
		return sp != NULL ? (size_t)(sp - s) : n;
	i = (size_t)(rb - s) + 1;
	if (i < n && s[i] == ':' && i + 1 < n && dig(s[i + 1]))
		for (i++; i < n && dig(s[i]); i++)
			;
	return i;
}

/* The address token a[0..n): without trailing ':' or ',', without <>. */
static struct logline_span
addr(const char *a, size_t n)
{
	while (n > 0 && (a[n - 1] == ':' || a[n - 1] == ','))
		n--;
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
		a++, n -= 2;
	return span(a, n);
}

/* The " H=" field in s[0..n) (or "H=" at its start), if any. */
static void
host_field(struct logline *ll, const char *s, size_t n)
{
	const char	*h;

	if (PFX(s, n, "H="))
		h = s;
	else if ((h = FIND(s, n, " H=")) != NULL)
		h++;
	else
		return;
	h += 2;
	ll->host = span(h, hostlen(h, n - (size_t)(h - s)));
}

/* "addr ... defer (N)[: strerror][ H=..][ DT=..][: msg]" (the "==" line
 * and the msglog deferral alike).  Returns 1, or 0 if s is not one. */
static int
p_defer(struct logline *ll, const char *s, size_t n)
{
	const char	*d, *q, *e = s + n;

	d = FIND(s, n, " defer (");
	if (d == NULL)
		return 0;
	q = d + 8;
	if (q < e && *q == '-')
		q++;
	if (q >= e || !dig(*q))
		return 0;
	while (q < e && dig(*q))
		q++;
	if (q >= e || *q != ')')
		return 0;
	q++;
	if (q < e && *q == ':')
		q++;
	while (q < e && *q == ' ')
		q++;
	ll->addr = addr(s, addrlen(s, n));
	host_field(ll, q, (size_t)(e - q));
	ll->text = span(q, (size_t)(e - q));
	ll->kind = logline_is_skip(q, (size_t)(e - q)) ? LL_SKIP : LL_DEFER;
	return 1;
}

/* In "addr R=r T=t H=host [ip]*: text" (Exim 4.96), the ": " after the
 * host group, or NULL. */
static const char *
fail_host_end(const char *s, size_t n)
{
	const char	*h, *e = s + n, *q;

	if ((h = FIND(s, n, " H=")) == NULL)
		return NULL;
	q = h + 3 + hostlen(h + 3, (size_t)(e - h - 3));
	if (q < e && *q == '*')
		q++;
	return e - q >= 2 && q[0] == ':' && q[1] == ' ' ? q : NULL;
}

/* The text of a failure, m[0..e): without a trailing " DT=t", which
 * +deliver_time puts after the message on "**" lines. */
static void
fail_text(struct logline *ll, const char *m, const char *e)
{
	const char	*p = e;

	if (e - m > 4) {
		while (p > m && p[-1] != ' ')
			p--;
		if (p > m && e - p > 3 && memcmp(p, "DT=", 3) == 0)
			e = p - 1;
	}
	ll->text = span(m, (size_t)(e - m));
	ll->kind = LL_FAIL;
}

/* "addr ... : msg[ DT=t]", Exim 4.96's "addr R=r T=t H=h [ip]*: msg",
 * and the short forms "addr[ <p>]: retry timeout exceeded" and
 * "addr: Too many "Received" headers - suspected mail loop" (the "**"
 * line; a msglog failure entry is the same without "** ").  short_ok:
 * take the short forms (main log; in a msglog those need a stamp too).
 * Returns 1, or 0 if s is not one. */
static int
p_fail(struct logline *ll, const char *s, size_t n, int short_ok)
{
	static const char rte[] = "retry timeout exceeded";
	const char	*c, *e = s + n, *q;
	size_t		 al = addrlen(s, n);

	if ((c = FIND(s, n, " : ")) != NULL) {
		ll->addr = addr(s, al);
		host_field(ll, s, (size_t)(c - s));
		fail_text(ll, c + 3, e);
		return 1;
	}
	/* In a msglog only with a router: notes may hold " H=" too. */
	if ((short_ok || FIND(s, n, " R=") != NULL) &&
	    (q = fail_host_end(s, n)) != NULL) {
		ll->addr = addr(s, al);
		host_field(ll, s, (size_t)(q - s));
		fail_text(ll, q + 2, e);
		return 1;
	}
	if (!short_ok || (q = FIND(s, n, ": ")) == NULL ||
	    FIND(s, (size_t)(q - s), " R=") != NULL)
		return 0;
	/* Short form: the address (and a <parent>) end at ": ". */
	if (al > (size_t)(q - s))
		al = (size_t)(q - s);
	ll->addr = addr(s, al);
	q += 2;
	if ((size_t)(e - q) == sizeof(rte) - 1 &&
	    memcmp(q, rte, sizeof(rte) - 1) == 0) {
		ll->kind = LL_EXPIRED;
		ll->text = span(q, (size_t)(e - q));
		return 1;
	}
	fail_text(ll, q, e);
	return 1;
}

/* "H=host [ip][*][:] text": a per-host line. */
static void
p_hosterr(struct logline *ll, const char *s, size_t n)
{
	const char	*r, *e = s + n;
	size_t		 k = hostlen(s + 2, n - 2);

	ll->host = span(s + 2, k);
	r = s + 2 + k;
	if (r < e && *r == '*')
		r++;
	if (r < e && *r == ':')
		r++;
	while (r < e && *r == ' ')
		r++;
	ll->kind = LL_HOSTERR;
	ll->text = span(r, (size_t)(e - r));
}

/* "<fullhost> ... [temporarily ]rejected RCPT <x>[ params][: msg]" */
static int
p_rcpt(struct logline *ll, const char *s, size_t n, const char *r)
{
	const char	*e = s + n, *a, *m, *b;
	size_t		 mn;
	int		 temp;

	temp = r - s >= 12 && memcmp(r - 12, "temporarily ", 12) == 0;
	a = r + sizeof("rejected RCPT ") - 1;
	ll->addr = addr(a, addrlen(a, (size_t)(e - a)));
	m = FIND(a, (size_t)(e - a), ": ");
	m = m != NULL ? m + 2 : e;
	mn = (size_t)(e - m);
	ll->text = span(m, mn);
	if (PFX(m, mn, "Could not complete recipient verify callout")) {
		ll->kind = LL_CALLOUT_DEFER;
		b = m + sizeof("Could not complete recipient verify callout")
		    - 1;
		if (PFX(b, (size_t)(e - b), ": ")) {
			b += 2;
			if (FIND(b, (size_t)(e - b), " : ") != NULL)
				ll->host = span(b, hostlen(b,
				    (size_t)(e - b)));
		}
		return 1;
	}
	if (PFX(m, mn, "Could not complete sender verify") ||
	    PFX(m, mn, "Sender verify failed"))
		return 0;
	if (PFX(m, mn, "Previous (cached) callout verification failure") ||
	    FIND(m, mn, "(result of an earlier callout reused)") != NULL) {
		ll->kind = LL_CALLOUT_CACHED;
		return 1;
	}
	b = FIND(m, mn, "] : ");
	if (!temp && b != NULL &&
	    (FIND(b, (size_t)(e - b), "SMTP error from remote mail server")
	    != NULL || FIND(b, (size_t)(e - b), "\" was: ") != NULL)) {
		ll->kind = LL_CALLOUT_REJECT;
		ll->host = span(m, (size_t)(b - m) + 1);
		return 1;
	}
	ll->kind = LL_RCPT_REJECT;
	return 1;
}

/* "<fullhost> Warning: ACL "warn" statement skipped: condition test
 * deferred: msg" (4.92-4.98) or "... ACL 'warn' statement skipped (in
 * acl ...): condition test deferred: msg" (4.99). */
static int
p_warn(struct logline *ll, const char *s, size_t n, const char *w)
{
	const char	*e = s + n, *m, *a, *gt;

	m = FIND(w, (size_t)(e - w), "condition test deferred");
	if (m == NULL)
		return 0;
	m += sizeof("condition test deferred") - 1;
	if (PFX(m, (size_t)(e - m), ": "))
		m += 2;
	ll->kind = LL_CALLOUT_DEFER;
	ll->text = span(m, (size_t)(e - m));
	if ((a = FIND(m, (size_t)(e - m), "RCPT TO:<")) != NULL &&
	    (gt = memchr(a, '>', (size_t)(e - a))) != NULL) {
		a += sizeof("RCPT TO:<") - 1;
		ll->addr = addr(a, (size_t)(gt - a));
	}
	if (m < e && FIND(m, (size_t)(e - m), "] : ") != NULL &&
	    memchr(m, '[', (size_t)(e - m)) != NULL &&
	    !PFX(m, (size_t)(e - m), "Could not"))
		ll->host = span(m, hostlen(m, (size_t)(e - m)));
	return 1;
}

/* Length of a message id at s (16 or 23), then a blank or the end; or 0. */
static size_t
idlen(const char *s, size_t n)
{
	static const size_t lens[] = { 23, 16 };
	size_t	 i;

	for (i = 0; i < 2; i++)
		if (n >= lens[i] && spool_id_valid(s, lens[i]) &&
		    (n == lens[i] || s[lens[i]] == ' '))
			return lens[i];
	return 0;
}

int
logline_main(const char *s, size_t len, struct logline *ll)
{
	const char	*e = s + len, *r, *w;
	size_t		 k, n;

	memset(ll, 0, sizeof(*ll));
	if (s < e && *s == '[') {
		for (r = s + 1; r < e && dig(*r); r++)
			;
		if (r < e && *r == ']' && r > s + 1) {
			s = r + 1;
			if (s < e && *s == ' ')
				s++;
		}
	}
	if ((k = idlen(s, (size_t)(e - s))) != 0) {
		ll->id = span(s, k);
		s += k;
		if (s < e)
			s++;
	}
	n = (size_t)(e - s);
	if (n >= 3 && s[2] == ' ') {
		if (s[0] == '=' && s[1] == '=')
			return p_defer(ll, s + 3, n - 3) ? 1 : -1;
		if (s[0] == '*' && s[1] == '*')
			return p_fail(ll, s + 3, n - 3, 1) ? 1 : -1;
		if ((s[0] == '=' || s[0] == '-' || s[0] == '>') && s[1] == '>') {
			k = addrlen(s + 3, n - 3);
			ll->addr = addr(s + 3, k);
			host_field(ll, s + 3 + k, n - 3 - k);
			ll->kind = LL_DELIVER;
			ll->text = span(s + 3 + k, n - 3 - k);
			return 1;
		}
		/* An arrival: the message is this relay's (and whether the
		 * log is the spool's). */
		if (s[0] == '<' && s[1] == '=' && ll->id.n != 0) {
			ll->kind = LL_RECEIVED;
			ll->text = span(s + 3, n - 3);
			return 1;
		}
		if ((s[0] == '<' || s[0] == '(' || s[0] == '*') &&
		    (s[1] == '=' || s[1] == '>'))
			return 0;
	}
	switch (n > 0 ? s[0] : '\0') {
	case 'C':
		if (PFX(s, n, "Completed") && ll->id.n != 0) {
			ll->kind = LL_COMPLETED;
			ll->text = span(s, n);
			return 1;
		}
		return 0;
	case 'F':
	case 'f':
		if (ll->id.n != 0 && (PFX(s, n, "Frozen") ||
		    PFX(s, n, "frozen by "))) {
			ll->kind = LL_FROZEN;
			ll->text = span(s, n);
			return 1;
		}
		return 0;
	case 'l':
		if (PFX(s, n, "lowest numbered MX record points to local host")) {
			ll->kind = LL_MISCONFIG;
			ll->text = span(s, n);
			if ((r = FIND(s, n, "host: ")) != NULL) {
				r += 6;
				for (k = 0; r + k < e && r[k] != ' '; k++)
					;
				ll->domain = span(r, k);
			}
			return 1;
		}
		return 0;
	case 'S':
	case 'E':
		return 0;	/* queue runs, "Spool file ...", "End ..." */
	}
	/* SMTP-time lines: "<fullhost> ...", maybe with " DS" glued. */
	while (n > 0 && *s == ' ')
		s++, n--;
	if ((r = FIND(s, n, "rejected RCPT ")) != NULL)
		return p_rcpt(ll, s, n, r);
	if ((w = FIND(s, n, "Warning: ACL ")) != NULL &&
	    FIND(w, (size_t)(e - w), "statement skipped") != NULL)
		return p_warn(ll, s, n, w);
	if (ll->id.n != 0 && PFX(s, n, "H=") && FIND(s, n, " F=<") == NULL) {
		p_hosterr(ll, s, n);
		return 1;
	}
	return 0;
}

void
logline_msglog(const char *s, size_t n, int stamped, struct logline *ll)
{
	const char	*p, *q, *end = s + n;
	size_t		 k;

	memset(ll, 0, sizeof(*ll));
	ll->kind = LL_NOTE;
	ll->text = span(s, n);
	if (PFX(s, n, "Received from ")) {
		ll->kind = LL_RECEIVED;
		ll->text = span(s + 14, n - 14);
	} else if (PFX(s, n, "*** Frozen") || PFX(s, n, "frozen by ")) {
		ll->kind = LL_FROZEN;
	} else if (PFX(s, n, pfail)) {
		ll->kind = LL_BOUNCEFAIL;
		if ((p = FIND(s, n, " error message to ")) != NULL) {
			p += 18;
			q = FIND(p, (size_t)(end - p), " (frozen)");
			ll->addr = addr(p, q != NULL ? (size_t)(q - p) :
			    addrlen(p, (size_t)(end - p)));
		}
	} else if (PFX(s, n, "H=")) {
		p_hosterr(ll, s, n);
	} else if (PFX(s, n, "routing failed for ") ||
	    PFX(s, n, "transporting failed for ")) {
		p = s + (s[0] == 'r' ? 19 : 24);
		k = addrlen(p, (size_t)(end - p));
		/* Exim 4.96 writes "for <addr>: <text>". */
		ll->addr = addr(p, k);
		if ((q = FIND(p, (size_t)(end - p), " : ")) != NULL)
			q += 3;
		else if ((q = FIND(p, (size_t)(end - p), ": ")) != NULL)
			q += 2;
		else
			q = end;
		ll->text = span(q, (size_t)(end - q));
		ll->kind = LL_FAIL;
	} else if (p_defer(ll, s, n)) {
		;
	} else if (n > 24 && memcmp(end - 24, ": retry timeout exceeded",
	    24) == 0 && FIND(s, n, " : ") == NULL) {
		ll->kind = LL_EXPIRED;
		ll->addr = addr(s, addrlen(s, n));
		ll->text = span(end - 22, 22);
	} else if ((p = FIND(s, n, " transport succeeded")) != NULL &&
	    p + 20 == end) {
		ll->kind = LL_DELIVER;
		ll->addr = addr(s, addrlen(s, n));
		if ((q = FIND(s, n, ": ")) != NULL)
			ll->text = span(q + 2, (size_t)(end - q - 2));
	} else if (stamped && FIND(s, n, ": children all complete") == NULL &&
	    !PFX(s, n, "no ") && p_fail(ll, s, n, 0)) {
		/* The main log's "**" line minus "** ". */
		;
	} else {
		memset(ll, 0, sizeof(*ll));
		ll->kind = LL_NOTE;
		ll->text = span(s, n);
	}
}

int
logline_is_pfail(const char *s, size_t n)
{
	return PFX(s, n, pfail);
}

const char *
logline_glued(const char *s, size_t n)
{
	const char	*p, *end = s + n;
	time_t		 t;

	if (!PFX(s, n, pfail))
		return NULL;
	for (p = s + sizeof(pfail) - 1; p < end; p++) {
		if (dig(*p) && logline_stamp(p, (size_t)(end - p), &t,
		    NULL) > 0)
			return p;
		if (*p == '*' && PFX(p, (size_t)(end - p), "*** Frozen"))
			return p;
		if (*p == 'D' && PFX(p, (size_t)(end - p),
		    "Delivery deferred by system filter"))
			return p;
		if (*p == 'P' && PFX(p, (size_t)(end - p), pfail))
			return p;
	}
	return NULL;
}
