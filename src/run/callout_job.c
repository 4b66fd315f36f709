/* callout_job.c -- verify: RCPT every address at the primary in paced,
 * parallel, non-blocking sessions (callout.h), stopping when the
 * primary gets into trouble (model/verify.h's watch). */
#define _GNU_SOURCE		/* ppoll(2) */
#include "run/callout.h"
#include "run/smtp.h"
#include "run/mta.h"
#include "base/intern.h"
#include "base/mem.h"
#include "base/units.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

enum sstate { S_BANNER, S_EHLO, S_HELO, S_MAIL, S_IDLE, S_RCPT, S_RSET,
	S_QUIT };

struct sess {
	struct smtp_conn c;
	enum sstate	 st;
	size_t		 cur;		/* result index of the RCPT in flight */
	size_t		 nrcpt, ntxn;	/* RCPTs this session, transaction */
	double		 t_sent;
};

struct callout_job {
	struct callout_cfg	 cfg;
	char			*helo, *sender;
	struct callout_host	*hosts;
	size_t			 nhosts, host;
	struct intern		*seen;
	struct callout_result	*res;
	size_t			 n;
	size_t			*queue;		/* indexes still to ask */
	size_t			 qhead, qtail, qcap;
	unsigned char		*tries;
	struct sess		*ss;
	size_t			 nss, parallel, batch;
	struct mta_bucket	 bucket;
	double			 rate, t0;
	struct verify_watch	 watch;
	size_t			*done;		/* finished, in order */
	size_t			 ndone, dread;
	size_t			 count[VERIFY__COUNT];
	int			 stopping;
	char			 reason[256];
};

static void
finish(struct callout_job *j, size_t i, enum verify_res r, int code,
    const char *reply, double latency)
{
	struct callout_result *x = &j->res[i];

	if (x->done)
		return;
	x->done = 1;
	x->res = r;
	x->code = code;
	snprintf(x->reply, sizeof(x->reply), "%s", reply != NULL ? reply : "");
	x->time = time(NULL);
	x->latency = latency;
	j->count[r]++;
	j->done[j->ndone++] = i;
}

static void
stop(struct callout_job *j, const char *why)
{
	if (j->stopping)
		return;
	j->stopping = 1;
	snprintf(j->reason, sizeof(j->reason), "%s", why);
}

struct callout_job *
callout_job_new(const struct callout_cfg *cfg,
    const struct callout_host *hosts, size_t nhosts,
    const char *const *addrs, size_t n, const struct callout_pace *pace)
{
	struct callout_job	*j = xcalloc(1, sizeof(*j));
	size_t			 i, k;

	j->helo = xstrdup(cfg->helo != NULL ? cfg->helo : "localhost");
	j->sender = xstrdup(cfg->sender != NULL ? cfg->sender : "");
	j->cfg = *cfg;
	j->cfg.helo = j->helo;
	j->cfg.sender = j->sender;
	if (j->cfg.timeout <= 0)
		j->cfg.timeout = CALLOUT_TIMEOUT;
	j->hosts = xcalloc(nhosts + 1, sizeof(*j->hosts));
	memcpy(j->hosts, hosts, nhosts * sizeof(*hosts));
	j->nhosts = nhosts;
	j->seen = intern_new();
	j->res = xcalloc(n + 1, sizeof(*j->res));
	j->queue = xcalloc(n + 1, sizeof(*j->queue));
	j->qcap = n + 1;
	j->tries = xcalloc(n + 1, 1);
	j->done = xcalloc(n + 1, sizeof(*j->done));
	for (i = 0; i < n; i++) {
		k = intern_count(j->seen);
		if (intern_add(j->seen, addrs[i], strlen(addrs[i])) != k)
			continue;		/* a duplicate */
		j->res[j->n].addr = intern_str(j->seen, (uint32_t)k);
		j->n++;
	}
	for (i = 0; i < j->n; i++) {
		if (!callout_addr_ok(j->res[i].addr))
			finish(j, i, VERIFY_UNKNOWN, 0, "not asked: an address "
			    "that cannot go into RCPT TO", 0);
		else
			j->queue[j->qtail++] = i;
	}
	j->parallel = pace != NULL && pace->parallel > 0 ?
	    (size_t)pace->parallel : 1;
	j->batch = pace != NULL && pace->batch > 0 ? pace->batch :
	    CALLOUT_BATCH;
	j->rate = pace != NULL && pace->rate > 0 ? pace->rate : 0;
	/* Room for a session that opens while another says QUIT. */
	j->ss = xcalloc(2 * j->parallel, sizeof(*j->ss));
	/* Waits end on time, not up to 50 us late (the default timer
	 * slack): a bucket of one token never makes up for lateness. */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	j->t0 = units_mono();
	mta_bucket_init(&j->bucket, j->rate, 1, j->t0);
	if (nhosts == 0)
		stop(j, "no host to ask");
	return j;
}

/* Puts index i back at the front of the queue (once), else gives it
 * unknown. */
