/* spool_priv.h -- what the files of the spool module share; spool.h is
 * the module's contract.  spool_mem.c: memory a snapshot gives back to
 * the system when it is freed; spool_list.c: the directory listing and
 * the lock table; spool_watch.c: the inotify watch; spool_scan.c:
 * reading -H files into records; spool_refresh.c: a snapshot from the
 * last one and what changed; spool_diff.c: two snapshots compared. */
#ifndef MXTOP_SPOOL_PRIV_H
#define MXTOP_SPOOL_PRIV_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "exim/spool.h"

#define SPOOL_NDIRS	63	/* input/ and its 62 subdirectories */
#define MAX_HFILE	(64 * 1024 * 1024)	/* larger -H: flagged bad */

/* ---- Memory (spool_mem.c) ---- */

/* A mapped array: grown in place where the system can (mremap), always
 * zero-filled, unmapped by big_free().  cap and need are in bytes. */
void	*big_grow(void *p, size_t *cap, size_t need);
void	 big_free(void *p, size_t cap);

/* Strings, packed into mapped chunks; a small cache keyed by content
 * stores a string seen again (a sender, a host, a recipient) once. */
struct pool_chunk;
struct pool_slot {
	const char	*s;
	size_t		 len;
};
struct spool_pool {
	struct pool_chunk *chunks;
	char		  *cur;
	size_t		   left;
	struct pool_slot  *cache;	/* POOL_CACHE slots, or NULL */
};
void		 pool_init(struct spool_pool *);
const char	*pool_str(struct spool_pool *, const char *s, size_t n);
/* s[0..n] (with its NUL) copied, not looked up. */
const char	*pool_raw(struct spool_pool *, const char *s, size_t n);
void		 pool_uncache(struct spool_pool *);	/* cache only */
void		 pool_free(struct spool_pool *);
size_t		 pool_bytes(const struct spool_pool *);	/* used */
uint64_t	 spool_hash(const char *s, size_t n);

/* The strings of snapshots, in sets of pools: a snapshot made by a
 * refresh shares the sets of the last one (their strings stay where
 * they are) and adds its readers' own; a set goes with the last
 * snapshot that holds it.  Snapshots are freed on other threads than
 * the one that makes them: the count is atomic. */
struct pool_set {
	atomic_int	   refs;
	struct spool_pool *pools;
	size_t		   npools;
};
/* A set of pools[0..n) (taken over, freed with the set), held once. */
struct pool_set	*pool_set_new(struct spool_pool *pools, size_t n);
struct pool_set	*pool_set_hold(struct pool_set *);
void		 pool_set_drop(struct pool_set *);	/* NULL: no-op */
size_t		 pool_set_bytes(const struct pool_set *);

/* ---- Listing (spool_list.c) ---- */

/* Slot of a directory of input/: 0 for input/ itself, 1-62 for
 * subdirectory c; -1 when c names none. */
int	dir_slot(char c);
char	slot_dir(int slot);

struct spool_dirstate {			/* a directory as last listed */
	int64_t		 mtime_ns;	/* its mtime then */
	uint8_t		 present;
	uint8_t		 racy;		/* changed just before: again */
};

struct lent {				/* one <id>-H as listed */
	char		 id[SPOOL_ID_MAX + 1];
	char		 sub;
	uint8_t		 has_j;		/* a -J was listed too */
	uint8_t		 dtype;		/* d_type of the -H */
	uint32_t	 h_ino, d_ino;	/* spool_ino(); d_ino 0: no -D */
};

struct orphan {				/* a -D listed without its -H */
	char		 id[SPOOL_ID_MAX + 1];
	char		 sub;
	ino_t		 ino;
};

struct lvec {
	struct lent	*v;
	size_t		 n, cap;	/* cap in bytes */
	struct orphan	*o;
	size_t		 no, capo;
};

/* Lists directory slot of input/ (open as dirfd) into l: its -H files,
 * their -D and -J found beside them, its orphan -D files; for input/
 * itself the subdirectories found go to subs (a mask of slots).  The
 * directory's state before the listing goes to ds.  Returns 0, or -1
 * when the directory cannot be opened (errno). */
int	list_dir(int dirfd, int slot, struct lvec *l, uint64_t *subs,
	    struct spool_dirstate *ds);
void	lvec_free(struct lvec *);
/* exim -bp order by keys made once: id_key_cmp(ka, a, kb, b) is
 * spool_id_cmp(a, b). */
struct idkey {
	uint64_t	 k1, k2;
};
void	id_key(const char *id, struct idkey *);
int	id_key_cmp(const struct idkey *, const char *, const struct idkey *,
	    const char *);
/* A new entry of l for -H id[0..n) of directory sub, zeroed but for
 * those; and an orphan -D. */
struct lent *lvec_add(struct lvec *, const char *id, size_t n, char sub);
void	lvec_orphan(struct lvec *, const char *id, size_t n, char sub,
	    ino_t ino);
/* Sorts l's entries as exim -bp does, on up to threads threads. */
void	lvec_sort(struct lvec *, int threads);

/* The locks held in the system, from /proc/locks. */
struct locktab;
/* NULL when /proc/locks cannot be read (then F_GETLK, file by file). */
struct locktab *locktab_read(void);
/* The table from the text of /proc/locks in buf[0..len) (any bytes:
 * what is no lock line is skipped). */
