/* stats.c -- per-domain queue depth, sizes, ages and qshape buckets. */
#include "model/stats.h"
#include "model/select.h"
#include "model/classify.h"
#include "model/diag.h"
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

/* The class a domain row shows. */
static int
row_class(const struct stats_domain *d, uint32_t bounces)
{
	if (!d->customer && d->messages > 0 && bounces == d->messages)
		return CLASS_BACKSCATTER;
	return d->diag != NULL ? d->diag->cls : CLASS_NONE;
}

/* A row for name with nothing queued (its diagnosis only). */
static void
add_empty(struct stats *st, const struct diag *dg, const char *name)
{
	struct stats_domain *sd;
	size_t i;

	for (i = 0; i < st->ndomains; i++)
		if (strcmp(st->domains[i].name, name) == 0)
			return;
	xgrow(&st->domains, &st->cap, st->ndomains + 1, sizeof(*st->domains));
	sd = &st->domains[st->ndomains++];
	memset(sd, 0, sizeof(*sd));
	sd->name = arena_strdup(&st->strs, name);
	sd->domain = UINT32_MAX;
	sd->diag = diag_domain(dg, name);
	sd->customer = 1;
	sd->cls = sd->diag != NULL ? sd->diag->cls : CLASS_NONE;
}

struct stats *
stats_build(const struct spool_snap *snap, const struct select *sel,
    const struct diag *dg, time_t now, const char *extra, int all_evidence)
{
	struct stats *st;
	struct stats_domain *all;
	uint32_t nd, *seen, *bounces, k;
	size_t i, j, n;
	int8_t *dom_ok;

	st = xcalloc(1, sizeof(*st));
	st->now = now;
	st->diag = dg;
	arena_init(&st->strs);
	if (snap == NULL)
		return st;
	nd = intern_count(snap->domains);
	all = xcalloc(nd ? nd : 1, sizeof(*all));
	seen = xcalloc(nd ? nd : 1, sizeof(*seen));	/* msg index + 1 */
	bounces = xcalloc(nd ? nd : 1, sizeof(*bounces));
	dom_ok = xcalloc(nd ? nd : 1, 1);
	for (k = 0; k < nd; k++) {
		all[k].name = intern_str(snap->domains, k);
		all[k].domain = k;
		all[k].customer = diag_customer(dg, k);
		dom_ok[k] = (int8_t)select_domain(sel, all[k].name);
	}
	for (i = 0; i < snap->nmsgs; i++) {
		const struct spool_msg *m = &snap->msgs[i];
		int b, counted = 0, cust = 0;

		if (!select_msg(sel, snap, dg, m, now))
			continue;
		b = stats_bucket((int64_t)now - m->arrival);
		for (j = 0; j < m->nrcpt; j++) {
			const struct spool_rcpt *r = &snap->rcpts[m->rcpt0 + j];

			if (r->state != RCPT_PENDING || !dom_ok[r->domain] ||
			    !select_rcpt(sel, snap, dg, m, m->rcpt0 + j))
				continue;
			all[r->domain].recipients++;
			st->total.recipients++;
			counted = 1;
			if (all[r->domain].customer) {
				cust = 1;
				st->customers.recipients++;
			}
			if (seen[r->domain] != i + 1) {
				seen[r->domain] = (uint32_t)i + 1;
				add_msg(&all[r->domain], m, b);
				bounces[r->domain] += spool_msg_sender(m) != NULL &&
				    spool_msg_sender(m)[0] == '\0';
			}
		}
		/* Messages with nothing pending still count in the total
		 * when no domain filter applies (bad files, completing). */
		if (counted || (m->npending == 0 && select_empty(sel)))
			add_msg(&st->total, m, b);
		if (cust)
			add_msg(&st->customers, m, b);
	}
	for (k = 0, n = 0; k < nd; k++)
		if (all[k].messages > 0) {
			all[k].diag = diag_domain(dg, all[k].name);
			all[k].cls = row_class(&all[k], bounces[k]);
			all[n++] = all[k];
		}
	st->domains = all;
	st->ndomains = n;
	st->cap = nd ? nd : 1;
	st->total.name = "TOTAL";
	st->customers.name = "CUSTOMERS";
	if (extra != NULL)
		add_empty(st, dg, extra);
	for (i = 0; all_evidence && i < diag_ndomains(dg); i++) {
		const char *name = diag_domain_name(dg, i);
		const struct diag_domain *dd = diag_domain(dg, name);

		/* Callouts failing now (none since the last delivery): the
		 * mail waits at the senders, nothing is queued here. */
		if (dd->callout_deferred + dd->callout_rejected +
		    dd->callout_cached > 0 &&
		    dd->last_error.time > dd->last_success &&
		    select_domain(sel, name) &&
		    select_only(sel, "domain"))
			add_empty(st, dg, name);
	}
	free(seen);
	free(bounces);
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

/* Customers first in every order; then by name. */
static int
cmp_name(const void *a, const void *b)
{
	const struct stats_domain *x = a, *y = b;

	if (x->customer != y->customer)
		return x->customer ? -1 : 1;
	return strcmp(x->name, y->name);
}

#define CMP_DESC(f) \
static int \
cmp_##f(const void *a, const void *b) \
{ \
	const struct stats_domain *x = a, *y = b; \
	if (x->customer != y->customer) \
		return x->customer ? -1 : 1; \
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

	if (x->customer != y->customer)
		return x->customer ? -1 : 1;
	if (x->messages == 0 || y->messages == 0)	/* empty rows last */
		return x->messages == y->messages ? cmp_name(a, b) :
		    x->messages == 0 ? 1 : -1;
	if (x->oldest != y->oldest)
		return x->oldest < y->oldest ? -1 : 1;
	return cmp_name(a, b);
}

/* By class (classes in their enum order, none last), then by size. */
static int
cmp_class(const void *a, const void *b)
{
	const struct stats_domain *x = a, *y = b;
	int cx = x->cls ? x->cls : 99, cy = y->cls ? y->cls : 99;

	if (x->customer != y->customer)
		return x->customer ? -1 : 1;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	return cmp_messages(a, b);
}

static void
flip(struct stats_domain *d, size_t n)
{
	size_t	 i;

	for (i = 0; i < n / 2; i++) {
		struct stats_domain t = d[i];

		d[i] = d[n - 1 - i];
		d[n - 1 - i] = t;
	}
}

void
stats_sort(struct stats *st, enum stats_order o, int reverse)
{
	int (*cmp)(const void *, const void *) = cmp_messages;
	size_t ncust;

	switch (o) {
	case STATS_BY_MSGS: cmp = cmp_messages; break;
	case STATS_BY_AGE: cmp = cmp_age; break;
	case STATS_BY_NAME: cmp = cmp_name; break;
	case STATS_BY_RCPTS: cmp = cmp_recipients; break;
	case STATS_BY_BYTES: cmp = cmp_bytes; break;
	case STATS_BY_CLASS: cmp = cmp_class; break;
	}
	qsort(st->domains, st->ndomains, sizeof(*st->domains), cmp);
	if (!reverse)
		return;
	/* Within each group: customers stay first. */
	for (ncust = 0; ncust < st->ndomains && st->domains[ncust].customer;
	    ncust++)
		;
	flip(st->domains, ncust);
	flip(st->domains + ncust, st->ndomains - ncust);
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
		{ "class", STATS_BY_CLASS },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0) {
			*o = t[i].o;
			return 0;
		}
	return -1;
}

