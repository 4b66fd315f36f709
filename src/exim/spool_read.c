/* spool_read.c -- read listed messages into compact records, on a few
 * threads over contiguous ranges (so the records keep their order).
 *
 * Per message, the floor: openat() of the -H relative to its directory,
 * read() until a short read (no fstat(): the listing said it is a
 * regular file), close(); one fstatat() of the -D for its size and
 * inode; the -J only where the listing saw one.  Strings go into the
 * reader's pool, recipient domains into its own intern table, renumbered
 * when the readers' work is put together. */
#include "spool_priv.h"
#include "base/mem.h"
#include "base/intern.h"
#include "base/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
dirfd_of(struct dirfds *d, const char *dir, int slot)
{
	char name[2] = { slot_dir(slot), '\0' };

	(void)dir;
	if (slot < 0 || slot >= SPOOL_NDIRS)
		return -1;
	if (slot == 0)
		return d->in;
	if (d->fd[slot] == 0)
		d->fd[slot] = openat(d->in, name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC) + 1;
	return d->fd[slot] - 1;
}

void
dirfds_close(struct dirfds *d)
{
	int i;

	for (i = 1; i < SPOOL_NDIRS; i++)
		if (d->fd[i] > 0)
			close(d->fd[i] - 1);
	if (d->in >= 0)
		close(d->in);
	memset(d, 0, sizeof(*d));
	d->in = -1;
}

struct wrk {
	int		  dfd[SPOOL_NDIRS];
	struct spool_msg *msgs;
	size_t		  from, to;
	atomic_size_t	 *done;
	const atomic_int *cancel;
	char		 *buf;
	size_t		  cap;
	struct spool_hdr  h;
	struct spool_pool pool;
	struct spool_rcpt *rc;
	size_t		  nrc, caprc;	/* caprc in bytes */
	struct intern	 *dom;
	struct spool_str *set, *jset;	/* the tree, the -J lines */
	size_t		  nset, capset, njset, capjset;
	char		 *jbuf;
	size_t		  jcap;
	pthread_t	  tid;
};

/* Reads file name in dfd until a short read.  Returns the length, or -1
 * with errno. */
static ssize_t
slurp_at(int dfd, const char *name, char **buf, size_t *cap)
{
	size_t len = 0;
	ssize_t n;
	int fd, e;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK | O_NOCTTY)) < 0)	/* a FIFO must not block us */
		return -1;
	if (*cap < 65536)
		xgrow(buf, cap, 65536, 1);
	for (;;) {
		n = read(fd, *buf + len, *cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		len += (size_t)n;
		/* A regular file read short is at its end. */
		if (len < *cap)
			break;
		if (len >= MAX_HFILE) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		xgrow(buf, cap, *cap + 1, 1);
	}
	close(fd);
	return (ssize_t)len;
}

