/* message.c -- one queued message as an .eml, read in pieces.
 *
 * The headers come from -H (those not flagged '*' as deleted), the body
 * from -D after its "<id>-D\n" line: what `exim -Mvc` prints.  The -D is
 * opened read-only and never locked (exim-spool.md section 5). */
#include "exim/message.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RBUF	65536
/* rbuf holds RBUF + 1 converted bytes, then RBUF raw ones. */
#define RAW(e)	((e)->rbuf + RBUF + 1)

enum { PH_HDRS, PH_BLANK, PH_BODY, PH_END };

void
msg_reader_init(struct msg_reader *e)
{
	memset(e, 0, sizeof(*e));
	e->fd = -1;
	spool_hdr_init(&e->h);
}

void
msg_reader_done(struct msg_reader *e)
{
	msg_reader_close(e);
	spool_hdr_done(&e->h);
	free(e->hbuf);
	free(e->rbuf);
	e->hbuf = e->rbuf = NULL;
	e->hcap = 0;
}

void
msg_reader_close(struct msg_reader *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	e->phase = PH_END;
}

/* Converts CRLF to LF from in[0..n) into out (which has room for n + 1
 * bytes); a CR at the end is held in *held until the next call (or the
 * last, with n 0).  Returns the bytes written. */
static size_t
crlf(const char *in, size_t n, char *out, int *held)
{
	size_t i, o = 0;

	if (*held && (n == 0 || in[0] != '\n'))
		out[o++] = '\r';
	*held = 0;
	for (i = 0; i < n; i++) {
		if (in[i] == '\r') {
			if (i + 1 == n) {
				*held = 1;
				break;
			}
			if (in[i + 1] == '\n')
				continue;
		}
		out[o++] = in[i];
	}
	return o;
}

