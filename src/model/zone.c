/* zone.c -- a record set with negative answers: canonical names, the
 * records by name, what is known not to exist, complete zones.  The
 * parser that fills one from zone files and dig output is zone_parse.c. */
#include "model/zone.h"
#include "zone_priv.h"
#include "base/mem.h"
#include "base/intern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records one name may hold before zone_add() refuses more: keeps the
 * duplicate check linear in practice. */
#define PER_NAME_MAX	4096

struct zone_name {
	uint32_t	 head, tail;	/* records: index + 1, 0 none */
	uint32_t	 count;
	uint8_t		 types;		/* bits of the types held */
	uint8_t		 nodata, failed;	/* bits of negative answers */
	uint8_t		 nx;		/* NXDOMAIN was answered */
	uint8_t		 exists;	/* a record is at or below it */
};

static unsigned
type_bit(enum zone_type t)
{
	switch (t) {
	case ZONE_A:
		return 1;
	case ZONE_NS:
		return 2;
	case ZONE_CNAME:
		return 4;
	case ZONE_SOA:
		return 8;
	case ZONE_MX:
		return 16;
	case ZONE_AAAA:
		return 32;
	}
	return 0;
}

void
zone_init(struct zone *z)
{
	memset(z, 0, sizeof(*z));
	z->names = intern_new();
	arena_init(&z->strs);
}

void
zone_done(struct zone *z)
{
	free(z->rr);
	free(z->nm);
	free(z->auth);
	intern_free(z->names);
	arena_free(&z->strs);
	memset(z, 0, sizeof(*z));
}

/* ---- Names ---- */

static int
is_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_' || c == '*' || c == '/';
}

/* Appends n bytes to out[*o..outlen), keeping room for the NUL. */
static int
put(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
	if (*o + n + 1 > outlen)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

/* Wire octets of a canonical name, without the root's: labels and their
 * length bytes. */
static size_t
wire_len(const char *s)
{
	size_t n = 0;

	if (*s == '\0')
		return 0;
	n = 1;
	while (*s != '\0') {
		if (*s == '\\') {
			s++;
			if (*s >= '0' && *s <= '9')
				s += 3;
			else if (*s != '\0')
				s++;
		} else
			s++;
		n++;
	}
	/* Each '.' counted as one octet is its label's length byte. */
	return n;
}

int
zone_name_canon(const char *s, size_t len, const char *origin, char *out,
    size_t outlen)
{
	size_t i = 0, o = 0, label = 0, wire = 0;
	int absolute = 0;
	char esc[5];

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (len == 1 && s[0] == '@') {
		if (origin == NULL || strlen(origin) + 1 > outlen)
			return -1;
		memcpy(out, origin, strlen(origin) + 1);
		return 0;
	}
	if (len == 1 && s[0] == '.')
		return 0;
	if (len == 0)
		return -1;
	while (i < len) {
		unsigned v;
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return -1;	/* empty label */
			i++;
			if (i == len) {
				absolute = 1;
				break;
			}
			if (put(out, outlen, &o, ".", 1) < 0)
				return -1;
			wire += label + 1;
			label = 0;
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= len)
				return -1;
			if (s[i + 1] >= '0' && s[i + 1] <= '9') {
				if (i + 3 >= len || s[i + 2] < '0' ||
				    s[i + 2] > '9' || s[i + 3] < '0' ||
				    s[i + 3] > '9')
					return -1;
				v = (unsigned)(s[i + 1] - '0') * 100 +
				    (unsigned)(s[i + 2] - '0') * 10 +
				    (unsigned)(s[i + 3] - '0');
				if (v > 255)
					return -1;
				i += 4;
			} else {
				v = (unsigned char)s[i + 1];
				i += 2;
			}
		} else {
			v = c;
			i++;
		}
		if (v >= 'A' && v <= 'Z')
			v += 'a' - 'A';
		if (is_plain((unsigned char)v))
			esc[0] = (char)v, esc[1] = '\0';
		else if (v == '.' || v == '\\')
			esc[0] = '\\', esc[1] = (char)v, esc[2] = '\0';
		else
			snprintf(esc, sizeof(esc), "\\%03u", v);
		if (put(out, outlen, &o, esc, strlen(esc)) < 0)
			return -1;
		if (++label > 63)
			return -1;
	}
	wire += label + 1;
	out[o] = '\0';
	if (!absolute) {
		if (origin == NULL)
			return -1;
		if (*origin != '\0') {
			if (put(out, outlen, &o, ".", 1) < 0 ||
			    put(out, outlen, &o, origin, strlen(origin)) < 0)
				return -1;
			out[o] = '\0';
			wire += wire_len(origin);
		}
	}
	/* 255 octets with the root's length byte. */
	if (wire + 1 > 255)
		return -1;
	return 0;
}

