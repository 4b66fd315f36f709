/* mta.c -- run Exim's admin commands as argv arrays and read what they
 * say: argv building, Exim's per-id lines, the token bucket.  No shell
 * is ever involved.  The plan is in mta_plan.c, the job in mta_job.c. */
#define _GNU_SOURCE		/* pipe2(2) */
#include "run/mta.h"
#include "model/plan.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/text.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
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

	if (pipe2(p, O_CLOEXEC) < 0)
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
mta_route(const struct mta *m, const char *addr, char *out, size_t len)
{
	static const char *const bins[] = { "exim", "exim4" };
	const char *argv[6];
	size_t i, a;
	int rc = -1;

	if (!plan_addr_safe(addr))
		return -1;
	for (i = 0; i < 2; i++) {
		if (m->exim != NULL && i > 0)
			break;
		a = 0;
		argv[a++] = m->exim != NULL ? m->exim : bins[i];
		if (m->config != NULL) {
			argv[a++] = "-C";
			argv[a++] = m->config;
		}
		argv[a++] = "-bt";
		argv[a++] = addr;
		argv[a] = NULL;
		if ((rc = mta_capture((char *const *)argv, out, len)) >= 0 &&
		    rc <= 2 && out[0] != '\0')
			return rc;
	}
	return rc >= 0 && rc <= 2 ? rc : -1;
}

/* Whether a domain may go into an Exim expansion: letters, digits, '.',
 * '-', '_' (an address literal "[...]" with hex digits, '.' and ':').
 * Anything else (braces, '$', '\\') could expand to something else. */
static int
plain_domain(const char *d)
{
	size_t	 n = strlen(d), i;

	if (n == 0 || n > 255)
		return 0;
	if (d[0] == '[')
		return n > 2 && d[n - 1] == ']' &&
		    strspn(d + 1, "0123456789abcdefABCDEF.:") == n - 2;
	for (i = 0; i < n; i++)
		if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' &&
		    d[i] <= 'Z') || (d[i] >= '0' && d[i] <= '9') ||
		    d[i] == '.' || d[i] == '-' || d[i] == '_'))
			return 0;
	return 1;
}

#define CUST_BATCH	200	/* expansions per exim -be */

