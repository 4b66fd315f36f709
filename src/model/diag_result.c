/* diag_result.c -- per-recipient records from msglogs, and the result
 * beside a snapshot: each recipient's state and class, each domain's
 * diagnosis, customers (diag.h). */
#include "model/diag.h"
#include "diag_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/intern.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A recipient's last attempt, packed: 13 bytes a recipient (the
 * public struct diag_rcpt is filled from it on demand). */
struct drec {
	uint32_t	 time;		/* seconds, of the last attempt */
	uint32_t	 host, text;	/* in strs, + 1; 0: none */
};
#define B_OUTCOME	0x03		/* DIAG_PENDING, _DELIVERED, _FAILED */
#define B_SKIPPED	0x04
#define B_CLS_SHIFT	3		/* enum class_id, 4 bits */
#define SC_CLS_SHIFT	2		/* in diag.sc, above the state */
_Static_assert(CLASS__COUNT <= 16, "a class takes 4 bits in B_* and sc");

struct diag_rcpts {
	const struct spool_snap	*snap;
	struct drec		*r;	/* one per snap->rcpts */
	uint8_t			*bits;	/* B_* per recipient */
	size_t			 n;
	uint32_t		*fed;	/* per message: msglog bytes read
					 * (a msglog stays far under 4 GB) */
	size_t			 nmsgs;
	struct intern		*strs;	/* texts and hosts, each stored once */
};

struct diag {
	const struct spool_snap	*snap;
	struct diag_rcpts	*rcpts;	/* owned; NULL without msglogs */
	uint8_t			*sc;	/* per recipient: enum diag_state
					 * | class << SC_CLS_SHIFT */
	uint8_t			*cust;	/* per snapshot domain */
	int			 cust_known;
	struct intern		*names;	/* domains with evidence */
	struct diag_domain	*doms;	/* by number in names */
	struct diag_info	 info;
	struct arena		 strs;
};

static uint32_t
keep(struct intern *in, const char *s)
{
	return s != NULL ? intern_add(in, s, strlen(s)) + 1 : 0;
}

/* A string of the last records (its number + 1 there) in the new ones:
 * each distinct one interned once (texts repeat: one per primary and
 * error). */
static uint32_t
carry(const struct diag_rcpts *prev, uint32_t *map, struct intern *in,
    uint32_t k)
{
	if (k == 0)
		return 0;
	if (map[k - 1] == 0)
		map[k - 1] = keep(in, intern_str(prev->strs, k - 1));
	return map[k - 1];
}

/* Record o of the last snapshot, for the same recipient r now. */
static void
take(struct diag_rcpts *dr, const struct diag_rcpts *prev, uint32_t *map,
    size_t r, size_t o)
{
	dr->r[r].time = prev->r[o].time;
	dr->r[r].host = carry(prev, map, dr->strs, prev->r[o].host);
	dr->r[r].text = carry(prev, map, dr->strs, prev->r[o].text);
	dr->bits[r] = prev->bits[o];
}

/* Whether recipients a (of snapshot sa) and b (of sb) have one address. */
static int
same_addr(const struct spool_snap *sa, const struct spool_rcpt *a,
    const struct spool_snap *sb, const struct spool_rcpt *b)
{
	char ab[SPOOL_ADDR_BUF], bb[SPOOL_ADDR_BUF];

	return strcmp(spool_rcpt_addr(sa, a, ab),
	    spool_rcpt_addr(sb, b, bb)) == 0;
}

struct diag_rcpts *
diag_rcpts_new(const struct spool_snap *snap, const struct spool_snap *psnap,
    const struct diag_rcpts *prev)
{
	struct diag_rcpts	*dr = xcalloc(1, sizeof(*dr));
	const struct spool_msg	*pm;
	struct spool_walk	 w = { psnap, 0 };
	uint32_t		*map;
	size_t			 i, j, k;
	int			 same;

	dr->snap = snap;
	dr->strs = intern_new();
	dr->n = snap->nrcpts;
	dr->r = xcalloc(dr->n + 1, sizeof(*dr->r));
	dr->bits = xcalloc(dr->n + 1, 1);
	dr->nmsgs = snap->nmsgs;
	dr->fed = xcalloc(dr->nmsgs + 1, sizeof(*dr->fed));
	if (prev == NULL || psnap == NULL || prev->snap != psnap)
		return dr;
	map = xcalloc((size_t)intern_count(prev->strs) + 1, sizeof(*map));
	for (i = 0; i < snap->nmsgs; i++) {
		const struct spool_msg *m = &snap->msgs[i];

		/* The same snapshot (the log changed, not the spool); else
		 * both are in exim -bp order. */
		pm = snap == psnap ? m : spool_walk_find(&w, m->id);
		if (pm == NULL)
			continue;
		/* The -H not read again (same file, same inode: Exim never
		 * rewrites one in place): the same recipients, in order. */
		same = pm == m || (pm->h_ino != 0 && pm->h_ino == m->h_ino &&
		    pm->subdir == m->subdir && pm->nrcpt == m->nrcpt &&
		    !(pm->flags & MSG_F_BADFILE));
		dr->fed[i] = prev->fed[pm - psnap->msgs];
		for (j = 0; j < m->nrcpt; j++) {
			const struct spool_rcpt *r = &snap->rcpts[m->rcpt0 + j];

			/* The same recipients in the same order, as a
			 * rule; -Mar may add some. */
			if (j < pm->nrcpt && (same || same_addr(psnap,
			    &psnap->rcpts[pm->rcpt0 + j], snap, r))) {
				take(dr, prev, map, m->rcpt0 + j,
				    pm->rcpt0 + j);
				continue;
			}
			for (k = 0; k < pm->nrcpt; k++)
				if (same_addr(psnap,
				    &psnap->rcpts[pm->rcpt0 + k], snap, r)) {
					take(dr, prev, map, m->rcpt0 + j,
					    pm->rcpt0 + k);
					break;
				}
		}
	}
	free(map);
	return dr;
}

