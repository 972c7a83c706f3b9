/*
 * CSRF tokens: "<issued, 16 hex digits>.<HMAC-SHA256 in hex>" over the
 * issue time and the client certificate's fingerprint, with a key from
 * the parent.  A token is good for one admin's certificate, for
 * CSRF_LIFETIME seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "blob.h"
#include "webd.h"

#define CSRF_LIFETIME	(12 * 3600)
#define CSRF_SKEW	300

static uint8_t	*csrf_key;
static size_t	 csrf_keylen;

int
csrf_init(void)
{
	const uint8_t	*k;
	size_t		 len;

	if ((k = blob_get(BLOB_CSRF_KEY, &len)) == NULL || len < 16)
		return -1;
	freezero(csrf_key, csrf_keylen);
	if ((csrf_key = malloc(len)) == NULL)
		return -1;
	memcpy(csrf_key, k, len);
	csrf_keylen = len;
	blob_wipe(BLOB_CSRF_KEY);
	return 0;
}

static void
csrf_mac(const uint8_t fpr[PROTO_FPR_LEN], const char *issued, char *hex)
{
	uint8_t		 msg[PROTO_FPR_LEN + 16], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0, i;

	memcpy(msg, fpr, PROTO_FPR_LEN);
	memcpy(msg + PROTO_FPR_LEN, issued, 16);
	if (HMAC(EVP_sha256(), csrf_key, (int)csrf_keylen, msg, sizeof(msg),
	    mac, &maclen) == NULL || maclen != 32)
		maclen = 0;	/* a token nobody can match */
	for (i = 0; i < 32; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", i < maclen ? mac[i] : 0);
	explicit_bzero(mac, sizeof(mac));
}

void
csrf_token(const uint8_t fpr[PROTO_FPR_LEN], char *out, size_t len)
{
	char	issued[17];

	(void)snprintf(issued, sizeof(issued), "%016llx",
	    (unsigned long long)time(NULL));
	if (len < CSRF_TOKEN_LEN) {
		if (len > 0)
			out[0] = '\0';
		return;
	}
	memcpy(out, issued, 16);
	out[16] = '.';
	csrf_mac(fpr, issued, out + 17);
}

int
csrf_check(const uint8_t fpr[PROTO_FPR_LEN], const char *token)
{
	char			 want[65], issued[17], *end;
	unsigned long long	 t;
	long long		 now = (long long)time(NULL);

	if (token == NULL || csrf_key == NULL ||
	    strlen(token) != CSRF_TOKEN_LEN - 1 || token[16] != '.')
		return -1;
	memcpy(issued, token, 16);
	issued[16] = '\0';
	if (strspn(issued, "0123456789abcdef") != 16)
		return -1;
	t = strtoull(issued, &end, 16);
	if (*end != '\0' || (long long)t > now + CSRF_SKEW ||
	    (long long)t < now - CSRF_LIFETIME)
		return -1;
	csrf_mac(fpr, issued, want);
	return CRYPTO_memcmp(want, token + 17, 64) == 0 ? 0 : -1;
}
