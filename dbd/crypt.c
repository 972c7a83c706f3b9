/*
 * AES-256-GCM with OpenSSL's EVP interface; a random 96-bit nonce per
 * value (a few thousand values per key: far from the collision bound).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypt.h"
#include "util.h"

#define CRYPT_VERSION	1
#define NONCE_LEN	12
#define TAG_LEN		16

int
crypt_key_parse(const uint8_t *data, size_t len, uint8_t key[CRYPT_KEY_LEN])
{
	size_t	i;
	int	hi, lo;

	if (len == CRYPT_KEY_LEN) {
		memcpy(key, data, CRYPT_KEY_LEN);
		return 0;
	}
	if (len == 2 * CRYPT_KEY_LEN + 1 && data[len - 1] == '\n')
		len--;
	if (len != 2 * CRYPT_KEY_LEN)
		return -1;
	for (i = 0; i < CRYPT_KEY_LEN; i++) {
		if ((hi = hexval(data[2 * i])) == -1 ||
		    (lo = hexval(data[2 * i + 1])) == -1) {
			explicit_bzero(key, CRYPT_KEY_LEN);
			return -1;
		}
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
crypt_seal(const uint8_t key[CRYPT_KEY_LEN], const char *aad,
    const uint8_t *in, size_t inlen, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		*nonce = out + 1, *ct = out + 1 + NONCE_LEN;
	int		 n, fin, rv = -1;

	if (inlen > (size_t)INT32_MAX || outsize < inlen + CRYPT_OVERHEAD)
		return -1;
	out[0] = CRYPT_VERSION;
	if (RAND_bytes(nonce, NONCE_LEN) != 1 ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, (const uint8_t *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_EncryptUpdate(ctx, ct, &n, in, (int)inlen) == 1 &&
	    EVP_EncryptFinal_ex(ctx, ct + n, &fin) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    ct + n + fin) == 1) {
		*outlen = 1 + NONCE_LEN + (size_t)(n + fin) + TAG_LEN;
		rv = 0;
	}
	EVP_CIPHER_CTX_free(ctx);
	return rv;
}

int
crypt_open(const uint8_t key[CRYPT_KEY_LEN], const char *aad,
    const uint8_t *in, size_t inlen, uint8_t *out, size_t outsize,
    size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx;
	uint8_t		 tag[TAG_LEN];
	size_t		 ctlen;
	int		 n, fin, rv = -1;

	if (inlen < CRYPT_OVERHEAD || in[0] != CRYPT_VERSION ||
	    inlen > (size_t)INT32_MAX)
		return -1;
	ctlen = inlen - CRYPT_OVERHEAD;
	if (outsize < ctlen)
		return -1;
	memcpy(tag, in + inlen - TAG_LEN, TAG_LEN);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in + 1) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const uint8_t *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_DecryptUpdate(ctx, out, &n, in + 1 + NONCE_LEN,
	    (int)ctlen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1 &&
	    EVP_DecryptFinal_ex(ctx, out + n, &fin) == 1) {
		*outlen = (size_t)(n + fin);
		rv = 0;
	} else
		explicit_bzero(out, outsize);
	EVP_CIPHER_CTX_free(ctx);
	return rv;
}

void
crypt_password(char *out, size_t len)
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	    "abcdefghijkmnopqrstuvwxyz23456789";
	size_t	i;

	/* 57 symbols: 32 of them carry 186 bits. */
	for (i = 0; i + 1 < len; i++)
		out[i] = alphabet[arc4random_uniform(sizeof(alphabet) - 1)];
	if (len > 0)
		out[i] = '\0';
}
