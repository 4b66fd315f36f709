/* spool_scan.c -- walk a spool's input/ directory and build a snapshot.
 *
 * One readdir pass over input/ and its one-character subdirectories, then
 * the -H files are read (one read() each into a reused buffer) and parsed
 * by a few threads over contiguous ranges, so the result keeps its order.
 * The -D file is opened read-only for fstat() and an F_GETLK look; no lock
 * is ever taken and nothing is ever written (exim-spool.md section 5). */
#include "exim/spool.h"
#include "base/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_HFILE	(64 * 1024 * 1024)	/* larger -H: flagged bad */

struct ent {				/* one <id>-H found by readdir */
	char		 id[SPOOL_ID_MAX + 1];
	char		 subdir;
	unsigned char	 has_j;
};

struct side {				/* a -D or -J name */
	char		 id[SPOOL_ID_MAX + 1];
	char		 subdir;
	char		 kind;		/* 'D' or 'J' */
};

struct wrcpt {				/* a recipient before interning */
	const char	*addr;
	uint32_t	 len;
	uint8_t		 state;
};

struct worker {
	const char	 *dir;
	const struct ent *ents;
	struct spool_msg *msgs;
	size_t		  from, to;
	int		  lock_probe;
	atomic_size_t	 *done;		/* progress, or NULL */
	char		 *buf;
	size_t		  cap;
	struct spool_hdr  h;
	struct arena	  arena;
	struct wrcpt	 *rcpts;
	size_t		  nrcpts, caprcpts;
	struct spool_str *set;		/* delivered: tree + -J lines */
	size_t		  nset, capset;
	char		 *jbuf;
	size_t		  jcap;
	pthread_t	  tid;
};

static int
fpath(char *buf, size_t len, const char *dir, const char *sub, char subdir,
    const char *id, const char *suffix)
{
	int n;

	if (subdir != '\0')
		n = snprintf(buf, len, "%s/%s/%c/%s%s", dir, sub, subdir, id,
		    suffix);
	else
		n = snprintf(buf, len, "%s/%s/%s%s", dir, sub, id, suffix);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
spool_path(const char *dir, const char *sub, const char *id,
    const char *suffix, char *path, size_t len)
{
	struct stat st;

	if (!spool_id_valid(id, strlen(id)))
		return -1;
	if (fpath(path, len, dir, sub, id[5], id, suffix) == 0 &&
	    stat(path, &st) == 0)
		return 0;
	if (fpath(path, len, dir, sub, '\0', id, suffix) == 0 &&
	    stat(path, &st) == 0)
		return 0;
	return -1;
}

/* Reads a whole regular file into *buf (grown as needed).  Returns the
 * length, or -1 with errno.  st may be NULL. */
static ssize_t
slurp(const char *path, char **buf, size_t *cap, size_t max, struct stat *st)
{
	struct stat sb;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) < 0)		/* a FIFO must not block us */
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (errno == 0 || S_ISREG(sb.st_mode) == 0)
			errno = EINVAL;
		close(fd);
		return -1;
	}
	if ((size_t)sb.st_size > max) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	if (st != NULL)
		*st = sb;
	xgrow(buf, cap, (size_t)sb.st_size + 1, 1);
	for (;;) {
		n = read(fd, *buf + len, *cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		len += (size_t)n;
		/* A regular file read short is at its end: one read(). */
		if (n == 0 || len < *cap)
			break;
		if (len >= max) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		xgrow(buf, cap, *cap + 1, 1);
	}
	close(fd);
	return (ssize_t)len;
}

/* Looks at the -D file: size and whether someone holds Exim's lock on its
 * first line.  Returns the size, or -1 if it is gone. */
static int64_t
probe_data(const char *path, size_t idlen, int lock_probe, int *locked)
{
	struct stat st;
	struct flock fl;
	int fd;

	*locked = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) < 0)		/* a FIFO must not block us */
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if (lock_probe) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = 0;
		fl.l_len = (off_t)(idlen + 3);
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			*locked = 1;
	}
	close(fd);
	return (int64_t)st.st_size;
}

