/* cmd_query.c -- the read-only commands: summary, list, show. */
#include "app/cmd.h"
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
	struct spool_scan_opts so = { .threads = c->threads };
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

const char *
cmd_find_log(const struct ctx *c, char *buf, size_t len)
{
	struct stat st;

	if (c->log != NULL)
		return c->log;
	/* Ask Exim where it logs, unless -s named a spool on its own (then
	 * Exim may not even be this spool's: tests, copies). */
	if ((!c->spool_given || c->mta.config != NULL) &&
	    mta_main_log(&c->mta, c->spool, buf, len) == 0 &&
	    stat(buf, &st) == 0)
		return buf;
	snprintf(buf, len, "%s/log/mainlog", c->spool);
	if (stat(buf, &st) == 0) {
		snprintf(buf, len, "%s/log", c->spool);
		return buf;
	}
	if (stat("/var/log/exim4/mainlog", &st) == 0)
		return "/var/log/exim4/mainlog";
	return NULL;
}

struct stats *
cmd_stats(struct ctx *c, struct spool_snap *s, const char *domain)
{
	struct stats_diag_opts o;
	struct stats *st;
	char err[512], logbuf[4096];

	st = stats_build(s, c->sel, c->now);
	memset(&o, 0, sizeof(o));
	o.log = cmd_find_log(c, logbuf, sizeof(logbuf));
	o.since = c->since;
	o.until = c->now_set ? c->now : 0;
	o.threshold = c->threshold;
	o.min_samples = c->min_samples;
	o.domain = domain;
	if (stats_diagnose(st, s, &o, err, sizeof(err)) < 0)
		fprintf(stderr, "mxtop: %s (using the msglogs)\n", err);
	stats_sort(st, c->order, c->reverse);
	return st;
}

/* cmd_stats(), reading the msglogs first when the selection needs each
 * message's class. */
static struct stats *
diagnosed(struct ctx *c, struct spool_snap *s, const char *domain)
{
	struct stats_msglogs *ml = NULL;
	struct stats *st;

	if (select_has(c->sel, "class"))
		ml = stats_read_msglogs(s);
	st = cmd_stats(c, s, domain);
	stats_msglogs_free(ml);
	return st;
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
	st = diagnosed(c, s, NULL);
	fmt_summary(stdout, &c->fmt, st);
	stats_free(st);
	spool_snap_free(s);
	return finish();
}

int
cmd_diagnose(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct stats *st;
	char dom[1024], *p;
	size_t i;

	if (argc > 2) {
		fprintf(stderr, "mxtop: diagnose takes at most one domain\n");
		return 2;
	}
	if ((s = scan(c)) == NULL)
		return 2;
	if (argc == 2) {
		snprintf(dom, sizeof(dom), "%s", argv[1]);
		for (p = dom; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
	}
	st = diagnosed(c, s, argc == 2 ? dom : NULL);
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
	fmt_diagnose(stdout, &c->fmt, st);
	stats_free(st);
	spool_snap_free(s);
	return finish();
}

int
cmd_list(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct stats_msglogs *ml = NULL;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mxtop: list takes no arguments (use --id)\n");
		return 2;
	}
	if ((s = scan(c)) == NULL)
		return 2;
	/* Ids alone need no class, unless the selection asks for one. */
	if (c->fmt.kind != FMT_IDS || select_has(c->sel, "class"))
		ml = stats_read_msglogs(s);
	fmt_list(stdout, &c->fmt, s, c->sel, ml);
	stats_msglogs_free(ml);
	spool_snap_free(s);
	return finish();
}

int
cmd_show(struct ctx *c, int argc, char **argv)
{
	struct spool_hdr h;
	struct spool_msg m;
	struct history hist;
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
		history_init(&hist);
		(void)history_read(&hist, c->spool, argv[i]);
		fmt_show(stdout, &c->fmt, &m, &h, dl, &hist);
		history_done(&hist);
		free(dl);
		dl = NULL;
	}
	spool_hdr_done(&h);
	free(buf);
	if (finish() != 0)
		return 2;
	return rc;
}

int
cmd_check(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct stats *st;
	const struct stats_domain *old = NULL, *deep = NULL;
	char a[16], lim[16];
	size_t i;
	int over = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mxtop: check takes no arguments\n");
		return 2;
	}
	if ((s = scan(c)) == NULL)
		return 2;
	st = stats_build(s, c->sel, c->now);
	for (i = 0; i < st->ndomains; i++) {
		const struct stats_domain *d = &st->domains[i];

		if (old == NULL || d->oldest < old->oldest)
			old = d;
		if (deep == NULL || d->messages > deep->messages)
			deep = d;
	}
	if (c->max_age > 0 && old != NULL && c->now - old->oldest >
	    c->max_age)
		over = 1;
	if (c->max_depth > 0 && st->total.messages > (uint32_t)c->max_depth)
		over = 1;
	printf("%s: %u messages, %u recipients, %zu domain%s",
	    over ? "ALERT" : "OK", st->total.messages, st->total.recipients,
	    st->ndomains, st->ndomains == 1 ? "" : "s");
	if (old != NULL)
		printf("; oldest %s (%s)", units_fmt_age(a, sizeof(a),
		    c->now - old->oldest), old->name);
	if (deep != NULL)
		printf("; deepest %s (%u)", deep->name, deep->messages);
	if (c->max_age > 0)
		printf("; max age %s", units_fmt_age(lim, sizeof(lim),
		    c->max_age));
	if (c->max_depth > 0)
		printf("; max depth %ld", c->max_depth);
	if (s->nbad > 0)
		printf("; %zu unreadable", s->nbad);
	putchar('\n');
	stats_free(st);
	spool_snap_free(s);
	if (finish() != 0)
		return 2;
	return over;
}
