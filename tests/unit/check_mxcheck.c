/* check_mxcheck.c -- mx-check's findings from records, and the zone-file
 * and dig parser that feeds it. */
#include "model/mxcheck.h"
#include "model/zone.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The relay of every case: two servers behind one name. */
static const char relay_zone[] =
    "$ORIGIN relay.example.\n"
    "@ 3600 IN SOA ns hostmaster 1 3600 900 604800 300\n"
    "mx2 IN A 192.0.2.25\n";

static void
relay(struct mxcheck_relay *r)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(mxcheck_relay_add_name(r, "MX2.relay.example."), 0);
	ck_assert_int_eq(mxcheck_relay_add_addr(r, "192.0.2.25"), 0);
	ck_assert_int_eq(mxcheck_relay_add_addr(r, "192.0.2.26"), 0);
}

/* A zone of the customer's: SOA at d.example, then the case's lines. */
#define Z(lines) "$ORIGIN d.example.\n$TTL 1h\n" \
	"@ IN SOA ns1 hostmaster ( 1 3600 900\n 604800 300 )\n" lines

struct fcase {
	const char	*what;
	const char	*text;		/* zone text (with relay_zone) */
	const char	*codes;		/* the findings' codes, "," between */
	int		 rc;		/* mxcheck_run(): findings, or -1 */
	const char	*record;	/* one record a finding must show */
};

