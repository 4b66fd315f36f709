/* dns.h -- live DNS lookups for mx-check, through the C library's
 * resolver (libresolv), one private resolver state per thread.
 *
 * A lookup fills a struct zone (model/zone.h) with what mxcheck_run()
 * reads: the domain's MX set (following a CNAME at the domain), each
 * target's CNAME chain and A/AAAA records, NXDOMAIN and NODATA answers,
 * failures.  Queries go to the system's resolvers (/etc/resolv.conf) or
 * to the one server given; search domains are never appended.  Nothing
 * here prints. */
#ifndef MXTOP_DNS_H
#define MXTOP_DNS_H
#include <stddef.h>

struct zone;				/* model/zone.h */
struct mxcheck_relay;			/* model/mxcheck.h */
struct mxcheck_result;

#define DNS_TIMEOUT	3		/* seconds per try */
#define DNS_TRIES	2
#define DNS_PARALLEL	32		/* threads of dns_mxcheck_many() */

struct dns_opts {
	const char	*server;	/* "IP", "IP:PORT", "[IPv6]:PORT";
					 * NULL: the system's resolvers */
	int		 timeout;	/* seconds per try; 0: DNS_TIMEOUT */
	int		 tries;		/* 0: DNS_TRIES */
	int		 parallel;	/* threads; 0: DNS_PARALLEL */
};

/* Whether spec is a server dns_opts.server takes.  Returns 0, or -1
 * with a reason in err. */
int	dns_server_check(const char *spec, char *err, size_t errlen);

struct dns;				/* opaque: one resolver state */

/* A resolver set up from opts (NULL: defaults).  Returns NULL with a
 * reason in err when the resolver cannot be initialized or the server is
 * bad.  A state is used by one thread at a time. */
struct dns	*dns_new(const struct dns_opts *, char *err, size_t errlen);
void		 dns_free(struct dns *);	/* NULL is a no-op */

/* Looks up what mx-check needs about domain into z (zone_init()ed; may
 * already hold records).  Failures become ZONE_FAILED states; the first
 * one's reason ("timed out", ...) is kept for dns_last_error().  Returns
 * the number of queries sent, or -1 when domain is no name. */
int		 dns_lookup(struct dns *, const char *domain, struct zone *z);
/* Why the last failed query of the last dns_lookup() failed, or NULL. */
const char	*dns_last_error(const struct dns *);

/* Adds the A/AAAA addresses of r's names to r.  Returns how many were
 * added. */
int	dns_relay_addrs(struct dns *, struct mxcheck_relay *r);

/* The whole check of one domain: dns_lookup() and mxcheck_run() (see
 * there for res and the result).  For diagnose: one domain at a time. */
int	dns_mxcheck(struct dns *, const char *domain,
	    const struct mxcheck_relay *r, struct mxcheck_result *res);

/* Checks domains[0..n) on opts->parallel threads, each with its own
 * resolver: res[i] (n entries, mxcheck_init()ed) gets domains[i]'s
 * result.  Returns 0, or -1 with a reason in err when no resolver could
 * be set up (then nothing was looked up). */
int	dns_mxcheck_many(const struct dns_opts *, const char *const *domains,
	    size_t n, const struct mxcheck_relay *r,
	    struct mxcheck_result *res, char *err, size_t errlen);

/* Adds the addresses of this machine's interfaces (getifaddrs(3)) to r,
 * without loopback, link-local and wildcard ones.  Returns how many were
 * added, or -1. */
int	dns_local_addrs(struct mxcheck_relay *r);

#endif
