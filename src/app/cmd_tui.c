/* cmd_tui.c -- the TUI's event loop, and --once.
 *
 * As in ncdu and htop: rescan when due -> stats_build() -> view -> ui.
 * The scan (spool, msglogs, main log) runs in a thread and reports on a
 * pipe (cmd_tui_scan.c), so a big spool never blocks the keys; actions run as an mta job
 * stepped from the same poll(2) loop, and an export in a thread of its
 * own whose counters the loop reads. */
#define _GNU_SOURCE		/* pipe2(2) */
#include "cmd_tui_priv.h"
#include "run/audit.h"
#include "app/cmd.h"
#include "app/load.h"
#include "exim/logscan.h"
#include "out/export.h"
#include "exim/history.h"
#include "exim/message.h"
#include "run/mta.h"
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "tui/ui.h"
#include "base/mem.h"
#include "tui/view.h"
#include "base/units.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX	(64 * 1024)	/* B shows this much of -D */


/* ---- Message and body ---- */

static void
load_msg(struct tui *t)
{
	const char *id = view_msg_id(t->v);
	struct spool_hdr h;
	struct history hist;
	char *buf = NULL, err[512];
	size_t cap = 0;
	uint8_t *dl = NULL;
	int rc;

	if (id == NULL)
		return;
	spool_hdr_init(&h);
	rc = spool_load(t->c->spool, id, &buf, &cap, &h, &dl, NULL, err,
	    sizeof(err));
	history_init(&hist);
	(void)history_read(&hist, t->c->spool, id);
	view_set_message(t->v, rc == 0 ? &h : NULL, &hist, rc < 0 ? err :
	    NULL);
	history_done(&hist);
	spool_hdr_done(&h);
	free(dl);
	free(buf);
}