static const struct fcase fcases[] = {
	{ "correct", Z("@ MX 10 mail\n@ MX 20 mx2.relay.example.\n"
	    "mail A 192.0.2.10\nmail AAAA 2001:db8::10\n"), "", 0, NULL },
	{ "mx-is-ip", Z("@ MX 10 10.11.12.13.\n@ MX 20 mx2.relay.example.\n"),
	    "mx-is-ip", 1, "d.example. MX 10 10.11.12.13." },
	{ "mx-is-ip: IPv6", Z("@ MX 10 2001:DB8::1.\n"
	    "@ MX 20 mx2.relay.example.\n"), "mx-is-ip", 1,
	    "2001\\058db8\\058\\0581.: IPv6 address 2001:db8::1" },
	{ "mx-is-ip: IPv6 in brackets", Z("@ MX 10 [::1].\n"
	    "@ MX 20 mx2.relay.example.\n"), "mx-is-ip", 1,
	    "d.example. MX 10 \\091\\058\\0581\\093." },
	{ "mx-is-ip: an SMTP address literal", Z("@ MX 10 "
	    "[IPv6:2001:db8:0::2].\n@ MX 20 mx2.relay.example.\n"), "mx-is-ip",
	    1, "\\091ipv6\\0582001\\058db8\\0580\\058\\0582\\093.: "
	    "IPv6 address 2001:db8::2" },
	{ "mx-is-ip: IPv4 in brackets", Z("@ MX 10 [192.0.2.7].\n"
	    "@ MX 20 mx2.relay.example.\n"), "mx-is-ip", 1,
	    "\\091192.0.2.7\\093.: IPv4 address 192.0.2.7" },
	{ "mx-is-ip: an IPv6 mapped IPv4 address", Z("@ MX 10 "
	    "::ffff:192.0.2.1.\n@ MX 20 mx2.relay.example.\n"), "mx-is-ip", 1,
	    "\\058\\058ffff\\058192.0.2.1.: IPv6 address ::ffff:192.0.2.1" },
	{ "mx-is-ip: the relay's address is still the relay",
	    Z("@ MX 10 mail\n@ MX 20 [192.0.2.25].\nmail A 192.0.2.10\n"),
	    "mx-is-ip", 1, "d.example. MX 20 \\091192.0.2.25\\093." },
	{ "mx-is-ip: dig's text", "d.example.\t3600\tIN\tMX\t10 "
	    "2001:db8::1.\nd.example.\t3600\tIN\tMX\t20 mx2.relay.example.\n",
	    "mx-is-ip", 1, "d.example. MX 10 2001\\058db8\\058\\0581." },
	{ "an IPv6 address without its dot is a name in the zone",
	    Z("@ MX 10 2001:db8::1\n@ MX 20 mx2.relay.example.\n"),
	    "mx-unresolvable", 1,
	    "2001\\058db8\\058\\0581.d.example.: NXDOMAIN" },
	{ "mx-is-cname", Z("@ MX 10 mail\n@ MX 20 mx2.relay.example.\n"
	    "mail CNAME server\nserver A 192.0.2.10\n"), "mx-is-cname", 1,
	    "mail.d.example. CNAME server.d.example." },
	{ "relay-only-mx", Z("@ MX 20 mx2.relay.example.\n"),
	    "relay-only-mx", 1, "d.example. MX 20 mx2.relay.example." },
	{ "relay-preferred", Z("@ MX 20 mx2.relay.example.\n@ MX 50 mail\n"
	    "mail A 192.0.2.10\n"), "relay-preferred", 1,
	    "d.example. MX 50 mail.d.example." },
	{ "relay-preferred: a tie", Z("@ MX 10 mx2.relay.example.\n"
	    "@ MX 10 mail\nmail A 192.0.2.10\n"), "relay-preferred", 1, NULL },
	{ "relay-missing", Z("@ MX 10 mail\nmail A 192.0.2.10\n"),
	    "relay-missing", 1, "d.example. MX 10 mail.d.example." },
	{ "relay-missing: no MX at all", Z("@ A 192.0.2.10\n"),
	    "relay-missing", 1, "d.example.: no MX records" },
	{ "relay-missing: the null MX", Z("@ MX 0 .\n"), "relay-missing", 1,
	    "d.example. MX 0 ." },
	{ "alias-a-to-relay", Z("@ MX 10 mail\n@ MX 20 backup\n"
	    "mail A 192.0.2.10\nbackup A 192.0.2.25\n"), "alias-a-to-relay", 1,
	    "backup.d.example. A 192.0.2.25" },
	{ "alias-a-to-relay, round robin", Z("@ MX 10 mail\n@ MX 20 backup\n"
	    "mail A 192.0.2.10\nbackup A 192.0.2.25\nbackup A 192.0.2.26\n"),
	    "alias-a-to-relay", 1, "backup.d.example. A 192.0.2.26" },
	{ "alias-cname-to-relay", Z("@ MX 10 mail\n@ MX 20 backup\n"
	    "mail A 192.0.2.10\nbackup CNAME mx2.relay.example.\n"),
	    "alias-cname-to-relay", 1,
	    "backup.d.example. CNAME mx2.relay.example." },
	{ "mx-unresolvable: NXDOMAIN", Z("@ MX 10 mail\n"
	    "@ MX 20 mx2.relay.example.\n"), "mx-unresolvable", 1,
	    "mail.d.example.: NXDOMAIN" },
	{ "mx-unresolvable: no address", Z("@ MX 10 mail\n"
	    "@ MX 20 mx2.relay.example.\nmail MX 10 other\n"
	    "other A 192.0.2.1\n"),
	    "mx-unresolvable", 1, "mail.d.example.: no A or AAAA records" },
	{ "mx-unresolvable: a forgotten trailing dot",
	    Z("@ MX 10 mail.d.example\n@ MX 20 mx2.relay.example.\n"
	    "mail A 192.0.2.10\n"),
	    "mx-unresolvable", 1, "mail.d.example.d.example.: NXDOMAIN" },
	{ "mx-unresolvable: a CNAME to nothing", Z("@ MX 10 mail\n"
	    "@ MX 20 mx2.relay.example.\nmail CNAME gone\n"),
	    "mx-is-cname,mx-unresolvable", 2, "gone.d.example.: NXDOMAIN" },
	{ "mx-private-address", Z("@ MX 10 mail\n@ MX 20 mx2.relay.example.\n"
	    "mail A 10.1.2.3\n"), "mx-private-address", 1,
	    "mail.d.example. A 10.1.2.3" },
	{ "mx-private-address: loopback and ULA", Z("@ MX 10 mail\n"
	    "@ MX 20 mx2.relay.example.\nmail A 127.0.0.1\n"
	    "mail AAAA fd00::1\n"),
	    "mx-private-address", 1, "mail.d.example. AAAA fd00::1" },
	{ "several at once", Z("@ MX 10 mx2.relay.example.\n@ MX 10 ip\n"
	    "@ MX 10 192.0.2.9.\nip A 192.168.1.1\n"),
	    "mx-is-ip,relay-preferred,mx-private-address", 3, NULL },
	{ "relay names are case-blind", Z("@ MX 10 mail\n"
	    "@ MX 20 MX2.Relay.EXAMPLE.\nmail A 192.0.2.10\n"), "", 0, NULL },
	{ "a target outside the data is unknown, not unresolvable",
	    Z("@ MX 10 mx.isp.net.\n@ MX 20 mx2.relay.example.\n"), "", 0,
	    NULL },
	{ "below a delegation is unknown", Z("@ MX 10 mail.sub\n"
	    "@ MX 20 mx2.relay.example.\nsub NS ns.other.example.\n"), "", 0,
	    NULL },
	{ "dig +noall +answer: the MX set alone",
	    "d.example.\t3600\tIN\tMX\t20 mx2.relay.example.\n",
	    "relay-only-mx", 1, NULL },
	{ "dig +noall +answer: targets unknown",
	    "d.example.\t3600\tIN\tMX\t10 mail.d.example.\n"
	    "d.example.\t3600\tIN\tMX\t20 mx2.relay.example.\n"
	    "d.example. 3600 IN SOA ns1.d.example. h.d.example. 1 2 3 4 5\n",
	    "", 0, NULL },
	{ "dig AXFR: the SOA twice makes the zone complete",
	    "d.example. 3600 IN SOA ns1.d.example. h.d.example. 1 2 3 4 5\n"
	    "d.example.\t3600\tIN\tMX\t10 mail.d.example.\n"
	    "d.example.\t3600\tIN\tMX\t20 mx2.relay.example.\n"
	    "d.example. 3600 IN SOA ns1.d.example. h.d.example. 1 2 3 4 5\n",
	    "mx-unresolvable", 1, "mail.d.example.: NXDOMAIN" },
	{ "dig's full output: NXDOMAIN",
	    "; <<>> DiG 9.18.49 <<>> d.example MX\n"
	    ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
	    ";; QUESTION SECTION:\n;d.example.\t\t\tIN\tMX\n\n"
	    ";; ANSWER SECTION:\n"
	    "d.example.\t3600\tIN\tMX\t10 mail.d.example.\n"
	    "d.example.\t3600\tIN\tMX\t20 mx2.relay.example.\n\n"
	    "; <<>> DiG 9.18.49 <<>> mail.d.example A\n"
	    ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 2\n"
	    ";; QUESTION SECTION:\n;mail.d.example.\t\tIN\tA\n\n"
	    ";; AUTHORITY SECTION:\n"
	    "d.example. 300 IN SOA ns1.d.example. h.d.example. 1 2 3 4 5\n"
	    "d.example. 300 IN SOA ns1.d.example. h.d.example. 1 2 3 4 5\n",
	    "mx-unresolvable", 1, "mail.d.example.: NXDOMAIN" },
	{ "dig's full output: NOERROR without an answer is NODATA",
	    "d.example. 3600 IN MX 10 mail.d.example.\n"
	    "d.example. 3600 IN MX 20 mx2.relay.example.\n"
	    ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 2\n"
	    ";; QUESTION SECTION:\n;mail.d.example. IN A\n"
	    ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 3\n"
	    ";; QUESTION SECTION:\n;mail.d.example. IN AAAA\n",
	    "mx-unresolvable", 1, "mail.d.example.: no A or AAAA records" },
	{ "dig's full output: SERVFAIL is a failure",
	    "d.example. 3600 IN MX 10 mail.d.example.\n"
	    "d.example. 3600 IN MX 20 mx2.relay.example.\n"
	    ";; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 2\n"
	    ";; QUESTION SECTION:\n;mail.d.example. IN A\n", "", 0, NULL },
	{ "nothing about the domain", "other.example. 60 IN A 192.0.2.1\n",
	    "", -1, NULL },
};

