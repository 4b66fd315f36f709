/* view_action.c -- action plans, and the prompts that confirm them. */
#include "tui/view.h"
#include "view_priv.h"
#include "out/export.h"			/* export_default_name() */
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "model/plan.h"
#include "model/classify.h"
#include "out/fmt.h"
#include "base/units.h"
#include "base/mem.h"
#include "base/intern.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Plans ---- */

static enum plan_act
plan_act_of(enum view_act a)
{
	switch (a) {
	case ACT_BOUNCE: return PLAN_BOUNCE;
	case ACT_DELETE: return PLAN_DELETE;
	case ACT_FREEZE: return PLAN_FREEZE;
	case ACT_THAW: return PLAN_THAW;
	case ACT_EXPORT: return PLAN_EXPORT;
	default: return PLAN_FLUSH;
	}
}

/* Adds "domain exactly dom" to sel. */
static void
add_domain(struct select *sel, const char *dom)
{
	char err[256];

	(void)select_add_exact(sel, "domain", dom, err, sizeof(err));
}

/* The plan of act: the tagged messages, else the message on the cursor
 * or shown, else the tagged domains or the one on the cursor, under the
 * filter; on a domain's Messages screen (and a message opened from it)
 * only that domain's recipients.  Returns the messages acted upon; 0
 * with a status message when there is nothing to act on. */
static size_t
plan_build(struct view *v, enum view_act act)
{
	struct view_plan *p = &v->plan;
	const struct frame *f = v_top(v), *ctxf = NULL;
	const char *id = NULL, *dom = NULL, **ids = NULL;
	size_t i, nids = 0, k;
	int d;

	plan_free(p->p);
	select_free(p->sel);
	memset(p, 0, sizeof(*p));
	p->act = act;
	if (v->snap == NULL) {
		view_status(v, 1, "nothing scanned yet");
		return 0;
	}
	p->sel = select_dup(v->sel);
	/* The domain whose Messages screen we are on, or came from. */
	for (d = v->depth - 1; d >= 0; d--)
		if (v->stack[d].scr == VIEW_MESSAGES) {
			ctxf = &v->stack[d];
			break;
		}
	if (ctxf != NULL && ctxf->ctx[0] != '\0') {
		add_domain(p->sel, ctxf->ctx);
		dom = ctxf->ctx;
	}
	if (v->tmsgs.n > 0) {
		ids = xcalloc(v->tmsgs.n, sizeof(*ids));
		for (i = 0; i < v->snap->nmsgs; i++)
			if (v_strset_has(&v->tmsgs, v->snap->msgs[i].id))
				ids[nids++] = v->snap->msgs[i].id;
	} else if (f->scr == VIEW_MESSAGES) {
		id = view_row_key(v, f->cursor);
	} else if (f->scr == VIEW_MESSAGE || f->scr == VIEW_BODY) {
		id = view_msg_id(v);
	} else if (f->scr == VIEW_DOMAINS || f->scr == VIEW_DIAGNOSE) {
		if (v->tdoms.n > 0) {
			for (k = 0; k < v->tdoms.cap; k++)
				if (v->tdoms.slot[k] != NULL)
					add_domain(p->sel, v->tdoms.slot[k]);
		} else {
			dom = f->scr == VIEW_DIAGNOSE ? f->ctx :
			    view_row_key(v, f->cursor);
			if (dom == NULL) {
				view_status(v, 1, "no domain selected");
				goto none;
			}
			add_domain(p->sel, dom);
		}
	}
	if (id != NULL) {
		if (spool_find(v->snap, id) == NULL) {
			view_status(v, 1, "%s has left the queue", id);
			goto none;
		}
		ids = xcalloc(1, sizeof(*ids));
		ids[nids++] = id;
	}
	p->p = plan_new(v->snap, v->st != NULL ? v->st->diag : NULL, p->sel,
	    v->now, plan_act_of(act), ids, nids, 0, 0);
	free(ids);
	ids = NULL;
	if (p->p->ndomains == 1) {
		snprintf(v->pdom, sizeof(v->pdom), "%s", p->p->domains[0].name);
		p->domain = v->pdom;
	} else if (dom != NULL && p->p->ndomains == 0) {
		snprintf(v->pdom, sizeof(v->pdom), "%s", dom);
		p->domain = v->pdom;
	}
	select_to_args(p->sel, v->pargs, sizeof(v->pargs));
	p->args = v->pargs;
	if (p->p->n == 0) {
		view_status(v, 1, "no messages to act on");
		goto none;
	}
	return p->p->n;
none:
	free(ids);
	plan_free(p->p);
	select_free(p->sel);
	p->p = NULL;
	p->sel = NULL;
	return 0;
}

