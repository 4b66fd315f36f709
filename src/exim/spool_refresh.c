/* spool_refresh.c -- the queue as it is now, from the last snapshot and
 * what changed since: a cost that follows the changes, not the queue.
 *
 * What changed: the watch (inotify) names the messages whose files came,
 * went or were put in place, and only their files are looked at (three
 * fstatat each), no directory listed; without a watch, or after its
 * queue overflowed, the directories' mtimes say which directories
 * changed (a directory changed within a timestamp tick of its listing
 * is listed again next time), and only those are listed again.  A
 * listed -H whose inode is the one the last snapshot read, and that the
 * watch did not see put in place, keeps its record: Exim always writes a
 * new -H beside the old one and renames it over, so a rewritten -H has a
 * new inode (exim-spool.md 1.4).  New and rewritten ones are read;
 * vanished ones are dropped; every -J is read again (they are few, and
 * grow in place); the lock state of every -D comes from /proc/locks.  When nothing differs the last snapshot
 * stands; else a new one is assembled from the last one's records
 * (copied; nothing is read again) and the new ones, in exim -bp order,
 * domains numbered in order of first sight: exactly what a full scan
 * makes.  The strings stay where they are, shared with the last
 * snapshot, until those of records gone are an eighth of them: then the
 * live ones are copied together and the rest goes. */
#include "spool_priv.h"
#include "base/mem.h"
#include "base/intern.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { BY_WATCH, BY_MTIME, LIST_ALL };

/* What became of the last snapshot's messages. */
#define P_KEEP	0		/* its directory was not listed: as is */
#define P_SEEN	1		/* listed again, record still good */
#define P_GONE	2		/* not listed again, or read again */
#define F_NODATA 1		/* its -D went first: completing */
#define F_HASJ	2		/* a -J was listed beside it */

struct rf {
	const struct spool_snap *prev;
	const struct spool_scan_opts *o;
	struct dirfds	 dfs;
	struct spool_dirstate ds[SPOOL_NDIRS];
	uint8_t		 relist[SPOOL_NDIRS];
	struct lvec	 l;		/* what was listed again */
	uint8_t		*fate;		/* per prev message, P_* */
	uint8_t		*fix;		/* F_* per prev message seen */
	struct lvec	 rd;		/* to read */
	size_t		 nlisted;
	struct intern	*touched;
	struct intern	*changed;	/* the watch's keys, or NULL */
	size_t		 nprobed;	/* of them looked at */
	int		 nw;
};

static int64_t
mtime_of(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode))
		return -1;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* Decides which directories to list again, and lists them. */
static void
relist(struct rf *r, int mode, const uint8_t *dirty)
{
	const struct spool_priv *pp = r->prev->priv;
	int slots[SPOOL_NDIRS], i;
	size_t n = 0;
	uint64_t subs = 0;
	char name[2] = { 0, 0 };
	int64_t mt;

	memcpy(r->ds, pp->dirs, sizeof(r->ds));
	if (mode == LIST_ALL || (mode == BY_WATCH && dirty[0]))
		r->relist[0] = 1;
	else if (mode == BY_MTIME) {
		mt = mtime_of(r->dfs.in, ".");
		r->relist[0] = mt != pp->dirs[0].mtime_ns || pp->dirs[0].racy;
	}
	if (r->relist[0]) {
		(void)list_dir(r->dfs.in, 0, &r->l, &subs, &r->ds[0]);
	} else
		for (i = 1; i < SPOOL_NDIRS; i++)
			if (pp->dirs[i].present)
				subs |= (uint64_t)1 << i;
	for (i = 1; i < SPOOL_NDIRS; i++) {
		int now = (subs & ((uint64_t)1 << i)) != 0;

		name[0] = slot_dir(i);
		if (!now && !pp->dirs[i].present)
			continue;
		if (!now || !pp->dirs[i].present || mode == LIST_ALL ||
		    (mode == BY_WATCH && dirty[i]))
			r->relist[i] = 1;
		else if (mode == BY_MTIME) {
			mt = mtime_of(r->dfs.in, name);
			r->relist[i] = mt != pp->dirs[i].mtime_ns ||
			    pp->dirs[i].racy;
		}
		if (!r->relist[i])
			continue;
		memset(&r->ds[i], 0, sizeof(r->ds[i]));
		if (now)
			slots[n++] = i;
	}
	list_dirs(&r->dfs, r->prev->dir, slots, n, r->nw, &r->l, r->ds,
	    r->o->watch);
}