/* ---- Messages in an order ---- */

struct mkey {
	size_t	 i;
	int64_t	 k;		/* the sort key, ascending */
};

static int
cmp_mkey(const void *a, const void *b)
{
	const struct mkey *x = a, *y = b;

	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

size_t *
stats_msg_order(const struct spool_snap *snap, const struct diag *d,
    const struct select *sel, time_t now, enum stats_order o, int reverse,
    size_t *np)
{
	struct mkey	*k = xcalloc(snap->nmsgs + 1, sizeof(*k));
	size_t		*v, i, n = 0, r;
	int		 c;

	for (i = 0; i < snap->nmsgs; i++) {
		const struct spool_msg *m = &snap->msgs[i];

		if (!select_msg(sel, snap, d, m, now))
			continue;
		k[n].i = i;
		switch (o) {
		case STATS_BY_BYTES:
			k[n].k = -m->size;
			break;
		case STATS_BY_RCPTS:
			k[n].k = -(int64_t)m->npending;
			break;
		case STATS_BY_CLASS:
			r = select_last(sel, snap, d, m);
			c = r != SIZE_MAX ? diag_rcpt_class(d, r) : 0;
			k[n].k = c ? c : 99;
			break;
		default:	/* the oldest first, as exim -bp */
			k[n].k = (int64_t)i;
			break;
		}
		n++;
	}
	qsort(k, n, sizeof(*k), cmp_mkey);
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = k[reverse ? n - 1 - i : i].i;
	free(k);
	*np = n;
	return v;
}
