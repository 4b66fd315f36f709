/* diag.c -- the diagnosis accumulator: main-log events folded per domain
 * into a class mix, a tarpit score, callout counts, the last success and
 * recent evidence, plus the outcomes of queued messages' recipients; and
 * the immutable result beside a snapshot (diag.h). */
#include "model/diag.h"
#include "diag_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/logscan.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/intern.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per log domain, while the log is read. */
struct acc {
	struct diag_domain d;
};

/* Callouts logged without a recipient, per primary host address. */
struct ipacc {
	uint32_t	 deferred, rejected, cached;
	struct class_mix mix;
	struct class_mix recent;	/* host-level: since a delivery here */
	int		 dom;		/* the domain delivered to it, -1 none,
					 * -2 several */
	int		 weak;		/* dom is from a pairing by id */
	struct diag_evidence last;
};

struct diag_acc {
	struct diag_opts o;
	/* Evidence texts and hosts.  Only a few per domain and address
	 * are live; the arena is copied afresh (tidy()) once what it
	 * holds outgrows them, so that a long log costs no more. */
	struct arena	 strs;
	size_t		 strs_used, strs_live;	/* bytes */
	struct intern	*doms;		/* log domains */
	struct acc	*acc;
	size_t		 nacc, capacc;
	struct intern	*ips;
	struct ipacc	*ip;
	size_t		 nip, capip;
	/* Outcomes of queued messages' recipients: "id addr" -> 1 + state
	 * (DIAG_DELIVERED or DIAG_FAILED) in outcome[]. */
	struct intern	*outs;
	uint8_t		*outcome;
	size_t		 capout;
	/* What reading the log said. */
	uint64_t	 lines, unparsable;
	char		*error;
	int		 no_log;
	uint64_t	 events;	/* lines in the window */
	int		 queued_seen;	/* one named a queued message */
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
acc_of(struct diag_acc *sc, const char *dom)
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
ip_of(struct diag_acc *sc, const char *ip, size_t len)
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

/* s copied into sc->strs. */
static const char *
keep(struct diag_acc *sc, const char *s)
{
	size_t n = strlen(s) + 1;

	sc->strs_used += n;
	return arena_strndup(&sc->strs, s, n - 1);
}

static const char *
copy_live(struct diag_acc *sc, struct arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	sc->strs_live += strlen(s) + 1;
	return arena_strdup(a, s);
}

static void
keep_ev(struct diag_acc *sc, struct arena *a, struct diag_evidence *e)
{
	e->host = copy_live(sc, a, e->host);
	e->text = copy_live(sc, a, e->text);
}

/* Once the arena holds twice what is live (and 1 MiB), the live strings
 * go to a new one and the old is freed. */
static void
tidy(struct diag_acc *sc)
{
	struct arena a;
	size_t i;
	uint32_t k;

	if (sc->strs_used < 2 * sc->strs_live + (1u << 20))
		return;
	arena_init(&a);
	sc->strs_live = 0;
	for (i = 0; i < sc->nacc; i++) {
		struct diag_domain *d = &sc->acc[i].d;

		for (k = 0; k < d->nevidence; k++)
			keep_ev(sc, &a, &d->evidence[k]);
		keep_ev(sc, &a, &d->last_error);
	}
	for (i = 0; i < sc->nip; i++)
		keep_ev(sc, &a, &sc->ip[i].last);
	arena_free(&sc->strs);
	sc->strs = a;
	sc->strs_used = sc->strs_live;
}

static void
evidence(struct diag_acc *sc, struct diag_domain *d, time_t t, int cls,
    const char *host, const char *text)
{
	struct diag_evidence e;
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
		e.text = keep(sc, text);
		e.host = NULL;
		e.count = 1;
		n = d->nevidence < DIAG_NEVIDENCE ? d->nevidence :
		    DIAG_NEVIDENCE - 1;
		if (d->nevidence < DIAG_NEVIDENCE)
			d->nevidence++;
	}
	e.time = t;
	e.cls = cls;
	if (host == NULL || *host == '\0')
		e.host = NULL;
	else if (e.host == NULL || strcmp(e.host, host) != 0)
		e.host = keep(sc, host);
	/* The newest wording of the repeats. */
	if (e.count > 1 && strcmp(e.text, text) != 0)
		e.text = keep(sc, text);
	/* Newest first; the log is read in time order. */
	memmove(&d->evidence[1], &d->evidence[0], n * sizeof(e));
	d->evidence[0] = e;
	if (cls != CLASS_NONE && t >= d->last_error.time)
		d->last_error = e;
}

