/* spool_hdr.c -- parse one Exim -H file held in memory.
 *
 * Pure: no I/O.  Every read is bounds-checked against the buffer, because
 * spool files can be truncated, hostile or half-written.  Format:
 * exim-spool.md section 3; the traps of section 11 are noted inline. */
#include "exim/spool.h"

#include <ctype.h>
#include <stddef.h>
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

/* A cursor over the buffer. */
struct cur {
	const char	*p, *end;
};

/* Takes the next line (without its \n) into *s.  Returns 0, or -1 when
 * no complete line is left. */
static int
line(struct cur *c, struct spool_str *s)
{
	const char *nl;

	if (c->p >= c->end)
		return -1;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (nl == NULL)
		return -1;
	s->p = c->p;
	s->len = (size_t)(nl - c->p);
	c->p = nl + 1;
	return 0;
}

/* Parses a decimal number (optionally negative) from s[0..len) in full. */
static int
num(const char *s, size_t len, long long *v)
{
	long long n = 0;
	size_t i = 0;
	int neg = 0;

	if (len > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == len || len - i > 18)
		return -1;
	for (; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	*v = neg ? -n : n;
	return 0;
}

static int
streq(struct spool_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && memcmp(s.p, lit, n) == 0;
}

#define FAIL(msg)	do { snprintf(err, errlen, "%s", msg); return -1; } \
			while (0)

/* Fixed part: lines 1 to 4 (section 3.1). */
static int
parse_fixed(struct cur *c, const char *id, struct spool_hdr *h, char *err,
    size_t errlen)
{
	struct spool_str l;
	const char *sp, *p, *q;
	long long v;
	size_t i;

	if (line(c, &l) < 0)
		FAIL("truncated in first line");
	if (l.len < 3 || !spool_id_valid(l.p, l.len - 2) ||
	    memcmp(l.p + l.len - 2, "-H", 2) != 0)
		FAIL("first line is not <id>-H");
	h->id.p = l.p;
	h->id.len = l.len - 2;
	if (id != NULL && (strlen(id) != h->id.len ||
	    memcmp(id, h->id.p, h->id.len) != 0))
		FAIL("first line does not match the file name");

	/* login uid gid: uid and gid from the right; login may hold spaces. */
	if (line(c, &l) < 0)
		FAIL("truncated in owner line");
	for (i = 0, sp = NULL, q = NULL; i < l.len; i++)
		if (l.p[i] == ' ') {
			q = sp;
			sp = l.p + i;
		}
	if (sp == NULL || q == NULL)
		FAIL("malformed owner line");
	if (num(sp + 1, (size_t)(l.p + l.len - sp - 1), &v) < 0)
		FAIL("malformed gid");
	h->gid = (long)v;
	if (num(q + 1, (size_t)(sp - q - 1), &v) < 0)
		FAIL("malformed uid");
	h->uid = (long)v;
	h->login.p = l.p;
	h->login.len = (size_t)(q - l.p);

	/* <sender>: from the first '<' to the final '>'. */
	if (line(c, &l) < 0)
		FAIL("truncated in sender line");
	p = memchr(l.p, '<', l.len);
	if (p == NULL || l.len < 2 || l.p[l.len - 1] != '>' ||
	    p >= l.p + l.len - 1)
		FAIL("malformed sender line");
	h->sender.p = p + 1;
	h->sender.len = (size_t)(l.p + l.len - 1 - (p + 1));

	/* received_time warning_count; a 32-bit int in Exim, 64 bits here. */
	if (line(c, &l) < 0)
		FAIL("truncated in time line");
	sp = memchr(l.p, ' ', l.len);
	if (sp == NULL || num(l.p, (size_t)(sp - l.p), &v) < 0)
		FAIL("malformed time line");
	h->received = v;
	if (num(sp + 1, (size_t)(l.p + l.len - sp - 1), &v) < 0 || v < 0 ||
	    v > 1000000)
		FAIL("malformed warning count");
	h->warnings = (int)v;
	return 0;
}

/* Known options that matter: name -> what to do with the value. */
static void
known_option(struct spool_hdr *h, const struct spool_opt *o)
{
	struct spool_str n = o->name, v = o->value;
	long long x;

	switch (n.len > 0 ? n.p[0] : 0) {
	case 'a':
		if (streq(n, "auth_id"))
			h->auth_id = v;
		else if (streq(n, "auth_sender"))
			h->auth_sender = v;
		break;
	case 'b':
		if (streq(n, "body_linecount") && num(v.p, v.len, &x) == 0)
			h->body_linecount = (long)x;
		break;
	case 'd':
		if (streq(n, "deliver_firsttime"))
			h->flags |= MSG_F_FIRST;
		break;
	case 'f':
		if (streq(n, "frozen")) {
			h->flags |= MSG_F_FROZEN;
			if (num(v.p, v.len, &x) == 0)
				h->frozen_at = x;
		}
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
		if (streq(n, "local"))
			h->flags |= MSG_F_LOCAL;
		else if (streq(n, "localerror"))
			h->flags |= MSG_F_LOCALERR;
		break;
	case 'm':
		if (streq(n, "manual_thaw"))
			h->flags |= MSG_F_THAWED;
		break;
	case 'r':
		if (streq(n, "received_protocol"))
			h->protocol = v;
		else if (streq(n, "received_time_usec") && v.len == 7 &&
		    v.p[0] == '.' && num(v.p + 1, 6, &x) == 0)
			h->usec = (int)x;
		break;
	case 's':
		if (streq(n, "spool_file_wireformat"))
			h->flags |= MSG_F_WIRE;
		break;
	}
}

/* Option lines (section 3.2), including the counted ACL values that are
 * not on their line (trap 5). */
static int
parse_options(struct cur *c, struct spool_hdr *h, char *err, size_t errlen)
{
	struct spool_str l;
	struct spool_opt *o;
	const char *p, *e, *sp, *sp2;
	long long vlen;

	while (c->p < c->end && *c->p == '-') {
		if (line(c, &l) < 0)
			FAIL("truncated in options");
		xgrow(&h->opts, &h->capopts, h->nopts + 1, sizeof(*h->opts));
		o = &h->opts[h->nopts++];
		memset(o, 0, sizeof(*o));
		p = l.p + 1;
		e = l.p + l.len;
		if (p < e && *p == '-') {
			o->tainted = 1;
			p++;
		}
		if (p < e && *p == '(') {	/* a lookup quoter (4.96+) */
			const char *q = memchr(p, ')', (size_t)(e - p));

			if (q == NULL)
				FAIL("malformed option quoter");
			p = q + 1;
		}
		sp = memchr(p, ' ', (size_t)(e - p));
		o->name.p = p;
		o->name.len = (size_t)((sp ? sp : e) - p);
		if (sp != NULL) {
			o->value.p = sp + 1;
			o->value.len = (size_t)(e - sp - 1);
		} else {
			o->value.p = e;
			o->value.len = 0;
		}
		if (streq(o->name, "aclc") || streq(o->name, "aclm") ||
		    streq(o->name, "acl")) {
			/* "-aclm <var> <len>", then <len> bytes and a \n. */
			if (sp == NULL)
				FAIL("malformed ACL variable line");
			sp2 = NULL;
			for (p = e; p > sp + 1; p--)
				if (p[-1] == ' ') {
					sp2 = p - 1;
					break;
				}
			if (sp2 == NULL || num(sp2 + 1, (size_t)(e - sp2 - 1),
			    &vlen) < 0 || vlen < 0)
				FAIL("malformed ACL variable length");
			o->var.p = sp + 1;
			o->var.len = (size_t)(sp2 - sp - 1);
			if ((long long)(c->end - c->p) < vlen + 1)
				FAIL("truncated in ACL variable value");
			o->value.p = c->p;
			o->value.len = (size_t)vlen;
			c->p += vlen;
			if (*c->p != '\n')
				FAIL("ACL variable value has the wrong length");
			c->p++;
			continue;
		}
		known_option(h, o);
	}
	return 0;
}

/* Non-recipients tree (section 3.3): a set; read it iteratively. */
static int
parse_tree(struct cur *c, struct spool_hdr *h, char *err, size_t errlen)
{
	struct spool_str l;
	long pending = 1;

	if (line(c, &l) < 0)
		FAIL("truncated in non-recipients tree");
	if (streq(l, "XX"))
		return 0;
	for (;;) {
		if (l.len < 4 || (l.p[0] != 'Y' && l.p[0] != 'N') ||
		    (l.p[1] != 'Y' && l.p[1] != 'N') || l.p[2] != ' ')
			FAIL("malformed non-recipients tree");
		xgrow(&h->tree, &h->captree, h->ntree + 1, sizeof(*h->tree));
		h->tree[h->ntree].p = l.p + 3;
		h->tree[h->ntree].len = l.len - 3;
		h->ntree++;
		pending += -1 + (l.p[0] == 'Y') + (l.p[1] == 'Y');
		if (pending == 0)
			return 0;
		if (line(c, &l) < 0)
			FAIL("truncated in non-recipients tree");
	}
}

/* Steps back from q (exclusive) over [0-9,-]; returns the position of the
 * space before them, or NULL. */
static const char *
back_numfield(const char *start, const char *q)
{
	while (q > start && (isdigit((unsigned char)q[-1]) || q[-1] == ',' ||
	    q[-1] == '-'))
		q--;
	if (q <= start || q[-1] != ' ')
		return NULL;
	return q - 1;
}

/* "<a>,<b>" between s and e. */
static int
two_nums(const char *s, const char *e, long long *a, long long *b)
{
	const char *comma = memchr(s, ',', (size_t)(e - s));

	if (comma == NULL || num(s, (size_t)(comma - s), a) < 0 ||
	    num(comma + 1, (size_t)(e - comma - 1), b) < 0)
		return -1;
	return 0;
}

/* One recipient line, decoded from the right (section 3.4, trap 6). */
static int
parse_rcpt(struct spool_str l, struct spool_hrcpt *r)
{
	const char *s = l.p, *e = l.p + l.len, *p = e, *hash, *s1, *s2, *s3;
	long long flags, a, b;

	memset(r, 0, sizeof(*r));
	r->pno = -1;
	r->addr = l;
	while (p > s && isdigit((unsigned char)p[-1]))
		p--;
	if (p == e || p == s)
		return 0;			/* plain address */
	switch (p[-1]) {
	case ',':				/* Exim 3: "a n,n,n" */
		while (p > s && (isdigit((unsigned char)p[-1]) || p[-1] == ','))
			p--;
		if (p > s && p[-1] == ' ')
			r->addr.len = (size_t)(p - 1 - s);
		return 0;
	case ' ':				/* early Exim 4: "a pno" */
		if (num(p, (size_t)(e - p), &a) == 0)
			r->pno = (int)a;
		r->addr.len = (size_t)(p - 1 - s);
		return 0;
	case '#':
		break;
	default:
		return 0;			/* e.g. user@host1 */
	}
	hash = p - 1;
	if (num(p, (size_t)(e - p), &flags) < 0)
		return -1;
	e = hash;
	if (flags & 1) {
		if ((s1 = back_numfield(s, hash)) == NULL ||
		    two_nums(s1 + 1, hash, &a, &b) < 0 || a < 0 ||
		    a > s1 - s - 1)
			return -1;
		r->pno = (int)b;
		r->errors_to.p = s1 - a;
		r->errors_to.len = (size_t)a;
		s2 = s1 - a - 1;
		if (s2 < s || *s2 != ' ')
			return -1;
		e = s2;
	}
	if (flags & 2) {
		if ((s3 = back_numfield(s, e)) == NULL ||
		    two_nums(s3 + 1, e, &a, &b) < 0 || a < 0 ||
		    a > s3 - s - 1)
			return -1;
		r->dsnflags = (int)b;
		r->orcpt.p = s3 - a;
		r->orcpt.len = (size_t)a;
		if (s3 - a - 1 < s || s3[-a - 1] != ' ')
			return -1;
		e = s3 - a - 1;
	}
	r->addr.len = (size_t)(e - s);
	return 0;
}

static int
parse_rcpts(struct cur *c, struct spool_hdr *h, char *err, size_t errlen)
{
	struct spool_str l;
	long long n, i;

	if (line(c, &l) < 0)
		FAIL("truncated before recipient count");
	if (num(l.p, l.len, &n) < 0 || n < 0)
		FAIL("malformed recipient count");
	if (n > 16384)
		FAIL("recipient count over 16384");
	for (i = 0; i < n; i++) {
		if (line(c, &l) < 0)
			FAIL("truncated in recipients");
		xgrow(&h->rcpts, &h->caprcpts, h->nrcpts + 1,
		    sizeof(*h->rcpts));
		if (parse_rcpt(l, &h->rcpts[h->nrcpts]) < 0)
			FAIL("malformed recipient line");
		h->nrcpts++;
	}
	if (line(c, &l) < 0)
		FAIL("truncated after recipients");
	if (l.len != 0)
		FAIL("no blank line after recipients");
	return 0;
}

/* Headers: "<len><flag> <text>", len at least 3 digits (traps 1-4). */
static int
parse_headers(struct cur *c, struct spool_hdr *h, char *err, size_t errlen)
{
	const char *p;
	unsigned long long n;
	struct spool_header *hd;

	while (c->p < c->end) {
		p = c->p;
		n = 0;
		while (p < c->end && isdigit((unsigned char)*p)) {
			if (n > (unsigned long long)(c->end - c->p))
				FAIL("header length too large");
			n = n * 10 + (unsigned)(*p++ - '0');
		}
		if (p == c->p)
			FAIL("malformed header length");
		if (c->end - p < 2 || p[1] != ' ')
			FAIL("truncated in header");
		if (*p == '\0' || (unsigned char)*p < 0x20)
			FAIL("malformed header flag");
		if ((unsigned long long)(c->end - (p + 2)) < n)
			FAIL("truncated in header text");
		xgrow(&h->hdrs, &h->caphdrs, h->nhdrs + 1, sizeof(*h->hdrs));
		hd = &h->hdrs[h->nhdrs++];
		hd->flag = *p;
		hd->text.p = p + 2;
		hd->text.len = (size_t)n;
		if (memchr(hd->text.p, '\0', hd->text.len) != NULL)
			FAIL("NUL byte in headers");
		if (hd->flag != '*')
			h->hdr_bytes += (int64_t)n;
		if (hd->flag == 'P')
			h->nreceived++;
		c->p = p + 2 + n;
	}
	return 0;
}

int
spool_parse_buf(const char *buf, size_t len, const char *id,
    struct spool_hdr *h, char *err, size_t errlen)
{
	struct cur c = { buf, buf + len };

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
	    parse_options(&c, h, err, errlen) < 0 ||
	    parse_tree(&c, h, err, errlen) < 0 ||
	    parse_rcpts(&c, h, err, errlen) < 0 ||
	    parse_headers(&c, h, err, errlen) < 0)
		return -1;
	return 0;
}
