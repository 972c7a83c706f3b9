/* Names of the database channel's operations and answers, for the audit
 * trail, the log and the test driver. */
#ifndef TRUNKD_OPS_H
#define TRUNKD_OPS_H

#include <stdint.h>

const char	*db_op_name(uint32_t op);	/* "TRUNK_CREATE"; NULL if unknown */
uint32_t	 db_op_lookup(const char *);	/* 0 if unknown */
const char	*db_status_name(int32_t);	/* "DB_E_TOTP" */

#endif /* TRUNKD_OPS_H */