/* Counts one failure or callout of class c. */
static void
count_class(struct diag_domain *d, int c)
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
count_success(struct diag_domain *d, time_t t)
{
	d->attempts++;
	if (t > d->last_success)
		d->last_success = t;
	answered(d->recent, 1);
}

/* Primary address ip (len bytes) serves domain dom: remember it, so that
 * callouts logged without a recipient find their domain. */
static void
link_ip(struct diag_acc *sc, const char *ip, size_t len, const char *dom,
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

/* Remembers what became of a recipient of a queued message. */
static void
outcome(struct diag_acc *sc, const struct logscan_event *ev,
    const struct spool_snap *snap)
{
	char	 key[SPOOL_ID_MAX + 1 + 1024];
	int	 n;
	uint32_t k;

	if (snap != NULL && spool_find(snap, ev->id) == NULL &&
	    spool_id_time(ev->id) < (int64_t)snap->scan_start)
		return;		/* left the queue before the snapshot */
	n = snprintf(key, sizeof(key), "%s %s", ev->id, ev->addr);
	if (n < 0 || (size_t)n >= sizeof(key))
		return;
	k = intern_add(sc->outs, key, (size_t)n);
	xgrow(&sc->outcome, &sc->capout, k + 1, 1);
	sc->outcome[k] = (uint8_t)(1 + (ev->kind == LL_DELIVER ?
	    DIAG_DELIVERED : DIAG_FAILED));
}

int
diag_acc_outcome(const struct diag_acc *sc, const char *id, const char *addr)
{
	char	 key[SPOOL_ID_MAX + 1 + 1024];
	int	 n;
	uint32_t k;

	if (sc == NULL)
		return 0;
	n = snprintf(key, sizeof(key), "%s %s", id, addr);
	if (n < 0 || (size_t)n >= sizeof(key))
		return 0;
	k = intern_find(sc->outs, key, (size_t)n);
	return k == UINT32_MAX ? 0 : sc->outcome[k] - 1;
}

static void
event(struct diag_acc *sc, const struct logscan_event *ev,
    const struct spool_snap *snap)
{
	struct diag_domain *d = NULL;
	struct ipacc *ia;
	const char *ip;
	size_t iplen;
	enum class_id cls;

	if (sc->o.until != 0 && ev->t > sc->o.until)
		return;		/* after a pinned --now */
	/* Does the log speak of the queued messages at all? */
	sc->events++;
	if (!sc->queued_seen && snap != NULL && ev->id[0] != '\0' &&
	    spool_find(snap, ev->id) != NULL)
		sc->queued_seen = 1;
	if ((ev->kind == LL_DELIVER || ev->kind == LL_FAIL ||
	    ev->kind == LL_EXPIRED) && ev->id[0] != '\0')
		outcome(sc, ev, snap);
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
		evidence(sc, d, ev->t, cls, ev->host, ev->text);
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
			if (ia->last.text == NULL ||
			    strcmp(ia->last.text, ev->text) != 0)
				ia->last.text = keep(sc, ev->text);
			ia->last.host = NULL;
			return;
		}
		d->callout_deferred += ev->kind == LL_CALLOUT_DEFER;
		d->callout_rejected += ev->kind == LL_CALLOUT_REJECT;
		d->callout_cached += ev->kind == LL_CALLOUT_CACHED;
		if (cls != CLASS_NONE)
			count_class(d, cls);
		evidence(sc, d, ev->t, cls, ev->host, ev->text);
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
finish(struct diag_domain *d, const struct diag_opts *o)
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
	/* Stalls and timeouts after the connection: tarpitting.  Rate
	 * limits (421, too many) are a share of their own. */
	bad = d->classes[CLASS_TARPIT];
	d->tarpit = d->samples ? (double)bad / d->samples : 0;
	d->ratelimit = d->samples ? (double)d->classes[CLASS_RATELIMIT] /
	    d->samples : 0;
	d->suspected = d->samples >= o->min_samples &&
	    d->tarpit >= o->threshold;
}

void
diag_acc_event(struct diag_acc *sc, const struct logscan_event *ev,
    const struct spool_snap *snap)
{
	event(sc, ev, snap);
	tidy(sc);
}

size_t
diag_acc_bytes(const struct diag_acc *sc)
{
	return sc->strs_used;
}

struct diag_acc *
diag_acc_new(const struct diag_opts *o)
{
	struct diag_acc *sc = xcalloc(1, sizeof(*sc));

	sc->o = *o;
	arena_init(&sc->strs);
	sc->doms = intern_new();
	sc->ips = intern_new();
	sc->outs = intern_new();
	return sc;
}

