/* fmt_show.c -- one message in full: envelope, recipients, headers,
 * spool options in plain words, msglog history. */
#include "out/fmt.h"
#include "fmt_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/diag.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- show ---- */

/* Option lines in plain words; NULL: show "name value" as it is. */
static const struct {
	const char *name, *words;
} optwords[] = {
	{ "deliver_firsttime", "no delivery attempt has finished yet" },
	{ "frozen", "frozen (since the time given)" },
	{ "manual_thaw", "thawed by an administrator" },
	{ "localerror", "a bounce or warning generated on this host" },
	{ "local", "submitted on this host" },
	{ "N", "delivery suppressed (-N)" },
	{ "host_lookup_failed", "reverse DNS lookup of the client failed" },
	{ "host_lookup_deferred", "reverse DNS lookup of the client deferred" },
	{ "spool_file_wireformat", "body stored in wire format (CRLF)" },
	{ "tls_certificate_verified", "client certificate verified" },
	{ "allow_unqualified_recipient", "unqualified recipients allowed" },
	{ "allow_unqualified_sender", "unqualified sender allowed" },
	{ "sender_set_untrusted", "sender set by an untrusted local user" },
	{ "smtputf8", "SMTPUTF8 message" },
	{ "received_time_usec", "arrival microseconds" },
	{ "received_time_complete", "reception completed at" },
	{ "helo_name", "client HELO name" },
	{ "host_address", "client address" },
	{ "host_name", "client host name (reverse DNS)" },
	{ "interface_address", "received on" },
	{ "received_protocol", "protocol" },
	{ "body_linecount", "body lines" },
	{ "max_received_linelength", "longest line" },
	{ "body_zerocount", "NUL bytes in body" },
	{ "tls_cipher", "TLS cipher" },
	{ "tls_ver", "TLS version" },
	{ "tls_resumption", "TLS resumption state" },
	{ "auth_id", "authenticated as" },
	{ "auth_sender", "authenticated sender" },
	{ "host_auth", "authenticator" },
	{ "ident", "ident / local login" },
	{ "aclc", "ACL connection variable" },
	{ "aclm", "ACL message variable" },
	{ "dsn_envid", "DSN envelope id" },
	{ "dsn_ret", "DSN return (1 full, 2 headers)" },
};

static const char *
opt_words(const struct spool_opt *o)
{
	size_t i;

	for (i = 0; i < sizeof(optwords) / sizeof(optwords[0]); i++)
		if (strlen(optwords[i].name) == o->name.len &&
		    memcmp(optwords[i].name, o->name.p, o->name.len) == 0)
			return optwords[i].words;
	return NULL;
}

static const char *
hdr_name(const struct spool_header *hd, char *buf, size_t len)
{
	const char *c = memchr(hd->text.p, ':', hd->text.len);
	size_t n = c ? (size_t)(c - hd->text.p) : 0;

	if (n >= len)
		n = len - 1;
	memcpy(buf, hd->text.p, n);
	buf[n] = '\0';
	return buf;
}

/* Recipient i of h as the snapshot and its diagnosis know it: the
 * snapshot record m is from the same -H, unless Exim rewrote it since. */
static size_t
rcpt_index(const struct spool_snap *snap, const struct spool_msg *m,
    const struct spool_hdr *h, size_t i)
{
	char ab[SPOOL_ADDR_BUF];
	const char *a;

	if (snap == NULL || m == NULL || i >= m->nrcpt)
		return SIZE_MAX;
	a = spool_rcpt_addr(snap, &snap->rcpts[m->rcpt0 + i], ab);
	if (strlen(a) != h->rcpts[i].addr.len ||
	    memcmp(a, h->rcpts[i].addr.p, h->rcpts[i].addr.len) != 0)
		return SIZE_MAX;
	return m->rcpt0 + i;
}

