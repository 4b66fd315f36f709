/* mem.h -- allocation that never fails, and string arenas. */
#ifndef MXTOP_BASE_MEM_H
#define MXTOP_BASE_MEM_H
#include <stddef.h>

/* Allocation never fails: on exhaustion fatal() is called. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* Grows *pp (of *cap elements of size sz) to hold at least need elements. */
void	 xgrow(void *pp, size_t *cap, size_t need, size_t sz);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

/* Once, first thing in a program that keeps big tables for long (the
 * terminal interface): large blocks always get their own mapping, given
 * back to the system when freed (glibc otherwise raises that threshold
 * as blocks are freed, and a heap that keeps the freed tables of each
 * refresh grows). */
void	 mem_tune(void);

/* Called before fatal() exits; the ui module sets it to leave curses. */
extern void (*fatal_hook)(void);
/* Prints "mxtop: <msg>" to stderr and exits with status 2. */
_Noreturn void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A string arena: many small strings, freed together.  Strings handed out
 * stay valid (and do not move) until arena_free(). */
struct arena {
	struct arena_blk	*blk;
	size_t			 used, cap;
};
void	 arena_init(struct arena *);
void	 arena_free(struct arena *);	/* frees every string; re-usable */
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_strdup(struct arena *, const char *);
void	*arena_alloc(struct arena *, size_t);

/* FNV-1a of s[0..len): the one string hash of every table here. */

#endif
