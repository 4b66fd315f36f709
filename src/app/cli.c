/* cli.c -- the option and command tables, the parser made from them and
 * the --help text.  Every number an option takes is checked against the
 * bounds written in its row; a bad value is one line and exit 2. */
#include "app/cli.h"
#include "app/cmd.h"
#include "model/select.h"
#include "model/stats.h"
#include "out/fmt.h"
#include "base/mem.h"
#include "base/units.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MXTOP_VERSION	"0.2"

#define FT	(1u << FMT_TEXT)
#define FC	(1u << FMT_CSV)
#define FJ	(1u << FMT_JSON)
#define FI	(1u << FMT_IDS)

static const struct cli_cmd cmds[] = {
	{ "summary", "[selection]",
	    "per-domain queue table with qshape age buckets", cmd_summary, 1, 2,
	    FT|FC|FJ|FI },
	{ "list", "[selection]", "one row per message", cmd_list, 1, 2,
	    FT|FC|FJ|FI },
	{ "show", "ID...", "one message in full", cmd_show, 1, 2,
	    FT|FC|FJ|FI },
	{ "diagnose", "[DOMAIN] [--dns]",
	    "why mail is stuck: class, evidence, advice",
	    cmd_diagnose, 1, 2,
	    FT|FJ },
	{ "check", "[--warn-age/--crit-age DUR] [--warn-depth/--crit-depth N]",
	    "monitoring plugin: one line, exit 0/1/2/3", cmd_check, 1, 3,
	    FT|FJ },
	{ "flush", "[selection] [--dry-run] [--yes] [--rate N/s]",
	    "deliver now (exim -M), paced", cmd_action, 1, 2,
	    FT|FJ },
	{ "bounce", "[selection]", "give up, the senders get a bounce (-Mg)",
	    cmd_action, 1, 2,
	    FT|FJ },
	{ "delete", "[selection]", "remove without a bounce (-Mrm)", cmd_action, 1, 2,
	    FT|FJ },
	{ "freeze", "[selection]", "freeze (-Mf)", cmd_action, 1, 2,
	    FT|FJ },
	{ "thaw", "[selection]", "thaw (-Mt)", cmd_action, 1, 2,
	    FT|FJ },
	{ "export", "[selection] -o FILE [--as FORMAT]",
	    "messages, manifest and diagnosis in an archive",
	    cmd_export, 1, 2,
	    FT },
	{ "tui", "", "the terminal interface (the default on a terminal)",
	    cmd_tui, 1, 2,
	    FT },
	{ "mx-check", "DOMAIN...|--all [--zone FILE]",
	    "the DNS mistakes of backup-MX customers", cmd_mxcheck, 0, 2,
	    FT|FC|FJ },
	{ "probe", "DOMAIN...|--all",
	    "ask the primary now: SMTP up to RCPT, timed, classified",
	    cmd_probe, 1, 2,
	    FT|FJ },
	{ "verify", "[selection] [--rate N/s]",
	    "RCPT-check every queued recipient at its primary", cmd_verify, 1,
	    2,
	    FT|FJ },
	{ "drain", "[selection] [--rate N/s] [--dry-run] [--yes]",
	    "probe, verify, remove what the primary rejects, paced flush",
	    cmd_drain, 1, 2,
	    FT|FJ },
};

/* How an option's value is stored. */
enum opt_type {
	OT_FLAG,	/* int = 1 */
	OT_STR,		/* const char * = the argument */
	OT_LONG,	/* long in [lo, hi] */
	OT_INT,		/* int in [lo, hi] */
	OT_DOUBLE,	/* double in [lo, hi], no NaN or infinity */
	OT_DURATION,	/* int64_t seconds in [lo, hi] */
	OT_RATE,	/* double per second */
	OT_TIME,	/* time_t */
	OT_SEL,		/* a selection term: key in sel */
	OT_LIST,	/* struct ctx_list: appended, repeatable */
	OT_FN		/* special: handled in set() by its letter */
};

