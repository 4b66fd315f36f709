/* check_view.c -- the TUI's view-model: keys in, rows and intents out.
 * No curses.  Fixture: the sample spool ($MXTOP_SAMPLE, its "now"). */
#include "tui/view.h"
#include "model/classify.h"
#include "out/export.h"
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/diag.h"
#include "model/plan.h"
#include "app/load.h"
#include "exim/logscan.h"

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct spool_snap *snap;
static struct stats *st;
static struct diag *dg;
static struct view *v;
static time_t now;
static char err[512];

static const char *
sample(void)
{
	const char *d = getenv("MXTOP_SAMPLE");

	return d != NULL ? d : "sample-spool";
}

static void
rebuild(void)
{
	struct stats *old = st;

	st = stats_build(snap, view_select(v), dg, now, NULL, 0);
	view_set_data(v, snap, st, now);
	stats_free(old);
}

static void
setup(void)
{
	char path[4096];
	FILE *f;
	long long t = 0;

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
	{
		struct diag_opts o = { now - 7 * 86400, now, 0.5, 10 };
		struct diag_acc *acc = diag_acc_new(&o);
		struct logscan *ls;

		snprintf(path, sizeof(path), "%s/log", sample());
		ls = logscan_new(path);
		(void)load_log(acc, ls, snap, err, sizeof(err));
		dg = diag_result(acc, snap, load_msglogs(snap, NULL, NULL),
		    NULL);
		logscan_free(ls);
		diag_acc_free(acc);
	}
	v = view_new(1);
	view_resize(v, 100, 30);
	st = NULL;
	rebuild();
}

static void
teardown(void)
{
	view_free(v);
	stats_free(st);
	diag_free(dg);
	spool_snap_free(snap);
}

static enum view_act
keys(const char *s)
{
	enum view_act a = ACT_NONE;

	for (; *s != '\0'; s++)
		a = view_key(v, (unsigned char)*s);
	return a;
}

static const struct stats_domain *
dom(const char *name)
{
	size_t i;

	for (i = 0; i < st->ndomains; i++)
		if (strcmp(st->domains[i].name, name) == 0)
			return &st->domains[i];
	return NULL;
}

/* The rendered text of screen line y. */
static const char *
line(int y)
{
	static struct view_line l;

	view_render(v, y, &l);
	return l.text;
}

static int
screen_has(const char *needle)
{
	int y;

	for (y = 0; y < view_rows(v); y++)
		if (strstr(line(y), needle) != NULL)
			return 1;
	return 0;
}

START_TEST(domains_sorted_by_msgs)
{
	size_t i;

	ck_assert_int_eq(view_screen(v), VIEW_DOMAINS);
	ck_assert_uint_eq(view_nrows(v), st->ndomains);
	ck_assert_uint_gt(view_nrows(v), 1);
	ck_assert_str_eq(view_sort_name(v), "msgs");
	for (i = 1; i < view_nrows(v); i++)
		ck_assert_uint_ge(dom(view_row_key(v, i - 1))->messages,
		    dom(view_row_key(v, i))->messages);
	/* Row 0 is the first body line, under the column header. */
	ck_assert_ptr_nonnull(strstr(line(3), "DOMAIN"));
	ck_assert_ptr_nonnull(strstr(line(4), view_row_key(v, 0)));
}
END_TEST

START_TEST(sort_cycles_and_reverses)
{
	size_t i;

	ck_assert_int_eq(keys("s"), ACT_NONE);
	ck_assert_str_eq(view_sort_name(v), "age");
	for (i = 1; i < view_nrows(v); i++)
		ck_assert_int_le(dom(view_row_key(v, i - 1))->oldest,
		    dom(view_row_key(v, i))->oldest);
	keys("S");
	ck_assert_int_eq(view_sort_reverse(v), 1);
	for (i = 1; i < view_nrows(v); i++)
		ck_assert_int_ge(dom(view_row_key(v, i - 1))->oldest,
		    dom(view_row_key(v, i))->oldest);
	keys("ss");
	ck_assert_str_eq(view_sort_name(v), "bytes");
	keys("<");
	ck_assert_str_eq(view_sort_name(v), "rcpts");
	keys("s");
	ck_assert_str_eq(view_sort_name(v), "bytes");
	ck_assert(screen_has("sorted by bytes"));
}
END_TEST

