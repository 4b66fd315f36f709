/* plan.h -- the one plan of an action, for the command line and the TUI.
 *
 * Pure: a selection over a snapshot (with its diagnosis) in; per message
 * what the action will touch out, recipient by recipient.  On a shared
 * backup MX a message often has pending recipients at several customers,
 * so a message whose pending recipients are not all selected is
 * "shared", and each action treats it as Exim allows:
 *   delete  marks only the selected recipients done (exim -Mmd ID ADDR...),
 *           so the message stays for the others;
 *   bounce  cannot give up only some recipients: a shared message is
 *           skipped, unless whole messages are asked for (then the plan
 *           names every other recipient that gets a bounce too);
 *   flush, freeze, thaw, export
 *           act on the whole message; the plan says which other domains
 *           are touched.
 * The plan copies what it keeps: snapshot and diagnosis may be freed. */
#ifndef MXTOP_MODEL_PLAN_H
#define MXTOP_MODEL_PLAN_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct spool_snap;
struct diag;
struct select;

enum plan_act { PLAN_FLUSH, PLAN_BOUNCE, PLAN_DELETE, PLAN_FREEZE,
	PLAN_THAW, PLAN_EXPORT };

/* How a message is acted upon. */
enum plan_how {
	PLAN_WHOLE,		/* the whole message */
	PLAN_RCPTS,		/* only the selected recipients (-Mmd) */
	PLAN_SKIP		/* not at all: why says it */
};

#define PLAN_ID_LEN	24

/* One message of the plan. */
struct plan_item {
	char		 id[PLAN_ID_LEN];
	uint32_t	 h_ino;		/* -H as planned (spool_ino()), to
					 * notice changes */
	int64_t		 h_mtime_ns;
	int64_t		 arrival;
	enum plan_how	 how;
	const char	*why;		/* PLAN_SKIP: a static reason */
	uint32_t	 nsel;		/* selected pending recipients */
	uint32_t	 nother;	/* the other pending recipients */
	uint32_t	 addr0;		/* its selected addresses: addrs[addr0
					 * .. addr0 + nsel) */
	uint32_t	 other0;	/* the others: addrs[other0 ..
					 * other0 + nother) */
	int		 frozen, active;
	char		 domains[128];	/* selected recipients' domains,
					 * "a.example,b.example", cut with
					 * "..." when long */
};

/* Per domain: what the plan does there. */
struct plan_domain {
	char		*name;
	size_t		 msgs;		/* messages acted upon with a
					 * recipient here */
	size_t		 rcpts;		/* of its pending recipients */
	size_t		 shared;	/* messages among msgs that hold other
					 * domains' recipients too */
};

#define PLAN_SAMPLE	5		/* items[0..5) are "the sample" */

struct plan {
	enum plan_act	 act;
	int		 whole;		/* whole messages asked for */
	struct plan_item *items;	/* oldest first (or the ids' order) */
	size_t		 n;
	char		**addrs;	/* the items' addresses */
	size_t		 naddrs, capaddrs;
	size_t		 nrcpts;	/* selected recipients acted upon */
	size_t		 nshared;	/* items with other recipients */
	size_t		 nskipped;	/* items with how PLAN_SKIP */
	size_t		 nbyrcpt;	/* items with how PLAN_RCPTS */
	struct plan_domain *domains;	/* selected: by msgs, descending */
	size_t		 ndomains;
	struct plan_domain *others;	/* other domains a whole-message
					 * action touches */
	size_t		 nothers;
	size_t		 nother_rcpts;	/* their recipients */
	int64_t		 oldest, newest;	/* arrival seconds; 0 if none */
	size_t		 nfrozen, nactive;
	size_t		 nmissing;	/* ids asked for but not in the snap */
	size_t		 ncut;		/* selected but left out by max */
};

/* The plan of act on the messages of snap that sel selects at time now
 * (sel NULL: all).  d (may be NULL) gives classes for class terms.  With
 * ids (nids, validated by the caller), only those messages, in that
 * order, duplicates dropped, missing ones counted in nmissing.  max > 0
 * keeps at most max messages acted upon (ncut counts the rest).  whole:
 * act on whole messages even where only some recipients are selected.
 * Never NULL; plan_free() it. */
struct plan	*plan_new(const struct spool_snap *snap, const struct diag *d,
		    const struct select *sel, time_t now, enum plan_act act,
		    const char *const *ids, size_t nids, long max, int whole);
void		 plan_free(struct plan *);	/* NULL is a no-op */

/* "flush", "bounce", "delete", "freeze", "thaw", "export". */
const char	*plan_act_name(enum plan_act);
/* The action named s (flush, bounce, delete, freeze or thaw); returns
 * 0, or -1 if s names none. */
int		 plan_act_parse(const char *s, enum plan_act *);
/* Whether an address can go on Exim's command line after -Mmd ID: one
 * Exim would not take for an option, without control characters. */
int		 plan_addr_safe(const char *addr);
/* Items acted upon (not skipped). */
size_t		 plan_nacted(const struct plan *);
/* How many messages above which an operator must type the count. */
#define PLAN_CONFIRM_FEW	20

/* ---- drain: what the primary's answers say ---- */

/* The plan of mxtop drain for the recipients sel selects, sel being
 * bound to verify results (select_bind_verify()):
 *   remove  the recipients the primary rejected (5xx): with bounce 0 a
 *           PLAN_DELETE (a message whose every pending recipient was
 *           rejected whole with -Mrm, else the rejected ones with -Mmd);
 *           with bounce a PLAN_BOUNCE (-Mg) of the messages whose every
 *           pending recipient was rejected, the others skipped: their
 *           rejected recipients go with the flush, where the primary's
 *           5xx makes Exim bounce them;
 *   flush   the messages with a recipient the primary accepted;
 *   left    the selected recipients with no fresh 2xx or 5xx (deferred,
 *           unknown, never asked, too old): never removed; nleft_msgs
 *           counts the messages that stay queued untouched for them.
 * After the removal the spool has changed (-Mmd rewrites -H): plan the
 * flush again from a new snapshot before running it. */
struct plan_drain {
	struct plan	*remove;
	struct plan	*flush;
	size_t		 nleft_msgs, nleft_rcpts;
	char		 left_ids[PLAN_SAMPLE][PLAN_ID_LEN];
	size_t		 nleft_ids;
};

/* Never NULL; plan_drain_free() it.  max as for plan_new() (flush). */
struct plan_drain *plan_drain_new(const struct spool_snap *snap,
		    const struct diag *d, const struct select *sel, time_t now,
		    int bounce, long max);
void		 plan_drain_free(struct plan_drain *);	/* NULL: no-op */
/* The flush part alone (after the removal, on a new snapshot). */
struct plan	*plan_drain_flush(const struct spool_snap *snap,
		    const struct diag *d, const struct select *sel, time_t now,
		    long max);
#endif
