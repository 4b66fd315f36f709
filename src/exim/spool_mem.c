/* spool_mem.c -- the memory of snapshots: mapped arrays and string
 * pools that go back to the system when a snapshot is freed, so that a
 * program holding one snapshot at a time (the TUI, refresh after
 * refresh) stays at the size of one. */
#define _GNU_SOURCE		/* mremap(2) */
#include "spool_priv.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t
page_round(size_t n)
{
	static size_t pg;

	if (pg == 0) {
		long p = sysconf(_SC_PAGESIZE);

		pg = p > 0 ? (size_t)p : 4096;
	}
	return (n + pg - 1) / pg * pg;
}

void *
big_grow(void *p, size_t *cap, size_t need)
{
	size_t ncap;
	void *q;

	if (p != NULL && need <= *cap)
		return p;
	/* The first size as asked (arrays of known size), then by half
	 * again each time. */
	ncap = p == NULL ? need : *cap;
	while (ncap < need)
		ncap += ncap / 2;
	ncap = page_round(ncap < 4096 ? 4096 : ncap);
	if (p == NULL) {
		q = mmap(NULL, ncap, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS, -1, 0);
	} else {
#ifdef MREMAP_MAYMOVE
		q = mremap(p, *cap, ncap, MREMAP_MAYMOVE);
#else
		q = mmap(NULL, ncap, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS, -1, 0);
		if (q != MAP_FAILED) {
			memcpy(q, p, *cap);
			munmap(p, *cap);
		}
#endif
	}
	if (q == MAP_FAILED)
		fatal("out of memory (%zu bytes)", ncap);
	*cap = ncap;
	return q;
}

void
big_free(void *p, size_t cap)
{
	if (p != NULL && cap > 0)
		munmap(p, cap);
}

/* ---- String pools ---- */

#define CHUNK		(1024 * 1024)
#define POOL_CACHE	(1 << 12)

struct pool_chunk {
	struct pool_chunk	*next;
	size_t			 size;		/* mapped bytes */
};

uint64_t
spool_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

void
pool_init(struct spool_pool *p)
{
	memset(p, 0, sizeof(*p));
}

static char *
pool_take(struct spool_pool *p, size_t n)
{
	struct pool_chunk *c;
	size_t size;
	char *s;

	if (n > p->left) {
		size = n + sizeof(*c) > CHUNK ? page_round(n + sizeof(*c)) :
		    CHUNK;
		c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED)
			fatal("out of memory (%zu bytes)", size);
		c->size = size;
		c->next = p->chunks;
		p->chunks = c;
		p->cur = (char *)(c + 1);
		p->left = size - sizeof(*c);
	}
	s = p->cur;
	p->cur += n;
	p->left -= n;
	return s;
}

const char *
pool_str(struct spool_pool *p, const char *s, size_t n)
{
	struct pool_slot *slot = NULL;
	char *d;

	if (n == 0)
		return "";
	if (n < 256) {
		if (p->cache == NULL)
			p->cache = xcalloc(POOL_CACHE, sizeof(*p->cache));
		slot = &p->cache[spool_hash(s, n) & (POOL_CACHE - 1)];
		if (slot->s != NULL && slot->len == n &&
		    memcmp(slot->s, s, n) == 0)
			return slot->s;
	}
	d = pool_take(p, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	if (slot != NULL) {
		slot->s = d;
		slot->len = n;
	}
	return d;
}

const char *
pool_raw(struct spool_pool *p, const char *s, size_t n)
{
	char *d;

	if (n == 0)
		return "";
	d = pool_take(p, n + 1);
	memcpy(d, s, n + 1);
	return d;
}

void
pool_uncache(struct spool_pool *p)
{
	free(p->cache);
	p->cache = NULL;
}

void
pool_free(struct spool_pool *p)
{
	struct pool_chunk *c, *next;

	for (c = p->chunks; c != NULL; c = next) {
		next = c->next;
		munmap(c, c->size);
	}
	pool_uncache(p);
	pool_init(p);
}

struct pool_set *
pool_set_new(struct spool_pool *pools, size_t n)
{
	struct pool_set *ps = xcalloc(1, sizeof(*ps));

	atomic_init(&ps->refs, 1);
	ps->pools = pools;
	ps->npools = n;
	return ps;
}

struct pool_set *
pool_set_hold(struct pool_set *ps)
{
	atomic_fetch_add(&ps->refs, 1);
	return ps;
}

void
pool_set_drop(struct pool_set *ps)
{
	size_t i;

	if (ps == NULL || atomic_fetch_sub(&ps->refs, 1) != 1)
		return;
	for (i = 0; i < ps->npools; i++)
		pool_free(&ps->pools[i]);
	free(ps->pools);
	free(ps);
}

size_t
pool_set_bytes(const struct pool_set *ps)
{
	size_t i, n = 0;

	for (i = 0; i < ps->npools; i++)
		n += pool_bytes(&ps->pools[i]);
	return n;
}

size_t
pool_bytes(const struct spool_pool *p)
{
	const struct pool_chunk *c;
	size_t n = 0;

	for (c = p->chunks; c != NULL; c = c->next)
		n += c->size;
	/* What is mapped and not yet used is not resident either. */
	return n - p->left;
}
