/* view_render.c -- view_render() and view_print(): each screen line. */
#include "tui/view.h"
#include "view_priv.h"
#include "model/classify.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/diag.h"
#include "base/mem.h"
#include "base/intern.h"
#include "base/text.h"
#include "base/units.h"
#include "out/fmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const spark8[8] = {
	"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
	"\u2588"
};
static const char ascii8[] = ":-=+*#%@";

/* Level 0 (nothing) to 8 of n against max. */
static int
level(uint32_t n, uint32_t max)
{
	if (n == 0 || max == 0)
		return 0;
	return (int)(((uint64_t)n * 8 + max - 1) / max);
}

static void
lb_glyph(struct lb *b, int style, int lv)
{
	if (lv <= 0 && b->utf8)
		v_lb_put(b, style, "\u00b7", 2, 1, VIEW_ALIGN_LEFT);
	else if (lv <= 0)
		v_lb_put(b, style, ".", 1, 1, VIEW_ALIGN_LEFT);
	else if (b->utf8)
		v_lb_put(b, style, spark8[lv - 1], 3, 1, VIEW_ALIGN_LEFT);
	else
		v_lb_put(b, style, &ascii8[lv - 1], 1, 1, VIEW_ALIGN_LEFT);
}

static uint32_t
callouts(const struct diag_domain *g)
{
	return g->callout_deferred + g->callout_rejected + g->callout_cached;
}

static void
dom_cell(const struct view *v, struct lb *b, const struct stats_domain *d,
    int col, int w)
{
	char buf[64], a[16];
	int style = VIEW_ST_NORMAL, i;
	uint32_t max = 0;
	const struct diag_domain *g = d->diag != NULL ? d->diag : &v_nodiag;

	buf[0] = '\0';
	switch (col) {
	case DC_DOMAIN:
		v_lb_put(b, VIEW_ST_NORMAL, d->name, strlen(d->name), w,
		    VIEW_ALIGN_LEFT);
		return;
	case DC_MSGS:
		snprintf(buf, sizeof(buf), "%u", d->messages);
		break;
	case DC_RCPTS:
		snprintf(buf, sizeof(buf), "%u", d->recipients);
		break;
	case DC_SIZE:
		if (d->messages == 0)
			snprintf(buf, sizeof(buf), "-");
		else
			v_size_str(buf, sizeof(buf), d->bytes);
		break;
	case DC_OLDEST:
		if (d->messages == 0) {
			snprintf(buf, sizeof(buf), "-");
			style = VIEW_ST_DIM;
			break;
		}
		v_age(buf, sizeof(buf), v->now - d->oldest);
		if (v->now - d->oldest >= 86400)
			style = VIEW_ST_WARN;
		break;
	case DC_AGES:
		for (i = 0; i < STATS_NBUCKETS; i++)
			if (d->buckets[i] > max)
				max = d->buckets[i];
		for (i = 0; i < STATS_NBUCKETS && i < w; i++)
			lb_glyph(b, d->buckets[i] ? VIEW_ST_BAR : VIEW_ST_DIM,
			    level(d->buckets[i], max));
		v_lb_pad(b, VIEW_ST_NORMAL, w - i);
		return;
	case DC_CLASS:
		snprintf(buf, sizeof(buf), "%s", d->cls != CLASS_NONE ?
		    class_name(d->cls) : "-");
		style = d->cls != CLASS_NONE ? VIEW_ST_CLASS + (d->cls & 15) :
		    VIEW_ST_DIM;
		break;
	case DC_TARPIT:
		if (g->samples > 0)
			snprintf(buf, sizeof(buf), "%d%%%s",
			    (int)(g->tarpit * 100 + 0.5), g->suspected ? "!" :
			    "");
		else
			snprintf(buf, sizeof(buf), "-");
		style = g->suspected ? VIEW_ST_WARN : g->samples ?
		    VIEW_ST_NORMAL : VIEW_ST_DIM;
		break;
	case DC_CALLOUT:
		snprintf(buf, sizeof(buf), "%u", callouts(g));
		style = callouts(g) ? VIEW_ST_WARN : VIEW_ST_DIM;
		break;
	case DC_LASTOK:
		if (g->last_success)
			snprintf(buf, sizeof(buf), "%s", v_age(a, sizeof(a),
			    v->now - g->last_success));
		else
			snprintf(buf, sizeof(buf), "-");
		style = g->last_success ? VIEW_ST_NORMAL : VIEW_ST_DIM;
		break;
	case DC_FROZEN:
		snprintf(buf, sizeof(buf), "%u", d->frozen);
		style = d->frozen ? VIEW_ST_WARN : VIEW_ST_DIM;
		break;
	case DC_PROBE: {
		const struct vprobe *pr = v_probe_of(v, d->name);

		if (pr == NULL) {
			snprintf(buf, sizeof(buf), "-");
			style = VIEW_ST_DIM;
			break;
		}
		snprintf(buf, sizeof(buf), "%s %s", pr->verdict, v_age(a,
		    sizeof(a), v->now - pr->when));
		style = strcmp(pr->verdict, "ok") == 0 ? VIEW_ST_NORMAL :
		    VIEW_ST_WARN;
		break;
	}
	}
	v_lb_put(b, style, buf, strlen(buf), w, v_dcols[col].align);
}

