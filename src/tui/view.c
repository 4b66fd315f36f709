/* view.c -- the view-model's life: creation, settings, accessors, tags. */
#include "tui/view.h"
#include "view_priv.h"
#include "model/plan.h"
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "base/mem.h"
#include "base/intern.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- A set of strings (open addressing, linear probing) ---- */

static size_t
set_find(const struct strset *s, const char *k)
{
	size_t i = (size_t)intern_hash(k, strlen(k)) & (s->cap - 1);

	while (s->slot[i] != NULL && strcmp(s->slot[i], k) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

int
v_strset_has(const struct strset *s, const char *k)
{
	return s->n > 0 && s->slot[set_find(s, k)] != NULL;
}

void
v_strset_add(struct strset *s, const char *k)
{
	size_t i, ocap = s->cap;
	char **old = s->slot;

	if ((s->n + 1) * 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->slot = xcalloc(s->cap, sizeof(*s->slot));
		for (i = 0; i < ocap; i++)
			if (old[i] != NULL)
				s->slot[set_find(s, old[i])] = old[i];
		free(old);
	}
	i = set_find(s, k);
	if (s->slot[i] == NULL) {
		s->slot[i] = xstrdup(k);
		s->n++;
	}
}

/* Knuth's deletion for linear probing: shift later entries back. */
void
v_strset_del(struct strset *s, const char *k)
{
	size_t i, j, h;

	if (s->n == 0 || s->slot[i = set_find(s, k)] == NULL)
		return;
	free(s->slot[i]);
	s->slot[i] = NULL;
	s->n--;
	for (j = (i + 1) & (s->cap - 1); s->slot[j] != NULL;
	    j = (j + 1) & (s->cap - 1)) {
		h = (size_t)intern_hash(s->slot[j], strlen(s->slot[j])) &
		    (s->cap - 1);
		/* Move j to i unless its home lies cyclically in (i, j]. */
		if ((i < j) ? (h <= i || h > j) : (h <= i && h > j)) {
			s->slot[i] = s->slot[j];
			s->slot[j] = NULL;
			i = j;
		}
	}
}

void
v_strset_clear(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* ---- Small helpers ---- */

struct frame *
v_top(struct view *v)
{
	return &v->stack[v->depth - 1];
}

const struct frame *
v_ctop(const struct view *v)
{
	return &v->stack[v->depth - 1];
}

int
v_is_list(enum view_screen s)
{
	return s == VIEW_DOMAINS || s == VIEW_MESSAGES;
}

/* ---- Construction and settings ---- */

struct view *
view_new(int utf8)
{
	struct view *v = xcalloc(1, sizeof(*v));
	int i;

	v->utf8 = utf8;
	v->cols = 80;
	v->rows = 24;
	v->depth = 1;
	v->stack[0].scr = VIEW_DOMAINS;
	for (i = 0; i < VIEW__NSCREENS; i++)
		arena_init(&v->pg[i].a);
	snprintf(v->args, sizeof(v->args), "%s", "");
	return v;
}

void
view_free(struct view *v)
{
	int i;

	if (v == NULL)
		return;
	if (v->own_sel)
		select_free(v->sel);
	for (i = 0; i < VIEW__NSCREENS; i++) {
		arena_free(&v->pg[i].a);
		free(v->pg[i].l);
		free(v->pg[i].d);
	}
	v_strset_clear(&v->tmsgs);
	v_strset_clear(&v->tdoms);
	free(v->row);
	plan_free(v->plan.p);
	select_free(v->plan.sel);
	free(v->probes);
	free(v);
}

void
view_set_info(struct view *v, const struct view_info *in)
{
	v->info = *in;
	snprintf(v->host, sizeof(v->host), "%s", in->host ? in->host : "");
	snprintf(v->spool, sizeof(v->spool), "%s", in->spool ? in->spool : "");
	snprintf(v->log, sizeof(v->log), "%s", in->log ? in->log : "");
	snprintf(v->warn, sizeof(v->warn), "%s", in->warn ? in->warn : "");
	v->info.host = v->host;
	v->info.spool = v->spool;
	v->info.log = in->log ? v->log : NULL;
	v->info.warn = v->warn;
}

void
view_set_select(struct view *v, struct select *sel, int own,
    const char *words)
{
	if (v->own_sel && v->sel != sel)
		select_free(v->sel);
	v->sel = sel;
	v->own_sel = own;
	if (sel != NULL && !select_empty(sel))
		select_to_args(sel, v->args, sizeof(v->args));
	else
		v->args[0] = '\0';
	if (words != NULL)
		snprintf(v->words, sizeof(v->words), "%s", words);
	else
		snprintf(v->words, sizeof(v->words), "%.511s", v->args);
}

const struct select *
view_select(const struct view *v)
{
	return v->sel;
}

int
view_set_order(struct view *v, const char *name, int reverse)
{
	size_t i;

	if (strcmp(name, "messages") == 0)
		name = "msgs";
	else if (strcmp(name, "oldest") == 0)
		name = "age";
	else if (strcmp(name, "domain") == 0)
		name = "name";
	else if (strcmp(name, "recipients") == 0)
		name = "rcpts";
	else if (strcmp(name, "size") == 0)
		name = "bytes";
	for (i = 0; i < v_ndorders; i++)
		if (strcmp(v_dorders[i].name, name) == 0) {
			v->dorder = (int)i;
			v->drev = reverse;
			v_recalc(v);
			return 0;
		}
	return -1;
}

void
view_set_rate(struct view *v, double rate)
{
	v->rate = rate;
}

void
view_resize(struct view *v, int cols, int rows)
{
	v->cols = cols < 1 ? 1 : cols > 2000 ? 2000 : cols;
	v->rows = rows < 1 ? 1 : rows;
	v_layout(v);
}

void
view_status(struct view *v, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->status, sizeof(v->status), fmt, ap);
	va_end(ap);
	v->status_err = error;
}

void
view_set_data(struct view *v, const struct spool_snap *snap,
    const struct stats *st, time_t now)
{
	v->snap = snap;
	v->st = st;
	v->now = now;
	if (snap != NULL && snap != v->hist_snap) {
		/* One depth sample per scan, for the sparkline. */
		if (v->nhist == HIST_MAX) {
			memmove(v->hist, v->hist + 1,
			    (HIST_MAX - 1) * sizeof(v->hist[0]));
			v->nhist--;
		}
		v->hist[v->nhist++] = (uint32_t)snap->nmsgs;
		v->hist_snap = snap;
	}
	if (v_top(v)->scr == VIEW_DIAGNOSE)
		v_build_diag(v);
	v_recalc(v);
}

void
view_open_messages(struct view *v)
{
	struct frame *f;

	if (v->depth >= NSTACK)
		return;
	f = &v->stack[v->depth++];
	memset(f, 0, sizeof(*f));
	f->scr = VIEW_MESSAGES;
	v_recalc(v);
}

/* ---- Accessors ---- */

enum view_screen
view_screen(const struct view *v)
{
	return v_ctop(v)->scr;
}

int
view_depth(const struct view *v)
{
	return v->depth;
}

size_t
view_nrows(const struct view *v)
{
	return v_is_list(v_ctop(v)->scr) ? v->nrows : 0;
}

size_t
view_cursor(const struct view *v)
{
	return v_ctop(v)->cursor;
}

const char *
view_row_key(const struct view *v, size_t i)
{
	if (!v_is_list(v_ctop(v)->scr) || i >= v->nrows)
		return NULL;
	if (v_ctop(v)->scr == VIEW_DOMAINS)
		return ((const struct stats_domain *)v->row[i].p)->name;
	return ((const struct spool_msg *)v->row[i].p)->id;
}

int
view_row_tagged(const struct view *v, size_t i)
{
	const char *k = view_row_key(v, i);

	if (k == NULL)
		return 0;
	return v_strset_has(v_ctop(v)->scr == VIEW_DOMAINS ? &v->tdoms :
	    &v->tmsgs, k);
}

size_t
view_ntagged(const struct view *v)
{
	return v->tmsgs.n + v->tdoms.n;
}

int
view_prompting(const struct view *v)
{
	return v->prompt != P_NONE;
}

const char *
view_sort_name(const struct view *v)
{
	return v_ctop(v)->scr == VIEW_MESSAGES ? v_morders[v->morder].name :
	    v_dorders[v->dorder].name;
}

int
view_sort_reverse(const struct view *v)
{
	return v_ctop(v)->scr == VIEW_MESSAGES ? v->mrev : v->drev;
}

const char *
view_filter_args(const struct view *v)
{
	return v->args;
}

int
view_cols(const struct view *v)
{
	return v->cols;
}

int
view_rows(const struct view *v)
{
	return v->rows;
}

const char *
view_msg_id(const struct view *v)
{
	int i;

	for (i = v->depth - 1; i >= 0; i--)
		if (v->stack[i].scr == VIEW_MESSAGE)
			return v->stack[i].ctx;
	return NULL;
}

const struct view_plan *
view_plan(const struct view *v)
{
	return &v->plan;
}

void
view_set_progress(struct view *v, const struct view_progress *p)
{
	v->prog = *p;
}