static int
state_of(const struct spool_snap *snap, const struct diag *dg,
    const struct spool_msg *m, const struct spool_hdr *h, size_t i)
{
	size_t r = rcpt_index(snap, m, h, i);

	if (r == SIZE_MAX)
		return DIAG_PENDING;
	if (snap->rcpts[r].state == RCPT_PENDING)
		return DIAG_PENDING;
	return dg != NULL ? (int)diag_rcpt_state(dg, r) : DIAG_DONE;
}

static void
json_rcpt_last(FILE *f, const struct spool_snap *snap, const struct diag *dg,
    const struct spool_msg *m, const struct spool_hdr *h, size_t i)
{
	fmt_json_last(f, dg, rcpt_index(snap, m, h, i));
}

static void
hist_json(FILE *f, const struct history *hi)
{
	size_t i;

	fputs(",\"history\":[", f);
	for (i = 0; hi != NULL && i < hi->n; i++) {
		const struct history_event *e = &hi->ev[i];
		enum class_id c;

		fprintf(f, "%s{\"time\":%lld,\"kind\":\"%s\",\"class\":",
		    i ? "," : "", (long long)e->time, history_kind_name(e->kind));
		c = class_of_event(e->kind, e->text, strlen(e->text));
		fmt_jstr(f, c ? class_name(c) : NULL);
		fputs(",\"address\":", f);
		fmt_jstr(f, e->addr);
		fputs(",\"host\":", f);
		fmt_jstr(f, e->host);
		fputs(",\"text\":", f);
		fmt_jstr(f, e->text);
		fputc('}', f);
	}
	fputs("]", f);
}

