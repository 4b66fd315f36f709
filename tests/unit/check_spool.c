/* check_spool.c -- the -H parser and the spool scanner.
 * Constructed files follow exim-spool.md section 3; each trap of section
 * 11 that applies to -H has a test. */
#include "exim/spool.h"
#include "../../src/exim/spool_priv.h"	/* the lock table */

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* The annotated example of exim-spool.md 3.7, lengths exact. */
static const char example_h[] =
    "1tSm9Y-00000000W7E-132G-H\n"
    "Debian-exim 101 103\n"
    "<alice@sender.example>\n"
    "1735689600 0\n"
    "-received_time_usec .250000\n"
    "-received_time_complete 1735689601.012345\n"
    "--helo_name mail.sender.example\n"
    "-host_address [192.0.2.10]:51234\n"
    "--host_name mail.sender.example\n"
    "-interface_address [198.51.100.2]:25\n"
    "-received_protocol esmtps\n"
    "-aclm _callout 5\n"
    "defer\n"
    "-body_linecount 42\n"
    "-max_received_linelength 76\n"
    "-tls_cipher TLS1.3:TLS_AES_256_GCM_SHA384:256\n"
    "-tls_resumption A\n"
    "-tls_ver TLS1.3\n"
    "XX\n"
    "2\n"
    "bob@example.net\n"
    "carol@example.net rfc822;carol@example.net 24,12  0,-1#3\n"
    "\n"
    "153P Received: from mail.sender.example ([192.0.2.10])\n"
    "\tby mx2.example.net with esmtps (TLS1.3)\n"
    "\tid 1tSm9Y-00000000W7E-132G;\n"
    "\tWed, 01 Jan 2025 00:00:01 +0000\n"
    "035F From: Alice <alice@sender.example>\n"
    "039T To: bob@example.net, carol@example.net\n"
    "048I Message-ID: <20250101000000.abc@sender.example>\n"
    "019  Subject: Q1 report\n"
    "038  Date: Wed, 01 Jan 2025 00:00:00 +0000\n";

static int
seq(struct spool_str s, const char *lit)
{
	return s.len == strlen(lit) && (s.len == 0 ||
	    memcmp(s.p, lit, s.len) == 0);
}

static struct spool_hdr h;
static char err[256];

static void
setup(void)
{
	spool_hdr_init(&h);
}

static void
teardown(void)
{
	spool_hdr_done(&h);
}

static int
parse(const char *buf, const char *id)
{
	err[0] = '\0';
	return spool_parse_buf(buf, strlen(buf), id, &h, err, sizeof(err));
}

START_TEST(example_parses)
{
	ck_assert_int_eq(parse(example_h, "1tSm9Y-00000000W7E-132G"), 0);
	ck_assert(seq(h.id, "1tSm9Y-00000000W7E-132G"));
	ck_assert(seq(h.login, "Debian-exim"));
	ck_assert_int_eq(h.uid, 101);
	ck_assert_int_eq(h.gid, 103);
	ck_assert(seq(h.sender, "alice@sender.example"));
	ck_assert_int_eq(h.received, 1735689600);
	ck_assert_int_eq(h.usec, 250000);
	ck_assert_int_eq(h.warnings, 0);
	ck_assert(seq(h.host_address, "[192.0.2.10]:51234"));
	ck_assert(seq(h.helo_name, "mail.sender.example"));
	ck_assert(seq(h.protocol, "esmtps"));
	ck_assert_int_eq(h.body_linecount, 42);
	ck_assert_uint_eq(h.ntree, 0);
	ck_assert_uint_eq(h.nrcpts, 2);
	ck_assert(seq(h.rcpts[0].addr, "bob@example.net"));
	ck_assert(seq(h.rcpts[1].addr, "carol@example.net"));
	ck_assert(seq(h.rcpts[1].orcpt, "rfc822;carol@example.net"));
	ck_assert_int_eq(h.rcpts[1].dsnflags, 12);
	ck_assert_int_eq(h.rcpts[1].pno, -1);
	ck_assert_uint_eq(h.rcpts[1].errors_to.len, 0);
	ck_assert_uint_eq(h.nhdrs, 6);
	ck_assert_int_eq(h.hdrs[0].flag, 'P');
	ck_assert_uint_eq(h.hdrs[0].text.len, 153);
	ck_assert_int_eq(h.hdrs[4].flag, ' ');
	ck_assert(seq(h.hdrs[4].text, "Subject: Q1 report\n"));
	ck_assert_int_eq(h.hdr_bytes, 153 + 35 + 39 + 48 + 19 + 38);
	ck_assert_int_eq(h.nreceived, 1);
	ck_assert(!(h.flags & MSG_F_FROZEN));
}
END_TEST

/* Trap 5: the ACL value is counted bytes, may hold newlines and lines
 * that look like options or tree lines. */
START_TEST(acl_value_spans_lines)
{
	const char *f =
	    "1tSm9Y-000W7E-84-H\n"
	    "root 0 0\n"
	    "<a@b>\n"
	    "1735689600 1\n"
	    "-aclm _x 16\n"
	    "-frozen 1\nXX\n-lo\n"
	    "-aclc 0 3\n"
	    "yes\n"
	    "-frozen 1735690000\n"
	    "XX\n"
	    "1\n"
	    "c@d\n"
	    "\n";

	ck_assert_msg(parse(f, "1tSm9Y-000W7E-84") == 0, "%s", err);
	ck_assert_uint_eq(h.nopts, 3);
	ck_assert(seq(h.opts[0].name, "aclm"));
	ck_assert(seq(h.opts[0].var, "_x"));
	ck_assert(seq(h.opts[0].value, "-frozen 1\nXX\n-lo"));
	ck_assert(seq(h.opts[1].value, "yes"));
	ck_assert(h.flags & MSG_F_FROZEN);
	ck_assert_int_eq(h.frozen_at, 1735690000);
	ck_assert_int_eq(h.warnings, 1);
	ck_assert_uint_eq(h.nhdrs, 0);
}
END_TEST