START_TEST(cursor_moves_and_stays)
{
	char key[256];

	view_key(v, VIEW_KEY_DOWN);
	ck_assert_uint_eq(view_cursor(v), 1);
	keys("j");
	ck_assert_uint_eq(view_cursor(v), view_nrows(v) > 2 ? 2 : 1);
	view_key(v, VIEW_KEY_END);
	ck_assert_uint_eq(view_cursor(v), view_nrows(v) - 1);
	view_key(v, VIEW_KEY_HOME);
	ck_assert_uint_eq(view_cursor(v), 0);
	keys("k");
	ck_assert_uint_eq(view_cursor(v), 0);
	view_key(v, VIEW_KEY_PGDN);
	ck_assert_uint_le(view_cursor(v), view_nrows(v) - 1);
	/* A rescan keeps the cursor on the same domain. */
	view_key(v, VIEW_KEY_HOME);
	keys("j");
	snprintf(key, sizeof(key), "%s", view_row_key(v, 1));
	keys("s");
	rebuild();
	ck_assert_str_eq(view_row_key(v, view_cursor(v)), key);
}
END_TEST

START_TEST(drill_down_and_back)
{
	const char *d;
	char id[64], name[256];
	size_t i;
	uint32_t j;
	int found;

	snprintf(name, sizeof(name), "%s", view_row_key(v, 0));
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_NONE);
	ck_assert_int_eq(view_screen(v), VIEW_MESSAGES);
	ck_assert_int_eq(view_depth(v), 2);
	ck_assert_uint_eq(view_nrows(v), dom(name)->messages);
	for (i = 0; i < view_nrows(v); i++) {
		const struct spool_msg *m = spool_find(snap,
		    view_row_key(v, i));

		ck_assert_ptr_nonnull(m);
		found = 0;
		for (j = 0; j < m->nrcpt; j++) {
			d = spool_rcpt_domain(snap, &snap->rcpts[m->rcpt0 + j]);
			if (snap->rcpts[m->rcpt0 + j].state == RCPT_PENDING &&
			    strcmp(d, name) == 0)
				found = 1;
		}
		ck_assert_msg(found, "%s not in %s", m->id, name);
	}
	keys("j");
	snprintf(id, sizeof(id), "%s", view_row_key(v, view_cursor(v)));
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_LOAD_MSG);
	ck_assert_int_eq(view_screen(v), VIEW_MESSAGE);
	ck_assert_str_eq(view_msg_id(v), id);
	ck_assert_int_eq(keys("B"), ACT_LOAD_BODY);
	ck_assert_int_eq(view_screen(v), VIEW_BODY);
	ck_assert_int_eq(keys("B"), ACT_NONE);
	ck_assert_int_eq(view_screen(v), VIEW_MESSAGE);
	ck_assert_int_eq(view_key(v, VIEW_KEY_ESC), ACT_NONE);
	ck_assert_int_eq(view_screen(v), VIEW_MESSAGES);
	ck_assert_str_eq(view_row_key(v, view_cursor(v)), id);
	ck_assert_int_eq(keys("q"), ACT_NONE);
	ck_assert_int_eq(view_screen(v), VIEW_DOMAINS);
	ck_assert_int_eq(keys("d"), ACT_NONE);
	ck_assert_int_eq(view_screen(v), VIEW_DIAGNOSE);
	ck_assert(screen_has("Diagnose"));
	keys("q");
	ck_assert_int_eq(keys("q"), ACT_QUIT);
}
END_TEST

/* A bare word is looked for in domains, senders and recipients; a
 * filter that matches nothing says so. */
START_TEST(filter_words)
{
	size_t i, n;

	keys("/");
	view_key(v, VIEW_CTRL('u'));
	keys("litware");
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_RESELECT);
	rebuild();
	n = view_nrows(v);
	ck_assert_uint_ge(n, 1);
	for (i = 0; i < n; i++)
		ck_assert_ptr_nonnull(strstr(view_row_key(v, i), "litware"));
	ck_assert(screen_has("--match litware"));
	ck_assert(screen_has("Domains 1/"));
	keys("/");
	view_key(v, VIEW_CTRL('u'));
	keys("zzz-nowhere");
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_RESELECT);
	rebuild();
	ck_assert_uint_eq(view_nrows(v), 0);
	ck_assert(screen_has("no match for filter zzz-nowhere"));
	ck_assert(!screen_has("nothing queued"));
}
END_TEST

