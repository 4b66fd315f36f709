/* logscan.c -- reads the main log and its rotations (plain or gzip) with
 * one fixed buffer, follows the live log by offset, and hands each line to
 * logscan_parse_line(), the one grammar of logline.h. */
#include "exim/logscan.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/mem.h"
#include "base/text.h"

#define BUFSZ	(4 * LOGSCAN_LINE_MAX)

struct logscan {
	char			*dir;	/* directory of the logs */
	char			*base;	/* live log name in dir ("mainlog") */
	char			*live;	/* dir/base */
	int			 started;
	int			 fd;	/* live log, kept open across runs */
	dev_t			 dev;
	ino_t			 ino;
	off_t			 off;	/* bytes of fd consumed */
	int			 skipping;	/* inside a too long line */
	int			 livegz;	/* the live path is compressed:
						 * read once, not followed */
	struct logscan_counts	 c;
	char			*err;
	char			*buf;
	struct logscan_scratch	*sc;
	const atomic_int	*cancel;
	int			 cancelled;	/* for good */
	/* The current run. */
	time_t			 since;
	void			(*cb)(const struct logscan_event *, void *);
	void			*arg;
};

struct rotated {
	char	*name;
	time_t	 mtime;
	long	 num;
};

static void
seterr(struct logscan *ls, const char *name, const char *msg)
{
	size_t	 n;

	if (ls->err != NULL)
		return;
	n = strlen(name) + strlen(msg) + 3;
	ls->err = xmalloc(n);
	snprintf(ls->err, n, "%s: %s", name, msg);
}

struct logscan *
logscan_new(const char *path)
{
	struct logscan	*ls;
	struct stat	 st;
	const char	*slash;
	size_t		 n;

	ls = xcalloc(1, sizeof(*ls));
	ls->fd = -1;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		ls->dir = xstrdup(path);
		ls->base = xstrdup("mainlog");
	} else if ((slash = strrchr(path, '/')) != NULL) {
		ls->dir = xstrndup(path, (size_t)(slash - path) + (slash == path));
		ls->base = xstrdup(slash + 1);
	} else {
		ls->dir = xstrdup(".");
		ls->base = xstrdup(path);
	}
	n = strlen(ls->dir) + strlen(ls->base) + 2;
	ls->live = xmalloc(n);
	snprintf(ls->live, n, "%s/%s", ls->dir, ls->base);
	ls->buf = xmalloc(BUFSZ + 1);
	ls->sc = xcalloc(1, sizeof(*ls->sc));
	return ls;
}

void
logscan_free(struct logscan *ls)
{
	if (ls == NULL)
		return;
	if (ls->fd >= 0)
		close(ls->fd);
	free(ls->dir);
	free(ls->base);
	free(ls->live);
	free(ls->err);
	free(ls->buf);
	free(ls->sc);
	free(ls);
}

const struct logscan_counts *
logscan_counts(const struct logscan *ls)
{
	return &ls->c;
}

const char *
logscan_error(const struct logscan *ls)
{
	return ls->err;
}

static void
line(struct logscan *ls, const char *s, size_t n)
{
	struct logscan_event	 ev;
	time_t			 t;

	ls->c.lines++;
	if (ls->since != 0 && logline_stamp(s, n, &t, &ls->sc->tc) > 0 &&
	    t < ls->since) {
		ls->c.old++;
		return;
	}
	switch (logscan_parse_line(s, n, &ev, ls->sc)) {
	case -1:
		ls->c.unparsable++;
		break;
	case 1:
		ls->c.events++;
		if (ls->cb != NULL)
			ls->cb(&ev, ls->arg);
		break;
	}
}

void
logscan_set_cancel(struct logscan *ls, const atomic_int *cancel)
{
	ls->cancel = cancel;
}

/* Whether the run stops here (checked once a buffer). */
static int
stopped(struct logscan *ls)
{
	if (!ls->cancelled && ls->cancel != NULL && atomic_load(ls->cancel))
		ls->cancelled = 1;
	return ls->cancelled;
}

/* Splits buf[0..have) into lines; returns the bytes consumed (up to and
 * including the last newline, or all of a too long line). */
