/* check_mxdiag.c -- the DNS evidence of a diagnosis as the TUI gets it
 * (app/cmd.h: cmd_mxdiag_new() once, cmd_mxdiag_check() from worker
 * threads), against a small DNS server of its own on a loopback port:
 * the planted findings, the same from many threads at once, a server
 * that refuses, setup errors.  No packet leaves 127.0.0.1. */
#include "app/cmd.h"
#include "app/ctx.h"
#include "model/classify.h"
#include "model/mxcheck.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <resolv.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- A DNS server: these records, NXDOMAIN for other names ---- */

static const struct rec {
	const char	*name;
	int		 type;
	unsigned	 pref;
	const char	*data;
} recs[] = {
	{ "proseware.example", ns_t_mx, 10, "10.11.12.13" },
	{ "proseware.example", ns_t_mx, 20, "mx2.relay.example" },
	{ "woodgrove.example", ns_t_mx, 10, "mail.woodgrove.example" },
	{ "woodgrove.example", ns_t_mx, 20, "backup.woodgrove.example" },
	{ "mail.woodgrove.example", ns_t_a, 0, "198.51.100.10" },
	{ "backup.woodgrove.example", ns_t_a, 0, "192.0.2.25" },
	{ "good.example", ns_t_mx, 10, "mail.good.example" },
	{ "good.example", ns_t_mx, 20, "mx2.relay.example" },
	{ "mail.good.example", ns_t_aaaa, 0, "2001:db8::10" },
	{ "ip6.example", ns_t_mx, 10, "2001:db8::1" },
	{ "ip6.example", ns_t_mx, 20, "mx2.relay.example" },
	{ "mx2.relay.example", ns_t_a, 0, "192.0.2.25" },
};

struct server {
	int		 fd;
	int		 port;
	pthread_t	 t;
	atomic_int	 stop;
	atomic_int	 queries;
	atomic_int	 odd;		/* queries for a name with ':' */
};

static int
answer(const unsigned char *q, int qlen, unsigned char *out, int outlen)
{
	unsigned char *dnptrs[32] = { out, NULL };
	unsigned char *p, *end = out + outlen, *rdlen;
	ns_msg msg;
	ns_rr rr;
	HEADER *h;
	size_t i;
	int qend, n = 0, exists = 0, c;

	if (ns_initparse(q, qlen, &msg) < 0 ||
	    ns_parserr(&msg, ns_s_qd, 0, &rr) < 0 ||
	    (c = dn_skipname(q + NS_HFIXEDSZ, q + qlen)) < 0)
		return -1;
	qend = NS_HFIXEDSZ + c + NS_QFIXEDSZ;
	if (qend > qlen || qend > outlen)
		return -1;
	memcpy(out, q, (size_t)qend);
	h = (HEADER *)(void *)out;
	h->qr = 1;
	h->aa = 1;
	h->ra = 1;
	h->rcode = ns_r_noerror;
	h->nscount = h->arcount = 0;
	p = out + qend;
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		const struct rec *r = &recs[i];

		if (strcasecmp(ns_rr_name(rr), r->name) != 0)
			continue;
		exists = 1;
		if (r->type != (int)ns_rr_type(rr))
			continue;
		if ((c = dn_comp(r->name, p, (int)(end - p), dnptrs,
		    dnptrs + 32)) < 0 || end - p < c + 10 + 16 + 256)
			return -1;
		p += c;
		NS_PUT16(r->type, p);
		NS_PUT16(ns_c_in, p);
		NS_PUT32(60, p);
		rdlen = p;
		p += 2;
		if (r->type == ns_t_a) {
			inet_pton(AF_INET, r->data, p);
			p += 4;
		} else if (r->type == ns_t_aaaa) {
			inet_pton(AF_INET6, r->data, p);
			p += 16;
		} else {
			NS_PUT16(r->pref, p);
			if ((c = dn_comp(r->data, p, (int)(end - p), dnptrs,
			    dnptrs + 32)) < 0)
				return -1;
			p += c;
		}
		NS_PUT16((unsigned)(p - rdlen - 2), rdlen);
		n++;
	}
	if (!exists)
		h->rcode = ns_r_nxdomain;
	h->ancount = htons((uint16_t)n);
	return (int)(p - out);
}

static void *
serve(void *arg)
{
	struct server *s = arg;
	unsigned char q[512], a[4096];
	struct sockaddr_in from;
	socklen_t fl;
	struct pollfd pfd;
	ssize_t n;
	int len;

	while (!atomic_load(&s->stop)) {
		pfd.fd = s->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fl = sizeof(from);
		if ((n = recvfrom(s->fd, q, sizeof(q), 0,
		    (struct sockaddr *)&from, &fl)) <= 0)
			continue;
		atomic_fetch_add(&s->queries, 1);
		if (memchr(q + NS_HFIXEDSZ, ':', (size_t)n - NS_HFIXEDSZ))
			atomic_fetch_add(&s->odd, 1);
		if ((len = answer(q, (int)n, a, sizeof(a))) > 0)
			(void)sendto(s->fd, a, (size_t)len, 0,
			    (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static void
server_start(struct server *s)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(s->fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&sa, &sl), 0);
	s->port = ntohs(sa.sin_port);
	ck_assert_int_eq(pthread_create(&s->t, NULL, serve, s), 0);
}

static void
server_stop(struct server *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->t, NULL);
	close(s->fd);
}

/* ---- The checks ---- */

/* A ctx as the command line makes it: the server, the relay's name. */
static void
ctx_for(struct ctx *c, char *server, size_t len, int port)
{
	memset(c, 0, sizeof(*c));
	snprintf(server, len, "127.0.0.1:%d", port);
	c->dns_server = server;
	c->dns_timeout = 1;
	c->relay_names.v[0] = "mx2.relay.example";
	c->relay_names.n = 1;
}

static const struct {
	const char	*domain;
	const char	*want;		/* codes and records, '|' between */
} cases[] = {
	{ "proseware.example", "mx-is-ip|proseware.example. MX 10 "
	    "10.11.12.13." },
	{ "woodgrove.example", "alias-a-to-relay|woodgrove.example. MX 20 "
	    "backup.woodgrove.example.|backup.woodgrove.example. A "
	    "192.0.2.25" },
	{ "good.example", "" },
	{ "ip6.example", "mx-is-ip|ip6.example. MX 10 2001\\058db8\\058\\0581.|"
	    "2001\\058db8\\058\\0581.: IPv6 address 2001:db8::1" },
	{ "nx.example", "relay-missing|nx.example.: NXDOMAIN" },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))
