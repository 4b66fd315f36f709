/* fmt_priv.h -- helpers shared by the fmt module's files (fmt.c,
 * fmt_show.c, fmt_diag.c, fmt_mxcheck.c); not part of its contract
 * (fmt.h). */
#ifndef MXTOP_FMT_PRIV_H
#define MXTOP_FMT_PRIV_H
#include <stddef.h>
#include <stdio.h>

struct diag_domain;
struct diag_evidence;

/* A JSON string, or null for NULL. */
void		 fmt_jstr(FILE *, const char *s);
/* Sanitized copy of s for text output, cut to w columns (0: no cut). */
const char	*fmt_clean(char *buf, size_t len, const char *s, int w);
/* s without its leading blanks. */
const char	*fmt_trim(const char *s);
/* The diagnosis fields shared by summary and diagnose (",\"class\":..."). */
void		 fmt_json_diag(FILE *, const struct diag_domain *, int cls);
void		 fmt_json_evidence(FILE *, const struct diag_evidence *);
/* ",\"class\":...,\"last_error\":..." of snapshot recipient r of d
 * (SIZE_MAX: none, both null). */
struct diag;
void		 fmt_json_last(FILE *, const struct diag *d, size_t r);
/* mx-check's text of one domain after its first line, for mx-check and
 * diagnose --dns alike: the error, the MX set, each finding with its
 * records, why and fix, the names the data lacks; every line indented
 * by ind blanks or more, DNS data sanitized.  The prose (why, fix) is
 * FMT_LS_NORMAL, the codes and the error FMT_LS_BAD, the data (MX set,
 * records, notes) FMT_LS_DIM: mx-check wraps only the prose. */
struct mxcheck_result;
struct fmt_sink;
void		 fmt_mxcheck_lines(const struct mxcheck_result *, int ind,
		    const struct fmt_sink *);
/* mx-check's JSON object of one domain (mxtop.1, OUTPUT). */
void		 fmt_mxcheck_json(FILE *, const struct mxcheck_result *);

#endif
