/* mta_job.c -- run an action's Exim processes, paced, without blocking:
 * mta_job_step() starts what the token bucket and --parallel allow,
 * reads the children's output and reaps them; mta_job_result.c reads
 * each message's result back from the spool (-H gone or not, msglog,
 * -D lock). */
#define _GNU_SOURCE		/* pipe2(2) */
#include "run/mta.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "mta_job_priv.h"
#include "base/units.h"

/* An executable named name in PATH, or NULL. */
static int
in_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *e;
	char buf[4096];

	if (path == NULL)
		path = "/usr/bin:/bin:/usr/sbin:/sbin";
	for (p = path; ; p = e + 1) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p,
		    name) < (int)sizeof(buf) && access(buf, X_OK) == 0)
			return 1;
		if (*e == '\0')
			return 0;
	}
}

void
job_finish(struct mta_job *j, size_t i, enum mta_result r, int cls,
    const char *detail)
{
	struct mta_item *it = &j->items[i];

	if (it->result != MTA_R_PENDING)
		return;
	it->result = r;
	it->cls = cls;
	snprintf(it->detail, sizeof(it->detail), "%s", detail);
	it->t_end = units_mono();
	j->count[r]++;
	j->finished++;
	xgrow(&j->q, &j->capq, j->nq + 1, sizeof(*j->q));
	j->q[j->nq++] = i;
}

void
job_rate_point(struct mta_job *j)
{
	struct mta_rate_point *rp;

	if (j->nrates >= RATES_MAX)
		j->nrates = RATES_MAX - 1;
	xgrow(&j->rates, &j->caprates, j->nrates + 1, sizeof(*j->rates));
	rp = &j->rates[j->nrates++];
	rp->t = units_mono() - j->t0;
	rp->rate = j->rate;
	rp->finished = j->finished;
}

struct mta_job *
mta_job_new(const struct mta *m, const char *spool, const struct plan *p,
    const struct mta_pace *pace)
{
	struct mta_job *j = xcalloc(1, sizeof(*j));
	size_t i, k;

	if (m->exim != NULL)
		j->exim = xstrdup(m->exim);
	else
		j->exim = xstrdup(in_path("exim") || !in_path("exim4") ?
		    "exim" : "exim4");
	j->config = m->config != NULL ? xstrdup(m->config) : NULL;
	j->spool = xstrdup(spool);
	j->act = p->act;
	j->items = xcalloc(p->n + 1, sizeof(*j->items));
	j->n = p->n;
	for (i = 0; i < p->n; i++) {
		const struct plan_item *pi = &p->items[i];
		struct mta_item *it = &j->items[i];

		memcpy(it->id, pi->id, sizeof(it->id));
		it->id[sizeof(it->id) - 1] = '\0';
		it->h_ino = pi->h_ino;
		it->h_mtime_ns = pi->h_mtime_ns;
		it->arrival = pi->arrival;
		it->nrcpt = pi->nsel;
		it->nother = pi->nother;
		memcpy(it->domains, pi->domains, sizeof(it->domains));
		it->domains[sizeof(it->domains) - 1] = '\0';
		it->byrcpt = pi->how == PLAN_RCPTS;
		if (it->byrcpt) {
			it->addrs = xcalloc(pi->nsel + 1, sizeof(char *));
			for (k = 0; k < pi->nsel; k++)
				it->addrs[k] = xstrdup(p->addrs[pi->addr0 + k]);
			it->naddrs = pi->nsel;
		}
		it->result = MTA_R_PENDING;
	}
	j->parallel = pace != NULL && pace->parallel > 0 ? pace->parallel : 1;
	j->batch = mta_batch_size(j->act, pace);
	j->rate = pace != NULL && pace->rate > 0 ? pace->rate : 0;
	j->adaptive = pace != NULL && pace->adaptive && j->act == PLAN_FLUSH;
	if (j->adaptive) {
		if (j->rate <= 0)
			j->rate = MTA_ADAPT_RATE;
		j->min_rate = pace->min_rate > 0 ? pace->min_rate :
		    MTA_ADAPT_MIN;
	}
	j->start_rate = j->rate;
	j->t0 = units_mono();
	mta_bucket_init(&j->bucket, j->rate,
	    pace != NULL ? pace->burst : 0, j->t0);
	job_rate_point(j);
	/* What the plan skips is a result from the start. */
	for (i = 0; i < p->n; i++)
		if (p->items[i].how == PLAN_SKIP)
			job_finish(j, i, MTA_R_SKIPPED, 0, p->items[i].why);
	return j;
}

