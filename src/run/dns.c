/* dns.c -- mx-check's live lookups: libresolv with a private state per
 * thread (res_ninit, res_nmkquery, res_nsend), answers read with
 * ns_initparse/ns_parserr/ns_name_uncompress into a struct zone, and a
 * small pool of threads for many domains.
 *
 * Why libresolv and no other DNS library: it is part of the C library
 * (libc6-dev), reads the system's resolv.conf like every other program
 * on the relay, retries and falls back to TCP on truncation by itself,
 * and its reentrant res_n* calls need nothing but one state per thread.
 * What it lacks (many queries in flight on one socket) the threads make
 * up for: each waits on its own query. */
#include "run/dns.h"
#include "model/mxcheck.h"
#include "model/zone.h"
#include "base/mem.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct dns {
	struct __res_state	 st;
	char			 err[128];	/* the last failure's reason */
};

/* Parses "IP", "IP:PORT", "[IPv6]" or "[IPv6]:PORT" (a bare IPv6
 * address takes no port). */
static int
server_parse(const char *spec, struct sockaddr_in *v4, struct sockaddr_in6 *v6,
    int *family, char *err, size_t errlen)
{
	char host[64];
	const char *port = NULL, *e;
	size_t n;
	long p = 53;

	if (spec[0] == '[') {
		if ((e = strchr(spec, ']')) == NULL)
			goto bad;
		n = (size_t)(e - spec - 1);
		if (e[1] == ':')
			port = e + 2;
		else if (e[1] != '\0')
			goto bad;
		spec++;
	} else if ((e = strchr(spec, ':')) != NULL && strchr(e + 1, ':') ==
	    NULL) {
		n = (size_t)(e - spec);
		port = e + 1;
	} else
		n = strlen(spec);
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, spec, n);
	host[n] = '\0';
	if (port != NULL) {
		char *end;

		errno = 0;
		p = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || errno != 0 || p < 1 ||
		    p > 65535)
			goto bad;
	}
	memset(v4, 0, sizeof(*v4));
	memset(v6, 0, sizeof(*v6));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		*family = AF_INET6;
		return 0;
	}
bad:
	snprintf(err, errlen, "not a DNS server address (IP, IP:PORT or "
	    "[IPv6]:PORT): %.64s", spec);
	return -1;
}

int
dns_server_check(const char *spec, char *err, size_t errlen)
{
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	int family;

	return server_parse(spec, &v4, &v6, &family, err, errlen);
}

struct dns *
dns_new(const struct dns_opts *o, char *err, size_t errlen)
{
	struct dns *d = xcalloc(1, sizeof(*d));
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	int family;

	if (o != NULL && o->server != NULL &&
	    server_parse(o->server, &v4, &v6, &family, err, errlen) < 0) {
		free(d);
		return NULL;
	}
	if (res_ninit(&d->st) < 0) {
		snprintf(err, errlen, "cannot set up the resolver");
		free(d);
		return NULL;
	}
	d->st.retrans = o != NULL && o->timeout > 0 ? o->timeout : DNS_TIMEOUT;
	d->st.retry = o != NULL && o->tries > 0 ? o->tries : DNS_TRIES;
	/* Names are absolute: never try them under a search domain. */
	d->st.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	d->st.options |= RES_RECURSE;
	if (o != NULL && o->server != NULL) {
		d->st.nscount = 1;
		if (family == AF_INET) {
			d->st.nsaddr_list[0] = v4;
		} else {
			/* glibc keeps IPv6 servers beside the IPv4 list: an
			 * empty family there, the address in _ext (freed by
			 * res_nclose()). */
			struct sockaddr_in6 *p = xmalloc(sizeof(*p));

			*p = v6;
			memset(&d->st.nsaddr_list[0], 0,
			    sizeof(d->st.nsaddr_list[0]));
			free(d->st._u._ext.nsaddrs[0]);
			d->st._u._ext.nsaddrs[0] = p;
		}
	}
	return d;
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	res_nclose(&d->st);
	free(d);
}

const char *
dns_last_error(const struct dns *d)
{
	return d->err[0] != '\0' ? d->err : NULL;
}

/* A name from an answer (presentation form, no trailing dot; "." for the
 * root) in canonical form. */
