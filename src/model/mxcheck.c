/* mxcheck.c -- a domain's MX set, its targets' aliases and addresses,
 * and the relay's identity, turned into findings with their evidence.
 * Pure: the records come from a struct zone (run/dns.c's lookups or
 * zone.c's parser), nothing here does I/O. */
#include "model/mxcheck.h"
#include "model/zone.h"
#include "base/mem.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char	*name;
	const char	*why;
	const char	*fix;
} codes[MXC__COUNT] = {
	[MXC_MX_IS_IP] = { "mx-is-ip",
	    "An MX record must name a host, not an address (RFC 1035, RFC "
	    "5321 5.1).  Exim refuses such a domain (\"MX records point to "
	    "IP addresses\") and so do other mail servers: mail for it "
	    "bounces or waits at the senders, and the relay cannot deliver "
	    "it either.",
	    "Give the mail server a host name with an A (or AAAA) record and "
	    "point the MX at that name." },
	[MXC_MX_IS_CNAME] = { "mx-is-cname",
	    "An MX target must be a host name with its own A/AAAA records, "
	    "not an alias (RFC 2181 10.3, RFC 5321 5.1).  Some mail servers "
	    "refuse it or treat it as a different host, and mail breaks "
	    "whenever the alias's target moves.",
	    "Point the MX at the name the CNAME leads to, or replace the "
	    "CNAME with A/AAAA records." },
	[MXC_RELAY_ONLY] = { "relay-only-mx",
	    "The relay is the domain's only MX.  A backup MX only queues mail "
	    "for the customer's own server, which it finds in the MX set; "
	    "with none there it has nowhere to deliver (Exim: \"lowest "
	    "numbered MX record points to local host\") and every message is "
	    "refused at receipt.",
	    "Add the customer's own mail server as the most preferred MX "
	    "(the lowest number) and keep the relay at a higher one, e.g. "
	    "MX 10 mail.example.com. and MX 20 for the relay." },
	[MXC_RELAY_PREFERRED] = { "relay-preferred",
	    "The relay is the most preferred MX, or tied with the customer's "
	    "server.  Senders deliver to the relay first, and the relay, "
	    "finding itself the best MX, drops the hosts at or above its own "
	    "number and cannot pass the mail on (Exim: \"lowest numbered MX "
	    "record points to local host\"): mail queues or bounces even "
	    "while the primary is up.",
	    "Give the customer's own mail server a lower MX number than the "
	    "relay, e.g. MX 10 for the primary and MX 20 for the relay." },
	[MXC_RELAY_MISSING] = { "relay-missing",
	    "The relay is not in the domain's MX set, so no sender ever "
	    "delivers to it: while the primary is down mail waits at the "
	    "senders or bounces instead of queueing at the relay.",
	    "Add the relay's host name as an MX with a higher number than "
	    "the primary's, e.g. MX 20 for the relay." },
	[MXC_ALIAS_A] = { "alias-a-to-relay",
	    "A name of the customer's own has the relay's address.  It gives "
	    "no failover across the relay's servers, breaks when the relay "
	    "renumbers, and the relay does not know the name as its own.",
	    "Point the MX straight at the relay's own host name and delete "
	    "the customer's A/AAAA records for that name." },
	[MXC_ALIAS_CNAME] = { "alias-cname-to-relay",
	    "A name of the customer's own is a CNAME to the relay.  An MX "
	    "must not point at an alias (RFC 2181 10.3), the relay does not "
	    "know the name as its own, and where the relay's name stands for "
	    "several servers they can pass the mail between them until Exim "
	    "stops it (\"Too many Received headers\").",
	    "Point the MX straight at the relay's own host name and delete "
	    "the customer's CNAME." },
	[MXC_UNRESOLVABLE] = { "mx-unresolvable",
	    "The MX target has no address (NXDOMAIN, or no A or AAAA "
	    "records): neither senders nor the relay can deliver to it "
	    "(Exim: \"all relevant MX records point to non-existent hosts\").",
	    "Add A (and AAAA) records for the target or point the MX at a "
	    "name that has them.  In a zone file, a target written without "
	    "its trailing dot gets the zone's name appended." },
	[MXC_PRIVATE] = { "mx-private-address",
	    "The MX target resolves to a private, loopback or link-local "
	    "address, which no server on the Internet can reach: the relay "
	    "delivers to itself or to nowhere (Exim: \"remote host address "
	    "is the local host\" for loopback).",
	    "Publish the mail server's public address; internal addresses "
	    "belong in an internal DNS view only." },
};