/* Checks item i right before acting.  Returns 0 to go ahead, else the
 * item has its result (gone, locked, skipped). */
static int
precheck(struct mta_job *j, size_t i)
{
	struct mta_item *it = &j->items[i];
	char path[4096];
	struct stat st;
	struct flock fl;
	int fd;

	if (!spool_id_valid(it->id, strlen(it->id))) {
		job_finish(j, i, MTA_R_SKIPPED, 0, "not a valid Exim message id");
		return -1;
	}
	if (spool_path(j->spool, "input", it->id, "-H", path,
	    sizeof(path)) < 0 || stat(path, &st) < 0) {
		job_finish(j, i, MTA_R_GONE, 0, "no longer in the spool");
		return -1;
	}
	if (it->h_ino != 0 && (spool_ino(st.st_ino) != it->h_ino ||
	    (it->h_mtime_ns != 0 && (int64_t)st.st_mtim.tv_sec * 1000000000 +
	    st.st_mtim.tv_nsec != it->h_mtime_ns))) {
		job_finish(j, i, MTA_R_GONE, 0, "changed since the plan "
		    "(Exim worked on it meanwhile)");
		return -1;
	}
	if (spool_path(j->spool, "input", it->id, "-D", path,
	    sizeof(path)) == 0 && (fd = open(path, O_RDONLY | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK)) >= 0) {
		/* F_GETLK only looks: exim-spool.md 5.2. */
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_len = (off_t)strlen(it->id) + 3;
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
			close(fd);
			job_finish(j, i, MTA_R_LOCKED, 0, "being delivered by Exim "
			    "right now");
			return -1;
		}
		close(fd);
	}
	return 0;
}

int
job_locked_now(const char *spool, const char *id)
{
	char path[4096];
	struct flock fl;
	int fd, r = 0;

	if (spool_path(spool, "input", id, "-D", path, sizeof(path)) < 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0)
		return 0;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_len = (off_t)strlen(id) + 3;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		r = 1;
	close(fd);
	return r;
}

int
job_exists(const char *spool, const char *id)
{
	char path[4096];

	return spool_path(spool, "input", id, "-H", path, sizeof(path)) == 0;
}

static int
spawn(struct mta_job *j, struct child *k)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	const char **ids;
	struct mta m = { j->exim, j->config };
	char **argv;
	int p[2], rc;
	size_t i;

	if (j->items[k->idx[0]].byrcpt) {
		const struct mta_item *it = &j->items[k->idx[0]];

		argv = mta_argv_mmd(&m, it->id, (const char *const *)it->addrs,
		    it->naddrs);
	} else {
		ids = xcalloc(k->nidx, sizeof(*ids));
		for (i = 0; i < k->nidx; i++)
			ids[i] = j->items[k->idx[i]].id;
		argv = mta_argv(&m, j->act, ids, k->nidx);
		free(ids);
	}
	if (argv == NULL)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(argv);
		return -1;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawnattr_init(&at);
	/* Own process group: the terminal's Ctrl-C is for mxtop, which
	 * lets the running Exim processes finish. */
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&k->pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	free(argv);
	if (rc != 0) {
		close(p[0]);
		errno = rc;
		return -1;
	}
	k->fd = p[0];
	return 0;
}

/* Starts processes while the pace allows; returns seconds until the
 * bucket gives the next token when that is what holds us back, else -1. */
