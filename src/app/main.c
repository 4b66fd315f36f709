/* main.c -- options, default spool discovery, command dispatch. */
#include "app/cmd.h"
#include "model/select.h"
#include "exim/spool.h"
#include "base/units.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MXTOP_VERSION	"0.1"

static void
usage(FILE *f)
{
	fputs(
"usage: mxtop [-s spool] [-l log] [--exim path] [--exim-config file]\n"
"             [--now time] [--format text|csv|json|ids] [--width n]\n"
"             [--sort msgs|age|name|rcpts|bytes] [-r] [selection]\n"
"             [command [args]]\n"
"commands:\n"
"  summary                 per-domain queue table with qshape age buckets\n"
"  list                    one row per message\n"
"  show ID...              one message in full\n"
"  diagnose [DOMAIN]       why mail is stuck: class, evidence, advice\n"
"  flush|bounce|delete|freeze|thaw [selection] [--dry-run] [--yes]\n"
"        [--rate N/s] [--parallel N] [--max N] [--adaptive] [--ids-from F]\n"
"  export -o FILE [--as tar.gz|tar.xz|zip|mbox] [--headers-only]\n"
"        [--manifest-only] [--force]\n"
"  check [--max-age DUR] [--max-depth N]   monitoring: one line, exit 0/1/2\n"
"  (no command)            the terminal interface; --once prints one screen\n"
"selection (combined with AND; a key given twice is ORed):\n"
"  --domain PAT  --sender PAT  --rcpt PAT   (glob, or ~regex)\n"
"  --older-than DUR  --younger-than DUR     (90s, 15m, 2h, 3d)\n"
"  --frozen[=no]  --bad[=no]  --id ID  --class CLASS\n"
"see mxtop(1)\n", f);
}

enum { O_EXIM = 256, O_EXIMCFG, O_NOW, O_FORMAT, O_WIDTH, O_SORT, O_DOMAIN,
	O_SENDER, O_RCPT, O_OLDER, O_YOUNGER, O_FROZEN, O_ID, O_BAD,
	O_THREADS, O_SINCE, O_CLASS, O_YES, O_DRYRUN, O_RATE, O_PARALLEL,
	O_MAX, O_ADAPTIVE, O_AUDIT, O_IDSFROM, O_ONCE, O_NOCOLOR, O_AS,
	O_FORCE, O_HDRONLY, O_MANONLY, O_CUTOFF, O_TTHRESH, O_TMIN, O_MAXAGE,
	O_MAXDEPTH };

static const struct option longopts[] = {
	{ "spool", required_argument, NULL, 's' },
	{ "log", required_argument, NULL, 'l' },
	{ "exim", required_argument, NULL, O_EXIM },
	{ "exim-config", required_argument, NULL, O_EXIMCFG },
	{ "now", required_argument, NULL, O_NOW },
	{ "since", required_argument, NULL, O_SINCE },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "width", required_argument, NULL, O_WIDTH },
	{ "sort", required_argument, NULL, O_SORT },
	{ "reverse", no_argument, NULL, 'r' },
	{ "domain", required_argument, NULL, O_DOMAIN },
	{ "sender", required_argument, NULL, O_SENDER },
	{ "rcpt", required_argument, NULL, O_RCPT },
	{ "older-than", required_argument, NULL, O_OLDER },
	{ "younger-than", required_argument, NULL, O_YOUNGER },
	{ "frozen", optional_argument, NULL, O_FROZEN },
	{ "bad", optional_argument, NULL, O_BAD },
	{ "id", required_argument, NULL, O_ID },
	{ "class", required_argument, NULL, O_CLASS },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "yes", no_argument, NULL, O_YES },
	{ "dry-run", no_argument, NULL, O_DRYRUN },
	{ "rate", required_argument, NULL, O_RATE },
	{ "parallel", required_argument, NULL, O_PARALLEL },
	{ "max", required_argument, NULL, O_MAX },
	{ "adaptive", no_argument, NULL, O_ADAPTIVE },
	{ "audit", required_argument, NULL, O_AUDIT },
	{ "ids-from", required_argument, NULL, O_IDSFROM },
	{ "once", no_argument, NULL, O_ONCE },
	{ "no-color", no_argument, NULL, O_NOCOLOR },
	{ "output", required_argument, NULL, 'o' },
	{ "as", required_argument, NULL, O_AS },
	{ "force", no_argument, NULL, O_FORCE },
	{ "headers-only", no_argument, NULL, O_HDRONLY },
	{ "manifest-only", no_argument, NULL, O_MANONLY },
	{ "retry-cutoff", required_argument, NULL, O_CUTOFF },
	{ "max-age", required_argument, NULL, O_MAXAGE },
	{ "max-depth", required_argument, NULL, O_MAXDEPTH },
	{ "tarpit-threshold", required_argument, NULL, O_TTHRESH },
	{ "tarpit-min", required_argument, NULL, O_TMIN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct {
	const char	*name;
	int		(*fn)(struct ctx *, int, char **);
} commands[] = {
	{ "summary", cmd_summary }, { "list", cmd_list }, { "show", cmd_show },
	{ "diagnose", cmd_diagnose }, { "check", cmd_check },
	{ "flush", cmd_action }, { "bounce", cmd_action },
	{ "delete", cmd_action }, { "freeze", cmd_action },
	{ "thaw", cmd_action }, { "export", cmd_export }, { "tui", cmd_tui },
};

/* A number in [lo, hi], or exit 2 naming the option. */
static long
num_arg(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < lo || n > hi) {
		fprintf(stderr, "mxtop: %s takes a number from %ld to %ld\n",
		    opt, lo, hi);
		exit(2);
	}
	return n;
}

