/* view_key.c -- the key table, view_key()'s dispatch, navigation, help. */
#include "tui/view.h"
#include "view_priv.h"
#include "model/plan.h"
#include "model/classify.h"
#include "model/select.h"

#include <stdio.h>
#include <string.h>

/* What a key does. */
enum op { OP_UP, OP_DOWN, OP_PGUP, OP_PGDN, OP_HOME, OP_END, OP_ENTER,
	OP_BACK, OP_QUIT, OP_QUITNOW, OP_ALLMSGS, OP_FILTER, OP_SORT,
	OP_RSORT, OP_SORTPREV, OP_RESCAN, OP_TAG, OP_TAGALL, OP_UNTAG,
	OP_DIAG, OP_BODY, OP_FLUSH, OP_BOUNCE, OP_DELETE, OP_FREEZE, OP_THAW,
	OP_EXPORT, OP_CANCEL, OP_HELP, OP_REDRAW, OP_SEARCH, OP_NEXT,
	OP_PREV, OP_PROBE, OP_RECOVER, OP_RECOVER_GO, OP_MXCHECK };

#define S_DOM	(1u << VIEW_DOMAINS)
#define S_MSGS	(1u << VIEW_MESSAGES)
#define S_MSG	(1u << VIEW_MESSAGE)
#define S_BODY	(1u << VIEW_BODY)
#define S_DIAG	(1u << VIEW_DIAGNOSE)
#define S_HELP	(1u << VIEW_HELP)
#define S_LIST	(S_DOM | S_MSGS)
#define S_ACT	(S_DOM | S_MSGS | S_MSG | S_BODY | S_DIAG)
#define S_ALL	((1u << VIEW__NSCREENS) - 1)
#define S_REC	(1u << VIEW_RECOVER)
#define S_PAGER	(S_MSG | S_BODY | S_DIAG | S_HELP | (1u << VIEW_PLAN) | S_REC)

struct keydef {
	int		 key;
	const char	*name;
	unsigned	 screens;
	enum op		 op;
	const char	*help;		/* NULL: as the entry before */
};

/* The one key table: view_key() dispatches on it and the Help screen is
 * printed from it. */
