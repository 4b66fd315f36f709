/* view_rows.c -- list screens: columns, orders, rows, layout, geometry. */
#include "tui/view.h"
#include "view_priv.h"
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/diag.h"
#include "base/mem.h"
#include "base/intern.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Columns and orders ---- */

const struct diag_domain v_nodiag;

/* As the screen narrows, columns go highest prio first: AGES, SIZE,
 * LASTOK, RCPTS, CALLOUT, TARPIT (mxtop.1, THE DISPLAY); DOMAIN, MSGS,
 * OLDEST, CLASS and FROZEN stay.  The name column first takes what its
 * longest name needs (up to its max), before any column is kept. */
const struct view_col v_dcols[DC__N] = {
	{ "DOMAIN",  VIEW_ALIGN_LEFT,  14, 40, 0 },
	{ "MSGS",    VIEW_ALIGN_RIGHT,  4,  4, 0 },
	{ "RCPTS",   VIEW_ALIGN_RIGHT,  5,  5, 3 },
	{ "SIZE",    VIEW_ALIGN_RIGHT,  5,  5, 5 },
	{ "OLDEST",  VIEW_ALIGN_RIGHT,  6,  6, 0 },
	{ "AGES",    VIEW_ALIGN_LEFT,  10, 10, 6 },
	{ "CLASS",   VIEW_ALIGN_LEFT,  11, 11, 0 },
	{ "TARPIT",  VIEW_ALIGN_RIGHT,  6,  6, 1 },
	{ "CALLOUT", VIEW_ALIGN_RIGHT,  7,  7, 2 },
	{ "LASTOK",  VIEW_ALIGN_RIGHT,  6,  6, 4 },
	{ "FROZEN",  VIEW_ALIGN_RIGHT,  6,  6, 0 },
	{ "PROBE",   VIEW_ALIGN_LEFT,   9, 16, 7 },
};

const struct view_col v_mcols[MC__N] = {
	{ "AGE",        VIEW_ALIGN_RIGHT,  3,  6, 0 },
	{ "SIZE",       VIEW_ALIGN_RIGHT,  4,  5, 2 },
	{ "ID",         VIEW_ALIGN_LEFT,  16, 23, 0 },
	{ "SENDER",     VIEW_ALIGN_LEFT,  10, 40, 0 },
	{ "RECIPIENTS", VIEW_ALIGN_LEFT,  12, 60, 0 },
	{ "CLASS",      VIEW_ALIGN_LEFT,  11, 11, 1 },
	{ "FL",         VIEW_ALIGN_LEFT,   2,  3, 0 },
};

static int
dcmp_name(const void *a, const void *b)
{
	const struct stats_domain *x = ((const struct vrow *)a)->p;
	const struct stats_domain *y = ((const struct vrow *)b)->p;

	/* Customers first in every order. */
	if (x->customer != y->customer)
		return x->customer ? -1 : 1;
	return strcmp(x->name, y->name);
}

#define DCMP(fn, expr_x, expr_y, desc) \
static int \
fn(const void *a, const void *b) \
{ \
	const struct stats_domain *x = ((const struct vrow *)a)->p; \
	const struct stats_domain *y = ((const struct vrow *)b)->p; \
	const struct diag_domain *gx = x->diag ? x->diag : &v_nodiag; \
	const struct diag_domain *gy = y->diag ? y->diag : &v_nodiag; \
	int64_t vx = (int64_t)(expr_x), vy = (int64_t)(expr_y); \
	(void)gx; (void)gy; \
	if (x->customer != y->customer) \
		return x->customer ? -1 : 1; \
	if (vx != vy) \
		return ((vx < vy) ^ (desc)) ? -1 : 1; \
	return dcmp_name(a, b); \
}
DCMP(dcmp_msgs, x->messages, y->messages, 1)
DCMP(dcmp_rcpts, x->recipients, y->recipients, 1)
DCMP(dcmp_bytes, x->bytes, y->bytes, 1)
DCMP(dcmp_age, x->oldest, y->oldest, 0)
DCMP(dcmp_class, x->cls ? x->cls : 99, y->cls ? y->cls : 99, 0)
DCMP(dcmp_tarpit, gx->tarpit * 1000, gy->tarpit * 1000, 1)
DCMP(dcmp_callout, gx->callout_deferred + gx->callout_rejected +
    gx->callout_cached, gy->callout_deferred +
    gy->callout_rejected + gy->callout_cached, 1)
DCMP(dcmp_lastok, gx->last_success, gy->last_success, 0)
DCMP(dcmp_frozen, x->frozen, y->frozen, 1)

