#include <stdlib.h>
#include <string.h>

#include "blob.h"

static struct {
	uint8_t	*data;
	size_t	 len;
} blobs[BLOB_KIND_MAX];

int
blob_keep(enum conf_blob_kind kind, const uint8_t *data, size_t len)
{
	uint8_t	*copy;

	if (kind <= 0 || kind >= BLOB_KIND_MAX || len > PROTO_SECRET_MAX)
		return -1;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, data, len);
	copy[len] = '\0';
	blob_wipe(kind);
	blobs[kind].data = copy;
	blobs[kind].len = len;
	return 0;
}

const uint8_t *
blob_get(enum conf_blob_kind kind, size_t *len)
{
	if (kind <= 0 || kind >= BLOB_KIND_MAX || blobs[kind].data == NULL)
		return NULL;
	*len = blobs[kind].len;
	return blobs[kind].data;
}

void
blob_wipe(enum conf_blob_kind kind)
{
	if (kind <= 0 || kind >= BLOB_KIND_MAX)
		return;
	freezero(blobs[kind].data, blobs[kind].len + 1);
	blobs[kind].data = NULL;
	blobs[kind].len = 0;
}

void
blob_wipe_all(void)
{
	int	k;

	for (k = 1; k < BLOB_KIND_MAX; k++)
		blob_wipe((enum conf_blob_kind)k);
}
