/* spool_diff.c -- two snapshots compared field by field: what the tests
 * hold a refreshed snapshot to against a fresh scan (spool.h). */
#include "spool_priv.h"
#include "base/intern.h"

#include <stdio.h>
#include <string.h>

static int
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

#define DIFF(cond, ...) do { if (cond) { snprintf(why, len, __VA_ARGS__); \
	return -1; } } while (0)

int
spool_snap_diff(const struct spool_snap *a, const struct spool_snap *b,
    char *why, size_t len)
{
	size_t i, j;

	DIFF(a->nmsgs != b->nmsgs, "nmsgs %zu vs %zu", a->nmsgs, b->nmsgs);
	DIFF(a->nrcpts != b->nrcpts, "nrcpts %zu vs %zu", a->nrcpts,
	    b->nrcpts);
	DIFF(a->nbad != b->nbad, "nbad %zu vs %zu", a->nbad, b->nbad);
	DIFF(a->nactive != b->nactive, "nactive %zu vs %zu", a->nactive,
	    b->nactive);
	DIFF(a->nfrozen != b->nfrozen, "nfrozen %zu vs %zu", a->nfrozen,
	    b->nfrozen);
	DIFF(a->norphans != b->norphans, "norphans %zu vs %zu", a->norphans,
	    b->norphans);
	DIFF(a->split != b->split, "split %d vs %d", a->split, b->split);
	DIFF(intern_count(a->domains) != intern_count(b->domains),
	    "domains %u vs %u", intern_count(a->domains),
	    intern_count(b->domains));
	for (i = 0; i < intern_count(a->domains); i++)
		DIFF(strcmp(intern_str(a->domains, (uint32_t)i),
		    intern_str(b->domains, (uint32_t)i)) != 0,
		    "domain %zu: %s vs %s", i,
		    intern_str(a->domains, (uint32_t)i),
		    intern_str(b->domains, (uint32_t)i));
	for (i = 0; i < a->nmsgs; i++) {
		const struct spool_msg *x = &a->msgs[i], *y = &b->msgs[i];

		DIFF(strcmp(x->id, y->id) != 0, "message %zu: %s vs %s", i,
		    x->id, y->id);
		DIFF(x->subdir != y->subdir ||
		    x->warnings != y->warnings || x->flags != y->flags ||
		    x->usec != y->usec || x->rcpt0 != y->rcpt0 ||
		    x->nrcpt != y->nrcpt || x->npending != y->npending ||
		    x->arrival != y->arrival || x->size != y->size ||
		    x->h_ino != y->h_ino || x->d_ino != y->d_ino,
		    "%s: flags %#x/%#x size %lld/%lld rcpts %u,%u/%u,%u "
		    "arrival %lld/%lld inodes %lu,%lu/%lu,%lu", x->id,
		    x->flags, y->flags, (long long)x->size, (long long)y->size,
		    x->nrcpt, x->npending, y->nrcpt, y->npending,
		    (long long)x->arrival, (long long)y->arrival,
		    (unsigned long)x->h_ino, (unsigned long)x->d_ino,
		    (unsigned long)y->h_ino, (unsigned long)y->d_ino);
		DIFF(!str_eq(x->text, y->text) || !str_eq(x->host, y->host),
		    "%s: sender or reason (%s/%s), host (%s/%s)", x->id,
		    x->text ? x->text : "-", y->text ? y->text : "-",
		    x->host ? x->host : "-", y->host ? y->host : "-");
		for (j = 0; j < x->nrcpt; j++) {
			const struct spool_rcpt *p = &a->rcpts[x->rcpt0 + j];
			const struct spool_rcpt *q = &b->rcpts[y->rcpt0 + j];

			char pb[SPOOL_ADDR_BUF], qb[SPOOL_ADDR_BUF];
			const char *pa = spool_rcpt_addr(a, p, pb);
			const char *qa = spool_rcpt_addr(b, q, qb);

			DIFF(strcmp(pa, qa) != 0 || p->local != q->local ||
			    strcmp(p->part, q->part) != 0 || p->domain !=
			    q->domain || p->state != q->state || p->intree !=
			    q->intree, "%s: recipient %zu: %s %u %d/%s %u %d",
			    x->id, j, pa, p->domain, p->state, qa,
			    q->domain, q->state);
		}
	}
	return 0;
}
