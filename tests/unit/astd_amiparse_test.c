/*
 * The AMI parser: any split of the input gives the same blocks, CRLF and
 * LF alike; overlong lines and blocks are cut but bounded, a missing
 * blank line is recovered, binary garbage is survived.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "astd/amiparse.h"

/* Every block and banner seen, serialised: "key=val|...;\n". */
struct sink {
	char	*out;
	size_t	 len;
	FILE	*fp;
	int	 truncated;
	size_t	 max_fields;
};

static void
on_msg(const struct ami_msg *m, void *arg)
{
	struct sink	*s = arg;
	size_t		 i;

	for (i = 0; i < m->nfields; i++)
		fprintf(s->fp, "%s=%s|", m->f[i].key, m->f[i].val);
	fprintf(s->fp, "%s;\n", m->truncated ? "T" : "");
	if (m->truncated)
		s->truncated++;
	if (m->nfields > s->max_fields)
		s->max_fields = m->nfields;
}

static void
on_banner(const char *v, void *arg)
{
	struct sink	*s = arg;

	fprintf(s->fp, "BANNER %s\n", v);
}

static void
sink_open(struct sink *s, struct ami_parser *p)
{
	memset(s, 0, sizeof(*s));
	assert_non_null(s->fp = open_memstream(&s->out, &s->len));
	ami_parser_init(p, on_msg, on_banner, s);
}

static void
sink_close(struct sink *s)
{
	fclose(s->fp);
}

static const char stream[] =
    "Asterisk Call Manager/9.0.0\r\n"
    "Response: Success\r\nActionID: trunkd-1\r\n"
    "Message: Authentication accepted\r\n\r\n"
    "Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 5\r\n"
    "LastReload: 5\r\nStatus: Fully Booted\r\n\r\n"
    "Event: ChallengeResponseFailed\r\nPrivilege: security,all\r\n"
    "EventTV: 2024-05-01T10:00:00.000+0000\r\nSeverity: Error\r\n"
    "Service: PJSIP\r\nEventVersion: 1\r\nAccountID: 100\r\n"
    "SessionID: 1-2@x\r\nLocalAddress: IPV4/UDP/192.0.2.1/5060\r\n"
    "RemoteAddress: IPV4/UDP/203.0.113.5/5060\r\nChallenge: abc\r\n"
    "Response: def\r\nExpectedResponse: \r\n\r\n"
    "Response: Error\r\nActionID: trunkd-2\r\n"
    "Message: Unable to retrieve endpoint x\n\r\n\r\n";

static char *
parse_whole(const char *in, size_t len)
{
	struct ami_parser	p;
	struct sink		s;

	sink_open(&s, &p);
	ami_parser_feed(&p, in, len);
	sink_close(&s);
	return s.out;
}

static void
splits(void **state)
{
	struct ami_parser	 p;
	struct sink		 s;
	char			*want;
	size_t			 len = sizeof(stream) - 1, i, j;

	(void)state;
	want = parse_whole(stream, len);
	assert_non_null(strstr(want, "BANNER 9.0.0\n"));
	assert_non_null(strstr(want, "Event=ChallengeResponseFailed|"));
	assert_non_null(strstr(want, "Response=def|ExpectedResponse=|;"));
	/* Two pieces, split at every byte. */
	for (i = 0; i <= len; i++) {
		sink_open(&s, &p);
		ami_parser_feed(&p, stream, i);
		ami_parser_feed(&p, stream + i, len - i);
		sink_close(&s);
		assert_string_equal(s.out, want);
		free(s.out);
	}
	/* One byte at a time, and three pieces. */
	sink_open(&s, &p);
	for (i = 0; i < len; i++)
		ami_parser_feed(&p, stream + i, 1);
	sink_close(&s);
	assert_string_equal(s.out, want);
	free(s.out);
	for (i = 0; i < len; i += 7)
		for (j = i; j <= len; j += 13) {
			sink_open(&s, &p);
			ami_parser_feed(&p, stream, i);
			ami_parser_feed(&p, stream + i, j - i);
			ami_parser_feed(&p, stream + j, len - j);
			sink_close(&s);
			assert_string_equal(s.out, want);
			free(s.out);
		}
	free(want);
}

static void
lf_only(void **state)
{
	char	*crlf, *lf, *in, *q;
	const char *r;

	(void)state;
	crlf = parse_whole(stream, sizeof(stream) - 1);
	assert_non_null(in = malloc(sizeof(stream)));
	for (r = stream, q = in; *r != '\0'; r++)
		if (*r != '\r')
			*q++ = *r;
	lf = parse_whole(in, (size_t)(q - in));
	assert_string_equal(crlf, lf);
	free(in);
	free(crlf);
	free(lf);
}

