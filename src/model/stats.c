/* stats.c -- per-domain queue depth, sizes, ages and qshape buckets. */
#include "model/stats.h"
#include "model/select.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/intern.h"

#include <stdlib.h>
#include <string.h>

const int stats_bucket_min[STATS_NBUCKETS - 1] = {
	5, 10, 20, 40, 80, 160, 320, 640, 1280
};
const char *const stats_bucket_name[STATS_NBUCKETS] = {
	"5", "10", "20", "40", "80", "160", "320", "640", "1280", "1280+"
};

int
stats_bucket(int64_t age)
{
	int i;

	for (i = 0; i < STATS_NBUCKETS - 1; i++)
		if (age < (int64_t)stats_bucket_min[i] * 60)
			return i;
	return STATS_NBUCKETS - 1;
}

static void
add_msg(struct stats_domain *d, const struct spool_msg *m, int bucket)
{
	if (d->messages == 0 || m->arrival < d->oldest)
		d->oldest = m->arrival;
	if (d->messages == 0 || m->arrival > d->newest)
		d->newest = m->arrival;
	d->messages++;
	if (m->size > 0)
		d->bytes += m->size;
	if (m->flags & MSG_F_FROZEN)
		d->frozen++;
	if (m->flags & MSG_F_BADFILE)
		d->bad++;
	if (m->flags & MSG_F_ACTIVE)
		d->active++;
	d->buckets[bucket]++;
}

struct stats *
stats_build(const struct spool_snap *snap, const struct select *sel,
    time_t now)
{
	struct stats *st;
	struct stats_domain *all;
	uint32_t nd, *seen, k;
	size_t i, j, n;
	int8_t *dom_ok;

	st = xcalloc(1, sizeof(*st));
	st->now = now;
	if (snap == NULL)
		return st;
	nd = intern_count(snap->domains);
	all = xcalloc(nd ? nd : 1, sizeof(*all));
	seen = xcalloc(nd ? nd : 1, sizeof(*seen));	/* msg index + 1 */
	dom_ok = xcalloc(nd ? nd : 1, 1);
	for (k = 0; k < nd; k++) {
		all[k].name = intern_str(snap->domains, k);
		all[k].domain = k;
		dom_ok[k] = (int8_t)select_domain(sel, all[k].name);
	}
	for (i = 0; i < snap->nmsgs; i++) {
		const struct spool_msg *m = &snap->msgs[i];
		int b, counted = 0;

		if (!select_msg(sel, snap, m, now))
			continue;
		b = stats_bucket((int64_t)now - m->arrival);
		for (j = 0; j < m->nrcpt; j++) {
			const struct spool_rcpt *r = &snap->rcpts[m->rcpt0 + j];

			if (r->state != RCPT_PENDING || !dom_ok[r->domain] ||
			    !select_rcpt(sel, r->addr, all[r->domain].name))
				continue;
			all[r->domain].recipients++;
			st->total.recipients++;
			counted = 1;
			if (seen[r->domain] != i + 1) {
				seen[r->domain] = (uint32_t)i + 1;
				add_msg(&all[r->domain], m, b);
			}
		}
		/* Messages with nothing pending still count in the total
		 * when no domain filter applies (bad files, completing). */
		if (counted || (m->npending == 0 && select_empty(sel)))
			add_msg(&st->total, m, b);
	}
	for (k = 0, n = 0; k < nd; k++)
		if (all[k].messages > 0)
			all[n++] = all[k];
	st->domains = all;
	st->ndomains = n;
	st->cap = nd ? nd : 1;
	st->total.name = "TOTAL";
	free(seen);
	free(dom_ok);
	stats_sort(st, STATS_BY_MSGS, 0);
	return st;
}

void
stats_free(struct stats *st)
{
	if (st == NULL)
		return;
	free(st->domains);
	arena_free(&st->strs);
	free(st);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct stats_domain *)a)->name,
	    ((const struct stats_domain *)b)->name);
}

#define CMP_DESC(f) \
static int \
cmp_##f(const void *a, const void *b) \
{ \
	const struct stats_domain *x = a, *y = b; \
	if (x->f != y->f) \
		return x->f < y->f ? 1 : -1; \
	return cmp_name(a, b); \
}
CMP_DESC(messages)
CMP_DESC(recipients)
CMP_DESC(bytes)

static int
cmp_age(const void *a, const void *b)
{
	const struct stats_domain *x = a, *y = b;

	if (x->oldest != y->oldest)
		return x->oldest < y->oldest ? -1 : 1;
	return cmp_name(a, b);
}

void
stats_sort(struct stats *st, enum stats_order o, int reverse)
{
	int (*cmp)(const void *, const void *) = cmp_messages;
	size_t i;

	switch (o) {
	case STATS_BY_MSGS: cmp = cmp_messages; break;
	case STATS_BY_AGE: cmp = cmp_age; break;
	case STATS_BY_NAME: cmp = cmp_name; break;
	case STATS_BY_RCPTS: cmp = cmp_recipients; break;
	case STATS_BY_BYTES: cmp = cmp_bytes; break;
	}
	qsort(st->domains, st->ndomains, sizeof(*st->domains), cmp);
	if (reverse)
		for (i = 0; i < st->ndomains / 2; i++) {
			struct stats_domain t = st->domains[i];

			st->domains[i] = st->domains[st->ndomains - 1 - i];
			st->domains[st->ndomains - 1 - i] = t;
		}
}

int
stats_order_parse(const char *s, enum stats_order *o)
{
	static const struct { const char *name; enum stats_order o; } t[] = {
		{ "msgs", STATS_BY_MSGS }, { "messages", STATS_BY_MSGS },
		{ "age", STATS_BY_AGE }, { "oldest", STATS_BY_AGE },
		{ "name", STATS_BY_NAME }, { "domain", STATS_BY_NAME },
		{ "rcpts", STATS_BY_RCPTS }, { "recipients", STATS_BY_RCPTS },
		{ "bytes", STATS_BY_BYTES }, { "size", STATS_BY_BYTES },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0) {
			*o = t[i].o;
			return 0;
		}
	return -1;
}