static ssize_t
pread_all(int fd, char *buf, size_t len, off_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Body bytes after CRLF conversion: one pass over the -D. */
static int
wire_size(struct msg_reader *e, int64_t *size)
{
	off_t off = e->off;
	int held = 0;
	ssize_t n;

	*size = 0;
	while (off < e->end) {
		n = pread_all(e->fd, RAW(e), (size_t)(e->end - off < RBUF ?
		    e->end - off : RBUF), off);
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		off += n;
		*size += (int64_t)crlf(RAW(e), (size_t)n, e->rbuf, &held);
	}
	*size += (int64_t)crlf(NULL, 0, e->rbuf, &held);
	return 0;
}

int
msg_data_open(const char *dir, const char *id, struct stat *st, char *err,
    size_t errlen)
{
	char path[4096], first[SPOOL_ID_MAX + 4];
	size_t idlen = strlen(id);
	ssize_t n;
	int fd;

	if (!spool_id_valid(id, idlen)) {
		snprintf(err, errlen, "not a message id");
		errno = EINVAL;
		return -1;
	}
	if (spool_path(dir, "input", id, "-D", path, sizeof(path)) < 0) {
		snprintf(err, errlen, "no -D file: the message left the "
		    "queue");
		errno = ENOENT;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) < 0) {
		int sv = errno;

		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		errno = sv;
		return -1;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) ||
	    st->st_size < (off_t)(idlen + 3)) {
		snprintf(err, errlen, "%s is not a spool data file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	n = pread_all(fd, first, idlen + 3, 0);
	if (n != (ssize_t)(idlen + 3) || memcmp(first, id, idlen) != 0 ||
	    memcmp(first + idlen, "-D\n", 3) != 0) {
		snprintf(err, errlen, "%s does not start with its id line",
		    path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
msg_reader_open(struct msg_reader *e, const char *dir, const char *id,
    int headers_only, char *err, size_t errlen)
{
	char path[4096];
	uint8_t *dl = NULL;
	struct stat st;
	size_t idlen, i;
	int64_t body;
	int fd;

	msg_reader_close(e);
	e->size = 0;
	e->hi = e->hoff = e->rpos = e->rlen = 0;
	e->held_cr = 0;
	e->headers_only = headers_only;
	if (e->rbuf == NULL)
		e->rbuf = xmalloc(2 * RBUF + 1);
	idlen = strlen(id);
	if (!spool_id_valid(id, idlen)) {
		snprintf(err, errlen, "not a message id");
		errno = EINVAL;
		return -1;
	}
	memcpy(e->id, id, idlen + 1);
	if (spool_load(dir, id, &e->hbuf, &e->hcap, &e->h, &dl, NULL, err,
	    errlen) < 0) {
		/* errno may be left over from a path probe: look again. */
		errno = spool_path(dir, "input", id, "-H", path,
		    sizeof(path)) < 0 ? ENOENT : EINVAL;
		return -1;
	}
	free(dl);
	e->arrival = e->h.received;
	e->wire = (e->h.flags & MSG_F_WIRE) != 0;
	/* The -D after the -H: if it is gone, so is the message. */
	if ((fd = msg_data_open(dir, id, &st, err, errlen)) < 0)
		return -1;
	e->fd = fd;
	e->off = (off_t)(idlen + 3);
	e->end = st.st_size;
	body = (int64_t)(e->end - e->off);
	if (headers_only)
		body = 0;
	else if (e->wire && wire_size(e, &body) < 0) {
		int sv = errno;

		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		msg_reader_close(e);
		errno = sv;
		return -1;
	}
	for (i = 0; i < e->h.nhdrs; i++)
		if (e->h.hdrs[i].flag != '*')
			e->size += (int64_t)e->h.hdrs[i].text.len;
	e->size += 1 + body;
	e->phase = PH_HDRS;
	return 0;
}

ssize_t
msg_reader_read(struct msg_reader *e, char *buf, size_t len)
{
	size_t o = 0, take;
	ssize_t n;

	while (o < len) {
		switch (e->phase) {
		case PH_HDRS:
			if (e->hi == e->h.nhdrs) {
				e->phase = PH_BLANK;
				break;
			}
			if (e->h.hdrs[e->hi].flag == '*') {
				e->hi++;
				break;
			}
			take = e->h.hdrs[e->hi].text.len - e->hoff;
			if (take > len - o)
				take = len - o;
			memcpy(buf + o, e->h.hdrs[e->hi].text.p + e->hoff,
			    take);
			o += take;
			e->hoff += take;
			if (e->hoff == e->h.hdrs[e->hi].text.len) {
				e->hi++;
				e->hoff = 0;
			}
			break;
		case PH_BLANK:
			buf[o++] = '\n';
			e->phase = e->headers_only ? PH_END : PH_BODY;
			break;
		case PH_BODY:
			if (e->rpos < e->rlen) {
				take = e->rlen - e->rpos;
				if (take > len - o)
					take = len - o;
				memcpy(buf + o, e->rbuf + e->rpos, take);
				o += take;
				e->rpos += take;
				break;
			}
			if (e->off >= e->end) {
				if (e->wire && e->held_cr) {
					e->rlen = crlf(NULL, 0, e->rbuf,
					    &e->held_cr);
					e->rpos = 0;
					break;
				}
				e->phase = PH_END;
				break;
			}
			take = (size_t)(e->end - e->off < RBUF ?
			    e->end - e->off : RBUF);
			if (!e->wire && len - o >= take) {
				/* Straight into the caller's buffer. */
				n = pread_all(e->fd, buf + o, take, e->off);
				if (n <= 0)
					goto fail;
				e->off += n;
				o += (size_t)n;
				break;
			}
			n = pread_all(e->fd, RAW(e), take, e->off);
			if (n <= 0)
				goto fail;
			e->off += n;
			e->rpos = 0;
			if (e->wire)
				e->rlen = crlf(RAW(e), (size_t)n, e->rbuf,
				    &e->held_cr);
			else {
				memcpy(e->rbuf, RAW(e), (size_t)n);
				e->rlen = (size_t)n;
			}
			break;
		case PH_END:
		default:
			return (ssize_t)o;
		}
	}
	return (ssize_t)o;
fail:
	if (n == 0)
		errno = EIO;
	return o > 0 ? (ssize_t)o : -1;
}
