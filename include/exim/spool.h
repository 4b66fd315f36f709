/* spool.h -- read an Exim spool, read-only, into a snapshot.
 *
 * Nothing here writes, renames or locks anything in the spool: -H and -J
 * files are read, -D files stat()ed, and whether Exim holds a -D's lock
 * is read from /proc/locks (or looked at with F_GETLK, which takes no
 * lock).  Facts: shared/docs/exim-spool.md sections 1-5. */
#ifndef MXTOP_SPOOL_H
#define MXTOP_SPOOL_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "base/mem.h"
#include "base/intern.h"

#define SPOOL_ID_MAX	23	/* new ids; old ones have 16 characters */
#define SPOOL_WARNINGS_MAX 4095	/* a record keeps up to that many */

/* Message flags. */
#define MSG_F_FROZEN	0x0001	/* -frozen */
#define MSG_F_ACTIVE	0x0002	/* -D is locked: being delivered now */
#define MSG_F_BADFILE	0x0004	/* -H unreadable or malformed; see bad */
#define MSG_F_NODATA	0x0008	/* no -D: completing right now */
#define MSG_F_THAWED	0x0010	/* -manual_thaw */
#define MSG_F_LOCALERR	0x0020	/* -localerror: a bounce Exim made */
#define MSG_F_FIRST	0x0040	/* -deliver_firsttime: never tried */
#define MSG_F_WIRE	0x0080	/* -spool_file_wireformat */
#define MSG_F_JOURNAL	0x0100	/* a -J journal exists */
#define MSG_F_LOCAL	0x0200	/* -local: submitted on this host */

/* Recipient states. */
#define RCPT_PENDING	0
#define RCPT_DELIVERED	1	/* in the non-recipients tree or in -J */

/* ---- The parsed form of one -H file (pure; no I/O) ---- */

/* A byte range inside the parsed buffer; not NUL-terminated. */
struct spool_str {
	const char	*p;
	size_t		 len;
};

struct spool_opt {			/* one "-name value" line */
	struct spool_str name, value;	/* for -aclc/-aclm: the counted bytes */
	struct spool_str var;		/* -aclc/-aclm: the variable's suffix */
	int		 tainted;	/* written as --name */
};

struct spool_hrcpt {			/* one recipient line, decoded */
	struct spool_str addr, orcpt, errors_to;
	int		 pno;		/* one-time parent, -1 if none */
	int		 dsnflags;
};

struct spool_header {			/* one header as stored in -H */
	char		 flag;		/* ' ', 'B', 'C', ... '*' = deleted */
	struct spool_str text;		/* name, continuations, final \n */
};

/* Everything in a -H file.  Pointers go into the buffer given to
 * spool_parse_buf(), which must outlive this.  The arrays are reused by
 * the next parse; spool_hdr_init() before the first, spool_hdr_done()
 * after the last. */
struct spool_hdr {
	struct spool_str  id, login, sender;
	long		  uid, gid;
	int64_t		  received;	/* line 4, seconds */
	int		  usec;		/* -received_time_usec, -1 if absent */
	int		  warnings;	/* delay warnings sent */
	int64_t		  frozen_at;	/* -frozen value, 0 if not frozen */
	unsigned	  flags;	/* MSG_F_FROZEN, _THAWED, ... */
	struct spool_str  host_address, host_name, helo_name, protocol,
			  ident, auth_id, auth_sender, interface_address;
	long		  body_linecount;	/* -1 if absent */
	struct spool_opt *opts;
	size_t		  nopts, capopts;
	struct spool_str *tree;		/* non-recipients: a set */
	size_t		  ntree, captree;
	struct spool_hrcpt *rcpts;
	size_t		  nrcpts, caprcpts;
	struct spool_header *hdrs;
	size_t		  nhdrs, caphdrs;
	int64_t		  hdr_bytes;	/* live (not '*') header bytes */
	int		  nreceived;	/* 'P' headers: $received_count */
};

