/* stats.h -- per-domain aggregation of a spool snapshot. */
#ifndef MXTOP_STATS_H
#define MXTOP_STATS_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/mem.h"

struct spool_snap;			/* spool.h; used by pointer only */
struct select;				/* select.h */
struct diag;				/* diag.h */
struct diag_domain;

/* qshape's default age buckets, in minutes: a message of age a minutes
 * falls in the first bucket whose bound is greater than a; the last one
 * holds the rest ("1280+"). */
#define STATS_NBUCKETS	10
extern const int stats_bucket_min[STATS_NBUCKETS - 1];
/* Column names: "5", "10", ... "1280", "1280+". */
extern const char *const stats_bucket_name[STATS_NBUCKETS];

struct stats_domain {
	const char	*name;		/* borrowed from the snapshot */
	uint32_t	 domain;	/* number in snap->domains */
	uint32_t	 messages;	/* with a pending recipient here */
	uint32_t	 recipients;	/* pending recipients here */
	uint32_t	 frozen;	/* frozen messages among them */
	uint32_t	 bad;
	uint32_t	 active;
	int64_t		 bytes;		/* sum of those messages' sizes */
	int64_t		 oldest;	/* arrival of the oldest, seconds */
	int64_t		 newest;
	uint32_t	 buckets[STATS_NBUCKETS];
	int		 customer;	/* Exim relays for it (or the operator
					 * named it); 1 when unknown */
	int		 cls;		/* enum class_id: the diagnosis's, or
					 * backscatter for a non-customer
					 * holding only bounces */
	const struct diag_domain *diag;	/* borrowed; NULL: no evidence */
};

struct stats {
	time_t		     now;
	struct stats_domain *domains;	/* one per domain, sorted */
	size_t		     ndomains;
	struct stats_domain  total;	/* every selected message once */
	struct stats_domain  customers;	/* those with a customer recipient */
	const struct diag   *diag;	/* borrowed, may be NULL */
	/* private */
	struct arena	     strs;
	size_t		     cap;
};

enum stats_order { STATS_BY_MSGS, STATS_BY_AGE, STATS_BY_NAME,
	STATS_BY_RCPTS, STATS_BY_BYTES, STATS_BY_CLASS };

/* Aggregates the messages of snap that sel selects (sel may be NULL), as
 * of now.  A message counts for each domain it has a pending recipient
 * in that sel also selects.  d (may be NULL) is the diagnosis beside
 * snap: each domain borrows its figures, customers come first in every
 * order.  extra (may be NULL) names a domain that gets a row even with
 * nothing queued; with all_evidence, so does every domain the diagnosis
 * has callouts for.  Names point into snap or d, which must outlive the
 * result.  The result is sorted by STATS_BY_MSGS. */
struct stats	*stats_build(const struct spool_snap *snap,
		    const struct select *sel, const struct diag *d,
		    time_t now, const char *extra, int all_evidence);
void		 stats_free(struct stats *);	/* NULL is a no-op */
/* Sorts the domains; reverse flips the order. */
void		 stats_sort(struct stats *, enum stats_order, int reverse);
/* Parses "msgs", "age", "name", "rcpts", "bytes", "class"; -1 if
 * unknown. */
int		 stats_order_parse(const char *, enum stats_order *);
/* The messages of snap that sel selects, as indexes into snap->msgs, in
 * order o: the oldest first (STATS_BY_AGE and any order that sorts only
 * domains), the biggest (STATS_BY_BYTES), most pending recipients
 * (STATS_BY_RCPTS), or by class (the selected recipients' class, none
 * last); reverse flips it.  *np gets the count; the caller frees. */
size_t		*stats_msg_order(const struct spool_snap *snap,
		    const struct diag *d, const struct select *sel, time_t now,
		    enum stats_order o, int reverse, size_t *np);
/* Index of the bucket for an age in seconds. */
int		 stats_bucket(int64_t age);

#endif
