/* check_mem.c -- the string arena: strings stay where they were put,
 * whatever their sizes, until arena_free(). */
#include "base/mem.h"

#include <check.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NSTR	5000

/* Sizes from 0 to past the big-block bound (64 KiB), mixed. */
static size_t
size_of(unsigned i)
{
	static const size_t big[] = { 0, 1, 15, 4031, 4032, 4033, 65536,
	    65537, 200000, 300000 };

	if (i % 97 == 0)
		return big[(i / 97) % (sizeof(big) / sizeof(big[0]))];
	return (i * 2654435761u) % 700;
}

START_TEST(strings_stay)
{
	struct arena a;
	static char *p[NSTR];
	char *buf = malloc(300001);
	unsigned i, round;
	size_t k;

	arena_init(&a);
	for (round = 0; round < 2; round++) {	/* re-usable after free */
		for (i = 0; i < NSTR; i++) {
			size_t n = size_of(i + round);

			memset(buf, 'a' + (int)(i % 26), n);
			if (i % 3 == 0) {
				p[i] = arena_alloc(&a, n + 1);
				ck_assert_uint_eq((uintptr_t)p[i] %
				    alignof(max_align_t), 0);
				memcpy(p[i], buf, n);
				p[i][n] = '\0';
			} else
				p[i] = arena_strndup(&a, buf, n);
		}
		for (i = 0; i < NSTR; i++) {
			size_t n = size_of(i + round);

			ck_assert_uint_eq(strlen(p[i]), n);
			for (k = 0; k < n; k++)
				if (p[i][k] != 'a' + (int)(i % 26))
					ck_abort_msg("string %u changed at %zu",
					    i, k);
		}
		arena_free(&a);
	}
	ck_assert_ptr_null(a.blk);
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("arena");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, strings_stay);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
