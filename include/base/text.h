/* text.h -- the one text model: untrusted bytes made safe for a
 * terminal, UTF-8, shell quoting, small string searches. */
#ifndef MXTOP_BASE_TEXT_H
#define MXTOP_BASE_TEXT_H
#include <stddef.h>

/* Copies the untrusted bytes s[0..len) into buf (NUL-terminated, cut to
 * fit) so that nothing reaches a terminal raw: control characters become
 * "^X" or "\xNN", escape sequences are shown, invalid UTF-8 becomes "\xNN".
 * Valid UTF-8 is kept.  Returns buf. */
char	*text_sanitize(char *buf, size_t buflen, const char *s, size_t len);

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