struct locktab *locktab_parse(const char *buf, size_t len);
void	locktab_free(struct locktab *);
/* Whether a lock is held on file (dev, ino) over bytes [0, len), ino
 * as spool_ino() folds it; -1 when the table cannot tell (another
 * device numbering, or an inode too big to tell from its fold): ask
 * F_GETLK. */
int	locktab_held(const struct locktab *, dev_t dev, uint32_t ino,
	    off_t len);
/* F_GETLK on <id>-D in directory dfd: whether another process holds a
 * lock on its first line; 0 when it cannot be opened. */
int	lock_probe(int dfd, const char *id);

/* ---- The snapshot's private part ---- */

struct spool_priv {
	struct pool_set	 **sets;	/* its strings' */
	size_t		   nsets;
	size_t		   garbage;	/* bytes of them no record uses
					 * (an estimate, from above) */
	size_t		   msgs_cap, rcpts_cap;	/* bytes mapped */
	struct spool_dirstate dirs[SPOOL_NDIRS];
	struct orphan	  *orph;	/* -D without -H, as listed */
	size_t		   norph, caporph;
	dev_t		   dev;		/* of input/ */
	int		   ids_only;	/* opts->ids_only: none read */
	int		   subset;	/* opts->ids: some messages only */
	unsigned long	   wserial;	/* its number for the watch */
};

/* ---- Reading (spool_scan.c) ---- */

/* The open directories of one scan, by slot. */
struct dirfds {
	int		 in;
	int		 fd[SPOOL_NDIRS];
};
int	dirfd_of(struct dirfds *, const char *dir, int slot);
void	dirfds_close(struct dirfds *);

/* What a set of readers made of some listed messages: records in listing
 * order (id[0] '\0': vanished), their recipients (domains numbered in
 * dom, in order of first sight), their strings.  The caller fills msgs[0..n)
 * with what the listing saw (lent_record()), read_msgs() the rest; when
 * cancel (may be NULL) turns nonzero, its readers stop early and leave
 * records unread, for the caller to throw away. */
struct readout {
	struct spool_msg  *msgs;
	size_t		   n, msgs_cap;
	struct spool_rcpt *rcpts;
	size_t		   nrcpts, rcpts_cap;
	struct intern	  *dom;
	struct spool_pool *pools;
	size_t		   npools;
};
void	read_msgs(const char *dir, struct dirfds *, int threads,
	    atomic_size_t *done, const atomic_int *cancel, struct readout *);
void	lent_record(const struct lent *, struct spool_msg *);
void	readout_free(struct readout *);
/* Reads the -J of m (in dfd) and marks its recipients rc[0..m->nrcpt)
 * (their domains numbered in doms) delivered that are in -H's tree or
 * in -J; returns whether a -J was read.  Updates m->npending. */
int	rejournal(int dfd, struct spool_msg *m, struct spool_rcpt *rc,
	    const struct intern *doms, char **buf, size_t *cap);
/* spool_rcpt_addr() with the domains numbered in doms. */
const char *rcpt_join(const struct intern *doms, const struct spool_rcpt *,
	    char buf[SPOOL_ADDR_BUF]);

/* input/ of dir opened into dfs (its device in dev); -1 with err. */
int	open_input(const char *dir, struct dirfds *dfs, dev_t *dev,
	    char *err, size_t errlen);
/* Lists slots[0..n) of input/ into l, with nw threads, each watched by w
 * (may be NULL) before it is listed; their states go to ds[slot]. */
void	list_dirs(struct dirfds *, const char *dir, const int *slots,
	    size_t n, int nw, struct lvec *l, struct spool_dirstate *ds,
	    struct spool_watch *w);
/* The orphans of l (taken over), the lock state (looked at unless
 * !lock_probe), totals and index. */
void	snap_settle(struct spool_snap *, struct dirfds *, struct lvec *l,
	    int lock_probe);
/* Makes the snapshot's own parts: totals, the id index. */
void	snap_finish(struct spool_snap *);
/* Sets MSG_F_ACTIVE from lt (NULL: F_GETLK each) and counts orphans;
 * returns how many messages changed state. */
size_t	snap_locks(struct spool_snap *, struct dirfds *,
	    const struct locktab *);

/* The watch (spool_watch.c): arms inotify on input/ (open as infd) and
 * the subdirectories in subs (a mask of slots), afresh; adds one. */
void	watch_arm(struct spool_watch *, int infd, uint64_t subs);
void	watch_add(struct spool_watch *, int infd, int slot);
/* What the watch saw since the last call: dirty[slot] set for each
 * directory to list again (it came or went, or input/ got or lost a
 * subdirectory); *touched, the ids of -H files put in place, and
 * *changed, the keys (watch_key()) of the messages whose -H, -D or -J
 * came, went or was put in place (both the caller's to free; NULL
 * without a watch).  Returns 0; 1 when events were lost (overflow):
 * every directory must be listed; -1 when there is no watch (look at the
 * directories' mtimes). */
int	watch_drain(struct spool_watch *, uint8_t *dirty,
	    struct intern **touched, struct intern **changed);
/* The key of message id[0..n) of directory slot in *changed: the
 * directory's name ('.' for input/), then the id; its length.  The
 * slot of a key (-1: none). */
size_t	watch_key(int slot, const char *id, size_t n, char *key);
int	watch_key_slot(const char *key);
/* The number of the snapshot the watch follows; with made, a new
 * snapshot is made now: its number. */
unsigned long watch_serial(struct spool_watch *, int made);

#endif