void
diag_acc_free(struct diag_acc *sc)
{
	if (sc == NULL)
		return;
	intern_free(sc->doms);
	intern_free(sc->ips);
	intern_free(sc->outs);
	free(sc->acc);
	free(sc->ip);
	free(sc->outcome);
	free(sc->error);
	arena_free(&sc->strs);
	free(sc);
}

int
diag_acc_fits(const struct diag_acc *sc, const struct diag_opts *o,
    time_t now)
{
	/* What is read stays, so the window only grows: start again once
	 * it has slid by more than its own length. */
	return o->since >= sc->o.since &&
	    o->since - sc->o.since <= now - o->since;
}

time_t
diag_acc_since(const struct diag_acc *sc)
{
	return sc->o.since;
}

void
diag_acc_logstats(struct diag_acc *sc, uint64_t lines, uint64_t unparsable,
    const char *error, int no_log)
{
	sc->lines = lines;
	sc->unparsable = unparsable;
	if (error != NULL && sc->error == NULL)
		sc->error = xstrdup(error);
	sc->no_log = no_log;
}

void
diag_acc_history(struct diag_acc *sc, const struct history *h)
{
	size_t	 k;

	for (k = 0; k < h->n; k++) {
		const struct history_event *e = &h->ev[k];
		struct diag_domain *d;
		enum class_id c;
		size_t dl;
		const char *dp;
		char dom[256];

		if (!history_is_attempt(e) || e->addr == NULL ||
		    (e->time != 0 && (e->time < sc->o.since ||
		    (sc->o.until != 0 && e->time > sc->o.until))))
			continue;
		dp = text_addr_domain(e->addr, strlen(e->addr), &dl);
		if (dl == 0 || dl >= sizeof(dom))
			continue;
		for (size_t i = 0; i < dl; i++)
			dom[i] = (char)(dp[i] >= 'A' && dp[i] <= 'Z' ?
			    dp[i] + 32 : dp[i]);
		dom[dl] = '\0';
		d = &acc_of(sc, dom)->d;
		if (e->kind == LL_DELIVER) {
			count_success(d, e->time);
			continue;
		}
		d->attempts++;
		/* XXX msglogs are read message by message, not in time
		 * order: a success resets only what its own message's
		 * earlier lines counted. */
		c = class_of_event(e->kind, e->text, strlen(e->text));
		count_class(d, c);
		evidence(sc, d, e->time, c, e->host, e->text);
	}
	tidy(sc);
}

static const char *
dupnull(struct arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

/* Domain n's figures from the sums, strings copied into a. */
void
diag_acc_fill(const struct diag_acc *sc, uint32_t n, struct diag_domain *d,
    struct arena *a)
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
		d->evidence[k].host = dupnull(a, d->evidence[k].host);
		d->evidence[k].text = dupnull(a, d->evidence[k].text);
	}
	d->last_error.host = dupnull(a, d->last_error.host);
	d->last_error.text = dupnull(a, d->last_error.text);
	finish(d, &sc->o);
}

void
diag_acc_info(const struct diag_acc *sc, struct diag_info *in,
    struct arena *a)
{
	size_t i;

	memset(in, 0, sizeof(*in));
	in->since = sc->o.since;
	in->log_lines = sc->lines;
	in->log_unparsable = sc->unparsable;
	in->log_error = dupnull(a, sc->error);
	in->from_msglogs = sc->no_log;
	in->log_events = sc->events;
	in->log_names_queued = sc->queued_seen;
	for (i = 0; i < sc->nip; i++)
		if (sc->ip[i].dom < 0) {
			in->lost_deferred += sc->ip[i].deferred;
			in->lost_rejected += sc->ip[i].rejected;
			in->lost_cached += sc->ip[i].cached;
		}
}

uint32_t
diag_acc_ndomains(const struct diag_acc *sc)
{
	return (uint32_t)sc->nacc;
}

const char *
diag_acc_domain(const struct diag_acc *sc, uint32_t n)
{
	return intern_str(sc->doms, n);
}

char *
diag_fmt_tarpit(char *buf, size_t len, const struct diag_domain *d)
{
	if (d->samples == 0)
		snprintf(buf, len, "- ");
	else
		snprintf(buf, len, "%d%%/%u%s", (int)(d->tarpit * 100 + 0.5),
		    d->samples, d->suspected ? "!" : " ");
	return buf;
}

