/*
 * TOTP step-up (RFC 6238: HMAC-SHA-1, 30 s steps, 6 digits, a window of
 * one step either side) with liboath, as a pure function of the time and
 * the admin's stored state, so that dbd stores the new state in the same
 * transaction as the change it guards, and the tests can drive it with any
 * clock.
 */
#ifndef TRUNKD_TOTP_H
#define TRUNKD_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_STEP		30
#define TOTP_DIGITS		6
#define TOTP_SECRET_LEN		20	/* RFC 4226's recommended 160 bits */

struct totp_state {
	int64_t		last_step;	/* the last step accepted */
	uint32_t	failures;	/* since the last success */
	int64_t		locked_until;	/* unix time; 0 when not locked */
};

struct totp_policy {
	uint32_t	max_failures;	/* this many failures lock */
	uint32_t	lockout;	/* seconds */
};

enum totp_result {
	TOTP_OK = 0,
	TOTP_BAD,		/* wrong, malformed or out of the window */
	TOTP_REPLAY,		/* a step already used (or older) */
	TOTP_LOCKED,		/* locked: the code was not even looked at */
};

int		 totp_init(void);
/*
 * Check `code` at time `now` and update `st`: a success stores its step
 * and clears the failures; a failure (wrong or replayed) counts, and the
 * max_failures-th locks for `lockout` seconds; a served lockout is
 * cleared.  The comparison takes the same time whichever step matches.
 */
enum totp_result totp_check(const uint8_t *secret, size_t len,
		    const char *code, time_t now, const struct totp_policy *,
		    struct totp_state *st);
/* The code for `now` (trunkctl shows none; the unit tests use it). */
int		 totp_code(const uint8_t *secret, size_t len, time_t now,
		    char code[TOTP_DIGITS + 1]);
void		 totp_secret_new(uint8_t secret[TOTP_SECRET_LEN]);
/* otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&... for authenticator apps. */
int		 totp_uri(const uint8_t *secret, size_t len, const char *issuer,
		    const char *account, char *buf, size_t buflen);

#endif /* TRUNKD_TOTP_H */
