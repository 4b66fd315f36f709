/* fuzz_gz.c -- libFuzzer harness for the main-log reader on a gzip
 * rotation: logscan_new() and logscan_run() on a file.
 *
 *	make fuzz	(corpus: tests/data/logs/ *.gz,
 *			 sample-spool/log/mainlog.1.gz)
 *
 * The input is written as log/mainlog.1.gz in a directory on tmpfs, beside
 * a short live log/mainlog, and read twice: as the directory (rotations
 * first, then the live log; a second run finds nothing new) and as the
 * .gz file named directly (a compressed live path, read once).  Plain
 * input is read as a plain rotation.  Every event's strings must be
 * NUL-terminated and the counters must add up.  Crashes become cases in
 * tests/unit/check_fuzzfound.c. */
#include "exim/logscan.h"
#include "exim/spool.h"

#include "fuzz.h"

static char dir[300], gzpath[400];

struct seen {
	uint64_t	 events;
};

static void
cb(const struct logscan_event *ev, void *arg)
{
	struct seen *s = arg;

	s->events++;
	FUZZ_CHECK((unsigned)ev->kind < LL__COUNT);
	FUZZ_CHECK(ev->id != NULL && ev->addr != NULL && ev->domain != NULL &&
	    ev->host != NULL && ev->text != NULL && ev->line != NULL);
	FUZZ_CHECK(ev->linelen <= LOGSCAN_LINE_MAX);
	FUZZ_CHECK(strlen(ev->id) <= SPOOL_ID_MAX);
	FUZZ_CHECK(strlen(ev->addr) <= ev->linelen &&
	    strlen(ev->domain) <= ev->linelen &&
	    strlen(ev->host) <= ev->linelen &&
	    strlen(ev->text) <= ev->linelen);
	FUZZ_CHECK(memchr(ev->line, '\n', ev->linelen) == NULL);
}

static void
scan(const char *path, int live)
{
	const struct logscan_counts *c;
	struct seen s = { 0 };
	struct logscan *ls;
	uint64_t events;

	ls = logscan_new(path);
	FUZZ_CHECK(ls != NULL);
	FUZZ_CHECK(logscan_run(ls, 0, cb, &s) == 0);
	c = logscan_counts(ls);
	events = c->events;
	FUZZ_CHECK(s.events == c->events);
	FUZZ_CHECK(c->events + c->unparsable <= c->lines);
	FUZZ_CHECK(c->toolong <= c->unparsable);
	FUZZ_CHECK(c->gzerrors <= c->files);
	FUZZ_CHECK(c->files == (live ? 2u : 1u));
	FUZZ_CHECK(c->gzerrors == 0 || logscan_error(ls) != NULL);
	if (logscan_error(ls) != NULL)
		FUZZ_CHECK(strlen(logscan_error(ls)) > 0);
	/* Nothing was appended: nothing new. */
	FUZZ_CHECK(logscan_run(ls, 0, cb, &s) == 0);
	FUZZ_CHECK(logscan_counts(ls)->events == events);
	logscan_free(ls);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char live[] = "2025-11-07 08:59:01 1vG2HR-00067n-0o == "
	    "x@y.example R=relay T=remote_smtp defer (111): Connection "
	    "refused\n";
	char path[400];

	if (dir[0] == '\0') {
		setenv("TZ", "UTC", 1);
		snprintf(dir, sizeof(dir), "%s/log", fuzz_dir("gz"));
		FUZZ_CHECK(mkdir(dir, 0755) == 0);
		snprintf(path, sizeof(path), "%s/mainlog", dir);
		fuzz_write(path, live, sizeof(live) - 1);
		snprintf(gzpath, sizeof(gzpath), "%s/mainlog.1.gz", dir);
	}
	fuzz_write(gzpath, data, size);
	scan(dir, 1);
	scan(gzpath, 0);
	return 0;
}
