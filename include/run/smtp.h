/* smtp.h -- a minimal SMTP client for callouts: connect, read a reply,
 * send one command, read its reply; never DATA, never STARTTLS.
 *
 * Two parts:
 *   1. the reply parser (smtp_reply.c): bytes in, complete replies out,
 *      single- or multi-line ("250-...", "250 ..."), bounded: over-long
 *      lines are cut, lines beyond SMTP_REPLY_LINES are counted and
 *      dropped, anything that is not a reply line makes the reply bad.
 *      Pure, fuzzed (tests/fuzz/fuzz_smtpreply.c);
 *   2. a connection (smtp.c), non-blocking so that many can be polled
 *      together and a curses loop is never held up: each step (connect,
 *      the banner, each command's reply) has a deadline.
 * Reply text is untrusted bytes: sanitize it (base/text.h) before it
 * reaches a terminal.  Nothing here prints. */
#ifndef MXTOP_RUN_SMTP_H
#define MXTOP_RUN_SMTP_H
#include <stddef.h>

/* ---- 1. Replies ---- */

#define SMTP_LINE_MAX	1024		/* bytes of a line kept */
#define SMTP_TEXT_MAX	2048		/* bytes of a reply's text kept */
#define SMTP_REPLY_LINES 64		/* lines of a reply kept */

enum smtp_rstate {
	SMTP_R_MORE,		/* needs more bytes */
	SMTP_R_DONE,		/* a complete reply */
	SMTP_R_BAD		/* not an SMTP reply (the text says what came) */
};

struct smtp_reply {
	int		 code;		/* 200-599 (the last line's); 0 bad */
	char		 enh[12];	/* enhanced status code, "" none */
	char		 text[SMTP_TEXT_MAX];	/* "250 first line next line",
					 * the code once, then each line's
					 * text joined by a blank */
	size_t		 len;		/* of text */
	unsigned	 nlines, dropped;	/* lines kept, lines dropped */
	int		 cut;		/* some text was cut */
	/* Parser state. */
	char		 line[SMTP_LINE_MAX];
	size_t		 llen, lfull;	/* bytes kept, bytes seen */
};

/* Starts a new reply. */
void	smtp_reply_init(struct smtp_reply *);
/* Feeds buf[0..n).  Returns the bytes consumed (up to the end of the
 * reply when it completes: the rest belongs to the next one) and sets
 * *st.  Lines end in LF (CR LF or a bare LF).  A line that is not
 * "ddd", "ddd text" or "ddd-text" with ddd 200-599 makes the reply
 * SMTP_R_BAD (code 0, text the line).  After DONE or BAD, call
 * smtp_reply_init() before feeding more. */
size_t	smtp_reply_feed(struct smtp_reply *, const char *buf, size_t n,
	    enum smtp_rstate *st);

/* ---- 2. A connection ---- */

enum smtp_ev {
	SMTP_EV_NONE,		/* nothing yet: poll again */
	SMTP_EV_REPLY,		/* a reply (the banner after connecting) */
	SMTP_EV_TIMEOUT,	/* the step's deadline passed */
	SMTP_EV_CLOSED,		/* the server closed the connection */
	SMTP_EV_REFUSED,	/* connect failed (refused, unreachable) */
	SMTP_EV_ERROR		/* a bad reply or a socket error (why) */
};

struct smtp_conn {
	int		 fd;		/* -1 closed */
	int		 connecting;
	int		 waiting;	/* a reply is awaited */
	int		 err0;		/* errno of the connect call, 0 none */
	double		 timeout;	/* seconds a step may take */
	double		 deadline;	/* of the current step */
	double		 t_start;	/* when the current step started */
	double		 t_open;	/* when connecting started */
	double		 t_connected;	/* when it completed, 0 not yet */
	char		 out[1100];	/* the command being sent */
	size_t		 olen, ooff;
	char		 in[4096];	/* bytes read, not yet parsed */
	size_t		 ilen;
	struct smtp_reply reply;	/* the current (or last) reply */
	char		 why[256];	/* REFUSED, CLOSED, ERROR: what */
};

/* Starts connecting to the numeric address addr (IPv4 or IPv6; no name
 * lookups) at port within timeout seconds of now, then awaits the
 * banner for as long again.  Returns 0, or -1 with c->why (a bad
 * address, no socket). */
int	smtp_open(struct smtp_conn *c, const char *addr, int port,
	    double timeout, double now);
/* Sends line (CR LF is added; CR, LF and NUL in line are refused) and
 * awaits its reply within timeout seconds of now.  Returns 0 or -1. */
int	smtp_send(struct smtp_conn *c, const char *line, double timeout,
	    double now);
/* poll(2) events c waits for (0 when closed or idle). */
short	smtp_events(const struct smtp_conn *c);
/* Handles revents (from poll; 0 after a timeout) at time now.  On
 * SMTP_EV_REPLY the reply is in c->reply; on TIMEOUT, CLOSED, REFUSED
 * and ERROR the connection is closed. */
enum smtp_ev smtp_handle(struct smtp_conn *c, short revents, double now);
/* Blocks until the awaited reply (or its failure), for one connection
 * alone (the probe).  */
enum smtp_ev smtp_wait(struct smtp_conn *c);
/* Closes (no QUIT is sent); safe to call twice. */
void	smtp_close(struct smtp_conn *c);
/* Seconds the current step has taken at now. */
double	smtp_elapsed(const struct smtp_conn *c, double now);
#endif