/* alias-a-to-relay with several relay addresses behind one name. */
static const char why_alias_rr[] =
    "A name of the customer's own has several of the relay's addresses. "
    "It gives no failover the relay controls, breaks when the relay "
    "renumbers, and the relay servers, not knowing the name as their "
    "own, hand the mail round-robin to each other: it loops from relay to "
    "relay until Exim stops it after 30 Received headers (\"Too many "
    "Received headers - suspected mail loop\").";

const char *
mxcheck_code_name(enum mxcheck_code c)
{
	if ((unsigned)c >= MXC__COUNT)
		return "?";
	return codes[c].name;
}

int
mxcheck_code_parse(const char *s)
{
	int i;

	for (i = 0; i < MXC__COUNT; i++)
		if (strcmp(codes[i].name, s) == 0)
			return i;
	return -1;
}

/* ---- Addresses and the relay ---- */

/* The canonical text of an address, "[...]" allowed; -1 if none. */
static int
addr_canon(const char *s, size_t len, char *out, size_t outlen)
{
	unsigned char bin[16];
	char buf[64];

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, bin) == 1)
		return inet_ntop(AF_INET, bin, out, (socklen_t)outlen) ? 0 : -1;
	if (inet_pton(AF_INET6, buf, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, (socklen_t)outlen) ? 0 :
		    -1;
	return -1;
}

/* The address a name stands for, as people write one where a host name
 * belongs: "10.11.12.13", "2001:db8::1", "[::1]", "[IPv6:2001:db8::1]"
 * (SMTP's address literal), or such a text as a canonical name (zone.h:
 * "2001\058db8\058\0581", "\091::1\093"), whose escapes are undone.
 * The inet_ntop() text into out; -1 if it is no address. */
static int
name_addr(const char *s, char *out, size_t outlen)
{
	char raw[64];
	size_t n = 0;
	int v6 = 0;

	for (; *s != '\0'; s++) {
		unsigned v = (unsigned char)*s;

		if (v == '\\' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
		    s[2] <= '9' && s[3] >= '0' && s[3] <= '9') {
			v = (unsigned)(s[1] - '0') * 100 +
			    (unsigned)(s[2] - '0') * 10 + (unsigned)(s[3] - '0');
			s += 3;
		} else if (v == '\\' && s[1] != '\0')
			v = (unsigned char)*++s;
		/* An address has no NUL, blank or control byte. */
		if (v <= ' ' || v >= 0x7f || n + 1 >= sizeof(raw))
			return -1;
		raw[n++] = (char)v;
	}
	raw[n] = '\0';
	if (n > 7 && raw[0] == '[' && strncasecmp(raw + 1, "ipv6:", 5) == 0) {
		memmove(raw + 1, raw + 6, n - 5);
		n -= 5;
		v6 = 1;
	}
	if (addr_canon(raw, n, out, outlen) < 0 ||
	    (v6 && strchr(out, ':') == NULL))
		return -1;
	return 0;
}

int
mxcheck_is_ip(const char *s)
{
	char out[64];

	return name_addr(s, out, sizeof(out)) == 0;
}

