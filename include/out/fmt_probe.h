/* fmt_probe.h -- probe, verify and drain as text and JSON (part of the
 * fmt module; fmt.h's rules hold: field names are a contract, the
 * primary's replies are untrusted bytes, sanitized in text and escaped
 * in JSON). */
#ifndef MXTOP_FMT_PROBE_H
#define MXTOP_FMT_PROBE_H
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "out/fmt.h"
#include "model/probe.h"
#include "run/callout.h"

struct route;				/* exim/route.h */
struct plan_drain;			/* model/plan.h */

/* Where a domain's primary is, and how that was found. */
struct fmt_route {
	const char		*domain;
	const char		*source;	/* "exim -bt", "logs", "--host";
						 * NULL: none found */
	const struct route	*route;		/* exim -bt's answer, or NULL */
	const struct callout_host *hosts;
	size_t			 nhosts;
	const char		*error;		/* why no host, or NULL */
	size_t			 msgs, rcpts;	/* queued for the domain */
};

/* One domain's probe. */
struct fmt_probe {
	struct fmt_route	 r;
	const struct probe	*probe;		/* NULL: not run (dry run, no
						 * host) */
	enum probe_class	 cls;
	const char		*why;
	time_t			 time;
	const char		*random_addr;
	const char *const	*samples;
	size_t			 nsamples;
};

/* The probes p[0..n): text (per domain the verdict and why, the route,
 * each step with its latency and the reply, the advice) or JSON
 * ({"now", "domains": [...]}, mxtop.1 OUTPUT). */
void	fmt_probe(FILE *, const struct fmt_opts *, const struct fmt_probe *p,
	    size_t n);
/* The verdict line alone, for drain and the TUI: "ok (why)". */
char	*fmt_probe_verdict(char *buf, size_t len, const struct fmt_probe *);

/* One domain's verify run. */
struct fmt_verify {
	struct fmt_route	 r;
	size_t			 total;		/* distinct selected addresses */
	size_t			 fresh;		/* of them, with a fresh answer:
						 * not asked again */
	const struct callout_result *res;	/* those asked (NULL: none) */
	size_t			 nres;
	struct callout_progress	 prog;
	int			 ran;		/* a run was made */
};

/* The runs v[0..n) and the state file: text (per domain the counts,
 * how far it got and why it stopped) or JSON ({"now", "state_file",
 * "domains": [... "results": [...]]}). */
void	fmt_verify(FILE *, const struct fmt_opts *, const struct fmt_verify *v,
	    size_t n, const char *state_file);
/* The progress line of a running verify (no line end). */
char	*fmt_verify_progress(char *buf, size_t len, const char *domain,
	    const struct callout_progress *);

/* drain's plan as lines (emit as for fmt_plan_lines()): the counts to
 * remove, to flush and left, then each part's plan. */
void	fmt_drain_lines(const struct plan_drain *, time_t now, int bounce,
	    void (*emit)(void *arg, int style, int indent, const char *text),
	    void *arg);
/* drain's plan as one JSON object: {"action": "drain", "remove": plan,
 * "flush": plan, "left": {...}}; argv_of as for fmt_plan_json() (arg
 * gets which part: 0 remove, 1 flush). */
void	fmt_drain_json(FILE *, const struct plan_drain *,
	    void (*argv_of)(void *arg, size_t i, char *buf, size_t len),
	    void *remove_arg, void *flush_arg);
#endif