static void
show_json(FILE *f, const struct fmt_opts *o, const struct spool_snap *snap,
    const struct diag *dg, const struct spool_msg *m,
    const struct spool_hdr *h, const struct history *hi)
{
	size_t i;
	char *s, name[256];
	size_t dlen;
	const char *d;

	fputs("{\"id\":", f);
	fmt_json_str(f, h->id.p, h->id.len);
	fprintf(f, ",\"arrival\":%lld,\"age\":%lld,\"size\":%lld,"
	    "\"sender\":", (long long)h->received,
	    (long long)(o->now - h->received), m ? (long long)m->size : -1LL);
	fmt_json_str(f, h->sender.p, h->sender.len);
	fprintf(f, ",\"frozen\":%s,\"frozen_at\":%lld,\"active\":%s,"
	    "\"warnings\":%d,\"login\":", h->flags & MSG_F_FROZEN ? "true" :
	    "false", (long long)h->frozen_at, m && (m->flags & MSG_F_ACTIVE) ?
	    "true" : "false", h->warnings);
	fmt_json_str(f, h->login.p, h->login.len);
	fprintf(f, ",\"uid\":%ld,\"gid\":%ld,\"host\":", h->uid, h->gid);
	fmt_json_str(f, h->host_address.p, h->host_address.len);
	fputs(",\"helo\":", f);
	fmt_json_str(f, h->helo_name.p, h->helo_name.len);
	fputs(",\"protocol\":", f);
	fmt_json_str(f, h->protocol.p, h->protocol.len);
	fputs(",\"recipients\":[", f);
	for (i = 0; i < h->nrcpts; i++) {
		const struct spool_hrcpt *r = &h->rcpts[i];

		fputs(i ? ",{\"address\":" : "{\"address\":", f);
		fmt_json_str(f, r->addr.p, r->addr.len);
		d = text_addr_domain(r->addr.p, r->addr.len, &dlen);
		s = xstrndup(d, dlen);
		for (d = s; *d != '\0'; d++)
			if (*d >= 'A' && *d <= 'Z')
				*(char *)d = (char)(*d + 32);
		fputs(",\"domain\":", f);
		fmt_jstr(f, s);
		free(s);
		fprintf(f, ",\"state\":\"%s\"", fmt_state_name(state_of(snap,
		    dg, m, h, i)));
		json_rcpt_last(f, snap, dg, m, h, i);
		if (r->errors_to.len > 0) {
			fputs(",\"errors_to\":", f);
			fmt_json_str(f, r->errors_to.p, r->errors_to.len);
		}
		fputc('}', f);
	}
	fputs("],\"options\":[", f);
	for (i = 0; i < h->nopts; i++) {
		const struct spool_opt *op = &h->opts[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		fmt_json_str(f, op->name.p, op->name.len);
		if (op->var.len > 0) {
			fputs(",\"variable\":", f);
			fmt_json_str(f, op->var.p, op->var.len);
		}
		fputs(",\"value\":", f);
		fmt_json_str(f, op->value.p, op->value.len);
		fprintf(f, ",\"tainted\":%s,\"meaning\":",
		    op->tainted ? "true" : "false");
		fmt_jstr(f, opt_words(op));
		fputc('}', f);
	}
	fputs("],\"headers\":[", f);
	for (i = 0; i < h->nhdrs; i++) {
		const struct spool_header *hd = &h->hdrs[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		fmt_jstr(f, hdr_name(hd, name, sizeof(name)));
		fprintf(f, ",\"flag\":\"%c\",\"deleted\":%s,\"text\":",
		    hd->flag == '"' || hd->flag == '\\' ? '?' : hd->flag,
		    hd->flag == '*' ? "true" : "false");
		fmt_json_str(f, hd->text.p, hd->text.len);
		fputc('}', f);
	}
	fputc(']', f);
	hist_json(f, hi);
	fputs("}\n", f);
}

/* ---- The ticket, as lines (text output and the TUI alike) ---- */

/* The first header named name (case-insensitive), or NULL. */
static const struct spool_header *
header(const struct spool_hdr *h, const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; i < h->nhdrs; i++)
		if (h->hdrs[i].flag != '*' && h->hdrs[i].text.len > n &&
		    h->hdrs[i].text.p[n] == ':' &&
		    strncasecmp(h->hdrs[i].text.p, name, n) == 0)
			return &h->hdrs[i];
	return NULL;
}

/* A header's value on one line: folded lines joined, blanks squeezed. */
static void
header_value(const struct spool_header *hd, char *buf, size_t len)
{
	const char *p = memchr(hd->text.p, ':', hd->text.len), *e;
	char	 tmp[2048];
	size_t	 o = 0;

	e = hd->text.p + hd->text.len;
	for (p = p + 1; p < e && o + 1 < sizeof(tmp); p++) {
		char c = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;

		if (c == ' ' && (o == 0 || tmp[o - 1] == ' '))
			continue;
		tmp[o++] = c;
	}
	while (o > 0 && tmp[o - 1] == ' ')
		o--;
	text_sanitize(buf, len, tmp, o);
}

int
fmt_header_value(const struct spool_hdr *h, const char *name, char *buf,
    size_t len)
{
	const struct spool_header *hd = h != NULL ? header(h, name) : NULL;

	if (len > 0)
		buf[0] = '\0';
	if (hd == NULL)
		return -1;
	header_value(hd, buf, len);
	return 0;
}

static const char *const top_headers[] = { "Subject", "From", "To", "Date" };

static int
is_top(const struct spool_header *hd)
{
	size_t	 i, n;

	for (i = 0; i < 4; i++) {
		n = strlen(top_headers[i]);
		if (hd->text.len > n && hd->text.p[n] == ':' &&
		    strncasecmp(hd->text.p, top_headers[i], n) == 0)
			return 1;
	}
	return 0;
}

/* Prints a multi-line text indented, sanitized line by line. */
static void
block(struct fmt_sink *o, int style, struct spool_str t)
{
	const char *p = t.p, *e = t.p + t.len, *nl;
	char buf[4096];

	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			nl = e;
		text_sanitize(buf, sizeof(buf), p, (size_t)(nl - p));
		fmt_put(o, style, 4, "  %s", buf);
		p = nl + 1;
	}
}

/* Whether two msglog lines say the same, addresses in <> and the host's
 * port aside (so retries fold). */
