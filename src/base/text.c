/* text.c -- untrusted bytes made safe for a terminal, UTF-8, shell
 * quoting and small string searches. */
#define _GNU_SOURCE		/* memmem(3) */
#include "base/text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

char *
text_sanitize(char *buf, size_t buflen, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, i = 0, n;
	char tmp[8];

	if (buflen == 0)
		return buf;
	while (i < len) {
		unsigned c = u[i];

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
		} else if ((n = text_utf8_len(u + i, len - i)) == 0 ||
		    (c == 0xc2 && u[i + 1] < 0xa0)) {
			/* Invalid, or a C1 control (some terminals obey
			 * U+0080-U+009F as escapes). */
			snprintf(tmp, sizeof(tmp), "\\x%02X", c);
			n = 4;
		} else {
			if (o + n >= buflen)
				break;
			memcpy(buf + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		if (o + n >= buflen)
			break;
		memcpy(buf + o, tmp, n);
		o += n;
		i++;
	}
	buf[o] = '\0';
	return buf;
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
