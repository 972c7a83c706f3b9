/*
 * The audit trail: append-only, each row holding SHA-256 over the
 * previous row's hash and its own content, so that a changed, removed or
 * reordered row breaks the chain at that row.  dbd appends inside the
 * transaction of the change (which holds the generation lock, so rows
 * are chained in commit order); `trunkctl audit verify` walks it.
 */
#ifndef TRUNKD_AUDIT_H
#define TRUNKD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#define AUDIT_HASH_LEN	32

struct db;

struct audit_row {
	int64_t		 ts;
	const char	*admin;
	int64_t		 tenant_id;	/* -1: none */
	const char	*action;	/* "create", "update", "delete", ... */
	const char	*object;	/* "trunk", "tenant", ... */
	uint64_t	 object_id;
	uint64_t	 generation;
	const char	*detail;	/* JSON: what changed (no secret) */
};

void	audit_hash(const uint8_t prev[AUDIT_HASH_LEN], const struct audit_row *,
	    uint8_t out[AUDIT_HASH_LEN]);
/* Chain and insert one row.  0 or -1 (see db_last_err()). */
int	audit_append(struct db *, const struct audit_row *);
/*
 * Walk the chain: 0 intact (rows counted in *n), 1 broken at row *bad_id
 * (why says how), -1 a database error.
 */
int	audit_verify(struct db *, uint64_t *n, uint64_t *bad_id, char *why,
	    size_t whylen);

#endif /* TRUNKD_AUDIT_H */
