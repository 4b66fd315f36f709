/* classify.h -- delivery error text -> diagnosis class, and advice. */
#ifndef MXTOP_CLASSIFY_H
#define MXTOP_CLASSIFY_H
#include <stddef.h>
#include <stdint.h>

#include "exim/logline.h"

/* Why a domain's mail is stuck (DESIGN.md, "Diagnosis classes").  The
 * order is also the tie-break order of class_mix_dominant(). */
enum class_id {
	CLASS_NONE = 0,		/* no class: not an attempt, or no evidence */
	CLASS_OFFLINE,
	CLASS_TARPIT,
	CLASS_RATELIMIT,
	CLASS_SOFTREJECT,
	CLASS_BLOCKED,
	CLASS_HARDREJECT,
	CLASS_DNS,
	CLASS_LOOP,
	CLASS_BACKSCATTER,	/* a stuck bounce to a non-customer (set by
				 * the diagnosis, never from a log text) */
	CLASS_GREYLIST,		/* 4xx "greylisted": benign, the retry
				 * delivers */
	CLASS_OTHER,
	CLASS__COUNT
};

/* The class's name as used on the command line and in JSON ("offline",
 * "tarpit", ...; "none" for CLASS_NONE).  Never NULL: an out-of-range
 * value gives "other". */
const char	*class_name(enum class_id);
/* The class named s (case-insensitive), or -1 if s names none.  "none"
 * gives CLASS_NONE. */
int		 class_from_name(const char *s);
/* What a backup MX operator tells the customer about this class: one
 * paragraph of static text, no newline.  Never NULL ("" for CLASS_NONE). */
const char	*class_advice(enum class_id);

/* Classifies the error text of one delivery attempt, callout or failure
 * (the part of a log line after "defer (N)", after " : " on a failure, the
 * detail of a callout, or a per-host line), text[0..len), not necessarily
 * NUL-terminated.  Matches Exim's fixed phrases and the remote server's
 * SMTP reply code and enhanced status code, case-insensitively; never
 * errno numbers.
 *
 * Returns CLASS_NONE when the text is a skip, not an attempt ("retry time
 * not reached", "Retry time not yet reached"): such lines must not be
 * counted.  Any other text, even empty, gets a class (CLASS_OTHER when
 * nothing matches).  Decisions beyond DESIGN.md:
 * - a bare connect timeout ("Connection timed out" with no "SMTP timeout
 *   after ...") is offline; "SMTP timeout after <anything>" (the TCP
 *   connection worked) is tarpit;
 * - "Remote host closed connection in response to initial connection" is
 *   ratelimit (servers at their connection limit accept and drop); closed
 *   connections later in the dialogue are other;
 * - Exim's own routing/DNS phrases count only outside a remote SMTP reply
 *   (a primary answering "550 Unrouteable address" is a hardreject);
 * - a 4xx reply to RCPT without rate/block words is softreject, a 5xx
 *   reply to RCPT without block words is hardreject; 554 to the initial
 *   connection is blocked;
 * - "all hosts for 'd' have been failing for a long time" is offline;
 * - "Previous (cached) callout verification failure" is hardreject. */
enum class_id	 class_of_text(const char *text, size_t len);
/* True when text is a "retry time not reached" skip (see above; the
 * phrases are logline_is_skip()'s). */
int		 class_is_skip(const char *text, size_t len);
/* The class of a log event of kind k with error text text[0..len) (the
 * logline.h grammar): class_of_text() for deferrals, the same but never
 * CLASS_NONE for failures, per-host lines and callouts, CLASS_DNS for a
 * misconfiguration line, CLASS_NONE for every other kind. */
enum class_id	 class_of_event(enum logline_kind k, const char *text,
		    size_t len);

/* Finds the first SMTP reply in text: a 3-digit code 2xx-5xx at the start
 * or after ": " / "was: ", followed by a space, '-' or the end.  Returns the
 * code (0 if none) and, when enh is not NULL, copies an enhanced status
 * code that follows it ("5.1.1") into enh (at least 12 bytes; "" if
 * none).  Exposed for tests and for stats' evidence display. */
int		 class_smtp_code(const char *text, size_t len, char *enh);

/* A class mix: counts per class.  Zero it to start (or class_mix_init). */
struct class_mix {
	uint32_t	n[CLASS__COUNT];
};
void		 class_mix_init(struct class_mix *);
/* Counts one more of c; CLASS_NONE and out-of-range values are ignored. */
void		 class_mix_add(struct class_mix *, enum class_id c);
/* The sum of all counts (CLASS_NONE never counts). */
uint32_t	 class_mix_total(const struct class_mix *);
/* The class with the highest count; ties go to the lower enum value.
 * CLASS_NONE when the mix is empty. */
enum class_id	 class_mix_dominant(const struct class_mix *);
#endif
