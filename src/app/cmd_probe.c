/* cmd_probe.c -- probe (is the primary back? how does it answer?) and
 * verify (ask the primary about every queued recipient). */
#include "app/cmd.h"
#include "app/load.h"
#include "cmd_callout_priv.h"
#include "model/diag.h"
#include "model/select.h"
#include "model/verify.h"
#include "exim/spool.h"
#include "out/fmt_probe.h"
#include "base/mem.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t interrupted;

static void
on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int
flushed(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mxtop: write error on standard output\n");
		return 2;
	}
	return rc;
}

int
cmd_probe(struct ctx *c, int argc, char **argv)
{
	struct spool_snap	*snap;
	struct diag		*d;
	struct co_doms		 doms;
	struct callout_cfg	 cfg;
	struct fmt_probe	*fp;
	char			 err[512], helo[256];
	size_t			 i, nother;
	int			 rc = 0;

	if ((argc > 1) == (c->all != 0)) {
		fprintf(stderr, "mxtop: probe takes domains or --all\n");
		return 2;
	}
	if ((snap = load_spool(c, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		return 2;
	}
	d = load_diag(c, snap, 0);
	co_collect(snap, d, c->sel, c->now, argv + 1, (size_t)argc - 1, &doms,
	    &nother);
	if (doms.n == 0) {
		fprintf(stderr, "mxtop: no customer domain with mail queued%s\n",
		    nother > 0 ? " (bounces to other domains are not probed)" :
		    "");
		rc = 1;
	}
	co_cfg(c, &cfg, helo, sizeof(helo));
	fp = xcalloc(doms.n + 1, sizeof(*fp));
	for (i = 0; i < doms.n; i++) {
		co_route(c, d, &doms.v[i]);
		co_probe(c, &cfg, &doms.v[i], c->dry_run);
		co_fmt_probe(&doms.v[i], &fp[i]);
		if (!c->dry_run && doms.v[i].cls != PROBE_OK)
			rc = 1;
	}
	fmt_probe(stdout, &c->fmt, fp, doms.n);
	free(fp);
	co_doms_free(&doms);
	diag_free(d);
	spool_snap_free(snap);
	return flushed(rc);
}

int
cmd_verify(struct ctx *c, int argc, char **argv)
{
	struct sigaction	 sa, old_int, old_term;
	struct spool_snap	*snap;
	struct diag		*d;
	struct co_doms		 doms;
	struct callout_cfg	 cfg;
	struct verify_set	*vs;
	struct fmt_verify	*fv;
	char			 err[512], helo[256], path[4200];
	size_t			 i, k, nother;
	int			 rc = 0;
	enum verify_res		 v;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mxtop: verify takes no arguments; choose "
		    "recipients with --domain, --rcpt, ...\n");
		return 2;
	}
	if (select_empty(c->sel)) {
		fprintf(stderr, "mxtop: verify needs a selection (--domain, "
		    "--rcpt, --older-than, ...); for the whole queue say "
		    "--older-than 0s\n");
		return 2;
	}
	if ((snap = load_spool(c, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxtop: %s\n", err);
		return 2;
	}
	if (co_state_load(c, !c->dry_run, path, sizeof(path), &vs) < 0) {
		spool_snap_free(snap);
		return 2;
	}
	select_bind_verify(c->sel, vs, c->now, co_max_age(c));
	d = load_diag(c, snap, select_has(c->sel, "class"));
	co_collect(snap, d, c->sel, c->now, NULL, 0, &doms, &nother);
	if (doms.n == 0) {
		fprintf(stderr, "mxtop: the selection has no pending recipient "
		    "at a customer domain\n");
		rc = 1;
	}
	if (nother > 0)
		fprintf(stderr, "mxtop: %zu domain%s that %s no customer%s "
		    "left out (bounces, warnings)\n", nother, nother == 1 ?
		    "" : "s", nother == 1 ? "is" : "are", nother == 1 ? "" :
		    "s");
	co_cfg(c, &cfg, helo, sizeof(helo));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (i = 0; i < doms.n && !interrupted; i++) {
		co_route(c, d, &doms.v[i]);
		if (doms.v[i].nhosts == 0) {
			rc = 1;
			continue;
		}
		if (c->dry_run) {
			for (k = 0; k < doms.v[i].naddrs; k++) {
				v = verify_set_result(vs, doms.v[i].addrs[k],
				    c->now, co_max_age(c));
				doms.v[i].fresh += v == VERIFY_ACCEPTED ||
				    v == VERIFY_REJECTED;
			}
			continue;
		}
		if (co_verify(c, &cfg, &doms.v[i], vs, path, &interrupted))
			rc = 1;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	fv = xcalloc(doms.n + 1, sizeof(*fv));
	for (i = 0; i < doms.n; i++)
		co_fmt_verify(&doms.v[i], &fv[i]);
	fmt_verify(stdout, &c->fmt, fv, doms.n, path);
	free(fv);
	co_doms_free(&doms);
	select_bind_verify(c->sel, NULL, 0, 0);
	verify_set_free(vs);
	diag_free(d);
	spool_snap_free(snap);
	return flushed(interrupted ? 1 : rc);
}