void
diag_rcpts_free(struct diag_rcpts *dr)
{
	if (dr == NULL)
		return;
	intern_free(dr->strs);
	free(dr->r);
	free(dr->bits);
	free(dr->fed);
	free(dr);
}

uint64_t
diag_rcpts_offset(const struct diag_rcpts *dr, size_t i)
{
	return dr != NULL && i < dr->nmsgs ? dr->fed[i] : 0;
}

/* The recipient of message m whose address is addr, or SIZE_MAX. */
static size_t
rcpt_of(const struct spool_snap *snap, const struct spool_msg *m,
    const char *addr)
{
	char	 b[SPOOL_ADDR_BUF];
	size_t	 j;

	for (j = 0; j < m->nrcpt; j++)
		if (strcmp(spool_rcpt_addr(snap, &snap->rcpts[m->rcpt0 + j],
		    b), addr) == 0)
			return m->rcpt0 + j;
	/* Exim logs addresses as routed: the domain lower-cased. */
	for (j = 0; j < m->nrcpt; j++)
		if (strcasecmp(spool_rcpt_addr(snap,
		    &snap->rcpts[m->rcpt0 + j], b), addr) == 0)
			return m->rcpt0 + j;
	return SIZE_MAX;
}

static uint32_t
secs32(time_t t)
{
	return t <= 0 ? 0 : (uint64_t)t >= UINT32_MAX ? UINT32_MAX :
	    (uint32_t)t;
}

void
diag_rcpts_feed(struct diag_rcpts *dr, size_t i, const struct history *h,
    uint64_t upto)
{
	const struct spool_msg	*m;
	size_t			 k, r;

	if (dr == NULL || i >= dr->nmsgs)
		return;
	m = &dr->snap->msgs[i];
	for (k = 0; k < h->n; k++) {
		const struct history_event *e = &h->ev[k];
		uint8_t *b;
		int c;

		if (e->addr == NULL || (e->kind != LL_DEFER &&
		    e->kind != LL_FAIL && e->kind != LL_DELIVER &&
		    e->kind != LL_EXPIRED && e->kind != LL_SKIP))
			continue;
		if ((r = rcpt_of(dr->snap, m, e->addr)) == SIZE_MAX)
			continue;
		b = &dr->bits[r];
		if (e->kind == LL_SKIP) {
			*b |= B_SKIPPED;
			continue;
		}
		if (e->kind == LL_DELIVER) {
			*b = (uint8_t)((*b & ~B_OUTCOME) | DIAG_DELIVERED);
			continue;
		}
		if (e->kind == LL_EXPIRED) {
			*b = (uint8_t)((*b & ~B_OUTCOME) | DIAG_FAILED);
			continue;
		}
		c = class_of_event(e->kind, e->text, strlen(e->text));
		if (c == CLASS_NONE)
			continue;
		if (e->kind == LL_FAIL)
			*b = (uint8_t)((*b & ~B_OUTCOME) | DIAG_FAILED);
		*b = (uint8_t)((*b & ((1 << B_CLS_SHIFT) - 1)) |
		    c << B_CLS_SHIFT);
		dr->r[r].time = secs32(e->time);
		dr->r[r].text = keep(dr->strs, e->text);
		dr->r[r].host = keep(dr->strs, e->host);
	}
	dr->fed[i] = upto > UINT32_MAX ? UINT32_MAX : (uint32_t)upto;
}

/* ---- The result ---- */

