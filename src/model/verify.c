/* verify.c -- per-address verify results, their text form, and the
 * watch that stops a run (verify.h).  Pure. */
#include "model/verify.h"
#include "model/classify.h"
#include "base/intern.h"
#include "base/mem.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const res_names[VERIFY__COUNT] = {
	"unknown", "accepted", "rejected", "deferred"
};

const char *
verify_res_name(enum verify_res r)
{
	return (unsigned)r < VERIFY__COUNT ? res_names[r] : "unknown";
}

int
verify_res_parse(const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < VERIFY__COUNT; i++)
		if (strcmp(s, res_names[i]) == 0)
			return i;
	return -1;
}

enum verify_res
verify_res_of_code(int code)
{
	if (code >= 200 && code < 300)
		return VERIFY_ACCEPTED;
	if (code >= 500 && code < 600)
		return VERIFY_REJECTED;
	if (code >= 400 && code < 500)
		return VERIFY_DEFERRED;
	return VERIFY_UNKNOWN;
}

struct verify_set {
	struct intern		*addrs;		/* address -> index */
	struct verify_rec	*recs;		/* by index */
	char			**replies;	/* owned reply strings */
	size_t			 cap, rcap;
};

struct verify_set *
verify_set_new(void)
{
	struct verify_set *v = xcalloc(1, sizeof(*v));

	v->addrs = intern_new();
	return v;
}

void
verify_set_free(struct verify_set *v)
{
	size_t	 i, n;

	if (v == NULL)
		return;
	n = intern_count(v->addrs);
	for (i = 0; i < n; i++)
		free(v->replies[i]);
	free(v->replies);
	free(v->recs);
	intern_free(v->addrs);
	free(v);
}

void
verify_set_put(struct verify_set *v, const char *addr, time_t t,
    enum verify_res res, int code, const char *reply)
{
	uint32_t		 k, n = intern_count(v->addrs);
	struct verify_rec	*r;

	k = intern_add(v->addrs, addr, strlen(addr));
	if (k == n) {
		xgrow(&v->recs, &v->cap, (size_t)n + 1, sizeof(*v->recs));
		xgrow(&v->replies, &v->rcap, (size_t)n + 1, sizeof(*v->replies));
		v->replies[k] = NULL;
		memset(&v->recs[k], 0, sizeof(v->recs[k]));
	} else if (v->recs[k].time > t)
		return;			/* an older answer */
	r = &v->recs[k];
	r->addr = intern_str(v->addrs, k);
	r->time = t;
	r->res = (unsigned)res < VERIFY__COUNT ? res : VERIFY_UNKNOWN;
	r->code = code;
	free(v->replies[k]);
	v->replies[k] = xstrdup(reply != NULL ? reply : "");
	r->reply = v->replies[k];
}

const struct verify_rec *
verify_set_get(const struct verify_set *v, const char *addr)
{
	uint32_t	 k;

	if (v == NULL || addr == NULL)
		return NULL;
	k = intern_find(v->addrs, addr, strlen(addr));
	return k == UINT32_MAX ? NULL : &v->recs[k];
}

enum verify_res
verify_set_result(const struct verify_set *v, const char *addr, time_t now,
    int64_t max_age)
{
	const struct verify_rec *r = verify_set_get(v, addr);

	if (r == NULL)
		return VERIFY_UNKNOWN;
	if (max_age > 0 && (int64_t)now - (int64_t)r->time > max_age)
		return VERIFY_UNKNOWN;
	return r->res;
}

size_t
verify_set_count(const struct verify_set *v)
{
	return v == NULL ? 0 : intern_count(v->addrs);
}

const struct verify_rec *
verify_set_at(const struct verify_set *v, size_t i)
{
	return i < verify_set_count(v) ? &v->recs[i] : NULL;
}

/* ---- The text form ---- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescapes s[0..n) into a new string; NULL when it is malformed (a
 * bad escape, or a NUL it would make). */
static char *
unescape(const char *s, size_t n)
{
	char	*o = xmalloc(n + 1), *q = o;
	size_t	 i;
	int	 h, l;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			if (s[i] == '\0') {
				free(o);
				return NULL;
			}
			*q++ = s[i];
			continue;
		}
		if (i + 3 >= n || s[i + 1] != 'x' ||
		    (h = hexval(s[i + 2])) < 0 || (l = hexval(s[i + 3])) < 0 ||
		    (h == 0 && l == 0)) {
			free(o);
			return NULL;
		}
		*q++ = (char)(h * 16 + l);
		i += 3;
	}
	*q = '\0';
	return o;
}

