/* spool_scan.c -- a snapshot of the whole queue: list input/ and its
 * one-character subdirectories (several at once), sort the names as
 * exim -bp does, read the messages (spool_read.c), then the lock state
 * of every -D from one read of /proc/locks.  A first, partial snapshot
 * can be handed over from the first directories listed, before the rest
 * is even listed.  No lock is ever taken and nothing is ever written
 * (exim-spool.md section 5). */
#include "spool_priv.h"
#include "base/mem.h"
#include "base/intern.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The records are the bulk of a snapshot (README, memory). */
_Static_assert(sizeof(struct spool_msg) == 80, "a message record is 80 bytes");
_Static_assert(sizeof(struct spool_rcpt) == 12, "a recipient is 12 bytes");

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

void
lent_record(const struct lent *e, struct spool_msg *m)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->id, e->id, sizeof(m->id));
	m->subdir = e->sub;
	m->h_ino = e->h_ino;
	m->d_ino = e->d_ino;
	m->size = -1;
	if (e->has_j)
		m->flags |= MSG_F_JOURNAL;
	/* readdir() said what it is: no need to open a FIFO or follow a
	 * symlink to know it is no spool file. */
	if (e->dtype != DT_REG && e->dtype != DT_UNKNOWN) {
		m->flags = MSG_F_BADFILE;
		m->text = e->dtype == DT_LNK ?
		    "cannot read -H: a symbolic link" :
		    e->dtype == DT_DIR ? "cannot read -H: a directory" :
		    "cannot read -H: not a regular file";
	}
}

/* ---- The snapshot's own parts ---- */

/* The first slot of id in a table of n slots (any n, by multiplying
 * rather than masking: the table is 1.25 times the messages). */
static size_t
id_slot(const char *id, size_t n)
{
	return (size_t)(((spool_hash(id, strlen(id)) >> 32) * (uint64_t)n) >>
	    32);
}

void
snap_finish(struct spool_snap *s)
{
	size_t i, j;

	s->nbad = s->nfrozen = 0;
	s->split = 0;
	for (i = 0; i < s->nmsgs; i++) {
		const struct spool_msg *m = &s->msgs[i];

		if (m->flags & MSG_F_BADFILE)
			s->nbad++;
		if (m->flags & MSG_F_FROZEN)
			s->nfrozen++;
		if (m->subdir != '\0')
			s->split = 1;
	}
	free(s->byid);
	s->nbyid = s->nmsgs + s->nmsgs / 4 + 16;
	s->byid = xcalloc(s->nbyid, sizeof(*s->byid));
	for (i = 0; i < s->nmsgs; i++) {
		for (j = id_slot(s->msgs[i].id, s->nbyid); s->byid[j] != 0;
		    j = j + 1 == s->nbyid ? 0 : j + 1)
			;
		s->byid[j] = (uint32_t)i + 1;
	}
}

static int
held(struct spool_snap *s, struct dirfds *dfs, const struct locktab *lt,
    const char *id, char sub, uint32_t ino)
{
	int h = lt != NULL ? locktab_held(lt, s->priv->dev, ino,
	    (off_t)(strlen(id) + 3)) : -1;

	if (h < 0)
		h = lock_probe(dirfd_of(dfs, s->dir, sub ? dir_slot(sub) : 0),
		    id);
	return h;
}