static const struct keydef keys[] = {
	{ VIEW_KEY_UP, "Up", S_ALL, OP_UP, "move up (scroll up)" },
	{ 'k', "k", S_ALL, OP_UP, NULL },
	{ VIEW_KEY_DOWN, "Down", S_ALL, OP_DOWN, "move down (scroll down)" },
	{ 'j', "j", S_ALL, OP_DOWN, NULL },
	{ VIEW_KEY_PGUP, "PgUp", S_ALL, OP_PGUP, "page up" },
	{ VIEW_CTRL('b'), "^B", S_ALL, OP_PGUP, NULL },
	{ VIEW_KEY_PGDN, "PgDn", S_ALL, OP_PGDN, "page down" },
	{ VIEW_CTRL('f'), "^F", S_ALL, OP_PGDN, NULL },
	{ ' ', "Space", S_BODY | S_DIAG | S_HELP | S_MSG, OP_PGDN, NULL },
	{ VIEW_KEY_HOME, "Home", S_ALL, OP_HOME, "first line" },
	{ 'g', "g", S_ALL, OP_HOME, NULL },
	{ VIEW_KEY_END, "End", S_ALL, OP_END, "last line" },
	{ 'G', "G", S_ALL, OP_END, NULL },
	{ VIEW_KEY_ENTER, "Enter", S_LIST, OP_ENTER,
	    "open: a domain's messages, a message" },
	{ '\r', NULL, S_LIST, OP_ENTER, NULL },
	{ VIEW_KEY_RIGHT, "Right", S_LIST, OP_ENTER, NULL },
	{ 'm', "m", S_DOM, OP_ALLMSGS, "every message of the filter" },
	{ VIEW_KEY_ESC, "Esc", S_ALL, OP_BACK, "back" },
	{ VIEW_KEY_LEFT, "Left", S_ALL, OP_BACK, NULL },
	{ 'q', "q", S_ALL, OP_QUIT, "back; quit on the Domains screen" },
	{ 'Q', "Q", S_ALL, OP_QUITNOW, "quit" },
	{ '/', "/", S_LIST, OP_FILTER,
	    "filter: domain:*.example.com age>2h class:tarpit sender:~re" },
	{ '/', "/", S_PAGER, OP_SEARCH, "search the text (as less and mutt do)" },
	{ 'n', "n", S_PAGER, OP_NEXT, "next match" },
	{ 'N', "N", S_PAGER, OP_PREV, "previous match" },
	{ 's', "s", S_LIST, OP_SORT, "sort by the next column" },
	{ '>', ">", S_LIST, OP_SORT, NULL },
	{ '<', "<", S_LIST, OP_SORTPREV, "sort by the previous column" },
	{ 'S', "S", S_LIST, OP_RSORT, "reverse the sort order" },
	{ 'r', "r", S_ALL, OP_RESCAN, "rescan the spool now" },
	{ ' ', "Space", S_LIST, OP_TAG, "tag or untag, then move down" },
	{ 't', "t", S_LIST, OP_TAG, NULL },
	{ 'a', "a", S_LIST, OP_TAGALL, "tag every row shown" },
	{ 'A', "A", S_LIST, OP_UNTAG, "clear every tag" },
	{ 'd', "d", S_LIST, OP_DIAG, "diagnose the domain: classes, evidence, "
	    "advice" },
	{ 'B', "B", S_MSG | S_BODY, OP_BODY, "show the body (toggle)" },
	{ 'f', "f", S_ACT, OP_FLUSH, "flush: deliver now (paced)" },
	{ 'b', "b", S_ACT, OP_BOUNCE, "bounce to the sender (exim -Mg)" },
	{ 'D', "D", S_ACT, OP_DELETE, "delete without a bounce (exim -Mrm)" },
	{ 'F', "F", S_ACT, OP_FREEZE, "freeze (exim -Mf)" },
	{ 'T', "T", S_ACT, OP_THAW, "thaw (exim -Mt)" },
	{ 'e', "e", S_ACT, OP_EXPORT, "export to an archive for a ticket (asks for "
	    "the file name)" },
	{ 'p', "p", S_DOM | S_MSGS | S_DIAG, OP_PROBE, "probe the domain's "
	    "primary now (SMTP up to RCPT; column PROBE)" },
	{ 'R', "R", S_DOM | S_MSGS | S_DIAG, OP_RECOVER, "recover the domain: "
	    "probe, verify, plan, remove the rejected, paced flush" },
	{ 'y', "y", S_REC, OP_RECOVER_GO, "go ahead with the plan shown" },
	{ 'M', "M", S_DOM | S_MSGS | S_DIAG, OP_MXCHECK, "look the domain's "
	    "MX up in DNS (mx-check): its findings join the diagnosis" },
	{ 'x', "x", S_ALL, OP_CANCEL, "cancel the running action" },
	{ '?', "?", S_ALL, OP_HELP, "this help" },
	{ 'h', "h", S_ALL & ~S_HELP, OP_HELP, NULL },
	{ VIEW_CTRL('l'), "^L", S_ALL, OP_REDRAW, "redraw the screen" },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* ---- The Help screen ---- */

static void
build_help(struct view *v)
{
	struct pager *p = &v->pg[VIEW_HELP];
	char names[128], where[128];
	size_t i, j;
	int c;

	v_pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Help: keys");
	v_pg_add(p, VIEW_ST_SECTION, 2,
	    "Keys (the same table the screens use)");
	for (i = 0; i < NKEYS; i++) {
		unsigned scr = 0;

		if (keys[i].help == NULL)
			continue;
		names[0] = '\0';
		for (j = i; j < NKEYS; j++) {
			if (j > i && keys[j].help != NULL &&
			    keys[j].op == keys[i].op)
				break;
			if (j > i && keys[j].help != NULL)
				break;
			if (keys[j].name == NULL)
				continue;
			if (strstr(names, keys[j].name) != NULL &&
			    strlen(keys[j].name) > 1)
				continue;
			if (names[0])
				strncat(names, " ", sizeof(names) -
				    strlen(names) - 1);
			strncat(names, keys[j].name, sizeof(names) -
			    strlen(names) - 1);
			scr |= keys[j].screens;
		}
		where[0] = '\0';
		if ((scr & S_ALL) != S_ALL) {
			static const char *const sn[VIEW__NSCREENS] = {
				"Domains", "Messages", "Message", "Body",
				"Diagnose", "Help", "Plan", "Recover"
			};

			for (c = 0; c < VIEW__NSCREENS; c++)
				if (scr & (1u << c)) {
					strncat(where, where[0] ? "," : " [",
					    sizeof(where) - strlen(where) - 1);
					strncat(where, sn[c], sizeof(where) -
					    strlen(where) - 1);
				}
			strncat(where, "]", sizeof(where) - strlen(where) - 1);
		}
		v_pg_add(p, VIEW_ST_NORMAL, 18, "  %-14s %s%s", names,
		    keys[i].help, where);
	}
	v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	v_pg_add(p, VIEW_ST_SECTION, 2, "Actions");
	v_pg_add(p, VIEW_ST_NORMAL, 2, "  An action applies to the tagged "
	    "messages, else the selected message, else on the Domains screen "
	    "to the tagged domains or the selected one, and on a domain's "
	    "Messages screen only to that domain's recipients.  It shows "
	    "the plan (what else a whole-message action touches, shared "
	    "messages apart) on a screen of its own and asks first, as the "
	    "command line does: y, or for more than %d messages the count "
	    "typed.  A flush proposes a rate from the domain's class; "
	    "unpaced only when typed so.", PLAN_CONFIRM_FEW);
	v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	v_pg_add(p, VIEW_ST_SECTION, 2, "Columns (Domains)");
	v_pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "AGES", "queued messages "
	    "by age, qshape buckets <5m 10m 20m 40m 80m 160m 320m 640m 1280m "
	    "and older, left to right");
	v_pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "CLASS", "why the mail "
	    "is stuck (dominant class of recent attempts and callouts)");
	v_pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "TARPIT", "share of "
	    "attempts and callouts that stalled after connecting; ! when "
	    "suspected");
	v_pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "CALLOUT", "recipient "
	    "callouts that failed in the log window");
	v_pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "LASTOK", "time since "
	    "the last successful delivery (- none seen)");
	v_pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "PROBE", "the last "
	    "probe's verdict and age (p), once a domain was probed");
	v_pg_add(p, VIEW_ST_NORMAL, 16, "  %-13s %s", "FL", "F frozen, A "
	    "being delivered, B bad spool file, C no body file yet; a tagged "
	    "row is marked *");
	v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	v_pg_add(p, VIEW_ST_SECTION, 2, "Classes");
	for (c = 1; c < CLASS__COUNT; c++)
		v_pg_add(p, VIEW_ST_CLASS + c, 16, "  %-13s %s", class_name(c),
		    class_advice(c));
}

