/* diag_priv.h -- what diag.c (the accumulator) gives diag_result.c (the
 * per-recipient records and the result); not part of diag.h. */
#ifndef MXTOP_MODEL_DIAG_PRIV_H
#define MXTOP_MODEL_DIAG_PRIV_H
#include <stdint.h>

#include "model/diag.h"

struct arena;

/* What became of recipient addr of message id: DIAG_DELIVERED,
 * DIAG_FAILED, or 0 when the log did not say.  sc may be NULL. */
int		 diag_acc_outcome(const struct diag_acc *sc, const char *id,
		    const char *addr);
/* Log domain n's figures, finished, strings copied into a. */
void		 diag_acc_fill(const struct diag_acc *sc, uint32_t n,
		    struct diag_domain *d, struct arena *a);
/* The header figures, strings copied into a. */
void		 diag_acc_info(const struct diag_acc *sc, struct diag_info *in,
		    struct arena *a);
/* The log domains: their count, and the name of number n. */
uint32_t	 diag_acc_ndomains(const struct diag_acc *sc);
const char	*diag_acc_domain(const struct diag_acc *sc, uint32_t n);
#endif
