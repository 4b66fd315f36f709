/* text.c -- untrusted bytes made safe for a terminal, UTF-8, shell
 * quoting and small string searches. */
#define _GNU_SOURCE		/* memmem(3) */
#include "base/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

const char *
text_memmem(const char *hay, size_t n, const char *needle, size_t nl)
{
	return memmem(hay, n, needle, nl);
}

size_t
text_utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned c = s[0];
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The code point of the valid UTF-8 sequence s[0..n). */
static uint32_t
decode(const unsigned char *u, size_t n)
{
	if (n == 1)
		return u[0];
	if (n == 2)
		return (uint32_t)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
	if (n == 3)
		return (uint32_t)(u[0] & 0x0f) << 12 |
		    (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
	return (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 |
	    (uint32_t)(u[2] & 0x3f) << 6 | (u[3] & 0x3f);
}

int
text_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    cp == 0xad || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	    cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

char *
text_sanitize(char *buf, size_t buflen, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0, n, step;
	uint32_t cp;
	char tmp[16];

	if (buflen == 0)
		return buf;
	while (i < len) {
		unsigned c = u[i];

		step = 1;
		if (c == '\t') {
			tmp[0] = ' ';
			tmp[1] = '\0';
			n = 1;
		} else if (c < 0x20 || c == 0x7f) {
			if (c == 0x7f)
				snprintf(tmp, sizeof(tmp), "^?");
			else
				snprintf(tmp, sizeof(tmp), "^%c", c + '@');
			n = 2;
		} else if ((step = text_utf8_len(u + i, len - i)) == 0) {
			/* Not UTF-8. */
			snprintf(tmp, sizeof(tmp), "\\x%02X", c);
			n = 4;
			step = 1;
		} else if (step > 1 && text_is_control(cp = decode(u + i,
		    step))) {
			/* C1 controls (some terminals obey them as escapes),
			 * bidi and other format controls (they reorder or
			 * hide what is shown). */
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04X",
			    (unsigned)cp);
		} else {
			if (o + step >= buflen)
				break;
			memcpy(buf + o, s + i, step);
			o += step;
			i += step;
			continue;
		}
		if (o + n >= buflen)
			break;
		memcpy(buf + o, tmp, n);
		o += n;
		i += step;
	}
	buf[o] = '\0';
	return buf;
}

size_t
text_char(const char *s, size_t len, int utf8, int *w, int *subst)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t	 n;
	uint32_t cp;
	int	 cw;

	*subst = 0;
	*w = 1;
	if (len == 0)
		return 0;
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
	cp = decode(u, n);
	if (text_is_control(cp)) {
		*subst = 1;
		return n;
	}
	cw = wcwidth((wchar_t)cp);
	/* Outside a UTF-8 locale wcwidth() knows no width: take one. */
	*w = cw < 0 ? 1 : cw;
	return n;
}

int
text_width(const char *s, size_t len)
{
	size_t	 i = 0, n;
	int	 w, sub, total = 0;

	while (i < len && s[i] != '\0') {
		n = text_char(s + i, len - i, 1, &w, &sub);
		total += sub ? 1 : w;
		i += n;
	}
	return total;
}

size_t
text_fit(char *buf, size_t buflen, const char *s, size_t len, int width,
    int utf8, int *used)
{
	char	*tmp;
	size_t	 i, n, o = 0, cut = 0, tlen;
	int	 x = 0, xcut = 0, cw, sub, over = 0, rest = 0;

	if (buflen == 0)
		return 0;
	if (width < 0)
		width = 0;
	/* Read no more than can show: at most width * 4 + 16 bytes, cut
	 * before a partial UTF-8 character.  What is left unread is hidden,
	 * so it gets the mark even if it were all zero-width characters. */
	if (s != NULL && len > (size_t)width * 4 + 16) {
		len = (size_t)width * 4 + 16;
		for (i = 0; i < 3 && len > 0 &&
		    ((unsigned char)s[len] & 0xc0) == 0x80; i++)
			len--;
		rest = 1;
	}
	/* Sanitized text is at most 6 bytes per input byte. */
	tlen = len * 6 + 1;
	tmp = malloc(tlen);
	if (tmp == NULL) {
		buf[0] = '\0';
		*used = 0;
		return 0;
	}
	text_sanitize(tmp, tlen, s != NULL ? s : "", s != NULL ? len : 0);
	/* Where the text must end to fit, and where to cut for the mark. */
	for (i = 0; tmp[i] != '\0'; i += n) {
		n = text_char(tmp + i, strlen(tmp + i), utf8, &cw, &sub);
		if (sub)
			cw = 1;
		if (x + cw > width) {
			over = 1;
			break;
		}
		if (x + cw <= width - 1) {
			cut = i + n;
			xcut = x + cw;
		}
		x += cw;
	}
	if (rest && width > 0)
		over = 1;	/* cut (and xcut) leave room for the mark */
	if (over) {
		i = cut;
		x = width > 0 ? xcut + 1 : 0;
	}
	for (size_t k = 0; k < i; k += n) {
		n = text_char(tmp + k, i - k, utf8, &cw, &sub);
		if (sub) {
			if (o + 1 < buflen)
				buf[o++] = '?';
		} else if (o + n < buflen) {
			memcpy(buf + o, tmp + k, n);
			o += n;
		}
	}
	if (over && width > 0 && o + 1 < buflen)
		buf[o++] = TEXT_CUT;
	buf[o] = '\0';
	free(tmp);
	*used = x;
	return o;
}

char *
text_shquote_cat(char *buf, size_t len, const char *s)
{
	static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-";
	size_t o;

	if (len == 0)
		return buf;
	o = strnlen(buf, len - 1);
#define ADD(ch) do { if (o + 1 < len) buf[o++] = (ch); } while (0)
	if (*s != '\0' && strspn(s, safe) == strlen(s)) {
		for (; *s != '\0'; s++)
			ADD(*s);
	} else {
		ADD('\'');
		for (; *s != '\0'; s++) {
			if (*s == '\'') {
				ADD('\'');
				ADD('\\');
				ADD('\'');
			}
			ADD(*s);
		}
		ADD('\'');
	}
#undef ADD
	buf[o] = '\0';
	return buf;
}

const char *
text_addr_domain(const char *addr, size_t len, size_t *dlen)
{
	const char *at = NULL, *p;

	for (p = addr; p < addr + len; p++)
		if (*p == '@')
			at = p;
	if (at == NULL) {
		*dlen = 0;
		return addr + len;
	}
	*dlen = (size_t)(addr + len - at - 1);
	return at + 1;
}
