/* check_classify.c -- error text -> class, on real Exim lines. */
#include "model/classify.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

struct row {
	const char	*text;
	enum class_id	 cls;
};

/* Texts as classify sees them: what follows "defer (N)" on "==" lines,
 * what follows " : " on "**" lines, callout details and per-host lines.
 * Sources: exim-spool.md 7.4, 7.5, 7.7, 7.8 (test/log lines), and
 * exim-sandbox.md "What the logs look like". */
static const struct row rows[] = {
	/* offline */
	{ "Connection refused", CLASS_OFFLINE },
	{ "Connection timed out", CLASS_OFFLINE },
	{ "Network is unreachable", CLASS_OFFLINE },
	{ "No route to host", CLASS_OFFLINE },
	{ "H=127.0.1.1 [127.0.1.1] Connection refused", CLASS_OFFLINE },
	{ "all hosts for 'test.ex' have been failing for a long time (and "
	  "retry time not reached)", CLASS_OFFLINE },
	{ "Could not complete recipient verify callout: 127.0.1.1 "
	  "[127.0.1.1] : Connection refused", CLASS_OFFLINE },
	/* tarpit */
	{ "Connection timed out H=127.0.0.1 [127.0.0.1]: SMTP timeout after "
	  "EHLO myhost.test.ex", CLASS_TARPIT },
	{ "Connection timed out H=127.0.0.1 [127.0.0.1]: SMTP timeout after "
	  "RCPT TO:<userx1@test.ex>", CLASS_TARPIT },
	{ "Connection timed out H=127.0.1.2 [127.0.1.2]: SMTP timeout after "
	  "initial connection", CLASS_TARPIT },
	{ "SMTP timeout after end of data (2969 bytes written)", CLASS_TARPIT },
	{ "SMTP timeout after sending data block", CLASS_TARPIT },
	{ "SMTP timeout after pipelined MAIL FROM:<a@b> SIZE=2969",
	  CLASS_TARPIT },
	{ "Could not complete recipient verify callout: 127.0.0.1 "
	  "[127.0.0.1] : SMTP timeout after initial connection", CLASS_TARPIT },
	{ "H=127.0.0.1 [127.0.0.1]: SMTP timeout after EHLO myhost.test.ex: "
	  "Connection timed out", CLASS_TARPIT },
	/* ratelimit */
	{ "H=127.0.1.4 [127.0.1.4]: SMTP error from remote mail server after "
	  "initial connection: 421 4.7.0 Too many connections, try later",
	  CLASS_RATELIMIT },
	{ "H=127.0.1.4 [127.0.1.4]: SMTP error from remote mail server after "
	  "pipelined MAIL FROM:<a@b.example> SIZE=1234: 421 too many "
	  "connections", CLASS_RATELIMIT },
	{ "H=localhost4.test.ex [127.0.0.1]: SMTP error from remote mail "
	  "server after initial connection: 450 I'm busy", CLASS_RATELIMIT },
	{ "451 4.7.1 Too many connections from your IP", CLASS_RATELIMIT },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 452 4.5.3 Too many recipients", CLASS_RATELIMIT },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after MAIL "
	  "FROM:<a@b>: 451 4.7.1 Please try later", CLASS_RATELIMIT },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 450 4.2.0 Greylisted, see http://x", CLASS_GREYLIST },
	{ "H=127.0.0.1 [127.0.0.1]: Remote host closed connection in "
	  "response to initial connection", CLASS_RATELIMIT },
	/* softreject */
	{ "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after "
	  "RCPT TO:<x@y>: 451 Temporary error", CLASS_SOFTREJECT },
	{ "H=127.0.1.5 [127.0.1.5]: SMTP error from remote mail server after "
	  "RCPT TO:<nobody@soft.example>: 450 4.1.1 <nobody@soft.example>: "
	  "Recipient address rejected: User unknown", CLASS_SOFTREJECT },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 450 Requested mail action not taken: mailbox "
	  "unavailable", CLASS_SOFTREJECT },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 451 no such user", CLASS_SOFTREJECT },
	{ "Could not complete recipient verify callout: 127.0.0.1 "
	  "[127.0.0.1] : SMTP error from remote mail server after RCPT "
	  "TO:<userg@test.ex>: 451 not right now", CLASS_SOFTREJECT },
	/* blocked */
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 550 5.7.1 Service unavailable; client host [192.0.2.9] "
	  "blocked using zen.spamhaus.org", CLASS_BLOCKED },
	{ "H=127.0.1.6 [127.0.1.6]: SMTP error from remote mail server after "
	  "RCPT TO:<a@spam.example>: 550 Message rejected as spam",
	  CLASS_BLOCKED },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after end of "
	  "data: 554 5.7.1 Rejected by policy", CLASS_BLOCKED },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after MAIL "
	  "FROM:<a@b>: 550 5.7.1 Poor reputation of sending IP",
	  CLASS_BLOCKED },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after initial "
	  "connection: 554 mx.example ESMTP not accepting messages",
	  CLASS_BLOCKED },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 451 4.7.1 Your IP is listed at bl.example, blacklisted",
	  CLASS_BLOCKED },
	/* hardreject */
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 550 5.1.1 <a@b>: Recipient address rejected: User "
	  "unknown in virtual mailbox table", CLASS_HARDREJECT },
	{ "H=127.0.0.1 [127.0.0.1] : SMTP error from remote mail server "
	  "after RCPT TO:<c@test.ex>: 550 Perm error", CLASS_HARDREJECT },
	{ "127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after "
	  "RCPT TO:<z@remote.domain>: 550 Recipient not liked",
	  CLASS_HARDREJECT },
	{ "Previous (cached) callout verification failure", CLASS_HARDREJECT },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 550 Unrouteable address", CLASS_HARDREJECT },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after RCPT "
	  "TO:<a@b>: 550-5.1.1 The email account that you tried to reach "
	  "does not exist.\\n550 5.1.1 Please try again", CLASS_HARDREJECT },
	/* dns */
	{ "host lookup did not complete", CLASS_DNS },
	{ "Unrouteable address", CLASS_DNS },
	{ "all relevant MX records point to non-existent hosts",
	  CLASS_DNS },
	{ "all relevant MX records point to non-existent hosts or "
	  "(invalidly) to IP addresses", CLASS_DNS },
	{ "lowest numbered MX record points to local host", CLASS_DNS },
	{ "remote host address is the local host", CLASS_DNS },
	{ "all host address lookups for 'x.example' failed temporarily",
	  CLASS_DNS },
	{ "some host address lookups failed and retry time not reached for "
	  "other hosts or connection limit reached for 'x.example'",
	  CLASS_DNS },
	/* loop */
	{ "Too many \"Received\" headers - suspected mail loop", CLASS_LOOP },
	{ "H=mx [192.0.2.1]: SMTP error from remote mail server after end of "
	  "data: 550 Too many \"Received\" headers - suspected mail loop",
	  CLASS_LOOP },
	/* other */
	{ "", CLASS_OTHER },
	{ "TLS session: (SSL_connect): error", CLASS_OTHER },
	{ "DANE error: tlsa lookup DEFER", CLASS_OTHER },
	{ "H=127.0.0.1 [127.0.0.1]: Remote host closed connection in "
	  "response to DATA", CLASS_OTHER },
	{ "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after "
	  "end of data: 451 not right now", CLASS_OTHER },
	{ "Could not complete recipient verify callout", CLASS_OTHER },
	{ "delivery cancelled; message timed out", CLASS_OTHER },
	/* skips: not attempts */
	{ "retry time not reached for any host for 'simple'", CLASS_NONE },
	{ "retry time not reached", CLASS_NONE },
	{ "Retry time not yet reached", CLASS_NONE },
	/* host names must not drive the class */
	{ "H=spam-block.example [192.0.2.7] Connection refused",
	  CLASS_OFFLINE },
};

