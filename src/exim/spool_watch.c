/* spool_watch.c -- the inotify watch of a refresh (spool_priv.h).
 *
 * A reader thread takes the inotify events as they come (a burst of
 * renames would overflow the kernel's queue before the next refresh)
 * and keeps what they say: the directories to list again, and by name
 * the messages whose files came, went or were put in place.  A refresh
 * takes that (watch_drain), after reading what is still queued.  Without
 * inotify (not Linux) there is no watch: refreshes look at mtimes. */
#define _GNU_SOURCE		/* inotify_init1(2), pipe2(2) */
#include "spool_priv.h"
#include "base/mem.h"
#include "base/intern.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

struct spool_watch {
	int		 fd;		/* inotify, -1: none */
	int		 wd[SPOOL_NDIRS];	/* -1: not watched */
	int		 lost;		/* overflow: events dropped */
	unsigned long	 serial;	/* of the last snapshot made */
	unsigned long	 cur;		/* of the snapshot followed */
	uint8_t		 dirty[SPOOL_NDIRS];
	struct intern	*touched;	/* ids of -H put in place */
	struct intern	*changed;	/* slot char + id: look again */
	pthread_mutex_t	 mu;		/* all of the above */
	pthread_t	 th;
	int		 th_on;
	int		 stop[2];	/* a pipe: the reader stops */
	int		 held;		/* no reader (tests) */
};

struct spool_watch *
spool_watch_new(void)
{
	struct spool_watch *w = xcalloc(1, sizeof(*w));
	int i;

	w->fd = -1;
	for (i = 0; i < SPOOL_NDIRS; i++)
		w->wd[i] = -1;
	w->touched = intern_new();
	w->changed = intern_new();
	w->stop[0] = w->stop[1] = -1;
	pthread_mutex_init(&w->mu, NULL);
	return w;
}

static void reader_stop(struct spool_watch *);

void
spool_watch_free(struct spool_watch *w)
{
	if (w == NULL)
		return;
	reader_stop(w);
	if (w->fd >= 0)
		close(w->fd);
	intern_free(w->touched);
	intern_free(w->changed);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

unsigned long
watch_serial(struct spool_watch *w, int made)
{
	if (w == NULL)
		return 0;
	if (made)
		w->cur = ++w->serial;
	return w->cur;
}

/* The key of a message in w->changed: its directory's name ('.' for
 * input/ itself), then its id. */
size_t
watch_key(int slot, const char *id, size_t n, char *key)
{
	key[0] = slot == 0 ? '.' : slot_dir(slot);
	memcpy(key + 1, id, n);
	key[n + 1] = '\0';
	return n + 1;
}

int
watch_key_slot(const char *key)
{
	return key[0] == '.' ? 0 : dir_slot(key[0]);
}

#ifdef __linux__
#define WATCH_MASK	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
			 IN_MOVED_TO | IN_CLOSE_WRITE | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static int
slot_of_wd(const struct spool_watch *w, int wd)
{
	int i;

	for (i = 0; i < SPOOL_NDIRS; i++)
		if (w->wd[i] == wd)
			return i;
	return -1;
}

/* One event, under w->mu. */
static void
one_event(struct spool_watch *w, const struct inotify_event *ev)
{
	char key[SPOOL_ID_MAX + 2];
	int slot;
	size_t n;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->lost = 1;
		return;
	}
	if ((slot = slot_of_wd(w, ev->wd)) < 0)
		return;
	if (ev->mask & IN_IGNORED) {
		w->wd[slot] = -1;
		w->dirty[slot] = 1;
		if (slot == 0)
			w->lost = 1;
		return;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		w->dirty[slot] = 1;
		w->dirty[0] = 1;
		return;
	}
	n = ev->len > 0 ? strlen(ev->name) : 0;
	if (slot == 0 && n == 1 && dir_slot(ev->name[0]) > 0) {
		/* A subdirectory came or went: input/ is listed again. */
		w->dirty[0] = 1;
		return;
	}
	if ((n != 18 && n != 25) || ev->name[n - 2] != '-' ||
	    !spool_id_valid(ev->name, n - 2))
		return;
	switch (ev->name[n - 1]) {
	case 'H':
		/* A -H put in place is read again, whatever its inode. */
		if (ev->mask & (IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE))
			(void)intern_add(w->touched, ev->name, n - 2);
		break;
	case 'D':
		/* Exim opens -D to write for its lock: nothing changed. */
		if (ev->mask & IN_CLOSE_WRITE)
			return;
		break;
	case 'J':
		break;
	default:
		return;
	}
	(void)intern_add(w->changed, key, watch_key(slot, ev->name, n - 2,
	    key));
}

