/* vstate.c -- read and write the verify state file (vstate.h): its
 * path beside the audit log, a locked merge, temp file and rename. */
#include "run/vstate.h"
#include "run/audit.h"
#include "model/verify.h"
#include "base/mem.h"
#include "base/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define VSTATE_MAX	(256u * 1024 * 1024)	/* bigger is not ours */

int
vstate_path(const char *audit, const char *spool, int create, char *path,
    size_t len, char *err, size_t errlen)
{
	struct sha256	 h;
	char		 dir[4096], real[PATH_MAX], hex[65];

	if (audit_dir(audit, create, dir, sizeof(dir), err, errlen) < 0)
		return -1;
	if (realpath(spool, real) == NULL)
		snprintf(real, sizeof(real), "%s", spool);
	sha256_init(&h);
	sha256_update(&h, real, strlen(real));
	sha256_hex(&h, hex);
	if (snprintf(path, len, "%s/verify-%.16s.tsv", dir, hex) >=
	    (int)len) {
		snprintf(err, errlen, "state directory path too long");
		return -1;
	}
	return 0;
}

/* Reads the whole file at fd into a new buffer (*buf, *n). */
static int
slurp(int fd, char **buf, size_t *n)
{
	size_t	 cap = 0;
	ssize_t	 r;

	*buf = NULL;
	*n = 0;
	for (;;) {
		xgrow(buf, &cap, *n + 65536, 1);
		r = read(fd, *buf + *n, cap - *n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		*n += (size_t)r;
		if (*n > VSTATE_MAX) {
			errno = EFBIG;
			return -1;
		}
	}
}

int
vstate_load(const char *path, struct verify_set *vs, size_t *bad, char *err,
    size_t errlen)
{
	char	*buf;
	size_t	 n, b;
	int	 fd;

	if (bad != NULL)
		*bad = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (slurp(fd, &buf, &n) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		close(fd);
		return -1;
	}
	close(fd);
	b = verify_set_parse(vs, buf, n);
	if (bad != NULL)
		*bad = b;
	free(buf);
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
vstate_save(const char *path, const struct verify_set *vs, time_t keep_since,
    char *err, size_t errlen)
{
	struct verify_set	*all = verify_set_new();
	char			 lock[4200], tmp[4200], *text = NULL;
	size_t			 i, n, len;
	int			 lfd, fd = -1, rc = -1;

	snprintf(lock, sizeof(lock), "%s.lock", path);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((lfd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0640)) < 0 || flock(lfd, LOCK_EX) < 0) {
		snprintf(err, errlen, "%s: %s", lock, strerror(errno));
		goto out;
	}
	/* What another mxtop saved meanwhile, then ours: newer wins. */
	(void)vstate_load(path, all, NULL, err, errlen);
	for (i = 0, n = verify_set_count(vs); i < n; i++) {
		const struct verify_rec *r = verify_set_at(vs, i);

		verify_set_put(all, r->addr, r->time, r->res, r->code,
		    r->reply);
	}
	verify_set_format(all, keep_since, &text, &len);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOCTTY, 0640)) < 0 || write_all(fd, text, len) < 0 ||
	    fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		(void)unlink(tmp);
	if (lfd >= 0)
		close(lfd);
	free(text);
	verify_set_free(all);
	return rc;
}