static char *
join_codes(const struct mxcheck_result *res, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < res->nf; i++) {
		if (i > 0)
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, mxcheck_code_name(res->f[i].code),
		    len - strlen(buf) - 1);
	}
	return buf;
}

START_TEST(t_findings)
{
	const struct fcase *c = &fcases[_i];
	struct mxcheck_relay r;
	struct mxcheck_result res;
	struct zone z;
	struct zone_report rep;
	char codes[256];
	size_t i, k;
	int rc, seen = 0;

	relay(&r);
	zone_init(&z);
	ck_assert_int_eq(zone_parse(&z, relay_zone, strlen(relay_zone), NULL,
	    &rep), 0);
	ck_assert_int_eq(zone_parse(&z, c->text, strlen(c->text), "d.example",
	    &rep), 0);
	ck_assert_msg(rep.bad == 0, "%s: line %zu: %s", c->what, rep.first_bad,
	    rep.why);
	mxcheck_init(&res);
	rc = mxcheck_run(&z, "D.Example.", &r, &res);
	ck_assert_msg(rc == c->rc, "%s: %d findings, wanted %d (%s)", c->what,
	    rc, c->rc, join_codes(&res, codes, sizeof(codes)));
	ck_assert_msg(strcmp(join_codes(&res, codes, sizeof(codes)),
	    c->codes) == 0, "%s: codes %s, wanted %s", c->what, codes,
	    c->codes);
	ck_assert_str_eq(res.domain, "d.example");
	for (i = 0; i < res.nf; i++) {
		ck_assert_uint_gt(res.f[i].nrecords, 0);
		ck_assert_ptr_nonnull(res.f[i].why);
		ck_assert_ptr_nonnull(res.f[i].fix);
		for (k = 0; k < res.f[i].nrecords; k++)
			if (c->record != NULL &&
			    strcmp(res.f[i].records[k], c->record) == 0)
				seen = 1;
	}
	if (c->record != NULL)
		ck_assert_msg(seen, "%s: no finding shows %s", c->what,
		    c->record);
	mxcheck_done(&res);
	zone_done(&z);
}
END_TEST

