/* select.c -- match messages against the filter language of select.h.
 * Globs are fnmatch(3), regexes regcomp(3) extended; both ignore case. */
#include "model/select.h"
#include "model/classify.h"
#include "model/diag.h"
#include "model/verify.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <ctype.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum key { K_DOMAIN, K_SENDER, K_RCPT, K_OLDER, K_YOUNGER, K_FROZEN, K_ID,
	K_BAD, K_CLASS, K_CUSTOMER, K_MATCH, K_VERIFIED, K__COUNT };

static const char *const keynames[K__COUNT] = {
	"domain", "sender", "rcpt", "older", "younger", "frozen", "id", "bad",
	"class", "customer", "match", "verified"
};
static const char *const optnames[K__COUNT] = {
	"--domain", "--sender", "--rcpt", "--older-than", "--younger-than",
	"--frozen", "--id", "--bad", "--class", "--customer", "--match",
	"--verified"
};

/* Keys that are about a recipient: a message matches them through one
 * of its pending recipients that matches them all. */
#define RCPT_KEYS	((1u << K_DOMAIN) | (1u << K_RCPT) | (1u << K_CLASS) | \
			    (1u << K_CUSTOMER) | (1u << K_MATCH) | \
			    (1u << K_VERIFIED))

struct term {
	enum key	 key;
	char		*text;		/* as given */
	char		*lower;		/* glob, lower-cased */
	int		 is_re;
	regex_t		 re;
	int64_t		 secs;		/* older/younger */
	int		 yes;		/* frozen/bad */
	int		 cls;		/* class; verified: enum verify_res */
};

struct select {
	struct term	*t;
	size_t		 n, cap;
	unsigned	 keys;		/* bit per key present */
	const struct verify_set *vs;	/* verify results (borrowed), or NULL */
	time_t		 vnow;		/* and their "now" */
	int64_t		 vmax_age;	/* older ones read as unknown */
};

struct select *
select_new(void)
{
	return xcalloc(1, sizeof(struct select));
}

static void
term_done(struct term *t)
{
	if (t->is_re)
		regfree(&t->re);
	free(t->text);
	free(t->lower);
}

void
select_free(struct select *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		term_done(&s->t[i]);
	free(s->t);
	free(s);
}

