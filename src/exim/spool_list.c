/* spool_list.c -- the directories of input/ as Exim sees them, and the
 * lock table of /proc/locks (the watch of a refresh: spool_watch.c).
 *
 * A directory is read once with readdir(): the inode of each name comes
 * with it, so -H, -D and -J are matched without a stat().  Exim's rules
 * (exim-spool.md 1.2): a queued message is a name of exactly 18 or 25
 * characters ending in -H; a subdirectory is any one-character
 * alphanumeric name in input/.  Nothing here opens a spool file for
 * anything but reading. */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

int
dir_slot(char c)
{
	if (c >= '0' && c <= '9')
		return 1 + (c - '0');
	if (c >= 'A' && c <= 'Z')
		return 11 + (c - 'A');
	if (c >= 'a' && c <= 'z')
		return 37 + (c - 'a');
	return -1;
}

char
slot_dir(int slot)
{
	return slot <= 0 || slot >= SPOOL_NDIRS ? '\0' : b62[slot - 1];
}

struct side {				/* a -D or -J beside the -H */
	char		 id[SPOOL_ID_MAX + 1];
	char		 kind;
	ino_t		 ino;
};

static uint64_t
id_hash(const char *id)
{
	return spool_hash(id, strlen(id));
}

struct lent *
lvec_add(struct lvec *l, const char *id, size_t n, char sub)
{
	struct lent *e;

	l->v = big_grow(l->v, &l->cap, (l->n + 1) * sizeof(*l->v));
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->id, id, n);
	e->sub = sub;
	return e;
}

void
lvec_orphan(struct lvec *l, const char *id, size_t n, char sub, ino_t ino)
{
	xgrow(&l->o, &l->capo, l->no + 1, sizeof(*l->o));
	memset(&l->o[l->no], 0, sizeof(*l->o));
	memcpy(l->o[l->no].id, id, n);
	l->o[l->no].sub = sub;
	l->o[l->no++].ino = ino;
}

/* Matches the -D and -J names of one directory to its -H entries
 * l->v[from..l->n); a -D without -H is an orphan. */
