/* audit.c -- append one line per message and action to the audit log. */
#include "run/audit.h"
#include "run/mta.h"
#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AUDIT_DIR	"/var/log/mxtop"

struct audit {
	int	 fd;
	char	*path;
	char	 user[64], sudo_user[64];
};

/* mkdir -p of the directories leading to file path. */
static void
mkparents(const char *path)
{
	char buf[4096], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return;
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(buf, 0750);
		*p = '/';
	}
}

static int
open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY, 0640);
}

struct audit *
audit_open(const char *path, char *err, size_t errlen)
{
	struct audit *a;
	const char *xdg, *home, *su;
	struct passwd *pw;
	char buf[4096];
	int fd = -1;

	if (path != NULL) {
		if ((fd = open_log(path)) < 0) {
			snprintf(err, errlen, "cannot open audit log %s: %s",
			    path, strerror(errno));
			return NULL;
		}
	} else {
		snprintf(buf, sizeof(buf), "%s/audit.log", AUDIT_DIR);
		if (access("/var/log", W_OK) == 0)
			(void)mkdir(AUDIT_DIR, 0750);
		if ((fd = open_log(buf)) < 0) {
			xdg = getenv("XDG_STATE_HOME");
			home = getenv("HOME");
			if (xdg != NULL && *xdg == '/')
				snprintf(buf, sizeof(buf), "%s/mxtop/audit.log",
				    xdg);
			else if (home != NULL && *home == '/')
				snprintf(buf, sizeof(buf),
				    "%s/.local/state/mxtop/audit.log", home);
			else {
				snprintf(err, errlen, "no audit log: %s is not "
				    "writable and HOME is not set; use --audit "
				    "FILE", AUDIT_DIR);
				return NULL;
			}
			mkparents(buf);
			if ((fd = open_log(buf)) < 0) {
				snprintf(err, errlen, "cannot open audit log "
				    "%s: %s", buf, strerror(errno));
				return NULL;
			}
		}
		path = buf;
	}
	a = xcalloc(1, sizeof(*a));
	a->fd = fd;
	a->path = xstrdup(path);
	if ((pw = getpwuid(getuid())) != NULL)
		snprintf(a->user, sizeof(a->user), "%s", pw->pw_name);
	else
		snprintf(a->user, sizeof(a->user), "%ld", (long)getuid());
	su = getenv("SUDO_USER");
	snprintf(a->sudo_user, sizeof(a->sudo_user), "%s",
	    su != NULL && *su != '\0' ? su : "-");
	return a;
}

const char *
audit_path(const struct audit *a)
{
	return a->path;
}

/* Appends " key=value" to buf at *o, quoting value when needed. */
static void
kv(char *buf, size_t len, size_t *o, const char *key, const char *v)
{
	size_t need = 0;
	const unsigned char *p;
	int quote = *v == '\0';

	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p == '"' || *p == '\\' || *p >= 0x7f)
			quote = 1;
#define ADD(c) do { if (*o + 1 < len) buf[(*o)++] = (c); } while (0)
	if (*o > 0)
		ADD(' ');
	for (; *key != '\0'; key++)
		ADD(*key);
	ADD('=');
	if (quote)
		ADD('"');
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			ADD('\\');
			ADD((char)*p);
		} else if (*p < ' ' || *p == 0x7f) {
			char hex[5];

			snprintf(hex, sizeof(hex), "\\x%02x", *p);
			for (need = 0; hex[need] != '\0'; need++)
				ADD(hex[need]);
		} else
			ADD((char)*p);
	}
	if (quote)
		ADD('"');
#undef ADD
	buf[*o] = '\0';
}

int
audit_write(struct audit *a, time_t t, const char *action,
    const struct mta_item *it, const char *selection)
{
	return audit_write_kv(a, t, action, it, selection, NULL, NULL);
}

/* The directory of the default audit log, as audit_open(NULL) would
 * choose it, without creating anything. */
static int
default_dir(char *dir, size_t len, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char log[4096];

	snprintf(log, sizeof(log), "%s/audit.log", AUDIT_DIR);
	if (access(log, W_OK) == 0 || (access(log, F_OK) != 0 &&
	    (access(AUDIT_DIR, W_OK) == 0 || (access(AUDIT_DIR, F_OK) != 0 &&
	    access("/var/log", W_OK) == 0)))) {
		snprintf(dir, len, "%s", AUDIT_DIR);
		return 0;
	}
	if (xdg != NULL && *xdg == '/')
		snprintf(dir, len, "%s/mxtop", xdg);
	else if (home != NULL && *home == '/')
		snprintf(dir, len, "%s/.local/state/mxtop", home);
	else {
		snprintf(err, errlen, "no state directory: %s is not writable "
		    "and HOME is not set; use --audit FILE", AUDIT_DIR);
		return -1;
	}
	return 0;
}

int
audit_dir(const char *path, int create, char *dir, size_t len, char *err,
    size_t errlen)
{
	struct audit	*a;
	char		*slash;

	if (path == NULL && !create)
		return default_dir(dir, len, err, errlen);
	if (path != NULL)
		snprintf(dir, len, "%s", path);
	else {
		/* Made as the audit log would be. */
		if ((a = audit_open(NULL, err, errlen)) == NULL)
			return -1;
		snprintf(dir, len, "%s", a->path);
		audit_close(a);
	}
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, len, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

int
audit_write_kv(struct audit *a, time_t t, const char *action,
    const struct mta_item *it, const char *selection, const char *key,
    const char *value)
{
	char line[2048], ts[32];
	struct tm tm;
	size_t o = 0;
	ssize_t w;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = (size_t)snprintf(line, sizeof(line), "%s", ts);
	kv(line, sizeof(line) - 1, &o, "user", a->user);
	kv(line, sizeof(line) - 1, &o, "sudo_user", a->sudo_user);
	kv(line, sizeof(line) - 1, &o, "action", action);
	kv(line, sizeof(line) - 1, &o, "id", it->id);
	kv(line, sizeof(line) - 1, &o, "domains", it->domains[0] != '\0' ?
	    it->domains : "-");
	if (it->byrcpt) {
		/* Only these were marked done; the message stays. */
		char rc[512];
		size_t k, ro = 0;

		rc[0] = '\0';
		for (k = 0; k < it->naddrs && ro + 2 < sizeof(rc); k++)
			ro += (size_t)snprintf(rc + ro, sizeof(rc) - ro, "%s%s",
			    k ? "," : "", it->addrs[k]);
		if (ro >= sizeof(rc))
			ro = sizeof(rc) - 1;
		kv(line, sizeof(line) - 1, &o, "recipients", rc);
	}
	kv(line, sizeof(line) - 1, &o, "result",
	    mta_result_name(it->result));
	kv(line, sizeof(line) - 1, &o, "detail", it->detail);
	if (key != NULL)
		kv(line, sizeof(line) - 1, &o, key, value != NULL ? value : "");
	kv(line, sizeof(line) - 1, &o, "selection",
	    selection != NULL ? selection : "");
	line[o++] = '\n';
	/* One write: O_APPEND keeps the line whole. */
	do
		w = write(a->fd, line, o);
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)o ? 0 : -1;
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	free(a->path);
	free(a);
}
