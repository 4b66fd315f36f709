/* view_text.c -- text width, the sanitizing line builder, pager lines. */
#include "tui/view.h"
#include "view_priv.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ---- Formatting ---- */

const char *
v_age(char *buf, size_t len, int64_t secs)
{
	return units_fmt_age(buf, len, secs);
}

const char *
v_size_str(char *buf, size_t len, int64_t n)
{
	char tmp[32], *p = tmp;

	units_fmt_size(tmp, sizeof(tmp), n);
	while (*p == ' ')
		p++;
	snprintf(buf, len, "%.15s", p);
	return buf;
}

int
view_width(const char *s, size_t len, int utf8)
{
	size_t i = 0;
	int w, sub, total = 0;

	while (i < len && s[i] != '\0') {
		i += text_char(s + i, len - i, utf8, &w, &sub);
		total += sub ? 1 : w;
	}
	return total;
}

/* ---- The line builder ---- */

void
v_lb_init(struct lb *b, struct view_line *l, int width, int utf8)
{
	b->l = l;
	b->x = 0;
	b->width = width;
	b->utf8 = utf8;
	l->len = 0;
	l->nspan = 0;
	l->flags = 0;
	l->text[0] = '\0';
}

static void
lb_bytes(struct lb *b, int style, const char *s, size_t n)
{
	struct view_line *l = b->l;
	struct view_span *sp;

	if (n == 0 || l->len + n >= sizeof(l->text))
		return;
	sp = l->nspan > 0 ? &l->span[l->nspan - 1] : NULL;
	if (sp == NULL || (sp->style != style &&
	    l->nspan < VIEW_SPANS_MAX)) {
		sp = &l->span[l->nspan++];
		sp->off = (uint16_t)l->len;
		sp->len = 0;
		sp->style = (uint8_t)style;
	}
	memcpy(l->text + l->len, s, n);
	l->len += n;
	l->text[l->len] = '\0';
	sp->len = (uint16_t)(l->len - sp->off);
}

void
v_lb_pad(struct lb *b, int style, int n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		int k = n > 32 ? 32 : n;

		lb_bytes(b, style, sp, (size_t)k);
		b->x += k;
		n -= k;
	}
}

/* Appends untrusted s[0..len), sanitized, in a field of w columns (w < 0:
 * whatever still fits), cut with TEXT_CUT when too long: text_fit(), the
 * command line's model too. */
void
v_lb_put(struct lb *b, int style, const char *s, size_t len, int w, int align)
{
	char tmp[VIEW_LINE_MAX];
	size_t n;
	int room, tw, natural = w < 0;

	room = b->width - b->x;
	if (w < 0 || w > room)
		w = room < 0 ? 0 : room;
	n = text_fit(tmp, sizeof(tmp), s, s != NULL ? len : 0, w, b->utf8,
	    &tw);
	if (natural)
		w = tw;
	if (align == VIEW_ALIGN_RIGHT)
		v_lb_pad(b, style, w - tw);
	lb_bytes(b, style, tmp, n);
	b->x += tw;
	if (align == VIEW_ALIGN_LEFT)
		v_lb_pad(b, style, w - tw);
}

void
v_lb_str(struct lb *b, int style, const char *s)
{
	v_lb_put(b, style, s, strlen(s), -1, VIEW_ALIGN_LEFT);
}

void
v_lb_fill(struct lb *b, int style)
{
	v_lb_pad(b, style, b->width - b->x);
}

/* ---- Pager ---- */

void
v_pg_clear(struct pager *p)
{
	arena_free(&p->a);
	p->n = 0;
	p->nd = 0;
	p->wrapped_at = 0;
	p->title[0] = '\0';
}

void
v_pg_addn(struct pager *p, int style, int indent, const char *s, size_t len)
{
	char *buf;
	size_t blen = len * 4 + 1;

	buf = xmalloc(blen);
	text_sanitize(buf, blen, s, len);
	xgrow(&p->l, &p->cap, p->n + 1, sizeof(*p->l));
	p->l[p->n].text = arena_strdup(&p->a, buf);
	p->l[p->n].style = (uint8_t)style;
	p->l[p->n].indent = (uint8_t)indent;
	p->n++;
	p->wrapped_at = 0;
	free(buf);
}