static int
same_line(const struct history_event *a, const struct history_event *b)
{
	const char *x = a->text, *y = b->text;

	if (a->kind != b->kind || (a->addr == NULL) != (b->addr == NULL) ||
	    (a->addr != NULL && strcmp(a->addr, b->addr) != 0))
		return 0;
	while (*x != '\0' && *x == *y) {
		if (*x == '<') {
			x = strchr(x, '>');
			y = strchr(y, '>');
			if (x == NULL || y == NULL)
				return x == y;
		}
		x++;
		y++;
	}
	return *x == *y;
}

#define FOLD_WIN	4	/* lines a repeating attempt may span */

static void
hist_line(struct fmt_sink *o, const struct history_event *e, unsigned count,
    time_t last)
{
	char	 t[32], t2[32], buf[2048], rep[96];
	int	 c = class_of_event(e->kind, e->text, strlen(e->text));
	int	 style = FMT_LS_NORMAL;

	if (e->time)
		units_fmt_time(t, sizeof(t), e->time);
	else
		snprintf(t, sizeof(t), "%19s", "");
	text_sanitize(buf, sizeof(buf), e->line, strlen(e->line));
	rep[0] = '\0';
	if (count > 1)
		snprintf(rep, sizeof(rep), " x%u to %s", count,
		    units_fmt_time(t2, sizeof(t2), last));
	if (c != CLASS_NONE)
		style = FMT_LS_CLASS + c;
	else if (e->kind == LL_SKIP)
		style = FMT_LS_DIM;
	fmt_put(o, style, 44, "  %s %-9s %-10s %s%s", t,
	    history_kind_name(e->kind), c ? class_name(c) : "", buf, rep);
}

/* The history with runs of the same results folded: a line that repeats
 * one of the last FOLD_WIN different lines (an attempt of a few lines,
 * retried) is counted there instead of shown again. */
static void
hist_lines(struct fmt_sink *o, const struct history *hi)
{
	size_t	 win[FOLD_WIN], nwin = 0, i, k;
	unsigned cnt[FOLD_WIN];
	time_t	 last[FOLD_WIN];

	fmt_put(o, FMT_LS_SECTION, 0, "Delivery history (%u attempts)",
	    hi != NULL ? hi->attempts : 0);
	if (hi != NULL && hi->n == 0 && hi->read_err != 0 &&
	    hi->read_err != ENOENT) {
		fmt_put(o, FMT_LS_BAD, 2, "  (msglog not read: %s)",
		    hi->read_err == ELOOP ? "a symlink, never followed" :
		    hi->read_err == EINVAL ? "not a regular file" :
		    strerror(hi->read_err));
		return;
	}
	if (hi == NULL || hi->n == 0) {
		fmt_put(o, FMT_LS_DIM, 2, "  (no msglog)");
		return;
	}
	for (i = 0; i < hi->n; i++) {
		for (k = 0; k < nwin; k++)
			if (same_line(&hi->ev[win[k]], &hi->ev[i]))
				break;
		if (k < nwin) {
			cnt[k]++;
			last[k] = hi->ev[i].time;
			continue;
		}
		if (nwin == FOLD_WIN || (nwin > 0 && cnt[0] > 1)) {
			for (k = 0; k < nwin; k++)
				hist_line(o, &hi->ev[win[k]], cnt[k], last[k]);
			nwin = 0;
		}
		win[nwin] = i;
		cnt[nwin] = 1;
		last[nwin] = hi->ev[i].time;
		nwin++;
	}
	for (k = 0; k < nwin; k++)
		hist_line(o, &hi->ev[win[k]], cnt[k], last[k]);
}

