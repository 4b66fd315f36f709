/* fmt_probe.c -- probe, verify and drain output (fmt_probe.h). */
#include "out/fmt_probe.h"
#include "out/fmt.h"
#include "fmt_priv.h"
#include "exim/route.h"
#include "model/plan.h"
#include "model/verify.h"
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

/* ---- route ---- */

static void
route_text(FILE *f, const struct fmt_route *r)
{
	char	 a[300], b[300];
	size_t	 i;

	if (r->source == NULL) {
		fmt_clean(a, sizeof(a), r->error != NULL ? r->error :
		    "no route", 0);
		fprintf(f, "  route: none: %s\n", a);
		return;
	}
	fprintf(f, "  route (%s):", r->source);
	if (r->route != NULL && r->route->router[0] != '\0')
		fprintf(f, " router %s, transport %s;",
		    fmt_clean(a, sizeof(a), r->route->router, 0),
		    fmt_clean(b, sizeof(b), r->route->transport, 0));
	for (i = 0; i < r->nhosts; i++)
		fprintf(f, "%s %s [%s] port %d", i ? "," : "",
		    fmt_clean(a, sizeof(a), r->hosts[i].name[0] != '\0' ?
		    r->hosts[i].name : r->hosts[i].addr, 0),
		    fmt_clean(b, sizeof(b), r->hosts[i].addr, 0),
		    r->hosts[i].port);
	fputc('\n', f);
	if (r->error != NULL)
		fprintf(f, "  (%s)\n", fmt_clean(a, sizeof(a), r->error, 0));
}

static void
route_json(FILE *f, const struct fmt_route *r)
{
	size_t	 i;

	fputs("\"domain\":", f);
	fmt_jstr(f, r->domain);
	fprintf(f, ",\"messages\":%zu,\"recipients\":%zu,\"route\":{"
	    "\"source\":", r->msgs, r->rcpts);
	fmt_jstr(f, r->source);
	fputs(",\"status\":", f);
	fmt_jstr(f, r->route != NULL ? route_status_name(r->route->status) :
	    NULL);
	fputs(",\"router\":", f);
	fmt_jstr(f, r->route != NULL && r->route->router[0] != '\0' ?
	    r->route->router : NULL);
	fputs(",\"transport\":", f);
	fmt_jstr(f, r->route != NULL && r->route->transport[0] != '\0' ?
	    r->route->transport : NULL);
	fputs(",\"error\":", f);
	fmt_jstr(f, r->error);
	fputs(",\"hosts\":[", f);
	for (i = 0; i < r->nhosts; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		fmt_jstr(f, r->hosts[i].name[0] != '\0' ? r->hosts[i].name :
		    NULL);
		fputs(",\"address\":", f);
		fmt_jstr(f, r->hosts[i].addr);
		fprintf(f, ",\"port\":%d}", r->hosts[i].port);
	}
	fputs("]}", f);
}

/* ---- probe ---- */

char *
fmt_probe_verdict(char *buf, size_t len, const struct fmt_probe *p)
{
	char	 w[400];

	fmt_clean(w, sizeof(w), p->why != NULL ? p->why : "", 0);
	snprintf(buf, len, "%s (%s)", p->probe != NULL ?
	    probe_class_name(p->cls) : "not probed", w);
	return buf;
}

static void
step_text(FILE *f, const struct probe_step *s)
{
	char	 c[200], t[400];

	fmt_clean(c, sizeof(c), s->cmd, 60);
	fmt_clean(t, sizeof(t), s->text, 0);
	if (s->kind == PROBE_S_CONNECT)
		fprintf(f, "    %-11s %s port %d: %s%s  %.3fs\n",
		    probe_kind_name(s->kind),
		    fmt_clean(c, sizeof(c), s->host, 0), s->port,
		    probe_outcome_name(s->out), t[0] != '\0' ? " " : "", s->latency);
	else if (s->out == PROBE_O_REPLY)
		fprintf(f, "    %-11s %s%s%s  %.3fs\n", probe_kind_name(s->kind),
		    c, c[0] != '\0' ? " -> " : "", t, s->latency);
	else
		fprintf(f, "    %-11s %s%s%s: %s  %.3fs\n",
		    probe_kind_name(s->kind), c, c[0] != '\0' ? " -> " : "",
		    probe_outcome_name(s->out), t, s->latency);
}

