/* smtp_reply.c -- SMTP replies from untrusted bytes (smtp.h): lines to
 * a code, an enhanced status code and one line of text.  Pure, bounded:
 * a hostile server can send anything, as much as it likes. */
#include "run/smtp.h"

#include <string.h>

void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
}

static int
dig(char c)
{
	return c >= '0' && c <= '9';
}

/* Appends s[0..n) to the reply's text, a blank before all but the
 * first piece. */
static void
add_text(struct smtp_reply *r, const char *s, size_t n)
{
	size_t	 room = sizeof(r->text) - 1 - r->len;

	if (r->len > 0 && n > 0) {
		if (room == 0) {
			r->cut = 1;
			return;
		}
		r->text[r->len++] = ' ';
		room--;
	}
	if (n > room) {
		n = room;
		r->cut = 1;
	}
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
}

/* An enhanced status code "c.ddd.ddd" at s[0..n): its length, 0 if
 * none. */
static size_t
enhanced(const char *s, size_t n)
{
	size_t	 i, j, part;

	if (n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') ||
	    s[1] != '.')
		return 0;
	for (i = 2, part = 0; part < 2; part++) {
		for (j = i; i < n && i - j < 3 && dig(s[i]); i++)
			;
		if (i == j)
			return 0;
		if (part == 0) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	return i < n && s[i] != ' ' ? 0 : i;
}

/* One complete line; returns 1 when it ends the reply. */
static int
one_line(struct smtp_reply *r, enum smtp_rstate *st)
{
	const char	*s = r->line;
	size_t		 n = r->llen, e;
	int		 code, last;

	if (n > 0 && s[n - 1] == '\r' && r->lfull == r->llen)
		n--;
	if (n < 3 || !dig(s[0]) || !dig(s[1]) || !dig(s[2]) ||
	    s[0] < '2' || s[0] > '5' || (n > 3 && s[3] != ' ' &&
	    s[3] != '-')) {
		r->code = 0;
		r->len = 0;
		r->enh[0] = '\0';
		add_text(r, s, n);
		*st = SMTP_R_BAD;
		return 1;
	}
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	last = n == 3 || s[3] == ' ';
	if (r->nlines == 0) {
		add_text(r, s, 3);
		if (n > 4 && (e = enhanced(s + 4, n - 4)) > 0) {
			memcpy(r->enh, s + 4, e);
			r->enh[e] = '\0';
		}
	}
	if (r->nlines < SMTP_REPLY_LINES) {
		if (n > 4)
			add_text(r, s + 4, n - 4);
		r->nlines++;
	} else
		r->dropped++;
	if (r->lfull > r->llen)
		r->cut = 1;
	r->code = code;
	if (last)
		*st = SMTP_R_DONE;
	return last;
}

size_t
smtp_reply_feed(struct smtp_reply *r, const char *buf, size_t n,
    enum smtp_rstate *st)
{
	size_t	 i;

	*st = SMTP_R_MORE;
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (r->llen < sizeof(r->line))
				r->line[r->llen++] = buf[i];
			r->lfull++;
			continue;
		}
		if (one_line(r, st))
			return i + 1;
		r->llen = r->lfull = 0;
	}
	return n;
}
