/* fmt.h -- text, CSV and JSON writers for every command.
 *
 * Field names of CSV and JSON are a contract (mxtop.1, OUTPUT): fields
 * may be added, never renamed.  Times are Unix seconds, ages seconds,
 * sizes bytes.  Text output passes every string from the spool through
 * text_sanitize(); JSON escapes control characters and writes bytes that
 * are not UTF-8 as \u00XX (their Latin-1 reading); CSV is RFC 4180. */
#ifndef MXTOP_FMT_H
#define MXTOP_FMT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct spool_snap;
struct spool_msg;
struct spool_hdr;
struct stats;
struct diag;
struct select;
struct history;

enum fmt_kind { FMT_TEXT, FMT_CSV, FMT_JSON, FMT_IDS };

struct fmt_opts {
	enum fmt_kind	 kind;
	int		 width;		/* text: columns to fit, >= 40 */
	time_t		 now;
	const char	*spool;		/* the spool directory */
	int64_t		 cutoff;	/* retry rules' final cutoff, seconds */
	const char	*log;		/* the main log read, or NULL */
	int		 order;		/* list: an enum stats_order */
	int		 reverse;
};

/* Parses "text", "csv", "json", "ids"; returns -1 if unknown. */
int	fmt_parse(const char *, enum fmt_kind *);

/* The per-domain table and the qshape-style age buckets. */
void	fmt_summary(FILE *, const struct fmt_opts *, const struct stats *);
/* One row per message of snap that sel selects (sel may be NULL); d is
 * the diagnosis beside snap (states, classes, last errors).  A row's
 * class and last error are those of the recipients sel is about. */
void	fmt_list(FILE *, const struct fmt_opts *, const struct spool_snap *,
	    const struct diag *d, const struct select *);
/* The flags column of a message, as list and the TUI show it: F frozen,
 * A active, B bad file, C no body file; buf holds at least 5 bytes. */
void	fmt_msg_flags(char *buf, const struct spool_msg *m);
/* Where the text renderers (show, diagnose, plan) send their lines, so
 * that the command line prints and the TUI pages the same lines: emit
 * gets each line with its style (VIEW_ST_* numbers) and indent. */
struct fmt_sink {
	void	(*emit)(void *arg, int style, int indent, const char *text);
	void	*arg;
};
/* Formats one line (at most 4095 bytes) and gives it to the sink. */
void	fmt_put(const struct fmt_sink *, int style, int indent,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* One message in full, as a ticket reads: envelope, recipients with
 * their states and classes, Subject/From/To/Date, the delivery history
 * with runs of the same result folded, the other headers.  m is its
 * snapshot record in snap (with d beside it), h its -H as spool_load()
 * read it and hist its msglog (NULL if none). */
void	fmt_show(FILE *, const struct fmt_opts *, const struct spool_snap *,
	    const struct diag *d, const struct spool_msg *m,
	    const struct spool_hdr *h, const struct history *hist);
/* Styles of the lines fmt_show_lines() gives: the TUI colours them,
 * text output ignores them. */
enum { FMT_LS_NORMAL, FMT_LS_SECTION, FMT_LS_DIM, FMT_LS_BAD,
	FMT_LS_CLASS };		/* FMT_LS_CLASS + n: class n */
/* fmt_show()'s text, one line at a time, for the TUI's Message screen
 * and the command line alike: emit(arg, style, indent, text) with
 * sanitized text; indent is where wrapped continuations start. */
void	fmt_show_lines(const struct fmt_opts *, const struct spool_snap *,
	    const struct diag *d, const struct spool_msg *m,
	    const struct spool_hdr *h, const struct history *hist,
	    void (*emit)(void *arg, int style, int indent, const char *text),
	    void *arg);
/* The value of the first live header name of h (case-insensitive), on
 * one line, sanitized, into buf; -1 (buf "") when there is none. */
int	fmt_header_value(const struct spool_hdr *h, const char *name,
	    char *buf, size_t len);
/* An action's plan as lines, for the command line and the TUI's
 * confirmation screen alike (emit as for fmt_show_lines()). */
struct plan;
void	fmt_plan_lines(const struct plan *, time_t now,
	    void (*emit)(void *arg, int style, int indent, const char *text),
	    void *arg);
/* The plan as one JSON object; argv_of (may be NULL) writes the Exim
 * command line of item i into buf. */
void	fmt_plan_json(FILE *, const struct plan *,
	    void (*argv_of)(void *arg, size_t i, char *buf, size_t len),
	    void *arg);
/* One domain of fmt_diagnose()'s text as lines, for the TUI's Diagnose
 * screen and the command line alike (emit as for fmt_show_lines()). */
struct stats_domain;
void	fmt_diagnose_lines(const struct fmt_opts *, const struct stats *,
	    const struct stats_domain *,
	    void (*emit)(void *arg, int style, int indent, const char *text),
	    void *arg);
/* Per domain: class, evidence, callouts, last success, advice. */
void	fmt_diagnose(FILE *, const struct fmt_opts *, const struct stats *);
/* The same with DNS evidence (diagnose --dns): mx is the mx-check result
 * of the domain (model/mxcheck.h, as run/dns.h's lookups fill it; NULL:
 * not looked up, the lines of fmt_diagnose_lines()).  After the evidence
 * a "dns:" line (the findings, nothing wrong, or not checked), then
 * mx-check's text of the domain: the MX set, each finding with its
 * records, why and fix.  The result is only read. */
struct mxcheck_result;
void	fmt_diagnose_lines_mx(const struct fmt_opts *, const struct stats *,
	    const struct stats_domain *, const struct mxcheck_result *mx,
	    void (*emit)(void *arg, int style, int indent, const char *text),
	    void *arg);
/* fmt_diagnose() with mx[i] the mx-check result of st->domains[i] (mx,
 * or mx[i], NULL: not looked up): the text as fmt_diagnose_lines_mx();
 * in JSON each domain's "dns" is mx-check's object of the domain
 * (mxtop.1, OUTPUT), or null when it was not looked up. */
void	fmt_diagnose_mx(FILE *, const struct fmt_opts *, const struct stats *,
	    const struct mxcheck_result *const *mx);

/* One message as list --format json and csv write it: the JSON fields
 * without the enclosing braces ("id":...,"recipients":[...]), the CSV
 * columns of fmt_msg_csv_header without a line end.  With only_sel, only
 * the recipients sel is about are listed (and "other_recipients" counts
 * the rest): a customer's ticket holds no other customer's addresses.
 * For other commands that extend the rows. */
void	fmt_msg_json(FILE *, const struct spool_snap *, const struct diag *,
	    const struct select *sel, int only_sel, const struct spool_msg *,
	    time_t now);
void	fmt_msg_csv(FILE *, const struct spool_snap *, const struct diag *,
	    const struct select *sel, int only_sel, const struct spool_msg *,
	    time_t now);
extern const char fmt_msg_csv_header[];
/* "pending", "delivered", "failed", "done" (enum diag_state). */
const char *fmt_state_name(int);

/* JSON and CSV string writers, for the other commands' output. */
void	fmt_json_str(FILE *, const char *s, size_t len);
void	fmt_csv_str(FILE *, const char *s, size_t len);

#endif
