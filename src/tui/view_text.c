/* view_text.c -- text width, the sanitizing line builder, pager lines. */
#include "tui/view.h"
#include "view_priv.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

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

/* Decodes the character at s[0..len): returns its bytes, its display
 * width in *w, and whether it must show as '?' in *subst (not UTF-8
 * terminal, unprintable, or a bidi/format control). */
static size_t
nextch(const char *s, size_t len, int utf8, int *w, int *subst)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	wchar_t wc;
	int cw;

	*subst = 0;
	*w = 1;
	if (u[0] < 0x80) {
		if (u[0] < 0x20 || u[0] == 0x7f)
			*subst = 1;
		return 1;
	}
	if ((n = text_utf8_len(u, len)) == 0) {
		*subst = 1;
		return 1;
	}
	if (!utf8) {
		*subst = 1;
		return n;
	}
	if (n == 2)
		wc = (wchar_t)(((u[0] & 0x1f) << 6) | (u[1] & 0x3f));
	else if (n == 3)
		wc = (wchar_t)(((u[0] & 0x0f) << 12) | ((u[1] & 0x3f) << 6) |
		    (u[2] & 0x3f));
	else
		wc = (wchar_t)(((u[0] & 0x07) << 18) | ((u[1] & 0x3f) << 12) |
		    ((u[2] & 0x3f) << 6) | (u[3] & 0x3f));
	if ((wc >= 0x80 && wc < 0xa0) || (wc >= 0x200b && wc <= 0x200f) ||
	    (wc >= 0x202a && wc <= 0x202e) || (wc >= 0x2066 && wc <= 0x2069) ||
	    wc == 0xfeff) {
		*subst = 1;
		return n;
	}
	cw = wcwidth(wc);
	if (cw < 0) {
		*subst = 1;
		return n;
	}
	*w = cw;
	return n;
}

int
view_width(const char *s, size_t len, int utf8)
{
	size_t i = 0;
	int w, sub, total = 0;

	while (i < len && s[i] != '\0') {
		i += nextch(s + i, len - i, utf8, &w, &sub);
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
 * whatever still fits), cut with '~' when too long. */
void
v_lb_put(struct lb *b, int style, const char *s, size_t len, int w, int align)
{
	char tmp[VIEW_LINE_MAX];
	size_t i, n, end, cut;
	int cw, sub, tw, room, x, xcut, natural = w < 0;

	room = b->width - b->x;
	if (w < 0 || w > room)
		w = room < 0 ? 0 : room;
	if (len > (size_t)w * 4 + 16)
		len = (size_t)w * 4 + 16;
	text_sanitize(tmp, sizeof(tmp), s ? s : "", s ? len : 0);
	/* Where the text must end to fit, and where to cut for the '~'. */
	x = 0;
	xcut = 0;
	cut = 0;
	for (i = 0; tmp[i] != '\0'; i += n) {
		n = nextch(tmp + i, strlen(tmp + i), b->utf8, &cw, &sub);
		if (sub)
			cw = 1;
		if (x + cw > w)
			break;
		if (x + cw <= w - 1) {
			cut = i + n;
			xcut = x + cw;
		}
		x += cw;
	}
	end = i;
	tw = x;
	if (tmp[end] != '\0') {
		/* Too long: keep what fits in w - 1, then the '~'. */
		end = cut;
		tw = xcut + 1;
	}
	if (natural)
		w = tw;
	if (align == VIEW_ALIGN_RIGHT)
		v_lb_pad(b, style, w - tw);
	for (i = 0; i < end; i += n) {
		n = nextch(tmp + i, end - i, b->utf8, &cw, &sub);
		if (sub)
			lb_bytes(b, style, "?", 1);
		else
			lb_bytes(b, style, tmp + i, n);
	}
	if (end < strlen(tmp) && w > 0)
		lb_bytes(b, style, "~", 1);
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
				n = nextch(t + k, len - k, utf8, &cw, &sub);
				if (sub)
					cw = 1;
				if (x + cw > avail)
					break;
				if (t[k] == ' ' && k > off)
					brk = k;
				x += cw;
			}
			/* Break at a blank in the last third, if any. */
			if (k < len && brk > off &&
			    view_width(t + off, brk - off, utf8) > avail * 2 / 3)
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
