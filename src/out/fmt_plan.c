/* fmt_plan.c -- an action's plan as lines (the command line and the
 * TUI's confirmation screen show the same) and as JSON. */
#include "out/fmt.h"
#include "fmt_priv.h"
#include "model/plan.h"
#include "base/text.h"
#include "base/units.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *
s_(size_t n)
{
	return n == 1 ? "" : "s";
}

/* One line per domain of v[0..n), at most max. */
static void
domain_lines(struct fmt_sink *o, const struct plan_domain *v, size_t n,
    size_t max, int shared)
{
	char	 d[256], sh[48];
	size_t	 i;

	for (i = 0; i < n && i < max; i++) {
		text_sanitize(d, sizeof(d), v[i].name, strlen(v[i].name));
		sh[0] = '\0';
		if (shared && v[i].shared > 0)
			snprintf(sh, sizeof(sh), "  (%zu shared)", v[i].shared);
		fmt_put(o, FMT_LS_NORMAL, 4, "    %-36s %6zu msg%s %6zu rcpt%s%s",
		    d, v[i].msgs, s_(v[i].msgs), v[i].rcpts, s_(v[i].rcpts),
		    sh);
	}
	if (n > max)
		fmt_put(o, FMT_LS_NORMAL, 4, "    ... and %zu more domains",
		    n - max);
}

void
fmt_plan_lines(const struct plan *p, time_t now,
    void (*emit)(void *, int, int, const char *), void *arg)
{
	struct fmt_sink	 o = { emit, arg };
	const char	*act = plan_act_name(p->act);
	char		 a1[16], a2[16], t[24], buf[512];
	size_t		 i, k, acted = plan_nacted(p), o2 = 0;

	snprintf(buf, sizeof(buf), "%s: %zu message%s, %zu selected "
	    "recipient%s", act, acted, s_(acted), p->nrcpts, s_(p->nrcpts));
	if (p->nfrozen > 0)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    ", %zu frozen", p->nfrozen);
	if (p->nactive > 0)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    ", %zu being delivered now", p->nactive);
	fmt_put(&o, FMT_LS_SECTION, 2, "%s", buf);
	if (acted > 0)
		fmt_put(&o, FMT_LS_NORMAL, 2, "  oldest %s (%s UTC), newest %s",
		    units_fmt_age(a1, sizeof(a1), (int64_t)now - p->oldest),
		    units_fmt_time(t, sizeof(t), (time_t)p->oldest),
		    units_fmt_age(a2, sizeof(a2), (int64_t)now - p->newest));
	if (p->ndomains > 0) {
		fmt_put(&o, FMT_LS_NORMAL, 2, "  selected, per domain:");
		domain_lines(&o, p->domains, p->ndomains, 10, 1);
	}
	if (p->nshared > 0) {
		if (p->nbyrcpt > 0)
			fmt_put(&o, FMT_LS_NORMAL, 4, "  %zu shared message%s "
			    "(recipients at other domains too): only the "
			    "selected recipients are marked done (exim -Mmd); "
			    "the messages stay queued for the others",
			    p->nbyrcpt, s_(p->nbyrcpt));
		if (p->nskipped > 0)
			fmt_put(&o, FMT_LS_BAD, 4, "  %zu shared message%s "
			    "skipped: %s", p->nskipped, s_(p->nskipped),
			    p->act == PLAN_BOUNCE ? "Exim can only bounce "
			    "whole messages, and their other recipients' "
			    "senders would get bounces too (--whole-messages "
			    "bounces them)" : "see the results");
	}
	if (p->nothers > 0) {
		fmt_put(&o, FMT_LS_BAD, 4, "  %s acts on whole messages: %zu other "
		    "recipient%s at %zu other domain%s %s too:", act,
		    p->nother_rcpts, s_(p->nother_rcpts), p->nothers,
		    s_(p->nothers), p->act == PLAN_BOUNCE ? "get bounced" :
		    p->act == PLAN_FLUSH ? "are delivered" :
		    p->act == PLAN_DELETE ? "are deleted" :
		    p->act == PLAN_FREEZE ? "are frozen" :
		    p->act == PLAN_THAW ? "are thawed" : "are exported");
		domain_lines(&o, p->others, p->nothers, 10, 0);
		if (p->act == PLAN_BOUNCE)
			for (i = 0; i < p->n && o2 < 20; i++) {
				const struct plan_item *it = &p->items[i];

				if (it->how != PLAN_WHOLE)
					continue;
				for (k = 0; k < it->nother && o2 < 20; k++, o2++) {
					text_sanitize(buf, sizeof(buf),
					    p->addrs[it->other0 + k],
					    strlen(p->addrs[it->other0 + k]));
					fmt_put(&o, FMT_LS_NORMAL, 6, "      %s (%s)",
					    buf, it->id);
				}
			}
	}
	if (acted > 0) {
		snprintf(buf, sizeof(buf), "  sample:");
		for (i = 0, k = 0; i < p->n && k < PLAN_SAMPLE; i++)
			if (p->items[i].how != PLAN_SKIP) {
				snprintf(buf + strlen(buf), sizeof(buf) -
				    strlen(buf), " %s", p->items[i].id);
				k++;
			}
		if (acted > PLAN_SAMPLE)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    " ...");
		fmt_put(&o, FMT_LS_NORMAL, 4, "%s", buf);
	}
	if (p->nmissing > 0)
		fmt_put(&o, FMT_LS_NORMAL, 2, "  %zu id%s not in the queue (already "
		    "gone)", p->nmissing, s_(p->nmissing));
	if (p->ncut > 0)
		fmt_put(&o, FMT_LS_NORMAL, 2, "  %zu more selected, left out by "
		    "--max", p->ncut);
}

