/* history.c -- parses msglog/<id> (exim-spool.md section 6) into events,
 * incrementally: a msglog only grows, so a refresh feeds only new bytes. */
#include "exim/history.h"
#include "exim/spool.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exim/logscan.h"	/* logscan_parse_stamp(): the same stamps */
#include "base/text.h"

#define PFX(s, n, lit)	((n) >= sizeof(lit) - 1 && \
			    memcmp((s), (lit), sizeof(lit) - 1) == 0)

static const char pfail[] = "Process failed (";

void
history_init(struct history *h)
{
	memset(h, 0, sizeof(*h));
	arena_init(&h->strings);
}

void
history_done(struct history *h)
{
	free(h->ev);
	free(h->tail);
	arena_free(&h->strings);
	memset(h, 0, sizeof(*h));
}

int
history_is_attempt(const struct history_event *e)
{
	return e->kind == HIST_DEFER || e->kind == HIST_FAIL ||
	    e->kind == HIST_DELIVERED;
}

static const char *
find(const char *s, size_t n, const char *p)
{
	return text_memmem(s, n, p, strlen(p));
}

static int
dig(char c)
{
	return c >= '0' && c <= '9';
}

/* In "addr R=r T=t H=host [ip]*: text", the ": " after the host group,
 * or NULL. */
static const char *
fail_host_end(const char *s, size_t n)
{
	const char *h = find(s, n, " R="), *e = s + n, *q;

	if (h == NULL || (h = find(s, n, " H=")) == NULL)
		return NULL;
	q = h + 3 + logscan_hostlen(h + 3, (size_t)(e - h - 3));
	if (q < e && *q == '*')
		q++;
	return e - q >= 2 && q[0] == ':' && q[1] == ' ' ? q : NULL;
}

static struct history_event *
add(struct history *h, time_t t, enum history_kind k, const char *line,
    size_t n)
{
	struct history_event	*e;

	xgrow(&h->ev, &h->cap, h->n + 1, sizeof(*h->ev));
	e = &h->ev[h->n++];
	memset(e, 0, sizeof(*e));
	e->time = t;
	e->kind = k;
	e->cls = CLASS_NONE;
	e->line = arena_strndup(&h->strings, line, n);
	e->text = e->line;
	return e;
}

static void
set_addr(struct history *h, struct history_event *e, const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == ':')
		n--;
	if (n > 0)
		e->addr = arena_strndup(&h->strings, s, n);
}

/* The text of e starts at s (a pointer into the entry passed to add()). */
static void
set_text(struct history_event *e, const char *entry, const char *s)
{
	e->text = e->line + (s - entry);
}

/* Finds " H=" (or "H=" at the start) in s[0..n) and sets e->host. */
static void
set_host(struct history *h, struct history_event *e, const char *s, size_t n)
{
	const char	*p;

	if (n >= 2 && s[0] == 'H' && s[1] == '=')
		p = s;
	else if ((p = find(s, n, " H=")) != NULL)
		p++;
	else
		return;
	p += 2;
	e->host = arena_strndup(&h->strings, p, logscan_hostlen(p,
	    n - (size_t)(p - s)));
}

/* An attempt without its own host takes the one of a per-host line just
 * before it (across the other attempts of the same delivery). */
static void
host_before(struct history *h, struct history_event *e)
{
	size_t	 i;

	for (i = h->n - 1; i > 0; i--) {
		struct history_event *p = &h->ev[i - 1];

		if (p->kind == HIST_HOSTERR) {
			e->host = p->host;
			return;
		}
		if (p->kind == HIST_SKIP)
			continue;
		if (history_is_attempt(p) && p->time == e->time)
			continue;
		return;
	}
}

/* A per-host line right after attempts without a host gives them one. */
static void
host_after(struct history *h, struct history_event *e)
{
	size_t	 i;

	for (i = h->n - 1; i > 0; i--) {
		struct history_event *p = &h->ev[i - 1];

		if (!history_is_attempt(p) || p->host != NULL ||
		    p->kind == HIST_DELIVERED || e->time - p->time > 5 ||
		    p->time - e->time > 5)
			return;
		p->host = e->host;
	}
}

