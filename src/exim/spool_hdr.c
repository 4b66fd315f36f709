/* spool_hdr.c -- parse one Exim -H file held in memory.
 *
 * Pure: no I/O.  Every read is bounds-checked against the buffer, because
 * spool files can be truncated, hostile or half-written.  Format:
 * exim-spool.md section 3; the traps of section 11 are noted inline. */
#include "exim/spool.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void
spool_hdr_init(struct spool_hdr *h)
{
	memset(h, 0, sizeof(*h));
}

void
spool_hdr_done(struct spool_hdr *h)
{
	free(h->opts);
	free(h->tree);
	free(h->rcpts);
	free(h->hdrs);
	memset(h, 0, sizeof(*h));
}

static int
isb62(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

struct spool_str
spool_host_ip(struct spool_str ha)
{
	struct spool_str ip = ha;
	size_t i;

	if (ha.len > 2 && ha.p[0] == '[') {
		/* 4.96+: [ip]:port */
		for (i = 1; i < ha.len && ha.p[i] != ']'; i++)
			;
		if (i < ha.len && i > 1) {
			ip.p = ha.p + 1;
			ip.len = i - 1;
		}
		return ip;
	}
	/* Up to 4.95: ip.port (1.2.3.4.25, 2001:db8::1.25): the port
	 * follows the last dot. */
	for (i = ha.len; i > 0 && ha.p[i - 1] != '.'; i--)
		if (ha.p[i - 1] < '0' || ha.p[i - 1] > '9')
			return ip;
	if (i > 1 && i < ha.len)
		ip.len = i - 1;
	return ip;
}

int
spool_id_valid(const char *s, size_t len)
{
	size_t i, h2;

	if (len == 16)
		h2 = 13;
	else if (len == 23)
		h2 = 18;
	else
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 6 || i == h2) {
			if (s[i] != '-')
				return 0;
		} else if (!isb62((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int64_t
spool_id_time(const char *id)
{
	int64_t v = 0;
	int i;

	for (i = 0; i < 6 && id[i] != '\0'; i++) {
		const char *p = strchr(b62, id[i]);

		if (p == NULL)
			return 0;
		v = v * 62 + (p - b62);
	}
	return v;
}

/*
 * What is corrupt is what Exim (4.96, the reference) says is corrupt:
 * its reader, spool_read_header(), is the oracle of tests/exim/
 * test_hostile.sh, and this parser follows its rules, including the
 * odd ones a hostile file can reach:
 *
 * - Lines 1-4, the tree after its first line, the recipient count and
 *   the blank line are read with fgets() into a buffer of 16 KiB (more
 *   once it grew, below): a longer line is read as several, and a line
 *   ends, for what follows, at its first NUL.
 * - Option lines, the line that ends them and recipient lines are read
 *   whole, growing the buffer to 64 KiB; a longer one, or a NUL in one,
 *   is a format error.  The last character of such a line is dropped as
 *   if it were its \n, even when it is not.
 * - Numbers are read as sscanf() and atoi() read them: leading white
 *   space, a sign, trailing junk, an int that wraps.
 * - Known options are matched by prefix where Exim does ("-frozenX 1"
 *   is "-frozen"), "-frozen" without a time and "-acl" out of range are
 *   errors, a lookup quoter "--(name)" must name a lookup type.
 * - The non-recipients tree is searched as the binary tree it is: an
 *   entry out of order cannot be found, so it delivers nothing.
 * - Recipient suffixes are decoded exactly as Exim does, both of its
 *   one-character cuts included; where Exim would read outside the line
 *   (what it then does depends on its memory) the file is flagged.
 * - Headers are read as fscanf("%d%c ") reads them: any white space
 *   after the flag is skipped, a length of 0 at the end of the file is
 *   a header, a length that wraps negative reads nothing.
 */

#define BUF_MIN		16384		/* Exim's BIG_BUFFER_SIZE */
#define BUF_MAX		(4 * BUF_MIN)

/* A cursor over the buffer, and the size Exim's line buffer has. */
struct cur {
	const char	*p, *end;
	size_t		 bufsz;
};

/* Exim's fgets(): the next chunk of at most bufsz - 1 bytes, through a
 * \n; *s is the chunk up to its first NUL (what strlen() sees).
 * Returns -1 at the end of the file. */
static int
cgets(struct cur *c, struct spool_str *s)
{
	size_t n = (size_t)(c->end - c->p), lim = c->bufsz - 1;
	const char *nl, *z;

	if (n == 0)
		return -1;
	if (n > lim)
		n = lim;
	if ((nl = memchr(c->p, '\n', n)) != NULL)
		n = (size_t)(nl - c->p) + 1;
	s->p = c->p;
	s->len = (z = memchr(c->p, '\0', n)) != NULL ? (size_t)(z - c->p) : n;
	c->p += n;
	return 0;
}

/* 4.96's whole-line read for options and recipients: *s is the line
 * with its \n (if any).  Returns 0, -1 at the end of the file, -2 when
 * the line holds a NUL or does not fit in 64 KiB. */
static int
bigline(struct cur *c, struct spool_str *s)
{
	size_t n = (size_t)(c->end - c->p);
	const char *nl;

	if (n == 0)
		return -1;
	if ((nl = memchr(c->p, '\n', n)) != NULL)
		n = (size_t)(nl - c->p) + 1;
	while (n > c->bufsz - 1 && c->bufsz < BUF_MAX)
		c->bufsz *= 2;
	if (n > c->bufsz - 1 || memchr(c->p, '\0', n) != NULL)
		return -2;
	s->p = c->p;
	s->len = n;
	c->p += n;
	return 0;
}

static int
cspace(int ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

static int
cdigit(int ch)
{
	return ch >= '0' && ch <= '9';
}

/* strtol() on [*pp, e): optional sign and digits (after white space when
 * ws), saturating as strtol does.  Returns -1 when there are no digits. */
static int
cnum(const char **pp, const char *e, int ws, long long *v)
{
	const char *p = *pp;
	long long n = 0;
	int neg = 0, any = 0;

	while (ws && p < e && cspace((unsigned char)*p))
		p++;
	if (p < e && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < e && cdigit((unsigned char)*p); p++, any = 1) {
		if (n > (LLONG_MAX - 9) / 10)
			n = LLONG_MAX;
		else
			n = n * 10 + (*p - '0');
	}
	if (!any)
		return -1;
	*pp = p;
	*v = neg ? (n == LLONG_MAX ? LLONG_MIN : -n) : n;
	return 0;
}

/* What a C int makes of a long (two's complement, as gcc does). */
static int
cint(long long v)
{
	uint32_t u = (uint32_t)(uint64_t)v;

	return u <= INT32_MAX ? (int)u : -(int)(UINT32_MAX - u) - 1;
}

/* A time Exim read: kept far from the ends of int64_t so that ages are
 * computed without overflow.  XXX Exim shows absurd ages there. */
static int64_t
ctime_clamp(long long v)
{
	const long long lim = (long long)1 << 40;

	return v > lim ? lim : v < -lim ? -lim : v;
}

static int
streq(struct spool_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && memcmp(s.p, lit, n) == 0;
}

/* Whether s starts with lit. */
static int
prefix(const char *s, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(e - s) >= n && memcmp(s, lit, n) == 0;
}

/* strcmp() of two NUL-free ranges. */
static int
strcmp_s(struct spool_str a, struct spool_str b)
{
	int r = memcmp(a.p, b.p, a.len < b.len ? a.len : b.len);

	return r != 0 ? r : (a.len > b.len) - (a.len < b.len);
}

#define FAIL(msg)	do { snprintf(err, errlen, "%s", msg); return -1; } \
			while (0)

/* Fixed part: lines 1 to 4 (section 3.1). */
static int
parse_fixed(struct cur *c, const char *id, struct spool_hdr *h, char *err,
    size_t errlen)
{
	struct spool_str l;
	const char *p, *s, *e;
	long long v;

	if (cgets(c, &l) < 0)
		FAIL("truncated in first line");
	if (l.len < 4 || l.p[l.len - 1] != '\n' ||
	    !spool_id_valid(l.p, l.len - 3) ||
	    memcmp(l.p + l.len - 3, "-H", 2) != 0)
		FAIL("first line is not <id>-H");
	h->id.p = l.p;
	h->id.len = l.len - 3;
	if (id != NULL && (strlen(id) != h->id.len ||
	    memcmp(id, h->id.p, h->id.len) != 0))
		FAIL("first line does not match the file name");

	/* "login uid gid", read from the right: trailing white space goes,
	 * each number is [0-9-]* ending in a digit, after one space. */
	if (cgets(c, &l) < 0)
		FAIL("truncated in owner line");
	s = l.p;
	e = l.p + l.len;
	while (e > s && cspace((unsigned char)e[-1]))
		e--;
	if (e == s || !cdigit((unsigned char)e[-1]))
		FAIL("malformed gid");
	for (p = e; p > s && (cdigit((unsigned char)p[-1]) || p[-1] == '-'); )
		p--;
	h->gid = cnum(&(const char *){ p }, e, 0, &v) == 0 ? cint(v) : 0;
	if (p == s || p[-1] != ' ')
		FAIL("malformed owner line");
	e = p - 1;
	if (e == s || !cdigit((unsigned char)e[-1]))
		FAIL("malformed uid");
	for (p = e; p > s && (cdigit((unsigned char)p[-1]) || p[-1] == '-'); )
		p--;
	h->uid = cnum(&(const char *){ p }, e, 0, &v) == 0 ? cint(v) : 0;
	if (p == s || p[-1] != ' ')
		FAIL("malformed owner line");
	h->login.p = s;
	h->login.len = (size_t)(p - 1 - s);

	/* "<sender>": starts with '<', and the character before the last
	 * (the \n, normally) is '>'. */
	if (cgets(c, &l) < 0)
		FAIL("truncated in sender line");
	if (l.len < 3 || l.p[0] != '<' || l.p[l.len - 2] != '>')
		FAIL("malformed sender line");
	h->sender.p = l.p + 1;
	h->sender.len = l.len - 3;

	/* sscanf("%ld %d"): received time and warning count; a 32-bit int
	 * when Exim wrote it, read as 64 bits. */
	if (cgets(c, &l) < 0)
		FAIL("truncated in time line");
	p = l.p;
	if (cnum(&p, l.p + l.len, 1, &v) < 0)
		FAIL("malformed time line");
	h->received = ctime_clamp(v);
	if (cnum(&p, l.p + l.len, 1, &v) < 0)
		FAIL("malformed warning count");
	h->warnings = cint(v);
	return 0;
}

/* Known options that matter: name -> what to do with the value.  Flags
 * are whole lines in Exim ("-local", not "-local x"). */
static void
known_option(struct spool_hdr *h, const struct spool_opt *o)
{
	struct spool_str n = o->name, v = o->value;
	int whole = v.p == n.p + n.len;
	long long x;
	const char *p;

	switch (n.len > 0 ? n.p[0] : 0) {
	case 'a':
		if (streq(n, "auth_id"))
			h->auth_id = v;
		else if (streq(n, "auth_sender"))
			h->auth_sender = v;
		break;
	case 'b':
		p = v.p;
		if (streq(n, "body_linecount") &&
		    cnum(&p, v.p + v.len, 1, &x) == 0)
			h->body_linecount = cint(x);
		break;
	case 'd':
		if (streq(n, "deliver_firsttime") && whole)
			h->flags |= MSG_F_FIRST;
		break;
	case 'h':
		if (streq(n, "host_address"))
			h->host_address = v;
		else if (streq(n, "host_name"))
			h->host_name = v;
		else if (streq(n, "helo_name"))
			h->helo_name = v;
		break;
	case 'i':
		if (streq(n, "ident"))
			h->ident = v;
		else if (streq(n, "interface_address"))
			h->interface_address = v;
		break;
	case 'l':
		if (streq(n, "local") && whole)
			h->flags |= MSG_F_LOCAL;
		else if (streq(n, "localerror") && whole)
			h->flags |= MSG_F_LOCALERR;
		break;
	case 'm':
		if (streq(n, "manual_thaw") && whole)
			h->flags |= MSG_F_THAWED;
		break;
	case 'r':
		if (streq(n, "received_protocol"))
			h->protocol = v;
		else if (streq(n, "received_time_usec") && v.len == 7 &&
		    v.p[0] == '.') {
			p = v.p + 1;
			if (cnum(&p, v.p + 7, 0, &x) == 0 && p == v.p + 7)
				h->usec = (int)x;
		}
		break;
	}
}

/* Lookup types a quoter "--(<type>)name" may name. */
static const char *const lookups[] = {
	"cdb", "dbm", "dbmjz", "dbmnz", "dnsdb", "dsearch", "ibase",
	"iplsearch", "json", "ldap", "ldapdn", "ldapm", "lmdb", "lsearch",
	"mysql", "nis", "nis0", "nisplus", "nwildlsearch", "oracle", "passwd",
	"pgsql", "psl", "readsock", "redis", "spf", "sqlite", "testdb",
	"whoson", "wildlsearch",
};

static int
is_lookup(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
		if (strlen(lookups[i]) == n && memcmp(lookups[i], s, n) == 0)
			return 1;
	return 0;
}

/* "-acl[cm] <var> <len>" (or the old "-acl <n> <len>"), then <len>
 * value bytes: Exim reads <len> + 1 bytes, and needs at least <len>
 * (trap 5). */
static int
acl_value(struct cur *c, struct spool_opt *o, const char *var,
    const char *e, char *err, size_t errlen)
{
	const char *sp, *p;
	long long n, idx;

	if (var[3] == ' ') {		/* "acl <index> <count>", %u %u */
		p = var + 4;
		if (cnum(&p, e, 1, &idx) < 0)
			FAIL("malformed ACL variable line");
		o->var.p = var + 4;		/* the index */
		o->var.len = (size_t)(p - var - 4);
		if (cnum(&p, e, 1, &n) < 0)
			FAIL("malformed ACL variable line");
		if ((uint32_t)(uint64_t)idx >= 20 ||
		    (uint32_t)(uint64_t)n > 16384)
			FAIL("ACL variable out of range");
		n = (uint32_t)(uint64_t)n;
	} else {
		/* The name runs from var + 5 to the next space. */
		if ((sp = memchr(var + 5, ' ', (size_t)(e - var - 5))) == NULL)
			FAIL("malformed ACL variable line");
		o->var.p = var + 5;
		o->var.len = (size_t)(sp - var - 5);
		p = sp;
		if (cnum(&p, e, 1, &n) < 0)
			FAIL("malformed ACL variable length");
		if ((n = cint(n)) < 0)	/* Exim dies on these */
			FAIL("negative ACL variable length");
	}
	if ((long long)(c->end - c->p) < n)
		FAIL("truncated in ACL variable value");
	o->value.p = c->p;
	o->value.len = (size_t)n;
	c->p += (long long)(c->end - c->p) > n ? n + 1 : n;
	return 0;
}

/* Option lines (section 3.2); *l gets the line after them. */
static int
parse_options(struct cur *c, struct spool_hdr *h, struct spool_str *l,
    char *err, size_t errlen)
{
	struct spool_opt *o;
	const char *var, *e, *sp, *q, *p;
	long long x;
	int r;

	for (;;) {
		if ((r = bigline(c, l)) == -1)
			FAIL("truncated in options");
		if (r == -2)
			FAIL("NUL byte or line over 64 KiB in options");
		if (l->p[0] != '-')
			return 0;
		xgrow(&h->opts, &h->capopts, h->nopts + 1, sizeof(*h->opts));
		o = &h->opts[h->nopts++];
		memset(o, 0, sizeof(*o));
		/* The last character goes, as if it were the \n. */
		e = l->p + l->len - 1;
		var = l->len > 1 ? l->p + 1 : e;
		if (var < e && *var == '-') {
			o->tainted = 1;
			var++;
		}
		if (var < e && *var == '(') {	/* lookup quoter (4.96+) */
			if ((q = memchr(var, ')', (size_t)(e - var))) == NULL ||
			    !is_lookup(var + 1, (size_t)(q - var - 1)))
				FAIL("malformed option quoter");
			var = q + 1;
		}
		sp = memchr(var, ' ', (size_t)(e - var));
		o->name.p = var;
		o->name.len = (size_t)((sp ? sp : e) - var);
		o->value.p = sp != NULL ? sp + 1 : e;
		o->value.len = sp != NULL ? (size_t)(e - sp - 1) : 0;
		if (prefix(var, e, "aclc ") || prefix(var, e, "aclm ") ||
		    prefix(var, e, "acl ")) {
			if (acl_value(c, o, var, e, err, errlen) < 0)
				return -1;
			continue;
		}
		if (prefix(var, e, "frozen")) {
			/* sscanf(var + 6, "%ld") or a format error. */
			p = var + 6;
			if (cnum(&p, e, 1, &x) < 0)
				FAIL("-frozen without a time");
			h->flags |= MSG_F_FROZEN;
			h->frozen_at = ctime_clamp(x);
			continue;
		}
		if (prefix(var, e, "spool_file_wireformat"))
			h->flags |= MSG_F_WIRE;
		known_option(h, o);
	}
}

/* One node frame of the tree walk: the bounds its search path gives. */
struct bound {
	struct spool_str lo, hi;	/* p == NULL: unbounded */
};

/* Non-recipients tree (section 3.3), first line l.  Exim rebuilds the
 * tree from the pre-order dump and searches it by strcmp(); an entry
 * whose search would turn away before reaching it (strictly between the
 * bounds its ancestors set) is kept out of h->tree.  Iterative, with a
 * stack of the right subtrees still to come. */
static int
parse_tree(struct cur *c, struct spool_hdr *h, struct spool_str l,
    char *err, size_t errlen)
{
	struct bound b = { { NULL, 0 }, { NULL, 0 } }, small[64], *st = small;
	size_t nst = 0, capst = 64;
	struct spool_str name;
	int left, right, first = 1, rc = 0;

	if (l.len == 3 && memcmp(l.p, "XX\n", 3) == 0)
		return 0;
	for (;;) {
		if (!first && cgets(c, &l) < 0) {
			snprintf(err, errlen, "truncated in non-recipients "
			    "tree");
			rc = -1;
			break;
		}
		first = 0;
		if (l.len < 5) {
			snprintf(err, errlen, "malformed non-recipients tree");
			rc = -1;
			break;
		}
		left = l.p[0] == 'Y';
		right = l.p[1] == 'Y';
		name.p = l.p + 3;
		name.len = l.len - 4;
		if ((b.lo.p == NULL || strcmp_s(b.lo, name) < 0) &&
		    (b.hi.p == NULL || strcmp_s(name, b.hi) < 0)) {
			xgrow(&h->tree, &h->captree, h->ntree + 1,
			    sizeof(*h->tree));
			h->tree[h->ntree++] = name;
		}
		if (right) {
			if (nst == capst) {
				if (st == small) {
					st = xcalloc(capst * 2, sizeof(*st));
					memcpy(st, small, sizeof(small));
					capst *= 2;
				} else
					xgrow(&st, &capst, nst + 1,
					    sizeof(*st));
			}
			st[nst].lo = name;
			st[nst++].hi = b.hi;
		}
		if (left)
			b.hi = name;
		else if (nst > 0)
			b = st[--nst];
		else
			break;
	}
	if (st != small)
		free(st);
	return rc;
}

/* One of Exim's writes of a NUL into the line: it ends the address when
 * it falls inside it. */
static void
term(long i, long *end)
{
	if (i >= 0 && i < *end)
		*end = i;
}

/* One "<text> <len>,<n>" field of a "#" suffix, read leftwards from *p
 * as Exim does: errors_to and pno (bit 1), orcpt and dsnflags (bit 2).
 * Returns -1 where Exim would read outside the line. */
static int
suffix(const char *s, long *pp, long *end, int bit, struct spool_hrcpt *r)
{
	long p = *pp, q, at;
	long long len, b;
	const char *x;
	struct spool_str *field = bit == 1 ? &r->errors_to : &r->orcpt;

	if (p < 0)
		return -1;
	while (--p >= 0 && (cdigit((unsigned char)s[p]) || s[p] == ',' ||
	    s[p] == '-'))
		;
	if (p < 0)
		return -1;
	/* sscanf(p + 1, "%d,%d"): without the first, len is unset. */
	x = s + p + 1;
	if (cnum(&x, s + *end, 1, &len) < 0)
		return -1;
	len = cint(len);
	if (x < s + *end && *x == ',' && (x++, cnum(&x, s + *end, 1, &b) == 0))
		*(bit == 1 ? &r->pno : &r->dsnflags) = cint(b);
	q = p;
	term(p, end);
	if (len > 0) {
		p -= (long)len;
		at = p >= 0 ? p : q;	/* before the line: garbage */
		field->p = s + at;
		field->len = (size_t)(q - at);
	}
	*pp = p;
	return 0;
}

/* One recipient line (its last character already cut), decoded from the
 * right exactly as Exim does (section 3.4, trap 6), its writes of NULs
 * included.  Returns -1 where Exim would read outside the line. */
static int
parse_rcpt(const char *s, long m, struct spool_hrcpt *r)
{
	long p = m - 1, end = m;
	long long flags, b;
	const char *x;
	int bit;

	memset(r, 0, sizeof(*r));
	r->pno = -1;
	while (p >= 0 && cdigit((unsigned char)s[p]))
		p--;
	if (p < 0)
		;				/* all digits: an address */
	else if (s[p] == ',') {			/* Exim 3: "a n,n,n" */
		while (--p >= 0 && (cdigit((unsigned char)s[p]) ||
		    s[p] == ','))
			;
		if (p >= 0 && s[p] == ' ')
			term(p, &end);
	} else if (s[p] == ' ') {		/* early Exim 4: "a pno" */
		term(p, &end);
		x = s + p + 1;
		if (cnum(&x, s + m, 1, &b) == 0)
			r->pno = cint(b);
	} else if (s[p] == '#') {
		x = s + p + 1;
		if (cnum(&x, s + m, 1, &flags) < 0)
			return -1;	/* Exim: flags uninitialized */
		flags = cint(flags);
		for (bit = 1; bit <= 2; bit <<= 1) {
			if ((flags & bit) && suffix(s, &p, &end, bit, r) < 0)
				return -1;
			term(--p, &end);	/* *(--p) = 0 */
		}
	}
	r->addr.p = s;
	r->addr.len = (size_t)end;
	return 0;
}

static int
parse_rcpts(struct cur *c, struct spool_hdr *h, char *err, size_t errlen)
{
	struct spool_str l;
	const char *p;
	long long n;
	int i, cnt, rc;

	/* sscanf("%d") of an fgets() line; Exim dies on a negative one. */
	if (cgets(c, &l) < 0)
		FAIL("truncated before recipient count");
	p = l.p;
	if (cnum(&p, l.p + l.len, 1, &n) < 0)
		FAIL("malformed recipient count");
	if ((cnt = cint(n)) > 16384)
		FAIL("recipient count over 16384");
	if (cnt < 0)
		FAIL("negative recipient count");
	for (i = 0; i < cnt; i++) {
		if ((rc = bigline(c, &l)) == -1)
			FAIL("truncated in recipients");
		if (rc == -2 || l.len < 2)
			FAIL("malformed recipient line");
		xgrow(&h->rcpts, &h->caprcpts, h->nrcpts + 1,
		    sizeof(*h->rcpts));
		if (parse_rcpt(l.p, (long)l.len - 1,
		    &h->rcpts[h->nrcpts]) < 0)
			FAIL("malformed recipient line");
		h->nrcpts++;
	}
	if (cgets(c, &l) < 0)
		FAIL("truncated after recipients");
	if (l.len == 0 || l.p[0] != '\n')
		FAIL("no blank line after recipients");
	return 0;
}

/* Headers: fscanf(f, "%d%c ") then <len> bytes, none of them NUL (traps
 * 1-4).  The length's digits are read in full and wrap as an int. */
static int
parse_headers(struct cur *c, struct spool_hdr *h, char *err, size_t errlen)
{
	const char *p;
	long long v;
	int n;
	char flag;
	struct spool_header *hd;

	while (c->p < c->end) {
		p = c->p;
		if (!cdigit((unsigned char)*p))
			FAIL("malformed header length");
		(void)cnum(&p, c->end, 0, &v);
		n = cint(v);
		if (p == c->end) {		/* %c at the end: no flag */
			if (n > 0)
				FAIL("truncated in header");
			c->p = p;
			break;
		}
		flag = *p++;
		while (p < c->end && cspace((unsigned char)*p))
			p++;
		if (n > 0 && (long long)(c->end - p) < n)
			FAIL("truncated in header text");
		if (n > 0 && memchr(p, '\0', (size_t)n) != NULL)
			FAIL("NUL byte in headers");
		if (flag != '*')
			h->hdr_bytes += n;
		if (n > 0) {
			xgrow(&h->hdrs, &h->caphdrs, h->nhdrs + 1,
			    sizeof(*h->hdrs));
			hd = &h->hdrs[h->nhdrs++];
			hd->flag = flag;
			hd->text.p = p;
			hd->text.len = (size_t)n;
			if (flag == 'P')
				h->nreceived++;
			p += n;
		}
		c->p = p;
	}
	if (h->hdr_bytes < 0)
		h->hdr_bytes = 0;
	return 0;
}

int
spool_parse_buf(const char *buf, size_t len, const char *id,
    struct spool_hdr *h, char *err, size_t errlen)
{
	struct cur c = { buf, buf + len, BUF_MIN };
	struct spool_str l;

	/* Keep the arrays for reuse; clear everything else. */
	memset(h, 0, offsetof(struct spool_hdr, opts));
	h->nopts = h->ntree = h->nrcpts = h->nhdrs = 0;
	h->hdr_bytes = 0;
	h->nreceived = 0;
	h->usec = -1;
	h->body_linecount = -1;
	if (len == 0)
		FAIL("empty file");
	if (parse_fixed(&c, id, h, err, errlen) < 0 ||
	    parse_options(&c, h, &l, err, errlen) < 0 ||
	    parse_tree(&c, h, l, err, errlen) < 0 ||
	    parse_rcpts(&c, h, err, errlen) < 0 ||
	    parse_headers(&c, h, err, errlen) < 0)
		return -1;
	return 0;
}
