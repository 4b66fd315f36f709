/* view_action.c -- action plans, and the prompts that confirm them. */
#include "tui/view.h"
#include "view_priv.h"
#include "out/export.h"			/* export_default_name() */
#include "model/select.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "base/mem.h"
#include "base/intern.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Plans ---- */

static void
plan_add(struct view *v, const struct spool_msg *m)
{
	struct view_plan *p = &v->plan;

	xgrow(&p->ids, &v->plancap, p->nids + 1, sizeof(*p->ids));
	snprintf(p->ids[p->nids], VIEW_ID_LEN, "%s", m->id);
	p->nids++;
	if (p->nids == 1 || m->arrival < p->oldest)
		p->oldest = m->arrival;
	if (m->size > 0)
		p->bytes += m->size;
	if (m->flags & MSG_F_FROZEN)
		p->nfrozen++;
}

/* Counts the domains with pending recipients among the plan's messages. */
static void
plan_domains(struct view *v, int (*want)(const struct view *,
    const struct spool_msg *))
{
	uint8_t *seen;
	size_t nd, i, j;
	uint32_t k;

	if (v->snap == NULL || v->snap->domains == NULL)
		return;
	nd = intern_count(v->snap->domains);
	seen = xcalloc(nd ? nd : 1, 1);
	for (i = 0; i < v->snap->nmsgs; i++) {
		const struct spool_msg *m = &v->snap->msgs[i];

		if (!want(v, m))
			continue;
		for (j = 0; j < m->nrcpt; j++) {
			const struct spool_rcpt *r = &v->snap->rcpts[m->rcpt0 +
			    j];

			if (r->state == RCPT_PENDING && !seen[r->domain]) {
				seen[r->domain] = 1;
				v->plan.ndomains++;
				k = r->domain;
				v->plan.domain = v->plan.ndomains == 1 ?
				    intern_str(v->snap->domains, k) : NULL;
			}
		}
	}
	free(seen);
}

static int
want_tagged(const struct view *v, const struct spool_msg *m)
{
	return v_strset_has(&v->tmsgs, m->id);
}

static int
want_domains(const struct view *v, const struct spool_msg *m)
{
	uint32_t j;

	if (!select_msg(v->sel, v->snap, m, v->now))
		return 0;
	for (j = 0; j < m->nrcpt; j++) {
		const struct spool_rcpt *r = &v->snap->rcpts[m->rcpt0 + j];
		const char *dn;

		if (r->state != RCPT_PENDING)
			continue;
		dn = intern_str(v->snap->domains, r->domain);
		if (!select_rcpt(v->sel, r->addr, dn))
			continue;
		if (v->tdoms.n > 0 ? v_strset_has(&v->tdoms, dn) :
		    strcmp(dn, v->plan.domain ? v->plan.domain : "") == 0)
			return 1;
	}
	return 0;
}

static int
want_id(const struct view *v, const struct spool_msg *m)
{
	return v->plan.nids > 0 && strcmp(m->id, v->plan.ids[0]) == 0;
}

/* The messages an action would apply to: tagged messages, else the
 * selected message, else the tagged or selected domains.  Returns the
 * count; 0 with a status message when there is nothing to act on. */