static int
cmp_str(const void *a, const void *b)
{
	const struct spool_str *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Collects the delivered set (tree + -J lines) and sorts it when large. */
static void
build_set(struct worker *w, const char *jbuf, ssize_t jlen)
{
	const char *p, *e, *nl;
	size_t i;

	w->nset = 0;
	for (i = 0; i < w->h.ntree; i++) {
		xgrow(&w->set, &w->capset, w->nset + 1, sizeof(*w->set));
		w->set[w->nset++] = w->h.tree[i];
	}
	if (jlen > 0) {
		for (p = jbuf, e = jbuf + jlen; p < e; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
				nl = e;
			if (nl > p) {
				xgrow(&w->set, &w->capset, w->nset + 1,
				    sizeof(*w->set));
				w->set[w->nset].p = p;
				w->set[w->nset++].len = (size_t)(nl - p);
			}
		}
	}
	if (w->nset > 16)
		qsort(w->set, w->nset, sizeof(*w->set), cmp_str);
}

static int
in_set(const struct worker *w, struct spool_str a)
{
	size_t i;

	if (w->nset > 16)
		return bsearch(&a, w->set, w->nset, sizeof(*w->set),
		    cmp_str) != NULL;
	for (i = 0; i < w->nset; i++)
		if (w->set[i].len == a.len && memcmp(w->set[i].p, a.p,
		    a.len) == 0)
			return 1;
	return 0;
}

static void
mark_bad(struct worker *w, struct spool_msg *m, const char *why)
{
	m->flags |= MSG_F_BADFILE;
	m->bad = arena_strdup(&w->arena, why);
	m->sender = NULL;
	if (m->arrival == 0)
		m->arrival = spool_id_time(m->id);
}

static void
scan_one(struct worker *w, const struct ent *e, struct spool_msg *m)
{
	char path[4096], err[128];
	struct stat st;
	ssize_t len, jlen = -1;
	size_t i, idlen = strlen(e->id);
	int64_t dsize;
	int tries, locked;

	memset(m, 0, sizeof(*m));
	memcpy(m->id, e->id, sizeof(m->id));
	m->subdir = e->subdir;
	m->rcpt0 = (uint32_t)w->nrcpts;
	m->size = -1;
	if (fpath(path, sizeof(path), w->dir, "input", e->subdir, e->id,
	    "-H") < 0) {
		mark_bad(w, m, "path too long");
		return;
	}
	for (tries = 0; ; tries++) {
		len = slurp(path, &w->buf, &w->cap, MAX_HFILE, &st);
		if (len < 0) {
			if (errno == ENOENT) {
				m->id[0] = '\0';	/* delivered meanwhile */
				return;
			}
			snprintf(err, sizeof(err), "cannot read -H: %s",
			    strerror(errno));
			mark_bad(w, m, err);
			return;
		}
		m->h_ino = st.st_ino;
		m->h_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
		    st.st_mtim.tv_nsec;
		if (spool_parse_buf(w->buf, (size_t)len, e->id, &w->h, err,
		    sizeof(err)) == 0)
			break;
		/* Exim may have renamed a new -H into place: once more. */
		if (tries == 1) {
			mark_bad(w, m, err);
			break;
		}
	}
	if (!(m->flags & MSG_F_BADFILE)) {
		m->flags = w->h.flags;
		m->arrival = w->h.received;
		m->usec = w->h.usec > 0 ? w->h.usec : 0;
		m->warnings = w->h.warnings;
		m->frozen_at = w->h.frozen_at;
		m->sender = arena_strndup(&w->arena, w->h.sender.p,
		    w->h.sender.len);
		if (w->h.host_address.len > 0)
			m->host = arena_strndup(&w->arena,
			    w->h.host_address.p, w->h.host_address.len);
		if (e->has_j && fpath(path, sizeof(path), w->dir, "input",
		    e->subdir, e->id, "-J") == 0) {
			jlen = slurp(path, &w->jbuf, &w->jcap, MAX_HFILE, NULL);
			if (jlen >= 0)
				m->flags |= MSG_F_JOURNAL;
		}
		build_set(w, w->jbuf, jlen);
		for (i = 0; i < w->h.nrcpts; i++) {
			struct spool_str a = w->h.rcpts[i].addr;
			struct wrcpt *r;

			xgrow(&w->rcpts, &w->caprcpts, w->nrcpts + 1,
			    sizeof(*w->rcpts));
			r = &w->rcpts[w->nrcpts++];
			r->addr = arena_strndup(&w->arena, a.p, a.len);
			r->len = (uint32_t)a.len;
			r->state = in_set(w, a) ? RCPT_DELIVERED : RCPT_PENDING;
			if (r->state == RCPT_PENDING)
				m->npending++;
		}
		m->nrcpt = (uint32_t)w->h.nrcpts;
	}
	m->size = -1;
	if (fpath(path, sizeof(path), w->dir, "input", e->subdir, e->id,
	    "-D") == 0) {
		dsize = probe_data(path, idlen, w->lock_probe, &locked);
		if (dsize < 0)
			m->flags |= MSG_F_NODATA;
		else {
			if (!(m->flags & MSG_F_BADFILE))
				m->size = w->h.hdr_bytes + dsize -
				    (int64_t)(idlen + 3) + 1;
			if (locked)
				m->flags |= MSG_F_ACTIVE;
		}
	}
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	size_t i;

	for (i = w->from; i < w->to; i++) {
		scan_one(w, &w->ents[i], &w->msgs[i]);
		if (w->done != NULL && (i - w->from) % 256 == 255)
			atomic_fetch_add(w->done, 256);
	}
	if (w->done != NULL)
		atomic_fetch_add(w->done, (w->to - w->from) % 256);
	return NULL;
}

static int
is_subdir_name(const char *n)
{
	return n[0] != '\0' && n[1] == '\0' &&
	    ((n[0] >= '0' && n[0] <= '9') || (n[0] >= 'A' && n[0] <= 'Z') ||
	    (n[0] >= 'a' && n[0] <= 'z'));
}

struct listing {
	struct ent	*ents;
	size_t		 nents, capents;
	struct side	*sides;
	size_t		 nsides, capsides;
};

/* Lists one directory; sub is the split character or '\0'. */
static int
list_dir(const char *path, char sub, struct listing *l, char *subs,
    size_t *nsubs)
{
	DIR *d;
	struct dirent *de;
	size_t n;

	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;

		n = strlen(name);
		if (sub == '\0' && is_subdir_name(name)) {
			if (*nsubs < 62)
				subs[(*nsubs)++] = name[0];
			continue;
		}
		/* Exim's rule: an -H name of exactly 18 or 25 characters. */
		if ((n != 18 && n != 25) || name[n - 2] != '-' ||
		    !spool_id_valid(name, n - 2))
			continue;
		if (name[n - 1] == 'H') {
			xgrow(&l->ents, &l->capents, l->nents + 1,
			    sizeof(*l->ents));
			memset(&l->ents[l->nents], 0, sizeof(*l->ents));
			memcpy(l->ents[l->nents].id, name, n - 2);
			l->ents[l->nents++].subdir = sub;
		} else if (name[n - 1] == 'D' || name[n - 1] == 'J') {
			xgrow(&l->sides, &l->capsides, l->nsides + 1,
			    sizeof(*l->sides));
			memset(&l->sides[l->nsides], 0, sizeof(*l->sides));
			memcpy(l->sides[l->nsides].id, name, n - 2);
			l->sides[l->nsides].subdir = sub;
			l->sides[l->nsides++].kind = name[n - 1];
		}
	}
	closedir(d);
	return 0;
}

