/* check_refresh.c -- spool_refresh() against spool_scan(), the oracle.
 *
 * A spool made of the sample spool's messages (written by real Exim),
 * flat or split, then a seeded random sequence of the changes Exim
 * makes (a rewritten -H renamed into place, new messages, completions,
 * a -J created and grown, -D locks taken and released, orphan -D files,
 * bad files) and some it does not (subdirectories appearing and going);
 * after every step the refreshed snapshot must equal a fresh full scan,
 * field by field.  Also: files vanishing mid-refresh, an inotify queue
 * overflow, and the mtimes path without a watch. */
#include "exim/spool.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256], err[512], why[1024];
static int split;
static unsigned seed;
static unsigned long idno;
static pid_t lockers[8];
static int nlockers;

static const char *
sample(void)
{
	const char *d = getenv("MXTOP_SAMPLE");

	return d != NULL ? d : "sample-spool";
}

static char *
slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	buf[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	return buf;
}

static void
put(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Where message id's files go. */
static void
mpath(char *buf, size_t len, const char *id, const char *suffix)
{
	char sub[8] = "";

	if (split) {
		snprintf(sub, sizeof(sub), "/%c", id[5]);
		snprintf(buf, len, "%s/input%s", tmpdir, sub);
		(void)mkdir(buf, 0750);
	}
	snprintf(buf, len, "%s/input%s/%s%s", tmpdir, sub, id, suffix);
}

/* Writes -H as Exim does: beside it, then renamed into place. */
static void
put_h(const char *id, const char *data, size_t len)
{
	char tmp[512], path[512], sub[8] = "";

	if (split)
		snprintf(sub, sizeof(sub), "/%c", id[5]);
	snprintf(tmp, sizeof(tmp), "%s/input%s/hdr.%s", tmpdir, sub, id);
	mpath(path, sizeof(path), id, "-H");
	put(tmp, data, len);
	ck_assert_int_eq(rename(tmp, path), 0);
}

/* A message of the sample spool under a new id. */
static void
clone_msg(const char *from, char *newid)
{
	char path[512], *h, *d, *nh, *nd;
	size_t hl, dl, nhl, ndl;
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz";

	snprintf(path, sizeof(path), "%s/input/%s-H", sample(), from);
	ck_assert_ptr_nonnull(h = slurp(path, &hl));
	snprintf(path, sizeof(path), "%s/input/%s-D", sample(), from);
	ck_assert_ptr_nonnull(d = slurp(path, &dl));
	/* Same time field, a pid part of our own. */
	idno++;
	snprintf(newid, 17, "%.6s-%c%c%c%c%c%c-%.2s", from,
	    b62[(idno / 238328) % 62], b62[(idno / 3844) % 62],
	    b62[(idno / 62) % 62], b62[idno % 62], 'z', 'z', from + 14);
	nh = malloc(hl + 8);
	nhl = (size_t)sprintf(nh, "%s-H", newid);
	memcpy(nh + nhl, strchr(h, '\n'), hl - (size_t)(strchr(h, '\n') - h));
	nhl += hl - (size_t)(strchr(h, '\n') - h);
	nd = malloc(dl + 8);
	ndl = (size_t)sprintf(nd, "%s-D", newid);
	memcpy(nd + ndl, strchr(d, '\n'), dl - (size_t)(strchr(d, '\n') - d));
	ndl += dl - (size_t)(strchr(d, '\n') - d);
	mpath(path, sizeof(path), newid, "-D");
	put(path, nd, ndl);
	put_h(newid, nh, nhl);
	free(h);
	free(d);
	free(nh);
	free(nd);
}

static char **ids;
static size_t nids;

static void
make_spool(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxtop-refresh-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/input", tmpdir);
	ck_assert_int_eq(mkdir(path, 0750), 0);
	snprintf(path, sizeof(path), "%s/input", sample());
	ck_assert_ptr_nonnull(d = opendir(path));
	nids = 0;
	ids = NULL;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n != 18 || strcmp(de->d_name + 16, "-H") != 0)
			continue;
		ids = realloc(ids, (nids + 1) * sizeof(*ids));
		ids[nids] = strndup(de->d_name, 16);
		nids++;
	}
	closedir(d);
	for (size_t i = 0; i < nids && i < 120; i++) {
		char nid[24];

		clone_msg(ids[i], nid);
	}
}