int
zone_dot_unescaped(const char *s, size_t p)
{
	size_t k = 0;

	/* "\." escapes it, "\\." does not; "\DDD" never ends in '.'. */
	while (k < p && s[p - 1 - k] == '\\')
		k++;
	return k % 2 == 0;
}

int
zone_name_under(const char *name, const char *apex)
{
	size_t n = strlen(name), a = strlen(apex);

	if (a == 0)
		return 1;
	if (n == a)
		return memcmp(name, apex, n) == 0;
	if (n < a + 1 || memcmp(name + n - a, apex, a) != 0 ||
	    name[n - a - 1] != '.')
		return 0;
	return zone_dot_unescaped(name, n - a - 1);
}

/* The parent of a canonical name (after its first label), or NULL for
 * the root. */
static const char *
parent(const char *s)
{
	size_t i;

	if (*s == '\0')
		return NULL;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '.' && zone_dot_unescaped(s, i))
			return s + i + 1;
	return "";
}

/* ---- The set ---- */

static struct zone_name *
name_get(struct zone *z, const char *name, int add)
{
	uint32_t n;
	size_t need;

	if (add)
		n = intern_add(z->names, name, strlen(name));
	else if ((n = intern_find(z->names, name, strlen(name))) ==
	    UINT32_MAX)
		return NULL;
	need = (size_t)n + 1;
	if (need > z->capnm) {
		size_t old = z->capnm;

		xgrow(&z->nm, &z->capnm, need, sizeof(*z->nm));
		memset(z->nm + old, 0, (z->capnm - old) * sizeof(*z->nm));
	}
	return &z->nm[n];
}

static const struct zone_name *
name_find(const struct zone *z, const char *name)
{
	uint32_t n = intern_find(z->names, name, strlen(name));

	if (n == UINT32_MAX || n >= z->capnm)
		return NULL;
	return &z->nm[n];
}

int
zone_add(struct zone *z, const char *owner, enum zone_type type,
    uint32_t ttl, unsigned pref, const char *data)
{
	struct zone_name *nm;
	struct zone_rr *rr;
	uint32_t k, idx;
	const char *a;

	if (data == NULL || type_bit(type) == 0)
		return -1;
	nm = name_get(z, owner, 1);
	for (k = nm->head; k != 0; k = z->rr[k - 1].next) {
		rr = &z->rr[k - 1];
		if (rr->type == type && rr->pref == pref &&
		    strcmp(rr->data, data) == 0)
			return 1;
	}
	if (z->nrr >= ZONE_RR_MAX || nm->count >= PER_NAME_MAX)
		return -1;
	if (nm->count == 0 && !nm->exists) {
		/* The name and its ancestors exist now (empty non-terminals
		 * answer NODATA, not NXDOMAIN). */
		for (a = owner; a != NULL; a = parent(a)) {
			struct zone_name *an = name_get(z, a, 1);

			if (an->exists)
				break;
			an->exists = 1;
		}
		nm = name_get(z, owner, 1);
	}
	xgrow(&z->rr, &z->caprr, z->nrr + 1, sizeof(*z->rr));
	idx = (uint32_t)z->nrr;
	rr = &z->rr[z->nrr++];
	/* The interned copy of the owner lives as long as the set. */
	rr->owner = intern_str(z->names, intern_find(z->names, owner,
	    strlen(owner)));
	rr->type = type;
	rr->ttl = ttl;
	rr->pref = (uint16_t)pref;
	rr->data = arena_strdup(&z->strs, data);
	rr->next = 0;
	if (nm->tail != 0)
		z->rr[nm->tail - 1].next = idx + 1;
	else
		nm->head = idx + 1;
	nm->tail = idx + 1;
	nm->count++;
	nm->types |= (uint8_t)type_bit(type);
	return 0;
}

