/* mta_plan.c -- the plan of an action: which messages of a snapshot,
 * how many recipients, which domains, oldest and newest.  Pure: reads
 * the snapshot only, copies what it keeps. */
#include "run/mta.h"
#include "model/select.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/intern.h"

#include <stdlib.h>
#include <string.h>

static int
cmp_msgp(const void *a, const void *b)
{
	const struct spool_msg *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static int
cmp_dom(const void *a, const void *b)
{
	const struct mta_plan_domain *x = a, *y = b;

	if (x->msgs != y->msgs)
		return x->msgs < y->msgs ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Adds message m to the plan p; dcount[] counts per snapshot domain,
 * dlast[] remembers the last item that counted a domain. */
static void
add(struct mta_plan *p, size_t *cap, const struct spool_snap *snap,
    const struct spool_msg *m, size_t *dmsgs, size_t *drcpts, size_t *dlast)
{
	struct mta_item *it;
	size_t o = 0, i, l;
	uint32_t r;
	const char *name;

	xgrow(&p->items, cap, p->n + 1, sizeof(*p->items));
	it = &p->items[p->n++];
	memset(it, 0, sizeof(*it));
	memcpy(it->id, m->id, sizeof(it->id) < sizeof(m->id) ?
	    sizeof(it->id) : sizeof(m->id));
	it->id[sizeof(it->id) - 1] = '\0';
	it->h_ino = m->h_ino;
	it->h_mtime_ns = m->h_mtime_ns;
	it->arrival = m->arrival;
	it->nrcpt = m->npending;
	p->nrcpts += m->npending;
	if (m->flags & MSG_F_FROZEN)
		p->nfrozen++;
	if (m->flags & MSG_F_ACTIVE)
		p->nactive++;
	if (m->arrival > 0 && (p->oldest == 0 || m->arrival < p->oldest))
		p->oldest = m->arrival;
	if (m->arrival > p->newest)
		p->newest = m->arrival;
	for (i = 0; i < m->nrcpt; i++) {
		const struct spool_rcpt *rc = &snap->rcpts[m->rcpt0 + i];

		if (rc->state != RCPT_PENDING)
			continue;
		r = rc->domain;
		drcpts[r]++;
		if (dlast[r] == p->n)
			continue;
		dlast[r] = p->n;
		dmsgs[r]++;
		name = intern_str(snap->domains, r);
		l = strlen(name);
		if (o + l + 2 < sizeof(it->domains)) {
			if (o > 0)
				it->domains[o++] = ',';
			memcpy(it->domains + o, name, l);
			o += l;
			it->domains[o] = '\0';
		} else if (o + 4 < sizeof(it->domains) &&
		    strcmp(it->domains + (o >= 3 ? o - 3 : 0), "...") != 0) {
			memcpy(it->domains + o, "...", 4);
			o += 3;
		}
	}
}

struct mta_plan *
mta_plan_new(const struct spool_snap *snap, const struct select *sel,
    time_t now, const char *const *ids, size_t nids, long max)
{
	struct mta_plan *p = xcalloc(1, sizeof(*p));
	const struct spool_msg **idx = NULL, **hit, *kp;
	struct spool_msg key_m;
	size_t cap = 0, i, nd, *dmsgs, *drcpts, *dlast;
	unsigned char *seen = NULL;

	if (snap == NULL)
		return p;
	nd = intern_count(snap->domains);
	dmsgs = xcalloc(nd + 1, sizeof(*dmsgs));
	drcpts = xcalloc(nd + 1, sizeof(*drcpts));
	dlast = xcalloc(nd + 1, sizeof(*dlast));
	if (ids != NULL) {
		/* By id: an index of the snapshot, so 40,000 ids stay fast. */
		idx = xcalloc(snap->nmsgs + 1, sizeof(*idx));
		for (i = 0; i < snap->nmsgs; i++)
			idx[i] = &snap->msgs[i];
		qsort(idx, snap->nmsgs, sizeof(*idx), cmp_msgp);
		seen = xcalloc(snap->nmsgs + 1, 1);
		memset(&key_m, 0, sizeof(key_m));
		kp = &key_m;
		for (i = 0; i < nids; i++) {
			if (ids[i] == NULL || strlen(ids[i]) > SPOOL_ID_MAX) {
				p->nmissing++;
				continue;
			}
			strcpy(key_m.id, ids[i]);
			hit = bsearch(&kp, idx, snap->nmsgs, sizeof(*idx),
			    cmp_msgp);
			if (hit == NULL) {
				p->nmissing++;
				continue;
			}
			if (seen[hit - idx])
				continue;
			seen[hit - idx] = 1;
			if (!select_msg(sel, snap, *hit, now))
				continue;
			if (max > 0 && p->n >= (size_t)max) {
				p->ncut++;
				continue;
			}
			add(p, &cap, snap, *hit, dmsgs, drcpts, dlast);
		}
	} else {
		for (i = 0; i < snap->nmsgs; i++) {
			if (!select_msg(sel, snap, &snap->msgs[i], now))
				continue;
			if (max > 0 && p->n >= (size_t)max) {
				p->ncut++;
				continue;
			}
			add(p, &cap, snap, &snap->msgs[i], dmsgs, drcpts,
			    dlast);
		}
	}
	for (i = 0; i < nd; i++)
		if (dmsgs[i] > 0)
			p->ndomains++;
	p->domains = xcalloc(p->ndomains + 1, sizeof(*p->domains));
	p->ndomains = 0;
	for (i = 0; i < nd; i++)
		if (dmsgs[i] > 0) {
			p->domains[p->ndomains].name =
			    xstrdup(intern_str(snap->domains, (uint32_t)i));
			p->domains[p->ndomains].msgs = dmsgs[i];
			p->domains[p->ndomains].rcpts = drcpts[i];
			p->ndomains++;
		}
	qsort(p->domains, p->ndomains, sizeof(*p->domains), cmp_dom);
	free(idx);
	free(seen);
	free(dmsgs);
	free(drcpts);
	free(dlast);
	return p;
}

void
mta_plan_free(struct mta_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->ndomains; i++)
		free(p->domains[i].name);
	free(p->domains);
	free(p->items);
	free(p);
}