static void
rmtree(void)
{
	char cmd[600];

	while (nlockers > 0) {
		kill(lockers[--nlockers], SIGKILL);
		waitpid(lockers[nlockers], NULL, 0);
	}
	/* Test scaffolding only: the scanner never deletes anything. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	ids = NULL;
	nids = 0;
}

static unsigned
rnd(unsigned n)
{
	return (unsigned)rand_r(&seed) % n;
}

/* A random message of snapshot s, or NULL. */
static const struct spool_msg *
pick(const struct spool_snap *s)
{
	return s->nmsgs > 0 ? &s->msgs[rnd((unsigned)s->nmsgs)] : NULL;
}

/* Freezes or thaws m: its -H rewritten, renamed into place. */
static void
op_rewrite(const struct spool_msg *m)
{
	char path[512], *h, *p, *out;
	size_t hl, k;

	mpath(path, sizeof(path), m->id, "-H");
	if ((h = slurp(path, &hl)) == NULL)
		return;
	if (strncmp(h, m->id, strlen(m->id)) != 0 || m->flags &
	    MSG_F_BADFILE) {
		free(h);
		return;		/* a bad file: rewritten by op_bad only */
	}
	out = malloc(hl + 64);
	if ((p = strstr(h, "\n-frozen ")) != NULL) {
		char *e = strchr(p + 1, '\n');

		k = (size_t)(p - h) + 1;
		memcpy(out, h, k);
		memcpy(out + k, e + 1, hl - (size_t)(e + 1 - h));
		k += hl - (size_t)(e + 1 - h);
	} else {
		/* After line 4 (the time line). */
		p = h;
		for (int i = 0; i < 4 && p != NULL; i++)
			p = strchr(p, '\n') + 1;
		k = (size_t)(p - h);
		memcpy(out, h, k);
		k += (size_t)sprintf(out + k, "-frozen 1735689700\n");
		memcpy(out + k, p, hl - (size_t)(p - h));
		k += hl - (size_t)(p - h);
	}
	put_h(m->id, out, k);
	free(out);
	free(h);
}

static void
op_unlink(const char *id, const char *suffix)
{
	char path[512];

	mpath(path, sizeof(path), id, suffix);
	(void)unlink(path);
}

static void
op_journal(const struct spool_snap *s, const struct spool_msg *m)
{
	char path[512], line[600], ab[SPOOL_ADDR_BUF];
	int fd, n;

	if (m->nrcpt == 0)
		return;
	mpath(path, sizeof(path), m->id, "-J");
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0640);
	ck_assert_int_ge(fd, 0);
	n = snprintf(line, sizeof(line), "%s\n",
	    spool_rcpt_addr(s, &s->rcpts[m->rcpt0 + rnd(m->nrcpt)], ab));
	ck_assert_int_eq(write(fd, line, (size_t)n), n);
	close(fd);
}

/* A child holds Exim's lock on m's -D until killed. */
static void
op_lock(const struct spool_msg *m)
{
	char path[512], c;
	struct flock fl;
	int p[2], fd;
	pid_t pid;

	if (nlockers == 8)
		return;
	mpath(path, sizeof(path), m->id, "-D");
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		fd = open(path, O_RDWR);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_len = (off_t)strlen(m->id) + 3;
		c = fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	lockers[nlockers++] = pid;
}

static void
op_unlock(void)
{
	if (nlockers == 0)
		return;
	kill(lockers[--nlockers], SIGKILL);
	waitpid(lockers[nlockers], NULL, 0);
}

