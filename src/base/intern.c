/* intern.c -- the one string hash, and interned string sets. */
#include "base/intern.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

/* Intern table: open addressing over indexes into a string vector. */
struct intern {
	struct arena	  strs;
	const char	**vec;
	size_t		 *lens;
	size_t		  n, cap;
	uint32_t	 *slots;	/* index + 1; 0 is empty */
	size_t		  nslots;
};

uint64_t
intern_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

struct intern *
intern_new(void)
{
	struct intern *in = xcalloc(1, sizeof(*in));

	arena_init(&in->strs);
	in->nslots = 64;
	in->slots = xcalloc(in->nslots, sizeof(*in->slots));
	return in;
}

void
intern_free(struct intern *in)
{
	if (in == NULL)
		return;
	arena_free(&in->strs);
	free(in->vec);
	free(in->lens);
	free(in->slots);
	free(in);
}

static size_t
slot_of(const struct intern *in, const char *s, size_t len)
{
	size_t mask = in->nslots - 1, i = intern_hash(s, len) & mask;
	uint32_t v;

	while ((v = in->slots[i]) != 0) {
		if (in->lens[v - 1] == len && memcmp(in->vec[v - 1], s, len) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

uint32_t
intern_find(const struct intern *in, const char *s, size_t len)
{
	uint32_t v = in->slots[slot_of(in, s, len)];

	return v ? v - 1 : UINT32_MAX;
}

uint32_t
intern_add(struct intern *in, const char *s, size_t len)
{
	size_t i = slot_of(in, s, len), j;
	uint32_t v = in->slots[i];

	if (v != 0)
		return v - 1;
	if (in->n == in->cap) {
		size_t cap = in->cap;

		xgrow(&in->vec, &cap, in->n + 1, sizeof(*in->vec));
		xgrow(&in->lens, &in->cap, in->n + 1, sizeof(*in->lens));
	}
	in->vec[in->n] = arena_strndup(&in->strs, s, len);
	in->lens[in->n] = len;
	in->n++;
	if (in->n * 2 > in->nslots) {
		free(in->slots);
		in->nslots *= 2;
		in->slots = xcalloc(in->nslots, sizeof(*in->slots));
		for (j = 0; j < in->n; j++)
			in->slots[slot_of(in, in->vec[j], in->lens[j])] =
			    (uint32_t)j + 1;
	} else
		in->slots[i] = (uint32_t)in->n;
	return (uint32_t)in->n - 1;
}

const char *
intern_str(const struct intern *in, uint32_t n)
{
	return n < in->n ? in->vec[n] : NULL;
}

uint32_t
intern_count(const struct intern *in)
{
	return (uint32_t)in->n;
}
