/* mta_job_result.c -- what an Exim command did to each message of a
 * job: flush (did it leave the spool, or what does its msglog say now),
 * the batched -Mf/-Mt/-Mrm/-Mg (gone, frozen or not, Exim's message),
 * -Mmd (the -H read back: are the recipients marked done), and the
 * adaptive pacing that flush's deferrals drive. */
#include "run/mta.h"
#include "mta_job_priv.h"
#include "model/classify.h"
#include "exim/history.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
first_line(const char *s, char *buf, size_t len)
{
	size_t n;

	if (s == NULL)
		s = "";
	s += strspn(s, "\n");
	n = strcspn(s, "\n");
	text_sanitize(buf, len, s, n);
	return buf;
}

static void
adapt(struct mta_job *j, const struct mta_item *it)
{
	double r = j->rate;
	char msg[256];

	if (!j->adaptive)
		return;
	if (it->result == MTA_R_DEFERRED && (it->cls == CLASS_TARPIT ||
	    it->cls == CLASS_RATELIMIT || it->cls == CLASS_OFFLINE)) {
		j->bad_streak++;
		r = j->rate / 2;
		if (r < j->min_rate)
			r = j->min_rate;
		if (j->bad_streak >= MTA_ADAPT_STOP && !j->stopping) {
			snprintf(msg, sizeof(msg), "the primary is in trouble "
			    "again: %d deferrals in a row (last: %s)",
			    j->bad_streak, class_name((enum class_id)it->cls));
			mta_job_cancel(j, msg);
		}
	} else if (it->result == MTA_R_DONE) {
		j->bad_streak = 0;
		r = j->rate + j->start_rate / 8;
		if (r > j->start_rate)
			r = j->start_rate;
	} else
		return;
	if (r != j->rate) {
		j->rate = r;
		mta_bucket_set_rate(&j->bucket, r, units_mono());
		job_rate_point(j);
	}
}

/* The result of a flush from the spool and the new msglog lines. */
void
job_flush_result(struct mta_job *j, struct child *k)
{
	size_t i = k->idx[0], e;
	const struct history_event *ev, *last = NULL, *frz = NULL;
	const char *id = j->items[i].id;
	char det[512], line[200];
	int any = 0;

	if (!job_exists(j->spool, id)) {
		job_finish(j, i, MTA_R_DONE, 0, "delivered");
		adapt(j, &j->items[i]);
		return;
	}
	(void)history_read(k->hist, j->spool, id);
	for (e = k->hist_n; e < k->hist->n; e++) {
		ev = &k->hist->ev[e];
		if (ev->kind == LL_DEFER || ev->kind == LL_FAIL)
			last = ev;
		if (history_is_attempt(ev))
			any = 1;
		if (ev->kind == LL_FROZEN)
			frz = ev;
	}
	if (frz != NULL) {
		text_sanitize(line, sizeof(line), frz->line,
		    strlen(frz->line));
		snprintf(det, sizeof(det), "frozen: %s", line);
		job_finish(j, i, MTA_R_FAILED, last != NULL ? (int)class_of_event(
		    last->kind, last->text, strlen(last->text)) : 0, det);
	} else if (last != NULL) {
		text_sanitize(line, sizeof(line), last->text,
		    strlen(last->text));
		if (last->host != NULL && strstr(last->text, "H=") == NULL) {
			char host[64];

			text_sanitize(host, sizeof(host), last->host,
			    strlen(last->host));
			snprintf(det, sizeof(det), "%s: %s", host, line);
		} else
			snprintf(det, sizeof(det), "%s", line);
		job_finish(j, i, last->kind == LL_FAIL && !any ?
		    MTA_R_FAILED : MTA_R_DEFERRED, (int)class_of_event(
		    last->kind, last->text, strlen(last->text)), det);
	} else if (job_locked_now(j->spool, id))
		job_finish(j, i, MTA_R_LOCKED, 0, "being delivered by Exim "
		    "right now");
	else if (k->olen > 0)
		job_finish(j, i, MTA_R_FAILED, 0, first_line(k->out, line,
		    sizeof(line)));
	else
		job_finish(j, i, MTA_R_FAILED, 0, "still queued; no delivery "
		    "attempt was logged");
	adapt(j, &j->items[i]);
}

