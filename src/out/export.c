/* export.c -- write selected messages to an archive or an mbox.
 *
 * The only file that includes <archive.h>.  Each message is one member,
 * written with its exact size up front and its bytes in 64 KB pieces, so
 * memory stays flat; the manifest rows go to temporary files and are
 * copied in at the end, after the messages, with summary.txt. */
#define _GNU_SOURCE		/* O_TMPFILE */
#include "out/export.h"
#include "model/classify.h"
#include "out/fmt.h"
#include "model/stats.h"
#include "model/diag.h"
#include "model/select.h"
#include "exim/spool.h"
#include "base/mem.h"
#include "base/text.h"
#include "base/units.h"
#include "base/sha256.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* What every manifest row needs. */
struct export_ctx {
	const struct spool_snap	*snap;
	const struct diag	*diag;
	const struct select	*sel;
	int			 only_sel;	/* rows list only the recipients
						 * the selection is about */
	const struct export_opts *o;
};

#define CHUNK	65536

static const struct {
	const char		*name;
	enum export_format	 fmt;
} fmts[] = {
	{ "tar.gz", EXPORT_TGZ }, { "tgz", EXPORT_TGZ },
	{ "tar.xz", EXPORT_TXZ }, { "txz", EXPORT_TXZ },
	{ "zip", EXPORT_ZIP }, { "mbox.gz", EXPORT_MBOXGZ },
	{ "mbox", EXPORT_MBOX },
};

int
export_format_parse(const char *s, enum export_format *f)
{
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (strcmp(s, fmts[i].name) == 0) {
			*f = fmts[i].fmt;
			return 0;
		}
	return -1;
}

int
export_format_guess(const char *path, enum export_format *f)
{
	size_t i, n = strlen(path), k;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		k = strlen(fmts[i].name);
		if (n > k + 1 && path[n - k - 1] == '.' &&
		    strcmp(path + n - k, fmts[i].name) == 0) {
			*f = fmts[i].fmt;
			return 0;
		}
	}
	return -1;
}

const char *
export_format_name(enum export_format f)
{
	switch (f) {
	case EXPORT_TGZ: return "tar.gz";
	case EXPORT_TXZ: return "tar.xz";
	case EXPORT_ZIP: return "zip";
	case EXPORT_MBOX: return "mbox";
	case EXPORT_MBOXGZ: return "mbox.gz";
	}
	return "?";
}

char *
export_default_name(char *buf, size_t len, const char *domain, time_t now)
{
	char dom[128], day[16];
	struct tm tm;
	size_t i;

	snprintf(dom, sizeof(dom), "%s", domain ? domain : "queue");
	for (i = 0; dom[i] != '\0'; i++)
		if (!((dom[i] >= 'a' && dom[i] <= 'z') ||
		    (dom[i] >= 'A' && dom[i] <= 'Z') ||
		    (dom[i] >= '0' && dom[i] <= '9') || dom[i] == '.' ||
		    dom[i] == '-'))
			dom[i] = '_';
	if (dom[0] == '.')
		dom[0] = '_';
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	snprintf(buf, len, "mxtop-%s-%s.tar.gz", dom, day);
	return buf;
}

/* ---- Where the members go: libarchive, or an mboxrd stream ---- */

struct sink {
	enum export_format fmt;
	struct archive	*a;
	struct archive_entry *ent;
	int		 fd;		/* mbox: the output */
	gzFile		 gz;		/* mbox.gz */
	char		*obuf;		/* mbox: pending output */
	size_t		 olen;
	int		 bol;		/* mbox: at the start of a line */
	unsigned	 nq, k;		/* mbox: '>'s and "From " matched */
	char		 last;		/* mbox: last byte out */
	char		*err;
	size_t		 errlen;
};

static int
is_mbox(enum export_format f)
{
	return f == EXPORT_MBOX || f == EXPORT_MBOXGZ;
}

static int
aerr(struct sink *s, const char *what)
{
	snprintf(s->err, s->errlen, "%s: %s", what,
	    archive_error_string(s->a) ? archive_error_string(s->a) :
	    "libarchive error");
	return -1;
}

