/* route.c -- parse "exim -bt ADDRESS" output (route.h): the address,
 * its router and transport, and the hosts with their addresses and
 * ports.  Bounded: every field is cut to its buffer, never read past
 * the input. */
#include "exim/route.h"
#include "base/text.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[] = { "none", "ok", "fail", "defer" };

const char *
route_status_name(enum route_status s)
{
	return (unsigned)s <= ROUTE_DEFER ? status_names[s] : "none";
}

/* Copies s[0..n) into buf of size len, cut to fit, NUL-terminated. */
static void
cpy(char *buf, size_t len, const char *s, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static int
starts(const char *s, size_t n, const char *pre)
{
	size_t	 l = strlen(pre);

	return n >= l && memcmp(s, pre, l) == 0;
}

/* A decimal number of at most 6 digits at s[0..n); -1 if none. */
static long
num(const char *s, size_t n, size_t *used)
{
	long	 v = 0;
	size_t	 i;

	for (i = 0; i < n && i < 6 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	*used = i;
	return i == 0 ? -1 : v;
}

/* "router = R, transport = T" (after the indent). */
static void
router_line(const char *s, size_t n, struct route *r)
{
	const char	*c;
	size_t		 k;

	s += strlen("router = ");
	n -= strlen("router = ");
	c = text_memmem(s, n, ", transport = ", 14);
	if (c == NULL) {
		cpy(r->router, sizeof(r->router), s, n);
		return;
	}
	cpy(r->router, sizeof(r->router), s, (size_t)(c - s));
	k = (size_t)(c - s) + 14;
	cpy(r->transport, sizeof(r->transport), s + k, n - k);
	r->status = ROUTE_OK;
}

/* "host NAME [ADDR] MX=n port=n ** unusable **" (after the indent). */
static void
host_line(const char *s, size_t n, struct route *r)
{
	struct route_host	*h;
	size_t			 i, k, used;
	long			 v;

	if (r->nhosts >= ROUTE_HOSTS_MAX) {
		r->more++;
		return;
	}
	h = &r->hosts[r->nhosts];
	memset(h, 0, sizeof(*h));
	h->mx = -1;
	i = strlen("host ");
	for (k = i; k < n && s[k] != ' '; k++)
		;
	if (k == i)
		return;
	cpy(h->name, sizeof(h->name), s + i, k - i);
	if (h->name[0] == '\0')		/* a NUL byte: no name */
		return;
	for (i = k; i < n && s[i] == ' '; i++)
		;
	if (i < n && s[i] == '[') {
		for (k = i + 1; k < n && s[k] != ']'; k++)
			;
		if (k < n && strncmp(s + i + 1, "unknown", k - i - 1) != 0)
			cpy(h->addr, sizeof(h->addr), s + i + 1, k - i - 1);
		i = k < n ? k + 1 : n;
	}
	/* The words after the address, in any order. */
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		if (starts(s + i, n - i, "MX=") &&
		    (v = num(s + i + 3, n - i - 3, &used)) >= 0) {
			h->mx = (int)v;
			i += 3 + used;
		} else if (starts(s + i, n - i, "port=") &&
		    (v = num(s + i + 5, n - i - 5, &used)) >= 0) {
			h->port = v > 0 && v < 65536 ? (int)v : 0;
			i += 5 + used;
		} else if (starts(s + i, n - i, "** unusable **")) {
			h->unusable = 1;
			i += 14;
		} else
			while (i < n && s[i] != ' ')
				i++;
	}
	r->nhosts++;
}

/* The address line: the address, or its failure. */
static void
address_line(const char *s, size_t n, struct route *r)
{
	static const struct {
		const char		*sep;
		enum route_status	 st;
	} ends[] = {
		{ " is undeliverable: ", ROUTE_FAIL },
		{ " cannot be resolved at this time: ", ROUTE_DEFER },
		{ " cannot be resolved at this time", ROUTE_DEFER },
		{ " is undeliverable", ROUTE_FAIL },
	};
	const char	*c;
	size_t		 i, l, k;

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		l = strlen(ends[i].sep);
		if ((c = text_memmem(s, n, ends[i].sep, l)) == NULL)
			continue;
		cpy(r->address, sizeof(r->address), s, (size_t)(c - s));
		k = (size_t)(c - s) + l;
		cpy(r->error, sizeof(r->error), s + k, n - k);
		r->status = ends[i].st;
		return;
	}
	/* "addr [duplicate, would not be delivered]" */
	if ((c = text_memmem(s, n, " [", 2)) != NULL)
		n = (size_t)(c - s);
	cpy(r->address, sizeof(r->address), s, n);
}

enum route_status
route_parse(const char *buf, size_t len, struct route *r)
{
	const char	*p = buf, *e = buf + len, *nl, *s;
	size_t		 n;
	int		 in_log = 0, seen = 0;

	memset(r, 0, sizeof(*r));
	if (buf == NULL)
		return ROUTE_NONE;
	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (starts(p, n, "LOG: ")) {
			in_log = 1;
			continue;
		}
		if (p[0] != ' ') {
			in_log = 0;
			if (seen)
				break;		/* the next address */
			seen = 1;
			address_line(p, n, r);
			if (r->status == ROUTE_FAIL || r->status == ROUTE_DEFER)
				break;
			continue;
		}
		if (in_log || !seen)
			continue;
		for (s = p; s < p + n && *s == ' '; s++)
			;
		n -= (size_t)(s - p);
		if (starts(s, n, "router = "))
			router_line(s, n, r);
		else if (starts(s, n, "host "))
			host_line(s, n, r);
		/* "<-- parent" and anything else: not needed. */
	}
	return r->status;
}
