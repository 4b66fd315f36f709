/* fuzz_hdr.c -- libFuzzer harness for the -H parser, spool_parse_buf().
 *
 *	make fuzz	(corpus: every sample-spool/input/ *-H)
 *
 * The input is one -H file.  It is parsed without a file name, under the
 * name its first line gives (so a well-formed file gets past the check),
 * and cut at a point the input chooses (a half-written file).  Every span
 * the parser hands out must lie inside the buffer, the counts must agree
 * with the arrays, and one struct spool_hdr is reused for every parse, as
 * spool_scan() does.  Crashes become cases in tests/unit/check_fuzzfound.c. */
#include "exim/spool.h"

#include "fuzz.h"

static struct spool_hdr h;

#define INSIDE(s)	FUZZ_CHECK(fuzz_inside((s).p, (s).len, buf, len))

static void
check(const char *buf, size_t len, int rc)
{
	size_t i;

	FUZZ_CHECK(h.nopts <= h.capopts && h.ntree <= h.captree &&
	    h.nrcpts <= h.caprcpts && h.nhdrs <= h.caphdrs);
	if (rc != 0)
		return;
	INSIDE(h.id);
	FUZZ_CHECK(spool_id_valid(h.id.p, h.id.len));
	INSIDE(h.login);
	INSIDE(h.sender);
	INSIDE(h.host_address);
	INSIDE(h.host_name);
	INSIDE(h.helo_name);
	INSIDE(h.protocol);
	INSIDE(h.ident);
	INSIDE(h.auth_id);
	INSIDE(h.auth_sender);
	INSIDE(h.interface_address);
	for (i = 0; i < h.nopts; i++) {
		INSIDE(h.opts[i].name);
		INSIDE(h.opts[i].value);
		INSIDE(h.opts[i].var);
	}
	for (i = 0; i < h.ntree; i++)
		INSIDE(h.tree[i]);
	FUZZ_CHECK(h.nrcpts <= 16384);
	for (i = 0; i < h.nrcpts; i++) {
		INSIDE(h.rcpts[i].addr);
		INSIDE(h.rcpts[i].orcpt);
		INSIDE(h.rcpts[i].errors_to);
	}
	for (i = 0; i < h.nhdrs; i++)
		INSIDE(h.hdrs[i].text);
	FUZZ_CHECK(h.hdr_bytes >= 0 && (uint64_t)h.hdr_bytes <= len);
	FUZZ_CHECK(h.nreceived >= 0 && (size_t)h.nreceived <= h.nhdrs);
	FUZZ_CHECK(((h.flags & MSG_F_FROZEN) != 0) || h.frozen_at == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *nl;
	char id[SPOOL_ID_MAX + 1], err[128];
	size_t n, cut;
	char *copy;
	int rc;

	rc = spool_parse_buf(buf, size, NULL, &h, err, sizeof(err));
	check(buf, size, rc);
	FUZZ_CHECK(rc == 0 || memchr(err, '\0', sizeof(err)) != NULL);

	/* Under the name of its first line, as a scan finds it. */
	if ((nl = memchr(buf, '\n', size)) != NULL &&
	    (n = (size_t)(nl - buf)) > 2 && n - 2 <= SPOOL_ID_MAX) {
		memcpy(id, buf, n - 2);
		id[n - 2] = '\0';
		rc = spool_parse_buf(buf, size, id, &h, err, sizeof(err));
		check(buf, size, rc);
		(void)spool_id_valid(id, strlen(id));
		(void)spool_id_time(id);
	}

	/* Cut short, in a buffer of its own so ASan sees its end. */
	if (size > 1) {
		cut = (size_t)data[size - 1] * 257 % size;
		copy = malloc(cut ? cut : 1);
		memcpy(copy, buf, cut);
		rc = spool_parse_buf(copy, cut, NULL, &h, err, sizeof(err));
		check(copy, cut, rc);
		free(copy);
	}
	return 0;
}