int
mta_customers(const struct mta *m, const char *const *doms, size_t n,
    uint8_t *is)
{
	const char	*argv[CUST_BATCH + 8];
	char		*exp[CUST_BATCH], *out, *p, *nl;
	size_t		 i, k, a, nb, outlen = CUST_BATCH * 4 + 64;
	int		 rc = 0;

	out = xmalloc(outlen);
	for (i = 0; i < n && rc == 0; i += nb) {
		nb = n - i < CUST_BATCH ? n - i : CUST_BATCH;
		a = 0;
		argv[a++] = m->exim != NULL ? m->exim : "exim";
		if (m->config != NULL) {
			argv[a++] = "-C";
			argv[a++] = m->config;
		}
		argv[a++] = "-be";
		for (k = 0; k < nb; k++) {
			/* A name that cannot be matched safely is none. */
			exp[k] = xmalloc(strlen(doms[i + k]) + 64);
			snprintf(exp[k], strlen(doms[i + k]) + 64,
			    "${if match_domain{%s}{+relay_to_domains}{1}{0}}",
			    plain_domain(doms[i + k]) ? doms[i + k] :
			    "invalid.invalid");
			argv[a++] = exp[k];
		}
		argv[a] = NULL;
		if (mta_capture((char *const *)argv, out, outlen) != 0)
			rc = -1;
		/* One line per expansion: "1" or "0"; an error (no such
		 * list) is anything else. */
		for (k = 0, p = out; rc == 0 && k < nb; k++) {
			if ((nl = strchr(p, '\n')) == NULL ||
			    nl - p != 1 || (*p != '0' && *p != '1'))
				rc = -1;
			else {
				is[i + k] = *p == '1' &&
				    plain_domain(doms[i + k]);
				p = nl + 1;
			}
		}
		for (k = 0; k < nb; k++)
			free(exp[k]);
	}
	free(out);
	return rc;
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

static const char *const flags[] = {
	[PLAN_FLUSH] = "-M", [PLAN_BOUNCE] = "-Mg", [PLAN_DELETE] = "-Mrm",
	[PLAN_FREEZE] = "-Mf", [PLAN_THAW] = "-Mt",
};

static const char *const results[] = {
	"pending", "done", "deferred", "failed", "gone", "locked", "skipped"
};

const char *
mta_action_flag(enum plan_act a)
{
	return (unsigned)a <= PLAN_THAW ? flags[a] : "?";
}

const char *
mta_result_name(enum mta_result r)
{
	return (unsigned)r <= MTA_R_SKIPPED ? results[r] : "?";
}

size_t
mta_batch_size(enum plan_act a, const struct mta_pace *p)
{
	if (a == PLAN_FLUSH)
		return 1;
	return p != NULL && p->batch > 0 ? p->batch : MTA_BATCH;
}

/* "exim [-C cfg] pre... words..." as one allocation. */
static char **
build_argv(const struct mta *m, const char *const *pre, size_t npre,
    const char *const *words, size_t nwords)
{
	const char *exim = m->exim != NULL ? m->exim : "exim";
	size_t i, n, bytes;
	char **v, *p;

	n = 1 + (m->config != NULL ? 2 : 0) + npre + nwords + 1;
	bytes = n * sizeof(char *) + strlen(exim) + 1 + 3;
	if (m->config != NULL)
		bytes += strlen(m->config) + 1;
	for (i = 0; i < npre; i++)
		bytes += strlen(pre[i]) + 1;
	for (i = 0; i < nwords; i++)
		bytes += strlen(words[i]) + 1;
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
	for (i = 0; i < npre; i++)
		PUT(pre[i]);
	for (i = 0; i < nwords; i++)
		PUT(words[i]);
#undef PUT
	v[n] = NULL;
	return v;
}

char **
mta_argv(const struct mta *m, enum plan_act a, const char *const *ids,
    size_t nids)
{
	/* One message per connection: otherwise a delivery that works
	 * hands its connection to the other messages waiting for that host
	 * (the "wait-" hints), and the whole backlog leaves unpaced. */
	const char *pre[3] = { "-oB", "1", flags[PLAN_FLUSH] };
	size_t i;

	if (nids == 0 || (unsigned)a > PLAN_THAW) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < nids; i++)
		if (ids[i] == NULL || !spool_id_valid(ids[i], strlen(ids[i]))) {
			errno = EINVAL;
			return NULL;
		}
	if (a == PLAN_FLUSH)
		return build_argv(m, pre, 3, ids, nids);
	pre[0] = flags[a];
	return build_argv(m, pre, 1, ids, nids);
}

char **
mta_argv_mmd(const struct mta *m, const char *id, const char *const *addrs,
    size_t naddrs)
{
	const char *pre[2] = { "-Mmd", id };
	size_t i;

	if (naddrs == 0 || id == NULL || !spool_id_valid(id, strlen(id))) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < naddrs; i++)
		if (!plan_addr_safe(addrs[i])) {
			errno = EINVAL;
			return NULL;
		}
	return build_argv(m, pre, 2, addrs, naddrs);
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
mta_parse_line(enum plan_act a, const char *line, char *id,
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

void
mta_item_argv_str(const struct mta *mp, const struct plan *p, size_t i,
    size_t bs, char *buf, size_t len)
{
	const struct plan_item *it = &p->items[i];
	struct mta m = *mp;
	const char *ids[MTA_BATCH + 1];
	char **argv;
	size_t k, n = 0, first = SIZE_MAX;

	buf[0] = '\0';
	if (m.exim == NULL)
		m.exim = "exim";
	if (bs == 0 || bs > MTA_BATCH)
		bs = MTA_BATCH;
	if (it->how == PLAN_SKIP)
		return;
	if (it->how == PLAN_RCPTS)
		argv = mta_argv_mmd(&m, it->id,
		    (const char *const *)p->addrs + it->addr0, it->nsel);
	else {
		/* Batches of whole-message items, in plan order. */
		for (k = 0; k < p->n; k++) {
			if (p->items[k].how != PLAN_WHOLE)
				continue;
			if (n++ % bs == 0)
				first = k;
			if (k == i)
				break;
		}
		if (first != i)
			return;
		for (k = i, n = 0; k < p->n && n < bs; k++)
			if (p->items[k].how == PLAN_WHOLE)
				ids[n++] = p->items[k].id;
		argv = mta_argv(&m, p->act, ids, n);
	}
	if (argv == NULL)
		return;
	mta_argv_str(argv, buf, len);
	free(argv);
}
