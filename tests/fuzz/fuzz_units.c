/* fuzz_units.c -- libFuzzer harness for the option parsers of
 * base/units.h: units_parse_duration(), units_parse_time(),
 * units_parse_long(), units_parse_double(), units_parse_rate().
 *
 *	make fuzz	(seeds: tests/fuzz/seeds-units/)
 *
 * The input (cut at its first NUL, as from argv) goes to every parser.
 * What they accept must lie in the bounds units.h states, and a value
 * formatted again must parse back: a time printed by units_fmt_time() to
 * the same second, an integer printed with %ld to the same integer, an
 * age printed by units_fmt_age() to at most the duration it shows.
 * Crashes become cases in tests/unit/check_fuzzfound.c. */
#include "base/units.h"

#include <limits.h>
#include <math.h>

#include "fuzz.h"

static void
check_duration(const char *s)
{
	char buf[32];
	int64_t secs, back;

	if (units_parse_duration(s, &secs) != 0)
		return;
	FUZZ_CHECK(secs >= 0 && secs <= UNITS_DURATION_MAX);
	units_fmt_age(buf, sizeof(buf), secs);
	FUZZ_CHECK(units_parse_duration(buf, &back) == 0);
	FUZZ_CHECK(back <= secs);
	units_fmt_size(buf, sizeof(buf), secs);
}

static void
check_time(const char *s)
{
	char buf[32];
	time_t t, back;

	if (units_parse_time(s, &t) != 0)
		return;
	FUZZ_CHECK(t >= 0 && t <= UNITS_TIME_MAX);
	units_fmt_time(buf, sizeof(buf), t);
	FUZZ_CHECK(units_parse_time(buf, &back) == 0);
	FUZZ_CHECK(back == t);
}

static void
check_long(const char *s)
{
	static const long range[][2] = { { LONG_MIN, LONG_MAX }, { 0, 100 },
	    { 1, 65535 }, { -5, 5 }, { 0, 0 } };
	char buf[32];
	long v, back;
	size_t i;

	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		if (units_parse_long(s, range[i][0], range[i][1], &v) != 0)
			continue;
		FUZZ_CHECK(v >= range[i][0] && v <= range[i][1]);
		snprintf(buf, sizeof(buf), "%ld", v);
		FUZZ_CHECK(units_parse_long(buf, range[i][0], range[i][1],
		    &back) == 0 && back == v);
	}
}

static void
check_double(const char *s)
{
	static const double range[][2] = { { -1e300, 1e300 }, { 0, 1 },
	    { 0.5, 0.5 }, { -1, 100 } };
	double v;
	size_t i;

	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		if (units_parse_double(s, range[i][0], range[i][1], &v) != 0)
			continue;
		FUZZ_CHECK(isfinite(v));
		FUZZ_CHECK(v >= range[i][0] && v <= range[i][1]);
	}
}

static void
check_rate(const char *s)
{
	double r;

	if (units_parse_rate(s, &r) != 0)
		return;
	FUZZ_CHECK(isfinite(r) && r >= 0 && r <= UNITS_RATE_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	check_duration(s);
	check_time(s);
	check_long(s);
	check_double(s);
	check_rate(s);
	free(s);
	return 0;
}