struct opt {
	const char	*name;
	int		 letter;	/* short option, or 0 */
	enum opt_type	 type;
	size_t		 off;		/* of the field in struct ctx */
	double		 lo, hi;
	const char	*arg;		/* the argument's name; NULL: none */
	const char	*help;
	const char	*sel;		/* OT_SEL: the select key */
	int		 optional;	/* the argument may be left out */
};

#define F(field)	offsetof(struct ctx, field)
#define DAY		86400.0
#define CENTURY		((double)UNITS_DURATION_MAX)

/* Sections of --help, in order; each option row names one. */
static const struct {
	const char	*title;
	const char	*first;		/* name of its first option */
} sects[] = {
	{ "input", "spool" }, { "output", "format" },
	{ "selection (terms of one key are ORed, keys ANDed)", "domain" },
	{ "diagnosis", "since" }, { "actions", "yes" }, { "export", "output" },
	{ "check", "warn-age" }, { "mx-check (and diagnose --dns)", "zone" },
	{ "probe, verify, drain", "sample" },
	{ "terminal interface", "delay" },
	{ "", "help" },
};

static const struct opt opts[] = {
	/* input */
	{ "spool", 's', OT_STR, F(spool), 0, 0, "DIR",
	    "the spool directory (default: $MXTOP_SPOOL, exim -bP)", 0, 0 },
	{ "log", 'l', OT_STR, F(log), 0, 0, "PATH",
	    "the main log, or a directory with mainlog*", 0, 0 },
	{ "exim", 0, OT_STR, F(mta.exim), 0, 0, "PATH",
	    "Exim binary for actions (default exim, exim4)", 0, 0 },
	{ "exim-config", 0, OT_STR, F(mta.config), 0, 0, "FILE",
	    "passed to Exim as -C FILE", 0, 0 },
	{ "now", 0, OT_TIME, F(now), 0, 0, "TIME",
	    "pin the time (epoch or 2025-01-01T00:00:00Z)", 0, 0 },
	{ "threads", 0, OT_INT, F(threads), 1, 64, "N",
	    "threads reading the spool (default: one per core)", 0, 0 },
	/* output */
	{ "format", 0, OT_FN, 0, 0, 0, "FMT", "text, csv, json or ids", 0, 0 },
	{ "width", 0, OT_INT, F(fmt.width), 40, 1000, "N",
	    "columns of text output", 0, 0 },
	{ "sort", 0, OT_FN, 0, 0, 0, "KEY",
	    "msgs, age, name, rcpts or bytes", 0, 0 },
	{ "reverse", 'r', OT_FLAG, F(reverse), 0, 0, NULL,
	    "reverse the order", 0, 0 },
	/* selection */
	{ "domain", 0, OT_SEL, 0, 0, 0, "PAT",
	    "a recipient domain (glob, or ~regex)", "domain", 0 },
	{ "sender", 0, OT_SEL, 0, 0, 0, "PAT", "the envelope sender", "sender",
	    0 },
	{ "rcpt", 0, OT_SEL, 0, 0, 0, "PAT", "a recipient", "rcpt", 0 },
	{ "older-than", 0, OT_SEL, 0, 0, 0, "DUR", "older than (90s, 15m, 2h, 3d)",
	    "older", 0 },
	{ "younger-than", 0, OT_SEL, 0, 0, 0, "DUR", "younger than", "younger",
	    0 },
	{ "frozen", 0, OT_SEL, 0, 0, 0, "yes|no", "frozen (or not)", "frozen",
	    1 },
	{ "bad", 0, OT_SEL, 0, 0, 0, "yes|no", "unreadable -H (or not)", "bad",
	    1 },
	{ "id", 0, OT_SEL, 0, 0, 0, "ID", "one message", "id", 0 },
	{ "class", 0, OT_SEL, 0, 0, 0, "CLASS",
	    "diagnosis class (offline, tarpit, ...)", "class", 0 },
	{ "match", 0, OT_SEL, 0, 0, 0, "WORD",
	    "a word in a domain, recipient or sender", "match", 0 },
	{ "verified", 0, OT_SEL, 0, 0, 0, "RESULT",
	    "what the primary answered: rejected, accepted, deferred, unknown",
	    "verified", 0 },
	{ "customer", 0, OT_SEL, 0, 0, 0, "yes|no",
	    "recipients at customer domains (or not)", "customer", 1 },
	{ "customers-only", 0, OT_FN, 0, 0, 0, NULL,
	    "the same as --customer", 0, 0 },
	{ "not-customers", 0, OT_FN, 0, 0, 0, NULL,
	    "the same as --customer=no", 0, 0 },
	/* diagnosis */
	{ "since", 0, OT_FN, 0, 0, 0, "WHEN",
	    "read the logs from then (24h, the default, or a time)", 0, 0 },
	{ "retry-cutoff", 0, OT_DURATION, F(fmt.cutoff), 60, CENTURY, "DUR",
	    "Exim's final retry cutoff (default 4d)", 0, 0 },
	{ "tarpit-threshold", 0, OT_DOUBLE, F(threshold), 0.01, 1, "SHARE",
	    "share of stalls that is suspect (default 0.5)", 0, 0 },
	{ "tarpit-min", 0, OT_INT, F(min_samples), 1, 1000000, "N",
	    "attempts the score needs (default 10)", 0, 0 },
	{ "customers", 0, OT_STR, F(customers), 0, 0, "FILE|LIST",
	    "the customer domains (default: Exim's relay_to_domains)", 0, 0 },
	{ "dns", 0, OT_FLAG, F(dns), 0, 0, NULL,
	    "diagnose: mx-check the dns and loop domains (sends DNS queries)",
	    0, 0 },
	/* actions */
	{ "yes", 'y', OT_FLAG, F(yes), 0, 0, NULL, "do it without asking", 0,
	    0 },
	{ "dry-run", 'n', OT_FLAG, F(dry_run), 0, 0, NULL,
	    "print the plan and Exim's command lines, run nothing", 0, 0 },
	{ "rate", 0, OT_RATE, F(rate), 0, 0, "N/s",
	    "at most this many messages a second (N/s, N/m, N/h)", 0, 0 },
	{ "parallel", 0, OT_INT, F(parallel), 1, 64, "N",
	    "at once: Exim commands (1), verify sessions (1), DNS lookups (32)",
	    0, 0 },
	{ "max", 0, OT_LONG, F(max), 1, 100000000, "N",
	    "at most this many messages", 0, 0 },
	{ "adaptive", 0, OT_FLAG, F(adaptive), 0, 0, NULL,
	    "flush: slow down, stop when the primary struggles", 0, 0 },
	{ "audit", 0, OT_STR, F(audit), 0, 0, "FILE",
	    "the audit log (default /var/log/mxtop/audit.log)", 0, 0 },
	{ "ids-from", 0, OT_STR, F(ids_from), 0, 0, "FILE",
	    "act on the ids in FILE (- for stdin)", 0, 0 },
	{ "whole-messages", 0, OT_FLAG, F(whole), 0, 0, NULL,
	    "bounce shared messages too, other domains' recipients and all",
	    0, 0 },
	/* export */
	{ "output", 'o', OT_STR, F(output), 0, 0, "FILE",
	    "the archive (- for stdout)", 0, 0 },
	{ "as", 0, OT_STR, F(as), 0, 0, "FORMAT",
	    "tar.gz, tar.xz, zip, mbox or mbox.gz", 0, 0 },
	{ "headers-only", 0, OT_FLAG, F(headers_only), 0, 0, NULL,
	    "leave the bodies out", 0, 0 },
	{ "manifest-only", 0, OT_FLAG, F(manifest_only), 0, 0, NULL,
	    "only the manifest and the summary", 0, 0 },
	{ "force", 0, OT_FLAG, F(force), 0, 0, NULL, "overwrite FILE", 0, 0 },
	/* check */
	{ "warn-age", 0, OT_DURATION, F(warn_age), 1, CENTURY, "DUR",
	    "WARNING when the oldest message is older", 0, 0 },
	{ "crit-age", 0, OT_DURATION, F(max_age), 1, CENTURY, "DUR",
	    "CRITICAL when the oldest message is older", 0, 0 },
	{ "max-age", 0, OT_DURATION, F(max_age), 1, CENTURY, "DUR",
	    "the same as --crit-age", 0, 0 },
	{ "warn-depth", 0, OT_LONG, F(warn_depth), 1, 100000000, "N",
	    "WARNING when more messages are queued", 0, 0 },
	{ "crit-depth", 0, OT_LONG, F(max_depth), 1, 100000000, "N",
	    "CRITICAL when more messages are queued", 0, 0 },
	{ "max-depth", 0, OT_LONG, F(max_depth), 1, 100000000, "N",
	    "the same as --crit-depth", 0, 0 },
	/* mx-check */
	{ "zone", 0, OT_LIST, F(zones), 0, 0, "FILE",
	    "records from a zone file or dig output (- stdin), no lookups",
	    0, 0 },
	{ "dns-server", 0, OT_STR, F(dns_server), 0, 0, "IP[:PORT]",
	    "ask this server (default: the system's resolvers)", 0, 0 },
	{ "relay-name", 0, OT_LIST, F(relay_names), 0, 0, "NAME",
	    "a host name of the relay (default: Exim's primary_hostname)",
	    0, 0 },
	{ "relay-addr", 0, OT_LIST, F(relay_addrs), 0, 0, "ADDR",
	    "an address of the relay (default: local_interfaces)", 0, 0 },
	{ "all", 0, OT_FLAG, F(all), 0, 0, NULL,
	    "every domain with mail queued", 0, 0 },
	{ "all-customers", 0, OT_FLAG, F(all_customers), 0, 0, NULL,
	    "every customer domain (relay_to_domains)", 0, 0 },
	{ "timeout", 0, OT_INT, F(dns_timeout), 1, 60, "SECS",
	    "seconds per DNS try (3, 2 tries) or SMTP step (15)", 0, 0 },
	/* probe, verify, drain */
	{ "sample", 0, OT_LONG, F(sample), 0, 100, "N",
	    "probe: queued recipients asked too (default 3)", 0, 0 },
	{ "probe-sender", 0, OT_STR, F(probe_sender), 0, 0, "ADDR",
	    "MAIL FROM of probes and verify (default <>)", 0, 0 },
	{ "host", 0, OT_STR, F(probe_host), 0, 0, "IP[:PORT]",
	    "ask this primary, not the one exim -bt names", 0, 0 },
	{ "helo", 0, OT_STR, F(helo), 0, 0, "NAME",
	    "EHLO name (default: Exim's primary_hostname)", 0, 0 },
	{ "batch", 0, OT_LONG, F(batch), 1, 10000, "K",
	    "verify: recipients per SMTP session (default 20)", 0, 0 },
	{ "max-verify-age", 0, OT_DURATION, F(max_verify_age), 1, CENTURY,
	    "DUR", "older verify results count as unknown (default 1h)", 0,
	    0 },
	{ "bounce-rejected", 0, OT_FLAG, F(bounce_rejected), 0, 0, NULL,
	    "drain: bounce what the primary rejects (default: delete)", 0,
	    0 },
	/* terminal interface */
	{ "delay", 'd', OT_DOUBLE, F(delay), 0.2, DAY, "SECS",
	    "seconds between rescans", 0, 0 },
	{ "once", 0, OT_FLAG, F(once), 0, 0, NULL,
	    "print one screen as text and exit", 0, 0 },
	{ "no-color", 0, OT_FLAG, F(no_color), 0, 0, NULL,
	    "no colours (also NO_COLOR)", 0, 0 },
	/* the rest */
	{ "help", 'h', OT_FN, 0, 0, 0, NULL, "this text", 0, 0 },
	{ "version", 'V', OT_FN, 0, 0, 0, NULL, "the version", 0, 0 },
};

