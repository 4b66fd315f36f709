/* sha256.h -- SHA-256 (FIPS 180-4), for the export manifest.
 *
 * A small one of our own: no allowed library exposes one (libarchive
 * keeps its digests private).  tests/unit/check_export.c checks it
 * against the FIPS test vectors. */
#ifndef MXTOP_BASE_SHA256_H
#define MXTOP_BASE_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 len;		/* bytes so far */
	unsigned char	 buf[64];
	size_t		 nbuf;
};

void	sha256_init(struct sha256 *);
void	sha256_update(struct sha256 *, const void *, size_t);
/* Writes the digest in lower-case hex (64 characters and a NUL) into
 * hex; the state must be initialized again before reuse. */
void	sha256_hex(struct sha256 *, char hex[65]);

#endif
