/* ui.c -- paints rendered view lines with curses; maps keys.  The only
 * file that includes <curses.h> (make lint checks). */
#include "tui/ui.h"
#include "model/classify.h"
#include "base/mem.h"
#include "tui/view.h"

#include <curses.h>
#include <term.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Curses is one terminal per process; so is this state. */
static struct {
	int		 on;		/* inside initscr() */
	chtype		 attr[VIEW_ST__COUNT];
	struct termios	 tio;		/* the terminal before initscr() */
	int		 have_tio;
	char		 undo[128];	/* sgr0, cnorm, rmcup: the screen */
	size_t		 nundo;
} ui;

enum { C_RED = 1, C_GREEN, C_YELLOW, C_BLUE, C_MAGENTA, C_CYAN, C_SORT,
	C_BAR };

/* Appends terminfo capability cap to the undo string. */
static void
undo_add(const char *cap)
{
	char *v = tigetstr(cap);
	size_t n;

	if (v == NULL || v == (char *)-1)
		return;
	n = strlen(v);
	if (ui.nundo + n < sizeof(ui.undo)) {
		memcpy(ui.undo + ui.nundo, v, n);
		ui.nundo += n;
	}
}

void
ui_emergency(void)
{
	ssize_t n;

	if (!ui.on)
		return;
	ui.on = 0;
	n = write(STDOUT_FILENO, ui.undo, ui.nundo);
	(void)n;
	if (ui.have_tio)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &ui.tio);
}

void
ui_attrs(int no_color)
{
	int color = !no_color && has_colors(), i;
	chtype red, yellow, green, blue, magenta, cyan;

	if (color) {
		start_color();
		use_default_colors();
		init_pair(C_RED, COLOR_RED, -1);
		init_pair(C_GREEN, COLOR_GREEN, -1);
		init_pair(C_YELLOW, COLOR_YELLOW, -1);
		init_pair(C_BLUE, COLOR_BLUE, -1);
		init_pair(C_MAGENTA, COLOR_MAGENTA, -1);
		init_pair(C_CYAN, COLOR_CYAN, -1);
		init_pair(C_SORT, COLOR_BLACK, COLOR_CYAN);
		init_pair(C_BAR, COLOR_GREEN, -1);
	}
	red = color ? COLOR_PAIR(C_RED) : A_BOLD;
	yellow = color ? COLOR_PAIR(C_YELLOW) : A_BOLD;
	green = color ? COLOR_PAIR(C_GREEN) : A_NORMAL;
	blue = color ? COLOR_PAIR(C_BLUE) : A_NORMAL;
	magenta = color ? COLOR_PAIR(C_MAGENTA) : A_NORMAL;
	cyan = color ? COLOR_PAIR(C_CYAN) : A_NORMAL;
	for (i = 0; i < VIEW_ST__COUNT; i++)
		ui.attr[i] = A_NORMAL;
	ui.attr[VIEW_ST_HEADVAL] = A_BOLD;
	ui.attr[VIEW_ST_TITLE] = A_BOLD;
	ui.attr[VIEW_ST_COLHDR] = A_REVERSE;
	ui.attr[VIEW_ST_SORTHDR] = color ? COLOR_PAIR(C_SORT) | A_BOLD :
	    A_REVERSE | A_BOLD | A_UNDERLINE;
	ui.attr[VIEW_ST_ERROR] = A_BOLD | red;
	ui.attr[VIEW_ST_PROMPT] = A_BOLD;
	ui.attr[VIEW_ST_BAR] = color ? COLOR_PAIR(C_BAR) | A_BOLD : A_BOLD;
	ui.attr[VIEW_ST_DIM] = A_DIM;
	ui.attr[VIEW_ST_WARN] = A_BOLD | yellow;
	ui.attr[VIEW_ST_BAD] = A_BOLD | red;
	ui.attr[VIEW_ST_SECTION] = A_BOLD | A_UNDERLINE;
	ui.attr[VIEW_ST_KEY] = A_BOLD;
	ui.attr[VIEW_ST_CLASS + CLASS_OFFLINE] = blue;
	ui.attr[VIEW_ST_CLASS + CLASS_TARPIT] = A_BOLD | red;
	ui.attr[VIEW_ST_CLASS + CLASS_RATELIMIT] = yellow;
	ui.attr[VIEW_ST_CLASS + CLASS_SOFTREJECT] = magenta;
	ui.attr[VIEW_ST_CLASS + CLASS_BLOCKED] = A_BOLD | red;
	ui.attr[VIEW_ST_CLASS + CLASS_HARDREJECT] = red;
	ui.attr[VIEW_ST_CLASS + CLASS_DNS] = cyan;
	ui.attr[VIEW_ST_CLASS + CLASS_LOOP] = A_BOLD | magenta;
	ui.attr[VIEW_ST_CLASS + CLASS_OTHER] = A_NORMAL;
	(void)green;
}