/* Taint markers and lookup quoters (4.93+, 4.96+); unknown options. */
START_TEST(option_prefixes)
{
	const char *f =
	    "1tSm9Y-000W7E-84-H\n"
	    "user name with spaces -5 -7\n"
	    "<>\n"
	    "1735689600 0\n"
	    "--(pgsql)helo_name x y\n"
	    "--host_address 192.0.2.1.25\n"
	    "-some_future_option with value\n"
	    "-manual_thaw\n"
	    "-localerror\n"
	    "XX\n"
	    "0\n"
	    "\n";

	ck_assert_msg(parse(f, NULL) == 0, "%s", err);
	ck_assert(seq(h.login, "user name with spaces"));
	ck_assert_int_eq(h.uid, -5);
	ck_assert_int_eq(h.gid, -7);
	ck_assert_uint_eq(h.sender.len, 0);
	ck_assert(seq(h.helo_name, "x y"));
	ck_assert(h.opts[0].tainted);
	ck_assert(seq(h.host_address, "192.0.2.1.25"));
	ck_assert(h.flags & MSG_F_THAWED);
	ck_assert(h.flags & MSG_F_LOCALERR);
	ck_assert_int_eq(h.usec, -1);
}
END_TEST

/* Trap 8 and 3.3: a tree with children, read as a set (a tree as Exim
 * writes it: ordered, so that its search finds every entry). */
START_TEST(tree_preorder)
{
	const char *f =
	    "1tSm9Y-000W7E-84-H\n"
	    "root 0 0\n"
	    "<a@b>\n"
	    "1735689600 0\n"
	    "YY darcy@austen.fict.example\n"
	    "NN alice@wonderland.fict.example\n"
	    "NY editor@thesaurus.ref.example\n"
	    "NN system-filter\n"
	    "2\n"
	    "darcy@austen.fict.example\n"
	    "x@y\n"
	    "\n";

	ck_assert_msg(parse(f, NULL) == 0, "%s", err);
	ck_assert_uint_eq(h.ntree, 4);
	ck_assert(seq(h.tree[3], "system-filter"));
	ck_assert_uint_eq(h.nrcpts, 2);
}
END_TEST

/* Trap 6: recipient lines, decoded from the right. */
static const struct {
	const char *line, *addr, *orcpt, *errors_to;
	int pno, dsn;
} rcpt_cases[] = {
	{ "plain@example.net", "plain@example.net", "", "", -1, 0 },
	{ "user@host1", "user@host1", "", "", -1, 0 },
	{ "\"a b\"@example.net", "\"a b\"@example.net", "", "", -1, 0 },
	{ "old@x 1,2,3", "old@x", "", "", -1, 0 },
	{ "early@x 4", "early@x", "", "", 4, 0 },
	{ "carol@example.net rfc822;carol@example.net 24,12  0,-1#3",
	  "carol@example.net", "rfc822;carol@example.net", "", -1, 12 },
	{ "\"sp ace\"@x rfc822;o 8,4 err@x y 7,2#3",
	  "\"sp ace\"@x", "rfc822;o", "err@x y", 2, 4 },
	/* Exim 4.96 cuts one character more after a #1 errors_to: its
	 * "-bp" lists "dsn1@" (tests/exim/test_hostile.sh). */
	{ "dsn1@x err@z 5,0#1", "dsn1@", "", "err@z", 0, 0 },
};

START_TEST(rcpt_lines)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n"
	    "1735689600 0\nXX\n1\n%s\n\n", rcpt_cases[_i].line);
	ck_assert_msg(parse(buf, NULL) == 0, "%s: %s", rcpt_cases[_i].line,
	    err);
	ck_assert_uint_eq(h.nrcpts, 1);
	ck_assert_msg(seq(h.rcpts[0].addr, rcpt_cases[_i].addr), "%s: %.*s",
	    rcpt_cases[_i].line, (int)h.rcpts[0].addr.len, h.rcpts[0].addr.p);
	ck_assert(seq(h.rcpts[0].orcpt, rcpt_cases[_i].orcpt));
	ck_assert(seq(h.rcpts[0].errors_to, rcpt_cases[_i].errors_to));
	ck_assert_int_eq(h.rcpts[0].pno, rcpt_cases[_i].pno);
	ck_assert_int_eq(h.rcpts[0].dsnflags, rcpt_cases[_i].dsn);
}
END_TEST

/* Traps 1-4: 4-digit lengths, folded headers, deleted headers, the flag
 * space plus the separator space. */
