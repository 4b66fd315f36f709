/* probe.h -- what a callout-style SMTP probe of a primary MX says: the
 * steps as they went (connect, banner, EHLO, MAIL, RCPT of a random
 * address, RCPT of sampled queued recipients, RSET, QUIT), and the
 * verdict.  Pure: the session itself is run/callout.h's; the reply texts
 * are classified with model/classify.h's rules (one classifier of SMTP
 * reply text), so "421 too many" is ratelimit and "550 ... blocked using
 * zen.spamhaus" blocked here as in the logs. */
#ifndef MXTOP_MODEL_PROBE_H
#define MXTOP_MODEL_PROBE_H
#include <stddef.h>

/* The verdict (mxtop.1, probe; the JSON field "class"). */
enum probe_class {
	PROBE_NONE = 0,		/* no verdict: nothing could be tried */
	PROBE_OFFLINE,		/* refused, unreachable, connect timed out */
	PROBE_TARPIT,		/* connects, then a step stalls or is slow */
	PROBE_RATELIMIT,	/* 421, "too many", try later */
	PROBE_SOFTREJECT,	/* 4xx to RCPT: the soft-reject mistake */
	PROBE_BLOCKED,		/* 5xx with block, spam, RBL, policy text */
	PROBE_ACCEPTS_ALL,	/* the random address was accepted */
	PROBE_TLS_REQUIRED,	/* 530: wants STARTTLS, which we never do */
	PROBE_OK,		/* random address 5xx, samples answered */
	PROBE__COUNT
};

enum probe_kind {
	PROBE_S_CONNECT, PROBE_S_BANNER, PROBE_S_EHLO, PROBE_S_HELO,
	PROBE_S_MAIL, PROBE_S_RCPT_RANDOM, PROBE_S_RCPT, PROBE_S_RSET,
	PROBE_S_QUIT, PROBE_S__COUNT
};

/* How a step ended. */
enum probe_outcome {
	PROBE_O_REPLY,		/* a reply (code, text) */
	PROBE_O_TIMEOUT,	/* no (complete) reply in time */
	PROBE_O_CLOSED,		/* the server closed the connection */
	PROBE_O_REFUSED,	/* connect: refused, unreachable, timed out */
	PROBE_O_ERROR,		/* a reply that is none, a socket error */
	PROBE_O_CONNECTED	/* connect: it worked */
};

#define PROBE_STEPS_MAX	40
#define PROBE_TEXT_MAX	512

struct probe_step {
	enum probe_kind	 kind;
	enum probe_outcome out;
	char		 host[64];	/* connect: the address tried */
	int		 port;
	char		 cmd[300];	/* what was sent ("" connect, banner) */
	int		 code;		/* of the reply, 0 none */
	char		 enh[12];
	char		 text[PROBE_TEXT_MAX];	/* the reply, or why not:
					 * untrusted bytes */
	double		 latency;	/* seconds */
};

struct probe {
	struct probe_step steps[PROBE_STEPS_MAX];
	size_t		 n;
	double		 slow;		/* a reply slower than this many
					 * seconds is a tarpit's */
};

/* Appends a step (kind, what was sent) and returns it, or NULL when the
 * probe is full. */
struct probe_step *probe_add(struct probe *, enum probe_kind,
		    const char *cmd);

/* The verdict of the steps, with one sentence of why (plain text, reply
 * words quoted sanitized) into why.  Order: no connection at all is
 * offline; a stall (timeout) is tarpit; 421 or rate words ratelimit; 530
 * tls-required; block/spam/RBL words blocked; a reply slower than slow
 * tarpit; the random address accepted accepts-all; a 4xx to a RCPT
 * softreject; a 5xx to the random address and answers to the samples
 * ok; anything else (a banner or MAIL refused without such words) by
 * the classifier, else blocked. */
enum probe_class probe_classify(const struct probe *, char *why,
		    size_t len);

/* "offline", "tarpit", ..., "accepts-all", "tls-required", "ok";
 * "none" for PROBE_NONE.  Never NULL. */
const char	*probe_class_name(enum probe_class);
/* "connect", "banner", "ehlo", "helo", "mail", "rcpt-random", "rcpt",
 * "rset", "quit". */
const char	*probe_kind_name(enum probe_kind);
/* "reply", "timeout", "closed", "refused", "error", "connected". */
const char	*probe_outcome_name(enum probe_outcome);
/* What an operator does about the verdict: one static sentence. */
const char	*probe_advice(enum probe_class);
#endif
