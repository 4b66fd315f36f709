/* cmd_mxdiag.c -- diagnose --dns: mx-check's lookups as evidence for the
 * domains whose mail is stuck on DNS (class dns or loop), for diagnose
 * and, one domain at a time, for the TUI's diagnose screen.  The model
 * stays pure: the lookups are run/dns.c's, the findings model/mxcheck.c's,
 * and the results go to the renderer (out/fmt_diag.c) as data. */
#include "app/cmd.h"
#include "model/classify.h"
#include "model/mxcheck.h"
#include "model/stats.h"
#include "out/fmt.h"
#include "run/dns.h"
#include "base/mem.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cmd_mxdiag {
	struct dns_opts		 o;
	char			*server;	/* o.server: a copy */
	struct mxcheck_relay	 relay;		/* read only once set up */
};

int
cmd_mxdiag_wants(int cls)
{
	return cls == CLASS_DNS || cls == CLASS_LOOP;
}

int
cmd_mxdiag_args(struct ctx *c)
{
	char err[256];

	if (!c->dns) {
		/* Without --dns nothing is looked up: say so rather than
		 * ignore a server the user meant to be asked. */
		if (c->dns_server != NULL || c->relay_names.n > 0 ||
		    c->relay_addrs.n > 0) {
			fprintf(stderr, "mxtop: diagnose: --dns-server, "
			    "--relay-name and --relay-addr need --dns\n");
			return -1;
		}
		return 0;
	}
	if (c->zones.n > 0) {
		fprintf(stderr, "mxtop: diagnose --dns looks the records up: "
		    "--zone is for mx-check\n");
		return -1;
	}
	if (c->dns_server != NULL && dns_server_check(c->dns_server, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "mxtop: --dns-server: %s\n", err);
		return -1;
	}
	/* Names and addresses given are checked now, before the scan (with
	 * them, cmd_mxcheck_relay() asks Exim nothing). */
	if (c->relay_names.n > 0 || c->relay_addrs.n > 0) {
		struct mxcheck_relay *r = xcalloc(1, sizeof(*r));
		int rc = cmd_mxcheck_relay(c, r, err, sizeof(err));

		free(r);
		if (rc < 0) {
			fprintf(stderr, "mxtop: diagnose --dns: %s\n", err);
			return -1;
		}
	}
	return 0;
}

struct cmd_mxdiag *
cmd_mxdiag_new(struct ctx *c, char *err, size_t errlen)
{
	struct cmd_mxdiag *m = xcalloc(1, sizeof(*m));
	struct dns *d;

	if (c->dns_server != NULL)
		m->server = xstrdup(c->dns_server);
	m->o.server = m->server;
	m->o.timeout = c->dns_timeout;
	m->o.parallel = c->parallel;
	if (cmd_mxcheck_relay(c, &m->relay, err, errlen) < 0 ||
	    (d = dns_new(&m->o, err, errlen)) == NULL) {
		cmd_mxdiag_free(m);
		return NULL;
	}
	/* The relay's own names tell its addresses too, as in mx-check. */
	(void)dns_relay_addrs(d, &m->relay);
	dns_free(d);
	return m;
}

void
cmd_mxdiag_free(struct cmd_mxdiag *m)
{
	if (m == NULL)
		return;
	free(m->server);
	free(m);
}

int
cmd_mxdiag_check(const struct cmd_mxdiag *m, const char *domain,
    struct mxcheck_result *res)
{
	struct dns *d;
	char err[256];
	int rc;

	if ((d = dns_new(&m->o, err, sizeof(err))) == NULL) {
		mxcheck_done(res);
		mxcheck_init(res);
		res->domain = arena_strdup(&res->a, domain);
		res->state = MXS_FAILED;
		res->error = arena_strdup(&res->a, err);
		return -1;
	}
	rc = dns_mxcheck(d, domain, &m->relay, res);
	dns_free(d);
	return rc;
}

int
cmd_mxdiag_print(struct ctx *c, const struct stats *st, int every)
{
	struct cmd_mxdiag *m = NULL;
	struct mxcheck_result *res = NULL;
	const struct mxcheck_result **of;
	const char **doms;
	size_t *at, i, n = 0;
	char err[512], clean[512], clean2[1024];
	int rc = 0;

	of = xcalloc(st->ndomains + 1, sizeof(*of));
	doms = xcalloc(st->ndomains + 1, sizeof(*doms));
	at = xcalloc(st->ndomains + 1, sizeof(*at));
	for (i = 0; i < st->ndomains; i++) {
		const struct stats_domain *d = &st->domains[i];

		/* An address literal ("[192.0.2.1]") has no MX. */
		if ((every || cmd_mxdiag_wants(d->cls)) && d->name[0] != '[') {
			at[n] = i;
			doms[n++] = d->name;
		}
	}
	/* No domain to look up: no query at all, not even the relay's. */
	if (n > 0) {
		if ((m = cmd_mxdiag_new(c, err, sizeof(err))) == NULL) {
			fprintf(stderr, "mxtop: diagnose --dns: %s\n", err);
			rc = -1;
			goto out;
		}
		res = xcalloc(n, sizeof(*res));
		for (i = 0; i < n; i++)
			mxcheck_init(&res[i]);
		if (dns_mxcheck_many(&m->o, doms, n, &m->relay, res, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "mxtop: diagnose --dns: %s\n", err);
			rc = -1;
			goto out;
		}
		for (i = 0; i < n; i++) {
			of[at[i]] = &res[i];
			if (res[i].error != NULL)
				fprintf(stderr, "mxtop: diagnose --dns: %s: %s\n",
				    text_sanitize(clean, sizeof(clean), doms[i],
				    strlen(doms[i])), text_sanitize(clean2,
				    sizeof(clean2), res[i].error,
				    strlen(res[i].error)));
		}
	}
	fmt_diagnose_mx(stdout, &c->fmt, st, of);
out:
	for (i = 0; res != NULL && i < n; i++)
		mxcheck_done(&res[i]);
	free(res);
	cmd_mxdiag_free(m);
	free(at);
	free(doms);
	free(of);
	return rc;
}
