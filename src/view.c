/* view.c -- the TUI's view-model: screens, rows, tags, prompts, plans,
 * and the rendering of each screen line into text and style spans.
 * No curses and no I/O: see view.h. */
#include "view.h"
#include "classify.h"
#include "history.h"
#include "select.h"
#include "spool.h"
#include "stats.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define NSTACK		8
#define HIST_MAX	240		/* depth samples kept */
#define CTX_MAX		256

/* ---- A set of strings (open addressing, linear probing) ---- */

struct strset {
	char	**slot;
	size_t	  cap, n;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t
set_find(const struct strset *s, const char *k)
{
	size_t i = (size_t)hash(k) & (s->cap - 1);

	while (s->slot[i] != NULL && strcmp(s->slot[i], k) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int
set_has(const struct strset *s, const char *k)
{
	return s->n > 0 && s->slot[set_find(s, k)] != NULL;
}

static void
set_add(struct strset *s, const char *k)
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
static void
set_del(struct strset *s, const char *k)
{
	size_t i, j, h;

	if (s->n == 0 || s->slot[i = set_find(s, k)] == NULL)
		return;
	free(s->slot[i]);
	s->slot[i] = NULL;
	s->n--;
	for (j = (i + 1) & (s->cap - 1); s->slot[j] != NULL;
	    j = (j + 1) & (s->cap - 1)) {
		h = (size_t)hash(s->slot[j]) & (s->cap - 1);
		/* Move j to i unless its home lies cyclically in (i, j]. */
		if ((i < j) ? (h <= i || h > j) : (h <= i && h > j)) {
			s->slot[i] = s->slot[j];
			s->slot[j] = NULL;
			i = j;
		}
	}
}

static void
set_clear(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* ---- Text lines of the pager screens ---- */

struct pline {
	char	*text;			/* sanitized */
	uint8_t	 style;
	uint8_t	 indent;		/* of wrapped continuations */
};

struct dline {				/* a pline, wrapped to the width */
	uint32_t pl, off, len;
	uint8_t	 cont;
};

struct pager {
	struct pline	*l;
	size_t		 n, cap;
	struct dline	*d;
	size_t		 nd, capd;
	int		 wrapped_at;	/* width of d[], 0: stale */
	char		 title[512];
	struct arena	 a;
};

/* ---- Screens, columns, orders, keys ---- */

struct frame {
	enum view_screen scr;
	char		 ctx[CTX_MAX];	/* domain ("" all) or message id */
	char		 at[CTX_MAX];	/* key of the cursor row */
	size_t		 cursor, top;
};

enum { DC_DOMAIN, DC_MSGS, DC_RCPTS, DC_SIZE, DC_OLDEST, DC_AGES, DC_CLASS,
	DC_TARPIT, DC_CALLOUT, DC_LASTOK, DC_FROZEN, DC__N };
static const struct view_col dcols[DC__N] = {
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

enum { MC_AGE, MC_SIZE, MC_ID, MC_SENDER, MC_RCPT, MC_CLASS, MC_FLAGS, MC__N };
static const struct view_col mcols[MC__N] = {
	{ "AGE",        VIEW_ALIGN_RIGHT,  7,  7, 0 },
	{ "SIZE",       VIEW_ALIGN_RIGHT,  5,  5, 2 },
	{ "ID",         VIEW_ALIGN_LEFT,  16, 23, 0 },
	{ "SENDER",     VIEW_ALIGN_LEFT,  10, 40, 0 },
	{ "RECIPIENTS", VIEW_ALIGN_LEFT,  12, 60, 0 },
	{ "CLASS",      VIEW_ALIGN_LEFT,  10, 10, 1 },
	{ "FLAGS",      VIEW_ALIGN_LEFT,   5,  5, 0 },
};

typedef int (*cmp_fn)(const void *, const void *);

struct order {
	const char	*name;
	int		 col;		/* column it sorts, -1 none */
	cmp_fn		 cmp;
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

static const struct order dorders[] = {
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
#define NDORDERS	(sizeof(dorders) / sizeof(dorders[0]))

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

static const struct order morders[] = {
	{ "age", MC_AGE, mcmp_age },
	{ "size", MC_SIZE, mcmp_size },
	{ "rcpts", MC_RCPT, mcmp_rcpts },
	{ "sender", MC_SENDER, mcmp_sender },
	{ "class", MC_CLASS, mcmp_class },
	{ "id", MC_ID, mcmp_id },
};
#define NMORDERS	(sizeof(morders) / sizeof(morders[0]))

/* What a key does. */
enum op { OP_UP, OP_DOWN, OP_PGUP, OP_PGDN, OP_HOME, OP_END, OP_ENTER,
	OP_BACK, OP_QUIT, OP_QUITNOW, OP_ALLMSGS, OP_FILTER, OP_SORT,
	OP_RSORT, OP_SORTPREV, OP_RESCAN, OP_TAG, OP_TAGALL, OP_UNTAG,
	OP_DIAG, OP_BODY, OP_FLUSH, OP_BOUNCE, OP_DELETE, OP_FREEZE, OP_THAW,
	OP_EXPORT, OP_CANCEL, OP_HELP, OP_REDRAW };

#define S_DOM	(1u << VIEW_DOMAINS)
#define S_MSGS	(1u << VIEW_MESSAGES)
#define S_MSG	(1u << VIEW_MESSAGE)
#define S_BODY	(1u << VIEW_BODY)
#define S_DIAG	(1u << VIEW_DIAGNOSE)
#define S_HELP	(1u << VIEW_HELP)
#define S_LIST	(S_DOM | S_MSGS)
#define S_ACT	(S_DOM | S_MSGS | S_MSG | S_BODY | S_DIAG)
#define S_ALL	((1u << VIEW__NSCREENS) - 1)

struct keydef {
	int		 key;
	const char	*name;
	unsigned	 screens;
	enum op		 op;
	const char	*help;		/* NULL: as the entry before */
};

/* The one key table: view_key() dispatches on it and the Help screen is
 * printed from it. */
static const struct keydef keys[] = {
	{ VIEW_KEY_UP, "Up", S_ALL, OP_UP, "move up (scroll up)" },
	{ 'k', "k", S_ALL, OP_UP, NULL },
	{ VIEW_KEY_DOWN, "Down", S_ALL, OP_DOWN, "move down (scroll down)" },
	{ 'j', "j", S_ALL, OP_DOWN, NULL },
	{ VIEW_KEY_PGUP, "PgUp", S_ALL, OP_PGUP, "page up" },
	{ VIEW_CTRL('b'), "^B", S_ALL, OP_PGUP, NULL },
	{ VIEW_KEY_PGDN, "PgDn", S_ALL, OP_PGDN, "page down" },
	{ VIEW_CTRL('f'), "^F", S_ALL, OP_PGDN, NULL },
	{ ' ', "Space", S_BODY | S_DIAG | S_HELP | S_MSG, OP_PGDN, NULL },
	{ VIEW_KEY_HOME, "Home", S_ALL, OP_HOME, "first line" },
	{ 'g', "g", S_ALL, OP_HOME, NULL },
	{ VIEW_KEY_END, "End", S_ALL, OP_END, "last line" },
	{ 'G', "G", S_ALL, OP_END, NULL },
	{ VIEW_KEY_ENTER, "Enter", S_LIST, OP_ENTER,
	    "open: a domain's messages, a message" },
	{ '\r', NULL, S_LIST, OP_ENTER, NULL },
	{ VIEW_KEY_RIGHT, "Right", S_LIST, OP_ENTER, NULL },
	{ 'm', "m", S_DOM, OP_ALLMSGS, "every message of the filter" },
	{ VIEW_KEY_ESC, "Esc", S_ALL, OP_BACK, "back" },
	{ VIEW_KEY_LEFT, "Left", S_ALL, OP_BACK, NULL },
	{ 'q', "q", S_ALL, OP_QUIT, "back; quit on the Domains screen" },
	{ 'Q', "Q", S_ALL, OP_QUITNOW, "quit" },
	{ '/', "/", S_LIST, OP_FILTER,
	    "filter: domain:*.example.com age>2h class:tarpit sender:~re" },
	{ 's', "s", S_LIST, OP_SORT, "sort by the next column" },
	{ '>', ">", S_LIST, OP_SORT, NULL },
	{ '<', "<", S_LIST, OP_SORTPREV, "sort by the previous column" },
	{ 'S', "S", S_LIST, OP_RSORT, "reverse the sort order" },
	{ 'r', "r", S_ALL, OP_RESCAN, "rescan the spool now" },
	{ ' ', "Space", S_LIST, OP_TAG, "tag or untag, then move down" },
	{ 't', "t", S_LIST, OP_TAG, NULL },
	{ 'a', "a", S_LIST, OP_TAGALL, "tag every row shown" },
	{ 'A', "A", S_LIST, OP_UNTAG, "clear every tag" },
	{ 'd', "d", S_LIST, OP_DIAG, "diagnose the domain: classes, evidence, "
	    "advice" },
	{ 'B', "B", S_MSG | S_BODY, OP_BODY, "show the body (toggle)" },
	{ 'f', "f", S_ACT, OP_FLUSH, "flush: deliver now (paced)" },
	{ 'b', "b", S_ACT, OP_BOUNCE, "bounce to the sender (exim -Mg)" },
	{ 'D', "D", S_ACT, OP_DELETE, "delete without a bounce (exim -Mrm)" },
	{ 'F', "F", S_ACT, OP_FREEZE, "freeze (exim -Mf)" },
	{ 'T', "T", S_ACT, OP_THAW, "thaw (exim -Mt)" },
	{ 'e', "e", S_ACT, OP_EXPORT, "export (not yet: use mxtop export)" },
	{ 'x', "x", S_ALL, OP_CANCEL, "cancel the running action" },
	{ '?', "?", S_ALL, OP_HELP, "this help" },
	{ 'h', "h", S_ALL & ~S_HELP, OP_HELP, NULL },
	{ VIEW_CTRL('l'), "^L", S_ALL, OP_REDRAW, "redraw the screen" },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

enum prompt { P_NONE, P_FILTER, P_YN, P_COUNT, P_RATE };

struct view {
	int			 utf8, cols, rows;
	const struct spool_snap	*snap;
	const struct stats	*st;
	time_t			 now;
	struct view_info	 info;
	char			 host[256], spool[1024];
	struct select		*sel;
	int			 own_sel;
	char			 words[512], args[1024];
	int			 dorder, morder, drev, mrev;
	double			 rate;
	struct frame		 stack[NSTACK];
	int			 depth;
	const void		**row;		/* stats_domain or spool_msg */
	size_t			 nrows, caprows;
	struct strset		 tmsgs, tdoms;
	struct pager		 pg[VIEW__NSCREENS];
	int			 lay[16], layw[16], nlay;
	enum prompt		 prompt;
	char			 input[512], ptext[512], pdetail[256],
				 ptail[128];
	char			 status[512];
	int			 status_err;
	struct view_plan	 plan;
	size_t			 plancap;
	struct view_progress	 prog;
	uint32_t		 hist[HIST_MAX];
	int			 nhist;
	const struct spool_snap	*hist_snap;
	int			 printing;	/* view_print(): no cursor */
};

static void recalc(struct view *);
static void layout(struct view *);

/* ---- Small helpers ---- */

static struct frame *
top(struct view *v)
{
	return &v->stack[v->depth - 1];
}

static const struct frame *
ctop(const struct view *v)
{
	return &v->stack[v->depth - 1];
}

static int
is_list(enum view_screen s)
{
	return s == VIEW_DOMAINS || s == VIEW_MESSAGES;
}

static const char *
age(char *buf, size_t len, int64_t secs)
{
	return util_fmt_age(buf, len, secs);
}

static const char *
size_str(char *buf, size_t len, int64_t n)
{
	char tmp[32], *p = tmp;

	util_fmt_size(tmp, sizeof(tmp), n);
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
	if ((n = util_utf8_len(u, len)) == 0) {
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

struct lb {
	struct view_line *l;
	int		  x, width, utf8;
};

static void
lb_init(struct lb *b, struct view_line *l, int width, int utf8)
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

static void
lb_pad(struct lb *b, int style, int n)
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
static void
lb_put(struct lb *b, int style, const char *s, size_t len, int w, int align)
{
	char tmp[VIEW_LINE_MAX];
	size_t i, n, end, cut;
	int cw, sub, tw, room, x, xcut, natural = w < 0;

	room = b->width - b->x;
	if (w < 0 || w > room)
		w = room < 0 ? 0 : room;
	if (len > (size_t)w * 4 + 16)
		len = (size_t)w * 4 + 16;
	util_sanitize(tmp, sizeof(tmp), s ? s : "", s ? len : 0);
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
		lb_pad(b, style, w - tw);
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
		lb_pad(b, style, w - tw);
}

static void
lb_str(struct lb *b, int style, const char *s)
{
	lb_put(b, style, s, strlen(s), -1, VIEW_ALIGN_LEFT);
}

static void
lb_fill(struct lb *b, int style)
{
	lb_pad(b, style, b->width - b->x);
}

/* ---- Pager ---- */

static void
pg_clear(struct pager *p)
{
	arena_free(&p->a);
	p->n = 0;
	p->nd = 0;
	p->wrapped_at = 0;
	p->title[0] = '\0';
}

static void
pg_addn(struct pager *p, int style, int indent, const char *s, size_t len)
{
	char *buf;
	size_t blen = len * 4 + 1;

	buf = xmalloc(blen);
	util_sanitize(buf, blen, s, len);
	xgrow(&p->l, &p->cap, p->n + 1, sizeof(*p->l));
	p->l[p->n].text = arena_strdup(&p->a, buf);
	p->l[p->n].style = (uint8_t)style;
	p->l[p->n].indent = (uint8_t)indent;
	p->n++;
	p->wrapped_at = 0;
	free(buf);
}

static void
pg_add(struct pager *p, int style, int indent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
pg_add(struct pager *p, int style, int indent, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pg_addn(p, style, indent, buf, strlen(buf));
}

/* Adds "  label  value", value being untrusted (sanitized by pg_addn). */
static void
pg_kv(struct pager *p, const char *label, const char *value)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "  %-13s %s", label, value ? value : "");
	pg_addn(p, VIEW_ST_NORMAL, 16, buf, strlen(buf));
}

static void
pg_wrap(struct pager *p, int width, int utf8)
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

/* ---- Construction ---- */

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
	set_clear(&v->tmsgs);
	set_clear(&v->tdoms);
	free(v->row);
	free(v->plan.ids);
	free(v);
}

void
view_set_info(struct view *v, const struct view_info *in)
{
	v->info = *in;
	snprintf(v->host, sizeof(v->host), "%s", in->host ? in->host : "");
	snprintf(v->spool, sizeof(v->spool), "%s", in->spool ? in->spool : "");
	v->info.host = v->host;
	v->info.spool = v->spool;
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
	for (i = 0; i < NDORDERS; i++)
		if (strcmp(dorders[i].name, name) == 0) {
			v->dorder = (int)i;
			v->drev = reverse;
			recalc(v);
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
	layout(v);
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

/* ---- Geometry ---- */

static int
head_lines(const struct view *v)
{
	return v->rows >= 12 ? 3 : v->rows >= 6 ? 1 : 0;
}

static int
body_y0(const struct view *v)
{
	return head_lines(v) + 1;
}

static int
body_h(const struct view *v)
{
	int h = v->rows - body_y0(v) - 1;

	return h < 1 ? 1 : h;
}

static size_t
pg_lines(struct view *v, enum view_screen s)
{
	pg_wrap(&v->pg[s], v->cols, v->utf8);
	return v->pg[s].nd;
}

static size_t
nitems(struct view *v)
{
	enum view_screen s = top(v)->scr;

	return is_list(s) ? v->nrows : pg_lines(v, s);
}

/* Keeps cursor and top of the top frame in range and in view. */
static void
clamp(struct view *v)
{
	struct frame *f = top(v);
	size_t n = nitems(v), h = (size_t)body_h(v);

	if (is_list(f->scr)) {
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
static void
layout(struct view *v)
{
	const struct view_col *cols;
	int ncol, i, w[16], on[16], need, spare, grow, best;
	size_t r;

	if (!is_list(top(v)->scr)) {
		v->nlay = 0;
		return;
	}
	if (top(v)->scr == VIEW_DOMAINS) {
		cols = dcols;
		ncol = DC__N;
	} else {
		cols = mcols;
		ncol = MC__N;
	}
	for (i = 0; i < ncol; i++) {
		w[i] = cols[i].min;
		if ((int)strlen(cols[i].name) > w[i])
			w[i] = (int)strlen(cols[i].name);
		on[i] = 1;
	}
	/* Counts as wide as the largest. */
	if (top(v)->scr == VIEW_DOMAINS && v->st != NULL) {
		char tmp[32];
		int n;

		n = snprintf(tmp, sizeof(tmp), "%u", v->st->total.messages);
		if (n > w[DC_MSGS])
			w[DC_MSGS] = n;
		n = snprintf(tmp, sizeof(tmp), "%u", v->st->total.recipients);
		if (n > w[DC_RCPTS])
			w[DC_RCPTS] = n;
	}
	if (top(v)->scr == VIEW_MESSAGES) {
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
			    !(cols == mcols && i == MC_ID)) {
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
static void
recalc(struct view *v)
{
	struct frame *f = top(v);
	size_t i;
	uint32_t d;

	v->nrows = 0;
	if (f->scr == VIEW_DOMAINS && v->st != NULL) {
		for (i = 0; i < v->st->ndomains; i++)
			push_row(v, &v->st->domains[i]);
		qsort(v->row, v->nrows, sizeof(*v->row),
		    dorders[v->dorder].cmp);
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
		    morders[v->morder].cmp);
		if (v->mrev)
			reverse_rows(v);
	}
	if (is_list(f->scr) && f->at[0] != '\0')
		for (i = 0; i < v->nrows; i++)
			if (strcmp(view_row_key(v, i), f->at) == 0) {
				f->cursor = i;
				break;
			}
	layout(v);
	clamp(v);
}

static void build_diag(struct view *);

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
	if (top(v)->scr == VIEW_DIAGNOSE)
		build_diag(v);
	recalc(v);
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
	recalc(v);
}

/* ---- Accessors ---- */

enum view_screen
view_screen(const struct view *v)
{
	return ctop(v)->scr;
}

int
view_depth(const struct view *v)
{
	return v->depth;
}

size_t
view_nrows(const struct view *v)
{
	return is_list(ctop(v)->scr) ? v->nrows : 0;
}

size_t
view_cursor(const struct view *v)
{
	return ctop(v)->cursor;
}

const char *
view_row_key(const struct view *v, size_t i)
{
	if (!is_list(ctop(v)->scr) || i >= v->nrows)
		return NULL;
	if (ctop(v)->scr == VIEW_DOMAINS)
		return ((const struct stats_domain *)v->row[i])->name;
	return ((const struct spool_msg *)v->row[i])->id;
}

int
view_row_tagged(const struct view *v, size_t i)
{
	const char *k = view_row_key(v, i);

	if (k == NULL)
		return 0;
	return set_has(ctop(v)->scr == VIEW_DOMAINS ? &v->tdoms : &v->tmsgs,
	    k);
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
	return ctop(v)->scr == VIEW_MESSAGES ? morders[v->morder].name :
	    dorders[v->dorder].name;
}

int
view_sort_reverse(const struct view *v)
{
	return ctop(v)->scr == VIEW_MESSAGES ? v->mrev : v->drev;
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

/* ---- Message, body, diagnose and help screens ---- */

static const char *
tstr(char *buf, size_t len, time_t t, time_t now)
{
	char a[16], ts[32];

	util_fmt_time(ts, sizeof(ts), t);
	snprintf(buf, len, "%s UTC (%s ago)", ts, age(a, sizeof(a), now - t));
	return buf;
}

static const char *
hist_kind(enum history_kind k)
{
	switch (k) {
	case HIST_RECEIVED: return "received";
	case HIST_DEFER: return "defer";
	case HIST_FAIL: return "fail";
	case HIST_DELIVERED: return "delivered";
	case HIST_SKIP: return "skip";
	case HIST_TIMEOUT: return "timeout";
	case HIST_HOSTERR: return "host";
	case HIST_FROZEN: return "frozen";
	case HIST_BOUNCEFAIL: return "bouncefail";
	case HIST_NOTE: return "note";
	}
	return "note";
}

void
view_set_message(struct view *v, const struct spool_msg *m,
    const struct spool_hdr *h, const uint8_t *delivered,
    const struct history *hist, const char *err)
{
	struct pager *p = &v->pg[VIEW_MESSAGE];
	char buf[1024], a[32], s[32];
	const char *id = view_msg_id(v);
	size_t i, npend = 0;

	pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Message %s", id ? id : "?");
	pg_add(p, VIEW_ST_SECTION, 2, "Envelope");
	if (h != NULL)
		snprintf(buf, sizeof(buf), "<%.*s>", (int)h->sender.len,
		    h->sender.p);
	else if (m != NULL)
		snprintf(buf, sizeof(buf), "<%s>", m->sender ? m->sender : "");
	else
		buf[0] = '\0';
	pg_kv(p, "From", strcmp(buf, "<>") == 0 ? "<> (a bounce)" : buf);
	if (m != NULL) {
		pg_kv(p, "Arrived", tstr(buf, sizeof(buf), (time_t)m->arrival,
		    v->now));
		snprintf(buf, sizeof(buf), "%s", m->size < 0 ? "(no -D)" :
		    size_str(s, sizeof(s), m->size));
		pg_kv(p, "Size", buf);
	}
	if (h != NULL) {
		if (h->host_address.len > 0) {
			snprintf(buf, sizeof(buf), "%.*s%s%.*s%s%s%.*s",
			    (int)h->host_address.len, h->host_address.p,
			    h->host_name.len ? " (" : "",
			    (int)h->host_name.len, h->host_name.p,
			    h->host_name.len ? ")" : "",
			    h->helo_name.len ? " helo " : "",
			    (int)h->helo_name.len, h->helo_name.p);
			pg_kv(p, "From host", buf);
		}
		if (h->warnings > 0) {
			snprintf(buf, sizeof(buf), "%d", h->warnings);
			pg_kv(p, "Warnings sent", buf);
		}
	}
	if (m != NULL) {
		buf[0] = '\0';
		if (m->flags & MSG_F_FROZEN) {
			strcat(buf, "frozen");
			if (m->frozen_at > 0) {
				snprintf(s, sizeof(s), " %s ago", age(a,
				    sizeof(a), v->now - m->frozen_at));
				strcat(buf, s);
			}
		}
		if (m->flags & MSG_F_ACTIVE)
			strcat(buf, buf[0] ? ", being delivered" :
			    "being delivered");
		if (m->flags & MSG_F_THAWED)
			strcat(buf, buf[0] ? ", thawed by hand" :
			    "thawed by hand");
		if (m->flags & MSG_F_FIRST)
			strcat(buf, buf[0] ? ", never tried" : "never tried");
		if (m->flags & MSG_F_LOCALERR)
			strcat(buf, buf[0] ? ", bounce made here" :
			    "bounce made here");
		if (buf[0])
			pg_kv(p, "State", buf);
		if (m->cls != CLASS_NONE)
			pg_kv(p, "Last attempt", class_name(m->cls));
		if (m->bad != NULL || (m->flags & MSG_F_BADFILE)) {
			snprintf(buf, sizeof(buf), "bad file: %s",
			    m->bad ? m->bad : "unreadable");
			pg_addn(p, VIEW_ST_BAD, 16, buf, strlen(buf));
		}
	}
	if (err != NULL && err[0] != '\0') {
		snprintf(buf, sizeof(buf), "  cannot read -H: %s", err);
		pg_addn(p, VIEW_ST_BAD, 4, buf, strlen(buf));
	}
	if (h != NULL) {
		for (i = 0; i < h->nrcpts; i++)
			if (delivered == NULL || !delivered[i])
				npend++;
		pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		pg_add(p, VIEW_ST_SECTION, 2, "Recipients (%zu, %zu pending)",
		    h->nrcpts, npend);
		for (i = 0; i < h->nrcpts; i++) {
			int done = delivered != NULL && delivered[i];

			snprintf(buf, sizeof(buf), "  %-10s %.*s",
			    done ? "delivered" : "pending",
			    (int)h->rcpts[i].addr.len, h->rcpts[i].addr.p);
			pg_addn(p, done ? VIEW_ST_DIM : VIEW_ST_NORMAL, 13,
			    buf, strlen(buf));
		}
	}
	if (hist != NULL) {
		pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		pg_add(p, VIEW_ST_SECTION, 2,
		    "Delivery history (%u attempts)", hist->attempts);
		for (i = 0; i < hist->n; i++) {
			const struct history_event *e = &hist->ev[i];
			char ts[32];
			int st = VIEW_ST_NORMAL;

			if (e->time)
				util_fmt_time(ts, sizeof(ts), e->time);
			else
				snprintf(ts, sizeof(ts), "%19s", "");
			if (e->kind == HIST_DEFER || e->kind == HIST_FAIL ||
			    e->kind == HIST_HOSTERR)
				st = VIEW_ST_CLASS + (e->cls & 15);
			else if (e->kind == HIST_SKIP)
				st = VIEW_ST_DIM;
			snprintf(buf, sizeof(buf), "  %s %-9s %-10s %s", ts,
			    hist_kind(e->kind),
			    e->cls != CLASS_NONE ? class_name(e->cls) : "",
			    e->line);
			pg_addn(p, st, 44, buf, strlen(buf));
		}
		if (hist->n == 0)
			pg_add(p, VIEW_ST_DIM, 4, "  (no msglog entries)");
	}
	if (h != NULL) {
		pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		pg_add(p, VIEW_ST_SECTION, 2, "Headers");
		for (i = 0; i < h->nhdrs; i++) {
			const struct spool_header *hd = &h->hdrs[i];
			const char *t = hd->text.p, *nl;
			size_t left = hd->text.len;

			if (hd->flag == '*')
				continue;
			/* One line per physical header line. */
			while (left > 0) {
				size_t n;

				nl = memchr(t, '\n', left);
				n = nl ? (size_t)(nl - t) : left;
				if (n > 0 || nl == NULL) {
					char *line = xmalloc(n + 3);

					line[0] = line[1] = ' ';
					memcpy(line + 2, t, n);
					pg_addn(p, VIEW_ST_NORMAL, 6, line,
					    n + 2);
					free(line);
				}
				if (nl == NULL)
					break;
				left -= n + 1;
				t += n + 1;
			}
		}
	}
	top(v)->top = 0;
	clamp(v);
}

void
view_set_body(struct view *v, const char *buf, size_t len, int64_t total,
    const char *err)
{
	struct pager *p = &v->pg[VIEW_BODY];
	const char *t = buf, *nl;
	char sz[32];
	size_t n;

	pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Body of %s (%zu of %s bytes, "
	    "raw)", view_msg_id(v) ? view_msg_id(v) : "?", len,
	    size_str(sz, sizeof(sz), total));
	if (err != NULL) {
		pg_add(p, VIEW_ST_BAD, 2, "cannot read the body: %s", err);
		len = 0;
	}
	while (len > 0) {
		nl = memchr(t, '\n', len);
		n = nl ? (size_t)(nl - t) : len;
		if (n > 0 && t[n - 1] == '\r')
			pg_addn(p, VIEW_ST_NORMAL, 0, t, n - 1);
		else
			pg_addn(p, VIEW_ST_NORMAL, 0, t, n);
		if (nl == NULL)
			break;
		len -= n + 1;
		t += n + 1;
	}
	if (total > 0 && (int64_t)(t - buf) < total && err == NULL)
		pg_add(p, VIEW_ST_DIM, 0, "[... %lld more bytes not shown]",
		    (long long)(total - (t - buf)));
	top(v)->top = 0;
	clamp(v);
}

static const struct stats_domain *
find_domain(const struct view *v, const char *name)
{
	size_t i;

	if (v->st == NULL)
		return NULL;
	for (i = 0; i < v->st->ndomains; i++)
		if (strcmp(v->st->domains[i].name, name) == 0)
			return &v->st->domains[i];
	return NULL;
}

static void
build_diag(struct view *v)
{
	struct pager *p = &v->pg[VIEW_DIAGNOSE];
	const char *name = top(v)->ctx;
	const struct stats_domain *d = find_domain(v, name);
	const struct stats_diag *g;
	char buf[2048], a[32], b[32], ts[32];
	size_t off;
	int c, bk;

	pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Diagnose %s", name);
	if (d == NULL) {
		pg_add(p, VIEW_ST_DIM, 2, "  %s has nothing queued%s", name,
		    v->args[0] ? " under this filter" : "");
		return;
	}
	g = &d->diag;
	pg_add(p, VIEW_ST_SECTION, 2, "Queue");
	snprintf(buf, sizeof(buf), "%u messages, %u recipients, %s, oldest "
	    "%s, newest %s, frozen %u, active %u", d->messages, d->recipients,
	    size_str(ts, sizeof(ts), d->bytes), age(a, sizeof(a),
	    v->now - d->oldest), age(b, sizeof(b), v->now - d->newest),
	    d->frozen, d->active);
	pg_kv(p, "Depth", buf);
	off = 0;
	for (bk = 0; bk < STATS_NBUCKETS; bk++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s:%u",
		    bk ? " " : "", stats_bucket_name[bk], d->buckets[bk]);
	pg_kv(p, "Ages (min)", buf);
	pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	pg_add(p, VIEW_ST_SECTION, 2, "Diagnosis");
	if (g->samples == 0) {
		pg_kv(p, "Class", "none: no delivery attempts or callouts in "
		    "the logs' window");
	} else {
		snprintf(buf, sizeof(buf), "%s (dominant of %u samples, %u "
		    "delivery attempts)", class_name(g->cls), g->samples,
		    g->attempts);
		snprintf(ts, sizeof(ts), "  %-13s ", "Class");
		pg_add(p, VIEW_ST_CLASS + (g->cls & 15), 16, "%s%s", ts, buf);
		off = 0;
		buf[0] = '\0';
		for (c = 1; c < CLASS__COUNT && c < 16; c++)
			if (g->classes[c] > 0)
				off += (size_t)snprintf(buf + off,
				    sizeof(buf) - off, "%s%s %u",
				    off ? ", " : "", class_name(c),
				    g->classes[c]);
		pg_kv(p, "Class mix", buf);
	}
	snprintf(buf, sizeof(buf), "score %.2f over %u samples%s", g->tarpit,
	    g->samples, g->suspected ? ": SUSPECTED tarpitting" : "");
	snprintf(ts, sizeof(ts), "  %-13s ", "Tarpit");
	pg_add(p, g->suspected ? VIEW_ST_WARN : VIEW_ST_NORMAL, 16, "%s%s", ts,
	    buf);
	snprintf(buf, sizeof(buf), "%u could not complete, %u rejected, %u "
	    "cached rejections", g->callout_deferred, g->callout_rejected,
	    g->callout_cached);
	pg_kv(p, "Callouts", buf);
	pg_kv(p, "Last success", g->last_success ? tstr(buf, sizeof(buf),
	    g->last_success, v->now) : "none in the window");
	if (g->last_error.time) {
		char t2[64];

		tstr(t2, sizeof(t2), g->last_error.time, v->now);
		snprintf(buf, sizeof(buf), "%s %s%s%s", t2,
		    g->last_error.host ? g->last_error.host : "",
		    g->last_error.host ? ": " : "",
		    g->last_error.text ? g->last_error.text : "");
		pg_kv(p, "Last error", buf);
	}
	if (g->cls != CLASS_NONE) {
		pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		pg_add(p, VIEW_ST_SECTION, 2, "Advice");
		pg_add(p, VIEW_ST_NORMAL, 2, "  %s", class_advice(g->cls));
	}
	if (g->nevidence > 0) {
		uint32_t i;

		pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		pg_add(p, VIEW_ST_SECTION, 2, "Evidence (newest first)");
		for (i = 0; i < g->nevidence && i < STATS_NEVIDENCE; i++) {
			const struct stats_evidence *e = &g->evidence[i];

			util_fmt_time(ts, sizeof(ts), e->time);
			snprintf(buf, sizeof(buf), "  %s %-10s %s%s%s", ts,
			    class_name(e->cls), e->host ? e->host : "",
			    e->host ? " " : "", e->text ? e->text : "");
			pg_addn(p, VIEW_ST_CLASS + (e->cls & 15), 33, buf,
			    strlen(buf));
		}
	}
}

static void
build_help(struct view *v)
{
	struct pager *p = &v->pg[VIEW_HELP];
	char names[128], where[128];
	size_t i, j;
	int c;

	pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Help: keys");
	pg_add(p, VIEW_ST_SECTION, 2, "Keys (the same table the screens use)");
	for (i = 0; i < NKEYS; i++) {
		unsigned scr = 0;

		if (keys[i].help == NULL)
			continue;
		names[0] = '\0';
		for (j = i; j < NKEYS; j++) {
			if (j > i && keys[j].help != NULL &&
			    keys[j].op == keys[i].op)
				break;
			if (j > i && keys[j].help != NULL)
				break;
			if (keys[j].name == NULL)
				continue;
			if (strstr(names, keys[j].name) != NULL &&
			    strlen(keys[j].name) > 1)
				continue;
			if (names[0])
				strncat(names, " ", sizeof(names) -
				    strlen(names) - 1);
			strncat(names, keys[j].name, sizeof(names) -
			    strlen(names) - 1);
			scr |= keys[j].screens;
		}
		where[0] = '\0';
		if ((scr & S_ALL) != S_ALL) {
			static const char *const sn[VIEW__NSCREENS] = {
				"Domains", "Messages", "Message", "Body",
				"Diagnose", "Help"
			};

			for (c = 0; c < VIEW__NSCREENS; c++)
				if (scr & (1u << c)) {
					strncat(where, where[0] ? "," : " [",
					    sizeof(where) - strlen(where) - 1);
					strncat(where, sn[c], sizeof(where) -
					    strlen(where) - 1);
				}
			strncat(where, "]", sizeof(where) - strlen(where) - 1);
		}
		pg_add(p, VIEW_ST_NORMAL, 18, "  %-14s %s%s", names,
		    keys[i].help, where);
	}
	pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	pg_add(p, VIEW_ST_SECTION, 2, "Actions");
	pg_add(p, VIEW_ST_NORMAL, 2, "  An action applies to the tagged "
	    "messages, else the selected message, else on the Domains screen "
	    "to the tagged domains or the selected one.  It shows the plan "
	    "and asks first; a delete or bounce of more than %d messages "
	    "wants the count typed.", VIEW_CONFIRM_FEW);
	pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	pg_add(p, VIEW_ST_SECTION, 2, "Columns (Domains)");
	pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "AGES", "queued messages "
	    "by age, qshape buckets <5m 10m 20m 40m 80m 160m 320m 640m 1280m "
	    "and older, left to right");
	pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "CLASS", "why the mail is "
	    "stuck (dominant class of recent attempts and callouts)");
	pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "TARPIT", "share of "
	    "attempts in tarpit/ratelimit; ! when suspected");
	pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "CALLOUT", "recipient "
	    "callouts that failed in the log window");
	pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "LASTOK", "time since "
	    "the last successful delivery (- none seen)");
	pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "FLAGS", "F frozen, A "
	    "being delivered, B bad spool file, * tagged");
	pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	pg_add(p, VIEW_ST_SECTION, 2, "Classes");
	for (c = 1; c < CLASS__COUNT; c++)
		pg_add(p, VIEW_ST_CLASS + c, 16, "  %-13s %s", class_name(c),
		    class_advice(c));
}

/* ---- Navigation ---- */

static void
push(struct view *v, enum view_screen s, const char *ctx)
{
	struct frame *f;

	if (v->depth >= NSTACK)
		v->depth = NSTACK - 1;
	f = &v->stack[v->depth++];
	memset(f, 0, sizeof(*f));
	f->scr = s;
	snprintf(f->ctx, sizeof(f->ctx), "%s", ctx ? ctx : "");
	if (s == VIEW_HELP)
		build_help(v);
	else if (s == VIEW_DIAGNOSE)
		build_diag(v);
	recalc(v);
}

static void
pop(struct view *v)
{
	if (v->depth > 1)
		v->depth--;
	recalc(v);
}

static void
move(struct view *v, long delta)
{
	struct frame *f = top(v);
	size_t n = nitems(v);
	size_t *pos = is_list(f->scr) ? &f->cursor : &f->top;

	if (delta < 0 && (size_t)-delta > *pos)
		*pos = 0;
	else if (delta < 0)
		*pos -= (size_t)-delta;
	else
		*pos += (size_t)delta;
	if (is_list(f->scr) && n > 0 && *pos >= n)
		*pos = n - 1;
	clamp(v);
}

/* ---- Plans ---- */

static void
plan_add(struct view *v, const struct spool_msg *m)
{
	struct view_plan *p = &v->plan;

	xgrow(&p->ids, &v->plancap, p->nids + 1, sizeof(*p->ids));
	snprintf(p->ids[p->nids], VIEW_ID_LEN, "%s", m->id);
	p->nids++;
	if (p->nids == 1 || m->arrival < p->oldest)
		p->oldest = m->arrival;
	if (m->size > 0)
		p->bytes += m->size;
	if (m->flags & MSG_F_FROZEN)
		p->nfrozen++;
}

/* Counts the domains with pending recipients among the plan's messages. */
static void
plan_domains(struct view *v, int (*want)(const struct view *,
    const struct spool_msg *))
{
	uint8_t *seen;
	size_t nd, i, j;
	uint32_t k;

	if (v->snap == NULL || v->snap->domains == NULL)
		return;
	nd = intern_count(v->snap->domains);
	seen = xcalloc(nd ? nd : 1, 1);
	for (i = 0; i < v->snap->nmsgs; i++) {
		const struct spool_msg *m = &v->snap->msgs[i];

		if (!want(v, m))
			continue;
		for (j = 0; j < m->nrcpt; j++) {
			const struct spool_rcpt *r = &v->snap->rcpts[m->rcpt0 +
			    j];

			if (r->state == RCPT_PENDING && !seen[r->domain]) {
				seen[r->domain] = 1;
				v->plan.ndomains++;
				k = r->domain;
				v->plan.domain = v->plan.ndomains == 1 ?
				    intern_str(v->snap->domains, k) : NULL;
			}
		}
	}
	free(seen);
}

static int
want_tagged(const struct view *v, const struct spool_msg *m)
{
	return set_has(&v->tmsgs, m->id);
}

static int
want_domains(const struct view *v, const struct spool_msg *m)
{
	uint32_t j;

	if (!select_msg(v->sel, v->snap, m, v->now))
		return 0;
	for (j = 0; j < m->nrcpt; j++) {
		const struct spool_rcpt *r = &v->snap->rcpts[m->rcpt0 + j];
		const char *dn;

		if (r->state != RCPT_PENDING)
			continue;
		dn = intern_str(v->snap->domains, r->domain);
		if (!select_rcpt(v->sel, r->addr, dn))
			continue;
		if (v->tdoms.n > 0 ? set_has(&v->tdoms, dn) :
		    strcmp(dn, v->plan.domain ? v->plan.domain : "") == 0)
			return 1;
	}
	return 0;
}

static int
want_id(const struct view *v, const struct spool_msg *m)
{
	return v->plan.nids > 0 && strcmp(m->id, v->plan.ids[0]) == 0;
}

/* The messages an action would apply to: tagged messages, else the
 * selected message, else the tagged or selected domains.  Returns the
 * count; 0 with a status message when there is nothing to act on. */
static size_t
plan_build(struct view *v, enum view_act act)
{
	struct view_plan *p = &v->plan;
	const struct frame *f = top(v);
	const char *id = NULL, *dom = NULL;
	size_t i;

	p->act = act;
	p->nids = 0;
	p->ndomains = 0;
	p->nfrozen = 0;
	p->oldest = 0;
	p->bytes = 0;
	p->domain = NULL;
	p->rate = v->rate;
	if (v->snap == NULL) {
		view_status(v, 1, "nothing scanned yet");
		return 0;
	}
	if (v->tmsgs.n > 0) {
		for (i = 0; i < v->snap->nmsgs; i++)
			if (want_tagged(v, &v->snap->msgs[i]))
				plan_add(v, &v->snap->msgs[i]);
		plan_domains(v, want_tagged);
	} else if (f->scr == VIEW_MESSAGES) {
		id = view_row_key(v, f->cursor);
	} else if (f->scr == VIEW_MESSAGE || f->scr == VIEW_BODY) {
		id = view_msg_id(v);
	} else if (f->scr == VIEW_DOMAINS || f->scr == VIEW_DIAGNOSE) {
		dom = f->scr == VIEW_DIAGNOSE ? f->ctx :
		    view_row_key(v, f->cursor);
		if (v->tdoms.n == 0 && dom == NULL) {
			view_status(v, 1, "no domain selected");
			return 0;
		}
		/* want_domains() reads the one domain from p->domain. */
		p->domain = dom;
		for (i = 0; i < v->snap->nmsgs; i++)
			if (want_domains(v, &v->snap->msgs[i]))
				plan_add(v, &v->snap->msgs[i]);
		p->domain = NULL;
		if (v->tdoms.n > 0)
			p->ndomains = v->tdoms.n;
		else {
			p->ndomains = 1;
			p->domain = find_domain(v, dom) ? find_domain(v,
			    dom)->name : NULL;
		}
	}
	if (id != NULL) {
		const struct spool_msg *m = spool_find(v->snap, id);

		if (m == NULL) {
			view_status(v, 1, "%s has left the queue", id);
			return 0;
		}
		plan_add(v, m);
		plan_domains(v, want_id);
	}
	if (p->nids == 0)
		view_status(v, 1, "no messages to act on");
	return p->nids;
}

static const char *
act_verb(enum view_act a)
{
	switch (a) {
	case ACT_FLUSH: return "flush";
	case ACT_BOUNCE: return "bounce";
	case ACT_DELETE: return "delete";
	case ACT_FREEZE: return "freeze";
	case ACT_THAW: return "thaw";
	default: return "?";
	}
}

static void
plan_prompt(struct view *v)
{
	const struct view_plan *p = &v->plan;
	char a[16], sz[16], verb[16];
	int many = p->nids > VIEW_CONFIRM_FEW;

	snprintf(verb, sizeof(verb), "%s", act_verb(p->act));
	verb[0] = (char)toupper((unsigned char)verb[0]);
	/* Head and tail always show; the detail when there is room. */
	if (p->ndomains == 1 && p->domain != NULL)
		snprintf(v->ptext, sizeof(v->ptext), "%s %zu message%s of %.200s",
		    verb, p->nids, p->nids == 1 ? "" : "s", p->domain);
	else
		snprintf(v->ptext, sizeof(v->ptext), "%s %zu message%s of %zu "
		    "domains", verb, p->nids, p->nids == 1 ? "" : "s",
		    p->ndomains);
	snprintf(v->pdetail, sizeof(v->pdetail), " (oldest %s, %s%s)",
	    age(a, sizeof(a), v->now - p->oldest),
	    size_str(sz, sizeof(sz), p->bytes),
	    p->act == ACT_BOUNCE ? "; senders get a bounce" :
	    p->act == ACT_DELETE ? "; no bounce: gone for good" : "");
	v->input[0] = '\0';
	switch (p->act) {
	case ACT_FLUSH:
		v->prompt = P_RATE;
		snprintf(v->ptail, sizeof(v->ptail), " at a rate (N/s, N/m, 0 "
		    "unpaced); Enter starts: ");
		if (p->rate > 0)
			snprintf(v->input, sizeof(v->input), "%g/s", p->rate);
		else
			snprintf(v->input, sizeof(v->input), "0");
		break;
	case ACT_DELETE:
	case ACT_BOUNCE:
		if (many) {
			v->prompt = P_COUNT;
			snprintf(v->ptail, sizeof(v->ptail), "? Type %zu to "
			    "confirm: ", p->nids);
			break;
		}
		/* FALLTHROUGH */
	default:
		v->prompt = P_YN;
		snprintf(v->ptail, sizeof(v->ptail), "? [y/N] ");
		break;
	}
}

/* "5/s", "300/m", "2", "0": messages a second; -1 if malformed. */
static double
parse_rate(const char *s)
{
	char *end;
	double r;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	r = strtod(s, &end);
	if (end == s || r < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "/s") == 0)
		return r;
	if (strcmp(end, "/m") == 0)
		return r / 60;
	if (strcmp(end, "/h") == 0)
		return r / 3600;
	return -1;
}

/* ---- Keys ---- */

static void
utf8_put(char *buf, size_t len, int c)
{
	char enc[5];
	size_t n, l = strlen(buf);

	if (c < 0x80) {
		enc[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		enc[0] = (char)(0xc0 | (c >> 6));
		enc[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		enc[0] = (char)(0xe0 | (c >> 12));
		enc[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		enc[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		enc[0] = (char)(0xf0 | (c >> 18));
		enc[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		enc[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		enc[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (l + n < len) {
		memcpy(buf + l, enc, n);
		buf[l + n] = '\0';
	}
}

static enum view_act
prompt_accept(struct view *v)
{
	enum prompt pk = v->prompt;
	struct select *sel;
	char err[256];
	double r;

	v->prompt = P_NONE;
	switch (pk) {
	case P_FILTER:
		sel = select_new();
		if (select_parse_words(sel, v->input, err, sizeof(err)) < 0) {
			select_free(sel);
			view_status(v, 1, "filter: %s", err);
			return ACT_NONE;
		}
		view_set_select(v, sel, 1, v->input);
		top(v)->cursor = 0;
		top(v)->top = 0;
		top(v)->at[0] = '\0';
		return ACT_RESELECT;
	case P_COUNT:
		if (strtoul(v->input, NULL, 10) != v->plan.nids ||
		    v->input[0] == '\0') {
			view_status(v, 1, "%s cancelled: the count did not "
			    "match", act_verb(v->plan.act));
			return ACT_NONE;
		}
		return v->plan.act;
	case P_RATE:
		if ((r = parse_rate(v->input)) < 0) {
			view_status(v, 1, "flush cancelled: bad rate '%s' "
			    "(5/s, 300/m, 0)", v->input);
			return ACT_NONE;
		}
		v->plan.rate = r;
		v->rate = r;
		return v->plan.act;
	default:
		return ACT_NONE;
	}
}

static enum view_act
prompt_key(struct view *v, int key)
{
	size_t l;

	if (v->prompt == P_YN) {
		v->prompt = P_NONE;
		if (key == 'y' || key == 'Y')
			return v->plan.act;
		view_status(v, 0, "%s cancelled", act_verb(v->plan.act));
		return ACT_NONE;
	}
	switch (key) {
	case VIEW_KEY_ESC:
	case VIEW_CTRL('g'):
	case VIEW_CTRL('c'):
		v->prompt = P_NONE;
		view_status(v, 0, "cancelled");
		return ACT_NONE;
	case VIEW_KEY_ENTER:
	case '\r':
		return prompt_accept(v);
	case VIEW_KEY_BACKSPACE:
	case 0x7f:
	case VIEW_CTRL('h'):
		l = strlen(v->input);
		while (l > 0 && ((unsigned char)v->input[l - 1] & 0xc0) ==
		    0x80)
			l--;
		if (l > 0)
			l--;
		v->input[l] = '\0';
		return ACT_NONE;
	case VIEW_CTRL('u'):
		v->input[0] = '\0';
		return ACT_NONE;
	default:
		if (key >= 0x20 && key != 0x7f && key < VIEW_KEY_BASE)
			utf8_put(v->input, sizeof(v->input), key);
		return ACT_NONE;
	}
}

static void
tag_row(struct view *v, size_t i, int on)
{
	struct strset *s = top(v)->scr == VIEW_DOMAINS ? &v->tdoms : &v->tmsgs;
	const char *k = view_row_key(v, i);

	if (k == NULL)
		return;
	if (on)
		set_add(s, k);
	else
		set_del(s, k);
}

static enum view_act
start_action(struct view *v, enum view_act act)
{
	if (v->prog.running) {
		view_status(v, 1, "an action is running (x cancels it)");
		return ACT_NONE;
	}
	if (plan_build(v, act) == 0)
		return ACT_NONE;
	plan_prompt(v);
	return ACT_NONE;
}

enum view_act
view_key(struct view *v, int key)
{
	struct frame *f = top(v);
	const struct keydef *k = NULL;
	const char *rk;
	size_t i, h = (size_t)body_h(v);

	v->status[0] = '\0';
	v->status_err = 0;
	if (!v->prog.running)
		v->prog.result[0] = '\0';
	if (key == VIEW_KEY_RESIZE)
		return ACT_NONE;
	if (v->prompt != P_NONE)
		return prompt_key(v, key);
	for (i = 0; i < NKEYS; i++)
		if (keys[i].key == key && (keys[i].screens & (1u << f->scr))) {
			k = &keys[i];
			break;
		}
	if (k == NULL) {
		if (key >= 0x20 && key < 0x7f)
			view_status(v, 1, "key '%c' does nothing here; ? for "
			    "help", key);
		else
			view_status(v, 1, "key does nothing here; ? for help");
		return ACT_NONE;
	}
	switch (k->op) {
	case OP_UP:
		move(v, -1);
		break;
	case OP_DOWN:
		move(v, 1);
		break;
	case OP_PGUP:
		move(v, -(long)h);
		break;
	case OP_PGDN:
		move(v, (long)h);
		break;
	case OP_HOME:
		f->cursor = 0;
		f->top = 0;
		clamp(v);
		break;
	case OP_END:
		f->cursor = nitems(v) ? nitems(v) - 1 : 0;
		f->top = nitems(v);
		clamp(v);
		break;
	case OP_ENTER:
		if ((rk = view_row_key(v, f->cursor)) == NULL)
			break;
		if (f->scr == VIEW_DOMAINS) {
			push(v, VIEW_MESSAGES, rk);
			break;
		}
		push(v, VIEW_MESSAGE, rk);
		v->pg[VIEW_MESSAGE].n = 0;
		v->pg[VIEW_MESSAGE].wrapped_at = 0;
		snprintf(v->pg[VIEW_MESSAGE].title,
		    sizeof(v->pg[VIEW_MESSAGE].title), "Message %s (loading)",
		    rk);
		return ACT_LOAD_MSG;
	case OP_ALLMSGS:
		push(v, VIEW_MESSAGES, "");
		break;
	case OP_BACK:
		if (v->depth > 1)
			pop(v);
		break;
	case OP_QUIT:
		if (v->depth > 1) {
			pop(v);
			break;
		}
		/* FALLTHROUGH */
	case OP_QUITNOW:
		if (v->prog.running && k->op == OP_QUIT) {
			view_status(v, 1, "an action is running: x cancels "
			    "it, Q quits and cancels it");
			break;
		}
		return ACT_QUIT;
	case OP_FILTER:
		v->prompt = P_FILTER;
		snprintf(v->ptext, sizeof(v->ptext), "Filter: ");
		v->pdetail[0] = v->ptail[0] = '\0';
		snprintf(v->input, sizeof(v->input), "%s", v->words);
		break;
	case OP_SORT:
	case OP_SORTPREV:
		if (f->scr == VIEW_DOMAINS)
			v->dorder = (int)((v->dorder + (k->op == OP_SORT ? 1 :
			    NDORDERS - 1)) % NDORDERS);
		else
			v->morder = (int)((v->morder + (k->op == OP_SORT ? 1 :
			    NMORDERS - 1)) % NMORDERS);
		recalc(v);
		view_status(v, 0, "sorted by %s%s", view_sort_name(v),
		    view_sort_reverse(v) ? ", reversed" : "");
		break;
	case OP_RSORT:
		if (f->scr == VIEW_DOMAINS)
			v->drev = !v->drev;
		else
			v->mrev = !v->mrev;
		recalc(v);
		view_status(v, 0, "sorted by %s%s", view_sort_name(v),
		    view_sort_reverse(v) ? ", reversed" : "");
		break;
	case OP_RESCAN:
		view_status(v, 0, "rescanning");
		return ACT_RESCAN;
	case OP_TAG:
		if (view_row_key(v, f->cursor) == NULL)
			break;
		tag_row(v, f->cursor, !view_row_tagged(v, f->cursor));
		move(v, 1);
		break;
	case OP_TAGALL:
		for (i = 0; i < v->nrows; i++)
			tag_row(v, i, 1);
		view_status(v, 0, "%zu tagged", f->scr == VIEW_DOMAINS ?
		    v->tdoms.n : v->tmsgs.n);
		break;
	case OP_UNTAG:
		set_clear(&v->tmsgs);
		set_clear(&v->tdoms);
		view_status(v, 0, "tags cleared");
		break;
	case OP_DIAG:
		if (f->scr == VIEW_DOMAINS)
			rk = view_row_key(v, f->cursor);
		else
			rk = f->ctx[0] ? f->ctx : NULL;
		if (rk == NULL) {
			view_status(v, 1, "no domain here: d works on a "
			    "domain's messages");
			break;
		}
		push(v, VIEW_DIAGNOSE, rk);
		break;
	case OP_BODY:
		if (f->scr == VIEW_BODY) {
			pop(v);
			break;
		}
		push(v, VIEW_BODY, view_msg_id(v));
		return ACT_LOAD_BODY;
	case OP_FLUSH:
		return start_action(v, ACT_FLUSH);
	case OP_BOUNCE:
		return start_action(v, ACT_BOUNCE);
	case OP_DELETE:
		return start_action(v, ACT_DELETE);
	case OP_FREEZE:
		return start_action(v, ACT_FREEZE);
	case OP_THAW:
		return start_action(v, ACT_THAW);
	case OP_EXPORT:
		view_status(v, 1, "export from the TUI is not there yet: use "
		    "mxtop export %s-o FILE", v->args[0] ? "<filter> " : "");
		break;
	case OP_CANCEL:
		if (!v->prog.running) {
			view_status(v, 0, "no action is running");
			break;
		}
		return ACT_CANCEL;
	case OP_HELP:
		if (f->scr != VIEW_HELP)
			push(v, VIEW_HELP, NULL);
		break;
	case OP_REDRAW:
		break;
	}
	return ACT_NONE;
}

/* ---- Rendering ---- */

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
		lb_put(b, style, "\u00b7", 2, 1, VIEW_ALIGN_LEFT);
	else if (lv <= 0)
		lb_put(b, style, ".", 1, 1, VIEW_ALIGN_LEFT);
	else if (b->utf8)
		lb_put(b, style, spark8[lv - 1], 3, 1, VIEW_ALIGN_LEFT);
	else
		lb_put(b, style, &ascii8[lv - 1], 1, 1, VIEW_ALIGN_LEFT);
}

static uint32_t
callouts(const struct stats_diag *g)
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
	const struct stats_diag *g = &d->diag;

	buf[0] = '\0';
	switch (col) {
	case DC_DOMAIN:
		lb_put(b, VIEW_ST_NORMAL, d->name, strlen(d->name), w,
		    VIEW_ALIGN_LEFT);
		return;
	case DC_MSGS:
		snprintf(buf, sizeof(buf), "%u", d->messages);
		break;
	case DC_RCPTS:
		snprintf(buf, sizeof(buf), "%u", d->recipients);
		break;
	case DC_SIZE:
		size_str(buf, sizeof(buf), d->bytes);
		break;
	case DC_OLDEST:
		age(buf, sizeof(buf), v->now - d->oldest);
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
		lb_pad(b, VIEW_ST_NORMAL, w - i);
		return;
	case DC_CLASS:
		snprintf(buf, sizeof(buf), "%s", g->cls != CLASS_NONE ?
		    class_name(g->cls) : "-");
		style = g->cls != CLASS_NONE ? VIEW_ST_CLASS + (g->cls & 15) :
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
			snprintf(buf, sizeof(buf), "%s", age(a, sizeof(a),
			    v->now - g->last_success));
		else
			snprintf(buf, sizeof(buf), "-");
		style = g->last_success ? VIEW_ST_NORMAL : VIEW_ST_DIM;
		break;
	case DC_FROZEN:
		snprintf(buf, sizeof(buf), "%u", d->frozen);
		style = d->frozen ? VIEW_ST_WARN : VIEW_ST_DIM;
		break;
	}
	lb_put(b, style, buf, strlen(buf), w, dcols[col].align);
}

static void
msg_cell(const struct view *v, struct lb *b, const struct spool_msg *m,
    int col, int w)
{
	char buf[64], more[32];
	int style = VIEW_ST_NORMAL, mw;
	const char *ctx = ctop(v)->ctx, *first = NULL, *dn;
	uint32_t j, npend = 0;

	buf[0] = '\0';
	switch (col) {
	case MC_AGE:
		age(buf, sizeof(buf), v->now - m->arrival);
		break;
	case MC_SIZE:
		if (m->size >= 0)
			size_str(buf, sizeof(buf), m->size);
		break;
	case MC_ID:
		snprintf(buf, sizeof(buf), "%s", m->id);
		break;
	case MC_SENDER:
		if (m->sender == NULL || m->sender[0] == '\0')
			lb_put(b, VIEW_ST_DIM, "<>", 2, w, VIEW_ALIGN_LEFT);
		else
			lb_put(b, style, m->sender, strlen(m->sender), w,
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
				first = r->addr;
		}
		if (first == NULL) {
			lb_put(b, VIEW_ST_DIM, "(none pending)", 14, w,
			    VIEW_ALIGN_LEFT);
			return;
		}
		more[0] = '\0';
		if (npend > 1)
			snprintf(more, sizeof(more), " +%u", npend - 1);
		mw = (int)strlen(more);
		if (mw > w / 2)
			mw = more[0] = 0;
		lb_put(b, style, first, strlen(first), w - mw,
		    VIEW_ALIGN_LEFT);
		lb_put(b, VIEW_ST_DIM, more, strlen(more), mw,
		    VIEW_ALIGN_LEFT);
		return;
	case MC_CLASS:
		snprintf(buf, sizeof(buf), "%s", m->cls != CLASS_NONE ?
		    class_name(m->cls) : "-");
		style = m->cls != CLASS_NONE ? VIEW_ST_CLASS + (m->cls & 15) :
		    VIEW_ST_DIM;
		break;
	case MC_FLAGS:
		if (m->flags & MSG_F_FROZEN)
			strcat(buf, "F");
		if (m->flags & MSG_F_ACTIVE)
			strcat(buf, "A");
		if (m->flags & MSG_F_BADFILE)
			strcat(buf, "B");
		if (m->flags & MSG_F_BADFILE)
			style = VIEW_ST_BAD;
		else if (m->flags & MSG_F_FROZEN)
			style = VIEW_ST_WARN;
		break;
	}
	lb_put(b, style, buf, strlen(buf), w, mcols[col].align);
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
	lb_str(b, vstyle, val);
	lb_str(b, VIEW_ST_HEAD, label);
}

static void
header(const struct view *v, int y, struct lb *b)
{
	char buf[1024], right[512], t[64], sz[32];
	const struct stats *st = v->st;
	struct tm tm;
	size_t i;
	uint32_t co = 0, max;
	int rw, k, n, style;

	if (y == 0) {
		right[0] = '\0';
		if (v->printing) {
			util_fmt_time(t, sizeof(t), v->now);
			snprintf(right, sizeof(right), "as of %s UTC", t);
		} else if (v->info.scanning)
			snprintf(right, sizeof(right), "scanning...");
		else if (v->info.scan_time != 0) {
			localtime_r(&v->info.scan_time, &tm);
			strftime(t, sizeof(t), "%H:%M:%S", &tm);
			snprintf(right, sizeof(right), "scanned %s in %.2fs",
			    t, v->info.scan_secs);
		}
		rw = view_width(right, strlen(right), v->utf8);
		lb_str(b, VIEW_ST_TITLE, "mxtop ");
		snprintf(buf, sizeof(buf), "%s", v->host[0] ? v->host :
		    "(host)");
		lb_put(b, VIEW_ST_HEADVAL, buf, strlen(buf), -1,
		    VIEW_ALIGN_LEFT);
		lb_str(b, VIEW_ST_HEAD, "  spool ");
		n = b->width - b->x - rw - 2;
		if (n > 0)
			lb_put(b, VIEW_ST_HEADVAL, v->spool, strlen(v->spool),
			    n, VIEW_ALIGN_LEFT);
		else
			rw = 0;
		if (rw > 0) {
			lb_pad(b, VIEW_ST_HEAD, b->width - b->x - rw);
			lb_str(b, v->info.scanning ? VIEW_ST_WARN :
			    VIEW_ST_HEAD, right);
		}
		return;
	}
	if (y == 1) {
		if (st == NULL) {
			lb_str(b, VIEW_ST_WARN, "scanning the spool...");
			return;
		}
		for (i = 0; i < st->ndomains; i++)
			co += callouts(&st->domains[i].diag);
		snprintf(buf, sizeof(buf), "%u", st->total.messages);
		lb_val(b, VIEW_ST_HEADVAL, buf, " msgs  ");
		snprintf(buf, sizeof(buf), "%u", st->total.recipients);
		lb_val(b, VIEW_ST_HEADVAL, buf, " rcpts  ");
		lb_val(b, VIEW_ST_HEADVAL, size_str(sz, sizeof(sz),
		    st->total.bytes), "  ");
		snprintf(buf, sizeof(buf), "%u", st->total.frozen);
		lb_str(b, VIEW_ST_HEAD, "frozen ");
		lb_val(b, st->total.frozen ? VIEW_ST_WARN : VIEW_ST_HEADVAL,
		    buf, "  ");
		snprintf(buf, sizeof(buf), "%u", st->total.active);
		lb_str(b, VIEW_ST_HEAD, "active ");
		lb_val(b, VIEW_ST_HEADVAL, buf, "  ");
		if (st->total.bad > 0) {
			snprintf(buf, sizeof(buf), "%u", st->total.bad);
			lb_str(b, VIEW_ST_HEAD, "bad ");
			lb_val(b, VIEW_ST_BAD, buf, "  ");
		}
		snprintf(buf, sizeof(buf), "%u", co);
		lb_str(b, VIEW_ST_HEAD, "callout fail ");
		lb_val(b, co ? VIEW_ST_WARN : VIEW_ST_HEADVAL, buf, "  ");
		if (v->info.partial)
			lb_str(b, VIEW_ST_WARN, "(partial)  ");
		/* Depth since start, as many samples as fit. */
		n = b->width - b->x - 6;
		if (n > 40)
			n = 40;
		if (n > v->nhist)
			n = v->nhist;
		if (n > 0) {
			lb_str(b, VIEW_ST_HEAD, "depth ");
			max = 0;
			for (k = v->nhist - n; k < v->nhist; k++)
				if (v->hist[k] > max)
					max = v->hist[k];
			for (k = v->nhist - n; k < v->nhist; k++)
				lb_glyph(b, VIEW_ST_BAR, v->hist[k] ?
				    level(v->hist[k], max) : 0);
		}
		return;
	}
	/* y == 2: the filter, and where we are. */
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
	rw = view_width(right, strlen(right), v->utf8);
	if (rw > b->width / 2)
		rw = b->width / 2;
	lb_str(b, VIEW_ST_HEAD, "filter ");
	style = v->words[0] ? VIEW_ST_WARN : VIEW_ST_DIM;
	n = b->width - b->x - rw - 2;
	if (v->words[0])
		lb_put(b, style, v->words, strlen(v->words), n > 0 ? n : 0,
		    VIEW_ALIGN_LEFT);
	else
		lb_put(b, style, "none (/ sets one)", 17, n > 0 ? n : 0,
		    VIEW_ALIGN_LEFT);
	lb_pad(b, VIEW_ST_HEAD, b->width - b->x - rw);
	lb_put(b, VIEW_ST_HEADVAL, right, strlen(right), rw, VIEW_ALIGN_RIGHT);
}

static void
title(const struct view *v, struct lb *b)
{
	const struct frame *f = ctop(v);
	const struct view_col *cols = f->scr == VIEW_DOMAINS ? dcols : mcols;
	int i, col, sortcol;
	char right[64];
	const struct pager *p;
	size_t n, h;

	if (is_list(f->scr)) {
		sortcol = f->scr == VIEW_DOMAINS ? dorders[v->dorder].col :
		    morders[v->morder].col;
		lb_str(b, VIEW_ST_COLHDR, " ");
		for (i = 0; i < v->nlay; i++) {
			col = v->lay[i];
			lb_str(b, VIEW_ST_COLHDR, " ");
			lb_put(b, col == sortcol ? VIEW_ST_SORTHDR :
			    VIEW_ST_COLHDR, cols[col].name,
			    strlen(cols[col].name), v->layw[i],
			    cols[col].align);
		}
		lb_fill(b, VIEW_ST_COLHDR);
		return;
	}
	p = &v->pg[f->scr];
	n = p->nd;
	h = (size_t)body_h(v);
	if (n > 0)
		snprintf(right, sizeof(right), " %zu-%zu/%zu ", f->top + 1,
		    f->top + h < n ? f->top + h : n, n);
	else
		right[0] = '\0';
	lb_str(b, VIEW_ST_TITLE, " ");
	lb_put(b, VIEW_ST_TITLE, p->title, strlen(p->title),
	    b->width - 1 - (int)strlen(right), VIEW_ALIGN_LEFT);
	lb_put(b, VIEW_ST_TITLE, right, strlen(right), -1, VIEW_ALIGN_RIGHT);
	lb_fill(b, VIEW_ST_TITLE);
}

static void
body(const struct view *v, int row, struct lb *b)
{
	const struct frame *f = ctop(v);
	size_t idx = f->top + (size_t)row;
	const struct pager *p;
	const struct dline *d;
	int i;

	if (is_list(f->scr)) {
		if (idx >= v->nrows) {
			if (idx == 0)
				lb_str(b, VIEW_ST_DIM, v->st == NULL ?
				    "  (scanning)" : f->scr == VIEW_DOMAINS ?
				    "  (nothing queued)" :
				    "  (no messages here)");
			return;
		}
		if (idx == f->cursor && !v->printing)
			b->l->flags |= VIEW_LF_CURSOR;
		if (view_row_tagged(v, idx)) {
			b->l->flags |= VIEW_LF_TAGGED;
			lb_str(b, VIEW_ST_WARN, "*");
		} else
			lb_str(b, VIEW_ST_NORMAL, " ");
		for (i = 0; i < v->nlay; i++) {
			lb_str(b, VIEW_ST_NORMAL, " ");
			if (f->scr == VIEW_DOMAINS)
				dom_cell(v, b, v->row[idx], v->lay[i],
				    v->layw[i]);
			else
				msg_cell(v, b, v->row[idx], v->lay[i],
				    v->layw[i]);
		}
		return;
	}
	p = &v->pg[f->scr];
	if (p->wrapped_at != v->cols)
		pg_wrap((struct pager *)p, v->cols, v->utf8);
	if (idx >= p->nd) {
		if (idx == 0 && f->scr == VIEW_MESSAGE)
			lb_str(b, VIEW_ST_DIM, "  (loading)");
		return;
	}
	d = &p->d[idx];
	if (d->cont)
		lb_pad(b, p->l[d->pl].style, p->l[d->pl].indent > v->cols / 3 ?
		    4 : p->l[d->pl].indent);
	lb_put(b, p->l[d->pl].style, p->l[d->pl].text + d->off, d->len, -1,
	    VIEW_ALIGN_LEFT);
}

/* Appends s shell-quoted for a POSIX shell. */
static void
shquote(char *buf, size_t len, const char *s)
{
	size_t l = strlen(buf);
	const char *q;

	for (q = s; *q != '\0'; q++)
		if (!isalnum((unsigned char)*q) &&
		    strchr("_./:=@%+,-", *q) == NULL)
			break;
	if (*q == '\0' && q != s) {
		strncat(buf, s, len - l - 1);
		return;
	}
	if (l + 1 < len)
		buf[l++] = '\'';
	for (; *s != '\0' && l + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + l, "'\\''", 4);
			l += 4;
		} else
			buf[l++] = *s;
	}
	if (l + 1 < len)
		buf[l++] = '\'';
	buf[l] = '\0';
}

static void
status(const struct view *v, struct lb *b)
{
	const struct frame *f = ctop(v);
	const struct view_progress *p = &v->prog;
	char buf[1536];
	const char *in;
	int i, n, bw, fill;

	if (v->prompt != P_NONE) {
		n = view_width(v->ptext, strlen(v->ptext), v->utf8);
		bw = view_width(v->ptail, strlen(v->ptail), v->utf8);
		fill = view_width(v->pdetail, strlen(v->pdetail), v->utf8);
		if (n + bw > b->width - 12)
			n = b->width - 12 - bw;
		lb_put(b, VIEW_ST_PROMPT, v->ptext, strlen(v->ptext),
		    n > 0 ? n : 0, VIEW_ALIGN_LEFT);
		if (b->x + fill + bw <= b->width - 12)
			lb_str(b, VIEW_ST_NORMAL, v->pdetail);
		lb_str(b, VIEW_ST_PROMPT, v->ptail);
		/* The end of the input, if it is too long. */
		in = v->input;
		while (*in != '\0' && view_width(in, strlen(in), v->utf8) >
		    b->width - b->x - 2)
			in++;
		lb_str(b, VIEW_ST_NORMAL, in);
		lb_str(b, VIEW_ST_PROMPT, "_");
		return;
	}
	if (v->status[0] != '\0') {
		lb_str(b, v->status_err ? VIEW_ST_ERROR : VIEW_ST_STATUS,
		    v->status);
		return;
	}
	if (p->running) {
		snprintf(buf, sizeof(buf), "%s ", p->verb ? p->verb :
		    "action");
		lb_str(b, VIEW_ST_STATUS, buf);
		bw = 20;
		fill = p->total ? (int)((double)p->done * bw / p->total) : 0;
		lb_str(b, VIEW_ST_STATUS, "[");
		for (i = 0; i < bw; i++)
			lb_str(b, i < fill ? VIEW_ST_BAR : VIEW_ST_DIM,
			    i < fill ? "#" : ".");
		n = snprintf(buf, sizeof(buf), "] %zu/%zu ok %zu failed %zu "
		    "gone %zu", p->done, p->total, p->ok, p->failed, p->gone);
		if (p->rate > 0)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			    "  %.1f/s", p->rate);
		if (p->eta >= 0) {
			char a[16];

			snprintf(buf + n, sizeof(buf) - (size_t)n, " ETA %s",
			    age(a, sizeof(a), (int64_t)p->eta));
		}
		lb_str(b, VIEW_ST_STATUS, buf);
		lb_str(b, VIEW_ST_DIM, "  x cancels");
		return;
	}
	if (p->result[0] != '\0') {
		lb_str(b, VIEW_ST_STATUS, p->result);
		return;
	}
	if (v->args[0] != '\0' || (f->scr == VIEW_MESSAGES && f->ctx[0])) {
		snprintf(buf, sizeof(buf), "mxtop %s", f->scr == VIEW_MESSAGES ?
		    "list" : "summary");
		if (f->scr == VIEW_MESSAGES && f->ctx[0]) {
			strncat(buf, " --domain ", sizeof(buf) - strlen(buf) -
			    1);
			shquote(buf, sizeof(buf), f->ctx);
		}
		if (v->args[0] != '\0') {
			strncat(buf, " ", sizeof(buf) - strlen(buf) - 1);
			strncat(buf, v->args, sizeof(buf) - strlen(buf) - 1);
		}
		if (is_list(f->scr)) {
			lb_str(b, VIEW_ST_KEY, buf);
			lb_str(b, VIEW_ST_DIM, "   ? help");
			return;
		}
	}
	switch (f->scr) {
	case VIEW_DOMAINS:
		lb_str(b, VIEW_ST_DIM, "Enter open  / filter  s sort  "
		    "d diagnose  Space tag  f flush  ? help  q quit");
		break;
	case VIEW_MESSAGES:
		lb_str(b, VIEW_ST_DIM, "Enter open  Space tag  a all  "
		    "/ filter  s sort  f b D F T act  ? help  q back");
		break;
	case VIEW_MESSAGE:
		lb_str(b, VIEW_ST_DIM, "B body  j/k scroll  f b D F T act  "
		    "? help  q back");
		break;
	case VIEW_BODY:
		lb_str(b, VIEW_ST_DIM, "B or q back  j/k scroll");
		break;
	case VIEW_DIAGNOSE:
		lb_str(b, VIEW_ST_DIM, "f flush  b bounce  F freeze  j/k scroll"
		    "  q back");
		break;
	default:
		lb_str(b, VIEW_ST_DIM, "q back");
		break;
	}
}

void
view_render(const struct view *v, int y, struct view_line *l)
{
	struct lb b;
	int hl = head_lines(v);

	lb_init(&b, l, v->cols, v->utf8);
	if (y == v->rows - 1 && !v->printing)
		status(v, &b);
	else if (y < hl)
		header(v, y, &b);
	else if (y == hl)
		title(v, &b);
	else
		body(v, y - body_y0(v), &b);
	lb_fill(&b, VIEW_ST_NORMAL);
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
	n = body_y0(c) + (int)(v->nrows > 0 ? v->nrows : 1);
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