static void
count(struct history *h, struct history_event *e)
{
	if (history_is_attempt(e)) {
		h->attempts++;
		h->frozen = 0;
	} else if (e->kind == HIST_FROZEN)
		h->frozen = 1;
}

/* One entry s[0..n) (no newline, no glued successor). */
static void
entry(struct history *h, const char *s, size_t n)
{
	struct history_event	*e;
	const char		*p, *q, *end;
	time_t			 t = 0;
	size_t			 k;

	k = logscan_parse_stamp(s, n, &t, NULL);
	if (k > 0) {
		s += k;
		n -= k;
		if (n > 0 && s[0] == ' ')
			s++, n--;
	}
	end = s + n;
	if (n == 0)
		return;
	if (PFX(s, n, "Received from ")) {
		e = add(h, t, HIST_RECEIVED, s, n);
		set_text(e, s, s + 14);
	} else if (PFX(s, n, "*** Frozen") || PFX(s, n, "frozen by ")) {
		e = add(h, t, HIST_FROZEN, s, n);
	} else if (PFX(s, n, pfail)) {
		e = add(h, t, HIST_BOUNCEFAIL, s, n);
		if ((p = find(s, n, " error message to ")) != NULL) {
			p += 18;
			q = find(p, (size_t)(end - p), " (frozen)");
			set_addr(h, e, p, q != NULL ? (size_t)(q - p) :
			    logscan_addrlen(p, (size_t)(end - p)));
		}
	} else if (PFX(s, n, "H=")) {
		e = add(h, t, HIST_HOSTERR, s, n);
		k = logscan_hostlen(s + 2, n - 2);
		e->host = arena_strndup(&h->strings, s + 2, k);
		p = s + 2 + k;
		if (p < end && *p == '*')
			p++;
		if (p < end && *p == ':')
			p++;
		while (p < end && *p == ' ')
			p++;
		set_text(e, s, p);
		e->cls = class_of_text(p, (size_t)(end - p));
		if (e->cls == CLASS_NONE)
			e->cls = CLASS_OTHER;
		host_after(h, e);
	} else if (PFX(s, n, "routing failed for ") ||
	    PFX(s, n, "transporting failed for ")) {
		e = add(h, t, HIST_FAIL, s, n);
		p = s + (s[0] == 'r' ? 19 : 24);
		k = logscan_addrlen(p, (size_t)(end - p));
		/* Exim 4.96 writes "for <addr>: <text>". */
		set_addr(h, e, p, k > 0 && p[k - 1] == ':' ? k - 1 : k);
		if ((q = find(p, (size_t)(end - p), " : ")) != NULL)
			q += 3;
		else if ((q = find(p, (size_t)(end - p), ": ")) != NULL)
			q += 2;
		else
			q = end;
		set_text(e, s, q);
		e->cls = class_of_text(q, (size_t)(end - q));
		if (e->cls == CLASS_NONE)
			e->cls = CLASS_OTHER;
		host_before(h, e);
	} else if ((p = find(s, n, " defer (")) != NULL &&
	    (q = p + 8, q < end) && (dig(*q) || *q == '-')) {
		for (q++; q < end && dig(*q); q++)
			;
		if (q < end && *q == ')')
			q++;
		if (q < end && *q == ':')
			q++;
		while (q < end && *q == ' ')
			q++;
		e = add(h, t, HIST_DEFER, s, n);
		set_addr(h, e, s, logscan_addrlen(s, n));
		set_text(e, s, q);
		set_host(h, e, q, (size_t)(end - q));
		e->cls = class_of_text(q, (size_t)(end - q));
		if (e->cls == CLASS_NONE)
			e->kind = HIST_SKIP;
		else if (e->host == NULL)
			host_before(h, e);
	} else if (n > 24 && memcmp(end - 24, ": retry timeout exceeded",
	    24) == 0 && find(s, n, " : ") == NULL) {
		e = add(h, t, HIST_TIMEOUT, s, n);
		set_addr(h, e, s, logscan_addrlen(s, n));
		set_text(e, s, end - 22);
	} else if ((p = find(s, n, " transport succeeded")) != NULL &&
	    p + 20 == end) {
		e = add(h, t, HIST_DELIVERED, s, n);
		set_addr(h, e, s, logscan_addrlen(s, n));
		if ((q = find(s, n, ": ")) != NULL)
			set_text(e, s, q + 2);
	} else if (find(s, n, ": children all complete") == NULL &&
	    k > 0 && !PFX(s, n, "no ") && ((p = find(s, n, " : ")) != NULL ||
	    (p = fail_host_end(s, n)) != NULL)) {
		/* A failure line: the main log's "**" line minus "** ", with
		 * " : " or (Exim 4.96) "H=host [ip]*: " before the text. */
		e = add(h, t, HIST_FAIL, s, n);
		set_addr(h, e, s, logscan_addrlen(s, n));
		set_host(h, e, s, (size_t)(p - s));
		q = p[0] == ' ' ? p + 3 : p + 2;
		set_text(e, s, q);
		e->cls = class_of_text(q, (size_t)(end - q));
		if (e->cls == CLASS_NONE)
			e->cls = CLASS_OTHER;
		if (e->host == NULL)
			host_before(h, e);
	} else
		e = add(h, t, HIST_NOTE, s, n);
	count(h, e);
}

