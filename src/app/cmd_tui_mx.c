/* cmd_tui_mx.c -- the TUI's M: mx-check's lookups of one domain in a
 * worker thread (they block up to their timeouts), the result handed to
 * the view, whose Diagnose screen shows the findings as diagnose --dns
 * does.  DNS is sent only when M is pressed. */
#include "app/cmd.h"
#include "cmd_tui_priv.h"
#include "model/mxcheck.h"
#include "tui/view.h"
#include "base/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tui_mx {
	struct ctx		*c;		/* read by the thread */
	struct cmd_mxdiag	*md;		/* set up on the first M */
	pthread_t		 th;
	int			 running;	/* started, not joined */
	atomic_int		 done;
	char			 domain[256];	/* being looked up */
	struct mxcheck_result	 res;		/* the thread's */
	int			 rc;
	char			 err[512];
	/* What the view shows: the last lookup that ended. */
	char			 shown_dom[256];
	struct mxcheck_result	 shown;
};

static void *
mx_thread(void *arg)
{
	struct tui_mx *m = arg;

	m->err[0] = '\0';
	if (m->md == NULL)
		m->md = cmd_mxdiag_new(m->c, m->err, sizeof(m->err));
	m->rc = m->md != NULL ? cmd_mxdiag_check(m->md, m->domain, &m->res) :
	    -1;
	atomic_store(&m->done, 1);
	return NULL;
}

void
tui_mx_start(struct tui *t)
{
	struct tui_mx *m;
	const char *d = view_probe_domain(t->v);

	if (d == NULL)
		return;
	if (t->mx == NULL) {
		t->mx = xcalloc(1, sizeof(*t->mx));
		t->mx->c = t->c;
		mxcheck_init(&t->mx->res);
		mxcheck_init(&t->mx->shown);
	}
	m = t->mx;
	if (m->running) {
		view_status(t->v, 1, "a DNS lookup of %s is running", m->domain);
		return;
	}
	snprintf(m->domain, sizeof(m->domain), "%s", d);
	mxcheck_done(&m->res);
	mxcheck_init(&m->res);
	atomic_store(&m->done, 0);
	if (pthread_create(&m->th, NULL, mx_thread, m) != 0) {
		view_status(t->v, 1, "cannot start the DNS lookup");
		return;
	}
	m->running = 1;
}

int
tui_mx_busy(const struct tui *t)
{
	return t->mx != NULL && t->mx->running;
}

void
tui_mx_step(struct tui *t)
{
	struct tui_mx *m = t->mx;
	struct mxcheck_result tmp;

	if (m == NULL || !m->running || !atomic_load(&m->done))
		return;
	pthread_join(m->th, NULL);
	m->running = 0;
	if (m->md == NULL) {
		view_status(t->v, 1, "mx-check: %s", m->err);
		return;
	}
	/* The new result is shown; the old one is freed after the view
	 * lets go of it. */
	tmp = m->shown;
	m->shown = m->res;
	m->res = tmp;
	snprintf(m->shown_dom, sizeof(m->shown_dom), "%s", m->domain);
	view_set_mx(t->v, m->shown_dom, &m->shown);
	mxcheck_done(&m->res);
	mxcheck_init(&m->res);
	if (m->shown.error != NULL)
		view_status(t->v, 1, "mx-check of %s: %s", m->shown_dom,
		    m->shown.error);
	else
		view_status(t->v, 0, "mx-check of %s: %d finding%s", m->shown_dom,
		    m->rc, m->rc == 1 ? "" : "s");
}

void
tui_mx_stop(struct tui *t)
{
	struct tui_mx *m = t->mx;

	if (m == NULL)
		return;
	/* A lookup ends by its timeouts. */
	if (m->running)
		pthread_join(m->th, NULL);
	view_set_mx(t->v, NULL, NULL);
	mxcheck_done(&m->res);
	mxcheck_done(&m->shown);
	cmd_mxdiag_free(m->md);
	free(m);
	t->mx = NULL;
}
