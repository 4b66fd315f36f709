/* zone_parse.c -- the parser of zone files and dig output into a record
 * set (zone.c).  It reads untrusted text: every scan is bounded by the end
 * of the buffer and every name by ZONE_NAME_MAX. */
#include "model/zone.h"
#include "zone_priv.h"
#include "base/mem.h"
#include "base/intern.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* CNAME hops followed when reading dig's answers. */
#define CHAIN_MAX	16

#define MAXTOK	12

struct tok {
	const char	*s;
	size_t		 len;
	int		 quoted;
};

/* One logical line: the tokens of a record or directive (across
 * parentheses), or a comment line. */
struct lline {
	struct tok	 t[MAXTOK];
	size_t		 n;
	int		 more;		/* more than MAXTOK tokens */
	int		 blank_owner;	/* began with a blank */
	int		 paren;
	size_t		 line;		/* its first physical line */
	const char	*comment;	/* a line that is only a comment: the
					 * text after its ';' */
	size_t		 clen;
	const char	*why;		/* a syntax error, or NULL */
};

struct lex {
	const char	*p, *end;
	size_t		 line;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_delim(char c)
{
	return is_blank(c) || c == '\n' || c == ';' || c == '(' ||
	    c == ')' || c == '"';
}

/* Reads the next logical line; returns 0 at the end of the input. */
static int
next_line(struct lex *lx, struct lline *ll)
{
	int depth = 0;

	memset(ll, 0, sizeof(*ll));
	if (lx->p >= lx->end)
		return 0;
	ll->line = lx->line;
	ll->blank_owner = is_blank(*lx->p);
	for (;;) {
		const char *s;

		while (lx->p < lx->end && is_blank(*lx->p))
			lx->p++;
		if (lx->p >= lx->end) {
			if (depth > 0 && ll->why == NULL)
				ll->why = "unclosed '('";
			break;
		}
		switch (*lx->p) {
		case '\n':
			lx->line++;
			lx->p++;
			if (depth == 0)
				return 1;
			continue;
		case ';':
			s = ++lx->p;
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
			if (ll->n == 0 && !ll->more && depth == 0 &&
			    ll->comment == NULL) {
				ll->comment = s;
				ll->clen = (size_t)(lx->p - s);
			}
			continue;
		case '(':
			if (depth > 0 && ll->why == NULL)
				ll->why = "nested '('";
			depth = 1;
			ll->paren = 1;
			lx->p++;
			continue;
		case ')':
			if (depth == 0 && ll->why == NULL)
				ll->why = "')' without '('";
			depth = 0;
			lx->p++;
			continue;
		case '"':
			s = ++lx->p;
			while (lx->p < lx->end && *lx->p != '"' &&
			    *lx->p != '\n') {
				if (*lx->p == '\\' && lx->p + 1 < lx->end &&
				    lx->p[1] != '\n')
					lx->p++;
				lx->p++;
			}
			if (lx->p >= lx->end || *lx->p != '"') {
				if (ll->why == NULL)
					ll->why = "unclosed quote";
				continue;
			}
			if (ll->n < MAXTOK) {
				ll->t[ll->n].s = s;
				ll->t[ll->n].len = (size_t)(lx->p - s);
				ll->t[ll->n++].quoted = 1;
			} else
				ll->more = 1;
			lx->p++;
			continue;
		default:
			break;
		}
		s = lx->p;
		while (lx->p < lx->end && !is_delim(*lx->p)) {
			if (*lx->p == '\\' && lx->p + 1 < lx->end &&
			    lx->p[1] != '\n')
				lx->p++;
			lx->p++;
		}
		if (ll->n < MAXTOK) {
			ll->t[ll->n].s = s;
			ll->t[ll->n].len = (size_t)(lx->p - s);
			ll->t[ll->n++].quoted = 0;
		} else
			ll->more = 1;
	}
	return 1;
}

/* Whether s[0..n) is all decimal digits (n > 0); never reads s[n]. */
static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* The decimal number s[0..n) (all digits, n < 10). */
static unsigned long
num(const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	return v;
}

static int
tok_is(const struct tok *t, const char *w)
{
	return !t->quoted && t->len == strlen(w) &&
	    strncasecmp(t->s, w, t->len) == 0;
}

/* A TTL: "3600", or with units "1h30m", "2W"; at most 2^31 - 1. */
static int
parse_ttl(const struct tok *t, uint32_t *ttl)
{
	uint64_t total = 0, n = 0;
	size_t i;
	int digits = 0;

	if (t->quoted || t->len == 0 || t->s[0] < '0' || t->s[0] > '9')
		return -1;
	for (i = 0; i < t->len; i++) {
		char c = t->s[i];
		uint64_t mul;

		if (c >= '0' && c <= '9') {
			n = n * 10 + (uint64_t)(c - '0');
			digits = 1;
			if (n > 0x7fffffff)
				return -1;
			continue;
		}
		switch (c) {
		case 's': case 'S': mul = 1; break;
		case 'm': case 'M': mul = 60; break;
		case 'h': case 'H': mul = 3600; break;
		case 'd': case 'D': mul = 86400; break;
		case 'w': case 'W': mul = 604800; break;
		default: return -1;
		}
		if (!digits)
			return -1;
		total += n * mul;
		if (total > 0x7fffffff)
			return -1;
		n = 0;
		digits = 0;
	}
	total += n;
	if (total > 0x7fffffff)
		return -1;
	*ttl = (uint32_t)total;
	return 0;
}

/* 1 for IN, 0 for another class, -1 for no class at all. */
static int
parse_class(const struct tok *t)
{
	static const char *const other[] = { "CH", "HS", "CS", "NONE", "ANY" };
	size_t i;

	if (tok_is(t, "IN"))
		return 1;
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (tok_is(t, other[i]))
			return 0;
	if (!t->quoted && t->len > 5 && strncasecmp(t->s, "CLASS", 5) == 0 &&
	    all_digits(t->s + 5, t->len - 5))
		return 0;
	return -1;
}

/* The type of t: one of ours (> 0), 0 for one we skip, -1 for no type. */
static int
parse_type(const struct tok *t)
{
	static const struct {
		const char	*name;
		enum zone_type	 type;
	} ours[] = {
		{ "A", ZONE_A }, { "NS", ZONE_NS }, { "CNAME", ZONE_CNAME },
		{ "SOA", ZONE_SOA }, { "MX", ZONE_MX }, { "AAAA", ZONE_AAAA },
	};
	static const char *const skip[] = {
		"TXT", "SRV", "PTR", "CAA", "DS", "DNSKEY", "RRSIG", "NSEC",
		"NSEC3", "NSEC3PARAM", "TLSA", "SSHFP", "HINFO", "NAPTR",
		"SPF", "DNAME", "LOC", "HTTPS", "SVCB", "CDS", "CDNSKEY",
		"AFSDB", "RP", "ZONEMD", "URI", "SMIMEA", "OPENPGPKEY", "CERT",
		"KEY", "SIG", "NULL", "WKS", "MINFO", "MB", "MG", "MR", "A6",
		"APL", "DHCID", "IPSECKEY", "HIP", "CSYNC", "EUI48", "EUI64",
		"KX", "NID", "L32", "L64", "LP", "TKEY", "TSIG", "OPT",
	};
	size_t i;

	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (tok_is(t, ours[i].name))
			return (int)ours[i].type;
	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (tok_is(t, skip[i]))
			return 0;
	if (!t->quoted && t->len > 4 && t->len < 10 &&
	    strncasecmp(t->s, "TYPE", 4) == 0 &&
	    all_digits(t->s + 4, t->len - 4)) {
		unsigned long v = num(t->s + 4, t->len - 4);

		for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			if (v == (unsigned long)ours[i].type)
				return 0;	/* RFC 3597 data: not read */
		return v <= 65535 ? 0 : -1;
	}
	return -1;
}

static int
tok_name(const struct tok *t, const char *origin, char *out, size_t len)
{
	if (t->quoted)
		return -1;
	return zone_name_canon(t->s, t->len, origin, out, len);
}

/* Whether t is a relative name (or "@"): zone-file text, not dig's. */
static int
tok_relative(const struct tok *t)
{
	return t->len > 0 && (t->s[t->len - 1] != '.' ||
	    (t->len > 1 && !zone_dot_unescaped(t->s, t->len - 1)));
}

struct parse {
	struct zone		*z;
	struct zone_report	*r;
	char			 origin[ZONE_NAME_MAX];
	int			 has_origin;
	char			 owner[ZONE_NAME_MAX];	/* the last owner */
	int			 has_owner;
	uint32_t		 ttl;		/* $TTL, or the last TTL */
	int			 zonefile;	/* signs of a zone file */
	int			 dig;		/* dig's full output seen */
	/* The SOA owners seen (by number), for a zone's completeness. */
	struct intern		*soa;
	unsigned		*nsoa;
	size_t			 capsoa;
	/* dig: the current answer's status and question. */
	enum { SEC_NONE, SEC_QUESTION, SEC_ANSWER, SEC_AUTHORITY,
	    SEC_ADDITIONAL } sec;
	int			 status;	/* -1 none, else an RCODE */
	char			 qname[ZONE_NAME_MAX];
	enum zone_type		 qtype;
	int			 has_q;
};

static void
bad(struct parse *ps, size_t line, const char *why)
{
	if (ps->r->bad++ == 0) {
		ps->r->first_bad = line;
		snprintf(ps->r->why, sizeof(ps->r->why), "%s", why);
	}
}

/* The end of a dig answer: its question's negative answer. */
static void
dig_finish(struct parse *ps)
{
	struct zone *z = ps->z;
	const struct zone_rr *rr;
	const char *name;
	char cur[ZONE_NAME_MAX];
	int hops;

	if (!ps->has_q || ps->status < 0) {
		ps->has_q = 0;
		return;
	}
	ps->has_q = 0;
	/* A recursive resolver's answer is about the end of the CNAME
	 * chain. */
	snprintf(cur, sizeof(cur), "%s", ps->qname);
	name = cur;
	for (hops = 0; hops < CHAIN_MAX && ps->qtype != ZONE_CNAME; hops++) {
		for (rr = zone_first(z, name); rr != NULL;
		    rr = zone_next(z, rr))
			if (rr->type == ZONE_CNAME)
				break;
		if (rr == NULL)
			break;
		snprintf(cur, sizeof(cur), "%s", rr->data);
	}
	switch (ps->status) {
	case 0:		/* NOERROR */
		if (zone_state(z, name, ps->qtype) != ZONE_HAS)
			zone_set_state(z, name, ps->qtype, ZONE_NODATA);
		break;
	case 3:		/* NXDOMAIN */
		zone_set_state(z, name, ps->qtype, ZONE_NXDOMAIN);
		break;
	default:	/* SERVFAIL, REFUSED, ... */
		zone_set_state(z, name, ps->qtype, ZONE_FAILED);
		break;
	}
}

static int
prefix(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && memcmp(s, w, n) == 0;
}

/* A comment line: dig's header, section titles and question. */
static void
dig_comment(struct parse *ps, const char *s, size_t len)
{
	static const struct {
		const char	*name;
		int		 rcode;
	} st[] = {
		{ "NOERROR", 0 }, { "FORMERR", 1 }, { "SERVFAIL", 2 },
		{ "NXDOMAIN", 3 }, { "NOTIMP", 4 }, { "REFUSED", 5 },
	};
	const char *p;
	size_t i, n;

	if (len > 0 && s[0] == ';') {
		s++;
		len--;
		while (len > 0 && is_blank(*s))
			s++, len--;
		if (prefix(s, len, "->>HEADER<<-")) {
			dig_finish(ps);
			ps->dig = 1;
			ps->sec = SEC_NONE;
			ps->status = 6;	/* unknown words: a failure */
			for (i = 0; i + 8 <= len; i++)
				if (memcmp(s + i, "status: ", 8) == 0)
					break;
			if (i + 8 > len)
				return;
			p = s + i + 8;
			n = (size_t)(s + len - p);
			for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
				if (prefix(p, n, st[i].name))
					ps->status = st[i].rcode;
		} else if (prefix(s, len, "QUESTION SECTION:"))
			ps->sec = SEC_QUESTION;
		else if (prefix(s, len, "ANSWER SECTION:"))
			ps->sec = SEC_ANSWER;
		else if (prefix(s, len, "AUTHORITY SECTION:"))
			ps->sec = SEC_AUTHORITY;
		else if (prefix(s, len, "ADDITIONAL SECTION:"))
			ps->sec = SEC_ADDITIONAL;
		return;
	}
	if (ps->sec == SEC_QUESTION && ps->dig && len > 0 && !is_blank(s[0])) {
		struct lex lx = { s, s + len, 0 };
		struct lline q;
		int ty = -1;

		/* ";name. IN A": the same words as a record, sans data. */
		if (next_line(&lx, &q) == 0 || q.n < 2 || q.n > 3 || q.more)
			return;
		ty = parse_type(&q.t[q.n - 1]);
		if (ty <= 0 || (q.n == 3 && parse_class(&q.t[1]) != 1))
			return;
		if (tok_name(&q.t[0], NULL, ps->qname, sizeof(ps->qname)) < 0)
			return;
		ps->qtype = (enum zone_type)ty;
		ps->has_q = 1;
	}
}

static void
note_soa(struct parse *ps, const char *owner)
{
	uint32_t n = intern_add(ps->soa, owner, strlen(owner));

	if ((size_t)n >= ps->capsoa) {
		size_t old = ps->capsoa;

		xgrow(&ps->nsoa, &ps->capsoa, (size_t)n + 1,
		    sizeof(*ps->nsoa));
		memset(ps->nsoa + old, 0, (ps->capsoa - old) *
		    sizeof(*ps->nsoa));
	}
	ps->nsoa[n]++;
}

/* A $ line. */
static void
directive(struct parse *ps, const struct lline *ll)
{
	char name[ZONE_NAME_MAX];

	if (tok_is(&ll->t[0], "$ORIGIN")) {
		if (ll->n != 2 || tok_name(&ll->t[1], ps->has_origin ?
		    ps->origin : NULL, name, sizeof(name)) < 0) {
			bad(ps, ll->line, "bad $ORIGIN");
			return;
		}
		memcpy(ps->origin, name, sizeof(name));
		ps->has_origin = 1;
		ps->zonefile = 1;
	} else if (tok_is(&ll->t[0], "$TTL")) {
		if (ll->n != 2 || parse_ttl(&ll->t[1], &ps->ttl) < 0) {
			bad(ps, ll->line, "bad $TTL");
			return;
		}
		ps->zonefile = 1;
	} else if (tok_is(&ll->t[0], "$INCLUDE"))
		bad(ps, ll->line, "$INCLUDE is not followed");
	else if (tok_is(&ll->t[0], "$GENERATE"))
		bad(ps, ll->line, "$GENERATE is not expanded");
	else
		bad(ps, ll->line, "unknown directive");
}

/* A record line; returns -1 only when the set is full. */
static int
record(struct parse *ps, const struct lline *ll)
{
	const char *org = ps->has_origin ? ps->origin : NULL;
	char owner[ZONE_NAME_MAX], data[ZONE_NAME_MAX], ab[64];
	unsigned char bin[16];
	uint32_t ttl = ps->ttl;
	unsigned long pref = 0;
	size_t i = 0, nd;
	int cls = 1, ty, k;

