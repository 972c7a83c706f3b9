/*
 * Key material a child received from the parent and keeps until the code
 * that uses it takes it.  Every copy is wiped when replaced or cleared.
 */
#ifndef TRUNKD_BLOB_H
#define TRUNKD_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Keep a copy of `data` under `kind`, replacing any earlier one. */
int		 blob_keep(enum conf_blob_kind, const uint8_t *data, size_t len);
/* The kept bytes (NUL-terminated for convenience), or NULL. */
const uint8_t	*blob_get(enum conf_blob_kind, size_t *len);
void		 blob_wipe(enum conf_blob_kind);
void		 blob_wipe_all(void);

#endif /* TRUNKD_BLOB_H */
