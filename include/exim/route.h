/* route.h -- where Exim would deliver an address: the output of
 * "exim -bt ADDRESS" (address testing), parsed.
 *
 * Exim 4.96 prints, per address (verify.c, the -bt branch):
 *
 *	user@a.example
 *	  router = relay, transport = remote_smtp
 *	  host 127.0.1.1 [127.0.1.1] port=26058
 *	  host mx2.a.example [192.0.2.7] MX=20 ** unusable **
 *
 * (host names padded to one width, "[unknown]" when the router gave no
 * address, "MX=n" for hosts from MX records, "port=n" when one was set),
 * "    <-- parent@x" lines under a redirected address, or one line
 * "user@x is undeliverable: Unrouteable address" /
 * "user@x cannot be resolved at this time: <why>".  Pure: no I/O, no
 * allocation; the input is untrusted and may be cut anywhere. */
#ifndef MXTOP_EXIM_ROUTE_H
#define MXTOP_EXIM_ROUTE_H
#include <stddef.h>

#define ROUTE_HOSTS_MAX		16	/* hosts kept per address */
#define ROUTE_NAME_MAX		256	/* bytes of a name, NUL included */
#define ROUTE_TEXT_MAX		512

enum route_status {
	ROUTE_NONE,		/* no answer for the address */
	ROUTE_OK,		/* routed: router, transport, hosts */
	ROUTE_FAIL,		/* "is undeliverable: ..." */
	ROUTE_DEFER		/* "cannot be resolved at this time: ..." */
};

struct route_host {
	char		 name[ROUTE_NAME_MAX];
	char		 addr[64];	/* "" for "[unknown]" */
	int		 mx;		/* MX preference, -1 none */
	int		 port;		/* port=n, 0 when none was printed */
	int		 unusable;	/* "** unusable **" */
};

struct route {
	enum route_status status;
	char		 address[ROUTE_NAME_MAX];	/* as Exim printed it */
	char		 router[64], transport[64];
	char		 error[ROUTE_TEXT_MAX];	/* FAIL, DEFER: Exim's words */
	struct route_host hosts[ROUTE_HOSTS_MAX];
	size_t		 nhosts;
	size_t		 more;		/* hosts beyond ROUTE_HOSTS_MAX */
};

/* Parses the -bt output buf[0..len) (not NUL-terminated) for the first
 * address it reports on into r.  Lines Exim writes to stderr when it
 * logs ("LOG: MAIN", indented log text) are skipped.  Over-long fields
 * are cut.  Returns r->status (ROUTE_NONE when no address line was
 * found). */
enum route_status route_parse(const char *buf, size_t len, struct route *r);

/* "none", "ok", "fail", "defer". */
const char	*route_status_name(enum route_status);
#endif