static void
load_body(struct tui *t)
{
	const char *id = view_msg_id(t->v);
	char err[512], *buf;
	struct stat st;
	ssize_t n;
	size_t got = 0, skip;
	int fd;

	if (id == NULL)
		return;
	if ((fd = msg_data_open(t->c->spool, id, &st, err,
	    sizeof(err))) < 0) {
		view_set_body(t->v, NULL, 0, 0, errno == ENOENT ? "no -D file "
		    "(the message has left the queue?)" : err);
		return;
	}
	/* After Exim's "<id>-D" line. */
	skip = strlen(id) + 3;
	buf = xmalloc(BODY_MAX);
	while (got < BODY_MAX && (n = pread(fd, buf + got, BODY_MAX - got,
	    (off_t)(skip + got))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	view_set_body(t->v, buf, got, (int64_t)st.st_size - (int64_t)skip,
	    NULL);
	free(buf);
}

/* ---- Actions ---- */

static void
act_start(struct tui *t, enum view_act a)
{
	const struct view_plan *vp = view_plan(t->v);
	struct mta_pace pace;
	char err[512], line[1024];
	char **argv;
	size_t i;

	if (t->job != NULL || t->snap == NULL || vp->p == NULL)
		return;
	if (plan_nacted(vp->p) == 0) {
		view_status(t->v, 1, "%s: nothing to do (%zu skipped)",
		    plan_act_name(vp->p->act), vp->p->nskipped);
		return;
	}
	if (t->c->dry_run) {
		for (i = 0; i < vp->p->n && vp->p->items[i].how == PLAN_SKIP;
		    i++)
			;
		if (vp->p->items[i].how == PLAN_RCPTS)
			argv = mta_argv_mmd(&t->c->mta, vp->p->items[i].id,
			    (const char *const *)vp->p->addrs +
			    vp->p->items[i].addr0, vp->p->items[i].nsel);
		else {
			const char *id = vp->p->items[i].id;

			argv = mta_argv(&t->c->mta, vp->p->act, &id, 1);
		}
		if (argv != NULL) {
			view_status(t->v, 0, "dry run, nothing done (%zu "
			    "messages), e.g.: %s", plan_nacted(vp->p),
			    mta_argv_str(argv, line, sizeof(line)));
			free(argv);
		}
		return;
	}
	/* The Exim that acts must be the one of the spool shown. */
	if (load_check_spool(t->c, err, sizeof(err)) < 0) {
		view_status(t->v, 1, "not started: %s", err);
		return;
	}
	if ((t->audit = audit_open(t->c->audit, err, sizeof(err))) == NULL) {
		view_status(t->v, 1, "not started: %s", err);
		return;
	}
	memset(&pace, 0, sizeof(pace));
	pace.rate = a == ACT_FLUSH ? vp->rate : 0;
	pace.parallel = t->c->parallel;
	pace.adaptive = a == ACT_FLUSH && (vp->adaptive || t->c->adaptive);
	t->job = mta_job_new(&t->c->mta, t->c->spool, vp->p, &pace);
	t->jobact = a;
	memset(&t->prog, 0, sizeof(t->prog));
	t->prog.running = 1;
	t->prog.verb = plan_act_name(vp->p->act);
	t->prog.total = vp->p->n;
	t->prog.eta = -1;
	view_set_progress(t->v, &t->prog);
	snprintf(t->sel, sizeof(t->sel), "tui %s", vp->args != NULL ?
	    vp->args : "");
}

/* Steps the running job; at its end, the result line and a rescan. */
static void
act_step(struct tui *t)
{
	const struct mta_item *it;
	struct mta_progress pr;
	int rc;

	if (t->job == NULL)
		return;
	rc = mta_job_step(t->job, 0);
	while ((it = mta_job_reap(t->job)) != NULL)
		(void)audit_write(t->audit, time(NULL), t->prog.verb, it,
		    t->sel);
	mta_job_progress(t->job, &pr);
	t->prog.done = pr.finished;
	t->prog.ok = pr.n[MTA_R_DONE];
	t->prog.failed = pr.n[MTA_R_FAILED];
	t->prog.gone = pr.n[MTA_R_GONE] + pr.n[MTA_R_LOCKED];
	t->prog.rate = pr.throughput;
	t->prog.eta = pr.eta;
	if (rc == 0) {
		t->prog.running = 0;
		snprintf(t->prog.result, sizeof(t->prog.result), "%s: %zu "
		    "message%s in %.1fs: %zu done, %zu deferred, %zu failed, "
		    "%zu gone, %zu locked, %zu skipped%s%s", t->prog.verb,
		    pr.total, pr.total == 1 ? "" : "s", pr.elapsed,
		    pr.n[MTA_R_DONE], pr.n[MTA_R_DEFERRED],
		    pr.n[MTA_R_FAILED], pr.n[MTA_R_GONE], pr.n[MTA_R_LOCKED],
		    pr.n[MTA_R_SKIPPED], pr.stop_reason ? "; stopped: " : "",
		    pr.stop_reason ? pr.stop_reason : "");
		view_set_progress(t->v, &t->prog);
		mta_job_free(t->job);
		t->job = NULL;
		audit_close(t->audit);
		t->audit = NULL;
		tui_scan_start(t);
		return;
	}
	view_set_progress(t->v, &t->prog);
}

/* ---- The loop ---- */

static void
resize(struct tui *t)
{
	int cols, rows;

	ui_size(&cols, &rows);
	view_resize(t->v, cols, rows);
}

/* Carries out an intent; returns 1 to quit. */
static int
carry_out(struct tui *t, enum view_act a)
{
	switch (a) {
	case ACT_QUIT:
		return 1;
	case ACT_RESCAN:
		tui_scan_start(t);
		break;
	case ACT_RESELECT:
		tui_rebuild(t);
		break;
	case ACT_LOAD_MSG:
		load_msg(t);
		break;
	case ACT_LOAD_BODY:
		load_body(t);
		break;
	case ACT_FLUSH:
	case ACT_BOUNCE:
	case ACT_DELETE:
	case ACT_FREEZE:
	case ACT_THAW:
		act_start(t, a);
		break;
	case ACT_EXPORT:
		tui_exp_start(t);
		break;
	case ACT_MXCHECK:
		tui_mx_start(t);
		break;
	case ACT_PROBE:
	case ACT_RECOVER:
		tui_recover_start(t, a == ACT_PROBE);
		break;
	case ACT_RECOVER_GO:
		tui_recover_go(t);
		break;
	case ACT_CANCEL:
		if (view_screen(t->v) == VIEW_RECOVER) {
			tui_recover_cancel(t);
			break;
		}
		if (t->ex.running) {
			atomic_store(&t->ex.cancel, 1);
			view_status(t->v, 0, "cancelling the export");
		}
		if (t->job != NULL) {
			mta_job_cancel(t->job, "cancelled from the TUI");
			view_status(t->v, 0, "cancelling: waiting for the "
			    "running exim processes");
		}
		break;
	case ACT_NONE:
		break;
	}
	return 0;
}

/* The signal that asks the TUI to quit; 0 none.  The handler only sets
 * it: the loop's poll(2) returns EINTR and the loop ends as Q does, so
 * running Exim commands finish, their results are logged and the
 * terminal is restored. */
static volatile sig_atomic_t tui_signal;

static void
on_signal(int sig)
{
	tui_signal = sig;
}

/* Installs on_signal (without SA_RESTART) or, with undo, the saved. */
static void
signals(int undo, struct sigaction *saved)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (undo)
			sigaction(sigs[i], &saved[i], NULL);
		else
			sigaction(sigs[i], &sa, &saved[i]);
	}
}

