/* Values sealed under dbd's data key, and generated SIP passwords. */
#include <stdlib.h>
#include <string.h>

#include "dbd.h"

int
secret_seal(const char *aad, const void *in, size_t len, uint8_t *out,
    size_t outsize, size_t *outlen)
{
	return crypt_seal(dbd.key, aad, in, len, out, outsize, outlen);
}

/* Opens into a NUL-terminated string. */
int
secret_open(const char *aad, const uint8_t *in, size_t len, char *out,
    size_t outsize)
{
	size_t	n;

	if (outsize == 0 || crypt_open(dbd.key, aad, in, len, (uint8_t *)out,
	    outsize - 1, &n) == -1)
		return -1;
	out[n] = '\0';
	return 0;
}

void
secret_password(char *out, size_t len)
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	    "abcdefghijkmnopqrstuvwxyz23456789";
	size_t	i;

	/* 57 symbols: 32 of them carry 186 bits, no look-alikes. */
	for (i = 0; i + 1 < len; i++)
		out[i] = alphabet[arc4random_uniform(sizeof(alphabet) - 1)];
	out[i] = '\0';
}
