/* stats_diag.c -- why each domain's mail is stuck: the main log's
 * attempts and callouts over a window, folded per domain into a class mix,
 * a tarpit score, callout counts, the last success and recent evidence;
 * and each message's last attempt from its msglog. */
#include "model/stats.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/logscan.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/intern.h"
#include "base/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Per log domain, while the log is read. */
struct acc {
	struct stats_diag d;
};

/* Callouts logged without a recipient, per primary host address. */
struct ipacc {
	uint32_t	 deferred, rejected, cached;
	struct class_mix mix;
	struct class_mix recent;	/* host-level: since a delivery here */
	int		 dom;		/* the domain delivered to it, -1 none,
					 * -2 several */
	int		 weak;		/* dom is from a pairing by id */
	struct stats_evidence last;
};

struct scan {
	struct arena	*strs;		/* evidence texts */
	struct intern	*doms;		/* log domains */
	struct acc	*acc;
	size_t		 nacc, capacc;
	struct intern	*ips;
	struct ipacc	*ip;
	size_t		 nip, capip;
	time_t		 until;
	/* Exim logs a failing host on a line of its own, just before the
	 * "==" lines of the attempt: pair them by message id. */
	char		 hst_id[24], hst_ip[64];	/* last host line */
};

/* "name [1.2.3.4]:25" or "1.2.3.4 [1.2.3.4]" -> "1.2.3.4". */
static size_t
host_ip(const char *host, const char **ip)
{
	const char *b = strrchr(host, '['), *e;

	if (b == NULL || (e = strchr(b, ']')) == NULL)
		return 0;
	*ip = b + 1;
	return (size_t)(e - b - 1);
}

static struct acc *
acc_of(struct scan *sc, const char *dom)
{
	uint32_t n = intern_add(sc->doms, dom, strlen(dom));

	if (n >= sc->nacc) {
		xgrow(&sc->acc, &sc->capacc, n + 1, sizeof(*sc->acc));
		memset(&sc->acc[sc->nacc], 0, (n + 1 - sc->nacc) *
		    sizeof(*sc->acc));
		sc->nacc = n + 1;
	}
	return &sc->acc[n];
}

static struct ipacc *
ip_of(struct scan *sc, const char *ip, size_t len)
{
	uint32_t n = intern_add(sc->ips, ip, len);

	if (n >= sc->nip) {
		xgrow(&sc->ip, &sc->capip, n + 1, sizeof(*sc->ip));
		memset(&sc->ip[sc->nip], 0, (n + 1 - sc->nip) *
		    sizeof(*sc->ip));
		sc->ip[n].dom = -1;
		sc->nip = n + 1;
	}
	return &sc->ip[n];
}

/* Whether two evidence texts say the same, addresses in <> aside. */
static int
same_text(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		if (*a == '<') {
			a = strchr(a, '>');
			b = strchr(b, '>');
			if (a == NULL || b == NULL)
				return a == b;
		}
		a++;
		b++;
	}
	return *a == *b;
}

static void
evidence(struct arena *strs, struct stats_diag *d, time_t t, int cls,
    const char *host, const char *text)
{
	struct stats_evidence e;
	uint32_t i, n;

	/* A text seen before moves to the front with its count. */
	for (i = 0; i < d->nevidence; i++)
		if (d->evidence[i].cls == cls &&
		    same_text(d->evidence[i].text, text))
			break;
	if (i < d->nevidence) {
		e = d->evidence[i];
		e.count++;
		n = i;
	} else {
		e.text = arena_strdup(strs, text);
		e.count = 1;
		n = d->nevidence < STATS_NEVIDENCE ? d->nevidence :
		    STATS_NEVIDENCE - 1;
		if (d->nevidence < STATS_NEVIDENCE)
			d->nevidence++;
	}
	e.time = t;
	e.cls = cls;
	e.host = host && *host ? arena_strdup(strs, host) : NULL;
	if (e.count > 1)	/* the newest wording of the repeats */
		e.text = arena_strdup(strs, text);
	/* Newest first; the log is read in time order. */
	memmove(&d->evidence[1], &d->evidence[0], n * sizeof(e));
	d->evidence[0] = e;
	if (cls != CLASS_NONE && t >= d->last_error.time)
		d->last_error = e;
}

