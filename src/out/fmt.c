/* fmt.c -- summary, list and show in text, CSV and JSON. */
#include "out/fmt.h"
#include "fmt_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/diag.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char fmt_msg_csv_header[] = "id,arrival,age,size,sender,frozen,"
    "active,bad,warnings,pending_recipients,delivered_recipients,class,"
    "last_error,failed_recipients,done_recipients";

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
		} else if ((n = text_utf8_len(u + i, len - i)) == 0) {
			fprintf(f, "\\u%04x", c);	/* not UTF-8 */
			i++;
		} else {
			fwrite(s + i, 1, n, f);
			i += n;
		}
	}
	fputc('"', f);
}

void
fmt_jstr(FILE *f, const char *s)
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
	text_sanitize(buf, blen, s, len);
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

/* Sanitized copy for text output, cut to w display columns (0: no cut)
 * with the one text model (base/text.h). */
const char *
fmt_clean(char *buf, size_t len, const char *s, int w)
{
	int	 used;

	if (w <= 0) {
		text_sanitize(buf, len, s ? s : "", s ? strlen(s) : 0);
		return buf;
	}
	text_fit(buf, len, s, s ? strlen(s) : 0, w, 1, &used);
	return buf;
}

/* Display columns of a sanitized string. */
static int
cols(const char *s)
{
	return text_width(s, strlen(s));
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

const char *
fmt_trim(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/* ---- summary ---- */

void
fmt_json_evidence(FILE *f, const struct diag_evidence *e)
{
	fprintf(f, "{\"time\":%lld,\"count\":%u,\"class\":",
	    (long long)e->time, e->count);
	fmt_jstr(f, class_name((enum class_id)e->cls));
	fputs(",\"host\":", f);
	fmt_jstr(f, e->host);
	fputs(",\"text\":", f);
	fmt_jstr(f, e->text);
	fputc('}', f);
}

/* The diagnosis fields shared by summary and diagnose. */
void
fmt_json_diag(FILE *f, const struct diag_domain *d, int cls)
{
	static const struct diag_domain none;
	int c, n = 0;

	if (d == NULL)
		d = &none;
	fputs(",\"class\":", f);
	fmt_jstr(f, cls == CLASS_NONE ? NULL : class_name((enum class_id)cls));
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
		fmt_json_evidence(f, &d->last_error);
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
	fmt_jstr(f, d->name);
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
	fprintf(f, "},\"customer\":%s", d->customer ? "true" : "false");
	/* The row's class: backscatter for bounces nobody relays for. */
	fmt_json_diag(f, d->diag, d->cls);
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
	static const struct diag_domain none;
	const struct diag_domain *g = d->diag != NULL ? d->diag : &none;

	fprintf(f, ",%s,%.3f,%u,%d,%u,%u,%u,%lld",
	    d->cls == CLASS_NONE ? "" :
	    class_name((enum class_id)d->cls), g->tarpit,
	    g->samples, g->suspected, g->callout_deferred,
	    g->callout_rejected, g->callout_cached,
	    (long long)g->last_success);
	for (b = 1; b < CLASS__COUNT; b++)
		fprintf(f, ",%u", g->classes[b]);
	fprintf(f, ",%d\r\n", d->customer);
}

/* Text summary columns after DOMAIN; NEWEST only when wide enough. */
#define SUM_FIXED	62
#define SUM_NEWEST	8

static void
text_domain_row(FILE *f, const struct stats_domain *d, time_t now, int dw,
    int newest, int total)
{
	static const struct diag_domain none;
	char name[512], sz[16], o[16], n[16], tp[24], co[16];
	const struct diag_domain *g = d->diag != NULL ? d->diag : &none;

	pad(f, fmt_clean(name, sizeof(name), d->name, dw), dw, 0);
	units_fmt_size(sz, sizeof(sz), d->bytes);
	if (d->messages) {
		units_fmt_age(o, sizeof(o), now - d->oldest);
		units_fmt_age(n, sizeof(n), now - d->newest);
	} else
		o[0] = n[0] = '\0';
	fprintf(f, " %6u %6u %5s %7s", d->messages, d->recipients,
	    fmt_trim(sz), o);
	if (newest)
		fprintf(f, " %7s", n);
	if (total) {
		fprintf(f, " %4u\n", d->frozen);
		return;
	}
	snprintf(co, sizeof(co), "%u", g->callout_deferred +
	    g->callout_rejected + g->callout_cached);
	fprintf(f, " %4u %-11s %10s %5s\n", d->frozen,
	    d->cls ? class_name((enum class_id)d->cls) : "-",
	    diag_fmt_tarpit(tp, sizeof(tp), g), co);
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

		pad(f, fmt_clean(name, sizeof(name), d->name, dw), dw, 0);
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
		fmt_jstr(f, o->spool);
		fputs(",\"domains\":[", f);
		for (i = 0; i < st->ndomains; i++) {
			fputs(i ? ",\n" : "\n", f);
			json_domain(f, &st->domains[i], o->now);
		}
		fputs("],\n\"total\":", f);
		json_domain(f, &st->total, o->now);
		fprintf(f, ",\n\"customers_known\":%s,\"customers\":",
		    diag_customers_known(st->diag) ? "true" : "false");
		json_domain(f, &st->customers, o->now);
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
		fputs(",customer\r\n", f);
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
		fprintf(f, " %4s %-11s %10s %5s\n", "FRZ", "CLASS", "TARPIT",
		    "CALLO");
		for (i = 0; i < st->ndomains; i++) {
			if (diag_customers_known(st->diag) &&
			    !st->domains[i].customer && (i == 0 ||
			    st->domains[i - 1].customer))
				fputs("-- not customers: bounces and warnings "
				    "going out\n", f);
			text_domain_row(f, &st->domains[i], o->now, dw, newest,
			    0);
		}
		text_domain_row(f, &st->total, o->now, dw, newest, 1);
		if (diag_customers_known(st->diag))
			text_domain_row(f, &st->customers, o->now, dw, newest,
			    1);
		text_shape(f, st, o->width);
		break;
	}
}

/* ---- The line sink of the text renderers ---- */

void
fmt_put(const struct fmt_sink *o, int style, int indent, const char *fmt,
    ...)
{
	char	 buf[4096];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	o->emit(o->arg, style, indent, buf);
}

/* ---- list ---- */

void
fmt_msg_flags(char *buf, const struct spool_msg *m)
{
	char *p = buf;

	if (m->flags & MSG_F_FROZEN)
		*p++ = 'F';
	if (m->flags & MSG_F_ACTIVE)
		*p++ = 'A';
	if (m->flags & MSG_F_BADFILE)
		*p++ = 'B';
	if (m->flags & MSG_F_NODATA)
		*p++ = 'C';
	*p = '\0';
}

static const char *const state_names[] = {
	"pending", "delivered", "failed", "done"
};

const char *
fmt_state_name(int st)
{
	return (unsigned)st < 4 ? state_names[st] : "?";
}

void
fmt_json_last(FILE *f, const struct diag *d, size_t r)
{
	struct diag_rcpt buf;
	const struct diag_rcpt *dr = r != SIZE_MAX ?
	    diag_rcpt_last(d, r, &buf) : NULL;
	int c = r != SIZE_MAX ? diag_rcpt_class(d, r) : 0;

	fputs(",\"class\":", f);
	fmt_jstr(f, c ? class_name((enum class_id)c) : NULL);
	fputs(",\"last_error\":", f);
	if (dr == NULL) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"time\":%lld,\"host\":", (long long)dr->time);
	fmt_jstr(f, dr->host);
	fputs(",\"text\":", f);
	fmt_jstr(f, dr->text);
	fputc('}', f);
}

