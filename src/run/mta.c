/* mta.c -- run Exim's admin commands as argv arrays and read what they
 * say: argv building, Exim's per-id lines, the token bucket.  No shell
 * is ever involved.  The plan is in mta_plan.c, the job in mta_job.c. */
#include "run/mta.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/text.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int
mta_capture(char *const argv[], char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int p[2], status, rc;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	char sink[512];

	if (pipe(p) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		errno = rc;
		return -1;
	}
	for (;;) {
		if (outlen > 0 && len < outlen - 1)
			n = read(p[0], out + len, outlen - 1 - len);
		else
			n = read(p[0], sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (outlen > 0 && len < outlen - 1)
			len += (size_t)n;
	}
	if (outlen > 0)
		out[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status)) {
		errno = EINTR;
		return -1;
	}
	return WEXITSTATUS(status);
}

int
mta_option(const struct mta *m, const char *name, char *val, size_t len)
{
	static const char *const bins[] = { "exim", "exim4" };
	char out[4096], *p, *e;
	const char *argv[6];
	size_t i, a;

	for (i = 0; i < 2; i++) {
		if (m->exim != NULL && i > 0)
			break;
		a = 0;
		argv[a++] = m->exim != NULL ? m->exim : bins[i];
		if (m->config != NULL) {
			argv[a++] = "-C";
			argv[a++] = m->config;
		}
		argv[a++] = "-bP";
		argv[a++] = name;
		argv[a] = NULL;
		if (mta_capture((char *const *)argv, out, sizeof(out)) != 0)
			continue;
		/* "spool_directory = /var/spool/exim4\n" */
		if ((p = strchr(out, '=')) == NULL)
			continue;
		for (p++; *p == ' '; p++)
			;
		if ((e = strchr(p, '\n')) != NULL)
			*e = '\0';
		if (strlen(p) >= len)
			continue;
		snprintf(val, len, "%s", p);
		return 0;
	}
	return -1;
}

int
mta_spool_dir(const struct mta *m, char *dir, size_t len)
{
	if (mta_option(m, "spool_directory", dir, len) < 0 || dir[0] != '/')
		return -1;
	return 0;
}

int
mta_main_log(const struct mta *m, const char *spool, char *path,
    size_t len)
{
	char v[4096], *p, *s, *colon;
	int n;

	if (mta_option(m, "log_file_path", v, sizeof(v)) < 0)
		return -1;
	/* A colon-separated list; "syslog" entries name no file. */
	for (s = v; s != NULL; s = colon) {
		if ((colon = strchr(s, ':')) != NULL)
			*colon++ = '\0';
		while (*s == ' ')
			s++;
		if (*s == '/' && (p = strstr(s, "%s")) != NULL &&
		    strstr(s, "%D") == NULL && strstr(s, "%M") == NULL) {
			n = snprintf(path, len, "%.*smain%s", (int)(p - s), s,
			    p + 2);
			return n < 0 || (size_t)n >= len ? -1 : 0;
		}
		if (*s == '\0' && colon == NULL && s == v) {
			/* Unset: Exim logs into the spool's log/. */
			n = snprintf(path, len, "%s/log/mainlog", spool);
			return n < 0 || (size_t)n >= len ? -1 : 0;
		}
	}
	return -1;
}

/* ---- Actions, argv, Exim's per-id lines ---- */

static const struct {
	const char	*name, *flag;
} actions[] = {
	[MTA_FLUSH] = { "flush", "-M" },
	[MTA_BOUNCE] = { "bounce", "-Mg" },
	[MTA_DELETE] = { "delete", "-Mrm" },
	[MTA_FREEZE] = { "freeze", "-Mf" },
	[MTA_THAW] = { "thaw", "-Mt" },
};

static const char *const results[] = {
	"pending", "done", "deferred", "failed", "gone", "locked", "skipped"
};

const char *
mta_action_name(enum mta_action a)
{
	return (unsigned)a <= MTA_THAW ? actions[a].name : "?";
}

const char *
mta_action_flag(enum mta_action a)
{
	return (unsigned)a <= MTA_THAW ? actions[a].flag : "?";
}

int
mta_action_parse(const char *s, enum mta_action *a)
{
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(s, actions[i].name) == 0) {
			*a = (enum mta_action)i;
			return 0;
		}
	return -1;
}

const char *
mta_result_name(enum mta_result r)
{
	return (unsigned)r <= MTA_R_SKIPPED ? results[r] : "?";
}

size_t
mta_batch_size(enum mta_action a, const struct mta_pace *p)
{
	if (a == MTA_FLUSH)
		return 1;
	return p != NULL && p->batch > 0 ? p->batch : MTA_BATCH;
}

char **
mta_argv(const struct mta *m, enum mta_action a, const char *const *ids,
    size_t nids)
{
	const char *exim = m->exim != NULL ? m->exim : "exim";
	size_t i, n, bytes;
	char **v, *p;

	if (nids == 0 || (unsigned)a > MTA_THAW) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < nids; i++)
		if (ids[i] == NULL || !spool_id_valid(ids[i], strlen(ids[i]))) {
			errno = EINVAL;
			return NULL;
		}
	/* exim [-C cfg] flag ids... NULL, and the strings after it. */
	n = 1 + (m->config != NULL ? 2 : 0) + (a == MTA_FLUSH ? 2 : 0) + 1 +
	    nids + 1;
	bytes = n * sizeof(char *) + strlen(exim) + 1 + 3 + 6 + 6;
	if (m->config != NULL)
		bytes += strlen(m->config) + 1;
	for (i = 0; i < nids; i++)
		bytes += strlen(ids[i]) + 1;
	v = xmalloc(bytes);
	p = (char *)(v + n);
	n = 0;
