/* text.h -- the one text model: untrusted bytes made safe for a
 * terminal, UTF-8, shell quoting, small string searches. */
#ifndef MXTOP_BASE_TEXT_H
#define MXTOP_BASE_TEXT_H
#include <stddef.h>

#include <stdint.h>

/* The one mark of text cut to fit, in every output. */
#define TEXT_CUT	'~'

/* Copies the untrusted bytes s[0..len) into buf (NUL-terminated, cut to
 * fit) so that nothing reaches a terminal raw: C0 controls and DEL
 * become "^X" (so escape sequences show as "^[..."), a tab a blank,
 * bytes that are not UTF-8 "\xNN", C1 controls, bidi and other format
 * controls (U+200B-F, U+2028-E, U+2060-9, U+FEFF, ...) "\uNNNN".  Other
 * valid UTF-8 is kept.  The same for the command line and the TUI.
 * Returns buf. */
char	*text_sanitize(char *buf, size_t buflen, const char *s, size_t len);
/* Whether code point cp must never reach a terminal as it is. */
int	 text_is_control(uint32_t cp);
/* Decodes the character at s[0..len) (len > 0): returns its length in
 * bytes, its display width (wcwidth(3), 1 where it knows none) in *w,
 * and in *subst whether it must show as one '?' instead (a control, not
 * UTF-8, or any non-ASCII when utf8 is 0: a terminal that cannot show
 * it). */
size_t	 text_char(const char *s, size_t len, int utf8, int *w, int *subst);
/* Display columns of sanitized UTF-8 text s[0..len). */
int	 text_width(const char *s, size_t len);
/* Sanitizes untrusted s[0..len) and cuts it to width columns, the last
 * one then being TEXT_CUT; with utf8 0 non-ASCII shows as '?'.  Writes
 * the result into buf (NUL-terminated), the columns used into *used.
 * Returns its length in bytes. */
size_t	 text_fit(char *buf, size_t buflen, const char *s, size_t len,
	    int width, int utf8, int *used);

/* The first occurrence of needle[0..nl) in hay[0..n), or NULL; an empty
 * needle is found at hay.  (memmem(3), which C11 lacks.) */
const char *text_memmem(const char *hay, size_t n, const char *needle,
	    size_t nl);

/* Length (1 to 4) of the valid UTF-8 sequence at s[0..len), or 0. */
size_t	 text_utf8_len(const unsigned char *s, size_t len);

/* Appends s to the NUL-terminated string in buf (len bytes in all),
 * single-quoted for a POSIX shell unless it is made only of letters,
 * digits and _./:=@%+,-; cut to fit.  Returns buf. */
char	*text_shquote_cat(char *buf, size_t len, const char *s);

/* Domain part of an address: the text after the last '@' (or "" when
 * there is none), length in *dlen.  Points into addr. */
const char *text_addr_domain(const char *addr, size_t len, size_t *dlen);

#endif
