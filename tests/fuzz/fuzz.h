/* fuzz.h -- helpers shared by the libFuzzer harnesses of tests/fuzz/.
 *
 * Static functions only, so each harness stays one file plus this.  A
 * failed check is a crash: it prints what and where, then abort()s, which
 * libFuzzer reports and saves like any other crash. */
#ifndef MXTOP_FUZZ_H
#define MXTOP_FUZZ_H
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		abort();						\
	}								\
} while (0)

/* Whether span p[0..n) lies inside base[0..len). */
static inline int
fuzz_inside(const void *p, size_t n, const void *base, size_t len)
{
	const char *s = p, *b = base;

	return n == 0 || (s >= b && s <= b + len && n <= (size_t)(b + len - s));
}

/* A heap copy of data[0..size) with a NUL after it (ASan then catches a
 * read past the NUL, and the bytes stay reachable after the call). */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF):
 * returns 1 when s[0..n) is valid and ok (unless NULL) takes each of its
 * code points. */
static inline int
fuzz_utf8_valid(const char *s, size_t n, int (*ok)(uint32_t))
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k, len;
	uint32_t cp, min;

	while (i < n) {
		if (u[i] < 0x80) {
			cp = u[i];
			len = 1;
			min = 0;
		} else if ((u[i] & 0xe0) == 0xc0) {
			cp = u[i] & 0x1f;
			len = 2;
			min = 0x80;
		} else if ((u[i] & 0xf0) == 0xe0) {
			cp = u[i] & 0x0f;
			len = 3;
			min = 0x800;
		} else if ((u[i] & 0xf8) == 0xf0) {
			cp = u[i] & 0x07;
			len = 4;
			min = 0x10000;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (u[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		if (ok != NULL && !ok(cp))
			return 0;
		i += len;
	}
	return 1;
}

/* The private directory of fuzz_dir(), "" until it is made. */
static char fuzz_dir_path[256];

static inline void
fuzz_rm_tree(const char *path)
{
	char sub[512];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
				fuzz_rm_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static inline void
fuzz_dir_cleanup(void)
{
	if (fuzz_dir_path[0] != '\0')
		fuzz_rm_tree(fuzz_dir_path);
}

/* A private directory on tmpfs (/dev/shm when there is one, else
 * $TMPDIR or /tmp), made once and removed, with what is in it, at exit.
 * Returns its path. */
static inline const char *
fuzz_dir(const char *name)
{
	struct stat st;
	const char *base;

	if (fuzz_dir_path[0] != '\0')
		return fuzz_dir_path;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	else if ((base = getenv("TMPDIR")) == NULL || *base == '\0')
		base = "/tmp";
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/mxfuzz-%s-XXXXXX",
	    base, name);
	if (mkdtemp(fuzz_dir_path) == NULL) {
		perror(fuzz_dir_path);
		abort();
	}
	atexit(fuzz_dir_cleanup);
	return fuzz_dir_path;
}

/* Writes data[0..size) to path (replacing it).  Aborts on failure: that
 * is the harness's problem, not the input's. */
static inline void
fuzz_write(const char *path, const void *data, size_t size)
{
	const char *p = data;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		perror(path);
		abort();
	}
	while (size > 0) {
		if ((n = write(fd, p, size)) <= 0) {
			perror(path);
			abort();
		}
		p += n;
		size -= (size_t)n;
	}
	close(fd);
}
#endif