static int
slot_of(char sub)
{
	return sub ? dir_slot(sub) : 0;
}

/* Whether message id of directory sub was looked at again by name (the
 * watch named it, its directory was not listed). */
static int
probed(const struct rf *r, char sub, const char *id)
{
	char key[SPOOL_ID_MAX + 2];
	size_t n;

	if (r->changed == NULL || r->nprobed == 0 || r->relist[slot_of(sub)])
		return 0;
	n = watch_key(slot_of(sub), id, strlen(id), key);
	return intern_find(r->changed, key, n) != UINT32_MAX;
}

/* The files of the messages the watch named, in the directories not
 * listed again: into r->l, as a listing would have them. */
static void
probe(struct rf *r)
{
	uint32_t i, k = intern_count(r->changed);
	char name[SPOOL_ID_MAX + 3];
	struct stat st;

	for (i = 0; i < k; i++) {
		const char *key = intern_str(r->changed, i);
		int slot = watch_key_slot(key), dfd;
		size_t n = strlen(key + 1);
		ino_t h = 0, d = 0;
		uint8_t dt = DT_UNKNOWN, j;

		if (slot < 0 || r->relist[slot] || !r->ds[slot].present ||
		    n > SPOOL_ID_MAX)
			continue;
		r->nprobed++;
		if ((dfd = dirfd_of(&r->dfs, r->prev->dir, slot)) < 0)
			continue;
		memcpy(name, key + 1, n);
		name[n] = '-';
		name[n + 2] = '\0';
		name[n + 1] = 'H';
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			h = st.st_ino;
			dt = (uint8_t)IFTODT(st.st_mode);
		}
		name[n + 1] = 'D';
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			d = st.st_ino;
		name[n + 1] = 'J';
		j = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
		if (h != 0) {
			struct lent *e = lvec_add(&r->l, key + 1, n,
			    slot_dir(slot));

			e->has_j = j;
			e->dtype = dt;
			e->h_ino = spool_ino(h);
			e->d_ino = spool_ino(d);
		} else if (d != 0)
			lvec_orphan(&r->l, key + 1, n, slot_dir(slot), d);
	}
}

/* Whether the orphans listed again differ from those prev had there
 * (they are few: else they differ). */
static size_t
orphans_differ(const struct rf *r)
{
	const struct spool_priv *pp = r->prev->priv;
	size_t i, k, n = 0;

	for (i = 0; i < pp->norph; i++)
		if (r->relist[slot_of(pp->orph[i].sub)] ||
		    probed(r, pp->orph[i].sub, pp->orph[i].id))
			n++;
	if (n != r->l.no || n > 1000)
		return n != r->l.no || n > 0;
	for (k = 0; k < r->l.no; k++) {
		for (i = 0; i < pp->norph; i++)
			if (pp->orph[i].ino == r->l.o[k].ino &&
			    strcmp(pp->orph[i].id, r->l.o[k].id) == 0)
				break;
		if (i == pp->norph)
			return 1;
	}
	return 0;
}