/* A whole subdirectory appears (its messages moved in) or goes. */
static void
op_subdir(const struct spool_snap *s)
{
	char path[512], cmd[1200];
	const struct spool_msg *m = pick(s);

	if (!split || m == NULL)
		return;
	snprintf(path, sizeof(path), "%s/input/%c", tmpdir, m->id[5]);
	/* Scaffolding: the directory and what is in it, gone at once. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
}

static void
op_bad(void)
{
	static const char junk[] = "not an -H file\n";
	char id[24], path[512];

	clone_msg(ids[rnd((unsigned)nids)], id);
	mpath(path, sizeof(path), id, "-H");
	put(path, junk, sizeof(junk) - 1);
}

static void
op_orphan(void)
{
	char id[24];

	clone_msg(ids[rnd((unsigned)nids)], id);
	op_unlink(id, "-H");
}

/* One random change. */
static void
change(const struct spool_snap *s)
{
	const struct spool_msg *m = pick(s);
	char id[24];
	unsigned op = rnd(12);

	if (getenv("CHECK_VERBOSE") != NULL)
		fprintf(stderr, "op %u on %s\n", op, m ? m->id : "-");
	switch (op) {
	case 0: case 1:
		if (m != NULL)
			op_rewrite(m);
		break;
	case 2:
		clone_msg(ids[rnd((unsigned)nids)], id);
		break;
	case 3:		/* a completion: msglog, -D, -H */
		if (m != NULL) {
			op_unlink(m->id, "-J");
			op_unlink(m->id, "-D");
			op_unlink(m->id, "-H");
		}
		break;
	case 4:		/* completing: -D first */
		if (m != NULL)
			op_unlink(m->id, "-D");
		break;
	case 5: case 6:
		if (m != NULL)
			op_journal(s, m);
		break;
	case 7:
		if (m != NULL)
			op_unlink(m->id, "-J");
		break;
	case 8:
		if (m != NULL)
			op_lock(m);
		break;
	case 9:
		op_unlock();
		break;
	case 10:
		if (rnd(4) == 0)
			op_subdir(s);
		else
			op_orphan();
		break;
	case 11:
		op_bad();
		break;
	}
}

/* Refreshes *cur and checks it against a fresh scan. */
static void
check_step(struct spool_snap **cur, struct spool_scan_opts *o, int step)
{
	struct spool_snap *next = NULL, *fresh;
	int rc;

	rc = spool_refresh(*cur, o, &next, err, sizeof(err));
	ck_assert_msg(rc >= 0, "step %d: %s", step, err);
	if (rc == 1) {
		spool_snap_free(*cur);
		*cur = next;
	}
	fresh = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(fresh);
	ck_assert_msg(spool_snap_diff(*cur, fresh, why, sizeof(why)) == 0,
	    "step %d (split %d, watch %d): %s", step, split,
	    o->watch != NULL, why);
	spool_snap_free(fresh);
}

static void
sequence(int use_watch, unsigned sd, int steps)
{
	struct spool_scan_opts o;
	struct spool_snap *cur;
	int i, k;

	seed = sd;
	make_spool();
	memset(&o, 0, sizeof(o));
	o.threads = 2;
	o.watch = use_watch ? spool_watch_new() : NULL;
	cur = spool_scan(tmpdir, &o, err, sizeof(err));
	ck_assert_ptr_nonnull(cur);
	for (i = 0; i < steps; i++) {
		for (k = (int)rnd(3); k >= 0; k--)
			change(cur);
		check_step(&cur, &o, i);
	}
	spool_snap_free(cur);
	spool_watch_free(o.watch);
	rmtree();
}

START_TEST(random_flat_watch) { split = 0; sequence(1, 1, 60); }
END_TEST
START_TEST(random_split_watch) { split = 1; sequence(1, 2, 60); }
END_TEST
START_TEST(random_split_mtime) { split = 1; sequence(0, 3, 40); }
END_TEST
START_TEST(random_flat_mtime) { split = 0; sequence(0, 4, 40); }
END_TEST

/* A spool made with seed sd (split or flat), scanned with a watch in
 * o. */
static struct spool_snap *
watched(int sp, unsigned sd, struct spool_scan_opts *o)
{
	struct spool_snap *s;

	split = sp;
	seed = sd;
	make_spool();
	memset(o, 0, sizeof(*o));
	o->watch = spool_watch_new();
	s = spool_scan(tmpdir, o, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	return s;
}

/* A refresh keeps the last snapshot's strings where they are; those of
 * records gone pile up only so far before the live ones are copied
 * together: after many rewrites the snapshot is not much bigger than a
 * fresh one, and equal to it. */
START_TEST(strings_bounded)
{
	struct spool_scan_opts o;
	struct spool_snap *cur, *fresh;
	size_t most = 0, base;
	int i;

	cur = watched(1, 21, &o);
	fresh = spool_scan(tmpdir, NULL, err, sizeof(err));
	base = spool_snap_bytes(fresh);
	spool_snap_free(fresh);
	for (i = 0; i < 200; i++) {
		op_rewrite(pick(cur));
		check_step(&cur, &o, i);
		if (spool_snap_bytes(cur) > most)
			most = spool_snap_bytes(cur);
	}
	/* An eighth of the strings at most, and mapped-array slack. */
	ck_assert_msg(most < base * 3 / 2, "%zu bytes at most, fresh %zu",
	    most, base);
	spool_snap_free(cur);
	spool_watch_free(o.watch);
	rmtree();
}
END_TEST

/* Nothing changed: the refresh says so and reads nothing; once the
 * directories are old enough not to be racy, none is listed either. */
START_TEST(quiet_refresh)
{
	struct spool_scan_opts o;
	struct spool_snap *cur, *next;
	char id[24];

	cur = watched(1, 7, &o);
	ck_assert_int_eq(spool_refresh(cur, &o, &next, err, sizeof(err)), 0);
	ck_assert_ptr_null(next);
	/* One new message: only it is read. */
	clone_msg(ids[0], id);
	ck_assert_int_eq(spool_refresh(cur, &o, &next, err, sizeof(err)), 1);
	ck_assert_uint_eq(next->nread, 1);
	ck_assert_uint_eq(next->nmsgs, cur->nmsgs + 1);
	ck_assert_ptr_nonnull(spool_find(next, id));
	/* The watch named it: no directory listed. */
	ck_assert_uint_eq(next->ndirs, 0);
	spool_snap_free(cur);
	cur = next;
	/* Without a watch: by the directories' mtimes. */
	spool_watch_free(o.watch);
	o.watch = NULL;
	sleep(3);
	ck_assert_int_eq(spool_refresh(cur, &o, &next, err, sizeof(err)), 0);
	clone_msg(ids[1], id);
	ck_assert_int_eq(spool_refresh(cur, &o, &next, err, sizeof(err)), 1);
	ck_assert_uint_eq(next->nread, 1);
	spool_snap_free(cur);
	spool_snap_free(next);
	rmtree();
}
END_TEST

/* A refresh cancelled once the directories are listed (the watch's
 * news drained) returns -1 and no snapshot; the next refresh of the
 * same snapshot still sees every change. */
static atomic_int cstop;

static void
cancel_now(void *arg)
{
	(void)arg;
	atomic_store(&cstop, 1);
}

START_TEST(cancel_refresh)
{
	struct spool_scan_opts o;
	struct spool_snap *cur, *next = NULL, *fresh;
	char id[24];
	int i;

	cur = watched(_i, 31, &o);
	for (i = 0; i < 600; i++)
		clone_msg(ids[i % nids], id);
	op_rewrite(pick(cur));
	atomic_store(&cstop, 0);
	o.cancel = &cstop;
	o.listed = cancel_now;
	ck_assert_int_eq(spool_refresh(cur, &o, &next, err, sizeof(err)), -1);
	ck_assert_ptr_null(next);
	ck_assert_str_eq(err, "cancelled");
	atomic_store(&cstop, 0);
	o.listed = NULL;
	ck_assert_int_eq(spool_refresh(cur, &o, &next, err, sizeof(err)), 1);
	ck_assert_uint_ge(next->nread, 601);
	fresh = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(fresh);
	ck_assert_msg(spool_snap_diff(next, fresh, why, sizeof(why)) == 0,
	    "%s", why);
	spool_snap_free(fresh);
	spool_snap_free(next);
	spool_snap_free(cur);
	spool_watch_free(o.watch);
	rmtree();
}
END_TEST

/* Messages vanish between the listing and the reading. */
static struct spool_snap *vcur;
static char fresh_ids[20][24];

static void
vanish(void *arg)
{
	(void)arg;
	/* Some of the records kept, and every new message. */
	for (size_t i = 0; i < vcur->nmsgs; i += 7) {
		op_unlink(vcur->msgs[i].id, "-H");
		op_unlink(vcur->msgs[i].id, "-D");
	}
	for (int i = 0; i < 20; i++)
		op_unlink(fresh_ids[i], "-H");
}

START_TEST(vanish_mid_refresh)
{
	struct spool_scan_opts o;
	struct spool_snap *next = NULL, *fresh;

	vcur = watched(0, 9, &o);
	for (int i = 0; i < 20; i++)
		clone_msg(ids[i], fresh_ids[i]);
	o.listed = vanish;
	ck_assert_int_eq(spool_refresh(vcur, &o, &next, err, sizeof(err)), 1);
	ck_assert_uint_gt(next->nvanished, 0);
	spool_snap_free(vcur);
	vcur = next;
	/* The next refresh sees what vanished among the kept ones too. */
	o.listed = NULL;
	ck_assert_int_ge(spool_refresh(vcur, &o, &next, err, sizeof(err)), 0);
	if (next != NULL) {
		spool_snap_free(vcur);
		vcur = next;
	}
	fresh = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_msg(spool_snap_diff(vcur, fresh, why, sizeof(why)) == 0,
	    "%s", why);
	spool_snap_free(fresh);
	spool_snap_free(vcur);
	spool_watch_free(o.watch);
	rmtree();
}
END_TEST

/* Three events a time (create, close, delete) of file path, n times. */
static void
burst(const char *path, long n)
{
	for (long i = 0; i < n; i++) {
		put(path, "x", 1);
		ck_assert_int_eq(unlink(path), 0);
	}
}

/* More events than inotify queues: the refresh lists everything. */
START_TEST(watch_overflow)
{
	struct spool_scan_opts o;
	struct spool_snap *cur, *next, *fresh;
	char path[512], id[24];
	long max = 16384;
	FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");

	if (f != NULL) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 16384;
		fclose(f);
	}
	if (max > 200000)
		return;		/* too many to overflow here */
	cur = watched(1, 11, &o);
	/* The watch's reader keeps up with a burst: held, it cannot. */
	spool_watch_hold(o.watch, 1);
	/* A transient name created and removed, over and over. */
	snprintf(path, sizeof(path), "%s/input/hdr.churn", tmpdir);
	burst(path, max / 2 + 1000);
	/* And real changes among them. */
	clone_msg(ids[3], id);
	op_rewrite(&cur->msgs[0]);
	ck_assert_int_eq(spool_refresh(cur, &o, &next, err, sizeof(err)), 1);
	/* Events lost: every directory listed. */
	ck_assert_uint_eq(next->ndirs, cur->ndirs);
	fresh = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_msg(spool_snap_diff(next, fresh, why, sizeof(why)) == 0,
	    "%s", why);
	spool_snap_free(fresh);
	spool_snap_free(cur);
	cur = next;
	/* Read as they come, as many events again do not overflow. */
	spool_watch_hold(o.watch, 0);
	burst(path, max / 2 + 1000);
	clone_msg(ids[4], id);
	ck_assert_int_eq(spool_refresh(cur, &o, &next, err, sizeof(err)), 1);
	ck_assert_uint_eq(next->ndirs, 0);
	fresh = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_msg(spool_snap_diff(next, fresh, why, sizeof(why)) == 0,
	    "%s", why);
	spool_snap_free(fresh);
	spool_snap_free(cur);
	spool_snap_free(next);
	spool_watch_free(o.watch);
	rmtree();
}
END_TEST

static Suite *
refresh_suite(void)
{
	Suite *s = suite_create("refresh");
	TCase *tc = tcase_create("random");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, random_flat_watch);
	tcase_add_test(tc, random_split_watch);
	tcase_add_test(tc, random_split_mtime);
	tcase_add_test(tc, random_flat_mtime);
	suite_add_tcase(s, tc);
	tc = tcase_create("edges");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, quiet_refresh);
	tcase_add_test(tc, vanish_mid_refresh);
	tcase_add_test(tc, watch_overflow);
	tcase_add_test(tc, strings_bounded);
	tcase_add_loop_test(tc, cancel_refresh, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(refresh_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