/* ---- Navigation ---- */

static void
push(struct view *v, enum view_screen s, const char *ctx)
{
	struct frame *f;

	if (v->depth >= NSTACK)
		v->depth = NSTACK - 1;
	f = &v->stack[v->depth++];
	memset(f, 0, sizeof(*f));
	f->scr = s;
	snprintf(f->ctx, sizeof(f->ctx), "%s", ctx ? ctx : "");
	if (s == VIEW_HELP)
		build_help(v);
	else if (s == VIEW_DIAGNOSE)
		v_build_diag(v);
	v_recalc(v);
}

static void
pop(struct view *v)
{
	if (v->depth > 1)
		v->depth--;
	v_recalc(v);
}

static void
move(struct view *v, long delta)
{
	struct frame *f = v_top(v);
	size_t n = v_nitems(v);
	size_t *pos = v_is_list(f->scr) ? &f->cursor : &f->top;

	if (delta < 0 && (size_t)-delta > *pos)
		*pos = 0;
	else if (delta < 0)
		*pos -= (size_t)-delta;
	else
		*pos += (size_t)delta;
	if (v_is_list(f->scr) && n > 0 && *pos >= n)
		*pos = n - 1;
	v_clamp(v);
}

/* ---- Keys ---- */

static void
tag_row(struct view *v, size_t i, int on)
{
	struct strset *s = v_top(v)->scr == VIEW_DOMAINS ? &v->tdoms :
	    &v->tmsgs;
	const char *k = view_row_key(v, i);

	if (k == NULL)
		return;
	if (on)
		v_strset_add(s, k);
	else
		v_strset_del(s, k);
}