/* The details beyond the codes. */
START_TEST(t_details)
{
	static const char text[] = Z("@ MX 10 mail\n@ MX 20 backup\n"
	    "mail CNAME server\nserver A 192.0.2.10\n"
	    "backup A 192.0.2.25\nbackup A 192.0.2.26\n"
	    "@ MX 30 mx.isp.net.\n");
	struct mxcheck_relay r;
	struct mxcheck_result res;
	struct zone z;

	relay(&r);
	zone_init(&z);
	ck_assert_int_eq(zone_parse(&z, text, strlen(text), "d.example",
	    NULL), 0);
	mxcheck_init(&res);
	ck_assert_int_eq(mxcheck_run(&z, "d.example", &r, &res), 2);
	ck_assert_int_eq(res.state, MXS_MX);
	ck_assert_uint_eq(res.nmx, 3);
	ck_assert_str_eq(res.mx[0].host, "mail.d.example");
	ck_assert_uint_eq(res.mx[0].ncname, 1);
	ck_assert_str_eq(res.mx[0].cname[0], "server.d.example");
	ck_assert_uint_eq(res.mx[0].naddrs, 1);
	ck_assert_str_eq(res.mx[0].addrs[0], "192.0.2.10");
	ck_assert_int_eq(res.mx[0].relay, 0);
	ck_assert_int_eq(res.mx[1].relay, 1);
	ck_assert_int_eq(res.mx[2].addr_state, MXA_UNKNOWN);
	ck_assert_uint_eq(res.nunknown, 1);
	ck_assert_str_eq(res.unknown[0], "mx.isp.net");
	ck_assert_int_eq(res.f[1].code, MXC_ALIAS_A);
	/* Round robin over two relay addresses: the loop is explained. */
	ck_assert_ptr_nonnull(strstr(res.f[1].why, "30 Received"));
	ck_assert_uint_eq(res.f[1].nrecords, 3);
	ck_assert_ptr_null(res.error);
	/* The result is reusable. */
	ck_assert_int_eq(mxcheck_run(&z, "nowhere.example", &r, &res), -1);
	ck_assert_ptr_nonnull(res.error);
	ck_assert_int_eq(mxcheck_run(&z, "", &r, &res), -1);
	ck_assert_int_eq(mxcheck_run(&z, "a..b", &r, &res), -1);
	mxcheck_done(&res);
	zone_done(&z);
}
END_TEST

START_TEST(t_relay_from_data)
{
	/* Without --relay-addr, the relay name's records give it. */
	static const char text[] = Z("@ MX 10 mail\n@ MX 20 backup\n"
	    "mail A 192.0.2.10\nbackup A 192.0.2.25\n");
	struct mxcheck_relay r;
	struct mxcheck_result res;
	struct zone z;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(mxcheck_relay_add_name(&r, "mx2.relay.example"), 0);
	zone_init(&z);
	ck_assert_int_eq(zone_parse(&z, relay_zone, strlen(relay_zone), NULL,
	    NULL), 0);
	ck_assert_int_eq(zone_parse(&z, text, strlen(text), NULL, NULL), 0);
	mxcheck_init(&res);
	ck_assert_int_eq(mxcheck_run(&z, "d.example", &r, &res), 1);
	ck_assert_int_eq(res.f[0].code, MXC_ALIAS_A);
	mxcheck_done(&res);
	zone_done(&z);
}
END_TEST

