/* Values sealed under dbd's data key. */
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
