/* callout.h -- asking a primary MX about recipients the way Exim's
 * callouts do: connect, banner, EHLO (HELO if refused), MAIL FROM:<>,
 * RCPT TO:..., RSET, QUIT.  Never DATA, never STARTTLS.  Two uses:
 *   probe (callout_probe.c): one session, every step timed and kept
 *         (model/probe.h classifies them);
 *   verify (callout_job.c): every queued recipient, in sessions of up
 *         to batch recipients, paced by a token bucket over all
 *         sessions, --parallel sessions at once; non-blocking like
 *         mta_job, so the TUI can drive it; stops by itself when the
 *         primary gets into trouble (model/verify.h's watch).
 * Connections go only to the numeric addresses given: no name lookups
 * here (the route comes from exim -bt, run/mta.h).  Nothing prints. */
#ifndef MXTOP_RUN_CALLOUT_H
#define MXTOP_RUN_CALLOUT_H
#include <stddef.h>
#include <time.h>

#include "model/probe.h"
#include "model/verify.h"

/* How to talk. */
struct callout_cfg {
	const char	*helo;		/* the relay's name, for EHLO */
	const char	*sender;	/* MAIL FROM address; NULL or "": <> */
	double		 timeout;	/* seconds per step */
};

#define CALLOUT_TIMEOUT	15		/* default seconds per step */

/* A host to try: a numeric address (IPv4 or IPv6) and port. */
struct callout_host {
	char		 addr[64];
	int		 port;
	char		 name[256];	/* for reports; may be "" */
};

/* A local part that cannot exist ("mxtop-probe-" and 16 random hex
 * digits), into buf (at least 32 bytes). */
void	 callout_random_local(char *buf, size_t len);

/* Whether addr may go into "RCPT TO:<...>": no control bytes, no '<',
 * '>' or blanks, one '@', at most 254 bytes. */
int	 callout_addr_ok(const char *addr);

/* The probe: tries hosts[0..nhosts) in order until one connects (each
 * failure a connect step), then greets, MAIL FROM, RCPT TO random_addr,
 * RCPT TO each sample (samples[0..nsamples), those that are not
 * callout_addr_ok() left out), RSET and QUIT, stopping at a stall, a
 * drop, a 421 or a refused greeting or MAIL.  Blocks up to (2 + steps)
 * timeouts.  The steps go into p (zeroed by the caller, p->slow set). */
void	 callout_probe(const struct callout_cfg *,
	    const struct callout_host *hosts, size_t nhosts,
	    const char *random_addr, const char *const *samples,
	    size_t nsamples, struct probe *p);

/* ---- verify ---- */

struct callout_pace {
	double		 rate;		/* RCPTs per second over all
					 * sessions; <= 0: unlimited */
	int		 parallel;	/* sessions at once; 0: 1 */
	size_t		 batch;		/* RCPTs per session; 0:
					 * CALLOUT_BATCH */
};

#define CALLOUT_BATCH	20
#define CALLOUT_TXN_MAX	100		/* RCPTs per transaction: then RSET */

/* One address's outcome. */
struct callout_result {
	const char	*addr;		/* as given (owned by the job) */
	int		 done;		/* asked (else left when it stopped) */
	enum verify_res	 res;
	int		 code;
	char		 reply[256];	/* the reply, or why none; untrusted */
	time_t		 time;		/* wall clock of the answer */
	double		 latency;	/* seconds */
	double		 sent;		/* when its RCPT went, seconds after
					 * the job started (0: not sent) */
};

struct callout_progress {
	size_t		 total, done, left;
	size_t		 n[VERIFY__COUNT];	/* done, by result */
	size_t		 sessions;	/* open now */
	double		 elapsed;	/* seconds */
	double		 rate;		/* the limit, 0 none */
	double		 throughput;	/* answers per second so far */
	double		 eta;		/* seconds, -1 unknown */
	int		 stopping;
	const char	*stop_reason;	/* NULL, or why it stopped early */
};

struct callout_job;			/* opaque */

/* A verify run over addrs[0..n) (copied; duplicates are asked once),
 * against hosts[0..nhosts) (a refused connection moves on to the next
 * host).  Addresses that are not callout_addr_ok() are done at once as
 * unknown.  Nothing happens until callout_job_step().  Never NULL. */
struct callout_job *callout_job_new(const struct callout_cfg *,
		    const struct callout_host *hosts, size_t nhosts,
		    const char *const *addrs, size_t n,
		    const struct callout_pace *);
/* Opens sessions and sends what the pace allows, reads replies; waits
 * at most timeout_ms.  Returns 1 while running, 0 when finished. */
int	 callout_job_step(struct callout_job *, int timeout_ms);
/* Stops sending new RCPTs; open sessions are QUIT; what was never
 * asked stays left.  reason may be NULL ("cancelled"). */
void	 callout_job_cancel(struct callout_job *, const char *reason);
void	 callout_job_progress(const struct callout_job *,
		    struct callout_progress *);
/* The next address that got its result since the last call, or NULL.
 * Valid until callout_job_free(). */
const struct callout_result *callout_job_reap(struct callout_job *);
/* All addresses, in the order given (duplicates dropped). */
const struct callout_result *callout_job_results(const struct callout_job *,
		    size_t *n);
void	 callout_job_free(struct callout_job *);	/* NULL: no-op */
#endif