void	spool_hdr_init(struct spool_hdr *);
void	spool_hdr_done(struct spool_hdr *);

/* Parses the -H file buf[0..len) of message id (the name it was found
 * under; NULL skips that check).  Returns 0, or -1 with a short reason in
 * err ("truncated in recipients", ...).  Never reads outside buf. */
int	spool_parse_buf(const char *buf, size_t len, const char *id,
	    struct spool_hdr *, char *err, size_t errlen);

/* The IP address in a -host_address value (Exim's
 * $sender_host_address): "[ip]:port" of 4.96+ and "ip.port" of earlier
 * releases lose the port; anything else is returned whole. */
struct spool_str spool_host_ip(struct spool_str host_address);

/* Whether s[0..len) is an Exim message id (16 or 23 characters). */
int	spool_id_valid(const char *s, size_t len);
/* Arrival second encoded in the id's first 6 base-62 digits. */
int64_t	spool_id_time(const char *id);
/* The order of exim -bp: <0, 0 or >0 as id a comes before, with or
 * after id b. */
int	spool_id_cmp(const char *a, const char *b);

/* ---- A snapshot of the whole queue ---- */

/* Packed to 12 bytes (gcc and clang take the pragma): a million
 * messages hold several million of these.  The address is read with
 * spool_rcpt_addr(): where its domain part is its domain's name as
 * snap->domains holds it (as a rule), only the local part is stored. */
#pragma pack(push, 4)
struct spool_rcpt {
	const char	*part;		/* the local part when local, else the
					 * whole address; the snapshot's */
	uint32_t	 domain : 29;	/* number in snap->domains (lower
					 * case) */
	uint32_t	 local : 1;	/* part is local part: "@" domain
					 * follows */
	uint32_t	 state : 1;	/* RCPT_PENDING or RCPT_DELIVERED */
	uint32_t	 intree : 1;	/* private: delivered by -H alone */
};
#pragma pack(pop)
#define SPOOL_DOMAINS_MAX	((1u << 29) - 1)
/* Room for an address spool_rcpt_addr() joins: a longer one is stored
 * whole. */
#define SPOOL_ADDR_BUF		320

/* One message: a compact record (80 bytes); its strings live in the
 * snapshot's pools, its recipients in snap->rcpts. */
struct spool_msg {
	char		 id[SPOOL_ID_MAX + 1];
	char		 subdir;	/* split-spool directory, '\0' if flat */
	uint8_t		 pad_;		/* unused (keeps the layout explicit) */
	uint16_t	 flags;		/* MSG_F_* */
	uint32_t	 usec : 20;	/* 0 when unknown */
	uint32_t	 warnings : 12;	/* delay warnings sent (at most
					 * SPOOL_WARNINGS_MAX) */
	uint32_t	 rcpt0;		/* first recipient in snap->rcpts */
	uint32_t	 nrcpt, npending;
	uint32_t	 arrival;	/* seconds (-H line 4, 0 to 2^32-1) */
	/* The inodes as listed, folded to 32 bits (spool_ino()): -H to
	 * notice a rewrite, -D (0: none) to find its lock. */
	uint32_t	 h_ino, d_ino;
	int64_t		 size;		/* as exim -bp; -1 without -D */
	/* The sender, "" for a bounce; for MSG_F_BADFILE why the -H is
	 * bad instead: read it with spool_msg_sender()/spool_msg_bad(). */
	const char	*text;
	const char	*host;		/* sending host's IP, or NULL */
};

static inline const char *
spool_msg_sender(const struct spool_msg *m)
{
	return (m->flags & MSG_F_BADFILE) ? NULL : m->text;
}

static inline const char *
spool_msg_bad(const struct spool_msg *m)
{
	return (m->flags & MSG_F_BADFILE) ? m->text : NULL;
}

