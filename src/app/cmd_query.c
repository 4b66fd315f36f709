/* cmd_query.c -- the read-only commands: summary, list, show. */
#include "app/cmd.h"
#include "app/load.h"
#include "model/diag.h"
#include "exim/history.h"
#include "model/select.h"
#include "exim/spool.h"
#include "base/units.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

static struct spool_snap *
scan(struct ctx *c)
{
	struct spool_snap *s;
	char err[512];

	if ((s = load_spool(c, NULL, err, sizeof(err))) == NULL)
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

/* The stats of c's selection over snapshot s with its diagnosis d,
 * sorted as asked; domain, unless NULL, gets a row even with nothing
 * queued, and so does every domain with callouts when all is set. */
static struct stats *
stats_of(struct ctx *c, const struct spool_snap *s, const struct diag *d,
    const char *domain, int all)
{
	struct stats *st;

	st = stats_build(s, c->sel, d, c->now, domain, all);
	stats_sort(st, c->order, c->reverse);
	return st;
}

/* The diagnosis for a command: msglogs read when each recipient's class
 * is needed (a --class selection, or need). */
static struct diag *
diagnosed(struct ctx *c, const struct spool_snap *s, int need)
{
	static char logbuf[4096];

	c->fmt.log = load_log_path(c, logbuf, sizeof(logbuf));
	return load_diag(c, s, need || select_has(c->sel, "class"));
}

int
cmd_summary(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct stats *st;
	struct diag *d;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mxtop: summary takes no arguments\n");
		return 2;
	}
	if ((s = scan(c)) == NULL)
		return 2;
	/* Per-domain figures: the main log (or, without one, the msglogs)
	 * says what each domain's class is; no message's own msglog is
	 * needed unless the selection asks for classes. */
	d = diagnosed(c, s, 0);
	st = stats_of(c, s, d, NULL, 1);
	fmt_summary(stdout, &c->fmt, st);
	stats_free(st);
	diag_free(d);
	spool_snap_free(s);
	return finish();
}

int
cmd_diagnose(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct stats *st;
	struct diag *d;
	char dom[1024], *p;
	size_t i;
	int dns_failed = 0;

	if (argc > 2) {
		fprintf(stderr, "mxtop: diagnose takes at most one domain\n");
		return 2;
	}
	if (cmd_mxdiag_args(c) < 0)
		return 2;
	if ((s = scan(c)) == NULL)
		return 2;
	if (argc == 2) {
		snprintf(dom, sizeof(dom), "%s", argv[1]);
		for (p = dom; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
	}
	d = diagnosed(c, s, 0);
	st = stats_of(c, s, d, argc == 2 ? dom : NULL, argc < 2);
	if (argc == 2) {
		/* Only the named domain. */
		for (i = 0; i < st->ndomains; i++)
			if (strcmp(st->domains[i].name, dom) == 0)
				break;
		if (i < st->ndomains) {
			st->domains[0] = st->domains[i];
			st->ndomains = 1;
		} else
			st->ndomains = 0;
	}
	/* --dns: DNS evidence for the dns and loop domains (and for the one
	 * named, whatever its class). */
	if (c->dns)
		dns_failed = cmd_mxdiag_print(c, st, argc == 2) < 0;
	else
		fmt_diagnose(stdout, &c->fmt, st);
	stats_free(st);
	diag_free(d);
	spool_snap_free(s);
	return finish() != 0 || dns_failed ? 2 : 0;
}

int
cmd_list(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct diag *d;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mxtop: list takes no arguments (use --id)\n");
		return 2;
	}
	if (c->fmt.kind == FMT_IDS && select_empty(c->sel) &&
	    c->order != STATS_BY_BYTES && c->order != STATS_BY_RCPTS &&
	    c->order != STATS_BY_CLASS) {
		/* Every id in queue order: the directories alone, as exim
		 * -bpi reads the queue; no file is opened, no log read. */
		struct spool_scan_opts so = { .threads = c->threads,
		    .ids_only = 1 };
		char err[512];

		if ((s = load_spool(c, &so, err, sizeof(err))) == NULL) {
			fprintf(stderr, "mxtop: %s\n", err);
			return 2;
		}
		d = NULL;
	} else if ((s = scan(c)) == NULL)
		return 2;
	else
		/* Ids alone need no class, unless the selection asks for
		 * one. */
		d = diagnosed(c, s, c->fmt.kind != FMT_IDS ||
		    c->order == STATS_BY_CLASS);
	c->fmt.order = (int)c->order;
	c->fmt.reverse = c->reverse;
	fmt_list(stdout, &c->fmt, s, d, c->sel);
	diag_free(d);
	spool_snap_free(s);
	return finish();
}

int
cmd_show(struct ctx *c, int argc, char **argv)
{
	struct spool_scan_opts so = { .threads = 1 };
	struct spool_snap *s;
	struct spool_hdr h;
	struct history hist;
	struct diag *d;
	const struct spool_msg *m;
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
	/* Only these messages are read, with their diagnosis. */
	so.ids = (const char *const *)argv + 1;
	so.nids = (size_t)argc - 1;
	if ((s = load_spool(c, &so, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		return 2;
	}
	d = diagnosed(c, s, 1);
	spool_hdr_init(&h);
	if (c->fmt.kind == FMT_JSON && argc > 2)
		putchar('[');
	for (i = 1; i < argc; i++) {
		if (spool_load(c->spool, argv[i], &buf, &cap, &h, &dl, NULL,
		    err, sizeof(err)) < 0) {
			fprintf(stderr, "mxtop: %s: %s\n", argv[i],
			    errno == ENOENT ? "not in the queue" : err);
			rc = 1;
			continue;
		}
		free(dl);
		dl = NULL;
		m = spool_find(s, argv[i]);
		if (i > 1 && c->fmt.kind == FMT_TEXT)
			putchar('\n');
		if (i > 1 && c->fmt.kind == FMT_JSON)
			putchar(',');
		history_init(&hist);
		(void)history_read_in(&hist, c->spool, argv[i],
		    m != NULL ? m->subdir : '\0');
		fmt_show(stdout, &c->fmt, s, d, m, &h, &hist);
		history_done(&hist);
	}
	if (c->fmt.kind == FMT_JSON && argc > 2)
		puts("]");
	spool_hdr_done(&h);
	free(buf);
	diag_free(d);
	spool_snap_free(s);
	if (finish() != 0)
		return 2;
	return rc;
}