START_TEST(headers_long_and_deleted)
{
	char *big, *f;
	size_t n = 1200, len;

	big = malloc(n + 1);
	memset(big, 'x', n);
	memcpy(big, "X-Big: ", 7);
	big[n - 1] = '\n';
	big[n] = '\0';
	f = malloc(n + 512);
	len = (size_t)snprintf(f, n + 512,
	    "1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1735689600 0\nXX\n0\n\n"
	    "%04zu  %s"
	    "009* X-Old: 1\n"
	    "018  Subject: a\n\tb c d\n", n, big);
	ck_assert_msg(spool_parse_buf(f, len, NULL, &h, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_eq(h.nhdrs, 3);
	ck_assert_uint_eq(h.hdrs[0].text.len, n);
	ck_assert_int_eq(h.hdrs[1].flag, '*');
	ck_assert(seq(h.hdrs[2].text, "Subject: a\n\tb c d\n"));
	ck_assert_int_eq(h.hdr_bytes, (int64_t)n + 18);
	free(big);
	free(f);
}
END_TEST

START_TEST(rejects_malformed)
{
	static const char *bad[] = {
		"",
		"1tSm9Y-000W7E-84-H\n",
		"1tSm9Y-000W7E-85-H\nroot 0 0\n<a@b>\n1 0\nXX\n0\n\n",
		"1tSm9Y-000W7E-84-H\nroot 0\n<a@b>\n1 0\nXX\n0\n\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\na@b\n1 0\nXX\n0\n\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\nx 0\nXX\n0\n\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1 0\nYY a\nNN b\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1 0\nXX\n2\na@b\n\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1 0\nXX\n1\na@b\nx\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1 0\nXX\n0\n\n099  S: x\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1 0\nXX\n0\n\nx\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1 0\n-aclm _x 99\nab\n",
		"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1 0\nXX\n99999\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i], "1tSm9Y-000W7E-84") == -1,
		    "case %zu parsed", i);
		ck_assert_msg(err[0] != '\0', "case %zu: no reason", i);
	}
}
END_TEST

/* A NUL in the headers (crash residue) is a format error. */
START_TEST(nul_in_headers)
{
	char f[] = "1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1 0\nXX\n0\n\n"
	    "010  X-A: 12\n";

	f[sizeof(f) - 4] = '\0';
	ck_assert_int_eq(spool_parse_buf(f, sizeof(f) - 1, NULL, &h, err,
	    sizeof(err)), -1);
}
END_TEST

/* Every truncation of a valid file fails cleanly or parses; never reads
 * outside the buffer (each prefix is copied to an exact-size heap block,
 * so ASan catches any overread). */
START_TEST(truncated_everywhere)
{
	size_t len = strlen(example_h), i;
	char *p;

	for (i = 0; i < len; i++) {
		p = malloc(i ? i : 1);
		memcpy(p, example_h, i);
		(void)spool_parse_buf(p, i, "1tSm9Y-00000000W7E-132G", &h, err,
		    sizeof(err));
		free(p);
	}
	/* The full file minus its last byte must fail: a header is short. */
	p = malloc(len - 1);
	memcpy(p, example_h, len - 1);
	ck_assert_int_eq(spool_parse_buf(p, len - 1, NULL, &h, err,
	    sizeof(err)), -1);
	free(p);
}
END_TEST

START_TEST(garbage_never_crashes)
{
	unsigned seed = 12345;
	size_t n, i, k;
	char *p;

	for (k = 0; k < 3000; k++) {
		n = (size_t)(rand_r(&seed) % 600);
		p = malloc(n ? n : 1);
		/* Start from the example, then flip bytes. */
		memcpy(p, example_h, n < strlen(example_h) ? n :
		    strlen(example_h));
		for (i = strlen(example_h); i < n; i++)
			p[i] = (char)rand_r(&seed);
		for (i = 0; i < 8 && n > 0; i++)
			p[rand_r(&seed) % n] = (char)rand_r(&seed);
		(void)spool_parse_buf(p, n, NULL, &h, err, sizeof(err));
		free(p);
	}
}
END_TEST

START_TEST(id_validation)
{
	ck_assert(spool_id_valid("1tSm9Y-00000000W7E-132G", 23));
	ck_assert(spool_id_valid("1tSm9Y-000W7E-84", 16));
	ck_assert(!spool_id_valid("1tSm9Y-000W7E-8", 15));
	ck_assert(!spool_id_valid("1tSm9Y_000W7E-84", 16));
	ck_assert(!spool_id_valid("1tSm9Y-000W7E;84", 16));
	ck_assert(!spool_id_valid("../../etc/passw", 16));
	ck_assert(!spool_id_valid("1tSm9Y-00000000W7E-13$G", 23));
	ck_assert_int_eq(spool_id_time("1tSm9Y-00000000W7E-132G"), 1735689600);
}
END_TEST

/* ---- The scanner, on a spool built in a temporary directory ---- */

static char tmpdir[256];

static void
put(const char *rel, const char *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void
mk(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void
rmtree(void)
{
	char cmd[600];

	/* Test scaffolding only: the scanner never deletes anything. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct spool_snap *part;

static void
take_part(void *arg, struct spool_snap *p)
{
	(void)arg;
	part = p;
}

START_TEST(scan_flat_and_split)
{
	struct spool_snap *s;
	const struct spool_msg *m;
	char buf[1024], body[64], ab[SPOOL_ADDR_BUF];
	int n;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxtop-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	mk("input");
	mk("input/Y");
	mk("input/q");		/* an empty split directory */
	/* A split message with a -J naming one recipient delivered. */
	put("input/Y/1tSm9Y-00000000W7E-132G-H", example_h,
	    strlen(example_h));
	n = snprintf(body, sizeof(body), "1tSm9Y-00000000W7E-132G-D\nhello\n");
	put("input/Y/1tSm9Y-00000000W7E-132G-D", body, (size_t)n);
	put("input/Y/1tSm9Y-00000000W7E-132G-J", "carol@example.net\n", 18);
	/* A flat old-id message with a tree entry, frozen. */
	n = snprintf(buf, sizeof(buf), "1tSm9X-000W7E-84-H\nroot 0 0\n<>\n"
	    "1735689599 0\n-frozen 1735689700\nNN B@Example.COM\n2\n"
	    "B@Example.COM\nc@Example.COM\n\n007  X-A: 1\n");
	put("input/1tSm9X-000W7E-84-H", buf, (size_t)n);
	put("input/1tSm9X-000W7E-84-D", "1tSm9X-000W7E-84-D\nab\n", 22);
	/* A malformed one, a transient, an orphan -D and a stray file. */
	put("input/1tSm9Z-000W7E-84-H", "garbage\n", 8);
	put("input/hdr.1tSm9Z-000W7E-85", "x", 1);
	put("input/1tSm9Z-000W7E-99-D", "1tSm9Z-000W7E-99-D\n", 19);
	put("input/README", "x", 1);

	{
		/* The oldest first, as a partial snapshot of their own. */
		struct spool_scan_opts o = { .partial = take_part,
		    .partial_n = 2, .threads = 2 };

		s = spool_scan(tmpdir, &o, err, sizeof(err));
		ck_assert_ptr_nonnull(part);
		ck_assert_uint_eq(part->nmsgs, 2);
		ck_assert_uint_eq(part->nlisted, 3);
		ck_assert_str_eq(part->msgs[0].id, "1tSm9X-000W7E-84");
		spool_snap_free(part);
		part = NULL;
		spool_snap_free(s);
	}
	s = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nmsgs, 3);
	ck_assert_uint_eq(s->nlisted, 3);
	ck_assert_uint_eq(s->nbad, 1);
	ck_assert_uint_eq(s->norphans, 1);
	ck_assert(s->split);
	/* Sorted by arrival: X, Y, Z. */
	ck_assert_str_eq(s->msgs[0].id, "1tSm9X-000W7E-84");
	ck_assert_str_eq(s->msgs[1].id, "1tSm9Y-00000000W7E-132G");
	ck_assert_ptr_eq(spool_find(s, "1tSm9Y-00000000W7E-132G"), &s->msgs[1]);
	ck_assert_ptr_eq(spool_find(s, "1tSm9Z-000W7E-84"), &s->msgs[2]);
	ck_assert_ptr_null(spool_find(s, "1tSm9Z-000W7E-85"));
	m = &s->msgs[0];
	ck_assert_str_eq(spool_msg_sender(m), "");
	ck_assert(m->flags & MSG_F_FROZEN);
	ck_assert_uint_eq(m->nrcpt, 2);
	ck_assert_uint_eq(m->npending, 1);
	ck_assert_int_eq(s->rcpts[m->rcpt0].state, RCPT_DELIVERED);
	ck_assert_str_eq(spool_rcpt_domain(s, &s->rcpts[m->rcpt0 + 1]),
	    "example.com");
	/* Size as exim -bp: live headers + body after the id line + 1. */
	ck_assert_int_eq(m->size, 7 + 3 + 1);
	m = &s->msgs[1];
	ck_assert_int_eq(m->subdir, 'Y');
	ck_assert(m->flags & MSG_F_JOURNAL);
	ck_assert_uint_eq(m->npending, 1);
	ck_assert_str_eq(spool_rcpt_addr(s, &s->rcpts[m->rcpt0], ab),
	    "bob@example.net");
	ck_assert_int_eq(s->rcpts[m->rcpt0 + 1].state, RCPT_DELIVERED);
	ck_assert_int_eq(m->size, 332 + 6 + 1);
	ck_assert_int_eq(m->usec, 250000);
	/* The host's IP, as $sender_host_address: no port. */
	ck_assert_str_eq(m->host, "192.0.2.10");
	ck_assert_str_eq(spool_msg_sender(m), "alice@sender.example");
	ck_assert_ptr_null(spool_msg_bad(m));
	m = &s->msgs[2];
	ck_assert(m->flags & MSG_F_BADFILE);
	ck_assert_ptr_nonnull(spool_msg_bad(m));
	ck_assert_ptr_null(spool_msg_sender(m));
	ck_assert_ptr_null(m->host);
	ck_assert_int_eq(m->arrival, spool_id_time("1tSm9Z-000W7E-84"));
	spool_snap_free(s);
	rmtree();
}
END_TEST

/* The lock probe sees a lock Exim would hold, and takes none itself. */
/* A recipient's address reads back as its -H wrote it, whether the
 * record keeps its local part only (the domain part is the domain's
 * name as interned) or the whole address; a refresh that reads a new
 * -J (rejournal) joins them the same way. */
START_TEST(rcpt_addr_forms)
{
	static const struct {
		const char *addr, *domain;
		int local;
	} want[] = {
		{ "bob@example.net", "example.net", 1 },
		{ "Carol@Example.COM", "example.com", 0 },	/* case */
		{ "postmaster", "", 0 },			/* no @ */
		{ "\"a@b\"@example.org", "example.org", 1 },	/* last @ */
		{ "@example.net", "example.net", 1 },
		{ "dave@example.net", "example.net", 1 },
		{ NULL, "example.net", 0 },		/* too long to join */
	};
	enum { N = sizeof(want) / sizeof(want[0]) };
	char longa[400], buf[2048], ab[SPOOL_ADDR_BUF], why[256];
	struct spool_snap *s, *t = NULL;
	const struct spool_msg *m;
	size_t i;
	int n;

	memset(longa, 'x', sizeof(longa));
	memcpy(longa + sizeof(longa) - 13, "@example.net", 13);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxtop-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	mk("input");
	n = snprintf(buf, sizeof(buf), "1tSm9W-000W7E-84-H\nroot 0 0\n"
	    "<a@sender.example>\n1735689599 0\nXX\n%d\n", (int)N);
	for (i = 0; i < N; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s\n",
		    want[i].addr ? want[i].addr : longa);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\n007  X-A: 1\n");
	put("input/1tSm9W-000W7E-84-H", buf, (size_t)n);
	put("input/1tSm9W-000W7E-84-D", "1tSm9W-000W7E-84-D\nab\n", 22);
	s = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nmsgs, 1);
	m = &s->msgs[0];
	ck_assert_uint_eq(m->nrcpt, N);
	for (i = 0; i < N; i++) {
		const struct spool_rcpt *r = &s->rcpts[m->rcpt0 + i];

		ck_assert_str_eq(spool_rcpt_addr(s, r, ab),
		    want[i].addr ? want[i].addr : longa);
		ck_assert_str_eq(spool_rcpt_domain(s, r), want[i].domain);
		ck_assert_int_eq(r->local, want[i].local);
	}
	ck_assert_str_eq(s->rcpts[m->rcpt0].part, "bob");
	/* A -J naming two of them: the refresh reads it and marks them. */
	put("input/1tSm9W-000W7E-84-J", "\"a@b\"@example.org\n"
	    "dave@example.net\n", 35);
	ck_assert_int_eq(spool_refresh(s, NULL, &t, err, sizeof(err)), 1);
	m = &t->msgs[0];
	ck_assert_uint_eq(m->npending, N - 2);
	ck_assert_int_eq(t->rcpts[m->rcpt0 + 3].state, RCPT_DELIVERED);
	ck_assert_int_eq(t->rcpts[m->rcpt0 + 5].state, RCPT_DELIVERED);
	ck_assert_int_eq(t->rcpts[m->rcpt0 + 4].state, RCPT_PENDING);
	spool_snap_free(s);
	s = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(spool_snap_diff(s, t, why, sizeof(why)) == 0, "%s", why);
	spool_snap_free(s);
	spool_snap_free(t);
	rmtree();
}
END_TEST

START_TEST(scan_sees_active_lock)
{
	struct spool_snap *s;
	struct flock fl;
	char path[512];
	int fd, p[2], n;
	char c;
	pid_t pid;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxtop-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	mk("input");
	put("input/1tSm9Y-00000000W7E-132G-H", example_h, strlen(example_h));
	put("input/1tSm9Y-00000000W7E-132G-D", "1tSm9Y-00000000W7E-132G-D\n",
	    26);
	snprintf(path, sizeof(path), "%s/input/1tSm9Y-00000000W7E-132G-D",
	    tmpdir);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		/* A stand-in for a delivering Exim: lock the first line. */
		fd = open(path, O_RDWR);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_len = 26;
		if (fcntl(fd, F_SETLK, &fl) < 0)
			_exit(1);
		n = (int)write(p[1], "x", 1);
		(void)n;
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	s = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nmsgs, 1);
	ck_assert(s->msgs[0].flags & MSG_F_ACTIVE);
	ck_assert_uint_eq(s->nactive, 1);
	spool_snap_free(s);
	kill(pid, SIGKILL);	/* Check traps SIGTERM. */
	waitpid(pid, NULL, 0);
	/* Unlocked now: no longer active, and the scan left no lock. */
	s = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert(!(s->msgs[0].flags & MSG_F_ACTIVE));
	spool_snap_free(s);
	fd = open(path, O_RDWR);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_len = 26;
	ck_assert_int_eq(fcntl(fd, F_SETLK, &fl), 0);
	close(fd);
	rmtree();
}
END_TEST