static size_t
plan_build(struct view *v, enum view_act act)
{
	struct view_plan *p = &v->plan;
	const struct frame *f = v_top(v);
	const char *id = NULL, *dom = NULL;
	size_t i;

	p->act = act;
	p->nids = 0;
	p->ndomains = 0;
	p->nfrozen = 0;
	p->oldest = 0;
	p->bytes = 0;
	p->domain = NULL;
	p->rate = v->rate;
	p->bydomain = 0;
	p->file = NULL;
	if (v->snap == NULL) {
		view_status(v, 1, "nothing scanned yet");
		return 0;
	}
	if (v->tmsgs.n > 0) {
		for (i = 0; i < v->snap->nmsgs; i++)
			if (want_tagged(v, &v->snap->msgs[i]))
				plan_add(v, &v->snap->msgs[i]);
		plan_domains(v, want_tagged);
	} else if (f->scr == VIEW_MESSAGES) {
		id = view_row_key(v, f->cursor);
	} else if (f->scr == VIEW_MESSAGE || f->scr == VIEW_BODY) {
		id = view_msg_id(v);
	} else if (f->scr == VIEW_DOMAINS || f->scr == VIEW_DIAGNOSE) {
		dom = f->scr == VIEW_DIAGNOSE ? f->ctx :
		    view_row_key(v, f->cursor);
		if (v->tdoms.n == 0 && dom == NULL) {
			view_status(v, 1, "no domain selected");
			return 0;
		}
		/* want_domains() reads the one domain from p->domain. */
		p->domain = dom;
		for (i = 0; i < v->snap->nmsgs; i++)
			if (want_domains(v, &v->snap->msgs[i]))
				plan_add(v, &v->snap->msgs[i]);
		p->domain = NULL;
		p->bydomain = 1;
		if (v->tdoms.n > 0)
			p->ndomains = v->tdoms.n;
		else {
			p->ndomains = 1;
			p->domain = v_find_domain(v, dom) ? v_find_domain(v,
			    dom)->name : NULL;
		}
	}
	if (id != NULL) {
		const struct spool_msg *m = spool_find(v->snap, id);

		if (m == NULL) {
			view_status(v, 1, "%s has left the queue", id);
			return 0;
		}
		plan_add(v, m);
		plan_domains(v, want_id);
	}
	/* The name is the snapshot's or the stats', and a prompt stays
	 * up across rescans that free both. */
	if (p->domain != NULL) {
		snprintf(v->pdom, sizeof(v->pdom), "%s", p->domain);
		p->domain = v->pdom;
	}
	if (p->nids == 0)
		view_status(v, 1, "no messages to act on");
	return p->nids;
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

static void
plan_prompt(struct view *v)
{
	const struct view_plan *p = &v->plan;
	char a[16], sz[16], verb[16];
	int many = p->nids > VIEW_CONFIRM_FEW;

	snprintf(verb, sizeof(verb), "%s", act_verb(p->act));
	verb[0] = (char)toupper((unsigned char)verb[0]);
	/* Head and tail always show; the detail when there is room. */
	if (p->ndomains == 1 && p->domain != NULL)
		snprintf(v->ptext, sizeof(v->ptext), "%s %zu message%s of %.200s",
		    verb, p->nids, p->nids == 1 ? "" : "s", p->domain);
	else
		snprintf(v->ptext, sizeof(v->ptext), "%s %zu message%s of %zu "
		    "domains", verb, p->nids, p->nids == 1 ? "" : "s",
		    p->ndomains);
	snprintf(v->pdetail, sizeof(v->pdetail), " (oldest %s, %s%s)",
	    v_age(a, sizeof(a), v->now - p->oldest),
	    v_size_str(sz, sizeof(sz), p->bytes),
	    p->act == ACT_BOUNCE ? "; senders get a bounce" :
	    p->act == ACT_DELETE ? "; no bounce: gone for good" : "");
	v->input[0] = '\0';
	switch (p->act) {
	case ACT_EXPORT:
		v->prompt = P_FILE;
		snprintf(v->ptail, sizeof(v->ptail), " to file: ");
		export_default_name(v->input, sizeof(v->input),
		    p->ndomains == 1 ? p->domain : NULL, v->now);
		break;
	case ACT_FLUSH:
		v->prompt = P_RATE;
		snprintf(v->ptail, sizeof(v->ptail), " at a rate (N/s, N/m, 0 "
		    "unpaced); Enter starts: ");
		if (p->rate > 0)
			snprintf(v->input, sizeof(v->input), "%g/s", p->rate);
		else
			snprintf(v->input, sizeof(v->input), "0");
		break;
	case ACT_DELETE:
	case ACT_BOUNCE:
		if (many) {
			v->prompt = P_COUNT;
			snprintf(v->ptail, sizeof(v->ptail), "? Type %zu to "
			    "confirm: ", p->nids);
			break;
		}
		/* FALLTHROUGH */
	default:
		v->prompt = P_YN;
		snprintf(v->ptail, sizeof(v->ptail), "? [y/N] ");
		break;
	}
}

/* "5/s", "300/m", "2", "0": messages a second; -1 if malformed. */
static double
parse_rate(const char *s)
{
	char *end;
	double r;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	r = strtod(s, &end);
	if (end == s || r < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "/s") == 0)
		return r;
	if (strcmp(end, "/m") == 0)
		return r / 60;
	if (strcmp(end, "/h") == 0)
		return r / 3600;
	return -1;
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
		if (strtoul(v->input, NULL, 10) != v->plan.nids ||
		    v->input[0] == '\0') {
			view_status(v, 1, "%s cancelled: the count did not "
			    "match", act_verb(v->plan.act));
			return ACT_NONE;
		}
		return v->plan.act;
	case P_RATE:
		if ((r = parse_rate(v->input)) < 0) {
			view_status(v, 1, "flush cancelled: bad rate '%s' "
			    "(5/s, 300/m, 0)", v->input);
			return ACT_NONE;
		}
		v->plan.rate = r;
		v->rate = r;
		return v->plan.act;
	case P_FILE:
		/* Blanks around a pasted name are not part of it. */
		in = v->input;
		while (*in == ' ')
			in++;
		l = strlen(in);
		while (l > 0 && in[l - 1] == ' ')
			l--;
		if (l == 0) {
			view_status(v, 1, "export cancelled: no file name");
			return ACT_NONE;
		}
		snprintf(v->efile, sizeof(v->efile), "%.*s", (int)l, in);
		v->plan.file = v->efile;
		return ACT_EXPORT;
	default:
		return ACT_NONE;
	}
}

enum view_act
v_prompt_key(struct view *v, int key)
{
	size_t l;

	if (v->prompt == P_YN) {
		v->prompt = P_NONE;
		if (key == 'y' || key == 'Y')
			return v->plan.act;
		view_status(v, 0, "%s cancelled", act_verb(v->plan.act));
		return ACT_NONE;
	}
	switch (key) {
	case VIEW_KEY_ESC:
	case VIEW_CTRL('g'):
	case VIEW_CTRL('c'):
		if (v->prompt == P_FILTER)
			view_status(v, 0, "cancelled");
		else
			view_status(v, 0, "%s cancelled",
			    act_verb(v->plan.act));
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
	plan_prompt(v);
	return ACT_NONE;
}

void
view_export_again(struct view *v, const char *why)
{
	const struct view_plan *p = &v->plan;

	if (p->act != ACT_EXPORT || p->nids == 0)
		return;
	v->prompt = P_FILE;
	snprintf(v->ptext, sizeof(v->ptext), "%.300s; export %zu message%s",
	    why, p->nids, p->nids == 1 ? "" : "s");
	v->pdetail[0] = '\0';
	snprintf(v->ptail, sizeof(v->ptail), " to another file: ");
	snprintf(v->input, sizeof(v->input), "%s", v->efile);
	v->plan.file = NULL;
}