/* "5/s", "300/m", "2" (per second), "0.5/s". */
static int
parse_rate(const char *s, double *rate)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v <= 0)
		return -1;
	if (*end == '\0' || strcmp(end, "/s") == 0)
		*rate = v;
	else if (strcmp(end, "/m") == 0)
		*rate = v / 60.0;
	else if (strcmp(end, "/h") == 0)
		*rate = v / 3600.0;
	else
		return -1;
	return 0;
}

/* Freed at exit, whichever of main's many error returns is taken. */
static struct select *the_sel;

static void
free_sel(void)
{
	select_free(the_sel);
	the_sel = NULL;
}

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* -s, then MXTOP_SPOOL, then Exim's own answer, then the usual places. */
static const char *
find_spool(const char *opt, const struct mta *m, char *buf, size_t len)
{
	const char *env = getenv("MXTOP_SPOOL");

	if (opt != NULL)
		return opt;
	if (env != NULL && *env != '\0')
		return env;
	if (mta_spool_dir(m, buf, len) == 0)
		return buf;
	if (is_dir("/var/spool/exim4/input"))
		return "/var/spool/exim4";
	if (is_dir("/var/spool/exim/input"))
		return "/var/spool/exim";
	return NULL;
}

static void
add_sel(struct ctx *c, const char *key, const char *val)
{
	char err[256];

	if (select_add(c->sel, key, val, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxtop: %s\n", err);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	struct ctx c;
	const char *spool = NULL, *cmd, *since = NULL;
	char spoolbuf[4096];
	int ch, rc;
	size_t i;
	char *end;

	/* Without TZ glibc stats /etc/localtime at every mktime(): once per
	 * msglog line.  Naming the file makes it read once. */
	if (getenv("TZ") == NULL)
		setenv("TZ", ":/etc/localtime", 0);
	memset(&c, 0, sizeof(c));
	c.sel = the_sel = select_new();
	atexit(free_sel);
	c.fmt.kind = FMT_TEXT;
	c.fmt.width = 80;
	c.now = time(NULL);
	c.order = STATS_BY_MSGS;
	c.fmt.cutoff = 4 * 86400;	/* Exim's default retry rule */
	c.threshold = 0.5;
	c.min_samples = 10;
	while ((ch = getopt_long(argc, argv, "s:l:d:o:rhVy", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
			spool = optarg;
			break;
		case 'l':
			c.log = optarg;
			break;
		case 'r':
			c.reverse = 1;
			break;
		case 'd':
			errno = 0;
			c.delay = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || c.delay < 0.2 ||
			    c.delay > 86400) {
				fprintf(stderr, "mxtop: -d takes seconds, from "
				    "0.2\n");
				return 2;
			}
			break;
		case 'o':
			c.output = optarg;
			break;
		case O_EXIM:
			c.mta.exim = optarg;
			break;
		case O_EXIMCFG:
			c.mta.config = optarg;
			break;
		case O_NOW:
			if (units_parse_time(optarg, &c.now) < 0) {
				fprintf(stderr, "mxtop: bad time for --now: %s "
				    "(an epoch or 2025-01-01T00:00:00Z)\n",
				    optarg);
				return 2;
			}
			c.now_set = 1;
			break;
		case O_SINCE:
			since = optarg;
			break;
		case O_FORMAT:
			if (fmt_parse(optarg, &c.fmt.kind) < 0) {
				fprintf(stderr, "mxtop: unknown format: %s "
				    "(text, csv, json, ids)\n", optarg);
				return 2;
			}
			break;
		case O_WIDTH:
			c.fmt.width = (int)num_arg("--width", optarg, 40, 1000);
			c.width_set = 1;
			break;
		case O_THREADS:
			c.threads = (int)num_arg("--threads", optarg, 1, 64);
			break;
		case O_SORT:
			if (stats_order_parse(optarg, &c.order) < 0) {
				fprintf(stderr, "mxtop: unknown sort key: %s "
				    "(msgs, age, name, rcpts, bytes)\n", optarg);
				return 2;
			}
			break;
		case O_DOMAIN: add_sel(&c, "domain", optarg); break;
		case O_SENDER: add_sel(&c, "sender", optarg); break;
		case O_RCPT: add_sel(&c, "rcpt", optarg); break;
		case O_OLDER: add_sel(&c, "older", optarg); break;
		case O_YOUNGER: add_sel(&c, "younger", optarg); break;
		case O_FROZEN: add_sel(&c, "frozen", optarg); break;
		case O_BAD: add_sel(&c, "bad", optarg); break;
		case O_ID: add_sel(&c, "id", optarg); break;
		case O_CLASS: add_sel(&c, "class", optarg); break;
		case 'y':
		case O_YES: c.yes = 1; break;
		case O_DRYRUN: c.dry_run = 1; break;
		case O_RATE:
			if (parse_rate(optarg, &c.rate) < 0) {
				fprintf(stderr, "mxtop: --rate takes N/s or "
				    "N/m, e.g. 5/s\n");
				return 2;
			}
			break;
		case O_PARALLEL:
			c.parallel = (int)num_arg("--parallel", optarg, 1, 64);
			break;
		case O_MAX:
			c.max = num_arg("--max", optarg, 1, 100000000);
			break;
		case O_ADAPTIVE: c.adaptive = 1; break;
		case O_AUDIT: c.audit = optarg; break;
		case O_IDSFROM: c.ids_from = optarg; break;
		case O_ONCE: c.once = 1; break;
		case O_NOCOLOR: c.no_color = 1; break;
		case O_AS: c.as = optarg; break;
		case O_FORCE: c.force = 1; break;
		case O_HDRONLY: c.headers_only = 1; break;
		case O_MANONLY: c.manifest_only = 1; break;
		case O_CUTOFF:
			if (units_parse_duration(optarg, &c.fmt.cutoff) < 0 ||
			    c.fmt.cutoff <= 0) {
				fprintf(stderr, "mxtop: --retry-cutoff takes a "
				    "duration such as 4d\n");
				return 2;
			}
			break;
		case O_TTHRESH:
			errno = 0;
			c.threshold = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || c.threshold <= 0 ||
			    c.threshold > 1) {
				fprintf(stderr, "mxtop: --tarpit-threshold takes "
				    "a share from 0 to 1, e.g. 0.5\n");
				return 2;
			}
			break;
		case O_MAXAGE:
			if (units_parse_duration(optarg, &c.max_age) < 0 ||
			    c.max_age <= 0) {
				fprintf(stderr, "mxtop: --max-age takes a "
				    "duration such as 2d\n");
				return 2;
			}
			break;
		case O_MAXDEPTH:
			c.max_depth = num_arg("--max-depth", optarg, 1,
			    100000000);
			break;
		case O_TMIN:
			c.min_samples = (unsigned)num_arg("--tarpit-min", optarg,
			    1, 1000000);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			puts("mxtop " MXTOP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0')
		c.no_color = 1;
	if (since != NULL) {
		int64_t d;

		if (units_parse_duration(since, &d) == 0)
			c.since = c.now - (time_t)d;
		else if (units_parse_time(since, &c.since) < 0) {
			fprintf(stderr, "mxtop: bad --since: %s (a duration "
			    "such as 24h, or a time)\n", since);
			return 2;
		}
	} else
		c.since = c.now - 24 * 3600;
	/* No command: the TUI on a terminal, else the summary. */
	if (argc > 0)
		cmd = argv[0];
	else
		cmd = isatty(STDOUT_FILENO) || c.once ? "tui" : "summary";
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "mxtop: unknown command: %s\n", cmd);
		usage(stderr);
		return 2;
	}
	c.fmt.now = c.now;
	c.spool_given = spool != NULL || (getenv("MXTOP_SPOOL") != NULL &&
	    *getenv("MXTOP_SPOOL") != '\0');
	if ((c.spool = find_spool(spool, &c.mta, spoolbuf,
	    sizeof(spoolbuf))) == NULL) {
		fprintf(stderr, "mxtop: no Exim spool found; give one with "
		    "-s DIR or MXTOP_SPOOL\n");
		return 2;
	}
	c.fmt.spool = c.spool;
	if (argc == 0) {
		static char name[8];
		static char *def[] = { name, NULL };

		snprintf(name, sizeof(name), "%s", cmd);
		argc = 1;
		argv = def;
	}
	rc = commands[i].fn(&c, argc, argv);
	return rc;
}
