/* mta.c -- run Exim's admin commands as argv arrays and read what they
 * say.  No shell is ever involved. */
#include "mta.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
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
mta_spool_dir(const struct mta *m, char *dir, size_t len)
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
		argv[a++] = "spool_directory";
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
		if (*p != '/' || strlen(p) >= len)
			continue;
		snprintf(dir, len, "%s", p);
		return 0;
	}
	return -1;
}
