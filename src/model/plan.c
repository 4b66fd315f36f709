/* plan.c -- the plan of an action: which messages of a snapshot, and of
 * each which recipients, which domains, shared messages apart (plan.h).
 * Pure: reads the snapshot only, copies what it keeps. */
#include "model/plan.h"
#include "model/select.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/intern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const act_names[] = {
	"flush", "bounce", "delete", "freeze", "thaw", "export"
};

const char *
plan_act_name(enum plan_act a)
{
	return (unsigned)a < sizeof(act_names) / sizeof(act_names[0]) ?
	    act_names[a] : "?";
}

int
plan_act_parse(const char *s, enum plan_act *a)
{
	size_t	 i;

	for (i = 0; i <= PLAN_THAW; i++)
		if (strcmp(s, act_names[i]) == 0) {
			*a = (enum plan_act)i;
			return 0;
		}
	return -1;
}

size_t
plan_nacted(const struct plan *p)
{
	return p->n - p->nskipped;
}

static int
cmp_msgp(const void *a, const void *b)
{
	const struct spool_msg *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static int
cmp_dom(const void *a, const void *b)
{
	const struct plan_domain *x = a, *y = b;

	if (x->msgs != y->msgs)
		return x->msgs < y->msgs ? 1 : -1;
	return strcmp(x->name, y->name);
}

int
plan_addr_safe(const char *a)
{
	if (a == NULL || a[0] == '-' || a[0] == '\0')
		return 0;
	for (; *a != '\0'; a++)
		if ((unsigned char)*a < 0x20 || *a == 0x7f)
			return 0;
	return 1;
}

/* Working state while a plan is built. */
struct build {
	struct plan		*p;
	size_t			 cap;
	const struct spool_snap	*snap;
	const struct diag	*d;
	const struct select	*sel;
	/* Per snapshot domain: messages, recipients and shared messages,
	 * selected and other; last item that counted it. */
	size_t			*smsgs, *srcpts, *sshared, *omsgs, *orcpts;
	size_t			*slast, *olast;
};

static void
add_addr(struct plan *p, const char *a)
{
	xgrow(&p->addrs, &p->capaddrs, p->naddrs + 1, sizeof(*p->addrs));
	p->addrs[p->naddrs++] = xstrdup(a);
}

static void
cat_domain(struct plan_item *it, size_t *o, const char *name)
{
	size_t	 l = strlen(name);

	if (*o + l + 2 < sizeof(it->domains)) {
		if (*o > 0)
			it->domains[(*o)++] = ',';
		memcpy(it->domains + *o, name, l);
		*o += l;
		it->domains[*o] = '\0';
	} else if (*o + 4 < sizeof(it->domains) &&
	    strcmp(it->domains + (*o >= 3 ? *o - 3 : 0), "...") != 0) {
		memcpy(it->domains + *o, "...", 4);
		*o += 3;
	}
}

/* Plans message m; returns 0 when it has no selected pending recipient
 * (then it is no item). */
static int
add(struct build *b, const struct spool_msg *m)
{
	struct plan		*p = b->p;
	const struct spool_snap	*snap = b->snap;
	struct plan_item	*it, tmp;
	char			 ab[SPOOL_ADDR_BUF];
	size_t			 i, o = 0;
	uint32_t		 nsel = 0, nother = 0;

	memset(&tmp, 0, sizeof(tmp));
	for (i = 0; i < m->nrcpt; i++) {
		if (snap->rcpts[m->rcpt0 + i].state != RCPT_PENDING)
			continue;
		if (select_rcpt(b->sel, snap, b->d, m, m->rcpt0 + i))
			nsel++;
		else
			nother++;
	}
	/* A message with nothing pending (a bad -H, one completing) is
	 * acted upon whole: Exim may know better. */
	if (nsel == 0 && m->npending > 0)
		return 0;
	xgrow(&p->items, &b->cap, p->n + 1, sizeof(*p->items));
	it = &p->items[p->n++];
	*it = tmp;
	memcpy(it->id, m->id, sizeof(it->id) < sizeof(m->id) ?
	    sizeof(it->id) : sizeof(m->id));
	it->id[sizeof(it->id) - 1] = '\0';
	/* The -H as listed; a scan reads no mtime (h_mtime_ns stays 0):
	 * Exim renames a new -H into place, so a change is a new inode. */
	it->h_ino = m->h_ino;
	it->arrival = m->arrival;
	it->frozen = (m->flags & MSG_F_FROZEN) != 0;
	it->active = (m->flags & MSG_F_ACTIVE) != 0;
	it->nsel = nsel;
	it->nother = nother;
	it->how = PLAN_WHOLE;
	if (nother > 0) {
		p->nshared++;
		if (p->act == PLAN_DELETE && !p->whole)
			it->how = PLAN_RCPTS;
		else if (p->act == PLAN_BOUNCE && !p->whole) {
			it->how = PLAN_SKIP;
			it->why = "shared with other domains: Exim can only "
			    "bounce whole messages (--whole-messages)";
		}
	}
	it->addr0 = (uint32_t)p->naddrs;
	for (i = 0; i < m->nrcpt; i++) {
		const struct spool_rcpt *r = &snap->rcpts[m->rcpt0 + i];

		if (r->state == RCPT_PENDING &&
		    select_rcpt(b->sel, snap, b->d, m, m->rcpt0 + i)) {
			const char *a = spool_rcpt_addr(snap, r, ab);

			add_addr(p, a);
			if (it->how == PLAN_RCPTS && !plan_addr_safe(a)) {
				it->how = PLAN_SKIP;
				it->why = "an address Exim could take for an "
				    "option";
			}
		}
	}
	it->other0 = (uint32_t)p->naddrs;
	for (i = 0; i < m->nrcpt; i++) {
		const struct spool_rcpt *r = &snap->rcpts[m->rcpt0 + i];

		if (r->state == RCPT_PENDING &&
		    !select_rcpt(b->sel, snap, b->d, m, m->rcpt0 + i))
			add_addr(p, spool_rcpt_addr(snap, r, ab));
	}
	if (it->how == PLAN_SKIP) {
		p->nskipped++;
		return 1;
	}
	if (it->how == PLAN_RCPTS)
		p->nbyrcpt++;
	p->nrcpts += nsel;
	if (it->frozen)
		p->nfrozen++;
	if (it->active)
		p->nactive++;
	if (m->arrival > 0 && (p->oldest == 0 || m->arrival < p->oldest))
		p->oldest = m->arrival;
	if (m->arrival > p->newest)
		p->newest = m->arrival;
	for (i = 0; i < m->nrcpt; i++) {
		const struct spool_rcpt *r = &snap->rcpts[m->rcpt0 + i];
		uint32_t dn = r->domain;

		if (r->state != RCPT_PENDING)
			continue;
		if (select_rcpt(b->sel, snap, b->d, m, m->rcpt0 + i)) {
			b->srcpts[dn]++;
			if (b->slast[dn] == p->n)
				continue;
			b->slast[dn] = p->n;
			b->smsgs[dn]++;
			b->sshared[dn] += nother > 0;
			cat_domain(it, &o, intern_str(snap->domains, dn));
		} else if (it->how == PLAN_WHOLE) {
			/* Touched along with the selection. */
			b->orcpts[dn]++;
			p->nother_rcpts++;
			if (b->olast[dn] != p->n) {
				b->olast[dn] = p->n;
				b->omsgs[dn]++;
			}
		}
	}
	return 1;
}

/* The domains with a count in msgs[] as a sorted array. */
static struct plan_domain *
domains(const struct spool_snap *snap, const size_t *msgs, const size_t *rcpts,
    const size_t *shared, size_t nd, size_t *np)
{
	struct plan_domain	*v;
	size_t			 i, n = 0;

	for (i = 0; i < nd; i++)
		n += msgs[i] > 0;
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0, n = 0; i < nd; i++)
		if (msgs[i] > 0) {
			v[n].name = xstrdup(intern_str(snap->domains,
			    (uint32_t)i));
			v[n].msgs = msgs[i];
			v[n].rcpts = rcpts[i];
			v[n].shared = shared != NULL ? shared[i] : 0;
			n++;
		}
	qsort(v, n, sizeof(*v), cmp_dom);
	*np = n;
	return v;
}

