/* cmd.h -- the subcommands, called by main() with the parsed options. */
#ifndef MXTOP_CMD_H
#define MXTOP_CMD_H
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "app/ctx.h"

/* Each returns the process exit status (0 ok, 1 partial, 2 error) and
 * reports errors on stderr as "mxtop: ...". */
int	cmd_summary(struct ctx *, int argc, char **argv);
int	cmd_list(struct ctx *, int argc, char **argv);
int	cmd_show(struct ctx *, int argc, char **argv);
int	cmd_diagnose(struct ctx *, int argc, char **argv);
/* Monitoring plugin: one line, exit 0 OK, 1 WARNING, 2 CRITICAL, 3
 * UNKNOWN. */
int	cmd_check(struct ctx *, int argc, char **argv);
/* flush, bounce, delete, freeze, thaw: argv[0] names the action. */
int	cmd_action(struct ctx *, int argc, char **argv);
/* Carries out a confirmed plan as action act (its name) at pace: the
 * Exim commands through the job runner, a progress line on a terminal,
 * one result line per message on stdout and in the audit log (with sel,
 * the selection as options), SIGINT and SIGTERM letting the running
 * commands finish, then the summary on info.  Returns 0 when every
 * message reached the asked state, 1 when not, 2 when the audit log
 * cannot be written. */
struct plan;
struct mta_pace;
int	cmd_act_run(const struct ctx *, const char *act,
	    const struct plan *plan, const struct mta_pace *pace,
	    const char *sel, FILE *info);
/* Writes the selected messages to an archive (-o, --as). */
int	cmd_export(struct ctx *, int argc, char **argv);
/* The curses TUI, or with c->once one screen as text. */
int	cmd_tui(struct ctx *, int argc, char **argv);
/* mx-check: the DNS mistakes of backup-MX customers; exit 0 (none), 1
 * (findings), 2 (a lookup or usage error). */
int	cmd_mxcheck(struct ctx *, int argc, char **argv);
/* probe: ask each domain's primary now (exit 0 all ok, 1 not all ok,
 * 2 usage); verify: RCPT-check the selection's recipients (0 all
 * answered, 1 stopped early or some unknown); drain: probe, verify,
 * remove what the primary rejected, paced flush (as the actions). */
int	cmd_probe(struct ctx *, int argc, char **argv);
int	cmd_verify(struct ctx *, int argc, char **argv);
int	cmd_drain(struct ctx *, int argc, char **argv);
/* For a selection with verified terms: the verify state file of c's
 * spool, bound to c->sel (caller frees the set after the command), or
 * NULL after a message on stderr. */
struct verify_set;
struct verify_set *cmd_verified_load(struct ctx *);
/* The relay's identity for mx-check findings (also for diagnose): the
 * --relay-name/--relay-addr given, else Exim's primary_hostname and
 * local_interfaces (else this machine's addresses).  r must be zeroed.
 * Sends no DNS query.  Returns 0, or -1 with the reason in err. */
struct mxcheck_relay;
int	cmd_mxcheck_relay(struct ctx *, struct mxcheck_relay *r, char *err,
	    size_t errlen);

/* DNS evidence for the diagnosis (cmd_mxdiag.c): mx-check's lookups of
 * one domain at a time, for diagnose --dns and the TUI's diagnose screen.
 *
 * cmd_mxdiag_new() sets them up from c once: the resolver options
 * (--dns-server, --timeout, --parallel; copied) and the relay's identity
 * (cmd_mxcheck_relay(), then the A/AAAA of its names, looked up).  It
 * may run exim -bP and sends DNS queries: slow, so the TUI calls it in
 * a worker thread, never at start-up and never unasked.  NULL with the
 * reason in err (a bad --dns-server, no relay name).
 *
 * cmd_mxdiag_check() looks domain up and fills res (mxcheck_init()ed;
 * earlier contents freed) as mx-check does; a failed lookup is a result
 * with res->error set.  Each call has its own resolver state and only
 * reads the set: any number of threads may call it at once.  It blocks
 * for up to --timeout seconds times 2 tries per query.  Returns what
 * mxcheck_run() returns (findings, or -1 when the domain could not be
 * checked).  Render res with fmt_diagnose_lines_mx() (out/fmt.h). */
struct cmd_mxdiag;
struct mxcheck_result;
struct cmd_mxdiag *cmd_mxdiag_new(struct ctx *, char *err, size_t errlen);
int	cmd_mxdiag_check(const struct cmd_mxdiag *, const char *domain,
	    struct mxcheck_result *res);
void	cmd_mxdiag_free(struct cmd_mxdiag *);	/* NULL is a no-op */
/* Whether the diagnosis of a domain of class cls (enum class_id) gets
 * the DNS evidence: dns and loop, the classes a DNS mistake causes. */
int	cmd_mxdiag_wants(int cls);
/* diagnose --dns, before anything is read: 0, or -1 after a message on
 * stderr (a bad --dns-server, --relay-name or --relay-addr; any of them
 * without --dns; --zone). */
int	cmd_mxdiag_args(struct ctx *);
/* diagnose's output of st with the DNS evidence: the wanted domains
 * (with every set: all of st's, as for one domain named) looked up in
 * parallel (none: no query sent), a failed lookup also said on stderr,
 * then fmt_diagnose_mx().  Returns 0, or -1 after a message on stderr
 * (the lookups could not be set up; nothing printed on stdout). */
struct stats;
int	cmd_mxdiag_print(struct ctx *, const struct stats *st, int every);

#endif