#define ROUNDS	6

struct job {
	const struct cmd_mxdiag	*m;
	const char		*domain;
	char			 got[1024];
	int			 rc;
};

static void *
work(void *arg)
{
	struct job *j = arg;
	struct mxcheck_result res;
	size_t i, k, n = 0;

	j->got[0] = '\0';
	mxcheck_init(&res);
	j->rc = cmd_mxdiag_check(j->m, j->domain, &res);
	for (i = 0; i < res.nf && n < sizeof(j->got); i++) {
		n += (size_t)snprintf(j->got + n, sizeof(j->got) - n, "%s%s",
		    i ? "|" : "", mxcheck_code_name(res.f[i].code));
		for (k = 0; k < res.f[i].nrecords && n < sizeof(j->got); k++)
			n += (size_t)snprintf(j->got + n, sizeof(j->got) - n,
			    "|%s", res.f[i].records[k]);
	}
	if (res.error != NULL)
		snprintf(j->got + n, sizeof(j->got) - n, "%serror", n ? "|" :
		    "");
	mxcheck_done(&res);
	return NULL;
}

START_TEST(t_threads)
{
	struct server s;
	struct ctx c;
	struct cmd_mxdiag *m;
	struct job jobs[NCASES * ROUNDS];
	pthread_t t[NCASES * ROUNDS];
	char server[64], err[256];
	size_t i;

	server_start(&s);
	ctx_for(&c, server, sizeof(server), s.port);
	m = cmd_mxdiag_new(&c, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	/* The relay's address came from its name, asked once. */
	ck_assert_int_gt(atomic_load(&s.queries), 0);
	/* Every check at once, sharing m and nothing else. */
	for (i = 0; i < NCASES * ROUNDS; i++) {
		jobs[i].m = m;
		jobs[i].domain = cases[i % NCASES].domain;
		ck_assert_int_eq(pthread_create(&t[i], NULL, work, &jobs[i]),
		    0);
	}
	for (i = 0; i < NCASES * ROUNDS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NCASES * ROUNDS; i++)
		ck_assert_msg(strcmp(jobs[i].got, cases[i % NCASES].want) == 0,
		    "%s: got \"%s\", wanted \"%s\"", jobs[i].domain,
		    jobs[i].got, cases[i % NCASES].want);
	/* An address as MX target is never looked up as a name. */
	ck_assert_int_eq(atomic_load(&s.odd), 0);
	cmd_mxdiag_free(m);
	server_stop(&s);
}
END_TEST

START_TEST(t_refused)
{
	struct ctx c;
	struct cmd_mxdiag *m;
	struct job j;
	char server[64], err[256];

	/* Nothing listens on port 1: the lookups fail at once. */
	ctx_for(&c, server, sizeof(server), 1);
	m = cmd_mxdiag_new(&c, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	j.m = m;
	j.domain = "proseware.example";
	(void)work(&j);
	ck_assert_int_eq(j.rc, -1);
	ck_assert_str_eq(j.got, "error");
	cmd_mxdiag_free(m);
	cmd_mxdiag_free(NULL);
}
END_TEST

START_TEST(t_setup_errors)
{
	struct ctx c;
	char server[64], err[256];

	ctx_for(&c, server, sizeof(server), 53);
	c.dns_server = "127.0.0.1:99999";
	ck_assert_ptr_null(cmd_mxdiag_new(&c, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "DNS server"));
	ctx_for(&c, server, sizeof(server), 1);
	c.relay_addrs.v[0] = "1.2.3";
	c.relay_addrs.n = 1;
	ck_assert_ptr_null(cmd_mxdiag_new(&c, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "--relay-addr 1.2.3"));
}
END_TEST

START_TEST(t_wants)
{
	ck_assert(cmd_mxdiag_wants(CLASS_DNS));
	ck_assert(cmd_mxdiag_wants(CLASS_LOOP));
	ck_assert(!cmd_mxdiag_wants(CLASS_TARPIT));
	ck_assert(!cmd_mxdiag_wants(CLASS_NONE));
	ck_assert(!cmd_mxdiag_wants(CLASS_BACKSCATTER));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mxdiag");
	TCase *tc = tcase_create("lookups");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_threads);
	tcase_add_test(tc, t_refused);
	tcase_add_test(tc, t_setup_errors);
	tcase_add_test(tc, t_wants);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