	if (ll->blank_owner) {
		if (!ps->has_owner) {
			bad(ps, ll->line, "no owner name");
			return 0;
		}
		memcpy(owner, ps->owner, sizeof(owner));
		ps->zonefile = 1;
	} else {
		if (tok_relative(&ll->t[0]))
			ps->zonefile = 1;
		if (tok_name(&ll->t[0], org, owner, sizeof(owner)) < 0) {
			bad(ps, ll->line, org == NULL &&
			    tok_relative(&ll->t[0]) ? "relative name without "
			    "$ORIGIN" : "bad owner name");
			return 0;
		}
		i = 1;
	}
	/* [TTL] [class] or [class] [TTL]. */
	for (k = 0; k < 2 && i < ll->n; k++) {
		int c;

		if (parse_ttl(&ll->t[i], &ttl) == 0)
			i++;
		else if ((c = parse_class(&ll->t[i])) >= 0) {
			cls = c;
			i++;
		} else
			break;
	}
	if (i >= ll->n || (ty = parse_type(&ll->t[i])) < 0) {
		bad(ps, ll->line, i >= ll->n ? "no type" : "unknown type");
		return 0;
	}
	memcpy(ps->owner, owner, sizeof(owner));
	ps->has_owner = 1;
	ps->ttl = ttl;
	i++;
	nd = ll->n - i;
	if (ty == 0 || cls != 1 || ps->sec == SEC_AUTHORITY) {
		if (ty == 0 && cls == 1 && ps->sec != SEC_AUTHORITY)
			zone_touch(ps->z, owner);
		ps->r->other++;
		return 0;
	}
	if (ll->more) {
		bad(ps, ll->line, "too many words");
		return 0;
	}
	switch ((enum zone_type)ty) {
	case ZONE_A:
	case ZONE_AAAA:
		if (nd != 1 || ll->t[i].quoted || ll->t[i].len >= sizeof(ab)) {
			bad(ps, ll->line, "bad address");
			return 0;
		}
		memcpy(ab, ll->t[i].s, ll->t[i].len);
		ab[ll->t[i].len] = '\0';
		k = ty == ZONE_A ? AF_INET : AF_INET6;
		if (inet_pton(k, ab, bin) != 1 ||
		    inet_ntop(k, bin, data, sizeof(data)) == NULL) {
			bad(ps, ll->line, "bad address");
			return 0;
		}
		break;
	case ZONE_CNAME:
	case ZONE_NS:
		if (nd != 1 || tok_name(&ll->t[i], org, data,
		    sizeof(data)) < 0) {
			bad(ps, ll->line, "bad target name");
			return 0;
		}
		if (tok_relative(&ll->t[i]))
			ps->zonefile = 1;
		break;
	case ZONE_MX:
		if (nd != 2 || ll->t[i].quoted || ll->t[i].len > 5 ||
		    !all_digits(ll->t[i].s, ll->t[i].len)) {
			bad(ps, ll->line, "bad MX preference");
			return 0;
		}
		pref = num(ll->t[i].s, ll->t[i].len);
		if (pref > 65535 || tok_name(&ll->t[i + 1], org, data,
		    sizeof(data)) < 0) {
			bad(ps, ll->line, pref > 65535 ? "bad MX preference" :
			    "bad MX target name");
			return 0;
		}
		if (tok_relative(&ll->t[i + 1]))
			ps->zonefile = 1;
		break;
	case ZONE_SOA:
		if (nd < 2) {
			bad(ps, ll->line, "short SOA");
			return 0;
		}
		data[0] = '\0';
		note_soa(ps, owner);
		break;
	}
	if (zone_add(ps->z, owner, (enum zone_type)ty, ttl, (unsigned)pref,
	    data) < 0)
		return -1;
	ps->r->records++;
	return 0;
}

int
zone_parse(struct zone *z, const char *buf, size_t len, const char *origin,
    struct zone_report *r)
{
	struct zone_report dummy;
	struct parse *ps;
	struct lex lx;
	struct lline ll;
	size_t i;
	int rc = 0;