static double
start_more(struct mta_job *j)
{
	struct child *k;
	size_t *idx, nidx, i;
	double now;
	int e;

	for (;;) {
		if (j->stopping || j->next >= j->n ||
		    j->nkids >= (size_t)j->parallel)
			return -1;
		idx = xcalloc(j->batch, sizeof(*idx));
		nidx = 0;
		now = units_mono();
		while (j->next < j->n && nidx < j->batch) {
			i = j->next;
			if (j->items[i].result != MTA_R_PENDING) {
				j->next++;
				continue;
			}
			/* Messages that are gone cost no token. */
			if (mta_bucket_wait(&j->bucket, now) > 0)
				break;
			if (precheck(j, i) < 0) {
				j->next++;
				continue;
			}
			/* An -Mmd goes alone, and never with a batch. */
			if (nidx > 0 && (j->items[i].byrcpt ||
			    j->items[idx[0]].byrcpt))
				break;
			if (mta_bucket_take(&j->bucket, 1, now) != 1)
				break;
			idx[nidx++] = i;
			j->next++;
		}
		if (nidx == 0) {
			free(idx);
			if (j->next >= j->n)
				return -1;
			return mta_bucket_wait(&j->bucket, units_mono());
		}
		xgrow(&j->kids, &j->capkids, j->nkids + 1, sizeof(*j->kids));
		k = &j->kids[j->nkids];
		memset(k, 0, sizeof(*k));
		k->fd = -1;
		k->idx = idx;
		k->nidx = nidx;
		if (j->act == PLAN_FLUSH) {
			k->hist = xmalloc(sizeof(*k->hist));
			history_init(k->hist);
			(void)history_read(k->hist, j->spool,
			    j->items[idx[0]].id);
			k->hist_n = k->hist->n;
		}
		for (i = 0; i < nidx; i++)
			j->items[idx[i]].t_start = now;
		if (spawn(j, k) < 0) {
			char msg[256];

			e = errno;
			snprintf(msg, sizeof(msg), "cannot run %s: %s",
			    j->exim, strerror(e));
			for (i = 0; i < nidx; i++)
				job_finish(j, idx[i], MTA_R_FAILED, 0, msg);
			if (k->hist != NULL) {
				history_done(k->hist);
				free(k->hist);
			}
			free(idx);
			/* Nothing else would start either. */
			mta_job_cancel(j, msg);
			errno = e;
			return -1;
		}
		j->nkids++;
	}
}

