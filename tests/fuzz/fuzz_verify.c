/* fuzz_verify.c -- libFuzzer harness for the verify state file's text
 * (model/verify.h): any bytes parse without a crash; what was read
 * formats and parses again to the same records (a round trip), with no
 * control byte left raw in the text written; results are one of the
 * four.
 *
 *	make fuzz FUZZ_NAMES=verify	(seeds: tests/fuzz/seeds-verify/)
 *
 * Crashes become cases in tests/unit/check_fuzzfound.c. */
#include "model/verify.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_set *a = verify_set_new(), *b = verify_set_new();
	char *s = malloc(size ? size : 1), *text;
	size_t len, i, bad;

	memcpy(s, data, size);
	bad = verify_set_parse(a, s, size);
	FUZZ_CHECK(bad <= size + 1);
	verify_set_format(a, 0, &text, &len);
	FUZZ_CHECK(strlen(text) == len);
	for (i = 0; i < len; i++)
		FUZZ_CHECK(((unsigned char)text[i] >= 0x20 &&
		    text[i] != 0x7f) || text[i] == '\t' || text[i] == '\n');
	FUZZ_CHECK(verify_set_parse(b, text, len) == 0);
	FUZZ_CHECK(verify_set_count(a) == verify_set_count(b));
	for (i = 0; i < verify_set_count(a); i++) {
		const struct verify_rec *x = verify_set_at(a, i);
		const struct verify_rec *y = verify_set_get(b, x->addr);

		FUZZ_CHECK(y != NULL);
		FUZZ_CHECK((unsigned)x->res < VERIFY__COUNT);
		FUZZ_CHECK(x->res == y->res && x->code == y->code &&
		    x->time == y->time && strcmp(x->reply, y->reply) == 0);
	}
	free(text);
	free(s);
	verify_set_free(a);
	verify_set_free(b);
	return 0;
}