/* exim -bp order: the time field, then the sub-second part, then the
 * whole id (old and new ids sort among each other by time). */
static int
cmp_ent(const void *a, const void *b)
{
	const char *x = ((const struct ent *)a)->id;
	const char *y = ((const struct ent *)b)->id;
	const char *xs, *ys;
	int c;

	if ((c = memcmp(x, y, 6)) != 0)
		return c;
	xs = strrchr(x, '-');
	ys = strrchr(y, '-');
	if ((c = strcmp(xs, ys)) != 0)
		return c;
	return strcmp(x, y);
}

static uint64_t
hash_id(const char *id)
{
	return intern_hash(id, strlen(id));
}

/* Marks the ids that have a -J, counts -D files without -H that nobody
 * holds locked (orphans; a locked one is a message being received). */
static size_t
match_sides(const char *dir, struct listing *l, int lock_probe)
{
	size_t nslots = 64, i, j, mask, orphans = 0;
	uint32_t *slots;
	char path[4096];
	int locked;

	while (nslots < l->nents * 2)
		nslots *= 2;
	mask = nslots - 1;
	slots = xcalloc(nslots, sizeof(*slots));
	for (i = 0; i < l->nents; i++) {
		j = hash_id(l->ents[i].id) & mask;
		while (slots[j] != 0)
			j = (j + 1) & mask;
		slots[j] = (uint32_t)i + 1;
	}
	for (i = 0; i < l->nsides; i++) {
		struct side *s = &l->sides[i];
		struct ent *found = NULL;

		for (j = hash_id(s->id) & mask; slots[j] != 0;
		    j = (j + 1) & mask)
			if (strcmp(l->ents[slots[j] - 1].id, s->id) == 0) {
				found = &l->ents[slots[j] - 1];
				break;
			}
		if (s->kind == 'J' && found != NULL)
			found->has_j = 1;
		else if (s->kind == 'D' && found == NULL &&
		    fpath(path, sizeof(path), dir, "input", s->subdir, s->id,
		    "-D") == 0 &&
		    probe_data(path, strlen(s->id), lock_probe, &locked) >= 0 &&
		    !locked)
			orphans++;
	}
	free(slots);
	return orphans;
}