/* The pace a flush proposes from the domain's class: a primary that
 * tarpitted or rate-limited the relay gets 1/s with back-off, one that
 * was offline more, the rest a middle pace.  Unpaced never: only typed. */
static void
propose_rate(struct view *v)
{
	const struct stats_domain *d = v->plan.domain != NULL ?
	    v_find_domain(v, v->plan.domain) : NULL;
	int c = d != NULL ? d->cls : 0;

	switch (c) {
	case CLASS_TARPIT:
	case CLASS_RATELIMIT:
	case CLASS_BLOCKED:
		v->plan.rate = 1;
		v->plan.adaptive = 1;
		break;
	case CLASS_OFFLINE:
		v->plan.rate = 5;
		v->plan.adaptive = 1;
		break;
	default:
		v->plan.rate = v->rate > 0 ? v->rate : 2;
		v->plan.adaptive = 1;
		break;
	}
}

static void
plan_line(void *arg, int style, int indent, const char *text)
{
	struct pager *p = arg;
	int st = style == FMT_LS_SECTION ? VIEW_ST_SECTION : style ==
	    FMT_LS_BAD ? VIEW_ST_WARN : style == FMT_LS_DIM ? VIEW_ST_DIM :
	    VIEW_ST_NORMAL;

	v_pg_addn(p, st, indent, text, strlen(text));
}

void
v_build_plan(struct view *v)
{
	struct pager *p = &v->pg[VIEW_PLAN];

	v_pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Plan: %s",
	    plan_act_name(plan_act_of(v->plan.act)));
	if (v->plan.p == NULL)
		return;
	fmt_plan_lines(v->plan.p, v->now, plan_line, p);
	v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	v_pg_add(p, VIEW_ST_DIM, 2, "  the same as: mxtop %s %s",
	    plan_act_name(plan_act_of(v->plan.act)), v->pargs);
	v_pg_add(p, VIEW_ST_DIM, 2, "  Esc cancels; PgUp/PgDn scroll");
}

static const char *
act_verb(enum view_act a)
{
	switch (a) {
	case ACT_FLUSH: return "flush";
	case ACT_BOUNCE: return "bounce";
	case ACT_DELETE: return "delete";
	case ACT_FREEZE: return "freeze";
	case ACT_THAW: return "thaw";
	case ACT_EXPORT: return "export";
	default: return "?";
	}
}

/* Asks for the confirmation proper: y, or the count typed. */
static void
confirm_prompt(struct view *v)
{
	const struct view_plan *p = &v->plan;
	size_t n = plan_nacted(p->p);
	char verb[16], rate[48];

	snprintf(verb, sizeof(verb), "%s", act_verb(p->act));
	verb[0] = (char)toupper((unsigned char)verb[0]);
	rate[0] = '\0';
	if (p->act == ACT_FLUSH)
		snprintf(rate, sizeof(rate), p->rate > 0 ? " at %g/s%s" :
		    " unpaced", p->rate, p->adaptive ? ", adaptive" : "");
	snprintf(v->ptext, sizeof(v->ptext), "%s %zu message%s%s%s%.200s%s",
	    verb, n, n == 1 ? "" : "s", rate, p->domain ? " of " : "",
	    p->domain ? p->domain : "", "");
	v->pdetail[0] = '\0';
	v->input[0] = '\0';
	if (n > PLAN_CONFIRM_FEW) {
		v->prompt = P_COUNT;
		snprintf(v->ptail, sizeof(v->ptail), "? Type %zu to confirm: ",
		    n);
	} else {
		v->prompt = P_YN;
		snprintf(v->ptail, sizeof(v->ptail), "? [y/N] ");
	}
}