static void
json_domains(FILE *f, const struct plan_domain *v, size_t n)
{
	size_t	 i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",{\"domain\":" : "{\"domain\":", f);
		fmt_jstr(f, v[i].name);
		fprintf(f, ",\"messages\":%zu,\"recipients\":%zu,\"shared\":%zu}",
		    v[i].msgs, v[i].rcpts, v[i].shared);
	}
	fputc(']', f);
}

void
fmt_plan_json(FILE *f, const struct plan *p,
    void (*argv_of)(void *, size_t, char *, size_t), void *arg)
{
	static const char *const how[] = { "whole", "recipients", "skip" };
	char	 buf[8192];
	size_t	 i, k;

	fprintf(f, "{\"action\":\"%s\",\"messages\":%zu,\"recipients\":%zu,"
	    "\"shared\":%zu,\"skipped\":%zu,\"frozen\":%zu,\"active\":%zu,"
	    "\"missing\":%zu,\"cut\":%zu,\"oldest\":%lld,\"newest\":%lld,"
	    "\"domains\":", plan_act_name(p->act), plan_nacted(p), p->nrcpts,
	    p->nshared, p->nskipped, p->nfrozen, p->nactive, p->nmissing,
	    p->ncut, (long long)p->oldest, (long long)p->newest);
	json_domains(f, p->domains, p->ndomains);
	fputs(",\"other_domains\":", f);
	json_domains(f, p->others, p->nothers);
	fputs(",\"items\":[", f);
	for (i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];

		fputs(i ? ",\n{\"id\":" : "\n{\"id\":", f);
		fmt_jstr(f, it->id);
		fprintf(f, ",\"how\":\"%s\",\"why\":", how[it->how]);
		fmt_jstr(f, it->why);
		fputs(",\"recipients\":[", f);
		for (k = 0; k < it->nsel; k++) {
			fputs(k ? "," : "", f);
			fmt_jstr(f, p->addrs[it->addr0 + k]);
		}
		fputs("],\"other_recipients\":[", f);
		for (k = 0; k < it->nother; k++) {
			fputs(k ? "," : "", f);
			fmt_jstr(f, p->addrs[it->other0 + k]);
		}
		fputs("],\"argv\":", f);
		buf[0] = '\0';
		if (argv_of != NULL && it->how != PLAN_SKIP)
			argv_of(arg, i, buf, sizeof(buf));
		fmt_jstr(f, buf[0] != '\0' ? buf : NULL);
		fputc('}', f);
	}
	fputs("]}\n", f);
}