/* Results of a -Mf/-Mt/-Mrm/-Mg process: its lines, then the spool. */
void
job_batch_result(struct mta_job *j, struct child *k)
{
	enum mta_result res;
	char id[32], line[256], other[256];
	const char *p, *nl;
	size_t i, l;
	int ok;

	other[0] = '\0';
	for (p = k->out != NULL ? k->out : ""; *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		l = nl != NULL ? (size_t)(nl - p) : strlen(p);
		nl = nl != NULL ? nl + 1 : p + l;
		text_sanitize(line, sizeof(line), p, l);
		ok = mta_parse_line(j->act, line, id, &res);
		if (!ok) {
			if (other[0] == '\0' && line[0] != '\0' &&
			    strncmp(line, "Continuing", 10) != 0)
				snprintf(other, sizeof(other), "%s", line);
			continue;
		}
		for (i = 0; i < k->nidx; i++) {
			struct mta_item *it = &j->items[k->idx[i]];

			if (strcmp(it->id, id) != 0)
				continue;
			/* Exim may say more than once; the last line wins. */
			it->cls = (int)res;
			snprintf(it->detail, sizeof(it->detail), "%s", line);
		}
	}
	for (i = 0; i < k->nidx; i++) {
		struct mta_item *it = &j->items[k->idx[i]];
		char det[256];

		if (it->detail[0] != '\0') {
			res = (enum mta_result)it->cls;
			snprintf(det, sizeof(det), "%s", it->detail);
			it->detail[0] = '\0';
			it->cls = 0;
			/* Removed means gone from the spool. */
			if (res == MTA_R_DONE && j->act == PLAN_DELETE &&
			    job_exists(j->spool, it->id))
				res = MTA_R_FAILED;
			job_finish(j, k->idx[i], res, 0, det);
		} else if (j->act == PLAN_BOUNCE && !job_exists(j->spool, it->id))
			job_finish(j, k->idx[i], MTA_R_DONE, 0, "bounced to the "
			    "sender");
		else if (job_locked_now(j->spool, it->id))
			job_finish(j, k->idx[i], MTA_R_LOCKED, 0, "being delivered "
			    "by Exim right now");
		else if (other[0] != '\0')
			job_finish(j, k->idx[i], MTA_R_FAILED, 0, other);
		else
			job_finish(j, k->idx[i], MTA_R_FAILED, 0, j->act ==
			    PLAN_BOUNCE ? "still in the spool after -Mg" :
			    "Exim said nothing about it");
	}
}

/* The result of an -Mmd: read back from -H, the selected recipients
 * must now be done (and the message still there for the others). */
void
job_mmd_result(struct mta_job *j, struct child *k)
{
	struct mta_item	*it = &j->items[k->idx[0]];
	struct spool_hdr h;
	char		*buf = NULL, err[256], line[256];
	size_t		 cap = 0, a, r, left = 0;
	uint8_t		*dl = NULL;

	spool_hdr_init(&h);
	if (spool_load(j->spool, it->id, &buf, &cap, &h, &dl, NULL, err,
	    sizeof(err)) < 0) {
		/* Gone: Exim completed it, or someone removed it. */
		job_finish(j, k->idx[0], errno == ENOENT ? MTA_R_GONE :
		    MTA_R_FAILED, 0, errno == ENOENT ? "no longer in the "
		    "spool" : err);
		goto out;
	}
	for (a = 0; a < it->naddrs; a++) {
		for (r = 0; r < h.nrcpts; r++)
			if (h.rcpts[r].addr.len == strlen(it->addrs[a]) &&
			    memcmp(h.rcpts[r].addr.p, it->addrs[a],
			    h.rcpts[r].addr.len) == 0 && dl[r] != RCPT_PENDING)
				break;
		if (r == h.nrcpts)
			left++;
	}
	if (left == 0)
		job_finish(j, k->idx[0], MTA_R_DONE, 0, "marked done; the message "
		    "stays for its other recipients");
	else if (job_locked_now(j->spool, it->id))
		job_finish(j, k->idx[0], MTA_R_LOCKED, 0, "being delivered by Exim "
		    "right now");
	else
		job_finish(j, k->idx[0], MTA_R_FAILED, 0, k->olen > 0 ?
		    first_line(k->out, line, sizeof(line)) :
		    "the recipients are still pending after -Mmd");
out:
	free(buf);
	free(dl);
	spool_hdr_done(&h);
}
