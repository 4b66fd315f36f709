/* logscan_parse.c -- one Exim main-log line into a logscan_event.  Pure:
 * no allocation, no regex; every field is found by fixed text. */
#include "exim/logscan.h"
#include "exim/spool.h"
#include "base/text.h"
#include "base/units.h"

#include <string.h>

static const char *const kind_names[LOGSCAN__COUNT] = {
	"defer", "skip", "fail", "expired", "deliver", "hosterr",
	"callout_defer", "callout_reject", "callout_cached", "rcpt_reject",
	"misconfig", "frozen", "completed"
};

const char *
logscan_kind_name(enum logscan_kind k)
{
	if ((unsigned)k >= LOGSCAN__COUNT)
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
logscan_parse_stamp(const char *s, size_t len, time_t *t,
    struct logscan_tcache *tc)
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
		*t = (time_t)(units_days_from_civil(y, mo, d) * 86400 + h * 3600 +
		    mi * 60 + se - off);
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
		base = (time_t)(units_days_from_civil(y, mo, d) * 86400 + h * 3600);
	if (tc != NULL) {
		memcpy(tc->key, s, 13);
		tc->key[13] = 1;
		tc->base = base;
	}
	*t = base + mi * 60 + se;
	return n;
}

/* Length of a message id at s (16 or 23), then a blank or the end; or 0. */
static size_t
idlen(const char *s, size_t n)
{
	static const size_t lens[] = { 23, 16 };
	size_t i;

	for (i = 0; i < 2; i++)
		if (n >= lens[i] && spool_id_valid(s, lens[i]) &&
		    (n == lens[i] || s[lens[i]] == ' '))
			return lens[i];
	return 0;
}

#define FIND(s, n, lit)	text_memmem((s), (n), (lit), sizeof(lit) - 1)
#define PFX(s, n, lit)	((n) >= sizeof(lit) - 1 && \
			    memcmp((s), (lit), sizeof(lit) - 1) == 0)

/* A bump allocator over sc->buf for the event's strings. */
struct out {
	char	*p, *end;
};

static char *
put(struct out *o, const char *s, size_t n)
{
	char	*r = o->p;

	if (n >= (size_t)(o->end - o->p))
		n = (size_t)(o->end - o->p) - 1;
	memcpy(r, s, n);
	r[n] = '\0';
	o->p += n + 1;
	return r;
}

/* Sets ev->addr and ev->domain from an address token a[0..n). */
static void
set_addr(struct logscan_event *ev, struct out *o, const char *a, size_t n)
{
	const char	*at;
	char		*d;
	size_t		 i, dn;

	while (n > 0 && (a[n - 1] == ':' || a[n - 1] == ','))
		n--;
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
		a++, n -= 2;
	ev->addr = put(o, a, n);
	at = NULL;
	for (i = n; i > 0; i--)
		if (a[i - 1] == '@') {
			at = a + i;
			break;
		}
	if (at == NULL) {
		ev->domain = "";
		return;
	}
	dn = n - (size_t)(at - a);
	d = put(o, at, dn);
	ev->domain = d;
	for (i = 0; i < dn; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] += 32;
}

/* Length of an address token at s: up to a space (a quoted local part may
 * hold spaces). */
size_t
logscan_addrlen(const char *s, size_t n)
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

/* Host value at s ("name [ip]", then ":port" and '*'); returns its length. */
size_t
logscan_hostlen(const char *s, size_t n)
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

/* Looks for an " H=" field in s[0..n) (or at its start). */
static void
set_host(struct logscan_event *ev, struct out *o, const char *s, size_t n)
{
	const char	*h;

	if (PFX(s, n, "H="))
		h = s;
	else if ((h = FIND(s, n, " H=")) != NULL)
		h++;
	else
		return;
	h += 2;
	ev->host = put(o, h, logscan_hostlen(h, n - (size_t)(h - s)));
}

/* "== addr ... defer (N)[: strerror][ H=..][ DT=..][: msg]" */
static int
p_defer(struct logscan_event *ev, struct out *o, const char *s, size_t n)
{
	const char	*d, *q, *e = s + n;

	set_addr(ev, o, s, logscan_addrlen(s, n));
	d = FIND(s, n, " defer (");
	if (d == NULL)
		return -1;
	q = d + 8;
	if (q < e && *q == '-')
		q++;
	if (q >= e || !dig(*q))
		return -1;
	while (q < e && dig(*q))
		q++;
	if (q >= e || *q != ')')
		return -1;
	q++;
	if (q < e && *q == ':')
		q++;
	while (q < e && *q == ' ')
		q++;
	set_host(ev, o, q, (size_t)(e - q));
	ev->text = put(o, q, (size_t)(e - q));
	ev->cls = class_of_text(q, (size_t)(e - q));
	ev->kind = ev->cls == CLASS_NONE ? LOGSCAN_SKIP : LOGSCAN_DEFER;
	return 1;
}

/* "** addr ... : msg[ DT=t]", Exim 4.96's "** addr R=r T=t H=h [ip]*: msg",
 * and the short forms "** addr[ <p>]: retry timeout exceeded" and
 * "** addr: Too many "Received" headers - suspected mail loop". */
