/* ctx.h -- what the command line said: one record every command and
 * the loaders (load.h) read. */
#ifndef MXTOP_APP_CTX_H
#define MXTOP_APP_CTX_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "out/fmt.h"
#include "run/mta.h"
#include "model/stats.h"

struct select;

/* A repeatable option's values (mx-check's --zone, --relay-name,
 * --relay-addr): pointers into argv, in the order given. */
#define CTX_LIST_MAX	16
struct ctx_list {
	const char	*v[CTX_LIST_MAX];
	size_t		 n;
};

/* Everything the command line said, shared by every command. */
struct ctx {
	const char	*spool;		/* -s, then the resolved spool directory */
	int		 spool_given;	/* by -s or MXTOP_SPOOL */
	const char	*log;		/* -l PATH, or NULL */
	struct mta	 mta;
	struct select	*sel;
	struct fmt_opts	 fmt;
	time_t		 now;
	int		 now_set;	/* --now was given: time is pinned */
	enum stats_order order;
	int		 reverse;
	int		 threads;
	time_t		 since;		/* logs: read events from here on */
	int		 since_set;	/* --since was given */
	double		 threshold;	/* --tarpit-threshold (0.5) */
	unsigned	 min_samples;	/* --tarpit-min (10) */
	/* Actions (flush, bounce, delete, freeze, thaw). */
	int		 yes;		/* --yes: no confirmation */
	int		 dry_run;	/* --dry-run: print argv, run nothing */
	double		 rate;		/* --rate: messages per second, 0 none */
	int		 parallel;	/* --parallel: Exim commands, verify
					 * sessions, DNS lookups at once; 0
					 * default */
	long		 max;		/* --max: at most this many, 0 all */
	int		 adaptive;	/* --adaptive (flush) */
	const char	*audit;		/* --audit FILE, or NULL: default */
	const char	*ids_from;	/* --ids-from FILE ("-": stdin) */
	int		 whole;		/* --whole-messages */
	/* Customers: --customers FILE|LIST, or Exim's relay_to_domains. */
	const char	*customers;
	/* TUI. */
	double		 delay;		/* -d: seconds between rescans */
	int		 once;		/* --once: print one screen, exit */
	int		 no_color;	/* --no-color or NO_COLOR */
	int		 width_set;	/* --width was given */
	/* check. */
	int64_t		 max_age;	/* --max-age = --crit-age, seconds */
	int64_t		 warn_age;	/* --warn-age, seconds; 0: none */
	long		 max_depth;	/* --max-depth = --crit-depth */
	long		 warn_depth;	/* --warn-depth, messages; 0: none */
	/* Export. */
	const char	*output;	/* -o FILE ("-": stdout) */
	const char	*as;		/* --as tar.gz|tar.xz|zip|mbox */
	int		 force;		/* --force: overwrite -o FILE */
	int		 headers_only, manifest_only;
	/* mx-check (issue 14). */
	struct ctx_list	 zones;		/* --zone FILE ("-": stdin) */
	const char	*dns_server;	/* --dns-server IP[:PORT], or NULL */
	struct ctx_list	 relay_names;	/* --relay-name NAME */
	struct ctx_list	 relay_addrs;	/* --relay-addr ADDR */
	int		 all;		/* --all: the domains with mail queued */
	int		 all_customers;	/* --all-customers */
	int		 dns;		/* --dns: diagnose looks up the DNS of
					 * domains in class dns or loop */
	int		 dns_timeout;	/* --timeout: seconds per try, 0 default;
					 * probe, verify, drain: per SMTP
					 * step */
	/* end of mx-check */
	/* probe, verify, drain (issue 11). */
	const char	*probe_sender;	/* --probe-sender ADDR: MAIL FROM */
	long		 sample;	/* --sample N: probe RCPTs, -1 default */
	long		 batch;		/* --batch K: RCPTs per session */
	int64_t		 max_verify_age;	/* --max-verify-age, 0: 1h */
	int		 bounce_rejected;	/* --bounce-rejected */
	const char	*probe_host;	/* --host IP[:PORT]: not Exim's route */
	const char	*helo;		/* --helo NAME: not primary_hostname */
	/* end of probe, verify, drain */
};

#endif