static int
v4_private(const unsigned char *b)
{
	return b[0] == 10 || b[0] == 127 || b[0] == 0 ||
	    (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	    (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
	    (b[0] == 100 && (b[1] & 0xc0) == 64);
}

int
mxcheck_addr_private(const char *addr)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned char b[16];
	size_t i;

	if (inet_pton(AF_INET, addr, b) == 1)
		return v4_private(b);
	if (inet_pton(AF_INET6, addr, b) != 1)
		return 0;
	if (memcmp(b, mapped, 12) == 0)
		return v4_private(b + 12);
	for (i = 0; i < 15 && b[i] == 0; i++)
		;
	if (i == 15 && b[15] <= 1)
		return 1;		/* :: and ::1 */
	return (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||	/* fe80::/10 */
	    (b[0] & 0xfe) == 0xfc;				/* fc00::/7 */
}

int
mxcheck_relay_add_name(struct mxcheck_relay *r, const char *name)
{
	char buf[ZONE_NAME_MAX + 1], out[ZONE_NAME_MAX];
	size_t n = strlen(name), i;

	if (n == 0 || n >= ZONE_NAME_MAX - 1)
		return -1;
	/* Names on the command line are absolute, dot or not. */
	memcpy(buf, name, n + 1);
	if (buf[n - 1] != '.' || (n > 1 && buf[n - 2] == '\\'))
		buf[n++] = '.', buf[n] = '\0';
	if (zone_name_canon(buf, n, NULL, out, sizeof(out)) < 0 ||
	    out[0] == '\0')
		return -1;
	for (i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], out) == 0)
			return 0;
	if (r->nnames >= MXCHECK_RELAY_MAX)
		return -1;
	memcpy(r->names[r->nnames++], out, strlen(out) + 1);
	return 0;
}

int
mxcheck_relay_add_addr(struct mxcheck_relay *r, const char *addr)
{
	char out[MXCHECK_ADDR_MAX];
	size_t i;

	if (addr_canon(addr, strlen(addr), out, sizeof(out)) < 0)
		return -1;
	for (i = 0; i < r->naddrs; i++)
		if (strcmp(r->addrs[i], out) == 0)
			return 0;
	if (r->naddrs >= MXCHECK_RELAY_MAX)
		return -1;
	memcpy(r->addrs[r->naddrs++], out, strlen(out) + 1);
	return 0;
}

/* One local_interfaces item: "a.b.c.d", "a.b.c.d.25", "[addr]:25",
 * "addr.25" for IPv6. */
static int
add_iface(struct mxcheck_relay *r, const char *s, size_t len)
{
	char buf[80], out[MXCHECK_ADDR_MAX];
	const char *e;
	size_t before = r->naddrs;

	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return 0;
	if (s[0] == '[' && (e = memchr(s, ']', len)) != NULL)
		len = (size_t)(e - s) + 1;
	if (addr_canon(s, len, out, sizeof(out)) < 0) {
		/* A port written as a last ".NN". */
		e = s + len;
		while (e > s && e[-1] >= '0' && e[-1] <= '9')
			e--;
		if (e == s || e == s + len || e[-1] != '.' ||
		    addr_canon(s, (size_t)(e - 1 - s), out, sizeof(out)) < 0)
			return 0;
	}
	if (strcmp(out, "0.0.0.0") == 0 || strcmp(out, "::") == 0 ||
	    strncmp(out, "127.", 4) == 0 || strcmp(out, "::1") == 0)
		return 0;
	if (mxcheck_relay_add_addr(r, out) < 0)
		return 0;
	return r->naddrs > before;
}

int
mxcheck_relay_add_interfaces(struct mxcheck_relay *r, const char *val)
{
	char sep = ':', item[80];
	size_t n = 0;
	int added = 0;

	while (*val == ' ' || *val == '\t')
		val++;
	if (val[0] == '<' && val[1] != '\0' && val[1] != ' ') {
		sep = val[1];
		val += 2;
	}
	/* In a colon list "::" is a colon (Exim doubles them in IPv6). */
	for (;; val++) {
		if (*val == '\0' || (*val == sep && !(sep == ':' &&
		    val[1] == ':'))) {
			added += add_iface(r, item, n);
			n = 0;
			if (*val == '\0')
				break;
			continue;
		}
		if (sep == ':' && val[0] == ':' && val[1] == ':')
			val++;
		if (n < sizeof(item))
			item[n++] = *val;
	}
	return added;
}