static void
match(struct lvec *l, size_t from, const struct side *sd, size_t nsd,
    char sub)
{
	size_t n = l->n - from, nslots = 16, i, j, mask;
	uint32_t *slots;

	while (nslots < n * 2)
		nslots *= 2;
	mask = nslots - 1;
	slots = xcalloc(nslots, sizeof(*slots));
	for (i = from; i < l->n; i++) {
		for (j = id_hash(l->v[i].id) & mask; slots[j] != 0;
		    j = (j + 1) & mask)
			;
		slots[j] = (uint32_t)(i - from) + 1;
	}
	for (i = 0; i < nsd; i++) {
		struct lent *e = NULL;

		for (j = id_hash(sd[i].id) & mask; slots[j] != 0;
		    j = (j + 1) & mask)
			if (strcmp(l->v[from + slots[j] - 1].id,
			    sd[i].id) == 0) {
				e = &l->v[from + slots[j] - 1];
				break;
			}
		if (e != NULL && sd[i].kind == 'J')
			e->has_j = 1;
		else if (e != NULL)
			e->d_ino = spool_ino(sd[i].ino);
		else if (sd[i].kind == 'D')
			lvec_orphan(l, sd[i].id, strlen(sd[i].id), sub,
			    sd[i].ino);
	}
	free(slots);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A directory changed within this much of its listing may change again
 * within the same timestamp tick: it is listed again next time. */
#define RACY_NS	(2 * (int64_t)1000000000)

int
list_dir(int dirfd, int slot, struct lvec *l, uint64_t *subs,
    struct spool_dirstate *ds)
{
	struct side *sd = NULL;
	size_t nsd = 0, capsd = 0, from = l->n, n;
	struct dirent *de;
	struct stat st;
	int fd;
	DIR *d;

	memset(ds, 0, sizeof(*ds));
	/* fdopendir() takes the descriptor over: a copy, rewound. */
	if (dirfd < 0 || (fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	(void)lseek(fd, 0, SEEK_SET);
	/* The mtime before the listing: a change during it shows next
	 * time. */
	if (fstat(fd, &st) == 0) {
		ds->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
		    st.st_mtim.tv_nsec;
		ds->racy = now_ns() - ds->mtime_ns < RACY_NS;
	}
	ds->present = 1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;

		n = strlen(nm);
		if (slot == 0 && n == 1 && dir_slot(nm[0]) > 0) {
			if (subs != NULL)
				*subs |= (uint64_t)1 << dir_slot(nm[0]);
			continue;
		}
		/* Exim's rule: an -H name of exactly 18 or 25 characters. */
		if ((n != 18 && n != 25) || nm[n - 2] != '-' ||
		    !spool_id_valid(nm, n - 2))
			continue;
		if (nm[n - 1] == 'H') {
			struct lent *e = lvec_add(l, nm, n - 2,
			    slot_dir(slot));

			e->h_ino = spool_ino(de->d_ino);
			e->dtype = de->d_type;
		} else if (nm[n - 1] == 'D' || nm[n - 1] == 'J') {
			xgrow(&sd, &capsd, nsd + 1, sizeof(*sd));
			memset(&sd[nsd], 0, sizeof(*sd));
			memcpy(sd[nsd].id, nm, n - 2);
			sd[nsd].kind = nm[n - 1];
			sd[nsd++].ino = de->d_ino;
		}
	}
	closedir(d);
	match(l, from, sd, nsd, slot_dir(slot));
	free(sd);
	return 0;
}

void
lvec_free(struct lvec *l)
{
	big_free(l->v, l->cap);
	free(l->o);
	memset(l, 0, sizeof(*l));
}

/* exim -bp order (queue.c): the time field, then the part after the
 * last '-', then the whole id; old and new ids sort among each other.
 * As two big-endian words: time, that part padded with NULs (a shorter
 * one sorts first, as with strcmp), the id's next 6 characters; the
 * rest by strcmp. */
struct skey {
	uint64_t	 k1, k2;
	uint32_t	 i;
};

static uint64_t
be64(const unsigned char *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void
mkkey(const char *id, struct skey *k)
{
	unsigned char b[16];
	size_t len = strlen(id), tail = len == 23 ? 19 : 14;

	memset(b, 0, sizeof(b));
	memcpy(b, id, 6);
	memcpy(b + 6, id + tail, len - tail);
	memcpy(b + 10, id + 7, 6);
	k->k1 = be64(b);
	k->k2 = be64(b + 8);
}

void
id_key(const char *id, struct idkey *k)
{
	struct skey s;

	mkkey(id, &s);
	k->k1 = s.k1;
	k->k2 = s.k2;
}

int
id_key_cmp(const struct idkey *x, const char *a, const struct idkey *y,
    const char *b)
{
	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return strcmp(a, b);
}

int
spool_id_cmp(const char *a, const char *b)
{
	struct skey x, y;

	mkkey(a, &x);
	mkkey(b, &y);
	if (x.k1 != y.k1)
		return x.k1 < y.k1 ? -1 : 1;
	if (x.k2 != y.k2)
		return x.k2 < y.k2 ? -1 : 1;
	return strcmp(a, b);
}

static const struct lent *sort_v;

static int
cmp_key(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;

	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	return strcmp(sort_v[x->i].id, sort_v[y->i].id);
}

/* Below this many keys one thread sorts them all. */
#define KSORT_SPLIT	65536

/* Keys k[0..n) in order: the two halves on two threads while there are
 * threads to spare (nw) and keys enough to pay for one, then merged
 * (tmp: room for n keys, only needed when nw > 1). */
struct ksort {
	struct skey	*k, *tmp;
	size_t		 n;
	int		 nw;
};

static void ksort(struct ksort *);

static void *
ksort_thread(void *arg)
{
	ksort(arg);
	return NULL;
}

static void
ksort(struct ksort *s)
{
	size_t h = s->n / 2, i = 0, j = h, o = 0;
	struct ksort a, b;
	pthread_t th;

	if (s->nw > 1 && s->n >= KSORT_SPLIT) {
		a = (struct ksort){ s->k, s->tmp, h, s->nw / 2 };
		b = (struct ksort){ s->k + h, s->tmp + h, s->n - h,
		    s->nw - s->nw / 2 };
		if (pthread_create(&th, NULL, ksort_thread, &a) == 0) {
			ksort(&b);
			pthread_join(th, NULL);
			while (i < h && j < s->n)
				s->tmp[o++] = cmp_key(&s->k[j], &s->k[i]) < 0 ?
				    s->k[j++] : s->k[i++];
			while (i < h)
				s->tmp[o++] = s->k[i++];
			while (j < s->n)
				s->tmp[o++] = s->k[j++];
			memcpy(s->k, s->tmp, s->n * sizeof(*s->k));
			return;
		}
	}
	qsort(s->k, s->n, sizeof(*s->k), cmp_key);
}

void
lvec_sort(struct lvec *l, int threads)
{
	struct ksort ks;
	struct skey *k;
	struct lent *v;
	size_t i, cap = 0;

	if (l->n < 2)
		return;
	k = xcalloc(l->n, sizeof(*k));
	for (i = 0; i < l->n; i++) {
		mkkey(l->v[i].id, &k[i]);
		k[i].i = (uint32_t)i;
	}
	/* qsort() takes no argument: the comparison reads sort_v, set here
	 * before the sort's threads start, cleared after they end (one sort
	 * at a time). */
	sort_v = l->v;
	ks.k = k;
	ks.tmp = threads > 1 && l->n >= KSORT_SPLIT ? xcalloc(l->n, sizeof(*k)) :
	    NULL;
	ks.n = l->n;
	ks.nw = ks.tmp != NULL ? threads : 1;
	ksort(&ks);
	free(ks.tmp);
	sort_v = NULL;
	v = big_grow(NULL, &cap, l->n * sizeof(*v));
	for (i = 0; i < l->n; i++)
		v[i] = l->v[k[i].i];
	big_free(l->v, l->cap);
	l->v = v;
	l->cap = cap;
	free(k);
}

/* ---- /proc/locks ---- */

struct lock {
	uint64_t	 dev;		/* major << 32 | minor */
	uint64_t	 ino;
	int64_t		 start, end;	/* end -1: to EOF */
};

struct locktab {
	struct lock	*v;
	size_t		 n;
	uint32_t	*slots;		/* by inode: index + 1 */
	size_t		 nslots;
};

static uint64_t
ino_hash(uint64_t ino)
{
	ino *= 0x9e3779b97f4a7c15ULL;
	return ino ^ (ino >> 31);
}

/* One line: "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 25"; waiters
 * ("1: -> POSIX ...") hold nothing; flock(2) locks do not conflict
 * with Exim's fcntl(2) ones. */
static int
parse_lock(char *line, struct lock *lk)
{
	char *f[8], *save = NULL, *p;
	unsigned long maj, min;
	int n = 0;

	for (p = strtok_r(line, " \t\n", &save); p != NULL && n < 8;
	    p = strtok_r(NULL, " \t\n", &save))
		f[n++] = p;
	if (n < 8 || strcmp(f[1], "->") == 0)
		return -1;
	if (strcmp(f[1], "POSIX") != 0 && strcmp(f[1], "OFDLCK") != 0)
		return -1;
	if (sscanf(f[5], "%lx:%lx:%llu", &maj, &min,
	    (unsigned long long *)&lk->ino) != 3)
		return -1;
	lk->dev = (uint64_t)maj << 32 | min;
	lk->start = strtoll(f[6], NULL, 10);
	lk->end = strcmp(f[7], "EOF") == 0 ? -1 : strtoll(f[7], NULL, 10);
	return 0;
}

struct locktab *
locktab_parse(const char *buf, size_t len)
{
	struct locktab *t = xcalloc(1, sizeof(*t));
	struct lock lk;
	char line[512];
	const char *p, *e = buf + len, *nl;
	size_t cap = 0, i, j, mask, n;

	for (p = buf; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		/* A longer line is no lock line of the kernel's. */
		if ((n = (size_t)(nl - p)) >= sizeof(line))
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		if (parse_lock(line, &lk) == 0) {
			xgrow(&t->v, &cap, t->n + 1, sizeof(*t->v));
			t->v[t->n++] = lk;
		}
	}
	t->nslots = 16;
	while (t->nslots < t->n * 2)
		t->nslots *= 2;
	mask = t->nslots - 1;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (i = 0; i < t->n; i++) {
		for (j = ino_hash(spool_ino(t->v[i].ino)) & mask;
		    t->slots[j] != 0;
		    j = (j + 1) & mask)
			;
		t->slots[j] = (uint32_t)i + 1;
	}
	return t;
}

struct locktab *
locktab_read(void)
{
#ifdef __linux__
	struct locktab *t;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/locks", O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	for (;;) {
		xgrow(&buf, &cap, len + 65536, 1);
		if ((n = read(fd, buf + len, cap - len)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	t = locktab_parse(buf, len);
	free(buf);
	return t;
#else
	return NULL;
#endif
}

void
locktab_free(struct locktab *t)
{
	if (t == NULL)
		return;
	free(t->v);
	free(t->slots);
	free(t);
}

int
locktab_held(const struct locktab *t, dev_t dev, uint32_t ino, off_t len)
{
	size_t j, mask = t->nslots - 1;
	uint64_t d;
	int other = 0;

#ifdef __linux__
	d = (uint64_t)major(dev) << 32 | minor(dev);
#else
	d = (uint64_t)dev;
#endif
	if (t->n == 0)
		return 0;
	for (j = ino_hash(ino) & mask; t->slots[j] != 0; j = (j + 1) & mask) {
		const struct lock *lk = &t->v[t->slots[j] - 1];

		/* [start, end] (end -1: to EOF) meets [0, len). */
		if (spool_ino(lk->ino) != ino || lk->start >= (int64_t)len)
			continue;
		if (lk->dev == d && lk->ino <= UINT32_MAX)
			return 1;
		other = 1;	/* the same inode elsewhere, a device numbered
				 * otherwise (overlay, btrfs), or only the
				 * same fold of a 64-bit inode */
	}
	return other ? -1 : 0;
}

int
lock_probe(int dfd, const char *id)
{
	char name[SPOOL_ID_MAX + 3];
	struct flock fl;
	int fd, held = 0;

	snprintf(name, sizeof(name), "%s-D", id);
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK | O_NOCTTY)) < 0)
		return 0;
	/* F_GETLK only looks (exim-spool.md 5.2). */
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = (off_t)(strlen(id) + 3);
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		held = 1;
	close(fd);
	return held;
}