static int
canon(const char *s, char *out, size_t len)
{
	char buf[ZONE_NAME_MAX + 2];
	size_t n = strlen(s);

	if (n == 0 || n + 2 > sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	if (!(n == 1 && s[0] == '.'))
		buf[n++] = '.';
	buf[n] = '\0';
	return zone_name_canon(buf, n, NULL, out, len);
}

/* One record of an answer, read into the canonical form. */
struct ans_rr {
	char		 owner[ZONE_NAME_MAX];
	enum zone_type	 type;
	uint32_t	 ttl;
	unsigned	 pref;
	char		 data[ZONE_NAME_MAX];
};

static int
read_rr(ns_msg *msg, ns_rr *rr, struct ans_rr *out)
{
	const unsigned char *rd = ns_rr_rdata(*rr);
	unsigned len = ns_rr_rdlen(*rr);
	char name[NS_MAXDNAME];

	if (ns_rr_class(*rr) != ns_c_in ||
	    canon(ns_rr_name(*rr), out->owner, sizeof(out->owner)) < 0)
		return -1;
	out->ttl = ns_rr_ttl(*rr);
	out->pref = 0;
	switch (ns_rr_type(*rr)) {
	case ns_t_a:
		if (len != 4 || inet_ntop(AF_INET, rd, out->data,
		    sizeof(out->data)) == NULL)
			return -1;
		out->type = ZONE_A;
		return 0;
	case ns_t_aaaa:
		if (len != 16 || inet_ntop(AF_INET6, rd, out->data,
		    sizeof(out->data)) == NULL)
			return -1;
		out->type = ZONE_AAAA;
		return 0;
	case ns_t_cname:
		out->type = ZONE_CNAME;
		break;
	case ns_t_mx:
		if (len < 3)
			return -1;
		out->pref = ns_get16(rd);
		rd += 2;
		out->type = ZONE_MX;
		break;
	default:
		return -1;
	}
	if (ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg), rd, name,
	    sizeof(name)) < 0 || canon(name, out->data, sizeof(out->data)) < 0)
		return -1;
	return 0;
}

/* Why res_nsend() gave up.  glibc sets the same errno for a server that
 * answered SERVFAIL or REFUSED as for one that never did, but leaves the
 * last answer it read in the buffer (zeroed before the call): an answer
 * (QR set) to our query id names its rcode. */
static const char *
send_error(const unsigned char *q, const unsigned char *a)
{
	if ((a[2] & 0x80) != 0 && a[0] == q[0] && a[1] == q[1])
		switch (a[3] & 0x0f) {
		case ns_r_servfail:
			return "SERVFAIL";
		case ns_r_refused:
			return "REFUSED";
		case ns_r_notimpl:
			return "not implemented (NOTIMP)";
		default:
			return "error answer";
		}
	return errno == ETIMEDOUT ? "timed out" : errno == ECONNREFUSED ?
	    "nothing listens there (port unreachable)" :
	    "no answer";
}

static void
fail(struct dns *d, struct zone *z, const char *name, enum zone_type type,
    const char *why)
{
	zone_set_state(z, name, type, ZONE_FAILED);
	if (d->err[0] == '\0')
		snprintf(d->err, sizeof(d->err), "%s %s: %s",
		    zone_type_name(type), strlen(name) > 60 ? "(a long name)" :
		    name, why);
}

/* Asks for type at name (canonical) and adds to z the answer's records
 * that belong to it: name's own, and those of the CNAME chain from it.
 * Only a direct answer (no CNAME) says NXDOMAIN or NODATA about name; a
 * chain's end is asked for itself. */
static void
query(struct dns *d, struct zone *z, const char *name, enum zone_type type)
{
	unsigned char q[NS_PACKETSZ], *a;
	struct ans_rr *rrs;
	char qn[ZONE_NAME_MAX + 1], cur[ZONE_NAME_MAX];
	ns_msg msg;
	ns_rr rr;
	int qlen, alen, rcode, n, i, k, hops, chained = 0, hit = 0;

	snprintf(qn, sizeof(qn), "%s", name[0] != '\0' ? name : ".");
	if ((qlen = res_nmkquery(&d->st, ns_o_query, qn, ns_c_in, (int)type,
	    NULL, 0, NULL, q, sizeof(q))) < 0) {
		fail(d, z, name, type, "cannot make the query");
		return;
	}
	a = xcalloc(1, NS_MAXMSG);
	errno = 0;
	if ((alen = res_nsend(&d->st, q, qlen, a, NS_MAXMSG)) < 0) {
		fail(d, z, name, type, send_error(q, a));
		free(a);
		return;
	}
	if (ns_initparse(a, alen, &msg) < 0) {
		fail(d, z, name, type, "malformed answer");
		free(a);
		return;
	}
	rcode = ns_msg_getflag(msg, ns_f_rcode);
	if (rcode != ns_r_noerror && rcode != ns_r_nxdomain) {
		fail(d, z, name, type, rcode == ns_r_servfail ? "SERVFAIL" :
		    rcode == ns_r_refused ? "REFUSED" : "error answer");
		free(a);
		return;
	}
	n = ns_msg_count(msg, ns_s_an);
	if (n > 256)
		n = 256;
	rrs = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*rrs));
	for (i = k = 0; i < n; i++)
		if (ns_parserr(&msg, ns_s_an, i, &rr) == 0 &&
		    read_rr(&msg, &rr, &rrs[k]) == 0)
			k++;
	/* Follow the chain from name through this answer. */
	snprintf(cur, sizeof(cur), "%s", name);
	for (hops = 0; hops <= MXCHECK_CHAIN_MAX; hops++) {
		const struct ans_rr *c = NULL;

		for (i = 0; i < k; i++) {
			if (strcmp(rrs[i].owner, cur) != 0)
				continue;
			if (rrs[i].type == ZONE_CNAME && c == NULL)
				c = &rrs[i];
			else if (rrs[i].type == type) {
				(void)zone_add(z, rrs[i].owner, rrs[i].type,
				    rrs[i].ttl, rrs[i].pref, rrs[i].data);
				hit = 1;
			}
		}
		if (c == NULL || type == ZONE_CNAME)
			break;
		(void)zone_add(z, c->owner, ZONE_CNAME, c->ttl, 0, c->data);
		chained = 1;
		snprintf(cur, sizeof(cur), "%s", c->data);
	}
	if (!chained && !hit)
		zone_set_state(z, name, type, rcode == ns_r_nxdomain ?
		    ZONE_NXDOMAIN : ZONE_NODATA);
	free(rrs);
	free(a);
}

