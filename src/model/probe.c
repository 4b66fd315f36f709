/* probe.c -- the verdict of a callout-style probe (probe.h).  The reply
 * texts go through class_of_text() in the shape Exim logs them ("SMTP
 * error from remote mail server after RCPT TO:<x>: 550 ..."), so a probe
 * and the logs classify the same words the same way. */
#include "model/probe.h"
#include "model/classify.h"
#include "base/text.h"

#include <stdio.h>
#include <string.h>

static const char *const class_names[PROBE__COUNT] = {
	"none", "offline", "tarpit", "ratelimit", "softreject", "blocked",
	"accepts-all", "tls-required", "ok"
};
static const char *const kind_names[PROBE_S__COUNT] = {
	"connect", "banner", "ehlo", "helo", "mail", "rcpt-random", "rcpt",
	"rset", "quit"
};
static const char *const outcome_names[] = {
	"reply", "timeout", "closed", "refused", "error", "connected"
};
static const char *const advices[PROBE__COUNT] = {
	"Nothing could be tried: see why.",
	"The primary takes no connections: wait; mail stays queued.",
	"The primary stalls or answers slowly: it must whitelist the relay; "
	"do not flush or verify now.",
	"The primary limits the relay: it must whitelist the relay; flush "
	"slowly, later.",
	"The primary answers 4xx to recipients: it must answer 5xx for "
	"unknown users, or junk waits days in the queue.",
	"The primary (or its filter) refuses the relay as spam or by policy: "
	"it must whitelist the relay.",
	"The primary accepts any address: verifying tells nothing, and junk "
	"would bounce from the primary; it should reject unknown users.",
	"The primary wants STARTTLS before mail; mxtop does not speak TLS: "
	"check the relay's TLS to it (Exim does TLS itself).",
	"The primary is back: it rejects unknown users and answers the "
	"queued ones; verify, then drain."
};

const char *
probe_class_name(enum probe_class c)
{
	return (unsigned)c < PROBE__COUNT ? class_names[c] : "none";
}

const char *
probe_kind_name(enum probe_kind k)
{
	return (unsigned)k < PROBE_S__COUNT ? kind_names[k] : "?";
}

const char *
probe_outcome_name(enum probe_outcome o)
{
	return (unsigned)o <= PROBE_O_CONNECTED ? outcome_names[o] : "?";
}

const char *
probe_advice(enum probe_class c)
{
	return (unsigned)c < PROBE__COUNT ? advices[c] : advices[0];
}

struct probe_step *
probe_add(struct probe *p, enum probe_kind k, const char *cmd)
{
	struct probe_step *s;

	if (p->n >= PROBE_STEPS_MAX)
		return NULL;
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	snprintf(s->cmd, sizeof(s->cmd), "%s", cmd != NULL ? cmd : "");
	return s;
}

/* The step's reply classified as Exim's logs would show it. */
static enum class_id
reply_class(const struct probe_step *s)
{
	char	 buf[PROBE_TEXT_MAX + 400];
	int	 n;

	if (s->kind == PROBE_S_BANNER)
		n = snprintf(buf, sizeof(buf), "SMTP error from remote mail "
		    "server after initial connection: %s", s->text);
	else
		n = snprintf(buf, sizeof(buf), "SMTP error from remote mail "
		    "server after %s: %s", s->cmd, s->text);
	if (n < 0)
		return CLASS_OTHER;
	return class_of_text(buf, strlen(buf));
}

/* why = "pre <step>: <the primary's words>", sanitized and cut. */
static void
say(char *why, size_t len, const char *pre, const struct probe_step *s)
{
	char	 t[200], c[120], h[64];

	text_sanitize(t, sizeof(t), s->text, strlen(s->text));
	if (s->kind == PROBE_S_BANNER)
		snprintf(c, sizeof(c), "the banner");
	else if (s->kind == PROBE_S_CONNECT) {
		text_sanitize(h, sizeof(h), s->host, strlen(s->host));
		snprintf(c, sizeof(c), "connect to %s port %d", h, s->port);
	} else
		text_sanitize(c, sizeof(c), s->cmd, strlen(s->cmd));
	snprintf(why, len, "%s %s: %s", pre, c, t);
}

static int
is_rcpt(const struct probe_step *s)
{
	return s->kind == PROBE_S_RCPT || s->kind == PROBE_S_RCPT_RANDOM;
}