START_TEST(scan_missing_spool)
{
	ck_assert_ptr_null(spool_scan("/nonexistent/mxtop", NULL, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/mxtop/input"));
}
END_TEST

/* The committed sample spool scans with no bad file. */
START_TEST(scan_sample_spool)
{
	const char *dir = getenv("MXTOP_SAMPLE");
	struct spool_snap *s;

	if (dir == NULL)
		dir = "sample-spool";
	s = spool_scan(dir, NULL, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_uint_gt(s->nmsgs, 100);
	ck_assert_uint_eq(s->nbad, 0);
	spool_snap_free(s);
}
END_TEST

/* ---- Exim's own reading rules (tests/exim/test_hostile.sh compares
 * with Exim 4.96; each case here is one rule it showed) ---- */

#define ENV	"1tSm9Y-000W7E-84-H\nroot 0 0\n<a@b>\n1735689600 0\n"
#define TAIL	"XX\n1\nc@d\n\n"
#define F(s)	s, sizeof(s) - 1

static const struct {
	const char	*what, *file;
	size_t		 len;
	int		 rc;		/* 0 or -1 */
	const char	*rcpt0;		/* first recipient, or NULL */
	int		 ntree;		/* entries found, or -1 */
} exim_cases[] = {
	{ "NUL in an option line", F(ENV "-received_protocol es\0mtp\n"
	  TAIL), -1, NULL, -1 },
	{ "NUL at the end of an option line", F(ENV "-body_linecount 1\0\n"
	  TAIL), -1, NULL, -1 },
	{ "NUL in a recipient line", F(ENV "XX\n1\nc@\0d\n\n"), -1, NULL,
	  -1 },
	{ "NUL in the first tree line", F(ENV "NN c@\0d\n1\nc@d\n\n"), -1,
	  NULL, -1 },
	{ "NUL in a later tree line ends it", F(ENV "YN c@d\nNN b@\0x\n1\n"
	  "c@d\n\n"), 0, "c@d", 2 },
	{ "owner line: NUL, then junk", F("1tSm9Y-000W7E-84-H\nroot 0 0\0x\n"
	  "<a@b>\n1 0\n" TAIL), 0, "c@d", 0 },
	{ "owner line: trailing white space", F("1tSm9Y-000W7E-84-H\n"
	  "root 0 0 \t\r\n<a@b>\n1 0\n" TAIL), 0, "c@d", 0 },
	{ "owner line: numbers as atoi() reads them", F("1tSm9Y-000W7E-84-H\n"
	  "root 0-1 5-7\n<a@b>\n1 0\n" TAIL), 0, NULL, -1 },
	{ "owner line: no space before the uid", F("1tSm9Y-000W7E-84-H\n"
	  "0 0\n<a@b>\n1 0\n" TAIL), -1, NULL, -1 },
	{ "sender line not starting with <", F("1tSm9Y-000W7E-84-H\n"
	  "root 0 0\nx<a@b>\n1 0\n" TAIL), -1, NULL, -1 },
	{ "sender line: > before the last character", F("1tSm9Y-000W7E-84-H\n"
	  "root 0 0\n<a@b>x\0yy\n1 0\n" TAIL), 0, NULL, -1 },
	{ "time line as sscanf() reads it", F("1tSm9Y-000W7E-84-H\n"
	  "root 0 0\n<a@b>\n +17\t-3xyz\n" TAIL), 0, NULL, -1 },
	{ "-frozen without a time", F(ENV "-frozen\n" TAIL), -1, NULL, -1 },
	{ "-frozen is a prefix", F(ENV "-frozenabc 5\n" TAIL), -1, NULL, -1 },
	{ "a quoter naming no lookup type", F(ENV "--(bogus)helo_name x\n"
	  TAIL), -1, NULL, -1 },
	{ "an empty quoter", F(ENV "--()helo_name x\n" TAIL), -1, NULL, -1 },
	{ "a quoter and nothing else", F(ENV "--(lsearch)\n" TAIL), 0, NULL,
	  -1 },
	{ "-aclm: the name ends at the first space", F(ENV "-aclm _x y 3\n"
	  "yes\n" TAIL), -1, NULL, -1 },
	{ "-aclm: Exim reads length + 1 bytes, whatever they are",
	  F(ENV "-aclm _x 2\nabc-local\n" TAIL), 0, "c@d", -1 },
	{ "-aclm: junk after the length", F(ENV "-aclm _x 3abc\nyes\n" TAIL),
	  0, NULL, -1 },
	{ "-aclm: a negative length", F(ENV "-aclm _x -5\nab\n" TAIL), -1,
	  NULL, -1 },
	{ "-acl: index out of range", F(ENV "-acl 25 3\nyes\n" TAIL), -1,
	  NULL, -1 },
	{ "tree flags other than Y mean no child", F(ENV "ab c@d\n1\nc@d\n"
	  "\n"), 0, "c@d", 1 },
	{ "a tree entry out of order cannot be found", F(ENV "NY m@x\n"
	  "NN c@d\n1\nc@d\n\n"), 0, "c@d", 1 },
	{ "recipient count as sscanf() reads it", F(ENV "XX\n 1abc\nc@d\n"
	  "\n"), 0, "c@d", 0 },
	{ "recipient count wraps as an int", F(ENV "XX\n4294967297\nc@d\n"
	  "\n"), 0, "c@d", 0 },
	{ "negative recipient count", F(ENV "XX\n-1\n\n"), -1, NULL, -1 },
	{ "empty recipient line", F(ENV "XX\n1\n\n\n"), -1, NULL, -1 },
	{ "recipient with a trailing space", F(ENV "XX\n1\nc@d \n\n"), 0,
	  "c@d", -1 },
	{ "errors_to longer than the line", F(ENV "XX\n1\nc@d e 500,0#1\n"
	  "\n"), 0, "c@d e", -1 },
	{ "#3 with nothing before it (Exim crashes)", F(ENV "XX\n1\n"
	  "c@d #3\n\n"), -1, NULL, -1 },
	{ "# without flags (Exim crashes)", F(ENV "XX\n1\nc@d#\n\n"), -1,
	  NULL, -1 },
	{ "any byte is a header flag", F(ENV TAIL "016\nSubject: Report\n"),
	  0, NULL, -1 },
	{ "any white space after the flag is skipped", F(ENV TAIL
	  "016    Subject: Report\n"), 0, NULL, -1 },
	{ "a length of 0 at the end of the file", F(ENV TAIL
	  "016  Subject: Report\n0"), 0, NULL, -1 },
	{ "000F at the end of the file", F(ENV TAIL "000F"), 0, NULL, -1 },
	{ "a header length that wraps to -1", F(ENV TAIL
	  "4294967295  Subject: Report\n"), -1, NULL, -1 },
	{ "a header length that wraps to 5", F(ENV TAIL "4294967301  abcd\n"),
	  0, NULL, -1 },
};

START_TEST(exim_rules)
{
	int rc = spool_parse_buf(exim_cases[_i].file, exim_cases[_i].len,
	    "1tSm9Y-000W7E-84", &h, err, sizeof(err));

	ck_assert_msg(rc == exim_cases[_i].rc, "%s: rc %d (%s)",
	    exim_cases[_i].what, rc, err);
	if (rc == 0 && exim_cases[_i].rcpt0 != NULL)
		ck_assert_msg(h.nrcpts > 0 && seq(h.rcpts[0].addr,
		    exim_cases[_i].rcpt0), "%s: %.*s", exim_cases[_i].what,
		    (int)(h.nrcpts ? h.rcpts[0].addr.len : 0),
		    h.nrcpts ? h.rcpts[0].addr.p : "");
	if (rc == 0 && exim_cases[_i].ntree >= 0)
		ck_assert_msg(h.ntree == (size_t)exim_cases[_i].ntree,
		    "%s: %zu tree entries", exim_cases[_i].what, h.ntree);
}
END_TEST

/* Values as Exim reads them. */
START_TEST(exim_values)
{
	ck_assert_int_eq(parse("1tSm9Y-000W7E-84-H\nroot 0-1 5-7\n<a@b>\n"
	    " +17\t-3xyz\n-frozen   1735690000\nXX\n0\n\n", NULL), 0);
	ck_assert_int_eq(h.uid, 0);
	ck_assert_int_eq(h.gid, 5);
	ck_assert(seq(h.sender, "a@b"));
	ck_assert_int_eq(h.received, 17);
	ck_assert_int_eq(h.warnings, -3);
	ck_assert(h.flags & MSG_F_FROZEN);
	ck_assert_int_eq(h.frozen_at, 1735690000);
	/* An ordered tree, two deep, and one entry hidden on the wrong
	 * side: "b" is left of "c", so under "d"'s right it is lost. */
	ck_assert_int_eq(parse(ENV "YY c@x\nNN a@x\nYN d@x\nNN b@x\n0\n\n",
	    NULL), 0);
	ck_assert_uint_eq(h.ntree, 3);
	ck_assert(seq(h.tree[2], "d@x"));
}
END_TEST

/* Line lengths: 16 KiB lines where Exim uses fgets(), 64 KiB where it
 * grows its buffer, and a grown buffer stays grown. */
static char *
with_line(const char *pre, char fill, size_t n, const char *post,
    size_t *len)
{
	size_t a = strlen(pre), b = strlen(post);
	char *f = malloc(a + n + b + 1);

	memcpy(f, pre, a);
	memset(f + a, fill, n);
	memcpy(f + a + n, post, b + 1);
	*len = a + n + b;
	return f;
}

START_TEST(exim_line_lengths)
{
	static const struct {
		const char	*pre;
		size_t		 n;
		const char	*post;
		int		 rc;
	} c[] = {
		{ "1tSm9Y-000W7E-84-H\nr", 16370, " 0 0\n<a@b>\n1 0\n" TAIL,
		  0 },
		{ "1tSm9Y-000W7E-84-H\nr", 20000, " 0 0\n<a@b>\n1 0\n" TAIL,
		  -1 },
		{ ENV "-x_future ", 40000, "\n" TAIL, 0 },
		{ ENV "-x_future ", 65524, "\n" TAIL, 0 },
		{ ENV "-x_future ", 65525, "\n" TAIL, -1 },
		{ ENV "YN c@d\nNN b", 20000, "\n1\nc@d\n\n", -1 },
		{ ENV "XX\n1\nc", 40000, "@d\n\n", 0 },
	};
	size_t len, i;
	char *f;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		f = with_line(c[i].pre, 'x', c[i].n, c[i].post, &len);
		ck_assert_msg(spool_parse_buf(f, len, NULL, &h, err,
		    sizeof(err)) == c[i].rc, "case %zu: %s", i, err);
		free(f);
	}
	/* After a 30 KiB option, later fgets() lines may be longer. */
	{
		char *a, *g;
		size_t la, lb;

		a = with_line(ENV "-x_future ", 'x', 30000, "\nYN c@d\nNN b",
		    &la);
		g = with_line("", 'x', 20000, "\n1\nc@d\n\n", &lb);
		f = malloc(la + lb + 1);
		memcpy(f, a, la);
		memcpy(f + la, g, lb + 1);
		ck_assert_msg(spool_parse_buf(f, la + lb, NULL, &h, err,
		    sizeof(err)) == 0, "%s", err);
		free(a);
		free(g);
		free(f);
	}
}
END_TEST

/* ---- The scan at the floor (issue 13) ---- */

/* list --format ids reads no file: the same ids, in the same order. */
START_TEST(scan_ids_only)
{
	const char *dir = getenv("MXTOP_SAMPLE");
	struct spool_scan_opts o = { .ids_only = 1 };
	struct spool_snap *s, *i;
	size_t k;

	if (dir == NULL)
		dir = "sample-spool";
	s = spool_scan(dir, NULL, err, sizeof(err));
	i = spool_scan(dir, &o, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(i);
	ck_assert_uint_eq(i->nmsgs, s->nmsgs);
	for (k = 0; k < s->nmsgs; k++) {
		ck_assert_str_eq(i->msgs[k].id, s->msgs[k].id);
		ck_assert_uint_eq(i->msgs[k].nrcpt, 0);
		ck_assert_int_eq(i->msgs[k].arrival,
		    spool_id_time(i->msgs[k].id));
	}
	ck_assert_ptr_eq(spool_find(i, s->msgs[0].id), &i->msgs[0]);
	spool_snap_free(s);
	spool_snap_free(i);
}
END_TEST

/* Names that are no regular file are flagged from the listing, without
 * opening them (a FIFO would block a reader). */
START_TEST(scan_special_files)
{
	struct spool_snap *s;
	char path[512];
	size_t k;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxtop-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	mk("input");
	snprintf(path, sizeof(path), "%s/input/1tSm9A-000W7E-01-H", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	mk("input/1tSm9B-000W7E-02-H");
	snprintf(path, sizeof(path), "%s/input/1tSm9C-000W7E-03-H", tmpdir);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	put("input/1tSm9Y-00000000W7E-132G-H", example_h, strlen(example_h));
	s = spool_scan(tmpdir, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nmsgs, 4);
	ck_assert_uint_eq(s->nbad, 3);
	for (k = 0; k < 3; k++) {
		ck_assert(s->msgs[k].flags & MSG_F_BADFILE);
		ck_assert_ptr_nonnull(spool_msg_bad(&s->msgs[k]));
	}
	ck_assert(!(s->msgs[3].flags & MSG_F_BADFILE));
	spool_snap_free(s);
	rmtree();
}
END_TEST

static atomic_int cancel_flag;

static void
cancel_now(void *arg)
{
	(void)arg;
	atomic_store(&cancel_flag, 1);
}

/* A scan told to stop (the TUI quitting during its first load) stops
 * within 256 messages a reader and hands nothing over. */
START_TEST(scan_cancelled)
{
	struct spool_snap *s;
	atomic_size_t done;
	char name[64], buf[256];
	unsigned i;
	int n;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxtop-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	mk("input");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "input/1tSm9X-%06u-84-H", i);
		n = snprintf(buf, sizeof(buf), "1tSm9X-%06u-84-H\nroot 0 0\n"
		    "<>\n1735689599 0\nNN b@example.com\n1\nb@example.com\n"
		    "\n007  X-A: 1\n", i);
		put(name, buf, (size_t)n);
	}
	{
		struct spool_scan_opts o = { .threads = 1, .done = &done,
		    .listed = cancel_now, .cancel = &cancel_flag };

		atomic_store(&done, 0);
		atomic_store(&cancel_flag, 0);
		err[0] = '\0';
		ck_assert_ptr_null(spool_scan(tmpdir, &o, err, sizeof(err)));
		ck_assert_str_eq(err, "cancelled");
		/* The reader looked at the flag after its first 256. */
		ck_assert_uint_eq(atomic_load(&done), 256);
	}
	{
		struct spool_scan_opts o = { .threads = 2, .done = &done,
		    .cancel = &cancel_flag };

		atomic_store(&done, 0);
		atomic_store(&cancel_flag, 0);
		s = spool_scan(tmpdir, &o, err, sizeof(err));
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->nmsgs, 1000);
		ck_assert_uint_eq(atomic_load(&done), 1000);
		ck_assert_uint_eq(s->nbad, 0);
		spool_snap_free(s);
	}
	rmtree();
}
END_TEST

/* exim -bp order: the time, the sub-second part, then the whole id. */
static const char *
host_ip(const char *ha)
{
	static char buf[64];
	struct spool_str s = { ha, strlen(ha) }, ip = spool_host_ip(s);

	snprintf(buf, sizeof(buf), "%.*s", (int)ip.len, ip.p);
	return buf;
}

/* What a record keeps: the host's IP of both -host_address forms, the
 * inodes and times as 32-bit numbers. */
/* The lock table as /proc/locks gives it (proc(5)): a lock on the -D's
 * first line by device and inode; where the table cannot tell (the
 * same inode on a device numbered otherwise, only the 32-bit fold of a
 * 64-bit inode, as xfs or btrfs have) the answer is "ask F_GETLK". */
START_TEST(lock_table)
{
	static const char locks[] =
	    "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 25\n"
	    "1: -> POSIX  ADVISORY  WRITE 1240 08:01:5679 0 25\n"
	    "2: FLOCK  ADVISORY  WRITE 1235 08:01:5680 0 EOF\n"
	    "3: OFDLCK ADVISORY  WRITE -1 08:01:5681 0 EOF\n"
	    "4: POSIX  ADVISORY  WRITE 1236 08:01:5682 100 200\n"
	    "5: POSIX  ADVISORY  WRITE 1237 00:2a:5683 0 25\n"
	    "6: POSIX  ADVISORY  WRITE 1238 fd:03:4294967298 0 25\n"
	    "7: POSIX  ADVISORY  WRITE 1239 08:01:7 0 25\n"
	    "8: POSIX  ADVISORY  WRITE 1239 08:01:4294967302 0 25\n"
	    "9: POSIX  ADVISORY  WRITE 1241 08:01:notanumber 0 25\n"
	    "garbage\n"
	    "10: POSIX  ADVISORY  WRITE 1242 08:01:5690 0 25";	/* no \n */
	dev_t sda1 = makedev(8, 1), dm3 = makedev(0xfd, 3);
	struct locktab *t = locktab_parse(locks, sizeof(locks) - 1);

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(locktab_held(t, sda1, 5678, 25), 1);
	ck_assert_int_eq(locktab_held(t, sda1, 5678, 0), 0);	/* [0,0) */
	ck_assert_int_eq(locktab_held(t, sda1, 5679, 25), 0);	/* waits */
	ck_assert_int_eq(locktab_held(t, sda1, 5680, 25), 0);	/* flock */
	ck_assert_int_eq(locktab_held(t, sda1, 5681, 25), 1);
	ck_assert_int_eq(locktab_held(t, sda1, 5682, 25), 0);	/* further */
	ck_assert_int_eq(locktab_held(t, sda1, 5682, 101), 1);
	ck_assert_int_eq(locktab_held(t, sda1, 5683, 25), -1);	/* device */
	ck_assert_int_eq(locktab_held(t, sda1, 5690, 25), 1);
	ck_assert_int_eq(locktab_held(t, sda1, 5691, 25), 0);
	/* 2^32 + 2 folds to 3: never "held" by its fold, but ask. */
	ck_assert_uint_eq(spool_ino((ino_t)4294967298ULL), 3);
	ck_assert_int_eq(locktab_held(t, dm3, 3, 25), -1);
	ck_assert_int_eq(locktab_held(t, sda1, 3, 25), -1);
	/* 7 exactly, and 2^32 + 6 folding to 7 too: the exact one wins. */
	ck_assert_uint_eq(spool_ino((ino_t)4294967302ULL), 7);
	ck_assert_int_eq(locktab_held(t, sda1, 7, 25), 1);
	locktab_free(t);
	/* Nothing, and lines too long to be the kernel's. */
	t = locktab_parse("", 0);
	ck_assert_int_eq(locktab_held(t, sda1, 5678, 25), 0);
	locktab_free(t);
	{
		char big[1200];

		memset(big, ' ', sizeof(big));
		memcpy(big + sizeof(big) - 48,
		    "1: POSIX  ADVISORY  WRITE 1 08:01:5678 0 25\n", 44);
		t = locktab_parse(big, sizeof(big) - 4);
		ck_assert_int_eq(locktab_held(t, sda1, 5678, 25), 0);
		locktab_free(t);
	}
	/* The kernel's own table reads. */
	t = locktab_read();
	ck_assert_ptr_nonnull(t);
	locktab_free(t);
}
END_TEST

START_TEST(record_fields)
{
	ck_assert_str_eq(host_ip("[192.0.2.10]:51234"), "192.0.2.10");
	ck_assert_str_eq(host_ip("[2001:db8::1]:25"), "2001:db8::1");
	ck_assert_str_eq(host_ip("192.0.2.10.51234"), "192.0.2.10");
	ck_assert_str_eq(host_ip("2001:db8::1.25"), "2001:db8::1");
	ck_assert_str_eq(host_ip("::ffff:192.0.2.1.25"), "::ffff:192.0.2.1");
	/* Anything else whole. */
	ck_assert_str_eq(host_ip("[]:25"), "[]:25");
	ck_assert_str_eq(host_ip("[192.0.2.1"), "[192.0.2.1");
	ck_assert_str_eq(host_ip("host.example"), "host.example");
	ck_assert_str_eq(host_ip(".25"), ".25");
	ck_assert_str_eq(host_ip("x."), "x.");
	ck_assert_uint_eq(spool_ino(12345), 12345);
	ck_assert_uint_eq(spool_ino(UINT32_MAX), UINT32_MAX);
	ck_assert_uint_eq(spool_ino((ino_t)0x100000002ULL), 3);
	ck_assert_uint_eq(spool_ino((ino_t)0x100000001ULL), 1);	/* not 0 */
	ck_assert_uint_eq(spool_secs(-5), 0);
	ck_assert_uint_eq(spool_secs(1735689600), 1735689600);
	ck_assert_uint_eq(spool_secs((int64_t)1 << 40), UINT32_MAX);
	ck_assert_uint_eq(sizeof(struct spool_rcpt), 12);
}
END_TEST

/* The listing's sort on threads (halves sorted apart, then merged) puts
 * 100,000 ids, old and new forms mixed, in exim -bp's order, the same
 * order as on one thread. */
START_TEST(sort_on_threads)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz";
	struct lvec one, three;
	char id[SPOOL_ID_MAX + 1];
	unsigned long x = 12345;
	size_t i, j, n = 100000;

	memset(&one, 0, sizeof(one));
	memset(&three, 0, sizeof(three));
	for (i = 0; i < n; i++) {
		size_t len = i % 3 == 0 ? 16 : 23;

		for (j = 0; j < len; j++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			/* Few distinct seconds: the other parts decide. */
			id[j] = j < 4 ? "1tSm"[j] : b62[(x >> 33) %
			    (j < 6 ? 3 : 62)];
		}
		id[6] = id[len == 16 ? 13 : 18] = '-';
		id[len] = '\0';
		ck_assert(spool_id_valid(id, len));
		lvec_add(&one, id, len, 0);
		lvec_add(&three, id, len, 0);
	}
	lvec_sort(&one, 1);
	lvec_sort(&three, 3);
	ck_assert_uint_eq(one.n, n);
	ck_assert_uint_eq(three.n, n);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(one.v[i].id, three.v[i].id);
		if (i > 0)
			ck_assert_int_le(spool_id_cmp(three.v[i - 1].id,
			    three.v[i].id), 0);
	}
	lvec_free(&one);
	lvec_free(&three);
}
END_TEST

