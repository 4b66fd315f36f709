/* fmt_mxcheck.c -- mx-check's results as text, CSV and JSON.  Every name
 * and record comes from DNS or from pasted text: sanitized for text and
 * CSV, escaped for JSON. */
#include "out/fmt_mxcheck.h"
#include "out/fmt.h"
#include "fmt_priv.h"
#include "model/mxcheck.h"
#include "model/zone.h"
#include "base/mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char fmt_mxcheck_csv_header[] = "domain,code,records,why,fix,error";

static const char *
state_name(enum mxcheck_state s)
{
	switch (s) {
	case MXS_MX:
		return "mx";
	case MXS_NOMX:
		return "nomx";
	case MXS_NXDOMAIN:
		return "nxdomain";
	case MXS_UNKNOWN:
		return "unknown";
	case MXS_FAILED:
		return "failed";
	}
	return "unknown";
}

static const char *
addr_state_name(enum mxcheck_addr a)
{
	switch (a) {
	case MXA_OK:
		return "ok";
	case MXA_NONE:
		return "none";
	case MXA_UNKNOWN:
		return "unknown";
	case MXA_FAILED:
		return "failed";
	case MXA_SKIPPED:
		return "skipped";
	}
	return "unknown";
}

/* ---- text ---- */

/* Appends to line[*o..len) what fmt writes (cut to fit). */
static void
add(char *line, size_t len, size_t *o, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
add(char *line, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line + *o, len - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o = *o + (size_t)n < len ? *o + (size_t)n : len - 1;
}

void
fmt_mxcheck_lines(const struct mxcheck_result *r, int ind,
    const struct fmt_sink *o)
{
	char buf[4 * ZONE_NAME_MAX + 64], line[4096];
	size_t i, k, n;

	if (r->error != NULL)
		fmt_put(o, FMT_LS_BAD, ind + 7, "%*serror: %s", ind, "",
		    fmt_clean(buf, sizeof(buf), r->error, 0));
	for (i = 0; i < r->ncname; i++)
		fmt_put(o, FMT_LS_DIM, ind + 2, "%*sdomain is a CNAME to %s",
		    ind, "", fmt_clean(buf, sizeof(buf), r->cname[i], 0));
	if (r->state == MXS_NOMX)
		fmt_put(o, FMT_LS_DIM, ind + 2, "%*sno MX records", ind, "");
	else if (r->state == MXS_NXDOMAIN)
		fmt_put(o, FMT_LS_DIM, ind + 2, "%*sthe domain does not exist "
		    "(NXDOMAIN)", ind, "");
	for (i = 0; i < r->nmx; i++) {
		const struct mxcheck_mx *m = &r->mx[i];

		n = 0;
		add(line, sizeof(line), &n, "%*sMX %u %s", ind, "", m->pref,
		    m->host[0] != '\0' ? fmt_clean(buf, sizeof(buf), m->host,
		    0) : ". (null MX)");
		for (k = 0; k < m->ncname; k++)
			add(line, sizeof(line), &n, " -> %s", fmt_clean(buf,
			    sizeof(buf), m->cname[k], 0));
		if (m->ncname > 0)
			add(line, sizeof(line), &n, " (CNAME)");
		for (k = 0; k < m->naddrs; k++)
			add(line, sizeof(line), &n, " %s", fmt_clean(buf,
			    sizeof(buf), m->addrs[k], 0));
		if (m->addr_state == MXA_NONE)
			add(line, sizeof(line), &n, " (no address)");
		else if (m->addr_state == MXA_UNKNOWN)
			add(line, sizeof(line), &n, " (addresses not in the data)");
		else if (m->addr_state == MXA_FAILED)
			add(line, sizeof(line), &n, " (address lookup failed)");
		if (m->relay)
			add(line, sizeof(line), &n, " [relay]");
		o->emit(o->arg, FMT_LS_DIM, ind + 4, line);
	}
	for (i = 0; i < r->nf; i++) {
		const struct mxcheck_finding *g = &r->f[i];

		fmt_put(o, FMT_LS_BAD, ind + 2, "%*s%s", ind, "",
		    mxcheck_code_name(g->code));
		for (k = 0; k < g->nrecords; k++)
			fmt_put(o, FMT_LS_DIM, ind + 4, "%*s%s", ind + 2, "",
			    fmt_clean(buf, sizeof(buf), g->records[k], 0));
		fmt_put(o, FMT_LS_NORMAL, ind + 7, "%*swhy: %s", ind + 2, "",
		    g->why);
		fmt_put(o, FMT_LS_NORMAL, ind + 7, "%*sfix: %s", ind + 2, "",
		    g->fix);
	}
	for (i = 0; i < r->nunknown; i++) {
		fmt_clean(buf, sizeof(buf), r->unknown[i], 0);
		fmt_put(o, FMT_LS_DIM, ind + 6, "%*snote: not in the data: "
		    "the A/AAAA of %s", ind, "", buf);
		fmt_put(o, FMT_LS_DIM, ind + 7, "%*s(add the output of dig "
		    "%s A and dig %s AAAA)", ind + 6, "", buf, buf);
	}
}

/* mx-check's text sink: data lines (not FMT_LS_NORMAL) as they are, to
 * be copied whole; prose with its leading blanks, then the words one
 * blank apart, wrapped to width with later lines at the indent. */
struct wrap {
	FILE	*f;
	int	 width;
};

static void
wrap_line(void *arg, int style, int indent, const char *text)
{
	struct wrap *w = arg;
	const char *p = text;
	int col = 0, n, first = 1;

	if (style != FMT_LS_NORMAL) {
		fprintf(w->f, "%s\n", text);
		return;
	}
	while (*p == ' ') {
		fputc(' ', w->f);
		col++;
		p++;
	}
	while (*p != '\0') {
		const char *sp = strchr(p, ' ');

		n = sp != NULL ? (int)(sp - p) : (int)strlen(p);
		if (!first && col > indent && col + 1 + n > w->width) {
			fprintf(w->f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', w->f);
			col++;
		}
		fwrite(p, 1, (size_t)n, w->f);
		col += n;
		p += n;
		first = 0;
		while (*p == ' ')
			p++;
	}
	fputc('\n', w->f);
}

static void
text_domain(FILE *f, const struct fmt_opts *o, const struct mxcheck_result *r)
{
	struct wrap w = { f, o->width >= 40 ? o->width : 80 };
	struct fmt_sink sink = { wrap_line, &w };
	char buf[4 * ZONE_NAME_MAX + 64];

	fmt_clean(buf, sizeof(buf), r->domain, 0);
	if (r->nf > 0)
		fprintf(f, "%s: %zu finding%s\n", buf, r->nf,
		    r->nf == 1 ? "" : "s");
	else if (r->error != NULL && r->nmx == 0)
		fprintf(f, "%s: not checked\n", buf);
	else
		fprintf(f, "%s: ok\n", buf);
	fmt_mxcheck_lines(r, 2, &sink);
}

/* ---- CSV ---- */

static void
csv_domain(FILE *f, const struct mxcheck_result *r)
{
	size_t i, k, len;
	char *recs;

	for (i = 0; i < r->nf || (i == 0 && r->nf == 0); i++) {
		const struct mxcheck_finding *g = r->nf > 0 ? &r->f[i] : NULL;

		fmt_csv_str(f, r->domain, strlen(r->domain));
		fputc(',', f);
		if (g != NULL) {
			fputs(mxcheck_code_name(g->code), f);
			fputc(',', f);
			len = 1;
			for (k = 0; k < g->nrecords; k++)
				len += strlen(g->records[k]) + 3;
			recs = xmalloc(len);
			recs[0] = '\0';
			for (k = 0; k < g->nrecords; k++) {
				if (k > 0)
					strcat(recs, " | ");
				strcat(recs, g->records[k]);
			}
			fmt_csv_str(f, recs, strlen(recs));
			free(recs);
			fputc(',', f);
			fmt_csv_str(f, g->why, strlen(g->why));
			fputc(',', f);
			fmt_csv_str(f, g->fix, strlen(g->fix));
		} else
			fputs(",,,", f);
		fputc(',', f);
		if (r->error != NULL)
			fmt_csv_str(f, r->error, strlen(r->error));
		fputc('\n', f);
	}
}

/* ---- JSON ---- */

static void
jarr(FILE *f, const char *const *v, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		fmt_jstr(f, v[i]);
	}
	fputc(']', f);
}

void
fmt_mxcheck_json(FILE *f, const struct mxcheck_result *r)
{
	size_t i;

	fputs("{\"domain\":", f);
	fmt_jstr(f, r->domain);
	fprintf(f, ",\"status\":\"%s\",\"error\":", state_name(r->state));
	fmt_jstr(f, r->error);
	fputs(",\"cname\":", f);
	jarr(f, r->cname, r->ncname);
	fputs(",\"mx\":[", f);
	for (i = 0; i < r->nmx; i++) {
		const struct mxcheck_mx *m = &r->mx[i];

		fprintf(f, "%s{\"preference\":%u,\"host\":", i ? "," : "",
		    m->pref);
		fmt_jstr(f, m->host);
		fputs(",\"cname\":", f);
		jarr(f, m->cname, m->ncname);
		fputs(",\"addresses\":", f);
		jarr(f, m->addrs, m->naddrs);
		fprintf(f, ",\"addresses_state\":\"%s\",\"relay\":%s}",
		    addr_state_name(m->addr_state), m->relay ? "true" :
		    "false");
	}
	fputs("],\"findings\":[", f);
	for (i = 0; i < r->nf; i++) {
		const struct mxcheck_finding *g = &r->f[i];

		fprintf(f, "%s{\"code\":\"%s\",\"records\":", i ? "," : "",
		    mxcheck_code_name(g->code));
		jarr(f, g->records, g->nrecords);
		fputs(",\"why\":", f);
		fmt_jstr(f, g->why);
		fputs(",\"fix\":", f);
		fmt_jstr(f, g->fix);
		fputc('}', f);
	}
	fputs("],\"unknown\":", f);
	jarr(f, r->unknown, r->nunknown);
	fputc('}', f);
}

void
fmt_mxcheck(FILE *f, const struct fmt_opts *o,
    const struct mxcheck_result *res, size_t n,
    const struct mxcheck_relay *relay)
{
	size_t i;

	switch (o->kind) {
	case FMT_JSON:
		fputs("{\"relay\":{\"names\":[", f);
		for (i = 0; relay != NULL && i < relay->nnames; i++) {
			if (i > 0)
				fputc(',', f);
			fmt_jstr(f, relay->names[i]);
		}
		fputs("],\"addresses\":[", f);
		for (i = 0; relay != NULL && i < relay->naddrs; i++) {
			if (i > 0)
				fputc(',', f);
			fmt_jstr(f, relay->addrs[i]);
		}
		fputs("]},\"domains\":[", f);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputs(",\n", f);
			fmt_mxcheck_json(f, &res[i]);
		}
		fputs("]}\n", f);
		break;
	case FMT_CSV:
		fprintf(f, "%s\n", fmt_mxcheck_csv_header);
		for (i = 0; i < n; i++)
			csv_domain(f, &res[i]);
		break;
	default:
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputc('\n', f);
			text_domain(f, o, &res[i]);
		}
		break;
	}
}
