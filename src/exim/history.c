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

#include "base/text.h"

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

const char *
history_kind_name(enum logline_kind k)
{
	switch (k) {
	case LL_RECEIVED: return "received";
	case LL_DEFER: return "defer";
	case LL_FAIL: return "fail";
	case LL_DELIVER: return "delivered";
	case LL_SKIP: return "skip";
	case LL_EXPIRED: return "timeout";
	case LL_HOSTERR: return "host";
	case LL_FROZEN: return "frozen";
	case LL_BOUNCEFAIL: return "bouncefail";
	default: return "note";
	}
}

int
history_is_attempt(const struct history_event *e)
{
	return e->kind == LL_DEFER || e->kind == LL_FAIL ||
	    e->kind == LL_DELIVER;
}

static struct history_event *
add(struct history *h, time_t t, enum logline_kind k, const char *line,
    size_t n)
{
	struct history_event	*e;

	xgrow(&h->ev, &h->cap, h->n + 1, sizeof(*h->ev));
	e = &h->ev[h->n++];
	memset(e, 0, sizeof(*e));
	e->time = t;
	e->kind = k;
	e->line = arena_strndup(&h->strings, line, n);
	e->text = e->line;
	return e;
}

/* An attempt without its own host takes the one of a per-host line just
 * before it (across the other attempts of the same delivery). */
static void
host_before(struct history *h, struct history_event *e)
{
	size_t	 i;

	for (i = h->n - 1; i > 0; i--) {
		struct history_event *p = &h->ev[i - 1];

		if (p->kind == LL_HOSTERR) {
			e->host = p->host;
			return;
		}
		if (p->kind == LL_SKIP)
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
		    p->kind == LL_DELIVER || e->time - p->time > 5 ||
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
	} else if (e->kind == LL_FROZEN)
		h->frozen = 1;
}

/* A copy of span sp in the history's strings; NULL when absent. */
static const char *
copy(struct history *h, struct logline_span sp)
{
	return sp.n > 0 ? arena_strndup(&h->strings, sp.p, sp.n) : NULL;
}

/* One entry s[0..n) (no newline, no glued successor). */
static void
entry(struct history *h, const char *s, size_t n)
{
	struct history_event	*e;
	struct logline		 ll;
	time_t			 t = 0;
	size_t			 k;

	k = logline_stamp(s, n, &t, NULL);
	if (k > 0) {
		s += k;
		n -= k;
		if (n > 0 && s[0] == ' ')
			s++, n--;
	}
	if (n == 0)
		return;
	logline_msglog(s, n, k > 0, &ll);
	e = add(h, t, ll.kind, s, n);
	k = ll.text.n > 0 ? (size_t)(ll.text.p - s) : n;
	/* A NUL byte ends the copied line early; text stays inside it. */
	if (k > strlen(e->line))
		k = strlen(e->line);
	e->text = e->line + k;
	e->addr = copy(h, ll.addr);
	e->host = copy(h, ll.host);
	switch (e->kind) {
	case LL_HOSTERR:
		host_after(h, e);
		break;
	case LL_FAIL:
	case LL_DEFER:
		if (e->host == NULL)
			host_before(h, e);
		break;
	default:
		break;
	}
	count(h, e);
}

/* One line s[0..n) without its newline.  final: the line is complete;
 * otherwise only a whole "Process failed" entry is parsed (provisionally). */
static void
do_line(struct history *h, const char *s, size_t n, int final)
{
	const char	*g;

	while (n > 0 && (g = logline_glued(s, n)) != NULL) {
		entry(h, s, (size_t)(g - s));
		n -= (size_t)(g - s);
		s = g;
	}
	if (final || logline_is_pfail(s, n))
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
	return history_read_in(h, spool, id, '\0');
}

long
history_read_in(struct history *h, const char *spool, const char *id,
    char sub)
{
	char		 path[4096], buf[65536];
	struct stat	 st;
	long		 total = 0;
	ssize_t		 r;
	int		 fd, e, i;

	if (!spool_id_valid(id, strlen(id))) {
		errno = EINVAL;
		return -1;
	}
	/* Where the -H is, first (split spools keep both in <id[5]>/);
	 * never through a symlink (ELOOP), and only from a regular file:
	 * whoever can write the spool must not make us show, or block on,
	 * a file of their choosing. */
	for (i = 0; i < 2; i++) {
		if ((i == 0) == (sub == '\0'))
			snprintf(path, sizeof(path), "%s/msglog/%s", spool, id);
		else
			snprintf(path, sizeof(path), "%s/msglog/%c/%s", spool,
			    id[5], id);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
		    O_NONBLOCK);
		if (fd >= 0 || errno != ENOENT)
			break;
	}
	if (fd < 0) {
		h->read_err = errno;
		return -1;
	}
	e = fstat(fd, &st) < 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
	if (e != 0) {
		close(fd);
		h->read_err = e;
		errno = e;
		return -1;
	}
	if ((uint64_t)st.st_size < h->fed) {
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
		h->read_err = e;
		errno = e;
		return -1;
	}
	h->read_err = 0;
	return total;
}