START_TEST(id_order)
{
	ck_assert_int_lt(spool_id_cmp("1tSm9X-000W7E-84",
	    "1tSm9Y-000000-00"), 0);
	/* Same second: the sub-second part decides, old or new id. */
	ck_assert_int_lt(spool_id_cmp("1tSm9Y-zzzzzz-00",
	    "1tSm9Y-000000-01"), 0);
	ck_assert_int_lt(spool_id_cmp("1tSm9Y-00000000W7E-0000",
	    "1tSm9Y-000W7E-01"), 0);
	ck_assert_int_lt(spool_id_cmp("1tSm9Y-000W7E-01",
	    "1tSm9Y-00000000W7E-0100"), 0);
	ck_assert_int_eq(spool_id_cmp("1tSm9Y-000W7E-01",
	    "1tSm9Y-000W7E-01"), 0);
	ck_assert_int_lt(spool_id_cmp("1tSm9Y-000W7D-01",
	    "1tSm9Y-000W7E-01"), 0);
}
END_TEST

static Suite *
spool_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, example_parses);
	tcase_add_test(tc, acl_value_spans_lines);
	tcase_add_test(tc, option_prefixes);
	tcase_add_test(tc, tree_preorder);
	tcase_add_loop_test(tc, rcpt_lines, 0,
	    sizeof(rcpt_cases) / sizeof(rcpt_cases[0]));
	tcase_add_test(tc, headers_long_and_deleted);
	tcase_add_test(tc, rejects_malformed);
	tcase_add_test(tc, nul_in_headers);
	tcase_add_test(tc, truncated_everywhere);
	tcase_add_test(tc, garbage_never_crashes);
	tcase_add_test(tc, id_validation);
	tcase_add_loop_test(tc, exim_rules, 0,
	    sizeof(exim_cases) / sizeof(exim_cases[0]));
	tcase_add_test(tc, exim_values);
	tcase_add_test(tc, exim_line_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("scan");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, scan_flat_and_split);
	tcase_add_test(tc, rcpt_addr_forms);
	tcase_add_test(tc, scan_sees_active_lock);
	tcase_add_test(tc, scan_missing_spool);
	tcase_add_test(tc, scan_sample_spool);
	tcase_add_test(tc, scan_ids_only);
	tcase_add_test(tc, scan_special_files);
	tcase_add_test(tc, scan_cancelled);
	tcase_add_test(tc, id_order);
	tcase_add_test(tc, sort_on_threads);
	tcase_add_test(tc, record_fields);
	tcase_add_test(tc, lock_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(spool_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