static size_t
lines(struct logscan *ls, char *buf, size_t have)
{
	char	*p = buf, *nl, *end = buf + have;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (ls->skipping)
			ls->skipping = 0;
		else if ((size_t)(nl - p) > LOGSCAN_LINE_MAX) {
			ls->c.lines++;
			ls->c.toolong++;
			ls->c.unparsable++;
		} else
			line(ls, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (ls->skipping)
		return have;
	if ((size_t)(end - p) > LOGSCAN_LINE_MAX) {
		/* Cut: the rest of this line is skipped up to its newline. */
		ls->c.lines++;
		ls->c.toolong++;
		ls->c.unparsable++;
		ls->skipping = 1;
		return have;
	}
	return (size_t)(p - buf);
}

static int
isgz(int fd)
{
	unsigned char	 magic[2];

	return pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f &&
	    magic[1] == 0x8b;
}

/* Reads a rotated (complete) file, plain or gzip, to its end. */
static void
scan_rotated(struct logscan *ls, const char *name)
{
	char		 path[4096];
	gzFile		 gz = NULL;
	size_t		 have = 0, used;
	ssize_t		 r;
	int		 fd, errnum, gzf;

	snprintf(path, sizeof(path), "%s/%s", ls->dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			seterr(ls, name, strerror(errno));
		return;
	}
	ls->c.files++;
	if ((gzf = isgz(fd))) {
		if ((gz = gzdopen(fd, "rb")) == NULL) {
			close(fd);
			seterr(ls, name, "cannot open");
			return;
		}
		gzbuffer(gz, 128 * 1024);
	}
	ls->skipping = 0;
	for (;;) {
		if (stopped(ls)) {
			have = 0;
			r = 0;
			break;
		}
		if (gzf) {
			r = gzread(gz, ls->buf + have, (unsigned)(BUFSZ - have));
			if (r < 0) {
				ls->c.gzerrors++;
				seterr(ls, name, gzerror(gz, &errnum));
				if (have > 0 && !ls->skipping) {
					ls->c.lines++;
					ls->c.unparsable++;
				}
				have = 0;
				break;
			}
		} else
			r = read(fd, ls->buf + have, BUFSZ - have);
		if (r <= 0)
			break;
		ls->c.bytes += (uint64_t)r;
		have += (size_t)r;
		used = lines(ls, ls->buf, have);
		memmove(ls->buf, ls->buf + used, have - used);
		have -= used;
	}
	if (r == 0 && gzf && !ls->cancelled) {
		/* zlib reports a truncated stream only through gzerror(). */
		const char *m = gzerror(gz, &errnum);

		if (errnum != Z_OK) {
			ls->c.gzerrors++;
			seterr(ls, name, m);
			if (have > 0 && !ls->skipping) {
				ls->c.lines++;
				ls->c.unparsable++;
			}
			have = 0;
		}
	}
	if (r < 0 && !gzf)
		seterr(ls, name, strerror(errno));
	if (have > 0 && !ls->skipping)
		line(ls, ls->buf, have);	/* no final newline */
	ls->skipping = 0;
	if (gzf)
		gzclose(gz);
	else
		close(fd);
}

/* Reads the live log from ls->off to its end; a partial line waits. */
static void
scan_live(struct logscan *ls)
{
	size_t	 have = 0, used;
	ssize_t	 r;

	for (;;) {
		if (stopped(ls))
			return;		/* its place is lost: see cancelled */
		r = pread(ls->fd, ls->buf + have, BUFSZ - have,
		    ls->off + (off_t)have);
		if (r <= 0)
			break;
		ls->c.bytes += (uint64_t)r;
		have += (size_t)r;
		used = lines(ls, ls->buf, have);
		ls->off += (off_t)used;
		memmove(ls->buf, ls->buf + used, have - used);
		have -= used;
	}
	/* The bytes after the last newline are read again next time. */
	ls->c.bytes -= have;
	if (r < 0)
		seterr(ls, ls->base, strerror(errno));
}

static int
open_live(struct logscan *ls)
{
	struct stat	 st;

	ls->fd = open(ls->live, O_RDONLY | O_CLOEXEC);
	if (ls->fd < 0)
		return -1;
	if (fstat(ls->fd, &st) < 0) {
		close(ls->fd);
		ls->fd = -1;
		return -1;
	}
	ls->c.files++;
	ls->dev = st.st_dev;
	ls->ino = st.st_ino;
	ls->off = 0;
	ls->skipping = 0;
	return 0;
}

static int
cmp_rot(const void *a, const void *b)
{
	const struct rotated *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	if (x->num != y->num)
		return x->num > y->num ? -1 : 1;	/* higher is older */
	return strcmp(x->name, y->name);
}

/* Is name "<base>.N", "<base>.N.gz", "<base>-DATE" or "<base>-DATE.gz"? */
static long
rotated_num(const char *base, const char *name)
{
	size_t		 bl = strlen(base);
	const char	*p;
	long		 v = 0;

	if (strncmp(name, base, bl) != 0 || (name[bl] != '.' &&
	    name[bl] != '-'))
		return -1;
	p = name + bl + 1;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v < 100000000L ? v * 10 + (*p - '0') : v;
	if (*p == '\0' || strcmp(p, ".gz") == 0)
		return v;
	return -1;
}

static void
scan_rotations(struct logscan *ls)
{
	struct rotated	*rot = NULL;
	size_t		 n = 0, cap = 0, i;
	struct dirent	*de;
	struct stat	 st;
	char		 path[4096];
	DIR		*d;
	long		 num;

	if ((d = opendir(ls->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if ((num = rotated_num(ls->base, de->d_name)) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", ls->dir, de->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		/* Last written before the window: every line is older. */
		if (ls->since != 0 && st.st_mtime < ls->since)
			continue;
		xgrow(&rot, &cap, n + 1, sizeof(*rot));
		rot[n].name = xstrdup(de->d_name);
		rot[n].mtime = st.st_mtime;
		rot[n].num = num;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(rot, n, sizeof(*rot), cmp_rot);
	for (i = 0; i < n; i++) {
		if (!stopped(ls))
			scan_rotated(ls, rot[i].name);
		free(rot[i].name);
	}
	free(rot);
}

static int
run(struct logscan *ls, time_t since,
    void (*cb)(const struct logscan_event *, void *), void *arg)
{
	struct stat	 st;
	int		 first = !ls->started;

	ls->since = since;
	ls->cb = cb;
	ls->arg = arg;
	ls->started = 1;
	if (first) {
		struct stat dst;

		if (stat(ls->dir, &dst) < 0) {
			int e = errno;

			seterr(ls, ls->dir, strerror(e));
			errno = e;
			return -1;
		}
		scan_rotations(ls);
	}
	if (ls->fd >= 0) {
		if (fstat(ls->fd, &st) == 0 && st.st_size < ls->off) {
			ls->c.rotations++;	/* truncated in place */
			ls->off = 0;
			ls->skipping = 0;
		}
		scan_live(ls);
		if (stat(ls->live, &st) == 0 && (st.st_ino != ls->ino ||
		    st.st_dev != ls->dev)) {
			/* Rotated: the old file is drained; go on with the new. */
			close(ls->fd);
			ls->fd = -1;
			ls->c.rotations++;
		}
	}
	if (ls->livegz)
		return 0;
	if (ls->fd < 0) {
		if (open_live(ls) < 0) {
			if (errno != ENOENT || (first && ls->c.files == 0)) {
				int e = errno;

				seterr(ls, ls->live, strerror(e));
				if (first && ls->c.files == 0) {
					errno = e;
					return -1;
				}
			}
			return 0;
		}
		if (isgz(ls->fd)) {
			close(ls->fd);
			ls->fd = -1;
			ls->livegz = 1;
			ls->c.files--;
			scan_rotated(ls, ls->base);
			return 0;
		}
		scan_live(ls);
	}
	return 0;
}

int
logscan_run(struct logscan *ls, time_t since,
    void (*cb)(const struct logscan_event *, void *), void *arg)
{
	int rc = stopped(ls) ? -1 : run(ls, since, cb, arg);

	if (ls->cancelled) {
		errno = ECANCELED;
		return -1;
	}
	return rc;
}

/* A bump allocator over sc->buf for the event's NUL-terminated strings. */
struct out {
	char	*p, *end;
};

static const char *
put(struct out *o, struct logline_span sp, int lower)
{
	char	*r = o->p;
	size_t	 i, n = sp.n;

	if (n >= (size_t)(o->end - o->p))
		n = (size_t)(o->end - o->p) - 1;
	if (n > 0)
		memcpy(r, sp.p, n);
	r[n] = '\0';
	if (lower)
		for (i = 0; i < n; i++)
			if (r[i] >= 'A' && r[i] <= 'Z')
				r[i] += 32;
	o->p += n + 1;
	return r;
}

int
logscan_parse_line(const char *line, size_t len, struct logscan_event *ev,
    struct logscan_scratch *sc)
{
	struct logline	 ll;
	struct logline_span dom;
	struct out	 o;
	size_t		 k;
	int		 rc;

	memset(ev, 0, sizeof(*ev));
	ev->id = ev->addr = ev->domain = ev->host = ev->text = "";
	ev->line = line;
	ev->linelen = len;
	k = logline_stamp(line, len, &ev->t, &sc->tc);
	if (k == 0 || k >= len || line[k] != ' ')
		return -1;
	if ((rc = logline_main(line + k + 1, len - k - 1, &ll)) <= 0)
		return rc;
	o.p = sc->buf;
	o.end = sc->buf + sizeof(sc->buf);
	ev->kind = ll.kind;
	if (ll.id.n > 0) {
		memcpy(sc->id, ll.id.p, ll.id.n);
		sc->id[ll.id.n] = '\0';
		ev->id = sc->id;
	}
	ev->addr = put(&o, ll.addr, 0);
	dom = ll.domain;
	if (dom.n == 0 && ll.addr.n > 0)
		dom.p = text_addr_domain(ll.addr.p, ll.addr.n, &dom.n);
	ev->domain = put(&o, dom, 1);
	ev->host = put(&o, ll.host, 0);
	ev->text = put(&o, ll.text, 0);
	return 1;
}