static void
probe_text(FILE *f, const struct fmt_probe *p)
{
	char	 d[300], v[600];
	size_t	 i;

	fmt_clean(d, sizeof(d), p->r.domain, 0);
	fprintf(f, "%s: %s\n", d, fmt_probe_verdict(v, sizeof(v), p));
	fprintf(f, "  queued: %zu message%s, %zu recipient%s\n", p->r.msgs,
	    s_(p->r.msgs), p->r.rcpts, s_(p->r.rcpts));
	route_text(f, &p->r);
	if (p->probe == NULL) {
		if (p->r.nhosts > 0) {
			fprintf(f, "  would connect to %s port %d and ask "
			    "RCPT TO:<%s>", fmt_clean(d, sizeof(d),
			    p->r.hosts[0].addr, 0), p->r.hosts[0].port,
			    p->random_addr != NULL ? p->random_addr : "");
			for (i = 0; i < p->nsamples; i++)
				fprintf(f, ", <%s>", fmt_clean(d, sizeof(d),
				    p->samples[i], 0));
			fputc('\n', f);
		}
		return;
	}
	for (i = 0; i < p->probe->n; i++)
		step_text(f, &p->probe->steps[i]);
	fprintf(f, "  advice: %s\n", probe_advice(p->cls));
}

static void
probe_json(FILE *f, const struct fmt_probe *p)
{
	const struct probe_step	*s;
	size_t			 i;

	fputc('{', f);
	route_json(f, &p->r);
	fputs(",\"class\":", f);
	fmt_jstr(f, p->probe != NULL && p->cls != PROBE_NONE ?
	    probe_class_name(p->cls) : NULL);
	fputs(",\"reason\":", f);
	fmt_jstr(f, p->why);
	fputs(",\"advice\":", f);
	fmt_jstr(f, p->probe != NULL ? probe_advice(p->cls) : NULL);
	fprintf(f, ",\"time\":%lld,\"steps\":[", (long long)p->time);
	for (i = 0; p->probe != NULL && i < p->probe->n; i++) {
		s = &p->probe->steps[i];
		fprintf(f, "%s{\"step\":\"%s\",\"command\":", i ? "," : "",
		    probe_kind_name(s->kind));
		fmt_jstr(f, s->cmd[0] != '\0' ? s->cmd : NULL);
		fputs(",\"host\":", f);
		fmt_jstr(f, s->host[0] != '\0' ? s->host : NULL);
		fprintf(f, ",\"port\":%d,\"outcome\":\"%s\",\"code\":",
		    s->port, probe_outcome_name(s->out));
		if (s->code > 0)
			fprintf(f, "%d", s->code);
		else
			fputs("null", f);
		fputs(",\"reply\":", f);
		fmt_jstr(f, s->out == PROBE_O_REPLY ? s->text : NULL);
		fputs(",\"error\":", f);
		fmt_jstr(f, s->out != PROBE_O_REPLY && s->text[0] != '\0' ?
		    s->text : NULL);
		fprintf(f, ",\"latency\":%.3f}", s->latency);
	}
	fputs("]}", f);
}

void
fmt_probe(FILE *f, const struct fmt_opts *o, const struct fmt_probe *p,
    size_t n)
{
	size_t	 i;

	if (o->kind == FMT_JSON) {
		fprintf(f, "{\"now\":%lld,\"domains\":[", (long long)o->now);
		for (i = 0; i < n; i++) {
			fputs(i ? ",\n" : "\n", f);
			probe_json(f, &p[i]);
		}
		fputs("]}\n", f);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc('\n', f);
		probe_text(f, &p[i]);
	}
}

/* ---- verify ---- */

