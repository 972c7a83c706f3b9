/*
 * libFuzzer target: bytes from a browser, as webd takes them: a head
 * (up to the first CRLF CRLF, at most WEB_HEAD_MAX bytes) through the
 * gate, and an accepted one split into its fields.  What the gate
 * accepts must hold what conn.c and http.c rely on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webd/webd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct head	 h;
	const char	*in = (const char *)data, *end;
	char		*fields;
	size_t		 hl, n, i;

	if (len > WEB_HEAD_MAX ||
	    (end = memmem(in, len, "\r\n\r\n", 4)) == NULL)
		return 0;
	hl = (size_t)(end + 4 - in);
	if (gate_parse(in, hl, &h) != 0)
		return 0;
	if (h.method == 0 || h.minor > 1 || h.target < in ||
	    h.target + h.targetlen > in + hl || h.target[0] != '/' ||
	    h.body > WEB_BODY_MAX)
		abort();
	if ((fields = malloc(hl)) == NULL)
		return 0;
	n = gate_fields(in, hl, fields);
	/* pairs of NUL-terminated strings, each name a token */
	for (i = 0; i < n; ) {
		if (fields[i] == '\0')
			abort();
		i += strlen(fields + i) + 1;
		if (i >= n)
			abort();
		i += strlen(fields + i) + 1;
	}
	if (i != n || n > hl)
		abort();
	free(fields);
	return 0;
}