static int
ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

static void
merge(struct spool_snap *s, struct worker *w, int nw, size_t nents)
{
	size_t total = 0, base, i, k, o;
	int t;
	char dom[1024];

	for (t = 0; t < nw; t++)
		total += w[t].nrcpts;
	s->rcpts = xcalloc(total ? total : 1, sizeof(*s->rcpts));
	s->domains = intern_new();
	s->arenas = xcalloc((size_t)nw, sizeof(*s->arenas));
	s->narenas = (size_t)nw;
	base = 0;
	for (t = 0; t < nw; t++) {
		for (i = w[t].from; i < w[t].to; i++)
			s->msgs[i].rcpt0 += (uint32_t)base;
		for (k = 0; k < w[t].nrcpts; k++) {
			struct wrcpt *r = &w[t].rcpts[k];
			struct spool_rcpt *d = &s->rcpts[base + k];
			size_t dlen, n;
			const char *dp = text_addr_domain(r->addr, r->len,
			    &dlen);

			n = dlen < sizeof(dom) ? dlen : sizeof(dom) - 1;
			for (i = 0; i < n; i++)
				dom[i] = (dp[i] >= 'A' && dp[i] <= 'Z') ?
				    (char)(dp[i] + 32) : dp[i];
			d->addr = r->addr;
			d->state = r->state;
			d->domain = intern_add(s->domains, dom, n);
		}
		base += w[t].nrcpts;
		s->arenas[t] = w[t].arena;
	}
	s->nrcpts = total;
	/* Drop the messages that vanished between readdir and open. */
	for (i = o = 0; i < nents; i++) {
		struct spool_msg *m = &s->msgs[i];

		if (m->id[0] == '\0') {
			s->nvanished++;
			continue;
		}
		if (m->flags & MSG_F_BADFILE)
			s->nbad++;
		if (m->flags & MSG_F_ACTIVE)
			s->nactive++;
		if (m->flags & MSG_F_FROZEN)
			s->nfrozen++;
		if (m->subdir != '\0')
			s->split = 1;
		if (o != i)
			s->msgs[o] = *m;
		o++;
	}
	s->nmsgs = o;
}