/* Sorts the listing out: kept, seen again, gone, to read. */
static size_t
classify(struct rf *r)
{
	const struct spool_snap *p = r->prev;
	size_t i, changes = 0;
	uint32_t ntouched = intern_count(r->touched);

	r->fate = xcalloc(p->nmsgs + 1, 1);
	r->fix = xcalloc(p->nmsgs + 1, 1);
	for (i = 0; i < p->nmsgs; i++)
		if (r->relist[slot_of(p->msgs[i].subdir)])
			r->fate[i] = P_GONE;
	/* Those the watch named: as good as gone until seen again. */
	for (i = 0; r->nprobed > 0 && i < intern_count(r->changed); i++) {
		const char *key = intern_str(r->changed, (uint32_t)i);
		const struct spool_msg *m = spool_find(p, key + 1);
		int slot = watch_key_slot(key);

		if (m != NULL && slot >= 0 && slot_of(m->subdir) == slot &&
		    !r->relist[slot])
			r->fate[m - p->msgs] = P_GONE;
	}
	r->nlisted = r->l.n;
	for (i = 0; i < p->nmsgs; i++)
		if (r->fate[i] == P_KEEP)
			r->nlisted++;
	for (i = 0; i < r->l.n; i++) {
		const struct lent *e = &r->l.v[i];
		const struct spool_msg *m = spool_find(p, e->id);
		size_t k;

		/* Bad files are read again: the next read may succeed. */
		if (m != NULL && m->subdir == e->sub && m->h_ino == e->h_ino &&
		    !(m->flags & MSG_F_BADFILE) && (ntouched == 0 ||
		    intern_find(r->touched, e->id, strlen(e->id)) ==
		    UINT32_MAX) && (e->d_ino == m->d_ino || e->d_ino == 0)) {
			k = (size_t)(m - p->msgs);
			r->fate[k] = P_SEEN;
			/* The -D went first: a message completing. */
			if (e->d_ino == 0 && !(m->flags & MSG_F_NODATA)) {
				r->fix[k] |= F_NODATA;
				changes++;
			}
			if (e->has_j)
				r->fix[k] |= F_HASJ;
			if (!!e->has_j != !!(m->flags & MSG_F_JOURNAL))
				changes++;
			continue;
		}
		r->rd.v = big_grow(r->rd.v, &r->rd.cap, (r->rd.n + 1) *
		    sizeof(*r->rd.v));
		r->rd.v[r->rd.n++] = *e;
		changes++;
	}
	for (i = 0; i < p->nmsgs; i++)
		if (r->fate[i] == P_GONE)
			changes++;
	return changes + orphans_differ(r);
}

/* Whether the -J files and locks say something else of prev's records
 * than prev does (nothing else changed). */
static int
quiet_differs(struct rf *r, const struct locktab *lt, int looks)
{
	const struct spool_snap *p = r->prev;
	struct spool_rcpt *rc = NULL;
	size_t i, j, caprc = 0, norph = 0;
	char *buf = NULL;
	size_t cap = 0;
	int differs = 0;

	for (i = 0; i < p->nmsgs && !differs; i++) {
		const struct spool_msg *m = &p->msgs[i];
		struct spool_msg t;
		int act = 0;

		if (looks && m->d_ino != 0 && !(m->flags & MSG_F_NODATA)) {
			act = lt != NULL ? locktab_held(lt, p->priv->dev,
			    m->d_ino, (off_t)(strlen(m->id) + 3)) : -1;
			if (act < 0)
				act = lock_probe(dirfd_of(&r->dfs, p->dir,
				    slot_of(m->subdir)), m->id);
		}
		if (!!act != !!(m->flags & MSG_F_ACTIVE))
			differs = 1;
		if (!(m->flags & MSG_F_JOURNAL) || differs)
			continue;
		t = *m;
		rc = big_grow(rc, &caprc, (m->nrcpt + 1) * sizeof(*rc));
		memcpy(rc, &p->rcpts[m->rcpt0], m->nrcpt * sizeof(*rc));
		(void)rejournal(dirfd_of(&r->dfs, p->dir, slot_of(m->subdir)),
		    &t, rc, p->domains, &buf, &cap);
		if (t.flags != m->flags || t.npending != m->npending)
			differs = 1;
		for (j = 0; j < m->nrcpt && !differs; j++)
			if (rc[j].state != p->rcpts[m->rcpt0 + j].state)
				differs = 1;
	}
	for (i = 0; i < p->priv->norph && !differs && looks; i++) {
		const struct orphan *o = &p->priv->orph[i];
		int h = lt != NULL ? locktab_held(lt, p->priv->dev,
		    spool_ino(o->ino),
		    (off_t)(strlen(o->id) + 3)) : -1;

		if (h < 0)
			h = lock_probe(dirfd_of(&r->dfs, p->dir,
			    slot_of(o->sub)), o->id);
		if (!h)
			norph++;
	}
	if (looks && norph != p->norphans)
		differs = 1;
	big_free(rc, caprc);
	free(buf);
	return differs;
}