	if (r == NULL)
		r = &dummy;
	memset(r, 0, sizeof(*r));
	if (len > ZONE_INPUT_MAX) {
		snprintf(r->why, sizeof(r->why), "input over %zu MiB",
		    ZONE_INPUT_MAX >> 20);
		return -1;
	}
	ps = xcalloc(1, sizeof(*ps));
	ps->z = z;
	ps->r = r;
	ps->status = -1;
	ps->soa = intern_new();
	if (origin != NULL && strlen(origin) < sizeof(ps->origin)) {
		snprintf(ps->origin, sizeof(ps->origin), "%s", origin);
		ps->has_origin = 1;
	}
	lx.p = buf;
	lx.end = buf + len;
	lx.line = 1;
	while (next_line(&lx, &ll)) {
		if (ll.n == 0 && !ll.more) {
			if (ll.why != NULL)
				bad(ps, ll.line, ll.why);
			else if (ll.comment != NULL)
				dig_comment(ps, ll.comment, ll.clen);
			continue;
		}
		if (ll.why != NULL) {
			bad(ps, ll.line, ll.why);
			continue;
		}
		if (ll.paren)
			ps->zonefile = 1;
		if (!ll.blank_owner && !ll.t[0].quoted && ll.t[0].len > 0 &&
		    ll.t[0].s[0] == '$') {
			directive(ps, &ll);
			continue;
		}
		if (record(ps, &ll) < 0) {
			snprintf(r->why, sizeof(r->why), "over %u records",
			    ZONE_RR_MAX);
			rc = -1;
			break;
		}
	}
	dig_finish(ps);
	for (i = 0; i < intern_count(ps->soa); i++)
		if ((ps->zonefile && !ps->dig) || ps->nsoa[i] >= 2) {
			zone_set_complete(z, intern_str(ps->soa, (uint32_t)i));
			r->complete = 1;
		}
	intern_free(ps->soa);
	free(ps->nsoa);
	free(ps);
	return rc;
}