START_TEST(t_table)
{
	const struct row	*r = &rows[_i];
	enum class_id		 c;

	c = class_of_text(r->text, strlen(r->text));
	ck_assert_msg(c == r->cls, "\"%s\": got %s, want %s", r->text,
	    class_name(c), class_name(r->cls));
	ck_assert_int_eq(class_is_skip(r->text, strlen(r->text)),
	    r->cls == CLASS_NONE);
}
END_TEST

START_TEST(t_len_bounded)
{
	/* The text need not be NUL-terminated. */
	const char	 t[] = "Connection refusedXXXX SMTP timeout after EHLO";

	ck_assert_int_eq(class_of_text(t, 18), CLASS_OFFLINE);
	ck_assert_int_eq(class_of_text(t, sizeof(t) - 1), CLASS_TARPIT);
	ck_assert_int_eq(class_of_text(NULL, 0), CLASS_OTHER);
}
END_TEST

START_TEST(t_names)
{
	int	 i;

	for (i = 0; i < CLASS__COUNT; i++) {
		ck_assert_int_eq(class_from_name(class_name(i)), i);
		ck_assert_ptr_nonnull(class_advice(i));
	}
	ck_assert_str_eq(class_name(CLASS_TARPIT), "tarpit");
	ck_assert_str_eq(class_name(CLASS_SOFTREJECT), "softreject");
	ck_assert_int_eq(class_from_name("TARPIT"), CLASS_TARPIT);
	ck_assert_int_eq(class_from_name("nonsense"), -1);
	ck_assert_int_eq(class_from_name(NULL), -1);
	ck_assert_str_eq(class_name((enum class_id)99), "other");
	ck_assert_ptr_nonnull(strstr(class_advice(CLASS_TARPIT), "whitelist"));
	ck_assert_ptr_nonnull(strstr(class_advice(CLASS_SOFTREJECT), "5xx"));
	ck_assert_ptr_nonnull(strstr(class_advice(CLASS_DNS), "CNAME"));
}
END_TEST