char *
fmt_verify_progress(char *buf, size_t len, const char *domain,
    const struct callout_progress *p)
{
	char	 d[120], eta[16];

	fmt_clean(d, sizeof(d), domain, 40);
	if (p->eta >= 0)
		units_fmt_age(eta, sizeof(eta), (int64_t)(p->eta + 0.5));
	else
		snprintf(eta, sizeof(eta), "?");
	snprintf(buf, len, "verify %s %zu/%zu  accepted %zu  rejected %zu  "
	    "deferred %zu  unknown %zu  left %zu  %.1f/s  ETA %s%s", d,
	    p->done, p->total, p->n[VERIFY_ACCEPTED], p->n[VERIFY_REJECTED],
	    p->n[VERIFY_DEFERRED], p->n[VERIFY_UNKNOWN], p->left,
	    p->throughput, eta, p->stopping ? "  (stopping)" : "");
	return buf;
}

static void
verify_text(FILE *f, const struct fmt_verify *v)
{
	const struct callout_progress *p = &v->prog;
	char	 d[300];

	fmt_clean(d, sizeof(d), v->r.domain, 0);
	fprintf(f, "%s: %zu recipient%s, %zu with a fresh answer (not asked "
	    "again)\n", d, v->total, s_(v->total), v->fresh);
	route_text(f, &v->r);
	if (!v->ran) {
		if (v->r.nhosts > 0 && v->total > v->fresh)
			fprintf(f, "  would ask %zu at %s port %d\n",
			    v->total - v->fresh, fmt_clean(d, sizeof(d),
			    v->r.hosts[0].addr, 0), v->r.hosts[0].port);
		return;
	}
	fprintf(f, "  asked %zu of %zu in %.1fs (%.2f/s): %zu accepted, %zu "
	    "rejected, %zu deferred, %zu unknown; %zu left\n", p->done,
	    p->total, p->elapsed, p->throughput, p->n[VERIFY_ACCEPTED],
	    p->n[VERIFY_REJECTED], p->n[VERIFY_DEFERRED],
	    p->n[VERIFY_UNKNOWN], p->left);
	if (p->stop_reason != NULL)
		fprintf(f, "  stopped early: %s\n", fmt_clean(d, sizeof(d),
		    p->stop_reason, 0));
}

static void
verify_json(FILE *f, const struct fmt_verify *v)
{
	const struct callout_progress	*p = &v->prog;
	const struct callout_result	*r;
	size_t				 i, k = 0;

	fputc('{', f);
	route_json(f, &v->r);
	fprintf(f, ",\"total\":%zu,\"fresh\":%zu,\"asked\":%zu,"
	    "\"accepted\":%zu,\"rejected\":%zu,\"deferred\":%zu,"
	    "\"unknown\":%zu,\"left\":%zu,\"elapsed\":%.3f,\"stopped\":",
	    v->total, v->fresh, p->done, p->n[VERIFY_ACCEPTED],
	    p->n[VERIFY_REJECTED], p->n[VERIFY_DEFERRED],
	    p->n[VERIFY_UNKNOWN], p->left, p->elapsed);
	fmt_jstr(f, p->stop_reason);
	fputs(",\"results\":[", f);
	for (i = 0; v->res != NULL && i < v->nres; i++) {
		r = &v->res[i];
		if (!r->done)
			continue;
		fputs(k++ ? ",\n{\"address\":" : "\n{\"address\":", f);
		fmt_jstr(f, r->addr);
		fprintf(f, ",\"result\":\"%s\",\"code\":",
		    verify_res_name(r->res));
		if (r->code > 0)
			fprintf(f, "%d", r->code);
		else
			fputs("null", f);
		fputs(",\"reply\":", f);
		fmt_jstr(f, r->reply);
		fprintf(f, ",\"time\":%lld,\"latency\":%.3f,\"sent\":%.4f}",
		    (long long)r->time, r->latency, r->sent);
	}
	fputs("]}", f);
}

