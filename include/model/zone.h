/* zone.h -- DNS records as mx-check sees them: a record set with what is
 * known not to exist (zone.c), and a parser of zone-file text and of
 * dig's output into one (zone_parse.c).
 *
 * Names are kept in one canonical form: presentation format, lower case,
 * absolute without the trailing dot ("mail.example.com"; "" is the
 * root), escapes only where a byte needs one ("\." "\\" "\032").  The
 * data comes from customers and from the network: it is untrusted, and
 * nothing here prints it. */
#ifndef MXTOP_ZONE_H
#define MXTOP_ZONE_H
#include <stddef.h>
#include <stdint.h>

#include "base/mem.h"
#include "base/intern.h"

/* The record types mx-check reads (their DNS type numbers). */
enum zone_type {
	ZONE_A = 1,
	ZONE_NS = 2,
	ZONE_CNAME = 5,
	ZONE_SOA = 6,
	ZONE_MX = 15,
	ZONE_AAAA = 28
};

/* Longest name in presentation form, with its NUL: 255 octets on the
 * wire, some of them written as \DDD. */
#define ZONE_NAME_MAX	1024
/* Most records one set holds (zone_add() refuses more). */
#define ZONE_RR_MAX	(1u << 20)
/* Longest input zone_parse() reads. */
#define ZONE_INPUT_MAX	((size_t)64 << 20)

struct zone_rr {
	const char	*owner;		/* canonical name (owned by the set) */
	enum zone_type	 type;
	uint32_t	 ttl;
	uint16_t	 pref;		/* MX: the preference */
	const char	*data;		/* A, AAAA: the address as inet_ntop()
					 * writes it; CNAME, MX, NS: a
					 * canonical name ("" for the null MX
					 * "."); SOA: "" */
	uint32_t	 next;		/* private: next record of owner + 1 */
};

/* What a set knows about the records of one type at one name. */
enum zone_state {
	ZONE_UNKNOWN = 0,	/* nothing: not asked, not in the data */
	ZONE_HAS,		/* records of that type */
	ZONE_NODATA,		/* the name exists without such records */
	ZONE_NXDOMAIN,		/* the name does not exist */
	ZONE_FAILED		/* the lookup failed (SERVFAIL, timeout) */
};

/* A record set: records, negative answers and the zones it holds whole.
 * zone_init() before use, zone_done() after; plain fields are read-only
 * for callers. */
struct zone {
	struct zone_rr	*rr;		/* nrr records in order of adding */
	size_t		 nrr, caprr;
	/* private */
	struct intern	*names;		/* owners, their ancestors, and names
					 * with negative answers */
	struct zone_name *nm;		/* per name number */
	size_t		 capnm;
	uint32_t	*auth;		/* name numbers of complete zones */
	size_t		 nauth, capauth;
	struct arena	 strs;
};

void	zone_init(struct zone *);
void	zone_done(struct zone *);	/* frees everything; re-init to reuse */

/* Canonical form of the name s[0..len) (see above), relative names (no
 * trailing dot) completed with origin (canonical, or NULL: then a
 * relative name is an error), "@" is origin.  Writes at most outlen bytes
 * (ZONE_NAME_MAX suffices) into out.  Returns 0, or -1 when s is no
 * valid name: empty label, label over 63 or name over 255 octets, a bad
 * escape, relative without origin. */
int	zone_name_canon(const char *s, size_t len, const char *origin,
	    char *out, size_t outlen);
/* Whether the canonical name is at or below the canonical name apex. */
int	zone_name_under(const char *name, const char *apex);

/* Adds a record (owner and data canonical, as in struct zone_rr); an
 * identical record (owner, type, pref, data) is kept once.  Returns 0, 1
 * for a duplicate, -1 when the set is full (ZONE_RR_MAX). */
int	zone_add(struct zone *, const char *owner, enum zone_type type,
	    uint32_t ttl, unsigned pref, const char *data);
/* Records a negative answer or a failure for (name, type); ZONE_NXDOMAIN
 * ignores type.  A record added before or after wins over it. */
void	zone_set_state(struct zone *, const char *name, enum zone_type type,
	    enum zone_state st);
/* Declares the zone at apex complete in this set, as a zone file or a
 * zone transfer is: a name at or below apex (and above any delegation
 * to other servers, an NS record below apex) without records of a type
 * then has none (ZONE_NODATA, or ZONE_NXDOMAIN when no record is at or
 * below it). */
void	zone_set_complete(struct zone *, const char *apex);

/* What the set knows about type at name (canonical).  A CNAME at name is
 * not followed: ask for ZONE_CNAME first. */
enum zone_state	 zone_state(const struct zone *, const char *name,
		    enum zone_type type);
/* The records at name (canonical): the first one, then zone_next() until
 * NULL; any type, in order of adding.  Valid until the set changes. */
const struct zone_rr *zone_first(const struct zone *, const char *name);
const struct zone_rr *zone_next(const struct zone *, const struct zone_rr *);

/* The record's type as text ("MX"), and the record as one line of dig
 * style without TTL and class ("example.com. MX 10 mail.example.com.")
 * into buf (cut to fit).  Returns buf. */
const char	*zone_type_name(enum zone_type);
char		*zone_rr_str(const struct zone_rr *, char *buf, size_t len);

/* What zone_parse() made of its input. */
struct zone_report {
	size_t		 records;	/* records added (duplicates too) */
	size_t		 other;		/* records of other types or classes,
					 * skipped */
	size_t		 bad;		/* lines that are no record */
	size_t		 first_bad;	/* line number of the first, 1-based */
	char		 why[96];	/* what was wrong with it */
	int		 complete;	/* the input was a zone (see below) */
};

/* Parses buf[0..len) into z: the lines of a zone file (RFC 1035 master
 * format: $ORIGIN, $TTL, "@", relative names, a blank owner repeating
 * the last, ";" comments, "( ... )" across lines, TTL and class in
 * either order) or what dig prints (its records, and in its full output
 * the status of each question: NXDOMAIN, or NOERROR without an answer,
 * become negative answers; its AUTHORITY section is skipped).  origin
 * (canonical, or NULL) is the origin until a $ORIGIN.  Records of class
 * IN and of the types above are added; other types and classes are
 * counted and skipped (a name with only such IN records still exists:
 * NODATA, not NXDOMAIN), $INCLUDE and $GENERATE are bad lines (never
 * followed).  The SOA's zone becomes complete (zone_set_complete()) when
 * the text is a zone: a zone file (it has a $ORIGIN, $TTL, "@", a
 * relative name, a blank owner or parentheses) or a zone transfer (the
 * SOA twice, as dig AXFR prints it).  Never reads outside buf.  Lines it
 * cannot read are counted in r (may be NULL) and skipped.  Returns 0, or
 * -1 when the input is over ZONE_INPUT_MAX or the set is full. */
int	zone_parse(struct zone *z, const char *buf, size_t len,
	    const char *origin, struct zone_report *r);

#endif