/* One line; returns 0 when it was read (or is a comment), -1 if not. */
static int
parse_line(struct verify_set *v, const char *s, size_t n)
{
	const char	*f[5];
	size_t		 fl[5], i, k = 0;
	long long	 t = 0;
	char		 res[16], *addr, *reply;
	int		 code = 0, r;

	if (n == 0 || s[0] == '#')
		return 0;
	f[0] = s;
	for (i = 0; i < n && k < 5; i++)
		if (s[i] == '\t') {
			fl[k] = (size_t)(s + i - f[k]);
			if (++k < 5)
				f[k] = s + i + 1;
		}
	if (k != 4)
		return -1;
	fl[4] = (size_t)(s + n - f[4]);
	/* time: digits; code: 0 or 200-599. */
	if (fl[0] == 0 || fl[0] > 12 || fl[2] == 0 || fl[2] > 3 ||
	    fl[1] == 0 || fl[1] >= sizeof(res) || fl[3] == 0)
		return -1;
	for (i = 0; i < fl[0]; i++) {
		if (f[0][i] < '0' || f[0][i] > '9')
			return -1;
		t = t * 10 + (f[0][i] - '0');
	}
	for (i = 0; i < fl[2]; i++) {
		if (f[2][i] < '0' || f[2][i] > '9')
			return -1;
		code = code * 10 + (f[2][i] - '0');
	}
	if (code != 0 && (code < 200 || code > 599))
		return -1;
	memcpy(res, f[1], fl[1]);
	res[fl[1]] = '\0';
	if ((r = verify_res_parse(res)) < 0)
		return -1;
	if ((addr = unescape(f[3], fl[3])) == NULL)
		return -1;
	if ((reply = unescape(f[4], fl[4])) == NULL) {
		free(addr);
		return -1;
	}
	verify_set_put(v, addr, (time_t)t, (enum verify_res)r, code, reply);
	free(addr);
	free(reply);
	return 0;
}

size_t
verify_set_parse(struct verify_set *v, const char *buf, size_t len)
{
	const char	*p = buf, *e = buf + len, *nl;
	size_t		 bad = 0;

	if (buf == NULL)
		return 0;
	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		if (parse_line(v, p, (size_t)(nl - p)) < 0)
			bad++;
	}
	return bad;
}

struct sbuf {
	char	*p;
	size_t	 n, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	xgrow(&b->p, &b->cap, b->n + n + 1, 1);
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_esc(struct sbuf *b, const char *s)
{
	char	 hex[5];

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\') {
			snprintf(hex, sizeof(hex), "\\x%02x",
			    (unsigned char)*s);
			sb_add(b, hex, 4);
		} else
			sb_add(b, s, 1);
	}
}

void
verify_set_format(const struct verify_set *v, time_t keep_since, char **out,
    size_t *outlen)
{
	static const char head[] = "# mxtop verify results: time, result, "
	    "code, address, reply (tab-separated)\n";
	struct sbuf	 b = { NULL, 0, 0 };
	char		 num[64];
	size_t		 i, n = verify_set_count(v);
	int		 l;

	sb_add(&b, head, sizeof(head) - 1);
	for (i = 0; i < n; i++) {
		const struct verify_rec *r = &v->recs[i];

		if (r->time < keep_since)
			continue;
		l = snprintf(num, sizeof(num), "%lld\t%s\t%d\t",
		    (long long)r->time, verify_res_name(r->res), r->code);
		sb_add(&b, num, (size_t)l);
		sb_esc(&b, r->addr);
		sb_add(&b, "\t", 1);
		sb_esc(&b, r->reply);
		sb_add(&b, "\n", 1);
	}
	*out = b.p;
	*outlen = b.n;
}

/* ---- The watch ---- */

int
verify_watch_feed(struct verify_watch *w, enum verify_event ev, int code,
    const char *text)
{
	char	 t[160];

	if (w->stopped)
		return 1;
	text_sanitize(t, sizeof(t), text != NULL ? text : "",
	    text != NULL ? strlen(text) : 0);
	switch (ev) {
	case VERIFY_EV_REPLY:
		w->stalls = w->drops = 0;
		if (code == 421 || (code >= 400 && code < 500 &&
		    class_of_text(text, text != NULL ? strlen(text) : 0) ==
		    CLASS_RATELIMIT)) {
			snprintf(w->why, sizeof(w->why), "the primary is "
			    "rate-limiting: %s", t);
			w->stopped = 1;
		} else if (code >= 400 && code < 500) {
			if (++w->n4xx >= VERIFY_STOP_4XX) {
				snprintf(w->why, sizeof(w->why), "the primary "
				    "answered 4xx to %u recipients in a row "
				    "(last: %s)", w->n4xx, t);
				w->stopped = 1;
			}
		} else
			w->n4xx = 0;
		break;
	case VERIFY_EV_STALL:
		if (++w->stalls >= VERIFY_STOP_STALLS) {
			snprintf(w->why, sizeof(w->why), "the primary stopped "
			    "answering (%u stalls in a row; last: %s)",
			    w->stalls, t);
			w->stopped = 1;
		}
		break;
	case VERIFY_EV_DROP:
		if (++w->drops >= VERIFY_STOP_DROPS) {
			snprintf(w->why, sizeof(w->why), "the primary drops "
			    "the connections (%u in a row; last: %s)",
			    w->drops, t);
			w->stopped = 1;
		}
		break;
	case VERIFY_EV_REFUSED:
		snprintf(w->why, sizeof(w->why), "the primary refused the "
		    "session: %s", t);
		w->stopped = 1;
		break;
	}
	return w->stopped;
}