START_TEST(t_codes)
{
	int i;

	for (i = 0; i < MXC__COUNT; i++)
		ck_assert_int_eq(mxcheck_code_parse(mxcheck_code_name(
		    (enum mxcheck_code)i)), i);
	ck_assert_int_eq(mxcheck_code_parse("mx-is-banana"), -1);
	ck_assert_str_eq(mxcheck_code_name(MXC_ALIAS_CNAME),
	    "alias-cname-to-relay");
	ck_assert_str_eq(mxcheck_code_name((enum mxcheck_code)99), "?");
}
END_TEST

START_TEST(t_addresses)
{
	struct mxcheck_relay r;

	ck_assert(mxcheck_addr_private("10.0.0.1"));
	ck_assert(mxcheck_addr_private("172.16.0.1"));
	ck_assert(mxcheck_addr_private("172.31.255.255"));
	ck_assert(!mxcheck_addr_private("172.32.0.1"));
	ck_assert(mxcheck_addr_private("192.168.0.1"));
	ck_assert(mxcheck_addr_private("127.0.0.1"));
	ck_assert(mxcheck_addr_private("169.254.1.1"));
	ck_assert(mxcheck_addr_private("100.64.0.1"));
	ck_assert(!mxcheck_addr_private("100.128.0.1"));
	ck_assert(mxcheck_addr_private("0.0.0.0"));
	ck_assert(mxcheck_addr_private("::1"));
	ck_assert(mxcheck_addr_private("::"));
	ck_assert(mxcheck_addr_private("fe80::1"));
	ck_assert(mxcheck_addr_private("fd12::1"));
	ck_assert(mxcheck_addr_private("::ffff:10.1.1.1"));
	ck_assert(!mxcheck_addr_private("2001:db8::1"));
	ck_assert(!mxcheck_addr_private("192.0.2.1"));
	ck_assert(!mxcheck_addr_private("8.8.8.8"));
	ck_assert(!mxcheck_addr_private("mail.example"));
	ck_assert(mxcheck_is_ip("10.11.12.13"));
	ck_assert(mxcheck_is_ip("2001:db8::1"));
	ck_assert(!mxcheck_is_ip("10.11.12.13.example"));
	ck_assert(!mxcheck_is_ip("10.11.12"));
	/* As people write them, and as canonical names (zone.h). */
	ck_assert(mxcheck_is_ip("[192.0.2.1]"));
	ck_assert(mxcheck_is_ip("[::1]"));
	ck_assert(mxcheck_is_ip("[IPv6:2001:db8::1]"));
	ck_assert(mxcheck_is_ip("2001\\058db8\\058\\0581"));
	ck_assert(mxcheck_is_ip("\\091\\058\\0581\\093"));
	ck_assert(mxcheck_is_ip("\\091ipv6\\0582001\\058db8\\058\\0581\\093"));
	ck_assert(mxcheck_is_ip("10\\.11.12.13"));
	ck_assert(!mxcheck_is_ip("2001\\058db8\\058\\0581.d.example"));
	ck_assert(!mxcheck_is_ip("[10.11.12]"));
	ck_assert(!mxcheck_is_ip("[IPv6:10.11.12.13]"));
	ck_assert(!mxcheck_is_ip("[IPv6:]"));
	ck_assert(!mxcheck_is_ip("2001\\058db8\\058\\0581\\000"));
	ck_assert(!mxcheck_is_ip("\\032::1"));
	ck_assert(!mxcheck_is_ip("::1\\"));
	ck_assert(!mxcheck_is_ip(""));
	ck_assert(!mxcheck_is_ip("[]"));

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(mxcheck_relay_add_addr(&r, "[2001:DB8::25]"), 0);
	ck_assert_str_eq(r.addrs[0], "2001:db8::25");
	ck_assert_int_eq(mxcheck_relay_add_addr(&r, "2001:db8:0::25"), 0);
	ck_assert_uint_eq(r.naddrs, 1);
	ck_assert_int_eq(mxcheck_relay_add_addr(&r, "mx.example"), -1);
	ck_assert_int_eq(mxcheck_relay_add_addr(&r, "192.0.2.256"), -1);
	ck_assert_int_eq(mxcheck_relay_add_name(&r, "Relay.Example."), 0);
	ck_assert_int_eq(mxcheck_relay_add_name(&r, "relay.example"), 0);
	ck_assert_uint_eq(r.nnames, 1);
	ck_assert(mxcheck_relay_has_name(&r, "relay.example"));
	ck_assert_int_eq(mxcheck_relay_add_name(&r, "a..b"), -1);
	ck_assert_int_eq(mxcheck_relay_add_name(&r, "."), -1);
}
END_TEST