const struct order v_dorders[] = {
	{ "msgs", DC_MSGS, dcmp_msgs },
	{ "age", DC_OLDEST, dcmp_age },
	{ "rcpts", DC_RCPTS, dcmp_rcpts },
	{ "bytes", DC_SIZE, dcmp_bytes },
	{ "name", DC_DOMAIN, dcmp_name },
	{ "class", DC_CLASS, dcmp_class },
	{ "tarpit", DC_TARPIT, dcmp_tarpit },
	{ "callout", DC_CALLOUT, dcmp_callout },
	{ "lastok", DC_LASTOK, dcmp_lastok },
	{ "frozen", DC_FROZEN, dcmp_frozen },
};
const size_t v_ndorders = sizeof(v_dorders) / sizeof(v_dorders[0]);

static int
mcmp_id(const void *a, const void *b)
{
	const struct spool_msg *x = ((const struct vrow *)a)->p;
	const struct spool_msg *y = ((const struct vrow *)b)->p;

	return strcmp(x->id, y->id);
}

#define MCMP(fn, expr_x, expr_y, desc) \
static int \
fn(const void *a, const void *b) \
{ \
	const struct vrow *rx = a, *ry = b; \
	const struct spool_msg *x = rx->p, *y = ry->p; \
	(void)x; (void)y; \
	int64_t vx = (int64_t)(expr_x), vy = (int64_t)(expr_y); \
	if (vx != vy) \
		return ((vx < vy) ^ (desc)) ? -1 : 1; \
	return mcmp_id(a, b); \
}
MCMP(mcmp_age, x->arrival, y->arrival, 0)
MCMP(mcmp_size, x->size, y->size, 1)
MCMP(mcmp_rcpts, x->npending, y->npending, 1)
MCMP(mcmp_class, rx->cls ? rx->cls : 99, ry->cls ? ry->cls : 99, 0)

static int
mcmp_sender(const void *a, const void *b)
{
	const struct spool_msg *x = ((const struct vrow *)a)->p;
	const struct spool_msg *y = ((const struct vrow *)b)->p;
	int c = strcmp(spool_msg_sender(x) ? spool_msg_sender(x) : "", spool_msg_sender(y) ? spool_msg_sender(y) : "");

	return c ? c : mcmp_id(a, b);
}

const struct order v_morders[] = {
	{ "age", MC_AGE, mcmp_age },
	{ "size", MC_SIZE, mcmp_size },
	{ "rcpts", MC_RCPT, mcmp_rcpts },
	{ "sender", MC_SENDER, mcmp_sender },
	{ "class", MC_CLASS, mcmp_class },
	{ "id", MC_ID, mcmp_id },
};
const size_t v_nmorders = sizeof(v_morders) / sizeof(v_morders[0]);

/* ---- Geometry ---- */

int
v_head_lines(const struct view *v)
{
	return v->rows >= 12 ? 3 : v->rows >= 6 ? 1 : 0;
}

int
v_body_y0(const struct view *v)
{
	return v_head_lines(v) + 1;
}

int
v_body_h(const struct view *v)
{
	int h = v->rows - v_body_y0(v) - 1;

	return h < 1 ? 1 : h;
}

static size_t
pg_lines(struct view *v, enum view_screen s)
{
	v_pg_wrap(&v->pg[s], v->cols, v->utf8);
	return v->pg[s].nd;
}

size_t
v_nitems(struct view *v)
{
	enum view_screen s = v_top(v)->scr;

	return v_is_list(s) ? v->nrows : pg_lines(v, s);
}

/* Keeps cursor and top of the top frame in range and in view. */
void
v_clamp(struct view *v)
{
	struct frame *f = v_top(v);
	size_t n = v_nitems(v), h = (size_t)v_body_h(v);

	if (v_is_list(f->scr)) {
		if (f->cursor >= n)
			f->cursor = n ? n - 1 : 0;
		if (f->cursor < f->top)
			f->top = f->cursor;
		if (f->cursor >= f->top + h)
			f->top = f->cursor - h + 1;
		if (n > h && f->top > n - h)
			f->top = n - h;
		if (n <= h)
			f->top = 0;
		if (f->cursor < n)
			snprintf(f->at, sizeof(f->at), "%s",
			    view_row_key(v, f->cursor));
	} else {
		if (n <= h)
			f->top = 0;
		else if (f->top > n - h)
			f->top = n - h;
	}
}

