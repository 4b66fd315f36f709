/* cmd.h -- the subcommands, called by main() with the parsed options. */
#ifndef MXTOP_CMD_H
#define MXTOP_CMD_H
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
 * Returns 0, or -1 after a message on stderr. */
struct mxcheck_relay;
int	cmd_mxcheck_relay(struct ctx *, struct mxcheck_relay *r);

#endif
