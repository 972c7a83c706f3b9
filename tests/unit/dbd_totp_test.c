/*
 * dbd's TOTP step-up as a pure function of (time, state): RFC 6238
 * vectors, the window of one step either side, replays, and the lockout
 * with its release at exactly the configured time, on a fake clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dbd/totp.h"

/* RFC 6238 appendix B's SHA-1 secret. */
static const uint8_t	secret[] = "12345678901234567890";
#define SLEN		20
#define T0		1111111109	/* a vector's time, mid-step */

static const struct totp_policy pol = { 5, 900 };

static void
code_at(time_t t, char *out)
{
	assert_int_equal(totp_code(secret, SLEN, t, out), 0);
}

static void
test_rfc_vectors(void **state)
{
	char	c[TOTP_DIGITS + 1];

	/* The RFC's 8-digit codes, cut to their last six digits. */
	code_at(59, c);
	assert_string_equal(c, "287082");
	code_at(1111111109, c);
	assert_string_equal(c, "081804");
	code_at(2000000000, c);
	assert_string_equal(c, "279037");
}

static void
test_window(void **state)
{
	struct totp_state	st;
	char			c[TOTP_DIGITS + 1];
	int			d;

	for (d = -1; d <= 1; d++) {
		memset(&st, 0, sizeof(st));
		code_at(T0 + d * TOTP_STEP, c);
		assert_int_equal(totp_check(secret, SLEN, c, T0, &pol, &st),
		    TOTP_OK);
		assert_int_equal(st.last_step, T0 / TOTP_STEP + d);
	}
	for (d = -2; d <= 2; d += 4) {
		memset(&st, 0, sizeof(st));
		code_at(T0 + d * TOTP_STEP, c);
		assert_int_equal(totp_check(secret, SLEN, c, T0, &pol, &st),
		    TOTP_BAD);
		assert_int_equal(st.failures, 1);
		assert_int_equal(st.last_step, 0);
	}
}

static void
test_replay(void **state)
{
	struct totp_state	st;
	char			prev[7], cur[7], next[7];

	memset(&st, 0, sizeof(st));
	code_at(T0 - TOTP_STEP, prev);
	code_at(T0, cur);
	code_at(T0 + TOTP_STEP, next);
	assert_int_equal(totp_check(secret, SLEN, cur, T0, &pol, &st), TOTP_OK);
	assert_int_equal(totp_check(secret, SLEN, cur, T0, &pol, &st),
	    TOTP_REPLAY);
	assert_int_equal(totp_check(secret, SLEN, prev, T0, &pol, &st),
	    TOTP_REPLAY);
	assert_int_equal(st.failures, 2);
	assert_int_equal(totp_check(secret, SLEN, next, T0, &pol, &st),
	    TOTP_OK);
	assert_int_equal(st.failures, 0);
	/* A step later the "next" code is current: still used. */
	assert_int_equal(totp_check(secret, SLEN, next, T0 + TOTP_STEP, &pol,
	    &st), TOTP_REPLAY);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = { "", "12345", "1234567", "12a456",
	    " 12345", "123 45" };
	struct totp_state	st;
	size_t			i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&st, 0, sizeof(st));
		assert_int_equal(totp_check(secret, SLEN, bad[i], T0, &pol,
		    &st), TOTP_BAD);
	}
}

static void
test_lockout(void **state)
{
	struct totp_state	st;
	char			c[7], wrong[7];
	int			i;

	memset(&st, 0, sizeof(st));
	code_at(T0 - 5 * TOTP_STEP, wrong);
	for (i = 1; i <= 4; i++) {
		assert_int_equal(totp_check(secret, SLEN, wrong, T0, &pol,
		    &st), TOTP_BAD);
		assert_int_equal(st.locked_until, 0);
	}
	assert_int_equal(totp_check(secret, SLEN, wrong, T0, &pol, &st),
	    TOTP_BAD);
	assert_int_equal(st.locked_until, T0 + 900);
	/* Locked: even the right code, up to the last second. */
	code_at(T0 + 899, c);
	assert_int_equal(totp_check(secret, SLEN, c, T0 + 899, &pol, &st),
	    TOTP_LOCKED);
	assert_int_equal(st.failures, 5);
	/* Released at exactly the configured time. */
	code_at(T0 + 900, c);
	assert_int_equal(totp_check(secret, SLEN, c, T0 + 900, &pol, &st),
	    TOTP_OK);
	assert_int_equal(st.failures, 0);
	assert_int_equal(st.locked_until, 0);
}

static void
test_lockout_release_counts_afresh(void **state)
{
	struct totp_state	st = { 0, 5, T0 };
	char			wrong[7];

	code_at(T0 - 10 * TOTP_STEP, wrong);
	assert_int_equal(totp_check(secret, SLEN, wrong, T0, &pol, &st),
	    TOTP_BAD);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.locked_until, 0);
}

static void
test_uri(void **state)
{
	char	uri[256];

	assert_int_equal(totp_uri(secret, SLEN, "trunkd", "alice", uri,
	    sizeof(uri)), 0);
	assert_string_equal(uri, "otpauth://totp/trunkd:alice?secret="
	    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=trunkd&algorithm=SHA1"
	    "&digits=6&period=30");
	assert_int_equal(totp_uri(secret, SLEN, "trunkd", "alice", uri, 40),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_vectors),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_lockout_release_counts_afresh),
		cmocka_unit_test(test_uri),
	};

	if (totp_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