struct plan *
plan_new(const struct spool_snap *snap, const struct diag *d,
    const struct select *sel, time_t now, enum plan_act act,
    const char *const *ids, size_t nids, long max, int whole)
{
	struct plan		*p = xcalloc(1, sizeof(*p));
	const struct spool_msg	**idx, **hit, *kp;
	struct spool_msg	 key_m;
	struct build		 b;
	size_t			 i, nd, n;
	unsigned char		*seen;

	p->act = act;
	p->whole = whole;
	if (snap == NULL)
		return p;
	memset(&b, 0, sizeof(b));
	b.p = p;
	b.snap = snap;
	b.d = d;
	b.sel = sel;
	nd = intern_count(snap->domains);
	b.smsgs = xcalloc(nd + 1, sizeof(size_t));
	b.srcpts = xcalloc(nd + 1, sizeof(size_t));
	b.sshared = xcalloc(nd + 1, sizeof(size_t));
	b.omsgs = xcalloc(nd + 1, sizeof(size_t));
	b.orcpts = xcalloc(nd + 1, sizeof(size_t));
	b.slast = xcalloc(nd + 1, sizeof(size_t));
	b.olast = xcalloc(nd + 1, sizeof(size_t));
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
			if (!select_msg(sel, snap, d, *hit, now))
				continue;
			if (max > 0 && plan_nacted(p) >= (size_t)max) {
				p->ncut++;
				continue;
			}
			(void)add(&b, *hit);
		}
		free(idx);
		free(seen);
	} else {
		for (i = 0; i < snap->nmsgs; i++) {
			if (!select_msg(sel, snap, d, &snap->msgs[i], now))
				continue;
			if (max > 0 && plan_nacted(p) >= (size_t)max) {
				p->ncut++;
				continue;
			}
			(void)add(&b, &snap->msgs[i]);
		}
	}
	p->domains = domains(snap, b.smsgs, b.srcpts, b.sshared, nd, &n);
	p->ndomains = n;
	p->others = domains(snap, b.omsgs, b.orcpts, NULL, nd, &n);
	p->nothers = n;
	free(b.smsgs);
	free(b.srcpts);
	free(b.sshared);
	free(b.omsgs);
	free(b.orcpts);
	free(b.slast);
	free(b.olast);
	return p;
}

