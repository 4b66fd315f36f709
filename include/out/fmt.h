/* fmt.h -- text, CSV and JSON writers for every command.
 *
 * Field names of CSV and JSON are a contract (mxtop.1, OUTPUT): fields
 * may be added, never renamed.  Times are Unix seconds, ages seconds,
 * sizes bytes.  Text output passes every string from the spool through
 * text_sanitize(); JSON escapes control characters and writes bytes that
 * are not UTF-8 as \u00XX (their Latin-1 reading); CSV is RFC 4180. */
#ifndef MXTOP_FMT_H
#define MXTOP_FMT_H
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct spool_snap;
struct spool_msg;
struct spool_hdr;
struct stats;
struct stats_msglogs;
struct stats_msglog;
struct select;
struct history;

enum fmt_kind { FMT_TEXT, FMT_CSV, FMT_JSON, FMT_IDS };

struct fmt_opts {
	enum fmt_kind	 kind;
	int		 width;		/* text: columns to fit, >= 40 */
	time_t		 now;
	const char	*spool;		/* the spool directory */
	int64_t		 cutoff;	/* retry rules' final cutoff, seconds */
};

/* Parses "text", "csv", "json", "ids"; returns -1 if unknown. */
int	fmt_parse(const char *, enum fmt_kind *);

/* The per-domain table and the qshape-style age buckets. */
void	fmt_summary(FILE *, const struct fmt_opts *, const struct stats *);
/* One row per message of snap that sel selects (sel may be NULL); ml
 * (may be NULL) gives each message's last attempt. */
void	fmt_list(FILE *, const struct fmt_opts *, const struct spool_snap *,
	    const struct select *, const struct stats_msglogs *ml);
/* One message in full: m is its snapshot record (NULL if unknown), h its
 * -H as spool_load() read it, delivered[] its recipients' states and hist
 * its msglog (NULL if none). */
void	fmt_show(FILE *, const struct fmt_opts *, const struct spool_msg *m,
	    const struct spool_hdr *h, const uint8_t *delivered,
	    const struct history *hist);
/* Per domain: class, evidence, callouts, last success, advice. */
void	fmt_diagnose(FILE *, const struct fmt_opts *, const struct stats *);

/* One message as list --format json and csv write it: the JSON fields
 * without the enclosing braces ("id":...,"recipients":[...]), the CSV
 * columns of fmt_msg_csv_header without a line end.  last (may be NULL)
 * is its last attempt.  For other commands that extend the rows. */
void	fmt_msg_json(FILE *, const struct spool_snap *, const struct spool_msg *,
	    time_t now, const struct stats_msglog *last);
void	fmt_msg_csv(FILE *, const struct spool_snap *, const struct spool_msg *,
	    time_t now, const struct stats_msglog *last);
extern const char fmt_msg_csv_header[];

/* JSON and CSV string writers, for the other commands' output. */
void	fmt_json_str(FILE *, const char *s, size_t len);
void	fmt_csv_str(FILE *, const char *s, size_t len);

#endif
