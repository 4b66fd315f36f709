/* util.c -- allocation, arenas, interning, durations, sizes and the
 * sanitizer that keeps untrusted bytes away from terminals. */
#define _GNU_SOURCE		/* memmem(3) */
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void (*util_fatal_hook)(void);

void
fatal(const char *fmt, ...)
{
	va_list ap;

	if (util_fatal_hook != NULL)
		util_fatal_hook();
	fflush(stdout);
	fputs("mxtop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void
xgrow(void *pp, size_t *cap, size_t need, size_t sz)
{
	void **vp = pp;
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sz)
			fatal("out of memory");
		ncap *= 2;
	}
	*vp = xrealloc(*vp, ncap * sz);
	*cap = ncap;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Arena: a chain of blocks; big requests get a block of their own. */
struct arena_blk {
	struct arena_blk	*next;
	size_t			 size;
	max_align_t		 data[];
};

#define ARENA_BLK	(256 * 1024)

void
arena_init(struct arena *a)
{
	a->blk = NULL;
	a->used = a->cap = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_blk *b, *next;

	for (b = a->blk; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_blk *b;
	size_t al = _Alignof(max_align_t);
	void *p;

	n = (n + al - 1) / al * al;
	if (n > ARENA_BLK / 4) {
		/* Keep the current block: link the big one behind it. */
		b = xmalloc(sizeof(*b) + n);
		b->size = n;
		if (a->blk != NULL) {
			b->next = a->blk->next;
			a->blk->next = b;
		} else {
			b->next = NULL;
			a->blk = b;
			a->used = a->cap = n;
		}
		return b->data;
	}
	if (a->blk == NULL || a->cap - a->used < n) {
		b = xmalloc(sizeof(*b) + ARENA_BLK);
		b->size = ARENA_BLK;
		b->next = a->blk;
		a->blk = b;
		a->used = 0;
		a->cap = ARENA_BLK;
	}
	p = (char *)a->blk->data + a->used;
	a->used += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	/* Strings need no alignment: pack them byte by byte. */
	if (a->blk == NULL || a->cap - a->used < n + 1 || n + 1 > ARENA_BLK / 4)
		p = arena_alloc(a, n + 1);
	else {
		p = (char *)a->blk->data + a->used;
		a->used += n + 1;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* Intern table: open addressing over indexes into a string vector. */
struct intern {
	struct arena	  strs;
	const char	**vec;
	size_t		 *lens;
	size_t		  n, cap;
	uint32_t	 *slots;	/* index + 1; 0 is empty */
	size_t		  nslots;
};

uint64_t
util_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

struct intern *
intern_new(void)
{
	struct intern *in = xcalloc(1, sizeof(*in));

	arena_init(&in->strs);
	in->nslots = 64;
	in->slots = xcalloc(in->nslots, sizeof(*in->slots));
	return in;
}

void
intern_free(struct intern *in)
{
	if (in == NULL)
		return;
	arena_free(&in->strs);
	free(in->vec);
	free(in->lens);
	free(in->slots);
	free(in);
}

static size_t
slot_of(const struct intern *in, const char *s, size_t len)
{
	size_t mask = in->nslots - 1, i = util_hash(s, len) & mask;
	uint32_t v;

	while ((v = in->slots[i]) != 0) {
		if (in->lens[v - 1] == len && memcmp(in->vec[v - 1], s, len) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

uint32_t
intern_find(const struct intern *in, const char *s, size_t len)
{
	uint32_t v = in->slots[slot_of(in, s, len)];

	return v ? v - 1 : UINT32_MAX;
}

uint32_t
intern_add(struct intern *in, const char *s, size_t len)
{
	size_t i = slot_of(in, s, len), j;
	uint32_t v = in->slots[i];

	if (v != 0)
		return v - 1;
	if (in->n == in->cap) {
		size_t cap = in->cap;

		xgrow(&in->vec, &cap, in->n + 1, sizeof(*in->vec));
		xgrow(&in->lens, &in->cap, in->n + 1, sizeof(*in->lens));
	}
	in->vec[in->n] = arena_strndup(&in->strs, s, len);
	in->lens[in->n] = len;
	in->n++;
	if (in->n * 2 > in->nslots) {
		free(in->slots);
		in->nslots *= 2;
		in->slots = xcalloc(in->nslots, sizeof(*in->slots));
		for (j = 0; j < in->n; j++)
			in->slots[slot_of(in, in->vec[j], in->lens[j])] =
			    (uint32_t)j + 1;
	} else
		in->slots[i] = (uint32_t)in->n;
	return (uint32_t)in->n - 1;
}

const char *
intern_str(const struct intern *in, uint32_t n)
{
	return n < in->n ? in->vec[n] : NULL;
}

uint32_t
intern_count(const struct intern *in)
{
	return (uint32_t)in->n;
}

char *
util_fmt_age(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 86400) {
		if ((s % 3600) / 60)
			snprintf(buf, len, "%lldh%lldm", (long long)(s / 3600),
			    (long long)((s % 3600) / 60));
		else
			snprintf(buf, len, "%lldh", (long long)(s / 3600));
	} else {
		if ((s % 86400) / 3600)
			snprintf(buf, len, "%lldd%lldh", (long long)(s / 86400),
			    (long long)((s % 86400) / 3600));
		else
			snprintf(buf, len, "%lldd", (long long)(s / 86400));
	}
	return buf;
}

/* As Exim's string_format_size(). */
char *
util_fmt_size(char *buf, size_t len, int64_t n)
{
	if (n < 0)
		snprintf(buf, len, "     ");
	else if (n < 1024)
		snprintf(buf, len, "%5d", (int)n);
	else if (n < 10 * 1024)
		snprintf(buf, len, "%4.1fK", (double)n / 1024.0);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%4dK", (int)((n + 512) / 1024));
	else if (n < 10 * 1024 * 1024)
		snprintf(buf, len, "%4.1fM", (double)n / (1024.0 * 1024.0));
	else
		snprintf(buf, len, "%4dM",
		    (int)((n + 512 * 1024) / (1024 * 1024)));
	return buf;
}

int
util_parse_duration(const char *s, int64_t *secs)
{
	int64_t total = 0, v;
	int any = 0;

	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = 0;
		while (isdigit((unsigned char)*s)) {
			if (v > INT64_MAX / 10 - 10)
				return -1;
			v = v * 10 + (*s++ - '0');
		}
		switch (*s) {
		case 'w': v *= 7 * 86400; s++; break;
		case 'd': v *= 86400; s++; break;
		case 'h': v *= 3600; s++; break;
		case 'm': v *= 60; s++; break;
		case 's': s++; break;
		case '\0': break;
		default: return -1;
		}
		total += v;
		any = 1;
	}
	if (!any)
		return -1;
	*secs = total;
	return 0;
}

const char *
util_memmem(const char *hay, size_t n, const char *needle, size_t nl)
{
	return memmem(hay, n, needle, nl);
}

int64_t
util_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
util_parse_time(const char *s, time_t *t)
{
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0, oh = 0, om = 0;
	long long v;
	char sign;
	const char *p;
	int64_t secs;

	if (*s == '@')
		s++;
	for (p = s; isdigit((unsigned char)*p); p++)
		;
	if (*p == '\0' && p != s) {
		errno = 0;
		v = strtoll(s, NULL, 10);
		if (errno != 0)
			return -1;
		*t = (time_t)v;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &se, &n) != 1)
				return -1;
			p += 1 + n;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60 || h < 0 || mi < 0 || se < 0)
		return -1;
	secs = util_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se;
	if (*p == 'Z' && p[1] == '\0')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++;
		n = 0;
		if (sscanf(p, "%2d%n", &oh, &n) != 1)
			return -1;
		p += n;
		if (*p == ':')
			p++;
		n = 0;
		if (*p != '\0' && sscanf(p, "%2d%n", &om, &n) == 1)
			p += n;
		if (sign == '+')
			secs -= oh * 3600 + om * 60;
		else
			secs += oh * 3600 + om * 60;
	}
	if (*p != '\0')
		return -1;
	*t = (time_t)secs;
	return 0;
}

char *
util_fmt_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

size_t
util_utf8_len(const unsigned char *s, size_t len)
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
util_sanitize(char *buf, size_t buflen, const char *s, size_t len)
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
		} else if ((n = util_utf8_len(u + i, len - i)) == 0 ||
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
util_shquote_cat(char *buf, size_t len, const char *s)
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
util_addr_domain(const char *addr, size_t len, size_t *dlen)
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