/* Counts one failure or callout of class c. */
static void
count_class(struct stats_diag *d, int c)
{
	d->classes[c]++;
	d->recent[c]++;
}

/* The primary answered (a delivery, or any SMTP reply or stall after
 * the connection): failures to reach it are past.  After a delivery its
 * stalls and rate limits are past too. */
static void
answered(uint32_t *recent, int delivered)
{
	recent[CLASS_OFFLINE] = 0;
	if (delivered)
		recent[CLASS_TARPIT] = recent[CLASS_RATELIMIT] = 0;
}

static int
reached(int cls)
{
	return cls == CLASS_TARPIT || cls == CLASS_RATELIMIT ||
	    cls == CLASS_SOFTREJECT || cls == CLASS_BLOCKED ||
	    cls == CLASS_HARDREJECT;
}

/* A delivery: the primary is up, so its host-level failures are past. */
static void
count_success(struct stats_diag *d, time_t t)
{
	d->attempts++;
	if (t > d->last_success)
		d->last_success = t;
	answered(d->recent, 1);
}

/* Primary address ip (len bytes) serves domain dom: remember it, so that
 * callouts logged without a recipient find their domain. */
static void
link_ip(struct scan *sc, const char *ip, size_t len, const char *dom,
    int delivered, int cls, int weak)
{
	struct ipacc *ia = ip_of(sc, ip, len);
	int n = (int)intern_find(sc->doms, dom, strlen(dom));

	if (n < 0)
		return;
	/* A pairing by message id is weak (a message may have several
	 * domains): it never makes an address ambiguous, and a line that
	 * names host and domain together overrides it. */
	if (ia->dom == -1 || (ia->weak && !weak)) {
		ia->dom = n;
		ia->weak = weak;
	} else if (ia->dom != n && !weak)
		ia->dom = -2;
	if (delivered || reached(cls))
		answered(ia->recent.n, delivered);
}

static void
on_event(const struct logscan_event *ev, void *arg)
{
	struct scan *sc = arg;
	struct stats_diag *d = NULL;
	struct ipacc *ia;
	const char *ip;
	size_t iplen;
	enum class_id cls;

	if (sc->until != 0 && ev->t > sc->until)
		return;		/* after a pinned --now */
	cls = class_of_event(ev->kind, ev->text, strlen(ev->text));
	if (ev->domain[0] != '\0')
		d = &acc_of(sc, ev->domain)->d;
	switch (ev->kind) {
	case LL_DEFER:
	case LL_FAIL:
		if (d == NULL || cls == CLASS_NONE)
			return;
		d->attempts++;
		count_class(d, cls);
		if (reached(cls))
			answered(d->recent, 0);
		evidence(sc->strs, d, ev->t, cls, ev->host, ev->text);
		if (ev->host[0] == '\0' && ev->id[0] != '\0' &&
		    strcmp(ev->id, sc->hst_id) == 0)
			link_ip(sc, sc->hst_ip, strlen(sc->hst_ip), ev->domain,
			    0, cls, 1);
		break;
	case LL_HOSTERR:
		if ((iplen = host_ip(ev->host, &ip)) == 0 ||
		    iplen >= sizeof(sc->hst_ip))
			return;
		/* Exim writes it before the "==" lines it explains. */
		snprintf(sc->hst_id, sizeof(sc->hst_id), "%s", ev->id);
		snprintf(sc->hst_ip, sizeof(sc->hst_ip), "%.*s", (int)iplen,
		    ip);
		return;
	case LL_DELIVER:
		if (d == NULL)
			return;
		count_success(d, ev->t);
		break;
	case LL_CALLOUT_DEFER:
	case LL_CALLOUT_REJECT:
	case LL_CALLOUT_CACHED:
		if (d == NULL) {
			/* No recipient: keep it by the primary's address. */
			if ((iplen = host_ip(ev->host[0] ? ev->host : ev->text,
			    &ip)) == 0)
				return;
			ia = ip_of(sc, ip, iplen);
			ia->deferred += ev->kind == LL_CALLOUT_DEFER;
			ia->rejected += ev->kind == LL_CALLOUT_REJECT;
			ia->cached += ev->kind == LL_CALLOUT_CACHED;
			class_mix_add(&ia->mix, cls);
			class_mix_add(&ia->recent, cls);
			ia->last.time = ev->t;
			ia->last.cls = cls;
			ia->last.text = arena_strdup(sc->strs, ev->text);
			ia->last.host = NULL;
			return;
		}
		d->callout_deferred += ev->kind == LL_CALLOUT_DEFER;
		d->callout_rejected += ev->kind == LL_CALLOUT_REJECT;
		d->callout_cached += ev->kind == LL_CALLOUT_CACHED;
		if (cls != CLASS_NONE)
			count_class(d, cls);
		evidence(sc->strs, d, ev->t, cls, ev->host, ev->text);
		return;
	default:
		return;
	}
	/* Which domain does each primary address serve? */
	if ((iplen = host_ip(ev->host, &ip)) > 0)
		link_ip(sc, ip, iplen, ev->domain,
		    ev->kind == LL_DELIVER, cls, 0);
}