/* / searches inside a pager, n and N go on and back. */
START_TEST(pager_search)
{
	keys("?");
	ck_assert_int_eq(view_screen(v), VIEW_HELP);
	keys("/");
	ck_assert(screen_has("Search: _"));
	keys("tag");
	view_key(v, VIEW_KEY_ENTER);
	ck_assert(screen_has("match 1 of"));
	keys("n");
	ck_assert(screen_has("match 2 of"));
	keys("N");
	ck_assert(screen_has("match 1 of"));
	keys("/");
	view_key(v, VIEW_CTRL('u'));
	keys("qwxzyv");
	view_key(v, VIEW_KEY_ENTER);
	ck_assert(screen_has("no match for qwxzyv"));
}
END_TEST

START_TEST(filter_reselects)
{
	size_t i;
	const char *name;
	char want[300];

	name = view_row_key(v, 0);
	snprintf(want, sizeof(want), "domain:%s", name);
	ck_assert_int_eq(keys("/"), ACT_NONE);
	ck_assert(view_prompting(v));
	ck_assert(screen_has("Filter: _"));
	ck_assert_int_eq(keys(want), ACT_NONE);
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_RESELECT);
	rebuild();
	ck_assert_uint_eq(view_nrows(v), 1);
	ck_assert_ptr_nonnull(strstr(view_filter_args(v), "--domain"));
	ck_assert(screen_has(want));
	/* The status line gives the command line to paste. */
	ck_assert(screen_has("mxtop summary --domain"));
	/* A bad filter keeps the one in force and says why. */
	keys("/");
	view_key(v, VIEW_CTRL('u'));
	keys("age>zz");
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_NONE);
	ck_assert(screen_has("filter:"));
	ck_assert_uint_eq(view_nrows(v), 1);
	/* Esc leaves the prompt without a change; an empty filter clears. */
	keys("/x");
	ck_assert_int_eq(view_key(v, VIEW_KEY_ESC), ACT_NONE);
	ck_assert(!view_prompting(v));
	keys("/");
	view_key(v, VIEW_CTRL('u'));
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_RESELECT);
	rebuild();
	ck_assert_uint_eq(view_nrows(v), st->ndomains);
	for (i = 0; i < view_nrows(v); i++)
		ck_assert_ptr_nonnull(view_row_key(v, i));
	ck_assert_str_eq(view_filter_args(v), "");
}
END_TEST

START_TEST(tags)
{
	view_key(v, VIEW_KEY_ENTER);
	ck_assert_uint_ge(view_nrows(v), 2);
	keys("  ");
	ck_assert_uint_eq(view_ntagged(v), 2);
	ck_assert(view_row_tagged(v, 0));
	ck_assert(view_row_tagged(v, 1));
	ck_assert_uint_eq(view_cursor(v), 2 < view_nrows(v) ? 2 : 1);
	view_key(v, VIEW_KEY_UP);
	keys(" ");
	ck_assert_uint_eq(view_ntagged(v), 1);
	keys("a");
	ck_assert_uint_eq(view_ntagged(v), view_nrows(v));
	ck_assert(screen_has("tagged]"));
	keys("A");
	ck_assert_uint_eq(view_ntagged(v), 0);
	/* Tags on the Domains screen tag domains. */
	keys("q ");
	ck_assert_uint_eq(view_ntagged(v), 1);
	ck_assert(view_row_tagged(v, 0));
}
END_TEST

START_TEST(plan_selected_message)
{
	const struct view_plan *p;
	char id[64];

	view_key(v, VIEW_KEY_ENTER);
	snprintf(id, sizeof(id), "%s", view_row_key(v, 0));
	ck_assert_int_eq(keys("F"), ACT_NONE);
	ck_assert(view_prompting(v));
	ck_assert(screen_has("Freeze 1 message"));
	ck_assert_int_eq(keys("y"), ACT_FREEZE);
	p = view_plan(v);
	ck_assert_int_eq(p->act, ACT_FREEZE);
	ck_assert_uint_eq(p->p->n, 1);
	ck_assert_str_eq(p->p->items[0].id, id);
	/* Anything but y cancels. */
	keys("T");
	ck_assert_int_eq(keys("n"), ACT_NONE);
	ck_assert(screen_has("thaw cancelled"));
}
END_TEST