static int
loop(struct tui *t)
{
	struct pollfd pfd[2];
	double wait, now;
	int key, quit = 0, timeout;

	resize(t);
	tui_scan_start(t);
	while (!quit) {
		if (t->sc.busy == 2)
			tui_scan_done(t);
		if (t->sc.busy == 1) {
			/* The first scan of a big spool: show how far. */
			t->info.scan_done = atomic_load(&t->sc.done);
			t->info.scan_total = atomic_load(&t->sc.total);
			view_set_info(t->v, &t->info);
		}
		ui_show(t->v);
		now = units_mono();
		wait = t->sc.busy ? 0.25 : t->due - now;
		if ((t->job != NULL || t->ex.running || tui_recover_busy(t) ||
		    tui_mx_busy(t)) &&
		    wait > 0.1)
			wait = 0.1;
		timeout = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = t->sc.fd[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		/* SIGTERM, SIGHUP, SIGINT, SIGQUIT: quit as Q does. */
		if (tui_signal != 0)
			break;
		if (pfd[0].revents & (POLLHUP | POLLERR))
			break;
		/* Every key waiting, then one redraw. */
		while ((key = ui_key()) != -1) {
			if (key == VIEW_KEY_RESIZE)
				resize(t);
			if ((quit = carry_out(t, view_key(t->v, key))) != 0)
				break;
		}
		if (pfd[1].revents & POLLIN) {
			char b = 0;
			ssize_t n;

			do
				n = read(t->sc.fd[0], &b, 1);
			while (n < 0 && errno == EINTR);
			tui_scan_report(t, n == 1 ? b : 0);
		}
		act_step(t);
		tui_exp_step(t);
		tui_recover_step(t);
		tui_mx_step(t);
		if (!t->sc.busy && units_mono() >= t->due)
			tui_scan_start(t);
	}
	if (t->job != NULL) {
		/* Q with an action running: let the running exims end. */
		mta_job_cancel(t->job, "mxtop quit");
		while (mta_job_step(t->job, 200) != 0)
			continue;
		act_step(t);
	}
	tui_recover_stop(t);	/* p, R: their steps end consistently */
	tui_mx_stop(t);
	if (t->ex.running) {
		/* Q with an export running: stop it, delete the file. */
		atomic_store(&t->ex.cancel, 1);
		if (t->ex.running == 1)
			pthread_join(t->ex.th, NULL);
		t->ex.running = 2;
		atomic_store(&t->ex.finished, 1);
		tui_exp_step(t);
	}
	tui_scan_stop(t);
	return 0;
}

static void
out_line(const char *line, void *arg)
{
	FILE *f = arg;

	fputs(line, f);
	fputc('\n', f);
}

static const char *
order_name(enum stats_order o)
{
	switch (o) {
	case STATS_BY_AGE: return "age";
	case STATS_BY_NAME: return "name";
	case STATS_BY_RCPTS: return "rcpts";
	case STATS_BY_BYTES: return "bytes";
	case STATS_BY_CLASS: return "class";
	default: return "msgs";
	}
}

int
cmd_tui(struct ctx *c, int argc, char **argv)
{
	struct tui t;
	const char *cs;
	int rc = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "mxtop: tui takes no arguments\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	memset(&t, 0, sizeof(t));
	t.c = c;
	/* The log is found once, not at every refresh. */
	t.sc.log = load_log_path(c, t.logbuf, sizeof(t.logbuf));
	t.info.log = t.sc.log;
	t.info.cutoff = c->fmt.cutoff;
	t.now = c->now;
	t.pinned = c->now_set;
	t.v = view_new(cs != NULL && strcmp(cs, "UTF-8") == 0);
	view_set_select(t.v, c->sel, 0, NULL);
	view_set_order(t.v, order_name(c->order), c->reverse);
	view_set_rate(t.v, c->rate);
	if (gethostname(t.host, sizeof(t.host)) < 0)
		snprintf(t.host, sizeof(t.host), "localhost");
	t.host[sizeof(t.host) - 1] = '\0';
	t.info.host = t.host;
	t.info.spool = c->spool;
	view_set_info(t.v, &t.info);
	if (c->once) {
		tui_scan_prepare(&t);
		tui_scan_do(&t.sc);
		t.sc.busy = 2;
		tui_scan_done(&t);
		if (t.snap == NULL) {
			fprintf(stderr, "mxtop: %s\n", t.sc.err);
			rc = 2;
		} else {
			/* The width main() chose: the terminal's, or --width. */
			view_resize(t.v, c->fmt.width, 24);
			view_print(t.v, out_line, stdout);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "mxtop: write error on "
				    "standard output\n");
				rc = 2;
			}
		}
	} else {
		if (pipe2(t.sc.fd, O_CLOEXEC) < 0) {
			fprintf(stderr, "mxtop: pipe: %s\n", strerror(errno));
			rc = 2;
		} else if (ui_start(c->no_color) < 0) {
			fprintf(stderr, "mxtop: cannot use this terminal\n");
			rc = 2;
		} else {
			struct sigaction saved[4];

			tui_signal = 0;
			signals(0, saved);
			rc = loop(&t);
			ui_end();
			signals(1, saved);
			if (tui_signal != 0)
				rc = 128 + tui_signal;
		}
		if (t.sc.fd[0] > 0) {
			close(t.sc.fd[0]);
			close(t.sc.fd[1]);
		}
	}
	view_free(t.v);
	stats_free(t.st);
	diag_free(t.diag);
	diag_free(t.sc.retired);
	load_live_free(t.sc.live);
	spool_snap_free(t.snap);
	return rc;
}