/* prev's strings into the new pool: a string prev stored once (shared
 * by several records) is copied once, by its address. */
#define PCACHE	4096
struct pcopy {
	struct spool_pool *pool;
	const char	*from[PCACHE], *to[PCACHE];
};

static const char *
cp(struct pcopy *pc, const char *s)
{
	size_t k;

	if (s == NULL || pc == NULL)	/* shared: where it is */
		return s;
	if (s[0] == '\0')
		return "";
	k = (size_t)(((uintptr_t)s * 0x9e3779b97f4a7c15ULL) >> 40) &
	    (PCACHE - 1);
	if (pc->from[k] != s) {
		pc->from[k] = s;
		pc->to[k] = pool_raw(pc->pool, s, strlen(s));
	}
	return pc->to[k];
}

/* Copies record m of prev, with its recipients, into s. */
static void
copy_prev(struct spool_snap *s, const struct spool_snap *p,
    const struct spool_msg *m, uint32_t *pmap, struct pcopy *pc,
    struct spool_msg *d, size_t *nrc)
{
	size_t j;

	*d = *m;
	/* The sender, or the reason, which may be a static string: copied
	 * all the same. */
	d->text = cp(pc, m->text);
	d->host = cp(pc, m->host);
	d->rcpt0 = (uint32_t)*nrc;
	for (j = 0; j < m->nrcpt; j++) {
		const struct spool_rcpt *r = &p->rcpts[m->rcpt0 + j];
		struct spool_rcpt *t = &s->rcpts[(*nrc)++];

		*t = *r;
		t->part = cp(pc, r->part);
		if (pmap[r->domain] == UINT32_MAX) {
			const char *dn = intern_str(p->domains, r->domain);

			pmap[r->domain] = intern_add(s->domains, dn,
			    strlen(dn));
		}
		t->domain = pmap[r->domain];
	}
}

/* Copies record m of the new readout ro into s. */
static void
copy_new(struct spool_snap *s, const struct readout *ro,
    const struct spool_msg *m, uint32_t *nmap, struct spool_msg *d,
    size_t *nrc)
{
	size_t j;

	*d = *m;
	d->rcpt0 = (uint32_t)*nrc;
	for (j = 0; j < m->nrcpt; j++) {
		const struct spool_rcpt *r = &ro->rcpts[m->rcpt0 + j];
		struct spool_rcpt *t = &s->rcpts[(*nrc)++];

		*t = *r;
		if (nmap[r->domain] == UINT32_MAX) {
			const char *dn = intern_str(ro->dom, r->domain);

			nmap[r->domain] = intern_add(s->domains, dn,
			    strlen(dn));
		}
		t->domain = nmap[r->domain];
	}
}

/* The bytes of m's strings (of prev), as the pools hold them. */
static size_t
str_bytes(const struct spool_snap *p, const struct spool_msg *m)
{
	size_t n = 0, j;

	n += m->text != NULL ? strlen(m->text) + 1 : 0;
	n += m->host != NULL ? strlen(m->host) + 1 : 0;
	for (j = 0; j < m->nrcpt; j++)
		n += strlen(p->rcpts[m->rcpt0 + j].part) + 1;
	return n;
}