#define NOPTS	(sizeof(opts) / sizeof(opts[0]))
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

int
cli_check_format(const struct cli_cmd *cmd, int kind)
{
	static const char *const names[] = { "text", "csv", "json", "ids" };
	char	 list[64] = "";
	int	 k;

	if (cmd->formats & (1u << kind))
		return 0;
	for (k = 0; k < 4; k++)
		if (cmd->formats & (1u << k))
			snprintf(list + strlen(list), sizeof(list) -
			    strlen(list), "%s%s", list[0] ? ", " : "",
			    names[k]);
	fprintf(stderr, "mxtop: %s has no --format %s (it prints %s)\n",
	    cmd->name, names[kind], list);
	return -1;
}

int
cli_usage_rc(int argc, char **argv)
{
	int	 i;

	/* The command word, wherever getopt would have moved it. */
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-' && cli_find(argv[i]) != NULL)
			return cli_find(argv[i])->fail;
	return 2;
}

const struct cli_cmd *
cli_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

void
cli_usage(FILE *f)
{
	char	 lhs[64];
	size_t	 i, s = 0;

	fputs("usage: mxtop [options] [selection] [command [args]]\n"
	    "commands:\n", f);
	for (i = 0; i < NCMDS; i++) {
		snprintf(lhs, sizeof(lhs), "%s %s", cmds[i].name, cmds[i].args);
		if (strlen(lhs) > 24)
			fprintf(f, "  %s\n  %-24s %s\n", lhs, "", cmds[i].help);
		else
			fprintf(f, "  %-24s %s\n", lhs, cmds[i].help);
	}
	for (i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];

		if (s < sizeof(sects) / sizeof(sects[0]) &&
		    strcmp(o->name, sects[s].first) == 0) {
			if (sects[s].title[0] != '\0')
				fprintf(f, "%s:\n", sects[s].title);
			s++;
		}
		if (o->letter != 0)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s%s%s",
			    o->letter, o->name, o->arg ? " " : "",
			    o->optional ? "[" : "", o->arg ? o->arg : "",
			    o->optional ? "]" : "");
		else
			snprintf(lhs, sizeof(lhs), "--%s%s%s%s%s", o->name,
			    o->optional ? "[=" : (o->arg ? " " : ""),
			    o->arg ? o->arg : "", o->optional ? "]" : "", "");
		if (strlen(lhs) > 24)
			fprintf(f, "  %s\n  %-24s %s\n", lhs, "", o->help);
		else
			fprintf(f, "  %-24s %s\n", lhs, o->help);
	}
	fputs("see mxtop(1)\n", f);
}

