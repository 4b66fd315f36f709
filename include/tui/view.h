/* view.h -- the TUI's view-model: screens, rows, cursor, tags, sort
 * orders, the filter, prompts and action plans; key -> intent.
 *
 * No curses and no I/O here.  The event loop (cmd_tui.c) feeds the view a
 * snapshot and its stats, the key presses, and what it loaded for the
 * Message screen; view_key() answers with an intent (enum view_act) that
 * the loop carries out.  The view renders each screen line as text plus
 * style spans (view_render()); ui.c paints those with curses and --once
 * prints them, so what the tests see is what the operator sees.
 *
 * Every string from the spool or the logs passes text_sanitize() inside
 * view_render(), and is measured with wcwidth(3) so that columns stay
 * aligned; in a non-UTF-8 locale anything but ASCII shows as '?'. */
#ifndef MXTOP_VIEW_H
#define MXTOP_VIEW_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct spool_snap;
struct spool_msg;
struct spool_hdr;
struct history;
struct stats;
struct select;
struct view;				/* opaque */

/* Key codes: a Unicode code point, or one of these. */
enum view_keycode {
	VIEW_KEY_ESC = 27,
	VIEW_KEY_ENTER = '\n',
	VIEW_KEY_BASE = 0x110000,
	VIEW_KEY_UP, VIEW_KEY_DOWN, VIEW_KEY_LEFT, VIEW_KEY_RIGHT,
	VIEW_KEY_PGUP, VIEW_KEY_PGDN, VIEW_KEY_HOME, VIEW_KEY_END,
	VIEW_KEY_BACKSPACE, VIEW_KEY_DC, VIEW_KEY_RESIZE
};
#define VIEW_CTRL(c)	((c) & 0x1f)

/* Intents: what view_key() asks the loop to do. */
enum view_act {
	ACT_NONE,	/* handled inside the view: just redraw */
	ACT_QUIT,
	ACT_RESCAN,	/* scan the spool now */
	ACT_RESELECT,	/* filter changed: stats_build() with view_select(),
			 * then view_set_data() */
	ACT_LOAD_MSG,	/* load view_msg_id()'s -H and msglog, then
			 * view_set_message() */
	ACT_LOAD_BODY,	/* read view_msg_id()'s -D, then view_set_body() */
	ACT_FLUSH,	/* a confirmed action on view_plan() */
	ACT_BOUNCE,
	ACT_DELETE,
	ACT_FREEZE,
	ACT_THAW,
	ACT_EXPORT,
	ACT_CANCEL,	/* cancel the running action */
	ACT_PROBE,	/* probe view_probe_domain()'s primary now */
	ACT_RECOVER,	/* the Recover screen for view_probe_domain():
			 * probe, verify, then the plan */
	ACT_RECOVER_GO,	/* the Recover screen's plan confirmed */
	ACT_MXCHECK	/* look view_probe_domain() up in DNS (mx-check),
			 * then view_set_mx() */
};

enum view_screen {
	VIEW_DOMAINS, VIEW_MESSAGES, VIEW_MESSAGE, VIEW_BODY, VIEW_DIAGNOSE,
	VIEW_HELP, VIEW_PLAN, VIEW_RECOVER, VIEW__NSCREENS
};

/* Styles of rendered text; ui.c maps them to attributes and colours.
 * VIEW_ST_CLASS + n is the colour of class n (enum class_id). */
enum view_style {
	VIEW_ST_NORMAL, VIEW_ST_HEAD, VIEW_ST_HEADVAL, VIEW_ST_TITLE,
	VIEW_ST_COLHDR, VIEW_ST_SORTHDR, VIEW_ST_STATUS, VIEW_ST_ERROR,
	VIEW_ST_PROMPT, VIEW_ST_BAR, VIEW_ST_DIM, VIEW_ST_WARN, VIEW_ST_BAD,
	VIEW_ST_SECTION, VIEW_ST_KEY,
	VIEW_ST_CLASS,
	VIEW_ST__COUNT = VIEW_ST_CLASS + 16
};

