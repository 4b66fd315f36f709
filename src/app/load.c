/* load.c -- reads the spool, the logs and the customers into the model
 * (load.h): the only place that drives the readers of exim/ for the
 * diagnosis, so the commands and the TUI read the same way. */
#include "app/load.h"
#include "load_priv.h"
#include "app/ctx.h"
#include "exim/history.h"
#include "exim/logscan.h"
#include "exim/spool.h"
#include "run/mta.h"
#include "base/mem.h"
#include "base/intern.h"
#include "base/units.h"
#include "model/diag.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Whether Exim may be asked about this spool: not when -s named a spool
 * on its own (Exim's may be another one: tests, copies), unless
 * --exim-config says which Exim. */
static int
may_ask_exim(const struct ctx *c)
{
	return !c->spool_given || c->mta.config != NULL;
}

const char *
load_log_path(const struct ctx *c, char *buf, size_t len)
{
	struct stat st;

	if (c->log != NULL)
		return c->log;
	if (may_ask_exim(c) && mta_main_log(&c->mta, c->spool, buf, len) == 0 &&
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

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int
load_find_spool(struct ctx *c, char *buf, size_t len)
{
	const char *env = getenv("MXTOP_SPOOL");

	if (c->spool == NULL && env != NULL && *env != '\0')
		c->spool = env;
	if (c->spool == NULL && mta_spool_dir(&c->mta, buf, len) == 0)
		c->spool = buf;
	if (c->spool == NULL && is_dir("/var/spool/exim4/input"))
		c->spool = "/var/spool/exim4";
	if (c->spool == NULL && is_dir("/var/spool/exim/input"))
		c->spool = "/var/spool/exim";
	if (c->spool == NULL) {
		fprintf(stderr, "mxtop: no Exim spool found; give one with "
		    "-s DIR or MXTOP_SPOOL\n");
		return -1;
	}
	c->fmt.spool = c->spool;
	return 0;
}

void
load_diag_opts(const struct ctx *c, struct diag_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->since = c->since;
	o->until = c->now_set ? c->now : 0;
	o->threshold = c->threshold;
	o->min_samples = (uint32_t)c->min_samples;
}

struct spool_snap *
load_spool(const struct ctx *c, const struct spool_scan_opts *so, char *err,
    size_t errlen)
{
	struct spool_scan_opts def = { .threads = c->threads };

	return spool_scan(c->spool, so != NULL ? so : &def, err, errlen);
}

struct feed {
	struct diag_acc		*acc;
	const struct spool_snap	*snap;
};

static void
on_event(const struct logscan_event *ev, void *arg)
{
	struct feed *f = arg;

	diag_acc_event(f->acc, ev, f->snap);
}

void
load_from_msglogs(struct diag_acc *acc, const struct spool_snap *snap,
    const atomic_int *cancel)
{
	struct history	 h;
	size_t		 i;

	for (i = 0; i < snap->nmsgs; i++) {
		if (cancel != NULL && i % 256 == 0 && atomic_load(cancel))
			return;
		if (snap->msgs[i].npending == 0)
			continue;
		history_init(&h);
		if (history_read_in(&h, snap->dir, snap->msgs[i].id,
		    snap->msgs[i].subdir) >= 0)
			diag_acc_history(acc, &h);
		history_done(&h);
	}
}

int
load_log(struct diag_acc *acc, struct logscan *ls,
    const struct spool_snap *snap, char *err, size_t errlen)
{
	const struct logscan_counts *cnt;
	struct feed	 f = { acc, snap };
	int		 rc = 0;

	if (ls == NULL) {
		diag_acc_logstats(acc, 0, 0, NULL, 1);
		load_from_msglogs(acc, snap, NULL);
		return 0;
	}
	if (logscan_run(ls, diag_acc_since(acc), on_event, &f) < 0) {
		snprintf(err, errlen, "cannot read log: %s",
		    logscan_error(ls) ? logscan_error(ls) : strerror(errno));
		rc = -1;
	}
	cnt = logscan_counts(ls);
	diag_acc_logstats(acc, cnt->lines, cnt->unparsable, logscan_error(ls),
	    rc < 0);
	if (rc < 0)
		load_from_msglogs(acc, snap, NULL);
	return rc;
}

struct diag_rcpts *
load_msglogs(const struct spool_snap *snap, const struct spool_snap *psnap,
    const struct diag *prev)
{
	return load_msglogs_pass(snap, psnap, prev, NULL, NULL, NULL);
}

struct diag_rcpts *
load_msglogs_since(const struct spool_snap *snap,
    const struct spool_snap *psnap, const struct diag *prev,
    const struct intern *ids, const atomic_int *cancel)
{
	return load_msglogs_pass(snap, psnap, prev, ids, cancel, NULL);
}

struct diag_rcpts *
load_msglogs_pass(const struct spool_snap *snap, const struct spool_snap *psnap,
    const struct diag *prev, const struct intern *ids,
    const atomic_int *cancel, struct diag_acc *acc)
{
	struct diag_rcpts *dr;
	struct history	 h;
	struct spool_walk w = { psnap, 0 };
	size_t		 i;

	dr = diag_rcpts_new(snap, psnap, diag_rcpts_of(prev));
	for (i = 0; i < snap->nmsgs; i++) {
		const struct spool_msg *m = &snap->msgs[i], *pm;

		if (cancel != NULL && i % 256 == 0 && atomic_load(cancel))
			break;
		/* Exim writes a msglog line before the main-log line that
		 * goes with it: a message the log did not name since, and
		 * whose -H is the one last read, has nothing new. */
		if (ids != NULL && psnap != NULL && (pm = spool_walk_find(&w,
		    m->id)) != NULL && pm->h_ino == m->h_ino &&
		    intern_find(ids, m->id, strlen(m->id)) == UINT32_MAX)
			continue;
		history_init(&h);
		h.fed = diag_rcpts_offset(dr, i);
		if (history_read_in(&h, snap->dir, m->id, m->subdir) >= 0) {
			if (acc != NULL && m->npending > 0)
				diag_acc_history(acc, &h);
			diag_rcpts_feed(dr, i, &h, h.fed - h.tlen);
		}
		history_done(&h);
	}
	return dr;
}

/* The operator's customer list (--customers): plain names in a set,
 * globs (*.example) apart; read once. */
struct custlist {
	struct intern	 *names;
	char		**globs;
	size_t		  nglobs, cap;
};

static void
cust_add(struct custlist *cl, const char *s, size_t n)
{
	char	*p;
	size_t	 i;

	if (n == 0)
		return;
	p = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		p[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	p[n] = '\0';
	if (strpbrk(p, "*?[") == NULL) {
		(void)intern_add(cl->names, p, n);
		free(p);
		return;
	}
	xgrow(&cl->globs, &cl->cap, cl->nglobs + 1, sizeof(*cl->globs));
	cl->globs[cl->nglobs++] = p;
}

/* "a.example,b.example", or a file with one name (or glob such as
 * *.example) a line, '#' starting a comment; a spec that is neither a
 * list nor a readable file is one name. */
static void
cust_read(struct custlist *cl, const char *spec)
{
	char	 line[512], *p, *e;
	FILE	*f;

	memset(cl, 0, sizeof(*cl));
	cl->names = intern_new();
	if ((strchr(spec, '/') == NULL && strchr(spec, ',') != NULL) ||
	    (f = fopen(spec, "re")) == NULL) {
		const char *s = spec, *q;

		for (; *s != '\0'; s = *q ? q + 1 : q) {
			q = strchr(s, ',');
			if (q == NULL)
				q = s + strlen(s);
			cust_add(cl, s, (size_t)(q - s));
		}
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		for (e = p + strlen(p); e > p && (e[-1] == '\n' ||
		    e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
			;
		cust_add(cl, p, (size_t)(e - p));
	}
	fclose(f);
}

static int
cust_has(const struct custlist *cl, const char *dom)
{
	size_t i;

	if (intern_find(cl->names, dom, strlen(dom)) != UINT32_MAX)
		return 1;
	for (i = 0; i < cl->nglobs; i++)
		if (fnmatch(cl->globs[i], dom, 0) == 0)
			return 1;
	return 0;
}

static void
cust_free(struct custlist *cl)
{
	size_t i;

	intern_free(cl->names);
	for (i = 0; i < cl->nglobs; i++)
		free(cl->globs[i]);
	free(cl->globs);
}

int
load_customers(const struct ctx *c, const struct spool_snap *snap,
    struct diag_customers *out)
{
	const char	**names;
	uint8_t		 *is;
	uint32_t	  n, k;

	out->is = NULL;
	out->n = 0;
	n = intern_count(snap->domains);
	is = xcalloc(n + 1, 1);
	if (c->customers != NULL) {
		struct custlist cl;

		cust_read(&cl, c->customers);
		for (k = 0; k < n; k++)
			is[k] = (uint8_t)cust_has(&cl,
			    intern_str(snap->domains, k));
		cust_free(&cl);
	} else {
		if (!may_ask_exim(c)) {
			free(is);
			return -1;
		}
		names = xcalloc(n + 1, sizeof(*names));
		for (k = 0; k < n; k++)
			names[k] = intern_str(snap->domains, k);
		if (mta_customers(&c->mta, names, n, is) < 0) {
			free(names);
			free(is);
			return -1;
		}
		free(names);
	}
	out->is = is;
	out->n = n;
	return 0;
}

static void	warn(const struct spool_snap *, const struct diag *,
		    const char *);

struct diag *
load_diag(const struct ctx *c, const struct spool_snap *snap, int msglogs)
{
	struct diag_opts	 o;
	struct diag_acc		*acc;
	struct diag_rcpts	*dr = NULL;
	struct diag_customers	 cu;
	struct logscan		*ls = NULL;
	struct diag		*d;
	const char		*log;
	char			 logbuf[4096], err[512];

	load_diag_opts(c, &o);
	acc = diag_acc_new(&o);
	if ((log = load_log_path(c, logbuf, sizeof(logbuf))) != NULL)
		ls = logscan_new(log);
	if (ls == NULL && msglogs) {
		/* No log: one read of each msglog serves both. */
		diag_acc_logstats(acc, 0, 0, NULL, 1);
		dr = load_msglogs_pass(snap, NULL, NULL, NULL, NULL, acc);
	} else {
		/* A log that cannot be read is one of load_problems(). */
		(void)load_log(acc, ls, snap, err, sizeof(err));
		if (msglogs)
			dr = load_msglogs(snap, NULL, NULL);
	}
	(void)load_customers(c, snap, &cu);
	d = diag_result(acc, snap, dr, cu.is != NULL ? &cu : NULL);
	free((void *)cu.is);
	logscan_free(ls);
	diag_acc_free(acc);
	warn(snap, d, log);
	return d;
}

/* Appends one problem to buf. */
static int
problem(char *buf, size_t len, const char *fmt, ...)
{
	size_t	 o = strlen(buf);
	va_list	 ap;

	if (o > 0 && o + 2 < len) {
		memcpy(buf + o, "; ", 3);
		o += 2;
	}
	if (o < len) {
		va_start(ap, fmt);
		vsnprintf(buf + o, len - o, fmt, ap);
		va_end(ap);
	}
	return 1;
}

int
load_problems(const struct spool_snap *snap, const struct diag *d,
    const char *log, char *buf, size_t len)
{
	const struct diag_info *in = diag_info(d);
	char	 dir[PATH_MAX], t[32];
	DIR	*dp;
	int	 n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	snprintf(dir, sizeof(dir), "%s/msglog", snap->dir);
	if ((dp = opendir(dir)) != NULL)
		closedir(dp);
	else if (errno != ENOENT)
		n += problem(buf, len, "cannot read %s: %s (no delivery "
		    "histories)", dir, strerror(errno));
	if (in == NULL)
		return n;
	if (in->log_error != NULL)
		n += problem(buf, len, "main log %s: %s%s", log ? log : "?",
		    in->log_error, in->from_msglogs ? " (the classes come "
		    "from the msglogs only)" : "");
	else if (in->from_msglogs)
		n += problem(buf, len, "no main log found (give it with -l): "
		    "the classes come from the msglogs only");
	else if (log != NULL && in->log_lines > 0 && in->log_events == 0)
		n += problem(buf, len, "the main log %s has no line since %s "
		    "UTC (-l, --since)", log, units_fmt_time(t, sizeof(t),
		    in->since));
	else if (log != NULL && in->log_events > 0 &&
	    !in->log_names_queued && snap->nmsgs > 0)
		n += problem(buf, len, "the main log %s names none of the %zu "
		    "queued messages: is it this spool's log? (-l)", log,
		    snap->nmsgs);
	return n;
}

/* load_problems() as warning lines on stderr. */
static void
warn(const struct spool_snap *snap, const struct diag *d, const char *log)
{
	char	 buf[4096], *p, *q;

	if (load_problems(snap, d, log, buf, sizeof(buf)) == 0)
		return;
	for (p = buf; p != NULL; p = q) {
		if ((q = strstr(p, "; ")) != NULL)
			*q = '\0', q += 2;
		fprintf(stderr, "mxtop: warning: %s\n", p);
	}
}

int
load_check_spool(const struct ctx *c, char *err, size_t errlen)
{
	char	 dir[4096], a[PATH_MAX], b[PATH_MAX];

	if (mta_spool_dir(&c->mta, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "cannot ask Exim (%s%s%s -bP "
		    "spool_directory) which spool it acts on; give the Exim "
		    "that owns %s with --exim and --exim-config",
		    c->mta.exim != NULL ? c->mta.exim : "exim",
		    c->mta.config != NULL ? " -C " : "",
		    c->mta.config != NULL ? c->mta.config : "", c->spool);
		return -1;
	}
	if (realpath(c->spool, a) == NULL)
		snprintf(a, sizeof(a), "%s", c->spool);
	if (realpath(dir, b) == NULL)
		snprintf(b, sizeof(b), "%s", dir);
	if (strcmp(a, b) != 0) {
		snprintf(err, errlen, "the spool shown is %s, but Exim acts on "
		    "%s: give the Exim configuration of %s with --exim-config",
		    a, b, a);
		return -1;
	}
	return 0;
}

/* Adds the names of an lsearch file (the key of each line) to set. */
static void
lsearch_keys(const char *file, struct intern *set)
{
	char	 line[1024];
	size_t	 n;
	FILE	*f;

	if ((f = fopen(file, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == ' ' || line[0] == '\t')
			continue;
		n = strcspn(line, ": \t\r\n");
		if (n > 0 && line[0] != '*')
			(void)intern_add(set, line, n);
	}
	fclose(f);
}

int
load_customer_names(const struct ctx *c, struct intern *set, char *err,
    size_t errlen)
{
	char	 val[8192], *p, *item, *save = NULL, line[512], *q;
	FILE	*f;

	if (c->customers != NULL) {
		if (strchr(c->customers, '/') == NULL &&
		    (f = fopen(c->customers, "re")) == NULL) {
			snprintf(val, sizeof(val), "%s", c->customers);
			for (item = strtok_r(val, ",", &save); item != NULL;
			    item = strtok_r(NULL, ",", &save))
				if (strpbrk(item, "*?[") == NULL)
					(void)intern_add(set, item,
					    strlen(item));
			return 0;
		}
		if ((f = fopen(c->customers, "re")) == NULL) {
			snprintf(err, errlen, "%s: %s", c->customers,
			    strerror(errno));
			return -1;
		}
		while (fgets(line, sizeof(line), f) != NULL) {
			if ((q = strchr(line, '#')) != NULL)
				*q = '\0';
			for (q = line; *q == ' ' || *q == '\t'; q++)
				;
			line[strcspn(line, "\r\n")] = '\0';
			if (*q != '\0' && strpbrk(q, "*?[ \t") == NULL)
				(void)intern_add(set, q, strlen(q));
		}
		fclose(f);
		return 0;
	}
	/* Exim's list: "domainlist relay_to_domains = a : b : lsearch;F".
	 * Plain names and lsearch files are read; other lookups and
	 * patterns cannot be listed. */
	if (!may_ask_exim(c) || mta_option(&c->mta, "+relay_to_domains", val,
	    sizeof(val)) < 0) {
		snprintf(err, errlen, "Exim does not say what relay_to_domains "
		    "is (give the customers with --customers FILE|LIST)");
		return -1;
	}
	for (item = strtok_r(val, ":", &save); item != NULL;
	    item = strtok_r(NULL, ":", &save)) {
		while (*item == ' ')
			item++;
		for (p = item + strlen(item); p > item && p[-1] == ' '; p--)
			;
		*p = '\0';
		if (strncmp(item, "lsearch;", 8) == 0)
			lsearch_keys(item + 8, set);
		else if (*item != '\0' && strpbrk(item, "*?;@+!^$\\") == NULL)
			(void)intern_add(set, item, strlen(item));
	}
	return 0;
}