static int
cmp_str(const void *a, const void *b)
{
	const struct spool_str *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* name = id "-" suffix (room: SPOOL_ID_MAX + 3); ids are short and
 * valid, and this runs three times a message. */
static void
file_name(char *name, const char *id, char suffix)
{
	size_t n = strnlen(id, SPOOL_ID_MAX);

	memcpy(name, id, n);
	name[n] = '-';
	name[n + 1] = suffix;
	name[n + 2] = '\0';
}

/* A set of addresses: the tree (h, may be NULL) and the -J lines,
 * sorted when large. */
static void
build_set(struct spool_str **set, size_t *nset, size_t *capset,
    const struct spool_hdr *h, const char *jbuf, ssize_t jlen)
{
	const char *p, *e, *nl;
	size_t i;

	*nset = 0;
	for (i = 0; h != NULL && i < h->ntree; i++) {
		xgrow(set, capset, *nset + 1, sizeof(**set));
		(*set)[(*nset)++] = h->tree[i];
	}
	if (jbuf == NULL)
		jlen = 0;
	for (p = jbuf, e = p != NULL ? p + (jlen > 0 ? jlen : 0) : p; p < e;
	    p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		if (nl > p) {
			xgrow(set, capset, *nset + 1, sizeof(**set));
			(*set)[*nset].p = p;
			(*set)[(*nset)++].len = (size_t)(nl - p);
		}
	}
	if (*nset > 16)
		qsort(*set, *nset, sizeof(**set), cmp_str);
}

static int
in_set(const struct spool_str *set, size_t nset, const char *p, size_t len)
{
	struct spool_str a = { p, len };
	size_t i;

	if (nset > 16)
		return bsearch(&a, set, nset, sizeof(*set), cmp_str) != NULL;
	for (i = 0; i < nset; i++)
		if (set[i].len == len && memcmp(set[i].p, p, len) == 0)
			return 1;
	return 0;
}

int
rejournal(int dfd, struct spool_msg *m, struct spool_rcpt *rc,
    const struct intern *doms, char **buf, size_t *cap)
{
	char ab[SPOOL_ADDR_BUF];
	const char *a;
	char name[SPOOL_ID_MAX + 3];
	struct spool_str *set = NULL;
	size_t nset = 0, capset = 0, j;
	ssize_t jlen;

	file_name(name, m->id, 'J');
	jlen = slurp_at(dfd, name, buf, cap);
	build_set(&set, &nset, &capset, NULL, *buf, jlen);
	m->npending = 0;
	for (j = 0; j < m->nrcpt; j++) {
		a = rcpt_join(doms, &rc[j], ab);
		rc[j].state = rc[j].intree || in_set(set, nset, a,
		    strlen(a)) ? RCPT_DELIVERED : RCPT_PENDING;
		if (rc[j].state == RCPT_PENDING)
			m->npending++;
	}
	free(set);
	if (jlen >= 0)
		m->flags |= MSG_F_JOURNAL;
	else
		m->flags &= ~(unsigned)MSG_F_JOURNAL;
	return jlen >= 0;
}

/* The record's arrival, usec and warning count from a parsed -H, each
 * held to what its field can keep. */
static void
hdr_times(struct spool_msg *m, const struct spool_hdr *h)
{
	m->arrival = spool_secs(h->received);
	m->usec = h->usec > 0 && h->usec < 1000000 ? (uint32_t)h->usec : 0;
	m->warnings = (uint16_t)(h->warnings < 0 ? 0 : h->warnings >
	    SPOOL_WARNINGS_MAX ? SPOOL_WARNINGS_MAX : h->warnings);
}

static void
mark_bad(struct wrk *w, struct spool_msg *m, const char *why)
{
	m->flags |= MSG_F_BADFILE;
	m->text = pool_str(&w->pool, why, strlen(why));
	m->host = NULL;
	if (m->arrival == 0)
		m->arrival = spool_secs(spool_id_time(m->id));
}

/* Recipient r from addr[0..len): its domain lower-cased and numbered in
 * w->dom; only its local part stored where joining that with "@" and
 * the domain's name gives addr again and fits SPOOL_ADDR_BUF. */
static void
rcpt_of(struct wrk *w, struct spool_rcpt *r, const char *addr, size_t len)
{
	char dom[1024];
	size_t dlen, n, i, lp;
	const char *dp = text_addr_domain(addr, len, &dlen);
	int same;

	n = dlen < sizeof(dom) ? dlen : sizeof(dom) - 1;
	same = n == dlen;
	for (i = 0; i < n; i++) {
		dom[i] = (dp[i] >= 'A' && dp[i] <= 'Z') ? (char)(dp[i] + 32) :
		    dp[i];
		same &= dom[i] == dp[i] && dp[i] != '\0';
	}
	r->domain = intern_add(w->dom, dom, n);
	lp = dp > addr ? (size_t)(dp - addr) - 1 : 0;
	r->local = same && dlen > 0 && len < SPOOL_ADDR_BUF &&
	    memchr(addr, '\0', lp) == NULL;
	r->part = pool_str(&w->pool, addr, r->local ? lp : len);
}

/* Reads one listed message into m (which holds what the listing saw:
 * id, subdir, inodes, MSG_F_JOURNAL for a -J seen, MSG_F_BADFILE for a
 * name that is no regular file). */
static void
read_one(struct wrk *w, struct spool_msg *m)
{
	char name[SPOOL_ID_MAX + 3], err[128];
	int dfd = w->dfd[m->subdir ? dir_slot(m->subdir) : 0];
	size_t i, idlen = strlen(m->id);
	int tries, listed_j = (m->flags & MSG_F_JOURNAL) != 0;
	ssize_t len, jlen = -1;
	struct stat st;

	m->rcpt0 = (uint32_t)w->nrc;
	m->size = -1;
	m->flags &= MSG_F_BADFILE;
	if (m->flags & MSG_F_BADFILE) {
		m->arrival = spool_secs(spool_id_time(m->id));
		goto data;
	}
	if (dfd < 0) {
		mark_bad(w, m, "cannot open its directory");
		return;
	}
	file_name(name, m->id, 'H');
	for (tries = 0; ; tries++) {
		len = slurp_at(dfd, name, &w->buf, &w->cap);
		if (len < 0) {
			if (errno == ENOENT) {
				m->id[0] = '\0';	/* delivered since */
				return;
			}
			snprintf(err, sizeof(err), "cannot read -H: %s",
			    strerror(errno));
			mark_bad(w, m, err);
			break;
		}
		if (spool_parse_buf(w->buf, (size_t)len, m->id, &w->h, err,
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
		hdr_times(m, &w->h);
		m->text = pool_str(&w->pool, w->h.sender.p, w->h.sender.len);
		if (w->h.host_address.len > 0) {
			struct spool_str ip = spool_host_ip(w->h.host_address);

			m->host = pool_str(&w->pool, ip.p, ip.len);
		}
		if (listed_j) {
			name[idlen + 1] = 'J';
			jlen = slurp_at(dfd, name, &w->jbuf, &w->jcap);
			if (jlen >= 0)
				m->flags |= MSG_F_JOURNAL;
		}
		build_set(&w->set, &w->nset, &w->capset, &w->h, NULL, -1);
		build_set(&w->jset, &w->njset, &w->capjset, NULL, w->jbuf,
		    jlen);
		w->rc = big_grow(w->rc, &w->caprc, (w->nrc + w->h.nrcpts) *
		    sizeof(*w->rc));
		for (i = 0; i < w->h.nrcpts; i++) {
			struct spool_str a = w->h.rcpts[i].addr;
			struct spool_rcpt *r = &w->rc[w->nrc++];

			rcpt_of(w, r, a.p, a.len);
			r->intree = (uint8_t)in_set(w->set, w->nset, a.p,
			    a.len);
			r->state = r->intree || in_set(w->jset, w->njset, a.p,
			    a.len) ? RCPT_DELIVERED : RCPT_PENDING;
			if (r->state == RCPT_PENDING)
				m->npending++;
		}
		m->nrcpt = (uint32_t)w->h.nrcpts;
	}
data:
	file_name(name, m->id, 'D');
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    S_ISLNK(st.st_mode)) {
		m->flags |= MSG_F_NODATA;
		m->d_ino = 0;
		return;
	}
	m->d_ino = spool_ino(st.st_ino);
	if (!(m->flags & MSG_F_BADFILE))
		m->size = w->h.hdr_bytes + (int64_t)st.st_size -
		    (int64_t)(idlen + 3) + 1;
}

static void *
work(void *arg)
{
	struct wrk *w = arg;
	size_t i;

	for (i = w->from; i < w->to; i++) {
		read_one(w, &w->msgs[i]);
		if ((i - w->from) % 256 != 255)
			continue;
		if (w->done != NULL)
			atomic_fetch_add(w->done, 256);
		if (w->cancel != NULL && atomic_load(w->cancel))
			return NULL;	/* the rest stays unread */
	}
	if (w->done != NULL)
		atomic_fetch_add(w->done, (w->to - w->from) % 256);
	return NULL;
}

/* The readers' recipients into one array (the first reader's, grown in
 * place), their domains renumbered in order of first sight. */
static void
gather(struct wrk *w, int nw, struct readout *out)
{
	size_t total = 0, base = 0, i, k;
	uint32_t *map;
	int t;

	for (t = 0; t < nw; t++)
		total += w[t].nrc;
	out->dom = intern_new();
	out->rcpts = w[0].rc;
	out->rcpts_cap = w[0].caprc;
	out->rcpts = big_grow(out->rcpts, &out->rcpts_cap,
	    (total ? total : 1) * sizeof(*out->rcpts));
	out->pools = xcalloc((size_t)nw, sizeof(*out->pools));
	out->npools = (size_t)nw;
	for (t = 0; t < nw; t++) {
		uint32_t nd = intern_count(w[t].dom);

		map = xcalloc(nd + 1, sizeof(*map));
		for (k = 0; k < nd; k++) {
			const char *d = intern_str(w[t].dom, (uint32_t)k);

			map[k] = intern_add(out->dom, d, strlen(d));
		}
		if (t > 0 && w[t].nrc > 0)
			memcpy(out->rcpts + base, w[t].rc, w[t].nrc *
			    sizeof(*w[t].rc));
		if (t > 0)
			big_free(w[t].rc, w[t].caprc);
		for (k = 0; k < w[t].nrc; k++)
			out->rcpts[base + k].domain =
			    map[out->rcpts[base + k].domain];
		for (i = w[t].from; i < w[t].to; i++)
			out->msgs[i].rcpt0 += (uint32_t)base;
		base += w[t].nrc;
		free(map);
		intern_free(w[t].dom);
		pool_uncache(&w[t].pool);
		out->pools[t] = w[t].pool;
	}
	out->nrcpts = total;
}

static int
ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

void
read_msgs(const char *dir, struct dirfds *dfs, int threads,
    atomic_size_t *done, const atomic_int *cancel, struct readout *out)
{
	struct wrk *w;
	size_t per, i, n = out->n;
	int t, s, nw = threads > 0 ? threads : ncores();
	int fds[SPOOL_NDIRS];

	for (s = 0; s < SPOOL_NDIRS; s++)
		fds[s] = -1;
	/* Every directory open before the threads start. */
	for (i = 0; i < n; i++) {
		s = out->msgs[i].subdir ? dir_slot(out->msgs[i].subdir) : 0;
		if (fds[s] == -1)
			fds[s] = dirfd_of(dfs, dir, s);
	}
	if ((size_t)nw > n / 256 + 1)
		nw = (int)(n / 256 + 1);
	w = xcalloc((size_t)nw, sizeof(*w));
	per = (n + (size_t)nw - 1) / (size_t)nw;
	for (t = 0; t < nw; t++) {
		memcpy(w[t].dfd, fds, sizeof(fds));
		w[t].msgs = out->msgs;
		w[t].from = per * (size_t)t < n ? per * (size_t)t : n;
		w[t].to = w[t].from + per < n ? w[t].from + per : n;
		w[t].done = done;
		w[t].cancel = cancel;
		w[t].dom = intern_new();
		spool_hdr_init(&w[t].h);
		pool_init(&w[t].pool);
		w[t].rc = big_grow(NULL, &w[t].caprc, sizeof(*w[t].rc));
	}
	for (t = 1; t < nw; t++)
		if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0)
			fatal("cannot start a scan thread");
	work(&w[0]);
	for (t = 1; t < nw; t++)
		pthread_join(w[t].tid, NULL);
	gather(w, nw, out);
	for (t = 0; t < nw; t++) {
		free(w[t].buf);
		free(w[t].jbuf);
		free(w[t].set);
		free(w[t].jset);
		spool_hdr_done(&w[t].h);
	}
	free(w);
}

void
readout_free(struct readout *r)
{
	size_t i;

	big_free(r->msgs, r->msgs_cap);
	big_free(r->rcpts, r->rcpts_cap);
	intern_free(r->dom);
	for (i = 0; i < r->npools; i++)
		pool_free(&r->pools[i]);
	free(r->pools);
	memset(r, 0, sizeof(*r));
}

/* ---- One message, for display ---- */

/* Reads a whole regular file into *buf (grown as needed).  Returns the
 * length, or -1 with errno. */
static ssize_t
slurp(const char *path, char **buf, size_t *cap)
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
	if ((size_t)sb.st_size > MAX_HFILE) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
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
		if (n == 0 || len < *cap)
			break;
		if (len >= MAX_HFILE) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		xgrow(buf, cap, *cap + 1, 1);
	}
	close(fd);
	return (ssize_t)len;
}

