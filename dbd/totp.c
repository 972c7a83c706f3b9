/*
 * TOTP with liboath.  The codes of the three steps of the window are all
 * computed and compared without an early exit, so the time taken does not
 * tell which step (if any) matched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>

#include "totp.h"

int
totp_init(void)
{
	return oath_init() == OATH_OK ? 0 : -1;
}

int
totp_code(const uint8_t *secret, size_t len, time_t now,
    char code[TOTP_DIGITS + 1])
{
	return oath_totp_generate((const char *)secret, len, now, TOTP_STEP, 0,
	    TOTP_DIGITS, code) == OATH_OK ? 0 : -1;
}

/* 1 when equal; the time depends on the length only. */
static int
code_equal(const char *a, const char *b)
{
	unsigned int	diff = 0;
	size_t		i;

	for (i = 0; i < TOTP_DIGITS; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return diff == 0;
}

static int
code_wellformed(const char *code)
{
	size_t	i;

	for (i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[TOTP_DIGITS] == '\0';
}

enum totp_result
totp_check(const uint8_t *secret, size_t len, const char *code, time_t now,
    const struct totp_policy *pol, struct totp_state *st)
{
	enum totp_result	 res = TOTP_BAD;
	char			 want[TOTP_DIGITS + 1];
	int64_t			 step, matched = -1;
	int			 d, ok;

	if (st->locked_until > now)
		return TOTP_LOCKED;
	if (st->locked_until != 0) {
		/* The lockout was served: a fresh start. */
		st->locked_until = 0;
		st->failures = 0;
	}
	step = (int64_t)now / TOTP_STEP;
	ok = code_wellformed(code);
	for (d = -1; d <= 1; d++) {
		if (totp_code(secret, len, now + d * TOTP_STEP, want) == -1)
			ok = 0;
		else if (code_equal(want, ok ? code : "xxxxxx"))
			matched = step + d;
	}
	explicit_bzero(want, sizeof(want));
	if (ok && matched >= 0) {
		if (matched > st->last_step) {
			st->last_step = matched;
			st->failures = 0;
			return TOTP_OK;
		}
		res = TOTP_REPLAY;
	}
	if (++st->failures >= pol->max_failures)
		st->locked_until = (int64_t)now + pol->lockout;
	return res;
}

void
totp_secret_new(uint8_t secret[TOTP_SECRET_LEN])
{
	arc4random_buf(secret, TOTP_SECRET_LEN);
}

int
totp_uri(const uint8_t *secret, size_t len, const char *issuer,
    const char *account, char *buf, size_t buflen)
{
	char	*b32 = NULL, *eq;
	size_t	 b32len;
	int	 n;

	if (oath_base32_encode((const char *)secret, len, &b32,
	    &b32len) != OATH_OK)
		return -1;
	/* Authenticator apps want the base32 without its padding. */
	if ((eq = strchr(b32, '=')) != NULL)
		*eq = '\0';
	n = snprintf(buf, buflen, "otpauth://totp/%s:%s?secret=%s&issuer=%s"
	    "&algorithm=SHA1&digits=%d&period=%d", issuer, account, b32,
	    issuer, TOTP_DIGITS, TOTP_STEP);
	freezero(b32, b32len);
	return n < 0 || (size_t)n >= buflen ? -1 : 0;
}
