/* units.c -- ages, sizes, durations and times: parsed and formatted. */
#include "base/units.h"

#include <ctype.h>
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
units_fmt_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "?");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}