/* Widths of the visible columns for the list screen on top. */
void
v_layout(struct view *v)
{
	const struct view_col *cols;
	int ncol, i, w[16], on[16], need, spare, grow, best, avail;
	size_t r;

	if (!v_is_list(v_top(v)->scr)) {
		v->nlay = 0;
		return;
	}
	if (v_top(v)->scr == VIEW_DOMAINS) {
		cols = v_dcols;
		ncol = DC__N;
	} else {
		cols = v_mcols;
		ncol = MC__N;
	}
	for (i = 0; i < ncol; i++) {
		w[i] = cols[i].min;
		if ((int)strlen(cols[i].name) > w[i])
			w[i] = (int)strlen(cols[i].name);
		on[i] = 1;
	}
	/* No probe yet: no column of dashes. */
	if (v_top(v)->scr == VIEW_DOMAINS && v->nprobes == 0)
		on[DC_PROBE] = 0;
	/* Counts as wide as the largest. */
	if (v_top(v)->scr == VIEW_DOMAINS && v->st != NULL) {
		char tmp[32];
		int n;

		n = snprintf(tmp, sizeof(tmp), "%u", v->st->total.messages);
		if (n > w[DC_MSGS])
			w[DC_MSGS] = n;
		n = snprintf(tmp, sizeof(tmp), "%u", v->st->total.recipients);
		if (n > w[DC_RCPTS])
			w[DC_RCPTS] = n;
	}
	if (v_top(v)->scr == VIEW_DOMAINS) {
		/* The name first: the longest one shown, up to the max. */
		for (r = 0; r < v->nrows; r++) {
			const char *nm = ((const struct stats_domain *)
			    v->row[r].p)->name;
			int nw = view_width(nm, strlen(nm), v->utf8);

			if (nw > w[DC_DOMAIN])
				w[DC_DOMAIN] = nw > cols[DC_DOMAIN].max ?
				    cols[DC_DOMAIN].max : nw;
		}
	}
	if (v_top(v)->scr == VIEW_MESSAGES) {
		int fl = 0;

		/* Old 16-character ids need less; ages and flags as wide
		 * as the widest shown (no column of blanks). */
		w[MC_ID] = 16;
		w[MC_AGE] = 3;
		for (r = 0; r < v->nrows; r++) {
			const struct spool_msg *m = v->row[r].p;
			char a[16];
			int n = 0;

			if (strlen(m->id) > 16)
				w[MC_ID] = 23;
			n = (int)strlen(v_age(a, sizeof(a), v->now -
			    m->arrival));
			if (n > w[MC_AGE])
				w[MC_AGE] = n;
			n = !!(m->flags & MSG_F_FROZEN) +
			    !!(m->flags & MSG_F_ACTIVE) +
			    !!(m->flags & MSG_F_BADFILE);
			if (n > fl)
				fl = n;
		}
		if (fl == 0)
			on[MC_FLAGS] = 0;
	}
	{
		char tmp[48];

		(void)tmp;
		avail = v->cols;
	}
	/* Drop columns, least wanted first, until the minimum fits. */
	for (;;) {
		need = 1;
		for (i = 0; i < ncol; i++)
			if (on[i])
				need += w[i] + 1;
		if (need <= avail)
			break;
		best = -1;
		for (i = 0; i < ncol; i++)
			if (on[i] && cols[i].prio > 0 &&
			    (best < 0 || cols[i].prio > cols[best].prio))
				best = i;
		if (best < 0) {
			/* Nothing left to drop: the name gives way. */
			if (cols == v_dcols && w[DC_DOMAIN] > cols[DC_DOMAIN].min)
				w[DC_DOMAIN] -= need - avail < w[DC_DOMAIN] -
				    cols[DC_DOMAIN].min ? need - avail :
				    w[DC_DOMAIN] - cols[DC_DOMAIN].min;
			break;
		}
		on[best] = 0;
	}
	/* Share what is left among the flexible columns, one at a time. */
	need = 1;
	for (i = 0; i < ncol; i++)
		if (on[i])
			need += w[i] + 1;
	spare = avail - need;
	do {
		grow = 0;
		for (i = 0; i < ncol && spare > 0; i++)
			if (on[i] && w[i] < cols[i].max &&
			    !(cols == v_mcols && i == MC_ID)) {
				w[i]++;
				spare--;
				grow = 1;
			}
	} while (grow && spare > 0);
	v->nlay = 0;
	for (i = 0; i < ncol; i++)
		if (on[i]) {
			v->lay[v->nlay] = i;
			v->layw[v->nlay] = w[i];
			v->nlay++;
		}
}