START_TEST(plan_tagged_over_selected)
{
	const struct view_plan *p;

	view_key(v, VIEW_KEY_ENTER);
	keys("  ");
	ck_assert_int_eq(keys("D"), ACT_NONE);
	ck_assert_int_eq(keys("y"), ACT_DELETE);
	p = view_plan(v);
	ck_assert_uint_eq(p->p->n, 2);
	ck_assert_str_ne(p->p->items[0].id, p->p->items[1].id);
	ck_assert_ptr_nonnull(spool_find(snap, p->p->items[0].id));
	ck_assert_ptr_nonnull(spool_find(snap, p->p->items[1].id));
}
END_TEST

START_TEST(plan_domain_needs_count)
{
	const struct view_plan *p;
	const struct stats_domain *d = dom(view_row_key(v, 0));
	char n[32];

	ck_assert_uint_gt(d->messages, PLAN_CONFIRM_FEW);
	ck_assert_int_eq(keys("D"), ACT_NONE);
	/* The plan on a screen of its own, the question below. */
	ck_assert_int_eq(view_screen(v), VIEW_PLAN);
	ck_assert(screen_has("selected, per domain"));
	ck_assert(screen_has("Type"));
	keys("1");
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_NONE);
	ck_assert(screen_has("did not match"));
	ck_assert_int_eq(view_screen(v), VIEW_DOMAINS);
	keys("b");
	p = view_plan(v);
	snprintf(n, sizeof(n), "%zu", plan_nacted(p->p));
	keys(n);
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_BOUNCE);
	p = view_plan(v);
	ck_assert_uint_eq(p->p->n, d->messages);
	ck_assert_uint_eq(p->p->ndomains, 1);
	ck_assert_str_eq(p->domain, d->name);
}
END_TEST

START_TEST(plan_flush_rate)
{
	char n[32];

	ck_assert_int_eq(keys("f"), ACT_NONE);
	ck_assert(screen_has("at a rate"));
	/* An empty answer is no rate: unpaced must be typed. */
	view_key(v, VIEW_CTRL('u'));
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_NONE);
	ck_assert(screen_has("bad rate"));
	keys("f");
	view_key(v, VIEW_CTRL('u'));
	keys("2/s");
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_NONE);
	ck_assert(screen_has("at 2/s"));
	snprintf(n, sizeof(n), "%zu", plan_nacted(view_plan(v)->p));
	if (plan_nacted(view_plan(v)->p) > PLAN_CONFIRM_FEW)
		keys(n);
	else
		keys("y");
	ck_assert_int_eq(plan_nacted(view_plan(v)->p) > PLAN_CONFIRM_FEW ?
	    view_key(v, VIEW_KEY_ENTER) : ACT_FLUSH, ACT_FLUSH);
	ck_assert(view_plan(v)->rate == 2.0);
	keys("f");
	view_key(v, VIEW_CTRL('u'));
	keys("fast");
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_NONE);
	ck_assert(screen_has("bad rate"));
	/* While an action runs, a second one is refused; x cancels. */
	{
		struct view_progress pr;

		memset(&pr, 0, sizeof(pr));
		pr.running = 1;
		pr.verb = "flush";
		pr.total = 10;
		pr.done = 5;
		pr.eta = -1;
		view_set_progress(v, &pr);
		view_key(v, VIEW_CTRL('l'));
		ck_assert(screen_has("[##########..........] 5/10"));
		keys("f");
		ck_assert(screen_has("an action is running"));
		ck_assert_int_eq(keys("x"), ACT_CANCEL);
		ck_assert_int_eq(keys("q"), ACT_NONE);
		ck_assert_int_eq(keys("Q"), ACT_QUIT);
	}
}
END_TEST

