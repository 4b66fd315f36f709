/* units.c -- ages, sizes, durations and times: parsed and formatted. */
#include "base/units.h"

#include <ctype.h>
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
units_fmt_age(char *buf, size_t len, int64_t s)
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
units_fmt_size(char *buf, size_t len, int64_t n)
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
units_parse_duration(const char *s, int64_t *secs)
{
	int64_t total = 0, v, mult;
	int any = 0;

	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = 0;
		while (isdigit((unsigned char)*s)) {
			if (v > UNITS_DURATION_MAX)
				return -1;
			v = v * 10 + (*s++ - '0');
		}
		switch (*s) {
		case 'w': mult = 7 * 86400; s++; break;
		case 'd': mult = 86400; s++; break;
		case 'h': mult = 3600; s++; break;
		case 'm': mult = 60; s++; break;
		case 's': mult = 1; s++; break;
		case '\0': mult = 1; break;
		default: return -1;
		}
		/* v and total stay below UNITS_DURATION_MAX (about 2^35), so
		 * neither the product nor the sum can overflow. */
		if (v > UNITS_DURATION_MAX / mult)
			return -1;
		total += v * mult;
		if (total > UNITS_DURATION_MAX)
			return -1;
		any = 1;
	}
	if (!any)
		return -1;
	*secs = total;
	return 0;
}

int
units_parse_long(const char *s, long lo, long hi, long *v)
{
	char	*end;
	long	 n;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*v = n;
	return 0;
}

int
units_parse_double(const char *s, double lo, double hi, double *v)
{
	char	*end;
	double	 d;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	/* Only digits, one '.', a leading sign: no "nan", "inf", hex or
	 * exponents, which strtod() would take. */
	if (s[strspn(s, "0123456789.-+")] != '\0')
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d) || d < lo || d > hi)
		return -1;
	*v = d;
	return 0;
}

int
units_parse_rate(const char *s, double *rate)
{
	char	 num[64];
	const char *slash = strchr(s, '/');
	double	 v, per = 1;
	size_t	 n;

	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (slash != NULL) {
		if (strcmp(slash, "/s") == 0)
			per = 1;
		else if (strcmp(slash, "/m") == 0)
			per = 60;
		else if (strcmp(slash, "/h") == 0)
			per = 3600;
		else
			return -1;
	}
	if (units_parse_double(num, 0, UNITS_RATE_MAX, &v) < 0)
		return -1;
	*rate = v / per;
	return 0;
}

int64_t
units_days_from_civil(int64_t y, unsigned m, unsigned d)
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
units_parse_time(const char *s, time_t *t)
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
		if (errno != 0 || v > UNITS_TIME_MAX)
			return -1;
		*t = (time_t)v;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]) ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    y < 1970)
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
	secs = units_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
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
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		if (sign == '+')
			secs -= oh * 3600 + om * 60;
		else
			secs += oh * 3600 + om * 60;
	}
	if (*p != '\0' || secs < 0 || secs > UNITS_TIME_MAX)
		return -1;
	*t = (time_t)secs;
	return 0;
}

static char *
fmt_utc(char *buf, size_t len, time_t t, int iso)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else if (iso)
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

char *
units_fmt_time(char *buf, size_t len, time_t t)
{
	return fmt_utc(buf, len, t, 0);
}

char *
units_fmt_iso(char *buf, size_t len, time_t t)
{
	return fmt_utc(buf, len, t, 1);
}

double
units_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