size_t
snap_locks(struct spool_snap *s, struct dirfds *dfs, const struct locktab *lt)
{
	size_t i, changed = 0;

	s->nactive = 0;
	for (i = 0; i < s->nmsgs; i++) {
		struct spool_msg *m = &s->msgs[i];
		unsigned was = m->flags & MSG_F_ACTIVE;

		m->flags &= ~(unsigned)MSG_F_ACTIVE;
		if (m->d_ino != 0 && !(m->flags & MSG_F_NODATA) &&
		    held(s, dfs, lt, m->id, m->subdir, m->d_ino))
			m->flags |= MSG_F_ACTIVE;
		if ((m->flags & MSG_F_ACTIVE) != was)
			changed++;
		if (m->flags & MSG_F_ACTIVE)
			s->nactive++;
	}
	/* A -D nobody holds and no -H: left over, Exim never lists it; a
	 * locked one is a message being received. */
	s->norphans = 0;
	for (i = 0; i < s->priv->norph; i++) {
		const struct orphan *o = &s->priv->orph[i];

		if (!held(s, dfs, lt, o->id, o->sub, spool_ino(o->ino)))
			s->norphans++;
	}
	return changed;
}

/* Counts the locks as not held (no_lock_probe): every -D without -H is
 * an orphan. */
static void
no_locks(struct spool_snap *s)
{
	size_t i;

	s->nactive = 0;
	for (i = 0; i < s->nmsgs; i++)
		s->msgs[i].flags &= ~(unsigned)MSG_F_ACTIVE;
	s->norphans = s->priv->norph;
}

void
spool_snap_free(struct spool_snap *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->priv != NULL) {
		for (i = 0; i < s->priv->nsets; i++)
			pool_set_drop(s->priv->sets[i]);
		free(s->priv->sets);
		big_free(s->msgs, s->priv->msgs_cap);
		big_free(s->rcpts, s->priv->rcpts_cap);
		free(s->priv->orph);
		free(s->priv);
	}
	free(s->byid);
	intern_free(s->domains);
	free(s->dir);
	free(s);
}

size_t
spool_snap_bytes(const struct spool_snap *s)
{
	size_t n, i;

	if (s == NULL)
		return 0;
	n = sizeof(*s) + s->nbyid * sizeof(*s->byid);
	if (s->priv != NULL) {
		n += s->priv->msgs_cap + s->priv->rcpts_cap +
		    s->priv->caporph * sizeof(*s->priv->orph);
		for (i = 0; i < s->priv->nsets; i++)
			n += pool_set_bytes(s->priv->sets[i]);
	}
	return n;
}

const struct spool_msg *
spool_find(const struct spool_snap *s, const char *id)
{
	size_t j;

	if (s->nbyid == 0)
		return NULL;
	for (j = id_slot(id, s->nbyid); s->byid[j] != 0;
	    j = j + 1 == s->nbyid ? 0 : j + 1)
		if (strcmp(s->msgs[s->byid[j] - 1].id, id) == 0)
			return &s->msgs[s->byid[j] - 1];
	return NULL;
}

const struct spool_msg *
spool_walk_find(struct spool_walk *w, const char *id)
{
	const struct spool_snap *s = w->snap;

	struct idkey k;
	int keyed = 0;

	/* As a rule the next one is it: no order key computed. */
	while (w->at < s->nmsgs) {
		const char *x = s->msgs[w->at].id;
		struct idkey kx;

		if (strcmp(x, id) == 0)
			return &s->msgs[w->at++];
		if (!keyed) {
			id_key(id, &k);
			keyed = 1;
		}
		id_key(x, &kx);
		if (id_key_cmp(&kx, x, &k, id) > 0)
			break;
		w->at++;
	}
	return spool_find(s, id);
}

const char *
spool_rcpt_domain(const struct spool_snap *s, const struct spool_rcpt *r)
{
	return intern_str(s->domains, r->domain);
}

const char *
rcpt_join(const struct intern *doms, const struct spool_rcpt *r,
    char buf[SPOOL_ADDR_BUF])
{
	const char *d;
	size_t lp, dl;

	if (!r->local)
		return r->part;
	/* The reader stores the local part only where the address fits
	 * (held to it all the same). */
	d = intern_str(doms, r->domain);
	lp = strlen(r->part);
	dl = strlen(d);
	if (lp > SPOOL_ADDR_BUF - 2)
		lp = SPOOL_ADDR_BUF - 2;
	if (dl > SPOOL_ADDR_BUF - 2 - lp)
		dl = SPOOL_ADDR_BUF - 2 - lp;
	memcpy(buf, r->part, lp);
	buf[lp] = '@';
	memcpy(buf + lp + 1, d, dl);
	buf[lp + 1 + dl] = '\0';
	return buf;
}