/* The new snapshot's strings: the readers' pools, and prev's where they
 * are (held again), or copied into a pool of their own; the copy
 * cache, or NULL when nothing is copied. */
static struct pcopy *
strings(struct spool_snap *s, const struct spool_snap *p, struct readout *ro,
    size_t gone)
{
	struct spool_priv *sp = s->priv, *pp = p->priv;
	size_t total = 0, i;
	struct pcopy *pc = NULL;
	int copy;

	for (i = 0; i < pp->nsets; i++)
		total += pool_set_bytes(pp->sets[i]);
	copy = pp->garbage + gone > total / 8 || pp->nsets >= 64;
	sp->sets = xcalloc(pp->nsets + 2, sizeof(*sp->sets));
	if (copy) {
		struct spool_pool *pool = xcalloc(1, sizeof(*pool));

		pool_init(pool);
		pc = xcalloc(1, sizeof(*pc));
		pc->pool = pool;
		sp->sets[sp->nsets++] = pool_set_new(pool, 1);
	} else {
		for (i = 0; i < pp->nsets; i++)
			sp->sets[sp->nsets++] = pool_set_hold(pp->sets[i]);
		sp->garbage = pp->garbage + gone;
	}
	if (ro->npools > 0)
		sp->sets[sp->nsets++] = pool_set_new(ro->pools, ro->npools);
	else
		free(ro->pools);
	ro->pools = NULL;
	ro->npools = 0;
	return pc;
}

/* The new snapshot: prev's surviving records and the ones read, merged
 * in exim -bp order; then the -J of every copied message that has one
 * now or had one, read again. */
static struct spool_snap *
assemble(struct rf *r, struct readout *ro)
{
	const struct spool_snap *p = r->prev;
	struct spool_snap *s = xcalloc(1, sizeof(*s));
	struct spool_priv *sp;
	struct pcopy *pc;
	uint32_t *pmap, *nmap;
	size_t n = 0, nr = 0, i, j, k, nrc = 0, gone = 0, kj;
	struct idkey kb;
	char *buf = NULL;
	size_t cap = 0;

	s->dir = xstrdup(p->dir);
	s->priv = sp = xcalloc(1, sizeof(*sp));
	for (i = 0; i < p->nmsgs; i++)
		if (r->fate[i] != P_GONE) {
			n++;
			nr += p->msgs[i].nrcpt;
		} else
			gone += str_bytes(p, &p->msgs[i]);
	for (i = 0; i < ro->n; i++)
		if (ro->msgs[i].id[0] != '\0') {
			n++;
			nr += ro->msgs[i].nrcpt;
		} else
			s->nvanished++;
	s->msgs = big_grow(NULL, &sp->msgs_cap, (n ? n : 1) *
	    sizeof(*s->msgs));
	s->rcpts = big_grow(NULL, &sp->rcpts_cap, (nr ? nr : 1) *
	    sizeof(*s->rcpts));
	s->domains = intern_new();
	pc = strings(s, p, ro, gone);
	pmap = xcalloc(intern_count(p->domains) + 1, sizeof(*pmap));
	memset(pmap, 0xff, (intern_count(p->domains) + 1) * sizeof(*pmap));
	nmap = xcalloc(intern_count(ro->dom) + 1, sizeof(*nmap));
	memset(nmap, 0xff, (intern_count(ro->dom) + 1) * sizeof(*nmap));
	for (i = j = k = 0, kj = SIZE_MAX; ; ) {
		const struct spool_msg *a, *b;
		struct idkey ka;

		while (i < p->nmsgs && r->fate[i] == P_GONE)
			i++;
		while (j < ro->n && ro->msgs[j].id[0] == '\0')
			j++;
		a = i < p->nmsgs ? &p->msgs[i] : NULL;
		b = j < ro->n ? &ro->msgs[j] : NULL;
		if (a == NULL && b == NULL)
			break;
		if (b != NULL && kj != j) {	/* b's key, once */
			id_key(b->id, &kb);
			kj = j;
		}
		if (a != NULL && b != NULL)
			id_key(a->id, &ka);
		if (a != NULL && (b == NULL || id_key_cmp(&ka, a->id, &kb,
		    b->id) <= 0)) {
			struct spool_msg *d = &s->msgs[k++];

			copy_prev(s, p, a, pmap, pc, d, &nrc);
			if (r->fix[i] & F_NODATA) {
				d->flags |= MSG_F_NODATA;
				d->size = -1;
				d->d_ino = 0;
			}
			/* Had one or has one: read it (again). */
			if (r->fate[i] == P_SEEN && (r->fix[i] & F_HASJ))
				d->flags |= MSG_F_JOURNAL;
			if (d->flags & MSG_F_JOURNAL)
				(void)rejournal(dirfd_of(&r->dfs, s->dir,
				    slot_of(d->subdir)), d,
				    &s->rcpts[d->rcpt0], s->domains, &buf,
				    &cap);
			i++;
		} else {
			copy_new(s, ro, b, nmap, &s->msgs[k++], &nrc);
			j++;
		}
	}
	s->nmsgs = k;
	s->nrcpts = nrc;
	free(pmap);
	free(nmap);
	if (pc != NULL)
		pool_uncache(pc->pool);
	free(pc);
	free(buf);
	return s;
}