/* Where the entry glued after a "Process failed" one starts, or NULL. */
static const char *
glued(const char *s, size_t n)
{
	const char	*p, *end = s + n;
	time_t		 t;

	for (p = s + sizeof(pfail) - 1; p < end; p++) {
		if (dig(*p) && logscan_parse_stamp(p, (size_t)(end - p), &t,
		    NULL) > 0)
			return p;
		if (*p == '*' && PFX(p, (size_t)(end - p), "*** Frozen"))
			return p;
		if (*p == 'D' && PFX(p, (size_t)(end - p),
		    "Delivery deferred by system filter"))
			return p;
		if (*p == 'P' && PFX(p, (size_t)(end - p), pfail))
			return p;
	}
	return NULL;
}

/* One line s[0..n) without its newline.  final: the line is complete;
 * otherwise only a whole "Process failed" entry is parsed (provisionally). */
static void
do_line(struct history *h, const char *s, size_t n, int final)
{
	const char	*g;

	while (n > 0 && PFX(s, n, pfail) && (g = glued(s, n)) != NULL) {
		entry(h, s, (size_t)(g - s));
		n -= (size_t)(g - s);
		s = g;
	}
	if (final || PFX(s, n, pfail))
		entry(h, s, n);
}

void
history_feed(struct history *h, const char *buf, size_t len)
{
	const char	*p, *end, *nl;

	/* Drop what the previous unterminated tail gave. */
	h->n = h->ncommit;
	h->attempts = h->acommit;
	h->frozen = h->fcommit;
	h->fed += len;
	xgrow(&h->tail, &h->tcap, h->tlen + len + 1, 1);
	memcpy(h->tail + h->tlen, buf, len);
	h->tlen += len;
	p = h->tail;
	end = h->tail + h->tlen;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		do_line(h, p, (size_t)(nl - p), 1);
		p = nl + 1;
	}
	h->tlen = (size_t)(end - p);
	memmove(h->tail, p, h->tlen);
	h->ncommit = h->n;
	h->acommit = h->attempts;
	h->fcommit = h->frozen;
	if (h->tlen > 0)
		do_line(h, h->tail, h->tlen, 0);
}

void
history_parse(struct history *h, const char *buf, size_t len)
{
	history_init(h);
	history_feed(h, buf, len);
}

long
history_read(struct history *h, const char *spool, const char *id)
{
	char		 path[4096], buf[65536];
	struct stat	 st;
	long		 total = 0;
	ssize_t		 r;
	int		 fd, e;

	if (!spool_id_valid(id, strlen(id))) {
		errno = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/msglog/%s", spool, id);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT) {
		snprintf(path, sizeof(path), "%s/msglog/%c/%s", spool, id[5],
		    id);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size < h->fed) {
		history_done(h);
		history_init(h);
	}
	for (;;) {
		r = pread(fd, buf, sizeof(buf), (off_t)h->fed);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		history_feed(h, buf, (size_t)r);
		total += r;
	}
	e = errno;
	close(fd);
	if (r < 0) {
		errno = e;
		return -1;
	}
	return total;
}