static int
p_fail(struct logscan_event *ev, struct out *o, const char *s, size_t n)
{
	static const char rte[] = "retry timeout exceeded";
	const char	*c, *e = s + n, *m = NULL, *h, *q;
	size_t		 al = logscan_addrlen(s, n), hl;

	set_addr(ev, o, s, al);
	if ((c = FIND(s, n, " : ")) != NULL) {
		set_host(ev, o, s, (size_t)(c - s));
		m = c + 3;
	} else if ((h = FIND(s, n, " H=")) != NULL) {
		/* The host group, then an optional '*', then ": ". */
		hl = logscan_hostlen(h + 3, (size_t)(e - h - 3));
		q = h + 3 + hl;
		if (q < e && *q == '*')
			q++;
		if (e - q < 2 || q[0] != ':' || q[1] != ' ')
			return -1;
		set_host(ev, o, s, (size_t)(q - s));
		m = q + 2;
	} else if ((q = FIND(s, n, ": ")) != NULL &&
	    FIND(s, (size_t)(q - s), " R=") == NULL) {
		/* Short form: the address (and a <parent>) end at ": ". */
		if (al > (size_t)(q - s))
			al = (size_t)(q - s);
		if (al > 0 && s[al - 1] == ':')
			al--;
		set_addr(ev, o, s, al);
		m = q + 2;
		if ((size_t)(e - m) == sizeof(rte) - 1 &&
		    memcmp(m, rte, sizeof(rte) - 1) == 0) {
			ev->kind = LOGSCAN_EXPIRED;
			ev->text = put(o, m, (size_t)(e - m));
			return 1;
		}
	} else
		return -1;
	/* +deliver_time puts DT= after the message on "**" lines. */
	if (e - m > 4) {
		const char *p = e;

		while (p > m && p[-1] != ' ')
			p--;
		if (p > m && e - p > 3 && memcmp(p, "DT=", 3) == 0)
			e = p - 1;
	}
	ev->text = put(o, m, (size_t)(e - m));
	ev->cls = class_of_text(m, (size_t)(e - m));
	if (ev->cls == CLASS_NONE)
		ev->cls = CLASS_OTHER;	/* a failure is never a skip */
	ev->kind = LOGSCAN_FAIL;
	return 1;
}

static int
p_deliver(struct logscan_event *ev, struct out *o, const char *s, size_t n)
{
	size_t	 al = logscan_addrlen(s, n);

	set_addr(ev, o, s, al);
	set_host(ev, o, s + al, n - al);
	ev->kind = LOGSCAN_DELIVER;
	ev->text = put(o, s + al, n - al);
	return 1;
}

/* "<fullhost> ... [temporarily ]rejected RCPT <x>[ params][: msg]" */
static int
p_rcpt(struct logscan_event *ev, struct out *o, const char *s, size_t n,
    const char *r)
{
	const char	*e = s + n, *a, *m, *b;
	size_t		 al, mn;
	int		 temp;

	temp = r - s >= 12 && memcmp(r - 12, "temporarily ", 12) == 0;
	a = r + sizeof("rejected RCPT ") - 1;
	al = logscan_addrlen(a, (size_t)(e - a));
	set_addr(ev, o, a, al);
	m = FIND(a, (size_t)(e - a), ": ");
	m = m != NULL ? m + 2 : e;
	mn = (size_t)(e - m);
	ev->text = put(o, m, mn);
	ev->cls = class_of_text(m, mn);
	if (ev->cls == CLASS_NONE)
		ev->cls = CLASS_OTHER;
	if (PFX(m, mn, "Could not complete recipient verify callout")) {
		ev->kind = LOGSCAN_CALLOUT_DEFER;
		b = m + sizeof("Could not complete recipient verify callout")
		    - 1;
		if (PFX(b, (size_t)(e - b), ": ")) {
			b += 2;
			if (FIND(b, (size_t)(e - b), " : ") != NULL)
				ev->host = put(o, b, logscan_hostlen(b,
				    (size_t)(e - b)));
		}
		return 1;
	}
	if (PFX(m, mn, "Could not complete sender verify") ||
	    PFX(m, mn, "Sender verify failed"))
		return 0;
	if (PFX(m, mn, "Previous (cached) callout verification failure") ||
	    FIND(m, mn, "(result of an earlier callout reused)") != NULL) {
		ev->kind = LOGSCAN_CALLOUT_CACHED;
		return 1;
	}
	b = FIND(m, mn, "] : ");
	if (!temp && b != NULL &&
	    (FIND(b, (size_t)(e - b), "SMTP error from remote mail server")
	    != NULL || FIND(b, (size_t)(e - b), "\" was: ") != NULL)) {
		ev->kind = LOGSCAN_CALLOUT_REJECT;
		ev->host = put(o, m, (size_t)(b - m) + 1);
		return 1;
	}
	ev->kind = LOGSCAN_RCPT_REJECT;
	return 1;
}

/* "<fullhost> Warning: ACL "warn" statement skipped: condition test
 * deferred: msg" (4.92-4.98) or "... ACL 'warn' statement skipped (in
 * acl ...): condition test deferred: msg" (4.99). */