const char *
spool_rcpt_addr(const struct spool_snap *s, const struct spool_rcpt *r,
    char buf[SPOOL_ADDR_BUF])
{
	return rcpt_join(s->domains, r, buf);
}

/* ---- Listing, on several threads ---- */

struct lister {
	struct dirfds	*dfs;
	const int	*slots;		/* to list */
	size_t		 nslots;
	atomic_size_t	*next;
	struct lvec	 l;
	struct spool_dirstate *ds;	/* by slot, shared: one writer each */
	pthread_t	 tid;
};

static void *
lister(void *arg)
{
	struct lister *ls = arg;
	size_t k;

	while ((k = atomic_fetch_add(ls->next, 1)) < ls->nslots) {
		int slot = ls->slots[k];

		/* A file named like a subdirectory is no subdirectory. */
		(void)list_dir(ls->dfs->fd[slot] - 1, slot, &ls->l, NULL,
		    &ls->ds[slot]);
	}
	return NULL;
}

/* Appends src's entries and orphans to dst. */
static void
lvec_take(struct lvec *dst, struct lvec *src)
{
	if (src->n > 0) {
		dst->v = big_grow(dst->v, &dst->cap, (dst->n + src->n) *
		    sizeof(*dst->v));
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
		dst->n += src->n;
	}
	if (src->no > 0) {
		xgrow(&dst->o, &dst->capo, dst->no + src->no, sizeof(*dst->o));
		memcpy(dst->o + dst->no, src->o, src->no * sizeof(*src->o));
		dst->no += src->no;
	}
	lvec_free(src);
}

/* Lists slots[0..n) into l, with nw threads. */
void
list_dirs(struct dirfds *dfs, const char *dir, const int *slots, size_t n,
    int nw, struct lvec *l, struct spool_dirstate *ds,
    struct spool_watch *w)
{
	struct lister *ls;
	atomic_size_t next = 0;
	size_t k;
	int t;

	for (k = 0; k < n; k++) {
		/* Watched before it is listed: no change can slip by. */
		watch_add(w, dfs->in, slots[k]);
		(void)dirfd_of(dfs, dir, slots[k]);
	}
	if (nw < 1)
		nw = 1;
	if ((size_t)nw > n)
		nw = n > 0 ? (int)n : 1;
	ls = xcalloc((size_t)nw, sizeof(*ls));
	for (t = 0; t < nw; t++) {
		ls[t].dfs = dfs;
		ls[t].slots = slots;
		ls[t].nslots = n;
		ls[t].next = &next;
		ls[t].ds = ds;
	}
	for (t = 1; t < nw; t++)
		if (pthread_create(&ls[t].tid, NULL, lister, &ls[t]) != 0)
			fatal("cannot start a scan thread");
	lister(&ls[0]);
	for (t = 1; t < nw; t++)
		pthread_join(ls[t].tid, NULL);
	for (t = 0; t < nw; t++)
		lvec_take(l, &ls[t].l);
	free(ls);
}

static int
ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* A snapshot of the sorted entries l->v[0..n); with drop, l's entries
 * are freed once they are records (its orphans stay). */