int
mxcheck_relay_has_name(const struct mxcheck_relay *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], name) == 0)
			return 1;
	return 0;
}

int
mxcheck_relay_has_addr(const struct mxcheck_relay *r, const char *addr)
{
	size_t i;

	for (i = 0; i < r->naddrs; i++)
		if (strcmp(r->addrs[i], addr) == 0)
			return 1;
	return 0;
}

/* ---- The check ---- */

void
mxcheck_init(struct mxcheck_result *res)
{
	memset(res, 0, sizeof(*res));
	arena_init(&res->a);
	arena_init(&res->ptrs);
}

void
mxcheck_done(struct mxcheck_result *res)
{
	free(res->mx);
	free(res->f);
	free(res->unknown);
	arena_free(&res->a);
	arena_free(&res->ptrs);
	memset(res, 0, sizeof(*res));
}

/* One run's state. */
struct run {
	const struct zone		*z;
	const struct mxcheck_relay	*r;
	struct mxcheck_result		*res;
	/* The records of the finding being built. */
	const char			**rec;
	size_t				 nrec, caprec;
};

/* Whether addr is the relay's: given, or an address z has for one of
 * its names. */
static int
relay_addr(const struct run *run, const char *addr)
{
	const struct zone_rr *rr;
	size_t i;

	if (mxcheck_relay_has_addr(run->r, addr))
		return 1;
	for (i = 0; i < run->r->nnames; i++)
		for (rr = zone_first(run->z, run->r->names[i]); rr != NULL;
		    rr = zone_next(run->z, rr))
			if ((rr->type == ZONE_A || rr->type == ZONE_AAAA) &&
			    strcmp(rr->data, addr) == 0)
				return 1;
	return 0;
}

static const char *
dup(struct run *run, const char *s)
{
	return arena_strdup(&run->res->a, s);
}

static void
rec_add(struct run *run, const char *s)
{
	size_t i;

	for (i = 0; i < run->nrec; i++)
		if (strcmp(run->rec[i], s) == 0)
			return;
	xgrow(&run->rec, &run->caprec, run->nrec + 1, sizeof(*run->rec));
	run->rec[run->nrec++] = dup(run, s);
}

static void
rec_rr(struct run *run, const struct zone_rr *rr)
{
	char line[2 * ZONE_NAME_MAX + 64];

	rec_add(run, zone_rr_str(rr, line, sizeof(line)));
}

/* "name.: what" (a state), or "name.: what detail". */
static void
rec_fmt(struct run *run, const char *name, const char *what,
    const char *detail)
{
	char line[ZONE_NAME_MAX + 128];

	snprintf(line, sizeof(line), "%s.: %s%s%s", name, what,
	    detail != NULL ? " " : "", detail != NULL ? detail : "");
	rec_add(run, line);
}

/* Turns the records collected so far into a finding. */
static void
finding(struct run *run, enum mxcheck_code code, const char *why)
{
	struct mxcheck_result *res = run->res;
	struct mxcheck_finding *f;

	xgrow(&res->f, &res->capf, res->nf + 1, sizeof(*res->f));
	f = &res->f[res->nf++];
	f->code = code;
	f->records = arena_alloc(&res->ptrs, (run->nrec + 1) *
	    sizeof(*f->records));
	memcpy(f->records, run->rec, run->nrec * sizeof(*f->records));
	f->nrecords = run->nrec;
	f->why = why != NULL ? why : codes[code].why;
	f->fix = codes[code].fix;
	run->nrec = 0;
}

/* The CNAME record at name, or NULL. */
static const struct zone_rr *
cname_at(const struct zone *z, const char *name)
{
	const struct zone_rr *rr;

	for (rr = zone_first(z, name); rr != NULL; rr = zone_next(z, rr))
		if (rr->type == ZONE_CNAME)
			return rr;
	return NULL;
}

