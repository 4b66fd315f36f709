/* callout_probe.c -- one timed callout-style session against a primary
 * (callout.h): every step with its latency, for probe_classify(). */
#define _GNU_SOURCE		/* getrandom(2) */
#include "run/callout.h"
#include "run/smtp.h"
#include "run/mta.h"
#include "base/units.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void
callout_random_local(char *buf, size_t len)
{
	unsigned char	 r[8];
	size_t		 i;
	struct timespec	 ts;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* No entropy yet: the time and pid still never repeat. */
		clock_gettime(CLOCK_REALTIME, &ts);
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(((unsigned long)ts.tv_nsec >>
			    (i * 4)) ^ ((unsigned long)getpid() >> i) ^
			    (unsigned long)ts.tv_sec >> (i * 3));
	}
	snprintf(buf, len, "mxtop-probe-%02x%02x%02x%02x%02x%02x%02x%02x",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

int
callout_addr_ok(const char *a)
{
	size_t	 n, at = 0;

	if (a == NULL || (n = strlen(a)) == 0 || n > 254)
		return 0;
	for (; *a != '\0'; a++) {
		if ((unsigned char)*a <= ' ' || *a == 0x7f || *a == '<' ||
		    *a == '>')
			return 0;
		at += *a == '@';
	}
	return at == 1;
}

/* Copies the string s into buf[0..len), cut to fit. */
static void
copy(char *buf, size_t len, const char *s)
{
	size_t	 n = strlen(s);

	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* Copies how step s ended from the connection's event. */
static void
record(struct probe_step *s, const struct smtp_conn *c, enum smtp_ev ev,
    double t0)
{
	s->latency = units_mono() - t0;
	switch (ev) {
	case SMTP_EV_REPLY:
		s->out = PROBE_O_REPLY;
		s->code = c->reply.code;
		copy(s->enh, sizeof(s->enh), c->reply.enh);
		copy(s->text, sizeof(s->text), c->reply.text);
		return;
	case SMTP_EV_TIMEOUT:
		s->out = PROBE_O_TIMEOUT;
		break;
	case SMTP_EV_CLOSED:
		s->out = PROBE_O_CLOSED;
		break;
	case SMTP_EV_REFUSED:
		s->out = PROBE_O_REFUSED;
		break;
	default:
		s->out = PROBE_O_ERROR;
		break;
	}
	copy(s->text, sizeof(s->text), c->why);
}

/* Sends cmd as step kind; returns 1 when the dialogue may go on (a
 * reply came), 0 when it is over. */
static int
step(struct probe *p, struct smtp_conn *c, const struct callout_cfg *cfg,
    enum probe_kind kind, const char *cmd)
{
	struct probe_step	*s;
	double			 t0 = units_mono();
	enum smtp_ev		 ev;

	if ((s = probe_add(p, kind, cmd)) == NULL)
		return 0;
	if (smtp_send(c, cmd, cfg->timeout, t0) < 0) {
		s->out = PROBE_O_ERROR;
		copy(s->text, sizeof(s->text), c->why);
		return 0;
	}
	ev = smtp_wait(c);
	record(s, c, ev, t0);
	return ev == SMTP_EV_REPLY && c->reply.code != 421;
}

/* Connects to one of the hosts; returns 1 with the banner step done. */
static int
connect_one(struct probe *p, struct smtp_conn *c,
    const struct callout_cfg *cfg, const struct callout_host *hosts,
    size_t nhosts)
{
	struct probe_step	*s, *b;
	enum smtp_ev		 ev;
	double			 t0;
	size_t			 i;

	for (i = 0; i < nhosts; i++) {
		if ((s = probe_add(p, PROBE_S_CONNECT, "")) == NULL)
			return 0;
		copy(s->host, sizeof(s->host), hosts[i].addr);
		s->port = hosts[i].port;
		t0 = units_mono();
		if (smtp_open(c, hosts[i].addr, hosts[i].port, cfg->timeout,
		    t0) < 0) {
			s->out = PROBE_O_ERROR;
			copy(s->text, sizeof(s->text), c->why);
			continue;
		}
		ev = smtp_wait(c);
		if (ev == SMTP_EV_REFUSED) {
			record(s, c, ev, t0);
			continue;
		}
		/* Connected: the banner step is the wait after it. */
		s->out = PROBE_O_CONNECTED;
		s->latency = c->t_connected > 0 ? c->t_connected - t0 : 0;
		if ((b = probe_add(p, PROBE_S_BANNER, "")) == NULL)
			return 0;
		record(b, c, ev, c->t_connected > 0 ? c->t_connected : t0);
		return ev == SMTP_EV_REPLY;
	}
	return 0;
}

void
callout_probe(const struct callout_cfg *cfg,
    const struct callout_host *hosts, size_t nhosts, const char *random_addr,
    const char *const *samples, size_t nsamples, struct probe *p)
{
	struct smtp_conn	 c;
	char			 cmd[300];
	const char		*snd = cfg->sender != NULL ? cfg->sender : "";
	size_t			 i;
	int			 go;

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	if (!connect_one(p, &c, cfg, hosts, nhosts))
		goto out;
	if (c.reply.code < 200 || c.reply.code >= 300)
		goto quit;
	snprintf(cmd, sizeof(cmd), "EHLO %s", cfg->helo);
	go = step(p, &c, cfg, PROBE_S_EHLO, cmd);
	if (go && c.reply.code >= 500) {
		snprintf(cmd, sizeof(cmd), "HELO %s", cfg->helo);
		go = step(p, &c, cfg, PROBE_S_HELO, cmd);
	}
	if (!go || c.reply.code >= 300)
		goto quit;
	snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>", snd);
	if (!step(p, &c, cfg, PROBE_S_MAIL, cmd) || c.reply.code >= 300)
		goto quit;
	snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>", random_addr);
	if (!step(p, &c, cfg, PROBE_S_RCPT_RANDOM, cmd))
		goto out;
	for (i = 0; i < nsamples; i++) {
		if (!callout_addr_ok(samples[i]))
			continue;
		snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>", samples[i]);
		if (!step(p, &c, cfg, PROBE_S_RCPT, cmd))
			goto out;
	}
	if (!step(p, &c, cfg, PROBE_S_RSET, "RSET"))
		goto out;
quit:
	if (c.fd >= 0)
		(void)step(p, &c, cfg, PROBE_S_QUIT, "QUIT");
out:
	smtp_close(&c);
}