/* The id hash behind spool_find(), built once per snapshot. */
static void
index_ids(struct spool_snap *s)
{
	size_t i, j, mask;

	s->nbyid = 64;
	while (s->nbyid < s->nmsgs * 2)
		s->nbyid *= 2;
	mask = s->nbyid - 1;
	s->byid = xcalloc(s->nbyid, sizeof(*s->byid));
	for (i = 0; i < s->nmsgs; i++) {
		for (j = hash_id(s->msgs[i].id) & mask; s->byid[j] != 0;
		    j = (j + 1) & mask)
			;
		s->byid[j] = (uint32_t)i + 1;
	}
}

/* Reads ents[0..n) with nw threads into a new snapshot. */
static struct spool_snap *
build(const char *dir, const struct ent *ents, size_t n, int nw,
    int lock_probe, atomic_size_t *done)
{
	struct spool_snap *s;
	struct worker *w;
	size_t per;
	int t;

	s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(dir);
	s->msgs = xcalloc(n ? n : 1, sizeof(*s->msgs));
	if ((size_t)nw > n / 256 + 1)
		nw = (int)(n / 256 + 1);
	w = xcalloc((size_t)nw, sizeof(*w));
	per = (n + (size_t)nw - 1) / (size_t)nw;
	for (t = 0; t < nw; t++) {
		w[t].dir = dir;
		w[t].ents = ents;
		w[t].msgs = s->msgs;
		w[t].from = per * (size_t)t < n ? per * (size_t)t : n;
		w[t].to = w[t].from + per < n ? w[t].from + per : n;
		w[t].lock_probe = lock_probe;
		w[t].done = done;
		spool_hdr_init(&w[t].h);
		arena_init(&w[t].arena);
	}
	for (t = 1; t < nw; t++)
		if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0)
			fatal("cannot start a scan thread");
	work(&w[0]);
	for (t = 1; t < nw; t++)
		pthread_join(w[t].tid, NULL);
	merge(s, w, nw, n);
	index_ids(s);
	for (t = 0; t < nw; t++) {
		free(w[t].buf);
		free(w[t].jbuf);
		free(w[t].rcpts);
		free(w[t].set);
		spool_hdr_done(&w[t].h);
	}
	free(w);
	return s;
}

/* Keeps only the listed messages named in ids[0..n). */
static void
keep_ids(struct listing *l, const char *const *ids, size_t n)
{
	size_t	 i, k, o = 0;

	for (i = 0; i < l->nents; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(l->ents[i].id, ids[k]) == 0)
				break;
		if (k < n)
			l->ents[o++] = l->ents[i];
	}
	l->nents = o;
}

struct spool_snap *
spool_scan(const char *dir, const struct spool_scan_opts *opts, char *err,
    size_t errlen)
{
	struct spool_snap *s, *part;
	struct listing l;
	struct timespec t0, t1;
	char path[4096], subs[62];
	size_t nsubs = 0, i, norphans;
	int nw, lock_probe = !(opts && opts->no_lock_probe);
	time_t start = time(NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&l, 0, sizeof(l));
	if (snprintf(path, sizeof(path), "%s/input", dir) >=
	    (int)sizeof(path) || list_dir(path, '\0', &l, subs, &nsubs) < 0) {
		snprintf(err, errlen, "cannot read spool %s/input: %s", dir,
		    strerror(errno));
		return NULL;
	}
	for (i = 0; i < nsubs; i++) {
		snprintf(path, sizeof(path), "%s/input/%c", dir, subs[i]);
		/* A file named like a subdirectory is no subdirectory. */
		(void)list_dir(path, subs[i], &l, subs, &nsubs);
	}
	if (opts != NULL && opts->ids != NULL)
		keep_ids(&l, opts->ids, opts->nids);
	if (l.nents > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(l.ents, l.nents, sizeof(*l.ents), cmp_ent);
	if (opts != NULL && opts->total != NULL)
		atomic_store(opts->total, l.nents);
	norphans = match_sides(dir, &l, lock_probe);
	nw = opts && opts->threads > 0 ? opts->threads : ncores();
	if (opts != NULL && opts->partial != NULL && opts->partial_n > 0 &&
	    l.nents > opts->partial_n) {
		/* The oldest partial_n first, as a snapshot of their own. */
		part = build(dir, l.ents, opts->partial_n, nw, lock_probe,
		    NULL);
		part->nlisted = l.nents;
		part->scan_start = start;
		opts->partial(opts->arg, part);
	}
	s = build(dir, l.ents, l.nents, nw, lock_probe,
	    opts != NULL ? opts->done : NULL);
	s->norphans = norphans;
	s->nlisted = l.nents;
	s->scan_start = start;
	free(l.ents);
	free(l.sides);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->scan_secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return s;
}

void
spool_snap_free(struct spool_snap *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->narenas; i++)
		arena_free(&s->arenas[i]);
	free(s->arenas);
	free(s->msgs);
	free(s->rcpts);
	free(s->byid);
	intern_free(s->domains);
	free(s->dir);
	free(s);
}