static void
unknown(struct run *run, const char *name)
{
	struct mxcheck_result *res = run->res;
	size_t i;

	for (i = 0; i < res->nunknown; i++)
		if (strcmp(res->unknown[i], name) == 0)
			return;
	xgrow(&res->unknown, &res->capunk, res->nunknown + 1,
	    sizeof(*res->unknown));
	res->unknown[res->nunknown++] = dup(run, name);
}

static int
by_pref(const void *a, const void *b)
{
	const struct zone_rr *x = *(const struct zone_rr *const *)a;
	const struct zone_rr *y = *(const struct zone_rr *const *)b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->data, y->data);
}

/* The CNAME records from name on, as met (at most MXCHECK_CHAIN_MAX). */
static size_t
chain(const struct zone *z, const char *name, const struct zone_rr **out)
{
	const struct zone_rr *c;
	size_t n = 0, i;

	while (n < MXCHECK_CHAIN_MAX && (c = cname_at(z, name)) != NULL) {
		for (i = 0; i < n; i++)
			if (out[i] == c)
				return n;	/* a loop */
		out[n++] = c;
		name = c->data;
	}
	return n;
}

/* The checks of one MX target (its record mxrr) into m. */
static void
target(struct run *run, const struct zone_rr *mxrr, struct mxcheck_mx *m)
{
	const struct zone *z = run->z;
	const struct zone_rr *ch[MXCHECK_CHAIN_MAX], *rr;
	const struct zone_rr *mine[64], *priv[64];
	const char *end;
	char ip[MXCHECK_ADDR_MAX];
	size_t nch, i, nmine = 0, npriv = 0, na = 0;
	enum zone_state s4, s6;
	int by_name, via_cname = 0, loop;

	m->pref = mxrr->pref;
	m->host = dup(run, mxrr->data);
	m->addr_state = MXA_SKIPPED;
	if (m->host[0] == '\0')
		return;			/* the null MX: no mail at all */
	if (name_addr(m->host, ip, sizeof(ip)) == 0) {
		rec_rr(run, mxrr);
		/* Escaped or bracketed, the record alone does not show the
		 * address. */
		if (strcmp(ip, m->host) != 0)
			rec_fmt(run, m->host, strchr(ip, ':') != NULL ?
			    "IPv6 address" : "IPv4 address", ip);
		finding(run, MXC_MX_IS_IP, NULL);
		m->relay = relay_addr(run, ip);
		return;
	}
	by_name = mxcheck_relay_has_name(run->r, m->host);
	nch = chain(z, m->host, ch);
	end = nch > 0 ? ch[nch - 1]->data : m->host;
	loop = nch > 0 && cname_at(z, end) != NULL;
	if (nch > 0) {
		m->cname = arena_alloc(&run->res->ptrs, nch *
		    sizeof(*m->cname));
		for (i = 0; i < nch; i++) {
			m->cname[i] = dup(run, ch[i]->data);
			if (mxcheck_relay_has_name(run->r, ch[i]->data))
				via_cname = 1;
		}
		m->ncname = nch;
	}
	/* The addresses at the chain's end. */
	s4 = loop ? ZONE_NXDOMAIN : zone_state(z, end, ZONE_A);
	s6 = loop ? ZONE_NXDOMAIN : zone_state(z, end, ZONE_AAAA);
	for (rr = loop ? NULL : zone_first(z, end); rr != NULL;
	    rr = zone_next(z, rr))
		if (rr->type == ZONE_A || rr->type == ZONE_AAAA)
			na++;
	if (na > 0) {
		m->addrs = arena_alloc(&run->res->ptrs, na * sizeof(*m->addrs));
		for (rr = zone_first(z, end); rr != NULL;
		    rr = zone_next(z, rr)) {
			if (rr->type != ZONE_A && rr->type != ZONE_AAAA)
				continue;
			m->addrs[m->naddrs++] = dup(run, rr->data);
			if (relay_addr(run, rr->data)) {
				if (nmine < 64)
					mine[nmine++] = rr;
			} else if (mxcheck_addr_private(rr->data) && npriv < 64)
				priv[npriv++] = rr;
		}
	}
	if (s4 == ZONE_HAS || s6 == ZONE_HAS)
		m->addr_state = MXA_OK;
	else if (s4 == ZONE_FAILED || s6 == ZONE_FAILED) {
		m->addr_state = MXA_FAILED;
		if (run->res->error == NULL) {
			char msg[ZONE_NAME_MAX + 64];

			snprintf(msg, sizeof(msg), "the address lookup of %s "
			    "failed", end);
			run->res->error = dup(run, msg);
		}
	} else if (s4 != ZONE_UNKNOWN && s6 != ZONE_UNKNOWN)
		m->addr_state = MXA_NONE;
	else {
		m->addr_state = MXA_UNKNOWN;
		unknown(run, end);
	}
	m->relay = by_name || via_cname || nmine > 0;

	if (nch > 0 && !via_cname) {
		rec_rr(run, mxrr);
		for (i = 0; i < nch; i++)
			rec_rr(run, ch[i]);
		finding(run, MXC_MX_IS_CNAME, NULL);
	}
	if (via_cname && !by_name) {
		rec_rr(run, mxrr);
		for (i = 0; i < nch; i++)
			rec_rr(run, ch[i]);
		finding(run, MXC_ALIAS_CNAME, NULL);
	}
	if (!by_name && !via_cname && nmine > 0) {
		rec_rr(run, mxrr);
		for (i = 0; i < nch; i++)
			rec_rr(run, ch[i]);
		for (i = 0; i < nmine; i++)
			rec_rr(run, mine[i]);
		finding(run, MXC_ALIAS_A, nmine > 1 ? why_alias_rr : NULL);
	}
	if (m->addr_state == MXA_NONE) {
		rec_rr(run, mxrr);
		for (i = 0; i < nch; i++)
			rec_rr(run, ch[i]);
		if (loop)
			rec_fmt(run, end, "CNAME loop", NULL);
		else if (s4 == ZONE_NXDOMAIN || s6 == ZONE_NXDOMAIN)
			rec_fmt(run, end, "NXDOMAIN", NULL);
		else
			rec_fmt(run, end, "no A or AAAA records", NULL);
		finding(run, MXC_UNRESOLVABLE, NULL);
	}
	if (npriv > 0) {
		rec_rr(run, mxrr);
		for (i = 0; i < nch; i++)
			rec_rr(run, ch[i]);
		for (i = 0; i < npriv; i++)
			rec_rr(run, priv[i]);
		finding(run, MXC_PRIVATE, NULL);
	}
}

