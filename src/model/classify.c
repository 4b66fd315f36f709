/* classify.c -- delivery error text -> diagnosis class.  No I/O. */
#include "model/classify.h"
#include "exim/logline.h"
#include "base/text.h"

#include <string.h>
#include <strings.h>

/* Only this much of a text is looked at; Exim's phrases come first. */
#define CLASSIFY_MAX	2048

static const char *const names[CLASS__COUNT] = {
	"none", "offline", "tarpit", "ratelimit", "softreject", "blocked",
	"hardreject", "dns", "loop", "backscatter", "greylist", "other"
};

static const char *const advice[CLASS__COUNT] = {
	"",
	/* offline */
	"The primary MX does not accept connections (refused, unreachable or "
	"connect timed out).  Queueing is the backup MX's job: nothing to do "
	"but wait, and flush the domain once the primary is back.",
	/* tarpit */
	"The primary accepts the connection but answers too slowly or not at "
	"all (SMTP timeouts).  It is tarpitting the relay: the customer must "
	"whitelist the relay's addresses on the primary.  Do not flush at full "
	"speed; flush paced once it answers.",
	/* ratelimit */
	"The primary is rate-limiting or refusing connections from the relay "
	"(421/451/452 too many, rate, try later).  The customer must whitelist "
	"the relay's addresses instead of limiting it; flush paced.",
	/* softreject */
	"The primary answers 4xx to unknown recipients.  It must answer 5xx "
	"for invalid users: otherwise junk for non-existent users waits days "
	"in the relay's queue before it bounces.",
	/* blocked */
	"The primary (or a third-party filter or appliance in front of it) "
	"rejects the relay as spam, blacklisted or by policy.  It must "
	"whitelist the relay's addresses, or queued mail can be lost.",
	/* hardreject */
	"The primary rejects recipients with 5xx at delivery time.  Recipient "
	"callouts at RCPT time should have caught these: check the relay's "
	"callout setup and the customer's user list.",
	/* dns */
	"The customer's DNS is wrong: MX records must point at host names "
	"with A records, not at IP addresses or CNAMEs, and the relay must "
	"never be the sole or primary (lowest-numbered) MX.",
	/* loop */
	"Mail loops between the relay and the customer: the customer has "
	"aliased their own host name to the relay or routes the domain back "
	"to it.  Remove that alias or route.",
	/* backscatter */
	"Bounces or delay warnings to a domain the relay does not relay for, "
	"stuck or failing: undeliverable bounces, usually to forged senders "
	"of junk.  Delete them (mxtop delete --class backscatter); do not "
	"retry them.",
	/* greylist */
	"The primary greylists: it answers 4xx to a first attempt and takes "
	"the retry.  Benign: Exim's retries deliver, nothing to do.  If it "
	"lasts, the customer can whitelist the relay in the greylister.",
	/* other */
	"No known pattern: read the evidence lines."
};

const char *
class_name(enum class_id c)
{
	if ((unsigned)c >= CLASS__COUNT)
		return "other";
	return names[c];
}