/* The snapshot record of a message parsed into h, without recipients. */
static void
describe(const char *dir, const char *id, const struct spool_hdr *h,
    int journal, struct spool_msg *m)
{
	char path[4096];
	struct stat st;

	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->flags = h->flags | (journal ? MSG_F_JOURNAL : 0);
	hdr_times(m, h);
	m->size = -1;
	if (spool_path(dir, "input", id, "-D", path, sizeof(path)) == 0 &&
	    lstat(path, &st) == 0 && !S_ISLNK(st.st_mode)) {
		int dfd;

		m->size = h->hdr_bytes + (int64_t)st.st_size -
		    (int64_t)(strlen(id) + 3) + 1;
		m->d_ino = spool_ino(st.st_ino);
		*strrchr(path, '/') = '\0';
		if ((dfd = open(path, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) >= 0) {
			if (lock_probe(dfd, id))
				m->flags |= MSG_F_ACTIVE;
			close(dfd);
		}
	} else
		m->flags |= MSG_F_NODATA;
}

int
spool_load(const char *dir, const char *id, char **bufp, size_t *capp,
    struct spool_hdr *h, uint8_t **delivered, struct spool_msg *m,
    char *err, size_t errlen)
{
	struct spool_str *set = NULL;
	char path[4096], *jbuf = NULL;
	size_t i, nset = 0, capset = 0, jcap = 0;
	ssize_t len, jlen = -1;
	int tries;

	*delivered = NULL;
	if (!spool_id_valid(id, strlen(id))) {
		snprintf(err, errlen, "not a message id: %s", id);
		errno = EINVAL;
		return -1;
	}
	for (tries = 0; ; tries++) {
		if (spool_path(dir, "input", id, "-H", path,
		    sizeof(path)) < 0) {
			snprintf(err, errlen, "message %s is not in the queue",
			    id);
			errno = ENOENT;
			return -1;
		}
		len = slurp(path, bufp, capp);
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
	if (spool_path(dir, "input", id, "-J", path, sizeof(path)) == 0)
		jlen = slurp(path, &jbuf, &jcap);
	build_set(&set, &nset, &capset, h, jbuf, jlen);
	*delivered = xcalloc(h->nrcpts ? h->nrcpts : 1, 1);
	for (i = 0; i < h->nrcpts; i++)
		(*delivered)[i] = in_set(set, nset, h->rcpts[i].addr.p,
		    h->rcpts[i].addr.len) ? RCPT_DELIVERED : RCPT_PENDING;
	/* The set points into jbuf: done with both. */
	free(set);
	free(jbuf);
	if (m != NULL)
		describe(dir, id, h, jlen >= 0, m);
	return 0;
}
