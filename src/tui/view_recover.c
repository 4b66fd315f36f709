/* view_recover.c -- probes and the Recover screen in the view-model:
 * the last probe per domain (shown on the Domains screen), and the
 * pager whose lines the loop sets while it probes, verifies, plans,
 * removes and flushes (mxtop drain, on a screen). */
#include "tui/view.h"
#include "view_priv.h"
#include "model/stats.h"

#include <stdio.h>
#include <string.h>

const char *
view_probe_domain(const struct view *v)
{
	const struct frame *f = v_ctop(v);

	if (f->scr == VIEW_DOMAINS)
		return view_row_key(v, f->cursor);
	if (f->scr == VIEW_MESSAGES || f->scr == VIEW_DIAGNOSE ||
	    f->scr == VIEW_RECOVER)
		return f->ctx[0] != '\0' ? f->ctx : NULL;
	return NULL;
}

const struct vprobe *
v_probe_of(const struct view *v, const char *domain)
{
	size_t	 i;

	for (i = 0; domain != NULL && i < v->nprobes; i++)
		if (strcmp(v->probes[i].domain, domain) == 0)
			return &v->probes[i];
	return NULL;
}

void
view_set_probe(struct view *v, const char *domain, const char *verdict,
    time_t when)
{
	struct vprobe	*p = (struct vprobe *)v_probe_of(v, domain);

	if (p == NULL) {
		xgrow(&v->probes, &v->capprobes, v->nprobes + 1,
		    sizeof(*v->probes));
		p = &v->probes[v->nprobes++];
		snprintf(p->domain, sizeof(p->domain), "%s", domain);
	}
	snprintf(p->verdict, sizeof(p->verdict), "%s", verdict);
	p->when = when;
	v_layout(v);
}

void
view_recover_clear(struct view *v, const char *title)
{
	struct pager	*p = &v->pg[VIEW_RECOVER];

	v_pg_clear(p);
	snprintf(p->title, sizeof(p->title), "%s", title);
}

void
view_recover_line(struct view *v, int style, int indent, const char *text)
{
	struct pager	*p = &v->pg[VIEW_RECOVER];

	v_pg_addn(p, style, indent, text, strlen(text));
	p->wrapped_at = 0;
}

void
view_recover_state(struct view *v, int confirm, int running)
{
	v->rec_confirm = confirm;
	v->rec_running = running;
}

enum view_act
v_recover_key(struct view *v, int key)
{
	if (v_ctop(v)->scr != VIEW_RECOVER)
		return ACT_NONE;
	if ((key == 'y' || key == 'Y') && v->rec_confirm) {
		v->rec_confirm = 0;
		view_status(v, 0, "draining: x cancels");
		return ACT_RECOVER_GO;
	}
	if (key == 'y' || key == 'Y') {
		view_status(v, 1, "nothing to confirm yet");
		return ACT_NONE;
	}
	if (key == 'x' && v->rec_running)
		return ACT_CANCEL;
	return ACT_NONE;
}
