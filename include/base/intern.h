/* intern.h -- the one string hash of every table, and sets of interned
 * strings. */
#ifndef MXTOP_BASE_INTERN_H
#define MXTOP_BASE_INTERN_H
#include <stddef.h>
#include <stdint.h>

/* FNV-1a of s[0..len): the one string hash of every table here. */
uint64_t intern_hash(const char *s, size_t len);

/* A set of interned strings: each distinct string is stored once and gets
 * a small dense number (0, 1, ...) in order of first sight. */
struct intern;
struct intern	*intern_new(void);
void		 intern_free(struct intern *);	/* NULL is a no-op */
/* Returns the number of s[0..len); adds it if unknown. */
uint32_t	 intern_add(struct intern *, const char *s, size_t len);
/* Returns the number of s, or UINT32_MAX if it was never added. */
uint32_t	 intern_find(const struct intern *, const char *s, size_t len);
/* The string with number n (NUL-terminated), valid until intern_free(). */
const char	*intern_str(const struct intern *, uint32_t n);
uint32_t	 intern_count(const struct intern *);

#endif