/* ---- Rows ---- */

static uint32_t
domain_num(const struct view *v, const char *name)
{
	if (v->snap == NULL || v->snap->domains == NULL)
		return UINT32_MAX;
	return intern_find(v->snap->domains, name, strlen(name));
}

/* Whether m has a pending recipient in domain d that the filter keeps;
 * the one with the newest classified attempt into *last. */
static int
msg_in_domain(const struct view *v, const struct spool_msg *m, uint32_t d,
    size_t *last)
{
	const struct diag *dg = v->st != NULL ? v->st->diag : NULL;
	const struct diag_rcpt *dr;
	struct diag_rcpt buf;
	uint32_t j;
	size_t r;
	time_t bt = 0;
	int in = 0;

	*last = SIZE_MAX;
	for (j = 0; j < m->nrcpt; j++) {
		r = m->rcpt0 + j;
		if (v->snap->rcpts[r].state != RCPT_PENDING ||
		    (d != UINT32_MAX && v->snap->rcpts[r].domain != d) ||
		    !select_rcpt(v->sel, v->snap, dg, m, r))
			continue;
		in = 1;
		if (diag_rcpt_class(dg, r) == 0)
			continue;
		dr = diag_rcpt_last(dg, r, &buf);
		if (*last == SIZE_MAX || (dr != NULL && dr->time >= bt)) {
			*last = r;
			bt = dr != NULL ? dr->time : 0;
		}
	}
	return in;
}

static void
push_row(struct view *v, const void *p, int cls, size_t last)
{
	xgrow(&v->row, &v->caprows, v->nrows + 1, sizeof(*v->row));
	v->row[v->nrows].p = p;
	v->row[v->nrows].cls = cls;
	v->row[v->nrows].last = last;
	v->nrows++;
}

static void
reverse_rows(struct view *v)
{
	size_t i;
	struct vrow t;

	for (i = 0; i < v->nrows / 2; i++) {
		t = v->row[i];
		v->row[i] = v->row[v->nrows - 1 - i];
		v->row[v->nrows - 1 - i] = t;
	}
}

/* Rebuilds the rows of the list screen on top, keeping the cursor on the
 * same key if it is still there. */
void
v_recalc(struct view *v)
{
	struct frame *f = v_top(v);
	size_t i;
	uint32_t d;

	v->nrows = 0;
	if (f->scr == VIEW_DOMAINS && v->st != NULL) {
		for (i = 0; i < v->st->ndomains; i++)
			push_row(v, &v->st->domains[i], v->st->domains[i].cls,
			    SIZE_MAX);
		if (v->nrows > 1)	/* qsort(NULL, 0, ...) is undefined */
			qsort(v->row, v->nrows, sizeof(*v->row),
			    v_dorders[v->dorder].cmp);
		if (v->drev)
			reverse_rows(v);
	} else if (f->scr == VIEW_MESSAGES && v->snap != NULL) {
		const struct diag *dg = v->st != NULL ? v->st->diag : NULL;
		size_t last;

		d = f->ctx[0] ? domain_num(v, f->ctx) : UINT32_MAX;
		for (i = 0; i < v->snap->nmsgs; i++) {
			const struct spool_msg *m = &v->snap->msgs[i];

			if (!select_msg(v->sel, v->snap, dg, m, v->now))
				continue;
			if (f->ctx[0] && d == UINT32_MAX)
				continue;
			/* The class of this domain's recipients. */
			if (!msg_in_domain(v, m, d, &last) && (f->ctx[0] ||
			    m->npending > 0))
				continue;
			push_row(v, m, last != SIZE_MAX ?
			    diag_rcpt_class(dg, last) : 0, last);
		}
		if (v->nrows > 1)	/* qsort(NULL, 0, ...) is undefined */
			qsort(v->row, v->nrows, sizeof(*v->row),
			    v_morders[v->morder].cmp);
		if (v->mrev)
			reverse_rows(v);
	}
	if (v_is_list(f->scr) && f->at[0] != '\0')
		for (i = 0; i < v->nrows; i++)
			if (strcmp(view_row_key(v, i), f->at) == 0) {
				f->cursor = i;
				break;
			}
	v_layout(v);
	v_clamp(v);
}

const struct stats_domain *
v_find_domain(const struct view *v, const char *name)
{
	size_t i;

	if (v->st == NULL)
		return NULL;
	for (i = 0; i < v->st->ndomains; i++)
		if (strcmp(v->st->domains[i].name, name) == 0)
			return &v->st->domains[i];
	return NULL;
}
