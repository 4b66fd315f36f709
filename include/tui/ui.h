/* ui.h -- curses: the only module that includes <curses.h>.
 *
 * It paints what view_render() says, line by line, and turns curses key
 * codes into view key codes.  Callers that do not include <curses.h>
 * pass windows as struct _win_st * (ncurses' WINDOW). */
#ifndef MXTOP_UI_H
#define MXTOP_UI_H

struct _win_st;				/* WINDOW */
struct view;

/* Enters curses on the terminal (stdin/stdout) and sets attributes and
 * colours; no_color (or a terminal without colours) gives monochrome
 * attributes.  Installs fatal_hook so fatal() leaves curses first.
 * Returns 0, or -1 when the terminal cannot be used. */
int	ui_start(int no_color);
/* Leaves curses; safe to call more than once. */
void	ui_end(void);
/* Gives the terminal back without curses (attributes, cursor, the normal
 * screen, the tty modes from before ui_start()): write(2) and tcsetattr
 * only, so any thread may call it, as fatal() does. */
void	ui_emergency(void);
/* Sets up the attributes for the current screen (ui_start() does it;
 * headless tests call it after their own newterm()). */
void	ui_attrs(int no_color);
/* The terminal's size. */
void	ui_size(int *cols, int *rows);
/* The next key without waiting: a code point or VIEW_KEY_*, or -1. */
int	ui_key(void);
/* Draws every line of the view into win (from its top-left corner, as
 * many lines as both have). */
void	ui_draw(struct _win_st *win, const struct view *);
/* ui_draw() on the terminal, then shows it. */
void	ui_show(const struct view *);

#endif
