/* mta_job_priv.h -- the job runner's state, shared by mta_job.c (start,
 * step, reap) and mta_job_result.c (each message's result); not part of
 * the module's contract (run/mta.h). */
#ifndef MXTOP_MTA_JOB_PRIV_H
#define MXTOP_MTA_JOB_PRIV_H
#include <stddef.h>
#include <sys/types.h>

#include "run/mta.h"

#define OUT_MAX		(64 * 1024)	/* a child's output kept */
#define RATES_MAX	4096

struct child {
	pid_t		 pid;
	int		 fd;		/* read end of stdout+stderr, or -1 */
	int		 exited, status;
	size_t		*idx;		/* items of this process */
	size_t		 nidx;
	char		*out;
	size_t		 olen;
	struct history	*hist;		/* flush: msglog as before the run */
	size_t		 hist_n;	/* events before the run */
};

struct mta_job {
	char		*exim, *config, *spool;
	enum plan_act	 act;
	struct mta_item	*items;
	size_t		 n, next;
	struct child	*kids;
	size_t		 nkids, capkids;
	int		 parallel;
	size_t		 batch;
	struct mta_bucket bucket;
	int		 adaptive, bad_streak;
	double		 start_rate, rate, min_rate;
	struct mta_rate_point *rates;
	size_t		 nrates, caprates;
	size_t		*q;		/* finished items, in order */
	size_t		 nq, capq, qread;
	size_t		 count[MTA_R_SKIPPED + 1], finished;
	int		 stopping;
	char		 reason[256];
	double		 t0;
};

/* Sets item i's result (once) and queues it for mta_job_reap(). */
void	job_finish(struct mta_job *j, size_t i, enum mta_result r, int cls,
	    const char *detail);
/* Notes the rate now, for mta_job_rates(). */
void	job_rate_point(struct mta_job *j);
/* Whether Exim holds message id's -D lock now; whether its -H exists. */
int	job_locked_now(const char *spool, const char *id);
int	job_exists(const char *spool, const char *id);
/* The results of a child that ended: flush, batch (-Mf, -Mt, -Mrm,
 * -Mg), -Mmd. */
void	job_flush_result(struct mta_job *j, struct child *k);
void	job_batch_result(struct mta_job *j, struct child *k);
void	job_mmd_result(struct mta_job *j, struct child *k);
#endif
