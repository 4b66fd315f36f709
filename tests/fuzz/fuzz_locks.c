/* fuzz_locks.c -- libFuzzer harness for the /proc/locks parser (the
 * lock table of a scan, src/exim/spool_list.c).
 *
 *	make fuzz FUZZ_NAMES=locks	(seeds: tests/fuzz/seeds-locks/, as
 *					 proc(5) shows the table)
 *
 * The input, in a heap buffer of its own length, goes through
 * locktab_parse(), then the table is asked about inodes and lengths
 * taken from the input: every answer must be -1, 0 or 1, and a line
 * the harness builds itself for an inode no input line names must be
 * found held.  Parsing any prefix must not crash either.  Crashes
 * become cases in tests/unit/check_fuzzfound.c. */
#include "../../src/exim/spool_priv.h"

#include "fuzz.h"

#include <sys/sysmacros.h>

static void
ask(const struct locktab *t, const uint8_t *data, size_t size)
{
	size_t i;
	uint32_t ino;
	int r;

	for (i = 0; i + 4 <= size && i < 64; i += 4) {
		memcpy(&ino, data + i, 4);
		r = locktab_held(t, makedev(data[i] & 15, data[i + 1]), ino,
		    (off_t)data[i + 2] * 3);
		FUZZ_CHECK(r >= -1 && r <= 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char mine[] =
	    "\n1: POSIX  ADVISORY  WRITE 99 fe:fe:4000000001 0 EOF\n";
	char *s = malloc(size + sizeof(mine));
	struct locktab *t;
	size_t cut;

	memcpy(s, data, size);
	t = locktab_parse(s, size);
	ask(t, data, size);
	locktab_free(t);
	cut = size > 0 ? (size_t)data[0] * 7 % (size + 1) : 0;
	t = locktab_parse(s, cut);
	ask(t, data, size);
	locktab_free(t);
	/* A lock of our own after the input: found, by its exact inode. */
	memcpy(s + size, mine, sizeof(mine) - 1);
	t = locktab_parse(s, size + sizeof(mine) - 1);
	FUZZ_CHECK(locktab_held(t, makedev(0xfe, 0xfe), 4000000001u, 1) ==
	    1);
	locktab_free(t);
	free(s);
	return 0;
}