static void
msg_cell(const struct view *v, struct lb *b, const struct vrow *row,
    int col, int w)
{
	const struct spool_msg *m = row->p;
	char buf[64], more[32], fb[SPOOL_ADDR_BUF];
	int style = VIEW_ST_NORMAL, mw;
	const char *ctx = v_ctop(v)->ctx, *first = NULL, *dn;
	uint32_t j, npend = 0;

	buf[0] = '\0';
	switch (col) {
	case MC_AGE:
		v_age(buf, sizeof(buf), v->now - m->arrival);
		break;
	case MC_SIZE:
		if (m->size >= 0)
			v_size_str(buf, sizeof(buf), m->size);
		break;
	case MC_ID:
		snprintf(buf, sizeof(buf), "%s", m->id);
		break;
	case MC_SENDER:
		if (spool_msg_sender(m) == NULL || spool_msg_sender(m)[0] == '\0')
			v_lb_put(b, VIEW_ST_DIM, "<>", 2, w, VIEW_ALIGN_LEFT);
		else
			v_lb_put(b, style, spool_msg_sender(m), strlen(spool_msg_sender(m)), w,
			    VIEW_ALIGN_LEFT);
		return;
	case MC_RCPT:
		/* The first pending recipient (in the domain shown), +N. */
		for (j = 0; j < m->nrcpt; j++) {
			const struct spool_rcpt *r = &v->snap->rcpts[m->rcpt0 +
			    j];

			if (r->state != RCPT_PENDING)
				continue;
			npend++;
			dn = intern_str(v->snap->domains, r->domain);
			if (first == NULL && (ctx[0] == '\0' ||
			    strcmp(dn, ctx) == 0))
				first = spool_rcpt_addr(v->snap, r, fb);
		}
		if (first == NULL) {
			v_lb_put(b, VIEW_ST_DIM, "(none pending)", 14, w,
			    VIEW_ALIGN_LEFT);
			return;
		}
		more[0] = '\0';
		if (npend > 1)
			snprintf(more, sizeof(more), " +%u", npend - 1);
		mw = (int)strlen(more);
		if (mw > w / 2)
			mw = more[0] = 0;
		v_lb_put(b, style, first, strlen(first), w - mw,
		    VIEW_ALIGN_LEFT);
		v_lb_put(b, VIEW_ST_DIM, more, strlen(more), mw,
		    VIEW_ALIGN_LEFT);
		return;
	case MC_CLASS:
		snprintf(buf, sizeof(buf), "%s", row->cls != CLASS_NONE ?
		    class_name(row->cls) : "-");
		style = row->cls != CLASS_NONE ? VIEW_ST_CLASS +
		    (row->cls & 15) : VIEW_ST_DIM;
		break;
	case MC_FLAGS:
		fmt_msg_flags(buf, m);
		if (m->flags & MSG_F_BADFILE)
			style = VIEW_ST_BAD;
		else if (m->flags & MSG_F_FROZEN)
			style = VIEW_ST_WARN;
		break;
	}
	v_lb_put(b, style, buf, strlen(buf), w, v_mcols[col].align);
}