static struct spool_snap *
build(const char *dir, struct dirfds *dfs, struct lvec *l, size_t n,
    int ids_only, int threads, atomic_size_t *done, const atomic_int *cancel,
    int drop)
{
	struct spool_snap *s = xcalloc(1, sizeof(*s));
	struct readout ro;
	size_t i, o;

	s->dir = xstrdup(dir);
	s->priv = xcalloc(1, sizeof(*s->priv));
	memset(&ro, 0, sizeof(ro));
	ro.n = n;
	ro.msgs = big_grow(NULL, &ro.msgs_cap, (n ? n : 1) * sizeof(*ro.msgs));
	for (i = 0; i < n; i++) {
		lent_record(&l->v[i], &ro.msgs[i]);
		/* The entries become records: give back what is done. */
		if (drop && i % 16384 == 16383)
			(void)madvise(l->v, (i + 1) * sizeof(*l->v) / 4096 *
			    4096, MADV_DONTNEED);
	}
	if (drop) {
		big_free(l->v, l->cap);
		l->v = NULL;
		l->n = l->cap = 0;
	}
	if (ids_only) {
		for (i = 0; i < n; i++) {
			ro.msgs[i].arrival = spool_secs(spool_id_time(
			    ro.msgs[i].id));
			ro.msgs[i].flags &= MSG_F_BADFILE;
		}
		ro.dom = intern_new();
		ro.rcpts = big_grow(NULL, &ro.rcpts_cap, sizeof(*ro.rcpts));
		s->priv->ids_only = 1;
	} else
		read_msgs(dir, dfs, threads, done, cancel, &ro);
	/* Drop the messages that vanished between readdir and open. */
	for (i = o = 0; i < n; i++) {
		if (ro.msgs[i].id[0] == '\0') {
			s->nvanished++;
			continue;
		}
		if (o != i)
			ro.msgs[o] = ro.msgs[i];
		o++;
	}
	s->msgs = ro.msgs;
	s->nmsgs = o;
	s->priv->msgs_cap = ro.msgs_cap;
	s->rcpts = ro.rcpts;
	s->nrcpts = ro.nrcpts;
	s->priv->rcpts_cap = ro.rcpts_cap;
	s->domains = ro.dom;
	s->priv->sets = xcalloc(1, sizeof(*s->priv->sets));
	s->priv->sets[0] = pool_set_new(ro.pools, ro.npools);
	s->priv->nsets = 1;
	ro.pools = NULL;
	ro.npools = 0;
	s->nread = n;
	return s;
}

/* Keeps only the listed messages named in ids[0..n). */
static void
keep_ids(struct lvec *l, const char *const *ids, size_t n)
{
	size_t i, k, o = 0;

	for (i = 0; i < l->n; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(l->v[i].id, ids[k]) == 0)
				break;
		if (k < n)
			l->v[o++] = l->v[i];
	}
	l->n = o;
}

/* The lock state and totals; orphans from l. */
void
snap_settle(struct spool_snap *s, struct dirfds *dfs, struct lvec *l,
    int lock_probe)
{
	struct locktab *lt;

	s->priv->orph = l->o;
	s->priv->norph = l->no;
	s->priv->caporph = l->capo;
	l->o = NULL;
	l->no = l->capo = 0;
	if (!lock_probe || s->priv->ids_only)
		no_locks(s);
	else {
		lt = locktab_read();
		(void)snap_locks(s, dfs, lt);
		locktab_free(lt);
	}
	snap_finish(s);
}

/* The first screen: the oldest partial_n of what is listed so far. */
static void
partial(const struct spool_scan_opts *o, const char *dir, struct dirfds *dfs,
    const struct lvec *l, int lock_probe, time_t start, dev_t dev)
{
	struct lvec c;
	struct spool_snap *p;
	size_t cap = 0;
	int nw = o->threads > 0 ? o->threads : ncores();

	memset(&c, 0, sizeof(c));
	c.v = big_grow(NULL, &cap, l->n * sizeof(*c.v));
	c.cap = cap;
	memcpy(c.v, l->v, l->n * sizeof(*c.v));
	c.n = l->n;
	lvec_sort(&c, nw);
	p = build(dir, dfs, &c, o->partial_n < c.n ? o->partial_n : c.n, 0,
	    nw, NULL, NULL, 1);
	p->priv->dev = dev;
	snap_settle(p, dfs, &c, lock_probe);
	p->priv->norph = 0;
	p->norphans = 0;
	p->nlisted = l->n;
	p->scan_start = start;
	lvec_free(&c);
	o->partial(o->arg, p);
}