/* The CNAME target at name in z, or NULL. */
static const char *
cname_of(const struct zone *z, const char *name)
{
	const struct zone_rr *rr;

	for (rr = zone_first(z, name); rr != NULL; rr = zone_next(z, rr))
		if (rr->type == ZONE_CNAME)
			return rr->data;
	return NULL;
}

/* Makes z know type at name: queries along the CNAME chain until an
 * answer (or a failure) is in.  Returns the queries sent. */
static int
resolve(struct dns *d, struct zone *z, const char *name, enum zone_type type)
{
	char cur[ZONE_NAME_MAX];
	const char *c;
	int hops, sent = 0;

	snprintf(cur, sizeof(cur), "%s", name);
	for (hops = 0; hops <= 2 * MXCHECK_CHAIN_MAX; hops++) {
		if ((c = cname_of(z, cur)) != NULL) {
			snprintf(cur, sizeof(cur), "%s", c);
			continue;
		}
		if (zone_state(z, cur, type) != ZONE_UNKNOWN)
			break;
		if (sent > MXCHECK_CHAIN_MAX) {
			fail(d, z, cur, type, "CNAME chain too long");
			break;
		}
		query(d, z, cur, type);
		sent++;
	}
	return sent;
}

int
dns_lookup(struct dns *d, const char *domain, struct zone *z)
{
	char name[ZONE_NAME_MAX + 1], dom[ZONE_NAME_MAX], end[ZONE_NAME_MAX];
	const struct zone_rr *rr;
	const char **hosts;
	const char *c;
	size_t n = strlen(domain), nh = 0, i;
	int sent, hops;

	d->err[0] = '\0';
	if (n == 0 || n >= ZONE_NAME_MAX - 1)
		return -1;
	memcpy(name, domain, n + 1);
	if (name[n - 1] != '.')
		name[n++] = '.', name[n] = '\0';
	if (zone_name_canon(name, n, NULL, dom, sizeof(dom)) < 0 ||
	    dom[0] == '\0')
		return -1;
	sent = resolve(d, z, dom, ZONE_MX);
	snprintf(end, sizeof(end), "%s", dom);
	for (hops = 0; hops < MXCHECK_CHAIN_MAX &&
	    (c = cname_of(z, end)) != NULL; hops++)
		snprintf(end, sizeof(end), "%s", c);
	/* The targets, copied: lookups add records and move the array. */
	for (rr = zone_first(z, end); rr != NULL; rr = zone_next(z, rr))
		if (rr->type == ZONE_MX)
			nh++;
	hosts = xcalloc(nh + 1, sizeof(*hosts));
	nh = 0;
	for (rr = zone_first(z, end); rr != NULL; rr = zone_next(z, rr))
		if (rr->type == ZONE_MX && rr->data[0] != '\0' &&
		    !mxcheck_is_ip(rr->data))
			hosts[nh++] = xstrdup(rr->data);
	for (i = 0; i < nh; i++) {
		sent += resolve(d, z, hosts[i], ZONE_A);
		sent += resolve(d, z, hosts[i], ZONE_AAAA);
		free((void *)hosts[i]);
	}
	free(hosts);
	return sent;
}