static void
requeue(struct callout_job *j, size_t i, const char *why, double lat)
{
	if (j->tries[i]++ == 0 && !j->stopping) {
		if (j->qhead == 0) {
			memmove(j->queue + 1, j->queue, (j->qtail) *
			    sizeof(*j->queue));
			j->qtail++;
		} else
			j->qhead--;
		j->queue[j->qhead] = i;
		return;
	}
	finish(j, i, VERIFY_UNKNOWN, 0, why, lat);
}

static void
sess_close(struct callout_job *j, size_t si)
{
	smtp_close(&j->ss[si].c);
	j->ss[si] = j->ss[--j->nss];
}

/* Sends cmd on session s in state st; -1 when it could not. */
static int
send_cmd(struct callout_job *j, struct sess *s, enum sstate st,
    const char *cmd, double now)
{
	if (smtp_send(&s->c, cmd, j->cfg.timeout, now) < 0)
		return -1;
	s->st = st;
	s->t_sent = now;
	return 0;
}

/* A session's connection failed (ev); what it was doing decides. */
static void
sess_failed(struct callout_job *j, size_t si, enum smtp_ev ev, double now)
{
	struct sess	*s = &j->ss[si];
	char		 why[300];
	double		 lat = now - s->t_sent;

	snprintf(why, sizeof(why), "%s%s", ev == SMTP_EV_TIMEOUT ?
	    "no reply in time: " : "", s->c.why);
	if (s->st == S_RCPT)
		requeue(j, s->cur, why, lat);
	if (s->st != S_QUIT) {
		if (ev == SMTP_EV_REFUSED && j->nhosts > 1)
			j->host = (j->host + 1) % j->nhosts;
		if (verify_watch_feed(&j->watch, ev == SMTP_EV_TIMEOUT ?
		    VERIFY_EV_STALL : VERIFY_EV_DROP, 0, why))
			stop(j, j->watch.why);
	}
	sess_close(j, si);
}

/* Starts the next RCPT (or the end of the session) on an idle one.
 * Returns 1 when it waits for the bucket. */
static int
sess_next(struct callout_job *j, struct sess *s, double now)
{
	char	 cmd[300];

	if (j->stopping || j->qhead == j->qtail || s->nrcpt >= j->batch)
		return send_cmd(j, s, S_QUIT, "QUIT", now), 0;
	if (s->ntxn >= CALLOUT_TXN_MAX) {
		s->ntxn = 0;
		return send_cmd(j, s, S_RSET, "RSET", now), 0;
	}
	if (mta_bucket_take(&j->bucket, 1, now) != 1)
		return 1;
	s->cur = j->queue[j->qhead++];
	s->nrcpt++;
	s->ntxn++;
	j->res[s->cur].sent = now - j->t0;
	snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>", j->res[s->cur].addr);
	if (send_cmd(j, s, S_RCPT, cmd, now) < 0)
		requeue(j, s->cur, "could not send", 0);
	return 0;
}

/* A reply on session s.  Returns -1 when the session is over. */
static int
sess_reply(struct callout_job *j, struct sess *s, double now)
{
	const struct smtp_reply	*r = &s->c.reply;
	char			 cmd[300];
	int			 code = r->code;

	switch (s->st) {
	case S_BANNER:
	case S_EHLO:
	case S_HELO:
	case S_MAIL:
	case S_RSET:
		if (s->st == S_EHLO && code >= 500) {
			snprintf(cmd, sizeof(cmd), "HELO %s", j->helo);
			return send_cmd(j, s, S_HELO, cmd, now);
		}
		if (code < 200 || code >= 300) {
			if (verify_watch_feed(&j->watch, VERIFY_EV_REFUSED,
			    code, r->text))
				stop(j, j->watch.why);
			return -1;
		}
		if (s->st == S_BANNER) {
			snprintf(cmd, sizeof(cmd), "EHLO %s", j->helo);
			return send_cmd(j, s, S_EHLO, cmd, now);
		}
		if (s->st != S_MAIL) {
			snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>", j->sender);
			return send_cmd(j, s, S_MAIL, cmd, now);
		}
		s->st = S_IDLE;
		return 0;
	case S_RCPT:
		finish(j, s->cur, verify_res_of_code(code), code, r->text,
		    now - s->t_sent);
		if (verify_watch_feed(&j->watch, VERIFY_EV_REPLY, code,
		    r->text))
			stop(j, j->watch.why);
		if (code == 421)
			return -1;
		s->st = S_IDLE;
		return 0;
	case S_QUIT:
		return -1;
	case S_IDLE:
		break;
	}
	return 0;
}

/* Sessions that still ask (not quitting, batch not used up). */
static size_t
live(const struct callout_job *j)
{
	size_t	 i, n = 0;

	for (i = 0; i < j->nss; i++)
		n += j->ss[i].st != S_QUIT && j->ss[i].nrcpt < j->batch;
	return n;
}