static int
p_warn(struct logscan_event *ev, struct out *o, const char *s, size_t n,
    const char *w)
{
	const char	*e = s + n, *m, *a, *gt;

	m = FIND(w, (size_t)(e - w), "condition test deferred");
	if (m == NULL)
		return 0;
	m += sizeof("condition test deferred") - 1;
	if (PFX(m, (size_t)(e - m), ": "))
		m += 2;
	ev->kind = LOGSCAN_CALLOUT_DEFER;
	ev->text = put(o, m, (size_t)(e - m));
	ev->cls = class_of_text(m, (size_t)(e - m));
	if (ev->cls == CLASS_NONE)
		ev->cls = CLASS_OTHER;
	if ((a = FIND(m, (size_t)(e - m), "RCPT TO:<")) != NULL &&
	    (gt = memchr(a, '>', (size_t)(e - a))) != NULL) {
		a += sizeof("RCPT TO:<") - 1;
		set_addr(ev, o, a, (size_t)(gt - a));
	}
	if (m < e && FIND(m, (size_t)(e - m), "] : ") != NULL &&
	    ev->text[0] != '\0' && memchr(m, '[', (size_t)(e - m)) != NULL &&
	    !PFX(m, (size_t)(e - m), "Could not"))
		ev->host = put(o, m, logscan_hostlen(m, (size_t)(e - m)));
	return 1;
}

int
logscan_parse_line(const char *line, size_t len, struct logscan_event *ev,
    struct logscan_scratch *sc)
{
	const char	*s = line, *e = line + len, *r, *w;
	char		*d;
	struct out	 o;
	size_t		 k, n;

	memset(ev, 0, sizeof(*ev));
	ev->id = ev->addr = ev->domain = ev->host = ev->text = "";
	ev->line = line;
	ev->linelen = len;
	ev->cls = CLASS_NONE;
	k = logscan_parse_stamp(s, len, &ev->t, &sc->tc);
	if (k == 0)
		return -1;
	s += k;
	if (s >= e || *s != ' ')
		return -1;
	s++;
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
		memcpy(sc->id, s, k);
		sc->id[k] = '\0';
		ev->id = sc->id;
		s += k;
		if (s < e)
			s++;
	}
	n = (size_t)(e - s);
	o.p = sc->buf;
	o.end = sc->buf + sizeof(sc->buf);
	if (n >= 3 && s[2] == ' ') {
		if (s[0] == '=' && s[1] == '=')
			return p_defer(ev, &o, s + 3, n - 3);
		if (s[0] == '*' && s[1] == '*')
			return p_fail(ev, &o, s + 3, n - 3);
		if ((s[0] == '=' || s[0] == '-' || s[0] == '>') && s[1] == '>')
			return p_deliver(ev, &o, s + 3, n - 3);
		if ((s[0] == '<' || s[0] == '(' || s[0] == '*') &&
		    (s[1] == '=' || s[1] == '>'))
			return 0;
	}
	switch (n > 0 ? s[0] : '\0') {
	case 'C':
		if (PFX(s, n, "Completed") && ev->id[0] != '\0') {
			ev->kind = LOGSCAN_COMPLETED;
			ev->text = put(&o, s, n);
			return 1;
		}
		return 0;
	case 'F':
	case 'f':
		if (ev->id[0] != '\0' && (PFX(s, n, "Frozen") ||
		    PFX(s, n, "frozen by "))) {
			ev->kind = LOGSCAN_FROZEN;
			ev->text = put(&o, s, n);
			return 1;
		}
		return 0;
	case 'l':
		if (PFX(s, n, "lowest numbered MX record points to local host")) {
			ev->kind = LOGSCAN_MISCONFIG;
			ev->cls = CLASS_DNS;
			ev->text = put(&o, s, n);
			r = FIND(s, n, "host: ");
			if (r != NULL) {
				r += 6;
				k = 0;
				while (r + k < e && r[k] != ' ')
					k++;
				d = put(&o, r, k);
				ev->domain = d;
				for (; *d != '\0'; d++)
					if (*d >= 'A' && *d <= 'Z')
						*d += 32;
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
		return p_rcpt(ev, &o, s, n, r);
	if ((w = FIND(s, n, "Warning: ACL ")) != NULL &&
	    FIND(w, (size_t)(e - w), "statement skipped") != NULL)
		return p_warn(ev, &o, s, n, w);
	if (ev->id[0] != '\0' && PFX(s, n, "H=") &&
	    FIND(s, n, " F=<") == NULL) {
		k = logscan_hostlen(s + 2, n - 2);
		ev->host = put(&o, s + 2, k);
		r = s + 2 + k;
		if (r < e && *r == '*')
			r++;
		if (r < e && *r == ':')
			r++;
		while (r < e && *r == ' ')
			r++;
		ev->kind = LOGSCAN_HOSTERR;
		ev->text = put(&o, r, (size_t)(e - r));
		ev->cls = class_of_text(r, (size_t)(e - r));
		if (ev->cls == CLASS_NONE)
			ev->cls = CLASS_OTHER;
		return 1;
	}
	return 0;
}
