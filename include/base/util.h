/* util.h -- allocation, strings, durations and sizes shared by every module. */
#ifndef MXTOP_UTIL_H
#define MXTOP_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Allocation never fails: on exhaustion fatal() is called. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* Grows *pp (of *cap elements of size sz) to hold at least need elements. */
void	 xgrow(void *pp, size_t *cap, size_t need, size_t sz);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

/* Called before fatal() exits; the ui module sets it to leave curses. */
extern void (*util_fatal_hook)(void);
/* Prints "mxtop: <msg>" to stderr and exits with status 2. */
_Noreturn void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A string arena: many small strings, freed together.  Strings handed out
 * stay valid (and do not move) until arena_free(). */
struct arena {
	struct arena_blk	*blk;
	size_t			 used, cap;
};
void	 arena_init(struct arena *);
void	 arena_free(struct arena *);	/* frees every string; re-usable */
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_strdup(struct arena *, const char *);
void	*arena_alloc(struct arena *, size_t);

/* FNV-1a of s[0..len): the one string hash of every table here. */
uint64_t util_hash(const char *s, size_t len);

/* A set of interned strings: each distinct string is stored once and gets
 * a small dense number (0, 1, ...) in order of first sight. */
struct intern;
struct intern	*intern_new(void);
void		 intern_free(struct intern *);	/* NULL is a no-op */
/* Returns the number of s[0..len); adds it if unknown. */
uint32_t	 intern_add(struct intern *, const char *s, size_t len);
/* Returns the number of s, or UINT32_MAX if it was never added. */
uint32_t	 intern_find(const struct intern *, const char *s, size_t len);
/* The string with number n (NUL-terminated), valid until intern_free(). */
const char	*intern_str(const struct intern *, uint32_t n);
uint32_t	 intern_count(const struct intern *);

/* Formats an age in seconds as "45s", "17m", "3h5m", "3d4h" into buf
 * (at least 16 bytes).  Negative ages (clock skew) print as "0s". */
char	*util_fmt_age(char *buf, size_t len, int64_t secs);
/* Formats a size as exim -bp does: "  812", " 2.9K", " 123K", " 1.2M".
 * A negative size (no -D file) gives five blanks. */
char	*util_fmt_size(char *buf, size_t len, int64_t bytes);
/* Parses "90", "90s", "15m", "2h", "3d", "1w" and sums such as "1d12h"
 * into seconds.  Returns 0 or -1 on a malformed string. */
int	 util_parse_duration(const char *s, int64_t *secs);
/* Parses a Unix epoch ("1735689600", "@1735689600") or an ISO-8601 time
 * ("2025-01-01T00:00:00Z", "2025-01-01 00:00:00", with an optional
 * +hh:mm offset; without a zone it is UTC).  Returns 0 or -1. */
int	 util_parse_time(const char *s, time_t *t);
/* Formats t as "2025-01-01 00:00:00" in UTC into buf (at least 20 bytes). */
char	*util_fmt_time(char *buf, size_t len, time_t t);

/* Copies the untrusted bytes s[0..len) into buf (NUL-terminated, cut to
 * fit) so that nothing reaches a terminal raw: control characters become
 * "^X" or "\xNN", escape sequences are shown, invalid UTF-8 becomes "\xNN".
 * Valid UTF-8 is kept.  Returns buf. */
char	*util_sanitize(char *buf, size_t buflen, const char *s, size_t len);

/* The first occurrence of needle[0..nl) in hay[0..n), or NULL; an empty
 * needle is found at hay.  (memmem(3), which C11 lacks.) */
const char *util_memmem(const char *hay, size_t n, const char *needle,
	    size_t nl);
/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d. */
int64_t	 util_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Length (1 to 4) of the valid UTF-8 sequence at s[0..len), or 0. */
size_t	 util_utf8_len(const unsigned char *s, size_t len);

/* Appends s to the NUL-terminated string in buf (len bytes in all),
 * single-quoted for a POSIX shell unless it is made only of letters,
 * digits and _./:=@%+,-; cut to fit.  Returns buf. */
char	*util_shquote_cat(char *buf, size_t len, const char *s);

/* Domain part of an address: the text after the last '@' (or "" when
 * there is none), length in *dlen.  Points into addr. */
const char *util_addr_domain(const char *addr, size_t len, size_t *dlen);

#endif