/* Opens sessions while there is work and room: the next one is greeted
 * while the last one asks its last recipient, so the pace does not
 * stall at every new session. */
static void
open_more(struct callout_job *j, double now)
{
	struct sess		*s;
	const struct callout_host *h;

	while (!j->stopping && j->nss < 2 * j->parallel &&
	    live(j) < j->parallel && j->qhead < j->qtail &&
	    live(j) < j->qtail - j->qhead) {
		s = &j->ss[j->nss];
		memset(s, 0, sizeof(*s));
		h = &j->hosts[j->host];
		s->st = S_BANNER;
		s->t_sent = now;
		if (smtp_open(&s->c, h->addr, h->port, j->cfg.timeout,
		    now) < 0) {
			stop(j, s->c.why);
			smtp_close(&s->c);
			return;
		}
		j->nss++;
	}
}

int
callout_job_step(struct callout_job *j, int timeout_ms)
{
	struct pollfd	*pf;
	struct timespec	 ts;
	double		 t_end = units_mono() + timeout_ms / 1000.0, now, wait;
	size_t		 i, np;
	int		 waiting, rc;
	enum smtp_ev	 ev;

	for (;;) {
		now = units_mono();
		open_more(j, now);
		waiting = 0;
		for (i = 0; i < j->nss; i++)
			if (j->ss[i].st == S_IDLE)
				waiting |= sess_next(j, &j->ss[i], now);
		if (j->nss == 0 && (j->stopping || j->qhead == j->qtail))
			break;
		/* To the nanosecond: at 500/s a millisecond is half a token,
		 * and a bucket of one token never makes up for lateness. */
		wait = t_end - now;
		for (i = 0; i < j->nss; i++)
			if (j->ss[i].st != S_IDLE &&
			    j->ss[i].c.deadline - now < wait)
				wait = j->ss[i].c.deadline - now;
		if (waiting && mta_bucket_wait(&j->bucket, now) < wait)
			wait = mta_bucket_wait(&j->bucket, now);
		if (wait < 0)
			wait = 0;
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		pf = xcalloc(j->nss + 1, sizeof(*pf));
		for (i = np = 0; i < j->nss; i++) {
			pf[np].fd = j->ss[i].c.fd;
			pf[np].events = smtp_events(&j->ss[i].c);
			pf[np].revents = 0;
			np++;
		}
		rc = ppoll(pf, np, &ts, NULL);
		if (rc < 0 && errno != EINTR) {
			free(pf);
			break;
		}
		now = units_mono();
		for (i = j->nss; i > 0; i--) {
			struct sess *s = &j->ss[i - 1];

			if (s->st == S_IDLE)
				continue;
			ev = smtp_handle(&s->c, rc > 0 ? pf[i - 1].revents : 0,
			    now);
			if (ev == SMTP_EV_NONE)
				continue;
			if (ev != SMTP_EV_REPLY)
				sess_failed(j, i - 1, ev, now);
			else if (sess_reply(j, s, now) < 0)
				sess_close(j, i - 1);
		}
		free(pf);
		if (units_mono() >= t_end)
			break;
	}
	if (j->nss == 0 && j->stopping)
		return 0;
	return j->nss > 0 || j->qhead < j->qtail ? 1 : 0;
}

void
callout_job_cancel(struct callout_job *j, const char *reason)
{
	stop(j, reason != NULL ? reason : "cancelled");
}

void
callout_job_progress(const struct callout_job *j, struct callout_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->total = j->n;
	p->done = j->ndone;
	p->left = j->n - j->ndone;
	memcpy(p->n, j->count, sizeof(p->n));
	p->sessions = j->nss;
	p->elapsed = units_mono() - j->t0;
	p->rate = j->rate;
	p->throughput = p->elapsed > 0 ? j->ndone / p->elapsed : 0;
	if (p->left == 0)
		p->eta = 0;
	else if (j->rate > 0 && (p->throughput <= 0 ||
	    p->throughput > j->rate))
		p->eta = p->left / j->rate;
	else if (p->throughput > 0)
		p->eta = p->left / p->throughput;
	else
		p->eta = -1;
	p->stopping = j->stopping;
	p->stop_reason = j->stopping ? j->reason : NULL;
}

const struct callout_result *
callout_job_reap(struct callout_job *j)
{
	if (j->dread >= j->ndone)
		return NULL;
	return &j->res[j->done[j->dread++]];
}

const struct callout_result *
callout_job_results(const struct callout_job *j, size_t *n)
{
	*n = j->n;
	return j->res;
}

void
callout_job_free(struct callout_job *j)
{
	size_t	 i;

	if (j == NULL)
		return;
	for (i = 0; i < j->nss; i++)
		smtp_close(&j->ss[i].c);
	free(j->ss);
	free(j->done);
	free(j->tries);
	free(j->queue);
	free(j->res);
	intern_free(j->seen);
	free(j->hosts);
	free(j->helo);
	free(j->sender);
	free(j);
}