int
dns_relay_addrs(struct dns *d, struct mxcheck_relay *r)
{
	struct zone z;
	size_t i, before = r->naddrs, nn = r->nnames;

	zone_init(&z);
	for (i = 0; i < nn; i++) {
		const char *end = r->names[i], *c;
		const struct zone_rr *rr;
		int hops;

		(void)resolve(d, &z, r->names[i], ZONE_A);
		(void)resolve(d, &z, r->names[i], ZONE_AAAA);
		for (hops = 0; hops < MXCHECK_CHAIN_MAX &&
		    (c = cname_of(&z, end)) != NULL; hops++)
			end = c;
		for (rr = zone_first(&z, end); rr != NULL;
		    rr = zone_next(&z, rr))
			if (rr->type == ZONE_A || rr->type == ZONE_AAAA)
				(void)mxcheck_relay_add_addr(r, rr->data);
	}
	zone_done(&z);
	d->err[0] = '\0';
	return (int)(r->naddrs - before);
}

int
dns_mxcheck(struct dns *d, const char *domain, const struct mxcheck_relay *r,
    struct mxcheck_result *res)
{
	struct zone z;
	const char *why;
	char msg[ZONE_NAME_MAX + 192];
	int rc;

	zone_init(&z);
	(void)dns_lookup(d, domain, &z);
	rc = mxcheck_run(&z, domain, r, res);
	/* Say why a lookup failed, not only that it did. */
	if (res->error != NULL && (why = dns_last_error(d)) != NULL &&
	    (res->state == MXS_FAILED || res->state == MXS_MX)) {
		snprintf(msg, sizeof(msg), "%s (%s)", res->error, why);
		res->error = arena_strdup(&res->a, msg);
	}
	zone_done(&z);
	return rc;
}

/* ---- Many domains ---- */

struct pool {
	const struct dns_opts		*o;
	const char *const		*domains;
	size_t				 n;
	const struct mxcheck_relay	*r;
	struct mxcheck_result		*res;
	atomic_size_t			 next;
};

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct dns *d;
	char err[256];
	size_t i;

	d = dns_new(p->o, err, sizeof(err));
	while ((i = atomic_fetch_add(&p->next, 1)) < p->n) {
		if (d == NULL) {
			mxcheck_done(&p->res[i]);
			mxcheck_init(&p->res[i]);
			p->res[i].domain = arena_strdup(&p->res[i].a,
			    p->domains[i]);
			p->res[i].state = MXS_FAILED;
			p->res[i].error = arena_strdup(&p->res[i].a, err);
			continue;
		}
		(void)dns_mxcheck(d, p->domains[i], p->r, &p->res[i]);
	}
	dns_free(d);
	return NULL;
}

int
dns_mxcheck_many(const struct dns_opts *o, const char *const *domains,
    size_t n, const struct mxcheck_relay *r, struct mxcheck_result *res,
    char *err, size_t errlen)
{
	struct pool p;
	struct dns *probe;
	pthread_t *t;
	size_t nt, i, started = 0;

	/* One resolver first, so a bad setup is one error, not n. */
	if ((probe = dns_new(o, err, errlen)) == NULL)
		return -1;
	dns_free(probe);
	nt = o != NULL && o->parallel > 0 ? (size_t)o->parallel : DNS_PARALLEL;
	if (nt > n)
		nt = n;
	p.o = o;
	p.domains = domains;
	p.n = n;
	p.r = r;
	p.res = res;
	atomic_init(&p.next, 0);
	t = xcalloc(nt + 1, sizeof(*t));
	for (i = 0; i < nt; i++)
		if (pthread_create(&t[i], NULL, worker, &p) == 0)
			started++;
		else
			break;
	if (started == 0)
		(void)worker(&p);	/* no threads: do it here */
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}

int
dns_local_addrs(struct mxcheck_relay *r)
{
	struct ifaddrs *ifa, *i;
	char buf[INET6_ADDRSTRLEN];
	size_t before = r->naddrs;

	if (getifaddrs(&ifa) < 0)
		return -1;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		const void *a;
		const unsigned char *b;

		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a = &((const struct sockaddr_in *)(const void *)
			    i->ifa_addr)->sin_addr;
			b = a;
			if (b[0] == 127 || (b[0] == 169 && b[1] == 254))
				continue;
			inet_ntop(AF_INET, a, buf, sizeof(buf));
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a = &((const struct sockaddr_in6 *)(const void *)
			    i->ifa_addr)->sin6_addr;
			b = a;
			if ((b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
			    memcmp(b, &in6addr_loopback, 16) == 0)
				continue;
			inet_ntop(AF_INET6, a, buf, sizeof(buf));
		} else
			continue;
		(void)mxcheck_relay_add_addr(r, buf);
	}
	freeifaddrs(ifa);
	return (int)(r->naddrs - before);
}
