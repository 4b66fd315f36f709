/* verify.h -- what the primary answered when asked about each queued
 * recipient (mxtop verify): per address the result, the reply and when;
 * the text form of the state file that keeps them between runs; and
 * the watch that stops a verify run when the primary is in trouble.
 *
 * Pure: no I/O (run/vstate.h reads and writes the file, run/callout.h
 * asks the primary).  Results are per address: the primary's answer is
 * about the address, whichever message holds it.  A result older than
 * the caller's limit (--max-verify-age) reads as unknown. */
#ifndef MXTOP_MODEL_VERIFY_H
#define MXTOP_MODEL_VERIFY_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum verify_res {
	VERIFY_UNKNOWN = 0,	/* no answer (or none yet, or expired) */
	VERIFY_ACCEPTED,	/* 2xx to RCPT */
	VERIFY_REJECTED,	/* 5xx to RCPT: the only result that lets
				 * drain remove a recipient */
	VERIFY_DEFERRED,	/* 4xx to RCPT */
	VERIFY__COUNT
};

/* "unknown", "accepted", "rejected", "deferred". */
const char	*verify_res_name(enum verify_res);
/* The result named s, or -1. */
int		 verify_res_parse(const char *s);
/* The result of an RCPT reply code (0: no reply). */
enum verify_res	 verify_res_of_code(int code);

/* One address's latest result.  Strings owned by the set. */
struct verify_rec {
	const char	*addr;
	time_t		 time;		/* when the primary answered (or
					 * did not) */
	enum verify_res	 res;
	int		 code;		/* reply code, 0 none */
	const char	*reply;		/* the reply, or why none; untrusted
					 * bytes */
};

struct verify_set;			/* opaque */

struct verify_set *verify_set_new(void);
void		 verify_set_free(struct verify_set *);	/* NULL: no-op */
/* Records a result for addr (copied), replacing an older one; an older
 * result than the one kept is ignored.  reply may be NULL. */
void		 verify_set_put(struct verify_set *, const char *addr,
		    time_t t, enum verify_res res, int code,
		    const char *reply);
/* The record of addr, or NULL.  Valid until the next put. */
const struct verify_rec *verify_set_get(const struct verify_set *,
		    const char *addr);
/* addr's result as of now: unknown when there is none or it is older
 * than max_age seconds (max_age <= 0: no limit). */
enum verify_res	 verify_set_result(const struct verify_set *,
		    const char *addr, time_t now, int64_t max_age);
/* Records in order of first sight: n, and record i. */
size_t		 verify_set_count(const struct verify_set *);
const struct verify_rec *verify_set_at(const struct verify_set *, size_t i);

/* The state file, as text: a comment line, then one record a line,
 *	time TAB result TAB code TAB address TAB reply
 * with control bytes, '\\' and TAB in address and reply written \xNN.
 * verify_set_parse() adds the records of buf[0..len) (untrusted: any
 * bytes) to the set and returns how many lines it could not read.
 * verify_set_format() writes the set's records not older than
 * keep_since into a new string (*out, caller frees; *outlen). */
size_t		 verify_set_parse(struct verify_set *, const char *buf,
		    size_t len);
void		 verify_set_format(const struct verify_set *,
		    time_t keep_since, char **out, size_t *outlen);

/* ---- The watch: when to stop asking ---- */

/* Probing thousands of invalid addresses is what makes appliances
 * tarpit or block a relay, so a verify run stops at the first 421, at
 * VERIFY_STOP_4XX 4xx replies in a row, at VERIFY_STOP_STALLS stalls
 * (no reply in time) in a row, and at VERIFY_STOP_DROPS dropped or
 * refused connections in a row. */
#define VERIFY_STOP_4XX		10
#define VERIFY_STOP_STALLS	2
#define VERIFY_STOP_DROPS	3

enum verify_event {
	VERIFY_EV_REPLY,	/* an RCPT reply (code) */
	VERIFY_EV_STALL,	/* a step got no reply in time */
	VERIFY_EV_DROP,		/* the connection closed or was refused */
	VERIFY_EV_REFUSED	/* the session was refused (banner, EHLO,
				 * MAIL: code) */
};

struct verify_watch {
	unsigned	 n4xx, stalls, drops;
	int		 stopped;
	char		 why[256];
};

/* Feeds one event (code for replies, text the reply or what happened,
 * untrusted); returns 1 when the run must stop (why says why, in plain
 * words), else 0. */
int		 verify_watch_feed(struct verify_watch *, enum verify_event,
		    int code, const char *text);
#endif