/* One error line naming the option and what it takes. */
static int
bad(const struct opt *o, const char *v, const char *want)
{
	fprintf(stderr, "mxtop: --%s %s: %s\n", o->name, v, want);
	return -1;
}

static int
set(struct ctx *c, const struct opt *o, const char *v)
{
	char	 err[256], want[96];
	char	*p = (char *)c + o->off;
	long	 l;
	double	 d;
	int64_t	 secs;
	time_t	 t;

	switch (o->type) {
	case OT_FLAG:
		*(int *)p = 1;
		return 0;
	case OT_STR:
		*(const char **)p = v;
		return 0;
	case OT_LONG:
	case OT_INT:
		if (units_parse_long(v, (long)o->lo, (long)o->hi, &l) < 0) {
			snprintf(want, sizeof(want), "takes a whole number "
			    "from %.0f to %.0f", o->lo, o->hi);
			return bad(o, v, want);
		}
		if (o->type == OT_INT)
			*(int *)p = (int)l;
		else
			*(long *)p = l;
		return 0;
	case OT_DOUBLE:
		if (units_parse_double(v, o->lo, o->hi, &d) < 0) {
			snprintf(want, sizeof(want), "takes a number from %g "
			    "to %g", o->lo, o->hi);
			return bad(o, v, want);
		}
		*(double *)p = d;
		return 0;
	case OT_DURATION:
		if (units_parse_duration(v, &secs) < 0 || secs < o->lo ||
		    secs > o->hi)
			return bad(o, v, "takes a duration such as 90s, 15m, "
			    "2h or 3d, up to 100 years");
		*(int64_t *)p = secs;
		return 0;
	case OT_RATE:
		if (units_parse_rate(v, &d) < 0 || d <= 0)
			return bad(o, v, "takes a rate such as 5/s, 30/m or "
			    "100/h");
		*(double *)p = d;
		return 0;
	case OT_TIME:
		if (units_parse_time(v, &t) < 0)
			return bad(o, v, "takes an epoch or a time such as "
			    "2025-01-01T00:00:00Z, from 1970 to 9999");
		*(time_t *)p = t;
		c->now_set = 1;
		return 0;
	case OT_SEL:
		if (select_add(c->sel, o->sel, v, err, sizeof(err)) < 0) {
			fprintf(stderr, "mxtop: --%s: %s\n", o->name, err);
			return -1;
		}
		return 0;
	case OT_LIST: {
		struct ctx_list *list = (struct ctx_list *)(void *)p;

		if (list->n >= CTX_LIST_MAX)
			return bad(o, v, "is given too often (at most 16)");
		list->v[list->n++] = v;
		return 0;
	}
	case OT_FN:
		break;
	}
	if (strcmp(o->name, "format") == 0) {
		if (fmt_parse(v, &c->fmt.kind) < 0)
			return bad(o, v, "takes text, csv, json or ids");
	} else if (strcmp(o->name, "sort") == 0) {
		if (stats_order_parse(v, &c->order) < 0)
			return bad(o, v, "takes msgs, age, name, rcpts or bytes");
	} else if (strcmp(o->name, "since") == 0) {
		if (units_parse_duration(v, &secs) == 0)
			c->since = c->now - (time_t)secs;
		else if (units_parse_time(v, &t) == 0)
			c->since = t;
		else
			return bad(o, v, "takes a duration such as 24h (up to "
			    "100 years) or a time");
		c->since_set = 1;
	} else if (strcmp(o->name, "customers-only") == 0 ||
	    strcmp(o->name, "not-customers") == 0) {
		if (select_add(c->sel, "customer", o->name[0] == 'c' ? "yes" :
		    "no", err, sizeof(err)) < 0)
			return bad(o, "", err);
	} else if (strcmp(o->name, "help") == 0) {
		cli_usage(stdout);
		return 1;
	} else if (strcmp(o->name, "version") == 0) {
		puts("mxtop " MXTOP_VERSION);
		return 1;
	}
	if (strcmp(o->name, "width") == 0)
		c->width_set = 1;
	return 0;
}