const struct spool_msg *
spool_find(const struct spool_snap *s, const char *id)
{
	size_t mask = s->nbyid - 1, j;

	if (s->nbyid == 0)
		return NULL;
	for (j = hash_id(id) & mask; s->byid[j] != 0; j = (j + 1) & mask)
		if (strcmp(s->msgs[s->byid[j] - 1].id, id) == 0)
			return &s->msgs[s->byid[j] - 1];
	return NULL;
}


const char *
spool_rcpt_domain(const struct spool_snap *s, const struct spool_rcpt *r)
{
	return intern_str(s->domains, r->domain);
}

/* The snapshot record of a message parsed into h, without recipients. */
static void
describe(const char *dir, const char *id, const struct spool_hdr *h,
    int journal, struct spool_msg *m)
{
	char path[4096];
	int64_t dsize;
	int locked;

	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->flags = h->flags | (journal ? MSG_F_JOURNAL : 0);
	m->arrival = h->received;
	m->usec = h->usec > 0 ? h->usec : 0;
	m->warnings = h->warnings;
	m->frozen_at = h->frozen_at;
	m->size = -1;
	if (spool_path(dir, "input", id, "-D", path, sizeof(path)) == 0 &&
	    (dsize = probe_data(path, strlen(id), 1, &locked)) >= 0) {
		m->size = h->hdr_bytes + dsize - (int64_t)(strlen(id) + 3) + 1;
		if (locked)
			m->flags |= MSG_F_ACTIVE;
	} else
		m->flags |= MSG_F_NODATA;
}

int
spool_load(const char *dir, const char *id, char **bufp, size_t *capp,
    struct spool_hdr *h, uint8_t **delivered, struct spool_msg *m,
    char *err, size_t errlen)
{
	struct worker w;
	char path[4096];
	ssize_t len, jlen = -1;
	size_t i;
	int tries;

	*delivered = NULL;
	if (!spool_id_valid(id, strlen(id))) {
		snprintf(err, errlen, "not a message id: %s", id);
		errno = EINVAL;
		return -1;
	}
	for (tries = 0; ; tries++) {
		if (spool_path(dir, "input", id, "-H", path, sizeof(path)) < 0) {
			snprintf(err, errlen, "message %s is not in the queue",
			    id);
			errno = ENOENT;
			return -1;
		}
		len = slurp(path, bufp, capp, MAX_HFILE, NULL);
		if (len < 0) {
			if (errno == ENOENT && tries == 0)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			return -1;
		}
		if (spool_parse_buf(*bufp, (size_t)len, id, h, err,
		    errlen) == 0)
			break;
		if (tries == 1)
			return -1;
	}
	memset(&w, 0, sizeof(w));
	w.h = *h;
	if (spool_path(dir, "input", id, "-J", path, sizeof(path)) == 0)
		jlen = slurp(path, &w.jbuf, &w.jcap, MAX_HFILE, NULL);
	build_set(&w, w.jbuf, jlen);
	*delivered = xcalloc(h->nrcpts ? h->nrcpts : 1, 1);
	for (i = 0; i < h->nrcpts; i++)
		(*delivered)[i] = in_set(&w, h->rcpts[i].addr) ?
		    RCPT_DELIVERED : RCPT_PENDING;
	/* The set points into jbuf: done with both. */
	free(w.set);
	free(w.jbuf);
	if (m != NULL)
		describe(dir, id, h, jlen >= 0, m);
	return 0;
}
