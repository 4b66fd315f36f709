/* cmd_callout.c -- the wiring probe, verify and drain share
 * (cmd_callout_priv.h): domains and their recipients from the
 * snapshot, routes from Exim (or the logs), probes and verify runs. */
#include "app/cmd.h"
#include "cmd_callout_priv.h"
#include "model/diag.h"
#include "model/select.h"
#include "model/verify.h"
#include "exim/spool.h"
#include "run/mta.h"
#include "run/vstate.h"
#include "base/intern.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SAMPLE		3
#define DEFAULT_VERIFY_RATE	5.0	/* recipients per second */
#define SAVE_EVERY		5.0	/* seconds between state saves */
#define KEEP_DAYS		7

int
co_may_ask_exim(const struct ctx *c)
{
	return !c->spool_given || c->mta.config != NULL;
}

int64_t
co_max_age(const struct ctx *c)
{
	return c->max_verify_age > 0 ? c->max_verify_age : 3600;
}

static struct co_dom *
dom_of(struct co_doms *o, struct intern *names, const char *name)
{
	uint32_t	 k = intern_add(names, name, strlen(name));

	if (k == o->n) {
		o->v = xrealloc(o->v, (o->n + 1) * sizeof(*o->v));
		memset(&o->v[o->n], 0, sizeof(o->v[o->n]));
		snprintf(o->v[o->n].name, sizeof(o->v[o->n].name), "%s", name);
		o->n++;
	}
	return &o->v[k];
}

static int
cmp_dom(const void *a, const void *b)
{
	const struct co_dom *x = a, *y = b;

	if (x->rcpts != y->rcpts)
		return x->rcpts < y->rcpts ? 1 : -1;
	return strcmp(x->name, y->name);
}

void
co_collect(const struct spool_snap *snap, const struct diag *d,
    const struct select *sel, time_t now, char **names, size_t nnames,
    struct co_doms *out, size_t *nother)
{
	struct intern		*dn = intern_new(), **aset = NULL;
	const struct spool_msg	*m;
	const struct spool_rcpt	*r;
	struct co_dom		*dm;
	const char		*rd, *a;
	size_t			 i, k, nd, ncap = 0;
	uint32_t		 di, last;
	uint8_t			*other;
	char			 low[256], *p, ab[SPOOL_ADDR_BUF];