/* Derived figures of a diag, once its counts are in. */
static void
finish(struct stats_diag *d, const struct stats_diag_opts *o)
{
	struct class_mix mix;
	uint32_t callouts, bad;
	int c;

	class_mix_init(&mix);
	for (c = 0; c < CLASS__COUNT; c++)
		mix.n[c] = d->recent[c];
	d->cls = class_mix_dominant(&mix);
	callouts = d->callout_deferred + d->callout_rejected +
	    d->callout_cached;
	d->samples = d->attempts + callouts;
	bad = d->classes[CLASS_TARPIT] + d->classes[CLASS_RATELIMIT];
	d->tarpit = d->samples ? (double)bad / d->samples : 0;
	d->suspected = d->samples >= o->min_samples &&
	    d->tarpit >= o->threshold;
}

/* Without a main log: the queued messages' msglogs over the window. */
static void
from_msglogs(struct stats *st, const struct spool_snap *snap, time_t since,
    time_t until)
{
	struct history h;
	size_t i, j, k;

	for (i = 0; i < snap->nmsgs; i++) {
		const struct spool_msg *m = &snap->msgs[i];

		if (m->npending == 0)
			continue;
		history_init(&h);
		if (history_read(&h, snap->dir, m->id) < 0) {
			history_done(&h);
			continue;
		}
		for (k = 0; k < h.n; k++) {
			const struct history_event *e = &h.ev[k];
			struct stats_diag *d = NULL;
			size_t dl;
			enum class_id c;
			const char *dp;

			if (!history_is_attempt(e) || e->addr == NULL ||
			    (e->time != 0 && (e->time < since ||
			    (until != 0 && e->time > until))))
				continue;
			dp = text_addr_domain(e->addr, strlen(e->addr), &dl);
			for (j = 0; j < st->ndomains && d == NULL; j++)
				if (strlen(st->domains[j].name) == dl &&
				    strncasecmp(st->domains[j].name, dp,
				    dl) == 0)
					d = &st->domains[j].diag;
			if (d == NULL)
				continue;
			if (e->kind == LL_DELIVER) {
				count_success(d, e->time);
				continue;
			}
			d->attempts++;
			/* XXX msglogs are read message by message, not in
			 * time order: a success resets only what its own
			 * message's earlier lines counted. */
			c = class_of_event(e->kind, e->text, strlen(e->text));
			count_class(d, c);
			evidence(&st->strs, d, e->time, c, e->host, e->text);
		}
		history_done(&h);
	}
}

struct stats_logstate {
	struct scan	 sc;
	struct arena	 strs;
	struct logscan	*ls;
	char		*log;
	time_t		 since;
};

struct stats_logstate *
stats_logstate_new(void)
{
	return xcalloc(1, sizeof(struct stats_logstate));
}

/* Back to nothing read. */
static void
logstate_clear(struct stats_logstate *ls)
{
	logscan_free(ls->ls);
	intern_free(ls->sc.doms);
	intern_free(ls->sc.ips);
	free(ls->sc.acc);
	free(ls->sc.ip);
	arena_free(&ls->strs);
	free(ls->log);
	memset(ls, 0, sizeof(*ls));
}

void
stats_logstate_free(struct stats_logstate *ls)
{
	if (ls == NULL)
		return;
	logstate_clear(ls);
	free(ls);
}

