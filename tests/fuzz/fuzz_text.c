/* fuzz_text.c -- libFuzzer harness for the one text model:
 * text_sanitize(), text_fit(), text_width() (base/text.h).
 *
 *	make fuzz	(seeds: tests/fuzz/seeds-text/, sample -H files)
 *
 * Input: a byte choosing the buffer size and UTF-8 mode, a byte choosing
 * the width (-4 to 251 columns), then the untrusted text.  In a UTF-8
 * locale (so wcwidth() knows wide and zero-width characters):
 * - text_sanitize() output never holds a byte below 0x20 or 0x7f, is
 *   valid UTF-8, holds no code point text_is_control() names, keeps at
 *   least a byte per input byte when the buffer is big enough, and cut to
 *   a small buffer is a prefix of the whole;
 * - text_fit() output is the same kind of text (plain ASCII when utf8 is
 *   0), returns its length, uses at most width columns, says so in *used,
 *   and with room enough is the whole sanitized text when that fits, else
 *   a prefix of it plus TEXT_CUT;
 * - text_width() of anything is between 0 and its length.
 * Crashes become cases in tests/unit/check_fuzzfound.c. */
#include "base/text.h"

#include <locale.h>

#include "fuzz.h"

static int
not_control(uint32_t cp)
{
	return !text_is_control(cp);
}

/* Safe for a terminal: no C0, no DEL, valid UTF-8, no other control. */
static void
check_safe(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 &&
		    (unsigned char)s[i] != 0x7f);
	FUZZ_CHECK(fuzz_utf8_valid(s, n, not_control));
}

/* s with every non-ASCII character as one '?', as text_fit() shows it
 * on a terminal that is not UTF-8.  Returns a malloc()ed string. */
static char *
ascii(const char *s)
{
	char *r = malloc(strlen(s) + 1), *o = r;
	size_t n;

	while (*s != '\0') {
		n = text_utf8_len((const unsigned char *)s, strlen(s));
		FUZZ_CHECK(n > 0);
		*o++ = n == 1 ? *s : '?';
		s += n;
	}
	*o = '\0';
	return r;
}

static void
check_fit(const char *s, size_t len, size_t buflen, int width, int utf8,
    const char *whole)
{
	char *buf = malloc(buflen ? buflen : 1), *ref;
	size_t n, rl, k;
	int used = -1, fw, w = width < 0 ? 0 : width;

	memset(buf, 'x', buflen ? buflen : 1);
	n = text_fit(buf, buflen, s, len, width, utf8, &used);
	if (buflen == 0) {
		free(buf);
		return;
	}
	FUZZ_CHECK(n < buflen && buf[n] == '\0' && strlen(buf) == n);
	check_safe(buf, n);
	if (!utf8)
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)buf[i] < 0x80);
	FUZZ_CHECK(used >= 0 && used <= w);
	FUZZ_CHECK(text_width(buf, n) <= used);
	if (buflen < len * 6 + 2) {	/* cut to the buffer: no more */
		free(buf);
		return;
	}
	FUZZ_CHECK(text_width(buf, n) == used);
	ref = utf8 ? strdup(whole) : ascii(whole);
	rl = strlen(ref);
	fw = text_width(ref, rl);
	if (len > (size_t)w * 4 + 16) {
		/* text_fit() reads only width * 4 + 16 bytes: what it did not
		 * read is hidden, so the mark is there (t_fit_zerowidth). */
		FUZZ_CHECK(w == 0 ? n == 0 : n > 0 && buf[n - 1] == TEXT_CUT);
		k = n > 0 && buf[n - 1] == TEXT_CUT ? n - 1 : n;
		FUZZ_CHECK(k <= rl && memcmp(buf, ref, k) == 0);
	} else if (fw <= w) {
		FUZZ_CHECK(n == rl && memcmp(buf, ref, n) == 0);
		FUZZ_CHECK(used == fw);
	} else if (w == 0)
		FUZZ_CHECK(n == 0);
	else {
		FUZZ_CHECK(n > 0 && buf[n - 1] == TEXT_CUT);
		FUZZ_CHECK(n - 1 <= rl && memcmp(buf, ref, n - 1) == 0);
	}
	free(ref);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 13, 16, 33,
	    64, 100, 256, 1024, 65536 };
	static int init;
	const char *s;
	char *whole, *part;
	size_t len, big, buflen, n;
	int width, utf8, w;

	if (!init) {
		if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
			(void)setlocale(LC_CTYPE, "");
		init = 1;
	}
	if (size < 2)
		return 0;
	buflen = lens[data[0] & 15];
	utf8 = (data[0] & 16) == 0;
	width = (int)data[1] - 4;
	s = (const char *)data + 2;
	len = size - 2;

	/* text_width() of raw bytes. */
	w = text_width(s, len);
	FUZZ_CHECK(w >= 0 && (size_t)w <= len);

	/* text_sanitize(), room enough: "at most 6 bytes per input byte". */
	big = len * 6 + 1;
	whole = malloc(big);
	memset(whole, 'x', big);
	text_sanitize(whole, big, s, len);
	n = strlen(whole);
	FUZZ_CHECK(n < big);
	check_safe(whole, n);
	FUZZ_CHECK(n >= len);

	/* Cut to a small buffer: a prefix of the whole. */
	if (buflen > 0) {
		part = malloc(buflen);
		memset(part, 'x', buflen);
		text_sanitize(part, buflen, s, len);
		FUZZ_CHECK(memchr(part, '\0', buflen) != NULL);
		check_safe(part, strlen(part));
		FUZZ_CHECK(strlen(part) <= n &&
		    memcmp(part, whole, strlen(part)) == 0);
		free(part);
	}

	check_fit(s, len, buflen, width, utf8, whole);
	check_fit(s, len, len * 6 + 64, width, utf8, whole);
	free(whole);
	return 0;
}