static void
long_line(void **state)
{
	struct ami_parser	 p;
	struct sink		 s;
	char			*big, *v;
	size_t			 n = 100000;

	(void)state;
	sink_open(&s, &p);
	assert_non_null(big = malloc(n));
	memset(big, 'A', n);
	ami_parser_feed(&p, "Event: InvalidAccountID\r\nAccountID: ", 36);
	ami_parser_feed(&p, big, n);
	ami_parser_feed(&p, "\r\nRemoteAddress: IPV4/UDP/198.51.100.7/5060"
	    "\r\n\r\nEvent: Next\r\n\r\n", 62);
	sink_close(&s);
	assert_int_equal(s.truncated, 1);
	/* The address after the cut line survives; the next block too. */
	assert_non_null(strstr(s.out,
	    "RemoteAddress=IPV4/UDP/198.51.100.7/5060|T;\n"));
	assert_non_null(strstr(s.out, "Event=Next|;\n"));
	v = strstr(s.out, "AccountID=");
	assert_non_null(v);
	assert_true(strchr(v, '|') - v - 10 <= AMI_LINE_MAX);
	free(big);
	free(s.out);
}

static void
big_block(void **state)
{
	struct ami_parser	 p;
	struct sink		 s;
	char			 line[64];
	int			 i;

	(void)state;
	sink_open(&s, &p);
	ami_parser_feed(&p, "Event: Flood\r\n", 14);
	for (i = 0; i < 5000; i++) {
		snprintf(line, sizeof(line), "Key%d: %0*d\r\n", i, 20, i);
		ami_parser_feed(&p, line, strlen(line));
	}
	ami_parser_feed(&p, "\r\nEvent: After\r\n\r\n", 18);
	sink_close(&s);
	assert_int_equal(s.truncated, 1);
	assert_true(s.max_fields <= AMI_FIELDS_MAX);
	assert_non_null(strstr(s.out, "Event=After|;\n"));
	assert_true(p.n_truncated == 1 && p.n_msgs == 2);
	free(s.out);
}

static void
missing_blank(void **state)
{
	char	*out;
	static const char in[] =
	    "Event: A\r\nX: 1\r\nEvent: B\r\nY: 2\r\n"
	    "Response: Success\r\nActionID: 1\r\n"
	    "Response: Error\r\nActionID: 2\r\n\r\n"
	    "Event: ChallengeResponseFailed\r\nResponse: x\r\n\r\n";

	(void)state;
	out = parse_whole(in, sizeof(in) - 1);
	/* "Response" after Event fields is a field (security events). */
	assert_string_equal(out,
	    "Event=A|X=1|;\n"
	    "Event=B|Y=2|Response=Success|ActionID=1|;\n"
	    "Response=Error|ActionID=2|;\n"
	    "Event=ChallengeResponseFailed|Response=x|;\n");
	free(out);
}

static void
bad_lines(void **state)
{
	struct ami_parser	 p;
	struct sink		 s;
	static const char	 in[] =
	    "no colon here\r\n: empty key\r\nBad Key: x\r\n"
	    "Event: X\r\nVal: a\x01" "b\x7f" "c\xff\r\nAsterisk Call "
	    "Manager/1.0\r\n\r\n";

	(void)state;
	sink_open(&s, &p);
	ami_parser_feed(&p, in, sizeof(in) - 1);
	sink_close(&s);
	assert_string_equal(s.out, "Event=X|Val=a?b?c?|;\n");
	assert_int_equal(p.n_bad_lines, 4);
	free(s.out);
}

static void
garbage(void **state)
{
	struct ami_parser	 p;
	struct sink		 s;
	char			 buf[4096];
	unsigned int		 seed = 12345, k;
	size_t			 i, n;

	(void)state;
	sink_open(&s, &p);
	for (k = 0; k < 2000; k++) {
		n = (size_t)(rand_r(&seed) % sizeof(buf));
		for (i = 0; i < n; i++) {
			buf[i] = (char)rand_r(&seed);
			/* Some structure now and then. */
			if (rand_r(&seed) % 17 == 0)
				buf[i] = "\r\n: "[rand_r(&seed) % 4];
		}
		ami_parser_feed(&p, buf, n);
	}
	fclose(s.fp);
	free(s.out);
	/* After garbage and a blank line, a block parses cleanly. */
	assert_non_null(s.fp = open_memstream(&s.out, &s.len));
	ami_parser_feed(&p, "\r\n\r\nEvent: Clean\r\nA: b\r\n\r\n", 26);
	fclose(s.fp);
	assert_non_null(strstr(s.out, "Event=Clean|A=b|;\n"));
	free(s.out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splits),
		cmocka_unit_test(lf_only),
		cmocka_unit_test(long_line),
		cmocka_unit_test(big_block),
		cmocka_unit_test(missing_blank),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