enum view_act
view_key(struct view *v, int key)
{
	struct frame *f = v_top(v);
	const struct keydef *k = NULL;
	const char *rk;
	size_t i, h = (size_t)v_body_h(v);

	v->status[0] = '\0';
	v->status_err = 0;
	if (!v->prog.running)
		v->prog.result[0] = '\0';
	if (key == VIEW_KEY_RESIZE)
		return ACT_NONE;
	if (v->prompt != P_NONE)
		return v_prompt_key(v, key);
	for (i = 0; i < NKEYS; i++)
		if (keys[i].key == key && (keys[i].screens & (1u << f->scr))) {
			k = &keys[i];
			break;
		}
	if (k == NULL) {
		if (key >= 0x20 && key < 0x7f)
			view_status(v, 1, "key '%c' does nothing here; ? for "
			    "help", key);
		else
			view_status(v, 1, "key does nothing here; ? for help");
		return ACT_NONE;
	}
	switch (k->op) {
	case OP_UP:
		move(v, -1);
		break;
	case OP_DOWN:
		move(v, 1);
		break;
	case OP_PGUP:
		move(v, -(long)h);
		break;
	case OP_PGDN:
		move(v, (long)h);
		break;
	case OP_HOME:
		f->cursor = 0;
		f->top = 0;
		v_clamp(v);
		break;
	case OP_END:
		f->cursor = v_nitems(v) ? v_nitems(v) - 1 : 0;
		f->top = v_nitems(v);
		v_clamp(v);
		break;
	case OP_ENTER:
		if ((rk = view_row_key(v, f->cursor)) == NULL)
			break;
		if (f->scr == VIEW_DOMAINS) {
			push(v, VIEW_MESSAGES, rk);
			break;
		}
		push(v, VIEW_MESSAGE, rk);
		v->pg[VIEW_MESSAGE].n = 0;
		v->pg[VIEW_MESSAGE].wrapped_at = 0;
		snprintf(v->pg[VIEW_MESSAGE].title,
		    sizeof(v->pg[VIEW_MESSAGE].title), "Message %s (loading)",
		    rk);
		return ACT_LOAD_MSG;
	case OP_ALLMSGS:
		push(v, VIEW_MESSAGES, "");
		break;
	case OP_BACK:
		if (v->depth > 1)
			pop(v);
		break;
	case OP_QUIT:
		if (v->depth > 1) {
			pop(v);
			break;
		}
		/* FALLTHROUGH */
	case OP_QUITNOW:
		if (v->prog.running && k->op == OP_QUIT) {
			view_status(v, 1, "an action is running: x cancels "
			    "it, Q quits and cancels it");
			break;
		}
		return ACT_QUIT;
	case OP_SEARCH:
		v->prompt = P_SEARCH;
		snprintf(v->ptext, sizeof(v->ptext), "Search: ");
		v->pdetail[0] = v->ptail[0] = '\0';
		snprintf(v->input, sizeof(v->input), "%s", v->search);
		break;
	case OP_NEXT:
	case OP_PREV:
		v_search(v, k->op == OP_NEXT ? 1 : -1);
		break;
	case OP_FILTER:
		v->prompt = P_FILTER;
		snprintf(v->ptext, sizeof(v->ptext), "Filter: ");
		v->pdetail[0] = v->ptail[0] = '\0';
		snprintf(v->input, sizeof(v->input), "%s", v->words);
		break;
	case OP_SORT:
	case OP_SORTPREV:
		if (f->scr == VIEW_DOMAINS)
			v->dorder = (int)((v->dorder + (k->op == OP_SORT ? 1 :
			    v_ndorders - 1)) % v_ndorders);
		else
			v->morder = (int)((v->morder + (k->op == OP_SORT ? 1 :
			    v_nmorders - 1)) % v_nmorders);
		v_recalc(v);
		view_status(v, 0, "sorted by %s%s", view_sort_name(v),
		    view_sort_reverse(v) ? ", reversed" : "");
		break;
	case OP_RSORT:
		if (f->scr == VIEW_DOMAINS)
			v->drev = !v->drev;
		else
			v->mrev = !v->mrev;
		v_recalc(v);
		view_status(v, 0, "sorted by %s%s", view_sort_name(v),
		    view_sort_reverse(v) ? ", reversed" : "");
		break;
	case OP_RESCAN:
		view_status(v, 0, "rescanning");
		return ACT_RESCAN;
	case OP_TAG:
		if (view_row_key(v, f->cursor) == NULL)
			break;
		tag_row(v, f->cursor, !view_row_tagged(v, f->cursor));
		move(v, 1);
		break;
	case OP_TAGALL:
		for (i = 0; i < v->nrows; i++)
			tag_row(v, i, 1);
		view_status(v, 0, "%zu tagged", f->scr == VIEW_DOMAINS ?
		    v->tdoms.n : v->tmsgs.n);
		break;
	case OP_UNTAG:
		v_strset_clear(&v->tmsgs);
		v_strset_clear(&v->tdoms);
		view_status(v, 0, "tags cleared");
		break;
	case OP_DIAG:
		if (f->scr == VIEW_DOMAINS)
			rk = view_row_key(v, f->cursor);
		else
			rk = f->ctx[0] ? f->ctx : NULL;
		if (rk == NULL) {
			view_status(v, 1, "no domain here: d works on a "
			    "domain's messages");
			break;
		}
		push(v, VIEW_DIAGNOSE, rk);
		break;
	case OP_BODY:
		if (f->scr == VIEW_BODY) {
			pop(v);
			break;
		}
		push(v, VIEW_BODY, view_msg_id(v));
		return ACT_LOAD_BODY;
	case OP_FLUSH:
		return v_start_action(v, ACT_FLUSH);
	case OP_BOUNCE:
		return v_start_action(v, ACT_BOUNCE);
	case OP_DELETE:
		return v_start_action(v, ACT_DELETE);
	case OP_FREEZE:
		return v_start_action(v, ACT_FREEZE);
	case OP_THAW:
		return v_start_action(v, ACT_THAW);
	case OP_EXPORT:
		return v_start_action(v, ACT_EXPORT);
	case OP_PROBE:
	case OP_RECOVER:
		if ((rk = view_probe_domain(v)) == NULL) {
			view_status(v, 1, "no domain here");
			break;
		}
		if (k->op == OP_PROBE) {
			view_status(v, 0, "probing %s", rk);
			return ACT_PROBE;
		}
		if (f->scr != VIEW_RECOVER) {
			char d[CTX_MAX];

			snprintf(d, sizeof(d), "%s", rk);
			push(v, VIEW_RECOVER, d);
		}
		return ACT_RECOVER;
	case OP_RECOVER_GO:
		return v_recover_key(v, key);
	case OP_MXCHECK:
		if ((rk = view_probe_domain(v)) == NULL) {
			view_status(v, 1, "no domain here");
			break;
		}
		view_status(v, 0, "looking up %s in DNS (mx-check)", rk);
		if (f->scr != VIEW_DIAGNOSE) {
			char d[CTX_MAX];

			snprintf(d, sizeof(d), "%s", rk);
			push(v, VIEW_DIAGNOSE, d);
		}
		return ACT_MXCHECK;
	case OP_CANCEL:
		if (f->scr == VIEW_RECOVER && v->rec_running)
			return ACT_CANCEL;
		if (!v->prog.running) {
			view_status(v, 0, "no action is running");
			break;
		}
		return ACT_CANCEL;
	case OP_HELP:
		if (f->scr != VIEW_HELP)
			push(v, VIEW_HELP, NULL);
		break;
	case OP_REDRAW:
		break;
	}
	return ACT_NONE;
}
