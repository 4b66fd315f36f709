/* spoolgen.c -- write a large synthetic Exim spool for the benchmark.
 *
 *	spoolgen DIR COUNT [DOMAINS] [SPLIT]
 *
 * Writes COUNT messages (-H and -D, Exim 4.96 format, 16-character ids)
 * into DIR/input (or DIR/input/<c>/ when SPLIT is 1), with 1 to 3
 * recipients spread over DOMAINS customer domains and ages over ten days,
 * plus an msglog per message with a few deferrals.  The benchmark checks
 * that `exim -bp` accepts every file it writes.  Test tooling only: it
 * never touches a real spool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void
enc(char *out, unsigned long long v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		out[i] = b62[v % 62];
		v /= 62;
	}
}

static void
mkdirs(const char *p)
{
	if (mkdir(p, 0750) < 0 && errno != EEXIST) {
		perror(p);
		exit(1);
	}
}

static FILE *
open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	return f;
}

int
main(int argc, char **argv)
{
	const char *dir;
	long count, ndom = 200, i, r, nr, j;
	int split = 0;
	char path[4096], id[17], hdrs[8192], sub[4];
	unsigned long long t0, t;
	unsigned seed = 42;
	FILE *f;
	size_t hl, bl;
	static char body[65536];

	if (argc < 3) {
		fprintf(stderr, "usage: spoolgen DIR COUNT [DOMAINS] [SPLIT]\n");
		return 2;
	}
	dir = argv[1];
	count = atol(argv[2]);
	if (argc > 3)
		ndom = atol(argv[3]);
	if (argc > 4)
		split = atoi(argv[4]);
	if (count <= 0 || ndom <= 0)
		return 2;
	for (i = 0; i < (long)sizeof(body); i++)
		body[i] = (i % 72 == 71) ? '\n' : (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/input", dir);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/msglog", dir);
	mkdirs(path);
	t0 = (unsigned long long)time(NULL) - 10ULL * 86400;
	id[16] = '\0';
	for (i = 0; i < count; i++) {
		t = t0 + (unsigned long long)i * 864000ULL / (unsigned long long)count;
		enc(id, t, 6);
		id[6] = '-';
		enc(id + 7, 1000 + (unsigned long long)i, 6);
		id[13] = '-';
		enc(id + 14, (unsigned long long)(i % 3844), 2);
		sub[0] = '\0';
		if (split) {
			snprintf(sub, sizeof(sub), "/%c", id[5]);
			snprintf(path, sizeof(path), "%s/input%s", dir, sub);
			mkdirs(path);
			snprintf(path, sizeof(path), "%s/msglog%s", dir, sub);
			mkdirs(path);
		}
		nr = 1 + rand_r(&seed) % 3;
		/* Headers first: their lengths go into -H. */
		hl = 0;
		{
			char h1[512], h2[256], h3[256], h4[256];
			int l1, l2, l3, l4;

			l1 = snprintf(h1, sizeof(h1), "Received: from "
			    "mail%ld.sender.example ([192.0.2.%ld])\n\tby "
			    "relay.test with esmtp (Exim 4.96)\n\tid %s\n\tfor "
			    "user@example.net; Mon, 01 Jan 2024 00:00:00 +0000\n",
			    i % 50, i % 250, id);
			l2 = snprintf(h2, sizeof(h2), "From: Sender %ld "
			    "<s%ld@sender%ld.example>\n", i, i, i % 50);
			l3 = snprintf(h3, sizeof(h3), "Subject: Bench message "
			    "%ld\n", i);
			l4 = snprintf(h4, sizeof(h4), "Message-ID: <%s@sender"
			    ".example>\n", id);
			hl = (size_t)snprintf(hdrs, sizeof(hdrs),
			    "%03dP %s%03dF %s%03d  %s%03dI %s", l1, h1, l2, h2,
			    l3, h3, l4, h4);
		}
		snprintf(path, sizeof(path), "%s/input%s/%s-H", dir, sub, id);
		f = open_out(path);
		fprintf(f, "%s-H\nDebian-exim 102 105\n<s%ld@sender%ld.example>\n"
		    "%llu 0\n-received_time_usec .%06ld\n"
		    "-received_time_complete %llu.%06ld\n"
		    "--helo_name mail%ld.sender.example\n"
		    "-host_address [192.0.2.%ld]:%ld\n"
		    "-interface_address [127.0.0.1]:25\n"
		    "-received_protocol esmtp\n-body_linecount %ld\n"
		    "-max_received_linelength 72\n%s", id, i, i % 50, t,
		    i % 1000000, t, i % 1000000, i % 50, i % 250,
		    10000 + i % 50000, 10 + i % 100,
		    i % 7 == 0 ? "-frozen 1700000000\n" : "");
		if (nr > 1 && i % 5 == 0)
			fprintf(f, "NN u%ld@d%ld.example\n", i, (i + 1) % ndom);
		else
			fprintf(f, "XX\n");
		fprintf(f, "%ld\n", nr);
		for (r = 0; r < nr; r++)
			fprintf(f, "u%ld@d%ld.example\n", i, (i + r) % ndom);
		fprintf(f, "\n");
		fwrite(hdrs, 1, hl, f);
		fclose(f);
		snprintf(path, sizeof(path), "%s/input%s/%s-D", dir, sub, id);
		f = open_out(path);
		bl = (size_t)(200 + rand_r(&seed) % 4000);
		fprintf(f, "%s-D\n", id);
		fwrite(body, 1, bl, f);
		fclose(f);
		snprintf(path, sizeof(path), "%s/msglog%s/%s", dir, sub, id);
		f = open_out(path);
		fprintf(f, "2024-01-01 00:00:00 Received from s%ld@sender.example "
		    "H=(mail.sender.example) [192.0.2.1] P=esmtp S=%zu\n", i,
		    bl + hl);
		for (j = 0; j < 3; j++)
			fprintf(f, "2024-01-01 0%ld:00:00 u%ld@d%ld.example "
			    "R=relay T=remote_smtp defer (110): Connection timed "
			    "out H=127.0.1.1 [127.0.1.1]: SMTP timeout after "
			    "initial connection\n", j + 1, i, i % ndom);
		fclose(f);
	}
	return 0;
}
