/* cmd_export.c -- export: the selected messages to an archive or mbox,
 * for a customer ticket.  Read-only: see export.h. */
#include "app/cmd.h"
#include "app/load.h"
#include "model/diag.h"
#include "out/export.h"
#include "model/select.h"
#include "exim/spool.h"
#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct progress {
	int		 tty;		/* stderr is a terminal */
	int		 shown;		/* a progress line is on screen */
	struct timespec	 last;
};

static int
progress(void *arg, size_t done, size_t total)
{
	struct progress *p = arg;
	struct timespec now;

	if (!p->tty)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && now.tv_sec * 1000 + now.tv_nsec / 1000000 -
	    (p->last.tv_sec * 1000 + p->last.tv_nsec / 1000000) < 200)
		return 0;
	p->last = now;
	fprintf(stderr, "\rmxtop: exporting %zu/%zu (%zu%%)", done, total,
	    total ? done * 100 / total : 100);
	p->shown = 1;
	return 0;
}

static void
report(void *arg, const char *id, enum export_state st, const char *why)
{
	struct progress *p = arg;

	/* Gone is not an error: only worth a line on a terminal. */
	if (st == EXPORT_GONE && !p->tty)
		return;
	if (p->shown) {
		fputc('\n', stderr);
		p->shown = 0;
	}
	fprintf(stderr, "mxtop: %s: %s: %s\n", id, st == EXPORT_GONE ?
	    "gone" : "not readable", why);
}

/* Format: --as, else the file name, else tar.gz.  -1: usage error. */
static int
pick_format(const struct ctx *c, enum export_format *f)
{
	size_t n = strlen(c->output);

	if (c->as != NULL) {
		if (export_format_parse(c->as, f) < 0) {
			fprintf(stderr, "mxtop: unknown export format: %s "
			    "(tar.gz, tar.xz, zip, mbox, mbox.gz)\n", c->as);
			return -1;
		}
		if (*f == EXPORT_MBOX && n > 3 &&
		    strcmp(c->output + n - 3, ".gz") == 0)
			*f = EXPORT_MBOXGZ;
		return 0;
	}
	if (strcmp(c->output, "-") == 0) {
		*f = EXPORT_TGZ;
		return 0;
	}
	if (export_format_guess(c->output, f) < 0) {
		fprintf(stderr, "mxtop: %s: mxtop writes .tar.gz, .tgz, "
		    ".tar.xz, .txz, .zip, .mbox or .mbox.gz; name the file so "
		    "or give --as\n", c->output);
		return -1;
	}
	return 0;
}

/* The options of export, checked before the spool is read: 0, or 2
 * after saying what is wrong; the format in *fmt. */
static int
check_args(const struct ctx *c, int argc, enum export_format *fmt)
{
	struct stat sb;

	if (argc > 1) {
		fprintf(stderr, "mxtop: export takes no arguments (select "
		    "with --domain, --id, ...)\n");
		return 2;
	}
	if (c->output == NULL || *c->output == '\0') {
		fprintf(stderr, "mxtop: export needs -o FILE (- for standard "
		    "output)\n");
		return 2;
	}
	if (c->headers_only && c->manifest_only) {
		fprintf(stderr, "mxtop: --headers-only and --manifest-only "
		    "exclude each other\n");
		return 2;
	}
	if (pick_format(c, fmt) < 0)
		return 2;
	if (c->manifest_only && (*fmt == EXPORT_MBOX ||
	    *fmt == EXPORT_MBOXGZ)) {
		fprintf(stderr, "mxtop: an mbox holds no manifest; "
		    "--manifest-only needs an archive format\n");
		return 2;
	}
	if (strcmp(c->output, "-") == 0 && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mxtop: not writing an archive to a terminal; "
		    "redirect standard output\n");
		return 2;
	}
	if (strcmp(c->output, "-") != 0 && !c->force &&
	    lstat(c->output, &sb) == 0) {
		fprintf(stderr, "mxtop: %s exists (--force overwrites it)\n",
		    c->output);
		return 2;
	}
	return 0;
}

/* Writes the messages idx[0..n) of s to -o: 0 all exported (or gone), 1
 * some unreadable, 2 after saying why nothing (whole) was written; a
 * file it created is removed then. */
static int
write_out(const struct ctx *c, enum export_format fmt,
    const struct spool_snap *s, const struct diag *dg, const size_t *idx,
    size_t n, const struct stats *st)
{
	struct export_opts o;
	struct export_result res;
	struct progress p;
	char err[512], selbuf[4096];
	int fd, rc, tostdout = strcmp(c->output, "-") == 0;

	if (tostdout)
		fd = STDOUT_FILENO;
	else if ((fd = open(c->output, O_WRONLY | O_CREAT | O_CLOEXEC |
	    (c->force ? O_TRUNC : O_EXCL), 0644)) < 0) {
		fprintf(stderr, "mxtop: %s: %s%s\n", c->output,
		    strerror(errno), errno == EEXIST ?
		    " (--force overwrites it)" : "");
		return 2;
	}
	memset(&p, 0, sizeof(p));
	p.tty = isatty(STDERR_FILENO);
	memset(&o, 0, sizeof(o));
	o.format = fmt;
	o.headers_only = c->headers_only;
	o.manifest_only = c->manifest_only;
	o.now = c->now;
	o.spool = c->spool;
	o.selection = select_to_args(c->sel, selbuf, sizeof(selbuf));
	o.cutoff = c->fmt.cutoff;
	o.progress = progress;
	o.report = report;
	o.arg = &p;
	rc = export_write(fd, s, dg, c->sel, idx, n, st, &o, &res, err,
	    sizeof(err));
	if (p.shown)
		fputc('\n', stderr);
	if (rc >= 0 && !tostdout && close(fd) < 0) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		rc = -1;
	} else if (!tostdout && rc < 0)
		close(fd);
	if (rc < 0) {
		fprintf(stderr, "mxtop: %s: %s\n", tostdout ? "stdout" :
		    c->output, err);
		if (!tostdout)
			unlink(c->output);
		return 2;
	}
	if (p.tty)
		fprintf(stderr, "mxtop: %zu exported, %zu gone, %zu "
		    "unreadable: %s\n", res.done, res.gone, res.failed,
		    c->output);
	return res.failed > 0 ? 1 : 0;
}

int
cmd_export(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct diag *dg;
	struct stats *st;
	enum export_format fmt;
	char err[512];
	size_t *idx, n = 0, i;
	int rc;

	(void)argv;
	if ((rc = check_args(c, argc, &fmt)) != 0)
		return rc;
	if ((s = load_spool(c, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		return 2;
	}
	/* The msglogs give each recipient its state, class and last
	 * error. */
	dg = load_diag(c, s, 1);
	idx = xcalloc(s->nmsgs ? s->nmsgs : 1, sizeof(*idx));
	for (i = 0; i < s->nmsgs; i++)
		if (select_msg(c->sel, s, dg, &s->msgs[i], c->now))
			idx[n++] = i;
	st = stats_build(s, c->sel, dg, c->now, NULL, 0);
	if (n == 0) {
		fprintf(stderr, "mxtop: the selection matches no message; "
		    "nothing written\n");
		rc = 1;
	} else
		rc = write_out(c, fmt, s, dg, idx, n, st);
	stats_free(st);
	diag_free(dg);
	free(idx);
	spool_snap_free(s);
	return rc;
}
