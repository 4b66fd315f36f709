/* fmt_show.c -- one message in full: envelope, recipients, headers,
 * spool options in plain words, msglog history. */
#include "out/fmt.h"
#include "fmt_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <stdlib.h>
#include <string.h>

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

static char *
dupstr(struct spool_str s)
{
	return xstrndup(s.p, s.len);
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
hist_text(FILE *f, const struct history *hi)
{
	char t[32], buf[1024], who[512];
	size_t i;

	fprintf(f, "\nHistory (msglog):\n");
	if (hi == NULL || hi->n == 0) {
		fprintf(f, "  (no msglog)\n");
		return;
	}
	for (i = 0; i < hi->n; i++) {
		const struct history_event *e = &hi->ev[i];
		enum class_id c = class_of_event(e->kind, e->text,
		    strlen(e->text));

		if (e->time)
			units_fmt_time(t, sizeof(t), e->time);
		else
			snprintf(t, sizeof(t), "%19s", "");
		text_sanitize(buf, sizeof(buf), e->text, strlen(e->text));
		text_sanitize(who, sizeof(who), e->addr ? e->addr : "",
		    e->addr ? strlen(e->addr) : 0);
		fprintf(f, "  %s %-10s %-10s %s%s%s\n", t, history_kind_name(e->kind),
		    c ? class_name(c) : "", who, who[0] ? ": " : "",
		    buf);
	}
}

static void
show_json(FILE *f, const struct fmt_opts *o, const struct spool_msg *m,
    const struct spool_hdr *h, const uint8_t *dl, const struct history *hi)
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
		fprintf(f, ",\"state\":\"%s\"", dl[i] == RCPT_PENDING ?
		    "pending" : "delivered");
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

/* Prints a multi-line text indented, sanitized line by line. */
static void
text_block(FILE *f, const char *indent, struct spool_str t)
{
	const char *p = t.p, *e = t.p + t.len, *nl;
	char buf[4096];

	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == NULL)
			nl = e;
		text_sanitize(buf, sizeof(buf), p, (size_t)(nl - p));
		fprintf(f, "%s%s\n", indent, buf);
		p = nl + 1;
	}
}

static void
show_text(FILE *f, const struct fmt_opts *o, const struct spool_msg *m,
    const struct spool_hdr *h, const uint8_t *dl)
{
	char buf[1024], t[32], a[16], sz[16];
	size_t i, npend = 0, ndel = 0;
	char *s;

	for (i = 0; i < h->nrcpts; i++)
		npend += dl[i] == RCPT_PENDING;
	s = dupstr(h->id);
	fprintf(f, "Message %s\n", s);
	free(s);
	fprintf(f, "  Arrived:    %s UTC (%s ago)\n",
	    units_fmt_time(t, sizeof(t), (time_t)h->received),
	    units_fmt_age(a, sizeof(a), o->now - h->received));
	if (m != NULL && m->size >= 0)
		fprintf(f, "  Size:       %s (%lld bytes)\n",
		    fmt_trim(units_fmt_size(sz, sizeof(sz), m->size)),
		    (long long)m->size);
	text_sanitize(buf, sizeof(buf), h->sender.p, h->sender.len);
	fprintf(f, "  Sender:     <%s>%s\n", buf, h->sender.len == 0 ?
	    " (a bounce)" : "");
	if (h->host_address.len > 0) {
		text_sanitize(buf, sizeof(buf), h->host_address.p,
		    h->host_address.len);
		fprintf(f, "  From host:  %s", buf);
		if (h->helo_name.len > 0) {
			text_sanitize(buf, sizeof(buf), h->helo_name.p,
			    h->helo_name.len);
			fprintf(f, " (HELO %s)", buf);
		}
		fputc('\n', f);
	}
	if (h->protocol.len > 0) {
		text_sanitize(buf, sizeof(buf), h->protocol.p,
		    h->protocol.len);
		fprintf(f, "  Protocol:   %s\n", buf);
	}
	text_sanitize(buf, sizeof(buf), h->login.p, h->login.len);
	fprintf(f, "  Owner:      %s (uid %ld, gid %ld)\n", buf, h->uid, h->gid);
	fprintf(f, "  State:      ");
	if (h->flags & MSG_F_FROZEN)
		fprintf(f, "frozen since %s UTC",
		    units_fmt_time(t, sizeof(t), (time_t)h->frozen_at));
	else
		fprintf(f, "queued");
	if (m != NULL && (m->flags & MSG_F_ACTIVE))
		fprintf(f, ", being delivered now");
	if (h->flags & MSG_F_FIRST)
		fprintf(f, ", never tried");
	fprintf(f, "; %d delay warning%s sent\n", h->warnings,
	    h->warnings == 1 ? "" : "s");
	fprintf(f, "\nRecipients (%zu, %zu pending):\n", h->nrcpts, npend);
	for (i = 0; i < h->nrcpts; i++) {
		text_sanitize(buf, sizeof(buf), h->rcpts[i].addr.p,
		    h->rcpts[i].addr.len);
		fprintf(f, "  %-10s %s\n", dl[i] == RCPT_PENDING ? "pending" :
		    "delivered", buf);
	}
	fprintf(f, "\nHeaders:\n");
	for (i = 0; i < h->nhdrs; i++) {
		if (h->hdrs[i].flag == '*') {
			ndel++;
			continue;
		}
		text_block(f, "  ", h->hdrs[i].text);
	}
	if (ndel > 0)
		fprintf(f, "  (%zu deleted header%s not shown)\n", ndel,
		    ndel == 1 ? "" : "s");
	fprintf(f, "\nSpool options:\n");
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
			fprintf(f, "  -%-24s frozen at %s UTC\n", name,
			    units_fmt_time(t, sizeof(t), (time_t)h->frozen_at));
		else if (w != NULL)
			fprintf(f, "  -%-24s %s%s%s%s\n", name, w,
			    val[0] ? ": " : "", val, op->tainted ?
			    " (tainted)" : "");
		else
			fprintf(f, "  -%-24s %s%s\n", name, val,
			    op->tainted ? " (tainted)" : "");
	}
}

void
fmt_show(FILE *f, const struct fmt_opts *o, const struct spool_msg *m,
    const struct spool_hdr *h, const uint8_t *dl, const struct history *hi)
{
	size_t i;

	switch (o->kind) {
	case FMT_JSON:
		show_json(f, o, m, h, dl, hi);
		break;
	case FMT_CSV:
		fputs("address,state\r\n", f);
		for (i = 0; i < h->nrcpts; i++) {
			fmt_csv_str(f, h->rcpts[i].addr.p, h->rcpts[i].addr.len);
			fprintf(f, ",%s\r\n", dl[i] == RCPT_PENDING ?
			    "pending" : "delivered");
		}
		break;
	case FMT_IDS:
		fprintf(f, "%.*s\n", (int)h->id.len, h->id.p);
		break;
	case FMT_TEXT:
		show_text(f, o, m, h, dl);
		hist_text(f, hi);
		break;
	}
}

