/* cmd_query.c -- the read-only commands: summary, list, show. */
#include "cmd.h"
#include "select.h"
#include "spool.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct spool_snap *
scan(struct ctx *c)
{
	struct spool_scan_opts so = { c->threads, 0 };
	struct spool_snap *s;
	char err[512];

	if ((s = spool_scan(c->spool, &so, err, sizeof(err))) == NULL)
		fprintf(stderr, "mxtop: %s\n", err);
	return s;
}

static int
finish(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mxtop: write error on standard output\n");
		return 2;
	}
	return 0;
}

int
cmd_summary(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct stats *st;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mxtop: summary takes no arguments\n");
		return 2;
	}
	if ((s = scan(c)) == NULL)
		return 2;
	st = stats_build(s, c->sel, c->now);
	stats_sort(st, c->order, c->reverse);
	fmt_summary(stdout, &c->fmt, st);
	stats_free(st);
	spool_snap_free(s);
	return finish();
}

int
cmd_list(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mxtop: list takes no arguments (use --id)\n");
		return 2;
	}
	if ((s = scan(c)) == NULL)
		return 2;
	fmt_list(stdout, &c->fmt, s, c->sel);
	spool_snap_free(s);
	return finish();
}

int
cmd_show(struct ctx *c, int argc, char **argv)
{
	struct spool_hdr h;
	struct spool_msg m;
	char *buf = NULL, err[512];
	size_t cap = 0;
	uint8_t *dl = NULL;
	int rc = 0, i;

	if (argc < 2) {
		fprintf(stderr, "mxtop: show needs a message id\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (!spool_id_valid(argv[i], strlen(argv[i]))) {
			fprintf(stderr, "mxtop: not a message id: %s\n",
			    argv[i]);
			return 2;
		}
	spool_hdr_init(&h);
	for (i = 1; i < argc; i++) {
		if (spool_load(c->spool, argv[i], &buf, &cap, &h, &dl, &m, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "mxtop: %s: %s\n", argv[i], err);
			rc = 1;
			continue;
		}
		if (i > 1 && c->fmt.kind == FMT_TEXT)
			putchar('\n');
		fmt_show(stdout, &c->fmt, &m, &h, dl);
		free(dl);
		dl = NULL;
	}
	spool_hdr_done(&h);
	free(buf);
	if (finish() != 0)
		return 2;
	return rc;
}