START_TEST(plan_export_domain)
{
	const struct view_plan *p;
	const struct stats_domain *d = dom(view_row_key(v, 0));
	char name[256];

	export_default_name(name, sizeof(name), d->name, now);
	ck_assert_int_eq(keys("e"), ACT_NONE);
	ck_assert(view_prompting(v));
	ck_assert(screen_has("Export "));
	ck_assert(screen_has(" to file: "));
	ck_assert_msg(screen_has(name), "no default name %s", name);
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_EXPORT);
	ck_assert(!view_prompting(v));
	p = view_plan(v);
	ck_assert_int_eq(p->act, ACT_EXPORT);
	ck_assert_ptr_nonnull(p->file);
	ck_assert_str_eq(p->file, name);
	ck_assert_uint_eq(p->p->n, d->messages);
	ck_assert_str_eq(p->domain, d->name);
	/* The loop found the file there: asked again, the name kept. */
	view_export_again(v, "it exists");
	ck_assert(view_prompting(v));
	ck_assert(screen_has("it exists; export"));
	ck_assert(screen_has(name));
	view_key(v, VIEW_CTRL('u'));
	keys(" ticket.zip ");
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_EXPORT);
	ck_assert_str_eq(view_plan(v)->file, "ticket.zip");
}
END_TEST

START_TEST(plan_export_cancel)
{
	char id[64];

	/* Esc cancels; so does an empty name. */
	ck_assert_int_eq(keys("e"), ACT_NONE);
	ck_assert_int_eq(view_key(v, VIEW_KEY_ESC), ACT_NONE);
	ck_assert(!view_prompting(v));
	ck_assert(screen_has("export cancelled"));
	ck_assert_int_eq(view_depth(v), 1);
	keys("e");
	view_key(v, VIEW_CTRL('u'));
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_NONE);
	ck_assert(screen_has("no file name"));
	/* Tagged messages: their ids, not the domain. */
	view_key(v, VIEW_KEY_ENTER);
	snprintf(id, sizeof(id), "%s", view_row_key(v, 0));
	keys(" ");
	keys("e");
	ck_assert(screen_has("Export 1 message"));
	ck_assert_int_eq(view_key(v, VIEW_KEY_ENTER), ACT_EXPORT);
	ck_assert_uint_eq(view_plan(v)->p->n, 1);
	ck_assert_str_eq(view_plan(v)->p->items[0].id, id);
}
END_TEST

START_TEST(help_from_key_table)
{
	ck_assert_int_eq(keys("?"), ACT_NONE);
	ck_assert_int_eq(view_screen(v), VIEW_HELP);
	ck_assert(screen_has("rescan the spool now"));
	ck_assert(screen_has("Up k"));
	keys("q");
	ck_assert_int_eq(view_screen(v), VIEW_DOMAINS);
	ck_assert_int_eq(keys("e"), ACT_NONE);
	ck_assert(screen_has("Export"));
	view_key(v, VIEW_KEY_ESC);
	keys("Z");
	ck_assert(screen_has("? for help"));
}
END_TEST

START_TEST(escapes_are_shown)
{
	struct spool_hdr h;
	struct spool_msg m;
	struct spool_header hd;
	const char *evil = "Subject: \033]0;pwned\007\033[31mred\r\n";
	int y;

	view_key(v, VIEW_KEY_ENTER);
	view_key(v, VIEW_KEY_ENTER);
	memset(&h, 0, sizeof(h));
	memset(&m, 0, sizeof(m));
	hd.flag = ' ';
	hd.text.p = evil;
	hd.text.len = strlen(evil);
	h.hdrs = &hd;
	h.nhdrs = 1;
	h.sender.p = "a\033[2Jb\xe2\x80\xae@x";
	h.sender.len = 11;
	h.id.p = "1tSm9Y-000W7E-84";
	h.id.len = 16;
	(void)m;
	view_set_message(v, &h, NULL, NULL);
	for (y = 0; y < view_rows(v); y++) {
		ck_assert_ptr_null(strchr(line(y), '\033'));
		ck_assert_ptr_null(strchr(line(y), '\007'));
		ck_assert_ptr_null(strchr(line(y), '\r'));
	}
	/* Subject first, on one line (folded lines joined). */
	ck_assert(screen_has("^[]0;pwned^G^[[31mred"));
	/* A bidi override (U+202E) never reaches the screen raw. */
	ck_assert(screen_has("<a^[[2Jb\\u202E@x>"));
}
END_TEST