void
zone_touch(struct zone *z, const char *name)
{
	const char *a;

	for (a = name; a != NULL; a = parent(a)) {
		struct zone_name *an = name_get(z, a, 1);

		if (an->exists)
			break;
		an->exists = 1;
	}
}

void
zone_set_state(struct zone *z, const char *name, enum zone_type type,
    enum zone_state st)
{
	struct zone_name *nm = name_get(z, name, 1);

	switch (st) {
	case ZONE_NXDOMAIN:
		nm->nx = 1;
		break;
	case ZONE_NODATA:
		nm->nodata |= (uint8_t)type_bit(type);
		break;
	case ZONE_FAILED:
		nm->failed |= (uint8_t)type_bit(type);
		break;
	default:
		break;
	}
}

void
zone_set_complete(struct zone *z, const char *apex)
{
	uint32_t n = intern_add(z->names, apex, strlen(apex));
	size_t i;

	(void)name_get(z, apex, 1);
	for (i = 0; i < z->nauth; i++)
		if (z->auth[i] == n)
			return;
	xgrow(&z->auth, &z->capauth, z->nauth + 1, sizeof(*z->auth));
	z->auth[z->nauth++] = n;
}

enum zone_state
zone_state(const struct zone *z, const char *name, enum zone_type type)
{
	const struct zone_name *nm = name_find(z, name), *an;
	const char *apex = NULL, *a, *p;
	unsigned bit = type_bit(type);
	size_t i;

	if (nm != NULL) {
		if (nm->types & bit)
			return ZONE_HAS;
		if (nm->failed & bit)
			return ZONE_FAILED;
		if (nm->nx)
			return ZONE_NXDOMAIN;
		if (nm->nodata & bit)
			return ZONE_NODATA;
	}
	/* The closest complete zone holding name. */
	for (i = 0; i < z->nauth; i++) {
		a = intern_str(z->names, z->auth[i]);
		if (zone_name_under(name, a) &&
		    (apex == NULL || strlen(a) > strlen(apex)))
			apex = a;
	}
	if (apex == NULL)
		return ZONE_UNKNOWN;
	/* Below a delegation the data is another server's. */
	for (p = name; p != NULL && strlen(p) > strlen(apex); p = parent(p))
		if ((an = name_find(z, p)) != NULL && (an->types & 2))
			return ZONE_UNKNOWN;
	if (nm != NULL && (nm->exists || nm->count > 0))
		return ZONE_NODATA;
	return ZONE_NXDOMAIN;
}

const struct zone_rr *
zone_first(const struct zone *z, const char *name)
{
	const struct zone_name *nm = name_find(z, name);

	if (nm == NULL || nm->head == 0)
		return NULL;
	return &z->rr[nm->head - 1];
}

const struct zone_rr *
zone_next(const struct zone *z, const struct zone_rr *rr)
{
	if (rr == NULL || rr->next == 0)
		return NULL;
	return &z->rr[rr->next - 1];
}

const char *
zone_type_name(enum zone_type t)
{
	switch (t) {
	case ZONE_A:
		return "A";
	case ZONE_NS:
		return "NS";
	case ZONE_CNAME:
		return "CNAME";
	case ZONE_SOA:
		return "SOA";
	case ZONE_MX:
		return "MX";
	case ZONE_AAAA:
		return "AAAA";
	}
	return "?";
}

char *
zone_rr_str(const struct zone_rr *rr, char *buf, size_t len)
{
	/* Names get their trailing dot back: the root is "." alone. */
	switch (rr->type) {
	case ZONE_MX:
		snprintf(buf, len, "%s. MX %u %s.", rr->owner,
		    (unsigned)rr->pref, rr->data);
		break;
	case ZONE_CNAME:
	case ZONE_NS:
		snprintf(buf, len, "%s. %s %s.", rr->owner,
		    zone_type_name(rr->type), rr->data);
		break;
	case ZONE_A:
	case ZONE_AAAA:
		snprintf(buf, len, "%s. %s %s", rr->owner,
		    zone_type_name(rr->type), rr->data);
		break;
	default:
		snprintf(buf, len, "%s. %s", rr->owner,
		    zone_type_name(rr->type));
		break;
	}
	return buf;
}
