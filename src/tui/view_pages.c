/* view_pages.c -- the text of the Message, Body and Diagnose screens. */
#include "tui/view.h"
#include "view_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "model/stats.h"
#include "base/mem.h"
#include "base/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Message, body and diagnose screens ---- */

static const char *
tstr(char *buf, size_t len, time_t t, time_t now)
{
	char a[16], ts[32];

	units_fmt_time(ts, sizeof(ts), t);
	snprintf(buf, len, "%s UTC (%s ago)", ts, v_age(a, sizeof(a), now - t));
	return buf;
}

void
view_set_message(struct view *v, const struct spool_msg *m,
    const struct spool_hdr *h, const uint8_t *delivered,
    const struct history *hist, const char *err)
{
	struct pager *p = &v->pg[VIEW_MESSAGE];
	char buf[1024], a[32], s[32];
	const char *id = view_msg_id(v);
	size_t i, npend = 0;

	v_pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Message %s", id ? id : "?");
	v_pg_add(p, VIEW_ST_SECTION, 2, "Envelope");
	if (h != NULL)
		snprintf(buf, sizeof(buf), "<%.*s>", (int)h->sender.len,
		    h->sender.p);
	else if (m != NULL)
		snprintf(buf, sizeof(buf), "<%s>", m->sender ? m->sender : "");
	else
		buf[0] = '\0';
	v_pg_kv(p, "From", strcmp(buf, "<>") == 0 ? "<> (a bounce)" : buf);
	if (m != NULL) {
		v_pg_kv(p, "Arrived", tstr(buf, sizeof(buf), (time_t)m->arrival,
		    v->now));
		snprintf(buf, sizeof(buf), "%s", m->size < 0 ? "(no -D)" :
		    v_size_str(s, sizeof(s), m->size));
		v_pg_kv(p, "Size", buf);
	}
	if (h != NULL) {
		if (h->host_address.len > 0) {
			snprintf(buf, sizeof(buf), "%.*s%s%.*s%s%s%.*s",
			    (int)h->host_address.len, h->host_address.p,
			    h->host_name.len ? " (" : "",
			    (int)h->host_name.len, h->host_name.p,
			    h->host_name.len ? ")" : "",
			    h->helo_name.len ? " helo " : "",
			    (int)h->helo_name.len, h->helo_name.p);
			v_pg_kv(p, "From host", buf);
		}
		if (h->warnings > 0) {
			snprintf(buf, sizeof(buf), "%d", h->warnings);
			v_pg_kv(p, "Warnings sent", buf);
		}
	}
	if (m != NULL) {
		buf[0] = '\0';
		if (m->flags & MSG_F_FROZEN) {
			strcat(buf, "frozen");
			if (m->frozen_at > 0) {
				snprintf(s, sizeof(s), " %s ago", v_age(a,
				    sizeof(a), v->now - m->frozen_at));
				strcat(buf, s);
			}
		}
		if (m->flags & MSG_F_ACTIVE)
			strcat(buf, buf[0] ? ", being delivered" :
			    "being delivered");
		if (m->flags & MSG_F_THAWED)
			strcat(buf, buf[0] ? ", thawed by hand" :
			    "thawed by hand");
		if (m->flags & MSG_F_FIRST)
			strcat(buf, buf[0] ? ", never tried" : "never tried");
		if (m->flags & MSG_F_LOCALERR)
			strcat(buf, buf[0] ? ", bounce made here" :
			    "bounce made here");
		if (buf[0])
			v_pg_kv(p, "State", buf);
		if (m->cls != CLASS_NONE)
			v_pg_kv(p, "Last attempt", class_name(m->cls));
		if (m->bad != NULL || (m->flags & MSG_F_BADFILE)) {
			snprintf(buf, sizeof(buf), "bad file: %s",
			    m->bad ? m->bad : "unreadable");
			v_pg_addn(p, VIEW_ST_BAD, 16, buf, strlen(buf));
		}
	}
	if (err != NULL && err[0] != '\0') {
		snprintf(buf, sizeof(buf), "  cannot read -H: %s", err);
		v_pg_addn(p, VIEW_ST_BAD, 4, buf, strlen(buf));
	}
	if (h != NULL) {
		for (i = 0; i < h->nrcpts; i++)
			if (delivered == NULL || !delivered[i])
				npend++;
		v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		v_pg_add(p, VIEW_ST_SECTION, 2, "Recipients (%zu, %zu pending)",
		    h->nrcpts, npend);
		for (i = 0; i < h->nrcpts; i++) {
			int done = delivered != NULL && delivered[i];

			snprintf(buf, sizeof(buf), "  %-10s %.*s",
			    done ? "delivered" : "pending",
			    (int)h->rcpts[i].addr.len, h->rcpts[i].addr.p);
			v_pg_addn(p, done ? VIEW_ST_DIM : VIEW_ST_NORMAL, 13,
			    buf, strlen(buf));
		}
	}
	if (hist != NULL) {
		v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		v_pg_add(p, VIEW_ST_SECTION, 2,
		    "Delivery history (%u attempts)", hist->attempts);
		for (i = 0; i < hist->n; i++) {
			const struct history_event *e = &hist->ev[i];
			char ts[32];
			int st = VIEW_ST_NORMAL;
			enum class_id c = class_of_event(e->kind, e->text,
			    strlen(e->text));

			if (e->time)
				units_fmt_time(ts, sizeof(ts), e->time);
			else
				snprintf(ts, sizeof(ts), "%19s", "");
			if (e->kind == LL_DEFER || e->kind == LL_FAIL ||
			    e->kind == LL_HOSTERR)
				st = VIEW_ST_CLASS + (c & 15);
			else if (e->kind == LL_SKIP)
				st = VIEW_ST_DIM;
			snprintf(buf, sizeof(buf), "  %s %-9s %-10s %s", ts,
			    history_kind_name(e->kind),
			    c != CLASS_NONE ? class_name(c) : "",
			    e->line);
			v_pg_addn(p, st, 44, buf, strlen(buf));
		}
		if (hist->n == 0)
			v_pg_add(p, VIEW_ST_DIM, 4, "  (no msglog entries)");
	}
	if (h != NULL) {
		v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		v_pg_add(p, VIEW_ST_SECTION, 2, "Headers");
		for (i = 0; i < h->nhdrs; i++) {
			const struct spool_header *hd = &h->hdrs[i];
			const char *t = hd->text.p, *nl;
			size_t left = hd->text.len;

			if (hd->flag == '*')
				continue;
			/* One line per physical header line. */
			while (left > 0) {
				size_t n;

				nl = memchr(t, '\n', left);
				n = nl ? (size_t)(nl - t) : left;
				if (n > 0 || nl == NULL) {
					char *line = xmalloc(n + 3);

					line[0] = line[1] = ' ';
					memcpy(line + 2, t, n);
					v_pg_addn(p, VIEW_ST_NORMAL, 6, line,
					    n + 2);
					free(line);
				}
				if (nl == NULL)
					break;
				left -= n + 1;
				t += n + 1;
			}
		}
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
	const struct stats_diag *g;
	char buf[2048], a[32], b[32], ts[32];
	size_t off;
	int c, bk;

	v_pg_clear(p);
	snprintf(p->title, sizeof(p->title), "Diagnose %s", name);
	if (d == NULL) {
		v_pg_add(p, VIEW_ST_DIM, 2, "  %s has nothing queued%s", name,
		    v->args[0] ? " under this filter" : "");
		return;
	}
	g = &d->diag;
	v_pg_add(p, VIEW_ST_SECTION, 2, "Queue");
	snprintf(buf, sizeof(buf), "%u messages, %u recipients, %s, oldest "
	    "%s, newest %s, frozen %u, active %u", d->messages, d->recipients,
	    v_size_str(ts, sizeof(ts), d->bytes), v_age(a, sizeof(a),
	    v->now - d->oldest), v_age(b, sizeof(b), v->now - d->newest),
	    d->frozen, d->active);
	v_pg_kv(p, "Depth", buf);
	off = 0;
	for (bk = 0; bk < STATS_NBUCKETS; bk++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s:%u",
		    bk ? " " : "", stats_bucket_name[bk], d->buckets[bk]);
	v_pg_kv(p, "Ages (min)", buf);
	v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
	v_pg_add(p, VIEW_ST_SECTION, 2, "Diagnosis");
	if (g->samples == 0) {
		v_pg_kv(p, "Class", "none: no delivery attempts or callouts in "
		    "the logs' window");
	} else {
		snprintf(buf, sizeof(buf), "%s (dominant of %u samples, %u "
		    "delivery attempts)", class_name(g->cls), g->samples,
		    g->attempts);
		snprintf(ts, sizeof(ts), "  %-13s ", "Class");
		v_pg_add(p, VIEW_ST_CLASS + (g->cls & 15), 16, "%s%s", ts, buf);
		off = 0;
		buf[0] = '\0';
		for (c = 1; c < CLASS__COUNT && c < 16; c++)
			if (g->classes[c] > 0)
				off += (size_t)snprintf(buf + off,
				    sizeof(buf) - off, "%s%s %u",
				    off ? ", " : "", class_name(c),
				    g->classes[c]);
		v_pg_kv(p, "Class mix", buf);
	}
	snprintf(buf, sizeof(buf), "score %.2f over %u samples%s", g->tarpit,
	    g->samples, g->suspected ? ": SUSPECTED tarpitting" : "");
	snprintf(ts, sizeof(ts), "  %-13s ", "Tarpit");
	v_pg_add(p, g->suspected ? VIEW_ST_WARN : VIEW_ST_NORMAL, 16, "%s%s",
	    ts, buf);
	snprintf(buf, sizeof(buf), "%u could not complete, %u rejected, %u "
	    "cached rejections", g->callout_deferred, g->callout_rejected,
	    g->callout_cached);
	v_pg_kv(p, "Callouts", buf);
	v_pg_kv(p, "Last success", g->last_success ? tstr(buf, sizeof(buf),
	    g->last_success, v->now) : "none in the window");
	if (g->last_error.time) {
		char t2[64];

		tstr(t2, sizeof(t2), g->last_error.time, v->now);
		snprintf(buf, sizeof(buf), "%s %s%s%s", t2,
		    g->last_error.host ? g->last_error.host : "",
		    g->last_error.host ? ": " : "",
		    g->last_error.text ? g->last_error.text : "");
		v_pg_kv(p, "Last error", buf);
	}
	if (g->cls != CLASS_NONE) {
		v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		v_pg_add(p, VIEW_ST_SECTION, 2, "Advice");
		v_pg_add(p, VIEW_ST_NORMAL, 2, "  %s", class_advice(g->cls));
	}
	if (g->nevidence > 0) {
		uint32_t i;

		v_pg_add(p, VIEW_ST_NORMAL, 0, "%s", "");
		v_pg_add(p, VIEW_ST_SECTION, 2, "Evidence (newest first)");
		for (i = 0; i < g->nevidence && i < STATS_NEVIDENCE; i++) {
			const struct stats_evidence *e = &g->evidence[i];

			units_fmt_time(ts, sizeof(ts), e->time);
			snprintf(buf, sizeof(buf), "  %s %-10s %s%s%s", ts,
			    class_name(e->cls), e->host ? e->host : "",
			    e->host ? " " : "", e->text ? e->text : "");
			v_pg_addn(p, VIEW_ST_CLASS + (e->cls & 15), 33, buf,
			    strlen(buf));
		}
	}
}
