/* units.h -- ages, sizes, durations and times: parsed and formatted. */
#ifndef MXTOP_BASE_UNITS_H
#define MXTOP_BASE_UNITS_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Formats an age in seconds as "45s", "17m", "3h5m", "3d4h" into buf
 * (at least 16 bytes).  Negative ages (clock skew) print as "0s". */
/* Seconds on the monotonic clock (CLOCK_MONOTONIC). */
double	 units_mono(void);

char	*units_fmt_age(char *buf, size_t len, int64_t secs);
/* Formats a size as exim -bp does: "  812", " 2.9K", " 123K", " 1.2M".
 * A negative size (no -D file) gives five blanks. */
char	*units_fmt_size(char *buf, size_t len, int64_t bytes);
/* Bounds of what the parsers below accept. */
#define UNITS_DURATION_MAX	(100LL * 366 * 86400)	/* a century */
#define UNITS_TIME_MAX		253402300799LL	/* 9999-12-31 23:59:59 */
#define UNITS_RATE_MAX		1000000.0	/* per second */

/* Parses "90", "90s", "15m", "2h", "3d", "1w" and sums such as "1d12h"
 * into seconds.  Returns 0, or -1 on a malformed string or one over
 * UNITS_DURATION_MAX (nothing can overflow). */
int	 units_parse_duration(const char *s, int64_t *secs);
/* A decimal integer in [lo, hi], the whole string.  Returns 0 or -1. */
int	 units_parse_long(const char *s, long lo, long hi, long *v);
/* A plain decimal number ("2", "0.5", "-1"; no exponent, NaN or
 * infinity) in [lo, hi], the whole string.  Returns 0 or -1. */
int	 units_parse_double(const char *s, double lo, double hi, double *v);
/* A rate "5/s", "300/m", "60/h" or "2" (per second), 0 to
 * UNITS_RATE_MAX a second, into per second.  Returns 0 or -1. */
int	 units_parse_rate(const char *s, double *rate);
/* Parses a Unix epoch ("1735689600", "@1735689600") or an ISO-8601 time
 * ("2025-01-01T00:00:00Z", "2025-01-01 00:00:00", with an optional
 * +hh:mm offset; without a zone it is UTC), from 1970 to
 * UNITS_TIME_MAX.  Returns 0 or -1. */
int	 units_parse_time(const char *s, time_t *t);
/* Formats t as "2025-01-01 00:00:00" in UTC into buf (at least 20 bytes). */
char	*units_fmt_time(char *buf, size_t len, time_t t);
/* The same in ISO 8601: "2025-01-01T00:00:00Z". */
char	*units_fmt_iso(char *buf, size_t len, time_t t);

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d. */
int64_t	 units_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