static const char *
scr_name(const struct frame *f, char *buf, size_t len)
{
	switch (f->scr) {
	case VIEW_DOMAINS:
		snprintf(buf, len, "Domains");
		break;
	case VIEW_MESSAGES:
		snprintf(buf, len, "%s", f->ctx[0] ? f->ctx : "all messages");
		break;
	case VIEW_MESSAGE:
		snprintf(buf, len, "%s", f->ctx);
		break;
	case VIEW_BODY:
		snprintf(buf, len, "body");
		break;
	case VIEW_DIAGNOSE:
		snprintf(buf, len, "diagnose %s", f->ctx);
		break;
	case VIEW_PLAN:
		snprintf(buf, len, "plan");
		break;
	case VIEW_RECOVER:
		snprintf(buf, len, "recover %s", f->ctx);
		break;
	default:
		snprintf(buf, len, "help");
		break;
	}
	return buf;
}

/* A value then its label: "123 msgs". */
static void
lb_val(struct lb *b, int vstyle, const char *val, const char *label)
{
	v_lb_str(b, vstyle, val);
	v_lb_str(b, VIEW_ST_HEAD, label);
}

/* Header line 0: relay, spool, log, and the scan's state. */
static void
header_where(const struct view *v, struct lb *b)
{
	char buf[1024], right[512], t[64];
	struct tm tm;
	int rw, k, n;

	right[0] = '\0';
	if (v->printing) {
		units_fmt_time(t, sizeof(t), v->now);
		snprintf(right, sizeof(right), "as of %s UTC", t);
	} else if (v->info.scanning && v->info.undiagnosed)
		snprintf(right, sizeof(right), "reading the logs");
	else if (v->info.scanning && v->info.scan_total > 0)
		snprintf(right, sizeof(right), "scanning %zu%% of %zu",
		    v->info.scan_done * 100 / v->info.scan_total,
		    v->info.scan_total);
	else if (v->info.scanning)
		snprintf(right, sizeof(right), "scanning...");
	else if (v->info.scan_time != 0) {
		localtime_r(&v->info.scan_time, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		snprintf(right, sizeof(right), "scanned %s in %.2fs",
		    t, v->info.scan_secs);
	}
	rw = view_width(right, strlen(right), v->utf8);
	v_lb_str(b, VIEW_ST_TITLE, "mxtop ");
	snprintf(buf, sizeof(buf), "%s", v->host[0] ? v->host :
	    "(host)");
	v_lb_put(b, VIEW_ST_HEADVAL, buf, strlen(buf), -1,
	    VIEW_ALIGN_LEFT);
	v_lb_str(b, VIEW_ST_HEAD, "  spool ");
	n = b->width - b->x - rw - 2;
	if (n > 0) {
		/* The spool, then the log in what is left. */
		k = view_width(v->spool, strlen(v->spool), v->utf8);
		if (k > n)
			k = n;
		v_lb_put(b, VIEW_ST_HEADVAL, v->spool, strlen(v->spool),
		    k, VIEW_ALIGN_LEFT);
		n = b->width - b->x - rw - 2 - 6;
		if (n >= 8) {
			v_lb_str(b, VIEW_ST_HEAD, "  log ");
			if (v->info.log != NULL)
				v_lb_put(b, VIEW_ST_HEADVAL, v->log,
				    strlen(v->log), n,
				    VIEW_ALIGN_LEFT);
			else
				v_lb_put(b, VIEW_ST_DIM, "none", 4, n,
				    VIEW_ALIGN_LEFT);
		}
	} else
		rw = 0;
	if (rw > 0) {
		v_lb_pad(b, VIEW_ST_HEAD, b->width - b->x - rw);
		v_lb_str(b, v->info.scanning ? VIEW_ST_WARN :
		    VIEW_ST_HEAD, right);
	}
}

/* Header line 1: the queue in figures, and its depth over time. */
static void
header_figures(const struct view *v, struct lb *b)
{
	char buf[1024], sz[32];
	const struct stats *st = v->st;
	size_t i;
	uint32_t co = 0, max;
	int k, n;

	if (st == NULL && v->info.scan_total > 0) {
		snprintf(buf, sizeof(buf), "scanning the spool: %zu of "
		    "%zu messages read (partial)", v->info.scan_done,
		    v->info.scan_total);
		v_lb_str(b, VIEW_ST_WARN, buf);
		return;
	}
	if (st == NULL) {
		v_lb_str(b, VIEW_ST_WARN, "scanning the spool...");
		return;
	}
	for (i = 0; i < st->ndomains; i++)
		co += st->domains[i].diag != NULL ?
		    callouts(st->domains[i].diag) : 0;
	snprintf(buf, sizeof(buf), "%u", st->total.messages);
	lb_val(b, VIEW_ST_HEADVAL, buf, " msgs  ");
	snprintf(buf, sizeof(buf), "%u", st->total.recipients);
	lb_val(b, VIEW_ST_HEADVAL, buf, " rcpts  ");
	lb_val(b, VIEW_ST_HEADVAL, v_size_str(sz, sizeof(sz),
	    st->total.bytes), "  ");
	snprintf(buf, sizeof(buf), "%u", st->total.frozen);
	v_lb_str(b, VIEW_ST_HEAD, "frozen ");
	lb_val(b, st->total.frozen ? VIEW_ST_WARN : VIEW_ST_HEADVAL,
	    buf, "  ");
	snprintf(buf, sizeof(buf), "%u", st->total.active);
	v_lb_str(b, VIEW_ST_HEAD, "active ");
	lb_val(b, VIEW_ST_HEADVAL, buf, "  ");
	if (st->total.bad > 0) {
		snprintf(buf, sizeof(buf), "%u", st->total.bad);
		v_lb_str(b, VIEW_ST_HEAD, "bad ");
		lb_val(b, VIEW_ST_BAD, buf, "  ");
	}
	snprintf(buf, sizeof(buf), "%u", co);
	v_lb_str(b, VIEW_ST_HEAD, "callout fail ");
	lb_val(b, co ? VIEW_ST_WARN : VIEW_ST_HEADVAL, buf, "  ");
	if (v->info.partial)
		v_lb_str(b, VIEW_ST_WARN, "(partial)  ");
	else if (v->info.undiagnosed)
		v_lb_str(b, VIEW_ST_WARN, "(no classes yet)  ");
	/* Depth since start, as many samples as fit. */
	n = b->width - b->x - 6;
	if (n > 40)
		n = 40;
	if (n > v->nhist)
		n = v->nhist;
	if (n > 0) {
		v_lb_str(b, VIEW_ST_HEAD, "depth ");
		max = 0;
		for (k = v->nhist - n; k < v->nhist; k++)
			if (v->hist[k] > max)
				max = v->hist[k];
		for (k = v->nhist - n; k < v->nhist; k++)
			lb_glyph(b, VIEW_ST_BAR, v->hist[k] ?
			    level(v->hist[k], max) : 0);
	}
}

/* Header line 2: the filter, what could not be read, where we are. */
static void
header_filter(const struct view *v, struct lb *b)
{
	char right[512], t[64];
	int rw, k, n, style;

	right[0] = '\0';
	if (view_ntagged(v) > 0)
		snprintf(right, sizeof(right), "[%zu tagged]  ",
		    view_ntagged(v));
	for (k = 0; k < v->depth; k++) {
		if (k > 0)
			strncat(right, " > ", sizeof(right) - strlen(right) -
			    1);
		strncat(right, scr_name(&v->stack[k], t, sizeof(t)),
		    sizeof(right) - strlen(right) - 1);
	}
	/* Where the cursor is on a list: "N/M". */
	if (v_is_list(v_ctop(v)->scr) && v->nrows > 0 && !v->printing) {
		snprintf(t, sizeof(t), " %zu/%zu", v_ctop(v)->cursor + 1,
		    v->nrows);
		strncat(right, t, sizeof(right) - strlen(right) - 1);
	}
	rw = view_width(right, strlen(right), v->utf8);
	if (rw > b->width / 2)
		rw = b->width / 2;
	v_lb_str(b, VIEW_ST_HEAD, "filter ");
	style = v->words[0] ? VIEW_ST_WARN : VIEW_ST_DIM;
	n = b->width - b->x - rw - 2;
	if (v->warn[0] != '\0' && n > 40)
		n = n / 2;	/* the other half for what could not be read */
	{
		const char *fw = v->words[0] ? v->words : "none (/ sets one)";
		int w = view_width(fw, strlen(fw), v->utf8);

		v_lb_put(b, style, fw, strlen(fw), w < n ? w : n > 0 ? n : 0,
		    VIEW_ALIGN_LEFT);
	}
	/* What could not be read: marked, in the room left. */
	n = b->width - b->x - rw - 2 - 4;
	if (v->warn[0] != '\0' && n >= 8) {
		v_lb_str(b, VIEW_ST_HEAD, "  ");
		v_lb_put(b, VIEW_ST_BAD, "! ", 2, 2, VIEW_ALIGN_LEFT);
		v_lb_put(b, VIEW_ST_BAD, v->warn, strlen(v->warn), n,
		    VIEW_ALIGN_LEFT);
	}
	v_lb_pad(b, VIEW_ST_HEAD, b->width - b->x - rw);
	v_lb_put(b, VIEW_ST_HEADVAL, right, strlen(right), rw,
	    VIEW_ALIGN_RIGHT);
}

static void
header(const struct view *v, int y, struct lb *b)
{
	if (y == 0)
		header_where(v, b);
	else if (y == 1)
		header_figures(v, b);
	else
		header_filter(v, b);
}

static void
title(const struct view *v, struct lb *b)
{
	const struct frame *f = v_ctop(v);
	const struct view_col *cols = f->scr == VIEW_DOMAINS ? v_dcols :
	    v_mcols;
	int i, col, sortcol;
	char right[64];
	const struct pager *p;
	size_t n, h;

	if (v_is_list(f->scr)) {
		sortcol = f->scr == VIEW_DOMAINS ? v_dorders[v->dorder].col :
		    v_morders[v->morder].col;
		right[0] = '\0';
		v_lb_str(b, VIEW_ST_COLHDR, " ");
		for (i = 0; i < v->nlay; i++) {
			col = v->lay[i];
			v_lb_str(b, VIEW_ST_COLHDR, " ");
			v_lb_put(b, col == sortcol ? VIEW_ST_SORTHDR :
			    VIEW_ST_COLHDR, cols[col].name,
			    strlen(cols[col].name), v->layw[i],
			    cols[col].align);
		}
		if (b->width - b->x > (int)strlen(right)) {
			v_lb_pad(b, VIEW_ST_COLHDR, b->width - b->x -
			    (int)strlen(right));
			v_lb_str(b, VIEW_ST_COLHDR, right);
		}
		v_lb_fill(b, VIEW_ST_COLHDR);
		return;
	}
	p = &v->pg[f->scr];
	n = p->nd;
	h = (size_t)v_body_h(v);
	if (n > 0)
		snprintf(right, sizeof(right), " %zu-%zu/%zu ", f->top + 1,
		    f->top + h < n ? f->top + h : n, n);
	else
		right[0] = '\0';
	v_lb_str(b, VIEW_ST_TITLE, " ");
	/* A message that left the queue while it was open says so. */
	if ((f->scr == VIEW_MESSAGE || f->scr == VIEW_BODY) && v->snap != NULL &&
	    view_msg_id(v) != NULL && spool_find(v->snap, view_msg_id(v)) ==
	    NULL) {
		v_lb_put(b, VIEW_ST_TITLE, p->title, strlen(p->title),
		    b->width - 8 - (int)strlen(right), VIEW_ALIGN_LEFT);
		v_lb_str(b, VIEW_ST_WARN, " (gone)");
	} else
		v_lb_put(b, VIEW_ST_TITLE, p->title, strlen(p->title),
		    b->width - 1 - (int)strlen(right), VIEW_ALIGN_LEFT);
	v_lb_put(b, VIEW_ST_TITLE, right, strlen(right), -1, VIEW_ALIGN_RIGHT);
	v_lb_fill(b, VIEW_ST_TITLE);
}

static void
body(const struct view *v, int row, struct lb *b)
{
	const struct frame *f = v_ctop(v);
	size_t idx = f->top + (size_t)row;
	const struct pager *p;
	const struct dline *d;
	int i;

	if (v_is_list(f->scr)) {
		if (idx >= v->nrows) {
			char nm[600];

			if (idx != 0)
				return;
			if (v->st == NULL)
				v_lb_str(b, VIEW_ST_DIM, "  (scanning)");
			else if (v->words[0] != '\0') {
				/* Never "nothing queued" when it is the
				 * filter that matches nothing. */
				snprintf(nm, sizeof(nm), "  no match for "
				    "filter %s", v->words);
				v_lb_str(b, VIEW_ST_WARN, nm);
			} else
				v_lb_str(b, VIEW_ST_DIM, f->scr ==
				    VIEW_DOMAINS ? "  (nothing queued)" :
				    "  (no messages here)");
			return;
		}
		if (idx == f->cursor && !v->printing)
			b->l->flags |= VIEW_LF_CURSOR;
		if (view_row_tagged(v, idx)) {
			b->l->flags |= VIEW_LF_TAGGED;
			v_lb_str(b, VIEW_ST_WARN, "*");
		} else
			v_lb_str(b, VIEW_ST_NORMAL, " ");
		for (i = 0; i < v->nlay; i++) {
			v_lb_str(b, VIEW_ST_NORMAL, " ");
			if (f->scr == VIEW_DOMAINS)
				dom_cell(v, b, v->row[idx].p, v->lay[i],
				    v->layw[i]);
			else
				msg_cell(v, b, &v->row[idx], v->lay[i],
				    v->layw[i]);
		}
		return;
	}
	p = &v->pg[f->scr];
	if (p->wrapped_at != v->cols)
		v_pg_wrap((struct pager *)p, v->cols, v->utf8);
	if (idx >= p->nd) {
		if (idx == 0 && f->scr == VIEW_MESSAGE)
			v_lb_str(b, VIEW_ST_DIM, "  (loading)");
		return;
	}
	d = &p->d[idx];
	if (f->hit == idx + 1 && !v->printing)
		b->l->flags |= VIEW_LF_CURSOR;
	if (d->cont)
		v_lb_pad(b, p->l[d->pl].style,
		    p->l[d->pl].indent > v->cols / 3 ? 4 : p->l[d->pl].indent);
	v_lb_put(b, p->l[d->pl].style, p->l[d->pl].text + d->off, d->len, -1,
	    VIEW_ALIGN_LEFT);
}

static void
status(const struct view *v, struct lb *b)
{
	const struct frame *f = v_ctop(v);
	const struct view_progress *p = &v->prog;
	char buf[1536];
	const char *in;
	int i, n, bw, fill, room;

	if (v->prompt != P_NONE) {
		n = view_width(v->ptext, strlen(v->ptext), v->utf8);
		bw = view_width(v->ptail, strlen(v->ptail), v->utf8);
		fill = view_width(v->pdetail, strlen(v->pdetail), v->utf8);
		/* Room for the input (a file name is read from its start),
		 * up to two thirds of the line; the head gives way first. */
		room = view_width(v->input, strlen(v->input), v->utf8) + 2;
		if (room > b->width * 2 / 3)
			room = b->width * 2 / 3;
		if (room < 12)
			room = 12;
		if (n + bw > b->width - room)
			n = b->width - room - bw;
		v_lb_put(b, VIEW_ST_PROMPT, v->ptext, strlen(v->ptext),
		    n > 0 ? n : 0, VIEW_ALIGN_LEFT);
		if (b->x + fill + bw <= b->width - room)
			v_lb_str(b, VIEW_ST_NORMAL, v->pdetail);
		v_lb_str(b, VIEW_ST_PROMPT, v->ptail);
		/* The end of the input, if it is too long. */
		in = v->input;
		while (*in != '\0' && view_width(in, strlen(in), v->utf8) >
		    b->width - b->x - 2)
			in++;
		v_lb_str(b, VIEW_ST_NORMAL, in);
		v_lb_str(b, VIEW_ST_PROMPT, "_");
		return;
	}
	if (v->status[0] != '\0') {
		v_lb_str(b, v->status_err ? VIEW_ST_ERROR : VIEW_ST_STATUS,
		    v->status);
		return;
	}
	if (p->running) {
		snprintf(buf, sizeof(buf), "%s ", p->verb ? p->verb :
		    "action");
		v_lb_str(b, VIEW_ST_STATUS, buf);
		bw = 20;
		fill = p->total ? (int)((double)p->done * bw / p->total) : 0;
		v_lb_str(b, VIEW_ST_STATUS, "[");
		for (i = 0; i < bw; i++)
			v_lb_str(b, i < fill ? VIEW_ST_BAR : VIEW_ST_DIM,
			    i < fill ? "#" : ".");
		n = snprintf(buf, sizeof(buf), "] %zu/%zu ok %zu failed %zu "
		    "gone %zu", p->done, p->total, p->ok, p->failed, p->gone);
		if (p->rate > 0)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			    "  %.1f/s", p->rate);
		if (p->eta >= 0) {
			char a[16];

			snprintf(buf + n, sizeof(buf) - (size_t)n, " ETA %s",
			    v_age(a, sizeof(a), (int64_t)p->eta));
		}
		v_lb_str(b, VIEW_ST_STATUS, buf);
		v_lb_str(b, VIEW_ST_DIM, "  x cancels");
		return;
	}
	if (p->result[0] != '\0') {
		v_lb_str(b, VIEW_ST_STATUS, p->result);
		return;
	}
	if (v->args[0] != '\0' || (f->scr == VIEW_MESSAGES && f->ctx[0])) {
		snprintf(buf, sizeof(buf), "mxtop %s", f->scr == VIEW_MESSAGES ?
		    "list" : "summary");
		if (f->scr == VIEW_MESSAGES && f->ctx[0]) {
			strncat(buf, " --domain ", sizeof(buf) - strlen(buf) -
			    1);
			text_shquote_cat(buf, sizeof(buf), f->ctx);
		}
		if (v->args[0] != '\0') {
			strncat(buf, " ", sizeof(buf) - strlen(buf) - 1);
			strncat(buf, v->args, sizeof(buf) - strlen(buf) - 1);
		}
		if (v_is_list(f->scr)) {
			v_lb_str(b, VIEW_ST_KEY, buf);
			v_lb_str(b, VIEW_ST_DIM, "   ? help");
			return;
		}
	}
	switch (f->scr) {
	case VIEW_DOMAINS:
		v_lb_str(b, VIEW_ST_DIM, "Enter open  / filter  s sort  "
		    "d diagnose  Space tag  f flush  ? help  q quit");
		break;
	case VIEW_MESSAGES:
		v_lb_str(b, VIEW_ST_DIM, "Enter open  Space tag  a all  "
		    "/ filter  s sort  f b D F T act  ? help  q back");
		break;
	case VIEW_MESSAGE:
		v_lb_str(b, VIEW_ST_DIM, "B body  j/k scroll  f b D F T act  "
		    "? help  q back");
		break;
	case VIEW_BODY:
		v_lb_str(b, VIEW_ST_DIM, "B or q back  j/k scroll");
		break;
	case VIEW_DIAGNOSE:
		v_lb_str(b, VIEW_ST_DIM, "f flush  b bounce  F freeze  "
		    "j/k scroll  q back");
		break;
	default:
		v_lb_str(b, VIEW_ST_DIM, "q back");
		break;
	}
}

