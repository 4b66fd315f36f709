/* check_ui.c -- headless render tests: ui_draw() into a curses pad on a
 * vt100 that writes to /dev/null, read back with mvwinnwstr(), compared
 * with tests/golden/<screen>-<cols>x<rows>.txt.  The sample spool is the
 * fixture, with its "now" pinned.  UPDATE_GOLDEN=1 rewrites the goldens.
 * No tty and no $TERM needed. */
#include "tui/ui.h"
#include "exim/history.h"
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/diag.h"
#include "app/load.h"
#include "exim/logscan.h"
#include "base/mem.h"
#include "tui/view.h"

#include <check.h>
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

static struct spool_snap *snap;
static struct stats *st;
static struct diag *dg;
static struct view *v;
static time_t now;
static SCREEN *scr;
static FILE *out, *in;
static char err[512];

static const char *
sample(void)
{
	const char *d = getenv("MXTOP_SAMPLE");

	return d != NULL ? d : "sample-spool";
}

static void
setup(void)
{
	struct diag_opts o;
	struct diag_acc *acc;
	struct logscan *ls;
	struct view_info info;
	char path[4096];
	FILE *f;
	long long t = 0;

	setenv("TZ", "UTC", 1);
	setlocale(LC_ALL, "C.UTF-8");
	snprintf(path, sizeof(path), "%s/now", sample());
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%lld", &t) != 1)
			t = 0;
		fclose(f);
	}
	now = t > 0 ? (time_t)t : 1762500000;
	snap = spool_scan(sample(), NULL, err, sizeof(err));
	ck_assert_msg(snap != NULL, "%s", err);
	memset(&o, 0, sizeof(o));
	snprintf(path, sizeof(path), "%s/log", sample());
	o.since = now - 7 * 86400;
	o.until = now;
	o.threshold = 0.5;
	o.min_samples = 10;
	acc = diag_acc_new(&o);
	ls = logscan_new(path);
	(void)load_log(acc, ls, snap, err, sizeof(err));
	dg = diag_result(acc, snap, load_msglogs(snap, NULL, NULL), NULL);
	logscan_free(ls);
	diag_acc_free(acc);
	st = stats_build(snap, NULL, dg, now, NULL, 0);
	v = view_new(1);
	memset(&info, 0, sizeof(info));
	info.host = "relay.test";
	info.spool = "sample-spool";
	info.scan_time = now;
	info.scan_secs = 0.25;
	view_set_info(v, &info);
	view_set_data(v, snap, st, now);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	scr = newterm("vt100", out, in);
	ck_assert_ptr_nonnull(scr);
	ui_attrs(1);
}

static void
teardown(void)
{
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	view_free(v);
	stats_free(st);
	diag_free(dg);
	spool_snap_free(snap);
}

static void
load_msg(void)
{
	const char *id = view_msg_id(v);
	struct spool_hdr h;
	struct history hist;
	char *buf = NULL;
	size_t cap = 0;
	uint8_t *dl = NULL;
	int rc;

	spool_hdr_init(&h);
	rc = spool_load(sample(), id, &buf, &cap, &h, &dl, NULL, err,
	    sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	history_init(&hist);
	(void)history_read(&hist, sample(), id);
	view_set_message(v, &h, &hist, NULL);
	history_done(&hist);
	spool_hdr_done(&h);
	free(dl);
	free(buf);
}

/* Draws the view at cols x rows and returns the screen as text. */
static char *
draw(int cols, int rows, WINDOW **winp)
{
	WINDOW *w;
	wchar_t wbuf[1024];
	char *text, line[4096];
	size_t len = 0, n;
	int y, k;

	view_resize(v, cols, rows);
	w = newpad(rows, cols);
	ck_assert_ptr_nonnull(w);
	ui_draw(w, v);
	text = xmalloc((size_t)rows * sizeof(line));
	text[0] = '\0';
	for (y = 0; y < rows; y++) {
		k = mvwinnwstr(w, y, 0, wbuf, cols);
		if (k == ERR)
			wbuf[0] = L'\0';
		n = wcstombs(line, wbuf, sizeof(line) - 1);
		if (n == (size_t)-1)
			n = 0;
		line[n] = '\0';
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		memcpy(text + len, line, n);
		len += n;
		text[len++] = '\n';
	}
	text[len] = '\0';
	if (winp != NULL)
		*winp = w;
	else
		delwin(w);
	return text;
}

static void
golden(const char *name, int cols, int rows)
{
	char path[512], *text, *want;
	FILE *f;
	long sz;

	snprintf(path, sizeof(path), "tests/golden/%s-%dx%d.txt", name, cols,
	    rows);
	text = draw(cols, rows, NULL);
	if (getenv("UPDATE_GOLDEN") != NULL) {
		mkdir("tests/golden", 0755);
		f = fopen(path, "w");
		ck_assert_msg(f != NULL, "cannot write %s", path);
		fputs(text, f);
		fclose(f);
		free(text);
		return;
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s missing: run with UPDATE_GOLDEN=1",
	    path);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	want = xmalloc((size_t)sz + 1);
	want[fread(want, 1, (size_t)sz, f)] = '\0';
	fclose(f);
	if (strcmp(want, text) != 0) {
		snprintf(path, sizeof(path), "build/%s-%dx%d.txt", name, cols,
		    rows);
		if ((f = fopen(path, "w")) != NULL) {
			fputs(text, f);
			fclose(f);
		}
		ck_abort_msg("%s-%dx%d differs from its golden; got %s",
		    name, cols, rows, path);
	}
	free(want);
	free(text);
}

static void
both(const char *name)
{
	golden(name, 80, 24);
	golden(name, 132, 43);
}

START_TEST(domains)
{
	both("domains");
}
END_TEST

START_TEST(messages)
{
	view_key(v, VIEW_KEY_ENTER);
	both("messages");
}
END_TEST

START_TEST(message)
{
	view_key(v, VIEW_KEY_ENTER);
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_LOAD_MSG);
	load_msg();
	both("message");
}
END_TEST

START_TEST(diagnose)
{
	view_key(v, 'd');
	both("diagnose");
}
END_TEST

START_TEST(help)
{
	view_key(v, '?');
	both("help");
}
END_TEST

/* The cursor row is in reverse video, the rest is not. */
START_TEST(cursor_reverse)
{
	WINDOW *w;
	char *t;

	view_key(v, 'j');
	t = draw(80, 24, &w);
	ck_assert(mvwinch(w, 5, 3) & A_REVERSE);
	ck_assert(!(mvwinch(w, 4, 3) & A_REVERSE));
	ck_assert(mvwinch(w, 3, 3) & A_REVERSE);	/* column header */
	delwin(w);
	free(t);
}
END_TEST

/* Smaller than 80x24 still draws, cut, without crashing. */
START_TEST(tiny)
{
	free(draw(40, 10, NULL));
	free(draw(20, 3, NULL));
	view_key(v, VIEW_KEY_ENTER);
	free(draw(30, 6, NULL));
}
END_TEST

static Suite *
ui_suite(void)
{
	Suite *s = suite_create("ui");
	TCase *tc;

	tc = tcase_create("golden");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, domains);
	tcase_add_test(tc, messages);
	tcase_add_test(tc, message);
	tcase_add_test(tc, diagnose);
	tcase_add_test(tc, help);
	tcase_add_test(tc, cursor_reverse);
	tcase_add_test(tc, tiny);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ui_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
