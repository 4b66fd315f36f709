/* smtp.c -- one non-blocking SMTP client connection (smtp.h): connect
 * to a numeric address, await a reply, send a command, each step with
 * its own deadline.  No name lookups, no TLS, no DATA. */
#define _GNU_SOURCE		/* SOCK_CLOEXEC, SOCK_NONBLOCK */
#include "run/smtp.h"
#include "run/mta.h"
#include "base/units.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Closes c, saying why (pre and s[0..n), cut to fit). */
static void
fail(struct smtp_conn *c, const char *pre, const char *s)
{
	size_t	 a = strlen(pre), b = strlen(s);

	if (a > sizeof(c->why) - 1)
		a = sizeof(c->why) - 1;
	if (b > sizeof(c->why) - 1 - a)
		b = sizeof(c->why) - 1 - a;
	memcpy(c->why, pre, a);
	memcpy(c->why + a, s, b);
	c->why[a + b] = '\0';
	smtp_close(c);
}

int
smtp_open(struct smtp_conn *c, const char *addr, int port, double timeout,
    double now)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sl;
	int			 fam, one = 1;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	memset(&ss, 0, sizeof(ss));
	if (port <= 0 || port > 65535) {
		snprintf(c->why, sizeof(c->why), "bad port %d", port);
		return -1;
	}
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		fam = AF_INET;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		fam = AF_INET6;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		sl = sizeof(*s6);
	} else {
		snprintf(c->why, sizeof(c->why), "not an IP address");
		return -1;
	}
	if ((c->fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0) {
		snprintf(c->why, sizeof(c->why), "socket: %s",
		    strerror(errno));
		return -1;
	}
	/* One command, one reply: nothing to gain from Nagle. */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->t_start = c->t_open = now;
	c->timeout = timeout;
	c->deadline = now + timeout;
	c->waiting = 1;
	c->connecting = 1;
	smtp_reply_init(&c->reply);
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0 ||
	    errno == EINPROGRESS)
		return 0;
	/* Refused at once (loopback does that): the first handle says so. */
	c->err0 = errno;
	return 0;
}

int
smtp_send(struct smtp_conn *c, const char *line, double timeout, double now)
{
	size_t	 n = strlen(line);

	if (c->fd < 0 || n + 2 > sizeof(c->out) ||
	    strpbrk(line, "\r\n") != NULL) {
		snprintf(c->why, sizeof(c->why), c->fd < 0 ? "not connected" :
		    "command not sent: too long or with a line break");
		return -1;
	}
	memcpy(c->out, line, n);
	memcpy(c->out + n, "\r\n", 2);
	c->olen = n + 2;
	c->ooff = 0;
	c->t_start = now;
	c->timeout = timeout;
	c->deadline = now + timeout;
	c->waiting = 1;
	smtp_reply_init(&c->reply);
	return 0;
}

short
smtp_events(const struct smtp_conn *c)
{
	if (c->fd < 0 || !c->waiting)
		return 0;
	if (c->connecting || c->ooff < c->olen)
		return POLLOUT;
	return POLLIN;
}

/* Parses what is in c->in; returns 1 when a reply is complete (or bad). */
static enum smtp_ev
parse(struct smtp_conn *c)
{
	enum smtp_rstate	 st;
	size_t			 used;

	if (c->ilen == 0)
		return SMTP_EV_NONE;
	used = smtp_reply_feed(&c->reply, c->in, c->ilen, &st);
	memmove(c->in, c->in + used, c->ilen - used);
	c->ilen -= used;
	if (st == SMTP_R_MORE)
		return SMTP_EV_NONE;
	c->waiting = 0;
	if (st == SMTP_R_BAD) {
		fail(c, "not an SMTP reply: ", c->reply.text);
		return SMTP_EV_ERROR;
	}
	return SMTP_EV_REPLY;
}

enum smtp_ev
smtp_handle(struct smtp_conn *c, short revents, double now)
{
	enum smtp_ev	 ev;
	socklen_t	 sl = sizeof(int);
	ssize_t		 r;
	int		 e = 0;

	if (c->fd < 0)
		return SMTP_EV_ERROR;
	if (!c->waiting)
		return SMTP_EV_NONE;
	if (c->connecting) {
		if (c->err0 != 0) {
			fail(c, "", strerror(c->err0));
			return SMTP_EV_REFUSED;
		}
		if (!(revents & (POLLOUT | POLLERR | POLLHUP))) {
			if (now < c->deadline)
				return SMTP_EV_NONE;
			fail(c, "", "connect timed out");
			return SMTP_EV_REFUSED;
		}
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &sl) < 0)
			e = errno;
		if (e != 0) {
			fail(c, "", strerror(e));
			return SMTP_EV_REFUSED;
		}
		/* Connected: the banner gets a step of its own. */
		c->connecting = 0;
		c->t_connected = c->t_start = now;
		c->deadline = now + c->timeout;
		return SMTP_EV_NONE;
	}
	while (c->ooff < c->olen) {
		r = send(c->fd, c->out + c->ooff, c->olen - c->ooff,
		    MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			fail(c, "send: ", r < 0 ? strerror(errno) :
			    "nothing sent");
			return SMTP_EV_CLOSED;
		}
		c->ooff += (size_t)r;
	}
	/* Bytes that came earlier (a server may say more than asked). */
	if ((ev = parse(c)) != SMTP_EV_NONE)
		return ev;
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		for (;;) {
			r = recv(c->fd, c->in + c->ilen,
			    sizeof(c->in) - c->ilen, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (r <= 0) {
				fail(c, "", r < 0 ? strerror(errno) :
				    "connection closed by the server");
				return SMTP_EV_CLOSED;
			}
			c->ilen += (size_t)r;
			if ((ev = parse(c)) != SMTP_EV_NONE)
				return ev;
			if (c->ilen == sizeof(c->in))
				break;
		}
	}
	if (now >= c->deadline) {
		fail(c, "", "no reply in time");
		return SMTP_EV_TIMEOUT;
	}
	return SMTP_EV_NONE;
}

enum smtp_ev
smtp_wait(struct smtp_conn *c)
{
	struct pollfd	 pf;
	enum smtp_ev	 ev;
	double		 now;
	int		 ms;

	for (;;) {
		now = units_mono();
		pf.fd = c->fd;
		pf.events = smtp_events(c);
		pf.revents = 0;
		if (c->fd < 0 || pf.events == 0)
			return SMTP_EV_ERROR;
		ms = (int)((c->deadline - now) * 1000) + 1;
		if (ms < 0)
			ms = 0;
		if (poll(&pf, 1, ms) < 0 && errno != EINTR)
			pf.revents = POLLERR;
		if ((ev = smtp_handle(c, pf.revents, units_mono())) !=
		    SMTP_EV_NONE)
			return ev;
	}
}

void
smtp_close(struct smtp_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->waiting = 0;
	c->connecting = 0;
}

double
smtp_elapsed(const struct smtp_conn *c, double now)
{
	return now - c->t_start;
}