static const char *
dupnull(struct arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

/* A domain's diag from the sums, its strings copied into st. */
static void
fill(struct stats *st, struct stats_diag *d, const struct scan *sc,
    uint32_t n)
{
	uint32_t k;
	size_t i;
	int c;

	*d = sc->acc[n].d;
	/* Callouts without a recipient go to the domain of their host. */
	for (i = 0; i < sc->nip; i++) {
		const struct ipacc *ia = &sc->ip[i];

		if (ia->dom != (int)n)
			continue;
		d->callout_deferred += ia->deferred;
		d->callout_rejected += ia->rejected;
		d->callout_cached += ia->cached;
		for (c = 0; c < CLASS__COUNT; c++) {
			d->classes[c] += ia->mix.n[c];
			d->recent[c] += ia->recent.n[c];
		}
		if (ia->last.time > 0 && ia->last.cls != CLASS_NONE &&
		    ia->last.time >= d->last_error.time)
			d->last_error = ia->last;
	}
	for (k = 0; k < d->nevidence; k++) {
		d->evidence[k].host = dupnull(&st->strs, d->evidence[k].host);
		d->evidence[k].text = dupnull(&st->strs, d->evidence[k].text);
	}
	d->last_error.host = dupnull(&st->strs, d->last_error.host);
	d->last_error.text = dupnull(&st->strs, d->last_error.text);
}

int
stats_diagnose(struct stats *st, const struct spool_snap *snap,
    const struct stats_diag_opts *o, char *err, size_t errlen)
{
	struct stats_logstate ls;
	int rc;

	memset(&ls, 0, sizeof(ls));
	rc = stats_diagnose_more(st, snap, o, &ls, err, errlen);
	logstate_clear(&ls);
	return rc;
}

int
stats_diagnose_more(struct stats *st, const struct spool_snap *snap,
    const struct stats_diag_opts *o, struct stats_logstate *ls, char *err,
    size_t errlen)
{
	const struct logscan_counts *cnt;
	struct scan *sc = &ls->sc;
	size_t i;
	uint32_t n;
	int rc = 0;

	st->since = o->since;
	if (o->log == NULL) {
		st->from_msglogs = 1;
		from_msglogs(st, snap, o->since, o->until);
		for (i = 0; i < st->ndomains; i++)
			finish(&st->domains[i].diag, o);
		return 0;
	}
	/* Start again on another log, or once the window has slid by
	 * more than its length: what is read stays, so it only grows. */
	if (ls->log != NULL && (strcmp(ls->log, o->log) != 0 ||
	    o->since < ls->since ||
	    o->since - ls->since > st->now - o->since))
		logstate_clear(ls);
	if (ls->log == NULL) {
		ls->log = xstrdup(o->log);
		ls->since = o->since;
		ls->ls = logscan_new(o->log);
		sc->doms = intern_new();
		sc->ips = intern_new();
		sc->strs = &ls->strs;
	}
	sc->until = o->until;
	st->since = ls->since;
	if (logscan_run(ls->ls, ls->since, on_event, sc) < 0) {
		snprintf(err, errlen, "cannot read log %s: %s", o->log,
		    logscan_error(ls->ls) ? logscan_error(ls->ls) :
		    strerror(errno));
		rc = -1;
	}
	cnt = logscan_counts(ls->ls);
	st->log_lines = cnt->lines;
	st->log_unparsable = cnt->unparsable;
	if (logscan_error(ls->ls) != NULL)
		st->log_error = arena_strdup(&st->strs, logscan_error(ls->ls));
	for (i = 0; i < sc->nip; i++)
		if (sc->ip[i].dom < 0) {
			st->lost_deferred += sc->ip[i].deferred;
			st->lost_rejected += sc->ip[i].rejected;
			st->lost_cached += sc->ip[i].cached;
		}
	for (i = 0; o->domain != NULL && i < st->ndomains; i++)
		if (strcmp(st->domains[i].name, o->domain) == 0)
			break;
	if (o->domain != NULL && i == st->ndomains) {
		/* A domain with nothing queued: a row of its own. */
		struct stats_domain *sd;

		xgrow(&st->domains, &st->cap, st->ndomains + 1,
		    sizeof(*st->domains));
		sd = &st->domains[st->ndomains++];
		memset(sd, 0, sizeof(*sd));
		sd->name = arena_strdup(&st->strs, o->domain);
		sd->domain = UINT32_MAX;
	}
	for (i = 0; i < st->ndomains; i++) {
		struct stats_domain *sd = &st->domains[i];

		n = intern_find(sc->doms, sd->name, strlen(sd->name));
		if (n != UINT32_MAX)
			fill(st, &sd->diag, sc, n);
	}
	if (rc < 0) {
		st->from_msglogs = 1;
		from_msglogs(st, snap, o->since, o->until);
	}
	for (i = 0; i < st->ndomains; i++)
		finish(&st->domains[i].diag, o);
	return rc;
}

char *
stats_fmt_tarpit(char *buf, size_t len, const struct stats_diag *d)
{
	if (d->samples == 0)
		snprintf(buf, len, "- ");
	else
		snprintf(buf, len, "%d%%/%u%s", (int)(d->tarpit * 100 + 0.5),
		    d->samples, d->suspected ? "*" : " ");
	return buf;
}

/* ---- per message ---- */

struct stats_msglogs {
	struct stats_msglog	*m;
	size_t			 n;
	struct arena		 strs;
	uint64_t		*fed;	/* msglog bytes read, for a refresh */
};

/* The last failed attempt among h's events into r; 0 if there is none. */
static int
last_failure(struct stats_msglogs *ml, const struct history *h,
    struct stats_msglog *r)
{
	size_t k;

	for (k = h->n; k-- > 0; ) {
		const struct history_event *e = &h->ev[k];

		int c = class_of_event(e->kind, e->text, strlen(e->text));

		if ((e->kind != LL_DEFER && e->kind != LL_FAIL) ||
		    c == CLASS_NONE)
			continue;
		r->cls = c;
		r->time = e->time;
		r->text = arena_strdup(&ml->strs, e->text);
		r->host = e->host ? arena_strdup(&ml->strs, e->host) : NULL;
		return 1;
	}
	return 0;
}

struct stats_msglogs *
stats_read_msglogs(struct spool_snap *snap)
{
	return stats_refresh_msglogs(snap, NULL, NULL);
}

struct stats_msglogs *
stats_refresh_msglogs(struct spool_snap *snap,
    const struct spool_snap *psnap, const struct stats_msglogs *prev)
{
	struct stats_msglogs *ml = xcalloc(1, sizeof(*ml));
	const struct spool_msg *pm;
	struct history h;
	ssize_t p;
	size_t i;

	arena_init(&ml->strs);
	ml->n = snap->nmsgs;
	ml->m = xcalloc(ml->n ? ml->n : 1, sizeof(*ml->m));
	ml->fed = xcalloc(ml->n ? ml->n : 1, sizeof(*ml->fed));
	for (i = 0; i < snap->nmsgs; i++) {
		struct spool_msg *m = &snap->msgs[i];
		struct stats_msglog *r = &ml->m[i];

		history_init(&h);
		/* A msglog only grows: read what came since last time. */
		p = -1;
		if (prev != NULL && psnap != NULL &&
		    (pm = spool_find(psnap, m->id)) != NULL &&
		    (size_t)(pm - psnap->msgs) < prev->n) {
			p = pm - psnap->msgs;
			h.fed = prev->fed[p];
		}
		if (history_read(&h, snap->dir, m->id) >= 0) {
			if (!last_failure(ml, &h, r) && p >= 0 &&
			    h.fed >= prev->fed[p] && prev->fed[p] > 0) {
				/* Nothing new failed: keep the old record. */
				const struct stats_msglog *o = &prev->m[p];

				r->cls = o->cls;
				r->time = o->time;
				r->text = o->text ? arena_strdup(&ml->strs,
				    o->text) : NULL;
				r->host = o->host ? arena_strdup(&ml->strs,
				    o->host) : NULL;
			}
			/* Up to the last whole line: a line caught half
			 * written is read again next time. */
			ml->fed[i] = h.fed - h.tlen;
		}
		history_done(&h);
		m->cls = (uint8_t)r->cls;
	}
	return ml;
}

const struct stats_msglog *
stats_msglog(const struct stats_msglogs *ml, size_t i)
{
	return ml != NULL && i < ml->n ? &ml->m[i] : NULL;
}

void
stats_msglogs_free(struct stats_msglogs *ml)
{
	if (ml == NULL)
		return;
	arena_free(&ml->strs);
	free(ml->m);
	free(ml->fed);
	free(ml);
}
