/*
 * The trunkd schema: versioned, idempotent migrations applied by
 * `trunkctl db init` with the owner's account, and the grants of dbd's
 * own account.  dbd checks the version it finds before it serves.
 */
#ifndef TRUNKD_SCHEMA_H
#define TRUNKD_SCHEMA_H

#include <stddef.h>

struct db;

/* The version this build's code expects. */
#define SCHEMA_VERSION	2

/*
 * Bring the schema up to SCHEMA_VERSION (nothing to do when it is) and
 * grant `user` what dbd needs.  `schema` and `user` come from trunkd.conf,
 * where the parser allows letters, digits and "_" only; they are checked
 * again here because they must be written into GRANT as identifiers.
 * Tells what it does through `say` when not NULL.  -1 with err filled.
 */
int	schema_migrate(struct db *, const char *schema, const char *user,
	    int (*say)(const char *, ...), char *err, size_t errlen);
/* The version the database holds: -1 on error, 0 for an empty one. */
int	schema_version(struct db *);

#endif /* TRUNKD_SCHEMA_H */
