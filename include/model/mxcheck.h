/* mxcheck.h -- the DNS mistakes of backup-MX customers, found in a
 * domain's records (pure: the lookups are run/dns.h's, the parsing of
 * pasted text model/zone.h's).
 *
 * One domain's record set (its MX set; each target's CNAME chain and
 * A/AAAA answers; NXDOMAIN and NODATA answers) plus the relay's identity
 * (its names and addresses) in, findings out: a code, the records that
 * caused it as text, why it breaks the service and the fix.  The codes
 * are a contract (mxtop.1): add codes, never rename them. */
#ifndef MXTOP_MXCHECK_H
#define MXTOP_MXCHECK_H
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"
#include "model/zone.h"

/* In the order findings are listed. */
enum mxcheck_code {
	MXC_MX_IS_IP,		/* "mx-is-ip": an MX target is an IP address */
	MXC_MX_IS_CNAME,	/* "mx-is-cname": an MX target is a CNAME */
	MXC_RELAY_ONLY,		/* "relay-only-mx": the relay is every MX */
	MXC_RELAY_PREFERRED,	/* "relay-preferred": the relay is the most
				 * preferred MX, or tied with the primary */
	MXC_RELAY_MISSING,	/* "relay-missing": not in the MX set */
	MXC_ALIAS_A,		/* "alias-a-to-relay": a customer's name with
				 * the relay's addresses */
	MXC_ALIAS_CNAME,	/* "alias-cname-to-relay": a customer's name
				 * that is a CNAME to the relay */
	MXC_UNRESOLVABLE,	/* "mx-unresolvable": no A or AAAA */
	MXC_PRIVATE,		/* "mx-private-address": private, loopback,
				 * link-local or unspecified address */
	MXC__COUNT
};

/* The code's name ("mx-is-ip"), and the code named s or -1. */
const char	*mxcheck_code_name(enum mxcheck_code);
int		 mxcheck_code_parse(const char *s);

#define MXCHECK_RELAY_MAX	64	/* names, and addresses, at most */
#define MXCHECK_ADDR_MAX	46	/* INET6_ADDRSTRLEN */

/* Who the relay is.  Names canonical (zone_name_canon()), addresses as
 * inet_ntop() writes them; mxcheck_relay_add_*() make them so. */
struct mxcheck_relay {
	char	 names[MXCHECK_RELAY_MAX][ZONE_NAME_MAX];
	size_t	 nnames;
	char	 addrs[MXCHECK_RELAY_MAX][MXCHECK_ADDR_MAX];
	size_t	 naddrs;
};

/* Adds a name (any case, with or without the trailing dot) or an IPv4 or
 * IPv6 address (any form inet_pton(3) reads; "[...]" allowed) to the
 * identity; a repeat is kept once.  Return 0, or -1 when the text is no
 * name or address or the identity is full. */
int	mxcheck_relay_add_name(struct mxcheck_relay *, const char *name);
int	mxcheck_relay_add_addr(struct mxcheck_relay *, const char *addr);
/* Adds the addresses of Exim's local_interfaces value (as exim -bP
 * prints it: "<; [192.0.2.25]:25 ; 2001:db8::25.25", "0.0.0.0 : ::0";
 * a leading "<c" changes the separator, ports are dropped).  Wildcard
 * and loopback addresses are left out: they tell nothing about the
 * relay's public identity.  Returns how many were added. */
int	mxcheck_relay_add_interfaces(struct mxcheck_relay *, const char *val);
/* Whether the canonical name is one of the relay's, and whether the
 * address (inet_ntop form) is one of its addresses. */
int	mxcheck_relay_has_name(const struct mxcheck_relay *, const char *name);
int	mxcheck_relay_has_addr(const struct mxcheck_relay *, const char *addr);

/* Whether the address (text) is private, loopback, link-local, shared
 * (100.64/10), unique-local or unspecified: what a relay on the Internet
 * cannot reach.  Text that is no address is not private. */
int	mxcheck_addr_private(const char *addr);
/* Whether the text is an IPv4 or IPv6 address as people write one where
 * a host name belongs: "10.11.12.13", "2001:db8::1", in brackets
 * ("[::1]", "[192.0.2.1]"), SMTP's "[IPv6:2001:db8::1]", or any of these
 * as a canonical name (zone.h), escapes undone: "2001\058db8\058\0581". */
int	mxcheck_is_ip(const char *s);

/* What the data says about one MX target's addresses. */
enum mxcheck_addr {
	MXA_OK,			/* addresses */
	MXA_NONE,		/* NXDOMAIN or NODATA for both A and AAAA */
	MXA_UNKNOWN,		/* the data does not tell */
	MXA_FAILED,		/* a lookup failed */
	MXA_SKIPPED		/* an IP address or the null MX: no lookup */
};

struct mxcheck_mx {
	unsigned	 pref;
	const char	*host;		/* canonical; "" for the null MX "." */
	const char	**cname;	/* the CNAME chain from host, ncname */
	size_t		 ncname;
	const char	**addrs;	/* of the chain's end, naddrs */
	size_t		 naddrs;
	enum mxcheck_addr addr_state;
	int		 relay;		/* reaches the relay (by name, CNAME
					 * or address) */
};

struct mxcheck_finding {
	enum mxcheck_code code;
	const char	**records;	/* the records that caused it, dig
					 * style ("example.com. MX 10 x."),
					 * or states ("x.: NXDOMAIN") */
	size_t		 nrecords;
	const char	*why;		/* static text */
	const char	*fix;		/* static text */
};

/* The MX data of the domain. */
enum mxcheck_state {
	MXS_MX,			/* an MX set */
	MXS_NOMX,		/* the domain has no MX records */
	MXS_NXDOMAIN,		/* the domain does not exist */
	MXS_UNKNOWN,		/* the data has nothing about its MX */
	MXS_FAILED		/* the MX lookup failed */
};

/* One domain's result.  Every pointer is owned by the result (its arena)
 * and valid until mxcheck_done(). */
struct mxcheck_result {
	const char		*domain;	/* canonical */
	enum mxcheck_state	 state;
	const char		**cname;	/* the domain's own CNAME chain */
	size_t			 ncname;
	struct mxcheck_mx	*mx;		/* by preference, then name */
	size_t			 nmx;
	struct mxcheck_finding	*f;		/* by code, then MX order */
	size_t			 nf;
	const char		**unknown;	/* names whose A/AAAA the data
						 * does not tell (pasted text:
						 * paste those too) */
	size_t			 nunknown;
	const char		*error;		/* a lookup that failed, or
						 * NULL */
	/* private */
	struct arena		 a;		/* strings */
	struct arena		 ptrs;		/* pointer arrays (an arena
						 * aligns only what it never
						 * mixed with strings) */
	size_t			 capf, capunk;
};

void	mxcheck_init(struct mxcheck_result *);
void	mxcheck_done(struct mxcheck_result *);	/* re-init to reuse */

/* Checks domain (any case, trailing dot or not) against the records in z
 * for the relay r.  The relay's addresses also include the A/AAAA that z
 * holds for its names.  Fills out (mxcheck_init()ed; earlier contents are
 * freed).  Returns the number of findings, or -1 when the domain cannot
 * be checked: no valid name, its MX lookup failed or the data says
 * nothing about its MX (out->state and out->error say which); a failed
 * lookup of one target sets out->error and the rest is still checked. */
int	mxcheck_run(const struct zone *z, const char *domain,
	    const struct mxcheck_relay *r, struct mxcheck_result *out);

/* CNAME hops mxcheck_run() follows (and a live lookup needs to make). */
#define MXCHECK_CHAIN_MAX	8

#endif
