/* cmd_mxcheck.c -- mx-check: the domains to check (operands, or the
 * spool's with --all), the relay's identity (options, else Exim and the
 * machine), the records (live lookups, or --zone text), the findings. */
#include "app/cmd.h"
#include "exim/spool.h"
#include "app/load.h"
#include "model/diag.h"
#include "model/mxcheck.h"
#include "model/zone.h"
#include "out/fmt_mxcheck.h"
#include "run/dns.h"
#include "run/mta.h"
#include "base/intern.h"
#include "base/mem.h"
#include "base/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads all of path ("-": stdin), at most ZONE_INPUT_MAX bytes. */
static char *
slurp(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 65536;
	char *buf;
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap > ZONE_INPUT_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		if ((n = read(fd, buf + len, cap - len)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*lenp = len;
	return buf;
fail:
	n = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	errno = (int)n;
	return NULL;
}

int
cmd_mxcheck_relay(struct ctx *c, struct mxcheck_relay *r, char *err,
    size_t errlen)
{
	char val[4096], clean[256];
	size_t i;

	for (i = 0; i < c->relay_names.n; i++)
		if (mxcheck_relay_add_name(r, c->relay_names.v[i]) < 0) {
			snprintf(err, errlen, "--relay-name %s: not a host "
			    "name", text_sanitize(clean, sizeof(clean),
			    c->relay_names.v[i], strlen(c->relay_names.v[i])));
			return -1;
		}
	for (i = 0; i < c->relay_addrs.n; i++)
		if (mxcheck_relay_add_addr(r, c->relay_addrs.v[i]) < 0) {
			snprintf(err, errlen, "--relay-addr %s: not an IPv4 "
			    "or IPv6 address", text_sanitize(clean,
			    sizeof(clean), c->relay_addrs.v[i],
			    strlen(c->relay_addrs.v[i])));
			return -1;
		}
	if (c->relay_names.n > 0 || c->relay_addrs.n > 0)
		return 0;
	/* Nothing given: this machine is the relay, as Exim sees itself. */
	if (mta_option(&c->mta, "primary_hostname", val, sizeof(val)) == 0)
		(void)mxcheck_relay_add_name(r, val);
	if (mta_option(&c->mta, "local_interfaces", val, sizeof(val)) == 0)
		(void)mxcheck_relay_add_interfaces(r, val);
	if (r->naddrs == 0)
		(void)dns_local_addrs(r);
	if (r->nnames == 0) {
		snprintf(err, errlen, "Exim did not tell the relay's name: "
		    "give --relay-name NAME (and --relay-addr ADDR)");
		return -1;
	}
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds the canonical form of d to the list in set (kept once). */
static int
add_domain(struct intern *set, const char *d)
{
	char buf[ZONE_NAME_MAX + 1], out[ZONE_NAME_MAX];
	size_t n = strlen(d);

	if (n == 0 || n >= ZONE_NAME_MAX - 1)
		return -1;
	memcpy(buf, d, n + 1);
	if (buf[n - 1] != '.')
		buf[n++] = '.', buf[n] = '\0';
	if (zone_name_canon(buf, n, NULL, out, sizeof(out)) < 0 ||
	    out[0] == '\0')
		return -1;
	(void)intern_add(set, out, strlen(out));
	return 0;
}

/* --all: the customer domains with pending mail (when the customers
 * are known; else every recipient domain), leaving out messages Exim
 * made itself (bounces and warnings to outsiders: -localerror, or a
 * local submission with the null sender). */
static int
spool_domains(struct ctx *c, struct intern *set)
{
	struct diag_customers cu;
	struct spool_snap *s;
	char err[512], buf[4096];
	size_t i, k;

	if (load_find_spool(c, buf, sizeof(buf)) < 0)
		return -1;
	if ((s = load_spool(c, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		return -1;
	}
	(void)load_customers(c, s, &cu);
	for (i = 0; i < s->nmsgs; i++) {
		const struct spool_msg *m = &s->msgs[i];

		if ((m->flags & (MSG_F_LOCALERR | MSG_F_BADFILE)) ||
		    ((m->flags & MSG_F_LOCAL) && spool_msg_sender(m) != NULL &&
		    spool_msg_sender(m)[0] == '\0'))
			continue;
		for (k = 0; k < m->nrcpt; k++) {
			const struct spool_rcpt *rc = &s->rcpts[m->rcpt0 + k];
			const char *d = intern_str(s->domains, rc->domain);

			/* An address literal ("[192.0.2.1]") has no MX. */
			if (rc->state == RCPT_PENDING && d[0] != '[' &&
			    (cu.is == NULL || cu.is[rc->domain]))
				(void)add_domain(set, d);
		}
	}
	free((void *)cu.is);
	spool_snap_free(s);
	return 0;
}

/* Records from the --zone inputs into z.  Returns 0, or -1 after a
 * message. */
static int
read_zones(struct ctx *c, struct zone *z, const char *origin)
{
	struct zone_report rep;
	char clean[512];
	size_t i, len;
	char *buf;

	for (i = 0; i < c->zones.n; i++) {
		const char *path = c->zones.v[i];

		text_sanitize(clean, sizeof(clean), path, strlen(path));
		if ((buf = slurp(path, &len)) == NULL) {
			fprintf(stderr, "mxtop: %s: %s\n", strcmp(path, "-") ?
			    clean : "standard input", strerror(errno));
			return -1;
		}
		if (zone_parse(z, buf, len, origin, &rep) < 0) {
			fprintf(stderr, "mxtop: %s: %s\n", clean, rep.why);
			free(buf);
			return -1;
		}
		free(buf);
		if (rep.bad > 0)
			fprintf(stderr, "mxtop: %s:%zu: %s (%zu line%s not "
			    "read)\n", strcmp(path, "-") ? clean : "(stdin)",
			    rep.first_bad, rep.why, rep.bad,
			    rep.bad == 1 ? "" : "s");
		if (rep.records == 0)
			fprintf(stderr, "mxtop: %s: no records\n",
			    strcmp(path, "-") ? clean : "(stdin)");
	}
	return 0;
}

int
cmd_mxcheck(struct ctx *c, int argc, char **argv)
{
	struct dns_opts o = { c->dns_server, c->dns_timeout, 0, c->parallel };
	struct mxcheck_relay *r;
	struct mxcheck_result *res = NULL;
	struct intern *set;
	struct zone z;
	const char **doms = NULL;
	char err[512], clean[512], clean2[1024];
	size_t n = 0, i, nargs;
	int rc = 0, findings = 0, errors = 0;

	if (argc < 2 && !c->all && !c->all_customers) {
		fprintf(stderr, "mxtop: mx-check needs a domain, or --all\n");
		return 2;
	}
	if (c->zones.n > 0 && c->dns_server != NULL) {
		fprintf(stderr, "mxtop: mx-check: --zone reads records, "
		    "--dns-server looks them up: give one of them\n");
		return 2;
	}
	if (c->dns_server != NULL && dns_server_check(c->dns_server, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "mxtop: --dns-server: %s\n", err);
		return 2;
	}
	set = intern_new();
	for (i = 1; i < (size_t)argc; i++)
		if (add_domain(set, argv[i]) < 0) {
			fprintf(stderr, "mxtop: mx-check: not a domain: %s\n",
			    text_sanitize(clean, sizeof(clean), argv[i],
			    strlen(argv[i])));
			intern_free(set);
			return 2;
		}
	nargs = intern_count(set);
	if (c->all && spool_domains(c, set) < 0) {
		intern_free(set);
		return 2;
	}
	if (c->all_customers) {
		struct intern *cs = intern_new();

		if (load_customer_names(c, cs, err, sizeof(err)) < 0) {
			fprintf(stderr, "mxtop: mx-check --all-customers: %s\n",
			    err);
			intern_free(cs);
			intern_free(set);
			return 2;
		}
		for (i = 0; i < intern_count(cs); i++)
			(void)add_domain(set, intern_str(cs, (uint32_t)i));
		intern_free(cs);
	}
	n = intern_count(set);
	doms = xcalloc(n + 1, sizeof(*doms));
	for (i = 0; i < n; i++)
		doms[i] = intern_str(set, (uint32_t)i);
	/* Named domains in the order given, the spool's sorted after them. */
	qsort(doms + nargs, n - nargs, sizeof(*doms), by_name);

	r = xcalloc(1, sizeof(*r));
	if (cmd_mxcheck_relay(c, r, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxtop: mx-check: %s\n", err);
		rc = 2;
		goto out;
	}
	res = xcalloc(n + 1, sizeof(*res));
	for (i = 0; i < n; i++)
		mxcheck_init(&res[i]);
	if (c->zones.n > 0) {
		zone_init(&z);
		if (read_zones(c, &z, n > 0 ? doms[0] : NULL) < 0) {
			zone_done(&z);
			rc = 2;
			goto out;
		}
		for (i = 0; i < n; i++)
			(void)mxcheck_run(&z, doms[i], r, &res[i]);
		zone_done(&z);
	} else if (n > 0) {
		struct dns *d;

		/* The relay's own names tell its addresses too. */
		if ((d = dns_new(&o, err, sizeof(err))) == NULL) {
			fprintf(stderr, "mxtop: mx-check: %s\n", err);
			rc = 2;
			goto out;
		}
		(void)dns_relay_addrs(d, r);
		dns_free(d);
		if (dns_mxcheck_many(&o, doms, n, r, res, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "mxtop: mx-check: %s\n", err);
			rc = 2;
			goto out;
		}
	}
	fmt_mxcheck(stdout, &c->fmt, res, n, r);
	for (i = 0; i < n; i++) {
		if (res[i].nf > 0)
			findings = 1;
		if (res[i].error != NULL) {
			errors = 1;
			fprintf(stderr, "mxtop: %s: %s\n", text_sanitize(clean,
			    sizeof(clean), res[i].domain,
			    strlen(res[i].domain)), text_sanitize(clean2,
			    sizeof(clean2), res[i].error,
			    strlen(res[i].error)));
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mxtop: write error on standard output\n");
		errors = 1;
	}
	rc = errors ? 2 : findings ? 1 : 0;
out:
	for (i = 0; res != NULL && i < n; i++)
		mxcheck_done(&res[i]);
	free(res);
	free(r);
	free(doms);
	intern_free(set);
	return rc;
}