int
class_from_name(const char *s)
{
	int	 i;

	if (s == NULL)
		return -1;
	for (i = 0; i < CLASS__COUNT; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *
class_advice(enum class_id c)
{
	if ((unsigned)c >= CLASS__COUNT)
		c = CLASS_OTHER;
	return advice[c];
}

/* Finds the lower-case pattern p in t[0..n). */
static const char *
find(const char *t, size_t n, const char *p)
{
	return text_memmem(t, n, p, strlen(p));
}

static int
has(const char *t, size_t n, const char *p)
{
	return find(t, n, p) != NULL;
}

/* True when any pattern of the NULL-terminated list occurs in t. */
static int
has_any(const char *t, size_t n, const char *const *pats)
{
	for (; *pats != NULL; pats++)
		if (has(t, n, *pats))
			return 1;
	return 0;
}

static int
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads an enhanced status code "d.ddd.ddd" at s; returns its length. */
static size_t
enhanced(const char *s, size_t n, char *enh)
{
	size_t	 i = 0, j, k;

	if (n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') ||
	    s[1] != '.')
		return 0;
	i = 2;
	for (k = 0; k < 2; k++) {
		j = i;
		while (i < n && i - j < 3 && isdig(s[i]))
			i++;
		if (i == j)
			return 0;
		if (k == 0) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && isdig(s[i]))
		return 0;
	if (enh != NULL) {
		memcpy(enh, s, i);
		enh[i] = '\0';
	}
	return i;
}

/* Position of the first SMTP reply code in t, or -1. */
static long
code_at(const char *t, size_t n)
{
	size_t	 i;

	for (i = 0; i + 3 <= n; i++) {
		if (t[i] < '2' || t[i] > '5' || !isdig(t[i + 1]) ||
		    !isdig(t[i + 2]))
			continue;
		if (i != 0 && !(i >= 2 && t[i - 1] == ' ' && t[i - 2] == ':'))
			continue;
		if (i + 3 < n && t[i + 3] != ' ' && t[i + 3] != '-')
			continue;
		return (long)i;
	}
	return -1;
}

int
class_smtp_code(const char *text, size_t len, char *enh)
{
	long	 at;
	size_t	 p;

	if (enh != NULL)
		enh[0] = '\0';
	if (text == NULL)
		return 0;
	at = code_at(text, len);
	if (at < 0)
		return 0;
	p = (size_t)at + 4;
	if (p < len)
		enhanced(text + p, len - p, enh);
	return (text[at] - '0') * 100 + (text[at + 1] - '0') * 10 +
	    (text[at + 2] - '0');
}

enum phase { PH_UNKNOWN, PH_CONN, PH_HELO, PH_MAIL, PH_RCPT, PH_DATA };

/* Which SMTP command a remote reply answered. */
static enum phase
phase_of(const char *t, size_t n)
{
	const char	*p;
	size_t		 r;

	if ((p = find(t, n, "remote mail server after ")) != NULL)
		p += strlen("remote mail server after ");
	else if ((p = find(t, n, "response to \"")) != NULL)
		p += strlen("response to \"");
	else
		return PH_UNKNOWN;
	r = n - (size_t)(p - t);
	if (r >= 10 && memcmp(p, "pipelined ", 10) == 0) {
		p += 10;
		r -= 10;
	}
#define PFX(s)	(r >= sizeof(s) - 1 && memcmp(p, s, sizeof(s) - 1) == 0)
	if (PFX("initial connection"))
		return PH_CONN;
	if (PFX("ehlo") || PFX("helo") || PFX("lhlo") || PFX("starttls") ||
	    PFX("auth"))
		return PH_HELO;
	if (PFX("mail from"))
		return PH_MAIL;
	if (PFX("rcpt to"))
		return PH_RCPT;
	if (PFX("data") || PFX("end of data") || PFX("sending data") ||
	    PFX("bdat"))
		return PH_DATA;
#undef PFX
	return PH_UNKNOWN;
}

static const char *const w_rate[] = {
	"too many", "rate limit", "ratelimit", "rate-limit", "rate exceeded",
	"throttl", "connection limit", "too fast", "busy", "slow down",
	"too frequent", NULL
};
static const char *const w_later[] = {
	"try later", "try again later", "please try again", "try again in",
	NULL
};
static const char *const w_block[] = {
	"block", "blacklist", "black list", "denylist", "spam", "rbl",
	"dnsbl", "policy", "reputation", "banned", "listed at", "listed by",
	"listed on", "relay access denied", "relaying denied",
	"relay not permitted", "not permitted to relay", "client host rejected",
	"access denied", NULL
};
static const char *const w_unknown[] = {
	"user unknown", "unknown user", "no such user", "unknown recipient",
	"recipient unknown", "mailbox unavailable", "mailbox not found",
	"no such mailbox", "no mailbox", "does not exist", "doesn't exist",
	"invalid recipient", "recipient address rejected", "user not found",
	"unrouteable address", "unknown local part", "not a valid mailbox",
	"address rejected", "undeliverable address", "no such recipient",
	"recipient not found", "account disabled", NULL
};
static const char *const w_dns[] = {
	"host lookup did not complete", "unrouteable address",
	"mx records point to non-existent hosts",
	"(invalidly) to ip addresses",
	"lowest numbered mx record points to local host",
	"remote host address is the local host",
	"host address lookups", "indicated no smtp service",
	"unrouteable mail domain", NULL
};
static const char *const w_offline[] = {
	"connection refused", "no route to host", "network is unreachable",
	"host is unreachable", "connection timed out", "connect timed out",
	"have been failing for a long time", NULL
};

int
class_is_skip(const char *text, size_t len)
{
	return logline_is_skip(text, len);
}

enum class_id
class_of_event(enum logline_kind k, const char *text, size_t len)
{
	enum class_id	 c;

	switch (k) {
	case LL_MISCONFIG:
		return CLASS_DNS;
	case LL_DEFER:
		return class_of_text(text, len);
	case LL_FAIL:
	case LL_HOSTERR:
	case LL_CALLOUT_DEFER:
	case LL_CALLOUT_REJECT:
	case LL_CALLOUT_CACHED:
	case LL_RCPT_REJECT:
		/* An outcome is never a skip. */
		c = class_of_text(text, len);
		return c == CLASS_NONE ? CLASS_OTHER : c;
	default:
		return CLASS_NONE;
	}
}

/* Classifies by the remote server's reply r[0..rn) (from the code on). */
static enum class_id
by_reply(int code, const char *enh, enum phase ph, const char *r, size_t rn)
{
	int	 x11;

	x11 = enh[0] != '\0' && enh[1] == '.' && strncmp(enh + 2, "1.1", 3)
	    == 0 && (enh[5] == '\0');
	if (code >= 400 && code < 500 && (has(r, rn, "greylist") ||
	    has(r, rn, "graylist")))
		return CLASS_GREYLIST;
	if (has_any(r, rn, w_rate))
		return CLASS_RATELIMIT;
	if (x11)
		return code >= 500 ? CLASS_HARDREJECT : CLASS_SOFTREJECT;
	if (has_any(r, rn, w_block))
		return CLASS_BLOCKED;
	if (has_any(r, rn, w_unknown))
		return code >= 500 ? CLASS_HARDREJECT : CLASS_SOFTREJECT;
	if (code >= 400 && code < 500 && has_any(r, rn, w_later))
		return CLASS_RATELIMIT;
	if (enh[0] != '\0' && strncmp(enh + 1, ".7.", 3) == 0)
		return CLASS_BLOCKED;
	if (ph == PH_RCPT && code >= 400)
		return code >= 500 ? CLASS_HARDREJECT : CLASS_SOFTREJECT;
	if (ph == PH_CONN && code == 554)
		return CLASS_BLOCKED;
	return CLASS_OTHER;
}

enum class_id
class_of_text(const char *text, size_t len)
{
	char	 buf[CLASSIFY_MAX], enh[12];
	size_t	 i, n;
	long	 at;
	int	 code;

	if (text == NULL)
		len = 0;
	n = len < sizeof(buf) ? len : sizeof(buf);
	for (i = 0; i < n; i++)
		buf[i] = (char)((text[i] >= 'A' && text[i] <= 'Z') ?
		    text[i] + 32 : text[i]);

	if (has(buf, n, "too many \"received\" headers"))
		return CLASS_LOOP;
	if (has(buf, n, "previous (cached) callout verification failure"))
		return CLASS_HARDREJECT;

	at = code_at(buf, n);
	if (at >= 0 && (at == 0 || has(buf, n, "remote mail server") ||
	    has(buf, n, "\" was: "))) {
		code = class_smtp_code(buf, n, enh);
		return by_reply(code, enh, phase_of(buf, n), buf + at,
		    n - (size_t)at);
	}

	if (has(buf, n, "have been failing for a long time"))
		return CLASS_OFFLINE;
	if (has_any(buf, n, w_dns))
		return CLASS_DNS;
	if (has(buf, n, "retry time not reached") ||
	    has(buf, n, "retry time not yet reached"))
		return CLASS_NONE;
	if (has(buf, n, "smtp timeout after"))
		return CLASS_TARPIT;
	if (has(buf, n, "remote host closed connection")) {
		if (has(buf, n, "in response to initial connection"))
			return CLASS_RATELIMIT;
		return CLASS_OTHER;
	}
	if (has_any(buf, n, w_offline))
		return CLASS_OFFLINE;
	if (at >= 0) {
		/* A reply code after ": " outside Exim's phrases. */
		code = class_smtp_code(buf, n, enh);
		return by_reply(code, enh, PH_UNKNOWN, buf + at,
		    n - (size_t)at);
	}
	return CLASS_OTHER;
}

void
class_mix_init(struct class_mix *m)
{
	memset(m, 0, sizeof(*m));
}

void
class_mix_add(struct class_mix *m, enum class_id c)
{
	if ((unsigned)c >= CLASS__COUNT || c == CLASS_NONE)
		return;
	m->n[c]++;
}

uint32_t
class_mix_total(const struct class_mix *m)
{
	uint32_t	 t = 0;
	int		 i;

	for (i = 1; i < CLASS__COUNT; i++)
		t += m->n[i];
	return t;
}

enum class_id
class_mix_dominant(const struct class_mix *m)
{
	int	 i, best = CLASS_NONE;

	for (i = 1; i < CLASS__COUNT; i++)
		if (m->n[i] > 0 && (best == CLASS_NONE || m->n[i] > m->n[best]))
			best = i;
	return (enum class_id)best;
}
