/*
 * dbd: the database broker, the only holder of the database credentials
 * and the key for secrets at rest.  This file holds its start-up.
 */
#include "blob.h"
#include "child.h"
#include "sandbox.h"

static const struct child_ops dbd_ops = {
	.role = PROC_DBD,
	.policy = &dbd_sandbox,
	.blob_kinds = 1U << BLOB_DB_PASSWORD | 1U << BLOB_DB_CA |
	    1U << BLOB_DATA_KEY,
	.blob = blob_keep,
};

int
main(int argc, char *argv[])
{
	child_main(&dbd_ops, argc, argv);
}
