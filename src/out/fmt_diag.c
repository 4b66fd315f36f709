/* fmt_diag.c -- the diagnose command's text and JSON. */
#include "out/fmt.h"
#include "fmt_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/diag.h"
#include "model/mxcheck.h"
#include "base/units.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnose ---- */

/* diagnose --dns: what mx-check says of the domain's DNS. */
static void
dns_lines(const struct fmt_sink *o, const struct mxcheck_result *mx)
{
	/* The evidence above is the logs' past, this is DNS as it is. */
	if (mx->nf > 0)
		fmt_put(o, FMT_LS_BAD, 14, "  dns:        mx-check now: %zu "
		    "finding%s", mx->nf, mx->nf == 1 ? "" : "s");
	else if (mx->error != NULL && mx->nmx == 0)
		fmt_put(o, FMT_LS_BAD, 14, "  dns:        mx-check now: not "
		    "checked (the lookup failed)");
	else
		fmt_put(o, FMT_LS_NORMAL, 14, "  dns:        mx-check now: "
		    "nothing wrong");
	fmt_mxcheck_lines(mx, 4, o);
}

void
fmt_diagnose_lines(const struct fmt_opts *fo, const struct stats *st,
    const struct stats_domain *d,
    void (*emit)(void *, int, int, const char *), void *arg)
{
	fmt_diagnose_lines_mx(fo, st, d, NULL, emit, arg);
}

void
fmt_diagnose_lines_mx(const struct fmt_opts *fo, const struct stats *st,
    const struct stats_domain *d, const struct mxcheck_result *mx,
    void (*emit)(void *, int, int, const char *), void *arg)
{
	static const struct diag_domain none;
	struct fmt_sink o = { emit, arg };
	const struct diag_domain *g = d->diag != NULL ? d->diag : &none;
	const struct diag_info *in = diag_info(st->diag);
	char name[512], a[16], b[16], t[32], host[256], text[1024], mix[512];
	uint32_t c, n = 0;
	int64_t left;
	size_t k;

	fmt_put(&o, FMT_LS_SECTION, 0, "%s%s", fmt_clean(name, sizeof(name),
	    d->name, 0), diag_customers_known(st->diag) && !d->customer ?
	    " (not a customer)" : "");
	if (d->cls == CLASS_NONE)
		fmt_put(&o, FMT_LS_NORMAL, 14, "  class:      none (no failed "
		    "attempt or callout since %s UTC)", units_fmt_time(t,
		    sizeof(t), in->since));
	else
		fmt_put(&o, FMT_LS_CLASS + d->cls, 14, "  class:      %s; tarpit "
		    "score %d%% of %u attempts and callouts%s",
		    class_name((enum class_id)d->cls),
		    (int)(g->tarpit * 100 + 0.5), g->samples, g->suspected ?
		    ": SUSPECTED TARPITTING" : "");
	if (g->samples > 0) {
		k = 0;
		mix[0] = '\0';
		for (c = 1; c < CLASS__COUNT; c++)
			if (g->classes[c] > 0 && k < sizeof(mix))
				k += (size_t)snprintf(mix + k, sizeof(mix) - k,
				    "%s %s %u", n++ ? "," : "",
				    class_name((enum class_id)c), g->classes[c]);
		if (g->attempts > 0 && k < sizeof(mix))
			snprintf(mix + k, sizeof(mix) - k, "%s %u delivery "
			    "attempt%s", n ? ";" : "", g->attempts,
			    g->attempts == 1 ? "" : "s");
		fmt_put(&o, FMT_LS_NORMAL, 14, "  mix:       %s", mix);
	}
	if (d->messages > 0) {
		fmt_put(&o, FMT_LS_NORMAL, 14, "  queue:      %u message%s, %u "
		    "recipient%s, oldest %s", d->messages, d->messages == 1 ?
		    "" : "s", d->recipients, d->recipients == 1 ? "" : "s",
		    units_fmt_age(a, sizeof(a), fo->now - d->oldest));
		left = d->oldest + fo->cutoff - fo->now;
		if (left > 0)
			fmt_put(&o, FMT_LS_NORMAL, 14, "  gives up:   in %s, at %s "
			    "UTC, on the oldest (final retry cutoff %s)",
			    units_fmt_age(a, sizeof(a), left),
			    units_fmt_time(t, sizeof(t), d->oldest +
			    fo->cutoff), units_fmt_age(b, sizeof(b),
			    fo->cutoff));
		else
			fmt_put(&o, FMT_LS_BAD, 14, "  gives up:   the oldest is "
			    "past the final retry cutoff (%s): it bounces at "
			    "its next attempt", units_fmt_age(b, sizeof(b),
			    fo->cutoff));
	} else
		fmt_put(&o, FMT_LS_NORMAL, 14, "  queue:      nothing queued");
	fmt_put(&o, FMT_LS_NORMAL, 14, "  callouts:   %u could not complete, %u "
	    "rejected by the primary, %u cached rejections",
	    g->callout_deferred, g->callout_rejected, g->callout_cached);
	if (g->last_success)
		fmt_put(&o, FMT_LS_NORMAL, 14, "  delivered:  last success %s UTC "
		    "(%s ago)", units_fmt_time(t, sizeof(t), g->last_success),
		    units_fmt_age(a, sizeof(a), fo->now - g->last_success));
	else
		fmt_put(&o, FMT_LS_NORMAL, 14, "  delivered:  no success since %s "
		    "UTC", units_fmt_time(t, sizeof(t), in->since));
	if (g->nevidence > 0)
		fmt_put(&o, FMT_LS_NORMAL, 4, "  evidence:");
	for (c = 0; c < g->nevidence; c++) {
		const struct diag_evidence *e = &g->evidence[c];

		fmt_clean(host, sizeof(host), e->host ? e->host : "", 0);
		fmt_clean(text, sizeof(text), e->text, 0);
		snprintf(a, sizeof(a), "x%u", e->count);
		fmt_put(&o, e->cls ? FMT_LS_CLASS + e->cls : FMT_LS_NORMAL, 44,
		    "    %s %-10s %6s %s%s%s",
		    units_fmt_time(t, sizeof(t), e->time),
		    e->cls ? class_name((enum class_id)e->cls) : "",
		    e->count > 1 ? a : "", host, host[0] ? ": " : "", text);
	}
	if (mx != NULL)
		dns_lines(&o, mx);
	if (d->cls != CLASS_NONE)
		fmt_put(&o, FMT_LS_NORMAL, 14, "  advice:     %s",
		    class_advice((enum class_id)d->cls));
}