void
plan_free(struct plan *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->ndomains; i++)
		free(p->domains[i].name);
	for (i = 0; i < p->nothers; i++)
		free(p->others[i].name);
	for (i = 0; i < p->naddrs; i++)
		free(p->addrs[i]);
	free(p->addrs);
	free(p->domains);
	free(p->others);
	free(p->items);
	free(p);
}

/* ---- drain ---- */

/* sel and one more verified term (or two). */
static struct select *
with_verified(const struct select *sel, const char *v1, const char *v2)
{
	struct select	*s = select_dup(sel);
	char		 err[128];

	(void)select_add(s, "verified", v1, err, sizeof(err));
	if (v2 != NULL)
		(void)select_add(s, "verified", v2, err, sizeof(err));
	return s;
}

struct plan *
plan_drain_flush(const struct spool_snap *snap, const struct diag *d,
    const struct select *sel, time_t now, long max)
{
	struct select	*fs = with_verified(sel, "accepted", NULL);
	struct plan	*p;

	p = plan_new(snap, d, fs, now, PLAN_FLUSH, NULL, 0, max, 0);
	select_free(fs);
	return p;
}

struct plan_drain *
plan_drain_new(const struct spool_snap *snap, const struct diag *d,
    const struct select *sel, time_t now, int bounce, long max)
{
	struct plan_drain	*pd = xcalloc(1, sizeof(*pd));
	struct select		*rs, *us, *fs;
	const struct spool_msg	*m;
	size_t			 i, k;
	int			 left, acc;

	rs = with_verified(sel, "rejected", NULL);
	pd->remove = plan_new(snap, d, rs, now, bounce ? PLAN_BOUNCE :
	    PLAN_DELETE, NULL, 0, 0, 0);
	for (i = 0; i < pd->remove->n; i++)
		if (pd->remove->items[i].how == PLAN_SKIP)
			pd->remove->items[i].why = "other recipients pending: "
			    "Exim can only bounce whole messages; the rejected "
			    "ones stay queued (a flush makes the primary's "
			    "5xx bounce them)";
	pd->flush = plan_drain_flush(snap, d, sel, now, max);
	us = with_verified(sel, "unknown", "deferred");
	fs = with_verified(sel, "accepted", NULL);
	for (i = 0; snap != NULL && i < snap->nmsgs; i++) {
		m = &snap->msgs[i];
		if (!select_msg(sel, snap, d, m, now))
			continue;
		left = acc = 0;
		for (k = 0; k < m->nrcpt; k++) {
			if (snap->rcpts[m->rcpt0 + k].state != RCPT_PENDING)
				continue;
			if (select_rcpt(us, snap, d, m, m->rcpt0 + k)) {
				left = 1;
				pd->nleft_rcpts++;
			}
			if (select_rcpt(fs, snap, d, m, m->rcpt0 + k))
				acc = 1;
		}
		if (!left || acc)
			continue;
		if (pd->nleft_ids < PLAN_SAMPLE)
			snprintf(pd->left_ids[pd->nleft_ids++], PLAN_ID_LEN,
			    "%s", m->id);
		pd->nleft_msgs++;
	}
	select_free(rs);
	select_free(us);
	select_free(fs);
	return pd;
}

void
plan_drain_free(struct plan_drain *pd)
{
	if (pd == NULL)
		return;
	plan_free(pd->remove);
	plan_free(pd->flush);
	free(pd);
}