/* Stable, by code: findings were added target by target. */
static void
sort_findings(struct mxcheck_result *res)
{
	struct mxcheck_finding t;
	size_t i, j;

	for (i = 1; i < res->nf; i++) {
		t = res->f[i];
		for (j = i; j > 0 && res->f[j - 1].code > t.code; j--)
			res->f[j] = res->f[j - 1];
		res->f[j] = t;
	}
}

int
mxcheck_run(const struct zone *z, const char *domain,
    const struct mxcheck_relay *r, struct mxcheck_result *res)
{
	struct run run = { z, r, res, NULL, 0, 0 };
	const struct zone_rr *ch[MXCHECK_CHAIN_MAX], **mxs = NULL, *rr;
	char name[ZONE_NAME_MAX + 1], dom[ZONE_NAME_MAX];
	char msg[ZONE_NAME_MAX + 64];
	const char *end;
	size_t n = strlen(domain), nch, nmx = 0, i, nrelay = 0, nother = 0;
	unsigned best_relay = 65536, best_other = 65536;
	enum zone_state st;

	mxcheck_done(res);
	mxcheck_init(res);
	res->state = MXS_UNKNOWN;
	if (n == 0 || n >= ZONE_NAME_MAX - 1) {
		res->domain = dup(&run, "");
		res->error = "not a domain name";
		return -1;
	}
	memcpy(name, domain, n + 1);
	if (name[n - 1] != '.')
		name[n++] = '.', name[n] = '\0';
	if (zone_name_canon(name, n, NULL, dom, sizeof(dom)) < 0 ||
	    dom[0] == '\0') {
		res->domain = dup(&run, "");
		res->error = "not a domain name";
		return -1;
	}
	res->domain = dup(&run, dom);

	/* The MX lookup follows the domain's own CNAME chain. */
	nch = chain(z, dom, ch);
	end = nch > 0 ? ch[nch - 1]->data : dom;
	if (nch > 0) {
		res->cname = arena_alloc(&res->ptrs, nch * sizeof(*res->cname));
		for (i = 0; i < nch; i++)
			res->cname[i] = dup(&run, ch[i]->data);
		res->ncname = nch;
	}
	st = nch > 0 && cname_at(z, end) != NULL ? ZONE_FAILED :
	    zone_state(z, end, ZONE_MX);
	switch (st) {
	case ZONE_HAS:
		res->state = MXS_MX;
		break;
	case ZONE_NODATA:
		res->state = MXS_NOMX;
		break;
	case ZONE_NXDOMAIN:
		res->state = MXS_NXDOMAIN;
		break;
	case ZONE_FAILED:
		res->state = MXS_FAILED;
		snprintf(msg, sizeof(msg), "the MX lookup of %s failed", end);
		res->error = dup(&run, msg);
		return -1;
	case ZONE_UNKNOWN:
		snprintf(msg, sizeof(msg), "nothing about the MX of %s in the "
		    "data", end);
		res->error = dup(&run, msg);
		unknown(&run, end);
		free(run.rec);
		return -1;
	}
	for (rr = zone_first(z, end); rr != NULL; rr = zone_next(z, rr))
		if (rr->type == ZONE_MX)
			nmx++;
	if (nmx > 0) {
		mxs = xcalloc(nmx, sizeof(*mxs));
		nmx = 0;
		for (rr = zone_first(z, end); rr != NULL; rr = zone_next(z, rr))
			if (rr->type == ZONE_MX)
				mxs[nmx++] = rr;
		qsort(mxs, nmx, sizeof(*mxs), by_pref);
		res->mx = xcalloc(nmx, sizeof(*res->mx));
		res->nmx = nmx;
	}
	for (i = 0; i < nmx; i++) {
		struct mxcheck_mx *m = &res->mx[i];

		target(&run, mxs[i], m);
		if (m->host[0] == '\0')
			continue;
		if (m->relay) {
			nrelay++;
			if (m->pref < best_relay)
				best_relay = m->pref;
		} else {
			nother++;
			if (m->pref < best_other)
				best_other = m->pref;
		}
	}

	/* The MX set as a whole. */
	if (nmx == 0) {
		for (i = 0; i < nch; i++)
			rec_rr(&run, ch[i]);
		rec_fmt(&run, end, res->state == MXS_NXDOMAIN ? "NXDOMAIN" :
		    "no MX records", NULL);
		finding(&run, MXC_RELAY_MISSING, NULL);
	} else if (nrelay == 0) {
		for (i = 0; i < nmx; i++)
			rec_rr(&run, mxs[i]);
		finding(&run, MXC_RELAY_MISSING, NULL);
	} else if (nother == 0) {
		for (i = 0; i < nmx; i++)
			rec_rr(&run, mxs[i]);
		finding(&run, MXC_RELAY_ONLY, NULL);
	} else if (best_relay <= best_other) {
		for (i = 0; i < nmx; i++) {
			const struct mxcheck_mx *m = &res->mx[i];

			if ((m->relay && m->pref <= best_other) || (!m->relay &&
			    m->pref == best_other && m->host[0] != '\0'))
				rec_rr(&run, mxs[i]);
		}
		finding(&run, MXC_RELAY_PREFERRED, NULL);
	}
	sort_findings(res);
	free(mxs);
	free(run.rec);
	return (int)res->nf;
}