void
fmt_show_lines(const struct fmt_opts *fo, const struct spool_snap *snap,
    const struct diag *dg, const struct spool_msg *m,
    const struct spool_hdr *h, const struct history *hi,
    void (*emit)(void *, int, int, const char *), void *arg)
{
	struct fmt_sink	 o = { emit, arg };
	char		 buf[2048], t[32], a[16], sz[16], st[4400];
	size_t		 i, npend = 0, ndel = 0, r;
	const struct spool_header *hd;

	fmt_put(&o, FMT_LS_SECTION, 0, "Message %.*s", (int)h->id.len, h->id.p);
	text_sanitize(buf, sizeof(buf), h->sender.p, h->sender.len);
	fmt_put(&o, FMT_LS_NORMAL, 14, "  %-11s <%s>%s", "Sender:", buf,
	    h->sender.len == 0 ? " (a bounce)" : "");
	fmt_put(&o, FMT_LS_NORMAL, 14, "  %-11s %s UTC (%s ago)", "Arrived:",
	    units_fmt_time(t, sizeof(t), (time_t)h->received),
	    units_fmt_age(a, sizeof(a), fo->now - h->received));
	if (m != NULL && m->size >= 0)
		fmt_put(&o, FMT_LS_NORMAL, 14, "  %-11s %s (%lld bytes)", "Size:",
		    fmt_trim(units_fmt_size(sz, sizeof(sz), m->size)),
		    (long long)m->size);
	if (h->host_address.len > 0) {
		text_sanitize(buf, sizeof(buf), h->host_address.p,
		    h->host_address.len);
		snprintf(st, sizeof(st), "%s", buf);
		if (h->helo_name.len > 0) {
			text_sanitize(buf, sizeof(buf), h->helo_name.p,
			    h->helo_name.len);
			snprintf(st + strlen(st), sizeof(st) - strlen(st),
			    " (HELO %s)", buf);
		}
		fmt_put(&o, FMT_LS_NORMAL, 14, "  %-11s %s", "From host:", st);
	}
	snprintf(st, sizeof(st), "%s", h->flags & MSG_F_FROZEN ? "frozen" :
	    "queued");
	if (h->flags & MSG_F_FROZEN)
		snprintf(st + strlen(st), sizeof(st) - strlen(st),
		    " since %s UTC", units_fmt_time(t, sizeof(t),
		    (time_t)h->frozen_at));
	if (m != NULL && (m->flags & MSG_F_ACTIVE))
		strncat(st, ", being delivered now", sizeof(st) - strlen(st) - 1);
	if (h->flags & MSG_F_FIRST)
		strncat(st, ", never tried", sizeof(st) - strlen(st) - 1);
	fmt_put(&o, FMT_LS_NORMAL, 14, "  %-11s %s; %d delay warning%s sent",
	    "State:", st, h->warnings, h->warnings == 1 ? "" : "s");
	if (m != NULL && spool_msg_bad(m) != NULL)
		fmt_put(&o, FMT_LS_BAD, 14, "  %-11s %s", "Bad file:", spool_msg_bad(m));

	for (i = 0; i < h->nrcpts; i++)
		npend += state_of(snap, dg, m, h, i) == DIAG_PENDING;
	fmt_put(&o, FMT_LS_NORMAL, 0, "%s", "");
	fmt_put(&o, FMT_LS_SECTION, 0, "Recipients (%zu, %zu pending)",
	    h->nrcpts, npend);
	for (i = 0; i < h->nrcpts; i++) {
		int s = state_of(snap, dg, m, h, i), c = 0;
		const struct diag_rcpt *dr = NULL;
		struct diag_rcpt last;
		char err[1024];

		r = rcpt_index(snap, m, h, i);
		if (r != SIZE_MAX) {
			c = diag_rcpt_class(dg, r);
			dr = diag_rcpt_last(dg, r, &last);
		}
		text_sanitize(buf, sizeof(buf), h->rcpts[i].addr.p,
		    h->rcpts[i].addr.len);
		err[0] = '\0';
		if (s == DIAG_PENDING && dr != NULL)
			text_sanitize(err, sizeof(err), dr->text,
			    strlen(dr->text));
		fmt_put(&o, s == DIAG_PENDING ? (c ? FMT_LS_CLASS + c :
		    FMT_LS_NORMAL) : FMT_LS_DIM, 24, "  %-10s %-11s %s%s%s",
		    fmt_state_name(s), s == DIAG_PENDING && c ?
		    class_name((enum class_id)c) : "", buf, err[0] ? ": " : "",
		    err);
	}
	fmt_put(&o, FMT_LS_NORMAL, 0, "%s", "");
	for (i = 0; i < 4; i++)
		if ((hd = header(h, top_headers[i])) != NULL) {
			char lab[16];

			header_value(hd, buf, sizeof(buf));
			snprintf(lab, sizeof(lab), "%s:", top_headers[i]);
			fmt_put(&o, FMT_LS_NORMAL, 11, "%-9s %s", lab, buf);
		}
	fmt_put(&o, FMT_LS_NORMAL, 0, "%s", "");
	hist_lines(&o, hi);
	fmt_put(&o, FMT_LS_NORMAL, 0, "%s", "");
	fmt_put(&o, FMT_LS_SECTION, 0, "Headers");
	for (i = 0; i < h->nhdrs; i++) {
		if (h->hdrs[i].flag == '*') {
			ndel++;
			continue;
		}
		if (!is_top(&h->hdrs[i]))
			block(&o, FMT_LS_NORMAL, h->hdrs[i].text);
	}
	if (ndel > 0)
		fmt_put(&o, FMT_LS_DIM, 2, "  (%zu deleted header%s not shown)",
		    ndel, ndel == 1 ? "" : "s");
	fmt_put(&o, FMT_LS_NORMAL, 0, "%s", "");
	fmt_put(&o, FMT_LS_SECTION, 0, "Spool options");
	for (i = 0; i < h->nopts; i++) {
		const struct spool_opt *op = &h->opts[i];
		const char *w = opt_words(op);
		char name[128], val[256];

		text_sanitize(name, sizeof(name), op->name.p, op->name.len);
		if (op->var.len > 0) {
			char var[64];

			text_sanitize(var, sizeof(var), op->var.p, op->var.len);
			snprintf(name + strlen(name), sizeof(name) -
			    strlen(name), " %s", var);
		}
		text_sanitize(val, sizeof(val), op->value.p, op->value.len);
		if (strcmp(name, "frozen") == 0)
			fmt_put(&o, FMT_LS_NORMAL, 28, "  -%-24s frozen at %s UTC",
			    name, units_fmt_time(t, sizeof(t),
			    (time_t)h->frozen_at));
		else if (w != NULL)
			fmt_put(&o, FMT_LS_NORMAL, 28, "  -%-24s %s%s%s%s", name, w,
			    val[0] ? ": " : "", val, op->tainted ?
			    " (tainted)" : "");
		else
			fmt_put(&o, FMT_LS_NORMAL, 28, "  -%-24s %s%s", name, val,
			    op->tainted ? " (tainted)" : "");
	}
}

