/* fakesmtp.c -- a fake primary MX for the real-Exim test sandbox.
 *
 * Listens on one loopback address, forks per connection and plays one of a
 * few misbehaving (or well-behaved) SMTP servers.  It exits by itself after
 * its lifetime so a crashed test never leaves it running; on SIGTERM it
 * takes its connection children with it (they share its process group).
 *
 *	fakesmtp -a 127.0.1.N -p PORT -m MODE [-d DIR] [-t SECS] [-P pidfile]
 *	         [-c CODE] [-f SECS] [-u FILE] [-T N] [-L N] [-w MS] [-x FILE]
 *
 * Modes: accept, stall, stall-rcpt, ratelimit, softreject, blocked,
 * hardreject, flap, users, tls (see usage()).  -c overrides the reply
 * code of ratelimit, softreject, blocked, hardreject and users (e.g. -c
 * 451 for a "soft" block, -c 450 for users that answers 450 to unknown
 * users).  flap accepts for -f seconds (3), then answers connections with
 * 421 for as long, and so on, counted from its start.  users takes the
 * known users from -u FILE (one address, or a local part for any domain,
 * a line): 250 for them, 550 5.1.1 for everybody else.  tls advertises
 * STARTTLS and answers MAIL with 530 5.7.0.
 *
 * In any mode: -T N stops answering (tarpits) every RCPT after the first
 * N, -L N answers 421 and closes at every RCPT after the first N (both
 * counted over all connections), -w MS delays every reply by MS
 * milliseconds, and -x FILE appends what it was asked, one line per
 * command ("<pid> <command>", "<pid> connect <peer>"; DATA's text is not
 * written), so a test can prove what a client sent.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <sys/mman.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum mode {
	M_ACCEPT, M_STALL, M_STALL_RCPT, M_RATELIMIT, M_SOFTREJECT,
	M_BLOCKED, M_HARDREJECT, M_FLAP, M_USERS, M_TLS
};

static const struct {
	const char	*name;
	enum mode	 mode;
	int		 code;		/* default reply code of the mode */
} modes[] = {
	{ "accept", M_ACCEPT, 250 },
	{ "stall", M_STALL, 0 },
	{ "stall-rcpt", M_STALL_RCPT, 0 },
	{ "ratelimit", M_RATELIMIT, 421 },
	{ "softreject", M_SOFTREJECT, 450 },
	{ "blocked", M_BLOCKED, 550 },
	{ "hardreject", M_HARDREJECT, 550 },
	{ "flap", M_FLAP, 0 },
	{ "users", M_USERS, 550 },
	{ "tls", M_TLS, 530 },
};

struct conf {
	enum mode	 mode;
	int		 code;
	const char	*dir;
	const char	*addr;
	time_t		 deadline;
	time_t		 start;		/* flap: phases start here */
	long		 period;	/* flap: seconds a phase */
	char		**users;	/* users: the known ones */
	size_t		 nusers;
	long		 tarpit_after;	/* -T: RCPTs answered before tarpitting */
	long		 limit_after;	/* -L: RCPTs answered before 421 */
	long		 delay_ms;	/* -w: every reply this much later */
	const char	*transcript;	/* -x FILE */
	long		*nrcpt;		/* RCPTs so far, shared by all
					 * connections (mmap) */
};

#define LINE_MAX_LEN	4096
#define MAX_CHILDREN	64

static volatile sig_atomic_t stop;

static void
onsig(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: fakesmtp -a 127.x.y.z -p port -m mode [-d dir] "
	    "[-t secs] [-P pidfile] [-c code] [-f secs] [-u file] [-T n] "
	    "[-L n] [-w ms] [-x file]\n"
	    "modes: accept stall stall-rcpt ratelimit softreject "
	    "blocked hardreject flap users tls\n");
	exit(2);
}

/* Buffered line reader on a socket. */
struct rd {
	int	fd;
	char	buf[8192];
	size_t	len, off;
};

/* Reads one line (without CR LF) into line; over-long lines are cut.
 * Returns the length, or -1 on EOF or error. */
