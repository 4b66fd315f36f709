/* view_priv.h -- what the view module's files (view.c, view_key.c,
 * view_rows.c, view_pages.c, view_action.c, view_text.c, view_render.c)
 * share; not part of its contract (view.h). */
#ifndef MXTOP_VIEW_PRIV_H
#define MXTOP_VIEW_PRIV_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tui/view.h"
#include "base/mem.h"

struct stats_domain;

#define NSTACK		8
#define HIST_MAX	240		/* depth samples kept */
#define CTX_MAX		256

/* ---- A set of strings (open addressing, linear probing); view.c ---- */

struct strset {
	char	**slot;
	size_t	  cap, n;
};

int	 v_strset_has(const struct strset *, const char *k);
void	 v_strset_add(struct strset *, const char *k);	/* copies k */
void	 v_strset_del(struct strset *, const char *k);
void	 v_strset_clear(struct strset *);

/* ---- Text lines of the pager screens ---- */

struct pline {
	char	*text;			/* sanitized */
	uint8_t	 style;
	uint8_t	 indent;		/* of wrapped continuations */
};

struct dline {				/* a pline, wrapped to the width */
	uint32_t pl, off, len;
	uint8_t	 cont;
};

struct pager {
	struct pline	*l;
	size_t		 n, cap;
	struct dline	*d;
	size_t		 nd, capd;
	int		 wrapped_at;	/* width of d[], 0: stale */
	int		 skip_title;	/* drop the next first line */
	char		 title[512];
	struct arena	 a;
};

/* ---- Screens, columns, orders ---- */

struct frame {
	enum view_screen scr;
	char		 ctx[CTX_MAX];	/* domain ("" all) or message id */
	char		 at[CTX_MAX];	/* key of the cursor row */
	size_t		 cursor, top;
	size_t		 hit;		/* pagers: the line of the search's
					 * match + 1, 0 none */
};

enum { DC_DOMAIN, DC_MSGS, DC_RCPTS, DC_SIZE, DC_OLDEST, DC_AGES, DC_CLASS,
	DC_TARPIT, DC_CALLOUT, DC_LASTOK, DC_FROZEN, DC_PROBE, DC__N };

enum { MC_AGE, MC_SIZE, MC_ID, MC_SENDER, MC_RCPT, MC_CLASS, MC_FLAGS, MC__N };

/* A row of a list screen: a stats_domain or a spool_msg, with the class
 * shown (a message's is that of the recipients the screen is about) and
 * the recipient its last error comes from (SIZE_MAX none). */
struct vrow {
	const void	*p;
	int		 cls;
	size_t		 last;
};

/* An empty diagnosis, for rows without one. */
struct diag_domain;
extern const struct diag_domain v_nodiag;

struct order {
	const char	*name;
	int		 col;		/* column it sorts, -1 none */
	int		(*cmp)(const void *, const void *);
};

/* The list screens' columns and sort orders (view_rows.c). */
extern const struct view_col	 v_dcols[DC__N], v_mcols[MC__N];
extern const struct order	 v_dorders[], v_morders[];
extern const size_t		 v_ndorders, v_nmorders;

enum prompt { P_NONE, P_FILTER, P_YN, P_COUNT, P_RATE, P_FILE, P_SEARCH };

/* Moves the pager on top to the next (dir 1) or previous (-1) line
 * holding v->search, ignoring case; says so on the status line. */
void	 v_search(struct view *, int dir);

/* ---- view_action.c ---- */
/* Fills the Plan screen from v->plan. */
void	 v_build_plan(struct view *);