/* Reads what is queued, under w->mu. */
static void
read_events(struct spool_watch *w)
{
	char buf[65536] __attribute__((aligned(__alignof__(struct
	    inotify_event))));
	ssize_t n, off;

	for (;;) {
		n = read(w->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (off = 0; off < n; ) {
			const struct inotify_event *ev =
			    (const void *)(buf + off);

			one_event(w, ev);
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
}

static void *
reader(void *arg)
{
	struct spool_watch *w = arg;
	struct pollfd p[2];

	p[0].fd = w->fd;
	p[1].fd = w->stop[0];
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents != 0)
			break;
		pthread_mutex_lock(&w->mu);
		read_events(w);
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}
#endif

static void
reader_start(struct spool_watch *w)
{
#ifdef __linux__
	sigset_t all, old;

	if (w->th_on || w->held || w->fd < 0 || pipe2(w->stop, O_CLOEXEC) < 0)
		return;
	/* Signals are for the threads that handle them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	w->th_on = pthread_create(&w->th, NULL, reader, w) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!w->th_on) {
		close(w->stop[0]);
		close(w->stop[1]);
		w->stop[0] = w->stop[1] = -1;
	}
#else
	(void)w;
#endif
}

static void
reader_stop(struct spool_watch *w)
{
	if (!w->th_on)
		return;
	while (write(w->stop[1], "x", 1) < 0 && errno == EINTR)
		;
	pthread_join(w->th, NULL);
	close(w->stop[0]);
	close(w->stop[1]);
	w->stop[0] = w->stop[1] = -1;
	w->th_on = 0;
}

void
spool_watch_hold(struct spool_watch *w, int on)
{
	if (w == NULL)
		return;
	w->held = on;
	if (on)
		reader_stop(w);
	else
		reader_start(w);
}

void
watch_add(struct spool_watch *w, int infd, int slot)
{
#ifdef __linux__
	char path[64];

	if (w == NULL || w->fd < 0 || w->wd[slot] >= 0)
		return;
	/* By /proc/self/fd: the directory input/ was opened as. */
	if (slot == 0)
		snprintf(path, sizeof(path), "/proc/self/fd/%d", infd);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%c", infd,
		    slot_dir(slot));
	/* Under the lock: the reader knows the descriptor before it reads
	 * the first event of it. */
	pthread_mutex_lock(&w->mu);
	w->wd[slot] = inotify_add_watch(w->fd, path, WATCH_MASK);
	if (w->wd[slot] < 0)
		w->lost = 1;	/* ENOSPC (max_user_watches): list all */
	pthread_mutex_unlock(&w->mu);
#else
	(void)w;
	(void)infd;
	(void)slot;
#endif
}

void
watch_arm(struct spool_watch *w, int infd, uint64_t subs)
{
	int i;

	if (w == NULL)
		return;
	reader_stop(w);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	for (i = 0; i < SPOOL_NDIRS; i++)
		w->wd[i] = -1;
	memset(w->dirty, 0, sizeof(w->dirty));
	intern_free(w->touched);
	intern_free(w->changed);
	w->touched = intern_new();
	w->changed = intern_new();
	w->lost = 0;
#ifdef __linux__
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return;
	watch_add(w, infd, 0);
	for (i = 1; i < SPOOL_NDIRS; i++)
		if (subs & ((uint64_t)1 << i))
			watch_add(w, infd, i);
	reader_start(w);
#else
	(void)infd;
	(void)subs;
#endif
}

int
watch_drain(struct spool_watch *w, uint8_t *dirty, struct intern **touched,
    struct intern **changed)
{
	int i, lost;

	*touched = *changed = NULL;
	if (w == NULL || w->fd < 0)
		return -1;
	pthread_mutex_lock(&w->mu);
#ifdef __linux__
	/* What came since the reader last looked: every change made
	 * before this refresh is seen by it. */
	read_events(w);
#endif
	for (i = 0; i < SPOOL_NDIRS; i++)
		if (w->dirty[i])
			dirty[i] = 1;
	memset(w->dirty, 0, sizeof(w->dirty));
	*touched = w->touched;
	w->touched = intern_new();
	*changed = w->changed;
	w->changed = intern_new();
	lost = w->lost;
	w->lost = 0;
	pthread_mutex_unlock(&w->mu);
	return lost ? 1 : 0;
}