void
fmt_verify(FILE *f, const struct fmt_opts *o, const struct fmt_verify *v,
    size_t n, const char *state_file)
{
	char	 b[4200];
	size_t	 i;

	if (o->kind == FMT_JSON) {
		fprintf(f, "{\"now\":%lld,\"state_file\":", (long long)o->now);
		fmt_jstr(f, state_file);
		fputs(",\"domains\":[", f);
		for (i = 0; i < n; i++) {
			fputs(i ? ",\n" : "\n", f);
			verify_json(f, &v[i]);
		}
		fputs("]}\n", f);
		return;
	}
	for (i = 0; i < n; i++)
		verify_text(f, &v[i]);
	if (state_file != NULL)
		fprintf(f, "verify results: %s\n", fmt_clean(b, sizeof(b),
		    state_file, 0));
}

/* ---- drain's plan ---- */

void
fmt_drain_lines(const struct plan_drain *pd, time_t now, int bounce,
    void (*emit)(void *, int, int, const char *), void *arg)
{
	struct fmt_sink		 o = { emit, arg };
	const struct plan	*r = pd->remove, *fl = pd->flush;
	size_t			 whole = plan_nacted(r) - r->nbyrcpt, i;
	size_t			 nmd = 0;
	char			 buf[256];

	for (i = 0; i < r->n; i++)
		if (r->items[i].how == PLAN_RCPTS)
			nmd += r->items[i].nsel;

	fmt_put(&o, FMT_LS_SECTION, 2, "drain: %zu message%s to remove, %zu to "
	    "flush, %zu left queued", bounce ? plan_nacted(r) : whole,
	    s_(bounce ? plan_nacted(r) : whole), plan_nacted(fl),
	    pd->nleft_msgs);
	if (bounce)
		fmt_put(&o, FMT_LS_NORMAL, 4, "  bounce (exim -Mg): %zu message%s "
		    "whose every pending recipient the primary rejected (5xx); "
		    "the senders get a bounce", plan_nacted(r),
		    s_(plan_nacted(r)));
	else
		fmt_put(&o, FMT_LS_NORMAL, 4, "  remove without a bounce: %zu "
		    "message%s whose every pending recipient the primary "
		    "rejected (exim -Mrm), %zu recipient%s of %zu other "
		    "message%s (exim -Mmd)", whole, s_(whole), nmd, s_(nmd),
		    r->nbyrcpt, s_(r->nbyrcpt));
	fmt_put(&o, FMT_LS_NORMAL, 4, "  flush, paced and adaptive: %zu "
	    "message%s with a recipient the primary accepted (2xx)",
	    plan_nacted(fl), s_(plan_nacted(fl)));
	fmt_put(&o, FMT_LS_NORMAL, 4, "  left queued: %zu message%s, %zu "
	    "recipient%s without a fresh 2xx or 5xx (deferred, unknown, not "
	    "asked); never removed", pd->nleft_msgs, s_(pd->nleft_msgs),
	    pd->nleft_rcpts, s_(pd->nleft_rcpts));
	if (pd->nleft_ids > 0) {
		snprintf(buf, sizeof(buf), "    sample:");
		for (i = 0; i < pd->nleft_ids; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    " %s", pd->left_ids[i]);
		fmt_put(&o, FMT_LS_NORMAL, 4, "%s%s", buf,
		    pd->nleft_msgs > pd->nleft_ids ? " ..." : "");
	}
	if (r->n > 0)
		fmt_plan_lines(r, now, emit, arg);
	if (fl->n > 0)
		fmt_plan_lines(fl, now, emit, arg);
}

void
fmt_drain_json(FILE *f, const struct plan_drain *pd,
    void (*argv_of)(void *, size_t, char *, size_t), void *rarg,
    void *farg)
{
	size_t	 i;

	fputs("{\"action\":\"drain\",\"remove\":", f);
	fmt_plan_json(f, pd->remove, argv_of, rarg);
	fputs(",\"flush\":", f);
	fmt_plan_json(f, pd->flush, argv_of, farg);
	fprintf(f, ",\"left\":{\"messages\":%zu,\"recipients\":%zu,"
	    "\"sample\":[", pd->nleft_msgs, pd->nleft_rcpts);
	for (i = 0; i < pd->nleft_ids; i++) {
		fputs(i ? "," : "", f);
		fmt_jstr(f, pd->left_ids[i]);
	}
	fputs("]}}\n", f);
}
