/* check_export.c -- the export module: SHA-256 against FIPS vectors,
 * .eml reconstruction (deleted headers, wire format CRLF across read
 * boundaries), archives read back with libarchive, mboxrd quoting, gone
 * and unreadable messages.  Builds its own small spool in a temporary
 * directory. */
#include "out/export.h"
#include "base/sha256.h"

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exim/spool.h"
#include "model/stats.h"

/* ---- SHA-256 ---- */

static const struct {
	const char *in, *hex;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

START_TEST(sha_vectors)
{
	struct sha256 s;
	char hex[65];
	size_t i, n = strlen(vectors[_i].in);

	/* In one piece, then byte by byte. */
	sha256_init(&s);
	sha256_update(&s, vectors[_i].in, n);
	sha256_hex(&s, hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
	sha256_init(&s);
	for (i = 0; i < n; i++)
		sha256_update(&s, vectors[_i].in + i, 1);
	sha256_hex(&s, hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
}
END_TEST

START_TEST(sha_million)
{
	struct sha256 s;
	char buf[997], hex[65];
	size_t left = 1000000, n;

	memset(buf, 'a', sizeof(buf));
	sha256_init(&s);
	for (; left > 0; left -= n) {
		n = left < sizeof(buf) ? left : sizeof(buf);
		sha256_update(&s, buf, n);
	}
	sha256_hex(&s, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e"
	    "046d39ccc7112cd0");
}
END_TEST

/* ---- Formats ---- */

START_TEST(formats)
{
	enum export_format f;
	char buf[128];

	ck_assert_int_eq(export_format_parse("tar.gz", &f), 0);
	ck_assert_int_eq(f, EXPORT_TGZ);
	ck_assert_int_eq(export_format_parse("zip", &f), 0);
	ck_assert_int_eq(f, EXPORT_ZIP);
	ck_assert_int_eq(export_format_parse("rar", &f), -1);
	ck_assert_int_eq(export_format_guess("t-4711.tgz", &f), 0);
	ck_assert_int_eq(f, EXPORT_TGZ);
	ck_assert_int_eq(export_format_guess("x.tar.xz", &f), 0);
	ck_assert_int_eq(f, EXPORT_TXZ);
	ck_assert_int_eq(export_format_guess("b.mbox.gz", &f), 0);
	ck_assert_int_eq(f, EXPORT_MBOXGZ);
	ck_assert_int_eq(export_format_guess("b.mbox", &f), 0);
	ck_assert_int_eq(f, EXPORT_MBOX);
	ck_assert_int_eq(export_format_guess("ticket", &f), -1);
	ck_assert_int_eq(export_format_guess(".zip", &f), -1);
	ck_assert_str_eq(export_format_name(EXPORT_ZIP), "zip");
	ck_assert_str_eq(export_default_name(buf, sizeof(buf), "Ex/am ple.com",
	    86400), "mxtop-Ex_am_ple.com-19700102.tar.gz");
	ck_assert_str_eq(export_default_name(buf, sizeof(buf), NULL, 0),
	    "mxtop-queue-19700101.tar.gz");
}
END_TEST

/* ---- A small spool ---- */

static char dir[256];

#define ID1	"1hVDEk-0001aB-01"	/* plain, deleted header */
#define ID2	"1hVDEl-0001aC-02"	/* wire format, CRLF at 64 KB */
#define ID3	"1hVDEm-0001aD-03"	/* bad -D first line */
#define ID4	"1hVDEn-0001aE-04"	/* removed after the scan */

struct hdr {
	char		 flag;
	const char	*text;
};

static void
put(const char *name, const char *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/input/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void
write_msg(const char *id, const char *sender, int wire,
    const struct hdr *h, size_t nh, const char *body, size_t blen,
    const char *dline)
{
	char buf[8192], name[64];
	size_t o = 0, i;
	char *d;

	o += (size_t)snprintf(buf + o, sizeof(buf) - o,
	    "%s-H\nDebian-exim 102 105\n<%s>\n%lld 0\n"
	    "-received_time_usec .000000\n%s%s"
	    "XX\n2\nuser@one.example\nother@two.example\n\n", id, sender,
	    (long long)spool_id_time(id), wire ? "-spool_file_wireformat\n" :
	    "-body_linecount 3\n", "");
	for (i = 0; i < nh; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%03zu%c %s",
		    strlen(h[i].text), h[i].flag, h[i].text);
	snprintf(name, sizeof(name), "%s-H", id);
	put(name, buf, o);
	d = malloc(blen + 64);
	o = (size_t)snprintf(d, 64, "%s", dline ? dline : "");
	if (dline == NULL)
		o = (size_t)sprintf(d, "%s-D\n", id);
	memcpy(d + o, body, blen);
	snprintf(name, sizeof(name), "%s-D", id);
	put(name, d, o + blen);
	free(d);
}

static const struct hdr hdrs1[] = {
	{ 'P', "Received: from a.example\n\tby relay.test; Mon, 1 Jan 2024\n" },
	{ 'F', "From: Someone <s@a.example>\n" },
	{ '*', "X-Relay-Spam-Score: 9.9\n" },
	{ ' ', "Subject: From here\n" },
	{ ' ', "X-Relay-Spam-Score: 0.0 (relay.test)\n" },
};
static const char body1[] = "From the start\n>From quoted\nplain\n"
    ">>>From deep\nFrom";
static const char eml1[] =
    "Received: from a.example\n\tby relay.test; Mon, 1 Jan 2024\n"
    "From: Someone <s@a.example>\nSubject: From here\n"
    "X-Relay-Spam-Score: 0.0 (relay.test)\n\n"
    "From the start\n>From quoted\nplain\n>>>From deep\nFrom";

static char *body2, *eml2;
static size_t blen2, elen2;

static void
setup(void)
{
	char path[512];
	size_t i, o;
	const char *h2 = "Subject: wire\n";

	snprintf(dir, sizeof(dir), "/tmp/check_export.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/input", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	write_msg(ID1, "s@a.example", 0, hdrs1, 5, body1, strlen(body1),
	    NULL);
	/* Wire format: CRLF lines, one CR at the end of the first 64 KB
	 * read and its LF at the start of the next, a lone CR, a NUL,
	 * and a CR as the very last byte. */
	blen2 = 200000;
	body2 = malloc(blen2);
	eml2 = malloc(blen2 + 64);
	for (i = 0; i < blen2; i++)
		body2[i] = (char)('a' + i % 26);
	for (i = 99; i < blen2; i += 100) {
		body2[i - 1] = '\r';
		body2[i] = '\n';
	}
	body2[65535] = '\r';
	body2[65536] = '\n';
	body2[1000] = '\r';
	body2[1001] = '\0';
	body2[blen2 - 1] = '\r';
	o = strlen(h2);
	memcpy(eml2, h2, o);
	eml2[o++] = '\n';
	for (i = 0; i < blen2; i++) {
		if (body2[i] == '\r' && i + 1 < blen2 && body2[i + 1] == '\n')
			continue;
		eml2[o++] = body2[i];
	}
	elen2 = o;
	{
		struct hdr h = { ' ', h2 };

		write_msg(ID2, "", 1, &h, 1, body2, blen2, NULL);
		write_msg(ID3, "x@b.example", 0, &h, 1, "x\n", 2,
		    "garbage-D\n");
		write_msg(ID4, "y@b.example", 0, &h, 1, "y\n", 2, NULL);
	}
}

static void
teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(body2);
	free(eml2);
}

/* Reads a whole .eml through msg_reader_read() in pieces of step. */
static char *
read_eml(const char *id, int hdronly, size_t step, size_t *len,
    int64_t *size)
{
	struct msg_reader e;
	char err[256], *out = malloc(300000);
	ssize_t n;

	msg_reader_init(&e);
	ck_assert_msg(msg_reader_open(&e, dir, id, hdronly, err,
	    sizeof(err)) == 0, "%s", err);
	*size = e.size;
	*len = 0;
	while ((n = msg_reader_read(&e, out + *len, step)) > 0)
		*len += (size_t)n;
	ck_assert_int_eq(n, 0);
	msg_reader_done(&e);
	return out;
}

START_TEST(eml_plain)
{
	size_t len;
	int64_t size;
	char *s = read_eml(ID1, 0, 7, &len, &size);

	ck_assert_uint_eq(len, sizeof(eml1) - 1);
	ck_assert_int_eq(size, (int64_t)len);
	ck_assert(memcmp(s, eml1, len) == 0);
	free(s);
	s = read_eml(ID1, 1, 1000, &len, &size);
	ck_assert_int_eq(size, (int64_t)len);
	ck_assert(len > 2 && memcmp(s + len - 2, "\n\n", 2) == 0);
	ck_assert(memcmp(s, eml1, len) == 0);
	free(s);
}
END_TEST

START_TEST(eml_wire)
{
	static const size_t steps[] = { 1, 13, 4096, 65536, 300000 };
	size_t len;
	int64_t size;
	char *s = read_eml(ID2, 0, steps[_i], &len, &size);

	ck_assert_uint_eq(len, elen2);
	ck_assert_int_eq(size, (int64_t)len);
	ck_assert(memcmp(s, eml2, len) == 0);
	free(s);
}
END_TEST

START_TEST(eml_errors)
{
	struct msg_reader e;
	char err[256];

	msg_reader_init(&e);
	ck_assert_int_eq(msg_reader_open(&e, dir, ID3, 0, err, sizeof(err)),
	    -1);
	ck_assert(errno != ENOENT);
	ck_assert_int_eq(msg_reader_open(&e, dir, "1hVDEz-0001zz-09", 0, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(msg_reader_open(&e, dir, "../../etc/passwd", 0, err,
	    sizeof(err)), -1);
	msg_reader_done(&e);
}
END_TEST

/* The -D is opened only as itself: a regular file, never through a
 * symlink (not even to a copy of itself), its first line its id's. */
START_TEST(data_open)
{
	struct msg_reader e;
	struct stat st;
	char err[256], path[600], real[620];
	int fd;

	ck_assert_int_eq(spool_path(dir, "input", ID1, "-D", path,
	    sizeof(path)), 0);
	fd = msg_data_open(dir, ID1, &st, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_eq(st.st_size, (off_t)(strlen(ID1) + 3 +
	    strlen(body1)));
	close(fd);
	snprintf(real, sizeof(real), "%s.real", path);
	ck_assert_int_eq(rename(path, real), 0);
	ck_assert_int_eq(symlink(real, path), 0);
	errno = 0;
	ck_assert_int_eq(msg_data_open(dir, ID1, &st, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ELOOP);
	msg_reader_init(&e);
	ck_assert_int_eq(msg_reader_open(&e, dir, ID1, 0, err, sizeof(err)),
	    -1);
	msg_reader_done(&e);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(msg_data_open(dir, ID1, &st, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rename(real, path), 0);
	/* The wrong first line (ID3's -D). */
	ck_assert_int_eq(msg_data_open(dir, ID3, &st, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* ---- Whole exports ---- */

static struct spool_snap *
scan(void)
{
	struct spool_scan_opts so = { .threads = 1, .no_lock_probe = 1 };
	struct spool_snap *s;
	char err[256];

	s = spool_scan(dir, &so, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_uint_eq(s->nmsgs, 4);
	return s;
}

static int nreports;
static void
report(void *arg, const char *id, enum export_state st, const char *why)
{
	(void)arg;
	(void)why;
	nreports++;
	ck_assert(st == EXPORT_GONE ? strcmp(id, ID4) == 0 :
	    strcmp(id, ID3) == 0);
}

/* Exports all four; ID4 is removed first (gone), ID3 is unreadable. */
static int
export_all(enum export_format fmt, const char *out, int hdronly,
    struct export_result *res)
{
	struct export_opts o;
	struct spool_snap *s = scan();
	char path[512], err[256];
	size_t idx[4] = { 0, 1, 2, 3 };
	int fd, rc;

	snprintf(path, sizeof(path), "%s/input/%s-H", dir, ID4);
	unlink(path);
	snprintf(path, sizeof(path), "%s/input/%s-D", dir, ID4);
	unlink(path);
	memset(&o, 0, sizeof(o));
	o.format = fmt;
	o.headers_only = hdronly;
	o.now = 1700000000;
	o.spool = dir;
	o.selection = "--domain 'one.example'";
	o.report = report;
	nreports = 0;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	rc = export_write(fd, s, NULL, NULL, idx, 4, NULL, &o, res, err,
	    sizeof(err));
	ck_assert_msg(rc >= 0, "%s", err);
	close(fd);
	spool_snap_free(s);
	ck_assert_int_eq(nreports, 2);
	return rc;
}

static char *
member(struct archive *a, struct archive_entry *ent, size_t *len)
{
	int64_t size = archive_entry_size(ent);
	char *buf = malloc((size_t)size + 1);
	la_ssize_t n;

	*len = 0;
	while ((n = archive_read_data(a, buf + *len, (size_t)size + 1 -
	    *len)) > 0)
		*len += (size_t)n;
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq((int64_t)*len, size);
	return buf;
}

static int
stop_after_one(void *arg, size_t done, size_t total)
{
	(void)arg;
	(void)total;
	return done >= 1;
}

/* A progress callback that says stop ends the export at once. */
START_TEST(cancel)
{
	struct export_opts o;
	struct export_result res;
	struct spool_snap *s = scan();
	char out[512], err[256];
	size_t idx[2] = { 0, 1 };
	int fd;

	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.format = EXPORT_TGZ;
	o.now = 1700000000;
	o.spool = dir;
	o.progress = stop_after_one;
	snprintf(out, sizeof(out), "%s/cancel.tar.gz", dir);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	errno = 0;
	ck_assert_int_eq(export_write(fd, s, NULL, NULL, idx, 2, NULL, &o, &res,
	    err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ECANCELED);
	ck_assert_str_eq(err, "cancelled");
	ck_assert_uint_eq(res.done, 1);
	close(fd);
	spool_snap_free(s);
}
END_TEST

START_TEST(archive_roundtrip)
{
	static const enum export_format fmts[] = { EXPORT_TGZ, EXPORT_TXZ,
	    EXPORT_ZIP };
	struct export_result res;
	struct archive *a;
	struct archive_entry *ent;
	char out[512], *data;
	const char *name;
	size_t len, n = 0;
	int saw1 = 0, saw2 = 0, sawman = 0;

	snprintf(out, sizeof(out), "%s/out.%s", dir,
	    export_format_name(fmts[_i]));
	ck_assert_int_eq(export_all(fmts[_i], out, 0, &res), 1);
	ck_assert_uint_eq(res.done, 2);
	ck_assert_uint_eq(res.gone, 1);
	ck_assert_uint_eq(res.failed, 1);
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	ck_assert_int_eq(archive_read_open_filename(a, out, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &ent) == ARCHIVE_OK) {
		name = archive_entry_pathname(ent);
		ck_assert_int_eq(archive_entry_perm(ent), 0644);
		data = member(a, ent, &len);
		if (strcmp(name, "messages/" ID1 ".eml") == 0) {
			ck_assert(len == sizeof(eml1) - 1 &&
			    memcmp(data, eml1, len) == 0);
			ck_assert_int_eq(archive_entry_mtime(ent),
			    spool_id_time(ID1));
			saw1 = 1;
		} else if (strcmp(name, "messages/" ID2 ".eml") == 0) {
			ck_assert(len == elen2 && memcmp(data, eml2, len) == 0);
			saw2 = 1;
		} else if (strcmp(name, "manifest.json") == 0) {
			data[len] = '\0';
			ck_assert_ptr_nonnull(strstr(data, "\"id\":\"" ID4
			    "\"") );
			ck_assert_ptr_nonnull(strstr(data, "\"state\":\"gone\""));
			ck_assert_ptr_nonnull(strstr(data,
			    "\"state\":\"unreadable\""));
			ck_assert_ptr_nonnull(strstr(data, "\"exported\":2,"
			    "\"gone\":1,\"unreadable\":1"));
			sawman++;
		} else if (strcmp(name, "manifest.csv") == 0) {
			data[len] = '\0';
			ck_assert(strncmp(data, "id,arrival,", 11) == 0);
			ck_assert_ptr_nonnull(strstr(data, "\r\n" ID4 ","));
			sawman++;
		} else if (strcmp(name, "summary.txt") == 0) {
			data[len] = '\0';
			ck_assert_ptr_nonnull(strstr(data, "mxtop export "
			    "--domain 'one.example'"));
			ck_assert_ptr_nonnull(strstr(data, "1 gone"));
			sawman++;
		} else
			ck_abort_msg("unexpected member %s", name);
		free(data);
		n++;
	}
	ck_assert_uint_eq(n, 5);
	ck_assert(saw1 && saw2 && sawman == 3);
	archive_read_free(a);
}
END_TEST

START_TEST(mbox_quoting)
{
	struct export_result res;
	char out[512], *buf;
	FILE *f;
	size_t len;

	snprintf(out, sizeof(out), "%s/out.mbox", dir);
	ck_assert_int_eq(export_all(EXPORT_MBOX, out, 0, &res), 1);
	f = fopen(out, "rb");
	buf = malloc(400000);
	len = fread(buf, 1, 399999, f);
	fclose(f);
	buf[len] = '\0';
	ck_assert(strncmp(buf, "From s@a.example ", 17) == 0);
	ck_assert_ptr_nonnull(strstr(buf, "\nSubject: From here\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n\n>From the start\n>>From quoted"
	    "\nplain\n>>>>From deep\nFrom\n\nFrom MAILER-DAEMON "));
	/* The bounce's body: NUL and all, one message, ends in a blank. */
	ck_assert(buf[len - 1] == '\n' && buf[len - 2] == '\n');
	free(buf);
}
END_TEST

START_TEST(headers_only)
{
	struct export_result res;
	char out[512];

	snprintf(out, sizeof(out), "%s/h.tar.gz", dir);
	ck_assert_int_eq(export_all(EXPORT_TGZ, out, 1, &res), 1);
	ck_assert_int_eq(res.bytes, (int64_t)(sizeof(eml1) - 1 -
	    strlen(body1) + strlen("Subject: wire\n") + 1));
}
END_TEST

static Suite *
export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc;

	tc = tcase_create("sha256");
	tcase_add_loop_test(tc, sha_vectors, 0,
	    sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, sha_million);
	tcase_add_test(tc, formats);
	suite_add_tcase(s, tc);
	tc = tcase_create("eml");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, eml_plain);
	tcase_add_loop_test(tc, eml_wire, 0, 5);
	tcase_add_test(tc, eml_errors);
	tcase_add_test(tc, data_open);
	suite_add_tcase(s, tc);
	tc = tcase_create("write");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, archive_roundtrip, 0, 3);
	tcase_add_test(tc, cancel);
	tcase_add_test(tc, mbox_quoting);
	tcase_add_test(tc, headers_only);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(export_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
