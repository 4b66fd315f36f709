/* fmt_diag.c -- the diagnose command's text and JSON. */
#include "out/fmt.h"
#include "fmt_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "base/units.h"

#include <stdlib.h>
#include <string.h>

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

	fprintf(f, "%s\n", fmt_clean(name, sizeof(name), d->name, 0));
	if (g->cls == CLASS_NONE)
		fprintf(f, "  class:      none (no failed attempt or callout "
		    "since %s UTC)\n", units_fmt_time(t, sizeof(t), st->since));
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
		    units_fmt_age(a, sizeof(a), o->now - d->oldest));
		left = d->oldest + o->cutoff - o->now;
		if (left > 0)
			fprintf(f, "  gives up:   in %s, at %s UTC, on the oldest "
			    "(final retry cutoff %s)\n",
			    units_fmt_age(a, sizeof(a), left),
			    units_fmt_time(t, sizeof(t), d->oldest + o->cutoff),
			    units_fmt_age(b, sizeof(b), o->cutoff));
		else
			fprintf(f, "  gives up:   the oldest is past the final "
			    "retry cutoff (%s): it bounces at its next "
			    "attempt\n", units_fmt_age(b, sizeof(b), o->cutoff));
	} else
		fprintf(f, "  queue:      nothing queued\n");
	fprintf(f, "  callouts:   %u could not complete, %u rejected by the "
	    "primary, %u cached rejections\n", g->callout_deferred,
	    g->callout_rejected, g->callout_cached);
	if (g->last_success)
		fprintf(f, "  delivered:  last success %s UTC (%s ago)\n",
		    units_fmt_time(t, sizeof(t), g->last_success),
		    units_fmt_age(a, sizeof(a), o->now - g->last_success));
	else
		fprintf(f, "  delivered:  no success since %s UTC\n",
		    units_fmt_time(t, sizeof(t), st->since));
	if (g->nevidence > 0)
		fprintf(f, "  evidence:\n");
	for (c = 0; c < g->nevidence; c++) {
		const struct stats_evidence *e = &g->evidence[c];

		fmt_clean(host, sizeof(host), e->host ? e->host : "", 0);
		fmt_clean(text, sizeof(text), e->text, 0);
		snprintf(a, sizeof(a), "x%u", e->count);
		fprintf(f, "    %s %-10s %6s %s%s%s\n",
		    units_fmt_time(t, sizeof(t), e->time),
		    e->cls ? class_name((enum class_id)e->cls) : "",
		    e->count > 1 ? a : "", host, host[0] ? ": " : "", text);
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
		fmt_jstr(f, st->log_error);
		fprintf(f, ",\"source\":\"%s\",\"callouts_unattributed\":"
		    "{\"deferred\":%u,\"rejected\":%u,\"cached\":%u},"
		    "\"domains\":[", st->from_msglogs ? "msglogs" : "mainlog",
		    st->lost_deferred, st->lost_rejected, st->lost_cached);
		for (i = 0; i < st->ndomains; i++) {
			const struct stats_domain *d = &st->domains[i];

			fputs(i ? ",\n{\"domain\":" : "\n{\"domain\":", f);
			fmt_jstr(f, d->name);
			fprintf(f, ",\"messages\":%u,\"recipients\":%u,"
			    "\"oldest\":%lld", d->messages, d->recipients,
			    d->messages ? (long long)(o->now - d->oldest) : 0LL);
			fmt_json_diag(f, &d->diag);
			fputs(",\"give_up\":", f);
			if (d->messages)
				fprintf(f, "%lld", (long long)(d->oldest +
				    o->cutoff));
			else
				fputs("null", f);
			fputs(",\"evidence\":[", f);
			for (k = 0; k < d->diag.nevidence; k++) {
				fputs(k ? "," : "", f);
				fmt_json_evidence(f, &d->diag.evidence[k]);
			}
			fputs("],\"advice\":", f);
			fmt_jstr(f, d->diag.cls == CLASS_NONE ? NULL :
			    class_advice((enum class_id)d->diag.cls));
			fputc('}', f);
		}
		fputs("]}\n", f);
		return;
	}
	fprintf(f, "Evidence since %s UTC from %s", units_fmt_time(t,
	    sizeof(t), st->since), st->from_msglogs ? "the msglogs" :
	    "the main log");
	if (!st->from_msglogs)
		fprintf(f, " (%llu lines, %llu unparsable)",
		    (unsigned long long)st->log_lines,
		    (unsigned long long)st->log_unparsable);
	fputs(".\n", f);
	if (st->log_error != NULL)
		fprintf(f, "Log problem: %s\n", st->log_error);
	if (st->lost_deferred + st->lost_rejected + st->lost_cached > 0)
		fprintf(f, "%u callout failures name no recipient and went to "
		    "a primary address no delivery line shows: no domain's.\n",
		    st->lost_deferred + st->lost_rejected + st->lost_cached);
	for (i = 0; i < st->ndomains; i++) {
		fputc('\n', f);
		diag_text(f, o, st, &st->domains[i]);
	}
}

