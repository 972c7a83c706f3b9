/*
 * Secrets at rest (TOTP secrets, SIP credentials): AES-256-GCM under the
 * data key that only dbd (and trunkctl, as root) holds.  A sealed value is
 * version (1) | nonce (12) | ciphertext | tag (16); the associated data
 * names what the value is, so that a value moved to another column or row
 * does not open.
 */
#ifndef TRUNKD_CRYPT_H
#define TRUNKD_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#define CRYPT_KEY_LEN		32
#define CRYPT_OVERHEAD		(1 + 12 + 16)

/* The key file: 32 raw bytes, or 64 hex digits and an optional newline. */
int	crypt_key_parse(const uint8_t *data, size_t len,
	    uint8_t key[CRYPT_KEY_LEN]);
/* out must hold inlen + CRYPT_OVERHEAD bytes.  0 or -1. */
int	crypt_seal(const uint8_t key[CRYPT_KEY_LEN], const char *aad,
	    const uint8_t *in, size_t inlen, uint8_t *out, size_t outsize,
	    size_t *outlen);
/* -1 when the value was changed, sealed under another key or aad. */
int	crypt_open(const uint8_t key[CRYPT_KEY_LEN], const char *aad,
	    const uint8_t *in, size_t inlen, uint8_t *out, size_t outsize,
	    size_t *outlen);

/* A password from the CSPRNG: len - 1 characters without look-alikes. */
void	crypt_password(char *out, size_t len);

#endif /* TRUNKD_CRYPT_H */