void
v_pg_add(struct pager *p, int style, int indent, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	v_pg_addn(p, style, indent, buf, strlen(buf));
}

/* Adds "  label  value", value being untrusted (sanitized by v_pg_addn()). */
void
v_pg_kv(struct pager *p, const char *label, const char *value)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "  %-13s %s", label, value ? value : "");
	v_pg_addn(p, VIEW_ST_NORMAL, 16, buf, strlen(buf));
}

void
v_pg_wrap(struct pager *p, int width, int utf8)
{
	size_t i, off, len, k, n, brk;
	int x, cw, sub, avail, cont, ind;

	if (p->wrapped_at == width)
		return;
	p->nd = 0;
	if (width < 8)
		width = 8;
	for (i = 0; i < p->n; i++) {
		const char *t = p->l[i].text;

		len = strlen(t);
		off = 0;
		cont = 0;
		ind = p->l[i].indent > width / 3 ? 4 : p->l[i].indent;
		do {
			avail = width - (cont ? ind : 0);
			if (avail < 4)
				avail = 4;
			x = 0;
			brk = 0;
			for (k = off; k < len; k += n) {
				n = text_char(t + k, len - k, utf8, &cw, &sub);
				if (sub)
					cw = 1;
				if (x + cw > avail)
					break;
				if (t[k] == ' ' && k > off)
					brk = k;
				x += cw;
			}
			/* Break at the last blank, if the line has one. */
			if (k < len && brk > off)
				k = brk + 1;
			if (k == off && off < len)
				k = off + 1;
			xgrow(&p->d, &p->capd, p->nd + 1, sizeof(*p->d));
			p->d[p->nd].pl = (uint32_t)i;
			p->d[p->nd].off = (uint32_t)off;
			p->d[p->nd].len = (uint32_t)(k - off);
			p->d[p->nd].cont = (uint8_t)cont;
			p->nd++;
			off = k;
			cont = 1;
		} while (off < len);
	}
	p->wrapped_at = width;
}

/* Whether line d of pager p holds w (lower case), ignoring case. */
static int
dline_has(const struct pager *p, const struct dline *d, const char *w)
{
	const char *t = p->l[d->pl].text + d->off;
	size_t i, k, n = strlen(w);

	for (i = 0; i + n <= d->len; i++) {
		for (k = 0; k < n && (char)tolower((unsigned char)t[i + k]) ==
		    w[k]; k++)
			;
		if (k == n)
			return 1;
	}
	return 0;
}

void
v_search(struct view *v, int dir)
{
	struct frame *f = v_top(v);
	struct pager *p;
	char w[256];
	size_t i, n, start, nmatch = 0, at = 0, k;

	if (v_is_list(f->scr))
		return;
	p = &v->pg[f->scr];
	v_pg_wrap(p, v->cols, v->utf8);
	for (i = 0; v->search[i] != '\0' && i < sizeof(w) - 1; i++)
		w[i] = (char)tolower((unsigned char)v->search[i]);
	w[i] = '\0';
	if (w[0] == '\0') {
		view_status(v, 1, "no search: / asks for a word");
		return;
	}
	n = p->nd;
	for (i = 0; i < n; i++)
		nmatch += dline_has(p, &p->d[i], w);
	if (nmatch == 0) {
		view_status(v, 1, "no match for %s", v->search);
		return;
	}
	/* From the line after the last match (or before it; a new search
	 * from the top line on), wrapping round. */
	if (f->hit == 0 || f->hit > n) {
		start = f->top < n ? f->top : 0;
		if (dir > 0)
			start = (start + n - 1) % n;
	} else
		start = f->hit - 1;
	for (k = 1; k <= n; k++) {
		i = dir > 0 ? (start + k) % n : (start + n - k) % n;
		if (dline_has(p, &p->d[i], w))
			break;
	}
	f->hit = i + 1;
	/* The match on screen: at the top when it is below the page. */
	if (i < f->top || i >= f->top + (size_t)v_body_h(v))
		f->top = i;
	for (k = 0; k <= i; k++)
		at += dline_has(p, &p->d[k], w);
	v_clamp(v);
	view_status(v, 0, "match %zu of %zu for %s (n next, N previous)", at,
	    nmatch, v->search);
}