/* Whether recipient r of a row goes out: every one, or with only_sel
 * those the selection is about. */
static int
shown(const struct spool_snap *s, const struct diag *d,
    const struct select *sel, int only_sel, const struct spool_msg *m,
    size_t r)
{
	return !only_sel || select_rcpt(sel, s, d, m, r);
}

void
fmt_msg_json(FILE *f, const struct spool_snap *s, const struct diag *d,
    const struct select *sel, int only_sel, const struct spool_msg *m,
    time_t now)
{
	uint32_t i, n = 0, others = 0;

	fputs("\"id\":", f);
	fmt_jstr(f, m->id);
	fprintf(f, ",\"arrival\":%lld,\"age\":%lld,\"size\":%lld,\"sender\":",
	    (long long)m->arrival, (long long)(now - m->arrival),
	    (long long)m->size);
	fmt_jstr(f, spool_msg_sender(m));
	fprintf(f, ",\"frozen\":%s,\"active\":%s,\"bad\":",
	    m->flags & MSG_F_FROZEN ? "true" : "false",
	    m->flags & MSG_F_ACTIVE ? "true" : "false");
	fmt_jstr(f, spool_msg_bad(m));
	fprintf(f, ",\"warnings\":%d,\"host\":", m->warnings);
	fmt_jstr(f, m->host);
	fmt_json_last(f, d, select_last(sel, s, d, m));
	fputs(",\"recipients\":[", f);
	for (i = 0; i < m->nrcpt; i++) {
		size_t ri = m->rcpt0 + i;
		const struct spool_rcpt *r = &s->rcpts[ri];
		char ab[SPOOL_ADDR_BUF];

		if (!shown(s, d, sel, only_sel, m, ri)) {
			others++;
			continue;
		}
		fputs(n++ ? ",{\"address\":" : "{\"address\":", f);
		fmt_jstr(f, spool_rcpt_addr(s, r, ab));
		fputs(",\"domain\":", f);
		fmt_jstr(f, spool_rcpt_domain(s, r));
		fprintf(f, ",\"state\":\"%s\"",
		    fmt_state_name(diag_rcpt_state(d, ri)));
		fmt_json_last(f, d, ri);
		fputc('}', f);
	}
	fputc(']', f);
	if (only_sel)
		fprintf(f, ",\"other_recipients\":%u", others);
}