void
view_render(const struct view *v, int y, struct view_line *l)
{
	struct lb b;
	int hl = v_head_lines(v);

	v_lb_init(&b, l, v->cols, v->utf8);
	if (y == v->rows - 1 && !v->printing)
		status(v, &b);
	else if (y < hl)
		header(v, y, &b);
	else if (y == hl)
		title(v, &b);
	else
		body(v, y - v_body_y0(v), &b);
	v_lb_fill(&b, VIEW_ST_NORMAL);
}

void
view_print(const struct view *v, void (*out)(const char *, void *),
    void *arg)
{
	struct view *c = xmalloc(sizeof(*c));
	struct view_line *l = xmalloc(sizeof(*l));
	int y, n;

	*c = *v;
	c->depth = 1;
	c->stack[0].top = 0;
	c->printing = 1;
	c->rows = (int)v->nrows + 5;
	if (c->rows < 12)
		c->rows = 12;
	n = v_body_y0(c) + (int)(v->nrows > 0 ? v->nrows : 1);
	for (y = 0; y < n; y++) {
		view_render(c, y, l);
		/* Plain text: no trailing blanks. */
		while (l->len > 0 && l->text[l->len - 1] == ' ')
			l->text[--l->len] = '\0';
		out(l->text, arg);
	}
	free(l);
	free(c);
}