/* A time in seconds as a record keeps it: clamped to 0 .. 2^32-1. */
static inline uint32_t
spool_secs(int64_t t)
{
	return t < 0 ? 0 : t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* An inode number as a record keeps it: itself where it fits in 32 bits
 * (ext4's always do), else its halves xor-ed (never 0). */
static inline uint32_t
spool_ino(ino_t ino)
{
	uint64_t v = (uint64_t)ino;

	if (v <= UINT32_MAX)
		return (uint32_t)v;
	v = (v ^ (v >> 32)) & UINT32_MAX;
	return v != 0 ? (uint32_t)v : 1;
}

struct spool_priv;			/* spool_priv.h */

struct spool_snap {
	char		 *dir;		/* the spool directory */
	struct spool_msg *msgs;		/* sorted as exim -bp sorts */
	size_t		  nmsgs;
	struct spool_rcpt *rcpts;
	size_t		  nrcpts;
	struct intern	 *domains;	/* recipient domains, lower case,
					 * numbered in order of first sight */
	size_t		  nbad;		/* messages with MSG_F_BADFILE */
	size_t		  nactive, nfrozen;
	size_t		  norphans;	/* -D without -H and not locked */
	size_t		  nvanished;	/* listed, then gone before read */
	int		  split;	/* any message in a subdirectory */
	size_t		  nlisted;	/* -H files listed (more than nmsgs
					 * in a partial snapshot) */
	double		  scan_secs;
	time_t		  scan_start;	/* wall clock when the scan began */
	size_t		  nread;	/* -H files read for this snapshot
					 * (the rest came from the last one) */
	size_t		  ndirs;	/* directories listed for it (none
					 * when the watch named the changes) */
	/* private */
	struct spool_priv *priv;
	uint32_t	 *byid;		/* hash of ids: index + 1, 0 empty */
	size_t		  nbyid;	/* slots, 1.25 times the messages */
};

/* What a refresh keeps between two looks at the spool: inotify watches
 * on input/ and its subdirectories where the system has them, read by
 * a thread of its own.  Owned by the one thread that scans; NULL is a
 * watch that never sees anything (every refresh then looks at the
 * directories' mtimes). */
struct spool_watch;
struct spool_watch *spool_watch_new(void);
void	spool_watch_free(struct spool_watch *);	/* NULL is a no-op */
/* A thread of the watch reads its events as they come; held (on), it
 * does not, and a burst of changes overflows the kernel's queue (tests
 * of the fallback). */
void	spool_watch_hold(struct spool_watch *, int on);

struct spool_scan_opts {
	int	threads;	/* 0: one per core (at most 8) */
	int	no_lock_probe;	/* skip looking whether -D is locked */
	/* Progress for another thread to show, when not NULL: total is
	 * set once the directories are listed, done grows as -H files are
	 * read. */
	atomic_size_t *done, *total;
	/* When set and more than partial_n messages are listed, those of
	 * the first directories listed (the oldest partial_n of them) are
	 * read first and handed over, before the rest is even listed (the
	 * callee frees that snapshot; its nlisted says how many were
	 * listed then); then every message is read as usual.  For a first
	 * screen. */
	void	(*partial)(void *arg, struct spool_snap *part);
	size_t	 partial_n;
	void	*arg;
	/* When set, only these messages (nids ids) are read. */
	const char *const *ids;
	size_t	 nids;
	/* List only: records hold the id, the subdirectory and the arrival
	 * the id encodes (size -1, no sender, no recipients), as exim -bpi
	 * reads the queue. */
	int	 ids_only;
	/* Armed by spool_scan() and read by spool_refresh(), may be NULL. */
	struct spool_watch *watch;
	/* Tests: called once the directories are listed, before any -H
	 * is read. */
	void	(*listed)(void *arg);
	/* When this turns nonzero (another thread sets it), the scan
	 * stops within 256 messages a reader: spool_scan() returns NULL,
	 * spool_refresh() -1, with "cancelled" in err. */
	const atomic_int *cancel;
};

/* Scans dir (the spool directory: it holds input/).  Returns NULL, with
 * a one-line reason in err, if dir or dir/input cannot be read.  Every
 * other problem is data: a bad message gets MSG_F_BADFILE and a reason.
 * opts may be NULL.  The caller frees with spool_snap_free().
 *
 * Nothing is locked or written: -H files are opened and read (openat
 * relative to their directory, read until a short read), -D files are
 * looked at with one fstatat(); whether Exim holds a -D's lock comes
 * from one read of /proc/locks per scan (F_GETLK file by file where
 * there is none). */
struct spool_snap *spool_scan(const char *dir, const struct spool_scan_opts *,
	    char *err, size_t errlen);
void	spool_snap_free(struct spool_snap *);	/* NULL is a no-op */

/* The queue as it is now, from prev (a full scan or a refresh of the
 * same spool, which stays untouched and must outlive the call): only
 * the directories that changed (by opts->watch, else by their mtimes)
 * are listed again, only new or rewritten -H files (a new inode, or
 * named by the watch) are read, -J files are read again, the lock
 * state comes from /proc/locks; every other record is copied from prev.
 * The result equals what spool_scan() would return.  Returns 1 with a
 * new snapshot in *next, 0 with *next NULL when nothing changed (prev
 * is still exact), -1 with err when input/ cannot be read.  opts->ids,
 * ids_only, partial are ignored (a prev made with ids or ids_only is
 * scanned afresh). */
int	spool_refresh(const struct spool_snap *prev,
	    const struct spool_scan_opts *, struct spool_snap **next,
	    char *err, size_t errlen);

/* Bytes the snapshot holds (records, recipients, strings, index). */
size_t	spool_snap_bytes(const struct spool_snap *);
/* Whether a and b say the same of every message (every field of every
 * record and recipient, the totals; not the timings, inodes are
 * compared too).  0 when they do, else -1 with the first difference in
 * why. */
int	spool_snap_diff(const struct spool_snap *a, const struct spool_snap *b,
	    char *why, size_t len);

/* Finds a message by id (a hash lookup); NULL if it is not in the
 * snapshot. */
const struct spool_msg *spool_find(const struct spool_snap *, const char *id);
/* The same for ids asked in exim -bp order (the order of another
 * snapshot's messages): a walk along the snapshot, a lookup only where
 * that order does not hold.  Start with { snap, 0 }. */
struct spool_walk {
	const struct spool_snap	*snap;
	size_t			 at;
};
const struct spool_msg *spool_walk_find(struct spool_walk *, const char *id);
/* Domain name of recipient r. */
const char *spool_rcpt_domain(const struct spool_snap *,
	    const struct spool_rcpt *);
/* Recipient r's address as its -H has it: r->part itself, or its local
 * part and domain joined in buf.  Valid while both are. */
const char *spool_rcpt_addr(const struct spool_snap *,
	    const struct spool_rcpt *, char buf[SPOOL_ADDR_BUF]);

/* Reads message id's -H (and -J) again, in full, for display: *bufp is
 * a buffer the caller frees (reused when non-NULL), h is filled from it,
 * and delivered[] (h->nrcpts entries, caller frees) tells each
 * recipient's state.  m, unless NULL, gets the message's record as a
 * scan would make it, without its recipients (size, flags, arrival).
 * Returns 0, or -1 with err (errno ENOENT when the message is gone). */
int	spool_load(const char *dir, const char *id, char **bufp, size_t *capp,
	    struct spool_hdr *h, uint8_t **delivered, struct spool_msg *m,
	    char *err, size_t errlen);

/* Path of a spool file of message id ("-H", "-D", "-J"; "" with
 * sub "msglog" for its msglog), trying the split subdirectory and the
 * flat one; returns 0 and fills path when it exists, else -1. */
int	spool_path(const char *dir, const char *sub, const char *id,
	    const char *suffix, char *path, size_t len);

#endif