static int
mbox_flush(struct sink *s)
{
	size_t o = 0;
	ssize_t n;

	if (s->gz != NULL) {
		if (s->olen > 0 && gzwrite(s->gz, s->obuf, (unsigned)s->olen)
		    != (int)s->olen) {
			snprintf(s->err, s->errlen, "write error (gzip)");
			return -1;
		}
		s->olen = 0;
		return 0;
	}
	while (o < s->olen) {
		n = write(s->fd, s->obuf + o, s->olen - o);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(s->err, s->errlen, "write error: %s",
			    strerror(errno));
			return -1;
		}
		o += (size_t)n;
	}
	s->olen = 0;
	return 0;
}

static int
mbox_out(struct sink *s, const char *p, size_t n)
{
	size_t take;

	while (n > 0) {
		if (s->olen == CHUNK && mbox_flush(s) < 0)
			return -1;
		take = CHUNK - s->olen < n ? CHUNK - s->olen : n;
		memcpy(s->obuf + s->olen, p, take);
		s->olen += take;
		p += take;
		n -= take;
		s->last = p[-1];
	}
	return 0;
}

/* The '>'s and the part of "From " held back at a line start. */
static int
mbox_prefix(struct sink *s)
{
	unsigned i;

	for (i = 0; i < s->nq; i++)
		if (mbox_out(s, ">", 1) < 0)
			return -1;
	if (s->k > 0 && mbox_out(s, "From ", s->k) < 0)
		return -1;
	s->nq = s->k = 0;
	return 0;
}

/* mboxrd: a line matching ^>*From  gets one more '>'.  The match is
 * tracked across pieces with a count of '>'s and of "From " matched. */
static int
mbox_data(struct sink *s, const char *p, size_t n)
{
	const char *nl;
	size_t i = 0, end;

	while (i < n) {
		if (!s->bol) {
			nl = memchr(p + i, '\n', n - i);
			end = nl ? (size_t)(nl - p) + 1 : n;
			if (mbox_out(s, p + i, end - i) < 0)
				return -1;
			i = end;
			s->bol = nl != NULL;
			continue;
		}
		if (s->k == 0 && p[i] == '>') {
			s->nq++;
			i++;
			continue;
		}
		if (p[i] == "From "[s->k]) {
			i++;
			if (++s->k == 5) {
				if (mbox_out(s, ">", 1) < 0 ||
				    mbox_prefix(s) < 0)
					return -1;
				s->bol = 0;
			}
			continue;
		}
		if (mbox_prefix(s) < 0)
			return -1;
		s->bol = 0;
		if (p[i] == '\n') {
			if (mbox_out(s, "\n", 1) < 0)
				return -1;
			s->bol = 1;
			i++;
		}
	}
	return 0;
}