struct diag *
diag_result(const struct diag_acc *acc, const struct spool_snap *snap,
    const struct diag_rcpts *rcpts, const struct diag_customers *cust)
{
	struct diag	*d = xcalloc(1, sizeof(*d));
	uint32_t	 nd, k, n;
	size_t		 i, j, r;

	d->snap = snap;
	d->rcpts = (struct diag_rcpts *)rcpts;
	arena_init(&d->strs);
	d->names = intern_new();
	nd = intern_count(snap->domains);
	d->cust = xcalloc(nd + 1, 1);
	d->cust_known = cust != NULL && cust->is != NULL;
	for (k = 0; k < nd; k++)
		d->cust[k] = d->cust_known ? (k < cust->n && cust->is[k]) : 1;
	if (acc != NULL) {
		n = diag_acc_ndomains(acc);
		d->doms = xcalloc(n + 1, sizeof(*d->doms));
		for (k = 0; k < n; k++) {
			const char *name = diag_acc_domain(acc, k);

			(void)intern_add(d->names, name, strlen(name));
			diag_acc_fill(acc, k, &d->doms[k], &d->strs);
		}
		diag_acc_info(acc, &d->info, &d->strs);
	}
	d->sc = xcalloc(snap->nrcpts + 1, 1);
	for (i = 0; i < snap->nmsgs; i++) {
		const struct spool_msg *m = &snap->msgs[i];
		const char *snd = spool_msg_sender(m);
		int junk = snd != NULL && snd[0] == '\0';

		for (j = 0; j < m->nrcpt; j++) {
			const struct spool_rcpt *sr;
			const struct diag_domain *dd;
			char ab[SPOOL_ADDR_BUF];
			int st, c = CLASS_NONE, b = 0;

			r = m->rcpt0 + j;
			sr = &snap->rcpts[r];
			if (rcpts != NULL && r < rcpts->n)
				b = rcpts->bits[r];
			c = b >> B_CLS_SHIFT;
			/* Skipped, never tried here: its domain's hosts are
			 * failing, for the reasons the domain's class says. */
			if (c == CLASS_NONE && (b & B_SKIPPED) &&
			    (dd = diag_domain(d, spool_rcpt_domain(snap,
			    sr))) != NULL)
				c = dd->cls;
			if (sr->state == RCPT_PENDING)
				st = DIAG_PENDING;
			else if ((b & B_OUTCOME) != 0)
				st = b & B_OUTCOME;
			else if ((st = diag_acc_outcome(acc, m->id,
			    spool_rcpt_addr(snap, sr, ab))) == 0)
				st = DIAG_DONE;
			/* A bounce nobody relays for, stuck: backscatter. */
			if (st == DIAG_PENDING && junk && d->cust_known &&
			    !d->cust[sr->domain] && ((m->flags & MSG_F_FROZEN)
			    || c != CLASS_NONE))
				c = CLASS_BACKSCATTER;
			d->sc[r] = (uint8_t)(st | c << SC_CLS_SHIFT);
		}
	}
	return d;
}

void
diag_free(struct diag *d)
{
	if (d == NULL)
		return;
	diag_rcpts_free(d->rcpts);
	free(d->sc);
	free(d->cust);
	free(d->doms);
	intern_free(d->names);
	arena_free(&d->strs);
	free(d);
}

const struct diag_rcpts *
diag_rcpts_of(const struct diag *d)
{
	return d != NULL ? d->rcpts : NULL;
}

enum diag_state
diag_rcpt_state(const struct diag *d, size_t r)
{
	if (d == NULL || r >= d->snap->nrcpts)
		return DIAG_PENDING;
	return (enum diag_state)(d->sc[r] & ((1 << SC_CLS_SHIFT) - 1));
}

int
diag_rcpt_class(const struct diag *d, size_t r)
{
	if (d == NULL || r >= d->snap->nrcpts)
		return CLASS_NONE;
	return d->sc[r] >> SC_CLS_SHIFT;
}

const struct diag_rcpt *
diag_rcpt_last(const struct diag *d, size_t r, struct diag_rcpt *buf)
{
	const struct diag_rcpts *dr = d != NULL ? d->rcpts : NULL;
	const struct drec *e;

	if (dr == NULL || r >= dr->n || dr->r[r].text == 0)
		return NULL;
	e = &dr->r[r];
	buf->outcome = dr->bits[r] & B_OUTCOME;
	buf->cls = (uint8_t)(dr->bits[r] >> B_CLS_SHIFT);
	buf->skipped = (dr->bits[r] & B_SKIPPED) != 0;
	buf->time = (time_t)e->time;
	buf->host = e->host != 0 ? intern_str(dr->strs, e->host - 1) : NULL;
	buf->text = intern_str(dr->strs, e->text - 1);
	return buf;
}

const struct diag_domain *
diag_domain(const struct diag *d, const char *name)
{
	uint32_t k;

	if (d == NULL || d->doms == NULL)
		return NULL;
	k = intern_find(d->names, name, strlen(name));
	return k == UINT32_MAX ? NULL : &d->doms[k];
}

int
diag_customer(const struct diag *d, uint32_t dom)
{
	if (d == NULL || dom >= intern_count(d->snap->domains))
		return 1;
	return d->cust[dom];
}

int
diag_customers_known(const struct diag *d)
{
	return d != NULL && d->cust_known;
}

size_t
diag_ndomains(const struct diag *d)
{
	return d != NULL && d->doms != NULL ? intern_count(d->names) : 0;
}

const char *
diag_domain_name(const struct diag *d, size_t i)
{
	return i < diag_ndomains(d) ? intern_str(d->names, (uint32_t)i) : NULL;
}

const struct diag_info *
diag_info(const struct diag *d)
{
	static const struct diag_info none;

	return d != NULL ? &d->info : &none;
}