int
ui_start(int no_color)
{
	if (ui.on)
		return 0;
	ui.have_tio = tcgetattr(STDIN_FILENO, &ui.tio) == 0;
	if (initscr() == NULL)
		return -1;
	ui.nundo = 0;
	undo_add("sgr0");
	undo_add("cnorm");
	undo_add("rmcup");
	ui.on = 1;
	/* fatal() may come from any thread: no curses call there. */
	fatal_hook = ui_emergency;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(40);
	curs_set(0);
	ui_attrs(no_color);
	return 0;
}

void
ui_end(void)
{
	if (!ui.on)
		return;
	ui.on = 0;
	curs_set(1);
	endwin();
}

void
ui_size(int *cols, int *rows)
{
	int y, x;

	getmaxyx(stdscr, y, x);
	*cols = x;
	*rows = y;
}

int
ui_key(void)
{
	wint_t wc;
	int r;

	r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES) {
		switch (wc) {
		case KEY_UP: return VIEW_KEY_UP;
		case KEY_DOWN: return VIEW_KEY_DOWN;
		case KEY_LEFT: return VIEW_KEY_LEFT;
		case KEY_RIGHT: return VIEW_KEY_RIGHT;
		case KEY_PPAGE: return VIEW_KEY_PGUP;
		case KEY_NPAGE: return VIEW_KEY_PGDN;
		case KEY_HOME: case KEY_A1: return VIEW_KEY_HOME;
		case KEY_END: case KEY_C1: return VIEW_KEY_END;
		case KEY_ENTER: return VIEW_KEY_ENTER;
		case KEY_BACKSPACE: return VIEW_KEY_BACKSPACE;
		case KEY_DC: return VIEW_KEY_DC;
		case KEY_RESIZE: return VIEW_KEY_RESIZE;
		default: return VIEW_KEY_BASE;	/* unbound */
		}
	}
	if (wc == '\r')
		return VIEW_KEY_ENTER;
	return (int)wc;
}

void
ui_draw(WINDOW *win, const struct view *v)
{
	struct view_line *l;
	int y, rows, cols, i;
	chtype extra;

	getmaxyx(win, rows, cols);
	(void)cols;
	if (rows > view_rows(v))
		rows = view_rows(v);
	l = xmalloc(sizeof(*l));
	for (y = 0; y < rows; y++) {
		view_render(v, y, l);
		extra = 0;
		if (l->flags & VIEW_LF_CURSOR)
			extra |= A_REVERSE;
		if (l->flags & VIEW_LF_TAGGED)
			extra |= A_BOLD;
		wmove(win, y, 0);
		for (i = 0; i < l->nspan; i++) {
			const struct view_span *s = &l->span[i];

			wattrset(win, (int)(ui.attr[s->style] | extra));
			waddnstr(win, l->text + s->off, s->len);
		}
		wattrset(win, A_NORMAL);
		if (getcurx(win) != 0 && getcury(win) == y)
			wclrtoeol(win);
	}
	wattrset(win, A_NORMAL);
	free(l);
}

void
ui_show(const struct view *v)
{
	ui_draw(stdscr, v);
	wnoutrefresh(stdscr);
	doupdate();
}
