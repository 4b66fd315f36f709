/* mem.c -- allocation that never fails, and string arenas. */
#include "base/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

void (*fatal_hook)(void);

void
mem_tune(void)
{
#ifdef __GLIBC__
	/* Fixed thresholds: glibc stops adjusting them. */
	(void)mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
#endif
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook != NULL)
		fatal_hook();
	fflush(stdout);
	fputs("mxtop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void
xgrow(void *pp, size_t *cap, size_t need, size_t sz)
{
	void **vp = pp;
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sz)
			fatal("out of memory");
		ncap *= 2;
	}
	*vp = xrealloc(*vp, ncap * sz);
	*cap = ncap;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Arena: a chain of blocks; big requests get a block of their own. */
struct arena_blk {
	struct arena_blk	*next;
	size_t			 size;
	max_align_t		 data[];
};

#define ARENA_BLK	(256 * 1024)
/* The first block is small and each next one twice the last, up to
 * ARENA_BLK: an arena that holds a few strings (one message's msglog)
 * costs a small malloc, not a mapping of its own. */
#define ARENA_FIRST	(4096 - 64)

void
arena_init(struct arena *a)
{
	a->blk = NULL;
	a->used = a->cap = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_blk *b, *next;

	for (b = a->blk; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_blk *b;
	size_t al = _Alignof(max_align_t);
	void *p;

	n = (n + al - 1) / al * al;
	/* Strings are packed byte by byte: align what they left. */
	a->used = (a->used + al - 1) / al * al;
	if (a->used > a->cap)
		a->used = a->cap;
	if (n > ARENA_BLK / 4) {
		/* Keep the current block: link the big one behind it. */
		b = xmalloc(sizeof(*b) + n);
		b->size = n;
		if (a->blk != NULL) {
			b->next = a->blk->next;
			a->blk->next = b;
		} else {
			b->next = NULL;
			a->blk = b;
			a->used = a->cap = n;
		}
		return b->data;
	}
	if (a->blk == NULL || a->cap - a->used < n) {
		size_t sz = a->blk == NULL ? ARENA_FIRST :
		    a->blk->size < ARENA_BLK / 2 ? a->blk->size * 2 : ARENA_BLK;

		if (sz < n)
			sz = n;
		b = xmalloc(sizeof(*b) + sz);
		b->size = sz;
		b->next = a->blk;
		a->blk = b;
		a->used = 0;
		a->cap = sz;
	}
	p = (char *)a->blk->data + a->used;
	a->used += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	/* Strings need no alignment: pack them byte by byte. */
	if (a->blk == NULL || a->cap - a->used < n + 1 || n + 1 > ARENA_BLK / 4)
		p = arena_alloc(a, n + 1);
	else {
		p = (char *)a->blk->data + a->used;
		a->used += n + 1;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}
