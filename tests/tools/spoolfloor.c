/* spoolfloor.c -- the syscall floor of a full scan, for the benchmark.
 *
 *	spoolfloor SPOOL [THREADS]
 *
 * Does what a scan cannot do without, and nothing else: lists input/ and
 * its one-character subdirectories, then for every <id>-H opens it
 * relative to its directory, reads it until a short read, closes it, and
 * stats the <id>-D once (fstatat), on THREADS threads (2) over contiguous
 * ranges.  No parsing.  Prints the number of -H files and bytes read.
 * Test tooling only; it reads, never writes. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ent {
	char	 name[32];
	int	 dfd;
};

static struct ent *ents;
static size_t nents, capents;

struct th {
	size_t		 from, to;
	unsigned long long bytes;
	pthread_t	 tid;
};

static void
list(int dfd, int top, int infd)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (top && n == 1 && de->d_name[0] != '.') {
			int sfd = openat(infd, de->d_name, O_RDONLY |
			    O_DIRECTORY | O_CLOEXEC);

			if (sfd >= 0)
				list(sfd, 0, infd);
			continue;
		}
		if ((n != 18 && n != 25) || de->d_name[n - 1] != 'H' ||
		    de->d_name[n - 2] != '-')
			continue;
		if (nents == capents) {
			capents = capents ? capents * 2 : 65536;
			ents = realloc(ents, capents * sizeof(*ents));
			if (ents == NULL)
				exit(2);
		}
		memcpy(ents[nents].name, de->d_name, n + 1);
		ents[nents++].dfd = dfd;
	}
	closedir(d);
}

static void *
work(void *arg)
{
	struct th *t = arg;
	static __thread char buf[65536];
	struct stat st;
	size_t i, n;
	ssize_t r;
	int fd;

	for (i = t->from; i < t->to; i++) {
		if ((fd = openat(ents[i].dfd, ents[i].name, O_RDONLY |
		    O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0)
			continue;
		n = 0;
		while ((r = read(fd, buf, sizeof(buf))) > 0) {
			n += (size_t)r;
			if ((size_t)r < sizeof(buf))
				break;
		}
		close(fd);
		t->bytes += n;
		n = strlen(ents[i].name);
		ents[i].name[n - 1] = 'D';
		(void)fstatat(ents[i].dfd, ents[i].name, &st,
		    AT_SYMLINK_NOFOLLOW);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	char path[4096];
	struct th *t;
	unsigned long long bytes = 0;
	int infd, nt = argc > 2 ? atoi(argv[2]) : 2, i;
	size_t per;

	if (argc < 2) {
		fprintf(stderr, "usage: spoolfloor SPOOL [THREADS]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/input", argv[1]);
	if ((infd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		perror(path);
		return 2;
	}
	list(infd, 1, infd);
	if (nt < 1)
		nt = 1;
	t = calloc((size_t)nt, sizeof(*t));
	per = (nents + (size_t)nt - 1) / (size_t)nt;
	for (i = 0; i < nt; i++) {
		t[i].from = per * (size_t)i < nents ? per * (size_t)i : nents;
		t[i].to = t[i].from + per < nents ? t[i].from + per : nents;
		if (i > 0 && pthread_create(&t[i].tid, NULL, work, &t[i]) != 0)
			return 2;
	}
	work(&t[0]);
	for (i = 1; i < nt; i++)
		pthread_join(t[i].tid, NULL);
	for (i = 0; i < nt; i++)
		bytes += t[i].bytes;
	printf("%zu -H files, %llu bytes\n", nents, bytes);
	return 0;
}