static void
plan_prompt(struct view *v)
{
	struct view_plan *p = &v->plan;
	size_t n = plan_nacted(p->p);

	v->input[0] = '\0';
	v->pdetail[0] = '\0';
	switch (p->act) {
	case ACT_EXPORT:
		v->prompt = P_FILE;
		snprintf(v->ptext, sizeof(v->ptext), "Export %zu message%s", n,
		    n == 1 ? "" : "s");
		snprintf(v->ptail, sizeof(v->ptail), " to file: ");
		export_default_name(v->input, sizeof(v->input), p->domain,
		    v->now);
		break;
	case ACT_FLUSH:
		propose_rate(v);
		v->prompt = P_RATE;
		snprintf(v->ptext, sizeof(v->ptext), "Flush %zu message%s", n,
		    n == 1 ? "" : "s");
		snprintf(v->ptail, sizeof(v->ptail), " at a rate (N/s, N/m, or "
		    "'unpaced'): ");
		snprintf(v->input, sizeof(v->input), "%g/s", p->rate);
		break;
	default:
		confirm_prompt(v);
		break;
	}
}

/* "5/s", "300/m", "2": messages a second; 0 for "unpaced"; -1 if
 * malformed (an empty answer too: unpaced must be typed). */
static double
parse_rate(const char *s)
{
	double r;

	while (*s == ' ')
		s++;
	if (strcmp(s, "unpaced") == 0)
		return 0;
	if (units_parse_rate(s, &r) < 0 || r <= 0)
		return -1;
	return r;
}

/* Leaves the Plan screen. */
static void
plan_done(struct view *v)
{
	if (v_top(v)->scr == VIEW_PLAN && v->depth > 1)
		v->depth--;
	v_recalc(v);
}

/* ---- Prompts ---- */

