/* check_fuzzfound.c -- what the libFuzzer harnesses of tests/fuzz/ found,
 * each as the smallest input that shows it.  A case stays when its bug is
 * fixed; the harness's XXX note naming it goes then. */
#include "base/text.h"
#include "base/units.h"
#include "exim/history.h"
#include "model/select.h"

#include <check.h>
#include <locale.h>
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

/* fuzz_text: text_fit() read only width * 4 + 16 bytes of its input, so
 * zero-width characters (here 12 combining acute accents) hid the rest
 * ("cd") without TEXT_CUT. */
START_TEST(t_fit_zerowidth)
{
	char s[64] = "ab", buf[256];
	int used = -1, i;
	size_t n;

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return;		/* no zero-width characters without it */
	for (i = 0; i < 12; i++)
		strcat(s, "\xcc\x81");
	strcat(s, "cd");
	ck_assert_int_eq(text_width(s, strlen(s)), 4);
	n = text_fit(buf, sizeof(buf), s, strlen(s), 2, 1, &used);
	setlocale(LC_CTYPE, "C");
	ck_assert_uint_gt(n, 0);
	ck_assert_msg(buf[n - 1] == TEXT_CUT, "\"%s\" (%zu bytes, %d columns) "
	    "ends without the cut mark", buf, n, used);
	ck_assert_int_le(used, 2);
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

/* fuzz_select: a regex term "~^a" and 150 '*': glibc's regcomp() takes
 * about 10 s (and more with each '*'), in the TUI's filter prompt too;
 * nested intervals take minutes, "e?**" and 12 '+' 20 s (found after
 * the first fix).  select_add() refuses them at once (the
 * test case fails after 2 s) and still takes ordinary intervals. */
START_TEST(t_select_regex_slow)
{
	static const char *const slow[] = {
		"~((a{1,100}){1,100}){1,100}", "~a{1,255}{1,255}{1,255}",
		"~(((a{0,20}){0,20}){0,20}){0,20}", "~e?**++++++++++++",
		"~x(((((((((((((((((((("
		"((((((((((((((((((((((((((((((((((((((((((a))))))))))))))"
	};
	static const char *const fine[] = {
		"~^[a-z]{1,50}@[a-z0-9.-]{1,50}$", "~(a{1,255}){1,255}",
		"~^(info|sales|postmaster)@", "~[[:digit:]]{4,}", "~a{", "~{}",
		"~a.*?b+?c"
	};
	struct select *s;
	char v[200] = "~^a", err[256];
	size_t i;

	for (i = 0; i < 150; i++)
		strcat(v, "*");
	s = select_new();
	ck_assert_int_eq(select_add(s, "rcpt", v, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "too complex"));
	for (i = 0; i < sizeof(slow) / sizeof(slow[0]); i++)
		ck_assert_msg(select_add(s, "rcpt", slow[i], err,
		    sizeof(err)) == -1, "%s taken", slow[i]);
	for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		ck_assert_msg(select_add(s, "rcpt", fine[i], err,
		    sizeof(err)) == 0 || strstr(err, "too complex") == NULL,
		    "%s: %s", fine[i], err);
	select_free(s);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("fuzzfound");
	TCase	*tc;

	tc = tcase_create("text");
	tcase_add_test(tc, t_fit_width0);
	tcase_add_test(tc, t_fit_zerowidth);
	suite_add_tcase(s, tc);
	tc = tcase_create("units");
	tcase_add_test(tc, t_time_offset);
	suite_add_tcase(s, tc);
	tc = tcase_create("history");
	tcase_add_test(tc, t_history_nul);
	suite_add_tcase(s, tc);
	tc = tcase_create("select");
	tcase_add_test(tc, t_select_regex_slow);
	/* A hang fails; 2 s was too short under ASan on a loaded machine. */
	tcase_set_timeout(tc, 10);
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
