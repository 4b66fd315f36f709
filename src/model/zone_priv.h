/* zone_priv.h -- what zone.c (the record set) gives zone_parse.c (the
 * parser of zone files and dig text); not part of zone.h. */
#ifndef MXTOP_MODEL_ZONE_PRIV_H
#define MXTOP_MODEL_ZONE_PRIV_H
#include <stddef.h>

struct zone;

/* Whether s[p] (a '.') is a label separator, not escaped: "\." escapes
 * it, "\\." does not. */
int	zone_dot_unescaped(const char *s, size_t p);
/* Marks name and its ancestors as existing: a name holding records of a
 * type the set does not keep answers NODATA, not NXDOMAIN. */
void	zone_touch(struct zone *z, const char *name);
#endif