/* 530, or 5.7.0 with "starttls"/"tls" words. */
static int
wants_tls(const struct probe_step *s)
{
	char	 low[PROBE_TEXT_MAX];
	size_t	 i, n = strlen(s->text);

	if (s->code == 530)
		return 1;
	for (i = 0; i < n && i < sizeof(low); i++)
		low[i] = (char)(s->text[i] >= 'A' && s->text[i] <= 'Z' ?
		    s->text[i] + 32 : s->text[i]);
	return s->code >= 500 && (text_memmem(low, i, "starttls", 8) ||
	    text_memmem(low, i, "must issue a starttls", 21));
}

enum probe_class
probe_classify(const struct probe *p, char *why, size_t len)
{
	const struct probe_step	*s, *rnd = NULL;
	size_t			 i, answered = 0;
	int			 connected = 0;
	enum class_id		 c;

	snprintf(why, len, "nothing was tried");
	for (i = 0; i < p->n; i++)
		if (p->steps[i].out == PROBE_O_CONNECTED)
			connected = 1;
	if (!connected) {
		for (i = p->n; i > 0; i--)
			if (p->steps[i - 1].kind == PROBE_S_CONNECT) {
				say(why, len, "no connection:",
				    &p->steps[i - 1]);
				return PROBE_OFFLINE;
			}
		return PROBE_NONE;
	}
	/* Stalls and drops first: they stop the dialogue. */
	for (i = 0; i < p->n; i++) {
		s = &p->steps[i];
		if (s->out == PROBE_O_TIMEOUT) {
			snprintf(why, len, "no reply to %s within %.1fs",
			    s->kind == PROBE_S_BANNER ? "the banner wait" :
			    probe_kind_name(s->kind), s->latency);
			return PROBE_TARPIT;
		}
		if (s->out == PROBE_O_CLOSED && s->kind == PROBE_S_BANNER) {
			snprintf(why, len, "connects, then closes the "
			    "connection without a banner");
			return PROBE_RATELIMIT;
		}
	}
	for (i = 0; i < p->n; i++) {
		s = &p->steps[i];
		if (s->out != PROBE_O_REPLY || s->code < 400)
			continue;
		c = reply_class(s);
		if (s->code == 421 || c == CLASS_RATELIMIT) {
			say(why, len, "rate-limited at", s);
			return PROBE_RATELIMIT;
		}
		if (wants_tls(s)) {
			say(why, len, "TLS required at", s);
			return PROBE_TLS_REQUIRED;
		}
		if (c == CLASS_BLOCKED) {
			say(why, len, "the relay is blocked at", s);
			return PROBE_BLOCKED;
		}
	}
	for (i = 0; i < p->n; i++) {
		s = &p->steps[i];
		if (s->out == PROBE_O_REPLY && p->slow > 0 &&
		    s->latency > p->slow) {
			snprintf(why, len, "%s took %.1fs (slower than %.1fs)",
			    s->kind == PROBE_S_BANNER ? "the banner" :
			    probe_kind_name(s->kind), s->latency, p->slow);
			return PROBE_TARPIT;
		}
	}
	for (i = 0; i < p->n; i++) {
		s = &p->steps[i];
		if (s->kind == PROBE_S_RCPT_RANDOM && s->out == PROBE_O_REPLY)
			rnd = s;
		if (is_rcpt(s) && s->out == PROBE_O_REPLY && s->code >= 400 &&
		    s->code < 500) {
			say(why, len, "a 4xx to", s);
			return PROBE_SOFTREJECT;
		}
		if (s->kind == PROBE_S_RCPT && s->out == PROBE_O_REPLY)
			answered++;
	}
	if (rnd != NULL && rnd->code >= 200 && rnd->code < 300) {
		say(why, len, "an address that cannot exist was accepted:",
		    rnd);
		return PROBE_ACCEPTS_ALL;
	}
	if (rnd != NULL && rnd->code >= 500) {
		snprintf(why, len, "rejects an unknown address (%d), "
		    "answered %zu sampled recipient%s", rnd->code, answered,
		    answered == 1 ? "" : "s");
		return PROBE_OK;
	}
	/* It never got as far as the random RCPT. */
	for (i = 0; i < p->n; i++) {
		s = &p->steps[i];
		if (s->out == PROBE_O_REPLY && s->code >= 400) {
			say(why, len, "refused at", s);
			c = reply_class(s);
			return c == CLASS_SOFTREJECT ? PROBE_SOFTREJECT :
			    c == CLASS_TARPIT ? PROBE_TARPIT : PROBE_BLOCKED;
		}
		if (s->out == PROBE_O_CLOSED || s->out == PROBE_O_ERROR) {
			say(why, len, "the dialogue broke off at", s);
			return PROBE_TARPIT;
		}
	}
	snprintf(why, len, "the probe did not get to RCPT");
	return PROBE_NONE;
}
