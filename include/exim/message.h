/* message.h -- one queued message as an .eml, read piece by piece from
 * its -H and -D, read-only and without a lock (exim-spool.md section 5). */
#ifndef MXTOP_EXIM_MESSAGE_H
#define MXTOP_EXIM_MESSAGE_H
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "exim/spool.h"

/* The message as Exim would deliver it (what `exim -Mvc` prints): the
 * headers of -H whose flag is not '*', in order, a blank line, then -D
 * after its "<id>-D" line, with CRLF turned into LF for the wire-format
 * spool variant.  Plain record; fields under "private" are not for
 * callers.  msg_reader_init() before the first open, msg_reader_done()
 * after the last close. */
struct msg_reader {
	char		 id[SPOOL_ID_MAX + 1];
	int64_t		 size;		/* exact bytes of the .eml */
	int64_t		 arrival;	/* seconds, from -H */
	int		 wire;		/* the -D is in wire format */
	/* private */
	struct spool_hdr h;
	char		*hbuf;		/* the -H file, which h points into */
	size_t		 hcap;
	int		 fd;		/* -D, or -1 */
	int		 headers_only;
	int		 phase;		/* headers, blank line, body, end */
	size_t		 hi, hoff;	/* next header, offset in it */
	off_t		 off, end;	/* body bytes of -D still to read */
	char		*rbuf;		/* converted body bytes */
	size_t		 rpos, rlen;
	int		 held_cr;	/* a CR at the end of the last read */
};

void	msg_reader_init(struct msg_reader *);
void	msg_reader_done(struct msg_reader *);
/* Opens message id of spool directory dir: reads its -H in full (with
 * one retry, as a scan does) and opens its -D read-only, without any
 * lock, checking its first line.  Kept open, the -D stays readable even
 * if Exim removes it meanwhile.  With headers_only the body is left out
 * (the .eml ends with the blank line).  Returns 0 with e->size set, or
 * -1 with err and errno (ENOENT: the message left the queue). */
int	msg_reader_open(struct msg_reader *, const char *dir, const char *id,
	    int headers_only, char *err, size_t errlen);
/* Opens message id's -D read-only, without a lock: never through a
 * symlink, a regular file whose first line is "<id>-D" only.  Returns the
 * descriptor (st filled; the body starts after strlen(id) + 3 bytes), or
 * -1 with err and errno (ENOENT: the message left the queue). */
int	msg_data_open(const char *dir, const char *id, struct stat *st,
	    char *err, size_t errlen);
/* Copies the next bytes of the .eml into buf.  Returns how many (up to
 * len), 0 at the end, or -1 with errno on a read error. */
ssize_t	msg_reader_read(struct msg_reader *, char *buf, size_t len);
void	msg_reader_close(struct msg_reader *);	/* closed again: no-op */
#endif
