/* fuzz_journal.c -- libFuzzer harness for the -J journal reader.
 *
 *	make fuzz	(seeds: tests/fuzz/seeds-journal/)
 *
 * The journal is read by static code of the spool module (build_set(),
 * in_set()), so this goes through its public paths: a spool on tmpfs
 * holds two good messages, one flat with 4 recipients and one in a split
 * subdirectory with 21, and the input is written as the -J of both (over
 * 15 lines, the set is sorted and searched with bsearch()).  Then
 * spool_scan() and spool_load() read them.  Both must agree with each
 * other and with the rule, checked here independently: a recipient is
 * delivered when its address is in the non-recipients tree or is a whole
 * non-empty line of -J.  Crashes become cases in
 * tests/unit/check_fuzzfound.c. */
#include "exim/spool.h"

#include <sys/stat.h>

#include "fuzz.h"

struct fmsg {
	const char	*id;
	char		 subdir;	/* '\0': flat */
	char		*h;		/* the -H text */
	struct spool_hdr hdr;		/* h parsed, for the rule */
	char		 jpath[512];
};

static struct fmsg msgs[2] = {	/* split: id[5] is the subdirectory */
	{ .id = "1vG2HR-00067n-0o", .subdir = '\0' },
	{ .id = "1vG2HS-0006Bp-24", .subdir = 'S' },
};
static char spool[300];

static int
same(struct spool_str a, const char *p, size_t n)
{
	return a.len == n && memcmp(a.p, p, n) == 0;
}

static char *
make_h(const char *id, int nrcpt)
{
	static const char *const local[] = { "bob", "carol", "Dave", "erin",
	    "frank", "", "x" };
	char *buf;
	size_t len = 0, cap = 16384;
	int i;

	buf = malloc(cap);
	len += (size_t)snprintf(buf + len, cap - len, "%s-H\n"
	    "Debian-exim 101 103\n<alice@sender.example>\n1762206001 0\n"
	    "-received_time_usec .250072\n-body_linecount 13\n"
	    /* The tree: one entry, a recipient below. */
	    "NN erin2@tailspin.example\n%d\n", id, nrcpt + 1);
	for (i = 0; i < nrcpt; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%d@%s\n",
		    local[i % 7], i % 3 == 2 ? 2 : i,
		    i % 2 ? "tailspin.example" : "Contoso.example");
	/* One with an Exim 4 suffix (DSN orcpt), decoded by the parser. */
	len += (size_t)snprintf(buf + len, cap - len, "%s",
	    "carol@example.net rfc822;carol@example.net 24,12  0,-1#3\n");
	len += (size_t)snprintf(buf + len, cap - len, "\n"
	    "027F From: alice@sender.example\n"
	    "024  Subject: Password reset\n");
	return buf;
}

static void
setup(void)
{
	char path[600], err[128];
	size_t i;

	snprintf(spool, sizeof(spool), "%s", fuzz_dir("journal"));
	snprintf(path, sizeof(path), "%s/input", spool);
	FUZZ_CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/input/S", spool);
	FUZZ_CHECK(mkdir(path, 0755) == 0);
	for (i = 0; i < 2; i++) {
		struct fmsg *m = &msgs[i];
		char sub[4] = "";

		if (m->subdir != '\0')
			snprintf(sub, sizeof(sub), "%c/", m->subdir);
		m->h = make_h(m->id, i == 0 ? 3 : 20);
		spool_hdr_init(&m->hdr);
		FUZZ_CHECK(spool_parse_buf(m->h, strlen(m->h), m->id, &m->hdr,
		    err, sizeof(err)) == 0);
		FUZZ_CHECK(m->hdr.ntree == 1 &&
		    same(m->hdr.rcpts[m->hdr.nrcpts - 1].addr, "carol@example.net",
		    17));
		snprintf(path, sizeof(path), "%s/input/%s%s-H", spool, sub,
		    m->id);
		fuzz_write(path, m->h, strlen(m->h));
		snprintf(path, sizeof(path), "%s/input/%s%s-D", spool, sub,
		    m->id);
		snprintf(err, sizeof(err), "%s-D\nHello.\n", m->id);
		fuzz_write(path, err, strlen(err));
		snprintf(m->jpath, sizeof(m->jpath), "%s/input/%s%s-J", spool,
		    sub, m->id);
	}
}

/* The rule, the slow way. */
static int
delivered(const struct fmsg *m, struct spool_str a, const char *j,
    size_t jlen)
{
	const char *p = j, *e = j + jlen, *nl;
	size_t i;

	for (i = 0; i < m->hdr.ntree; i++)
		if (same(a, m->hdr.tree[i].p, m->hdr.tree[i].len))
			return 1;
	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		if (nl > p && same(a, p, (size_t)(nl - p)))
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_scan_opts so;
	struct spool_snap *snap;
	const struct spool_msg *sm;
	struct spool_msg lm;
	struct spool_hdr lh;
	char err[256], *buf = NULL;
	uint8_t *dl = NULL;
	size_t cap = 0, i, k, npending;
	int want;

	if (spool[0] == '\0')
		setup();
	for (k = 0; k < 2; k++)
		fuzz_write(msgs[k].jpath, data, size);

	memset(&so, 0, sizeof(so));
	so.threads = 1;
	so.no_lock_probe = 1;
	snap = spool_scan(spool, &so, err, sizeof(err));
	FUZZ_CHECK(snap != NULL);
	FUZZ_CHECK(snap->nmsgs == 2 && snap->nbad == 0 && snap->split == 1);
	spool_hdr_init(&lh);
	for (k = 0; k < 2; k++) {
		const struct fmsg *m = &msgs[k];

		FUZZ_CHECK((sm = spool_find(snap, m->id)) != NULL);
		FUZZ_CHECK(sm->flags & MSG_F_JOURNAL);
		FUZZ_CHECK(sm->nrcpt == m->hdr.nrcpts);
		FUZZ_CHECK(spool_load(spool, m->id, &buf, &cap, &lh, &dl, &lm,
		    err, sizeof(err)) == 0);
		FUZZ_CHECK(lh.nrcpts == m->hdr.nrcpts);
		FUZZ_CHECK(lm.flags & MSG_F_JOURNAL);
		FUZZ_CHECK(lm.size == sm->size);
		npending = 0;
		for (i = 0; i < m->hdr.nrcpts; i++) {
			const struct spool_rcpt *r = &snap->rcpts[sm->rcpt0 +
			    i];
			char ab[SPOOL_ADDR_BUF];
			const char *a = spool_rcpt_addr(snap, r, ab);

			want = delivered(m, m->hdr.rcpts[i].addr,
			    (const char *)data, size);
			FUZZ_CHECK(same(m->hdr.rcpts[i].addr, a, strlen(a)));
			FUZZ_CHECK(r->state == (want ? RCPT_DELIVERED :
			    RCPT_PENDING));
			FUZZ_CHECK(dl[i] == r->state);
			npending += r->state == RCPT_PENDING;
		}
		FUZZ_CHECK(sm->npending == npending);
		free(dl);
		dl = NULL;
	}
	spool_hdr_done(&lh);
	free(buf);
	spool_snap_free(snap);
	return 0;
}
