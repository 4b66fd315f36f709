/* cmd_tui_priv.h -- the TUI loop's state, shared by cmd_tui.c and its
 * other files (cmd_tui_scan.c, _export.c, _recover.c, _mx.c); not a
 * module contract. */
#ifndef MXTOP_CMD_TUI_PRIV_H
#define MXTOP_CMD_TUI_PRIV_H
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "app/cmd.h"
#include "app/load.h"
#include "out/export.h"
#include "run/mta.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/diag.h"
#include "model/plan.h"
#include "tui/view.h"

/* One scan, done off the UI thread. */
struct scan {
	/* In: set before the thread starts. */
	const struct ctx *c;		/* read only */
	const char	*log;		/* the main log, found once */
	time_t		 now;
	struct diag_opts o;
	const struct spool_snap *prev_snap;	/* the last scan, */
	const struct diag *prev_diag;	/* and its diagnosis */
	/* The spool's watch and the main log's sums and read position
	 * across scans: the scan thread's own. */
	struct load_live *live;
	int		 want_partial;	/* first scan: hand the oldest over */
	struct spool_snap *psnap;	/* that partial snapshot, */
	struct diag	*pdiag;		/* and its diagnosis */
	/* The first scan's whole snapshot as soon as the spool is read,
	 * before the logs are: what snap will be (borrowed), and a
	 * diagnosis without logs. */
	const struct spool_snap *fsnap;
	struct diag	*fdiag;
	/* Progress, read by the loop while the thread runs. */
	atomic_size_t	 done, total;
	atomic_int	 quit;		/* set by the loop: stop early */
	/* Out: a new snapshot and diagnosis, a new diagnosis only, or
	 * neither (nothing changed); failed with err. */
	struct spool_snap *snap;
	struct diag	*diag;
	int		 failed;
	char		 err[512];
	double		 secs;
	int		 fd[2];
	pthread_t	 th;
	int		 busy;
	/* The UI thread's: a diagnosis replaced while an export reads it,
	 * freed once the export is done. */
	struct diag	*retired;
};

/* One export, done off the UI thread.  It borrows a snapshot (with its
 * diagnosis); when a rescan replaces that snapshot meanwhile, the export
 * takes it over (own) and frees it at its end. */
struct exp {
	int		 running;	/* a thread was started, not joined */
	pthread_t	 th;
	atomic_int	 finished;	/* the thread is about to return */
	atomic_int	 cancel;	/* x: stop at the next message */
	atomic_int	 killed;	/* stopped by a cancel */
	atomic_size_t	 done, gone, failed;
	/* In. */
	int		 fd;
	char		 path[1024];
	struct spool_snap *snap;
	struct diag	*diag;
	int		 own;
	char		(*ids)[PLAN_ID_LEN];	/* the plan's */
	size_t		 nids;
	struct select	*sel;		/* the plan's selection, a copy */
	size_t		*idx, n;	/* ids found in snap */
	size_t		 left;		/* planned, but not in the snapshot */
	char		*selection;
	struct export_opts o;
	double		 t0;
	/* Out. */
	int		 rc;
	struct export_result res;
	char		 err[512];
};

struct tui {
	struct ctx	*c;
	struct view	*v;
	struct scan	 sc;
	struct exp	 ex;
	struct spool_snap *snap;
	struct diag	*diag;		/* beside snap */
	struct stats	*st;		/* of the filter */
	char		 logbuf[4096];
	char		 warnbuf[1024];	/* load_problems(), for the header */
	int		 pinned;	/* --now given: time stands still */
	time_t		 now;
	double		 due;		/* monotonic time of the next scan */
	int		 again;		/* scan again as soon as this ends */
	struct view_info info;
	char		 host[256];
	/* The running action. */
	struct mta_job	*job;
	struct audit	*audit;
	enum view_act	 jobact;
	struct view_progress prog;
	char		 sel[1024];	/* the filter, for the audit log */
	struct recover	*rec;		/* p, R (cmd_tui_recover.c) */
	struct tui_mx	*mx;		/* M (cmd_tui_mx.c) */
};


/* The scans (cmd_tui_scan.c).  prepare: the next scan's inputs from t;
 * do: one scan on this thread; start: one in a thread (or here, when no
 * thread can be made: busy 2), or again after the running one; report:
 * the byte the scan thread wrote on sc.fd ('p' a partial snapshot, 'f'
 * the whole one before its logs, else the scan is done); done: take the
 * finished scan over; stop: wait for a running one and free what nobody
 * took (quit).  rebuild: stats of the filter to the view. */
void	tui_scan_prepare(struct tui *);
void	tui_scan_do(struct scan *);
void	tui_scan_start(struct tui *);
void	tui_scan_report(struct tui *, char b);
void	tui_scan_done(struct tui *);
void	tui_scan_stop(struct tui *);
void	tui_rebuild(struct tui *);
/* Starts exporting what the plan names (the e key), in a thread. */
void	tui_exp_start(struct tui *);
/* Reads the running export's counters; at its end, the result line. */
void	tui_exp_step(struct tui *);

/* p and R (cmd_tui_recover.c): start probing (probe_only) or recovering
 * view_probe_domain(); the plan confirmed; one step, never blocking;
 * whether it runs (not waiting for y); cancel; cancel and wait (quit). */
void	tui_recover_start(struct tui *, int probe_only);
void	tui_recover_go(struct tui *);
void	tui_recover_step(struct tui *);
int	tui_recover_busy(const struct tui *);
void	tui_recover_cancel(struct tui *);
void	tui_recover_stop(struct tui *);

/* M (cmd_tui_mx.c): look view_probe_domain() up in DNS in a thread; at
 * its end hand the result to the view; whether one runs; wait for it
 * and free everything (quit). */
void	tui_mx_start(struct tui *);
void	tui_mx_step(struct tui *);
int	tui_mx_busy(const struct tui *);
void	tui_mx_stop(struct tui *);

#endif