static int
sink_open(struct sink *s, int fd, enum export_format fmt, char *err,
    size_t errlen)
{
	int r = ARCHIVE_OK, d;

	memset(s, 0, sizeof(*s));
	s->fmt = fmt;
	s->fd = fd;
	s->err = err;
	s->errlen = errlen;
	if (is_mbox(fmt)) {
		s->obuf = xmalloc(CHUNK);
		if (fmt == EXPORT_MBOXGZ) {
			if ((d = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0 ||
			    (s->gz = gzdopen(d, "wb")) == NULL) {
				snprintf(err, errlen, "gzip: %s",
				    strerror(errno ? errno : ENOMEM));
				if (d >= 0)
					close(d);
				return -1;
			}
		}
		return 0;
	}
	s->a = archive_write_new();
	s->ent = archive_entry_new();
	if (s->a == NULL || s->ent == NULL)
		fatal("out of memory");
	switch (fmt) {
	case EXPORT_TGZ:
		r = archive_write_set_format_pax_restricted(s->a);
		if (r == ARCHIVE_OK)
			r = archive_write_add_filter_gzip(s->a);
		break;
	case EXPORT_TXZ:
		r = archive_write_set_format_pax_restricted(s->a);
		if (r == ARCHIVE_OK)
			r = archive_write_add_filter_xz(s->a);
		break;
	case EXPORT_ZIP:
		r = archive_write_set_format_zip(s->a);
		break;
	default:
		break;
	}
	if (r == ARCHIVE_OK)
		r = archive_write_set_bytes_in_last_block(s->a, 1);
	if (r == ARCHIVE_OK)
		r = archive_write_open_fd(s->a, fd);
	if (r != ARCHIVE_OK)
		return aerr(s, export_format_name(fmt));
	return 0;
}

/* Starts a member; for mbox, a message with its "From " line and one
 * "X-Envelope-To: <addr>" line per envelope recipient in the export (x,
 * m: those the selection is about). */
static int
sink_begin(struct sink *s, const char *name, int64_t size, time_t mtime,
    const char *sender, const struct export_ctx *x, const struct spool_msg *m)
{
	char line[1100], date[64], who[512], ab[SPOOL_ADDR_BUF];
	const char *a;
	struct tm tm;
	size_t i, r;

	if (is_mbox(s->fmt)) {
		/* The envelope sender, made one word. */
		snprintf(who, sizeof(who), "%s", sender && *sender ? sender :
		    "MAILER-DAEMON");
		for (i = 0; who[i] != '\0'; i++)
			if ((unsigned char)who[i] <= ' ' ||
			    (unsigned char)who[i] == 0x7f)
				who[i] = '_';
		gmtime_r(&mtime, &tm);
		strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
		snprintf(line, sizeof(line), "From %s %s\n", who, date);
		s->bol = 1;
		s->nq = s->k = 0;
		if (mbox_out(s, line, strlen(line)) < 0)
			return -1;
		for (i = 0; i < m->nrcpt; i++) {
			r = m->rcpt0 + i;
			if (x->snap->rcpts[r].state != RCPT_PENDING ||
			    !select_rcpt(x->sel, x->snap, x->diag, m, r))
				continue;
			a = spool_rcpt_addr(x->snap, &x->snap->rcpts[r], ab);
			text_sanitize(who, sizeof(who), a, strlen(a));
			snprintf(line, sizeof(line), "X-Envelope-To: <%s>\n",
			    who);
			if (mbox_out(s, line, strlen(line)) < 0)
				return -1;
		}
		return 0;
	}
	archive_entry_clear(s->ent);
	archive_entry_set_pathname(s->ent, name);
	archive_entry_set_filetype(s->ent, AE_IFREG);
	archive_entry_set_perm(s->ent, 0644);
	archive_entry_set_size(s->ent, size);
	archive_entry_set_mtime(s->ent, mtime, 0);
	archive_entry_set_uname(s->ent, "root");
	archive_entry_set_gname(s->ent, "root");
	if (archive_write_header(s->a, s->ent) != ARCHIVE_OK)
		return aerr(s, name);
	return 0;
}

static int
sink_data(struct sink *s, const char *p, size_t n)
{
	la_ssize_t w;

	if (is_mbox(s->fmt))
		return mbox_data(s, p, n);
	while (n > 0) {
		w = archive_write_data(s->a, p, n);
		if (w <= 0)
			return aerr(s, "write");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
sink_end(struct sink *s)
{
	if (is_mbox(s->fmt)) {
		if (mbox_prefix(s) < 0)
			return -1;
		if (s->last != '\n' && mbox_out(s, "\n", 1) < 0)
			return -1;
		return mbox_out(s, "\n", 1);
	}
	if (archive_write_finish_entry(s->a) != ARCHIVE_OK)
		return aerr(s, "write");
	return 0;
}

/* Finishes the output; with ok 0 (after an error) just frees. */
static int
sink_close(struct sink *s, int ok)
{
	int rc = 0;

	if (is_mbox(s->fmt)) {
		if (ok && mbox_flush(s) < 0)
			rc = -1;
		if (s->gz != NULL && gzclose(s->gz) != Z_OK && ok && rc == 0) {
			snprintf(s->err, s->errlen, "write error (gzip)");
			rc = -1;
		}
		free(s->obuf);
		return rc;
	}
	if (ok && archive_write_close(s->a) != ARCHIVE_OK)
		rc = aerr(s, "write");
	archive_entry_free(s->ent);
	archive_write_free(s->a);
	return rc;
}

/* Copies a temporary file in as member name. */
static int
sink_file(struct sink *s, const char *name, FILE *f, time_t mtime,
    char *buf)
{
	long size;
	size_t n;

	if (fflush(f) != 0 || (size = ftell(f)) < 0) {
		snprintf(s->err, s->errlen, "temporary file: %s",
		    strerror(errno));
		return -1;
	}
	rewind(f);
	if (sink_begin(s, name, size, mtime, NULL, NULL, NULL) < 0)
		return -1;
	while ((n = fread(buf, 1, CHUNK, f)) > 0)
		if (sink_data(s, buf, n) < 0)
			return -1;
	if (ferror(f)) {
		snprintf(s->err, s->errlen, "temporary file: read error");
		return -1;
	}
	return sink_end(s);
}

/* ---- Manifest rows ---- */

static const char *const state_name[] = { "exported", "gone", "unreadable" };

static void
jstr(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		fmt_json_str(f, s, strlen(s));
}

static void
cstr(FILE *f, const char *s)
{
	fmt_csv_str(f, s ? s : "", s ? strlen(s) : 0);
}


struct row {
	const struct spool_hdr *h;	/* the -H as read, or NULL */
	enum export_state state;
	const char	*file;		/* member name, or NULL */
	int64_t		 size;		/* .eml bytes, -1 if unknown */
	const char	*sha;		/* or NULL */
	const char	*error;		/* or NULL */
};

/* The fields of `mxtop list --format json`, in its order, then ours. */
static const char *const hdr_fields[4][2] = {
	{ "subject", "Subject" }, { "message_id", "Message-ID" },
	{ "from", "From" }, { "date", "Date" }
};

static void
json_row(FILE *f, const struct export_ctx *x, const struct spool_msg *m,
    const struct row *w)
{
	char	 v[1024], t[32];
	int	 k;

	fputc('{', f);
	fmt_msg_json(f, x->snap, x->diag, x->sel, x->only_sel, m, x->o->now);
	fprintf(f, ",\"arrival_utc\":\"%s\"", units_fmt_iso(t, sizeof(t),
	    (time_t)m->arrival));
	for (k = 0; k < 4; k++) {
		fprintf(f, ",\"%s\":", hdr_fields[k][0]);
		if (fmt_header_value(w->h, hdr_fields[k][1], v, sizeof(v)) < 0)
			fputs("null", f);
		else
			jstr(f, v);
	}
	fprintf(f, ",\"state\":\"%s\",\"file\":", state_name[w->state]);
	jstr(f, w->file);
	fputs(",\"eml_size\":", f);
	if (w->size >= 0)
		fprintf(f, "%lld", (long long)w->size);
	else
		fputs("null", f);
	fputs(",\"sha256\":", f);
	jstr(f, w->sha);
	fputs(",\"error\":", f);
	jstr(f, w->error);
	fputc('}', f);
}

/* After list's columns (fmt_msg_csv_header). */
#define CSV_MORE ",last_error_time,last_error_host,host,state,file," \
	"eml_size,sha256,error,arrival_utc,subject,message_id,from,date," \
	"other_recipients\r\n"

static void
csv_row(FILE *f, const struct export_ctx *x, const struct spool_msg *m,
    const struct row *w)
{
	size_t	 last = select_last(x->sel, x->snap, x->diag, m);
	struct diag_rcpt buf;
	const struct diag_rcpt *r = last != SIZE_MAX ?
	    diag_rcpt_last(x->diag, last, &buf) : NULL;
	char	 v[1024], t[32];
	uint32_t i, others = 0;
	int	 k;

	fmt_msg_csv(f, x->snap, x->diag, x->sel, x->only_sel, m, x->o->now);
	if (r && r->text)
		fprintf(f, ",%lld,", (long long)r->time);
	else
		fputs(",,", f);
	cstr(f, r && r->text ? r->host : "");
	fputc(',', f);
	cstr(f, m->host);
	fprintf(f, ",%s,", state_name[w->state]);
	cstr(f, w->file);
	if (w->size >= 0)
		fprintf(f, ",%lld,", (long long)w->size);
	else
		fputs(",,", f);
	cstr(f, w->sha);
	fputc(',', f);
	cstr(f, w->error);
	fprintf(f, ",%s", units_fmt_iso(t, sizeof(t), (time_t)m->arrival));
	for (k = 0; k < 4; k++) {
		fputc(',', f);
		(void)fmt_header_value(w->h, hdr_fields[k][1], v, sizeof(v));
		cstr(f, v);
	}
	for (i = 0; x->only_sel && i < m->nrcpt; i++)
		others += !select_rcpt(x->sel, x->snap, x->diag, m, m->rcpt0 + i);
	fprintf(f, ",%u\r\n", others);
}

static void
summary(FILE *f, const struct export_opts *o, const struct stats *st,
    size_t n, const struct export_result *res)
{
	struct fmt_opts fo;
	char t[32];

	fprintf(f, "mxtop export\n\n");
	fprintf(f, "Exported at:  %s UTC (%lld)\n",
	    units_fmt_time(t, sizeof(t), o->now), (long long)o->now);
	fprintf(f, "Spool:        %s\n", o->spool ? o->spool : "-");
	fprintf(f, "Selection:    mxtop export%s%s\n",
	    o->selection && *o->selection ? " " : "",
	    o->selection && *o->selection ? o->selection :
	    "   (no selection: the whole queue)");
	fprintf(f, "Format:       %s%s\n", export_format_name(o->format),
	    o->manifest_only ? ", manifest only" : o->headers_only ?
	    ", headers only (no bodies)" : "");
	fprintf(f, "Messages:     %zu selected, %zu exported, %zu gone "
	    "(delivered or removed during the export), %zu unreadable\n",
	    n, res->done, res->gone, res->failed);
	fprintf(f, "Files:        messages/<id>.eml (as Exim would deliver "
	    "them), manifest.csv,\n              manifest.json (one entry "
	    "per message), summary.txt\n\n");
	if (st == NULL)
		return;
	fprintf(f, "Why the mail is waiting, per domain involved\n"
	    "---------------------------------------------\n\n");
	memset(&fo, 0, sizeof(fo));
	fo.kind = FMT_TEXT;
	fo.width = 80;
	fo.now = o->now;
	fo.spool = o->spool;
	fo.cutoff = o->cutoff > 0 ? o->cutoff : 4 * 86400;
	fmt_diagnose(f, &fo, st);
}

/* ---- The driver ---- */

static FILE *
tmp(char *err, size_t errlen)
{
	/* Close-on-exec, unlike tmpfile(3): the TUI may start Exim while
	 * an export runs in its thread. */
	int fd = open("/tmp", O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;

	if (f == NULL && fd >= 0)
		close(fd);
	else if (f == NULL && (f = tmpfile()) != NULL)
		(void)fcntl(fileno(f), F_SETFD, FD_CLOEXEC);
	if (f == NULL)
		snprintf(err, errlen, "cannot create a temporary file: %s",
		    strerror(errno));
	return f;
}

/* One message: its member (unless manifest only) and its digest.
 * Returns 0, 1 if it could not be exported (w says why), -1 on an
 * output error. */
static int
one(struct sink *s, struct msg_reader *e, const struct export_ctx *x,
    const struct spool_msg *m, const struct export_opts *o, char *buf, char *name, char *sha,
    struct row *w, char *why, size_t whylen, struct export_result *res)
{
	struct sha256 h;
	int64_t got = 0;
	ssize_t n;

	if (msg_reader_open(e, o->spool, m->id, o->headers_only, why,
	    whylen) < 0) {
		w->state = errno == ENOENT ? EXPORT_GONE : EXPORT_FAILED;
		w->error = why;
		return 1;
	}
	w->h = &e->h;
	snprintf(name, 64, "messages/%s.eml", e->id);
	if (!o->manifest_only && sink_begin(s, name, e->size,
	    (time_t)e->arrival, spool_msg_sender(m), x, m) < 0)
		return -1;
	sha256_init(&h);
	while ((n = msg_reader_read(e, buf, CHUNK)) > 0) {
		sha256_update(&h, buf, (size_t)n);
		got += n;
		if (!o->manifest_only && sink_data(s, buf, (size_t)n) < 0)
			return -1;
	}
	msg_reader_close(e);
	if (n < 0 || got != e->size) {
		/* The member's size is fixed: a short one cannot be cut
		 * out of the stream any more; say so in the manifest. */
		snprintf(why, whylen, "read error in the -D file after %lld "
		    "of %lld bytes: %s", (long long)got, (long long)e->size,
		    n < 0 ? strerror(errno) : "file shorter than its size");
		if (!o->manifest_only && !is_mbox(o->format))
			for (; got < e->size; got += n) {
				n = e->size - got < CHUNK ? e->size - got :
				    CHUNK;
				memset(buf, 0, (size_t)n);
				if (sink_data(s, buf, (size_t)n) < 0)
					return -1;
			}
		if (!o->manifest_only && sink_end(s) < 0)
			return -1;
		w->state = EXPORT_FAILED;
		w->error = why;
		w->file = o->manifest_only ? NULL : name;
		return 1;
	}
	if (!o->manifest_only && sink_end(s) < 0)
		return -1;
	sha256_hex(&h, sha);
	w->state = EXPORT_DONE;
	w->file = o->manifest_only ? NULL : name;
	w->size = e->size;
	w->sha = sha;
	res->bytes += e->size;
	return 0;
}

int
export_write(int fd, const struct spool_snap *snap, const struct diag *dg,
    const struct select *sel, const size_t *idx, size_t n,
    const struct stats *st, const struct export_opts *o,
    struct export_result *res, char *err, size_t errlen)
{
	struct export_ctx x = { snap, dg, sel, select_by_rcpt(sel), o };
	struct sink s;
	struct msg_reader e;
	FILE *csv = NULL, *json = NULL, *sum = NULL;
	char *buf, name[64], sha[65], why[512];
	size_t i;
	int rc = 0, r;

	memset(res, 0, sizeof(*res));
	if (o->manifest_only && is_mbox(o->format)) {
		snprintf(err, errlen, "an mbox holds no manifest");
		return -1;
	}
	if (!is_mbox(o->format) && ((csv = tmp(err, errlen)) == NULL ||
	    (json = tmp(err, errlen)) == NULL ||
	    (sum = tmp(err, errlen)) == NULL)) {
		if (csv)
			fclose(csv);
		if (json)
			fclose(json);
		return -1;
	}
	if (sink_open(&s, fd, o->format, err, errlen) < 0) {
		if (csv) {
			fclose(csv);
			fclose(json);
			fclose(sum);
		}
		return -1;
	}
	buf = xmalloc(CHUNK);
	msg_reader_init(&e);
	if (csv != NULL) {
		fputs(fmt_msg_csv_header, csv);
		fputs(CSV_MORE, csv);
		fprintf(json, "{\"now\":%lld,\"spool\":", (long long)o->now);
		jstr(json, o->spool);
		fputs(",\"selection\":", json);
		jstr(json, o->selection ? o->selection : "");
		fprintf(json, ",\"format\":\"%s\",\"headers_only\":%s,"
		    "\"manifest_only\":%s,\"messages\":[",
		    export_format_name(o->format),
		    o->headers_only ? "true" : "false",
		    o->manifest_only ? "true" : "false");
	}
	for (i = 0; i < n; i++) {
		const struct spool_msg *m = &snap->msgs[idx[i]];
		struct row w = { NULL, EXPORT_DONE, NULL, -1, NULL, NULL };

		why[0] = '\0';
		r = one(&s, &e, &x, m, o, buf, name, sha, &w, why, sizeof(why),
		    res);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (w.state == EXPORT_DONE)
			res->done++;
		else if (w.state == EXPORT_GONE)
			res->gone++;
		else {
			res->failed++;
			rc = 1;
		}
		if (w.state != EXPORT_DONE && o->report != NULL)
			o->report(o->arg, m->id, w.state, why);
		if (csv != NULL) {
			csv_row(csv, &x, m, &w);
			fputs(i ? ",\n" : "\n", json);
			json_row(json, &x, m, &w);
		}
		if (o->progress != NULL && o->progress(o->arg, i + 1, n)) {
			snprintf(err, errlen, "cancelled");
			errno = ECANCELED;
			rc = -1;
			break;
		}
	}
	msg_reader_done(&e);
	if (rc >= 0 && csv != NULL) {
		fprintf(json, "],\"totals\":{\"selected\":%zu,\"exported\":%zu,"
		    "\"gone\":%zu,\"unreadable\":%zu,\"bytes\":%lld}}\n", n,
		    res->done, res->gone, res->failed,
		    (long long)res->bytes);
		summary(sum, o, st, n, res);
		if (ferror(csv) || ferror(json) || ferror(sum)) {
			snprintf(err, errlen, "temporary file: write error");
			rc = -1;
		} else if (sink_file(&s, "manifest.csv", csv, o->now, buf) < 0 ||
		    sink_file(&s, "manifest.json", json, o->now, buf) < 0 ||
		    sink_file(&s, "summary.txt", sum, o->now, buf) < 0)
			rc = -1;
	}
	if (sink_close(&s, rc >= 0) < 0)
		rc = -1;
	if (csv != NULL) {
		fclose(csv);
		fclose(json);
		fclose(sum);
	}
	free(buf);
	return rc;
}