#define PUT(s) do {				\
	size_t l_ = strlen(s) + 1;		\
	memcpy(p, (s), l_);			\
	v[n++] = p;				\
	p += l_;				\
} while (0)
	PUT(exim);
	if (m->config != NULL) {
		PUT("-C");
		PUT(m->config);
	}
	/* One message per connection: otherwise a delivery that works
	 * hands its connection to the other messages waiting for that host
	 * (the "wait-" hints), and the whole backlog leaves unpaced. */
	if (a == MTA_FLUSH) {
		PUT("-oB");
		PUT("1");
	}
	PUT(actions[a].flag);
	for (i = 0; i < nids; i++)
		PUT(ids[i]);
#undef PUT
	v[n] = NULL;
	return v;
}

char *
mta_argv_str(char *const argv[], char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0 && strlen(buf) + 1 < len)
			strcat(buf, " ");
		text_shquote_cat(buf, len, argv[i]);
	}
	return buf;
}

/* If line starts with pre, copies the id that follows into id and returns
 * what comes after it; else NULL. */
static const char *
after_id(const char *line, const char *pre, char *id)
{
	size_t pl = strlen(pre), n;

	if (strncmp(line, pre, pl) != 0)
		return NULL;
	line += pl;
	n = strcspn(line, " :\n");
	/* "Spool read error for <id>-H: ..." */
	if (n > 2 && line[n - 2] == '-' && line[n - 1] == 'H')
		n -= 2;
	if (!spool_id_valid(line, n))
		return NULL;
	memcpy(id, line, n);
	id[n] = '\0';
	return line + strcspn(line, " :\n");
}

int
mta_parse_line(enum mta_action a, const char *line, char *id,
    enum mta_result *res)
{
	static const struct {
		const char	*rest;
		enum mta_result	 res;
	} msg[] = {
		/* Longest first: "has been removed" is a prefix. */
		{ " has been removed or did not exist", MTA_R_GONE },
		{ " has been removed", MTA_R_DONE },
		{ " is now frozen", MTA_R_DONE },
		{ " is already frozen", MTA_R_DONE },
		{ " is no longer frozen", MTA_R_DONE },
		{ " is not frozen", MTA_R_DONE },
		{ " is locked", MTA_R_LOCKED },
		{ " could not be frozen", MTA_R_FAILED },
		{ " could not be unfrozen", MTA_R_FAILED },
		{ " has been modified", MTA_R_DONE },
	};
	const char *rest;
	size_t i;

	(void)a;
	if ((rest = after_id(line, "Message ", id)) != NULL) {
		for (i = 0; i < sizeof(msg) / sizeof(msg[0]); i++)
			if (strncmp(rest, msg[i].rest,
			    strlen(msg[i].rest)) == 0) {
				*res = msg[i].res;
				return 1;
			}
		*res = MTA_R_FAILED;
		return 1;
	}
	if (after_id(line, "Spool data file for ", id) != NULL) {
		*res = MTA_R_GONE;		/* "... does not exist" */
		return 1;
	}
	if ((rest = after_id(line, "Couldn't open spool file for ", id)) !=
	    NULL || (rest = after_id(line, "Spool read error for ", id)) !=
	    NULL) {
		*res = strstr(rest, "No such file") != NULL ? MTA_R_GONE :
		    MTA_R_FAILED;
		return 1;
	}
	if (after_id(line, "Spool format error for ", id) != NULL) {
		*res = MTA_R_FAILED;
		return 1;
	}
	return 0;
}

/* ---- Token bucket ---- */

void
mta_bucket_init(struct mta_bucket *b, double rate, double burst, double now)
{
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last = now;
}

static void
refill(struct mta_bucket *b, double now)
{
	if (now > b->last) {
		if (b->rate > 0)
			b->tokens += (now - b->last) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
}

int
mta_bucket_take(struct mta_bucket *b, int want, double now)
{
	int got;

	if (want <= 0)
		return 0;
	if (b->rate <= 0)
		return want;
	refill(b, now);
	/* A tiny epsilon: 0.5 s at 2/s must give a whole token. */
	got = (int)(b->tokens + 1e-9);
	if (got > want)
		got = want;
	b->tokens -= got;
	if (b->tokens < 0)
		b->tokens = 0;
	return got;
}

double
mta_bucket_wait(const struct mta_bucket *b, double now)
{
	double t;

	if (b->rate <= 0)
		return 0;
	t = b->tokens;
	if (now > b->last)
		t += (now - b->last) * b->rate;
	if (t + 1e-9 >= 1)
		return 0;
	return (1 - t) / b->rate;
}

void
mta_bucket_set_rate(struct mta_bucket *b, double rate, double now)
{
	refill(b, now);
	b->rate = rate;
}

double
mta_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