START_TEST(t_code)
{
	char		 enh[12];

	const char	*t = "SMTP error from remote mail server after RCPT "
	    "TO:<a@b>: 550 5.1.1 unknown";

	ck_assert_int_eq(class_smtp_code(t, strlen(t), enh), 550);
	ck_assert_str_eq(enh, "5.1.1");
	ck_assert_int_eq(class_smtp_code("450 I'm busy", 12, enh), 450);
	ck_assert_str_eq(enh, "");
	ck_assert_int_eq(class_smtp_code("H=x [127.0.0.1]: 4501", 21, enh), 0);
	ck_assert_int_eq(class_smtp_code("was: 550-5.7.1 no", 17, enh), 550);
	ck_assert_str_eq(enh, "5.7.1");
}
END_TEST

START_TEST(t_mix)
{
	struct class_mix	 m;

	class_mix_init(&m);
	ck_assert_int_eq(class_mix_dominant(&m), CLASS_NONE);
	class_mix_add(&m, CLASS_NONE);
	class_mix_add(&m, (enum class_id)77);
	ck_assert_uint_eq(class_mix_total(&m), 0);
	class_mix_add(&m, CLASS_DNS);
	class_mix_add(&m, CLASS_TARPIT);
	ck_assert_int_eq(class_mix_dominant(&m), CLASS_TARPIT);	/* tie */
	class_mix_add(&m, CLASS_DNS);
	ck_assert_int_eq(class_mix_dominant(&m), CLASS_DNS);
	ck_assert_uint_eq(class_mix_total(&m), 3);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("classify");
	TCase	*tc;

	tc = tcase_create("table");
	tcase_add_loop_test(tc, t_table, 0, sizeof(rows) / sizeof(rows[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("api");
	tcase_add_test(tc, t_len_bounded);
	tcase_add_test(tc, t_names);
	tcase_add_test(tc, t_code);
	tcase_add_test(tc, t_mix);
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