static void
print_line(void *arg, int style, int indent, const char *text)
{
	(void)style;
	(void)indent;
	fprintf(arg, "%s\n", text);
}

void
fmt_show(FILE *f, const struct fmt_opts *o, const struct spool_snap *snap,
    const struct diag *dg, const struct spool_msg *m,
    const struct spool_hdr *h, const struct history *hi)
{
	size_t i;

	switch (o->kind) {
	case FMT_JSON:
		show_json(f, o, snap, dg, m, h, hi);
		break;
	case FMT_CSV:
		fputs("address,state,class\r\n", f);
		for (i = 0; i < h->nrcpts; i++) {
			size_t r = rcpt_index(snap, m, h, i);
			int c = r != SIZE_MAX ? diag_rcpt_class(dg, r) : 0;

			fmt_csv_str(f, h->rcpts[i].addr.p, h->rcpts[i].addr.len);
			fprintf(f, ",%s,%s\r\n", fmt_state_name(state_of(snap,
			    dg, m, h, i)), c ? class_name((enum class_id)c) :
			    "");
		}
		break;
	case FMT_IDS:
		fprintf(f, "%.*s\n", (int)h->id.len, h->id.p);
		break;
	case FMT_TEXT:
		fmt_show_lines(o, snap, dg, m, h, hi, print_line, f);
		break;
	}
}