/* Writes text wrapped to width, each line after the first indented as
 * its emitter says. */
struct wrapper {
	FILE	*f;
	int	 width;
};

static void
print_wrapped(void *arg, int style, int indent, const char *text)
{
	struct wrapper *w = arg;
	const char *p = text, *sp;
	int col = 0, n, first = 1;

	(void)style;
	while (*p != '\0') {
		sp = strchr(p, ' ');
		n = sp ? (int)(sp - p) : (int)strlen(p);
		if (!first && col + 1 + n > w->width && col > indent) {
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
		if (*p == ' ') {
			/* Keep runs of blanks (column alignment). */
			while (p[1] == ' ') {
				fputc(' ', w->f);
				col++;
				p++;
			}
			p++;
		}
	}
	fputc('\n', w->f);
}

void
fmt_diagnose(FILE *f, const struct fmt_opts *o, const struct stats *st)
{
	fmt_diagnose_mx(f, o, st, NULL);
}

void
fmt_diagnose_mx(FILE *f, const struct fmt_opts *o, const struct stats *st,
    const struct mxcheck_result *const *mx)
{
	static const struct diag_domain none;
	const struct diag_info *in = diag_info(st->diag);
	size_t i;
	uint32_t k;
	char t[32], lg[1024];

	if (o->kind == FMT_JSON) {
		fprintf(f, "{\"now\":%lld,\"since\":%lld,\"log\":",
		    (long long)o->now, (long long)in->since);
		fmt_jstr(f, in->from_msglogs ? NULL : o->log);
		fprintf(f, ",\"log_lines\":%llu,\"log_unparsable\":%llu,"
		    "\"log_error\":", (unsigned long long)in->log_lines,
		    (unsigned long long)in->log_unparsable);
		fmt_jstr(f, in->log_error);
		fprintf(f, ",\"source\":\"%s\",\"callouts_unattributed\":"
		    "{\"deferred\":%u,\"rejected\":%u,\"cached\":%u},"
		    "\"domains\":[", in->from_msglogs ? "msglogs" : "mainlog",
		    in->lost_deferred, in->lost_rejected, in->lost_cached);
		for (i = 0; i < st->ndomains; i++) {
			const struct stats_domain *d = &st->domains[i];
			const struct diag_domain *g = d->diag != NULL ?
			    d->diag : &none;

			fputs(i ? ",\n{\"domain\":" : "\n{\"domain\":", f);
			fmt_jstr(f, d->name);
			fprintf(f, ",\"customer\":%s,\"messages\":%u,"
			    "\"recipients\":%u,\"oldest\":%lld",
			    d->customer ? "true" : "false", d->messages,
			    d->recipients,
			    d->messages ? (long long)(o->now - d->oldest) : 0LL);
			fmt_json_diag(f, d->diag, d->cls);
			fputs(",\"give_up\":", f);
			if (d->messages)
				fprintf(f, "%lld", (long long)(d->oldest +
				    o->cutoff));
			else
				fputs("null", f);
			fputs(",\"evidence\":[", f);
			for (k = 0; k < g->nevidence; k++) {
				fputs(k ? "," : "", f);
				fmt_json_evidence(f, &g->evidence[k]);
			}
			fputs("],\"advice\":", f);
			fmt_jstr(f, d->cls == CLASS_NONE ? NULL :
			    class_advice((enum class_id)d->cls));
			fputs(",\"dns\":", f);
			if (mx != NULL && mx[i] != NULL)
				fmt_mxcheck_json(f, mx[i]);
			else
				fputs("null", f);
			fputc('}', f);
		}
		fputs("]}\n", f);
		return;
	}
	fprintf(f, "Evidence since %s UTC from %s", units_fmt_time(t,
	    sizeof(t), in->since), in->from_msglogs ? "the msglogs" :
	    "the main log");
	if (!in->from_msglogs)
		fprintf(f, " %s (%llu lines, %llu unparsable)",
		    fmt_clean(lg, sizeof(lg), o->log ? o->log : "", 0),
		    (unsigned long long)in->log_lines,
		    (unsigned long long)in->log_unparsable);
	fputs(".\n", f);
	if (in->log_error != NULL)
		fprintf(f, "Log problem: %s\n", fmt_clean(lg, sizeof(lg),
		    in->log_error, 0));
	if (in->lost_deferred + in->lost_rejected + in->lost_cached > 0)
		fprintf(f, "%u callout failures name no recipient and went to "
		    "a primary address no delivery line shows: no domain's.\n",
		    in->lost_deferred + in->lost_rejected + in->lost_cached);
	for (i = 0; i < st->ndomains; i++) {
		struct wrapper w = { f, o->width };

		fputc('\n', f);
		fmt_diagnose_lines_mx(o, st, &st->domains[i], mx != NULL ?
		    mx[i] : NULL, print_wrapped, &w);
	}
}
