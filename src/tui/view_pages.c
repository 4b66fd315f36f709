/* view_pages.c -- the text of the Message, Body and Diagnose screens:
 * the Message and Diagnose screens are the lines `mxtop show` and
 * `mxtop diagnose` print (out/fmt.h), in colour. */
#include "tui/view.h"
#include "view_priv.h"
#include "model/classify.h"
#include "model/diag.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "out/fmt.h"
#include "base/mem.h"
#include "base/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line of the shared renderers into a pager, styled. */
static void
to_pager(void *arg, int style, int indent, const char *text)
{
	struct pager *p = arg;
	int st;

	/* The renderers open with the name the pager's title shows. */
	if (p->n == 0 && p->skip_title) {
		p->skip_title = 0;
		return;
	}
	switch (style) {
	case FMT_LS_SECTION: st = VIEW_ST_SECTION; break;
	case FMT_LS_DIM: st = VIEW_ST_DIM; break;
	case FMT_LS_BAD: st = VIEW_ST_BAD; break;
	case FMT_LS_NORMAL: st = VIEW_ST_NORMAL; break;
	default: st = VIEW_ST_CLASS + ((style - FMT_LS_CLASS) & 15); break;
	}
	v_pg_addn(p, st, indent, text, strlen(text));
}

void
view_set_message(struct view *v, const struct spool_hdr *h,
    const struct history *hist, const char *err)
{
	struct pager *p = &v->pg[VIEW_MESSAGE];
	const char *id = view_msg_id(v);
	const struct spool_msg *m = NULL;
	struct fmt_opts fo;

	v_pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Message %s", id ? id : "?");
	if (v->snap != NULL && id != NULL)
		m = spool_find(v->snap, id);
	if (h == NULL) {
		v_pg_add(p, VIEW_ST_BAD, 4, "  cannot read -H: %s",
		    err != NULL ? err : "?");
		if (m == NULL)
			v_pg_add(p, VIEW_ST_DIM, 4, "  (gone: the message has "
			    "left the queue)");
	} else {
		memset(&fo, 0, sizeof(fo));
		fo.kind = FMT_TEXT;
		fo.width = v->cols;
		fo.now = v->now;
		p->skip_title = 1;
		fmt_show_lines(&fo, v->snap, v->st != NULL ? v->st->diag :
		    NULL, m, h, hist, to_pager, p);
	}
	v_top(v)->top = 0;
	v_clamp(v);
}

void
view_set_body(struct view *v, const char *buf, size_t len, int64_t total,
    const char *err)
{
	struct pager *p = &v->pg[VIEW_BODY];
	const char *t = buf, *nl;
	char sz[32];
	size_t n;

	v_pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Body of %s (%zu of %s bytes, "
	    "raw)", view_msg_id(v) ? view_msg_id(v) : "?", len,
	    v_size_str(sz, sizeof(sz), total));
	if (err != NULL) {
		v_pg_add(p, VIEW_ST_BAD, 2, "cannot read the body: %s", err);
		len = 0;
	}
	while (len > 0) {
		nl = memchr(t, '\n', len);
		n = nl ? (size_t)(nl - t) : len;
		if (n > 0 && t[n - 1] == '\r')
			v_pg_addn(p, VIEW_ST_NORMAL, 0, t, n - 1);
		else
			v_pg_addn(p, VIEW_ST_NORMAL, 0, t, n);
		if (nl == NULL)
			break;
		len -= n + 1;
		t += n + 1;
	}
	if (total > 0 && (int64_t)(t - buf) < total && err == NULL)
		v_pg_add(p, VIEW_ST_DIM, 0, "[... %lld more bytes not shown]",
		    (long long)(total - (t - buf)));
	v_top(v)->top = 0;
	v_clamp(v);
}

void
v_build_diag(struct view *v)
{
	struct pager *p = &v->pg[VIEW_DIAGNOSE];
	const char *name = v_top(v)->ctx;
	const struct stats_domain *d = v_find_domain(v, name);
	struct fmt_opts fo;

	v_pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Diagnose %s", name);
	if (d == NULL) {
		v_pg_add(p, VIEW_ST_DIM, 2, "  %s has nothing queued%s", name,
		    v->args[0] ? " under this filter" : "");
		return;
	}
	memset(&fo, 0, sizeof(fo));
	fo.kind = FMT_TEXT;
	fo.width = v->cols;
	fo.now = v->now;
	fo.cutoff = v->info.cutoff > 0 ? v->info.cutoff : 4 * 86400;
	fo.log = v->info.log;
	p->skip_title = 1;
	fmt_diagnose_lines_mx(&fo, v->st, d, v->mx != NULL &&
	    strcmp(v->mxdom, name) == 0 ? v->mx : NULL, to_pager, p);
}

void
view_set_mx(struct view *v, const char *domain,
    const struct mxcheck_result *res)
{
	snprintf(v->mxdom, sizeof(v->mxdom), "%s", domain ? domain : "");
	v->mx = domain != NULL ? res : NULL;
	if (v_top(v)->scr == VIEW_DIAGNOSE)
		v_build_diag(v);
}