/* Exim's local_interfaces as exim -bP prints it. */
static const struct {
	const char	*val;
	int		 n;
	const char	*first;
} ifaces[] = {
	{ "<; [192.0.2.25]:25 ; 2001:db8::25.25 ; 127.0.0.1", 2,
	  "192.0.2.25" },
	{ "0.0.0.0 : 192.0.2.7.25", 1, "192.0.2.7" },
	{ "192.0.2.8 : 2001::db8::::8", 2, "192.0.2.8" },
	{ "<; 127.0.0.1 ; ::1", 0, NULL },
	{ "", 0, NULL },
	{ "<", 0, NULL },
	{ "junk : [::0]:25 : 192.0.2.1.x", 0, NULL },
};

START_TEST(t_interfaces)
{
	struct mxcheck_relay r;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(mxcheck_relay_add_interfaces(&r, ifaces[_i].val),
	    ifaces[_i].n);
	if (ifaces[_i].first != NULL)
		ck_assert_str_eq(r.addrs[0], ifaces[_i].first);
	if (_i == 2)
		ck_assert_str_eq(r.addrs[1], "2001:db8::8");
}
END_TEST

/* ---- The parser ---- */

struct pcase {
	const char	*what;
	const char	*text;
	const char	*origin;
	size_t		 records, other, bad;
	const char	*rr;		/* zone_rr_str() of the first record */
	int		 complete;
};