static char *
lowerdup(const char *s)
{
	char *p = xstrdup(s), *q;

	for (q = p; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

static int
yesno(const char *v, int *yes)
{
	if (v == NULL || *v == '\0' || strcmp(v, "yes") == 0 ||
	    strcmp(v, "y") == 0 || strcmp(v, "1") == 0 ||
	    strcmp(v, "true") == 0)
		*yes = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "n") == 0 ||
	    strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		*yes = 0;
	else
		return -1;
	return 0;
}

/* How large glibc's regcomp() makes a regex: it copies the atom under
 * {m,n} n times (and * + ? roughly double it), so nested or stacked
 * repetitions grow as a product; "((a{1,100}){1,100}){1,100}" takes
 * seconds, "a{1,255}{1,255}{1,255}" minutes, and stacked operators
 * without an atom between grow faster still ("e?**" and 12 '+': 20 s).
 * A rough count of atoms after that expansion, saturating at RE_MAX + 1
 * (also for more than RE_STACK operators in a row); regcomp() judges
 * the syntax itself. */
#define RE_MAX	100000
#define RE_DEPTH 32
#define RE_STACK 4

static uint64_t
re_sat(uint64_t a)
{
	return a > RE_MAX ? RE_MAX + 1 : a;
}

static uint64_t
re_weight(const char *re)
{
	uint64_t sum[RE_DEPTH + 1] = { 0 }, last = 0, m, n;
	size_t i = 0, j;
	int d = 0, run = 0;

	while (re[i] != '\0') {
		if (strchr("*+?{", re[i]) != NULL && ++run > RE_STACK)
			return RE_MAX + 1;
		switch (re[i]) {
		case '(':
			if (d == RE_DEPTH)
				return RE_MAX + 1;
			sum[++d] = 0;
			last = 0;
			run = 0;
			i++;
			continue;
		case ')':
			if (d > 0) {
				last = sum[d--];
				sum[d] = re_sat(sum[d] + last);
			}
			run = 0;
			i++;
			continue;
		case '*':
		case '+':
		case '?':
			sum[d] = re_sat(sum[d] + last);
			last = re_sat(last * 2);
			i++;
			continue;
		case '{':
			j = i + 1;
			for (m = 0; isdigit((unsigned char)re[j]); j++)
				m = re_sat(m * 10 + (uint64_t)(re[j] - '0'));
			n = m;
			if (re[j] == ',')
				for (n = 0, j++; isdigit((unsigned char)re[j]); j++)
					n = re_sat(n * 10 + (uint64_t)(re[j] - '0'));
			if (re[j] == '}' && j > i + 1) {
				n = n > m ? n : m;
				n = n > 0 ? n : 1;
				sum[d] = re_sat(sum[d] + re_sat(last * (n - 1)));
				last = re_sat(last * n);
				i = j + 1;
				continue;
			}
			run = 0;
			break;		/* a literal '{' */
		case '[':		/* one atom: [^]...[:class:]...] */
			j = i + 1;
			if (re[j] == '^')
				j++;
			if (re[j] == ']')
				j++;
			while (re[j] != '\0' && re[j] != ']') {
				if (re[j] == '[' && re[j + 1] != '\0' &&
				    strchr(":.=", re[j + 1]) != NULL) {
					const char *e = strchr(re + j + 2, ']');

					j = e != NULL ? (size_t)(e - re) + 1 :
					    j + 1;
				} else
					j++;
			}
			i = re[j] == ']' ? j : i;
			break;
		case '\\':
			if (re[i + 1] != '\0')
				i++;
			break;
		default:
			break;
		}
		last = 1;
		run = 0;
		sum[d] = re_sat(sum[d] + 1);
		i++;
	}
	while (d > 0) {
		last = sum[d--];
		sum[d] = re_sat(sum[d] + last);
	}
	return sum[0];
}

int
select_add(struct select *s, const char *key, const char *value, char *err,
    size_t errlen)
{
	struct term t;
	int k, rc;
	char ebuf[128];

	for (k = 0; k < K__COUNT; k++)
		if (strcmp(key, keynames[k]) == 0)
			break;
	if (k == K__COUNT) {
		snprintf(err, errlen, "unknown filter '%s'", key);
		return -1;
	}
	memset(&t, 0, sizeof(t));
	t.key = (enum key)k;
	switch (t.key) {
	case K_DOMAIN:
	case K_SENDER:
	case K_RCPT:
		if (value == NULL) {
			snprintf(err, errlen, "%s needs a pattern", key);
			return -1;
		}
		if (value[0] == '~' && re_weight(value + 1) > RE_MAX) {
			snprintf(err, errlen, "regex '%.80s' too complex: its "
			    "repetitions nest too deep (at most %d atoms "
			    "expanded)", value + 1, RE_MAX);
			return -1;
		}
		if (value[0] == '~') {
			rc = regcomp(&t.re, value + 1,
			    REG_EXTENDED | REG_ICASE | REG_NOSUB);
			if (rc != 0) {
				regerror(rc, &t.re, ebuf, sizeof(ebuf));
				snprintf(err, errlen, "bad regex '%s': %s",
				    value + 1, ebuf);
				return -1;
			}
			t.is_re = 1;
		} else
			t.lower = lowerdup(value);
		break;
	case K_OLDER:
	case K_YOUNGER:
		if (value == NULL || units_parse_duration(value, &t.secs) < 0) {
			snprintf(err, errlen, "bad duration '%s' (try 90s, "
			    "15m, 2h, 3d)", value ? value : "");
			return -1;
		}
		break;
	case K_FROZEN:
	case K_BAD:
	case K_CUSTOMER:
		if (yesno(value, &t.yes) < 0) {
			snprintf(err, errlen, "%s takes yes or no", key);
			return -1;
		}
		break;
	case K_MATCH:
		if (value == NULL || *value == '\0') {
			snprintf(err, errlen, "match needs a word");
			return -1;
		}
		t.lower = lowerdup(value);
		break;
	case K_ID:
		if (value == NULL || !spool_id_valid(value, strlen(value))) {
			snprintf(err, errlen, "not a message id: '%s'",
			    value ? value : "");
			return -1;
		}
		break;
	case K_CLASS:
		if (value == NULL || (t.cls = class_from_name(value)) < 0) {
			snprintf(err, errlen, "unknown class '%s' (offline, "
			    "tarpit, ratelimit, softreject, blocked, "
			    "hardreject, dns, loop, backscatter, greylist, "
			    "other)",
			    value ? value : "");
			return -1;
		}
		break;
	case K_VERIFIED:
		if (value == NULL || (t.cls = verify_res_parse(value)) < 0) {
			snprintf(err, errlen, "verified takes rejected, "
			    "accepted, deferred or unknown, not '%s'",
			    value ? value : "");
			return -1;
		}
		break;
	case K__COUNT:
		break;
	}
	t.text = xstrdup(value ? value : "yes");
	xgrow(&s->t, &s->cap, s->n + 1, sizeof(*s->t));
	s->t[s->n++] = t;
	s->keys |= 1u << k;
	return 0;
}

int
select_add_exact(struct select *s, const char *key, const char *value,
    char *err, size_t errlen)
{
	char	*g = xmalloc(strlen(value) * 2 + 1), *q = g;
	int	 rc;

	/* A glob that matches value alone: no '~' regex, no wildcards. */
	for (; *value != '\0'; value++) {
		if (strchr("*?[]\\~", *value) != NULL)
			*q++ = '\\';
		*q++ = *value;
	}
	*q = '\0';
	rc = select_add(s, key, g, err, errlen);
	free(g);
	return rc;
}

struct select *
select_dup(const struct select *s)
{
	struct select *d = select_new();
	char err[256];
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		(void)select_add(d, keynames[s->t[i].key], s->t[i].text, err,
		    sizeof(err));
	if (s != NULL)
		select_bind_verify(d, s->vs, s->vnow, s->vmax_age);
	return d;
}

void
select_bind_verify(struct select *s, const struct verify_set *vs,
    time_t now, int64_t max_age)
{
	s->vs = vs;
	s->vnow = now;
	s->vmax_age = max_age;
}

int
select_parse_words(struct select *s, const char *words, char *err,
    size_t errlen)
{
	struct select *tmp = select_new();
	char *copy = xstrdup(words), *w, *save = NULL, *v;
	const char *key;
	size_t i;
	int rc = 0;

	for (w = strtok_r(copy, " \t", &save); w != NULL && rc == 0;
	    w = strtok_r(NULL, " \t", &save)) {
		if (strncmp(w, "age>", 4) == 0)
			rc = select_add(tmp, "older", w + 4, err, errlen);
		else if (strncmp(w, "age<", 4) == 0)
			rc = select_add(tmp, "younger", w + 4, err, errlen);
		else if ((v = strchr(w, ':')) != NULL) {
			*v++ = '\0';
			key = strcmp(w, "from") == 0 ? "sender" :
			    strcmp(w, "to") == 0 ? "rcpt" : w;
			rc = select_add(tmp, key, v, err, errlen);
		} else if (strcmp(w, "frozen") == 0 || strcmp(w, "bad") == 0 ||
		    strcmp(w, "customer") == 0)
			rc = select_add(tmp, w, NULL, err, errlen);
		else if (spool_id_valid(w, strlen(w)))
			rc = select_add(tmp, "id", w, err, errlen);
		else	/* A bare word is looked for in domains, senders and
			 * recipients, as in mutt's simple search. */
			rc = select_add(tmp, "match", w, err, errlen);
	}
	free(copy);
	if (rc == 0) {
		/* Move the terms over. */
		for (i = 0; i < tmp->n; i++) {
			xgrow(&s->t, &s->cap, s->n + 1, sizeof(*s->t));
			s->t[s->n++] = tmp->t[i];
		}
		s->keys |= tmp->keys;
		tmp->n = 0;
	}
	select_free(tmp);
	return rc;
}

int
select_empty(const struct select *s)
{
	return s == NULL || s->n == 0;
}

int
select_only(const struct select *s, const char *key)
{
	int k;

	for (k = 0; k < K__COUNT; k++)
		if (strcmp(key, keynames[k]) == 0)
			return s == NULL || (s->keys & ~(1u << k)) == 0;
	return 0;
}

int
select_has(const struct select *s, const char *key)
{
	int k;

	for (k = 0; s != NULL && k < K__COUNT; k++)
		if (strcmp(key, keynames[k]) == 0)
			return (s->keys & (1u << k)) != 0;
	return 0;
}

static int
pat_match(const struct term *t, const char *str)
{
	char buf[1024];
	size_t i;

	if (t->is_re)
		return regexec(&t->re, str, 0, NULL, 0) == 0;
	for (i = 0; str[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = (char)tolower((unsigned char)str[i]);
	buf[i] = '\0';
	return fnmatch(t->lower, buf, 0) == 0;
}

/* Whether any term of key k matches str (true when there is none). */
static int
any(const struct select *s, enum key k, const char *str)
{
	size_t i;

	if (!(s->keys & (1u << k)))
		return 1;
	for (i = 0; i < s->n; i++)
		if (s->t[i].key == k && pat_match(&s->t[i], str))
			return 1;
	return 0;
}

int
select_domain(const struct select *s, const char *domain)
{
	return s == NULL || any(s, K_DOMAIN, domain);
}

/* Whether a term of key k equals yes/no v (true when there is none). */
static int
any_yes(const struct select *s, enum key k, int v)
{
	size_t i;

	if (!(s->keys & (1u << k)))
		return 1;
	for (i = 0; i < s->n; i++)
		if (s->t[i].key == k && s->t[i].yes == !!v)
			return 1;
	return 0;
}

/* Whether str holds the lower-case word w, ignoring case. */
static int
has_word(const char *str, const char *w)
{
	size_t	 i, n = strlen(w), k;

	if (str == NULL)
		return 0;
	for (i = 0; str[i] != '\0'; i++) {
		for (k = 0; k < n && str[i + k] != '\0' &&
		    tolower((unsigned char)str[i + k]) == w[k]; k++)
			;
		if (k == n)
			return 1;
	}
	return 0;
}

/* Whether recipient addr of message m passes the match terms: a word of
 * its address (domain included), or of the sender (then every recipient
 * of the message does). */
static int
match_ok(const struct select *s, const struct spool_msg *m, const char *addr)
{
	size_t i;

	if (!(s->keys & (1u << K_MATCH)))
		return 1;
	for (i = 0; i < s->n; i++)
		if (s->t[i].key == K_MATCH && (has_word(addr, s->t[i].lower) ||
		    has_word(spool_msg_sender(m), s->t[i].lower)))
			return 1;
	return 0;
}

int
select_rcpt(const struct select *s, const struct spool_snap *snap,
    const struct diag *d, const struct spool_msg *m, size_t r)
{
	const struct spool_rcpt *rc = &snap->rcpts[r];
	char ab[SPOOL_ADDR_BUF];
	const char *addr;
	size_t i;
	int ok, c;

	if (s == NULL || !(s->keys & RCPT_KEYS))
		return 1;
	/* The address joined only for keys that read it. */
	addr = (s->keys & (1u << K_RCPT | 1u << K_MATCH | 1u << K_VERIFIED)) ?
	    spool_rcpt_addr(snap, rc, ab) : NULL;
	if (!any(s, K_DOMAIN, spool_rcpt_domain(snap, rc)) ||
	    !any(s, K_RCPT, addr) ||
	    !any_yes(s, K_CUSTOMER, diag_customer(d, rc->domain)) ||
	    !match_ok(s, m, addr))
		return 0;
	if (s->keys & (1u << K_CLASS)) {
		c = diag_rcpt_class(d, r);
		for (i = 0, ok = 0; i < s->n && !ok; i++)
			ok = s->t[i].key == K_CLASS && s->t[i].cls == c;
		if (!ok)
			return 0;
	}
	if (s->keys & (1u << K_VERIFIED)) {
		c = (int)verify_set_result(s->vs, addr, s->vnow,
		    s->vmax_age);
		for (i = 0, ok = 0; i < s->n && !ok; i++)
			ok = s->t[i].key == K_VERIFIED && s->t[i].cls == c;
		if (!ok)
			return 0;
	}
	return 1;
}

size_t
select_last(const struct select *s, const struct spool_snap *snap,
    const struct diag *d, const struct spool_msg *m)
{
	const struct diag_rcpt *dr;
	struct diag_rcpt buf;
	size_t i, r, best = SIZE_MAX;
	time_t bt = 0;

	for (i = 0; i < m->nrcpt; i++) {
		r = m->rcpt0 + i;
		if (snap->rcpts[r].state != RCPT_PENDING ||
		    diag_rcpt_class(d, r) == 0 || !select_rcpt(s, snap, d, m, r))
			continue;
		dr = diag_rcpt_last(d, r, &buf);
		if (best == SIZE_MAX || (dr != NULL && dr->time >= bt)) {
			best = r;
			bt = dr != NULL ? dr->time : 0;
		}
	}
	return best;
}

int
select_by_rcpt(const struct select *s)
{
	return s != NULL && (s->keys & RCPT_KEYS) != 0;
}

int
select_msg(const struct select *s, const struct spool_snap *snap,
    const struct diag *d, const struct spool_msg *m, time_t now)
{
	size_t i;
	int64_t age = (int64_t)now - m->arrival;
	int ok;

	if (s == NULL || s->n == 0)
		return 1;
	for (i = 0; i < s->n; i++) {
		const struct term *t = &s->t[i];

		switch (t->key) {
		case K_OLDER:
			if (age < t->secs)
				return 0;
			break;
		case K_YOUNGER:
			if (age >= t->secs)
				return 0;
			break;
		case K_FROZEN:
			if (!!(m->flags & MSG_F_FROZEN) != t->yes)
				return 0;
			break;
		case K_BAD:
			if (!!(m->flags & MSG_F_BADFILE) != t->yes)
				return 0;
			break;
		default:
			break;
		}
	}
	if (s->keys & (1u << K_ID)) {
		for (i = 0, ok = 0; i < s->n && !ok; i++)
			ok = s->t[i].key == K_ID &&
			    strcmp(s->t[i].text, m->id) == 0;
		if (!ok)
			return 0;
	}
	if (!any(s, K_SENDER, spool_msg_sender(m) ? spool_msg_sender(m) : ""))
		return 0;
	if (s->keys & RCPT_KEYS) {
		for (i = 0, ok = 0; i < m->nrcpt && !ok; i++)
			ok = snap->rcpts[m->rcpt0 + i].state == RCPT_PENDING &&
			    select_rcpt(s, snap, d, m, m->rcpt0 + i);
		if (!ok)
			return 0;
	}
	return 1;
}


char *
select_to_args(const struct select *s, char *buf, size_t len)
{
	size_t i, o = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; s != NULL && i < s->n; i++) {
		const struct term *t = &s->t[i];

		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s",
		    i ? " " : "", optnames[t->key]);
		if (t->key == K_FROZEN || t->key == K_BAD ||
		    t->key == K_CUSTOMER) {
			if (!t->yes)
				o += (size_t)snprintf(buf + o,
				    o < len ? len - o : 0, "=no");
			continue;
		}
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, " ");
		if (o < len) {
			text_shquote_cat(buf, len, t->text);
			o = strlen(buf);
		}
	}
	if (o >= len)
		buf[len - 1] = '\0';
	return buf;
}
