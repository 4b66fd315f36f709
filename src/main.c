/* main.c -- options, default spool discovery, command dispatch. */
#include "cmd.h"
#include "select.h"
#include "spool.h"
#include "util.h"

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
"selection (combined with AND; a key given twice is ORed):\n"
"  --domain PAT  --sender PAT  --rcpt PAT   (glob, or ~regex)\n"
"  --older-than DUR  --younger-than DUR     (90s, 15m, 2h, 3d)\n"
"  --frozen[=no]  --bad[=no]  --id ID\n"
"see mxtop(1)\n", f);
}

enum { O_EXIM = 256, O_EXIMCFG, O_NOW, O_FORMAT, O_WIDTH, O_SORT, O_DOMAIN,
	O_SENDER, O_RCPT, O_OLDER, O_YOUNGER, O_FROZEN, O_ID, O_BAD,
	O_THREADS };

static const struct option longopts[] = {
	{ "spool", required_argument, NULL, 's' },
	{ "log", required_argument, NULL, 'l' },
	{ "exim", required_argument, NULL, O_EXIM },
	{ "exim-config", required_argument, NULL, O_EXIMCFG },
	{ "now", required_argument, NULL, O_NOW },
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
	{ "threads", required_argument, NULL, O_THREADS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

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
	const char *spool = NULL, *cmd;
	char spoolbuf[4096];
	int ch, rc;
	long n;
	char *end;

	memset(&c, 0, sizeof(c));
	c.sel = select_new();
	c.fmt.kind = FMT_TEXT;
	c.fmt.width = 80;
	c.now = time(NULL);
	c.order = STATS_BY_MSGS;
	while ((ch = getopt_long(argc, argv, "s:l:rhV", longopts, NULL)) != -1) {
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
		case O_EXIM:
			c.mta.exim = optarg;
			break;
		case O_EXIMCFG:
			c.mta.config = optarg;
			break;
		case O_NOW:
			if (util_parse_time(optarg, &c.now) < 0) {
				fprintf(stderr, "mxtop: bad time for --now: %s "
				    "(an epoch or 2025-01-01T00:00:00Z)\n",
				    optarg);
				return 2;
			}
			break;
		case O_FORMAT:
			if (fmt_parse(optarg, &c.fmt.kind) < 0) {
				fprintf(stderr, "mxtop: unknown format: %s "
				    "(text, csv, json, ids)\n", optarg);
				return 2;
			}
			break;
		case O_WIDTH:
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 40 || n > 1000) {
				fprintf(stderr, "mxtop: --width takes 40 to "
				    "1000\n");
				return 2;
			}
			c.fmt.width = (int)n;
			break;
		case O_THREADS:
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > 64) {
				fprintf(stderr, "mxtop: --threads takes 1 to "
				    "64\n");
				return 2;
			}
			c.threads = (int)n;
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
	cmd = argc > 0 ? argv[0] : "summary";
	if (strcmp(cmd, "summary") != 0 && strcmp(cmd, "list") != 0 &&
	    strcmp(cmd, "show") != 0) {
		fprintf(stderr, "mxtop: unknown command: %s\n", cmd);
		usage(stderr);
		return 2;
	}
	c.fmt.now = c.now;
	if ((c.spool = find_spool(spool, &c.mta, spoolbuf,
	    sizeof(spoolbuf))) == NULL) {
		fprintf(stderr, "mxtop: no Exim spool found; give one with "
		    "-s DIR or MXTOP_SPOOL\n");
		return 2;
	}
	c.fmt.spool = c.spool;
	if (argc == 0) {
		static char summary[] = "summary";
		static char *def[] = { summary, NULL };

		argc = 1;
		argv = def;
	}
	if (strcmp(cmd, "summary") == 0)
		rc = cmd_summary(&c, argc, argv);
	else if (strcmp(cmd, "list") == 0)
		rc = cmd_list(&c, argc, argv);
	else
		rc = cmd_show(&c, argc, argv);
	select_free(c.sel);
	return rc;
}
