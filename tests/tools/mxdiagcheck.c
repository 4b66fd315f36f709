/* mxdiagcheck.c -- the TUI's way to the DNS evidence of a diagnosis
 * (cmd_mxdiag_new() once, then cmd_mxdiag_check() from worker threads),
 * run as the TUI would, for the DNS tests.  Test tooling.
 *
 *	mxdiagcheck [mxtop options] -- DOMAIN...
 *
 * Sets the lookups up from the options (--dns-server, --relay-name,
 * --relay-addr, --timeout), then checks every domain on ROUNDS threads
 * each, all at once, and prints per domain one line
 *	DOMAIN: CODE CODE ...		(or "DOMAIN: error TEXT")
 * after checking that all threads got the same findings and records.
 * Exit 0, 1 when threads disagreed, 2 on a setup error. */
#include "app/cli.h"
#include "app/cmd.h"
#include "app/ctx.h"
#include "model/mxcheck.h"
#include "model/select.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS	4

struct job {
	const struct cmd_mxdiag	*m;
	const char		*domain;
	struct mxcheck_result	 res;
	char			 line[4096];	/* codes and records */
};

static void *
work(void *arg)
{
	struct job *j = arg;
	size_t i, k, n = 0;

	mxcheck_init(&j->res);
	(void)cmd_mxdiag_check(j->m, j->domain, &j->res);
	if (j->res.error != NULL && j->res.nf == 0)
		snprintf(j->line, sizeof(j->line), "error %s", j->res.error);
	for (i = 0; i < j->res.nf && n < sizeof(j->line); i++) {
		n += (size_t)snprintf(j->line + n, sizeof(j->line) - n, "%s%s",
		    i ? " " : "", mxcheck_code_name(j->res.f[i].code));
		for (k = 0; k < j->res.f[i].nrecords && n < sizeof(j->line); k++)
			n += (size_t)snprintf(j->line + n, sizeof(j->line) - n,
			    "|%s", j->res.f[i].records[k]);
	}
	mxcheck_done(&j->res);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct ctx c;
	struct cmd_mxdiag *m;
	struct job *jobs;
	pthread_t *t;
	char err[512];
	size_t nd, nj, i, r;
	int n, rc = 0;

	memset(&c, 0, sizeof(c));
	c.sel = select_new();
	c.fmt.width = 80;
	if ((n = cli_parse(&c, argc, argv)) < 0)
		return 2;
	if (n >= argc) {
		fprintf(stderr, "usage: mxdiagcheck [options] -- DOMAIN...\n");
		return 2;
	}
	if ((m = cmd_mxdiag_new(&c, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxdiagcheck: %s\n", err);
		return 2;
	}
	nd = (size_t)(argc - n);
	nj = nd * ROUNDS;
	jobs = calloc(nj, sizeof(*jobs));
	t = calloc(nj, sizeof(*t));
	if (jobs == NULL || t == NULL)
		return 2;
	/* Every job at once: the calls share m and nothing else. */
	for (i = 0; i < nj; i++) {
		jobs[i].m = m;
		jobs[i].domain = argv[n + (int)(i % nd)];
		if (pthread_create(&t[i], NULL, work, &jobs[i]) != 0)
			return 2;
	}
	for (i = 0; i < nj; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < nd; i++) {
		for (r = 1; r < ROUNDS; r++)
			if (strcmp(jobs[i].line, jobs[i + r * nd].line) != 0) {
				printf("DIFF %s: %s / %s\n", jobs[i].domain,
				    jobs[i].line, jobs[i + r * nd].line);
				rc = 1;
			}
		printf("%s: %s\n", jobs[i].domain, jobs[i].line);
	}
	free(jobs);
	free(t);
	cmd_mxdiag_free(m);
	select_free(c.sel);
	return rc;
}