enum view_align { VIEW_ALIGN_LEFT, VIEW_ALIGN_RIGHT };

/* A column of a list screen, as data.  min is the width it needs (at
 * least its name's); a column with max > min takes spare width; columns
 * are dropped highest prio first when the screen is too narrow. */
struct view_col {
	const char	*name;
	enum view_align	 align;
	int		 min, max;
	int		 prio;		/* 0: never dropped */
};

/* One rendered screen line: UTF-8 text (sanitized) cut or padded to the
 * width, and spans of bytes with a style.  Lines of list screens mark
 * the cursor row and tagged rows. */
#define VIEW_LINE_MAX	8192
#define VIEW_SPANS_MAX	48
#define VIEW_LF_CURSOR	0x1
#define VIEW_LF_TAGGED	0x2
struct view_span {
	uint16_t	 off, len;	/* bytes in text */
	uint8_t		 style;		/* enum view_style */
};
struct view_line {
	char		 text[VIEW_LINE_MAX];
	size_t		 len;
	int		 flags;		/* VIEW_LF_* */
	int		 nspan;
	struct view_span span[VIEW_SPANS_MAX];
};

/* What the header says about the last scan; set by the loop. */
struct view_info {
	const char	*host;		/* relay host name */
	const char	*spool;
	time_t		 scan_time;	/* wall clock when the scan ended */
	double		 scan_secs;
	int		 scanning;	/* a scan is running now */
	int		 partial;	/* the figures are not complete */
	int		 undiagnosed;	/* the whole spool, its logs still
					 * being read: no classes yet */
	size_t		 scan_done;	/* while scanning: -H files read */
	size_t		 scan_total;	/* of this many (0: still listing) */
	int64_t		 cutoff;	/* the final retry cutoff, seconds */
	const char	*log;		/* the main log read, or NULL */
	const char	*warn;		/* what could not be read, or NULL
					 * (load_problems()) */
};

/* The action a key asked for: the one plan (model/plan.h) of the
 * messages and recipients it touches, built when the key is pressed and
 * shown on a screen of its own until confirmed; valid until the next
 * action key. */
struct plan;
struct view_plan {
	enum view_act	 act;
	struct plan	*p;		/* owned by the view */
	struct select	*sel;		/* what chose it: the filter and the
					 * domains (exact), owned */
	const char	*args;		/* sel as command-line options */
	const char	*domain;	/* the one domain, or NULL */
	double		 rate;		/* flush: messages a second, 0 none */
	int		 adaptive;	/* flush: back off when the primary
					 * struggles again */
	const char	*file;		/* export: the file name typed */
};

/* A running or finished action, set by the loop. */
struct view_progress {
	int		 running;
	const char	*verb;		/* "flush", ... */
	size_t		 total, done, ok, failed, gone;
	double		 rate;		/* messages a second so far */
	double		 eta;		/* seconds, < 0 unknown */
	char		 result[256];	/* the end line, when not running */
};


/* A new view on the Domains screen.  utf8: the terminal takes UTF-8.
 * The view borrows nothing yet. */
struct view	*view_new(int utf8);
void		 view_free(struct view *);	/* NULL is a no-op */

/* Gives the view its data: st must be stats_build(snap, view_select(v),
 * now).  Both are borrowed until the next view_set_data() or
 * view_free(); either may be NULL (nothing scanned yet).  Recomputes the
 * rows, keeping the cursor on the same domain or message. */
void	 view_set_data(struct view *, const struct spool_snap *snap,
	    const struct stats *st, time_t now);
void	 view_set_info(struct view *, const struct view_info *);
/* The selection in force, initially sel (may be NULL) with words the
 * text shown for it (NULL: derived from select_to_args()).  The view
 * takes sel over when own is set. */
void	 view_set_select(struct view *, struct select *sel, int own,
	    const char *words);
const struct select *view_select(const struct view *);
/* Initial orders, as stats_order_parse() names them ("msgs", ...). */
int	 view_set_order(struct view *, const char *name, int reverse);
void	 view_set_rate(struct view *, double rate);	/* flush default */
void	 view_resize(struct view *, int cols, int rows);
/* Starts on the Messages screen (of every selected message). */
void	 view_open_messages(struct view *);

