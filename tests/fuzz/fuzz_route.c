/* fuzz_route.c -- libFuzzer harness for the "exim -bt" parser.
 *
 *	make fuzz FUZZ_NAMES=route	(seeds: tests/fuzz/seeds-route/, what
 *					 Exim 4.96 printed in the sandbox)
 *
 * The input, in a heap buffer of its own length (no NUL, so ASan sees a
 * read past its end), goes through route_parse(); every string it gives
 * must be NUL-terminated inside its field, hosts and ports in range, the
 * status one of the four.  Parsing any prefix must not crash either.
 * Crashes become cases in tests/unit/check_fuzzfound.c. */
#include "exim/route.h"

#include "fuzz.h"

static void
check(const struct route *r)
{
	size_t i;

	FUZZ_CHECK((unsigned)r->status <= ROUTE_DEFER);
	FUZZ_CHECK(route_status_name(r->status) != NULL);
	FUZZ_CHECK(memchr(r->address, '\0', sizeof(r->address)) != NULL);
	FUZZ_CHECK(memchr(r->router, '\0', sizeof(r->router)) != NULL);
	FUZZ_CHECK(memchr(r->transport, '\0', sizeof(r->transport)) != NULL);
	FUZZ_CHECK(memchr(r->error, '\0', sizeof(r->error)) != NULL);
	FUZZ_CHECK(r->nhosts <= ROUTE_HOSTS_MAX);
	FUZZ_CHECK(r->more == 0 || r->nhosts == ROUTE_HOSTS_MAX);
	for (i = 0; i < r->nhosts; i++) {
		const struct route_host *h = &r->hosts[i];

		FUZZ_CHECK(memchr(h->name, '\0', sizeof(h->name)) != NULL);
		FUZZ_CHECK(memchr(h->addr, '\0', sizeof(h->addr)) != NULL);
		FUZZ_CHECK(h->port >= 0 && h->port < 65536);
		FUZZ_CHECK(h->mx >= -1 && h->mx < 1000000);
		FUZZ_CHECK(h->name[0] != '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route *r = malloc(sizeof(*r));
	char *s = malloc(size ? size : 1);
	size_t cut;

	memcpy(s, data, size);
	(void)route_parse(s, size, r);
	check(r);
	cut = size > 0 ? (size_t)data[0] * 7 % (size + 1) : 0;
	(void)route_parse(s, cut, r);
	check(r);
	free(s);
	free(r);
	return 0;
}
