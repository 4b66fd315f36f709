/* view_rows.c -- list screens: columns, orders, rows, layout, geometry. */
#include "tui/view.h"
#include "view_priv.h"
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "base/mem.h"
#include "base/intern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Columns and orders ---- */

const struct view_col v_dcols[DC__N] = {
	{ "DOMAIN",  VIEW_ALIGN_LEFT,  14, 48, 0 },
	{ "MSGS",    VIEW_ALIGN_RIGHT,  4,  4, 0 },
	{ "RCPTS",   VIEW_ALIGN_RIGHT,  5,  5, 3 },
	{ "SIZE",    VIEW_ALIGN_RIGHT,  5,  5, 5 },
	{ "OLDEST",  VIEW_ALIGN_RIGHT,  7,  7, 0 },
	{ "AGES",    VIEW_ALIGN_LEFT,  10, 10, 2 },
	{ "CLASS",   VIEW_ALIGN_LEFT,  10, 10, 0 },
	{ "TARPIT",  VIEW_ALIGN_RIGHT,  6,  6, 1 },
	{ "CALLOUT", VIEW_ALIGN_RIGHT,  7,  7, 1 },
	{ "LASTOK",  VIEW_ALIGN_RIGHT,  6,  6, 1 },
	{ "FROZEN",  VIEW_ALIGN_RIGHT,  6,  6, 4 },
};

const struct view_col v_mcols[MC__N] = {
	{ "AGE",        VIEW_ALIGN_RIGHT,  7,  7, 0 },
	{ "SIZE",       VIEW_ALIGN_RIGHT,  5,  5, 2 },
	{ "ID",         VIEW_ALIGN_LEFT,  16, 23, 0 },
	{ "SENDER",     VIEW_ALIGN_LEFT,  10, 40, 0 },
	{ "RECIPIENTS", VIEW_ALIGN_LEFT,  12, 60, 0 },
	{ "CLASS",      VIEW_ALIGN_LEFT,  10, 10, 1 },
	{ "FLAGS",      VIEW_ALIGN_LEFT,   5,  5, 0 },
};

static int
dcmp_name(const void *a, const void *b)
{
	const struct stats_domain *x = *(const struct stats_domain *const *)a;
	const struct stats_domain *y = *(const struct stats_domain *const *)b;

	return strcmp(x->name, y->name);
}

#define DCMP(fn, expr_x, expr_y, desc) \
static int \
fn(const void *a, const void *b) \
{ \
	const struct stats_domain *x = \
	    *(const struct stats_domain *const *)a; \
	const struct stats_domain *y = \
	    *(const struct stats_domain *const *)b; \
	int64_t vx = (int64_t)(expr_x), vy = (int64_t)(expr_y); \
	if (vx != vy) \
		return ((vx < vy) ^ (desc)) ? -1 : 1; \
	return dcmp_name(a, b); \
}
DCMP(dcmp_msgs, x->messages, y->messages, 1)
DCMP(dcmp_rcpts, x->recipients, y->recipients, 1)
DCMP(dcmp_bytes, x->bytes, y->bytes, 1)
DCMP(dcmp_age, x->oldest, y->oldest, 0)
DCMP(dcmp_class, x->diag.cls ? x->diag.cls : 99,
    y->diag.cls ? y->diag.cls : 99, 0)
DCMP(dcmp_tarpit, x->diag.tarpit * 1000, y->diag.tarpit * 1000, 1)
DCMP(dcmp_callout, x->diag.callout_deferred + x->diag.callout_rejected +
    x->diag.callout_cached, y->diag.callout_deferred +
    y->diag.callout_rejected + y->diag.callout_cached, 1)
DCMP(dcmp_lastok, x->diag.last_success, y->diag.last_success, 0)
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
	const struct spool_msg *x = *(const struct spool_msg *const *)a;
	const struct spool_msg *y = *(const struct spool_msg *const *)b;

	return strcmp(x->id, y->id);
}

#define MCMP(fn, expr_x, expr_y, desc) \
static int \
fn(const void *a, const void *b) \
{ \
	const struct spool_msg *x = *(const struct spool_msg *const *)a; \
	const struct spool_msg *y = *(const struct spool_msg *const *)b; \
	int64_t vx = (int64_t)(expr_x), vy = (int64_t)(expr_y); \
	if (vx != vy) \
		return ((vx < vy) ^ (desc)) ? -1 : 1; \
	return mcmp_id(a, b); \
}
MCMP(mcmp_age, x->arrival, y->arrival, 0)
MCMP(mcmp_size, x->size, y->size, 1)
MCMP(mcmp_rcpts, x->npending, y->npending, 1)
MCMP(mcmp_class, x->cls ? x->cls : 99, y->cls ? y->cls : 99, 0)

static int
mcmp_sender(const void *a, const void *b)
{
	const struct spool_msg *x = *(const struct spool_msg *const *)a;
	const struct spool_msg *y = *(const struct spool_msg *const *)b;
	int c = strcmp(x->sender ? x->sender : "", y->sender ? y->sender : "");

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
	int ncol, i, w[16], on[16], need, spare, grow, best;
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
	if (v_top(v)->scr == VIEW_MESSAGES) {
		/* Old 16-character ids need less. */
		w[MC_ID] = 16;
		for (r = 0; r < v->nrows; r++)
			if (strlen(((const struct spool_msg *)v->row[r])->id) >
			    16) {
				w[MC_ID] = 23;
				break;
			}
	}
	/* Drop columns, least wanted first, until the minimum fits. */
	for (;;) {
		need = 1;
		for (i = 0; i < ncol; i++)
			if (on[i])
				need += w[i] + 1;
		if (need <= v->cols)
			break;
		best = -1;
		for (i = 0; i < ncol; i++)
			if (on[i] && cols[i].prio > 0 &&
			    (best < 0 || cols[i].prio > cols[best].prio))
				best = i;
		if (best < 0)
			break;
		on[best] = 0;
	}
	/* Share what is left among the flexible columns, one at a time. */
	spare = v->cols - need;
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

/* Whether m has a pending recipient in domain d that the filter keeps. */
static int
msg_in_domain(const struct view *v, const struct spool_msg *m, uint32_t d,
    const char *name)
{
	uint32_t j;

	for (j = 0; j < m->nrcpt; j++) {
		const struct spool_rcpt *r = &v->snap->rcpts[m->rcpt0 + j];

		if (r->state == RCPT_PENDING && r->domain == d &&
		    select_rcpt(v->sel, r->addr, name))
			return 1;
	}
	return 0;
}

static void
push_row(struct view *v, const void *p)
{
	xgrow(&v->row, &v->caprows, v->nrows + 1, sizeof(*v->row));
	v->row[v->nrows++] = p;
}

static void
reverse_rows(struct view *v)
{
	size_t i;
	const void *t;

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
			push_row(v, &v->st->domains[i]);
		qsort(v->row, v->nrows, sizeof(*v->row),
		    v_dorders[v->dorder].cmp);
		if (v->drev)
			reverse_rows(v);
	} else if (f->scr == VIEW_MESSAGES && v->snap != NULL) {
		d = f->ctx[0] ? domain_num(v, f->ctx) : UINT32_MAX;
		for (i = 0; i < v->snap->nmsgs; i++) {
			const struct spool_msg *m = &v->snap->msgs[i];

			if (!select_msg(v->sel, v->snap, m, v->now))
				continue;
			if (f->ctx[0] && (d == UINT32_MAX ||
			    !msg_in_domain(v, m, d, f->ctx)))
				continue;
			push_row(v, m);
		}
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