/* The addresses of m's recipients in state st (shown ones), blank
 * separated, as one CSV field. */
static void
csv_rcpts(FILE *f, const struct spool_snap *s, const struct diag *d,
    const struct select *sel, int only_sel, const struct spool_msg *m,
    int st)
{
	size_t len = 0, cap = 0, n, ri;
	char *buf = NULL, ab[SPOOL_ADDR_BUF];
	const char *a;
	uint32_t i;

	for (i = 0; i < m->nrcpt; i++) {
		ri = m->rcpt0 + i;
		if ((int)diag_rcpt_state(d, ri) != st ||
		    !shown(s, d, sel, only_sel, m, ri))
			continue;
		a = spool_rcpt_addr(s, &s->rcpts[ri], ab);
		n = strlen(a);
		xgrow(&buf, &cap, len + n + 2, 1);
		if (len > 0)
			buf[len++] = ' ';
		memcpy(buf + len, a, n);
		len += n;
	}
	fmt_csv_str(f, buf ? buf : "", len);
	free(buf);
}

static void
text_msg(FILE *f, const struct spool_snap *s, const struct diag *d,
    const struct select *sel, const struct spool_msg *m, time_t now,
    int iw, int sw, int rw)
{
	char age[16], sz[16], sender[512], rcpt[512], fl[8], more[16];
	char fb[SPOOL_ADDR_BUF];
	size_t last = select_last(sel, s, d, m);
	int c = last != SIZE_MAX ? diag_rcpt_class(d, last) : 0;
	const char *cls = c ? class_name((enum class_id)c) : "-";
	const char *first = NULL;
	uint32_t i, nsel = 0;

	for (i = 0; i < m->nrcpt; i++)
		if (s->rcpts[m->rcpt0 + i].state == RCPT_PENDING &&
		    select_rcpt(sel, s, d, m, m->rcpt0 + i) && nsel++ == 0)
			first = spool_rcpt_addr(s, &s->rcpts[m->rcpt0 + i],
			    fb);
	more[0] = '\0';
	if (m->npending > 1)
		snprintf(more, sizeof(more), " +%u", m->npending - 1);
	units_fmt_age(age, sizeof(age), now - m->arrival);
	units_fmt_size(sz, sizeof(sz), m->size);
	fmt_msg_flags(fl, m);
	if (m->flags & MSG_F_BADFILE)
		fmt_clean(sender, sizeof(sender), spool_msg_bad(m), sw + rw + 1);
	else
		fmt_clean(sender, sizeof(sender), spool_msg_sender(m)[0] ? spool_msg_sender(m) : "<>",
		    sw);
	fmt_clean(rcpt, sizeof(rcpt), first ? first : "",
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
	fprintf(f, " %-11s %s\n", cls, fl);
}

void
fmt_msg_csv(FILE *f, const struct spool_snap *s, const struct diag *d,
    const struct select *sel, int only_sel, const struct spool_msg *m,
    time_t now)
{
	size_t last = select_last(sel, s, d, m);
	struct diag_rcpt buf;
	const struct diag_rcpt *dr = last != SIZE_MAX ?
	    diag_rcpt_last(d, last, &buf) : NULL;
	int c = last != SIZE_MAX ? diag_rcpt_class(d, last) : 0;

	cstr(f, m->id);
	fprintf(f, ",%lld,%lld,%lld,", (long long)m->arrival,
	    (long long)(now - m->arrival), (long long)m->size);
	cstr(f, spool_msg_sender(m));
	fprintf(f, ",%d,%d,", !!(m->flags & MSG_F_FROZEN),
	    !!(m->flags & MSG_F_ACTIVE));
	cstr(f, spool_msg_bad(m));
	fprintf(f, ",%d,", m->warnings);
	csv_rcpts(f, s, d, sel, only_sel, m, DIAG_PENDING);
	fputc(',', f);
	csv_rcpts(f, s, d, sel, only_sel, m, DIAG_DELIVERED);
	fprintf(f, ",%s,", c ? class_name((enum class_id)c) : "");
	cstr(f, dr != NULL ? dr->text : "");
	fputc(',', f);
	csv_rcpts(f, s, d, sel, only_sel, m, DIAG_FAILED);
	fputc(',', f);
	csv_rcpts(f, s, d, sel, only_sel, m, DIAG_DONE);
}

void
fmt_list(FILE *f, const struct fmt_opts *o, const struct spool_snap *s,
    const struct diag *d, const struct select *sel)
{
	size_t i, n = 0, nidx, *idx;
	int sw, rw, iw = 16, fixed;

	/* Old ids are 16 characters: use the room when no new id shows. */
	for (i = 0; i < s->nmsgs && iw == 16; i++)
		if (strlen(s->msgs[i].id) > 16)
			iw = SPOOL_ID_MAX;
	fixed = 7 + 1 + 5 + 1 + iw + 1 + 1 + 1 + 11 + 1 + 2;
	sw = (o->width - fixed) / 2;
	if (sw < 10)
		sw = 10;
	rw = o->width - fixed - sw;
	if (rw < 10)
		rw = 10;
	if (o->kind == FMT_JSON)
		fputc('[', f);
	else if (o->kind == FMT_CSV)
		fprintf(f, "%s\r\n", fmt_msg_csv_header);
	else if (o->kind == FMT_TEXT) {
		fprintf(f, "%7s %5s %-*s ", "AGE", "SIZE", iw, "ID");
		pad(f, "SENDER", sw, 0);
		fputc(' ', f);
		pad(f, "RECIPIENTS", rw, 0);
		fputs(" CLASS       FL\n", f);
	}
	idx = stats_msg_order(s, d, sel, o->now, (enum stats_order)o->order,
	    o->reverse, &nidx);
	for (i = 0; i < nidx; i++) {
		const struct spool_msg *m = &s->msgs[idx[i]];

		switch (o->kind) {
		case FMT_JSON:
			fputs(n ? ",\n{" : "\n{", f);
			fmt_msg_json(f, s, d, sel, 0, m, o->now);
			fputc('}', f);
			break;
		case FMT_CSV:
			fmt_msg_csv(f, s, d, sel, 0, m, o->now);
			fputs("\r\n", f);
			break;
		case FMT_IDS:
			fprintf(f, "%s\n", m->id);
			break;
		case FMT_TEXT:
			text_msg(f, s, d, sel, m, o->now, iw, sw, rw);
			break;
		}
		n++;
	}
	free(idx);
	if (o->kind == FMT_JSON)
		fputs("]\n", f);
}