int
open_input(const char *dir, struct dirfds *dfs, dev_t *dev, char *err,
    size_t errlen)
{
	char path[4096];
	struct stat st;

	memset(dfs, 0, sizeof(*dfs));
	dfs->in = -1;
	if (snprintf(path, sizeof(path), "%s/input", dir) >=
	    (int)sizeof(path) || (dfs->in = open(path, O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(dfs->in, &st) < 0) {
		snprintf(err, errlen, "cannot read spool %s/input: %s", dir,
		    strerror(errno));
		if (dfs->in >= 0)
			close(dfs->in);
		dfs->in = -1;
		return -1;
	}
	*dev = st.st_dev;
	return 0;
}

struct spool_snap *
spool_scan(const char *dir, const struct spool_scan_opts *opts, char *err,
    size_t errlen)
{
	static const struct spool_scan_opts none;
	const struct spool_scan_opts *o = opts != NULL ? opts : &none;
	struct spool_dirstate ds[SPOOL_NDIRS];
	struct spool_snap *s;
	struct dirfds dfs;
	struct lvec l;
	struct timespec t0, t1;
	uint64_t subs = 0;
	int slots[SPOOL_NDIRS], nw = o->threads > 0 ? o->threads : ncores();
	size_t nslots = 0, k = 0, n;
	int lock_probe = !o->no_lock_probe, i;
	time_t start = time(NULL);
	dev_t dev;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&l, 0, sizeof(l));
	memset(ds, 0, sizeof(ds));
	if (open_input(dir, &dfs, &dev, err, errlen) < 0)
		return NULL;
	watch_arm(o->watch, dfs.in, 0);
	if (list_dir(dfs.in, 0, &l, &subs, &ds[0]) < 0) {
		snprintf(err, errlen, "cannot read spool %s/input: %s", dir,
		    strerror(errno));
		dirfds_close(&dfs);
		return NULL;
	}
	for (i = 1; i < SPOOL_NDIRS; i++)
		if (subs & ((uint64_t)1 << i))
			slots[nslots++] = i;
	if (o->partial != NULL && o->partial_n > 0 && o->ids == NULL &&
	    !o->ids_only) {
		/* One directory at a time until there is enough to show. */
		while (l.n <= o->partial_n && k < nslots) {
			list_dirs(&dfs, dir, &slots[k], 1, 1, &l, ds, o->watch);
			k++;
		}
		if (l.n > o->partial_n)
			partial(o, dir, &dfs, &l, lock_probe, start, dev);
	}
	list_dirs(&dfs, dir, slots + k, nslots - k, nw, &l, ds, o->watch);
	if (o->ids != NULL)
		keep_ids(&l, o->ids, o->nids);
	lvec_sort(&l, nw);
	if (o->total != NULL)
		atomic_store(o->total, l.n);
	if (o->listed != NULL)
		o->listed(o->arg);
	n = l.n;
	s = build(dir, &dfs, &l, n, o->ids_only, nw, o->done, o->cancel, 1);
	if (o->cancel != NULL && atomic_load(o->cancel)) {
		/* Some records were never read: nothing to hand over. */
		spool_snap_free(s);
		lvec_free(&l);
		dirfds_close(&dfs);
		snprintf(err, errlen, "cancelled");
		return NULL;
	}
	s->priv->dev = dev;
	memcpy(s->priv->dirs, ds, sizeof(ds));
	s->priv->subset = o->ids != NULL;
	s->nlisted = n;
	s->ndirs = 1 + nslots;
	s->scan_start = start;
	snap_settle(s, &dfs, &l, lock_probe);
	s->priv->wserial = watch_serial(o->watch, 1);
	lvec_free(&l);
	dirfds_close(&dfs);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->scan_secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return s;
}