static void
utf8_put(char *buf, size_t len, int c)
{
	char enc[5];
	size_t n, l = strlen(buf);

	if (c < 0x80) {
		enc[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		enc[0] = (char)(0xc0 | (c >> 6));
		enc[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		enc[0] = (char)(0xe0 | (c >> 12));
		enc[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		enc[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		enc[0] = (char)(0xf0 | (c >> 18));
		enc[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		enc[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		enc[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (l + n < len) {
		memcpy(buf + l, enc, n);
		buf[l + n] = '\0';
	}
}

static enum view_act
prompt_accept(struct view *v)
{
	enum prompt pk = v->prompt;
	struct select *sel;
	const char *in;
	char err[256];
	double r;
	size_t l;

	v->prompt = P_NONE;
	switch (pk) {
	case P_SEARCH:
		snprintf(v->search, sizeof(v->search), "%.255s", v->input);
		v_top(v)->hit = 0;
		v_search(v, 1);
		return ACT_NONE;
	case P_FILTER:
		sel = select_new();
		if (select_parse_words(sel, v->input, err, sizeof(err)) < 0) {
			select_free(sel);
			view_status(v, 1, "filter: %s", err);
			return ACT_NONE;
		}
		view_set_select(v, sel, 1, v->input);
		v_top(v)->cursor = 0;
		v_top(v)->top = 0;
		v_top(v)->at[0] = '\0';
		return ACT_RESELECT;
	case P_COUNT:
		plan_done(v);
		if (v->input[0] == '\0' || strtoul(v->input, NULL, 10) !=
		    plan_nacted(v->plan.p)) {
			view_status(v, 1, "%s cancelled: the count did not "
			    "match", act_verb(v->plan.act));
			return ACT_NONE;
		}
		return v->plan.act;
	case P_RATE:
		if ((r = parse_rate(v->input)) < 0) {
			plan_done(v);
			view_status(v, 1, "flush cancelled: bad rate '%s' "
			    "(5/s, 300/m, or type 'unpaced')", v->input);
			return ACT_NONE;
		}
		v->plan.rate = r;
		if (r == 0)
			v->plan.adaptive = 0;
		else
			v->rate = r;
		confirm_prompt(v);
		return ACT_NONE;
	case P_FILE:
		/* Blanks around a pasted name are not part of it. */
		in = v->input;
		while (*in == ' ')
			in++;
		l = strlen(in);
		while (l > 0 && in[l - 1] == ' ')
			l--;
		if (l == 0) {
			plan_done(v);
			view_status(v, 1, "export cancelled: no file name");
			return ACT_NONE;
		}
		snprintf(v->efile, sizeof(v->efile), "%.*s", (int)l, in);
		v->plan.file = v->efile;
		plan_done(v);
		return ACT_EXPORT;
	default:
		return ACT_NONE;
	}
}

enum view_act
v_prompt_key(struct view *v, int key)
{
	size_t l;

	/* The plan scrolls under its question. */
	if (v_top(v)->scr == VIEW_PLAN && (key == VIEW_KEY_PGUP ||
	    key == VIEW_KEY_PGDN || key == VIEW_KEY_UP ||
	    key == VIEW_KEY_DOWN)) {
		struct frame *f = v_top(v);
		size_t step = key == VIEW_KEY_PGUP || key == VIEW_KEY_PGDN ?
		    (size_t)(v_body_h(v) > 1 ? v_body_h(v) - 1 : 1) : 1;

		if (key == VIEW_KEY_PGUP || key == VIEW_KEY_UP)
			f->top = f->top > step ? f->top - step : 0;
		else
			f->top += step;
		v_clamp(v);
		return ACT_NONE;
	}
	if (v->prompt == P_YN) {
		v->prompt = P_NONE;
		plan_done(v);
		if (key == 'y' || key == 'Y')
			return v->plan.act;
		view_status(v, 0, "%s cancelled", act_verb(v->plan.act));
		return ACT_NONE;
	}
	switch (key) {
	case VIEW_KEY_ESC:
	case VIEW_CTRL('g'):
	case VIEW_CTRL('c'):
		if (v->prompt == P_FILTER || v->prompt == P_SEARCH)
			view_status(v, 0, "cancelled");
		else {
			view_status(v, 0, "%s cancelled",
			    act_verb(v->plan.act));
			plan_done(v);
		}
		v->prompt = P_NONE;
		return ACT_NONE;
	case VIEW_KEY_ENTER:
	case '\r':
		return prompt_accept(v);
	case VIEW_KEY_BACKSPACE:
	case 0x7f:
	case VIEW_CTRL('h'):
		l = strlen(v->input);
		while (l > 0 && ((unsigned char)v->input[l - 1] & 0xc0) ==
		    0x80)
			l--;
		if (l > 0)
			l--;
		v->input[l] = '\0';
		return ACT_NONE;
	case VIEW_CTRL('u'):
		v->input[0] = '\0';
		return ACT_NONE;
	default:
		if (key >= 0x20 && key != 0x7f && key < VIEW_KEY_BASE)
			utf8_put(v->input, sizeof(v->input), key);
		return ACT_NONE;
	}
}

enum view_act
v_start_action(struct view *v, enum view_act act)
{
	if (v->prog.running) {
		view_status(v, 1, "an action is running (x cancels it)");
		return ACT_NONE;
	}
	if (plan_build(v, act) == 0)
		return ACT_NONE;
	/* The plan on a screen of its own, the question below it. */
	if (v->depth < NSTACK) {
		struct frame *f = &v->stack[v->depth++];

		memset(f, 0, sizeof(*f));
		f->scr = VIEW_PLAN;
	}
	v_build_plan(v);
	v_recalc(v);
	plan_prompt(v);
	return ACT_NONE;
}

void
view_export_again(struct view *v, const char *why)
{
	const struct view_plan *p = &v->plan;
	size_t n;

	if (p->act != ACT_EXPORT || p->p == NULL || p->p->n == 0)
		return;
	n = p->p->n;
	v->prompt = P_FILE;
	snprintf(v->ptext, sizeof(v->ptext), "%.300s; export %zu message%s",
	    why, n, n == 1 ? "" : "s");
	v->pdetail[0] = '\0';
	snprintf(v->ptail, sizeof(v->ptail), " to another file: ");
	snprintf(v->input, sizeof(v->input), "%s", v->efile);
	v->plan.file = NULL;
}