/* Orphans: prev's of the directories not listed, the listing's. */
static void
orphans(struct rf *r, struct lvec *out)
{
	const struct spool_priv *pp = r->prev->priv;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < pp->norph; i++)
		if (!r->relist[slot_of(pp->orph[i].sub)] &&
		    !probed(r, pp->orph[i].sub, pp->orph[i].id)) {
			xgrow(&out->o, &out->capo, out->no + 1,
			    sizeof(*out->o));
			out->o[out->no++] = pp->orph[i];
		}
	if (r->l.no > 0) {
		xgrow(&out->o, &out->capo, out->no + r->l.no, sizeof(*out->o));
		memcpy(out->o + out->no, r->l.o, r->l.no * sizeof(*r->l.o));
		out->no += r->l.no;
	}
}

static void
rf_done(struct rf *r)
{
	lvec_free(&r->l);
	lvec_free(&r->rd);
	free(r->fate);
	free(r->fix);
	intern_free(r->touched);
	intern_free(r->changed);
	dirfds_close(&r->dfs);
}

static struct spool_snap *
afresh(const struct spool_snap *prev, const struct spool_scan_opts *o,
    char *err, size_t errlen)
{
	struct spool_scan_opts so = *o;

	so.partial = NULL;
	so.ids = NULL;
	so.nids = 0;
	so.ids_only = 0;
	return spool_scan(prev->dir, &so, err, errlen);
}

int
spool_refresh(const struct spool_snap *prev, const struct spool_scan_opts *opts,
    struct spool_snap **next, char *err, size_t errlen)
{
	static const struct spool_scan_opts none;
	const struct spool_scan_opts *o = opts != NULL ? opts : &none;
	struct spool_snap *s;
	struct readout ro;
	struct locktab *lt = NULL;
	struct lvec orph;
	struct timespec t0, t1;
	uint8_t dirty[SPOOL_NDIRS];
	int mode, lock_probe = !o->no_lock_probe, i, any = 0;
	size_t changes;
	time_t start = time(NULL);
	struct rf r;
	dev_t dev;