static void
drain(struct child *k)
{
	char buf[4096];
	ssize_t r;

	while (k->fd >= 0) {
		r = read(k->fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return;			/* EAGAIN: later */
		if (r == 0) {
			close(k->fd);
			k->fd = -1;
			return;
		}
		if (k->olen + (size_t)r > OUT_MAX)
			r = (ssize_t)(OUT_MAX - k->olen);
		if (r > 0) {
			k->out = xrealloc(k->out, k->olen + (size_t)r + 1);
			memcpy(k->out + k->olen, buf, (size_t)r);
			k->olen += (size_t)r;
			k->out[k->olen] = '\0';
		}
	}
}

/* The first line of s that is not empty, cut to fit, into buf. */
static void
reap(struct mta_job *j, size_t ki)
{
	struct child *k = &j->kids[ki];
	char msg[256];
	size_t i;

	drain(k);
	if (k->fd >= 0) {
		close(k->fd);
		k->fd = -1;
	}
	if (!WIFEXITED(k->status) && WIFSIGNALED(k->status)) {
		snprintf(msg, sizeof(msg), "%s killed by signal %d", j->exim,
		    WTERMSIG(k->status));
		for (i = 0; i < k->nidx; i++)
			job_finish(j, k->idx[i], MTA_R_FAILED, 0, msg);
	} else if (j->act == PLAN_FLUSH)
		job_flush_result(j, k);
	else if (j->items[k->idx[0]].byrcpt)
		job_mmd_result(j, k);
	else
		job_batch_result(j, k);
	if (k->hist != NULL) {
		history_done(k->hist);
		free(k->hist);
	}
	free(k->idx);
	free(k->out);
	j->kids[ki] = j->kids[--j->nkids];
}

int
mta_job_step(struct mta_job *j, int timeout_ms)
{
	struct pollfd *pf;
	size_t i, np;
	double wait, t_end = units_mono() + timeout_ms / 1000.0, now;
	int ms, rc = 0, e = 0, status;
	pid_t r;

	for (;;) {
		wait = start_more(j);
		if (j->stopping)
			for (; j->next < j->n; j->next++)
				job_finish(j, j->next, MTA_R_SKIPPED, 0,
				    j->reason[0] != '\0' ? j->reason :
				    "cancelled");
		if (j->nkids == 0 && j->next >= j->n)
			break;
		now = units_mono();
		ms = (int)((t_end - now) * 1000);
		if (ms < 0)
			ms = 0;
		if (wait >= 0 && wait * 1000 < ms)
			ms = (int)(wait * 1000) + 1;
		/* Children that exit while a grandchild keeps the pipe open
		 * are noticed by waitpid, so poll in slices. */
		if (j->nkids > 0 && ms > 50)
			ms = 50;
		pf = xcalloc(j->nkids + 1, sizeof(*pf));
		for (i = np = 0; i < j->nkids; i++)
			if (j->kids[i].fd >= 0) {
				pf[np].fd = j->kids[i].fd;
				pf[np].events = POLLIN;
				np++;
			}
		if (np > 0 || ms > 0)
			rc = poll(pf, np, ms);
		free(pf);
		if (rc < 0 && errno != EINTR)
			e = errno;
		for (i = 0; i < j->nkids; i++)
			drain(&j->kids[i]);
		for (i = 0; i < j->nkids; ) {
			r = waitpid(j->kids[i].pid, &status, WNOHANG);
			if (r == j->kids[i].pid || (r < 0 && errno == ECHILD)) {
				j->kids[i].status = r < 0 ? 0 : status;
				reap(j, i);	/* moves the last one to i */
				continue;
			}
			i++;
		}
		if (units_mono() >= t_end || e != 0)
			break;
	}
	if (e != 0) {
		errno = e;
		return -1;
	}
	return j->nkids > 0 || j->next < j->n ? 1 : 0;
}

void
mta_job_cancel(struct mta_job *j, const char *reason)
{
	if (j->stopping)
		return;
	j->stopping = 1;
	snprintf(j->reason, sizeof(j->reason), "%s",
	    reason != NULL ? reason : "cancelled");
}

void
mta_job_progress(const struct mta_job *j, struct mta_progress *p)
{
	size_t left = j->n - j->finished;

	memset(p, 0, sizeof(*p));
	p->total = j->n;
	p->finished = j->finished;
	p->running = j->nkids;
	memcpy(p->n, j->count, sizeof(p->n));
	p->elapsed = units_mono() - j->t0;
	p->rate = j->rate;
	p->throughput = p->elapsed > 0 ? j->finished / p->elapsed : 0;
	if (left == 0)
		p->eta = 0;
	else if (j->rate > 0 && (p->throughput <= 0 ||
	    p->throughput > j->rate))
		p->eta = left / j->rate;
	else if (p->throughput > 0)
		p->eta = left / p->throughput;
	else
		p->eta = -1;
	p->stopping = j->stopping;
	p->stop_reason = j->stopping ? j->reason : NULL;
}

const struct mta_item *
mta_job_reap(struct mta_job *j)
{
	if (j->qread >= j->nq)
		return NULL;
	return &j->items[j->q[j->qread++]];
}

const struct mta_item *
mta_job_items(const struct mta_job *j, size_t *n)
{
	*n = j->n;
	return j->items;
}

const struct mta_rate_point *
mta_job_rates(const struct mta_job *j, size_t *n)
{
	*n = j->nrates;
	return j->rates;
}

void
mta_job_free(struct mta_job *j)
{
	int status;
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->nkids; i++) {
		if (j->kids[i].fd >= 0)
			close(j->kids[i].fd);
		while (waitpid(j->kids[i].pid, &status, 0) < 0 &&
		    errno == EINTR)
			;
		if (j->kids[i].hist != NULL) {
			history_done(j->kids[i].hist);
			free(j->kids[i].hist);
		}
		free(j->kids[i].idx);
		free(j->kids[i].out);
	}
	free(j->kids);
	for (i = 0; i < j->n; i++) {
		for (size_t a = 0; a < j->items[i].naddrs; a++)
			free(j->items[i].addrs[a]);
		free(j->items[i].addrs);
	}
	free(j->items);
	free(j->rates);
	free(j->q);
	free(j->exim);
	free(j->config);
	free(j->spool);
	free(j);
}