START_TEST(widths)
{
	struct view_line l;
	int y;

	ck_assert_int_eq(view_width("abc", 3, 1), 3);
	ck_assert_int_eq(view_width("\xc3\xa9t\xc3\xa9", 5, 1), 3);
	ck_assert_int_eq(view_width("\xe6\x97\xa5\xe6\x9c\xac", 6, 1), 4);
	ck_assert_int_eq(view_width("\xe6\x97\xa5", 3, 0), 1);
	/* Every line is exactly as wide as the screen, at any width. */
	for (y = 0; y < 30; y++) {
		view_render(v, y, &l);
		ck_assert_int_eq(view_width(l.text, l.len, 1), 100);
	}
	view_resize(v, 80, 24);
	/* At 80 columns the names stay whole and FROZEN shows: AGES goes
	 * first. */
	ck_assert(screen_has("FROZEN"));
	ck_assert(!screen_has("AGES"));
	ck_assert(screen_has("proseware.example "));
	ck_assert(!screen_has(".exam~"));
	for (y = 0; y < 24; y++) {
		view_render(v, y, &l);
		ck_assert_int_eq(view_width(l.text, l.len, 1), 80);
	}
	view_resize(v, 132, 43);
	ck_assert(screen_has("FROZEN"));
	view_resize(v, 30, 5);
	for (y = 0; y < 5; y++) {
		view_render(v, y, &l);
		ck_assert_int_eq(view_width(l.text, l.len, 1), 30);
	}
}
END_TEST

static void
collect(const char *l, void *arg)
{
	int *n = arg;

	ck_assert_int_le(view_width(l, strlen(l), 1), 90);
	ck_assert(l[0] == '\0' || l[strlen(l) - 1] != ' ');
	if (*n == 0)
		ck_assert_ptr_nonnull(strstr(l, "as of "));
	(*n)++;
}

/* --once: every domain, no status line, trailing blanks trimmed. */
/* During the first scan the header says how far it got, as partial. */
START_TEST(scan_progress)
{
	struct view_info info;

	memset(&info, 0, sizeof(info));
	info.host = "relay";
	info.spool = "/spool";
	info.scanning = 1;
	info.scan_done = 250;
	info.scan_total = 1000;
	view_set_data(v, NULL, NULL, 0);
	view_set_info(v, &info);
	ck_assert(strstr(line(0), "scanning 25% of 1000") != NULL);
	ck_assert(strstr(line(1), "250 of 1000 messages read (partial)")
	    != NULL);
	info.scanning = 0;
	view_set_info(v, &info);
	ck_assert(strstr(line(0), "scanning") == NULL);
}
END_TEST

START_TEST(print_plain)
{
	int n = 0;

	view_resize(v, 90, 10);
	view_print(v, collect, &n);
	ck_assert_int_eq(n, 4 + (int)st->ndomains);
}
END_TEST

static Suite *
view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *tc;

	tc = tcase_create("domains");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, domains_sorted_by_msgs);
	tcase_add_test(tc, sort_cycles_and_reverses);
	tcase_add_test(tc, cursor_moves_and_stays);
	tcase_add_test(tc, widths);
	tcase_add_test(tc, scan_progress);
	suite_add_tcase(s, tc);

	tc = tcase_create("navigation");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, drill_down_and_back);
	tcase_add_test(tc, filter_reselects);
	tcase_add_test(tc, filter_words);
	tcase_add_test(tc, pager_search);
	tcase_add_test(tc, help_from_key_table);
	tcase_add_test(tc, escapes_are_shown);
	suite_add_tcase(s, tc);

	tc = tcase_create("actions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tags);
	tcase_add_test(tc, plan_selected_message);
	tcase_add_test(tc, plan_tagged_over_selected);
	tcase_add_test(tc, plan_domain_needs_count);
	tcase_add_test(tc, plan_flush_rate);
	tcase_add_test(tc, plan_export_domain);
	tcase_add_test(tc, plan_export_cancel);
	tcase_add_test(tc, print_plain);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(view_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