	*next = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (prev->priv == NULL || prev->priv->ids_only || prev->priv->subset) {
		*next = afresh(prev, o, err, errlen);
		return *next != NULL ? 1 : -1;
	}
	memset(&r, 0, sizeof(r));
	r.prev = prev;
	r.o = o;
	r.nw = o->threads > 0 ? o->threads : 2;
	r.touched = intern_new();
	memset(dirty, 0, sizeof(dirty));
	if (open_input(prev->dir, &r.dfs, &dev, err, errlen) < 0) {
		intern_free(r.touched);
		return -1;
	}
	if (dev != prev->priv->dev) {
		rf_done(&r);
		*next = afresh(prev, o, err, errlen);
		return *next != NULL ? 1 : -1;
	}
	if (o->watch != NULL && prev->priv->wserial != 0 &&
	    prev->priv->wserial == watch_serial(o->watch, 0)) {
		struct intern *t;

		i = watch_drain(o->watch, dirty, &t, &r.changed);
		if (t != NULL) {
			intern_free(r.touched);
			r.touched = t;
		}
		mode = i == 0 ? BY_WATCH : i > 0 ? LIST_ALL : BY_MTIME;
	} else if (o->watch != NULL) {
		/* The watch follows another snapshot (or none yet): from
		 * now on it follows this one; everything is listed. */
		uint64_t subs = 0;

		for (i = 1; i < SPOOL_NDIRS; i++)
			if (prev->priv->dirs[i].present)
				subs |= (uint64_t)1 << i;
		watch_arm(o->watch, r.dfs.in, subs);
		mode = LIST_ALL;
	} else
		mode = BY_MTIME;
	relist(&r, mode, dirty);
	if (mode == BY_WATCH && r.changed != NULL)
		probe(&r);
	any = r.nprobed > 0;
	for (i = 0; i < SPOOL_NDIRS; i++)
		any |= r.relist[i];
	changes = any ? classify(&r) : 0;
	if (!any) {		/* every record kept */
		r.fate = xcalloc(prev->nmsgs + 1, 1);
		r.fix = xcalloc(prev->nmsgs + 1, 1);
	}
	if (changes == 0) {
		if (lock_probe)
			lt = locktab_read();
		if (!quiet_differs(&r, lt, lock_probe)) {
			/* prev stands; what was listed is no longer racy.
			 * Only the scanning thread reads these. */
			memcpy(prev->priv->dirs, r.ds, sizeof(r.ds));
			locktab_free(lt);
			rf_done(&r);
			return 0;
		}
		locktab_free(lt);
	}
	if (o->listed != NULL)
		o->listed(o->arg);
	/* The new and rewritten ones, read on the threads. */
	lvec_sort(&r.rd, r.nw);
	memset(&ro, 0, sizeof(ro));
	ro.n = r.rd.n;
	ro.msgs = big_grow(NULL, &ro.msgs_cap, (ro.n ? ro.n : 1) *
	    sizeof(*ro.msgs));
	for (size_t k = 0; k < ro.n; k++)
		lent_record(&r.rd.v[k], &ro.msgs[k]);
	if (ro.n > 0)
		read_msgs(prev->dir, &r.dfs, r.nw, o->done, o->cancel, &ro);
	else {
		ro.dom = intern_new();
		ro.rcpts = big_grow(NULL, &ro.rcpts_cap, sizeof(*ro.rcpts));
	}
	if (o->cancel != NULL && atomic_load(o->cancel)) {
		readout_free(&ro);
		/* What the watch said is spent: it no longer follows prev,
		 * and a later refresh of prev lists every directory. */
		(void)watch_serial(o->watch, 1);
		rf_done(&r);
		snprintf(err, errlen, "cancelled");
		return -1;
	}
	s = assemble(&r, &ro);
	s->nread = ro.n;
	readout_free(&ro);
	s->priv->dev = dev;
	memcpy(s->priv->dirs, r.ds, sizeof(r.ds));
	orphans(&r, &orph);
	snap_settle(s, &r.dfs, &orph, lock_probe);
	lvec_free(&orph);
	s->nlisted = r.nlisted;
	for (i = 0; i < SPOOL_NDIRS; i++)
		s->ndirs += r.relist[i];
	s->scan_start = start;
	s->priv->wserial = watch_serial(o->watch, 1);
	rf_done(&r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->scan_secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	*next = s;
	return 1;
}
