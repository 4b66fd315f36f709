/* check_fuzzfound.c -- what the libFuzzer harnesses of tests/fuzz/ found,
 * each as the smallest input that shows it.  A case stays when its bug is
 * fixed; the harness's XXX note naming it goes then. */
#include "base/text.h"
#include "base/units.h"
#include "exim/history.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* fuzz_text: text_fit() with width 0 (v_lb_put() passes 0 when the line
 * is full) wrote nothing but said it used 1 column. */
START_TEST(t_fit_width0)
{
	char buf[16];
	int used = -1;
	size_t n;

	n = text_fit(buf, sizeof(buf), "`", 1, 0, 1, &used);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(used, 0);
	used = -1;
	n = text_fit(buf, sizeof(buf), "abc", 3, -4, 0, &used);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(used, 0);
}
END_TEST

/* fuzz_units: units_parse_time() applied a zone offset of any size after
 * its range check, so it took times outside 1970..UNITS_TIME_MAX. */
START_TEST(t_time_offset)
{
	time_t t = 0;

	if (units_parse_time("9999-12-31-52", &t) == 0)
		ck_assert_int_le(t, UNITS_TIME_MAX);
	t = 0;
	if (units_parse_time("1970-01-01+01", &t) == 0)
		ck_assert_int_ge(t, 0);
}
END_TEST

/* fuzz_logline: a msglog entry with a NUL byte ("H=" then NUL): the
 * event's text pointed past the end of its line, though history.h says
 * it is a suffix of line. */
START_TEST(t_history_nul)
{
	static const char entry[] = "H=\0\n";
	struct history h;

	history_parse(&h, entry, sizeof(entry) - 1);
	ck_assert_uint_eq(h.n, 1);
	ck_assert(h.ev[0].text >= h.ev[0].line);
	ck_assert_msg(h.ev[0].text <= h.ev[0].line + strlen(h.ev[0].line),
	    "text %td bytes into a line of %zu", h.ev[0].text - h.ev[0].line,
	    strlen(h.ev[0].line));
	history_done(&h);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("fuzzfound");
	TCase	*tc;

	tc = tcase_create("text");
	tcase_add_test(tc, t_fit_width0);
	suite_add_tcase(s, tc);
	tc = tcase_create("units");
	tcase_add_test(tc, t_time_offset);
	suite_add_tcase(s, tc);
	tc = tcase_create("history");
	tcase_add_test(tc, t_history_nul);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 nf;

	setenv("TZ", "UTC", 1);
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
