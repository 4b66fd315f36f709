/* cmd_check.c -- mxtop check: a monitoring plugin (Nagios, Icinga,
 * Checkmk and the like).  One status line with performance data after
 * '|', and the plugin convention's exit status: 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN (the spool cannot be read, bad usage). */
#include "app/cmd.h"
#include "app/load.h"
#include "model/classify.h"
#include "model/diag.h"
#include "model/stats.h"
#include "exim/spool.h"
#include "out/fmt.h"
#include "base/text.h"
#include "base/units.h"

#include <stdio.h>
#include <string.h>

enum { CK_OK, CK_WARNING, CK_CRITICAL, CK_UNKNOWN };

static const char *const ck_names[] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN"
};

/* The level a value reaches against warn and crit (0: not set). */
static int
level(int64_t v, int64_t warn, int64_t crit)
{
	if (crit > 0 && v > crit)
		return CK_CRITICAL;
	if (warn > 0 && v > warn)
		return CK_WARNING;
	return CK_OK;
}

/* "value;warn;crit;0" of the perfdata, thresholds left empty when unset. */
static void
perf(char *buf, size_t len, const char *label, int64_t v, const char *unit,
    int64_t warn, int64_t crit)
{
	char	 w[32] = "", c[32] = "";

	if (warn > 0)
		snprintf(w, sizeof(w), "%lld", (long long)warn);
	if (crit > 0)
		snprintf(c, sizeof(c), "%lld", (long long)crit);
	snprintf(buf + strlen(buf), len - strlen(buf), " %s=%lld%s;%s;%s;0",
	    label, (long long)v, unit, w, c);
}

int
cmd_check(struct ctx *c, int argc, char **argv)
{
	struct spool_snap *s;
	struct diag *dg;
	struct stats *st;
	const struct stats_domain *old = NULL, *deep = NULL;
	char a[16], err[512], pd[2048], msg[1024], nm[256];
	uint32_t bycls[CLASS__COUNT];
	int64_t age = 0;
	size_t i;
	int lv, la, ld, k;

	(void)argv;
	if (argc > 1) {
		printf("MXTOP UNKNOWN - check takes no arguments\n");
		return CK_UNKNOWN;
	}
	if (c->fmt.kind != FMT_TEXT && c->fmt.kind != FMT_JSON) {
		printf("MXTOP UNKNOWN - check prints text or json\n");
		return CK_UNKNOWN;
	}
	if ((c->warn_age > 0 && c->max_age > 0 && c->warn_age > c->max_age) ||
	    (c->warn_depth > 0 && c->max_depth > 0 &&
	    c->warn_depth > c->max_depth)) {
		printf("MXTOP UNKNOWN - a warning threshold above its critical "
		    "one\n");
		return CK_UNKNOWN;
	}
	if ((s = load_spool(c, NULL, err, sizeof(err))) == NULL) {
		printf("MXTOP UNKNOWN - %s\n", err);
		return CK_UNKNOWN;
	}
	dg = load_diag(c, s, 0);
	st = stats_build(s, c->sel, dg, c->now, NULL, 0);
	memset(bycls, 0, sizeof(bycls));
	for (i = 0; i < st->ndomains; i++) {
		const struct stats_domain *d = &st->domains[i];

		if (d->messages == 0)
			continue;
		if (old == NULL || d->oldest < old->oldest)
			old = d;
		if (deep == NULL || d->messages > deep->messages)
			deep = d;
		if (d->cls > 0 && d->cls < CLASS__COUNT)
			bycls[d->cls] += d->messages;
	}
	if (old != NULL)
		age = (int64_t)c->now - old->oldest;
	la = level(age, c->warn_age, c->max_age);
	ld = level(st->total.messages, c->warn_depth, c->max_depth);
	lv = la > ld ? la : ld;
	snprintf(msg, sizeof(msg), "%u messages, %u recipients, %zu domain%s",
	    st->total.messages, st->total.recipients, st->ndomains,
	    st->ndomains == 1 ? "" : "s");
	if (old != NULL)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
		    "; oldest %s (%.200s)", units_fmt_age(a, sizeof(a), age),
		    text_sanitize(nm, sizeof(nm), old->name, strlen(old->name)));
	if (deep != NULL)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
		    "; deepest %.200s (%u)", text_sanitize(nm, sizeof(nm),
		    deep->name, strlen(deep->name)), deep->messages);
	if (s->nbad > 0)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
		    "; %zu unreadable", s->nbad);
	pd[0] = '\0';
	perf(pd, sizeof(pd), "depth", st->total.messages, "", c->warn_depth,
	    c->max_depth);
	perf(pd, sizeof(pd), "oldest", age, "s", c->warn_age, c->max_age);
	snprintf(pd + strlen(pd), sizeof(pd) - strlen(pd),
	    " recipients=%u frozen=%u unreadable=%zu", st->total.recipients,
	    st->total.frozen, s->nbad);
	for (k = 1; k < CLASS__COUNT; k++)
		snprintf(pd + strlen(pd), sizeof(pd) - strlen(pd), " %s=%u",
		    class_name((enum class_id)k), bycls[k]);
	if (c->fmt.kind == FMT_JSON) {
		printf("{\"status\":\"%s\",\"code\":%d,\"messages\":%u,"
		    "\"recipients\":%u,\"frozen\":%u,\"unreadable\":%zu,"
		    "\"oldest\":%lld,\"oldest_domain\":", ck_names[lv], lv,
		    st->total.messages, st->total.recipients, st->total.frozen,
		    s->nbad, (long long)age);
		fmt_json_str(stdout, old ? old->name : "", old ?
		    strlen(old->name) : 0);
		printf(",\"classes\":{");
		for (k = 1; k < CLASS__COUNT; k++)
			printf("%s\"%s\":%u", k > 1 ? "," : "",
			    class_name((enum class_id)k), bycls[k]);
		printf("},\"text\":");
		fmt_json_str(stdout, msg, strlen(msg));
		printf("}\n");
	} else
		printf("MXTOP %s - %s |%s\n", ck_names[lv], msg, pd);
	stats_free(st);
	diag_free(dg);
	spool_snap_free(s);
	if (fflush(stdout) != 0 || ferror(stdout))
		return CK_UNKNOWN;
	return lv;
}