static const struct pcase pcases[] = {
	{ "$ORIGIN, @ and relative names", "$ORIGIN x.\n@ 1h IN MX 10 mail\n",
	    NULL, 1, 0, 0, "x. MX 10 mail.x.", 0 },
	{ "the origin given", "www A 192.0.2.1\n", "e.example", 1, 0, 0,
	    "www.e.example. A 192.0.2.1", 0 },
	{ "class before TTL", "a.x. IN 300 A 192.0.2.1\n", NULL, 1, 0, 0,
	    "a.x. A 192.0.2.1", 0 },
	{ "no TTL, no class", "a.x. A 192.0.2.1\n", NULL, 1, 0, 0,
	    "a.x. A 192.0.2.1", 0 },
	{ "a blank owner repeats the last", "a.x. A 192.0.2.1\n"
	    "\tAAAA 2001:DB8:0::1\n", NULL, 2, 0, 0, "a.x. A 192.0.2.1", 0 },
	{ "SOA across lines, comments in it", "$TTL 300\nx. IN SOA ns.x. "
	    "h.x. ( 1 ; serial\n 2 3 4\n 5 ) ; done\nx. NS ns.x.\n", NULL, 2,
	    0, 0, "x. SOA", 1 },
	{ "other types and classes skipped", "x. TXT \"a;b\" \"c\\\"d\"\n"
	    "x. CH A 1.2.3.4\nx. TYPE99 \\# 0\nx. CAA 0 issue \"ca\"\n", NULL,
	    0, 4, 0, NULL, 0 },
	{ "$INCLUDE and $GENERATE are not followed", "$INCLUDE /etc/passwd\n"
	    "$GENERATE 1-9 h$ A 1.2.3.$\n", NULL, 0, 0, 2, NULL, 0 },
	{ "escapes and case", "A\\.B.X. A 192.0.2.1\n\\065\\046b.x. A "
	    "192.0.2.2\n", NULL, 2, 0, 0, "a\\.b.x. A 192.0.2.1", 0 },
	{ "bytes outside names are escaped", "a\\032b\\255.x. A 192.0.2.1\n",
	    NULL, 1, 0, 0, "a\\032b\\255.x. A 192.0.2.1", 0 },
	{ "CRLF lines", "a.x. A 192.0.2.1\r\nb.x. A 192.0.2.2\r\n", NULL, 2,
	    0, 0, "a.x. A 192.0.2.1", 0 },
	{ "a relative name without origin", "www A 192.0.2.1\n", NULL, 0, 0,
	    1, NULL, 0 },
	{ "bad records", "a.x. A 999.1.1.1\na.x. MX 70000 m.x.\n"
	    "a.x. MX m.x.\na.x. A\na.x. FOO bar\na..x. A 192.0.2.1\n"
	    "a.x. CNAME b.x. c.x.\n", NULL, 0, 0, 7, NULL, 0 },
	{ "a label over 63", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaa.x. A 192.0.2.1\n", NULL, 0, 0, 1, NULL, 0 },
	{ "unbalanced parentheses", "x. SOA ns.x. h.x. ( 1 2 3 4 5\n", NULL,
	    0, 0, 1, NULL, 0 },
	{ "a ')' alone", "x. A 192.0.2.1 )\n", NULL, 0, 0, 1, NULL, 0 },
	{ "an unclosed quote", "x. TXT \"abc\n", NULL, 0, 0, 1, NULL, 0 },
	{ "duplicates kept once", "x. A 192.0.2.1\nX. 60 IN A 192.0.2.1\n",
	    NULL, 2, 0, 0, "x. A 192.0.2.1", 0 },
	{ "the null MX", "x. MX 0 .\n", NULL, 1, 0, 0, "x. MX 0 .", 0 },
	{ "one SOA in dig output is not a zone",
	    "x. 300 IN SOA ns.x. h.x. 1 2 3 4 5\n", NULL, 1, 0, 0, "x. SOA",
	    0 },
	{ "shell prompts are bad lines", "$ dig x MX +noall +answer\n"
	    "x. 300 IN MX 10 m.x.\n", NULL, 1, 0, 1, "x. MX 10 m.x.", 0 },
};

START_TEST(t_parse)
{
	const struct pcase *c = &pcases[_i];
	struct zone z;
	struct zone_report rep;
	char line[2 * ZONE_NAME_MAX], *copy;
	size_t n = strlen(c->text);

	/* Exactly the bytes of the text: no NUL after them. */
	copy = malloc(n);
	memcpy(copy, c->text, n);
	zone_init(&z);
	ck_assert_int_eq(zone_parse(&z, copy, n, c->origin, &rep), 0);
	ck_assert_msg(rep.records == c->records && rep.other == c->other &&
	    rep.bad == c->bad, "%s: %zu records, %zu other, %zu bad (%s); "
	    "wanted %zu, %zu, %zu", c->what, rep.records, rep.other, rep.bad,
	    rep.why, c->records, c->other, c->bad);
	if (c->rr != NULL) {
		ck_assert_uint_gt(z.nrr, 0);
		ck_assert_str_eq(zone_rr_str(&z.rr[0], line, sizeof(line)),
		    c->rr);
	}
	ck_assert_int_eq(rep.complete, c->complete);
	zone_done(&z);
	free(copy);
}
END_TEST

START_TEST(t_states)
{
	static const char text[] = "$ORIGIN x.\n@ SOA ns h 1 2 3 4 5\n"
	    "a.b A 192.0.2.1\nsub NS ns.elsewhere.\nc CNAME a.b\n";
	struct zone z;

	zone_init(&z);
	ck_assert_int_eq(zone_parse(&z, text, strlen(text), NULL, NULL), 0);
	ck_assert_int_eq(zone_state(&z, "a.b.x", ZONE_A), ZONE_HAS);
	ck_assert_int_eq(zone_state(&z, "a.b.x", ZONE_AAAA), ZONE_NODATA);
	ck_assert_int_eq(zone_state(&z, "b.x", ZONE_A), ZONE_NODATA);
	ck_assert_int_eq(zone_state(&z, "nx.x", ZONE_A), ZONE_NXDOMAIN);
	ck_assert_int_eq(zone_state(&z, "h.sub.x", ZONE_A), ZONE_UNKNOWN);
	ck_assert_int_eq(zone_state(&z, "other", ZONE_A), ZONE_UNKNOWN);
	ck_assert_int_eq(zone_state(&z, "c.x", ZONE_CNAME), ZONE_HAS);
	zone_set_state(&z, "other", ZONE_A, ZONE_FAILED);
	ck_assert_int_eq(zone_state(&z, "other", ZONE_A), ZONE_FAILED);
	ck_assert_int_eq(zone_state(&z, "other", ZONE_AAAA), ZONE_UNKNOWN);
	zone_set_state(&z, "other", ZONE_A, ZONE_NXDOMAIN);
	ck_assert_int_eq(zone_add(&z, "other", ZONE_A, 1, 0, "192.0.2.9"), 0);
	ck_assert_int_eq(zone_state(&z, "other", ZONE_A), ZONE_HAS);
	ck_assert_int_eq(zone_add(&z, "other", ZONE_A, 1, 0, "192.0.2.9"), 1);
	ck_assert(zone_name_under("a.b.x", "x"));
	ck_assert(zone_name_under("x", "x"));
	ck_assert(!zone_name_under("ax", "x"));
	ck_assert(!zone_name_under("a\\.x", "x"));
	ck_assert(zone_name_under("a\\\\.x", "x"));
	ck_assert(zone_name_under("anything", ""));
	zone_done(&z);
}
END_TEST

START_TEST(t_canon)
{
	char out[ZONE_NAME_MAX], big[600];
	size_t i;

	ck_assert_int_eq(zone_name_canon("Mail.Example.COM.", 17, NULL, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "mail.example.com");
	ck_assert_int_eq(zone_name_canon("@", 1, "o.example", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "o.example");
	ck_assert_int_eq(zone_name_canon("@", 1, NULL, out, sizeof(out)), -1);
	ck_assert_int_eq(zone_name_canon(".", 1, NULL, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(zone_name_canon("www", 3, "", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "www");
	ck_assert_int_eq(zone_name_canon("a\\", 2, NULL, out, sizeof(out)),
	    -1);
	ck_assert_int_eq(zone_name_canon("a\\25", 4, NULL, out, sizeof(out)),
	    -1);
	ck_assert_int_eq(zone_name_canon("a\\256.", 6, NULL, out,
	    sizeof(out)), -1);
	ck_assert_int_eq(zone_name_canon("", 0, NULL, out, sizeof(out)), -1);
	/* 255 octets at most, the root's included. */
	for (i = 0; i < 4 * 62; i += 62) {
		memset(big + i, 'a', 61);
		big[i + 61] = '.';
	}
	ck_assert_int_eq(zone_name_canon(big, 248, NULL, out, sizeof(out)), 0);
	memcpy(big + 248, "abcdef.", 7);
	ck_assert_int_eq(zone_name_canon(big, 255, NULL, out, sizeof(out)),
	    -1);
	ck_assert_int_eq(zone_name_canon(big, 248, NULL, out, 20), -1);
}
END_TEST

/* Inputs that end in the middle of a token: each must be read without
 * a byte past its end (ASan in `make sanitize`), and what the fuzzer
 * tried hardest. */
static const char *const edges[] = {
	"x. TYPE1", "x. CLASS1", "x. MX 1", "x. A 1.2.3.4 \\", "\"", "x. (",
	"\\", ";", "$", "$ORIGIN", "$TTL 1h3", "x. 1w2d3h4m5s A 1.2.3.4",
	";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN",
	";; ->>HEADER<<- status: NOERROR\n;; QUESTION SECTION:\n;x. IN",
	";; ->>HEADER<<- status: NOERROR\n;; QUESTION SECTION:\n;x. IN A",
	"x. 99999999999 A 1.2.3.4", "x. MX 00010 y.", "\t A 1.2.3.4",
	"x. CNAME x.\n", "a. CNAME b.\nb. CNAME a.\n;; ->>HEADER<<- status: "
	"NXDOMAIN\n;; QUESTION SECTION:\n;a. IN A\n",
};

START_TEST(t_edges)
{
	struct zone z;
	size_t n = strlen(edges[_i]);
	char *copy = malloc(n + 1);

	memcpy(copy, edges[_i], n);
	zone_init(&z);
	ck_assert_int_eq(zone_parse(&z, copy, n, "o", NULL), 0);
	zone_done(&z);
	free(copy);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("mxcheck");
	TCase	*tc;

	tc = tcase_create("findings");
	tcase_add_loop_test(tc, t_findings, 0, sizeof(fcases) /
	    sizeof(fcases[0]));
	tcase_add_test(tc, t_details);
	tcase_add_test(tc, t_relay_from_data);
	tcase_add_test(tc, t_codes);
	suite_add_tcase(s, tc);
	tc = tcase_create("relay");
	tcase_add_test(tc, t_addresses);
	tcase_add_loop_test(tc, t_interfaces, 0, sizeof(ifaces) /
	    sizeof(ifaces[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("parser");
	tcase_add_loop_test(tc, t_parse, 0, sizeof(pcases) / sizeof(pcases[0]));
	tcase_add_test(tc, t_states);
	tcase_add_test(tc, t_canon);
	tcase_add_loop_test(tc, t_edges, 0, sizeof(edges) / sizeof(edges[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