static ssize_t
rd_line(struct rd *r, char *line, size_t cap)
{
	size_t n = 0;

	for (;;) {
		if (r->off == r->len) {
			ssize_t got = read(r->fd, r->buf, sizeof r->buf);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return -1;
			r->len = (size_t)got;
			r->off = 0;
		}
		char c = r->buf[r->off++];
		if (c == '\n')
			break;
		if (n + 1 < cap)
			line[n++] = c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return (ssize_t)n;
}

static long reply_delay_ms;	/* -w, for say() */

static void
say(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;
	size_t off = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 3)
		n = (int)(sizeof buf - 3);
	if (reply_delay_ms > 0 && buf[3] != '-') {
		struct timespec ts = { reply_delay_ms / 1000,
		    reply_delay_ms % 1000 * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	buf[n++] = '\r';
	buf[n++] = '\n';
	while (off < (size_t)n) {
		ssize_t w = write(fd, buf + off, (size_t)n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(0);
		off += (size_t)w;
	}
}

/* Discards input until the peer goes away (or the alarm fires). */
static void
tarpit(int fd)
{
	char buf[1024];

	while (read(fd, buf, sizeof buf) > 0 || errno == EINTR)
		;
	exit(0);
}

static int
cmd_is(const char *line, const char *cmd)
{
	size_t n = strlen(cmd);

	return strncasecmp(line, cmd, n) == 0 &&
	    (line[n] == '\0' || line[n] == ' ' || line[n] == ':');
}

/* Copies the address in <...> after "RCPT TO:" etc. into out. */
static void
get_addr(const char *line, char *out, size_t cap)
{
	const char *lt = strchr(line, '<'), *gt;
	size_t n;

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL) {
		const char *c = strchr(line, ':');
		snprintf(out, cap, "%s", c ? c + 1 : "");
		return;
	}
	n = (size_t)(gt - lt - 1);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, lt + 1, n);
	out[n] = '\0';
}

static int
junk_local(const char *addr)
{
	return strncasecmp(addr, "unknown", 7) == 0 ||
	    strncasecmp(addr, "junk", 4) == 0;
}

/* Appends "<pid> <text>" to the transcript (one write: O_APPEND keeps
 * the lines of concurrent connections whole). */
static void
note(const struct conf *c, const char *what, const char *line)
{
	char buf[LINE_MAX_LEN + 64];
	int fd, n;

	if (c->transcript == NULL)
		return;
	n = snprintf(buf, sizeof buf, "%ld %s%s\n", (long)getpid(), what,
	    line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf)
		n = (int)(sizeof buf - 1);
	if ((fd = open(c->transcript, O_WRONLY | O_APPEND | O_CREAT, 0644)) < 0)
		return;
	(void)!write(fd, buf, (size_t)n);
	close(fd);
}

/* Whether addr is a known user: a line equal to it, or to its local
 * part (ignoring case). */
static int
known_user(const struct conf *c, const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t i, lp = at != NULL ? (size_t)(at - addr) : strlen(addr);

	for (i = 0; i < c->nusers; i++)
		if (strcasecmp(c->users[i], addr) == 0 ||
		    (strchr(c->users[i], '@') == NULL &&
		    strlen(c->users[i]) == lp &&
		    strncasecmp(c->users[i], addr, lp) == 0))
			return 1;
	return 0;
}

static void
load_users(struct conf *c, const char *file)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	size_t cap = 0;

	if (f == NULL) {
		perror(file);
		exit(2);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (c->nusers == cap) {
			cap = cap ? cap * 2 : 64;
			c->users = realloc(c->users, cap * sizeof(*c->users));
			if (c->users == NULL)
				exit(2);
		}
		c->users[c->nusers++] = strdup(line);
	}
	fclose(f);
}

