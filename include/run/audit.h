/* audit.h -- the actions' audit log: one line per message and action,
 * appended with O_APPEND so concurrent mxtops never interleave a line.
 *
 *	2025-01-01T12:00:00Z user=root sudo_user=alice action=flush
 *	id=1tAbcD-000123-Xy domains=example.com result=done detail="..."
 *	selection="--domain example.com"
 *
 * (one line; values with spaces, quotes or control characters are
 * double-quoted with \" \\ and \xNN escapes). */
#ifndef MXTOP_AUDIT_H
#define MXTOP_AUDIT_H
#include <stddef.h>
#include <time.h>

struct mta_item;			/* mta.h */
struct audit;				/* opaque */

/* Opens path for appending (created 0640), or with path NULL the
 * default: /var/log/mxtop/audit.log when it can be written (the directory
 * is created), else $XDG_STATE_HOME/mxtop/audit.log (default
 * ~/.local/state).  Returns NULL with a one-line reason in err. */
struct audit	*audit_open(const char *path, char *err, size_t errlen);
/* The path in use; valid until audit_close(). */
const char	*audit_path(const struct audit *);
/* Appends the line for item it (its result and detail) done by action at
 * time t; selection is the command-line form of what chose it (may be
 * NULL).  Returns 0, or -1 with errno. */
int		 audit_write(struct audit *, time_t t, const char *action,
		    const struct mta_item *it, const char *selection);
/* The same with one more key=value pair before selection (drain: the
 * primary's reply that made the removal); key NULL: none. */
int		 audit_write_kv(struct audit *, time_t t, const char *action,
		    const struct mta_item *it, const char *selection,
		    const char *key, const char *value);
/* The directory the audit log is in when opened as audit_open(path)
 * would: mxtop's state directory (verify results live there too).
 * With create, and path NULL, the default is made as audit_open() makes
 * it; without, nothing is created (the directory may not exist).
 * Returns 0, or -1 with a one-line reason in err. */
int		 audit_dir(const char *path, int create, char *dir, size_t len,
		    char *err, size_t errlen);
void		 audit_close(struct audit *);	/* NULL is a no-op */

#endif