	memset(out, 0, sizeof(*out));
	*nother = 0;
	for (i = 0; i < nnames; i++) {
		snprintf(low, sizeof(low), "%s", names[i]);
		for (p = low; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		(void)dom_of(out, dn, low);
	}
	nd = snap != NULL ? intern_count(snap->domains) : 0;
	other = xcalloc(nd + 1, 1);
	for (i = 0; snap != NULL && i < snap->nmsgs; i++) {
		m = &snap->msgs[i];
		if (!select_msg(sel, snap, d, m, now))
			continue;
		last = UINT32_MAX;
		for (k = 0; k < m->nrcpt; k++) {
			r = &snap->rcpts[m->rcpt0 + k];
			if (r->state != RCPT_PENDING || !select_rcpt(sel, snap,
			    d, m, m->rcpt0 + k))
				continue;
			rd = spool_rcpt_domain(snap, r);
			if (nnames > 0) {
				if (intern_find(dn, rd, strlen(rd)) ==
				    UINT32_MAX)
					continue;
			} else if (diag_customers_known(d) &&
			    !diag_customer(d, r->domain)) {
				*nother += !other[r->domain];
				other[r->domain] = 1;
				continue;
			}
			dm = dom_of(out, dn, rd);
			di = (uint32_t)(dm - out->v);
			if (di >= ncap) {
				xgrow(&aset, &ncap, di + 1, sizeof(*aset));
				memset(aset + di, 0, (ncap - di) *
				    sizeof(*aset));
			}
			if (aset[di] == NULL)
				aset[di] = intern_new();
			dm->rcpts++;
			if (last != r->domain)
				dm->msgs++;
			last = r->domain;
			/* Distinct addresses: each is asked once. */
			a = spool_rcpt_addr(snap, r, ab);
			if (intern_find(aset[di], a, strlen(a)) != UINT32_MAX)
				continue;
			(void)intern_add(aset[di], a, strlen(a));
			xgrow(&dm->addrs, &dm->cap, dm->naddrs + 1,
			    sizeof(*dm->addrs));
			dm->addrs[dm->naddrs++] = xstrdup(a);
		}
	}
	for (i = 0; i < ncap; i++)
		intern_free(aset[i]);
	free(aset);
	free(other);
	intern_free(dn);
	if (nnames == 0 && out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_dom);
}

void
co_doms_free(struct co_doms *o)
{
	size_t	 i, k;

	for (i = 0; i < o->n; i++) {
		for (k = 0; k < o->v[i].naddrs; k++)
			free(o->v[i].addrs[k]);
		free(o->v[i].addrs);
		callout_job_free(o->v[i].job);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/* "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 address into h. */
static int
parse_host(const char *s, struct callout_host *h)
{
	const char	*colon, *end;
	char		*e;
	long		 port = 25;
	size_t		 n;
	struct in_addr	 a4;
	struct in6_addr	 a6;

	memset(h, 0, sizeof(*h));
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return -1;
		n = (size_t)(end - s - 1);
		if (end[1] == ':')
			port = strtol(end + 2, &e, 10);
		else if (end[1] != '\0')
			return -1;
		s++;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		n = (size_t)(colon - s);
		port = strtol(colon + 1, &e, 10);
		if (*e != '\0')
			return -1;
	} else
		n = strlen(s);
	if (n == 0 || n >= sizeof(h->addr) || port <= 0 || port > 65535)
		return -1;
	memcpy(h->addr, s, n);
	h->addr[n] = '\0';
	h->port = (int)port;
	/* Numeric only: mxtop looks up no names. */
	return inet_pton(AF_INET, h->addr, &a4) == 1 ||
	    inet_pton(AF_INET6, h->addr, &a6) == 1 ? 0 : -1;
}

/* The address in a log host field "name [ip]" (maybe ":port"). */
static int
log_host(const char *s, struct callout_host *h)
{
	const char	*lb, *rb;
	size_t		 n;
	long		 port = 25;

	if (s == NULL || (lb = strchr(s, '[')) == NULL ||
	    (rb = strchr(lb, ']')) == NULL)
		return -1;
	n = (size_t)(rb - lb - 1);
	if (n == 0 || n >= sizeof(h->addr))
		return -1;
	memset(h, 0, sizeof(*h));
	memcpy(h->addr, lb + 1, n);
	if (rb[1] == ':' && rb[2] >= '0' && rb[2] <= '9')
		port = strtol(rb + 2, NULL, 10);
	h->port = port > 0 && port < 65536 ? (int)port : 25;
	n = (size_t)(lb - s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n < sizeof(h->name))
		memcpy(h->name, s, n);
	return 0;
}

static void
add_host(struct co_dom *dm, const struct callout_host *h)
{
	size_t	 i;

	for (i = 0; i < dm->nhosts; i++)
		if (strcmp(dm->hosts[i].addr, h->addr) == 0 &&
		    dm->hosts[i].port == h->port)
			return;
	if (dm->nhosts < ROUTE_HOSTS_MAX)
		dm->hosts[dm->nhosts++] = *h;
}

/* The hosts of the domain's log lines: the last error's, then the
 * evidence's. */
static void
route_from_logs(const struct diag *d, struct co_dom *dm)
{
	const struct diag_domain	*dd = diag_domain(d, dm->name);
	struct callout_host		 h;
	size_t				 i;

	if (dd == NULL)
		return;
	if (log_host(dd->last_error.host, &h) == 0)
		add_host(dm, &h);
	for (i = 0; i < dd->nevidence; i++)
		if (log_host(dd->evidence[i].host, &h) == 0)
			add_host(dm, &h);
	if (dm->nhosts > 0)
		dm->source = "logs";
}

void
co_route(const struct ctx *c, const struct diag *d, struct co_dom *dm)
{
	char			 out[16384], addr[600];
	struct callout_host	 h;
	size_t			 i;
	int			 rc;

	dm->nhosts = 0;
	dm->error[0] = '\0';
	if (c->probe_host != NULL) {
		if (parse_host(c->probe_host, &h) == 0) {
			add_host(dm, &h);
			dm->source = "--host";
		} else
			snprintf(dm->error, sizeof(dm->error), "--host %s: not "
			    "IP, IP:PORT or [IPv6]:PORT", c->probe_host);
		return;
	}
	if (co_may_ask_exim(c)) {
		snprintf(addr, sizeof(addr), "postmaster@%s", dm->name);
		if (dm->naddrs > 0 && plan_addr_safe(dm->addrs[0]))
			snprintf(addr, sizeof(addr), "%s", dm->addrs[0]);
		rc = mta_route(&c->mta, addr, out, sizeof(out));
		if (rc >= 0) {
			dm->have_route = 1;
			(void)route_parse(out, strlen(out), &dm->route);
			for (i = 0; i < dm->route.nhosts; i++) {
				const struct route_host *rh =
				    &dm->route.hosts[i];

				if (rh->addr[0] == '\0' || rh->unusable)
					continue;
				memset(&h, 0, sizeof(h));
				snprintf(h.addr, sizeof(h.addr), "%s", rh->addr);
				snprintf(h.name, sizeof(h.name), "%s", rh->name);
				h.port = rh->port > 0 ? rh->port : 25;
				add_host(dm, &h);
			}
			if (dm->nhosts > 0) {
				dm->source = "exim -bt";
				return;
			}
			snprintf(dm->error, sizeof(dm->error), "exim -bt: %.200s",
			    dm->route.status == ROUTE_OK ? "no host with an "
			    "address" : dm->route.error[0] != '\0' ?
			    dm->route.error : "no answer");
		} else
			snprintf(dm->error, sizeof(dm->error), "exim -bt could "
			    "not be run");
	} else
		snprintf(dm->error, sizeof(dm->error), "Exim not asked (-s "
		    "without --exim-config)");
	route_from_logs(d, dm);
	if (dm->nhosts == 0) {
		size_t l = strlen(dm->error);

		snprintf(dm->error + l, sizeof(dm->error) - l, "%sno host in "
		    "the logs either", l > 0 ? "; " : "");
	}
}

void
co_cfg(const struct ctx *c, struct callout_cfg *cfg, char *helo, size_t len)
{
	memset(cfg, 0, sizeof(*cfg));
	if (c->helo != NULL)
		snprintf(helo, len, "%s", c->helo);
	else if (!co_may_ask_exim(c) || mta_option(&c->mta,
	    "primary_hostname", helo, len) < 0 || helo[0] == '\0') {
		if (gethostname(helo, len) < 0 || helo[0] == '\0')
			snprintf(helo, len, "localhost");
		helo[len - 1] = '\0';
	}
	cfg->helo = helo;
	cfg->sender = c->probe_sender;
	cfg->timeout = c->dns_timeout > 0 ? c->dns_timeout : CALLOUT_TIMEOUT;
}

void
co_probe(const struct ctx *c, const struct callout_cfg *cfg,
    struct co_dom *dm, int dry)
{
	char	 local[64];
	size_t	 want, i;

	want = c->sample >= 0 ? (size_t)c->sample : DEFAULT_SAMPLE;
	if (want > sizeof(dm->samples) / sizeof(dm->samples[0]))
		want = sizeof(dm->samples) / sizeof(dm->samples[0]);
	/* Spread over the queue: oldest, ..., newest. */
	dm->nsamples = 0;
	for (i = 0; i < want && i < dm->naddrs; i++)
		dm->samples[dm->nsamples++] = dm->addrs[want >= dm->naddrs ?
		    i : i * (dm->naddrs - 1) / (want > 1 ? want - 1 : 1)];
	callout_random_local(local, sizeof(local));
	snprintf(dm->random, sizeof(dm->random), "%.40s@%.255s", local,
	    dm->name);
	if (dry || dm->nhosts == 0) {
		snprintf(dm->why, sizeof(dm->why), "%s", dm->nhosts == 0 ?
		    dm->error : "dry run: nothing sent");
		return;
	}
	memset(&dm->probe, 0, sizeof(dm->probe));
	/* A reply slower than a third of the step timeout (at most 5s) is
	 * a tarpit's. */
	dm->probe.slow = cfg->timeout / 3 < 5 ? cfg->timeout / 3 : 5;
	callout_probe(cfg, dm->hosts, dm->nhosts, dm->random,
	    (const char *const *)dm->samples, dm->nsamples, &dm->probe);
	dm->probed = 1;
	dm->ptime = time(NULL);
	dm->cls = probe_classify(&dm->probe, dm->why, sizeof(dm->why));
}

static void
fmt_route_of(const struct co_dom *dm, struct fmt_route *r)
{
	memset(r, 0, sizeof(*r));
	r->domain = dm->name;
	r->source = dm->source;
	r->route = dm->have_route ? &dm->route : NULL;
	r->hosts = dm->hosts;
	r->nhosts = dm->nhosts;
	r->error = dm->error[0] != '\0' ? dm->error : NULL;
	r->msgs = dm->msgs;
	r->rcpts = dm->rcpts;
}

void
co_fmt_probe(const struct co_dom *dm, struct fmt_probe *p)
{
	memset(p, 0, sizeof(*p));
	fmt_route_of(dm, &p->r);
	p->probe = dm->probed ? &dm->probe : NULL;
	p->cls = dm->cls;
	p->why = dm->why;
	p->time = dm->ptime;
	p->random_addr = dm->random;
	p->samples = dm->samples;
	p->nsamples = dm->nsamples;
}

void
co_fmt_verify(const struct co_dom *dm, struct fmt_verify *v)
{
	memset(v, 0, sizeof(*v));
	fmt_route_of(dm, &v->r);
	v->total = dm->naddrs;
	v->fresh = dm->fresh;
	v->ran = dm->verified;
	if (dm->job != NULL) {
		v->res = callout_job_results(dm->job, &v->nres);
		callout_job_progress(dm->job, &v->prog);
	}
}

int
co_state_load(const struct ctx *c, int create, char *path, size_t len,
    struct verify_set **vs)
{
	char	 err[512];
	size_t	 bad = 0;

	*vs = verify_set_new();
	if (vstate_path(c->audit, c->spool, create, path, len, err,
	    sizeof(err)) < 0 || vstate_load(path, *vs, &bad, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "mxtop: verify results: %s\n", err);
		verify_set_free(*vs);
		*vs = NULL;
		return -1;
	}
	if (bad > 0)
		fprintf(stderr, "mxtop: %s: %zu line%s not understood, "
		    "skipped\n", path, bad, bad == 1 ? "" : "s");
	return 0;
}

static void
save(const struct ctx *c, const struct verify_set *vs, const char *path)
{
	char	 err[512];
	time_t	 keep = time(NULL) - (co_max_age(c) > KEEP_DAYS * 86400 ?
	    co_max_age(c) : KEEP_DAYS * 86400);

	if (vstate_save(path, vs, keep, err, sizeof(err)) < 0)
		fprintf(stderr, "mxtop: saving verify results: %s\n", err);
}

int
co_verify(const struct ctx *c, const struct callout_cfg *cfg,
    struct co_dom *dm, struct verify_set *vs, const char *path,
    volatile sig_atomic_t *intr)
{
	const struct callout_result	*r;
	struct callout_progress		 pr;
	struct callout_pace		 pace;
	const char			**ask;
	char				 line[512];
	size_t				 i, n = 0;
	double				 last = units_mono();
	int				 tty = isatty(STDERR_FILENO), step, told = 0;
	enum verify_res			 v;

	ask = xcalloc(dm->naddrs + 1, sizeof(*ask));
	dm->fresh = 0;
	for (i = 0; i < dm->naddrs; i++) {
		v = verify_set_result(vs, dm->addrs[i], c->now, co_max_age(c));
		if (v == VERIFY_ACCEPTED || v == VERIFY_REJECTED)
			dm->fresh++;
		else
			ask[n++] = dm->addrs[i];
	}
	memset(&pace, 0, sizeof(pace));
	pace.rate = c->rate > 0 ? c->rate : DEFAULT_VERIFY_RATE;
	pace.parallel = c->parallel;
	pace.batch = c->batch > 0 ? (size_t)c->batch : 0;
	dm->job = callout_job_new(cfg, dm->hosts, dm->nhosts, ask, n, &pace);
	free(ask);
	dm->verified = 1;
	do {
		step = callout_job_step(dm->job, 200);
		if (*intr && !told) {
			callout_job_cancel(dm->job, "interrupted");
			told = 1;
		}
		while ((r = callout_job_reap(dm->job)) != NULL)
			verify_set_put(vs, r->addr, r->time, r->res, r->code,
			    r->reply);
		callout_job_progress(dm->job, &pr);
		if (tty)
			fprintf(stderr, "\r\033[K%s", fmt_verify_progress(line,
			    sizeof(line), dm->name, &pr));
		if (units_mono() - last >= SAVE_EVERY) {
			save(c, vs, path);
			last = units_mono();
		}
	} while (step != 0);
	if (tty)
		fputs("\r\033[K", stderr);
	save(c, vs, path);
	callout_job_progress(dm->job, &pr);
	dm->stopped = pr.stop_reason != NULL;
	return dm->stopped || pr.n[VERIFY_UNKNOWN] > 0 ? 1 : 0;
}

struct verify_set *
cmd_verified_load(struct ctx *c)
{
	struct verify_set	*vs;
	char			 path[4200];

	if (co_state_load(c, 0, path, sizeof(path), &vs) < 0)
		return NULL;
	select_bind_verify(c->sel, vs, c->now, co_max_age(c));
	return vs;
}
