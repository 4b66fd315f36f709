/* fuzz_zone.c -- libFuzzer harness for the zone-file and dig parser.
 *
 *	clang -fsanitize=fuzzer,address,undefined -Iinclude \
 *	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *	    tests/fuzz/fuzz_zone.c src/model/zone*.c src/base/[a-z]*.c
 *
 * The input is parsed twice (with and without an origin, so relative
 * names take both paths), then every record is printed and looked up,
 * and the input's first bytes are also tried as one name.  Crashes
 * become cases in tests/unit/check_mxcheck.c. */
#include "model/zone.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(const struct zone *z)
{
	static const enum zone_type types[] = { ZONE_A, ZONE_AAAA, ZONE_MX,
	    ZONE_CNAME, ZONE_NS, ZONE_SOA };
	const struct zone_rr *rr;
	char line[2 * ZONE_NAME_MAX + 64];
	size_t i, k, n = 0;

	for (i = 0; i < z->nrr; i++) {
		zone_rr_str(&z->rr[i], line, sizeof(line));
		for (k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			(void)zone_state(z, z->rr[i].owner, types[k]);
		(void)zone_state(z, z->rr[i].data, ZONE_A);
		for (rr = zone_first(z, z->rr[i].owner);
		    rr != NULL && n < 100000; rr = zone_next(z, rr))
			n++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zone z;
	struct zone_report r;
	char name[ZONE_NAME_MAX];

	zone_init(&z);
	(void)zone_parse(&z, (const char *)data, size, "example.com", &r);
	walk(&z);
	zone_done(&z);
	zone_init(&z);
	(void)zone_parse(&z, (const char *)data, size, NULL, &r);
	walk(&z);
	zone_done(&z);
	(void)zone_name_canon((const char *)data, size < 300 ? size : 300,
	    "example.com", name, sizeof(name));
	(void)zone_name_canon((const char *)data, size < 300 ? size : 300,
	    NULL, name, 16);
	return 0;
}