/* One key; returns what the loop must do. */
enum view_act	 view_key(struct view *, int key);
/* Status line message until the next key; error: styled as one. */
void	 view_status(struct view *, int error, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* The message of the Message screen (after ACT_LOAD_MSG). */
const char	*view_msg_id(const struct view *);
/* Fills the Message screen with what `mxtop show` prints: h as
 * spool_load() gave it, or NULL when it failed (err then says why);
 * hist may be NULL.  The message's record and diagnosis come from the
 * data view_set_data() gave.  Everything is copied. */
void	 view_set_message(struct view *, const struct spool_hdr *h,
	    const struct history *hist, const char *err);
/* Fills the Body screen with buf[0..len) of a -D file of total bytes
 * (its first line, the id line, already stripped), or err. */
void	 view_set_body(struct view *, const char *buf, size_t len,
	    int64_t total, const char *err);

const struct view_plan	*view_plan(const struct view *);
/* After ACT_EXPORT when the file could not be used (it exists, ...):
 * asks for the file name again, the one typed prefilled, saying why
 * (a short phrase, copied). */
void	 view_export_again(struct view *, const char *why);
void	 view_set_progress(struct view *, const struct view_progress *);

/* ---- probe and the Recover screen (view_recover.c) ---- */

/* The domain p and R work on: the cursor row's on the Domains screen,
 * the screen's own on a domain's Messages screen; NULL otherwise. */
const char	*view_probe_domain(const struct view *);
/* The last probe of domain: its verdict ("ok", "tarpit", ...; copied)
 * at time when; the Domains screen shows it (column PROBE, once any
 * domain has been probed). */
void	 view_set_probe(struct view *, const char *domain,
	    const char *verdict, time_t when);
/* The Recover screen: opened by ACT_RECOVER (view_key() pushes it), its
 * lines set by the loop: cleared with a title, then one line at a time
 * (text untrusted, sanitized; style enum view_style).  confirm: y now
 * answers ACT_RECOVER_GO (the plan is shown); running: x cancels. */
void	 view_recover_clear(struct view *, const char *title);
void	 view_recover_line(struct view *, int style, int indent,
	    const char *text);
void	 view_recover_state(struct view *, int confirm, int running);

/* The DNS evidence of domain (mx-check's result, only read; the caller
 * keeps it until the next call or view_free(); NULL: none): its
 * Diagnose screen shows the findings, as diagnose --dns does. */
struct mxcheck_result;
void	 view_set_mx(struct view *, const char *domain,
	    const struct mxcheck_result *res);

/* Accessors, for the loop, ui.c and the tests. */
enum view_screen view_screen(const struct view *);
int	 view_depth(const struct view *);	/* screens stacked, >= 1 */
size_t	 view_nrows(const struct view *);	/* list screens */
size_t	 view_cursor(const struct view *);
/* Domain name or message id of row i (NULL if out of range). */
const char	*view_row_key(const struct view *, size_t i);
int	 view_row_tagged(const struct view *, size_t i);
size_t	 view_ntagged(const struct view *);	/* messages + domains */
int	 view_prompting(const struct view *);
const char	*view_sort_name(const struct view *);
int	 view_sort_reverse(const struct view *);
/* The filter as the equivalent command-line options. */
const char	*view_filter_args(const struct view *);
int	 view_cols(const struct view *);
int	 view_rows(const struct view *);

/* Renders screen line y (0 .. view_rows() - 1) at the view's width. */
void	 view_render(const struct view *, int y, struct view_line *);
/* --once: the Domains screen as plain text lines, every row (no status
 * line, no cursor); calls out(line, arg) for each line. */
void	 view_print(const struct view *,
	    void (*out)(const char *line, void *arg), void *arg);

/* Display columns of sanitized UTF-8 text s[0..len). */
int	 view_width(const char *s, size_t len, int utf8);

#endif
