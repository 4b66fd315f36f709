/* fmt_mxcheck.h -- mx-check's text, CSV and JSON (part of the fmt
 * module; fmt.h's rules hold: field names are a contract, DNS data is
 * sanitized in text and CSV and escaped in JSON). */
#ifndef MXTOP_FMT_MXCHECK_H
#define MXTOP_FMT_MXCHECK_H
#include <stddef.h>
#include <stdio.h>

#include "out/fmt.h"

struct mxcheck_result;			/* model/mxcheck.h */
struct mxcheck_relay;

/* The results res[0..n) for the relay r (may be NULL): text (per
 * domain its MX set, then each finding with its records, why and fix,
 * wrapped to o->width), CSV (one row per finding, a domain without one
 * gets a row with an empty code) or JSON ({"relay": {...}, "domains":
 * [...]}; mxtop.1, OUTPUT). */
void	fmt_mxcheck(FILE *, const struct fmt_opts *o,
	    const struct mxcheck_result *res, size_t n,
	    const struct mxcheck_relay *r);
/* The CSV header row, without a line end. */
extern const char fmt_mxcheck_csv_header[];

#endif
