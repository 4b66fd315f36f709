/* fmt.c -- summary, list and show in text, CSV and JSON. */
#include "fmt.h"
#include "classify.h"
#include "history.h"
#include "select.h"
#include "spool.h"
#include "stats.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int
fmt_parse(const char *s, enum fmt_kind *k)
{
	if (strcmp(s, "text") == 0)
		*k = FMT_TEXT;
	else if (strcmp(s, "csv") == 0)
		*k = FMT_CSV;
	else if (strcmp(s, "json") == 0)
		*k = FMT_JSON;
	else if (strcmp(s, "ids") == 0)
		*k = FMT_IDS;
	else
		return -1;
	return 0;
}

void
fmt_json_str(FILE *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	fputc('"', f);
	while (i < len) {
		unsigned c = u[i];

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc((int)c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if ((n = util_utf8_len(u + i, len - i)) == 0) {
			fprintf(f, "\\u%04x", c);	/* not UTF-8 */
			i++;
		} else {
			fwrite(s + i, 1, n, f);
			i += n;
		}
	}
	fputc('"', f);
}

static void
jstr(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		fmt_json_str(f, s, strlen(s));
}

void
fmt_csv_str(FILE *f, const char *s, size_t len)
{
	char *buf;
	size_t i, blen;

	/* No raw control bytes even in CSV: it may be cat to a terminal. */
	blen = len * 4 + 1;
	buf = xmalloc(blen);
	util_sanitize(buf, blen, s, len);
	if (strpbrk(buf, ",\"\r\n") == NULL && buf[0] != ' ') {
		fputs(buf, f);
		free(buf);
		return;
	}
	fputc('"', f);
	for (i = 0; buf[i] != '\0'; i++) {
		if (buf[i] == '"')
			fputc('"', f);
		fputc(buf[i], f);
	}
	fputc('"', f);
	free(buf);
}

static void
cstr(FILE *f, const char *s)
{
	fmt_csv_str(f, s ? s : "", s ? strlen(s) : 0);
}

/* Sanitized copy for text output, cut to w display columns (UTF-8
 * sequences count as one column; good enough for addresses). */
static const char *
clean(char *buf, size_t len, const char *s, int w)
{
	size_t i, cols = 0;

	util_sanitize(buf, len, s ? s : "", s ? strlen(s) : 0);
	if (w <= 0)
		return buf;
	for (i = 0; buf[i] != '\0'; i++) {
		if (((unsigned char)buf[i] & 0xc0) == 0x80)
			continue;
		if ((int)cols == w) {
			if (w > 1) {
				/* Mark the cut with a '+' at the end. */
				size_t j = i;

				while (j > 0 && ((unsigned char)buf[j - 1] &
				    0xc0) == 0x80)
					j--;
				if (j > 0)
					j--;
				while (j > 0 && ((unsigned char)buf[j] &
				    0xc0) == 0x80)
					j--;
				buf[j] = '+';
				buf[j + 1] = '\0';
			} else
				buf[i] = '\0';
			break;
		}
		cols++;
	}
	return buf;
}

/* Display columns of a sanitized string. */
static int
cols(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
pad(FILE *f, const char *s, int w, int right)
{
	int n = cols(s);

	if (right)
		fprintf(f, "%*s%s", w > n ? w - n : 0, "", s);
	else
		fprintf(f, "%s%*s", s, w > n ? w - n : 0, "");
}

static const char *
trim(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/* ---- summary ---- */

static void
json_evidence(FILE *f, const struct stats_evidence *e)
{
	fprintf(f, "{\"time\":%lld,\"class\":", (long long)e->time);
	jstr(f, class_name((enum class_id)e->cls));
	fputs(",\"host\":", f);
	jstr(f, e->host);
	fputs(",\"text\":", f);
	jstr(f, e->text);
	fputc('}', f);
}

/* The diagnosis fields shared by summary and diagnose. */
static void
json_diag(FILE *f, const struct stats_diag *d)
{
	int c, n = 0;

	fputs(",\"class\":", f);
	jstr(f, d->cls == CLASS_NONE ? NULL : class_name(
	    (enum class_id)d->cls));
	fputs(",\"classes\":{", f);
	for (c = 1; c < CLASS__COUNT; c++)
		if (d->classes[c] > 0)
			fprintf(f, "%s\"%s\":%u", n++ ? "," : "",
			    class_name((enum class_id)c), d->classes[c]);
	fprintf(f, "},\"samples\":%u,\"attempts\":%u,"
	    "\"tarpit\":{\"score\":%.3f,\"samples\":%u,\"suspected\":%s},"
	    "\"callouts\":{\"deferred\":%u,\"rejected\":%u,\"cached\":%u}",
	    d->samples, d->attempts, d->tarpit, d->samples,
	    d->suspected ? "true" : "false", d->callout_deferred,
	    d->callout_rejected, d->callout_cached);
	fputs(",\"last_error\":", f);
	if (d->last_error.time == 0)
		fputs("null", f);
	else
		json_evidence(f, &d->last_error);
	fputs(",\"last_success\":", f);
	if (d->last_success == 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", (long long)d->last_success);
}

static void
json_domain(FILE *f, const struct stats_domain *d, time_t now)
{
	int b;

	fputs("{\"domain\":", f);
	jstr(f, d->name);
	fprintf(f, ",\"messages\":%u,\"recipients\":%u,\"bytes\":%lld,"
	    "\"oldest\":%lld,\"newest\":%lld,\"frozen\":%u,\"active\":%u,"
	    "\"bad\":%u,\"buckets\":{", d->messages, d->recipients,
	    (long long)d->bytes,
	    d->messages ? (long long)(now - d->oldest) : 0LL,
	    d->messages ? (long long)(now - d->newest) : 0LL,
	    d->frozen, d->active, d->bad);
	for (b = 0; b < STATS_NBUCKETS; b++)
		fprintf(f, "%s\"%s\":%u", b ? "," : "", stats_bucket_name[b],
		    d->buckets[b]);
	fputc('}', f);
	json_diag(f, &d->diag);
	fputc('}', f);
}

static void
csv_domain(FILE *f, const struct stats_domain *d, time_t now)
{
	int b;

	cstr(f, d->name);
	fprintf(f, ",%u,%u,%lld,%lld,%lld,%u,%u,%u", d->messages,
	    d->recipients, (long long)d->bytes,
	    d->messages ? (long long)(now - d->oldest) : 0LL,
	    d->messages ? (long long)(now - d->newest) : 0LL,
	    d->frozen, d->active, d->bad);
	for (b = 0; b < STATS_NBUCKETS; b++)
		fprintf(f, ",%u", d->buckets[b]);
	fprintf(f, ",%s,%.3f,%u,%d,%u,%u,%u,%lld",
	    d->diag.cls == CLASS_NONE ? "" :
	    class_name((enum class_id)d->diag.cls), d->diag.tarpit,
	    d->diag.samples, d->diag.suspected, d->diag.callout_deferred,
	    d->diag.callout_rejected, d->diag.callout_cached,
	    (long long)d->diag.last_success);
	for (b = 1; b < CLASS__COUNT; b++)
		fprintf(f, ",%u", d->diag.classes[b]);
	fputs("\r\n", f);
}

/* Text summary columns after DOMAIN; NEWEST only when wide enough. */
#define SUM_FIXED	57
#define SUM_NEWEST	8

static void
text_domain_row(FILE *f, const struct stats_domain *d, time_t now, int dw,
    int newest, int total)
{
	char name[512], sz[16], o[16], n[16], tp[24], co[16];
	const struct stats_diag *g = &d->diag;

	pad(f, clean(name, sizeof(name), d->name, dw), dw, 0);
	util_fmt_size(sz, sizeof(sz), d->bytes);
	if (d->messages) {
		util_fmt_age(o, sizeof(o), now - d->oldest);
		util_fmt_age(n, sizeof(n), now - d->newest);
	} else
		o[0] = n[0] = '\0';
	fprintf(f, " %6u %6u %5s %7s", d->messages, d->recipients,
	    trim(sz), o);
	if (newest)
		fprintf(f, " %7s", n);
	if (total) {
		fprintf(f, " %4u\n", d->frozen);
		return;
	}
	snprintf(co, sizeof(co), "%u", g->callout_deferred +
	    g->callout_rejected + g->callout_cached);
	fprintf(f, " %4u %-10s %8s %5s\n", d->frozen,
	    g->cls ? class_name((enum class_id)g->cls) : "-",
	    stats_fmt_tarpit(tp, sizeof(tp), g), co);
}

static int
digits(uint32_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void
text_shape(FILE *f, const struct stats *st, int width)
{
	int w[STATS_NBUCKETS + 1], b, dw, used = 0;
	size_t i;
	char name[512];

	/* Column widths from the largest values (the total's). */
	w[0] = digits(st->total.messages);
	if (w[0] < 5)
		w[0] = 5;
	for (b = 0; b < STATS_NBUCKETS; b++) {
		w[b + 1] = (int)strlen(stats_bucket_name[b]);
		if (w[b + 1] < 4)
			w[b + 1] = 4;
		if (digits(st->total.buckets[b]) > w[b + 1])
			w[b + 1] = digits(st->total.buckets[b]);
	}
	for (b = 0; b <= STATS_NBUCKETS; b++)
		used += w[b] + 1;
	dw = width - used;
	if (dw < 12)
		dw = 12;
	fputc('\n', f);
	pad(f, "AGE (minutes)", dw, 0);
	fprintf(f, " %*s", w[0], "T");
	for (b = 0; b < STATS_NBUCKETS; b++)
		fprintf(f, " %*s", w[b + 1], stats_bucket_name[b]);
	fputc('\n', f);
	for (i = 0; i <= st->ndomains; i++) {
		const struct stats_domain *d = i == 0 ? &st->total :
		    &st->domains[i - 1];

		pad(f, clean(name, sizeof(name), d->name, dw), dw, 0);
		fprintf(f, " %*u", w[0], d->messages);
		for (b = 0; b < STATS_NBUCKETS; b++)
			fprintf(f, " %*u", w[b + 1], d->buckets[b]);
		fputc('\n', f);
	}
}

void
fmt_summary(FILE *f, const struct fmt_opts *o, const struct stats *st)
{
	size_t i;
	int b, dw, newest;

	switch (o->kind) {
	case FMT_JSON:
		fprintf(f, "{\"now\":%lld,\"spool\":", (long long)o->now);
		jstr(f, o->spool);
		fputs(",\"domains\":[", f);
		for (i = 0; i < st->ndomains; i++) {
			fputs(i ? ",\n" : "\n", f);
			json_domain(f, &st->domains[i], o->now);
		}
		fputs("],\n\"total\":", f);
		json_domain(f, &st->total, o->now);
		fputs("}\n", f);
		break;
	case FMT_CSV:
		fputs("domain,messages,recipients,bytes,oldest,newest,frozen,"
		    "active,bad", f);
		for (b = 0; b < STATS_NBUCKETS; b++)
			fprintf(f, ",buckets.%s", stats_bucket_name[b]);
		fputs(",class,tarpit,tarpit_samples,tarpit_suspected,"
		    "callouts_deferred,callouts_rejected,callouts_cached,"
		    "last_success", f);
		for (b = 1; b < CLASS__COUNT; b++)
			fprintf(f, ",classes.%s", class_name((enum class_id)b));
		fputs("\r\n", f);
		for (i = 0; i < st->ndomains; i++)
			csv_domain(f, &st->domains[i], o->now);
		csv_domain(f, &st->total, o->now);
		break;
	case FMT_IDS:
		for (i = 0; i < st->ndomains; i++)
			fprintf(f, "%s\n", st->domains[i].name);
		break;
	case FMT_TEXT:
		newest = o->width >= 100;
		dw = o->width - SUM_FIXED - (newest ? SUM_NEWEST : 0);
		if (dw < 12)
			dw = 12;
		pad(f, "DOMAIN", dw, 0);
		fprintf(f, " %6s %6s %5s %7s", "MSGS", "RCPTS", "SIZE",
		    "OLDEST");
		if (newest)
			fprintf(f, " %7s", "NEWEST");
		fprintf(f, " %4s %-10s %8s %5s\n", "FRZ", "CLASS", "TARPIT",
		    "CALLO");
		for (i = 0; i < st->ndomains; i++)
			text_domain_row(f, &st->domains[i], o->now, dw, newest,
			    0);
		text_domain_row(f, &st->total, o->now, dw, newest, 1);
		text_shape(f, st, o->width);
		break;
	}
}

/* ---- list ---- */

static void
msg_flags(char *buf, const struct spool_msg *m)
{
	char *p = buf;

	if (m->flags & MSG_F_FROZEN)
		*p++ = 'F';
	if (m->flags & MSG_F_ACTIVE)
		*p++ = 'A';
	if (m->flags & MSG_F_BADFILE)
		*p++ = '!';
	if (m->flags & MSG_F_NODATA)
		*p++ = 'C';
	*p = '\0';
}

static void
json_last(FILE *f, const struct stats_msglog *r)
{
	fputs(",\"class\":", f);
	jstr(f, r && r->cls ? class_name((enum class_id)r->cls) : NULL);
	fputs(",\"last_error\":", f);
	if (r == NULL || r->text == NULL) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"time\":%lld,\"host\":", (long long)r->time);
	jstr(f, r->host);
	fputs(",\"text\":", f);
	jstr(f, r->text);
	fputc('}', f);
}

static void
json_msg(FILE *f, const struct spool_snap *s, const struct spool_msg *m,
    time_t now, const struct stats_msglog *last)
{
	uint32_t i;

	fputs("{\"id\":", f);
	jstr(f, m->id);
	fprintf(f, ",\"arrival\":%lld,\"age\":%lld,\"size\":%lld,\"sender\":",
	    (long long)m->arrival, (long long)(now - m->arrival),
	    (long long)m->size);
	jstr(f, m->sender);
	fprintf(f, ",\"frozen\":%s,\"active\":%s,\"bad\":",
	    m->flags & MSG_F_FROZEN ? "true" : "false",
	    m->flags & MSG_F_ACTIVE ? "true" : "false");
	jstr(f, m->bad);
	fprintf(f, ",\"warnings\":%d,\"host\":", m->warnings);
	jstr(f, m->host);
	json_last(f, last);
	fputs(",\"recipients\":[", f);
	for (i = 0; i < m->nrcpt; i++) {
		const struct spool_rcpt *r = &s->rcpts[m->rcpt0 + i];

		fputs(i ? ",{\"address\":" : "{\"address\":", f);
		jstr(f, r->addr);
		fputs(",\"domain\":", f);
		jstr(f, spool_rcpt_domain(s, r));
		fprintf(f, ",\"state\":\"%s\"}", r->state == RCPT_PENDING ?
		    "pending" : "delivered");
	}
	fputs("]}", f);
}

static void
csv_rcpts(FILE *f, const struct spool_snap *s, const struct spool_msg *m,
    int state)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL;
	uint32_t i;

	for (i = 0; i < m->nrcpt; i++) {
		const struct spool_rcpt *r = &s->rcpts[m->rcpt0 + i];

		if (r->state != state)
			continue;
		n = strlen(r->addr);
		xgrow(&buf, &cap, len + n + 2, 1);
		if (len > 0)
			buf[len++] = ' ';
		memcpy(buf + len, r->addr, n);
		len += n;
	}
	fmt_csv_str(f, buf ? buf : "", len);
	free(buf);
}

static void
text_msg(FILE *f, const struct spool_snap *s, const struct spool_msg *m,
    time_t now, int iw, int sw, int rw, const struct stats_msglog *r)
{
	char age[16], sz[16], sender[512], rcpt[512], fl[8], more[16];
	const char *cls = r && r->cls ? class_name((enum class_id)r->cls) :
	    "-";
	const char *first = NULL;
	uint32_t i;

	for (i = 0; i < m->nrcpt && first == NULL; i++)
		if (s->rcpts[m->rcpt0 + i].state == RCPT_PENDING)
			first = s->rcpts[m->rcpt0 + i].addr;
	more[0] = '\0';
	if (m->npending > 1)
		snprintf(more, sizeof(more), " +%u", m->npending - 1);
	util_fmt_age(age, sizeof(age), now - m->arrival);
	util_fmt_size(sz, sizeof(sz), m->size);
	msg_flags(fl, m);
	if (m->flags & MSG_F_BADFILE)
		clean(sender, sizeof(sender), m->bad, sw + rw + 1);
	else
		clean(sender, sizeof(sender), m->sender[0] ? m->sender : "<>",
		    sw);
	clean(rcpt, sizeof(rcpt), first ? first : "",
	    rw - (int)strlen(more));
	fprintf(f, "%7s %5s %-*s ", age, sz, iw, m->id);
	if (m->flags & MSG_F_BADFILE)
		pad(f, sender, sw + rw + 1, 0);
	else {
		pad(f, sender, sw, 0);
		fputc(' ', f);
		strncat(rcpt, more, sizeof(rcpt) - strlen(rcpt) - 1);
		pad(f, rcpt, rw, 0);
	}
	fprintf(f, " %-10s %s\n", cls, fl);
}

void
fmt_list(FILE *f, const struct fmt_opts *o, const struct spool_snap *s,
    const struct select *sel, const struct stats_msglogs *ml)
{
	size_t i, n = 0;
	int sw, rw, iw = 16, fixed;

	/* Old ids are 16 characters: use the room when no new id shows. */
	for (i = 0; i < s->nmsgs && iw == 16; i++)
		if (strlen(s->msgs[i].id) > 16)
			iw = SPOOL_ID_MAX;
	fixed = 7 + 1 + 5 + 1 + iw + 1 + 1 + 1 + 10 + 1 + 2;
	sw = (o->width - fixed) / 2;
	if (sw < 10)
		sw = 10;
	rw = o->width - fixed - sw;
	if (rw < 10)
		rw = 10;
	if (o->kind == FMT_JSON)
		fputc('[', f);
	else if (o->kind == FMT_CSV)
		fputs("id,arrival,age,size,sender,frozen,active,bad,warnings,"
		    "pending_recipients,delivered_recipients,class,last_error\r\n",
		    f);
	else if (o->kind == FMT_TEXT) {
		fprintf(f, "%7s %5s %-*s ", "AGE", "SIZE", iw, "ID");
		pad(f, "SENDER", sw, 0);
		fputc(' ', f);
		pad(f, "RECIPIENTS", rw, 0);
		fputs(" CLASS      FL\n", f);
	}
	for (i = 0; i < s->nmsgs; i++) {
		const struct spool_msg *m = &s->msgs[i];
		const struct stats_msglog *r = stats_msglog(ml, i);

		if (!select_msg(sel, s, m, o->now))
			continue;
		switch (o->kind) {
		case FMT_JSON:
			fputs(n ? ",\n" : "\n", f);
			json_msg(f, s, m, o->now, r);
			break;
		case FMT_CSV:
			cstr(f, m->id);
			fprintf(f, ",%lld,%lld,%lld,", (long long)m->arrival,
			    (long long)(o->now - m->arrival),
			    (long long)m->size);
			if (m->sender != NULL)
				cstr(f, m->sender[0] ? m->sender : "");
			fprintf(f, ",%d,%d,", !!(m->flags & MSG_F_FROZEN),
			    !!(m->flags & MSG_F_ACTIVE));
			cstr(f, m->bad ? m->bad : "");
			fprintf(f, ",%d,", m->warnings);
			csv_rcpts(f, s, m, RCPT_PENDING);
			fputc(',', f);
			csv_rcpts(f, s, m, RCPT_DELIVERED);
			fprintf(f, ",%s,", r && r->cls ?
			    class_name((enum class_id)r->cls) : "");
			cstr(f, r && r->text ? r->text : "");
			fputs("\r\n", f);
			break;
		case FMT_IDS:
			fprintf(f, "%s\n", m->id);
			break;
		case FMT_TEXT:
			text_msg(f, s, m, o->now, iw, sw, rw, r);
			break;
		}
		n++;
	}
	if (o->kind == FMT_JSON)
		fputs("]\n", f);
}

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

static const char *const hist_kind[] = {
	"received", "defer", "fail", "delivered", "skip", "timeout", "host",
	"frozen", "bouncefail", "note"
};

static void
hist_json(FILE *f, const struct history *hi)
{
	size_t i;

	fputs(",\"history\":[", f);
	for (i = 0; hi != NULL && i < hi->n; i++) {
		const struct history_event *e = &hi->ev[i];

		fprintf(f, "%s{\"time\":%lld,\"kind\":\"%s\",\"class\":",
		    i ? "," : "", (long long)e->time, hist_kind[e->kind]);
		jstr(f, e->cls ? class_name(e->cls) : NULL);
		fputs(",\"address\":", f);
		jstr(f, e->addr);
		fputs(",\"host\":", f);
		jstr(f, e->host);
		fputs(",\"text\":", f);
		jstr(f, e->text);
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

		if (e->time)
			util_fmt_time(t, sizeof(t), e->time);
		else
			snprintf(t, sizeof(t), "%19s", "");
		util_sanitize(buf, sizeof(buf), e->text, strlen(e->text));
		util_sanitize(who, sizeof(who), e->addr ? e->addr : "",
		    e->addr ? strlen(e->addr) : 0);
		fprintf(f, "  %s %-10s %-10s %s%s%s\n", t, hist_kind[e->kind],
		    e->cls ? class_name(e->cls) : "", who, who[0] ? ": " : "",
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
		d = util_addr_domain(r->addr.p, r->addr.len, &dlen);
		s = xstrndup(d, dlen);
		for (d = s; *d != '\0'; d++)
			if (*d >= 'A' && *d <= 'Z')
				*(char *)d = (char)(*d + 32);
		fputs(",\"domain\":", f);
		jstr(f, s);
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
		jstr(f, opt_words(op));
		fputc('}', f);
	}
	fputs("],\"headers\":[", f);
	for (i = 0; i < h->nhdrs; i++) {
		const struct spool_header *hd = &h->hdrs[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		jstr(f, hdr_name(hd, name, sizeof(name)));
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
		util_sanitize(buf, sizeof(buf), p, (size_t)(nl - p));
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
	    util_fmt_time(t, sizeof(t), (time_t)h->received),
	    util_fmt_age(a, sizeof(a), o->now - h->received));
	if (m != NULL && m->size >= 0)
		fprintf(f, "  Size:       %s (%lld bytes)\n",
		    trim(util_fmt_size(sz, sizeof(sz), m->size)),
		    (long long)m->size);
	util_sanitize(buf, sizeof(buf), h->sender.p, h->sender.len);
	fprintf(f, "  Sender:     <%s>%s\n", buf, h->sender.len == 0 ?
	    " (a bounce)" : "");
	if (h->host_address.len > 0) {
		util_sanitize(buf, sizeof(buf), h->host_address.p,
		    h->host_address.len);
		fprintf(f, "  From host:  %s", buf);
		if (h->helo_name.len > 0) {
			util_sanitize(buf, sizeof(buf), h->helo_name.p,
			    h->helo_name.len);
			fprintf(f, " (HELO %s)", buf);
		}
		fputc('\n', f);
	}
	if (h->protocol.len > 0) {
		util_sanitize(buf, sizeof(buf), h->protocol.p,
		    h->protocol.len);
		fprintf(f, "  Protocol:   %s\n", buf);
	}
	util_sanitize(buf, sizeof(buf), h->login.p, h->login.len);
	fprintf(f, "  Owner:      %s (uid %ld, gid %ld)\n", buf, h->uid, h->gid);
	fprintf(f, "  State:      ");
	if (h->flags & MSG_F_FROZEN)
		fprintf(f, "frozen since %s UTC",
		    util_fmt_time(t, sizeof(t), (time_t)h->frozen_at));
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
		util_sanitize(buf, sizeof(buf), h->rcpts[i].addr.p,
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

		util_sanitize(name, sizeof(name), op->name.p, op->name.len);
		if (op->var.len > 0) {
			char var[64];

			util_sanitize(var, sizeof(var), op->var.p, op->var.len);
			snprintf(name + strlen(name), sizeof(name) -
			    strlen(name), " %s", var);
		}
		util_sanitize(val, sizeof(val), op->value.p, op->value.len);
		if (strcmp(name, "frozen") == 0)
			fprintf(f, "  -%-24s frozen at %s UTC\n", name,
			    util_fmt_time(t, sizeof(t), (time_t)h->frozen_at));
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

/* ---- diagnose ---- */

/* Writes text wrapped to width, each line after the first indented. */
static void
wrap(FILE *f, const char *text, int indent, int width)
{
	const char *p = text, *sp;
	int col = indent, n;

	while (*p != '\0') {
		sp = strchr(p, ' ');
		n = sp ? (int)(sp - p) : (int)strlen(p);
		if (col > indent && col + 1 + n > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, (size_t)n, f);
		col += n;
		p += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

static void
diag_text(FILE *f, const struct fmt_opts *o, const struct stats *st,
    const struct stats_domain *d)
{
	const struct stats_diag *g = &d->diag;
	char name[512], a[16], b[16], t[32], host[256], text[1024];
	uint32_t c, n = 0;
	int64_t left;

	fprintf(f, "%s\n", clean(name, sizeof(name), d->name, 0));
	if (g->cls == CLASS_NONE)
		fprintf(f, "  class:      none (no failed attempt or callout "
		    "since %s UTC)\n", util_fmt_time(t, sizeof(t), st->since));
	else
		fprintf(f, "  class:      %s; tarpit score %d%% of %u attempts "
		    "and callouts%s\n", class_name((enum class_id)g->cls),
		    (int)(g->tarpit * 100 + 0.5), g->samples, g->suspected ?
		    ": SUSPECTED TARPITTING" : "");
	if (g->samples > 0) {
		fprintf(f, "  mix:       ");
		for (c = 1; c < CLASS__COUNT; c++)
			if (g->classes[c] > 0)
				fprintf(f, "%s %s %u", n++ ? "," : "",
				    class_name((enum class_id)c), g->classes[c]);
		if (g->attempts > 0)
			fprintf(f, "%s %u delivery attempt%s", n ? ";" : "",
			    g->attempts, g->attempts == 1 ? "" : "s");
		fputc('\n', f);
	}
	if (d->messages > 0) {
		fprintf(f, "  queue:      %u message%s, %u recipient%s, oldest "
		    "%s\n", d->messages, d->messages == 1 ? "" : "s",
		    d->recipients, d->recipients == 1 ? "" : "s",
		    util_fmt_age(a, sizeof(a), o->now - d->oldest));
		left = d->oldest + o->cutoff - o->now;
		if (left > 0)
			fprintf(f, "  gives up:   in %s, at %s UTC, on the oldest "
			    "(final retry cutoff %s)\n",
			    util_fmt_age(a, sizeof(a), left),
			    util_fmt_time(t, sizeof(t), d->oldest + o->cutoff),
			    util_fmt_age(b, sizeof(b), o->cutoff));
		else
			fprintf(f, "  gives up:   the oldest is past the final "
			    "retry cutoff (%s): it bounces at its next "
			    "attempt\n", util_fmt_age(b, sizeof(b), o->cutoff));
	} else
		fprintf(f, "  queue:      nothing queued\n");
	fprintf(f, "  callouts:   %u could not complete, %u rejected by the "
	    "primary, %u cached rejections\n", g->callout_deferred,
	    g->callout_rejected, g->callout_cached);
	if (g->last_success)
		fprintf(f, "  delivered:  last success %s UTC (%s ago)\n",
		    util_fmt_time(t, sizeof(t), g->last_success),
		    util_fmt_age(a, sizeof(a), o->now - g->last_success));
	else
		fprintf(f, "  delivered:  no success since %s UTC\n",
		    util_fmt_time(t, sizeof(t), st->since));
	if (g->nevidence > 0)
		fprintf(f, "  evidence:\n");
	for (c = 0; c < g->nevidence; c++) {
		const struct stats_evidence *e = &g->evidence[c];

		clean(host, sizeof(host), e->host ? e->host : "", 0);
		clean(text, sizeof(text), e->text, 0);
		fprintf(f, "    %s %-10s %s%s%s\n",
		    util_fmt_time(t, sizeof(t), e->time),
		    e->cls ? class_name((enum class_id)e->cls) : "",
		    host, host[0] ? ": " : "", text);
	}
	if (g->cls != CLASS_NONE) {
		fprintf(f, "  advice:     ");
		wrap(f, class_advice((enum class_id)g->cls), 14, o->width);
	}
}

void
fmt_diagnose(FILE *f, const struct fmt_opts *o, const struct stats *st)
{
	size_t i;
	uint32_t k;
	char t[32];

	if (o->kind == FMT_JSON) {
		fprintf(f, "{\"now\":%lld,\"since\":%lld,\"log_lines\":%llu,"
		    "\"log_unparsable\":%llu,\"log_error\":",
		    (long long)o->now, (long long)st->since,
		    (unsigned long long)st->log_lines,
		    (unsigned long long)st->log_unparsable);
		jstr(f, st->log_error);
		fprintf(f, ",\"source\":\"%s\",\"domains\":[",
		    st->from_msglogs ? "msglogs" : "mainlog");
		for (i = 0; i < st->ndomains; i++) {
			const struct stats_domain *d = &st->domains[i];

			fputs(i ? ",\n{\"domain\":" : "\n{\"domain\":", f);
			jstr(f, d->name);
			fprintf(f, ",\"messages\":%u,\"recipients\":%u,"
			    "\"oldest\":%lld", d->messages, d->recipients,
			    d->messages ? (long long)(o->now - d->oldest) : 0LL);
			json_diag(f, &d->diag);
			fputs(",\"give_up\":", f);
			if (d->messages)
				fprintf(f, "%lld", (long long)(d->oldest +
				    o->cutoff));
			else
				fputs("null", f);
			fputs(",\"evidence\":[", f);
			for (k = 0; k < d->diag.nevidence; k++) {
				fputs(k ? "," : "", f);
				json_evidence(f, &d->diag.evidence[k]);
			}
			fputs("],\"advice\":", f);
			jstr(f, d->diag.cls == CLASS_NONE ? NULL :
			    class_advice((enum class_id)d->diag.cls));
			fputc('}', f);
		}
		fputs("]}\n", f);
		return;
	}
	fprintf(f, "Evidence since %s UTC from %s", util_fmt_time(t,
	    sizeof(t), st->since), st->from_msglogs ? "the msglogs" :
	    "the main log");
	if (!st->from_msglogs)
		fprintf(f, " (%llu lines, %llu unparsable)",
		    (unsigned long long)st->log_lines,
		    (unsigned long long)st->log_unparsable);
	fputs(".\n", f);
	if (st->log_error != NULL)
		fprintf(f, "Log problem: %s\n", st->log_error);
	for (i = 0; i < st->ndomains; i++) {
		fputc('\n', f);
		diag_text(f, o, st, &st->domains[i]);
	}
}