struct view {
	int			 utf8, cols, rows;
	const struct spool_snap	*snap;
	const struct stats	*st;
	time_t			 now;
	struct view_info	 info;
	char			 host[256], spool[1024], log[1024];
	char			 warn[1024];
	/* M: the DNS evidence of one domain (the loop's). */
	char			 mxdom[256];
	const struct mxcheck_result *mx;
	struct select		*sel;
	int			 own_sel;
	char			 words[512], args[1024];
	int			 dorder, morder, drev, mrev;
	double			 rate;
	struct frame		 stack[NSTACK];
	int			 depth;
	struct vrow		*row;		/* the rows of the list shown */
	size_t			 nrows, caprows;
	struct strset		 tmsgs, tdoms;
	struct pager		 pg[VIEW__NSCREENS];
	int			 lay[16], layw[16], nlay;
	enum prompt		 prompt;
	char			 input[512], ptext[512], pdetail[256],
				 ptail[128];
	char			 status[512];
	char			 search[256];	/* the pagers' search */
	int			 status_err;
	struct view_plan	 plan;
	char			 efile[512];	/* plan.file points here */
	char			 pargs[1024];	/* and plan.args */
	char			 pdom[256];	/* and plan.domain: the
						 * plan outlives a rescan */
	size_t			 plancap;
	struct view_progress	 prog;
	uint32_t		 hist[HIST_MAX];
	int			 nhist;
	const struct spool_snap	*hist_snap;
	int			 printing;	/* view_print(): no cursor */
	/* Probes and the Recover screen (view_recover.c). */
	struct vprobe		*probes;	/* the last probe per domain */
	size_t			 nprobes, capprobes;
	int			 rec_confirm, rec_running;
};

/* ---- view_recover.c ---- */

struct vprobe {
	char	 domain[256];
	char	 verdict[16];
	time_t	 when;
};

/* The last probe of domain, or NULL. */
const struct vprobe *v_probe_of(const struct view *, const char *domain);
/* The Recover screen's keys y and x; ACT_NONE when not its own. */
enum view_act	 v_recover_key(struct view *, int key);

/* ---- view.c: small helpers ---- */

struct frame		*v_top(struct view *);	/* the screen shown */
const struct frame	*v_ctop(const struct view *);
int			 v_is_list(enum view_screen);

/* ---- view_rows.c: rows and geometry ---- */

int	 v_head_lines(const struct view *);	/* header lines */
int	 v_body_y0(const struct view *);	/* first line of the body */
int	 v_body_h(const struct view *);		/* lines of the body */
/* Rows (list screen) or wrapped lines (pager) of the screen shown. */
size_t	 v_nitems(struct view *);
/* Keeps cursor and top of the top frame in range and in view. */
void	 v_clamp(struct view *);
/* Widths of the visible columns for the list screen on top. */
void	 v_layout(struct view *);
/* Rebuilds the rows of the list screen on top, keeping the cursor on the
 * same key if it is still there. */
void	 v_recalc(struct view *);
/* The stats of domain name, or NULL. */
const struct stats_domain *v_find_domain(const struct view *,
	    const char *name);

/* ---- view_pages.c ---- */

/* Fills the Diagnose screen for the domain of the top frame. */
void	 v_build_diag(struct view *);

/* ---- view_action.c ---- */

/* The key while a prompt is up. */
enum view_act	 v_prompt_key(struct view *, int key);
/* Plans act and asks to confirm it (ACT_NONE: the prompt decides). */
enum view_act	 v_start_action(struct view *, enum view_act act);

/* ---- view_text.c: formatting, the line builder, the pager ---- */

const char	*v_age(char *buf, size_t len, int64_t secs);
const char	*v_size_str(char *buf, size_t len, int64_t n);	/* no blanks */

struct lb {
	struct view_line *l;
	int		  x, width, utf8;
};

void	 v_lb_init(struct lb *, struct view_line *l, int width, int utf8);
void	 v_lb_pad(struct lb *, int style, int n);	/* n blanks */
/* Appends untrusted s[0..len), sanitized, in a field of w columns (w < 0:
 * whatever still fits), cut with '~' when too long. */
void	 v_lb_put(struct lb *, int style, const char *s, size_t len, int w,
	    int align);
void	 v_lb_str(struct lb *, int style, const char *s);
void	 v_lb_fill(struct lb *, int style);	/* blanks to the width */

void	 v_pg_clear(struct pager *);
/* Adds a line of untrusted s[0..len), sanitized. */
void	 v_pg_addn(struct pager *, int style, int indent, const char *s,
	    size_t len);
void	 v_pg_add(struct pager *, int style, int indent, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* Adds "  label  value", value being untrusted. */
void	 v_pg_kv(struct pager *, const char *label, const char *value);
/* Wraps the lines to width, unless they already are. */
void	 v_pg_wrap(struct pager *, int width, int utf8);

#endif