static FILE *
open_msg(const char *dir)
{
	char path[4096];
	int fd;

	for (unsigned n = 1; n < 1000000; n++) {
		snprintf(path, sizeof path, "%s/%u.eml", dir, n);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0)
			return fdopen(fd, "w");
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

static void
session(int fd, const struct conf *cf, const char *peer)
{
	struct conf flap = *cf;
	const struct conf *c = cf;
	struct rd r = { .fd = fd };
	char line[LINE_MAX_LEN], addr[LINE_MAX_LEN];
	int mail = 0, rcpts = 0;
	const char *me = "mx.primary.example";

	if (c->mode == M_FLAP) {	/* this connection's phase */
		flap.mode = (time(NULL) - c->start) / c->period % 2 ?
		    M_RATELIMIT : M_ACCEPT;
		flap.code = flap.mode == M_RATELIMIT ? 421 : 250;
		c = &flap;
	}
	note(c, "connect ", peer);
	if (c->mode == M_STALL)
		tarpit(fd);
	if (c->mode == M_RATELIMIT) {
		say(fd, "%d 4.7.0 Too many connections from your host, "
		    "try again later", c->code);
		shutdown(fd, SHUT_WR);
		tarpit(fd);
	}
	say(fd, "220 %s ESMTP fakesmtp", me);
	while (rd_line(&r, line, sizeof line) >= 0) {
		note(c, "", line);
		if (cmd_is(line, "EHLO")) {
			say(fd, "250-%s", me);
			if (c->mode == M_TLS)
				say(fd, "250-STARTTLS");
			say(fd, "250-PIPELINING");
			say(fd, "250-SIZE 52428800");
			say(fd, "250 8BITMIME");
			mail = rcpts = 0;
		} else if (cmd_is(line, "HELO")) {
			say(fd, "250 %s", me);
			mail = rcpts = 0;
		} else if (cmd_is(line, "STARTTLS")) {
			say(fd, "454 4.7.0 TLS not available due to local "
			    "problem");
		} else if (cmd_is(line, "MAIL")) {
			if (c->mode == M_TLS) {
				say(fd, "%d 5.7.0 Must issue a STARTTLS command "
				    "first", c->code);
				continue;
			}
			say(fd, "250 2.1.0 Ok");
			mail = 1;
			rcpts = 0;
		} else if (cmd_is(line, "RCPT")) {
			if (!mail) {
				say(fd, "503 5.5.1 Error: need MAIL command");
				continue;
			}
			get_addr(line, addr, sizeof addr);
			if (c->mode == M_STALL_RCPT)
				tarpit(fd);
			{
				long k = __atomic_add_fetch(c->nrcpt, 1,
				    __ATOMIC_SEQ_CST);

				if (c->tarpit_after > 0 && k > c->tarpit_after)
					tarpit(fd);
				if (c->limit_after > 0 && k > c->limit_after) {
					say(fd, "421 4.7.0 Too many recipients "
					    "from your host, try again later");
					exit(0);
				}
			}
			if (c->mode == M_BLOCKED) {
				say(fd, "%d %d.7.1 Service unavailable; client "
				    "[%s] blocked using zen.spamhaus.example "
				    "(listed on RBL)", c->code, c->code / 100,
				    peer);
			} else if (c->mode == M_SOFTREJECT &&
			    junk_local(addr)) {
				say(fd, "%d 4.1.1 <%s>: Recipient address "
				    "rejected: unverified address: mailbox "
				    "unavailable", c->code, addr);
			} else if (c->mode == M_HARDREJECT &&
			    junk_local(addr)) {
				say(fd, "%d 5.1.1 <%s>: Recipient address "
				    "rejected: User unknown in virtual mailbox "
				    "table", c->code, addr);
			} else if (c->mode == M_USERS &&
			    !known_user(c, addr)) {
				say(fd, "%d %d.1.1 <%s>: Recipient address "
				    "rejected: User unknown in virtual mailbox "
				    "table", c->code, c->code / 100, addr);
			} else {
				say(fd, "250 2.1.5 Ok");
				rcpts++;
			}
		} else if (cmd_is(line, "DATA")) {
			FILE *out = NULL;

			if (!rcpts) {
				say(fd, "554 5.5.1 Error: no valid recipients");
				continue;
			}
			say(fd, "354 End data with <CR><LF>.<CR><LF>");
			if (c->dir != NULL)
				out = open_msg(c->dir);
			for (;;) {
				ssize_t n = rd_line(&r, line, sizeof line);
				if (n < 0)
					exit(0);
				if (strcmp(line, ".") == 0)
					break;
				if (out != NULL)
					fprintf(out, "%s\r\n",
					    line[0] == '.' ? line + 1 : line);
			}
			if (out != NULL)
				fclose(out);
			say(fd, "250 2.0.0 Ok: queued as F%lx%x",
			    (unsigned long)time(NULL), (unsigned)getpid());
			mail = rcpts = 0;
		} else if (cmd_is(line, "RSET")) {
			say(fd, "250 2.0.0 Ok");
			mail = rcpts = 0;
		} else if (cmd_is(line, "NOOP")) {
			say(fd, "250 2.0.0 Ok");
		} else if (cmd_is(line, "QUIT")) {
			say(fd, "221 2.0.0 Bye");
			break;
		} else {
			say(fd, "502 5.5.2 Error: command not recognized");
		}
	}
	exit(0);
}

int
main(int argc, char **argv)
{
	struct conf c = { .mode = M_ACCEPT, .code = 0, .period = 3 };
	struct sockaddr_in sa;
	const char *pidfile = NULL;
	long port = 0, life = 600;
	int ch, lfd, one = 1, nkids = 0, have_mode = 0;
	struct sigaction sig;

	while ((ch = getopt(argc, argv, "a:c:d:f:L:m:p:P:t:T:u:w:x:")) != -1) {
		switch (ch) {
		case 'a':
			c.addr = optarg;
			break;
		case 'c':
			c.code = atoi(optarg);
			if (c.code < 200 || c.code > 599)
				usage();
			break;
		case 'd':
			c.dir = optarg;
			break;
		case 'f':
			c.period = strtol(optarg, NULL, 10);
			if (c.period <= 0)
				usage();
			break;
		case 'm':
			for (size_t i = 0; i < sizeof modes / sizeof modes[0];
			    i++)
				if (strcmp(optarg, modes[i].name) == 0) {
					c.mode = modes[i].mode;
					if (c.code == 0)
						c.code = modes[i].code;
					have_mode = 1;
				}
			if (!have_mode)
				usage();
			break;
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 't':
			life = strtol(optarg, NULL, 10);
			break;
		case 'T':
			c.tarpit_after = strtol(optarg, NULL, 10);
			break;
		case 'L':
			c.limit_after = strtol(optarg, NULL, 10);
			break;
		case 'u':
			load_users(&c, optarg);
			break;
		case 'w':
			c.delay_ms = strtol(optarg, NULL, 10);
			break;
		case 'x':
			c.transcript = optarg;
			break;
		default:
			usage();
		}
	}
	if (c.addr == NULL || port <= 0 || port > 65535 || life <= 0 ||
	    !have_mode || optind != argc)
		usage();
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, c.addr, &sa.sin_addr) != 1 ||
	    (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "fakesmtp: %s: not a 127.0.0.0/8 address\n",
		    c.addr);
		return 2;
	}
	c.deadline = time(NULL) + life;
	c.start = time(NULL);
	reply_delay_ms = c.delay_ms;
	c.nrcpt = mmap(NULL, sizeof(*c.nrcpt), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c.nrcpt == MAP_FAILED) {
		perror("fakesmtp: mmap");
		return 1;
	}
	*c.nrcpt = 0;

	/* Own process group, so SIGTERM can take the children along. */
	(void)setpgid(0, 0);
	memset(&sig, 0, sizeof sig);
	sig.sa_handler = onsig;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGALRM, &sig, NULL);
	sig.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sig, NULL);

	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
		perror("fakesmtp: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(lfd, 64) < 0) {
		fprintf(stderr, "fakesmtp: %s:%ld: %s\n", c.addr, port,
		    strerror(errno));
		return 1;
	}
	if (pidfile != NULL) {
		FILE *f = fopen(pidfile, "w");
		if (f == NULL) {
			perror("fakesmtp: pidfile");
			return 1;
		}
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	alarm((unsigned)life);

	while (!stop) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof peer;
		char pbuf[INET_ADDRSTRLEN];
		pid_t pid;
		int fd;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			nkids--;
		fd = accept(lfd, (struct sockaddr *)&peer, &plen);
		if (fd < 0)
			continue;	/* EINTR from a signal: re-check */
		if (nkids >= MAX_CHILDREN) {
			close(fd);
			continue;
		}
		inet_ntop(AF_INET, &peer.sin_addr, pbuf, sizeof pbuf);
		/* Multi-line replies go out at once, not after a delayed ACK. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		pid = fork();
		if (pid == 0) {
			time_t left = c.deadline - time(NULL);

			close(lfd);
			memset(&sig, 0, sizeof sig);
			sig.sa_handler = SIG_DFL;
			sigaction(SIGTERM, &sig, NULL);
			sigaction(SIGALRM, &sig, NULL);
			alarm(left > 0 ? (unsigned)left : 1);
			session(fd, &c, pbuf);
		}
		if (pid > 0)
			nkids++;
		close(fd);
	}
	close(lfd);
	if (pidfile != NULL)
		unlink(pidfile);
	/* Take the connection children along (same process group). */
	memset(&sig, 0, sizeof sig);
	sig.sa_handler = SIG_IGN;
	sigaction(SIGTERM, &sig, NULL);
	kill(0, SIGTERM);
	while (waitpid(-1, NULL, 0) > 0)
		;
	return 0;
}