int
cli_parse(struct ctx *c, int argc, char **argv)
{
	struct option	 lo[NOPTS + 1];
	char		 so[3 * NOPTS + 2], *q = so;
	const char	*since = NULL;
	size_t		 i;
	int		 ch, idx, rc;

	*q++ = ':';	/* report a missing argument as ':' */
	for (i = 0; i < NOPTS; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].arg == NULL ? no_argument :
		    opts[i].optional ? optional_argument : required_argument;
		lo[i].flag = NULL;
		lo[i].val = 256 + (int)i;
		if (opts[i].letter != 0) {
			*q++ = (char)opts[i].letter;
			if (opts[i].arg != NULL)
				*q++ = ':';
		}
	}
	memset(&lo[NOPTS], 0, sizeof(lo[NOPTS]));
	*q = '\0';
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, so, lo, &idx)) != -1) {
		const struct opt *o = NULL;

		if (ch >= 256)
			o = &opts[ch - 256];
		else if (ch != '?' && ch != ':')
			for (i = 0; i < NOPTS; i++)
				if (opts[i].letter == ch)
					o = &opts[i];
		if (o == NULL) {
			const char *w = argv[optind - 1];

			if (ch == ':')
				fprintf(stderr, "mxtop: %s needs a value "
				    "(mxtop --help lists them)\n", w);
			else if (optopt != 0 && optopt < 256 &&
			    strncmp(w, "--", 2) != 0)
				fprintf(stderr, "mxtop: unknown option -%c "
				    "(mxtop --help lists them)\n", optopt);
			else
				fprintf(stderr, "mxtop: unknown option %s "
				    "(mxtop --help lists them)\n", w);
			return -1;
		}
		/* --since DUR counts back from --now, wherever that is. */
		if (strcmp(o->name, "since") == 0) {
			since = optarg;
			continue;
		}
		rc = set(c, o, optarg);
		if (rc != 0)
			return rc < 0 ? -1 : -2;
	}
	if (since != NULL) {
		for (i = 0; i < NOPTS; i++)
			if (strcmp(opts[i].name, "since") == 0)
				break;
		if (set(c, &opts[i], since) < 0)
			return -1;
	}
	return optind;
}
